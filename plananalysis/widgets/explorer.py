"""指标详情 (indicator explorer): one indicator or catalogue target — its chart, the numbers
behind the verdict, the verdict under each method, every observed value with its source.

>>> explorer_choices()[2]
('3. 常住人口城镇化率', 'urbanisation_rate')
"""

from __future__ import annotations

import os
from functools import lru_cache

import pandas as pd

from ..values import is_blank
from .common import (_CSS, _QUALIFIERS, METHOD_NAMES, METHODS, _App, _badge, _esc, _fmt, _pct,
                     _status_style, _widgets, app_context, app_data, assessment, target_assessment, ui)


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
    from ..engine.progress import COLUMN_LABELS_ZH

    en = {"base_value": "Base value", "latest_value": "Latest value", "target_value": "Target",
          "elapsed_share": "Elapsed share E", "completion_share": "Completion share P",
          "pace_ratio": "Pace ratio q = P/E", "realised_rate": "Realised change a year",
          "required_rate": "Required change a year", "remaining_rate": "Required for the remaining years",
          "projection_linear": "Linear projection to the target year", "method_value": "Method measure"}
    items = []
    for column in en:
        value = row[column]
        if is_blank(value):
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
    """The verdict of each of the four methods for one indicator (or catalogue target,
    ``target:<target_id>``): ``[{method, name, status_id, label, colour, measure, value, reason}]``.

    >>> [(v["method"], v["label"]) for v in method_verdicts("urbanisation_rate", 2023)]
    [('cn-schedule', '快于预期'), ('eurostat', '显著进展'), ('open-sdg', '显著进展'), ('sdsn', '按期实现或保持达标')]
    >>> [v["label"] for v in method_verdicts("target:ch04-t06", 2023)][:2]
    ['基本符合预期', '已达到目标']
    """
    out = []
    for method in METHODS:
        if indicator_id.startswith("target:"):
            table = target_assessment(as_of, method)
            row = table[table["target_id"] == indicator_id.split(":", 1)[1]].iloc[0]
        else:
            table = assessment(as_of, method)
            row = table[table["indicator_id"] == indicator_id].iloc[0]
        style = _status_style(method, row["phase"], row["status_id"])
        out.append({"method": method, "name": METHOD_NAMES[method][0 if lang == "zh" else 1],
                    "status_id": row["status_id"],
                    "label": row["status_zh"] if lang == "zh" else row["status_en"],  # with its year
                    "colour": style["colour"], "symbol": style["symbol"],
                    "measure": row["method_measure"] if isinstance(row["method_measure"], str) else "",
                    "value": None if is_blank(row["method_value"]) else float(row["method_value"]),
                    "reason": row["reason_zh"] if lang == "zh" else row["reason_en"]})
    return out


