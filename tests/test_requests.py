"""The departments' data loop (issue 13 item 3): requests written, filled as a department would —
mistakes included — imported back, checked, written, backed up, and counted on the coverage page.

Every test works in a copy of ``data/`` that the environment points at (nothing shipped changes).
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from plananalysis.errors import PlanDataError
from plananalysis.observed.importer import import_observed
from plananalysis.observed.load import load_observed
from plananalysis.observed.requests import (REQUEST_HEADERS, request_rows, requests_coverage,
                                            write_requests)
from plananalysis.observed.validation import InvalidObservedFile
from plananalysis.plan.folder import load_plan

from .conftest import DATA, ROOT, tree_hash

DUE, TODAY = datetime.date(2026, 3, 31), datetime.date(2026, 2, 1)
HEADERS = list(REQUEST_HEADERS.values())
COLUMN = {name: HEADERS.index(name) + 1 for name in HEADERS}


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """A copy of data/ that the environment points at; returns the plan's observed folder."""
    # without observed-found-2.csv (issue 19): the department's story below fills 2021 and 2022 new jobs,
    # which that file holds as lower bounds (>100); confirming a reprint is tested in test_evidence.py
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("user.csv", "backups", "observed-found-2.csv"))
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "plans" / "zj-social-14th" / "observed"


def row_of(sheet, subject, year) -> int:
    """The sheet row of a subject (target id, or indicator number) and year."""
    for row in range(2, sheet.max_row + 1):
        target = sheet.cell(row, COLUMN["目标编号"]).value
        number = sheet.cell(row, COLUMN["指标编号"]).value
        if (target == subject or number == subject) and sheet.cell(row, COLUMN["年份"]).value == year:
            return row
    raise KeyError((subject, year))


def fill(sheet, subject, year, value, source="部门统计年报", *, quality="部门数据", qualifier=None, url=None, note=None):
    row = row_of(sheet, subject, year)
    for name, cell in (("数值", value), ("来源名称", source), ("来源类型", quality), ("限定符", qualifier),
                       ("来源链接", url), ("备注", note)):
        sheet.cell(row, COLUMN[name]).value = cell
    return row


@pytest.fixture
def requests(sandbox, tmp_path) -> Path:
    out = tmp_path / "requests"
    write_requests(out, as_of=2025, due=DUE, today=TODAY)
    return out


# ---------------------------------------------------------------- the workbooks


def test_one_workbook_per_department(requests):
    plan = load_plan()
    rows = request_rows(plan, as_of=2025)
    departments = set(rows["department_id"]) | set(plan.tasks["department_id"])   # numbers or tasks (重点任务进展)
    assert sorted(p.name for p in requests.iterdir()) == sorted(f"数据征集表-{d}.xlsx" for d in departments)
    assert departments <= set(plan.departments["department_id"]) and len(departments) >= 15
    # every subject asked is a headline indicator with a number or a catalogue target that restates none
    restating = set(plan.targets.loc[plan.targets["restates_indicator_id"] != "", "target_id"])
    assert not set(rows["subject_id"]) & restating


