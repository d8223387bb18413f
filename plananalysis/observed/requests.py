"""The data requests (数据征集表): who is asked for what, the workbooks, and what came back.

A commission reviewing a plan asks each responsible department (责任单位, from the plan's
``responsibilities.csv`` and ``departments.csv``) for the values it still lacks.  This module
computes that from the plan folder alone:

- :func:`responsibility_table` — each headline indicator and catalogue target with its lead
  department and the departments that assist;
- :func:`request_subjects` — what can be asked for: every headline indicator with a number
  (not a qualitative one) and every catalogue target that does not restate one (its indicator
  is asked instead), each with the years it needs: the plan's years up to the review year
  (and up to the target's own year), plus the base year where the plan gives no base value
  and the target is a level (a five-year sum or a yearly flow needs none);
- :func:`request_rows` — one row per subject and year: ``asked`` when the plan's shipped data
  hold no plan-basis value for it (the request asks for it), ``known`` when a value is loaded
  (shipped or imported, prefilled in the workbook for checking);
- :func:`write_requests` — one workbook per department (``数据征集表-<department_id>.xlsx``):
  a cover sheet (what is asked, by when, whom to contact, how to fill it in), the sheet 数据
  that ``plananalysis data import`` reads back, and a sheet describing each target;
- :func:`requests_coverage` — per department, what was asked, what has come back and what is
  still missing (the data audit's coverage page);
- :func:`return_checker` — what a returned workbook may hold: a workbook written for a
  department (its cover says ``单位编号：edu``, or its name is ``数据征集表-edu…``) may carry
  only the rows that department is responsible for; the others are refused by name.

Whom a request comes from and how long a department has to answer are the plan's own
(``plan.yml``, section ``data_requests``; :func:`request_settings`).

>>> rows = request_rows(as_of=2023)
>>> row = rows[(rows.subject_id == "ch04-t06") & (rows.year == 2023)].iloc[0]
>>> row.department_id, row.status, float(row.value)     # 帮扶困难人员实现就业: known, prefilled
('hrss', 'known', 11.0)
>>> int(rows[rows.subject_id == "ch03-t01"].year.min())  # a count to reach: its 2020 base is asked too
2020
"""

from __future__ import annotations

import datetime
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..values import is_blank

from ..errors import PlanDataError
from . import grades as _grades
from ..files import safe_name, spreadsheet_text, write_atomically
from .cell_styles import CellStyles
from .columns import DEPARTMENT_MARK, HEADERS_ZH, OPEN_COLUMNS, REQUEST_COLUMNS, SUBJECT_SHEET_HEADER

__all__ = ["REQUEST_HEADERS", "RequestSettings", "request_settings", "responsibility_table",
           "request_subjects", "request_rows", "requests_coverage", "write_requests", "request_file_name",
           "year_span", "return_checker", "REQUEST_FILE_PREFIX"]

#: the columns of the sheet 数据, as ``read_observed_file`` knows them (canonical → Chinese header;
#: defined in :mod:`plananalysis.observed.columns`)
REQUEST_HEADERS = {c: HEADERS_ZH[c] for c in REQUEST_COLUMNS}
REQUEST_FILE_PREFIX = "数据征集表-"
_VALUE_TYPE_WORDS = {"level": "水平", "flow": "当年新增", "cumulative": "累计"}
_QUALIFIER_WORDS = {"": "", "≈": "左右", ">": "以上", "<": "以下"}
_QUALITY_WORDS = {"official": "官方", "media": "媒体", "reprint": "转载", "secondary": "转引",
                  "department": "部门数据", "user": "用户", "plan": "规划"}
QUALITY_CHOICES = ("部门数据", "官方", "媒体", "转载", "转引")
QUALIFIER_CHOICES = ("左右", "以上", "以下")
#: catalogue kinds whose values are yearly flows (a sum or an amount each year): no base year
_FLOW_KINDS = {"cumulative", "annual"}
_FLOW_INDICATOR_KINDS = {"cumulative_sum", "cumulative_reduction", "avg_growth"}


def _plan(plan):
    from ..plan.folder import Plan, load_plan

    return plan if isinstance(plan, Plan) else load_plan(plan)



# ---------------------------------------------------------------- settings (plan.yml)


@dataclass(frozen=True)
class RequestSettings:
    """Whom a plan's data requests come from (``plan.yml``, ``data_requests``).

    >>> settings = request_settings()
    >>> settings.issuer_zh, settings.reply_within_days
    ('省发展改革委', 30)
    """

    issuer_zh: str
    issuer_en: str
    office: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    reply_within_days: int = 30
    note: str = ""

    def due(self, today: datetime.date | None = None) -> datetime.date:
        """The answer date: ``reply_within_days`` after ``today``.

        >>> request_settings().due(datetime.date(2026, 1, 5))
        datetime.date(2026, 2, 4)
        """
        return (today or datetime.date.today()) + datetime.timedelta(days=self.reply_within_days)


