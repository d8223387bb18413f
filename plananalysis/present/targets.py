"""How catalogue targets look: their table in a chapter report and in the workbook, their chart,
and the sentence that says which still lack data and from whom.

Everything here reads the table of :func:`~plananalysis.engine.targets.assess_targets` (a
review's ``target_progress``) and returns plain DataFrames, strings or charts.

>>> from plananalysis.context import review_context
>>> review = review_context(as_of=2023, chapter=4)
>>> view = targets_view(review.target_progress[review.target_progress.chapter == 4])
>>> view.set_index("编号").loc["ch04-t06", ["评估结论", "最新值", "数据年份"]].tolist()
['基本符合预期', '11万人', '2023']
"""

from __future__ import annotations


import pandas as pd

from ..values import is_blank
from . import format as fmt
from .glossary import target_wording, to_chinese, unit_name
from .text import escape_text

__all__ = ["targets_view", "lacking_sentence", "target_chart", "chart_targets"]


def _value_text(row, lang: str = "zh") -> str:
    """The latest value with its unit: ``11万人``; in English ``11 (10,000 persons)``, ``74.2%``.

    >>> row = {"latest_value": 11.0, "latest_qualifier": "", "unit": "万人"}
    >>> _value_text(row), _value_text(row, "en"), _value_text({**row, "unit": "%"}, "en")
    ('11万人', '11 (10,000 persons)', '11%')
    """
    if is_blank(row["latest_value"]):
        return ""
    qualifier = row["latest_qualifier"] if isinstance(row["latest_qualifier"], str) else ""
    unit = row["unit"] if isinstance(row["unit"], str) else ""
    number = fmt.number(row["latest_value"], unit, qualifier=qualifier)   # the one formatter: 8.57万人次 → 8.6
    if lang != "en" or not unit:
        return number + unit
    unit = unit_name(unit, "en")
    return number + unit if unit in ("%", "‰") else f"{number} ({unit})"


def _year_text(row) -> str:
    return "" if is_blank(row["latest_year"]) else str(int(row["latest_year"]))


def targets_view(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A chapter's targets for its report: verdict, latest value and year, source, reason.

    A target without a verdict shows what is needed and from whom in place of a reason.

    >>> from plananalysis.engine.targets import assess_targets
    >>> view = targets_view(assess_targets(as_of=2023).head(3), "en")
    >>> list(view.columns)
    ['Id', 'Subject', 'Target', 'Year', 'Status', 'Latest', 'Data year', 'Source', 'Why']
    """
    from .signals import reason

    zh = lang != "en"
    why = [(r["needed_zh"] if zh else r["needed_en"]) or reason(r, lang)   # targets and units translated
           for r in table.to_dict("records")]
    return pd.DataFrame({
        "编号" if zh else "Id": table["target_id"].tolist(),
        "内容" if zh else "Subject": table["subject_zh" if zh else "subject_en"].tolist(),
        "目标" if zh else "Target": (table["target_text"].tolist() if zh else
                                     [target_wording(text, "en", unit) for text, unit in
                                      zip(table["target_text"], table["unit"])]),
        "目标年份" if zh else "Year": [int(y) for y in table["target_year"]],
        "评估结论" if zh else "Status": table["status_zh" if zh else "status_en"].tolist(),
        "最新值" if zh else "Latest": [_value_text(r, lang) for r in table.to_dict("records")],
        "数据年份" if zh else "Data year": [_year_text(r) for r in table.to_dict("records")],
        "来源" if zh else "Source": [to_chinese(t) if zh else t for t in table["latest_source_title"]],
        "依据" if zh else "Why": why,
    })


def lacking_sentence(table: pd.DataFrame, lang: str = "zh") -> str:
    """Which targets have no verdict yet, and from whom the data are needed (Markdown).

    >>> from plananalysis.engine.targets import assess_targets
    >>> table = assess_targets(as_of=2023)
    >>> print(lacking_sentence(table[table.chapter == 14]))
    尚无评估结论的目标（1项），需以下单位提供数据：
    - 省财政厅：ch14-t01 新增财力用于民生的比例（2020–2023年）
    """
    from ..observed.requests import year_span

    zh = lang != "en"
    waiting = table[table["needed_zh"] != ""]
    if waiting.empty:
        return "本章量化目标均已有评估所需数据。" if zh else "Every target of this chapter has the data its verdict needs."
    lines = [f"尚无评估结论的目标（{len(waiting)}项），需以下单位提供数据：" if zh else
             f"Targets without a verdict ({len(waiting)}), and who is to provide the data:"]
    for (department_zh, department_en), group in waiting.groupby(["department_zh", "department_en"], sort=False):
        items = []
        for r in group.to_dict("records"):
            span = year_span(r["needed_years"], zh) if len(r["needed_years"]) else ""
            name = escape_text(r["subject_zh"] if zh else r["subject_en"])
            items.append(f"{escape_text(r['target_id'])} {name}" + (f"（{span}）" if zh and span else f" ({span})" if span else ""))
        who = escape_text((department_zh or "未定责任单位") if zh else (department_en or department_zh or "no department named"))
        lines.append(f"- {who}：" + "；".join(items) if zh else f"- {who}: " + "; ".join(items))
    return "\n".join(lines)


def chart_targets(table: pd.DataFrame, shown_indicators=()) -> list[str]:
    """The targets of ``table`` that get a chart: at least two plan-basis points up to the
    review year, and not a restated indicator whose own chart is already ``shown_indicators``.

    >>> from plananalysis.engine.targets import assess_targets
    >>> chart_targets(assess_targets(as_of=2025), shown_indicators={"urbanisation_rate"})[:3]
    ['ch02-t01', 'ch02-t02', 'ch02-t04']
    """
    keep = table[(table["n_points"] >= 2) & ~table["indicator_id"].isin(set(shown_indicators))]
    return list(keep["target_id"])


def target_chart(spec: dict, row: dict, observed: pd.DataFrame, lang: str = "zh"):
    """The trajectory chart of one catalogue target (``present.charts.trajectory``): its spec
    row (:func:`~plananalysis.engine.targets.target_specs`), its row of ``assess_targets`` and
    its observed rows.  A yearly target is drawn as a floor under each year's flow; a multiple
    with the level it implies.

    >>> from plananalysis.engine.targets import assess_targets, target_specs
    >>> spec = target_specs().set_index("indicator_id").loc["ch04-t06"].to_dict()
    >>> row = assess_targets(as_of=2025).set_index("target_id").loc["ch04-t06"].to_dict()
    >>> obs = pd.DataFrame({"year": [2023, 2024], "value": [11.0, 8.5], "qualifier": ["", ""]})
    >>> target_chart(spec, row, obs, "en").to_dict()["title"]["text"]
    'People with employment difficulties helped into work'
    """
    from .charts import trajectory

    mapping = dict(spec)
    if not is_blank(row.get("base_value")):
        mapping["baseline_value"] = row["base_value"]
    if not is_blank(row.get("target_value")) and spec["target_kind"] not in ("annual",):
        mapping["target_value"] = row["target_value"]
    if spec["target_kind"] in ("annual", "multiple"):
        mapping["target_kind"], mapping["target_op"] = "level", "≥" if spec["direction"] == "higher" else "≤"
    if spec["target_op"] == "range":
        mapping["target_op"] = "="
    return trajectory(mapping, observed, row, lang=lang)
