"""The workbook and the Word document read back (openpyxl, python-docx): their headings, their
values equal to the engine's, number formats, fonts, print set-up; the contradiction checks catch
a defect of issue 14 put back (imported text that would be a formula: tests/test_formula_safety.py).

They are read from the reviews built once per session (tests/conftest.py: ``built_review``, the
same reviews tests/test_report_pages.py walks for contradictions, prints and photographs); a defect
put back is built in process.
"""

from __future__ import annotations


import pytest
from docx import Document
from openpyxl import load_workbook

from plananalysis.context import review_context
from plananalysis.params import validate
from plananalysis.present import format as fmt
from plananalysis.present import glossary
from plananalysis.present.signals import signals
from plananalysis.present.tables import progress_view
from plananalysis.publish import workbook as workbook_module
from plananalysis.publish.document import chapter_numbers, write_document
from plananalysis.publish.workbook import FONT, write_workbook

from .contradictions import check_document, check_workbook

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


READ = [(2023, "zh"), (2025, "en")]


@pytest.fixture(scope="module")
def books(built_review):
    """The reviews' workbooks (``scorecard.xlsx``: :func:`~plananalysis.publish.workbook.write_workbook`)."""
    return {key: folder / "scorecard.xlsx" for key, folder in zip(READ, built_review.many(READ))}


@pytest.fixture(scope="module")
def documents(built_review):
    """The reviews' Word documents (:func:`~plananalysis.publish.document.draft_document`, finished)."""
    return {key: next(folder.glob("*-review.docx")) for key, folder in zip(READ, built_review.many(READ))}


def _years(review):
    period = review.plan.info.previous["period"]
    return {"phase": review.params.phase, "base_year": review.plan.base_year, "end_year": review.plan.target_year,
            "lang": review.lang, "previous": (period["base_year"], period["end"])}


# ---------------------------------------------------------------- the workbook


def test_the_workbook_holds_the_engines_numbers_as_numbers(books):
    review = review_context(as_of=2023)
    book = load_workbook(books[(2023, "zh")])
    assert book.sheetnames == ["主要指标进度", "计算明细", "章节量化目标", "上期规划回顾", "一致性检查", "观测数据", "来源", "说明"]
    sheet = book["主要指标进度"]
    header = [c.value for c in sheet[1]]
    column = {h: i + 1 for i, h in enumerate(header)}
    assert {"最新值", "最新年份", "完成目标进度P", "评估结论", "判断数值", "预计2025年"} <= set(header)
    found = signals(review.progress)
    for i, row in enumerate(review.progress.itertuples(), start=2):
        assert sheet.cell(i, column["指标"]).value == row.name_zh
        latest = sheet.cell(i, column["最新值"])
        assert latest.value == fmt.rounded(row.latest_value, row.unit), row.name_zh
        if latest.value is not None:
            assert isinstance(latest.value, (int, float)) and latest.number_format == fmt.excel_format(row.latest_value, row.unit)
            assert sheet.cell(i, column["最新年份"]).value == int(row.latest_year)
            assert sheet.cell(i, column["最新年份"]).number_format == "0"
        p = sheet.cell(i, column["完成目标进度P"])
        if not fmt.is_missing(row.completion_share):
            assert p.value == pytest.approx(row.completion_share, abs=1e-4) and p.number_format == "0%"
        status = sheet.cell(i, column["评估结论"])
        assert status.value == found.loc[i - 2, "label"]
        colour = found.loc[i - 2, "colour"].lstrip("#").upper()
        if colour != "FFFFFF":
            assert status.fill.fgColor.rgb.endswith(colour)
    urban = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column["指标"]).value == "常住人口城镇化率")
    assert sheet.cell(urban, column["最新值"]).value == 74.2 and sheet.cell(urban, column["最新值"]).number_format == "0.0"
    assert sheet.cell(urban, column["评估结论"]).value == "快于预期"


def test_the_workbook_reads_and_prints_well(books):
    review = review_context(as_of=2023)
    book = load_workbook(books[(2023, "zh")])
    for sheet in book.worksheets:
        assert sheet.freeze_panes in ("B2", "C2"), sheet.title            # header row and first column(s)
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"   # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (1, 2)   # at most two pages wide
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1"
        assert review.plan.title in sheet.oddHeader.center.text
        assert "&P" in sheet.oddFooter.right.text and "&N" in sheet.oddFooter.right.text
        assert "生成日期" in sheet.oddFooter.left.text
        fonts = {cell.font.name for line in sheet.iter_rows() for cell in line}
        assert fonts == {FONT}, (sheet.title, fonts)
        widths = {sheet.column_dimensions[c.column_letter].width for c in sheet[1]}
        assert len(widths) > 1 or sheet.max_column <= 2, sheet.title     # fitted, not all 16
    sheet = book["主要指标进度"]
    reason = [c for c in sheet[1] if c.value == "依据"][0].column
    assert sheet.cell(2, reason).alignment.wrap_text
    assert sheet.column_dimensions[sheet.cell(1, reason).column_letter].width <= 53


def test_the_english_workbook_has_english_headers(books):
    review = review_context(as_of=2025, lang="en")
    path = books[(2025, "en")]
    book = load_workbook(path)
    assert book.sheetnames[:2] == ["Indicators", "Calculation"]
    header = [c.value for c in book["Indicators"][1]]
    assert "Projected 2025" not in header and "Time elapsed E" not in header    # a final review
    assert check_workbook(path, **_years(review)) == []