def request_settings(plan=None) -> RequestSettings:
    """The ``data_requests`` section of the plan's ``plan.yml``, checked.

    ``issuer`` is a ``department_id`` of ``departments.csv`` (its name is printed) or a name;
    ``office``, ``contact``, ``phone``, ``email`` and ``note`` are text; ``reply_within_days``
    a whole number of days (default 30).  Without the section the plan's first department
    issues the requests and no contact is printed.

    >>> request_settings().office
    '规划处'
    """
    plan = _plan(plan)
    path = plan.folder / "plan.yml"
    raw = plan.info.raw.get("data_requests") or {}
    if not isinstance(raw, dict):
        raise PlanDataError(path, None, "data_requests", raw, "键值对：issuer, office, contact, phone, email, "
                            "reply_within_days, note (a mapping)")
    known = {"issuer", "office", "contact", "phone", "email", "reply_within_days", "note"}
    for key in raw:
        if key not in known:
            raise PlanDataError(path, None, f"data_requests.{key}", key, "、".join(sorted(known)))
    names = _department_names(plan)
    issuer = str(raw.get("issuer") or (next(iter(names)) if names else ""))
    zh, en = names.get(issuer, (issuer, issuer))
    days = raw.get("reply_within_days", 30)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        raise PlanDataError(path, None, "data_requests.reply_within_days", days, "1–365 的整数天数 (a number of days)")
    text = {k: "" if raw.get(k) is None else str(raw.get(k)) for k in ("office", "contact", "phone", "email", "note")}
    return RequestSettings(issuer_zh=zh, issuer_en=en, reply_within_days=days, **text)


def _department_names(plan) -> dict[str, tuple[str, str]]:
    table = plan.departments
    if table.empty:
        return {}
    return {r["department_id"]: (r["name_zh"], r.get("name_en", "")) for r in table.to_dict("records")}


# ---------------------------------------------------------------- who answers for what


def responsibility_table(plan=None) -> pd.DataFrame:
    """Each indicator and target with its lead department (责任单位) and the assisting ones.

    Columns: ``subject_id, department_id, department_zh, department_en, co_department_ids,
    co_departments_zh, basis``.  A subject without a row has empty department columns.

    >>> table = responsibility_table().set_index("subject_id")
    >>> table.loc["ch03-t01", ["department_id", "department_zh"]].tolist()
    ['edu', '省教育厅']
    """
    plan = _plan(plan)
    names = _department_names(plan)
    columns = ["subject_id", "department_id", "department_zh", "department_en", "co_department_ids",
               "co_departments_zh", "basis"]
    table = plan.responsibilities
    if table.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for r in table.to_dict("records"):
        co = [c for c in str(r.get("co_department_ids", "")).split("|") if c]
        rows.append({"subject_id": r["subject_id"], "department_id": r["department_id"],
                     "department_zh": names.get(r["department_id"], (r["department_id"], ""))[0],
                     "department_en": names.get(r["department_id"], ("", r["department_id"]))[1],
                     "co_department_ids": "|".join(co),
                     "co_departments_zh": "、".join(names.get(c, (c, ""))[0] for c in co),
                     "basis": r.get("basis", "")})
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------- what is asked


