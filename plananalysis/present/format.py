"""One number formatter for the whole package: tables, sentences, charts' labels, apps, files.

The rules, in one place:

- a missing value (``None``, NaN, ``pd.NA``, blank text) is ``—``, never ``nan``;
- a value is shown with at most the decimals its unit takes (the glossary's ``decimals``:
  ``%`` 2, ``万人`` 1, ``人/亿元`` 3, …; 2 for a unit it does not list), trailing zeros dropped
  (``74.20`` → ``74.2``, ``6.950000`` → ``6.95``);
- numbers of five digits or more are grouped in thousands (``52,397``); four-digit numbers are
  not, so that they read like the plan's own cells and never like years (``4355``, ``2023``);
- shares (the completion share P, the time share E) are whole percents (``0.2908`` → ``29%``);
- a year is ``2023年`` in Chinese and ``2023`` in English; a value with its year is
  ``116.3（2023年）`` or ``116.3 (2023)``.

>>> number(52397), number(74.20, "%"), number(0.0164, "人/亿元"), number(float("nan"))
('52,397', '74.2', '0.016', '—')
>>> share(0.29075), with_year(number(116.3, "万人"), 2023), with_year("116.3", 2023, "en")
('29%', '116.3（2023年）', '116.3 (2023)')
"""

from __future__ import annotations

import math
import re

from ..values import is_blank

__all__ = ["MISSING", "is_missing", "number", "share", "pace", "year", "with_year", "with_unit",
           "value_text", "group_digits", "printed", "years_list", "signed", "rounded", "excel_format"]

#: What a missing value shows as, in every table, sentence and file meant for readers.
MISSING = "—"
_DEFAULT_DECIMALS = 2
_GROUP_FROM = 10_000
# a run of five or more digits not inside a decimal part: 52397 → 52,397 (years stay 2023)
_LONG_RUN = re.compile(r"(?<![\d.,])(\d{5,})(?![\d,])")


def is_missing(value) -> bool:
    """Whether ``value`` means "no value" to a reader: blank (:func:`plananalysis.values.is_blank`:
    None, NaN, ``pd.NA``, NaT, white space) or the text ``nan``.

    >>> is_missing(None), is_missing(float("nan")), is_missing(""), is_missing(0), is_missing("nan")
    (True, True, True, False, True)
    """
    return is_blank(value) or (isinstance(value, str) and value.strip().lower() == "nan")


def _decimals(unit) -> int:
    from .glossary import unit_decimals

    return unit_decimals(unit, default=_DEFAULT_DECIMALS)


def number(value, unit: str = "", *, digits: int | None = None, qualifier: str = "") -> str:
    """A value as a report prints it: decimals by unit, thousands from 10,000, ``—`` if missing.

    ``digits`` overrides the unit's decimals; ``qualifier`` (``≈``, ``>``, ``<``) is put in
    front.  The same in both languages.

    >>> number(111.8, "万人"), number(4355, "万人"), number(41500.0), number(1.9, "倍（农村=1）")
    ('111.8', '4355', '41,500', '1.9')
    >>> number(1.8333333), number(76, qualifier="≈"), number(-0.0001), number("6.950000")
    ('1.83', '≈76', '0', '6.95')
    """
    if is_missing(value):
        return MISSING
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(x):
        return MISSING
    places = _decimals(unit) if digits is None else digits
    text = f"{x:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if abs(x) >= _GROUP_FROM:
        whole, dot, frac = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        text = f"{sign}{int(whole.lstrip('-')):,}{dot}{frac}"
    return f"{qualifier or ''}{text}"


def share(value, digits: int = 0) -> str:
    """A share (0–1, may exceed 1) as a percent: ``0.29075`` → ``29%``; missing → ``—``.

    >>> share(0.8), share(5.85), share(0.545454, 1), share(None)
    ('80%', '585%', '54.5%', '—')
    """
    if is_missing(value):
        return MISSING
    x = float(value) * 100
    text = f"{x:,.{digits}f}" if abs(x) >= _GROUP_FROM else f"{x:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + "%"


def pace(value) -> str:
    """The pace q = P/E, two decimals (``1.45``); missing → ``—``.

    >>> pace(1.45375), pace(float("nan"))
    ('1.45', '—')
    """
    return number(value, digits=2)


def signed(value, unit: str = "", *, digits: int | None = None) -> str:
    """A change with its sign: ``+0.5``, ``-1.2``, ``0``.

    >>> signed(0.5), signed(-1.25, "%"), signed(0)
    ('+0.5', '-1.25', '0')
    """
    text = number(value, unit, digits=digits)
    if text != MISSING and not text.startswith("-") and float(value) > 0:
        return "+" + text
    return text


def year(value, lang: str = "zh") -> str:
    """A year: ``2023年`` in Chinese, ``2023`` in English; missing → ``—``.

    >>> year(2023), year(2023.0, "en"), year(None)
    ('2023年', '2023', '—')
    """
    if is_missing(value):
        return MISSING
    return f"{int(float(value))}年" if lang == "zh" else str(int(float(value)))


