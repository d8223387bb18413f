"""Processes that end: what ``plananalysis app``, ``lab`` and ``review`` share to stop everything
they started, whatever stops them.

- **A signal stops the command, not just its first process.**  :func:`stop_on_signals` turns
  SIGINT, SIGTERM and SIGHUP into :class:`Stopped` (a ``KeyboardInterrupt``), raised once in the
  main thread, so the command's ``finally`` blocks run: servers are asked to stop, then
  :func:`end_processes` ends whatever of their process tree is left (kernels run in sessions of
  their own, so killing a process group does not reach them; the tree is read from ``/proc``).
- **A child notices when its parent is gone.**  A server started by the command gets
  ``PR_SET_PDEATHSIG`` (:func:`parent_death_signal`, set between fork and exec, so SIGKILL of the
  command still stops it, cleanly); a review worker runs :func:`watch_parent`, a thread polling
  ``os.getppid()`` (a worker may be started from a pool's helper thread, and PDEATHSIG fires
  when the *thread* that forked exits).  Kernels need nothing more: jupyter_client starts them
  with ``JPY_PARENT_PID`` and ipykernel's own ``ParentPollerUnix`` exits when that parent goes.
- **A command started by make ends with make** (:func:`watch_make`): ``make app`` and ``make
  review`` ``exec`` the command, so make is its parent.  GNU make forwards SIGTERM to its child,
  but on SIGINT, SIGHUP or SIGQUIT sent to make's pid alone (``timeout -s INT make app``, ``kill
  -INT <make>``) it only waits for its child, which never hears of it; killed (SIGKILL), it
  leaves the child behind.  The command watches make and stops as if it had been signalled.
- **A stop ends in bounded time** (:class:`LastResort`): if a command's cleanup after a signal
  waits for something that never comes, the command kills what it started (its janitors
  excepted, which then clean up after it) and exits with the signal's status anyway.
- **Temporary folders carry their owner's pid** (:func:`private_tmp`), so a folder left by a
  process that was killed is reclaimed by the next run (:func:`reclaim_stale`); a command can
  also leave a janitor behind it (:func:`remove_when_gone`) that removes them as soon as it dies.

>>> stopped = Stopped(signal.SIGTERM)
>>> stopped.exit_code, stopped.message
(143, '已终止 (terminated)')
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["Stopped", "stop_on_signals", "raise_if_stopped", "parent_death_signal", "watch_parent", "watch_make", "descendants",
           "end_processes", "private_tmp", "reclaim_stale", "owner_gone", "remove_when_gone", "janitors", "LastResort",
           "STOP_SIGNALS", "STOP_GRACE", "STOP_STACKS"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_MESSAGES = {signal.SIGINT: "已中断 (interrupted)", signal.SIGTERM: "已终止 (terminated)",
             signal.SIGHUP: "终端已关闭，已停止 (hung up)"}
_PR_SET_PDEATHSIG = 1


class Stopped(KeyboardInterrupt):
    """The command was asked to stop by a signal; ``exit_code`` is 128 + the signal's number.

    >>> Stopped(signal.SIGINT).exit_code, Stopped(signal.SIGHUP).message
    (130, '终端已关闭，已停止 (hung up)')
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = int(signum)
        self.exit_code = 128 + self.signum
        self.message = _MESSAGES.get(self.signum, f"已停止 (stopped by signal {self.signum})")


@contextlib.contextmanager
def stop_on_signals(signals=STOP_SIGNALS, on_signal=None):
    """Within the block, the first of ``signals`` raises :class:`Stopped` in the main thread
    (after calling ``on_signal(signum)``, if given); later ones are ignored while the command
    cleans up.  The previous handlers are restored afterwards.

    >>> with stop_on_signals():
    ...     try:
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ...         time.sleep(5)
    ...     except Stopped as stop:
    ...         print(stop.exit_code)
    143
    """

    def handler(signum, frame):   # the first signal stops; later ones are ignored while it cleans up
        if _STOPPED:
            return
        _STOPPED.append(signum)
        if on_signal is not None:
            on_signal(signum)
        raise Stopped(signum)

    def unraisable(report) -> None:   # the stop, dropped by a finalizer: raised again later
        if not isinstance(report.exc_value, Stopped):
            hook(report)

    previous = {s: signal.signal(s, handler) for s in signals}
    hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
        sys.unraisablehook = hook
        _STOPPED.clear()


