"""The plan as data: load a plan's folder and look things up in it.

A plan is a folder (``docs/new-plan.md`` is its contract): ``plan.yml`` (who, where, when),
``sources.yml``, ``indicators.csv`` (the headline table), ``regions.csv`` and optional tables
(the previous plan's table, chapters, the prose catalogue, departments).  Nothing about one plan
lives in the code.  Printed cells are kept verbatim; the parsed columns beside them (base and
target values, operators, years) are read from them by the target grammar where the file leaves
them blank, using the plan's period and its table notes (``60.6*`` with "带*的为2019年数据").

>>> plan = load_plan()                      # the default plan (data/settings.yml)
>>> plan.info.start, plan.info.end, len(plan.indicators) > 0
(2021, 2025, True)
>>> chapter = plan.chapter(plan.chapters["number"].iloc[-1])
>>> chapter.number == len(plan.chapters)
True
"""

from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..values import is_blank

from ..errors import ParameterError, ParseError, PlanDataError, PlanWarning
from ..files import inside, load_yaml, read_text
from ..paths import data_dir
from .checks import check_table
from .grammar import parse
from .info import MAX_ROWS, YEAR_MAX, YEAR_MIN, PlanInfo, raise_all, read_csv_rows, read_plan_info, resolve_plan_folder

__all__ = ["Plan", "Chapter", "load_plan", "chapter_number", "chinese_numeral", "read_table",
           "complete_indicators", "TARGET_KINDS", "ATTRIBUTES", "INDICATOR_COLUMNS",
           "REQUIRED_INDICATOR_COLUMNS", "REGION_COLUMNS", "data_dir", "resolve_plan_folder", "read_csv_frame",
           "ID_PATTERN", "ATTRIBUTE_WORDS", "MAX_ROWS",
           "read_prose_checks", "PROSE_CHECKS_FILE", "PROSE_CHECK_COLUMNS"]

# Column types of the plan tables; columns not listed stay text.
_INT_COLUMNS = {"no", "baseline_year", "target_year", "chapter", "base_year", "actual_year",
                "number", "source_line", "box"}
_FLOAT_COLUMNS = {"baseline_value", "target_value", "base_value", "actual_value", "value",
                  "low", "high", "relation_tolerance"}
_BOOL_COLUMNS = {"unit_inferred", "is_annual"}
#: the range of each whole-number column (a year from 1949 on, a chapter 一 to 九十九)
_INT_RANGES = {"baseline_year": (YEAR_MIN, YEAR_MAX), "target_year": (YEAR_MIN, YEAR_MAX),
               "base_year": (YEAR_MIN, YEAR_MAX), "actual_year": (YEAR_MIN, YEAR_MAX),
               "chapter": (1, 99), "number": (1, 99), "no": (1, 100_000), "box": (1, 100_000),
               "source_line": (1, 10_000_000)}
#: the largest number a plan table may hold (far above any indicator; 1e308 or inf is a typing error)
_LARGEST_NUMBER = 1e15
#: an id of an indicator, target or department: it becomes part of file names and page anchors
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
#: the attribute words as the plan prints them → their codes
ATTRIBUTE_WORDS = {"约束性": "binding", "预期性": "expected"}

#: target kinds of a headline table → how progress is judged (plananalysis.engine.progress)
TARGET_KINDS = {
    "level": "a value to reach (75左右, 80以上, <6, 控制在5.5左右)",
    "cumulative_sum": "a five-year total of yearly flows (〔400〕)",
    "cumulative_change": "a five-year change in points (〔5〕)",
    "cumulative_reduction": "a five-year percentage reduction compounded from yearly declines (〔13.5〕)",
    "avg_growth": "an average annual growth rate (年均增长5.5以上)",
    "maintain": "keep the base level (target equals base)",
    "relational": "stated against another series (高于GDP增长, 与GDP增长基本同步)",
    "qualitative": "no number (保持在合理区间): a verdict only an analyst can record, with its source",
}
#: 约束性 / 预期性 → (Chinese, English)
ATTRIBUTES = {"binding": ("约束性", "binding"), "expected": ("预期性", "expected"), "": ("", "")}
REQUIRED_INDICATOR_COLUMNS = ["indicator_id", "name_zh", "unit", "baseline_printed", "target_printed",
                              "target_kind", "direction"]
