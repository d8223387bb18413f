"""Progress methods: the declared cut-off table and the classification of numbers.

The categories, their Chinese and English labels, cut-offs and colours live in ONE table,
``data/methods/status_labels.csv`` (see its README).  This module reads it and turns numbers
into status ids; :mod:`plananalysis.engine.progress` computes the numbers from the plan and the data.

Boundary convention: ``≥`` goes to the upper class (a value exactly on a cut-off belongs to the
better class), except SDSN's 50 % boundary, which is *stagnating* as its label says.

>>> classify("cn-schedule", "midterm", "q", 1.2)
'ahead'
>>> classify("eurostat", "any", "RR", 0.6)
'moderate_progress'
>>> classify("sdsn", "any", "q", 0.5)
'stagnating'
>>> label("cn-schedule", "final", "basically_completed")
'基本完成'
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import ParameterError, PlanDataError

__all__ = [
    "METHODS",
    "method_table",
    "method_row",
    "LABELS_PATH",
    "status_labels",
    "evidence_label",
    "status_row",
    "classify",
    "label",
    "cagr",
    "eurostat_ratio",
    "opensdg_progress",
    "opensdg_score",
    "sdsn_ratio",
    "relative_luminance",
    "text_colour",
]

METHODS_PATH = Path(__file__).resolve().parents[2] / "data" / "methods" / "methods.csv"
LABELS_PATH = Path(__file__).resolve().parents[2] / "data" / "methods" / "status_labels.csv"


@lru_cache(maxsize=1)
def _method_rows(path: str) -> tuple[dict, ...]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return tuple(table.to_dict("records"))


def method_table() -> list[dict]:
    """The one table of progress methods (``data/methods/methods.csv``): id, names, the measure
    its bands apply to, the ratio function, its 'met' and 'no data' statuses.

    >>> [row["method"] for row in method_table()]
    ['cn-schedule', 'eurostat', 'open-sdg', 'sdsn']
    """
    return [dict(row) for row in _method_rows(str(METHODS_PATH))]


def method_row(method: str) -> dict:
    """One method's row of :func:`method_table`.

    >>> method_row("sdsn")["measure"]
    'q'
    """
    _check_method(method)
    return next(row for row in method_table() if row["method"] == method)


METHODS = tuple(row["method"] for row in method_table())
_EPS = 1e-9  # floating-point slack on the cut-offs: 0.3/0.5*... must not drop a class


@lru_cache(maxsize=4)
def _read_labels(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for column in ("lower", "upper", "lower_binding", "upper_binding"):
        table[column] = [float(v) if v != "" else math.nan for v in table[column]]
    for column in ("lower_inclusive", "upper_inclusive"):
        for row, value in enumerate(table[column], start=2):
            if value not in ("true", "false"):
                raise PlanDataError(path, row, column, value, "true 或 false")
        table[column] = table[column] == "true"
    table["order"] = table["order"].astype(int)
    for lang in ("zh", "en"):      # 预计完成（据{year}年数据）: dated on a row, generic in a legend
        table[f"dated_{lang}"] = table[f"label_{lang}"]
        table[f"label_{lang}"] = [_undated(text) for text in table[f"label_{lang}"]]
    return table


_DATED_PART = re.compile(r"\s*[（(][^（）()]*\{year\}[^（）()]*[）)]")


def _undated(template: str) -> str:
    """A label template without its ``{year}`` part, for legends and counts.

    >>> _undated("预计完成（据{year}年数据）"), _undated("Likely completed (on {year} data)")
    ('预计完成', 'Likely completed')
    """
    return _DATED_PART.sub("", template)


def dated_label(method: str, phase: str, status_id: str, year, language: str = "zh") -> str:
    """A row's label: the status table's template with the year of the data it rests on.

    >>> dated_label("cn-schedule", "final", "estimated_completed", 2024)
    '预计完成（据2024年数据）'
    >>> dated_label("cn-schedule", "final", "completed", 2025, "en")
    'Completed'
    """
    template = status_row(method, phase, status_id)[f"dated_{'en' if language == 'en' else 'zh'}"]
    if "{year}" not in template:
        return template
    known = year is not None and not (isinstance(year, float) and math.isnan(year))
    return template.format(year=int(year)) if known else _undated(template)


def evidence_label(method: str, phase: str, status_id: str, language: str = "zh", *, years: str = "",
                   grade: str = "", preliminary: bool = False, confirm: bool = False, doubts=()) -> str:
    """A row's label with what it rests on: the data year(s) when given, the evidence grade's
    word when it is not official, 初步 for a preliminary value, 待核实 for a value to be
    confirmed, and any doubt (趋势存疑).  With nothing to say it is the undated label.

    >>> evidence_label("cn-schedule", "final", "estimated_completed", years="2021", grade="转载", confirm=True)
    '预计完成（据2021年转载数据，待核实）'
    >>> evidence_label("cn-schedule", "final", "estimated_completed", "en", years="2021", grade="reprinted", confirm=True)
    'Likely completed (on 2021 reprinted data, to be confirmed)'
    >>> evidence_label("cn-schedule", "final", "exceeded", preliminary=True), evidence_label("cn-schedule", "final", "exceeded", "en", preliminary=True)
    ('超额完成（初步）', 'Exceeded (preliminary)')
    >>> evidence_label("cn-schedule", "midterm", "ahead", years="2021")
    '快于预期（据2021年数据）'
    >>> evidence_label("cn-schedule", "final", "estimated_completed", years="2021、2022、2024")
    '预计完成（据2021、2022、2024年数据）'
    """
    zh = language != "en"
    base = status_row(method, phase, status_id)["label_zh" if zh else "label_en"]
    parts = []
    if preliminary:
        parts.append("初步" if zh else "preliminary")
    if years or grade:
        if zh:
            parts.append(f"据{years + '年' if years else ''}{grade}数据")
        else:
            parts.append("on " + " ".join(x for x in (years, grade) if x) + " data")
    if confirm:
        parts.append("待核实" if zh else "to be confirmed")
    parts += list(doubts)
    if not parts:
        return base
    return f"{base}（{'，'.join(parts)}）" if zh else f"{base} ({', '.join(parts)})"


def status_labels(method: str | None = None, phase: str | None = None) -> pd.DataFrame:
    """The declared status table, optionally for one method and phase (``any`` rows included).

    >>> status_labels("cn-schedule", "midterm")["label_zh"].tolist()
    ['提前实现', '快于预期', '基本符合预期', '滞后', '逆向', '定性目标', '无数据', '无法评估']
    """
    return _labels_for(method, phase).copy()


@lru_cache(maxsize=64)
def _labels_for(method: str | None, phase: str | None) -> pd.DataFrame:
    """:func:`status_labels` without the copy, for this package's own reading (the engine asks
    for a label several times per row: a filtered copy each time cost most of an assessment).
    Never changed by its callers."""
    table = _read_labels(str(LABELS_PATH))
    if method is not None:
        _check_method(method)
        table = table[table["method"] == method]
    if phase is not None:
        table = table[table["phase"].isin([phase, "any"])]
    return table.reset_index(drop=True)


def status_row(method: str, phase: str, status_id: str) -> pd.Series:
    """One status's row of the method's table for ``phase`` (read only).

    >>> status_row("cn-schedule", "final", "completed")["label_zh"]
    '完成'
    """
    table = _indexed_labels(method, phase)
    if status_id not in table.index:
        raise ParameterError(f"方法 {method} 无状态 {status_id!r} (no status {status_id!r} in {method})")
    return table.loc[status_id]


@lru_cache(maxsize=64)
def _indexed_labels(method: str, phase: str) -> pd.DataFrame:
    return _labels_for(method, phase).set_index("status_id")


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ParameterError(
            f"未知方法 {method!r}，应为 {', '.join(METHODS)} (unknown method {method!r})"
        )


def classify(method: str, phase: str, measure: str, value: float, *, binding: bool = False) -> str | None:
    """The status id whose band on ``measure`` holds ``value`` (None if no band or value NaN).

    A binding (约束性) target uses a band's ``lower_binding``/``upper_binding`` where the table
    gives them: no tolerance below schedule at mid-term, no 基本完成 band at the end.

    >>> classify("cn-schedule", "midterm", "q", 0.9), classify("cn-schedule", "midterm", "q", 0.8999)
    ('on_track', 'behind')
    >>> classify("cn-schedule", "midterm", "q", 0.95, binding=True), classify("cn-schedule", "final", "P", 0.95, binding=True)
    ('behind', 'not_completed')
    >>> classify("open-sdg", "any", "R", -0.01)
    'deterioration'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    table = _labels_for(method, phase)
    bands = table[table["measure"] == measure]
    for band in bands.itertuples():
        if band.measure == "P" and band.status_id == "achieved":
            continue  # checked by rule before the pace bands
        lower = band.lower_binding if binding and not math.isnan(band.lower_binding) else band.lower
        upper = band.upper_binding if binding and not math.isnan(band.upper_binding) else band.upper
        if not math.isnan(lower):
            if band.lower_inclusive and value < lower - _EPS:
                continue
            if not band.lower_inclusive and value <= lower + _EPS:
                continue
        if not math.isnan(upper):
            if band.upper_inclusive and value > upper + _EPS:
                continue
            if not band.upper_inclusive and value >= upper - _EPS:
                continue
        return band.status_id
    return None


