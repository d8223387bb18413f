"""``plananalysis app`` (what ``make app`` runs), as an operator uses it: start, serve, Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request

import psutil

from plananalysis.run import apps

from .conftest import DATA, ROOT


def test_the_app_command_serves_and_stops_cleanly_on_ctrl_c():
    port = apps.free_port()
    # --plan as a folder relative to where the command runs: the server and its kernels get it absolute
    command = subprocess.Popen([sys.executable, "-m", "plananalysis.run.cli", "app", "--port", str(port),
                                "--pool-size", "1", "--plan", "data/plans/zj-social-14th"], cwd=DATA.parent,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/api/contents", timeout=5) as response:
                    listing = json.load(response)
                break
            except OSError:
                assert time.monotonic() < deadline and command.poll() is None, "the server did not start"
                time.sleep(0.3)
        assert sorted(item["name"] for item in listing["content"]) == sorted(f"{n}.ipynb" for n in apps.APPS)
        # wait until each app's preheated kernel has run its notebook and waits for a viewer
        seen = []
        while sum("is filled with 1 kernel" in line for line in seen) < len(apps.APPS):
            line = command.stdout.readline()
            assert line and time.monotonic() < deadline, "the kernel pool was not filled"
            seen.append(line)
        server = psutil.Process(command.pid).children()[0]
        processes = [server, *server.children(recursive=True)]
        kernels = [p for p in processes if "plananalysis.run.kernel" in " ".join(p.cmdline())]
        assert len(kernels) == len(apps.APPS)
        for process in (server, kernels[0]):
            assert process.environ()["PLANANALYSIS_PLAN"] == str(DATA / "plans" / "zj-social-14th")
        command.send_signal(signal.SIGINT)  # Ctrl-C in the terminal
        output, _ = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
    assert command.returncode == 0
    output = "".join(seen) + output
    assert "127.0.0.1:" + str(port) in output and output.rstrip().endswith("已停止 (stopped)")
    assert "Traceback" not in output, output[-2000:]
    assert not [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_bad_options_are_one_line_and_exit_2():
    for options, words in ((["--plan", "no-such-plan"], "no-such-plan"), (["--max-kernels", "3"], "--max-kernels"),
                           (["--base-url", "plan"], "--base-url"), (["--port", "70000"], "port")):
        result = subprocess.run([sys.executable, "-m", "plananalysis.run.cli", "app", *options], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, (options, result.stdout, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and words in lines[0] and "Traceback" not in result.stderr, result.stderr
