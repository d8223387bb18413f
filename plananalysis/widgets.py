"""The leaders' apps: 指标总览 (scorecard), 指标详情 (indicator explorer), 情景推演 (scenarios).

Each app is a small class holding an ipywidgets tree (``app.widget``); the notebooks in
``notebooks/apps/`` only build one and display it (``plananalysis app`` serves them with
Voilà).  Everything an app shows is computed by pure functions that take the package's
frames and return plain data or HTML, so the tests check the numbers without a browser:

- :func:`scorecard_cards` — one dict per indicator (latest value, target, completion, status);
- :func:`status_count_items`, :func:`filter_cards`, :func:`card_html`;
- :func:`verdict_items`, :func:`method_verdicts`, :func:`observation_rows`, :func:`data_needed`;
- :func:`scenario_outcome` — an assumed annual change → the projected value, the verdict.

Charts are :mod:`plananalysis.charts` drawn to static SVG on the server (no CDN, no
JavaScript chart library in the page).  Widgets carry CSS classes (``pa-…``) for the
browser tests.  Chinese is the default; ``lang="en"`` switches every label.

>>> cards = scorecard_cards(assessment(2023), lang="zh")
>>> len(cards), cards[2]["indicator_id"], cards[2]["latest"], cards[2]["status_label"]
(25, 'urbanisation_rate', '74.2', '快于预期')
"""

from __future__ import annotations

import html
import math
import os
from functools import lru_cache
from urllib.parse import parse_qs, urlencode

import pandas as pd

from . import methods as _methods

__all__ = [
    "LANGS", "METHODS", "ui", "app_data", "assessment", "as_of_options",
    "scorecard_cards", "filter_cards", "status_count_items", "card_html", "scorecard_html",
    "explorer_choices", "verdict_items", "method_verdicts", "observation_rows", "data_needed",
    "scenario_trend", "scenario_outcome",
    "ScorecardApp", "ExplorerApp", "ScenariosApp",
    "scorecard_app", "explorer_app", "scenarios_app", "request_query",
]

LANGS = ("zh", "en")
METHODS = _methods.METHODS
#: method id → (Chinese, English) name shown on the method selector
METHOD_NAMES = {
    "cn-schedule": ("序时进度（国内）", "Schedule (China)"),
    "eurostat": ("Eurostat", "Eurostat"),
    "open-sdg": ("Open SDG", "Open SDG"),
    "sdsn": ("SDSN", "SDSN"),
}

_UI = {
    "lang": ("语言", "Language"),
    "as_of": ("评估时点", "As of"),
    "as_of_2023": ("2023年（中期评估）", "2023 (mid-term review)"),
    "as_of_2025": ("2025年（终期评估）", "2025 (final review)"),
    "as_of_latest": ("最新数据年份（{year}年）", "Latest data year ({year})"),
    "category": ("类别", "Category"),
    "chapter": ("章节", "Chapter"),
    "status": ("状态", "Status"),
    "all": ("全部", "All"),
    "method": ("评估方法", "Method"),
    "indicator": ("指标", "Indicator"),
    "scorecard_title": ("浙江省社会发展“十四五”规划 · 指标总览",
                        "Zhejiang social development, 14th Five-Year Plan · Scorecard"),
    "explorer_title": ("指标详情", "Indicator explorer"),
    "scenarios_title": ("情景推演：到2025年能否完成目标？", "Scenarios: will the 2025 target be met?"),
    "latest": ("最新值", "Latest"),
    "target": ("目标", "Target"),
    "year_suffix": ("年", ""),
    "no_data": ("暂无规划口径数据", "No data on the plan's basis"),
    "completion": ("完成目标进度", "Completion"),
    "schedule": ("序时进度", "Schedule"),
    "shown": ("显示 {n} / {total} 项指标", "Showing {n} of {total} indicators"),
    "open_explorer": ("点击指标卡查看详情", "Click a card to open the indicator"),
    "reason": ("判断依据", "Why"),
    "numbers": ("判断所依据的数字", "The numbers behind the verdict"),
    "methods_table": ("四种方法的判断", "The verdict under each method"),
    "observations": ("全部观测值及来源", "Every observed value and its source"),
    "year": ("年份", "Year"),
    "value": ("数值", "Value"),
    "qualifier": ("标注", "Qualifier"),
    "series": ("口径", "Series"),
    "source": ("来源", "Source"),
    "quality": ("来源类型", "Source type"),
    "series_plan": ("规划口径", "plan basis"),
    "not_compared": ("（其他口径，不与目标比较）", " (other basis: not compared with the target)"),
    "needed": ("需要的数据", "Data needed"),
    "catalogue_target": ("规划正文目标", "Target in the plan's text"),
    "restates": ("即表2第{no}项指标“{name}”", "the same as Table 2 row {no}, “{name}”"),
    "group": ("指标组", "Group"),
    "assumed_change": ("假设年均变化", "Assumed change a year"),
    "assumed_flow": ("假设每年新增", "Assumed yearly amount"),
    "assumed_growth": ("假设年增长率（%）", "Assumed growth a year (%)"),
    "reset": ("恢复实际趋势", "Reset to observed trend"),
    "projected": ("2025年预计", "Projected 2025"),
    "required_pace": ("所需年均变化", "Pace required a year"),
    "observed_trend": ("实际趋势", "Observed trend"),
    "verdict_2025": ("按此假设的终期判断", "Verdict it would get"),
    "cannot_project": ("无法推演：", "Cannot project: "),
    "constraint": ("约束类目标（无进度路径）", "Constraint target (no path)"),
    "start": ("推演起点（用该年及以前的数据）", "Start from (data up to)"),
}

_QUALIFIERS = {"": ("", ""), "≈": ("约数", "rounded"), ">": ("以上（下限）", "lower bound"),
               "<": ("以下（上限）", "upper bound")}


def ui(key: str, lang: str = "zh", **values) -> str:
    """A user-interface string in ``lang`` (``zh`` default, ``en``).

    >>> ui("target"), ui("target", "en"), ui("as_of_latest", "en", year=2024)
    ('目标', 'Target', 'Latest data year (2024)')
    """
    text = _UI[key][0 if lang == "zh" else 1]
    return text.format(**values) if values else text


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _isnan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _fmt(value, digits: int = 2) -> str:
    """A number without trailing zeros: 74.2, 116.3, 1.83, 400.

    >>> _fmt(74.2), _fmt(400.0), _fmt(1.8333333), _fmt(float("nan"))
    ('74.2', '400', '1.83', '—')
    """
    if _isnan(value):
        return "—"
    text = f"{float(value):,.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pct(share) -> str:
    return "—" if _isnan(share) else f"{share * 100:.1f}%".replace(".0%", "%")


# ------------------------------------------------------------------------------------ data

@lru_cache(maxsize=1)
def app_data():
    """``(plan, observed)``: the plan and the observed values, loaded once per kernel."""
    from .observed import load_observed
    from .plan import load_plan

    return load_plan(), load_observed()


@lru_cache(maxsize=32)
def assessment(as_of: int, method: str = "cn-schedule") -> pd.DataFrame:
    """The progress table for ``as_of`` and ``method`` (cached; do not modify it)."""
    from .progress import assess

    plan, observed = app_data()
    return assess(plan, observed, as_of=int(as_of), method=method)


