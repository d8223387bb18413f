"""The one spreadsheet reader: a ``.csv`` or ``.xlsx`` file read as rows of text cells.

Every observed file goes through :func:`read_cells`: the shipped ``observed-*.csv`` and
``context-*.csv``, the analyst's ``user.csv`` and any file brought to ``plananalysis data
import``.  It trusts nothing the file says about itself and reads the cells as the analyst
sees them in Excel; anything it cannot read that way is refused with one
:class:`~plananalysis.errors.PlanDataError` naming the file and, where there is one, the row,
the column (its letter, and the header above it), the value and what was expected.  Nothing is
written here; the text of the cells is checked cell by cell later
(:mod:`plananalysis.observed.validation`).

Limits (module constants; a file beyond any of them is refused before it can cost much):

=======================  ==========  ==========================================================
``MAX_FILE_BYTES``       20 MiB      the file on disk.  A table of 10 000 rows × 50 columns of
                                     plain cells is about 1 MB as .xlsx and a few MB as CSV.
``MAX_ROWS``             10 000      rows holding a value.  The plan has 25 indicators; ten
                                     regions × ten years × 25 is 2 500 rows.
``MAX_COLUMNS``          50          columns holding a value.  The template has 13; the tidy
                                     format with bookkeeping 17.
``MAX_CELL_CHARS``       10 000      characters in one cell.  The longest cell a row needs is a
                                     source snippet, a few hundred characters (Excel's own
                                     limit is 32 767; the csv module's 131 072).
``MAX_PARTS``            1 000       members of an .xlsx zip.  A workbook of a few sheets has
                                     about 20.
``MAX_PART_BYTES``       64 MiB      one member, inflated.  The sheet of a full 10 000 × 50
                                     table is 16 MB as openpyxl writes it.
``MAX_UNPACKED_BYTES``   128 MiB     all members, inflated (checked from the zip's directory
                                     before anything is inflated, and again while inflating,
                                     so a directory that lies is caught too).
``MAX_RATIO``            100         inflated / compressed size of a member over
                                     ``RATIO_FREE_BYTES`` (1 MiB).  Sheets compress 5–20:1; a
                                     deflate bomb 1 000:1 (1 MB that inflates to 1 GB).
``MAX_SHARED_STRINGS``   1 000 000   distinct texts of a workbook (twice the cells of a sheet
                                     at the row and column limits).
``MAX_STYLES``           65 000      cell formats (Excel's own limit is 64 000).
``MAX_MERGED_RANGES``    10 000      merged ranges of the sheet.
=======================  ==========  ==========================================================

A CSV is UTF-8 (with or without a byte-order mark) or GB18030 (as Chinese Excel saves it);
UTF-16, a NUL byte, bytes that are neither, a file whose lines mix encodings, and GB18030
that reads as rare characters only (Big5, Shift-JIS or Latin-1 text) are refused.  Quoting
follows RFC 4180 (cells may hold commas, quotes and line breaks); a quote that is never closed
(a file cut inside a quoted cell), text after a closing quote, and a last row that is shorter
than the header and has no line break (a file cut inside its last row) are refused: a file is
read whole or not at all.  Line ends may be LF, CRLF or CR.  (A file cut exactly at a line
break, or inside the last cell of a row as long as the header, cannot be told from a whole
one by its text alone.)

An .xlsx file's XML parts are parsed as a stream (ElementTree's C parser, fed as they
inflate), never through openpyxl's loader, so that every limit holds while reading; elements
are dropped once read, so memory follows the depth of the XML, not its length.  Rows and
columns are numbered as Excel shows them (row 1 is the header, wherever the cells start):

- ``<dimension>`` is ignored: the real extent is that of the cells holding a value (a 5 KB
  file declaring ``A1:XFD1048576`` reads its three rows; a stale dimension drops none);
- a merged range's value is the value of every cell it covers (某市 merged over three rows
  is 某市 on all three); the ranges that hold a value are kept in :attr:`Cells.merged`, and
  the reader of observed values refuses one that would copy a value into several rows or
  columns (:func:`~plananalysis.observed.validation.observed_rows`);
- number formats are honoured where they change what the number means: a percent format
  reads 0.742 as ``74.2%`` (the cell's full precision, as a percent); a date format reads the
  date (``2023-01-01``: a date is refused where a year is expected — a year typed into a
  date-formatted cell is stored as 1905-07-15, so the year cannot be told); other numbers read
  plainly (``2023``, not ``2023.0``; 15 significant digits, no thousands separators);
- a formula's saved result is read; a formula without one is refused (open and save the
  file in Excel); an Excel error value (``#DIV/0!``) is refused;
- the sheet named 数据 or data is read, else the first worksheet that is not one of our own
  (a chart sheet is skipped); every other sheet is read too, and refused by name if it holds
  a value, visible or hidden (nothing in a workbook is silently left out), except the sheets
  of our own templates and request workbooks (``OWN_SHEETS`` of
  :mod:`plananalysis.observed.columns`: 说明, 指标, 目标说明), which are returned in
  :attr:`Cells.own_sheets` after a check of their shape (notes in column A only, or a
  reference table under its own header and within its columns);
  a hidden sheet read, a hidden row or column that holds a value (what is imported is what the
  analyst sees), a DOCTYPE in any XML part, duplicate sheet names, and zip member names that
  are not plain relative paths are refused; so are .xls, .xlsm, .ods and encrypted workbooks,
  whatever their names, each with what to do instead.

``follow_symlinks=False`` (a folder import) refuses a symbolic link instead of reading what it
points at.

Cells of either kind may not hold control characters, the direction overrides that make text
display differently from what it is (U+202A–U+202E, U+2066–U+2069), a byte-order mark or a
lone surrogate: whatever is read can be written to ``user.csv`` and read back.

>>> import pathlib, tempfile
>>> tmp = tempfile.TemporaryDirectory()
>>> path = pathlib.Path(tmp.name) / "cut.csv"
>>> _ = path.write_text('年份,数值,备注\\n2023,74.2,"公报原文', encoding="utf-8")  # cut inside a quote
>>> try:
...     read_cells(path)
... except PlanDataError as error:
...     print(error.row, error.column, error.value)
2 备注 (C) 公报原文
>>> tmp.cleanup()
"""

from __future__ import annotations

import codecs
import dataclasses
import errno
import hashlib
import io
import math
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

from ..errors import PlanDataError
from .columns import OWN_SHEETS, READ_SHEETS

__all__ = [
    "Cells",
    "read_cells",
    "column_letter",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_COLUMNS",
    "MAX_CELL_CHARS",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MAX_UNPACKED_BYTES",
    "MAX_RATIO",
    "RATIO_FREE_BYTES",
    "MAX_SHARED_STRINGS",
    "MAX_STYLES",
    "MAX_MERGED_RANGES",
]

