"""Shared test fixtures: paths, the default plan, a sandboxed data folder, reviews built once per
session, and hypothesis's profiles.

The data the tests read are a temporary copy of the shipped ``data/`` (the project's
``conftest.py``): ``DATA``, ``PLAN_DIR`` and ``OBSERVED`` name that copy, never the checkout's
folder with whatever was imported into it.
"""

from __future__ import annotations

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


@pytest.hookimpl(tryfirst=True)     # before `-m` selects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if getattr(getattr(item, "function", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.fuzz)


# ---------------------------------------------------------------- the plan


@pytest.fixture(scope="session")
def plan():
    from plananalysis.plan.folder import load_plan

    return load_plan()


def tree_hash(folder: Path) -> str:
    """One digest of every file under ``folder`` (its path and bytes) but the import lock: equal
    before and after a refused import when nothing was written."""
    import hashlib

    from plananalysis.observed.importer import LOCK_FILE

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != LOCK_FILE:
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
    the PDF), each built once per test session into one temporary reports folder, as
    ``plananalysis review --reports-dir`` writes them (``<reports>/<plan id>/<as_of>[-en]/``).

    ``built_review(as_of=2023, lang="zh", plan=None)`` returns the review's folder;
    ``built_review.many([(2023, "zh"), (2025, "en")], plan=None)`` builds the missing ones of
    several in one pool of workers (cheaper than one by one) and returns their folders in order.
    ``plan``: a plan id or folder (None: the default plan).  The folders are shared by every test
    of the session: read them; a test that changes a review copies it first
    (``shutil.copytree(folder, tmp_path / ...)``).  A review that fails fails every test asking
    for it, with the failed notebooks named.
    """

    def __init__(self, reports: Path):
        self.reports = reports
        self._built: dict = {}     # validated parameters → the folder, or why it failed

    def __call__(self, as_of: int = 2023, lang: str = "zh", plan=None) -> Path:
        return self.many([(as_of, lang)], plan=plan)[0]

    def many(self, keys, plan=None) -> list[Path]:
        """``keys``: ``(as_of, lang)`` pairs of ``plan``, or ``(plan, as_of, lang)`` triples
        (plan ``""`` or None: the default plan)."""
        from plananalysis.params import validate
        from plananalysis.run.review import run_reviews

        triples = [key if len(key) == 3 else (plan, *key) for key in keys]
        wanted = [validate(plan=p or None, as_of=as_of, lang=lang) for p, as_of, lang in triples]   # one key, however named
        missing = list(dict.fromkeys(key for key in wanted if key not in self._built))
        if missing:
            summaries = run_reviews(missing, jobs=2, reports_dir=self.reports, echo=lambda line: None)
            for key, summary in zip(missing, summaries):
                self._built[key] = Path(summary["folder"]) if summary["ok"] else (
                    f"review {key.plan_id} {key.as_of} {key.lang} failed: "
                    f"{[(f['name'], str(f.get('error', ''))[:300]) for f in summary['failed']]}")
        failed = [self._built[key] for key in wanted if isinstance(self._built[key], str)]
        if failed:
            pytest.fail("\n".join(failed))
        return [self._built[key] for key in wanted]


@pytest.fixture(scope="session")
def built_review(tmp_path_factory) -> BuiltReviews:
    """Whole reviews built once per session and shared; see :class:`BuiltReviews`
    (``folder = built_review(2023)``, ``built_review(2025, "en")``)."""
    return BuiltReviews(tmp_path_factory.mktemp("built-reviews"))


#: The reviews every output is checked on (tests/test_consistency.py): the default plan and every
#: fixture plan, both reviews (a plan whose mid-term is ahead: its default review), both languages.
CONSISTENCY_REVIEWS = [(plan, year, lang)
                       for plan, years in (("", (2023, 2025)), ("tests/data/plans/hz-demo", (2023, 2025)),
                                           ("tests/data/plans/cn-national-14th", (2023, 2025)),
                                           ("tests/data/plans/cn-national-15th", (None,)))
                       for year in years for lang in ("zh", "en")]


@pytest.fixture(scope="session")
def built_reviews(built_review):
    """Every review of :data:`CONSISTENCY_REVIEWS`, built once per session in one pool of workers
    (the ones :func:`built_review` already built are reused): ``{(plan, as_of, lang): folder}``."""
    return dict(zip(CONSISTENCY_REVIEWS, built_review.many(CONSISTENCY_REVIEWS)))


# Test data are inputs, never test modules: importing tests/data/bad_inputs/make_hostile.py for
# its doctests would leave a __pycache__ folder in the bad-input corpus.
collect_ignore_glob = ["data/*"]