_STOPPED: list[int] = []   # the signal that stopped this process (stop_on_signals), once one has


def raise_if_stopped() -> None:
    """Raise :class:`Stopped` again if a signal has stopped this process (:func:`stop_on_signals`).

    The handler raises it wherever the main thread is, and Python drops an exception raised in a
    ``__del__`` method or a weakref callback (it prints "Exception ignored in …" with a traceback;
    within :func:`stop_on_signals`, nothing for this one): a stop that came while a finalizer ran
    would go unnoticed, and the command carry on with its workers gone.  Loops in which the
    command waits call this.

    >>> raise_if_stopped()   # no signal: nothing

    A stop that comes while a finalizer runs, in a command: no traceback, and the stop is raised
    again at the next look.

    >>> import subprocess, sys
    >>> code = '''
    ... import gc, os, signal, time
    ... from plananalysis.run.processes import Stopped, raise_if_stopped, stop_on_signals
    ... class Closing:
    ...     def __del__(self):
    ...         os.kill(os.getpid(), signal.SIGTERM); time.sleep(1)
    ... with stop_on_signals():
    ...     try:
    ...         Closing(); gc.collect(); print("carried on")
    ...         raise_if_stopped()
    ...     except Stopped as stop:
    ...         print("stopped", stop.exit_code)
    ... '''
    >>> done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    >>> done.stdout.splitlines(), done.stderr
    (['carried on', 'stopped 143'], '')
    >>> with stop_on_signals():
    ...     try:
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ...         time.sleep(5)
    ...     except Stopped:
    ...         pass   # as if a finalizer had dropped it
    ...     try:
    ...         raise_if_stopped()
    ...     except Stopped as stop:
    ...         print(stop.exit_code)
    143
    """
    if _STOPPED:
        raise Stopped(_STOPPED[0])


def _prctl():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):  # not Linux
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    return prctl


def parent_death_signal(sig: int = signal.SIGTERM):
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child gets ``sig`` when this process
    dies (Linux ``PR_SET_PDEATHSIG``; kept across ``exec``), and exits at once if this process
    is already gone.  ``None`` where prctl is not available.

    >>> import subprocess, sys
    >>> subprocess.run([sys.executable, "-c", "pass"], preexec_fn=parent_death_signal()).returncode
    0
    """
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def preexec() -> None:  # runs in the child between fork and exec: no allocation-heavy work
        prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def watch_parent(on_exit=None, interval: float = 0.5, exit: bool = True) -> threading.Thread:
    """Start a daemon thread that calls ``on_exit()`` and then ``os._exit(1)`` (unless ``exit``
    is false: ``on_exit`` then decides) when this process's parent changes (the parent died;
    the process was re-parented).

    >>> thread = watch_parent()
    >>> thread.daemon, thread.is_alive()
    (True, True)
    """
    parent = os.getppid()

    def run() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                try:
                    if on_exit is not None:
                        on_exit()
                finally:
                    if exit:
                        os._exit(1)
                return

    thread = threading.Thread(target=run, name="plananalysis-parent-watch", daemon=True)
    thread.start()
    return thread


def _signal_masks(pid: int) -> tuple[int, int] | None:
    """``(blocked, caught)`` signal masks of ``pid`` (bit ``n - 1`` is signal ``n``), or ``None``."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                      if line.startswith(("SigBlk:", "SigCgt:")))
        return int(fields["SigBlk"], 16), int(fields["SigCgt"], 16)
    except (OSError, KeyError, ValueError):
        return None


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