def latest_data_year(observed: pd.DataFrame | None = None) -> int:
    """The latest year with a value on the plan's basis."""
    observed = app_data()[1] if observed is None else observed
    return int(observed.loc[observed["series"] == "plan", "year"].max())


def as_of_options(lang: str = "zh", latest: int | None = None) -> list[tuple[str, int]]:
    """The ``as_of`` choices: 2023 mid-term, 2025 final, the latest data year.

    >>> as_of_options("en", latest=2024)
    [('2023 (mid-term review)', 2023), ('2025 (final review)', 2025), ('Latest data year (2024)', 2024)]
    """
    latest = latest_data_year() if latest is None else latest
    options = [(ui("as_of_2023", lang), 2023), (ui("as_of_2025", lang), 2025)]
    if latest not in (2023, 2025):
        options.append((ui("as_of_latest", lang, year=latest), latest))
    return options


@lru_cache(maxsize=8)
def _status_table(method: str, phase: str) -> pd.DataFrame:
    return _methods.status_labels(method, phase)


def _status_style(method: str, phase: str, status_id: str) -> dict:
    table = _status_table(method, phase)
    row = table[table["status_id"] == status_id]
    if row.empty:
        return {"colour": "#bdbdbd", "symbol": "", "order": 99, "label_zh": status_id, "label_en": status_id}
    row = row.iloc[0]
    return {"colour": row["colour"], "symbol": row["symbol"], "order": int(row["order"]),
            "label_zh": row["label_zh"], "label_en": row["label_en"]}


def _text_on(colour: str) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return "#ffffff" if (0.299 * r + 0.587 * g + 0.114 * b) < 140 else "#1a1a1a"


def _chapter_titles(plan, lang: str) -> dict[int, str]:
    chapters = plan.chapters
    column = "title_zh" if lang == "zh" else "title_en"
    return {int(r.chapter): (f"第{r.numeral}章 {r[column]}" if lang == "zh" else f"Ch. {r.chapter} {r[column]}")
            for _, r in chapters.iterrows()}


# ------------------------------------------------------------------------------- scorecard

def scorecard_cards(progress_table: pd.DataFrame, lang: str = "zh", plan=None) -> list[dict]:
    """One dict per indicator for the scorecard, in Table 2 order.

    Keys: ``indicator_id, no, name, category, chapter, chapter_title, unit, latest (text),
    latest_value, latest_year, qualifier, target, completion (0–1 or None), elapsed (0–1 or
    None), status_id, status_label, colour, symbol, order, reason, has_data``.

    >>> card = scorecard_cards(assessment(2023), "en")[0]
    >>> card["name"], card["latest"], card["latest_year"], card["status_label"]
    ('New urban jobs', '116.3', 2023, 'Ahead of schedule')
    >>> round(card["completion"], 4)   # 116.3 (2023 only) / 400 = 0.29075
    0.2908
    """
    plan = app_data()[0] if plan is None else plan
    info = plan.indicators.set_index("indicator_id")
    chapters = _chapter_titles(plan, lang)
    cards = []
    for row in progress_table.itertuples(index=False):
        style = _status_style(row.method, row.phase, row.status_id)
        meta = info.loc[row.indicator_id]
        has_data = row.status_id not in ("no_data", "not_available") and not _isnan(row.latest_year)
        completion = None if _isnan(row.completion_share) else float(row.completion_share)
        elapsed = None if _isnan(row.elapsed_share) else float(row.elapsed_share)
        cards.append({
            "indicator_id": row.indicator_id,
            "no": int(row.no),
            "name": row.name_zh if lang == "zh" else row.name_en,
            "category": meta["category_zh"] if lang == "zh" else meta["category_en"],
            "chapter": int(meta["chapter"]),
            "chapter_title": chapters.get(int(meta["chapter"]), str(meta["chapter"])),
            "unit": row.unit if isinstance(row.unit, str) else "",
            "latest": _fmt(row.latest_value) if has_data else "",
            "latest_value": None if _isnan(row.latest_value) else float(row.latest_value),
            "latest_year": None if _isnan(row.latest_year) else int(row.latest_year),
            "qualifier": row.latest_qualifier if isinstance(row.latest_qualifier, str) else "",
            "target": row.target_printed,
            "completion": completion,
            "elapsed": elapsed,
            "status_id": row.status_id,
            "status_label": style["label_zh"] if lang == "zh" else style["label_en"],
            "colour": style["colour"],
            "symbol": style["symbol"],
            "order": style["order"],
            "reason": row.reason_zh if lang == "zh" else row.reason_en,
            "has_data": has_data,
        })
    return cards


def filter_cards(cards: list[dict], category: str | None = None, chapter: int | None = None,
                 status: str | None = None) -> list[dict]:
    """The cards matching every filter given (``None`` = all).

    >>> cards = [{"category": "A", "chapter": 4, "status_id": "ahead"},
    ...          {"category": "B", "chapter": 4, "status_id": "behind"}]
    >>> len(filter_cards(cards, chapter=4)), filter_cards(cards, status="behind")[0]["category"]
    (2, 'B')
    """
    return [c for c in cards
            if (category is None or c["category"] == category)
            and (chapter is None or c["chapter"] == chapter)
            and (status is None or c["status_id"] == status)]


def status_count_items(cards: list[dict]) -> list[dict]:
    """``[{status_id, label, colour, symbol, count}]`` best status first (only those present).

    >>> items = status_count_items(scorecard_cards(assessment(2023)))
    >>> [(i["label"], i["count"]) for i in items][:2]
    [('提前实现', 4), ('快于预期', 5)]
    >>> sum(i["count"] for i in items)
    25
    """
    counts: dict[str, dict] = {}
    for card in cards:
        item = counts.setdefault(card["status_id"], {
            "status_id": card["status_id"], "label": card["status_label"], "colour": card["colour"],
            "symbol": card["symbol"], "order": card["order"], "count": 0})
        item["count"] += 1
    return sorted(counts.values(), key=lambda i: i["order"])


def _sparkline_svg(indicator_id: str, lang: str) -> str:
    return _sparklines(lang).get(indicator_id, "")


@lru_cache(maxsize=2)
def _sparklines(lang: str) -> dict[str, str]:
    """Sparkline SVG per indicator with plan-basis data (drawn once per kernel)."""
    from . import charts

    plan, observed = app_data()
    out = {}
    for row in plan.indicators.itertuples():
        rows = observed[(observed["indicator_id"] == row.indicator_id) & (observed["series"] == "plan")]
        if len(rows) >= 1:
            target = None if _isnan(row.target_value) or row.target_kind != "level" else float(row.target_value)
            out[row.indicator_id] = charts.to_svg(charts.sparkline(rows, target=target, lang=lang))
    return out


def _progress_bar(card: dict, lang: str) -> str:
    if card["completion"] is None:
        return ""
    done = max(0.0, min(card["completion"], 1.0)) * 100
    tick = "" if card["elapsed"] is None else (
        f'<i class="pa-tick" style="left:{max(0.0, min(card["elapsed"], 1.0)) * 100:.1f}%" '
        f'title="{_esc(ui("schedule", lang))} {_pct(card["elapsed"])}"></i>')
    return (f'<div class="pa-bar" title="{_esc(ui("completion", lang))} {_pct(card["completion"])}">'
            f'<div class="pa-bar-fill" style="width:{done:.1f}%;background:{card["colour"]}"></div>{tick}</div>'
            f'<div class="pa-bar-label">{_esc(ui("completion", lang))} {_pct(card["completion"])}'
            + ("" if card["elapsed"] is None else f' · {_esc(ui("schedule", lang))} {_pct(card["elapsed"])}')
            + "</div>")