def test_the_workbook_check_fails_on_the_old_defects(books, tmp_path, monkeypatch):
    review = review_context(as_of=2023)
    assert check_workbook(books[(2023, "zh")], **_years(review)) == []
    # numbers stored as text ("116.3（2023）") and machine headers in English, as the old writer did
    original = workbook_module.progress_sheet

    def old(review):
        sheet = original(review)
        latest = [c for c in sheet.frame.columns if c == "最新值"][0]
        sheet.frame[latest] = [fmt.value_text(v, u, y) for v, u, y in
                               zip(review.progress["latest_value"], review.progress["unit"], review.progress["latest_year"])]
        sheet.kinds[latest] = "text"
        sheet.frame = sheet.frame.rename(columns={"序号": "no"})
        return sheet

    monkeypatch.setitem(workbook_module.SHEETS, "progress", old)
    path = write_workbook(tmp_path / "old.xlsx", validate(as_of=2023))
    found = check_workbook(path, **_years(review))
    assert any("holds text" in p for p in found), found
    assert any("English header 'no'" in p for p in found), found


# ---------------------------------------------------------------- the Word document


def _fonts(style_element) -> dict:
    fonts = style_element.find(f"{_W}rPr/{_W}rFonts")
    return {k.split("}")[1]: v for k, v in fonts.attrib.items()}


def test_the_word_document_reads_back(documents):
    review = review_context(as_of=2023)
    doc = Document(str(documents[(2023, "zh")]))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、总体评价", "二、主要指标完成情况", "三、主要任务进展", "四、重大工程项目", "五、存在的主要问题",
                        "六、下一步工作建议", "附件"]
    chapters = [p.text for p in doc.paragraphs if p.style.name == "Heading 2" and p.text.startswith("第")]
    numbers = sorted(set(int(c) for c in review.plan.tasks["chapter"]) | set(chapter_numbers(review)))
    assert chapters == [review.plan.chapter(n).title("zh") for n in numbers]
    assert any(p.style.name == "Title" and p.text == review.plan.title for p in doc.paragraphs)
    from plananalysis.present.narrative import headline, problems

    assert headline(review) in [p.text for p in doc.paragraphs]
    texts = "\n".join(p.text for p in doc.paragraphs)
    for item in problems(review):
        assert item["title"] in texts     # in the draft of 五、存在的主要问题
    # the main table: the reader's view of the engine's table, cell for cell, statuses in colour
    view = progress_view(review.progress, "zh", base_year=review.plan.base_year, target_year=review.plan.target_year)
    table = next(t for t in doc.tables if [c.text.replace("\u2060", "") for c in t.rows[0].cells] == list(view.columns))
    assert len(table.rows) == len(view) + 1     # 附件1, the whole table
    found = signals(review.progress)
    status_col = list(view.columns).index("评估结论")
    for i, row in enumerate(table.rows[1:]):
        assert [c.text.replace("\u2060", "") for c in row.cells] == [fmt.MISSING if fmt.is_missing(v) else str(v) for v in view.iloc[i]]
        colour = found.loc[i, "colour"].lstrip("#").upper()
        shading = row.cells[status_col]._tc.find(f"{_W}tcPr/{_W}shd")
        if colour != "FFFFFF":
            assert shading is not None and shading.get(f"{_W}fill") == colour
    assert table.rows[0]._tr.find(f"{_W}trPr/{_W}tblHeader") is not None     # repeated on every page
    # named Chinese fonts (no theme font left) and A4 pages; the table on a landscape page
    styles = doc.styles
    assert _fonts(styles["Normal"].element)["eastAsia"] == "宋体"
    assert _fonts(styles["Heading 1"].element)["eastAsia"] == "黑体"
    assert not any(k.endswith("Theme") for k in _fonts(styles["Heading 1"].element))
    assert round(doc.sections[0].page_width.cm, 1) == 21.0 and round(doc.sections[0].page_height.cm, 1) == 29.7
    assert doc.sections[1].orientation.name == "LANDSCAPE" and doc.sections[2].orientation.name == "PORTRAIT"
    # the charts of the chapters as images
    from plananalysis.present import figures

    charts = sum(len(figures.trajectories(c, c.chapter_progress()["indicator_id"])[0])
                 for c in (review.for_chapter(n) for n in chapter_numbers(review)))
    assert len(doc.inline_shapes) == charts and charts > 0


def test_the_english_document_is_english_and_final(documents):
    review = review_context(as_of=2025, lang="en")
    path = documents[(2025, "en")]
    doc = Document(str(path))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][0] == "1. Overall assessment"
    assert "Projected" not in " ".join(c.text for t in doc.tables for c in t.rows[0].cells)
    assert check_document(path, lang="en", phase="final", base_year=review.plan.base_year,
                          end_year=review.plan.target_year) == []


def test_the_document_check_fails_on_chinese_left_in_english(documents, tmp_path, monkeypatch):
    review = review_context(as_of=2025, lang="en")
    monkeypatch.setattr(glossary, "target_wording", lambda printed, lang="en", unit="": str(printed))
    monkeypatch.setattr(glossary, "unit_name", lambda unit, lang="zh": "" if unit is None else str(unit))
    path = write_document(tmp_path / "old.docx", validate(as_of=2025, lang="en"))
    found = check_document(path, lang="en", phase="final", base_year=review.plan.base_year,
                           end_year=review.plan.target_year)
    assert any("Chinese outside a name" in p and "左右" in p for p in found), found[:5]


def test_the_chinese_document_has_no_contradiction(documents):
    review = review_context(as_of=2023)
    assert check_document(documents[(2023, "zh")], lang="zh", phase="midterm", base_year=review.plan.base_year,
                          end_year=review.plan.target_year) == []
