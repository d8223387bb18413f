"""Any plan, any period, any region (issue 12): plans of other shapes go through every step.

Fixtures besides the shipped plan: ``hz-demo`` (a city, chapters but no previous-plan table and no
prose catalogue), ``cn-national-14th`` (the national 14th plan's headline table, 2021–2025: a
qualitative row, relational rows, ``*`` cells with their table note, 约束性 rows, compounded
reductions) and ``cn-national-15th`` (2026–2030).  Each loads, is checked, reviewed in full and
(in tests/test_apps_browser.py) served as apps; broken copies give one clear error each.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from plananalysis.context import review_context
from plananalysis.errors import PlanDataError
from plananalysis.plan.folder import load_plan
from plananalysis.run.review import review_folder
from plananalysis.params import validate

from .conftest import ROOT, TEST_DATA

PLANS = TEST_DATA / "plans"
FIXTURES = ["hz-demo", "cn-national-14th", "cn-national-15th"]
CLI = [sys.executable, "-m", "plananalysis.run.cli"]


def cli(*args, cwd=ROOT, env=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.mark.parametrize("name", FIXTURES)
def test_each_fixture_loads_and_passes_check(name):
    result = cli("check", "--plan", str(PLANS / name))
    assert result.returncode == 0, result.stderr
    assert "数据检查通过" in result.stdout and "无法评估" not in result.stdout


def test_a_relative_plan_path_is_taken_from_where_the_command_runs():
    result = cli("summary", "--plan", "plans/hz-demo", cwd=TEST_DATA)
    assert result.returncode == 0, result.stderr
    assert "hz-demo" in result.stdout


def test_the_national_table_is_read_with_its_notes():
    plan = load_plan(PLANS / "cn-national-14th")
    rows = plan.indicators.set_index("indicator_id")
    # 60.6* with the note "带*的为2019年数据": a 2019 base value, printed cell kept verbatim
    assert rows.loc["urbanisation_rate", "baseline_printed"] == "60.6*"
    assert (float(rows.loc["urbanisation_rate", "baseline_value"]), int(rows.loc["urbanisation_rate", "baseline_year"])) == (60.6, 2019)
    assert rows.loc["gdp_growth", "target_kind"] == "qualitative"
    assert rows.loc["labour_productivity_growth", "target_op"] == "≥"          # 高于GDP增长
    assert rows.loc["disposable_income_growth", "target_op"] == "≈"            # 与GDP增长基本同步
    assert (rows["attribute"] == "binding").sum() == 8
    assert float(rows.loc["energy_intensity_reduction", "target_value"]) == 13.5


# The NDRC's mid-term report on the national 14th plan (Dec 2023) rated each indicator; where the
# fixture has the data, the engine must agree (docs/research/cn-national-14th-midterm-verdicts.csv).
# Energy intensity, 〔13.5〕 binding: 7.3 % by 2023 against the constant-rate path 1 − 0.865^(3/5)
# = 8.33 %: P = 7.3/13.5 = 0.541, E = 8.33/13.5 = 0.617, q = 0.876 → 滞后 (below 1.0 for a binding
# target; it would be below the expected band's 0.9 too).  CO2 〔18〕: 4.9 % against
# 1 − 0.82^(3/5) = 11.23 %, q = 0.436 → 滞后.
OFFICIAL_MIDTERM = {
    "labour_productivity_growth": "基本符合预期", "urbanisation_rate": "提前实现", "rd_growth": "快于预期",
    "high_value_patents_per_10k": "快于预期", "disposable_income_growth": "基本符合预期",
    "surveyed_unemployment_rate": "基本符合预期", "energy_intensity_reduction": "滞后",
    "co2_intensity_reduction": "滞后", "surface_water_class_iii": "提前实现", "forest_coverage": "快于预期",
}


def test_the_national_mid_term_matches_the_official_verdicts():
    review = review_context(plan=PLANS / "cn-national-14th", as_of=2023)
    table = review.progress.set_index("indicator_id")
    undated = review.indicator_results().set_index("id")["undated"]   # the label without its data year and grade
    got = {i: undated[i] for i in OFFICIAL_MIDTERM}
    assert got == OFFICIAL_MIDTERM
    # air quality fell (87 → 85.5): the report says 滞后; the engine's finer label is 逆向 (moving away)
    assert table.loc["air_quality_good_days", "status_id"] == "reverse"
    assert table.loc["gdp_growth", "status_zh"] == "定性目标"


def test_the_national_final_review_uses_final_and_estimate_labels():
    review = review_context(plan=PLANS / "cn-national-14th", as_of=2025)
    table = review.progress
    undated = review.indicator_results().set_index("id")["undated"]   # the label without its data year and grade
    allowed = {"超额完成", "完成", "基本完成", "未完成", "无数据", "定性目标"}
    labels = set(undated)
    assert all(label in allowed or label.startswith("预计") for label in labels), labels
    # CO2 intensity: 5 yearly declines compound to 16.71 % < 〔18〕, binding → 未完成
    co2 = table.set_index("indicator_id").loc["co2_intensity_reduction"]
    assert undated["co2_intensity_reduction"] == "未完成" and co2.latest_value == pytest.approx(16.71, abs=0.01)


def test_a_plan_of_another_period():
    context = review_context(plan=PLANS / "cn-national-15th")
    info = context.plan.info
    assert (info.start, info.end, info.base_year, info.midterm_year) == (2026, 2030, 2025, 2028)
    assert context.params.as_of == 2026            # the review due this year: the plan's first year
    with pytest.raises(Exception, match="2026–2030"):
        validate(plan=PLANS / "cn-national-15th", as_of=2025)


# ----------------------------------------------------------------------------- bad plan folders

def _copy(tmp_path, name="hz-demo") -> Path:
    target = tmp_path / name
    shutil.copytree(PLANS / name, target)
    return target


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _break_missing_file(folder):
    (folder / "indicators.csv").unlink()
    return "indicators.csv", None, None


def _break_unknown_column(folder):
    _rewrite(folder / "indicators.csv", "chapter_note", "chapter_notes")
    return "indicators.csv", 1, "chapter_notes"


def _break_unreadable_cell(folder):
    _rewrite(folder / "indicators.csv", ",75左右,", ",75左有,")
    return "indicators.csv", 2, "target_printed"


def _break_note_without_year(folder):
    _rewrite(folder / "indicators.csv", ",71,75左右,", ",71*,75左右,")   # a * the plan's notes do not explain
    return "indicators.csv", 2, "baseline_printed"


def _break_plan_yml(folder):
    _rewrite(folder / "plan.yml", "period: {start: 2021, end: 2025, base_year: 2020}",
             "period: {start: 2021, end: 2025}")
    return "plan.yml", None, "period.base_year"


@pytest.mark.parametrize("breaker", [_break_missing_file, _break_unknown_column, _break_unreadable_cell,
                                     _break_note_without_year, _break_plan_yml])
def test_a_bad_plan_folder_is_one_clear_error(tmp_path, breaker):
    folder = _copy(tmp_path)
    name, row, column = breaker(folder)
    with pytest.raises(PlanDataError) as caught:
        load_plan(folder)
    error = caught.value
    assert Path(error.path).name == name and error.row == row and error.column == column
    result = cli("check", "--plan", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and name in result.stderr


def test_a_plan_new_skeleton_passes_check(tmp_path):
    made = cli("plan", "new", "city-15th", "--region", "某市", "--level", "city", "--start", "2026",
               "--dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    checked = cli("check", "--plan", str(tmp_path / "city-15th"))
    assert checked.returncode == 0, checked.stderr
    again = cli("plan", "new", "city-15th", "--region", "某市", "--dir", str(tmp_path))
    assert again.returncode == 2 and "不会覆盖" in again.stderr


# ----------------------------------------------------------------------------- whole reviews

@pytest.mark.slow
def test_every_fixture_is_reviewed(built_review):
    """Each fixture's default review, built with the others in one pool of workers (the run's
    shared reviews, :class:`tests.conftest.BuiltReviews`: tests/test_consistency.py reads them all)."""
    reviews = [validate(plan=PLANS / name) for name in FIXTURES]
    built = built_review.many([(str(PLANS / name), params.as_of, "zh") for name, params in zip(FIXTURES, reviews)])
    tmp_path = built_review.reports
    for params, folder in zip(reviews, built):
        assert folder == review_folder(params, tmp_path)
        names = {p.name for p in folder.iterdir()}
        assert {"index.html", "overview.html", "data_audit.html", "scorecard.xlsx"} <= names
        assert "retrospective.html" not in names          # none of them has a previous-plan table
        assert folder.parent.name == params.plan_id       # a folder per plan: no review overwrites another
    hz = review_folder(reviews[0], tmp_path)
    assert {p.name for p in hz.glob("chapter-*.html")} == {"chapter-01.html", "chapter-02.html", "chapter-03.html"}
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for params in reviews:
        assert f'href="{params.plan_id}/{params.as_of}/index.html"' in index
    national = (review_folder(reviews[1], tmp_path) / "index.html").read_text(encoding="utf-8")
    assert "定性目标" in national and "全国" in national


@pytest.mark.slow
def test_plan_all_reviews_every_shipped_plan(tmp_path, built_review):
    from plananalysis.plan.info import plan_folders

    # each plan's previous review in the folder (built once per session, copied): one notebook a plan
    # runs, and the review of each is written again (whole reviews: tests/test_report_pages.py)
    for folder in plan_folders():
        shutil.copytree(built_review(2023, plan=str(folder)), tmp_path / folder.name / "2023")
    result = cli("review", "--plan", "all", "--as-of", "2023", "--reports-dir", str(tmp_path), "--only", "overview")
    assert result.returncode == 0, result.stdout + result.stderr
    for folder in plan_folders():
        assert (tmp_path / folder.name / "2023" / "index.html").is_file()
        assert f"(report written): {tmp_path / folder.name / '2023'}/index.html" in result.stdout


def test_observed_years_are_limited_to_the_plan_and_today(tmp_path):
    frame = pd.DataFrame({"指标编号": [1], "年份": [2024], "数值": [5.0], "来源名称": ["x"]})
    path = tmp_path / "future.csv"
    frame.to_csv(path, index=False)
    result = cli("data", "import", str(path), "--plan", str(PLANS / "cn-national-15th"), "--dry-run")
    import datetime

    last = min(2030, datetime.date.today().year)
    assert result.returncode == 2 and f"2025–{last}" in result.stderr   # base year 2025 to this year
