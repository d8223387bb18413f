"""The progress engine: every target type, with expected numbers computed by hand."""

import math
from pathlib import Path

import pandas as pd
import pytest

from plananalysis.engine import progress as pg
from plananalysis.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]


def spec(indicator_id="x", **kw):
    row = {"indicator_id": indicator_id, "no": 1, "name_zh": "指标", "unit": "%",
           "baseline_printed": "", "target_printed": "", "target_kind": "level", "target_op": "=",
           "target_value": math.nan, "baseline_value": math.nan, "baseline_year": 2020,
           "target_year": 2025, "direction": "higher"}
    row.update(kw)
    return row


def obs(indicator_id="x", points=(), series="plan", **extra):
    rows = []
    for point in points:
        year, value, *rest = point
        rows.append({"indicator_id": indicator_id, "series": series, "year": year, "value": value,
                     "qualifier": rest[0] if rest else "", **extra})
    return pd.DataFrame(rows, columns=["indicator_id", "series", "year", "value", "qualifier", *extra])


def one(plan_rows, observed, as_of=2023, **kw):
    return pg.assess(pd.DataFrame(plan_rows if isinstance(plan_rows, list) else [plan_rows]),
                     observed, as_of=as_of, **kw).iloc[0]


URBAN = spec("urbanisation_rate", target_printed="75左右", target_op="≈", target_value=75.0,
             baseline_value=71.0)


# ---------------------------------------------------------------- level targets (§5.5 mid-term vectors)

def test_level_up_ahead_of_schedule_with_reason():
    # P = (74.2 − 71)/(75 − 71) = 3.2/4 = 0.8; E = 3/5 = 0.6; q = 0.8/0.6 = 1.333 → 快于预期
    row = one(URBAN, obs("urbanisation_rate", [(2023, 74.2)]))
    assert row.completion_share == pytest.approx(0.8)
    assert row.elapsed_share == pytest.approx(0.6)
    assert row.pace_ratio == pytest.approx(1.3333, abs=1e-4)
    assert (row.status_zh, row.status_en) == ("快于预期", "Ahead of schedule")
    assert row.reason_zh == "2023年74.2%，完成目标进度80%，快于序时进度60%"
    # S-time distance: 0.8·5 − 3 = 1.0 year ahead (METHODS.md §6.6)
    assert row.years_ahead == pytest.approx(1.0)
    # rates: realised 3.2/3 = 1.0667 a year; plan path 4/5 = 0.8; remaining (75 − 74.2)/2 = 0.4
    assert (row.realised_rate, row.required_rate, row.remaining_rate) == pytest.approx((1.06667, 0.8, 0.4), abs=1e-5)
    # compound: (74.2/71)^(1/3) − 1 = 1.4803 %; (75/71)^(1/5) − 1 = 1.1022 %; (75/74.2)^(1/2) − 1 = 0.5376 %
    assert row.realised_cagr == pytest.approx(0.014803, abs=1e-6)
    assert row.required_cagr == pytest.approx(0.011022, abs=1e-6)
    assert row.remaining_cagr == pytest.approx(0.005376, abs=1e-6)


def test_level_achieved_ahead_of_time():
    # 75.5 in 2024: P = 4.5/4 = 1.125 ≥ 1 → 提前实现 (checked before the pace bands)
    row = one(URBAN, obs("urbanisation_rate", [(2024, 75.5)]), as_of=2024)
    assert row.completion_share == pytest.approx(1.125)
    assert row.elapsed_share == pytest.approx(0.8)
    assert row.status_zh == "提前实现" and row.is_target_met