def label(method: str, phase: str, status_id: str, language: str = "zh") -> str:
    """The Chinese (default) or English label of a status id.

    >>> label("eurostat", "any", "movement_away", "en")
    'Movement away from the target'
    """
    table = status_labels(method, phase)
    row = table[table["status_id"] == status_id]
    if row.empty:
        raise ParameterError(f"方法 {method} 无状态 {status_id!r} (no status {status_id!r} in {method})")
    return row.iloc[0]["label_zh" if language == "zh" else "label_en"]


def cagr(v0: float, v1: float, years: float) -> float:
    """Compound annual growth rate ``(v1/v0)^(1/years) − 1``; NaN where undefined.

    >>> round(cagr(17.0, 21.8, 5), 6)
    0.050997
    >>> cagr(0, 5, 5)
    nan
    """
    if years is None or years <= 0 or v0 is None or v1 is None:
        return math.nan
    if any(isinstance(v, float) and math.isnan(v) for v in (v0, v1)):
        return math.nan
    if v0 <= 0 or v1 <= 0:
        return math.nan
    return (v1 / v0) ** (1 / years) - 1


def eurostat_ratio(y0, t0, yt, t, target, target_year, direction: int) -> float:
    """Eurostat's RR with Statistics Canada's fix: ``d·CAGR_a/|CAGR_r|``.

    EU1 (METHODS.md §1.6): 17.0 (2017) → 21.8 (2022), target 42.5 (2030):
    CAGR_a = 5.0997 %, CAGR_r = 7.3027 %, RR = 0.6983.

    >>> round(eurostat_ratio(17.0, 2017, 21.8, 2022, 42.5, 2030, +1), 4)
    0.6983
    """
    actual = cagr(y0, yt, t - t0)
    required = cagr(y0, target, target_year - t0)
    if math.isnan(actual) or math.isnan(required) or required == 0:
        return math.nan
    return direction * actual / abs(required)


