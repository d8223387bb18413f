"""The columns of an observed-data spreadsheet, in one place: their headers, the names each is
also known by, what the template's 说明 sheet says of each, and which columns the template and
the departments' request workbooks carry.

Everything that writes or reads such a sheet takes its columns from here: the import template
(:func:`~plananalysis.observed.importer.write_template`, whose 说明 sheet is written from
:data:`COLUMN_NOTES_ZH`, one line per column of the 数据 sheet, so the two cannot disagree), the
request workbooks (:mod:`plananalysis.observed.requests`), the reader
(:mod:`plananalysis.observed.validation`, which accepts the headers of :data:`HEADER_ALIASES`)
and the sheets of our own that the reader skips by name (:data:`OWN_SHEETS`).

Adding a column (say an evidence grade) is: its aliases in :data:`HEADER_ALIASES`, its header in
:data:`HEADERS_ZH`, its 说明 line in :data:`COLUMN_NOTES_ZH`, and its name in
:data:`TEMPLATE_COLUMNS` and/or :data:`REQUEST_COLUMNS` (:data:`OPEN_COLUMNS` if a department
fills it in); the stored row's schema is ``TIDY_COLUMNS`` in :mod:`~plananalysis.observed.validation`.

>>> [HEADERS_ZH[c] for c in TEMPLATE_COLUMNS][:6]
['指标编号', '指标名称', '地区', '口径', '年份', '数值']
>>> set(TEMPLATE_COLUMNS) <= set(COLUMN_NOTES_ZH) and set(REQUEST_COLUMNS) <= set(HEADERS_ZH)
True
>>> "snippet" in TEMPLATE_COLUMNS and "snippet" in OPEN_COLUMNS
True
"""

from __future__ import annotations

__all__ = ["HEADER_ALIASES", "HEADERS_ZH", "COLUMN_NOTES_ZH", "TEMPLATE_COLUMNS", "REQUEST_COLUMNS",
           "OPEN_COLUMNS", "INDICATOR_SHEET_HEADER", "SUBJECT_SHEET_HEADER", "OWN_SHEETS", "DATA_SHEET",
           "DEPARTMENT_MARK"]

# Accepted headers (compared after NFKC, lower case, spaces/hyphens as underscores).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator_no": ("指标编号", "编号", "序号", "indicator_no", "no"),
    "indicator_id": ("indicator_id", "指标代码", "id"),
    "target_id": ("target_id", "目标编号", "目标代码"),
    "indicator_name": ("指标名称", "指标", "indicator", "indicator_name", "name", "name_zh", "目标内容"),
    "region": ("地区", "区域", "region"),
    "series": ("口径", "series"),
    "year": ("年份", "年度", "year"),
    "value": ("数值", "值", "value"),
    "qualifier": ("限定符", "qualifier"),
    "unit": ("单位", "unit"),
    "value_type": ("数值类型", "value_type"),
    "source_title": ("来源名称", "来源", "source_title", "source"),
    "source_url": ("来源链接", "链接", "source_url", "url"),
    "source_quality": ("来源类型", "来源质量", "source_quality"),
    "period_note": ("时期说明", "period_note"),
    "snippet": ("原文摘录", "原文", "snippet"),
    "notes": ("备注", "notes", "note"),
    "evidence_grade": ("证据等级", "evidence_grade", "grade"),
    "imported_at": ("导入时间", "imported_at"),
    "imported_from": ("导入文件", "imported_from"),
    "is_replacement": ("is_replacement",),
    "is_derived": ("is_derived",),
    "derivation": ("derivation",),
    "origin": ("origin",),
}
HEADERS_ZH = {
    "indicator_no": "指标编号", "target_id": "目标编号", "indicator_name": "指标名称", "region": "地区",
    "series": "口径", "year": "年份", "value": "数值", "qualifier": "限定符", "unit": "单位",
    "value_type": "数值类型", "source_title": "来源名称", "source_url": "来源链接",
    "source_quality": "来源类型", "period_note": "时期说明", "snippet": "原文摘录", "notes": "备注",
    "evidence_grade": "证据等级",
}

