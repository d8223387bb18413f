"""The chapter catalogue (targets.csv): complete, verbatim, placed, parsed — and bad files named."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from plananalysis.plan.catalogue import (
    COMPLETION, KINDS, TARGET_COLUMNS, account_for, place_of, quote_span, read_excluded,
    read_targets, scan_target_phrases,
)
from plananalysis.errors import PlanDataError, PlanDataErrors
from plananalysis.plan.grammar import chinese_number, parse

from .conftest import PLAN_DIR

TARGETS = PLAN_DIR / "targets.csv"
EXCLUDED = PLAN_DIR / "targets_excluded.csv"


@pytest.fixture(scope="module")
def text():
    return (PLAN_DIR / "source.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def targets(text):
    return read_targets(TARGETS, source_text=text)


@pytest.fixture(scope="module")
def excluded():
    return read_excluded(EXCLUDED)


def _rows(frame):
    return [row for _, row in frame.iterrows()]


# --- (a) completeness -------------------------------------------------------------------

def test_every_scanned_phrase_is_a_target_or_excluded(text, targets, excluded):
    result = account_for(text, targets, excluded)
    assert [(p.key, p.line) for p in result.missing] == []
    assert [p.key for p in result.both] == []     # never both: one reading per phrase
    assert result.stale == []                     # no exclusion the scanner no longer finds
    assert result.is_complete


def test_completeness_fails_when_a_target_is_dropped(text, targets, excluded):
    """The test above can fail: without ch09-t02 its phrase 350家至400家 is unaccounted for."""
    result = account_for(text, targets[targets["target_id"] != "ch09-t02"], excluded)
    assert [p.key for p in result.missing] == ["ch09:350家至400家#1"]


def test_completeness_fails_for_a_stale_exclusion(text, targets, excluded):
    extra = pd.concat([excluded, pd.DataFrame([{"phrase_key": "ch09:999个#1", "reason": "gone"}])])
    assert account_for(text, targets, extra).stale == ["ch09:999个#1"]


def test_every_catalogue_row_covers_a_scanned_phrase(text, targets, excluded):
    """No row is outside the scanner's reach (so the scanner sees every kind of target)."""
    covering = {tid for ids in account_for(text, targets, excluded).covered.values() for tid in ids}
    assert set(targets["target_id"]) - covering == set()


def test_exclusions_match_the_scanner(text, excluded):
    phrases = {p.key: p for p in scan_target_phrases(text)}
    for row in _rows(excluded):
        phrase = phrases[row["phrase_key"]]
        assert (phrase.chapter, phrase.section, phrase.line, phrase.text) == (
            row["chapter"], row["section"], row["line"], row["phrase"])
        assert row["context"] in text.split("\n")[row["line"] - 1] and row["phrase"] in row["context"]


# --- the scanner ----------------------------------------------------------------------------

def test_scanner_skips_years_list_numbers_and_unitless_numbers():
    sample = "二、总体\n1.到2025年,比2020年增加1万元以上,深化“1+8+X”,2.0计划,2022年底前完成。"
    assert [p.text for p in scan_target_phrases(sample)] == ["1万元以上"]


def test_scanner_skips_chapter_one_and_tables():
    sample = ("一、背景\n新增10个\n二、总体\n表2 指标\n新增20个\n注:〔〕为五年累计数。\n新增30个以上\n"
              "三、人力\n新增40所左右")
    assert [(p.chapter, p.text) for p in scan_target_phrases(sample)] == [(2, "30个以上"), (3, "40所左右")]


def test_scanner_reads_chinese_numerals_but_not_units_after_digits():
    sample = "二、总体\n新增400万人,每千人口4.5个,十个线路,二级以上,三分之二,“翻一番”"
    assert [p.text for p in scan_target_phrases(sample)] == ["400万人", "4.5个", "十个", "二级以上", "三分之二", "翻一番"]


def test_scanner_keys_count_repeats_within_a_chapter(text):
    keys = [p.key for p in scan_target_phrases(text) if p.text == "1500名左右"]
    assert keys == ["ch03:1500名左右#1", "ch03:1500名左右#2"]


