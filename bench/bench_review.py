"""Benchmark the review: cold and warm runs of `plananalysis review` against plain papermill.

    python bench/bench_review.py [--repeat 3] [--as-of 2023]

Measured side by side in one run, in --repeat rounds (cold, warm, plain in each round, so that the
machine's noise falls on all three), each figure the median of the rounds:
- cold: the full review into an empty reports folder (--force), 2 worker processes;
- warm: the same review again with nothing changed (the hashes skip every notebook);
- plain papermill: the same notebooks with the same parameters through the papermill
  command line, one after another, as a user of plain papermill would (notebooks only,
  no HTML, so the comparison favours plain papermill).
Prints the medians and the ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(cmd, **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--as-of", type=int, default=2023)
    args = parser.parse_args()
    review = [str(BIN / "plananalysis"), "review", "--as-of", str(args.as_of)]
    cold, warm, plain, ratios = [], [], [], []
    for _ in range(args.repeat):   # one round: cold, warm, then plain papermill, so noise hits all three
        with tempfile.TemporaryDirectory() as tmp:
            cold.append(timed([*review, "--force", "--reports-dir", tmp]))
            warm.append(timed([*review, "--reports-dir", tmp]))
            manifest = next(Path(tmp).glob(f"*/{args.as_of}/manifest.json"))   # reports/<plan>/<as_of>/
            jobs = json.loads(manifest.read_text(encoding="utf-8"))["jobs"]
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            for job in jobs:
                params = [x for k, v in job["parameters"].items() for x in ("-p", k, str(v))]
                subprocess.run([str(BIN / "papermill"), str(ROOT / "notebooks" / job["notebook"]),
                               str(Path(tmp) / f"{job['name']}.ipynb"), "--no-progress-bar", *params],
                               check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            plain.append(time.perf_counter() - started)
        ratios.append(plain[-1] / cold[-1])
    med = statistics.median
    print(f"review benchmark ({len(jobs)} notebooks, as of {args.as_of}, median of {args.repeat} runs)")
    print(f"  plananalysis review, cold (--force): {med(cold):7.2f} s   runs {[round(x, 1) for x in cold]}")
    print(f"  plananalysis review, warm (no change): {med(warm):5.2f} s   runs {[round(x, 2) for x in warm]}")
    print(f"  plain papermill CLI, one after another: {med(plain):6.2f} s   runs {[round(x, 1) for x in plain]}")
    print(f"  ratio plain / cold: {med(plain) / med(cold):.1f}x   (target ≥ 5x; per round {[round(r, 1) for r in ratios]})")
    print(f"  warm re-run: {med(warm):.2f} s   (target < 2 s)")


if __name__ == "__main__":
    main()
