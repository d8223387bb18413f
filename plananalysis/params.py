"""Parameters of a review, validated in one place against the plan they are for.

papermill checks neither the names nor the types of the parameters it injects, so every
notebook's first cell after its parameters calls :func:`validate` (through
:func:`plananalysis.context.start`); the review runner, the exports and the apps call it too,
before anything runs.  A bad value raises :class:`ReviewParameterError`, which a notebook shows
as one line at the top of the report and the command line prints as one line (exit status 2).

Years, chapters and regions are checked against the plan's own folder (``plan.yml``,
``chapters.csv``, ``regions.csv``): nothing here knows one plan.  This module reads those files
with the standard library and PyYAML only, so the command line starts fast.

>>> params = validate(as_of=2023)
>>> params.phase, params.region == read_plan_info().region
('midterm', True)
>>> validate(as_of=2031)
Traceback (most recent call last):
...
plananalysis.params.ReviewParameterError: 参数 as_of = 2031 不符合要求：应为 2021–2025 之间的年份（规划期） (parameter as_of = 2031: expected a year within the plan, 2021–2025)
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ParameterError, PlanDataError, shorten
from .plan.info import PlanInfo, read_plan_info, resolve_plan_folder

__all__ = ["ReviewParameters", "ReviewParameterError", "validate", "method_names", "LANGUAGES",
           "plan_region_names", "plan_chapter_count"]

LANGUAGES = ("zh", "en")
KNOWN = ("plan", "as_of", "chapter", "method", "lang", "region", "observed_path")  # a notebook's (compare: the runner's)
_METHODS_TABLE = Path(__file__).resolve().parents[1] / "data" / "methods" / "methods.csv"


class ReviewParameterError(ParameterError):
    """A parameter outside what the plan allows; shown as one line in notebooks.

    >>> try:
    ...     validate(method="fastest")
    ... except ReviewParameterError as error:
    ...     print(error.name, error.value)
    method fastest
    """

    def __init__(self, name: str, value, expected_zh: str, expected_en: str):
        self.name, self.value = name, value
        shown = shorten(value)   # a 5,000-character --plan is shown by its start
        super().__init__(f"参数 {name} = {shown} 不符合要求：应为 {expected_zh} "
                         f"(parameter {name} = {shown}: expected {expected_en})")

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"\x1b[31m{self.args[0]}\x1b[0m"]


@dataclass(frozen=True)
class ReviewParameters:
    """Validated parameters of one review run, notebook, export or app view.

    ``plan`` is the plan's folder (absolute); ``region`` is always a region of that plan.

    >>> params = validate(as_of=2025, chapter=9)
    >>> params.phase, params.as_dict()["method"], params.plan_id == read_plan_info().plan_id
    ('final', 'cn-schedule', True)
    """

    plan: str
    as_of: int
    chapter: int | None = None
    method: str = "cn-schedule"
    lang: str = "zh"
    region: str = ""
    observed_path: str = ""
    #: what the review is compared with (plananalysis.present.changes): "" (a final review: its
    #: mid-term), another review's year, or a previous run's results.csv (``--compare previous``)
    compare: str = ""

    @property
    def plan_id(self) -> str:
        return Path(self.plan).name

    @property
    def info(self) -> PlanInfo:
        return read_plan_info(self.plan)

    @property
    def phase(self) -> str:
        """``final`` from the plan's end year on, else ``midterm``."""
        return self.info.phase(self.as_of)

    def as_dict(self) -> dict:
        return asdict(self)

    def replace(self, **changes) -> "ReviewParameters":
        """The same parameters with some changed, validated again.

        >>> validate(as_of=2023).replace(as_of=2025).phase
        'final'
        """
        return validate(**{**self.as_dict(), **changes})


def method_names() -> tuple[str, ...]:
    """The progress methods, by id, from the one method table (``data/methods/methods.csv``).

    >>> method_names()[0]
    'cn-schedule'
    """
    with open(_METHODS_TABLE, encoding="utf-8", newline="") as handle:
        return tuple(row["method"] for row in csv.DictReader(handle))


def plan_csv_rows(path: Path) -> list[dict]:
    """The rows of a plan CSV, read by the one checked reader (:func:`~plananalysis.plan.info.read_csv_rows`:
    size and encoding first, then every cell); none when the file is absent."""
    if not path.exists() and not path.is_symlink():
        return []
    from .plan.info import read_csv_rows

    header, rows = read_csv_rows(path)
    return [dict(zip(header, row)) for row in rows]


def plan_chapter_count(info: PlanInfo) -> int:
    """How many chapters the plan's ``chapters.csv`` has (0 when it has none).

    >>> plan_chapter_count(read_plan_info()) > 0
    True
    """
    path = info.table_path("chapters")
    return sum(1 for row in plan_csv_rows(path) if row.get("kind") == "chapter") if path else 0