MiB = 2**20
MAX_FILE_BYTES = 20 * MiB
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_CELL_CHARS = 10_000
MAX_PARTS = 1_000
MAX_PART_BYTES = 64 * MiB
MAX_UNPACKED_BYTES = 128 * MiB
MAX_RATIO = 100
RATIO_FREE_BYTES = 1 * MiB
MAX_SHARED_STRINGS = 1_000_000
MAX_STYLES = 65_000
MAX_MERGED_RANGES = 10_000

#: what a symbolic link in an import folder gets: it is never followed (it could point anywhere)
SYMLINK_REFUSED = ("一个普通文件，而非符号链接（导入文件夹中的链接不会被读取）"
                   "(an ordinary file, not a symbolic link: links in an import folder are never followed)")

_CHUNK = 64 * 1024
_SHOWN_CHARS = 40  # how much of a long value an error message shows

_SUFFIX_HINTS = {
    ".xls": ("；请在 Excel 中另存为 .xlsx", "; save the Excel 97–2003 workbook as .xlsx in Excel"),
    ".xlsm": ("；请另存为 .xlsx（不读取宏）", "; save the macro-enabled workbook as .xlsx (macros are never read)"),
    ".xlsb": ("；请另存为 .xlsx", "; save the binary workbook as .xlsx"),
    ".ods": ("；请另存为 .xlsx", "; save the OpenDocument spreadsheet as .xlsx"),
    ".numbers": ("；请导出为 .xlsx", "; export the Numbers file as .xlsx"),
    ".tsv": ("；请另存为逗号分隔的 .csv", "; save it as a comma-separated .csv"),
}

# Characters no cell of a data table holds: C0 controls but tab, line feed and carriage
# return; DEL and the C1 controls; the bidirectional embeddings, overrides and isolates that
# make text display in another order than it is stored ("Trojan source"); a byte-order mark;
# and lone surrogates (an .xlsx may spell one as _xD800_; no file can store it as UTF-8).
# Whatever a workbook cell may hold, user.csv can hold and this reader can read back.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"       # controls
                        "\u202a-\u202e\u2066-\u2069"                   # direction overrides and isolates
                        "\ufeff\ud800-\udfff]")                         # byte-order mark, surrogates


@dataclass(frozen=True)
class Cells:
    """The cells of a table as text: ``rows[0]`` is spreadsheet row 1, ``rows[i][j]`` column
    ``j`` (A = 0).  ``sheet`` is the worksheet read (``None`` for a CSV), ``encoding`` the
    CSV's encoding (``None`` for a workbook).

    >>> Cells([["年份"], ["2023"]], None, "utf-8").rows[1]
    ['2023']
    """

    rows: list[list[str]]
    sheet: str | None = None
    encoding: str | None = None
    #: merged ranges of the sheet read that hold a value and cover more than one cell:
    #: ``(top, left, bottom, right, value)``, rows 1-based and columns 0-based like ``rows``
    merged: tuple = ()
    #: the sheets of our own (说明, 指标, 目标说明) the workbook holds, as rows of text
    own_sheets: dict = field(default_factory=dict)
    #: the sheets read as data beside the one read (``READ_SHEETS`` of
    #: :mod:`plananalysis.observed.columns`: 重点任务进展), each a :class:`Cells` of its own
    #: (``formulas``: the cells that hold a formula, ``(row, column, "=…")``)
    sheets: dict = field(default_factory=dict)
    formulas: tuple = ()
    #: the SHA-256 of the file's bytes, as read (the provenance of what came from it)
    file_hash: str = ""


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _shown(text: str) -> str:
    """A value as an error shows it: long text cut, with its length."""
    if len(text) <= _SHOWN_CHARS * 2:
        return text
    return f"{text[:_SHOWN_CHARS]}…（共 {len(text)} 字符 / {len(text)} characters）"


def read_cells(path, *, follow_symlinks: bool = True) -> Cells:
    """Read a ``.csv`` or ``.xlsx`` file as text cells, within the module's limits.

    >>> import pathlib, tempfile
    >>> from openpyxl import Workbook
    >>> tmp = tempfile.TemporaryDirectory()
    >>> book = Workbook()
    >>> sheet = book.active
    >>> sheet.append(["地区", "年份", "数值"])
    >>> for year in (2021.0, 2022, 2023):
    ...     sheet.append(["某市" if year == 2021.0 else None, year, 0.742])
    >>> sheet.merge_cells("A2:A4")             # one region over three rows
    >>> sheet["C2"].number_format = "0.0%"     # Excel shows 74.2%; C3 and C4 show 0.742
    >>> book.save(pathlib.Path(tmp.name) / "wz.xlsx")
    >>> cells = read_cells(pathlib.Path(tmp.name) / "wz.xlsx")
    >>> cells.sheet, cells.rows
    ('Sheet', [['地区', '年份', '数值'], ['某市', '2021', '74.2%'], ['某市', '2022', '0.742'], ['某市', '2023', '0.742']])
    >>> tmp.cleanup()
    """
    path = Path(path)
    data = _read_bytes(path, follow_symlinks)
    suffix = path.suffix.lower()
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".csv":
        return dataclasses.replace(_read_csv(path, data), file_hash=digest)
    if suffix == ".xlsx":
        return dataclasses.replace(_Workbook(path, data).read(), file_hash=digest)
    hint_zh, hint_en = _SUFFIX_HINTS.get(suffix, ("", ""))
    raise PlanDataError(path, None, None, path.suffix or path.name,
                        f".csv 或 .xlsx 文件{hint_zh} (a .csv or .xlsx file{hint_en})")


# ---------------------------------------------------------------- the file itself


