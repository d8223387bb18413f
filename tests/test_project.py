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
    for target in ("review:", "test:", "app:", "bench:", "lab:"):
        assert re.search(rf"^{target}", makefile, re.M), target
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
