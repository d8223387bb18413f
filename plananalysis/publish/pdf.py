"""One PDF of the whole review, for printing: the front page, the overview, every chapter, the
retrospective and the data audit, on A4, in the pages' own print layout.

The review's pages already carry print styles (A4, a page break before each report, table headers
repeated, no navigation: :mod:`plananalysis.present.page`).  :func:`print_html` puts every page's
body into one document (its SVG ids made unique, the links and CSV buttons left out) with a page
header (the review's title) and a footer (page N of M, the date), and a headless Chromium prints it
(:class:`Printer`, driven by Playwright): Chromium lays out CJK text with the system's fonts (Noto
CJK, installed by ``make fonts``), keeps the charts as vectors and the text searchable, and writes
a PDF outline from the headings.  The browser is started in the background when the review starts,
so only the printing itself (a second or two) follows the last notebook.

>>> html = print_html([("index", "<body><h1>总览</h1></body>")], title="规划 中期评估", lang="zh", today="2026-01-01")
>>> '<article class="pa-report" id="r0-index">' in html, "@bottom-right" in html, 'lang="zh-CN"' in html
(True, True, True)
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from ..files import write_atomically

__all__ = ["renderer", "print_html", "review_pages", "Printer", "write_pdf", "PRINT_CSS", "css_string"]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions"]
#: The prefix of the browser's private temporary folder (:func:`plananalysis.run.processes.private_tmp`).
_BROWSER_TMP = "plananalysis-browser-"
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_NAV = re.compile(r'<nav class="pa-nav">.*?</nav>', re.S)
# the sources paragraph every report page ends with (ReviewContext.sources_footer): printed once,
# at the end of the PDF, not on every page (where it alone could fill a near-blank page)
_SOURCES = re.compile(r"<hr\s*/?>\s*(<p>(?:数据来源：规划文本|Sources: the plan(?:'|&#x27;|&#39;)s text).*?</p>)", re.S)
_IDS = re.compile(r'(\bid=")([^"]+)(")|(url\(#)([^)]+)(\))|((?:xlink:)?href="#)([^"]+)(")')

#: The narrowest the last column of a table (依据, the reason: the longest text) is printed, in
#: characters: narrower, its text ran to ten lines a row and ten rows filled a page.
REASON_WIDTH = 15

#: What the printed document adds to the pages' print styles (``{title}``, ``{date}`` … filled in):
#: a header's words kept whole (``th`` at least 3 characters wide), the small charts of the
#: indicator table smaller, the reason column at least
#: :data:`REASON_WIDTH` characters wide.
PRINT_CSS = """
@page{{size:A4;margin:17mm 13mm 16mm;
 @top-center{{content:"{title}";font-family:{font};font-size:8.5pt;color:#666}}
 @bottom-left{{content:"{date}";font-family:{font};font-size:8.5pt;color:#666}}
 @bottom-right{{content:"{page_before}" counter(page) "{page_middle}" counter(pages) "{page_after}";font-family:{font};font-size:8.5pt;color:#666}}}}
@page:first{{@top-center{{content:none}}}}
body{{max-width:none;padding:0;font-size:10.5pt}}
.pa-nav,.pa-data,.pa-links,h2:has(+ .pa-links),.pa-banner a{{display:none}}
.pa-output{{overflow:visible}}
table{{font-size:8.5pt;max-width:100%}}
td{{overflow-wrap:normal;word-break:normal}}
th{{min-width:3em}}
td,th{{padding:3px 4px}}
.pa-output td:last-child,.pa-output th:last-child{{min-width:{reason_width}em}}
.pa-chart svg{{max-width:100%;height:auto}}
.pa-scorecard td svg.pa-progress,.pa-scorecard td svg.pa-spark{{width:48pt;height:auto}}
.pa-scorecard .pa-badge{{font-size:8pt;padding:0 4px}}
"""


def renderer() -> str | None:
    """The Chromium that prints the PDF (Debian's ``chromium``, installed by ``make browser``), or
    ``None`` when there is none.

    >>> renderer() is None or Path(renderer()).name.startswith(("chromium", "google-chrome"))
    True
    """
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def inside_folder(url: str, folder: Path) -> bool:
    """Whether the printer may load ``url``: a ``file:`` URL of a file inside ``folder`` (links
    followed, so a link pointing out of it does not count); never the network, never another file.

    >>> folder = Path("/tmp/review")
    >>> inside_folder((folder / "index.html").as_uri(), folder), inside_folder("file:///etc/passwd", folder)
    (True, False)
    >>> inside_folder("file:///tmp/review/../../etc/hostname", folder), inside_folder("http://127.0.0.1:8/x", folder)
    (False, False)
    """
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    try:
        return Path(unquote(parts.path)).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, ValueError):
        return False


def _unique_ids(text: str, prefix: str) -> str:
    def swap(match):
        groups = match.groups()
        for k in (0, 3, 6):
            if groups[k]:
                return f"{groups[k]}{prefix}{groups[k + 1]}{groups[k + 2]}"
        return match.group()

    return _IDS.sub(swap, text)


#: The longest running header: a longer title is cut (with …) so that it stays one line of the margin.
HEADER_LIMIT = 120


def css_string(text: str, limit: int | None = None) -> str:
    """``text`` for the inside of a CSS string (``content:"…"``): every character but letters,
    digits and spaces written as a CSS escape (``\\00003c``), so that nothing in it can end the
    string, the rule or the ``<style>`` element; a line break and the characters that are not
    text as a space and U+FFFD (:func:`~plananalysis.present.text.clean_text`); cut at
    ``limit`` characters with ``…``.

    >>> print(css_string('X</style><script>a("b")</script>'))
    X\\00003c\\00002fstyle\\00003e\\00003cscript\\00003ea\\000028\\000022b\\000022\\000029\\00003c\\00002fscript\\00003e
    >>> print(css_string("规划 评估"), css_string("一二三四", limit=3))
    规划 评估 一二\\002026
    """
    from ..present.text import clean_text

    text = clean_text(text)
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    return "".join(c if c == " " or c.isalnum() else f"\\{ord(c):06x}" for c in text)


def print_html(pages: list[tuple[str, str]], *, title: str, lang: str = "zh", today: str | None = None) -> str:
    """One HTML document of several report pages, ``[(name, page html), …]``, in order: each
    page's body in its own ``<article>`` (a new printed page), ids made unique, navigation left
    out, a header with ``title`` and a footer with the page number and the date on every page.

    >>> html = print_html([("a", '<body><svg><g id="s1-c"/><use href="#s1-c"/></svg></body>'),
    ...                    ("b", '<body><svg><g id="s1-c"/></svg></body>')], title="T", lang="en")
    >>> html.count('id="r0-s1-c"'), html.count('href="#r0-s1-c"'), html.count('id="r1-s1-c"'), "Page " in html
    (1, 1, 1, True)

    The sources paragraph that ends every page is printed once, at the end:

    >>> footer = "<hr />" + chr(10) + "<p>Sources: the plan's text, T; 3 observed values.</p>"
    >>> html = print_html([("a", f"<body><p>A</p>{footer}</body>"), ("b", f"<body><p>B</p>{footer}</body>")], title="T")
    >>> html.count("Sources: the plan"), html.index("<p>B</p>") < html.index("Sources: the plan")
    (1, True)
    """
    from ..present.page import FONT_STACK, page_shell

    day = today or date.today().isoformat()
    parts, sources = [], []
    for i, (name, text) in enumerate(pages):
        match = _BODY.search(text)
        body = _NAV.sub("", match.group(1) if match else text).strip()
        body = _SOURCES.sub(lambda m: sources.append(m.group(1)) or "", body)
        body = _unique_ids(body, f"r{i}-")
        if body.startswith('<article class="pa-report"'):
            body = re.sub(r'^<article class="pa-report"( id="[^"]*")?', f'<article class="pa-report" id="r{i}-{name}"', body, count=1)
        else:
            body = f'<article class="pa-report" id="r{i}-{name}">{body}</article>'
        parts.append(body)
    if sources:
        parts.append(f'<section class="pa-sources">{sources[-1]}</section>')
    zh = lang == "zh"
    css = PRINT_CSS.format(title=css_string(title, HEADER_LIMIT), font=FONT_STACK, reason_width=REASON_WIDTH,
                           date=css_string(f"生成日期：{day}" if zh else f"Generated {day}"),
                           page_before="第 " if zh else "Page ", page_middle=" 页，共 " if zh else " of ",
                           page_after=" 页" if zh else "")
    return page_shell(title, "\n".join(parts), lang, extra_css=css)


def review_pages(folder: Path, names: list[str]) -> list[tuple[str, str]]:
    """The pages of a review's folder to print, in order: ``index`` then ``names`` (those present).

    >>> import tempfile
    >>> review_pages(Path(tempfile.mkdtemp()), ["overview"])
    []
    """
    out = []
    for name in ["index", *names]:
        path = Path(folder) / f"{name}.html"
        if path.exists():
            out.append((name, path.read_text(encoding="utf-8")))
    return out


_DRIVER_TMP = threading.local()  # the folder the Playwright driver started in this thread writes to


def _driver_env_hook() -> bool:
    """Make Playwright start its driver with ``TMPDIR`` set to the folder of the thread that starts
    it (:func:`_driver_temporaries_in`), once per process; whether the hook is in place.

    The driver (Node) makes its own temporary folders for every browser it launches
    (``playwright-artifacts-*``, the browser profile ``playwright_chromiumdev_profile-*``) and
    removes them when the browser closes; killed before that (a review stopped while it prints),
    they were left in the system's temporary folder.  Playwright builds the driver's environment
    from ``os.environ`` (``playwright._impl.transport.get_driver_env``, a private name): changing
    ``os.environ`` itself would reach every process started meanwhile, so the hook wraps that
    function instead.  ``tests/test_print.py`` fails, named, if an upgrade moves it."""
    try:
        from playwright._impl import transport
    except ImportError:  # pragma: no cover - Playwright is a dependency
        return False
    current = getattr(transport, "get_driver_env", None)
    if current is None:
        return False
    if getattr(current, "_plananalysis", False):
        return True

    def get_driver_env() -> dict:
        env = current()
        folder = getattr(_DRIVER_TMP, "folder", None)
        if folder is not None:
            env["TMPDIR"] = str(folder)
        return env

    get_driver_env._plananalysis = True
    transport.get_driver_env = get_driver_env
    return True


@contextlib.contextmanager
def _driver_temporaries_in(folder: Path):
    """Within the block, a Playwright driver started in this thread keeps its temporary folders
    in ``folder`` (removed with it by :meth:`Printer.close`, or by the next printer when the
    review was killed: :func:`~plananalysis.run.processes.reclaim_stale`)."""
    _driver_env_hook()
    _DRIVER_TMP.folder = folder
    try:
        yield
    finally:
        _DRIVER_TMP.folder = None


class DriverGone(logging.Filter):
    """Drops asyncio's "Future exception was never retrieved" about Playwright's connection to its
    driver closing: Ctrl-C reaches the whole process group, the driver (Node) too, which ends
    before the printer is stopped.  Nothing is lost (the command is stopping, and a print that
    fails says so itself); the user would see four lines of asyncio's internals after the
    command's own last line.  Every other record passes.

    >>> gone = logging.LogRecord("asyncio", logging.ERROR, "", 0, "Future exception was never retrieved "
    ...     "future: <Future finished exception=Exception('Connection closed while reading from the driver')>", None, None)
    >>> other = logging.LogRecord("asyncio", logging.ERROR, "", 0, "Future exception was never retrieved", None, None)
    >>> DriverGone().filter(gone), DriverGone().filter(other)
    (False, True)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("Future exception was never retrieved" in message and "reading from the driver" in message)


def _quiet_driver_end() -> None:
    """Install :class:`DriverGone` on asyncio's logger, once per process."""
    logger = logging.getLogger("asyncio")
    if not any(isinstance(f, DriverGone) for f in logger.filters):
        logger.addFilter(DriverGone())


class Printer:
    """A headless Chromium, started in a thread of its own, that prints HTML files to PDF.

    ``Printer()`` returns at once (the browser starts in the background); :meth:`print` waits for
    it; :meth:`close` stops it.  ``executable``: the Chromium to use (default :func:`renderer`);
    ``priority``: a niceness for the browser (Linux), so that starting it takes idle cores only.

    >>> printer = Printer(executable="/nonexistent/chromium")
    >>> printer.print(Path("a.html"), Path("a.pdf"))
    Traceback (most recent call last):
    ...
    RuntimeError: PDF: Chromium could not be started (/nonexistent/chromium)
    >>> printer.close()
    """

    def __init__(self, executable: str | None = None, *, priority: int = 0):
        self.executable = executable or renderer()
        self.priority = priority
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plananalysis-pdf")
        self._playwright = self._browser = self._tmp = None
        self._started = self._pool.submit(self._start)

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        if self.priority:  # the browser's processes inherit the thread's niceness (Linux)
            import threading

            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.priority)
            except (AttributeError, OSError):
                pass
        from ..run.processes import private_tmp, reclaim_stale

        # Chromium's own temporary files go to a folder of this process: removed by close(), or,
        # when the review was killed and could not, by the next Printer
        reclaim_stale(_BROWSER_TMP)
        self._tmp = private_tmp(_BROWSER_TMP)
        _quiet_driver_end()
        with _driver_temporaries_in(self._tmp):
            self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=self.executable, args=CHROMIUM_ARGS,
                                                             env={**os.environ, "TMPDIR": str(self._tmp)})
        except Exception:
            self._playwright.stop()
            self._playwright = None
            raise

    def _print(self, source: Path, target: Path) -> Path:
        source = Path(source).resolve()
        folder = source.parent
        # JavaScript off, no network, nothing outside the report's folder: a page that tries to
        # reach a local file or a server gets nothing (its requests are aborted)
        context = self._browser.new_context(java_script_enabled=False, service_workers="block",
                                            accept_downloads=False)
        try:
            context.route("**/*", lambda route: route.continue_() if inside_folder(route.request.url, folder)
                          else route.abort("blockedbyclient"))
            page = context.new_page()
            page.goto(source.as_uri(), wait_until="load")
            data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True, outline=True)
        finally:
            context.close()
        return write_atomically(target, data)

    def print(self, source: Path, target: Path, timeout: float = 300) -> Path:
        """Print the HTML file ``source`` to the PDF ``target`` (written atomically)."""
        try:
            self._started.result(timeout=timeout)
        except Exception as exc:
            raise RuntimeError(f"PDF: Chromium could not be started ({self.executable})") from exc
        return self._pool.submit(self._print, source, target).result(timeout=timeout)

    def _stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def close(self) -> None:
        """Stop the browser (waiting for it to have started)."""
        try:
            self._started.result(timeout=120)
        except Exception:  # noqa: BLE001 — nothing was started
            pass
        try:
            self._pool.submit(self._stop).result(timeout=60)
        finally:
            self._pool.shutdown(wait=False)


def write_pdf(target: Path, folder: Path, names: list[str], params, printer: Printer,
              today: date | None = None, title: str | None = None) -> Path:
    """Print the review in ``folder`` (its ``index.html`` and the pages ``names``, in order) to
    ``target`` with ``printer``; ``title``: the review's title for the running header, when the
    caller has it (:func:`~plananalysis.present.frontpage.front_title`; computed otherwise).

    ``write_pdf(folder / review_file_name(params, ".pdf"), folder, [job.name for job in jobs], params,
    Printer())`` is what the review runs once its pages are written (a second or two).

    >>> import tempfile
    >>> from plananalysis.params import validate
    >>> write_pdf(Path(tempfile.mkdtemp()) / "r.pdf", Path(tempfile.mkdtemp()), [], validate(as_of=2023), None)
    Traceback (most recent call last):
    ...
    FileNotFoundError: no page to print in the review's folder
    """
    pages = review_pages(folder, names)
    if not pages:
        raise FileNotFoundError("no page to print in the review's folder")
    if title is None:
        from ..context import review_context
        from ..present.frontpage import front_title

        # the review's title from the review itself, never read back out of a page's markup
        title = front_title(review_context(params))
    html = print_html(pages, title=title, lang=params.lang,
                      today=(today or date.today()).isoformat())
    source = Path(folder) / ".print.html"
    source.write_text(html, encoding="utf-8")
    try:
        return printer.print(source, Path(target))
    finally:
        source.unlink(missing_ok=True)
