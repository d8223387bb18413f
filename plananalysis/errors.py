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
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\N{LINE SEPARATOR}\N{PARAGRAPH SEPARATOR}"
                           "\N{LEFT-TO-RIGHT EMBEDDING}-\N{RIGHT-TO-LEFT OVERRIDE}\N{LEFT-TO-RIGHT ISOLATE}-\N{POP DIRECTIONAL ISOLATE}]")


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

    def __reduce__(self):
        """Pickled with its fields (a plan's warnings travel in a shared review context)."""
        return self.__class__, (self.path, self.row, self.column, self.value, self.expected)

    def __str__(self) -> str:
        """One line: the path, column and expectation with control characters escaped (the
        value is shown as ``repr``)."""
        return printable(self._text())

    def _text(self) -> str:
        shown = shorten(self.value)
        where_zh = f"文件 {self.path}"
        where_en = f"file {self.path}"
        if self.row is not None:
            where_zh += f" 第{self.row}行"
            where_en += f", row {self.row}"
        if self.column is not None:
            where_zh += f" 列 {self.column}"
            where_en += f", column {self.column}"
        return (
            f"{where_zh}: 值 {shown} 不符合要求，应为 {self.expected} "
            f"({where_en}: got {shown}, expected {self.expected})"
        )


class PlanDataErrors(PlanDataError):
    """Every problem found in a file or a folder; ``str()`` gives one line per problem.

    The attributes (path, row, column, value, expected) are those of the first problem;
    ``errors`` holds them all (a checker lists every problem at once, never only the first).

    >>> error = PlanDataErrors([PlanDataError("hz.csv", 2, "年份", "1999", "2020–2025"),
    ...                         PlanDataError("hz.csv", 3, "数值", "abc", "a number")])
    >>> error.row, error.column, len(error.errors), len(str(error).splitlines())
    (2, '年份', 2, 2)
    """

    def __init__(self, errors: list[PlanDataError]):
        self.errors = [e for error in errors for e in (error.errors if isinstance(error, PlanDataErrors) else [error])]
        first = self.errors[0]
        super().__init__(first.path, first.row, first.column, first.value, first.expected)

    def __reduce__(self):
        return self.__class__, (self.errors,)

    def __str__(self) -> str:
        return "\n".join(PlanDataError.__str__(e) for e in self.errors)


class PlanWarning(PlanDataError):
    """Something a file holds that is read but not used: shown by ``check``, never an error.

    >>> str(PlanWarning("indicators.csv", 5, "target_printed", ">7、力争…", "分句“力争…”不参与评估 (not scored)"))
    "提示 文件 indicators.csv 第5行 列 target_printed: 值 '>7、力争…'：分句“力争…”不参与评估 (not scored) (warning: file indicators.csv, row 5, column target_printed: '>7、力争…')"
    """

    def __str__(self) -> str:
        where = f"文件 {self.path}" + (f" 第{self.row}行" if self.row is not None else "") + (
            f" 列 {self.column}" if self.column is not None else "")
        where_en = f"file {self.path}" + (f", row {self.row}" if self.row is not None else "") + (
            f", column {self.column}" if self.column is not None else "")
        return printable(f"提示 {where}: 值 {shorten(self.value)}：{self.expected} (warning: {where_en}: {shorten(self.value)})")


#: the longest value an error line shows whole (a 20-million-character title is shown by its start)
SHOWN_CHARACTERS = 120


def shorten(value) -> str:
    """``repr(value)``, cut to :data:`SHOWN_CHARACTERS` with the full length said.

    >>> shorten("up")
    "'up'"
    >>> shorten("x" * 5000)  # doctest: +ELLIPSIS
    "'xxx...xxx'…（共5000个字符 5000 characters）"
    """
    if isinstance(value, str) and len(value) > SHOWN_CHARACTERS:
        return f"{value[:SHOWN_CHARACTERS]!r}…（共{len(value)}个字符 {len(value)} characters）"
    text = repr(value)
    if len(text) > SHOWN_CHARACTERS + 2:
        return text[:SHOWN_CHARACTERS] + f"…（共{len(text)}个字符 {len(text)} characters）"
    return text


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
