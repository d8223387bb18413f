"""A plan folder is input from strangers (issue 18, items 2, 3 and 7).

Each hostile folder is a copy of the small fixture ``tests/data/plans/hz-demo`` broken by one
function below (the hostile plans are kept here, as code: files of gigabytes, FIFOs and links
cannot be committed).  Every case asserts a clear error naming the file and the value (the
Python API, fast); a sample runs through the command line, asserting exit 2 and neither a
traceback nor "内部错误".  The cases named in the issue come first, then new ones.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plananalysis.errors import ParameterError, PlanDataError
from plananalysis.plan.folder import load_plan
from plananalysis.run.plan_cli import new_plan

from .conftest import ROOT, TEST_DATA

PLANS = TEST_DATA / "plans"
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def cli(*args, cwd=ROOT, timeout=120, env=None):
    return subprocess.run(["timeout", "-s", "KILL", str(timeout), sys.executable, "-m", "plananalysis.run.cli", *args],
                          capture_output=True, text=True, cwd=cwd, env=env or ENV)


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "hz-demo"
    shutil.copytree(PLANS / "hz-demo", target)
    return target


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def problems_of(folder: Path) -> list[PlanDataError]:
    with pytest.raises(PlanDataError) as caught:
        load_plan(folder)
    return list(getattr(caught.value, "errors", [caught.value]))


def assert_refused(folder: Path, file: str, value: str, column: str | None = None) -> PlanDataError:
    """One of the problems names ``file`` (and ``column``) and shows ``value``, on one line."""
    found = problems_of(folder)
    for error in found:
        line = str(error)
        if (Path(error.path).name == file and value in line and (column is None or error.column == column)
                and "\n" not in line):
            return error
    raise AssertionError(f"no problem naming {file} {column} {value!r}:\n" + "\n".join(map(str, found)))


# ------------------------------------------------------------------ the hostile folders
# Each breaker changes the copy and returns (file named, value shown, column or None).

def midterm_abc(f):
    _rewrite(f / "plan.yml", "midterm_year: 2023", "midterm_year: abc")
    return "plan.yml", "'abc'", "midterm_year"


def midterm_list(f):
    _rewrite(f / "plan.yml", "midterm_year: 2023", "midterm_year: [2023]")
    return "plan.yml", "[2023]", "midterm_year"


def vision_soon(f):
    _append(f / "plan.yml", "vision_year: soon\n")
    return "plan.yml", "'soon'", "vision_year"


def note_year_not_a_whole_number(f):
    _append(f / "plan.yml", 'notes:\n  - {mark: "*", year: 二〇一九, text: "带*的为2019年数据"}\n')
    return "plan.yml", "二〇一九", "notes[1].year"


def deep_nesting(f):
    _append(f / "plan.yml", "document: " + "[" * 20_000 + "]" * 20_000 + "\n")
    return "plan.yml", "51 层", None


def gbk_plan_yml(f):
    text = (f / "plan.yml").read_text(encoding="utf-8")
    (f / "plan.yml").write_bytes(text.encode("gbk"))
    return "plan.yml", "UTF-8", None


def huge_chapter_number(f):
    _rewrite(f / "indicators.csv", "higher,2,", "higher,1" + "0" * 30 + ",")
    return "indicators.csv", "1" + "0" * 30, "chapter"


def empty_indicators(f):
    (f / "indicators.csv").write_bytes(b"")
    return "indicators.csv", "表头", None


def duplicate_indicator_id(f):
    _rewrite(f / "indicators.csv", "hospital_beds_per_1000,2,", "urbanisation_rate,2,")
    return "indicators.csv", "'urbanisation_rate'", "indicator_id"


def nul_in_name(f):
    _rewrite(f / "indicators.csv", "常住人口城镇化率", "常住人口\x00城镇化率")
    return "indicators.csv", "U+0000", "name_zh"


def inf_target(f):
    _rewrite(f / "indicators.csv", "≈,75,", "≈,inf,")
    return "indicators.csv", "'inf'", "target_value"


def target_year_far_away(f):
    _rewrite(f / "indicators.csv", "level,2025,higher,1,", "level,99999999999,higher,1,")
    return "indicators.csv", "99999999999", "target_year"


def period_of_a_hundred_million_years(f):
    _rewrite(f / "plan.yml", "period: {start: 2021, end: 2025, base_year: 2020}",
             "period: {start: 1, end: 100000000, base_year: 0}")
    return "plan.yml", "100000000", "period.end"


def float_years(f):
    _rewrite(f / "plan.yml", "start: 2021,", "start: 2021.0,")
    return "plan.yml", "2021.0", "period.start"


def language_path(f):
    _rewrite(f / "plan.yml", "language: zh", "language: '../../etc'")
    return "plan.yml", "'../../etc'", "language"


def indicator_id_path(f):
    _rewrite(f / "indicators.csv", "work_safety_death_rate,3,", "../../x,3,")
    return "indicators.csv", "'../../x'", "indicator_id"


def bidi_in_title(f):
    _rewrite(f / "plan.yml", "title_zh: 测试用", "title_zh: \u202e测试用")
    return "plan.yml", "U+202E", "title_zh"


def bidi_in_region(f):
    _rewrite(f / "plan.yml", "region: 杭州市", "region: 杭州\u202e市")
    return "plan.yml", "U+202E", "region"


def table_outside_absolute(f):
    _rewrite(f / "plan.yml", "chapters: chapters.csv", "chapters: /etc/passwd")
    return "plan.yml", "'/etc/passwd'", "tables.chapters"


def table_outside_dotdot(f):
    _rewrite(f / "plan.yml", "chapters: chapters.csv", "chapters: ../hz-demo/chapters.csv")
    return "plan.yml", "'../hz-demo/chapters.csv'", "tables.chapters"


def alias_bomb(f):
    lines = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 10)}]" for n in range(1, 10)]
    _append(f / "plan.yml", "document:\n" + "".join(f"  {line}\n" for line in lines))
    return "plan.yml", "个值", None


# new cases, beyond the issue's

def duplicate_key(f):          # the shape of a key injected into plan.yml: id given twice
    _append(f / "plan.yml", "id: evil\n")
    return "plan.yml", "'id'", "id"


def recursive_alias(f):
    _append(f / "plan.yml", "document: &loop {self: *loop}\n")
    return "plan.yml", "*loop", None


def python_tag(f):
    _append(f / "sources.yml", "evil: !!python/object/apply:os.system ['touch /tmp/pwned-by-plan']\n")
    return "sources.yml", "python/object", None


def fifo_instead_of_a_file(f):   # reading it would wait for ever
    (f / "indicators.csv").unlink()
    os.mkfifo(f / "indicators.csv")
    return "indicators.csv", "indicators.csv", None


def link_to_etc_passwd(f):
    (f / "regions.csv").unlink()
    os.symlink("/etc/passwd", f / "regions.csv")
    return "regions.csv", "regions.csv", None


def link_named_in_tables(f):
    os.symlink("/etc/hostname", f / "outside.csv")
    _rewrite(f / "plan.yml", "chapters: chapters.csv", "chapters: outside.csv")
    return "outside.csv", "outside.csv", None


def unknown_table_key(f):
    _rewrite(f / "plan.yml", "chapters: chapters.csv", "chapters: chapters.csv\n  evil: /etc/shadow")
    return "plan.yml", "'evil'", "tables.evil"


def malformed_declared_check(f):
    (f / "checks.yml").write_text("indicators.csv:\n  ranges:\n    chapter: {max: 3}\n", encoding="utf-8")
    return "checks.yml", "min", "indicators.csv"


def files_of_sources_a_list(f):
    (f / "sources.yml").write_text("files: [indicators.csv, chapters.csv]\n", encoding="utf-8")
    return "sources.yml", "indicators.csv", "files"


def newline_in_indicator_name(f):
    _rewrite(f / "indicators.csv", "每千人口拥有医疗机构床位数", '"每千人口\nid: evil"')
    return "indicators.csv", "U+000A", "name_zh"


def overflowing_number(f):
    _rewrite(f / "indicators.csv", "≈,75,", "≈,1e400,")
    return "indicators.csv", "1e400", "target_value"


def nan_base_value(f):
    _rewrite(f / "indicators.csv", "75左右,71,", "75左右,nan,")
    return "indicators.csv", "'nan'", "baseline_value"


def vision_before_the_end(f):
    _append(f / "plan.yml", "vision_year: 2020\n")
    return "plan.yml", "2020", "vision_year"


def note_year_after_the_end(f):
    _append(f / "plan.yml", 'notes:\n  - {mark: "*", year: 2090, text: "带*的为2090年数据"}\n')
    return "plan.yml", "2090", "notes[1].year"


def midterm_true(f):
    _rewrite(f / "plan.yml", "midterm_year: 2023", "midterm_year: true")
    return "plan.yml", "True", "midterm_year"


def title_a_mapping(f):
    _rewrite(f / "plan.yml", "title_zh: 测试用小规划（取自浙江省社会发展“十四五”规划表2）", "title_zh: {a: b}")
    return "plan.yml", "{'a': 'b'}", "title_zh"


def chapter_not_in_the_chapters(f):
    _rewrite(f / "indicators.csv", "higher,2,", "higher,9,")
    return "indicators.csv", "9", "chapter"


def overlong_cell(f):
    _rewrite(f / "indicators.csv", "Lower is better.", "x" * 12_000)
    return "indicators.csv", "12000", "prose_note"


def region_code_path(f):
    _rewrite(f / "regions.csv", "330102,上城区", "../../330102,上城区")
    return "regions.csv", "'../../330102'", "code"


def gbk_sources(f):
    text = (f / "sources.yml").read_text(encoding="utf-8")
    (f / "sources.yml").write_bytes(text.encode("gbk"))
    return "sources.yml", "UTF-8", None


def plan_yml_a_folder(f):
    (f / "plan.yml").unlink()
    (f / "plan.yml").mkdir()
    return "plan.yml", "plan.yml", None


def duplicate_column(f):
    _rewrite(f / "indicators.csv", "indicator_id,no,", "indicator_id,no,no,")
    _rewrite(f / "indicators.csv", "urbanisation_rate,1,", "urbanisation_rate,1,1,")
    _rewrite(f / "indicators.csv", "hospital_beds_per_1000,2,", "hospital_beds_per_1000,2,2,")
    _rewrite(f / "indicators.csv", "work_safety_death_rate,3,", "work_safety_death_rate,3,3,")
    return "indicators.csv", "'no'", "no"


# more new cases: the encodings, bytes and shapes a spreadsheet or an editor can give a file

def utf16_indicators(f):      # Excel's "Unicode text" and Notepad's "Unicode" save UTF-16 with a BOM
    text = (f / "indicators.csv").read_text(encoding="utf-8")
    (f / "indicators.csv").write_bytes(text.encode("utf-16"))
    return "indicators.csv", "UTF-16", None


def nul_in_a_header(f):
    _rewrite(f / "chapters.csv", "title_en,", "title_en\x00,")
    return "chapters.csv", "U+0000", None


def duplicate_column_after_strip(f):   # "no" and "no " look the same in a spreadsheet
    _rewrite(f / "indicators.csv", "indicator_id,no,", "indicator_id,no,no ,")
    for row in ("urbanisation_rate,1,", "hospital_beds_per_1000,2,", "work_safety_death_rate,3,"):
        _rewrite(f / "indicators.csv", row, row + row.split(",")[1] + ",")
    return "indicators.csv", "'no '", "no"


def a_comma_too_many(f):       # pandas made the first column the index and shifted every cell
    text = (f / "indicators.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    (f / "indicators.csv").write_text("\n".join([lines[0]] + [line + ",extra" for line in lines[1:]]) + "\n",
                                      encoding="utf-8")
    return "indicators.csv", "'extra'", None


def table_a_folder(f):
    (f / "chapters.d").mkdir()
    _rewrite(f / "plan.yml", "chapters: chapters.csv", "chapters: chapters.d")
    return "chapters.d", "a regular file", None


def plan_yml_a_list(f):
    (f / "plan.yml").write_text("- id: hz-demo\n- region: 杭州市\n", encoding="utf-8")
    return "plan.yml", "a mapping", None


def plan_yml_one_line_of_two_megabytes(f):
    _append(f / "plan.yml", "# " + "x" * 2_000_000 + "\n")
    return "plan.yml", "字节", None


def region_code_of_400_digits(f):
    _rewrite(f / "regions.csv", "330102,上城区", "1" * 400 + ",上城区")
    return "regions.csv", "'1111", "code"


def indicator_id_in_lookalike_letters(f):   # Cyrillic а (U+0430) for Latin a: two ids that look the same
    _rewrite(f / "indicators.csv", "urbanisation_rate,1,", "urbanis\u0430tion_rate,1,")
    return "indicators.csv", "urbanis\u0430tion_rate", "indicator_id"


def prose_check_that_backtracks_for_ever(f):   # (a+)+ on the plan's text would hang the audit
    (f / "prose_checks.csv").write_text("check_id,table,indicator_id,column,pattern,reason\n"
                                        "x,indicators,urbanisation_rate,baseline_value,(\\d+)+万人,Hostile.\n",
                                        encoding="utf-8")
    return "prose_checks.csv", "'(\\\\d+)+万人'", "pattern"


def prose_check_of_an_unknown_indicator(f):   # the audit looked it up with .loc: a KeyError traceback
    (f / "prose_checks.csv").write_text("check_id,table,indicator_id,column,pattern,reason\n"
                                        "x,indicators,no_such_id,baseline_value,城镇化率([0-9.]+)%,A check.\n",
                                        encoding="utf-8")
    return "prose_checks.csv", "'no_such_id'", "indicator_id"


def region_name_en_on_two_lines(f):     # the front door shows it
    _rewrite(f / "regions.csv", "330100,杭州市,Hangzhou,", '330100,杭州市,"Hangzhou\n<h1>x</h1>",')
    return "regions.csv", "U+000A", "name_en"


ISSUE_CASES = [midterm_abc, midterm_list, vision_soon, note_year_not_a_whole_number, deep_nesting, gbk_plan_yml,
               huge_chapter_number, empty_indicators, duplicate_indicator_id, nul_in_name, inf_target,
               target_year_far_away, period_of_a_hundred_million_years, float_years, language_path,
               indicator_id_path, bidi_in_title, bidi_in_region, table_outside_absolute, table_outside_dotdot,
               alias_bomb]
NEW_CASES = [duplicate_key, recursive_alias, python_tag, fifo_instead_of_a_file, link_to_etc_passwd,
             link_named_in_tables, unknown_table_key, malformed_declared_check, files_of_sources_a_list,
             newline_in_indicator_name, overflowing_number, nan_base_value, vision_before_the_end,
             note_year_after_the_end, midterm_true, title_a_mapping, chapter_not_in_the_chapters, overlong_cell,
             region_code_path, gbk_sources, plan_yml_a_folder, duplicate_column,
             utf16_indicators, nul_in_a_header, duplicate_column_after_strip, a_comma_too_many, table_a_folder,
             plan_yml_a_list, plan_yml_one_line_of_two_megabytes, region_code_of_400_digits,
             indicator_id_in_lookalike_letters, prose_check_that_backtracks_for_ever,
             prose_check_of_an_unknown_indicator, region_name_en_on_two_lines]


@pytest.mark.parametrize("breaker", ISSUE_CASES + NEW_CASES, ids=lambda b: b.__name__)
def test_a_hostile_folder_is_a_clear_error(folder, breaker):
    file, value, column = breaker(folder)
    started = time.perf_counter()
    assert_refused(folder, file, value, column)
    assert time.perf_counter() - started < 10   # never a hang (the alias bomb, the FIFO)


@pytest.mark.parametrize("breaker", [alias_bomb, deep_nesting, gbk_plan_yml, table_outside_absolute, fifo_instead_of_a_file,
                                     empty_indicators, duplicate_indicator_id],
                         ids=lambda b: b.__name__)
def test_the_command_line_names_the_problem_without_a_traceback(folder, breaker):
    file, value, _ = breaker(folder)
    result = cli("check", "--plan", str(folder), timeout=60)
    assert result.returncode == 2, (result.returncode, result.stderr)   # 137 would be the timeout's kill
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert file in result.stderr and value in result.stderr


def test_etc_passwd_is_never_read(folder, monkeypatch):
    table_outside_absolute(folder)
    link_to_etc_passwd(folder)
    opened = []
    real_open = open

    def spying_open(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spying_open)
    problems_of(folder)
    assert not [p for p in opened if "passwd" in p]


def test_every_problem_is_listed_at_once(folder):
    midterm_abc(folder)
    language_path(folder)
    duplicate_indicator_id(folder)
    inf_target(folder)
    found = {(Path(e.path).name, e.column) for e in problems_of(folder)}
    assert {("plan.yml", "midterm_year"), ("plan.yml", "language")} <= found
    # plan.yml is read first: with it broken the tables are not judged against its period
    (folder / "plan.yml").write_text((PLANS / "hz-demo" / "plan.yml").read_text(encoding="utf-8"), encoding="utf-8")
    found = {(Path(e.path).name, e.column) for e in problems_of(folder)}
    assert {("indicators.csv", "indicator_id"), ("indicators.csv", "target_value")} <= found
    result = cli("check", "--plan", str(folder))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) >= 2, result.stderr


def test_a_file_of_one_and_a_half_gigabytes_is_refused_by_its_size(folder):
    big = folder / "source.txt"
    with open(big, "wb") as handle:   # sparse: no disk used
        handle.truncate(1_500_000_000)
    code = ("import resource, sys\nfrom plananalysis.plan.folder import load_plan\n"
            "try:\n    load_plan(sys.argv[1])\nexcept Exception as e:\n    print(type(e).__name__, e)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    result = subprocess.run(["timeout", "-s", "KILL", "60", sys.executable, "-c", code, str(folder)],
                            capture_output=True, text=True, env=ENV)
    assert result.returncode == 0, result.stderr
    message, rss_kb = result.stdout.strip().rsplit("\n", 1)
    assert "source.txt" in message and "1500000000" in message
    assert int(rss_kb) < 400_000   # the file (1.5 GB) was never read into memory


def test_an_observed_folder_of_a_huge_file_is_hashed_without_reading_it(tmp_path):
    """review --observed <folder>: the review's hash takes the folder's data files in chunks and a
    file beyond the readers' limit by its size alone (the reader then refuses it by name)."""
    from plananalysis.params import validate
    from plananalysis.run.manifest import shared_inputs_digest

    observed = tmp_path / "observed"
    (observed / "deeper").mkdir(parents=True)
    with open(observed / "observed-big.csv", "wb") as handle:   # sparse: no disk used
        handle.truncate(1_500_000_000)
    (observed / "user.csv").write_text("指标编号,年份,数值\n1,2023,1\n", encoding="utf-8")
    params = validate(as_of=2023, observed_path=str(observed))
    started = time.perf_counter()
    first = shared_inputs_digest(params)
    assert time.perf_counter() - started < 20
    (observed / "deeper" / "notes.txt").write_text("not read", encoding="utf-8")
    assert shared_inputs_digest(params) == first
    (observed / "user.csv").write_text("指标编号,年份,数值\n1,2023,2\n", encoding="utf-8")
    assert shared_inputs_digest(params) != first


