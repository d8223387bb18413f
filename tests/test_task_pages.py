"""Issue 20, items 5 and 6: the tasks beside the numbers (chapter pages, the scorecard app, the
front page's line on tasks) and what changed (``--compare``: the one comparison, ``changes.csv``,
``results.csv``, the front page's section).

In process from the review's context; one chapter notebook runs for real (papermill) on a copy of
the plan folder holding TEST statements (written here, clearly not real returns), and its page is
looked at in headless Chromium (test-artifacts/chapter-tasks-*.png).
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from plananalysis.context import review_context
from plananalysis.observed.statements import COLUMNS, STATEMENTS_FILE
from plananalysis.params import ReviewParameterError, validate
from plananalysis.present.changes import (CHANGE_COLUMNS, SNAPSHOT_COLUMNS, changes_data, compare,
                                          read_snapshot, snapshot)
from plananalysis.present.task_view import tasks_counts, tasks_html, tasks_line

from .browser import ARTIFACTS, chromium, offline_page
from .conftest import ROOT

MARK = "【测试数据，非真实报送】"
#: TEST statements: a 专栏 action of chapter 9 behind schedule (its text holds markup that must stay
#: text), a chapter 3 section done, a chapter 9 section not started
STATEMENTS = [
    ("ch09-z13-02", "滞后", f"{MARK}完成年度计划的60%<b>不是标记</b>", "新增床位1200张（2023年）", "用地指标不足",
     "测试文件A", "civil-affairs", "2024-03-01", "a" * 64, "department"),
    ("ch03-s01", "已完成", f"{MARK}战略已制定", "", "", "测试文件B", "health", "2024-02-15", "b" * 64, "department"),
    ("ch09-s01", "未启动", f"{MARK}尚未启动", "", "", "", "civil-affairs", "2024-03-02", "", "analyst"),
]


@pytest.fixture(scope="module")
def statements_plan(tmp_path_factory):
    """A copy of the default plan folder with the TEST statements."""
    import shutil

    from .conftest import PLAN_DIR

    folder = tmp_path_factory.mktemp("plan") / "zj-social-14th"
    shutil.copytree(PLAN_DIR, folder)
    lines = [",".join(COLUMNS)] + [",".join(f'"{v}"' for v in row) for row in STATEMENTS]
    (folder / STATEMENTS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


# ---------------------------------------------------------------- the comparison, by hand


def _row(kind, id_, status_id, value=math.nan, year=None, latest="", source="", name=None, reason="r"):
    return {"kind": kind, "id": id_, "name": name or id_.upper(), "status_id": status_id, "status": status_id.upper(),
            "value": value, "year": year, "latest": latest, "reason": reason, "source": source}


def test_compare_hand_made_tables():
    before = pd.DataFrame([
        _row("indicator", "a", "on_track", 10.0, 2023, "10 (2023)", "bulletin 2023"),
        _row("indicator", "b", "behind", 5.0, 2024, "5 (2024)", "bulletin 2024"),
        _row("target", "t1", "no_data"),
        _row("target", "t2", "met", 3.0, 2024, "3 (2024)", "s"),
        _row("task", "k1", "", latest=""),
        _row("task", "k2", "序时推进", latest="2024-01-01", source="Health"),
        _row("indicator", "gone", "behind", 1.0, 2023),
    ], columns=SNAPSHOT_COLUMNS)
    after = pd.DataFrame([
        # a new value (2025) moves the verdict
        _row("indicator", "a", "exceeded", 12.0, 2025, "12 (2025)", "bulletin 2025"),
        # the same year corrected (5 → 6), the verdict moves
        _row("indicator", "b", "on_track", 6.0, 2024, "6 (2024)", "yearbook 2024"),
        # a first value, the verdict moves from no data
        _row("target", "t1", "met", 7.0, 2024, "7 (2024)", "report"),
        # nothing changed
        _row("target", "t2", "met", 3.0, 2024, "3 (2024)", "s"),
        # a first statement and a status that moved
        _row("task", "k1", "滞后", latest="2025-02-01", source="Civil Affairs", reason="late"),
        _row("task", "k2", "已完成", latest="2025-03-01", source="Health"),
        # only in the new table: not a change
        _row("indicator", "new", "met", 1.0, 2025),
    ], columns=SNAPSHOT_COLUMNS)
    found = compare(before, after, "en")
    assert found.columns.tolist() == CHANGE_COLUMNS
    got = found[["change", "id", "before", "after", "why", "source"]].values.tolist()
    assert got == [
        ["verdict", "a", "ON_TRACK", "EXCEEDED", "new value: 12 (2025)", "bulletin 2025"],
        ["verdict", "b", "BEHIND", "ON_TRACK", "corrected value: 5 (2024) → 6 (2024)", "yearbook 2024"],
        ["verdict", "t1", "NO_DATA", "MET", "new value: 7 (2024)", "report"],
        ["new_value", "a", "10 (2023)", "12 (2025)", "", "bulletin 2025"],
        ["new_value", "t1", "—", "7 (2024)", "", "report"],
        ["corrected_value", "b", "5 (2024)", "6 (2024)", "", "yearbook 2024"],
        ["task", "k1", "not reported", "滞后", "late", "Civil Affairs 2025-02-01"],
        ["task", "k2", "序时推进", "已完成", "r", "Health 2025-03-01"],
    ]
    assert compare(after, after).empty
    data = changes_data(found, "en")
    assert data.columns.tolist() == ["Change", "Kind", "Name", "Before", "Now", "Why", "Source"]
    assert data["Change"].tolist()[:1] == ["Verdict changed"] and data["Kind"].tolist()[-1] == "Task"


# ---------------------------------------------------------------- --compare 2023 on the 2025 review


def test_compare_2023_lists_the_status_changes(tmp_path):
    from plananalysis.publish.export import write_changes

    final = review_context(as_of=2025, compare="2023")
    old = review_context(as_of=2023).results.set_index(["kind", "id"])
    new = final.results
    expected = [r["id"] for _, r in new.iterrows()
                if (r["kind"], r["id"]) in old.index and old.loc[(r["kind"], r["id"]), "status_id"] != r["status_id"]]
    changes = final.changes
    verdicts = changes[changes["change"] == "verdict"]
    assert verdicts["id"].tolist() == expected and expected
    # the headline indicator rows are the Word document's 与中期评估相比, in the same order
    from plananalysis.publish.document import since_midterm

    table = since_midterm(final)
    assert table.iloc[:, 0].tolist() == verdicts[verdicts["kind"] == "indicator"]["name"].tolist()
    # a final review compares with its mid-term by default: the same rows
    assert review_context(as_of=2025).changes.equals(changes)
    # a verdict that moved with a new value says so and names its source
    row = verdicts[verdicts["why"].str.startswith("新数据")].iloc[0]
    assert row["source"] and row["after"] == new.set_index("id").loc[row["id"], "label"]
    # changes.csv (UTF-8 with BOM) holds exactly these rows; results.csv the snapshot
    write_changes(tmp_path, final)
    raw = (tmp_path / "changes.csv").read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    written = pd.read_csv(tmp_path / "changes.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(written) == len(changes)
    assert written["名称"].tolist() == changes["name"].tolist()
    assert written["变化"].value_counts().get("评估结论变化", 0) == len(expected)
    stored = read_snapshot(tmp_path / "results.csv")
    assert stored["id"].tolist() == snapshot(final)["id"].tolist()


def test_compare_with_the_previous_run(tmp_path):
    """The stored results.csv of a run is what --compare previous reads: unchanged, nothing to
    say; a value corrected by hand in it, the verdict and the correction are listed."""
    from plananalysis.publish.export import write_changes
    from plananalysis.run.review import previous_run

    review = review_context(as_of=2023)
    write_changes(tmp_path, review)
    assert not (tmp_path / "changes.csv").exists()          # a mid-term compares with nothing by default
    stored = tmp_path / "results.csv"
    again = review_context(as_of=2023, compare=str(stored))
    assert again.changes.empty
    frame = pd.read_csv(stored, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    i = frame.index[frame["id"] == "urban_new_jobs"][0]
    frame.loc[i, ["status_id", "status", "value", "latest"]] = ["behind", "滞后（旧）", "100.0", "100（2023年）"]
    frame.to_csv(stored, index=False, encoding="utf-8-sig")
    changed = review_context(as_of=2023, compare=str(stored)).changes
    assert changed[["change", "id", "before"]].values.tolist() == [
        ["verdict", "urban_new_jobs", "滞后（旧）"], ["corrected_value", "urban_new_jobs", "100（2023年）"]]
    assert changed["source"].iloc[1] == "2023年浙江省国民经济和社会发展统计公报"
    # the runner resolves "previous" to that file, or says the review has not run
    reports = tmp_path / "reports"
    params = validate(as_of=2023)
    with pytest.raises(ReviewParameterError, match="compare"):
        previous_run(params, reports)
    from plananalysis.run.review import review_folder

    folder = review_folder(params, reports)
    folder.mkdir(parents=True)
    (folder / "results.csv").write_bytes(stored.read_bytes())
    assert previous_run(params, reports).compare == str((folder / "results.csv").resolve())


def test_compare_parameter_is_checked():
    assert validate(as_of=2025, compare=2023).compare == "2023"
    for bad in ("2025", "2031", "last", "/etc/passwd"):
        with pytest.raises(ReviewParameterError, match="compare"):
            validate(as_of=2025, compare=bad)
    # on the command line: one line, exit 2, nothing run
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "plananalysis.run.cli", "review", "--as-of", "2025", "--compare", "2030",
                             "--reports-dir", "/nonexistent-reports"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and "compare" in result.stderr and "Traceback" not in result.stderr


def test_front_page_of_a_final_review_says_what_changed():
    from plananalysis.present.frontpage import front_page

    review = review_context(as_of=2025, lang="en")
    body = front_page(review, [])
    assert 'id="changes"' in body and "Since the mid-term" in body
    verdicts = int((review.changes["change"] == "verdict").sum())
    assert f"{verdicts} verdicts changed" in body
    assert 'id="changes"' not in front_page(review_context(as_of=2023, lang="en"), [])


# ---------------------------------------------------------------- tasks beside the numbers


def test_chapter_tasks_show_the_statements(statements_plan):
    review = review_context(plan=str(statements_plan), as_of=2023)
    page = tasks_html(review, 9)
    assert f"{MARK}完成年度计划的60%&lt;b&gt;不是标记&lt;/b&gt;" in page and "<b>不是标记" not in page
    assert "省民政厅" in page and "滞后" in page and "未启动" in page and "未报送" in page
    assert "战略已制定" not in page            # a chapter 3 statement is not on chapter 9's page
    assert f"{MARK}战略已制定" in tasks_html(review, 3)
    tasks = review.plan.tasks
    assert page.count("<tr data-status=") == int((tasks["chapter"].astype(int) == 9).sum())
    english = tasks_html(review_context(plan=str(statements_plan), as_of=2023, lang="en"), 9)
    shown = re.sub(r"<[^>]+>", "", english)   # what a reader sees (a status id may stand in an attribute)
    assert "behind schedule" in shown and "not reported" in shown and "滞后" not in shown


def test_front_page_line_counts_the_tasks(statements_plan):
    review = review_context(plan=str(statements_plan), as_of=2023)
    tasks = review.plan.tasks
    counts = tasks_counts(review)
    leads = tasks["department_id"].fillna("")
    assert counts["total"] == len(tasks) and counts["reported"] == 3 and counts["late"] == 2
    # by the lead department of tasks.csv: civil affairs leads ch09-z13-02 (reported), health
    # leads ch03-s01 and ch09-s01 (both reported)
    assert counts["owing"]["省民政厅"] == int((leads == "civil-affairs").sum()) - 1
    assert counts["owing"].get("省卫生健康委", 0) == int((leads == "health").sum()) - 2
    line = tasks_line(review)
    assert f"重点任务：{len(tasks)}项中已报告进展3项，其中滞后或未启动2项" in line
    from plananalysis.present.frontpage import front_page

    assert 'id="tasks-line"' in front_page(review, [])
    english = tasks_line(review_context(plan=str(statements_plan), as_of=2023, lang="en"))
    assert f"Tasks: 3 of {len(tasks)} reported, 2 behind schedule or not started" in english


def test_a_plan_without_tasks_shows_no_line():
    review = review_context(plan="tests/data/plans/hz-demo", as_of=2023)
    if len(review.plan.tasks):
        pytest.skip("the fixture plan has tasks")
    assert tasks_line(review) == "" and tasks_html(review, None) == ""


def test_scorecard_app_shows_a_chapters_tasks():
    from plananalysis.widgets.scorecard import chapter_tasks_html

    page = chapter_tasks_html(2025, 9, "en")
    assert 'id="tasks"' in page and "Progress of the tasks" in page
    assert chapter_tasks_html(2025, None, "en") == ""


def test_chapter_page_with_tasks_in_the_browser(statements_plan, tmp_path):
    """The chapter notebook run for real on the plan copy; its page shows the tasks table with
    the TEST statement, looked at in Chromium (test-artifacts/chapter-tasks-*.png)."""
    import papermill as pm

    from plananalysis.publish.export import export_html

    out = tmp_path / "chapter-09.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "chapter.ipynb"), str(out), progress_bar=False,
                        kernel_name="python3", cwd=str(ROOT),
                        parameters={"chapter": 9, "as_of": 2023, "plan": str(statements_plan)})
    page_path = export_html(out, tmp_path / "chapter-09.html", title="第九章")
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        page, blocked = offline_page(browser)
        page.goto(page_path.as_uri())
        section = page.locator("#tasks")
        assert section.count() == 1
        text = section.inner_text()
        assert f"{MARK}完成年度计划的60%<b>不是标记</b>" in text and "省民政厅" in text
        late = page.locator("#tasks td.pa-late").all_inner_texts()
        assert late == ["未启动", "滞后"]         # ch09-s01, then 专栏13之2, in the plan's order
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(ARTIFACTS / "chapter-tasks-2023-zh.png"))
        assert not blocked