INDICATOR_COLUMNS = REQUIRED_INDICATOR_COLUMNS + [
    "no", "category_zh", "category_en", "name_en", "unit_inferred", "attribute", "linked_indicator",
    "relation_tolerance", "baseline_value", "baseline_year", "target_op", "target_value", "target_year",
    "chapter", "chapter_note", "prose_quote", "prose_note",
]
REGION_COLUMNS = ["code", "name_zh", "name_en", "level", "parent_code", "aliases"]
_NUMERALS = "一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 21 → 二十一 (chapter numbers as a plan prints them).

    >>> [chinese_numeral(n) for n in (1, 9, 10, 14, 20, 21, 99)]
    ['一', '九', '十', '十四', '二十', '二十一', '九十九']
    """
    if not 1 <= n <= 99:
        raise ValueError(f"chapter number {n} out of 1–99")
    tens, ones = divmod(n, 10)
    text = ("" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens - 1] + "十"))
    return text + (_NUMERALS[ones - 1] if ones else "")


CHINESE_NUMERALS = [chinese_numeral(n) for n in range(1, 100)]


@dataclass
class Chapter:
    """Everything one chapter of the plan sets: title, boxes, Table 2 indicators, targets.

    >>> chapter = load_plan().chapter(9)
    >>> chapter.title("en")
    'Chapter 9: Fuller services for the elderly and young children (一老一小)'
    >>> chapter.indicators["indicator_id"].tolist()
    ['infant_care_places_per_1000', 'care_workers_per_10k_elderly']
    """

    number: int
    numeral: str
    title_zh: str
    title_en: str
    boxes: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame

    def title(self, lang: str = "zh") -> str:
        """``第九章 构建…`` in Chinese, ``Chapter 9: …`` in English."""
        if lang == "en":
            return f"Chapter {self.number}: {self.title_en}"
        return f"第{self.numeral}章 {self.title_zh}"

    def __repr__(self) -> str:
        return (f"Chapter({self.number}, {self.title_zh!r}, boxes={len(self.boxes)}, "
                f"indicators={len(self.indicators)}, targets={len(self.targets)})")


@dataclass
class Plan:
    """A plan's tables (pandas DataFrames), its ``plan.yml`` (:attr:`info`) and its sources.

    ``indicators``: the headline table with printed cells verbatim and parsed columns beside
    them; ``previous_indicators``: the previous plan's table (empty when the plan has none);
    ``chapters`` and ``boxes`` (专栏); ``targets``: the catalogue of quantified targets in the
    prose; ``regions``: the plan's region and those below it; ``checks``: ``checks.yml``.

    >>> plan = load_plan()
    >>> plan.base_year, plan.target_year, plan.region == plan.info.region
    (2020, 2025, True)
    >>> plan.summary().splitlines()[1].startswith("  ")
    True
    """

    info: PlanInfo
    sources: dict
    indicators: pd.DataFrame
    previous_indicators: pd.DataFrame
    chapters: pd.DataFrame
    boxes: pd.DataFrame
    targets: pd.DataFrame
    source_text: str
    regions: pd.DataFrame
    checks: dict = field(default_factory=dict)
    departments: pd.DataFrame = field(default_factory=pd.DataFrame)
    responsibilities: pd.DataFrame = field(default_factory=pd.DataFrame)
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)   # tasks.csv with departments (plan/tasks.py)
    #: ``prose_checks.csv``: figures the prose restates, checked against the tables (plananalysis.engine.audit)
    prose_checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: what the folder holds that is read but not used (a clause the grammar does not score, an unknown key)
    warnings: list = field(default_factory=list)

    @property
    def plan_id(self) -> str:
        return self.info.plan_id

    @property
    def folder(self) -> Path:
        return self.info.folder

    @property
    def title(self) -> str:
        return self.info.title_zh

    def title_in(self, lang: str = "zh") -> str:
        return self.info.title(lang)

    @property
    def base_year(self) -> int:
        return self.info.base_year

    @property
    def target_year(self) -> int:
        return self.info.end

    @property
    def region(self) -> str:
        return self.info.region

    @property
    def region_names(self) -> list[str]:
        """The official names of the plan's region and the regions below it."""
        return list(self.regions["name_zh"])

    def has_chapters(self) -> bool:
        return len(self.chapters) > 0

    def indicator(self, key: str | int) -> pd.Series:
        """One Table 2 row, by id (``urbanisation_rate``), Chinese name or row number.

        >>> load_plan().indicator(3)["indicator_id"]
        'urbanisation_rate'
        >>> load_plan().indicator("城镇化率")
        Traceback (most recent call last):
        ...
        KeyError: "未知指标 '城镇化率' (unknown indicator); 最接近的 (closest): 常住人口城镇化率, 城镇调查失业率, 城镇住房保障受益覆盖率"
        """
        table = self.indicators
        for column in ("indicator_id", "name_zh", "name_en"):
            hit = table[table[column] == key]
            if len(hit):
                return hit.iloc[0]
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            hit = table[table["no"] == int(key)]
            if len(hit):
                return hit.iloc[0]
        names = list(table["name_zh"]) + list(table["indicator_id"])
        close = [n for n in table["name_zh"] if str(key) in n]
        close += [n for n in difflib.get_close_matches(str(key), names, n=3, cutoff=0.4) if n not in close]
        raise KeyError(f"未知指标 {key!r} (unknown indicator); 最接近的 (closest): {', '.join(close[:3]) or '—'}")

    def chapter(self, number: int | str) -> Chapter:
        """A chapter by number (9), numeral ('九') or heading ('第九章').

        >>> load_plan().chapter("第四章").number
        4
        """
        n = chapter_number(number, len(self.chapters))
        row = self.chapters[self.chapters["number"] == n].iloc[0]
        return Chapter(
            number=n,
            numeral=row["numeral"],
            title_zh=row["title_zh"],
            title_en=row["title_en"],
            boxes=self.boxes[self.boxes["chapter"] == n].reset_index(drop=True),
            indicators=self.indicators[self.indicators["chapter"] == n].reset_index(drop=True),
            targets=(self.targets[self.targets["chapter"] == n].reset_index(drop=True)
                     if "chapter" in self.targets.columns else self.targets),
        )

    def summary(self, lang: str = "zh") -> str:
        """A short text: chapters, and indicators per category and chapter."""
        lines = [f"{self.title} ({self.plan_id}): {len(self.chapters)} 章, {len(self.boxes)} 个专栏, "
                 f"{len(self.indicators)} 项主要指标, {len(self.targets)} 项章节量化目标"]
        name = "category_zh" if lang == "zh" else "category_en"
        for category, group in self.indicators.groupby(name, sort=False):
            lines.append(f"  {category}: {len(group)}")
        per_chapter = self.indicators.groupby("chapter").size()
        targets_per_chapter = (self.targets.groupby("chapter").size()
                               if "chapter" in self.targets.columns else pd.Series(dtype=int))
        for _, row in self.chapters.iterrows():
            n = row["number"]
            lines.append(f"  第{row['numeral']}章 {row['title_zh']}: 指标 {per_chapter.get(n, 0)}, "
                         f"目标 {targets_per_chapter.get(n, 0)}")
        return "\n".join(lines)


