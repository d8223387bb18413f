"""Report files: offline HTML from executed notebooks, the front page and the Excel scorecard.

Every HTML file works offline and carries only what it shows: the notebook's outputs are put
into the package's page (:mod:`plananalysis.present.page`: the right ``lang``, a viewport, a
≈ 5 KB stylesheet with print styles) — no nbconvert template, so no JupyterLab CSS, no scripts,
no remote links.  Charts are inline SVG (searchable, in the reader's CJK fonts); the CSV that a
table or chart carries (:mod:`plananalysis.present.show`) is written beside the page, under
``csv/<report>/``, and its link points at it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..files import write_text_atomically
from ..present.page import FONT_STACK, error_banner, nav_html, page_shell

__all__ = ["export_html", "notebook_body", "write_csv_files", "write_index", "write_scorecard_xlsx",
           "FONT_STACK", "CSV_FOLDER"]

#: The folder (in a review's folder) that holds each report's CSV files, one subfolder per report.
CSV_FOLDER = "csv"
_CSV_MIME = "application/vnd.plananalysis.csv+json"
_CSV_LINK = re.compile(r'href="pa-csv:([A-Za-z0-9_\-]+)"')
_SVG_COUNT = [0]


def _markdown(text: str) -> str:
    import mistune

    return mistune.html(text)


def _svg(text: str) -> str:
    from ..present.show import prefix_svg_ids

    _SVG_COUNT[0] += 1
    return f'<div class="pa-chart">{prefix_svg_ids(text, f"s{_SVG_COUNT[0]}-")}</div>'


def _output_html(output: dict) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return "" if output.get("name") == "stderr" else f"<pre>{html.escape(''.join(output.get('text', '')))}</pre>"
    if kind == "error":
        return f'<pre class="pa-banner">{html.escape(output.get("ename", ""))}: {html.escape(output.get("evalue", ""))}</pre>'
    data = output.get("data", {})
    if "text/html" in data:
        text = data["text/html"]
        text = "".join(text) if isinstance(text, list) else text
        return text if 'class="pa-' in text[:60] else f'<div class="pa-output">{text}</div>'
    if "image/svg+xml" in data:
        text = data["image/svg+xml"]
        return _svg("".join(text) if isinstance(text, list) else text)
    if "image/png" in data:
        return f'<div class="pa-chart"><img alt="" src="data:image/png;base64,{data["image/png"]}"></div>'
    if "text/markdown" in data:
        text = data["text/markdown"]
        return _markdown("".join(text) if isinstance(text, list) else text)
    if "text/plain" in data:
        return f"<pre>{html.escape(''.join(data['text/plain']))}</pre>"
    return ""


def notebook_body(notebook) -> tuple[str, dict]:
    """An executed notebook's outputs (and Markdown cells) as HTML, without code or prompts, and
    the CSV files its outputs carry: ``(html, {name: csv text})``.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 总览")])
    >>> notebook_body(nb)
    ('<h1>总览</h1>\\n', {})
    """
    parts, files = [], {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            source = re.sub(r"<!--.*?-->", "", cell.source, flags=re.S).strip()
            if source:
                parts.append(_markdown(source))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                parts.append(_output_html(output))
                bundle = output.get("data", {}).get(_CSV_MIME)
                if isinstance(bundle, dict):
                    files.update(bundle.get("files", {}))
    return "".join(parts), files


def write_csv_files(folder: Path, report: str, files: dict) -> dict:
    """Write each CSV (UTF-8 with BOM, so Excel reads the Chinese) under
    ``folder/csv/<report>/``; return ``{name: path relative to folder}``.

    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> write_csv_files(tmp, "overview", {"behind": "指标\\n甲\\n"})
    {'behind': 'csv/overview/behind.csv'}
    >>> (tmp / "csv/overview/behind.csv").read_bytes()[:3] == b"\\xef\\xbb\\xbf"
    True
    """
    out = {}
    for name, text in files.items():
        relative = f"{CSV_FOLDER}/{report}/{name}.csv"
        write_text_atomically(folder / relative, text, encoding="utf-8-sig")
        out[name] = relative
    return out


def export_html(notebook: Path, target: Path, *, title: str = "", error: str | None = None,
                lang: str = "zh") -> Path:
    """An executed notebook as a report page (no code, no prompts, no scripts), its CSV files
    beside it; ``error`` (a failed run) is shown in a banner at the top of the page.

    >>> import tempfile, nbformat
    >>> tmp = tempfile.TemporaryDirectory()
    >>> notebook = Path(tmp.name) / "overview.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 总览")]), notebook)
    >>> page = export_html(notebook, Path(tmp.name) / "overview.html", title="总览", error="数据缺失").read_text()
    >>> "<title>总览</title>" in page, 'id="pa-error"' in page, "<script" in page, 'lang="zh-CN"' in page
    (True, True, False, True)
    >>> tmp.cleanup()
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    body, files = notebook_body(nb)
    links = write_csv_files(target.parent, target.stem, files)
    body = _CSV_LINK.sub(lambda m: f'href="{html.escape(links.get(m.group(1), "#"))}"', body)
    banner = error_banner(error, lang) if error else ""
    article = f'<article class="pa-report" id="{html.escape(target.stem)}">{banner}{body}</article>'
    write_text_atomically(target, page_shell(title or target.stem, nav_html(lang) + article, lang))
    return target


