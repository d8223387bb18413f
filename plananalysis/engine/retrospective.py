"""The 13th-plan retrospective: Table 1 of the plan judged with the final method.

Table 1 prints, for each 13th-plan indicator, the 2015 base, the 2020 target and the 2020
actual.  :func:`retrospective` turns the table into plan rows and observed rows and runs the
same engine as the 14th plan (:func:`plananalysis.engine.progress.assess`, phase ``final``), so the
rules are the same: 〔〕 actuals are five-year sums, ``5.99(2019年)`` is a 2019 value, ``<6``
is a ceiling, ``>96`` observed is a bound only, and the food and drug row is judged per part
(the row takes its worst part).

>>> table = retrospective()
>>> row = table.set_index("indicator_id").loc["disposable_income"]
>>> row.status_zh, round(float(row.completion_share), 4), round(float(-row.gap_share) * 100, 2)
('基本完成', 0.9881, 0.39)
>>> summary_line(table)[:11]
'29项指标中25项完成'
"""

from __future__ import annotations

import pandas as pd

from . import progress as _progress
from ..plan.grammar import parse

__all__ = ["table1_specs", "table1_observed", "retrospective", "summary_line"]

_QUALIFIER = {"≥": ">", "≤": "<", "≈": "≈", "=": "", None: ""}


def _table1(plan=None) -> pd.DataFrame:
    if plan is None:
        from ..plan.folder import load_plan
        plan = load_plan()
    return getattr(plan, "indicators_13th", plan)


def table1_specs(table: pd.DataFrame) -> pd.DataFrame:
    """Table 1 rows as plan rows (:data:`plananalysis.engine.progress.SPEC_COLUMNS`), parts expanded.

    >>> from plananalysis.plan.folder import load_plan
    >>> specs = table1_specs(load_plan().indicators_13th)
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
            "target_year": r.get("target_year", 2020) if "target_year" in r else 2020,
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


def table1_observed(table: pd.DataFrame) -> pd.DataFrame:
    """Table 1's actual column as observed rows (series ``plan``; 〔〕 actuals are totals).

    >>> from plananalysis.plan.folder import load_plan
    >>> obs = table1_observed(load_plan().indicators_13th)
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
                "indicator_id": r["indicator_id"], "part": part.label or "", "region": "浙江省",
                "series": "plan", "year": part.year or year, "value": part.value,
                "qualifier": _QUALIFIER.get(part.op, ""), "is_cumulative": is_total,
                "source_title": "浙江省社会发展“十四五”规划 表1", "snippet": printed,
            })
    return pd.DataFrame(rows)


def retrospective(plan=None, method: str = "cn-schedule") -> pd.DataFrame:
    """Table 1 judged with ``method`` (default ``cn-schedule``, final phase), one row per line.

    ``plan``: a Plan, or Table 1 as a DataFrame; default ``load_plan()``.

    >>> table = retrospective()
    >>> table.set_index("indicator_id").loc["food_drug_pass_rate", "status_zh"]
    '完成'
    """
    table = _table1(plan)
    specs = table1_specs(table)
    year = int(pd.to_numeric(specs["target_year"]).max())
    return _progress.assess(specs, table1_observed(table), as_of=year, method=method, phase="final")


def summary_line(table: pd.DataFrame) -> str:
    """One sentence: how many indicators were completed, basically completed, not completed.

    >>> summary_line(pd.DataFrame({"status_id": ["exceeded", "completed", "not_completed"],
    ...     "name_zh": ["甲", "乙", "丙"]}))
    '3项指标中2项完成（其中1项超额完成），1项未完成（丙）'
    """
    counts = table["status_id"].value_counts()
    done = int(counts.get("exceeded", 0) + counts.get("completed", 0))
    line = f"{len(table)}项指标中{done}项完成"
    if counts.get("exceeded", 0):
        line += f"（其中{int(counts['exceeded'])}项超额完成）"
    for status_id, label in (("basically_completed", "基本完成"), ("not_completed", "未完成"),
                             ("no_data", "无数据")):
        names = table.loc[table["status_id"] == status_id, "name_zh"].tolist()
        if names:
            line += f"，{len(names)}项{label}（{'、'.join(names)}）"
    return line
