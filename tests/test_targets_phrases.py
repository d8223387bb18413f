"""The grammar's prose forms: the phrases of the chapter catalogue (targets.csv), read by hand."""

from __future__ import annotations

import pytest

from plananalysis.errors import ParseError
from plananalysis.plan.grammar import chinese_number, parse

# (target text as printed in the plan, kind, op, value, low, high, unit, label, per_year, base_year)
PHRASES = [
    ("350家至400家", "level", "range", None, 350, 400, "家", None, False, None),
    ("控制在350家至400家", "level", "range", None, 350, 400, "家", None, False, None),
    ("2-3个", "level", "range", None, 2, 3, "个", None, False, None),
    ("100万名以上", "level", "≥", 100, None, None, "万名", None, False, None),
    ("500万人次", "level", "=", 500, None, None, "万人次", None, False, None),
    ("每年20亿元", "level", "=", 20, None, None, "亿元", None, True, None),
    ("比2020年增加1万元以上", "change", "≥", 1, None, None, "万元", None, False, 2020),
    ("翻一番", "multiple", "=", 2, None, None, None, None, False, None),
    ("控制在5.5%左右", "level", "≤≈", 5.5, None, None, "%", None, False, None),
    ("超过80岁", "level", "≥", 80, None, None, "岁", None, False, None),
    ("13万套", "level", "=", 13, None, None, "万套", None, False, None),
    ("10000公里", "level", "=", 10000, None, None, "公里", None, False, None),
    ("10分钟", "level", "=", 10, None, None, "分钟", None, False, None),
    # Extensions for the catalogue (issue 3):
    ("100门", "level", "=", 100, None, None, "门", None, False, None),             # courses
    ("十个", "level", "=", 10, None, None, "个", None, False, None),               # Chinese numeral
    ("二级以上", "level", "≥", 2, None, None, "级", None, False, None),             # a grade
    ("万人", "level", "=", 10000, None, None, "人", None, False, None),             # 万人骨干团
    ("千人", "level", "=", 1000, None, None, "人", None, False, None),
    ("百人", "level", "=", 100, None, None, "人", None, False, None),
    ("300张床位左右", "level", "≈", 300, None, None, "张", "床位", False, None),     # noun before 左右
    ("1公里范围内", "level", "≤", 1, None, None, "公里", None, False, None),         # 范围内 = within
    ("至少拥有1名", "level", "≥", 1, None, None, "名", None, False, None),           # 至少 = at least
]


@pytest.mark.parametrize("text, kind, op, value, low, high, unit, label, per_year, base_year", PHRASES)
def test_prose_phrase(text, kind, op, value, low, high, unit, label, per_year, base_year):
    t = parse(text)
    assert (t.kind, t.op, t.value, t.low, t.high, t.unit, t.label, t.per_year, t.base_year) == (
        kind, op, value, low, high, unit, label, per_year, base_year)


def test_two_thirds_is_a_fraction():
    t = parse("三分之二")
    assert t.value == pytest.approx(2 / 3) and t.unit is None and t.op == "="


@pytest.mark.parametrize("text, number", [
    ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105),
    ("三百", 300), ("千", 1000), ("万", 10000), ("十万", 100000), ("千万", 10_000_000),
    ("三万五千", 35000),
])
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


def test_not_a_chinese_number():
    with pytest.raises(ValueError):
        chinese_number("十个")


@pytest.mark.parametrize("text, position", [
    ("300张床位", 4),        # a noun with no bound after it is still unread text
    ("300床位左右", 3),      # a noun needs a unit before it
    ("十个以上上", 4),        # trailing text after the bound
    ("分之二", 0),           # a fraction needs its denominator
])
def test_phrases_the_grammar_still_refuses(text, position):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.position == position
