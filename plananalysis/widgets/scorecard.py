"""指标总览 (scorecard): one card per indicator, status counts and filters.

>>> cards = scorecard_cards(assessment(2023), lang="zh")
>>> len(cards), cards[2]["indicator_id"], cards[2]["status_label"]
(25, 'urbanisation_rate', '快于预期')
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

import pandas as pd

from ..values import is_blank
from .common import (_CSS, _App, _badge, _chapter_titles, _esc, _status_style,
                     _status_table, _widgets, app_context, app_data, assessment, ui)


def _results_in(review, lang: str) -> pd.DataFrame:
    """The review's results for its headline indicators, in ``lang`` (the review context of that
    language: built once per kernel)."""
    from ..context import review_context

    return review_context(review.params, lang=lang).indicator_results()



def scorecard_cards(progress_table: pd.DataFrame, lang: str = "zh", plan=None,
                    results: pd.DataFrame | None = None) -> list[dict]:
    """One dict per indicator for the scorecard, in Table 2 order.

    Every figure comes from the review's results (``results``: the rows of
    :attr:`~plananalysis.context.ReviewContext.results` for ``progress_table``; by default the
    same function decides them, :func:`~plananalysis.present.results.results_table`).

    Keys: ``indicator_id, no, name, category, chapter, chapter_title, unit, latest (text),
    latest_value, latest_year, qualifier, target, completion (P, 0–1 or None), elapsed (E, 0–1 or
    None), elapsed_note, status_id, status_label (dated), undated_label, colour, symbol, order,
    reason, has_data``.

    >>> card = scorecard_cards(assessment(2023), "en")[0]
    >>> card["name"], card["latest"], card["latest_year"], card["status_label"]
    ('New urban jobs', '116.3', 2023, 'Ahead of schedule (on news-reported data, to be confirmed)')
    >>> round(card["completion"], 4)   # (>100 + >100 + 116.3) / 400 = 316.3 / 400, a lower bound
    0.7908
    """
    from ..present import format as fmt
    from ..present.results import results_table

    plan = app_data()[0] if plan is None else plan
    found = results_table(progress_table, lang) if results is None else results.reset_index(drop=True)
    info = plan.indicators.set_index("indicator_id")
    chapters = _chapter_titles(plan, lang)
    cards = []
    for k, row in enumerate(progress_table.itertuples(index=False)):
        res = found.iloc[k]
        style = _status_style(row.method, row.phase, row.status_id)
        meta = info.loc[row.indicator_id]
        chapter = None if pd.isna(meta["chapter"]) else int(meta["chapter"])   # a table may name no chapter
        has_data = res["tone"] != "no_data" and not is_blank(res["latest_year"])
        cards.append({
            "indicator_id": row.indicator_id,
            "no": int(row.no),
            "name": res["name"],
            "category": meta["category_zh"] if lang == "zh" else meta["category_en"],
            "chapter": chapter,
            "chapter_title": "" if chapter is None else chapters.get(chapter, str(chapter)),
            "unit": row.unit if isinstance(row.unit, str) else "",
            "latest": fmt.number(res["latest_value"], res["unit"]) if has_data else "",
            "latest_value": None if is_blank(res["latest_value"]) else float(res["latest_value"]),
            "latest_year": None if is_blank(res["latest_year"]) else int(res["latest_year"]),
            "qualifier": res["qualifier"],
            "target": row.target_printed,
            "completion": None if is_blank(res["P"]) else float(res["P"]),
            "elapsed": None if is_blank(res["E"]) else float(res["E"]),
            "elapsed_note": res["E_note"],
            "status_id": row.status_id,
            "status_label": res["label"],   # dated: 预计完成（据2024年数据）
            "undated_label": res["undated"],   # the legend's and the counts': 预计完成
            "colour": res["colour"],
            "symbol": res["symbol"],
            "order": style["order"],
            "reason": res["reason"],
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
    [('提前实现', 4), ('快于预期', 6)]
    >>> sum(i["count"] for i in items)
    25
    """
    counts: dict[str, dict] = {}
    for card in cards:
        item = counts.setdefault(card["status_id"], {   # counted by the undated label: 预计完成, not 预计完成（据2023年数据）
            "status_id": card["status_id"], "label": card.get("undated_label", card["status_label"]), "colour": card["colour"],
            "symbol": card["symbol"], "order": card["order"], "count": 0})
        item["count"] += 1
    return sorted(counts.values(), key=lambda i: i["order"])


