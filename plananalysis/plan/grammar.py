"""The target grammar: printed plan cells and target phrases as typed values.

A plan prints its targets in a compact notation (``75左右``, ``80以上``, ``〔400〕``,
``年均增长5.5以上``, ``6(2019年)``, ``>96(食品) >98(药品)``) and its prose adds longer
phrases (``350家至400家``, ``100万名以上``, ``比2020年增加1万元以上``, ``翻一番``), including
numbers written in Chinese (``十个``, ``二级以上``, ``三分之二``, ``万人``), a noun between
unit and bound (``300张床位左右``: ``label='床位'``) and 范围内 (within) as a ceiling.
:func:`parse` turns each into a :class:`Target`; text it cannot read raises
:class:`~plananalysis.errors.ParseError` naming the text and the position.

>>> parse("75左右")
Target(text='75左右', kind='level', op='≈', value=75.0)
>>> parse("年均增长5.5以上")
Target(text='年均增长5.5以上', kind='avg_growth', op='≥', value=5.5)
>>> parse("6(2019年)").year
2019
>>> [(p.label, p.op, p.value) for p in parse(">96(食品) >98(药品)").parts]
[('食品', '≥', 96.0), ('药品', '≥', 98.0)]

Operators: ``=`` (a plain number, read by the indicator's direction), ``≈`` (左右),
``≥`` (以上, 超过, ``>``; the plan's ``>`` means "above", read as a floor), ``≤``
(以内, 以下, ``<``), ``≤≈`` (控制在…左右: a ceiling with tolerance), ``range`` (low, high).

Kinds: ``none`` (``-`` or blank), ``level``, ``cumulative`` (``〔〕``: the plan's note
"〔〕为五年累计数", or 五年/累计 in prose), ``avg_growth`` (年均增长), ``change``
(比2020年增加…: a change from ``base_year``), ``multiple`` (翻一番: ``value`` times the
``base_year`` level), ``parts`` (several labelled targets in one cell), ``relational`` (a
target stated against another series: ``高于GDP增长`` is ``op='≥'``, ``与GDP增长基本同步``
is ``op='≈'``; ``label`` names the series).

A mark after a number (``60.6*``) refers to a note under the plan's table ("带*的为2019年数据");
it is kept in ``mark`` and the plan's ``plan.yml`` says what it means:

>>> parse("60.6*").mark, parse("60.6*").value
('*', 60.6)
>>> parse("高于GDP增长")
Target(text='高于GDP增长', kind='relational', op='≥', label='GDP增长')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace

from ..errors import ParseError

__all__ = ["Target", "parse", "normalise", "chinese_number", "UNITS"]

# Units the plan writes after a number, longest first so that 万人次 wins over 万人.
UNITS = sorted(
    [
        "%", "‰", "个百分点", "个", "所", "名", "张", "家", "人", "人次", "户", "套", "项",
        "条", "座", "支", "部", "场", "台", "辆", "篇", "岁", "年", "天", "倍", "元",
        "万人", "万人次", "万名", "万张", "万套", "万户", "万元", "万个", "万所", "万家",
        "万平方米", "平方米", "公里", "万公里", "亿元", "万亿元", "亿人次", "万册", "册",
        "分钟", "小时", "支队伍", "个点", "人/亿元", "门", "级",
        "件", "万件", "吨", "万吨", "亿吨", "亿吨标准煤", "万吨标准煤", "斤", "亿斤", "万亿斤",
        "公顷", "亩", "万亩", "千瓦", "万千瓦", "亿千瓦", "立方米", "亿立方米", "万立方米", "千克",
    ],
    key=len,
    reverse=True,
)

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９．％（）＜＞～－，：　",
    "0123456789.%()<>~-,: ",
)
_NONE_TEXTS = {"", "-", "—", "–", "/", "－"}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YEAR_NOTE = re.compile(r"\((\d{4})年\)")
# A note mark after a number: 60.6* (the table's own notes say what it means).
_MARK = re.compile(r"[*＊※†‡#①②③④⑤⑥⑦⑧⑨⑩]")
# Relational targets: a relation to another series, no number of their own.
_RELATIONS = (
    (re.compile(r"(?:略)?(?:高于|快于|大于|超过|不低于)(?P<series>[^\d].*)"), "≥"),
    (re.compile(r"(?:略)?(?:低于|慢于|小于|不高于)(?P<series>[^\d].*)"), "≤"),
    (re.compile(r"与(?P<series>.+?)(?:基本)?同步(?:增长|提高)?"), "≈"),
)
_LABEL_NOTE = re.compile(r"\(([^()\d][^()]*)\)")
_PREFIXES = (
    # (regex, effect); applied repeatedly at the start of the text
    (re.compile(r"控制在"), "control"),
    (re.compile(r"年均增长"), "avg_growth"),
    (re.compile(r"每年"), "per_year"),
    (re.compile(r"五年|累计"), "cumulative"),
    (re.compile(r"比(\d{4})年(?:增加|增长|提高|多)"), "change"),
    (re.compile(r"比(\d{4})年"), "base_year"),
    (re.compile(r"超过|不低于|不少于|至少"), "floor"),
    (re.compile(r"不超过|不高于"), "ceiling"),
    (re.compile(r"达到|达|提高到|提升到|增加到|力争|新增|培育|建成|建设|约|拥有"), None),
    (re.compile(r"(?:提高|提升|增加|增长)(?=\d)"), "change"),
    (re.compile(r"(?:降低|下降|减少)(?=\d)"), "reduction"),
    (re.compile(r">=|≥"), "floor"),
    (re.compile(r"<=|≤"), "ceiling"),
    (re.compile(r">"), "floor"),
    (re.compile(r"<"), "ceiling"),
)
_SUFFIX_OPS = (("左右", "≈"), ("以上", "≥"), ("以内", "≤"), ("以下", "≤"), ("范围内", "≤"))
# A short noun between the unit and the bound: 300张床位左右 (the noun becomes the label).
_NOUN_BEFORE_BOUND = re.compile(r"([\u4e00-\u9fff]{1,4}?)(?=左右|以上|以内|以下|范围内)")
# Numbers written in Chinese: 十, 二, 万, 一百二十, and fractions such as 三分之二.
_CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                   "六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_SCALES = {"十": 10, "百": 100, "千": 1000}
_CHINESE_NUMBER = re.compile(r"[〇零一二两三四五六七八九十百千万]+")
_CHINESE_FRACTION = re.compile(r"([〇零一二两三四五六七八九十百千万]+)分之([〇零一二两三四五六七八九十百千万]+)")
_RANGE_SEPARATORS = ("至", "到", "~", "-", "—", "–")
_MULTIPLES = {"翻一番": 2.0, "翻两番": 4.0, "翻番": 2.0}


@dataclass(frozen=True)
class Target:
    """One printed target, typed.

    ``value`` is the number as printed (``100`` for ``100万名``, with ``unit='万名'``);
    ``low``/``high`` bound a range; ``year`` is the year of a value printed with
    ``(2019年)``; ``base_year`` is the year a change or multiple is measured from.

    >>> parse("〔500〕")
    Target(text='〔500〕', kind='cumulative', op='=', value=500.0)
    >>> [(part.label, part.op, part.value) for part in parse(">96(食品) >98(药品)").parts]
    [('食品', '≥', 96.0), ('药品', '≥', 98.0)]
    """

    text: str
    kind: str
    op: str | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    year: int | None = None
    unit: str | None = None
    label: str | None = None
    per_year: bool = False
    base_year: int | None = None
    parts: tuple["Target", ...] = field(default=())
    mark: str | None = None
    note: str | None = None

    def __repr__(self) -> str:  # only the fields that are set, so examples stay short
        shown = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if f.name in ("text", "kind") or getattr(self, f.name) not in (None, False, ())
        ]
        return f"Target({', '.join(shown)})"

    @property
    def is_none(self) -> bool:
        """True for an empty cell (``-`` or blank)."""
        return self.kind == "none"

    def numbers(self) -> list[float]:
        """Every number the target states (parts included), for provenance checks.

        >>> parse("350家至400家").numbers()
        [350.0, 400.0]
        """
        if self.parts:
            return [n for p in self.parts for n in p.numbers()]
        found = [v for v in (self.value, self.low, self.high) if v is not None]
        if self.kind == "multiple":
            return []  # 翻一番 states no digits
        return found


def normalise(text: str) -> str:
    """Full-width digits and signs to ASCII, one character for one (positions keep).

    >>> normalise("７５．２％")
    '75.2%'
    """
    return text.translate(_FULL_WIDTH)


def parse(text: str) -> Target:
    """Parse one printed cell or target phrase into a :class:`Target`.

    >>> parse("控制在5.5左右").op
    '≤≈'
    >>> parse("〔400〕")
    Target(text='〔400〕', kind='cumulative', op='=', value=400.0)
    >>> parse("350家至400家")
    Target(text='350家至400家', kind='level', op='range', low=350.0, high=400.0, unit='家')
    >>> parse("比2020年增加1万元以上")
    Target(text='比2020年增加1万元以上', kind='change', op='≥', value=1.0, unit='万元', base_year=2020)
    >>> parse("75左有")
    Traceback (most recent call last):
    ...
    plananalysis.errors.ParseError: 无法解析 '75左有'：第3个字符 '左' 处，应为 左右、以上、以内、以下、(年份)、(标注)、表注标记 * 或结尾 (cannot parse '75左有' at position 2)
    """
    if not isinstance(text, str):
        raise ParseError(str(text), 0, "文本 (a string)")
    norm = normalise(text)
    stripped = norm.strip()
    if stripped in _NONE_TEXTS:
        return Target(text=text, kind="none")
    for pattern, relation in _RELATIONS:
        m = pattern.fullmatch(stripped)
        if m and not _NUMBER.match(m.group("series")):
            return Target(text=text, kind="relational", op=relation, label=m.group("series").strip())
    offset = len(norm) - len(norm.lstrip())
    head, note = _split_note(stripped)
    if note:
        return replace(_parse_one(text, head, offset), note=note)
    chunks = _split_parts(stripped)
    if len(chunks) > 1:
        parts = tuple(
            replace(_parse_one(text, stripped[a:b], offset + a), text=stripped[a:b]) for a, b in chunks
        )
        return Target(text=text, kind="parts", parts=parts)
    return _parse_one(text, stripped, offset)


def _split_note(s: str) -> tuple[str, str]:
    """``>7、力争投入强度高于…``: a target, then a clause in words (no digits) kept as a note.

    >>> _split_note(">7、力争投入强度高于“十三五”时期实际")
    ('>7', '力争投入强度高于“十三五”时期实际')
    >>> _split_note("350家至400家")
    ('350家至400家', '')
    """
    for sep in ("、", "，", "；", ","):
        head, found, tail = s.partition(sep)
        if found and head and tail and _NUMBER.search(head) and not _NUMBER.search(tail):
            return head.strip(), tail.strip()
    return s, ""


def _split_parts(s: str) -> list[tuple[int, int]]:
    """Spans of the space-separated parts of a cell such as ``>96(食品) >98(药品)``."""
    spans, start = [], None
    for i, ch in enumerate(s + " "):
        if ch.isspace():
            if start is not None:
                spans.append((start, i))
                start = None
        elif start is None:
            start = i
    return spans


def _parse_one(original: str, s: str, offset: int) -> Target:
    """Parse one part; ``offset`` maps positions in ``s`` back to ``original``."""
    pos = 0
    kind, op = "level", None
    control = per_year = False
    base_year = None

    def fail(at: int, expected: str):
        raise ParseError(original, offset + at, expected)

    # Prefixes: 控制在, 年均增长, 每年, 比2020年增加, >, < …
    matched = True
    while matched:
        matched = False
        for pattern, effect in _PREFIXES:
            m = pattern.match(s, pos)
            if not m:
                continue
            pos, matched = m.end(), True
            if effect == "control":
                control = True
            elif effect == "avg_growth":
                kind = "avg_growth"
            elif effect == "per_year":
                per_year = True
            elif effect == "cumulative":
                kind = "cumulative"
            elif effect == "reduction":
                kind = kind if kind == "cumulative" else "change"
            elif effect in ("change", "base_year"):
                base_year = int(m.group(1)) if m.groups() else base_year
                if effect == "change" and kind != "cumulative":
                    kind = "change"
            elif effect == "floor":
                op = "≥"
            elif effect == "ceiling":
                op = "≤"
            break

    # 翻一番: a multiple of the base-year level, no digits.
    for word, factor in _MULTIPLES.items():
        if s.startswith(word, pos) and pos + len(word) == len(s):
            return Target(text=original, kind="multiple", op="≥" if op == "≥" else "=",
                          value=factor, base_year=base_year)
        if s.startswith(word, pos):
            fail(pos + len(word), "结尾 (the end of the text)")

    bracketed = s.startswith("〔", pos)
    if bracketed:
        kind, pos = "cumulative", pos + 1
    value, pos = _number(s, pos, fail)
    unit, pos = _unit(s, pos)
    low = high = label = None
    for sep in _RANGE_SEPARATORS:
        if s.startswith(sep, pos) and _NUMBER.match(s, pos + len(sep)):
            high, pos = _number(s, pos + len(sep), fail)
            second_unit, pos = _unit(s, pos)
            unit = unit or second_unit
            low, value, op = value, None, "range"
            if high < low:
                fail(pos - 1, f"不小于 {low:g} 的上限 (an upper bound ≥ the lower bound)")
            break
    if bracketed:
        if not s.startswith("〕", pos):
            fail(pos, "〕")
        pos += 1
    noun = _NOUN_BEFORE_BOUND.match(s, pos) if unit and op != "range" else None
    if noun:
        label, pos = noun.group(1), noun.end()
    for word, suffix_op in _SUFFIX_OPS:
        if s.startswith(word, pos):
            if op == "range":
                fail(pos, "结尾 (a range takes no 左右/以上)")
            op, pos = suffix_op, pos + len(word)
            break
    if control:
        op = {"≈": "≤≈", None: "≤", "=": "≤"}.get(op, op)
    year = mark = None
    m = _MARK.match(s, pos)
    if m:
        mark, pos = m.group(), m.end()
    m = _YEAR_NOTE.match(s, pos)
    if m:
        year, pos = int(m.group(1)), m.end()
    else:
        m = _LABEL_NOTE.match(s, pos)
        if m:
            label, pos = m.group(1), m.end()
    if pos != len(s):
        fail(pos, "左右、以上、以内、以下、(年份)、(标注)、表注标记 * 或结尾")
    return Target(text=original, kind=kind, op=op or "=", value=value, low=low, high=high,
                  year=year, unit=unit, label=label, per_year=per_year, base_year=base_year, mark=mark)


def _number(s: str, pos: int, fail) -> tuple[float, int]:
    m = _NUMBER.match(s, pos)
    if m:
        return float(m.group()), m.end()
    m = _CHINESE_FRACTION.match(s, pos)
    if m:
        return chinese_number(m.group(2)) / chinese_number(m.group(1)), m.end()
    m = _CHINESE_NUMBER.match(s, pos)
    if m:
        return float(chinese_number(m.group())), m.end()
    fail(pos, "数字 (a number)")


def chinese_number(text: str) -> int:
    """A whole number written in Chinese characters.

    >>> [chinese_number(t) for t in ("十", "二", "十二", "二十", "一百零五", "万", "千万", "三万五千")]
    [10, 2, 12, 20, 105, 10000, 10000000, 35000]
    """
    total = section = digit = 0
    for ch in text:
        if ch in _CHINESE_DIGITS:
            digit = _CHINESE_DIGITS[ch]
        elif ch in _CHINESE_SCALES:
            section += (digit or 1) * _CHINESE_SCALES[ch]
            digit = 0
        elif ch == "万":
            total = (total + section + digit or 1) * 10000
            section = digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + digit


def _unit(s: str, pos: int) -> tuple[str | None, int]:
    for unit in UNITS:
        if s.startswith(unit, pos):
            return unit, pos + len(unit)
    return None, pos
