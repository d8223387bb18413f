"""The review's workers: processes that each keep a warm Jupyter kernel and run report notebooks
through papermill, one at a time, as the command sends them (:class:`Workers`).

- **A warm kernel per worker.**  Each worker starts one kernel (retrying a start that collides
  on a port; its sockets in a private folder), warms it (the notebooks' imports and the chart
  engine's first conversion, :data:`WARM_CODE`) and reuses it for every notebook it runs,
  clearing the namespace in between (:data:`RESET_CODE`), so pandas, Altair and the package are
  imported once per worker, not once per notebook.  A kernel that dies is replaced for the next
  notebook; a worker that dies fails its notebook, named, and is replaced.
- **Started ahead.**  The command can start a worker before it knows what it will run
  (:data:`EARLY_WORKERS`); the pool makes no thread in the command, so the documents process
  can still be forked after it (:func:`~plananalysis.run.documents.fork_is_safe`).
- **Stopped as the command is.**  Ctrl-C is the command's to handle; SIGTERM and SIGHUP end the
  kernel and the worker; a worker whose command is killed notices and does the same
  (:func:`quiet_stops`).
"""

from __future__ import annotations

import os
import random
import shutil
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..paths import ROOT, SHARED_CONTEXTS

if TYPE_CHECKING:
    from .review import Job

__all__ = ["Workers", "execute_notebooks", "workers_for", "quiet_stops", "short_error", "FEW_PAGES", "EARLY_WORKERS",
           "KERNEL_DIR_PREFIX", "RESET_CODE", "WARM_CODE"]

NOTEBOOKS = ROOT / "notebooks"


_KERNEL = None  # (KernelManager) one warm kernel per worker process
_CLIENT = None  # its kernel client, kept from one notebook to the next (see _warm_client_class)


def _start_kernel(attempts: int = 4):
    """Start this worker's kernel, retrying starts that collide on a port.

    The kernel's sockets and connection file are in a private folder named after this worker
    (``pa-kernel-<pid>-…``), removed when the worker stops, or by the next run if it was killed."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    from .processes import private_tmp

    global _KERNEL, _CLIENT, _RESET_CLIENT
    for client in (_CLIENT, _RESET_CLIENT):  # a restart after the kernel died: new clients
        if client is not None:
            client.stop_channels()
    _CLIENT = _RESET_CLIENT = None
    _kill_kernel()
    for attempt in range(1, attempts + 1):
        # The launch under the lock, and never once the worker is stopping (_stop_kernel): a
        # kernel started while a stop removes the folders would outlive the worker and write its
        # connection file into a new one.
        with _KERNEL_LOCK:
            if _STOPPING.is_set():
                raise RuntimeError("the worker is stopping: no new kernel")
            # IPC sockets in a private folder: no TCP ports to collide on, nothing on the network.
            folder = private_tmp(KERNEL_DIR_PREFIX)
            _KERNEL_DIRS.append(folder)
            km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(folder / "k"),
                                    connection_file=str(folder / "kernel.json"))
            _KERNEL = km  # already, so that a worker told to stop ends a kernel still starting
            try:
                run_sync(km.start_kernel)(cwd=str(NOTEBOOKS), env=_kernel_env())
                return km
            except Exception:  # ZMQError "Address already in use" and friends
                _kill_kernel()
                if attempt == attempts:
                    raise
        time.sleep(0.2 + random.random())


def _kernel_env() -> dict:
    """The kernel's environment: this project first on ``PYTHONPATH`` and every entry made
    absolute (the kernel runs in ``notebooks/``: a relative ``.`` would name that folder, and the
    kernel would import another copy of the package than the one running the review)."""
    paths = [str(ROOT)] + [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}


KERNEL_DIR_PREFIX = "pa-kernel-"
_KERNEL_DIRS: list = []  # this worker's kernel folders (removed when it stops)
_KERNEL_LOCK = threading.RLock()   # a kernel's launch, and its end when the worker stops
_STOPPING = threading.Event()      # the worker is stopping: no kernel is started any more


def _stop_kernel() -> None:
    """The worker is stopping (SIGTERM, SIGHUP, its command gone): no kernel is started from now
    on, and the one it has is ended, after its launch if one is under way (so that its process
    is known and killed, not left to write its connection file into a folder of its own)."""
    _STOPPING.set()
    with _KERNEL_LOCK:
        _kill_kernel()


def _kill_kernel() -> None:
    """End this worker's kernel at once (its whole process group) and remove its folders."""
    import signal

    global _KERNEL
    km, _KERNEL = _KERNEL, None
    provisioner = getattr(km, "provisioner", None)
    pid = getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None)
    if pid:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process = getattr(provisioner, "process", None)
        if process is not None:
            try:
                process.wait(5)
            except Exception:  # noqa: BLE001 - gone or not ours to wait for
                pass
    while _KERNEL_DIRS:
        shutil.rmtree(_KERNEL_DIRS.pop(), ignore_errors=True)


