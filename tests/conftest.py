"""Shared test fixtures: paths, the default plan, a sandboxed data folder, reviews built once per
session, and hypothesis's profiles.

The data the tests read are a temporary copy of the shipped ``data/`` (the project's
``conftest.py``): ``DATA``, ``PLAN_DIR`` and ``OBSERVED`` name that copy, never the checkout's
folder with whatever was imported into it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from plananalysis.paths import data_dir

ROOT = Path(__file__).resolve().parent.parent
DATA = data_dir()          # the shipped data, copied for this run ($PLANANALYSIS_DATA_DIR)
PLAN_DIR = DATA / "plans" / "zj-social-14th"
OBSERVED = PLAN_DIR / "observed"
TEST_DATA = Path(__file__).resolve().parent / "data"

# ---------------------------------------------------------------- hypothesis
# `make test` (and CI): the "ci" profile, the same examples on every run (derandomized, no example
# database); a failing example once found is kept in its test as @example.  `make fuzz`: the
# "fuzz" profile (HYPOTHESIS_PROFILE=fuzz), new random examples and many of them
# ($PLANANALYSIS_FUZZ_EXAMPLES, default 2000), failures kept in .hypothesis/ and replayed first.
# Every hypothesis test is marked `fuzz` (pytest_collection_modifyitems below): `pytest -m fuzz`.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, max_examples=100,
                          print_blob=True)
settings.register_profile("fuzz", derandomize=False, deadline=None, print_blob=True,
                          max_examples=int(os.environ.get("PLANANALYSIS_FUZZ_EXAMPLES", "2000")))
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(HYPOTHESIS_PROFILE)


def fuzz_examples(fixed: int) -> int:
    """``max_examples`` for a costly hypothesis test: ``fixed`` in the fixed run (profile "ci"),
    the profile's number otherwise (``make fuzz``)."""
    return fixed if HYPOTHESIS_PROFILE == "ci" else settings.default.max_examples


#: The test modules that take longest (seconds measured with ``--durations``), run first: ``make
#: test`` runs modules in two pytest-xdist workers (``--dist loadfile --no-loadscope-reorder``),
#: each taking the next module when it is done, and long ones left to the end would leave one
#: worker idle.  The first two need no review from :class:`BuiltReviews`, so neither worker waits
#: for the other's build at the start.
LONGEST_FIRST = ("test_consistency", "test_reruns", "test_apps_browser", "test_apps_security",
                 "test_processes", "test_plans", "test_review", "test_import", "test_report_pages",
                 "test_make_signals", "test_requests", "test_review_document", "test_target_views",
                 "test_task_statements", "test_hostile_inputs", "test_plan_untrusted",
                 "test_target_progress", "test_spreadsheet", "test_untrusted_text")


@pytest.hookimpl(tryfirst=True)     # before `-m` selects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if getattr(getattr(item, "function", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.fuzz)
    rank = {name: number for number, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(str(item.fspath)).stem, len(rank)))   # stable: a module stays whole


# ---------------------------------------------------------------- the plan


@pytest.fixture(scope="session")
def plan():
    from plananalysis.plan.folder import load_plan

    return load_plan()


def tree_hash(folder: Path) -> str:
    """One digest of every file under ``folder`` (its path and bytes) but the import lock and
    Python's caches: equal before and after a refused import when nothing was written."""
    import hashlib

    from plananalysis.observed.importer import LOCK_FILE

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != LOCK_FILE and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def plan_copy(tmp_path) -> Path:
    """A writable copy of the default plan's folder, for breaking files on purpose."""
    target = tmp_path / "zj-social-14th"
    shutil.copytree(PLAN_DIR, target)
    return target


# ---------------------------------------------------------------- reviews built once per session