#: what the template's 说明 sheet says of each column (one line each, after "header: "); the
#: fields are filled from the plan: ``{indicators}`` (how many), ``{region}``, ``{cities}``,
#: ``{years}``, ``{qualities}``
COLUMN_NOTES_ZH = {
    "indicator_no": "规划主要指标表的序号 1–{indicators} (或指标代码).",
    "indicator_name": "主要指标表中的名称; 与指标编号都填时须一致.",
    "region": "空 = {region}; 或 {cities} 等 regions.csv 中的地区名称.",
    "series": "空或 plan = 规划口径 (与目标比较); 其他名称 (如 health-index) 仅作参考, 不与目标比较.",
    "year": "{years}.",
    "value": "数字 (可用全角数字、千位分隔符; 百分数可带 %).",
    "qualifier": "空 = 精确值; ≈ = 左右; > = 以上; < = 以下 (也可写在数值中, 如 76左右).",
    "unit": "须与规划一致 (见“指标”表); 空 = 规划单位. 不同单位请先换算.",
    "source_title": "来源文件或网页的标题; 与来源链接至少填一项 (无来源数据须用 --no-source 导入, 并标为 unsourced).",
    "source_url": "以 http:// 或 https:// 开头的网址.",
    "source_quality": "{qualities} (空 = user).",
    "snippet": "来源中给出该数值的原话 (如“全年城镇新增就业116.3万人。”), 便于核对.",
    "period_note": "如 preliminary (初步数), revised (修订数), 年末, 年均.",
    "value_type": "空 = 指标通常的类型; level = 当年水平; flow = 当年新增; cumulative = 规划期累计.",
    "target_id": "章节量化目标 (targets.csv) 的编号; 填目标编号的行不填指标编号.",
    "evidence_grade": "空 = 按来源类型推定; 或 官方发布, 部门报送, 转载, 媒体报道, 分析人员录入, 推算 (data/methods/evidence_grades.csv).",
    "notes": "任意说明.",
}

#: the import template's sheet 数据, in order (the first ten as before the snippet was added)
TEMPLATE_COLUMNS = ["indicator_no", "indicator_name", "region", "series", "year", "value", "qualifier",
                    "unit", "source_title", "source_url", "source_quality", "snippet", "period_note",
                    "value_type", "target_id", "notes"]

#: the request workbook's sheet 数据, in order
REQUEST_COLUMNS = ["target_id", "indicator_no", "indicator_name", "region", "year", "unit", "value_type",
                   "value", "qualifier", "source_title", "source_url", "source_quality", "evidence_grade", "snippet", "notes"]
#: the cells of a request a department fills in (the rest of the sheet is locked)
OPEN_COLUMNS = ("value", "qualifier", "source_title", "source_url", "source_quality", "snippet", "notes")

#: the sheet a workbook's data are read from (or ``data``; else the first worksheet)
DATA_SHEET = "数据"
#: the template's sheet 指标 and the request's sheet 目标说明: reference tables of ours
INDICATOR_SHEET_HEADER = ("指标编号", "指标代码", "指标名称", "Indicator", "单位", "合理下限", "合理上限", "说明 (why)")
SUBJECT_SHEET_HEADER = ("编号", "名称", "目标", "目标年份", "单位", "数值类型", "规划原文", "配合单位", "需填年份")
#: the sheets of our own workbooks that the reader skips by name, with their shape: ``None`` for
#: a sheet of text lines in column A (the template's 说明, the request's cover), else the header
#: of a reference table (nothing may stand outside its columns).  Any other sheet holding a value
#: is refused (:mod:`plananalysis.observed.spreadsheet`).
OWN_SHEETS: dict[str, tuple[str, ...] | None] = {
    "说明": None,
    "指标": INDICATOR_SHEET_HEADER,
    "目标说明": SUBJECT_SHEET_HEADER,
}
#: the cover line of a request workbook that names the department it was written for
#: (``单位编号：edu``): a returned workbook carrying it may hold only that department's rows
DEPARTMENT_MARK = "单位编号"