def chapter_number(number: int | str, count: int) -> int:
    """Normalise 9, '9', '九', '第九章' to 9 (of ``count`` chapters); anything else is a clear
    :class:`ParameterError`.

    >>> chapter_number("第十三章", 14)
    13
    """
    text = str(number).strip()
    m = re.fullmatch(r"第?([一二三四五六七八九十]+|\d+)章?", text)
    if m:
        token = m.group(1)
        n = int(token) if token.isdigit() else (CHINESE_NUMERALS.index(token) + 1
                                                 if token in CHINESE_NUMERALS else 0)
        if 1 <= n <= count:
            return n
    last = CHINESE_NUMERALS[count - 1] if count >= 1 else "—"
    raise ParameterError(f"未知章节 {number!r}：应为 1–{count} 或 一…{last} "
                         f"(unknown chapter {number!r}: expected 1–{count})")


def read_csv_frame(path: Path) -> pd.DataFrame:
    """A plan CSV as a frame of text cells, read as untrusted input by the one reader of plan CSV
    files (:func:`~plananalysis.plan.info.read_csv_rows`: size and encoding checked before
    parsing, a header row, at most :data:`MAX_ROWS` rows, every cell checked, every problem listed).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "indicators.csv"
    >>> _ = path.write_text("", encoding="utf-8")
    >>> read_csv_frame(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ...indicators.csv 第1行: 值 '' 不符合要求，应为 一行表头...
    """
    header, rows = read_csv_rows(path)
    return pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)


def read_table(path: Path, required: bool = True) -> pd.DataFrame:
    """Read one plan CSV (:func:`read_csv_frame`) with typed columns; every bad cell is listed,
    naming it.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "chapters.csv"
    >>> _ = path.write_text("number,title_zh\\n1,总则\\nx,第二章\\n", encoding="utf-8")
    >>> read_table(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ... 第3行 列 number: 值 'x' 不符合要求，应为 整数 (a whole number) ...
    """
    if not path.exists() and not path.is_symlink():
        if required:
            raise PlanDataError(path, None, None, "", "该文件存在 (the file to exist)")
        return pd.DataFrame()
    problems: list = []
    frame = typed_table(path, problems)
    raise_all(problems)
    return frame


def typed_table(path: Path, problems: list) -> pd.DataFrame:
    """:func:`read_table`'s frame, its bad cells blank and listed in ``problems`` (so that the
    checks of the other columns still run and every problem is listed at once)."""
    frame = read_csv_frame(path)
    for column in frame.columns:
        if column in _INT_COLUMNS:
            frame[column] = _convert(frame, column, path, int, "整数 (a whole number)", "Int64", problems)
        elif column in _FLOAT_COLUMNS:
            frame[column] = _convert(frame, column, path, float, "数字 (a number)", "float64", problems)
        elif column in _BOOL_COLUMNS:
            frame[column] = _convert_bool(frame, column, path, problems)
    return frame


