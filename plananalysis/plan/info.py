"""Who, where and when of a plan: its ``plan.yml``, read without pandas (commands start fast).

A plan folder declares its identity in ``plan.yml`` (see ``docs/new-plan.md``): id, titles,
region and region level, period (start, end, base year), mid-term year, vision year, language,
the optional tables it has and the table notes that give a printed cell another year or meaning.
Everything the code needs to know about a plan's years comes from here.

The default plan (used when no ``--plan`` is given) is named in ``data/settings.yml``.

>>> info = read_plan_info()
>>> info.start, info.end, info.base_year, info.n_years
(2021, 2025, 2020, 5)
>>> info.phase(info.midterm_year), info.phase(info.end)
('midterm', 'final')
>>> read_plan_info("no-such-plan")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
plananalysis.errors.PlanDataError: 文件 ... 值 'no-such-plan' 不符合要求，应为 一个规划编号或文件夹 ...
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import PlanDataError
from ..paths import data_dir

__all__ = ["PlanInfo", "TableNote", "read_plan_info", "resolve_plan_folder", "default_plan_id",
           "plan_folders", "REGION_LEVELS", "OPTIONAL_TABLES"]

REGION_LEVELS = ("country", "province", "city", "county")
#: optional tables a plan may declare in plan.yml → what they are
OPTIONAL_TABLES = {
    "previous_plan": "the previous plan's table: base, target and actual (a finished plan to evaluate)",
    "chapters": "chapter headings and boxes (专栏): chapter reports run for these",
    "catalogue": "quantified targets in the chapters' prose",
}
_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,62}")


@dataclass(frozen=True)
class TableNote:
    """A note under the plan's table that gives a marked cell another year or meaning.

    >>> TableNote(mark="*", year=2019, text="带*的为2019年数据").year
    2019
    """

    mark: str
    text: str = ""
    year: int | None = None
    meaning: str = ""


@dataclass(frozen=True)
class PlanInfo:
    """A plan's ``plan.yml``, checked.

    >>> info = read_plan_info()
    >>> info.years, info.default_as_of(today=2024), info.default_as_of(today=2030)
    ((2021, 2022, 2023, 2024, 2025), 2023, 2025)
    """

    plan_id: str
    folder: Path
    title_zh: str
    title_en: str
    region: str
    region_level: str
    start: int
    end: int
    base_year: int
    midterm_year: int
    language: str = "zh"
    vision_year: int | None = None
    tables: dict = field(default_factory=dict)
    notes: tuple[TableNote, ...] = ()
    previous: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_years(self) -> int:
        """The plan's length N (target year − base year)."""
        return self.end - self.base_year

    @property
    def years(self) -> tuple[int, ...]:
        """The years of the plan period, start to end."""
        return tuple(range(self.start, self.end + 1))

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh

    def phase(self, as_of: int) -> str:
        """``final`` from the plan's end year on, else ``midterm``."""
        return "final" if int(as_of) >= self.end else "midterm"

    def has(self, table: str) -> bool:
        """Whether the plan declares the optional ``table`` (and its file exists)."""
        name = self.tables.get(table)
        return bool(name) and (self.folder / name).is_file()

    def table_path(self, table: str) -> Path | None:
        return self.folder / self.tables[table] if self.has(table) else None

    def note(self, mark: str) -> TableNote | None:
        return next((n for n in self.notes if n.mark == mark), None)

    def reviews_due(self, today: int | None = None) -> list[int]:
        """The reviews that can be done by ``today``'s year: the mid-term once its year is over,
        the final once the plan's end year is over (a review needs the year's data).

        >>> read_plan_info().reviews_due(today=2026)
        [2023, 2025]
        """
        today = today or datetime.date.today().year
        return [y for y in (self.midterm_year, self.end) if y < today] or [self.default_as_of(today)]

    def default_as_of(self, today: int | None = None) -> int:
        """The review to run when none is named: the latest one that is due; for a plan whose
        mid-term is still ahead, the last year that is over (at least the plan's first year).

        >>> info = read_plan_info()
        >>> info.default_as_of(today=info.start + 1) == info.start
        True
        """
        today = today or datetime.date.today().year
        due = [y for y in (self.midterm_year, self.end) if y < today]
        return due[-1] if due else max(self.start, min(self.midterm_year, today - 1))

    def latest_observable_year(self, today: int | None = None) -> int:
        """The last year a value can describe: the plan's end, or the current year if earlier."""
        today = today or datetime.date.today().year
        return min(self.end, today)

    @property
    def first_observed_year(self) -> int:
        """The earliest year an observed value may describe: the base year, or a table note's
        earlier year (``6(2019年)``, ``60.6*`` with "带*的为2019年数据")."""
        years = [self.base_year] + [n.year for n in self.notes if n.year]
        return min(years)


