"""The review as a Word document (``.docx``), the form in which reviews are filed.

Built with `python-docx` from the review's one context, in the review's language: drafted in a
thread while the notebooks run (:func:`draft_document`), its chart images put in from the chapter
pages once they are written (:meth:`Draft.finish`).  It follows the structure of official mid-term
and final reviews (:data:`HEADINGS`):

1. a title page: the plan, the review and its year, 编制单位 (:func:`compiled_by`) and the filing
   date (:func:`filing_date`); then a table-of-contents field (目录);
2. 一、总体评价: the commission's paragraphs, or a draft from the data
   (:mod:`plananalysis.present.review_text`), and the statuses counted in their colours;
3. 二、主要指标完成情况: the headline indicators (:func:`indicator_summary`, from the results
   table); a final review adds 与中期评估相比 (:func:`since_midterm`);
4. 三、主要任务进展: per chapter, the commission's summary (or a draft), the tasks with their lead
   department, reported status and the department's statement
   (:mod:`plananalysis.observed.statements`), the quantified targets (:func:`chapter_targets`),
   the headline indicators and their charts as images (PNG of the very charts its page shows, or
   drawn again with :func:`~plananalysis.present.charts.to_png` when there is no page);
5. 四、重大工程项目: the 专栏 major projects with their statements;
6. 五、存在的主要问题 and 六、下一步工作建议: the commission's text or the drafts (预警, 是否调整指标);
7. 附件: the whole indicator table, every quantified target (:func:`all_targets`), the sources.

No id or code name is printed; numbers, years and units are kept together inside table cells
(:func:`keep_together`) and columns are never narrower than their longest number or word.

Fonts are named for Word and WPS: 宋体 (SimSun) for the body and 黑体 (SimHei) for headings as the
East Asian fonts of every style, Times New Roman and Arial for Latin text, declared in the font
table with their English names and the GB2312 character set, so a machine without them substitutes
a Chinese font; the document's language is zh-CN (English for ``--lang en``, where Chinese names
are marked zh-CN run by run).

>>> from plananalysis.context import review_context
>>> doc = build_document(review_context(as_of=2023))
>>> [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][:3]
['一、总体评价', '二、主要指标完成情况', '三、主要任务进展']
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..files import write_atomically
from ..present import format as fmt
from ..present import glossary
from ..present.review_text import book_title

__all__ = ["build_document", "draft_document", "Draft", "write_document", "chapter_targets", "chapter_numbers",
           "page_charts", "BODY_FONT", "HEADING_FONT", "HEADINGS", "compiled_by", "filing_date", "indicator_summary",
           "since_midterm", "all_targets", "keep_together"]

#: (East Asian, Latin) fonts of the body text and of the headings.
BODY_FONT = ("宋体", "Times New Roman")
HEADING_FONT = ("黑体", "Arial")
# name in the font table → (English name, panose) so that Word and WPS can substitute
_FONT_TABLE = {"宋体": ("SimSun", "02010600030101010101"), "黑体": ("SimHei", "02010609060101010101")}
_PORTRAIT = (21.0, 29.7)  # A4, cm
_MARGIN = 2.2
_TEXT_WIDTH = _PORTRAIT[0] - 2 * _MARGIN
_HEADER_FILL = "DCE6F1"
_CHART_SCALE = 1.25  # a chart ≈ 480 px wide drawn at 600 px: ≈ 190 dpi at its 7.9 cm in the document


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def chapter_numbers(review) -> list[int]:
    """The chapters the review reports on: those with headline indicators or quantified targets
    (the chapter pages of the review).

    >>> from plananalysis.context import review_context
    >>> chapter_numbers(review_context(as_of=2023))[:3]
    [2, 3, 4]
    """
    numbers = []
    for value in review.plan.chapters["number"] if len(review.plan.chapters) else []:
        chapter = review.plan.chapter(int(value))
        if len(chapter.indicators) or len(chapter.targets):
            numbers.append(int(value))
    return numbers


def chapter_targets(review) -> pd.DataFrame:
    """A chapter's quantified targets as its section lists them (``review`` has the chapter as its
    parameter): number, subject, target, verdict, latest value and its year, source — the
    chapter page's table (:meth:`~plananalysis.context.ReviewContext.chapter_targets`) without the
    reason, which the page carries.

    >>> from plananalysis.context import review_context
    >>> table = chapter_targets(review_context(as_of=2025, chapter=4)).set_index("内容")
    >>> table.columns.tolist()
    ['目标', '评估结论', '最新值', '数据年份', '来源']
    >>> table.loc["帮扶困难人员实现就业", ["评估结论", "最新值"]].tolist()
    ['预计完成（据2024年转载数据，待核实）', '8.5万人']
    """
    table = review.chapter_targets_view()
    if table is None or table.empty:
        return pd.DataFrame()
    keep = [review.t("内容", "Subject"), review.t("目标", "Target"),
            review.t("评估结论", "Status"), review.t("最新值", "Latest"), review.t("数据年份", "Data year"),
            review.t("来源", "Source")]
    return table[[c for c in keep if c in table.columns]].reset_index(drop=True)


# ---------------------------------------------------------------- low-level Word helpers


def _element(tag: str, **attributes):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), str(value))
    return element


def _set_fonts(rpr, fonts: tuple[str, str], size: float | None = None, bold: bool | None = None,
               colour: str | None = None, lang: str | None = None) -> None:
    """Name the East Asian and Latin fonts (no theme font left to override them) on a run's or a
    style's properties."""
    from docx.oxml.ns import qn

    east, latin = fonts
    fonts_element = rpr.find(qn("w:rFonts"))
    if fonts_element is None:
        fonts_element = _element("w:rFonts")
        rpr.insert(0, fonts_element)
    for key in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts_element.attrib.pop(qn(f"w:{key}"), None)
    for key, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east), ("cs", latin)):
        fonts_element.set(qn(f"w:{key}"), value)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            old = rpr.find(qn(tag))
            if old is not None:
                rpr.remove(old)
            rpr.append(_element(tag, val=int(round(size * 2))))
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            old = rpr.find(qn(tag))
            if old is not None:
                rpr.remove(old)
            rpr.append(_element(tag, val="1" if bold else "0"))
    if colour is not None:
        old = rpr.find(qn("w:color"))
        if old is not None:
            for key in list(old.attrib):
                del old.attrib[key]
            old.set(qn("w:val"), colour)
        else:
            rpr.append(_element("w:color", val=colour))
    if lang is not None:
        old = rpr.find(qn("w:lang"))
        if old is not None:
            rpr.remove(old)
        rpr.append(_element("w:lang", val=lang, eastAsia="zh-CN", bidi="ar-SA"))


