"""The plan's tasks (issue 20.1): tasks.csv complete against the text, verbatim, linked — and bad files named."""

from __future__ import annotations

import pandas as pd
import pytest

from plananalysis.errors import PlanDataError
from plananalysis.plan.catalogue import quote_span, read_targets
from plananalysis.plan.tasks import (
    TASK_COLUMNS, TASK_KINDS, account_for_tasks, plan_parts, read_excluded_tasks, read_tasks,
)

from .conftest import PLAN_DIR, ROOT, TEST_DATA

TASKS = PLAN_DIR / "tasks.csv"
EXCLUDED = PLAN_DIR / "tasks_excluded.csv"


@pytest.fixture(scope="module")
def text():
    return (PLAN_DIR / "source.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def targets(text):
    return read_targets(PLAN_DIR / "targets.csv", source_text=text)


@pytest.fixture(scope="module")
def tasks(text, targets):
    return read_tasks(TASKS, source_text=text, target_ids=dict(zip(targets["target_id"], targets["quote"])))


@pytest.fixture(scope="module")
def excluded(text):
    return read_excluded_tasks(EXCLUDED, text)


# --- completeness ------------------------------------------------------------------------------

def test_every_section_item_and_line_is_a_task_or_excluded(text, tasks, excluded):
    result = account_for_tasks(text, tasks, excluded)
    assert [(p.kind, p.line, p.key) for p in result.missing] == []
    assert result.both == [] and result.unknown == [] and result.differ == [] and result.stale == []
    assert result.is_complete


def test_completeness_fails_when_a_task_is_dropped(text, tasks, excluded):
    result = account_for_tasks(text, tasks[tasks["task_id"] != "ch12-z19-25"], excluded)
    assert [p.key for p in result.missing] == ["ch12-z19-25"]


def test_completeness_fails_when_a_preamble_is_not_excluded(text, tasks, excluded):
    result = account_for_tasks(text, tasks, excluded[excluded["line"] != 750])   # 专栏2's opening
    assert [(p.kind, p.line, p.box) for p in result.missing] == [("line", 750, 2)]


def test_completeness_fails_for_a_changed_text_a_stale_line_and_an_unknown_id(text, tasks, excluded):
    changed = tasks.copy()
    changed.loc[0, "text"] = changed.loc[0, "text"][:-1]
    extra = pd.concat([changed, pd.DataFrame([{"task_id": "ch03-s07", "text": "无"}])], ignore_index=True)
    moved = excluded.copy()
    moved.loc[2, "line"] = 725
    result = account_for_tasks(text, extra, moved)
    assert result.differ == ["ch03-s01"] and result.unknown == ["ch03-s07"] and 725 in result.stale
    assert not result.is_complete


def test_excluding_a_section_heading_excludes_the_section(text, tasks, excluded):
    """An exclusion by a section's heading line accounts for the section and its boxes' items."""
    without = tasks[~tasks["task_id"].str.match(r"ch14-s03")]
    heading = [p for p in plan_parts(text) if p.kind == "section" and p.key == "ch14-s03"][0]
    extra = pd.concat([excluded, pd.DataFrame([{"line": heading.line, "text": "(三)加强监测评估",
                                                "reason": "a test exclusion"}])], ignore_index=True)
    assert account_for_tasks(text, without, extra).is_complete


# --- counted by hand -------------------------------------------------------------------------------

# Numbered sections per chapter, counted in source.txt: 三 (一)人口结构 … (六)人才 = 6; 四 4; 五 3;
# 六 4; 七 3; 八 3; 九 4; 十 5; 十一 3; 十二 3; 十三 4; 十四 (一)组织领导 (二)要素保障 (三)监测评估 = 3.
SECTIONS = {3: 6, 4: 4, 5: 3, 6: 4, 7: 3, 8: 3, 9: 4, 10: 5, 11: 3, 12: 3, 13: 4, 14: 3}
# Numbered items per 专栏, counted in source.txt (专栏19 holds its 25 on one line).
BOX_ITEMS = {1: 2, 2: 5, 3: 4, 4: 10, 5: 6, 6: 4, 7: 7, 8: 3, 9: 3, 10: 5, 11: 3, 12: 4, 13: 5, 14: 6,
             15: 6, 16: 6, 17: 8, 18: 4, 19: 25, 20: 3, 21: 3}
MAJOR_PROJECT_BOXES = {8, 9, 15, 16, 17, 19}     # …工程, 重大工程, …项目, 重大平台 ×2, 重点项目


def test_sections_per_chapter_counted_by_hand(tasks):
    sections = tasks[tasks["kind"] == "task"]
    assert sections.groupby("chapter").size().to_dict() == SECTIONS
    assert sum(SECTIONS.values()) == len(sections) == 45


def test_box_items_counted_by_hand(tasks):
    items = tasks[tasks["kind"] != "task"]
    assert items.groupby("box").size().to_dict() == BOX_ITEMS
    assert sum(BOX_ITEMS.values()) == len(items) == 122
    assert len(tasks) == 167


def test_kinds_per_box(tasks):
    items = tasks[tasks["kind"] != "task"]
    by_box = items.groupby("box")["kind"].unique().to_dict()
    assert all(len(kinds) == 1 for kinds in by_box.values())       # one kind per 专栏
    assert {box for box, kinds in by_box.items() if kinds[0] == "major_project"} == MAJOR_PROJECT_BOXES
    # 专栏8 3 + 专栏9 3 + 专栏15 6 + 专栏16 6 + 专栏17 8 + 专栏19 25 = 51 major projects; 71 actions
    assert tasks["kind"].value_counts().to_dict() == {"action": 71, "major_project": 51, "task": 45}
    assert set(TASK_KINDS) == {"task", "action", "major_project"}


def test_exclusions_counted_by_hand(excluded):
    # Chapters 一 and 二 whole; the opening paragraph of each chapter 三…十三 (十四 has none); 专栏2's.
    assert excluded["line"].tolist() == [22, 436, 724, 750, 804, 838, 864, 908, 945, 979, 1025, 1095, 1121, 1141]


def test_known_tasks_read_by_hand(tasks):
    by_id = tasks.set_index("task_id")
    assert by_id.loc["ch03-s01", "title"] == "推动人口结构优化"
    assert by_id.loc["ch03-z01-01", "text"].startswith("完善生育政策。落实省委废止计划生育")
    assert by_id.loc["ch12-z19-25", ["title", "text"]].tolist() == ["提升不动产登记服务应用", "提升不动产登记服务应用。"]
    assert by_id.loc["ch13-z21-03", "title"] == "打造社会组织广泛参与基层社会治理的浙江样板"
    assert by_id.loc["ch14-s03", "text"].endswith("确保规划顺利实施。")           # not the 附件 line after it
    assert (by_id.loc["ch09-z13-02", "section"], int(by_id.loc["ch09-z13-02", "box"])) == ("九(二)", 13)


# --- verbatim text and targets ------------------------------------------------------------------

def test_every_task_text_is_verbatim_in_the_plan(text, tasks):
    for row in tasks.itertuples():
        assert row.text in text, row.task_id
        assert row.title in text, row.task_id


def test_every_chapter_target_is_in_exactly_one_task(text, tasks, targets):
    linked = [t for cell in tasks["target_ids"] for t in cell.split("|") if t]
    assert len(linked) == len(set(linked))
    chapters = targets[targets["chapter"] >= 3]
    assert set(linked) == set(chapters["target_id"]) and len(linked) == 98       # 113 − 15 of chapter 二
    for row in tasks[tasks["target_ids"] != ""].itertuples():
        for target in row.target_ids.split("|"):
            quote = targets.set_index("target_id").loc[target, "quote"]
            assert quote in row.text, (row.task_id, target)


def test_targets_linked_by_hand(tasks):
    by_id = tasks.set_index("task_id")["target_ids"]
    assert by_id["ch09-z13-02"] == "ch09-t07|ch09-t08|ch09-t15"    # 300张, 1公里, 布局专项规划
    assert by_id["ch13-z20-03"] == "ch13-t02"                      # 一库两平台
    assert by_id["ch12-s02"] == "ch12-t01"                         # 九大场景
    assert by_id["ch14-s02"] == "ch14-t01"                         # 三分之二
    assert by_id["ch03-z01-01"] == ""


# --- who answers for each task ----------------------------------------------------------------------

def test_each_task_has_a_lead_department(plan):
    assert len(plan.tasks) == 167
    assert (plan.tasks["department_id"] != "").all()
    assert set(plan.tasks["department_id"]) <= set(plan.departments["department_id"])
    by_id = plan.tasks.set_index("task_id")
    assert by_id.loc["ch12-z19-16", "department_id"] == "disabled-persons"      # “数字残联”
    assert by_id.loc["ch13-s04", "co_department_ids"] == "public-security|market-regulation|political-legal"


# --- plans without tasks --------------------------------------------------------------------------

@pytest.mark.parametrize("plan_id", ["hz-demo", "cn-national-14th", "cn-national-15th"])
def test_plans_without_a_tasks_file_load(plan_id):
    from plananalysis.plan.folder import load_plan

    plan = load_plan(TEST_DATA / "plans" / plan_id)
    assert not (plan.folder / "tasks.csv").exists()
    assert plan.tasks.empty and "task_id" in plan.tasks.columns


# --- bad files ------------------------------------------------------------------------------------

def _broken_copy(tmp_path, row_number, column, value):
    frame = pd.read_csv(TASKS, dtype=str, keep_default_na=False)
    frame.loc[row_number - 2, column] = value
    path = tmp_path / "tasks.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.mark.parametrize("row_number, column, value, expected_words", [
    (2, "task_id", "ch03-1", "an id like ch03-s01"),
    (3, "kind", "project", "one of the task kinds"),
    (2, "kind", "action", "task for a section"),
    (3, "kind", "task", "action or major_project"),
    (2, "chapter", "x", "a chapter number"),
    (2, "task_id", "ch04-s01", "starting with the row's chapter"),
    (2, "section", "四(一)", "a section of chapter 3"),
    (2, "section", "三(二)", "the section its id names"),
    (3, "box", "2", "the box its id names"),
    (3, "item", "5", "the item its id names"),
    (2, "box", "1", "a section is in no box"),
    (2, "title", "", "never left blank"),
    (2, "title", "=HYPERLINK(\"x\")", "never a formula"),
    (2, "title", "推动\t人口", "without control characters"),
    (2, "target_ids", "ch99-t01", "target ids of targets.csv"),
    (4, "target_ids", "ch03-t01|ch03-t01", "target ids listed once"),
])
def test_a_bad_cell_names_file_row_column_and_value(tmp_path, targets, row_number, column, value, expected_words):
    path = _broken_copy(tmp_path, row_number, column, value)
    with pytest.raises(PlanDataError) as info:
        read_tasks(path, target_ids=dict(zip(targets["target_id"], targets["quote"])))
    error = info.value
    assert (error.path, error.row, error.column) == (str(path), row_number, column)
    assert expected_words in error.expected
    assert "tasks.csv" in str(error) and f"第{row_number}行" in str(error)