def _convert(frame, column, path, kind, expected, dtype, problems):
    out = []
    low, high = _INT_RANGES.get(column, (-_LARGEST_NUMBER, _LARGEST_NUMBER)) if kind is int else (
        -_LARGEST_NUMBER, _LARGEST_NUMBER)
    for pos, text in enumerate(frame[column]):
        if text.strip() == "":
            out.append(None)
            continue
        try:
            number = float(text)
            if not math.isfinite(number) or (kind is int and not number.is_integer()):
                raise ValueError
        except ValueError:
            problems.append(PlanDataError(path, pos + 2, column, text,
                                          expected.replace("数字 (a number)", "一个有限的数字 (a finite number)")))
            out.append(None)
            continue
        if not low <= number <= high:
            problems.append(PlanDataError(path, pos + 2, column, text,
                                          f"{low:g}–{high:g} 之间的{'整数' if kind is int else '数'} "
                                          f"(a {'whole ' if kind is int else ''}number within {low:g}–{high:g})"))
            out.append(None)
            continue
        out.append(kind(number))
    return pd.array(out, dtype=dtype)


def _convert_bool(frame, column, path, problems):
    truth = {"true": True, "false": False, "": False}
    out = []
    for pos, text in enumerate(frame[column]):
        if text.strip().lower() not in truth:
            problems.append(PlanDataError(path, pos + 2, column, text, "true 或 false"))
        out.append(truth.get(text.strip().lower(), False))
    return pd.array(out, dtype="bool")


def load_plan(plan: str | os.PathLike | None = None, *, check: bool = True) -> Plan:
    """Load a plan by id or folder (``None``: the default plan), checking every file.

    The folder is input from strangers: every problem of every file is listed at once
    (:class:`~plananalysis.errors.PlanDataErrors`, one line each: file, row, column, value and
    what was expected); one problem alone is a :class:`~plananalysis.errors.PlanDataError`.
    What the target grammar reads but does not score is in :attr:`Plan.warnings`.

    >>> plan = load_plan()
    >>> int(plan.indicator(1)["no"])
    1
    >>> load_plan("no-such-plan")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ... 值 'no-such-plan' 不符合要求，应为 一个规划编号或文件夹 ...
    """
    info = read_plan_info(plan)
    folder = info.folder
    problems: list[PlanDataError] = []
    warnings: list[PlanDataError] = list(info.warnings)

    def attempt(function, *args, default=None, **kwargs):
        try:
            return function(*args, **kwargs)
        except PlanDataError as error:
            problems.extend(getattr(error, "errors", [error]))
            return default

    sources = attempt(_read_yaml, folder, "sources.yml", required=True, default={},
                      expected="sources.yml：每个数据文件的来源 (where each data file comes from)")
    declared = attempt(_read_yaml, folder, "checks.yml", required=False, default={})
    before = len(problems)
    raw_indicators = attempt(typed_table, inside(folder, "indicators.csv"), problems)
    readable = raw_indicators is not None and len(problems) == before   # else its parsed columns would mislead
    if raw_indicators is not None and "indicator_id" in raw_indicators.columns:
        problems.extend(_check_indicator_ids(raw_indicators, folder / "indicators.csv"))
    indicators = (attempt(complete_indicators, raw_indicators, info, folder / "indicators.csv", warnings=warnings)
                  if readable else None)
    empty = pd.DataFrame()
    previous = attempt(read_table, info.table_path("previous_plan"), default=empty) if info.has("previous_plan") else empty
    chapters_all = attempt(read_table, info.table_path("chapters"), default=None) if info.has("chapters") else None
    if chapters_all is None or "kind" not in chapters_all.columns:
        if chapters_all is not None:
            problems.append(PlanDataError(info.table_path("chapters"), 1, "kind", ", ".join(chapters_all.columns),
                                          "列 kind, number, chapter, numeral, title_zh, title_en"))
        chapters_all = pd.DataFrame(columns=["kind", "number", "chapter", "numeral", "title_zh", "title_en"])
    catalogue = attempt(read_table, info.table_path("catalogue"), default=empty) if info.has("catalogue") else empty
    regions = attempt(_read_regions, folder, info)
    source_text = attempt(_plan_text, folder, "source.txt", default="")
    optional = {name: attempt(_plan_table, folder, f"{name}.csv", required=False, default=empty)
                for name in ("departments", "responsibilities")}
    if indicators is not None:
        problems.extend(_check_chapters(indicators, chapters_all, folder / "indicators.csv"))
    if check and indicators is not None and isinstance(sources, dict):
        tables = {"indicators.csv": indicators, info.tables.get("previous_plan", ""): previous,
                  info.tables.get("chapters", ""): chapters_all, info.tables.get("catalogue", ""): catalogue}
        problems.extend(_run_declared_checks(folder, {k: v for k, v in tables.items() if k}, sources, declared or {}))
        problems.extend(_check_links(indicators, folder / "indicators.csv"))
    prose_checks = (attempt(read_prose_checks, inside(folder, PROSE_CHECKS_FILE), indicators, previous, default=empty)
                    if indicators is not None else empty)
    targets = attempt(_read_catalogue, info, catalogue, source_text, default=empty) if not problems else empty
    raise_all(problems)
    from .tasks import with_tasks

    return with_tasks(Plan(
        info=info,
        sources=sources,
        indicators=indicators,
        previous_indicators=previous,
        chapters=chapters_all[chapters_all["kind"] == "chapter"].reset_index(drop=True),
        boxes=chapters_all[chapters_all["kind"] == "box"].reset_index(drop=True),
        targets=targets,
        source_text=source_text,
        regions=regions,
        checks=declared,
        departments=optional["departments"],
        responsibilities=optional["responsibilities"],
        prose_checks=prose_checks,
        warnings=warnings,
    ))


