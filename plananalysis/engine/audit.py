"""A consistency audit of the plan's own numbers: one row per finding, with a severity.

Checks (column ``check``):

- ``previous_vs_baseline`` — the previous plan's actuals (its table, e.g. 表1) against this
  plan's baselines (the headline table, e.g. 表2): a share 7.54 against 6.6; 62.4 against 62;
  a value given for 2019 in one table and as the base-year value in the other.
- ``target_equals_base`` — a target equal to its base (basic medical insurance 5195 → 5195):
  a maintain target whose completion share is undefined.
- ``prose_vs_table`` — figures in the plan's prose that disagree with the tables, from the
  declared checks in the plan's ``prose_checks.csv`` (116.9万套 in the text against 〔116.2〕).
- ``prose_quote`` — Table 2's ``prose_quote`` (the chapter sentence restating the target)
  missing from the plan text or stating no number equal to the target.
- ``unit`` — units a table omits (inferred) or misprints ("%" printed for deaths per 100
  million yuan of GDP).
- ``observed_vs_baseline`` — observed values on the plan's basis for the base year that
  differ from the printed baseline (culture share 2020: 6.95 final against 6.6).

Severity: ``high`` (a relative difference of 5 % or more, or a wrong unit that changes the
meaning), ``medium`` (1–5 %, a year mislabelled, a prose figure that is not a rounding of the
table's), ``low`` (under 1 % or a rounding; an omitted unit), ``info`` (a reading note).

Only what a plan has is checked: a plan without a previous-plan table, a text or declared
prose checks gets the other checks.

>>> findings = audit()
>>> findings.set_index("finding_id").loc["previous_vs_baseline:culture_industry_share", "severity"]
'high'
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from ..plan.folder import PROSE_CHECKS_FILE, read_prose_checks
from ..plan.grammar import UNITS, parse

__all__ = ["SEVERITIES", "PROSE_CHECKS_FILE", "audit", "severity_for", "table_cells", "table_labels"]

SEVERITIES = {"high": ("高", 1), "medium": ("中", 2), "low": ("低", 3), "info": ("提示", 4)}
_COLUMNS = ["finding_id", "check", "severity", "severity_zh", "severity_order", "indicator_id",
            "name_zh", "where", "value_a", "value_b", "relative_difference", "explanation_zh",
            "explanation_en", "evidence"]


def severity_for(a: float, b: float) -> str:
    """Severity of a disagreement between two values of the same quantity.

    >>> severity_for(7.54, 6.6), severity_for(6.95, 6.6), severity_for(62.4, 62)
    ('high', 'high', 'low')
    >>> severity_for(79.2, 79.47)
    'low'
    """
    rel = abs(a - b) / abs(b) if b else math.inf
    if rel >= 0.05 - 1e-12:
        return "high"
    if rel >= 0.01:
        return "medium"
    return "low"


def _num(x) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") if isinstance(x, (int, float)) and not math.isnan(x) else str(x)


def _finding(check, severity, indicator_id, name_zh, where, a, b, zh, en, evidence="",
             scope="") -> dict:
    rel = (abs(a - b) / abs(b)) if isinstance(a, float) and isinstance(b, float) and b else math.nan
    return {"finding_id": f"{check}:{scope + ':' if scope else ''}{indicator_id}", "check": check, "severity": severity,
            "severity_zh": SEVERITIES[severity][0], "severity_order": SEVERITIES[severity][1],
            "indicator_id": indicator_id, "name_zh": name_zh, "where": where, "value_a": a,
            "value_b": b, "relative_difference": rel, "explanation_zh": zh, "explanation_en": en,
            "evidence": evidence}


def table_cells(source_text: str, title: str) -> list[str]:
    """The non-empty lines (one cell each) of a plan table, from its title to its note.

    >>> cells = table_cells("表1  示例\\n\\n1\\n\\n指标\\n\\n%\\n\\n注:说明\\n", "表1")
    >>> cells
    ['1', '指标', '%']
    """
    lines = source_text.split("\n")
    start = next((i for i, line in enumerate(lines) if title and line.startswith(title)), None)
    if start is None:
        return []
    cells = []
    for line in lines[start + 1:]:
        line = line.strip()
        if line.startswith("注"):
            break
        if line:
            cells.append(line)
    return cells


def _is_value_cell(cell: str) -> bool:
    try:
        return not parse(cell).is_none or cell.strip() in ("-", "—")
    except Exception:
        return False


def table_labels(plan) -> dict[str, str]:
    """How the plan's text names its tables: ``{"indicators": "表2", "previous_indicators": "表1"}``
    (``table_label`` in ``plan.yml`` and in its ``previous_plan``; generic words otherwise).

    >>> sorted(table_labels(load_plan_for_doctest()))
    ['indicators', 'previous_indicators']
    """
    raw = plan.info.raw
    return {"indicators": str(raw.get("table_label") or "主要指标表"),
            "previous_indicators": str((plan.info.previous or {}).get("table_label") or "上期规划指标表")}


def load_plan_for_doctest():
    from ..plan.folder import load_plan

    return load_plan()


def _check_units(table: pd.DataFrame, title: str, source_text: str) -> list[dict]:
    cells = table_cells(source_text, title)
    out = []
    for r in table.to_dict("records"):
        if r["name_zh"] not in cells:
            continue
        printed = cells[cells.index(r["name_zh"]) + 1]
        row = r.get("row", r.get("no"))
        where = f"{title} 第{row}行 单位列"
        if _is_value_cell(printed) and printed not in UNITS:
            out.append(_finding(
                "unit", "low", r["indicator_id"], r["name_zh"], where, "", r["unit"],
                f"{title}未印单位；按指标含义与正文取“{r['unit']}”",
                f"{title} prints no unit; '{r['unit']}' is inferred from the indicator and the text",
                f"{r['name_zh']} → {printed}", scope=title))
        elif printed != r["unit"]:
            out.append(_finding(
                "unit", "high", r["indicator_id"], r["name_zh"], where, printed, r["unit"],
                f"{title}印作“{printed}”，应为“{r['unit']}”",
                f"{title} prints '{printed}'; the unit is '{r['unit']}'",
                f"{r['name_zh']} → {printed}", scope=title))
    return out


def _check_previous_vs_baseline(t1: pd.DataFrame, t2: pd.DataFrame, labels: dict, base_year: int) -> list[dict]:
    out = []
    l1, l2 = labels["previous_indicators"], labels["indicators"]
    t2 = t2.set_index("indicator_id")
    for r in t1.to_dict("records"):
        i = r["indicator_id"]
        if i not in t2.index or r["target_kind"] != "level" or t2.loc[i, "target_kind"] != "level":
            continue
        a, b = float(r["actual_value"]), float(t2.loc[i, "baseline_value"])
        ya, yb = int(r["actual_year"]), int(t2.loc[i, "baseline_year"])
        where = f"{l1} 第{r['row']}行 {ya}年完成情况 / {l2} 第{t2.loc[i, 'no']}行 {yb}年基期"
        if math.isnan(a) or math.isnan(b):
            continue
        if abs(a - b) > 1e-9:
            severity = severity_for(a, b)
            out.append(_finding(
                "previous_vs_baseline", severity, i, r["name_zh"], where, a, b,
                f"{l1}上期规划{ya}年完成值{_num(a)}与{l2}本规划{yb}年基期值{_num(b)}不一致"
                f"（相差{_num(abs(a - b))}，{abs(a - b) / abs(b):.1%}）"
                + ("，可能为四舍五入" if severity == "low" else ""),
                f"the previous plan's {ya} actual {_num(a)} ({l1}) differs from this plan's {yb} baseline "
                f"{_num(b)} ({l2}; {abs(a - b) / abs(b):.1%})" + (", possibly a rounding" if severity == "low" else ""),
                f"{l1} {r['actual_printed']}；{l2} {t2.loc[i, 'baseline_printed']}"))
        elif ya != yb:
            out.append(_finding(
                "previous_vs_baseline", "medium", i, r["name_zh"], where, a, b,
                f"同一数值{_num(a)}在{l1}中标为{ya}年，在{l2}中作为{yb}年基期：{l2}的基期实为{ya}年数据",
                f"the same value {_num(a)} is a {ya} value in {l1} but the {yb} baseline in {l2}",
                f"{l1} {r['actual_printed']}；{l2} {t2.loc[i, 'baseline_printed']}"))
    return out


def _check_target_equals_base(table: pd.DataFrame, which: str, labels: dict) -> list[dict]:
    out = []
    base_col = "base_value" if which == "previous_indicators" else "baseline_value"
    for r in table.to_dict("records"):
        base, target = r[base_col], r["target_value"]
        if r["target_kind"] == "maintain" or (
                not pd.isna(base) and not pd.isna(target) and abs(base - target) < 1e-9):
            title = labels[which]
            row = r.get("row", r.get("no"))
            out.append(_finding(
                "target_equals_base", "info", r["indicator_id"], r["name_zh"], f"{title} 第{row}行",
                float(target), float(base),
                f"{title}目标值{_num(target)}等于基期值{_num(base)}：按“保持”目标评估，完成进度P无定义",
                f"{title}'s target {_num(target)} equals the base {_num(base)}: read as a maintain "
                "target; the completion share P is undefined",
                f"{r.get('base_printed', r.get('baseline_printed'))} → {r['target_printed']}", scope=title))
    return out


def _sentence(text: str, start: int, end: int, reach: int = 30) -> str:
    """The clause around a match: back to the sentence start (at most ``reach`` characters)."""
    left = max(text.rfind("。", 0, start), text.rfind("；", 0, start), start - reach - 1) + 1
    stops = [i for i in (text.find("。", end), text.find("；", end)) if i >= 0]
    right = min(stops + [end + reach])
    return text[left:right + 1].strip()


def _check_prose(plan, checks: pd.DataFrame, labels: dict) -> list[dict]:
    out = []
    tables = {"previous_plan": plan.previous_indicators, "indicators": plan.indicators}
    for c in checks.to_dict("records"):
        if c["table"] not in tables or tables[c["table"]].empty:
            continue
        table = tables[c["table"]].set_index("indicator_id")
        c["table"] = "previous_indicators" if c["table"] == "previous_plan" else c["table"]
        r = table.loc[c["indicator_id"]]
        match = re.search(c["pattern"], plan.source_text)
        title = labels[c["table"]]
        if match is None:
            out.append(_finding("prose_vs_table", "low", c["indicator_id"], r["name_zh"], title,
                                math.nan, float(r[c["column"]]),
                                f"正文中未找到声明的句式 {c['pattern']}",
                                f"the declared pattern {c['pattern']} is not in the text"))
            continue
        text_value, table_value = float(match.group(1)), float(r[c["column"]])
        if abs(text_value - table_value) < 1e-9:
            continue
        is_rounding = round(text_value) == table_value or round(table_value) == text_value
        severity = "low" if is_rounding else ("medium" if severity_for(text_value, table_value) != "high" else "high")
        quote = _sentence(plan.source_text, match.start(), match.end())
        printed = r["actual_printed"] if c["column"] == "actual_value" else r["baseline_printed"]
        out.append(_finding(
            "prose_vs_table", severity, c["indicator_id"], r["name_zh"],
            f"正文 / {title} {'完成情况' if c['column'] == 'actual_value' else '基期'}",
            text_value, table_value,
            f"正文写“{match.group(0)}”，{title}为{printed}" + ("（表中为取整值）" if is_rounding else ""),
            f"the text says {match.group(0)} but {title} prints {printed}"
            + (" (the table rounds)" if is_rounding else ""),
            quote, scope=title))
    if "prose_quote" in plan.indicators.columns:
        for r in plan.indicators.to_dict("records"):
            quote = r.get("prose_quote")
            if pd.isna(quote) or not str(quote).strip():
                continue
            quote = str(quote)
            found = quote in plan.source_text
            numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", quote)]
            has_target = any(abs(n - float(r["target_value"])) < 1e-9 for n in numbers) \
                if not pd.isna(r["target_value"]) else True
            if not found:
                out.append(_finding("prose_quote", "low", r["indicator_id"], r["name_zh"],
                                    f"{labels['indicators']} 第{r['no']}行 prose_quote", math.nan, math.nan,
                                    f"摘录“{quote}”在规划正文中未找到", f"the quote '{quote}' is not in the text"))
            elif numbers and not has_target:
                out.append(_finding("prose_quote", "medium", r["indicator_id"], r["name_zh"],
                                    f"{labels['indicators']} 第{r['no']}行 / 正文", math.nan, float(r["target_value"]),
                                    f"正文“{quote}”中的数字与{labels['indicators']}目标{r['target_printed']}不一致",
                                    f"the text '{quote}' states no number equal to the target {r['target_printed']}",
                                    quote))
    return out


def _check_observed(t2: pd.DataFrame, observed: pd.DataFrame, region: str, label: str) -> list[dict]:
    out = []
    obs = observed
    if "region" in obs.columns:
        obs = obs[obs["region"].fillna(region) == region]
    if "series" in obs.columns:
        obs = obs[obs["series"].fillna("plan") == "plan"]
    for r in t2.to_dict("records"):
        if pd.isna(r["baseline_value"]):
            continue
        rows = obs[(obs["indicator_id"] == r["indicator_id"]) & (obs["year"] == r["baseline_year"])]
        for o in rows.to_dict("records"):
            a, b = float(o["value"]), float(r["baseline_value"])
            if abs(a - b) < 1e-9:
                continue
            severity = severity_for(a, b)
            note = "" if pd.isna(o.get("period_note")) else str(o.get("period_note") or "")
            out.append(_finding(
                "observed_vs_baseline", severity, r["indicator_id"], r["name_zh"],
                f"观测数据 {o['year']}年 / {label} 第{r['no']}行 基期", a, b,
                f"观测{o['year']}年值{_num(a)}{'（' + note + '）' if note else ''}与规划基期{_num(b)}不一致"
                f"（{abs(a - b) / abs(b):.1%}）；进度按规划基期计算",
                f"the observed {o['year']} value {_num(a)}{' (' + note + ')' if note else ''} differs from "
                f"the plan's baseline {_num(b)} ({abs(a - b) / abs(b):.1%}); progress uses the plan's baseline",
                str(o.get("source_title", "") or "")))
    return out


def audit(plan=None, observed: pd.DataFrame | None = None, *, region: str | None = None,
          prose_checks: str | Path | None = None) -> pd.DataFrame:
    """All findings, most severe first (columns: finding_id, check, severity, …, evidence).

    ``plan`` defaults to ``load_plan()``; ``observed`` to the plan's observed data (pass an
    empty frame to skip the observed check); ``prose_checks`` to the plan's ``prose_checks.csv``
    (no such check when it has none); ``region`` to the plan's.

    >>> findings = audit(observed=pd.DataFrame())  # the plan's own numbers only
    >>> row = findings.set_index("finding_id").loc["previous_vs_baseline:culture_industry_share"]
    >>> row.severity, row.value_a, row.value_b  # the previous table's actual against the baseline
    ('high', 7.54, 6.6)
    >>> "observed_vs_baseline" in set(findings["check"])
    False
    """
    if plan is None:
        from ..plan.folder import load_plan
        plan = load_plan()
    if observed is None:
        from ..observed.load import load_observed
        observed = load_observed(plan=plan)
    region = plan.region if region is None else region
    labels = table_labels(plan)
    checks = (read_prose_checks(Path(prose_checks), plan.indicators, plan.previous_indicators) if prose_checks
              else plan.prose_checks)   # read by the plan's one checked reader, every row checked
    previous = plan.previous_indicators
    findings = (
        (_check_previous_vs_baseline(previous, plan.indicators, labels, plan.base_year) if len(previous) else [])
        + (_check_target_equals_base(previous, "previous_indicators", labels) if len(previous) else [])
        + _check_target_equals_base(plan.indicators, "indicators", labels)
        + (_check_prose(plan, checks, labels) if plan.source_text else [])
        + (_check_units(previous, labels["previous_indicators"], plan.source_text)
           if len(previous) and plan.source_text else [])
        + (_check_units(plan.indicators, labels["indicators"], plan.source_text) if plan.source_text else [])
        + (_check_observed(plan.indicators, observed, region, labels["indicators"]) if len(observed) else [])
    )
    table = pd.DataFrame(findings, columns=_COLUMNS)
    dup = table.duplicated("finding_id", keep=False)
    table.loc[dup, "finding_id"] += ":" + table[dup].groupby("finding_id").cumcount().astype(str)
    return table.sort_values(["severity_order", "check", "indicator_id"], kind="stable").reset_index(drop=True)
