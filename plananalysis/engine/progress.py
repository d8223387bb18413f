"""The progress engine: mid-term and final verdicts, with every intermediate value kept.

:func:`assess` (alias :func:`progress`) takes the plan (a :class:`~plananalysis.plan.folder.Plan`,
its Table 2 frame, or a frame of :data:`SPEC_COLUMNS`), the observed values (the
``load_observed()`` contract) and an ``as_of`` year, and returns one tidy row per indicator:
base and latest values, elapsed share ``E``, completion share ``P``, ``q = P/E``, realised,
required and remaining rates (linear and compound), projections to the target year, years
ahead or behind schedule, the status in Chinese and English and a one-line reason.

>>> import pandas as pd
>>> plan = pd.DataFrame([{"indicator_id": "urbanisation_rate", "name_zh": "常住人口城镇化率",
...     "unit": "%", "target_printed": "75左右", "target_kind": "level", "target_op": "≈",
...     "target_value": 75.0, "baseline_value": 71.0, "baseline_year": 2020,
...     "target_year": 2025, "direction": "higher"}])
>>> observed = pd.DataFrame({"indicator_id": ["urbanisation_rate"], "series": ["plan"],
...     "year": [2023], "value": [74.2], "qualifier": [""]})
>>> row = assess(plan, observed, as_of=2023).iloc[0]
>>> row.status_zh, round(float(row.completion_share), 3), float(row.elapsed_share), round(float(row.pace_ratio), 3)
('快于预期', 0.8, 0.6, 1.333)
>>> row.reason_zh
'2023年74.2%，完成目标进度80%，快于序时进度60%'

Target types and their rules (METHODS.md §5.3–5.4):

=====================  =======================================================================
rule                   completion share ``P`` and time share ``E``
=====================  =======================================================================
level / floor /        ``P = (yt − y0)/(y* − y0)``, ``E = (t − t0)/(T − t0)`` (t0 from the row,
ceiling / approx       e.g. ``6(2019年)``); met when ``d·(yt − y*) ≥ 0``; approx (左右) met at
                       ``P ≥ 1 − APPROX_TOLERANCE``.  A floor or ceiling already met at the
                       base (or with no base) is a *constraint*: met or not, no path.
control (控制在…左右)  a ceiling in every year, met when ``yt ≤ y*·(1 + APPROX_TOLERANCE)``.
maintain               target equals base: met when not worse than the base.
cumulative_sum 〔X〕    ``P = Σ flows / X`` over t0+1…t, ``E = k/N``; with years missing the
                       pace is ``q = mean flow / (X/N)`` and the row says which years.
cumulative_change      points of change: ``y* = y0 + d·X`` (myopia 〔5〕: ``P = (y0 − yt)/5``);
                       a value that is itself the cumulative change compares with ``X``.
avg_growth             realised ``ḡ = (Π(1+g_i))^(1/k) − 1``; ``P = (Π(1+g_i) − 1)/((1+g*)^N − 1)``,
                       ``E`` on the geometric path ``((1+g*)^k − 1)/((1+g*)^N − 1)``.
cumulative_reduction   〔R〕 % over N years, observed as yearly declines ``r_i``: achieved
                       ``A_k = 1 − Π(1 − r_i)`` (compounded, not summed), ``P = A_k/R``, ``E`` on
                       the constant-rate path ``(1 − (1 − R)^(k/N))/R``; a value marked
                       ``value_type = cumulative`` is ``A_k`` itself.
relational             against the linked series (``linked_indicator``) over the years both have:
                       average growth ``≥`` (高于), ``≈`` within ``relation_tolerance`` points
                       (基本同步, default :data:`RELATION_TOLERANCE`) or ``≤``; a constraint, no path.
qualitative            no number: :data:`QUALITATIVE` unless an analyst's verdict with its source
                       is recorded (``observed/verdicts.csv``).
annual (每年…)         a flow to reach in every year: met when each observed year's flow reaches
                       ``y*`` (左右: ``≥ 0.95·y*``); a constraint, ``P`` = the weakest year's
                       flow / ``y*``; at the final review, years missing make it an estimate.
range (350至400)       ``target_op = 'range'``, ``target_value`` the low and ``target_high`` the
                       high bound: met when ``low ≤ yt ≤ high``; a base below (above) the range
                       gives a path to the low (high) bound, like a floor (ceiling).
multiple (翻一番)      ``y* = y0 · m`` with the base-year value (from the data when the row has
                       none); then a level (floor) with a path.  No base value: no verdict.
=====================  =======================================================================

约束性 (binding) targets use the binding bands of the method table: no tolerance below the
schedule at mid-term (滞后 below q = 1), no 基本完成 band at the end.  At the final review a
verdict that rests on a value older than the target year is an estimate from that year:
``预计完成（据2023年数据）`` / ``预计未完成（据2023年数据）``, never a final label.  A row that
cannot be evaluated gets ``not_assessable`` with the reason; it never stops the others.

Observed values: only ``series == 'plan'`` is compared with the target; other series are
listed in ``context``.  A value with qualifier ``>``/``<`` is a bound (flagged; a floor is met
when the bound is at or above it); ``≈`` is a rounded value (flagged).  ``k`` comes from the
latest data year at or before ``as_of``, and the reason says when it is older.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..values import is_blank
from ..observed import grades as _grades
from ..observed.grades import with_grades

from . import methods as _methods
from ..errors import ParameterError

__all__ = [
    "APPROX_TOLERANCE",
    "SPEC_COLUMNS",
    "OUTPUT_COLUMNS",
    "COLUMN_LABELS_ZH",
    "RULE_LABELS",
    "assess",
    "progress",
    "specs_from_indicators",
    "target_rule",
    "years_ahead",
    "status_counts",
    "evidence_counts",
]

APPROX_TOLERANCE = 0.05  # 左右: P ≥ 0.95 counts as met (the 11th FYP energy verdict 19.1/20)
RELATION_TOLERANCE = 0.5  # 基本同步: average growth within 0.5 percentage points of the linked series
QUALITATIVE = "qualitative"
_EPS = 1e-9

SPEC_COLUMNS = [
    "indicator_id", "part", "no", "name_zh", "name_en", "unit", "baseline_printed",
    "target_printed", "target_kind", "target_op", "target_value", "baseline_value",
    "baseline_year", "target_year", "direction", "attribute", "linked_indicator", "relation_tolerance",
    "target_high",
]

RULE_LABELS = {
    "level": ("水平目标", "level"),
    "floor": ("下限目标（以上）", "floor (以上)"),
    "ceiling": ("上限目标（以内）", "ceiling (以内)"),
    "approx": ("约数目标（左右）", "approximate (左右)"),
    "control": ("控制目标（控制在…左右）", "control ceiling (控制在…左右)"),
    "maintain": ("保持目标（目标等于基期）", "maintain (target equals base)"),
    "cumulative_sum": ("五年累计数", "five-year sum"),
    "cumulative_change": ("五年累计变化", "five-year cumulative change"),
    "avg_growth": ("年均增长", "average annual growth"),
    "cumulative_reduction": ("五年累计下降（复合）", "five-year cumulative reduction (compounded)"),
    "relational": ("相对目标（与其他序列比较）", "relational (against another series)"),
    "qualitative": ("定性目标", "qualitative"),
    "annual": ("年度目标（每年）", "annual (every year)"),
    "range": ("区间目标（…至…）", "range (from … to …)"),
    "unknown": ("无法识别", "not recognised"),
}

#: The output's text columns: "" where a row has nothing to say, never NaN.
_TEXT_COLUMNS = ("latest_qualifier", "years_used", "years_missing", "caveats", "evidence_grade",
                 "evidence_years", "evidence_flags")

OUTPUT_COLUMNS = [
    "indicator_id", "part", "no", "name_zh", "name_en", "unit", "method", "phase", "as_of",
    "rule", "rule_zh", "has_path", "direction", "baseline_printed", "target_printed",
    "target_op", "target_value", "base_year", "base_value", "target_year", "n_years",
    "latest_year", "latest_value", "latest_qualifier", "years_used", "years_missing",
    "elapsed_years", "elapsed_share", "completion_share", "pace_ratio", "is_target_met", "attribute",
    "linked_indicator", "linked_value",
    "gap_to_target", "gap_share", "realised_rate", "required_rate", "remaining_rate",
    "realised_cagr", "required_cagr", "remaining_cagr", "projection_linear",
    "projection_cagr", "projection_low", "projection_high", "projected_share",
    "is_projected_met", "projected_zh", "years_ahead", "method_measure", "method_value",
    "method_score", "status_id", "status_zh", "status_en", "status_order", "reason_zh",
    "reason_en", "caveats", "context",
    "evidence_grade", "evidence_official", "evidence_preliminary", "evidence_points", "evidence_years",
    "evidence_flags",
]

COLUMN_LABELS_ZH = {
    "indicator_id": "指标编码", "part": "分项", "no": "序号", "name_zh": "指标", "name_en": "指标（英文）",
    "unit": "单位", "method": "方法", "phase": "评估阶段", "as_of": "评估年份", "rule": "目标类型",
    "rule_zh": "目标类型", "has_path": "有路径", "direction": "方向",
    "baseline_printed": "基期（原文）", "target_printed": "目标（原文）", "target_op": "目标运算符",
    "target_value": "目标值", "base_year": "基期年份", "base_value": "基期值",
    "target_year": "目标年份", "n_years": "规划年数N", "latest_year": "最新年份",
    "latest_value": "最新值", "latest_qualifier": "数值标注", "years_used": "所用年份",
    "years_missing": "缺失年份", "elapsed_years": "已过年数k", "elapsed_share": "序时进度E",
    "completion_share": "完成目标进度P", "pace_ratio": "进度比q=P/E", "is_target_met": "已达目标",
    "attribute": "指标属性", "linked_indicator": "对照序列", "linked_value": "对照序列值",
    "gap_to_target": "距目标差值", "gap_share": "距目标差（比例）", "realised_rate": "实际年均变化",
    "required_rate": "规划所需年均变化", "remaining_rate": "剩余年份所需年均变化",
    "realised_cagr": "实际年均增速", "required_cagr": "规划所需年均增速",
    "remaining_cagr": "剩余年份所需年均增速", "projection_linear": "线性外推值",
    "projection_cagr": "复合增速外推值", "projection_low": "外推区间下限",
    "projection_high": "外推区间上限", "projected_share": "外推完成进度",
    "is_projected_met": "预计达标", "projected_zh": "预计目标年能否完成",
    "years_ahead": "较序时进度提前（年）", "method_measure": "方法指标", "method_value": "方法指标值",
    "method_score": "方法得分", "status_id": "状态编码", "status_zh": "评估结论",
    "status_en": "评估结论（英文）", "status_order": "状态序", "reason_zh": "依据",
    "reason_en": "依据（英文）", "caveats": "提示", "context": "其他口径（仅供参考）",
    "evidence_grade": "证据等级", "evidence_official": "依据官方或部门数据",
    "evidence_preliminary": "含初步核算数", "evidence_points": "观测年份数", "evidence_years": "所据年份",
    "evidence_flags": "证据提示",
}

_FLAG_ZH = {
    "bound": "观测值仅为界值",
    "rounded": "观测值为约数",
    "lagged": "最新数据早于评估年",
    "partial": "年度数据不全",
    "base_from_observed": "基期值取自观测数据",
    "base_year_differs": "基期年份非规划基年",
    "no_base": "规划未给基期值",
    "binding": "约束性指标（从严判断）",
    "estimate": "终期结论据较早年份数据预计",
    "single_point": "仅1个观测年份，不作趋势外推",
    "direction_conflict": "最新观测变化与目标方向相反，外推存疑",
    "base_conflict": "观测基期值与规划基期差异大，基期存疑",
    "lower_bound": "累计含下限值（实际不低于此数）",
}

#: evidence flags that qualify a verdict's label (趋势存疑 / 基期存疑)
_DOUBT_WORDS = {"direction_conflict": ("趋势存疑", "trend in doubt"), "base_conflict": ("基期存疑", "base in doubt")}


# ---------------------------------------------------------------- specifications


def _float(value) -> float:
    return math.nan if is_blank(value) else float(value)


def _int(value) -> int | None:
    return None if is_blank(value) else int(value)


def specs_from_indicators(table: pd.DataFrame) -> pd.DataFrame:
    """Table 2 (``plan.indicators`` / indicators.csv) as rows of :data:`SPEC_COLUMNS`.

    >>> t = pd.DataFrame([{"indicator_id": "x", "no": 1, "name_zh": "甲", "unit": "%",
    ...     "baseline_printed": "1", "target_printed": "2", "target_kind": "level",
    ...     "target_op": "=", "target_value": 2, "baseline_value": 1, "baseline_year": 2020,
    ...     "target_year": 2025, "direction": "higher"}])
    >>> row = specs_from_indicators(t).loc[0]
    >>> row.part, float(row.target_value)
    ('', 2.0)
    """
    frame = table.copy()
    for column in SPEC_COLUMNS:
        if column not in frame.columns:
            frame[column] = "" if column in ("part", "name_en", "baseline_printed", "no", "attribute",
                                             "linked_indicator") else math.nan
    for column in ("part", "attribute", "linked_indicator"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "").astype(str)
    for column in ("target_value", "baseline_value", "target_high"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame[SPEC_COLUMNS].reset_index(drop=True)


def _as_specs(plan) -> pd.DataFrame:
    table = getattr(plan, "indicators", plan)
    if not isinstance(table, pd.DataFrame):
        raise ParameterError("plan 应为 Plan 或 DataFrame (plan must be a Plan or a DataFrame)")
    return specs_from_indicators(table)


def target_rule(kind: str, op: str, base: float, target: float, direction: str) -> tuple[str, bool]:
    """The rule for one target and whether it has a path from the base.

    >>> target_rule("level", "≥", 79.47, 80, "higher")
    ('floor', True)
    >>> target_rule("level", "≤", 5.02, 6, "lower")      # a ceiling met at the base
    ('ceiling', False)
    >>> target_rule("level", "=", 5195, 5195, "higher")
    ('maintain', False)
    >>> target_rule("level", "≤≈", math.nan, 5.5, "lower")
    ('control', False)
    >>> target_rule("annual", "=", math.nan, 7, "higher"), target_rule("level", "range", math.nan, 350, "higher")
    (('annual', False), ('range', False))
    """
    if kind == "annual":
        return "annual", False
    if op == "range":
        return "range", False
    if kind in ("cumulative_sum", "cumulative_change", "avg_growth", "cumulative_reduction"):
        return kind, True
    if kind in ("relational", "qualitative"):
        return kind, False
    if kind == "maintain":
        return "maintain", False
    d = 1 if direction == "higher" else -1
    rule = {"≤≈": "control", "≈": "approx", "≥": "floor", "≤": "ceiling"}.get(op, "level")
    if rule == "control":
        return rule, False
    if rule == "level" and not math.isnan(base) and abs(base - target) < _EPS:
        return "maintain", False
    if math.isnan(base) or d * (target - base) <= _EPS:
        return rule, False
    return rule, True


# ---------------------------------------------------------------- small helpers

def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pct(share: float, digits: int = 1) -> str:
    if share is None or math.isnan(share):
        return "—"
    text = f"{share * 100:.{digits}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _with_unit(x: float, unit: str, qualifier: str = "") -> str:
    unit = "" if is_blank(unit) else unit
    if unit.startswith("倍"):
        unit = "倍"
    return f"{qualifier}{_num(x)}{unit}"


def years_ahead(completion_share: float, elapsed_years: float, n_years: float) -> float:
    """Sicherl's S-time-distance on the linear target path: ``P·N − k`` years (+ ahead).

    METHODS.md §6.6: 城镇化率 74.2 in 2023 (P = 0.8, k = 3, N = 5) → 0.8·5 − 3 = 1.0 ahead;
    文化产业 6.9 in 2022 (P = 1/3, k = 2) → 5/3 − 2 = −0.33 (behind).

    >>> years_ahead(0.8, 3, 5)
    1.0
    >>> round(years_ahead(1 / 3, 2, 5), 2)
    -0.33
    """
    if any(v is None or math.isnan(v) for v in (completion_share, elapsed_years, n_years)):
        return math.nan
    return round(completion_share * n_years - elapsed_years, 10)


@dataclass
class _Series:
    """The plan-series values of one indicator (and part) up to ``as_of``."""

    years: list
    values: list
    qualifiers: list
    is_cumulative: list
    context: str
    grades: list | None = None
    preliminary: list | None = None

    def evidence(self, year: int) -> tuple[str, bool]:
        """The grade of one year's value and whether it is preliminary (``("", False)`` if unknown)."""
        if not self.grades or year not in self.years:
            return "", False
        i = self.years.index(year)
        return self.grades[i], bool(self.preliminary[i]) if self.preliminary else False


