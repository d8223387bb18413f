"""Tests of plananalysis.present.charts: specs built from the real plan and observed data, rendering
with the CJK font, and status colours that stay apart in greyscale."""

from __future__ import annotations

import math
import re

import altair as alt
import pandas as pd
import pytest

from plananalysis.present import charts
from plananalysis.errors import PlanDataError
from plananalysis.observed.load import load_observed
from plananalysis.plan.folder import load_plan
from plananalysis.engine.retrospective import retrospective


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def observed():
    return load_observed()


@pytest.fixture(scope="module")
def midterm(plan, observed):
    from plananalysis.context import review_context

    return review_context(as_of=2023).progress   # the review's table: categories and chapters merged in


def rows_of(observed, indicator_id, up_to=None):
    rows = observed[observed["indicator_id"] == indicator_id]
    return rows if up_to is None else rows[rows["year"] <= up_to]


def layers(spec):
    """(layer, data rows) for every leaf layer of a spec, nested layers flattened."""
    out = []

    def walk(node, inherited):
        for layer in node.get("layer", []):
            data = layer.get("data", inherited)   # shared data is hoisted to the parent
            if "layer" in layer:
                walk(layer, data)
            else:
                name = (data or {}).get("name")
                out.append((layer, spec.get("datasets", {}).get(name, [])))

    walk(spec, spec.get("data"))
    return out


def mark(layer):
    m = layer["mark"]
    return m if isinstance(m, str) else m["type"]


def points_of(spec, mark_type):
    """All (year, value) pairs drawn by layers of one mark type."""
    found = set()
    for layer, data in layers(spec):
        if mark(layer) == mark_type:
            for row in data:
                if "year" in row and "value" in row:
                    found.add((round(float(row["year"]), 6), round(float(row["value"]), 6)))
    return found


def line_segments(spec):
    """Two-point line layers as ((x0, y0), (x1, y1)), with their dash pattern."""
    out = []
    for layer, data in layers(spec):
        if mark(layer) == "line" and len(data) == 2:
            a, b = data
            out.append((((a["year"], a["value"]), (b["year"], b["value"])),
                        layer["mark"].get("strokeDash")))
    return out


def rects(spec):
    return [data[0] for layer, data in layers(spec) if mark(layer) == "rect" and len(data) == 1]


# ----------------------------------------------------------------------------- trajectory

def test_urbanisation_trajectory_has_baseline_points_schedule_and_band(plan, observed):
    spec = charts.trajectory(plan.indicator("urbanisation_rate"),
                             rows_of(observed, "urbanisation_rate")).to_dict()
    assert spec["title"]["text"] == "常住人口城镇化率"
    assert "75左右" in spec["title"]["subtitle"][0]
    # baseline 71 (2020) drawn as its own square marker
    baseline = [d for layer, d in layers(spec)
                if mark(layer) == "point" and layer["mark"].get("shape") == "square"]
    assert baseline == [[{"year": 2020, "value": 71.0, "label": "基期 71"}]]
    # the observed points on the plan's basis, 74.2 in 2023 among them
    observed_points = points_of(spec, "point")
    assert {(2021, 72.7), (2022, 73.4), (2023, 74.2), (2024, 75.5), (2025, 76.0)} <= observed_points
    # the 序时进度 path: a dashed line from (2020, 71) to (2025, 75)
    assert (((2020, 71.0), (2025, 75.0)), [6, 4]) in line_segments(spec)
    # 左右: a band of ±5 % of the required change around 75: 0.05 × (75 − 71) = 0.2 → 74.8–75.2
    bands = [r for r in rects(spec) if r["value"] < 75 < r["y1"]]
    assert len(bands) == 1
    assert bands[0]["value"] == pytest.approx(74.8) and bands[0]["y1"] == pytest.approx(75.2)
    # Chinese axis titles
    encodings = [layer["encoding"] for layer, _ in layers(spec) if "encoding" in layer]
    y_titles = {e["y"]["axis"]["title"] for e in encodings if e.get("y", {}).get("axis")}
    x_titles = {e["x"]["axis"]["title"] for e in encodings if e.get("x", {}).get("axis")}
    assert y_titles == {"常住人口城镇化率（%）"} and x_titles == {"年份"}


