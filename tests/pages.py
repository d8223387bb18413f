"""Reading generated report pages as a reader would: the text of each element with its language,
the tables as rows of cells — for the readability and contradiction tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# Chinese characters and CJK punctuation (the same class as plananalysis.present.glossary.CJK)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]+")
# Latin words a Chinese page may carry: measures, units, abbreviations, file names, method names
LATIN_ALLOWED = {"P", "E", "q", "GDP", "PM", "CSV", "Excel", "scorecard", "xlsx", "SDG", "SDSN",
                 "Eurostat", "Open", "III", "RR", "IP", "Word", "PDF"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
         "path", "rect", "circle", "line", "polyline", "stop", "use"}


@dataclass
class Page:
    path: Path
    lang: str = ""
    texts: list = field(default_factory=list)     # (text, lang of the element holding it)
    tables: list = field(default_factory=list)    # [[header cells], [row cells], …] per table
    table_names: list = field(default_factory=list)  # the data-table name of each table's box ("" if none)
    head: str = ""                                # the <head> as written

    def table(self, name: str) -> list[dict]:
        """The rows (dicts by header) of the table named ``name`` (its box's ``data-table``)."""
        return [row for t, n in zip(self.tables, self.table_names) if n == name for row in table_dicts(t)]

    @property
    def name(self) -> str:
        return self.path.name

    def text(self) -> str:
        return " ".join(t for t, _ in self.texts)


class _Reader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, str]] = []   # (tag, lang)
        self.skip = 0
        self.table = None
        self.row = None
        self.cell = None
        self.names: list[tuple[int, str]] = []  # (depth, data-table name) of the boxes we are in
        self.table_name = ""

    def _lang(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page.lang = attrs.get("lang", "")
        lang = attrs.get("lang", self._lang() or self.page.lang)
        # the page's <title> (plain text, where a name cannot be marked) is read from the headings
        if tag in ("style", "script") or (tag == "title" and self.stack and self.stack[-1][0] == "head"):
            self.skip += 1
        if attrs.get("data-table"):
            self.names.append((len(self.stack), attrs["data-table"]))
        if tag == "table":
            self.table = []
            self.table_name = self.names[-1][1] if self.names else ""
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        if tag not in _VOID:
            self.stack.append((tag, lang))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in ("style", "script") or (tag == "title" and len(self.stack) >= 2 and self.stack[-2][0] == "head"):
            self.skip = max(0, self.skip - 1)
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            self.table.append(self.row)
            self.row = None
        elif tag == "table" and self.table is not None:
            self.page.tables.append(self.table)
            self.page.table_names.append(self.table_name)
            self.table = None
        if tag in _VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        while self.names and self.names[-1][0] >= len(self.stack):
            self.names.pop()

    def handle_data(self, data):
        if self.skip or not data.strip():
            return
        self.page.texts.append((data.strip(), self._lang()))
        if self.cell is not None:
            self.cell.append(data.strip())


def read_page(path: Path, text: str | None = None) -> Page:
    """A page from its file (or from ``text``, an HTML string, named ``path``)."""
    page = Page(Path(path))
    text = Path(path).read_text(encoding="utf-8") if text is None else text
    page.head = text.split("</head>", 1)[0]
    _Reader(page).feed(text)
    return page


def chinese_outside_names(page: Page) -> list[str]:
    """Chinese text on an English page that is not inside an element marked ``lang="zh-CN"``."""
    return [t for t, lang in page.texts if not lang.startswith("zh") and CJK.search(t)]


_IDS = re.compile(r"\b[a-z]+\d*(?:-[a-z]*\d+[a-z]?)+\b|\S+\.(?:xlsx|csv|html)\b"
                  r"|(?<![A-Za-z0-9.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|gov)(?![A-Za-z0-9])")   # a site named in a source title


def english_on_chinese_page(page: Page) -> list[str]:
    """Latin words (two letters or more) on a Chinese page other than measures, units,
    abbreviations, ids (``ch02-t01``), file names and links."""
    found = []
    for text, _ in page.texts:
        if text.startswith(("http://", "https://")):
            continue
        words = [w for w in re.findall(r"[A-Za-z]{2,}", _IDS.sub("", text)) if w not in LATIN_ALLOWED]
        if words:
            found.append(text)
    return found


def has_nan(page: Page) -> list[str]:
    return [t for t, _ in page.texts if re.search(r"\b(?:nan|NaN|None|NaT|<NA>)\b", t)]


def table_dicts(table: list[list[str]]) -> list[dict]:
    """A table's rows as dicts by header (the first row)."""
    if not table:
        return []
    header = table[0]
    return [dict(zip(header, row)) for row in table[1:] if len(row) == len(header)]


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _run_lang(run, default: str) -> str:
    lang = run._r.find(f"{_W}rPr/{_W}lang")
    return lang.get(f"{_W}val") if lang is not None and lang.get(f"{_W}val") else default


def read_document(path: Path) -> Page:
    """A Word document read as a page: every run's text with its language (``w:lang``, the
    document's default otherwise), every table's rows of cell texts; ``lang`` is the document's
    default language (``zh-CN`` or ``en-US``); tables are named ``indicators`` when they hold a
    status column."""
    from docx import Document

    doc = Document(str(path))
    defaults = doc.styles.element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}lang")
    default = defaults.get(f"{_W}val") if defaults is not None else ""
    page = Page(Path(path), lang=default, head='name="viewport"')

    def paragraphs(container):
        for paragraph in container.paragraphs:
            for run in paragraph.runs:
                if run.text.strip():
                    page.texts.append((run.text.replace("\u2060", "").strip(), _run_lang(run, default)))

    paragraphs(doc)
    for section in doc.sections:
        paragraphs(section.header)
        paragraphs(section.footer)
    for table in doc.tables:
        rows = []
        for row in table.rows:
            cells = []
            for cell in row.cells:
                paragraphs(cell)
                # the word joiners (U+2060) that keep a number together are not text
                cells.append(" ".join(p.text for p in cell.paragraphs).replace("\u2060", "").strip())
            rows.append(cells)
        page.tables.append(rows)
        page.table_names.append("")
    return page