def years_list(years, lang: str = "zh") -> str:
    """Several years: ``2021、2022年`` or ``2021, 2022``; a comma-separated text is accepted.

    >>> years_list("2021,2022"), years_list([2021, 2023], "en"), years_list(""), years_list(float("nan"))
    ('2021、2022年', '2021, 2023', '—', '—')
    """
    if not isinstance(years, (list, tuple)) and is_missing(years):
        return MISSING
    if isinstance(years, str):
        years = [y for y in years.split(",") if y.strip()]
    years = [int(float(y)) for y in years if not is_missing(y)]
    if not years:
        return MISSING
    return "、".join(map(str, years)) + "年" if lang == "zh" else ", ".join(map(str, years))


def with_year(text: str, when, lang: str = "zh") -> str:
    """A value's text with the year it describes: ``116.3（2023年）``, ``116.3 (2023)``.

    >>> with_year("74.2", 2023), with_year("—", 2023), with_year("74.2", None, "en")
    ('74.2（2023年）', '—', '74.2')
    """
    if text == MISSING or is_missing(text):
        return MISSING
    if is_missing(when):
        return text
    return f"{text}（{year(when, 'zh')}）" if lang == "zh" else f"{text} ({year(when, 'en')})"


def with_unit(text: str, unit, lang: str = "zh") -> str:
    """A value's text with its unit in ``lang``: ``74.2%``, ``116.3万人``, ``116.3 10,000 persons``.

    >>> with_unit("74.2", "%"), with_unit("116.3", "万人"), with_unit("116.3", "万人", "en")
    ('74.2%', '116.3万人', '116.3 10,000 persons')
    >>> with_unit("1.9", "倍（农村=1）"), with_unit("—", "%")
    ('1.9倍', '—')
    """
    from .glossary import unit_name

    if text == MISSING or is_missing(unit):
        return text
    if lang == "zh":
        return f"{text}{'倍' if str(unit).startswith('倍') else unit}"
    name = unit_name(unit, "en")
    return f"{text}{name}" if name in ("%", "‰") else f"{text} {name}"


def value_text(value, unit="", when=None, qualifier: str = "", lang: str = "zh", *,
               show_unit: bool = False) -> str:
    """One observed value as a table cell: number (decimals by unit), qualifier, year.

    >>> value_text(116.3, "万人", 2023), value_text(80, "岁", 2024, ">", "en")
    ('116.3（2023年）', '>80 (2024)')
    >>> value_text(74.2, "%", 2023, show_unit=True), value_text(float("nan"), "%", 2023)
    ('74.2%（2023年）', '—')
    """
    text = number(value, unit, qualifier=qualifier)
    if show_unit:
        text = with_unit(text, unit, lang)
    return with_year(text, when, lang)


def group_digits(text: str) -> str:
    """Numbers of five digits or more inside a text grouped in thousands (years untouched).

    >>> group_digits("2020年52397元，目标52600元"), group_digits("sum 2021,2022 = 234.6; 1.23456")
    ('2020年52,397元，目标52,600元', 'sum 2021,2022 = 234.6; 1.23456')
    """
    if not isinstance(text, str):
        return text
    return _LONG_RUN.sub(lambda m: f"{int(m.group(1)):,}", text)


def printed(cell) -> str:
    """A printed cell of the plan's table, verbatim but for digit grouping; blank → ``—``.

    >>> printed("52600"), printed("〔400〕"), printed(""), printed("6(2019年)")
    ('52,600', '〔400〕', '—', '6(2019年)')
    """
    if is_missing(cell) or str(cell).strip() in ("-", "—"):
        return MISSING
    return group_digits(str(cell))


def rounded(value, unit: str = "", *, digits: int | None = None) -> float | None:
    """A value as a number cell holds it: rounded to the decimals :func:`number` shows (by unit),
    ``None`` when missing — so a workbook never holds ``-0.7092499999999999``.

    >>> rounded(-0.7092499999999999, "%"), rounded(116.34, "万人"), rounded(float("nan")), rounded(52397.4, "元")
    (-0.71, 116.3, None, 52397.0)
    """
    if is_missing(value):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if math.isinf(x):
        return None
    places = _decimals(unit) if digits is None else digits
    x = round(x, places)
    return 0.0 if x == 0 else x


def excel_format(value, unit: str = "", *, digits: int | None = None) -> str:
    """The spreadsheet number format that shows a number cell as :func:`number` writes it: the
    decimals the value needs up to its unit's, thousands grouped from 10,000 (``General`` when
    missing).

    >>> excel_format(74.2, "%"), excel_format(52397, "元"), excel_format(4355, "万人"), excel_format(0.0164, "人/亿元")
    ('0.0', '#,##0', '0', '0.000')
    >>> excel_format(12345.67), excel_format(None)
    ('#,##0.00', 'General')
    """
    text = number(value, unit, digits=digits)
    if text == MISSING or is_missing(value):
        return "General"
    _, _, frac = text.partition(".")
    whole = "#,##0" if abs(float(value)) >= _GROUP_FROM else "0"
    return whole + ("." + "0" * len(frac) if frac else "")
