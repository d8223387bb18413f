"""The apps' logic without a browser: cards, filters, counts, verdicts, scenarios, config."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from plananalysis.run import apps
from plananalysis import widgets as W
from plananalysis.errors import ParameterError


@pytest.fixture(scope="module")
def cards():
    return W.scorecard_cards(W.assessment(2023), "zh")


def test_cards_carry_value_target_and_completion(cards):
    card = {c["indicator_id"]: c for c in cards}["urbanisation_rate"]
    # 71 (2020) → 74.2 (2023), target 75: P = 3.2/4 = 0.8, E = 3/5 = 0.6
    assert card["latest"] == "74.2" and card["latest_year"] == 2023
    assert card["completion"] == pytest.approx(0.8) and card["elapsed"] == pytest.approx(0.6)
    assert card["target"] == "75左右" and card["status_label"] == "快于预期"


def test_cards_without_data_say_so(cards):
    card = {c["indicator_id"]: c for c in cards}["talent_total"]
    assert not card["has_data"] and card["latest"] == "" and card["status_label"] == "无数据"
    html = W.card_html(card, "zh")
    assert "无规划口径数据" in html and 'href="explorer.ipynb?indicator=talent_total&amp;lang=zh' in html
    # beds per 1000 has its 2020 value only: the card says so rather than "no data" alone
    beds = {c["indicator_id"]: c for c in cards}["hospital_beds_per_1000"]
    assert "无规划口径数据（仅有2020年基期数据）" in W.card_html(beds, "zh")
    beds_en = {c["indicator_id"]: c for c in W.scorecard_cards(W.assessment(2023), "en")}["hospital_beds_per_1000"]
    page = unescape(W.card_html(beds_en, "en"))
    assert "No value on the plan's basis after the base year" in page and "Target: 7.5" in page


def test_sparklines_stop_at_the_as_of_year(cards):
    # urbanisation has values for 2021–2025: judged as of 2022, its card shows 2021–2022 only
    card = {c["indicator_id"]: c for c in cards}["urbanisation_rate"]

    def years_drawn(as_of):
        return {int(y) % 100 for y in re.findall(r'data-year="(\d{4})"', W.scorecard_html([card], "zh", as_of))}

    assert years_drawn(2022) == {21, 22} and years_drawn(2025) == {21, 22, 23, 24, 25}


def test_counts_add_up_and_follow_the_filters(cards):
    counts = W.status_count_items(cards)
    assert sum(i["count"] for i in counts) == 25
    assert [i["order"] for i in counts] == sorted(i["order"] for i in counts)
    governance = W.filter_cards(cards, category="社会治理")
    assert [c["no"] for c in governance] == [23, 24, 25]
    chapter_4 = W.filter_cards(cards, chapter=4)
    assert {c["indicator_id"] for c in chapter_4} >= {"urban_new_jobs", "surveyed_unemployment_rate"}
    assert W.filter_cards(cards, category="社会治理", status="no_data") == [
        c for c in governance if c["status_id"] == "no_data"]


def test_english_labels():
    card = W.scorecard_cards(W.assessment(2023), "en")[2]
    assert card["name"] == "Urbanisation rate of resident population"
    assert card["status_label"] == "Ahead of schedule"
    assert W.ui("reset", "en") == "Reset to observed trend"


def test_method_verdicts_differ_by_method():
    verdicts = {v["method"]: v for v in W.method_verdicts("urbanisation_rate", 2023)}
    assert list(verdicts) == ["cn-schedule", "eurostat", "open-sdg", "sdsn"]
    assert verdicts["cn-schedule"]["status_id"] == "ahead"
    # SDSN: linear pace (74.2 − 71)/3 = 1.0667 against (75 − 71)/5 = 0.8 a year → q = 1.333 ≥ 1
    assert verdicts["sdsn"]["status_id"] == "on_track"
    assert verdicts["sdsn"]["value"] == pytest.approx(1.0667 / 0.8, abs=1e-3)


def test_observations_have_sources():
    rows = W.observation_rows(W.app_data()[1], "urbanisation_rate")
    assert [r["year"] for r in rows] == sorted(r["year"] for r in rows)
    assert all(r["source_title"] for r in rows)
    assert any(r["source_url"].startswith("http") for r in rows)


def test_scenario_projection_and_verdict():
    # 75.5 in 2024; +0.5 a year → 76.0 in 2025: P = (76 − 71)/(75 − 71) = 1.25 ≥ 1.05 → 超额完成
    up = W.scenario_outcome("urbanisation_rate", 0.5, start_year=2024)
    assert up["projected"] == pytest.approx(76.0) and up["status_id"] == "exceeded"
    # −1.0 a year → 74.5: P = 3.5/4 = 0.875 < 0.9 → 未完成
    down = W.scenario_outcome("urbanisation_rate", -1.0, start_year=2024)
    assert down["projected"] == pytest.approx(74.5) and down["status_id"] == "not_completed"
    # from 2023 (74.2), +0.3 a year for two years → 74.8: P = 3.8/4 = 0.95, the 左右 tolerance → 完成
    mid = W.scenario_outcome("urbanisation_rate", 0.3, start_year=2023)
    assert mid["projected"] == pytest.approx(74.8) and mid["status_id"] == "completed"
    assert W.scenario_outcome("talent_total", 1.0)["status_id"] == "no_data"


@pytest.mark.parametrize("indicator_id", ["reading_rate", "comprehensive_enforcement_share"])
def test_scenario_sliders_keep_a_share_within_0_to_100_percent(indicator_id):
    # reading rate: 91 % in 2021, four years to 2025: +2.25 a year is the most that stays ≤ 100 %
    row = W.scenarios_app(indicator=indicator_id).rows[0]
    ends = [W.scenario_outcome(indicator_id, v, row.start_year)["projected"] for v in (row.slider.min, row.slider.max)]
    assert 0 <= ends[0] < ends[1] <= 100
    assert row.slider.min <= row.trend <= row.slider.max


def test_explorer_chart_stops_at_the_as_of_year():
    # urbanisation: 75.5 in 2024 is after a 2023 review, but part of a 2025 one
    mid, final = (W.explorer_app(as_of=year, indicator="urbanisation_rate").chart.value for year in (2023, 2025))
    assert "year: 2024; value: 75.5" not in mid and "year: 2024; value: 75.5" in final


def test_apps_build_and_react():
    scorecard = W.scorecard_app()
    scorecard.category.value = "社会治理"
    assert scorecard.grid.value.count('class="pa-card"') == 3
    explorer = W.explorer_app().apply_query("indicator=culture_industry_share&lang=en&as_of=2025")
    assert explorer.lang_toggle.value == "en" and explorer.as_of.value == 2025
    assert "culture and related industries" in explorer.heading.value
    explorer.method.value = "eurostat"
    assert 'class="pa-current" data-method="eurostat"' in explorer.methods.value
    explorer.indicator.value = "target:ch02-t01"          # a catalogue target restating row 1
    assert "ch02-t01" in explorer.heading.value
    scenarios = W.scenarios_app(indicator="urbanisation_rate")
    row = scenarios.rows[0]
    row.slider.value = -1.0
    assert "74.5" in row.outcome.value and 'data-status="not_completed"' in row.outcome.value
    assert row.chart.value.startswith('<div data-projection="74.5"><svg')   # the chart follows
    row.reset.click()
    assert row.slider.value == pytest.approx(row.trend)


def test_voila_runtime_config(tmp_path):
    runtime = apps.write_runtime(tmp_path, pool_size=3)
    config = json.loads((runtime / "voila.json").read_text(encoding="utf-8"))
    vc = config["VoilaConfiguration"]
    assert vc["preheat_kernel"] is True and vc["show_tracebacks"] is False and vc["strip_sources"] is True
    assert config["VoilaKernelManager"]["kernel_pools_config"]["explorer.ipynb"] == {"pool_size": 3}
    # the pool is refilled after the viewer's page has drawn, not while it loads
    assert config["VoilaKernelManager"]["fill_delay"] == apps.FILL_DELAY >= 3
    assert config["MappingKernelManager"]["cull_idle_timeout"] == apps.CULL_IDLE_TIMEOUT
    template = (runtime / "share/voila/templates/plananalysis")
    assert "cdn.jsdelivr" not in (template / "page.html").read_text(encoding="utf-8")
    cmd = apps.build_voila_command("127.0.0.1", 9001, runtime)
    assert str(apps.APPS_DIR) in cmd and "--Voila.port=9001" in cmd
    with pytest.raises(ParameterError):
        apps.build_voila_command(port=70000)
    with pytest.raises(ParameterError):
        apps.pool_config(-1)


def test_app_subcommand_is_registered():
    from plananalysis.run.cli import build_parser

    args = build_parser().parse_args(["app", "--port", "9100", "--pool-size", "0"])
    assert (args.host, args.port, args.pool_size) == ("127.0.0.1", 9100, 0)
