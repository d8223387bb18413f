"""Helpers for analysts exploring in JupyterLab: compare methods, try a what-if value.

Nothing here writes to ``data/``: a what-if value lives in a copy of the observed frame.

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

__all__ = ["compare_methods", "with_value", "verdict_change"]


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
               region: str | None = None, note: str = "what-if（假设值，仅在内存中）") -> pd.DataFrame:
    """A copy of ``observed`` with one assumed value added (replacing the same key's plan value).

    ``region``: default the region of the indicator's other rows (the plan's own).

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
               notes=note, is_derived=False, derivation="", period_note="", evidence_grade="", is_preliminary=False)
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