def test_a_duplicate_id_is_named(tmp_path):
    path = _broken_copy(tmp_path, 3, "task_id", "ch03-s01")
    with pytest.raises(PlanDataError) as info:
        read_tasks(path)
    assert (info.value.row, info.value.column, info.value.value) == (3, "task_id", "ch03-s01")


def test_text_not_in_the_plan_and_a_target_outside_the_task_are_named(tmp_path, text, targets):
    quotes = dict(zip(targets["target_id"], targets["quote"]))
    path = _broken_copy(tmp_path, 2, "text", "制定人口长期发展战略,增强生育政策包容性。")
    read_tasks(path)                                       # well-formed without the text
    with pytest.raises(PlanDataError) as info:
        read_tasks(path, source_text=text, target_ids=quotes)
    assert (info.value.row, info.value.column) == (2, "text") and "verbatim" in info.value.expected
    path = _broken_copy(tmp_path, 2, "target_ids", "ch03-t01")    # 窗口学校100所 is in (二), not (一)
    with pytest.raises(PlanDataError) as info:
        read_tasks(path, source_text=text, target_ids=quotes)
    assert (info.value.row, info.value.column, info.value.value) == (2, "target_ids", "ch03-t01")


def test_a_box_of_another_chapter_is_named(tmp_path):
    path = _broken_copy(tmp_path, 3, "task_id", "ch03-z05-01")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "box"] = "5"
    frame.to_csv(path, index=False, encoding="utf-8")
    with pytest.raises(PlanDataError) as info:
        read_tasks(path, boxes=[(1, 3), (5, 4)])
    assert (info.value.row, info.value.column, info.value.value) == (3, "box", "5")