def _settings() -> dict:
    import yaml

    path = data_dir() / "settings.yml"
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def default_plan_id() -> str:
    """The plan used when none is named: ``default_plan`` in ``data/settings.yml``, else the only
    plan folder there is.

    >>> (data_dir() / "plans" / default_plan_id() / "plan.yml").is_file()
    True
    """
    named = _settings().get("default_plan")
    if named:
        return str(named)
    folders = plan_folders()
    if len(folders) == 1:
        return folders[0].name
    raise PlanDataError(data_dir() / "settings.yml", None, "default_plan", "",
                        "默认规划编号 (the id of the default plan: default_plan: <id>)")


def plan_folders() -> list[Path]:
    """Every plan folder under ``data/plans`` (a folder with a ``plan.yml``).

    >>> all((folder / "plan.yml").is_file() for folder in plan_folders())
    True
    """
    root = data_dir() / "plans"
    return sorted(p for p in root.iterdir() if (p / "plan.yml").is_file()) if root.is_dir() else []


def resolve_plan_folder(plan: str | os.PathLike | None = None, *, cwd: str | os.PathLike | None = None) -> Path:
    """A plan id (a folder under ``data/plans``) or a folder path (relative to ``cwd``, default
    the current directory), as an absolute folder; ``None`` is the default plan.

    >>> resolve_plan_folder().name == default_plan_id()
    True
    """
    if plan is None or str(plan) == "":
        plan = default_plan_id()
    text = str(plan)
    looks_like_path = os.sep in text or text.startswith(".") or (os.altsep and os.altsep in text)
    if looks_like_path or not _ID.fullmatch(text):
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = Path(cwd or os.getcwd()) / path
        if path.is_dir():
            return path.resolve()
    else:
        candidate = data_dir() / "plans" / text
        if candidate.is_dir():
            return candidate.resolve()
        if Path(text).is_dir() and (Path(text) / "plan.yml").is_file():  # a folder in the cwd
            return Path(text).resolve()
    known = ", ".join(p.name for p in plan_folders()) or "—"
    raise PlanDataError(data_dir() / "plans" / text if not looks_like_path else Path(text), None, None, text,
                        f"一个规划编号或文件夹 (a plan id or folder: {known})")


def read_plan_info(plan: str | os.PathLike | None = None) -> PlanInfo:
    """The checked ``plan.yml`` of a plan (by id or folder; ``None``: the default plan).

    Every problem is a :class:`~plananalysis.errors.PlanDataError` naming the file, the key and
    what was expected.

    >>> info = read_plan_info()
    >>> info.plan_id == info.folder.name, info.region_level in REGION_LEVELS
    (True, True)
    """
    folder = resolve_plan_folder(plan)
    path = folder / "plan.yml"
    stamp = path.stat().st_mtime_ns if path.is_file() else 0
    return _read(str(folder), stamp)


