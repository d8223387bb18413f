"""Charts: one Altair theme and one function per chart kind, for reports and apps alike.

Every chart function takes the package's tidy frames (a Table 2 indicator row, observed
rows as returned by ``plananalysis.observed.load.load_observed()``, a progress table), returns
an Altair chart and labels it in Chinese (``lang="zh"``, the default) or English
(``lang="en"``).  Colours per status come from one declared table
(``data/methods/status_labels.csv``, shared with the progress engine) and get darker
with the status order, so they stay apart when a report is printed in grey.

Offline rendering: :func:`to_svg` and :func:`to_png` convert through vl-convert with the
CJK font registered; :func:`enable_offline_rendering` switches notebooks (papermill
reports, Voilà) to static SVG output, which needs no CDN.

>>> import pandas as pd
>>> from plananalysis.plan.folder import load_plan
>>> row = load_plan().indicator("urbanisation_rate")
>>> observed = pd.DataFrame({"year": [2021, 2022, 2023], "value": [72.7, 73.4, 74.2]})
>>> spec = trajectory(row, observed).to_dict()
>>> spec["title"]["text"]
'常住人口城镇化率'
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from pathlib import Path

import altair as alt
import pandas as pd

from ..errors import PlanDataError
from ..engine.methods import text_colour
from . import format as fmt
from . import glossary
from .fonts import register_fonts

__all__ = [
    "THEME_NAME", "FONT_FAMILY", "NUMBER_FORMAT", "YEAR_FORMAT", "PERCENT_FORMAT",
    "use_theme", "theme_config", "status_table", "status_palette",
    "trajectory", "ProjectionChart", "status_matrix", "status_counts", "completion_bars", "sparkline",
    "register_fonts", "to_svg", "to_png", "enable_offline_rendering",
]

THEME_NAME = "plananalysis"

#: CSS font list: the Debian/Noto CJK family first (vl-convert and Linux browsers), then
#: what Chinese readers have on macOS/Windows, then the generic family.
FONT_FAMILY = ("Noto Sans CJK SC, Source Han Sans SC, Noto Sans SC, PingFang SC, "
               "Microsoft YaHei, WenQuanYi Micro Hei, sans-serif")

#: d3-format for values: thousands separators, no trailing zeros (1,650 · 74.2 · 0.016).
NUMBER_FORMAT = ",~f"
#: Axis labels as the one formatter writes numbers: grouped in thousands from 10,000 (4355, 41,500).
AXIS_LABELS = "abs(datum.value) >= 10000 ? format(datum.value, ',~f') : format(datum.value, '~f')"
#: Years are plain integers (2025, not 2,025).
YEAR_FORMAT = "d"
#: Completion shares (P, E) as whole percents.
PERCENT_FORMAT = ".0%"

# d3 locales for Chinese (zh-CN); the same as vl_convert.get_format_locale("zh-CN") and
# get_time_format_locale("zh-CN"), written out so building a spec needs no conversion engine.
_ZH_NUMBER_LOCALE = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}
_ZH_TIME_LOCALE = {
    "dateTime": "%x %A %X", "date": "%Y年%-m月%-d日", "time": "%H:%M:%S",
    "periods": ["上午", "下午"],
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
               "十一月", "十二月"],
    "shortMonths": ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月",
                    "十月", "十一月", "十二月"],
}

# Ink for the trajectory chart: dark for the indicator, mid grey for the schedule, light
# fills for regions; elements also differ by dash and marker so they survive greyscale.
_INK = "#1f3b73"          # the indicator (plan series), baseline and projection
_SCHEDULE = "#6b6b6b"     # 序时进度 path
_TARGET = "#1a9850"       # target marker and target regions (filled lightly)
_CONTEXT = "#a0a0a0"      # other series, never compared with the target
# names of the projection's datasets in a ProjectionChart
_PROJECTION_PATH, _PROJECTION_POINT = "projection_path", "projection_point"
_FLOW = "#c9c9c9"         # annual flows under a cumulative sum

_FONT_SIZES = {"label": 11, "title": 12, "chart_title": 15, "subtitle": 11}

_TEXT = {
    "zh": {
        "year": "年份", "baseline": "基期", "observed": "实际值", "schedule": "序时进度",
        "target": "目标", "target_band": "目标区间", "floor": "目标下限", "ceiling": "目标上限",
        "projection": "预测", "projection_range": "预测区间", "context": "其他口径",
        "context_note": "其他口径，不与目标比较", "value": "数值", "qualifier": "数值性质",
        "source": "来源", "period": "口径说明", "series": "口径", "count": "指标数",
        "status": "进展状态", "category": "类别", "indicator": "指标", "completion": "完成进度",
        "schedule_share": "序时进度", "cumulative": "累计", "annual_flow": "当年新增",
        "avg_growth_floor": "年均增长下限", "flow_note": "灰柱为当年新增", "target_year": "目标年", "base_year": "基期年",
        "no_data": "暂无数据", "gap": "缺{years}年数据，无法累计",
        "capped": "超过{cap}的条形在{cap}处截断，标签为实际值（›）",
        "subtitle": "目标：{target}（{target_year}年）；基期：{baseline}（{baseline_year}年）",
        "subtitle_nobase": "目标：{target}（{target_year}年）",
        "cumulative_title": "{name}（{start}—{end}年累计）",
        "yearly_title": "{name}（每年新增）",
        "flows_left_out": "年度降幅不在累计轴上绘出（见数据表）",
        "yearly_pace": "每年需{pace}（合计{total}）",
        "q": {"": "精确值", "≈": "约数（≈）", ">": "下界（高于）", "<": "上界（低于）"},
    },
    "en": {
        "year": "Year", "baseline": "Baseline", "observed": "Observed", "schedule": "Schedule",
        "target": "Target", "target_band": "Target band", "floor": "Target floor",
        "ceiling": "Target", "projection": "Projection",
        "projection_range": "Projection range", "context": "Other series",
        "context_note": "other series, not compared with the target", "value": "Value",
        "qualifier": "Qualifier", "source": "Source", "period": "Period note",
        "series": "Series", "count": "Indicators", "status": "Status",
        "category": "Category", "indicator": "Indicator", "completion": "Completion",
        "schedule_share": "Schedule share", "cumulative": "Cumulative",
        "annual_flow": "Annual flow", "avg_growth_floor": "Average growth floor",
        "flow_note": "grey bars: annual flows",
        "target_year": "Target year", "base_year": "Base year", "no_data": "no data yet",
        "capped": "bars past {cap} stop there; the label gives the real value (›)",
        "gap": "no data for {years}: cannot sum",
        "subtitle": "Target: {target} ({target_year}); baseline: {baseline} ({baseline_year})",
        "subtitle_nobase": "Target: {target} ({target_year})",
        "cumulative_title": "{name} (sum {start}–{end})",
        "yearly_title": "{name} (each year)",
        "flows_left_out": "yearly declines are not drawn on the cumulative axis (see the data table)",
        "yearly_pace": "{pace} a year needed (total {total})",
        "q": {"": "exact", "≈": "rounded (≈)", ">": "lower bound (>)", "<": "upper bound (<)"},
    },
}

_QUALIFIER_SHAPES = {"": "circle", "≈": "circle", ">": "triangle-up", "<": "triangle-down"}
_QUALIFIER_FILLED = {"": True, "≈": False, ">": True, "<": True}


def _text(lang: str) -> dict:
    if lang not in _TEXT:
        raise ValueError(f"lang 应为 'zh' 或 'en' (lang must be 'zh' or 'en'), got {lang!r}")
    return _TEXT[lang]


# --------------------------------------------------------------------------- theme

def theme_config(lang: str = "zh") -> dict:
    """The theme as a Vega-Lite top-level dict: CJK font list, sizes, Chinese locales.

    The locale goes into the spec's ``config`` so every renderer (vl-convert, the browser,
    ``alt.JupyterChart``) formats numbers alike.

    >>> cfg = theme_config()["config"]
    >>> cfg["font"].split(",")[0]
    'Noto Sans CJK SC'
    >>> cfg["locale"]["number"]["thousands"]
    ','
    """
    s = _FONT_SIZES
    axis = {"labelFontSize": s["label"], "titleFontSize": s["title"], "titleFontWeight": "normal",
            "labelColor": "#333333", "titleColor": "#333333", "gridColor": "#e6e6e6",
            "domainColor": "#888888", "tickColor": "#888888", "labelFont": FONT_FAMILY,
            "titleFont": FONT_FAMILY}
    return {
        "config": {
            "font": FONT_FAMILY,
            "locale": {"number": _ZH_NUMBER_LOCALE, "time": _ZH_TIME_LOCALE},
            "numberFormat": NUMBER_FORMAT,
            "axis": axis,
            "legend": {"labelFontSize": s["label"], "titleFontSize": s["title"],
                       "labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY,
                       "titleFontWeight": "normal", "symbolStrokeWidth": 1.5},
            "header": {"labelFontSize": s["label"], "titleFontSize": s["title"],
                       "labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY},
            "title": {"fontSize": s["chart_title"], "subtitleFontSize": s["subtitle"],
                      "font": FONT_FAMILY, "subtitleFont": FONT_FAMILY, "anchor": "start",
                      "fontWeight": "bold", "subtitleColor": "#555555", "offset": 8},
            "text": {"font": FONT_FAMILY, "fontSize": s["label"]},
            "view": {"stroke": None, "continuousWidth": 420, "continuousHeight": 260},
            "range": {"category": ["#1f3b73", "#a0a0a0", "#d95f0e", "#1a9850", "#7f0000"]},
            "background": "white",
        }
    }


_THEME_LOCK = threading.Lock()
_THEME_REGISTERED = False


def _register_theme() -> None:
    """Register the theme with Altair, once per process: ``alt.theme.names()`` reads the
    installed packages' entry points each time it is called (≈ 25 ms, twice a chart)."""
    global _THEME_REGISTERED
    with _THEME_LOCK:
        if not _THEME_REGISTERED:
            if THEME_NAME not in alt.theme.names():
                alt.theme.register(THEME_NAME, enable=False)(lambda: theme_config())
            _THEME_REGISTERED = True


