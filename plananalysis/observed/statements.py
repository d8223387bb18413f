"""Departments' statements on the plan's tasks (重点任务进展): the shape every output reads.

A department reports on each task it leads (``plan.tasks``) a status from a fixed list, its
progress in words, its results, its problems and its evidence; an analyst may write or override
one.  The statements live in one optional, plan-agnostic file of the plan folder,
``observed/task-statements.csv`` (:data:`STATEMENTS_FILE`), one row per statement, the columns of
:data:`COLUMNS`:

- ``task_id`` — a task of ``tasks.csv``; ``status`` — one of :data:`STATUSES` (已完成 / 基本完成
  / 序时推进 / 滞后 / 未启动); ``progress_text``, ``results``, ``problems``, ``evidence`` — text
  (never markup: outputs show it as text);
- ``department_id`` — the department that made it (``departments.csv``); ``reported_on`` — the
  date it was made (``YYYY-MM-DD``); ``file_hash`` — the SHA-256 of the returned workbook it came
  from (empty for an analyst's); ``source`` — ``department`` or ``analyst``.

:func:`load_statements` reads and checks the file (one clear error naming file, row, column,
value and what was expected) or returns an empty table when the folder has none, so a review
works with no statement at all; :func:`current_statements` keeps one statement per task, the one
the review reports (an analyst's over a department's, then the latest).

>>> from plananalysis.plan.folder import load_plan
>>> load_statements(load_plan()).columns.tolist() == COLUMNS
True
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError

__all__ = ["STATEMENTS_FILE", "COLUMNS", "STATUSES", "SOURCES", "MAX_TEXT", "status_label",
           "read_statements", "load_statements", "current_statements"]

#: where a plan folder keeps the statements (relative to the folder)
STATEMENTS_FILE = Path("observed") / "task-statements.csv"
COLUMNS = ["task_id", "status", "progress_text", "results", "problems", "evidence", "department_id",
           "reported_on", "file_hash", "source"]
#: status → (English label, lagging?) in the order a department chooses from
STATUSES = {"已完成": ("completed", False), "基本完成": ("basically completed", False),
            "序时推进": ("on schedule", False), "滞后": ("behind schedule", True),
            "未启动": ("not started", True)}
SOURCES = ("department", "analyst")
#: the longest text a statement's field may hold (characters)
MAX_TEXT = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HASH = re.compile(r"^([0-9a-f]{64})?$")
_FORMULA = re.compile(r"^[=+\-@]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def status_label(status: str, lang: str = "zh") -> str:
    """A status in the review's language.

    >>> status_label("滞后", "en"), status_label("滞后")
    ('behind schedule', '滞后')
    """
    return STATUSES[status][0] if lang == "en" and status in STATUSES else str(status)


def _empty_statements() -> pd.DataFrame:
    """No statement: the table with its columns and no row."""
    return pd.DataFrame({c: pd.Series(dtype=str) for c in COLUMNS})


def read_statements(path: str | Path, *, task_ids=None, department_ids=None) -> pd.DataFrame:
    """The statements of ``path``, checked (``task_ids``, ``department_ids``: those known).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = path.write_text("task_id,status,progress_text,results,problems,evidence,department_id,"
    ...                     "reported_on,file_hash,source\\nch03-s01,延后,x,,,,health,2024-03-01,,department\\n")
    >>> read_statements(path)
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ... 第2行 列 status: 值 '延后' 不符合要求，应为 已完成、基本完成、序时推进、滞后、未启动 之一 (file ..., row 2, column status: got '延后', expected 已完成、基本完成、序时推进、滞后、未启动 之一)
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PlanDataError(path, None, None, type(exc).__name__, "UTF-8 编码的 CSV 文件 (a UTF-8 CSV file)") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise PlanDataError(path, 1, missing[0], "", "列 (the columns) " + ", ".join(COLUMNS))
    frame = frame[COLUMNS].copy()
    for pos, row in frame.iterrows():
        line = int(pos) + 2

        def bad(column, expected):
            raise PlanDataError(path, line, column, row[column], expected)

        if task_ids is not None and row["task_id"] not in set(task_ids):
            bad("task_id", "tasks.csv 中的任务编号 (a task_id of tasks.csv)")
        if row["status"] not in STATUSES:
            bad("status", "、".join(STATUSES) + " 之一")
        for column in ("progress_text", "results", "problems", "evidence"):
            value = row[column]
            if len(value) > MAX_TEXT:
                bad(column, f"不超过{MAX_TEXT}个字符 (at most {MAX_TEXT} characters)")
            if _FORMULA.match(value) or _CONTROL.search(value):
                bad(column, "文字，不以 = + - @ 开头，不含控制字符 (text, not a formula)")
        if department_ids is not None and row["department_id"] not in set(department_ids):
            bad("department_id", "departments.csv 中的单位编号 (a department_id of departments.csv)")
        if not _DATE.match(row["reported_on"]):
            bad("reported_on", "日期 YYYY-MM-DD (a date)")
        if not _HASH.match(row["file_hash"]):
            bad("file_hash", "SHA-256（64位十六进制）或空 (a SHA-256 or empty)")
        if row["source"] not in SOURCES:
            bad("source", " 或 ".join(SOURCES))
    return frame.reset_index(drop=True)


def load_statements(plan) -> pd.DataFrame:
    """The plan folder's statements (:data:`STATEMENTS_FILE`), checked against its tasks and
    departments; an empty table when the folder has none.

    >>> import shutil, tempfile
    >>> from plananalysis.plan.folder import load_plan
    >>> from plananalysis.observed.task_reports import record_statement
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = shutil.copytree(load_plan().folder, Path(tmp.name) / load_plan().folder.name,
    ...                          ignore=shutil.ignore_patterns("user.csv", "backups", "task-statements.csv"))
    >>> plan = load_plan(folder)
    >>> len(load_statements(plan))        # the shipped plan folder holds no statement
    0
    >>> _ = record_statement(plan, "ch12-z19-08", "滞后", "【测试数据】方案待批。", reported_on="2024-03-01")
    >>> load_statements(plan)[["task_id", "status", "department_id", "reported_on", "source"]].values.tolist()
    [['ch12-z19-08', '滞后', 'water', '2024-03-01', 'analyst']]
    >>> tmp.cleanup()
    """
    path = Path(plan.folder) / STATEMENTS_FILE
    if not path.is_file():
        return _empty_statements()
    tasks = getattr(plan, "tasks", None)
    departments = getattr(plan, "departments", None)
    return read_statements(
        path, task_ids=None if tasks is None else tasks["task_id"],
        department_ids=None if departments is None or "department_id" not in departments.columns
        else departments["department_id"])


def current_statements(statements: pd.DataFrame) -> pd.DataFrame:
    """One statement per task: an analyst's over a department's, then the latest reported.

    >>> rows = pd.DataFrame({"task_id": ["a", "a", "b"], "source": ["department", "analyst", "department"],
    ...                      "reported_on": ["2024-05-01", "2024-01-01", "2024-02-01"], "status": ["滞后", "序时推进", "已完成"]})
    >>> current_statements(rows)[["task_id", "status"]].values.tolist()
    [['a', '序时推进'], ['b', '已完成']]
    """
    if statements.empty:
        return statements.reset_index(drop=True)
    order = statements.assign(_analyst=(statements["source"] == "analyst").astype(int))
    order = order.sort_values(["task_id", "_analyst", "reported_on"], kind="stable")
    return order.groupby("task_id", sort=True).tail(1).drop(columns="_analyst").sort_values("task_id").reset_index(drop=True)
