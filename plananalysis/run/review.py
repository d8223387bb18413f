"""The review runner: every report notebook through papermill, into ``reports/<plan>/<as_of>/``.

    plananalysis review [--plan ID|PATH|all] [--as-of YEAR] [--jobs N] [--force]
                        [--method …] [--lang zh|en] [--region …] [--only NAME …] [--explain [json]]

Without ``--as-of`` the reviews that are due are run (the mid-term once its year is over, the
final once the plan has ended); ``--plan all`` (or several ``--plan``) reviews every plan folder
in one run, all notebooks sharing one pool of workers.  ``reports/index.html`` lists every plan
and review present.

How it stays fast and safe:

- **Workers keep a warm kernel.**  Notebooks run in worker processes (papermill's ``cwd``
  is not thread-safe); each worker starts one kernel, warms it and reuses it for every notebook
  it runs, resetting the namespace in between, so pandas, Altair and the package are imported
  once per worker, not once per notebook; one worker starts while the command still decides
  what to run (:mod:`plananalysis.run.workers`).
- **The documents are built beside the notebooks.**  The workbook, the Word document, the brief
  and the front page in a niced process per review, the PDF by a browser started at once
  (:mod:`plananalysis.run.documents`); the folders and file names are
  :mod:`plananalysis.run.folders`'.
- **Unchanged work is skipped.**  Each notebook's inputs — its file, its parameters and what
  it reads: the plan rows of its chapter, their observed values up to ``as_of``, the method
  tables, the package's code (:mod:`plananalysis.run.manifest`) — are hashed into
  ``manifest.json``; a re-run with nothing changed returns at once, and only the notebooks whose
  inputs changed are executed (``--force`` re-runs all; ``--explain`` says which would, and why).
- **Nothing is lost.**  Everything is written to a temporary folder beside the report and
  replaces the previous report only when every notebook succeeded.  A failing notebook is
  reported at the top of its own HTML and in the index; that run is kept as
  ``reports/<plan>/<as_of>.failed/`` and the command exits non-zero, leaving the previous report
  intact, as does a bad parameter (checked before anything runs) or an interrupted run.
- **A partial run keeps the rest.**  ``--only chapter-09`` re-runs that notebook and keeps every
  other report of the previous run (or runs it, if there is none); an unknown name is refused.

These modules import only the standard library at the top, so the warm path is quick.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..params import ReviewParameters, validate
from ..paths import ROOT
from .manifest import MANIFEST, _read_manifest, explain_lines, job_digest, page_inputs, shared_inputs_digest
from .manifest import refresh as refresh_manifest
from .documents import (BACKGROUND_NICE, DocumentsProcess, document_links, hurry_background, in_background, print_review,
                        print_review_now)
from .folders import report_folder_name, review_file_name, review_folder
from .processes import raise_if_stopped
from .workers import EARLY_WORKERS, FEW_PAGES, Workers, execute_notebooks, short_error

__all__ = ["Job", "review_jobs", "run_review", "report_folder_name", "review_file_name", "register", "ROOT",
           "NOTEBOOKS"]

NOTEBOOKS = ROOT / "notebooks"
CSV_FOLDER = "csv"  # = plananalysis.publish.export.CSV_FOLDER (this module imports no pandas at the top)


@dataclass(frozen=True)
class Job:
    """One notebook to run: its name in reports/, the notebook file, its parameters.

    >>> job = Job("chapter-09", "chapter.ipynb", {"as_of": 2023, "chapter": 9}, "第九章", "Chapter 9")
    >>> job.title(), job.title("en")
    ('第九章', 'Chapter 9')
    """

    name: str
    notebook: str
    parameters: dict = field(hash=False)
    title_zh: str = ""
    title_en: str = ""

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" else self.title_zh


def review_jobs(params: ReviewParameters, plan=None) -> list[Job]:
    """The notebooks of one review: the overview, one per chapter with indicators or targets
    (if the plan has chapters), the retrospective (if it has a previous plan's table) and the
    data audit.

    >>> jobs = review_jobs(validate(as_of=2023))
    >>> [job.name for job in jobs][0], [job.name for job in jobs][-2:]
    ('overview', ['retrospective', 'data_audit'])
    >>> chapter = next(job for job in jobs if job.name.startswith("chapter-"))
    >>> chapter.notebook, chapter.parameters["chapter"] == int(chapter.name[-2:])
    ('chapter.ipynb', True)
    """
    from ..plan.folder import load_plan

    plan = plan or load_plan(params.plan)
    common = {k: v for k, v in params.as_dict().items() if k not in ("chapter", "compare")}  # compare: the front page's
    jobs = [Job("overview", "overview.ipynb", common, "总览", "Overview")]
    for _, row in plan.chapters.iterrows():
        n = int(row["number"])
        chapter = plan.chapter(n)
        if len(chapter.indicators) or len(chapter.targets):
            jobs.append(Job(f"chapter-{n:02d}", "chapter.ipynb", {**common, "chapter": n},
                            chapter.title("zh"), chapter.title("en")))
    if len(plan.previous_indicators):
        previous = plan.info.previous or {}
        title_zh = previous.get("title_zh") or "上期规划"
        title_en = previous.get("title_en") or "The previous plan"
        jobs.append(Job("retrospective", "retrospective.ipynb", common,
                        f"{title_zh}主要指标完成情况回顾", f"{title_en}: the retrospective"))
    jobs.append(Job("data_audit", "data_audit.ipynb", common, "数据一致性检查与覆盖", "Data audit and coverage"))
    return jobs


# ---------------------------------------------------------------- the run

_CONTEXTS_TMP = "plananalysis-contexts-"  # the private folder of a run's shared review contexts


def _recover(final: Path) -> None:
    """Undo a swap interrupted between its two renames; drop temporary folders of dead runs."""
    for stale in final.parent.glob(f".tmp-{final.name}-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    old = final.with_name(f".old-{final.name}")
    if old.exists() and not final.exists():
        old.rename(final)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_review(as_of=None, *, plan=None, jobs: int | None = None, force: bool = False, reports_dir=None,
               method="cn-schedule", lang="zh", region=None, observed_path="", only: list[str] | None = None,
               notebooks_dir=None, echo=print) -> dict:
    """Run one review; return a summary dict (``ok``, ``ran``, ``skipped``, ``failed``, ``folder``).

    ``notebooks_dir``: where the report notebooks are (default ``notebooks/``).

    A bad parameter stops the run before anything is written:

    >>> run_review(as_of=2031)
    Traceback (most recent call last):
    ...
    plananalysis.params.ReviewParameterError: 参数 as_of = 2031 不符合要求：应为 2021–2025 之间的年份（规划期） (parameter as_of = 2031: expected a year within the plan, 2021–2025)

    The real run executes every notebook in worker processes (seconds; ``make review``):

    >>> summary = run_review(as_of=2023, jobs=2)  # doctest: +SKIP
    >>> summary["ok"], summary["folder"]  # doctest: +SKIP
    (True, '…/reports/<plan>/2023')
    """
    params = validate(plan=plan, as_of=as_of, method=method, lang=lang, region=region,
                      observed_path=observed_path)
    return run_reviews([params], jobs=jobs, force=force, reports_dir=reports_dir, only=only,
                       notebooks_dir=notebooks_dir, echo=echo)[0]


@dataclass
class _ReviewRun:
    """One review of a run: its folders, its jobs, what must run and what is reused."""

    params: ReviewParameters
    final: Path
    all_jobs: list
    todo: list
    shared: str
    pages: object = None  # what each notebook reads (run.manifest.PageInputs), for the manifest
    tmp: Path | None = None
    results: list = field(default_factory=list)
    documents: "DocumentsProcess | None" = None  # builds the workbook, the Word document, the front page
    printing: object = None  # the PDF being printed (a future of print_review)

    @property
    def label(self) -> str:
        return f"{self.params.plan_id}/{self.final.name}"


def _plan_review(params: ReviewParameters, reports_dir, force: bool, only, notebooks: Path, echo,
                 explain: list | None = None) -> _ReviewRun | None:
    """Decide what one review must run; None when it is up to date.  With ``explain`` (a list),
    nothing is written: what would run and why is appended to it (:func:`explain_reviews`)."""
    final = review_folder(params, reports_dir)
    if explain is None:
        final.parent.mkdir(parents=True, exist_ok=True)
        _recover(final)
    shared = shared_inputs_digest(params)
    previous = _read_manifest(final) if final.exists() else {}
    # The job list is cached in the manifest with the digest it was built from, so a warm run
    # needs neither pandas nor the plan.
    if _files_unchanged(previous, params, shared) and not force:
        all_jobs = [Job(**j) for j in previous["jobs"]]
    else:   # the plan as the review's context loads it: read once for the jobs, the inputs, the documents
        from ..context import review_context

        all_jobs = review_jobs(params, review_context(params.replace(chapter=None)).plan)
    names = [j.name for j in all_jobs]
    if only:
        unknown = [n for n in only if n not in names]
        if unknown:
            from ..params import ReviewParameterError

            raise ReviewParameterError("only", unknown[0], "本次评估的报告名之一：" + "、".join(names),
                                       "the name of one of this review's reports: " + ", ".join(names))
    # each notebook's digest covers what it reads (run/manifest.py): a changed value re-runs the
    # pages that show it and those that aggregate it, in the reviews whose year can see it
    quick = {j.name: job_digest(j, shared, notebooks) for j in all_jobs}
    have_previous = bool(previous.get("ok"))
    pages = page_inputs(params, all_jobs, notebooks, previous, quick, every=force or not have_previous)
    old_digests = previous.get("digests", {})

    def reusable(job) -> bool:
        return have_previous and all((final / f"{job.name}{s}").exists() for s in (".ipynb", ".html"))

    if only:
        # the named notebooks run; the others are kept from the previous report as they were
        # (their recorded digests stay the old ones, so a later full run still sees them stale)
        todo = [j for j in all_jobs if j.name in only or not reusable(j)]
    else:
        todo = [j for j in all_jobs if force or not reusable(j) or old_digests.get(j.name) != pages.digests[j.name]]
    if explain is not None:
        explain.append(_explanation(params, final, all_jobs, todo, pages, previous, force, only, reusable))
        return None
    for job in all_jobs:
        if only and job not in todo:
            pages.keep(job.name, previous)
    if not todo and previous.get("params", {}).get("compare", "") != params.compare:
        todo = all_jobs[:1]   # another comparison: the front page and changes.csv are written again
    if not todo and have_previous and not force:
        refresh_manifest(final, previous, shared, pages)
        echo(f"报告已是最新，未重新运行 (report up to date, nothing re-run): {final}")
        return None
    return _ReviewRun(params, final, all_jobs, todo, shared, pages=pages)


def _may_run(params: ReviewParameters, reports_dir, force: bool, only) -> bool:
    """Whether a review will probably run a notebook, judged quickly (≈ 10 ms: its manifest and
    one digest of its files) before :func:`_plan_review` decides: with ``--force`` or ``--only``,
    without a previous report, or when any file it may read changed since."""
    if force or only:
        return True
    final = review_folder(params, reports_dir)
    previous = _read_manifest(final) if final.exists() else {}
    return not previous.get("ok") or not _files_unchanged(previous, params, shared_inputs_digest(params))


def _files_unchanged(previous: dict, params: ReviewParameters, shared: str) -> bool:
    """Whether a review's previous manifest was written with these parameters from these files
    (``shared``: :func:`~plananalysis.run.manifest.shared_inputs_digest`)."""
    return previous.get("shared") == shared and previous.get("params") == params.as_dict()


def _explanation(params, final: Path, all_jobs, todo, pages, previous, force, only, reusable) -> dict:
    """What one review would run and why: ``{"label", "folder", "pages": [{"name", "runs", "why"}]}``."""
    out = []
    for job in all_jobs:
        why = []
        if job in todo:
            if force:
                why = ["--force"]
            elif only and job.name in only:
                why = ["--only"]
            elif not reusable(job):
                why = ["no previous page (没有上次的报告)"]
            elif "reads" not in previous:
                why = ["the previous manifest records no inputs (an earlier version)"]
            else:
                why = pages.changes(job.name, previous) or ["its inputs changed"]
        elif only and reusable(job) and previous.get("digests", {}).get(job.name) != pages.digests[job.name]:
            why = ["kept as it was (--only), although its inputs changed"]
        out.append({"name": job.name, "runs": job in todo, "why": why})
    return {"label": f"{params.plan_id}/{final.name}", "folder": str(final), "pages": out}


def explain_reviews(reviews: list[ReviewParameters], *, force: bool = False, reports_dir=None,
                    only: list[str] | None = None, notebooks_dir=None) -> list[dict]:
    """What ``run_reviews`` would re-run, and why, without running or writing anything: per
    review ``{"label", "folder", "pages": [{"name", "runs", "why": [input changed, …]}]}``
    (``plananalysis review --explain``)."""
    notebooks = Path(notebooks_dir) if notebooks_dir else NOTEBOOKS
    reports = Path(reports_dir) if reports_dir else ROOT / "reports"
    out: list = []
    for params in reviews:
        _plan_review(params, reports, force, only, notebooks, lambda line: None, explain=out)
    return out


def run_reviews(reviews: list[ReviewParameters], *, jobs: int | None = None, force: bool = False,
                reports_dir=None, only: list[str] | None = None, notebooks_dir=None, echo=print) -> list[dict]:
    """Run several reviews (plans, years, languages) with one pool of workers; one summary each.

    Every review is written to its own temporary folder and swapped in only when all of its
    notebooks succeeded; ``reports/index.html`` then lists every plan and review present.
    """
    started = time.perf_counter()
    notebooks = Path(notebooks_dir) if notebooks_dir else NOTEBOOKS
    reports = Path(reports_dir) if reports_dir else ROOT / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    from .processes import private_tmp, reclaim_stale, remove_when_gone

    _reclaim_stale_runs(reports)
    reclaim_stale(_CONTEXTS_TMP)
    summaries = {}
    printer = janitor = contexts = None
    runs: list = []
    # Each review's context (plan, data, judgements, results: ≈ 0.9 s of CPU) is built once, by
    # this process while the workers start, and loaded by the kernels and the documents process (a
    # private folder of this run; a process that finds nothing there builds its own).  When a
    # review is likely to run anything, its folder is made and a worker started before the
    # command decides what to run (≈ 0.8 s after an import: pandas, the plan, each page's inputs),
    # so that the worker's start, its kernel's and their imports overlap it.
    workers = Workers()
    try:
        if any(_may_run(params, reports, force, only) for params in reviews):
            janitor = remove_when_gone(_own_temporaries(reports))   # killed (SIGKILL), this process leaves them to it
            contexts = private_tmp(_CONTEXTS_TMP)
            workers.contexts = str(contexts)
            workers.add(EARLY_WORKERS)
        planned = [(params, _plan_review(params, reports, force, only, notebooks, echo)) for params in reviews]
        runs = [run for _, run in planned if run is not None]
        if not runs:
            workers.close(wait=0)   # nothing to run after all: the worker started ahead ends
        for params, run in planned:
            if run is None:
                final = review_folder(params, reports)
                jobs_kept = [j["name"] for j in _read_manifest(final).get("jobs", [])]
                summaries[id(params)] = {"ok": True, "ran": [], "skipped": jobs_kept, "failed": [], "folder": str(final)}
        for run in runs:
            run.tmp = run.final.parent / f".tmp-{run.final.name}-{os.getpid()}"
        if runs and janitor is None:  # killed (SIGKILL), this process leaves its temporaries to a janitor
            janitor = remove_when_gone(_own_temporaries(reports))
        for run in runs:
            shutil.rmtree(run.tmp, ignore_errors=True)
            run.tmp.mkdir()
            for job in run.all_jobs:  # reuse what did not change (its page, notebook and CSV files)
                if job not in run.todo:
                    for suffix in (".ipynb", ".html"):
                        shutil.copy2(run.final / f"{job.name}{suffix}", run.tmp / f"{job.name}{suffix}")
                    csv = run.final / CSV_FOLDER / job.name
                    if csv.is_dir():
                        shutil.copytree(csv, run.tmp / CSV_FOLDER / job.name)
        # The workbook, the Word document and the front page need no notebook: a niced process per
        # review builds them while the workers run, taking the cores the notebooks leave idle (a
        # process, not a thread: a thread holding the dispatcher's GIL at a low priority would keep
        # workers waiting); each chapter's chart images go into the document as its page is
        # written.  The browser that prints the PDF starts meanwhile too.
        from ..publish.pdf import Printer, renderer

        pdf_ok = bool(runs) and renderer() is not None
        if runs and not pdf_ok:
            echo("未找到 Chromium，不生成 PDF（make browser 安装）(no Chromium: no PDF; make browser installs it)")
        if runs and contexts is None:
            contexts = private_tmp(_CONTEXTS_TMP)
            workers.contexts = str(contexts)
        few = sum(len(run.todo) for run in runs) <= FEW_PAGES   # one worker (workers_for), and the documents at once
        for run in runs:  # forked before any thread of this process is started
            run.documents = DocumentsProcess(run, pdf_ok, str(contexts))
            if few:   # the documents, not the notebooks, are the longest chain: they start at once
                run.documents.start()
        if pdf_ok:
            printer = Printer(priority=BACKGROUND_NICE)

        # The review-wide pages (overview, retrospective, data audit: 1–2 s each, the longest) go
        # first and the chapters (0.2–1 s) after, so that the pages still running when the other
        # worker has nothing left are short ones: the PDF waits for the last page.
        tasks = sorted(((run, job) for run in runs for job in run.todo),
                       key=lambda task: task[1].parameters.get("chapter") is not None)
        done = {id(run): 0 for run in runs}

        def page_written(run, job, result):
            run.documents.start()   # the first page is written: the documents may start
            if result["ok"] and job.parameters.get("chapter") is not None:
                run.documents.page_written(int(job.parameters["chapter"]))
            done[id(run)] += 1
            if done[id(run)] == len(run.todo) and all(done[id(r)] == len(r.todo) for r in runs):
                hurry_background()   # every page is written: the documents and the PDF are what is left
            if printer is not None and done[id(run)] == len(run.todo):
                # every page of this review is written: print it while the workers shut down
                run.printing = in_background(print_review, run, printer)

        def share_contexts():
            from ..context import review_context, share_context
            from ..present.changes import baseline

            shared = []
            for run in runs:
                try:
                    share_context(run.params, contexts)
                    shared.append(run.params.replace(chapter=None))
                except Exception:  # noqa: BLE001 — each process then builds its own, and says what fails
                    pass
            # the review a final review is compared with (its mid-term): its documents process reads
            # that review's results for the front page, changes.csv and the Word document
            for run in runs:
                try:
                    found = baseline(review_context(run.params.replace(chapter=None)))
                    other = run.params.replace(as_of=found[1], chapter=None, compare="") \
                        if found is not None and found[0] == "year" else None
                    if other is not None and other not in shared:
                        share_context(other, contexts)
                        shared.append(other)
                except Exception:  # noqa: BLE001 — the documents process then builds it
                    pass

        for run, result in execute_notebooks(tasks, workers, jobs, notebooks, echo, page_written,
                                    while_starting=share_contexts):
            run.results.append(result)
        workers.release()   # they end (and their kernels) while the documents are finished
        from ..publish.export import write_index

        for run in runs:
            summaries[id(run.params)] = _finish_review(run, write_index, echo, printer)
    except BaseException:
        workers.close(wait=0)
        for run in runs:
            if run.documents is not None:  # stopped first: it writes into the folder removed next
                run.documents.stop(wait=False)
            if run.tmp is not None:
                shutil.rmtree(run.tmp, ignore_errors=True)
        raise
    finally:
        workers.close()
        for run in runs:
            if run.documents is not None:
                run.documents.stop()
        if printer is not None:
            printer.close()
        if contexts is not None:
            shutil.rmtree(contexts, ignore_errors=True)
        if janitor is not None:
            janitor.terminate()
            janitor.wait()
    write_reports_index(reports)
    if runs:
        echo(f"完成 (done): {len(runs)} 项评估 (reviews), {sum(len(r.todo) for r in runs)} 个笔记本 (notebooks), "
             f"{time.perf_counter() - started:.1f} s")
    return [summaries[id(params)] for params in reviews]


def _own_temporaries(reports: Path) -> list[str]:
    """Glob patterns of what this process writes and removes itself, unless it is killed: its
    reviews' temporary folders (``<plan>/.tmp-<review>-<pid>`` in ``reports``), the printing
    browser's and the shared contexts' folders (see :func:`run_reviews`).

    >>> patterns = _own_temporaries(Path("/r"))
    >>> patterns[0] == f"/r/*/.tmp-*-{os.getpid()}", len(patterns)
    (True, 3)
    """
    import glob
    import tempfile

    from ..publish.pdf import _BROWSER_TMP

    return [os.path.join(glob.escape(str(reports)), "*", f".tmp-*-{os.getpid()}")] + [
        os.path.join(glob.escape(tempfile.gettempdir()), f"{prefix}{os.getpid()}-*") for prefix in (_BROWSER_TMP, _CONTEXTS_TMP)]


def _reclaim_stale_runs(reports: Path) -> list[Path]:
    """Remove the temporary folders (``<plan>/.tmp-<review>-<pid>``) of reviews that were killed
    before they could (any review of any plan, not only the ones about to run); return them.

    >>> import tempfile
    >>> reports = Path(tempfile.mkdtemp())
    >>> (reports / "p" / ".tmp-2025-999999999").mkdir(parents=True)
    >>> (reports / "p" / f".tmp-2023-{os.getpid()}").mkdir()
    >>> [p.name for p in _reclaim_stale_runs(reports)], (reports / "p" / f".tmp-2023-{os.getpid()}").is_dir()
    (['.tmp-2025-999999999'], True)
    >>> shutil.rmtree(reports)
    """
    from .processes import owner_gone

    removed = []
    for stale in sorted(reports.glob("*/.tmp-*-*")):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and stale.is_dir() and not stale.is_symlink() and owner_gone(int(pid), stale):
            shutil.rmtree(stale, ignore_errors=True)
            removed.append(stale)
    return removed


def _finish_review(run: _ReviewRun, write_index, echo, printer=None) -> dict:
    """Front page, PDF, Word document and manifest of one review, then swap it in (or keep it as
    ``.failed``).  The document's last charts go in while the PDF prints."""
    documents = run.documents
    run.pages.load()   # each page's inputs, for the manifest, while the PDF prints (if not read yet)
    printed = run.printing.result() if run.printing is not None else None
    index_ahead = documents.index_written() if documents is not None else False
    failed = [r for r in run.results if not r["ok"]]
    if failed or not index_ahead:
        try:
            write_index(run.tmp, run.all_jobs, {r["name"]: r for r in run.results}, run.params,
                        documents=document_links(run.params, index_ahead, printer is not None))
        except Exception as exc:  # noqa: BLE001
            failed.append({"name": "index.html", "ok": False, "error": short_error(exc), "seconds": 0})
        printed = None  # printed with the front page written ahead: printed again below, if at all
    if printer is not None and not failed:
        printed = printed or print_review_now(run, printer)
        run.results.append(printed)
        if not printed["ok"]:
            failed.append(printed)
    if documents is not None:
        document_ok, failures = documents.finish()
        failed += failures
        run.results += failures
        if failures:  # the front page written ahead linked to them: it names the failures instead
            try:
                write_index(run.tmp, run.all_jobs, {r["name"]: r for r in run.results}, run.params,
                            documents=document_links(run.params, document_ok, bool(printed and printed["ok"])))
            except Exception as exc:  # noqa: BLE001
                failed.append({"name": "index.html", "ok": False, "error": short_error(exc), "seconds": 0})
    if printer is not None and not failed and (run.tmp / "brief.html").exists():
        # the one-page brief: its page is written by the documents process, so printed once it has finished
        try:
            printer.print(run.tmp / "brief.html", run.tmp / "brief.pdf")
            (run.tmp / "brief.html").unlink()   # the brief's page is what brief.pdf is printed from, not a page of the review
        except Exception as exc:  # noqa: BLE001 — the review fails with the reason, never a traceback
            failed.append({"name": "brief.pdf", "ok": False, "error": short_error(exc), "seconds": 0})
    manifest = {"params": run.params.as_dict(), "shared": run.shared, **run.pages.manifest_fields(),
                "jobs": [{"name": j.name, "notebook": j.notebook, "parameters": j.parameters,
                          "title_zh": j.title_zh, "title_en": j.title_en} for j in run.all_jobs],
                "ok": not failed, "results": run.results}
    (run.tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    raise_if_stopped()   # a stop that a finalizer swallowed: the previous report stays as it was
    if failed:
        kept = run.final.with_name(f"{run.final.name}.failed")
        shutil.rmtree(kept, ignore_errors=True)
        run.tmp.rename(kept)
        echo(f"{run.label}: {len(failed)} 个报告失败，保留原报告 (reports failed; previous report kept): "
             f"{', '.join(r['name'] for r in failed)} — 详见 (see) {kept}/index.html")
        return {"ok": False, "ran": [j.name for j in run.todo], "skipped": [], "failed": failed, "folder": str(kept)}
    _swap_in(run.tmp, run.final)
    shutil.rmtree(run.final.with_name(f"{run.final.name}.failed"), ignore_errors=True)
    echo(f"报告已写入 (report written): {run.final}/index.html")
    return {"ok": True, "ran": [j.name for j in run.todo],
            "skipped": [j.name for j in run.all_jobs if j not in run.todo], "failed": [], "folder": str(run.final)}


def write_reports_index(reports: Path) -> Path:
    """``reports/index.html``: every plan and every review present, newest first, with links.

    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> "<h1>" in write_reports_index(tmp).read_text(encoding="utf-8")
    True
    """
    import html

    from ..files import write_text_atomically
    from ..present.text import escape_text

    rows = []
    for manifest_path in sorted(reports.glob("*/*/" + MANIFEST)):
        folder = manifest_path.parent
        if folder.name.startswith(".") or folder.name.endswith(".failed"):
            continue
        manifest = _read_manifest(folder)
        params = manifest.get("params", {})
        title = _plan_title(params.get("plan", ""), folder.parent.name)
        rows.append((folder.parent.name, title, folder.name, params))
    items = []
    for plan_id in dict.fromkeys(r[0] for r in rows):
        reviews = sorted((r for r in rows if r[0] == plan_id), key=lambda r: r[2], reverse=True)
        links = "".join(
            f'<li><a href="{html.escape(plan_id)}/{html.escape(name)}/index.html">{escape_text(_review_label(p))}</a></li>'
            for _, _, name, p in reviews)
        items.append(f"<section><h2>{escape_text(reviews[0][1])}</h2><ul>{links}</ul></section>")
    body = "".join(items) or "<p>尚无评估报告：运行 make review (no reviews yet: run make review).</p>"
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>规划评估报告 · Plan reviews</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:960px;margin:0 auto;padding:16px}}
li{{margin:4px 0}}</style></head>
<body><h1>规划评估报告 <small>Plan reviews</small></h1>{body}</body></html>
"""
    return write_text_atomically(reports / "index.html", page)


def _plan_title(plan_folder: str, plan_id: str) -> str:
    try:
        from ..plan.info import read_plan_info

        return read_plan_info(plan_folder or plan_id).title_zh
    except Exception:  # noqa: BLE001 — a plan folder removed since: its id is enough
        return plan_id


def _review_label(params: dict) -> str:
    try:
        from ..plan.info import read_plan_info

        info = read_plan_info(params.get("plan"))
        phase = "终期评估 Final review" if info.phase(params["as_of"]) == "final" else "中期评估 Mid-term review"
    except Exception:  # noqa: BLE001
        phase = ""
    extra = [v for v in (params.get("method") if params.get("method") != "cn-schedule" else "",
                         "English" if params.get("lang") == "en" else "", params.get("region", "")) if v]
    return f"{params.get('as_of', '')} {phase}" + (f"（{'，'.join(extra)}）" if extra else "")


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp``: two renames, recovered by :func:`_recover` if cut short."""
    old = final.with_name(f".old-{final.name}")
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- command line

