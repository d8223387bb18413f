"""The plan's tasks beside its numbers: a chapter's tasks with their reported status and the
departments' statements (chapter pages, the apps), and the front page's one line on tasks.

Both read :func:`~plananalysis.present.review_text.task_table` (the tasks with their current
statement) and show its rows as :func:`~plananalysis.present.review_text.task_rows` words them
for the Word document; a task no department has reported on is "未报送 / not reported".  Every text
from the plan or a department is escaped (:func:`~plananalysis.present.text.escape_text`).

>>> from plananalysis.context import review_context
>>> page = tasks_html(review_context(as_of=2025, lang="en"), 9)
>>> 'id="tasks"' in page, "not reported" in page, "<script" in page
(True, True, False)
"""

from __future__ import annotations

import pandas as pd

from . import glossary
from .review_text import _LAGGING_TASK, _tasks_sentence, task_rows, task_table
from .show import CSV_MIME, csv_text, data_link
from .text import escape_text

__all__ = ["tasks_bundle", "NOT_REPORTED", "tasks_html", "tasks_counts", "tasks_line"]

NOT_REPORTED = {"zh": "未报送", "en": "not reported"}


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def tasks_html(review, chapter: int | None = None) -> str:
    """The tasks of ``chapter`` (all without one) as a page section (``id="tasks"``): a heading,
    one sentence counting them by status, and the table — task, lead department, status,
    statement; empty when there is no task.

    >>> from plananalysis.context import review_context
    >>> page = tasks_html(review_context(as_of=2025), 9)           # chapter 9 lists 15 tasks
    >>> page.count("<tr data-status="), "主要任务进展（15项）" in page, page.count("未报送")
    (15, True, 15)
    >>> tasks_html(review_context(as_of=2025), 1)                  # chapter 1 lists none
    ''
    """
    lang = review.lang
    tasks = task_table(review, chapter)
    if not len(tasks):
        return ""
    rows = task_rows(review, tasks, not_reported=NOT_REPORTED[lang])
    where = _t(lang, "本章" if chapter is not None else "规划所列", "This chapter has " if chapter is not None else "The plan lists ")
    sentence = _tasks_sentence(review, tasks, where)
    head = "".join(f"<th>{escape_text(c)}</th>" for c in rows.columns)
    body = []
    for (_, task), values in zip(tasks.iterrows(), rows.values.tolist()):
        late = " pa-late" if task["status"] in _LAGGING_TASK else ""
        cells = "".join(f'<td class="{cls}">{glossary.mark_chinese(v, lang)}</td>'
                        for cls, v in zip(("pa-name", "", "pa-nowrap" + late, ""), values))
        body.append(f'<tr data-status="{escape_text(task["status"] or "none")}">{cells}</tr>')
    title = _t(lang, f"主要任务进展（{len(tasks)}项）", f"Progress of the tasks ({len(tasks)})")
    return (f'<section id="tasks"><h2>{escape_text(title)}</h2><p>{glossary.mark_chinese(sentence, lang)}</p>'
            f'<div class="pa-output" data-table="tasks"><table class="pa-tasks"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>'
            '<style>.pa-tasks td{vertical-align:top}.pa-tasks th{white-space:nowrap}.pa-tasks td.pa-late{color:#b30000;font-weight:600}</style>'
            "</section>")


def tasks_bundle(review, chapter: int | None = None) -> dict:
    """The chapter page's tasks as a display bundle: :func:`tasks_html` with its CSV beside it,
    as every table of a page has (``{}`` where the chapter lists no task).

    >>> from plananalysis.context import review_context
    >>> bundle = tasks_bundle(review_context(as_of=2025), 9)
    >>> 'href="pa-csv:tasks"' in bundle["text/html"], len(bundle[CSV_MIME]["files"]["tasks"].splitlines())
    (True, 16)
    >>> tasks_bundle(review_context(as_of=2025), 1)
    {}
    """
    html = tasks_html(review, chapter)
    if not html:
        return {}
    rows = task_rows(review, task_table(review, chapter), not_reported=NOT_REPORTED[review.lang])
    html = html[: -len("</section>")] + data_link("tasks", review.lang) + "</section>"
    return {"text/html": html, CSV_MIME: {"files": {"tasks": csv_text(rows)}}}


def tasks_counts(review) -> dict | None:
    """The front page's count of tasks: ``total``, ``reported``, ``late`` (滞后 or 未启动) and
    ``owing`` (department → tasks it leads without a statement, most first); ``None`` for a plan
    without tasks.

    >>> from plananalysis.context import review_context
    >>> counts = tasks_counts(review_context(as_of=2025))
    >>> counts["total"], counts["reported"], counts["late"]
    (167, 0, 0)
    >>> [(name, int(n)) for name, n in list(counts["owing"].items())[:2]], int(sum(counts["owing"].values()))
    ([('省民政厅', 27), ('省卫生健康委', 22)], 167)
    """
    tasks = task_table(review)
    if not len(tasks):
        return None
    reported = tasks["status"] != ""
    named = tasks["department"] != _t(review.lang, "未明确责任单位", "no department named")
    owing = tasks[~reported & named]["department"].value_counts(sort=False)
    owing = owing.sort_values(ascending=False, kind="stable")
    return {"total": len(tasks), "reported": int(reported.sum()),
            "late": int(tasks["status"].isin(_LAGGING_TASK).sum()), "owing": dict(owing)}


def tasks_line(review) -> str:
    """The front page's one line on tasks (``id="tasks-line"``): how many reported, how many
    滞后/未启动, which departments have not reported; empty for a plan without tasks.

    >>> from plananalysis.context import review_context
    >>> tasks_line(review_context(as_of=2025, lang="en"))[:60]
    '<p class="pa-tasks" id="tasks-line">Tasks: 0 of 167 reported'
    """
    counts = tasks_counts(review)
    if counts is None:
        return ""
    lang = review.lang
    late = _t(lang, f"其中滞后或未启动{counts['late']}项", f"{counts['late']} behind schedule or not started")
    text = _t(lang, f"重点任务：{counts['total']}项中已报告进展{counts['reported']}项，{late}",
              f"Tasks: {counts['reported']} of {counts['total']} reported, {late}")
    if counts["owing"]:
        names = [_t(lang, f"{name}（{n}项）", f"{name} ({n})") for name, n in counts["owing"].items()]
        text += _t(lang, "；尚未报告的责任单位：" + "、".join(names) + "。",
                   "; not yet reported by: " + ", ".join(names) + ".")
    else:
        text += _t(lang, "；所有责任单位均已报告。", "; every department has reported.")
    return f'<p class="pa-tasks" id="tasks-line">{glossary.mark_chinese(text, lang)}</p>'
