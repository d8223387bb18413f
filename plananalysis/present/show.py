"""What a report notebook calls to show a table or charts with their data one click away.

Each call displays the HTML and, in the same output, the data as CSV (a JSON bundle,
:data:`CSV_MIME`); the review's HTML export (:func:`plananalysis.publish.export.export_html`)
writes each CSV beside the page (UTF-8 with BOM, so Excel opens it in Chinese; text cells through
:func:`~plananalysis.files.spreadsheet_text`) and points the "数据（CSV）" link under the table or
chart at it.  Notebooks stay thin: ``show.table(view, data, "indicators", lang)``.

>>> bundle = table_bundle(pd.DataFrame({"指标": ["甲"], "数值": [1.5]}), name="demo")
>>> bundle[CSV_MIME]["files"]["demo"].splitlines()
['指标,数值', '甲,1.5']
>>> 'href="pa-csv:demo"' in bundle["text/html"]
True
"""

from __future__ import annotations

import html
import itertools
import re

import pandas as pd

from ..files import spreadsheet_text
from .page import ui
from .text import escape_text

__all__ = ["CSV_MIME", "csv_text", "data_link", "table_bundle", "table", "charts_bundle", "charts",
           "markdown", "paragraph", "html_block", "prefix_svg_ids"]

#: The mimetype of the CSV files a displayed output carries: ``{"files": {name: csv text}}``.
CSV_MIME = "application/vnd.plananalysis.csv+json"
_COUNTER = itertools.count(1)
_NAME = re.compile(r"[^A-Za-z0-9_\-]+")


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV text for Excel: no index, text cells made safe, missing values empty.

    >>> csv_text(pd.DataFrame({"a": ["=1+1", None], "b": [1.0, float("nan")]})).splitlines()
    ['a,b', "'=1+1,1.0", ',']
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = [spreadsheet_text(v) if isinstance(v, str) else v for v in safe[column]]
    return safe.to_csv(index=False)


def _name(name: str) -> str:
    return _NAME.sub("-", str(name)).strip("-") or "data"


def data_link(name: str, lang: str = "zh") -> str:
    """The link under a table or chart to its CSV (the export points it at the file).

    >>> data_link("behind", "en")
    '<p class="pa-data"><a href="pa-csv:behind" download>Data (CSV)</a></p>'
    """
    return f'<p class="pa-data"><a href="pa-csv:{_name(name)}" download>{html.escape(ui("data", lang))}</a></p>'


def table_bundle(shown, data: pd.DataFrame | None = None, name: str | None = None, lang: str = "zh",
                 **plain_options) -> dict:
    """The display bundle of a table: its HTML (a Styler, or a DataFrame through
    :func:`~plananalysis.present.tables.plain` with ``plain_options``: ``names``, ``links``,
    ``hide``) and, with ``name``, its data as CSV (``data``, or the table itself).

    >>> bundle = table_bundle(pd.DataFrame({"Indicator": ["一老一小"]}), name="demo", lang="en", names=["Indicator"])
    >>> '<span lang="zh-CN">一老一小</span>' in bundle["text/html"], 'data-table="demo"' in bundle["text/html"]
    (True, True)
    """
    from .tables import plain

    if isinstance(shown, pd.DataFrame):
        frame = shown
        shown = plain(shown, lang, **plain_options)
    else:
        frame = shown.data
    marker = f' data-table="{_name(name)}"' if name else ""
    body = f'<div class="pa-output"{marker}>{shown.to_html()}</div>'
    bundle = {"text/html": body}
    if name:
        bundle["text/html"] += data_link(name, lang)
        bundle[CSV_MIME] = {"files": {_name(name): csv_text(frame if data is None else data)}}
    return bundle


def table(shown, data: pd.DataFrame | None = None, name: str | None = None, lang: str = "zh",
          **plain_options) -> None:
    """Display a table with its CSV (see :func:`table_bundle`).

    Outside a notebook the bundle is printed:

    >>> table(pd.DataFrame({"a": [1]}), name="demo")  # doctest: +ELLIPSIS
    {'text/html': '<div class="pa-output" data-table="demo">...', 'application/vnd.plananalysis.csv+json': {'files': {'demo': ...}}}
    """
    from IPython.display import display

    display(table_bundle(shown, data, name, lang, **plain_options), raw=True)


def prefix_svg_ids(svg: str, prefix: str) -> str:
    """Give every ``id`` of an inline SVG a prefix, so two charts' clip paths cannot collide.

    >>> prefix_svg_ids('<clipPath id="clip1"/><g clip-path="url(#clip1)"/>', "c7-")
    '<clipPath id="c7-clip1"/><g clip-path="url(#c7-clip1)"/>'
    """
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', svg)
    return svg.replace("url(#", f"url(#{prefix}").replace('href="#', f'href="#{prefix}')


def charts_bundle(items, lang: str = "zh", *, note: str = "") -> dict:
    """Charts side by side (two or three to a row, one on a phone), each with its CSV link.

    ``items``: ``(chart, data, name)`` tuples; ``chart`` an Altair chart (drawn as inline SVG) or
    SVG text; ``note``: a line under the grid (e.g. the indicators without a chart).

    >>> bundle = charts_bundle([("<svg></svg>", pd.DataFrame({"year": [2023]}), "a")], "en")
    >>> bundle["text/html"].count("<figure"), list(bundle[CSV_MIME]["files"])
    (1, ['a'])
    """
    from .charts import to_svg

    figures, files = [], {}
    for chart, data, name in items:
        svg = chart if isinstance(chart, str) else to_svg(chart)
        svg = prefix_svg_ids(svg, f"c{next(_COUNTER)}-")
        link = data_link(name, lang) if data is not None else ""
        figures.append(f'<figure class="pa-chart">{svg}{link}</figure>')
        if data is not None:
            files[_name(name)] = csv_text(data)
    single = " pa-single" if len(figures) == 1 else ""
    body = f'<div class="pa-charts{single}">{"".join(figures)}</div>'
    if note:
        body += f'<p class="pa-note">{escape_text(note)}</p>'
    bundle = {"text/html": body}
    if files:
        bundle[CSV_MIME] = {"files": files}
    return bundle


def charts(items, lang: str = "zh", *, note: str = "") -> None:
    """Display charts side by side with their CSVs (see :func:`charts_bundle`).

    >>> charts([])  # outside a notebook: the bundle is printed
    {'text/html': '<div class="pa-charts"></div>'}
    """
    from IPython.display import display

    display(charts_bundle(items, lang, note=note), raw=True)


def markdown(text: str) -> None:
    """Display Markdown (headings, sentences, lists).

    >>> markdown("## 标题")  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    """
    from IPython.display import Markdown, display

    display(Markdown(text))


def paragraph(sentence: str) -> None:
    """Display a paragraph of plain text — a sentence written from data, which may carry names
    from the plan or a department (:func:`~plananalysis.present.narrative.chapter_narrative`) —
    as text, never as markup (:func:`~plananalysis.present.text.escape_text`).

    >>> paragraph("需加大力度：<b>甲</b>")  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    """
    markdown(escape_text(sentence))


def html_block(text: str) -> None:
    """Display a block of HTML made by :mod:`plananalysis.present` (already escaped).

    >>> html_block('<p class="pa-headline">…</p>')  # doctest: +ELLIPSIS
    <IPython.core.display.HTML object>
    """
    from IPython.display import HTML, display

    display(HTML(text))