#: make's fatal signals, and the one the command stops with when make gets it
_MAKE_SIGNALS = {signal.SIGINT: signal.SIGINT, signal.SIGHUP: signal.SIGHUP, signal.SIGQUIT: signal.SIGTERM,
                 signal.SIGTERM: signal.SIGTERM}


def make_signal(masks: tuple[int, int], before: tuple[int, int]) -> int | None:
    """The fatal signal GNU make is handling, from its signal masks now and at the start
    (``(blocked, caught)``, see :func:`_signal_masks`), or ``None``.  make's handler resets the
    signal to its default action and runs with it blocked, waiting for its children: the signal
    is then blocked and no longer caught, where it was caught before.

    >>> caught = sum(1 << (s - 1) for s in (1, 2, 3, 15))  # SIGHUP, SIGINT, SIGQUIT, SIGTERM
    >>> make_signal((1 << 16, caught), (1 << 16, caught)) is None    # make runs its recipe
    True
    >>> make_signal((1 << 16 | 1 << 1, caught & ~(1 << 1)), (1 << 16, caught))  # kill -INT <make>
    <Signals.SIGINT: 2>
    """
    blocked, caught = masks
    for sig in _MAKE_SIGNALS:
        bit = 1 << (sig - 1)
        if blocked & bit and not caught & bit and before[1] & bit:
            return sig
    return None


def watch_make(interval: float = 0.25) -> threading.Thread | None:
    """When this process's parent is GNU make (a recipe that ``exec``-utes the command), a daemon
    thread that stops this process as make ends: the signal make is handling (SIGINT, SIGHUP;
    SIGQUIT and SIGTERM as SIGTERM) is sent to this process, as is SIGTERM when make has died
    (SIGKILL; ``PR_SET_PDEATHSIG`` too, at once).  The command's own handlers
    (:func:`stop_on_signals`) then stop what it started; make, its child gone, ends.
    ``None`` when the parent is not make (``plananalysis`` run from a shell, or from Python).

    >>> import subprocess, sys
    >>> subprocess.run([sys.executable, "-c", "from plananalysis.run.processes import watch_make; print(watch_make())"],
    ...                capture_output=True, text=True).stdout.strip()
    'None'
    """
    parent = os.getppid()
    before = _signal_masks(parent)
    if _comm(parent) not in ("make", "gmake") or before is None:
        return None
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)

    def run() -> None:
        while True:
            if os.getppid() != parent:  # make was killed
                os.kill(os.getpid(), signal.SIGTERM)
                return
            masks = _signal_masks(parent)
            sig = make_signal(masks, before) if masks is not None else None
            if sig is not None:
                os.kill(os.getpid(), _MAKE_SIGNALS[sig])
                return
            time.sleep(interval)

    thread = threading.Thread(target=run, name="plananalysis-make-watch", daemon=True)
    thread.start()
    return thread