def test_qualifiers_get_their_own_markers(plan, observed):
    # 2025 urbanisation 76 is '≈' (rounded): an open marker; life expectancy 2024 is '>80': a triangle
    spec = charts.trajectory(plan.indicator("urbanisation_rate"),
                             rows_of(observed, "urbanisation_rate")).to_dict()
    fills = [layer["encoding"]["fill"]["scale"] for layer, _ in layers(spec)
             if "fill" in layer.get("encoding", {})]
    assert fills == [{"domain": ["精确值", "约数（≈）"], "range": ["#1f3b73", "white"]}]
    spec = charts.trajectory(plan.indicator("life_expectancy"),
                             rows_of(observed, "life_expectancy")).to_dict()
    shapes = [layer["encoding"]["shape"]["scale"] for layer, _ in layers(spec)
              if "shape" in layer.get("encoding", {})]
    assert shapes == [{"domain": ["精确值", "下界（高于）"], "range": ["circle", "triangle-up"]}]


def test_other_series_are_grey_context_never_the_indicator(plan, observed):
    # life expectancy 2021: 82.2 comes from the health-index series, not the plan's basis
    spec = charts.trajectory(plan.indicator("life_expectancy"),
                             rows_of(observed, "life_expectancy")).to_dict()
    for layer, data in layers(spec):
        values = {row.get("value") for row in data}
        if 82.2 in values:
            colour = layer["mark"].get("color")
            assert colour == "#a0a0a0", layer["mark"]
            assert layer["mark"].get("stroke") != "#1f3b73"
    ink_layers = [d for layer, d in layers(spec) if layer["mark"].get("stroke") == "#1f3b73"
                  or (mark(layer) == "line" and layer["mark"].get("strokeWidth") == 2)]
    assert ink_layers and all(82.2 not in {r["value"] for r in d} for d in ink_layers)
    # the floor 80以上 is a shaded region from 80 upwards
    floors = [r for r in rects(spec) if r["value"] == 80.0]
    assert len(floors) == 1 and floors[0]["y1"] > 82.2


def test_ceiling_is_shaded_below(plan, observed):
    spec = charts.trajectory(plan.indicator("surveyed_unemployment_rate"),
                             rows_of(observed, "surveyed_unemployment_rate")).to_dict()
    ceilings = [r for r in rects(spec) if r["y1"] == 5.5]
    assert len(ceilings) == 1 and ceilings[0]["value"] < 4.5   # down to the bottom of the plot
    assert not line_segments(spec) or all(dash != [6, 4] for _, dash in line_segments(spec))


def test_projection_line_and_range_from_the_progress_row(plan, observed, midterm):
    progress = midterm.set_index("indicator_id").loc["urbanisation_rate"]
    spec = charts.trajectory(plan.indicator("urbanisation_rate"),
                             rows_of(observed, "urbanisation_rate", up_to=2023), progress).to_dict()
    # linear projection from 2023: 74.2 + (74.2 − 71)/3 × 2 = 76.333…
    assert progress["projection_linear"] == pytest.approx(74.2 + (74.2 - 71) / 3 * 2)
    dotted = [seg for seg, dash in line_segments(spec) if dash == [2, 3]]
    assert dotted == [((2023, 74.2), (2025, progress["projection_linear"]))]
    areas = [d for layer, d in layers(spec) if mark(layer) == "area"]
    assert len(areas) == 1
    end = areas[0][-1]
    assert (end["value"], end["high"]) == (progress["projection_low"], progress["projection_high"])


@pytest.mark.parametrize("indicator_id, span, projection", [
    ("urbanisation_rate", (72.85, 80.4), 77.123),      # a level
    ("urban_new_jobs", (234.6, 645.6), 512.5),          # a five-year sum
    ("disposable_income_growth", (-9.8, 22.8), 6.25),   # an average growth rate
])
def test_projection_chart_redraws_as_a_fresh_chart_would(plan, observed, indicator_id, span, projection):
    rows = rows_of(observed, indicator_id, up_to=2024)
    chart = charts.ProjectionChart(plan.indicator(indicator_id), rows, span=span)
    chart.svg(span[0])  # an earlier redraw leaves nothing behind
    fresh = charts.trajectory(plan.indicator(indicator_id), rows, {"projection_linear": projection},
                              projection_span=span)
    # (Vega numbers clip paths per render: clip1, clip2 …)
    assert same_svg(chart.svg(projection), charts.to_svg(fresh))
    spec = fresh.to_dict()
    if indicator_id == "urban_new_jobs":  # 2021–22 missing: no running sum to project from
        assert not [seg for seg, dash in line_segments(spec) if dash == [2, 3]]
        return
    # the y axis covers every projection the span allows, so it stays still while a slider moves
    (y_scale,) = [layer["encoding"]["y"]["scale"]["domain"] for layer in spec["layer"]
                  if layer["mark"]["type"] == "line"][:1]
    assert y_scale[0] < min(span) and y_scale[1] > max(span)