# ---------------------------------------------------------------- the task-progress sheet (重点任务进展)

from .statements import STATUSES  # noqa: E402 — the statuses are the statements' shape's

#: the request workbook's sheet on which a department reports on the tasks it leads; read back by
#: ``plananalysis data import`` beside 数据 (:mod:`plananalysis.observed.task_reports`)
TASK_SHEET = "重点任务进展"
#: its columns, in order (the stored statement's fields; ``task_title``, ``chapter``, ``task_text``
#: and ``partners`` are ours, locked)
STATEMENT_COLUMNS = ["task_id", "chapter", "task_title", "task_text", "partners", "status", "progress_text",
                     "results", "problems", "evidence", "contact", "reported_on"]
STATEMENT_HEADERS_ZH = {
    "task_id": "任务编号", "chapter": "章节", "task_title": "任务名称", "task_text": "规划原文",
    "partners": "配合单位", "status": "进展状态", "progress_text": "进展情况", "results": "主要成效",
    "problems": "存在问题", "evidence": "佐证材料", "contact": "联系人及电话", "reported_on": "填报日期",
}
#: the cells a department fills in (the rest of the sheet is locked)
STATEMENT_OPEN_COLUMNS = ("status", "progress_text", "results", "problems", "evidence", "contact", "reported_on")
#: the fixed list of statuses, in the order a department chooses from (those of the statements' shape)
STATEMENT_STATUSES = tuple(STATUSES)
#: the longest text each open text column may hold (characters; a line break counts as one)
STATEMENT_LIMITS = {"progress_text": 500, "results": 300, "problems": 300, "evidence": 200, "contact": 60}
#: what the cover (说明) says of each column of the sheet, one line each (``{limit}``: its limit;
#: ``{year}``, ``{date}``: an example year and reporting date, taken from the plan)
STATEMENT_NOTES_ZH = {
    "task_id": "规划任务的编号（已填，锁定）；导入时据此识别任务。",
    "chapter": "任务所在的章节（已填，锁定）。",
    "task_title": "任务名称（已填，锁定）。",
    "task_text": "规划原文（已填，锁定），供对照填写。",
    "partners": "配合单位（已填，锁定）；进展由牵头单位汇总填报。",
    "status": "从下拉列表选择：" + "、".join(STATEMENT_STATUSES) + "；必填（未填状态的行视为未填报，不导入）。",
    "progress_text": "规划实施以来的进展，至多 {limit} 字；必填。",
    "results": "主要成效，数字须注明年份（如“{year}年新增托位1.2万个”），至多 {limit} 字；可空。",
    "problems": "存在的主要问题，至多 {limit} 字；可空。",
    "evidence": "佐证材料：文件名称、文号或网址，至多 {limit} 字；可空。",
    "contact": "填报联系人及电话，至多 {limit} 字。",
    "reported_on": "填报日期，如 {date}；空 = 导入之日。同一任务以填报日期最新的一条为准。",
}
#: the header of the sheet, as written and as the reader requires it
TASK_SHEET_HEADER = tuple(STATEMENT_HEADERS_ZH[c] for c in STATEMENT_COLUMNS)
#: sheets of a returned workbook that are read as data beside 数据 (never chosen as the data
#: sheet, never refused as an unread sheet), with their header
READ_SHEETS: dict[str, tuple[str, ...]] = {TASK_SHEET: TASK_SHEET_HEADER}

__all__ += ["TASK_SHEET", "STATEMENT_COLUMNS", "STATEMENT_HEADERS_ZH", "STATEMENT_OPEN_COLUMNS", "STATEMENT_STATUSES",
            "STATEMENT_LIMITS", "STATEMENT_NOTES_ZH", "TASK_SHEET_HEADER", "READ_SHEETS"]