def register(sub) -> None:
    """Add the ``review`` command to the ``plananalysis`` parser.

    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="plananalysis")
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["review", "--as-of", "2025", "--jobs", "2", "--plan", "all"])
    >>> args.as_of, args.jobs, args.lang, args.force, args.plan
    (2025, 2, 'zh', False, ['all'])
    """
    p = sub.add_parser("review", help="run the review notebooks into reports/<plan>/<as_of>/")
    p.add_argument("--plan", action="append", default=None,
                   help="plan id or folder (repeatable; 'all' = every plan under data/plans; default: the default plan)")
    p.add_argument("--as-of", type=int, default=None,
                   help="the review year (default: every review due: the mid-term once its year is over, the final once the plan has ended)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: number of cores)")
    p.add_argument("--force", action="store_true", help="re-run every notebook")
    p.add_argument("--method", default="cn-schedule")
    p.add_argument("--lang", default="zh", choices=["zh", "en"])
    p.add_argument("--region", default=None, help="a region of the plan (default: the plan's own)")
    p.add_argument("--observed", default="", help="observed data file or folder (default: the plan's own)")
    p.add_argument("--reports-dir", default=None)
    p.add_argument("--only", nargs="*", help="re-run only these notebooks (names as in the report folder); the rest is kept")
    p.add_argument("--compare", default="", metavar="YEAR|previous",
                   help="compare with another review year or the previous run of this review (its results.csv): "
                        "the front page and changes.csv say what changed (a final review: its mid-term by default)")
    p.add_argument("--explain", nargs="?", const="text", choices=["text", "json"], default=None,
                   help="print, per notebook, whether it would re-run and which input made it; run nothing "
                        "(--explain json: the same as JSON)")
    p.set_defaults(handler=_cli)


