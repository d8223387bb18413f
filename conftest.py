"""Every test (and every doctest in plananalysis/) reads the shipped data, never the checkout's state.

Before anything is collected, the data folder as shipped — the files git tracks under ``data/``
(outside a git checkout: ``data/`` without what the program writes there: imported ``user.csv``,
``backups/``, ``.import.lock``, temporary files) — is copied to a temporary folder, and
``$PLANANALYSIS_DATA_DIR`` points at it (:func:`plananalysis.paths.data_dir`).  Values imported
into ``data/plans/*/observed/`` and plan folders added under ``data/plans/`` change no test; a
test that writes data writes into the copy.  Subprocesses (the command line, papermill's kernels,
Voilà) inherit the variable.  The copy is removed when the run ends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# What the program writes into a data folder: never part of the shipped data.
WRITTEN_STATE = ("user.csv", "backups", ".import.lock", ".tmp*", "*.tmp", "__pycache__", ".ipynb_checkpoints")


def _tracked_data_files() -> list[str]:
    """The paths under ``data/`` that git tracks (staged included); [] outside a git checkout."""
    try:
        listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--", "data"],
                                capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [name for name in listed.decode("utf-8", "surrogateescape").split("\0") if name]


def shipped_data_copy(target: Path) -> Path:
    """Copy the shipped data folder to ``target`` (see the module's docstring); returns ``target``."""
    tracked = _tracked_data_files()
    if not tracked:
        shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns(*WRITTEN_STATE))
        return target
    for name in tracked:
        source = ROOT / name
        if source.is_file():                    # a tracked file deleted in the work tree stays deleted
            destination = target / Path(name).relative_to("data")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


#: The run's sandbox (the data copy, and the reviews the tests build once).  ``make test`` runs
#: the tests in two pytest-xdist workers: the controlling process makes the sandbox before it
#: starts them, and the workers (which inherit its environment) share it, so the data copy is
#: made once and a review built by one worker is read by the other (tests/conftest.py).
SANDBOX_VARIABLE = "PLANANALYSIS_TESTS_SANDBOX"
_INHERITED = os.environ.get(SANDBOX_VARIABLE, "") if os.environ.get("PYTEST_XDIST_WORKER") else ""
if _INHERITED and Path(_INHERITED, "data").is_dir():
    _SANDBOX, _OWNER = Path(_INHERITED), None          # a worker: the controller removes it
else:
    _SANDBOX, _OWNER = Path(tempfile.mkdtemp(prefix="plananalysis-tests-")), os.getpid()
    os.environ[SANDBOX_VARIABLE] = str(_SANDBOX)
    shipped_data_copy(_SANDBOX / "data")


@atexit.register
def _remove_sandbox() -> None:
    if os.getpid() == _OWNER:           # not in a forked child that happens to run atexit handlers
        shutil.rmtree(_SANDBOX, ignore_errors=True)


os.environ["PLANANALYSIS_DATA_DIR"] = str(_SANDBOX / "data")


def _tree_state(folder: Path) -> dict:
    """Each file under ``folder``: its size and modification time (what a write changes)."""
    state = {}
    for path in folder.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            info = path.stat()
            state[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return state


import pytest  # noqa: E402  (after the data copy is in place, before any test module is imported)


@pytest.fixture(scope="module", autouse=True)
def _shipped_data_stays_as_shipped(request):
    """The data copy is shared by the whole run: a test module that writes into it fails (named,
    with the files it changed) and the copy is laid anew, so no later test sees its writes."""
    data = Path(os.environ["PLANANALYSIS_DATA_DIR"])
    before = _tree_state(data)
    yield
    after = _tree_state(data)
    if after != before:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        shutil.rmtree(data, ignore_errors=True)
        shipped_data_copy(data)
        pytest.fail(f"{request.node.name} wrote into the shared data copy (copy a plan folder first): "
                    f"{changed[:8]}", pytrace=False)
