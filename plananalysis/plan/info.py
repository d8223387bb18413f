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
import math
import os
import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import PlanDataError, PlanDataErrors, PlanWarning
from ..files import (MAX_CELL_CHARACTERS, MAX_FILE_BYTES, MAX_NAME_CHARACTERS, inside, load_yaml, read_text,
                     text_problem)
from ..paths import data_dir

__all__ = ["PlanInfo", "TableNote", "read_plan_info", "resolve_plan_folder", "default_plan_id",
           "plan_folders", "folder_problems", "raise_all", "REGION_LEVELS", "OPTIONAL_TABLES", "PLAN_KEYS",
           "LANGUAGES", "YEAR_MIN", "YEAR_MAX", "MAX_PERIOD_YEARS", "read_csv_rows", "MAX_ROWS", "ONE_LINE_COLUMNS"]

REGION_LEVELS = ("country", "province", "city", "county")
#: optional tables a plan may declare in plan.yml → what they are
OPTIONAL_TABLES = {
    "previous_plan": "the previous plan's table: base, target and actual (a finished plan to evaluate)",
    "chapters": "chapter headings and boxes (专栏): chapter reports run for these",
    "catalogue": "quantified targets in the chapters' prose",
}
_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,62}")
#: the languages a plan can be printed in (the reports are written in zh and en)
LANGUAGES = ("zh", "en")
#: the years a plan may name: from the People's Republic's first year to well past any vision year
YEAR_MIN, YEAR_MAX = 1949, 2200
#: the longest plan period (start to end); five-year plans are 5, a long-range outline 15
MAX_PERIOD_YEARS = 20
#: the keys of plan.yml (docs/new-plan.md); any other key is a warning (a typo would be ignored)
PLAN_KEYS = ("id", "title_zh", "title_en", "region", "region_level", "period", "midterm_year", "vision_year",
             "language", "table_label", "tables", "notes", "previous_plan", "document", "data_requests",
             "compiled_by_zh", "compiled_by_en", "filed")
