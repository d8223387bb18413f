"""Cell formats of a workbook being written, each worked out once.

openpyxl finds every font, fill, border, alignment and protection assigned to a cell in the
workbook's style lists by hashing it, field by field: writing the departments' request workbooks
spent half its time there (53,000 assignments, 3.8 of 8.7 s under a profiler).  A format used
again is copied as the cell's style indices instead (``cell._style``, what openpyxl itself copies
when it copies a worksheet).
"""

from __future__ import annotations

from copy import copy

__all__ = ["CellStyles"]


class CellStyles:
    """The formats of ONE workbook (style indices mean nothing in another): ``apply(cell,
    font=…, fill=…, …)`` sets the attributes given (``None``: left as it is) the first time a
    combination of the same objects is seen, and copies the resulting indices afterwards.  Build
    the style objects once and pass the same ones again: combinations are told apart by object.

    >>> from openpyxl import Workbook
    >>> from openpyxl.styles import Font, PatternFill
    >>> sheet = Workbook().active
    >>> styles, bold, grey = CellStyles(), Font(bold=True), PatternFill("solid", fgColor="D9D9D9")
    >>> for row in range(1, 4):
    ...     styles.apply(sheet.cell(row=row, column=1, value=row), font=bold, fill=grey, number_format="0.0")
    >>> cell = sheet["A3"]
    >>> cell.font.b, cell.fill.fgColor.rgb, cell.number_format, len(styles)
    (True, '00D9D9D9', '0.0', 1)
    >>> styles.apply(sheet["B1"], font=bold)
    >>> sheet["B1"].font.b, sheet["B1"].fill.fill_type, len(styles)
    (True, None, 2)
    """

    def __init__(self) -> None:
        self._indices: dict = {}
        self._kept: list = []      # the objects named in the keys stay alive: their ids stay theirs

    def __len__(self) -> int:
        return len(self._indices)

    def apply(self, cell, **attributes) -> None:
        given = {name: value for name, value in attributes.items() if value is not None}
        key = tuple(sorted((name, value if isinstance(value, str) else id(value)) for name, value in given.items()))
        indices = self._indices.get(key)
        if indices is None:
            for name, value in given.items():
                setattr(cell, name, value)
            self._indices[key] = copy(cell._style)
            self._kept.append(given)
        else:
            cell._style = copy(indices)