def _plan_table(folder: Path, name: str, required: bool = True) -> pd.DataFrame:
    """A CSV file of the plan folder by its fixed name (never a link leading outside)."""
    return read_table(inside(folder, name), required=required)


def _plan_text(folder: Path, name: str) -> str:
    path = inside(folder, name)
    return read_text(path) if path.exists() else ""


def _read_yaml(folder: Path, name: str, *, required: bool, expected: str = "") -> dict:
    path = inside(folder, name)
    if not path.exists():
        if required:
            raise PlanDataError(path, None, None, "", expected)
        return {}
    value = load_yaml(path)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise PlanDataError(path, None, None, str(value)[:40], "键值对 (a mapping of keys to values)")
    from .info import _text_values

    raise_all(_text_values(path, value))
    if name == "sources.yml" and not isinstance(value.get("files", {}), dict):
        raise PlanDataError(path, None, "files", str(value.get("files"))[:40],
                            "键值对：文件名 → 来源 (a mapping of file name → where it comes from)")
    return value


def complete_indicators(frame: pd.DataFrame, info: PlanInfo, path: Path, *, warnings: list | None = None) -> pd.DataFrame:
    """Check the headline table's columns and cells, and fill the parsed columns left blank.

    Required columns: :data:`REQUIRED_INDICATOR_COLUMNS`; any column outside
    :data:`INDICATOR_COLUMNS` is an error (a misspelt header would otherwise be ignored).  Each
    printed cell is read by the target grammar (a ``qualitative`` target is not); a base value
    of another year comes from ``6(2019年)`` or from a table note (``60.6*``); the target year is
    the plan's end.

    >>> info = read_plan_info()
    >>> frame = pd.DataFrame({"indicator_id": ["x"], "name_zh": ["甲"], "unit": ["%"],
    ...     "baseline_printed": ["6(2019年)"], "target_printed": ["6.5以上"], "target_kind": ["level"],
    ...     "direction": ["higher"]})
    >>> row = complete_indicators(frame, info, Path("indicators.csv")).iloc[0]
    >>> float(row.baseline_value), int(row.baseline_year), row.target_op, float(row.target_value), int(row.target_year)
    (6.0, 2019, '≥', 6.5, 2025)
    """
    warnings = [] if warnings is None else warnings
    missing = [c for c in REQUIRED_INDICATOR_COLUMNS if c not in frame.columns]
    if missing:
        raise PlanDataError(path, 1, missing[0], ", ".join(frame.columns),
                            f"列 {missing[0]}（必需列：{', '.join(REQUIRED_INDICATOR_COLUMNS)}) (a required column)")
    unknown = [c for c in frame.columns if c not in INDICATOR_COLUMNS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], INDICATOR_COLUMNS, n=1, cutoff=0.6)
        raise PlanDataError(path, 1, unknown[0], unknown[0],
                            "已知列名 (a known column" + (f"; did you mean {close[0]}?" if close else "") + ")")
    frame = frame.copy()
    n = len(frame)
    for column in INDICATOR_COLUMNS:
        if column not in frame.columns:
            if column in ("no",):
                frame[column] = pd.array(range(1, n + 1), dtype="Int64")
            elif column in ("baseline_year", "target_year", "chapter"):
                frame[column] = pd.array([None] * n, dtype="Int64")
            elif column in ("baseline_value", "target_value", "relation_tolerance"):
                frame[column] = [math.nan] * n
            elif column == "unit_inferred":
                frame[column] = pd.array([False] * n, dtype="bool")
            else:
                frame[column] = [""] * n
    problems = []
    for pos, row in frame.iterrows():
        try:
            _complete_row(frame, pos, row, info, path, warnings)
        except PlanDataError as error:
            problems.append(error)
    raise_all(problems)
    return frame


