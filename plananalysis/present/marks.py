"""Small marks drawn as inline SVG or HTML, no scripts: the status badge and the progress bar.

One implementation for the reports' front page and the apps' cards (the sparkline is
:func:`plananalysis.present.charts.sparkline`, the status symbol the declared one).  Each takes
plain numbers (from :mod:`plananalysis.present.signals`), so it is quick and prints the same
everywhere.

>>> svg = progress_bar(0.8, 0.6, "#006d2c")
>>> svg.startswith("<svg") and "<script" not in svg
True
"""

from __future__ import annotations

import html
from . import format as fmt

__all__ = ["badge_colours", "status_badge", "progress_bar", "progress_bar_html"]


def badge_colours(colour: str, blank: str = "#eeeeee") -> tuple[str, str]:
    """``(background, text colour)`` of a status badge; a white status colour shows as ``blank``
    so that the badge stays visible on a white page.

    >>> badge_colours("#ffffff"), badge_colours("#00331a")
    (('#eeeeee', '#000000'), ('#00331a', '#ffffff'))
    """
    from ..engine.methods import text_colour

    background = colour if colour.lower() != "#ffffff" else blank
    return background, text_colour(background)


def status_badge(label: str, symbol: str, colour: str, shown: str = "", *, title: str = "") -> str:
    """A status as a coloured badge with its symbol, and the number the verdict rests on after it.

    >>> status_badge("快于预期", "↑", "#006d2c", "q=1.45")
    '<span class="pa-badge" style="background:#006d2c;color:#ffffff">↑ 快于预期</span> <span class="pa-shown">q=1.45</span>'
    """
    background, ink = badge_colours(colour)
    tip = f' title="{html.escape(title)}"' if title else ""
    badge = (f'<span class="pa-badge" style="background:{background};color:{ink}"{tip}>'
             f'{html.escape(symbol)} {html.escape(label)}</span>')
    return badge + (f' <span class="pa-shown">{html.escape(shown)}</span>' if shown else "")


def progress_bar(done, mark=None, colour: str = "#31a354", *, width: int = 120, height: int = 12,
                 title: str = "") -> str:
    """Completion ``done`` (0–1, drawn up to 1, an arrow past it) against ``mark`` (the time share
    E, a vertical tick) as an inline SVG; ``""`` when ``done`` is missing.

    >>> progress_bar(None)
    ''
    >>> 'class="pa-over"' in progress_bar(1.5, None, "#00331a")     # past the target: an arrow
    True
    """
    if fmt.is_missing(done):
        return ""
    value = float(done)
    fill = max(0.0, min(value, 1.0)) * width
    parts = [f'<rect x="0" y="1" width="{width}" height="{height - 2}" rx="3" fill="#eeeeee"/>',
             f'<rect x="0" y="1" width="{fill:.1f}" height="{height - 2}" rx="3" fill="{colour}" stroke="#666" stroke-width="0.5"/>']
    if value > 1.0:
        parts.append(f'<path class="pa-over" d="M{width - 5},{height / 2 - 4} L{width},{height / 2} '
                     f'L{width - 5},{height / 2 + 4} Z" fill="#ffffff"/>')
    if value < 0:
        parts.append(f'<path class="pa-under" d="M5,{height / 2 - 4} L0,{height / 2} L5,{height / 2 + 4} Z" fill="#a50f15"/>')
    if not fmt.is_missing(mark):
        x = max(0.0, min(float(mark), 1.0)) * width
        parts.append(f'<rect class="pa-mark" x="{max(0.0, x - 1):.1f}" y="0" width="2" height="{height}" fill="#222222"/>')
    tip = f"<title>{html.escape(title)}</title>" if title else ""
    return (f'<svg class="pa-progress" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg">{tip}{"".join(parts)}</svg>')


def progress_bar_html(done, mark, colour: str, lang: str = "zh", *, note: str = "") -> str:
    """The bar with its words under it: ``完成目标进度 29% · 序时进度 20%`` (what the apps' cards show).

    >>> text = progress_bar_html(0.29, 0.2, "#006d2c", "en")
    >>> "Completion 29%" in text and "Time elapsed 20%" in text
    True
    """
    if fmt.is_missing(done):
        return ""
    words = (("完成目标进度", "序时进度") if lang == "zh" else ("Completion", "Time elapsed"))
    label = f"{words[0]} {fmt.share(done)}"
    if not fmt.is_missing(mark):
        label += f" · {words[1]} {fmt.share(mark)}"
    if note:
        label += f"（{note}）" if lang == "zh" else f" ({note})"
    return (f'<div class="pa-bar-box">{progress_bar(done, mark, colour, title=label)}'
            f'<div class="pa-bar-label">{html.escape(label)}</div></div>')
