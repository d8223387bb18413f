"""Speed and load of the Voilà apps (``make bench`` runs it; figures only, no assertions).

    .venv/bin/python bench/bench_apps.py [--loads 5] [--sessions 20]

1. navigation → scorecard fully drawn (25 cards, counts, sparklines), median of ``--loads``,
   with preheated kernels (pool refilled between loads) and without;
2. widget change → redrawn: explorer indicator (new chart), explorer method (new verdict),
   scenarios slider (new projection and chart);
3. memory (RSS) per app kernel;
4. ``--sessions`` scorecard sessions opened at once (all must render; the slowest reported),
   then the kernels and memory after the pages close and culling has run.

Targets on a 2-core machine: first draw < 1.5 s preheated, a change redrawn < 200 ms,
20 concurrent sessions all rendered.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from plananalysis.run import apps# noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTLE = 1.5  # seconds a new tab is left before navigating (see first_draw)
DRAWN = ("document.querySelectorAll('.pa-card').length === 25 && "
         "document.querySelectorAll('.pa-card svg').length >= 10 && "
         "document.querySelectorAll('.pa-chip').length > 0")


class Server:
    def __init__(self, pool_size: int, cull_idle_timeout: int = 600, cull_interval: int = 60):
        self.port = apps.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(Path("/tmp") / f"bench-voila-{self.port}.log", "w")
        self.process = apps.serve(port=self.port, pool_size=pool_size, cull_idle_timeout=cull_idle_timeout,
                                  cull_interval=cull_interval, stdout=self.log, stderr=subprocess.STDOUT)
        apps.wait_until_ready(self.process, "127.0.0.1", self.port)

    def kernels(self) -> list[psutil.Process]:
        return [p for p in psutil.Process(self.process.pid).children(recursive=True)
                if "ipykernel" in " ".join(p.cmdline())]

    def wait_pool(self, expected: int, timeout: float = 120) -> None:
        """Wait until ``expected`` kernels are alive and idle (pool filled and run)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kernels = self.kernels()
            if len(kernels) >= expected and all(k.cpu_percent(0.3) < 5 for k in kernels):
                return
            time.sleep(0.5)

    def close(self) -> None:
        apps.stop(self.process)
        self.log.close()


def mib(processes) -> float:
    return sum(p.memory_info().rss for p in processes) / 2**20


