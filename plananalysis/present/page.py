"""The page every report is printed on: one small stylesheet, the right ``lang``, a viewport, print.

A report page is this shell around its content: ``<html lang="zh-CN">`` (or ``en``), a viewport
tag, the CJK font stack, a layout that works from a 390 px phone to a 1400 px screen (tables scroll
sideways inside their box, charts sit two or three to a row and shrink), and print styles (A4,
a page break before each report — ``<article class="pa-report">``, one per chapter when the reports
are put together — and before a ``.pa-chapter``, table headers repeated on every printed page, no
navigation).
The stylesheet holds only what the pages use (≈ 5 KB; nbconvert's lab template carried ≈ 264 KB
of JupyterLab CSS).

>>> page = page_shell("总览", "<p>正文</p>", "zh")
>>> '<html lang="zh-CN">' in page, 'name="viewport"' in page, "@page" in page, "<script" in page
(True, True, True, False)
"""

from __future__ import annotations

import html

from .text import escape_text

__all__ = ["FONT_STACK", "PAGE_CSS", "page_shell", "html_lang", "nav_html", "error_banner", "ui"]

FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
              '"WenQuanYi Micro Hei", sans-serif')

PAGE_CSS = f"""
*{{box-sizing:border-box}}
body{{font-family:{FONT_STACK};margin:0 auto;max-width:1180px;padding:16px 24px;color:#1a1a1a;line-height:1.55;font-size:15px}}
h1{{font-size:1.55em;line-height:1.3;margin:.4em 0}} h2{{font-size:1.25em;margin:1.4em 0 .5em;border-bottom:1px solid #ddd;padding-bottom:.2em}}
h3{{font-size:1.05em;margin:1.1em 0 .4em}}
a{{color:#1f5fa8}}
.pa-nav{{font-size:13px;margin-bottom:8px}}
.pa-meta{{color:#555;font-size:13px}}
.pa-banner{{background:#fde0dd;border-left:6px solid #a50f15;padding:10px 14px;margin:12px 0}}
.pa-headline{{font-size:1.12em;background:#f4f7fb;border-left:5px solid #1f5fa8;padding:10px 14px;margin:12px 0}}
.pa-output{{overflow-x:auto;max-width:100%;margin:6px 0}}
table{{border-collapse:collapse;font-size:13px}}
th{{background:#f0f0f0;text-align:left;padding:4px 6px;vertical-align:bottom}}
td{{padding:4px 6px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top;overflow-wrap:break-word}}
td:nth-child(2){{min-width:9em}}
.pa-data{{font-size:12px;margin:2px 0 12px}} .pa-data a{{color:#555}}
.pa-charts{{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:14px 18px;margin:8px 0}}
.pa-charts.pa-single{{display:block}}
.pa-nowrap{{white-space:nowrap}}
.pa-chart svg{{max-width:100%;height:auto;display:block}}
figure{{margin:0}} figcaption{{font-size:12px;color:#555}}
.pa-note{{color:#555;font-size:13px}}
.pa-badge{{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap;border:1px solid #bbb}}
@media (max-width:600px){{td .pa-badge,li .pa-badge{{white-space:normal}}}}
.pa-shown{{font-size:12px;color:#333;white-space:nowrap}}
.pa-bar-label{{font-size:11px;color:#555}}
.chip{{display:inline-block;padding:3px 10px;margin:2px 4px 2px 0;border-radius:12px;border:1px solid #999;font-size:14px}}
.failed{{color:#a50f15;font-weight:600}}
.pa-legend{{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:4px 16px;font-size:13px;margin:6px 0}}
.pa-legend div{{display:flex;gap:6px;align-items:baseline}}
.pa-attention li{{margin:4px 0}}
.pa-links{{columns:2 260px;padding-left:1.2em}}
.pa-scorecard td{{vertical-align:middle}}
footer{{margin-top:2em;font-size:13px;color:#555;border-top:1px solid #ddd;padding-top:.5em}}
@media (max-width:640px){{
 body{{padding:10px 12px;font-size:14px}}
 .pa-charts{{grid-template-columns:1fr}}
 table.pa-cards thead{{display:none}}
 table.pa-cards,table.pa-cards tbody,table.pa-cards tr,table.pa-cards td{{display:block;width:100%}}
 table.pa-cards tr{{border:1px solid #ddd;border-radius:6px;margin:0 0 10px;padding:6px 8px}}
 table.pa-cards td{{border:0;padding:2px 0}}
 table.pa-cards td[data-label]::before{{content:attr(data-label);color:#666;font-size:12px}}
 table.pa-cards td.pa-num{{float:left;width:auto;margin-right:.4em;font-weight:600;font-size:15px}}
 table.pa-cards td.pa-name{{font-weight:600;font-size:15px}}
 table.pa-cards td.pa-minor,table.pa-cards td.pa-empty{{display:none}}
}}
@page{{size:A4;margin:14mm 12mm}}
@media print{{
 body{{max-width:none;padding:0;font-size:11pt}}
 .pa-nav,.pa-data{{display:none}}
 .pa-output{{overflow:visible}}
 thead{{display:table-header-group}} tr,figure,.pa-chart{{break-inside:avoid}}
 h2,h3{{break-after:avoid}}
 .pa-chapter,article.pa-report+article.pa-report{{break-before:page}}
 .pa-charts{{grid-template-columns:repeat(2,1fr)}}
 a{{color:inherit;text-decoration:none}}
}}
"""

_UI = {
    "back": ("← 返回本次评估首页", "← Back to the review's front page"),
    "failed": ("本报告运行失败：", "This report failed: "),
    "some_failed": ("有报告运行失败：", "Some reports failed: "),
    "data": ("数据（CSV）", "Data (CSV)"),
    "run_failed": ("✗ 运行失败", "✗ failed"),
}


def ui(key: str, lang: str = "zh") -> str:
    """A word of the page's furniture in ``lang``.

    >>> ui("back"), ui("data", "en")
    ('← 返回本次评估首页', 'Data (CSV)')
    """
    zh, en = _UI[key]
    return en if lang == "en" else zh


def html_lang(lang: str) -> str:
    """The HTML ``lang`` of a report language: ``zh`` → ``zh-CN``.

    >>> html_lang("zh"), html_lang("en")
    ('zh-CN', 'en')
    """
    return "zh-CN" if lang == "zh" else "en"


def nav_html(lang: str = "zh", href: str = "index.html") -> str:
    """The link back to the review's front page.

    >>> nav_html("en")
    '<nav class="pa-nav"><a href="index.html">← Back to the review\\'s front page</a></nav>'
    """
    return f'<nav class="pa-nav"><a href="{html.escape(href)}">{html.escape(ui("back", lang), quote=False)}</a></nav>'


def error_banner(error: str, lang: str = "zh") -> str:
    """A failed run's message at the top of its page.

    >>> 'id="pa-error"' in error_banner("数据缺失")
    True
    """
    return (f'<div class="pa-banner" id="pa-error"><strong>{html.escape(ui("failed", lang))}</strong>'
            f"{escape_text(error)}</div>")


def page_shell(title: str, body: str, lang: str = "zh", *, extra_css: str = "", head: str = "") -> str:
    """A whole HTML page around ``body``: ``lang``, viewport, title, the stylesheet.

    >>> "<title>Overview</title>" in page_shell("Overview", "", "en")
    True
    """
    return (f'<!DOCTYPE html>\n<html lang="{html_lang(lang)}"><head><meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape_text(title)}</title>\n<style>{PAGE_CSS}{extra_css}</style>{head}</head>\n"
            f"<body>\n{body}\n</body></html>\n")
