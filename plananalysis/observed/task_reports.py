"""Departments report progress on the tasks they lead (重点任务进展), through the data loop.

The shape of a stored statement, its file and its loader are
:mod:`plananalysis.observed.statements` (``observed/task-statements.csv``); this module writes
and reads the sheet that carries them and keeps the file:

- :func:`department_tasks` — the tasks a department leads (``plan.tasks``, lead department from
  ``responsibilities.csv``).  Only lead tasks are asked: the lead department compiles the
  progress of a task with its partners (the plan names partners as 配合单位, who report to the
  lead, not to the commission), and one statement per task is what the review shows;
- :func:`add_task_sheet` — the sheet 重点任务进展 of a department's request workbook
  (:func:`~plananalysis.observed.requests.write_requests`): one row per lead task, the task's
  title and the plan's words locked, a status from the fixed list (a dropdown), 进展情况 and the
  other texts within their lengths (:data:`~plananalysis.observed.columns.STATEMENT_LIMITS`);
  :func:`cover_lines` — what the cover (说明) says of it, one line per column from the same
  column table (:mod:`plananalysis.observed.columns`);
- :func:`statement_rows` — the filled rows of a returned workbook's 重点任务进展, checked as the
  numbers are: every problem one :class:`~plananalysis.errors.PlanDataError` naming file, sheet,
  cell, value and what was expected; ``plananalysis data import`` writes nothing when any
  problem is found (:func:`~plananalysis.observed.importer.import_observed`);
- :func:`merge_statements` — what an import adds to the file, under the import lock, with a
  backup of the previous file, written atomically;
- :func:`record_statement` and :func:`undo_statement` — the analyst writes (or overrides) a
  statement in JupyterLab, with the same checks, and takes the last one back.

History is kept: every statement stays in the file with its provenance (department, date
reported, file name, SHA-256 of the file, when it was recorded); a statement of the same task by
the same department on the same date replaces the earlier one (a corrected return), a later
date is added beside it.  Which one a review shows is
:func:`~plananalysis.observed.statements.current_statements`: an analyst's over a department's,
then the latest reported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError, PlanDataErrors
from ..files import spreadsheet_text
from .columns import (
    STATEMENT_COLUMNS,
    STATEMENT_HEADERS_ZH,
    STATEMENT_LIMITS,
    STATEMENT_NOTES_ZH,
    STATEMENT_OPEN_COLUMNS,
    STATEMENT_STATUSES,
    TASK_SHEET,
    TASK_SHEET_HEADER,
)
from .cell_styles import CellStyles
from .spreadsheet import column_letter
from .statements import COLUMNS, STATEMENTS_FILE, current_statements, read_statements

__all__ = ["STORED_COLUMNS", "department_tasks", "add_task_sheet", "cover_lines", "statement_rows",
           "check_statement", "StatementSummary", "merge_statements", "all_statements", "record_statement",
           "undo_statement"]

#: the stored file's columns: the shape's (:data:`~plananalysis.observed.statements.COLUMNS`), then
#: the rest of the provenance: who to ask, the file's name, when the statement was recorded
STORED_COLUMNS = COLUMNS + ["contact", "source_file", "recorded_at"]
_TEXT_COLUMNS = ("progress_text", "results", "problems", "evidence", "contact")
#: what text may not start with (:mod:`plananalysis.observed.statements` refuses it on loading)
_FORMULA_STARTS = ("=", "+", "-", "@")
_NUMBER = re.compile(r"\d")
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")


def _plan(plan):
    from ..plan.folder import Plan, load_plan

    return plan if isinstance(plan, Plan) else load_plan(plan)


def _names(plan) -> dict[str, str]:
    table = plan.departments
    return {} if table.empty else dict(zip(table["department_id"], table["name_zh"]))


def _example_year(plan) -> int:
    """A year of the plan's period to show in examples: its last but one (its first for a
    plan of one year)."""
    return max(plan.info.start, plan.info.end - 1)


def _note(plan, column: str) -> str:
    """What the cover and the header's comment say of ``column``
    (:data:`~plananalysis.observed.columns.STATEMENT_NOTES_ZH`): its limit, and examples from the
    plan (a year of its period; a date in the spring after it ends, when its final review is filed).

    >>> from plananalysis.plan.folder import load_plan
    >>> plan = load_plan()
    >>> _note(plan, "reported_on").startswith(f"填报日期，如 {plan.info.end + 1}-03-15；")
    True
    >>> f"如“{plan.info.end - 1}年新增托位" in _note(plan, "results"), "300" in _note(plan, "results")
    (True, True)
    """
    return STATEMENT_NOTES_ZH[column].format(limit=STATEMENT_LIMITS.get(column, ""), year=_example_year(plan),
                                             date=dt.date(plan.info.end + 1, 3, 15).isoformat())


def department_tasks(plan, department_id: str) -> pd.DataFrame:
    """The tasks ``department_id`` leads, in the plan's order.

    >>> tasks = department_tasks(None, "water")
    >>> tasks["task_id"].tolist(), tasks["title"].iloc[0]
    (['ch12-z19-08'], '提升城乡供水数字化管理应用')
    """
    plan = _plan(plan)
    tasks = plan.tasks
    if tasks.empty:
        return tasks
    return tasks[tasks["department_id"] == department_id].reset_index(drop=True)


# ---------------------------------------------------------------- the sheet and its cover


def cover_lines(plan, department_id: str) -> list[str]:
    """What the cover (说明) of a request says of its sheet 重点任务进展: one line per column,
    from :data:`~plananalysis.observed.columns.STATEMENT_NOTES_ZH`; none for a department that
    leads no task.

    >>> lines = cover_lines(None, "water")
    >>> lines[0], lines[-1][:6]
    ('重点任务进展', '请勿输入公式')
    >>> any(line.startswith("进展情况：") and "500" in line for line in lines)
    True
    """
    plan = _plan(plan)
    tasks = department_tasks(plan, department_id)
    if tasks.empty:
        return []
    return [
        TASK_SHEET,
        f"请在“{TASK_SHEET}”表填报本单位牵头的 {len(tasks)} 项规划任务的进展（配合单位的进展由牵头单位汇总；"
        "只填本单位牵头的任务，其他单位的任务导入时会被退回）。每项任务一行：",
        *(f"{STATEMENT_HEADERS_ZH[c]}：{_note(plan, c)}" for c in STATEMENT_COLUMNS),
        "请勿输入公式，请勿合并单元格，请勿增删行列或改动锁定的列；文字请勿以 = + - @ 开头。",
    ]


def add_task_sheet(book, plan, department_id: str, *, font: str = "Microsoft YaHei", styles=None) -> bool:
    """Add the sheet 重点任务进展 to a request workbook (``openpyxl``): one row per task the
    department leads; ``False`` (no sheet) when it leads none.  ``styles``: the workbook's
    :class:`~plananalysis.observed.cell_styles.CellStyles`, when the caller keeps one.

    >>> from openpyxl import Workbook
    >>> from plananalysis.plan.folder import load_plan
    >>> book, plan = Workbook(), load_plan()
    >>> add_task_sheet(book, plan, "water"), add_task_sheet(book, plan, "stats")   # stats leads no task
    (True, False)
    >>> sheet = book[TASK_SHEET]
    >>> sheet.max_row, [c.value for c in sheet[2]][:3]
    (2, ['ch12-z19-08', '十二(三)', '提升城乡供水数字化管理应用'])
    >>> sheet["C2"].protection.locked, sheet["F2"].protection.locked   # the title locked, the status open
    (True, False)
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    from .requests import _print_setup

    plan = _plan(plan)
    tasks = department_tasks(plan, department_id)
    if tasks.empty:
        return False
    names = _names(plan)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    to_fill, head_fill = PatternFill("solid", fgColor="FFF2CC"), PatternFill("solid", fgColor="BDD7EE")
    plain, bold = Font(name=font), Font(name=font, bold=True)
    top_wrap, centred = Alignment(wrap_text=True, vertical="top"), Alignment(horizontal="center", vertical="center", wrap_text=True)
    locked, unlocked = Protection(locked=True), Protection(locked=False)
    styles = styles if styles is not None else CellStyles()
    sheet = book.create_sheet(TASK_SHEET)
    sheet.append(list(TASK_SHEET_HEADER))
    for column, cell in zip(STATEMENT_COLUMNS, sheet[1]):
        styles.apply(cell, font=bold, fill=head_fill, border=border, alignment=centred)
        cell.comment = Comment(_note(plan, column), "plananalysis")
    for r in tasks.to_dict("records"):
        partners = "、".join(names.get(d, d) for d in str(r.get("co_department_ids", "")).split("|") if d)
        values = {"task_id": r["task_id"], "chapter": r["section"], "task_title": r["title"],
                  "task_text": r["text"], "partners": partners}
        sheet.append([spreadsheet_text(values[c]) if values.get(c) else None for c in STATEMENT_COLUMNS])
        for column, cell in zip(STATEMENT_COLUMNS, sheet[sheet.max_row]):
            is_open = column in STATEMENT_OPEN_COLUMNS
            styles.apply(cell, font=plain, border=border, alignment=top_wrap, protection=unlocked if is_open else locked,
                         fill=to_fill if is_open else None,
                         number_format="yyyy-mm-dd" if column == "reported_on" else None)
    last = sheet.max_row
    letter = {c: column_letter(i) for i, c in enumerate(STATEMENT_COLUMNS)}
    status = DataValidation(type="list", formula1='"' + ",".join(STATEMENT_STATUSES) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="进展状态", error="请从下拉列表中选择进展状态。")
    status.add(f"{letter['status']}2:{letter['status']}{last}")
    sheet.add_data_validation(status)
    for column, limit in STATEMENT_LIMITS.items():
        rule = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(limit), allow_blank=True,
                              showErrorMessage=True, errorTitle=STATEMENT_HEADERS_ZH[column],
                              error=f"至多 {limit} 字。")
        rule.add(f"{letter[column]}2:{letter[column]}{last}")
        sheet.add_data_validation(rule)
    widths = {"task_id": 12, "chapter": 8, "task_title": 22, "task_text": 50, "partners": 16, "status": 10,
              "progress_text": 50, "results": 36, "problems": 30, "evidence": 24, "contact": 16, "reported_on": 12}
    for column, width in widths.items():
        sheet.column_dimensions[letter[column]].width = width
    sheet.freeze_panes = "D2"
    _print_setup(sheet, title_rows="1:1")
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    return True


