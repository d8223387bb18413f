"""Nothing about one plan lives in the code (issue 12): the package and the notebooks name no plan.

The scan reads every plan folder the project has (shipped and test fixtures) and collects what
makes a plan itself: its id, titles, region names (plan.yml and regions.csv), indicator and
target ids, indicator names, department names, and the years of its period.  Then:

- in the code proper (string and number literals outside docstrings and comments) none of them
  may appear, and no year literal at all (a plan's years come from its plan.yml);
- in docstrings and comments, a plan's identity (its id, its titles, its regions) may not appear
  either: examples run against the default plan through ``load_plan()``, without naming it.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import tokenize
from pathlib import Path

import pytest
import yaml

from .conftest import DATA, ROOT, TEST_DATA

CODE_DIRS = [ROOT / "plananalysis", ROOT / "notebooks"]
PLAN_DIRS = sorted({p.parent for p in list((DATA / "plans").glob("*/plan.yml")) + list((TEST_DATA / "plans").glob("*/plan.yml"))})
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-9]\d)(?!\d)")


def _csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _plan_years() -> set[str]:
    """Every year a plan folder names: its period and base (five years back for notes such as
    ``6(2019年)``), its vision year and its previous plan's period."""
    years = set()
    for folder in PLAN_DIRS:
        info = yaml.safe_load((folder / "plan.yml").read_text(encoding="utf-8"))
        period = info["period"]
        years |= set(range(period["base_year"] - 5, period["end"] + 1))
        if info.get("vision_year"):
            years.add(info["vision_year"])
        previous = (info.get("previous_plan") or {}).get("period") or {}
        if previous:
            years |= set(range(previous["base_year"], previous["end"] + 1))
    return {str(y) for y in years}


def _plan_facts() -> tuple[set[str], set[str]]:
    """(identity: ids, titles, regions — banned everywhere; facts: indicator/target ids and names,
    departments — banned in code literals)."""
    identity, facts = set(), set()
    for folder in PLAN_DIRS:
        info = yaml.safe_load((folder / "plan.yml").read_text(encoding="utf-8"))
        identity |= {info["id"], info["title_zh"], str(info.get("title_en") or ""), info["region"]}
        for row in _csv(folder / "regions.csv"):
            identity.add(row["name_zh"])
            identity |= {a for a in row.get("aliases", "").split("|") if len(a) >= 2}
            if row.get("name_en"):
                identity.add(row["name_en"])
        for row in _csv(folder / "indicators.csv"):
            facts |= {row["indicator_id"], row["name_zh"]}
        for row in _csv(folder / "targets.csv"):
            facts.add(row["target_id"])
        for row in _csv(folder / "departments.csv"):
            facts |= {row["name_zh"]}
    identity = {s for s in identity if s and len(s) >= 2}
    facts = {s for s in facts if s and len(s) >= 4}
    return identity, facts


IDENTITY, FACTS = _plan_facts()
PLAN_YEARS = _plan_years()


def _sources():
    for folder in CODE_DIRS:
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path, path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            nb = json.loads(path.read_text(encoding="utf-8"))
            code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
            markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] != "code")
            yield path, code + "\n" + "".join(f"\n# {line}" for line in markdown.splitlines())


def _literals(text: str):
    """(kind, value, line): string and number literals of the code proper; docstrings and comments apart."""
    try:
        tree = ast.parse(text)
    except SyntaxError:  # a notebook cell with IPython syntax: scan its tokens as code
        tree = None
    docstrings = set()
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
                first = node.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                    docstrings.add(first.lineno)
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            yield "comment", token.string, token.start[0]
        elif token.type == tokenize.STRING:
            kind = "doc" if token.start[0] in docstrings else "code"
            yield kind, token.string, token.start[0]
        elif token.type == tokenize.NUMBER:
            yield "number", token.string, token.start[0]


CASES = list(_sources())


def test_the_scan_knows_the_plans():
    assert len(PLAN_DIRS) >= 4 and len(IDENTITY) > 50 and len(FACTS) > 50
    assert len(CASES) > 30


@pytest.mark.parametrize("path, text", CASES, ids=[str(p.relative_to(ROOT)) for p, _ in CASES])
def test_no_plan_is_named_in_the_code(path, text):
    problems = []
    for kind, value, line in _literals(text):
        if kind == "number":
            if YEAR.fullmatch(value) and value in PLAN_YEARS:
                problems.append(f"line {line}: the year {value} (take it from plan.yml)")
            continue
        for word in IDENTITY:
            if word in value:
                problems.append(f"line {line}: {kind} names the plan ({word!r})")
        if kind == "code":
            for word in FACTS:
                if word in value:
                    problems.append(f"line {line}: a plan's indicator, target or department {word!r}")
            for year in (y for y in YEAR.findall(value) if y in PLAN_YEARS):
                if not re.search(rf"[{re.escape('%')}]|\{{", value):   # a format spec or field is not a year
                    problems.append(f"line {line}: the year {year} in a string")
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)