def test_a_wrong_header_is_named(tmp_path):
    path = tmp_path / "tasks.csv"
    path.write_text(TASKS.read_text(encoding="utf-8").replace("target_ids", "targets", 1), encoding="utf-8")
    with pytest.raises(PlanDataError) as info:
        read_tasks(path)
    assert info.value.row == 1 and ",".join(TASK_COLUMNS) in info.value.expected


def test_a_bad_exclusion_is_named(tmp_path, text):
    frame = pd.read_csv(EXCLUDED, dtype=str, keep_default_na=False)
    frame.loc[2, "line"] = "725"
    path = tmp_path / "tasks_excluded.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    with pytest.raises(PlanDataError) as info:
        read_excluded_tasks(path, text)
    assert (info.value.row, info.value.column) == (4, "text") and "line 725" in info.value.expected


@pytest.mark.parametrize("edit, column, value", [
    (lambda f: f.__setitem__("department_id", f["department_id"].where(f["subject_id"] != "ch03-s01", "police")),
     "department_id", "police"),
    (lambda f: f.__setitem__("co_department_ids", f["co_department_ids"].where(f["subject_id"] != "ch03-s01", "nobody")),
     "co_department_ids", "nobody"),
])
def test_the_loader_names_an_unknown_department_of_a_task(plan_copy, edit, column, value):
    from plananalysis.plan.folder import load_plan

    path = plan_copy / "responsibilities.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False, encoding="utf-8")
    with pytest.raises(PlanDataError) as info:
        load_plan(plan_copy)
    row = int(frame.index[frame["subject_id"] == "ch03-s01"][0]) + 2
    assert (info.value.row, info.value.column, info.value.value) == (row, column, value)
    assert str(info.value.path).endswith("responsibilities.csv")