class BuiltReviews:
    """Whole reviews (every notebook run by papermill, the pages, the workbook, the Word document,
    the PDF), each built once per test run into one reports folder, as
    ``plananalysis review --reports-dir`` writes them (``<reports>/<plan id>/<as_of>[-en]/``).

    ``built_review(as_of=2023, lang="zh", plan=None)`` returns the review's folder;
    ``built_review.many([(2023, "zh"), (2025, "en")], plan=None)`` builds the missing ones of
    several in one pool of workers (cheaper than one by one) and returns their folders in order.
    ``plan``: a plan id or folder (None: the default plan).  The folders are shared by every test
    of the run: read them; a test that changes a review copies it first
    (``shutil.copytree(folder, tmp_path / ...)``).  A review that fails fails every test asking
    for it, with the failed notebooks named.

    The reports folder is in the run's sandbox, shared by the pytest-xdist workers of
    ``make test``: ``built.json`` there records what was built (or why it failed), and a lock on
    ``built.lock`` makes a worker that wants a review the other is building wait for it rather
    than build it again.
    """

    def __init__(self, reports: Path):
        self.reports = reports
        self.reports.mkdir(parents=True, exist_ok=True)
        self._built: dict = {}     # validated parameters → the folder, or why it failed

    def __call__(self, as_of: int = 2023, lang: str = "zh", plan=None) -> Path:
        return self.many([(as_of, lang)], plan=plan)[0]

    @staticmethod
    def _name(key) -> str:
        return json.dumps(key.as_dict(), sort_keys=True, ensure_ascii=False)

    def many(self, keys, plan=None) -> list[Path]:
        """``keys``: ``(as_of, lang)`` pairs of ``plan``, or ``(plan, as_of, lang)`` triples
        (plan ``""`` or None: the default plan)."""
        from plananalysis.params import validate

        triples = [key if len(key) == 3 else (plan, *key) for key in keys]
        wanted = [validate(plan=p or None, as_of=as_of, lang=lang) for p, as_of, lang in triples]   # one key, however named
        if any(key not in self._built for key in wanted):
            self._build_or_read(list(dict.fromkeys(key for key in wanted if key not in self._built)))
        failed = [self._built[key] for key in wanted if isinstance(self._built[key], str)]
        if failed:
            pytest.fail("\n".join(failed))
        return [self._built[key] for key in wanted]

    def _build_or_read(self, missing: list) -> None:
        """Read what another worker built; build the rest (holding the lock)."""
        import fcntl

        from plananalysis.run.review import run_reviews

        registry_file = self.reports / "built.json"
        with open(self.reports / "built.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            registry = json.loads(registry_file.read_text(encoding="utf-8")) if registry_file.exists() else {}
            to_build = [key for key in missing if self._name(key) not in registry]
            if to_build:
                summaries = run_reviews(to_build, jobs=2, reports_dir=self.reports, echo=lambda line: None)
                for key, summary in zip(to_build, summaries):
                    registry[self._name(key)] = summary["folder"] if summary["ok"] else {"failed": (
                        f"review {key.plan_id} {key.as_of} {key.lang} failed: "
                        f"{[(f['name'], str(f.get('error', ''))[:300]) for f in summary['failed']]}")}
                temporary = registry_file.with_suffix(f".tmp-{os.getpid()}")
                temporary.write_text(json.dumps(registry, ensure_ascii=False), encoding="utf-8")
                temporary.replace(registry_file)
        for key in missing:
            entry = registry[self._name(key)]
            self._built[key] = entry["failed"] if isinstance(entry, dict) else Path(entry)


@pytest.fixture(scope="session")
def built_review() -> BuiltReviews:
    """Whole reviews built once per test run and shared (by the xdist workers too); see
    :class:`BuiltReviews` (``folder = built_review(2023)``, ``built_review(2025, "en")``)."""
    return BuiltReviews(Path(os.environ["PLANANALYSIS_TESTS_SANDBOX"]) / "built-reviews")


#: The reviews every output is checked on (tests/test_consistency.py): the default plan and every
#: fixture plan, both reviews (a plan whose mid-term is ahead: its default review); the default
#: plan's in both languages, each fixture plan's in Chinese and its last review in English too.
CONSISTENCY_REVIEWS = [(plan, year, lang)
                       for plan, years in (("", (2023, 2025)), ("tests/data/plans/hz-demo", (2023, 2025)),
                                           ("tests/data/plans/cn-national-14th", (2023, 2025)),
                                           ("tests/data/plans/cn-national-15th", (None,)))
                       for year in years for lang in ("zh", "en")
                       if lang == "zh" or not plan or year == years[-1]]


@pytest.fixture(scope="session")
def built_reviews(built_review):
    """Every review of :data:`CONSISTENCY_REVIEWS`, built once per session in one pool of workers
    (the ones :func:`built_review` already built are reused): ``{(plan, as_of, lang): folder}``."""
    return dict(zip(CONSISTENCY_REVIEWS, built_review.many(CONSISTENCY_REVIEWS)))


# Test data are inputs, never test modules: importing tests/data/bad_inputs/make_hostile.py for
# its doctests would leave a __pycache__ folder in the bad-input corpus.
collect_ignore_glob = ["data/*"]