def use_theme() -> str:
    """Register (once) and enable the ``plananalysis`` Altair theme; return its name.

    >>> use_theme()
    'plananalysis'
    >>> import altair as alt
    >>> alt.theme.active
    'plananalysis'
    >>> _ = alt.theme.enable("default")
    """
    _register_theme()
    alt.theme.enable(THEME_NAME)
    return THEME_NAME


# --------------------------------------------------------------------------- statuses

def status_table(method: str = "cn-schedule", phase: str = "midterm") -> pd.DataFrame:
    """The statuses of one method and phase, in the method's order, with labels and colours.

    Read through :func:`plananalysis.engine.methods.status_labels` from the one declared table,
    ``data/methods/status_labels.csv``, shared with the progress engine (columns
    ``status_id, order, label_zh, label_en, symbol, colour`` …).

    >>> table = status_table("cn-schedule", "midterm")
    >>> table["status_id"].tolist()
    ['achieved', 'ahead', 'on_track', 'behind', 'reverse', 'qualitative', 'no_data', 'not_assessable']
    >>> status_table("cn-schedule", "final")["label_zh"].tolist()[:2]
    ['超额完成', '完成']
    """
    from ..engine.methods import LABELS_PATH, status_labels

    table = status_labels(method, phase)
    if table.empty:
        raise PlanDataError(LABELS_PATH, None, "method, phase", (method, phase),
                            "表中已声明的方法与阶段 (a method and phase declared in the table)")
    for row in table.itertuples():
        colour = str(row.colour)
        if not (colour.startswith("#") and len(colour) in (4, 7)):
            raise PlanDataError(LABELS_PATH, None, "colour", colour, "#rrggbb 颜色 (hex colour)")
    return table.sort_values("order").reset_index(drop=True)


def status_palette(method: str = "cn-schedule", phase: str = "midterm",
                   lang: str = "zh") -> tuple[list[str], list[str]]:
    """``(domain, range)`` for an Altair colour scale: status labels in order and their colours.

    >>> domain, colours = status_palette()
    >>> domain[:3], colours[0]
    (['提前实现', '快于预期', '基本符合预期'], '#00331a')
    >>> len(domain) == len(colours)
    True
    >>> status_palette(lang="en")[0][0]
    'Achieved ahead of time'
    """
    _text(lang)
    table = status_table(method, phase)
    return table[f"label_{lang}"].tolist(), table["colour"].tolist()


def _status_frame(table: pd.DataFrame, method: str, phase: str, lang: str,
                  status_column: str | None) -> pd.DataFrame:
    """Add ``_status`` (label in ``lang``), ``_order`` and ``_colour`` to a progress table.

    The status column may hold status ids or labels in either language.
    """
    statuses = status_table(method, phase)
    column = status_column or _first_column(table, ["status_id", "status", f"status_{lang}",
                                                    "status_zh", "status_en", f"label_{lang}",
                                                    "label_zh", "label_en"], "status")
    lookup = {}
    for _, s in statuses.iterrows():
        for key in (s["status_id"], s["label_zh"], s["label_en"]):
            lookup[str(key)] = s
    out = table.copy()
    unknown = sorted({str(v) for v in out[column] if str(v) not in lookup})
    if unknown:
        raise PlanDataError("progress table", None, column, unknown[0],
                            f"{method}/{phase} 的状态 (a status of {method}/{phase}): "
                            + ", ".join(statuses["status_id"]))
    out["_status"] = [lookup[str(v)][f"label_{lang}"] for v in out[column]]
    out["_order"] = [int(lookup[str(v)]["order"]) for v in out[column]]
    out["_colour"] = [lookup[str(v)]["colour"] for v in out[column]]
    return out