def test_a_title_of_two_million_characters_is_refused_by_the_file_size(folder):
    _rewrite(folder / "plan.yml", "title_zh: 测试用", "title_zh: " + "长" * 2_000_000 + "测试用")
    error = assert_refused(folder, "plan.yml", "字节")
    assert len(str(error)) < 1000


def test_a_hundred_thousand_rows_are_refused_quickly(folder):
    with open(folder / "indicators.csv", "w", encoding="utf-8") as handle:
        handle.write("indicator_id,name_zh,unit,baseline_printed,target_printed,target_kind,direction\n")
        for n in range(100_000):
            handle.write(f"x{n},指标{n},%,1,2,level,higher\n")
    started = time.perf_counter()
    assert_refused(folder, "indicators.csv", "10000+")
    assert time.perf_counter() - started < 10


def test_a_plan_argument_of_five_thousand_characters():
    result = cli("check", "--plan", "x" * 5000)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert "plan" in result.stderr and "1000 个字符" in result.stderr and len(result.stderr) < 2000


def test_the_printed_attribute_words_are_accepted(folder):
    _rewrite(folder / "indicators.csv", "chapter_note,", "attribute,chapter_note,")
    for old, word in (("higher,1,", "higher,1,约束性,"), ("higher,2,", "higher,2,预期性,"), ("lower,3,", "lower,3,binding,")):
        _rewrite(folder / "indicators.csv", old, word)
    plan = load_plan(folder)
    assert plan.indicators["attribute"].tolist() == ["binding", "expected", "binding"]


