"""The retrospective: the previous plan's table judged with the final method.

A plan may print a table of the previous plan's indicators (``tables.previous_plan`` in its
``plan.yml``): for each one the base, the target and the actual at the previous plan's end.  :func:`retrospective` turns the table into plan rows and observed rows and runs the
same engine as the 14th plan (:func:`plananalysis.engine.progress.assess`, phase ``final``), so the
rules are the same: 〔〕 actuals are five-year sums, ``5.99(2019年)`` is a 2019 value, ``<6``
is a ceiling, ``>96`` observed is a bound only, and the food and drug row is judged per part
(the row takes its worst part).

>>> table = retrospective()
>>> row = table.set_index("indicator_id").loc["disposable_income"]
>>> row.status_zh, round(float(row.completion_share), 4), round(float(-row.gap_share) * 100, 2)
('基本完成', 0.9881, 0.39)
>>> summary_line(table)[:11]
'29项指标中23项完成'
"""

from __future__ import annotations

import pandas as pd

from . import progress as _progress
from ..plan.grammar import parse

__all__ = ["table1_specs", "table1_observed", "retrospective", "summary_line"]

_QUALIFIER = {"≥": ">", "≤": "<", "≈": "≈", "=": "", None: ""}


def _plan_and_table(plan=None):
    if plan is None:
        from ..plan.folder import load_plan
        plan = load_plan()
    return (plan, plan.previous_indicators) if hasattr(plan, "previous_indicators") else (None, plan)


def _previous_period(plan) -> tuple[int | None, int | None]:
    """(base year, end year) of the previous plan, from ``plan.yml``'s ``previous_plan.period``."""
    period = (plan.info.previous or {}).get("period", {}) if plan is not None else {}
    end = int(period["end"]) if period.get("end") else (plan.info.base_year if plan is not None else None)
    base = int(period["base_year"]) if period.get("base_year") else None
    return base, end


def table1_specs(table: pd.DataFrame, end_year: int | None = None) -> pd.DataFrame:
    """Table 1 rows as plan rows (:data:`plananalysis.engine.progress.SPEC_COLUMNS`), parts expanded.

    >>> from plananalysis.plan.folder import load_plan
    >>> specs = table1_specs(load_plan().previous_indicators, 2020)
    >>> specs[specs.indicator_id == "food_drug_pass_rate"][["part", "target_op", "target_value"]].values.tolist()
    [['食品', '≥', 96.0], ['药品', '≥', 98.0]]
    """
    rows = []
    for r in table.to_dict("records"):
        base = {
            "indicator_id": r["indicator_id"], "part": "", "no": r["row"], "name_zh": r["name_zh"],
            "name_en": r.get("name_en", ""), "unit": r["unit"], "baseline_printed": r["base_printed"],
            "target_printed": r["target_printed"], "target_kind": r["target_kind"],
            "target_op": r["target_op"], "target_value": r["target_value"],
            "baseline_value": r["base_value"], "baseline_year": r["base_year"],
            "target_year": r["target_year"] if "target_year" in r else end_year,
            "direction": r["direction"],
        }
        parsed = parse(str(r["target_printed"]))
        if parsed.parts:
            for part in parsed.parts:
                rows.append({**base, "part": part.label, "target_printed": part.text,
                             "target_op": part.op, "target_value": part.value})
        else:
            rows.append(base)
    return _progress.specs_from_indicators(pd.DataFrame(rows))


def table1_observed(table: pd.DataFrame, region: str = "", source_title: str = "") -> pd.DataFrame:
    """Table 1's actual column as observed rows (series ``plan``; 〔〕 actuals are totals).

    >>> from plananalysis.plan.folder import load_plan
    >>> obs = table1_observed(load_plan().previous_indicators)
    >>> obs[obs.indicator_id == "food_drug_pass_rate"][["part", "value", "qualifier"]].values.tolist()
    [['食品', 96.0, '>'], ['药品', 100.0, '']]
    """
    rows = []
    for r in table.to_dict("records"):
        printed = str(r["actual_printed"])
        parsed = parse(printed)
        is_total = r["target_kind"] in ("cumulative_sum", "cumulative_change")
        year = int(r["actual_year"])
        for part in parsed.parts or (parsed,):
            if part.value is None:
                continue
            rows.append({
                "indicator_id": r["indicator_id"], "part": part.label or "", "region": region,
                "series": "plan", "year": part.year or year, "value": part.value,
                "qualifier": _QUALIFIER.get(part.op, ""), "is_cumulative": is_total,
                "source_title": source_title, "snippet": printed,
            })
    return pd.DataFrame(rows)


def retrospective(plan=None, method: str = "cn-schedule") -> pd.DataFrame:
    """Table 1 judged with ``method`` (default ``cn-schedule``, final phase), one row per line.

    ``plan``: a Plan, or Table 1 as a DataFrame; default ``load_plan()``.

    >>> table = retrospective()
    >>> table.set_index("indicator_id").loc["food_drug_pass_rate", "status_zh"]
    '完成'
    """
    plan, table = _plan_and_table(plan)
    base_year, end_year = _previous_period(plan)
    specs = table1_specs(table, end_year)
    year = int(pd.to_numeric(specs["target_year"]).max())
    region = plan.region if plan is not None else ""
    title = (f"{plan.title} {(plan.info.previous or {}).get('table_zh', '')}".strip() if plan is not None else "")
    return _progress.assess(specs, table1_observed(table, region, title), as_of=year, method=method,
                            phase="final", region=region, base_year=base_year)


def summary_line(table: pd.DataFrame) -> str:
    """One sentence: how many indicators were completed, basically completed, not completed.

    >>> summary_line(pd.DataFrame({"status_id": ["exceeded", "completed", "not_completed", "estimated_completed"],
    ...     "name_zh": ["甲", "乙", "丙", "丁"], "latest_year": [2020, 2020, 2020, 2019]}))
    '4项指标中2项完成（其中1项超额完成），1项预计完成（丁（据2019年数据）），1项未完成（丙）'
    """
    counts = table["status_id"].value_counts()
    done = int(counts.get("exceeded", 0) + counts.get("completed", 0))
    line = f"{len(table)}项指标中{done}项完成"
    if counts.get("exceeded", 0):
        line += f"（其中{int(counts['exceeded'])}项超额完成）"
    for status_id, label in (("basically_completed", "基本完成"), ("estimated_completed", "预计完成"),
                             ("estimated_not_completed", "预计未完成"), ("not_completed", "未完成"),
                             ("no_data", "无数据")):
        rows = table[table["status_id"] == status_id]
        if status_id.startswith("estimated"):  # an estimate names the year its data come from
            names = [f"{r.name_zh}（据{int(r.latest_year)}年数据）" for r in rows.itertuples()]
        else:
            names = rows["name_zh"].tolist()
        if names:
            line += f"，{len(names)}项{label}（{'、'.join(names)}）"
    return line