# ---------------------------------------------------------------- checking statements


def _text(value) -> str:
    return str(value if value is not None else "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _date(text: str) -> dt.date | None:
    """A date as a department writes it (2026-03-15, 2026/3/15, 2026年3月15日, or a date cell).

    >>> _date("2026年3月15日"), _date("2026-03-15 00:00:00"), _date("三月")
    (datetime.date(2026, 3, 15), datetime.date(2026, 3, 15), None)
    """
    match = _DATE.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def check_statement(plan, task_id: str, fields: dict, *, department_id: str | None = None,
                    today: dt.date | None = None) -> tuple[dict, list[tuple[str, str, str]]]:
    """Check one statement: ``(stored fields, problems)``, each problem ``(column, value,
    expected)``.  ``fields``: ``status``, ``progress_text``, ``results``, ``problems``,
    ``evidence``, ``contact``, ``reported_on`` (text or a date; blank: ``today``).
    ``department_id``: the department reporting (only its own lead tasks); ``None`` for the analyst.

    >>> stored, problems = check_statement(None, "ch12-z19-08", {"status": "延后", "progress_text": "【测试数据】"})
    >>> problems  # doctest: +ELLIPSIS
    [('status', '延后', '已完成、基本完成、序时推进、滞后、未启动 之一 (one of the five statuses: ...)')]
    >>> stored, problems = check_statement(None, "ch12-z19-08", {"status": "滞后", "progress_text": "【测试数据】"},
    ...                                    department_id="edu")
    >>> problems[0][2].split('，')[0]
    '省教育厅牵头的任务：该任务的牵头单位是 省水利厅'
    """
    plan = _plan(plan)
    today = today or dt.date.today()
    problems: list[tuple[str, str, str]] = []
    tasks = plan.tasks.set_index("task_id") if len(plan.tasks) else pd.DataFrame()
    names = _names(plan)
    if task_id not in tasks.index:
        problems.append(("task_id", task_id, "规划任务的编号 (tasks.csv)，如 ch03-s01 (a task_id of the plan's tasks.csv)"))
        lead = ""
    else:
        lead = tasks.loc[task_id, "department_id"]
        if department_id is not None and lead != department_id:
            me, owner = names.get(department_id, department_id), names.get(lead, lead) or "（未定）"
            problems.append(("task_id", task_id,
                             f"{me}牵头的任务：该任务的牵头单位是 {owner}，请由其填报；配合单位的进展由牵头单位汇总 "
                             f"(a task {department_id} leads: {task_id} is led by {lead or 'no department'} — "
                             "leave it to them; partners report through the lead)"))
    stored = {c: _text(fields.get(c, "")) for c in _TEXT_COLUMNS}
    status = unicodedata.normalize("NFKC", _text(fields.get("status", "")))
    if status not in STATEMENT_STATUSES:
        problems.append(("status", _text(fields.get("status", "")),
                         "、".join(STATEMENT_STATUSES) + " 之一 (one of the five statuses: completed, basically "
                         "completed, on schedule, behind schedule, not started)"))
    stored["status"] = status
    for column in _TEXT_COLUMNS:   # the statements' shape refuses them: one contract, refused here by name
        if stored[column].startswith(_FORMULA_STARTS):
            problems.append((column, stored[column],
                             "不以 = + - @ 开头的文字：表格软件会把它当作公式；请以文字开头，如“一是……” "
                             "(text not starting with = + - @, which a spreadsheet takes for a formula: begin with "
                             "a word)"))
    if not stored["progress_text"]:
        problems.append(("progress_text", "", "进展情况的文字 (the progress, in words: never left blank)"))
    for column, limit in STATEMENT_LIMITS.items():
        if len(stored[column]) > limit:
            problems.append((column, stored[column],
                             f"至多 {limit} 字，此处 {len(stored[column])} 字 (at most {limit} characters; "
                             f"this one has {len(stored[column])})"))
    if _NUMBER.search(stored["results"]) and not _YEAR.search(stored["results"]):
        problems.append(("results", stored["results"],
                         f"注明年份的数字，如“{_example_year(plan)}年新增托位1.2万个” "
                         f"(figures with their year, e.g. {_example_year(plan)}年…)"))
    raw_date = fields.get("reported_on")
    if isinstance(raw_date, dt.datetime):
        raw_date = raw_date.date()
    when = raw_date if isinstance(raw_date, dt.date) else (_date(_text(raw_date)) if _text(raw_date) else today)
    first = dt.date(plan.info.start, 1, 1)
    if when is None or not first <= when <= today:
        problems.append(("reported_on", _text(raw_date),
                         f"{first.isoformat()} 至 {today.isoformat()} 之间的日期，如 {today.isoformat()}，或留空 "
                         f"(a date from {first.isoformat()} to today, written YYYY-MM-DD, or blank for today)"))
    else:
        stored["reported_on"] = when.isoformat()
    stored.update(task_id=task_id, department_id=department_id if department_id is not None else lead)
    return stored, problems


def statement_rows(path, cells, plan, department_id: str | None, *, today: dt.date | None = None):
    """The filled rows of a returned workbook's sheet 重点任务进展 (``cells.sheets``), checked:
    ``(rows, errors)``.  A row without status and text is not filled in (skipped).  Refused:
    another header, a formula, a merged cell, a task another department leads or the plan does
    not have, a task twice, a changed task title, a status not on the list, text over its
    length, figures without a year, a date that is no date.  ``department_id`` ``None`` (a file
    that is no department's return) may carry no statement: the analyst writes them with
    :func:`record_statement`.

    >>> import datetime as dt
    >>> from plananalysis.observed.spreadsheet import Cells
    >>> from plananalysis.plan.folder import load_plan
    >>> plan = load_plan()
    >>> filled = ["ch12-z19-08", "十二(三)", "提升城乡供水数字化管理应用", "", "", "滞后", "【测试数据】方案待批。",
    ...           "", "", "", "", "2024-03-01"]
    >>> cells = Cells([], sheets={TASK_SHEET: Cells([list(TASK_SHEET_HEADER), filled])})
    >>> rows, errors = statement_rows("water.xlsx", cells, plan, "water", today=dt.date(2025, 1, 1))
    >>> [(r["task_id"], r["status"], r["department_id"], r["reported_on"], r["row"]) for r in rows], errors
    ([('ch12-z19-08', '滞后', 'water', '2024-03-01', 2)], [])
    >>> rows, errors = statement_rows("edu.xlsx", cells, plan, "edu", today=dt.date(2025, 1, 1))
    >>> rows, [(e.row, e.column, e.value) for e in errors]   # a task the water department leads
    ([], [(2, '重点任务进展 任务编号 (A)', 'ch12-z19-08')])
    """
    path = Path(path)
    sheet = getattr(cells, "sheets", {}).get(TASK_SHEET)
    if sheet is None:
        return [], []
    errors: list[PlanDataError] = []
    header = sheet.rows[0] if sheet.rows else []

    def where(column: int) -> str:
        head = header[column].strip() if column < len(header) else ""
        return f"{TASK_SHEET} {head} ({column_letter(column)})" if head else f"{TASK_SHEET} {column_letter(column)}"

    index = {c: i for i, c in enumerate(STATEMENT_COLUMNS)}
    filled = [(row_no, raw) for row_no, raw in enumerate(sheet.rows[1:], start=2)
              if any(_text(raw[index[c]]) for c in STATEMENT_OPEN_COLUMNS if c != "reported_on" and index[c] < len(raw))]
    if department_id is None:
        if not filled:
            return [], []
        return [], [PlanDataError(path, filled[0][0], TASK_SHEET, TASK_SHEET,
                                  "部门回执（封面有单位编号）中的任务进展；分析人员请用 record_statement 填写 "
                                  "(task statements come from a department's returned request, whose cover names it; "
                                  "the analyst writes them with record_statement)")]
    if tuple(h.strip() for h in header[:len(TASK_SHEET_HEADER)]) != TASK_SHEET_HEADER or \
            any(h.strip() for h in header[len(TASK_SHEET_HEADER):]):
        return [], [PlanDataError(path, 1, f"{TASK_SHEET} 表头", "、".join(h for h in header if h.strip()),
                                  f"数据征集表写入的表头 {'、'.join(TASK_SHEET_HEADER)}，不增删、不改动列 "
                                  "(the header the request was written with; no column added, removed or changed)")]
    for row, column, formula in sheet.formulas:
        errors.append(PlanDataError(path, row, where(column), formula,
                                    "直接输入的文字，而非公式；请粘贴为数值 (text typed in, never a formula: paste values)"))
    for top, left, bottom, right, text in sheet.merged:
        ref = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}"
        errors.append(PlanDataError(path, top, where(left), f"{ref}: {text}",
                                    f"每个单元格各自填写：请取消合并单元格 {ref} (one cell each: unmerge {ref})"))
    if errors:
        return [], errors
    tasks = _plan(plan).tasks.set_index("task_id") if len(_plan(plan).tasks) else pd.DataFrame()
    rows, seen = [], {}
    for row_no, raw in filled:   # a task listed but not reported on is skipped
        def cell(column):
            i = index[column]
            return raw[i] if i < len(raw) else ""

        task_id = _text(cell("task_id"))
        if task_id in seen:
            errors.append(PlanDataError(path, row_no, where(index["task_id"]), task_id,
                                        f"每项任务一行：已见于第{seen[task_id]}行 (one row per task: see row {seen[task_id]})"))
            continue
        seen[task_id] = row_no
        stored, problems = check_statement(plan, task_id, {c: cell(c) for c in STATEMENT_OPEN_COLUMNS},
                                           department_id=department_id, today=today)
        refused = any(column == "task_id" for column, _, _ in problems)   # one error for a wrong task
        if not refused and task_id in tasks.index and _text(cell("task_title")) != tasks.loc[task_id, "title"]:
            problems.append(("task_title", _text(cell("task_title")),
                             f"任务 {task_id} 的名称“{tasks.loc[task_id, 'title']}”，未改动 "
                             f"(the title of {task_id} as written, unchanged)"))
        for column, value, expected in problems:
            errors.append(PlanDataError(path, row_no, where(index[column]), value, expected))
        if not problems:
            rows.append({**stored, "row": row_no})
    return rows, errors