def _complete_row(frame, pos, row, info, path, warnings) -> None:
    """Check one headline row and fill its parsed columns (the first problem of the row is raised)."""
    line = int(pos) + 2

    def bad(column, value, expected):
        raise PlanDataError(path, line, column, value, expected)

    if row["target_kind"] not in TARGET_KINDS:
        bad("target_kind", row["target_kind"], " / ".join(TARGET_KINDS))
    if row["direction"] not in ("higher", "lower"):
        bad("direction", row["direction"], "higher 或 lower（从不默认 never defaulted；降低为好的指标写 lower "
                                           "a row to be reduced is lower)")
    attribute = str(row["attribute"]).strip()
    attribute = ATTRIBUTE_WORDS.get(attribute, attribute)
    if attribute not in ATTRIBUTES:
        bad("attribute", row["attribute"], "binding 或 约束性、expected 或 预期性，或空 (binding, expected or blank)")
    frame.at[pos, "attribute"] = attribute
    base = _parse_cell(path, line, "baseline_printed", row["baseline_printed"])
    if base is not None and base.parts:
        warnings.append(PlanWarning(path, line, "baseline_printed", row["baseline_printed"],
                                    "多项的单元格不作基期值，如需请填 baseline_value "
                                    "(a cell of several parts gives no base value; fill baseline_value if needed)"))
        base = None
    if base is not None and base.kind not in ("none", "relational"):
        year = base.year
        if base.mark:
            note = info.note(base.mark)
            if note is None or note.year is None:
                bad("baseline_printed", row["baseline_printed"],
                    f"plan.yml 中说明标记 {base.mark} 年份的表注 (a table note in plan.yml that names the year of {base.mark})")
            year = year or note.year
        _fill(frame, pos, "baseline_value", base.value)
        _fill(frame, pos, "baseline_year", year or info.base_year)
    else:
        _fill(frame, pos, "baseline_year", info.base_year)
    _fill(frame, pos, "target_year", info.end)
    _check_years(frame, pos, info, path, line)
    kind = row["target_kind"]
    if kind == "qualitative":
        return
    target = _parse_cell(path, line, "target_printed", row["target_printed"])
    if target is None or target.kind == "none":
        bad("target_printed", row["target_printed"], "一个目标（或 target_kind = qualitative）(a target, or kind qualitative)")
    if target.mark and info.note(target.mark) is None:
        bad("target_printed", row["target_printed"], f"plan.yml 中说明标记 {target.mark} 的表注 (a table note that explains {target.mark})")
    if target.note:
        warnings.append(PlanWarning(path, line, "target_printed", row["target_printed"],
                                    f"分句“{target.note}”不参与评估；如需评估，请另列一行或由分析人员记录判断 "
                                    f"(the clause “{target.note}” is not scored: give it a row of its own, or record "
                                    f"an analyst's verdict)"))
    if kind == "relational":
        if target.kind != "relational":
            bad("target_printed", row["target_printed"], "一个关系目标，如 高于GDP增长、与GDP增长基本同步 (a relational target)")
        if is_blank(row["linked_indicator"]):
            bad("linked_indicator", "", "所对照的序列：本规划的指标编号或背景序列名 (the series it is stated against)")
        _fill(frame, pos, "target_op", target.op)
        return
    if target.kind == "relational":
        bad("target_kind", kind, "relational（该目标以另一序列表述 the target names another series）")
    if target.kind != "parts":
        _fill(frame, pos, "target_op", target.op)
        _fill(frame, pos, "target_value", target.value)


def _check_years(frame, pos, info, path, line) -> None:
    """A base year no later than the plan's start; a target year within the plan (or its vision)."""
    last = max(info.end, info.vision_year or info.end)
    base_year, target_year = frame.at[pos, "baseline_year"], frame.at[pos, "target_year"]
    if not is_blank(base_year) and not YEAR_MIN <= int(base_year) <= info.start:
        raise PlanDataError(path, line, "baseline_year", base_year,
                            f"{YEAR_MIN}–{info.start} 之间的年份 (a year no later than the plan's start)")
    if not is_blank(target_year) and not info.start <= int(target_year) <= last:
        raise PlanDataError(path, line, "target_year", target_year,
                            f"{info.start}–{last} 之间的年份：规划期内（或远景年）(a year of the plan, or its vision year)")
    value = frame.at[pos, "target_value"]
    if not is_blank(value) and not math.isfinite(float(value)):
        raise PlanDataError(path, line, "target_value", value, "一个有限的数 (a finite number)")


