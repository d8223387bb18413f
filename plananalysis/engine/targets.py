"""Catalogue targets judged: every quantified target in the plan's prose, by the engine's rules.

:func:`assess_targets` gives one row per catalogue target (``targets.csv``) with the same
columns, statuses, completion and time shares and one-line reasons as the headline table
(:func:`~plananalysis.engine.progress.assess`), plus the target's place in the plan, the source
of its latest value and its responsible department.  A target is turned into a row of the
engine's specification (:func:`target_specs`) and judged by the same machinery:

==============  =====================================================================================
catalogue kind  judged as
==============  =====================================================================================
level, share    a level: ``=``/``≥`` a floor, ``≤`` a ceiling, ``≈`` 左右, ``≤≈`` a control ceiling;
                with a base-year value (from the data) a path, ``P = (yt − y0)/(y* − y0)``;
                without one a constraint, met or not in the latest year
count           a number to exist by the target year: a level as above; when the values are
                the number built each year (``value_type`` flow) or since the start
                (cumulative), a five-year sum ``P = Σ/X``; ``range`` (350家至400家): met inside
                the range, a path to the nearer bound from a base outside it
cumulative      a five-year sum of yearly flows (``cumulative_sum``), or the running total
annual          each year's flow against the yearly amount (每年…): met when every year reaches it
completion      the share done (%) against 100: a level (全部完成, 全覆盖, 动态清零)
change          a change from the base year (比2020年增加1万元): ``y* = y0 + X``
                (``cumulative_change``); a value marked cumulative is the change itself
multiple        ``y* = m·y0`` (翻一番), a floor with a path from the base-year value
==============  =====================================================================================

The direction is the operator's: ``≤``/``≤≈`` lower is better, otherwise higher (a catalogue
with a ``direction`` column overrides it: a travel time stated as ``10分钟``, read as "within").  A target
stated for a year before the plan's end (2022年底前) is judged with final labels from that year
on; a vision target (2035) keeps the mid-term labels of a path that runs to its year.

A target that restates a headline indicator (``restates_indicator_id``) takes that indicator's
row of the headline table: its values are the indicator's, never a copy.  A target without
data says so and names the department to ask (``responsibilities.csv``).

>>> table = assess_targets(as_of=2023).set_index("target_id")
>>> row = table.loc["ch04-t06"]                      # 每年帮扶困难人员实现就业7万人
>>> row.status_zh, row.reason_zh
('基本符合预期', '2023年11万人（缺2021、2022年），每年目标7万人：已知年份各年均达到')
>>> table.loc["ch02-t03", ["indicator_id", "status_zh"]].tolist()   # restates urbanisation_rate
['urbanisation_rate', '快于预期']
>>> table.loc["ch03-t01", "needed_zh"]
'无数据：需省教育厅提供2020年基期值及2021–2023年“重点培育窗口学校”（所）数值和来源'
"""

from __future__ import annotations

import math

import pandas as pd

from ..values import is_blank

from .progress import OUTPUT_COLUMNS, SPEC_COLUMNS, assess

__all__ = ["TARGET_COLUMNS", "target_specs", "assess_targets", "target_observed", "target_direction"]

#: identity columns of a catalogue target carried into its row
_IDENTITY = ["target_id", "chapter", "section", "box", "subject_zh", "subject_en", "quote", "target_text",
             "kind", "restates_indicator_id"]
#: the columns of :func:`assess_targets` (the engine's columns in between)
TARGET_COLUMNS = [*_IDENTITY, "is_vision", *OUTPUT_COLUMNS, "n_points", "latest_source_title",
                  "latest_source_url", "latest_source_quality", "department_id", "department_zh",
                  "department_en", "co_departments_zh", "needed_years", "needed_zh", "needed_en"]
_LEVEL_KINDS = {"level", "share", "completion", "count"}



def target_direction(op: str) -> str:
    """``lower`` for a ceiling (``≤``, ``≤≈``: 以内, 控制在), else ``higher``.

    >>> target_direction("≤"), target_direction("≥"), target_direction("range")
    ('lower', 'higher', 'higher')
    """
    return "lower" if op in ("≤", "≤≈") else "higher"


def target_observed(observed: pd.DataFrame) -> pd.DataFrame:
    """The observed rows of catalogue targets, keyed as the engine keys an indicator
    (``indicator_id`` = the ``target_id``).

    >>> from plananalysis.observed.load import load_observed
    >>> rows = target_observed(load_observed())
    >>> sorted(set(rows.indicator_id))[:2]
    ['ch03-t19', 'ch04-t06']
    """
    rows = observed[observed["target_id"].fillna("") != ""].copy()
    rows["indicator_id"] = rows["target_id"]
    rows["target_id"] = ""
    if "indicator_no" in rows.columns:
        rows["indicator_no"] = pd.NA
    return rows


def _value_types(rows: pd.DataFrame, target_id: str, as_of: int | None) -> list[str]:
    mine = rows[(rows["indicator_id"] == target_id) & (rows["series"] == "plan")]
    if as_of is not None:
        mine = mine[mine["year"] <= as_of]
    return list(mine.sort_values("year")["value_type"].fillna(""))