def _setup_styles(doc, lang: str) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT, 10.5, lang="zh-CN" if lang == "zh" else "en-US")
    normal = styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT, 10.5)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12)):
        style = styles[name]
        _set_fonts(style.element.get_or_add_rPr(), HEADING_FONT, size, bold=name != "Title", colour="000000")
        style.paragraph_format.space_before = Pt(12 if name != "Heading 3" else 8)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    title_ppr = styles["Title"].element.get_or_add_pPr()
    border = title_ppr.find(qn("w:pBdr"))
    if border is not None:
        title_ppr.remove(border)
    _declare_fonts(doc)


def _declare_fonts(doc) -> None:
    """Add 宋体 and 黑体 to the document's font table with their English names and charset."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    try:
        part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    from docx.oxml import parse_xml

    root = parse_xml(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (english, panose) in _FONT_TABLE.items():
        if name in have:
            continue
        font = _element("w:font", name=name)
        font.append(_element("w:altName", val=english))
        font.append(_element("w:panose1", val=panose))
        font.append(_element("w:charset", val="86"))
        font.append(_element("w:family", val="modern" if english == "SimHei" else "auto"))
        font.append(_element("w:pitch", val="variable"))
        root.append(font)
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _run(paragraph, text: str, lang: str, *, name: bool = False, bold: bool = False, size: float | None = None,
         colour: str | None = None):
    """Text added to ``paragraph``; in an English document a name's Chinese runs are marked zh-CN."""
    from docx.shared import Pt, RGBColor

    parts = [(text, False)]
    if lang == "en" and name and glossary.has_chinese(text):
        parts, last = [], 0
        for match in glossary.CJK.finditer(text):
            if match.start() > last:
                parts.append((text[last:match.start()], False))
            parts.append((match.group(), True))
            last = match.end()
        if last < len(text):
            parts.append((text[last:], False))
    for part, chinese in parts:
        run = paragraph.add_run(part)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())
        if chinese:
            rpr = run._r.get_or_add_rPr()
            rpr.append(_element("w:lang", val="zh-CN", eastAsia="zh-CN"))
    return paragraph


def _paragraph(doc, text: str, lang: str, *, name: bool = False, indent: bool = True, style: str | None = None,
               bold: bool = False, size: float | None = None, align=None):
    from docx.shared import Pt

    paragraph = doc.add_paragraph(style=style)
    if indent and lang == "zh":
        paragraph.paragraph_format.first_line_indent = Pt(21)
    if align is not None:
        paragraph.alignment = align
    return _run(paragraph, text, lang, name=name, bold=bold, size=size)


def _heading(doc, text: str, level: int, lang: str):
    paragraph = doc.add_paragraph(style=f"Heading {level}")
    return _run(paragraph, text, lang, name=True)


def _shade(cell, colour: str) -> None:
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    old = tcpr.find(qn("w:shd"))
    if old is not None:
        tcpr.remove(old)
    tcpr.append(_element("w:shd", val="clear", color="auto", fill=colour.lstrip("#").upper()))


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(_element("w:tblHeader", val="true"))


def _no_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(_element("w:cantSplit", val="true"))


def _header_width(header) -> int:
    """How wide a column's header wants it: up to 8 half-width characters (a longer header wraps),
    but never less than its longest English word, which cannot wrap (``Indicators``, not ``Indicat|ors``).

    >>> _header_width("评估结论的指标数"), _header_width("Indicators"), _header_width("Time elapsed E")
    (8, 13, 9)
    """
    from .workbook import display_width

    text = str(header)
    words = [w for w in text.split() if w.isascii()]
    # a bold Latin letter is wider than half a CJK character: a quarter more room
    return max([min(display_width(text), 8)] + [math.ceil(display_width(w) * 1.25) for w in words])


#: what must not break across lines inside a cell: a number with its sign, qualifier and unit, a
#: year, a Latin word (GDP)
_UNBREAKABLE = re.compile(r"[≈~<>≥≤±+\-]?[0-9A-Za-z][0-9A-Za-z.,:%‰/]*(?:[万亿千]?(?:公里|平方米|[年月日人元个张岁所家倍项次床分米%‰]))?")
_JOINER = "\u2060"