class _ObservedIndex:
    """The observed values (a frame of :func:`_normalise_observed`) as :func:`_series_for` reads
    them: each ``(indicator_id, part)``'s row positions, in their order, and the columns it reads
    as Python lists — one pass over the frame instead of a dozen pandas operations per indicator
    and target.  A series read through it is the one read from the frame (the same rows, sorted
    by the same sort)."""

    _COLUMNS = ("year", "value", "series", "qualifier", "is_cumulative", "value_type", "evidence_grade",
                "is_preliminary")

    def __init__(self, obs: pd.DataFrame):
        self.positions = obs.groupby(["indicator_id", "part"], sort=False).indices
        self.columns = {column: obs[column].tolist() for column in self._COLUMNS}

    def series(self, indicator_id: str, part: str, as_of: int) -> _Series:
        col = self.columns
        years = col["year"]
        rows = [p for p in self.positions.get((indicator_id, part), ()) if years[p] <= as_of]
        # sorted as DataFrame.sort_values("year") sorts (numpy's default sort of the int64 years)
        rows = [rows[k] for k in np.argsort(np.array([years[p] for p in rows], dtype=np.int64), kind="quicksort")]
        plan = [p for p in rows if col["series"][p] == "plan"]
        last = {years[p]: p for p in plan}                 # drop_duplicates("year", keep="last")
        plan = [p for p in plan if last[years[p]] == p]
        context = "；".join(f"{col['series'][p]} {years[p]}年 {col['qualifier'][p]}{_num(col['value'][p])}"
                           for p in rows if col["series"][p] != "plan")
        return _Series(
            years=[int(years[p]) for p in plan],
            values=[float(col["value"][p]) for p in plan],
            qualifiers=[str(col["qualifier"][p]) for p in plan],
            is_cumulative=[bool(col["is_cumulative"][p]) or col["value_type"][p] == "cumulative" for p in plan],
            context=context,
            grades=[str(col["evidence_grade"][p]) for p in plan],
            preliminary=[bool(col["is_preliminary"][p]) for p in plan],
        )


def _series_for(obs: pd.DataFrame, indicator_id: str, part: str, as_of: int,
                index: _ObservedIndex | None = None) -> _Series:
    if index is not None:   # the same series, read through the frame's index
        return index.series(indicator_id, part, as_of)
    rows = obs[(obs["indicator_id"] == indicator_id) & (obs["part"] == part)]
    rows = rows[rows["year"] <= as_of].sort_values("year")
    plan = rows[rows["series"] == "plan"].drop_duplicates("year", keep="last")
    other = rows[rows["series"] != "plan"]
    context = "；".join(
        f"{r.series} {r.year}年 {r.qualifier}{_num(r.value)}" for r in other.itertuples()
    )
    return _Series(
        years=[int(y) for y in plan["year"]],
        values=[float(v) for v in plan["value"]],
        qualifiers=[str(q) for q in plan["qualifier"]],
        is_cumulative=[bool(c) or v == "cumulative" for c, v in zip(plan["is_cumulative"], plan["value_type"])],
        context=context,
        grades=[str(g) for g in plan["evidence_grade"]],
        preliminary=[bool(x) for x in plan["is_preliminary"]],
    )


