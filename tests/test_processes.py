"""Stopping stops (issue 15, item 7): ``plananalysis app``, ``lab`` and ``review`` under real signals.

Each test starts the real command in its own session (as a terminal would), waits until it has
started what it starts (a server, kernels, workers), records the whole process tree from
``/proc``, sends a real signal, and then checks that:

- the command exits with the expected code and no traceback (review: one line);
- no process of the tree is left (kernels run in sessions of their own: a process group is
  not enough, the tree was recorded before the signal);
- the port is free again (nothing listens on it);
- no temporary folder is left (the command runs with a private ``TMPDIR`` and
  ``JUPYTER_RUNTIME_DIR``, both empty afterwards).

SIGINT goes to the command's process group, as Ctrl-C in a terminal does; SIGTERM and SIGHUP go
to the command alone, as ``kill`` does.  SIGKILL (review and app) cannot be caught: the children
notice their parent is gone (the server by ``PR_SET_PDEATHSIG``, the workers by watching their
parent, the kernels by ipykernel's own parent poller).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

from plananalysis.run import apps
from plananalysis.run.processes import STOP_GRACE, STOP_STACKS, descendants

from .conftest import ROOT

pytestmark = [pytest.mark.slow]

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


def default_signals() -> None:
    """In a child before it runs the command: the signals the tests send handled as from a
    terminal's shell.  A test run started in the background (``make test &``, ``nohup``) hands
    its children SIGINT, SIGQUIT (and SIGHUP) ignored, and a program that finds a signal ignored
    at start keeps ignoring it (GNU make does; so would Python's Ctrl-C): the signal tests would
    then measure how the suite was started rather than the command."""
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


class Command:
    """``python -m plananalysis.run.cli …`` in its own session, its output collected by threads."""

    def __init__(self, args: list[str], tmp_path: Path, program: tuple = ("-m", "plananalysis.run.cli")):
        self.tmp = tmp_path / "tmp"
        self.runtime = tmp_path / "jupyter-runtime"
        self.tmp.mkdir()
        self.runtime.mkdir()
        self.stacks = tmp_path / "stop-stacks.txt"
        env = {**os.environ, "TMPDIR": str(self.tmp), "JUPYTER_RUNTIME_DIR": str(self.runtime),
               "PYTHONPATH": os.pathsep.join([str(ROOT), *[os.path.abspath(p) for p in
                                                           os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]]),
               "PYTHONUNBUFFERED": "1", STOP_STACKS: str(self.stacks)}
        self.process = subprocess.Popen([sys.executable, *program, *args], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True, preexec_fn=default_signals)
        self.out: list[str] = []
        self.err: list[str] = []
        self.seen: dict[int, int] = {}
        for stream, sink in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=lambda s=stream, k=sink: k.extend(iter(s.readline, "")), daemon=True).start()

    def tree(self) -> dict[int, int]:
        found = descendants(self.process.pid)
        self.seen.update(found)
        return found

    def processes(self, marker: str) -> list[int]:
        return [pid for pid in self.tree() if marker in _cmdline(pid)]

    def wait_until(self, predicate, what: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert self.process.poll() is None, f"the command ended early ({what}): {self.output()[-3000:]}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {self.output()[-3000:]}"
            time.sleep(0.3)

    def send(self, sig: int) -> int:
        self.tree()
        if sig == signal.SIGINT:
            os.killpg(self.process.pid, sig)  # Ctrl-C: the terminal signals the whole foreground group
        else:
            os.kill(self.process.pid, sig)    # kill <pid>
        try:
            return self.process.wait(timeout=90)
        finally:
            time.sleep(0.3)  # let the reader threads take the last lines

    def output(self) -> str:
        return "".join(self.out) + "".join(self.err)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        _end_all(self.seen)
        report_forced_stop(self.stacks)


def report_forced_stop(stacks: Path) -> None:
    """A stop that the command had to force (its cleanup waited for something that never came,
    :class:`~plananalysis.run.processes.LastResort`) is what the command is for, not a failure;
    its threads' stacks, which say what the cleanup waited for, are shown in the run's warnings."""
    if stacks.is_file():
        warnings.warn(f"the command's stop was forced after {STOP_GRACE:.0f} s; its threads were:\n"
                      f"{stacks.read_text(errors='replace')[-6000:]}", stacklevel=2)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _alive(seen: dict[int, int]) -> list[str]:
    """The recorded processes still running (same pid and start time, not a zombie)."""
    left = []
    for pid, start in seen.items():
        try:
            raw = Path(f"/proc/{pid}/stat").read_bytes()
        except OSError:
            continue
        fields = raw[raw.rindex(b")") + 2:].split()
        if fields[0] != b"Z" and int(fields[19]) == start:
            left.append(f"{pid}: {_cmdline(pid)[:160]}")
    return left


def _end_all(seen: dict[int, int]) -> None:
    for entry in _alive(seen):
        try:
            os.kill(int(entry.split(":")[0]), signal.SIGKILL)
        except ProcessLookupError:
            pass


def _assert_all_gone(command: Command, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while _alive(command.seen) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(command.seen), f"left running: {_alive(command.seen)}"


def _listening(port: int) -> list[str]:
    """The processes listening on ``port`` (``pid: command``), from ``/proc``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    owners = []
    if inodes:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
                except OSError:
                    continue
                if any(f"socket:[{inode}]" in links for inode in inodes):
                    owners.append(f"{entry.name}: {_cmdline(int(entry.name))[:160]}")
        owners = owners or [f"socket inode(s) {sorted(inodes)}"]
    return owners


def _assert_port_free(port: int) -> None:
    deadline = time.monotonic() + 5  # a listening socket may outlive its process for a moment
    while _listening(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _listening(port), f"still listening on {port}: {_listening(port)}"
    with socket.socket() as sock:  # a new server could take it (as the server binds: SO_REUSEADDR)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()


def _assert_no_temporary_left(command: Command, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (any(command.tmp.iterdir()) or
                                           any(p.name != "jupyter_cookie_secret" for p in command.runtime.iterdir())):
        time.sleep(0.2)
    assert sorted(str(p.relative_to(command.tmp)) for p in command.tmp.rglob("*")) == []
    # jupyter_server keeps its cookie secret there on purpose (logins survive a restart)
    assert sorted(p.name for p in command.runtime.iterdir() if p.name != "jupyter_cookie_secret") == []


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


# ------------------------------------------------------------------ app


def _start_app(tmp_path: Path) -> tuple[Command, int]:
    port = apps.free_port()
    command = Command(["app", "--port", str(port), "--pool-size", "1", "--max-kernels", "6"], tmp_path)
    command.wait_until(lambda: _answers(f"http://127.0.0.1:{port}/"), "the server to answer")
    # the three preheated kernels are running (each executes its app, then waits for a viewer)
    command.wait_until(lambda: len(command.processes("plananalysis.run.kernel")) >= 3, "the preheated kernels")
    assert _cmdline(command.processes("plananalysis.run.server")[0])
    return command, port


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_app_stops_everything_on_a_signal(tmp_path, sig):
    command, port = _start_app(tmp_path)
    try:
        code = command.send(sig)
        assert code == 0, command.output()[-3000:]
        assert "".join(command.out).rstrip().endswith("已停止 (stopped)")
        assert "Traceback" not in command.output(), command.output()[-3000:]
        _assert_all_gone(command)
        _assert_port_free(port)
        _assert_no_temporary_left(command)
    finally:
        command.kill()


def test_app_killed_with_sigkill_takes_its_server_and_kernels_along(tmp_path):
    command, port = _start_app(tmp_path)
    try:
        command.tree()
        os.kill(command.process.pid, signal.SIGKILL)
        command.process.wait(10)
        _assert_all_gone(command)      # the server got SIGTERM (PDEATHSIG) and stopped its kernels
        _assert_port_free(port)
        _assert_no_temporary_left(command)
    finally:
        command.kill()


# ------------------------------------------------------------------ lab


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_lab_stops_jupyterlab_and_its_kernels_on_a_signal(tmp_path, sig):
    port = apps.free_port()
    command = Command(["lab", "--port", str(port)], tmp_path)
    try:
        command.wait_until(lambda: command.out and "token=" in command.out[0], "the token line")
        token = command.out[0].rsplit("token=", 1)[1].strip()
        base = f"http://127.0.0.1:{port}"
        command.wait_until(lambda: _answers(f"{base}/api/status?token={token}"), "JupyterLab to answer")
        request = urllib.request.Request(f"{base}/api/kernels?token={token}", data=json.dumps({"name": "python3"}).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 201
            kernel_id = json.load(response)["id"]

        # the analyst's kernel has started (not still importing: answers kernel_info)
        from jupyter_client.blocking import BlockingKernelClient

        client = BlockingKernelClient(connection_file=str(command.runtime / f"kernel-{kernel_id}.json"))
        client.load_connection_file()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
        finally:
            client.stop_channels()
        assert command.processes("ipykernel")
        code = command.send(sig)
        assert code == 0, command.output()[-3000:]
        assert "Traceback" not in command.output(), command.output()[-3000:]
        _assert_all_gone(command)
        _assert_port_free(port)
        _assert_no_temporary_left(command)
    finally:
        command.kill()


# ------------------------------------------------------------------ review


def _start_review(tmp_path: Path, **how) -> tuple[Command, Path]:
    reports = tmp_path / "reports"
    command = Command(["review", "--as-of", "2023", "--jobs", "2", "--force", "--reports-dir", str(reports)], tmp_path,
                      **how)
    # the workers are running notebooks in their kernels
    command.wait_until(lambda: any("笔记本" in line for line in command.out), "the workers to start", timeout=240)
    command.wait_until(lambda: len(command.processes("ipykernel")) >= 2, "the workers' kernels", timeout=240)
    return command, reports


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_review_stops_its_workers_and_kernels_on_a_signal(tmp_path, sig, code):
    """(SIGHUP: test_a_stop_that_a_finalizer_swallowed_still_stops_the_review, its stop dropped once.)"""
    command, reports = _start_review(tmp_path)
    try:
        assert command.send(sig) == code, command.output()[-3000:]
        errors = [line for line in command.err if line.strip()]
        assert len(errors) == 1 and errors[0].startswith("plananalysis: "), command.err
        assert "Traceback" not in command.output()
        _assert_all_gone(command)
        _assert_no_temporary_left(command)
        # nothing half-written is left in the reports folder, and no previous report was touched
        assert [p.name for p in reports.rglob("*") if p.name.startswith(".tmp-")] == []
    finally:
        command.kill()


#: The review command, with a cleanup after a stop that never ends (its documents process never
#: stops), and the last resort after 6 s rather than STOP_GRACE (time enough, on a loaded machine,
#: for the cleanup to reach the stuck call: the stacks must name it).
_STUCK_CLEANUP = """
import sys, threading
from plananalysis.run import documents, processes
from plananalysis.run.cli import main
processes.STOP_GRACE = 6
documents.DocumentsProcess.stop = lambda self, wait=True: threading.Event().wait()
sys.exit(main(sys.argv[1:]))
"""


def test_a_review_whose_cleanup_is_stuck_still_ends_and_leaves_nothing(tmp_path):
    """The last resort (processes.LastResort): the command ends with the signal's status and its
    one line, its processes are ended, and its janitor removes the temporary folders."""
    command, reports = _start_review(tmp_path, program=("-c", _STUCK_CLEANUP))
    try:
        assert command.send(signal.SIGTERM) == 143, command.output()[-3000:]
        assert [line for line in command.err if line.strip()] == ["plananalysis: 已终止 (terminated)\n"], command.err
        _assert_all_gone(command)
        _assert_no_temporary_left(command)
        assert [p.name for p in reports.rglob("*") if p.name.startswith(".tmp-")] == []
        # what the cleanup waited for, in the stacks written for the forced stop
        assert "<lambda>" in command.stacks.read_text(), command.stacks.read_text()
        command.stacks.unlink()
    finally:
        command.kill()


#: The review command, with its stop lost once: the exception the signal's handler raises is
#: dropped, as Python drops one raised while a ``__del__`` method runs ("Exception ignored in …";
#: seen in the suite: the command carried on with its workers and documents process gone, and
#: waited for ever for the documents process to wake).
_STOP_DROPPED = """
import signal, sys
from plananalysis.run.cli import main
install = signal.signal
def dropping_once(handler):
    def run(signum, frame):
        try:
            handler(signum, frame)
        except KeyboardInterrupt:
            pass
    return run
signal.signal = lambda sig, handler: install(sig, dropping_once(handler) if callable(handler) else handler)
sys.exit(main(sys.argv[1:]))
"""


def test_a_stop_that_a_finalizer_swallowed_still_stops_the_review(tmp_path):
    """A terminal closing (SIGHUP) while the review runs, its exception dropped once: the review
    stops all the same, by itself (no worker is started again, no last resort)."""
    command, reports = _start_review(tmp_path, program=("-c", _STOP_DROPPED))
    try:
        assert command.send(signal.SIGHUP) == 129, command.output()[-3000:]
        assert [line for line in command.err if line.strip()] == ["plananalysis: 终端已关闭，已停止 (hung up)\n"], command.err
        assert not command.stacks.exists(), command.stacks.read_text()   # not the last resort: stopped itself
        assert not any("工作进程意外结束" in line for line in command.out), command.output()[-3000:]
        _assert_all_gone(command)
        _assert_no_temporary_left(command)
        assert [p.name for p in reports.rglob("*") if p.name.startswith(".tmp-")] == []
    finally:
        command.kill()


def test_review_killed_with_sigkill_leaves_no_worker_or_kernel(tmp_path, built_review):
    # a previous review in the folder (shared, copied): the run that follows re-runs one notebook, not all
    shutil.copytree(built_review(2023), tmp_path / "reports" / built_review(2023).parent.name / "2023")
    command, reports = _start_review(tmp_path)
    try:
        command.tree()
        os.kill(command.process.pid, signal.SIGKILL)
        command.process.wait(10)
        _assert_all_gone(command, timeout=30)  # workers watch their parent; kernels poll theirs
        # What a killed run could not remove (its half-written report folder; a kernel folder
        # caught mid-start) is reclaimed by the next run.
        following = subprocess.run([sys.executable, "-m", "plananalysis.run.cli", "review", "--as-of", "2023",
                                    "--jobs", "1", "--only", "overview", "--reports-dir", str(reports)],
                                   cwd=ROOT, capture_output=True, text=True, timeout=600,
                                   env={**os.environ, "TMPDIR": str(command.tmp), "JUPYTER_RUNTIME_DIR": str(command.runtime),
                                        "PYTHONPATH": str(ROOT)})
        assert "Traceback" not in following.stdout + following.stderr, following.stderr[-3000:]
        assert [p.name for p in reports.rglob(".tmp-*")] == []
        _assert_no_temporary_left(command)
    finally:
        command.kill()


def test_a_review_killed_with_sigkill_leaves_no_temporary_folder_behind(tmp_path):
    """SIGKILL of a review left ``reports/<plan>/.tmp-<year>-<pid>`` and the browser's temporary
    folder until the next run (issue 18): the janitor the review leaves behind removes them once
    the review and its workers are gone, with no other run."""
    command, reports = _start_review(tmp_path)
    try:
        command.wait_until(lambda: list(reports.glob("*/.tmp-*")) and list(command.tmp.glob("plananalysis-browser-*")),
                           "the review's temporary folders")
        command.tree()
        os.kill(command.process.pid, signal.SIGKILL)
        command.process.wait(10)
        _assert_all_gone(command, timeout=30)  # the janitor too, once it has cleaned up
        deadline = time.monotonic() + 30
        while list(reports.rglob(".tmp-*")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [p.name for p in reports.rglob(".tmp-*")] == []
        _assert_no_temporary_left(command, timeout=30)
    finally:
        command.kill()


def test_a_review_killed_while_it_decides_what_to_run_leaves_nothing_behind(tmp_path):
    """SIGKILL as soon as the run's first temporary folder exists (the shared contexts' folder,
    made with the worker started ahead, before the command has decided what to run): the janitor
    started with it removes it, and the worker and its kernel end by themselves."""
    reports = tmp_path / "reports"
    command = Command(["review", "--as-of", "2023", "--force", "--reports-dir", str(reports)], tmp_path)
    try:
        command.wait_until(lambda: list(command.tmp.glob("plananalysis-contexts-*")), "the run's first temporary folder",
                           timeout=60)
        command.tree()
        os.kill(command.process.pid, signal.SIGKILL)
        command.process.wait(10)
        _assert_all_gone(command, timeout=30)
        assert [p.name for p in reports.rglob(".tmp-*")] == []
        _assert_no_temporary_left(command, timeout=30)
    finally:
        command.kill()


# ------------------------------------------------------------------ a reports folder that cannot be written


def _can_bind_read_only(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    result = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro {probe} {probe}"],
                            capture_output=True)
    return result.returncode == 0


def test_review_into_a_read_only_folder_is_one_line_and_exit_2(tmp_path):
    if not _can_bind_read_only(tmp_path):
        pytest.skip("needs unshare -m and mount (a private read-only bind; chmod does not stop root)")
    folder = tmp_path / "shared"
    (folder / "reports").mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for target in (folder / "reports", folder / "reports" / "new"):  # an existing and a new folder
        script = (f"mount --bind -o ro {folder} {folder} && exec {sys.executable} -m plananalysis.run.cli review "
                  f"--as-of 2023 --force --reports-dir {target}")
        result = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 2, result.stdout + result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "只读文件系统 (read-only file system)" in lines[0], result.stderr
        assert "Traceback" not in result.stdout + result.stderr
    assert list((folder / "reports").iterdir()) == []


@pytest.mark.parametrize("error", ["ENOSPC", "EROFS"])
def test_review_into_a_full_disk_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, error):
    import errno

    from plananalysis.run import cli

    reports = tmp_path / "reports"
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):  # the disk is full (or read-only) under the reports folder only
        if str(self).startswith(str(reports)):
            raise OSError(getattr(errno, error), os.strerror(getattr(errno, error)), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    code = cli.main(["review", "--as-of", "2023", "--reports-dir", str(reports)])
    captured = capsys.readouterr()
    assert code == 2
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and str(reports) in lines[0], captured.err
    assert ("磁盘已满" if error == "ENOSPC" else "只读文件系统") in lines[0]
    assert "Traceback" not in captured.out + captured.err


# ------------------------------------------------------------------ a write killed half-way


def test_a_file_write_killed_with_sigkill_leaves_a_temporary_the_next_write_removes(tmp_path):
    """``kill -9`` during ``plananalysis data import`` left ``.user.csv.*.tmp`` beside the data
    (issue 15, item 7): the temporary carries its writer's pid, and the next write removes it."""
    from plananalysis.files import write_atomically

    target = tmp_path / "user.csv"
    target.write_bytes(b"old")
    script = ("import os, sys, time; sys.path.insert(0, %r)\n"
              "os.fsync = lambda fd: time.sleep(120)  # hold the write open, mid-way\n"
              "from plananalysis.files import write_atomically\n"
              "write_atomically(%r, b'half')\n") % (str(ROOT), str(target))
    writer = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".user.csv.*.tmp")):
            assert time.monotonic() < deadline and writer.poll() is None
            time.sleep(0.05)
    finally:
        writer.kill()
        writer.wait()
    assert target.read_bytes() == b"old" and list(tmp_path.glob(".user.csv.*.tmp"))
    write_atomically(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["user.csv"] and target.read_bytes() == b"new"
