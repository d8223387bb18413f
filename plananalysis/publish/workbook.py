"""``scorecard.xlsx``: the review as a workbook an office can use.

Every sheet is a table a person can filter, sort, sum and print:

- **real numbers**: values, years, shares are number cells with number formats (value and year in
  separate columns; P and E as percentages; decimals by unit, as the reports print them:
  :func:`~plananalysis.present.format.excel_format`), never text such as ``"116.3（2023）"``;
- **readable**: headers in the review's language on every sheet, widths fitted to the content,
  long text wrapped, the header row and the first column frozen, a filter on every column, the
  status cells in their colours (:mod:`plananalysis.present.signals`), one font;
- **printable**: A4 landscape, at most two pages wide (the leading columns repeated on the
  second), the header row repeated on every page, the review's title in the page header, page
  numbers and the date in the footer; a wide sheet prints the columns a reader needs
  (:attr:`Sheet.printed`: a value with its qualifier and year as one text, ``≈76（2025年）``),
  the columns for analysis (the numbers as numbers, ids, links) follow, outside the print area;
- **Chinese on the Chinese sheets**: the English research notes of the data files and the file
  names of the plan's folder are left out or named in Chinese (``indicators.csv`` → 主要指标表,
  the glossary's ``file`` terms); names of sources stay as they are;
- **safe**: every text cell through :func:`~plananalysis.files.spreadsheet_text` (an imported
  ``=cmd|…`` stays text), written atomically.

The sheets are a registry, :data:`SHEETS` (a key → a function of the review giving a
:class:`Sheet`, a DataFrame or ``None`` to leave the sheet out), so a sheet is added with one line::

    SHEETS["coverage"] = lambda review: coverage_table(review)   # a Sheet, a DataFrame or None

A function may return a plain DataFrame (headers already in the review's language): its title
comes from :data:`TITLES` and its columns' formats are read from their headers and types
(:func:`as_sheet`).

>>> from plananalysis.context import review_context
>>> sheet = progress_sheet(review_context(as_of=2023))
>>> sheet.title, sheet.kinds["最新值"], sheet.kinds["完成目标进度P"], sheet.status
('主要指标进度', 'number', 'percent', '评估结论')
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pandas as pd

from ..files import spreadsheet_text, write_atomically
from ..observed.cell_styles import CellStyles
from ..present import format as fmt
from ..present import glossary

__all__ = ["Sheet", "SHEETS", "TITLES", "FONT", "as_sheet", "build_sheets", "write_workbook",
           "progress_sheet", "details_sheet", "targets_sheet", "retrospective_sheet", "audit_sheet",
           "observed_sheet", "sources_sheet", "about_sheet", "display_width", "workbook_title"]

#: The one font of the workbook (Office's Chinese UI font; WPS and LibreOffice substitute a CJK sans).
FONT = "Microsoft YaHei"
_SIZE = 10
_HEADER_FILL = "DCE6F1"
_MAX_TEXT = 30      # characters (CJK counted double) a column of short text grows to
_MAX_WRAP = 50      # the width of a column of long text, wrapped
_MAX_HEADER = 12    # a longer header wraps onto a second line
_MIN_WIDTH = 6
_LINE = 14.5        # points a line of text takes (10 pt CJK)

#: The most pages a sheet's printed columns take side by side (fitToWidth).
PRINT_PAGES_WIDE = 2
_PAGE_PIXELS = 1046     # an A4 landscape page inside 0.4-inch margins, in pixels at 96 dpi (column widths: 7 px a unit + 5)

#: Kinds of column: how a cell is written and shown.
KINDS = ("text", "wrap", "number", "percent", "ratio", "year", "integer", "link", "status")


@dataclass
class Sheet:
    """One worksheet: its title, its table (headers in the review's language, numbers as numbers)
    and how each column is shown.

    ``kinds``: column → one of :data:`KINDS` (``text`` when not given); ``units``: for a
    ``number`` column, each row's unit (its decimals, as the reports print them); ``status``: the
    column of status labels, painted in ``colours`` (one per row); ``freeze``: the leading columns
    kept in view (and repeated on a second printed page); ``printed``: the columns printed, in
    their order (written first, the print area; the others follow it), empty: every column.

    >>> sheet = Sheet("表", pd.DataFrame({"指标": ["甲"], "数值": [74.2]}), {"数值": "number"}, {"数值": ["%"]})
    >>> sheet.kind("数值"), sheet.kind("指标")
    ('number', 'text')
    """

    title: str
    frame: pd.DataFrame
    kinds: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    status: str | None = None
    colours: list = field(default_factory=list)
    freeze: int = 1
    printed: list = field(default_factory=list)

    def kind(self, column) -> str:
        return self.kinds.get(column, "text")

    def order(self) -> list:
        """The columns as written: the printed ones first, in their order, then the others.

        >>> Sheet("表", pd.DataFrame({"a": [1], "b": [2], "c": [3]}), printed=["c", "a"]).order()
        ['c', 'a', 'b']
        """
        columns = list(self.frame.columns)
        printed = [c for c in self.printed if c in columns]
        return printed + [c for c in columns if c not in printed]

    def print_width(self) -> int:
        """How many columns the print area holds.

        >>> Sheet("表", pd.DataFrame({"a": [1], "b": [2]})).print_width()
        2
        """
        return len([c for c in self.printed if c in self.frame.columns]) or len(self.frame.columns)


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


#: Each registered sheet's title in Chinese and English (a function that returns a DataFrame gets it).
TITLES = {
    "progress": ("主要指标进度", "Indicators"),
    "details": ("计算明细", "Calculation"),
    "targets": ("章节量化目标", "Chapter targets"),
    "retrospective": ("上期规划回顾", "Previous plan"),
    "audit": ("一致性检查", "Audit"),
    "observed": ("观测数据", "Observed data"),
    "sources": ("来源", "Sources"),
    "about": ("说明", "About"),
}


def _title(review, key: str) -> str:
    zh, en = TITLES.get(key, (key, key))
    return _t(review.lang, zh, en)


# ---------------------------------------------------------------- the sheets


def _with_projection(review, frame: pd.DataFrame, table: pd.DataFrame, final: bool, kinds: dict,
                     found: pd.DataFrame) -> pd.DataFrame:
    """The reader's columns added to :func:`~plananalysis.present.tables.progress_data`: binding or
    expected where the plan marks it; in a final review no E, no q and no projection (``found``:
    the rows' results)."""
    lang = review.lang
    frame = frame.copy()
    attribute = table.get("attribute", pd.Series([""] * len(table))).fillna("").astype(str)
    if attribute.str.strip().ne("").any():
        frame.insert(2, _t(lang, "属性", "Type"),
                     [glossary.label("attribute", a, lang) if a.strip() else "" for a in attribute])
    if final:
        frame = frame.drop(columns=[_t(lang, "序时进度E", "Time elapsed E"), _t(lang, "序时进度E的口径", "Basis of E"),
                                    _t(lang, "进度比q", "Pace q")])
    else:
        end = review.plan.target_year
        where = list(frame.columns).index(_t(lang, "判断数值", "Measure")) + 1
        frame.insert(where, _t(lang, f"预计{end}年", f"Projected {end}"), found["projected"].tolist())
    return frame


def _progress_kinds(lang: str) -> dict:
    return {
        _t(lang, "序号", "No."): "integer",
        _t(lang, "基期值", "Baseline"): "number", _t(lang, "目标值", "Target"): "number",
        _t(lang, "最新值", "Latest value"): "number",
        _t(lang, "基期年份", "Baseline year"): "year", _t(lang, "目标年份", "Target year"): "year",
        _t(lang, "最新年份", "Latest year"): "year",
        _t(lang, "完成目标进度P", "Completion P"): "percent", _t(lang, "序时进度E", "Time elapsed E"): "percent",
        _t(lang, "进度比q", "Pace q"): "ratio", _t(lang, "序时进度E的口径", "Basis of E"): "text",
        _t(lang, "评估结论", "Status"): "status",
        _t(lang, "目标（原文）", "Target (as printed)"): "wrap",
        _t(lang, "依据", "Reason"): "wrap",
    }


def _progress_table_sheet(review, table: pd.DataFrame, title: str, results: pd.DataFrame | None = None) -> Sheet:
    from ..present.results import results_table
    from ..present.signals import is_final
    from ..present.tables import progress_data

    lang = review.lang
    kinds = _progress_kinds(lang)
    found = results_table(table, lang) if results is None else results
    frame = _with_projection(review, progress_data(table, lang, results=results), table, is_final(table), kinds, found)
    latest = _t(lang, "最新值（年份）", "Latest (year)")
    frame[latest] = found["latest"].tolist()
    units = table["unit"].tolist()
    number_units = {c: units for c, k in kinds.items() if k == "number"}
    end = review.plan.target_year
    printed = [_t(lang, *pair) for pair in (("序号", "No."), ("指标", "Indicator"), ("单位", "Unit"), ("属性", "Type"),
                                            ("基期值", "Baseline"), ("目标（原文）", "Target (as printed)"),
                                            ("最新值（年份）", "Latest (year)"), ("完成目标进度P", "Completion P"),
                                            ("序时进度E", "Time elapsed E"), ("评估结论", "Status"),
                                            ("判断数值", "Measure"), (f"预计{end}年", f"Projected {end}"),
                                            ("依据", "Reason"))]
    return Sheet(title, frame, kinds, number_units, _t(lang, "评估结论", "Status"),
                 found["colour"].tolist(), freeze=2, printed=printed)


def progress_sheet(review) -> Sheet:
    """主要指标进度: every headline indicator, its numbers, its status in its colour and the reason.

    >>> from plananalysis.context import review_context
    >>> sheet = progress_sheet(review_context(as_of=2025, lang="en"))
    >>> sheet.title, "Projected 2025" in sheet.frame.columns, "Pace q" in sheet.frame.columns
    ('Indicators', False, False)
    """
    return _progress_table_sheet(review, review.progress, _title(review, "progress"),
                                 review.results[review.results["kind"] == "indicator"].reset_index(drop=True))


# the engine's columns shown in 计算明细, with their kind (headers: the engine's Chinese labels and
# the glossary's English ones, kind "column")
_DETAILS = [
    ("no", "integer"), ("name", "text"), ("unit", "text"), ("rule", "text"), ("direction", "text"),
    ("base_year", "year"), ("base_value", "number"), ("target_year", "year"), ("target_value", "number"),
    ("n_years", "integer"), ("latest_year", "year"), ("latest_value", "number"), ("years_used", "text"),
    ("years_missing", "text"), ("elapsed_years", "ratio"), ("elapsed_share", "percent"),
    ("completion_share", "percent"), ("pace_ratio", "ratio"), ("is_target_met", "text"),
    ("gap_to_target", "number"), ("realised_rate", "number"), ("required_rate", "number"),
    ("remaining_rate", "number"), ("realised_cagr", "percent"), ("required_cagr", "percent"),
    ("remaining_cagr", "percent"), ("projection_linear", "number"), ("projection_cagr", "number"),
    ("projected_share", "percent"), ("is_projected_met", "text"), ("years_ahead", "ratio"),
    ("status", "status"), ("reason", "wrap"), ("caveats", "wrap"),
]
#: The calculation's columns printed (the others, the notes and the projections among them, are for analysis).
_DETAILS_PRINTED = ["no", "name", "unit", "base_year", "base_value", "target_year", "target_value", "latest_year",
                    "latest_value", "completion_share", "elapsed_share", "pace_ratio", "realised_cagr",
                    "required_cagr", "status"]
_MIDTERM_ONLY = {"elapsed_years", "elapsed_share", "pace_ratio", "projection_linear", "projection_cagr",
                 "projected_share", "is_projected_met", "years_ahead", "remaining_rate", "remaining_cagr"}


def _column_header(key: str, lang: str) -> str:
    from ..engine.progress import COLUMN_LABELS_ZH

    label = {"name": "name_zh", "status": "status_zh", "reason": "reason_zh"}.get(key, key)
    if lang == "en":
        return glossary.label("column", key, "en")
    return COLUMN_LABELS_ZH.get(label, glossary.label("column", key, "zh"))


def _yes_no(value, lang: str) -> str:
    if fmt.is_missing(value):
        return ""
    return _t(lang, "是", "yes") if bool(value) else _t(lang, "否", "no")


def details_sheet(review) -> Sheet:
    """计算明细: the numbers behind every verdict (rates, projections, the years used), as numbers.

    >>> from plananalysis.context import review_context
    >>> sheet = details_sheet(review_context(as_of=2023, lang="en"))
    >>> sheet.frame.columns[:3].tolist(), sheet.kinds["Completion P"]
    (['No.', 'Indicator', 'Unit'], 'percent')
    """
    from ..present.signals import is_final

    lang, table = review.lang, review.progress.reset_index(drop=True)
    final = is_final(table)
    found = review.indicator_results()
    names = [n if lang == "en" and not fmt.is_missing(n) else z for n, z in zip(table["name_en"], table["name_zh"])]
    values = {
        "name": names,
        "unit": [glossary.unit_name(u, lang) for u in table["unit"]],
        "rule": [glossary.label("rule", r, lang) for r in table["rule"]],
        "direction": [glossary.label("direction", d, lang) for d in table["direction"]],
        "years_used": ["" if fmt.is_missing(y) else fmt.years_list(y, lang) for y in table["years_used"]],
        "years_missing": ["" if fmt.is_missing(y) else fmt.years_list(y, lang) for y in table["years_missing"]],
        "is_target_met": [_yes_no(v, lang) for v in table["is_target_met"]],
        "is_projected_met": [_yes_no(v, lang) for v in table["is_projected_met"]],
        "status": found["label"].tolist(),
        "reason": found["reason"].tolist(),
        # P, E and q as every output shows them (E: the share the verdict compares P with)
        "completion_share": [fmt.rounded(v, digits=4) for v in found["P"]],
        "elapsed_share": [fmt.rounded(v, digits=4) for v in found["E"]],
        "pace_ratio": [fmt.rounded(v, digits=2) for v in found["q"]],
        "caveats": [glossary.translate(c, lang) if lang == "en" else c for c in table["caveats"].fillna("")],
    }
    frame, kinds, units = {}, {}, {}
    for key, kind in _DETAILS:
        if final and key in _MIDTERM_ONLY:
            continue
        header = _column_header(key, lang)
        if key in values:
            frame[header] = values[key]
        elif kind == "percent":
            frame[header] = [fmt.rounded(v, digits=4) for v in table[key]]
        elif kind in ("year", "integer"):
            frame[header] = [None if fmt.is_missing(v) else int(v) for v in table[key]]
        elif kind == "ratio":
            frame[header] = [fmt.rounded(v, digits=2) for v in table[key]]
        else:
            frame[header] = table[key].tolist()
        kinds[header] = kind
        if kind == "number":
            units[header] = table["unit"].tolist()
    printed = [_column_header(key, lang) for key in _DETAILS_PRINTED if not (final and key in _MIDTERM_ONLY)]
    return Sheet(_title(review, "details"), pd.DataFrame(frame), kinds, units, _column_header("status", lang),
                 found["colour"].tolist(), freeze=2, printed=printed)


def targets_sheet(review) -> Sheet | None:
    """章节量化目标: every catalogue target with its verdict, the latest value (a number, its year
    apart), P (and E at mid-term), the reason, the source, the responsible department and what is
    still needed (a target that restates a headline indicator takes that indicator's values).
    ``None`` when the plan has no catalogue.

    >>> from plananalysis.context import review_context
    >>> sheet = targets_sheet(review_context(as_of=2025))
    >>> row = sheet.frame.set_index("编号").loc["ch04-t06"]
    >>> row["评估结论"], float(row["最新值"]), row["单位"], int(row["数据年份"]), row["责任单位"]
    ('预计完成（据2024年转载数据，待核实）', 8.5, '万人', 2024, '省人力社保厅')
    >>> sheet.kinds["最新值"], sheet.kinds["数据年份"], "序时进度E" in sheet.frame.columns
    ('number', 'year', False)
    """
    from ..present.signals import is_final

    table = review.target_progress
    if table is None or table.empty:
        return None
    lang, table = review.lang, table.reset_index(drop=True)
    final = is_final(table)
    found = review.target_results(table)
    zh = lang != "en"

    def optional_int(values):
        return [None if fmt.is_missing(v) else int(float(v)) for v in values]

    columns = {
        _t(lang, "编号", "Id"): (table["target_id"].tolist(), "text"),
        _t(lang, "章", "Chapter"): (optional_int(table["chapter"]), "integer"),
        _t(lang, "节", "Section"): ([glossary.section(s, lang) for s in table["section"]], "text"),
        _t(lang, "专栏", "Box"): (optional_int(table["box"]), "integer"),
        _t(lang, "内容", "Subject"): (table["subject_zh" if zh else "subject_en"].tolist(), "wrap"),
        _t(lang, "目标", "Target"): ([glossary.target_wording(x, lang, u)
                                     for x, u in zip(table["target_text"], table["unit"])], "text"),
        _t(lang, "目标年份", "Target year"): (optional_int(table["target_year"]), "year"),
        _t(lang, "评估结论", "Status"): (found["label"].tolist(), "status"),
        _t(lang, "最新值", "Latest value"): ([fmt.rounded(v, u, digits=6) for v, u in
                                             zip(table["latest_value"], table["unit"])], "number"),
        _t(lang, "单位", "Unit"): ([glossary.unit_name(u, lang) for u in table["unit"]], "text"),
        _t(lang, "数据年份", "Data year"): (optional_int(table["latest_year"]), "year"),
        _t(lang, "完成目标进度P", "Completion P"): ([fmt.rounded(v, digits=4) for v in found["P"]], "percent"),
        _t(lang, "序时进度E", "Time elapsed E"): ([fmt.rounded(v, digits=4) for v in found["E"]], "percent"),
        _t(lang, "依据", "Reason"): (found["reason"].tolist(), "wrap"),
        _t(lang, "来源", "Source"): ([glossary.to_chinese(x) if zh else x
                                     for x in table["latest_source_title"].fillna("")], "wrap"),
        _t(lang, "链接", "Link"): (table["latest_source_url"].fillna("").tolist(), "link"),
        _t(lang, "责任单位", "Responsible"): (table["department_zh" if zh else "department_en"].fillna("").tolist(), "text"),
        _t(lang, "所需数据", "Still needed"): (table["needed_zh" if zh else "needed_en"].fillna("").tolist(), "wrap"),
        _t(lang, "原文", "Plan's words"): (table["quote"].tolist(), "wrap"),
        _t(lang, "最新值（年份）", "Latest (year)"): (found["latest"].tolist(), "text"),
    }
    if final:
        del columns[_t(lang, "序时进度E", "Time elapsed E")]
    frame = pd.DataFrame({header: values for header, (values, _) in columns.items()})
    kinds = {header: kind for header, (_, kind) in columns.items()}
    units = {_t(lang, "最新值", "Latest value"): table["unit"].tolist()}
    printed = [_t(lang, *pair) for pair in (("章", "Chapter"), ("内容", "Subject"), ("目标", "Target"),
                                            ("评估结论", "Status"), ("最新值（年份）", "Latest (year)"),
                                            ("单位", "Unit"), ("完成目标进度P", "Completion P"),
                                            ("序时进度E", "Time elapsed E"), ("依据", "Reason"),
                                            ("责任单位", "Responsible"))]
    return Sheet(_title(review, "targets"), frame, kinds, units, _t(lang, "评估结论", "Status"),
                 found["colour"].tolist(), freeze=2, printed=printed)


def retrospective_sheet(review) -> Sheet | None:
    """上期规划回顾: the previous plan's table judged as a final review (``None`` when there is none).

    >>> from plananalysis.context import review_context
    >>> sheet = retrospective_sheet(review_context(as_of=2023))
    >>> sheet.title, "序时进度E" in sheet.frame.columns
    ('上期规划回顾', False)
    """
    table = review.retrospective_table
    if table is None or table.empty:
        return None
    return _progress_table_sheet(review, table.reset_index(drop=True), _title(review, "retrospective"))


def audit_sheet(review) -> Sheet:
    """一致性检查: the consistency audit as readers get it (:func:`~plananalysis.present.tables.audit_view`).

    >>> from plananalysis.context import review_context
    >>> audit_sheet(review_context(as_of=2023, lang="en")).frame.columns.tolist()[:2]
    ['Finding', 'Severity']
    """
    from ..present.tables import audit_view

    lang = review.lang
    frame = audit_view(review.audit_table, lang, review.plan)
    kinds = {frame.columns[0]: "wrap", frame.columns[-1]: "wrap"}
    return Sheet(_title(review, "audit"), frame, kinds)


def observed_sheet(review) -> Sheet:
    """观测数据: every observed value as a number, with its year, unit, source and the source's words;
    printed: the value with its qualifier as one text (``≈76``), the number itself beside the ids
    and links, outside the print area.  On the Chinese sheet the notes are Chinese
    (:func:`chinese_note`): the data files' English research notes are in the English workbook.

    >>> from plananalysis.context import review_context
    >>> sheet = observed_sheet(review_context(as_of=2023))
    >>> sheet.kinds["数值（数字）"], sheet.kind("数值"), sheet.kinds["年份"], sheet.kinds["链接"]
    ('number', 'text', 'year', 'link')
    >>> row = sheet.frame[sheet.frame["标注"] == "≈"].iloc[0]
    >>> row["数值"] == "≈" + format(row["数值（数字）"], "g"), "数值（数字）" in sheet.printed
    (True, False)
    """
    from ..present.tables import _value_ids

    lang, observed = review.lang, review.observed.reset_index(drop=True)
    names = review.value_names
    ids = _value_ids(observed)
    regions = {r: glossary.region_name(review.plan, r, lang) for r in observed["region"].dropna().unique()}
    titles = observed["source_title"].fillna("")
    frame = pd.DataFrame({
        _t(lang, "指标或目标", "Indicator or target"): [names.get(i, i) for i in ids],
        _t(lang, "编号", "Id"): ids,
        _t(lang, "地区", "Region"): [regions.get(r, r) for r in observed["region"]],
        _t(lang, "口径", "Series"): [glossary.label("series", s, lang) for s in observed["series"]],
        _t(lang, "年份", "Year"): [None if fmt.is_missing(y) else int(y) for y in observed["year"]],
        _t(lang, "数值", "Value"): [fmt.number(v, u, qualifier=q if isinstance(q, str) else "")
                                    for v, u, q in zip(observed["value"], observed["unit"], observed["qualifier"])],
        _t(lang, "数值（数字）", "Value (number)"): [fmt.rounded(v, u, digits=6)
                                                  for v, u in zip(observed["value"], observed["unit"])],
        _t(lang, "标注", "Qualifier"): observed["qualifier"].fillna("").tolist(),
        _t(lang, "单位", "Unit"): [glossary.unit_name(u, lang) for u in observed["unit"]],
        _t(lang, "来源", "Source"): [glossary.to_chinese(x) if lang == "zh" else x for x in titles],
        _t(lang, "来源类型", "Source type"): [glossary.label("quality", q, lang) for q in observed["source_quality"]],
        _t(lang, "链接", "Link"): observed["source_url"].fillna("").tolist(),
        _t(lang, "原文摘录", "Source's words"): observed["snippet"].fillna("").tolist(),
        _t(lang, "说明", "Notes"): [", ".join(x for x in (p, n) if str(x).strip())
                                    for p, n in zip(observed["period_note"].fillna(""), observed["notes"].fillna(""))]
        if lang == "en" else [chinese_note(p, period=True) or chinese_note(n) for p, n in
                              zip(observed["period_note"].fillna(""), observed["notes"].fillna(""))],
    })
    kinds = {_t(lang, "年份", "Year"): "year", _t(lang, "数值（数字）", "Value (number)"): "number",
             _t(lang, "来源", "Source"): "wrap", _t(lang, "链接", "Link"): "link",
             _t(lang, "原文摘录", "Source's words"): "wrap", _t(lang, "说明", "Notes"): "wrap",
             _t(lang, "指标或目标", "Indicator or target"): "wrap"}
    printed = [_t(lang, *pair) for pair in (("指标或目标", "Indicator or target"), ("地区", "Region"),
                                            ("年份", "Year"), ("数值", "Value"), ("单位", "Unit"), ("口径", "Series"),
                                            ("来源", "Source"), ("来源类型", "Source type"),
                                            ("原文摘录", "Source's words"), ("说明", "Notes"))]
    return Sheet(_title(review, "observed"), frame, kinds, {_t(lang, "数值（数字）", "Value (number)"): observed["unit"].tolist()},
                 printed=printed)


_LATIN_WORD = re.compile(r"[A-Za-z]{4,}")
_AS_OF = re.compile(r"^as of (about )?(\d{4}(?:-\d{2}){0,2})$")


def chinese_note(text, *, period: bool = False) -> str:
    """A note of the data in Chinese, for a Chinese sheet: a period note's parts through the
    glossary (``period`` terms; ``as of 2023-12-31`` → ``截至2023-12-31``), a note with its English
    phrases in Chinese (:func:`~plananalysis.present.glossary.to_chinese`); ``""`` when English
    is left (a research note in English stays in the English workbook).

    >>> chinese_note("preliminary; as of about 2023-11", period=True), chinese_note("final", period=True)
    ('初步数；约截至2023-11', '最终核实数')
    >>> chinese_note("URL MISSING: the public copy carries no URL"), chinese_note("2024年统计公报 (reprint)")
    ('', '2024年统计公报（转载）')
    """
    if fmt.is_missing(text) or not str(text).strip():
        return ""
    if period:
        parts = []
        for part in re.split(r"[;,]\s*", str(text).strip()):
            known = glossary.label("period", part, "zh")
            found = _AS_OF.match(part)
            if known != part:
                parts.append(known)
            elif found:
                parts.append(("约截至" if found.group(1) else "截至") + found.group(2))
            elif not _LATIN_WORD.search(part):
                parts.append(part)
        return "；".join(dict.fromkeys(p for p in parts if p))
    text = glossary.to_chinese(text)
    return "" if _LATIN_WORD.search(text) else text


def sources_sheet(review) -> Sheet:
    """来源: where every file of the plan's folder comes from (its ``sources.yml``).  On the
    Chinese sheet a file is named in Chinese (the glossary's ``file`` terms) and the notes are
    Chinese or left out (:func:`chinese_note`); names of sources stay as they are.

    >>> from plananalysis.context import review_context
    >>> frame = sources_sheet(review_context(as_of=2023)).frame
    >>> frame.columns.tolist()[:3], frame.iloc[0, 0]
    (['文件', '出处', '发布机构'], '规划基本信息')
    """
    lang = review.lang
    zh = lang == "zh"
    rows = []
    for name, meta in (review.plan.sources.get("files", {}) or {}).items():
        meta = meta or {}
        title = str(meta.get("title", "") or "")
        rows.append({
            _t(lang, "文件", "File"): glossary.label("file", name, "zh") if zh else name,
            _t(lang, "出处", "Source"): _ENGLISH_ASIDE.sub("", glossary.to_chinese(title)) if zh and glossary.has_chinese(title)
            else "" if zh else title,
            _t(lang, "发布机构", "Publisher"): glossary.pick(str(meta.get("publisher", "") or ""), lang),
            _t(lang, "发布日期", "Issued"): str(meta.get("issued", "") or meta.get("published", "") or ""),
            _t(lang, "链接", "Link"): str(meta.get("url", "") or ""),
            _t(lang, "所取内容", "Part used"): chinese_note(meta.get("section", "")) if zh else str(meta.get("section", "") or ""),
            _t(lang, "说明", "Note"): chinese_note(meta.get("note", "")) if zh else str(meta.get("note", "") or ""),
        })
    frame = pd.DataFrame(rows, columns=[_t(lang, "文件", "File"), _t(lang, "出处", "Source"),
                                        _t(lang, "发布机构", "Publisher"), _t(lang, "发布日期", "Issued"),
                                        _t(lang, "链接", "Link"), _t(lang, "所取内容", "Part used"),
                                        _t(lang, "说明", "Note")])
    kinds = {_t(lang, "出处", "Source"): "wrap", _t(lang, "链接", "Link"): "link",
             _t(lang, "所取内容", "Part used"): "wrap", _t(lang, "说明", "Note"): "wrap"}
    if zh:   # the notes left out (English): no empty columns
        frame = frame[[c for c in frame.columns if c in ("文件", "出处") or frame[c].astype(str).str.strip().ne("").any()]]
    return Sheet(_title(review, "sources"), frame, kinds)


# an English gloss in brackets after a Chinese name: "行政区划代码 (administrative division codes)"
_ENGLISH_ASIDE = re.compile(r"\s*[(（][A-Za-z][^()（）\u4e00-\u9fff]*[)）]")


def workbook_title(review) -> str:
    """The title printed in every sheet's page header: the plan, the phase, the year.

    >>> from plananalysis.context import review_context
    >>> workbook_title(review_context(as_of=2023)).endswith("中期评估（截至2023年）")
    True
    """
    from ..present.frontpage import front_title

    return front_title(review)


def about_sheet(review) -> Sheet:
    """说明: what the workbook is (plan, phase, year, method, region, date), the headline sentence,
    and the statuses and measures in words.

    >>> from plananalysis.context import review_context
    >>> about_sheet(review_context(as_of=2023)).frame.iloc[0].tolist()[0]
    '评估'
    """
    from ..present.frontpage import method_name
    from ..present.narrative import headline
    from ..present.signals import legend, measure_legend

    lang, params = review.lang, review.params
    phase = review.progress["phase"].iloc[0] if len(review.progress) else params.phase
    rows = [
        (_t(lang, "评估", "Review"), workbook_title(review)),
        (_t(lang, "评估方法", "Method"), method_name(params.method, lang)),
        (_t(lang, "地区", "Region"), glossary.region_name(review.plan, params.region, lang)),
        (_t(lang, "生成日期", "Generated"), date.today().isoformat()),
        (_t(lang, "总体评价", "Summary"), headline(review)),
    ]
    rows += [(f"{r.symbol} {r.label}", r.rule) for r in legend(params.method, phase, lang).itertuples()]
    rows += list(measure_legend(phase, lang))
    frame = pd.DataFrame(rows, columns=[_t(lang, "项目", "Item"), _t(lang, "内容", "Content")])
    return Sheet(_title(review, "about"), frame, {_t(lang, "内容", "Content"): "wrap"})


#: The workbook's sheets, in order: key → function of the review giving a :class:`Sheet`, a
#: DataFrame (titled from :data:`TITLES`) or ``None`` (the sheet is left out).
SHEETS: dict[str, Callable] = {
    "progress": progress_sheet,
    "details": details_sheet,
    "targets": targets_sheet,
    "retrospective": retrospective_sheet,
    "audit": audit_sheet,
    "observed": observed_sheet,
    "sources": sources_sheet,
    "about": about_sheet,
}


# ---------------------------------------------------------------- DataFrames as sheets

_PERCENT_HEADERS = ("完成目标进度P", "序时进度E", "Completion P", "Time elapsed E", "外推完成进度")
_RATIO_HEADERS = ("进度比q", "进度比q=P/E", "Pace q")
_STATUS_HEADERS = ("评估结论", "Status")


def _label_colours(review) -> dict[str, str]:
    return _status_colours(review.params.method, review.params.phase)


@lru_cache(maxsize=16)
def _status_colours(method: str, own: str) -> dict[str, str]:
    """Status label (Chinese or English) → its colour, the labels of phase ``own`` first (the method
    tables are read once per process, :func:`~plananalysis.present.signals.status_table`)."""
    from ..present.signals import status_table

    colours = {}
    for phase in (own, "final" if own != "final" else "midterm"):  # the review's own labels first
        for row in status_table(method, phase).itertuples():
            colours.setdefault(row.label_zh, row.colour)
            colours.setdefault(row.label_en, row.colour)
    return colours


def _colour_of(label, colours: dict) -> str:
    text = "" if fmt.is_missing(label) else str(label)
    best = max((k for k in colours if text.startswith(k)), key=len, default=None)
    return colours[best] if best else "#ffffff"


def as_sheet(review, key: str, result) -> Sheet | None:
    """A registered function's result as a :class:`Sheet`: a Sheet as it is; a DataFrame titled
    from :data:`TITLES`, its number columns as numbers (P and E as percentages, q with two
    decimals, years as years), its status column painted; ``None`` or an empty table: no sheet.

    >>> from plananalysis.context import review_context
    >>> frame = pd.DataFrame({"编号": ["t1"], "目标年份": [2025], "评估结论": ["完成"], "完成目标进度P": [1.02]})
    >>> sheet = as_sheet(review_context(as_of=2025), "targets", frame)
    >>> sheet.title, sheet.kinds["目标年份"], sheet.kinds["完成目标进度P"], sheet.colours
    ('章节量化目标', 'year', 'percent', ['#006d2c'])
    """
    if result is None:
        return None
    if isinstance(result, Sheet):
        return result if len(result.frame.columns) else None
    frame = pd.DataFrame(result).reset_index(drop=True)
    if frame.empty and not len(frame.columns):
        return None
    kinds, status, colours = {}, None, []
    for column in frame.columns:
        name = str(column)
        values = frame[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if name in _STATUS_HEADERS:
            status = column
            kinds[column] = "status"
            table = _label_colours(review)
            colours = [_colour_of(v, table) for v in values]
        elif name in _PERCENT_HEADERS:
            kinds[column] = "percent"
        elif name in _RATIO_HEADERS:
            kinds[column] = "ratio"
        elif name.endswith(("年份", "Year", "year")) or name in ("章", "专栏", "Chapter", "Box", "序号", "No."):
            kinds[column] = "year"
        elif numeric:
            kinds[column] = "number"
        elif values.astype(str).str.len().max() > _MAX_TEXT:
            kinds[column] = "wrap"
    return Sheet(_title(review, key), frame, kinds, status=status, colours=colours)


def build_sheets(review) -> list[Sheet]:
    """Every registered sheet of ``review``, in order, those without rows left out.

    >>> from plananalysis.context import review_context
    >>> [s.title for s in build_sheets(review_context(as_of=2023))][:3]
    ['主要指标进度', '计算明细', '章节量化目标']
    """
    sheets = []
    for key, function in SHEETS.items():
        sheet = as_sheet(review, key, function(review))
        if sheet is not None:
            sheets.append(sheet)
    return sheets


# ---------------------------------------------------------------- writing


def display_width(text) -> int:
    """How many columns a text takes in a spreadsheet: CJK (wide) characters count two.

    >>> display_width("城镇化率"), display_width("74.2"), display_width("q=1.45（2023年）")
    (8, 4, 16)
    """
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in str(text))


def _cell_text(value, kind: str, unit) -> str:
    """The text a cell shows (for the column's width)."""
    if fmt.is_missing(value):
        return ""
    if kind == "number":
        return fmt.number(value, "" if fmt.is_missing(unit) else unit)
    if kind == "percent":
        return fmt.share(value)
    if kind == "ratio":
        return fmt.pace(value)
    if kind in ("year", "integer"):
        return str(value)
    return str(value)


def _cell_value(value, kind: str, unit):
    """What a cell holds: a number for number columns, safe text for the others."""
    if fmt.is_missing(value):
        return None
    if kind == "number":
        return fmt.rounded(value, "" if fmt.is_missing(unit) else unit)
    if kind in ("percent", "ratio"):
        try:
            return float(value)
        except (TypeError, ValueError):
            return spreadsheet_text(str(value))
    if kind in ("year", "integer"):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return spreadsheet_text(str(value))
    if isinstance(value, bool):
        return spreadsheet_text(str(value))
    if isinstance(value, (int, float)) and kind == "text":
        return value
    return spreadsheet_text(str(value))


def _number_format(value, kind: str, unit) -> str:
    if kind == "number":
        return fmt.excel_format(value, "" if fmt.is_missing(unit) else unit)
    return {"percent": "0%", "ratio": "0.00", "year": "0", "integer": "0"}.get(kind, "General")


#: Excel's limit on a page header's or footer's whole text (its font and size codes included):
#: a longer one makes Excel "repair" the workbook.  The text's part is cut well inside it, with …
HEADER_LIMIT = 255
_HEADER_TEXT_LIMIT = 200


def _header_text(text: str) -> str:
    """Text for a page header or footer, printed as it is: one line of text
    (:func:`~plananalysis.present.text.clean_text`), every ``&`` doubled (``&P``, ``&[Path]``,
    ``&F`` are codes otherwise: the page, the file's path, its name), at most 200 characters
    (cut with …).

    >>> _header_text("A&B &[Path] &F"), _header_text("甲\\n乙"), len(_header_text("&" * 400))
    ('A&&B &&[Path] &&F', '甲 乙', 199)
    """
    from ..present.text import clean_text

    text = clean_text(text).replace("&", "&&")
    if len(text) > _HEADER_TEXT_LIMIT:
        text = text[:_HEADER_TEXT_LIMIT - 1]
        text = (text[:-1] if (len(text) - len(text.rstrip("&"))) % 2 else text) + "…"   # never half an &&
    return text


def _write_sheet(book, sheet: Sheet, title: str, lang: str, today: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    from ..engine.methods import text_colour

    ws = book.create_sheet(sheet.title[:31])
    frame = sheet.frame.reset_index(drop=True)[sheet.order()]
    columns = list(frame.columns)
    body = Font(name=FONT, size=_SIZE)
    bold = Font(name=FONT, size=_SIZE, bold=True)
    rule = Side(style="thin", color="BFBFBF")
    header_border = Border(bottom=Side(style="thin", color="808080"))
    # a body cell's format, worked out once per kind of cell (CellStyles), copied to the others
    styles, body_border = CellStyles(), Border(bottom=rule)
    link_font = Font(name=FONT, size=_SIZE, color="1F5FA8", underline="single")
    right_aligned = Alignment(vertical="top", horizontal="right", indent=1)
    centred = Alignment(vertical="top", horizontal="center", indent=0)
    link_alignment = Alignment(vertical="top", indent=1)
    text_alignment = {wrap: Alignment(vertical="top", wrap_text=wrap, indent=1) for wrap in (False, True)}
    widths, wrapped = [], []
    for j, column in enumerate(columns, start=1):
        kind = sheet.kind(column)
        numeric = kind in ("number", "percent", "ratio")
        cell = ws.cell(row=1, column=j, value=spreadsheet_text(str(column)))
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="right" if numeric else "left",
                                   indent=1)
        cell.border = header_border
        units = sheet.units.get(column)
        longest = min(display_width(column), _MAX_HEADER)
        for i, value in enumerate(frame[column].tolist(), start=2):
            unit = units[i - 2] if units is not None and i - 2 < len(units) else ""
            cell = ws.cell(row=i, column=j, value=_cell_value(value, kind, unit))
            number = kind in ("number", "percent", "ratio", "year", "integer") and isinstance(cell.value, (int, float))
            link = not number and kind == "link" and isinstance(cell.value, str) \
                and cell.value.startswith(("http://", "https://"))
            if link:
                cell.hyperlink = cell.value
                styles.apply(cell, font=link_font, border=body_border, alignment=link_alignment)
            elif number:
                # a number keeps a space on its right, so that it never runs into the next column's text
                styles.apply(cell, font=body, border=body_border, number_format=_number_format(value, kind, unit),
                             alignment=centred if kind in ("year", "integer") else right_aligned)
            else:
                styles.apply(cell, font=body, border=body_border, alignment=text_alignment[kind == "wrap"])
            longest = max(longest, display_width(_cell_text(value, kind, unit)))
        wrap = kind == "wrap" or (kind not in ("link",) and longest > _MAX_TEXT)
        if kind == "wrap":
            width = min(max(longest, 12), _MAX_WRAP)
        elif kind == "link":
            width = min(longest, 30)
        else:
            width = min(longest, _MAX_TEXT)
        if wrap and kind != "wrap":  # a long text in a column of short ones: wrapped at the cap
            for i in range(2, len(frame) + 2):
                ws.cell(row=i, column=j).alignment = Alignment(wrap_text=True, vertical="top", indent=1)
        width = max(_MIN_WIDTH, width + 3)
        widths.append(width)
        wrapped.append(wrap)
        ws.column_dimensions[get_column_letter(j)].width = width
    # rows as tall as their wrapped text (spreadsheets do not all fit them on opening)
    header_lines = max((-(-display_width(c) // max(1, w - 2)) for c, w in zip(columns, widths)), default=1)
    ws.row_dimensions[1].height = _LINE * min(max(1, header_lines), 3) + 4
    for i in range(len(frame)):
        lines = 1
        for j, column in enumerate(columns):
            if wrapped[j]:
                text = _cell_text(frame.iat[i, j], sheet.kind(column), "")
                lines = max(lines, sum(max(1, math.ceil(0.9 * display_width(part) / max(1, widths[j] - 3)))
                                       for part in str(text).split("\n")))
        if lines > 1:
            ws.row_dimensions[i + 2].height = _LINE * min(lines, 12) + 2
    if sheet.status in columns and sheet.colours:
        j = columns.index(sheet.status) + 1
        for i, colour in enumerate(sheet.colours, start=2):
            if i - 2 >= len(frame) or not colour:
                continue
            cell = ws.cell(row=i, column=j)
            hex_colour = str(colour).lstrip("#").upper()
            if hex_colour != "FFFFFF":
                cell.fill = PatternFill("solid", fgColor=hex_colour)
            cell.font = Font(name=FONT, size=_SIZE, bold=True, color=text_colour(str(colour)).lstrip("#").upper())
    last = get_column_letter(max(1, len(columns)))
    ws.freeze_panes = ws.cell(row=2, column=min(sheet.freeze, max(0, len(columns) - 1)) + 1)
    ws.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
    # print set-up: A4 landscape, the printed columns at most two pages wide (the leading columns
    # repeated on the second), the header row on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    printed = sheet.print_width()
    # one page wide when the printed columns fit at three quarters of their size, else two
    pixels = sum(int(w * 7 + 5) for w in widths[:printed])
    ws.page_setup.fitToWidth = 1 if pixels <= _PAGE_PIXELS / 0.75 else PRINT_PAGES_WIDE
    ws.page_setup.pageOrder = "overThenDown"    # a row's two halves on consecutive pages
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{get_column_letter(max(1, printed))}{len(frame) + 1}"
    if printed > 2 and sheet.freeze > 0:
        ws.print_title_cols = f"A:{get_column_letter(min(sheet.freeze, printed - 1))}"
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.page_margins.header = ws.page_margins.footer = 0.3
    font = f"{FONT},Regular"
    ws.oddHeader.center.text = _header_text(f"{title} · {sheet.title}")
    ws.oddHeader.center.size = 9
    ws.oddHeader.center.font = font
    ws.oddFooter.left.text = _header_text(_t(lang, f"生成日期：{today}", f"Generated {today}"))
    ws.oddFooter.left.size = 9
    ws.oddFooter.left.font = font
    ws.oddFooter.right.text = _t(lang, "第 &P 页，共 &N 页", "Page &P of &N")
    ws.oddFooter.right.size = 9
    ws.oddFooter.right.font = font


def write_workbook(target: Path, params, *, today: date | None = None) -> Path:
    """Write the review's workbook (every sheet of :data:`SHEETS`) to ``target``, atomically.

    ``write_workbook(Path("reports/…/scorecard.xlsx"), validate(as_of=2023))`` is what the review
    runs (in a thread, beside the notebooks; about a second).

    >>> import tempfile
    >>> from openpyxl import load_workbook
    >>> from plananalysis.params import validate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> book = load_workbook(write_workbook(Path(tmp.name) / "scorecard.xlsx", validate(as_of=2023, lang="en")))
    >>> book.sheetnames[:2], book["Indicators"].freeze_panes, book["Indicators"].page_setup.orientation
    (['Indicators', 'Calculation'], 'C2', 'landscape')
    >>> tmp.cleanup()
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..context import review_context

    review = review_context(params)
    from openpyxl.utils.indexed_list import IndexedList

    book = Workbook()
    book.remove(book.active)
    # one font: the default of every cell (empty ones too) and of the Normal style
    book._fonts = IndexedList([Font(name=FONT, size=_SIZE)])
    for style in book._named_styles:
        if style.name == "Normal":
            style.font = Font(name=FONT, size=_SIZE)
    title = workbook_title(review)
    day = (today or date.today()).isoformat()
    for sheet in build_sheets(review):
        _write_sheet(book, sheet, title, review.lang, day)
    book.properties.title = title
    book.properties.creator = "plananalysis"
    book.properties.language = "zh-CN" if review.lang == "zh" else "en"
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomically(target, buffer.getvalue())
