"""Headless Chromium for tests: Debian's chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@contextlib.contextmanager
def chromium():
    """A launched browser; skips the test with the reason when chromium is missing."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser, allowed_prefixes=("file://",)):
    """A page whose requests outside ``allowed_prefixes`` are aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    blocked: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(allowed_prefixes) or url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", guard)
    return page, blocked


@contextlib.contextmanager
def voila_server(log_dir: Path, pool_size: int, **options):
    """The apps served as `plananalysis app` serves them, on a free port; yields (url, log path).
    ``options`` go to :func:`plananalysis.run.apps.serve` (``max_kernels=…``, ``reports_dir=…``)."""
    from plananalysis.run import apps

    port = apps.free_port()
    log = log_dir / "voila.log"
    with open(log, "w", encoding="utf-8") as handle:
        process = apps.serve(port=port, pool_size=pool_size, stdout=handle, stderr=handle, **options)
        try:
            apps.wait_until_ready(process, "127.0.0.1", port)
            yield f"http://127.0.0.1:{port}", log
        finally:
            apps.stop(process)