def _check_indicator_ids(indicators: pd.DataFrame, path: Path) -> list[PlanDataError]:
    """Each ``indicator_id`` a safe slug (it names files, anchors and parameters), given once.

    >>> frame = pd.DataFrame({"indicator_id": ["jobs", "../../x", "jobs"]})
    >>> [(e.row, e.value) for e in _check_indicator_ids(frame, Path("indicators.csv"))]
    [(3, '../../x'), (4, 'jobs')]
    """
    problems, seen = [], {}
    for pos, value in enumerate(indicators["indicator_id"]):
        value = "" if is_blank(value) else str(value)
        if not ID_PATTERN.fullmatch(value):
            problems.append(PlanDataError(path, pos + 2, "indicator_id", value,
                                          "小写字母、数字、_ 和 -，以字母或数字开头，至多 64 个字符 (a slug: lower-case "
                                          "letters, digits, _ and -, at most 64 characters)"))
        elif value in seen:
            problems.append(PlanDataError(path, pos + 2, "indicator_id", value,
                                          f"唯一的编号，第{seen[value]}行已用 (an id given once; row {seen[value]} has it)"))
        else:
            seen[value] = pos + 2
    return problems


def _check_chapters(indicators: pd.DataFrame, chapters: pd.DataFrame, path: Path) -> list[PlanDataError]:
    """An indicator's chapter is one of the plan's chapters (when it has a chapter table)."""
    numbers = set(chapters.loc[chapters["kind"] == "chapter", "number"].dropna().astype(int)) if len(chapters) else set()
    if not numbers:
        return []
    return [PlanDataError(path, pos + 2, "chapter", int(value),
                          f"本规划的章节之一 (a chapter of the plan: {min(numbers)}–{max(numbers)})")
            for pos, value in enumerate(indicators["chapter"]) if not is_blank(value) and int(value) not in numbers]


def _parse_cell(path, line, column, text):
    text = "" if is_blank(text) else str(text)
    try:
        return parse(text)
    except ParseError as exc:
        raise PlanDataError(path, line, column, text,
                            f"目标语法能读的写法：第{exc.position + 1}个字符处应为 {exc.expected}；无数值的目标用 "
                            f"target_kind = qualitative (a cell the target grammar reads; a target with no number "
                            f"is target_kind qualitative)") from None


def _fill(frame: pd.DataFrame, pos, column: str, value) -> None:
    if value is None or not is_blank(frame.at[pos, column]):
        return
    frame.at[pos, column] = value


def _check_links(indicators: pd.DataFrame, path: Path) -> list[PlanDataError]:
    """A relational row's ``linked_indicator`` that looks like an id must name an indicator."""
    ids = set(indicators["indicator_id"])
    return [PlanDataError(path, int(pos) + 2, "linked_indicator", row["linked_indicator"],
                          f"本规划的指标编号之一 (an indicator_id of this plan: {', '.join(sorted(ids))})")
            for pos, row in indicators.iterrows()
            if row["target_kind"] == "relational" and re.fullmatch(r"[a-z0-9_]+", str(row["linked_indicator"]))
            and row["linked_indicator"] not in ids]


def _read_regions(folder: Path, info: PlanInfo) -> pd.DataFrame:
    """``regions.csv``: the plan's region and those below it (official names and codes)."""
    path = inside(folder, "regions.csv")
    if not path.is_file() and not path.is_symlink():  # TODO(issue 15.8): required once every plan folder has one
        return pd.DataFrame([{"code": "", "name_zh": info.region, "name_en": "", "level": info.region_level,
                              "parent_code": "", "aliases": ""}], columns=REGION_COLUMNS)
    frame = read_table(path)
    missing = [c for c in ("code", "name_zh", "level") if c not in frame.columns]
    if missing:
        raise PlanDataError(path, 1, missing[0], ", ".join(frame.columns), f"列 {', '.join(REGION_COLUMNS)}")
    for column in REGION_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    problems = []
    if info.region not in set(frame["name_zh"]):
        problems.append(PlanDataError(path, None, "name_zh", info.region,
                                      f"含有规划的地区 {info.region} (the plan's region, from plan.yml)"))
    for pos in [i for i, d in enumerate(frame["name_zh"].duplicated()) if d]:
        problems.append(PlanDataError(path, pos + 2, "name_zh", frame["name_zh"].iloc[pos], "唯一的地区名称 (a name given once)"))
    for pos, code in enumerate(frame["code"]):
        if code and not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", str(code)):
            problems.append(PlanDataError(path, pos + 2, "code", code, "行政区划代码：字母和数字 (a division code: letters and digits)"))
    raise_all(problems)
    return frame[REGION_COLUMNS]


