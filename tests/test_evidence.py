"""Evidence grades and the rules for thin evidence (issue 19 items 3–5; docs/evidence-rules.md).

Every expected number is computed by hand in the comment beside it.  Unit level: small frames
through the engine; the two tests on the shipped data use a copy of data/ (no review is run).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from plananalysis.engine import progress as pg
from plananalysis.engine.methods import evidence_label
from plananalysis.observed import grades

from .conftest import DATA
from .test_progress import JOBS, URBAN, obs, one, spec

CULTURE = spec("culture_industry_share", target_value=7.5, baseline_value=6.6, target_printed="7.5")
INCOME = spec("disposable_income_growth", target_kind="avg_growth", target_op="≥", target_value=5.5,
              target_printed="5.5以上")


def graded(points, indicator_id="x", **columns):
    """An observed frame with one source type (and period note) per point: (year, value, qualifier, quality[, note])."""
    rows = [{"indicator_id": indicator_id, "series": "plan", "year": y, "value": v, "qualifier": q,
             "source_quality": s, "period_note": rest[0] if rest else "", **columns}
            for y, v, q, s, *rest in points]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the vocabulary (data/methods/evidence_grades.csv)

def test_source_types_map_onto_grades():
    assert [grades.grade_for(q) for q in ("official", "plan", "department", "reprint", "secondary", "media",
                                          "user", "unsourced", "derived")] == [
        "official", "official", "department", "reprint", "reprint", "media", "analyst", "analyst", "derived"]
    assert grades.grade_for("user", "derived") == "derived"            # a file may state its grade
    assert grades.grade_for("department", "reprint") == "department"   # a department's return is one
    table = grades.grades()
    assert set(table.loc[table.is_official, "code"]) == {"official", "department"}
    assert table.loc[table.code == "preliminary", "label_zh"].item() == "初步核算"


# ---------------------------------------------------------------- item 3: the label says what the verdict rests on

def test_a_reprinted_older_year_is_named_in_the_final_label():
    # 71 (2020, observed) → 74.2 (2023): slope 3.2/3 = 1.0667/yr, projected 74.2 + 2·1.0667 = 76.33 ≥ 75·0.95
    row = one(URBAN, graded([(2020, 71.0, "", "reprint"), (2023, 74.2, "", "reprint")], "urbanisation_rate"),
              as_of=2025)
    assert row.status_zh == "预计完成（据2023年转载数据，待核实）"
    assert row.status_en == "Likely completed (on 2023 reprinted data, to be confirmed)"
    assert row.evidence_grade == "reprint" and not row.evidence_official
    assert "所据数值为转载，待核实" in row.reason_zh and "to be confirmed" in row.reason_en


def test_a_preliminary_official_value_says_preliminary_only():
    # ≈76 in 2025: P = (76 − 71)/(75 − 71) = 1.25 ≥ 1.05 → 超额完成, preliminary
    row = one(URBAN, graded([(2025, 76.0, "≈", "official", "preliminary")], "urbanisation_rate"), as_of=2025)
    assert (row.status_zh, row.status_en) == ("超额完成（初步）", "Exceeded (preliminary)")
    assert row.evidence_preliminary and "2025年为初步核算数" in row.reason_zh
    # the same value from a reprint: both said
    row = one(URBAN, graded([(2025, 76.0, "≈", "reprint", "preliminary")], "urbanisation_rate"), as_of=2025)
    assert row.status_zh == "超额完成（初步，据转载数据，待核实）"


def test_official_or_unknown_grades_leave_the_label_alone():
    row = one(URBAN, graded([(2023, 74.2, "", "official")], "urbanisation_rate"))
    assert row.status_zh == "快于预期" and row.evidence_grade == "official"
    row = one(URBAN, obs("urbanisation_rate", [(2023, 74.2)]))        # a frame with no source type at all
    assert row.status_zh == "快于预期" and row.evidence_grade == ""


def test_a_verdict_on_several_years_carries_the_weakest_grade():
    # 120 (official) + 115 (media) + 116.3 (official) = 351.3: P = 0.87825, q = 1.46375 → 快于预期
    row = one(JOBS, graded([(2021, 120.0, "", "official"), (2022, 115.0, "", "media"),
                            (2023, 116.3, "", "official")], "urban_new_jobs"))
    assert row.pace_ratio == pytest.approx(1.46375) and row.evidence_grade == "media"
    assert row.status_zh == "快于预期（据媒体报道数据，待核实）" and row.evidence_years == "2021,2022,2023"


def test_legends_count_by_undated_label():
    table = pd.DataFrame([URBAN, dict(URBAN, indicator_id="y")])
    observed = pd.concat([graded([(2023, 74.2, "", "reprint")], "urbanisation_rate"),
                          graded([(2023, 74.2, "", "official")], "y")])
    assessed = pg.assess(table, observed, as_of=2023)
    assert assessed.status_zh.tolist() == ["快于预期（据转载数据，待核实）", "快于预期"]
    assert pg.status_counts(assessed).to_dict() == {"快于预期": 2}


# ---------------------------------------------------------------- item 5: mid-term labels carry an old data year

def test_midterm_label_is_dated_when_older_than_the_year_before_the_review():
    # 72 in 2021 as of 2023: P = 1/4 = 0.25, E = 1/5 = 0.2, q = 1.25 → 快于预期, data two years old
    row = one(URBAN, obs("urbanisation_rate", [(2021, 72.0)]))
    assert row.pace_ratio == pytest.approx(1.25)
    assert (row.status_zh, row.status_en) == ("快于预期（据2021年数据）", "Ahead of schedule (on 2021 data)")
    # 72.6 in 2022 (the year before the review): P = 0.4, E = 0.4, q = 1 → 基本符合预期, undated
    row = one(URBAN, obs("urbanisation_rate", [(2022, 72.6)]))
    assert row.status_zh == "基本符合预期"


def test_evidence_label_formats():
    assert evidence_label("cn-schedule", "final", "estimated_completed", years="2021", grade="转载",
                          confirm=True) == "预计完成（据2021年转载数据，待核实）"
    assert evidence_label("cn-schedule", "final", "completed", "en", grade="news-reported",
                          confirm=True) == "Completed (on news-reported data, to be confirmed)"


# ---------------------------------------------------------------- item 4: rules for thin evidence

def test_no_trend_from_a_single_observed_year():
    # 72 in 2021 only, final review: P = 0.25; no projection (a line from one point is no trend)
    row = one(URBAN, obs("urbanisation_rate", [(2021, 72.0)]), as_of=2025)
    assert row.completion_share == pytest.approx(0.25)
    assert math.isnan(row.projected_share) and math.isnan(row.projection_linear)
    assert row.status_id == "estimated_not_completed" and "single_point" in row.evidence_flags
    assert "仅有2021年1个观测值，不作趋势外推" in row.reason_zh and "no trend projection" in row.reason_en
    # mid-term: P and the pace only, no projection shown, the caveat says why
    mid = one(URBAN, obs("urbanisation_rate", [(2021, 72.0)]))
    assert math.isnan(mid.projection_linear) and "不作趋势外推" in mid.caveats
    # an observed base-year value makes two observed years: 71 → 72, +1/yr → 76 by 2025, P = 1.25
    two = one(URBAN, obs("urbanisation_rate", [(2020, 71.0), (2021, 72.0)]), as_of=2025)
    assert two.projected_share == pytest.approx(1.25) and two.status_id == "estimated_completed"
    assert "single_point" not in two.evidence_flags


def test_a_projection_against_the_latest_change_is_flagged():
    # 6.95 (2020) → 6.9 (2021), plan base 6.6: P = 0.3/0.9 = 0.3333, E = 0.2, q = 1.667 → 快于预期;
    # the line from the plan's base projects 6.9 + 0.3·4 = 8.1 ≥ 7.5, but the observed change is −0.05
    rows = graded([(2020, 6.95, "", "official"), (2021, 6.9, "", "official")], "culture_industry_share")
    mid = one(CULTURE, rows)
    assert mid.pace_ratio == pytest.approx(5 / 3) and mid.status_id == "ahead"
    assert mid.status_zh == "快于预期（据2021年数据，趋势存疑，基期存疑）"
    assert mid.status_en == "Ahead of schedule (on 2021 data, trend in doubt, base in doubt)"
    assert mid.is_projected_met is None and mid.projected_zh == "趋势存疑"     # never "预计完成"
    assert "6.95→2021年6.9" in mid.reason_zh and "相差5.3%" in mid.reason_zh    # (6.95 − 6.6)/6.6 = 5.30 %
    # final: the trend is not trusted, the target not met (P = 0.33) → 预计未完成, never 预计完成
    final = one(CULTURE, rows, as_of=2025)
    assert final.status_id == "estimated_not_completed"


def test_a_base_the_observed_value_contradicts_is_flagged_alone():
    # 6.95 (2020) → 7.0 (2021): rising, so no trend doubt; 6.95 vs the plan's 6.6 is 5.3 % ≥ 5 % (high)
    row = one(CULTURE, obs("culture_industry_share", [(2020, 6.95), (2021, 7.0)]))
    assert row.evidence_flags == "base_conflict" and row.status_zh.endswith("基期存疑）")
    # 79.2 against 79.47 is 0.34 % (low): no flag
    life = spec("life", target_op="≥", target_value=80.0, baseline_value=79.47, target_printed="80以上")
    assert one(life, obs("life", [(2020, 79.2), (2022, 79.6)])).evidence_flags == ""


def test_lower_bounds_prove_a_five_year_sum_met():
    # >100 + >100 + 116.3 + 118.3 ≥ 434.6 ≥ 400: P ≥ 1.0865 ≥ 1.05 → 超额完成, not an estimate from 2024
    points = [(2021, 100.0, ">"), (2022, 100.0, ">"), (2023, 116.3), (2024, 118.3)]
    final = one(JOBS, obs("urban_new_jobs", points), as_of=2025)
    assert final.completion_share == pytest.approx(434.6 / 400)
    assert final.status_id == "exceeded" and final.status_zh == "超额完成"
    assert "完成目标进度≥108.7%" in final.reason_zh and "2021、2022年仅知下限" in final.reason_zh
    assert "lower_bound" in final.evidence_flags
    # mid-term: ≥ 316.3 of 400: P ≥ 0.79075, E = 0.6, q ≥ 1.3179 → 快于预期, "≥" in the reason
    mid = one(JOBS, obs("urban_new_jobs", points[:3]))
    assert mid.pace_ratio == pytest.approx(316.3 / 400 / 0.6) and mid.status_id == "ahead"
    assert "完成目标进度≥79.1%" in mid.reason_zh
    # bounds that do not reach the target prove nothing: estimated from the mean, 65·5 = 325 < 400
    short = one(JOBS, obs("urban_new_jobs", [(2021, 60.0, ">"), (2022, 60.0, ">"), (2023, 70.0), (2024, 70.0)]),
                as_of=2025)
    assert short.status_id == "estimated_not_completed" and short.projected_share == pytest.approx(325 / 400)


def test_an_average_growth_with_a_missing_year_is_estimated_from_the_years_known():
    # 9.8, 4.8, 5.0 (2023 missing): ḡ = (1.098·1.048·1.05)^(1/3) − 1 = 1.2082392^(1/3) − 1 = 6.5085 %;
    # five years at ḡ: (1.065085^5 − 1)/(1.055^5 − 1) = 0.370654/0.306960 = 1.2074 → 预计完成, with the years
    final = one(INCOME, obs("disposable_income_growth", [(2021, 9.8), (2022, 4.8), (2024, 5.0)]), as_of=2025)
    assert final.realised_rate == pytest.approx(6.5085, abs=1e-4)
    assert final.projected_share == pytest.approx(1.2074, abs=1e-4)
    assert final.status_zh == "预计完成（据2021、2022、2024年数据）"
    assert final.status_en == "Likely completed (on 2021, 2022, 2024 data)"


def test_a_final_review_judges_at_least_what_the_mid_term_judged():
    table = pd.DataFrame([JOBS, INCOME])
    observed = pd.concat([obs("urban_new_jobs", [(2023, 116.3), (2024, 118.3)]),
                          obs("disposable_income_growth", [(2021, 9.8), (2022, 4.8), (2024, 5.0)])])
    judged = {as_of: pg.evidence_counts(pg.assess(table, observed, as_of=as_of))["judged"] for as_of in (2023, 2025)}
    assert judged == {2023: 2, 2025: 2}


def test_a_qualitative_target_with_values_is_a_qualitative_target():
    gdp = spec("gdp_growth", target_kind="qualitative", target_printed="保持在合理区间", baseline_value=2.3)
    row = one(gdp, obs("gdp_growth", [(2021, 8.1), (2022, 3.0)]))
    assert row.status_id == "qualitative" and row.status_zh == "定性目标"


# ---------------------------------------------------------------- counts

def test_counts_of_what_verdicts_rest_on():
    table = pd.DataFrame([URBAN, dict(URBAN, indicator_id="b"), dict(URBAN, indicator_id="c"),
                          dict(URBAN, indicator_id="d")])
    observed = pd.concat([
        graded([(2020, 71.0, "", "official"), (2023, 74.2, "", "official")], "urbanisation_rate"),
        graded([(2023, 74.2, "", "reprint")], "b"),                     # one observed year, a reprint
        graded([(2022, 73.0, "", "department")], "c"),
        graded([(2023, 74.2, "", "media", "preliminary")], "d"),
    ])
    counts = pg.evidence_counts(pg.assess(table, observed, as_of=2023))
    assert counts == {"judged": 4, "official": 2, "to_confirm": 2, "reprint": 1, "media": 1, "other": 0,
                      "single_point": 3, "preliminary": 1, "in_doubt": 0}


# ---------------------------------------------------------------- one grade changed: label, counts, request

@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("user.csv", "backups"))
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "plans" / "zj-social-14th" / "observed"


def _cover(path) -> list[str]:
    from openpyxl import load_workbook

    return [str(r[0]) for r in load_workbook(path)["说明"].iter_rows(values_only=True) if r[0]]


def test_changing_one_grade_changes_the_label_the_counts_and_the_request(sandbox, tmp_path):
    from plananalysis.observed.load import load_observed
    from plananalysis.observed.requests import CONFIRM_HEADING, write_requests
    from plananalysis.plan.folder import load_plan

    plan = load_plan()
    observed = load_observed(plan=plan)
    key = (observed.indicator_id == "urbanisation_rate") & (observed.year == 2025)
    assert observed.loc[key, "evidence_grade"].item() == "reprint"      # ≈76 (2025), preliminary, a reprint
    before = pg.assess(plan, observed, as_of=2025).set_index("indicator_id")
    assert before.loc["urbanisation_rate", "status_zh"] == "超额完成（初步，据转载数据，待核实）"
    first = write_requests(tmp_path / "a", plan, observed, as_of=2025, departments=["stats"])[0]
    assert CONFIRM_HEADING in _cover(first)
    assert any(line.startswith("· 常住人口城镇化率（2025年）：≈76%") for line in _cover(first))

    changed = observed.copy()
    changed.loc[key, "evidence_grade"] = "official"                      # the bureau's own release found
    after = pg.assess(plan, changed, as_of=2025).set_index("indicator_id")
    assert after.loc["urbanisation_rate", "status_zh"] == "超额完成（初步）"
    counts_before, counts_after = pg.evidence_counts(before), pg.evidence_counts(after)
    assert counts_after["official"] == counts_before["official"] + 1
    assert counts_after["to_confirm"] == counts_before["to_confirm"] - 1
    second = write_requests(tmp_path / "b", plan, changed, as_of=2025, departments=["stats"])[0]
    assert not any(line.startswith("· 常住人口城镇化率（2025年）") for line in _cover(second))


def test_a_confirmed_value_comes_back_as_a_department_return(sandbox, tmp_path):
    from openpyxl import load_workbook

    from plananalysis.observed.importer import import_observed
    from plananalysis.observed.load import load_observed
    from plananalysis.observed.requests import REQUEST_HEADERS, write_requests

    path = write_requests(tmp_path / "req", as_of=2025, departments=["stats"])[0]
    book = load_workbook(path)
    sheet = book["数据"]
    headers = [c.value for c in sheet[1]]
    col = {name: headers.index(name) + 1 for name in REQUEST_HEADERS.values()}
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, col["指标编号"]).value == 3
               and sheet.cell(r, col["年份"]).value == 2025)
    assert sheet.cell(row, col["证据等级"]).value == "转载"
    sheet.cell(row, col["来源类型"]).value = "部门数据"                    # confirmed, value unchanged
    sheet.cell(row, col["来源名称"]).value = "省统计局 2025年人口变动抽样调查"
    book.save(path)
    summary = import_observed(path)
    assert summary.counts["replaced"] == 1 and summary.counts["conflicts"] == 0
    frame = load_observed()
    value = frame[(frame.indicator_id == "urbanisation_rate") & (frame.year == 2025)].iloc[0]
    assert (value.value, value.evidence_grade, value.origin) == (76.0, "department", "user")
    from plananalysis.plan.folder import load_plan

    judged = pg.assess(load_plan(), frame, as_of=2025).set_index("indicator_id")
    # the department's return states no period note of its own: a department return, no longer marked preliminary
    assert judged.loc["urbanisation_rate", "status_zh"] == "超额完成"


def test_a_distrusted_trend_is_not_printed_as_an_estimate():
    """文化产业增加值占比: 6.95 (2020) → 6.9 (2021) falls while the target rises; the final review
    says 预计未完成 and its reason must not go on to project 166.7 % from that trend."""
    from plananalysis.context import review_context

    row = review_context(as_of=2025).results.set_index("id").loc["culture_industry_share"]
    assert row["status_id"] == "estimated_not_completed"
    assert "趋势预计" not in row["reason"] and "166.7%" not in row["reason"]
    assert "与目标方向相反" in row["reason"]