def observation_rows(observed: pd.DataFrame, indicator_id: str, lang: str = "zh") -> list[dict]:
    """Every observed value of one indicator (or catalogue target, by its ``target_id``), oldest
    first, with its source and qualifier.

    >>> from plananalysis.observed.load import load_observed
    >>> rows = observation_rows(load_observed(), "urbanisation_rate")
    >>> [(r["year"], r["value"]) for r in rows][:3]
    [(2021, '72.7'), (2022, '73.4'), (2023, '74.2')]
    >>> [(r["year"], r["value"]) for r in observation_rows(load_observed(), "ch04-t06")]
    [(2023, '11'), (2024, '8.5')]
    """
    key = indicator_id.removeprefix("target:")
    rows = observed[(observed["indicator_id"] == key) | (observed["target_id"] == key)].sort_values(["series", "year"])
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

    >>> from plananalysis.plan.folder import load_plan
    >>> print(data_needed(load_plan().indicator("talent_total"), "en"))  # doctest: +ELLIPSIS
    No data on the plan's basis. Needed: ...'s “Total talent resources” (万人) on the plan's basis ...
    """
    years = f"{int(indicator['baseline_year']) + 1}–{int(indicator['target_year'])}"
    plan = app_data()[0]
    region = plan.region
    names_en = dict(zip(plan.regions["name_zh"], plan.regions["name_en"]))
    region_en = names_en.get(region) or "the plan's region"
    unit = indicator["unit"] if isinstance(indicator["unit"], str) else ""
    others = []
    if observed is not None:
        rows = observed[(observed["indicator_id"] == indicator["indicator_id"]) & (observed["series"] != "plan")]
        others = sorted(set(rows["series"]))
    if lang == "zh":
        text = (f"{ui('no_data', lang)}。需要：{region}“{indicator['name_zh']}”（{unit}）"
                f"按规划口径的{years}年逐年数值（最少一年），每个数值注明来源（统计公报、统计年鉴或主管部门发布），"
                f"以便与目标“{indicator['target_printed']}”比较。")
        if others:
            text += f"已有其他口径数据（{'、'.join(others)}），不与目标比较。"
        text += "可用 plananalysis data import 导入。"
    else:
        text = (f"{ui('no_data', lang)}. Needed: {region_en}'s “{indicator['name_en']}” ({unit}) on the plan's basis "
                f"for any of {years} (one year at least), each value with its source (statistical communiqué, "
                f"yearbook or the responsible department), to compare with the target “{indicator['target_printed']}”.")
        if others:
            text += f" Values on another basis exist ({', '.join(others)}); they are not compared with the target."
        text += " Import them with `plananalysis data import`."
    return text


@lru_cache(maxsize=128)
def _chart_svg(indicator_id: str, as_of: int, lang: str) -> str:
    """The trajectory chart of the reports, as SVG (cached per indicator, as_of and language).
    Values after ``as_of`` are set aside, as the verdict beside the chart sets them aside."""
    from ..context import review_context
    from ..present import charts

    # the review's own chart (ReviewContext.trajectory): the pages' and the app's are one drawing
    # (a final review projects nothing; a cumulative target is drawn on its cumulative axis)
    review = review_context(app_context(as_of).params, lang=lang)
    return charts.to_svg(review.trajectory(indicator_id))


def _warm_in_background(lang: str, as_of: int) -> None:
    """Draw every indicator's chart in a background thread (a preheated kernel is idle while
    it waits for its viewer), so that choosing another indicator only sends a cached SVG."""
    import threading

    def warm():
        table = assessment(as_of)
        for indicator_id in table.loc[table["latest_year"].notna(), "indicator_id"]:
            try:
                _chart_svg(indicator_id, as_of, lang)
            except Exception:  # noqa: BLE001 - warming is best effort; the viewer's change draws it
                return

    threading.Thread(target=warm, name="plananalysis-warm-charts", daemon=True).start()


class ExplorerApp(_App):
    """指标详情: one indicator (or catalogue target) — chart, verdict numbers, methods, sources.

    ``display(ExplorerApp(indicator="urbanisation_rate").widget)`` in a notebook; building
    it draws the chart (a second or two).  The numbers beside the chart are :func:`verdict_items`:

    >>> row = assessment(2023).set_index("indicator_id").loc["urbanisation_rate"]
    >>> verdict_items(row)[:3]
    [('基期值', '71 (2020)'), ('最新值', '74.2 (2023)'), ('目标值', '75左右 (2025)')]
    """

    indicator_selector = "indicator"

    def __init__(self, lang: str = "zh", as_of: int | None = None, indicator: str | None = None):
        super().__init__(lang, as_of)
        w = _widgets()
        choices = explorer_choices(lang=lang)
        self.indicator = w.Dropdown(options=choices, value=indicator or choices[0][1],
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
        self.indicator.observe(self._guard(lambda change: self.refresh()), names="value")
        self.method.observe(self._guard(lambda change: self.refresh(chart=False)), names="value")
        self.relabel()
        self.refresh()
        self.widget = w.VBox([
            w.HBox([self.title, self.lang_toggle]), self.notice,
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
            self._refresh_target(target, note, chart)
            return
        table = assessment(as_of, method)
        row = table[table["indicator_id"] == indicator_id].iloc[0]
        info = plan.indicator(indicator_id)
        name = info["name_zh"] if lang == "zh" else info["name_en"]
        style = _status_style(method, row["phase"], row["status_id"])
        label = row["status_zh"] if lang == "zh" else row["status_en"]  # an estimate names its year
        colour, ink = _badge(style["colour"], blank="#bdbdbd")
        self.heading.value = (
            f'{_CSS}<h3>{int(info["no"])}. {_esc(name)} <span class="pa-status pa-verdict-badge" data-status="{_esc(row["status_id"])}" '
            f'style="background:{colour};color:{ink}">{_esc(style["symbol"])} {_esc(label)}</span></h3>{note}')
        reason = row["reason_zh"] if lang == "zh" else row["reason_en"]
        has_data = row["status_id"] not in ("no_data", "not_available") or not is_blank(row["latest_year"])
        if chart:
            self.chart.value = _chart_svg(indicator_id, as_of, lang)
        if not has_data:
            body = f'<div class="pa-reason pa-no-data">{_esc(data_needed(info, lang, observed))}</div>'
        else:
            body = (f'<div class="pa-reason">{_esc(ui("reason", lang))}{"：" if lang == "zh" else ": "}<span class="pa-reason-text">{_esc(reason)}</span></div>'
                    f'<table class="pa-table pa-numbers"><caption>{_esc(ui("numbers", lang))}</caption>'
                    + "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in verdict_items(row, lang))
                    + "</table>")
        self.verdict.value = body
        self.methods.value = _methods_html(indicator_id, as_of, method, lang)
        self.observations.value = _observations_html(observation_rows(observed, indicator_id, lang), lang)

    def _refresh_target(self, target: pd.Series, note: str, chart: bool) -> None:
        """A catalogue target that restates no indicator: its own verdict, chart and values."""
        lang, as_of, method = self.lang, self.as_of.value, self.method.value
        observed = app_data()[1]
        key = f"target:{target['target_id']}"
        row = target_assessment(as_of, method).set_index("target_id").loc[target["target_id"]]
        style = _status_style(method, row["phase"], row["status_id"])
        label = row["status_zh"] if lang == "zh" else row["status_en"]
        colour, ink = _badge(style["colour"], blank="#bdbdbd")
        subject = target["subject_zh"] if lang == "zh" else target["subject_en"]
        self.heading.value = (
            f'{_CSS}<h3>{_esc(subject)}：{_esc(target["target_text"])} '
            f'<span class="pa-status pa-verdict-badge" data-status="{_esc(row["status_id"])}" '
            f'style="background:{colour};color:{ink}">{_esc(style["symbol"])} {_esc(label)}</span></h3>{note}')
        if chart:
            self.chart.value = _target_chart_svg(target["target_id"], as_of, lang) if row["n_points"] >= 2 else ""
        needed = row["needed_zh"] if lang == "zh" else row["needed_en"]
        reason = row["reason_zh"] if lang == "zh" else row["reason_en"]
        body = ""
        if not is_blank(row["latest_year"]):
            body = (f'<div class="pa-reason">{_esc(ui("reason", lang))}{"：" if lang == "zh" else ": "}'
                    f'<span class="pa-reason-text">{_esc(reason)}</span></div>'
                    f'<table class="pa-table pa-numbers"><caption>{_esc(ui("numbers", lang))}</caption>'
                    + "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in verdict_items(row, lang))
                    + "</table>")
        if needed:
            body += f'<div class="pa-reason pa-no-data">{_esc(needed)}</div>'
        self.verdict.value = body
        self.methods.value = _methods_html(key, as_of, method, lang)
        self.observations.value = _observations_html(observation_rows(observed, key, lang), lang)


def _methods_html(key: str, as_of: int, method: str, lang: str) -> str:
    """The table of the four methods' verdicts, the current method marked."""
    cells = "".join(
        f'<tr class="{"pa-current" if v["method"] == method else ""}" data-method="{v["method"]}">'
        f'<td>{_esc(v["name"])}</td><td><span class="pa-status" style="background:{_badge(v["colour"])[0]};'
        f'color:{_badge(v["colour"])[1]}">{_esc(v["symbol"])} {_esc(v["label"])}</span></td>'
        f'<td>{_esc(v["measure"])} {_fmt(v["value"], 3) if v["value"] is not None else ""}</td></tr>'
        for v in method_verdicts(key, as_of, lang))
    return f'<table class="pa-table pa-method-table"><caption>{_esc(ui("methods_table", lang))}</caption>{cells}</table>'


