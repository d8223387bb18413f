"""The three apps in a real browser (Debian's chromium driven by Playwright), offline.

The pages run under the server's Content-Security-Policy (``script-src 'self'`` and a nonce):
every test fails if the browser reports a violation.  (Waits are written as functions,
``"() => …"``: Playwright evaluates a bare expression with ``eval``, which the policy forbids.)

Every request the page makes to anything but 127.0.0.1 is aborted and recorded; each test
asserts none was attempted.  Expected values come from the same pure functions the apps
use (:mod:`plananalysis.widgets`), so a change in the browser is checked against numbers,
not just against "no error".  Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from plananalysis.run import apps
from plananalysis import widgets as W

from .browser import ARTIFACTS, CHROMIUM, voila_server
from .browser import CHROMIUM_ARGS as ARGS
TIMEOUT = 60_000

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason=f"{CHROMIUM} is missing (make browser installs it)")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # a reports folder with one review in it, as `make review` writes it (reports/<plan>/<as_of>/)
    reports = tmp_path_factory.mktemp("reports")
    review = reports / "zj-social-14th" / "2023"
    review.mkdir(parents=True)
    (review / "index.html").write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>中期评估</title></head>"
                                       "<body><h1 class='review-title'>2023年中期评估</h1></body></html>",
                                       encoding="utf-8")
    with voila_server(tmp_path_factory.mktemp("voila"), pool_size=1, reports_dir=reports) as (url, _log):
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page whose requests outside 127.0.0.1 are aborted and listed in ``page.outside``."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.outside = []

    def route(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            page.outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.csp_violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.csp_violations.append(message.text))
    yield page
    context.close()
    # the Content-Security-Policy (script-src 'self' + nonce) blocked nothing the pages need
    assert page.csp_violations == []


def _open(page, base: str, app: str, query: str = "") -> None:
    page.goto(apps.app_url(app, base) + (f"?{query}" if query else ""), wait_until="commit")
    page.wait_for_selector(f".pa-{app}", state="visible")


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _select(page, css: str, label: str) -> None:
    page.locator(f"{css} select").select_option(label=label)


def test_scorecard_renders_in_chinese_offline(server, page):
    _open(page, server, "scorecard", "as_of=2023")
    page.wait_for_selector(".pa-card svg")                 # sparklines drawn
    cards = W.scorecard_cards(W.assessment(2023), "zh")
    assert page.locator(".pa-card").count() == 25
    assert "指标总览" in page.locator(".pa-title").inner_text()
    first = page.locator(".pa-card").nth(2).inner_text()
    assert cards[2]["name"] in first and cards[2]["latest"] in first and cards[2]["status_label"] in first
    expected = {i["status_id"]: i["count"] for i in W.status_count_items(cards)}
    shown = {chip.get_attribute("data-status"): int(chip.locator(".pa-count").inner_text())
             for chip in page.locator(".pa-chip").all()}
    assert shown == expected
    assert page.locator(".pa-card svg").count() >= 10
    _shot(page, "scorecard")
    assert page.outside == []


def test_scorecard_filters_and_as_of_update_the_cards(server, page):
    _open(page, server, "scorecard", "as_of=2023")
    # category filter: 社会治理 holds Table 2 rows 23–25
    governance = [c["indicator_id"] for c in W.filter_cards(W.scorecard_cards(W.assessment(2023)), "社会治理")]
    assert governance == ["one_network_service_rate", "comprehensive_enforcement_share", "work_safety_death_rate"]
    _select(page, ".pa-category", "社会治理")
    page.wait_for_function("() => document.querySelectorAll('.pa-card').length === 3")
    assert [c.get_attribute("data-indicator") for c in page.locator(".pa-card").all()] == governance
    _select(page, ".pa-category", "全部")
    page.wait_for_function("() => document.querySelectorAll('.pa-card').length === 25")
    # status filter: exactly the cards the engine calls 提前实现
    achieved = [c["indicator_id"] for c in W.scorecard_cards(W.assessment(2023)) if c["status_id"] == "achieved"]
    _select(page, ".pa-status", "★ 提前实现")
    page.wait_for_function(f"() => document.querySelectorAll('.pa-card').length === {len(achieved)}")
    assert sorted(c.get_attribute("data-indicator") for c in page.locator(".pa-card").all()) == sorted(achieved)
    _select(page, ".pa-status", "全部")
    # as_of 2025: final-review labels (完成, 未完成 …) replace the mid-term ones
    final = {i["status_id"]: i["count"] for i in W.status_count_items(W.scorecard_cards(W.assessment(2025)))}
    _select(page, ".pa-as-of", "2025年（终期评估）")
    page.wait_for_function(
        "ids => { const got = [...document.querySelectorAll('.pa-chip')].map(c => c.dataset.status).sort();"
        " return JSON.stringify(got) === JSON.stringify(ids); }", arg=sorted(final))
    shown = {chip.get_attribute("data-status"): int(chip.locator(".pa-count").inner_text())
             for chip in page.locator(".pa-chip").all()}
    assert shown == final
    assert page.outside == []


def test_scorecard_language_toggle_and_click_through(server, page):
    _open(page, server, "scorecard", "as_of=2023")
    page.locator(".pa-lang button", has_text="English").click()
    page.wait_for_function("() => document.querySelector('.pa-title').innerText.includes('Scorecard')")
    page.wait_for_function("() => document.querySelector('.pa-card[data-indicator=\"urbanisation_rate\"]')"
                           ".innerText.includes('Urbanisation rate')")
    assert "Ahead of schedule" in page.locator('.pa-card[data-indicator="urbanisation_rate"]').inner_text()
    page.locator('.pa-card[data-indicator="urbanisation_rate"]').click()
    page.wait_for_url(re.compile(r"explorer\.ipynb\?indicator=urbanisation_rate"))
    page.wait_for_selector(".pa-explorer")
    page.wait_for_function("() => document.querySelector('.pa-heading').innerText.includes('Urbanisation rate')")
    assert page.outside == []


def test_explorer_method_and_indicator_change_the_verdict(server, page):
    _open(page, server, "explorer", "indicator=urbanisation_rate&as_of=2023")
    page.wait_for_selector(".pa-chart svg")
    verdicts = {v["method"]: v for v in W.method_verdicts("urbanisation_rate", 2023, "zh")}
    heading = page.locator(".pa-heading")
    assert "常住人口城镇化率" in heading.inner_text()
    assert verdicts["cn-schedule"]["label"] in page.locator(".pa-verdict-badge").inner_text()
    assert "完成目标进度" in page.locator(".pa-numbers").inner_text()
    # every observed value is listed with a source link
    rows = page.locator(".pa-observations tr.pa-obs")
    assert rows.count() == len(W.observation_rows(W.app_data()[1], "urbanisation_rate"))
    assert page.locator(".pa-observations a.pa-source").count() >= 1
    _shot(page, "explorer")
    page.locator(".pa-method button", has_text="SDSN").click()
    page.wait_for_function("() => document.querySelector('.pa-method-table tr.pa-current').dataset.method === 'sdsn'")
    page.wait_for_function("s => document.querySelector('.pa-verdict-badge').dataset.status === s",
                           arg=verdicts["sdsn"]["status_id"])
    assert verdicts["sdsn"]["label"] in page.locator(".pa-verdict-badge").inner_text()
    # another indicator: the chart is redrawn with its name
    label = dict((v, k) for k, v in W.explorer_choices(lang="zh"))["culture_industry_share"]
    page.locator(".pa-indicator select").select_option(label=label)
    page.wait_for_function("() => document.querySelector('.pa-chart svg') && "
                           "document.querySelector('.pa-chart').innerHTML.includes('文化及相关产业')")
    assert "文化" in heading.inner_text()
    assert page.outside == []


def test_explorer_says_plainly_when_there_is_no_data(server, page):
    _open(page, server, "explorer", "indicator=talent_total")
    page.wait_for_selector(".pa-no-data")
    text = page.locator(".pa-no-data").inner_text()
    assert "暂无规划口径数据" in text and "需要" in text and "1650" in text
    assert page.outside == []


def test_scenarios_slider_changes_the_projection_and_reset_restores_it(server, page):
    _open(page, server, "scenarios", "indicator=urbanisation_rate")
    page.wait_for_selector(".pa-scenario-chart svg")
    assert "情景推演" in page.locator(".pa-title").inner_text()
    # the slider starts on the observed trend (1.125 a year, shown to its 0.01 step)
    start = float(page.locator(".pa-slider .widget-readout").inner_text())
    assert start == pytest.approx(W.scenario_outcome("urbanisation_rate", 0)["trend"], abs=0.01)
    trend_outcome = W.scenario_outcome("urbanisation_rate", start)
    projected = page.locator(".pa-projected")
    assert W.common._fmt(trend_outcome["projected"], 3) in projected.inner_text()
    _shot(page, "scenarios")
    # type −1.0 into the slider's readout: 75.5 (2024) − 1.0 = 74.5 in 2025, P = 3.5/4 → 未完成
    readout = page.locator(".pa-slider .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("-1.0")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.pa-projected').innerText.includes('74.5')")
    # the chart is redrawn with the new projection (its path now ends at 74.5 in 2025)
    page.wait_for_selector('.pa-scenario-chart [data-projection="74.5"] svg')
    expected = W.scenario_outcome("urbanisation_rate", -1.0)
    assert page.locator(".pa-scenario-verdict").get_attribute("data-status") == expected["status_id"] == "not_completed"
    page.locator(".pa-reset").click()
    page.wait_for_function("t => document.querySelector('.pa-projected').innerText.includes(t)",
                           arg=W.common._fmt(trend_outcome["projected"], 3))
    # a group shows one row per indicator of the category
    page.locator(".pa-choice select").select_option(label="指标组：社会治理")
    page.wait_for_function("() => document.querySelectorAll('.pa-scenario').length === 3")
    assert page.outside == []


def test_front_door_shows_the_plan_the_apps_and_the_reviews(server, page):
    response = page.goto(server + "/")
    headers = response.all_headers()   # as the browser received them
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "same-origin" and headers["x-content-type-options"] == "nosniff"
    # the policy is enforced: a script injected into the page does not run
    try:
        page.add_script_tag(content="window.injected = true;")
    except Exception:  # noqa: BLE001 - Chromium may report the blocked script as an error
        pass
    assert page.evaluate("() => window.injected === undefined")
    page.wait_for_timeout(300)
    assert page.csp_violations      # the browser reported it …
    page.csp_violations.clear()     # … and that violation was the point
    assert page.locator(".pa-app h2 > a").all_inner_texts() == ["指标总览", "指标详情", "情景推演"]
    assert page.locator(".pa-plan-title").inner_text() == "浙江省社会发展“十四五”规划"
    assert page.locator(".pa-period").inner_text() == "2021–2025"
    assert page.locator(".pa-region").inner_text() == "浙江省"
    assert page.locator("a.pa-review").inner_text().startswith("2023年（中期评估）")
    _shot(page, "front-door")
    page.locator("a.pa-lang").click()
    page.wait_for_url(re.compile(r"\?lang=en$"))
    assert "Indicator explorer" in page.locator(".pa-apps").inner_text()
    _shot(page, "front-door-en")
    page.locator("a.pa-review").click()   # the review is one click away, served by the same server
    page.wait_for_selector(".review-title")
    assert page.outside == []


def test_static_scorecard_matches_the_app_and_opens_the_explorer(server, page):
    page.goto(server + "/")
    page.locator('.pa-app[data-app="scorecard"] a.pa-open').click()
    page.wait_for_url(re.compile(r"/scorecard"))
    # drawn at start-up; a viewer arriving earlier gets a page that refreshes itself
    page.wait_for_selector(".pa-static .pa-card svg", timeout=TIMEOUT * 2)
    from plananalysis.plan.folder import load_plan

    latest = load_plan().info.reviews_due()[-1]   # the static page opens on the latest review due, as the app does
    cards = W.scorecard_cards(W.assessment(latest), "zh")
    assert page.locator(".pa-card").count() == len(cards) == 25
    assert page.locator(".pa-card svg").count() >= 10
    expected = {i["status_id"]: i["count"] for i in W.status_count_items(cards)}
    shown = {chip.get_attribute("data-status"): int(chip.locator(".pa-count").inner_text())
             for chip in page.locator(".pa-chip").all()}
    assert shown == expected
    assert page.evaluate("document.scripts.length") == 0     # no script, no kernel
    _shot(page, "scorecard-static")
    page.locator('.pa-card[data-indicator="urbanisation_rate"]').click()   # the interactive app, one click away
    page.wait_for_url(re.compile(r"/voila/render/explorer\.ipynb\?indicator=urbanisation_rate"))
    page.wait_for_selector(".pa-explorer .pa-chart svg")
    assert "常住人口城镇化率" in page.locator(".pa-heading").inner_text()
    assert page.outside == []


# ---------------------------------------------------------------- the apps on plans of other shapes (issue 12)

FIXTURE_PLANS = ["hz-demo", "cn-national-14th", "cn-national-15th"]


@pytest.mark.parametrize("name", FIXTURE_PLANS)
def test_the_three_apps_render_for_a_plan_of_another_shape(browser, tmp_path, name):
    from plananalysis.plan.folder import load_plan

    from .conftest import TEST_DATA

    folder = TEST_DATA / "plans" / name
    plan = load_plan(folder)
    with voila_server(tmp_path, pool_size=0, plan=str(folder), reports_dir=tmp_path / "reports") as (url, _log):
        page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
        page.set_default_timeout(TIMEOUT)
        try:
            page.goto(apps.app_url("scorecard", url), wait_until="commit")
            page.wait_for_selector(".pa-card")
            assert page.locator(".pa-card").count() == len(plan.indicators)
            assert plan.title in page.locator(".pa-title").inner_text()
            page.screenshot(path=str(ARTIFACTS / f"apps-{name}-scorecard.png"), full_page=False)
            page.goto(apps.app_url("explorer", url), wait_until="commit")
            page.wait_for_selector(".pa-heading")
            assert plan.indicators["name_zh"].iloc[0] in page.locator(".pa-heading").inner_text()
            page.goto(apps.app_url("scenarios", url), wait_until="commit")
            page.wait_for_selector(".pa-scenario")
            assert str(plan.info.end) in page.locator(".pa-title").inner_text()
            page.goto(url + "/", wait_until="load")
            assert plan.title in page.inner_text("body")
            page.locator('.pa-app[data-app="scorecard"] a.pa-open').click()    # the static scorecard
            page.wait_for_selector(".pa-static .pa-card", timeout=TIMEOUT * 2)
            assert page.locator(".pa-card").count() == len(plan.indicators)
            page.goto(url + "/", wait_until="load")
            page.screenshot(path=str(ARTIFACTS / f"apps-{name}.png"), full_page=False)
        finally:
            page.close()