def request_subjects(plan=None, as_of: int | None = None) -> pd.DataFrame:
    """What can be asked for, with the years each needs (see the module's introduction).

    Columns: ``subject_id, is_target, indicator_no, name_zh, name_en, unit, target_text,
    quote, target_year, value_type, years`` (a tuple) and the department columns of
    :func:`responsibility_table`.

    >>> subjects = request_subjects(as_of=2023).set_index("subject_id")
    >>> subjects.loc["ch04-t06", "years"], subjects.loc["ch04-t06", "value_type"]  # 每年7万人: flows
    ((2021, 2022, 2023), 'flow')
    >>> "ch02-t03" in subjects.index     # restates urbanisation_rate: the indicator is asked instead
    False
    """
    plan = _plan(plan)
    info = plan.info
    as_of = info.default_as_of() if as_of is None else int(as_of)
    rows = []
    for r in plan.indicators.to_dict("records"):
        kind = r["target_kind"]
        if kind == "qualitative":
            continue
        flows = kind in _FLOW_INDICATOR_KINDS
        needs_base = not flows and kind != "relational" and is_blank(r.get("baseline_value"))
        rows.append({"subject_id": r["indicator_id"], "is_target": False, "indicator_no": int(r["no"]),
                     "name_zh": r["name_zh"], "name_en": r.get("name_en", ""), "unit": r["unit"],
                     "target_text": r["target_printed"], "quote": r.get("prose_quote", "") or "",
                     "target_year": int(r["target_year"]),
                     "value_type": "flow" if kind in ("cumulative_sum", "cumulative_reduction") else "level",
                     "years": _years(info, as_of, int(r["target_year"]), needs_base)})
    for r in plan.targets.to_dict("records") if len(plan.targets) else []:
        if not is_blank(r.get("restates_indicator_id")):
            continue
        flows = r["kind"] in _FLOW_KINDS
        rows.append({"subject_id": r["target_id"], "is_target": True, "indicator_no": pd.NA,
                     "name_zh": r["subject_zh"], "name_en": r["subject_en"],
                     "unit": "" if is_blank(r["unit"]) else r["unit"], "target_text": r["target_text"],
                     "quote": r["quote"], "target_year": int(r["target_year"]),
                     "value_type": "flow" if flows else "level",
                     "years": _years(info, as_of, int(r["target_year"]), not flows)})
    frame = pd.DataFrame(rows)
    return frame.merge(responsibility_table(plan), on="subject_id", how="left").fillna(
        {c: "" for c in ("department_id", "department_zh", "department_en", "co_department_ids",
                         "co_departments_zh", "basis")})


def _years(info, as_of: int, target_year: int, needs_base: bool) -> tuple[int, ...]:
    last = min(as_of, info.end, target_year)
    years = tuple(range(info.start, last + 1))
    return ((info.base_year,) if needs_base else ()) + years


def request_rows(plan=None, observed: pd.DataFrame | None = None, as_of: int | None = None) -> pd.DataFrame:
    """One row per subject and year of :func:`request_subjects`, with what is known of it.

    ``status``: ``known`` (a plan-basis value with a source is loaded: prefilled for checking)
    or ``needed``.  ``asked``: the plan's shipped data hold no value for it, so the request
    asks for it (an asked row may since have been answered: ``status == 'known'`` and
    ``origin == 'user'``).  ``observed``: the plan's observed values (default: loaded).

    >>> rows = request_rows(as_of=2023).set_index(["subject_id", "year"])
    >>> row = rows.loc[("urbanisation_rate", 2023)]
    >>> row.status, bool(row.asked), row.source_quality
    ('known', False, 'official')
    >>> row = rows.loc[("talent_total", 2023)]
    >>> row.status, bool(row.asked)
    ('needed', True)
    """
    plan = _plan(plan)
    if observed is None:
        from .load import load_observed

        observed = load_observed(plan=plan)
    subjects = request_subjects(plan, as_of)
    obs = observed[(observed["series"] == "plan") & (observed["region"] == plan.region)
                   & ~observed["is_derived"].astype(bool)]
    obs = obs.assign(subject_id=obs["target_id"].where(obs["target_id"] != "", obs["indicator_id"]))
    obs = obs.drop_duplicates(["subject_id", "year"], keep="last").set_index(["subject_id", "year"])
    records = []
    for s in subjects.to_dict("records"):
        for year in s["years"]:
            rec = {k: v for k, v in s.items() if k != "years"}
            rec.update(year=year, status="needed", asked=True, value=math.nan, qualifier="", source_title="",
                       source_url="", source_quality="", origin="", notes="", snippet="", evidence_grade="", to_confirm=False)
            key = (s["subject_id"], year)
            if key in obs.index:
                o = obs.loc[key]
                rec["asked"] = bool(o["origin"] != "shipped")
                if o["source_title"] or o["source_url"]:   # a value without a source is asked again
                    rec.update(status="known", value=float(o["value"]), qualifier=o["qualifier"],
                               source_title=o["source_title"], source_url=o["source_url"],
                               source_quality=o["source_quality"], origin=o["origin"], notes=o["notes"],
                               snippet=o["snippet"],
                               evidence_grade=o["evidence_grade"], to_confirm=_grades.to_confirm(o["evidence_grade"]),
                               value_type=o["value_type"] or rec["value_type"])
            records.append(rec)
    return pd.DataFrame(records)


# ---------------------------------------------------------------- what came back


