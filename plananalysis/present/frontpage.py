"""The one-minute front page of a review (its ``index.html``): what a leader reads first.

Top to bottom: the title; the headline sentence (:func:`~plananalysis.present.narrative.headline`);
the statuses counted, with a legend of the statuses and of P, E and q in words; what needs
attention (lagging and reversed indicators first, then the data still missing and who is to
supply it); every indicator with its status beside the number the verdict rests on, its progress
bar and its sparkline (inline SVG, no scripts), binding/expected where the plan says; the links to
every report and to ``scorecard.xlsx``; the sources.  On a phone the table becomes one card per
indicator; printed, it fits A4 with its header repeated.

>>> from plananalysis.context import review_context
>>> body = front_page(review_context(as_of=2023), [("overview.html", "总览", False)])
>>> 'id="headline"' in body, 'id="attention"' in body, 'id="legend"' in body, "<script" in body
(True, True, True, False)
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from . import format as fmt
from . import glossary, marks, narrative
from .changes import changes_html
from .page import ui
from .signals import LAGGING, legend, measure_legend
from .task_view import tasks_line
from .text import escape_text

__all__ = ["front_page", "front_title", "scorecard_rows", "scorecard_data", "method_name"]


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _e(text) -> str:
    return escape_text(text)


def method_name(method: str, lang: str = "zh") -> str:
    """A method by its name (``data/methods/methods.csv``), not its code.

    >>> method_name("cn-schedule"), method_name("eurostat", "en")
    ('序时进度（国内）', 'Eurostat')
    """
    from ..engine.methods import method_row

    row = method_row(method)
    return row["label_en" if lang == "en" else "label_zh"]


def front_title(review) -> str:
    """The review's title: plan, phase and year.

    >>> from plananalysis.context import review_context
    >>> front_title(review_context(as_of=2025, lang="en")).endswith("Final review (as of 2025)")
    True
    """
    lang = review.lang
    title = review.plan.title_in(lang)
    return _t(lang, f"{title} {review.phase_title}（截至{review.params.as_of}年）",
              f"{title} — {review.phase_title} (as of {review.params.as_of})")


def _sparkline(review, row) -> str:
    """The indicator's values on the plan's basis up to the review's year, as the apps' cards draw
    them (:func:`~plananalysis.present.marks.sparkline`)."""
    obs = review.indicator_observed(row["indicator_id"])
    obs = obs[obs["year"] <= review.params.as_of]
    target = row.get("target_value") if row.get("target_kind") == "level" else None
    return marks.sparkline(obs, target=None if fmt.is_missing(target) else float(target),
                           lang=review.lang, unit=row.get("unit", ""))


def scorecard_rows(review) -> list[dict]:
    """One dict per indicator for the front page's table (Table order), each value already text.

    >>> from plananalysis.context import review_context
    >>> rows = scorecard_rows(review_context(as_of=2023))
    >>> row = next(r for r in rows if r["indicator_id"] == "urban_new_jobs")
    >>> row["status"], row["shown"], row["latest"]
    ('快于预期（据媒体报道数据，待核实）', 'q=1.32', '116.3（2023年）')
    """
    lang, progress = review.lang, review.progress.reset_index(drop=True)
    found = review.indicator_results()
    plan_rows = review.plan.indicators.set_index("indicator_id")
    rows = []
    for i, row in progress.iterrows():
        res = found.loc[i]
        meta = plan_rows.loc[row["indicator_id"]] if row["indicator_id"] in plan_rows.index else pd.Series(dtype=object)
        unit = row["unit"]
        attribute = row.get("attribute")
        words = _t(lang, "完成目标进度", "completion") + f" {fmt.share(res['P'])}"
        if not fmt.is_missing(res["E"]):
            words += " · " + _t(lang, "序时进度", "time elapsed") + f" {fmt.share(res['E'])}"
        if res["E_note"]:
            words += _t(lang, f"（{res['E_note']}）", f" ({res['E_note']})")
        rows.append({
            "indicator_id": row["indicator_id"],
            "no": res["no"],
            "name": res["name"],
            "attribute": glossary.label("attribute", attribute, lang) if not fmt.is_missing(attribute) else "",
            "unit": glossary.unit_name(unit, lang),
            "status": res["label"], "symbol": res["symbol"], "colour": res["colour"], "tone": res["tone"],
            "shown": res["shown"], "meaning": res["meaning"],
            "latest": res["latest"],
            "target": glossary.target_wording(row["target_printed"], lang, unit),
            "bar": marks.progress_bar(res["P"], res["E"], marks.badge_colours(res["colour"], "#bdbdbd")[0],
                                      title=words),
            "bar_words": words if not fmt.is_missing(res["P"]) else "",
            "spark": _sparkline(review, {**meta.to_dict(), "indicator_id": row["indicator_id"], "unit": unit}),
            "reason": res["reason"],
            "projected": res["projected"],
        })
    return rows


def scorecard_data(review) -> pd.DataFrame:
    """The front page's table as data (its CSV): numbers as numbers, years apart.

    >>> from plananalysis.context import review_context
    >>> scorecard_data(review_context(as_of=2023, lang="en")).columns[:3].tolist()
    ['No.', 'Indicator', 'Unit']
    """
    from .tables import progress_data

    return progress_data(review.progress, review.lang, results=review.indicator_results())


def _chips(review) -> str:
    summary = narrative.status_summary(review.progress, review.lang)
    colours = dict(zip(*legend(review.params.method, review.progress["phase"].iloc[0])[["status_id", "colour"]].T.values))
    chips = []
    for row in summary.itertuples():
        background, ink = marks.badge_colours(colours.get(row.status_id, "#ffffff"))
        chips.append(f'<span class="chip" data-status="{_e(row.status_id)}" style="background:{background};'
                     f'color:{ink}">{_e(row.label)} <b>{row.count}</b></span>')
    return "".join(chips)


def _legend(review) -> str:
    lang = review.lang
    phase = review.progress["phase"].iloc[0]
    items = []
    for row in legend(review.params.method, phase, lang).itertuples():
        items.append(f"<div>{marks.status_badge(row.label, row.symbol, row.colour)}"
                     f"<span>{_e(row.rule)}</span></div>")
    measures = "".join(f"<div><b>{_e(name)}</b><span>{_e(text)}</span></div>" for name, text in measure_legend(phase, lang))
    attribute = review.plan.indicators.get("attribute", pd.Series(dtype=str)).fillna("").astype(str)
    note = ""
    if not attribute.str.strip().ne("").any():
        note = _t(lang, "规划的指标表未标注约束性与预期性，全部按预期性指标评估。",
                  "The plan's table does not mark indicators as binding or expected: all are judged as expected.")
    else:
        note = _t(lang, "约束性指标须全部完成；预期性指标的“基本完成”为完成目标进度90%以上。",
                  "Binding indicators must be met in full; for expected ones 'basically completed' is 90% or more.")
    return (f'<div class="pa-legend" id="legend">{"".join(items)}</div>'
            f'<div class="pa-legend pa-measures">{measures}</div><p class="pa-note">{_e(note)}</p>')


def _attention(review) -> str:
    lang = review.lang
    items = narrative.problems(review)
    if not items:
        return f'<p id="attention">{_e(_t(lang, "没有滞后、逆向或缺数据的指标。", "No indicator lags, moves away or lacks data."))}</p>'
    lis = []
    found = review.indicator_results()
    colours = dict(zip(found["label"], zip(found["symbol"], found["colour"])))
    for item in items:
        if item["kind"] in LAGGING:
            label, _, rest = item["text"].partition("：" if lang == "zh" else ": ")
            symbol, colour = colours.get(label, ("", "#fdae6b"))
            lis.append(f'<li class="pa-{item["kind"]}"><b>{glossary.mark_chinese(item["title"], lang)}</b> '
                       f'{marks.status_badge(label, symbol, colour)} {_e(rest)}</li>')
        else:
            lis.append(f'<li class="pa-no-data"><b>{glossary.mark_chinese(item["title"], lang)}</b>'
                       f'{"：" if lang == "zh" else ": "}{_e(item["text"])}</li>')
    return f'<ul class="pa-attention" id="attention">{"".join(lis)}</ul>'


def _table(review, rows: list[dict]) -> str:
    lang = review.lang
    has_attribute = any(r["attribute"] for r in rows)
    final = review.params.phase == "final"
    heads = [("no", _t(lang, "序号", "No."), "pa-nowrap pa-num"), ("name", _t(lang, "指标", "Indicator"), "pa-name")]
    if has_attribute:
        heads.append(("attribute", _t(lang, "属性", "Type"), ""))
    heads += [("status", _t(lang, "评估结论", "Status"), ""),
              ("latest", _t(lang, "最新值（年份）", "Latest (year)"), "pa-nowrap"),
              ("target", _t(lang, f"{review.plan.target_year}年目标", f"{review.plan.target_year} target"), ""),
              ("unit", _t(lang, "单位", "Unit"), ""),
              ("bar", _t(lang, "完成进度", "Progress"), ""),
              ("spark", _t(lang, "走势", "Trend"), "pa-minor")]
    if not final:
        heads.append(("projected", _t(lang, f"预计{review.plan.target_year}年", f"Projected {review.plan.target_year}"), "pa-minor"))
    heads.append(("reason", _t(lang, "依据", "Reason"), "pa-minor"))
    thead = "".join(f'<th class="{cls}">{_e(h)}</th>' for _, h, cls in heads)
    body = []
    for r in rows:
        cells = []
        for key, header, cls in heads:
            if key == "status":
                value = marks.status_badge(r["status"], r["symbol"], r["colour"], r["shown"], title=r["meaning"])
            elif key == "bar":
                value = r["bar"] + (f'<div class="pa-bar-label">{_e(r["bar_words"])}</div>' if r["bar_words"] else "")
            elif key == "spark":
                value = r["spark"]
            elif key == "name":
                value = glossary.mark_chinese(r["name"], lang)
            else:
                value = _e(r[key] or fmt.MISSING)
            label = f' data-label="{_e(header)}{"：" if lang == "zh" else ": "}"' if key not in ("name", "no") else ""
            empty = " pa-empty" if not value or value == fmt.MISSING and key in ("bar", "spark") else ""
            shown_cls = cls
            if key == "reason" and r["tone"] == "no_data":   # a phone card says why there is no verdict
                shown_cls = ""
            cells.append(f'<td class="{shown_cls}{empty}"{label}>{value}</td>')
        body.append(f'<tr data-indicator="{_e(r["indicator_id"])}" data-tone="{_e(r["tone"])}">{"".join(cells)}</tr>')
    return (f'<div class="pa-output" id="scorecard" data-table="indicators"><table class="pa-scorecard pa-cards"><thead><tr>{thead}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def front_page(review, links: list[tuple[str, str, bool]], *, failures: list[tuple[str, str]] = (),
               csv_href: str = "", workbook: str = "scorecard.xlsx", today: date | None = None) -> str:
    """The front page's body (HTML) for ``review``.

    ``links``: ``(href, title, failed)`` per report; ``failures``: ``(name, error)`` of the reports
    that failed (a banner at the top); ``csv_href``: the table's CSV; ``workbook``: the Excel file.

    >>> from plananalysis.context import review_context
    >>> body = front_page(review_context(as_of=2025, lang="en"), [("overview.html", "Overview", True)],
    ...                   failures=[("overview", "KeyError")])
    >>> 'id="pa-error"' in body, "✗ failed" in body, "Projected" in body
    (True, True, False)
    """
    lang = review.lang
    params = review.params
    region = glossary.region_name(review.plan, params.region, lang)
    banner = ""
    if failures:
        items = "".join(f"<li>{_e(name)}: {_e(error)}</li>" for name, error in failures)
        banner = (f'<div class="pa-banner" id="pa-error"><strong>{_e(ui("some_failed", lang))}</strong>'
                  f"<ul>{items}</ul></div>")
    meta = (f'{_e(_t(lang, "评估方法", "Method"))}：{_e(method_name(params.method, lang))} · '
            f'{_e(_t(lang, "地区", "Region"))}：{_e(region)} · '
            f'{_e(_t(lang, "生成日期", "Generated"))}：{(today or date.today()).isoformat()}')
    if lang == "en":
        meta = meta.replace("：", ": ")
    rows = scorecard_rows(review)
    link_items = "".join(
        f'<li><a href="{_e(href)}">{glossary.mark_chinese(title, lang)}</a>'
        + (f' <span class="failed">{_e(ui("run_failed", lang))}</span>' if failed else "") + "</li>"
        for href, title, failed in links)
    link_items += (f'<li><a href="{_e(workbook)}">{_e(_t(lang, "指标一览表（Excel）", "Scorecard workbook (Excel)"))}</a>'
                   f" <small>{_e(workbook)}</small></li>")
    data_link = (f'<p class="pa-data"><a href="{_e(csv_href)}" download>{_e(ui("data", lang))}</a></p>'
                 if csv_href else "")
    doc = review.plan.sources.get("document", {}) or {}
    source = ""
    if doc.get("title"):
        said = [glossary.pick(doc.get("publisher", ""), lang), str(doc.get("issued", "") or "")]
        said = [_e(x) for x in said if x]
        source = (f'{_e(_t(lang, "规划文本", "The plan"))}{_t(lang, "：", ": ")}{glossary.mark_chinese(doc["title"], lang)}'
                  + (_t(lang, f"（{'，'.join(said)}）", f" ({', '.join(said)})") if said else "")
                  + _t(lang, "；", "; "))
    source += _e(_t(lang, "每个观测值的来源见“数据审计”报告与 scorecard.xlsx。缺失数据记为“无数据”，不以零计，也不插值。",
                    "the source of every observed value is in the data audit and scorecard.xlsx. "
                    "Missing data is 'no data': never zero, never interpolated."))
    return (f"<header><h1>{_e(front_title(review))}</h1><p class=\"pa-meta\">{meta}</p></header>{banner}"
            f'<p class="pa-headline" id="headline">{_e(narrative.headline(review))}</p>'
            f'<h2>{_e(_t(lang, f"评估结论（{len(review.progress)}项）", f"Verdicts ({len(review.progress)})"))}</h2>'
            f'<div id="status-counts">{_chips(review)}</div>{_legend(review)}'
            f'{tasks_line(review)}'
            f'<h2>{_e(_t(lang, "需要关注", "Needs attention"))}</h2>{_attention(review)}'
            f'<h2>{_e(_t(lang, "主要指标一览", "Headline indicators"))}</h2>{_table(review, rows)}{data_link}'
            f'{changes_html(review, review.changes)}'
            f'<h2>{_e(_t(lang, "报告", "Reports"))}</h2><ul class="pa-links" id="report-links">{link_items}</ul>'
            f"<footer><p>{source}</p></footer>")
