"""The departments' loop as a hostile or careless sender would use it (issue 18, item 4 and the
import items of "Tracebacks" and "Also"): returned workbooks and import folders built here with
openpyxl, each refused with one clear line, nothing written; and the template and request
workbooks carry every column their 说明 sheet names, a snippet column among them.

Every test works in a copy of ``data/`` that the environment points at (nothing shipped changes).
The machine runs the tests as root, for whom ``chmod`` does not stop a write: a read-only folder
and a full disk are simulated by making the writes raise what the kernel raises (EACCES,
ENOSPC) — nothing is mounted.
"""

from __future__ import annotations

import builtins
import datetime
import errno
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from plananalysis.errors import PlanDataError
from plananalysis.observed.columns import HEADERS_ZH, OPEN_COLUMNS
from plananalysis.observed.importer import LOCK_FILE, import_observed, write_template
from plananalysis.observed.load import load_observed
from plananalysis.observed.requests import REQUEST_HEADERS, write_requests
from plananalysis.observed.spreadsheet import read_cells
from plananalysis.observed.validation import InvalidObservedFile
from plananalysis.run.cli import main as cli_main

from .conftest import DATA, ROOT, tree_hash

DUE, TODAY = datetime.date(2026, 3, 31), datetime.date(2026, 2, 1)
HEADERS = list(REQUEST_HEADERS.values())
COLUMN = {name: HEADERS.index(name) + 1 for name in HEADERS}
LIFE_EXPECTANCY = 18          # 人均预期寿命, the health commission's (responsibilities.csv)


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """A copy of data/ that the environment points at; returns the plan's observed folder."""
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("user.csv", "backups", ".import.lock"))
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "plans" / "zj-social-14th" / "observed"


@pytest.fixture
def requests(sandbox, tmp_path) -> Path:
    out = tmp_path / "requests"
    write_requests(out, as_of=2025, due=DUE, today=TODAY, departments=["edu", "health"])
    return out


def row_of(sheet, subject, year) -> int:
    for row in range(2, sheet.max_row + 1):
        if subject in (sheet.cell(row, COLUMN["目标编号"]).value, sheet.cell(row, COLUMN["指标编号"]).value) \
                and sheet.cell(row, COLUMN["年份"]).value == year:
            return row
    raise KeyError((subject, year))


def fill(sheet, subject, year, value, source="部门统计年报", **cells) -> int:
    row = row_of(sheet, subject, year)
    for name, cell in {"数值": value, "来源名称": source, "来源类型": "部门数据", **cells}.items():
        sheet.cell(row, COLUMN[name]).value = cell
    return row


def edu_return(requests: Path, folder: Path, name="数据征集表-edu.xlsx", change=None) -> Path:
    """The education department's request, one value filled in, changed by ``change(book)``, saved as ``name``."""
    book = load_workbook(requests / "数据征集表-edu.xlsx")
    fill(book["数据"], "ch03-t01", 2023, 70)
    if change:
        change(book)
    folder.mkdir(exist_ok=True)
    book.save(folder / name)
    return folder / name


def refused(path, **options) -> list[PlanDataError]:
    """The errors of an import that must be refused; every one a single line."""
    with pytest.raises(PlanDataError) as caught:
        import_observed(path, **options)
    errors = getattr(caught.value, "errors", [caught.value])
    for error in errors:
        assert len(str(error).splitlines()) == 1, str(error)
    return errors


def health_row(book, number=LIFE_EXPECTANCY, year=2023, value=80.1):
    """A row of another department's indicator typed at the bottom of the 数据 sheet."""
    sheet = book["数据"]
    line = {"指标编号": number, "指标名称": "人均预期寿命", "地区": "浙江省", "年份": year, "数值": value,
            "来源名称": "卫生健康统计公报"}
    sheet.append([line.get(h) for h in HEADERS])
    return sheet.max_row


# ---------------------------------------------------------------- merged cells (issue 18: copied to four years)


