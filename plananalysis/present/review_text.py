"""The review's own words: the commission's paragraphs, or a draft written from the data.

A review's text sections — 总体评价 (``overall``), each chapter's 主要任务进展 summary
(``chapter-03`` …), 存在的主要问题 (``problems``) and 下一步工作建议 (``next-steps``) — are the
commission's to write.  A plan folder may hold them as Markdown, one file per section and review
year (:data:`TEXT_FOLDER`)::

    review-text/2025/overall.md          # Chinese (the plan's language)
    review-text/2025/overall.en.md       # English (optional)
    review-text/2025/chapter-09.md

:func:`section_text` returns such a file's paragraphs verbatim (text, never markup: the Word
document writes it as text, a page escapes it with
:func:`~plananalysis.present.text.escape_text`), or, where the folder has none, a **draft**
(:func:`draft_section`) written from the review's data and marked as a draft for the commission
(:data:`DRAFT_MARK`).  A draft is never filler: each of its sentences names its numbers (values,
years, counts) or a department's statement (with its date) — the lagging and reversed indicators
and targets, the tasks reported 滞后 or 未启动, the previous plan's unmet indicators that recur,
the base conflicts the audit rates 高, the verdicts resting only on reprints (where the engine
grades evidence), and in a mid-term review the indicators already met or far behind (是否调整指标)
and the early-warning list (预警) of what is unlikely to be met.

>>> from plananalysis.context import review_context
>>> text = section_text(review_context(as_of=2023), "problems")
>>> text.draft, text.paragraphs[0][:8]
(True, '量化目标“环浙步')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import format as fmt
from . import glossary
from .text import clean_text

__all__ = ["TEXT_FOLDER", "DRAFT_MARK", "MAX_CHARACTERS", "SectionText", "section_keys", "text_path",
           "commission_text", "draft_section", "section_text", "task_name", "task_table", "task_rows", "book_title",
           "warnings", "said_once", "adjustments"]

TEXT_FOLDER = "review-text"
DRAFT_MARK = {"zh": "【草稿，供委审定】", "en": "[Draft for the commission to edit]"}
#: the longest section file read (characters)
MAX_CHARACTERS = 20000
_KEY = re.compile(r"^(overall|problems|next-steps|chapter-\d{2})$")
_LAGGING = ("lagging", "reversed")
_LAGGING_TASK = ("滞后", "未启动")


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


@dataclass
class SectionText:
    """A section's paragraphs and whether they are a draft (``draft``: written from the data).

    The commission's own file gives ``draft=False`` (a plan folder made here, with one section):

    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = text_path(folder, 2023, "overall")
    >>> path.parent.mkdir(parents=True)
    >>> _ = path.write_text("# 总体评价" + chr(10) * 2 + "规划实施总体顺利。", encoding="utf-8")
    >>> review = SimpleNamespace(plan=SimpleNamespace(folder=folder), params=SimpleNamespace(as_of=2023), lang="zh")
    >>> section_text(review, "overall")
    SectionText(key='overall', paragraphs=['总体评价', '规划实施总体顺利。'], draft=False)
    """

    key: str
    paragraphs: list
    draft: bool


def section_keys(chapters) -> list[str]:
    """The text sections of a review with these chapter numbers.

    >>> section_keys([3, 12])
    ['overall', 'chapter-03', 'chapter-12', 'problems', 'next-steps']
    """
    return ["overall", *[f"chapter-{int(n):02d}" for n in chapters], "problems", "next-steps"]


def text_path(folder, as_of: int, key: str, lang: str = "zh") -> Path:
    """Where the commission's text of section ``key`` is kept in a plan folder.

    >>> text_path(Path("plan"), 2025, "overall", "en").as_posix()
    'plan/review-text/2025/overall.en.md'
    """
    if not _KEY.match(key):
        raise ValueError(f"unknown review text section {key!r}")
    return Path(folder) / TEXT_FOLDER / str(int(as_of)) / (f"{key}.en.md" if lang == "en" else f"{key}.md")


def _paragraphs(text: str, lang: str) -> list[str]:
    """Markdown as plain paragraphs: blank lines part them, heading and emphasis marks go."""
    out = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [re.sub(r"^\s{0,3}#{1,6}\s+", "", line).strip() for line in block.splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            continue
        joined = (" " if lang == "en" else "").join(lines)
        joined = re.sub(r"(\*\*|__)(.+?)\1", r"\2", joined)
        out.append(clean_text(joined))
    return out


def commission_text(review, key: str) -> list[str] | None:
    """The commission's paragraphs of section ``key`` for this review (``None`` without a file).

    Its paragraphs are plain text (:func:`_paragraphs`; tests/test_review_document.py reads one
    from a copy of the plan folder):

    >>> _paragraphs("# 总体评价" + chr(10) * 2 + "规划实施**总体顺利**，" + chr(10) + "<b>x</b>。", "zh")
    ['总体评价', '规划实施总体顺利，<b>x</b>。']
    >>> from plananalysis.context import review_context
    >>> commission_text(review_context(as_of=2023), "overall") is None
    True
    """
    from ..errors import PlanDataError

    path = text_path(review.plan.folder, review.params.as_of, key, review.lang)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PlanDataError(path, None, None, "…", "UTF-8 编码的 Markdown 文本 (UTF-8 Markdown text)") from None
    if len(text) > MAX_CHARACTERS:
        raise PlanDataError(path, None, None, f"{len(text)} characters",
                            f"不超过{MAX_CHARACTERS}个字符 (at most {MAX_CHARACTERS} characters)")
    return _paragraphs(text, review.lang)


def section_text(review, key: str) -> SectionText:
    """Section ``key``: the commission's paragraphs, or the draft written from the data.

    The shipped plan folder has no text of its own, so the 2023 review's 总体评价 is a draft,
    its numbers those of the review (4 of its 25 headline indicators met early):

    >>> from plananalysis.context import review_context
    >>> text = section_text(review_context(as_of=2023), "overall")
    >>> first = text.paragraphs[0]
    >>> text.key, text.draft, first.startswith("截至2023年（中期评估），"), "25项主要指标中" in first, "4项提前实现" in first
    ('overall', True, True, True, True)
    """
    found = commission_text(review, key)
    if found is not None:
        return SectionText(key, found, False)
    return SectionText(key, draft_section(review, key), True)


# ---------------------------------------------------------------- pieces the drafts name


def book_title(title: str, lang: str = "zh") -> str:
    """A title in 书名号, a title inside it in 〈〉 (nested 书名号 as 《…〈…〉…》).

    >>> book_title("关于《社会发展规划》的说明"), book_title("A plan", "en")
    ('《关于〈社会发展规划〉的说明》', 'A plan')
    """
    if lang == "en":
        return str(title)
    inner = str(title).strip().removeprefix("《").removesuffix("》")
    return "《" + inner.replace("《", "〈").replace("》", "〉") + "》"


def _department(review, department_id: str) -> str:
    if not department_id:
        return _t(review.lang, "未明确责任单位", "no department named")
    return glossary.department_name(review.plan, department_id, review.lang)


def task_name(task, lang: str = "zh") -> str:
    """A task as a reader names it: its section or its 专栏 item, and its title.

    >>> task_name({"task_id": "ch09-z13-02", "box": 13, "item": 2, "title": "机构布局优化行动", "section": "九(二)"})
    '专栏13之2 机构布局优化行动'
    >>> task_name({"task_id": "ch03-s01", "box": None, "item": None, "title": "推动人口结构优化", "section": "三(一)"}, "en")
    'Section 3.1 推动人口结构优化'
    """
    box = task.get("box")
    if box is not None and not fmt.is_missing(box) and str(box) != "":
        return _t(lang, f"专栏{int(box)}之{int(task['item'])} {task['title']}", f"Box {int(box)}, item {int(task['item'])}: {task['title']}")
    match = re.match(r"^ch(\d{2})-s(\d{2})$", str(task.get("task_id", "")))
    section = str(task.get("section", ""))
    if lang == "en" and match:
        return f"Section {int(match.group(1))}.{int(match.group(2))} {task['title']}"
    part = section[section.find("("):] if "(" in section else section
    return f"{part.replace('(', '（').replace(')', '）')}{task['title']}"


def task_table(review, chapter: int | None = None, kinds=None) -> pd.DataFrame:
    """The plan's tasks (of ``chapter``, of ``kinds``) with their lead department's name and their
    current statement (empty status where none): ``task_id, kind, chapter, box, item, section,
    title, department, status, progress_text, results, problems, evidence, reporter, reported_on,
    source``.

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2025)
    >>> tasks = task_table(review, 9)
    >>> len(tasks), tasks.loc[0, ["task_id", "title", "department", "status"]].tolist()
    (15, ['ch09-s01', '着力提升婴育服务水平', '省卫生健康委', ''])
    >>> len(task_table(review)), len(task_table(review, kinds=["major_project"]))
    (167, 51)
    """
    tasks = review.plan.tasks
    if tasks is None or tasks.empty:
        return pd.DataFrame(columns=["task_id", "kind", "chapter", "box", "item", "section", "title", "department",
                                     "status", "progress_text", "results", "problems", "evidence", "reporter",
                                     "reported_on", "source"])
    rows = tasks
    if chapter is not None:
        rows = rows[rows["chapter"].astype(int) == int(chapter)]
    if kinds is not None:
        rows = rows[rows["kind"].isin(list(kinds))]
    statements = review.task_statements.set_index("task_id") if len(review.task_statements) else None
    out = []
    for _, task in rows.iterrows():
        said = statements.loc[task["task_id"]] if statements is not None and task["task_id"] in statements.index else None
        out.append({"task_id": task["task_id"], "kind": task["kind"], "chapter": int(task["chapter"]),
                    "box": task["box"], "item": task["item"], "section": task["section"], "title": task["title"],
                    "department": _department(review, task.get("department_id", "")),
                    "status": "" if said is None else said["status"],
                    **{c: "" if said is None else str(said[c]) for c in ("progress_text", "results", "problems", "evidence",
                                                                         "reported_on", "source")},
                    "reporter": "" if said is None else _department(review, said["department_id"])})
    return pd.DataFrame(out)


def task_rows(review, tasks: pd.DataFrame, *, box: bool = False, not_reported: str = fmt.MISSING) -> pd.DataFrame:
    """Tasks (rows of :func:`task_table`) as a reader's table: the task, its lead department, its
    reported status and the department's statement (who, when, what), ``—`` where none has come in
    — the one table the Word document, the chapter pages and the apps show (``not_reported``:
    the status shown where none came in).

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2025, lang="en")
    >>> task_rows(review, task_table(review, 9)).columns.tolist()
    ['Task', 'Lead department', 'Reported', "Department's statement"]
    """
    from ..observed.statements import status_label

    lang = review.lang
    said = []
    for _, t in tasks.iterrows():
        if not t["status"]:
            said.append(fmt.MISSING)
            continue
        parts = [t["progress_text"], t["results"] and _t(lang, f"成效：{t['results']}", f"Results: {t['results']}"),
                 t["problems"] and _t(lang, f"问题：{t['problems']}", f"Problems: {t['problems']}")]
        who = t["reporter"] if t["source"] != "analyst" else _t(lang, "分析人员", "analyst")
        said.append(_t(lang, f"{who}（{t['reported_on']}）：", f"{who} ({t['reported_on']}): ")
                    + _t(lang, "；", "; ").join(p for p in parts if p))
    return pd.DataFrame({_t(lang, "专栏项目" if box else "任务", "Project" if box else "Task"):
                             [task_name(t, lang) for _, t in tasks.iterrows()],
                         _t(lang, "牵头单位", "Lead department"): tasks["department"].tolist(),
                         _t(lang, "进展状态", "Reported"): [status_label(s, lang) if s else not_reported for s in tasks["status"]],
                         _t(lang, "部门报告", "Department's statement"): said})


def _statement(review, task, with_progress: bool = True) -> str:
    """A department's statement on a task, as a draft quotes it (its department and date)."""
    from ..observed.statements import status_label

    lang = review.lang
    name = task_name(task, lang)
    status = status_label(task["status"], lang)
    who = task["reporter"] if task["source"] != "analyst" else _t(lang, "分析人员", "the analyst")
    text = _t(lang, f"{who}报告（{task['reported_on']}）：{name}{status}", f"{who} reported ({task['reported_on']}): {name} — {status}")
    detail = [task[c] for c in (("progress_text", "problems") if with_progress else ("problems",)) if task[c]]
    if detail:
        text += _t(lang, "，" + "；".join(detail), "; " + "; ".join(detail))
    return text + _t(lang, "。", ".")


