"""Who answers for what (issue 13.2): departments.csv and responsibilities.csv of the Zhejiang plan.

Every headline indicator (indicators.csv), every catalogue target (targets.csv) and every task
(tasks.csv, issue 20) has exactly one responsibility row; its departments exist; a ``plan_text`` row quotes the plan's own words
naming the department, an ``assignment`` row says why that department.
"""

from __future__ import annotations

import pandas as pd
import pytest

from .conftest import PLAN_DIR

DEPARTMENT_COLUMNS = ["department_id", "name_zh", "name_en"]
RESPONSIBILITY_COLUMNS = ["subject_id", "department_id", "co_department_ids", "basis", "quote", "reason"]
BASES = ("plan_text", "assignment")


def _read(name, columns):
    frame = pd.read_csv(PLAN_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")
    assert list(frame.columns) == columns
    return frame


@pytest.fixture(scope="module")
def departments():
    return _read("departments.csv", DEPARTMENT_COLUMNS)


@pytest.fixture(scope="module")
def responsibilities():
    return _read("responsibilities.csv", RESPONSIBILITY_COLUMNS)


@pytest.fixture(scope="module")
def subjects():
    indicators = pd.read_csv(PLAN_DIR / "indicators.csv", dtype=str, keep_default_na=False)["indicator_id"]
    targets = pd.read_csv(PLAN_DIR / "targets.csv", dtype=str, keep_default_na=False)["target_id"]
    tasks = pd.read_csv(PLAN_DIR / "tasks.csv", dtype=str, keep_default_na=False)["task_id"]
    return list(indicators) + list(targets) + list(tasks)


@pytest.fixture(scope="module")
def text():
    return (PLAN_DIR / "source.txt").read_text(encoding="utf-8")


def problems(responsibilities, department_ids, subject_ids, text):
    """Every way the responsibility rows break the contract, as (subject_id, what) pairs."""
    found = []
    counts = responsibilities["subject_id"].value_counts()
    for subject in subject_ids:
        if counts.get(subject, 0) != 1:
            found.append((subject, f"{counts.get(subject, 0)} rows, expected exactly 1"))
    for subject in set(responsibilities["subject_id"]) - set(subject_ids):
        found.append((subject, "not an indicator or target of this plan"))
    known = set(department_ids)
    for row in responsibilities.itertuples():
        co = [c for c in row.co_department_ids.split("|") if c]
        for department in [row.department_id, *co]:
            if department not in known:
                found.append((row.subject_id, f"unknown department {department!r}"))
        if row.department_id in co or len(co) != len(set(co)):
            found.append((row.subject_id, "a department listed twice"))
        if row.basis not in BASES:
            found.append((row.subject_id, f"basis {row.basis!r}"))
        elif row.basis == "plan_text" and (not row.quote.strip() or row.quote not in text):
            found.append((row.subject_id, "plan_text quote not found in source.txt"))
        elif row.basis == "assignment" and len(row.reason.strip()) < 8:
            found.append((row.subject_id, "assignment without a reason"))
    return found


def test_the_plan_files_keep_the_contract(responsibilities, departments, subjects, text):
    assert problems(responsibilities, departments["department_id"], subjects, text) == []


def test_one_row_per_indicator_and_target(responsibilities, subjects):
    # 25 headline indicators + 113 catalogue targets + 167 tasks (45 sections, 122 专栏 items)
    # = 305 rows, in that order.
    assert len(subjects) == 25 + 113 + 167 == 305
    assert list(responsibilities["subject_id"]) == subjects


def test_departments(departments, responsibilities):
    assert departments["department_id"].str.fullmatch(r"[a-z]+(-[a-z]+)*").all()
    assert departments["department_id"].is_unique and departments["name_zh"].is_unique
    # Short names as the province writes them: 省教育厅, 省卫生健康委, 省委宣传部, 国家统计局浙江调查总队.
    assert departments["name_zh"].str.fullmatch(r"(省|省委|国家统计局浙江)\S+").all()
    assert (departments["name_en"].str.strip() != "").all()
    used = set(responsibilities["department_id"]) | {
        c for cell in responsibilities["co_department_ids"] for c in cell.split("|") if c}
    assert used == set(departments["department_id"])    # no department listed for nothing


def test_assignments_say_why_in_both_languages(responsibilities):
    assigned = responsibilities[responsibilities["basis"] == "assignment"]
    assert assigned["reason"].str.contains(" / ").all()
    assert assigned["reason"].str.contains(r"[\u4e00-\u9fff]").all()
    assert (assigned["quote"] == "").all()


def test_bases(responsibilities):
    # The plan's text never names the body that answers for a target or a task: chapters 三–十四
    # name no 厅, 委 or 局 (only 省委's decision in 专栏1 item 1 and 相关部门), and chapter 十四
    # (保障措施) speaks of 各级党委政府 and a 社会发展工作协同机制 only, so every row is an assignment.
    assert responsibilities["basis"].value_counts().to_dict() == {"assignment": 305}


def test_restated_targets_follow_their_indicator(responsibilities):
    targets = pd.read_csv(PLAN_DIR / "targets.csv", dtype=str, keep_default_na=False)
    by_subject = responsibilities.set_index("subject_id")
    for row in targets[targets["restates_indicator_id"] != ""].itertuples():
        assert by_subject.loc[row.target_id, "department_id"] == by_subject.loc[row.restates_indicator_id, "department_id"]


@pytest.mark.parametrize("change, expected", [
    ({"department_id": "police"}, "unknown department 'police'"),
    ({"co_department_ids": "stats|nobody"}, "unknown department 'nobody'"),
    ({"basis": "plan_text", "quote": "省教育厅负责"}, "plan_text quote not found in source.txt"),
    ({"basis": "assignment", "reason": ""}, "assignment without a reason"),
    ({"basis": "guess"}, "basis 'guess'"),
])
def test_a_bad_row_is_named(responsibilities, departments, subjects, text, change, expected):
    broken = responsibilities.copy()
    for column, value in change.items():
        broken.loc[0, column] = value
    assert problems(broken, departments["department_id"], subjects, text) == [("urban_new_jobs", expected)]


def test_a_plan_text_row_with_a_real_quote_passes(responsibilities, departments, subjects, text):
    fixed = responsibilities.copy()
    fixed.loc[0, ["basis", "quote", "reason"]] = ["plan_text", "各级党委政府要加强对社会发展各项工作的总体协调", ""]
    assert problems(fixed, departments["department_id"], subjects, text) == []


def test_a_missing_or_doubled_subject_is_named(responsibilities, departments, subjects, text):
    doubled = pd.concat([responsibilities, responsibilities.iloc[[5]]], ignore_index=True)
    assert problems(doubled, departments["department_id"], subjects, text) == [
        (responsibilities.loc[5, "subject_id"], "2 rows, expected exactly 1")]
    dropped = responsibilities[responsibilities["subject_id"] != "ch14-t01"]
    assert problems(dropped, departments["department_id"], subjects, text) == [("ch14-t01", "0 rows, expected exactly 1")]
