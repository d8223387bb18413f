"""One rule for text in outputs: a string from a plan folder, observed data, a department's return
or an analyst is text, never markup.

:func:`escape_text` is the one function that turns such a string into text a page can show: in
HTML (an element's text or a quoted attribute) and in Markdown (a notebook's Markdown output,
rendered by mistune in the review's pages and by JupyterLab in a notebook) it reads exactly as
written and does nothing else — no tag, no link, no image, no emphasis, no heading, list, table
cell or code span.  It works by numeric character references (``&#42;`` for ``*``), which both
HTML and Markdown show as the character itself and never read as syntax, so one escaped string
serves both.  A line break becomes a space (a name inside a Markdown list item or table row must
not start a new block), and the characters that are not text — control characters, the
right-to-left overrides and isolates (U+202A–U+202E, U+2066–U+2069), lone surrogates — become
U+FFFD (shown as �).

Documents that are not markup take text as it is: python-docx writes literal text, the workbook
doubles ``&`` in its page headers (:func:`plananalysis.publish.workbook._header_text`), and the
PDF's running header is a CSS string (:func:`plananalysis.publish.pdf.css_string`).

>>> escape_text("![t](http://127.0.0.1:8/x) <b>*a*</b> & `c`")
'&#33;&#91;t&#93;(http://127.0.0.1:8/x) &lt;b&gt;&#42;a&#42;&lt;/b&gt; &amp; &#96;c&#96;'
>>> escape_text("urban_new_jobs"), escape_text("1. 第一"), escape_text(None)
('urban_new_jobs', '1&#46; 第一', '')
"""

from __future__ import annotations

import html
import re

__all__ = ["escape_text", "clean_text"]

# a line break of any kind (Markdown would start a new line, a list item or a table row there)
_BREAKS = re.compile("\r\n|[\r\n\t\v\f\x1c-\x1e\x85\N{LINE SEPARATOR}\N{PARAGRAPH SEPARATOR}]")
# not text: control characters, the bidirectional overrides, embeddings and isolates, lone
# surrogates and the two non-characters
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u202a-\u202e"
                       "\N{LEFT-TO-RIGHT ISOLATE}-\N{POP DIRECTIONAL ISOLATE}\ud800-\udfff\ufffe\uffff]")
# Markdown's inline syntax anywhere in a line: escapes, code spans, emphasis, links and images,
# table cells, strike-through, maths (JupyterLab), template braces
_INLINE = re.compile(r"[\\`*\[\]!|~$^{}]")
# ``_`` is emphasis only at the edge of a word: inside one (urban_new_jobs) it stays as it is
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# Markdown's block syntax at the start of a line: indented code, headings, list items, rules,
# setext underlines (``>`` and ``<`` are already &gt; and &lt;); -5 or 5.5% stay as they are
_START = re.compile(r"^(?: |#(?=#{0,5}(?: |$))|[-+=](?=[-+= ]|$)|(\d{1,9})([.)])(?= |$))")


def _reference(character: str) -> str:
    return f"&#{ord(character)};"


def _start(match: re.Match) -> str:
    if match.group(1):
        return match.group(1) + _reference(match.group(2))
    return _reference(match.group())


def clean_text(value) -> str:
    """``value`` as one line of characters that are text (``None`` is empty): every line break a
    space, every control character, bidirectional override or isolate and lone surrogate U+FFFD.
    The first step of :func:`escape_text`, and all that documents which are not markup need
    (the PDF's running header, the workbook's page headers).

    >>> clean_text("甲\\r\\n乙\\x00丙\\u202e")
    '甲 乙\\ufffd丙\\ufffd'
    """
    if value is None:
        return ""
    return _NOT_TEXT.sub("\ufffd", _BREAKS.sub(" ", str(value)))


def escape_text(value) -> str:
    """``value`` (any string from a plan folder, data, a department or an analyst; ``None`` is
    empty) as text for HTML and Markdown: HTML-escaped (quotes too, so it may stand in an
    attribute) and Markdown-inert, reading exactly as written.

    >>> escape_text('X</style><script>location.replace("file:///etc/passwd")</script>')
    'X&lt;/style&gt;&lt;script&gt;location.replace(&quot;file:///etc/passwd&quot;)&lt;/script&gt;'
    >>> escape_text("# 标题"), escape_text("- 甲 | 乙"), escape_text("a\\nb"), escape_text("_x_")
    ('&#35; 标题', '&#45; 甲 &#124; 乙', 'a b', '&#95;x&#95;')
    >>> escape_text("\\u202eevil"), escape_text("{{ 7*7 }}")
    ('\\ufffdevil', '&#123;&#123; 7&#42;7 &#125;&#125;')
    """
    text = html.escape(clean_text(value), quote=True)
    text = _INLINE.sub(lambda m: _reference(m.group()), text)
    text = _UNDERSCORE.sub("&#95;", text)
    return _START.sub(_start, text, count=1)