def test_a_clause_the_grammar_drops_is_a_warning():
    plan = load_plan(PLANS / "cn-national-14th")
    [warning] = [w for w in plan.warnings if w.column == "target_printed"]
    assert warning.row == 5 and "力争投入强度高于“十三五”时期实际" in str(warning) and "不参与评估" in str(warning)
    result = cli("check", "--plan", str(PLANS / "cn-national-14th"))
    assert result.returncode == 0 and "提示" in result.stdout and "力争投入强度" in result.stdout


def test_an_unknown_key_of_plan_yml_is_a_warning_not_an_error(folder):
    _append(folder / "plan.yml", "midterm_yaer: 2024\n")
    [warning] = load_plan(folder).warnings
    assert warning.column == "midterm_yaer"


def test_a_byte_order_mark_and_windows_line_ends_are_fine(folder):
    for name in ("plan.yml", "indicators.csv"):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert len(load_plan(folder).indicators) == 3


def test_spaces_around_a_column_name_are_dropped(folder):
    _rewrite(folder / "indicators.csv", "indicator_id,no,", " indicator_id ,no ,")
    assert load_plan(folder).indicators["no"].tolist() == [1, 2, 3]


def test_a_row_with_fewer_cells_is_filled_with_blanks(folder):   # as a spreadsheet saves trailing blanks
    _rewrite(folder / "regions.csv", "330106,西湖区,Xihu District,county,330100,", "330106,西湖区,Xihu District,county")
    plan = load_plan(folder)
    assert plan.regions.set_index("name_zh").loc["西湖区", "parent_code"] == ""