def test_a_value_merged_over_four_years_is_refused_never_copied(sandbox, requests, tmp_path):
    before = tree_hash(sandbox)

    def merge(book):
        sheet = book["数据"]
        top = fill(sheet, "ch03-t01", 2021, 55)
        for year in (2022, 2023, 2024):
            fill(sheet, "ch03-t01", year, None)
        sheet.merge_cells(start_row=top, end_row=top + 3, start_column=COLUMN["数值"], end_column=COLUMN["数值"])

    path = edu_return(requests, tmp_path / "returned", change=merge)
    (error,) = refused(path.parent)
    top = row_of(load_workbook(path)["数据"], "ch03-t01", 2021)
    assert (Path(error.path).name, error.row, error.column) == (path.name, top, "数值 (H)")
    assert error.value == f"H{top}:H{top + 3}: 55"
    assert "工作表“数据”的合并单元格" in str(error) and "copy one value into 4 rows" in str(error)
    assert tree_hash(sandbox) == before


def test_a_value_merged_across_columns_is_refused(sandbox, tmp_path):
    """Own case: 数值 merged with 限定符 on one row would put 74.2 in the qualifier too."""
    book = Workbook()
    sheet = book.active
    sheet.append(["指标编号", "年份", "数值", "限定符", "来源名称"])
    sheet.append([3, 2023, 74.2, None, "统计公报"])
    sheet.merge_cells("C2:D2")
    book.save(tmp_path / "across.xlsx")
    (error,) = refused(tmp_path / "across.xlsx", target_dir=sandbox)
    assert error.value == "C2:D2: 74.2" and "spans 2 columns" in error.expected


def test_a_label_merged_down_its_rows_is_the_label_of_each(sandbox, tmp_path):
    """Decided: a source (or region) merged down the rows it names is read on each row, as shown."""
    book = Workbook()
    sheet = book.active
    sheet.append(["指标编号", "地区", "年份", "数值", "来源名称"])
    sheet.append([3, "杭州市", 2022, 83.6, "杭州统计年鉴"])
    sheet.append([3, None, 2023, 84.2, None])
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("E2:E3")
    book.save(tmp_path / "label.xlsx")
    assert import_observed(tmp_path / "label.xlsx", target_dir=sandbox).counts["added"] == 2
    rows = load_observed(sandbox).query("indicator_id == 'urbanisation_rate' and origin == 'user'")
    assert set(rows["source_title"]) == {"杭州统计年鉴"} and set(rows["region"]) == {"杭州市"}


# ---------------------------------------------------------------- every sheet read or refused


def test_a_second_visible_sheet_of_values_is_refused_in_a_return(sandbox, requests, tmp_path):
    path = edu_return(requests, tmp_path / "returned",
                      change=lambda book: book.create_sheet("补充").append(["ch03-t01", 2024, 86]))
    (error,) = refused(path.parent)
    assert error.value == "补充!A1: ch03-t01" and "the sheet '补充' holds values too (A1)" in str(error)


def test_a_hidden_sheet_of_values_is_refused_in_a_plain_import(sandbox, tmp_path):
    book = Workbook()
    book.active.title = "数据"
    book.active.append(["指标编号", "年份", "数值", "来源名称"])
    book.active.append([3, 2023, 74.2, "统计公报"])
    extra = book.create_sheet("Sheet2")
    extra.append([3, 2024, 75.5, "统计公报"])
    extra.sheet_state = "veryHidden"         # own case: very hidden, not even listed by Excel's Unhide
    book.save(tmp_path / "plain.xlsx")
    (error,) = refused(tmp_path / "plain.xlsx", target_dir=sandbox)
    assert "the hidden sheet 'Sheet2' holds values too" in str(error) and error.value.startswith("Sheet2!A1")


