"""Text from a plan folder, observed data, a department or an analyst is text, never markup
(issue 18, item 1): one helper (:func:`plananalysis.present.text.escape_text`) makes it
HTML-escaped and Markdown-inert wherever it meets a page; the PDF's running header is a CSS
string that nothing can leave; the workbook's page headers print ``&`` codes as text; and the
PDF is printed with JavaScript off, no network and no file outside the report's folder.

The end-to-end test reviews one hostile plan (``tests/data/hostile_plan/make_hostile_plan.py``:
the default plan with the issue's payloads in its title, an indicator's and a department's name,
a target, a chapter title, ``sources.yml``'s issued date and an observed value's source) — the
only way to prove that every page, the PDF, the Word document and the workbook of a real review
keep them as text — and shares that one review between its assertions.
"""

from __future__ import annotations

import html
import re
import runpy
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import mistune
import pytest

from plananalysis.present.page import page_shell
from plananalysis.present.tables import html_cell
from plananalysis.present.text import clean_text, escape_text
from plananalysis.publish.pdf import HEADER_LIMIT, Printer, css_string, inside_folder, print_html
from plananalysis.publish.workbook import _header_text

from .browser import CHROMIUM, chromium, offline_page
from .conftest import TEST_DATA

SECRET_TEXT = "TOP-SECRET-CONTENT-4242"
PASSWD_LINE = "root:x:0:0"


# ------------------------------------------------------------------ helpers

class _Parsed(HTMLParser):
    """The tags and the text (entities decoded) of an HTML fragment, and each tag's attributes."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.parts = [], [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append(dict(attrs))

    def handle_data(self, data):
        self.parts.append(data)

    def handle_comment(self, data):
        self.tags.append("<!--")

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Counter(BaseHTTPRequestHandler):
    hits: list = []

    def _hit(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = _hit

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    """A local HTTP server on a free port that records every request: ``(port, hits)``."""
    hits: list = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], hits
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


def _needs_pdf_tools():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("pdftotext and pdfinfo (poppler-utils) are not installed")


def _pdf_text(path: Path) -> str:
    """A PDF's text in the order it was drawn (Chromium draws in the page's order: a table cell's
    lines follow each other)."""
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def _squeezed(text: str) -> str:
    """Text without white space (a PDF's text breaks lines where the layout does)."""
    return "".join(text.split())


# ------------------------------------------------------------------ the helper, by hand

@pytest.mark.parametrize("given, expected", [
    ("![t](http://127.0.0.1:8/x)", "&#33;&#91;t&#93;(http://127.0.0.1:8/x)"),
    ("[x](javascript:alert(1))", "&#91;x&#93;(javascript:alert(1))"),
    ("*强调* _斜_ __粗__", "&#42;强调&#42; &#95;斜&#95; &#95;&#95;粗&#95;&#95;"),
    ("`code`", "&#96;code&#96;"),
    ("<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;"),
    ("# 标题", "&#35; 标题"),
    ("- 项", "&#45; 项"),
    ("+ 项", "&#43; 项"),
    ("=== ", "&#61;== "),
    ("12. 第十二", "12&#46; 第十二"),
    ("3) 三", "3&#41; 三"),
    ("> 引用", "&gt; 引用"),
    ("甲|乙", "甲&#124;乙"),
    ("urban_new_jobs", "urban_new_jobs"),
    ('说 "是"', "说 &quot;是&quot;"),
    ("plan's", "plan&#x27;s"),
    ("甲\r\n乙\n丙", "甲 乙 丙"),
    ("    缩进", "&#32;   缩进"),
    ("C:\\目录", "C:&#92;目录"),
    ("$x^2$", "&#36;x&#94;2&#36;"),
    ("~~删~~", "&#126;&#126;删&#126;&#126;"),
    ("{{ 7*7 }}", "&#123;&#123; 7&#42;7 &#125;&#125;"),
    ("名称\u202etxt.exe", "名称\ufffdtxt.exe"),
    ("甲\x00乙", "甲\ufffd乙"),
    ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),
    ("5.5%", "5.5%"),
    ("-5.2", "-5.2"),
    ("#5", "#5"),
    ("###### 六", "&#35;##### 六"),
    ("---", "&#45;--"),
    ("=", "&#61;"),
    ("2021-03-31", "2021-03-31"),
    ("文化及相关产业增加值占GDP比重", "文化及相关产业增加值占GDP比重"),
    (None, ""),
    (6.7, "6.7"),
])
def test_escape_text_by_hand(given, expected):
    assert escape_text(given) == expected


