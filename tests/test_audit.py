"""The consistency audit finds each listed inconsistency of the plan's own numbers."""

import pandas as pd
import pytest

from plananalysis.engine.audit import audit, severity_for
from plananalysis.plan.folder import load_plan


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def findings(plan):
    observed = pd.DataFrame({
        "indicator_id": ["culture_industry_share", "higher_education_enrolment", "life_expectancy",
                         "life_expectancy", "urbanisation_rate"],
        "region": ["浙江省"] * 5,
        "series": ["plan", "plan", "plan", "health-index", "plan"],
        "year": [2020, 2020, 2020, 2020, 2020],
        "value": [6.95, 62.4, 79.2, 82.2, 71.0],
        "period_note": ["final", "", "", "", ""],
        "source_title": ["src"] * 5,
    })
    return audit(plan, observed).set_index("finding_id")


def test_table1_actuals_against_table2_baselines(findings):
    # culture share 7.54 (Table 1) against 6.6 (Table 2): |7.54 − 6.6|/6.6 = 14.2 % → high
    row = findings.loc["previous_vs_baseline:culture_industry_share"]
    assert (row.severity, row.value_a, row.value_b) == ("high", 7.54, 6.6)
    assert "7.54" in row.explanation_zh and "6.6" in row.explanation_zh
    # higher education 62.4 against 62: 0.4/62 = 0.65 % → low (a rounding)
    row = findings.loc["previous_vs_baseline:higher_education_enrolment"]
    assert row.severity == "low" and "四舍五入" in row.explanation_zh
    # beds 5.99 is a 2019 value in Table 1 and Table 2's 2020 baseline → medium
    assert findings.loc["previous_vs_baseline:hospital_beds_per_1000", "severity"] == "medium"


def test_target_equal_to_base(findings):
    row = findings.loc["target_equals_base:表1:medical_insured"]
    assert (row.value_a, row.value_b, row.severity) == (5195.0, 5195.0, "info")


def test_prose_against_table_quotes_the_text(findings):
    row = findings.loc["prose_vs_table:表1:urban_housing_projects"]
    assert (row.value_a, row.value_b, row.severity) == (116.9, 116.2, "medium")
    assert "116.9万套" in row.evidence and "〔116.2〕" in row.explanation_zh
    # the text's 62.4 against Table 2's 62: a rounding → low
    assert findings.loc["prose_vs_table:表2:higher_education_enrolment", "severity"] == "low"
    # figures that agree are not findings: 五年城镇新增就业600万人 = 〔600〕
    assert "prose_vs_table:表1:urban_new_jobs" not in findings.index


def test_units_misprinted_and_omitted(findings):
    row = findings.loc["unit:表1:work_safety_death_rate"]
    assert (row.value_a, row.value_b, row.severity) == ("%", "人/亿元", "high")
    assert findings.loc["unit:表1:disposable_income", "severity"] == "low"     # no unit printed
    assert "unit:表2:work_safety_death_rate" not in findings.index             # Table 2 prints 人/亿元


def test_observed_against_baseline(findings):
    # culture 2020: 6.95 final against 6.6: 0.35/6.6 = 5.3 % → high
    row = findings.loc["observed_vs_baseline:culture_industry_share"]
    assert (row.value_a, row.value_b, row.severity) == (6.95, 6.6, "high")
    # life expectancy 79.2 against 79.47: 0.34 % → low; the other series (82.2) is not compared
    assert findings.loc["observed_vs_baseline:life_expectancy", "value_a"] == 79.2
    assert findings.index.str.startswith("observed_vs_baseline:urbanisation").sum() == 0   # 71 = 71


def test_sorted_by_severity_and_unique(plan):
    table = audit(plan, pd.DataFrame())
    assert table["finding_id"].is_unique
    assert table["severity_order"].is_monotonic_increasing


@pytest.mark.parametrize("a,b,expected", [
    (105.0, 100.0, "high"),     # 5 % exactly: ≥ goes to the upper class
    (104.99, 100.0, "medium"),
    (101.0, 100.0, "medium"),   # 1 %
    (100.99, 100.0, "low"),
])
def test_severity_boundaries(a, b, expected):
    assert severity_for(a, b) == expected
