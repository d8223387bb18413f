"""The words of the reports in Chinese and English, kept as data (``data/glossary/terms.csv``).

An English page takes its units, its target wording, its section numbers and the names of
rules, source types and series from here; a Chinese page takes the Chinese of the notes that the
observed files carry in English (``(reprint)``, ``as reported by``).  What stays Chinese on an
English page is a name or a quotation (an indicator without an English name, a document's
title, the plan's own words), and :func:`mark_chinese` marks it ``lang="zh-CN"`` so that readers,
screen readers and the readability test know it is meant.

>>> unit_name("万人", "en"), target_wording("75左右"), target_wording("年均增长5.5以上", unit="%")
('10,000 persons', 'about 75', 'average annual growth of 5.5% or more')
>>> section("十一(三)", "en"), label("quality", "reprint", "zh"), term("以上")
('11(3)', '转载', 'or more')
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from ..paths import data_dir
from . import format as fmt
from .text import escape_text

__all__ = ["terms", "term", "label", "unit_name", "unit_decimals", "section", "target_wording",
           "translate", "to_chinese", "pick", "has_chinese", "chinese_runs", "mark_chinese",
           "region_name", "department_name", "CJK"]

#: Chinese characters and CJK punctuation (full-width brackets, 〔〕, 、，。) — what an English page
#: may show only inside a name or a quotation.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]+")
# a token holding Chinese; a comma that groups digits (10,000公里) is part of it, not a break
_GROUPING = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TOKEN = re.compile(rf"(?:[^\s;,]|{_GROUPING.pattern})*[\u3000-\u303f\u3400-\u9fff\uff01-\uff60]"
                    rf"(?:[^\s;,]|{_GROUPING.pattern})*")
_BILINGUAL = re.compile(r"^(?P<zh>[^()（）]*[\u4e00-\u9fff][^()（）]*?)\s*[（(](?P<en>[A-Za-z][^()（）]*)[)）]$")
_NUMERALS = re.compile(r"^[〇零一二两三四五六七八九十百千]+$")
_LATIN_LEFT = re.compile(r"[A-Za-z]{2,}")


def _path():
    return data_dir() / "glossary" / "terms.csv"


@lru_cache(maxsize=4)
def _read(path: str, stamp: int) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return frame


def terms() -> pd.DataFrame:
    """The glossary: ``kind, key, zh, en, decimals, note`` (re-read when the file changes).

    >>> table = terms()
    >>> {"unit", "term", "wording", "pattern", "section"} <= set(table["kind"])
    True
    """
    path = _path()
    return _read(str(path), path.stat().st_mtime_ns)


def _rows(kind: str) -> pd.DataFrame:
    table = terms()
    return table[table["kind"] == kind]


@lru_cache(maxsize=64)
def _lookup(kind: str, by: str, stamp: int) -> dict:
    rows = _rows(kind)
    return {r[by]: r for r in rows.to_dict("records")}


def _map(kind: str, by: str) -> dict:
    return _lookup(kind, by, _path().stat().st_mtime_ns)


def term(zh: str, lang: str = "en") -> str:
    """A Chinese word of targets, tables and notes in ``lang`` (itself when unknown or ``zh``).

    >>> term("左右"), term("基期"), term("基期", "zh"), term("未登记的词")
    ('about', 'baseline', '基期', '未登记的词')
    """
    if lang == "zh" or fmt.is_missing(zh):
        return zh
    row = _map("term", "zh").get(str(zh))
    return row["en"] if row else zh


def label(kind: str, key: str, lang: str = "zh") -> str:
    """The word for an id of the data: ``quality``, ``series``, ``rule``, ``attribute``, ``severity``.

    >>> label("series", "plan", "zh"), label("rule", "floor", "en"), label("attribute", "binding", "zh")
    ('规划口径', 'floor (… or more)', '约束性')
    >>> label("severity", "高", "en"), label("quality", "unknown-kind", "zh")
    ('high', 'unknown-kind')
    """
    if fmt.is_missing(key):
        return fmt.MISSING
    table = _map(kind, "key")
    row = table.get(str(key)) or _map(kind, "zh").get(str(key))
    if not row:
        return str(key)
    return row["en"] if lang == "en" else row["zh"]


def unit_name(unit, lang: str = "zh") -> str:
    """A unit in ``lang``: ``万人`` → ``10,000 persons``; blank → ``""``; unknown → as printed.

    >>> unit_name("人/亿元", "en"), unit_name("%", "en"), unit_name("万人", "zh"), unit_name(None, "en")
    ('persons per 100 million yuan', '%', '万人', '')
    """
    if fmt.is_missing(unit):
        return ""
    if lang == "zh":
        return str(unit)
    row = _map("unit", "zh").get(str(unit))
    return row["en"] if row else str(unit)


def unit_decimals(unit, default: int = 2) -> int:
    """The most decimals a value in ``unit`` is shown with (the glossary's ``decimals``).

    >>> unit_decimals("万人"), unit_decimals("人/亿元"), unit_decimals("元"), unit_decimals("新单位")
    (1, 3, 0, 2)
    """
    if fmt.is_missing(unit):
        return default
    row = _map("unit", "zh").get(str(unit))
    return int(row["decimals"]) if row and row["decimals"] else default


def _numeral(text: str) -> str:
    from ..plan.grammar import chinese_number

    return str(chinese_number(text)) if _NUMERALS.match(text) else text


def section(code, lang: str = "zh") -> str:
    """A section number of the plan: ``一(二)`` stays in Chinese and is ``1(2)`` in English.

    >>> section("九(三)", "en"), section("十四(二)", "en"), section("九(三)"), section("", "en")
    ('9(3)', '14(2)', '九(三)', '—')
    """
    if fmt.is_missing(code):
        return fmt.MISSING
    if lang == "zh":
        return str(code)
    return re.sub(r"[〇零一二两三四五六七八九十百千]+", lambda m: _numeral(m.group()), str(code))


def _wording(key: str) -> str:
    row = _map("wording", "key").get(key)
    return row["en"] if row else "{value}"


def _english_target(target, unit: str) -> str:
    from ..plan.grammar import Target  # noqa: F401 — the type this reads

    if target.kind == "none":
        return fmt.MISSING
    if target.kind == "parts":
        return "; ".join(_english_target(p, unit) for p in target.parts)
    if target.kind == "relational":
        return _wording(f"relational{target.op}").format(label=term(target.label or ""))
    own_unit = target.unit or ""

    def value(x, with_unit: bool = True) -> str:
        if own_unit and with_unit:
            return _scaled(x, own_unit)
        return fmt.number(x, digits=6)  # as printed: 0.067 stays 0.067

    if target.kind == "multiple":
        times = fmt.number(target.value)
        text = (_wording("multiple").format(times=times, base_year=target.base_year)
                if target.base_year else (term("翻一番") if times == "2" else f"{times} times"))
        return text
    if target.op == "range":
        core = _wording("range").format(low=value(target.low, with_unit=False), high=value(target.high))
    else:
        core = _wording(target.op or "=").format(value=value(target.value))
    if target.kind == "cumulative":
        core = _wording("cumulative").format(value=core)
    elif target.kind == "avg_growth":
        core = _wording("avg_growth").format(target=core)
    elif target.kind == "change":
        core = _wording("change").format(target=core, base_year=target.base_year)
    if target.per_year:
        core = _wording("per_year").format(target=core)
    if target.year:
        core = _wording("year").format(target=core, year=target.year)
    if target.label and term(target.label) != unit_name(own_unit, "en"):
        core = _wording("label").format(target=core, label=term(target.label))
    return core + (target.mark or "")


_SCALES = (("10,000 ", 1e4), ("100 million ", 1e8), ("trillion ", 1e12))


def _scaled(value, unit: str) -> str:
    """A value in a 万/亿 unit as English says it: 1万元 → 10,000 yuan, 4500亿元 → 450 billion yuan."""
    name = unit_name(unit, "en")
    for prefix, factor in _SCALES:
        if name.startswith(prefix):
            x, rest = float(value) * factor, name[len(prefix):]
            for word, size in (("billion", 1e9), ("million", 1e6)):
                if x >= size:
                    return f"{fmt.number(x / size, digits=2)} {word} {rest}"
            return f"{x:,.0f} {rest}"
    if float(value) == 1 and name.endswith("s") and " " not in name:
        name = name[:-1]  # 1 person, 1 hour
    return f"{fmt.number(value, digits=6)}{name}" if name in ("%", "‰") else f"{fmt.number(value, digits=6)} {name}"


def target_wording(printed, lang: str = "en", unit: str = "") -> str:
    """A printed target in ``lang``: verbatim in Chinese (digits grouped), from its parse in English.

    ``unit``: the indicator's unit, which the printed cell leaves out (``年均增长5.5以上`` is in %).
    Text the target grammar cannot read stays as printed (the readability test names it).

    >>> target_wording("75左右"), target_wording("控制在5.5左右"), target_wording("〔400〕")
    ('about 75', 'kept within about 5.5', '400 (five-year total)')
    >>> target_wording("6(2019年)"), target_wording(">96(食品) >98(药品)")
    ('6 (2019)', '96 or more (food); 98 or more (drugs)')
    >>> target_wording("比2020年增加1万元以上"), target_wording("4500亿元左右"), target_wording("翻一番")
    ('an increase of 10,000 yuan or more over 2020', 'about 450 billion yuan', 'double')
    >>> target_wording("52600", "zh"), target_wording("80%以上"), target_wording("全覆盖")
    ('52,600', '80% or more', 'full coverage')
    """
    if fmt.is_missing(printed):
        return fmt.MISSING
    text = str(printed).strip()
    if lang == "zh":
        return fmt.printed(text)
    known = _map("term", "zh").get(text)
    if known:
        return known["en"]
    from ..errors import ParseError
    from ..plan.grammar import parse

    try:
        target = parse(text)
    except (ParseError, ValueError):
        return text
    unit = "" if fmt.is_missing(unit) else str(unit)
    english = _english_target(target, unit if target.kind == "avg_growth" else "")
    if target.kind == "avg_growth" and unit == "%":
        english = english.replace(" or more", "% or more", 1) if "%" not in english else english
        if "%" not in english:
            english = english + "%"
    return english


def translate(text, lang: str = "en", *, words: bool = True) -> str:
    """A short phrase of the plan's tables in ``lang``: patterns (``表2`` → ``Table 2``, ``第8行``
    → ``row 8``, ``2020年`` → ``2020``) and the glossary's terms, longest first; tokens that are
    printed targets get :func:`target_wording`.  ``zh``: :func:`to_chinese`.  ``words=False``:
    the patterns only (a text that quotes the plan keeps its quotations as they are).

    >>> translate("表1 第17行 2020年完成情况 / 表2 第19行 2020年基期")
    'Table 1 row 17 2020 actual / Table 2 row 19 2020 baseline'
    >>> translate("目标控制在5.5左右；met")
    'target kept within about 5.5; met'
    >>> translate("目标10,000公里；met")   # digits grouped stay one number (was "target 10,0 km")
    'target 10,000 km; met'
    """
    if fmt.is_missing(text):
        return "" if text is None else str(text) if not isinstance(text, float) else fmt.MISSING
    text = str(text)
    if lang == "zh":
        return to_chinese(text)
    if not CJK.search(text):
        return text
    for row in _rows("pattern").to_dict("records"):
        text = re.sub(row["zh"], lambda m, r=row: _expand(r["en"], m), text)
    if not words:
        return re.sub(r"(\d)([A-Za-z])", r"\1 \2", text)
    text = text.replace("；", "; ").replace("，", ", ").replace("：", ": ").replace("（", " (").replace("）", ")")

    def token(match) -> str:
        word = _GROUPING.sub("", match.group())   # 10,000公里 → 10000公里: the grammar reads it
        tail = ""
        while word and word[-1] in ".:)":
            word, tail = word[:-1], word[-1] + tail
        known = _map("term", "zh").get(word)
        if known:
            return known["en"] + tail
        english = target_wording(word)
        if not CJK.search(english):
            return english + tail
        # a known term at the start of the token: 目标控制在5.5左右 → target + kept within …
        for zh in sorted(_map("term", "zh"), key=len, reverse=True):
            if word.startswith(zh) and len(word) > len(zh):
                rest = target_wording(word[len(zh):])
                if not CJK.search(rest):
                    return f"{_map('term', 'zh')[zh]['en']} {rest}{tail}"
        return match.group()

    text = _TOKEN.sub(token, text)
    for zh in sorted(_map("term", "zh"), key=len, reverse=True):
        if zh in text and len(zh) > 1:
            text = text.replace(zh, f' {_map("term", "zh")[zh]["en"]} ')
    text = re.sub(r"(\d)([A-Za-z])", r"\1 \2", text)
    return re.sub(r"\s{2,}", " ", text).replace(" )", ")").replace("( ", "(").strip()


def _expand(template: str, match) -> str:
    groups = [_numeral(g) if g else "" for g in match.groups()]
    return re.sub(r"\\(\d)", lambda m: groups[int(m.group(1)) - 1], template)


def to_chinese(text) -> str:
    """The English notes inside a Chinese text in Chinese: ``(reprint)`` → ``（转载）``,
    ``, as reported by`` → ``，转载自``, ``March 2025`` → ``2025年3月``; bilingual names keep
    their Chinese (:func:`pick`).

    >>> to_chinese("2021年某省政府工作报告, as reported by 某新闻网 (reprint)")
    '2021年某省政府工作报告，转载自某新闻网（转载）'
    >>> to_chinese("国家卫健委 statement, March 2025 (reprint)")
    '国家卫健委声明，2025年3月（转载）'
    """
    if fmt.is_missing(text):
        return "" if text is None else str(text)
    text = pick(str(text), "zh")
    phrases, months, month_year = _chinese_rules(_path().stat().st_mtime_ns)
    for en, zh in phrases:
        text = text.replace(en, zh)
        if en.strip() and en.strip() != en:
            text = text.replace(en.strip(), zh)
    if months:
        text = month_year.sub(lambda m: f"{m.group(2)}年{months[m.group(1)]}月", text)
    if not _LATIN_LEFT.search(text):
        text = text.replace(", ", "，").replace("; ", "；").replace(": ", "：").replace(",", "，")
    return text


@lru_cache(maxsize=4)
def _chinese_rules(stamp: int) -> tuple:
    """What :func:`to_chinese` replaces, read once per version of the glossary: the phrases
    (longest first), the month names and the pattern of a month and year."""
    phrases = [(r["en"], r["zh"]) for r in sorted(_rows("phrase").to_dict("records"), key=lambda r: len(r["en"]),
                                                  reverse=True)]
    months = {r["en"]: r["key"] for r in _rows("month").to_dict("records")}
    month_year = re.compile(rf"({'|'.join(months)}) (\d{{4}})") if months else None
    return phrases, months, month_year


def pick(text, lang: str = "zh") -> str:
    """One side of a bilingual name ``中文 (English)``; other texts unchanged.

    >>> pick("某省发展和改革委员会 (Provincial Development and Reform Commission)", "en")
    'Provincial Development and Reform Commission'
    >>> pick("某省发展和改革委员会 (Provincial Development and Reform Commission)")
    '某省发展和改革委员会'
    """
    if not isinstance(text, str):
        return text
    m = _BILINGUAL.match(text.strip())
    if not m or f" ({m.group('en')})" in _map("phrase", "en"):
        return text  # a note such as (reprint), not an English name
    return m.group("en").strip() if lang == "en" else m.group("zh").strip()


def has_chinese(text) -> bool:
    """Whether ``text`` holds Chinese characters or CJK punctuation.

    >>> has_chinese("about 75"), has_chinese("75左右"), has_chinese("116.3（2023）")
    (False, True, True)
    """
    return isinstance(text, str) and bool(CJK.search(text))


def chinese_runs(text) -> list[str]:
    """The runs of Chinese characters and CJK punctuation in ``text``.

    >>> chinese_runs("target 控制在5.5左右; met")
    ['控制在', '左右']
    """
    return CJK.findall(text) if isinstance(text, str) else []


def mark_chinese(text, lang: str = "en") -> str:
    """``text`` as HTML (escaped) with its Chinese runs marked ``lang="zh-CN"`` on an English page.

    For names and quotations only: a sentence's leftovers must be translated, not marked.

    >>> mark_chinese("Fuller services (一老一小)")
    'Fuller services (<span lang="zh-CN">一老一小</span>)'
    >>> mark_chinese("<b>", "zh"), mark_chinese("一老一小", "zh")
    ('&lt;b&gt;', '一老一小')
    """
    if fmt.is_missing(text):
        return fmt.MISSING if not isinstance(text, str) else ""
    escaped = escape_text(text)
    if lang == "zh":
        return escaped
    return CJK.sub(lambda m: f'<span lang="zh-CN">{m.group()}</span>', escaped)


def region_name(plan, region: str | None = None, lang: str = "zh") -> str:
    """A region of the plan (default: its own) in ``lang``, from its ``regions.csv`` (``name_en``).

    >>> from plananalysis.plan.folder import load_plan
    >>> plan = load_plan()
    >>> region_name(plan, lang="en") == plan.regions.set_index("name_zh").loc[plan.region, "name_en"]
    True
    """
    region = region or plan.region
    if lang == "zh":
        return region
    regions = plan.regions
    if "name_en" in regions.columns:
        hit = regions[regions["name_zh"] == region]
        if len(hit) and not fmt.is_missing(hit.iloc[0]["name_en"]):
            return str(hit.iloc[0]["name_en"])
    return region


def department_name(plan, department_id: str, lang: str = "zh") -> str:
    """A department of the plan by id, in ``lang`` (``departments.csv``); the id when unknown.

    >>> from plananalysis.plan.folder import load_plan
    >>> plan = load_plan()
    >>> first = plan.departments.iloc[0]
    >>> department_name(plan, first["department_id"], "en") == first["name_en"]
    True
    """
    table = plan.departments
    if table is None or table.empty or "department_id" not in table.columns:
        return str(department_id)
    name = _department_names(table, lang).get(department_id)
    return str(department_id) if name is None else name


_DEPARTMENT_NAMES: dict = {}   # id(departments table) → (the table, {lang: {id: name}})


def _department_names(table: pd.DataFrame, lang: str) -> dict:
    """Department id → name in ``lang`` (the first row of an id; its Chinese name where the
    English one is missing), worked out once per departments table (a plan's tables are not
    changed once loaded; a page names hundreds of departments)."""
    kept = _DEPARTMENT_NAMES.get(id(table))
    if kept is None or kept[0] is not table:
        if len(_DEPARTMENT_NAMES) > 16:
            _DEPARTMENT_NAMES.clear()
        kept = _DEPARTMENT_NAMES[id(table)] = (table, {})
    names = kept[1].get(lang)
    if names is None:
        column = "name_en" if lang == "en" and "name_en" in table.columns else "name_zh"
        names = {}
        for key, value, zh in zip(table["department_id"], table[column], table["name_zh"]):
            names.setdefault(key, str(value) if not fmt.is_missing(value) else str(zh))
        kept[1][lang] = names
    return names