def test_scanner_reads_completion_words_but_not_inside_other_words():
    sample = ("二、总体\n健全覆盖全民的体系,健全部门间机制,2022年底前完成。\n"
              "实现法定人员社保全覆盖,基本完成改造任务,2022年底前全部完成,全部达到标准。"
              "完成调查。零就业家庭动态清零,“应保尽保”。")
    assert [p.text for p in scan_target_phrases(sample)] == [
        "全覆盖", "基本完成", "全部完成", "全部", "完成", "动态清零", "应保尽保"]


def test_scanner_totals(text):
    # 182 phrases = 113 covered by the catalogue (some phrases share a quote) + 54 excluded
    # + 15 extra phrases inside quotes: 3岁以下 (ch02-t05), 两级 (ch06-t03), 3个 (ch03-t19),
    # 1万名, 1名, 1家 (ch09-t07/t08), 5市 (ch10-t07), 全部 (ch09-t05: 全部达到…二级以上);
    # since issue 20 11个 and 50万人 (ch09-t15), 30万人以上 (ch09-t16) and the 建成 inside
    # ch03-t19 (基本建成…), ch08-t03 (2000年底前建成的), ch10-t16 (建成10000个), ch11-t01 (建成命名).
    # Of the 182, 14 are the completion words of issue 13.5: 10 completion targets, 3 exclusions
    # (应享尽享, 全覆盖#2 of 专栏6, 应开尽开) and the 全部 inside ch09-t05; issue 20 adds the build
    # words: 16 建成 (2 targets ch09-t14 and ch13-t02, 4 inside other quotes, 10 excluded),
    # 1 建有 (ch09-t16) and 1 编制 (ch09-t15).
    phrases = scan_target_phrases(text)
    assert len(phrases) == 182
    texts = [p.text for p in phrases]
    assert sum(t not in ("建成", "建有", "编制") and bool(COMPLETION.fullmatch(t)) for t in texts) == 14
    assert (texts.count("建成"), texts.count("建有"), texts.count("编制")) == (16, 1, 1)


# --- (b) verbatim quotes, target texts and numbers ------------------------------------------

def test_every_quote_occurs_once_in_the_source(text, targets):
    for row in _rows(targets):
        assert text.count(row["quote"]) == 1, (row["target_id"], row["quote"])


def test_target_text_lies_in_its_quote(targets):
    for row in _rows(targets):
        assert row["target_text"] in row["quote"], row["target_id"]


# Numbers written without digits, by hand.
WORD_NUMBERS = {"翻一番": [2], "十个": [10], "二级以上": [2], "三分之二": [2 / 3],
                "万人": [10000], "千人": [1000], "百人": [100], "四大": [4], "九大": [9]}


def test_parsed_numbers_appear_in_the_target_text(targets):
    for row in _rows(targets):
        if row["kind"] == "completion":
            continue  # states no number: 100 = done (test_completion_targets)
        stated = [row["low"], row["high"]] if row["op"] == "range" else [row["value"]]
        text = re.sub(r"比\d{4}年", "", row["target_text"])   # the base year is not the target
        written = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)] or WORD_NUMBERS[text]
        assert all(any(math.isclose(s, w, rel_tol=1e-5) for w in written) for s in stated), row["target_id"]


# --- (c) ids and places ----------------------------------------------------------------------

def test_ids_are_unique_and_numbered_in_order(targets):
    assert targets["target_id"].is_unique
    assert list(targets.columns) == TARGET_COLUMNS
    for chapter, group in targets.groupby("chapter"):
        assert list(group["target_id"]) == [f"ch{chapter:02d}-t{i:02d}" for i in range(1, len(group) + 1)]


def test_chapter_section_and_box_are_where_the_quote_is(text, targets):
    for row in _rows(targets):
        place = place_of(text, quote_span(text, row["quote"])[0])
        box = None if pd.isna(row["box"]) else int(row["box"])
        assert (place.chapter, place.section, place.box) == (row["chapter"], row["section"], box), row["target_id"]


def test_place_of_known_lines(text):
    # 专栏13 opens at line 989 inside 九(二); 专栏14 at line 1005 inside 九(三).
    assert place_of(text, text.index("每1名老年人1公里")).box == 13
    assert place_of(text, text.index("认知障碍床位达到20张")).section == "九(三)"
    assert place_of(text, text.index("常住人口城镇化率达到80%左右")).section == "二(三)"


# --- (d) counts by hand -----------------------------------------------------------------------