def test_the_front_door_reads_regions_by_the_checked_reader(folder):
    """The app's front door (no pandas in the server) reads regions.csv by the same reader: a
    line break in a name is refused there too, and pandas is never imported."""
    region_name_en_on_two_lines(folder)
    code = ("import sys\nfrom plananalysis.run.pages import plan_info\n"
            "try:\n    plan_info(sys.argv[1])\nexcept Exception as e:\n    print(type(e).__name__, e)\n"
            "print('pandas' in sys.modules)\n")
    result = subprocess.run(["timeout", "-s", "KILL", "60", sys.executable, "-c", code, str(folder)],
                            capture_output=True, text=True, env=ENV)
    message, pandas_imported = result.stdout.strip().rsplit("\n", 1)
    assert message.startswith("PlanDataError") and "regions.csv" in message and "U+000A" in message
    assert pandas_imported == "False"


def test_a_prose_check_given_to_the_audit_is_checked_before_it_runs(tmp_path):
    """audit(prose_checks=…) reads the file by the checked reader too: a pattern that would
    backtrack for ever on the plan's text is refused at once, never run."""
    from plananalysis.engine.audit import audit

    plan = load_plan()
    path = tmp_path / "prose_checks.csv"
    indicator = plan.indicators["indicator_id"].iloc[0]
    path.write_text("check_id,table,indicator_id,column,pattern,reason\n"
                    f"x,indicators,{indicator},baseline_value,(?:.*a){{25}}([0-9]+),Hostile.\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(PlanDataError) as caught:
        audit(plan, observed=plan.indicators.iloc[0:0], prose_checks=path)
    assert time.perf_counter() - started < 10
    assert (caught.value.row, caught.value.column) == (2, "pattern") and "prose_checks.csv" in str(caught.value)


def test_every_shipped_plan_still_passes():
    from plananalysis.plan.info import plan_folders

    for path in [*plan_folders(), *(PLANS / name for name in ("hz-demo", "cn-national-14th", "cn-national-15th"))]:
        assert len(load_plan(path).indicators) > 0


# ------------------------------------------------------------------ review --plan all

def test_review_all_reviews_the_good_plans_and_lists_the_bad(tmp_path, monkeypatch):
    from plananalysis.run.review import review_parameters

    data = tmp_path / "data"
    for name in ("hz-demo", "bomb", "gbk"):
        shutil.copytree(PLANS / "hz-demo", data / "plans" / name)
        _rewrite(data / "plans" / name / "plan.yml", "id: hz-demo", f"id: {name}")
    alias_bomb(data / "plans" / "bomb")
    _rewrite(data / "plans" / "gbk" / "indicators.csv", "hospital_beds_per_1000,2,", "urbanisation_rate,2,")
    monkeypatch.setenv("PLANANALYSIS_DATA_DIR", str(data))
    bad = []
    reviews = review_parameters(["all"], as_of=2023, bad=bad)
    assert [r.plan_id for r in reviews] == ["hz-demo"]
    assert sorted(Path(name).name for name, _ in bad) == ["bomb", "gbk"]
    with pytest.raises(PlanDataError):
        review_parameters(["all"], as_of=2023)     # without ``bad`` the first bad plan is the error


FORMULA_NAME = '=HYPERLINK("http://127.0.0.1:9/x","点击")'


@pytest.fixture(scope="module")
def review_all(tmp_path_factory):
    """``plananalysis review --plan all`` on a data folder of one good small plan and one bad one,
    written into a temporary reports folder: the ONE whole review of this file (it runs the
    notebooks, ~30 s), shared by the tests below.  The good plan names an indicator with a
    formula, which is text: accepted, and written into the workbook as text."""
    root = tmp_path_factory.mktemp("review-all")
    data = root / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / "settings.yml", data / "settings.yml")
    for name in ("methods", "glossary"):
        shutil.copytree(ROOT / "data" / name, data / name)
    shutil.copytree(PLANS / "hz-demo", data / "plans" / "hz-demo")
    _rewrite(data / "plans" / "hz-demo" / "indicators.csv", "亿元GDP生产安全事故死亡率",
             '"' + FORMULA_NAME.replace('"', '""') + '"')
    for name, breaker in (("broken", midterm_abc), ("shifted", a_comma_too_many)):
        shutil.copytree(PLANS / "hz-demo", data / "plans" / name)
        _rewrite(data / "plans" / name / "plan.yml", "id: hz-demo", f"id: {name}")
        breaker(data / "plans" / name)
    reports = root / "reports"
    env = dict(ENV, PLANANALYSIS_DATA_DIR=str(data))
    result = cli("review", "--plan", "all", "--as-of", "2023", "--jobs", "2", "--reports-dir", str(reports),
                 env=env, timeout=600)
    return result, reports