def _normalise_observed(observed: pd.DataFrame, specs: pd.DataFrame, region: str) -> pd.DataFrame:
    obs = observed.copy()
    if "indicator_id" not in obs.columns:
        if "indicator_no" not in obs.columns:
            raise ParameterError("observed 需要 indicator_id 或 indicator_no 列 (observed needs "
                                 "an indicator_id or indicator_no column)")
        by_no = {int(n): i for n, i in zip(specs["no"], specs["indicator_id"]) if not is_blank(n)}
        obs["indicator_id"] = [by_no.get(int(n)) for n in obs["indicator_no"]]
    if "region" in obs.columns and region is not None:
        obs = obs[obs["region"].fillna(region) == region]
    if "target_id" in obs.columns:  # catalogue targets are judged by their own rows, not here
        obs = obs[obs["target_id"].fillna("") == ""]
    if "evidence_grade" not in obs.columns and "source_quality" in obs.columns:
        obs = with_grades(obs)   # a frame not from load_observed: its grades from its source types
    defaults = {"series": "plan", "qualifier": "", "part": "", "is_cumulative": False, "value_type": "",
                "evidence_grade": "", "is_preliminary": False}
    for column, default in defaults.items():
        if column not in obs.columns:
            obs[column] = default
        obs[column] = obs[column].where(obs[column].notna(), default)
    obs["qualifier"] = obs["qualifier"].astype(str)
    obs = obs[obs["value"].notna() & obs["year"].notna()]
    obs["year"] = obs["year"].astype(int)
    return obs


# ---------------------------------------------------------------- the evaluator

def _phase_for(phase: str, as_of: int, target_year: int) -> str:
    if phase == "auto":
        return "final" if as_of >= target_year else "midterm"
    if phase not in ("midterm", "final"):
        raise ParameterError(f"phase 应为 auto、midterm 或 final，得到 {phase!r} (phase must be "
                             "auto, midterm or final)")
    return phase


def _is_met_value(rule: str, d: int, value: float, qualifier: str, target: float, base: float,
                  tolerance: float, high: float = math.nan) -> bool:
    """Whether one observed value meets a constraint-type target (no path)."""
    if rule == "range":  # a bound says nothing about lying inside a range
        return qualifier not in (">", "<") and target - _EPS <= value <= high + _EPS
    if qualifier == ">" and d < 0 or qualifier == "<" and d > 0:
        return False  # a bound on the wrong side says nothing about meeting the target
    if rule == "control":
        return value <= target * (1 + tolerance) + _EPS
    if rule == "maintain":
        return d * (value - base) >= -_EPS
    if rule == "approx":
        return d * (value - target) >= -tolerance * abs(target) - _EPS
    return d * (value - target) >= -_EPS


def _evaluate(spec: dict, series: _Series, as_of: int, phase: str, method: str,
              tolerance: float, plan_base_year: int | None = None, linked: _Series | None = None,
              verdict: dict | None = None) -> dict:
    d = 1 if spec["direction"] == "higher" else -1
    if spec.get("target_kind") == "qualitative":
        return _qualitative(spec, series, as_of, phase, method, verdict)
    kind = spec["target_kind"] if not is_blank(spec["target_kind"]) else "level"
    op = spec["target_op"] if not is_blank(spec["target_op"]) else "="
    x_target = _float(spec["target_value"])
    y0 = _float(spec["baseline_value"])
    t0 = _int(spec["baseline_year"])
    big_t = _int(spec["target_year"])
    flags = []
    if (kind not in RULE_LABELS and kind != "multiple") or kind in ("floor", "ceiling", "approx", "control",
                                                                    "range", "unknown"):
        raise ValueError(f"未知目标类型 {kind!r} (unknown target kind {kind!r})")
    if t0 is None or big_t is None:
        raise ValueError("缺少基期年份或目标年份 (no base year or target year)")
    x_high = _float(spec.get("target_high"))
    if op == "range" and (math.isnan(x_high) or math.isnan(x_target) or x_high < x_target):
        raise ValueError("区间目标需要下限 target_value 与上限 target_high (a range needs target_value ≤ target_high)")
    if math.isnan(y0) and kind in ("level", "cumulative_change", "maintain", "multiple"):
        # a base from the data when the table gives none (e.g. the myopia rate in 2020)
        if t0 in series.years and not series.is_cumulative[series.years.index(t0)]:
            y0 = series.values[series.years.index(t0)]
            flags.append("base_from_observed")
        else:
            flags.append("no_base")
    multiple = math.nan
    if kind == "multiple":  # 翻一番: a floor at m times the base value, with a path from the base
        multiple, kind, op = x_target, "level", "≥"
        x_target = y0 * multiple if not math.isnan(y0) else math.nan
    if op == "range" and not math.isnan(y0) and not x_target <= y0 <= x_high:
        # a base outside the range: the path runs to the nearer bound, as to a floor or a ceiling
        op, d = ("≥", 1) if y0 < x_target else ("≤", -1)
        x_target = x_target if d > 0 else x_high
    rule, has_path = target_rule(kind, op, y0, x_target, "higher" if d > 0 else "lower")
    phase = _phase_for(phase, as_of, big_t)
    n_years = big_t - t0
    if plan_base_year is not None and t0 != plan_base_year:
        flags.append("base_year_differs")
    if spec.get("attribute") == "binding":
        flags.append("binding")
    rec = {
        "rule": rule, "rule_zh": RULE_LABELS[rule][0], "has_path": has_path, "phase": phase,
        "target_value": x_target, "base_year": t0, "base_value": y0, "target_year": big_t,
        "n_years": n_years, "latest_qualifier": "", "years_used": "", "years_missing": "",
        "is_target_met": None, "context": series.context, "attribute": spec.get("attribute", ""),
        "linked_indicator": spec.get("linked_indicator", ""), "as_of": as_of,
    }
    if kind == "relational":
        return _relational(rec, spec, series, linked, as_of, t0, flags, method, phase)
    after = [(y, v, q, c) for y, v, q, c in zip(series.years, series.values, series.qualifiers,
                                                 series.is_cumulative) if y > t0]
    if kind == "annual":  # a target of each year up to its own year
        after = [a for a in after if a[0] <= big_t]
    if not after:
        rec.update(status_id="no_data", flags=flags,
                   reason_zh="无规划口径数据" + (f"（仅有{t0}年基期数据）" if t0 in series.years else ""),
                   reason_en="no value on the plan's basis" + (" after the base year" if t0 in series.years else ""))
        _pace_from_base(rec, kind, y0, x_target, n_years, d)
        return _finish(rec, method, phase)
    if not math.isnan(multiple) and math.isnan(y0):
        years = "、".join(str(y) for y, *_ in after)
        rec.update(status_id="no_data", flags=flags,
                   reason_zh=f"有{years}年数值，但缺少{t0}年基期值，无法计算{_num(multiple)}倍目标",
                   reason_en=f"values for {years.replace('、', ', ')} but none for the base year {t0}: "
                             f"the {_num(multiple)}-fold target cannot be computed")
        return _finish(rec, method, phase)
    t, yt, qual, is_cum = after[-1]
    k = t - t0
    rec.update(latest_year=t, latest_value=yt, latest_qualifier=qual, elapsed_years=k)
    if qual in (">", "<"):
        flags.append("bound")
    if qual == "≈":
        flags.append("rounded")
    if t < min(as_of, big_t):
        flags.append("lagged")

    if kind == "annual":
        _annual(rec, after, t0, x_target, op, d, tolerance, flags)
    elif kind == "cumulative_sum":
        _cumulative_sum(rec, after, t0, n_years, x_target, flags)
    elif kind == "cumulative_reduction":
        _cumulative_reduction(rec, after, t0, n_years, x_target, flags)
    elif kind == "avg_growth":
        _avg_growth(rec, after, t0, n_years, x_target, flags, phase)
    elif has_path:
        if kind == "cumulative_change":
            if is_cum or math.isnan(y0):
                rec["base_value"] = y0 = 0.0
                target_level, d = x_target, 1
            else:
                target_level = y0 + d * x_target
        else:
            target_level = x_target
        _level_path(rec, after, t0, y0, t, yt, target_level, n_years, d, rule, tolerance)
    else:
        met = _is_met_value(rule, d, yt, qual, x_target, y0, tolerance, x_high)
        ref = x_target if rule != "maintain" else y0
        if rule == "range":  # the distance to the nearer bound (0 inside the range)
            ref = x_target if yt < x_target else (x_high if yt > x_high else yt)
        rec.update(is_target_met=met, gap_to_target=yt - ref)
        rec["gap_share"] = (yt - ref) / abs(ref) if ref else math.nan
    rec["flags"] = flags
    _thin_evidence(rec, spec, series, after, d, big_t)
    _evidence(rec, series)
    return _finish(rec, method, phase, d=d, spec=spec, tolerance=tolerance)


#: rules whose verdict rests on every year used (a sum, an average, a compounded reduction, each year)
_ALL_YEARS_RULES = ("cumulative_sum", "cumulative_reduction", "avg_growth", "annual", "relational")
_LEVEL_RULES = ("level", "floor", "ceiling", "approx", "cumulative_change")


