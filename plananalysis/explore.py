"""Helpers for analysts exploring in JupyterLab: compare methods, try a what-if value.

Nothing here writes to ``data/``: a what-if value lives in a copy of the observed frame.

A what-if on a five-year cumulative target 〔X〕 (城镇新增就业〔400〕) sets one year's *addition*: the
other years' flows stay, and the verdict judges their sum against X and against the path to X
(:func:`what_if_table` shows the year's value, the running total and the path side by side);
``cumulative=True`` says the value is the running total since the base year instead.
:func:`schedule_value` is the value of a year on the plan's schedule (for 〔400〕 over five years:
an addition of 80 that year, never 400).

>>> from plananalysis.plan.folder import load_plan
>>> from plananalysis.observed.load import load_observed
>>> plan, observed = load_plan(), load_observed()
>>> verdicts = compare_methods(plan, observed, as_of=2023)
>>> verdicts.loc["常住人口城镇化率", "cn-schedule"]
'快于预期'
>>> tried = with_value(observed, "culture_industry_share", 2023, 7.5)
>>> len(tried) == len(observed) + 1
True
"""

from __future__ import annotations

import pandas as pd

__all__ = ["compare_methods", "with_value", "verdict_change", "schedule_value", "what_if_table"]


def compare_methods(plan, observed: pd.DataFrame, as_of: int | None = None, methods=None,
                    lang: str = "zh", region: str | None = None) -> pd.DataFrame:
    """One row per indicator, one column per method: each method's verdict side by side.

    >>> from plananalysis.plan.folder import load_plan
    >>> from plananalysis.observed.load import load_observed
    >>> verdicts = compare_methods(load_plan(), load_observed(), as_of=2023,
    ...                            methods=["cn-schedule", "eurostat"])
    >>> verdicts.loc["常住人口城镇化率"].tolist()
    ['快于预期', '显著进展']
    """
    from .engine.progress import assess
    from .params import method_names

    label = "status_zh" if lang == "zh" else "status_en"
    name = "name_zh" if lang == "zh" else "name_en"
    columns = {}
    for method in methods or method_names():
        table = assess(plan, observed, as_of=as_of, method=method, region=region)
        columns[method] = table.set_index(name)[label]
    return pd.DataFrame(columns)


def with_value(observed: pd.DataFrame, indicator_id: str, year: int, value: float, *,
               region: str | None = None, note: str = "what-if（假设值，仅在内存中）",
               cumulative: bool = False) -> pd.DataFrame:
    """A copy of ``observed`` with one assumed value added (replacing the same key's plan value).

    ``region``: default the region of the indicator's other rows (the plan's own).
    ``cumulative``: the value is a running total since the base year (``value_type='cumulative'``,
    e.g. 〔400〕's total so far); by default it is the year's own value (for a five-year sum, that
    year's addition), whatever the indicator's other rows are.

    The row is marked ``source_quality='what-if'`` and never written anywhere.

    >>> from plananalysis.observed.load import load_observed
    >>> tried = with_value(load_observed(), "urbanisation_rate", 2023, 70.0)
    >>> tried.query("indicator_id == 'urbanisation_rate' and series == 'plan' and year == 2023")[
    ...     ["value", "source_quality"]].values.tolist()
    [[70.0, 'what-if']]
    """
    if region is None:
        rows = observed.loc[observed["indicator_id"] == indicator_id, "region"]
        region = rows.mode().iloc[0] if len(rows) else ""
    key = ((observed["indicator_id"] == indicator_id) & (observed["region"] == region)
           & (observed["series"] == "plan") & (observed["year"] == year))
    template = observed[observed["indicator_id"] == indicator_id].head(1)
    row = {column: (template.iloc[0][column] if len(template) else None) for column in observed.columns}
    row.update(indicator_id=indicator_id, region=region, series="plan", year=int(year), value=float(value),
               qualifier="", source_title=note, source_url="", source_quality="what-if", snippet="",
               notes=note, is_derived=False, derivation="", period_note="", evidence_grade="", is_preliminary=False,
               value_type="cumulative" if cumulative else ("" if row.get("value_type") == "cumulative"
                                                           else row.get("value_type")))
    row = {k: v for k, v in row.items() if k in observed.columns}   # an assumed value has no evidence grade
    if "origin" in observed.columns:
        row["origin"] = "what-if"
    added = pd.DataFrame([row], columns=observed.columns).astype(observed.dtypes.to_dict(), errors="ignore")
    return pd.concat([observed[~key], added], ignore_index=True)


def verdict_change(plan, before: pd.DataFrame, after: pd.DataFrame, indicator_id: str,
                   as_of: int | None = None, method: str = "cn-schedule") -> pd.DataFrame:
    """The verdict of one indicator with ``before`` and ``after`` observed data, side by side.

    >>> from plananalysis.plan.folder import load_plan
    >>> from plananalysis.observed.load import load_observed
    >>> observed = load_observed()
    >>> after = with_value(observed, "urbanisation_rate", 2023, 70.0)  # what if it had fallen?
    >>> verdict_change(load_plan(), observed, after, "urbanisation_rate", as_of=2023).loc["status_zh"].tolist()
    ['快于预期', '逆向']
    """
    from .engine.progress import assess

    rows = {}
    for label, observed in (("before", before), ("after", after)):
        table = assess(plan, observed, as_of=as_of, method=method).set_index("indicator_id")
        rows[label] = table.loc[indicator_id, ["latest_year", "latest_value", "completion_share",
                                               "pace_ratio", "status_zh", "reason_zh"]]
    return pd.DataFrame(rows)


