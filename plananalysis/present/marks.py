"""Small marks drawn as inline SVG or HTML, no scripts: status badge, progress bar, sparkline.

One implementation for the reports' front page and the apps' cards (the status symbol is the
declared one).  Each takes plain numbers (from :mod:`plananalysis.present.signals` and the
observed values) and draws without a chart engine, so a page of 25 cards costs milliseconds and
prints the same everywhere.

>>> svg = progress_bar(0.8, 0.6, "#006d2c")
>>> svg.startswith("<svg") and "<script" not in svg
True
"""

from __future__ import annotations

from . import format as fmt
from .text import escape_text

__all__ = ["badge_colours", "status_badge", "progress_bar", "progress_bar_html", "sparkline"]


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
    tip = f' title="{escape_text(title)}"' if title else ""
    badge = (f'<span class="pa-badge" style="background:{background};color:{ink}"{tip}>'
             f'{escape_text(symbol)} {escape_text(label)}</span>')
    return badge + (f' <span class="pa-shown">{escape_text(shown)}</span>' if shown else "")


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
    tip = f"<title>{escape_text(title)}</title>" if title else ""
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
            f'<div class="pa-bar-label">{escape_text(label)}</div></div>')


def sparkline(observed_rows, *, target=None, lang: str = "zh", unit: str = "", width: int = 120,
              height: int = 32, colour: str = "#1f3b73") -> str:
    """The plan series as a tiny line (inline SVG, no chart engine): the values joined, the last
    one marked, the target a faint dashed rule; each point says its year and value when pointed
    at (an SVG ``<title>``) and carries ``data-year``.  ``""`` with no value.

    Only ``series == 'plan'`` rows are drawn (all rows when there is no ``series`` column).

    >>> import pandas as pd
    >>> obs = pd.DataFrame({"year": [2021, 2022, 2023], "value": [72.7, 73.4, 74.2]})
    >>> svg = sparkline(obs, target=75, unit="%")
    >>> svg.count('data-year="'), "<title>2023年：74.2%</title>" in svg, "<polyline" in svg
    (3, True, True)
    >>> sparkline(obs.iloc[0:0])
    ''
    """
    rows = observed_rows
    if "series" in rows.columns:
        rows = rows[rows["series"] == "plan"]
    points = sorted((int(float(y)), float(v)) for y, v in zip(rows["year"], rows["value"])
                    if not fmt.is_missing(v) and not fmt.is_missing(y))
    if not points:
        return ""
    values = [v for _, v in points] + ([float(target)] if not fmt.is_missing(target) else [])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.15 if hi > lo else (abs(hi) * 0.1 or 1.0)
    lo, hi = lo - pad, hi + pad
    x0, x1 = points[0][0], points[-1][0]

    def sx(x):
        return 4 + (width - 8) * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def sy(v):
        return height - 3 - (height - 6) * (v - lo) / (hi - lo)

    parts = []
    if not fmt.is_missing(target):
        y = sy(float(target))
        parts.append(f'<line x1="2" x2="{width - 2}" y1="{y:.1f}" y2="{y:.1f}" stroke="#1a9850" '
                     f'stroke-dasharray="2,2" stroke-width="1"/>')
    if len(points) > 1:
        coords = " ".join(f"{sx(x):.1f},{sy(v):.1f}" for x, v in points)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
    for i, (x, v) in enumerate(points):
        last = i == len(points) - 1
        said = fmt.with_unit(fmt.number(v, unit), unit, lang) if unit else fmt.number(v)
        tip = f"{x}年：{said}" if lang == "zh" else f"{x}: {said}"
        parts.append(f'<circle data-year="{x}" cx="{sx(x):.1f}" cy="{sy(v):.1f}" r="{2.8 if last else 2.2}" '
                     f'fill="{colour}" fill-opacity="{1 if last else 0.35}"><title>{escape_text(tip)}</title></circle>')
    return (f'<svg class="pa-spark" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')
