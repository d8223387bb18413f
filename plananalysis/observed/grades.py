"""Evidence grades: the one vocabulary of what an observed value rests on (issue 19).

The table is data, ``data/methods/evidence_grades.csv`` (see ``data/methods/README.md``):
official release (官方发布), department return (部门报送), reprint (转载), news report
(媒体报道), analyst-entered (分析人员录入), derived (推算), and the separate flag
preliminary (初步核算).

Each value's grade is the one its row states (``evidence_grade``), else the one its
``source_quality`` maps onto; a ``department`` source is always a department return.

>>> grade_for("reprint"), grade_for("secondary"), grade_for("user"), grade_for("media", "official")
('reprint', 'reprint', 'analyst', 'official')
>>> grade_for("department", "reprint")          # a department's return is a department return
'department'
>>> is_preliminary("preliminary; as reported in 2026"), is_preliminary("初步核算数"), is_preliminary("final")
(True, True, False)
>>> weakest(["official", "reprint", "media"]), weakest([])
('media', '')
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError

__all__ = ["GRADES_PATH", "grades", "grade_for", "parse_grade", "is_preliminary", "weakest",
           "is_official", "to_confirm", "grade_label", "grade_phrase", "with_grades"]

GRADES_PATH = Path(__file__).resolve().parents[2] / "data" / "methods" / "evidence_grades.csv"
_PRELIMINARY = re.compile(r"初步|preliminary", re.IGNORECASE)


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    table = pd.read_csv(GRADES_PATH, dtype=str, keep_default_na=False, encoding="utf-8")
    for row, r in enumerate(table.to_dict("records"), start=2):
        for column in ("is_official", "to_confirm"):
            if r[column] not in ("true", "false"):
                raise PlanDataError(GRADES_PATH, row, column, r[column], "true 或 false")
    table["order"] = table["order"].astype(int)
    for column in ("is_official", "to_confirm"):
        table[column] = table[column] == "true"
    return table


def grades() -> pd.DataFrame:
    """The grade table (a copy), strongest first.

    >>> grades()["label_zh"].tolist()
    ['官方发布', '部门报送', '转载', '媒体报道', '分析人员录入', '推算', '初步核算']
    """
    return _table().sort_values("order").reset_index(drop=True).copy()


@lru_cache(maxsize=1)
def _by_code() -> dict:
    return {r["code"]: r for r in _table().to_dict("records") if r["kind"] == "grade"}


@lru_cache(maxsize=1)
def _by_quality() -> dict:
    return {q: code for code, r in _by_code().items() for q in r["source_qualities"].split()}


def parse_grade(text) -> str:
    """A grade from a cell: a code or its Chinese or English name; ``""`` for a blank cell.

    >>> parse_grade("转载"), parse_grade(" department return "), parse_grade("")
    ('reprint', 'department', '')
    >>> parse_grade("rumour")
    Traceback (most recent call last):
    ...
    ValueError: 证据等级之一 (one of official, department, reprint, media, analyst, derived)
    """
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not s:
        return ""
    for code, r in _by_code().items():
        if s.lower() in (code, r["label_en"].lower()) or s in (r["label_zh"], r["phrase_zh"]):
            return code
    raise ValueError("证据等级之一 (one of " + ", ".join(_by_code()) + ")")


def grade_for(source_quality: str, stated: str = "") -> str:
    """The grade of one value: a department source → ``department``; else the stated grade;
    else the one its ``source_quality`` maps onto (``analyst`` for an unknown one).

    >>> grade_for("plan"), grade_for("unsourced"), grade_for("user", "derived")
    ('official', 'analyst', 'derived')
    """
    if source_quality == "department":
        return "department"
    if source_quality == "what-if":      # an assumed value (explore.with_value): no evidence, no grade
        return ""
    if stated:
        return stated
    return _by_quality().get(str(source_quality or ""), "analyst")


def is_preliminary(period_note) -> bool:
    """Whether a value's ``period_note`` marks it preliminary (初步 / preliminary).

    >>> is_preliminary("Preliminary"), is_preliminary("")
    (True, False)
    """
    return bool(_PRELIMINARY.search(str(period_note or "")))


def weakest(codes) -> str:
    """The weakest of some grades (the one a verdict resting on all of them carries).

    >>> weakest(["official", "department"]), weakest(["", "derived", "reprint"])
    ('department', 'derived')
    """
    known = [c for c in codes if c in _by_code()]
    return max(known, key=lambda c: _by_code()[c]["order"]) if known else ""


def is_official(code: str) -> bool:
    """Whether a grade counts as official or department data.

    >>> is_official("department"), is_official("reprint"), is_official("")
    (True, False, False)
    """
    return bool(_by_code().get(code, {}).get("is_official", False))


def to_confirm(code: str) -> bool:
    """Whether a value of this grade is to be confirmed by its department (转载, 媒体报道).

    >>> to_confirm("reprint"), to_confirm("media"), to_confirm("official"), to_confirm("analyst")
    (True, True, False, False)
    """
    return bool(_by_code().get(code, {}).get("to_confirm", False))


def grade_label(code: str, language: str = "zh") -> str:
    """The grade's name (``''`` for no grade).

    >>> grade_label("media"), grade_label("media", "en"), grade_label("")
    ('媒体报道', 'news report', '')
    """
    row = _by_code().get(code)
    return "" if row is None else row["label_en" if language == "en" else "label_zh"]


def grade_phrase(code: str, language: str = "zh") -> str:
    """The grade's word inside a verdict's label (据2021年**转载**数据 / on 2021 **reprinted** data).

    >>> grade_phrase("reprint"), grade_phrase("reprint", "en"), grade_phrase("media", "en")
    ('转载', 'reprinted', 'news-reported')
    """
    row = _by_code().get(code)
    return "" if row is None else row["phrase_en" if language == "en" else "phrase_zh"]


def with_grades(frame: pd.DataFrame) -> pd.DataFrame:
    """The observed frame with ``evidence_grade`` filled on every row and ``is_preliminary``.

    >>> frame = pd.DataFrame({"source_quality": ["official", "reprint", "user"],
    ...                       "evidence_grade": ["", "", "derived"], "period_note": ["", "preliminary", ""]})
    >>> with_grades(frame)[["evidence_grade", "is_preliminary"]].values.tolist()
    [['official', False], ['reprint', True], ['derived', False]]
    """
    frame = frame.copy()
    quality = frame["source_quality"] if "source_quality" in frame.columns else pd.Series("", index=frame.index)
    stated = frame["evidence_grade"] if "evidence_grade" in frame.columns else pd.Series("", index=frame.index)
    text = lambda column: ["" if pd.isna(v) else str(v) for v in column]   # noqa: E731
    frame["evidence_grade"] = [grade_for(q, s) for q, s in zip(text(quality), text(stated))]
    notes = frame["period_note"] if "period_note" in frame.columns else pd.Series("", index=frame.index)
    frame["is_preliminary"] = [is_preliminary(n) for n in notes]
    return frame