# ---------------------------------------------------------------- the stored file


def _path(plan, folder=None) -> Path:
    """The stored file: in ``folder`` (an observed folder) or the plan's (``observed/``)."""
    return Path(folder) / STATEMENTS_FILE.name if folder is not None else Path(_plan(plan).folder) / STATEMENTS_FILE


def all_statements(plan=None, folder=None) -> pd.DataFrame:
    """Every stored statement, history included, with all of its provenance
    (:data:`STORED_COLUMNS`), checked by the shape's reader; an empty table when none.

    >>> all_statements().columns.tolist()[-3:]
    ['contact', 'source_file', 'recorded_at']
    """
    plan = _plan(plan)
    path = _path(plan, folder)
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=str) for c in STORED_COLUMNS})
    read_statements(path, task_ids=plan.tasks["task_id"] if len(plan.tasks) else None,
                    department_ids=plan.departments["department_id"] if not plan.departments.empty else None)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return frame.reindex(columns=STORED_COLUMNS, fill_value="")


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STORED_COLUMNS)
    for record in frame.reindex(columns=STORED_COLUMNS, fill_value="").to_dict("records"):
        writer.writerow([_text(record[c]) if c in _TEXT_COLUMNS else str(record[c]) for c in STORED_COLUMNS])
    return out.getvalue().encode("utf-8")


