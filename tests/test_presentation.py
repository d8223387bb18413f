"""The shared presentation layer: one formatter, the glossary, one set of signals, sentences
written from the numbers (plananalysis.present.format/glossary/signals/narrative)."""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest

from plananalysis.context import review_context
from plananalysis.present import format as fmt
from plananalysis.present import glossary, narrative, signals
from plananalysis.present.tables import progress_view

from .conftest import OBSERVED


@pytest.fixture(scope="module")
def midterm():
    return review_context(as_of=2023)


@pytest.fixture(scope="module")
def final():
    return review_context(as_of=2025, lang="en")


# ----------------------------------------------------------------------------- one formatter

@pytest.mark.parametrize("value, unit, expected", [
    (float("nan"), "%", "—"), (None, "", "—"), (pd.NA, "万人", "—"), ("", "", "—"), ("nan", "", "—"),
    (6.950000, "%", "6.95"), (74.20, "%", "74.2"), (52397, "元", "52,397"), (4355, "万人", "4355"),
    (0.0164, "人/亿元", "0.016"), (116.34, "万人", "116.3"), (-0.7092499999999999, "%", "-0.71"),
    (-0.0001, "", "0"), (41500.0, "万立方米", "41,500"),
])
def test_one_number_formatter(value, unit, expected):
    assert fmt.number(value, unit) == expected


def test_shares_years_and_text():
    assert [fmt.share(x) for x in (0.29075, 5.85, float("nan"))] == ["29%", "585%", "—"]
    assert fmt.value_text(116.3, "万人", 2023) == "116.3（2023年）"
    assert fmt.value_text(116.3, "万人", 2023, lang="en") == "116.3 (2023)"
    assert fmt.group_digits("2020年52397元（2021,2022年）") == "2020年52,397元（2021,2022年）"


# ----------------------------------------------------------------------------- glossary

def test_every_unit_of_the_plan_is_in_the_glossary(midterm):
    plan = midterm.plan
    units = set(plan.indicators["unit"]) | set(plan.previous_indicators["unit"].dropna()) | set(plan.targets["unit"].dropna())
    missing = sorted(u for u in units - {""} if glossary.has_chinese(glossary.unit_name(u, "en")))
    assert not missing, f"units without an English name in data/glossary/terms.csv: {missing}"


def test_every_printed_target_reads_in_english(midterm):
    plan = midterm.plan
    cells = (list(zip(plan.indicators["target_printed"], plan.indicators["unit"]))
             + list(zip(plan.indicators["baseline_printed"], plan.indicators["unit"]))
             + list(zip(plan.previous_indicators["target_printed"], plan.previous_indicators["unit"]))
             + list(zip(plan.targets["target_text"], plan.targets["unit"])))
    left = sorted({c for c, u in cells if glossary.has_chinese(glossary.target_wording(c, "en", u))})
    assert not left, f"target wording left in Chinese: {left}"
    assert glossary.target_wording("75左右") == "about 75"
    assert glossary.target_wording("年均增长5.5以上", unit="%") == "average annual growth of 5.5% or more"


def test_sections_regions_and_sources(midterm):
    assert glossary.section("一(二)", "en") == "1(2)" and glossary.section("十三(三)", "en") == "13(3)"
    plan = midterm.plan
    english = plan.regions.set_index("name_zh").loc[plan.region, "name_en"]
    assert glossary.region_name(plan, lang="en") == english
    assert glossary.to_chinese("浙江省统计局 release (reprint)") == "浙江省统计局发布稿（转载）"


# ----------------------------------------------------------------------------- one set of signals

def _bands_hold(table: pd.DataFrame, found: pd.DataFrame) -> list[str]:
    wrong = []
    for (_, row), (_, sig) in zip(table.iterrows(), found.iterrows()):
        if sig["measure"] == "q":
            q = float(sig["value"])
            ok = {"ahead": q >= 1.2 - 1e-9, "on_track": 0.9 - 1e-9 <= q < 1.2, "lagging": 0 <= q < 0.9,
                  "reversed": q < 0}.get(sig["tone"], True)
            if not ok:
                wrong.append(f"{row['name_zh']}: {sig['label']} with {sig['shown']}")
    return wrong


@pytest.mark.parametrize("as_of", [2023, 2025])
def test_the_number_beside_a_status_is_the_one_it_rests_on(as_of):
    review = review_context(as_of=as_of)
    found = signals.signals(review.progress)
    assert not _bands_hold(review.progress, found)
    if as_of == 2025:
        assert not found["shown"].str.startswith("q=").any()     # final: completion, never a pace
        assert set(found["projected"]) == {""}                   # no projection in a final review
    jobs = found.set_index("indicator_id")
    if as_of == 2023:
        # the new-jobs verdict rests on the pace: ≥ 316.3 of 400 by 2023 (2021 and 2022 >100, issue 19):
        # P = 0.79075, E = 0.6, q = 1.318 — shown, and the bar agrees
        assert jobs.loc["urban_new_jobs", "shown"] == "q=1.32"
        assert jobs.loc["urban_new_jobs", "done"] > jobs.loc["urban_new_jobs", "mark"]


