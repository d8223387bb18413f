"""The review as the commission files it (issue 20, items 3, 4 and 7): the Word document in the
official structure read back, the drafts written from the data, the departments' task statements
under their chapters, the commission's own text taken verbatim, the one-page brief.

Built in process from the review's context, without notebooks (a document takes seconds): a
mid-term review of a copy of the plan folder that holds TEST statements and a TEST paragraph of the
commission (written here, clearly not real returns), and the default plan's final review in
English.  Rendered pages (LibreOffice → PNG) go to test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from plananalysis.context import review_context
from plananalysis.errors import PlanDataError
from plananalysis.observed.statements import COLUMNS, STATEMENTS_FILE, load_statements, read_statements
from plananalysis.params import validate
from plananalysis.plan.folder import load_plan
from plananalysis.present.review_text import DRAFT_MARK, book_title, section_keys, section_text, text_path
from plananalysis.publish.brief import brief_content
from plananalysis.publish.document import HEADINGS, chapter_numbers, write_document

from .browser import ARTIFACTS

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
JOINER = "\u2060"
#: an id (ch10-t01, ch03-z01-02) or a code name (urban_new_jobs) — never in a document's text
ID = re.compile(r"\bch\d{2}-[a-z]\d{2}|\b[a-z]+_[a-z0-9_]+\b")
MARK = "【测试数据，非真实报送】"
#: TEST statements (clearly marked): one task behind schedule in chapter 9, one done in chapter 3,
#: a major project not started
STATEMENTS = [
    ("ch09-z13-02", "滞后", f"{MARK}机构布局优化行动完成年度计划的60%", "新增认知障碍照护床位1200张（2023年）",
     "用地指标不足", "测试文件A", "civil-affairs", "2024-03-01", "a" * 64, "department"),
    ("ch03-s01", "已完成", f"{MARK}人口长期发展战略已制定", "", "", "测试文件B", "health", "2024-02-15", "b" * 64,
     "department"),
]
COMMISSION = "# 总体评价\n\n" + MARK + "规划实施总体顺利，<b>不是标记</b>。\n"


def _plain(text: str) -> str:
    return text.replace(JOINER, "")


@pytest.fixture(scope="module")
def plan_copy(tmp_path_factory):
    """A copy of the default plan folder with TEST statements and a TEST commission paragraph."""
    folder = tmp_path_factory.mktemp("plan") / "zj-social-14th"
    shutil.copytree(load_plan().folder, folder)
    lines = [",".join(COLUMNS)] + [",".join(f'"{v}"' for v in row) for row in STATEMENTS]
    (folder / STATEMENTS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = text_path(folder, 2023, "overall")
    path.parent.mkdir(parents=True)
    path.write_text(COMMISSION, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def documents(plan_copy, tmp_path_factory, built_review):
    """The 2023 document of the plan copy (its TEST statements), written here; the 2025 English
    one as the review wrote it (the run's shared review, tests/conftest.py)."""
    folder = tmp_path_factory.mktemp("docs")
    return {"2023-zh": write_document(folder / "review-2023.docx", validate(plan=str(plan_copy), as_of=2023)),
            "2025-en": next(built_review(2025, "en").glob("*-review.docx"))}


def _reviews(plan_copy):
    return {"2023-zh": review_context(plan=str(plan_copy), as_of=2023), "2025-en": review_context(as_of=2025, lang="en")}


def _texts(doc) -> list[str]:
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        out += [c.text for row in table.rows for c in row.cells]
    for section in doc.sections:
        out += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return [_plain(t) for t in out]


# ---------------------------------------------------------------- statements and text


def test_statements_load_empty_without_a_file_and_check_each_field(tmp_path, plan_copy):
    assert load_statements(load_plan()).empty
    assert list(load_statements(load_plan()).columns) == COLUMNS
    rows = load_statements(load_plan(str(plan_copy)))
    assert rows["task_id"].tolist() == ["ch09-z13-02", "ch03-s01"]
    good = dict(zip(COLUMNS, STATEMENTS[0]))
    for column, value, expected in (("status", "延后", "之一"), ("task_id", "ch99-s01", "tasks.csv"),
                                    ("progress_text", "=1+1", "formula"), ("progress_text", "长" * 1001, "1000"),
                                    ("department_id", "nobody", "departments.csv"), ("reported_on", "2024/3/1", "YYYY-MM-DD"),
                                    ("source", "rumour", "department")):
        path = tmp_path / f"{column}.csv"
        row = {**good, column: value}
        path.write_text(",".join(COLUMNS) + "\n" + ",".join(f'"{row[c]}"' for c in COLUMNS) + "\n", encoding="utf-8")
        plan = load_plan()
        with pytest.raises(PlanDataError) as error:
            read_statements(path, task_ids=plan.tasks["task_id"], department_ids=plan.departments["department_id"])
        assert error.value.row == 2 and error.value.column == column and expected in str(error.value), str(error.value)


def test_the_drafts_name_numbers_or_a_statement(plan_copy):
    """Every drafted sentence names a number (a value, a year, a count) or a department's
    statement (its department and date) — no generic filler."""
    seen = 0
    for review in _reviews(plan_copy).values():
        chapters = sorted(set(int(c) for c in review.plan.tasks["chapter"]) | set(chapter_numbers(review)))
        for key in section_keys(chapters):
            text = section_text(review, key)
            if not text.draft:
                continue
            for sentence in text.paragraphs:
                seen += 1
                assert re.search(r"\d", sentence), (key, sentence)
    assert seen > 40


def test_the_drafts_carry_what_the_review_must_say(plan_copy):
    review = _reviews(plan_copy)["2023-zh"]
    problems = " ".join(section_text(review, "problems").paragraphs)
    # a task reported behind schedule, with its department and date (the TEST statement)
    assert "省民政厅报告（2024-03-01）：专栏13之2 机构布局优化行动滞后" in problems
    # the previous plan's unmet shares that recur, with the 13th plan's numbers
    assert "文化及相关产业增加值占GDP比重未完成（2020年7.54%，完成目标进度80%" in problems
    assert "旅游" in problems
    # the base conflicts the audit rates high, with both numbers
    assert "审计评为“高”" in problems and "7.54" in problems and "6.6" in problems
    steps = " ".join(section_text(review, "next-steps").paragraphs)
    assert "是否调整指标" in steps and "高等教育毛入学率提前实现（2023年67.5%" in steps
    assert "预警：“环浙步道”滞后（2023年>5600公里" in steps and "预警：省民政厅报告（2024-03-01）" in steps
    # the commission's own paragraph: verbatim, not a draft, markup kept as text
    overall = section_text(review, "overall")
    assert not overall.draft and overall.paragraphs == ["总体评价", MARK + "规划实施总体顺利，<b>不是标记</b>。"]


def test_book_titles_nest():
    assert book_title("省发展改革委关于印发《浙江省社会发展“十四五”规划》的通知") == \
        "《省发展改革委关于印发〈浙江省社会发展“十四五”规划〉的通知》"


# ---------------------------------------------------------------- the Word document read back


@pytest.mark.parametrize("key", ["2023-zh", "2025-en"])
def test_the_document_has_the_official_structure(documents, plan_copy, key):
    review = _reviews(plan_copy)[key]
    lang = review.lang
    doc = Document(str(documents[key]))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [HEADINGS[k][lang == "en"] for k in HEADINGS]
    level2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert ("与中期评估相比" in level2 or "Compared with the mid-term review" in level2) == (review.params.phase == "final")
    chapters = [review.plan.chapter(n).title(lang) for n in
                sorted(set(int(c) for c in review.plan.tasks["chapter"]) | set(chapter_numbers(review)))]
    assert [h for h in level2 if h in chapters] == chapters
    # the title page: plan, review, 编制单位, a date (no method, no generation stamp)
    first = [p.text for p in doc.paragraphs[:30] if p.text.strip()]
    assert first[0] == review.plan.title_in(lang)
    assert ("浙江省发展和改革委员会" if lang == "zh" else "Zhejiang Provincial Development and Reform Commission") in first
    texts = "\n".join(_texts(doc))
    assert "序时进度（国内）" not in texts and "生成日期" not in texts and "Generated" not in texts
    # a table of contents field
    assert any(' TOC ' in (e.text or "") for e in doc.element.body.iter(f"{_W}instrText"))
    # no id or code name anywhere (links aside)
    assert not [t for t in _texts(doc) if ID.search(re.sub(r"https?://\S+", "", t))], \
        [t for t in _texts(doc) if ID.search(re.sub(r"https?://\S+", "", t))][:5]


@pytest.mark.parametrize("key", ["2023-zh", "2025-en"])
def test_the_indicator_table_equals_the_results_table(documents, plan_copy, key):
    review = _reviews(plan_copy)[key]
    doc = Document(str(documents[key]))
    found = review.indicator_results()
    header = [review.t("序号", "No."), review.t("指标", "Indicator")]
    table = next(t for t in doc.tables if [_plain(c.text) for c in t.rows[0].cells][:2] == header
                 and len(t.rows[0].cells) == 6)
    rows = [[_plain(c.text) for c in row.cells] for row in table.rows[1:]]
    assert [r[1] for r in rows] == found["name"].tolist()
    assert [r[3] for r in rows] == found["latest"].tolist()
    assert [r[4] for r in rows] == [v or "—" for v in found["shown"].fillna("")]
    assert [r[5] for r in rows] == found["label"].tolist()
    # numbers and years kept together inside cells
    cell = next(c for row in table.rows[1:] for c in row.cells if re.search(r"\d{4}", _plain(c.text)))
    year = re.search(r"\d{4}", _plain(cell.text)).group()
    assert JOINER.join(year) in cell.text


def test_the_final_review_says_what_changed_since_the_midterm(documents):
    from plananalysis.publish.document import since_midterm

    review = review_context(as_of=2025, lang="en")
    midterm = review_context(as_of=2023, lang="en").results.set_index("id")
    changes = since_midterm(review)
    expected = [r["name"] for _, r in review.indicator_results().iterrows()
                if midterm.loc[r["id"], "undated"] != r["undated"]]
    assert changes.iloc[:, 0].tolist() == expected and expected
    doc = Document(str(documents["2025-en"]))
    table = next(t for t in doc.tables if _plain(t.rows[0].cells[1].text) == "Mid-term (2023)")
    assert [_plain(r.cells[0].text) for r in table.rows[1:]] == expected


def test_chinese_is_tagged_zh_cn(documents):
    import zipfile

    for path in documents.values():
        with zipfile.ZipFile(path) as z:
            xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
        assert "ja-JP" not in xml
        assert re.search(r'<w:themeFontLang [^>]*w:eastAsia="zh-CN"', xml)


def test_statements_show_under_their_chapter_with_the_department(documents, plan_copy):
    doc = Document(str(documents["2023-zh"]))
    review = _reviews(plan_copy)["2023-zh"]
    chapter9 = review.plan.chapter(9).title("zh")
    chapter10 = review.plan.chapter(10).title("zh")
    from docx.table import Table

    def text(block):
        if isinstance(block, Table):
            return " | ".join(c.text for row in block.rows for c in row.cells)
        return block.text

    body = [_plain(text(b)) for b in doc.iter_inner_content()]
    inside = body[body.index(chapter9):body.index(chapter10)]
    table = next(t for t in inside if "机构布局优化行动" in t and " | " in t)
    assert "专栏13之2 机构布局优化行动 | 省民政厅 | 滞后 | 省民政厅（2024-03-01）：" + MARK in table
    # the commission's own 总体评价, verbatim, without the draft mark; the other sections drafted
    texts = [p.text for p in doc.paragraphs]
    overall = texts.index("一、总体评价")
    assert texts[overall + 2] == MARK + "规划实施总体顺利，<b>不是标记</b>。"
    assert DRAFT_MARK["zh"] not in texts[overall:overall + 3]
    assert texts.count(DRAFT_MARK["zh"]) >= 3


# ---------------------------------------------------------------- the one-page brief


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


def _need(*commands):
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed")


def _soffice_pdf(*paths: Path, out: Path, profile: Path):
    """The documents laid out by LibreOffice as PDF files in ``out`` (one start of LibreOffice for
    all): the PDF's path for one document, ``{name without suffix: path}`` for several."""
    result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                             "--outdir", str(out), *map(str, paths)], capture_output=True, text=True, timeout=300)
    converted = {path.stem: out / path.with_suffix(".pdf").name for path in paths}
    assert all(pdf.exists() for pdf in converted.values()), result.stdout + result.stderr
    return converted[paths[0].stem] if len(paths) == 1 else converted


