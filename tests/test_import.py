"""Bringing one's own data: the template, a good import (CSV and .xlsx), conflicts and
replacements, and the corpus of bad files — each one clear error, nothing written."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from plananalysis.errors import PlanDataError
from plananalysis.observed.importer import LOCK_FILE, import_observed, write_template
from plananalysis.observed.load import load_observed
from plananalysis.observed.validation import read_observed_file

from .conftest import DATA, TEST_DATA, tree_hash

BAD = TEST_DATA / "bad_inputs"
with open(BAD / "expected.csv", encoding="utf-8") as _f:
    CASES = list(csv.DictReader(_f))
# run through the real command line as a subprocess (a sample; all run in-process)
CLI_SAMPLE = {"unit_mismatch.csv", "non_numeric_value.csv", "missing_source_column.csv", "duplicate_rows.csv",
              "excel_unit_mismatch.xlsx", "empty_file.csv", "binary_file.csv", "unknown_indicator_name.csv"}


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """A copy of data/ that the environment points at; returns its observed folder."""
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "plans" / "zj-social-14th" / "observed"


def run_cli(*args, data_dir: Path, cwd: Path):
    env = dict(os.environ, PLANANALYSIS_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "plananalysis.run.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def fill_template(path: Path) -> Path:
    """Fill the written template as an analyst would: two city values, one provincial one."""
    rows = {
        3: ("杭州市", "2023", "84.2%", "2023年杭州市国民经济和社会发展统计公报", "https://tjj.hangzhou.gov.cn/"),
        14: ("浙江省", "2022", "７.２", "省卫生健康委 年报", "https://wsjkw.zj.gov.cn/"),
        16: ("宁波", "2023", "1,234.5", "宁波市人力社保局", "https://rsj.ningbo.gov.cn/"),
    }
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            table = list(csv.reader(f))
        for line in table[1:]:
            if int(line[0]) in rows:
                line[2], line[4], line[5], line[8], line[9] = rows[int(line[0])]
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(table)
    else:
        book = load_workbook(path)
        sheet = book["数据"]
        for line in sheet.iter_rows(min_row=2):
            if line[0].value in rows:
                for cell, value in zip((line[2], line[4], line[5], line[8], line[9]), rows[line[0].value]):
                    cell.value = value
        sheet["E17"].value = 2023  # indicator 16 is on row 17. Excel stores numbers as numbers: a numeric year
        book.save(path)
    return path


# ---------------------------------------------------------------- the template


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template_lists_the_25_indicators(tmp_path, suffix):
    path = write_template(tmp_path / f"模板{suffix}")
    frame, skipped, errors = read_observed_file(path)
    assert skipped == 25 and frame.empty
    assert [str(e) for e in errors] == [
        f"文件 {path}: 值 '25 行未填 (25 rows not filled in)' 不符合要求，应为 至少一行填有年份和数值的数据 "
        f"(at least one row with a year and a value) (file {path}: got '25 行未填 (25 rows not filled in)', "
        "expected 至少一行填有年份和数值的数据 (at least one row with a year and a value))"]
    if suffix == ".csv":
        header = path.read_text(encoding="utf-8-sig").splitlines()[0]
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese headers
    else:
        book = load_workbook(path)
        assert book.sheetnames == ["数据", "指标", "说明"]
        header = ",".join(c.value for c in book["数据"][1])
        assert book["指标"].max_row == 26
    assert header.startswith("指标编号,指标名称,地区,口径,年份,数值,限定符,单位,来源名称,来源链接")


def test_template_refuses_to_overwrite(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    with pytest.raises(PlanDataError, match="--force"):
        write_template(path)
    write_template(path, force=True)
    with pytest.raises(PlanDataError, match=r"a \.csv or \.xlsx file name"):
        write_template(tmp_path / "t.ods")


# ---------------------------------------------------------------- good imports


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_a_filled_template(sandbox, tmp_path, suffix):
    path = fill_template(write_template(tmp_path / f"filled{suffix}"))
    shipped_before = (sandbox / "observed-zhejiang.csv").read_bytes()
    shipped_rows = (load_observed(sandbox).origin == "shipped").sum()
    summary = import_observed(path, target_dir=sandbox, now=datetime(2025, 3, 1, 9, 30))
    assert summary.counts == {"added": 3, "replaced": 0, "unchanged": 0, "conflicts": 0}
    assert summary.skipped_placeholders == 22 and summary.written and summary.backup is None
    text = summary.format()
    assert "新增 added 3, 替换 replaced 0, 未变 unchanged 0" in text
    assert "+ 第4行 row 4: 3 常住人口城镇化率 杭州市 plan 2023 = 84.2 %" in text
    assert "16 基本养老保险参保人数 宁波市 plan 2023 = 1234.5 万人" in text  # 宁波 → 宁波市, 1,234.5 → 1234.5

    frame = load_observed(sandbox)
    user = frame[frame.origin == "user"].set_index(["indicator_id", "region", "year"])
    assert user.loc[("urbanisation_rate", "杭州市", 2023), "value"] == 84.2
    assert user.loc[("hospital_beds_per_1000", "浙江省", 2022), "value"] == 7.2  # full-width ７ read as 7
    assert user.loc[("urbanisation_rate", "杭州市", 2023), "source_url"] == "https://tjj.hangzhou.gov.cn/"
    assert user.loc[("urbanisation_rate", "杭州市", 2023), "source_quality"] == "user"
    assert (frame.origin == "user").sum() == 3 and (frame.origin == "shipped").sum() == shipped_rows
    assert (sandbox / "observed-zhejiang.csv").read_bytes() == shipped_before  # shipped data untouched
    with open(sandbox / "user.csv", encoding="utf-8") as f:
        written = list(csv.DictReader(f))
    assert {r["imported_at"] for r in written} == {"2025-03-01T09:30:00"}
    assert {r["imported_from"] for r in written} == {path.name}

    again = import_observed(path, target_dir=sandbox)  # the same file twice changes nothing
    assert again.counts == {"added": 0, "replaced": 0, "unchanged": 3, "conflicts": 0} and not again.written
    assert not list(sandbox.glob(".*.tmp"))  # no temporary file left behind


def write_rows(path: Path, *rows, header="指标编号,地区,年份,数值,单位,来源名称,来源链接") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_conflicts_are_shown_and_kept_unless_replace(sandbox, tmp_path):
    path = write_rows(tmp_path / "revised.csv",
                      "3,浙江省,2023,74.5,%,部门数据,https://example.gov.cn/a",      # shipped 74.2
                      "3,浙江省,2024,75.5,%,公报,https://example.gov.cn/b",          # shipped 75.5: same
                      "11,浙江省,2023,91.6,%,部门数据,https://example.gov.cn/c")     # new
    summary = import_observed(path, target_dir=sandbox)
    assert summary.counts == {"added": 1, "replaced": 0, "unchanged": 1, "conflicts": 1}
    assert "! 第2行 row 2: 3 常住人口城镇化率 浙江省 plan 2023 = 74.5 % (原值 was 74.2, shipped)" in summary.format()
    assert "--replace" in summary.format()
    frame = load_observed(sandbox).set_index(["indicator_id", "region", "series", "year"])
    assert frame.loc[("urbanisation_rate", "浙江省", "plan", 2023), "value"] == 74.2

    dry = import_observed(path, target_dir=sandbox, replace=True, dry_run=True)
    assert dry.counts["replaced"] == 1 and not dry.written
    assert load_observed(sandbox).set_index(["indicator_id", "year"]).loc[("urbanisation_rate", 2023), "value"].item() == 74.2

    before = (sandbox / "user.csv").read_bytes()
    replaced = import_observed(path, target_dir=sandbox, replace=True, now=datetime(2025, 4, 1, 8, 0, 0))
    assert replaced.counts == {"added": 0, "replaced": 1, "unchanged": 2, "conflicts": 0}
    assert replaced.backup is not None and replaced.backup.read_bytes() == before  # the backup is the old file
    assert replaced.backup.parent == sandbox / "backups"
    row = load_observed(sandbox).set_index(["indicator_id", "region", "series", "year"]).loc[
        ("urbanisation_rate", "浙江省", "plan", 2023)]
    assert row.value == 74.5 and row.origin == "user" and row.source_title == "部门数据"


def test_an_import_waits_while_another_holds_the_folder(sandbox, tmp_path):
    # another import is under way: its process holds the folder's lock for 1.5 s
    released = tmp_path / "released"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from plananalysis.observed.importer import import_lock\n"
        "with import_lock(sys.argv[1]):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(1.5)\n"
        "    Path(sys.argv[2]).touch()\n"), str(sandbox), str(released)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        summary = import_observed(write_rows(tmp_path / "b.csv", "11,杭州市,2023,95.1,%,公报,https://example.gov.cn/b"),
                                  target_dir=sandbox)
        # it read user.csv only after the other was done, so it cannot have written over its rows
        assert released.exists() and summary.counts["added"] == 1
    finally:
        holder.wait(timeout=30)


def test_user_rows_sharing_a_shipped_key_win_only_when_imported_with_replace(sandbox):
    (sandbox / "user.csv").write_text(
        "indicator_id,region,series,year,value,source_title,is_replacement\n"
        "urbanisation_rate,浙江省,plan,2023,99,hand edit,false\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="not imported with --replace"):
        frame = load_observed(sandbox)
    assert frame.set_index(["indicator_id", "year"]).loc[("urbanisation_rate", 2023), "value"].item() == 74.2


def test_no_source_marks_rows_unsourced(sandbox, tmp_path):
    path = write_rows(tmp_path / "nosource.csv", "12,浙江省,2022,24.6,%", header="指标编号,地区,年份,数值,单位")
    with pytest.raises(PlanDataError, match="--no-source"):
        import_observed(path, target_dir=sandbox)
    summary = import_observed(path, target_dir=sandbox, allow_unsourced=True)
    assert summary.counts["added"] == 1
    row = load_observed(sandbox).query("indicator_id == 'housing_security_coverage'").iloc[0]
    assert (row.value, row.source_quality, row.source_title) == (24.6, "unsourced", "")


def test_english_headers_and_qualifiers(sandbox, tmp_path):
    path = write_rows(tmp_path / "english.csv",
                      "life_expectancy,Hangzhou市,plan,2023,83左右,,Health commission,https://wsjkw.hangzhou.gov.cn/",
                      header="indicator_id,region,series,year,value,qualifier,source_title,source_url")
    with pytest.raises(PlanDataError, match="Hangzhou市"):  # a region must be a Chinese name
        import_observed(path, target_dir=sandbox)
    path = write_rows(tmp_path / "english.csv",
                      "life_expectancy,杭州市,plan,2023,83左右,≈,Health commission,https://wsjkw.hangzhou.gov.cn/",
                      header="indicator_id,region,series,year,value,qualifier,source_title,source_url")
    import_observed(path, target_dir=sandbox)
    row = load_observed(sandbox, region="杭州").iloc[0]
    assert (row.indicator_id, row.value, row.qualifier, row.unit) == ("life_expectancy", 83.0, "≈", "岁")


def test_a_gb18030_csv_from_excel_is_read(sandbox, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("指标名称,年份,数值,来源名称\n人均体育场地面积,2024,3.1,省体育局\n".encode("gb18030"))
    assert import_observed(path, target_dir=sandbox).counts["added"] == 1


# ---------------------------------------------------------------- bad inputs


def test_the_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.name != "expected.csv"}
    assert files == {c["file"] for c in CASES}
    assert len(files) >= 25


def _options(case):
    return {"allow_unsourced": "--no-source" in case["options"], "replace": "--replace" in case["options"]}


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_each_bad_file_gives_its_error_and_changes_nothing(case, sandbox):
    repo_before, sandbox_before = tree_hash(DATA), tree_hash(sandbox.parent)
    with pytest.raises(PlanDataError) as caught:
        import_observed(BAD / case["file"], target_dir=sandbox, **_options(case))
    message = str(caught.value)
    assert len(message.splitlines()) == 1, message  # one problem per file, one line per problem
    assert case["file"] in message
    for part in case["expected"].split(" && "):
        assert part in message, (part, message)
    assert tree_hash(sandbox.parent) == sandbox_before
    assert tree_hash(DATA) == repo_before


CLI_CASES = [c for c in CASES if c["file"] in CLI_SAMPLE]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c["file"] for c in CLI_CASES])
def test_bad_files_through_the_command_line(case, tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    before = tree_hash(tmp_path / "data")
    result = run_cli("data", "import", str(BAD / case["file"]), *case["options"].split(),
                     data_dir=tmp_path / "data", cwd=tmp_path)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("plananalysis: 错误 (error): 文件 ")
    for part in case["expected"].split(" && "):
        assert part in lines[0], (part, lines[0])
    assert tree_hash(tmp_path / "data") == before


def test_a_file_with_several_problems_lists_them_all(sandbox, tmp_path):
    path = write_rows(tmp_path / "many.csv",
                      "3,浙江省,2040,74.2,%,公报,https://a.cn/",
                      "26,浙江省,2023,5,%,公报,https://a.cn/",
                      "1,浙江省,2023,1163000,人,公报,https://a.cn/")
    with pytest.raises(PlanDataError) as caught:
        import_observed(path, target_dir=sandbox)
    lines = str(caught.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"文件 {path} 第2行 列 年份 (C)", f"文件 {path} 第3行 列 指标编号 (A)", f"文件 {path} 第4行 列 单位 (E)"]
    assert not (sandbox / "user.csv").exists()


def test_the_command_line_imports_templates_and_lists(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    data_dir = tmp_path / "data"
    made = run_cli("data", "template", "模板.xlsx", data_dir=data_dir, cwd=tmp_path)
    assert made.returncode == 0 and (tmp_path / "模板.xlsx").is_file(), made.stderr
    fill_template(tmp_path / "模板.xlsx")
    dry = run_cli("data", "import", "模板.xlsx", "--dry-run", data_dir=data_dir, cwd=tmp_path)
    assert dry.returncode == 0 and "试运行" in dry.stdout and not (data_dir / "plans" / "zj-social-14th" / "observed" / "user.csv").exists()
    done = run_cli("data", "import", "模板.xlsx", "--data-dir", str(data_dir), data_dir=tmp_path / "elsewhere",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "新增 added 3" in done.stdout and (data_dir / "plans" / "zj-social-14th" / "observed" / "user.csv").is_file()
    listed = run_cli("data", "list", "--region", "杭州市", data_dir=data_dir, cwd=tmp_path)
    assert listed.returncode == 0 and "84.2 %  [user, user]" in listed.stdout
    assert "共 1 行 (rows), 1 项指标或目标 (indicators or targets)" in listed.stdout
    conflict = write_rows(tmp_path / "c.csv", "3,杭州市,2023,84.0,%,公报,https://a.cn/")
    clash = run_cli("data", "import", str(conflict), data_dir=data_dir, cwd=tmp_path)
    assert clash.returncode == 1 and "冲突未改 conflicts left unchanged 1" in clash.stdout


def test_an_imported_value_takes_the_place_of_a_derived_one(sandbox, tmp_path):
    # the package computes the 2024 ratio 78251 / 42786 = 1.83; a read value wins over it
    path = write_rows(tmp_path / "ratio.csv", "5,浙江省,2024,1.83,,统计局,https://tjj.zj.gov.cn/x")
    assert import_observed(path, target_dir=sandbox).counts["added"] == 1
    rows = load_observed(sandbox).query("indicator_id == 'urban_rural_income_ratio' and year == 2024")
    assert len(rows) == 1 and not rows.iloc[0].is_derived and rows.iloc[0].origin == "user"


def test_an_unwritable_target_leaves_no_temporary_file(sandbox, tmp_path, monkeypatch):
    path = write_rows(tmp_path / "ok.csv", "11,浙江省,2023,91.6,%,部门数据,https://example.gov.cn/c")
    def fail(*_):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(PlanDataError, match="nothing was written"):   # one line, not a traceback
        import_observed(path, target_dir=sandbox)
    assert not (sandbox / "user.csv").exists()
    # no temporary file left (the lock file stays: it is how imports take turns)
    assert [p.name for p in sandbox.iterdir() if p.name.startswith(".") and p.name != LOCK_FILE] == []


# ---------------------------------------------------------------- regions and years of the plan (issue 15.8)

@pytest.mark.parametrize("region, hint", [
    ("上海市", "a region of the plan"),          # a real city, but not one of this plan's
    ("杭洲市", "did you mean 杭州市"),             # a typo: refused, the closest official name offered
    ("新安县", "a region of the plan"),           # an invented county
])
def test_only_the_plans_regions_are_accepted(sandbox, tmp_path, region, hint):
    path = write_rows(tmp_path / "r.csv", f"3,{region},2023,70,%,公报,https://example.gov.cn/")
    before = tree_hash(sandbox)
    with pytest.raises(PlanDataError) as caught:
        import_observed(path, target_dir=sandbox)
    assert caught.value.column.startswith("地区") and caught.value.value == region
    assert hint in str(caught.value)
    assert tree_hash(sandbox) == before


def test_an_official_alias_is_the_official_name(sandbox, tmp_path):
    path = write_rows(tmp_path / "r.csv", "3,杭州,2023,84.2,%,公报,https://example.gov.cn/")
    import_observed(path, target_dir=sandbox)
    assert "杭州市" in set(load_observed(sandbox).region)


@pytest.mark.parametrize("year", ["2019", "2026", "2030", "2035"])
def test_years_outside_the_plan_are_refused(sandbox, tmp_path, year):
    # the plan's base year 2020 to its end 2025 (never beyond this year): a 2030 value cannot become
    # an evaluation year in the apps
    path = write_rows(tmp_path / "y.csv", f"3,浙江省,{year},70,%,公报,https://example.gov.cn/")
    with pytest.raises(PlanDataError) as caught:
        import_observed(path, target_dir=sandbox)
    assert caught.value.value == year and "2020–2025" in str(caught.value)


def test_data_list_prints_every_row_kind_and_stops_quietly_in_a_pipe(tmp_path):
    # a chapter target's rows have no indicator number (ch04-t06: 2 shipped rows, 2023 and 2024)
    listed = run_cli("data", "list", "--indicator", "ch04-t06", data_dir=DATA, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "   ch04-t06" in listed.stdout and "2024 8.5 万人" in listed.stdout
    assert "共 2 行 (rows), 1 项指标或目标 (indicators or targets)" in listed.stdout
    for args in ((), ("--region", "浙江省"), ("--no-derived",)):
        done = run_cli("data", "list", *args, data_dir=DATA, cwd=tmp_path)
        assert done.returncode == 0 and not done.stderr and "ch14-t01" in done.stdout, done.stderr
    # `data list | head`: the reader has gone before anything is written; no traceback, the status of SIGPIPE
    env = dict(os.environ, PLANANALYSIS_DATA_DIR=str(DATA))
    with subprocess.Popen([sys.executable, "-m", "plananalysis.run.cli", "data", "list"], cwd=tmp_path, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        process.stdout.close()
        error = process.stderr.read()
        assert process.wait(timeout=60) == 141
    assert error == b""
