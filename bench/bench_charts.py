"""Timings of chart building and offline rendering (prints; no assertions).

    .venv/bin/python bench/bench_charts.py [--runs 5]

* cold: a fresh Python process imports plananalysis.present.charts, builds the 常住人口城镇化率
  trajectory and renders its first SVG (what a papermill kernel or Voilà page pays once);
  the import, build and first render are timed separately inside that process.
* warm: in this process, after one render, the same chart rendered again (SVG and PNG), and
  each chart kind built and rendered to SVG.

Figures are the median (min–max) of ``--runs`` runs, in seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_COLD = r"""
import json, time
t0 = time.perf_counter()
from plananalysis.present import charts
from plananalysis.plan.folder import load_plan
from plananalysis.observed.load import load_observed
t1 = time.perf_counter()
plan = load_plan(); observed = load_observed()
rows = observed[observed.indicator_id == "urbanisation_rate"]
chart = charts.trajectory(plan.indicator("urbanisation_rate"), rows)
t2 = time.perf_counter()
svg = charts.to_svg(chart)
t3 = time.perf_counter()
svg = charts.to_svg(chart)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "build": t2 - t1, "first_svg": t3 - t2, "second_svg": t4 - t3}))
"""


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def cold(runs: int) -> None:
    results = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _COLD], cwd=ROOT, capture_output=True,
                             text=True, check=True)
        wall = time.perf_counter() - start
        results.append({**json.loads(out.stdout.strip().splitlines()[-1]), "process_wall": wall})
    print(f"cold, fresh process ({runs} runs):")
    for key in ("import", "build", "first_svg", "second_svg", "process_wall"):
        print(f"  {key:<14} {summary([r[key] for r in results])}")


def warm(runs: int) -> None:
    from plananalysis.present import charts
    from plananalysis.observed.load import load_observed
    from plananalysis.plan.folder import load_plan
    from plananalysis.engine.progress import assess
    from plananalysis.engine.retrospective import retrospective

    plan, observed = load_plan(), load_observed()
    midterm = assess(plan, observed, as_of=2023)
    retro = retrospective()
    rows = observed[observed.indicator_id == "urbanisation_rate"]
    progress = midterm.set_index("indicator_id").loc["urbanisation_rate"]
    builders = {
        "trajectory": lambda: charts.trajectory(plan.indicator("urbanisation_rate"), rows, progress),
        "trajectory_cumulative": lambda: charts.trajectory(
            plan.indicator("urban_new_jobs"), observed[observed.indicator_id == "urban_new_jobs"]),
        "status_matrix": lambda: charts.status_matrix(midterm),
        "status_counts": lambda: charts.status_counts(midterm),
        "completion_bars": lambda: charts.completion_bars(midterm),
        "completion_bars_13th": lambda: charts.completion_bars(retro, phase="final", schedule_share=1.0),
        "sparkline": lambda: charts.sparkline(rows, target=75),
    }
    charts.to_svg(builders["trajectory"]())  # warm up vl-convert
    print(f"warm, in process ({runs} runs):")
    chart = builders["trajectory"]()
    for label, render in (("trajectory svg", charts.to_svg),
                          ("trajectory png x2", lambda c: charts.to_png(c, scale=2))):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            render(chart)
            times.append(time.perf_counter() - start)
        print(f"  {label:<24} {summary(times)}")
    for name, build in builders.items():
        build_times, svg_times = [], []
        for _ in range(runs):
            start = time.perf_counter()
            c = build()
            spec_time = time.perf_counter()
            charts.to_svg(c)
            build_times.append(spec_time - start)
            svg_times.append(time.perf_counter() - spec_time)
        print(f"  {name:<24} build {summary(build_times)}   svg {summary(svg_times)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cold(args.runs)
    warm(args.runs)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as error:   # one line, not a traceback
        command = " ".join(str(c) for c in error.cmd[1:4]) if isinstance(error.cmd, list) else "a command"
        print(f"bench_charts: {command} … failed (exit {error.returncode})", file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - a bench reports, it does not crash
        print(f"bench_charts: failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
