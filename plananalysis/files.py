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
- :func:`read_text`, :func:`load_yaml`, :func:`inside` — the one way a file from a stranger (a plan
  folder) is read: a regular file inside its folder, its size checked before a byte is read,
  UTF-8 or a clear error; YAML through one safe loader with limits on aliases, depth and size.
- :func:`text_problem` — control and bidirectional characters, and overlong text, refused by name.

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
import stat
import tempfile
from pathlib import Path

from .errors import ParameterError, PlanDataError

__all__ = ["write_atomically", "write_text_atomically", "safe_name", "spreadsheet_text", "FORMULA_STARTS",
           "read_text", "load_yaml", "inside", "text_problem", "MAX_FILE_BYTES", "MAX_YAML_BYTES",
           "MAX_YAML_DEPTH", "MAX_YAML_NODES", "MAX_CELL_CHARACTERS", "MAX_NAME_CHARACTERS"]

# Limits of what a plan folder may hold, far above any real plan (docs/new-plan.md, "Limits"):
# the largest file of the shipped plans is 95 KB (source.txt), the largest YAML file 20 KB, the
# deepest YAML nesting 4, the longest cell 541 characters, the longest title 60.
MAX_FILE_BYTES = 20_000_000      #: any one file of a plan folder
MAX_YAML_BYTES = 1_000_000       #: plan.yml, sources.yml, checks.yml
MAX_YAML_DEPTH = 50              #: nested lists and mappings
MAX_YAML_NODES = 100_000         #: values once every alias is expanded (an alias bomb has billions)
MAX_CELL_CHARACTERS = 10_000     #: one cell of a CSV file, one text of a YAML file
MAX_NAME_CHARACTERS = 500        #: a title, a name, a region: one line

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


# ---------------------------------------------------------------- reading what strangers send

#: C0/C1 control characters (tab and line breaks aside), bidirectional controls (U+202E turns
#: text around), line/paragraph separators and a byte-order mark inside text
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                      "\u2066-\u2069\N{LINE SEPARATOR}\N{PARAGRAPH SEPARATOR}\ufeff]")
_LINE_BREAK = re.compile("[\t\n\r]")


def text_problem(text: str, *, one_line: bool = False, limit: int = MAX_CELL_CHARACTERS) -> str | None:
    r"""What is wrong with ``text`` as text from a stranger (``None``: nothing).

    >>> text_problem("某市"), text_problem("a\nb"), text_problem("a\nb", one_line=True) is not None
    (None, None, True)
    >>> text_problem("\u202e某市")
    '不含控制字符或双向控制字符的文本，此处有 U+202E (text without control or bidirectional characters: U+202E found)'
    >>> text_problem("x" * 11, limit=10)
    '不超过 10 个字符的文本 (text of at most 10 characters: 11 found)'
    """
    if len(text) > limit:
        return f"不超过 {limit} 个字符的文本 (text of at most {limit} characters: {len(text)} found)"
    m = _CONTROL.search(text) or (_LINE_BREAK.search(text) if one_line else None)
    if m:
        code = f"U+{ord(m.group()):04X}"
        return (f"不含控制字符或双向控制字符的{'一行' if one_line else ''}文本，此处有 {code} "
                f"(text without control or bidirectional characters{' on one line' if one_line else ''}: {code} found)")
    return None


def inside(folder, name, *, declared_in=None, key=None) -> Path:
    """``folder / name`` when ``name`` is a relative path that stays inside ``folder`` (after
    following symbolic links); else a :class:`~plananalysis.errors.PlanDataError` naming the file
    that declared it (``declared_in``) and the key.

    >>> tmp = tempfile.TemporaryDirectory()
    >>> inside(tmp.name, "chapters.csv").name
    'chapters.csv'
    >>> inside(tmp.name, "/etc/passwd", declared_in="plan.yml", key="tables.chapters")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 plan.yml 列 tables.chapters: 值 '/etc/passwd' 不符合要求，应为 规划文件夹内的文件...
    >>> os.symlink("/etc/hostname", Path(tmp.name) / "link.csv")
    >>> inside(tmp.name, "link.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ...link.csv: 值 'link.csv' 不符合要求，应为 规划文件夹内的文件...
    >>> tmp.cleanup()
    """
    folder = Path(folder)
    text = "" if name is None else str(name)
    path = Path(text)
    expected = ("规划文件夹内的文件：相对路径，不含 ..，不指向文件夹外 (a file inside the plan's folder: a relative "
                "path without .., not a link leading outside)")
    where = declared_in if declared_in is not None else folder / text
    if (not text or len(text) > 255 or text_problem(text, one_line=True) or path.is_absolute()
            or ".." in path.parts):
        raise PlanDataError(where, None, key, text, expected)
    full = folder / path
    try:
        full.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        raise PlanDataError(where, None, key, text, expected) from None
    return full