PROSE_CHECKS_FILE = "prose_checks.csv"   # in the plan's folder: figures the prose restates
PROSE_CHECK_COLUMNS = ["check_id", "table", "indicator_id", "column", "pattern", "reason"]
#: a table of ``prose_checks.csv`` → the value columns a check may compare
_PROSE_CHECK_TARGETS = {"indicators": ("baseline_value", "target_value"),
                        "previous_plan": ("baseline_value", "target_value", "actual_value")}
#: a repeated group (``(a+)+``, ``(a|aa)*``): a pattern that can take the age of the universe on a
#: long text (catastrophic backtracking); a check captures one number and never needs one
_REPEATED_GROUP = re.compile(r"(?<!\\)\)[+*{]")
_LONGEST_PATTERN = 200


def read_prose_checks(path: Path, indicators: pd.DataFrame | None, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""``prose_checks.csv`` (absent: no checks), every row checked: a table of the plan, one of its
    indicators and value columns, a regular expression of at most 200 characters with exactly one
    group (the number) and no repeated group (which could hang the audit).  Every problem is
    listed at once.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "prose_checks.csv"
    >>> _ = path.write_text("check_id,table,indicator_id,column,pattern,reason\n"
    ...                     "a,indicators,jobs,target_value,新增就业([0-9.]+)万人,The text restates it.\n"
    ...                     "b,indicators,jobs,target_value,(a+)+$,Hostile.\n", encoding="utf-8")
    >>> read_prose_checks(path, pd.DataFrame({"indicator_id": ["jobs"]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ...prose_checks.csv 第3行 列 pattern: 值 '(a+)+$' 不符合要求，应为 ...无重复括号组...
    """
    empty = pd.DataFrame(columns=PROSE_CHECK_COLUMNS)
    if not path.exists() and not path.is_symlink():
        return empty
    frame = read_csv_frame(path)
    missing = [c for c in PROSE_CHECK_COLUMNS if c not in frame.columns]
    if missing:
        raise PlanDataError(path, 1, missing[0], ", ".join(frame.columns), "列 " + ", ".join(PROSE_CHECK_COLUMNS))
    ids = {"indicators": set(indicators["indicator_id"]) if indicators is not None and len(indicators) else set(),
           "previous_plan": set(previous["indicator_id"]) if previous is not None and len(previous) else set()}
    problems = []
    for pos, row in frame.iterrows():
        line = int(pos) + 2

        def bad(column, expected):
            problems.append(PlanDataError(path, line, column, row[column], expected))

        table = row["table"]
        if table not in _PROSE_CHECK_TARGETS:
            bad("table", "indicators 或 previous_plan (the plan's table or the previous plan's)")
        else:
            if row["indicator_id"] not in ids[table]:
                bad("indicator_id", f"{table} 表中的指标编号 (an indicator_id of the {table} table)")
            if row["column"] not in _PROSE_CHECK_TARGETS[table]:
                bad("column", " / ".join(_PROSE_CHECK_TARGETS[table]))
        pattern = row["pattern"]
        expected = (f"不超过 {_LONGEST_PATTERN} 个字符、恰有一个括号组（所比较的数字）、无重复括号组的正则表达式 (a regular "
                    f"expression of at most {_LONGEST_PATTERN} characters with exactly one group, the number, and no "
                    f"repeated group such as (a+)+)")
        try:
            groups = re.compile(pattern).groups if pattern and len(pattern) <= _LONGEST_PATTERN else 0
        except re.error:
            groups = 0
        if groups != 1 or _REPEATED_GROUP.search(pattern):
            bad("pattern", expected)
    raise_all(problems)
    return frame[PROSE_CHECK_COLUMNS].reset_index(drop=True)


def _read_catalogue(info: PlanInfo, frame: pd.DataFrame, source_text: str) -> pd.DataFrame:
    """The chapter catalogue, validated by :mod:`plananalysis.plan.catalogue` when present."""
    if frame.empty:
        return frame
    from .catalogue import read_targets

    return read_targets(info.table_path("catalogue"), source_text or None,
                        years=(info.start, max(info.end, info.vision_year or info.end)))


def _run_declared_checks(folder: Path, tables: dict, sources: dict, declared: dict) -> list[PlanDataError]:
    problems = []
    for name, frame in tables.items():
        if frame.empty:
            continue
        if name not in (sources.get("files") or {}):
            problems.append(PlanDataError(folder / "sources.yml", None, "files", name,
                                          f"{name} 的来源条目 (an entry saying where {name} comes from)"))
        rules = declared.get(name, {})
        try:
            problems += check_table(frame, folder / name, rules if isinstance(rules, dict) else {"": rules})
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(PlanDataError(folder / "checks.yml", None, name, str(exc)[:80],
                                          "docs/new-plan.md 所述形式的检查 (checks of the documented shape: unique, required, "
                                          "choices {values, reason}, units {values, reason}, ranges {min, max, reason}, "
                                          "percent_range, printed_cells)"))
    return problems
