"""The CJK fonts the chart engine (vl-convert) draws with, registered once per process.

A module of its own, without Altair or pandas: the review's documents process turns the pages'
SVG charts into PNG for the Word document (``vl_convert.svg_to_png``) and needs the fonts, not
the chart library (importing Altair costs ≈ 0.4 s of CPU).  :mod:`plananalysis.present.charts`
re-exports :func:`register_fonts`.
"""

from __future__ import annotations

import threading
from pathlib import Path

__all__ = ["register_fonts"]

_FONT_DIRS = ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/wqy",
              "/usr/share/fonts/opentype/source-han-sans"]
_FONTS_LOCK = threading.Lock()
_registered_fonts: list[str] | None = None


def register_fonts(extra: list[str] | None = None) -> list[str]:
    """Register CJK font folders with vl-convert (once per process); return those registered.

    Looks in ``$PLANANALYSIS_FONT_DIR`` (a folder with e.g. a ``.ttc``), then the Debian
    ``fonts-noto-cjk`` and ``fonts-wqy-microhei`` folders. vl-convert also sees system
    fonts, but registering makes the choice explicit and works for a bundled font.

    >>> isinstance(register_fonts(), list)
    True
    """
    import os

    import vl_convert as vlc

    global _registered_fonts
    with _FONTS_LOCK:
        if _registered_fonts is not None and not extra:
            return list(_registered_fonts)
        candidates = list(extra or [])
        if os.environ.get("PLANANALYSIS_FONT_DIR"):
            candidates.insert(0, os.environ["PLANANALYSIS_FONT_DIR"])
        candidates += _FONT_DIRS
        done = list(_registered_fonts or [])
        for folder in candidates:
            if folder not in done and Path(folder).is_dir():
                vlc.register_font_directory(folder)
                done.append(folder)
        _registered_fonts = done
        return list(done)
