"""Text the package writes into a workbook, or a CSV meant for Excel, never becomes a formula
(issue 15 item 2): every text cell goes through :func:`plananalysis.files.spreadsheet_text`.

An imported source title ``=cmd|' /C calc'!A0`` became a live formula in ``scorecard.xlsx``
(sheet 观测数据).  Here it and its ``+``, ``-``, ``@`` and full-width ``＝`` variants are
imported into a sandbox copy of ``data/``, the default review's workbook is written from it,
and no cell of any sheet may be a formula; the text must be intact after the quote.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from plananalysis.files import spreadsheet_text

from plananalysis.observed.importer import import_observed, write_template

from .conftest import DATA, TEST_DATA

HOSTILE = ["=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "＝cmd|' /C calc'!A0"]


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "plans" / "zj-social-14th" / "observed"


def formula_cells(path) -> list[str]:
    book = load_workbook(path)  # not read-only: data_type is that of each stored cell
    return [f"{sheet.title}!{cell.coordinate}={cell.value!r}" for sheet in book.worksheets
            for line in sheet.iter_rows() for cell in line if cell.data_type == "f"]


def texts(path) -> list[str]:
    book = load_workbook(path)
    return [cell.value for sheet in book.worksheets for line in sheet.iter_rows() for cell in line
            if isinstance(cell.value, str)]


def test_imported_text_is_never_a_formula_in_the_scorecard_workbook(sandbox, tmp_path):
    source = tmp_path / "hostile.csv"
    with open(source, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["指标编号", "地区", "年份", "数值", "来源名称", "备注"])
        for (region, year), title in zip([("杭州市", 2021), ("杭州市", 2022), ("杭州市", 2023), ("宁波市", 2022),
                                          ("宁波市", 2023)], HOSTILE):
            writer.writerow([3, region, year, 80, title, title])
    assert import_observed(source, target_dir=sandbox).counts["added"] == len(HOSTILE)

    from plananalysis.params import validate
    from plananalysis.publish.export import write_scorecard_xlsx

    path = write_scorecard_xlsx(tmp_path / "scorecard.xlsx", validate(as_of=2023))
    assert formula_cells(path) == []
    written = texts(path)
    for title in HOSTILE:
        assert spreadsheet_text(title) in written, title   # shown as text: the quote, then the title intact


@pytest.fixture
def hostile_plan(tmp_path) -> Path:
    """A copy of the city test plan whose indicator names and units a spreadsheet would run."""
    folder = shutil.copytree(TEST_DATA / "plans" / "hz-demo", tmp_path / "hostile-plan")
    table = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    table.loc[0, "name_zh"] = HOSTILE[0]
    table.loc[1, "name_en"] = HOSTILE[1]
    table.loc[2, "unit"] = HOSTILE[2]
    table.loc[1, "name_zh"] = HOSTILE[3]
    table.loc[2, "name_zh"] = HOSTILE[4]
    table.to_csv(folder / "indicators.csv", index=False)
    (folder / "plan.yml").write_text((folder / "plan.yml").read_text(encoding="utf-8").replace(
        "id: hz-demo", "id: hostile-plan"), encoding="utf-8")
    return folder


def test_the_template_workbook_holds_no_formula(tmp_path, hostile_plan):
    path = write_template(tmp_path / "模板.xlsx", plan=hostile_plan)
    assert formula_cells(path) == []
    written = texts(path)
    for text in HOSTILE:
        assert "'" + text in written, text
    assert "杭州市" in written  # ordinary text (the plan's region) is written as it is


def test_the_template_csv_for_excel_holds_no_formula(tmp_path, hostile_plan):
    path = write_template(tmp_path / "模板.csv", plan=hostile_plan)
    with open(path, encoding="utf-8-sig", newline="") as f:
        cells = [cell for line in csv.reader(f) for cell in line]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "＝", "\t", "\r"))]
    for text in HOSTILE[:1] + HOSTILE[2:]:   # (the CSV has no English names: HOSTILE[1] is not in it)
        assert "'" + text in cells, text