def card_html(card: dict, lang: str = "zh", as_of: int = 2023, sparkline: str = "") -> str:
    """One card: a link to the explorer with the indicator, language and ``as_of``.

    >>> card = scorecard_cards(assessment(2023))[2]
    >>> page = card_html(card, lang="zh", as_of=2023)
    >>> 'href="explorer.ipynb?indicator=urbanisation_rate&amp;lang=zh&amp;as_of=2023"' in page
    True
    >>> "↑ 快于预期" in page, "75左右" in page
    (True, True)
    """
    query = urlencode({"indicator": card["indicator_id"], "lang": lang, "as_of": as_of})
    border = card["colour"] if card["colour"].lower() != "#ffffff" else "#bdbdbd"
    if card["has_data"]:
        year = f'{card["latest_year"]}{ui("year_suffix", lang)}'
        value = (f'<div class="pa-value">{_esc(card["qualifier"])}{_esc(card["latest"])}'
                 f' <small>{_esc(card["unit"])}</small> <span class="pa-year">{"（" if lang == "zh" else "("}'
                 f'{_esc(year)}{"）" if lang == "zh" else ")"}</span></div>')
    else:
        value = f'<div class="pa-value pa-missing">{_esc(ui("no_data", lang))}</div>'
    return (
        f'<a class="pa-card" data-indicator="{_esc(card["indicator_id"])}" data-status="{_esc(card["status_id"])}" '
        f'href="explorer.ipynb?{_esc(query)}" target="_self" style="border-left-color:{border}" '
        f'title="{_esc(card["reason"])}">'
        f'<div class="pa-card-head"><span class="pa-no">{card["no"]}</span>'
        f'<span class="pa-name">{_esc(card["name"])}</span></div>'
        f'<div class="pa-status" style="background:{border};color:{_text_on(border)}">'
        f'{_esc(card["symbol"])} {_esc(card["status_label"])}</div>'
        f'{value}<div class="pa-target">{_esc(ui("target", lang))}：{_esc(card["target"])}</div>'
        f'{_progress_bar(card, lang)}<div class="pa-spark">{sparkline}</div></a>')


_CSS = """<style>
.pa-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:10px;}
.pa-card{display:block;border:1px solid #ddd;border-left:6px solid #bdbdbd;border-radius:6px;padding:8px 10px;
 color:#1a1a1a;text-decoration:none;background:#fff;}
.pa-card:hover{box-shadow:0 2px 6px rgba(0,0,0,.2);}
.pa-card-head{font-weight:600;font-size:14px;min-height:2.4em;}
.pa-no{display:inline-block;min-width:1.6em;color:#666;}
.pa-status{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;margin:3px 0;}
.pa-value{font-size:20px;font-weight:600;}.pa-value small{font-size:12px;font-weight:400;}
.pa-year{font-size:12px;color:#666;font-weight:400;}.pa-missing{font-size:14px;color:#999;}
.pa-target{font-size:12px;color:#444;}
.pa-bar{position:relative;height:8px;background:#eee;border-radius:4px;margin-top:4px;}
.pa-bar-fill{height:8px;border-radius:4px;}
.pa-tick{position:absolute;top:-3px;width:2px;height:14px;background:#333;}
.pa-bar-label{font-size:11px;color:#555;}
.pa-counts span.pa-chip{display:inline-block;border-radius:12px;padding:2px 10px;margin:2px 4px 2px 0;font-size:13px;}
.pa-table{border-collapse:collapse;font-size:13px;}.pa-table td,.pa-table th{border-bottom:1px solid #e5e5e5;padding:3px 8px;text-align:left;vertical-align:top;}
.pa-reason{font-size:15px;margin:6px 0;padding:6px 10px;background:#f6f6f6;border-radius:4px;}
.pa-current{background:#fff7d6;}
.pa-note{color:#555;font-size:13px;}
</style>"""


def scorecard_html(cards: list[dict], lang: str = "zh", as_of: int = 2023) -> str:
    """The card grid (with its stylesheet).

    Each card is :func:`card_html` with a sparkline of the indicator (an SVG drawn on the
    server); with no cards, the grid is empty:

    >>> scorecard_html([]).endswith('<div class="pa-grid"></div>')
    True
    """
    return _CSS + '<div class="pa-grid">' + "".join(
        card_html(c, lang, as_of, _sparkline_svg(c["indicator_id"], lang)) for c in cards) + "</div>"


def counts_html(cards: list[dict], lang: str = "zh", total: int = 25) -> str:
    chips = "".join(
        f'<span class="pa-chip" data-status="{_esc(i["status_id"])}" style="background:{i["colour"] if i["colour"].lower() != "#ffffff" else "#eeeeee"};'
        f'color:{_text_on(i["colour"] if i["colour"].lower() != "#ffffff" else "#eeeeee")}">'
        f'{_esc(i["symbol"])} {_esc(i["label"])} <b class="pa-count">{i["count"]}</b></span>'
        for i in status_count_items(cards))
    return (f'{_CSS}<div class="pa-counts">{chips}</div>'
            f'<div class="pa-note"><span class="pa-shown">{_esc(ui("shown", lang, n=len(cards), total=total))}</span>'
            f' · {_esc(ui("open_explorer", lang))}</div>')


# -------------------------------------------------------------------------------- explorer

def explorer_choices(plan=None, lang: str = "zh") -> list[tuple[str, str]]:
    """``(label, key)`` for the selector: the 25 indicators, then the catalogue targets
    (``target:<target_id>``) that are not a restatement of an indicator.

    >>> choices = explorer_choices()
    >>> choices[2]
    ('3. 常住人口城镇化率', 'urbanisation_rate')
    >>> choices[25]
    ('正文 ch02-t01 五年新增城镇就业人数（400万人）', 'target:ch02-t01')
    """
    plan = app_data()[0] if plan is None else plan
    name = "name_zh" if lang == "zh" else "name_en"
    choices = [(f"{r.no}. {getattr(r, name)}", r.indicator_id) for r in plan.indicators.itertuples()]
    subject = "subject_zh" if lang == "zh" else "subject_en"
    prefix = "正文" if lang == "zh" else "Text"
    for r in plan.targets.itertuples():
        choices.append((f"{prefix} {r.target_id} {getattr(r, subject)}（{r.target_text}）"
                        if lang == "zh" else f"{prefix} {r.target_id} {getattr(r, subject)} ({r.target_text})",
                        f"target:{r.target_id}"))
    return choices


