"""Project-level promises: one dependency set, clean notebooks, the README's commands."""

from __future__ import annotations

import json
import re
import tomllib

import yaml

from .conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_side = {_name(r): r.replace(" ", "") for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    conda = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    conda_side = {_name(d): d.replace(" ", "") for d in conda if isinstance(d, str) and _name(d) not in ("python", "pip")}
    assert pip_side.keys() == conda_side.keys()
    for name in pip_side:  # same lower bounds too
        assert pip_side[name] == conda_side[name], name
    assert "voila>=0.5.6" in pip_side.values()  # CVE-2024-30265
    assert project["requires-python"].startswith(">=3.11")


def test_notebooks_are_committed_without_outputs():
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and not cell.get("execution_count"), path


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:2500]
    assert "make review" in head and "make test" in head and "make app" in readme


def test_makefile_targets_and_ci():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("review:", "test:", "fuzz:", "app:", "bench:", "lab:"):
        assert re.search(rf"^{target}", makefile, re.M), target
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    fuzz = makefile.split("\nfuzz:", 1)[1].split("\n\n", 1)[0]
    assert "HYPOTHESIS_PROFILE=fuzz" in fuzz and "-m fuzz" in fuzz


# ---------------------------------------------------------------- the test suite itself (issue 18, item 6)


def test_the_tests_read_a_copy_of_the_shipped_data():
    """Whatever was imported into data/, the tests see the tracked files only, in a copy."""
    import subprocess

    from plananalysis.paths import data_dir

    from .conftest import DATA

    assert DATA == data_dir() and not DATA.resolve().is_relative_to(ROOT.resolve())
    copied = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file())
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--", "data"], capture_output=True, text=True)
    if tracked.returncode == 0 and tracked.stdout.strip():
        shipped = sorted(name.removeprefix("data/") for name in tracked.stdout.splitlines()
                         if (ROOT / name).is_file())
        assert copied == shipped
    assert not [name for name in copied if name.endswith(("user.csv", ".import.lock")) or "/backups/" in name]


def test_hypothesis_runs_the_same_examples_every_time(request):
    """`make test`: profile "ci" (derandomized, no example database); every @given test is marked
    fuzz, so `make fuzz` (-m fuzz) runs them all."""
    import os

    from hypothesis import settings

    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        assert settings.default.derandomize and settings.default.database is None
    given = [item for item in request.session.items
             if getattr(getattr(item, "function", None), "is_hypothesis_test", False)]
    assert all(item.get_closest_marker("fuzz") for item in given)