# Chapter 四 (6): 500万人次 (四(二)); in 专栏5: 每年20亿元, 每年扶持创业3万人, 每年培训3万人次,
#   100% of job-seeking graduates, 每年7万人.
# Chapter 九 (12): 持证率80%以上 (九(一)); 敬老院350家至400家, 床位7万张, 护理型床位58%以上,
#   二级以上标准 (the four of 2022), 1000个康养联合体 (九(二)); in 专栏13: 300张床位左右 per 1万名,
#   1公里范围内; in 专栏14: 7个市级 and 10个县级儿童福利机构, 认知障碍床位20张; 50万人次家政培训 (九(四)).
# Chapter 十一 (4): 100个左右省级未来社区试点, 100个示范点, 13万套安置住房, 3000个老旧小区.
# Chapter 二 (15): the 13 Table 2 figures of 发展目标 + 2035: 城镇化率80%左右, 收入翻一番.
# The re-read of issue 13.5 adds, after each chapter's rows: 四(二) 零就业家庭动态清零;
#   九(二) 敬老院提升改造工程 2022年底前全部完成; 专栏18 应保尽保 and 基本完成 棚户区改造;
#   八 (none before): 法定人员社保全覆盖, 未成年人救助保护机构全部实体化运行, 专栏12 基本完成
#   2000年底前建成的城镇老旧小区改造任务.
# Issue 20 adds, after chapter 九's rows: 九(一) 到2025年,建成全国托育服务示范省; 专栏13
#   11个市主城区、50万人口以上县市编制养老机构布局专项规划; 专栏14 30万人以上的县(市、区)建有专门的
#   认知障碍照护机构; chapter 十二 (none before): 落地…九大场景; 专栏20 建成“一库两平台”.
HAND_COUNTS = {2: 15, 4: 7, 8: 3, 9: 16, 11: 6, 12: 1, 13: 2}
HAND_LISTS = {
    4: ["500万人次", "20亿元", "3万人", "3万人次", "100%", "7万人", "动态清零"],
    8: ["全覆盖", "全部实体化运行", "基本完成"],
    9: ["80%以上", "350家至400家", "7万张", "58%以上", "二级以上", "1000个", "300张床位左右",
        "1公里范围内", "7个", "10个", "20张", "50万人次", "全部完成", "建成全国托育服务示范省",
        "编制养老机构布局专项规划", "建有专门的认知障碍照护机构"],
    12: ["九大"],
    13: ["2%", "建成“一库两平台”"],
    11: ["100个左右", "100个", "13万套", "3000个", "应保尽保", "基本完成"],
}


@pytest.mark.parametrize("chapter, count", HAND_COUNTS.items())
def test_targets_per_chapter_counted_by_hand(targets, chapter, count):
    assert (targets["chapter"] == chapter).sum() == count


@pytest.mark.parametrize("chapter, texts", HAND_LISTS.items())
def test_target_texts_listed_by_hand(targets, chapter, texts):
    assert list(targets.loc[targets["chapter"] == chapter, "target_text"]) == texts


def test_totals(targets, excluded):
    # Chapters 二…十四: 15 + 19 + 7 + 2 + 6 + 12 + 3 + 16 + 23 + 6 + 1 + 2 + 1 = 113 rows, 13 of
    # them restating Table 2.  Before the re-read of issue 13.5: 97 rows and 46 exclusions; it
    # added 11 rows (10 completion targets and the named count 四大省级区域医疗中心, which left
    # the exclusions) and 3 exclusions (应享尽享, 专栏6's repeated 全覆盖, 应开尽开).  Issue 20
    # added 5 rows (4 completion targets and the named count 九大场景); 4 exclusions became
    # targets (11个, 50万人, 30万人以上, 九大) and 10 build words 建成 were excluded: 48 − 4 + 10 = 54.
    assert len(targets) == 113
    assert (targets["restates_indicator_id"] != "").sum() == 13
    assert (targets["kind"] == "completion").sum() == 14
    assert len(excluded) == 54


def test_2022_and_2035_targets(targets):
    by_year = targets.groupby("target_year")["target_id"].apply(list).to_dict()
    assert by_year[2022] == ["ch09-t02", "ch09-t03", "ch09-t04", "ch09-t05", "ch09-t13"]
    assert by_year[2035] == ["ch02-t14", "ch02-t15"]


def test_annual_targets_are_the_meinian_ones(targets):
    assert list(targets.loc[targets["is_annual"], "target_id"]) == ["ch04-t02", "ch04-t03", "ch04-t04", "ch04-t06"]


