"""Hostile input beyond the committed corpus: files too large to commit (built at test time by
``tests/data/bad_inputs/make_hostile.py``), file-system tricks, hostile text that must be
imported intact, and concurrent use.

Each refused input asserts: one clear error line naming the file (and row, column and value
where there is one), exit status 2 and no traceback on the command line, and the data folder
unchanged byte for byte.  The committed corpus (``tests/data/bad_inputs``, 100+ files) runs
in-process in ``tests/test_import.py``; a sample of its new files runs here through the
command line.
"""

from __future__ import annotations

import csv
import os
import runpy
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from plananalysis.errors import PlanDataError
from plananalysis.observed import spreadsheet
from plananalysis.observed.importer import import_observed
from plananalysis.observed.load import load_observed

from .conftest import DATA, ROOT
from .test_import import BAD, CASES, tree_hash

H = runpy.run_path(str(BAD / "make_hostile.py"))
HEADER, row, sheet_of, workbook_bytes = H["HEADER"], H["row"], H["sheet_of"], H["workbook_bytes"]
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "plans" / "zj-social-14th" / "observed"


def cli(*args, data_dir: Path, timeout=180):
    env = dict(ENV, PLANANALYSIS_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "plananalysis.run.cli", *args], capture_output=True, text=True,
                          cwd=data_dir.parent, env=env, timeout=timeout)


def refused(path, sandbox, *fragments, **options) -> str:
    """Import ``path`` in-process: one PlanDataError line naming the file and the fragments;
    neither the sandbox nor the repository's data changed."""
    before, repo_before = tree_hash(sandbox.parents[2]), tree_hash(DATA)
    with pytest.raises(PlanDataError) as caught:
        import_observed(path, target_dir=sandbox, **options)
    message = str(caught.value)
    assert len(message.splitlines()) == 1, message
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert tree_hash(sandbox.parents[2]) == before and tree_hash(DATA) == repo_before
    return message


def refused_by_cli(path, sandbox, *fragments):
    before = tree_hash(sandbox.parents[2])
    result = cli("data", "import", str(path), data_dir=sandbox.parents[2])
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("plananalysis: 错误 (error): 文件 "), lines
    for fragment in (str(path), *fragments):
        assert fragment in lines[0], (fragment, lines[0])
    assert tree_hash(sandbox.parents[2]) == before


# ---------------------------------------------------------------- sizes, built at test time

LARGE = {
    # name: (builder, file name, fragments)
    "deflate bomb 1 MB → 1 GiB": ("deflate_bomb", "bomb.xlsx", ["1073741824", "parts of at most 64 MB inflated"]),
    "deflate bomb under the part limit": (lambda p: H["deflate_bomb"](p, 32 * 2**20), "ratio.xlsx",
                                          ["a compression ratio of at most 100:1"]),
    "a million CSV rows": ("rows_csv", "million.csv", ["第10001行", "at most 10000 rows"]),
    "a file over 20 MB": (lambda p: H["big_file"](p, 21 * 2**20), "big.csv", ["a file of at most 20 MB"]),
    "5 000 CSV columns": ("wide_csv", "wide.csv", ["第1行 列 AY", "值 '列50'", "at most 50 columns"]),
    "5 000 xlsx columns": ("wide_xlsx", "wide.xlsx", ["第1行 列 AY", "at most 50 columns"]),
    "10 001 xlsx rows": ("long_rows_xlsx", "long.xlsx", ["第10001行", "at most 10000 rows"]),
    "a 200 000-character CSV cell": ("huge_cell_csv", "cell.csv", ["第3行 列 备注 (K)", "200000 characters",
                                                                  "at most 10000 characters"]),
    "2 000 zip parts": ("many_parts", "parts.xlsx", ["2009 个部件 (parts)", "at most 1000 parts"]),
}


@pytest.fixture(scope="module")
def large_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("large")
    built = {}
    for case, (builder, name, _fragments) in LARGE.items():
        build = H[builder] if isinstance(builder, str) else builder
        built[case] = build(folder / name)
    return built


@pytest.mark.parametrize("case", LARGE)
def test_large_files_are_refused_in_process(case, large_files, sandbox):
    refused(large_files[case], sandbox, *LARGE[case][2])


@pytest.mark.parametrize("case", ["deflate bomb 1 MB → 1 GiB", "a million CSV rows", "a 200 000-character CSV cell"])
def test_large_files_are_refused_by_the_command_line(case, large_files, sandbox):
    refused_by_cli(large_files[case], sandbox, *LARGE[case][2])


def test_a_200_000_character_xlsx_cell(sandbox, tmp_path):
    book, _ = sheet_of(row(备注="长" * 200_000))
    path = tmp_path / "cell.xlsx"
    path.write_bytes(workbook_bytes(book))
    refused(path, sandbox, "第3行 列 备注 (K)", "at most 10000 characters")


