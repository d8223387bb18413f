"""Sentences written from the same numbers as the tables: the headline, a chapter's paragraph,
the problems list (存在的主要问题).

Every count and name comes from the review's progress table and the signals
(:mod:`plananalysis.present.signals`), and the departments from the plan's
``responsibilities.csv``/``departments.csv`` — change an observed value and the sentence changes.

>>> from plananalysis.context import review_context
>>> review = review_context(as_of=2023).what_if("culture_industry_share", 2023, 6.7)   # an assumed lagging value
>>> text = headline(review)
>>> text.startswith("截至2023年") and "滞后（文化及相关产业增加值占GDP比重）" in text
True
"""

from __future__ import annotations

import pandas as pd

from . import format as fmt
from . import glossary
from .signals import LAGGING, signals
from .text import escape_text

__all__ = ["status_summary", "headline", "evidence_sentence", "chapter_narrative", "problems", "problems_markdown",
           "lead_departments", "names_list"]


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def names_list(names, lang: str = "zh", limit: int = 6, what: tuple[str, str] = ("项", "more")) -> str:
    """Names joined as a sentence does: ``甲、乙和丙`` / ``A, B and C``; past ``limit``: ``等N项``
    (``what``: the counter word, ``("个部门", "other departments")``).

    >>> names_list(["甲", "乙", "丙"]), names_list(["A", "B"], "en"), names_list(list("abcdefgh"), "en", 3)
    ('甲、乙和丙', 'A and B', 'a, b, c and 5 more')
    >>> names_list(["甲", "乙", "丙"], limit=2, what=("个部门", "other departments"))
    '甲、乙等3个部门'
    """
    names = [str(n) for n in names]
    if len(names) > limit:
        shown, rest = names[:limit], len(names) - limit
        return ("、".join(shown) + f"等{len(names)}{what[0]}") if lang == "zh" else (", ".join(shown) + f" and {rest} {what[1]}")
    if len(names) <= 1:
        return "".join(names)
    if lang == "zh":
        return "、".join(names[:-1]) + "和" + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _names(review, rows: pd.DataFrame) -> list[str]:
    column = "name_en" if review.lang == "en" else "name_zh"
    return [str(n) if not fmt.is_missing(n) else str(z) for n, z in zip(rows[column], rows["name_zh"])]


