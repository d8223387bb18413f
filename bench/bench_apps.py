"""Speed and load of the Voilà apps (``make bench`` runs it; figures only, no assertions).

    .venv/bin/python bench/bench_apps.py [--loads 5] [--sessions 20] [--viewers 30]

1. navigation → scorecard fully drawn (25 cards, counts, sparklines), median of ``--loads``,
   with preheated kernels (pool refilled between loads) and without;
2. widget change → redrawn: explorer indicator (new chart), explorer method (new verdict),
   scenarios slider (new projection and chart);
3. memory (RSS) per app kernel;
4. ``--sessions`` interactive scorecard sessions opened at once, with the server's kernel cap:
   how many drew, how many got the wait page, kernels and memory while open, and after the
   pages close (their kernels are shut down ``disconnected_timeout`` seconds later);
5. **the meeting room**: ``--viewers`` (30) viewers opening the scorecard link (``/scorecard``,
   the static page) within ``--window`` (10) seconds: median and slowest time to drawn,
   kernels started, the server's peak memory and CPU seconds, the browsers' CPU seconds
   (``--meeting-path /voila/render/scorecard.ipynb`` runs the same against the interactive app).

Time to drawn is measured in the page: navigation start → 25 cards, their sparklines and the
status counts present (checked every 50 ms by a script Playwright adds to each page).  The
server's and the browsers' CPU are read from ``/proc`` (the server's process tree, kernels
included, and the rest of this process's tree: Chromium and Playwright's driver).

Targets on a 2-core machine: first draw < 1.5 s preheated, a change redrawn < 200 ms,
thirty viewers in a meeting room each drawn within 10 s, server memory bounded by the cap.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from plananalysis.run import apps  # noqa: E402
from plananalysis.run.processes import descendants  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTLE = 1.5  # seconds a new tab is left before navigating (see first_draw)
DRAWN = ("document.querySelectorAll('.pa-card').length === 25 && "
         "document.querySelectorAll('.pa-card svg').length >= 10 && "
         "document.querySelectorAll('.pa-chip').length > 0")


class Server:
    def __init__(self, pool_size: int, cull_idle_timeout: int = 600, cull_interval: int = 60, **options):
        self.port = apps.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(Path("/tmp") / f"bench-voila-{self.port}.log", "w")
        self.process = apps.serve(port=self.port, pool_size=pool_size, cull_idle_timeout=cull_idle_timeout,
                                  cull_interval=cull_interval, stdout=self.log, stderr=subprocess.STDOUT, **options)
        apps.wait_until_ready(self.process, "127.0.0.1", self.port)

    def kernels(self) -> list[psutil.Process]:
        found = []
        for p in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if any(k in " ".join(p.cmdline()) for k in ("ipykernel", "plananalysis.run.kernel")):
                    found.append(p)
            except psutil.NoSuchProcess:
                pass
        return found

    def wait_static(self, timeout: float = 180) -> None:
        """Wait until the static scorecard (drawn at start-up) is served."""
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/scorecard", timeout=5) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError:
                pass
            time.sleep(0.5)

    def wait_pool(self, expected: int, timeout: float = 120) -> None:
        """Wait until ``expected`` kernels are alive and idle (pool filled and run)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kernels = self.kernels()
            try:
                if len(kernels) >= expected and all(k.cpu_percent(0.3) < 5 for k in kernels):
                    return
            except psutil.NoSuchProcess:   # a kernel ended meanwhile (culled, replaced): look again
                pass
            time.sleep(0.5)

    def close(self) -> None:
        apps.stop(self.process)
        self.log.close()


def rss(process) -> int:
    """A process's resident memory in bytes; 0 once it has ended."""
    try:
        return process.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def mib(processes) -> float:
    return sum(rss(p) for p in processes) / 2**20


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
    page.wait_for_function("() => " + DRAWN, timeout=180_000, polling=20)
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
    # the app opens on the plan's first indicator: choose the one the expected figures are for
    # (computed here as the app computes them, from the latest review due and the year before the
    # plan's end)
    urbanisation = plan.indicator("urbanisation_rate")
    page.locator(".pa-choice select").select_option(label=f"{int(urbanisation['no'])}. {urbanisation['name_zh']}")
    page.wait_for_function("n => [...document.querySelectorAll('.pa-scenario h3')].some(h => h.innerText.includes(n))",
                           arg=urbanisation["name_zh"], polling=20)
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


