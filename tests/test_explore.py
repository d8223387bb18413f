"""The analyst's guided notebook runs top to bottom, and its numbers are the engine's."""

from __future__ import annotations

import ast
import hashlib

import nbformat
import papermill as pm
import pytest

from plananalysis.explore import compare_methods, verdict_change, with_value
from plananalysis.observed.load import load_observed
from plananalysis.plan.folder import load_plan
from plananalysis.engine.progress import assess, status_counts

from .conftest import DATA, ROOT


def data_digest():
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(DATA.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_explore_notebook_matches_the_engine(tmp_path):
    before = data_digest()
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"), str(out), kernel_name="python3",
                        parameters={"export_path": str(tmp_path / "进度表.xlsx"), "indicator": "常住人口城镇化率"},
                        progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    cell = next(c for c in nb.cells if "summary" in c.metadata.get("tags", []))
    summary = ast.literal_eval(cell.outputs[0]["data"]["text/plain"])
    plan, observed = load_plan(), load_observed()
    assert summary["2023"] == status_counts(assess(plan, observed, as_of=2023)).to_dict()
    assert summary["2025"] == status_counts(assess(plan, observed, as_of=2025)).to_dict()
    assert summary["indicator"]["2023"] == "快于预期"  # 常住人口城镇化率 74.2 in 2023: q = 0.8/0.6
    assert (tmp_path / "进度表.xlsx").stat().st_size > 0
    assert data_digest() == before  # the what-if value never reached data/
    svgs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/svg+xml" in o.get("data", {})]
    assert svgs and "常住人口城镇化率" in svgs[0]["data"]["image/svg+xml"]


def test_what_if_changes_the_verdict_in_memory_only():
    plan, observed = load_plan(), load_observed()
    tried = with_value(observed, "culture_industry_share", 2023, 6.8)
    change = verdict_change(plan, observed, tried, "culture_industry_share", as_of=2023)
    # before: 6.9 in 2021, P = (6.9-6.6)/(7.5-6.6) = 0.333, E = 1/5 = 0.2, q = 1.67 → 快于预期
    # after: 6.8 in 2023, P = 0.2/0.9 = 0.222, E = 0.6, q = 0.37 → 滞后
    assert change.loc["status_zh", "before"] == "快于预期（据2021年媒体报道数据，待核实，趋势存疑，基期存疑）"   # issue 19
    assert change.loc["status_zh", "after"] == "滞后"
    assert change.loc["completion_share", "after"] == pytest.approx(0.2 / 0.9)
    assert len(load_observed()) == len(observed)


def test_methods_side_by_side():
    verdicts = compare_methods(load_plan(), load_observed(), as_of=2023)
    assert list(verdicts.columns) == ["cn-schedule", "eurostat", "open-sdg", "sdsn"]
    assert len(verdicts) == 25
    assert verdicts.loc["常住人口城镇化率", "cn-schedule"] == "快于预期"
