"""The analyst's guided notebook runs top to bottom, and its numbers are the engine's."""

from __future__ import annotations

import ast
import hashlib

import nbformat
import papermill as pm
import pytest

from plananalysis.context import review_context
from plananalysis.explore import compare_methods, schedule_value, verdict_change, what_if_table, with_value
from plananalysis.observed.load import load_observed
from plananalysis.plan.folder import load_plan
from plananalysis.engine.progress import assess, status_counts

from .conftest import DATA, ROOT


def data_digest():
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(DATA.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_explore_notebook_matches_the_engine(tmp_path):
    """The guided notebook walks chapter 4 as of 2023 (its indicators and its chapter targets, which
    are behind, the pace they need), tries a what-if on the five-year sum 新增城镇就业〔400〕 as that
    year's addition, adds and undoes an analyst's value in a temporary copy: its numbers by hand."""
    before = data_digest()
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"), str(out), kernel_name="python3",
                        parameters={"export_path": str(tmp_path / "进度表.xlsx"), "indicator": "常住人口城镇化率",
                                    "chapter": 4},
                        progress_bar=False)
    nb = nbformat.read(out, as_version=4)

    def tagged(tag):
        cell = next(c for c in nb.cells if tag in c.metadata.get("tags", []))
        return ast.literal_eval(cell.outputs[-1]["data"]["text/plain"])

    summary = tagged("summary")
    plan, observed = load_plan(), load_observed()
    assert summary["2023"] == status_counts(assess(plan, observed, as_of=2023)).to_dict()
    assert summary["2025"] == status_counts(assess(plan, observed, as_of=2025)).to_dict()

    walk = tagged("walk")
    # chapter 4 (就业): Table 2's 新增城镇就业人数 and 城镇调查失业率, and its 7 chapter targets ch04-t01 … t07
    assert (walk["chapter"], walk["items"], walk["indicators"]) == (4, 9, 2)
    assert walk["behind"] == []
    assert walk["without_data"] == ["ch04-t01", "ch04-t02", "ch04-t03", "ch04-t04", "ch04-t05", "ch04-t07"]
    pace = walk["pace"]
    assert pace["urban_new_jobs"] == [round((400 - (100 + 100 + 116.3)) / 2, 4), "latest"]   # 41.85 a year still
    assert pace["ch04-t01"] == [500 / 5, "base"]            # 职业技能培训〔500〕万人次, no value: 100 a year from 2020
    assert pace["ch04-t06"] == [7.0, "plan"]                # 帮扶困难人员就业 每年7万人
    assert pace["surveyed_unemployment_rate"] == [None, None]   # 控制在5.5左右: a ceiling, no pace
    # the what-if: 2023 on schedule = an addition of 400/5 = 80 (not 400), the other years' flows kept
    what = walk["what_if"]
    assert (what["id"], what["year"], what["value"]) == ("urban_new_jobs", 2023, 80.0)
    assert (what["year_value_before"], what["year_value_after"]) == (116.3, 80.0)
    assert what["cumulative_value_before"] == 316.3 and what["cumulative_value_after"] == 100 + 100 + 80
    assert what["path_value_after"] == 400 * 3 / 5 and what["P_after"] == 280 / 400
    assert what["q_after"] == round((280 / 3) / 80, 4) and what["required_pace_after"] == (400 - 280) / 2
    assert (what["status_before"], what["status_after"]) == ("ahead", "on_track")
    # the same value kept as an analyst's value in a temporary copy: the review of the copy says what the
    # what-if said; undone, it is back to the shipped 316.3
    analyst = walk["analyst"]
    assert (analyst["id"], analyst["value"]) == ("urban_new_jobs", 80.0)
    assert analyst["cumulative_value"] == 280.0 and analyst["P"] == 0.7 and analyst["q"] == what["q_after"]
    assert (analyst["status"], analyst["undone_status"]) == ("on_track", "ahead")
    assert analyst["undone_cumulative_value"] == 316.3

    assert (tmp_path / "进度表.xlsx").stat().st_size > 0
    assert data_digest() == before  # neither the what-if nor the analyst's value reached data/
    svgs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/svg+xml" in o.get("data", {})]
    assert svgs and "常住人口城镇化率" in svgs[0]["data"]["image/svg+xml"]
    text = out.read_text(encoding="utf-8")
    assert "为所需年均80的500%" not in text and "Traceback" not in text


