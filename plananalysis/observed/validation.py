"""Read and check a table of observed values (CSV or Excel), cell by cell, against one plan.

One reader serves every observed file: a plan's shipped ``observed/observed-*.csv``, the
analyst's ``user.csv`` and any file brought to ``plananalysis data import``.  Headers may be
Chinese (the template's 指标编号, 目标编号, 指标名称, 地区, 口径, 年份, 数值, 限定符, 单位,
数值类型, 来源名称, 来源链接, 备注 …) or English (the tidy names: ``indicator_id``,
``target_id``, ``indicator_no``, ``region``, ``series``, ``year``, ``value`` …).

What a file is checked against comes from the plan's folder (:class:`ObservedRules`): its
indicators and catalogue targets, its regions (``regions.csv``), the years it covers (base year
to the plan's end or the current year, whichever is earlier), plausible ranges and unit spellings
(``checks.yml``).  Nothing here knows one plan.

:func:`read_observed_file` returns the rows in the tidy format and the list of problems found,
every one a :class:`~plananalysis.errors.PlanDataError` naming file, row (as a spreadsheet shows
it: the header is row 1), column, value and what was expected.  Nothing is written here.

Cells are read leniently where the meaning is certain and strictly where it is not:

>>> parse_number("１，２３４.５")          # full-width digits and a thousands separator
ParsedNumber(value=1234.5, qualifier='', has_percent=False)
>>> parse_number("76左右")
ParsedNumber(value=76.0, qualifier='≈', has_percent=False)
>>> parse_number("74.2%").has_percent
True
>>> parse_year("2023年", 2020, 2025)
2023
>>> rules = ObservedRules.for_plan()
>>> normalise_region("", rules) == rules.default_region
True
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError, PlanDataErrors
from .columns import HEADER_ALIASES, HEADERS_ZH  # the columns, in one place
from .spreadsheet import Cells, column_letter, read_cells
from .grades import parse_grade

__all__ = [
    "TIDY_COLUMNS",
    "VALUE_TYPES",
    "ObservedRules",
    "InvalidObservedFile",
    "ParsedNumber",
    "parse_number",
    "parse_year",
    "parse_qualifier",
    "parse_value_type",
    "normalise_region",
    "normalise_series",
    "read_table",
    "read_observed_file",
    "observed_rows",
]

# The tidy format of an observed file (the loaded frame adds is_derived, derivation, origin).
TIDY_COLUMNS = [
    "indicator_id", "target_id", "indicator_no", "region", "series", "year", "value", "qualifier",
    "unit", "value_type", "period_note", "source_title", "source_url", "source_quality", "snippet", "notes",
    "evidence_grade",
]
# Bookkeeping columns of user.csv (who imported what, when, and whether it replaces a value).
IMPORT_COLUMNS = ["imported_at", "imported_from", "is_replacement"]

SOURCE_QUALITIES = {
    # value: what it means; Chinese aliases accepted on import
    "official": "a statistics bureau or ministry page",
    "media": "a mainstream newspaper",
    "reprint": "a copy of an official or media text on another site",
    "secondary": "a page quoting one",
    "plan": "the plan's own tables",
    "department": "a department's own figures (not published)",
    "user": "supplied by the analyst, quality not stated",
    "unsourced": "imported with --no-source: no source given",
}
_QUALITY_ALIASES = {"官方": "official", "统计局": "official", "媒体": "media", "转载": "reprint",
                    "二手": "secondary", "转引": "secondary", "规划": "plan", "部门": "department",
                    "部门数据": "department", "用户": "user", "无来源": "unsourced"}

_QUALIFIER_WORDS = {
    "": "", "=": "",
    "≈": "≈", "~": "≈", "约": "≈", "左右": "≈", "about": "≈",
    ">": ">", "以上": ">", "超过": ">", "高于": ">", "above": ">",
    "<": "<", "以下": "<", "低于": "<", "不足": "<", "below": "<",
}

#: what an observed value measures: a stock or rate in its year, that year's flow alone, or the
#: total since the start of the plan period through that year ('' = the indicator's usual kind)
VALUE_TYPES = {"": "", "level": "level", "水平": "level", "存量": "level", "年末": "level",
               "flow": "flow", "当年": "flow", "年度": "flow", "当年新增": "flow",
               "cumulative": "cumulative", "累计": "cumulative", "规划期累计": "cumulative"}

# Units written differently but meaning the same unit (after NFKC, which already turns （）
# into () and ％ into %).  An empty unit means "the plan's unit".  A plan adds its own in
# checks.yml (observed.unit_aliases).
_UNIT_ALIASES = {
    "%": ("%", "百分比", "percent"),
    "平方米": ("平方米", "m2", "m²", "㎡", "平米"),
}
_SERIES_ALIASES = {"规划": "plan", "规划口径": "plan", "plan": "plan"}


class InvalidObservedFile(PlanDataErrors):
    """All the problems of one file; ``str()`` gives one line per problem.

    The attributes (path, row, column, value, expected) are those of the first problem;
    ``errors`` holds them all.

    >>> error = InvalidObservedFile([PlanDataError("hz.csv", 2, "年份", "1999", "2020–2025"),
    ...                              PlanDataError("hz.csv", 3, "数值", "abc", "a number")])
    >>> error.row, error.column, len(error.errors), len(str(error).splitlines())
    (2, '年份', 2, 2)
    """


# ---------------------------------------------------------------- what a plan accepts


@dataclass
class ObservedRules:
    """What observed values of one plan are checked against (all read from its folder).

    >>> rules = ObservedRules.for_plan()
    >>> rules.first_year <= rules.base_year < rules.last_year
    True
    >>> sorted(rules.indicators)[:1] == sorted(rules.plan.indicators["indicator_id"])[:1]
    True
    """

    plan: object                      # the Plan (plananalysis.plan.folder.Plan)
    indicators: dict = field(default_factory=dict)      # indicator_id → row (str values)
    by_no: dict = field(default_factory=dict)
    by_name: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)         # target_id → catalogue row
    regions: dict = field(default_factory=dict)         # name or alias → official name
    default_region: str = ""
    base_year: int = 0
    first_year: int = 0
    last_year: int = 0
    plausible: dict = field(default_factory=dict)       # subject id → (low, high, reason)
    unit_aliases: dict = field(default_factory=dict)

    @classmethod
    def for_plan(cls, plan=None, *, today: int | None = None) -> "ObservedRules":
        """The rules of ``plan`` (a Plan, an id, a folder or None for the default plan)."""
        from ..plan.folder import Plan, load_plan

        plan = plan if isinstance(plan, Plan) else load_plan(plan)
        info = plan.info
        rules = cls(plan=plan, default_region=info.region, base_year=info.base_year,
                    first_year=info.first_observed_year, last_year=info.latest_observable_year(today))
        for rec in plan.indicators.to_dict("records"):
            rec = {k: ("" if v is None or (isinstance(v, float) and v != v) else str(v)) for k, v in rec.items()}
            rec["no"] = int(float(rec["no"]))
            rules.indicators[rec["indicator_id"]] = rec
        rules.by_no = {r["no"]: r for r in rules.indicators.values()}
        for r in rules.indicators.values():
            rules.by_name[_nfkc(r["name_zh"])] = r
            if r.get("name_en"):
                rules.by_name[_nfkc(r["name_en"]).lower()] = r
        if len(plan.targets):
            for rec in plan.targets.to_dict("records"):
                rules.targets[str(rec["target_id"])] = {k: ("" if v is None or (isinstance(v, float) and v != v)
                                                            else str(v)) for k, v in rec.items()}
        from ..params import plan_region_names

        rules.regions = {_nfkc(k): v for k, v in plan_region_names(info).items()}
        rules.regions.update({_nfkc(k).lower(): v for k, v in plan_region_names(info).items()})
        declared = (plan.checks or {}).get("observed", {}) or {}
        for subject, rule in (declared.get("plausible") or {}).items():
            rules.plausible[str(subject)] = (float(rule["min"]), float(rule["max"]), str(rule.get("reason", "")))
        rules.unit_aliases = {k: tuple(v) for k, v in _UNIT_ALIASES.items()}
        for unit, aliases in (declared.get("unit_aliases") or {}).items():
            key = _nfkc(unit).replace(" ", "")
            rules.unit_aliases[key] = tuple({key, *(_nfkc(a).replace(" ", "") for a in aliases)})
        return rules

    @property
    def years_text(self) -> str:
        return f"{self.first_year}–{self.last_year}"

    def unit(self, text) -> str:
        """A unit as written, in its canonical spelling (aliases of the plan's units resolved)."""
        s = _nfkc(text).replace(" ", "")
        for canonical, aliases in self.unit_aliases.items():
            if s.lower() in (a.lower() for a in aliases):
                return canonical
        return s

    def _suggest(self, text: str, pool) -> str:
        close = difflib.get_close_matches(text, list(pool), n=3, cutoff=0.4)
        return f"; did you mean {' / '.join(close)}?" if close else ""

    def indicator_by_number_or_id(self, text) -> dict:
        s = _nfkc(text)
        if re.fullmatch(r"\d+(\.0+)?", s):
            digits = s.split(".")[0]
            no = int(digits) if len(digits) <= 9 else None   # a 400-digit "number" is no indicator's
            if no in self.by_no:
                return self.by_no[no]
            raise ValueError(f"指标编号 1–{len(self.by_no)} (an indicator number from 1 to {len(self.by_no)})")
        if s in self.indicators:
            return self.indicators[s]
        raise ValueError("规划主要指标表的指标编号或代码 (a headline indicator's number or id"
                         + self._suggest(s, self.indicators) + ")")

    def indicator_by_name(self, text) -> dict:
        s = _nfkc(text)
        hit = self.by_name.get(s) or self.by_name.get(s.lower())
        if hit:
            return hit
        if s in self.indicators:
            return self.indicators[s]
        names = [r["name_zh"] for r in self.indicators.values()]
        raise ValueError("规划主要指标表的指标名称 (a headline indicator's name" + self._suggest(s, names) + ")")

    def target_by_id(self, text) -> dict:
        s = _nfkc(text)
        if s in self.targets:
            return self.targets[s]
        if not self.targets:
            raise ValueError("空：本规划没有章节目标目录 (empty: this plan has no catalogue of targets)")
        raise ValueError("章节目标目录中的目标编号 (a target id of the catalogue, targets.csv"
                         + self._suggest(s, self.targets) + ")")


# ---------------------------------------------------------------- cells


def _nfkc(text) -> str:
    return unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()


@dataclass(frozen=True)
class ParsedNumber:
    """A number cell as read: its value, the qualifier its words carry, whether it had a % sign.

    >>> parse_number("58%以上")
    ParsedNumber(value=58.0, qualifier='>', has_percent=True)
    """

    value: float
    qualifier: str
    has_percent: bool


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PREFIX_QUALIFIERS = (("≈", "≈"), ("~", "≈"), ("约", "≈"), (">", ">"), ("超过", ">"), ("<", "<"))
_SUFFIX_QUALIFIERS = (("左右", "≈"), ("以上", ">"), ("以下", "<"))


def parse_number(text) -> ParsedNumber:
    """Read a number as people type it; raise ``ValueError(expected)`` if it is not one.

    Accepts full-width digits, thousands separators (``1,234``), a trailing ``%`` and a
    qualifier written into the cell (``≈76``, ``76左右``, ``>80``, ``80以上``).

    >>> parse_number(">80").qualifier
    '>'
    >>> parse_number("1,23")
    Traceback (most recent call last):
    ...
    ValueError: 数字，千位分隔符应每三位一个 (a number; thousands separators every three digits, e.g. 1,234.5)
    """
    s = _nfkc(text).replace(" ", "")
    if not s:
        raise ValueError("一个数字 (a number; leave the row out if there is no data)")
    qualifier = ""
    for prefix, q in _PREFIX_QUALIFIERS:
        if s.startswith(prefix):
            s, qualifier = s[len(prefix):], q
            break
    for suffix, q in _SUFFIX_QUALIFIERS:
        if s.endswith(suffix):
            if qualifier:
                raise ValueError("一个数字，最多一个限定符 (a number with at most one qualifier)")
            s, qualifier = s[: -len(suffix)], q
            break
    has_percent = s.endswith("%")
    if has_percent:
        s = s[:-1]
    if "," in s:
        if not _THOUSANDS.fullmatch(s):
            raise ValueError("数字，千位分隔符应每三位一个 (a number; thousands separators every three digits, e.g. 1,234.5)")
        s = s.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(s):
        raise ValueError("一个数字，如 74.2 (a number such as 74.2)")
    return ParsedNumber(float(s), qualifier, has_percent)


def parse_year(text, first: int | None = None, last: int | None = None) -> int:
    """A four-digit year (``2023``, ``2023年``, ``2023.0`` from Excel), within ``first``–``last``
    when they are given (a plan's years: see :class:`ObservedRules`).

    >>> parse_year("2023年"), parse_year(2023.0)
    (2023, 2023)
    >>> parse_year("2030", 2020, 2025)
    Traceback (most recent call last):
    ...
    ValueError: 2020–2025 之间的年份：规划的基期至规划末年（且不晚于今年）(a year from 2020 to 2025: the plan's base year to its end, and not after this year)
    """
    s = _nfkc(text)
    s = s.removesuffix("年")
    if re.fullmatch(r"\d{4}\.0+", s):
        s = s.split(".")[0]
    span = f"{first}–{last}" if first is not None and last is not None else "1900–2100"
    if not re.fullmatch(r"\d{4}", s):
        raise ValueError(f"四位数年份 {span} (a four-digit year {span})")
    year = int(s)
    if first is not None and last is not None and not first <= year <= last:
        raise ValueError(f"{span} 之间的年份：规划的基期至规划末年（且不晚于今年）"
                         f"(a year from {first} to {last}: the plan's base year to its end, and not after this year)")
    return year


def parse_qualifier(text) -> str:
    """'' (exact), '≈' (rounded, 左右), '>' (above, 以上) or '<' (below, 以下).

    >>> [parse_qualifier(word) for word in ("", "左右", "以上", "below")]
    ['', '≈', '>', '<']
    """
    s = _nfkc(text)
    key = s.lower()
    if key not in _QUALIFIER_WORDS:
        raise ValueError("空（精确值）、≈（左右）、>（以上）或 < （以下）(empty for exact, ≈, > or <)")
    return _QUALIFIER_WORDS[key]


def parse_value_type(text) -> str:
    """'' (the indicator's usual kind), ``level``, ``flow`` (that year alone) or ``cumulative``
    (the total since the start of the plan period).

    >>> [parse_value_type(word) for word in ("", "累计", "当年", "level")]
    ['', 'cumulative', 'flow', 'level']
    """
    s = _nfkc(text).lower()
    if s not in VALUE_TYPES:
        raise ValueError("空、level（水平）、flow（当年）或 cumulative（规划期累计）(empty, level, flow or cumulative)")
    return VALUE_TYPES[s]


def normalise_region(text, rules: ObservedRules) -> str:
    """The official name of a region of the plan (``regions.csv``: names and aliases);
    empty means the plan's own region.

    >>> rules = ObservedRules.for_plan()
    >>> normalise_region("火星市", rules)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 本规划 regions.csv 中的地区名称...
    """
    s = _nfkc(text)
    if not s:
        return rules.default_region
    hit = rules.regions.get(s) or rules.regions.get(s.lower())
    if hit:
        return hit
    names = list(dict.fromkeys(rules.regions.values()))   # the plan's region first, as regions.csv lists them
    close = difflib.get_close_matches(s, names, n=3, cutoff=0.3)
    hint = f"; did you mean {'、'.join(close)}?" if close else ""
    raise ValueError(f"本规划 regions.csv 中的地区名称（{'、'.join(names[:4])} …）"
                     f"(a region of the plan, as regions.csv names it{hint})")


def normalise_series(text) -> str:
    """'plan' (the plan's basis, the default) or another basis name kept for context.

    >>> normalise_series(""), normalise_series("规划口径"), normalise_series("health-index")
    ('plan', 'plan', 'health-index')
    """
    s = _nfkc(text)
    if not s:
        return "plan"
    if s.lower() in _SERIES_ALIASES:
        return _SERIES_ALIASES[s.lower()]
    if not re.fullmatch(r"[\w\-]+", s):
        raise ValueError("口径名称: plan（规划口径）或字母、数字、连字符组成的名称，如 health-index (plan or a name such as health-index)")
    return s


def _parse_quality(text) -> str:
    s = _nfkc(text)
    if s in _QUALITY_ALIASES:
        return _QUALITY_ALIASES[s]
    if s.lower() in SOURCE_QUALITIES:
        return s.lower()
    raise ValueError("来源类型之一 (one of " + ", ".join(SOURCE_QUALITIES) + ")")


def _parse_bool(text) -> bool:
    s = _nfkc(text).lower()
    if s in ("", "false", "0", "no", "否"):
        return False
    if s in ("true", "1", "yes", "是"):
        return True
    raise ValueError("true 或 false")


# ---------------------------------------------------------------- files


def read_table(path) -> list[list[str]]:
    """The cells of a CSV (UTF-8, with or without BOM; GB18030 as saved by Chinese Excel)
    or of the first sheet of an .xlsx workbook (the sheet named 数据 or data if there is one),
    as text.  Raises :class:`PlanDataError` for a file that is not such a table, or one
    beyond the reader's limits (:mod:`plananalysis.observed.spreadsheet`, the one reader).

    >>> import pathlib, tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "excel.csv"
    >>> _ = path.write_bytes("年份,数值\\n2023,74.2\\n".encode("gb18030"))  # as Chinese Excel saves it
    >>> read_table(path)
    [['年份', '数值'], ['2023', '74.2']]
    >>> tmp.cleanup()
    """
    from .spreadsheet import read_cells

    return read_cells(path).rows


#: the headers a wrong header's error lists: the template's, and their English names
ACCEPTED_HEADERS_ZH = [*HEADERS_ZH.values(), "指标代码"]
ACCEPTED_HEADERS_EN = [*HEADERS_ZH, "indicator_id"]


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", _nfkc(text).lower())


_ALIAS_TO_COLUMN = {_header_key(a): col for col, aliases in HEADER_ALIASES.items() for a in aliases}


def _map_headers(path, header: list[str], rows: list[list[str]]):
    """{canonical column: index} and the header text per canonical column, or errors."""
    errors, index, written = [], {}, {}
    for i, head in enumerate(header):
        letter = column_letter(i)
        if not _nfkc(head):
            if any(i < len(r) and _nfkc(r[i]) for r in rows):
                errors.append(PlanDataError(path, 1, letter, head, "列名 (a column name for a column that holds values)"))
            continue
        column = _ALIAS_TO_COLUMN.get(_header_key(head))
        if column is None:
            if len(header) == 1 and any(sep in head for sep in ";\t"):
                expected = "逗号分隔的 CSV (comma-separated values)"
            else:
                zh = [a for a in HEADERS_ZH.values()]
                en = [c for c in HEADER_ALIASES]
                close = difflib.get_close_matches(_nfkc(head), zh + en, n=3, cutoff=0.5)
                hint = f"; did you mean {' / '.join(close)}?" if close else ""
                expected = (f"模板中的列名之一：{'、'.join(ACCEPTED_HEADERS_ZH)} (one of the template's column names"
                            f"{hint} The names accepted: {', '.join(ACCEPTED_HEADERS_ZH)}; in English "
                            f"{', '.join(ACCEPTED_HEADERS_EN)})")
            errors.append(PlanDataError(path, 1, f"{head} ({letter})", head, expected))
            continue
        if column in index:
            errors.append(PlanDataError(path, 1, f"{head} ({letter})", head,
                                        f"每列只出现一次，已有 {written[column]} (each column once; already given as {written[column]})"))
            continue
        index[column], written[column] = i, f"{head} ({letter})"
    return index, written, errors


def read_observed_file(path, *, plan=None, rules: ObservedRules | None = None, allow_unsourced: bool = False,
                       require_rows: bool = True, follow_symlinks: bool = True):
    """Read and check one observed file against a plan (``plan`` or ``rules``; default the
    default plan).

    Returns ``(frame, skipped, errors)``: the valid rows in the tidy format (plus
    ``indicator_name``, ``row`` — the spreadsheet row — and the bookkeeping columns of
    user.csv), the number of template placeholder rows skipped (an indicator or target listed
    with neither a value nor a source: a template row, or a row of a data request a department
    left empty), and every problem as a :class:`PlanDataError`.  ``require_rows``: a file
    without one filled row is a problem (an import); ``False`` accepts it (a plan's own
    files, a folder of returned requests).
    A file with problems should be used not at all: callers raise
    :class:`InvalidObservedFile` (``errors``) before writing anything.

    A row names a headline indicator (指标编号 / 指标代码 / 指标名称) or a catalogue target
    (目标编号), never both.

    >>> import pathlib, tempfile
    >>> rules = ObservedRules.for_plan()
    >>> first, city = rules.by_no[1], rules.plan.regions["name_zh"].iloc[-1]
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "city.csv"
    >>> _ = path.write_text(f"指标编号,地区,年份,数值,来源名称\\n1,{city},2023,84.2,统计公报\\n"
    ...                     f"1,{city},1999,abc,统计公报\\n", encoding="utf-8")
    >>> frame, skipped, errors = read_observed_file(path, rules=rules)
    >>> frame["year"].tolist(), frame["value"].tolist(), frame["indicator_id"].tolist() == [first["indicator_id"]]
    ([2023], [84.2], True)
    >>> [(e.row, e.column, e.value) for e in errors]  # spreadsheet row 3: both bad cells
    [(3, '年份 (C)', '1999'), (3, '数值 (D)', 'abc')]
    >>> tmp.cleanup()
    """
    path = Path(path)
    rules = rules or ObservedRules.for_plan(plan)
    cells = read_cells(path, follow_symlinks=follow_symlinks)
    return observed_rows(path, cells, rules, allow_unsourced=allow_unsourced, require_rows=require_rows)


def observed_rows(path, cells: Cells, rules: ObservedRules, *, allow_unsourced: bool = False,
                  require_rows: bool = True, refuse_subject=None):
    """The rows of cells already read (:func:`~plananalysis.observed.spreadsheet.read_cells`),
    checked as :func:`read_observed_file` checks them: ``(frame, skipped, errors)``.

    ``refuse_subject(subject_id, name)``: ``None`` if a row about that indicator or target may
    come in, else what was expected instead (a department's return: only its own rows, see
    :func:`plananalysis.observed.requests.return_department`).

    A merged range holding a value is refused where it would copy that value: over several
    cells of the 数值 column (one number for several years or regions), or across several
    columns of a data row (one cell's text in several fields).  A label merged down a column
    (a region, an indicator, a source over the rows it names) is the label of each row, as the
    analyst sees it.

    >>> header = ["指标编号", "年份", "数值", "来源名称"]
    >>> cells = Cells([header, ["3", "2022", "74.2", "公报"], ["3", "2023", "74.2", "公报"]], "数据",
    ...               merged=((2, 2, 3, 2, "74.2"),))       # 74.2 merged over C2:C3, two years
    >>> frame, skipped, errors = observed_rows("回执.xlsx", cells, ObservedRules.for_plan())
    >>> len(frame), [(e.row, e.column, e.value) for e in errors]
    (0, [(2, '数值 (C)', 'C2:C3: 74.2')])
    """
    cells, merged, sheet = cells.rows, cells.merged, cells.sheet
    while cells and not any(_nfkc(c) for c in cells[-1]):
        cells.pop()
    if not cells:
        raise PlanDataError(path, None, None, "", "表头行与至少一行数据 (a header row and at least one data row)")
    header, rows = cells[0], cells[1:]
    index, written, errors = _map_headers(path, header, rows)
    if errors:
        return _empty_frame(), 0, errors

    def missing(expected):
        errors.append(PlanDataError(path, 1, None, ", ".join(h for h in header if _nfkc(h)), expected))

    if not {"indicator_no", "indicator_id", "indicator_name", "target_id"} & index.keys():
        missing("指标编号、指标名称 或 目标编号 列 (a column 指标编号, 指标名称 or 目标编号 naming what is measured)")
    for column in ("year", "value"):
        if column not in index:
            missing(f"{HEADERS_ZH[column]} 列 (a column {HEADERS_ZH[column]} / {column})")
    has_source_columns = bool({"source_title", "source_url"} & index.keys())
    if not has_source_columns and not allow_unsourced:
        missing("来源名称 或 来源链接 列；无来源数据须加 --no-source (a source column 来源名称 or 来源链接; "
                "for data without a source use --no-source)")
    if errors:
        return _empty_frame(), 0, errors
    copies, copied_rows = _merged_copies(path, sheet, merged, index, header)
    errors += copies

    records, seen, skipped = [], {}, 0
    for offset, raw in enumerate(rows):
        row_no = offset + 2
        if not any(_nfkc(c) for c in raw) or row_no in copied_rows:   # a merged value copied in: refused above
            continue
        if len(raw) > len(header) and any(_nfkc(c) for c in raw[len(header):]):
            errors.append(PlanDataError(path, row_no, column_letter(len(header)), raw[len(header)],
                                        f"至多 {len(header)} 个单元格，与表头一致 (at most {len(header)} cells, as many as the header)"))
            continue

        def cell(column):
            i = index.get(column)
            return raw[i] if i is not None and i < len(raw) else ""

        if not any(_nfkc(cell(c)) for c in ("value", "source_title", "source_url")):
            skipped += 1  # a template or request row listing an indicator (and year), not filled in
            continue
        row_errors: list[PlanDataError] = []

        def check(column, parser, *args):
            try:
                return parser(cell(column), *args)
            except ValueError as exc:
                row_errors.append(PlanDataError(path, row_no, written.get(column, column), cell(column), str(exc)))
                return None

        subject, target = _row_subject(path, row_no, rules, index, written, cell, check, row_errors)
        if subject is not None and refuse_subject is not None:
            subject_id = subject["target_id"] if target else subject["indicator_id"]
            name = subject.get("subject_zh", "") if target else subject["name_zh"]
            refused = refuse_subject(subject_id, name)
            if refused:
                column = "target_id" if target else next(
                    c for c in ("indicator_no", "indicator_id", "indicator_name") if c in index and _nfkc(cell(c)))
                row_errors.append(PlanDataError(path, row_no, written[column], cell(column), refused))
        region = check("region", normalise_region, rules)
        series = check("series", normalise_series)
        year = check("year", parse_year, rules.first_year, rules.last_year)
        number = check("value", parse_number)
        qualifier = check("qualifier", parse_qualifier)
        value_type = check("value_type", parse_value_type)
        unit_text = _nfkc(cell("unit"))

        if subject is not None and number is not None:
            subject_id = subject["target_id"] if target else subject["indicator_id"]
            name = subject.get("subject_zh") if target else subject["name_zh"]
            plan_unit = rules.unit(subject.get("unit", ""))
            if unit_text and plan_unit and rules.unit(unit_text) != plan_unit:
                row_errors.append(PlanDataError(
                    path, row_no, written["unit"], cell("unit"),
                    f"{subject['unit']}，规划中“{name}”的单位；请换算数值 (the plan's unit for {subject_id}; convert the value)"))
            elif number.has_percent and plan_unit and plan_unit != "%":
                row_errors.append(PlanDataError(
                    path, row_no, written["value"], cell("value"),
                    f"不带 % 的数值，单位为 {subject['unit']} (a number without %: the unit is {subject['unit']})"))
            elif subject_id in rules.plausible:
                low, high, reason = rules.plausible[subject_id]
                if not low <= number.value <= high:
                    row_errors.append(PlanDataError(
                        path, row_no, written["value"], cell("value"),
                        f"{low:g}–{high:g} 之间的数值 (a value from {low:g} to {high:g}: {reason})"))
        if number is not None and qualifier is not None and number.qualifier and qualifier and number.qualifier != qualifier:
            row_errors.append(PlanDataError(
                path, row_no, written["qualifier"], cell("qualifier"),
                f"与数值中的限定符 {number.qualifier} 一致 (the qualifier written in the value, {number.qualifier})"))

        title, url = cell("source_title").strip(), _nfkc(cell("source_url"))
        if url and not re.match(r"https?://\S+$", url):
            row_errors.append(PlanDataError(path, row_no, written["source_url"], cell("source_url"),
                                            "以 http:// 或 https:// 开头的网址 (a web address starting with http:// or https://)"))
        quality = check("source_quality", _parse_quality) if _nfkc(cell("source_quality")) else ""
        grade = check("evidence_grade", parse_grade)
        if not title and not url:
            if not allow_unsourced:
                column = written.get("source_title") or written["source_url"]
                row_errors.append(PlanDataError(path, row_no, column, "",
                                                "来源名称或来源链接；无来源数据须加 --no-source (a source title or URL; "
                                                "for data without a source use --no-source)"))
            quality = "unsourced"
        if "is_derived" in index and check("is_derived", _parse_bool):
            row_errors.append(PlanDataError(path, row_no, written["is_derived"], cell("is_derived"),
                                            "false：计算值由程序生成，不导入 (false: derived values are computed, never imported)"))
        is_replacement = check("is_replacement", _parse_bool)

        if subject is not None and None not in (region, series, year):
            key = (subject.get("indicator_id", "") if not target else "", subject.get("target_id", "") if target else "",
                   region, series, year)
            if key in seen:
                row_errors.append(PlanDataError(
                    path, row_no, written["year"], cell("year"),
                    f"不与第{seen[key]}行重复（同一指标、地区、口径、年份）(not a repeat of row {seen[key]}: "
                    f"same indicator, region, series and year)"))
            else:
                seen[key] = row_no
        if row_errors:
            errors.extend(row_errors)
            continue
        records.append({
            "indicator_id": "" if target else subject["indicator_id"],
            "target_id": subject["target_id"] if target else "",
            "indicator_no": pd.NA if target else subject["no"],
            "indicator_name": subject.get("subject_zh", "") if target else subject["name_zh"],
            "region": region, "series": series, "year": year,
            "value": number.value, "qualifier": qualifier or number.qualifier, "unit": subject.get("unit", ""),
            "value_type": value_type or "",
            "period_note": cell("period_note").strip(), "source_title": title, "source_url": url,
            "source_quality": quality or "user", "snippet": str(cell("snippet")).strip(),
            "notes": str(cell("notes")).strip(), "evidence_grade": grade or "", "imported_at": _nfkc(cell("imported_at")),
            "imported_from": _nfkc(cell("imported_from")), "is_replacement": bool(is_replacement),
            "row": row_no,
        })
    if not records and not errors and require_rows:
        errors.append(PlanDataError(path, None, None, f"{skipped} 行未填 ({skipped} rows not filled in)",
                                    "至少一行填有年份和数值的数据 (at least one row with a year and a value)"))
    frame = pd.DataFrame(records, columns=_FRAME_COLUMNS) if records else _empty_frame()
    return frame, skipped, errors


def _merged_copies(path, sheet, merged, index: dict, header: list[str]) -> tuple[list[PlanDataError], set[int]]:
    """The merged ranges (of the data rows) that would copy one value into several: over more
    than one cell of the 数值 column, or across several columns; and the rows they cover (one
    error for the range, none more for what it copied)."""
    value_column = index.get("value")
    errors, rows = [], set()
    for top, left, bottom, right, text in merged:
        if bottom < 2:
            continue   # the header row: a header merged over two columns is a repeated column name
        across = right > left
        over_values = value_column is not None and left <= value_column <= right and bottom > top
        if not (across or over_values):
            continue
        ref = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}"
        head = header[left] if left < len(header) else ""
        column = f"{head} ({column_letter(left)})" if _nfkc(head) else column_letter(left)
        where_zh, where_en = (f"工作表“{sheet}”的", f" of the sheet '{sheet}'") if sheet else ("", "")
        if over_values:
            expected = (f"每个数值一个单元格：{where_zh}合并单元格 {ref} 会把同一个数值复制到 {bottom - top + 1} 行；"
                        f"请取消合并，每行填写各自的数值 (one cell per value: the merged cell {ref}{where_en} would "
                        f"copy one value into {bottom - top + 1} rows — unmerge it and fill each row's own value)")
        else:
            expected = (f"每列一个单元格：{where_zh}合并单元格 {ref} 跨 {right - left + 1} 列，会把同一内容复制到各列；"
                        f"请取消合并 (one cell per column: the merged cell {ref}{where_en} spans {right - left + 1} "
                        "columns and would copy its text into each — unmerge it)")
        errors.append(PlanDataError(path, top, column, f"{ref}: {text}", expected))
        rows.update(range(max(top, 2), bottom + 1))
    return errors, rows