def _evidence(rec: dict, series: _Series) -> None:
    """What the verdict rests on: the weakest grade of the values it uses, whether any is
    preliminary, how many observed years there are up to the latest (the base year's included)
    and which years it uses."""
    latest = rec.get("latest_year")
    points = len([y for y in series.years if latest is not None and y <= latest])
    used = [int(y) for y in str(rec.get("years_used") or "").split(",") if y.strip()]
    resting = used if rec["rule"] in _ALL_YEARS_RULES and used else ([int(latest)] if latest is not None else [])
    pairs = [series.evidence(y) for y in resting]
    grade = _grades.weakest([g for g, _ in pairs])
    rec.update(evidence_grade=grade, evidence_official=_grades.is_official(grade) if grade else None,
               evidence_preliminary=any(p for _, p in pairs), evidence_points=points,
               evidence_years=",".join(map(str, resting)),
               preliminary_years=[y for y, (_, p) in zip(resting, pairs) if p])


def _thin_evidence(rec: dict, spec: dict, series: _Series, after: list, d: int, big_t: int) -> None:
    """docs/evidence-rules.md: no trend from one observed year projected further than it reaches
    (k < N − k: one year's change never stands for four); a projection against the latest
    observed change, or from a base the observed base-year value contradicts, is flagged."""
    flags, t, yt = rec["flags"], rec.get("latest_year"), rec.get("latest_value")
    if not rec["has_path"] or t is None:
        return
    k, remaining = t - rec["base_year"], big_t - t
    if len([y for y in series.years if y <= t]) == 1 and 0 < k < remaining and rec["rule"] != "annual":
        flags.append("single_point")        # one observed year: P (and the pace) only, no projection
        for column in ("projection_linear", "projection_cagr", "projection_low", "projection_high",
                       "projected_share"):
            rec[column] = math.nan
    if rec["rule"] not in _LEVEL_RULES or rec.get("is_target_met"):
        return
    earlier = [(y, v) for y, v, q in zip(series.years, series.values, series.qualifiers)
               if y < t and q not in (">", "<")]
    p = rec.get("completion_share")
    if earlier and p is not None and not math.isnan(p) and p > 0 and d * (yt - earlier[-1][1]) < -_EPS:
        y_prev, v_prev = earlier[-1]
        flags.append("direction_conflict")
        rec["doubt_zh"] = rec.get("doubt_zh", []) + [
            f"最新观测变化{y_prev}年{_num(v_prev)}→{t}年{_num(yt)}与目标方向相反，外推存疑"]
        rec["doubt_en"] = rec.get("doubt_en", []) + [
            f"the latest observed change, {_num(v_prev)} ({y_prev}) → {_num(yt)} ({t}), runs against the "
            "target: the projection is in doubt"]
    base = _float(spec.get("baseline_value"))
    t0 = rec["base_year"]
    if not math.isnan(base) and t0 in series.years:
        from .audit import severity_for
        observed_base = series.values[series.years.index(t0)]
        if abs(observed_base - base) > _EPS and severity_for(observed_base, base) == "high":
            flags.append("base_conflict")
            rec["doubt_zh"] = rec.get("doubt_zh", []) + [
                f"观测{t0}年值{_num(observed_base)}与规划基期{_num(base)}相差"
                f"{_pct(abs(observed_base - base) / abs(base))}，基期存疑"]
            rec["doubt_en"] = rec.get("doubt_en", []) + [
                f"the observed {t0} value {_num(observed_base)} differs from the plan's base {_num(base)} by "
                f"{_pct(abs(observed_base - base) / abs(base))}: the base is in doubt"]


def _pace_from_base(rec: dict, kind: str, y0: float, x_target: float, n_years: int, d: int) -> None:
    """With no value after the base year, the pace the plan needs a year from its base to its
    target (``required_rate``; ``required_cagr`` for a level): what a leader asks ("what would
    it take?") is known even without data.  ``remaining_rate`` stays unknown (the latest value
    is).

    >>> rec = {"has_path": True}
    >>> _pace_from_base(rec, "level", 6.0, 6.5, 5, 1)     # beds: 6.0 (2020) → 6.5 (2025)
    >>> round(rec["required_rate"], 3), round(rec["required_cagr"], 4)
    (0.1, 0.0161)
    >>> rec = {"has_path": True}
    >>> _pace_from_base(rec, "cumulative_sum", math.nan, 400.0, 5, 1)   # 〔400〕 over five years
    >>> rec["required_rate"]
    80.0
    """
    if n_years <= 0 or math.isnan(x_target):
        return
    if kind in ("cumulative_sum", "annual", "avg_growth"):   # a flow, a yearly target, a growth rate
        rate = x_target / n_years if kind == "cumulative_sum" else x_target
    elif kind == "cumulative_reduction":
        rate = (1 - (1 - x_target / 100) ** (1 / n_years)) * 100
    elif kind == "cumulative_change" and math.isnan(y0):
        rate = d * x_target / n_years
    elif rec.get("has_path") and not math.isnan(y0):
        level = y0 + d * x_target if kind == "cumulative_change" else x_target
        rate = (level - y0) / n_years
        rec["required_cagr"] = _methods.cagr(y0, level, n_years)
    else:
        return
    rec["required_rate"] = rate


def _level_path(rec, after, t0, y0, t, yt, target, n_years, d, rule, tolerance):
    k = t - t0
    p = (yt - y0) / (target - y0)
    e = k / n_years
    met_share = 1 - tolerance if rule == "approx" else 1.0
    rec.update(
        target_level=target, completion_share=p, elapsed_share=e, pace_ratio=p / e if e else math.nan,
        is_target_met=p >= met_share - _EPS and not (rec["latest_qualifier"] == "<" and d > 0)
        and not (rec["latest_qualifier"] == ">" and d < 0),
        gap_to_target=yt - target, gap_share=(yt - target) / abs(target) if target else math.nan,
        realised_rate=(yt - y0) / k, required_rate=(target - y0) / n_years,
        remaining_rate=(target - yt) / (n_years - k) if n_years > k else math.nan,
        realised_cagr=_methods.cagr(y0, yt, k), required_cagr=_methods.cagr(y0, target, n_years),
        remaining_cagr=_methods.cagr(yt, target, n_years - k) if n_years > k else math.nan,
        years_used=",".join(str(y) for y, *_ in after), years_ahead=years_ahead(p, k, n_years),
    )
    remaining = n_years - k
    rec["projection_linear"] = yt + (yt - y0) / k * remaining
    rec["projection_cagr"] = (yt * (1 + rec["realised_cagr"]) ** remaining
                              if not math.isnan(rec["realised_cagr"]) else math.nan)
    points = [(t0, y0)] + [(y, v) for y, v, *_ in after]
    if len(points) >= 3:
        slopes = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(points, points[1:])][-4:]
        rec["projection_low"] = yt + min(slopes) * remaining
        rec["projection_high"] = yt + max(slopes) * remaining
    rec["projected_share"] = (rec["projection_linear"] - y0) / (target - y0)


def _cumulative_sum(rec, after, t0, n_years, total_target, flags):
    t = after[-1][0]
    k = t - t0
    if after[-1][3]:  # the value is already the running total (e.g. Table 1's 〔600〕)
        total, used, missing, n_known = after[-1][1], [t], [], k
    else:
        flows = {y: v for y, v, *_ in after}
        used = sorted(flows)
        missing = [y for y in range(t0 + 1, t + 1) if y not in flows]
        total, n_known = sum(flows.values()), len(flows)
    if missing:
        flags.append("partial")
    # the rows the total rests on: a running total alone (the flows before it are inside it)
    counted = after[-1:] if after[-1][3] else [a for a in after if not a[3]]
    bounds = [y for y, v, q, c in counted if q == ">"]
    if bounds:   # flows known only as lower bounds (>100): the sum is a lower bound too
        flags += ["bound", "lower_bound"]
        rec["bound_years"] = bounds
    mean_flow = total / n_known
    required = total_target / n_years
    p = total / total_target
    e = k / n_years
    q = mean_flow / required
    rec.update(
        target_level=total_target, latest_cumulative=total, completion_share=p, elapsed_share=e,
        pace_ratio=q, is_target_met=total >= total_target - _EPS and not any(qq == "<" for _, _, qq, _ in counted),
        gap_to_target=total - total_target, gap_share=(total - total_target) / total_target,
        realised_rate=mean_flow, required_rate=required,
        remaining_rate=(total_target - total) / (n_years - k) if n_years > k and not missing else math.nan,
        years_used=",".join(map(str, used)), years_missing=",".join(map(str, missing)),
        years_ahead=math.nan if missing else years_ahead(p, k, n_years),
        projection_linear=mean_flow * n_years if missing else total + mean_flow * (n_years - k),
    )
    if not after[-1][3]:
        flows_list = [v for _, v, *_ in after]
        if len(flows_list) >= 2:
            rec["projection_low"] = total + min(flows_list) * (n_years - n_known)
            rec["projection_high"] = total + max(flows_list) * (n_years - n_known)
    rec["projected_share"] = rec["projection_linear"] / total_target
    rec["latest_value"] = total if after[-1][3] else rec["latest_value"]


def _annual(rec, after, t0, target, op, d, tolerance, flags):
    """每年…: every observed year's flow against the yearly target (a constraint, no path).

    >>> rec = {"latest_qualifier": ""}
    >>> _annual(rec, [(2023, 11.0, "", False), (2024, 8.5, "", False)], 2020, 7.0, "=", 1, 0.05, [])
    >>> rec["is_target_met"], rec["years_missing"], round(rec["completion_share"], 4)   # 8.5 / 7
    (True, '2021,2022', 1.2143)
    """
    flows = {y: (v, q) for y, v, q, _ in after}
    t = after[-1][0]
    missing = [y for y in range(t0 + 1, t + 1) if y not in flows]
    if missing:
        flags.append("partial")
    threshold = target * (1 - tolerance) if op == "≈" else target

    def short(v, q):
        return d * (v - threshold) < -_EPS or (q == "<" and d > 0) or (q == ">" and d < 0)

    below = [y for y, (v, q) in flows.items() if short(v, q)]
    values = [v for v, _ in flows.values()]
    worst = min(values) if d > 0 else max(values)
    rec.update(
        target_level=target, is_target_met=not below, completion_share=worst / target if target else math.nan,
        realised_rate=sum(values) / len(values), required_rate=target,
        gap_to_target=worst - target, gap_share=(worst - target) / abs(target) if target else math.nan,
        years_used=",".join(map(str, sorted(flows))), years_missing=",".join(map(str, missing)),
        years_below=",".join(map(str, below)), annual_flows=[(y, flows[y][0]) for y in sorted(flows)],
    )