# ---------------------------------------------------------------- the file system


def test_a_symlink_to_etc_passwd_is_read_as_a_csv_and_refused(sandbox, tmp_path):
    link = tmp_path / "x.csv"
    link.symlink_to("/etc/passwd")
    refused(link, sandbox, "第1行", "one of the template's column names")


def test_a_symlink_to_a_device_is_not_read(sandbox, tmp_path):
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")          # endless: reading it would never stop
    refused(link, sandbox, "an ordinary file, not a pipe, socket or device")


def test_a_symlink_loop(sandbox, tmp_path):
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    refused(loop, sandbox, "a readable file")


def test_a_fifo_does_not_block_the_import(sandbox, tmp_path):
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    refused_by_cli(fifo, sandbox, "an ordinary file, not a pipe")   # a subprocess: a hang would time out
    done = threading.Event()

    def attempt():
        with pytest.raises(PlanDataError, match="not a pipe"):
            import_observed(fifo, target_dir=sandbox)
        done.set()

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert done.is_set()


def test_a_directory_named_like_a_csv(sandbox, tmp_path):
    # a folder is imported as the files it holds (returned data requests); an empty one is refused
    (tmp_path / "x.csv").mkdir()
    refused(tmp_path / "x.csv", sandbox, "a folder holding .xlsx or .csv files")


def test_a_path_with_dot_dot_names_the_path_given(sandbox, tmp_path):
    (tmp_path / "sub").mkdir()
    shutil.copy(BAD / "unit_mismatch.csv", tmp_path / "bad.csv")
    refused(tmp_path / "sub" / ".." / "bad.csv", sandbox, "sub/../bad.csv 第3行 列 单位 (H)")


def test_a_missing_file(sandbox, tmp_path):
    refused(tmp_path / "nosuch.xlsx", sandbox, "an existing .csv or .xlsx file")


def test_a_file_that_vanishes_between_check_and_read(sandbox, tmp_path, monkeypatch):
    path = tmp_path / "gone.csv"
    shutil.copy(BAD / "unit_mismatch.csv", path)
    real_open = os.open

    def vanishing(name, *args, **kwargs):
        if str(name) == str(path) and path.exists():
            path.unlink()  # another process deletes it just before it is opened
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(spreadsheet.os, "open", vanishing)
    refused(path, sandbox, "an existing .csv or .xlsx file")


def test_a_file_replaced_after_it_is_opened_is_read_whole(sandbox, tmp_path, monkeypatch):
    """What is checked is what is read: the descriptor keeps the file that was opened."""
    path = tmp_path / "swap.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(row(地区="杭州市")) + "\n", encoding="utf-8")
    real_open = os.open

    def swapping(name, *args, **kwargs):
        handle = real_open(name, *args, **kwargs)
        if str(name) == str(path):
            path.unlink()
            path.write_bytes(b"\x00garbage")
        return handle

    monkeypatch.setattr(spreadsheet.os, "open", swapping)
    assert import_observed(path, target_dir=sandbox).counts["added"] == 1


def test_an_unreadable_file_by_permission(sandbox, tmp_path, monkeypatch):
    path = tmp_path / "secret.csv"
    shutil.copy(BAD / "unit_mismatch.csv", path)
    if os.geteuid() != 0:   # root reads a chmod 000 file: there, the refusal is simulated below
        path.chmod(0)
        try:
            refused(path, sandbox, "permission denied")
        finally:
            path.chmod(0o644)
    real_open = os.open

    def denied(name, *args, **kwargs):
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(spreadsheet.os, "open", denied)
    refused(path, sandbox, "a file you may read: permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_an_unreadable_file_through_the_command_line(sandbox, tmp_path):
    path = tmp_path / "secret.csv"
    shutil.copy(BAD / "unit_mismatch.csv", path)
    path.chmod(0)
    try:
        refused_by_cli(path, sandbox, "permission denied")
    finally:
        path.chmod(0o644)


# ---------------------------------------------------------------- hostile text imported intact


def write_csv(path: Path, *rows, newline="\n") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator=newline).writerows([HEADER, *rows])
    return path


