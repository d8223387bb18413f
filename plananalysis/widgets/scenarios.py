"""情景推演 (scenarios): a slider per indicator for the assumed change a year from the latest
value → the projected 2025 value, the pace required and the verdict it would get.

>>> scenario_outcome("urbanisation_rate", 0.5)["projected"]   # 75.5 (2024) + 0.5
76.0
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from ..values import is_blank
from .common import _CSS, _App, _badge, _esc, _fmt, _status_style, _widgets, app_context, app_data, ui
from .explorer import data_needed


def _slider_kind(rule: str) -> str:
    return {"cumulative_sum": "flow", "avg_growth": "growth"}.get(rule, "change")


def scenario_trend(row) -> float | None:
    """The observed trend an app slider starts from (``realised_rate`` of the progress row:
    change a year, yearly amount for five-year sums, or mean growth % for growth targets).

    >>> from plananalysis.widgets import assessment
    >>> row = assessment(2023).set_index("indicator_id").loc["urbanisation_rate"]
    >>> round(scenario_trend(row), 2)  # (74.2 - 71) / 3 years
    1.07
    """
    value = row["realised_rate"]
    return None if is_blank(value) else float(value)


def scenario_outcome(indicator_id: str, annual: float, start_year: int | None = None,
                     method: str = "cn-schedule", observed: pd.DataFrame | None = None) -> dict:
    """What the target year would look like if the indicator moved by ``annual`` a year from
    its latest value at or before ``start_year`` (default: the year before the target year;
    later values are set aside): the years after it are filled in and the progress engine
    judges them as in the final review.

    Returns ``{latest_year, latest_value, kind, projected (value at the target year, or the
    five-year sum, or the mean growth), target, target_year, required (pace still needed a
    year), required_from (``latest``: from the latest value; ``base``: no value after the base
    year, so the plan's pace from its base to its target), is_met, status_id, status_zh, status_en, reason_zh, reason_en, colour}``.

    >>> out = scenario_outcome("urbanisation_rate", 0.5)   # 75.5 (2024) + 0.5 → 76.0 in 2025
    >>> out["projected"], out["status_id"], out["is_met"]
    (76.0, 'exceeded', True)
    >>> scenario_outcome("urbanisation_rate", -1.0)["status_id"]   # 74.5: P = 3.5/4 = 0.875
    'not_completed'
    >>> beds = scenario_outcome("hospital_beds_per_1000", 0.3)   # no value after 2020: (7.5 − 5.99) / 5
    >>> round(beds["required"], 3), beds["required_from"]
    (0.302, 'base')
    """
    from ..engine.progress import assess

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
        projected = float(final["realised_rate"]) if not is_blank(final["realised_rate"]) else annual
    else:
        projected = float(frame.sort_values("year").iloc[-1]["value"])
    style = _status_style(method, final["phase"], final["status_id"])
    required = now["remaining_rate"] if not is_blank(now["remaining_rate"]) else now["required_rate"]
    return {"latest_year": t, "latest_value": y, "kind": kind, "annual": annual,
            "projected": round(projected, 6), "target": final["target_printed"], "target_year": target_year,
            "required": None if is_blank(required) else float(required),
            # the pace still needed from the latest value, or (no value after the base) the plan's from its base
            "required_from": "latest" if not is_blank(now["remaining_rate"]) else "base",
            "trend": scenario_trend(now),
            "is_met": bool(final["is_target_met"]) if not is_blank(final["is_target_met"]) else False,
            "status_id": final["status_id"], "status_zh": final["status_zh"], "status_en": final["status_en"],
            "colour": style["colour"], "reason_zh": final["reason_zh"], "reason_en": final["reason_en"],
            "progress_row": final}


@lru_cache(maxsize=256)
def _scenario_start(indicator_id: str, start_year: int | None, method: str,
                    observed: pd.DataFrame | None = None):
    """What a scenario starts from, which no slider move changes: the indicator's spec, its
    plan rows up to ``start_year``, the latest of them, its progress row as of that year
    and the target year; ``None`` without data. Cached for the app's data (slider moves)."""
    from ..engine.progress import assess

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


class ScenariosApp(_App):
    """情景推演: a slider per indicator (assumed change a year) → projected 2025 and verdict.

    Building the app draws a chart per indicator (a few seconds); each slider shows
    :func:`scenario_outcome`, which is quick:

    >>> outcome = scenario_outcome("urbanisation_rate", 0.5)  # +0.5 a year from 75.5 (2024)
    >>> outcome["projected"], outcome["target"], outcome["status_zh"]
    (76.0, '75左右', '超额完成（据转载数据，待核实）')
    """

    indicator_selector = "choice"

    def __init__(self, lang: str = "zh", indicator: str | None = None):
        info = app_context().plan.info
        super().__init__(lang, info.end)
        w = _widgets()
        self.choice = w.Dropdown(description=ui("indicator", lang), style={"description_width": "initial"},
                                 layout=w.Layout(width="420px"))
        self.choice.add_class("pa-choice")
        self.start = w.Dropdown(options=[(str(y), y) for y in range(info.start, info.end)], value=info.end - 1,
                                description=ui("start", lang), style={"description_width": "initial"})
        self.start.add_class("pa-start")
        self.start.observe(self._guard(lambda change: self.refresh()), names="value")
        self.rows_box = w.VBox()
        self.rows_box.add_class("pa-scenario-rows")
        self._indicator = indicator
        self.relabel()
        self.choice.observe(self._guard(lambda change: self.refresh()), names="value")
        self.refresh()
        self.widget = w.VBox([w.HBox([self.title, self.lang_toggle]), self.notice,
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
        self.title.value = f"<h2>{_esc(ui('scenarios_title', self.lang, year=app_context().plan.info.end))}</h2>"
        options = self._choices()
        value = self.choice.value or self._indicator or options[0][1]
        self.choice.options = options
        self.choice.value = value
        self.choice.description = ui("indicator", self.lang)
        if hasattr(self, "start"):
            self.start.description = ui("start", self.lang)

    def selected_ids(self) -> list[str]:
        plan = app_data()[0]
        key = self.choice.value
        if key.startswith("group:"):
            return plan.indicators.loc[plan.indicators["category_zh"] == key.split(":", 1)[1], "indicator_id"].tolist()
        return [key]

    def refresh(self) -> None:
        ids = self.selected_ids()
        self.rows = [_ScenarioRow(i, self.lang, self.start.value, compact=len(ids) > 1, guard=self._guard)
                     for i in ids]
        self.rows_box.children = [r.widget for r in self.rows]


class _ScenarioRow:
    """One indicator in the scenarios app: slider, reset button, outcome and chart."""

    def __init__(self, indicator_id: str, lang: str, start_year: int | None = None, compact: bool = False,
                 guard=lambda callback: callback):
        w = _widgets()
        plan, observed = app_data()
        start_year = plan.info.end - 1 if start_year is None else start_year
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
        low, high = (trend - span if start["kind"] != "flow" else max(0.0, trend - span)), trend + span
        if info["target_kind"] == "level" and info["unit"] == "%":  # a share or rate stays within 0–100 %
            years = start["target_year"] - start["latest_year"]
            low = max(low, -start["latest_value"] / years)
            high = min(high, (100.0 - start["latest_value"]) / years)
        self.trend = round(trend / step) * step
        self.slider = w.FloatSlider(value=self.trend, min=math.ceil(round(low / step, 6)) * step,
                                    max=math.floor(round(high / step, 6)) * step, step=step,
                                    description=ui(label, lang), continuous_update=False,
                                    readout_format=f".{max(0, -int(math.log10(step)))}f",
                                    style={"description_width": "initial"}, layout=w.Layout(width="460px"))
        self.slider.add_class("pa-slider")
        self.reset = w.Button(description=ui("reset", lang), icon="")
        self.reset.add_class("pa-reset")
        self.reset.on_click(guard(lambda _: setattr(self.slider, "value", self.trend)))
        self.slider.observe(guard(lambda change: self.update()), names="value")
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
        colour, ink = _badge(out["colour"], blank="#bdbdbd")
        label = out["status_zh"] if lang == "zh" else out["status_en"]
        unit = app_data()[0].indicator(self.indicator_id)["unit"]
        unit = unit if isinstance(unit, str) else ""
        projected = f'{_fmt(out["projected"], 3)}{"%" if out["kind"] == "growth" else " " + unit}'
        self.outcome.value = (
            f'<table class="pa-table"><tr><th>{_esc(ui("latest", lang))}</th>'
            f'<td>{_fmt(out["latest_value"], 3)} {_esc(unit)}'
            f'{"（" if lang == "zh" else " ("}{out["latest_year"]}{_esc(ui("year_suffix", lang))}{"）" if lang == "zh" else ")"}</td></tr>'
            f'<tr><th>{_esc(ui("observed_trend", lang))}</th><td>{_fmt(out["trend"], 3)}</td></tr>'
            f'<tr><th>{_esc(ui("required_pace", lang))}</th><td>{_fmt(out["required"], 3)}</td></tr>'
            f'<tr><th>{_esc(ui("projected", lang, year=out["target_year"]))}</th><td class="pa-projected">{_esc(projected)}</td></tr>'
            f'<tr><th>{_esc(ui("target", lang))}</th><td>{_esc(out["target"])}</td></tr>'
            f'<tr><th>{_esc(ui("verdict_final", lang))}</th><td><span class="pa-status pa-scenario-verdict" '
            f'data-status="{_esc(out["status_id"])}" style="background:{colour};color:{ink}">{_esc(label)}</span>'
            f' <span class="pa-note">{_esc(out["reason_zh"] if lang == "zh" else out["reason_en"])}</span></td></tr></table>')
        if self.projection_chart is not None:
            projection = _charted_projection(out)
            self.chart.value = (f'<div data-projection="{_fmt(projection, 3)}">'
                                f'{self.projection_chart.svg(projection)}</div>')

    def _projection_chart(self, info, observed):
        """The trajectory up to the start year, ready to redraw with any projection the
        slider can reach (from its lowest to its highest value)."""
        from ..present import charts

        ends = [_charted_projection(scenario_outcome(self.indicator_id, value, self.start_year))
                for value in (self.slider.min, self.slider.max)]
        rows = observed[(observed["indicator_id"] == self.indicator_id) & (observed["year"] <= self.start_year)]
        return charts.ProjectionChart(info, rows, span=(min(ends), max(ends)), lang=self.lang)


def _charted_projection(outcome: dict) -> float:
    """What a scenario's chart projects to the target year: the level (or five-year sum), or
    for growth targets the assumed annual rate."""
    return outcome["annual"] if outcome["kind"] == "growth" else outcome["projected"]


def scenarios_app(lang: str = "zh", indicator: str | None = None) -> ScenariosApp:
    """The scenarios app.

    It builds :class:`ScenariosApp` (a chart per indicator, a few seconds); the verdict a
    slider shows comes from :func:`scenario_outcome`:

    >>> scenario_outcome("urbanisation_rate", -1.0)["is_met"]  # 75.5 − 1.0 = 74.5 in 2025
    False
    """
    return ScenariosApp(lang, indicator)