def test_data_typed_into_our_notes_sheet_is_refused(sandbox, requests, tmp_path):
    """Own case: a row of data pasted into the cover (说明) beside its notes."""
    path = edu_return(requests, tmp_path / "returned",
                      change=lambda book: book["说明"].append(["ch03-t05", 2025, 12, "部门统计"]))
    (error,) = refused(path.parent)
    assert error.value.startswith("说明!B") and "notes in column A" in error.expected


def test_our_reference_sheet_with_a_changed_header_is_refused(sandbox, requests, tmp_path):
    """Own case: 目标说明 turned into a data sheet (its header replaced by the data headers)."""
    def change(book):
        about = book["目标说明"]
        for i, name in enumerate(["目标编号", "年份", "数值", "来源名称"], start=1):
            about.cell(1, i).value = name
    path = edu_return(requests, tmp_path / "returned", change=change)
    (error,) = refused(path.parent)
    assert error.value == "目标说明!A1: 目标编号" and "a reference table under its own header" in error.expected


def test_the_template_and_requests_read_back_with_their_own_sheets(sandbox, requests, tmp_path):
    cells = read_cells(write_template(tmp_path / "t.xlsx"))
    assert cells.sheet == "数据" and set(cells.own_sheets) == {"指标", "说明"}
    assert import_observed(requests, dry_run=True).counts["added"] == 0


# ---------------------------------------------------------------- a return carries its department's rows only


def test_another_departments_row_is_refused_by_name(sandbox, requests, tmp_path):
    before = tree_hash(sandbox)
    holder = {}
    path = edu_return(requests, tmp_path / "returned", change=lambda b: holder.update(row=health_row(b)))
    (error,) = refused(path.parent)
    assert (error.row, error.column, error.value) == (holder["row"], "指标编号 (B)", str(LIFE_EXPECTANCY))
    text = str(error)
    assert "省教育厅的回执含有 人均预期寿命 (life_expectancy)，该项的责任单位是 省卫生健康委" in text
    assert "this return of Department of Education carries 人均预期寿命 (life_expectancy), for which the " \
           "responsible department is Health Commission" in text
    assert tree_hash(sandbox) == before
    # the same row in the health commission's own return comes in
    book = load_workbook(requests / "数据征集表-health.xlsx")
    fill(book["数据"], LIFE_EXPECTANCY, 2021, 82.2, source="浙江省卫生健康事业发展统计公报")
    back = tmp_path / "health"
    back.mkdir()
    book.save(back / "数据征集表-health（已填）.xlsx")
    assert import_observed(back).counts["added"] == 1


def test_another_departments_target_is_refused_even_when_renamed(sandbox, requests, tmp_path):
    """Own case: the file renamed (回执.xlsx) and a health target (ch06-t01) added by its id:
    the cover's 单位编号 still says whose return it is."""
    def change(book):
        line = {"目标编号": "ch06-t01", "年份": 2023, "数值": 500, "来源名称": "卫生统计"}
        book["数据"].append([line.get(h) for h in HEADERS])
    path = edu_return(requests, tmp_path / "returned", name="回执.xlsx", change=change)
    (error,) = refused(path.parent)
    assert error.column == "目标编号 (A)" and error.value == "ch06-t01" and "省卫生健康委" in str(error)


def test_a_return_saved_as_csv_is_known_by_its_name(sandbox, tmp_path):
    """Own case: the department saved its request as CSV (the cover is gone): the name says edu."""
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "数据征集表-edu.csv").write_text(
        f"指标编号,年份,数值,来源名称\n{LIFE_EXPECTANCY},2023,80.1,卫生统计\n", encoding="utf-8")
    (error,) = refused(folder)
    assert "省教育厅的回执含有 人均预期寿命" in str(error)
    # an analyst's own file with the same row has no such limit
    os.rename(folder / "数据征集表-edu.csv", folder / "analyst.csv")
    assert import_observed(folder, dry_run=True).counts["added"] == 1