def test_the_workbook_is_what_a_department_needs(requests):
    book = load_workbook(requests / "数据征集表-hrss.xlsx")
    assert book.sheetnames == ["说明", "数据", "重点任务进展", "目标说明"] and book.active.title == "说明"
    cover = "\n".join(str(r[0]) for r in book["说明"].iter_rows(values_only=True) if r[0])
    assert "致：省人力社保厅" in cover and "发文单位：省发展改革委" in cover and "规划处" in cover
    assert "请于 2026年3月31日 前填妥并返回本工作簿" in cover and "截至2025年（终期评估）" in cover
    assert "plananalysis data import" in cover

    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == HEADERS
    rows = request_rows(as_of=2025)
    mine = rows[rows["department_id"] == "hrss"]
    assert sheet.max_row - 1 == len(mine)
    # 每年帮扶困难人员实现就业7万人: 2021–2025 asked (flows: no base year); 2023 and 2024 known, greyed
    known = row_of(sheet, "ch04-t06", 2023)
    assert sheet.cell(known, COLUMN["数值"]).value == 11.0
    assert sheet.cell(known, COLUMN["来源名称"]).value == "2023年浙江省国民经济和社会发展统计公报"
    assert sheet.cell(known, COLUMN["来源类型"]).value == "官方"
    assert sheet.cell(known, COLUMN["数值"]).fill.fgColor.rgb.endswith("D9D9D9")
    needed = row_of(sheet, "ch04-t06", 2021)
    assert sheet.cell(needed, COLUMN["数值"]).value is None
    assert sheet.cell(needed, COLUMN["数值类型"]).value == "当年新增" and sheet.cell(needed, COLUMN["单位"]).value == "万人"
    # locked structure, open value / qualifier / source / note cells
    assert sheet.protection.sheet
    open_columns = {name for name in HEADERS if not sheet.cell(needed, COLUMN[name]).protection.locked}
    assert open_columns == {"数值", "限定符", "来源名称", "来源链接", "来源类型", "原文摘录", "备注"}
    assert "单位编号：hrss" in cover and book.security.lockStructure   # whose return it is; no sheet added
    # number validation in the value cells, drop-downs for qualifiers and source types
    validations = {v.type: v for v in sheet.data_validations.dataValidation}
    assert str(validations["decimal"].sqref) == f"H2:H{sheet.max_row}"
    lists = sorted(v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list")
    assert lists == ['"左右,以上,以下"', '"部门数据,官方,媒体,转载,转引"']
    # printable: landscape, one page wide, the header repeated
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
    assert book["目标说明"].protection.sheet and book["说明"].protection.sheet


def test_an_unfilled_request_imports_nothing_and_fails_nothing(sandbox, requests):
    # a department that sends the workbook back untouched: its known rows are unchanged, nothing new
    folder = requests.parent / "returned"
    folder.mkdir()
    shutil.copy(requests / "数据征集表-hrss.xlsx", folder)
    summary = import_observed(folder)
    assert summary.counts == {"added": 0, "replaced": 0, "unchanged": 4, "conflicts": 0} and not summary.written
    assert summary.skipped_placeholders == 75


# ---------------------------------------------------------------- filled, with mistakes, then fixed


def test_a_department_fills_it_in_mistakes_first(sandbox, requests):
    rows = request_rows(as_of=2025)
    known = int(((rows["status"] == "known") & rows["department_id"].isin(["edu", "hrss"])).sum())  # prefilled
    returned = requests.parent / "returned"
    returned.mkdir()
    edu_path, hrss_path = returned / "数据征集表-edu.xlsx", returned / "数据征集表-hrss（已填）.xlsx"
    edu = load_workbook(requests / "数据征集表-edu.xlsx")
    sheet = edu["数据"]
    fill(sheet, "ch03-t01", 2020, 0)
    fill(sheet, "ch03-t01", 2022, 55)
    text_row = fill(sheet, "ch03-t01", 2023, "七十所")                     # text in a number cell
    unsourced_row = fill(sheet, "ch03-t01", 2024, 86, source=None, quality=None)   # a missing source
    year_row = fill(sheet, "ch03-t01", 2025, 100)
    sheet.cell(year_row, COLUMN["年份"]).value = 2027                       # a year outside the plan
    fill(sheet, "ch03-t05", 2025, 12, qualifier="以上")
    first_row = fill(sheet, "ch03-t06", 2025, 100)
    duplicate_row = fill(sheet, "ch03-t06", 2024, 80)
    sheet.cell(duplicate_row, COLUMN["年份"]).value = 2025                  # a duplicate: a second 2025 row
    edu.save(edu_path)
    hrss = load_workbook(requests / "数据征集表-hrss.xlsx")
    sheet = hrss["数据"]
    for year, value in ((2021, 7.5), (2022, 8.0), (2025, 7.2)):
        fill(sheet, "ch04-t06", year, value, url="https://rlsbt.zj.gov.cn/")
    fill(sheet, 1, 2021, 122.4, source="2021年浙江省国民经济和社会发展统计公报", quality="官方")
    fill(sheet, 1, 2022, 116.4, source="2022年浙江省国民经济和社会发展统计公报", quality="官方")
    hrss.save(hrss_path)

    before = tree_hash(sandbox)
    with pytest.raises(InvalidObservedFile) as caught:
        import_observed(returned)
    errors = caught.value.errors
    found = {(Path(e.path).name, e.row, str(e.column).split(" ")[0]) for e in errors}
    assert found == {
        (edu_path.name, text_row, "数值"),
        (edu_path.name, unsourced_row, "来源名称"),
        (edu_path.name, year_row, "年份"),
        (edu_path.name, max(duplicate_row, first_row), "年份"),
    }
    assert len(errors) == 4                                          # one error per problem
    message = str(caught.value)
    assert "七十所" in message and "2027" in message and "--no-source" in message
    assert f"不与第{min(duplicate_row, first_row)}行重复" in message
    assert tree_hash(sandbox) == before and not (sandbox / "user.csv").exists()   # nothing written

    # the department fixes them; the folder goes in again
    edu = load_workbook(edu_path)
    sheet = edu["数据"]
    sheet.cell(text_row, COLUMN["数值"]).value = 70
    sheet.cell(unsourced_row, COLUMN["来源名称"]).value = "省教育厅 2024年工作总结"
    sheet.cell(year_row, COLUMN["年份"]).value = 2025
    sheet.cell(duplicate_row, COLUMN["年份"]).value = 2024
    edu.save(edu_path)
    summary = import_observed(returned, now=datetime.datetime(2026, 3, 20, 10, 0))
    # edu: ch03-t01 2020 (its base), 2022–2025 = 5, ch03-t05 1, ch03-t06 2024 and 2025 = 2 → 8;
    # hrss: ch04-t06 2021, 2022, 2025 and indicator 1 2021, 2022 → 5; the known rows came back unchanged
    assert summary.counts == {"added": 13, "replaced": 0, "unchanged": known, "conflicts": 0}
    assert summary.written and summary.backup is None              # no user.csv before: nothing to back up
    text = summary.format()
    assert f"{hrss_path.name} 第" in text and f"{edu_path.name} 第" in text

    user = pd.read_csv(sandbox / "user.csv", dtype=str, keep_default_na=False)
    assert set(user["imported_from"]) == {edu_path.name, hrss_path.name}
    frame = load_observed(sandbox)
    t01 = frame[frame["target_id"] == "ch03-t01"].set_index("year")
    assert t01["value"].to_dict() == {2020: 0.0, 2022: 55.0, 2023: 70.0, 2024: 86.0, 2025: 100.0}
    assert t01.loc[2024, "source_title"] == "省教育厅 2024年工作总结" and t01.loc[2024, "source_quality"] == "user"
    assert t01.loc[2023, "source_quality"] == "department"         # 部门数据 from the drop-down
    assert frame[(frame["target_id"] == "ch03-t05")].iloc[0][["value", "qualifier"]].tolist() == [12.0, ">"]

    # the verdicts follow: 窗口学校 100 of 100 by 2025 (0 in 2020): P = 1 → 完成
    from plananalysis.engine.targets import assess_targets

    judged = assess_targets(as_of=2025).set_index("target_id")
    assert judged.loc["ch03-t01", "status_zh"] == "完成"
    # 每年7万人: 7.5, 8.0, 11.0, 8.5, 7.2 — every year of the plan reaches it → 完成
    # … resting on 2024's 8.5, a reprint: the label says so (docs/evidence-rules.md)
    assert judged.loc["ch04-t06", "status_zh"] == "完成（据转载数据，待核实）"
    # coverage: what came back per department
    coverage = requests_coverage(as_of=2025).set_index("department_id")
    assert coverage.loc["edu", "已返回"] == 8 and coverage.loc["hrss", "已返回"] == 5
    assert coverage.loc["edu", "仍缺"] == coverage.loc["edu", "征集数值"] - 8
    assert "ch03-t01 重点培育窗口学校（2021年）" in coverage.loc["edu", "仍缺内容"]   # the one year not sent

    # a second round: a corrected known value is a conflict, shown and left unchanged; the backup is made
    second = requests.parent / "second"
    write_requests(second, as_of=2025, due=DUE, today=TODAY, departments=["hrss"])
    book = load_workbook(second / "数据征集表-hrss.xlsx")
    sheet = book["数据"]
    assert sheet.cell(row_of(sheet, "ch04-t06", 2021), COLUMN["数值"]).value == 7.5   # now known, greyed
    sheet.cell(row_of(sheet, "ch04-t06", 2024), COLUMN["数值"]).value = 8.6
    fill(sheet, 16, 2023, 4573.0, source="2023年浙江省国民经济和社会发展统计公报", quality="官方")
    book.save(second / "数据征集表-hrss.xlsx")
    again = import_observed(second, now=datetime.datetime(2026, 3, 25, 9, 0))
    assert again.counts["conflicts"] == 1 and again.counts["added"] == 1
    assert "原值 was 8.5" in again.format() and again.backup is not None and again.backup.is_file()
    assert load_observed(sandbox).set_index(["target_id", "year"]).loc[("ch04-t06", 2024), "value"] == 8.5


def test_a_value_in_two_returned_files_is_refused(sandbox, requests):
    returned = requests.parent / "returned"
    returned.mkdir()
    book = load_workbook(requests / "数据征集表-edu.xlsx")
    row = fill(book["数据"], "ch03-t01", 2023, 70)
    book.save(returned / "a.xlsx")
    (returned / "b.csv").write_text("目标编号,年份,数值,来源名称\nch03-t01,2023,70,省教育厅\n", encoding="utf-8")
    with pytest.raises(InvalidObservedFile) as caught:
        import_observed(returned)
    (error,) = caught.value.errors
    assert (Path(error.path).name, error.row) == ("b.csv", 2) and f"不与 a.xlsx 第{row}行重复" in error.expected


def test_a_returned_formula_never_becomes_a_live_formula(sandbox, requests, tmp_path):
    returned = requests.parent / "returned"
    returned.mkdir()
    book = load_workbook(requests / "数据征集表-sport.xlsx")
    sheet = book["数据"]
    formula_row = fill(sheet, "ch07-t04", 2023, "=SUM(1,2)*10")          # a formula in a value cell
    hostile = "=HYPERLINK(\"http://evil.example/\",\"点此\")"
    row = fill(sheet, "ch07-t05", 2023, 12, source=hostile, note="+cmd|' /C calc'!A0")
    sheet.cell(row, COLUMN["来源名称"]).data_type = "s"                  # typed as text ('=…), as Excel stores it
    sheet.cell(row, COLUMN["备注"]).data_type = "s"
    book.save(returned / "sport.xlsx")
    with pytest.raises(InvalidObservedFile) as caught:
        import_observed(returned)
    ((path, row_no, column),) = {(Path(e.path).name, e.row, str(e.column).split(" ")[0]) for e in caught.value.errors}
    assert (path, row_no, column) == ("sport.xlsx", formula_row, "数值")   # read as no number, never run

    book = load_workbook(returned / "sport.xlsx")
    book["数据"].cell(formula_row, COLUMN["数值"]).value = 30
    book.save(returned / "sport.xlsx")
    assert import_observed(returned).counts["added"] == 2
    stored = load_observed(sandbox).set_index(["target_id", "year"]).loc[("ch07-t05", 2023)]
    assert stored["source_title"] == hostile and stored["notes"] == "+cmd|' /C calc'!A0"   # kept as text

    # written back into a workbook (the next request, the scorecard's target sheet): text, never a formula
    again = tmp_path / "again"
    write_requests(again, as_of=2025, due=DUE, today=TODAY, departments=["sport"])
    cells = [c for line in load_workbook(again / "数据征集表-sport.xlsx")["数据"].iter_rows() for c in line]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + hostile in [c.value for c in cells]

    from plananalysis.params import validate
    from plananalysis.publish.workbook import write_workbook

    book = write_workbook(tmp_path / "scorecard.xlsx", validate(as_of=2025))
    sheet = load_workbook(book)["章节量化目标"]
    cells = [c for line in sheet.iter_rows() for c in line]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + hostile in [c.value for c in cells]


# ---------------------------------------------------------------- the command line


def test_the_command_line_writes_and_reads_back_the_requests(sandbox, tmp_path):
    env = dict(os.environ, PLANANALYSIS_DATA_DIR=str(sandbox.parents[2]), PYTHONPATH=str(ROOT))
    cli = [sys.executable, "-m", "plananalysis.run.cli", "data"]
    out = tmp_path / "out"
    result = subprocess.run([*cli, "requests", "--as-of", "2023", "--out", str(out), "--due", "2024-03-31",
                             "--department", "edu", "culture-tourism"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["数据征集表-culture-tourism.xlsx", "数据征集表-edu.xlsx"]
    assert "省教育厅: 待填 to fill" in result.stdout
    book = load_workbook(out / "数据征集表-edu.xlsx")
    fill(book["数据"], "ch03-t01", 2023, "七十")
    book.save(out / "数据征集表-edu.xlsx")
    bad = subprocess.run([*cli, "import", str(out)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert bad.returncode == 2 and "数据征集表-edu.xlsx 第" in bad.stderr and "Traceback" not in bad.stderr
    assert not (sandbox / "user.csv").exists()
    refused = subprocess.run([*cli, "requests", "--as-of", "2023", "--out", str(out)], capture_output=True,
                             text=True, env=env, cwd=tmp_path, timeout=120)
    assert refused.returncode == 2 and "--force" in refused.stderr


def test_request_settings_are_checked(plan_copy, monkeypatch):
    from plananalysis.observed.requests import request_settings

    path = plan_copy / "plan.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("reply_within_days: 30", "reply_within_days: soon"),
                    encoding="utf-8")
    with pytest.raises(PlanDataError) as caught:
        request_settings(load_plan(plan_copy))
    assert caught.value.column == "data_requests.reply_within_days" and caught.value.value == "soon"