def review_parameters(plans: list[str] | None, as_of=None, *, bad: list | None = None,
                      **values) -> list[ReviewParameters]:
    """The reviews a command asks for: every plan named (``all``: every plan folder) × every
    review year (``as_of``, or each plan's reviews due).

    With ``bad`` (a list), each plan is checked in full first (:func:`~plananalysis.plan.folder.load_plan`):
    a plan folder that fails is added to ``bad`` as ``(folder, error)`` and left out, and the
    good plans are reviewed; without it, the first bad plan's error is raised.

    >>> [p.as_of for p in review_parameters(None, as_of=2023)]
    [2023]
    """
    from ..errors import PlanAnalysisError
    from ..plan.info import plan_folders

    names = plans or [None]
    if "all" in names:
        names = [str(folder) for folder in plan_folders()]
    reviews = []
    for name in names:
        try:
            info = validate(plan=name).info
            if bad is not None:
                from ..plan.folder import load_plan

                load_plan(info.folder)
            years = [as_of] if as_of is not None else info.reviews_due()
            reviews += [validate(plan=str(info.folder), as_of=year, **values) for year in years]
        except PlanAnalysisError as error:
            if bad is None:
                raise
            bad.append((name, error))
    return reviews


def previous_run(params: ReviewParameters, reports_dir=None) -> ReviewParameters:
    """``--compare previous``: the review compared with the results its last run stored
    (``results.csv`` in its report folder), or a clear error when it has not run yet.

    >>> previous_run(validate(as_of=2023), "/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.params.ReviewParameterError: 参数 compare = 'previous' 不符合要求：应为 ...
    """
    from ..params import ReviewParameterError

    stored = review_folder(params, reports_dir) / "results.csv"   # = present.changes.RESULTS_FILE
    if not stored.is_file():
        raise ReviewParameterError("compare", "previous", f"本评估已运行过（{stored} 不存在）",
                                   f"a review that has run before ({stored} does not exist)")
    return params.replace(compare=str(stored))


