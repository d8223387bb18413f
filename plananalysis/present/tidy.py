"""A review's indicators and targets with their verdicts as ONE tidy table, for a notebook.

One row per headline indicator or catalogue target, one English snake_case name per column,
typed for pandas: years nullable ``Int64``, ``is_met`` and ``is_behind`` nullable ``boolean``,
numbers ``float64``, text ``string``.  Built on top of the review's results table
(:attr:`~plananalysis.context.ReviewContext.results`, whose columns the pages read and which
stay as they are) and the engine's rows (:attr:`~plananalysis.context.ReviewContext.progress`,
:attr:`~plananalysis.context.ReviewContext.target_progress`); nothing is judged again.
Chinese and English headers are a separate mapping, :func:`labels`.

>>> from plananalysis.context import review_context
>>> table = tidy_table(review_context(as_of=2023), chapter=6)
>>> row = table.set_index("id").loc["hospital_beds_per_1000"]   # no value after 2020: (7.5 − 5.99) / 5
>>> row["status"], round(float(row["required_pace"]), 3), row["pace_from"]
('no_data', 0.302, 'base')
"""

from __future__ import annotations

import pandas as pd

__all__ = ["TIDY_COLUMNS", "CUMULATIVE_RULES", "tidy_table", "labels"]

#: the columns of :func:`tidy_table`, in order, with their Chinese and English labels
_LABELS = {
    "id": ("编号", "ID"),
    "kind": ("类别", "Kind"),                       # indicator | target
    "chapter": ("章", "Chapter"),
    "name": ("名称", "Name"),
    "unit": ("单位", "Unit"),
    "status": ("评估状态编码", "Status ID"),
    "status_label": ("评估结论", "Verdict"),
    "is_met": ("已达目标", "Target met"),
    "is_behind": ("滞后或难以完成", "Behind"),          # <NA> where there is no value to judge
    "P": ("完成目标进度P", "Completion P"),
    "E": ("序时进度E", "Schedule E"),
    "q": ("进度比q=P/E", "Pace ratio q"),
    "latest_value": ("最新值", "Latest value"),
    "latest_year": ("最新年份", "Latest year"),
    "base_value": ("基期值", "Base value"),
    "base_year": ("基期年份", "Base year"),
    "target_value": ("目标值", "Target value"),
    "target_year": ("目标年份", "Target year"),
    "target_text": ("目标（原文）", "Target (as printed)"),
    "rule": ("目标类型", "Target rule"),              # level, cumulative_sum, … (engine.progress.RULE_LABELS)
    "is_cumulative": ("五年累计目标〔〕", "Five-year cumulative 〔〕"),
    "cumulative_value": ("累计完成", "Cumulative so far"),        # a 〔〕 target: P × its amount
    "path_value": ("序时累计", "Cumulative on schedule"),         # a 〔〕 target: E × its amount
    "realised_pace": ("实际年均变化", "Realised change a year"),
    "required_pace": ("所需年均变化", "Required change a year"),
    "pace_from": ("所需速度的起点", "Required pace from"),   # latest | base | plan
    "reason": ("判断依据", "Reason"),
}
TIDY_COLUMNS = list(_LABELS)

#: the rules of a five-year cumulative target 〔X〕 (a sum of yearly flows, a change in points, a
#: compounded reduction): ``P = achieved / X`` and ``E`` the share of ``X`` due by now
CUMULATIVE_RULES = ("cumulative_sum", "cumulative_change", "cumulative_reduction")

#: status ids that say an item is behind (mid-term: lagging; final: not or likely not completed)
_BEHIND = ("behind", "not_completed", "estimated_not_completed")