_RESET_CLIENT = None  # a kernel client kept for the resets between notebooks


#: What clears a kernel's namespace between notebooks.  IPython's ``reset`` ends with a full
#: ``gc.collect()``; what survives it (the modules, the shared review context, the chart engine)
#: then lives as long as the kernel, so it is frozen (``gc.freeze``): the next notebook's
#: collections, and the next reset's, no longer walk it (≈ 60 ms a reset and most of the full
#: collections the notebooks set off; no name is left in the namespace).
RESET_CODE = 'get_ipython().reset(new_session=True); __import__("gc").freeze()'


#: What a worker's new kernel runs before its first notebook (then :data:`RESET_CODE`): the imports
#: of the report notebooks and the chart engine's first conversion (≈ 0.4 s), which the first
#: notebook would otherwise pay; a worker started ahead (:class:`Workers`) does this while the
#: command still decides what to run.  Best effort: a failure here is the first notebook's to report.
WARM_CODE = """\
try:
    import altair as _alt, pandas as _pd
    import plananalysis.context
    from plananalysis.present import charts as _charts, figures, narrative, show, tables
    _charts.to_svg(_alt.Chart(_pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q"))
except Exception:
    pass
"""


def _reset_kernel(code: str = RESET_CODE) -> None:
    """Clear the namespace between notebooks (:data:`RESET_CODE`, or run ``code`` quietly); restart
    the kernel if it died."""
    from jupyter_core.utils import run_sync

    global _RESET_CLIENT
    km = _KERNEL
    if km is None or not run_sync(km.is_alive)():
        _RESET_CLIENT = None
        _start_kernel()
        return
    if _RESET_CLIENT is None:  # a blocking client: no event loop to tie it to
        from jupyter_client.blocking import BlockingKernelClient

        _RESET_CLIENT = BlockingKernelClient()
        _RESET_CLIENT.load_connection_info(km.get_connection_info())
        _RESET_CLIENT.start_channels()
        _RESET_CLIENT.wait_for_ready(timeout=60)
    _RESET_CLIENT.execute_interactive(code, store_history=False, output_hook=lambda msg: None, timeout=60)


def _kernel_client():
    """This worker's kernel client, connected once."""
    from jupyter_core.utils import run_sync

    global _CLIENT
    if _CLIENT is None:
        _CLIENT = _KERNEL.client()
        _CLIENT.start_channels()
        run_sync(_CLIENT.wait_for_ready)(timeout=60)
    return _CLIENT


def _warm_client_class():
    """papermill's notebook client, on this worker's kernel client. A new client per notebook
    would wait for the kernel's output channel to stay quiet for 0.2 s before starting
    (``wait_for_ready``): 16 notebooks × 0.2 s with the kernel idle."""
    from papermill.clientwrap import PapermillNotebookClient

    class WarmClient(PapermillNotebookClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.kc = _kernel_client()

    return WarmClient


def quiet_stops(on_exit=None) -> None:
    """How a helper process of the command (a worker, the documents process) stops: SIGINT is
    ignored (Ctrl-C in a terminal reaches the whole process group, and the command decides what
    happens); SIGTERM and SIGHUP call ``on_exit()`` and end the process at once, without a
    traceback; a thread watches the parent, and when the command is killed (SIGKILL) does the same.

    >>> import subprocess, sys
    >>> code = ("import os, signal; from plananalysis.run.workers import quiet_stops; quiet_stops(); "
    ...         "os.kill(os.getpid(), signal.SIGINT); print('Ctrl-C ignored', flush=True); os.kill(os.getpid(), signal.SIGTERM)")
    >>> done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    >>> done.stdout.strip(), done.returncode, done.stderr
    ('Ctrl-C ignored', 143, '')
    """
    import signal

    from .processes import watch_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _end(signum, frame):
        if on_exit is not None:
            on_exit()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, _end)
    signal.signal(signal.SIGHUP, _end)
    watch_parent(on_exit=on_exit)