def keep_together(text: str) -> str:
    """``text`` with a word joiner (U+2060, invisible) between the characters of each number,
    year, unit and Latin word, so that no line breaks inside one ("234.6万人", "2024年", "GDP").

    >>> keep_together("据2024年数据，GDP ≈76").replace(_JOINER, "|")
    '据2|0|2|4|年数据，G|D|P ≈|7|6'
    """
    return _UNBREAKABLE.sub(lambda m: _JOINER.join(m.group()), str(text))


def _longest_token(text: str) -> int:
    """The display width of the longest part of ``text`` that must not break."""
    from .workbook import display_width

    return max([display_width(m.group()) for m in _UNBREAKABLE.finditer(str(text))] or [0])


def _widths(frame: pd.DataFrame, total_cm: float, size: float = 8.5) -> list[float]:
    """Column widths (cm): short columns (numbers, statuses, years) as wide as their longest cell,
    the columns of text sharing the rest."""
    from .workbook import display_width

    unit = size * 0.5 * 0.0353 * 1.08  # cm per half-width character at ``size`` points
    padding = 0.45
    wants, fixed = [], []
    for column in frame.columns:
        cells = [display_width(v) for v in frame[column].astype(str)] or [0]
        longest = max(_header_width(column), max(cells))
        wants.append(longest)
        fixed.append(longest <= 16)
    widths = [w * unit + padding if f else 0.0 for w, f in zip(wants, fixed)]
    rest = total_cm - sum(widths)
    flexible = [min(w, 60) for w, f in zip(wants, fixed) if not f]
    if flexible and rest > 1.5 * len(flexible):
        share = iter([rest * w / sum(flexible) for w in flexible])
        widths = [w if f else next(share) for w, f in zip(widths, fixed)]
    else:
        widths = [w if f else 1.5 for w, f in zip(widths, fixed)]
    natural = [w * unit + padding for w in wants]
    if all(fixed) and sum(natural) < total_cm:
        return natural
    scale = total_cm / sum(widths)
    widths = [w * scale for w in widths]
    # no column narrower than its longest number, year or word: the widest columns give way
    # (a short header holding a year, 预计2025年, whole: LibreOffice would rather break the year)
    least = [max([_longest_token(v) for v in frame[c].astype(str)]
                 + [display_width(c) if display_width(c) <= 10 and re.search(r"\d", str(c)) else _longest_token(c)])
             * unit * 1.15 + padding for c in frame.columns]
    for i, need in enumerate(least):
        short = need - widths[i]
        if short <= 0:
            continue
        widths[i] = need
        donors = sorted(range(len(widths)), key=lambda j: widths[j] - least[j], reverse=True)
        for j in donors:
            if j == i or short <= 0:
                continue
            give = min(short, max(0.0, widths[j] - max(least[j], 1.5)))
            widths[j] -= give
            short -= give
    return widths


def _table(doc, frame: pd.DataFrame, lang: str, *, width_cm: float = _TEXT_WIDTH, status: str | None = None,
           colours: list | None = None, names=(), size: float = 8.5):
    """A table: header row shaded and repeated on every page, cells as text (``—`` if missing),
    the status column painted in its colours; ``names``: columns of names (marked zh-CN in English)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt

    from ..engine.methods import text_colour

    frame = frame.reset_index(drop=True)
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _widths(frame, width_cm, size)
    header = table.rows[0]
    _repeat_header(header)
    for cell, column, width in zip(header.cells, frame.columns, widths):
        cell.width = Cm(width)
        _shade(cell, _HEADER_FILL)
        paragraph = cell.paragraphs[0]
        _run(paragraph, keep_together(column), lang, bold=True, size=size)
    for i, row in frame.iterrows():
        added = table.add_row()   # (table.rows[-1] would list every row again: quadratic in a long table)
        cells = added.cells
        _no_split(added)
        for j, (column, value) in enumerate(row.items()):
            cell = cells[j]
            cell.width = Cm(widths[j])
            text = fmt.MISSING if fmt.is_missing(value) else (fmt.number(value) if isinstance(value, float) else str(value))
            text = keep_together(text)
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
            if column == status and colours is not None and i < len(colours):
                colour = str(colours[i] or "#ffffff")
                if colour.lower() != "#ffffff":
                    _shade(cell, colour)
                _run(paragraph, text, lang, bold=True, size=size, colour=text_colour(colour))
            else:
                _run(paragraph, text, lang, size=size, name=column in names)
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    return table


def _field(paragraph, instruction: str, size: float = 9) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in ``paragraph``, updated by Word, WPS and LibreOffice."""
    from docx.shared import Pt

    run = paragraph.add_run()
    run.font.size = Pt(size)
    run._r.append(_element("w:fldChar", fldCharType="begin"))
    run = paragraph.add_run()
    run.font.size = Pt(size)
    text = _element("w:instrText")
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    run = paragraph.add_run()
    run._r.append(_element("w:fldChar", fldCharType="separate"))
    run = paragraph.add_run("1")
    run.font.size = Pt(size)
    run = paragraph.add_run()
    run._r.append(_element("w:fldChar", fldCharType="end"))


def _page_furniture(section, title: str, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(header, title, lang, name=True, size=9)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, _t(lang, "第 ", "Page "), lang, size=9)
    _field(footer, "PAGE")
    _run(footer, _t(lang, " 页，共 ", " of "), lang, size=9)
    _field(footer, "NUMPAGES")
    _run(footer, _t(lang, " 页", ""), lang, size=9)


