"""The review context a review's command shares with its kernels and documents process
(context.share_context): loaded only for the same parameters and unchanged data files."""

from __future__ import annotations

import os
import shutil

import pytest

from plananalysis.context import ReviewContext, _fingerprint, _load_shared, review_context, share_context
from plananalysis.params import validate
from plananalysis.paths import SHARED_CONTEXTS


@pytest.fixture(scope="module")
def plan_copy(tmp_path_factory):
    """A copy of the default plan's folder (the test touches its files)."""
    params = validate(as_of=2023)
    target = tmp_path_factory.mktemp("plan") / params.plan_id
    shutil.copytree(params.plan, target, ignore=shutil.ignore_patterns("user.csv", "backups", ".import.lock"))
    return target


def _loaded(params, folder) -> bool:
    return "results" in _load_shared(ReviewContext(params), folder, _fingerprint(params)).__dict__


def test_a_shared_context_is_the_context_the_process_would_build(plan_copy, tmp_path):
    params = validate(plan=str(plan_copy), as_of=2023)
    share_context(params, tmp_path)
    loaded = _load_shared(ReviewContext(params), tmp_path, _fingerprint(params))
    built = review_context(params)
    for name in ("progress", "target_progress", "results"):
        assert getattr(loaded, name).equals(getattr(built, name)), name
    # the number a page prints, from the loaded context, as the engine judged it
    row = loaded.results.set_index("id").loc["urbanisation_rate"]
    assert row["latest_value"] == 74.2 and row["latest_year"] == 2023


def test_a_shared_context_is_not_read_for_other_parameters_or_changed_data(plan_copy, tmp_path):
    params = validate(plan=str(plan_copy), as_of=2023)
    share_context(params, tmp_path)
    assert _loaded(params, tmp_path)
    assert not _loaded(params.replace(lang="en"), tmp_path)
    assert not _loaded(params.replace(as_of=2025), tmp_path)
    observed = next((plan_copy / "observed").glob("observed-*.csv"))
    stat = observed.stat()
    os.utime(observed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))   # the file changed
    assert not _loaded(params, tmp_path)


def test_a_process_with_nothing_shared_builds_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv(SHARED_CONTEXTS, str(tmp_path / "missing"))
    params = validate(as_of=2023, method="sdsn")   # parameters no other test has built
    context = review_context(params)
    assert context.progress["method"].iloc[0] == "sdsn" and len(context.results) == len(context.progress) + len(
        context.target_progress)


def test_a_plan_with_warnings_travels_in_a_shared_context():
    """The national fixture's plan carries warnings (PlanWarning, an exception with five fields):
    they came back from the shared context's pickle as a TypeError, and every page failed."""
    import pickle

    from plananalysis.errors import PlanDataError, PlanDataErrors, PlanWarning
    from plananalysis.plan.folder import load_plan

    from .conftest import TEST_DATA

    plan = load_plan(TEST_DATA / "plans" / "cn-national-14th")
    assert plan.warnings
    back = pickle.loads(pickle.dumps(plan.warnings))
    assert [str(w) for w in back] == [str(w) for w in plan.warnings]
    for error in (PlanDataError("a.csv", 2, "c", "v", "x"), PlanDataErrors([PlanWarning("a.csv", 3, "c", "v", "x")])):
        assert str(pickle.loads(pickle.dumps(error))) == str(error)