# --- parse() agrees with the parsed columns --------------------------------------------------

# parse() reads the form of the text; the catalogue's kind adds what the sentence around it
# says (新增 → cumulative, 个 of schools → count, % of a whole → share).
ALLOWED_KINDS = {"level": {"level", "count", "share", "cumulative", "annual", "change"},
                 "cumulative": {"cumulative"}, "change": {"change"}, "multiple": {"multiple"}}


def test_parse_agrees_with_every_row(targets):
    for row in _rows(targets):
        if row["kind"] == "completion" or _NAMED_COUNT.fullmatch(row["target_text"]):
            continue  # no number for the grammar: test_completion_targets, test_named_counts
        t = parse(row["target_text"])
        where = (row["target_id"], row["target_text"])
        assert t.op == row["op"], where
        for column in ("value", "low", "high"):
            have, want = row[column], getattr(t, column)
            if want is None:
                assert pd.isna(have), where
            else:
                assert math.isclose(have, want, rel_tol=1e-5), where
        assert (t.unit or "") == row["unit"], where
        assert row["kind"] in ALLOWED_KINDS[t.kind], where
        if t.per_year:
            assert row["is_annual"], where


# A named count: a Chinese numeral before 大 that counts the things named with it (四大…中心).
_NAMED_COUNT = re.compile(r"[一二三四五六七八九十]+大")


def test_completion_targets(targets):
    """A completion target states a completion word, no number: op =, value 100, unit %."""
    assert "completion" in KINDS and "100 = finished" in KINDS["completion"]
    for row in _rows(targets):
        # a completion word and no number (a year such as 2000年 is not one): 建成10000个 is a count
        is_completion = bool(COMPLETION.search(row["target_text"])) and not re.search(
            r"\d", re.sub(r"\d{4}年", "", row["target_text"]))
        assert (row["kind"] == "completion") == is_completion, row["target_id"]
        if is_completion:
            assert (row["op"], row["value"], row["unit"]) == ("=", 100.0, "%"), row["target_id"]
            assert pd.isna(row["low"]) and pd.isna(row["high"]) and not row["is_annual"]


def test_named_counts(targets):
    named = targets[targets["target_text"].str.fullmatch(_NAMED_COUNT.pattern)]
    assert list(named["target_id"]) == ["ch06-t06", "ch12-t01"]
    for row in _rows(named):
        assert row["kind"] == "count" and row["op"] == "=" and row["unit"] == "个"
        assert row["value"] == chinese_number(row["target_text"][:-1])


def test_restated_indicators_agree_with_table_2(targets):
    indicators = pd.read_csv(PLAN_DIR / "indicators.csv", dtype=str, keep_default_na=False).set_index("indicator_id")
    restated = targets[targets["restates_indicator_id"] != ""]
    ops_differ = []
    for row in _rows(restated):
        table = indicators.loc[row["restates_indicator_id"]]
        assert math.isclose(float(table["target_value"]), row["value"]), row["target_id"]
        assert int(table["target_year"]) == row["target_year"]
        if table["target_op"] != row["op"]:
            ops_differ.append((row["restates_indicator_id"], table["target_op"], row["op"]))
    # The one disagreement, recorded in the row's note: Table 2 prints 6.5以上, the prose 达到6.5%.
    assert ops_differ == [("health_industry_share", "≥", "=")]


# --- (e) bad files -------------------------------------------------------------------------------

def _broken_copy(tmp_path, row_number, column, value):
    """targets.csv with one cell replaced; row_number as a spreadsheet counts (header = 1)."""
    frame = pd.read_csv(TARGETS, dtype=str, keep_default_na=False)
    frame.loc[row_number - 2, column] = value
    path = tmp_path / "targets.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.mark.parametrize("row_number, column, value, expected_words", [
    (5, "value", "abc", "数字"),
    (7, "op", "~", "one of the grammar's operators"),
    (10, "kind", "stock", "one of the catalogue's kinds"),
    (12, "target_id", "ch02-t1", "an id like chNN-tNN"),
    (20, "target_id", "ch04-t05", "starting with the row's chapter"),   # row 20 is in chapter 3
    (30, "section", "四(二)", "a section of chapter 3"),
    (40, "is_annual", "yes", "true 或 false"),
    (45, "target_year", "2019", "2021–2035"),
    (50, "target_text", "999个", "a part of the quote"),
])
def test_a_bad_cell_names_file_row_column_and_value(tmp_path, row_number, column, value, expected_words):
    path = _broken_copy(tmp_path, row_number, column, value)
    with pytest.raises(PlanDataError) as info:
        read_targets(path, years=(2021, 2035))       # the plan's start year to its vision year
    error = info.value
    assert (error.path, error.row, error.column, error.value) == (str(path), row_number, column, value)
    assert expected_words in error.expected
    assert "targets.csv" in str(error) and f"第{row_number}行" in str(error) and repr(value) in str(error)


