"""Benchmark many plans in one run: `plananalysis review --plan all` over twenty plan folders.

    python bench/bench_plans.py [--plans 20] [--repeat 1]

A temporary data folder holds the shipped plans plus copies of the city fixture
(tests/data/plans/hz-demo) under other ids and regions (the county-level regions of the fixture's
regions.csv), up to --plans folders.  Measured side by side in one run, each cold (empty reports
folder): one plan alone, then all plans in one run sharing the worker pool.  Prints the seconds
per plan and how the whole run grows against one plan; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FIXTURE = ROOT / "tests" / "data" / "plans" / "hz-demo"


def make_data(target: Path, n_plans: int) -> list[str]:
    """A data folder with the shipped plans and copies of the fixture, ``n_plans`` plan folders in all."""
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("user.csv", "backups"))
    plans = sorted(p.name for p in (target / "plans").iterdir() if (p / "plan.yml").is_file())
    with open(FIXTURE / "regions.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    counties = [r for r in rows if r["level"] == "county"]
    for i in range(n_plans - len(plans)):
        region = counties[i % len(counties)]
        plan_id = f"county-demo-{i + 1:02d}"
        folder = target / "plans" / plan_id
        shutil.copytree(FIXTURE, folder)
        text = (folder / "plan.yml").read_text(encoding="utf-8")
        text = text.replace("id: hz-demo", f"id: {plan_id}").replace("region: 杭州市", f"region: {region['name_zh']}")
        text = text.replace("region_level: city", "region_level: county")
        (folder / "plan.yml").write_text(text, encoding="utf-8")
        with open(folder / "regions.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerow({**region, "parent_code": ""})
        plans.append(plan_id)
    return plans


def timed(cmd, env) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--as-of", type=int, default=2023)
    args = parser.parse_args()
    one, many = [], []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        plans = make_data(data, args.plans)
        env = {**os.environ, "PLANANALYSIS_DATA_DIR": str(data)}
        review = [str(BIN / "plananalysis"), "review", "--as-of", str(args.as_of)]
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as reports:
                one.append(timed([*review, "--plan", "county-demo-01", "--reports-dir", reports], env))
            with tempfile.TemporaryDirectory() as reports:
                many.append(timed([*review, "--plan", "all", "--reports-dir", reports], env))
    med = statistics.median
    n = len(plans)
    print(f"plans benchmark ({n} plan folders: {', '.join(plans[:3])} …; as of {args.as_of}; "
          f"median of {args.repeat} run(s), cold)")
    print(f"  one plan alone (a city fixture):   {med(one):7.2f} s")
    print(f"  all {n} plans in one run:           {med(many):7.2f} s   = {med(many) / n:.2f} s a plan")
    print(f"  growth: {n} plans take {med(many) / med(one):.1f}x one plan's time "
          f"(the worker pool and its warm kernels are shared)")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as error:   # one line, not a traceback
        command = " ".join(str(c) for c in error.cmd[1:4]) if isinstance(error.cmd, list) else "a command"
        print(f"bench_plans: {command} … failed (exit {error.returncode})", file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - a bench reports, it does not crash
        print(f"bench_plans: failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