def _read_bytes(path: Path, follow_symlinks: bool = True) -> bytes:
    """The file's bytes, read through one descriptor: what is checked is what is read
    (a file swapped for a pipe or a folder between a check and the read cannot block it;
    without ``follow_symlinks``, nor a file swapped for a link)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise PlanDataError(path, None, None, str(path), "一个存在的 .csv 或 .xlsx 文件 (an existing .csv or .xlsx file)") from None
    except IsADirectoryError:
        raise PlanDataError(path, None, None, str(path), "一个文件，而非文件夹 (a file, not a folder)") from None
    except PermissionError:
        raise PlanDataError(path, None, None, str(path), "一个有读取权限的文件 (a file you may read: permission denied)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise PlanDataError(path, None, None, str(path), SYMLINK_REFUSED) from None
        raise PlanDataError(path, None, None, str(path), f"一个可读取的文件 (a readable file: {exc.strerror})") from None
    except ValueError:  # a NUL in the name
        raise PlanDataError(repr(str(path)), None, None, str(path), "不含 NUL 字符的文件名 (a file name without NUL)") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PlanDataError(path, None, None, str(path), "一个文件，而非文件夹 (a file, not a folder)")
        if not stat.S_ISREG(info.st_mode):
            raise PlanDataError(path, None, None, str(path),
                                "一个普通文件，而非管道、套接字或设备 (an ordinary file, not a pipe, socket or device)")
        too_big = (f"不超过 {MAX_FILE_BYTES // MiB} MB 的文件 (a file of at most {MAX_FILE_BYTES // MiB} MB: "
                   f"a table of {MAX_ROWS} rows is far smaller)")
        if info.st_size > MAX_FILE_BYTES:
            raise PlanDataError(path, None, None, f"{info.st_size} 字节 (bytes)", too_big)
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(_CHUNK * 16, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:  # it grew while being read
            raise PlanDataError(path, None, None, f"> {MAX_FILE_BYTES} 字节 (bytes)", too_big)
        return b"".join(chunks)
    except OSError as exc:
        raise PlanDataError(path, None, None, str(path), f"一个可读取的文件 (a readable file: {exc.strerror})") from None
    finally:
        os.close(fd)


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# what zipfile raises for a damaged archive (a header that lies, a bad CRC, a cut-off stream …)
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, EOFError, OSError, ValueError,
               NotImplementedError, RuntimeError, IndexError, KeyError, OverflowError)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: .xls, or an encrypted .xlsx


def _is_encrypted_ole(data: bytes) -> bool:
    return "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data


# ---------------------------------------------------------------- CSV

_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
_QUOTED = re.compile(r'"([^"]*+(?:""[^"]*+)*+)"')   # possessive: a cut-off quote never half-matches
_UNQUOTED = re.compile(r"[^,\r\n]*")


def _line_of(data: bytes, offset: int) -> int:
    """The line (1-based) of a byte offset; CR-only files count CRs."""
    newline = b"\n" if b"\n" in data else b"\r"
    return data.count(newline, 0, offset) + 1


def _hex(data: bytes, offset: int = 0) -> str:
    return data[offset:offset + 8].hex(" ")


def _encoding_error(path: Path, line, value: str, why_zh: str, why_en: str) -> PlanDataError:
    return PlanDataError(path, line, None, value,
                         f"UTF-8 或 GB18030 编码的 CSV{why_zh}，请另存为“CSV UTF-8（逗号分隔）” "
                         f"(UTF-8 or GB18030 text{why_en}: save it as 'CSV UTF-8 (comma delimited)')")


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a CSV and its encoding, or a clear error naming the line at fault."""
    if data.startswith(_ZIP_MAGIC):
        raise PlanDataError(path, None, None, _hex(data),
                            "文本 CSV 文件；这是一个 Excel 工作簿，请将扩展名改为 .xlsx "
                            "(a text CSV file; this is an Excel workbook: name it .xlsx)")
    if data.startswith(_OLE_MAGIC):
        raise PlanDataError(path, None, None, _hex(data),
                            "文本 CSV 文件；这是一个 Excel 97–2003 或加密的工作簿，请另存为 CSV UTF-8 "
                            "(a text CSV file; this is an Excel 97–2003 or encrypted workbook: save it as CSV UTF-8)")
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise _encoding_error(path, None, _hex(data), f"；此文件为 {name} 编码", f"; this file is {name}")
    if b"\x00" in data:
        raise PlanDataError(path, None, None, _hex(data), "文本 CSV 文件 (a text CSV file, not a binary one)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        failed_at = exc.start
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            raise PlanDataError(path, _line_of(data, failed_at), None, _hex(data, failed_at),
                                "完整的 UTF-8 文本：文件在一个字符中间结束，可能被截断 "
                                "(complete UTF-8 text: the file ends inside a character — was it cut short?)") from None
    if any(_is_utf8_chinese(line) for line in data.splitlines()):  # other lines are UTF-8: mixed
        raise _encoding_error(path, _line_of(data, failed_at), _hex(data, failed_at),
                              "，全文同一种编码；前面的行是 UTF-8，此行不是，文件混用了编码",
                              "; one encoding throughout: other lines are UTF-8, this one is not")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, _line_of(data, exc.start), _hex(data, exc.start), "", "") from None
    # Chinese text saved as GB18030 is almost all GB2312 characters; Big5, Shift-JIS or
    # Latin-1 bytes often decode as GB18030 too, but into rare characters, kana and Greek.
    wide = [c for c in text if ord(c) > 0x7F]
    common = sum(1 for c in wide if _is_gb2312(c))
    if wide and common < 0.8 * len(wide):
        first = next(i for i, c in enumerate(text) if ord(c) > 0x7F and not _is_gb2312(c))
        offset = len(text[:first].encode("gb18030"))
        raise _encoding_error(path, _line_of(data, offset), _hex(data, offset),
                              "；此文件似为其他编码（如 Big5、Shift-JIS、Latin-1）",
                              "; this looks like another encoding such as Big5, Shift-JIS or Latin-1")
    return text, "gb18030"


