"""Departments report progress on their tasks through the data loop (issue 20, item 2).

A department's request workbook carries the sheet 重点任务进展 (its lead tasks); filled here as a
department would — every text is test data, marked 【测试数据】, never a real return — it goes back
in with ``data import``, and each statement is stored with its provenance.  Each bad return is
refused with one clear error (file, sheet, cell, value, expected) and leaves every file as it was.

Every test works in a copy of ``data/`` that the environment points at (nothing shipped changes).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from plananalysis.errors import PlanDataError
from plananalysis.observed.columns import STATEMENT_LIMITS, TASK_SHEET, TASK_SHEET_HEADER
from plananalysis.observed.importer import import_observed
from plananalysis.observed.requests import write_requests
from plananalysis.observed.statements import STATEMENTS_FILE, current_statements, load_statements
from plananalysis.observed.task_reports import all_statements, record_statement, undo_statement
from plananalysis.plan.folder import load_plan
from plananalysis.run.cli import main as cli_main

from .conftest import DATA, tree_hash

DUE, TODAY = datetime.date(2026, 3, 31), datetime.date(2026, 2, 1)
COLUMN = {name: i + 1 for i, name in enumerate(TASK_SHEET_HEADER)}
TEST = "【测试数据】"


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """A copy of data/ that the environment points at; returns the plan's folder."""
    shutil.copytree(DATA, tmp_path / "data",
                    ignore=shutil.ignore_patterns("user.csv", "backups", ".import.lock", STATEMENTS_FILE.name))
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "plans" / "zj-social-14th"


@pytest.fixture
def requests(sandbox, tmp_path) -> Path:
    out = tmp_path / "requests"
    write_requests(out, as_of=2025, due=DUE, today=TODAY, departments=["edu", "water"])
    return out


def row_of(sheet, task_id) -> int:
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, COLUMN["任务编号"]).value == task_id:
            return row
    raise KeyError(task_id)


def report(sheet, task_id, status="序时推进", text=f"{TEST}已按计划推进。", **cells) -> int:
    """Fill one task's row as a department would (test data)."""
    row = row_of(sheet, task_id)
    for name, value in {"进展状态": status, "进展情况": text, "联系人及电话": f"{TEST}张三 0571-0000000",
                        **cells}.items():
        sheet.cell(row, COLUMN[name]).value = value
    return row


def edu_tasks() -> list[str]:
    tasks = load_plan().tasks
    return list(tasks.loc[tasks.department_id == "edu", "task_id"])


# ---------------------------------------------------------------- the request