def _value(row) -> str:
    return "" if fmt.is_missing(row["latest"]) or row["latest"] == fmt.MISSING else str(row["latest"])


def _rows(review, tones=None, kind: str | None = None, chapter: int | None = None) -> pd.DataFrame:
    table = review.results
    if kind is not None:
        table = table[table["kind"] == kind]
    if chapter is not None:
        table = table[table["chapter"] == chapter]
    if tones is not None:
        table = table[table["tone"].isin(list(tones))]
    return table


def _judged(review, row) -> str:
    """A result in one clause: its name, its status, the reason (numbers and years)."""
    return _t(review.lang, f"{row['name']}{row['undated']}（{row['reason']}）", f"{row['name']}: {row['undated']} ({row['reason']})")


def _binding(review) -> set:
    table = review.plan.indicators
    if "attribute" not in table.columns:
        return set()
    return set(table.loc[table["attribute"].astype(str).isin(["约束性", "binding"]), "indicator_id"])


def said_once(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (of a review's results) without the chapter targets that restate a headline
    indicator among them: a list of results names each thing once, under the indicator (in
    English their names differ, so a list of sentences would say it twice).

    >>> rows = pd.DataFrame({"kind": ["indicator", "target", "target"], "id": ["culture", "ch02-t08", "ch04-t01"],
    ...                      "indicator_id": ["culture", "culture", None]})
    >>> list(said_once(rows)["id"])
    ['culture', 'ch04-t01']
    """
    listed = set(rows.loc[rows["kind"] == "indicator", "id"])
    return rows[~((rows["kind"] == "target") & rows["indicator_id"].isin(listed))]


def warnings(review) -> list[str]:
    """预警: the indicators, targets, major projects and tasks unlikely to be met, one sentence
    each with its numbers or its department's statement (binding indicators first, named so).

    >>> from plananalysis.context import review_context
    >>> said = warnings(review_context(as_of=2025))
    >>> [w for w in said if w.startswith("“环浙步道”")]
    ['“环浙步道”预计未完成（最新数据为2023年，2023年>5600公里（仅知界值），目标10,000公里，未满足（所据数值为转载，待核实））']
    >>> len(said) == len(set(said))   # a target that restates an indicator is said once
    True
    >>> [w.split(":")[0] for w in warnings(review_context(as_of=2025, lang="en")) if "ultur" in w.split(":")[0]]
    ['Value added of culture and related industries as share of GDP']
    """
    lang = review.lang
    rows = review.results
    rows = said_once(rows[rows["tone"].isin(_LAGGING) | (rows["status_id"] == "estimated_not_completed")])
    binding = _binding(review)
    rows = rows.assign(_b=[0 if i in binding else 1 for i in rows["indicator_id"]]).sort_values("_b", kind="stable")
    out = []
    for _, row in rows.iterrows():
        mark = _t(lang, "（约束性）", " (binding)") if row["indicator_id"] in binding else ""
        out.append(_judged(review, row).replace(row["name"], row["name"] + mark, 1))
    tasks = task_table(review)
    if len(tasks):
        late = tasks[tasks["status"].isin(_LAGGING_TASK)]
        late = late.assign(_p=(late["kind"] != "major_project").astype(int)).sort_values("_p", kind="stable")
        out += [_statement(review, t, with_progress=False) for _, t in late.iterrows()]
    return list(dict.fromkeys(out))


def adjustments(review) -> list[str]:
    """是否调整指标 (a mid-term review): the indicators already met, and those far behind, each with
    its numbers, for the commission's decision.

    >>> from plananalysis.context import review_context
    >>> said = adjustments(review_context(as_of=2023))    # 4 headline indicators met by 2023, none far behind
    >>> [s.split("：")[0] for s in said], said[0].count("提前实现（")
    (['已提前实现目标、可研究是否调高'], 4)
    >>> said[0].split("：")[1].startswith("城乡居民收入比提前实现（最新数据为2022年，2022年1.9倍")
    True
    >>> adjustments(review_context(as_of=2025))           # a final review adjusts nothing
    []
    """
    lang = review.lang
    if review.params.phase != "midterm":
        return []
    out = []
    met = _rows(review, ("met",), kind="indicator")
    if len(met):
        out.append(_t(lang, "已提前实现目标、可研究是否调高：", "Already met (raise the target?): ")
                   + _t(lang, "；", "; ").join(_judged(review, r) for _, r in met.iterrows()) + _t(lang, "。", "."))
    behind = _rows(review, _LAGGING, kind="indicator")
    if len(behind):
        out.append(_t(lang, "明显滞后、需研判能否实现：", "Far behind (can it still be met?): ")
                   + _t(lang, "；", "; ").join(_judged(review, r) for _, r in behind.iterrows()) + _t(lang, "。", "."))
    return out


def _recurring(review) -> list[str]:
    """The previous plan's unmet indicators that the plan sets again, with both numbers."""
    lang = review.lang
    table = review.retrospective_table
    if table is None or table.empty:
        return []
    unmet = table[table["status_id"].isin(["not_completed", "estimated_not_completed"])]
    now = review.results[review.results["kind"] == "indicator"].set_index("id")
    previous = (review.plan.info.previous or {}).get("title_zh" if lang == "zh" else "title_en", "")
    out = []
    for _, row in unmet.iterrows():
        if row["indicator_id"] not in now.index:
            continue
        current = now.loc[row["indicator_id"]]
        latest = _value(current) or fmt.MISSING
        out.append(_t(lang,
                      f"{book_title(previous)}的{row['name_zh']}未完成（{row['reason_zh']}），本规划继续列为主要指标，"
                      f"截至{review.params.as_of}年评估结论为{current['label']}（最新值{latest}）。",
                      f"{row['name_en']} was not met in {previous} ({row['reason_en']}) and is set again; as of "
                      f"{review.params.as_of}: {current['label']} (latest {latest})."))
    return out


def _audit(review) -> list[str]:
    table = review.audit_table
    if table is None or table.empty:
        return []
    high = table[table["severity"] == "high"]
    column = "explanation_en" if review.lang == "en" else "explanation_zh"
    return [_t(review.lang, f"规划文本数据不一致（审计评为“高”）：{r['name_zh']}，{glossary.to_chinese(r[column])}。",
               f"Inconsistent figures in the plan (rated high by the audit): "
               f"{review.indicator_names.get(r['indicator_id'], r['name_zh'])} — {r[column]}.")
            for _, r in high.iterrows()]


def _reprints(review) -> list[str]:
    """Verdicts that rest only on reprints or news reports (where the engine grades evidence)."""
    out = []
    for table, key in ((review.progress, "indicator_id"), (review.target_progress, "target_id")):
        if table is None or "evidence_grade" not in table.columns:
            continue
        rows = table[table["evidence_grade"].astype(str).isin(["reprint", "media"]) & table["status_id"].ne("no_data")]
        results = review.results.set_index("id")
        for _, row in rows.iterrows():
            if row[key] not in results.index:
                continue
            r = results.loc[row[key]]
            r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
            out.append(_t(review.lang, f"{r['name']}的评估结论（{r['label']}，{_value(r)}）仅依据转载或媒体报道，需取得官方数据核实。",
                          f"{r['name']}: the verdict ({r['label']}, {_value(r)}) rests only on reprints or news "
                          "reports; official data should confirm it."))
    return out


def _owed(review) -> list[str]:
    """The departments that owe data (indicators without data, by department, with counts)."""
    from .narrative import problems

    return [_t(review.lang, f"{item['title']}：{item['text']}。", f"{item['title']}: {item['text']}.")
            for item in problems(review) if item["kind"] == "no_data"]


def _tasks_sentence(review, tasks: pd.DataFrame, where: str = "") -> str:
    from ..observed.statements import STATUSES, status_label

    lang = review.lang
    kinds = tasks["kind"].value_counts()
    parts = [f"{kinds.get(k, 0)}{_t(lang, '项', ' ')}{_t(lang, zh, en + 's' if kinds.get(k, 0) != 1 else en)}"
             for k, zh, en in (("task", "主要任务", "main task"), ("action", "专栏行动", "box action"),
                               ("major_project", "重大工程项目", "major project")) if kinds.get(k, 0)]
    reported = tasks[tasks["status"] != ""]
    head = _t(lang, f"{where}{len(tasks)}项任务（{'、'.join(parts)}）", f"{where}{len(tasks)} tasks ({', '.join(parts)})")
    if not len(reported):
        return head + _t(lang, "尚未收到责任单位的进展报告。", ": no department has reported progress yet.")
    counts = reported["status"].value_counts()
    said = [f"{status_label(s, lang)}{counts[s]}{_t(lang, '项', '')}" if lang == "zh" else f"{counts[s]} {status_label(s, lang)}"
            for s in STATUSES if s in counts]
    return head + _t(lang, f"中，{len(reported)}项已报告进展：{'、'.join(said)}。",
                     f": {len(reported)} reported — {', '.join(said)}.")


# ---------------------------------------------------------------- the drafts


def _draft_overall(review) -> list[str]:
    from .narrative import headline

    out = [headline(review)]
    tasks = task_table(review)
    if len(tasks):
        out.append(_tasks_sentence(review, tasks, _t(review.lang, "规划所列", "The plan lists ")))
    return out


def _draft_chapter(review, number: int) -> list[str]:
    lang = review.lang
    out = []
    tasks = task_table(review, number)
    if len(tasks):
        out.append(_tasks_sentence(review, tasks, _t(lang, "本章", "This chapter has ")))
        late = tasks[tasks["status"].isin(_LAGGING_TASK)]
        out += [_statement(review, t) for _, t in late.iterrows()]
    for kind, zh, en in (("indicator", "主要指标", "headline indicators"), ("target", "量化目标", "quantified targets")):
        rows = _rows(review, kind=kind, chapter=number)
        if not len(rows):
            continue
        judged = rows[rows["tone"] != "no_data"]
        counts = judged["undated"].value_counts()
        said = _t(lang, "、".join(f"{k}{v}项" for k, v in counts.items()), ", ".join(f"{v} {k.lower()}" for k, v in counts.items()))
        sentence = _t(lang, f"本章{len(rows)}项{zh}中，{len(judged)}项有评估结论" + (f"：{said}" if said else ""),
                      f"Of the chapter's {len(rows)} {en}, {len(judged)} can be judged" + (f": {said}" if said else ""))
        behind = rows[rows["tone"].isin(_LAGGING)]
        if len(behind):
            sentence += _t(lang, "；其中", "; behind: ") + _t(lang, "；", "; ").join(_judged(review, r) for _, r in behind.iterrows())
        out.append(sentence + _t(lang, "。", "."))
    return out


def _draft_problems(review) -> list[str]:
    lang = review.lang
    out = [_t(lang, f"{'主要指标' if r['kind'] == 'indicator' else '量化目标'}{_judged(review, r)}。",
              f"{'Headline indicator' if r['kind'] == 'indicator' else 'Target'} {_judged(review, r)}.")
           for _, r in _rows(review, _LAGGING).iterrows()]
    tasks = task_table(review)
    if len(tasks):
        out += [_statement(review, t) for _, t in tasks[tasks["status"].isin(_LAGGING_TASK)].iterrows()]
    out += _recurring(review) + _audit(review) + _reprints(review) + _owed(review)
    return out


def _draft_next_steps(review) -> list[str]:
    lang = review.lang
    out = []
    if review.params.phase == "midterm":
        out += [_t(lang, "是否调整指标（请委审定）——", "Adjusting indicators (for the commission's decision) — ") + s
                for s in adjustments(review)]
    items = warnings(review)
    if items:
        out += [_t(lang, "预警：", "Early warning: ") + s for s in items]
    else:
        judged = int((review.results["tone"] != "no_data").sum())
        out.append(_t(lang, f"按截至{review.params.as_of}年的数据，已有评估结论的{judged}项指标和目标中，没有滞后或预计不能完成的。",
                      f"On the data up to {review.params.as_of}, none of the {judged} indicators and targets with a verdict "
                      "lags or is unlikely to be met."))
    out += [_t(lang, "请按时报送数据：", "Data to be supplied: ") + s for s in _owed(review)]
    return out


def draft_section(review, key: str) -> list[str]:
    """The draft of section ``key`` written from the review's data: sentences, each naming its
    numbers or a department's statement (none for a section with nothing to say).

    >>> from plananalysis.context import review_context
    >>> draft_section(review_context(as_of=2025), "chapter-07")[-1][:12]
    '本章12项量化目标中，1'
    """
    if key == "overall":
        return _draft_overall(review)
    if key == "problems":
        return _draft_problems(review)
    if key == "next-steps":
        return _draft_next_steps(review)
    match = re.match(r"^chapter-(\d{2})$", key)
    if match:
        return _draft_chapter(review, int(match.group(1)))
    raise ValueError(f"unknown review text section {key!r}")