def test_projection_linear_compound_and_range():
    # points 71 (2020), 72.7, 73.4, 74.2 (2021–23)
    # linear: 74.2 + (3.2/3)·2 = 76.3333; compound: 74.2·(74.2/71)^(2/3) = 76.4131
    # annual changes 1.7, 0.7, 0.8 → range 74.2 + 0.7·2 = 75.6 to 74.2 + 1.7·2 = 77.6
    row = one(URBAN, obs("urbanisation_rate", [(2021, 72.7), (2022, 73.4), (2023, 74.2)]))
    assert row.projection_linear == pytest.approx(76.3333, abs=1e-4)
    assert row.projection_cagr == pytest.approx(76.4131, abs=1e-4)
    assert (row.projection_low, row.projection_high) == pytest.approx((75.6, 77.6))
    # projected share (76.3333 − 71)/4 = 1.3333 → 预计完成
    assert row.projected_share == pytest.approx(1.3333, abs=1e-4) and row.projected_zh == "预计完成"


def test_sports_industry_share_vector():
    # 1.4 → 2; 1.9 in 2023: P = 0.5/0.6 = 0.8333, E = 0.6, q = 1.389 → 快于预期
    row = one(spec(target_value=2.0, baseline_value=1.4), obs("x", [(2023, 1.9)]))
    assert row.pace_ratio == pytest.approx(1.3889, abs=1e-4) and row.status_id == "ahead"


def test_lagged_latest_value_sets_k_from_the_data_year():
    # culture share 6.6 → 7.5; 6.9 in 2022, as of 2023: k = 2, E = 0.4, P = 0.3/0.9 = 0.3333,
    # q = 0.8333 → 滞后; years ahead = 0.3333·5 − 2 = −0.3333 (behind)
    row = one(spec(target_value=7.5, baseline_value=6.6), obs("x", [(2020, 6.95), (2022, 6.9)]))
    assert (row.elapsed_years, row.elapsed_share) == (2, pytest.approx(0.4))
    assert row.completion_share == pytest.approx(1 / 3)
    assert row.pace_ratio == pytest.approx(0.8333, abs=1e-4)
    assert row.status_zh == "滞后"
    assert row.years_ahead == pytest.approx(-1 / 3)
    assert row.reason_zh.startswith("最新数据为2022年，")
    assert "最新数据早于评估年" in row.caveats
    assert row.base_value == 6.6   # the plan's baseline, not the observed 2020 value


def test_level_down_lower_is_better():
    # income ratio 1.96 → 1.9; 1.90 in 2022: P = (1.90 − 1.96)/(1.9 − 1.96) = 1 → 提前实现
    row = one(spec(target_value=1.9, baseline_value=1.96, direction="lower"), obs("x", [(2022, 1.90)]))
    assert row.completion_share == pytest.approx(1.0) and row.status_zh == "提前实现"
    # deaths 0.016 → 0.01; 0.013 in 2023: P = −0.003/−0.006 = 0.5, q = 0.5/0.6 = 0.8333 → 滞后;
    # remaining pace (0.01 − 0.013)/2 = −0.0015 a year
    safety = spec(target_value=0.01, baseline_value=0.016, direction="lower", unit="人/亿元")
    row = one(safety, obs("x", [(2023, 0.013)]))
    assert row.completion_share == pytest.approx(0.5) and row.status_zh == "滞后"
    assert row.remaining_rate == pytest.approx(-0.0015)
    # 0.018: P = 0.002/−0.006 = −0.3333 < 0 → 逆向
    row = one(safety, obs("x", [(2023, 0.018)]))
    assert row.pace_ratio < 0 and row.status_zh == "逆向" and "逆目标方向" in row.reason_zh


def test_base_value_from_another_year_and_boundary_q_09():
    # health share 6 (2019) → 6.5以上 in 2025: N = 6; 6.3 in 2023: k = 4, E = 4/6 = 0.6667,
    # P = 0.3/0.5 = 0.6, q = 0.6/0.6667 = 0.9 exactly → 基本符合预期 (≥ goes up)
    row = one(spec(target_op="≥", target_value=6.5, baseline_value=6.0, baseline_year=2019),
              obs("x", [(2023, 6.3)]), base_year=2020)
    assert (row.n_years, row.elapsed_years) == (6, 4)
    assert row.pace_ratio == pytest.approx(0.9)
    assert row.status_zh == "基本符合预期"
    assert "基期年份非规划基年" in row.caveats


