"""What a review builds beside its notebooks: the front page written ahead, the workbook, the
Word document and the brief (a niced process per review, :class:`DocumentsProcess`), and the
review's PDF (:func:`print_review`, by the browser started when the review starts).

The documents process is forked, so that it starts with what the command has loaded (the plan,
the review's context), unless the command has used the chart converter already
(:func:`fork_is_safe`); it takes the cores the notebooks leave idle (:data:`BACKGROUND_NICE`)
until every page is written (:func:`hurry_background`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..params import ReviewParameters
from ..paths import SHARED_CONTEXTS
from .folders import review_file_name
from .workers import quiet_stops, short_error

if TYPE_CHECKING:
    from .review import _ReviewRun

__all__ = ["DocumentsProcess", "fork_is_safe", "document_links", "print_review", "print_review_now", "in_background",
           "hurry_background", "BACKGROUND_NICE"]


#: The niceness of the work a review does beside its notebooks (workbook, document, browser): it
#: takes the cores the notebooks leave idle rather than slowing them down.
BACKGROUND_NICE = 10


def in_background(function, *args, low_priority: bool = False):
    """Run ``function(*args)`` in a thread (``low_priority``: niced, on Linux); ``.result()``
    waits and re-raises its error.

    >>> in_background(sum, [1, 2, 3]).result()
    6
    """
    from concurrent.futures import ThreadPoolExecutor

    def run():
        if low_priority:
            _lower_priority(BACKGROUND_NICE)
        return function(*args)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plananalysis-review")
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future


def _lower_priority(nice: int) -> None:
    """Lower the calling thread's priority (Linux: a thread has its own niceness); elsewhere nothing."""
    import threading

    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):
        pass


def hurry_background(nice: int = BACKGROUND_NICE) -> int:
    """Give the review's background work (the documents process, the printing browser: every
    thread of this process's descendants running at ``nice``) the normal priority again; return
    how many threads were changed.  Called when the last page is written: what is left of that
    work (the PDF, the document's last charts) is then what the review waits for, and at a low
    priority on a machine busy with other work it waited for a core.  Raising a priority needs
    the right to (root, or ``RLIMIT_NICE``); without it the work stays niced and nothing fails.

    >>> hurry_background(nice=19) >= 0
    True
    """
    from .processes import descendants

    changed = 0
    for pid in descendants(os.getpid()):
        try:
            threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            continue
        for tid in threads:
            try:
                if os.getpriority(os.PRIO_PROCESS, tid) == nice:
                    os.setpriority(os.PRIO_PROCESS, tid, 0)
                    changed += 1
            except OSError:  # gone, or not allowed to raise a priority: it stays as it was
                pass
    return changed