def schedule_value(review, indicator_id: str, year: int) -> float:
    """The value of ``year`` on the plan's schedule for one headline indicator of ``review`` (a
    :class:`~plananalysis.context.ReviewContext`): for a five-year sum 〔X〕, a yearly target or a
    growth rate, the year's own flow at the plan's pace (the engine's ``required_rate``: 〔400〕 over
    five years is 80 a year, never 400 in one year); for a level, the straight path from the base
    to the target (for a change in points 〔X〕 without a base value, the change itself, as the
    engine reads such values); for a constraint met without a path (a floor, 保持), the target
    itself.  No value on a schedule (a relational or qualitative target, a path without a
    base): ``ValueError``.

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2023)
    >>> schedule_value(review, "urban_new_jobs", 2023)             # 〔400〕 / 5
    80.0
    >>> round(schedule_value(review, "urbanisation_rate", 2023), 2)   # 71 + (75 − 71) × 3/5
    73.4
    >>> schedule_value(review, "youth_myopia_reduction", 2023)       # 〔5〕 points, no base: the change, 5 × 3/5
    3.0
    """
    indicator_id = review._what_if_indicator(indicator_id)
    row = review.progress.set_index("indicator_id").loc[indicator_id]
    rule, rate = row["rule"], pd.to_numeric(row["required_rate"], errors="coerce")
    if rule in ("cumulative_sum", "annual", "avg_growth", "cumulative_reduction") and pd.notna(rate):
        return float(rate)
    base, base_year = pd.to_numeric(row["base_value"], errors="coerce"), row["base_year"]
    target = pd.to_numeric(row["target_value"], errors="coerce")
    if rule == "cumulative_change" and pd.isna(base) and pd.notna(target):
        # no base value: the engine reads the values as the change itself, 0 at the base
        return float(target * (int(year) - int(base_year)) / (int(row["target_year"]) - int(base_year)))
    if bool(row["has_path"]) and pd.notna(rate) and pd.notna(base):
        return float(base + rate * (int(year) - int(base_year)))
    if bool(row["has_path"]) or rule in ("qualitative", "relational") or pd.isna(target):
        raise ValueError(f"{indicator_id} 没有可按序时进度计算的数值 (no value on a schedule for this {rule} target)")
    return float(target)   # a constraint (a floor already met, 保持 …): the target in every year


#: the rows of :func:`what_if_table`, in the tidy table's names (:func:`plananalysis.labels`)
WHAT_IF_ROWS = ["year", "year_value", "latest_year", "latest_value", "cumulative_value", "path_value",
                "target_value", "P", "E", "q", "status", "status_label", "required_pace", "pace_from", "reason"]


def what_if_table(review, indicator_id: str, year: int, value: float, *, cumulative: bool = False) -> pd.DataFrame:
    """One headline indicator before and after an assumed value (:meth:`ReviewContext.what_if
    <plananalysis.context.ReviewContext.what_if>`, in memory only): one column each, rows
    :data:`WHAT_IF_ROWS` in the tidy table's names (``year_value``: the value of ``year``;
    ``cumulative_value`` / ``path_value``: for a five-year cumulative target 〔X〕 the running
    total and what the schedule asks by then; other indicators leave those two out).

    A five-year sum takes ``value`` as that year's addition (``cumulative=True``: the running
    total since the base year); the other years' flows stay:

    >>> from plananalysis.context import review_context
    >>> table = what_if_table(review_context(as_of=2023), "urban_new_jobs", 2023, 80)
    >>> table.loc[["year_value", "cumulative_value", "path_value"]].astype(float).values.tolist()   # ≥100 + ≥100 + 80
    [[116.3, 80.0], [316.3, 280.0], [240.0, 240.0]]
    >>> round(float(table.loc["q", "after"]), 4), float(table.loc["required_pace", "after"])   # (280/3)/80; (400−280)/2
    (1.1667, 60.0)
    """
    after = review.what_if(indicator_id, year, value, cumulative=cumulative)
    indicator_id = review._what_if_indicator(indicator_id)
    from .present.tidy import tidy_table

    columns = {}
    for label, context in (("before", review), ("after", after)):
        table = tidy_table(context)
        row = table[(table["kind"] == "indicator") & (table["id"] == indicator_id)].iloc[0].copy()
        own = context.indicator_observed(indicator_id)
        own = own[(own["series"] == "plan") & (own["year"] == int(year))]
        row["year"], row["year_value"] = int(year), float(own["value"].iloc[-1]) if len(own) else float("nan")
        columns[label] = row
    table = pd.DataFrame(columns).reindex(WHAT_IF_ROWS)
    if not bool(columns["before"]["is_cumulative"]):
        table = table.drop(index=["cumulative_value", "path_value"])
    return table
