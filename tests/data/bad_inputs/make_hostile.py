"""Write the hostile input files of this folder, and build the large ones at test time.

    python tests/data/bad_inputs/make_hostile.py     # (re)writes the files listed in HOSTILE

Every file named in :data:`HOSTILE` is small and committed, with its row in ``expected.csv``
(the fragments its one-line error must contain); running this script rewrites them byte for
byte the same (zip members carry a fixed date) and appends any missing ``expected.csv`` row.
Files too large to commit (a deflate bomb, a million CSV rows, 5 000 columns …) are built by
the functions under "built at test time", which tests call with a folder under ``tmp_path``
(tests load this file with :func:`runpy.run_path`, so no ``__pycache__`` lands here).

This script is itself in the corpus: a Python file given to ``plananalysis data import``.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER = ["指标编号", "指标名称", "地区", "口径", "年份", "数值", "限定符", "单位", "来源名称", "来源链接", "备注"]
#        A          B          C      D      E      F      G        H      I          J          K
GOOD = ["3", "常住人口城镇化率", "杭州市", "plan", "2023", "84.2", "", "%",
        "2023年杭州市国民经济和社会发展统计公报", "https://tjj.hangzhou.gov.cn/", ""]
SOURCE = ["部门统计报表", "https://example.gov.cn/report"]
FIXED_DATE = (2024, 1, 1, 0, 0, 0)


def row(**changes) -> list[str]:
    """A copy of the good row (urbanisation, Zhejiang, 2024) with some cells changed by header name."""
    cells = ["3", "常住人口城镇化率", "浙江省", "plan", "2024", "75.5", "", "%", *SOURCE, ""]
    for name, value in changes.items():
        cells[HEADER.index(name)] = value
    return cells


def csv_text(*rows, newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue()


def table(*rows) -> str:
    """The header, the good row and ``rows`` as CSV text."""
    return csv_text(HEADER, GOOD, *rows)


# ---------------------------------------------------------------- xlsx helpers


def workbook_bytes(book) -> bytes:
    """The saved workbook, the same bytes on every run (openpyxl stamps the time of saving)."""
    out = io.BytesIO()
    book.save(out)
    stamp = "2024-01-01T00:00:00Z"
    return rezip(out.getvalue(), edit_member("docProps/core.xml", lambda t: re.sub(
        r"(<dcterms:(created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + stamp, t)))


def rezip(data: bytes, edit=None, extra: dict | None = None, drop=()) -> bytes:
    """The zip ``data`` written again with fixed dates; ``edit(name, bytes)`` may change a member,
    ``extra`` adds members (after the others), ``drop`` leaves some out."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            body = source.read(info.filename)
            if edit is not None:
                body = edit(info.filename, body)
            target.writestr(zipfile.ZipInfo(info.filename, FIXED_DATE), body, zipfile.ZIP_DEFLATED)
        for name, body in (extra or {}).items():
            target.writestr(zipfile.ZipInfo(name, FIXED_DATE), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_of(*rows, book=None, title="Sheet"):
    """A workbook whose sheet holds ``rows`` (the header and good row first); numbers as numbers."""
    from openpyxl import Workbook

    book = book or Workbook()
    sheet = book.active
    sheet.title = title
    for line in (HEADER, GOOD, *rows):
        sheet.append([_typed(v) for v in line])
    return book, sheet


def _typed(value):
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value) if "." in value else int(value)
    return value


def edit_member(name: str, change):
    """An ``edit`` for :func:`rezip` changing one member's text."""
    def edit(member, body):
        return change(body.decode("utf-8")).encode("utf-8") if member == name else body
    return edit


def shared_strings(data: bytes) -> bytes:
    """The workbook with its inline strings moved to ``xl/sharedStrings.xml``, as Excel writes them."""
    strings: list[str] = []

    def to_shared(text: str) -> str:
        def one(match):
            strings.append(match.group(2))
            return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'
        return re.sub(r'<c r="([A-Z]+\d+)"[^>]*t="inlineStr"[^>]*><is><t[^>]*>(.*?)</t></is></c>', one, text)

    data = rezip(data, edit_member("xl/worksheets/sheet1.xml", to_shared))
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           f'count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    rel = ('<Relationship Id="rIdSST" Target="sharedStrings.xml" '
           'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>')
    kind = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/>')
    data = rezip(data, edit_member("xl/_rels/workbook.xml.rels", lambda t: t.replace("</Relationships>", rel + "</Relationships>")))
    data = rezip(data, edit_member("[Content_Types].xml", lambda t: t.replace("</Types>", kind + "</Types>")))
    return rezip(data, extra={"xl/sharedStrings.xml": sst.encode("utf-8")})