def test_the_loader_names_a_task_without_departments(plan_copy):
    from plananalysis.plan.folder import load_plan

    path = plan_copy / "responsibilities.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame[frame["subject_id"] != "ch14-s03"].to_csv(path, index=False, encoding="utf-8")
    with pytest.raises(PlanDataError) as info:
        load_plan(plan_copy)
    assert (info.value.column, info.value.value) == ("subject_id", "ch14-s03")


def test_the_loader_reports_a_broken_tasks_file_and_a_missing_source_entry(plan_copy):
    from plananalysis.plan.folder import load_plan

    frame = pd.read_csv(plan_copy / "tasks.csv", dtype=str, keep_default_na=False)
    frame.loc[5, "kind"] = "stock"
    frame.to_csv(plan_copy / "tasks.csv", index=False, encoding="utf-8")
    with pytest.raises(PlanDataError) as info:
        load_plan(plan_copy)
    assert (info.value.row, info.value.column, info.value.value) == (7, "kind", "stock")
    sources = (plan_copy / "sources.yml").read_text(encoding="utf-8")
    (plan_copy / "sources.yml").write_text(sources.replace("  tasks.csv:", "  tasks-old.csv:"), encoding="utf-8")
    with pytest.raises(PlanDataError) as info:
        load_plan(plan_copy)
    assert (info.value.column, info.value.value) == ("files", "tasks.csv")


def test_the_generator_reproduces_the_files(tmp_path):
    """tools/make_tasks.py writes the committed files from the text (the files are reviewed data)."""
    import shutil
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from make_tasks import build
    finally:
        sys.path.pop(0)
    folder = tmp_path / "plan"
    folder.mkdir()
    for name in ("source.txt", "targets.csv"):
        shutil.copy(PLAN_DIR / name, folder / name)
    tasks, excluded = build(folder)
    committed = pd.read_csv(TASKS, dtype=str, keep_default_na=False)
    assert tasks.astype(str).drop(columns="note").values.tolist() == committed.drop(columns="note").values.tolist()
    assert len(excluded) == len(pd.read_csv(EXCLUDED))
