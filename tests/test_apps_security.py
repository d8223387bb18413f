"""What a viewer's browser can reach on the apps server, tested against a real Voilà.

The server runs as ``plananalysis app`` runs it (:func:`plananalysis.run.apps.serve`), on a free
port, without preheated kernels (each render starts its own kernel, as a burst beyond the
pool would).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest
import requests


from .browser import voila_server

pytestmark = [pytest.mark.slow]

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with voila_server(tmp_path_factory.mktemp("voila"), pool_size=0) as served:
        yield served


def _get(base: str, path: str) -> requests.Response:
    return requests.get(base + path, timeout=60, allow_redirects=False)


def _kernel_id(page: str) -> str:
    config = re.search(r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>',
                       page, re.S)
    assert config, "the rendered page carries its kernel id"
    return json.loads(config.group(1))["kernelId"]


# Paths a curious viewer might try.  None may answer with a file, a listing of kernels or
# sessions, a terminal or a notebook interface.
FORBIDDEN = [
    "/voila/files/scorecard.ipynb",
    "/voila/files/explorer.ipynb",
    "/voila/files/../../data/observed/observed-zhejiang.csv",
    "/voila/files/%2e%2e/%2e%2e/data/observed/observed-zhejiang.csv",
    "/voila/files/../../plananalysis/widgets/scenarios.py",
    "/voila/files/../../data/plans/zj-social-14th/indicators.csv",
    "/voila/static/../../../../data/observed/observed-zhejiang.csv",
    "/voila/templates/../../../data/observed/observed-zhejiang.csv",
    "/files/scorecard.ipynb",
    "/scorecard.ipynb",
    "/data/observed/observed-zhejiang.csv",
    "/api/contents",
    "/api/contents/scorecard.ipynb",
    "/api/kernels",
    "/api/sessions",
    "/api/terminals",
    "/terminals/1",
    "/api/kernelspecs",
    "/tree",
    "/lab",
    "/notebooks/scorecard.ipynb",
    "/edit/scorecard.ipynb",
    "/nbconvert/html/scorecard.ipynb",
]


@pytest.mark.parametrize("path", FORBIDDEN)
def test_no_file_listing_or_console_is_reachable(server, path):
    base, _ = server
    response = _get(base, path)
    assert response.status_code in (403, 404, 405), (path, response.status_code, response.text[:200])
    # nothing of a notebook, a data file or the package comes back
    for marker in ("plananalysis.widgets", "indicator_id,", "source_url", '"cells"', "def scorecard"):
        assert marker not in response.text, (path, marker)


def test_only_the_three_apps_are_listed(server):
    base, _ = server
    listing = _get(base, "/voila/api/contents")
    assert listing.status_code == 200
    names = sorted(item["name"] for item in listing.json()["content"])
    assert names == ["explorer.ipynb", "scenarios.ipynb", "scorecard.ipynb"]
    # the contents API of Voilà gives names only, never a notebook's cells
    one = _get(base, "/voila/api/contents/scorecard.ipynb")
    assert one.status_code in (200, 403, 404)
    assert "scorecard_app" not in one.text and "plananalysis" not in one.text


def test_rendered_page_has_no_source_and_no_traceback(server):
    base, _ = server
    page = _get(base, "/voila/render/scorecard.ipynb?lang=zh").text
    assert "application/vnd.jupyter.widget-view+json" in page   # the app's widget was displayed
    assert '"output_type": "error"' not in page
    assert "scorecard_app" not in page            # sources stripped
    assert "from plananalysis" not in page
    assert "Traceback" not in page


def test_error_in_the_page_shows_no_traceback(server):
    base, log = server
    # an unknown app is a 404 page, not a Python traceback
    response = _get(base, "/voila/render/nope.ipynb")
    assert response.status_code == 404
    assert "Traceback" not in response.text and "File \"" not in response.text


def test_other_sessions_kernels_cannot_be_listed_or_guessed(server):
    base, _ = server
    page = _get(base, "/voila/render/explorer.ipynb").text
    kernel_id = _kernel_id(page)
    assert _get(base, "/api/kernels").status_code in (403, 404)
    assert _get(base, "/api/sessions").status_code in (403, 404)
    # a made-up kernel id answers nothing
    assert _get(base, f"/api/kernels/{uuid.uuid4()}").status_code in (403, 404)
    # ids are random UUIDs (122 bits): another viewer's kernel is reachable only by its id
    assert uuid.UUID(kernel_id).version == 4


def test_kernel_refuses_code_sent_by_the_page(server, tmp_path):
    """An execute_request over the kernel websocket is dropped; kernel_info still answers."""
    import websocket  # websocket-client

    base, _ = server
    page = _get(base, "/voila/render/explorer.ipynb").text
    kernel_id = _kernel_id(page)
    marker = tmp_path / "executed.txt"
    ws = websocket.create_connection(
        base.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels", timeout=10)
    try:
        def message(msg_type: str, content: dict) -> dict:
            msg_id = uuid.uuid4().hex
            return {"header": {"msg_id": msg_id, "msg_type": msg_type, "username": "viewer",
                               "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
                    "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
                    "buffers": []}

        code = f"open({str(marker)!r}, 'w').write('ran')"
        execute = message("execute_request", {"code": code, "silent": False, "store_history": False,
                                              "user_expressions": {}, "allow_stdin": False,
                                              "stop_on_error": True})
        info = message("kernel_info_request", {})
        ws.send(json.dumps(execute))
        ws.send(json.dumps(info))
        replies = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                raw = ws.recv()
            except websocket.WebSocketTimeoutException:
                break
            if isinstance(raw, bytes):
                continue
            reply = json.loads(raw)
            replies.append(reply["header"]["msg_type"])
            if reply["header"]["msg_type"] == "kernel_info_reply":
                break
        time.sleep(2)  # give a (wrongly) accepted execution time to write the file
    finally:
        ws.close()
    assert "kernel_info_reply" in replies          # the channel works…
    assert "execute_reply" not in replies          # …but code is never run
    assert "execute_input" not in replies
    assert not marker.exists()