def set_dimension(data: bytes, ref: str) -> bytes:
    return rezip(data, edit_member("xl/worksheets/sheet1.xml",
                                   lambda t: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', t)))


def ole_file(*stream_names: str) -> bytes:
    """A stand-in for an OLE2 compound file (.xls, or an .xlsx encrypted with a password): the
    signature and the names of its streams in UTF-16, which is all the reader looks at."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    for name in stream_names:
        body += name.encode("utf-16-le").ljust(64, b"\x00") + bytes(64)
    return body.ljust(4096, b"\x00")


# ---------------------------------------------------------------- the committed files


def _merged_region() -> bytes:
    book, sheet = sheet_of(row(地区="温州市", 数值="84"), row(地区=None, 数值="99.9"), row(地区=None, 年份="2022"))
    del sheet  # the rows after the good one: 温州市 merged over C3:C5
    book.active.merge_cells("C3:C5")
    return workbook_bytes(book)


def _merged_header() -> bytes:
    book, sheet = sheet_of(row(年份="n/a"))
    sheet["G1"] = None
    sheet.merge_cells("F1:G1")
    return workbook_bytes(book)


def _formula() -> bytes:
    book, sheet = sheet_of(row())
    sheet["F3"] = "=80+0"  # openpyxl writes the formula without a saved result
    return workbook_bytes(book)


def _percent_year() -> bytes:
    book, sheet = sheet_of(row())
    sheet["E3"].number_format = "0%"
    return workbook_bytes(book)


def _date_year() -> bytes:
    book, sheet = sheet_of(row())
    sheet["E3"] = datetime(2023, 1, 1)
    sheet["E3"].number_format = "yyyy-mm-dd"
    return workbook_bytes(book)


def _hidden_row() -> bytes:
    book, sheet = sheet_of(row(), row(年份="2022"))
    sheet.row_dimensions[3].hidden = True
    return workbook_bytes(book)


def _hidden_column() -> bytes:
    book, sheet = sheet_of(row(备注="见附表"))
    sheet.column_dimensions["K"].hidden = True
    return workbook_bytes(book)


def _hidden_first_sheet(state="hidden", title="Sheet") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet_of(row(), book=book, title=title)
    book.create_sheet("说明").append(["见第一个工作表"])
    book.active = 1
    book.worksheets[0].sheet_state = state
    return workbook_bytes(book)


def _chart_sheet_first(name="图表", only=False) -> bytes:
    from openpyxl.chart import BarChart, Reference

    book, sheet = sheet_of(row(数值="n/a"))
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=6, min_row=1, max_row=2))
    book.create_chartsheet(name, 0).add_chart(chart)
    data = workbook_bytes(book)
    if only:  # drop the worksheet from the workbook's list of sheets
        data = rezip(data, edit_member("xl/workbook.xml", lambda t: re.sub(r'<sheet name="Sheet"[^>]*/>', "", t)))
    return data


def _empty_first_sheet() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet"
    second = book.create_sheet("Sheet2")
    for line in (HEADER, GOOD):
        second.append([_typed(v) for v in line])
    return workbook_bytes(book)


def _number_text() -> bytes:
    book, sheet = sheet_of(row())
    sheet["F3"] = "742 "  # text, not a number; a trailing space
    return workbook_bytes(book)


def _stale_dimension() -> bytes:
    book, _ = sheet_of(row(), row(年份="2022", 数值="n/a"))
    return set_dimension(workbook_bytes(book), "A1:K2")


def _whole_sheet_dimension() -> bytes:
    book, _ = sheet_of(row(数值="n/a"))
    return set_dimension(workbook_bytes(book), "A1:XFD1048576")


def _error_value() -> bytes:
    book, sheet = sheet_of(row())
    sheet["F3"] = "#DIV/0!"  # openpyxl stores it as an error cell (t="e")
    return workbook_bytes(book)


def _doctype() -> bytes:
    bomb = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    book, _ = sheet_of(row())
    return rezip(shared_strings(workbook_bytes(book)),
                 edit_member("xl/sharedStrings.xml", lambda t: bomb + t.replace("<si><t>杭州市</t></si>", "<si><t>&d;</t></si>")))


def _bad_shared_index() -> bytes:
    book, _ = sheet_of(row())
    return rezip(shared_strings(workbook_bytes(book)),
                 edit_member("xl/worksheets/sheet1.xml", lambda t: t.replace('t="s"><v>0</v>', 't="s"><v>999</v>', 1)))


def _lying_directory() -> bytes:
    """The sheet's zip entry says it inflates to 100 bytes; it inflates to several thousand."""
    book, _ = sheet_of(*[row(年份=str(2015 + i % 10)) for i in range(30)])
    data = bytearray(workbook_bytes(book))
    name = b"xl/worksheets/sheet1.xml"
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # central and local headers
        at = data.find(signature)
        while at >= 0:
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_at:name_at + len(name)] == name:
                data[at + offset:at + offset + 4] = (100).to_bytes(4, "little")
            at = data.find(signature, at + 4)
    return bytes(data)


def _path_traversal() -> bytes:
    book, _ = sheet_of(row())
    return rezip(workbook_bytes(book), extra={"../../../tmp/evil.sh": b"#!/bin/sh\necho owned\n"})


def _duplicate_sheet_names() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet_of(row(), book=book, title="数据")
    book.create_sheet("数据2").append(["另一份"])
    return rezip(workbook_bytes(book), edit_member("xl/workbook.xml", lambda t: t.replace('name="数据2"', 'name="数据 "')))


def _control_in_xlsx_text() -> bytes:
    book, sheet = sheet_of(row())
    sheet["I3"] = "公报_x001B_[31m（红色）"  # Excel's escape for ESC, a terminal colour code
    return workbook_bytes(book)


def _long_text() -> bytes:
    book, _ = sheet_of(row(备注="注" * 12_000))
    return shared_strings(workbook_bytes(book))


def _beyond_columns() -> bytes:
    book, sheet = sheet_of(row())
    sheet["BA3"] = "多余"
    return workbook_bytes(book)


def _merged_to_sheet_end() -> bytes:
    book, _ = sheet_of(row(地区="温州市"))  # merged down to the last row Excel has (written as XML:
    merge = '</sheetData><mergeCells count="1"><mergeCell ref="C3:C1048576"/></mergeCells>'  # openpyxl would
    return rezip(workbook_bytes(book),                                # create a million cells)
                 edit_member("xl/worksheets/sheet1.xml", lambda t: t.replace("</sheetData>", merge)))


def _ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr(zipfile.ZipInfo("mimetype", FIXED_DATE), "application/vnd.oasis.opendocument.spreadsheet")
        target.writestr(zipfile.ZipInfo("content.xml", FIXED_DATE),
                        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return out.getvalue()


def _workbook_named_csv() -> bytes:
    book, _ = sheet_of(row())
    return workbook_bytes(book)


def _latin1() -> bytes:
    return ("indicator_id,region,year,value,source_title,source_url\n"
            "urbanisation_rate,Zhejiang,2023,74.2,Bureau,https://tjj.zj.gov.cn/\n"
            "urbanisation_rate,Zhejiang,2024,75.5,Statistique générale,https://insee.fr/\n").encode("latin-1")


def _mixed() -> bytes:
    return table().encode("utf-8") + csv_text(row(来源名称="省统计局年报")).encode("gbk")


# name: (bytes, options, expected fragments)
HOSTILE: dict[str, tuple] = {
    # other encodings and line ends
    "utf16_with_bom.csv": (lambda: table(row()).encode("utf-16"), "", "this file is UTF-16 && save it as 'CSV UTF-8"),
    "utf16be_with_bom.csv": (lambda: b"\xfe\xff" + table(row()).encode("utf-16-be"), "", "this file is UTF-16"),
    "utf32_with_bom.csv": (lambda: table(row()).encode("utf-32"), "", "this file is UTF-32"),
    "big5_traditional.csv": (lambda: "指標編號,指標名稱,地區,年份,數值,來源名稱\n3,常住人口城鎮化率,杭州市,2023,84.2,杭州市統計局\n".encode("big5"),
                             "", "第1行 && another encoding such as Big5"),
    "shift_jis.csv": (lambda: "指標番号,地域,年度,数値,出典\n3,東京都,2023,84.2,統計局ホームページ\n".encode("shift_jis"),
                      "", "another encoding such as Big5, Shift-JIS"),
    "latin1.csv": (_latin1, "", "latin1.csv 第3行 && another encoding such as Big5, Shift-JIS or Latin-1"),
    "mixed_utf8_and_gbk.csv": (_mixed, "", "第3行 && other lines are UTF-8, this one is not"),
    "bom_in_the_middle.csv": (lambda: b"\xef\xbb\xbf" + table().encode() + b"\xef\xbb\xbf" + table().encode(), "",
                              "第3行 && a byte-order mark only at the start"),
    "crlf_line_ends.csv": (lambda: csv_text(HEADER, GOOD, row(数值="n/a"), newline="\r\n").encode(), "",
                           "第3行 列 数值 (F) && 值 'n/a'"),
    "cr_only_line_ends.csv": (lambda: csv_text(HEADER, GOOD, row(数值="n/a"), newline="\r").encode(), "",
                              "第3行 列 数值 (F) && 值 'n/a'"),
    # cut short, badly quoted, too big
    "cut_inside_quoted_cell.csv": (lambda: (table() + '3,常住人口城镇化率,浙江省,plan,2024,75.5,,%,"2024年浙江省统计').encode(), "",
                                   "第3行 列 来源名称 (I) && a closing quote && cut short"),
    "cut_inside_last_row.csv": (lambda: (table() + "3,常住人口城镇化率,浙江省,plan,2024,75").encode(), "",
                                "第3行 列 数值 (F) && 值 '75' && seems cut short"),
    "text_after_closing_quote.csv": (lambda: (table() + '3,常住人口城镇化率,浙江省,plan,2024,75.5,,%,"公报"附件,https://a.cn/,\n').encode(),
                                     "", "第3行 列 来源名称 (I) && right after the closing quote"),
    "cell_of_12000_characters.csv": (lambda: table(row(备注="x" * 12_000)).encode(), "",
                                     "第3行 列 备注 (K) && at most 10000 characters"),
    "sixty_columns.csv": (lambda: csv_text([*HEADER, *[f"列{i}" for i in range(12, 61)]], GOOD).encode(), "",
                          "第1行 列 AY && 值 '列51' && at most 50 columns"),
    # injection
    "control_character_in_title.csv": (lambda: table(row(来源名称="公报\x1b[31m（红色）")).encode(), "",
                                       "第3行 列 来源名称 (I) && U+001B"),
    "rtl_override_in_region.csv": (lambda: table(row(地区="\u202e市州温")).encode(), "", "第3行 列 地区 (C) && U+202E"),
    "zero_width_space_in_region.csv": (lambda: table(row(地区="温州市\u200b")).encode(), "",
                                       "第3行 列 地区 (C) && 值 '温州市\\u200b'"),
    "zero_width_joiner_in_indicator_name.csv": (lambda: table(row(指标名称="常住人口\u200d城镇化率", 指标编号="")).encode(), "",
                                                "第3行 列 指标名称 (B) && 值 '常住人口\\u200d城镇化率'"),
    "formula_in_region.csv": (lambda: table(row(地区='=HYPERLINK("http://evil.example/","杭州市")')).encode(), "",
                              "第3行 列 地区 (C) && 值 '=HYPERLINK("),
    "dde_formula_in_value.csv": (lambda: table(row(数值="=cmd|' /C calc'!A0")).encode(), "",
                                 "第3行 列 数值 (F) && a number such as 74.2"),
    "formula_in_year.csv": (lambda: table(row(年份="@SUM(2020+3)")).encode(), "", "第3行 列 年份 (E) && 值 '@SUM(2020+3)'"),
    "formula_in_unit.csv": (lambda: table(row(单位="+%")).encode(), "", "第3行 列 单位 (H) && 值 '+%'"),
    "formula_in_series.csv": (lambda: table(row(口径="-2+3")).encode(), "", "第3行 列 口径 (D) && 值 '-2+3'"),
    "formula_in_qualifier.csv": (lambda: table(row(限定符="=≈")).encode(), "", "第3行 列 限定符 (G) && 值 '=≈'"),
    "javascript_url.csv": (lambda: table(row(来源链接="javascript:alert(document.cookie)")).encode(), "",
                           "第3行 列 来源链接 (J) && 值 'javascript:alert(document.cookie)' && starting with http:// or https://"),
    "data_url.csv": (lambda: table(row(来源链接="data:text/html,<script>alert(1)</script>")).encode(), "",
                     "第3行 列 来源链接 (J) && starting with http:// or https://"),
    "overlong_url.csv": (lambda: table(row(来源链接="https://example.gov.cn/" + "a" * 12_000)).encode(), "",
                         "第3行 列 来源链接 (J) && at most 10000 characters"),
    "html_in_indicator_name.csv": (lambda: table(row(指标编号="", 指标名称="<script>alert(1)</script>")).encode(), "",
                                   "第3行 列 指标名称 (B) && 值 '<script>alert(1)</script>'"),
    # not what the name says
    "workbook_named_csv.csv": (_workbook_named_csv, "", "this is an Excel workbook: name it .xlsx"),
    "macro_workbook.xlsm": (_workbook_named_csv, "", "值 '.xlsm' && macros are never read"),
    "old_excel.xls": (lambda: ole_file("Workbook"), "", "值 '.xls' && save the Excel 97–2003 workbook as .xlsx"),
    "opendocument.ods": (_ods, "", "值 '.ods' && save the OpenDocument spreadsheet as .xlsx"),
    "ods_renamed.xlsx": (_ods, "", "OpenDocument spreadsheet named .xlsx"),
    "xls_renamed.xlsx": (lambda: ole_file("Workbook"), "", "Excel 97–2003 (.xls) file named .xlsx"),
    "encrypted_with_password.xlsx": (lambda: ole_file("EncryptionInfo", "EncryptedPackage"), "",
                                     "encrypted with a password"),
    "empty.xlsx": (lambda: b"", "", "值 '0 字节 (0 bytes)' && the file is empty"),
    # spreadsheet tricks
    "zip_path_traversal.xlsx": (_path_traversal, "", "值 '../../../tmp/evil.sh' && plain relative names"),
    "duplicate_sheet_names.xlsx": (_duplicate_sheet_names, "", "sheet names that differ"),
    "formula_without_saved_result.xlsx": (_formula, "", "第3行 列 数值 (F) && 值 '=80+0' && a formula's saved result"),
    "percent_formatted_year.xlsx": (_percent_year, "", "第3行 列 年份 (E) && 值 '202400%'"),
    "date_in_year_column.xlsx": (_date_year, "", "第3行 列 年份 (E) && 值 '2023-01-01'"),
    "merged_header_cells.xlsx": (_merged_header, "", "第1行 列 数值 (G) && already given as 数值 (F)"),
    "merged_region_over_three_rows.xlsx": (_merged_region, "--replace",
                                           "第4行 列 年份 (E) && 值 '2024' && not a repeat of row 3"),
    "hidden_row.xlsx": (_hidden_row, "", "第3行 && this row is hidden"),
    "hidden_column.xlsx": (_hidden_column, "", "第3行 列 备注 (K) && this column is hidden"),
    "hidden_first_sheet.xlsx": (_hidden_first_sheet, "", "值 'Sheet' && is hidden"),
    "very_hidden_data_sheet.xlsx": (lambda: _hidden_first_sheet("veryHidden", "数据"), "", "值 '数据' && is hidden"),
    "chart_sheet_first.xlsx": (_chart_sheet_first, "", "第3行 列 数值 (F) && 值 'n/a'"),
    "chart_sheet_named_data.xlsx": (lambda: _chart_sheet_first("数据"), "", "值 '数据' && as a worksheet"),
    "only_a_chart_sheet.xlsx": (lambda: _chart_sheet_first(only=True), "", "holds charts only"),
    "empty_first_sheet.xlsx": (_empty_first_sheet, "", "值 'Sheet' && is empty"),
    "number_as_text_with_trailing_space.xlsx": (_number_text, "", "第3行 列 数值 (F) && 值 '742 ' && from 0 to 100"),
    "stale_dimension.xlsx": (_stale_dimension, "", "第4行 列 数值 (F) && 值 'n/a'"),
    "dimension_of_the_whole_sheet.xlsx": (_whole_sheet_dimension, "", "第3行 列 数值 (F) && 值 'n/a'"),
    "excel_error_value.xlsx": (_error_value, "", "第3行 列 数值 (F) && 值 '#DIV/0!' && not an Excel error"),
    "doctype_entities.xlsx": (_doctype, "", "xl/sharedStrings.xml && XML without a DOCTYPE"),
    "shared_text_out_of_range.xlsx": (_bad_shared_index, "", "值 'A1: 999' && shared-text numbers that exist"),
    "zip_directory_lies.xlsx": (_lying_directory, "", "xl/worksheets/sheet1.xml && this part is damaged"),
    "control_character_in_xlsx_text.xlsx": (_control_in_xlsx_text, "", "第3行 列 来源名称 (I) && U+001B"),
    "cell_of_12000_characters.xlsx": (_long_text, "", "第3行 列 备注 (K) && at most 10000 characters"),
    "value_beyond_column_50.xlsx": (_beyond_columns, "", "第3行 列 BA && 值 '多余' && at most 50 columns"),
    "merged_range_to_the_sheet_end.xlsx": (_merged_to_sheet_end, "", "第3行 列 地区 (C) && merged range within 10000 rows"),
    # the script itself, handed to the importer
    "make_hostile.py": (None, "", "值 '.py' && a .csv or .xlsx file"),
}


def write(folder: Path = HERE) -> list[str]:
    """Write every file of :data:`HOSTILE` into ``folder``; return the names written."""
    written = []
    for name, (build, _options, _expected) in HOSTILE.items():
        if build is not None:
            (folder / name).write_bytes(build())
            written.append(name)
    return written


def append_expected(folder: Path = HERE) -> list[str]:
    """Add the rows of :data:`HOSTILE` that ``expected.csv`` lacks; return their names."""
    path = folder / "expected.csv"
    with open(path, encoding="utf-8", newline="") as f:
        known = {r["file"] for r in csv.DictReader(f)}
    missing = [name for name in HOSTILE if name not in known]
    with open(path, "a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for name in missing:
            writer.writerow([name, HOSTILE[name][1], HOSTILE[name][2]])
    return missing


# ---------------------------------------------------------------- built at test time


def deflate_bomb(path: Path, inflated: int = 1 << 30) -> Path:
    """An .xlsx whose sheet is ``inflated`` bytes (1 GiB) of one repeated byte: about 1 MB on disk."""
    book, _ = sheet_of(row())
    data = workbook_bytes(book)
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                entry = zipfile.ZipInfo(info.filename, FIXED_DATE)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with target.open(entry, "w", force_zip64=True) as out:
                    block = b" " * (1 << 20)
                    for _ in range(inflated // len(block)):
                        out.write(block)
            else:
                target.writestr(zipfile.ZipInfo(info.filename, FIXED_DATE), source.read(info.filename),
                                zipfile.ZIP_DEFLATED)
    return path


def many_parts(path: Path, parts: int = 2_000) -> Path:
    book, _ = sheet_of(row())
    path.write_bytes(rezip(workbook_bytes(book), extra={f"customXml/item{i}.xml": b"<a/>" for i in range(parts)}))
    return path


def rows_csv(path: Path, rows: int = 1_000_000, line: str = "1\n") -> Path:
    """A CSV of ``rows`` lines (a million one-cell rows: 2 MB)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join(HEADER) + "\n")
        out.write(line * rows)
    return path


def wide_csv(path: Path, columns: int = 5_000) -> Path:
    path.write_text(csv_text([f"列{i}" for i in range(columns)], ["1"] * columns), encoding="utf-8")
    return path


def wide_xlsx(path: Path, columns: int = 5_000) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append([f"列{i}" for i in range(columns)])
    path.write_bytes(workbook_bytes(book))
    return path


def long_rows_xlsx(path: Path, rows: int = 10_001) -> Path:
    book, sheet = sheet_of()
    for i in range(rows - 1):
        sheet.append([3, None, "杭州市", "plan", 2023, 84.2])
    path.write_bytes(workbook_bytes(book))
    return path


def huge_cell_csv(path: Path, chars: int = 200_000) -> Path:
    path.write_text(table(row(备注="长" * chars)), encoding="utf-8")
    return path


def big_file(path: Path, size: int) -> Path:
    """A CSV of ``size`` bytes of valid-looking rows."""
    line = ",".join(row()) + "\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join(HEADER) + "\n")
        out.write(line * (size // len(line.encode()) + 1))
    return path


if __name__ == "__main__":
    names = write()
    added = append_expected()
    print(f"wrote {len(names)} files; added {len(added)} rows to expected.csv", file=sys.stderr)