def _language(doc, lang: str) -> None:
    """Chinese text tagged zh-CN everywhere: the settings' theme font language (python-docx's
    template says ja-JP, so Chinese would take Japanese glyph forms) and every style's ``w:lang``.

    >>> from docx import Document
    >>> doc = Document()
    >>> _language(doc, "zh")
    >>> {v for e in doc.styles.element.iter() for k, v in e.attrib.items() if k.endswith("eastAsia") and "-" in v}
    {'zh-CN'}
    """
    from docx.oxml.ns import qn

    settings = doc.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is None:
        theme = _element("w:themeFontLang")
        settings.append(theme)
    theme.set(qn("w:val"), "zh-CN" if lang == "zh" else "en-US")
    theme.set(qn("w:eastAsia"), "zh-CN")
    for element in doc.styles.element.iter(qn("w:lang")):
        element.set(qn("w:eastAsia"), "zh-CN")
        if lang == "zh":
            element.set(qn("w:val"), "zh-CN")


def _landscape(doc, on: bool):
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    width, height = _PORTRAIT if not on else (_PORTRAIT[1], _PORTRAIT[0])
    section.orientation = WD_ORIENT.LANDSCAPE if on else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(width), Cm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(_MARGIN if not on else 1.8))
    section.different_first_page_header_footer = False
    return section


# ---------------------------------------------------------------- the parts


def _progress_table(doc, review, table: pd.DataFrame, *, width_cm: float, keys=None, size: float = 8, **years):
    """A progress table as the pages show it (its reader's view), status cells in their colours."""
    from ..present.tables import progress_view

    lang = review.lang
    found = review.indicator_results(table)
    view = progress_view(table, lang, results=found, **years)
    if keys is not None:
        view = view[[c for c in view.columns if _key_of(c, lang) in keys]]
    colours = found["colour"].tolist()
    return _table(doc, view, lang, width_cm=width_cm, status=_t(lang, "评估结论", "Status"), colours=colours,
                  names=[_t(lang, "指标", "Indicator")], size=size)


def _key_of(header: str, lang: str) -> str:
    from ..present.tables import HEADERS

    for key, zh, en in HEADERS:
        pattern = zh if lang == "zh" else en
        head, _, tail = pattern.partition("{")
        tail = tail.partition("}")[2]
        if header == pattern or ("{" in pattern and header.startswith(head) and header.endswith(tail)):
            return key
    return ""


_FIGURE_SVG = re.compile(r'<figure class="pa-chart">\s*(<svg.*?</svg>)', re.S)


def page_charts(page: Path) -> list[str]:
    """The charts of a written report page, as SVG text, in the page's order (none if no page).

    >>> page_charts(Path("no-such-page.html"))
    []
    """
    if not Path(page).exists():
        return []
    return _FIGURE_SVG.findall(Path(page).read_text(encoding="utf-8"))


@dataclass
class Draft:
    """A review's Word document without its chart images yet: :meth:`finish` puts them in (from
    the chapter pages' SVG when the review's folder has them — the charts the pages show, turned
    into PNG in a tenth of the time of drawing them again — else drawn from the review) and saves.

    >>> from plananalysis.context import review_context
    >>> draft = draft_document(review_context(as_of=2023))
    >>> number = draft.pending[0][1]
    >>> draft.add_charts(number) > 0, all(p[1] != number for p in draft.pending)
    (True, True)
    """

    review: object
    document: object
    pending: list = field(default_factory=list)

    def _images(self, number: int, pages: Path | None) -> dict:
        from ..present.fonts import register_fonts

        svgs = page_charts(Path(pages) / f"chapter-{number:02d}.html") if pages is not None else []
        wanted = [p for p in self.pending if p[1] == number]
        if len(svgs) >= len(wanted) and wanted:
            import vl_convert as vlc

            register_fonts()
            return {k: vlc.svg_to_png(svgs[k], scale=_CHART_SCALE) for _, _, k, _ in wanted}
        from ..present.charts import to_png

        context = self.review.for_chapter(number)
        return {k: to_png(context.trajectory(indicator_id), scale=_CHART_SCALE) for _, _, k, indicator_id in wanted}

    def add_charts(self, number: int, pages: Path | None = None) -> int:
        """Put chapter ``number``'s chart images in (from its page in ``pages`` if there); the
        number of images put in.  The review calls it as each chapter's page is written."""
        from docx.shared import Cm

        wanted = [p for p in self.pending if p[1] == number]
        if not wanted:
            return 0
        images = self._images(number, pages)
        for cell, _, k, _ in wanted:
            cell.paragraphs[0].add_run().add_picture(io.BytesIO(images[k]), width=Cm(_TEXT_WIDTH / 2 - 0.3))
        self.pending = [p for p in self.pending if p[1] != number]
        return len(wanted)

    def finish(self, target: Path | None = None, pages: Path | None = None):
        """Put the chart images still missing in (``pages``: the review's folder, whose chapter
        pages hold the charts), save to ``target`` atomically (if given) and return the document."""
        for number in list(dict.fromkeys(p[1] for p in self.pending)):
            self.add_charts(number, pages)
        if target is not None:
            buffer = io.BytesIO()
            self.document.save(buffer)
            write_atomically(target, buffer.getvalue())
        return self.document