@lru_cache(maxsize=6)
def _sparklines(lang: str, as_of: int) -> dict[str, str]:
    """Sparkline SVG per indicator with plan-basis data up to ``as_of`` (drawn once per
    kernel, :func:`plananalysis.present.marks.sparkline`, the front page's too): a card judged as
    of 2023 does not show a 2024 value."""
    from ..present.marks import sparkline

    plan, observed = app_data()
    out = {}
    for row in plan.indicators.itertuples():
        rows = observed[(observed["indicator_id"] == row.indicator_id) & (observed["series"] == "plan")
                        & (observed["year"] <= as_of)]
        if len(rows) >= 1:
            target = None if is_blank(row.target_value) or row.target_kind != "level" else float(row.target_value)
            out[row.indicator_id] = sparkline(rows, target=target, lang=lang, unit=row.unit)
    return out


def _progress_bar(card: dict, lang: str) -> str:
    """The card's bar: :func:`plananalysis.present.marks.progress_bar_html` (one bar for the apps
    and the reports)."""
    from ..present.marks import progress_bar_html

    if card["completion"] is None:
        return ""
    return progress_bar_html(card["completion"], card["elapsed"], card["colour"], lang)


def card_html(card: dict, lang: str = "zh", as_of: int | None = None, sparkline: str = "") -> str:
    """One card: a link to the explorer with the indicator, language and ``as_of``.

    >>> card = scorecard_cards(assessment(2023))[2]
    >>> page = card_html(card, lang="zh", as_of=2023)
    >>> 'href="explorer.ipynb?indicator=urbanisation_rate&amp;lang=zh&amp;as_of=2023"' in page
    True
    >>> "↑ 快于预期" in page, "75左右" in page
    (True, True)
    """
    query = urlencode({"indicator": card["indicator_id"], "lang": lang, "as_of": as_of})
    border, ink = _badge(card["colour"], blank="#bdbdbd")
    if card["has_data"]:
        year = f'{card["latest_year"]}{ui("year_suffix", lang)}'
        value = (f'<div class="pa-value">{_esc(card["qualifier"])}{_esc(card["latest"])}'
                 f' <small>{_esc(card["unit"])}</small> <span class="pa-year">{"（" if lang == "zh" else "("}'
                 f'{_esc(year)}{"）" if lang == "zh" else ")"}</span></div>')
    else:
        # the engine's words, which say when only the base-year value is known
        missing = card["reason"] or ui("no_data", lang)
        value = f'<div class="pa-value pa-missing">{_esc(missing[:1].upper() + missing[1:])}</div>'
    return (
        f'<a class="pa-card" data-indicator="{_esc(card["indicator_id"])}" data-status="{_esc(card["status_id"])}" '
        f'href="explorer.ipynb?{_esc(query)}" target="_self" style="border-left-color:{border}" '
        f'title="{_esc(card["reason"])}">'
        f'<div class="pa-card-head"><span class="pa-no">{card["no"]}</span>'
        f'<span class="pa-name">{_esc(card["name"])}</span></div>'
        f'<div class="pa-status" style="background:{border};color:{ink}">'
        f'{_esc(card["symbol"])} {_esc(card["status_label"])}</div>'
        f'{value}<div class="pa-target">{_esc(ui("target", lang))}{"：" if lang == "zh" else ": "}{_esc(card["target"])}</div>'
        f'{_progress_bar(card, lang)}<div class="pa-spark">{sparkline}</div></a>')


def scorecard_html(cards: list[dict], lang: str = "zh", as_of: int | None = None) -> str:
    """The card grid (with its stylesheet).

    Each card is :func:`card_html` with a sparkline of the indicator (an SVG drawn on the
    server); with no cards, the grid is empty:

    >>> scorecard_html([]).endswith('<div class="pa-grid"></div>')
    True
    """
    return _CSS + '<div class="pa-grid">' + "".join(
        card_html(c, lang, as_of, _sparklines(lang, as_of).get(c["indicator_id"], "")) for c in cards) + "</div>"


def counts_html(cards: list[dict], lang: str = "zh", total: int = 25) -> str:
    chips = "".join(
        '<span class="pa-chip" data-status="{}" style="background:{};color:{}">{} {} <b class="pa-count">{}</b></span>'
        .format(_esc(i["status_id"]), *_badge(i["colour"]), _esc(i["symbol"]), _esc(i["label"]), i["count"])
        for i in status_count_items(cards))
    return (f'{_CSS}<div class="pa-counts">{chips}</div>'
            f'<div class="pa-note"><span class="pa-shown">{_esc(ui("shown", lang, n=len(cards), total=total))}</span>'
            f' · {_esc(ui("open_explorer", lang))}</div>')