def concurrent(browser, url: str, sessions: int, while_open=None, timeout: float = 600) -> tuple[list[float], int]:
    """Open ``sessions`` pages at once (one context each, one browser), wait until every one
    is drawn (or ``timeout`` s), call ``while_open()``, then close them."""
    contexts, pages, starts, times = [], [], [], {}
    for _ in range(sessions):
        context = browser.new_context()
        contexts.append(context)
        pages.append(context.new_page())
    for page in pages:  # navigation starts without waiting for the previous page
        starts.append(time.perf_counter())
        page.evaluate(f"window.location.href = {url!r}")
    deadline = time.monotonic() + timeout
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
    parser.add_argument("--viewers", type=int, default=30, help="the meeting room's viewers")
    parser.add_argument("--window", type=float, default=10.0, help="seconds over which they arrive")
    parser.add_argument("--meeting-path", default="/scorecard", help="what the meeting room opens")
    parser.add_argument("--only-meeting", action="store_true", help="only the meeting room")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    print(f"machine: {psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        if not args.only_burst and not args.only_meeting:
            single_user(browser, args)

        # 4. concurrent sessions, then culling
        if not args.no_burst and not args.only_meeting:
            burst(browser, args.sessions)
        # 5. the meeting room
        if not args.only_burst:
            meeting_room(browser, args.viewers, args.window, args.meeting_path)
        browser.close()
    # 6. a flood of plain GETs
    if not args.only_burst and not args.only_meeting:
        flood()
    return 0


def single_user(browser, args) -> None:
    """Sections 1–3: first draw with and without preheating, widget changes, memory."""
    results = {}
    # 1a. preheated (no kernel cap: each load leaves its kernel behind, as the loads follow each other)
    server = Server(pool_size=args.pool_size, max_kernels=0)
    try:
        server.wait_pool(3 * args.pool_size)
        kernels = server.kernels()
        per_kernel = [rss(k) / 2**20 for k in kernels if rss(k)] or [0.0]
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
    server = Server(pool_size=0, max_kernels=0)
    try:
        cold = [first_draw(browser, apps.app_url("scorecard", server.base)) for _ in range(args.loads)]
        results["cold"] = cold
        print(f"scorecard first draw, no preheat: {fmt(cold)}")
        print(f"ratio no-preheat / preheated (medians): "
              f"{statistics.median(cold) / statistics.median(results['preheated']):.1f}×")
    finally:
        server.close()


def burst(browser, sessions: int) -> None:
    """Section 4: ``sessions`` interactive scorecards opened at once, with the kernel cap."""
    disconnected = 20
    server = Server(pool_size=2, disconnected_timeout=disconnected)
    try:
        server.wait_pool(6)
        base_mem = psutil.virtual_memory().used / 2**20
        snapshot = {}

        def measure():
            snapshot["kernels"] = len(server.kernels())
            snapshot["kernel_mib"] = mib(server.kernels())

        start = time.perf_counter()
        times, failures = concurrent(browser, apps.app_url("scorecard", server.base), sessions, measure, timeout=120)
        wall = time.perf_counter() - start
        print(f"{sessions} interactive sessions at once (cap {apps.DEFAULT_MAX_KERNELS} kernels): {len(times)} drawn, "
              f"{failures} shown the wait page (请稍候) within 120 s; {fmt(times)}; wall {wall:.1f} s")
        print(f"  while open: {snapshot['kernels']} kernels, {snapshot['kernel_mib']:.0f} MiB in kernels")
        time.sleep(disconnected + 15)
        after = server.kernels()
        print(f"  after closing (kernels shut down {disconnected} s after their page left): {len(after)} kernels "
              f"({mib(after):.0f} MiB; the preheated pool stays), system memory "
              f"{psutil.virtual_memory().used / 2**20 - base_mem:+.0f} MiB vs before the burst")
    finally:
        server.close()


# ---------------------------------------------------------------- 5. the meeting room

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")
# added to every page: the time the scorecard is drawn (no polling from Python, no eval)
_DRAWN_HOOK = """(() => { if (location.href === 'about:blank') return;
  const check = () => { try { if (%s) { window.__drawnAt = Date.now(); return; } } catch (e) {}
                        setTimeout(check, 50); };
  check(); })();""" % DRAWN


def _cpu_rss(pid: int):
    """(CPU seconds, RSS bytes) of one process from /proc, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _TICK, int(fields[21]) * _PAGE


def _forked_copy(pid: int) -> bool:
    """A child between fork and exec (a kernel running a subprocess) shows its parent's command
    line and memory for a moment: it is not another kernel."""
    try:
        parent = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[1].decode()
        return Path(f"/proc/{pid}/cmdline").read_bytes() == Path(f"/proc/{parent}/cmdline").read_bytes()
    except OSError:
        return False


def _is_kernel(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"ipykernel" in cmdline or b"plananalysis.run.kernel" in cmdline


class TreeSampler(threading.Thread):
    """Samples every ``interval`` s: the server's tree (CPU, RSS, kernels) and the rest of this
    process's tree (the browsers)."""

    def __init__(self, server_pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.server_pid, self.interval, self.running = server_pid, interval, True
        self.server_cpu, self.browser_cpu, self.base = {}, {}, {}
        self.kernels, self.peak_rss, self.peak_kernels, self.peak_server_rss = set(), 0, 0, 0
        self.sample(baseline=True)

    def sample(self, baseline: bool = False) -> None:
        server = {self.server_pid: 0, **descendants(self.server_pid)}
        rss = kernels = 0
        for pid, start in server.items():
            got = _cpu_rss(pid)
            if got is None or _forked_copy(pid):
                continue
            key = (pid, start)
            if baseline:
                self.base[key] = got[0]
            self.server_cpu[key] = got[0]
            rss += got[1]
            if pid == self.server_pid:
                self.peak_server_rss = max(self.peak_server_rss, got[1])
            if _is_kernel(pid):
                kernels += 1
                self.kernels.add(key)
        self.peak_rss, self.peak_kernels = max(self.peak_rss, rss), max(self.peak_kernels, kernels)
        for pid, start in descendants(os.getpid()).items():
            if pid in server:
                continue
            got = _cpu_rss(pid)
            if got is not None:
                if baseline:
                    self.base[(pid, start)] = got[0]
                self.browser_cpu[(pid, start)] = got[0]

    def run(self) -> None:
        while self.running:
            self.sample()
            time.sleep(self.interval)

    def stop(self) -> None:
        self.running = False
        self.join()
        self.sample()

    def cpu(self, which: dict) -> float:
        return sum(value - self.base.get(key, 0.0) for key, value in which.items())


def meeting(browser, server: Server, path: str, viewers: int = 30, window: float = 10.0,
            timeout: float = 120.0, settle: float = SETTLE) -> dict:
    """``viewers`` fresh browser contexts navigate to ``path``, spread evenly over ``window``
    seconds; returns the time to drawn of each and what the server and browsers spent."""
    url = server.base + path
    contexts, pages = [], []
    for _ in range(viewers):
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.add_init_script(_DRAWN_HOOK)
        contexts.append(context)
        pages.append(context.new_page())
    time.sleep(settle)
    sampler = TreeSampler(server.process.pid)
    sampler.start()
    began, starts = time.time(), []
    for i, page in enumerate(pages):
        delay = began + i * window / max(1, viewers - 1) - time.time()
        if delay > 0:
            time.sleep(delay)
        starts.append(time.time() * 1000)
        try:
            page.evaluate(f"window.location.href = {url!r}")
        except Exception:  # noqa: BLE001 - the navigation replaced the page under the call
            pass
    drawn: dict[int, float] = {}
    deadline = time.time() + timeout
    while len(drawn) < viewers and time.time() < deadline:
        for i, page in enumerate(pages):
            if i not in drawn:
                try:
                    at = page.evaluate("window.__drawnAt || 0")
                except Exception:  # noqa: BLE001 - still navigating
                    at = 0
                if at:
                    drawn[i] = (at - starts[i]) / 1000
        time.sleep(0.25)
    sampler.stop()
    waiting = 0
    for page in pages:
        try:
            waiting += bool(page.evaluate("!!document.querySelector('.pa-wait-page')"))
        except Exception:  # noqa: BLE001
            pass
    for context in contexts:
        context.close()
    times = sorted(drawn.values())
    return {"viewers": viewers, "drawn": len(times), "waiting": waiting,
            "median": statistics.median(times) if times else float("nan"),
            "slowest": max(times) if times else float("nan"), "within_10s": sum(t <= 10 for t in times),
            "kernels_started": len([k for k in sampler.kernels if k not in sampler.base]),
            "peak_kernels": sampler.peak_kernels, "server_peak_mib": sampler.peak_rss / 2**20,
            "server_process_peak_mib": sampler.peak_server_rss / 2**20,
            "server_cpu": sampler.cpu(sampler.server_cpu), "browser_cpu": sampler.cpu(sampler.browser_cpu)}


def flood(requests_count: int = 60, clients: int = 12) -> None:
    """Section 6: ``requests_count`` plain GETs of the apps (no browser: no page ever connects to
    a kernel), ``clients`` at a time, against the default server: kernels and memory stay under
    the cap; the kernels no page connected to are shut down after ``unconnected_timeout``."""
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    unconnected = 20
    server = Server(pool_size=apps.DEFAULT_POOL_SIZE, unconnected_timeout=unconnected)
    try:
        server.wait_pool(3 * apps.DEFAULT_POOL_SIZE)
        sampler = TreeSampler(server.process.pid)
        sampler.start()

        def get(url: str) -> int:
            try:
                with urllib.request.urlopen(url, timeout=300) as response:
                    response.read()
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        urls = [apps.app_url(app, server.base) for app in apps.APPS] * (requests_count // len(apps.APPS))
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            codes = list(pool.map(get, urls))
        wall = time.perf_counter() - started
        time.sleep(unconnected + 15)
        sampler.stop()
        left = len(server.kernels())
    finally:
        server.close()
    print(f"flood: {len(urls)} plain GETs, {clients} at a time ({wall:.1f} s): {codes.count(200)} pages, "
          f"{codes.count(503)} wait pages; peak {sampler.peak_kernels} kernels (cap {apps.DEFAULT_MAX_KERNELS}), "
          f"server peak RSS {sampler.peak_rss / 2**20:.0f} MiB with its kernels; "
          f"{unconnected + 15} s later {left} kernels (the pools)")


def meeting_room(browser, viewers: int, window: float, path: str) -> dict:
    """Section 5: the server as ``plananalysis app`` runs it by default (pools of 2, cap 12)."""
    server = Server(pool_size=apps.DEFAULT_POOL_SIZE)
    try:
        server.wait_pool(3 * apps.DEFAULT_POOL_SIZE)
        server.wait_static()
        result = meeting(browser, server, path, viewers, window)
    finally:
        server.close()
    print(f"meeting room: {viewers} viewers open {path} within {window:.0f} s: {result['drawn']}/{viewers} drawn "
          f"({result['within_10s']} within 10 s, {result['waiting']} on the wait page); "
          f"median {result['median']:.2f} s, slowest {result['slowest']:.2f} s")
    print(f"  kernels started {result['kernels_started']} (peak {result['peak_kernels']} alive, pools included); "
          f"server peak RSS {result['server_peak_mib']:.0f} MiB with its kernels "
          f"({result['server_process_peak_mib']:.0f} MiB the server process); "
          f"CPU: server {result['server_cpu']:.1f} s, browsers {result['browser_cpu']:.1f} s "
          f"({result['server_cpu'] / viewers:.3f} s and {result['browser_cpu'] / viewers:.2f} s a viewer)")
    return result


def run(argv=None) -> int:
    """:func:`main`, with a failure as one clear line and exit 1 (no traceback)."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        print("bench_apps: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bench reports, it does not crash
        print(f"bench_apps: failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(run())