def _worker_init(contexts: str = "") -> None:
    """Start a worker: its kernel (reading the review contexts the command shares in ``contexts``,
    :func:`~plananalysis.context.share_context`), and the ways it stops.

    - SIGINT is ignored: Ctrl-C in a terminal reaches the whole process group, and the command
      (the parent) decides what happens;
    - SIGTERM and SIGHUP (sent by the command when it is stopped) end the kernel and the worker;
    - a thread watches the parent: if the command is killed (SIGKILL), the worker ends its kernel
      and exits (the kernel would also notice its parent is gone: ipykernel polls ``JPY_PARENT_PID``).
    """
    import atexit
    import logging

    from .processes import reclaim_stale

    quiet_stops(on_exit=_stop_kernel)
    if contexts:   # the kernel inherits it (_kernel_env)
        os.environ[SHARED_CONTEXTS] = contexts
    reclaim_stale(KERNEL_DIR_PREFIX)  # folders of workers that were killed before they could clean up

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    _start_kernel()
    import papermill.engines   # imported while the kernel starts (≈ 0.25 s)

    # papermill's engine builds its client from this module-level name (in this process only)
    papermill.engines.PapermillNotebookClient = _warm_client_class()
    try:   # the notebooks' imports and the chart engine, before the first notebook arrives
        _reset_kernel(WARM_CODE + RESET_CODE)
    except Exception:  # noqa: BLE001 - the first notebook starts a kernel again if this one died
        pass

    def _stop():
        from jupyter_core.utils import run_sync

        try:
            if _KERNEL is not None:
                run_sync(_KERNEL.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - the kernel is ended below in any case
            pass
        _kill_kernel()

    atexit.register(_stop)


def _run_job(job: Job, out_dir: str, lang: str, notebooks: str) -> dict:
    """Execute one notebook into ``out_dir`` and export its HTML; never raises."""
    import papermill as pm

    from ..publish.export import export_html

    started = time.perf_counter()
    out_nb = Path(out_dir) / f"{job.name}.ipynb"
    error = None
    try:
        if _KERNEL is None:
            _start_kernel()
        pm.execute_notebook(str(Path(notebooks) / job.notebook), str(out_nb), parameters=job.parameters,
                            km=_KERNEL, progress_bar=False, execution_timeout=600,
                            request_save_on_cell_execute=False,
                            cwd=None, report_mode=False)
    except Exception as exc:  # PapermillExecutionError or a kernel that died
        error = short_error(exc)
    finally:
        try:
            _reset_kernel()
        except Exception:
            _start_kernel()
    try:
        if out_nb.exists():
            export_html(out_nb, Path(out_dir) / f"{job.name}.html", title=job.title(lang), error=error, lang=lang)
    except Exception as exc:
        error = error or f"HTML export failed: {short_error(exc)}"
    return {"name": job.name, "ok": error is None, "error": error,
            "seconds": round(time.perf_counter() - started, 2)}


def short_error(exc: Exception) -> str:
    """An error in one line of at most 500 characters: its name and its message (a notebook's
    error as papermill reports it: ``ename``, ``evalue``).

    >>> short_error(ValueError("数值 bad"))
    'ValueError: 数值 bad'
    """
    name = getattr(exc, "ename", type(exc).__name__)
    value = getattr(exc, "evalue", str(exc))
    return f"{name}: {value}".strip()[:500]


#: At most this many notebooks to run (an import of a few values): one worker, unless ``--jobs``
#: says otherwise, and the documents start at once instead of after the first page.  The review
#: then waits on the documents and the PDF (≈ 3 s of CPU for the Word document, the workbook and the
#: brief, ≈ 4 s of Chromium), which a second worker's cold start (≈ 1.5 s of CPU) only slows down;
#: measured on 3 pages (one value), alternating, 4 rounds each: 8.7–9.2 s → 7.3–7.8 s; on 6 pages
#: the same either way (docs/performance.md, item 26).
FEW_PAGES = 4


def _worker_main(connection, contexts: str) -> None:
    """A worker (:class:`Workers`): start (:func:`_worker_init`), then run the jobs it is sent,
    one at a time, until it is sent ``None`` or the command's end of the pipe is closed."""
    _worker_init(contexts)
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        connection.send(_run_job(*task))


class Workers:
    """The run's worker processes, each with its warm kernel (:func:`_worker_init`), fed one job
    at a time through a pipe of its own.

    Workers can be started before the command knows what it will run (:meth:`add` while it
    decides: their interpreter, papermill, the kernel and its imports and chart engine then
    overlap the planning), and the pool creates no thread in this process, so the documents
    process can still be forked after them (:func:`fork_is_safe`).  Spawned, not forked: a
    worker starts from a fresh interpreter, whatever this process has loaded.

    >>> workers = Workers()          # none started yet: add() starts them, close() ends them
    >>> len(workers), list(workers.run([], str(NOTEBOOKS)))
    (0, [])
    >>> workers.close()
    """

    def __init__(self, contexts: str = ""):
        import multiprocessing

        self._context = multiprocessing.get_context("spawn")
        self.contexts = contexts
        self._workers: list = []   # (process, the command's end of its pipe)

    def __len__(self) -> int:
        return len(self._workers)

    def add(self, count: int = 1) -> None:
        """Start ``count`` more workers (they start in the background)."""
        for _ in range(count):
            mine, theirs = self._context.Pipe()
            process = self._context.Process(target=_worker_main, args=(theirs, self.contexts),
                                            name="plananalysis-worker")
            process.start()
            theirs.close()
            self._workers.append((process, mine))

    def run(self, tasks: list, notebooks: str):
        """Run ``(review, job)`` tasks, one per idle worker; yield ``(review, job, result)`` as each
        ends.  A worker that ends while it runs a notebook (killed, out of memory) fails that
        notebook, named, and a new worker takes its place for the notebooks still to run."""
        from multiprocessing.connection import wait

        from .processes import raise_if_stopped

        waiting = list(tasks)
        busy = {}   # connection → (process, task)
        idle = list(self._workers)
        while waiting or busy:
            raise_if_stopped()   # a stop that a finalizer swallowed: no worker is started again
            while waiting and idle:
                worker = idle.pop(0)
                run, job = task = waiting.pop(0)
                try:
                    worker[1].send((job, str(run.tmp), run.params.lang, notebooks))
                except OSError:   # it ended while idle: the notebook waits for another worker
                    waiting.insert(0, task)
                    idle += self._replace(worker)
                    continue
                busy[worker[1]] = (worker, task)
            # at least every half second, so that a stop whose exception was swallowed is raised
            # again at the top of the loop (raise_if_stopped)
            for connection in wait(list(busy), timeout=0.5):
                worker, (run, job) = busy.pop(connection)
                try:
                    result = connection.recv()
                except (EOFError, OSError):
                    raise_if_stopped()   # ended by the command's stop, not by itself
                    worker[0].join(5)
                    result = {"name": job.name, "ok": False, "seconds": 0,
                              "error": f"工作进程意外结束 (the worker process ended unexpectedly, exit code {worker[0].exitcode})"}
                    fresh = self._replace(worker, start=bool(waiting))
                    idle += fresh
                else:
                    idle.append(worker)
                yield run, job, result

    def _replace(self, worker, start: bool = True) -> list:
        """Drop a worker that has ended; start one in its place (``start``); the new ones."""
        self._workers.remove(worker)
        worker[1].close()
        worker[0].join(1)   # reaped, not left a zombie
        if not start:
            return []
        self.add(1)
        return self._workers[-1:]

    def release(self) -> None:
        """Tell every worker that there is nothing more to run: each ends by itself (its kernel
        with it) while the command goes on; :meth:`close` then only waits for them."""
        for _, connection in self._workers:
            try:
                connection.send(None)
            except OSError:
                pass

    def close(self, wait: float = 30) -> None:
        """Let every worker end (its kernel with it); end those that do not within ``wait`` s."""
        self.release()
        deadline = time.monotonic() + wait
        for process, connection in self._workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.terminate()   # SIGTERM: it ends its kernel (quiet_stops)
                process.join(5)
            connection.close()
        self._workers = []


#: How many workers a run starts before it knows what it will run (:func:`run_reviews`): one,
#: the number a few pages need (:data:`FEW_PAGES`); the others start once the job list is known.
EARLY_WORKERS = 1


def workers_for(tasks: int, jobs: int | None) -> int:
    """The workers for ``tasks`` notebooks: ``jobs`` when given, one for a few pages
    (:data:`FEW_PAGES`), one per core otherwise; never more than the notebooks.

    >>> workers_for(3, None), workers_for(3, 2), workers_for(1, 4), workers_for(16, None) >= 1
    (1, 2, 1, True)
    """
    wanted = jobs or (1 if tasks <= FEW_PAGES else os.cpu_count() or 1)
    return max(1, min(wanted, tasks))


def execute_notebooks(tasks: list, workers: Workers, jobs: int | None, notebooks: Path, echo, on_result=None, *,
             while_starting=None) -> list:
    """Run ``(review, job)`` tasks on ``workers`` (started up to :func:`workers_for` of them);
    ``[(review, result), …]`` (``on_result(review, job, result)`` is called as each one ends;
    ``while_starting()`` once the workers are starting).

    >>> execute_notebooks([], Workers(), None, NOTEBOOKS, print)   # nothing to run: no worker started
    []
    """
    if not tasks:
        return []
    count = workers_for(len(tasks), jobs)
    echo(f"运行 {len(tasks)} 个笔记本，{count} 个进程 (running {len(tasks)} notebooks in {count} processes)…")
    if len(workers) < count:
        workers.add(count - len(workers))
    out = []
    several = len({id(run) for run, _ in tasks}) > 1
    if while_starting is not None:
        while_starting()
    for done, (run, job, result) in enumerate(workers.run(tasks, str(notebooks)), 1):
        out.append((run, result))
        if on_result is not None:
            on_result(run, job, result)
        mark = "✓" if result["ok"] else "✗"
        where = f"{run.label} " if several else ""
        line = f"[{done}/{len(tasks)}] {mark} {where}{result['name']} ({result['seconds']:.1f} s)"
        echo(line + ("" if result["ok"] else f" — {result['error']}"))
    return out