def _observations_html(obs: list[dict], lang: str) -> str:
    """Every observed value with its source, as a table ('' when there is none)."""
    head = "".join(f"<th>{_esc(ui(k, lang))}</th>" for k in ("year", "value", "qualifier", "series", "source", "quality"))
    body_rows = "".join(
        f'<tr class="pa-obs"><td>{o["year"]}</td><td>{_esc(o["qualifier"])}{_esc(o["value"])} {_esc(o["unit"])}</td>'
        f'<td>{_esc(o["qualifier_text"])}</td>'
        f'<td>{_esc(ui("series_plan", lang)) if o["is_plan"] else _esc(o["series"]) + _esc(ui("not_compared", lang))}</td>'
        f'<td>{_source_html(o)}</td>'
        f'<td>{_esc(o["source_quality"])}</td></tr>' for o in obs)
    return (f'<table class="pa-table pa-observations"><caption>{_esc(ui("observations", lang))}</caption>'
            f"<tr>{head}</tr>{body_rows}</table>" if obs else "")


def _target_chart_svg(target_id: str, as_of: int, lang: str) -> str:
    """The chart of a catalogue target, as SVG (the chapter report's, values up to ``as_of``)."""
    return _target_chart_svg_for(app_context(as_of).params, target_id, lang)


@lru_cache(maxsize=128)
def _target_chart_svg_for(params, target_id: str, lang: str) -> str:
    from ..context import review_context
    from ..present import charts

    return charts.to_svg(review_context(params, lang=lang).target_trajectory(target_id))


def _source_html(obs: dict) -> str:
    """The source cell of an observation: a link (new tab) and, for a derived value, its formula."""
    title = _esc(obs["source_title"])
    text = (f'<a class="pa-source" href="{_esc(obs["source_url"])}" target="_blank" rel="noopener noreferrer">'
            f'{title}</a>') if obs["source_url"] else title
    if obs["is_derived"] and obs["derivation"]:
        text += f"<br><small>{_esc(obs['derivation'])}</small>"
    return text


def explorer_app(lang: str = "zh", as_of: int | None = None, indicator: str | None = None) -> ExplorerApp:
    """The indicator explorer app.

    It builds :class:`ExplorerApp`; its selector offers :func:`explorer_choices`:

    >>> {key: label for label, key in explorer_choices(lang="en")}["urban_new_jobs"]
    '1. New urban jobs'
    """
    return ExplorerApp(lang, as_of, indicator)
