"""Print (issue 20.8): the review's PDF has no page holding only a repeated paragraph and keeps
the reason column readable; the workbook's wide sheets print legibly (chosen columns, at most two
pages wide, value and qualifier as one text, Chinese on the Chinese sheets).  Rendered pages of
the printed workbook go to test-artifacts/ (print-workbook-<year>-<n>.png)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from plananalysis.params import validate
from plananalysis.publish.workbook import write_workbook

from .browser import ARTIFACTS

YEARS = (2023, 2025)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print-books")
    return {year: write_workbook(folder / f"scorecard-{year}.xlsx", validate(as_of=year)) for year in YEARS}


def _printed(sheet) -> list[str]:
    area = str(sheet.print_area).split("!")[-1].replace("$", "")
    last = column_index_from_string(re.match(r"A1:([A-Z]+)\d+", area).group(1))
    return [c.value for c in sheet[1][:last]]


@pytest.mark.parametrize("year", YEARS)
def test_the_wide_sheets_print_legibly(books, year):
    book = load_workbook(books[year])
    for sheet in book.worksheets:
        assert sheet.page_setup.fitToWidth in (1, 2) and sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.print_area, sheet.title
    progress = book["主要指标进度"]
    printed = _printed(progress)
    # the target as printed, never beside the target's number; the value with its qualifier as one text
    assert "目标（原文）" in printed and "目标值" not in printed and "最新值标注" not in printed
    assert "最新值（年份）" in printed and "最新值" not in printed
    header = [c.value for c in progress[1]]
    row = next(r for r in progress.iter_rows(min_row=2, values_only=True) if r[header.index("指标")] == "常住人口城镇化率")
    if year == 2025:
        assert row[header.index("最新值（年份）")] == "≈76（2025年）" and row[header.index("最新值")] == 76
    else:
        assert row[header.index("最新值（年份）")] == "74.2（2023年）" and row[header.index("最新值")] == 74.2
    targets = book["章节量化目标"]
    assert len(_printed(targets)) <= 10 and "编号" not in _printed(targets)      # 18 columns: 10 printed
    assert targets.print_title_cols == "$A:$B"                                    # repeated on the second page
    observed = book["观测数据"]
    assert "数值" in _printed(observed) and "数值（数字）" not in _printed(observed)
    header = [c.value for c in observed[1]]
    for r in observed.iter_rows(min_row=2, values_only=True):
        if r[header.index("标注")]:
            assert r[header.index("数值")].startswith(r[header.index("标注")])           # "≈76", not "76 ≈"
            assert isinstance(r[header.index("数值（数字）")], (int, float))
    # no English notes, no file names on the Chinese sheets (names of sources may be English)
    for title, columns in (("观测数据", ("说明",)), ("来源", ("文件", "出处", "所取内容", "说明"))):
        sheet = book[title]
        header = [c.value for c in sheet[1]]
        for name in columns:
            if name in header:
                cells = [r[header.index(name)] for r in sheet.iter_rows(min_row=2, values_only=True)]
                english = [c for c in cells if c and re.search(r"[A-Za-z]{4,}|\.csv|\.yml|\.txt", str(c))]
                assert not english, (title, name, english[:3])


def _need(*commands):
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed")


@pytest.mark.slow
def test_the_printed_workbook_rendered(books, tmp_path):
    """The workbook as LibreOffice prints it, written to test-artifacts/print-workbook-<year>-<n>.png;
    every page's first line of the table is a header row (the header repeated), no page holds a
    third slice of a sheet's width."""
    _need("soffice", "pdftoppm", "pdftotext")
    ARTIFACTS.mkdir(exist_ok=True)
    for year in YEARS:
        result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                                 "--convert-to", "pdf", "--outdir", str(tmp_path), str(books[year])],
                                capture_output=True, text=True, timeout=300)
        pdf = tmp_path / Path(books[year]).with_suffix(".pdf").name
        assert pdf.exists(), result.stdout + result.stderr
        for old in ARTIFACTS.glob(f"print-workbook-{year}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / f"print-workbook-{year}")], check=True)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        assert len(pages) <= 40, len(pages)
        firsts = [next(line for line in p.splitlines()[1:] if line.strip()).split()[0] for p in pages]
        assert set(firsts) <= {"序号", "章", "说明", "指标或目标", "文件", "项目"}, firsts


def _body(pdf: Path, page: int) -> str:
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    lines = [l for l in text.splitlines() if l.strip()]
    return "".join(l for l in lines if not re.search(r"评估（截至\d{4}年）$|^生成日期|^第 \d+ 页", l.strip())).replace(" ", "")


@pytest.mark.slow
@pytest.mark.parametrize("year", YEARS)
def test_the_pdf_has_no_near_blank_page_and_a_readable_reason_column(built_reviews, year):
    _need("pdftotext", "pdfinfo")
    pdf = next(built_reviews[("", year, "zh")].glob("*-review.pdf"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    bodies = [_body(pdf, p) for p in range(1, pages + 1)]
    # the sources paragraph once, at the end; no other page with (almost) nothing on it
    assert sum(b.count("数据来源：规划文本") for b in bodies) == 1 and "数据来源：规划文本" in bodies[-1]
    # no page holding only text that stands elsewhere too (the repeated footer, "值。" — issue 20);
    # a short page that ends a table (its header repeated, then its last rows) is content
    repeated = [(i + 1, b[:40]) for i, b in enumerate(bodies[:-1]) if len(b) < 80
                and any(b in other for j, other in enumerate(bodies) if j != i)]
    assert not repeated, repeated
    # the reason column of the indicator table (p. 2): lines of at least 13 characters
    words = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True).stdout
    boxes = [(float(a), float(b), w) for a, b, w in re.findall(r'xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>([^<]+)<', words)]
    head = [x for x, _, w in boxes if w == "依据"]
    assert head, "no 依据 header on p. 2"
    lines = [w for a, _, w in boxes if abs(a - head[0]) < 2 and w != "依据"]
    # characters a line of the column holds (before the print CSS: 9, and ten rows filled a page)
    assert lines and max(len(w) for w in lines) >= 13, lines[:5]


def test_the_printers_driver_keeps_its_temporary_folders_in_the_printers_folder(tmp_path):
    """Playwright's driver makes a folder for each browser it launches (``playwright-artifacts-*``,
    the profile ``playwright_chromiumdev_profile-*``); a review killed while it printed left them in
    the system's temporary folder.  They are in the printer's private folder now (removed with it),
    through a hook into Playwright's ``get_driver_env``: this fails, named, if an upgrade moves it."""
    import os

    from plananalysis.publish import pdf
    from plananalysis.run.processes import descendants

    if pdf.renderer() is None:
        pytest.skip("no Chromium (make browser)")
    assert pdf._driver_env_hook(), "playwright._impl.transport.get_driver_env is gone: the driver's TMPDIR hook needs updating"
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>打印</p></body></html>", encoding="utf-8")
    printer = pdf.Printer()
    try:
        printer.print(page, tmp_path / "page.pdf")
        private = printer._tmp
        drivers = [pid for pid in descendants(os.getpid())
                   if b"run-driver" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert drivers, "no Playwright driver among this process's children"
        environ = dict(item.split(b"=", 1) for item in Path(f"/proc/{drivers[0]}/environ").read_bytes().split(b"\0") if b"=" in item)
        assert environ[b"TMPDIR"] == str(private).encode()
        assert list(private.glob("playwright_chromiumdev_profile-*")) and list(private.glob("playwright-artifacts-*"))
    finally:
        printer.close()
    assert not private.exists()
    assert os.environ.get("TMPDIR") != str(private)   # the process's own environment is untouched