def verdict_items(row, lang: str = "zh") -> list[tuple[str, str]]:
    """``(label, value)`` pairs: the numbers the verdict rests on (those defined for the row).

    >>> items = dict(verdict_items(assessment(2023).iloc[2], "en"))
    >>> items["Base value"], items["Latest value"], items["Elapsed share E"], items["Completion share P"]
    ('71 (2020)', '74.2 (2023)', '60%', '80%')
    """
    from .progress import COLUMN_LABELS_ZH

    en = {"base_value": "Base value", "latest_value": "Latest value", "target_value": "Target",
          "elapsed_share": "Elapsed share E", "completion_share": "Completion share P",
          "pace_ratio": "Pace ratio q = P/E", "realised_rate": "Realised change a year",
          "required_rate": "Required change a year", "remaining_rate": "Required for the remaining years",
          "projection_linear": "Linear projection to the target year", "method_value": "Method measure"}
    items = []
    for column in en:
        value = row[column]
        if _isnan(value):
            continue
        label = COLUMN_LABELS_ZH.get(column, column) if lang == "zh" else en[column]
        if column == "method_value" and isinstance(row["method_measure"], str):
            label = f"{label} {row['method_measure']}"
        if column in ("elapsed_share", "completion_share"):
            text = _pct(value)
        elif column in ("pace_ratio", "method_value"):
            text = _fmt(value, 3)
        elif column == "base_value":
            text = f"{_fmt(value)} ({int(row['base_year'])})"
        elif column == "latest_value":
            text = f"{row['latest_qualifier'] or ''}{_fmt(value)} ({int(row['latest_year'])})"
        elif column == "target_value":
            text = f"{row['target_printed']} ({int(row['target_year'])})"
        else:
            text = f"{_fmt(value, 3)}"
        items.append((label, text))
    return items


def method_verdicts(indicator_id: str, as_of: int, lang: str = "zh") -> list[dict]:
    """The verdict of each of the four methods for one indicator: ``[{method, name, status_id,
    label, colour, measure, value, reason}]``.

    >>> [(v["method"], v["label"]) for v in method_verdicts("urbanisation_rate", 2023)]
    [('cn-schedule', '快于预期'), ('eurostat', '显著进展'), ('open-sdg', '显著进展'), ('sdsn', '按期实现或保持达标')]
    """
    out = []
    for method in METHODS:
        table = assessment(as_of, method)
        row = table[table["indicator_id"] == indicator_id].iloc[0]
        style = _status_style(method, row["phase"], row["status_id"])
        out.append({"method": method, "name": METHOD_NAMES[method][0 if lang == "zh" else 1],
                    "status_id": row["status_id"],
                    "label": style["label_zh"] if lang == "zh" else style["label_en"],
                    "colour": style["colour"], "symbol": style["symbol"],
                    "measure": row["method_measure"] if isinstance(row["method_measure"], str) else "",
                    "value": None if _isnan(row["method_value"]) else float(row["method_value"]),
                    "reason": row["reason_zh"] if lang == "zh" else row["reason_en"]})
    return out


def observation_rows(observed: pd.DataFrame, indicator_id: str, lang: str = "zh") -> list[dict]:
    """Every observed value of one indicator, oldest first, with its source and qualifier.

    >>> from plananalysis.observed import load_observed
    >>> rows = observation_rows(load_observed(), "urbanisation_rate")
    >>> [(r["year"], r["value"]) for r in rows][:3]
    [(2021, '72.7'), (2022, '73.4'), (2023, '74.2')]
    """
    rows = observed[observed["indicator_id"] == indicator_id].sort_values(["series", "year"])
    out = []
    for r in rows.itertuples():
        q = r.qualifier if isinstance(r.qualifier, str) else ""
        out.append({"year": int(r.year), "value": _fmt(r.value, 3), "unit": r.unit,
                    "qualifier": q, "qualifier_text": _QUALIFIERS.get(q, (q, q))[0 if lang == "zh" else 1],
                    "series": r.series, "is_plan": r.series == "plan",
                    "source_title": r.source_title, "source_url": r.source_url,
                    "source_quality": r.source_quality, "is_derived": bool(r.is_derived),
                    "derivation": r.derivation if isinstance(r.derivation, str) else ""})
    return out


def data_needed(indicator, lang: str = "zh", observed: pd.DataFrame | None = None) -> str:
    """Plain words for an indicator without data: what it is and which values would be needed.

    >>> from plananalysis.plan import load_plan
    >>> print(data_needed(load_plan().indicator("talent_total"), "en"))  # doctest: +ELLIPSIS
    No data on the plan's basis. Needed: Zhejiang's “Total talent resources” (万人) on the plan's basis ...
    """
    years = f"{int(indicator['baseline_year']) + 1}–{int(indicator['target_year'])}"
    unit = indicator["unit"] if isinstance(indicator["unit"], str) else ""
    others = []
    if observed is not None:
        rows = observed[(observed["indicator_id"] == indicator["indicator_id"]) & (observed["series"] != "plan")]
        others = sorted(set(rows["series"]))
    if lang == "zh":
        text = (f"{ui('no_data', lang)}。需要：浙江省“{indicator['name_zh']}”（{unit}）"
                f"按规划口径的{years}年逐年数值（最少一年），每个数值注明来源（统计公报、统计年鉴或主管部门发布），"
                f"以便与目标“{indicator['target_printed']}”比较。")
        if others:
            text += f"已有其他口径数据（{'、'.join(others)}），不与目标比较。"
        text += "可用 plananalysis data import 导入。"
    else:
        text = (f"{ui('no_data', lang)}. Needed: Zhejiang's “{indicator['name_en']}” ({unit}) on the plan's basis "
                f"for any of {years} (one year at least), each value with its source (statistical communiqué, "
                f"yearbook or the responsible department), to compare with the target “{indicator['target_printed']}”.")
        if others:
            text += f" Values on another basis exist ({', '.join(others)}); they are not compared with the target."
        text += " Import them with `plananalysis data import`."
    return text


# ------------------------------------------------------------------------------- scenarios

def _slider_kind(rule: str) -> str:
    return {"cumulative_sum": "flow", "avg_growth": "growth"}.get(rule, "change")


def scenario_trend(row) -> float | None:
    """The observed trend an app slider starts from (``realised_rate`` of the progress row:
    change a year, yearly amount for five-year sums, or mean growth % for growth targets).

    >>> row = assessment(2023).set_index("indicator_id").loc["urbanisation_rate"]
    >>> round(scenario_trend(row), 2)  # (74.2 - 71) / 3 years
    1.07
    """
    value = row["realised_rate"]
    return None if _isnan(value) else float(value)


def scenario_outcome(indicator_id: str, annual: float, start_year: int | None = None,
                     method: str = "cn-schedule", observed: pd.DataFrame | None = None) -> dict:
    """What the target year would look like if the indicator moved by ``annual`` a year from
    its latest value at or before ``start_year`` (default: the year before the target year;
    later values are set aside): the years after it are filled in and the progress engine
    judges them as in the final review.

    Returns ``{latest_year, latest_value, kind, projected (value at the target year, or the
    five-year sum, or the mean growth), target, target_year, required (pace still needed a
    year), is_met, status_id, status_zh, status_en, reason_zh, reason_en, colour}``.

    >>> out = scenario_outcome("urbanisation_rate", 0.5)   # 75.5 (2024) + 0.5 → 76.0 in 2025
    >>> out["projected"], out["status_id"], out["is_met"]
    (76.0, 'exceeded', True)
    >>> scenario_outcome("urbanisation_rate", -1.0)["status_id"]   # 74.5: P = 3.5/4 = 0.875
    'not_completed'
    """
    from .progress import assess

    start = (_scenario_start(indicator_id, start_year, method) if observed is None
             else _scenario_start.__wrapped__(indicator_id, start_year, method, observed))
    if start is None:
        return {"status_id": "no_data"}
    spec, rows, latest, now, target_year = start
    t, y = int(latest["year"]), float(latest["value"])
    kind = _slider_kind(now["rule"])
    future = []
    for year in range(t + 1, target_year + 1):
        value = y + annual * (year - t) if kind == "change" else annual
        future.append({**latest.to_dict(), "year": year, "value": value, "qualifier": "",
                       "source_title": "scenario", "source_url": "", "is_derived": True})
    frame = pd.concat([rows, pd.DataFrame(future)], ignore_index=True) if future else rows
    final = assess(spec, frame, as_of=target_year, method=method).iloc[0]
    if kind == "flow":
        projected = float(frame[frame["year"] > int(spec.iloc[0]["baseline_year"])]["value"].sum())
    elif kind == "growth":
        projected = float(final["realised_rate"]) if not _isnan(final["realised_rate"]) else annual
    else:
        projected = float(frame.sort_values("year").iloc[-1]["value"])
    style = _status_style(method, final["phase"], final["status_id"])
    required = now["remaining_rate"] if not _isnan(now["remaining_rate"]) else now["required_rate"]
    return {"latest_year": t, "latest_value": y, "kind": kind, "annual": annual,
            "projected": round(projected, 6), "target": final["target_printed"], "target_year": target_year,
            "required": None if _isnan(required) else float(required),
            "trend": scenario_trend(now),
            "is_met": bool(final["is_target_met"]) if not _isnan(final["is_target_met"]) else False,
            "status_id": final["status_id"], "status_zh": style["label_zh"], "status_en": style["label_en"],
            "colour": style["colour"], "reason_zh": final["reason_zh"], "reason_en": final["reason_en"],
            "progress_row": final}