def requests_coverage(plan=None, observed: pd.DataFrame | None = None, as_of: int | None = None,
                      lang: str = "zh") -> pd.DataFrame:
    """Per department: values asked, values come back, values still missing, and which.

    A value is asked when the plan's shipped data lack it (:func:`request_rows`); it has come
    back when a value with a source is now loaded for it (an import of the returned workbook).
    Columns (Chinese, or English with ``lang='en'``): department, subjects asked, values
    asked, come back, still missing, share come back, what is still missing.

    >>> table = requests_coverage(as_of=2023).set_index("责任单位")
    >>> int(table.loc["省教育厅", "征集数值"]) > 0, int(table.loc["省教育厅", "已返回"])
    (True, 0)
    """
    plan = _plan(plan)
    rows = request_rows(plan, observed, as_of)
    asked = rows[rows["asked"]]
    zh = lang != "en"
    out = []
    for (department_id, department_zh, department_en), group in asked.groupby(
            ["department_id", "department_zh", "department_en"], sort=False):
        back = group[group["status"] == "known"]
        missing = group[group["status"] != "known"]
        lines = []
        for subject_id, m in missing.groupby("subject_id", sort=False):
            name = m["name_zh"].iloc[0] if zh else m["name_en"].iloc[0]
            if m["is_target"].iloc[0]:      # a target by its number (ch03-t13); an indicator by its name
                name = f"{subject_id} {name}"
            lines.append(f"{name}（{year_span(m['year'], zh)}）" if zh else f"{name} ({year_span(m['year'], zh)})")
        out.append({
            "department_id": department_id,
            ("责任单位" if zh else "Department"): (department_zh or "（未定责任单位）") if zh
            else (department_en or department_id or "(no department named)"),
            ("征集项目" if zh else "Subjects asked"): group["subject_id"].nunique(),
            ("征集数值" if zh else "Values asked"): len(group),
            ("已返回" if zh else "Come back"): len(back),
            ("仍缺" if zh else "Still missing"): len(missing),
            ("返回率" if zh else "Share come back"): f"{len(back) / len(group):.0%}",
            ("仍缺内容" if zh else "Still missing: what"): ("；" if zh else "; ").join(lines),
        })
    return pd.DataFrame(out)


def year_span(years, zh: bool = True) -> str:
    """Years as a reader writes them: runs joined by a dash, gaps listed.

    >>> year_span([2021, 2022, 2023, 2025]), year_span([2020], zh=False)
    ('2021–2023、2025年', '2020')
    """
    years = sorted(int(y) for y in years)
    runs, start = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            runs.append(f"{start}" if start == a else f"{start}–{a}")
            start = b
    return ("、".join(runs) + "年") if zh else ", ".join(runs)


# ---------------------------------------------------------------- the workbooks


def request_file_name(department_id: str) -> str:
    """The file name of a department's request: ``数据征集表-<department_id>.xlsx`` (the id
    must be a plain name: letters, digits, ``-``, ``_``).

    >>> request_file_name("edu")
    '数据征集表-edu.xlsx'
    >>> request_file_name("../x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.ParameterError: department_id '../x' 不能用作文件名...
    """
    return f"{REQUEST_FILE_PREFIX}{safe_name(department_id, 'department_id')}.xlsx"


def write_requests(folder, plan=None, observed: pd.DataFrame | None = None, as_of: int | None = None, *,
                   due: datetime.date | None = None, today: datetime.date | None = None,
                   departments: list[str] | None = None, force: bool = False) -> list[Path]:
    """Write one request workbook per department into ``folder``; return their paths.

    ``due``: the answer date (default: :func:`request_settings`'s ``reply_within_days`` after
    ``today``); ``departments``: only these ``department_id``\\ s; ``force``: overwrite existing
    files (otherwise an existing file is an error and nothing is written).  Each workbook has
    the sheets 说明 (the cover), 数据 (one row per subject and year: the rows to fill in, and
    the known values, greyed, to check), 重点任务进展 (one row per task the department leads, to
    report its progress: :func:`~plananalysis.observed.task_reports.add_task_sheet`; a department
    leading no task has none) and 目标说明 (each subject's target and the plan's words).  A
    department that leads tasks but answers for no number gets a workbook too (its 数据 empty).

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> paths = write_requests(tmp.name, as_of=2023, departments=["edu"], due=datetime.date(2026, 3, 31))
    >>> [p.name for p in paths]
    ['数据征集表-edu.xlsx']
    >>> from openpyxl import load_workbook
    >>> book = load_workbook(paths[0])
    >>> book.sheetnames, [c.value for c in book["数据"][1]][:5]
    (['说明', '数据', '重点任务进展', '目标说明'], ['目标编号', '指标编号', '指标名称', '地区', '年份'])
    >>> tmp.cleanup()
    """
    plan = _plan(plan)
    as_of = plan.info.default_as_of() if as_of is None else int(as_of)
    settings = request_settings(plan)
    due = due or settings.due(today)
    rows = request_rows(plan, observed, as_of)
    leads = list(plan.tasks["department_id"]) if len(plan.tasks) else []   # who reports on tasks (重点任务进展)
    wanted = list(dict.fromkeys(list(rows["department_id"]) + leads))
    if departments:
        unknown = [d for d in departments if d not in wanted]
        if unknown:
            raise PlanDataError(plan.folder / "responsibilities.csv", None, "department_id", unknown[0],
                                "负有责任的单位之一 (a department with indicators, targets or tasks: "
                                + ", ".join(w for w in wanted if w) + ")")
        wanted = [d for d in wanted if d in departments]
    folder = Path(folder)
    targets = {d: folder / request_file_name(d) for d in wanted if d}
    existing = [p for p in targets.values() if p.exists()]
    if existing and not force:
        raise PlanDataError(existing[0], None, None, str(existing[0]),
                            "一个尚不存在的文件；覆盖请加 --force (a file that does not exist yet; use --force to overwrite)")
    written = []
    for department_id, path in targets.items():
        group = rows[rows["department_id"] == department_id]
        data = _workbook(plan, group, as_of, due, settings, today or datetime.date.today(), department_id)
        written.append(write_atomically(path, data))
    return written