def target_specs(plan=None, observed: pd.DataFrame | None = None, as_of: int | None = None) -> pd.DataFrame:
    """The catalogue targets that restate no indicator, as rows of the engine's
    :data:`~plananalysis.engine.progress.SPEC_COLUMNS` (``indicator_id`` = ``target_id``).

    ``observed`` (the plan's observed values) decides how a count is judged: a level unless
    its values are flows or running totals (then a five-year sum).

    >>> specs = target_specs().set_index("indicator_id")
    >>> row = specs.loc["ch04-t06"]
    >>> row.target_kind, row.target_op, float(row.target_value)
    ('annual', '=', 7.0)
    >>> row = specs.loc["ch09-t02"]
    >>> row.target_op, float(row.target_value), float(row.target_high), int(row.target_year)
    ('range', 350.0, 400.0, 2022)
    """
    from ..plan.folder import Plan, load_plan

    plan = plan if isinstance(plan, Plan) else load_plan(plan)
    rows = target_observed(observed) if observed is not None else None
    specs = []
    for t in plan.targets.to_dict("records") if len(plan.targets) else []:
        if not is_blank(t["restates_indicator_id"]):
            continue
        op, kind = t["op"], t["kind"]
        engine_kind = {"cumulative": "cumulative_sum", "annual": "annual", "change": "cumulative_change",
                       "multiple": "multiple"}.get(kind, "level")
        if kind == "count" and rows is not None:
            types = _value_types(rows, t["target_id"], as_of)
            if types and types[-1] in ("flow", "cumulative"):   # built each year, or since the start
                engine_kind = "cumulative_sum"
        value, high = t["value"], math.nan
        if op == "range":
            value, high = t["low"], t["high"]
            if engine_kind == "cumulative_sum":  # a sum to reach at least the low bound
                op = "≥"
        specs.append({
            "indicator_id": t["target_id"], "part": "", "no": "", "name_zh": t["subject_zh"],
            "name_en": t["subject_en"], "unit": "" if is_blank(t["unit"]) else t["unit"], "baseline_printed": "",
            "target_printed": t["target_text"], "target_kind": engine_kind, "target_op": op,
            "target_value": float(value), "target_high": float(high), "baseline_value": math.nan,
            "baseline_year": plan.base_year, "target_year": int(t["target_year"]),
            "direction": t.get("direction") or target_direction(op), "attribute": "", "linked_indicator": "",
            "relation_tolerance": math.nan,
        })
    return pd.DataFrame(specs, columns=SPEC_COLUMNS)


