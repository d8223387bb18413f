"""What a report page reads: its inputs as named slices, each with a digest of its own.

A review's inputs are cut into slices, each named by a key in words: a plan row
(``plan: indicators sports_area_per_capita``, ``plan: targets ch07-t06``, ``plan: tasks …``,
``plan: previous …``), the observed values of one id in one year (``observed:
sports_area_per_capita 2024``), a context series in one year (``context: 地区生产总值 2023``), an
analyst's verdict (``verdicts: …``), a whole file (``file: plan.yml``, ``file: methods/methods.csv``)
and a module of the package (``code: engine/progress.py``).  :func:`input_slices` lists every
slice of one review, from the plan and the observed data as loaded (nothing is judged: it stays
cheap); each page kind says which of them it reads next to its own code
(``ReviewContext.chapter_reads`` and the others, :mod:`plananalysis.context`), and the runner
hashes exactly those (:mod:`plananalysis.run.manifest`).

>>> from plananalysis.context import review_context
>>> slices = review_context(as_of=2023).inputs
>>> key = "observed: sports_area_per_capita 2023"
>>> key in slices.digests, slices.select("observed", ["sports_area_per_capita"], up_to=2022)
(True, ['observed: sports_area_per_capita 2020'])
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .paths import data_dir

__all__ = ["Slices", "input_slices", "COMMON_FILES"]

#: The plan's files every page reads (its title, period, region, sources, chapters, who supplies
#: what, the plan's text); the other files of the plan folder (checks, exclusions, notes, the
#: data's own sources) are read by the pages that aggregate everything.
COMMON_FILES = ("plan.yml", "sources.yml", "regions.csv", "chapters.csv", "departments.csv",
                "responsibilities.csv", "source.txt", "settings.yml", "methods/", "glossary/",
                "observed/task-statements.csv")   # the departments' statements: chapter pages show them

#: The package's folders a report page never imports (the runner, the servers, the apps' logic).
_NOT_READ_BY_PAGES = ("run", "widgets")


@dataclass
class Slices:
    """Every slice of one review's inputs: ``digests`` (key → sha256 of the slice) and, for the
    row slices, ``rows`` (kind → ``[(id, year or None, key)]``) to select them by id and year.

    >>> slices = Slices()
    >>> slices.add_rows("observed", pd.DataFrame({"indicator_id": ["a", "a", "b"], "year": [2022, 2024, 2022],
    ...                                          "value": [1.0, 2.0, 3.0]}), lambda f: f["indicator_id"], "year")
    >>> slices.select("observed", ["a"], up_to=2023), len(slices.digests)
    (['observed: a 2022'], 3)
    """

    digests: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)

    def select(self, kind: str, ids=None, up_to: int | None = None) -> list[str]:
        """The keys of ``kind`` (``observed``, ``plan: targets`` …) for ``ids`` (all when
        ``None``), of a year up to ``up_to`` (when given; slices without a year always)."""
        wanted = None if ids is None else {str(i) for i in ids}
        return [key for id_, year, key in self.rows.get(kind, [])
                if (wanted is None or id_ in wanted) and (up_to is None or year is None or year <= up_to)]

    def files(self, common_only: bool = False) -> list[str]:
        """The keys of whole files: the plan's, the method and label tables (``common_only``:
        only :data:`COMMON_FILES`)."""
        keys = [k for k in self.digests if k.startswith("file: ")]
        if common_only:
            keys = [k for k in keys if any(k[6:] == name or (name.endswith("/") and k[6:].startswith(name))
                                           for name in COMMON_FILES)]
        return keys

    def code(self) -> list[str]:
        """The keys of the package's modules a report page may import."""
        return [k for k in self.digests if k.startswith("code: ")]

    def add_rows(self, kind: str, frame: pd.DataFrame, id_of, year_column: str | None = None) -> None:
        """One slice per id (and year): the rows of ``frame``, in their order, as text."""
        if frame is None or not len(frame):
            return
        ids = [str(i) for i in id_of(frame)]
        years = [None] * len(frame) if year_column is None else [_year(y) for y in frame[year_column]]
        groups: dict = {}
        for id_, year, row in zip(ids, years, frame.itertuples(index=False, name=None)):
            groups.setdefault((id_, year), []).append("\x1f".join(map(str, row)))
        header = "\x1f".join(map(str, frame.columns))
        entries = self.rows.setdefault(kind, [])
        for (id_, year), lines in groups.items():
            key = f"{kind}: {id_}" + ("" if year is None else f" {year}")
            self.digests[key] = _sha(header + "\n" + "\n".join(lines))
            entries.append((id_, year, key))

    def add_file(self, key: str, path: Path) -> None:
        self.digests[key] = _sha(path.read_bytes())

    def add_value(self, key: str, value) -> None:
        self.digests[key] = _sha(repr(value))


def input_slices(review) -> Slices:
    """Every slice of ``review``'s inputs (a :class:`~plananalysis.context.ReviewContext`): its
    plan's rows, its observed values and context series by id and year, its verdicts, the plan's
    other files, the method and label tables, the package's modules.

    >>> from plananalysis.context import review_context
    >>> slices = input_slices(review_context(as_of=2023))
    >>> "file: plan.yml" in slices.digests, "code: engine/progress.py" in slices.digests, "code: run/review.py" in slices.digests
    (True, True, False)
    """
    plan, slices = review.plan, Slices()
    slices.add_rows("plan: indicators", plan.indicators, lambda f: f["indicator_id"])
    slices.add_value("plan: indicators (count)", len(plan.indicators))
    slices.add_rows("plan: targets", plan.targets, lambda f: f["target_id"])
    slices.add_rows("plan: tasks", plan.tasks, lambda f: f["task_id"])
    slices.add_rows("plan: previous", plan.previous_indicators, lambda f: f["indicator_id"])
    slices.add_rows("observed", review.observed, _subject, "year")
    slices.add_rows("context", review.context_series, lambda f: f["series"], "year")
    slices.add_rows("verdicts", review.verdicts, lambda f: f["subject_id"], "year")
    folder = plan.folder
    row_files = {"indicators.csv", "targets.csv", "tasks.csv", plan.info.tables.get("previous_plan", "")}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or "backups" in relative.parts or path.name.startswith("."):
            continue
        if str(relative) in row_files or (relative.parts[0] == "observed" and _is_data_file(path.name)):
            continue   # hashed row by row above
        slices.add_file(f"file: {relative.as_posix()}", path)
    data = data_dir()
    for name in ("methods", "glossary"):
        for path in sorted((data / name).glob("*")):
            if path.is_file() and not path.name.startswith("."):
                slices.add_file(f"file: {name}/{path.name}", path)
    if (data / "settings.yml").is_file():
        slices.add_file("file: settings.yml", data / "settings.yml")
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] not in _NOT_READ_BY_PAGES:
            slices.add_file(f"code: {relative.as_posix()}", path)
    return slices


def _is_data_file(name: str) -> bool:
    """The observed folder's tables, loaded into the observed, context and verdict frames."""
    return name.endswith(".csv") and (name.startswith(("observed-", "context-")) or name in ("user.csv", "verdicts.csv"))


def _subject(frame: pd.DataFrame):
    """An observed row's subject: its catalogue target, or its indicator."""
    target = frame["target_id"].fillna("").astype(str) if "target_id" in frame.columns else pd.Series("", index=frame.index)
    return target.where(target != "", frame["indicator_id"].fillna("").astype(str))


def _year(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _sha(data) -> str:
    return hashlib.sha256(data if isinstance(data, bytes) else str(data).encode()).hexdigest()
