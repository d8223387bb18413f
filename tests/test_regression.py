"""The shipped plan's review keeps its numbers (issue 12: "the Zhejiang review's numbers are unchanged").

The golden tables (tests/data/golden/) were written by the engine before it was made plan-aware.
Today's engine must give the same latest values, completion shares, time shares, paces and
statuses, except for the changes the issues asked for, each named here:

- culture_industry_share: its 6.9 % is a 2021 value, not 2022 (issue 13.5, the year corrected in
  the data with its evidence), so its year, time share, pace and verdict change;
- final review (2025): a verdict resting on a year before 2025 is an estimate from that year
  (issue 14): 预计完成 / 预计未完成（据…年数据）, the numbers beside it unchanged;
- values added to the data since (none for the headline table so far) would show here as a row
  that had no data before: the test names them.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from plananalysis.context import review_context

from .conftest import TEST_DATA

NUMBERS = ["latest_year", "latest_value", "completion_share", "elapsed_share", "pace_ratio", "projected_share"]
CORRECTED = {"culture_industry_share"}


def _same(a, b) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("as_of", [2023, 2025])
def test_the_shipped_review_keeps_its_numbers(as_of):
    golden = pd.read_csv(TEST_DATA / "golden" / f"golden-{as_of}.csv").set_index("indicator_id")
    now = review_context(as_of=as_of).progress.set_index("indicator_id")
    assert list(now.index) == list(golden.index)
    for indicator_id, old in golden.iterrows():
        if indicator_id in CORRECTED:
            continue
        new = now.loc[indicator_id]
        for column in NUMBERS:
            assert _same(new[column], old[column]), (indicator_id, column, new[column], old[column])
        if as_of == 2025 and not pd.isna(old["latest_year"]) and old["latest_year"] < as_of \
                and old["status_id"] != "no_data":
            expected = "estimated_completed" if old["status_id"] in ("exceeded", "completed") or (
                old["projected_share"] >= 1) else None
            assert new["status_id"].startswith("estimated_"), (indicator_id, new["status_id"])
            if expected:
                assert new["status_id"] == expected, (indicator_id, new["status_id"])
            assert f"据{int(old['latest_year'])}年数据" in new["status_zh"]
        else:
            assert new["status_id"] == old["status_id"], (indicator_id, new["status_id"], old["status_id"])


def test_the_corrected_culture_share():
    row = review_context(as_of=2023).progress.set_index("indicator_id").loc["culture_industry_share"]
    # 6.9 in 2021: k = 1, P = (6.9 − 6.6)/(7.5 − 6.6) = 0.3333, E = 1/5 = 0.2, q = 1.667 → 快于预期
    assert (row.latest_year, row.latest_value) == (2021, 6.9)
    assert row.completion_share == pytest.approx(1 / 3) and row.elapsed_share == pytest.approx(0.2)
    assert row.status_zh == "快于预期"