def status_summary(progress: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Rows per status, best first: ``status_id, label`` (the legend's: 预计完成), ``dated`` (the
    sentence's: 预计完成（据2021–2024年数据）), ``tone, count, indicator_ids``.

    >>> from plananalysis.context import review_context
    >>> summary = status_summary(review_context(as_of=2023).progress)
    >>> summary[["label", "count"]].values.tolist()[:2]
    [['提前实现', 4], ['快于预期', 6]]
    """
    found = signals(progress, lang)
    frame = progress.reset_index(drop=True).assign(_label=found["label"], _tone=found["tone"])
    rows = []
    for (order, status_id), group in frame.groupby(["status_order", "status_id"], sort=True):
        labels = list(dict.fromkeys(group["_label"]))
        # the sentence's label: the status with the years its rows rest on (预计完成（据2022–2024年数据）);
        # the evidence grades are counted in their own sentence (evidence_sentence), not repeated here
        try:
            dated = _dated_span(group, lang) if {"method", "phase"} <= set(group.columns) else labels[0]
        except KeyError:   # a status outside the declared table keeps the row's own label
            dated = labels[0]
        rows.append({"status_id": status_id, "label": _undated_label(group, lang), "dated": dated,
                     "tone": group["_tone"].iloc[0], "count": len(group), "indicator_ids": list(group["indicator_id"])})
    return pd.DataFrame(rows, columns=["status_id", "label", "dated", "tone", "count", "indicator_ids"])


def _undated_label(group: pd.DataFrame, lang: str) -> str:
    """The legend's label of a status (预计完成), whatever year its rows rest on."""
    from ..engine.methods import label

    row = group.iloc[0]
    if "method" not in group.columns or "phase" not in group.columns:
        return str(group["_label"].iloc[0])
    try:
        return label(row["method"], row["phase"], row["status_id"], "en" if lang == "en" else "zh")
    except Exception:  # noqa: BLE001 — a status outside the declared table keeps the row's own label
        return str(group["_label"].iloc[0])


def _dated_span(group: pd.DataFrame, lang: str) -> str:
    """One label for rows of a dated status resting on different years: 预计完成（据2021–2024年数据）."""
    from ..engine.methods import status_labels

    row = group.iloc[0]
    table = status_labels(row["method"], row["phase"]).set_index("status_id")
    template = table.loc[row["status_id"], "dated_en" if lang == "en" else "dated_zh"]
    years = sorted({int(y) for y in group["latest_year"].dropna()})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    return template.format(year=span) if span and "{year}" in template else table.loc[
        row["status_id"], "label_en" if lang == "en" else "label_zh"]


def lead_departments(review, subject_ids) -> pd.DataFrame:
    """The departments that answer for ``subject_ids`` (``responsibilities.csv``), with how many
    each, most first: ``department, count, subject_ids`` (empty when the plan names none).

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2023)
    >>> lead_departments(review, ["urban_new_jobs"])["department"].tolist()
    ['省人力社保厅']
    """
    table = review.plan.responsibilities
    if table is None or table.empty or "subject_id" not in table.columns:
        return pd.DataFrame(columns=["department", "count", "subject_ids"])
    mine = table[table["subject_id"].isin(list(subject_ids))]
    rows = []
    for department_id, group in mine.groupby("department_id", sort=False):
        rows.append({"department": glossary.department_name(review.plan, department_id, review.lang),
                     "count": len(group), "subject_ids": list(group["subject_id"])})
    frame = pd.DataFrame(rows, columns=["department", "count", "subject_ids"])
    return frame.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def _count_phrase(summary: pd.DataFrame, progress: pd.DataFrame, review) -> str:
    lang = review.lang
    parts = []
    for row in summary.itertuples():
        if row.tone == "no_data":
            continue
        text = _t(lang, f"{row.count}项{row.dated}", f"{row.count} {row.dated[:1].lower() + row.dated[1:]}")
        if row.tone in LAGGING:
            names = _names(review, progress[progress["indicator_id"].isin(row.indicator_ids)])
            text += _t(lang, f"（{names_list(names, 'zh')}）", f" ({names_list(names, 'en')})")
        parts.append(text)
    return names_list(parts, lang, limit=20)


def headline(review) -> str:
    """The one-sentence summary at the top of a review: how many indicators and targets, how
    many met or on schedule, which lag, how many lack data and which departments are to supply it.

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2025, lang="en")
    >>> text = headline(review.what_if("culture_industry_share", 2025, 6.7))
    >>> text.startswith("As of 2025 (final review)"), "1 not completed (Value added of culture" in text
    (True, True)
    >>> "8 likely completed (on 2022–2024 data)" in headline(review)    # one label, the years it rests on
    True
    """
    lang, progress = review.lang, review.progress
    summary = status_summary(progress, lang)
    n = len(progress)
    # a qualitative target is 定性目标, never "lacking data" (docs/evidence-rules.md rule 6)
    no_data = summary[(summary["tone"] == "no_data") & (summary["status_id"] != "qualitative")]
    n_missing = int(no_data["count"].sum())
    missing_ids = [i for ids in no_data["indicator_ids"] for i in ids]
    with_data = n - n_missing
    as_of = review.params.as_of
    phase = review.phase_title
    title = review.plan.title_in(lang)
    region = ""
    if review.params.region != review.plan.region:
        region = glossary.region_name(review.plan, review.params.region, lang)
    counts = _count_phrase(summary, progress, review)
    where = f" for {region}" if region and lang == "en" else (f"（{region}）" if region else "")
    if lang == "en":
        text = f"As of {as_of} ({phase.lower()}), "
        if with_data:
            text += f"{with_data} of the {n} headline indicators of the {title}{where} can be judged on the data"
            text += f": {counts}." if counts else "."
    else:
        text = f"截至{as_of}年（{phase}），"
        if with_data:
            text += f"《{title}》{where}{n}项主要指标中，{with_data}项可据数据作出评判"
            text += f"：{counts}。" if counts else "。"
    if n_missing:
        departments = lead_departments(review, missing_ids)
        who = [f"{d.department}（{d.count}项）" if lang == "zh" else f"{d.department} ({d.count})"
               for d in departments.itertuples()]
        if lang == "en":
            subject = (f" {n_missing} {'lacks' if n_missing == 1 else 'lack'} usable data" if with_data else
                       f"none of the {n} headline indicators of the {title}{where} has usable data yet")
            text += subject + (f"; it is to come from {names_list(who, 'en', 4, ('', 'other departments'))}."
                               if who else ".")
        else:
            subject = (f"{n_missing}项尚无可用数据" if with_data else
                       f"《{title}》{where}{n}项主要指标均尚无可用数据")
            text += subject + (f"，需{names_list(who, 'zh', 4, ('个部门', ''))}提供。" if who else "。")
    text += evidence_sentence(review)
    text += _targets_sentence(review)
    return text


def evidence_sentence(review) -> str:
    """What the verdicts rest on (the engine's :func:`~plananalysis.engine.progress.evidence_counts`):
    ``""`` when every verdict rests on official or department data.

    >>> from plananalysis.context import review_context
    >>> text = evidence_sentence(review_context(as_of=2025))
    >>> text.startswith("其中") and "项依据官方或部门数据" in text and "待核实" in text
    True
    """
    from ..engine.progress import evidence_counts

    c = evidence_counts(review.progress)
    if not c["judged"] or c["official"] == c["judged"]:
        return ""
    zh = [f"{c['official']}项依据官方或部门数据", f"{c['to_confirm']}项依据转载或媒体报道（待核实）"]
    en = [f"{c['official']} rest on official or department data",
          f"{c['to_confirm']} on reprints or news reports (to be confirmed)"]
    if c["other"]:
        zh.append(f"{c['other']}项依据推算或分析人员录入数据")
        en.append(f"{c['other']} on derived or analyst-entered data")
    if c["single_point"]:
        zh.append(f"{c['single_point']}项仅有一个观测年份")
        en.append(f"{c['single_point']} on a single observed year")
    if c["preliminary"]:
        zh.append(f"{c['preliminary']}项含初步核算数")
        en.append(f"{c['preliminary']} on preliminary figures")
    if review.lang == "en":
        return f" Of the {c['judged']} verdicts, " + ", ".join(en) + "."
    return f"其中{'，'.join(zh)}。"


def _targets_sentence(review) -> str:
    lang = review.lang
    judged = getattr(review, "target_progress", None)
    if callable(judged):
        judged = judged()
    if isinstance(judged, pd.DataFrame) and len(judged) and "status_id" in judged.columns:
        from ..engine.progress import status_counts

        counts = status_counts(judged, "en" if lang == "en" else "zh")   # best first, 预计完成 undated
        parts = [_t(lang, f"{k}{v}项", f"{v} {str(k).lower()}") for k, v in counts.items()]
        return _t(lang, f"正文另有{len(judged)}项量化目标：{names_list(parts, 'zh', 20)}。",
                  f" The chapters set {len(judged)} further quantified targets: {names_list(parts, 'en', 20)}.")
    targets = review.plan.targets
    if targets is None or targets.empty:
        return ""
    restated = int((targets.get("restates_indicator_id", pd.Series(dtype=str)).fillna("") != "").sum())
    return _t(lang,
              f"各章正文另有{len(targets)}项量化目标" + (f"（其中{restated}项与主要指标重合）" if restated else "")
              + "，逐项列于各章报告。",
              f" The chapters set {len(targets)} quantified targets in their text"
              + (f" ({restated} restating headline indicators)" if restated else "") + ", listed in each chapter's report.")


def chapter_narrative(review) -> str:
    """A chapter's paragraph: its targets, its headline indicators with data, their statuses and
    what needs more effort (from the chapter's rows).

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2023, chapter=10).what_if("culture_industry_share", 2023, 6.7)
    >>> "需加大力度：文化及相关产业增加值占GDP比重" in chapter_narrative(review)
    True
    """
    lang = review.lang
    chapter = review.chapter
    rows = review.chapter_progress()
    targets = chapter.targets
    n_targets, n_indicators = len(targets), len(rows)
    restated = int((targets.get("restates_indicator_id", pd.Series(dtype=str)).fillna("") != "").sum()) if n_targets else 0
    with_data = int(rows["latest_value"].notna().sum()) if n_indicators else 0
    summary = status_summary(rows, lang) if n_indicators else pd.DataFrame(columns=["label", "dated", "count", "tone"])
    total = len(review.progress)
    if lang == "en":
        text = (f"This chapter sets {n_targets} quantified target{'s' if n_targets != 1 else ''} in its text"
                f"{f' ({restated} restating headline indicators)' if restated else ''} and covers "
                f"{n_indicators} of the {total} headline indicators, {with_data} of them with data.")
        if len(summary):
            text += " Status: " + ", ".join(f"{r.dated} {r.count}" for r in summary.itertuples()) + "."
    else:
        text = (f"本章共有{n_targets}项量化目标{f'（其中{restated}项与主要指标重合）' if restated else ''}，"
                f"涉及主要指标{n_indicators}项，其中{with_data}项有观测数据。")
        if len(summary):
            text += "评估结论：" + "，".join(f"{r.dated}{r.count}项" for r in summary.itertuples()) + "。"
    behind = rows[signals(rows, lang)["tone"].isin(LAGGING).to_numpy()] if n_indicators else rows
    if len(behind):
        text += _t(lang, "需加大力度：" + "、".join(_names(review, behind)) + "。",
                   " Needs more effort: " + "; ".join(_names(review, behind)) + ".")
    return text


def problems(review) -> list[dict]:
    """存在的主要问题: the lagging and reversed indicators (each with its reason), then those
    without data grouped by the department to supply it.  ``[{kind, title, text}]``.

    >>> from plananalysis.context import review_context
    >>> items = problems(review_context(as_of=2023).what_if("culture_industry_share", 2023, 6.7))
    >>> [i["kind"] for i in items][:2], items[0]["title"]
    (['lagging', 'no_data'], '文化及相关产业增加值占GDP比重')
    """
    lang, progress = review.lang, review.progress.reset_index(drop=True)
    found = signals(progress, lang)
    out = []
    order = {"reversed": 0, "lagging": 1}
    lagging = found[found["tone"].isin(LAGGING)].copy()
    lagging["_o"] = lagging["tone"].map(order)
    for i in lagging.sort_values("_o", kind="stable").index:
        sig = found.loc[i]
        name = _names(review, progress.loc[[i]])[0]
        out.append({"kind": sig["tone"], "title": name,
                    "text": _t(lang, f"{sig['label']}：{sig['reason']}", f"{sig['label']}: {sig['reason']}")})
    missing = progress[((found["tone"] == "no_data") & (found["status_id"] != "qualitative")).to_numpy()]   # 定性目标 is not missing data
    if len(missing):
        departments = lead_departments(review, missing["indicator_id"])
        named = set()
        for d in departments.itertuples():
            rows = missing[missing["indicator_id"].isin(d.subject_ids)]
            named |= set(rows["indicator_id"])
            out.append({"kind": "no_data", "title": d.department,
                        "text": _t(lang, f"尚无规划口径数据（{len(rows)}项）：{'、'.join(_names(review, rows))}",
                                   f"no data on the plan's basis ({len(rows)}): {'; '.join(_names(review, rows))}")})
        rest = missing[~missing["indicator_id"].isin(named)]
        if len(rest):
            out.append({"kind": "no_data", "title": _t(lang, "未明确责任单位", "No department named"),
                        "text": _t(lang, f"尚无规划口径数据（{len(rest)}项）：{'、'.join(_names(review, rest))}",
                                   f"no data on the plan's basis ({len(rest)}): {'; '.join(_names(review, rest))}")})
    return out


def problems_markdown(review) -> str:
    """:func:`problems` as a Markdown list (empty text when there is none).

    >>> from plananalysis.context import review_context
    >>> problems_markdown(review_context(as_of=2023).what_if("culture_industry_share", 2023, 6.7)).startswith("- **文化及相关产业增加值占GDP比重**")
    True
    """
    return "\n".join(f"- **{escape_text(p['title'])}**：{escape_text(p['text'])}" if review.lang == "zh"
                     else f"- **{escape_text(p['title'])}**: {escape_text(p['text'])}" for p in problems(review))


def headline_html(review) -> str:
    """The headline sentence as a highlighted paragraph (escaped).

    >>> from plananalysis.context import review_context
    >>> headline_html(review_context(as_of=2023)).startswith('<p class="pa-headline">截至2023年')
    True
    """
    return f'<p class="pa-headline">{escape_text(headline(review))}</p>'


def list_headings(review, behind: pd.DataFrame, ahead: pd.DataFrame) -> dict:
    """The headings (and the line shown when a list is empty) of the "most behind" and "furthest
    ahead" lists, naming how many there are and in the review's words (a final review speaks of
    completion, not of schedule).

    >>> from plananalysis.context import review_context
    >>> from plananalysis.present.signals import furthest_ahead, most_behind
    >>> review = review_context(as_of=2023).what_if("culture_industry_share", 2023, 6.7)
    >>> behind, ahead = most_behind(review.progress), furthest_ahead(review.progress)
    >>> list_headings(review, behind, ahead)["behind"]
    '## 进度滞后的指标（1项）'
    """
    lang = review.lang
    final = review.params.phase == "final"
    nb, na = len(behind), len(ahead)
    if final:
        b = _t(lang, f"## 未完成的指标（{nb}项）", f"## Indicators not completed ({nb})")
        a = _t(lang, f"## 完成最好的{na}项", f"## The {na} furthest past their targets")
        empty_b = _t(lang, "没有未完成的指标。", "No indicator is short of its target.")
        empty_a = _t(lang, "没有已完成的指标。", "No indicator has met its target.")
    else:
        b = _t(lang, f"## 进度滞后的指标（{nb}项）", f"## Indicators behind schedule ({nb})")
        a = _t(lang, f"## 进度最领先的{na}项", f"## The {na} furthest ahead of schedule")
        empty_b = _t(lang, "没有进度滞后或逆向的指标。", "No indicator is behind schedule or moving away.")
        empty_a = _t(lang, "没有快于预期的指标。", "No indicator is ahead of schedule.")
    if not nb:
        b = b.split("（")[0].split(" (")[0]
    if not na:
        a = _t(lang, "## 进度领先的指标", "## Indicators ahead")
    return {"behind": b, "ahead": a, "behind_empty": empty_b, "ahead_empty": empty_a}


def boxes_markdown(review) -> str:
    """The chapter's boxes (专栏) as a Markdown list under a heading; ``""`` when it has none.

    >>> from plananalysis.context import review_context
    >>> boxes_markdown(review_context(as_of=2023, chapter=9, lang="en")).splitlines()[0]
    '## Boxes'
    """
    boxes = review.chapter.boxes
    if not len(boxes):
        return ""
    lang = review.lang
    lines = [_t(lang, "## 专栏", "## Boxes"), ""]
    for row in boxes.itertuples():
        title = glossary.mark_chinese(row.title_en if lang == "en" else row.title_zh, lang)
        number = escape_text(row.number)
        lines.append(_t(lang, f"- 专栏{number} {title}", f"- Box {number}: {title}"))
    return "\n".join(lines)


def retrospective_summary(review) -> str:
    """One sentence on the previous plan's table: how many completed, basically completed, not
    completed (the engine's words in Chinese).

    >>> from plananalysis.context import review_context
    >>> retrospective_summary(review_context(as_of=2023, lang="en")).split(":")[0]
    '29 indicators'
    """
    from ..engine.retrospective import summary_line

    table = review.retrospective_table
    if review.lang == "zh":
        return summary_line(table) + "。"
    summary = status_summary(table, "en")
    parts = []
    for row in summary.itertuples():
        text = f"{row.count} {row.dated[:1].lower() + row.dated[1:]}"
        if row.tone in LAGGING or row.status_id == "basically_completed":
            names = _names(review, table[table["indicator_id"].isin(row.indicator_ids)])
            text += f" ({names_list(names, 'en')})"
        parts.append(text)
    return f"{len(table)} indicators: {names_list(parts, 'en', 20)}."


def audit_intro(review, findings: pd.DataFrame) -> str:
    """What the data audit checks and what it found, before its tables.

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2023)
    >>> audit_intro(review, review.audit_table).startswith("本页检查")
    True
    """
    lang = review.lang
    ordered = findings.sort_values("severity_order", kind="stable") if "severity_order" in findings else findings
    counts = ordered.groupby("severity_zh", sort=False).size() if len(findings) else pd.Series(dtype=int)
    if lang == "en":
        found = ", ".join(f"{int(n)} {glossary.label('severity', s, 'en')}" for s, n in counts.items())
        return (f"This page checks the plan's own numbers against each other (the previous plan's actuals "
                f"against this plan's baselines, the text against the tables, the units) and the observed "
                f"data against the plan's baselines; then it shows which years have data up to "
                f"{review.params.as_of} and where every observed value comes from. "
                f"{len(findings)} finding{'s' if len(findings) != 1 else ''}" + (f" ({found})" if found else "")
                + ". Progress is always measured from the baseline the plan prints.")
    found = "、".join(f"{s}{int(n)}项" for s, n in counts.items())
    return (f"本页检查规划自身数字的前后一致（上期规划完成值与本规划基期、正文与表格、单位），以及观测数据与规划基期的衔接；"
            f"随后列出截至{review.params.as_of}年各指标有数据的年份和每个观测值的来源。"
            f"共{len(findings)}项发现" + (f"（{found}）" if found else "") + "。进度一律从规划印发的基期算起。")