def test_what_if_changes_the_verdict_in_memory_only():
    plan, observed = load_plan(), load_observed()
    tried = with_value(observed, "culture_industry_share", 2023, 6.8)
    change = verdict_change(plan, observed, tried, "culture_industry_share", as_of=2023)
    # before: 6.9 in 2021, P = (6.9-6.6)/(7.5-6.6) = 0.333, E = 1/5 = 0.2, q = 1.67 → 快于预期
    # after: 6.8 in 2023, P = 0.2/0.9 = 0.222, E = 0.6, q = 0.37 → 滞后
    assert change.loc["status_zh", "before"] == "快于预期（据2021年媒体报道数据，待核实，趋势存疑，基期存疑）"   # issue 19
    assert change.loc["status_zh", "after"] == "滞后"
    assert change.loc["completion_share", "after"] == pytest.approx(0.2 / 0.9)
    assert len(load_observed()) == len(observed)


def test_methods_side_by_side():
    verdicts = compare_methods(load_plan(), load_observed(), as_of=2023)
    assert list(verdicts.columns) == ["cn-schedule", "eurostat", "open-sdg", "sdsn"]
    assert len(verdicts) == 25
    assert verdicts.loc["常住人口城镇化率", "cn-schedule"] == "快于预期"


# ---------------------------------------------------------------- what-ifs on a five-year sum 〔400〕
# 新增城镇就业人数 〔400〕 万人 over 2021–2025 (Table 2), flows as shipped: 2021 >100, 2022 >100 (lower
# bounds, media), 2023 116.3 (official).  As of 2023: E = 3/5, the path 400 × 3/5 = 240.

def test_a_what_if_on_a_five_year_sum_is_that_years_addition():
    review = review_context(as_of=2023)
    table = what_if_table(review, "urban_new_jobs", 2023, 80)      # 2023 adds 80 instead of 116.3
    before, after = table["before"], table["after"]
    assert (before["year_value"], after["year_value"]) == (116.3, 80.0)
    assert before["cumulative_value"] == pytest.approx(100 + 100 + 116.3)
    assert after["cumulative_value"] == pytest.approx(100 + 100 + 80)          # 280, not 80 and not 400
    assert before["path_value"] == after["path_value"] == pytest.approx(400 * 3 / 5)
    assert after["P"] == pytest.approx(280 / 400) and after["E"] == pytest.approx(0.6)
    assert after["q"] == pytest.approx((280 / 3) / (400 / 5))                  # mean flow / required flow = 1.1667
    assert after["required_pace"] == pytest.approx((400 - 280) / 2) and after["pace_from"] == "latest"
    assert after["status"] == "on_track" and before["status"] == "ahead"      # q 1.17 and 1.32
    assert "2021、2022、2023年累计280万人" in after["reason"]
    # the review it came from is unchanged
    assert review.progress.set_index("indicator_id").loc["urban_new_jobs", "latest_value"] == 116.3


def test_a_running_total_what_if_replaces_the_flows_and_its_bounds():
    review = review_context(as_of=2023)
    after = what_if_table(review, "urban_new_jobs", 2023, 250, cumulative=True)["after"]
    assert after["cumulative_value"] == pytest.approx(250) and after["P"] == pytest.approx(250 / 400)
    assert after["q"] == pytest.approx((250 / 3) / 80) and after["required_pace"] == pytest.approx((400 - 250) / 2)
    # the 2021/2022 lower bounds are inside the total now: no "≥", no 仅知下限
    assert after["reason"] == "2023年累计250万人，完成目标进度62.5%，快于序时进度60%"


def test_the_whole_five_year_amount_in_one_year_warns_and_bad_running_totals_are_refused():
    review = review_context(as_of=2023)
    with pytest.warns(UserWarning, match="cumulative=True"):
        tried = review.what_if("urban_new_jobs", 2023, 400)
    # taken as asked (an addition): 100 + 100 + 400 = 600 of 400
    assert tried.progress.set_index("indicator_id").loc["urban_new_jobs", "completion_share"] == pytest.approx(1.5)
    with pytest.raises(ValueError, match="not a five-year cumulative target"):
        review.what_if("urbanisation_rate", 2023, 74.0, cumulative=True)
    with pytest.raises(ValueError, match="has values for 2023"):
        review.what_if("urban_new_jobs", 2022, 200, cumulative=True)


def test_the_value_on_schedule():
    review = review_context(as_of=2023)
    assert schedule_value(review, "urban_new_jobs", 2023) == pytest.approx(400 / 5)        # a year's addition
    assert schedule_value(review, "常住人口城镇化率", 2023) == pytest.approx(71 + (75 - 71) * 3 / 5)
    # at the schedule value the level is exactly on the path: q = 1
    on_path = what_if_table(review, "urbanisation_rate", 2023, schedule_value(review, "urbanisation_rate", 2023))
    assert on_path.loc["q", "after"] == pytest.approx(1.0) and "cumulative_value" not in on_path.index