def _workbook(plan, rows: pd.DataFrame, as_of: int, due: datetime.date, settings: RequestSettings,
              today: datetime.date, department_id: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    font = "Microsoft YaHei"
    bold = Font(name=font, bold=True)
    grey = PatternFill("solid", fgColor="D9D9D9")
    to_fill = PatternFill("solid", fgColor="FFF2CC")
    to_check = PatternFill("solid", fgColor="F8CBAD")
    head_fill = PatternFill("solid", fgColor="BDD7EE")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top_wrap, centred = Alignment(wrap_text=True, vertical="top"), Alignment(horizontal="center", vertical="center", wrap_text=True)
    plain, known_font, to_fill_font = Font(name=font), Font(name=font, color="595959"), Font(name=font, color="000000")
    cover_fonts = {None: Font(name=font, bold=False, size=11), "bold": Font(name=font, bold=True, size=11),
                   "title": Font(name=font, bold=True, size=16)}
    locked, unlocked = Protection(locked=True), Protection(locked=False)
    styles = CellStyles()
    from .task_reports import add_task_sheet, cover_lines

    department = _department_names(plan).get(department_id, (department_id, ""))[0] or department_id
    needed, known = rows[rows["status"] != "known"], rows[rows["status"] == "known"]

    book = Workbook()
    cover = book.active
    cover.title = "说明"
    contact = "，".join(x for x in (settings.office, settings.contact, settings.phone and f"电话 {settings.phone}",
                                     settings.email and f"邮箱 {settings.email}") if x) or "（见发文通知）"
    lines = [
        (f"{plan.title}实施评估 数据征集表", "title"),
        ("", None),
        (f"致：{department}", None),
        (f"{DEPARTMENT_MARK}：{department_id}（导入时据此核对：本表只能填报本单位负责的指标、目标和牵头的任务）", None),
        (f"发文单位：{settings.issuer_zh}　　联系人：{contact}", None),
        (f"评估年份：截至{as_of}年（{'终期评估' if plan.info.phase(as_of) == 'final' else '中期评估'}）　　"
         f"编制日期：{today.year}年{today.month}月{today.day}日", None),
        (f"请于 {due.year}年{due.month}月{due.day}日 前填妥并返回本工作簿。", "bold"),
        ("", None),
        ("征集内容", "bold"),
        (f"本单位负责的主要指标和规划正文量化目标共 {rows['subject_id'].nunique()} 项（见“目标说明”表）："
         f"需填报 {len(needed)} 个数值（“数据”表中未着色的行），另有 {len(known)} 个已掌握的数值（灰色行）请核对。"
         if len(rows) else "本单位不负责主要指标和规划正文量化目标，“数据”表无需填写；请填报“重点任务进展”表。", None),
        (f"年份为{plan.info.start}年至{min(as_of, plan.info.end)}年各年；规划未给基期值的，请同时填报{plan.info.base_year}年基期值。"
         f"数值均为{plan.region}的数值，统计范围和方法与规划目标一致。", None),
        ("", None),
        ("填写方法", "bold"),
        (f"1. 只在“数据”表的“{'、'.join(HEADERS_ZH[c] for c in OPEN_COLUMNS)}”列填写；其他列已锁定，"
         "请勿改动、增删行或改表名，也不要增加工作表（其他工作表中的数据不会导入，导入时会被退回）。", None),
        ("2. 数值：只填数字（可带小数），单位以“单位”列为准，不同单位请先换算；没有数据的年份留空，该行不会导入。", None),
        ("3. 限定符：精确值留空；约数选“左右”；只知下限选“以上”，只知上限选“以下”。", None),
        ("4. 来源：每个数值须注明来源名称（如统计公报、年鉴、部门统计年报、文件文号），有网址的填来源链接；"
         "来源类型从下拉列表选择（本单位统计数据选“部门数据”）。", None),
        ("5. 数值类型（已预填）：水平 = 当年年末（或全年）水平；当年新增 = 该年新增量；累计 = 规划期（"
         f"{plan.info.start}年起）累计到该年。统计范围或方法不同的，请在备注中说明。", None),
        ("6. 灰色行为已掌握的数值及来源，请核对；有误的请直接改正数值或来源，并在备注中说明。", None),
        ("7. 原文摘录：有公开来源的，请摘录来源中给出该数值的原话（如“全年城镇新增就业116.3万人。”），便于核对；"
         "部门内部数据可留空。", None),
        ("8. 请勿输入公式，请勿合并单元格；从其他表格复制时请“选择性粘贴—数值”。", None),
        ("", None),
        *_confirm_lines(known),
        *((line, "bold" if i == 0 else None) for i, line in enumerate(cover_lines(plan, department_id))),
        ("", None),
        ("返回后的处理", "bold"),
        (f"返回的工作簿由发文单位用 plananalysis data import 导入（规划编号 {plan.plan_id}），逐格检查；"
         "发现问题会列明工作表行号、列名和应填内容，退回修改。", None),
    ]
    if settings.note:
        lines.insert(7, (settings.note, None))
    for text, style in lines:
        cover.append([spreadsheet_text(text)])
        styles.apply(cover.cell(row=cover.max_row, column=1), alignment=top_wrap, font=cover_fonts[style])
    cover.column_dimensions["A"].width = 120
    _print_setup(cover, title_rows=None)
    cover.protection.sheet = True

    sheet = book.create_sheet("数据")
    columns = list(REQUEST_HEADERS)
    sheet.append([REQUEST_HEADERS[c] for c in columns])
    for cell in sheet[1]:
        styles.apply(cell, font=bold, fill=head_fill, border=border, alignment=centred)
    ordered = rows.sort_values(
        ["is_target", "indicator_no", "subject_id", "year"], kind="stable")
    for r in ordered.to_dict("records"):
        is_known = r["status"] == "known"
        values = {
            "target_id": r["subject_id"] if r["is_target"] else "",
            "indicator_no": "" if r["is_target"] else int(r["indicator_no"]),
            "indicator_name": r["name_zh"], "region": plan.region, "year": int(r["year"]), "unit": r["unit"],
            "value_type": _VALUE_TYPE_WORDS.get(r["value_type"], ""),
            "value": float(r["value"]) if is_known else None,
            "qualifier": _QUALIFIER_WORDS.get(r["qualifier"], r["qualifier"]) if is_known else "",
            "source_title": r["source_title"] if is_known else "",
            "source_url": r["source_url"] if is_known else "",
            "source_quality": _QUALITY_WORDS.get(r["source_quality"], "") if is_known else "",
            "snippet": r["snippet"] if is_known else "",
            "evidence_grade": _grades.grade_label(r.get("evidence_grade", "")) if is_known else "",
            "notes": r["notes"] if is_known else "",
        }
        sheet.append([spreadsheet_text(values[c]) if values[c] != "" else None for c in columns])
        for i, column in enumerate(columns, start=1):
            is_open = column in OPEN_COLUMNS
            if is_known and r.get("to_confirm") and column in ("evidence_grade", "source_quality"):
                fill = to_check    # 请核实: a reprinted value its department confirms or replaces
            else:
                fill = grey if is_known else to_fill if is_open else None
            styles.apply(sheet.cell(row=sheet.max_row, column=i), font=known_font if is_known else to_fill_font,
                         border=border, protection=unlocked if is_open else locked, fill=fill,
                         number_format="General" if column == "value" else None)
    last = max(sheet.max_row, 2)
    letter = {c: chr(ord("A") + i) for i, c in enumerate(columns)}
    number = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15",
                            allow_blank=True, showErrorMessage=True, showInputMessage=True,
                            errorTitle="数值", error="请只填数字（不带单位、不带文字）；限定符请在“限定符”列选择。",
                            promptTitle="数值", prompt="只填数字，单位见“单位”列；没有数据留空。")
    qualifier = DataValidation(type="list", formula1='"' + ",".join(QUALIFIER_CHOICES) + '"', allow_blank=True,
                               showErrorMessage=True, errorTitle="限定符", error="精确值留空，或选择 左右、以上、以下。")
    quality = DataValidation(type="list", formula1='"' + ",".join(QUALITY_CHOICES) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="来源类型", error="请从下拉列表中选择来源类型。")
    for validation, column in ((number, "value"), (qualifier, "qualifier"), (quality, "source_quality")):
        sheet.add_data_validation(validation)
        validation.add(f"{letter[column]}2:{letter[column]}{last}")
    widths = {"target_id": 11, "indicator_no": 9, "indicator_name": 34, "region": 9, "year": 7, "unit": 9,
              "value_type": 10, "value": 12, "qualifier": 9, "source_title": 36, "source_url": 30,
              "source_quality": 11, "snippet": 36, "evidence_grade": 12, "notes": 30}
    for column, width in widths.items():
        sheet.column_dimensions[letter[column]].width = width
    sheet.freeze_panes = "A2"
    _print_setup(sheet, title_rows="1:1")
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False   # a department may widen a column or a row
    sheet.protection.formatRows = False

    add_task_sheet(book, plan, department_id, font=font, styles=styles)

    about = book.create_sheet("目标说明")
    about.append(list(SUBJECT_SHEET_HEADER))
    for cell in about[1]:
        styles.apply(cell, font=bold, fill=head_fill, border=border)
    for subject_id, group in ordered.groupby("subject_id", sort=False):
        r = group.iloc[0]
        about.append([spreadsheet_text(v) for v in (
            subject_id if r["is_target"] else str(int(r["indicator_no"])),
            r["name_zh"], r["target_text"], int(r["target_year"]), r["unit"],
            _VALUE_TYPE_WORDS.get(r["value_type"], ""), r["quote"], r["co_departments_zh"],
            year_span(group.loc[group["status"] != "known", "year"]) if (group["status"] != "known").any() else "（已齐）")])
        for cell in about[about.max_row]:
            styles.apply(cell, alignment=top_wrap, font=plain)
    for col, width in zip("ABCDEFGHI", (10, 30, 18, 9, 9, 10, 60, 20, 16)):
        about.column_dimensions[col].width = width
    about.freeze_panes = "A2"
    _print_setup(about, title_rows="1:1")
    about.protection.sheet = True

    from openpyxl.workbook.protection import WorkbookProtection

    book.security = WorkbookProtection(lockStructure=True)   # no sheet added, removed or renamed in Excel
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CONFIRM_HEADING = "请核实：以下数值来自转载，请确认或更正"