def compiled_by(review) -> str:
    """编制单位: who files the review (``plan.yml``'s ``compiled_by_zh``/``compiled_by_en``, else
    the issuer of its data requests), in the review's language; empty when the plan names none.

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2023)
    >>> zh, en = compiled_by(review), compiled_by(review_context(as_of=2023, lang="en"))
    >>> zh == review.plan.info.region + "发展和改革委员会", en.endswith("Provincial Development and Reform Commission")
    (True, True)
    """
    raw = review.plan.info.raw or {}
    named = raw.get("compiled_by_en" if review.lang == "en" else "compiled_by_zh")
    if named:
        return str(named)
    issuer = (raw.get("data_requests") or {}).get("issuer", "")
    return glossary.department_name(review.plan, issuer, review.lang) if issuer else ""


def filing_date(review, today: date | None = None) -> str:
    """The review's date on its title page: its filing date (``plan.yml``'s ``filed``, by review
    year), else the day the document is written, as a month (2026年3月 / March 2026).

    >>> from plananalysis.context import review_context
    >>> filing_date(review_context(as_of=2023), date(2026, 3, 9)), filing_date(review_context(as_of=2023, lang="en"), date(2026, 3, 9))
    ('2026年3月', 'March 2026')
    """
    filed = (review.plan.info.raw or {}).get("filed") or {}
    value = filed.get(review.params.as_of, filed.get(str(review.params.as_of)))
    day = date.fromisoformat(str(value) + ("-01" if len(str(value)) == 7 else "")) if value else (today or date.today())
    return _t(review.lang, f"{day.year}年{day.month}月", day.strftime("%B %Y"))


#: the document's top-level headings (Heading 1), in order
HEADINGS = {
    "overall": ("一、总体评价", "1. Overall assessment"),
    "indicators": ("二、主要指标完成情况", "2. The headline indicators"),
    "tasks": ("三、主要任务进展", "3. Progress of the main tasks"),
    "projects": ("四、重大工程项目", "4. Major projects"),
    "problems": ("五、存在的主要问题", "5. Main problems"),
    "next-steps": ("六、下一步工作建议", "6. Recommendations"),
    "annexes": ("附件", "Annexes"),
}


def _h1(doc, review, key: str):
    return _heading(doc, _t(review.lang, *HEADINGS[key]), 1, review.lang)


def _title_page(doc, review, today: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    lang, params = review.lang, review.params
    for _ in range(6):
        doc.add_paragraph()
    center = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph(style="Title")
    title.alignment = center
    _run(title, review.plan.title_in(lang), lang, name=True)
    subtitle = _paragraph(doc, _t(lang, f"{review.phase_title}报告", f"{review.phase_title} report"), lang,
                          indent=False, bold=True, size=18, align=center)
    subtitle.style = doc.styles["Normal"]
    _paragraph(doc, _t(lang, f"（截至{params.as_of}年）", f"(as of {params.as_of})"), lang, indent=False,
               size=14, align=center)
    for _ in range(10):
        doc.add_paragraph()
    body = compiled_by(review)
    if body:
        _run(_paragraph(doc, "", lang, indent=False, align=center), body, lang, name=True, size=14)
    _paragraph(doc, today, lang, indent=False, size=14, align=center)
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)


def _contents(doc, review) -> None:
    """目录: a table-of-contents field (Word and WPS fill in the pages; its text until then lists
    the headings), updated when the document is opened."""
    from docx.enum.text import WD_BREAK

    lang = review.lang
    heading = _paragraph(doc, _t(lang, "目　　录", "Contents"), lang, indent=False, bold=True, size=16,
                         align=1)
    heading.paragraph_format.space_after = 12
    paragraph = doc.add_paragraph()
    run = paragraph.add_run()
    run._r.append(_element("w:fldChar", fldCharType="begin", dirty="true"))
    run = paragraph.add_run()
    instruction = _element("w:instrText")
    instruction.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instruction.text = ' TOC \\o "1-2" \\h \\z \\u '
    run._r.append(instruction)
    paragraph.add_run()._r.append(_element("w:fldChar", fldCharType="separate"))
    entries = [_t(lang, *HEADINGS[k]) for k in HEADINGS]
    for k, entry in enumerate(entries):
        run = paragraph.add_run(entry)
        if k < len(entries) - 1:
            run.add_break()
    paragraph.add_run()._r.append(_element("w:fldChar", fldCharType="end"))
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    settings = doc.settings.element
    settings.append(_element("w:updateFields", val="true"))


def _section_text(doc, review, key: str) -> None:
    """A text section: the commission's paragraphs, or the draft written from the data under its
    mark (:mod:`plananalysis.present.review_text`)."""
    from ..present.review_text import DRAFT_MARK, section_text

    lang = review.lang
    text = section_text(review, key)
    if not text.paragraphs:
        return
    if text.draft:
        _run(_paragraph(doc, "", lang, indent=False), DRAFT_MARK[lang], lang, bold=True, colour="#C00000")
    for paragraph in text.paragraphs:
        _paragraph(doc, paragraph, lang, name=True)


def _summary(doc, review) -> None:
    from ..present.signals import legend

    lang = review.lang
    _h1(doc, review, "overall")
    _section_text(doc, review, "overall")
    counts = review.status_counts_view()
    phase = review.progress["phase"].iloc[0] if len(review.progress) else review.params.phase
    declared = legend(review.params.method, phase, lang)
    colours = dict(zip(declared["label"], declared["colour"]))
    status_header = counts.columns[0]
    _table(doc, counts, lang, width_cm=8, status=status_header,
           colours=[colours.get(x, "#ffffff") for x in counts[status_header]], size=9.5)
    _paragraph(doc, _t(lang, "评估结论说明：", "The statuses in words:"), lang, indent=False, bold=True)
    for row in declared.itertuples():
        _paragraph(doc, f"{row.symbol} {row.label}{_t(lang, '：', ': ')}{row.rule}", lang, indent=False, size=9.5)


