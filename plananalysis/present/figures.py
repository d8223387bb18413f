"""The charts of a review's pages with the data each one draws (for its CSV).

A chapter shows a trajectory only for an indicator with an observed point up to the review's
year (a chart with nothing but a dashed line from the base to the target says less than one line
of text); the others are named under the charts.

>>> from plananalysis.context import review_context
>>> review = review_context(as_of=2023, chapter=9)
>>> items, without = trajectories(review, review.chapter_progress()["indicator_id"])
>>> len(items), len(without)
(0, 2)
"""

from __future__ import annotations

import pandas as pd

from . import format as fmt
from . import glossary

__all__ = ["trajectories", "drawn_indicators", "trajectory_data", "status_matrix_data", "completion_data", "previous_plan_years",
           "without_charts_note"]


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def trajectory_data(review, indicator_id: str) -> pd.DataFrame:
    """What one trajectory draws: the base, each observed value up to the review's year (with its
    series, qualifier and source) and the target.

    >>> from plananalysis.context import review_context
    >>> data = trajectory_data(review_context(as_of=2023), "urbanisation_rate")
    >>> [str(x) for x in data.iloc[0].tolist()[:3]], [str(x) for x in data.iloc[-1].tolist()[:3]]
    (['基期', '2020', '71.0'], ['目标', '2025', '75.0'])
    """
    lang = review.lang
    row = review.plan.indicator(indicator_id)
    obs = review.indicator_observed(indicator_id)
    obs = obs[obs["year"] <= review.params.as_of].sort_values(["series", "year"])
    t = (lambda a, b: a) if lang == "zh" else (lambda a, b: b)
    rows = []
    if not fmt.is_missing(row.get("baseline_value")):
        rows.append({"what": t("基期", "Baseline"), "year": int(row["baseline_year"]),
                     "value": float(row["baseline_value"]), "qualifier": "", "series": "", "source": "", "url": ""})
    for r in obs.itertuples():
        rows.append({"what": t("观测值", "Observed"), "year": int(r.year), "value": float(r.value),
                     "qualifier": r.qualifier if isinstance(r.qualifier, str) else "",
                     "series": glossary.label("series", r.series, lang),
                     "source": glossary.to_chinese(r.source_title) if lang == "zh" else r.source_title,
                     "url": r.source_url})
    if not fmt.is_missing(row.get("target_value")):
        rows.append({"what": t("目标", "Target"), "year": int(row["target_year"]),
                     "value": float(row["target_value"]),
                     "qualifier": "" if str(row.get("target_op", "")) in ("=", "", "nan") else row["target_op"],
                     "series": "", "source": glossary.target_wording(row["target_printed"], lang, row["unit"]),
                     "url": ""})
    frame = pd.DataFrame(rows, columns=["what", "year", "value", "qualifier", "series", "source", "url"])
    frame.columns = [t("类别", "Kind"), t("年份", "Year"), t("数值", "Value"), t("标注", "Qualifier"),
                     t("口径", "Series"), t("来源或目标", "Source or target"), t("链接", "Link")]
    return frame


def trajectories(review, indicator_ids) -> tuple[list, list[str]]:
    """``(items, without)``: ``(chart, data, name)`` for each indicator with a value on the plan's
    basis after its base year and up to the review's year, and the names of those without one (a
    base-year value alone, or another series, draws no path).

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2023, chapter=10)
    >>> items, without = trajectories(review, ["culture_industry_share", "tourism_industry_share"])
    >>> [name for _, _, name in items], without
    (['trajectory-culture_industry_share'], ['旅游产业增加值占GDP比重'])
    """
    drawn, without = drawn_indicators(review, indicator_ids)
    items = [(review.trajectory(i), trajectory_data(review, i), f"trajectory-{i}") for i in drawn]
    return items, without


def drawn_indicators(review, indicator_ids) -> tuple[list[str], list[str]]:
    """``(ids, without)``: the indicators :func:`trajectories` draws, in order, and the names of
    those it does not — without drawing anything.

    >>> from plananalysis.context import review_context
    >>> drawn_indicators(review_context(as_of=2023), ["culture_industry_share", "tourism_industry_share"])[0]
    ['culture_industry_share']
    """
    drawn, without = [], []
    names = review.indicator_names
    plan_rows = review.plan.indicators.set_index("indicator_id")
    for indicator_id in indicator_ids:
        obs = review.indicator_observed(indicator_id)
        base_year = plan_rows.loc[indicator_id, "baseline_year"] if indicator_id in plan_rows.index else None
        after = obs["year"] > (base_year if not fmt.is_missing(base_year) else -1)
        if ((obs["series"] == "plan") & after & (obs["year"] <= review.params.as_of)).any():
            drawn.append(indicator_id)
        else:
            without.append(names.get(indicator_id, indicator_id))
    return drawn, without


def without_charts_note(review, names: list[str]) -> str:
    """The line under a chapter's charts naming the indicators not drawn (no observed value).

    >>> from plananalysis.context import review_context
    >>> without_charts_note(review_context(as_of=2023), ["甲", "乙"])
    '尚无观测值、未绘图的指标（2项）：甲、乙。'
    """
    if not names:
        return ""
    return _t(review.lang, f"尚无观测值、未绘图的指标（{len(names)}项）：{'、'.join(names)}。",
              f"Not drawn, no observed value yet ({len(names)}): {'; '.join(names)}.")


def status_matrix_data(progress: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Indicators per category and status (what the status matrix draws).

    >>> from plananalysis.context import review_context
    >>> data = status_matrix_data(review_context(as_of=2023).progress)
    >>> int(data["指标数"].sum())
    25
    """
    from .signals import signals

    category = "category_en" if lang == "en" else "category_zh"
    frame = progress.reset_index(drop=True).assign(_status=signals(progress, lang)["label"])
    counts = frame.groupby([category, "_status"], sort=False).size().reset_index(name="n")
    counts.columns = [_t(lang, "类别", "Category"), _t(lang, "评估结论", "Status"), _t(lang, "指标数", "Indicators")]
    return counts


def completion_data(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Completion P per indicator with its status (what the completion bars draw).

    >>> from plananalysis.context import review_context
    >>> completion_data(review_context(as_of=2023).retrospective_table).columns.tolist()
    ['指标', '完成目标进度P', '评估结论']
    """
    from .signals import signals

    names = table["name_en" if lang == "en" else "name_zh"]
    return pd.DataFrame({_t(lang, "指标", "Indicator"): names.tolist(),
                         _t(lang, "完成目标进度P", "Completion P"): pd.to_numeric(table["completion_share"], errors="coerce").round(4).tolist(),
                         _t(lang, "评估结论", "Status"): signals(table, lang)["label"].tolist()})


def previous_plan_years(plan) -> dict:
    """The previous plan's base and target years (``plan.yml`` ``previous_plan.period``), for the
    retrospective's headers.

    >>> from plananalysis.plan.folder import load_plan
    >>> plan = load_plan()
    >>> previous_plan_years(plan) == {"base_year": plan.info.previous["period"]["base_year"],
    ...                               "target_year": plan.info.previous["period"]["end"]}
    True
    """
    period = (plan.info.previous or {}).get("period") or {}
    years = {"base_year": period.get("base_year"), "target_year": period.get("end")}
    return {k: v for k, v in years.items() if v}