def sdsn_ratio(y0, t0, yt, t, target, target_year, direction: int) -> float:
    """SDSN's linear pace ratio ``r_obs/r_req`` (direction-adjusted through the signs).

    METHODS.md §4.3: 40 (2015) → 55 (2021), goal 100 (2030): r_req = 60/15 = 4.0,
    r_obs = 15/6 = 2.5, q = 0.625.

    >>> sdsn_ratio(40, 2015, 55, 2021, 100, 2030, +1)
    0.625
    """
    if t <= t0 or target == y0:
        return math.nan
    observed = (yt - y0) / (t - t0)
    required = (target - y0) / (target_year - t0)
    return direction * observed / abs(required)


def _opensdg_limit_coefficient(base: float, limit: float, a: float = 4.44) -> float:
    b, lim = abs(base), abs(limit)
    if b >= 2 * lim:
        return 1.0
    if b <= lim:
        return 1 - (b / lim) ** a
    return 1 - ((2 * lim - b) / lim) ** a


def opensdg_progress(base, current, base_year, current_year, direction: int,
                     target=None, target_year=None, limit=None) -> dict:
    """open-sdg / sdg-build progress measure (Statistics Canada), as coded (METHODS.md §2.1).

    Returns ``{'value', 'status_id', 'measure', 'coefficient', 'high', 'target_achieved'}``.
    Case A (§2.4): 50 → 55 (2015→2020), target 70 (2030), positive: R = 0.848354.

    >>> r = opensdg_progress(50, 55, 2015, 2020, +1, target=70, target_year=2030)
    >>> round(r["value"], 6), r["status_id"]
    (0.848354, 'moderate_progress')
    >>> opensdg_progress(8, 9, 2015, 2020, -1, target=10, target_year=2030)["status_id"]
    'target_achieved'
    """
    out = {"value": math.nan, "status_id": "not_available", "measure": "R" if target is not None else "v",
           "coefficient": 1.0, "high": math.nan, "target_achieved": False}
    if base is None or current is None or current_year <= base_year:
        return out
    if (base < 0) != (current < 0) and base != 0:
        return out
    sign = -1 if base < 0 else 1
    base = 0.001 if base == 0 else base
    observed = cagr(abs(base), abs(current), current_year - base_year)
    if math.isnan(observed):
        return out
    table = status_labels("open-sdg", "any")
    if target is not None:
        target = 0.001 if target == 0 else target
        achieved = (direction == -1 and current <= target) or (direction == 1 and current >= target)
        required = cagr(abs(base), abs(target), target_year - base_year)
        value = sign * direction * observed / abs(required) if required else math.nan
        out.update(value=value, target_achieved=achieved,
                   high=float(table.loc[table.status_id == "substantial_progress", "lower"].iloc[0]))
        if achieved:
            out["status_id"] = "target_achieved"
        else:
            out["status_id"] = classify("open-sdg", "any", "R", value) or "not_available"
        return out
    value = sign * direction * observed
    coefficient = 1.0 if limit is None else _opensdg_limit_coefficient(base, limit)
    high = float(table.loc[table.status_id == "substantial_progress_no_target", "lower"].iloc[0])
    out.update(value=value, coefficient=coefficient, high=high * coefficient)
    # thresholds scale by C: classify v/C against the unscaled bands
    scaled = value / coefficient if coefficient else math.inf
    out["status_id"] = classify("open-sdg", "any", "v", scaled).removesuffix("_no_target")
    return out