def _write(plan, frame: pd.DataFrame, now: dt.datetime, folder=None) -> Path | None:
    """Back up the file, then write it atomically (the numbers' way)."""
    from .importer import _write_user

    path = _path(plan, folder)
    path.parent.mkdir(exist_ok=True)
    return _write_user(path, _csv_bytes(frame), now)


@dataclass
class StatementSummary:
    """What an import did to the task statements: rows ``added``, ``replaced`` (same task,
    department and date), ``unchanged`` (the same statement again) and ``not_current`` (stored,
    but an analyst's or a later one is what the review shows).

    >>> summary = StatementSummary(added=[{"task_id": "ch12-z19-08"}])
    >>> len(summary.added), len(summary.replaced), summary.written, summary.backup
    (1, 0, False, None)
    """

    added: list = field(default_factory=list)
    replaced: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    not_current: list = field(default_factory=list)
    backup: Path | None = None
    written: bool = False
    target: Path | None = None

    def format(self) -> str:
        """Two lines for ``plananalysis data import``.

        >>> print(StatementSummary(added=[{"task_id": "ch03-s01"}]).format())
        任务进展 (task statements): 新增 added 1, 替换 replaced 0, 未变 unchanged 0, 未采用 not current 0
          + ch03-s01
        """
        lines = [f"任务进展 (task statements): 新增 added {len(self.added)}, 替换 replaced {len(self.replaced)}, "
                 f"未变 unchanged {len(self.unchanged)}, 未采用 not current {len(self.not_current)}"]
        for mark, rows in (("+", self.added), ("~", self.replaced), ("=", self.unchanged)):
            lines += [f"  {mark} {r['task_id']}" for r in rows]
        lines += [f"  ! {r['task_id']}: 已有分析人员或日期更新的进展，本条仅存档 (an analyst's or a later statement is "
                  "shown; this one is kept in the history)" for r in self.not_current]
        if self.backup:
            lines.append(f"备份 (backup of the previous statements): {self.backup}")
        return "\n".join(lines)


