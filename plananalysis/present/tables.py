"""Tables that read well: the progress table with Chinese headers, units, colours and links.

One styling for notebooks, HTML reports and the Excel scorecard:

>>> from plananalysis.plan.folder import load_plan
>>> from plananalysis.engine.progress import assess
>>> view = progress_view(assess(load_plan(), as_of=2023))
>>> list(view.columns)[:4]
['序号', '指标', '单位', '2020年基期']
>>> styled = style_progress(assess(load_plan(), as_of=2023))   # a pandas Styler, shown as HTML
"""

from __future__ import annotations

import html
import math

import pandas as pd

from ..engine.methods import text_colour

__all__ = ["plain", "progress_view", "style_progress", "status_colours", "format_number",
           "observed_view", "HEADERS"]

# Columns of the reader's view of a progress table: (source column, zh header, en header).
HEADERS = [
    ("no", "序号", "No."),
    ("name", "指标", "Indicator"),
    ("unit", "单位", "Unit"),
    ("baseline_printed", "{base}年基期", "{base} baseline"),
    ("target_printed", "{end}年目标", "{end} target"),
    ("latest", "最新值（年份）", "Latest (year)"),
    ("completion_share", "完成目标进度P", "Completion P"),
    ("elapsed_share", "序时进度E", "Time elapsed E"),
    ("status", "评估结论", "Status"),
    ("projected", "预计{end}年", "Projected {end}"),
    ("reason", "依据", "Reason"),
]


def format_number(value, digits: int = 2) -> str:
    """Numbers as a Chinese report prints them: thousands separators, no trailing zeros.

    >>> format_number(52397), format_number(74.20), format_number(float("nan"))
    ('52,397', '74.2', '—')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    text = f"{float(value):,.{digits}f}".rstrip("0").rstrip(".")
    return text


def _percent(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value) * 100:.0f}%"


def status_colours(method: str = "cn-schedule", phase: str = "midterm") -> dict[str, str]:
    """Status id → colour, from the one declared table (data/methods/status_labels.csv).

    >>> colours = status_colours("cn-schedule", "midterm")
    >>> colours["ahead"], colours["behind"]
    ('#006d2c', '#fdae6b')
    """
    from ..engine.methods import status_labels

    table = status_labels(method, phase)
    return dict(zip(table["status_id"], table["colour"]))


def progress_view(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The progress table as a reader sees it: a few columns, formatted, with headers in ``lang``.

    >>> from plananalysis.plan.folder import load_plan
    >>> from plananalysis.engine.progress import assess
    >>> view = progress_view(assess(load_plan(), as_of=2023), "en").set_index("Indicator")
    >>> view.loc["Urbanisation rate of resident population", ["2025 target", "Latest (year)", "Status"]].tolist()
    ['75左右', '74.2（2023）', 'Ahead of schedule']
    """
    zh = lang == "zh"
    latest = [
        "—" if _missing(v) else f"{q or ''}{format_number(v, 3)}（{int(y)}）"
        for v, q, y in zip(table["latest_value"], table["latest_qualifier"].fillna(""), table["latest_year"])
    ]
    view = pd.DataFrame({
        "no": table["no"],
        "name": table["name_zh" if zh else "name_en"],
        "unit": table["unit"],
        "baseline_printed": table["baseline_printed"].replace("", "—"),
        "target_printed": table["target_printed"],
        "latest": latest,
        "completion_share": [_percent(v) for v in table["completion_share"]],
        "elapsed_share": [_percent(v) for v in table["elapsed_share"]],
        "status": table["status_zh" if zh else "status_en"],
        "projected": table["projected_zh"].fillna("—") if zh else table["is_projected_met"].map(
            {True: "likely met", False: "unlikely"}).fillna("—"),
        "reason": table["reason_zh" if zh else "reason_en"],
    })
    years = {"base": _mode_year(table, "base_year"), "end": _mode_year(table, "target_year")}
    view.columns = [(h[1] if zh else h[2]).format(**years) for h in HEADERS]
    return view


