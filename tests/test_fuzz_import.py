"""Fuzzing the import path with hypothesis: random tables written as CSV and as .xlsx, and
random damage to good files.

Whatever the file, ``import_observed`` either returns a summary or raises
:class:`~plananalysis.errors.PlanDataError` — never anything else; a refused import leaves the
observed folder byte for byte as it was; a dry run writes nothing; and what an import writes
can be read back (``load_observed`` of the folder succeeds: no imported text poisons user.csv).

``make test`` runs the same 60 examples a test on every run (hypothesis profile "ci" in
tests/conftest.py: derandomized, no example database), and every failing example found so far,
kept below as ``@example``.  A long random run is ``make fuzz`` (profile "fuzz", 2000 examples a
test, or ``PLANANALYSIS_FUZZ_EXAMPLES``; hypothesis keeps what it found failing in
``.hypothesis/``, git-ignored, and replays it first next time): add each new failing example
here as an ``@example`` with the fix.
"""

from __future__ import annotations

import csv
import io
import runpy
import shutil
import tempfile
import warnings
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plananalysis.errors import PlanDataError
from plananalysis.observed.importer import import_observed
from plananalysis.observed.load import load_observed
from plananalysis.observed.validation import HEADER_ALIASES
from plananalysis.plan.folder import load_plan

from .conftest import OBSERVED, fuzz_examples
from .test_import import BAD, tree_hash

FUZZ = settings(max_examples=fuzz_examples(60), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
H = runpy.run_path(str(BAD / "make_hostile.py"))

ALIASES = sorted({alias for aliases in HEADER_ALIASES.values() for alias in aliases})
TEMPLATE = ["指标编号", "指标名称", "地区", "口径", "年份", "数值", "限定符", "单位", "来源名称", "来源链接", "备注"]
TYPICAL = ["3", "25", "26", "0", "urbanisation_rate", "常住人口城镇化率", "杭州市", "杭州", "浙江省", "温州市", "plan",
           "health-index", "2023", "2023年", "2023.0", "1999", "2040", "74.2", "74.2%", "１，２３４.５", "76左右", ">80",
           "1,23", "n/a", "", " ", "%", "万人", "≈", "official", "公报", "https://tjj.zj.gov.cn/", "www.a.cn",
           "true", "false"]
HOSTILE = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "＝1", "<script>alert(1)</script>", "javascript:alert(1)",
           '"', '""', ",", "\n", "\r", "\r\n", ";", "\t", "\x00", "\x1b[31m", "\u202e", "\u200b", "\ufeff", "\ud800",
           "_x0007_", "_xD800_", "\x85", "😀", "𠀀", "ﬁ", "Ⅻ", "٣", "NaN", "inf", "1e400", "-0", "9" * 400]

cell_text = st.one_of(
    st.sampled_from(TYPICAL),
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
    st.text(alphabet="0123456789.,%-+年约左右以上下 ", max_size=12),
    st.builds(lambda a, b: a + b, st.sampled_from(TYPICAL + HOSTILE), st.sampled_from(TYPICAL + HOSTILE)),
    st.integers(min_value=0, max_value=3).map(lambda n: "x" * (0, 9_999, 10_001, 140_000)[n]),
)
header_text = st.one_of(st.sampled_from(ALIASES), st.sampled_from(TEMPLATE), st.text(max_size=10), st.sampled_from(HOSTILE))


@st.composite
def near_valid(draw):
    """The template's header and rows that are valid but for a cell here and there (deep into the
    checks, and into user.csv when they pass)."""
    keys = draw(st.lists(st.tuples(st.sampled_from(["杭州市", "宁波", "温州市", "浙江省", ""]), st.integers(2021, 2024)),
                         min_size=1, max_size=5, unique_by=lambda k: (k[0] or "浙江省").rstrip("市")))
    rows = []
    for region, year in keys:
        line = H["row"](地区=region, 年份=str(year), 数值=f"{draw(st.floats(0, 100)):.1f}" + draw(st.sampled_from(["", "%"])),
                        来源名称=draw(st.one_of(st.just("公报"), cell_text)))
        for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
            line[draw(st.integers(0, len(line) - 1))] = draw(cell_text)
        rows.append(line)
    return [list(H["HEADER"]), *rows]


@st.composite
def tables(draw):
    """A header (aliases, template names and junk) and up to 6 rows of random cells."""
    if draw(st.booleans()):
        return draw(near_valid())
    if draw(st.booleans()):
        header = draw(st.permutations(TEMPLATE).map(lambda h: list(h[: draw(st.integers(2, len(TEMPLATE)))])))
    else:
        header = draw(st.lists(header_text, min_size=1, max_size=8))
    width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
    rows = draw(st.lists(st.lists(cell_text, min_size=max(width, 0), max_size=max(width, 0)), max_size=6))
    return [header, *rows]