def test_projection_chart_without_data_has_no_projection(plan):
    chart = charts.ProjectionChart(plan.indicator("talent_total"), None, span=(1.0, 2.0))
    assert same_svg(chart.svg(1.5), chart.svg(1.9))


def same_svg(a: str, b: str) -> bool:
    def clip_ids(svg):
        return re.sub(r"clip\d+", "clip", svg)
    return clip_ids(a) == clip_ids(b)


@pytest.mark.parametrize("progress", [None, {}, {"projection_linear": float("nan")},
                                      pd.Series({"projection_low": 1.0})])
def test_missing_progress_keys_are_fine(plan, observed, progress):
    spec = charts.trajectory(plan.indicator("urbanisation_rate"),
                             rows_of(observed, "urbanisation_rate", up_to=2023), progress).to_dict()
    assert not [d for layer, d in layers(spec) if mark(layer) == "area"]


def test_cumulative_sum_charts_the_running_sum_against_the_schedule(plan, observed):
    row = plan.indicator("urban_new_jobs")
    # without 2021 and 2022 (the shipped data hold them as lower bounds since issue 19): no running sum,
    # the gap is said, the flows are shown
    flows_known = rows_of(observed, "urban_new_jobs")
    spec = charts.trajectory(row, flows_known[flows_known["year"] >= 2023]).to_dict()
    assert "缺2021、2022年数据，无法累计" in spec["title"]["subtitle"]
    bars = [d for layer, d in layers(spec) if mark(layer) == "bar"]
    assert [(r["year"], r["value"]) for r in bars[0]] == [(2023, 116.3), (2024, 118.3)]
    # yearly flows are drawn as flows, on a yearly axis, against the yearly pace needed (400/5),
    # never under the cumulative path to 400 (issue 19)
    assert line_segments(spec) == [(((2021, 80.0), (2025, 80.0)), [6, 4])]
    assert spec["title"]["text"] == "新增城镇就业人数（每年新增）"
    assert spec["layer"][0]["encoding"]["y"]["axis"]["title"].startswith("当年新增")
    # with contiguous flows (synthetic test vector) the sum runs: 100, 100+110=210, 210+90=300
    flows = pd.DataFrame({"year": [2021, 2022, 2023], "value": [100.0, 110.0, 90.0],
                          "qualifier": ["", "≈", ""], "series": "plan"})
    spec = charts.trajectory(row, flows, lang="en").to_dict()
    assert {(2021, 100.0), (2022, 210.0), (2023, 300.0)} <= points_of(spec, "point")
    sums = [d for layer, d in layers(spec) if "fill" in layer.get("encoding", {})][0]
    assert [r["qualifier"] for r in sums] == ["", "≈", "≈"]   # a sum of rounded values is rounded
    assert spec["title"]["text"] == "New urban jobs (sum 2021–2025)"


def test_avg_growth_charts_annual_rates_against_the_floor(plan, observed):
    spec = charts.trajectory(plan.indicator("disposable_income_growth"),
                             rows_of(observed, "disposable_income_growth")).to_dict()
    assert {(2021, 9.8), (2024, 5.0)} <= points_of(spec, "point")
    floors = [r for r in rects(spec) if r["value"] == 5.5]
    assert len(floors) == 1 and floors[0]["y1"] > 9.8
    # separate years' rates: no line joins 2021 to 2024
    assert not [d for layer, d in layers(spec) if mark(layer) == "line" and len(d) == 2
                and {r["year"] for r in d} == {2021, 2024}]


