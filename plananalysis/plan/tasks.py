"""The plan's tasks as data: every numbered section of the chapters and every numbered 专栏 item.

Most of a plan is tasks, not numbers.  ``tasks.csv`` (optional, in the plan folder) lists them,
one row per task, each with its verbatim text from ``source.txt``; ``tasks_excluded.csv`` lists
what is not a task (a chapter of background, a chapter's opening paragraph) with the reason.  Who
answers for a task (责任单位) is in ``responsibilities.csv``, the way it is for indicators and
targets (``subject_id`` = the ``task_id``).

- :func:`plan_parts` reads the structure of a plan's text: chapters (``三、…``), their numbered
  sections (``(一)…``), 专栏 boxes (``专栏1…``) and the numbered items inside them (``1.…``);
- :func:`read_tasks` and :func:`read_excluded_tasks` read and check the two files as untrusted
  input (one clear error naming file, row, column, value and what was expected);
- :func:`account_for_tasks` says which parts of the text neither file accounts for — the
  completeness test;
- :func:`folder_tasks` reads the folder's checked tasks with their departments, or an empty table
  when the folder has no ``tasks.csv``; :func:`with_tasks` sets them as ``plan.tasks`` (called by
  :func:`~plananalysis.plan.folder.load_plan`).

>>> from plananalysis.plan.folder import load_plan
>>> plan = load_plan()
>>> task = plan.tasks.set_index("task_id").loc["ch09-z13-02"]
>>> task["kind"], task["section"], int(task["box"]), task["title"]
('action', '九(二)', 13, '机构布局优化行动')
>>> task["target_ids"], task["department_id"]
('ch09-t07|ch09-t08|ch09-t15', 'civil-affairs')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError
from .grammar import chinese_number

__all__ = ["TASK_COLUMNS", "EXCLUDED_TASK_COLUMNS", "TASK_KINDS", "TASK_ID", "Part", "TaskAccounting",
           "plan_parts", "task_id_of", "read_tasks", "read_excluded_tasks", "account_for_tasks",
           "folder_tasks", "with_tasks"]

TASK_COLUMNS = ["task_id", "kind", "chapter", "section", "box", "item", "title", "text", "target_ids", "note"]
EXCLUDED_TASK_COLUMNS = ["line", "chapter", "section", "box", "text", "reason"]

#: what a task is; a numbered section is a ``task``, a 专栏 item an ``action`` or a ``major_project``
TASK_KINDS = {
    "task": ("主要任务", "task", "a numbered section of a chapter (主要任务)"),
    "action": ("行动", "action", "a 专栏 item that is an action, reform, plan or policy (行动/改革/计划)"),
    "major_project": ("重大工程项目", "major project",
                      "a 专栏 item that is a project, works or platform (重大工程/重大平台/重点项目)"),
}
#: ``ch03-s01`` (chapter 3, section (一)) or ``ch03-z01-02`` (chapter 3, 专栏1, item 2)
TASK_ID = re.compile(r"^ch(\d{2})-(?:s(\d{2})|z(\d{2})-(\d{2}))$")

_NUMERAL = "[一二三四五六七八九十]+"
_CHAPTER = re.compile(rf"^({_NUMERAL})、(.+)$")
_SECTION = re.compile(rf"^\(({_NUMERAL})\)(.+)$")
_BOX = re.compile(r"^专栏(\d+)\s*(.*)$")
_END = re.compile(r"^附件[:：]")          # the attachment line after a published text: the end
_SECTION_CELL = re.compile(rf"^({_NUMERAL})\(({_NUMERAL})\)$")
_FORMULA = re.compile(r"^[=+\-@]")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Part:
    """One part of a plan's text: a chapter, a section, a 专栏 box, a box item or a loose line.

    ``line``: where it starts (1 = the first line of ``source.txt``); ``start``/``end``: the
    offsets of ``text`` in the whole text; a section's ``text`` is its body (the lines after its
    heading up to the next heading or box), an item's its words after ``1.``; a ``line`` part is
    text inside a chapter that belongs to no section or item (a chapter's or a box's opening).

    >>> parts = plan_parts("三、人才\\n开篇。\\n(一)教育\\n办好教育。\\n专栏1 行动\\n1.甲。2.乙。")
    >>> [(p.kind, p.section, p.box, p.item, p.title) for p in parts]  # doctest: +NORMALIZE_WHITESPACE
    [('chapter', '三', None, None, '人才'), ('line', '三', None, None, ''),
     ('section', '三(一)', None, None, '教育'), ('box', '三(一)', 1, None, '行动'),
     ('item', '三(一)', 1, 1, '甲'), ('item', '三(一)', 1, 2, '乙')]
    >>> [p.text for p in parts][-2:], [p.key for p in parts][-2:]
    (['甲。', '乙。'], ['ch03-z01-01', 'ch03-z01-02'])
    """

    kind: str
    chapter: int
    section: str
    box: int | None
    item: int | None
    line: int
    title: str
    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        """The ``task_id`` a task for this part has ('' for a chapter, a box or a loose line)."""
        if self.kind == "section":
            return task_id_of(self.chapter, section_number=chinese_number(self.section.split("(")[1][:-1]))
        if self.kind == "item":
            return task_id_of(self.chapter, box=self.box, item=self.item)
        return ""


def task_id_of(chapter: int, section_number: int | None = None, box: int | None = None,
               item: int | None = None) -> str:
    """The id of a section's task or of a 专栏 item's.

    >>> task_id_of(3, section_number=1), task_id_of(9, box=13, item=2)
    ('ch03-s01', 'ch09-z13-02')
    """
    if section_number is not None:
        return f"ch{chapter:02d}-s{section_number:02d}"
    return f"ch{chapter:02d}-z{box:02d}-{item:02d}"


def _numeral(n: int) -> str:
    from .folder import chinese_numeral

    return chinese_numeral(n)


def plan_parts(text: str) -> list[Part]:
    """The chapters, sections, boxes, box items and loose lines of a plan's text, in order.

    A chapter starts at ``三、…``, a section at ``(一)…``, a box at ``专栏N…``; a box runs until the
    next section or chapter heading, and its items are numbered ``1.`` ``2.`` … in order, one to a
    line or several on one line (after a 。).  A line in a box that does not start the next item
    continues the item before it, or opens the box (a loose line) when no item has started.  The
    text ends at an ``附件:`` line (the attachments of the published notice).

    >>> [(p.kind, p.key) for p in plan_parts("十二、数字\\n(一)应用\\n专栏19 项目\\n1.甲。2.乙。\\n附件:1.x")]
    [('chapter', ''), ('section', 'ch12-s01'), ('box', ''), ('item', 'ch12-z19-01'), ('item', 'ch12-z19-02')]
    """
    parts: list[Part] = []
    chapter = None
    section = ""
    box = None
    next_item = 1
    body: list[tuple[int, int, int]] = []      # (line, start, end) of the current section's body
    heading = None                             # the open section: (line, title, number)
    item_open = False

    def close_section():
        nonlocal heading, body
        if heading is not None:
            line, title, start = heading
            if body:
                a, b = body[0][1], body[-1][2]
                parts.append(Part("section", chapter, section, None, None, line, title, text[a:b], a, b))
            else:
                parts.append(Part("section", chapter, section, None, None, line, title, title, start, start + len(title)))
        heading, body = None, []

    offset = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        begin, offset = offset, offset + len(raw) + 1
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        if _END.match(stripped):
            break
        if not stripped:
            continue
        if m := _CHAPTER.match(stripped):
            close_section()
            chapter, section, box, item_open = chinese_number(m.group(1)), m.group(1), None, False
            parts.append(Part("chapter", chapter, section, None, None, number, m.group(2).strip(), stripped,
                              begin + lead, begin + lead + len(stripped)))
            continue
        if chapter is None:
            continue
        if m := _SECTION.match(stripped):
            close_section()
            section, box, item_open = f"{_numeral(chapter)}({m.group(1)})", None, False
            title = m.group(2).strip()
            heading = (number, title, begin + raw.index(title))
            continue
        if m := _BOX.match(stripped):
            close_section()
            box, next_item, item_open = int(m.group(1)), 1, False
            parts.append(Part("box", chapter, section, box, None, number, m.group(2).strip(), stripped,
                              begin + lead, begin + lead + len(stripped)))
            continue
        if box is None:
            if heading is not None:
                body.append((number, begin + lead, begin + len(raw.rstrip())))
            else:
                parts.append(Part("line", chapter, section, None, None, number, "", stripped,
                                  begin + lead, begin + lead + len(stripped)))
            continue
        # inside a box: split the line at the next item numbers
        starts = []
        for m in re.finditer(r"(?:^|(?<=。))\s*(\d+)\.\s*", raw):
            if int(m.group(1)) == next_item + len(starts):
                starts.append((m.start(), m.end(), int(m.group(1))))
        if not starts:
            if item_open:   # a continuation line of the item before
                last = parts[-1]
                end = begin + len(raw.rstrip())
                parts[-1] = Part("item", last.chapter, last.section, last.box, last.item, last.line, last.title,
                                 text[last.start:end], last.start, end)
            else:
                parts.append(Part("line", chapter, section, box, None, number, "", stripped,
                                  begin + lead, begin + lead + len(stripped)))
            continue
        if starts[0][0] > 0 and raw[:starts[0][0]].strip():
            parts.append(Part("line", chapter, section, box, None, number, "", raw[:starts[0][0]].strip(),
                              begin + lead, begin + starts[0][0]))
        for k, (_, words_start, n) in enumerate(starts):
            words_end = starts[k + 1][0] if k + 1 < len(starts) else len(raw.rstrip())
            words = raw[words_start:words_end].rstrip()
            title = words.split("。")[0].strip()
            parts.append(Part("item", chapter, section, box, n, number, title, words,
                              begin + words_start, begin + words_start + len(words)))
        next_item += len(starts)
        item_open = True
    close_section()
    return parts


# --- accounting ----------------------------------------------------------------------------------

@dataclass
class TaskAccounting:
    """How the parts of the text are accounted for by ``tasks.csv`` and ``tasks_excluded.csv``.

    ``missing``: sections, items and loose lines in neither file; ``both``: in both; ``unknown``:
    task ids that name no part of the text; ``differ``: tasks whose text is not their part's text;
    ``stale``: exclusion lines whose text is not the text's line.

    >>> TaskAccounting().is_complete, TaskAccounting(missing=["ch03-s01"]).is_complete
    (True, False)
    """

    tasks: dict = field(default_factory=dict)       # part key -> task_id
    excluded: dict = field(default_factory=dict)    # line -> reason
    missing: list = field(default_factory=list)
    both: list = field(default_factory=list)
    unknown: list = field(default_factory=list)
    differ: list = field(default_factory=list)
    stale: list = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not (self.missing or self.both or self.unknown or self.differ or self.stale)


def account_for_tasks(text: str, tasks: pd.DataFrame, excluded: pd.DataFrame) -> TaskAccounting:
    """Match every section, box item and loose line of ``text`` to a task or an exclusion.

    An exclusion names a line: a chapter heading excludes the whole chapter, a section heading the
    section (and its boxes), an item's line the item(s) on it, any other line that line.

    >>> text = "三、人才\\n开篇。\\n(一)教育\\n办好教育。\\n专栏1 行动\\n1.甲。2.乙。"
    >>> tasks = pd.DataFrame({"task_id": ["ch03-s01", "ch03-z01-01"], "text": ["办好教育。", "甲。"]})
    >>> excluded = pd.DataFrame({"line": [2], "text": ["开篇。"], "reason": ["the chapter's opening"]})
    >>> result = account_for_tasks(text, tasks, excluded)
    >>> [p.key for p in result.missing], result.is_complete
    (['ch03-z01-02'], False)
    """
    lines = text.split("\n")
    reasons = {}
    result = TaskAccounting()
    for row in excluded.to_dict("records"):
        line = int(row["line"])
        if not 1 <= line <= len(lines) or lines[line - 1].strip() != str(row["text"]).strip():
            result.stale.append(line)
        reasons[line] = row["reason"]
    by_id = dict(zip(tasks["task_id"], tasks["text"]))
    parts = plan_parts(text)
    keys = set()
    excluded_chapters = {p.chapter for p in parts if p.kind == "chapter" and p.line in reasons}
    excluded_sections = {(p.chapter, p.section) for p in parts if p.kind == "section" and p.line in reasons}
    for part in parts:
        if part.kind in ("chapter", "box"):
            continue
        key = part.key
        keys.add(key)
        is_excluded = (part.chapter in excluded_chapters or (part.chapter, part.section) in excluded_sections
                       or part.line in reasons)
        is_task = bool(key) and key in by_id
        if is_task:
            result.tasks[key] = key
            if str(by_id[key]) != part.text:
                result.differ.append(key)
        if is_excluded:
            result.excluded[part.line] = reasons.get(part.line, "")
        if is_task and is_excluded:
            result.both.append(part)
        elif not is_task and not is_excluded:
            result.missing.append(part)
    result.unknown = [tid for tid in by_id if tid not in keys]
    return result


# --- reading and checking the two files ------------------------------------------------------------

def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    from .catalogue import _read_csv as read

    return read(path, columns)


def _int(text) -> int | None:
    text = str(text).strip()
    return int(text) if re.fullmatch(r"\d{1,4}", text) else None


def _check_text(bad, column, value, *, multiline=False):
    if not str(value).strip():
        bad(column, "非空值 (a value; never left blank)")
    if _FORMULA.match(str(value)):
        bad(column, "不以 = + - @ 开头的文字 (text, never a formula)")
    if _CONTROL.search(str(value).replace("\r\n", "\n")) or (not multiline and "\n" in str(value)):
        bad(column, "不含控制字符的一行文字 (one line of text without control characters)")


def read_tasks(path: str | Path, *, source_text: str | None = None, target_ids=None, boxes=None) -> pd.DataFrame:
    """Read ``tasks.csv`` and check every cell; return it typed (``chapter``, ``box``, ``item`` as integers).

    With ``source_text``: each task's text and title are found in it, and each listed target's
    quote lies inside the task's text; ``target_ids`` (a mapping id → quote, or a collection of
    ids): the targets the plan has; ``boxes``: the plan's 专栏 as (number, chapter) pairs.
    Raises :class:`~plananalysis.errors.PlanDataError` on the first bad cell.

    >>> from plananalysis.plan.folder import load_plan
    >>> frame = read_tasks(load_plan().folder / "tasks.csv")
    >>> frame.loc[0, ["task_id", "kind", "section", "title"]].tolist()
    ['ch03-s01', 'task', '三(一)', '推动人口结构优化']
    """
    path = Path(path)
    frame = _read_csv(path, TASK_COLUMNS)
    quotes = target_ids if isinstance(target_ids, dict) else None
    known_targets = None if target_ids is None else set(target_ids)
    box_chapter = None if boxes is None else {int(b): int(c) for b, c in boxes}
    seen: set = set()
    out = {column: [] for column in TASK_COLUMNS}
    for pos, row in frame.iterrows():
        sheet_row = int(pos) + 2

        def bad(column, expected, value=None):
            raise PlanDataError(path, sheet_row, column, row[column] if value is None else value, expected)

        task_id = row["task_id"]
        m = TASK_ID.match(task_id)
        if not m:
            bad("task_id", "形如 ch03-s01（第三章第(一)节）或 ch03-z01-02（专栏1第2项）的编号 "
                           "(an id like ch03-s01 for a section or ch03-z01-02 for a box item)")
        if task_id in seen:
            bad("task_id", "文件中唯一的编号 (an id unique in the file)")
        seen.add(task_id)
        kind = row["kind"]
        if kind not in TASK_KINDS:
            bad("kind", " / ".join(TASK_KINDS) + " 之一 (one of the task kinds)")
        is_section = m.group(2) is not None
        if (kind == "task") != is_section:
            bad("kind", "task（一节）(task for a section)" if is_section
                else "action 或 major_project（专栏中的一项）(action or major_project for a box item)")
        chapter = _int(row["chapter"])
        if chapter is None or not 1 <= chapter <= 99:
            bad("chapter", "1–99 的整数 (a chapter number)")
        if int(m.group(1)) != chapter:
            bad("task_id", f"以 ch{chapter:02d}- 开头 (starting with the row's chapter)")
        s = _SECTION_CELL.match(row["section"])
        if not s or s.group(1) != _numeral(chapter):
            bad("section", f"{_numeral(chapter)}(一) 这样的节 (a section of chapter {chapter})")
        if is_section and chinese_number(s.group(2)) != int(m.group(2)):
            bad("section", f"第({_numeral(int(m.group(2)))})节，与编号一致 (the section its id names)")
        box, item = _int(row["box"]), _int(row["item"])
        if is_section:
            for column in ("box", "item"):
                if row[column].strip():
                    bad(column, "空：一节不属于专栏 (blank: a section is in no box)")
        else:
            if box != int(m.group(3)):
                bad("box", f"{int(m.group(3))}（编号中的专栏）(the box its id names)")
            if item != int(m.group(4)):
                bad("item", f"{int(m.group(4))}（编号中的项）(the item its id names)")
            if box_chapter is not None and box_chapter.get(box) != chapter:
                bad("box", f"第{_numeral(chapter)}章的专栏编号 (a box of chapter {chapter} in chapters.csv)")
        _check_text(bad, "title", row["title"])
        _check_text(bad, "text", row["text"], multiline=True)
        if row["note"].strip():
            _check_text(bad, "note", row["note"])
        if source_text is not None:
            if row["text"] not in source_text:
                bad("text", "规划文本中的原文 (verbatim text of source.txt)", row["text"][:40])
            if row["title"] not in source_text:
                bad("title", "规划文本中的原文 (verbatim text of source.txt)")
        ids = [t for t in row["target_ids"].split("|") if t] if row["target_ids"].strip() else []
        if len(ids) != len(set(ids)):
            bad("target_ids", "不重复的目标编号 (target ids listed once)")
        for target in ids:
            if known_targets is not None and target not in known_targets:
                bad("target_ids", "targets.csv 中的目标编号，以 | 分隔 (target ids of targets.csv, separated by |)", target)
            if quotes is not None and source_text is not None and quotes[target] not in row["text"]:
                bad("target_ids", f"引文在本任务原文中的目标 (a target whose quote lies in this task's text; "
                                  f"{target}: {quotes[target]!r})", target)
        typed = dict(row)
        typed.update(chapter=chapter, box=box, item=item)
        for column in TASK_COLUMNS:
            out[column].append(typed[column])
    result = pd.DataFrame(out, columns=TASK_COLUMNS)
    for column in ("chapter", "box", "item"):
        result[column] = pd.array(out[column], dtype="Int64")
    return result


def read_excluded_tasks(path: str | Path, source_text: str | None = None) -> pd.DataFrame:
    """Read ``tasks_excluded.csv``: one line of the text per row (a heading excludes its chapter or
    section), with the reason it is not a task; with ``source_text`` each row's text is its line.

    >>> from plananalysis.plan.folder import load_plan
    >>> plan = load_plan()
    >>> excluded = read_excluded_tasks(plan.folder / "tasks_excluded.csv", plan.source_text)
    >>> int(excluded.loc[0, "line"]), excluded.loc[0, "text"]
    (22, '一、规划背景')
    """
    path = Path(path)
    frame = _read_csv(path, EXCLUDED_TASK_COLUMNS)
    lines = None if source_text is None else source_text.split("\n")
    for pos, row in frame.iterrows():
        sheet_row = int(pos) + 2

        def bad(column, expected, value=None):
            raise PlanDataError(path, sheet_row, column, row[column] if value is None else value, expected)

        line = _int(row["line"])
        if line is None or (lines is not None and not 1 <= line <= len(lines)):
            bad("line", "source.txt 的行号 (a line number of source.txt)")
        if _int(row["chapter"]) is None:
            bad("chapter", "章号 (a chapter number)")
        if row["box"].strip() and _int(row["box"]) is None:
            bad("box", "专栏编号，或留空 (a box number, or blank)")
        _check_text(bad, "text", row["text"])
        _check_text(bad, "reason", row["reason"])
        if len(row["reason"].strip()) < 8:
            bad("reason", "说明为何不是任务的理由 (a reason, in words)")
        if lines is not None and lines[line - 1].strip() != row["text"].strip():
            bad("text", f"第{line}行的原文 (the text of line {line}: {lines[line - 1].strip()[:30]!r})")
    frame["line"] = frame["line"].astype(int)
    frame["chapter"] = frame["chapter"].astype(int)
    return frame


def folder_tasks(folder: Path, *, source_text: str, targets: pd.DataFrame, boxes: pd.DataFrame,
                 departments: pd.DataFrame, responsibilities: pd.DataFrame) -> pd.DataFrame:
    """The folder's checked ``tasks.csv`` with each task's departments (``department_id``,
    ``co_department_ids`` from ``responsibilities.csv``), or an empty table without the file.

    Checked: the file (:func:`read_tasks`, against the text, the targets and the boxes when the
    folder has them), ``tasks_excluded.csv`` when present, and each task's responsibility row:
    when the folder has a ``responsibilities.csv``, every task has exactly one row, and its
    departments are in ``departments.csv``.

    >>> from plananalysis.plan.folder import load_plan
    >>> plan = load_plan()
    >>> tasks = folder_tasks(plan.folder, source_text=plan.source_text, targets=plan.targets,
    ...                      boxes=plan.boxes, departments=plan.departments,
    ...                      responsibilities=plan.responsibilities)
    >>> len(tasks), tasks.loc[0, "department_id"]
    (167, 'health')
    """
    path = Path(folder) / "tasks.csv"
    columns = TASK_COLUMNS + ["department_id", "co_department_ids"]
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    quotes = (dict(zip(targets["target_id"], targets["quote"]))
              if len(targets) and "quote" in targets.columns else {})
    box_pairs = (list(zip(boxes["number"], boxes["chapter"])) if len(boxes) else None)
    tasks = read_tasks(path, source_text=source_text or None, target_ids=quotes, boxes=box_pairs)
    if (Path(folder) / "tasks_excluded.csv").is_file():
        read_excluded_tasks(Path(folder) / "tasks_excluded.csv", source_text or None)
    tasks["department_id"] = ""
    tasks["co_department_ids"] = ""
    if responsibilities.empty:
        return tasks
    where = Path(folder) / "responsibilities.csv"
    known = set(departments["department_id"]) if "department_id" in departments.columns else None
    rows = {}
    for pos, row in responsibilities.iterrows():
        subject = row.get("subject_id", "")
        if subject not in set(tasks["task_id"]):
            continue
        if subject in rows:
            raise PlanDataError(where, int(pos) + 2, "subject_id", subject, "每项任务一行 (one row per task)")
        for column in ("department_id", "co_department_ids"):
            for department in [d for d in str(row.get(column, "")).split("|") if d]:
                if known is not None and department not in known:
                    raise PlanDataError(where, int(pos) + 2, column, department,
                                        "departments.csv 中的单位编号 (a department_id of departments.csv)")
        if not str(row.get("department_id", "")).strip():
            raise PlanDataError(where, int(pos) + 2, "department_id", "", "牵头单位 (the lead department)")
        rows[subject] = row
    missing = [t for t in tasks["task_id"] if t not in rows]
    if missing:
        raise PlanDataError(where, None, "subject_id", missing[0],
                            f"任务 {missing[0]} 的责任单位行 (a row naming the departments of task {missing[0]})")
    tasks["department_id"] = [rows[t]["department_id"] for t in tasks["task_id"]]
    tasks["co_department_ids"] = [rows[t].get("co_department_ids", "") for t in tasks["task_id"]]
    return tasks


def with_tasks(plan):
    """Set ``plan.tasks`` from the plan's folder (:func:`folder_tasks`) and return the plan.

    >>> from plananalysis.plan.folder import load_plan
    >>> plan = load_plan()
    >>> with_tasks(plan) is plan, plan.tasks["task_id"].is_unique
    (True, True)
    """
    for name in ("tasks.csv", "tasks_excluded.csv"):
        if (Path(plan.folder) / name).is_file() and name not in (plan.sources or {}).get("files", {}):
            raise PlanDataError(Path(plan.folder) / "sources.yml", None, "files", name,
                                f"{name} 的来源条目 (an entry saying where {name} comes from)")
    plan.tasks = folder_tasks(plan.folder, source_text=plan.source_text, targets=plan.targets,
                              boxes=plan.boxes, departments=plan.departments,
                              responsibilities=plan.responsibilities)
    return plan
