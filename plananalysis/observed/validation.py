"""Read and check a table of observed values (CSV or Excel), cell by cell.

One reader serves every observed file: the shipped ``data/observed/observed-*.csv``,
the analyst's ``user.csv`` and any file brought to ``plananalysis data import``.
Headers may be Chinese (the template's 指标编号, 指标名称, 地区, 口径, 年份, 数值, 限定符,
单位, 来源名称, 来源链接, 备注 …) or English (the tidy names: ``indicator_id``,
``indicator_no``, ``region``, ``series``, ``year``, ``value`` …).

:func:`read_observed_file` returns the rows in the tidy format and the list of
problems found, every one a :class:`~plananalysis.errors.PlanDataError` naming
file, row (as a spreadsheet shows it: the header is row 1), column, value and what
was expected.  Nothing is written here.

Cells are read leniently where the meaning is certain and strictly where it is not:

>>> parse_number("１，２３４.５")          # full-width digits and a thousands separator
ParsedNumber(value=1234.5, qualifier='', has_percent=False)
>>> parse_number("76左右")
ParsedNumber(value=76.0, qualifier='≈', has_percent=False)
>>> parse_number("74.2%").has_percent
True
>>> parse_year("2023年")
2023
>>> normalise_region("杭州")
'杭州市'
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError

__all__ = [
    "TIDY_COLUMNS",
    "PLAUSIBLE_RANGES",
    "YEAR_MIN",
    "YEAR_MAX",
    "InvalidObservedFile",
    "ParsedNumber",
    "parse_number",
    "parse_year",
    "parse_qualifier",
    "normalise_region",
    "normalise_series",
    "plan_indicators",
    "read_table",
    "read_observed_file",
]

YEAR_MIN, YEAR_MAX = 2015, 2035

# The tidy format of an observed file (the loaded frame adds is_derived, derivation, origin).
TIDY_COLUMNS = [
    "indicator_id", "indicator_no", "region", "series", "year", "value", "qualifier", "unit",
    "period_note", "source_title", "source_url", "source_quality", "snippet", "notes",
]
# Bookkeeping columns of user.csv (who imported what, when, and whether it replaces a value).
IMPORT_COLUMNS = ["imported_at", "imported_from", "is_replacement"]

# Accepted headers (compared after NFKC, lower case, spaces/hyphens as underscores).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator_no": ("指标编号", "编号", "序号", "indicator_no", "no"),
    "indicator_id": ("indicator_id", "指标代码", "id"),
    "indicator_name": ("指标名称", "指标", "indicator", "indicator_name", "name", "name_zh"),
    "region": ("地区", "区域", "region"),
    "series": ("口径", "series"),
    "year": ("年份", "年度", "year"),
    "value": ("数值", "值", "value"),
    "qualifier": ("限定符", "qualifier"),
    "unit": ("单位", "unit"),
    "source_title": ("来源名称", "来源", "source_title", "source"),
    "source_url": ("来源链接", "链接", "source_url", "url"),
    "source_quality": ("来源类型", "来源质量", "source_quality"),
    "period_note": ("时期说明", "period_note"),
    "snippet": ("原文摘录", "原文", "snippet"),
    "notes": ("备注", "notes", "note"),
    "imported_at": ("导入时间", "imported_at"),
    "imported_from": ("导入文件", "imported_from"),
    "is_replacement": ("is_replacement",),
    "is_derived": ("is_derived",),
    "derivation": ("derivation",),
    "origin": ("origin",),
}
HEADERS_ZH = {
    "indicator_no": "指标编号", "indicator_name": "指标名称", "region": "地区", "series": "口径",
    "year": "年份", "value": "数值", "qualifier": "限定符", "unit": "单位",
    "source_title": "来源名称", "source_url": "来源链接", "source_quality": "来源类型",
    "period_note": "时期说明", "snippet": "原文摘录", "notes": "备注",
}

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

# Units written differently but meaning the plan's unit (after NFKC, which already turns
# （） into () and ％ into %).  An empty unit means "the plan's unit".
_UNIT_ALIASES = {
    "%": ("%", "百分比", "percent"),
    "平方米": ("平方米", "m2", "m²", "㎡", "平米"),
    "倍(农村=1)": ("倍(农村=1)", "倍"),
    "万人": ("万人",),
    "人/亿元": ("人/亿元",),
}

ZHEJIANG = "浙江省"
ZHEJIANG_CITIES = ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市",
                   "衢州市", "舟山市", "台州市", "丽水市")
_REGION_ALIASES = {"浙江": ZHEJIANG, "zhejiang": ZHEJIANG, "全省": ZHEJIANG}
_SERIES_ALIASES = {"规划": "plan", "规划口径": "plan", "plan": "plan"}

# Plausible values per indicator: a value outside is almost surely a typing or unit error.
# (indicator_id, low, high, reason)
PLAUSIBLE_RANGES: tuple[tuple[str, float, float, str], ...] = (
    ("urban_new_jobs", 0, 300, "an annual flow in 万人: Zhejiang added 111.8 (2020) to 118.3 (2024)"),
    ("surveyed_unemployment_rate", 0, 30, "a rate in %: Zhejiang 4.5–4.6 in 2023–2024"),
    ("urbanisation_rate", 0, 100, "a share of the resident population in %"),
    ("disposable_income_growth", -20, 30, "annual growth in %: 5.0–9.8 in 2021–2024"),
    ("urban_rural_income_ratio", 1, 5, "urban income over rural income (rural = 1): 1.96 in 2020"),
    ("talent_total", 0, 6000, "a head count in 万人, below the resident population (≈6600万)"),
    ("infant_care_places_per_1000", 0, 30, "places per 1000 residents: 2.01 in 2020, target 4.5"),
    ("youth_myopia_reduction", 0, 100, "the myopia rate of children and adolescents in %"),
    ("working_age_schooling_years", 5, 20, "years of schooling: 10.8 in 2020"),
    ("higher_education_enrolment", 0, 100, "a gross enrolment rate in %"),
    ("reading_rate", 0, 100, "a share of residents in %"),
    ("housing_security_coverage", 0, 100, "a coverage rate in %"),
    ("sports_area_per_capita", 0, 10, "square metres per person: 2.4 in 2020"),
    ("hospital_beds_per_1000", 0, 30, "beds per 1000 residents: 5.99 in 2020"),
    ("doctors_per_1000", 0, 15, "doctors per 1000 residents: 3.67 in 2020"),
    ("pension_insured", 0, 8000, "insured persons in 万人: 4355 in 2020"),
    ("care_workers_per_10k_elderly", 0, 300, "workers per 10000 older persons: 16 in 2020"),
    ("life_expectancy", 60, 95, "years of age: 79.47 in 2020"),
    ("culture_industry_share", 0, 30, "a share of GDP in %: 6.6–7 around 2020"),
    ("health_industry_share", 0, 30, "a share of GDP in %: 6 in 2019"),
    ("tourism_industry_share", 0, 30, "a share of GDP in %: 6.8 in 2020"),
    ("sports_industry_share", 0, 30, "a share of GDP in %: 1.4 in 2020"),
    ("one_network_service_rate", 0, 100, "a share of applications in %"),
    ("comprehensive_enforcement_share", 0, 100, "a share of enforcement matters in %"),
    ("work_safety_death_rate", 0, 1, "deaths per 亿元 of GDP: 0.016 in 2020"),
)


class InvalidObservedFile(PlanDataError):
    """All the problems of one file; ``str()`` gives one line per problem.

    The attributes (path, row, column, value, expected) are those of the first problem;
    ``errors`` holds them all.

    >>> error = InvalidObservedFile([PlanDataError("hz.csv", 2, "年份", "1999", "2015–2035"),
    ...                              PlanDataError("hz.csv", 3, "数值", "abc", "a number")])
    >>> error.row, error.column, len(error.errors), len(str(error).splitlines())
    (2, '年份', 2, 2)
    """

    def __init__(self, errors: list[PlanDataError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.path, first.row, first.column, first.value, first.expected)

    def __str__(self) -> str:
        return "\n".join(PlanDataError.__str__(e) for e in self.errors)


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


def parse_year(text) -> int:
    """A four-digit year within 2015–2035 (``2023``, ``2023年``, ``2023.0`` from Excel).

    >>> parse_year("2023年"), parse_year(2023.0)
    (2023, 2023)
    >>> parse_year("1999")
    Traceback (most recent call last):
    ...
    ValueError: 2015–2035 之间的年份 (a year from 2015 to 2035)
    """
    s = _nfkc(text)
    s = s.removesuffix("年")
    if re.fullmatch(r"\d{4}\.0+", s):
        s = s.split(".")[0]
    if not re.fullmatch(r"\d{4}", s):
        raise ValueError(f"四位数年份 {YEAR_MIN}–{YEAR_MAX} (a four-digit year {YEAR_MIN}–{YEAR_MAX})")
    year = int(s)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(f"{YEAR_MIN}–{YEAR_MAX} 之间的年份 (a year from {YEAR_MIN} to {YEAR_MAX})")
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


def normalise_region(text) -> str:
    """浙江省 (the default), one of its 11 cities, or a county-level 县/市/区 name.

    >>> normalise_region("")
    '浙江省'
    """
    s = _nfkc(text)
    if not s:
        return ZHEJIANG
    if s.lower() in _REGION_ALIASES:
        return _REGION_ALIASES[s.lower()]
    if s == ZHEJIANG or s in ZHEJIANG_CITIES:
        return s
    if s + "市" in ZHEJIANG_CITIES:
        return s + "市"
    if re.fullmatch(r"[\u4e00-\u9fff]{1,10}[县市区]", s):
        return s
    close = difflib.get_close_matches(s, (ZHEJIANG, *ZHEJIANG_CITIES), n=3, cutoff=0.3)
    hint = f"; did you mean {'、'.join(close)}?" if close else ""
    raise ValueError(f"浙江省、省内设区市（如 杭州市）或县（市、区）名称 (Zhejiang, a city or county name{hint})")


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


def normalise_unit(text) -> str:
    s = _nfkc(text).replace(" ", "")
    for canonical, aliases in _UNIT_ALIASES.items():
        if s.lower() in (a.lower() for a in aliases):
            return canonical
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


# ---------------------------------------------------------------- the plan's indicators


def plan_indicators() -> pd.DataFrame:
    """The plan's Table 2 (``indicator_id``, ``no``, ``name_zh``, ``name_en``, ``unit`` …).

    >>> row = plan_indicators().set_index("indicator_id").loc["urbanisation_rate"]
    >>> int(row.no), row.unit
    (3, '%')
    """
    from ..plan.folder import load_plan

    return load_plan().indicators


class _IndicatorIndex:
    """Look an indicator up by number, id or name; suggest the closest on a miss."""

    def __init__(self, table: pd.DataFrame):
        self.by_id = {}
        for rec in table.to_dict("records"):
            rec = {k: ("" if v is None else str(v)) for k, v in rec.items()}
            rec["no"] = int(float(rec["no"]))
            self.by_id[rec["indicator_id"]] = rec
        self.by_no = {r["no"]: r for r in self.by_id.values()}
        self.by_name = {}
        for r in self.by_id.values():
            self.by_name[_nfkc(r["name_zh"])] = r
            self.by_name[_nfkc(r["name_en"]).lower()] = r

    def _suggest(self, text: str, pool) -> str:
        close = difflib.get_close_matches(text, list(pool), n=3, cutoff=0.4)
        return f"; did you mean {' / '.join(close)}?" if close else ""

    def by_number_or_id(self, text) -> dict:
        s = _nfkc(text)
        if re.fullmatch(r"\d+(\.0+)?", s):
            no = int(float(s))
            if no in self.by_no:
                return self.by_no[no]
            raise ValueError(f"指标编号 1–{len(self.by_no)} (an indicator number from 1 to {len(self.by_no)})")
        if s in self.by_id:
            return self.by_id[s]
        raise ValueError("规划表2的指标编号或代码 (a Table 2 number or id"
                         + self._suggest(s, self.by_id) + ")")

    def by_any_name(self, text) -> dict:
        s = _nfkc(text)
        hit = self.by_name.get(s) or self.by_name.get(s.lower())
        if hit:
            return hit
        if s in self.by_id:
            return self.by_id[s]
        names_zh = [r["name_zh"] for r in self.by_id.values()]
        raise ValueError("规划表2的指标名称 (a Table 2 indicator name" + self._suggest(s, names_zh) + ")")


# ---------------------------------------------------------------- files


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


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


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", _nfkc(text).lower())


_ALIAS_TO_COLUMN = {_header_key(a): col for col, aliases in HEADER_ALIASES.items() for a in aliases}


def _map_headers(path, header: list[str], rows: list[list[str]]):
    """{canonical column: index} and the header text per canonical column, or errors."""
    errors, index, written = [], {}, {}
    for i, head in enumerate(header):
        letter = _column_letter(i)
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
                expected = "模板中的列名 (a template column name" + hint + ")"
            errors.append(PlanDataError(path, 1, f"{head} ({letter})", head, expected))
            continue
        if column in index:
            errors.append(PlanDataError(path, 1, f"{head} ({letter})", head,
                                        f"每列只出现一次，已有 {written[column]} (each column once; already given as {written[column]})"))
            continue
        index[column], written[column] = i, f"{head} ({letter})"
    return index, written, errors


def read_observed_file(path, *, allow_unsourced: bool = False, indicators: pd.DataFrame | None = None):
    """Read and check one observed file.

    Returns ``(frame, skipped, errors)``: the valid rows in the tidy format (plus
    ``indicator_name``, ``row`` — the spreadsheet row — and the bookkeeping columns of
    user.csv), the number of template placeholder rows skipped (an indicator listed with
    neither year, value nor source), and every problem as a :class:`PlanDataError`.
    A file with problems should be used not at all: callers raise
    :class:`InvalidObservedFile` (``errors``) before writing anything.

    >>> import pathlib, tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "hangzhou.csv"
    >>> _ = path.write_text("指标编号,地区,年份,数值,来源名称\\n3,杭州,2023,84.2,杭州市统计公报\\n"
    ...                     "3,杭州,1999,abc,杭州市统计公报\\n", encoding="utf-8")
    >>> frame, skipped, errors = read_observed_file(path)
    >>> frame[["indicator_id", "region", "year", "value"]].values.tolist()
    [['urbanisation_rate', '杭州市', 2023, 84.2]]
    >>> [(e.row, e.column, e.value) for e in errors]  # spreadsheet row 3: both bad cells
    [(3, '年份 (C)', '1999'), (3, '数值 (D)', 'abc')]
    >>> tmp.cleanup()
    """
    path = Path(path)
    cells = read_table(path)
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

    if not {"indicator_no", "indicator_id", "indicator_name"} & index.keys():
        missing("指标编号 或 指标名称 列 (a column 指标编号 or 指标名称 naming the indicator)")
    for column in ("year", "value"):
        if column not in index:
            missing(f"{HEADERS_ZH[column]} 列 (a column {HEADERS_ZH[column]} / {column})")
    has_source_columns = bool({"source_title", "source_url"} & index.keys())
    if not has_source_columns and not allow_unsourced:
        missing("来源名称 或 来源链接 列；无来源数据须加 --no-source (a source column 来源名称 or 来源链接; "
                "for data without a source use --no-source)")
    if errors:
        return _empty_frame(), 0, errors

    lookup = _IndicatorIndex(indicators if indicators is not None else plan_indicators())
    ranges = {r[0]: r[1:] for r in PLAUSIBLE_RANGES}
    records, seen, skipped = [], {}, 0
    for offset, raw in enumerate(rows):
        row_no = offset + 2
        if not any(_nfkc(c) for c in raw):
            continue
        if len(raw) > len(header) and any(_nfkc(c) for c in raw[len(header):]):
            errors.append(PlanDataError(path, row_no, _column_letter(len(header)), raw[len(header)],
                                        f"至多 {len(header)} 个单元格，与表头一致 (at most {len(header)} cells, as many as the header)"))
            continue

        def cell(column):
            i = index.get(column)
            return raw[i] if i is not None and i < len(raw) else ""

        if not any(_nfkc(cell(c)) for c in ("year", "value", "source_title", "source_url")):
            skipped += 1  # a template row listing an indicator, not filled in
            continue
        row_errors: list[PlanDataError] = []

        def check(column, parser, *args):
            try:
                return parser(cell(column), *args)
            except ValueError as exc:
                row_errors.append(PlanDataError(path, row_no, written.get(column, column), cell(column), str(exc)))
                return None

        found = {}
        for column, how in (("indicator_no", lookup.by_number_or_id), ("indicator_id", lookup.by_number_or_id),
                            ("indicator_name", lookup.by_any_name)):
            if column in index and _nfkc(cell(column)):
                found[column] = check(column, how)
        if not found:
            first = next(c for c in ("indicator_no", "indicator_id", "indicator_name") if c in index)
            row_errors.append(PlanDataError(path, row_no, written[first], "",
                                            "指标编号或指标名称 (the indicator's number or name)"))
        indicator = None
        if found and all(found.values()):
            first = next(iter(found))
            indicator = found[first]
            others = [c for c in found if found[c]["indicator_id"] != indicator["indicator_id"]]
            if others:
                other = others[0]
                row_errors.append(PlanDataError(
                    path, row_no, written[other], cell(other),
                    f"与 {written[first]} 一致：{indicator['no']} {indicator['name_zh']} "
                    f"(the same indicator as {written[first]}: {indicator['no']} {indicator['name_zh']})"))
                indicator = None

        region = check("region", normalise_region)
        series = check("series", normalise_series)
        year = check("year", parse_year)
        number = check("value", parse_number)
        qualifier = check("qualifier", parse_qualifier)
        unit_text = _nfkc(cell("unit"))

        if indicator is not None and number is not None:
            plan_unit = normalise_unit(indicator["unit"])
            if unit_text and normalise_unit(unit_text) != plan_unit:
                row_errors.append(PlanDataError(
                    path, row_no, written["unit"], cell("unit"),
                    f"{indicator['unit']}，规划中 {indicator['name_zh']} 的单位；请换算数值 "
                    f"(the plan's unit for {indicator['name_en']}; convert the value)"))
            elif number.has_percent and plan_unit != "%":
                row_errors.append(PlanDataError(
                    path, row_no, written["value"], cell("value"),
                    f"不带 % 的数值，单位为 {indicator['unit']} (a number without %: the unit is {indicator['unit']})"))
            else:
                low, high, reason = ranges[indicator["indicator_id"]]
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

        if indicator is not None and None not in (region, series, year):
            key = (indicator["indicator_id"], region, series, year)
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
            "indicator_id": indicator["indicator_id"], "indicator_no": indicator["no"],
            "indicator_name": indicator["name_zh"], "region": region, "series": series, "year": year,
            "value": number.value, "qualifier": qualifier or number.qualifier, "unit": indicator["unit"],
            "period_note": cell("period_note").strip(), "source_title": title, "source_url": url,
            "source_quality": quality or "user", "snippet": str(cell("snippet")).strip(),
            "notes": str(cell("notes")).strip(), "imported_at": _nfkc(cell("imported_at")),
            "imported_from": _nfkc(cell("imported_from")), "is_replacement": bool(is_replacement),
            "row": row_no,
        })
    if not records and not errors:
        errors.append(PlanDataError(path, None, None, f"{skipped} 行未填 ({skipped} rows not filled in)",
                                    "至少一行填有年份和数值的数据 (at least one row with a year and a value)"))
    frame = pd.DataFrame(records, columns=_FRAME_COLUMNS) if records else _empty_frame()
    return frame, skipped, errors


_FRAME_COLUMNS = ["indicator_id", "indicator_no", "indicator_name", *TIDY_COLUMNS[2:], *IMPORT_COLUMNS, "row"]


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=_FRAME_COLUMNS)