def test_baseline_from_another_year(plan):
    # 健康产业: 6(2019年) → 6.5以上 in 2025; the path starts in 2019
    spec = charts.trajectory(plan.indicator("health_industry_share"), None).to_dict()
    assert (((2019, 6.0), (2025, 6.5)), [6, 4]) in line_segments(spec)
    assert spec["title"]["subtitle"][0] == "目标：6.5以上（2025年）；基期：6（2019年）"
    assert "暂无数据" in spec["title"]["subtitle"]


def test_english_labels(plan, observed):
    spec = charts.trajectory(plan.indicator("urbanisation_rate"),
                             rows_of(observed, "urbanisation_rate"), lang="en").to_dict()
    assert spec["title"]["text"] == "Urbanisation rate of resident population"
    text = str(spec)
    assert "Year" in text and "年份" not in text and "基期" not in text
    with pytest.raises(ValueError, match="lang"):
        charts.trajectory(plan.indicator("urbanisation_rate"), None, lang="fr")


def test_bad_qualifier_is_named(plan):
    bad = pd.DataFrame({"year": [2023], "value": [74.2], "qualifier": ["~"]})
    with pytest.raises(PlanDataError, match="qualifier"):
        charts.trajectory(plan.indicator("urbanisation_rate"), bad)


# ----------------------------------------------------------------------------- progress charts

def test_status_counts_in_the_method_order(midterm):
    spec = charts.status_counts(midterm).to_dict()
    data = layers(spec)[0][1]
    statuses = charts.status_table("cn-schedule", "midterm")
    assert [d["status"] for d in data] == statuses["label_zh"].tolist()
    labels = dict(zip(statuses["status_id"], statuses["label_zh"]))   # labels carry their evidence (issue 19)
    counts = midterm["status_id"].map(labels).value_counts().to_dict()
    assert {d["status"]: d["count"] for d in data} == {s: counts.get(s, 0) for s in statuses["label_zh"]}
    assert sum(d["count"] for d in data) == 25
    colour = layers(spec)[0][0]["encoding"]["color"]["scale"]
    assert colour["range"] == statuses["colour"].tolist()   # from the shared table


def test_status_matrix_counts_per_category(midterm):
    spec = charts.status_matrix(midterm, lang="en").to_dict()
    cells = layers(spec)[0][1]
    assert sum(c["count"] for c in cells) == 25
    assert {c["category"] for c in cells} == {"Employment and income", "Public services",
                                              "Social industries", "Social governance"}
    # text colour chosen for contrast: white on the darkest status, black on white
    by_status = {c["status"]: c["text_colour"] for c in cells}
    assert by_status.get("Achieved ahead of time", "#ffffff") == "#ffffff"
    assert by_status.get("No data", "#000000") == "#000000"


def test_completion_bars_midterm_and_retrospective(midterm):
    spec = charts.completion_bars(midterm).to_dict()
    data = layers(spec)[0][1]
    urban = next(d for d in data if d["name"] == "常住人口城镇化率")
    # (74.2 − 71)/(75 − 71) = 0.8 against 3/5 = 0.6
    assert urban["completion"] == pytest.approx(0.8) and urban["schedule"] == pytest.approx(0.6)
    assert all(not math.isnan(d["completion"]) for d in data)
    # the 13th-plan retrospective: P against 1, verdict colours
    table = retrospective()
    spec = charts.completion_bars(table, phase="final", schedule_share=1.0).to_dict()
    rules = [d for layer, d in layers(spec) if mark(layer) == "rule"]
    assert rules == [[{"schedule": 1.0, "label": "序时进度 100%"}]]
    income = next(d for d in layers(spec)[0][1] if d["name"] == "居民人均可支配收入")
    # (52397 − 35537)/(52600 − 35537) = 16860/17063 = 0.98810
    assert income["completion"] == pytest.approx(16860 / 17063) and income["status"] == "基本完成"


def test_unknown_status_is_named():
    with pytest.raises(PlanDataError, match="on_time"):
        charts.status_counts(pd.DataFrame({"status_id": ["on_time"]}))


def test_sparkline_draws_only_the_plan_series(observed):
    spec = charts.sparkline(rows_of(observed, "life_expectancy"), target=80).to_dict()
    values = {r.get("value") for _, d in layers(spec) for r in d}
    assert 82.2 not in values and 79.2 in values and 80.0 in values
    assert spec["width"] == 120


# ----------------------------------------------------------------------------- status colours

