"""Errors that name what is wrong in words a data owner can act on.

Every error raised for bad input says which file, row and column, the value found
and what was expected, in Chinese and English, on one line.  The command line
prints ``str(error)`` and exits with status 2, without a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

# what would break an error's one line or make it read other than it is: controls (line breaks,
# escapes), line and paragraph separators, direction overrides and isolates
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` on one line as it is: control characters shown escaped, as Python writes them
    (a file name with a line break in it, a header cell with one).

    >>> print(printable("数据\n征集表\x1b[31m.xlsx"))
    数据\n征集表\x1b[31m.xlsx
    """
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


class PlanAnalysisError(Exception):
    """Base class of the errors the command line reports without a traceback."""


class PlanDataError(PlanAnalysisError):
    """A data file holds a value that cannot be used.

    >>> str(PlanDataError("indicators.csv", 4, "direction", "up", "higher 或 lower"))
    "文件 indicators.csv 第4行 列 direction: 值 'up' 不符合要求，应为 higher 或 lower (file indicators.csv, row 4, column direction: got 'up', expected higher 或 lower)"
    """

    def __init__(self, path, row, column, value, expected: str):
        self.path = str(path) if isinstance(path, Path) else path
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        """One line: the path, column and expectation with control characters escaped (the
        value is shown as ``repr``)."""
        return printable(self._text())

    def _text(self) -> str:
        where_zh = f"文件 {self.path}"
        where_en = f"file {self.path}"
        if self.row is not None:
            where_zh += f" 第{self.row}行"
            where_en += f", row {self.row}"
        if self.column is not None:
            where_zh += f" 列 {self.column}"
            where_en += f", column {self.column}"
        return (
            f"{where_zh}: 值 {self.value!r} 不符合要求，应为 {self.expected} "
            f"({where_en}: got {self.value!r}, expected {self.expected})"
        )


class ParseError(PlanAnalysisError, ValueError):
    """A printed target cell or phrase that the grammar cannot read.

    >>> str(ParseError("75左有", 2, "左右、以上、以内 or the end of the text"))
    "无法解析 '75左有'：第3个字符 '左' 处，应为 左右、以上、以内 or the end of the text (cannot parse '75左有' at position 2)"
    """

    def __init__(self, text: str, position: int, expected: str):
        self.text = text
        self.position = position
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        found = self.text[self.position] if self.position < len(self.text) else "（结尾）"
        return (
            f"无法解析 {self.text!r}：第{self.position + 1}个字符 {found!r} 处，应为 {self.expected} "
            f"(cannot parse {self.text!r} at position {self.position})"
        )


class ParameterError(PlanAnalysisError, ValueError):
    """A notebook or command-line parameter outside what the plan allows."""
