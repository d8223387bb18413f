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

# Test data are inputs, never test modules: importing tests/data/bad_inputs/make_hostile.py for
# its doctests would leave a __pycache__ folder in the bad-input corpus.
collect_ignore_glob = ["data/*"]