@lru_cache(maxsize=256)
def _scenario_start(indicator_id: str, start_year: int | None, method: str,
                    observed: pd.DataFrame | None = None):
    """What a scenario starts from, which no slider move changes: the indicator's spec, its
    plan rows up to ``start_year``, the latest of them, its progress row as of that year
    and the target year; ``None`` without data. Cached for the app's data (slider moves)."""
    from .progress import assess

    plan, all_observed = app_data()
    observed = all_observed if observed is None else observed
    spec = plan.indicators[plan.indicators["indicator_id"] == indicator_id]
    target_year = int(spec.iloc[0]["target_year"])
    start_year = target_year - 1 if start_year is None else int(start_year)
    rows = observed[(observed["indicator_id"] == indicator_id) & (observed["series"] == "plan")
                    & (observed["year"] <= start_year)]
    if rows.empty:
        return None
    latest = rows.sort_values("year").iloc[-1]
    now = assess(spec, rows, as_of=int(latest["year"]), method=method).iloc[0]
    return spec, rows, latest, now, target_year


# ------------------------------------------------------------------------------- the apps

def request_query() -> str:
    """The page address's query string (``indicator=…&lang=en``); under a preheated Voilà
    kernel this waits for the viewer's request first.

    >>> import os
    >>> os.environ["QUERY_STRING"] = "indicator=urbanisation_rate&lang=en"
    >>> request_query()
    'indicator=urbanisation_rate&lang=en'
    >>> del os.environ["QUERY_STRING"]
    """
    if os.environ.get("VOILA_PREHEAT", "False") == "True":
        from voila.utils import wait_for_request  # costs ~0.9 s: only preheated kernels pay it

        wait_for_request()
    return os.environ.get("QUERY_STRING", "")


def _query(query: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(query or "").items()}


def _widgets():
    import ipywidgets

    return ipywidgets


def _lang_toggle(value: str = "zh"):
    w = _widgets().ToggleButtons(options=[("中文", "zh"), ("English", "en")], value=value,
                                 style={"button_width": "72px"})
    w.add_class("pa-lang")
    return w


def _chart_svg(indicator_id: str, as_of: int, lang: str, progress_row=None) -> str:
    """The trajectory chart of the reports, as SVG (cached per indicator, as_of and language)."""
    if progress_row is None:
        return _trajectory_cached(indicator_id, as_of, lang)
    return _trajectory(indicator_id, lang, progress_row)


@lru_cache(maxsize=128)
def _trajectory_cached(indicator_id: str, as_of: int, lang: str) -> str:
    table = assessment(as_of)
    return _trajectory(indicator_id, lang, table[table["indicator_id"] == indicator_id].iloc[0])


def _trajectory(indicator_id: str, lang: str, progress_row, up_to: int | None = None) -> str:
    from . import charts

    plan, observed = app_data()
    rows = observed[observed["indicator_id"] == indicator_id]
    if up_to is not None:  # a scenario sets later values aside
        rows = rows[rows["year"] <= up_to]
    chart = charts.trajectory(plan.indicator(indicator_id), rows, progress_row.to_dict()
                              if hasattr(progress_row, "to_dict") else progress_row, lang=lang)
    return charts.to_svg(chart)


def _warm_in_background(lang: str, as_of: int) -> None:
    """Draw every indicator's chart in a background thread (a preheated kernel is idle while
    it waits for its viewer), so that choosing another indicator only sends a cached SVG."""
    import threading

    def warm():
        table = assessment(as_of)
        for indicator_id in table.loc[table["latest_year"].notna(), "indicator_id"]:
            try:
                _trajectory_cached(indicator_id, as_of, lang)
            except Exception:  # noqa: BLE001 - warming is best effort; the viewer's change draws it
                return

    threading.Thread(target=warm, name="plananalysis-warm-charts", daemon=True).start()


class _App:
    """Common parts: the language toggle and the ``as_of`` selector."""

    css_class = "pa-app"

    def __init__(self, lang: str = "zh", as_of: int = 2023):
        w = _widgets()
        self.lang = lang
        self.lang_toggle = _lang_toggle(lang)
        self.as_of = w.Dropdown(options=as_of_options(lang), value=as_of, description=ui("as_of", lang),
                                style={"description_width": "initial"})
        self.as_of.add_class("pa-as-of")
        self.title = w.HTML()
        self.title.add_class("pa-title")
        self.lang_toggle.observe(self._on_lang, names="value")
        self.as_of.observe(lambda change: self.refresh(), names="value")

    def _on_lang(self, change) -> None:
        self.lang = change["new"]
        value = self.as_of.value
        self.as_of.options = as_of_options(self.lang)
        self.as_of.value = value
        self.as_of.description = ui("as_of", self.lang)
        self.relabel()
        self.refresh()

    def relabel(self) -> None:  # pragma: no cover - overridden
        pass

    def refresh(self) -> None:  # pragma: no cover - overridden
        pass

    def apply_query(self, query: str) -> "_App":
        """Apply ``lang``, ``as_of`` (and, in subclasses, ``indicator``) from a query string."""
        params = _query(query)
        if params.get("as_of", "").isdigit() and int(params["as_of"]) in [v for _, v in self.as_of.options]:
            self.as_of.value = int(params["as_of"])
        if params.get("lang") in LANGS and params["lang"] != self.lang_toggle.value:
            self.lang_toggle.value = params["lang"]
        return self


