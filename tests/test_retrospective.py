"""The 13th-plan retrospective (Table 1, final method): hand-checked verdicts."""

import pytest

from plananalysis.plan.folder import load_plan
from plananalysis.engine.retrospective import retrospective, summary_line


@pytest.fixture(scope="module")
def table():
    return retrospective(load_plan())


@pytest.fixture(scope="module")
def rows(table):
    return table.set_index("indicator_id")


def test_one_row_per_table1_line(table):
    assert len(table) == 29                       # 28 numbered rows, row 16 split in 16a and 16b
    assert table["indicator_id"].is_unique
    assert (table["phase"] == "final").all()


@pytest.mark.parametrize("indicator_id,status,share", [
    # 35537 → 52600, actual 52397: P = 16860/17063 = 0.9881 → 基本完成
    ("disposable_income", "基本完成", 0.98810),
    # 4.92 → 6, 5.99 (2019): P = 1.07/1.08 = 0.9907; a 2019 value in a 2020 final review is an
    # estimate (issue 14): the 2015–2019 pace, 0.2675 a year, reaches 6.2575 ≥ 6 by 2020 → 预计完成
    ("hospital_beds_per_1000", "预计完成（据2019年数据）", 0.99074),
    # 1075 → 1400, 1400: P = 325/325 = 1 → 完成 (not exceeded: P < 1.05)
    ("talent_total", "完成", 1.0),
    # 5.7 → 8, 7.54: P = 1.84/2.3 = 0.8 → 未完成
    ("culture_industry_share", "未完成", 0.8),
    # 6.4 → 8, 6.8: P = 0.4/1.6 = 0.25 → 未完成
    ("tourism_industry_share", "未完成", 0.25),
    # 0.88 (2014) → 1.2, 1.4: P = 0.52/0.32 = 1.625 → 超额完成
    ("sports_industry_share", "超额完成", 1.625),
    # deaths 0.112 → 0.067 (lower is better), 0.016: P = −0.096/−0.045 = 2.1333 → 超额完成
    ("work_safety_death_rate", "超额完成", 2.13333),
    # 〔600〕 against 〔400〕: P = 600/400 = 1.5 → 超额完成
    ("urban_new_jobs", "超额完成", 1.5),
    # PM2.5 〔43.2〕 against 〔20〕: P = 2.16 → 超额完成
    ("pm25_reduction", "超额完成", 2.16),
])
def test_hand_checked_verdicts(rows, indicator_id, status, share):
    assert rows.loc[indicator_id, "status_zh"] == status
    assert rows.loc[indicator_id, "completion_share"] == pytest.approx(share, abs=1e-5)


def test_income_short_by_039_percent(rows):
    # (52397 − 52600)/52600 = −0.3859 %
    assert rows.loc["disposable_income", "gap_share"] == pytest.approx(-0.003859, abs=1e-6)
    assert "距目标差0.39%" in rows.loc["disposable_income", "reason_zh"]


def test_beds_2019_value_is_used_and_said(rows):
    row = rows.loc["hospital_beds_per_1000"]
    assert row.latest_year == 2019 and row.reason_zh.startswith("最新数据为2019年")


def test_maintain_ceiling_and_floor_rows(rows):
    assert (rows.loc["medical_insured", "rule"], rows.loc["medical_insured", "status_zh"]) == ("maintain", "完成")
    natural = rows.loc["natural_growth_rate"]      # <6 ceiling, 5.02 already under it; 4.99 (2019)
    assert (natural.rule, natural.has_path, natural.status_zh) == ("ceiling", False, "预计完成（据2019年数据）")
    assert rows.loc["private_hospital_beds_share", "status_zh"] == "完成"   # >25, no base, 28.99


def test_food_and_drug_row_has_two_parts(rows):
    row = rows.loc["food_drug_pass_rate"]
    assert row.part == "食品、药品"
    assert row.status_zh == "完成"
    assert row.reason_zh.startswith("食品：2020年>96%（仅知界值）")
    assert "药品：2020年100%" in row.reason_zh
    assert "观测值仅为界值" in row.caveats


def test_summary_line(table):
    # completed: 19 exceeded + 4 completed (medical insurance, talent, private beds, food and
    # drug) = 23; 1 basically completed; three rows rest on 2019 values (beds, natural growth,
    # health industry share 6 against >5.4): estimates, named with their year; 2 not completed
    assert summary_line(table) == (
        "29项指标中23项完成（其中19项超额完成），1项基本完成（居民人均可支配收入），"
        "3项预计完成（每千人拥有医疗床位数（据2019年数据）、人口自然增长率（据2019年数据）、"
        "健康产业增加值占GDP比重（据2019年数据）），"
        "2项未完成（文化及相关产业增加值占GDP比重、旅游业增加值占GDP比重）")


def test_other_methods_run_on_table1():
    table = retrospective(load_plan(), method="eurostat")
    rows = table.set_index("indicator_id")
    # culture 5.7 → 7.54 against 8: RR = ((7.54/5.7)^(1/5) − 1)/((8/5.7)^(1/5) − 1)
    #   = 0.057546/0.070146 = 0.8204 → moderate progress
    assert rows.loc["culture_industry_share", "method_value"] == pytest.approx(0.8204, abs=1e-4)
    assert rows.loc["culture_industry_share", "status_id"] == "moderate_progress"
