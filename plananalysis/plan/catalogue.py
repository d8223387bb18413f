"""The chapter catalogue: every quantified target the plan's prose sets, and a check that none is missed.

Table 2 holds the plan's 25 headline indicators; chapters 二 to 十四 and their 专栏 boxes
set about a hundred more quantified targets in the prose (``全省敬老院控制在350家至400家``,
``每年帮扶困难人员实现就业7万人``).  ``targets.csv`` lists them, one row per target, each
with a verbatim ``quote`` from ``source.txt``; ``targets_excluded.csv`` lists every other
number-bearing phrase of those chapters with the reason it is not a target.  Completion
targets state no number (``2022年底前全部完成``, ``实现…全覆盖``): the scanner reads their
completion words too, and the catalogue records them as kind ``completion`` (100 = done).

:func:`read_targets` reads and validates the catalogue; :func:`scan_target_phrases` finds
every number-bearing or completion phrase mechanically, and :func:`account_for` says which
phrases neither file accounts for — the completeness test.

>>> from plananalysis.plan.folder import load_plan
>>> text = load_plan().source_text
>>> [p.text for p in scan_target_phrases(text) if p.line == 987]
['全部完成', '350家至400家', '7万张', '58%以上', '全部', '二级以上', '六大', '1000个']
>>> place_of(text, text.index("全省敬老院控制在"))
Place(line=987, chapter=9, section='九(二)', box=None, is_table=False)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError
from .info import raise_all
from .grammar import UNITS

__all__ = [
    "TARGET_COLUMNS", "EXCLUDED_COLUMNS", "KINDS", "OPS", "COMPLETION", "Place", "Phrase", "Accounting",
    "read_targets", "read_excluded", "outline", "place_of", "quote_span",
    "scan_target_phrases", "account_for", "chapter_numeral",
]

TARGET_COLUMNS = [
    "target_id", "chapter", "section", "box", "subject_zh", "subject_en", "quote", "target_text",
    "op", "value", "low", "high", "unit", "target_year", "is_annual", "kind",
    "restates_indicator_id", "note",
]
EXCLUDED_COLUMNS = ["phrase_key", "chapter", "section", "line", "phrase", "context", "reason"]

# What a catalogue row measures; each kind has its own way of being tracked.
KINDS = {
    "level": "a value to reach by the target year (a rate, a length, a money amount)",
    "count": "a number of things to exist by the target year (schools, parks, routes)",
    "cumulative": "a flow summed over the plan period (五年/累计/新增, people trained, homes rebuilt)",
    "annual": "a flow to reach every year (每年)",
    "share": "a proportion (%, 比例, 占比, 率, 三分之二)",
    "change": "a change from a base level (比2020年增加…, 扩招…20%以上)",
    "multiple": "a multiple of the base-year level (翻一番)",
    "completion": "a task to finish by the target year (全面完成, 全覆盖); observed as the share done, 100 = finished",
}
OPS = ("=", "≈", "≥", "≤", "≤≈", "range")

CHAPTER_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
                    "十一", "十二", "十三", "十四", "十五", "十六"]
FIRST_CHAPTER, LAST_CHAPTER = 2, 14  # 一 is background; 二 to 十四 set the targets

_CHAPTER_HEADING = re.compile(r"^([一二三四五六七八九十]+)、")
_SECTION_HEADING = re.compile(r"^\(([一二三四五六七八九十]+)\)")
_BOX_HEADING = re.compile(r"^专栏(\d+)")
_TABLE_START = re.compile(r"^表\d")
_TABLE_END = re.compile(r"^注[:：]")

_TARGET_ID = re.compile(r"^ch(\d{2})-t(\d{2})$")
_SECTION = re.compile(r"^([一二三四五六七八九十]+)(?:\(([一二三四五六七八九十]+)\))?$")
_INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_PHRASE_KEY = re.compile(r"^ch(\d{2}):(.+)#(\d+)$")

# --- the scanner's patterns --------------------------------------------------------------
# Words that follow a number in the prose without being a target's unit: they name a scope
# (山区26县, 11市), an anniversary (100周年), an age (80周岁) or a list (8大领域).  The scanner
# reports them too, so that the exclusion list, not the pattern, decides what is a target.
_SCOPE_WORDS = ["周年", "周岁", "市", "县", "大"]
_ALL_UNITS = sorted(set(UNITS) | set(_SCOPE_WORDS), key=len, reverse=True)
_UNIT = "|".join(re.escape(u) for u in _ALL_UNITS)
_NUM = r"\d+(?:\.\d+)?"
_BOUND = r"以上|左右|以下|以内"
_ARABIC = re.compile(
    rf"(?<![\d.])(?P<num>{_NUM})(?:(?:{_UNIT})?(?:至|到|-|~)(?P<num2>{_NUM}))?"
    rf"(?P<unit>{_UNIT})(?:{_BOUND})?"
)
# Chinese numerals count only before a measure word (十个, 二级, 万人), as a fraction
# (三分之二) or in 翻一番; never right after Arabic digits (400万人) or after 每 (每千人口).
_CHINESE = re.compile(
    r"翻[一两]?番"
    r"|(?<![\d每])[一二三四五六七八九十两百千万]+(?:分之[一二三四五六七八九十]+|[个所名张家大条项门套级人倍元])"
    rf"(?:{_BOUND})?"
)
_YEAR = re.compile(r"^(19|20)\d\d年$")
# Completion words state a task to finish or a coverage to reach without a number
# (全覆盖, 基本完成…任务, 2022年底前全部完成, 零就业家庭动态清零, “应保尽保”); 完成 alone
# counts only at the start of a clause (。完成核心区…调查), never after a deadline's 前.
# 全覆盖 and 全部 are not read after 健 (健全覆盖全民…, 健全部门间…: 健全 + 覆盖/部门).
# Build targets count too (issue 20): 建成 (建成“一库两平台”), 建有 (…的县建有…机构) and 编制 when
# a 规划 follows in the clause (编制养老机构布局专项规划).
COMPLETION = re.compile(
    r"(?<!健)全覆盖|(?:基本|全部|全面)完成|(?:(?<=[。,，;；:：])|^)完成|(?<!健)全部|动态清零"
    r"|应(?P<verb>[\u4e00-\u9fff])尽(?P=verb)|建成|建有|编制(?=[^,，。;；]*规划)"
)


@dataclass(frozen=True)
class Place:
    """Where a line of the plan sits: chapter, section (``九(二)``), 专栏 box, inside a table.

    >>> Place(line=987, chapter=9, section="九(二)", box=None, is_table=False).section
    '九(二)'
    """

    line: int
    chapter: int | None
    section: str | None
    box: int | None
    is_table: bool


@dataclass(frozen=True)
class Phrase:
    """One number-bearing phrase the scanner found.

    ``start``/``end`` are character offsets in the whole text; ``key`` names the phrase
    stably: chapter, text and its occurrence in the chapter (``ch03:1500名左右#2``).

    >>> scan_target_phrases("三、就业\\n新增10个以上。")[0]
    Phrase(chapter=3, line=2, start=7, end=12, text='10个以上', key='ch03:10个以上#1', section='三', box=None)
    """

    chapter: int
    line: int
    start: int
    end: int
    text: str
    key: str
    section: str
    box: int | None


@dataclass
class Accounting:
    """How the scanner's phrases are accounted for by the catalogue and the exclusion list.

    >>> Accounting().is_complete, Accounting(missing=["ch09:7万张#1"]).is_complete
    (True, False)
    """

    covered: dict = field(default_factory=dict)     # phrase key -> [target_id, …]
    excluded: dict = field(default_factory=dict)    # phrase key -> reason
    missing: list = field(default_factory=list)     # phrases in neither file
    both: list = field(default_factory=list)        # phrases in both files (ambiguous)
    stale: list = field(default_factory=list)       # exclusion keys the scanner no longer finds

    @property
    def is_complete(self) -> bool:
        return not (self.missing or self.both or self.stale)


def chapter_numeral(chapter: int) -> str:
    """``9`` → ``'九'``.

    >>> chapter_numeral(14)
    '十四'
    """
    return CHAPTER_NUMERALS[chapter - 1]


def outline(text: str) -> list[Place]:
    """The place of every line of the plan (index 0 is line 1).

    A chapter starts at ``二、…``, a section at ``(二)…``, a box at ``专栏N``; a box runs until the
    next heading of any kind (the plan never resumes prose after a box without one).  A table
    runs from ``表N`` to its ``注:`` line.

    >>> [(p.line, p.section, p.box) for p in outline("二、总体\\n(一)目标\\n专栏1 工程\\n项目")]
    [(1, '二', None), (2, '二(一)', None), (3, '二(一)', 1), (4, '二(一)', 1)]
    """
    places = []
    chapter = box = None
    section = None
    in_table = False
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if m := _CHAPTER_HEADING.match(stripped):
            chapter = CHAPTER_NUMERALS.index(m.group(1)) + 1
            section, box = chapter_numeral(chapter), None
        elif chapter and (m := _SECTION_HEADING.match(stripped)):
            section, box = f"{chapter_numeral(chapter)}({m.group(1)})", None
        elif chapter and (m := _BOX_HEADING.match(stripped)):
            box = int(m.group(1))
        if _TABLE_START.match(stripped):
            in_table = True
        places.append(Place(number, chapter, section, box, in_table))
        if in_table and _TABLE_END.match(stripped):
            in_table = False
    return places


def place_of(text: str, offset: int) -> Place:
    """The :class:`Place` of the line holding character ``offset``.

    >>> text = "二、总体\\n(一)目标\\n新增10个"
    >>> place_of(text, text.index("10个"))
    Place(line=3, chapter=2, section='二(一)', box=None, is_table=False)
    """
    return outline(text)[text.count("\n", 0, offset)]


def quote_span(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of ``quote`` in ``text`` when it occurs exactly once, else None.

    >>> quote_span("甲乙丙乙", "丙"), quote_span("甲乙丙乙", "乙")
    ((2, 3), None)
    """
    first = text.find(quote)
    if first < 0 or text.find(quote, first + 1) >= 0:
        return None
    return first, first + len(quote)


def scan_target_phrases(text: str) -> list[Phrase]:
    """Every number-bearing or completion phrase of chapters 二 to 十四, outside Tables 1 and 2.

    A phrase is an Arabic number with its unit and bound (``350家至400家``, ``58%以上``,
    ``2-3个``), a Chinese numeral before a measure word (``十个``, ``二级以上``), a fraction
    (``三分之二``), ``翻一番`` or a completion word (:data:`COMPLETION`: ``全覆盖``, ``建成``,
    ``基本完成``, ``全部完成``, ``全部``, ``动态清零``, ``应保尽保``, a clause-initial ``完成``).
    Years (``2025年``) are not phrases; numbers with no unit after them (list numbers ``1.``,
    ``1+8+X``, ``2.0计划``) are not either.

    >>> [p.text for p in scan_target_phrases("二、总体\\n到2025年,新增10个以上,比2020年“翻一番”。")]
    ['10个以上', '翻一番']
    >>> [p.text for p in scan_target_phrases("三、保障\\n实现法定人员社保全覆盖,2022年底前全部完成。完成调查。")]
    ['全覆盖', '全部完成', '完成']
    """
    phrases: list[Phrase] = []
    seen: Counter = Counter()
    offset = 0
    for place, line in zip(outline(text), text.split("\n")):
        start_of_line, offset = offset, offset + len(line) + 1
        if place.chapter is None or not FIRST_CHAPTER <= place.chapter <= LAST_CHAPTER or place.is_table:
            continue
        hits = []
        for m in _ARABIC.finditer(line):
            if m.group("num2") is None and _YEAR.match(m.group("num") + m.group("unit")):
                continue
            hits.append((m.start(), m.end()))
        hits += [(m.start(), m.end()) for m in _CHINESE.finditer(line)]
        hits += [(m.start(), m.end()) for m in COMPLETION.finditer(line)]
        for a, b in sorted(hits):
            span = line[a:b]
            seen[(place.chapter, span)] += 1
            phrases.append(Phrase(
                chapter=place.chapter, line=place.line, start=start_of_line + a, end=start_of_line + b,
                text=span, key=f"ch{place.chapter:02d}:{span}#{seen[(place.chapter, span)]}",
                section=place.section, box=place.box,
            ))
    return phrases


def account_for(text: str, targets: pd.DataFrame, excluded: pd.DataFrame) -> Accounting:
    """Match every scanned phrase to the catalogue rows whose quote contains it, or to an exclusion.

    A phrase is covered when it lies inside the (unique) occurrence of a row's quote in ``text``.

    >>> text = "三、就业\\n新增10个以上,开办5家。"
    >>> targets = pd.DataFrame({"target_id": ["ch03-t01"], "quote": ["新增10个以上"]})
    >>> excluded = pd.DataFrame({"phrase_key": [], "reason": []})
    >>> result = account_for(text, targets, excluded)
    >>> result.covered, [p.key for p in result.missing], result.is_complete
    ({'ch03:10个以上#1': ['ch03-t01']}, ['ch03:5家#1'], False)
    """
    spans = {}
    for _, row in targets.iterrows():
        span = quote_span(text, row["quote"])
        if span:
            spans[row["target_id"]] = span
    reasons = dict(zip(excluded["phrase_key"], excluded["reason"]))
    result = Accounting()
    found = set()
    for phrase in scan_target_phrases(text):
        found.add(phrase.key)
        ids = [tid for tid, (a, b) in spans.items() if a <= phrase.start and phrase.end <= b]
        if ids:
            result.covered[phrase.key] = ids
        if phrase.key in reasons:
            result.excluded[phrase.key] = reasons[phrase.key]
        if ids and phrase.key in reasons:
            result.both.append(phrase)
        elif not ids and phrase.key not in reasons:
            result.missing.append(phrase)
    result.stale = [key for key in reasons if key not in found]
    return result


# --- reading and validating the two files --------------------------------------------------

def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    from .folder import read_csv_frame   # the one reader of plan CSV files (limits, encoding, text)

    path = Path(path)
    if not path.exists():
        raise PlanDataError(path, None, None, "", "该文件存在 (the file to exist)")
    frame = read_csv_frame(path)
    if list(frame.columns) != columns:
        raise PlanDataError(path, 1, None, ",".join(frame.columns), "表头 (the header) " + ",".join(columns))
    return frame


def read_targets(path: str | Path, source_text: str | None = None, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Read ``targets.csv`` and check every cell; return it typed.

    ``years``: the first and last year a target may name (the plan's start year to its vision year
    or end year); default: any year from 1949 to 2100.

    Every bad cell is listed at once (:class:`~plananalysis.errors.PlanDataErrors`; one alone is a
    :class:`~plananalysis.errors.PlanDataError`), each naming the file, the row (as a spreadsheet
    numbers it: the header is row 1), the column, the value and what was expected; a check that
    needs a cell found bad is left out for that row.  With ``source_text`` it also checks that
    each quote occurs in the text exactly once.

    >>> from plananalysis.plan.folder import load_plan
    >>> frame = read_targets(load_plan().folder / "targets.csv")
    >>> row = frame.set_index("target_id").loc["ch09-t02"]
    >>> row["target_text"], row["op"], float(row["low"]), float(row["high"]), int(row["target_year"])
    ('350家至400家', 'range', 350.0, 400.0, 2022)
    """
    path = Path(path)
    first_year, last_year = years or (1949, 2100)
    frame = _read_csv(path, TARGET_COLUMNS)
    out = {column: [] for column in TARGET_COLUMNS}
    seen_ids: dict = {}
    problems: list[PlanDataError] = []
    for pos, row in frame.iterrows():
        sheet_row = int(pos) + 2

        def bad(column, expected, value=None):
            problems.append(PlanDataError(path, sheet_row, column, row[column] if value is None else value, expected))

        target_id = row["target_id"]
        m = _TARGET_ID.match(target_id)
        if not m:
            bad("target_id", "形如 chNN-tNN 的编号 (an id like chNN-tNN: the chapter, then a sequence number)")
        elif target_id in seen_ids:
            bad("target_id", f"文件中唯一的编号，第{seen_ids[target_id]}行已用 (an id unique in the file; row "
                             f"{seen_ids[target_id]} has it)")
        seen_ids.setdefault(target_id, sheet_row)
        chapter = _int(row["chapter"])
        if chapter is None or not FIRST_CHAPTER <= chapter <= LAST_CHAPTER:
            bad("chapter", f"{FIRST_CHAPTER}–{LAST_CHAPTER} 的整数 (a chapter number)")
            chapter = None
        if chapter is not None:
            if m and int(m.group(1)) != chapter:
                bad("target_id", f"以 ch{chapter:02d}- 开头 (starting with the row's chapter)")
            sec = _SECTION.match(row["section"])
            if not sec or sec.group(1) != chapter_numeral(chapter):
                bad("section", f"{chapter_numeral(chapter)} 或 {chapter_numeral(chapter)}(二) 这样的节 (a section of chapter {chapter})")
        box = None
        if row["box"].strip():
            box = _int(row["box"])
            if box is None or not 1 <= box <= 99:
                bad("box", "专栏编号，或留空 (a box number, or blank)")
                box = None
        for column in ("subject_zh", "subject_en", "quote", "target_text"):
            if not row[column].strip():
                bad(column, "非空值 (a value; never left blank)")
        if row["target_text"].strip() and row["quote"].strip() and row["target_text"] not in row["quote"]:
            bad("target_text", f"引文中的一段 (a part of the quote {row['quote']!r})")
        if source_text is not None and row["quote"].strip() and quote_span(source_text, row["quote"]) is None:
            count = source_text.count(row["quote"])
            bad("quote", f"在规划文本中恰好出现一次的原文 (text found exactly once in source.txt; found {count} times)")
        op = row["op"]
        if op not in OPS:
            bad("op", " / ".join(OPS) + " 之一 (one of the grammar's operators)")
        numbers = {}
        for column in ("value", "low", "high"):
            numbers[column] = _float(row[column])
            if row[column].strip() and numbers[column] is None:
                bad(column, "有限的数字，或留空 (a finite number, or blank)")
        if op == "range":
            if numbers["low"] is None or numbers["high"] is None or numbers["value"] is not None:
                bad("value" if numbers["value"] is not None else ("low" if numbers["low"] is None else "high"),
                    "范围目标填 low 和 high，value 留空 (a range fills low and high, leaves value blank)")
            elif numbers["low"] > numbers["high"]:
                bad("high", f"不小于 low={numbers['low']:g} 的上限 (an upper bound ≥ low)")
        elif op in OPS and (numbers["value"] is None or numbers["low"] is not None or numbers["high"] is not None):
            bad("value" if numbers["value"] is None else "low",
                "非范围目标填 value，low/high 留空 (a single value, low and high blank)")
        target_year = _int(row["target_year"])
        if target_year is None or not first_year <= target_year <= last_year:
            bad("target_year", f"{first_year}–{last_year} 的年份 (a year of the plan or of its vision)")
            target_year = None
        if row["is_annual"] not in ("true", "false"):
            bad("is_annual", "true 或 false")
        is_annual = row["is_annual"] == "true"
        kind = row["kind"]
        if kind not in KINDS:
            bad("kind", " / ".join(KINDS) + " 之一 (one of the catalogue's kinds)")
        elif row["is_annual"] in ("true", "false") and (kind == "annual") != is_annual:
            bad("is_annual", f"{'true' if kind == 'annual' else 'false'}（kind 为 {kind}）(true exactly when kind is annual)")
        if is_annual and "每年" not in row["quote"]:
            bad("quote", "含“每年”的引文 (an annual target quotes its 每年)")
        restates = row["restates_indicator_id"]
        if restates and not _INDICATOR_ID.match(restates):
            bad("restates_indicator_id", "indicators.csv 中的指标编号，或留空 (an indicator id, or blank)")
        typed = dict(row)
        typed.update(chapter=chapter, box=box, target_year=target_year, is_annual=is_annual, **numbers)
        for column in TARGET_COLUMNS:
            out[column].append(typed[column])
    raise_all(problems)
    result = pd.DataFrame(out)
    result["chapter"] = result["chapter"].astype("Int64")
    result["box"] = pd.array(out["box"], dtype="Int64")
    result["target_year"] = result["target_year"].astype("Int64")
    for column in ("value", "low", "high"):
        result[column] = pd.array(out[column], dtype="float64")
    result["is_annual"] = result["is_annual"].astype(bool)
    return result


def read_excluded(path: str | Path) -> pd.DataFrame:
    """Read ``targets_excluded.csv``: one scanner phrase per row, with the reason it is not a target.

    >>> from plananalysis.plan.folder import load_plan
    >>> excluded = read_excluded(load_plan().folder / "targets_excluded.csv")
    >>> excluded.loc[0, "phrase_key"], int(excluded.loc[0, "line"])
    ('ch02:十九大#1', 440)
    """
    path = Path(path)
    frame = _read_csv(path, EXCLUDED_COLUMNS)
    problems = []
    for pos, row in frame.iterrows():
        sheet_row = int(pos) + 2
        m = _PHRASE_KEY.match(row["phrase_key"])
        if not m:
            problems.append(PlanDataError(path, sheet_row, "phrase_key", row["phrase_key"],
                                          "形如 ch09:1000个#2 的键 (a key like ch09:1000个#2: chapter, phrase, occurrence)"))
        elif m.group(2) != row["phrase"] or _int(row["chapter"]) != int(m.group(1)):
            problems.append(PlanDataError(path, sheet_row, "phrase_key", row["phrase_key"],
                                          f"与 chapter={row['chapter']} 和 phrase={row['phrase']!r} 一致的键 (a key agreeing with them)"))
        if _int(row["chapter"]) is None:
            problems.append(PlanDataError(path, sheet_row, "chapter", row["chapter"], "章号 (a chapter number)"))
        if _int(row["line"]) is None:
            problems.append(PlanDataError(path, sheet_row, "line", row["line"], "行号 (a line number of source.txt)"))
        if len(row["reason"].strip()) < 8:
            problems.append(PlanDataError(path, sheet_row, "reason", row["reason"], "说明为何不是目标的理由 (a reason, in words)"))
    raise_all(problems)
    frame["chapter"] = frame["chapter"].map(_int).astype(int)
    frame["line"] = frame["line"].map(_int).astype(int)
    return frame


def _int(text: str) -> int | None:
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _float(text: str) -> float | None:
    if not text.strip():
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
