"""The one spreadsheet reader (plananalysis.observed.spreadsheet): CSV quoting, line ends and
encodings; .xlsx merged cells, number formats, formulas, real extents; the limits.

The tests marked "issue 15.n" reproduce a defect of the reader that preceded this one (openpyxl
in read-only mode, the csv module): each fails against it.
"""

from __future__ import annotations

import re
import runpy
import shutil
import time
import tracemalloc
from xml.sax.saxutils import quoteattr

import pytest
from openpyxl import Workbook

from plananalysis.errors import PlanDataError
from plananalysis.observed import spreadsheet
from plananalysis.observed.importer import import_observed
from plananalysis.observed.load import load_observed
from plananalysis.observed.spreadsheet import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, read_cells
from plananalysis.observed.validation import read_table

from .conftest import DATA
from .test_import import BAD, tree_hash

H = runpy.run_path(str(BAD / "make_hostile.py"))  # the corpus's builders (no __pycache__ left there)
HEADER, row, sheet_of, workbook_bytes, rezip, edit_member = (
    H["HEADER"], H["row"], H["sheet_of"], H["workbook_bytes"], H["rezip"], H["edit_member"])
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "plans" / "zj-social-14th" / "observed"


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def with_cells(cells_xml: str, *, styles: str | None = None, shared: list[str] | None = None,
               workbook_pr: str | None = None) -> bytes:
    """A workbook whose sheet data are ``cells_xml`` (rows of <c> as Excel writes them)."""
    book = Workbook()
    book.active["A1"] = "x"
    data = workbook_bytes(book)
    data = rezip(data, edit_member(SHEET, lambda t: re.sub(r"<sheetData>.*</sheetData>",
                                                           f"<sheetData>{cells_xml}</sheetData>", t)))
    if styles is not None:
        data = rezip(data, edit_member("xl/styles.xml", lambda t: styles))
    if workbook_pr is not None:
        data = rezip(data, edit_member("xl/workbook.xml", lambda t: re.sub(r"<workbookPr\s*/>", workbook_pr, t)))
    if shared is not None:
        sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + "".join(shared) + "</sst>")
        rel = ('<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
               'officeDocument/2006/relationships/sharedStrings"/></Relationships>')
        data = rezip(data, edit_member("xl/_rels/workbook.xml.rels", lambda t: t.replace("</Relationships>", rel)),
                     extra={"xl/sharedStrings.xml": sst.encode()})
    return data