def _same(a: dict, b: dict) -> bool:
    return all(_text(a.get(c, "")) == _text(b.get(c, "")) for c in COLUMNS + ["contact"] if c != "file_hash")


def merge_statements(plan, incoming: list[dict], *, dry_run: bool = False, now: dt.datetime | None = None,
                     folder=None) -> tuple[StatementSummary, bytes | None]:
    """Merge checked department statements (:func:`statement_rows`, each with ``source_file`` and
    ``file_hash``) into the stored file: ``(summary, the file's previous bytes or None)``.  Call
    it under the import lock (:func:`~plananalysis.observed.importer.import_lock`); ``folder``: the
    observed folder (default: the plan's).

    >>> import datetime as dt, tempfile
    >>> from plananalysis.observed.importer import import_lock
    >>> from plananalysis.plan.folder import load_plan
    >>> plan = load_plan()
    >>> stored, _ = check_statement(plan, "ch12-z19-08", {"status": "滞后", "progress_text": "【测试数据】方案待批。",
    ...                                                   "reported_on": "2024-03-01"}, department_id="water")
    >>> new = {**stored, "source_file": "water.xlsx", "file_hash": ""}
    >>> tmp = tempfile.TemporaryDirectory()          # an observed folder
    >>> with import_lock(tmp.name):
    ...     summary, previous = merge_statements(plan, [new], folder=tmp.name, now=dt.datetime(2025, 1, 2))
    >>> len(summary.added), summary.written, previous
    (1, True, None)
    >>> summary, _ = merge_statements(plan, [new], folder=tmp.name)   # the same return again
    >>> len(summary.unchanged), summary.written
    (1, False)
    >>> corrected = {**new, "status": "序时推进"}     # same task, department and date: replaced
    >>> summary, previous = merge_statements(plan, [corrected], folder=tmp.name, now=dt.datetime(2025, 1, 3))
    >>> len(summary.replaced), previous.startswith(b"task_id,status,"), all_statements(plan, tmp.name)["status"].tolist()
    (1, True, ['序时推进'])
    >>> tmp.cleanup()
    """
    plan = _plan(plan)
    now = now or dt.datetime.now()
    table = all_statements(plan, folder)
    summary = StatementSummary()
    if not incoming:
        return summary, None
    rows = table.to_dict("records")
    for new in incoming:
        new = {**new, "source": "department", "recorded_at": now.isoformat(timespec="microseconds")}
        match = next((i for i, r in enumerate(rows) if r["task_id"] == new["task_id"] and r["source"] == "department"
                      and r["department_id"] == new["department_id"] and r["reported_on"] == new["reported_on"]), None)
        if match is None:
            summary.added.append(new)
            rows.append(new)
        elif _same(rows[match], new):
            summary.unchanged.append(new)
        else:
            summary.replaced.append(new)
            del rows[match]
            rows.append(new)
    frame = pd.DataFrame(rows).reindex(columns=STORED_COLUMNS, fill_value="")
    current = current_statements(frame[COLUMNS].assign(_i=range(len(frame))))
    shown = set(current["_i"])
    positions = {id(r): i for i, r in enumerate(rows)}
    summary.not_current = [r for r in summary.added + summary.replaced if positions[id(r)] not in shown]
    if dry_run or not (summary.added or summary.replaced):
        return summary, None
    path = _path(plan, folder)
    previous = path.read_bytes() if path.is_file() else None
    summary.backup = _write(plan, frame, now, folder)
    summary.written, summary.target = True, path
    return summary, previous