def plan_region_names(info: PlanInfo) -> dict[str, str]:
    """Every name (official name or alias) → the official region name, from ``regions.csv``.

    >>> info = read_plan_info()
    >>> plan_region_names(info)[info.region] == info.region
    True
    """
    names = {info.region: info.region}
    for row in plan_csv_rows(info.folder / "regions.csv"):
        official = row.get("name_zh", "").strip()
        if not official:
            continue
        names[official] = official
        for alias in (row.get("aliases") or "").split("|"):
            if alias.strip():
                names.setdefault(alias.strip(), official)
    return names


def validate(plan=None, as_of=None, chapter=None, method="cn-schedule", lang="zh", region=None,
             observed_path="", compare="", **unknown) -> ReviewParameters:
    """Check every parameter against the plan; return them typed, or raise :class:`ReviewParameterError`.

    ``plan``: an id or folder (default: the default plan); ``as_of``: a year of the plan's period
    (default: the latest review due); ``region``: a region of the plan (default: the plan's own).

    >>> validate(as_of="2024", chapter="第九章", lang="en").chapter
    9
    >>> validate(region="火星市")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.params.ReviewParameterError: 参数 region = '火星市' 不符合要求：应为 本规划的地区之一...
    """
    if unknown:
        name = sorted(unknown)[0]
        raise ReviewParameterError(name, unknown[name], f"已知参数 {'、'.join(KNOWN)} 之一",
                                   f"one of the known parameters {', '.join(KNOWN)}")
    try:
        folder = resolve_plan_folder(plan)
    except PlanDataError as error:
        raise ReviewParameterError("plan", plan, f"一个规划编号或文件夹（{error.expected}）",
                                   "a plan id or folder") from None
    info = read_plan_info(folder)   # a broken plan.yml is its own error, naming the file and the key
    period_zh = f"{info.start}–{info.end} 之间的年份（规划期）"
    period_en = f"a year within the plan, {info.start}–{info.end}"
    year = info.default_as_of() if as_of in (None, "") else _as_int("as_of", as_of, period_zh, period_en)
    if not info.start <= year <= info.end:
        raise ReviewParameterError("as_of", as_of, period_zh, period_en)
    if chapter not in (None, ""):
        from .plan.folder import chapter_number  # light: no pandas at import of this module

        count = plan_chapter_count(info)
        try:
            chapter = chapter_number(chapter, count)
        except (ParameterError, ValueError):
            raise ReviewParameterError("chapter", chapter, f"1–{count} 的章节" if count else "无（本规划无章节表）",
                                       f"a chapter 1–{count}" if count else "none: the plan has no chapters") from None
    else:
        chapter = None
    methods = method_names()
    if method not in methods:
        raise ReviewParameterError("method", method, "、".join(methods) + " 之一", "one of " + ", ".join(methods))
    if lang not in LANGUAGES:
        raise ReviewParameterError("lang", lang, "zh 或 en", "zh or en")
    regions = plan_region_names(info)
    if region in (None, ""):
        region = info.region
    elif not isinstance(region, str) or region.strip() not in regions:
        shown = "、".join(list(dict.fromkeys(regions.values()))[:6])
        raise ReviewParameterError("region", region, f"本规划的地区之一（regions.csv：{shown} …）",
                                   f"a region of the plan (regions.csv: {shown} …)")
    region = regions[region.strip()]
    if observed_path and not Path(observed_path).exists():
        raise ReviewParameterError("observed_path", observed_path, "存在的文件或文件夹（空 = 规划自带的数据）",
                                   "an existing file or folder (empty = the plan's own data)")
    return ReviewParameters(str(info.folder), year, chapter, method, lang, region,
                            str(Path(observed_path).resolve()) if observed_path else "",
                            _compare(compare, year, info, period_zh, period_en))


def _compare(value, year: int, info, period_zh: str, period_en: str) -> str:
    """``compare``: empty, another year of the plan's period, or an existing ``results.csv``.

    >>> validate(as_of=2025, compare="2023").compare
    '2023'
    >>> validate(as_of=2025, compare="2025")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.params.ReviewParameterError: 参数 compare = '2025' 不符合要求：应为 ...
    """
    if value in (None, ""):
        return ""
    text = str(value).strip()
    expected_zh = f"{period_zh}中除{year}年以外的一年，或上次运行保存的 results.csv"
    expected_en = f"{period_en} other than {year}, or the results.csv a previous run stored"
    if text.isdigit():
        other = int(text)
        if other == year or not info.start <= other <= info.end:
            raise ReviewParameterError("compare", value, expected_zh, expected_en)
        return str(other)
    path = Path(text)
    if path.name != "results.csv" or not path.is_file():
        raise ReviewParameterError("compare", value, expected_zh, expected_en)
    return str(path.resolve())


def _as_int(name, value, expected_zh, expected_en) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ReviewParameterError(name, value, expected_zh, expected_en) from None
    if not number.is_integer():
        raise ReviewParameterError(name, value, expected_zh, expected_en)
    return int(number)