def test_boundary_q_12_is_ahead():
    # 10 → 20; 17.2 in 2023: P = 0.72, E = 0.6, q = 1.2 → 快于预期
    row = one(spec(target_value=20.0, baseline_value=10.0), obs("x", [(2023, 17.2)]))
    assert row.pace_ratio == pytest.approx(1.2) and row.status_id == "ahead"


# ---------------------------------------------------------------- floors, ceilings, approximate, control

def test_floor_exactly_met_and_bound_observed():
    life = spec(target_op="≥", target_value=80.0, baseline_value=79.47, unit="岁")
    row = one(life, obs("x", [(2023, 80.0)]))        # P = 0.53/0.53 = 1 → met (≥ inclusive)
    assert row.is_target_met and row.status_zh == "提前实现"
    row = one(life, obs("x", [(2024, 80.0, ">")]), as_of=2025)   # ">80": a bound, meets the floor
    assert row.is_target_met and row.status_zh == "预计完成（据2024年数据）"   # 2024 data in a 2025 review
    assert "观测值仅为界值" in row.caveats and "≥100%" in row.reason_zh
    row = one(life, obs("x", [(2024, 80.0, "<")]), as_of=2024)   # "<80" says nothing about 80以上
    assert not row.is_target_met


def test_ceiling_met_at_base_is_a_constraint():
    natural = spec(target_op="≤", target_value=6.0, baseline_value=5.02, direction="lower",
                   unit="‰", target_printed="<6")
    row = one(natural, obs("x", [(2023, 4.99)]))
    assert (row.rule, row.has_path, row.status_zh) == ("ceiling", False, "基本符合预期")
    assert row.reason_zh == "2023年4.99‰，目标<6，满足"
    row = one(natural, obs("x", [(2025, 6.2)]), as_of=2025)
    assert row.status_zh == "未完成"


def test_approximate_target_tolerance_at_the_end():
    # 71 → 75左右: final 74.8 gives P = 3.8/4 = 0.95 → met within the 左右 tolerance → 完成
    assert one(URBAN, obs("urbanisation_rate", [(2025, 74.8)]), as_of=2025).status_zh == "完成"
    # 74.76: P = 3.76/4 = 0.94 → not met; 0.9 ≤ P < 1 → 基本完成
    assert one(URBAN, obs("urbanisation_rate", [(2025, 74.76)]), as_of=2025).status_zh == "基本完成"
    # 75.2: P = 1.05 → 超额完成 (≥ goes up); 75.19: P = 1.0475 → 完成
    assert one(URBAN, obs("urbanisation_rate", [(2025, 75.2)]), as_of=2025).status_zh == "超额完成"
    assert one(URBAN, obs("urbanisation_rate", [(2025, 75.19)]), as_of=2025).status_zh == "完成"
    # 74.4: P = 0.85 < 0.9 → 未完成
    assert one(URBAN, obs("urbanisation_rate", [(2025, 74.4)]), as_of=2025).status_zh == "未完成"


def test_rounded_observed_is_flagged():
    row = one(URBAN, obs("urbanisation_rate", [(2025, 76.0, "≈")]), as_of=2025)
    assert "观测值为约数" in row.caveats and row.reason_zh.startswith("2025年≈76%")


def test_final_basically_completed_income():
    # 35537 → 52600; 52397: P = 16860/17063 = 0.98810 → 基本完成; short by 203/52600 = 0.39 %
    income = spec(target_value=52600.0, baseline_value=35537.0, baseline_year=2015, target_year=2020, unit="元")
    row = one(income, obs("x", [(2020, 52397.0)]), as_of=2020)
    assert row.completion_share == pytest.approx(0.988103, abs=1e-6)
    assert row.status_zh == "基本完成" and row.phase == "final"
    assert row.gap_share == pytest.approx(-0.003859, abs=1e-6)
    assert row.reason_zh == "2020年52397元，完成目标进度98.8%，距目标差0.39%"