def _png(pdf: Path, name: str, pages: int = 1, first: int = 1, dpi: int = 70) -> list[Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(first), "-l", str(first + pages - 1), str(pdf),
                    str(ARTIFACTS / name)], check=True, capture_output=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_the_brief_is_one_page_with_the_results_numbers(tmp_path, built_review):
    """brief.pdf (printed by the review's Chromium) and brief.docx (laid out by LibreOffice): one
    A4 page each, both reviews, both languages, as the reviews wrote them; its counts are the
    results table's."""
    _need("pdfinfo", "pdftoppm", "soffice")
    keys = [(year, lang) for year in (2023, 2025) for lang in ("zh", "en")]
    folders = dict(zip(keys, built_review.many(keys)))
    for (year, lang), folder in folders.items():      # one LibreOffice run lays out the four
        shutil.copy(folder / "brief.docx", tmp_path / f"brief-{year}-{lang}.docx")
    converted = _soffice_pdf(*sorted(tmp_path.glob("brief-*.docx")), out=tmp_path / "lo", profile=tmp_path / "lo-profile")
    for (year, lang), folder in folders.items():
        tag = f"brief-{year}-{lang}"
        assert _pages(folder / "brief.pdf") == 1 and _pages(converted[tag]) == 1, tag
        assert _png(folder / "brief.pdf", f"{tag}-pdf") and _png(converted[tag], f"{tag}-docx")
        review = review_context(as_of=year, lang=lang)
        counts = brief_content(review)["parts"][0][1][0]
        judged = review.status_counts_view()
        for label, n in judged.itertuples(index=False):
            if n:
                assert (f"{label}{n}项" if lang == "zh" else f"{n} {label.lower()}") in counts
        assert str(len(review.indicator_results())) in counts
        text = Document(str(folder / "brief.docx"))
        assert any(counts == p.text.lstrip("• ") for p in text.paragraphs)
    # the same warnings in both languages: a chapter target restating a headline indicator is said
    # once, under the indicator (the English brief of 2025 said the culture share twice)
    for year in (2023, 2025):
        warned = {lang: brief_content(review_context(as_of=year, lang=lang))["parts"][1][1] for lang in ("zh", "en")}
        assert len(warned["zh"]) == len(warned["en"]), warned
    # and so is the final review's list for decision (not completed or unlikely): four items, the
    # culture share once (its chapter target ch02-t08 restates it; both were listed before)
    decide = {lang: brief_content(review_context(as_of=2025, lang=lang))["parts"][2][1] for lang in ("zh", "en")}
    zh_items = decide["zh"][0].split("：", 1)[1].split("；")
    en_items = decide["en"][0].split(": ", 1)[1].split("; ")
    assert len(zh_items) == len(en_items) == 4, decide
    assert sum("文化及相关产业增加值" in item for item in zh_items) == 1, zh_items


def test_rendered_pages_of_the_documents(documents, tmp_path):
    """Written to test-artifacts/: document-<key>-<n>.png, the Word documents as LibreOffice lays
    them out (title page, contents, 总体评价, a chapter with statements, the problems)."""
    _need("pdftoppm", "soffice", "pdfinfo")
    copies = {key: shutil.copy(path, tmp_path / f"{key}.docx") for key, path in documents.items()}
    laid_out = _soffice_pdf(*map(Path, copies.values()), out=tmp_path / "lo", profile=tmp_path / "lo-profile")
    for key in documents:
        converted = laid_out[key]
        pages = _pages(converted)
        assert pages >= 10
        assert len(_png(converted, f"document-{key}", pages=pages, dpi=60)) == pages