def restore_statements(plan, previous: bytes | None, folder=None) -> None:
    """Put the file back as it was before :func:`merge_statements` wrote it (an import whose
    numbers then could not be written: all or nothing)."""
    from ..files import write_atomically

    path = _path(plan, folder)
    if previous is None:
        path.unlink(missing_ok=True)
    else:
        write_atomically(path, previous)


# ---------------------------------------------------------------- the analyst's own


def record_statement(plan, task_id: str, status: str, progress_text: str, *, results: str = "",
                     problems: str = "", evidence: str = "", contact: str = "", reported_on=None,
                     now: dt.datetime | None = None) -> pd.Series:
    """Write (or override) the statement on one task as the analyst (``source='analyst'``), with the
    checks of a department's; return the stored row.  An analyst's statement is what the review
    shows for the task until :func:`undo_statement` takes it back.  Bad input raises one
    :class:`~plananalysis.errors.PlanDataErrors` naming each field, and writes nothing.

    >>> import shutil, tempfile
    >>> from plananalysis.plan.folder import load_plan
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = shutil.copytree(load_plan().folder, Path(tmp.name) / load_plan().folder.name,
    ...                          ignore=shutil.ignore_patterns("user.csv", "backups", "task-statements.csv"))
    >>> plan = load_plan(folder)
    >>> row = record_statement(plan, "ch12-z19-08", "序时推进", "【测试数据】已完成方案编制。")
    >>> row["source"], row["department_id"], len(all_statements(plan))
    ('analyst', 'water', 1)
    >>> undo_statement(plan, "ch12-z19-08")["status"], len(all_statements(plan))
    ('序时推进', 0)
    >>> tmp.cleanup()
    """
    from .importer import import_lock

    plan = _plan(plan)
    now = now or dt.datetime.now()
    fields = {"status": status, "progress_text": progress_text, "results": results, "problems": problems,
              "evidence": evidence, "contact": contact, "reported_on": reported_on}
    stored, found = check_statement(plan, task_id, fields, today=now.date())
    if found:
        raise PlanDataErrors([PlanDataError("record_statement", None, c, v, e) for c, v, e in found])
    row = {**stored, "source": "analyst", "file_hash": "", "source_file": "",
           "recorded_at": now.isoformat(timespec="microseconds")}
    _path(plan).parent.mkdir(exist_ok=True)
    with import_lock(_path(plan).parent):
        table = all_statements(plan)
        frame = pd.concat([table, pd.DataFrame([row])], ignore_index=True).reindex(columns=STORED_COLUMNS,
                                                                                     fill_value="")
        _write(plan, frame, now)
    return pd.Series(row).reindex(STORED_COLUMNS, fill_value="")