def test_control_ceiling_with_tolerance():
    # 控制在5.5左右: met while ≤ 5.5·1.05 = 5.775
    unemployment = spec(target_op="≤≈", target_value=5.5, direction="lower", target_printed="控制在5.5左右")
    row = one(unemployment, obs("x", [(2023, 4.6)]))
    assert (row.rule, row.status_zh) == ("control", "基本符合预期")
    assert one(unemployment, obs("x", [(2023, 5.775)])).status_zh == "基本符合预期"
    assert one(unemployment, obs("x", [(2023, 5.8)])).status_zh == "滞后"


def test_maintain_target():
    medical = spec(target_value=5195.0, baseline_value=5195.0, baseline_year=2015, target_year=2020)
    row = one(medical, obs("x", [(2020, 5557.0)]), as_of=2020)
    assert (row.rule, row.status_zh) == ("maintain", "完成")
    assert math.isnan(row.completion_share)
    assert one(medical, obs("x", [(2020, 5100.0)]), as_of=2020).status_zh == "未完成"


# ---------------------------------------------------------------- five-year sums and changes

JOBS = spec("urban_new_jobs", target_kind="cumulative_sum", target_value=400.0, baseline_value=111.8,
            unit="万人", target_printed="400")


def test_cumulative_sum_complete_years():
    # flows 120 + 115 + 116.3 = 351.3; P = 351.3/400 = 0.87825; E = 0.6; q = 1.46375 → 快于预期
    row = one(JOBS, obs("urban_new_jobs", [(2021, 120.0), (2022, 115.0), (2023, 116.3)]))
    assert row.completion_share == pytest.approx(0.87825)
    assert row.pace_ratio == pytest.approx(1.46375)
    assert row.status_zh == "快于预期"
    assert row.remaining_rate == pytest.approx(24.35)          # (400 − 351.3)/2
    assert row.years_ahead == pytest.approx(0.87825 * 5 - 3)   # 1.39125
    # + 118.3 in 2024: 469.6 ≥ 400 → 提前实现
    row = one(JOBS, obs("urban_new_jobs", [(2021, 120.0), (2022, 115.0), (2023, 116.3), (2024, 118.3)]),
              as_of=2024)
    assert row.status_zh == "提前实现"


def test_cumulative_sum_with_missing_years_says_so():
    # only 2023 (116.3): pace 116.3 / (400/5 = 80) = 1.45375 → 快于预期, flagged, no years-ahead
    row = one(JOBS, obs("urban_new_jobs", [(2023, 116.3)]))
    assert row.pace_ratio == pytest.approx(1.45375)
    assert row.years_missing == "2021,2022" and "年度数据不全" in row.caveats
    assert row.status_zh == "快于预期" and math.isnan(row.years_ahead)
    assert "缺2021、2022年" in row.reason_zh
    # at the end, a five-year sum with missing years is estimated from the years known, labelled with
    # them (docs/evidence-rules.md rule 4): mean (116.3 + 118.3)/2 = 117.3 × 5 = 586.5 ≥ 400
    final = one(JOBS, obs("urban_new_jobs", [(2023, 116.3), (2024, 118.3)]), as_of=2025)
    assert final.status_zh == "预计完成（据2023、2024年数据）"
    assert final.projected_share == pytest.approx(586.5 / 400)


def test_cumulative_total_as_printed_in_table1():
    # 〔600〕 against 〔400〕: P = 1.5 → 超额完成
    jobs13 = dict(JOBS, baseline_value=515.0, baseline_year=2015, target_year=2020)
    observed = obs("urban_new_jobs", [(2020, 600.0)], is_cumulative=True)
    row = one(jobs13, observed, as_of=2020)
    assert row.completion_share == pytest.approx(1.5) and row.status_zh == "超额完成"


