"""Report files: offline HTML from executed notebooks, the index page and the Excel scorecard.

Every HTML file works offline: charts are inline SVG (the notebooks use the ``svg``
renderer), and the scripts nbconvert's template would fetch from CDNs (require.js,
MathJax, mermaid) are removed — the reports need none of them.  Text uses the reader's
CJK fonts, named first in the page's font stack.
"""

from __future__ import annotations

import base64
import html
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from ..files import write_atomically, write_text_atomically

__all__ = ["export_html", "write_index", "write_scorecard_xlsx", "FONT_STACK"]

FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
              '"WenQuanYi Micro Hei", sans-serif')
_SVG_IMG = re.compile(r'<img\b[^>]*src="data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]+)"[^>]*>')
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
_REMOTE_LINK = re.compile(r"<link\b[^>]*href=\"https?://[^\"]*\"[^>]*>", re.I)
_PAGE_CSS = f"""
body {{ font-family: {FONT_STACK}; margin: 0 auto; max-width: 1180px; padding: 16px 24px; color: #1a1a1a; }}
.pa-banner {{ background: #fde0dd; border-left: 6px solid #a50f15; padding: 10px 14px; margin: 12px 0; }}
.pa-nav {{ font-size: 13px; margin-bottom: 8px; }}
table {{ border-collapse: collapse; }}
"""


def _inline_svgs(body: str) -> str:
    """Charts as inline SVG (searchable, styled by the page's CJK fonts), not base64 images.

    Each chart's element ids get a prefix, so clip paths of two charts cannot collide.
    """
    count = 0

    def inline(match) -> str:
        nonlocal count
        count += 1
        svg = base64.b64decode(match.group(1)).decode("utf-8")
        svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
        svg = re.sub(r'\bid="([^"]+)"', rf'id="c{count}-\1"', svg)
        svg = svg.replace("url(#", f"url(#c{count}-").replace('href="#', f'href="#c{count}-')
        return f'<div class="pa-chart">{svg}</div>'

    return _SVG_IMG.sub(inline, body)


