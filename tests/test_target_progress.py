"""Catalogue targets judged (issue 13 item 1): one target of every kind targets.csv uses, with
made-up observed values and the expected numbers worked out by hand in the comments.

The targets are the plan's own (their kind, operator, value and year come from targets.csv);
only the observed values are invented, so each rule is checked on a known arithmetic.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from plananalysis.engine import progress as pg
from plananalysis.engine.targets import TARGET_COLUMNS, assess_targets, target_specs
from plananalysis.observed.load import FRAME_COLUMNS


def observed(plan, *rows):
    """Observed rows of catalogue targets: (target_id, year, value[, qualifier[, value_type]])."""
    records = []
    for target_id, year, value, *rest in rows:
        records.append({**dict.fromkeys(FRAME_COLUMNS, ""), "target_id": target_id, "indicator_no": pd.NA,
                        "region": plan.region, "series": "plan", "year": year, "value": float(value),
                        "qualifier": rest[0] if rest else "", "value_type": rest[1] if len(rest) > 1 else "",
                        "source_title": f"测试来源 {target_id} {year}", "source_url": "https://example.org/",
                        "source_quality": "department", "is_derived": False, "origin": "user"})
    frame = pd.DataFrame(records, columns=FRAME_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["is_derived"] = frame["is_derived"].astype(bool)
    return frame


def judge(plan, as_of, *rows, method="cn-schedule"):
    return assess_targets(plan, observed(plan, *rows), as_of=as_of, method=method).set_index("target_id")


def test_every_target_has_one_row_with_the_engines_columns(plan):
    table = assess_targets(plan, observed(plan), as_of=2023)
    assert list(table.columns) == TARGET_COLUMNS
    assert len(table) == len(plan.targets) and table["target_id"].is_unique
    assert set(table["status_id"]) == {"no_data"} | set(
        table.loc[table["restates_indicator_id"] != "", "status_id"])   # no data: only restated rows judged


# ---------------------------------------------------------------- level (ch07-t06 环浙步道 10000公里)

def test_level_with_a_base_has_a_path(plan):
    # P = (5600 − 2000)/(10000 − 2000) = 0.45; E = 3/5 = 0.6; q = 0.45/0.6 = 0.75 < 0.9 → 滞后
    row = judge(plan, 2023, ("ch07-t06", 2020, 2000), ("ch07-t06", 2023, 5600)).loc["ch07-t06"]
    assert row.completion_share == pytest.approx(0.45) and row.elapsed_share == pytest.approx(0.6)
    assert row.pace_ratio == pytest.approx(0.75)
    assert (row.status_id, row.status_zh) == ("behind", "滞后")
    assert row.reason_zh == "2023年5600公里，完成目标进度45%，慢于序时进度60%"
    assert row.latest_source_title == "测试来源 ch07-t06 2023" and row.department_zh == "省体育局"


def test_level_without_a_base_is_a_constraint(plan):
    # no 2020 value: met or not in the latest year; 5600 < 10000 → 滞后, and the base is asked for
    row = judge(plan, 2023, ("ch07-t06", 2023, 5600)).loc["ch07-t06"]
    assert row.status_zh == "滞后" and not row.has_path and row.is_target_met is False
    assert row.reason_zh == "2023年5600公里，目标10000公里，未满足"
    assert "规划未给基期值" in row.caveats


# ---------------------------------------------------------------- share (ch09-t01 持证率 80%以上)

def test_share_floor_mid_term_and_final(plan):
    # mid-term: P = (74 − 60)/(80 − 60) = 0.7; E = 0.6; q = 1.1667 → 基本符合预期 (0.9 ≤ q < 1.2)
    mid = judge(plan, 2023, ("ch09-t01", 2020, 60), ("ch09-t01", 2023, 74)).loc["ch09-t01"]
    assert mid.pace_ratio == pytest.approx(0.7 / 0.6) and mid.status_zh == "基本符合预期"
    # final: 82 in 2025 → P = 22/20 = 1.1 ≥ 1.05 → 超额完成
    final = judge(plan, 2025, ("ch09-t01", 2020, 60), ("ch09-t01", 2025, 82)).loc["ch09-t01"]
    assert final.completion_share == pytest.approx(1.1) and final.status_zh == "超额完成"
    assert final.phase == "final"


# ---------------------------------------------------------------- count (ch03-t01 窗口学校100所, ch07-t04 航空飞行营地50个)

def test_count_as_a_level(plan):
    # 0 in 2020, 70 in 2023: P = 70/100 = 0.7; E = 0.6; q = 1.1667 → 基本符合预期
    row = judge(plan, 2023, ("ch03-t01", 2020, 0), ("ch03-t01", 2023, 70)).loc["ch03-t01"]
    assert row.completion_share == pytest.approx(0.7) and row.status_zh == "基本符合预期"


def test_count_built_each_year_is_summed(plan):
    # flows 10 + 12 + 14 = 36 of 50: P = 0.72; E = 0.6; q = mean 12 / required 50/5 = 1.2 → 快于预期
    row = judge(plan, 2023, ("ch07-t04", 2021, 10, "", "flow"), ("ch07-t04", 2022, 12, "", "flow"),
                ("ch07-t04", 2023, 14, "", "flow")).loc["ch07-t04"]
    assert row.rule == "cumulative_sum"
    assert row.completion_share == pytest.approx(0.72) and row.pace_ratio == pytest.approx(1.2)
    assert row.status_zh == "快于预期"
    assert row.reason_zh == "2021、2022、2023年累计36个，完成目标进度72%，快于序时进度60%"


def test_count_range_by_a_year_before_the_plans_end(plan):
    # ch09-t02 敬老院 350家至400家 by end-2022: as of 2023 its year is over → final labels
    inside = judge(plan, 2023, ("ch09-t02", 2022, 380)).loc["ch09-t02"]
    assert inside.phase == "final" and inside.rule == "range" and inside.status_zh == "完成"
    assert inside.reason_zh == "2022年380家，目标350家至400家，满足"
    # from 1000 homes in 2020 to 420 in 2022: a path to the ceiling 400,
    # P = (420 − 1000)/(400 − 1000) = 0.9667 → 0.9 ≤ P < 1 → 基本完成
    above = judge(plan, 2023, ("ch09-t02", 2020, 1000), ("ch09-t02", 2022, 420)).loc["ch09-t02"]
    assert above.completion_share == pytest.approx(580 / 600) and above.status_zh == "基本完成"
    # mid-way (as of 2021, N = 2): 700 → P = 300/600 = 0.5, E = 1/2, q = 1.0 → 基本符合预期
    early = judge(plan, 2021, ("ch09-t02", 2020, 1000), ("ch09-t02", 2021, 700)).loc["ch09-t02"]
    assert (early.phase, early.elapsed_share, early.status_zh) == ("midterm", 0.5, "基本符合预期")
    # outside the range with no base: not met
    assert judge(plan, 2023, ("ch09-t02", 2022, 300)).loc["ch09-t02", "status_zh"] == "未完成"


# ---------------------------------------------------------------- cumulative (ch11-t04 老旧小区改造3000个)

def test_cumulative_sum(plan):
    # 600 + 650 + 700 = 1950: P = 0.65; E = 0.6; q = 650/600 = 1.0833 → 基本符合预期
    flows = [("ch11-t04", 2021, 600), ("ch11-t04", 2022, 650), ("ch11-t04", 2023, 700)]
    row = judge(plan, 2023, *flows).loc["ch11-t04"]
    assert row.completion_share == pytest.approx(0.65) and row.pace_ratio == pytest.approx(650 / 600)
    assert row.status_zh == "基本符合预期"
    # + 650 + 600 = 3200 by 2025: P = 3200/3000 = 1.0667 ≥ 1.05 → 超额完成
    final = judge(plan, 2025, *flows, ("ch11-t04", 2024, 650), ("ch11-t04", 2025, 600)).loc["ch11-t04"]
    assert final.completion_share == pytest.approx(3200 / 3000) and final.status_zh == "超额完成"


# ---------------------------------------------------------------- annual (ch04-t06 每年帮扶困难人员就业7万人)

def test_annual_every_year(plan):
    years = [("ch04-t06", 2021, 7.5), ("ch04-t06", 2022, 8.0), ("ch04-t06", 2023, 11.0), ("ch04-t06", 2024, 8.5)]
    done = judge(plan, 2025, *years, ("ch04-t06", 2025, 7.2)).loc["ch04-t06"]
    # every year ≥ 7 → 完成; P = the weakest year 7.2/7 = 1.0286
    assert done.status_zh == "完成" and done.completion_share == pytest.approx(7.2 / 7)
    short = judge(plan, 2025, *years, ("ch04-t06", 2025, 6.9)).loc["ch04-t06"]
    assert short.status_zh == "未完成"
    assert short.reason_zh.endswith("每年目标7万人：2025年未达到")
    # 2021 missing at the final review: not every year is known → an estimate
    partial = judge(plan, 2025, *years[1:], ("ch04-t06", 2025, 7.2)).loc["ch04-t06"]
    assert partial.status_zh == "预计完成（据2025年数据）" and partial.years_missing == "2021"


# ---------------------------------------------------------------- completion (ch09-t13 2022年底前全部完成, ch07-t12 全覆盖)

def test_completion_by_a_year_and_with_a_path(plan):
    # observed as the share done: 100 % in 2022, the target's year → 完成 (final as of 2023)
    row = judge(plan, 2023, ("ch09-t13", 2021, 60), ("ch09-t13", 2022, 100)).loc["ch09-t13"]
    assert (row.phase, row.status_zh) == ("final", "完成")
    # 行政村体育设施覆盖: 90 % in 2020, 96 % in 2023 → P = 6/10 = 0.6, E = 0.6, q = 1 → 基本符合预期
    cover = judge(plan, 2023, ("ch07-t12", 2020, 90), ("ch07-t12", 2023, 96)).loc["ch07-t12"]
    assert cover.completion_share == pytest.approx(0.6) and cover.status_zh == "基本符合预期"


# ---------------------------------------------------------------- change (ch05-t01 比2020年增加1万元以上)

def test_change_from_the_base_year(plan):
    # 3.193 → 4.031 万元: y* = 3.193 + 1 = 4.193; P = 0.838/1 = 0.838; E = 0.6; q = 1.3967 → 快于预期
    row = judge(plan, 2023, ("ch05-t01", 2020, 3.193), ("ch05-t01", 2023, 4.031)).loc["ch05-t01"]
    assert row.completion_share == pytest.approx(0.838) and row.status_zh == "快于预期"
    # the same as a change (value_type cumulative): 0.838 against 1
    change = judge(plan, 2023, ("ch05-t01", 2023, 0.838, "", "cumulative")).loc["ch05-t01"]
    assert change.completion_share == pytest.approx(0.838) and change.status_zh == "快于预期"
    # a level without the 2020 level cannot be a change: no verdict, and the reason says why
    lacking = judge(plan, 2023, ("ch05-t01", 2023, 4.031)).loc["ch05-t01"]
    assert lacking.status_id == "no_data"
    assert lacking.reason_zh == "有2023年水平值，但缺少2020年基期值，无法计算比2020年的变化"


# ---------------------------------------------------------------- multiple (ch02-t15 翻一番 by 2035)

def test_multiple_of_the_base(plan):
    # 52397 (2020) → 70000 (2025); y* = 2 × 52397 = 104794
    # P = (70000 − 52397)/(104794 − 52397) = 17603/52397 = 0.33596; E = 5/15 = 0.3333;
    # q = 1.0079 → 基本符合预期 (a 2035 target keeps the mid-term labels in 2025)
    row = judge(plan, 2025, ("ch02-t15", 2020, 52397), ("ch02-t15", 2025, 70000)).loc["ch02-t15"]
    assert row.target_value == pytest.approx(104794)
    assert row.completion_share == pytest.approx(17603 / 52397) and row.elapsed_share == pytest.approx(1 / 3)
    assert (row.phase, row.status_zh, bool(row.is_vision)) == ("midterm", "基本符合预期", True)
    lacking = judge(plan, 2025, ("ch02-t15", 2025, 70000)).loc["ch02-t15"]
    assert lacking.status_id == "no_data" and "缺少2020年基期值" in lacking.reason_zh


# ---------------------------------------------------------------- restated targets and missing data

def test_a_restating_target_takes_its_indicators_row(plan):
    from plananalysis.observed.load import load_observed

    table = assess_targets(plan, load_observed(plan=plan), as_of=2023).set_index("target_id")
    progress = pg.assess(plan, load_observed(plan=plan), as_of=2023).set_index("indicator_id")
    row, indicator = table.loc["ch02-t03"], progress.loc["urbanisation_rate"]
    assert row.indicator_id == "urbanisation_rate"
    for column in ("status_id", "latest_value", "latest_year", "completion_share", "pace_ratio", "reason_zh"):
        assert row[column] == indicator[column], column


def test_a_target_without_data_names_its_department_and_years(plan):
    row = judge(plan, 2023).loc["ch03-t01"]
    assert row.status_zh == "无数据" and row.department_zh == "省教育厅"
    assert row.needed_years == (2020, 2021, 2022, 2023)
    assert row.needed_zh == "无数据：需省教育厅提供2020年基期值及2021–2023年“重点培育窗口学校”（所）数值和来源"


def test_other_methods_judge_targets_too(plan):
    # Eurostat's ratio of the realised to the required compound growth for a level with a path:
    # CAGR (74/60)^(1/3) − 1 = 7.24 %, required (80/60)^(1/5) − 1 = 5.92 % → RR = 1.22 ≥ 0.95
    row = judge(plan, 2023, ("ch09-t01", 2020, 60), ("ch09-t01", 2023, 74), method="eurostat").loc["ch09-t01"]
    assert row.status_zh == "显著进展" and row.method_value == pytest.approx(
        ((74 / 60) ** (1 / 3) - 1) / ((80 / 60) ** (1 / 5) - 1), abs=1e-4)


def test_specs_follow_the_catalogue(plan):
    specs = target_specs(plan).set_index("indicator_id")
    assert not set(specs.index) & set(plan.targets.loc[plan.targets.restates_indicator_id != "", "target_id"])
    assert specs.loc["ch09-t08", "direction"] == "lower"              # 1公里范围内 (≤)
    assert specs.loc["ch11-t04", "target_kind"] == "cumulative_sum"
    assert specs.loc["ch05-t01", "target_kind"] == "cumulative_change"
    assert math.isnan(specs.loc["ch03-t01", "baseline_value"])       # a base comes from the data


# ---------------------------------------------------------------- the engine's additions, directly

def spec(**kw):
    row = {"indicator_id": "x", "name_zh": "甲", "unit": "个", "target_printed": "", "target_kind": "level",
           "target_op": "=", "target_value": math.nan, "baseline_value": math.nan, "baseline_year": 2020,
           "target_year": 2025, "direction": "higher"}
    return {**row, **kw}


def test_annual_with_approx_tolerance_and_a_bound():
    obs = pd.DataFrame({"indicator_id": "x", "series": "plan", "year": [2021, 2022],
                        "value": [9.6, 12.0], "qualifier": ["", ">"]})
    # 左右: 9.6 ≥ 0.95 × 10 = 9.5 → met; a lower bound (>12) of a yearly floor is enough
    row = pg.assess(pd.DataFrame([spec(target_kind="annual", target_op="≈", target_value=10.0)]),
                    obs, as_of=2022).iloc[0]
    assert row.rule == "annual" and row.is_target_met and row.status_zh == "基本符合预期"


def test_range_refuses_a_missing_bound():
    row = pg.assess(pd.DataFrame([spec(target_op="range", target_value=2.0)]),
                    pd.DataFrame({"indicator_id": "x", "series": "plan", "year": [2023], "value": [2.0],
                                  "qualifier": [""]}), as_of=2023).iloc[0]
    assert row.status_id == "not_assessable" and "区间目标需要" in row.reason_zh


# ---------------------------------------------------------------- the final review is the main case (item 6)

def test_final_and_mid_term_reviews_use_the_labels_of_each_targets_year(plan):
    from plananalysis.engine.methods import status_labels
    from plananalysis.observed.load import load_observed

    final_ids = set(status_labels("cn-schedule", "final")["status_id"])
    observed = load_observed(plan=plan)
    final = assess_targets(plan, observed, as_of=2025)
    ended = final[final["target_year"] <= plan.info.end]
    assert (ended["phase"] == "final").all() and set(ended["status_id"]) <= final_ids
    assert not ended["status_zh"].str.contains("{", regex=False).any()   # an estimate names its year
    # a vision target (2035) is still on its way: mid-term labels, on a path to its own year
    assert (final.loc[final["is_vision"], "phase"] == "midterm").all()
    # the mid-term review: final labels only for targets whose year is over (2022年底前)
    mid = assess_targets(plan, observed, as_of=2023)
    assert set(mid.loc[mid["target_year"] <= 2023, "phase"]) == {"final"}
    assert set(mid.loc[mid["target_year"] > 2023, "phase"]) == {"midterm"}