class ScorecardApp(_App):
    """指标总览: status counts, filters, one card per indicator (a link to the explorer).

    ``display(ScorecardApp().widget)`` in a notebook; building it draws a sparkline per
    card (a few seconds).  Its filters are :func:`filter_cards`:

    >>> cards = scorecard_cards(assessment(2023), lang="en")
    >>> [card["indicator_id"] for card in filter_cards(cards, chapter=9)]
    ['infant_care_places_per_1000', 'care_workers_per_10k_elderly']
    """

    def __init__(self, lang: str = "zh", as_of: int | None = None):
        super().__init__(lang, as_of)
        w = _widgets()
        self.category = w.Dropdown(style={"description_width": "initial"})
        self.chapter = w.Dropdown(style={"description_width": "initial"})
        self.status = w.Dropdown(style={"description_width": "initial"})
        for name, widget in (("category", self.category), ("chapter", self.chapter), ("status", self.status)):
            widget.add_class(f"pa-{name}")
            widget.observe(self._guard(lambda change: self.redraw()), names="value")
        self.counts = w.HTML()
        self.counts.add_class("pa-counts-box")
        self.grid = w.HTML()
        self.grid.add_class("pa-grid-box")
        self.tasks = w.HTML()   # the chosen chapter's tasks with their status and statements
        self.tasks.add_class("pa-tasks-box")
        self._busy = False
        self.relabel()
        self.refresh()
        self.widget = w.VBox([
            w.HBox([self.title, self.lang_toggle]), self.notice,
            w.HBox([self.as_of, self.category, self.chapter, self.status],
                   layout=w.Layout(flex_flow="row wrap")),
            self.counts, self.grid, self.tasks])
        self.widget.add_class("pa-scorecard")

    def relabel(self) -> None:
        plan = app_data()[0]
        lang = self.lang
        self.title.value = f"<h2>{_esc(ui('scorecard_title', lang, title=app_data()[0].title_in(lang)))}</h2>"
        self._busy = True
        try:
            cat_col = "category_zh" if lang == "zh" else "category_en"
            self.category.description = ui("category", lang)
            self.category.options = [(ui("all", lang), "")] + [
                (c, c) for c in dict.fromkeys(plan.indicators[cat_col])]
            self.category.value = ""
            titles = _chapter_titles(plan, lang)
            self.chapter.description = ui("chapter", lang)
            chapters = sorted({int(x) for x in plan.indicators["chapter"].dropna()})
            self.chapter.options = [(ui("all", lang), 0)] + [(titles[c], c) for c in chapters]
            self.chapter.value = 0
            self.chapter.layout.display = None if chapters else "none"   # a plan whose table names no chapter
            self.status.description = ui("status", lang)
        finally:
            self._busy = False

    def cards(self) -> list[dict]:
        review = app_context(self.as_of.value)
        return scorecard_cards(review.progress, self.lang, results=_results_in(review, self.lang))

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
        self.tasks.value = chapter_tasks_html(self.as_of.value, self.chapter.value or None, self.lang)


def chapter_tasks_html(as_of: int | None, chapter: int | None, lang: str = "zh") -> str:
    """A chapter's tasks with their reported status and the departments' statements, as the
    chapter page shows them (:func:`~plananalysis.present.task_view.tasks_html`); nothing when no
    chapter is chosen.

    >>> page = chapter_tasks_html(2025, 9, "en")
    >>> 'id="tasks"' in page, "not reported" in page, chapter_tasks_html(2025, None)
    (True, True, '')
    """
    from ..context import review_context
    from ..present.task_view import tasks_html

    if not chapter:
        return ""
    return tasks_html(review_context(app_context(as_of).params, lang=lang), int(chapter))


def scorecard_app(lang: str = "zh", as_of: int | None = None) -> ScorecardApp:
    """The scorecard app (Chinese by default).

    It builds :class:`ScorecardApp` (a few seconds); the counts at its top are
    :func:`status_count_items`:

    >>> items = status_count_items(scorecard_cards(assessment(2023)))
    >>> sum(item["count"] for item in items), items[0]["label"]
    (25, '提前实现')
    """
    return ScorecardApp(lang, as_of)