def indicator_summary(review) -> pd.DataFrame:
    """二、主要指标完成情况 as one portrait table: number, indicator, target, latest value (year),
    the measure the verdict rests on (P, or q in a mid-term review), status — every cell from the
    review's results table.

    >>> from plananalysis.context import review_context
    >>> indicator_summary(review_context(as_of=2025)).iloc[2].tolist()
    ['3', '常住人口城镇化率', '75左右', '≈76（2025年）', 'P=125%', '超额完成（初步，据转载数据，待核实）']
    """
    from ..present.tables import progress_view

    found = review.indicator_results()
    view = progress_view(review.progress, review.lang, base_year=review.plan.base_year,
                         target_year=review.plan.target_year, results=found)
    target = next(c for c in view.columns if _key_of(c, review.lang) == "target")
    return pd.DataFrame({review.t("序号", "No."): found["no"].tolist(),
                         review.t("指标", "Indicator"): found["name"].tolist(),
                         target: view[target].tolist(),
                         review.t("最新值（年份）", "Latest (year)"): found["latest"].tolist(),
                         review.t("判断数值", "Measure"): [v or fmt.MISSING for v in found["shown"].fillna("")],
                         review.t("评估结论", "Status"): found["label"].tolist()})


def _indicators(doc, review) -> None:
    lang = review.lang
    _h1(doc, review, "indicators")
    table = indicator_summary(review)
    _table(doc, table, lang, status=_t(lang, "评估结论", "Status"), colours=review.indicator_results()["colour"].tolist(),
           names=[_t(lang, "指标", "Indicator")], size=9)
    _paragraph(doc, _t(lang, "各指标的完成进度、判断数值和依据见附件1。",
                       "Each indicator's completion, measure and reasons are in Annex 1."), lang, size=9.5)
    if review.params.phase == "final":
        _since_midterm(doc, review)


def since_midterm(review) -> pd.DataFrame:
    """A final review against its mid-term: the headline indicators whose status changed, with
    both statuses and why (the one comparison of the two reviews' results,
    :func:`~plananalysis.present.changes.compare`, that the front page and ``changes.csv`` show).

    >>> from plananalysis.context import review_context
    >>> table = since_midterm(review_context(as_of=2025))
    >>> table.columns.tolist()
    ['指标', '中期评估（2023年）', '终期评估（2025年）', '依据']
    """
    midterm_year = review.plan.info.midterm_year
    if not midterm_year or midterm_year >= review.params.as_of:
        return pd.DataFrame()
    from ..context import review_context
    from ..present.changes import compare

    before = review_context(review.params.replace(as_of=midterm_year, chapter=None, compare=""))
    found = compare(before.snapshot, review.snapshot, review.lang)
    rows = found[(found["change"] == "verdict") & (found["kind"] == "indicator")]
    return pd.DataFrame({review.t("指标", "Indicator"): rows["name"].tolist(),
                         review.t(f"中期评估（{midterm_year}年）", f"Mid-term ({midterm_year})"): rows["before"].tolist(),
                         review.t(f"终期评估（{review.params.as_of}年）", f"Final ({review.params.as_of})"):
                             rows["after"].tolist(),
                         review.t("依据", "Why"): rows["why"].tolist()})


def _since_midterm(doc, review) -> None:
    lang = review.lang
    _heading(doc, _t(lang, "与中期评估相比", "Compared with the mid-term review"), 2, lang)
    table = since_midterm(review)
    if table.empty:
        _paragraph(doc, _t(lang, "主要指标的评估结论与中期评估相同。", "No headline indicator's status changed since the mid-term review."), lang)
        return
    intro = _paragraph(doc, _t(lang, f"与中期评估相比，{len(table)}项主要指标的评估结论有变化：",
                               f"{len(table)} headline indicators changed status since the mid-term review:"), lang)
    intro.paragraph_format.keep_with_next = True     # not alone at the foot of a page
    _table(doc, table, lang, names=[table.columns[0], table.columns[-1]], size=8.5)


def _task_rows(review, tasks: pd.DataFrame, *, box: bool = False) -> pd.DataFrame:
    """Tasks as the document's table (:func:`~plananalysis.present.review_text.task_rows`, the
    rows the chapter pages and the apps show too)."""
    from ..present.review_text import task_rows

    return task_rows(review, tasks, box=box)