def test_cumulative_change_in_points_with_base_from_data():
    # myopia 〔5〕 lower: base blank in the table, the 2020 rate 52.0 from the data;
    # 49.5 in 2023: target level 52 − 5 = 47, P = 2.5/5 = 0.5, q = 0.5/0.6 = 0.8333 → 滞后
    myopia = spec("youth_myopia_reduction", target_kind="cumulative_change", target_value=5.0,
                  direction="lower", target_printed="〔5〕")
    row = one(myopia, obs("youth_myopia_reduction", [(2020, 52.0), (2023, 49.5)]))
    assert row.completion_share == pytest.approx(0.5) and row.status_zh == "滞后"
    assert "基期值取自观测数据" in row.caveats
    # no data at all → 无数据
    assert one(myopia, obs("youth_myopia_reduction", [])).status_zh == "无数据"


def test_cumulative_change_value_is_the_change():
    # PM2.5 〔43.2〕 against 〔20〕: P = 43.2/20 = 2.16 → 超额完成
    pm = spec(target_kind="cumulative_change", target_value=20.0, baseline_year=2015, target_year=2020)
    row = one(pm, obs("x", [(2020, 43.2)], is_cumulative=True), as_of=2020)
    assert row.completion_share == pytest.approx(2.16) and row.status_zh == "超额完成"


# ---------------------------------------------------------------- average annual growth (§5.5)

GROWTH = spec(target_kind="avg_growth", target_op="≥", target_value=7.0)


def test_average_growth_vector():
    # 6.5, 7.2, 6.8 %: Π = 1.065·1.072·1.068 = 1.14168·1.068 = 1.219314; ḡ = 1.219314^(1/3) − 1 = 6.833 %
    # remaining = (1.07^5/1.219314)^(1/2) − 1 = (1.402552/1.219314)^(1/2) − 1 = 7.251 %
    # P = (1.219314 − 1)/(1.402552 − 1) = 0.54481; E = (1.07^3 − 1)/0.402552 = 0.225043/0.402552 = 0.55904;
    # q = 0.54481/0.55904 = 0.97454
    row = one(GROWTH, obs("x", [(2021, 6.5), (2022, 7.2), (2023, 6.8)]))
    assert row.realised_rate == pytest.approx(6.833, abs=1e-3)
    assert row.remaining_rate == pytest.approx(7.251, abs=1e-3)
    assert row.completion_share == pytest.approx(0.54481, abs=1e-5)
    assert row.elapsed_share == pytest.approx(0.55904, abs=1e-5)
    assert row.pace_ratio == pytest.approx(0.97454, abs=1e-5)
    assert row.status_zh == "基本符合预期"


def test_average_growth_final_compares_the_realised_rate():
    # 5 years at 5.4 % against 年均增长5.5以上: ḡ = 5.4 % < 5.5 %;
    # P = (1.054^5 − 1)/(1.055^5 − 1) = 0.300778/0.306960 = 0.97986 → 基本完成
    row = one(spec(target_kind="avg_growth", target_op="≥", target_value=5.5),
              obs("x", [(y, 5.4) for y in range(2021, 2026)]), as_of=2025)
    assert row.method_value == pytest.approx(0.97986, abs=1e-5)
    assert row.status_zh == "基本完成"
    row = one(spec(target_kind="avg_growth", target_op="≥", target_value=5.5),
              obs("x", [(y, 5.5) for y in range(2021, 2026)]), as_of=2025)
    assert row.status_zh == "完成"


# ---------------------------------------------------------------- observed frames

def test_other_series_are_never_compared():
    life = spec(target_op="≥", target_value=80.0, baseline_value=79.47)
    observed = pd.concat([obs("x", [(2021, 82.2)], series="health-index"), obs("x", [(2020, 79.2)])])
    row = one(life, observed)
    assert row.status_zh == "无数据"
    assert row.context == "health-index 2021年 82.2"