def _cumulative_reduction(rec, after, t0, n_years, target_pct, flags):
    """〔R〕: a reduction compounded from yearly declines (METHODS.md §5.3).

    >>> rec = {}
    >>> after = [(2021, 4.0, "", False), (2022, 4.0, "", False), (2023, 4.0, "", False), (2024, 4.0, "", False)]
    >>> _cumulative_reduction(rec, after, 2020, 5, 20.0, [])
    >>> round(rec["latest_cumulative"], 4), round(rec["completion_share"], 4)   # 1 − 0.96⁴ = 15.07 %
    (15.0653, 0.7533)
    """
    t = after[-1][0]
    k = t - t0
    big_r = target_pct / 100
    if after[-1][3]:  # the value is already the reduction since the base year
        achieved, used, missing = after[-1][1] / 100, [t], []
    else:
        declines = {y: v / 100 for y, v, *_ in after}
        used = sorted(declines)
        missing = [y for y in range(t0 + 1, t + 1) if y not in declines]
        achieved = 1 - math.prod(1 - r for r in declines.values())
    if missing:
        flags.append("partial")
    n_known = k if not missing else len(used)
    annual = 1 - (1 - achieved) ** (1 / n_known) if n_known else math.nan      # realised yearly decline
    required = 1 - (1 - big_r) ** (1 / n_years)                                 # the plan's yearly task
    expected = 1 - (1 - big_r) ** (k / n_years)                                 # the constant-rate path
    p = achieved / big_r
    e = expected / big_r
    remaining = (1 - ((1 - big_r) / (1 - achieved)) ** (1 / (n_years - k))) if n_years > k and achieved < 1 else math.nan
    projected = 1 - (1 - annual) ** n_years if not math.isnan(annual) else math.nan
    rec.update(
        target_level=target_pct, latest_cumulative=achieved * 100, completion_share=p, elapsed_share=e,
        pace_ratio=(annual / required) if missing else p / e, is_target_met=achieved >= big_r - _EPS,
        gap_to_target=(achieved - big_r) * 100, gap_share=(achieved - big_r) / big_r,
        realised_rate=annual * 100, required_rate=required * 100,
        remaining_rate=remaining * 100 if not missing else math.nan,
        years_used=",".join(map(str, used)), years_missing=",".join(map(str, missing)),
        years_ahead=math.nan if missing else years_ahead(p, k, n_years),
        projection_linear=projected * 100, projected_share=projected / big_r,
    )
    rec["latest_value"] = achieved * 100


def _relational(rec, spec, series, linked, as_of, t0, flags, method, phase):
    """高于 / 与…基本同步 / 低于 another series: compared over the years both have, up to ``as_of``."""
    own = {y: v for y, v in zip(series.years, series.values) if y > t0}
    other = {y: v for y, v in zip(linked.years, linked.values) if y > t0} if linked is not None else {}
    years = sorted(set(own) & set(other))
    link = spec.get("linked_name") or spec.get("linked_indicator") or ""
    if not years:
        missing = "本指标" if not own else "对照序列"
        rec.update(status_id="no_data", flags=flags,
                   reason_zh=f"无可比较年份：{missing}（{link}）缺少规划期数据",
                   reason_en=f"no year to compare: {'this indicator' if not own else 'the linked series'} "
                             f"({link}) has no value in the plan period")
        return _finish(rec, method, phase)

    def mean_growth(values):
        return (math.prod(1 + v / 100 for v in values) ** (1 / len(values)) - 1) * 100

    mine, theirs = mean_growth([own[y] for y in years]), mean_growth([other[y] for y in years])
    tolerance = _float(spec.get("relation_tolerance"))
    tolerance = RELATION_TOLERANCE if math.isnan(tolerance) else tolerance
    op = spec.get("target_op") or "≈"
    if op == "≥":
        met = mine >= theirs - _EPS
    elif op == "≤":
        met = mine <= theirs + _EPS
    else:
        met = abs(mine - theirs) <= tolerance + _EPS
    t = years[-1]
    if t < min(as_of, rec["target_year"]):
        flags.append("lagged")
    span = f"{years[0]}—{years[-1]}" if len(years) > 1 else f"{years[0]}"
    rec.update(latest_year=t, latest_value=own[t], linked_value=other[t], elapsed_years=t - t0,
               realised_rate=mine, required_rate=theirs, gap_to_target=mine - theirs,
               is_target_met=bool(met), years_used=",".join(map(str, years)), flags=flags)
    _evidence(rec, series)
    word_zh = {"≥": "高于", "≤": "低于"}.get(op, "基本同步于")
    word_en = {"≥": "above", "≤": "below"}.get(op, "in step with")
    gap = abs(mine - theirs)
    band_zh = "" if op in ("≥", "≤") else f"，容差±{_num(tolerance)}"
    band_en = "" if op in ("≥", "≤") else f", tolerance ±{_num(tolerance)}"
    _method_status(rec, method, phase, 1)
    lag_zh = f"最新数据为{t}年，" if "lagged" in flags else ""
    lag_en = f"latest data {t}; " if "lagged" in flags else ""
    rec["reason_zh"] = (f"{lag_zh}{span}年年均{_num(round(mine, 2))}%，同期{link}年均{_num(round(theirs, 2))}%"
                        f"（相差{_num(round(gap, 2))}个百分点{band_zh}）：{'满足' if met else '未满足'}“{word_zh}”")
    rec["reason_en"] = (f"{lag_en}{span}: average {_num(round(mine, 2))}% against {_num(round(theirs, 2))}% for {link} "
                        f"({_num(round(gap, 2))} points apart{band_en}): {'meets' if met else 'does not meet'} '{word_en}'")
    return _finish(rec, method, phase)


def _qualitative(spec, series, as_of, phase_arg, method, verdict):
    """A target with no number: an analyst's recorded verdict (with its source), or none."""
    big_t = _int(spec.get("target_year"))
    phase = _phase_for(phase_arg, as_of, big_t) if big_t else "midterm"
    rec = {"rule": "qualitative", "rule_zh": RULE_LABELS["qualitative"][0], "has_path": False, "phase": phase,
           "target_value": math.nan, "base_year": _int(spec.get("baseline_year")), "target_year": big_t,
           "attribute": spec.get("attribute", ""), "context": series.context, "flags": [], "as_of": as_of}
    if verdict is None:
        rec.update(status_id=QUALITATIVE,
                   reason_zh=f"定性目标“{spec.get('target_printed', '')}”：规划未给数值，需分析人员依据资料作出判断并注明来源",
                   reason_en="a qualitative target with no number: an analyst records a verdict with its source")
        return _finish(rec, method, phase)
    year = int(verdict["year"])
    met = verdict["verdict"] == "met"
    rec.update(latest_year=year, is_target_met=met)
    if big_t and year < min(as_of, big_t):
        rec["flags"].append("lagged")
    _method_status(rec, method, phase, 1)
    source = verdict.get("source_title") or verdict.get("source_url") or ""
    rec["reason_zh"] = f"{year}年分析判断：{verdict.get('reason_zh') or ('已实现' if met else '未实现')}（来源：{source}）"
    rec["reason_en"] = f"{year}, analyst's verdict: {verdict.get('reason_en') or ('met' if met else 'not met')} (source: {source})"
    return _finish(rec, method, phase)


def _unassessable(spec: dict, error: Exception, method: str, phase_arg: str, as_of: int) -> dict:
    """The record of a row that fits no rule: its status says so and its reason says why."""
    big_t = _int(spec.get("target_year")) if not is_blank(spec.get("target_year")) else None
    phase = _phase_for(phase_arg, as_of, big_t) if big_t else ("final" if phase_arg == "final" else "midterm")
    text = str(error).split("\n")[0][:200]
    rec = {"rule": "unknown", "rule_zh": RULE_LABELS["unknown"][0], "has_path": False, "phase": phase,
           "target_year": big_t, "status_id": "not_assessable", "flags": [], "as_of": as_of,
           "reason_zh": f"无法评估：{text}", "reason_en": f"cannot be assessed: {text}"}
    return _finish(rec, method, phase)