def _chapters(doc, review, pending: list) -> None:
    from ..present import figures
    from ..present.review_text import task_table

    lang = review.lang
    _h1(doc, review, "tasks")
    keys = ["no", "name", "latest", "target", "status", "shown", "projected"]
    years = {"base_year": review.plan.base_year, "target_year": review.plan.target_year}
    with_tasks = set(int(c) for c in review.plan.tasks["chapter"]) if len(review.plan.tasks) else set()
    for number in sorted(with_tasks | set(chapter_numbers(review))):
        context = review.for_chapter(number)
        _heading(doc, context.chapter.title(lang), 2, lang)
        _section_text(doc, context, f"chapter-{number:02d}")
        tasks = task_table(review, number, kinds=("task", "action"))
        if len(tasks):
            _heading(doc, _t(lang, f"主要任务（{len(tasks)}项）", f"Tasks ({len(tasks)})"), 3, lang)
            rows = _task_rows(review, tasks)
            _table(doc, rows, lang, names=[rows.columns[0], rows.columns[3]], size=8.5)
        targets = chapter_targets(context)
        if targets is not None and len(targets):
            _heading(doc, _t(lang, f"本章量化目标（{len(targets)}项）", f"Quantified targets ({len(targets)})"), 3, lang)
            status = next((c for c in targets.columns if c in ("评估结论", "Status")), None)
            colours = None
            if status is not None:
                from .workbook import _colour_of, _label_colours

                table = _label_colours(review)
                colours = [_colour_of(v, table) for v in targets[status]]
            # the plan's own words (a target without an English wording is quoted, marked zh-CN)
            quote = [c for c in targets.columns if c in ("原文", "Quote", "内容", "Subject", "来源", "Source", "Target")]
            _table(doc, targets, lang, status=status, colours=colours, names=quote, size=8.5)
        rows = context.chapter_progress()
        if len(rows):
            _heading(doc, _t(lang, f"本章主要指标（{len(rows)}项）", f"Headline indicators ({len(rows)})"), 3, lang)
            _progress_table(doc, context, rows, width_cm=_TEXT_WIDTH, keys=keys, size=8.5, **years)
            drawn, without = figures.drawn_indicators(context, rows["indicator_id"])
            if drawn:
                grid = doc.add_table(rows=(len(drawn) + 1) // 2, cols=2)
                for k, indicator_id in enumerate(drawn):  # the images are put in by Draft.finish
                    pending.append((grid.cell(k // 2, k % 2), number, k, indicator_id))
            note = figures.without_charts_note(context, without)
            if note:
                _paragraph(doc, note, lang, indent=False, size=9)


def _projects(doc, review) -> None:
    from ..present.review_text import task_table

    lang = review.lang
    _h1(doc, review, "projects")
    projects = task_table(review, kinds=("major_project",))
    if not len(projects):
        _paragraph(doc, _t(lang, "规划未列出重大工程项目。", "The plan lists no major project."), lang)
        return
    reported = int((projects["status"] != "").sum())
    late = int(projects["status"].isin(["滞后", "未启动"]).sum())
    boxes = projects["box"].nunique()
    _paragraph(doc, _t(lang, f"规划{boxes}个专栏列出重大工程项目{len(projects)}项，已报告进展{reported}项，其中滞后或未启动{late}项。",
                       f"{boxes} boxes of the plan list {len(projects)} major projects; {reported} have reported progress, "
                       f"{late} of them behind schedule or not started."), lang)
    rows = _task_rows(review, projects, box=True)
    _table(doc, rows, lang, names=[rows.columns[0], rows.columns[3]], size=8.5)


def _problems(doc, review) -> None:
    _h1(doc, review, "problems")
    _section_text(doc, review, "problems")


def _next_steps(doc, review) -> None:
    _h1(doc, review, "next-steps")
    _section_text(doc, review, "next-steps")


def all_targets(review) -> pd.DataFrame:
    """附件2: every quantified target — chapter, subject, target, status, latest value — from the
    review's results table (no ids).

    >>> from plananalysis.context import review_context
    >>> all_targets(review_context(as_of=2023)).columns.tolist()
    ['章', '内容', '目标', '评估结论', '最新值（年份）']
    """
    from ..present.targets import targets_view

    rows = review.target_progress.reset_index(drop=True)
    view = targets_view(rows, review.lang)
    found = review.target_results()
    target = review.t("目标", "Target")
    return pd.DataFrame({review.t("章", "Ch."): [str(int(c)) for c in found["chapter"]],
                         review.t("内容", "Subject"): found["name"].tolist(),
                         target: view[target].tolist() if target in view.columns else [fmt.MISSING] * len(found),
                         review.t("评估结论", "Status"): found["label"].tolist(),
                         review.t("最新值（年份）", "Latest (year)"): found["latest"].tolist()})


def _annexes(doc, review) -> None:
    lang = review.lang
    _landscape(doc, True)
    _h1(doc, review, "annexes")
    _heading(doc, _t(lang, "附件1 主要指标完成情况表", "Annex 1. The headline indicators"), 2, lang)
    years = {"base_year": review.plan.base_year, "target_year": review.plan.target_year}
    _progress_table(doc, review, review.progress, width_cm=_PORTRAIT[1] - 3.6, **years)
    _heading(doc, _t(lang, "附件2 量化目标完成情况表", "Annex 2. The quantified targets"), 2, lang)
    table = all_targets(review)
    from .workbook import _colour_of, _label_colours

    status = _t(lang, "评估结论", "Status")
    colours = [_colour_of(v, _label_colours(review)) for v in table[status]]
    _table(doc, table, lang, width_cm=_PORTRAIT[1] - 3.6, status=status, colours=colours,
           names=[_t(lang, "内容", "Subject"), _t(lang, "目标", "Target")], size=8)
    _landscape(doc, False)
    _sources(doc, review)


def _evidence_grades(review, observed: pd.DataFrame, frame: pd.DataFrame) -> dict | None:
    """Source key → its evidence grade, where the observed data carries one (``evidence_grade``)."""
    if "evidence_grade" not in observed.columns:
        return None
    grades = observed.loc[frame.index, "evidence_grade"].fillna("").astype(str)
    from ..observed.grades import grade_label

    return {k: grade_label(g, review.lang) or fmt.MISSING
            for k, g in zip(frame["key"], grades)}


def _sources(doc, review) -> None:
    lang = review.lang
    _heading(doc, _t(lang, "附件3 数据来源", "Annex 3. Sources"), 2, lang)
    doc_meta = review.plan.sources.get("document", {}) or {}
    if doc_meta.get("title"):
        said = [glossary.pick(str(doc_meta.get("publisher", "") or ""), lang), str(doc_meta.get("issued", "") or "")]
        said = [x for x in said if x]
        paragraph = _paragraph(doc, _t(lang, "规划文本：", "The plan: "), lang, indent=False, bold=True)
        _run(paragraph, book_title(doc_meta["title"], lang), lang, name=True)
        if said:
            _run(paragraph, _t(lang, f"（{'，'.join(said)}）", f" ({', '.join(said)})"), lang, name=True)
        if doc_meta.get("url"):
            _run(paragraph, _t(lang, "，", ", ") + str(doc_meta["url"]), lang)
    from ..present.results import source_key

    observed = review.observed[review.observed["year"] <= review.params.as_of]
    titles = observed["source_title"].fillna("")
    frame = pd.DataFrame({"key": [source_key(u, t) for u, t in zip(observed["source_url"], titles)],
                          "title": [glossary.to_chinese(x) if lang == "zh" else x for x in titles],
                          "quality": [glossary.label("quality", q, lang) for q in observed["source_quality"]],
                          "url": observed["source_url"].fillna("")})
    frame = frame[frame["key"] != ""]
    # one row per source (review.source_counts counts the same keys): its first title and type
    grouped = (frame.groupby("key", sort=False).agg(title=("title", "first"), quality=("quality", "first"),
                                                   url=("url", "first"), n=("title", "size")).reset_index()
               .sort_values("n", ascending=False, kind="stable"))
    counts = review.source_counts
    _paragraph(doc, _t(lang, f"观测值{counts['values']}条，来自{counts['sources']}个来源（每条的出处见 scorecard.xlsx 的“观测数据”表）。"
                             "缺失数据记为“无数据”，不以零计，也不插值。",
                       f"{counts['values']} observed values from {counts['sources']} sources (each value's source is in "
                       "scorecard.xlsx, sheet Observed data). Missing data is 'no data': never zero, never interpolated."),
               lang)
    columns = {_t(lang, "来源", "Source"): grouped["title"].tolist(),
               _t(lang, "来源类型", "Type"): grouped["quality"].tolist()}
    grades = _evidence_grades(review, observed, frame)
    if grades is not None:
        columns[_t(lang, "证据等级", "Evidence grade")] = [grades.get(k, fmt.MISSING) for k in grouped["key"]]
    table = pd.DataFrame({**columns,
                          _t(lang, "观测值数", "Values"): [str(n) for n in grouped["n"]],
                          _t(lang, "链接", "Link"): grouped["url"].tolist()})
    _table(doc, table, lang, names=[_t(lang, "来源", "Source")], size=8)


def draft_document(review, *, today: date | None = None) -> Draft:
    """The review's document with every part but the chart images (see :class:`Draft`).

    >>> from plananalysis.context import review_context
    >>> draft = draft_document(review_context(as_of=2023))
    >>> len(draft.pending) > 0, len(draft.document.inline_shapes)
    (True, 0)
    """
    from docx import Document
    from docx.shared import Cm

    from ..present.frontpage import front_title

    lang = review.lang
    doc = Document()
    _setup_styles(doc, lang)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(_PORTRAIT[0]), Cm(_PORTRAIT[1])
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(_MARGIN))
    title = front_title(review)
    _page_furniture(section, title, lang)
    doc.core_properties.title = title
    doc.core_properties.language = "zh-CN" if lang == "zh" else "en"
    doc.core_properties.author = "plananalysis"
    _language(doc, lang)
    draft = Draft(review, doc)
    _title_page(doc, review, filing_date(review, today))
    _contents(doc, review)
    _summary(doc, review)
    _indicators(doc, review)
    _chapters(doc, review, draft.pending)
    _projects(doc, review)
    _problems(doc, review)
    _next_steps(doc, review)
    _annexes(doc, review)
    return draft


def build_document(review, *, today: date | None = None, pages: Path | None = None):
    """The review as a ``docx.Document`` (see the module's docstring for its parts); ``pages``: the
    review's folder, whose chapter pages already hold the charts.

    >>> from plananalysis.context import review_context
    >>> doc = build_document(review_context(as_of=2025, lang="en"))
    >>> doc.paragraphs[6].text == review_context(as_of=2025).plan.title_in("en"), doc.sections[1].orientation.name
    (True, 'LANDSCAPE')
    """
    return draft_document(review, today=today).finish(pages=pages)


def write_document(target: Path, params, *, today: date | None = None, pages: Path | None = None) -> Path:
    """Write the review's Word document to ``target``, atomically (the review drafts it in a thread
    beside the notebooks and puts the charts in from the pages once they are written).

    >>> import tempfile
    >>> from docx import Document
    >>> from plananalysis.params import validate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = write_document(Path(tmp.name) / "review.docx", validate(as_of=2023, lang="en"))
    >>> [p.text for p in Document(path).paragraphs if p.style.name == "Heading 1"][-2:]
    ['6. Recommendations', 'Annexes']
    >>> tmp.cleanup()
    """
    from ..context import review_context

    draft_document(review_context(params), today=today).finish(target, pages)
    return Path(target)
