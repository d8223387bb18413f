"""One results table per review: every figure an output shows, decided once.

The engine judges (:mod:`plananalysis.engine.progress`, :mod:`plananalysis.engine.targets`); this
module turns its rows into what every output prints — the status (its label as the engine words
it, the label without its data year, symbol, colour, tone), the number the verdict rests on, P, E
and q, the latest value and year, the projection and the reason — so the pages, the front page,
the workbook, the Word document, the PDF, the static scorecard, the apps and the CSVs never work
them out again.  A review builds it once (:attr:`plananalysis.context.ReviewContext.results`).

The rules, one place each:

- **P** (completion) is shown for every judged row with a path; a row without a verdict (无数据)
  shows no P, E or q, whatever the engine could compute from a partial period;
- **E** is the share of time the verdict compares P with: the plan period gone by, or, for a
  five-year sum with years missing, the share of the years with data (``E_note`` says so), so
  that **q = P/E** wherever both are shown; a final review shows no E and no q;
- the **latest value** is printed by one formatter (:func:`plananalysis.present.format.number`);
- the **sources** of a review are the distinct sources (a link, or a title where there is none)
  of the observed values up to its year (:func:`source_counts`).

>>> from plananalysis.context import review_context
>>> table = review_context(as_of=2023).results.set_index("id")
>>> row = table.loc["urban_new_jobs"]
>>> row["label"], fmt.share(row["P"]), fmt.share(row["E"]), fmt.pace(row["q"]), row["E_note"]
('快于预期（据媒体报道数据，待核实）', '79%', '60%', '1.32', '')
>>> final = review_context(as_of=2025).results.set_index("id")
>>> final.loc["urban_new_jobs", "tone"] == "no_data" or not fmt.is_missing(final.loc["urban_new_jobs", "P"])
True
"""

from __future__ import annotations

import math

import pandas as pd

from . import format as fmt
from .signals import signals, status_table
from .targets import _value_text

__all__ = ["COLUMNS", "results_table", "source_counts", "source_key", "undated_labels"]

#: The results table's columns (one row per headline indicator, then one per catalogue target).
COLUMNS = ["kind", "id", "indicator_id", "no", "name", "chapter", "unit", "status_id", "label", "undated",
           "symbol", "colour", "tone", "measure", "shown", "meaning", "P", "E", "E_note", "q",
           "latest_value", "latest_year", "qualifier", "latest", "latest_text", "projected", "reason"]


def undated_labels(method: str, phase: str, lang: str = "zh") -> dict[str, str]:
    """Status id → its label without a data year (the legend's; counts are kept by it).

    >>> undated_labels("cn-schedule", "final")["estimated_completed"]
    '预计完成'
    """
    table = status_table(method, phase)
    return dict(zip(table["status_id"], table["label_en" if lang == "en" else "label_zh"]))


from ..values import finite_number as _number  # one reading of a number cell


