"""``make app`` and ``make review`` under real signals, and what the Makefile passes (issue 18).

GNU make forwards SIGTERM to its child, but on SIGINT, SIGHUP or SIGQUIT sent to make's pid alone
(``timeout -s INT make app``, ``kill -INT <make>``) it only waits for its child; killed (SIGKILL)
it leaves its child running.  Before the fix, ``make app`` then left the command, the server and
its kernels running, and ``make review`` carried on.  Each test runs the real ``make`` on the
project's Makefile in its own session (as from a terminal), waits until the command has started
what it starts, records the whole process tree from ``/proc``, signals make's pid only, and checks
that make ends, that no process of the tree is left, and that no temporary folder is left.

make's prerequisites are not remade (``-o``: the venv stamp, fonts, browser), so a test measures
the signal handling only; the command writes into and reads from folders of the test's own
(``REPORTS=…``, ``TMPDIR``), never the checkout's ``reports/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from plananalysis.run import apps
from plananalysis.run.processes import STOP_STACKS

from .conftest import PLAN_DIR, ROOT
from .test_processes import Command, _alive, _answers, _assert_port_free, _end_all, default_signals, report_forced_stop

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")]

def _as_from_a_terminal() -> None:
    """make's signals as a terminal's shell leaves them (:func:`default_signals`), and no core
    file in the checkout (make re-raises SIGQUIT on itself)."""
    import resource

    default_signals()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


STAMP = f".venv/.installed-{hashlib.sha1((ROOT / 'pyproject.toml').read_bytes()).hexdigest()[:12]}"


class Make(Command):
    """``make <target> VAR=value…`` on the project's Makefile, in its own session."""

    def __init__(self, target: str, tmp_path: Path, variables: dict, wrapper: tuple = ()):
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.stacks = tmp_path / "stop-stacks.txt"
        env = {**os.environ, "TMPDIR": str(self.tmp), "JUPYTER_RUNTIME_DIR": str(self.tmp / "runtime"),
               "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", STOP_STACKS: str(self.stacks)}
        env.pop("MAKEFLAGS", None)  # run under `make test`: this make is not a sub-make of that one
        env.pop("MAKELEVEL", None)
        (self.tmp / "runtime").mkdir(exist_ok=True)
        command = [*wrapper, "make", "--no-print-directory", "-o", STAMP, "-o", "fonts", "-o", "browser", target,
                   *[f"{name}={value}" for name, value in variables.items()]]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True,
                                        preexec_fn=_as_from_a_terminal)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(iter(self.process.stdout.readline, "")), daemon=True).start()
        self.seen: dict[int, int] = {}

    def output(self) -> str:
        return "".join(self.lines)

    def stop(self, sig: int) -> int:
        """Send ``sig`` to make's pid (only); make's exit status (a negative signal number)."""
        self.tree()
        os.kill(self.process.pid, sig)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"make did not end after {signal.Signals(sig).name}: {self.output()[-3000:]}")

    def assert_all_gone(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while _alive(self.seen) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(self.seen), f"left running after make: {_alive(self.seen)}"

    def assert_no_temporary_left(self, *folders: Path, timeout: float = 15) -> None:
        def left() -> list[str]:
            found = [str(p.relative_to(self.tmp)) for p in self.tmp.rglob("*")
                     if p != self.tmp / "runtime" and p.name != "jupyter_cookie_secret"]
            return found + [str(p) for folder in folders for p in folder.rglob(".tmp-*")]

        deadline = time.monotonic() + timeout
        while left() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left() == []

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        _end_all(self.seen)
        report_forced_stop(self.stacks)


# ------------------------------------------------------------------ make app

# timeout's own expiry is SIGALRM: sent to `timeout` it does at once what `timeout -s INT 600`
# does after 600 s (SIGINT to make, then to its process group)
APP_STOPS = {"timeout -s INT": ("timeout", signal.SIGALRM), "kill -INT": ((), signal.SIGINT),
             "kill -HUP": ((), signal.SIGHUP), "kill -TERM": ((), signal.SIGTERM), "kill -QUIT": ((), signal.SIGQUIT),
             "kill -KILL": ((), signal.SIGKILL)}


@pytest.mark.parametrize("how", list(APP_STOPS))
def test_make_app_ends_with_make_and_leaves_nothing_running(tmp_path, how):
    wrapper, sig = APP_STOPS[how]
    port = apps.free_port()
    make = Make("app", tmp_path, {"PORT": port, "REPORTS": tmp_path / "reports"},
                wrapper=("timeout", "-s", "INT", "600") if wrapper else ())
    try:
        make.wait_until(lambda: _answers(f"http://127.0.0.1:{port}/"), "the server to answer")
        make.wait_until(lambda: make.processes("plananalysis.run.kernel"), "a preheated kernel")
        command = make.processes("plananalysis app")
        assert command, make.output()
        if not wrapper:  # the recipe exec's the command: make is its parent
            assert Path(f"/proc/{command[0]}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(make.process.pid)
        code = make.stop(sig)
        assert code != 0
        make.assert_all_gone()
        _assert_port_free(port)
        make.assert_no_temporary_left()
        assert "Traceback" not in make.output(), make.output()[-3000:]
        if sig != signal.SIGKILL:
            assert "已停止 (stopped)" in make.output(), make.output()[-3000:]
    finally:
        make.kill()


# ------------------------------------------------------------------ make review


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP, signal.SIGKILL], ids=lambda s: signal.Signals(s).name)
def test_make_review_stops_when_make_is_signalled_or_killed(tmp_path, sig):
    reports = tmp_path / "reports"
    make = Make("review", tmp_path, {"AS_OF": 2023, "JOBS": 1, "REPORTS": reports})
    try:
        # the worker runs notebooks in its kernel, into the review's temporary folder
        make.wait_until(lambda: make.processes("ipykernel") and list(reports.glob("*/.tmp-*")),
                        "the worker's kernel", timeout=240)
        make.stop(sig)
        make.assert_all_gone()          # the review did not carry on
        make.assert_no_temporary_left(reports)
        assert not (reports / "zj-social-14th" / "2023").exists()
        # the review's own last line: it was stopped as if signalled itself (SIGKILL of make: SIGTERM)
        expected = {signal.SIGINT: "已中断 (interrupted)", signal.SIGHUP: "终端已关闭，已停止 (hung up)",
                    signal.SIGKILL: "已终止 (terminated)"}[sig]
        deadline = time.monotonic() + 10
        while expected not in make.output() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert expected in make.output(), make.output()[-3000:]
        assert "Traceback" not in make.output(), make.output()[-3000:]
    finally:
        make.kill()