def _build_documents(folder: Path, params, jobs: list, pdf: bool, pages, replies, go=None, contexts: str = "") -> None:
    """In the documents process, once ``go`` is released (:meth:`DocumentsProcess.start`, when the
    first page is written: the workers' cold start, imports and chart engine, goes first; measured
    10.8 → 10.35 s, median of 7 cold reviews each): the front page as it is when every notebook succeeds (``("index", ok)`` on
    ``replies``: the PDF, which begins with it, can be printed as soon as the last page is
    written), the workbook, the Word document but its chart images, then each chapter's charts
    as its number arrives on ``pages`` (``None``: every page is written; the document is saved),
    then ``("done", draft_ok, [failures])``.  A workbook or document that fails fails the review
    (:func:`_finish_review` then writes the front page again, with the failure).  With a few pages
    to run, ``go`` is released at once (:data:`FEW_PAGES`).

    It stops as the workers do (:func:`quiet_stops`): Ctrl-C is the command's to handle, SIGTERM
    and SIGHUP end it without a word, and it exits when the command is killed."""
    import gc

    quiet_stops()
    _lower_priority(BACKGROUND_NICE)
    gc.freeze()   # what the command had loaded lives as long as this process: no collection walks it
    if contexts:   # the review's context, built by the command (share_context)
        os.environ[SHARED_CONTEXTS] = contexts
    failures, draft, index, title = [], None, False, None
    try:
        from ..context import review_context
        from ..publish.document import draft_document
        from ..publish.export import write_index, write_scorecard_xlsx

        if go is not None:   # the workers' first notebooks (imports, chart engine) go first
            go.acquire(timeout=600)
        try:
            write_index(folder, jobs, {}, params, documents=document_links(params, True, pdf))
            index = True
            from ..present.frontpage import front_title

            title = front_title(review_context(params))   # the PDF's header, from the review itself
        except Exception:  # noqa: BLE001 — written again at the end, where its error is reported
            pass
    finally:
        replies.put(("index", index, title))
    gc.freeze()   # and so do the review's context and the one it is compared with, loaded for the front page
    for name in ("brief.docx", "scorecard.xlsx", review_file_name(params)):
        try:
            if name == "scorecard.xlsx":
                write_scorecard_xlsx(folder / name, params)
            elif name == "brief.docx":   # the one-page brief (and its page, printed to brief.pdf)
                from ..publish.brief import write_brief

                write_brief(folder, params)
            else:
                draft = draft_document(review_context(params))
        except Exception as exc:  # noqa: BLE001 — reported as this review's failure, never a traceback
            failures.append({"name": name, "ok": False, "error": short_error(exc), "seconds": 0})
    while True:
        number = pages.get()
        if number is None:
            break
        if draft is not None:
            try:
                draft.add_charts(number, folder)
            except Exception:  # noqa: BLE001 — finish() draws them again from the review
                pass
    if draft is not None:
        try:
            draft.finish(folder / review_file_name(params), folder)
        except Exception as exc:  # noqa: BLE001
            failures.append({"name": review_file_name(params), "ok": False, "error": short_error(exc), "seconds": 0})
            draft = None
    replies.put(("done", draft is not None, failures))


def fork_is_safe() -> bool:
    """Whether a forked child may draw charts: not once this process has loaded vl-convert, whose
    native thread pool does not survive a fork (the child waits forever on a lock held by a
    thread that the fork left behind — seen when a notebook or a test session that drew charts
    runs a review).  The command line never draws in the dispatching process, so it forks.

    >>> import subprocess, sys
    >>> subprocess.run([sys.executable, "-c", "import plananalysis.run.review; from plananalysis.run.documents import fork_is_safe; print(fork_is_safe())"],
    ...                capture_output=True, text=True).stdout.strip()
    'True'
    """
    return "vl_convert" not in sys.modules


class DocumentsProcess:
    """The process that builds one review's workbook, Word document and front page (see
    :func:`_build_documents`): forked, so that it starts with what this process has loaded, unless
    this process has used the chart converter already (:func:`fork_is_safe`), then spawned.

    ``DocumentsProcess(run, pdf)`` starts it for a review being run (:func:`~plananalysis.run.review.run_reviews`);
    whether it will be forked:

    >>> fork_is_safe() in (True, False)
    True
    """

    def __init__(self, run: _ReviewRun, pdf: bool, contexts: str = ""):
        import multiprocessing

        context = multiprocessing.get_context("fork" if fork_is_safe() else "spawn")
        # ``go`` is a semaphore, not an Event: setting an Event waits for the processes waiting on
        # it to wake (its condition's handshake), forever if one of them has died meanwhile (the
        # command stopped, its documents process ended: seen in the suite, the command hung)
        self.pages, self.replies, self.go = context.Queue(), context.Queue(), context.Semaphore(0)
        self._going = False
        self.process = context.Process(target=_build_documents, daemon=True, name="plananalysis-documents",
                                       args=(run.tmp, run.params, run.all_jobs, pdf, self.pages, self.replies, self.go,
                                             contexts))
        self.process.start()
        self.stopped = False
        self._index = None
        self.title = None  # the review's title, as the front page written ahead has it
        for job in run.all_jobs:  # pages kept from the previous run are there already
            if job not in run.todo and job.parameters.get("chapter") is not None:
                self.pages.put(int(job.parameters["chapter"]))

    def page_written(self, number: int) -> None:
        self.pages.put(number)

    def start(self) -> None:
        """Let the process start on the documents (once; never waits for it)."""
        if not self._going:
            self._going = True
            self.go.release()

    def _reply(self, kind: str, timeout: float = 600):
        import queue

        from .processes import raise_if_stopped

        waited, ended = 0.0, False
        while waited < timeout:
            raise_if_stopped()   # a stop that a finalizer swallowed (the process has been ended)
            try:
                # once the process has ended, what it sent before it ended is in the pipe: read
                # it (the reply may have come between the last wait and the look at the process)
                message = self.replies.get(timeout=0.2 if ended else 1)
            except queue.Empty:
                if ended:
                    return None
                waited += 1
                ended = not self.process.is_alive()
                continue
            if message[0] == kind:
                return message
        return None

    def index_written(self) -> bool:
        """Whether the front page was written ahead (waits for the draft; asked once, remembered)."""
        if self._index is None:
            message = self._reply("index")
            self._index = bool(message and message[1])
            self.title = message[2] if message else None
        return self._index

    def finish(self) -> tuple[bool, list]:
        """Every page written: the document is completed and saved; ``(document written, failures)``."""
        self.pages.put(None)
        message = self._reply("done")
        self.stop()
        if message is None:
            return False, [{"name": "documents", "ok": False, "error": "the documents process ended early", "seconds": 0}]
        return bool(message[1]), list(message[2])

    def stop(self, wait: bool = True) -> None:
        """End the process: when it has finished (``wait``), or at once."""
        if self.stopped:
            return
        self.stopped = True
        self.pages.put(None)
        self.process.join(timeout=5 if wait else 0)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)