def _avg_growth(rec, after, t0, n_years, g_target_pct, flags, phase):
    t = after[-1][0]
    k = t - t0
    rates = {y: v / 100 for y, v, *_ in after}
    used = sorted(rates)
    missing = [y for y in range(t0 + 1, t + 1) if y not in rates]
    if missing:
        flags.append("partial")
    index = math.prod(1 + g for g in rates.values())
    g_bar = index ** (1 / len(rates)) - 1
    index_k = (1 + g_bar) ** k if missing else index  # estimated when years are missing
    g_star = g_target_pct / 100
    full = (1 + g_star) ** n_years
    p = (index_k - 1) / (full - 1)
    e = ((1 + g_star) ** k - 1) / (full - 1)
    remaining = ((full / index_k) ** (1 / (n_years - k)) - 1) if n_years > k else math.nan
    rec.update(
        target_level=g_target_pct, completion_share=p, elapsed_share=e, pace_ratio=p / e,
        # final: the realised average against the target rate; mid-term: the five-year index
        is_target_met=g_bar >= g_star - _EPS if phase == "final" else p >= 1 - _EPS,
        gap_to_target=(g_bar - g_star) * 100, gap_share=(g_bar - g_star) / g_star,
        realised_rate=g_bar * 100, required_rate=g_target_pct, remaining_rate=remaining * 100,
        years_used=",".join(map(str, used)), years_missing=",".join(map(str, missing)),
        years_ahead=round(math.log(index_k) / math.log(1 + g_star) - k, 10),
        growth_index=index_k,
    )
    if missing and phase == "final":
        rec["is_target_met"] = None  # unknown: the missing years could go either way
    projected = [g_bar]
    if len(rates) >= 2:
        projected += [min(rates.values()), max(rates.values())]
    avg = [((index_k * (1 + g) ** (n_years - k)) ** (1 / n_years) - 1) * 100 for g in projected]
    rec["projection_linear"] = avg[0]
    if len(avg) == 3:
        rec["projection_low"], rec["projection_high"] = avg[1], avg[2]
    rec["projected_share"] = ((index_k * (1 + g_bar) ** (n_years - k)) - 1) / (full - 1)


# ---------------------------------------------------------------- statuses and reasons

def _method_status(rec: dict, method: str, phase: str, d: int) -> None:
    """Status id (and the method's own measure) from the computed numbers."""
    met = rec.get("is_target_met")
    binding = rec.get("attribute") == "binding"
    if method == "cn-schedule":
        if rec["has_path"]:
            if phase == "midterm":
                rec["method_measure"], rec["method_value"] = "q", rec["pace_ratio"]
                status = "achieved" if met else _methods.classify(method, phase, "q", rec["pace_ratio"], binding=binding)
            else:
                share = rec["completion_share"]
                if rec["rule"] == "avg_growth":
                    share = rec["projected_share"]  # five years at the realised average rate
                rec["method_measure"], rec["method_value"] = "P", share
                if met:
                    exceeded = _methods.status_row(method, phase, "exceeded")["lower"]
                    status = "exceeded" if share >= exceeded - _EPS else "completed"
                else:
                    status = _methods.classify(method, phase, "P", share, binding=binding)
        else:
            if phase == "midterm":
                status = "on_track" if met else "behind"
            else:
                status = "completed" if met else "not_completed"
        # years missing: every year is the target (annual), or the sum or average is estimated from
        # the years known; a five-year sum of flows already reached is proven (flows only add)
        incomplete = "partial" in rec["flags"]
        proven = rec["rule"] == "cumulative_sum" and bool(met)
        if (phase == "final" and ("lagged" in rec["flags"] or incomplete) and status not in ("no_data", None)
                and not proven):
            # the data stop before the target year: an estimate from that year, never a final label
            rec["flags"].append("estimate")
            share = rec.get("projected_share")
            trusted = "direction_conflict" not in rec["flags"]   # a trend against the latest change projects nothing
            likely = bool(met) or (rec["has_path"] and trusted and share is not None and not is_blank(share)
                                   and share >= (1 - APPROX_TOLERANCE if rec["rule"] == "approx" else 1) - _EPS)
            status = "estimated_completed" if likely else "estimated_not_completed"
        rec["status_id"] = status
        return
    row = _methods.method_row(method)   # the method table: its statuses, measure and ratio
    achieved_id, none_id, measure = row["achieved_status"], row["no_data_status"], row["measure"]
    ratio = getattr(_methods, row["ratio"])
    rec["method_measure"] = measure
    if met:
        rec["status_id"] = achieved_id
        if method == "open-sdg":
            rec["method_score"] = 5.0
        if not rec["has_path"]:
            return
    if not rec["has_path"]:
        rec["status_id"] = none_id
        return
    if rec["rule"] == "avg_growth":  # the ratio of actual to required average growth
        value = rec["realised_rate"] / rec["required_rate"]
    elif rec["rule"] in ("cumulative_sum", "cumulative_reduction"):  # mean flow against the required pace
        value = rec["pace_ratio"]
    else:
        value = ratio(rec["base_value"], rec["base_year"], rec["latest_value"], rec["latest_year"],
                      rec["target_level"], rec["target_year"], d)
    rec["method_value"] = value
    if method == "open-sdg" and not met:
        rec["method_score"] = _methods.opensdg_score(
            {"value": value, "target_achieved": False, "measure": "R", "coefficient": 1.0, "high": 0.95})
    if not met:
        rec["status_id"] = _methods.classify(method, phase, measure, value) or none_id


def _reason(rec: dict, spec: dict, as_of: int) -> tuple[str, str]:
    unit = spec["unit"]
    t, yt, qual = rec.get("latest_year"), rec.get("latest_value"), rec.get("latest_qualifier", "")
    lag_zh = f"最新数据为{t}年，" if "lagged" in rec["flags"] else ""
    lag_en = f"latest data {t}; " if "lagged" in rec["flags"] else ""
    rule, p, e = rec["rule"], rec.get("completion_share"), rec.get("elapsed_share")
    at_least = "≥" if "bound" in rec["flags"] else ""
    if rule == "annual":
        return _annual_reason(rec, spec, lag_zh, lag_en)
    if rule == "cumulative_sum":
        total = rec["latest_cumulative"]
        used = rec["years_used"].split(",")
        if len(used) == 1 and "partial" in rec["flags"]:   # one year's flow is not a total
            head_zh = f"{used[0]}年新增{_with_unit(total, unit)}"
            head_en = f"{used[0]}: {_num(total)} in that year alone"
        else:
            head_zh = f"{rec['years_used'].replace(',', '、')}年累计{_with_unit(total, unit)}"
            head_en = f"sum {rec['years_used']} = {_num(total)}"
        if rec["years_missing"]:
            head_zh += (f"（缺{rec['years_missing'].replace(',', '、')}年），已知年份年均{_num(rec['realised_rate'])}，"
                        f"为所需年均{_num(rec['required_rate'])}的{_pct(rec['pace_ratio'])}")
            head_en += (f" (missing {rec['years_missing']}); mean {_num(rec['realised_rate'])}/yr is "
                        f"{_pct(rec['pace_ratio'])} of the {_num(rec['required_rate'])}/yr required")
            if rec["phase"] == "final" and rec["status_id"] == "no_data":
                head_zh += "；年度数据不全，无法得出终期结论"
                head_en += "; years missing, no final verdict"
            return lag_zh + head_zh, lag_en + head_en
    elif rule == "cumulative_reduction":
        head_zh = (f"{rec['years_used'].replace(',', '、')}年累计下降{_num(round(rec['latest_cumulative'], 2))}%"
                   f"（年均{_num(round(rec['realised_rate'], 2))}%，目标五年累计{_num(rec['target_value'])}%，"
                   f"年均需{_num(round(rec['required_rate'], 2))}%）")
        head_en = (f"cumulative reduction {_num(round(rec['latest_cumulative'], 2))}% over {rec['years_used']} "
                   f"({_num(round(rec['realised_rate'], 2))}% a year; the target {_num(rec['target_value'])}% "
                   f"needs {_num(round(rec['required_rate'], 2))}% a year)")
        if rec["years_missing"]:
            head_zh += f"，缺{rec['years_missing'].replace(',', '、')}年"
            head_en += f", missing {rec['years_missing']}"
    elif rule == "avg_growth":
        head_zh = (f"{rec['years_used'].replace(',', '、')}年年均增长{_num(round(rec['realised_rate'], 2))}%"
                   f"（目标年均{_num(rec['target_value'])}%{'以上' if spec['target_op'] == '≥' else ''}）")
        head_en = f"average growth {_num(round(rec['realised_rate'], 2))}% over {rec['years_used']} (target {_num(rec['target_value'])}%)"
        if rec["years_missing"]:
            head_zh += f"，缺{rec['years_missing'].replace(',', '、')}年"
            head_en += f", missing {rec['years_missing']}"
    else:
        head_zh = f"{t}年{_with_unit(yt, unit, qual)}"
        head_en = f"{t}: {qual}{_num(yt)}"
        if "bound" in rec["flags"]:
            head_zh += "（仅知界值）"
            head_en += " (a bound only)"
    if not rec["has_path"]:
        target_text = spec["target_printed"] if not is_blank(spec["target_printed"]) else _num(rec["target_value"])
        met = rec["is_target_met"]
        if rule == "maintain":
            zh = f"{head_zh}，目标为保持基期{_with_unit(rec['base_value'], unit)}，{'已保持' if met else '低于基期'}"
            en = f"{head_en}; target: keep the base {_num(rec['base_value'])}; {'kept' if met else 'below the base'}"
        else:
            zh = f"{head_zh}，目标{target_text}，{'满足' if met else '未满足'}"
            en = f"{head_en}; target {target_text}; {'met' if met else 'not met'}"
        return lag_zh + zh, lag_en + en
    if rec["phase"] == "final":
        if "partial" in rec["flags"] and rec["status_id"] == "no_data":
            zh = (f"{head_zh}，年度数据不全，无法得出终期结论（按已知年份推算完成目标进度"
                  f"{_pct(rec['projected_share'])}）")
            en = (f"{head_en}; years missing, no final verdict (at the known pace: "
                  f"{_pct(rec['projected_share'])} of the target)")
            return lag_zh + zh, lag_en + en
        shown = rec["projected_share"] if rule == "avg_growth" else p
        zh = f"{head_zh}，完成目标进度{at_least}{_pct(shown)}"
        en = f"{head_en}; completion {at_least}{_pct(shown)}"
        if (rec["status_id"] in ("estimated_completed", "estimated_not_completed")
                and not is_blank(rec.get("projected_share"))
                and "direction_conflict" not in rec["flags"]):   # a distrusted trend is not printed as an estimate
            zh += f"；按{t}年前趋势预计{rec['target_year']}年完成进度{_pct(rec.get('projected_share'))}"
            en += f"; on the trend to {t}, {_pct(rec.get('projected_share'))} expected by {rec['target_year']}"
        gap = rec.get("gap_share", math.nan)
        if rec["is_target_met"] is False and rule == "cumulative_reduction":
            points = abs(rec["gap_to_target"])
            zh += f"，距目标差{_num(round(points, 2))}个百分点"
            en += f", {_num(round(points, 2))} points short of the target"
        elif rec["is_target_met"] is False and not math.isnan(gap) and rule not in ("avg_growth",):
            zh += f"，距目标差{_pct(abs(gap), 2)}"
            en += f", {_pct(abs(gap), 2)} short of the target"
        return lag_zh + zh, lag_en + en
    if rec["is_target_met"]:
        zh = f"{head_zh}，已达到目标（完成目标进度{at_least}{_pct(p)}）"
        en = f"{head_en}; target already met (completion {at_least}{_pct(p)})"
        return lag_zh + zh, lag_en + en
    q = rec["pace_ratio"]
    word_zh = "快于" if q > 1 + 1e-6 else ("慢于" if q < 1 - 1e-6 else "等于")
    word_en = "ahead of" if q > 1 + 1e-6 else ("behind" if q < 1 - 1e-6 else "equal to")
    if p < 0:
        zh = f"{head_zh}，逆目标方向变化（完成目标进度{_pct(p)}），序时进度{_pct(e)}"
        en = f"{head_en}; moving away from the target (completion {_pct(p)}), time elapsed {_pct(e)}"
    else:
        zh = f"{head_zh}，完成目标进度{at_least}{_pct(p)}，{word_zh}序时进度{_pct(e)}"
        en = f"{head_en}; {at_least}{_pct(p)} of the target reached, {word_en} the {_pct(e)} of time elapsed"
    return lag_zh + zh, lag_en + en