def first_draw(browser, url: str, settle: float = SETTLE) -> float:
    """Seconds from navigation to the scorecard fully drawn, in a fresh context (empty cache:
    a first visit). The new tab is first left ``settle`` seconds: Chromium loads its own
    pages for a new tab (omnibox and search-box WebUI, ≈0.2 s of a core), which a viewer's
    browser has done long before they click a link."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    time.sleep(settle)
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(DRAWN, timeout=180_000, polling=20)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def change_times(browser, base: str, repeats: int) -> dict[str, list[float]]:
    from plananalysis import widgets as W

    out = {"explorer indicator → chart": [], "explorer method → verdict": [], "scenario slider → numbers": [],
           "scenario slider → chart": []}
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(apps.app_url("explorer", base), wait_until="commit")
    page.wait_for_selector(".pa-chart svg")
    labels = dict((v, k) for k, v in W.explorer_choices(lang="zh"))
    plan = W.app_data()[0]
    ids = ["culture_industry_share", "higher_education_enrolment", "sports_industry_share",
           "life_expectancy", "reading_rate", "urbanisation_rate"][:max(2, repeats)]
    for indicator_id in ids:
        name = plan.indicator(indicator_id)["name_zh"]
        start = time.perf_counter()
        page.locator(".pa-indicator select").select_option(label=labels[indicator_id])
        page.wait_for_function("n => document.querySelector('.pa-chart').innerHTML.includes(n)", arg=name, polling=5)
        out["explorer indicator → chart"].append(time.perf_counter() - start)
    methods = ["SDSN", "Eurostat", "Open SDG", "序时进度（国内）"] * 2
    codes = {"SDSN": "sdsn", "Eurostat": "eurostat", "Open SDG": "open-sdg", "序时进度（国内）": "cn-schedule"}
    for label in methods[:max(2, repeats)]:
        start = time.perf_counter()
        page.locator(".pa-method button", has_text=label).click()
        page.wait_for_function("m => document.querySelector('.pa-method-table tr.pa-current').dataset.method === m",
                               arg=codes[label], polling=5)
        out["explorer method → verdict"].append(time.perf_counter() - start)
    page.goto(apps.app_url("scenarios", base), wait_until="commit")
    page.wait_for_selector(".pa-scenario-chart svg")
    for value in [0.2, -0.5, 1.5, 0.8, -1.0, 0.4, 1.1, -0.2][:max(2, repeats)]:
        expected = W.common._fmt(W.scenario_outcome("urbanisation_rate", value)["projected"], 3)
        readout = page.locator(".pa-slider .widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
        start = time.perf_counter()
        page.keyboard.press("Enter")
        page.wait_for_function("t => document.querySelector('.pa-projected').innerText.includes(t)", arg=expected,
                               polling=5)
        out["scenario slider → numbers"].append(time.perf_counter() - start)
        page.wait_for_function("t => document.querySelector(`.pa-scenario-chart [data-projection='${t}'] svg`)",
                               arg=expected, polling=5)
        out["scenario slider → chart"].append(time.perf_counter() - start)
    context.close()
    return out


def concurrent(browser, url: str, sessions: int, while_open=None) -> tuple[list[float], int]:
    """Open ``sessions`` pages at once (one context each, one browser), wait until every one
    is drawn (or 600 s), call ``while_open()``, then close them."""
    contexts, pages, starts, times = [], [], [], {}
    for _ in range(sessions):
        context = browser.new_context()
        contexts.append(context)
        pages.append(context.new_page())
    for page in pages:  # navigation starts without waiting for the previous page
        starts.append(time.perf_counter())
        page.evaluate(f"window.location.href = {url!r}")
    deadline = time.monotonic() + 600
    while len(times) < sessions and time.monotonic() < deadline:
        for i, page in enumerate(pages):
            if i in times:
                continue
            try:
                if page.evaluate(DRAWN):
                    times[i] = time.perf_counter() - starts[i]
            except Exception:  # noqa: BLE001 - page still navigating
                pass
        time.sleep(0.1)
    if while_open:
        while_open()
    for context in contexts:
        context.close()
    return list(times.values()), sessions - len(times)


def fmt(values: list[float]) -> str:
    return (f"median {statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"
            if values else "—")


def _exit_on_term(*_):
    raise SystemExit(143)  # run the finally blocks: servers and their kernels are stopped


def main(argv=None) -> int:
    import signal

    signal.signal(signal.SIGTERM, _exit_on_term)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--pool-size", type=int, default=1)
    parser.add_argument("--only-burst", action="store_true", help="only the concurrent sessions")
    parser.add_argument("--no-burst", action="store_true", help="skip the concurrent sessions")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    print(f"machine: {psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        if not args.only_burst:
            single_user(browser, args)

        # 4. concurrent sessions, then culling
        if not args.no_burst:
            burst(browser, args.sessions)
        browser.close()
    return 0


def single_user(browser, args) -> None:
    """Sections 1–3: first draw with and without preheating, widget changes, memory."""
    results = {}
    # 1a. preheated
    server = Server(pool_size=args.pool_size)
    try:
        server.wait_pool(3 * args.pool_size)
        kernels = server.kernels()
        per_kernel = [k.memory_info().rss / 2**20 for k in kernels]
        print(f"memory per preheated app kernel: {statistics.median(per_kernel):.0f} MiB "
              f"(min {min(per_kernel):.0f}, max {max(per_kernel):.0f}, n={len(per_kernel)}); "
              f"server {psutil.Process(server.process.pid).memory_info().rss / 2**20:.0f} MiB")
        used = 0

        def load(settle: float = SETTLE) -> float:
            nonlocal used
            elapsed = first_draw(browser, apps.app_url("scorecard", server.base), settle=settle)
            used += 1  # each used kernel stays (until culled); the next load waits for the refill
            server.wait_pool(3 * args.pool_size + used)
            return elapsed

        pre = [load() for _ in range(args.loads)]
        results["preheated"] = pre
        print(f"scorecard first draw, preheated (pool {args.pool_size}): {fmt(pre)}")
        print(f"  the same, counting the new tab's own start-up: {fmt([load(0) for _ in range(args.loads)])}")
        changes = change_times(browser, server.base, args.loads)
        for name, values in changes.items():
            print(f"{name}: {fmt(values)}")
    finally:
        server.close()

    # 1b. no preheating
    server = Server(pool_size=0)
    try:
        cold = [first_draw(browser, apps.app_url("scorecard", server.base)) for _ in range(args.loads)]
        results["cold"] = cold
        print(f"scorecard first draw, no preheat: {fmt(cold)}")
        print(f"ratio no-preheat / preheated (medians): "
              f"{statistics.median(cold) / statistics.median(results['preheated']):.1f}×")
    finally:
        server.close()


def burst(browser, sessions: int) -> None:
    # the idle timeout must outlast the slowest page of the burst: a kernel whose page has not
    # connected yet counts as idle with 0 connections and would be culled under the page
    cull_idle, cull_every = 120, 10
    server = Server(pool_size=2, cull_idle_timeout=cull_idle, cull_interval=cull_every)
    try:
        server.wait_pool(6)
        base_mem = psutil.virtual_memory().used / 2**20
        snapshot = {}

        def measure():
            snapshot["kernels"] = len(server.kernels())
            snapshot["kernel_mib"] = mib(server.kernels())

        start = time.perf_counter()
        times, failures = concurrent(browser, apps.app_url("scorecard", server.base), sessions, measure)
        wall = time.perf_counter() - start
        print(f"{sessions} concurrent sessions: {len(times)} rendered, {failures} failed; "
              f"slowest {max(times) if times else float('nan'):.1f} s, {fmt(times)}; wall {wall:.1f} s")
        print(f"  while open: {snapshot['kernels']} kernels, {snapshot['kernel_mib']:.0f} MiB in kernels")
        time.sleep(cull_idle + 2 * cull_every + 5)
        after = server.kernels()
        print(f"  after closing + culling (idle {cull_idle} s, every {cull_every} s): {len(after)} kernels "
              f"({mib(after):.0f} MiB; the preheated pool stays), system memory "
              f"{psutil.virtual_memory().used / 2**20 - base_mem:+.0f} MiB vs before the burst")
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