def _context(params):
    """Plan, observed data and the progress table of one review (the review's one context)."""
    from ..context import review_context

    review = review_context(params)
    return review.plan, review.observed, review.progress


def write_index(folder: Path, jobs, results: dict, params, *, documents=()) -> Path:
    """``index.html``: the review's one-minute front page
    (:func:`~plananalysis.present.frontpage.front_page`) with a link to every report (failures
    marked), to the review's documents (``documents``: ``(file name, title)``, the Word document
    and the PDF) and to ``scorecard.xlsx``, and its table's CSV beside it.

    >>> import tempfile
    >>> from plananalysis.params import validate
    >>> from plananalysis.run.review import review_jobs
    >>> params = validate(as_of=2023)
    >>> jobs = review_jobs(params)[:2]
    >>> failed = {"chapter-02": {"name": "chapter-02", "ok": False, "error": "数据缺失"}}
    >>> tmp = tempfile.TemporaryDirectory()
    >>> page = write_index(Path(tmp.name), jobs, failed, params).read_text(encoding="utf-8")
    >>> '<a href="overview.html">总览</a>' in page, "✗ 运行失败" in page, 'lang="zh-CN"' in page
    (True, True, True)
    >>> tmp.cleanup()
    """
    from ..context import review_context
    from ..present.frontpage import front_page, front_title, scorecard_data
    from ..present.page import page_shell
    from ..present.show import csv_text

    review = review_context(params)
    links = []
    for job in jobs:
        result = results.get(job.name)
        links.append((f"{job.name}.html", job.title(params.lang), result is not None and not result["ok"]))
    links += [(href, title, False) for href, title in documents]
    failures = [(r["name"], r["error"] or "") for r in results.values() if not r["ok"]]
    csv = write_csv_files(folder, "index", {"indicators": csv_text(scorecard_data(review))})
    write_changes(folder, review)
    body = front_page(review, links, failures=failures, csv_href=csv["indicators"])
    target = folder / "index.html"
    write_text_atomically(target, page_shell(front_title(review), body, params.lang))
    return target


def write_changes(folder: Path, review) -> None:
    """The run's results (``results.csv``: its snapshot, what ``--compare previous`` reads next
    time) and, where the review is compared with another, ``changes.csv`` (UTF-8 with BOM) —
    both in the report folder (:mod:`plananalysis.present.changes`)."""
    from ..present.changes import CHANGES_FILE, RESULTS_FILE, baseline, changes_csv
    from ..present.show import csv_text

    write_text_atomically(folder / RESULTS_FILE, csv_text(review.snapshot), encoding="utf-8-sig")
    target = folder / CHANGES_FILE
    if baseline(review) is not None:
        write_text_atomically(target, changes_csv(review.changes, review.lang), encoding="utf-8-sig")
    elif target.exists():
        target.unlink()


def write_scorecard_xlsx(target: Path, params) -> Path:
    """``scorecard.xlsx``: the review's workbook (:func:`plananalysis.publish.workbook.write_workbook`:
    numbers as numbers, headers in the review's language, status colours, print set-up).

    ``write_scorecard_xlsx(Path("reports/scorecard.xlsx"), validate(as_of=2023))`` writes the
    whole workbook (about a second, so not run here).  Its first sheet, 主要指标进度, holds
    :func:`~plananalysis.present.tables.progress_data` of the review's table:

    >>> from plananalysis.params import validate
    >>> from plananalysis.present.tables import progress_data
    >>> plan, observed, table = _context(validate(as_of=2023))
    >>> list(progress_data(table, "zh").columns)[-3:]
    ['评估结论', '判断数值', '依据']
    """
    from .workbook import write_workbook

    return write_workbook(target, params)