@pytest.mark.parametrize("as_of", [2023, 2025])
def test_lists_follow_the_statuses(as_of):
    review = review_context(as_of=as_of)
    behind = signals.signals(signals.most_behind(review.progress, 10))
    ahead = signals.signals(signals.furthest_ahead(review.progress, 10))
    assert set(behind["tone"]) <= {"lagging", "reversed"}
    assert set(ahead["tone"]) <= {"met", "ahead"}
    assert not set(behind["indicator_id"]) & set(ahead["indicator_id"])


def test_a_lagging_row_is_never_likely_met(midterm, final):
    for review in (midterm, final):
        view = progress_view(review.progress, review.lang)
        status = view.columns[[c in ("评估结论", "Status") for c in view.columns]][0]
        projected = [c for c in view.columns if c.startswith(("预计", "Projected"))]
        if review.params.phase == "final":
            assert not projected
            continue
        lagging = view[view[status].isin(["滞后", "逆向", "无数据"])]
        assert not lagging[projected[0]].isin(["预计完成", "likely met"]).any()


def test_english_progress_table_has_no_chinese_but_names(final):
    view = progress_view(final.progress, "en")
    for column in view.columns:
        if column == "Indicator":
            continue
        left = [v for v in view[column] if glossary.has_chinese(str(v))]
        assert not left, (column, left[:3])


# ----------------------------------------------------------------------------- sentences

def test_headline_counts_names_and_departments(midterm):
    text = narrative.headline(midterm)
    counts = midterm.progress["status_id"].value_counts()   # by status: labels carry their evidence (issue 19)
    assert f"{counts['ahead']}项快于预期" in text and f"{counts['no_data']}项尚无可用数据" in text
    lagging = midterm.what_if("culture_industry_share", 2023, 6.7)   # q = (0.1/0.9)/0.6 = 0.19
    assert "滞后（文化及相关产业增加值占GDP比重）" in narrative.headline(lagging)
    assert "省卫生健康委" in text  # who is to supply the missing data (responsibilities.csv)


def test_changing_an_observed_value_changes_the_headline(tmp_path, midterm):
    # a sandboxed copy of the plan's observed data: the culture share's 2021 value 6.9 → 6.62
    folder = tmp_path / "observed"
    shutil.copytree(OBSERVED, folder)
    path = folder / "observed-zhejiang.csv"
    text = path.read_text(encoding="utf-8")
    line = next(li for li in text.splitlines() if li.startswith("culture_industry_share,") and ",2021,6.9," in li)
    path.write_text(text.replace(line, line.replace(",2021,6.9,", ",2021,6.62,")), encoding="utf-8")
    changed = review_context(as_of=2023, observed_path=str(folder))
    before, after = narrative.headline(midterm), narrative.headline(changed)
    assert before != after
    assert "滞后（" not in before and "滞后（文化及相关产业增加值占GDP比重）" in after   # 6.62: q = (0.02/0.9)/0.2 = 0.11
    assert "1项滞后" in after and narrative.problems(changed)[0]["kind"] == "lagging"
    row = signals.signals(changed.progress).set_index("indicator_id").loc["culture_industry_share"]
    assert row["tone"] == "lagging" and not math.isnan(row["value"])


def test_chapter_narrative_and_problems(final):
    review = review_context(as_of=2023, chapter=10).what_if("culture_industry_share", 2023, 6.7)
    text = narrative.chapter_narrative(review)
    assert "需加大力度：文化及相关产业增加值占GDP比重" in text
    english = narrative.problems(final.what_if("reading_rate", 2025, 90.0))      # 90 < 92.5: not completed
    assert [p["kind"] for p in english][:1] == ["lagging"]
    assert all(not glossary.has_chinese(p["text"]) for p in english)


def test_binding_and_expected_are_shown_where_the_plan_marks_them(midterm):
    progress = midterm.progress.copy()
    assert "属性" not in progress_view(progress).columns       # this plan's table marks neither
    progress["attribute"] = ["binding"] + ["expected"] * (len(progress) - 1)
    view = progress_view(progress)
    assert view["属性"].tolist()[:2] == ["约束性", "预期性"]
    assert progress_view(progress, "en")["Type"].tolist()[:2] == ["binding", "expected"]


def test_department_names_are_read_once_per_table_and_follow_its_rows():
    """``department_name`` looks names up in a dict built once per departments table: an id's first
    row names it, a missing English name falls back to the Chinese one, an unknown id is itself,
    and another table (another plan, or the same plan loaded again) gets its own names."""
    class Plan:
        def __init__(self, rows):
            self.departments = pd.DataFrame(rows, columns=["department_id", "name_zh", "name_en"])

    plan = Plan([["edu", "省教育厅", "Education Department"], ["edu", "教育厅（重复）", "Duplicate"],
                 ["hlth", "省卫生健康委", None]])
    assert [glossary.department_name(plan, d, "en") for d in ("edu", "hlth", "x")] == \
        ["Education Department", "省卫生健康委", "x"]
    assert glossary.department_name(plan, "edu") == "省教育厅"
    other = Plan([["edu", "市教育局", "Municipal Education Bureau"]])
    assert glossary.department_name(other, "edu", "en") == "Municipal Education Bureau"
    assert glossary.department_name(Plan([]), "edu") == "edu"