def assess_targets(plan=None, observed: pd.DataFrame | None = None, as_of: int | None = None,
                   method: str = "cn-schedule", *, region: str | None = None,
                   progress: pd.DataFrame | None = None, verdicts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per catalogue target: the verdict of ``method`` as of ``as_of`` (see the module).

    ``plan``: a Plan, id or folder (default: the default plan); ``observed``: its observed values
    (default: loaded); ``region``: the region judged (default: the plan's); ``progress``: the
    headline table the restating targets take their rows from (default: computed).
    Columns: :data:`TARGET_COLUMNS` — the engine's columns (``indicator_id`` is the restated
    indicator, or empty), with the target's identity, ``n_points`` (plan-basis values up to
    ``as_of``), the latest value's source, the responsible department and, for a target
    without data, what to ask for and from whom (``needed_zh``/``needed_en``).

    >>> table = assess_targets(as_of=2025).set_index("target_id")
    >>> table.loc["ch04-t06", "status_zh"]               # 2023 and 2024 known, the final year not yet
    '预计完成（据2024年转载数据，待核实）'
    """
    from ..observed.load import load_observed
    from ..observed.requests import request_subjects
    from ..plan.folder import Plan, load_plan

    plan = plan if isinstance(plan, Plan) else load_plan(plan)
    as_of = plan.info.default_as_of() if as_of is None else int(as_of)
    region = plan.region if region is None else region
    if observed is None:
        observed = load_observed(plan=plan)
    targets = plan.targets
    if targets.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    if progress is None:
        progress = assess(plan, observed, as_of=as_of, method=method, region=region, verdicts=verdicts)
    observed = observed[observed["region"] == region]
    rows = target_observed(observed)
    specs = target_specs(plan, observed, as_of)
    rows, short_of_base = _without_changes_lacking_a_base(specs, rows, plan.base_year, as_of)
    own = assess(specs, rows, as_of=as_of, method=method, region=region, base_year=plan.base_year,
                 verdicts=verdicts).set_index("indicator_id") if len(specs) else pd.DataFrame()
    headline = progress.set_index("indicator_id")
    subjects = request_subjects(plan, as_of).set_index("subject_id")
    from ..observed.requests import responsibility_table

    departments = responsibility_table(plan).set_index("subject_id")
    # each id's rows, found by one pass over the values (the same rows, in their order)
    observed_of = observed.groupby("indicator_id", sort=False).indices
    rows_of = rows.groupby("indicator_id", sort=False).indices
    out = []
    for t in targets.to_dict("records"):
        restated = "" if is_blank(t["restates_indicator_id"]) else t["restates_indicator_id"]
        if restated:
            rec = headline.loc[restated].to_dict()
            rec["indicator_id"] = restated
            points = observed.iloc[observed_of.get(restated, [])]
        else:
            rec = own.loc[t["target_id"]].to_dict()
            rec["indicator_id"] = ""
            points = rows.iloc[rows_of.get(t["target_id"], [])]
            if t["target_id"] in short_of_base:
                rec["reason_zh"], rec["reason_en"] = short_of_base[t["target_id"]]
        for column in OUTPUT_COLUMNS:
            rec.setdefault(column, math.nan)
        rec.update({k: t[k] for k in _IDENTITY})
        rec["is_vision"] = int(t["target_year"]) > plan.info.end
        plan_points = points[(points["series"] == "plan") & (points["region"] == region) & (points["year"] <= as_of)]
        rec["n_points"] = int(plan_points["year"].nunique())
        latest = plan_points[plan_points["year"] == rec.get("latest_year")] if not is_blank(rec.get("latest_year")) else plan_points.iloc[0:0]
        source = latest.iloc[-1] if len(latest) else None
        rec["latest_source_title"] = "" if source is None else source["source_title"]
        rec["latest_source_url"] = "" if source is None else source["source_url"]
        rec["latest_source_quality"] = "" if source is None else source["source_quality"]
        subject = restated or t["target_id"]
        who = departments.loc[subject] if subject in departments.index else None
        rec["department_id"] = "" if who is None else who["department_id"]
        rec["department_zh"] = "" if who is None else who["department_zh"]
        rec["department_en"] = "" if who is None else who["department_en"]
        rec["co_departments_zh"] = "" if who is None else who["co_departments_zh"]
        have = set(int(y) for y in plan_points["year"]) if not restated else set(
            int(y) for y in points[(points["series"] == "plan") & (points["region"] == region)
                                   & (points["year"] <= as_of)]["year"])
        rec["needed_years"], rec["needed_zh"], rec["needed_en"] = _needed(
            rec, subjects.loc[subject] if subject in subjects.index else None, plan.base_year, have)
        out.append(rec)
    table = pd.DataFrame(out)
    return table[TARGET_COLUMNS].reset_index(drop=True)


def _without_changes_lacking_a_base(specs: pd.DataFrame, rows: pd.DataFrame, base_year: int, as_of: int):
    """A change from the base (比2020年增加…) observed as levels needs the base-year level: without
    it the levels are set aside (the engine would read them as the change) and the reason says why."""
    reasons = {}
    for spec in specs[specs["target_kind"] == "cumulative_change"].to_dict("records"):
        mine = rows[(rows["indicator_id"] == spec["indicator_id"]) & (rows["series"] == "plan")
                    & (rows["year"] <= as_of)]
        later = mine[mine["year"] > base_year]
        if later.empty or (later.sort_values("year")["value_type"].iloc[-1] == "cumulative") \
                or (mine["year"] == base_year).any():
            continue
        years = "、".join(str(int(y)) for y in sorted(later["year"]))
        reasons[spec["indicator_id"]] = (
            f"有{years}年水平值，但缺少{base_year}年基期值，无法计算比{base_year}年的变化",
            f"levels for {years.replace('、', ', ')} but none for the base year {base_year}: "
            f"the change since {base_year} cannot be computed")
        rows = rows[~((rows["indicator_id"] == spec["indicator_id"]) & (rows["series"] == "plan"))]
    return rows, reasons


def _needed(rec: dict, subject, base_year: int, have: set) -> tuple[tuple, str, str]:
    """What a target without a verdict needs and from whom (empty when it has one): the years
    of its request that hold no value yet, and a sentence in each language."""
    if rec.get("status_id") not in ("no_data", "not_available") or subject is None:
        return (), "", ""
    from ..observed.requests import year_span

    have = {y for y in have if y in subject["years"]}
    missing = [y for y in subject["years"] if y not in have]
    years = [y for y in missing if y != base_year]
    has_base = base_year in missing
    if not missing:
        return (), "", ""
    who_zh = rec["department_zh"] or "责任单位"
    who_en = rec["department_en"] or "the responsible department"
    unit = f"（{subject['unit']}）" if subject["unit"] else ""
    head_zh, head_en = ("数据不全", "Data incomplete") if have else ("无数据", "No data")
    zh = (f"{head_zh}：需{who_zh}提供" + (f"{base_year}年基期值" + ("及" if years else "") if has_base else "")
          + (year_span(years) if years else "") + f"“{subject['name_zh']}”{unit}数值和来源")
    en = (f"{head_en}: {who_en} to provide " + (f"the {base_year} base value" + (" and " if years else "") if has_base else "")
          + (year_span(years, zh=False) + " " if years else "") + f"values of “{subject['name_en']}”"
          + " with their sources")        # the unit is in the table beside it, in the reader's language
    return tuple(missing), zh, en
