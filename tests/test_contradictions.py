"""The contradiction checks catch each defect issue 14 lists when it is put back.

Each test builds a page in process (the tables and front page the review writes), checks that it
is clean, then puts one old behaviour back (monkeypatched) and checks that the same check fails.
The slow test (tests/test_report_pages.py) runs these checks on every page of real reviews.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from plananalysis.context import review_context
from plananalysis.present import glossary, signals
from plananalysis.present import format as fmt
from plananalysis.present import tables as tables_module
from plananalysis.present.page import page_shell
from plananalysis.present.show import table_bundle
from plananalysis.present.tables import progress_view, style_progress

from .contradictions import check_page
from .pages import read_page


def _page(bodies: list[str], lang: str) -> str:
    return page_shell("test", "".join(bodies), lang)


def _problems(html: str, review, *, base=None, end=None) -> list[str]:
    plan = review.plan
    return check_page(read_page("test.html", html), lang=review.lang, phase=review.params.phase,
                      base_year=base or plan.base_year, end_year=end or plan.target_year)


def _overview_lists(review) -> str:
    behind, ahead = review.extremes(5)
    return _page([table_bundle(behind, name="behind", lang=review.lang)["text/html"],
                  table_bundle(ahead, name="ahead", lang=review.lang)["text/html"]], review.lang)


@pytest.mark.parametrize("as_of, lang", [(2023, "zh"), (2025, "en")])
def test_most_behind_and_furthest_ahead_lists(monkeypatch, as_of, lang):
    review = review_context(as_of=as_of, lang=lang)
    assert _problems(_overview_lists(review), review) == []

    def by_pace(progress, n=5, ascending=True):  # the old lists: every rated row, sorted by q
        rated = progress.dropna(subset=["pace_ratio"])
        return rated.sort_values("pace_ratio", ascending=ascending).head(n)

    monkeypatch.setattr(signals, "most_behind", lambda p, n=5: by_pace(p, n))
    monkeypatch.setattr(signals, "furthest_ahead", lambda p, n=5: by_pace(p, n, ascending=False))
    found = _problems(_overview_lists(review), review)
    assert any("among the most behind" in p or "among the furthest ahead" in p for p in found), found


def test_a_final_review_with_projections(monkeypatch):
    review = review_context(as_of=2025, lang="en")
    html = _page([table_bundle(style_progress(review.progress, "en"), name="indicators", lang="en")["text/html"]], "en")
    assert _problems(html, review) == []
    # the old table: the mid-term's projection column kept in the final review
    # (every row's projection said "likely met": since issue 19 no row without a verdict has one of its own)
    old = review.progress.assign(phase="midterm", is_projected_met=True)
    monkeypatch.setattr(signals, "projection", lambda row, lang="zh", row_tone=None: (
        fmt.MISSING if fmt.is_missing(row.get("is_projected_met")) else
        ("likely met" if row["is_projected_met"] else "unlikely")))
    html = _page([table_bundle(style_progress(old, "en"), name="indicators", lang="en")["text/html"]], "en")
    found = _problems(html, review)
    assert any("projection column" in p for p in found)
    # a row with no verdict to lean on (no data, or lagging) marked "likely met" beside it
    assert any(("'No data' marked 'likely met'" in p or "'Not completed' marked 'likely met'" in p) for p in found), found


def test_a_header_naming_the_wrong_years():
    review = review_context(as_of=2023)
    table = review.retrospective_table
    period = review.plan.info.previous["period"]
    right = style_progress(table, "zh", base_year=period["base_year"], target_year=period["end"])
    html = _page([table_bundle(right, name="indicators")["text/html"]], "zh")
    assert _problems(html, review, base=period["base_year"], end=period["end"]) == []
    # the old headers: this plan's base and target years over the previous plan's columns
    wrong = style_progress(table, "zh", base_year=review.plan.base_year, target_year=review.plan.target_year)
    html = _page([table_bundle(wrong, name="indicators")["text/html"]], "zh")
    found = _problems(html, review, base=period["base_year"], end=period["end"])
    assert any("names" in p and "base year" in p for p in found), found


def test_chinese_left_on_an_english_page(monkeypatch):
    review = review_context(as_of=2025, lang="en")
    html = _page([table_bundle(style_progress(review.progress, "en"), name="indicators", lang="en")["text/html"]], "en")
    assert _problems(html, review) == []
    # the old English table: units and target wording as printed
    monkeypatch.setattr(glossary, "target_wording", lambda printed, lang="en", unit="": str(printed))
    monkeypatch.setattr(glossary, "unit_name", lambda unit, lang="zh": "" if unit is None else str(unit))
    html = _page([table_bundle(style_progress(review.progress, "en"), name="indicators", lang="en")["text/html"]], "en")
    found = _problems(html, review)
    assert any("Chinese outside a name" in p and "左右" in p for p in found), found


def test_the_audit_as_a_machine_table(monkeypatch):
    review = review_context(as_of=2023)
    view = tables_module.audit_view(review.audit_table, "zh", review.plan)
    assert _problems(_page([table_bundle(view, name="findings")["text/html"]], "zh"), review) == []
    # the old audit page: the engine's columns as they are, cells printed as they come
    monkeypatch.setattr(tables_module, "html_cell", lambda value, lang="zh", name=False: str(value))
    found = _problems(_page([table_bundle(review.audit_table, name="findings")["text/html"]], "zh"), review)
    assert any("'nan'" in p for p in found), found[:5]
    assert any("English on a Chinese page" in p and "finding_id" in p for p in found)


def test_a_status_shown_beside_a_number_that_says_otherwise(monkeypatch):
    review = review_context(as_of=2023)
    html = _page([table_bundle(style_progress(review.progress), name="indicators")["text/html"]], "zh")
    assert _problems(html, review) == []
    original = signals.signal

    def p_not_q(row, lang="zh"):  # the old view: P beside a status that rests on the pace
        out = original(row, lang)
        if out["measure"] == "q":
            out["shown"] = f"q={fmt.pace(row['completion_share'] / 0.6)}" if not math.isnan(row["completion_share"]) else ""
        return out

    monkeypatch.setattr(signals, "signal", p_not_q)
    html = _page([table_bundle(style_progress(review.progress), name="indicators")["text/html"]], "zh")
    found = _problems(html, review)
    # (新增城镇就业人数 now rests on 2021–2023, E = 0.6: P/0.6 is its q; the rows with E ≠ 0.6 show it)
    assert any("文化及相关产业增加值占GDP比重" in p and "快于预期" in p for p in found), found


def test_checks_read_headers_of_a_bare_dataframe():
    review = review_context(as_of=2023)
    view = progress_view(review.progress)
    assert list(view.columns)[3:5] == [f"{review.plan.base_year}年基期", f"{review.plan.target_year}年目标"]
    assert isinstance(tables_module.plain(pd.DataFrame({"a": [1]})).to_html(), str)