def test_review_all_reviews_the_good_plan_and_names_the_bad_one(review_all):
    result, reports = review_all
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert (reports / "hz-demo" / "2023" / "index.html").is_file()
    assert sorted(p.name for p in reports.iterdir() if p.is_dir()) == ["hz-demo"]
    assert "hz-demo" in (reports / "index.html").read_text(encoding="utf-8")
    # each bad plan: named, with every problem, one line each (file, row or column, value)
    lines = result.stderr.strip().splitlines()
    headings = [line for line in lines if "未评估的规划 (plan not reviewed)" in line]
    assert len(headings) == 2
    assert any(line.endswith("/broken：1 个问题 (problems)") for line in headings)
    assert any(line.endswith("/shifted：3 个问题 (problems)") for line in headings)
    assert any("broken/plan.yml" in line and "midterm_year" in line and "'abc'" in line for line in lines)
    assert [n for n in (2, 3, 4) if any("shifted/indicators.csv" in line and f"第{n}行" in line and "'extra'" in line
                                        for line in lines)] == [2, 3, 4]


def test_a_formula_in_a_plan_is_text_in_the_workbook(review_all):
    from openpyxl import load_workbook

    _, reports = review_all
    book = load_workbook(reports / "hz-demo" / "2023" / "scorecard.xlsx")
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert cells and all(cell.data_type == "s" and cell.value == "'" + FORMULA_NAME for cell in cells)