def test_region_filter_and_indicator_no_mapping():
    observed = pd.DataFrame({"indicator_no": [1, 1], "region": ["浙江省", "杭州市"], "series": ["plan"] * 2,
                             "year": [2023, 2023], "value": [74.2, 10.0], "qualifier": ["", ""]})
    row = one(URBAN, observed, region="浙江省")
    assert row.latest_value == 74.2
    with pytest.raises(ParameterError, match="region"):   # several regions and none named: refused
        one(URBAN, observed)


def test_data_after_as_of_is_ignored():
    row = one(URBAN, obs("urbanisation_rate", [(2023, 74.2), (2024, 75.5)]), as_of=2023)
    assert row.latest_year == 2023


def test_unknown_method_and_phase():
    with pytest.raises(ParameterError):
        pg.assess(pd.DataFrame([URBAN]), obs(), method="dns")
    with pytest.raises(ParameterError):
        pg.assess(pd.DataFrame([URBAN]), obs("urbanisation_rate", [(2023, 74.2)]), phase="late")


# ---------------------------------------------------------------- other methods through assess

def test_switch_methods_by_name():
    observed = obs("urbanisation_rate", [(2023, 74.2)])
    # Eurostat: RR = 1.4803 %/1.1022 % = 1.3431 → significant progress
    row = one(URBAN, observed, method="eurostat")
    assert row.method_value == pytest.approx(1.3431, abs=1e-4)
    assert row.status_id == "significant_progress"
    # SDSN: r_obs = 3.2/3 = 1.0667, r_req = 4/5 = 0.8 → q = 1.3333 → on track
    row = one(URBAN, observed, method="sdsn")
    assert row.method_value == pytest.approx(1.3333, abs=1e-4) and row.status_id == "on_track"
    # open-sdg: same ratio as Eurostat here (positive values); target not yet met
    row = one(URBAN, observed, method="open-sdg")
    assert row.status_id == "substantial_progress" and row.method_score == pytest.approx(5.0)
    # target met → the override in every method
    met = obs("urbanisation_rate", [(2024, 75.5)])
    assert one(URBAN, met, as_of=2024, method="open-sdg").status_id == "target_achieved"
    assert one(URBAN, met, as_of=2024, method="eurostat").status_id == "target_met"


def test_column_labels_cover_every_output_column():
    assert set(pg.OUTPUT_COLUMNS) <= set(pg.COLUMN_LABELS_ZH)
    row = pg.assess(pd.DataFrame([URBAN]), obs("urbanisation_rate", [(2023, 74.2)]))
    assert list(row.columns) == pg.OUTPUT_COLUMNS


# ---------------------------------------------------------------- the shipped plan and data

def _shipped():
    from plananalysis.plan.folder import load_plan
    plan = load_plan()
    try:
        from plananalysis.observed.load import load_observed
        observed = load_observed()
    except ImportError:  # before the observed loader lands: the shared file, mapped by number
        observed = pd.read_csv("/work/shared/data/observed-zhejiang.csv")
    return plan, observed


def test_shipped_plan_mid_term_in_one_line():
    plan, observed = _shipped()
    table = pg.assess(plan, observed, as_of=2023, method="cn-schedule")
    assert len(table) == 25 and table["indicator_id"].is_unique
    got = table.set_index("indicator_id")["status_zh"]
    assert got["urbanisation_rate"] == "快于预期"                     # 74.2 (2023), an official release
    assert got["sports_industry_share"] == "快于预期（据转载数据，待核实）"   # 1.9 (2023) from a reprint
    # 6.9 in 2021 (the year corrected from 2022): k = 1, P = 0.3/0.9 = 0.333, E = 0.2, q = 1.67; the 2020
    # value 6.95 is above 6.9 (falling) and 5.3 % above the plan's base 6.6 (docs/evidence-rules.md)
    assert got["culture_industry_share"] == "快于预期（据2021年媒体报道数据，待核实，趋势存疑，基期存疑）"
    assert got["urban_rural_income_ratio"] == "提前实现（据转载数据，待核实）"
    assert got["sports_area_per_capita"] == "提前实现（据媒体报道数据，待核实）"
    assert got["surveyed_unemployment_rate"] == "基本符合预期"
    assert got["life_expectancy"] == "无数据"          # only the 2020 value and another series
    assert pg.progress is pg.assess