def undo_statement(plan, task_id: str, *, now: dt.datetime | None = None) -> pd.Series:
    """Take back the analyst's last statement on ``task_id`` (the one :func:`record_statement`
    wrote last); return it.  The statement before it (a department's, or an earlier analyst's)
    is shown again.  No analyst statement on the task is a :class:`PlanDataError`.

    >>> import shutil, tempfile
    >>> from plananalysis.plan.folder import load_plan
    >>> from plananalysis.observed.statements import current_statements, load_statements
    >>> tmp = tempfile.TemporaryDirectory()
    >>> plan = load_plan(shutil.copytree(load_plan().folder, Path(tmp.name) / load_plan().folder.name,
    ...                  ignore=shutil.ignore_patterns("user.csv", "backups", "task-statements.csv")))
    >>> _ = record_statement(plan, "ch12-z19-08", "序时推进", "【测试数据】已完成方案编制。", reported_on="2024-03-01")
    >>> _ = record_statement(plan, "ch12-z19-08", "滞后", "【测试数据】方案待批。", reported_on="2024-06-01")
    >>> undo_statement(plan, "ch12-z19-08")[["status", "reported_on"]].tolist()
    ['滞后', '2024-06-01']
    >>> current_statements(load_statements(plan))[["status", "reported_on"]].values.tolist()   # the one before
    [['序时推进', '2024-03-01']]
    >>> undo_statement(plan, "ch03-s01")
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ... 列 task_id: 值 'ch03-s01' 不符合要求，应为 一项有分析人员进展的任务 ...
    >>> tmp.cleanup()
    """
    from .importer import import_lock

    plan = _plan(plan)
    now = now or dt.datetime.now()
    with import_lock(_path(plan).parent):
        table = all_statements(plan)
        mine = table[(table["task_id"] == task_id) & (table["source"] == "analyst")]
        if mine.empty:
            raise PlanDataError(_path(plan), None, "task_id", task_id,
                                "一项有分析人员进展的任务 (a task with a statement the analyst recorded)")
        last = mine.index[-1]
        _write(plan, table.drop(index=last), now)
    return table.loc[last]
