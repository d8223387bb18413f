"""Adding, listing and undoing the analyst's values from Python (plananalysis.observed.analyst):
the same checks and the same safe write as ``plananalysis data import``."""

from __future__ import annotations

import pandas as pd
import pytest

from plananalysis.errors import PlanDataError
from plananalysis.observed.analyst import add_value, add_values, list_values, template_frame, undo_last_import
from plananalysis.observed.load import load_observed


def test_a_value_is_added_listed_and_undone_back_to_the_byte(plan_copy):
    user = plan_copy / "observed" / "user.csv"
    first = add_value("sports_area_per_capita", 2024, 3.1, plan=plan_copy, source_title="体育场地统计调查数据公报",
                      source_url="https://tyj.zj.gov.cn/")
    assert first.counts["added"] == 1 and first.backup is None and user.is_file()
    after_first = user.read_bytes()
    # a chapter target's value (no indicator number), and a second import over the first
    second = add_value("ch04-t06", 2022, 9.1, plan=plan_copy, source_title="统计公报", snippet="帮扶困难人员就业9.1万人")
    assert second.counts["added"] == 1 and second.backup is not None
    listed = list_values(plan_copy)
    assert sorted(listed[["subject_id", "year", "value"]].values.tolist()) == [
        ["ch04-t06", 2022, 9.1], ["sports_area_per_capita", 2024, 3.1]]
    assert set(listed["imported_from"]) == {"add_value.csv"} and listed["imported_at"].str.len().min() == 19
    rows = load_observed(plan=plan_copy).query("target_id == 'ch04-t06' and year == 2022")
    assert rows[["value", "snippet", "origin"]].values.tolist() == [[9.1, "帮扶困难人员就业9.1万人", "user"]]

    undo_last_import(plan_copy)                 # back to after the first import, byte for byte
    assert user.read_bytes() == after_first and not list((plan_copy / "observed" / "backups").glob("user-*.csv"))
    undo_last_import(plan_copy)                 # the first import made user.csv: none again
    assert not user.exists() and len(list_values(plan_copy)) == 0
    assert len(list((plan_copy / "observed" / "backups").glob("undone-*.csv"))) == 2   # nothing lost
    with pytest.raises(PlanDataError, match="imported values to undo"):
        undo_last_import(plan_copy)


def test_a_bad_value_is_refused_as_an_import_refuses_it_and_nothing_is_written(plan_copy):
    with pytest.raises(PlanDataError) as error:
        add_value("hospital_beds", 2024, 6.5, plan=plan_copy, source_title="公报")
    assert "file add_values, row 1" in str(error.value) and "hospital_beds_per_1000" in str(error.value)
    with pytest.raises(PlanDataError, match="row 1, column year"):
        add_value("urbanisation_rate", 1999, 70.0, plan=plan_copy, source_title="公报")
    with pytest.raises(PlanDataError, match="source"):      # no source, no --no-source
        add_value("urbanisation_rate", 2024, 75.0, plan=plan_copy)
    assert not (plan_copy / "observed" / "user.csv").exists()


def test_the_template_frame_takes_text_and_imports(plan_copy):
    frame = template_frame(plan_copy)
    assert (frame["source_title"].dtype, frame["year"].dtype) == (pd.StringDtype(), pd.Int64Dtype())
    row = frame.index[frame["indicator_name"] == "常住人口城镇化率"][0]
    frame.loc[row, ["region", "year", "value", "source_title", "snippet"]] = ["杭州市", 2023, 84.2, "杭州市统计公报", "84.2%"]
    summary = add_values(frame, plan=plan_copy)
    assert summary.counts == {"added": 1, "replaced": 0, "unchanged": 0, "conflicts": 0}
    assert summary.skipped_placeholders == len(frame) - 1
    assert list_values(plan_copy)[["subject_id", "region", "value"]].values.tolist() == [
        ["urbanisation_rate", "杭州市", 84.2]]


@pytest.mark.slow
def test_the_chapter_6_notebook_answers_with_the_documented_api(tmp_path, monkeypatch):
    """tests/notebooks/chapter6_questions.ipynb, run by papermill in a copy of the data: which of
    chapter 6's items are behind and what pace would meet them; a value added and undone; its
    asserts check the numbers by hand."""
    import shutil

    import papermill as pm

    from .conftest import DATA, ROOT

    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("user.csv", "backups", ".import.lock"))
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "chapter6.ipynb"
    pm.execute_notebook(str(ROOT / "tests" / "notebooks" / "chapter6_questions.ipynb"), str(out),
                        kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    text = out.read_text(encoding="utf-8")
    assert "undone: no_data 0.302" in text
    assert not (tmp_path / "data" / "plans" / "zj-social-14th" / "observed" / "user.csv").exists()