def _confirm_lines(known: pd.DataFrame) -> list[tuple[str, str | None]]:
    """The cover's section asking a department to confirm or replace every reprinted (or
    news-reported) value it owns; ``[]`` when there is none.

    >>> rows = pd.DataFrame([{"name_zh": "甲", "year": 2022, "value": 1.5, "qualifier": "",
    ...     "unit": "%", "source_title": "某网站", "evidence_grade": "reprint", "to_confirm": True}])
    >>> [t for t, _ in _confirm_lines(rows)][0]
    '请核实：以下数值来自转载，请确认或更正'
    >>> _confirm_lines(rows.assign(to_confirm=False))
    []
    """
    if "to_confirm" not in known.columns:
        return []
    asked = known[known["to_confirm"].astype(bool)]
    if asked.empty:
        return []
    lines: list[tuple[str, str | None]] = [(CONFIRM_HEADING, "bold"), (
        f"下列{len(asked)}个数值取自转载或媒体报道（“数据”表中“证据等级”一格为橙色），尚未经本单位核实。"
        "数值无误的，请将“来源类型”改为“部门数据”并在“来源名称”中注明本单位的依据；有误的，请改正数值并同样选“部门数据”。"
        "导入后，确认的数值记为“部门报送”。", None)]
    for r in asked.to_dict("records"):
        value = f"{r.get('qualifier') or ''}{float(r['value']):g}{r.get('unit') or ''}"
        lines.append((f"· {r['name_zh']}（{int(r['year'])}年）：{value}，来源：{r['source_title']}"
                      f"（{_grades.grade_label(r['evidence_grade'])}）", None))
    lines.append(("", None))
    return lines


