"""What the three apps share: the interface strings in both languages, number formats,
the data (loaded once per kernel), status colours, the page address and the app base class.

>>> ui("target"), ui("target", "en")
('目标', 'Target')
>>> _fmt(74.2), _fmt(400.0)
('74.2', '400')
"""

from __future__ import annotations

import html
import logging
import os
from functools import lru_cache
from urllib.parse import parse_qs

import pandas as pd

from ..engine import methods as _methods
from ..present import format as _format
from ..present import marks as _marks


LANGS = ("zh", "en")
METHODS = _methods.METHODS
#: method id → (Chinese, English) name shown on the method selector (from the one method table)
METHOD_NAMES = {row["method"]: (row["label_zh"], row["label_en"]) for row in _methods.method_table()}


_UI = {
    "lang": ("语言", "Language"),
    "as_of": ("评估时点", "As of"),
    "as_of_midterm": ("{year}年（中期评估）", "{year} (mid-term review)"),
    "as_of_final": ("{year}年（终期评估）", "{year} (final review)"),
    "as_of_latest": ("最新数据年份（{year}年）", "Latest data year ({year})"),
    "as_of_year": ("截至{year}年", "As of {year}"),
    "category": ("类别", "Category"),
    "chapter": ("章节", "Chapter"),
    "status": ("状态", "Status"),
    "all": ("全部", "All"),
    "method": ("评估方法", "Method"),
    "indicator": ("指标", "Indicator"),
    "scorecard_title": ("{title} · 指标总览", "{title} · Scorecard"),
    "explorer_title": ("指标详情", "Indicator explorer"),
    "scenarios_title": ("情景推演：到{year}年能否完成目标？", "Scenarios: will the {year} target be met?"),
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
    "projected": ("{year}年预计", "Projected {year}"),
    "required_pace": ("所需年均变化", "Pace required a year"),
    "observed_trend": ("实际趋势", "Observed trend"),
    "verdict_final": ("按此假设的终期判断", "Verdict it would get"),
    "cannot_project": ("无法推演：", "Cannot project: "),
    "constraint": ("约束类目标（无进度路径）", "Constraint target (no path)"),
    "start": ("推演起点（用该年及以前的数据）", "Start from (data up to)"),
    "error": ("出错了：这一步未能完成，请换一个选项或稍后重试（已记录，供管理员查看）。",
              "Something went wrong: this step could not be done. Try another choice, or again later "
              "(it has been logged for the administrator)."),
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


def _fmt(value, digits: int = 2) -> str:
    """A number as everywhere else (:func:`plananalysis.present.format.number`): 74.2, 400, 1.83.

    >>> _fmt(74.2), _fmt(400.0), _fmt(1.8333333), _fmt(float("nan"))
    ('74.2', '400', '1.83', '—')
    """
    return _format.number(value, digits=digits)


def _pct(share) -> str:
    return _format.share(share, 1)


def app_context(as_of: int | None = None, method: str = "cn-schedule"):
    """The review context the apps show: the plan named by ``$PLANANALYSIS_PLAN`` (set by
    ``plananalysis app --plan``; default: the default plan), as of ``as_of`` (default: the latest
    review due), with ``method``.  Built once per kernel for each choice (:mod:`plananalysis.context`).

    >>> app_context().params.as_of == app_context().plan.info.default_as_of()
    True
    """
    from ..context import review_context

    return review_context(plan=os.environ.get("PLANANALYSIS_PLAN") or None,
                          as_of=None if as_of is None else int(as_of), method=method)


def app_data():
    """``(plan, observed)``: the plan and the observed values, loaded once per kernel.

    >>> plan, observed = app_data()
    >>> set(observed["indicator_id"]) - {""} <= set(plan.indicators["indicator_id"])
    True
    """
    context = app_context()
    return context.plan, context.observed


def assessment(as_of: int | None = None, method: str = "cn-schedule") -> pd.DataFrame:
    """The progress table for ``as_of`` and ``method`` (the review context's; do not modify it).

    >>> assessment(2023, "sdsn")["method"].iloc[0]
    'sdsn'
    """
    return app_context(as_of, method).progress


def target_assessment(as_of: int | None = None, method: str = "cn-schedule") -> pd.DataFrame:
    """Every catalogue target judged for ``as_of`` and ``method`` (the review context's
    ``target_progress``; do not modify it).

    >>> target_assessment(2023).set_index("target_id").loc["ch04-t06", "status_id"]
    'on_track'
    """
    return app_context(as_of, method).target_progress


def latest_data_year(observed: pd.DataFrame | None = None) -> int:
    """The latest year with a value on the plan's basis, within the plan's period."""
    plan, all_observed = app_data()
    observed = all_observed if observed is None else observed
    years = observed.loc[(observed["series"] == "plan") & (observed["year"] <= plan.info.end), "year"]
    return int(years.max()) if len(years) else plan.info.midterm_year


def as_of_options(lang: str = "zh", latest: int | None = None) -> list[tuple[str, int]]:
    """The ``as_of`` choices: the plan's mid-term year, its end year, the latest data year.

    >>> info = app_context().plan.info
    >>> [year for _, year in as_of_options("en", latest=info.midterm_year + 1)] == [
    ...     info.midterm_year, info.end, info.midterm_year + 1]
    True
    """
    info = app_context().plan.info
    latest = latest_data_year() if latest is None else latest
    options = [(ui("as_of_midterm", lang, year=info.midterm_year), info.midterm_year),
               (ui("as_of_final", lang, year=info.end), info.end)]
    if latest not in (info.midterm_year, info.end) and info.start <= latest <= info.end:
        options.append((ui("as_of_latest", lang, year=latest), latest))
    default = app_context().params.as_of     # a plan whose mid-term is still ahead: the last year over
    if default not in [year for _, year in options]:
        options.append((ui("as_of_year", lang, year=default), default))
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


def _badge(colour: str, blank: str = "#eeeeee") -> tuple[str, str]:
    """``(background, text colour)`` of a status badge (:func:`plananalysis.present.marks.badge_colours`).

    >>> _badge("#ffffff"), _badge("#00331a")
    (('#eeeeee', '#000000'), ('#00331a', '#ffffff'))
    """
    return _marks.badge_colours(colour, blank)


def _chapter_titles(plan, lang: str) -> dict[int, str]:
    chapters = plan.chapters
    column = "title_zh" if lang == "zh" else "title_en"
    return {int(r.chapter): (f"第{r.numeral}章 {r[column]}" if lang == "zh" else f"Ch. {r.chapter} {r[column]}")
            for _, r in chapters.iterrows()}


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


_LOG = logging.getLogger("plananalysis.apps")


class _App:
    """Common parts: the language toggle, the ``as_of`` selector and the notice line.

    A callback that fails (:meth:`_guard`) is logged for the operator (the server's log) and
    shown to the viewer as one line in :attr:`notice`, in the app's language, without a
    traceback or a path; the next change that succeeds clears it.
    """

    css_class = "pa-app"
    #: the attribute name of the Dropdown that ``?indicator=…`` sets (None: the app has none)
    indicator_selector: str | None = None

    def __init__(self, lang: str = "zh", as_of: int | None = None):
        w = _widgets()
        self.lang = lang
        self.lang_toggle = _lang_toggle(lang)
        as_of = app_context().params.as_of if as_of is None else as_of
        self.as_of = w.Dropdown(options=as_of_options(lang), value=as_of, description=ui("as_of", lang),
                                style={"description_width": "initial"})
        self.as_of.add_class("pa-as-of")
        self.title = w.HTML()
        self.title.add_class("pa-title")
        self.notice = w.HTML()
        self.notice.add_class("pa-notice")
        self.lang_toggle.observe(self._guard(self._on_lang), names="value")
        self.as_of.observe(self._guard(lambda change: self.refresh()), names="value")

    def _guard(self, callback):
        """``callback`` for a widget event: an exception is logged and shown as one line."""
        def guarded(*args, **kwargs):
            try:
                result = callback(*args, **kwargs)
            except Exception:  # noqa: BLE001 - the viewer gets one line, the operator the traceback
                _LOG.exception("%s: a callback failed", type(self).__name__)
                self.notice.value = f'<div class="pa-error" role="alert">{_esc(ui("error", self.lang))}</div>'
                return None
            if self.notice.value:
                self.notice.value = ""
            return result

        return guarded

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
        """Apply ``lang``, ``as_of`` and ``indicator`` (to the app's :attr:`indicator_selector`,
        if it has one) from a query string; values the app does not offer are ignored."""
        params = _query(query)
        if params.get("as_of", "").isdigit() and int(params["as_of"]) in [v for _, v in self.as_of.options]:
            self.as_of.value = int(params["as_of"])
        if params.get("lang") in LANGS and params["lang"] != self.lang_toggle.value:
            self.lang_toggle.value = params["lang"]
        selector = getattr(self, self.indicator_selector) if self.indicator_selector else None
        if selector is not None and params.get("indicator") in [v for _, v in selector.options]:
            selector.value = params["indicator"]
        return self