def test_the_pages_helpers_use_the_one_rule():
    """Table cells, names, the page's title and the error banner all go through escape_text."""
    from plananalysis.present.glossary import mark_chinese
    from plananalysis.present.page import error_banner

    payload = "![t](http://x/) <i>甲</i>"
    assert html_cell(payload) == escape_text(payload) == mark_chinese(payload, "zh")
    assert f"<title>{escape_text(payload)}</title>" in page_shell(payload, "", "zh")
    assert escape_text(payload) in error_banner(payload)


# ------------------------------------------------------------------ hostile text, every context

#: Hostile text beyond the issue's payloads (ids for the test names).
HOSTILE = {
    "jinja": "{{ config.__class__ }}{% for x in y %}",
    "javascript-link": "[点此](javascript:alert(document.cookie))",
    "rtl-override": "报告\u202egpj.exe",
    "very-long": "长" * 3000 + "<script>alert(1)</script>",
    "style-close": "甲</style><style>body{display:none}</style>",
    "excel-codes": "&[Path]&F&A&P&N&D&T&\"Arial\"&99&K00FF00",
    "table-pipes": "甲|乙|丙 \\| 丁",
    "html-comment": "开始<!-- 未闭合的注释",
    "newline-block": "名称\n# 标题\n- 列表\n\n    代码\n---",
    "backslashes": "\\*不是强调\\* C:\\dir\\ 末尾\\",
    "svg-onload": "<svg onload=alert(1)><image href=file:///etc/passwd></svg>",
    "attribute-break": "\" onmouseover=\"alert(1)\" x=\"",
    "entities": "&amp;lt;script&amp;gt; &#60;b&#62; &#x3c;",
    "maths-and-strike": "$\\int$ ~~删除~~ ^上标^",
    "autolink": "<http://127.0.0.1:1/x> <mailto:a@b.c> www.example.org",
    "reference-link": "[a]: http://127.0.0.1:1/ref\n[a]",
    "control-characters": "甲\x00\x07\x1b[31m乙\x7f\x85丙\u2028丁\u2066戊",
    "lone-surrogate": "甲\ud800乙",
    "image-in-emphasis": "**![x](http://127.0.0.1:1/i)**",
    "leading-list-number": "2021. 年度",
}


def _paragraph(text: str) -> _Parsed:
    return _Parsed(mistune.html(text))


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_text_in_markdown(text):
    shown, expected = escape_text(text), clean_text(text)
    alone = _paragraph(shown)
    assert alone.tags == ["p"] and alone.text.strip() == expected.strip()
    item = _Parsed(mistune.html(f"- **{shown}**：说明\n- 第二项"))
    assert item.tags == ["ul", "li", "strong", "li"], item.tags
    assert item.text.split("：说明")[0].strip() == expected.strip()
    table = _Parsed(mistune.html(f"| 名称 | 值 |\n|---|---|\n| {shown} | 1 |\n"))
    assert table.tags.count("td") == 2 and table.tags.count("tr") == 2, table.tags
    assert not {"a", "img", "script", "iframe", "svg", "em", "code", "h1", "del", "<!--"} & set(item.tags + table.tags)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_text_in_html(text):
    expected = clean_text(text)
    page = _Parsed(page_shell(text, f'<p><span title="{escape_text(text)}">{escape_text(text)}</span></p>', "zh"))
    assert page.tags == ["html", "head", "meta", "meta", "title", "style", "body", "p", "span"], page.tags
    assert page.attrs[-1]["title"] == expected
    assert expected in page.text                      # the <title> and the span read as written
    assert page.text.count(expected) == 2


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_in_the_pdf_header_is_one_css_string(text):
    value = css_string(text, HEADER_LIMIT)
    assert re.fullmatch(r"(?:[^\W_]| |\\[0-9a-f]{6})*", value), value[:200]
    decoded = re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), value)
    expected = clean_text(text)
    assert decoded == (expected if len(expected) <= HEADER_LIMIT else expected[:HEADER_LIMIT - 1] + "…")
    css = print_html([("index", "<body><p>正文</p></body>")], title=text, lang="zh", today="2026-01-01")
    style = re.search(r"<style>(.*?)</style>", css, re.S).group(1)
    assert "</" not in style and style.count("@top-center{content:\"") == 1


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_in_a_workbook_header_prints_as_text(text):
    value = _header_text(text)
    assert len(value) <= 200
    assert all(len(run) % 2 == 0 for run in re.findall(r"&+", value)), value   # every & a literal &
    expected = clean_text(text)
    if len(expected.replace("&", "&&")) <= 200:
        assert value.replace("&&", "&") == expected