# ------------------------------------------------------------------ what the Makefile passes


def _make_now(tmp_path: Path, target: str, **variables) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    return subprocess.run(["make", "--no-print-directory", "-o", STAMP, "-o", "fonts", "-o", "browser", target,
                           *[f"{name}={value}" for name, value in variables.items()]],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("plan", ["x; touch {marker}; true", "$(shell touch {marker})", "`touch {marker}`",
                                  "$$(touch {marker})", "x' ; touch {marker}; echo '", 'x" && touch {marker} && "'],
                         ids=["semicolon", "make-shell", "backticks", "dollar-paren", "single-quote", "double-quote"])
@pytest.mark.parametrize("target", ["review", "app"])
def test_a_plan_name_is_never_a_command(tmp_path, plan, target):
    marker = tmp_path / "PWNED"
    result = _make_now(tmp_path, target, PLAN=plan.format(marker=marker), REPORTS=tmp_path / "reports")
    assert not marker.exists(), result.stdout + result.stderr
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("plananalysis:")]
    assert len(errors) == 1 and "plan" in errors[0], result.stderr   # the CLI's own "no such plan" line
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "reports").exists()


def test_a_plan_folder_with_a_space_and_a_quote_in_its_path_is_one_argument(tmp_path):
    folder = tmp_path / "my plans" / "it's here"
    shutil.copytree(PLAN_DIR, folder / PLAN_DIR.name)
    plan = folder / PLAN_DIR.name
    # the plan is read (a bad plan would stop here), then the bad port or year is refused: one line each
    result = _make_now(tmp_path, "app", PLAN=plan, PORT=70000)
    assert result.returncode != 0 and "port out of range" in result.stderr, result.stderr
    result = _make_now(tmp_path, "review", PLAN=plan, AS_OF=1999, REPORTS=tmp_path / "reports")
    lines = [line for line in result.stderr.splitlines() if line.startswith("plananalysis:")]
    assert len(lines) == 1 and "1999" in lines[0] and "plan =" not in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_numbers_and_hosts_are_passed_as_one_word(tmp_path):
    marker = tmp_path / "PWNED"
    for variables in ({"PORT": f"1; touch {marker}"}, {"HOST": f"127.0.0.1; touch {marker}", "PORT": 70000},
                      {"AS_OF": f"2023; touch {marker}"}, {"JOBS": f"1 --force; touch {marker}"}):
        result = _make_now(tmp_path, "app" if "PORT" in variables or "HOST" in variables else "review",
                           REPORTS=tmp_path / "reports", **variables)
        assert result.returncode == 2, (variables, result.stderr)
        assert not marker.exists()
        assert "Traceback" not in result.stderr