def _mode_year(table: pd.DataFrame, column: str) -> str:
    """The year most rows share (the plan's base or target year), for a column header."""
    years = pd.to_numeric(table[column], errors="coerce").dropna() if column in table else pd.Series(dtype=float)
    return str(int(years.mode().iloc[0])) if len(years) else ""


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


_CELL_STYLES = [{"selector": "th", "props": "background:#f0f0f0; text-align:left; padding:4px 6px"},
                {"selector": "td", "props": "padding:4px 6px; border-bottom:1px solid #ddd; text-align:left"}]


def plain(frame: pd.DataFrame):
    """Any table as a report shows it: no index, left-aligned, light rules.

    >>> plain(pd.DataFrame({"指标": ["甲"]})).to_html().count("<td")
    1
    """
    return frame.style.hide(axis="index").set_table_styles(_CELL_STYLES)


def style_progress(table: pd.DataFrame, lang: str = "zh"):
    """:func:`progress_view` as a pandas Styler: the status cell in its colour.

    >>> from plananalysis.plan.folder import load_plan
    >>> from plananalysis.engine.progress import assess
    >>> styled = style_progress(assess(load_plan(), as_of=2023))  # shown as HTML in a notebook
    >>> html = styled.to_html()
    >>> "快于预期" in html, "background-color: #006d2c" in html  # 'ahead' in its green
    (True, True)
    """
    method = table["method"].iloc[0] if len(table) else "cn-schedule"
    phase = table["phase"].iloc[0] if len(table) else "midterm"
    colours = status_colours(method, phase)
    view = progress_view(table, lang)
    status_header = view.columns[8]
    by_label = dict(zip(table["status_zh" if lang == "zh" else "status_en"], table["status_id"]))

    def paint(label):
        colour = colours.get(by_label.get(label, ""), "#ffffff")
        return f"background-color: {colour}; color: {text_colour(colour)}; font-weight: 600"

    return plain(view).map(paint, subset=[status_header]).set_properties(**{"font-size": "13px"})


def observed_view(observed: pd.DataFrame, lang: str = "zh", names: dict | None = None) -> pd.DataFrame:
    """Observed values with their sources as links (HTML), for reports and apps.

    ``names`` maps indicator ids to the names to show (default: the ids).

    >>> observed = pd.DataFrame({"indicator_id": ["urbanisation_rate"], "region": ["某省"],
    ...     "series": ["plan"], "year": [2023], "value": [74.2], "qualifier": [""], "unit": ["%"],
    ...     "source_title": ["2023年统计公报"], "source_url": ["https://tjj.zj.gov.cn/"],
    ...     "source_quality": ["official"]})
    >>> observed_view(observed).loc[0, ["数值", "来源"]].tolist()
    ['74.2', '<a href="https://tjj.zj.gov.cn/">2023年统计公报</a>']
    """
    zh = lang == "zh"
    links = [
        f'<a href="{html.escape(u)}">{html.escape(t or u)}</a>' if u else html.escape(t or "")
        for t, u in zip(observed["source_title"].fillna(""), observed["source_url"].fillna(""))
    ]
    view = pd.DataFrame({
        "指标" if zh else "Indicator": observed["indicator_id"].map(lambda i: (names or {}).get(i, i)),
        "地区" if zh else "Region": observed["region"],
        "口径" if zh else "Series": observed["series"],
        "年份" if zh else "Year": observed["year"],
        "数值" if zh else "Value": [f"{q}{format_number(v, 3)}" for q, v in
                                     zip(observed["qualifier"].fillna(""), observed["value"])],
        "单位" if zh else "Unit": observed["unit"],
        "来源" if zh else "Source": links,
        "来源类型" if zh else "Quality": observed["source_quality"],
    })
    return view