# ---------------------------------------------------------------- target kinds of any plan (issue 12.3)

REDUCTION = spec("energy", target_kind="cumulative_reduction", target_value=20.0, target_printed="〔20〕",
                 direction="lower", baseline_printed="-")


def test_cumulative_reduction_is_compounded_not_summed():
    # METHODS.md §5.5: 〔20〕 over 5 years; four yearly declines 4, 4, 4, 3.78 % compound to
    # 1 − 0.96³ × 0.9622 = 14.87 %, not the sum 15.78 %
    row = one(REDUCTION, obs("energy", [(2021, 4.0), (2022, 4.0), (2023, 4.0), (2024, 3.78)]), as_of=2024)
    achieved = 1 - 0.96 ** 3 * (1 - 0.0378)
    assert row.latest_value == pytest.approx(achieved * 100)
    assert row.completion_share == pytest.approx(achieved / 0.20)
    # the time share follows the constant-rate path: (1 − 0.8^(4/5)) / 0.2 = 0.16355/0.2 = 0.8176
    assert row.elapsed_share == pytest.approx((1 - 0.8 ** 0.8) / 0.2)
    assert "累计下降" in row.reason_zh and row.rule == "cumulative_reduction"


def test_cumulative_reduction_from_a_cumulative_value_matches_the_methods_vector():
    # METHODS.md §5.5: observed 15.61 % after 4 years → P/E_geo = 0.7805/0.8176 = 0.955 (on
    # schedule); required decline in year 5: 1 − 0.8/0.8439 = 5.20 %
    observed = obs("energy", [(2024, 15.61)], value_type="cumulative")
    row = one(REDUCTION, observed, as_of=2024)
    assert row.pace_ratio == pytest.approx(0.955, abs=5e-4)
    assert row.remaining_rate == pytest.approx(5.20, abs=5e-3)
    assert row.status_zh == "基本符合预期"


def test_a_binding_target_has_no_tolerance_band():
    # the same 0.955 pace: on schedule for an expected target, behind (滞后) for a binding one
    observed = obs("energy", [(2024, 15.61)], value_type="cumulative")
    row = one({**REDUCTION, "attribute": "binding"}, observed, as_of=2024)
    assert row.status_zh == "滞后" and "约束性" in row.caveats
    # final: P = 0.955 would be 基本完成 if expected; binding: 未完成
    final = one({**REDUCTION, "attribute": "binding", "target_year": 2024}, observed, as_of=2024)
    assert final.status_zh == "未完成"


INCOME_VS_GDP = spec("income", target_kind="relational", target_op="≈", linked_indicator="gdp", target_printed="与GDP增长基本同步")


def test_relational_target_against_the_linked_series():
    # income 5.0, 6.0 against GDP 5.5, 6.2: geometric means 5.4988 % and 5.8496 %, 0.35 points apart
    observed = pd.concat([obs("income", [(2021, 5.0), (2022, 6.0)]), obs("gdp", [(2021, 5.5), (2022, 6.2)])])
    row = one(INCOME_VS_GDP, observed)
    mine = (1.05 * 1.06) ** 0.5 * 100 - 100
    theirs = (1.055 * 1.062) ** 0.5 * 100 - 100
    assert row.realised_rate == pytest.approx(mine) and row.required_rate == pytest.approx(theirs)
    assert row.status_zh == "基本符合预期" and "基本同步" in row.reason_zh
    higher = one({**INCOME_VS_GDP, "target_op": "≥"}, observed)          # 高于GDP增长: 5.50 < 5.85 → not met
    assert higher.status_zh == "滞后"