def opensdg_score(progress: dict) -> float:
    """sdg-build's score (−5…+5) for one series (METHODS.md §2.1 ``get_score``).

    >>> round(opensdg_score(opensdg_progress(50, 55, 2015, 2020, +1, target=70, target_year=2030)), 5)
    1.77401
    """
    value = progress["value"]
    if progress["target_achieved"]:
        return 5.0
    if value is None or math.isnan(value):
        return math.nan
    if progress["measure"] == "R":
        if value >= 0.6:
            return min(7.1429 * value - 4.2857, 5.0)
        return max(4.1667 * value - 2.5, -5.0)
    c = progress["coefficient"]
    if value < 0:
        return max(125 * value - 2.5, -5.0)
    if c == 0:
        return 5.0
    if value >= progress["high"]:
        return min(500 * value / c - 5, 5.0)
    if value >= 0.005 * c:
        return 250 * value / c - 1.25
    return 500 * value / c - 2.5


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb`` (or ``#rgb``): 0 black … 1 white.

    >>> round(relative_luminance("#ffffff"), 3), round(relative_luminance("#006d2c"), 3)
    (1.0, 0.111)
    """
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_colour(background: str) -> str:
    """Black or white text, whichever reads better on a status colour.

    >>> text_colour("#00331a"), text_colour("#fdae6b")
    ('#ffffff', '#000000')
    """
    return "#000000" if relative_luminance(background) > 0.18 else "#ffffff"