def labels(lang: str = "zh") -> dict[str, str]:
    """The headers of :func:`tidy_table`'s columns in Chinese (``zh``) or English (``en``), to
    rename a table for display (``table.rename(columns=labels())``).

    >>> labels()["status_label"], labels("en")["required_pace"]
    ('评估结论', 'Required change a year')
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang 应为 zh 或 en (lang must be 'zh' or 'en'), not {lang!r}")
    return {column: pair[0 if lang == "zh" else 1] for column, pair in _LABELS.items()}


def tidy_table(review, chapter: int | None = None) -> pd.DataFrame:
    """The review's indicators then targets (of ``chapter``, or all), with their verdicts and the
    pace that would meet them: ``required_pace`` is the change a year still needed from the
    latest value (``pace_from='latest'``); with no value after the base year, the plan's pace
    from its base to its target (``'base'``); else the plan's yearly pace or yearly target
    (``'plan'``).  Names and labels follow the review's language.

    A five-year cumulative target 〔X〕 (``is_cumulative``: ``rule`` in :data:`CUMULATIVE_RULES`)
    adds ``cumulative_value``, what is achieved so far (``P × X``: the sum of the yearly flows,
    the change in points, the compounded reduction), and ``path_value``, what the schedule
    asks by the latest year (``E × X``); its ``latest_value`` is the latest year's own flow and
    ``required_pace`` the yearly addition still needed.  With years missing, ``E`` (and so the
    path) counts the known years, as the results table does (``q = P/E``).  Other rows leave
    them ``NaN``.

    >>> from plananalysis.context import review_context
    >>> table = tidy_table(review_context(as_of=2023), chapter=2)
    >>> str(table["latest_year"].dtype), str(table["is_met"].dtype), table["kind"].unique().tolist()
    ('Int64', 'boolean', ['indicator', 'target'])
    >>> row = table.set_index("id").loc["ch02-t01"]
    >>> row["status"], bool(row["is_behind"]), int(row["latest_year"])
    ('ahead', False, 2023)
    >>> jobs = tidy_table(review_context(as_of=2023), chapter=4).set_index("id").loc["urban_new_jobs"]
    >>> jobs["rule"], round(float(jobs["cumulative_value"]), 1), float(jobs["path_value"])   # 〔400〕: ≥100+≥100+116.3; 400 × 3/5
    ('cumulative_sum', 316.3, 240.0)
    """
    results = review.results
    engine = pd.concat([review.progress.assign(id=review.progress["indicator_id"], kind="indicator"),
                        review.target_progress.assign(id=review.target_progress["target_id"], kind="target")
                        if review.target_progress is not None and len(review.target_progress) else None],
                       ignore_index=True)
    engine = engine.drop_duplicates(["kind", "id"]).set_index(["kind", "id"])
    keys = list(zip(results["kind"], results["id"]))
    rows = engine.reindex(keys)
    remaining, required = rows["remaining_rate"].to_numpy(), rows["required_rate"].to_numpy()
    no_data = (results["status_id"] == "no_data").to_numpy()
    pace_from = pd.Series(["latest" if pd.notna(r) else ("base" if n and pd.notna(q) else
                                                         ("plan" if pd.notna(q) else pd.NA))
                           for r, q, n in zip(remaining, required, no_data)], dtype="string")
    cumulative = rows["rule"].isin(CUMULATIVE_RULES).to_numpy()
    met = rows["is_target_met"].map(lambda v: pd.NA if v is None or (isinstance(v, float) and v != v) else bool(v))
    table = pd.DataFrame({
        "id": results["id"], "kind": results["kind"], "chapter": results["chapter"].astype("Int64"),
        "name": results["name"], "unit": results["unit"], "status": results["status_id"],
        "status_label": results["label"], "is_met": met.to_numpy(),
        "is_behind": results["status_id"].isin(_BEHIND).astype("boolean").mask(pd.Series(no_data)).to_numpy(),
        "P": results["P"], "E": results["E"], "q": results["q"],
        "latest_value": results["latest_value"], "latest_year": results["latest_year"],
        "base_value": rows["base_value"].to_numpy(), "base_year": rows["base_year"].to_numpy(),
        "target_value": rows["target_value"].to_numpy(), "target_year": rows["target_year"].to_numpy(),
        "target_text": rows["target_printed"].to_numpy(),
        "rule": rows["rule"].to_numpy(), "is_cumulative": cumulative,
        "cumulative_value": _of_amount(results["P"], rows["target_value"], cumulative),
        "path_value": _of_amount(results["E"], rows["target_value"], cumulative),
        "realised_pace": rows["realised_rate"].to_numpy(),
        "required_pace": [r if pd.notna(r) else q for r, q in zip(remaining, required)],
        "pace_from": pace_from.to_numpy(), "reason": results["reason"],
    })
    table = table.astype({"latest_year": "Int64", "base_year": "Int64", "target_year": "Int64",
                          "is_met": "boolean", "is_behind": "boolean", "P": "float64", "E": "float64", "q": "float64",
                          "latest_value": "float64", "base_value": "float64", "target_value": "float64", "is_cumulative": "boolean",
                          "cumulative_value": "float64", "path_value": "float64",
                          "realised_pace": "float64", "required_pace": "float64",
                          **{c: "string" for c in ("id", "kind", "name", "unit", "status", "status_label",
                                                   "target_text", "rule", "pace_from", "reason")}})
    if chapter is not None:
        table = table[table["chapter"] == int(chapter)]
    return table.reset_index(drop=True)[TIDY_COLUMNS]


def _of_amount(shares: pd.Series, amounts: pd.Series, cumulative) -> list[float]:
    """The shares (P or E, as the table shows them) times the target's amount 〔X〕 on the rows of
    a cumulative target, else NaN: with years missing, E and the path count the known years."""
    shares = pd.to_numeric(shares, errors="coerce").to_numpy(dtype=float)
    amounts = pd.to_numeric(amounts, errors="coerce").to_numpy(dtype=float)
    return [s * x if c else float("nan") for s, x, c in zip(shares, amounts, cumulative)]