def read_text(path, *, limit: int = MAX_FILE_BYTES) -> str:
    r"""The UTF-8 text of a regular file of at most ``limit`` bytes, its size checked before it is
    read; anything else is a :class:`~plananalysis.errors.PlanDataError` naming the file.

    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "plan.yml"
    >>> _ = path.write_bytes("title_zh: 某市规划".encode("gbk"))
    >>> read_text(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ...plan.yml 第1行: 值 b'\xca\xd0' 不符合要求，应为 UTF-8 编码的文本...
    >>> _ = path.write_bytes(b"x" * 11)
    >>> read_text(path, limit=10)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ...: 值 '11 字节 (bytes)' 不符合要求，应为 不超过 10 字节的文件 ...
    >>> tmp.cleanup()
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise PlanDataError(path, None, None, "", "该文件存在 (the file to exist)") from None
    except OSError as exc:
        raise PlanDataError(path, None, None, exc.strerror or str(exc), "一个可读的文件 (a readable file)") from None
    if not stat.S_ISREG(info.st_mode):
        raise PlanDataError(path, None, None, "", "一个普通文件，而非文件夹、管道或设备 (a regular file, not a folder, pipe or device)")
    too_big = PlanDataError(path, None, None, f"{info.st_size} 字节 (bytes)",
                            f"不超过 {limit} 字节的文件 (a file of at most {limit} bytes)")
    if info.st_size > limit:
        raise too_big
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise PlanDataError(path, None, None, exc.strerror or str(exc), "一个可读的文件 (a readable file)") from None
    if len(data) > limit:  # it grew since
        raise too_big
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):   # Excel's "Unicode text", Notepad's "Unicode"
        raise PlanDataError(path, 1, None, data[:2], "UTF-8 编码的文本（此文件为 UTF-16 编码：请另存为“CSV UTF-8”或 UTF-8）"
                                                     "(UTF-8 text: this file is UTF-16; save it as CSV UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise PlanDataError(path, line, None, data[exc.start:exc.start + 2],
                            "UTF-8 编码的文本（此文件似为其他编码，如 GBK：请另存为 UTF-8）"
                            "(UTF-8 text: this file seems to be in another encoding, such as GBK; save it as UTF-8)") from None


def load_yaml(path, *, limit: int = MAX_YAML_BYTES):
    r"""A YAML file read by :func:`read_text` and parsed by the one safe loader: no Python tags,
    no key given twice in a mapping, at most :data:`MAX_YAML_DEPTH` levels and
    :data:`MAX_YAML_NODES` values with every alias expanded (a "billion laughs" file is refused
    at once), anything else a :class:`~plananalysis.errors.PlanDataError` naming the file and line.

    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "sources.yml"
    >>> _ = path.write_text("a: &a {x: 1}\nb: {<<: *a, y: 2}\n", encoding="utf-8")
    >>> load_yaml(path)
    {'a': {'x': 1}, 'b': {'x': 1, 'y': 2}}
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    ...     f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    >>> _ = path.write_text(bomb, encoding="utf-8")
    >>> load_yaml(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ...sources.yml 第5行: ...应为 展开别名后不超过 100000 个值的 YAML...
    >>> _ = path.write_text("id: a\nid: b\n", encoding="utf-8")
    >>> load_yaml(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ...sources.yml 第2行 列 id: ...应为 每个键只出现一次...
    >>> tmp.cleanup()
    """
    import yaml

    text = read_text(path, limit=limit)
    try:
        return yaml.load(text, Loader=_safe_loader())  # noqa: S506 — the safe loader below, with limits
    except _YamlLimit as exc:
        raise PlanDataError(path, exc.problem_mark.line + 1, exc.key, exc.problem, exc.expected) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlanDataError(path, mark.line + 1 if mark else None, None, str(exc).split("\n")[0],
                            "有效的 YAML (valid YAML)") from None
    except RecursionError:
        raise PlanDataError(path, None, None, "", f"嵌套不超过 {MAX_YAML_DEPTH} 层的 YAML (YAML nested at most "
                                                  f"{MAX_YAML_DEPTH} levels deep)") from None


_LOADER = None


class _YamlLimit(Exception):
    def __init__(self, problem, mark, expected, key=None):
        super().__init__(problem)
        self.problem, self.problem_mark, self.expected, self.key = problem, mark, expected, key


def _safe_loader():
    """yaml.SafeLoader with the limits of :func:`load_yaml` (built once, on first use: no yaml
    import for commands that read none)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class Loader(yaml.SafeLoader):
        def __init__(self, stream):
            super().__init__(stream)
            self._depth = 0
            self._sizes = {}

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                anchored = self.anchors.get(event.anchor)
                if anchored is not None and id(anchored) not in self._sizes:
                    raise _YamlLimit(f"*{event.anchor}", event.start_mark,
                                     "不指向自身的别名 (an alias that does not contain itself)")
            self._depth += 1
            if self._depth > MAX_YAML_DEPTH:
                raise _YamlLimit(f"{self._depth} 层 (levels)", self.peek_event().start_mark,
                                 f"嵌套不超过 {MAX_YAML_DEPTH} 层的 YAML (YAML nested at most {MAX_YAML_DEPTH} levels deep)")
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            size = self._sizes.get(id(node))
            if size is None:
                if isinstance(node, yaml.SequenceNode):
                    size = 1 + sum(self._sizes.get(id(child), 1) for child in node.value)
                elif isinstance(node, yaml.MappingNode):
                    size = 1 + sum(self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1) for k, v in node.value)
                else:
                    size = 1
                self._sizes[id(node)] = size
            if size > MAX_YAML_NODES:
                raise _YamlLimit(f"{size}+ 个值 (values)", node.start_mark,
                                 f"展开别名后不超过 {MAX_YAML_NODES} 个值的 YAML (YAML of at most {MAX_YAML_NODES} "
                                 "values with its aliases expanded: an alias bomb is refused)")
            return node

        def compose_mapping_node(self, anchor):
            node = super().compose_mapping_node(anchor)
            seen = set()
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in seen:
                        raise _YamlLimit(key.value, key.start_mark, "每个键只出现一次 (each key given once)", key=key.value)
                    seen.add(key.value)
            return node

    _LOADER = Loader
    return Loader