def _print_setup(sheet, title_rows: str | None) -> None:
    """Landscape A4, fit to the page's width, the header row repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows


# ---------------------------------------------------------------- a returned workbook


_MARK = re.compile(rf"^\s*{DEPARTMENT_MARK}\s*[:：]\s*([^\s（(]*)")
_ID_CHAR = re.compile(r"[A-Za-z0-9_]")


def _marked_departments(cells) -> set[str]:
    """The department ids the cover (sheet 说明) of a returned workbook names."""
    return {match.group(1) for row in cells.own_sheets.get("说明", []) for text in row[:1]
            for match in [_MARK.match(text)] if match}


def _named_department(name: str, ids) -> str | None:
    """The department a file's name says it is the request of (``数据征集表-edu（已填）.xlsx`` →
    ``edu``), ``''`` for a request's name that names no department, ``None`` for another name.

    >>> _named_department("数据征集表-sci-tech - 副本.xlsx", ["sci", "sci-tech"])
    'sci-tech'
    >>> _named_department("数据征集表-edu2.xlsx", ["edu"]), _named_department("a.xlsx", ["edu"])
    ('', None)
    """
    stem = name.rsplit(".", 1)[0]
    if not stem.startswith(REQUEST_FILE_PREFIX):
        return None
    rest = stem[len(REQUEST_FILE_PREFIX):]
    found = [d for d in ids if rest.startswith(d) and not _ID_CHAR.match(rest[len(d):len(d) + 1])]
    return max(found, key=len) if found else ""


def return_checker(plan=None):
    """What a returned file may hold: a function ``(path, cells) -> refuse`` where ``refuse`` is
    ``None`` for a file of the analyst's own (no limit), else, for a department's return, a
    function ``(subject_id, name) -> None | expected`` refusing the rows another department
    is responsible for (``responsibilities.csv``).

    A file is a department's return when its cover (sheet 说明) carries ``单位编号：<id>`` (as
    :func:`write_requests` writes it) or its name is ``数据征集表-<id>…``; a mark naming no
    department of the plan, or a name and a mark that disagree, are refused.

    >>> from pathlib import Path
    >>> from .spreadsheet import Cells
    >>> check = return_checker()
    >>> check(Path("analyst.xlsx"), Cells([["年份"]])) is None
    True
    >>> refuse = check(Path("回执.xlsx"), Cells([["年份"]], own_sheets={"说明": [["单位编号：edu"]]}))
    >>> refuse("ch03-t01", "重点培育窗口学校") is None
    True
    >>> print(refuse("life_expectancy", "人均预期寿命"))  # doctest: +NORMALIZE_WHITESPACE
    省教育厅负责的指标或目标：省教育厅的回执含有 人均预期寿命 (life_expectancy)，该项的责任单位是 省卫生健康委，请由其填报
    (a row Department of Education is responsible for: this return of Department of Education carries 人均预期寿命
    (life_expectancy), for which the responsible department is Health Commission — leave it to them)
    """
    plan = _plan(plan)
    names = _department_names(plan)
    owners = dict(zip(responsibility_table(plan)["subject_id"], responsibility_table(plan)["department_id"]))

    def zh_en(department_id):
        zh, en = names.get(department_id, (department_id, department_id))
        return zh or department_id, en or department_id

    def check(path, cells):
        path = Path(path)
        listed = "、".join(names) or "—"
        marked = _marked_departments(cells)
        named = _named_department(path.name, names)
        expected_id = (f"departments.csv 中的单位编号之一：{listed} (a department_id of departments.csv: "
                       f"{', '.join(names) or '—'})")
        if len(marked) > 1:
            raise PlanDataError(path, None, f"说明 {DEPARTMENT_MARK}", "、".join(sorted(marked)),
                                f"一个单位编号 (one department_id: the cover names {len(marked)})")
        mark = next(iter(marked), None)
        if mark is not None and mark not in names:
            raise PlanDataError(path, None, f"说明 {DEPARTMENT_MARK}", mark, expected_id)
        if named == "":
            raise PlanDataError(path, None, None, path.name,
                                f"以 {REQUEST_FILE_PREFIX}<单位编号> 开头的数据征集表文件名，单位编号见 departments.csv："
                                f"{listed}；不是数据征集表的文件请改名 (a request's name {REQUEST_FILE_PREFIX}<department_id>, "
                                f"a department_id of departments.csv: {', '.join(names) or '—'}; rename a file that is "
                                "not a returned request)")
        if mark is not None and named is not None and mark != named:
            raise PlanDataError(path, None, f"说明 {DEPARTMENT_MARK}", mark,
                                f"与文件名一致的单位编号 {named}：文件名与封面所写的单位不同 (the department the file's "
                                f"name says, {named}: the name and the cover name different departments)")
        department_id = mark or named
        if department_id is None:
            return None
        me_zh, me_en = zh_en(department_id)

        def refuse(subject_id, name):
            owner = owners.get(subject_id, "")
            if owner == department_id:
                return None
            head = (f"{me_zh}负责的指标或目标：{me_zh}的回执含有 {name} ({subject_id})，",
                    f"(a row {me_en} is responsible for: this return of {me_en} carries {name} ({subject_id}), ")
            if not owner:
                return (head[0] + "该项在 responsibilities.csv 中没有责任单位 " + head[1]
                        + "for which responsibilities.csv names no department)")
            owner_zh, owner_en = zh_en(owner)
            return (head[0] + f"该项的责任单位是 {owner_zh}，请由其填报 " + head[1]
                    + f"for which the responsible department is {owner_en} — leave it to them)")

        refuse.department_id = department_id   # whose task statements the file may carry
        return refuse

    return check