def test_formula_and_html_text_in_free_text_columns_is_kept_as_text(sandbox, tmp_path):
    """Formulas and markup in a source title or a note are data: imported as they are (and
    quoted wherever the package writes them to a spreadsheet: tests/test_formula_safety.py)."""
    texts = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "＝1+1", "<script>alert(1)</script>",
             '<img src=x onerror="alert(1)">', "javascript:alert(1)"]
    keys = [(region, str(year)) for region in ("杭州市", "宁波市") for year in range(2021, 2025)]
    rows = [row(地区=region, 年份=year, 来源名称=text, 备注=text) for (region, year), text in zip(keys, texts)]
    summary = import_observed(write_csv(tmp_path / "text.csv", *rows), target_dir=sandbox)
    assert summary.counts["added"] == len(texts)
    frame = load_observed(sandbox)
    user = frame[frame.origin == "user"].sort_values(["region", "year"], ascending=[False, True])
    assert user.source_title.tolist() == texts and user.notes.tolist() == texts


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_only_files_are_read(sandbox, tmp_path, newline):
    path = write_csv(tmp_path / "ends.csv", row(地区="杭州市", 数值="84.2", 年份="2023"), newline=newline)
    import_observed(path, target_dir=sandbox)
    value = load_observed(sandbox, region="杭州市").set_index("year").loc[2023, "value"]
    assert value == 84.2


def test_a_number_stored_as_text_with_a_trailing_space_is_a_number(sandbox, tmp_path):
    book, sheet = sheet_of(row(地区="宁波市", 年份="2023"))
    sheet["F3"] = "79.1 "
    path = tmp_path / "text-number.xlsx"
    path.write_bytes(workbook_bytes(book))
    import_observed(path, target_dir=sandbox)
    assert load_observed(sandbox, region="宁波市").set_index("year").loc[2023, "value"] == 79.1


# ---------------------------------------------------------------- concurrent use


def test_two_imports_at_once_both_land(sandbox, tmp_path):
    first = write_csv(tmp_path / "a.csv", row(地区="杭州市", 年份="2023", 数值="84.2"))
    second = write_csv(tmp_path / "b.csv", row(地区="宁波市", 年份="2023", 数值="79.1"))
    env = dict(ENV, PLANANALYSIS_DATA_DIR=str(sandbox.parents[2]))
    runs = [subprocess.Popen([sys.executable, "-m", "plananalysis.run.cli", "data", "import", str(p)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for p in (first, second)]
    for run in runs:
        out, err = run.communicate(timeout=180)
        assert run.returncode == 0 and "Traceback" not in err, (out, err)
    frame = load_observed(sandbox)
    regions = set(frame[(frame.origin == "user") & (frame.year == 2023)].region)
    assert regions == {"杭州市", "宁波市"}


def test_an_import_while_a_review_reads_the_data(sandbox, tmp_path):
    """A reader (as a review's kernel loads the data) sees the data before or after each
    import, never half of a file, and never fails."""
    base = len(load_observed(sandbox, include_derived=False))   # the shipped rows, targets' included
    reader = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from plananalysis.observed.load import load_observed
        seen, stop = 0, time.monotonic() + 120
        while time.monotonic() < stop:
            count = len(load_observed(sys.argv[1], include_derived=False))
            print(count, flush=True)
            seen = seen + 1 if count == int(sys.argv[2]) else 0
            if seen >= 3:
                break
        """), str(sandbox), str(base + 5)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    counts = [int(reader.stdout.readline())]   # the reader is reading: now import, five times
    for i, (region, year) in enumerate([("杭州市", "2021"), ("杭州市", "2022"), ("宁波市", "2021"),
                                        ("宁波市", "2022"), ("温州市", "2022")]):
        path = write_csv(tmp_path / f"{i}.csv", row(地区=region, 年份=year, 数值="70"))
        assert import_observed(path, target_dir=sandbox).counts["added"] == 1
    out, err = reader.communicate(timeout=180)
    assert reader.returncode == 0 and "Traceback" not in err, err
    counts += [int(n) for n in out.split()]
    assert counts[0] == base and counts[-1] == base + 5
    assert set(counts) <= set(range(base, base + 6)) and counts == sorted(counts)  # whole files only, in order


# ---------------------------------------------------------------- the new corpus through the command line

NEW = {name for name in H["HOSTILE"]}
CLI_SAMPLE = ["utf16_with_bom.csv", "mixed_utf8_and_gbk.csv", "cut_inside_quoted_cell.csv",
              "rtl_override_in_region.csv", "dde_formula_in_value.csv", "encrypted_with_password.xlsx",
              "zip_path_traversal.xlsx", "formula_without_saved_result.xlsx", "merged_region_over_three_rows.xlsx",
              "hidden_row.xlsx", "doctype_entities.xlsx", "stale_dimension.xlsx"]


def test_the_new_corpus_is_forty_files_or_more():
    assert len(NEW) >= 40 and NEW <= {c["file"] for c in CASES}
    assert set(CLI_SAMPLE) <= NEW


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_new_corpus_files_through_the_command_line(name, sandbox):
    case = next(c for c in CASES if c["file"] == name)
    before = tree_hash(sandbox.parents[2])
    result = cli("data", "import", str(BAD / name), *case["options"].split(), data_dir=sandbox.parents[2])
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0]
    for fragment in case["expected"].split(" && "):
        assert fragment in lines[0], (fragment, lines[0])
    assert tree_hash(sandbox.parents[2]) == before
