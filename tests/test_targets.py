"""The target grammar: every printed cell of Tables 1 and 2, by hand, plus properties."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from plananalysis.errors import ParseError
from plananalysis.plan.grammar import Target, normalise, parse

# (printed cell, kind, op, value, year) — written by hand from the plan's Tables 1 and 2.
TABLE_2_CELLS = [
    ("111.8", "level", "=", 111.8, None), ("400", "level", "=", 400, None),
    ("控制在5.5左右", "level", "≤≈", 5.5, None),
    ("71", "level", "=", 71, None), ("75左右", "level", "≈", 75, None),
    ("年均增长5.5以上", "avg_growth", "≥", 5.5, None),
    ("1.96", "level", "=", 1.96, None), ("1.9", "level", "=", 1.9, None),
    ("1400", "level", "=", 1400, None), ("1650", "level", "=", 1650, None),
    ("2.01", "level", "=", 2.01, None), ("4.5", "level", "=", 4.5, None),
    ("〔5〕", "cumulative", "=", 5, None),
    ("10.8", "level", "=", 10.8, None), ("11.3", "level", "=", 11.3, None),
    ("62", "level", "=", 62, None), ("67", "level", "=", 67, None),
    ("89.2", "level", "=", 89.2, None), ("92.5", "level", "=", 92.5, None),
    ("23.9", "level", "=", 23.9, None), ("25", "level", "=", 25, None),
    ("2.4", "level", "=", 2.4, None), ("2.8", "level", "=", 2.8, None),
    ("5.99", "level", "=", 5.99, None), ("7.5", "level", "=", 7.5, None),
    ("3.67", "level", "=", 3.67, None), ("4.3", "level", "=", 4.3, None),
    ("4355", "level", "=", 4355, None), ("4500", "level", "=", 4500, None),
    ("16", "level", "=", 16, None), ("79.47", "level", "=", 79.47, None),
    ("80以上", "level", "≥", 80, None), ("6.6", "level", "=", 6.6, None),
    ("6(2019年)", "level", "=", 6, 2019), ("6.5以上", "level", "≥", 6.5, None),
    ("6.8", "level", "=", 6.8, None), ("8", "level", "=", 8, None),
    ("1.4", "level", "=", 1.4, None), ("2", "level", "=", 2, None),
    ("81.6", "level", "=", 81.6, None), ("90以上", "level", "≥", 90, None),
    ("6.36", "level", "=", 6.36, None), ("20以上", "level", "≥", 20, None),
    ("0.016", "level", "=", 0.016, None), ("0.01", "level", "=", 0.01, None),
]
TABLE_1_CELLS = [
    ("3684", "level", "=", 3684, None), ("4100", "level", "=", 4100, None),
    ("5195", "level", "=", 5195, None), ("5557", "level", "=", 5557, None),
    ("35537", "level", "=", 35537, None), ("52600", "level", "=", 52600, None),
    ("52397", "level", "=", 52397, None),
    ("〔515〕", "cumulative", "=", 515, None), ("〔400〕", "cumulative", "=", 400, None),
    ("〔600〕", "cumulative", "=", 600, None), ("〔103.76〕", "cumulative", "=", 103.76, None),
    ("〔60〕", "cumulative", "=", 60, None), ("〔116.2〕", "cumulative", "=", 116.2, None),
    ("95.9", "level", "=", 95.9, None), ("98", "level", "=", 98, None), ("99", "level", "=", 99, None),
    ("56", "level", "=", 56, None), ("62.4", "level", "=", 62.4, None),
    ("4.92", "level", "=", 4.92, None), ("6", "level", "=", 6, None),
    ("5.99(2019年)", "level", "=", 5.99, 2019),
    ("2.8", "level", "=", 2.8, None), ("3.2", "level", "=", 3.2, None),
    ("35", "level", "=", 35, None), ("50", "level", "=", 50, None), ("55", "level", "=", 55, None),
    ("1.6", "level", "=", 1.6, None), ("1.9", "level", "=", 1.9, None),
    ("5.02", "level", "=", 5.02, None), ("<6", "level", "≤", 6, None),
    ("4.99(2019年)", "level", "=", 4.99, 2019),
    ("78.3", "level", "=", 78.3, None), ("78.5", "level", "=", 78.5, None),
    ("1075", "level", "=", 1075, None), ("210", "level", "=", 210, None),
    ("310", "level", "=", 310, None), ("321.8", "level", "=", 321.8, None),
    ("65.8", "level", "=", 65.8, None), ("70", "level", "=", 70, None),
    ("42.2", "level", "=", 42.2, None), ("46", "level", "=", 46, None), ("53.4", "level", "=", 53.4, None),
    ("5.7", "level", "=", 5.7, None), ("7.54", "level", "=", 7.54, None),
    ("4.4(2014年)", "level", "=", 4.4, 2014), ("5", "level", "=", 5, None),
    ("6.4", "level", "=", 6.4, None), ("0.88(2014年)", "level", "=", 0.88, 2014),
    ("1.2", "level", "=", 1.2, None), (">25", "level", "≥", 25, None),
    ("28.99", "level", "=", 28.99, None), ("60.9", "level", "=", 60.9, None),
    ("61", "level", "=", 61, None), ("61.2", "level", "=", 61.2, None),
    ("33000", "level", "=", 33000, None), ("40000", "level", "=", 40000, None),
    ("41500", "level", "=", 41500, None), ("72.9", "level", "=", 72.9, None),
    ("80", "level", "=", 80, None), ("94.6", "level", "=", 94.6, None),
    ("〔20〕", "cumulative", "=", 20, None), ("〔43.2〕", "cumulative", "=", 43.2, None),
    ("83.8", "level", "=", 83.8, None), ("85.6", "level", "=", 85.6, None),
    ("93.3", "level", "=", 93.3, None), ("0.112", "level", "=", 0.112, None),
    ("0.067", "level", "=", 0.067, None),
]


@pytest.mark.parametrize("text, kind, op, value, year", TABLE_2_CELLS + TABLE_1_CELLS)
def test_every_printed_cell(text, kind, op, value, year):
    target = parse(text)
    assert (target.kind, target.op, target.value, target.year) == (kind, op, value, year)


@pytest.mark.parametrize("text", ["", "-", " ", "—"])
def test_empty_cells_are_none(text):
    assert parse(text).kind == "none" and parse(text).value is None


def test_food_and_drug_cells_have_two_labelled_parts():
    target = parse(">96(食品) >98(药品)")
    assert target.kind == "parts"
    assert [(p.label, p.op, p.value) for p in target.parts] == [("食品", "≥", 96), ("药品", "≥", 98)]
    actual = parse(">96(食品) 100(药品)")
    assert [(p.label, p.op, p.value) for p in actual.parts] == [("食品", "≥", 96), ("药品", "=", 100)]


def test_every_cell_in_the_plan_files_is_covered_by_the_hand_list(plan):
    """The hand-written list above covers every printed cell of both CSVs."""
    hand = {t[0] for t in TABLE_2_CELLS + TABLE_1_CELLS}
    cells = set(plan.indicators["baseline_printed"]) | set(plan.indicators["target_printed"])
    for column in ("base_printed", "target_printed", "actual_printed"):
        cells |= set(plan.previous_indicators[column])
    cells -= {"", "-", ">96(食品) >98(药品)", ">96(食品) 100(药品)"}
    assert cells <= hand, cells - hand


@pytest.mark.parametrize("text, expected", [
    ("350至400", ("range", 350, 400)), ("2-3", ("range", 2, 3)),
    ("350家至400家", ("range", 350, 400)),
])
def test_ranges(text, expected):
    t = parse(text)
    assert (t.op, t.low, t.high) == expected and t.value is None


def test_prose_phrases():
    assert parse("100万名以上") == Target("100万名以上", "level", "≥", 100.0, unit="万名")
    assert parse("每年20亿元").per_year and parse("每年20亿元").unit == "亿元"
    change = parse("比2020年增加1万元以上")
    assert (change.kind, change.base_year, change.value, change.unit, change.op) == ("change", 2020, 1, "万元", "≥")
    double = parse("比2020年翻一番")
    assert (double.kind, double.value, double.base_year) == ("multiple", 2, 2020)
    assert parse("超过80岁").op == "≥"
    assert parse("控制在350家至400家").op == "range"


@pytest.mark.parametrize("text, position", [
    ("75左有", 2),        # 左有 is not 左右
    ("abc", 0),           # no number at all
    ("〔400", 4),         # the bracket is never closed
    ("5到3", 2),          # a range whose upper bound is below its lower bound
    ("80以上上", 4),       # trailing text after the suffix
])
def test_unknown_text_names_text_and_position(text, position):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.text == text and info.value.position == position
    assert repr(text) in str(info.value)


def test_full_width_digits_are_read():
    assert normalise("７５．２％") == "75.2%"
    assert parse("７５左右").value == 75


numbers = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False, allow_infinity=False)


@given(numbers)
def test_plain_numbers_round_trip(x):
    text = format(x.normalize(), "f")
    assert parse(text).value == pytest.approx(float(text)) and parse(text).op == "="


@given(numbers, st.sampled_from([("以上", "≥"), ("左右", "≈"), ("以内", "≤"), ("以下", "≤")]))
def test_suffix_bounds(x, suffix):
    word, op = suffix
    text = format(x.normalize(), "f") + word
    t = parse(text)
    assert (t.op, t.value) == (op, pytest.approx(float(x)))


@given(numbers, st.sampled_from([(">", "≥"), ("<", "≤")]))
def test_prefix_bounds(x, sign):
    symbol, op = sign
    t = parse(symbol + format(x.normalize(), "f"))
    assert t.op == op and t.value == pytest.approx(float(x))


@given(numbers, numbers, st.sampled_from(["至", "-", "到"]))
def test_ranges_keep_their_bounds(a, b, separator):
    low, high = sorted([a, b])
    t = parse(f"{format(low.normalize(), 'f')}{separator}{format(high.normalize(), 'f')}")
    assert (t.low, t.high) == (pytest.approx(float(low)), pytest.approx(float(high)))


@given(st.integers(min_value=1, max_value=99999))
def test_cumulative_brackets(n):
    assert parse(f"〔{n}〕") == Target(f"〔{n}〕", "cumulative", "=", float(n))