def _annual_reason(rec: dict, spec: dict, lag_zh: str, lag_en: str) -> tuple[str, str]:
    unit, target = spec["unit"], spec["target_printed"] or _num(rec["target_value"])
    values = dict(rec["annual_flows"])
    zh = "、".join(f"{y}年{_with_unit(v, unit)}" for y, v in values.items())
    en = ", ".join(f"{y}: {_num(v)}" for y, v in values.items())
    if rec["years_missing"]:
        zh += f"（缺{rec['years_missing'].replace(',', '、')}年）"
        en += f" (missing {rec['years_missing'].replace(',', ', ')})"
    known_zh = "已知年份" if rec["years_missing"] else ""
    if rec["is_target_met"]:
        zh += f"，每年目标{target}：{known_zh}各年均达到"
        en += f"; target {target} every year: reached in every {'known ' if known_zh else ''}year"
    else:
        zh += f"，每年目标{target}：{rec['years_below'].replace(',', '、')}年未达到"
        en += f"; target {target} every year: not reached in {rec['years_below'].replace(',', ', ')}"
    return lag_zh + zh, lag_en + en


def _finish(rec: dict, method: str, phase: str, d: int = 1, spec: dict | None = None,
            tolerance: float = APPROX_TOLERANCE) -> dict:
    rec["method"] = method
    if "status_id" not in rec:
        _method_status(rec, method, phase, d)
        rec["reason_zh"], rec["reason_en"] = _reason(rec, spec, rec.get("as_of"))
    if rec["status_id"] in (None, "no_data") and method == "open-sdg":
        rec["status_id"] = "not_available"
    if rec.get("latest_year") is not None:
        met = rec.get("is_target_met")
        if rec.get("projection_linear") is not None and not is_blank(rec.get("projection_linear")):
            share = rec["projected_share"]
            threshold = 1 - tolerance if rec["rule"] == "approx" else 1.0
            rec["is_projected_met"] = bool(share >= threshold - _EPS)
            rec["projected_zh"] = "已实现" if met and "partial" not in rec.get("flags", []) else ("预计完成" if rec["is_projected_met"] else "难以完成")
    row = _methods.status_row(method, phase, rec["status_id"])
    flags = list(dict.fromkeys(rec.get("flags", [])))
    if "direction_conflict" in flags and rec.get("is_projected_met"):
        rec["is_projected_met"], rec["projected_zh"] = None, "趋势存疑"   # never "likely met" without the flag
    for language in ("zh", "en"):
        rec[f"status_{language}"] = _evidence_label(rec, method, phase, row, flags, language)
    rec["status_order"] = int(row["order"])
    _evidence_reason(rec, flags, _favourable(row))
    rec["evidence_flags"] = ",".join(f for f in flags if f in _EVIDENCE_FLAGS)
    rec["caveats"] = "；".join(_FLAG_ZH[f] for f in flags)
    rec.pop("flags", None)
    for key in ("doubt_zh", "doubt_en", "preliminary_years", "bound_years"):
        rec.pop(key, None)
    return rec


_EVIDENCE_FLAGS = ("single_point", "direction_conflict", "base_conflict", "lower_bound", "bound", "partial")
_UNJUDGED = ("no_data", "not_available", "not_assessable", QUALITATIVE)


def _evidence_label(rec: dict, method: str, phase: str, row, flags: list, language: str) -> str:
    """The status label with its data year(s) and evidence (docs/evidence-rules.md):
    the year where the verdict is an estimate from older data (final) or rests on a value older
    than the year before the review (mid-term); the grade's word where it is not official or a
    department's; 初步 for a preliminary value; 待核实 for a value to be confirmed; 趋势存疑 / 基期存疑."""
    status_id = rec["status_id"]
    if status_id in _UNJUDGED:
        return row["label_zh" if language == "zh" else "label_en"]
    t, as_of = rec.get("latest_year"), rec.get("as_of")
    dated = "{year}" in str(row["dated_zh"])
    stale = (phase == "midterm" and t is not None and as_of is not None and int(t) < int(as_of) - 1)
    years = ""
    if (dated or stale) and t is not None:
        used = [y for y in str(rec.get("years_used") or "").split(",") if y.strip()]
        listed = "partial" in flags and len(used) > 1 and rec["rule"] in _ALL_YEARS_RULES[:3]
        years = ("、" if language == "zh" else ", ").join(used) if listed else str(int(t))
    grade = rec.get("evidence_grade") or ""
    shown = grade if grade and not _grades.is_official(grade) else ""
    doubts = [_DOUBT_WORDS[f][0 if language == "zh" else 1] for f in flags if f in _DOUBT_WORDS] \
        if _favourable(row) else []
    return _methods.evidence_label(method, phase, status_id, language, years=years,
                                   grade=_grades.grade_phrase(shown, language),
                                   preliminary=bool(rec.get("evidence_preliminary")),
                                   confirm=_grades.to_confirm(shown), doubts=doubts)


def _favourable(row) -> bool:
    """Whether a status reads as met, ahead or on track (a doubt must then be said with it)."""
    return str(row["tone"]) in ("met", "ahead", "on_track")


def _evidence_reason(rec: dict, flags: list, favourable: bool = True) -> None:
    """The reason says what the verdict rests on when it is not an official value of several years."""
    if rec["status_id"] in _UNJUDGED or is_blank(rec.get("reason_zh")):
        return
    zh, en = [], []
    if "lower_bound" in flags and rec.get("bound_years"):
        years = rec["bound_years"]
        zh.append(f"{'、'.join(map(str, years))}年仅知下限，累计为下限，实际不低于此数")
        en.append(f"{', '.join(map(str, years))} known only as lower bounds: the sum is a lower bound")
    if "single_point" in flags and rec.get("phase") == "final":   # mid-term: the caveat (no projection shown)
        zh.append(f"仅有{rec['latest_year']}年1个观测值，不作趋势外推")
        en.append(f"one observed year only ({rec['latest_year']}): no trend projection")
    zh += rec.get("doubt_zh", [])
    en += rec.get("doubt_en", [])
    grade = rec.get("evidence_grade") or ""
    if grade and not _grades.is_official(grade):
        confirm = _grades.to_confirm(grade)
        zh.append(f"所据数值为{_grades.grade_label(grade)}{'，待核实' if confirm else ''}")
        en.append(f"rests on {_grades.grade_phrase(grade, 'en')} data{', to be confirmed' if confirm else ''}")
    if rec.get("preliminary_years"):
        zh.append(f"{'、'.join(map(str, rec['preliminary_years']))}年为初步核算数")
        en.append(f"{', '.join(map(str, rec['preliminary_years']))} preliminary")
    if zh:
        rec["reason_zh"] = f"{rec['reason_zh']}（{'；'.join(zh)}）"
        rec["reason_en"] = f"{rec['reason_en']} ({'; '.join(en)})"



# ---------------------------------------------------------------- public entry