def test_a_cover_naming_another_or_no_department_is_refused(sandbox, requests, tmp_path):
    """Own cases: the cover's 单位编号 edited to health in edu's file, to a department that does
    not exist; a file named after no department."""
    def mark(value):
        def change(book):
            cover = book["说明"]
            for row in cover.iter_rows():
                if str(row[0].value or "").startswith("单位编号"):
                    row[0].value = f"单位编号：{value}"
        return change

    (error,) = refused(edu_return(requests, tmp_path / "a", change=mark("health")).parent)
    assert error.value == "health" and "the department the file's name says, edu" in error.expected
    (error,) = refused(edu_return(requests, tmp_path / "b", name="回执.xlsx", change=mark("../../etc")).parent)
    assert error.value == "../../etc" and "a department_id of departments.csv" in error.expected
    (error,) = refused(edu_return(requests, tmp_path / "c", name="数据征集表-nobody.xlsx").parent)
    assert error.value == "数据征集表-nobody.xlsx" and "rename a file that is not a returned request" in error.expected


# ---------------------------------------------------------------- symlinks and file names


def test_a_symlink_in_an_import_folder_is_refused_by_name_never_read(sandbox, requests, tmp_path):
    folder = tmp_path / "returned"
    edu_return(requests, folder)
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    (folder / "dangling.xlsx").symlink_to(tmp_path / "nowhere.xlsx")          # own case: a link to nothing
    (folder / "dir.csv").symlink_to(tmp_path, target_is_directory=True)        # own case: a link to a folder
    errors = refused(folder)
    assert sorted(Path(e.path).name for e in errors) == ["dangling.xlsx", "dir.csv", "passwd.csv"]
    for error in errors:
        assert "not a symbolic link" in error.expected and "root:x" not in str(error)


@pytest.mark.parametrize("name", ["a\nb.csv", "x\x1b[2J.csv", "r\u202ecod.csv"])
def test_a_file_name_with_control_characters_is_one_escaped_line(sandbox, tmp_path, capsys, name):
    """A newline split the error line; own cases: a terminal escape, a direction override."""
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / name).write_text("指标编号,年份,数值,来源名称\n3,2023,abc,公报\n", encoding="utf-8")
    assert cli_main(["data", "import", str(folder)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert repr(name.split(".")[0][1:2])[1:-1] in err and not re.search("[\x00-\x1f\u202e]", err.strip())


def test_a_header_with_a_line_break_is_one_line_and_lists_the_accepted_names(sandbox, tmp_path):
    """Own case: a header typed with Alt+Enter in Excel ("数\\n值"); the accepted names are listed."""
    book = Workbook()
    book.active.append(["指标编号", "年份", "数\n值", "来源名称"])
    book.active.append([3, 2023, 74.2, "统计公报"])
    book.save(tmp_path / "header.xlsx")
    (error,) = refused(tmp_path / "header.xlsx", target_dir=sandbox)
    text = str(error)
    assert "数\\n值" in text
    for name in ("指标编号", "年份", "数值", "原文摘录", "目标编号", "snippet", "source_title", "value_type"):
        assert name in error.expected.split("The names accepted:")[1], name


# ---------------------------------------------------------------- unwritable folders: one line, nothing left


def _write_ok_file(tmp_path) -> Path:
    path = tmp_path / "ok.csv"
    path.write_text("指标编号,地区,年份,数值,来源名称\n11,浙江省,2023,91.6,部门数据\n", encoding="utf-8")
    return path


def _with_user_csv(sandbox, tmp_path) -> Path:
    first = tmp_path / "first.csv"
    first.write_text("指标编号,地区,年份,数值,来源名称\n1,杭州市,2023,30,杭州统计公报\n", encoding="utf-8")
    import_observed(first, target_dir=sandbox)
    shutil.rmtree(sandbox / "backups", ignore_errors=True)
    return sandbox / "user.csv"


def _read_only(monkeypatch, folder: Path):
    """Writes into ``folder`` fail as in a read-only folder (EACCES): root ignores chmod."""
    folder = str(folder)

    def inside(path):
        return os.path.abspath(os.fspath(path)).startswith(folder)

    def deny(path):
        raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))

    real_open, real_os_open, real_mkdir = builtins.open, os.open, os.mkdir

    def guarded_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and set(mode) & set("wax+") and inside(file):
            deny(file)
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and inside(path):
            deny(path)
        return real_os_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path, *args, **kwargs):
        if inside(path):
            deny(path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)