def test_each_department_gets_its_lead_tasks_to_report_on(requests):
    tasks = load_plan().tasks
    book = load_workbook(requests / "数据征集表-edu.xlsx")
    assert book.sheetnames == ["说明", "数据", TASK_SHEET, "目标说明"]
    sheet = book[TASK_SHEET]
    assert tuple(c.value for c in sheet[1]) == TASK_SHEET_HEADER
    listed = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert listed == edu_tasks() and len(listed) == 14          # lead tasks only, in the plan's order
    first = tasks.set_index("task_id").loc[listed[0]]
    assert sheet.cell(2, COLUMN["任务名称"]).value == first["title"]
    assert sheet.cell(2, COLUMN["规划原文"]).value == first["text"]
    assert sheet.protection.sheet and sheet.cell(2, COLUMN["规划原文"]).protection.locked
    assert not sheet.cell(2, COLUMN["进展状态"]).protection.locked
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    status_rule = rules[f"F2:F{sheet.max_row}"]
    assert status_rule.formula1 == '"已完成,基本完成,序时推进,滞后,未启动"'
    assert rules[f"G2:G{sheet.max_row}"].formula1 == "500"                 # 进展情况 at most 500 characters
    assert "500" in sheet.cell(1, COLUMN["进展情况"]).comment.text          # said in the header note
    cover = [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert TASK_SHEET in cover and "单位编号：edu（" in "".join(c or "" for c in cover)
    assert any(c and c.startswith("进展情况：") and "500" in c for c in cover)   # one line per column


def test_a_department_leading_tasks_but_no_number_gets_a_workbook(requests):
    book = load_workbook(requests / "数据征集表-water.xlsx")
    assert book["数据"].max_row == 1                                   # the header only: no number asked
    cover = "".join(str(r[0]) for r in book["说明"].iter_rows(values_only=True) if r[0])
    assert "致：省水利厅" in cover and "“数据”表无需填写" in cover and "单位编号：water（" in cover
    assert [book[TASK_SHEET].cell(r, 1).value for r in range(2, book[TASK_SHEET].max_row + 1)] == ["ch12-z19-08"]


# ---------------------------------------------------------------- the round trip


def test_a_returned_workbook_brings_its_statements_with_their_provenance(requests, sandbox):
    path = requests / "数据征集表-edu.xlsx"
    book = load_workbook(path)
    sheet = book[TASK_SHEET]
    first, second = edu_tasks()[:2]
    report(sheet, first, "滞后", f"{TEST}进度慢于预期。", **{"主要成效": f"{TEST}2024年新建窗口学校12所",
           "存在问题": f"{TEST}用地指标不足", "佐证材料": "https://example.org/test", "填报日期": "2026-01-20"})
    report(sheet, second, "已完成", f"{TEST}第二项", **{"填报日期": datetime.date(2026, 1, 21)})
    book.save(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    summary = import_observed(path, now=datetime.datetime(2026, 2, 3, 9, 0))
    assert len(summary.statements.added) == 2 and summary.statements.written
    assert "任务进展 (task statements): 新增 added 2" in summary.format()
    plan = load_plan()
    stored = load_statements(plan).set_index("task_id")
    assert stored.loc[first, ["status", "department_id", "reported_on", "file_hash", "source"]].tolist() == \
        ["滞后", "edu", "2026-01-20", digest, "department"]
    assert stored.loc[first, "results"] == f"{TEST}2024年新建窗口学校12所"
    assert stored.loc[second, "progress_text"] == f"{TEST}第二项"
    assert stored.loc[second, "reported_on"] == "2026-01-21"                      # a date cell, read as the date
    full = all_statements(plan).set_index("task_id")
    assert full.loc[first, "source_file"] == path.name and full.loc[first, "contact"] == f"{TEST}张三 0571-0000000"
    assert (sandbox / STATEMENTS_FILE).is_file()

    # the same file again changes nothing; a newer statement on a task is added and shown
    again = import_observed(path)
    assert len(again.statements.unchanged) == 2 and not again.statements.written
    report(sheet, first, "序时推进", f"{TEST}已追上进度。", **{"填报日期": "2026-02-02"})
    book.save(path)
    newer = import_observed(path)
    assert [r["task_id"] for r in newer.statements.added] == [first]
    assert len(all_statements(plan)) == 3                                         # history kept
    current = current_statements(load_statements(plan)).set_index("task_id")
    assert current.loc[first, "status"] == "序时推进"
    # the same date, corrected: it replaces the statement of that date
    report(sheet, first, "序时推进", f"{TEST}已追上进度（更正）。", **{"填报日期": "2026-02-02"})
    book.save(path)
    corrected = import_observed(path)
    assert [r["task_id"] for r in corrected.statements.replaced] == [first] and len(all_statements(plan)) == 3
    assert list((sandbox / "observed" / "backups").glob("task-statements-*.csv"))


def test_the_command_line_imports_a_folder_with_statements_and_numbers_none(requests, sandbox, capsys):
    book = load_workbook(requests / "数据征集表-water.xlsx")
    report(book[TASK_SHEET], "ch12-z19-08")
    book.save(requests / "数据征集表-water.xlsx")
    (requests / "数据征集表-edu.xlsx").unlink()
    assert cli_main(["data", "import", str(requests), "--dry-run"]) == 0
    assert "新增 added 1" in capsys.readouterr().out and not (sandbox / STATEMENTS_FILE).exists()
    assert cli_main(["data", "import", str(requests)]) == 0
    out = capsys.readouterr().out
    assert "新增 added 1" in out and f"已写入 (written) {sandbox / STATEMENTS_FILE}" in out
    assert load_statements(load_plan())["department_id"].tolist() == ["water"]


# ---------------------------------------------------------------- bad returns


def _formula_with_result(path: Path, ref: str) -> None:
    """Rewrite one cell of the task sheet as Excel saves a formula: the formula and its result."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    book = load_workbook(path)
    index = book.sheetnames.index(TASK_SHEET) + 1
    name = f"xl/worksheets/sheet{index}.xml"
    xml = parts[name].decode()
    xml, n = re.subn(rf'<c r="{ref}"([^>]*)>.*?</c>', f'<c r="{ref}" t="str"><f>B2</f><v>{TEST}公式的结果</v></c>', xml)
    assert n == 1
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member, data in parts.items():
            target.writestr(member, data)


def _hidden_sheet(book, path):
    extra = book.create_sheet("草稿")
    extra["A1"] = f"{TEST}另一版进展"
    extra.sheet_state = "hidden"


BAD = {
    "unknown status": (lambda s, t: report(s, t, "延后"), "进展状态 (F)", "延后", "已完成、基本完成、序时推进、滞后、未启动 之一"),
    "another department's task": (
        lambda s, t: (report(s, t), s.cell(row_of(s, t), 1).__setattr__("value", "ch12-z19-08")),
        "任务编号 (A)", "ch12-z19-08", "该任务的牵头单位是 省水利厅"),
    "over-long text": (lambda s, t: report(s, t, text=TEST + "长" * STATEMENT_LIMITS["progress_text"]),
                       "进展情况 (G)", TEST + "长", "至多 500 字"),
    "unknown task id": (lambda s, t: (report(s, t), s.cell(row_of(s, t), 1).__setattr__("value", "ch99-s01")),
                        "任务编号 (A)", "ch99-s01", "规划任务的编号"),
    "merged cells": (lambda s, t: (report(s, t), s.merge_cells(f"G{row_of(s, t)}:H{row_of(s, t)}")),
                     "进展情况 (G)", TEST, "请取消合并单元格"),
    "text starting as a formula": (lambda s, t: report(s, t, text=f"+{TEST}增长10%"),
                                   "进展情况 (G)", f"+{TEST}增长10%", "不以 = + - @ 开头的文字"),
    "figures without a year": (lambda s, t: report(s, t, **{"主要成效": f"{TEST}新建学校12所"}),
                               "主要成效 (H)", "新建学校12所", "注明年份的数字"),
}


@pytest.mark.parametrize("case", [*BAD, "formula", "hidden sheet with values", "the task sheet hidden"])
def test_a_bad_task_return_gives_one_clear_error_and_changes_nothing(requests, sandbox, case):
    path = requests / "数据征集表-edu.xlsx"
    book = load_workbook(path)
    sheet = book[TASK_SHEET]
    task = edu_tasks()[0]
    row = row_of(sheet, task)
    if case in BAD:
        change, column, value, expected = BAD[case]
        change(sheet, task)
    elif case == "formula":
        report(sheet, task)
        column, value, expected = "进展情况 (G)", "=B2", "而非公式"
    elif case == "hidden sheet with values":
        report(sheet, task)
        _hidden_sheet(book, path)
        column, value, expected = None, "草稿!A1", "隐藏的工作表“草稿”也有数据"
    else:
        report(sheet, task)
        sheet.sheet_state = "hidden"
        column, value, expected = None, TASK_SHEET, f"读取的工作表“{TASK_SHEET}”是隐藏的"
    book.save(path)
    if case == "formula":
        _formula_with_result(path, f"G{row}")
    before, file_bytes = tree_hash(sandbox), path.read_bytes()

    with pytest.raises(PlanDataError) as caught:
        import_observed(path)
    errors = getattr(caught.value, "errors", [caught.value])
    assert len(errors) == 1, str(caught.value)
    error = errors[0]
    assert error.path == str(path) and expected in error.expected and value in str(error.value)
    if column is not None:
        assert error.row == row and error.column == f"{TASK_SHEET} {column}"
    assert tree_hash(sandbox) == before and path.read_bytes() == file_bytes      # nothing changed
    assert not (sandbox / STATEMENTS_FILE).exists()
    assert cli_main(["data", "import", str(path)]) == 2                          # exit 2, no traceback


def test_an_analysts_own_file_carries_no_statement(requests, sandbox):
    path = requests / "数据征集表-edu.xlsx"
    book = load_workbook(path)
    report(book[TASK_SHEET], edu_tasks()[0])
    cover = book["说明"]
    for row in cover.iter_rows():
        if row[0].value and str(row[0].value).startswith("单位编号"):
            row[0].value = None
    target = path.with_name("分析人员.xlsx")
    book.save(target)
    with pytest.raises(PlanDataError) as caught:
        import_observed(target)
    assert "record_statement" in str(caught.value)


# ---------------------------------------------------------------- the analyst


def test_the_analyst_records_and_undoes_a_statement(requests, sandbox):
    path = requests / "数据征集表-water.xlsx"
    book = load_workbook(path)
    report(book[TASK_SHEET], "ch12-z19-08", "滞后", f"{TEST}部门填报。", **{"填报日期": "2026-01-10"})
    book.save(path)
    import_observed(path)
    plan = load_plan()
    row = record_statement(plan, "ch12-z19-08", "序时推进", f"{TEST}分析人员核实后改写。", reported_on="2026-01-05",
                           now=datetime.datetime(2026, 2, 1, 10, 0))
    assert (row["source"], row["department_id"], row["file_hash"]) == ("analyst", "water", "")
    current = current_statements(load_statements(plan)).set_index("task_id")
    assert current.loc["ch12-z19-08", "status"] == "序时推进"            # the analyst's overrides
    undone = undo_statement(plan, "ch12-z19-08")
    assert undone["progress_text"] == f"{TEST}分析人员核实后改写。"
    current = current_statements(load_statements(plan)).set_index("task_id")
    assert current.loc["ch12-z19-08", "status"] == "滞后"                # the department's again
    with pytest.raises(PlanDataError, match="进展状态|status"):
        record_statement(plan, "ch12-z19-08", "延后", f"{TEST}x")
    with pytest.raises(PlanDataError, match="ch99-s01"):
        record_statement(plan, "ch99-s01", "滞后", f"{TEST}x")
    with pytest.raises(PlanDataError):
        undo_statement(plan, "ch12-z19-08")                             # nothing of the analyst's left
    assert len(all_statements(plan)) == 1


# ---------------------------------------------------------------- into the filed review (issue 20, done when)


def test_an_imported_return_shows_under_its_chapter_in_the_word_document(requests, sandbox, tmp_path):
    """The whole loop: the education department's returned workbook (test data) is imported, and
    the Word document's 三、主要任务进展 shows its statement in the task's own chapter, with the
    department named and the date it reported."""
    from docx import Document
    from docx.table import Table

    from plananalysis.params import validate
    from plananalysis.publish.document import write_document

    path = requests / "数据征集表-edu.xlsx"
    book = load_workbook(path)
    task_id = edu_tasks()[0]
    report(book[TASK_SHEET], task_id, "滞后", f"{TEST}窗口学校建设慢于计划。", **{"填报日期": "2026-01-20"})
    book.save(path)
    import_observed(path, now=datetime.datetime(2026, 2, 3, 9, 0))

    plan = load_plan()
    task = plan.tasks.set_index("task_id").loc[task_id]
    doc = Document(str(write_document(tmp_path / "review.docx", validate(as_of=2025))))
    blocks = [" | ".join(c.text for row in b.rows for c in row.cells) if isinstance(b, Table) else b.text
              for b in doc.iter_inner_content()]
    blocks = [b.replace("\u2060", "") for b in blocks]
    tasks_part = blocks.index("三、主要任务进展")
    this = blocks.index(plan.chapter(int(task["chapter"])).title("zh"), tasks_part)
    following = [b for b in blocks[this + 1:] if any(b == plan.chapter(n).title("zh")
                                                     for n in plan.chapters["number"] if n > task["chapter"])]
    end = blocks.index(following[0], this) if following else len(blocks)
    inside = "\n".join(blocks[this:end])
    assert f"省教育厅（2026-01-20）：{TEST}窗口学校建设慢于计划。" in inside
    assert " | 滞后 | " in inside