def results_table(table: pd.DataFrame, lang: str = "zh", *, kind: str = "indicator") -> pd.DataFrame:
    """The results of a progress table (the engine's rows, indicators or targets), one row each,
    in its order (see the module's docstring for the rules).

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2025, lang="en")
    >>> rows = results_table(review.progress, "en").set_index("id")
    >>> rows.loc["urbanisation_rate", ["label", "shown", "latest"]].tolist()
    ['Exceeded (preliminary, on reprinted data, to be confirmed)', 'P=125%', '≈76 (2025)']
    >>> bool(rows["E"].isna().all()) and bool(rows["q"].isna().all())    # a final review: P only
    True
    """
    table = table.reset_index(drop=True)
    found = signals(table, lang)
    if len(table):
        method, phase = str(table["method"].iloc[0]), str(table["phase"].iloc[0])
    else:
        method, phase = "cn-schedule", "midterm"
    undated = undated_labels(method, phase, lang)
    final = phase == "final"
    rows = []
    for i, row in table.iterrows():
        sig = found.loc[i]
        judged = sig["tone"] != "no_data"
        p = _number(sig["done"]) if judged else math.nan
        e = _number(sig["mark"]) if judged and not final else math.nan
        q = _number(row.get("pace_ratio")) if judged and not final and sig["measure"] == "q" else math.nan
        if fmt.is_missing(p) or fmt.is_missing(e):
            q = math.nan if fmt.is_missing(q) or fmt.is_missing(p) else q
        name_en = row.get("name_en")
        name = (name_en if lang == "en" and not fmt.is_missing(name_en) else row.get("name_zh"))
        if kind == "target":
            subject = row.get("subject_en" if lang == "en" else "subject_zh")
            name = subject if not fmt.is_missing(subject) and str(subject) else name
        qualifier = row.get("latest_qualifier")
        qualifier = qualifier if isinstance(qualifier, str) else ""
        value, year, unit = _number(row.get("latest_value")), row.get("latest_year"), row.get("unit")
        year = None if fmt.is_missing(year) or str(year) == "" else int(float(year))
        rows.append({
            "kind": kind,
            "id": row.get("target_id") if kind == "target" else row.get("indicator_id"),
            "indicator_id": row.get("indicator_id") or "",
            "no": "" if fmt.is_missing(row.get("no")) else str(row.get("no")),
            "name": "" if fmt.is_missing(name) else str(name),
            "chapter": None if fmt.is_missing(row.get("chapter")) or row.get("chapter") == "" else int(float(row.get("chapter"))),
            "unit": unit if isinstance(unit, str) else "",
            "status_id": sig["status_id"], "label": sig["label"],
            "undated": undated.get(sig["status_id"], sig["label"]),
            "symbol": sig["symbol"], "colour": sig["colour"], "tone": sig["tone"],
            "measure": sig["measure"], "shown": sig["shown"], "meaning": sig["meaning"],
            "P": p, "E": e, "E_note": sig["bar_note"] if not fmt.is_missing(e) else "", "q": q,
            "latest_value": value, "latest_year": year, "qualifier": qualifier,
            "latest": fmt.value_text(value, unit, year, qualifier, lang),
            "latest_text": _value_text({"latest_value": value, "latest_qualifier": qualifier, "unit": unit}, lang),
            "projected": sig["projected"], "reason": sig["reason"],
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["latest_year"] = pd.array([None if fmt.is_missing(y) else int(y) for y in frame["latest_year"]]
                                    if len(frame) else [], dtype="Int64")
    frame["chapter"] = pd.array([None if fmt.is_missing(c) else int(c) for c in frame["chapter"]]
                                if len(frame) else [], dtype="Int64")
    return frame


def source_key(url, title) -> str:
    """A source as one key: its link, or its title where it has none.

    >>> source_key("https://tjj.zj.gov.cn/x.html", "公报"), source_key("", " 公报 "), source_key(None, None)
    ('https://tjj.zj.gov.cn/x.html', '公报', '')
    """
    url = "" if fmt.is_missing(url) else str(url).strip()
    return url or ("" if fmt.is_missing(title) else str(title).strip())


def source_counts(observed: pd.DataFrame, as_of: int) -> dict:
    """``{"values": n, "sources": n}``: the observed values a review rests on (those up to its
    year) and their distinct sources (:func:`source_key`) — the one count every output prints.

    >>> observed = pd.DataFrame({"year": [2021, 2022, 2024], "source_url": ["a", "", ""],
    ...                          "source_title": ["A", "B", "C"]})
    >>> source_counts(observed, 2023)
    {'values': 2, 'sources': 2}
    """
    rows = observed[pd.to_numeric(observed["year"], errors="coerce") <= as_of]
    keys = {source_key(u, t) for u, t in zip(rows["source_url"], rows["source_title"])} - {""}
    return {"values": int(len(rows)), "sources": len(keys)}