def _stat(pid: int) -> tuple[int, int] | None:
    """``(ppid, start time)`` of a process from ``/proc``, or ``None`` if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2:].split()
    if fields[0] == b"Z":  # a zombie has ended; its parent has not reaped it yet
        return None
    return int(fields[1]), int(fields[19])


def descendants(pid: int) -> dict[int, int]:
    """Every living descendant of ``pid`` as ``{pid: start time}`` (read from ``/proc``).

    >>> import subprocess, sys
    >>> child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    >>> child.pid in descendants(os.getpid())
    True
    >>> end_processes({child.pid: descendants(os.getpid())[child.pid]})
    >>> child.wait() == -signal.SIGTERM
    True
    """
    children: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(entry))
                starts[int(entry)] = stat[1]
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found[child] = starts[child]
                todo.append(child)
    return found


def _alive(pid: int, start: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[1] == start  # the same process, not a reused pid


def end_processes(processes: dict[int, int], timeout: float = 5.0) -> None:
    """SIGTERM the processes ``{pid: start time}`` (from :func:`descendants`) still alive,
    SIGKILL those left after ``timeout`` seconds.  A pid since reused by another process is
    left alone; a process that has ended but is not yet reaped (a zombie) counts as gone.

    >>> end_processes({})
    """
    def signal_all(sig) -> list[int]:
        hit = []
        for pid, start in processes.items():
            if _alive(pid, start):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
                    hit.append(pid)
        return hit

    if not signal_all(signal.SIGTERM):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_alive(pid, start) for pid, start in processes.items()):
            return
        time.sleep(0.05)
    signal_all(signal.SIGKILL)


def private_tmp(prefix: str, parent: str | os.PathLike | None = None) -> Path:
    """A new private folder ``<prefix><pid>-<random>`` in the temporary folder; the pid in its
    name lets :func:`reclaim_stale` remove it once this process has died.

    >>> folder = private_tmp("plananalysis-doc-")
    >>> folder.name.startswith(f"plananalysis-doc-{os.getpid()}-")
    True
    >>> folder.rmdir()
    """
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def reclaim_stale(prefix: str, parent: str | os.PathLike | None = None) -> list[Path]:
    """Remove the folders made by :func:`private_tmp` whose process has ended (killed before it
    could clean up); return them.

    >>> stale = Path(tempfile.gettempdir()) / "plananalysis-doc-999999999-x"
    >>> stale.mkdir()
    >>> reclaim_stale("plananalysis-doc-") == [stale], stale.exists()
    (True, False)
    """
    folder = Path(parent or tempfile.gettempdir())
    removed = []
    for path in folder.glob(f"{prefix}*"):
        pid = path.name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or not path.is_dir():
            continue
        if owner_gone(int(pid), path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def owner_gone(pid: int, path: str | os.PathLike) -> bool:
    """Whether the process ``pid`` that made ``path`` has ended: no such process, a zombie, or
    the pid now belongs to a process started after ``path`` was last written.

    >>> owner_gone(os.getpid(), tempfile.gettempdir()), owner_gone(999999999, tempfile.gettempdir())
    (False, True)
    """
    owner = _stat(int(pid))
    return owner is None or _started_after(owner[1], Path(path))


# The janitor (see remove_when_gone): a few lines of Python, so that it starts in ~20 ms.
_JANITOR = r"""
import glob, os, shutil, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
parent, patterns = int(sys.argv[1]), sys.argv[2:]

def started(pid):
    try:
        raw = open(f"/proc/{pid}/stat", "rb").read()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2:].split()
    return None if fields[0] == b"Z" else fields[19]

children = {}
while os.getppid() == parent:
    try:
        pids = {int(p) for t in os.listdir(f"/proc/{parent}/task")
                for p in open(f"/proc/{parent}/task/{t}/children").read().split()}
        children = {pid: started(pid) for pid in pids if pid != os.getpid()}
    except (OSError, ValueError):
        pass
    time.sleep(0.25)
deadline = time.monotonic() + 30  # the parent's children (workers) notice its death, and end
while time.monotonic() < deadline and any(started(p) == s for p, s in children.items() if s):
    time.sleep(0.1)
for attempt in range(2):  # again after a moment: a grandchild may still write into one
    for pattern in patterns:
        for path in glob.glob(pattern):
            shutil.rmtree(path, ignore_errors=True)
    time.sleep(1)