class ScorecardApp(_App):
    """指标总览: status counts, filters, one card per indicator (a link to the explorer).

    ``display(ScorecardApp().widget)`` in a notebook; building it draws a sparkline per
    card (a few seconds).  Its filters are :func:`filter_cards`:

    >>> cards = scorecard_cards(assessment(2023), lang="en")
    >>> [card["indicator_id"] for card in filter_cards(cards, chapter=9)]
    ['infant_care_places_per_1000', 'care_workers_per_10k_elderly']
    """

    def __init__(self, lang: str = "zh", as_of: int = 2023):
        super().__init__(lang, as_of)
        w = _widgets()
        self.category = w.Dropdown(style={"description_width": "initial"})
        self.chapter = w.Dropdown(style={"description_width": "initial"})
        self.status = w.Dropdown(style={"description_width": "initial"})
        for name, widget in (("category", self.category), ("chapter", self.chapter), ("status", self.status)):
            widget.add_class(f"pa-{name}")
            widget.observe(lambda change: self.redraw(), names="value")
        self.counts = w.HTML()
        self.counts.add_class("pa-counts-box")
        self.grid = w.HTML()
        self.grid.add_class("pa-grid-box")
        self._busy = False
        self.relabel()
        self.refresh()
        self.widget = w.VBox([
            w.HBox([self.title, self.lang_toggle]),
            w.HBox([self.as_of, self.category, self.chapter, self.status],
                   layout=w.Layout(flex_flow="row wrap")),
            self.counts, self.grid])
        self.widget.add_class("pa-scorecard")

    def relabel(self) -> None:
        plan = app_data()[0]
        lang = self.lang
        self.title.value = f"<h2>{_esc(ui('scorecard_title', lang))}</h2>"
        self._busy = True
        try:
            cat_col = "category_zh" if lang == "zh" else "category_en"
            self.category.description = ui("category", lang)
            self.category.options = [(ui("all", lang), "")] + [
                (c, c) for c in dict.fromkeys(plan.indicators[cat_col])]
            self.category.value = ""
            titles = _chapter_titles(plan, lang)
            self.chapter.description = ui("chapter", lang)
            self.chapter.options = [(ui("all", lang), 0)] + [
                (titles[c], c) for c in sorted(set(int(x) for x in plan.indicators["chapter"]))]
            self.chapter.value = 0
            self.status.description = ui("status", lang)
        finally:
            self._busy = False

    def cards(self) -> list[dict]:
        return scorecard_cards(assessment(self.as_of.value), self.lang)

    def refresh(self) -> None:
        self._cards = self.cards()
        self._busy = True
        try:
            table = assessment(self.as_of.value)
            phase = table["phase"].iloc[0]
            labels = _status_table("cn-schedule", phase)
            current = self.status.value
            self.status.options = [(ui("all", self.lang), "")] + [
                (f"{r.symbol} {r.label_zh if self.lang == 'zh' else r.label_en}", r.status_id)
                for r in labels.itertuples()]
            self.status.value = current if current in [v for _, v in self.status.options] else ""
        finally:
            self._busy = False
        self.redraw()

    def redraw(self) -> None:
        if self._busy:
            return
        # "" / 0 is the 全部 (all) choice: a Dropdown shows no label for a None value
        shown = filter_cards(self._cards, self.category.value or None, self.chapter.value or None,
                             self.status.value or None)
        self.counts.value = counts_html(shown, self.lang, len(self._cards))
        self.grid.value = scorecard_html(shown, self.lang, self.as_of.value)


class ExplorerApp(_App):
    """指标详情: one indicator (or catalogue target) — chart, verdict numbers, methods, sources.

    ``display(ExplorerApp(indicator="urbanisation_rate").widget)`` in a notebook; building
    it draws the chart (a second or two).  The numbers beside the chart are :func:`verdict_items`:

    >>> row = assessment(2023).set_index("indicator_id").loc["urbanisation_rate"]
    >>> verdict_items(row)[:3]
    [('基期值', '71 (2020)'), ('最新值', '74.2 (2023)'), ('目标值', '75左右 (2025)')]
    """

    def __init__(self, lang: str = "zh", as_of: int = 2023, indicator: str = "urbanisation_rate"):
        super().__init__(lang, as_of)
        w = _widgets()
        self.indicator = w.Dropdown(options=explorer_choices(lang=lang), value=indicator,
                                    description=ui("indicator", lang), style={"description_width": "initial"},
                                    layout=w.Layout(width="520px"))
        self.indicator.add_class("pa-indicator")
        self.method = w.ToggleButtons(options=[(METHOD_NAMES[m][0 if lang == "zh" else 1], m) for m in METHODS],
                                      value="cn-schedule", description=ui("method", lang),
                                      style={"description_width": "initial", "button_width": "120px"})
        self.method.add_class("pa-method")
        self.heading, self.chart, self.verdict, self.methods, self.observations = (w.HTML() for _ in range(5))
        for name in ("heading", "chart", "verdict", "methods", "observations"):
            getattr(self, name).add_class(f"pa-{name}")
        self.indicator.observe(lambda change: self.refresh(), names="value")
        self.method.observe(lambda change: self.refresh(chart=False), names="value")
        self.relabel()
        self.refresh()
        self.widget = w.VBox([
            w.HBox([self.title, self.lang_toggle]),
            w.HBox([self.indicator, self.as_of], layout=w.Layout(flex_flow="row wrap")),
            self.method, self.heading,
            w.HBox([self.chart, self.verdict], layout=w.Layout(flex_flow="row wrap")),
            self.methods, self.observations])
        self.widget.add_class("pa-explorer")
        if os.environ.get("VOILA_PREHEAT", "False") == "True":
            _warm_in_background(self.lang, self.as_of.value)

    def relabel(self) -> None:
        lang = self.lang
        self.title.value = f"<h2>{_esc(ui('explorer_title', lang))}</h2>"
        value = self.indicator.value
        self.indicator.options = explorer_choices(lang=lang)
        self.indicator.value = value
        self.indicator.description = ui("indicator", lang)
        self.method.description = ui("method", lang)
        value = self.method.value
        self.method.options = [(METHOD_NAMES[m][0 if lang == "zh" else 1], m) for m in METHODS]
        self.method.value = value

    def apply_query(self, query: str) -> "ExplorerApp":
        super().apply_query(query)
        key = _query(query).get("indicator")
        if key and key in [v for _, v in self.indicator.options]:
            self.indicator.value = key
        return self

    def _indicator_id(self) -> tuple[str | None, pd.Series | None]:
        plan = app_data()[0]
        key = self.indicator.value
        if key.startswith("target:"):
            target = plan.targets[plan.targets["target_id"] == key.split(":", 1)[1]].iloc[0]
            restated = target["restates_indicator_id"]
            return (restated if isinstance(restated, str) and restated else None), target
        return key, None

    def refresh(self, chart: bool = True) -> None:
        lang, as_of, method = self.lang, self.as_of.value, self.method.value
        plan, observed = app_data()
        indicator_id, target = self._indicator_id()
        note = ""
        if target is not None:
            note = (f'<p class="pa-note">{_esc(ui("catalogue_target", lang))} {_esc(target["target_id"])}'
                    f'（第{int(target["chapter"])}章 {_esc(target["section"])}）：“{_esc(target["quote"])}”'
                    if lang == "zh" else
                    f'<p class="pa-note">{_esc(ui("catalogue_target", lang))} {_esc(target["target_id"])} '
                    f'(chapter {int(target["chapter"])}, {_esc(target["section"])}): “{_esc(target["quote"])}”')
            if indicator_id:
                row = plan.indicator(indicator_id)
                note += "，" if lang == "zh" else "; "
                note += _esc(ui("restates", lang, no=int(row["no"]),
                                name=row["name_zh"] if lang == "zh" else row["name_en"]))
            note += "</p>"
        if indicator_id is None:
            self.heading.value = (f"<h3>{_esc(target['subject_zh'] if lang == 'zh' else target['subject_en'])}"
                                  f"：{_esc(target['target_text'])}</h3>{note}")
            self.chart.value = ""
            needed = ("该目标没有可比较的观测数据。需要：与目标同口径（"
                      f"{target['unit'] if isinstance(target['unit'], str) else ''}）的浙江省逐年数值及其来源。"
                      if lang == "zh" else
                      "No observed values to compare with this target. Needed: yearly values for Zhejiang "
                      f"in the target's unit ({target['unit'] if isinstance(target['unit'], str) else ''}), "
                      "each with its source.")
            self.verdict.value = f'<div class="pa-reason pa-no-data">{_esc(needed)}</div>'
            self.methods.value = ""
            self.observations.value = ""
            return
        table = assessment(as_of, method)
        row = table[table["indicator_id"] == indicator_id].iloc[0]
        info = plan.indicator(indicator_id)
        name = info["name_zh"] if lang == "zh" else info["name_en"]
        style = _status_style(method, row["phase"], row["status_id"])
        label = style["label_zh"] if lang == "zh" else style["label_en"]
        colour = style["colour"] if style["colour"].lower() != "#ffffff" else "#bdbdbd"
        self.heading.value = (
            f'{_CSS}<h3>{int(info["no"])}. {_esc(name)} <span class="pa-status pa-verdict-badge" data-status="{_esc(row["status_id"])}" '
            f'style="background:{colour};color:{_text_on(colour)}">{_esc(style["symbol"])} {_esc(label)}</span></h3>{note}')
        reason = row["reason_zh"] if lang == "zh" else row["reason_en"]
        has_data = row["status_id"] not in ("no_data", "not_available") or not _isnan(row["latest_year"])
        if chart:
            self.chart.value = _chart_svg(indicator_id, as_of, lang)
        if not has_data:
            body = f'<div class="pa-reason pa-no-data">{_esc(data_needed(info, lang, observed))}</div>'
        else:
            body = (f'<div class="pa-reason">{_esc(ui("reason", lang))}：<span class="pa-reason-text">{_esc(reason)}</span></div>'
                    f'<table class="pa-table pa-numbers"><caption>{_esc(ui("numbers", lang))}</caption>'
                    + "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in verdict_items(row, lang))
                    + "</table>")
        self.verdict.value = body
        cells = "".join(
            f'<tr class="{"pa-current" if v["method"] == method else ""}" data-method="{v["method"]}">'
            f'<td>{_esc(v["name"])}</td><td><span class="pa-status" style="background:{v["colour"] if v["colour"].lower() != "#ffffff" else "#eeeeee"};'
            f'color:{_text_on(v["colour"] if v["colour"].lower() != "#ffffff" else "#eeeeee")}">{_esc(v["symbol"])} {_esc(v["label"])}</span></td>'
            f'<td>{_esc(v["measure"])} {_fmt(v["value"], 3) if v["value"] is not None else ""}</td></tr>'
            for v in method_verdicts(indicator_id, as_of, lang))
        self.methods.value = f'<table class="pa-table pa-method-table"><caption>{_esc(ui("methods_table", lang))}</caption>{cells}</table>'
        obs = observation_rows(observed, indicator_id, lang)
        head = "".join(f"<th>{_esc(ui(k, lang))}</th>" for k in ("year", "value", "qualifier", "series", "source", "quality"))
        body_rows = "".join(
            f'<tr class="pa-obs"><td>{o["year"]}</td><td>{_esc(o["qualifier"])}{_esc(o["value"])} {_esc(o["unit"])}</td>'
            f'<td>{_esc(o["qualifier_text"])}</td>'
            f'<td>{_esc(ui("series_plan", lang)) if o["is_plan"] else _esc(o["series"]) + _esc(ui("not_compared", lang))}</td>'
            f'<td>{_source_html(o)}</td>'
            f'<td>{_esc(o["source_quality"])}</td></tr>' for o in obs)
        self.observations.value = (f'<table class="pa-table pa-observations"><caption>{_esc(ui("observations", lang))}</caption>'
                                   f"<tr>{head}</tr>{body_rows}</table>" if obs else "")