@lru_cache(maxsize=64)
def _read(folder_text: str, _stamp: int) -> PlanInfo:
    import yaml

    folder = Path(folder_text)
    path = folder / "plan.yml"
    if not path.is_file():
        raise PlanDataError(path, None, None, "", "plan.yml：规划编号、名称、地区、规划期 (the plan's id, title, region and period)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlanDataError(path, mark.line + 1 if mark else None, None, str(exc).split("\n")[0],
                            "有效的 YAML (valid YAML)") from None
    if not isinstance(raw, dict):
        raise PlanDataError(path, None, None, str(raw)[:40], "键值对 (a mapping of keys to values)")

    def need(key, kind=str, where=raw, name=None):
        name = name or key
        value = where.get(key) if isinstance(where, dict) else None
        if value is None or value == "":
            raise PlanDataError(path, None, name, "", f"{name} 的值 (a value for {name})")
        if kind is int:
            try:
                return int(value)
            except (TypeError, ValueError):
                raise PlanDataError(path, None, name, value, "年份，四位整数 (a year)") from None
        return str(value)

    plan_id = need("id")
    if plan_id != folder.name:
        raise PlanDataError(path, None, "id", plan_id, f"与文件夹名相同：{folder.name} (the folder's name)")
    if not _ID.fullmatch(plan_id):
        raise PlanDataError(path, None, "id", plan_id, "小写字母、数字和连字符 (lower-case letters, digits and hyphens)")
    period = raw.get("period")
    if not isinstance(period, dict):
        raise PlanDataError(path, None, "period", period, "{start: 年, end: 年, base_year: 年}")
    start, end = need("start", int, period, "period.start"), need("end", int, period, "period.end")
    base = need("base_year", int, period, "period.base_year")
    if not base < start <= end:
        raise PlanDataError(path, None, "period", period, "base_year < start ≤ end")
    midterm = int(raw.get("midterm_year") or (start + end) // 2)
    if not start <= midterm <= end:
        raise PlanDataError(path, None, "midterm_year", midterm, f"{start}–{end} 之间的年份 (a year of the period)")
    vision = raw.get("vision_year")
    level = need("region_level")
    if level not in REGION_LEVELS:
        raise PlanDataError(path, None, "region_level", level, " / ".join(REGION_LEVELS))
    tables = raw.get("tables") or {}
    if not isinstance(tables, dict) or set(tables) - set(OPTIONAL_TABLES):
        unknown = sorted(set(tables) - set(OPTIONAL_TABLES)) if isinstance(tables, dict) else tables
        raise PlanDataError(path, None, "tables", unknown, "、".join(OPTIONAL_TABLES))
    for key, name in tables.items():
        if name and not (folder / str(name)).is_file():
            raise PlanDataError(folder / str(name), None, f"tables.{key}", name, "该文件存在 (the file to exist)")
    notes = []
    for i, note in enumerate(raw.get("notes") or [], start=1):
        if not isinstance(note, dict) or not note.get("mark"):
            raise PlanDataError(path, None, f"notes[{i}]", note, "{mark: 标记, year: 年份 或 meaning: 含义, text: 原文}")
        year = note.get("year")
        if year is None and not note.get("meaning"):
            raise PlanDataError(path, None, f"notes[{i}]", note.get("mark"),
                                "一个年份 (year) 或含义 (meaning)：表注须说明标记的意思 (a table note must say what its mark means)")
        notes.append(TableNote(mark=str(note["mark"]), text=str(note.get("text", "")),
                               year=int(year) if year is not None else None, meaning=str(note.get("meaning", ""))))
    return PlanInfo(
        plan_id=plan_id, folder=folder, title_zh=need("title_zh"), title_en=str(raw.get("title_en") or ""),
        region=need("region"), region_level=level, start=start, end=end, base_year=base,
        midterm_year=midterm, language=str(raw.get("language") or "zh"),
        vision_year=int(vision) if vision else None, tables={k: str(v) for k, v in tables.items() if v},
        notes=tuple(notes), previous=dict(raw.get("previous_plan") or {}), raw=raw,
    )
