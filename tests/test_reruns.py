"""Dependency-aware reruns (issue 21.1): one value of each kind changed in a copy of the data,
exactly the pages that read it re-run (``plananalysis review --explain``), in the reviews whose
year can see it; and, for two kinds run for real, the result equals a ``--force`` run.

Cost: one baseline of both reviews (32 notebooks) for the module, the explain checks (a light
load each, no notebook), two incremental runs (3 + 6 notebooks) and one cold run of the
final review to compare with (16 notebooks): ≈ 50 s on a quiet 2-core machine.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plananalysis.params import validate
from plananalysis.publish.pdf import renderer
from plananalysis.run.review import explain_reviews, run_reviews

from .conftest import DATA, ROOT

pytestmark = pytest.mark.slow

PLAN = "zj-social-14th"
EVERY_PAGE = {"overview", "retrospective", "data_audit"} | {f"chapter-{n:02d}" for n in range(2, 15)}


class World:
    """A copy of ``data/`` (``PLANANALYSIS_DATA_DIR``) and a reports folder with both reviews."""

    def __init__(self, root: Path):
        self.root, self.data, self.reports = root, root / "data", root / "reports"
        self.plan = self.data / "plans" / PLAN

    def reviews(self):
        return [validate(as_of=2023), validate(as_of=2025)]

    def explain(self) -> dict[int, set[str]]:
        """``{2023: {pages that would re-run}, 2025: {…}}``."""
        plans = explain_reviews(self.reviews(), reports_dir=self.reports)
        return {int(p["label"].rsplit("/", 1)[1]): {page["name"] for page in p["pages"] if page["runs"]}
                for p in plans}

    def why(self, year: int, page: str) -> list[str]:
        plans = explain_reviews(self.reviews(), reports_dir=self.reports)
        review = next(p for p in plans if p["label"].endswith(f"/{year}"))
        return next(p["why"] for p in review["pages"] if p["name"] == page)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Both reviews of the default plan, built once from a copy of the data."""
    here = World(tmp_path_factory.mktemp("reruns"))
    shutil.copytree(DATA, here.data, ignore=shutil.ignore_patterns("user.csv", "backups", ".*"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANANALYSIS_DATA_DIR", str(here.data))
        summaries = run_reviews(here.reviews(), jobs=2, reports_dir=here.reports, echo=lambda line: None)
        assert all(s["ok"] for s in summaries), [s["failed"] for s in summaries]
        yield here


def set_cells(path: Path, where: dict, values: dict) -> dict:
    """Set ``values`` (column → text) in the one row of the CSV at ``path`` that matches
    ``where``; the old values."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0].keys())
    hits = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(hits) == 1, (path, where, len(hits))
    old = {column: hits[0][column] for column in values}
    hits[0].update(values)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return old


@contextlib.contextmanager
def changed(path: Path, where: dict, values: dict):
    """One row's cells changed for the time of the block, then the file as it was."""
    before = path.read_bytes()
    try:
        old = set_cells(path, where, values)
        assert all(old[c] != v for c, v in values.items()), old
        yield
    finally:
        path.write_bytes(before)


def import_value(world: World, indicator_no: int, year: int, value: float) -> None:
    """One value through the importer, as ``plananalysis data import`` adds it (``user.csv``)."""
    from plananalysis.observed.importer import import_observed

    source = world.root / f"value-{indicator_no}-{year}.csv"
    source.write_text(f"指标编号,地区,年份,数值,来源名称\n{indicator_no},浙江省,{year},{value},测试来源 (a test's source)\n",
                      encoding="utf-8")
    summary = import_observed(source)
    assert summary.written, summary


# ---------------------------------------------------------------- what would re-run (explain)

def test_nothing_changed_nothing_reruns(world):
    assert world.explain() == {2023: set(), 2025: set()}


SHOWS_SPORTS = {"overview", "chapter-07", "data_audit"}


@pytest.mark.parametrize("kind, file, where, values, expected", [
    # an indicator's observed value in 2023: both reviews see it
    ("indicator value ≤ 2023", "observed/observed-zhejiang.csv",
     {"indicator_id": "sports_area_per_capita", "year": "2023"}, {"value": "3.2"},
     {2023: SHOWS_SPORTS, 2025: SHOWS_SPORTS}),
    # a catalogue target's value (帮扶困难人员实现就业, chapter 4)
    ("catalogue target value", "observed/observed-targets.csv",
     {"target_id": "ch04-t06", "year": "2023"}, {"value": "11.5"},
     {2023: {"overview", "chapter-04", "data_audit"}, 2025: {"overview", "chapter-04", "data_audit"}}),
    # a context series a derivation reads: 居民人均可支配收入 2022 → disposable_income_growth 2022 (chapter 5)
    ("context series of a derivation", "observed/context-zhejiang.csv",
     {"series": "居民人均可支配收入", "year": "2022"}, {"value": "60400"},
     {2023: {"overview", "chapter-05", "data_audit"}, 2025: {"overview", "chapter-05", "data_audit"}}),
    # a method's cut-off: every page prints the method's labels
    ("method cut-off", "../../methods/status_labels.csv",
     {"method": "cn-schedule", "phase": "midterm", "status_id": "ahead"}, {"lower": "1.25"},
     {2023: EVERY_PAGE, 2025: EVERY_PAGE}),
    # a plan cell: the 2025 target of 人均体育场地面积 (indicators.csv)
    ("plan cell", "indicators.csv", {"indicator_id": "sports_area_per_capita"}, {"target_printed": "2.9", "target_value": "2.9"},
     {2023: SHOWS_SPORTS, 2025: SHOWS_SPORTS}),
    # a task row (tasks.csv, chapter 9): the chapter and the data audit, not the overview
    ("task row", "tasks.csv", {"task_id": "ch09-s01"}, {"note": "补充说明 (a note)"},
     {2023: {"chapter-09", "data_audit"}, 2025: {"chapter-09", "data_audit"}}),
])
def test_one_changed_value_reruns_exactly_its_pages(world, kind, file, where, values, expected):
    with changed((world.plan / file).resolve(), where, values):
        assert world.explain() == expected, kind


def test_explain_names_the_input(world):
    with changed(world.plan / "observed/observed-zhejiang.csv",
                 {"indicator_id": "sports_area_per_capita", "year": "2023"}, {"value": "3.2"}):
        assert world.why(2023, "chapter-07") == ["observed: sports_area_per_capita 2023 changed"]
        assert world.why(2025, "chapter-09") == []
    # the file as it was: nothing to re-run (inputs are compared by content, not by time; checked
    # once here rather than after each case above, ≈ 2.4 s each)
    assert world.explain() == {2023: set(), 2025: set()}


def test_explain_on_the_command_line(world):
    """``--explain json`` runs nothing and says the same as the API (here: nothing changed)."""
    env = {"PLANANALYSIS_DATA_DIR": str(world.data), "PYTHONPATH": str(ROOT)}
    import os

    result = subprocess.run([sys.executable, "-m", "plananalysis.run.cli", "review", "--explain", "json",
                             "--reports-dir", str(world.reports)], capture_output=True, text=True,
                            env={**os.environ, **env}, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    plans = json.loads(result.stdout)
    assert [p["label"] for p in plans] == [f"{PLAN}/2023", f"{PLAN}/2025"]
    assert not any(page["runs"] for p in plans for page in p["pages"])


# ---------------------------------------------------------------- run for real, against --force

def _page_text(path: Path) -> str:
    """A page as written, but what differs from one run to the next: dates, the random ids of
    table styles and chart clips."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"T_[0-9a-f]{5}", "T_", text)
    text = re.sub(r"\bc\d+-clip\d+", "clip", text)
    return re.sub(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?", "DATE", text)


def _workers_left() -> list[int]:
    """This process's worker processes still running (a review's, :mod:`plananalysis.run.workers`)."""
    import os

    from plananalysis.run.processes import descendants

    left = []
    for pid in descendants(os.getpid()):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                left.append(pid)
        except OSError:
            pass
    return left


def test_a_change_no_page_reads_runs_nothing_and_leaves_no_worker(world):
    """The observed file's rows in another order: a file changed (a worker is started ahead, while
    the command decides), no page's inputs changed: nothing runs, and the worker is gone."""
    path = world.plan / "observed/observed-zhejiang.csv"
    before = path.read_bytes()
    try:
        header, *rows = [line if line.endswith("\n") else line + "\n" for line in before.decode("utf-8").splitlines(keepends=True)]
        path.write_text(header + "".join(reversed(rows)), encoding="utf-8")
        said: list = []
        summaries = run_reviews(world.reviews(), reports_dir=world.reports, echo=said.append)
        assert [s["ran"] for s in summaries] == [[], []] and all(s["ok"] for s in summaries), summaries
        assert not any(line.startswith("运行 ") for line in said), said
        assert _workers_left() == []
    finally:
        path.write_bytes(before)


def test_reruns_equal_a_forced_run(world):
    """A 2024 value imported (the 2023 mid-term untouched), then a context series a derivation
    reads: each run executes exactly what --explain announced, and every page of the final review
    then equals a run of everything."""
    import_value(world, 13, 2024, 3.1)       # 人均体育场地面积 2024 = 3.1 (issue 21's import)
    expected = {2023: set(), 2025: SHOWS_SPORTS}
    assert world.explain() == expected
    said = []   # a few pages: one worker, the documents started at once (review.FEW_PAGES)
    summaries = run_reviews(world.reviews(), reports_dir=world.reports, echo=said.append)
    assert {int(Path(s["folder"]).name): set(s["ran"]) for s in summaries} == expected
    assert "运行 3 个笔记本，1 个进程 (running 3 notebooks in 1 processes)…" in said, said
    assert _workers_left() == []   # the worker ended with its kernel
    final = world.reports / PLAN / "2025"
    if renderer() is not None:   # the documents built beside the one worker: the brief printed, its page not left behind
        assert (final / "brief.pdf").stat().st_size > 0 and not (final / "brief.html").exists()
    assert world.explain() == {2023: set(), 2025: set()}

    set_cells(world.plan / "observed/context-zhejiang.csv", {"series": "居民人均可支配收入", "year": "2022"},
              {"value": "60400"})
    expected = {2023: {"overview", "chapter-05", "data_audit"}, 2025: {"overview", "chapter-05", "data_audit"}}
    assert world.explain() == expected
    summaries = run_reviews(world.reviews(), jobs=2, reports_dir=world.reports, echo=lambda line: None)
    assert {int(Path(s["folder"]).name): set(s["ran"]) for s in summaries} == expected

    # the final review, which both changes reached, run whole (the mid-term's re-run pages are
    # the same code on the same inputs: one forced review is enough to compare with)
    forced = world.root / "forced"
    summaries = run_reviews(world.reviews()[1:], jobs=2, reports_dir=forced, force=True, echo=lambda line: None)
    assert all(s["ok"] for s in summaries)
    for year in (2025,):
        mine, theirs = world.reports / PLAN / str(year), forced / PLAN / str(year)
        pages = sorted(p.name for p in theirs.glob("*.html"))
        assert pages == sorted(p.name for p in mine.glob("*.html")) and len(pages) == 17
        different = [name for name in pages if _page_text(mine / name) != _page_text(theirs / name)]
        assert different == [], (year, different)
    # the new values are on the pages (the comparison is not between two stale copies)
    # (居民人均可支配收入增长 2022, computed: 60400 / 57541 − 1 = 5.0 %, was 4.8 %)
    assert "居民人均可支配收入增长|浙江省|规划口径|2022|5|%|" in _cells(world.reports / PLAN / "2025" / "data_audit.html")


def _cells(path: Path) -> str:
    """A page's text with one ``|`` between cells."""
    text = re.sub(r"<[^>]+>", "|", path.read_text(encoding="utf-8"))
    return re.sub(r"\|(\s*\|)+", "|", re.sub(r"[ \t\r\n]+", " ", text)).replace("| ", "|").replace(" |", "|")