def test_qualitative_target_is_never_invented():
    gdp = spec("gdp", target_kind="qualitative", target_printed="保持在合理区间、各年度视情提出")
    row = one(gdp, obs("gdp", [(2021, 8.1)]))
    assert row.status_id == "qualitative" and row.status_zh == "定性目标"
    verdicts = pd.DataFrame([{"subject_id": "gdp", "year": 2023, "verdict": "met", "reason_zh": "增速处于合理区间",
                              "reason_en": "within the range", "source_title": "政府工作报告", "source_url": ""}])
    judged = one(gdp, obs("gdp", [(2021, 8.1)]), verdicts=verdicts)
    assert judged.status_zh == "基本符合预期" and "政府工作报告" in judged.reason_zh


def test_a_row_that_fits_no_rule_does_not_stop_the_others():
    bad = spec("bad", target_kind="no-such-kind")
    table = pg.assess(pd.DataFrame([bad, URBAN]), obs("urbanisation_rate", [(2023, 74.2)]), as_of=2023)
    rows = table.set_index("indicator_id")
    assert rows.loc["bad", "status_id"] == "not_assessable" and "no-such-kind" in rows.loc["bad", "reason_zh"]
    assert rows.loc["urbanisation_rate", "status_zh"] == "快于预期"


def test_a_floor_already_met_with_no_baseline_is_a_verdict():
    floor = spec("share", target_op="≥", target_value=25.0, target_printed=">25")   # no base value
    row = one(floor, obs("share", [(2023, 28.99)]))
    assert row.rule == "floor" and not row.has_path and row.status_zh == "基本符合预期"
    assert "满足" in row.reason_zh


def test_a_final_verdict_on_an_older_year_is_an_estimate():
    # urbanisation: 74.2 in 2023 judged in the 2025 final review: P = 0.8 but the 2021–23 pace
    # projects 76.33 ≥ 75×0.95 → likely completed, labelled with the year of its data
    row = one(URBAN, obs("urbanisation_rate", [(2020, 71.0), (2023, 74.2)]), as_of=2025)
    assert row.status_zh == "预计完成（据2023年数据）" and row.status_en == "Likely completed (on 2023 data)"
    assert "终期结论据较早年份数据预计" in row.caveats


def test_a_series_read_through_the_index_is_the_series_read_from_the_frame():
    """The engine reads each indicator's values through an index of the observed values
    (``_ObservedIndex``, one pass over them) instead of masking the whole frame per indicator:
    the same rows, sorted by the same sort (more than 16 rows, so numpy's sort is not the
    insertion sort of short arrays), the same duplicate years dropped, the same context text."""
    rows = []
    for k in range(30):   # one indicator, two parts (20 and 10 rows), years out of order, repeated, two series
        rows.append({"indicator_id": "a", "part": "" if k % 3 else "urban", "year": 2020 + (k * 7) % 6,
                     "value": 10.0 + k, "series": "plan" if k % 4 else "口径二", "qualifier": ">" if k % 5 == 0 else "",
                     "is_cumulative": k % 7 == 0, "value_type": "cumulative" if k % 6 == 0 else "",
                     "evidence_grade": "AB"[k % 2], "is_preliminary": k % 9 == 0})
    rows.append({"indicator_id": "b", "part": "", "year": 2021, "value": 1.0})
    specs = pd.DataFrame({"indicator_id": ["a", "b"], "no": [1, 2]})
    obs = pg._normalise_observed(pd.DataFrame(rows), specs, None)
    index = pg._ObservedIndex(obs)
    for key in (("a", ""), ("a", "urban"), ("b", ""), ("c", "")):
        for as_of in (2019, 2022, 2025):
            assert pg._series_for(obs, *key, as_of, index) == pg._series_for(obs, *key, as_of), (key, as_of)
    series = pg._series_for(obs, "a", "", 2025, index)
    # part "" is k mod 3 != 0, its year 2020 + k mod 6: 2021, 2022, 2024 and 2025, one plan value each
    assert series.years == [2021, 2022, 2024, 2025]
    assert series.context.count("口径二") == 5   # k = 4, 8, 16, 20, 28: the other series, told in the context