def _source_html(obs: dict) -> str:
    """The source cell of an observation: a link (new tab) and, for a derived value, its formula."""
    title = _esc(obs["source_title"])
    text = (f'<a class="pa-source" href="{_esc(obs["source_url"])}" target="_blank" rel="noopener noreferrer">'
            f'{title}</a>') if obs["source_url"] else title
    if obs["is_derived"] and obs["derivation"]:
        text += f"<br><small>{_esc(obs['derivation'])}</small>"
    return text


class ScenariosApp(_App):
    """情景推演: a slider per indicator (assumed change a year) → projected 2025 and verdict.

    Building the app draws a chart per indicator (a few seconds); each slider shows
    :func:`scenario_outcome`, which is quick:

    >>> outcome = scenario_outcome("urbanisation_rate", 0.5)  # +0.5 a year from 75.5 (2024)
    >>> outcome["projected"], outcome["target"], outcome["status_zh"]
    (76.0, '75左右', '超额完成')
    """

    def __init__(self, lang: str = "zh", indicator: str = "urbanisation_rate"):
        super().__init__(lang, 2025)
        w = _widgets()
        self.choice = w.Dropdown(description=ui("indicator", lang), style={"description_width": "initial"},
                                 layout=w.Layout(width="420px"))
        self.choice.add_class("pa-choice")
        self.start = w.Dropdown(options=[(str(y), y) for y in range(2021, 2025)], value=2024,
                                description=ui("start", lang), style={"description_width": "initial"})
        self.start.add_class("pa-start")
        self.start.observe(lambda change: self.refresh(), names="value")
        self.rows_box = w.VBox()
        self.rows_box.add_class("pa-scenario-rows")
        self._indicator = indicator
        self.relabel()
        self.choice.observe(lambda change: self.refresh(), names="value")
        self.refresh()
        self.widget = w.VBox([w.HBox([self.title, self.lang_toggle]),
                              w.HBox([self.choice, self.start], layout=w.Layout(flex_flow="row wrap")),
                              self.rows_box])
        self.widget.add_class("pa-scenarios")

    def _choices(self) -> list[tuple[str, str]]:
        plan = app_data()[0]
        lang = self.lang
        name = "name_zh" if lang == "zh" else "name_en"
        cat = "category_zh" if lang == "zh" else "category_en"
        items = [(f"{r.no}. {getattr(r, name)}", r.indicator_id) for r in plan.indicators.itertuples()]
        groups = [(f"{ui('group', lang)}：{c}" if lang == "zh" else f"{ui('group', lang)}: {c}", f"group:{c_zh}")
                  for c, c_zh in dict.fromkeys(zip(plan.indicators[cat], plan.indicators["category_zh"]))]
        return items + groups

    def relabel(self) -> None:
        self.title.value = f"<h2>{_esc(ui('scenarios_title', self.lang))}</h2>"
        value = self.choice.value or self._indicator
        self.choice.options = self._choices()
        self.choice.value = value
        self.choice.description = ui("indicator", self.lang)
        if hasattr(self, "start"):
            self.start.description = ui("start", self.lang)

    def apply_query(self, query: str) -> "ScenariosApp":
        super().apply_query(query)
        key = _query(query).get("indicator")
        if key and key in [v for _, v in self.choice.options]:
            self.choice.value = key
        return self

    def selected_ids(self) -> list[str]:
        plan = app_data()[0]
        key = self.choice.value
        if key.startswith("group:"):
            return plan.indicators.loc[plan.indicators["category_zh"] == key.split(":", 1)[1], "indicator_id"].tolist()
        return [key]

    def refresh(self) -> None:
        ids = self.selected_ids()
        self.rows = [_ScenarioRow(i, self.lang, self.start.value, compact=len(ids) > 1) for i in ids]
        self.rows_box.children = [r.widget for r in self.rows]