def _row_subject(path, row_no, rules, index, written, cell, check, row_errors):
    """The headline indicator or catalogue target a row is about: ``(record, is_target)``."""
    target_text = _nfkc(cell("target_id")) if "target_id" in index else ""
    indicator_columns = [c for c in ("indicator_no", "indicator_id") if c in index and _nfkc(cell(c))]
    if target_text:
        if indicator_columns:
            column = indicator_columns[0]
            row_errors.append(PlanDataError(path, row_no, written[column], cell(column),
                                            "空：一行只填指标或目标之一 (empty: a row names an indicator or a target, not both)"))
            return None, True
        target = check("target_id", rules.target_by_id)
        return target, True
    found = {}
    for column, how in (("indicator_no", rules.indicator_by_number_or_id), ("indicator_id", rules.indicator_by_number_or_id),
                        ("indicator_name", rules.indicator_by_name)):
        if column in index and _nfkc(cell(column)):
            found[column] = check(column, how)
    if not found:
        first = next(c for c in ("indicator_no", "indicator_id", "indicator_name", "target_id") if c in index)
        row_errors.append(PlanDataError(path, row_no, written[first], "",
                                        "指标编号、指标名称或目标编号 (the indicator's number or name, or a target id)"))
        return None, False
    if not all(found.values()):
        return None, False
    first = next(iter(found))
    indicator = found[first]
    others = [c for c in found if found[c]["indicator_id"] != indicator["indicator_id"]]
    if others:
        other = others[0]
        row_errors.append(PlanDataError(
            path, row_no, written[other], cell(other),
            f"与 {written[first]} 一致：{indicator['no']} {indicator['name_zh']} "
            f"(the same indicator as {written[first]}: {indicator['no']} {indicator['name_zh']})"))
        return None, False
    return indicator, False


_FRAME_COLUMNS = ["indicator_id", "target_id", "indicator_no", "indicator_name", *TIDY_COLUMNS[3:], *IMPORT_COLUMNS, "row"]


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=_FRAME_COLUMNS)