"""


_JANITORS: dict[int, int | None] = {}   # the janitors this process started: {pid: start time}


def janitors() -> set[int]:
    """The pids of the janitors this process has started (:func:`remove_when_gone`): what a
    stopping command leaves running, so that they clean up after it if it has to end at once.

    >>> janitors() <= set(descendants(os.getpid()))
    True
    """
    return {pid for pid, start in _JANITORS.items() if start is not None and _alive(pid, start)}


def remove_when_gone(patterns: list[str]):
    """Start a janitor: a small process that, when this process dies without cleaning up (SIGKILL),
    waits for this process's children to end, then removes the files and folders matching the
    glob ``patterns`` (``glob.escape`` literal parts).  Stop it (``terminate()``, ``wait()``) once
    this process has cleaned up itself; signals to the process group (Ctrl-C, a terminal closing)
    leave it alone.

    >>> import subprocess, sys
    >>> folder = private_tmp("plananalysis-doc-")
    >>> script = f"from plananalysis.run.processes import remove_when_gone as r; r([{str(folder)!r}]); import os; os.kill(os.getpid(), 9)"
    >>> subprocess.run([sys.executable, "-c", script]).returncode
    -9
    >>> deadline = time.monotonic() + 30
    >>> while folder.exists() and time.monotonic() < deadline:
    ...     time.sleep(0.1)
    >>> folder.exists()
    False
    """
    import subprocess
    import sys

    janitor = subprocess.Popen([sys.executable, "-S", "-c", _JANITOR, str(os.getpid()), *patterns],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               close_fds=True)
    _JANITORS[janitor.pid] = (_stat(janitor.pid) or (None, None))[1]
    return janitor


#: Seconds a stopped command may spend cleaning up before it ends at once (:class:`LastResort`).
STOP_GRACE = 20.0

#: An environment variable naming a file: when a stopped command has to end at once
#: (:class:`LastResort`), the stacks of its threads are written there (what its cleanup waited for).
STOP_STACKS = "PLANANALYSIS_STOP_STACKS"


class LastResort:
    """Once a command has been stopped: if it is still running ``seconds`` from now (its cleanup
    waits for something that never comes), a daemon thread ends every process it started but its
    janitors (:func:`end_processes`; the janitors then remove its temporary folders), writes
    ``message`` to stderr (unless the command has said its own line: :meth:`said`), and ends the
    process with ``code`` at once.  The stacks of its threads go to the file named by ``$PLANANALYSIS_STOP_STACKS``,
    when set.  A daemon thread keeps running while Python's exit waits for other threads and
    processes, so even a stuck exit ends.

    >>> import subprocess, sys
    >>> code = ("import threading; from plananalysis.run.processes import LastResort; "
    ...         "LastResort(0.2, 143, 'plananalysis: 已终止 (terminated)'); threading.Event().wait()")
    >>> done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    >>> done.returncode, done.stderr.strip()
    (143, 'plananalysis: 已终止 (terminated)')
    """

    def __init__(self, seconds: float, code: int, message: str = ""):
        self.code = code
        self.message = message
        thread = threading.Thread(target=self._run, args=(seconds,), name="plananalysis-last-resort", daemon=True)
        thread.start()

    def said(self) -> None:
        """The command has written its own last line: nothing more is written if it ends at once."""
        self.message = ""

    def _run(self, seconds: float) -> None:
        time.sleep(seconds)
        stacks = os.environ.get(STOP_STACKS)
        if stacks:
            import faulthandler

            with contextlib.suppress(OSError), open(stacks, "w") as out:
                faulthandler.dump_traceback(out, all_threads=True)
        spared = janitors()   # SIGTERM first: a worker then removes its kernel's folder
        end_processes({pid: start for pid, start in descendants(os.getpid()).items() if pid not in spared}, timeout=3)
        if self.message:   # not through sys.stderr: a thread that is stuck may hold its lock
            with contextlib.suppress(OSError):
                os.write(2, f"{self.message}\n".encode())
        os._exit(self.code)


def _started_after(start_ticks: int, path: Path) -> bool:
    try:
        boot = float(next(line.split()[1] for line in Path("/proc/stat").read_text().splitlines()
                          if line.startswith("btime")))
        started = boot + start_ticks / os.sysconf("SC_CLK_TCK")
        return started > path.stat().st_mtime + 1
    except (OSError, StopIteration, ValueError):
        return False