def _cli(args) -> int:
    """``plananalysis review``: SIGINT, SIGTERM and SIGHUP stop the workers and their kernels at
    once and leave the previous report as it was (exit 130, 143, 129, one line); a reports folder
    that cannot be written (read-only, full) is one line and exit 2."""
    import errno
    import signal
    import sys

    from .processes import STOP_GRACE, LastResort, Stopped, descendants, end_processes, janitors, stop_on_signals

    last_resort = None

    def stop_workers(signum) -> None:
        """The workers end their kernels (see workers._worker_init); the janitor stays, to clean
        up if this process has to end at once (LastResort)."""
        nonlocal last_resort
        last_resort = LastResort(STOP_GRACE, 128 + signum, f"plananalysis: {Stopped(signum).message}")
        spared = janitors()
        for pid in descendants(os.getpid()):
            if pid in spared:
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass

    with stop_on_signals(on_signal=stop_workers):
        try:
            several = args.plan is not None and ("all" in args.plan or len(args.plan) > 1)
            bad_plans: list = []
            reviews = review_parameters(args.plan, args.as_of, method=args.method, lang=args.lang,
                                        region=args.region, observed_path=args.observed,
                                        bad=bad_plans if several else None,
                                        compare="" if args.compare == "previous" else args.compare)
            if args.compare == "previous":
                reviews = [previous_run(p, args.reports_dir) for p in reviews]
            if args.explain:
                _print_explanation(explain_reviews(reviews, force=args.force, reports_dir=args.reports_dir,
                                                   only=args.only), args.explain)
                summaries = []
            else:
                summaries = run_reviews(reviews, jobs=args.jobs, force=args.force, reports_dir=args.reports_dir,
                                        only=args.only, echo=lambda line: print(line, flush=True))
            for name, error in bad_plans:   # every good plan was reviewed; the bad ones are named
                lines = str(error).splitlines()
                print(f"plananalysis: 未评估的规划 (plan not reviewed): {name}：{len(lines)} 个问题 (problems)",
                      file=sys.stderr, flush=True)
                for line in lines:
                    print(f"  {line}", file=sys.stderr, flush=True)
            if bad_plans:
                return 2
        except Stopped as stop:
            end_processes({pid: start for pid, start in descendants(os.getpid()).items()
                           if not _is_resource_tracker(pid)}, timeout=3)
            _remove_own_temporaries(Path(args.reports_dir) if args.reports_dir else ROOT / "reports")
            if last_resort is not None:
                last_resort.said()
            print(f"plananalysis: {stop.message}", file=sys.stderr, flush=True)
            return stop.exit_code
        except OSError as exc:
            reasons = {errno.ENOSPC: "磁盘已满 (no space left on device)", errno.EDQUOT: "超出磁盘配额 (disk quota exceeded)",
                       errno.EROFS: "只读文件系统 (read-only file system)",
                       errno.EACCES: "没有写入权限 (permission denied)", errno.EPERM: "没有写入权限 (permission denied)"}
            if exc.errno not in reasons:
                raise
            where = exc.filename or args.reports_dir or ROOT / "reports"
            print(f"plananalysis: 错误 (error): 无法写入报告 {where}：{reasons[exc.errno]}", file=sys.stderr, flush=True)
            return 2
    return 0 if all(s["ok"] for s in summaries) else 1


def _print_explanation(plans: list[dict], form: str) -> None:
    """``--explain``: each review's plan as text (:func:`~plananalysis.run.manifest.explain_lines`)
    or as JSON; a reader that stops early (``| head``) ends it quietly."""
    text = (json.dumps(plans, ensure_ascii=False, indent=1) if form == "json"
            else "\n".join(line for review in plans for line in explain_lines(review)))
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _remove_own_temporaries(reports: Path, timeout: float = 15) -> None:
    """After a stop: let this process's helper threads finish (a workbook being written into the
    run's temporary folder would recreate it), then remove the temporary folders of this run
    (``.tmp-<name>-<pid>``) that are left."""
    import threading

    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    if reports.is_dir():
        for folder in reports.rglob(f".tmp-*-{os.getpid()}"):
            shutil.rmtree(folder, ignore_errors=True)


def _is_resource_tracker(pid: int) -> bool:
    """multiprocessing's resource tracker exits by itself when this process does."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
