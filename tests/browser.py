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