def test_a_long_title_keeps_the_workbook_within_excels_header_limit(tmp_path):
    """The whole header (font and size codes included) stays under Excel's 255 characters."""
    import openpyxl

    from plananalysis.publish.workbook import HEADER_LIMIT as EXCEL_LIMIT

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.oddHeader.center.text = _header_text("&[Path]" * 100)
    sheet.oddHeader.center.size = 9
    sheet.oddHeader.center.font = "Noto Sans CJK SC,Regular"
    book.save(tmp_path / "t.xlsx")
    assert len(str(sheet.oddHeader)) <= EXCEL_LIMIT


# ------------------------------------------------------------------ the locked-down printer

def test_the_printer_may_load_only_files_inside_the_report_folder(tmp_path):
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / "link").symlink_to("/etc/passwd")
    assert inside_folder((folder / "csv" / "a.csv").as_uri(), folder)
    for url in ("file:///etc/passwd", (folder / "link").as_uri(), (folder / ".." / "x").as_uri(),
                "http://127.0.0.1:1/", "https://example.org/", "ftp://x/", "file://host/etc/passwd",
                "chrome://settings", "file:///etc/passwd%00.html"):
        assert not inside_folder(url, folder), url


def test_a_printed_page_gets_no_script_no_local_file_and_no_network(tmp_path, server):
    _needs_pdf_tools()
    port, hits = server
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_TEXT, encoding="utf-8")
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / "inside.html").write_text("<p>INSIDE-FRAME-TEXT</p>", encoding="utf-8")
    (folder / "escape.html").symlink_to(secret)
    page = folder / "page.html"
    page.write_text(
        "<html><head><title>t</title>"
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/css">'
        f'<meta http-equiv="refresh" content="0;url=file:///etc/passwd"></head><body>'
        "<p>VISIBLE-BODY-TEXT</p>"
        "<script>document.body.innerHTML = 'SCRIPT-RAN'; location.replace('file:///etc/passwd')</script>"
        f"<iframe src=file:///etc/passwd></iframe><object data={secret.as_uri()}></object>"
        f'<iframe src="escape.html"></iframe><iframe src="inside.html"></iframe>'
        f"<img src=http://127.0.0.1:{port}/img><img src=x onerror=\"document.body.innerHTML='HANDLER-RAN'\">"
        f'<svg width="40" height="40"><image href="http://127.0.0.1:{port}/svg" width="40" height="40"/>'
        '<rect width="20" height="20" fill="#a50f15"/></svg>'
        f'<p style="background:url(http://127.0.0.1:{port}/bg)">STYLED</p>'
        "</body></html>", encoding="utf-8")
    printer = Printer()
    try:
        printer.print(page, folder / "out.pdf")
    finally:
        printer.close()
    text = _pdf_text(folder / "out.pdf")
    assert "VISIBLE-BODY-TEXT" in text and "STYLED" in text
    assert "INSIDE-FRAME-TEXT" in text            # a file inside the folder is allowed
    for forbidden in (PASSWD_LINE, SECRET_TEXT, "SCRIPT-RAN", "HANDLER-RAN"):
        assert forbidden not in text, forbidden
    assert hits == []


# ------------------------------------------------------------------ one hostile review, end to end

