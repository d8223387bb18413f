"""Write a plan's tasks.csv and tasks_excluded.csv from its text (issue 20).

    PYTHONPATH=. .venv/bin/python tools/make_tasks.py [data/plans/zj-social-14th]

Every numbered section of the task chapters is a task (kind ``task``); every numbered item of a
专栏 is an ``action`` or a ``major_project``, as decided per box below (BOX_KINDS, with the words
of the box title that decide it).  Texts are cut verbatim from ``source.txt`` by
:func:`plananalysis.plan.tasks.plan_parts`; a task lists the catalogue targets whose quote lies in
its text.  What is not a task is written to ``tasks_excluded.csv`` with the reason (EXCLUDED
below): whole chapters before the tasks, and the unnumbered opening paragraphs.  The files are
data: review them by hand after a run (``git diff``); nothing here invents text.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from plananalysis.plan.catalogue import quote_span
from plananalysis.plan.tasks import EXCLUDED_TASK_COLUMNS, TASK_COLUMNS, plan_parts

# The chapters whose sections are the plan's tasks (一 is the background, 二 the overall requirements).
TASK_CHAPTERS = range(3, 15)

# Per 专栏: the kind of its items, and why (the title's words, or the items' own wording).
BOX_KINDS = {
    1: ("action", "包容性生育政策体系: policy measures (完善生育政策, 健全人口监测网络)"),
    2: ("action", "产教融合“五个一批”建设: programmes of alliances, bases, firms and projects built up in batches, not named works"),
    3: ("action", "教育领域重大改革: reforms"),
    4: ("action", "办好十大人才实事: practical measures for talent (实事)"),
    5: ("action", "高质量就业专项行动计划: an action plan"),
    6: ("action", "低收入群体扩大收入行动: actions"),
    7: ("action", "完善突发公共卫生事件应急管理机制: mechanisms to improve (reforms)"),
    8: ("major_project", "医疗卫生服务“网底”工程: works (工程)"),
    9: ("major_project", "体育产业重大工程: major works"),
    10: ("action", "体育领域重大改革: reforms"),
    11: ("action", "深化“1+8+X”社会救助体系建设: deepening a system (a reform)"),
    12: ("action", "完善社会保障体系重要行动: actions"),
    13: ("action", "实施养老服务提升“五大行动”: actions"),
    14: ("action", "“一老一小”服务重大改革和政策: reforms and policies"),
    15: ("major_project", "文艺精品创优项目: projects, each item a works programme (…工程)"),
    16: ("major_project", "文化产业重大平台: major platforms"),
    17: ("major_project", "文旅融合重大平台: major platforms"),
    18: ("action", "着力推进“住有所居”: housing policies carried out (推进), each item a programme of provision"),
    19: ("major_project", "数字社会建设重点项目: key projects"),
    20: ("action", "实施社区治理先行计划: a plan carried out (计划)"),
    21: ("action", "实施社会组织先行计划: a plan carried out (计划)"),
}

# Lines that are not tasks, by their text's start (checked against the line), with the reason.
CHAPTER_REASON = {
    1: "第一章规划背景：回顾“十三五”成就和发展环境，不设任务 / the background chapter reviews the "
       "13th plan and the setting; it sets no task (its table is the retrospective's)",
    2: "第二章总体要求：指导思想、基本原则和发展目标，其目标由主要指标和量化目标目录跟踪 / the overall "
       "requirements (guiding ideas, principles, goals); its goals are tracked as the headline indicators and catalogue targets",
}
PREAMBLE_REASON = ("章首段：概述本章目标，由本章各节任务落实，不单列任务 / the chapter's opening paragraph states "
                   "its aims, carried out by the chapter's numbered sections; not a task of its own")
BOX_PREAMBLE_REASON = ("专栏导语：概述专栏各项，由其编号各项落实 / the box's opening sentence sums up its "
                       "numbered items, which are the tasks")


def build(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    text = (folder / "source.txt").read_text(encoding="utf-8")
    targets = pd.read_csv(folder / "targets.csv", dtype=str, keep_default_na=False)
    spans = {r.target_id: quote_span(text, r.quote) for r in targets.itertuples()}
    tasks, excluded = [], []
    for part in plan_parts(text):
        if part.chapter not in TASK_CHAPTERS:
            if part.kind == "chapter" and part.chapter in CHAPTER_REASON:
                excluded.append({"line": part.line, "chapter": part.chapter, "section": "", "box": "",
                                 "text": part.text, "reason": CHAPTER_REASON[part.chapter]})
            continue
        if part.kind == "line":
            excluded.append({"line": part.line, "chapter": part.chapter, "section": part.section,
                             "box": part.box or "", "text": part.text,
                             "reason": BOX_PREAMBLE_REASON if part.box else PREAMBLE_REASON})
            continue
        if part.kind not in ("section", "item"):
            continue
        inside = [tid for tid, span in spans.items()
                  if span and part.start <= span[0] and span[1] <= part.end]
        kind, note = ("task", "") if part.kind == "section" else BOX_KINDS[part.box]
        tasks.append({"task_id": part.key, "kind": kind, "chapter": part.chapter, "section": part.section,
                      "box": part.box or "", "item": part.item or "", "title": part.title, "text": part.text,
                      "target_ids": "|".join(inside), "note": ""})
    return pd.DataFrame(tasks, columns=TASK_COLUMNS), pd.DataFrame(excluded, columns=EXCLUDED_TASK_COLUMNS)


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "data/plans/zj-social-14th")
    tasks, excluded = build(folder)
    for name, frame in (("tasks.csv", tasks), ("tasks_excluded.csv", excluded)):
        tmp = folder / f".{name}.tmp"
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        tmp.replace(folder / name)
    print(f"{folder}: {len(tasks)} tasks ({tasks['kind'].value_counts().to_dict()}), {len(excluded)} exclusions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