@contextmanager
def observed_copy():
    """A fresh copy of the shipped observed folder (hypothesis runs many examples per test)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "observed"
        shutil.copytree(OBSERVED, target, ignore=shutil.ignore_patterns("user.csv", "backups"))
        yield target


@lru_cache(maxsize=1)
def shipped_plan():
    """The default plan, loaded once (checking a plan folder costs ~0.5 s: more than an example)."""
    return load_plan()


def check_import(path: Path, *, replace: bool, allow_unsourced: bool) -> None:
    plan = shipped_plan()
    with observed_copy() as folder:
        before = tree_hash(folder)
        try:
            dry = import_observed(path, plan=plan, target_dir=folder, dry_run=True, replace=replace,
                                  allow_unsourced=allow_unsourced)
        except PlanDataError as error:
            assert str(error).strip(), "an empty error message"
            assert tree_hash(folder) == before   # refused: nothing written
            with_error = True
        else:
            assert tree_hash(folder) == before   # a dry run writes nothing
            assert not dry.written
            with_error = False
        try:
            summary = import_observed(path, plan=plan, target_dir=folder, replace=replace,
                                      allow_unsourced=allow_unsourced)
        except PlanDataError:
            assert with_error, "the dry run passed but the import was refused"
            assert tree_hash(folder) == before
            return
        assert not with_error, "the dry run was refused but the import passed"
        assert summary.counts == dry.counts
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_observed(folder, plan=plan)   # what was written reads back


def write_csv(path: Path, table, encoding: str, newline: str) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(table)
    path.write_bytes(out.getvalue().encode(encoding, errors="surrogatepass"))
    return path


@FUZZ
@given(table=tables(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
       newline=st.sampled_from(["\n", "\r\n", "\r"]), replace=st.booleans(), allow_unsourced=st.booleans())
@example(table=[TEMPLATE, ["3", "常住人口城镇化率", "杭州市", "plan", "2023", "84.2", "", "%", "公报", "", ""]],
         encoding="utf-8", newline="\n", replace=False, allow_unsourced=False)
def test_random_csv_tables(table, encoding, newline, replace, allow_unsourced):
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = write_csv(Path(folder) / "random.csv", table, encoding, newline)
        except UnicodeEncodeError:  # text GB18030 cannot hold: Excel would not write it either
            return
        check_import(path, replace=replace, allow_unsourced=allow_unsourced)


FORMATS = ["General", "0.0%", "0%", "0.00%", "yyyy-mm-dd", "@", "#,##0.00", '0.0"%"']


@st.composite
def workbook_cells(draw):
    """A cell value as openpyxl writes it: text (a leading = makes a formula), a number, a date or nothing."""
    return draw(st.one_of(cell_text, st.integers(-10**6, 10**16), st.floats(allow_nan=True, allow_infinity=True),
                          st.sampled_from([None, True, 0.742, 2023, 2023.0, 84.2]),
                          st.datetimes(min_value=__import__("datetime").datetime(1900, 3, 1),
                                       max_value=__import__("datetime").datetime(2100, 1, 1))))


@FUZZ
@given(table=tables(), values=st.one_of(st.just([]), st.lists(workbook_cells(), max_size=20)),
       formats=st.lists(st.sampled_from(FORMATS)),
       merge=st.one_of(st.none(), st.tuples(st.integers(1, 8), st.integers(1, 6), st.integers(0, 3), st.integers(0, 3))),
       replace=st.booleans())
# found by this test: a source title with a lone carriage return split the stored row in two
@example(table=[TEMPLATE, ["3", "常住人口城镇化率", "杭州市", "plan", "2021", "0.0", "", "%", "0\r0",
                           "https://example.gov.cn/report", ""]], values=[], formats=[], merge=None, replace=False)
# and an indicator number of 400 digits gave an OverflowError traceback (float → inf → int)
@example(table=[TEMPLATE, ["9" * 400, "常住人口城镇化率", "杭州市", "plan", "2021", "0.0", "", "%", "公报",
                           "", ""]], values=[], formats=[], merge=None, replace=False)
def test_random_xlsx_tables(table, values, formats, merge, replace):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    for line in table:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in line])  # openpyxl refuses to write them
    for i, value in enumerate(values):   # typed cells over the text ones, with number formats
        cell = sheet.cell(row=2 + i // 4, column=1 + i % 8)
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
        if formats:
            cell.number_format = formats[i % len(formats)]
    if merge:
        column, top, width, height = merge
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + height, end_column=column + width)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.xlsx"
        try:
            book.save(path)
        except (ValueError, TypeError, OverflowError):  # a value openpyxl cannot write (not the importer's)
            return
        check_import(path, replace=replace, allow_unsourced=True)


def _good_workbook() -> bytes:
    book, _ = H["sheet_of"](H["row"](地区="宁波市", 年份="2023"))
    return H["workbook_bytes"](book)


GOOD_XLSX = _good_workbook()
GOOD_CSV = (OBSERVED / "observed-zhejiang.csv").read_bytes()


@FUZZ
@given(kind=st.sampled_from(["xlsx", "csv"]),
       damage=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.floats(0, 1)))
def test_damaged_files(kind, damage, cut):
    """Good files with bytes overwritten here and there, or cut short."""
    data = bytearray(GOOD_XLSX if kind == "xlsx" else GOOD_CSV)
    for where, byte in damage:
        data[int(where * len(data))] = byte
    if cut is not None:
        data = data[: int(cut * len(data))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"damaged.{kind}"
        path.write_bytes(bytes(data))
        check_import(path, replace=False, allow_unsourced=True)


@FUZZ
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"random{suffix}"
        path.write_bytes(data)
        check_import(path, replace=False, allow_unsourced=False)