class _ScenarioRow:
    """One indicator in the scenarios app: slider, reset button, outcome and chart."""

    def __init__(self, indicator_id: str, lang: str, start_year: int = 2024, compact: bool = False):
        w = _widgets()
        plan, observed = app_data()
        self.indicator_id, self.lang, self.compact, self.start_year = indicator_id, lang, compact, start_year
        info = plan.indicator(indicator_id)
        name = info["name_zh"] if lang == "zh" else info["name_en"]
        self.header = w.HTML(f'{_CSS}<h3>{int(info["no"])}. {_esc(name)}</h3>')
        self.outcome = w.HTML()
        self.outcome.add_class("pa-outcome")
        self.chart = w.HTML()
        self.chart.add_class("pa-scenario-chart")
        start = scenario_outcome(indicator_id, 0.0, start_year)
        if "latest_year" not in start:  # no value on the plan's basis up to the start year
            self.slider = None
            self.outcome.value = (f'<div class="pa-reason pa-no-data">{_esc(ui("cannot_project", lang))}'
                                  f'{_esc(data_needed(info, lang, observed))}</div>')
            self.widget = w.VBox([self.header, self.outcome])
            self.widget.add_class("pa-scenario")
            return
        trend = start["trend"] if start["trend"] is not None else 0.0
        required = start["required"] if start["required"] is not None else trend
        span = max(abs(trend), abs(required), abs(start["latest_value"]) * 0.02, 0.01) * 2.5
        step = 10 ** math.floor(math.log10(span / 100)) if span > 0 else 0.01
        label = {"change": "assumed_change", "flow": "assumed_flow", "growth": "assumed_growth"}[start["kind"]]
        low = trend - span if start["kind"] != "flow" else max(0.0, trend - span)
        self.trend = round(trend / step) * step
        self.slider = w.FloatSlider(value=self.trend, min=round(low / step) * step,
                                    max=round((trend + span) / step) * step, step=step,
                                    description=ui(label, lang), continuous_update=False,
                                    readout_format=f".{max(0, -int(math.log10(step)))}f",
                                    style={"description_width": "initial"}, layout=w.Layout(width="460px"))
        self.slider.add_class("pa-slider")
        self.reset = w.Button(description=ui("reset", lang), icon="")
        self.reset.add_class("pa-reset")
        self.reset.on_click(lambda _: setattr(self.slider, "value", self.trend))
        self.slider.observe(lambda change: self.update(), names="value")
        self.projection_chart = None if compact else self._projection_chart(info, observed)
        self.update()
        parts = [self.header, w.HBox([self.slider, self.reset]), self.outcome]
        if not compact:
            parts.append(self.chart)
        self.widget = w.VBox(parts)
        self.widget.add_class("pa-scenario")

    def update(self) -> None:
        lang = self.lang
        out = scenario_outcome(self.indicator_id, float(self.slider.value), self.start_year)
        colour = out["colour"] if out["colour"].lower() != "#ffffff" else "#bdbdbd"
        label = out["status_zh"] if lang == "zh" else out["status_en"]
        unit = app_data()[0].indicator(self.indicator_id)["unit"]
        unit = unit if isinstance(unit, str) else ""
        projected = f'{_fmt(out["projected"], 3)}{"%" if out["kind"] == "growth" else " " + unit}'
        self.outcome.value = (
            f'<table class="pa-table"><tr><th>{_esc(ui("latest", lang))}</th>'
            f'<td>{_fmt(out["latest_value"], 3)} {_esc(unit)}（{out["latest_year"]}{_esc(ui("year_suffix", lang))}）</td></tr>'
            f'<tr><th>{_esc(ui("observed_trend", lang))}</th><td>{_fmt(out["trend"], 3)}</td></tr>'
            f'<tr><th>{_esc(ui("required_pace", lang))}</th><td>{_fmt(out["required"], 3)}</td></tr>'
            f'<tr><th>{_esc(ui("projected", lang))}</th><td class="pa-projected">{_esc(projected)}</td></tr>'
            f'<tr><th>{_esc(ui("target", lang))}</th><td>{_esc(out["target"])}</td></tr>'
            f'<tr><th>{_esc(ui("verdict_2025", lang))}</th><td><span class="pa-status pa-scenario-verdict" '
            f'data-status="{_esc(out["status_id"])}" style="background:{colour};color:{_text_on(colour)}">{_esc(label)}</span>'
            f' <span class="pa-note">{_esc(out["reason_zh"] if lang == "zh" else out["reason_en"])}</span></td></tr></table>')
        if self.projection_chart is not None:
            projection = _charted_projection(out)
            self.chart.value = (f'<div data-projection="{_fmt(projection, 3)}">'
                                f'{self.projection_chart.svg(projection)}</div>')

    def _projection_chart(self, info, observed):
        """The trajectory up to the start year, ready to redraw with any projection the
        slider can reach (from its lowest to its highest value)."""
        from . import charts

        ends = [_charted_projection(scenario_outcome(self.indicator_id, value, self.start_year))
                for value in (self.slider.min, self.slider.max)]
        rows = observed[(observed["indicator_id"] == self.indicator_id) & (observed["year"] <= self.start_year)]
        return charts.ProjectionChart(info, rows, span=(min(ends), max(ends)), lang=self.lang)


def _charted_projection(outcome: dict) -> float:
    """What a scenario's chart projects to the target year: the level (or five-year sum), or
    for growth targets the assumed annual rate."""
    return outcome["annual"] if outcome["kind"] == "growth" else outcome["projected"]


def scorecard_app(lang: str = "zh", as_of: int = 2023) -> ScorecardApp:
    """The scorecard app (Chinese by default).

    It builds :class:`ScorecardApp` (a few seconds); the counts at its top are
    :func:`status_count_items`:

    >>> items = status_count_items(scorecard_cards(assessment(2023)))
    >>> sum(item["count"] for item in items), items[0]["label"]
    (25, '提前实现')
    """
    return ScorecardApp(lang, as_of)


def explorer_app(lang: str = "zh", as_of: int = 2023, indicator: str = "urbanisation_rate") -> ExplorerApp:
    """The indicator explorer app.

    It builds :class:`ExplorerApp`; its selector offers :func:`explorer_choices`:

    >>> {key: label for label, key in explorer_choices(lang="en")}["urban_new_jobs"]
    '1. New urban jobs'
    """
    return ExplorerApp(lang, as_of, indicator)


def scenarios_app(lang: str = "zh", indicator: str = "urbanisation_rate") -> ScenariosApp:
    """The scenarios app.

    It builds :class:`ScenariosApp` (a chart per indicator, a few seconds); the verdict a
    slider shows comes from :func:`scenario_outcome`:

    >>> scenario_outcome("urbanisation_rate", -1.0)["is_met"]  # 75.5 − 1.0 = 74.5 in 2025
    False
    """
    return ScenariosApp(lang, indicator)