@pytest.mark.parametrize("lock_exists", [False, True])
def test_an_import_into_a_read_only_folder_is_one_line_exit_2(sandbox, tmp_path, monkeypatch, capsys, lock_exists):
    user = _with_user_csv(sandbox, tmp_path)
    if not lock_exists:
        (sandbox / LOCK_FILE).unlink()
    before, user_before = tree_hash(sandbox), user.read_bytes()
    path = _write_ok_file(tmp_path)
    _read_only(monkeypatch, sandbox)
    assert import_observed(path, target_dir=sandbox, dry_run=True).counts["added"] == 1   # a dry run reads only
    assert cli_main(["data", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "internal error" not in err
    assert "permission denied or read-only; nothing was written" in err
    monkeypatch.undo()
    assert tree_hash(sandbox) == before and user.read_bytes() == user_before
    assert not (sandbox / "backups").exists()


def _no_temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != LOCK_FILE]


def test_a_full_disk_while_backing_up_leaves_no_empty_backup(sandbox, tmp_path, monkeypatch, capsys):
    """The issue's case: shutil.copy2 made backups/user-….csv, then the disk was full: 0 bytes left."""
    user = _with_user_csv(sandbox, tmp_path)
    before = tree_hash(sandbox)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "sendfile", full)                # what copy2 uses on Linux
    monkeypatch.setattr(shutil, "_USE_CP_SENDFILE", True)
    assert cli_main(["data", "import", str(_write_ok_file(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "the disk is full; nothing was written" in err
    assert not (sandbox / "backups").exists() and _no_temporaries(sandbox) == []
    assert tree_hash(sandbox) == before and user.is_file()


def test_a_full_disk_while_writing_undoes_the_backup(sandbox, tmp_path, monkeypatch):
    """Own case: the backup was made, then writing the new user.csv failed (fsync: ENOSPC)."""
    _with_user_csv(sandbox, tmp_path)
    (sandbox / "backups").mkdir()
    (sandbox / "backups" / "user-older.csv").write_text("an earlier backup\n", encoding="utf-8")
    before = tree_hash(sandbox)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    (error,) = refused(_write_ok_file(tmp_path), target_dir=sandbox)
    assert "the disk is full" in error.expected
    assert [p.name for p in (sandbox / "backups").iterdir()] == ["user-older.csv"]   # an older backup stays
    assert _no_temporaries(sandbox) == [] and tree_hash(sandbox) == before


def test_what_an_import_leaves_is_ignored_by_git():
    for path in ("data/plans/zj-social-14th/observed/.import.lock",
                 "data/plans/zj-social-14th/observed/backups/user-20260101-000000-000000.csv",
                 "data/plans/another-plan/observed/.import.lock"):
        result = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT, timeout=30)
        assert result.returncode == 0, path


# ---------------------------------------------------------------- the template and the requests: columns and snippet


def _notes_and_header(book) -> tuple[str, list[str]]:
    notes = "\n".join(str(r[0]) for r in book["说明"].iter_rows(values_only=True) if r[0])
    return notes, [c.value for c in book["数据"][1]]


def test_the_templates_notes_and_data_sheet_agree(tmp_path):
    notes, header = _notes_and_header(load_workbook(write_template(tmp_path / "t.xlsx")))
    described = [line.split(":")[0] for line in notes.splitlines() if line.split(":")[0] in HEADERS_ZH.values()]
    assert described == header                        # one line per column, in the sheet's order
    named = {h for h in HEADERS_ZH.values() if h in notes}
    assert named <= set(header), named - set(header)  # 数值类型, 目标编号 were named but missing
    assert {"原文摘录", "数值类型", "目标编号"} <= set(header)


def test_the_requests_notes_name_only_columns_of_the_data_sheet(requests):
    notes, header = _notes_and_header(load_workbook(requests / "数据征集表-edu.xlsx"))
    named = {h for h in HEADERS_ZH.values() if h in notes}
    assert named <= set(header) and "原文摘录" in named
    assert all(HEADERS_ZH[c] in notes for c in OPEN_COLUMNS)   # every column to fill in is explained


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_snippet_in_the_template_is_stored(sandbox, tmp_path, suffix):
    path = write_template(tmp_path / f"t{suffix}")
    quote = "年末全省常住人口城镇化率为74.2%。"
    if suffix == ".xlsx":
        book = load_workbook(path)
        sheet = book["数据"]
        header = [c.value for c in sheet[1]]
        for line in sheet.iter_rows(min_row=2):
            if line[0].value == 3:
                for name, value in (("地区", "杭州市"), ("年份", 2023), ("数值", 84.2), ("来源名称", "杭州统计公报"),
                                    ("原文摘录", quote)):
                    line[header.index(name)].value = value
        book.save(path)
    else:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        header = lines[0].split(",")
        cells = lines[3].split(",")
        for name, value in (("地区", "杭州市"), ("年份", "2023"), ("数值", "84.2"), ("来源名称", "杭州统计公报"),
                            ("原文摘录", quote)):
            cells[header.index(name)] = value
        lines[3] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    assert import_observed(path, target_dir=sandbox).counts["added"] == 1
    row = load_observed(sandbox).query("origin == 'user'").iloc[0]
    assert (row["region"], row["value"], row["snippet"]) == ("杭州市", 84.2, quote)


def test_a_snippet_in_a_return_is_stored_and_sent_back_prefilled(sandbox, requests, tmp_path):
    quote = "全省已建成重点培育窗口学校70所。"
    path = edu_return(requests, tmp_path / "returned",
                      change=lambda book: fill(book["数据"], "ch03-t01", 2023, 70, 原文摘录=quote))
    assert import_observed(path.parent).counts["added"] == 1
    stored = load_observed(sandbox).set_index(["target_id", "year"]).loc[("ch03-t01", 2023)]
    assert stored["snippet"] == quote
    again = tmp_path / "again"
    write_requests(again, as_of=2025, due=DUE, today=TODAY, departments=["edu"])
    sheet = load_workbook(again / "数据征集表-edu.xlsx")["数据"]
    assert sheet.cell(row_of(sheet, "ch03-t01", 2023), COLUMN["原文摘录"]).value == quote


def test_all_or_nothing_a_refused_row_in_one_file_stops_every_file(sandbox, requests, tmp_path):
    """Own case: a good health return beside edu's return carrying a health row: nothing is written."""
    folder = tmp_path / "returned"
    edu_return(requests, folder, change=health_row)
    book = load_workbook(requests / "数据征集表-health.xlsx")
    fill(book["数据"], LIFE_EXPECTANCY, 2021, 82.2)
    book.save(folder / "数据征集表-health.xlsx")
    before = tree_hash(sandbox)
    with pytest.raises(InvalidObservedFile) as caught:
        import_observed(folder)
    assert [Path(e.path).name for e in caught.value.errors] == ["数据征集表-edu.xlsx"]
    assert tree_hash(sandbox) == before and not (sandbox / "user.csv").exists()


def test_a_template_into_a_read_only_folder_is_one_line(sandbox, tmp_path, monkeypatch, capsys):
    """Own case: ``data template`` into a folder that cannot be written gave an internal error."""
    _read_only(monkeypatch, tmp_path / "out")
    assert cli_main(["data", "template", str(tmp_path / "out" / "t.xlsx")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "a place that can be written" in err and "internal" not in err
    monkeypatch.undo()
    assert not (tmp_path / "out").exists()
