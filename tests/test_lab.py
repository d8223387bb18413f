"""`make lab`: JupyterLab answers on 127.0.0.1 with the project kernel listed, then stops."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from plananalysis.run import apps

from .conftest import ROOT

pytestmark = pytest.mark.slow


def test_lab_serves_jupyterlab_with_the_project_kernel():
    port = apps.free_port()
    proc = subprocess.Popen([sys.executable, "-m", "plananalysis.run.cli", "lab", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        first = proc.stdout.readline()
        token = re.search(r"token=([0-9a-f]+)", first).group(1)
        assert f"http://127.0.0.1:{port}/lab" in first and "explore.ipynb" in first
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5) as r:
                    page = r.read().decode("utf-8", "replace")
                    assert r.status == 200 and "JupyterLab" in page
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "JupyterLab did not answer"
                time.sleep(0.5)
        # no "notified about official Jupyter news?" pop-up: the announcements plugin is disabled
        config = json.loads(re.search(r"id=.jupyter-config-data.[^>]*>\s*(.*?)\s*</script>", page, re.S).group(1))
        assert "@jupyterlab/apputils-extension:announcements" in config["disabledExtensions"], config["disabledExtensions"]
        assert config["news"] == {"disabled": True}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}", timeout=10) as r:
            specs = json.load(r)["kernelspecs"]
        names = {s["spec"]["display_name"] for s in specs.values()}
        assert any("plananalysis" in name for name in names), names
        with pytest.raises(urllib.error.HTTPError):  # the token is required
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernelspecs", timeout=10)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_widgets_render_in_jupyterlab():
    """The apps' ipywidgets need the widget manager lab extension; Voilà's preview is there too."""
    result = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"],
                            capture_output=True, text=True, cwd=ROOT)
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert re.search(r"@jupyter-widgets/jupyterlab-manager v\S+ enabled OK", listing), listing
    assert re.search(r"@voila-dashboards/jupyterlab-preview v\S+ enabled OK", listing), listing