def assess(plan, observed: pd.DataFrame | None = None, as_of: int | None = None, method: str = "cn-schedule",
           *, phase: str = "auto", region: str | None = None, tolerance: float = APPROX_TOLERANCE,
           combine_parts: bool = True, base_year: int | None = None, verdicts: pd.DataFrame | None = None,
           context: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator: the verdict of ``method`` as of ``as_of`` with every intermediate.

    ``plan``: a Plan (its ``.indicators``), Table 2 as a DataFrame, or a frame of
    :data:`SPEC_COLUMNS`.  ``observed``: the ``load_observed()`` frame (default: that
    function's result); only ``series == 'plan'`` rows of ``region`` are compared.
    ``phase``: ``auto`` (final when ``as_of`` ≥ the target year), ``midterm`` or ``final``.
    ``region`` and ``as_of`` default to the plan's region and latest review due; ``base_year``
    (for a frame of specs) is the plan's base year, against which a row's own is flagged.
    ``verdicts``: an analyst's recorded verdicts on qualitative targets (``subject_id, year,
    verdict, reason_zh, reason_en, source_title, source_url``); ``context``: context series a
    relational target may be stated against (``series, region, year, value``).
    Column names are English; :data:`COLUMN_LABELS_ZH` gives Chinese headers.

    >>> from plananalysis.plan.folder import load_plan
    >>> table = assess(load_plan(), as_of=2023).set_index("indicator_id")
    >>> table.loc["urbanisation_rate", ["status_zh", "reason_zh"]].tolist()
    ['快于预期', '2023年74.2%，完成目标进度80%，快于序时进度60%']
    >>> round(float(table.loc["hospital_beds_per_1000", "required_rate"]), 3)   # no value after 2020: (7.5 − 5.99) / 5
    0.302
    """
    if method not in _methods.METHODS:
        raise ParameterError(f"未知方法 {method!r}，应为 {', '.join(_methods.METHODS)} "
                             f"(unknown method {method!r})")
    specs = _as_specs(plan)
    info = None if isinstance(plan, pd.DataFrame) else getattr(plan, "info", None)
    if info is not None:  # a Plan: its region, its base year and its default review year
        region = info.region if region is None else region
        as_of = info.default_as_of() if as_of is None else as_of
    elif as_of is None:
        as_of = int(pd.to_numeric(specs["target_year"]).max())
    plan_base_year = info.base_year if info is not None else base_year
    if observed is None:
        from ..observed.load import load_observed
        observed = load_observed(plan=plan if info is not None else None)
    if region is None and "region" in observed.columns and observed["region"].dropna().nunique() > 1:
        raise ParameterError("observed 含多个地区，请用 region 指明其一 (observed holds several regions: "
                             "name one with region=…)")
    obs = _normalise_observed(observed, specs, region)
    index = _ObservedIndex(obs)
    names = dict(zip(specs["indicator_id"], specs["name_zh"]))
    records = []
    for spec in specs.to_dict("records"):
        spec["linked_name"] = names.get(spec.get("linked_indicator"), spec.get("linked_indicator", ""))
        series = _series_for(obs, spec["indicator_id"], spec["part"], as_of, index)
        try:
            linked = _linked_series(spec, obs, context, region, as_of, index)
            verdict = _latest_verdict(verdicts, spec["indicator_id"], as_of)
            rec = _evaluate(spec, series, as_of, phase, method, tolerance, plan_base_year, linked, verdict)
        except (ValueError, TypeError, KeyError, ZeroDivisionError, OverflowError) as error:
            rec = _unassessable(spec, error, method, phase, as_of)   # one row never stops the others
        for column in ("indicator_id", "part", "no", "name_zh", "name_en", "unit",
                       "baseline_printed", "target_printed", "target_op", "direction"):
            rec[column] = spec[column]
        rec["as_of"] = as_of
        records.append(rec)
    table = pd.DataFrame.from_records(records) if records else pd.DataFrame(
        {column: pd.Series(dtype=object) for column in OUTPUT_COLUMNS})
    for column in OUTPUT_COLUMNS:
        if column not in table.columns:
            table[column] = math.nan
    for column in _TEXT_COLUMNS:   # a row no rule gave years or notes (qualitative, unassessable) says ""
        table[column] = table[column].map(lambda v: "" if is_blank(v) else v)
    table = table[OUTPUT_COLUMNS]
    if combine_parts and (table["part"] != "").any():
        table = _combine_parts(table)
    return table.reset_index(drop=True)


progress = assess


def _linked_series(spec: dict, obs: pd.DataFrame, context: pd.DataFrame | None, region, as_of: int,
                   index: _ObservedIndex | None = None) -> _Series | None:
    """The series a relational target is stated against: an indicator of the plan, else a context series."""
    link = spec.get("linked_indicator") or ""
    if spec.get("target_kind") != "relational" or not link:
        return None
    if link in set(obs["indicator_id"]):
        return _series_for(obs, link, "", as_of, index)
    if context is not None and len(context):
        rows = context[(context["series"] == link) & (context["year"] <= as_of)]
        if region is not None and "region" in rows.columns:
            rows = rows[rows["region"] == region]
        rows = rows.sort_values("year").drop_duplicates("year", keep="last")
        return _Series([int(y) for y in rows["year"]], [float(v) for v in rows["value"]],
                       [""] * len(rows), [False] * len(rows), "")
    return _Series([], [], [], [], "")


def _latest_verdict(verdicts: pd.DataFrame | None, subject_id: str, as_of: int) -> dict | None:
    if verdicts is None or not len(verdicts):
        return None
    rows = verdicts[(verdicts["subject_id"] == subject_id) & (verdicts["year"].astype(int) <= as_of)]
    return rows.sort_values("year").iloc[-1].to_dict() if len(rows) else None


def _combine_parts(table: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator: a multi-part row takes its worst part's status."""
    rows = []
    for indicator_id, group in table.groupby("indicator_id", sort=False):
        if len(group) == 1 and group.iloc[0]["part"] == "":
            rows.append(group.iloc[0])
            continue
        worst = group.sort_values("status_order").iloc[-1].copy()
        worst["part"] = "、".join(group["part"])
        worst["reason_zh"] = "；".join(f"{r.part}：{r.reason_zh}" for r in group.itertuples())
        worst["reason_en"] = "; ".join(f"{r.part}: {r.reason_en}" for r in group.itertuples())
        worst["caveats"] = "；".join(dict.fromkeys(f for f in "；".join(group["caveats"].fillna("")).split("；") if f))
        worst["target_printed"] = " ".join(dict.fromkeys(group["target_printed"]))
        for column in ("latest_value", "completion_share", "pace_ratio", "target_value"):
            worst[column] = math.nan
        worst["is_target_met"] = bool(group["is_target_met"].fillna(False).all())
        rows.append(worst)
    return pd.DataFrame(rows)


def status_counts(table: pd.DataFrame, lang: str = "zh", *, language: str | None = None) -> pd.Series:
    """Number of rows per status label (in ``lang``: ``zh`` or ``en``), in the table's order (best
    first): a Series, label → count.  ``language`` is the old name of ``lang`` (warns
    ``DeprecationWarning``).  The legend's table with zeros and headers is
    :meth:`ReviewContext.status_counts_view <plananalysis.context.ReviewContext.status_counts_view>`.

    >>> status_counts(pd.DataFrame({"status_zh": ["滞后", "提前实现", "滞后"],
    ...                             "status_order": [4, 1, 4]})).to_dict()
    {'提前实现': 1, '滞后': 2}
    >>> status_counts(pd.DataFrame({"status_id": ["estimated_completed"] * 2, "method": "cn-schedule",
    ...     "phase": "final", "status_zh": ["预计完成（据2023年数据）", "预计完成（据2024年数据）"],
    ...     "status_order": 3})).to_dict()
    {'预计完成': 2}
    """
    if language is not None:
        import warnings

        warnings.warn("status_counts(language=…) 已更名为 lang (is now lang=…)", DeprecationWarning, stacklevel=2)
        lang = language
    column = "status_zh" if lang == "zh" else "status_en"
    ordered = table.sort_values("status_order")
    if {"status_id", "method", "phase"} <= set(ordered.columns):   # 预计完成, not one count per data year
        labels = {(m, ph, sid): _methods.label(m, ph, sid, lang)
                  for m, ph, sid in set(zip(ordered["method"], ordered["phase"], ordered["status_id"]))}
        names = [labels[key] for key in zip(ordered["method"], ordered["phase"], ordered["status_id"])]
        ordered = ordered.assign(**{column: names})
    return ordered.groupby(column, sort=False).size()


def evidence_counts(table: pd.DataFrame) -> dict:
    """How many verdicts rest on what (docs/evidence-rules.md): ``judged`` (rows with a verdict),
    ``official`` (on official or department data), ``to_confirm`` (on a reprint or a news
    report), ``reprint``, ``media``, ``other`` (analyst-entered or derived), ``single_point``
    (one observed year), ``preliminary``, ``in_doubt`` (a trend against the latest change or a
    doubtful base).

    >>> table = pd.DataFrame({"status_id": ["ahead", "achieved", "no_data", "exceeded"],
    ...     "evidence_grade": ["official", "reprint", "", "media"], "evidence_preliminary": [False, True, None, False],
    ...     "evidence_flags": ["", "single_point", "", "direction_conflict"], "evidence_points": [2, 1, None, 3]})
    >>> evidence_counts(table)
    {'judged': 3, 'official': 1, 'to_confirm': 2, 'reprint': 1, 'media': 1, 'other': 0, 'single_point': 1, 'preliminary': 1, 'in_doubt': 1}
    >>> evidence_counts(table[table["status_id"] == "no_data"])["official"]   # nothing judged
    0
    """
    if not len(table) or "evidence_grade" not in table.columns:
        return dict.fromkeys(("judged", "official", "to_confirm", "reprint", "media", "other", "single_point",
                              "preliminary", "in_doubt"), 0)
    judged = table[~table["status_id"].isin(_UNJUDGED)]
    grade = judged["evidence_grade"].fillna("").astype(str)
    flags = judged["evidence_flags"].fillna("").astype(str).str.split(",")
    official = grade.map(_grades.is_official).astype(bool)   # bool even when nothing is judged
    confirm = grade.map(_grades.to_confirm).astype(bool)
    return {
        "judged": len(judged), "official": int(official.sum()), "to_confirm": int(confirm.sum()),
        "reprint": int((grade == "reprint").sum()), "media": int((grade == "media").sum()),
        "other": int(((grade != "") & ~official & ~confirm).sum()),
        "single_point": int((pd.to_numeric(judged["evidence_points"], errors="coerce") == 1).sum()),
        "preliminary": int(judged["evidence_preliminary"].map(lambda v: v is True or v == 1).sum()),
        "in_doubt": int(flags.map(lambda f: bool({"direction_conflict", "base_conflict"} & set(f))).sum()),
    }