# ------------------------------------------------------------------ plan new

NASTY_TITLES = [
    "标题: 副标题", "{{ jinja }}", "*alias", "&anchor 规划", "# 不是注释", "甲, 乙, 丙", "'单引号'", '"双引号"',
    "- 列表", "? 问号", "| 竖线", "> 大于", "!!python/object 标签", "%YAML 1.1", "@at", "`反引号`", "null", "true",
    "2021", "0x1F", ".inf", "~", "[列表]", "{映射: 1}", "<script>alert(1)</script>", "=cmd|' /C calc'!A0",
    "规划（2026—2030年）", "a" * 500,
]


@pytest.mark.parametrize("title", NASTY_TITLES)
def test_plan_new_passes_check_for_any_title(tmp_path, title):
    path = new_plan("city-15th", "某市", title=title, level="city", start=2026, folder=tmp_path)
    plan = load_plan(path)
    assert plan.title == title and plan.info.plan_id == "city-15th" and plan.region == "某市"


@pytest.mark.parametrize("region", ["某市, 某区", '某"市"', "某市: 北京", "# 某市", "=某市"])
def test_plan_new_passes_check_for_any_region(tmp_path, region):
    plan = load_plan(new_plan("city-15th", region, level="city", start=2026, folder=tmp_path))
    assert plan.region == region and plan.regions["name_zh"].tolist() == [region]


