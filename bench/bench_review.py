"""Benchmark the review: cold, warm, after an import of one value and of a department's workbook
of ten values, against plain papermill.

    python bench/bench_review.py [--repeat 3] [--as-of 2023]

Everything runs on a temporary copy of the project's data (``PLANANALYSIS_DATA_DIR``) into
temporary reports folders: nothing is written into the repository's ``data/`` or ``reports/``.
In the copy, eleven real rows of the default plan's observed values (its own region, the plan's
series, years the review can see) are held back, so that they can arrive as an analyst's imports
do: one value (人均体育场地面积 2023 where the plan has it, otherwise the first such row), then ten
more (the next rows in the file's order) in one ``.xlsx`` workbook, as a department returns it.
Each value is imported with its own source columns, through ``plananalysis data import``.

Measured side by side in one run, in ``--repeat`` rounds (in each round: cold, warm, one value,
ten values, plain papermill, so that the machine's noise falls on all of them), each figure the
median of the rounds:

- cold: the full review into an empty reports folder (``--force``), 2 worker processes;
- warm: the same review again with nothing changed;
- one value: ``data import`` of the one held-back row, then the review (what it re-runs is the
  runner's decision; the import itself is timed apart);
- ten values: ``data import`` of the department's workbook, then the review;
- plain papermill: the same notebooks with the same parameters and data through the papermill
  command line, one after another, as a user of plain papermill would (notebooks only, no HTML,
  no documents, so the comparison favours plain papermill).

Prints the medians and the ratios; asserts nothing.  A step that fails ends the bench with one
line naming it and exit status 1 (no traceback).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
HELD_BACK = 11        # one value, then a workbook of ten
ONE_VALUE = "sports_area_per_capita"   # 人均体育场地面积, the example, when the plan has it


class BenchError(Exception):
    """A step of the bench failed: its message is the one line printed."""


def run(cmd, env, what: str, capture: bool = False) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BenchError(f"{what} failed (exit {done.returncode}): {last}")
    return done


def timed(cmd, env, what: str) -> float:
    started = time.perf_counter()
    run(cmd, env, what)
    return time.perf_counter() - started


def default_plan(data: Path) -> tuple[Path, str, int]:
    """The default plan of a data folder: its folder, region and first year."""
    env = {**os.environ, "PLANANALYSIS_DATA_DIR": str(data)}
    code = ("import json; from plananalysis.plan.info import read_plan_info; i = read_plan_info(None); "
            "print(json.dumps([str(i.folder), i.region, i.start]))")
    folder, region, start = json.loads(run([sys.executable, "-c", code], env, "finding the default plan",
                                           capture=True).stdout)
    return Path(folder), region, int(start)


def hold_back(plan_folder: Path, as_of: int, region: str, start: int) -> list[dict]:
    """Remove ``HELD_BACK`` real rows from the plan's observed file (in the temporary copy) and
    return them: the plan's series, its own region, years from the plan's start to ``as_of``, from
    the observed file that has the most of them."""

    def eligible_rows(path: Path):
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
        if "target_id" in (reader.fieldnames or []):   # the indicators' file, not the targets'
            return reader.fieldnames, rows, []
        return reader.fieldnames, rows, [
            r for r in rows if r.get("series") == "plan" and r.get("region") == region
            and r.get("year", "").isdigit() and start <= int(r["year"]) <= as_of and r.get("value", "") != ""]

    files = {path: eligible_rows(path) for path in sorted((plan_folder / "observed").glob("*.csv"))}
    path = max(files, key=lambda p: len(files[p][2]))
    fields, rows, eligible = files[path]
    first = next((r for r in eligible if r["indicator_id"] == ONE_VALUE), eligible[0] if eligible else None)
    chosen = ([first] + [r for r in eligible if r is not first])[:HELD_BACK] if first else []
    if len(chosen) < HELD_BACK:
        raise BenchError(f"{path}: only {len(chosen)} observed rows of {region} between {start} and {as_of} "
                         f"to hold back (need {HELD_BACK})")
    keep = [r for r in rows if not any(r is c for c in chosen)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(keep)
    return chosen


def write_workbook(target: Path, rows: list[dict]) -> Path:
    """The rows as a department returns them: an .xlsx with the import's Chinese headers, every
    source column kept."""
    from openpyxl import Workbook

    from plananalysis.observed.validation import HEADERS_ZH

    columns = [c for c in HEADERS_ZH if c not in ("target_id", "value_type")]
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append([HEADERS_ZH[c] for c in columns])
    for row in rows:
        sheet.append([float(row[c]) if c == "value" else int(row[c]) if c == "year" else row.get(c, "")
                      for c in columns])
    book.save(target)
    return target


def reran(manifest: Path, jobs: list) -> int:
    """How many notebooks the last review re-ran (its manifest's results)."""
    names = {job["name"] for job in jobs}
    results = json.loads(manifest.read_text(encoding="utf-8")).get("results", [])
    return sum(result.get("name") in names for result in results)


def data_copy(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("user.csv", "backups", ".import.lock"))
    return data


def one_round(args, review, tmp: Path) -> dict:
    data = data_copy(tmp)
    env = {**os.environ, "PLANANALYSIS_DATA_DIR": str(data)}
    plan, region, start = default_plan(data)
    held = hold_back(plan, args.as_of, region, start)
    one = write_workbook(tmp / "one-value.xlsx", held[:1])
    ten = tmp / "returned"
    ten.mkdir()
    # ten rows owned by several departments, forwarded by the analyst as one workbook (a file named
    # 数据征集表-<department> would be one department's return, limited to the rows that department owns)
    write_workbook(ten / "returned-ten-values.xlsx", held[1:])
    reports = tmp / "reports"
    out = {"held": held}
    out["cold"] = timed([*review, "--force", "--reports-dir", str(reports)], env, "the cold review")
    out["warm"] = timed([*review, "--reports-dir", str(reports)], env, "the warm review")
    manifest = next(reports.glob(f"*/{args.as_of}/manifest.json"))
    jobs = json.loads(manifest.read_text(encoding="utf-8"))["jobs"]
    importing = [str(BIN / "plananalysis"), "data", "import"]
    out["import_one"] = timed([*importing, str(one)], env, "data import of one value")
    out["one"] = timed([*review, "--reports-dir", str(reports)], env, "the review after one value")
    out["ran_one"] = reran(manifest, jobs)
    out["import_ten"] = timed([*importing, str(ten)], env, "data import of the ten-value workbook")
    out["ten"] = timed([*review, "--reports-dir", str(reports)], env, "the review after ten values")
    out["ran_ten"] = reran(manifest, jobs)
    plain = tmp / "plain"
    plain.mkdir()
    started = time.perf_counter()
    for job in jobs:
        params = [x for k, v in job["parameters"].items() for x in ("-p", k, str(v))]
        run([str(BIN / "papermill"), str(ROOT / "notebooks" / job["notebook"]), str(plain / f"{job['name']}.ipynb"),
             "--no-progress-bar", *params], env, f"papermill {job['name']}")
    out["plain"] = time.perf_counter() - started
    out["jobs"] = len(jobs)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--as-of", type=int, default=2023)
    args = parser.parse_args()
    review = [str(BIN / "plananalysis"), "review", "--as-of", str(args.as_of)]
    rounds = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
            rounds.append(one_round(args, review, Path(tmp)))
        r = rounds[-1]
        print(f"  round {i + 1}: cold {r['cold']:.1f} s, warm {r['warm']:.2f} s, one value {r['one']:.1f} s, "
              f"ten values {r['ten']:.1f} s, plain papermill {r['plain']:.1f} s "
              f"(ratio {r['plain'] / r['cold']:.1f}×; load average {os.getloadavg()[0]:.1f})", flush=True)
    med = statistics.median

    def series(key, digits=1):
        values = [r[key] for r in rounds]
        return med(values), [round(v, digits) for v in values]

    held = rounds[0]["held"]
    cold, warm, one, ten, plain = (series(k, 2 if k == "warm" else 1) for k in ("cold", "warm", "one", "ten", "plain"))
    ratios = [round(r["plain"] / r["cold"], 1) for r in rounds]
    print(f"review benchmark ({rounds[0]['jobs']} notebooks, as of {args.as_of}, median of {args.repeat} rounds, "
          f"on a copy of the data with {HELD_BACK} values held back)")
    print(f"  plananalysis review, cold (--force):    {cold[0]:7.2f} s   runs {cold[1]}")
    print(f"  plananalysis review, warm (no change):  {warm[0]:7.2f} s   runs {warm[1]}")
    print(f"  after importing one value ({held[0]['indicator_id']} {held[0]['year']} = {held[0]['value']}): "
          f"{one[0]:6.2f} s   runs {one[1]}  = {one[0] / cold[0]:.0%} of cold (target ≤ 20 %), "
          f"{rounds[0]['ran_one']} notebooks re-run; "
          f"the import {med([r['import_one'] for r in rounds]):.2f} s")
    print(f"  after a department's workbook of ten values: {ten[0]:6.2f} s   runs {ten[1]}  "
          f"= {ten[0] / cold[0]:.0%} of cold, {rounds[0]['ran_ten']} notebooks re-run; the import {med([r['import_ten'] for r in rounds]):.2f} s")
    print(f"  plain papermill CLI, one after another: {plain[0]:6.2f} s   runs {plain[1]}")
    print(f"  ratio plain / cold: {plain[0] / cold[0]:.1f}x   (target ≥ 8x; per round {ratios})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench_review: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench_review: interrupted", file=sys.stderr)
        sys.exit(130)