def styles_with(*formats: tuple[int, str | None]) -> str:
    """styles.xml whose cell formats 1, 2 … have the given (numFmtId, custom code) pairs."""
    custom = "".join(f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>' for i, code in formats if code)
    xfs = '<xf numFmtId="0"/>' + "".join(f'<xf numFmtId="{i}" applyNumberFormat="1"/>' for i, _ in formats)
    return ('<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<numFmts>{custom}</numFmts><cellStyleXfs><xf numFmtId="10"/></cellStyleXfs>'
            f"<cellXfs>{xfs}</cellXfs></styleSheet>")


def error_of(path) -> PlanDataError:
    with pytest.raises(PlanDataError) as caught:
        read_cells(path)
    assert len(str(caught.value).splitlines()) == 1
    return caught.value


# ---------------------------------------------------------------- CSV


def test_csv_quotes_commas_and_line_breaks_inside_cells(tmp_path):
    path = write(tmp_path / "q.csv", '名称,说明\r\n"a,b","say ""hi"""\r\n"行一\r\n行二",\r\n'.encode())
    assert read_cells(path).rows == [["名称", "说明"], ["a,b", 'say "hi"'], ["行一\r\n行二", ""]]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_csv_line_ends_blank_lines_and_a_last_empty_cell(tmp_path, newline):
    text = newline.join(["年份,数值", "2023,74.2", "", "2024,"]) + newline
    assert read_cells(write(tmp_path / "e.csv", text.encode())).rows == [
        ["年份", "数值"], ["2023", "74.2"], [], ["2024", ""]]


def test_csv_without_a_last_line_break_is_whole_when_its_last_row_is(tmp_path):
    assert read_cells(write(tmp_path / "n.csv", "年份,数值\n2023,74.2".encode())).rows[-1] == ["2023", "74.2"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_excel_writes(tmp_path, encoding):
    text = "地区,来源名称\n杭州市,杭州市统计局（含堃字的人名）\n"   # 堃 is GBK, not GB2312: one rare character is fine
    cells = read_cells(write(tmp_path / "x.csv", text.encode(encoding)))
    assert cells.rows[1] == ["杭州市", "杭州市统计局（含堃字的人名）"] and cells.encoding == encoding.split("-sig")[0]


def test_a_utf8_file_cut_inside_a_character_is_refused(tmp_path):
    data = "年份,数值\n2023,七十四".encode()[:-1]
    error = error_of(write(tmp_path / "cut.csv", data))
    assert error.row == 2 and "the file ends inside a character — was it cut short?" in str(error)


def test_issue_15_5_a_csv_cell_over_the_csv_module_limit_is_one_clear_error(sandbox, tmp_path):
    """The csv module raised ``_csv.Error: field larger than field limit (131072)``: a traceback."""
    path = H["huge_cell_csv"](tmp_path / "huge.csv", 131_073)
    before = tree_hash(sandbox)
    with pytest.raises(PlanDataError) as caught:
        import_observed(path, target_dir=sandbox)
    message = str(caught.value)
    assert len(message.splitlines()) == 1 and "第3行 列 备注 (K)" in message
    assert f"at most {MAX_CELL_CHARS} characters" in message and "131073 characters" in message
    assert len(message) < 600  # the value is shown cut, not 131 073 characters of it
    assert tree_hash(sandbox) == before


def cut_copy(folder, cut_at) -> None:
    """Cut the shipped observed CSV in ``folder`` at the byte ``cut_at(text_bytes)`` returns."""
    path = folder / "observed-zhejiang.csv"
    data = path.read_bytes()
    path.write_bytes(data[:cut_at(data)])


def test_issue_15_9_a_shipped_csv_cut_inside_a_quoted_cell_is_refused(sandbox):
    """A shipped observed CSV cut inside a quoted cell loaded its first rows and no warning."""
    full = len(load_observed(sandbox, include_derived=False).query("target_id == ''"))
    cut_copy(sandbox, lambda data: data.index("城镇调查失业率平均值为4.6%".encode()) + 9)
    with pytest.raises(PlanDataError) as caught:
        load_observed(sandbox)
    message = str(caught.value)
    assert "observed-zhejiang.csv 第4行 列 snippet (N)" in message and "cut short" in message
    assert full == 29 + 3   # + observed-found-2.csv (issue 19)


def test_issue_15_9_a_shipped_csv_cut_inside_its_last_row_is_refused(sandbox):
    cut_copy(sandbox, lambda data: data.rindex(b",media,") + 3)  # inside source_quality of the last row
    with pytest.raises(PlanDataError, match=r"第30行 列 source_quality \(M\).*seems cut short"):
        load_observed(sandbox)


# ---------------------------------------------------------------- xlsx: what Excel shows


def test_issue_15_3_a_merged_region_is_the_region_of_every_row_it_covers(sandbox, tmp_path):
    """温州市 merged over three rows was read as 温州市, 浙江省, 浙江省; with --replace a city's value
    overwrote the province's."""
    book, sheet = sheet_of(row(地区="温州市", 年份="2022", 数值="70.1"), row(地区=None, 年份="2023", 数值="99.9"),
                           row(地区=None, 年份="2024", 数值="71.0"))
    sheet.merge_cells("C3:C5")
    path = write(tmp_path / "wenzhou.xlsx", workbook_bytes(book))
    assert [r[2] for r in read_table(path)] == ["地区", "杭州市", "温州市", "温州市", "温州市"]
    summary = import_observed(path, target_dir=sandbox, replace=True)
    assert summary.counts == {"added": 4, "replaced": 0, "unchanged": 0, "conflicts": 0}
    frame = load_observed(sandbox).set_index(["indicator_id", "region", "year"])["value"]
    assert frame[("urbanisation_rate", "浙江省", 2023)] == 74.2  # the province's value is untouched
    assert frame[("urbanisation_rate", "温州市", 2023)] == 99.9


@pytest.mark.parametrize("number_format", ["0.0%", "0%", "0.00%", "0.0%;[Red]-0.0%"])
def test_issue_15_4_a_percent_cell_is_read_as_excel_shows_it(sandbox, tmp_path, number_format):
    """A cell holding 0.742 formatted 0.0% was imported as 0.742 %."""
    book, sheet = sheet_of(row(数值="0.742", 年份="2023", 地区="温州市"))
    sheet["F3"].number_format = number_format
    path = write(tmp_path / "percent.xlsx", workbook_bytes(book))
    assert read_table(path)[2][5] == "74.2%"
    import_observed(path, target_dir=sandbox)
    value = load_observed(sandbox, region="温州市").set_index(["indicator_id", "year"]).loc[
        ("urbanisation_rate", 2023), "value"]
    assert value == 74.2


def test_number_formats_built_in_custom_and_literal(tmp_path):
    styles = styles_with((9, None), (10, None), (164, '0.0"%"'), (165, "#,##0"), (166, "0.00E+00"), (14, None),
                         (31, None))
    cells = ('<row r="1"><c r="A1" s="1"><v>0.5787</v></c><c r="B1" s="2"><v>0.0005</v></c>'
             '<c r="C1" s="3"><v>74.2</v></c><c r="D1" s="4"><v>1234567</v></c><c r="E1" s="5"><v>0.00001</v></c>'
             '<c r="F1" s="6"><v>45000</v></c><c r="G1" s="7"><v>45000.5</v></c>'
             '<c r="H1"><v>2023.0</v></c><c r="I1"><v>0.30000000000000004</v></c><c r="J1"><v>1.5E+20</v></c>'
             '<c r="K1" t="b"><v>1</v></c><c r="L1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
             '<c r="M1"><f>A1*2</f><v>74.2</v></c><c r="N1" t="str"><f>""</f><v></v></c></row>')
    path = write(tmp_path / "formats.xlsx", with_cells(cells, styles=styles))
    assert read_cells(path).rows == [[
        "57.87%", "0.05%",            # built-in 0% and 0.00%: the full precision, as a percent
        "74.2",                       # a literal "%" in quotes: the number is not scaled
        "1234567", "0.00001",         # thousands separators and exponents are not text to parse
        "2023-03-15", "2023-03-15 12:00:00",   # a date format (14), a Chinese date format (31)
        "2023", "0.3", "150000000000000000000",  # integers stored as floats; 15 significant digits
        "TRUE", "ab", "74.2"]]        # booleans; formulas: their saved result (N1: an empty one)


def test_dates_follow_the_1904_calendar(tmp_path):
    path = write(tmp_path / "mac.xlsx", with_cells('<row r="1"><c r="A1" s="1"><v>43538</v></c></row>',
                                                   styles=styles_with((14, None)),
                                                   workbook_pr='<workbookPr date1904="1"/>'))
    assert read_cells(path).rows == [["2023-03-15"]]


def test_a_date_where_a_year_is_expected_is_refused(sandbox, tmp_path):
    """A year typed into a date-formatted cell is stored as 1905-07-15: the year cannot be told, so a
    date is shown as the date and refused as a year."""
    book, sheet = sheet_of(row())
    sheet["E3"] = 2023
    sheet["E3"].number_format = "yyyy-mm-dd"
    with pytest.raises(PlanDataError, match=r"第3行 列 年份 \(E\): 值 '1905-07-15'"):
        import_observed(write(tmp_path / "d.xlsx", workbook_bytes(book)), target_dir=sandbox)


def test_a_formula_without_a_saved_result_names_its_cell(tmp_path):
    path = write(tmp_path / "f.xlsx", with_cells('<row r="1"><c r="A1" t="inlineStr"><is><t>数值</t></is></c></row>'
                                                 '<row r="2"><c r="A2"><f>B2*100</f></c></row>'))
    error = error_of(path)
    assert (error.row, error.column, error.value) == (2, "数值 (A)", "=B2*100")


def test_shared_texts_rich_text_runs_and_phonetic_guides(tmp_path):
    shared = ["<si><t>地区</t></si>", "<si><r><t>杭州</t></r><r><rPr><b/></rPr><t>市</t></r>"
              "<rPh sb='0' eb='2'><t>hangzhou</t></rPh></si>", "<si><t xml:space='preserve'> 空格 </t></si>",
              "<si><t>Tab_x0009_here</t></si>"]
    cells = ('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
             '<row r="3"><c r="A3" t="s"><v>2</v></c></row><row r="4"><c r="A4" t="s"><v>3</v></c></row>')
    path = write(tmp_path / "sst.xlsx", with_cells(cells, shared=shared))
    assert read_cells(path).rows == [["地区"], ["杭州市"], [" 空格 "], ["Tab\there"]]


def test_rows_and_columns_are_numbered_as_excel_shows_them(sandbox, tmp_path):
    """The read-only reader started at the first row and column of the declared dimension, so a
    table starting on B3 had its errors named two rows and one column off.  Now row 1 is row 1:
    the header must be there, and a table starting lower is refused at row 1."""
    book = Workbook()
    sheet = book.active
    for line in (HEADER, row(), row(年份="2022", 数值="n/a")):
        sheet.append([None] + line)            # the table starts in column B …
    sheet.insert_rows(1, 2)                    # … and on row 3
    path = write(tmp_path / "lower.xlsx", workbook_bytes(book))
    assert read_cells(path).rows[2][1] == "指标编号"
    with pytest.raises(PlanDataError, match=r"第1行 列 B"):   # the header is row 1: an empty row 1 is found
        import_observed(path, target_dir=sandbox)


@pytest.mark.parametrize("names, chosen", [(["说明", "数据"], "数据"), (["说明", " Data "], " Data "),
                                           (["说明", "表一"], "表一"), (["表一", "空表"], "表一")])
def test_the_sheet_read_is_the_data_sheet_else_the_first(tmp_path, names, chosen):
    """The sheet named 数据 or data, else the first that is not one of ours (说明 holds notes)."""
    book = Workbook()
    book.active.title = names[0]
    book.create_sheet(names[1])
    for sheet in book.worksheets:
        if sheet.title != "空表":
            sheet["A1"] = sheet.title
    cells = read_cells(write(tmp_path / "s.xlsx", workbook_bytes(book)))
    assert cells.sheet == chosen and cells.rows == [[chosen]]


def test_issue_18_a_second_sheet_holding_values_is_refused_by_name(tmp_path):
    """表二 was silently dropped (exit 0) when 表一 was read."""
    book = Workbook()
    book.active.title = "表一"
    book.active["A1"] = "表一"
    book.create_sheet("表二")["C4"] = "74.2"
    with pytest.raises(PlanDataError) as caught:
        read_cells(write(tmp_path / "s.xlsx", workbook_bytes(book)))
    assert caught.value.value == "表二!C4: 74.2" and "the sheet '表二' holds values too (C4)" in str(caught.value)


# ---------------------------------------------------------------- xlsx: sizes


def test_issue_15_5_a_declared_dimension_of_the_whole_sheet_costs_nothing(tmp_path):
    """A 5 KB file declaring A1:XFD1048576 ran out of memory (the read-only reader padded every row
    to 16 384 columns, for 1 048 576 rows)."""
    path = write(tmp_path / "whole.xlsx", (BAD / "dimension_of_the_whole_sheet.xlsx").read_bytes())
    assert path.stat().st_size < 10_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        rows = read_table(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(rows) == 3 and len(rows[0]) == len(HEADER)
    assert peak < 20_000_000 and time.perf_counter() - started < 20


def test_issue_15_5_a_stale_dimension_drops_no_row(sandbox, tmp_path):
    """A workbook whose <dimension> says A1:K2 imported 1 of its 3 rows, silently."""
    book, _ = sheet_of(row(), row(年份="2022", 数值="73.4"))
    path = write(tmp_path / "stale.xlsx", H["set_dimension"](workbook_bytes(book), "A1:K2"))
    assert len(read_table(path)) == 4
    summary = import_observed(path, target_dir=sandbox)
    assert summary.counts["added"] + summary.counts["unchanged"] == 3


def test_issue_15_5_a_deflate_bomb_is_refused_before_it_inflates(tmp_path):
    """A 1 MB .xlsx whose sheet inflates to 1 GB took 1.1 GB of memory."""
    path = H["deflate_bomb"](tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 2_000_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(PlanDataError) as caught:
            read_table(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = caught.value
    assert "1073741824" in str(error.value) and "parts of at most 64 MB inflated" in str(error)
    assert peak < 20_000_000 and time.perf_counter() - started < 5


def test_a_bomb_under_the_part_limit_is_caught_by_its_ratio(tmp_path):
    path = H["deflate_bomb"](tmp_path / "small-bomb.xlsx", inflated=32 * 2**20)
    assert "a compression ratio of at most 100:1" in str(error_of(path))


@pytest.mark.parametrize("build, expected", [
    ("long_rows_xlsx", f"第{MAX_ROWS + 1}行: 值 '3' 不符合要求，应为 至多 {MAX_ROWS} 行"),
    ("wide_xlsx", "第1行 列 AY: 值 '列50'"),
    ("many_parts", "at most 1000 parts"),
])
def test_workbook_limits(tmp_path, build, expected):
    assert expected in str(error_of(H[build](tmp_path / f"{build}.xlsx")))


def test_the_limits_hold_at_their_edge(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append([f"列{i}" for i in range(MAX_COLUMNS)])
    sheet.append(["长" * MAX_CELL_CHARS])
    assert len(read_cells(write(tmp_path / "edge.xlsx", workbook_bytes(book))).rows[0]) == MAX_COLUMNS
    csv_text = ",".join(f"列{i}" for i in range(MAX_COLUMNS)) + "\n" + "1\n" * (MAX_ROWS - 1)
    assert len(read_cells(write(tmp_path / "edge.csv", csv_text.encode())).rows) == MAX_ROWS


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = H["big_file"](tmp_path / "big.csv", spreadsheet.MAX_FILE_BYTES + 1)
    assert "a file of at most 20 MB" in str(error_of(path))


def test_the_module_states_each_limit_and_its_reason():
    doc = spreadsheet.__doc__
    for name in spreadsheet.__all__:
        if name.startswith(("MAX_", "RATIO_")):
            assert f"``{name}``" in doc, name
    assert f"{MAX_ROWS:,}".replace(",", " ") in doc and "10 000" in doc


def test_read_table_is_the_one_reader(tmp_path):
    path = write(tmp_path / "t.csv", "年份\n2023\n".encode())
    assert read_table(path) == read_cells(path).rows == [["年份"], ["2023"]]


@pytest.mark.parametrize("text, code", [("杭州\ufeff市", "U+FEFF"), ("_xD800_", "U+D800"), ("_x0007_铃", "U+0007")])
def test_workbook_text_user_csv_could_not_hold_is_refused(tmp_path, text, code):
    """What a workbook cell may hold must be writable to user.csv and readable back from it: a
    byte-order mark in a cell would make the next read of user.csv fail, a lone surrogate could
    not be written as UTF-8 at all."""
    book, sheet = sheet_of(row())
    sheet["I3"] = text
    error = error_of(write(tmp_path / "bom.xlsx", workbook_bytes(book)))
    assert error.row == 3 and error.column == "来源名称 (I)" and code in str(error)


def stored(data: bytes) -> bytes:
    """The workbook with its parts stored, not compressed (no ratio to refuse)."""
    import io
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


@pytest.mark.parametrize("where", ["after the cells", "in one row"])
def test_millions_of_xml_elements_are_read_in_bounded_memory(tmp_path, where):
    """Elements are dropped once read: half a million of them (2 MB of XML) never sit in memory."""
    junk = "<x/>" * 500_000
    extra = {"after the cells": f"</sheetData><extLst>{junk}</extLst>",
             "in one row": f'<row r="9">{junk.replace("x", "c")}</row></sheetData>'}[where]
    book, _ = sheet_of(row())
    data = rezip(workbook_bytes(book), edit_member(SHEET, lambda t: t.replace("</sheetData>", extra)))
    path = write(tmp_path / "elements.xlsx", stored(data))
    tracemalloc.start()
    try:
        rows = read_cells(path).rows
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(rows) == 3 and peak < 3 * path.stat().st_size + 10_000_000


def test_merged_ranges_cover_a_bounded_number_of_cells(tmp_path):
    """Excel never overlaps merged ranges; a file that repeats the largest one 10 000 times would
    otherwise ask for 5 billion cells."""
    merges = '<mergeCell ref="A1:AX10000"/>' * 3
    book, _ = sheet_of()
    data = rezip(workbook_bytes(book), edit_member(SHEET, lambda t: t.replace(
        "</sheetData>", f'</sheetData><mergeCells count="3">{merges}</mergeCells>')))
    assert "merged ranges covering at most 500000 cells in all" in str(error_of(write(tmp_path / "m.xlsx", data)))


def test_a_file_name_with_a_nul_character(tmp_path):
    error = error_of(tmp_path / "a\x00b.csv")
    assert "a file name without NUL" in str(error) and "\\x00" in str(error)