_LONGEST_PLAN_ARGUMENT = 1000


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
    warnings: tuple = field(default=(), repr=False, compare=False)

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
    path = data_dir() / "settings.yml"
    if not path.is_file():
        return {}
    settings = load_yaml(path) or {}
    return settings if isinstance(settings, dict) else {}


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
    if len(text) > _LONGEST_PLAN_ARGUMENT or text_problem(text, one_line=True):
        raise PlanDataError("--plan", None, None, text,
                            f"一个规划编号或文件夹路径：一行，不超过 {_LONGEST_PLAN_ARGUMENT} 个字符，无控制字符 "
                            f"(a plan id or folder: one line of at most {_LONGEST_PLAN_ARGUMENT} characters)")
    looks_like_path = os.sep in text or text.startswith(".") or (os.altsep and os.altsep in text)
    if looks_like_path or not _ID.fullmatch(text):
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = Path(cwd or os.getcwd()) / path
        try:
            if path.is_dir():
                return path.resolve()
        except OSError:   # a name too long for the file system
            pass
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

    Every problem is listed at once (:class:`~plananalysis.errors.PlanDataErrors`, one line each,
    naming the file, the key, the value and what was expected); the folder's files are checked
    first (:func:`folder_problems`: sizes, links, pipes), before any is read.

    >>> info = read_plan_info()
    >>> info.plan_id == info.folder.name, info.region_level in REGION_LEVELS
    (True, True)
    """
    folder = resolve_plan_folder(plan)
    path = folder / "plan.yml"
    try:
        stamp = path.stat().st_mtime_ns, path.stat().st_size, folder.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _read(str(folder), stamp)


def raise_all(problems: list) -> None:
    """Raise the problems found, if any: one as itself, several as one
    :class:`~plananalysis.errors.PlanDataErrors` (one line each).

    >>> raise_all([])
    >>> raise_all([PlanDataError("a.csv", 2, "x", "1", "2"), PlanDataError("a.csv", 3, "x", "1", "2")])
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataErrors: 文件 a.csv 第2行 列 x: 值 '1' 不符合要求，应为 2 (file a.csv, row 2, column x: got '1', expected 2)
    文件 a.csv 第3行 列 x: 值 '1' 不符合要求，应为 2 (file a.csv, row 3, column x: got '1', expected 2)
    """
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise PlanDataErrors(problems)


#: rows of one plan table (the shipped plans' largest has 133)
MAX_ROWS = 10_000
#: columns whose cells are one line of text (names, ids, units); the others may hold line breaks
ONE_LINE_COLUMNS = frozenset({
    "indicator_id", "target_id", "department_id", "subject_id", "name_zh", "name_en", "title_zh", "title_en",
    "unit", "category_zh", "category_en", "code", "parent_code", "level", "aliases", "numeral", "kind",
    "attribute", "direction", "target_kind", "linked_indicator", "baseline_printed", "target_printed",
    "base_printed", "actual_printed", "check_id", "table", "column"})


def read_csv_rows(path) -> tuple[list[str], list[list[str]]]:
    r"""The header and rows of a plan CSV, read as untrusted input and without pandas (the one
    reader of plan CSV files; :func:`plananalysis.plan.folder.read_csv_frame` makes a frame of it).

    Size and encoding are checked before parsing (:func:`~plananalysis.files.read_text`); then a
    header row, at most :data:`MAX_ROWS` rows, no column named twice (spaces around a name are
    dropped, so ``no`` and ``no `` are the same column), no row with more filled cells than the
    header (a row with fewer is filled with blanks, as spreadsheets save it), every cell at most
    :data:`~plananalysis.files.MAX_CELL_CHARACTERS` characters without control or bidirectional
    characters (names and ids, :data:`ONE_LINE_COLUMNS`, on one line).  Blank lines are skipped.
    Every problem is listed at once.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "regions.csv"
    >>> _ = path.write_text("code ,name_zh\n100,某市\n101\n", encoding="utf-8")
    >>> read_csv_rows(path)
    (['code', 'name_zh'], [['100', '某市'], ['101', '']])
    >>> _ = path.write_text("code,name_zh\n100,某市,某省\n,\u202e市\n", encoding="utf-8")
    >>> read_csv_rows(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataErrors: 文件 ...regions.csv 第2行: 值 '某省' 不符合要求，应为 不多于表头的 2 个单元格...
    文件 ...regions.csv 第3行 列 name_zh: 值 '\u202e市' 不符合要求，应为 不含控制字符或双向控制字符的一行文本，此处有 U+202E...
    """
    import csv
    import io

    text = read_text(path)
    if not text.strip():
        raise PlanDataError(path, 1, None, "", "一行表头，列出各列的名称（空文件不是表）(a header row naming the columns; "
                                               "an empty file is no table)")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            if row:                      # a blank line
                rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise PlanDataError(path, None, None, f"{MAX_ROWS}+ 行 (rows)",
                                    f"不超过 {MAX_ROWS} 行的表 (a table of at most {MAX_ROWS} rows)")
    except csv.Error as exc:
        raise PlanDataError(path, reader.line_num, None, str(exc),
                            f"逗号分隔的单元格，每格不超过 {MAX_CELL_CHARACTERS} 个字符，引号成对 (comma-separated cells of at "
                            f"most {MAX_CELL_CHARACTERS} characters, quotes in pairs)") from None
    raw_header, rows = rows[0], rows[1:]
    header = [name.strip() for name in raw_header]
    problems = []
    seen = set()
    for raw, name in zip(raw_header, header):
        problem = text_problem(raw, one_line=True, limit=100) or (None if name else "列名，不留空 (a column name, never blank)")
        if problem:
            problems.append(PlanDataError(path, 1, None, raw, problem))
        elif name in seen:
            problems.append(PlanDataError(path, 1, name, raw, "只出现一次的列名 (a column named once)"))
        seen.add(name)
    width = len(header)
    for pos, row in enumerate(rows):
        extra = [cell for cell in row[width:] if cell.strip()]
        if extra:
            problems.append(PlanDataError(path, pos + 2, None, extra[0],
                                          f"不多于表头的 {width} 个单元格：多出的一格似为多写的逗号 (at most the header's "
                                          f"{width} cells: a comma too many shifts the row)"))
        row[:] = row[:width] + [""] * (width - len(row))
        for name, cell in zip(header, row):
            if not cell:
                continue
            one_line = name in ONE_LINE_COLUMNS
            problem = text_problem(cell, one_line=one_line, limit=MAX_NAME_CHARACTERS if one_line else MAX_CELL_CHARACTERS)
            if problem:
                problems.append(PlanDataError(path, pos + 2, name, cell, problem))
    raise_all(problems)
    return header, rows


def folder_problems(folder: Path) -> list[PlanDataError]:
    """The files of a plan folder that must not be read: larger than
    :data:`~plananalysis.files.MAX_FILE_BYTES`, a link leading outside the folder, a pipe or a device
    (checked by their size and kind alone, before any file is opened).

    >>> folder_problems(read_plan_info().folder)
    []
    """
    problems = []
    root = folder.resolve()
    stack = [folder]
    seen = 0
    while stack:
        current = stack.pop()
        try:
            entries = sorted(current.iterdir())
        except OSError as exc:
            problems.append(PlanDataError(current, None, None, exc.strerror or "", "一个可读的文件夹 (a readable folder)"))
            continue
        for entry in entries:
            seen += 1
            if seen > 10_000:
                problems.append(PlanDataError(folder, None, None, "10000+", "不超过 10000 个文件的文件夹 (a folder of at most 10000 files)"))
                return problems
            if entry.name.startswith(".") or entry.name == "backups":
                continue
            if entry.is_symlink():
                try:
                    entry.resolve().relative_to(root)
                except (ValueError, OSError, RuntimeError):
                    problems.append(PlanDataError(entry, None, None, entry.name,
                                                  "规划文件夹内的文件，而非指向文件夹外的链接 (a file inside the plan's folder, "
                                                  "not a link leading outside)"))
                    continue
            try:
                info = entry.stat()
            except OSError as exc:
                problems.append(PlanDataError(entry, None, None, exc.strerror or "", "一个可读的文件 (a readable file)"))
                continue
            if stat.S_ISDIR(info.st_mode):
                if not entry.is_symlink():
                    stack.append(entry)
            elif not stat.S_ISREG(info.st_mode):
                problems.append(PlanDataError(entry, None, None, entry.name,
                                              "一个普通文件，而非管道或设备 (a regular file, not a pipe or device)"))
            elif info.st_size > MAX_FILE_BYTES:
                problems.append(PlanDataError(entry, None, None, f"{info.st_size} 字节 (bytes)",
                                              f"不超过 {MAX_FILE_BYTES} 字节的文件 (a file of at most {MAX_FILE_BYTES} bytes)"))
    return problems


def _year(value, *, low: int = YEAR_MIN, high: int = YEAR_MAX) -> int | None:
    """A year as plan.yml may write it (2021 or "2021"), within ``low``–``high``; None otherwise.

    >>> _year(2021), _year("2021"), _year(2021.0), _year("soon"), _year([2023]), _year(True), _year(99999)
    (2021, 2021, None, None, None, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,4}\s*", value):
        value = int(value)
    if isinstance(value, int) and low <= value <= high:
        return value
    return None


@lru_cache(maxsize=64)
def _read(folder_text: str, _stamp) -> PlanInfo:
    folder = Path(folder_text)
    path = folder / "plan.yml"
    problems = folder_problems(folder)
    raise_all(problems)
    if not path.is_file():
        raise PlanDataError(path, None, None, "", "plan.yml：规划编号、名称、地区、规划期 (the plan's id, title, region and period)")
    raw = load_yaml(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise PlanDataError(path, None, None, str(raw)[:40], "键值对 (a mapping of keys to values)")
    warnings = []

    def bad(key, value, expected):
        problems.append(PlanDataError(path, None, key, value, expected))

    def text(key, where=raw, name=None, *, required=True, one_line=True, limit=MAX_NAME_CHARACTERS):
        name = name or key
        value = where.get(key) if isinstance(where, dict) else None
        if value is None or value == "":
            if required:
                bad(name, "", f"{name} 的值 (a value for {name})")
            return ""
        if isinstance(value, (dict, list, bool)) or (isinstance(value, float) and not math.isfinite(value)):
            bad(name, value, "一段文字 (a text)")
            return ""
        value = str(value)
        problem = text_problem(value, one_line=one_line, limit=limit)
        if problem:
            bad(name, value, problem)
            return ""
        return value

    def year(key, where=raw, name=None, *, required=True, low=YEAR_MIN, high=YEAR_MAX):
        name = name or key
        value = where.get(key) if isinstance(where, dict) else None
        if value is None or value == "":
            if required:
                bad(name, "", f"{name} 的值：{low}–{high} 之间的年份 (a value for {name}: a year, {low}–{high})")
            return None
        checked = _year(value, low=low, high=high)
        if checked is None:
            bad(name, value, f"{low}–{high} 之间的整数年份，如 2021 (a whole year within {low}–{high}, like 2021)")
        return checked

    for key in raw:
        if key not in PLAN_KEYS:
            warnings.append(PlanWarning(path, None, str(key), str(key),
                                        "未知的键，已忽略；已知的键 (an unknown key, ignored; the known keys): " + ", ".join(PLAN_KEYS)))
    plan_id = text("id")
    if plan_id and not _ID.fullmatch(plan_id):
        bad("id", plan_id, "小写字母、数字和连字符 (lower-case letters, digits and hyphens)")
    elif plan_id and plan_id != folder.name:
        bad("id", plan_id, f"与文件夹名相同：{folder.name} (the folder's name)")
    title_zh = text("title_zh")
    title_en = text("title_en", required=False)
    region = text("region")
    level = text("region_level")
    if level and level not in REGION_LEVELS:
        bad("region_level", level, " / ".join(REGION_LEVELS))
    period = raw.get("period")
    start = end = base = None
    if not isinstance(period, dict):
        bad("period", period, "{start: 年, end: 年, base_year: 年}")
    else:
        start, end = year("start", period, "period.start"), year("end", period, "period.end")
        base = year("base_year", period, "period.base_year")
        unknown = sorted(str(k) for k in period if k not in ("start", "end", "base_year"))
        if unknown:
            bad(f"period.{unknown[0]}", unknown[0], "start、end、base_year")
        if None not in (start, end, base):
            if not base < start <= end:
                bad("period", {"start": start, "end": end, "base_year": base}, "base_year < start ≤ end")
            elif end - start > MAX_PERIOD_YEARS or start - base > MAX_PERIOD_YEARS:
                bad("period", {"start": start, "end": end, "base_year": base},
                    f"不超过 {MAX_PERIOD_YEARS} 年的规划期 (a period of at most {MAX_PERIOD_YEARS} years)")
    period_ok = not problems and None not in (start, end, base)
    midterm = None
    if "midterm_year" in raw and raw["midterm_year"] not in (None, ""):
        midterm = year("midterm_year", low=start if period_ok else YEAR_MIN, high=end if period_ok else YEAR_MAX)
    elif period_ok:
        midterm = (start + end) // 2
    vision = year("vision_year", required=False, low=end if period_ok else YEAR_MIN)
    language = text("language", required=False) or "zh"
    if language not in LANGUAGES:
        bad("language", language, " / ".join(LANGUAGES))
    text("table_label", required=False)
    tables = raw.get("tables") or {}
    if not isinstance(tables, dict):
        bad("tables", tables, "键值对：" + "、".join(OPTIONAL_TABLES) + " → 文件名 (a mapping of table → file name)")
        tables = {}
    for key, name in tables.items():
        if key not in OPTIONAL_TABLES:
            bad(f"tables.{key}", key, "、".join(OPTIONAL_TABLES))
            continue
        if name in (None, ""):
            continue
        if not isinstance(name, str):
            bad(f"tables.{key}", name, "一个文件名 (a file name)")
            continue
        try:
            table = inside(folder, name, declared_in=path, key=f"tables.{key}")
        except PlanDataError as error:
            problems.append(error)
            continue
        if table.is_dir():
            problems.append(PlanDataError(table, None, f"tables.{key}", name,
                                          "一个 CSV 文件，而非文件夹 (a CSV file, not a folder: a regular file)"))
        elif not table.is_file():
            problems.append(PlanDataError(table, None, f"tables.{key}", name, "该文件存在 (the file to exist)"))
    notes = []
    raw_notes = raw.get("notes") or []
    if not isinstance(raw_notes, list):
        bad("notes", raw_notes, "一个列表：[{mark: 标记, year: 年份 或 meaning: 含义, text: 原文}] (a list of notes)")
        raw_notes = []
    for i, note in enumerate(raw_notes, start=1):
        if not isinstance(note, dict) or not note.get("mark"):
            bad(f"notes[{i}]", note, "{mark: 标记, year: 年份 或 meaning: 含义, text: 原文}")
            continue
        before = len(problems)
        mark = text("mark", note, f"notes[{i}].mark", limit=10)
        note_year = year("year", note, f"notes[{i}].year", required=False,
                         high=end if period_ok else YEAR_MAX)
        meaning = text("meaning", note, f"notes[{i}].meaning", required=False)
        note_text = text("text", note, f"notes[{i}].text", required=False, one_line=False, limit=MAX_CELL_CHARACTERS)
        if len(problems) > before:
            continue
        if note_year is None and not meaning:
            bad(f"notes[{i}]", mark, "一个年份 (year) 或含义 (meaning)：表注须说明标记的意思 (a table note must say what its mark means)")
            continue
        notes.append(TableNote(mark=mark, text=note_text, year=note_year, meaning=meaning))
    previous = raw.get("previous_plan") or {}
    if not isinstance(previous, dict):
        bad("previous_plan", previous, "键值对：title_zh, title_en, period, table_label (a mapping)")
        previous = {}
    text("compiled_by_zh", required=False)   # 编制单位: who files the review (its title page)
    text("compiled_by_en", required=False)
    filed = raw.get("filed") or {}           # review year → the date its review is filed (YYYY-MM-DD)
    if not isinstance(filed, dict):
        example = f"，如 {end}: {end + 1}-03-31" if end else ""   # the plan's final review, filed the spring after
        bad("filed", filed, f"键值对：评估年份 → 报送日期{example} (a mapping of review year → filing date)")
    else:
        for key, value in filed.items():
            if _year(key) is None or not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", str(value)):
                bad(f"filed.{key}", value, "评估年份: YYYY-MM-DD (a review year and a date)")
    for key in ("document", "data_requests"):
        if raw.get(key) is not None and not isinstance(raw.get(key), dict):
            bad(key, raw.get(key), "键值对 (a mapping)")
    problems += _text_values(path, raw)
    raise_all(problems)
    return PlanInfo(
        plan_id=plan_id, folder=folder, title_zh=title_zh, title_en=title_en,
        region=region, region_level=level, start=start, end=end, base_year=base,
        midterm_year=midterm, language=language, vision_year=vision,
        tables={k: str(v) for k, v in tables.items() if v}, notes=tuple(notes), previous=dict(previous), raw=raw,
        warnings=tuple(warnings),
    )


def _text_values(path: Path, value, key: str = "") -> list[PlanDataError]:
    """Every text of a YAML file without control or bidirectional characters and not overlong.

    >>> [e.column for e in _text_values(Path("sources.yml"), {"document": {"issued": "2021\u202e"}})]
    ['document.issued']
    """
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _text_values(path, v, f"{key}.{k}" if key else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value, start=1) for p in _text_values(path, v, f"{key}[{i}]")]
    if isinstance(value, float) and not math.isfinite(value):
        return [PlanDataError(path, None, key, value, "一个有限的数 (a finite number)")]
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            return [PlanDataError(path, None, key, value, problem)]
    return []
