"""The one-page brief for leaders (一页纸): ``brief.docx`` and ``brief.pdf`` of each review.

One A4 page, read in a meeting: the headline sentence; the status counts of the headline
indicators and of the quantified targets; what lags or is unlikely to be met (预警); what awaits
the commission's decision (in a mid-term review, the indicators already met or far behind; in a
final review, those not completed); which departments owe data or task statements — each number
with its data year, every one from the review's results table.  Lists stop at a few items
("等N项"), so the page never runs over.

:func:`brief_content` gathers the parts once; :func:`write_brief` writes them as a Word document
(the document's styles and fonts, :mod:`plananalysis.publish.document`) and as a page the
review's printer turns into the PDF (every text escaped,
:func:`~plananalysis.present.text.escape_text`).

>>> from plananalysis.context import review_context
>>> content = brief_content(review_context(as_of=2023))
>>> [title for title, _ in content["parts"]]
['评估结论', '预警', '待委决策', '需报送']
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from ..files import write_atomically
from ..present import format as fmt
from ..present.text import escape_text

__all__ = ["brief_content", "write_brief", "ITEMS"]

#: the most items a list of the brief shows (the rest counted)
ITEMS = 5


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _list(items: list[str], lang: str, limit: int = ITEMS) -> list[str]:
    if len(items) <= limit:
        return items
    return items[:limit] + [_t(lang, f"另有{len(items) - limit}项，见评估报告。", f"{len(items) - limit} more in the review.")]


def _short(row, lang: str) -> str:
    """A result in a few words: name, status, latest value with its year."""
    latest = row["latest"] if not fmt.is_missing(row["latest"]) else fmt.MISSING
    return _t(lang, f"{row['name']}：{row['label']}，最新值{latest}", f"{row['name']}: {row['label']}, latest {latest}")


def _counts(review) -> str:
    lang = review.lang
    counts = review.status_counts_view()
    indicators = [(str(a), int(b)) for a, b in counts.itertuples(index=False) if int(b)]
    total = sum(n for _, n in indicators)
    said = _t(lang, f"主要指标{total}项：", f"{total} headline indicators: ") + _t(lang, "、", ", ").join(
        _t(lang, f"{label}{n}项", f"{n} {label.lower()}") for label, n in indicators)
    targets = review.target_status_counts_view()
    if len(targets):
        pairs = [(str(a), int(b)) for a, b in targets.itertuples(index=False)]
        said += _t(lang, f"；量化目标{sum(n for _, n in pairs)}项：", f"; {sum(n for _, n in pairs)} quantified targets: ") + \
            _t(lang, "、", ", ").join(_t(lang, f"{label}{n}项", f"{n} {label.lower()}") for label, n in pairs)
    years = review.results["latest_year"].dropna()
    if len(years):
        said += _t(lang, f"（据{int(years.min())}–{int(years.max())}年数据）", f" (on {int(years.min())}–{int(years.max())} data)")
    return said + _t(lang, "。", ".")


def _owed(review) -> list[str]:
    """Departments owing data (headline indicators without data) or task statements."""
    from ..present.narrative import lead_departments
    from ..present.review_text import task_table

    lang = review.lang
    out = []
    found = review.indicator_results()
    missing = found[found["tone"] == "no_data"]["id"]
    departments = lead_departments(review, missing)
    if len(departments):
        out.append(_t(lang, "主要指标数据：", "Headline indicator data: ") + _t(lang, "、", ", ").join(
            _t(lang, f"{d.department}（{d.count}项）", f"{d.department} ({d.count})")
            for d in departments.head(8).itertuples()) + (_t(lang, f"等{len(departments)}个部门", f" and {len(departments) - 8} more")
                                                          if len(departments) > 8 else ""))
    tasks = task_table(review)
    if len(tasks):
        open_ = tasks[tasks["status"] == ""]
        if len(open_):
            by = open_["department"].value_counts()
            out.append(_t(lang, f"任务进展（{len(open_)}项未报告）：", f"Task statements ({len(open_)} not reported): ")
                       + _t(lang, "、", ", ").join(_t(lang, f"{d}（{n}项）", f"{d} ({n})") for d, n in by.head(6).items())
                       + (_t(lang, f"等{len(by)}个部门", f" and {len(by) - 6} more") if len(by) > 6 else ""))
    return out


def brief_content(review, today: date | None = None) -> dict:
    """The brief's parts: ``title``, ``subtitle`` (the review, its year, who files it, the date),
    ``headline`` and ``parts`` — ``[(heading, [lines])]``: the counts, 预警, what awaits a
    decision, who owes data or statements.

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2023)
    >>> content = brief_content(review, today=date(2024, 3, 1))
    >>> content["title"] == review.plan.info.title_zh + "评估要点"
    True
    >>> review_name, filed_by, month = content["subtitle"].split()
    >>> review_name, filed_by == review.plan.info.raw["compiled_by_zh"], month
    ('中期评估（截至2023年）', True, '2024年3月')
    >>> statuses, warned, decide, owed = [lines for _, lines in content["parts"]]
    >>> statuses[0].startswith("主要指标25项：提前实现4项、快于预期6项、基本符合预期1项、无数据14项；")
    True
    >>> len(warned), decide[0].startswith("已提前实现目标"), owed[1].startswith("任务进展（167项未报告）")
    (2, True, True)
    """
    from ..present.narrative import headline
    from ..present.review_text import adjustments, said_once, warnings
    from .document import compiled_by, filing_date

    lang = review.lang
    results = review.results
    if review.params.phase == "midterm":
        decide = adjustments(review)
    else:
        unmet = said_once(results[results["status_id"].isin(["not_completed", "estimated_not_completed"])])
        decide = [_t(lang, "未完成或预计不能完成、需说明原因并研究是否纳入下一规划：",
                     "Not (likely to be) completed — explain, and decide whether to carry into the next plan: ")
                  + _t(lang, "；", "; ").join(_short(r, lang) for _, r in unmet.iterrows())] if len(unmet) else []
    warned = warnings(review)
    parts = [(_t(lang, "评估结论", "Statuses"), [_counts(review)]),
             (_t(lang, "预警", "Early warning"), _list(warned, lang) or [_t(lang, "没有滞后或预计不能完成的指标、目标和任务（据已有数据）。",
                                                                              "Nothing lags or is unlikely to be met (on the data so far).")]),
             (_t(lang, "待委决策", "For decision"), _list(decide, lang, 3) or [_t(lang, "无。", "None.")]),
             (_t(lang, "需报送", "Owed"), _owed(review) or [_t(lang, "无。", "None.")])]
    subtitle = [review.phase_title + _t(lang, f"（截至{review.params.as_of}年）", f" (as of {review.params.as_of})")]
    body = compiled_by(review)
    subtitle += ([body] if body else []) + [filing_date(review, today)]
    return {"title": review.plan.title_in(lang) + _t(lang, "评估要点", ": the review in brief"),
            "subtitle": _t(lang, "　", " · ").join(subtitle), "headline": headline(review), "parts": parts}


def _build_brief(review, today: date | None = None):
    """The brief as a ``docx.Document`` (one A4 page)."""
    from docx import Document
    from docx.shared import Cm, Pt

    from .document import _PORTRAIT, _language, _paragraph, _run, _setup_styles

    lang = review.lang
    content = brief_content(review, today)
    doc = Document()
    _setup_styles(doc, lang)
    _language(doc, lang)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(_PORTRAIT[0]), Cm(_PORTRAIT[1])
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.9))
    for side in ("top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.6))
    doc.core_properties.title = content["title"]
    doc.core_properties.language = "zh-CN" if lang == "zh" else "en"
    title = doc.add_paragraph(style="Title")
    title.alignment = 1
    _run(title, content["title"], lang, name=True, size=16)
    sub = _paragraph(doc, content["subtitle"], lang, name=True, indent=False, size=10, align=1)
    sub.paragraph_format.space_after = Pt(6)
    for paragraph in [_paragraph(doc, content["headline"], lang, name=True, size=10)]:
        paragraph.paragraph_format.space_after = Pt(4)
    for heading, lines in content["parts"]:
        head = _paragraph(doc, heading, lang, indent=False, bold=True, size=10.5)
        head.paragraph_format.space_before = Pt(4)
        head.paragraph_format.space_after = Pt(1)
        for line in lines:
            paragraph = _paragraph(doc, "• ", lang, indent=False, size=9.5)
            _run(paragraph, line, lang, name=True, size=9.5)
            paragraph.paragraph_format.space_after = Pt(1)
            paragraph.paragraph_format.line_spacing = 1.1
    return doc


_CSS = """@page{size:A4;margin:16mm 19mm}
body{font-family:"Noto Serif CJK SC","Source Han Serif SC","SimSun",serif;font-size:9.5pt;line-height:1.35;margin:0}
h1{font-family:"Noto Sans CJK SC","SimHei",sans-serif;font-size:16pt;text-align:center;margin:0 0 4pt}
.sub{text-align:center;font-size:10pt;margin:0 0 8pt}
.headline{font-size:10pt;text-indent:2em;margin:0 0 6pt}
h2{font-family:"Noto Sans CJK SC","SimHei",sans-serif;font-size:10.5pt;margin:6pt 0 2pt}
ul{margin:0;padding-left:1.2em}li{margin:0 0 1pt}"""


def _brief_html(review, today: date | None = None) -> str:
    """The brief as one HTML page (to print to ``brief.pdf``); every text escaped."""
    from ..present.page import html_lang

    content = brief_content(review, today)
    parts = "".join(f"<h2>{escape_text(h)}</h2><ul>" + "".join(f"<li>{escape_text(x)}</li>" for x in lines) + "</ul>"
                    for h, lines in content["parts"])
    return (f'<!DOCTYPE html>\n<html lang="{html_lang(review.lang)}"><head><meta charset="utf-8">'
            f"<title>{escape_text(content['title'])}</title><style>{_CSS}</style></head><body>"
            f"<h1>{escape_text(content['title'])}</h1><p class=\"sub\">{escape_text(content['subtitle'])}</p>"
            f"<p class=\"headline\">{escape_text(content['headline'])}</p>{parts}</body></html>\n")


def write_brief(folder: Path, params, *, printer=None, today: date | None = None) -> list[Path]:
    """Write ``brief.docx`` and ``brief.html`` into ``folder`` (atomically), and ``brief.pdf``
    when a :class:`~plananalysis.publish.pdf.Printer` is given; the paths written.

    >>> import tempfile
    >>> from plananalysis.params import validate
    >>> [p.name for p in write_brief(Path(tempfile.mkdtemp()), validate(as_of=2023))]
    ['brief.docx', 'brief.html']
    """
    from ..context import review_context

    review = review_context(params)
    folder = Path(folder)
    buffer = io.BytesIO()
    _build_brief(review, today).save(buffer)
    written = [write_atomically(folder / "brief.docx", buffer.getvalue()),
               write_atomically(folder / "brief.html", _brief_html(review, today).encode("utf-8"))]
    if printer is not None:
        written.append(printer.print(folder / "brief.html", folder / "brief.pdf"))
    return [Path(p) for p in written]