def document_links(params: ReviewParameters, docx: bool, pdf: bool) -> list[tuple[str, str]]:
    """The front page's links to the review's Word document and PDF: ``(file name, title)``.

    >>> from plananalysis.params import validate
    >>> params = validate(as_of=2023)
    >>> [name.replace(params.plan_id, "<plan>") for name, _ in document_links(params, True, True)]
    ['<plan>-2023-review.docx', '<plan>-2023-review.pdf', 'brief.pdf']
    >>> document_links(params, False, False)
    []
    """
    en = params.lang == "en"
    links = [(review_file_name(params), "The review (Word)" if en else "评估报告（Word）")] if docx else []
    if pdf:
        links.append((review_file_name(params, ".pdf"), "The review (PDF, for printing)" if en else "评估报告（PDF，供打印）"))
    if docx:   # the one-page brief (一页纸)
        links.append(("brief.pdf" if pdf else "brief.docx", "The review in brief (one page)" if en else "一页纸要点"))
    return links


def print_review_now(run: _ReviewRun, printer) -> dict:
    """Print the review's PDF (its front page written); its result, as a notebook's is reported:
    a PDF that cannot be printed fails the review with the reason, never a traceback.

    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> from plananalysis.params import validate
    >>> run = SimpleNamespace(params=validate(as_of=2023), tmp=Path(tempfile.mkdtemp()), all_jobs=[], documents=None)
    >>> result = print_review_now(run, printer=None)      # an empty folder: nothing to print
    >>> result["ok"], result["error"]
    (False, "FileNotFoundError: no page to print in the review's folder")
    """
    from ..publish.pdf import write_pdf

    pdf = review_file_name(run.params, ".pdf")
    started = time.perf_counter()
    try:
        title = run.documents.title if run.documents is not None else None
        write_pdf(run.tmp / pdf, run.tmp, [j.name for j in run.all_jobs], run.params, printer, title=title)
    except Exception as exc:  # noqa: BLE001 — the review fails with the reason, never a traceback
        return {"name": pdf, "ok": False, "error": short_error(exc), "seconds": 0}
    return {"name": pdf, "ok": True, "error": None, "seconds": round(time.perf_counter() - started, 2)}


def print_review(run: _ReviewRun, printer) -> dict | None:
    """Print the review's PDF once its front page is there (written ahead by the documents
    process); the PDF's result, or ``None`` when the front page is still to be written.

    >>> from types import SimpleNamespace
    >>> print_review(SimpleNamespace(documents=None), printer=None) is None    # no documents process
    True
    """
    if run.documents is None or not run.documents.index_written():
        return None
    return print_review_now(run, printer)