def test_plan_new_cannot_be_given_keys_through_the_title(tmp_path):
    result = cli("plan", "new", "city-15th", "--region", "某市", "--title", "标题\nregion: 北京市\nid: evil",
                 "--dir", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "--title" in result.stderr
    assert list(tmp_path.iterdir()) == []     # nothing written


@pytest.mark.parametrize("start", ["0", "99999", "-5", "2021.5", "soon"])
def test_plan_new_refuses_bad_years(tmp_path, start):
    result = cli("plan", "new", "city-15th", "--region", "某市", "--start", start, "--dir", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert "--start" in result.stderr and start in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_plan_new_refuses_a_period_too_long(tmp_path):
    with pytest.raises(ParameterError, match="2026–2100"):
        new_plan("city-15th", "某市", start=2026, end=2100, folder=tmp_path)


def test_the_first_import_into_a_new_plan_works(tmp_path):
    from plananalysis.observed.importer import import_observed

    path = new_plan("city-15th", "某市", level="city", start=2026, folder=tmp_path)
    assert (path / "observed").is_dir()
    _append(path / "indicators.csv", "jobs,城镇新增就业,万人,10,〔50〕,cumulative_sum,higher,1,就业,New jobs,预期性\n")
    data = tmp_path / "jobs.csv"
    data.write_text("指标编号,地区,年份,数值,来源名称\njobs,某市,2026,11,某市统计公报\n", encoding="utf-8")
    import_observed(data, plan=path)
    assert "jobs" in (path / "observed" / "user.csv").read_text(encoding="utf-8")