def _is_utf8_chinese(line: bytes) -> bool:
    """A line that reads as UTF-8 holding Chinese characters.  (A GB18030 line may happen to be
    valid UTF-8, but then it reads as Latin, Greek or Cyrillic letters, not as Chinese.)"""
    if max(line, default=0) <= 0x7F:
        return False
    try:
        return any("\u4e00" <= c <= "\u9fff" for c in line.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def _is_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


class _Table:
    """Collects rows within the limits and names cells in errors (letter and header)."""

    def __init__(self, path: Path, sheet: str | None = None):
        self.path, self.sheet = path, sheet
        self.header: list[str] = []

    def column(self, index: int, row: int) -> str:
        letter = column_letter(index)
        head = self.header[index].strip() if row > 1 and index < len(self.header) else ""
        if head and len(head) <= 40 and not _FORBIDDEN.search(head):
            return f"{head} ({letter})"
        return letter

    def error(self, row: int | None, index: int | None, value, expected: str) -> PlanDataError:
        column = self.column(index, row or 0) if index is not None else None
        return PlanDataError(self.path, row, column, _shown(value) if isinstance(value, str) else value, expected)

    def check(self, text: str, row: int, index: int) -> str:
        """A cell's text, if it is within the limits."""
        if index >= MAX_COLUMNS and text.strip():
            raise self.error(row, index, text, f"至多 {MAX_COLUMNS} 列 (at most {MAX_COLUMNS} columns: "
                                               f"the template has 13)")
        if len(text) > MAX_CELL_CHARS:
            raise self.error(row, index, text, f"至多 {MAX_CELL_CHARS} 个字符的单元格 "
                                               f"(a cell of at most {MAX_CELL_CHARS} characters)")
        found = _FORBIDDEN.search(text)
        if found:
            code = f"U+{ord(found.group()):04X}"
            raise self.error(row, index, text, f"不含控制字符或文字方向控制符的文本，发现 {code} "
                                               f"(text without control characters or direction overrides; found {code})")
        return text

    def check_row_count(self, row: int, cells) -> None:
        if row > MAX_ROWS and any(c.strip() for c in cells):
            raise self.error(row, None, _shown(",".join(cells)),
                             f"至多 {MAX_ROWS} 行 (at most {MAX_ROWS} rows: the plan's 25 indicators for "
                             f"ten regions and ten years are 2 500)")


def _read_csv(path: Path, data: bytes) -> Cells:
    text, encoding = _decode(path, data)
    if "\ufeff" in text:
        line = text.count("\n" if "\n" in text else "\r", 0, text.index("\ufeff")) + 1
        raise PlanDataError(path, line, None, "\ufeff",
                            "字节顺序标记（BOM）只在文件开头；此处似为两个文件拼接 "
                            "(a byte-order mark only at the start of the file: two files joined together?)")
    table = _Table(path)
    rows = _CsvRows(table)
    row: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        row_no, index = rows.count + 1, len(row)
        if text[pos] == '"':
            match = _QUOTED.match(text, pos)
            if match is None:
                raise table.error(row_no, index, text[pos + 1:pos + 1 + _SHOWN_CHARS].split("\n")[0],
                                  '结束引号 "：文件在这个带引号的单元格中结束，可能被截断 '
                                  "(a closing quote: the file ends inside this quoted cell — was it cut short?)")
            value, pos = match.group(1).replace('""', '"'), match.end()
            if pos < end and text[pos] not in ",\r\n":
                raise table.error(row_no, index, text[match.start():pos + 10].split("\n")[0],
                                  "结束引号后紧跟逗号或换行 (a comma or a line break right after the closing quote)")
        else:
            match = _UNQUOTED.match(text, pos)
            value, pos = match.group(), match.end()
        row.append(table.check(value, row_no, index))
        if pos >= end:
            break
        if text[pos] == ",":
            pos += 1
            if pos == end:  # a last, empty cell
                row.append("")
            continue
        pos += 2 if text.startswith("\r\n", pos) else 1
        rows.add(row)
        row = []
    if row:
        rows.add(row)
    if rows.count > 1 and not text.endswith(("\n", "\r")):
        last, width = rows.rows[-1], len(rows.rows[0])
        if len(last) < width and any(c.strip() for c in last):
            raise table.error(rows.count, len(last) - 1, last[-1],
                              f"共 {width} 个单元格（与表头相同）并以换行结尾；此行只有 {len(last)} 个且文件没有以换行结尾，"
                              f"文件可能被截断 ({width} cells like the header, then a line break; this last row has "
                              f"{len(last)} and the file does not end with a line break: it seems cut short)")
    return Cells(rows.rows, None, encoding)


class _CsvRows:
    """The rows read so far; blank rows past the row limit are counted, not kept."""

    def __init__(self, table: _Table):
        self.table, self.rows, self.count = table, [], 0

    def add(self, row: list[str]) -> None:
        if row == [""]:
            row = []  # a blank line, as the csv module reads it
        while len(row) > MAX_COLUMNS and not row[-1].strip():
            row.pop()  # empty cells beyond the column limit (",,,," that Excel may add)
        self.count += 1
        blank = not any(c.strip() for c in row)
        self.table.check_row_count(self.count, row)
        if self.count == 1:
            self.table.header = row
        if self.count <= MAX_ROWS or not blank:
            self.rows.append(row)


# ---------------------------------------------------------------- XLSX

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_NOT_DISPLAYED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def _unescape(text: str) -> str:
    """Excel writes characters XML cannot hold as ``_xHHHH_``."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


class _TooLong(str):
    """A shared string over the cell limit, kept only as its start; refused when used."""

    length = 0


def _number_text(value: float) -> str:
    """A number as Excel's General format shows it, without an exponent: 15 significant digits."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    return _plain(Decimal(text)) if "e" in text else text


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text if text != "-0" else "0"


def _format_kind(code: str | None, format_id: int) -> str:
    """'percent', 'date' or '' for a number format."""
    from openpyxl.styles.numbers import is_date_format

    if format_id in (9, 10):
        return "percent"
    if format_id in _DATE_IDS:
        return "date"
    if not code:
        return ""
    shown = _NOT_DISPLAYED.sub("", code)
    if "%" in shown:
        return "percent"
    try:
        return "date" if is_date_format(code) else ""
    except Exception:  # an unreadable format code: read the number plainly
        return ""


class _Workbook:
    """One .xlsx file: its zip checked, then the chosen sheet read as a stream."""

    def __init__(self, path: Path, data: bytes):
        self.path, self.data = path, data
        self.inflated = 0

    # -- errors

    def bad(self, value, detail_zh: str = "", detail_en: str = "") -> PlanDataError:
        detail_zh = f"；{detail_zh}" if detail_zh else ""
        detail_en = f"; {detail_en}" if detail_en else ""
        return PlanDataError(self.path, None, None, value,
                             f"Excel .xlsx 工作簿{detail_zh} (a valid Excel .xlsx workbook{detail_en})")

    # -- the zip

    def read(self) -> Cells:
        data = self.data
        if not data:
            raise self.bad("0 字节 (0 bytes)", "文件是空的", "the file is empty")
        if data.startswith(_OLE_MAGIC):
            if _is_encrypted_ole(data):
                raise self.bad("EncryptionInfo", "此工作簿设有打开密码，请在 Excel 中取消密码后保存",
                               "this workbook is encrypted with a password: remove the password in Excel and save it")
            raise self.bad(_hex(data), "这是 Excel 97–2003 (.xls) 文件，请在 Excel 中另存为 .xlsx",
                           "this is an Excel 97–2003 (.xls) file named .xlsx: save it as .xlsx in Excel")
        if not data.startswith(_ZIP_MAGIC):
            raise self.bad(_hex(data), "", "")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            members = self.zip.infolist()
        except _ZIP_ERRORS as exc:
            raise self.bad(type(exc).__name__) from None
        self._check_members(members)
        try:
            return self._read_book()
        finally:
            self.zip.close()

    def _check_members(self, members) -> None:
        if len(members) > MAX_PARTS:
            raise self.bad(f"{len(members)} 个部件 (parts)", f"至多 {MAX_PARTS} 个部件",
                           f"at most {MAX_PARTS} parts; a workbook of a few sheets has about 20")
        self.parts: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in members:
            name = info.filename
            if (name.startswith(("/", "\\")) or "\\" in name or ":" in name.split("/")[0]
                    or any(p in ("..", ".") for p in name.split("/")) or _FORBIDDEN.search(name)):
                raise self.bad(name, "部件名须为普通相对路径，此文件不是电子表格程序生成的",
                               "parts with plain relative names: this file was not made by a spreadsheet program")
            key = name.lower()
            if key in self.parts:
                raise self.bad(name, "部件名不重复", "each part once: this name appears twice")
            if info.flag_bits & 0x1:
                raise self.bad(name, "部件未加密", "parts that are not encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.bad(name, "以 deflate 压缩的部件", "parts compressed with deflate, as Excel writes them")
            if info.file_size > MAX_PART_BYTES:
                raise self.bad(f"{name}: {info.file_size} 字节 (bytes)",
                               f"每个部件解压后至多 {MAX_PART_BYTES // MiB} MB",
                               f"parts of at most {MAX_PART_BYTES // MiB} MB inflated; a full sheet is about 16 MB")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FREE_BYTES and ratio > MAX_RATIO:
                raise self.bad(f"{name}: {info.compress_size} → {info.file_size} 字节 (bytes)",
                               f"压缩比至多 {MAX_RATIO}:1，此部件为 {ratio:.0f}:1，疑为压缩炸弹",
                               f"a compression ratio of at most {MAX_RATIO}:1; this part inflates {ratio:.0f}:1 "
                               "— a zip bomb?")
            total += info.file_size
            self.parts[key] = info
        if total > MAX_UNPACKED_BYTES:
            raise self.bad(f"{total} 字节 (bytes)", f"解压后共至多 {MAX_UNPACKED_BYTES // MiB} MB",
                           f"at most {MAX_UNPACKED_BYTES // MiB} MB inflated in all")

    def _chunks(self, name: str):
        """The inflated bytes of one part, counted against its declared size and the limits."""
        info = self.parts.get(name.lower())
        if info is None:
            raise self.bad(name, f"缺少部件 {name}", f"the part {name} is missing")
        read = 0
        try:
            with self.zip.open(info) as stream:
                while True:
                    chunk = stream.read(_CHUNK)
                    if not chunk:
                        break
                    read += len(chunk)
                    self.inflated += len(chunk)
                    if read > info.file_size or read > MAX_PART_BYTES or self.inflated > MAX_UNPACKED_BYTES:
                        raise self.bad(f"{name}: > {info.file_size} 字节 (bytes)", "部件大小与目录一致",
                                       "parts as large as the zip directory says: this one inflates further")
                    yield chunk
        except _ZIP_ERRORS as exc:
            raise self.bad(f"{name}: {type(exc).__name__}", "部件已损坏", "this part is damaged") from None

    def _events(self, name: str, events=("start", "end")):
        """(event, element, local tag) of one XML part, parsed as a stream by ElementTree's C
        parser.  A DOCTYPE (the way to entity expansion) is refused before the parser sees it.

        An element is dropped from the tree once its end has been seen, unless its parent reads
        it (a cell its value, a text its runs): what is kept is bounded by the depth of the XML,
        never by its length."""
        parser = ElementTree.XMLPullParser(("start", "end"))
        prolog = b""   # the bytes before the root element, where a DOCTYPE would be
        open_elements: list = []
        try:
            for chunk in self._chunks(name):
                if prolog is not None:
                    prolog += chunk
                    root = _ROOT_START.search(prolog)
                    head = prolog[:root.start()] if root else prolog
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise self.bad(name, "XML 中没有 DOCTYPE 声明（电子表格程序从不写入）",
                                       "XML without a DOCTYPE declaration: a spreadsheet program never writes one")
                    if root:
                        prolog = None
                    elif len(prolog) > _CHUNK:
                        raise self.bad(name, "部件是格式正确的 XML", "parts of well-formed XML")
                parser.feed(chunk)
                yield from self._walk(name, parser.read_events(), open_elements, events)
            parser.close()
            yield from self._walk(name, parser.read_events(), open_elements, events)
        except ElementTree.ParseError as exc:
            raise self.bad(f"{name}: {exc}", "部件是格式正确的 XML", "parts of well-formed XML") from None

    def _walk(self, name: str, parsed, open_elements: list, wanted):
        """The events of one parsed chunk; then the elements they ended are dropped."""
        for event, element in parsed:
            if event == "start":
                parent = open_elements[-1] if open_elements else None
                if (parent is not None and len(parent) > _MAX_KEPT_CHILDREN
                        and _tag(parent.tag) in _READS_ITS_CHILDREN):
                    raise self.bad(f"{name}: <{_tag(parent.tag)}>", "部件是 Excel 格式的 XML",
                                   f"parts in Excel's XML format: this element has over {_MAX_KEPT_CHILDREN} parts")
                open_elements.append(element)
            else:
                open_elements.pop()
            if event in wanted:
                yield event, element, _tag(element.tag)
        for depth, element in enumerate(open_elements):   # keep only the child still open
            if _tag(element.tag) not in _READS_ITS_CHILDREN:
                del element[:len(element) - (depth + 1 < len(open_elements))]

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """{id: (type, part name)} of a part's relationships (``_rels/x.rels``)."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        found: dict[str, tuple[str, str]] = {}
        if rels_name.lower() not in self.parts:
            return found
        for event, element, tag in self._events(rels_name, ("end",)):
            if tag == "Relationship" and len(found) > 2 * MAX_PARTS:
                raise self.bad(rels_name, f"至多 {2 * MAX_PARTS} 个关系", f"at most {2 * MAX_PARTS} relationships")
            if tag == "Relationship" and element.get("TargetMode") != "External":
                target = element.get("Target", "")
                resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
                found[element.get("Id", "")] = (element.get("Type", "").rsplit("/", 1)[-1], resolved)
        return found

    # -- the workbook

    def _read_book(self) -> Cells:
        if "mimetype" in self.parts and b"opendocument" in b"".join(self._chunks("mimetype")):
            raise self.bad("mimetype: OpenDocument", "这是 OpenDocument 电子表格 (.ods)，请另存为 .xlsx",
                           "this is an OpenDocument spreadsheet named .xlsx: save it as .xlsx")
        book = next((target for kind, target in self._relationships("").values() if kind == "officeDocument"),
                    "xl/workbook.xml")
        if book.lower() not in self.parts:
            raise self.bad(book, f"缺少部件 {book}", f"the part {book} is missing")
        relations = self._relationships(book)
        sheets: list[tuple[str, str, str]] = []  # (name, state, relationship id)
        date1904 = False
        for event, element, tag in self._events(book, ("end",)):
            if tag == "sheet":
                if len(sheets) >= MAX_PARTS:
                    raise self.bad(f"> {MAX_PARTS}", f"至多 {MAX_PARTS} 个工作表", f"at most {MAX_PARTS} sheets")
                rid = next((v for k, v in element.attrib.items() if _tag(k) == "id" and k.startswith("{")), "")
                sheets.append((element.get("name", ""), element.get("state", "visible"), rid))
            elif tag == "workbookPr":
                date1904 = element.get("date1904", "0").lower() in ("1", "true")
        seen: dict[str, str] = {}
        for sheet_name, _state, _rid in sheets:
            key = sheet_name.strip().lower()
            if key in seen:
                raise self.bad(sheet_name, f"工作表名称不重复（“{seen[key]}”出现两次）",
                               f"sheet names that differ: '{seen[key]}' appears twice")
            seen[key] = sheet_name
        chosen = self._choose(sheets, relations)
        sheet_name, state, rid = chosen
        if state in ("hidden", "veryHidden"):
            raise self.bad(sheet_name, f"读取的工作表“{sheet_name}”是隐藏的；请取消隐藏，或把数据放在名为“数据”的可见工作表中",
                           f"the sheet read, '{sheet_name}', is hidden: unhide it, or put the data on a visible "
                           "sheet named 数据")
        kinds = {kind: target for kind, target in relations.values()}
        strings = self._shared_strings(kinds.get("sharedStrings"))
        formats = self._formats(kinds.get("styles"))
        sheet = _Sheet(self, sheet_name, strings, formats, date1904)
        rows = sheet.read(self._part_of(sheet_name, rid, relations))
        read: dict[str, Cells] = {}
        own = self._other_sheets(sheets, chosen, relations, strings, formats, date1904, read)
        return Cells(rows, sheet_name, None, merged=tuple(sheet.merged_values), own_sheets=own, sheets=read)

    def _part_of(self, sheet_name: str, rid: str, relations) -> str:
        if rid not in relations:
            raise self.bad(sheet_name, f"工作表“{sheet_name}”的部件存在", f"the part of the sheet '{sheet_name}': it is missing")
        return relations[rid][1]

    def _other_sheets(self, sheets, chosen, relations, strings, formats, date1904,
                      read: dict | None = None) -> dict[str, list[list[str]]]:
        """Every sheet but the one read, read too: one holding no value (or a chart sheet) passes;
        one of our own (``OWN_SHEETS``) is checked for its shape and returned; one read as data
        (``READ_SHEETS``) is read as the chosen sheet is (hidden rows and columns refused) into
        ``read``; any other one holding a value, visible or hidden, is refused by name — never
        silently left out."""
        own: dict[str, list[list[str]]] = {}
        for name, state, rid in sheets:
            if (name, state, rid) == chosen or relations.get(rid, ("", ""))[0] == "chartsheet":
                continue
            if name.strip() in READ_SHEETS and read is not None:
                found = self._read_sheet(name, state, rid, relations, strings, formats, date1904)
                if found is not None:
                    read[name.strip()] = found
                continue
            sheet = _Sheet(self, name, strings, formats, date1904)
            sheet.collect(self._part_of(name, rid, relations), check_hidden=False)
            if not sheet.cells:
                continue
            key = name.strip()
            if key in OWN_SHEETS:
                self._check_own_sheet(name, OWN_SHEETS[key], sheet.cells, chosen[0])
                own[key] = sheet.rows()
                continue
            (row, column), value = min(sheet.cells.items())
            ref = f"{column_letter(column)}{row}"
            hidden_zh, hidden_en = ("隐藏的", "hidden ") if state in ("hidden", "veryHidden") else ("", "")
            raise PlanDataError(
                self.path, None, None, f"{name}!{ref}: {_shown(value)}",
                f"只有一个含数据的工作表：数据从“{chosen[0]}”读取，{hidden_zh}工作表“{name}”也有数据（{ref}），"
                f"不会被读取；请把其中的行移到“{chosen[0]}”表，或删除该工作表 "
                f"(one sheet holding data: the data are read from the sheet '{chosen[0]}', and the {hidden_en}sheet "
                f"'{name}' holds values too ({ref}) that would not be read — move its rows to '{chosen[0]}', "
                "or delete that sheet)")
        return own

    def _read_sheet(self, name, state, rid, relations, strings, formats, date1904) -> Cells | None:
        """A sheet read as data beside the chosen one (``READ_SHEETS``): its rows, merged ranges
        and formula cells, or ``None`` when it holds no value; refused when hidden."""
        sheet = _Sheet(self, name, strings, formats, date1904)
        try:
            sheet.collect(self._part_of(name, rid, relations))
            if not sheet.cells:
                return None
            if state in ("hidden", "veryHidden"):
                raise self.bad(name, f"读取的工作表“{name}”是隐藏的；请取消隐藏后再导入",
                               f"the sheet read, '{name}', is hidden: unhide it")
            rows = sheet.rows()
        except PlanDataError as error:   # name the sheet: the cell alone would point at 数据
            if error.column is not None and not str(error.column).startswith(name):
                error.column = f"{name} {error.column}"
                error.args = (str(error),)
            raise
        return Cells(rows, name, None, merged=tuple(sheet.merged_values), formulas=tuple(sheet.formulas))

    def _check_own_sheet(self, name: str, header, cells: dict, chosen: str) -> None:
        """A sheet of our own holds what we wrote there: notes in column A (``header`` None), or
        a reference table under its own header and within its columns — never data rows."""
        width = 1 if header is None else len(header)
        first_row = {c: v for (r, c), v in cells.items() if r == 1}
        wrong = [(r, c) for (r, c) in sorted(cells) if c >= width]
        if header is not None and [first_row.get(c, "").strip() for c in range(width)] != list(header):
            wrong.insert(0, (1, min(first_row) if first_row else 0))
        if not wrong:
            return
        row, column = wrong[0]
        ref = f"{column_letter(column)}{row}"
        last = column_letter(width - 1)
        shape_zh = "A 列的说明文字" if header is None else f"表头为 {'、'.join(header)} 的参考表，在 A–{last} 列"
        shape_en = "notes in column A" if header is None else f"a reference table under its own header, in columns A–{last}"
        raise PlanDataError(
            self.path, None, None, f"{name}!{ref}: {_shown(cells.get((row, column), ''))}",
            f"工作表“{name}”是本工具写入的{shape_zh}，不含数据；数据请填在“{chosen}”表 "
            f"(the sheet '{name}' is one of ours, {shape_en}, and holds no data: enter data on the sheet '{chosen}')")

    def _choose(self, sheets, relations) -> tuple[str, str, str]:
        """The sheet named 数据 or data, else the first worksheet not of our own (说明 …), else the first."""
        def kind(rid):
            return relations.get(rid, ("", ""))[0]

        for wanted in ("数据", "data"):
            for sheet in sheets:
                if sheet[0].strip().lower() == wanted:
                    if kind(sheet[2]) != "worksheet":
                        raise self.bad(sheet[0], f"“{sheet[0]}”须为工作表（而非图表等）",
                                       f"'{sheet[0]}' as a worksheet (not a chart sheet)")
                    return sheet
        worksheets = [sheet for sheet in sheets if kind(sheet[2]) == "worksheet"]
        for sheet in worksheets:
            if sheet[0].strip() not in OWN_SHEETS and sheet[0].strip() not in READ_SHEETS:
                return sheet
        if worksheets:
            return worksheets[0]
        raise self.bad(", ".join(s[0] for s in sheets) or "—", "至少一个工作表（此工作簿只有图表）",
                       "at least one worksheet; this workbook holds charts only")

    def _shared_strings(self, part: str | None) -> list[str]:
        """The workbook's shared texts (rich-text runs joined; phonetic guides left out)."""
        strings: list[str] = []
        if not part:
            return strings
        for event, element, tag in self._events(part, ("end",)):
            if tag != "si":
                continue
            if len(strings) >= MAX_SHARED_STRINGS:
                raise self.bad(f"> {MAX_SHARED_STRINGS}", f"至多 {MAX_SHARED_STRINGS} 个不同文本",
                               f"at most {MAX_SHARED_STRINGS} distinct texts")
            text = _unescape(_text_of(element))
            if len(text) > MAX_CELL_CHARS:
                long = _TooLong(text[:_SHOWN_CHARS])
                long.length = len(text)
                text = long
            strings.append(text)
        return strings

    def _formats(self, part: str | None) -> list[str]:
        """The kind ('percent', 'date' or '') of each cell format, by style index."""
        if not part:
            return []
        codes: dict[int, str] = {}
        format_ids: list[int] = []
        in_cell_formats = False
        for event, element, tag in self._events(part):
            if tag == "cellXfs":
                in_cell_formats = event == "start"
            elif event == "end" and tag == "numFmt":
                if len(codes) >= MAX_STYLES:
                    raise self.bad(part, f"至多 {MAX_STYLES} 种数字格式", f"at most {MAX_STYLES} number formats")
                codes[_int(element.get("numFmtId"), -1)] = element.get("formatCode", "")
            elif event == "end" and tag == "xf" and in_cell_formats:
                if len(format_ids) >= MAX_STYLES:
                    raise self.bad(part, f"至多 {MAX_STYLES} 种单元格格式", f"at most {MAX_STYLES} cell formats")
                format_ids.append(_int(element.get("numFmtId"), 0))
        from openpyxl.styles.numbers import BUILTIN_FORMATS

        kinds: dict[int, str] = {}
        return [kinds.setdefault(i, _format_kind(codes.get(i, BUILTIN_FORMATS.get(i)), i)) for i in format_ids]


_ROOT_START = re.compile(rb"<[A-Za-z_]")
_READS_ITS_CHILDREN = {"c", "is", "si", "r"}   # a cell its value or formula, a text its runs
_MAX_KEPT_CHILDREN = 1_000                     # a cell has 1–3; a text a run per format change
_TAGS: dict[str, str] = {}


def _tag(name: str) -> str:
    """The local name of an element or attribute (``{namespace}c`` → ``c``), whatever its namespace."""
    local = _TAGS.get(name)
    if local is None:
        local = name.rpartition("}")[2]
        if len(_TAGS) < 4096:
            _TAGS[name] = local
    return local


def _text_of(element) -> str:
    """The text of ``<si>`` or ``<is>``: its ``<t>``, or the ``<t>`` of each run ``<r>``; never
    the phonetic guide ``<rPh>``."""
    parts = []
    for child in element:
        tag = _tag(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _tag(t.tag) == "t")
    return "".join(parts)


def _int(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_RANGE_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7}):\$?([A-Za-z]{1,3})\$?(\d{1,7})")


_COLUMNS: dict[str, int] = {}


def _column_index(letters: str) -> int:
    """The 0-based index of a column's letters (``A`` → 0, ``XFD`` → 16383)."""
    index = _COLUMNS.get(letters)
    if index is None:
        index = -1 + sum((ord(c) - 64) * 26 ** i for i, c in enumerate(reversed(letters.upper())))
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = index
    return index


class _Sheet:
    """The cells of one worksheet, read from its XML as a stream."""

    def __init__(self, book: _Workbook, name: str, strings: list[str], formats: list[str], date1904: bool):
        self.book, self.name, self.strings, self.formats = book, name, strings, formats
        self.date1904 = date1904
        self.table = _Table(book.path, name)
        self.cells: dict[tuple[int, int], str] = {}   # (row, column): 1-based row, 0-based column
        self.hidden_rows: set[int] = set()
        self.hidden_columns: list[tuple[int, int]] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self.merged_values: list[tuple[int, int, int, int, str]] = []   # ranges of more than one cell holding a value
        self.formulas: list[tuple[int, int, str]] = []   # cells holding a formula (with its saved result)
        self.row = 0
        self.column = -1

    def read(self, part: str) -> list[list[str]]:
        """The rows of the sheet (refused if it holds no value)."""
        self.collect(part)
        if not self.cells:
            raise self.table.error(None, None, self.name,
                                   f"工作表“{self.name}”为空；数据从名为“数据”或“data”的工作表读取，否则从第一个工作表读取 "
                                   f"(the sheet '{self.name}' is empty; the data are read from the sheet named 数据 or "
                                   "data, else from the first worksheet)")
        return self.rows()

    def collect(self, part: str, check_hidden: bool = True) -> None:
        """Read the cells of the sheet's part into ``cells`` (merged ranges filled in)."""
        in_data = False   # inside <sheetData>, where the cells are
        for event, element, tag in self.book._events(part):
            if event == "start":
                if tag == "row" and in_data:
                    self.row = _int(element.get("r"), self.row + 1)
                    self.column = -1
                    if element.get("hidden", "0").lower() in ("1", "true") and self.row <= MAX_ROWS:
                        self.hidden_rows.add(self.row)
                elif tag == "sheetData":
                    in_data = True
            elif tag == "c" and in_data:
                self._cell(element)
            elif tag == "sheetData":
                in_data = False
            elif tag == "col" and element.get("hidden", "0").lower() in ("1", "true"):
                if len(self.hidden_columns) < MAX_STYLES:
                    self.hidden_columns.append((_int(element.get("min"), 1) - 1, _int(element.get("max"), 1) - 1))
            elif tag == "mergeCell":
                self._merge_range(element.get("ref", ""))
        if check_hidden and (self.hidden_rows or self.hidden_columns):
            self._check_hidden()
        self._merge()

    def rows(self) -> list[list[str]]:
        """The cells as rows of text, each cell within the limits."""
        height = max(r for r, _ in self.cells)
        width = max(c for _, c in self.cells) + 1
        rows = [[""] * width for _ in range(height)]
        for (r, c), value in self.cells.items():
            rows[r - 1][c] = value
        self.table.header = rows[0]
        for r, line in enumerate(rows, start=1):
            for c, value in enumerate(line):
                if value:
                    self.table.check(value, r, c)
        return rows

    def _cell(self, element) -> None:
        ref = element.get("r")
        match = _CELL_REF.fullmatch(ref) if ref else None
        if match:
            self.column = _column_index(match.group(1))
            self.row = int(match.group(2))
        else:
            self.column += 1
        value = self._value(element)
        if not value:
            return
        if self.row > MAX_ROWS:
            raise self.table.error(self.row, None, value,
                                   f"至多 {MAX_ROWS} 行 (at most {MAX_ROWS} rows: the plan's 25 indicators "
                                   "for ten regions and ten years are 2 500)")
        if self.column >= MAX_COLUMNS:
            self.table.check(value, self.row, self.column)
        self.cells[(self.row, self.column)] = value
        if self.row == 1:  # the header names the columns of later errors
            header = self.table.header
            header.extend([""] * (self.column + 1 - len(header)))
            header[self.column] = value

    def _merge_range(self, ref: str) -> None:
        if len(self.merged) >= MAX_MERGED_RANGES:
            raise self.table.error(None, None, f"> {MAX_MERGED_RANGES}",
                                   f"至多 {MAX_MERGED_RANGES} 个合并区域 (at most {MAX_MERGED_RANGES} merged ranges)")
        match = _RANGE_REF.fullmatch(ref)
        if match:
            top, left = int(match.group(2)), _column_index(match.group(1))
            bottom, right = int(match.group(4)), _column_index(match.group(3))
            self.merged.append((min(top, bottom), min(left, right), max(top, bottom), max(left, right)))

    # -- cell values

    def _value(self, element) -> str:
        """The cell's text as Excel shows it (see the module docstring)."""
        kind = element.get("t", "n")
        raw = formula = inline = None
        for child in element:
            tag = _tag(child.tag)
            if tag == "v":
                raw = child.text or ""
            elif tag == "f":
                formula = child.text or ""
            elif tag == "is":
                inline = _text_of(child)
        # a formula's saved result is its <v>; none, or an empty one for a number, means it was
        # never calculated (openpyxl and other libraries write formulas that way)
        if formula is not None and (raw is None or (raw == "" and kind != "str")):
            raise self.table.error(self.row, self.column, "=" + formula,
                                   "公式的计算结果：请在 Excel 中打开并保存此文件，或粘贴为数值 "
                                   "(a formula's saved result: open and save the file in Excel, or paste values)")
        if formula is not None and len(self.formulas) < MAX_ROWS:
            self.formulas.append((self.row, self.column, "=" + formula))
        if kind == "inlineStr":
            return _unescape(inline or "")
        if not raw:
            return ""
        if kind == "s":
            index = _int(raw, -1)
            if not 0 <= index < len(self.strings):
                raise self.book.bad(f"{column_letter(self.column)}{self.row}: {raw[:_SHOWN_CHARS]}", "共享文本编号有效",
                                    "shared-text numbers that exist: this workbook is damaged")
            text = self.strings[index]
            if isinstance(text, _TooLong):
                raise self.table.error(self.row, self.column, text + f"…（共 {text.length} 字符 / characters）",
                                       f"至多 {MAX_CELL_CHARS} 个字符的单元格 (a cell of at most {MAX_CELL_CHARS} characters)")
            return text
        if kind in ("str", "d"):
            return _unescape(raw)
        if kind == "b":
            return "TRUE" if raw.strip() in ("1", "true") else "FALSE"
        if kind == "e":
            raise self.table.error(self.row, self.column, raw,
                                   "一个值，而非 Excel 错误值；请修正公式或清空单元格 "
                                   "(a value, not an Excel error: fix the formula or clear the cell)")
        try:
            number = float(raw)
        except ValueError:
            number = float("nan")
        if not math.isfinite(number):
            raise self.book.bad(f"{column_letter(self.column)}{self.row}: {raw[:_SHOWN_CHARS]}", "数字单元格中是数字",
                                "numbers in number cells: this workbook is damaged")
        style = _int(element.get("s"), 0)
        form = self.formats[style] if 0 <= style < len(self.formats) else ""
        if form == "percent":
            return _plain(Decimal(f"{number:.15g}").scaleb(2)) + "%"
        if form == "date":
            return self._date(number)
        return _number_text(number)

    def _date(self, number: float) -> str:
        from datetime import datetime, time

        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

        if not 0 <= number < 2958466:  # 9999-12-31
            raise self.table.error(self.row, self.column, _number_text(number),
                                   "一个 Excel 能显示的日期 (a date Excel can show)")
        when = from_excel(number, CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900)
        if isinstance(when, datetime):
            return when.date().isoformat() if when.time() == time(0) else when.isoformat(sep=" ")
        return when.isoformat() if when is not None else _number_text(number)

    # -- after the stream

    def _check_hidden(self) -> None:
        for (row, column) in sorted(self.cells):
            if row in self.hidden_rows:
                line = [self.cells[key] for key in sorted(self.cells) if key[0] == row]
                raise self.table.error(row, None, ", ".join(line),
                                       "可见的行：此行被隐藏；请取消隐藏或删除后再导入 "
                                       "(a visible row: this row is hidden — unhide or delete it, so that what is "
                                       "imported is what you see)")
            if row > 1 and any(low <= column <= high for low, high in self.hidden_columns):
                raise self.table.error(row, column, self.cells[(row, column)],
                                       "可见的列：此列被隐藏；请取消隐藏或删除后再导入 "
                                       "(a visible column: this column is hidden — unhide or delete it)")

    def _merge(self) -> None:
        covered = 0
        for top, left, bottom, right in self.merged:
            value = self.cells.get((top, left), "")
            if not value:
                continue
            if bottom > MAX_ROWS or right >= MAX_COLUMNS:
                ref = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}"
                raise self.table.error(top, left, f"{ref}: {value}",
                                       f"合并区域在 {MAX_ROWS} 行、{MAX_COLUMNS} 列以内 "
                                       f"(a merged range within {MAX_ROWS} rows and {MAX_COLUMNS} columns)")
            covered += (bottom - top + 1) * (right - left + 1)
            if bottom > top or right > left:
                self.merged_values.append((top, left, bottom, right, value))
            if covered > MAX_ROWS * MAX_COLUMNS:   # merged ranges never overlap in Excel
                raise self.table.error(top, left, f"{column_letter(left)}{top}:{column_letter(right)}{bottom}",
                                       f"合并区域共覆盖至多 {MAX_ROWS * MAX_COLUMNS} 个单元格 "
                                       f"(merged ranges covering at most {MAX_ROWS * MAX_COLUMNS} cells in all)")
            for row in range(top, bottom + 1):
                for column in range(left, right + 1):
                    self.cells[(row, column)] = value
