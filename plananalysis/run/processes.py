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
- **Temporary folders carry their owner's pid** (:func:`private_tmp`), so a folder left by a
  process that was killed is reclaimed by the next run (:func:`reclaim_stale`).

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
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["Stopped", "stop_on_signals", "parent_death_signal", "watch_parent", "descendants",
           "end_processes", "private_tmp", "reclaim_stale", "STOP_SIGNALS"]

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
    stopping = []

    def handler(signum, frame):
        if stopping:
            return
        stopping.append(signum)
        if on_signal is not None:
            on_signal(signum)
        raise Stopped(signum)

    previous = {s: signal.signal(s, handler) for s in signals}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


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
        owner = _stat(int(pid))
        # the owner has ended, or the pid now belongs to a process started after the folder
        if owner is None or _started_after(owner[1], path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _started_after(start_ticks: int, path: Path) -> bool:
    try:
        boot = float(next(line.split()[1] for line in Path("/proc/stat").read_text().splitlines()
                          if line.startswith("btime")))
        started = boot + start_ticks / os.sysconf("SC_CLK_TCK")
        return started > path.stat().st_mtime + 1
    except (OSError, StopIteration, ValueError):
        return False