@pytest.fixture(scope="module")
def hostile_review(tmp_path_factory, server):
    """One review (2023) of the hostile plan, with its payloads: ``(folder, payloads)``."""
    from plananalysis.params import validate
    from plananalysis.run.review import run_reviews

    _needs_pdf_tools()
    port, _ = server
    base = tmp_path_factory.mktemp("hostile")
    secret = base / "secret.txt"
    secret.write_text(SECRET_TEXT, encoding="utf-8")
    make = runpy.run_path(str(TEST_DATA / "hostile_plan" / "make_hostile_plan.py"))
    payloads = make["hostile_plan"](base / "hostile", port, secret)
    summaries = run_reviews([validate(plan=str(base / "hostile"), as_of=2023)], jobs=2,
                            reports_dir=base / "reports", echo=lambda line: None)
    assert summaries[0]["ok"], summaries[0]["failed"]
    return Path(summaries[0]["folder"]), payloads


@pytest.mark.slow
@pytest.mark.browser
def test_the_pdf_of_a_hostile_plan_shows_its_payloads_as_text_and_nothing_else(hostile_review, server):
    folder, payloads = hostile_review
    _, hits = server
    pdf = next(folder.glob("*-review.pdf"))
    text = _pdf_text(pdf)
    squeezed = _squeezed(text)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    assert re.search(r"^Title:\s+(.*)$", info, re.M).group(1).startswith(payloads["title"] + " ")
    for name, payload in payloads.items():
        assert _squeezed(payload) in squeezed, name
    assert PASSWD_LINE not in text and SECRET_TEXT not in text
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip()
    assert not any(line.strip() == hostname for line in text.splitlines()), hostname
    assert hits == []


@pytest.mark.slow
def test_the_pages_of_a_hostile_plan_carry_no_markup_from_it(hostile_review):
    folder, payloads = hostile_review
    pages = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}
    assert len(pages) >= 15
    for name, page in pages.items():
        lowered = page.lower()
        for tag in ("<script", "<iframe", "<object", "<img src=x", "<img src=http", "<!-- 注释", "href=\"javascript"):
            assert tag not in lowered, (name, tag)
    chapter10, chapter14 = pages["chapter-10.html"], pages["chapter-14.html"]
    assert "需加大力度：文化产业&lt;iframe src=file:///etc/passwd&gt;" in chapter10   # the lagging list
    assert escape_text(payloads["department"]) in chapter14                          # who is to send data
    assert escape_text(payloads["title"]) in pages["index.html"]


@pytest.mark.slow
@pytest.mark.browser
def test_opening_the_pages_of_a_hostile_plan_runs_nothing(hostile_review, server):
    folder, payloads = hostile_review
    _, hits = server
    with chromium() as browser:
        page, blocked = offline_page(browser)
        for name in ("index", "overview", "chapter-10", "chapter-14", "data_audit"):
            page.goto((folder / f"{name}.html").as_uri(), wait_until="load")
            title, pwned = page.evaluate("() => [document.title, typeof window.__pwned]")
            assert title != "PWNED" and pwned == "undefined", name
            assert page.locator("iframe, object, img, script").count() == 0, name
        shown = page.locator("body").inner_text()           # the data audit: the source as written
        assert payloads["source"] in shown
        page.goto((folder / "chapter-14.html").as_uri(), wait_until="load")
        shown = page.locator("body").inner_text()
        for key in ("department", "target"):
            assert payloads[key] in shown, key
        assert page.locator("h1").first.inner_text().startswith("第十四章 **粗体** [链接](javascript:")
    assert blocked == [] and hits == []


@pytest.mark.slow
def test_the_documents_of_a_hostile_plan_print_its_title_as_written(hostile_review):
    import docx
    import openpyxl

    folder, payloads = hostile_review
    document = docx.Document(str(next(folder.glob("*-review.docx"))))
    assert document.sections[0].header.paragraphs[0].text.startswith(payloads["title"] + " ")
    sheet = openpyxl.load_workbook(folder / "scorecard.xlsx").worksheets[0]
    assert sheet.oddHeader.center.text.startswith(payloads["title"] + " ")