def _with_categories(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table with a category per row: its own ``category_zh``/``category_en`` (the review
    context's progress table carries them), or one group for all when it has none."""
    if any(c in table.columns for c in ("category_zh", "category_en", "category")):
        return table
    return table.assign(category_zh="全部指标", category_en="All indicators")


def _first_column(table: pd.DataFrame, candidates: list[str], what: str) -> str:
    for c in candidates:
        if c in table.columns:
            return c
    raise PlanDataError("progress table", None, what, list(table.columns),
                        "其中一列 (one of the columns) " + ", ".join(candidates))


# --------------------------------------------------------------------------- helpers

def _get(mapping, key, default=None):
    """``mapping[key]`` for a dict or Series, with NaN/None/'' read as missing."""
    if mapping is None:
        return default
    try:
        value = mapping[key] if key in mapping else default
    except (TypeError, KeyError):
        return default
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    if isinstance(value, str) and value.strip() == "":
        return default
    try:
        if pd.isna(value):
            return default
    except (TypeError, ValueError):
        pass
    return value


def _number(mapping, key) -> float | None:
    value = _get(mapping, key)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _fmt(value: float, unit: str = "") -> str:
    """A value in a chart's label, by the package's one formatter (decimals by unit)."""
    return fmt.number(value, unit)


def _tidy_observed(observed: pd.DataFrame | None) -> pd.DataFrame:
    """Observed rows with ``year`` (int), ``value`` (float), ``qualifier`` ('' when exact), ``series``."""
    if observed is None or len(observed) == 0:
        return pd.DataFrame({"year": pd.Series(dtype=int), "value": pd.Series(dtype=float),
                             "qualifier": pd.Series(dtype=str), "series": pd.Series(dtype=str)})
    missing = [c for c in ("year", "value") if c not in observed.columns]
    if missing:
        raise PlanDataError("observed", None, ", ".join(missing), list(observed.columns),
                            "列 year 和 value (columns year and value)")
    out = observed.copy()
    out["year"] = pd.to_numeric(out["year"]).astype(int)
    out["value"] = pd.to_numeric(out["value"]).astype(float)
    if "qualifier" not in out.columns:
        out["qualifier"] = ""
    out["qualifier"] = out["qualifier"].fillna("").astype(str).str.strip()
    if "series" not in out.columns:
        out["series"] = "plan"
    out["series"] = out["series"].fillna("plan").replace("", "plan").astype(str)
    bad = out[~out["qualifier"].isin(list(_QUALIFIER_SHAPES))]
    if len(bad):
        raise PlanDataError("observed", int(bad.index[0]), "qualifier", bad["qualifier"].iloc[0],
                            "'', '≈', '>' 或 '<'")
    return out.sort_values(["series", "year"]).reset_index(drop=True)


def _tooltip_fields(frame: pd.DataFrame, t: dict) -> list:
    fields = [alt.Tooltip("year:Q", title=t["year"], format=YEAR_FORMAT),
              alt.Tooltip("value:Q", title=t["value"], format=NUMBER_FORMAT),
              alt.Tooltip("qualifier_label:N", title=t["qualifier"])]
    for column, title in (("series", t["series"]), ("period_note", t["period"]),
                          ("source_title", t["source"])):
        if column in frame.columns and frame[column].astype(str).str.len().gt(0).any():
            fields.append(alt.Tooltip(f"{column}:N", title=title))
    return fields


def _observed_layers(points: pd.DataFrame, x, y, t: dict, colour: str, legend: bool,
                     connect: bool = True) -> list:
    """A line through the points and one marker per point, shaped by qualifier."""
    layers = []
    if points.empty:
        return layers
    points = points.copy()
    points["qualifier_label"] = points["qualifier"].map(t["q"])
    present = [q for q in _QUALIFIER_SHAPES if q in set(points["qualifier"])]
    domain = [t["q"][q] for q in present]
    shapes = [_QUALIFIER_SHAPES[q] for q in present]
    keep = [c for c in ("year", "value", "qualifier", "qualifier_label", "series", "period_note",
                        "source_title") if c in points.columns]
    data = points[keep].fillna("")
    base = alt.Chart(data)
    if connect and len(points) > 1:
        layers.append(base.mark_line(color=colour, strokeWidth=2).encode(x=x, y=y))
    legend_spec = alt.Legend(title=t["qualifier"], orient="bottom") if legend else None
    shape = alt.Shape("qualifier_label:N", scale=alt.Scale(domain=domain, range=shapes),
                      legend=legend_spec)
    # open markers for rounded values: a fill scale on the same field, so the legend agrees
    fill = alt.Fill("qualifier_label:N", legend=legend_spec, scale=alt.Scale(
        domain=domain, range=[colour if _QUALIFIER_FILLED[q] else "white" for q in present]))
    layers.append(base.mark_point(size=70, stroke=colour, strokeWidth=1.8, opacity=1,
                                  fillOpacity=1).encode(
        x=x, y=y, shape=shape, fill=fill, tooltip=_tooltip_fields(data, t)))
    return layers


def _label(x: float, y: float, text: str, colour: str, *, dx: int = 6, dy: int = 0,
           align: str = "left", baseline: str = "middle", xs=None, ys=None):
    frame = pd.DataFrame({"year": [x], "value": [y], "label": [text]})
    return alt.Chart(frame).mark_text(align=align, baseline=baseline, dx=dx, dy=dy, color=colour,
                                      fontSize=_FONT_SIZES["label"]).encode(x=xs, y=ys, text="label:N")


def _segment(rows: list[tuple[float, float]], colour: str, dash, xs, ys, width: float = 1.8,
             name: str | None = None):
    frame = pd.DataFrame(rows, columns=["year", "value"])
    return alt.Chart(_data(frame, name)).mark_line(color=colour, strokeDash=dash, strokeWidth=width).encode(
        x=xs, y=ys)


def _data(frame: pd.DataFrame, name: str | None):
    """The frame as chart data; with a ``name``, inline data that keeps that name in Vega."""
    return frame if name is None else alt.InlineData(values=frame.to_dict("records"), name=name)


def _region(x0: float, x1: float, y0: float, y1: float, colour: str, opacity: float, xs, ys):
    """A shaded rectangle in data coordinates (drawn on the same scales as ``xs``, ``ys``)."""
    frame = pd.DataFrame({"year": [x0], "x1": [x1], "value": [y0], "y1": [y1]})
    return alt.Chart(frame).mark_rect(color=colour, opacity=opacity, clip=True).encode(
        x=xs, x2="x1:Q", y=ys, y2="y1:Q")


def _running_sum(flows: pd.DataFrame, first_year: int) -> tuple[pd.DataFrame, list[int]]:
    """Running sum of annual flows from ``first_year``, up to the first missing year.

    Returns the summed rows (year, value, qualifier) and the missing years before the last flow.

    >>> f = pd.DataFrame({"year": [2021, 2022, 2024], "value": [1.0, 2.0, 4.0], "qualifier": ""})
    >>> sums, gaps = _running_sum(f, 2021)
    >>> sums["value"].tolist(), gaps
    ([1.0, 3.0], [2023])
    """
    by_year = {int(r.year): r for r in flows.itertuples()}
    rows, total, year, qualifiers = [], 0.0, first_year, []
    while year in by_year:
        r = by_year[year]
        total += float(r.value)
        qualifiers.append(r.qualifier)
        # a sum of rounded values is rounded; a sum containing a bound is a bound
        q = next((b for b in (">", "<") if b in qualifiers), "≈" if "≈" in qualifiers else "")
        rows.append({"year": year, "value": total, "qualifier": q})
        year += 1
    last = max(by_year) if by_year else first_year - 1
    gaps = [y for y in range(year, last + 1) if y not in by_year]
    return pd.DataFrame(rows, columns=["year", "value", "qualifier"]), gaps


# --------------------------------------------------------------------------- trajectory

def trajectory(indicator: Mapping, observed: pd.DataFrame | None = None,
               progress: Mapping | None = None, *, lang: str = "zh",
               tolerance: float | None = None, width: int = 420, height: int = 260,
               projection_span: tuple[float, float] | None = None) -> alt.LayerChart:
    """The path of one Table 2 indicator: baseline, observed points, schedule, target, projection.

    ``indicator``: one row of ``Plan.indicators`` (a Series or dict with ``baseline_value,
    baseline_year, target_value, target_op, target_kind, target_year, direction, unit,
    name_zh, name_en``). ``observed``: that indicator's observed rows (``year, value,
    qualifier, series`` …); rows whose ``series`` is not ``'plan'`` are drawn in grey as
    context, never as the indicator. ``progress``: optional progress row; its
    ``projection_linear`` (or ``projection``), ``projection_low``, ``projection_high`` and
    ``tolerance`` are used when present. ``projection_span``: the lowest and highest
    projection a redraw may show (see :class:`ProjectionChart`); the y axis covers it.

    What is drawn, by ``target_kind`` and ``target_op``:

    * level: the linear 序时进度 path from baseline to target; ``≈`` (左右) a band of
      ±``tolerance`` around the target (default 5 % of the required change, the P ≥ 0.95
      rule); ``≥`` a shaded region above the floor; ``≤``/``≤≈`` below the ceiling;
    * cumulative_sum: the running sum of annual flows (annual flows as grey bars) against
      the path from 0 to the five-year total; the sum stops at the first missing year;
    * cumulative_change: the level, with the path from the baseline by the total change;
    * avg_growth: the annual rates against the shaded region above the floor.

    Observed markers: filled circle exact, open circle ≈ (rounded), triangle up > (a lower
    bound), triangle down < (an upper bound).

    >>> from plananalysis.plan.folder import load_plan
    >>> row = load_plan().indicator("urbanisation_rate")
    >>> obs = pd.DataFrame({"year": [2023, 2025], "value": [74.2, 76.0], "qualifier": ["", "≈"]})
    >>> spec = trajectory(row, obs, {"projection_linear": 77.0}, lang="en").to_dict()
    >>> spec["title"]["text"]
    'Urbanisation rate of resident population'
    >>> sorted({l["mark"]["type"] for l in spec["layer"]})
    ['line', 'point', 'rect', 'text']
    """
    t = _text(lang)
    name = str(_get(indicator, f"name_{lang}", _get(indicator, "name_zh", "")))
    unit = str(_get(indicator, "unit", "") or "")
    kind = str(_get(indicator, "target_kind", "level"))
    op = str(_get(indicator, "target_op", "=") or "=")
    direction = str(_get(indicator, "direction", "higher"))
    base_year = _number(indicator, "baseline_year") or _number(progress, "base_year")
    target_year = _number(indicator, "target_year") or _number(progress, "target_year")
    if base_year is None or target_year is None:
        raise PlanDataError("indicator", None, "baseline_year/target_year", None,
                            "基期年份与目标年份 (the indicator's base and target years)")
    base_year, target_year = int(base_year), int(target_year)
    base_value = _number(indicator, "baseline_value")
    target_value = _number(indicator, "target_value")
    target_printed = str(_get(indicator, "target_printed", _fmt(target_value, unit) if target_value is not None else ""))
    target_printed = glossary.target_wording(target_printed, lang, unit)
    base_printed = _fmt(base_value, unit) if base_value is not None else ""  # printed cell may carry "(2019年)"
    unit = glossary.unit_name(unit, lang)

    rows = _tidy_observed(observed)
    notes: list[str] = []
    if kind == "cumulative_reduction" and "value_type" in rows.columns:
        # a five-year cumulative reduction is drawn as the cumulative sum against the cumulative
        # path: yearly declines (flows, of any series) are not drawn on its axis
        is_flow = rows["value_type"].fillna("").astype(str).eq("flow")
        if is_flow.any():
            notes.append(t["flows_left_out"])
        rows = rows[~is_flow].reset_index(drop=True)
    plan_rows = rows[rows["series"] == "plan"]
    context_rows = rows[rows["series"] != "plan"]

    # What the y axis shows: the level itself, or (cumulative_sum) the running sum.
    flows = None
    yearly = False   # a five-year sum drawn as its yearly flows against the yearly pace needed
    if kind == "cumulative_sum":
        flows = plan_rows[(plan_rows["year"] > base_year) & (plan_rows["year"] <= target_year)]
        sums, gaps = _running_sum(flows, base_year + 1)
        if gaps or (len(flows) and sums.empty):
            # the sum cannot be formed: the flows are drawn as flows, on a yearly axis, against
            # the yearly pace the total needs — never under the cumulative path
            yearly = True
            missing = sorted(set(range(base_year + 1, int(flows["year"].max()) + 1)) - set(flows["year"].astype(int)))
            notes.append(t["gap"].format(years="、".join(str(g) for g in missing) if lang == "zh"
                                         else ", ".join(str(g) for g in missing)))
            indicator_points = flows
            pace = target_value / (target_year - base_year) if target_value is not None else None
            path_start = (base_year + 1, pace) if pace is not None else None
            path_end = (target_year, pace) if pace is not None else None
            title = t["yearly_title"].format(name=name)
        else:   # the running sum against the cumulative path; the flows are not drawn on its axis
            indicator_points = sums
            path_start = (base_year, 0.0)
            path_end = (target_year, target_value) if target_value is not None else None
            title = t["cumulative_title"].format(name=name, start=base_year + 1, end=target_year)
            flows = None
    elif kind == "cumulative_reduction":
        indicator_points = plan_rows
        path_start = (base_year, 0.0)
        path_end = (target_year, target_value) if target_value is not None else None
        title = t["cumulative_title"].format(name=name, start=base_year + 1, end=target_year)
    else:
        indicator_points = plan_rows
        title = name
        path_start = (base_year, base_value) if base_value is not None else None
        path_end = None
        if kind == "level" and base_value is not None and target_value is not None:
            path_end = (target_year, target_value)
        elif kind == "cumulative_change" and base_value is not None and target_value is not None:
            sign = -1.0 if direction == "lower" else 1.0
            path_end = (target_year, base_value + sign * target_value)

    # Projection to the target year from the latest plan point.
    projection = _number(progress, "projection_linear")
    if projection is None:
        projection = _number(progress, "projection")
    low, high = _number(progress, "projection_low"), _number(progress, "projection_high")
    latest = indicator_points.iloc[-1] if len(indicator_points) else None
    if latest is None or int(latest["year"]) >= target_year or yearly:
        projection = low = high = None  # nothing to project from, or nothing left to project

    # Target regions.
    band = floor = ceiling = None
    tol = tolerance if tolerance is not None else _number(progress, "tolerance")
    if target_value is not None and kind in ("level", "avg_growth"):
        if op == "≈":
            if tol is None:
                span = abs(target_value - base_value) if base_value is not None else abs(target_value)
                tol = 0.05 * span
            band = (target_value - tol, target_value + tol)
        elif op == "≥":
            floor = target_value
        elif op in ("≤", "≤≈"):
            ceiling = target_value

    # Scales: explicit domains so shaded regions end at the plot edges.
    values = list(rows["value"]) + list(indicator_points["value"])
    values += [v for v in (base_value if kind != "cumulative_sum" else 0.0, projection, low, high)
               if v is not None]
    if projection_span is not None and projection is not None:
        values += [float(v) for v in projection_span]
    for point in (path_start, path_end):
        if point is not None and point[1] is not None:
            values.append(point[1])
    if target_value is not None and kind != "cumulative_change" and not yearly:
        values.append(target_value)
    if band:
        values += list(band)
    if flows is not None and len(flows):
        values += list(flows["value"])
    if not values:
        values = [0.0, 1.0]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.12 if hi > lo else (abs(hi) * 0.1 or 1.0)
    y_lo, y_hi = lo - pad, hi + pad
    if lo >= 0 and y_lo < 0:
        y_lo = 0.0
    years = list(rows["year"]) + [base_year, target_year]
    x_lo, x_hi = min(years) - 0.4, max(years) + 0.4
    # y title: the indicator's name when short, else "数值"; the cumulative sum says so
    if yearly:
        quantity = t["annual_flow"]
    elif kind in ("cumulative_sum", "cumulative_reduction"):
        quantity = t["cumulative"]
    elif kind == "cumulative_change" or len(name) > (14 if lang == "zh" else 30):
        quantity = t["value"]
    else:
        quantity = name
    x_title = t["year"]
    y_title = (f"{quantity}（{unit}）" if lang == "zh" else f"{quantity} ({unit})") if unit else quantity
    xs = alt.X("year:Q", scale=alt.Scale(domain=[x_lo, x_hi], nice=False, zero=False),
               axis=alt.Axis(title=x_title, format=YEAR_FORMAT, tickMinStep=1, grid=False))
    ys = alt.Y("value:Q", scale=alt.Scale(domain=[y_lo, y_hi], nice=False, zero=False),
               axis=alt.Axis(title=y_title, format=NUMBER_FORMAT, labelExpr=AXIS_LABELS))

    layers = []
    # 1. Regions first, so everything else is drawn over them.
    if band:
        layers.append(_region(x_lo, x_hi, band[0], band[1], _TARGET, 0.22, xs, ys))
        layers.append(_label(x_lo, band[1], f"{t['target_band']} {target_printed}", _TARGET,
                             dx=4, dy=-2, baseline="bottom", xs=xs, ys=ys))
    if floor is not None:
        layers.append(_region(x_lo, x_hi, floor, y_hi, _TARGET, 0.12, xs, ys))
        layers.append(_segment([(x_lo, floor), (x_hi, floor)], _TARGET, [2, 2], xs, ys, 1.2))
        layers.append(_label(x_lo, floor, f"{t['avg_growth_floor'] if kind == 'avg_growth' else t['floor']} "
                             f"{fmt.number(floor, digits=6)}", _TARGET, dx=4, dy=-3, baseline="bottom", xs=xs, ys=ys))
    if ceiling is not None:
        layers.append(_region(x_lo, x_hi, y_lo, ceiling, _TARGET, 0.12, xs, ys))
        layers.append(_segment([(x_lo, ceiling), (x_hi, ceiling)], _TARGET, [2, 2], xs, ys, 1.2))
        layers.append(_label(x_lo, ceiling, f"{t['ceiling']} {target_printed}", _TARGET,
                             dx=4, dy=-3, baseline="bottom", xs=xs, ys=ys))
    # 2. Annual flows under a cumulative sum.
    if flows is not None and len(flows):
        bars = flows[["year", "value"]].copy()
        bars["label"] = t["annual_flow"]
        layers.append(alt.Chart(bars).mark_bar(color=_FLOW, width=14).encode(
            x=xs, y=ys, tooltip=[alt.Tooltip("year:Q", title=t["year"], format=YEAR_FORMAT),
                                 alt.Tooltip("value:Q", title=t["annual_flow"], format=NUMBER_FORMAT)]))
        layers.append(alt.Chart(bars).mark_text(baseline="bottom", dy=-3, color="#777777").encode(
            x=xs, y=ys, text=alt.Text("value:Q", format=NUMBER_FORMAT)))
        notes.append(t["flow_note"])
    # 3. The schedule path (序时进度).
    if path_start is not None and path_start[1] is not None and path_end is not None:
        layers.append(_segment([path_start, path_end], _SCHEDULE, [6, 4], xs, ys))
        share = 0.3  # label the path early on, away from later points and flow bars
        mid = (path_start[0] + share * (path_end[0] - path_start[0]),
               path_start[1] + share * (path_end[1] - path_start[1]))
        words = (t["yearly_pace"].format(pace=fmt.number(path_start[1], unit), total=target_printed)
                 if yearly else t["schedule"])
        layers.append(_label(mid[0], mid[1], words, _SCHEDULE, dx=0, dy=10,
                             align="left", baseline="top", xs=xs, ys=ys))
    # 4. Context series, in grey.
    for series, group in context_rows.groupby("series"):
        ctx = group.copy()
        ctx["qualifier_label"] = ctx["qualifier"].map(t["q"])
        ctx = ctx[[c for c in ("year", "value", "qualifier_label", "series", "period_note",
                               "source_title") if c in ctx.columns]].fillna("")
        layers.append(alt.Chart(ctx).mark_point(shape="diamond", filled=True, size=55,
                                                color=_CONTEXT).encode(
            x=xs, y=ys, tooltip=_tooltip_fields(ctx, t)))
        last = group.iloc[-1]
        layers.append(_label(float(last["year"]), float(last["value"]),
                             f"{glossary.label('series', series, lang)}（{t['context_note']}）" if lang == "zh"
                             else f"{glossary.label('series', series, lang)} ({t['context_note']})",
                             _CONTEXT, dx=7, dy=0, align="left", baseline="middle", xs=xs, ys=ys))
    # 5. Projection from the latest point to the target year.
    if latest is not None and (projection is not None or (low is not None and high is not None)):
        x0, y0 = float(latest["year"]), float(latest["value"])
        if low is not None and high is not None:
            area = pd.DataFrame({"year": [x0, target_year], "value": [y0, low], "high": [y0, high]})
            layers.append(alt.Chart(area).mark_area(color=_INK, opacity=0.12).encode(
                x=xs, y=ys, y2="high:Q"))
        if projection is not None:
            named = projection_span is not None  # ProjectionChart swaps these two datasets
            layers.append(_segment([(x0, y0), (target_year, projection)], _INK, [2, 3], xs, ys, 1.6,
                                   name=_PROJECTION_PATH if named else None))
            proj = pd.DataFrame({"year": [target_year], "value": [projection],
                                 "label": [f"{t['projection']} {fmt.number(projection)}"]})
            tips = [alt.Tooltip("year:Q", title=t["year"], format=YEAR_FORMAT),
                    alt.Tooltip("value:Q", title=t["projection"], format=NUMBER_FORMAT)]
            if low is not None and high is not None:
                proj["low"], proj["high"] = low, high
                tips += [alt.Tooltip("low:Q", title=f"{t['projection_range']}↓", format=NUMBER_FORMAT),
                         alt.Tooltip("high:Q", title=f"{t['projection_range']}↑", format=NUMBER_FORMAT)]
            layers.append(alt.Chart(_data(proj, _PROJECTION_POINT if named else None)).mark_point(
                shape="circle", size=40, filled=False,
                                                     color=_INK, strokeDash=[2, 2]).encode(
                x=xs, y=ys, tooltip=tips))
    # 6. Baseline and target markers.
    if kind != "cumulative_sum" and base_value is not None:
        layers.append(alt.Chart(pd.DataFrame({"year": [base_year], "value": [base_value],
                                              "label": [f"{t['baseline']} {base_printed}"]}))
                      .mark_point(shape="square", filled=True, size=70, color=_INK, opacity=1).encode(
            x=xs, y=ys, tooltip=[alt.Tooltip("year:Q", title=t["base_year"], format=YEAR_FORMAT),
                                 alt.Tooltip("value:Q", title=t["baseline"], format=NUMBER_FORMAT)]))
        # below the marker, unless an observed base-year value sits there (e.g. 79.2 vs 79.47)
        is_below_taken = bool(((plan_rows["year"] == base_year) & (plan_rows["value"] < base_value)).any())
        layers.append(_label(base_year, base_value, f"{t['baseline']} {fmt.number(base_value, digits=6)}", _INK,
                             dx=0, dy=-10 if is_below_taken else 10, align="left",
                             baseline="bottom" if is_below_taken else "top", xs=xs, ys=ys))
    if path_end is not None and path_end[1] is not None and band is None and not yearly:
        layers.append(alt.Chart(pd.DataFrame({"year": [path_end[0]], "value": [path_end[1]]}))
                      .mark_point(shape="diamond", filled=False, size=110, color=_TARGET,
                                  strokeWidth=2).encode(
            x=xs, y=ys, tooltip=[alt.Tooltip("year:Q", title=t["target_year"], format=YEAR_FORMAT),
                                 alt.Tooltip("value:Q", title=t["target"], format=NUMBER_FORMAT)]))
        if floor is None and ceiling is None:  # otherwise the region's label names the target
            layers.append(_label(path_end[0], path_end[1], f"{t['target']} {target_printed}",
                                 _TARGET, dx=0, dy=-10, align="right", baseline="bottom",
                                 xs=xs, ys=ys))
    # 7. The indicator itself, on top.
    # annual growth rates are separate years' values: points only, no line across them
    layers += _observed_layers(indicator_points, xs, ys, t, _INK, legend=True,
                               connect=kind != "avg_growth" and not yearly)
    if indicator_points.empty and context_rows.empty and (flows is None or flows.empty):
        notes.append(t["no_data"])
        if not layers:
            layers.append(alt.Chart(pd.DataFrame({"year": [base_year], "value": [0.0]}))
                          .mark_point(opacity=0).encode(x=xs, y=ys))

    if target_value is not None:
        subtitle = (t["subtitle"].format(target=target_printed, target_year=target_year,
                                         baseline=base_printed, baseline_year=base_year)
                    if base_printed else
                    t["subtitle_nobase"].format(target=target_printed, target_year=target_year))
    else:
        subtitle = ""
    subtitle_lines = [s for s in [subtitle] + notes if s]
    return alt.layer(*layers).properties(
        title=alt.Title(title, subtitle=subtitle_lines or alt.Undefined), width=width, height=height)


class ProjectionChart:
    """A trajectory chart compiled once, then redrawn as SVG for any projection in a span.

    The scenarios app redraws the chart on every slider move. Building the Altair chart and
    compiling it to Vega costs about as much as drawing it, and only the projection changes,
    so the Vega spec is compiled once and a redraw swaps the projection's two datasets. The
    y axis covers the whole ``span``, so it stays still while the slider moves.

    >>> from plananalysis.plan.folder import load_plan
    >>> row = load_plan().indicator("urbanisation_rate")
    >>> obs = pd.DataFrame({"year": [2023], "value": [74.2], "qualifier": [""]})
    >>> chart = ProjectionChart(row, obs, span=(72.0, 80.0), lang="en")
    >>> svg = chart.svg(77.5)
    >>> "Urbanisation rate" in svg and chart.svg(73.0) != svg
    True
    """

    def __init__(self, indicator: Mapping, observed: pd.DataFrame | None, span: tuple[float, float],
                 *, lang: str = "zh", width: int = 420, height: int = 260):
        import vl_convert as vlc

        low, high = float(min(span)), float(max(span))
        chart = trajectory(indicator, observed, {"projection_linear": low}, lang=lang, width=width,
                           height=height, projection_span=(low, high))
        self.span, self._label = (low, high), _text(lang)["projection"]
        self._vega = vlc.vegalite_to_vega(_spec(chart))
        self._data = {d["name"]: d for d in self._vega.get("data", [])
                      if d.get("name") in (_PROJECTION_PATH, _PROJECTION_POINT)}

    def svg(self, projection: float) -> str:
        """The chart with the path from the latest value to ``projection`` in the target year."""
        import vl_convert as vlc

        if not self._data:  # nothing to project from: the chart has no projection
            return vlc.vega_to_svg(self._vega)
        projection = float(projection)
        self._data[_PROJECTION_PATH]["values"][-1]["value"] = projection
        point = self._data[_PROJECTION_POINT]["values"][0]
        point["value"], point["label"] = projection, f"{self._label} {fmt.number(projection)}"
        register_fonts()
        return vlc.vega_to_svg(self._vega)


# --------------------------------------------------------------------------- progress charts

def status_counts(progress_table: pd.DataFrame, *, method: str = "cn-schedule",
                  phase: str = "midterm", lang: str = "zh", status_column: str | None = None,
                  title: str | None = None, width: int = 360) -> alt.LayerChart:
    """Bars of how many indicators have each status, in the method's order (zeros included).

    The status column (``status_id``, ``status`` or a label column) may hold ids or labels.

    >>> table = pd.DataFrame({"status_id": ["ahead", "ahead", "behind"]})
    >>> spec = status_counts(table).to_dict()
    >>> data = list(spec["datasets"].values())[0]
    >>> [(d["status"], d["count"]) for d in data][:4]
    [('提前实现', 0), ('快于预期', 2), ('基本符合预期', 0), ('滞后', 1)]
    """
    t = _text(lang)
    frame = _status_frame(progress_table, method, phase, lang, status_column)
    domain, colours = status_palette(method, phase, lang)
    counts = frame["_status"].value_counts()
    data = pd.DataFrame({"status": domain, "count": [int(counts.get(s, 0)) for s in domain],
                         "order": range(len(domain))})
    y = alt.Y("status:N", sort=domain, title=None, axis=alt.Axis(labelLimit=200))
    bars = alt.Chart(data).mark_bar(stroke="#666666", strokeWidth=0.6).encode(
        x=alt.X("count:Q", title=t["count"], axis=alt.Axis(format="d", tickMinStep=1)),
        y=y,
        color=alt.Color("status:N", scale=alt.Scale(domain=domain, range=colours), legend=None),
        tooltip=[alt.Tooltip("status:N", title=t["status"]), alt.Tooltip("count:Q", title=t["count"])])
    labels = alt.Chart(data).mark_text(align="left", dx=4).encode(
        x="count:Q", y=y, text=alt.Text("count:Q", format="d"))
    return alt.layer(bars, labels).properties(
        title=title if title is not None else t["status"], width=width,
        height=alt.Step(22))


def status_matrix(progress_table: pd.DataFrame, *, method: str = "cn-schedule",
                  phase: str = "midterm", lang: str = "zh", status_column: str | None = None,
                  category_column: str | None = None, title: str | None = None) -> alt.LayerChart:
    """Category × status grid: each cell the number of indicators, coloured by status.

    Categories come from ``category_zh``/``category_en`` (or ``category``), in order of
    first appearance; statuses in the method's order. Empty cells stay blank.

    >>> table = pd.DataFrame({"category_zh": ["就业增收", "就业增收", "公共服务"],
    ...                       "status_id": ["ahead", "behind", "ahead"]})
    >>> spec = status_matrix(table).to_dict()
    >>> sorted((d["category"], d["status"], d["count"]) for d in list(spec["datasets"].values())[0])
    [('公共服务', '快于预期', 1), ('就业增收', '快于预期', 1), ('就业增收', '滞后', 1)]
    """
    t = _text(lang)
    frame = _status_frame(progress_table, method, phase, lang, status_column)
    frame = _with_categories(frame, lang) if category_column is None else frame
    column = category_column or _first_column(frame, [f"category_{lang}", "category_zh",
                                                      "category_en", "category"], "category")
    domain, colours = status_palette(method, phase, lang)
    categories = list(dict.fromkeys(frame[column].astype(str)))
    grouped = (frame.groupby([frame[column].astype(str), "_status"]).size()
               .reset_index(name="count").rename(columns={column: "category", "_status": "status"}))
    text_colours = {s: text_colour(c) for s, c in zip(domain, colours)}
    grouped["text_colour"] = grouped["status"].map(text_colours)
    x = alt.X("status:N", sort=domain, scale=alt.Scale(domain=domain), title=None,
              axis=alt.Axis(labelAngle=0, orient="top", labelLimit=140, labelExpr=_wrapped_labels(domain)))
    y = alt.Y("category:N", sort=categories, title=t["category"])
    cells = alt.Chart(grouped).mark_rect(stroke="#666666", strokeWidth=0.6).encode(
        x=x, y=y, color=alt.Color("status:N", scale=alt.Scale(domain=domain, range=colours),
                                  legend=None),
        tooltip=[alt.Tooltip("category:N", title=t["category"]),
                 alt.Tooltip("status:N", title=t["status"]), alt.Tooltip("count:Q", title=t["count"])])
    numbers = alt.Chart(grouped).mark_text(fontSize=13, fontWeight="bold").encode(
        x=x, y=y, text=alt.Text("count:Q", format="d"), color=alt.Color("text_colour:N", scale=None))
    return alt.layer(cells, numbers).properties(
        title=title if title is not None else f"{t['category']} × {t['status']}",
        width=alt.Step(78 if lang == "zh" else 96), height=alt.Step(34))


def _wrapped_labels(labels, width: int = 13) -> str:
    """A Vega label expression that breaks long labels into lines of about ``width`` characters
    (English status names would overlap in one line)."""
    cases = []
    for label in labels:
        if len(label) <= width:
            continue
        lines, line = [], ""
        for word in label.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        quoted = ", ".join("'" + x.replace("'", "\\'") + "'" for x in lines)
        cases.append(f"datum.label == '{label.replace(chr(39), chr(92) + chr(39))}' ? [{quoted}] : ")
    return "".join(cases) + "datum.label"


def completion_bars(table: pd.DataFrame, *, method: str = "cn-schedule", phase: str = "midterm",
                    lang: str = "zh", completion_column: str | None = None,
                    schedule_column: str | None = None, schedule_share: float | None = None,
                    status_column: str | None = None, name_column: str | None = None,
                    title: str | None = None, width: int = 360, cap: float | None = 1.5) -> alt.LayerChart:
    """Completion P per indicator as bars coloured by status, with the schedule share E as a rule.

    ``table``: one row per indicator with a name (``name_zh``/``name_en``/``name``), the
    completion share (``P`` or ``completion``), optionally the schedule share (``E`` or
    ``expected``; per row, since a 2019 baseline changes it) and a status. For the
    13th-plan retrospective pass ``phase="final"`` and ``schedule_share=1.0``.
    Rows without P (constraints, no data) are left out.  Bars past ``cap`` (150 %) stop there
    with the real value in their label (``585% ›``) and a note under the title.

    >>> table = pd.DataFrame({"name_zh": ["常住人口城镇化率", "体育产业增加值占GDP比重"],
    ...                       "P": [0.8, 0.8333], "E": [0.6, 0.6], "status_id": ["ahead", "ahead"]})
    >>> spec = completion_bars(table).to_dict()
    >>> [l["mark"]["type"] for l in spec["layer"]]
    ['bar', 'rule', 'text', 'text']
    """
    t = _text(lang)
    frame = _status_frame(table, method, phase, lang, status_column)
    p_col = completion_column or _first_column(frame, ["completion_share", "P", "completion"],
                                               "completion")
    name_col = name_column or _first_column(frame, [f"name_{lang}", "name_zh", "name", "indicator_id"],
                                            "name")
    frame = frame[pd.to_numeric(frame[p_col], errors="coerce").notna()].copy()
    frame["completion"] = pd.to_numeric(frame[p_col]).astype(float)
    if schedule_share is not None:
        frame["schedule"] = float(schedule_share)
    else:
        e_col = schedule_column or next((c for c in ("elapsed_share", "E", "expected",
                                                     "schedule_share")
                                         if c in frame.columns), None)
        frame["schedule"] = pd.to_numeric(frame[e_col], errors="coerce") if e_col else float("nan")
    frame["name"] = frame[name_col].astype(str)
    frame["status"] = frame["_status"]
    data = frame[["name", "completion", "schedule", "status"]].reset_index(drop=True)
    # Bars past ``cap`` stop there (their label gives the real value, marked ›), so one 585 % bar
    # does not squeeze the others; a label that would sit on the schedule rule moves past it.
    top = float(data["completion"].max()) if len(data) else 1.0
    cap_at = max(1.0, float(cap)) if cap is not None and top > cap else None
    domain_max = cap_at * 1.08 if cap_at else max(1.0, top) * 1.1
    data["bar"] = data["completion"].clip(upper=cap_at) if cap_at else data["completion"]
    data["text"] = [fmt.share(c) + (" ›" if cap_at and c > cap_at else "") for c in data["completion"]]
    gap = domain_max * 0.11  # about the width of a label
    data["label_x"] = [s if (not math.isnan(s) and 0 <= s - b < gap) else b
                       for b, s in zip(data["bar"], data["schedule"].fillna(float("nan")))]
    domain, colours = status_palette(method, phase, lang)
    names = data["name"].tolist()
    y = alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("bar:Q", title=t["completion"], axis=alt.Axis(format=PERCENT_FORMAT),
              scale=alt.Scale(domainMin=min(0.0, float(data["bar"].min() if len(data) else 0)),
                              domainMax=domain_max, nice=False))
    tips = [alt.Tooltip("name:N", title=t["indicator"]),
            alt.Tooltip("completion:Q", title=t["completion"], format=".1%"),
            alt.Tooltip("schedule:Q", title=t["schedule_share"], format=".0%"),
            alt.Tooltip("status:N", title=t["status"])]
    bars = alt.Chart(data).mark_bar(stroke="#666666", strokeWidth=0.6, height=alt.RelativeBandSize(0.7)).encode(
        x=x, y=y, color=alt.Color("status:N", scale=alt.Scale(domain=domain, range=colours),
                                  legend=alt.Legend(title=t["status"], orient="bottom")),
        tooltip=tips)
    # The schedule share E: one rule across all rows when E is common, else a tick per row
    # (E differs when a baseline year does, e.g. 6(2019年)).
    shares = sorted(set(data["schedule"].dropna().round(6)))
    e_tip = [alt.Tooltip("schedule:Q", title=t["schedule_share"], format=PERCENT_FORMAT)]
    if len(shares) == 1:
        share = pd.DataFrame({"schedule": shares, "label": [f"{t['schedule_share']} {shares[0]:.0%}"]})
        rules = [
            alt.Chart(share).mark_rule(color="#222222", strokeWidth=1.5, strokeDash=[4, 3]).encode(
                x="schedule:Q", tooltip=e_tip),
            alt.Chart(share).mark_text(align="left", baseline="bottom", dx=3, dy=-2, y=0,
                                       color="#222222").encode(x="schedule:Q", text="label:N")]
    else:
        rules = [alt.Chart(data).transform_filter("isValid(datum.schedule)").mark_tick(
            color="#222222", thickness=2.5, orient="vertical", bandSize=18).encode(
            x="schedule:Q", y=y, tooltip=e_tip)]
    labels = alt.Chart(data).mark_text(align="left", dx=5, fontSize=10).encode(
        x="label_x:Q", y=y, text="text:N")
    title = title if title is not None else t["completion"]
    if cap_at:
        title = alt.Title(title, subtitle=t["capped"].format(cap=fmt.share(cap_at)))
    return alt.layer(bars, *rules, labels).properties(title=title, width=width, height=alt.Step(22))


def sparkline(observed_rows: pd.DataFrame, *, target: float | None = None, lang: str = "zh",
              width: int = 120, height: int = 32) -> alt.LayerChart:
    """A tiny line of the plan series for scorecard cards: no axes, last point marked.

    Only ``series == 'plan'`` rows are drawn; ``target`` adds a faint horizontal rule.

    >>> obs = pd.DataFrame({"year": [2021, 2022, 2023], "value": [72.7, 73.4, 74.2]})
    >>> spec = sparkline(obs, target=75).to_dict()
    >>> spec["width"], spec["height"]
    (120, 32)
    """
    t = _text(lang)
    rows = _tidy_observed(observed_rows)
    rows = rows[rows["series"] == "plan"][["year", "value", "qualifier"]].copy()
    rows["qualifier_label"] = rows["qualifier"].map(t["q"])
    values = list(rows["value"]) + ([target] if target is not None else [])
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (hi - lo) * 0.15 if hi > lo else 1.0
    xs = alt.X("year:Q", axis=None, scale=alt.Scale(zero=False, nice=False))
    ys = alt.Y("value:Q", axis=None, scale=alt.Scale(domain=[lo - pad, hi + pad], zero=False, nice=False))
    tips = [alt.Tooltip("year:Q", title=t["year"], format=YEAR_FORMAT),
            alt.Tooltip("value:Q", title=t["value"], format=NUMBER_FORMAT),
            alt.Tooltip("qualifier_label:N", title=t["qualifier"])]
    base = alt.Chart(rows)
    layers = []
    if target is not None:
        layers.append(alt.Chart(pd.DataFrame({"value": [float(target)]}))
                      .mark_rule(color=_TARGET, strokeDash=[2, 2], strokeWidth=1).encode(y=ys))
    layers.append(base.mark_line(color=_INK, strokeWidth=1.6).encode(x=xs, y=ys))
    layers.append(base.mark_point(filled=True, size=14, color=_INK, opacity=0.001).encode(
        x=xs, y=ys, tooltip=tips))
    layers.append(base.transform_window(rank="rank()", sort=[alt.SortField("year", order="descending")])
                  .transform_filter("datum.rank == 1")
                  .mark_point(filled=True, size=22, color=_INK, opacity=1).encode(
                      x=xs, y=ys, tooltip=tips))
    return alt.layer(*layers).properties(width=width, height=height).configure_view(stroke=None)


# --------------------------------------------------------------------------- rendering

def _spec(chart) -> dict:
    """The chart's Vega-Lite dict with the plananalysis theme applied.

    Not validated against the Vega-Lite schema here: that check costs ~0.2 s a chart (a
    slider in the scenarios app redraws on every move), and every chart function's spec is
    validated by the tests (``chart.to_dict()`` validates by default).
    """
    if isinstance(chart, dict):
        return {**chart, "config": {**theme_config()["config"], **chart.get("config", {})}}
    _register_theme()
    with alt.theme.enable(THEME_NAME):
        return chart.to_dict(validate=False)


def to_svg(chart) -> str:
    """SVG text of a chart (theme applied, CJK font registered); text stays text.

    The font list goes into the SVG's ``font-family``, so the viewer's CJK font is used.

    >>> chart = alt.Chart(pd.DataFrame({"x": [1]}), title="城镇化率").mark_point().encode(x="x:Q")
    >>> svg = to_svg(chart)
    >>> "城镇化率" in svg, 'font-family="Noto Sans CJK SC' in svg
    (True, True)
    """
    import vl_convert as vlc

    register_fonts()
    return vlc.vegalite_to_svg(_spec(chart))


def to_png(chart, scale: float = 2) -> bytes:
    """PNG bytes of a chart at ``scale`` × its size, glyphs drawn with the registered CJK font.

    >>> chart = alt.Chart(pd.DataFrame({"x": [1]}), title="城镇化率").mark_point().encode(x="x:Q")
    >>> to_png(chart, scale=1)[:4]
    b'\\x89PNG'
    """
    import vl_convert as vlc

    register_fonts()
    return vlc.vegalite_to_png(_spec(chart), scale=scale)


def enable_offline_rendering() -> None:
    """Make notebooks show charts as static SVG: no CDN, fine under papermill and Voilà.

    Enables the theme, registers the CJK fonts and ``alt.renderers.enable("svg")``.
    (Not ``html`` with ``inline=True`` — it fails silently in Altair 6 — and not the
    ``mimetype`` renderer, whose output nbformat rejects under papermill.)

    >>> previous = alt.renderers.active
    >>> enable_offline_rendering()
    >>> alt.renderers.active, alt.theme.active
    ('svg', 'plananalysis')
    >>> _ = alt.renderers.enable(previous); _ = alt.theme.enable("default")
    """
    use_theme()
    register_fonts()
    alt.renderers.enable("svg")