@lru_cache(maxsize=1)
def _html_exporter():
    """One exporter per process: building one loads and compiles its Jinja templates (≈ 0.15 s),
    which a review worker would otherwise pay for every notebook."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.exclude_markdown = False
    return exporter


def export_html(notebook: Path, target: Path, *, title: str = "", error: str | None = None) -> Path:
    """An executed notebook as HTML without code or prompts, with no remote scripts.

    ``error`` (a failed run) is shown in a banner at the top of the page.

    >>> import tempfile, nbformat
    >>> tmp = tempfile.TemporaryDirectory()
    >>> notebook = Path(tmp.name) / "overview.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 总览")]), notebook)
    >>> page = export_html(notebook, Path(tmp.name) / "overview.html", title="总览", error="数据缺失").read_text()
    >>> "<title>总览</title>" in page, 'id="pa-error"' in page, "<script" in page
    (True, True, False)
    >>> tmp.cleanup()
    """
    body, _ = _html_exporter().from_filename(str(notebook))
    body = _inline_svgs(_SCRIPT.sub("", body))
    body = _REMOTE_LINK.sub("", body)
    if title:
        body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", body, count=1, flags=re.S)
    head_extra = f"<style>{_PAGE_CSS}</style>"
    nav = '<div class="pa-nav"><a href="index.html">← 返回总览 (back to the index)</a></div>'
    banner = ""
    if error:
        banner = (f'<div class="pa-banner" id="pa-error"><strong>本报告运行失败 (this report failed)：</strong>'
                  f"{html.escape(error)}</div>")
    body = body.replace("</head>", head_extra + "</head>", 1)
    body = re.sub(r"(<body[^>]*>)", r"\1" + nav + banner, body, count=1)
    write_text_atomically(target, body)
    return target


def _context(params):
    """Plan, observed data and the progress table of one review (the review's one context)."""
    from ..context import review_context

    review = review_context(params)
    return review.plan, review.observed, review.progress


def write_index(folder: Path, jobs, results: dict, params) -> Path:
    """``index.html``: the overview scorecard and a link to every report, failures marked.

    >>> import tempfile
    >>> from plananalysis.params import validate
    >>> from plananalysis.run.review import review_jobs
    >>> params = validate(as_of=2023)
    >>> jobs = review_jobs(params)[:2]
    >>> failed = {"chapter-02": {"name": "chapter-02", "ok": False, "error": "数据缺失"}}
    >>> tmp = tempfile.TemporaryDirectory()
    >>> page = write_index(Path(tmp.name), jobs, failed, params).read_text(encoding="utf-8")
    >>> '<a href="overview.html">总览</a>' in page, "✗ 运行失败" in page
    (True, True)
    >>> tmp.cleanup()
    """
    from ..engine.methods import text_colour
    from ..present.tables import status_colours, style_progress

    plan, observed, table = _context(params)
    zh = params.lang == "zh"
    phase_title = ("中期评估" if params.phase == "midterm" else "终期检查") if zh else \
        ("Mid-term review" if params.phase == "midterm" else "Final review")
    colours = status_colours(params.method, table["phase"].iloc[0])
    counts = table.groupby(["status_order", "status_id", "status_zh" if zh else "status_en"]).size()
    chips = "".join(
        f'<span class="chip" style="background:{colours.get(sid, "#fff")};color:{text_colour(colours.get(sid, "#ffffff"))}">'
        f'{html.escape(label)} <b>{n}</b></span>'
        for (_, sid, label), n in counts.items())
    links = []
    for job in jobs:
        result = results.get(job.name)
        failed = result is not None and not result["ok"]
        mark = ' <span class="failed">✗ 运行失败 (failed)</span>' if failed else ""
        links.append(f'<li><a href="{job.name}.html">{html.escape(job.title(params.lang))}</a>{mark}</li>')
    failures = [r for r in results.values() if not r["ok"]]
    banner = ""
    if failures:
        items = "".join(f"<li>{html.escape(r['name'])}: {html.escape(r['error'] or '')}</li>" for r in failures)
        banner = f'<div class="pa-banner" id="pa-error"><strong>有报告运行失败 (some reports failed)：</strong><ul>{items}</ul></div>'
    title = f"{plan.title} {phase_title}（截至{params.as_of}年）" if zh else \
        f"{plan.title_in('en')} — {phase_title} (as of {params.as_of})"
    document = plan.sources.get("document", {})
    page = f"""<!DOCTYPE html>
<html lang="{'zh-CN' if zh else 'en'}"><head><meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_PAGE_CSS}
.chip {{ display:inline-block; padding:4px 10px; margin:2px 4px 2px 0; border-radius:12px; border:1px solid #999; }}
.failed {{ color:#a50f15; font-weight:600; }}
</style></head>
<body>
<h1>{html.escape(title)}</h1>
{banner}
<p>{'评估方法' if zh else 'Method'}: {html.escape(params.method)} · {'地区' if zh else 'Region'}: {html.escape(params.region)}
 · {'生成时间' if zh else 'Generated'}: {datetime.now():%Y-%m-%d %H:%M}</p>
<h2>{'主要指标评估结论' if zh else 'Headline indicators'}（{len(table)}）</h2>
<div id="status-counts">{chips}</div>
<h2>{'报告' if zh else 'Reports'}</h2>
<ul id="report-links">{''.join(links)}</ul>
<h2>{'指标一览' if zh else 'Scorecard'}</h2>
<div id="scorecard">{style_progress(table, params.lang).to_html()}</div>
<p><a href="scorecard.xlsx">scorecard.xlsx</a></p>
<footer><p>{'来源' if zh else 'Source'}: {html.escape(document.get('title', ''))} ·
{html.escape(document.get('publisher', ''))} · {html.escape(str(document.get('issued', '')))};
{'观测数据来源见各章报告及 scorecard.xlsx' if zh else 'observed values: sources in each report and scorecard.xlsx'}.</p></footer>
</body></html>
"""
    target = folder / "index.html"
    write_text_atomically(target, page)
    return target


def write_scorecard_xlsx(target: Path, params) -> Path:
    """``scorecard.xlsx``: one sheet per table, Chinese headers, status colours, sources.

    ``write_scorecard_xlsx(Path("reports/scorecard.xlsx"), validate(as_of=2023))`` writes the
    whole workbook (about a second, so not run here).  Its first sheet, 主要指标进度, is
    :func:`~plananalysis.present.tables.progress_view` of the review's table:

    >>> from plananalysis.params import validate
    >>> from plananalysis.present.tables import progress_view
    >>> plan, observed, table = _context(validate(as_of=2023))
    >>> list(progress_view(table, "zh").columns)[-3:]
    ['评估结论', '预计2025年', '依据']
    """
    import pandas as pd
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from ..engine.progress import COLUMN_LABELS_ZH
    from ..engine.methods import text_colour
    from ..present.tables import progress_view, status_colours

    plan, observed, table = _context(params)
    view = progress_view(table, "zh")
    sheets = {"主要指标进度": view, "计算明细": table.rename(columns=COLUMN_LABELS_ZH)}
    from ..context import review_context
    from ..present.targets import targets_sheet

    review = review_context(params)
    if len(plan.targets):
        sheets["章节量化目标"] = targets_sheet(review.target_progress)
    if len(review.retrospective_table):
        sheets["上期规划回顾"] = review.retrospective_table.rename(columns=COLUMN_LABELS_ZH)
    sheets["一致性检查"] = review.audit_table
    sheets["观测数据"] = observed
    sheets["来源"] = pd.DataFrame(
        [{"文件": name, **{k: str(v) for k, v in (meta or {}).items()}}
         for name, meta in plan.sources.get("files", {}).items()])
    colours = status_colours(params.method, table["phase"].iloc[0])
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for cell in sheet[1]:
                cell.font = Font(name="Microsoft YaHei", bold=True)
            for col in range(1, sheet.max_column + 1):
                sheet.column_dimensions[get_column_letter(col)].width = 16
            sheet.freeze_panes = "A2"
        sheet = writer.sheets["主要指标进度"]
        status_col = list(view.columns).index("评估结论") + 1
        for row, status_id in enumerate(table["status_id"], start=2):
            colour = colours.get(status_id, "#ffffff")
            cell = sheet.cell(row=row, column=status_col)
            cell.fill = PatternFill("solid", fgColor=colour.lstrip("#").upper())
            cell.font = Font(name="Microsoft YaHei", color=text_colour(colour).lstrip("#").upper(), bold=True)
            cell.alignment = Alignment(horizontal="center")
    write_atomically(target, buffer.getvalue())
    return target
