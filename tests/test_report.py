"""What the report notebooks call: parameters, narrative, coverage and the chapter tables."""

from __future__ import annotations

import pytest

from plananalysis.engine.methods import METHODS
from plananalysis.params import ReviewParameterError, method_names, validate
from plananalysis.context import start


def test_method_names_are_the_engines():
    assert method_names() == METHODS


@pytest.mark.parametrize("kwargs, name", [
    ({"as_of": 2020}, "as_of"), ({"as_of": "x"}, "as_of"), ({"chapter": 15}, "chapter"),
    ({"method": "fast"}, "method"), ({"lang": "fr"}, "lang"), ({"region": " "}, "region"),
    ({"observed_path": "/nonexistent.csv"}, "observed_path"), ({"asof": 2023}, "asof"),
])
def test_bad_parameters_are_named(kwargs, name):
    with pytest.raises(ReviewParameterError) as info:
        validate(**kwargs)
    assert info.value.name == name and f"参数 {name}" in str(info.value)
    assert info.value._render_traceback_()[0].count("\n") == 0  # one line in a notebook


def test_phase_follows_the_year():
    assert validate(as_of=2023).phase == "midterm" and validate(as_of=2025).phase == "final"
    assert validate(chapter="第九章").chapter == 9


def test_chapter_narrative_is_written_from_the_numbers():
    review = start(as_of=2023, chapter=10, render=False)
    rows = review.chapter_progress()
    # chapter 十 covers reading rate (快于预期), culture share (快于预期: 6.9 in 2021, q = 1.67) and
    # tourism share (无数据)
    assert set(rows["indicator_id"]) == {"reading_rate", "culture_industry_share", "tourism_industry_share"}
    text = review.chapter_narrative()
    assert text.startswith(f"本章共有{len(review.chapter.targets)}项量化目标")
    assert "涉及主要指标3项，其中2项有观测数据" in text
    assert "快于预期2项" in text and "无数据1项" in text and "需加大力度" not in text


def test_coverage_lists_every_indicator_by_name():
    review = start(as_of=2023, render=False)
    coverage = review.coverage()
    assert len(coverage) == 25 and coverage.columns[0] == "指标"
    row = coverage.set_index("指标").loc["常住人口城镇化率"]
    assert row["2023"] == "✓"


def test_catalogue_targets_take_the_status_of_the_indicator_they_restate():
    review = start(as_of=2023, chapter=2, render=False)
    table = review.chapter_targets_view().set_index("编号")
    urbanisation = review.plan.targets.set_index("target_id")
    restating = urbanisation.index[urbanisation["restates_indicator_id"] == "urbanisation_rate"][0]
    assert table.loc[restating, "评估结论"] == "快于预期"
    vision = review.vision_targets()
    assert len(vision) == 2 and vision["原文"].str.contains("80%左右").any()
    assert vision.columns.tolist() == ["内容", "原文", "目标", "目标年份"]  # headers for readers, not column ids


def test_trajectory_shows_the_years_up_to_as_of_and_projects_from_there():
    # the shipped data run to 2025; as of 2023 the chart stops at 74.2 and projects
    # 74.2 + (74.2 − 71)/3 × 2 = 76.333 for 2025, as the verdict beside it does
    from .test_charts import line_segments, points_of

    spec = start(as_of=2023, chapter=3, render=False).trajectory("urbanisation_rate").to_dict()
    assert max(year for year, _ in points_of(spec, "point")) == 2025  # the projection and target markers
    assert (2024, 75.5) not in points_of(spec, "point")
    ((start_point, end_point),) = [seg for seg, dash in line_segments(spec) if dash == [2, 3]]
    assert start_point == (2023, 74.2) and end_point[0] == 2025
    assert end_point[1] == pytest.approx(74.2 + (74.2 - 71) / 3 * 2)
