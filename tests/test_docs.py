"""The public API is documented where analysts look.

- every public function and class (a name in a module's ``__all__``) has a docstring with a
  runnable ``>>>`` example (pytest runs them all: ``--doctest-modules`` in pyproject.toml);
- ``help(plananalysis)`` gives the map of the package and names the entry points;
- ``docs/reference.md`` lists the entry points with an example each, and the README links to it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import pydoc
import re
import tomllib
from pathlib import Path

import pytest

import plananalysis

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = ["load_plan", "load_observed", "progress", "charts", "widgets", "review"]

# Public names allowed to go without an example, each with the reason.  Keep it empty:
# a name that cannot show a cheap example should show a related pure piece instead.
EXEMPT: dict[str, str] = {}


def _public_callables():
    seen = set()  # a name re-exported by a package (widgets) is counted once
    for info in sorted(pkgutil.walk_packages(plananalysis.__path__, "plananalysis."), key=lambda m: m.name):
        module = importlib.import_module(info.name)
        short = info.name.removeprefix("plananalysis.")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and id(obj) not in seen:
                seen.add(id(obj))
                yield f"{short}.{name}", obj


def _runnable_examples(doc: str) -> list[str]:
    """The ``>>>`` lines of a docstring that doctest runs (not marked ``+SKIP``)."""
    return [line for line in doc.splitlines()
            if line.strip().startswith(">>>") and "+SKIP" not in line]


def test_the_public_api_is_found():
    names = PUBLIC
    # a few names every analyst uses; if these vanish, the scan above is broken
    assert {"plan.load_plan", "observed.load_observed", "engine.progress.assess",
            "present.charts.trajectory", "run.review.run_review"} <= set(names)
    assert len(names) > 100


PUBLIC = dict(_public_callables())


@pytest.mark.parametrize("qualified", sorted(PUBLIC))
def test_every_public_function_and_class_has_a_runnable_example(qualified):
    if qualified in EXEMPT:
        pytest.skip(EXEMPT[qualified])
    doc = inspect.getdoc(PUBLIC[qualified]) or ""
    assert doc.strip(), f"plananalysis.{qualified} has no docstring"
    assert _runnable_examples(doc), (
        f"plananalysis.{qualified}: the docstring needs a short '>>>' example that runs "
        "(pytest --doctest-modules runs it; only a line that starts a server may be +SKIP)")


def test_exemptions_are_real_and_explained():
    names = PUBLIC
    for qualified, reason in EXEMPT.items():
        assert qualified in names, f"stale exemption {qualified}"
        assert len(reason) > 20, f"exemption {qualified} needs a reason"
        assert not _runnable_examples(inspect.getdoc(names[qualified]) or ""), \
            f"{qualified} has an example now: drop its exemption"


def test_doctests_run_with_the_tests():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in config["addopts"]
    assert "plananalysis" in config["testpaths"]


def test_help_gives_the_map_and_the_entry_points():
    text = pydoc.render_doc(plananalysis, renderer=pydoc.plaintext)
    assert "Map of the package" in text
    for name in ENTRY_POINTS:
        assert re.search(rf"\b{name}\b", plananalysis.__doc__), f"plananalysis.__doc__ does not name {name}"
        assert name in text
    assert "docs/reference.md" in plananalysis.__doc__


def test_the_reference_page_has_an_example_per_entry_point():
    page = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    sections = re.split(r"\n(?=## )", page)
    for name in ["load_plan", "parse", "load_observed", "plananalysis data", "assess", "retrospective",
                 "audit", "charts", "style_progress", "compare_methods", "widgets", "run_review",
                 "plananalysis app", "make lab"]:
        holding = [s for s in sections if name in s]
        assert holding, f"docs/reference.md does not mention {name}"
        assert any("```" in s for s in holding), f"docs/reference.md: no example next to {name}"


def test_the_readme_links_the_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/reference.md" in readme


def test_the_python_examples_of_the_reference_page_run():
    """Every ``python`` block of docs/reference.md runs, in order, in one namespace: the page
    cannot name a function, a parameter or a column the code no longer has."""
    page = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    assert len(blocks) >= 10
    namespace: dict = {}
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)        # the page's paths are the repository's (tests/data/plans/…)
    try:
        for number, block in enumerate(blocks, start=1):
            try:
                exec(compile(block, f"docs/reference.md python block {number}", "exec"), namespace)
            except Exception as error:  # noqa: BLE001 — name the block that broke
                raise AssertionError(f"docs/reference.md, python block {number}: {error!r}\n{block}") from error
    finally:
        os.chdir(cwd)
    ns = namespace      # a few of the values the page states, computed again
    assert ns["row"].status_zh == "快于预期" and ns["row"].reason_zh == "2023年74.2%，完成目标进度80%，快于序时进度60%"
    assert ns["plan"].indicator("常住人口城镇化率")["target_printed"] == "75左右"
    assert ns["lagging"].progress.set_index("indicator_id").loc["culture_industry_share", "status_zh"] == "滞后"
