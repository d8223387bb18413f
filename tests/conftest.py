"""Shared test fixtures: paths, the default plan, and a sandboxed data folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PLAN_DIR = DATA / "plans" / "zj-social-14th"
OBSERVED = PLAN_DIR / "observed"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def plan():
    from plananalysis.plan.folder import load_plan

    return load_plan()


@pytest.fixture
def plan_copy(tmp_path) -> Path:
    """A writable copy of the default plan's folder, for breaking files on purpose."""
    target = tmp_path / "zj-social-14th"
    shutil.copytree(PLAN_DIR, target)
    return target

#: The reviews every output is checked on (tests/test_consistency.py): the default plan and every
#: fixture plan, both reviews (a plan whose mid-term is ahead: its default review), both languages.
CONSISTENCY_REVIEWS = [(plan, year, lang)
                       for plan, years in (("", (2023, 2025)), ("tests/data/plans/hz-demo", (2023, 2025)),
                                           ("tests/data/plans/cn-national-14th", (2023, 2025)),
                                           ("tests/data/plans/cn-national-15th", (None,)))
                       for year in years for lang in ("zh", "en")]


@pytest.fixture(scope="session")
def built_reviews(tmp_path_factory):
    """Every review of :data:`CONSISTENCY_REVIEWS`, run once per session with one pool of workers
    (≈ 140 s on 2 cores): ``{(plan, as_of, lang): folder}``. One session fixture, so that the
    lead can unify it with the other review fixtures."""
    from plananalysis.params import validate
    from plananalysis.run.review import run_reviews

    folder = tmp_path_factory.mktemp("consistency-reports")
    params = [validate(plan=plan or None, as_of=year, lang=lang) for plan, year, lang in CONSISTENCY_REVIEWS]
    summaries = run_reviews(params, jobs=2, reports_dir=folder, echo=lambda line: None)
    assert all(s["ok"] for s in summaries), [s["failed"] for s in summaries]
    return {key: Path(s["folder"]) for key, s in zip(CONSISTENCY_REVIEWS, summaries)}


# Test data are inputs, never test modules: importing tests/data/bad_inputs/make_hostile.py for
# its doctests would leave a __pycache__ folder in the bad-input corpus.
collect_ignore_glob = ["data/*"]
