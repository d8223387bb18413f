"""The plan as data: the loader, the tables against the plan's text, and broken files."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from plananalysis.errors import ParameterError, PlanDataError
from plananalysis.plan.folder import chapter_number, load_plan
from plananalysis.plan.grammar import parse

from .conftest import PLAN_DIR, ROOT, TEST_DATA

SOURCE_LINES = [l.strip() for l in (PLAN_DIR / "source.txt").read_text(encoding="utf-8").split("\n") if l.strip()]


def table_block(title_start: str) -> list[str]:
    """The non-empty lines of a table in source.txt, from its title to its 注 line."""
    start = next(i for i, l in enumerate(SOURCE_LINES) if l.startswith(title_start))
    end = next(i for i in range(start, len(SOURCE_LINES)) if SOURCE_LINES[i].startswith("注"))
    return SOURCE_LINES[start:end]


GROUP_LINES = {"就业增收", "公共服务", "社会产业", "社会治理", "居民生活", "社会结构", "社会服务业",
               "生态环境", "城镇化率"}


def printed_rows(block: list[str], names: list[str], numbers: list[str]) -> dict[str, str]:
    """The cells printed between each indicator's name and the next one's, in table order.

    Between two names the table prints the cells, then maybe a category line, then the next
    row's number (``numbers``: '16a' prints 16, '16b' prints nothing), then maybe a group line.
    """
    positions = [block.index(n) for n in names] + [len(block)]
    rows = {}
    for k, name in enumerate(names):
        cells = block[positions[k] + 1:positions[k + 1]]
        following = numbers[k + 1] if k + 1 < len(names) else ""
        if cells and cells[-1] in GROUP_LINES:
            cells.pop()
        if following and not following.endswith("b"):
            assert cells.pop() == following.rstrip("a")
        if cells and cells[-1] in GROUP_LINES:
            cells.pop()
        rows[name] = "".join(cells)
    return rows


def test_counts(plan):
    assert len(plan.indicators) == 25
    assert len(plan.previous_indicators) == 29  # 28 rows, row 16 in two sub-rows
    assert len(plan.chapters) == 14 and len(plan.boxes) == 21
    # Table 2's categories, counted by hand: 就业增收 1–6, 公共服务 7–18, 社会产业 19–22, 社会治理 23–25.
    assert plan.indicators.groupby("category_zh", sort=False).size().to_dict() == {
        "就业增收": 6, "公共服务": 12, "社会产业": 4, "社会治理": 3}


def test_table_2_rows_match_the_plan_text_verbatim(plan):
    rows = printed_rows(table_block("表2"), list(plan.indicators["name_zh"]),
                        [str(n) for n in plan.indicators["no"]])
    for _, row in plan.indicators.iterrows():
        unit = "" if row["unit_inferred"] else row["unit"]
        expected = unit + row["baseline_printed"] + row["target_printed"]
        assert rows[row["name_zh"]] == expected, row["indicator_id"]


def test_table_1_rows_match_the_plan_text_verbatim(plan):
    rows = printed_rows(table_block("表1"), list(plan.previous_indicators["name_zh"]),
                        list(plan.previous_indicators["row"]))
    for _, row in plan.previous_indicators.iterrows():
        # Row 28 prints "%", which we correct to 人/亿元 (unit_inferred): the printed unit is "%".
        unit = "%" if row["row"] == "28" else ("" if row["unit_inferred"] else row["unit"])
        cells = "".join(row[c].replace(" ", "") for c in ("base_printed", "target_printed", "actual_printed"))
        assert rows[row["name_zh"]] == unit + cells, row["indicator_id"]


def test_every_number_in_the_tables_appears_in_the_source(plan):
    text = plan.source_text
    numbers_in_text = set(re.findall(r"\d+(?:\.\d+)?", text))
    frames = [plan.indicators[["baseline_printed", "target_printed"]],
              plan.previous_indicators[["base_printed", "target_printed", "actual_printed"]]]
    for frame in frames:
        for cell in frame.to_numpy().ravel():
            for number in parse(cell).numbers():
                assert format(number, "g") in numbers_in_text or str(number) in numbers_in_text, cell


def test_prose_quotes_appear_in_the_source(plan):
    for quote in plan.indicators["prose_quote"]:
        assert quote == "" or quote in plan.source_text, quote


def test_what_the_prose_adds(plan):
    jobs = plan.indicator("urban_new_jobs")
    assert jobs["target_printed"] == "400" and jobs["target_kind"] == "cumulative_sum"
    assert "五年新增城镇就业400万人" in jobs["prose_quote"]
    unemployment = plan.indicator("城镇调查失业率")
    assert unemployment["target_op"] == "≤≈" and unemployment["direction"] == "lower"
    myopia = plan.indicator(8)
    assert myopia["target_kind"] == "cumulative_change" and myopia["target_value"] == 5
    health = plan.indicator("health_industry_share")
    assert (health["baseline_value"], health["baseline_year"]) == (6.0, 2019)


def test_directions_are_set_and_never_defaulted(plan):
    assert set(plan.indicators["direction"]) == {"higher", "lower"}
    lower = set(plan.indicators.loc[plan.indicators["direction"] == "lower", "indicator_id"])
    assert lower == {"surveyed_unemployment_rate", "urban_rural_income_ratio",
                     "youth_myopia_reduction", "work_safety_death_rate"}


def test_inferred_units_are_marked(plan):
    t1 = plan.previous_indicators.set_index("indicator_id")
    for key, unit in {"disposable_income": "元", "hospital_beds_per_1000": "张", "doctors_per_1000": "人",
                      "natural_growth_rate": "‰", "life_expectancy": "岁"}.items():
        assert t1.loc[key, "unit"] == unit and t1.loc[key, "unit_inferred"]
    assert not t1.loc["pension_insured", "unit_inferred"]


def test_lookup_by_id_name_and_number(plan):
    assert plan.indicator("urbanisation_rate")["no"] == 3
    assert plan.indicator("常住人口城镇化率")["indicator_id"] == "urbanisation_rate"
    assert plan.indicator(25)["direction"] == "lower"
    with pytest.raises(KeyError, match="常住人口城镇化率"):
        plan.indicator("城镇化率")


def test_chapters(plan):
    nine = plan.chapter(9)
    assert nine.title() == "第九章 构建更加充分的“一老一小”服务供给体系"
    assert list(nine.boxes["number"]) == [13, 14]
    assert set(nine.indicators["indicator_id"]) == {"infant_care_places_per_1000", "care_workers_per_10k_elderly"}
    assert plan.chapter("十三").number == 13 and plan.chapter("第3章").number == 3
    with pytest.raises(ParameterError, match="15"):
        chapter_number(15, 14)
    assert plan.boxes.groupby("chapter").size().sum() == 21


def test_a_second_plan_loads_as_data_alone():
    other = load_plan(TEST_DATA / "plans" / "hz-demo")
    assert other.plan_id == "hz-demo" and len(other.indicators) == 3
    assert other.previous_indicators.empty and other.targets.empty
    assert other.chapter(2).indicators["indicator_id"].tolist() == ["hospital_beds_per_1000"]


def _rewrite(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, row, column, value", [
    # direction misspelt in row 4 (Table 2 row 3, urbanisation; the header is row 1)
    ("indicators.csv", "level,2025,higher,2,", "level,2025,up,2,", 4, "direction", "up"),
    # a printed cell the grammar cannot read
    ("indicators.csv", ",71,75左右,", ",71,75左有,", 4, "target_printed", "75左有"),
    # a parsed column that disagrees with its printed cell
    ("indicators.csv", "75左右,71,2020,≈,75,", "75左右,71,2020,≈,76,", 4, "target_value", "76.0"),
    # a year that is not a whole number
    ("indicators.csv", "111.8,400,111.8,2020,", "111.8,400,111.8,20x0,", 2, "baseline_year", "20x0"),
    # duplicated id
    ("indicators.csv", "talent_total,6,", "urbanisation_rate,6,", 7, "indicator_id", "urbanisation_rate"),
    # unknown unit
    ("indicators_previous.csv", "万立方米,false,33000", "万方,false,33000", 25, "unit", "万方"),
    # a share above 100 %
    ("indicators_previous.csv", "94.6,72.9,2015", "194.6,72.9,2015", 26, "actual_printed", "94.6"),
])
def test_broken_files_give_one_clear_error(plan_copy, file, old, new, row, column, value):
    _rewrite(plan_copy / file, old, new)
    with pytest.raises(PlanDataError) as info:
        load_plan(plan_copy)
    err = info.value
    assert err.path.endswith(file) and err.row == row and err.column in (column, "actual_value")
    message = str(err)
    assert file in message and f"第{row}行" in message and "expected" in message


def test_missing_source_entry_is_an_error(plan_copy):
    _rewrite(plan_copy / "sources.yml", "  indicators_previous.csv:", "  indicators_previous_old.csv:")
    with pytest.raises(PlanDataError, match="indicators_previous.csv"):
        load_plan(plan_copy)


def test_cli_reports_a_broken_file_without_traceback(plan_copy):
    _rewrite(plan_copy / "indicators.csv", "level,2025,higher,2,", "level,2025,up,2,")
    result = subprocess.run([sys.executable, "-m", "plananalysis.run.cli", "check", "--plan", str(plan_copy)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "indicators.csv 第4行 列 direction" in result.stderr and "'up'" in result.stderr


def test_cli_summary(plan):
    result = subprocess.run([sys.executable, "-m", "plananalysis.run.cli", "summary"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "25 项主要指标" in result.stdout and "公共服务: 12" in result.stdout
    assert "第九章 构建更加充分的“一老一小”服务供给体系: 指标 2" in result.stdout
