"""The one place where files are written and where user text meets a file name or a spreadsheet.

- :func:`write_atomically` / :func:`write_text_atomically` — a temporary file in the same folder,
  flushed, then :func:`os.replace`: a reader sees the old file or the new one, never half of one;
  the new file gets the permissions of an ordinary file (``0666`` minus the umask), so that a
  server running as another user can read what a review wrote.
- :func:`safe_name` — text that is to become part of a file or folder name is accepted only if it
  is a plain name (no separators, no ``..``, no control characters); anything else is refused
  with a clear error, never "cleaned" into a path.
- :func:`spreadsheet_text` — text written into a workbook or a CSV meant for Excel cannot start a
  formula (``= + - @``, tab, carriage return): it is prefixed with an apostrophe-like quote.

>>> safe_name("某省")
'某省'
>>> safe_name("x/../../victim")
Traceback (most recent call last):
...
plananalysis.errors.ParameterError: 名称 'x/../../victim' 不能用作文件名：只能含文字、数字、- 和 _ (a name used in a file name may hold only letters, digits, - and _)
>>> spreadsheet_text("=cmd|' /C calc'!A0")
"'=cmd|' /C calc'!A0"
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
from pathlib import Path

from .errors import ParameterError

__all__ = ["write_atomically", "write_text_atomically", "safe_name", "spreadsheet_text", "FORMULA_STARTS"]

#: first characters that make Excel, LibreOffice or WPS read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NAME = re.compile(r"[\w\-\u3400-\u9fff（）()·]+")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and :func:`os.replace`.

    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = write_atomically(Path(tmp.name) / "new" / "user.csv", "年份\\n2023\\n".encode("utf-8"))
    >>> path.read_text(encoding="utf-8"), [p.name for p in path.parent.iterdir()]  # no temporary left
    ('年份\\n2023\\n', ['user.csv'])
    >>> oct(path.stat().st_mode & 0o444)   # readable by others (not mkstemp's 0600)
    '0o444'
    >>> tmp.cleanup()
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _reclaim_temporaries(path)
    # the writer's pid in the name: a temporary left by a killed writer is removed by the next write
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


def _reclaim_temporaries(path: Path) -> None:
    """Remove the temporaries of ``path`` left by writers that were killed (``kill -9``) mid-write.

    >>> tmp = tempfile.TemporaryDirectory()
    >>> stale = Path(tmp.name) / ".user.csv.999999999.abc.tmp"
    >>> _ = stale.write_bytes(b"half")
    >>> _ = write_atomically(Path(tmp.name) / "user.csv", b"whole")
    >>> sorted(p.name for p in Path(tmp.name).iterdir())
    ['user.csv']
    >>> tmp.cleanup()
    """
    prefix = f".{path.name}."
    for sibling in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = sibling.name[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            try:
                sibling.unlink()
            except OSError:
                pass


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**22  # another user's process; an impossible pid is not running
    return True


def write_text_atomically(path, text: str, encoding: str = "utf-8") -> Path:
    """:func:`write_atomically` for text.

    >>> tmp = tempfile.TemporaryDirectory()
    >>> write_text_atomically(Path(tmp.name) / "index.html", "<p>总览</p>").read_text(encoding="utf-8")
    '<p>总览</p>'
    >>> tmp.cleanup()
    """
    return write_atomically(path, text.encode(encoding))


def safe_name(text, what: str = "名称") -> str:
    """``text`` if it can be used as one part of a file name as it is; else a clear error.

    Letters (Chinese included), digits, ``-``, ``_``, ``·`` and brackets are allowed; a path
    separator, ``..``, a leading dot, spaces and control characters are not.

    >>> safe_name("2025-eurostat-en"), safe_name("某市")
    ('2025-eurostat-en', '某市')
    >>> safe_name(".hidden")
    Traceback (most recent call last):
    ...
    plananalysis.errors.ParameterError: 名称 '.hidden' 不能用作文件名：只能含文字、数字、- 和 _ (a name used in a file name may hold only letters, digits, - and _)
    """
    value = "" if text is None else str(text)
    if not value or len(value) > 80 or value.startswith((".", "-")) or not _PLAIN_NAME.fullmatch(value):
        raise ParameterError(f"{what} {value!r} 不能用作文件名：只能含文字、数字、- 和 _ "
                             f"(a name used in a file name may hold only letters, digits, - and _)")
    return value


def spreadsheet_text(value):
    """A value as it may be written into a spreadsheet cell or an Excel-bound CSV.

    Numbers, dates and ``None`` pass unchanged; text that a spreadsheet would read as a formula
    gets a leading ``'`` (shown as text, never run).

    >>> spreadsheet_text("@SUM(A1)"), spreadsheet_text("-0.7"), spreadsheet_text(-0.7), spreadsheet_text("74.2")
    ("'@SUM(A1)", "'-0.7", -0.7, '74.2')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