def cie_lightness(colour: str) -> float:
    """CIE L* (0 black … 100 white) of an sRGB hex colour: what is left after grey printing."""
    h = colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_lightness_helper():
    assert cie_lightness("#000000") == pytest.approx(0, abs=1e-9)
    assert cie_lightness("#ffffff") == pytest.approx(100)
    assert cie_lightness("#777777") == pytest.approx(50.0, abs=0.3)   # mid grey


@pytest.mark.parametrize("method, phase", [("cn-schedule", "midterm"), ("cn-schedule", "final"),
                                           ("eurostat", "any"), ("open-sdg", "any"),
                                           ("sdsn", "any")])
def test_status_colours_stay_apart_in_greyscale(method, phase):
    table = charts.status_table(method, phase)
    verdicts = table[~table["status_id"].isin(["qualitative", "not_assessable"])]   # not verdicts: outlined
    # methods with target and no-target bands: each family is its own ramp
    for family in (verdicts[~verdicts["status_id"].str.endswith("_no_target")],
                   verdicts[verdicts["status_id"].str.endswith("_no_target")]):
        lightness = [cie_lightness(c) for c in family["colour"]]
        steps = [b - a for a, b in zip(lightness, lightness[1:])]
        assert all(step >= 8 for step in steps), (method, phase, list(family["status_id"]), lightness)
    domain, colours = charts.status_palette(method, phase)
    assert len(domain) == len(colours) == len(table)


# ----------------------------------------------------------------------------- theme and rendering

def test_theme_sets_the_cjk_font_and_chinese_locale():
    assert charts.use_theme() == "plananalysis"
    try:
        spec = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").to_dict()
        assert spec["config"]["font"].startswith("Noto Sans CJK SC")
        assert spec["config"]["locale"]["time"]["shortDays"][0] == "周日"
    finally:
        alt.theme.enable("default")


def test_svg_keeps_chinese_text_and_the_font_family(plan, observed):
    chart = charts.trajectory(plan.indicator("urbanisation_rate"), rows_of(observed, "urbanisation_rate"))
    svg = charts.to_svg(chart)
    assert svg.startswith("<svg")
    assert "常住人口城镇化率" in svg and "序时进度" in svg
    assert re.search(r'font-family="Noto Sans CJK SC, [^"]*sans-serif"', svg)
    # numbers formatted with the theme's format: year ticks without a thousands separator
    assert ">2023<" in svg and ">2,023<" not in svg


def title_png(text: str) -> bytes:
    chart = alt.Chart(pd.DataFrame({"x": [0]})).mark_point(opacity=0).encode(
        x=alt.X("x:Q", axis=None)).properties(title=text, width=10, height=10)
    return charts.to_png(chart, scale=1)


def test_png_draws_chinese_glyphs_not_tofu():
    png = title_png("城镇化率")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # Missing glyphs all render as the same box (or nothing), so a permutation of the same
    # characters would give the very same image; real glyphs give a different one.
    assert png != title_png("率化镇城")
    assert png != title_png("")
    assert any("noto" in folder.lower() or "wqy" in folder.lower() for folder in charts.register_fonts()) \
        or __import__("os").environ.get("PLANANALYSIS_FONT_DIR")


def test_png_scale_doubles_the_size():
    import struct

    def size(png):
        return struct.unpack(">II", png[16:24])  # IHDR width, height

    chart = alt.Chart(pd.DataFrame({"x": [0]})).mark_point().properties(width=50, height=50)
    w1, h1 = size(charts.to_png(chart, scale=1))
    w2, h2 = size(charts.to_png(chart, scale=2))
    assert (w2, h2) == (2 * w1, 2 * h1)


def test_dict_specs_get_the_theme_font():
    spec = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").to_dict()
    assert "Noto Sans CJK SC" in charts.to_svg(spec)


def test_offline_rendering_uses_the_svg_renderer():
    before = alt.renderers.active
    try:
        charts.enable_offline_rendering()
        assert alt.renderers.active == "svg"
        assert alt.theme.active == "plananalysis"
        bundle = alt.Chart(pd.DataFrame({"x": [1]}), title="城镇化率").mark_point().encode(
            x="x:Q")._repr_mimebundle_()
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        assert "城镇化率" in bundle["image/svg+xml"]
    finally:
        alt.renderers.enable(before)
        alt.theme.enable("default")