def test_a_duplicate_id_is_named(tmp_path):
    path = _broken_copy(tmp_path, 3, "target_id", "ch02-t01")
    with pytest.raises(PlanDataError) as info:
        read_targets(path)
    assert (info.value.row, info.value.column, info.value.value) == (3, "target_id", "ch02-t01")


def test_every_bad_cell_is_listed_at_once(tmp_path):
    """Like import and check: five bad cells in four rows, five lines, each naming its cell."""
    frame = pd.read_csv(TARGETS, dtype=str, keep_default_na=False)
    broken = {(5, "value"): "abc", (7, "op"): "~", (10, "kind"): "stock", (10, "target_year"): "2019",
              (12, "low"): "inf"}
    for (row_number, column), value in broken.items():
        frame.loc[row_number - 2, column] = value
    path = tmp_path / "targets.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    with pytest.raises(PlanDataErrors) as info:
        read_targets(path, years=(2021, 2035))
    found = {(e.row, e.column): e.value for e in info.value.errors}
    assert {key: found.get(key) for key in broken} == broken
    # row 7's op is unknown: its value/low/high are not judged against an operator it does not have
    assert [column for row, column in found if row == 7] == ["op"]
    lines = str(info.value).splitlines()
    assert len(lines) == len(info.value.errors) and all("targets.csv" in line and "第" in line for line in lines)


def test_a_quote_not_in_the_text_is_named(tmp_path, text):
    path = _broken_copy(tmp_path, 2, "quote", "五年新增城镇就业400万人以上")
    read_targets(path)  # without the text the file is well-formed
    with pytest.raises(PlanDataError) as info:
        read_targets(path, source_text=text)
    assert (info.value.row, info.value.column) == (2, "quote") and "found 0 times" in info.value.expected


def test_a_range_without_bounds_is_named(tmp_path):
    # ch09-t02 (350家至400家) is a range; blanking its high bound is caught.
    frame = pd.read_csv(TARGETS, dtype=str, keep_default_na=False)
    row_number = int(frame.index[frame["target_id"] == "ch09-t02"][0]) + 2
    path = _broken_copy(tmp_path, row_number, "high", "")
    with pytest.raises(PlanDataError) as info:
        read_targets(path)
    assert (info.value.row, info.value.column) == (row_number, "high")


def test_a_wrong_header_is_named(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(TARGETS.read_text(encoding="utf-8").replace("target_text", "phrase", 1), encoding="utf-8")
    with pytest.raises(PlanDataError) as info:
        read_targets(path)
    assert info.value.row == 1 and "target_text" in info.value.expected


def test_the_loader_reports_a_broken_catalogue(plan_copy):
    from plananalysis.plan.folder import load_plan

    frame = pd.read_csv(plan_copy / "targets.csv", dtype=str, keep_default_na=False)
    frame.loc[3, "kind"] = "stock"
    frame.to_csv(plan_copy / "targets.csv", index=False, encoding="utf-8")
    with pytest.raises(PlanDataError) as info:
        load_plan(plan_copy)
    assert (info.value.row, info.value.column, info.value.value) == (5, "kind", "stock")
    assert str(info.value.path).endswith("targets.csv")


def test_a_bad_exclusion_key_is_named(tmp_path):
    frame = pd.read_csv(EXCLUDED, dtype=str, keep_default_na=False)
    frame.loc[0, "phrase_key"] = "ch02-十九大"
    path = tmp_path / "targets_excluded.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(PlanDataError) as info:
        read_excluded(path)
    assert (info.value.row, info.value.column, info.value.value) == (2, "phrase_key", "ch02-十九大")


def test_the_plan_exposes_the_catalogue(plan):
    assert len(plan.targets) == 113
    assert plan.chapter(9).targets["target_id"].tolist()[:2] == ["ch09-t01", "ch09-t02"]
