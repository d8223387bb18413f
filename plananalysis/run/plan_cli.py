"""``plananalysis plan``: start a new plan folder.

    plananalysis plan new ID --region 某市 [--title …] [--level city] [--start 2026] [--end 2030] [--dir FOLDER]

writes ``data/plans/ID/`` (or ``FOLDER/ID``) with the files every plan needs — ``plan.yml``,
``sources.yml``, ``indicators.csv`` (the header), ``regions.csv`` (the plan's region) and a
``README.md`` saying what to fill in next (``docs/new-plan.md`` has the whole contract).  The
skeleton passes ``plananalysis check``; nothing is overwritten.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from ..errors import ParameterError

__all__ = ["register", "new_plan"]

_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,62}")


def new_plan(plan_id: str, region: str, *, title: str = "", level: str = "province", start: int | None = None,
             end: int | None = None, folder=None) -> Path:
    """Write a new plan folder's skeleton; return its path.

    >>> import tempfile
    >>> from plananalysis.plan.folder import load_plan
    >>> path = new_plan("demo-city-15th", "某市", level="city", start=2026, end=2030, folder=tempfile.mkdtemp())
    >>> plan = load_plan(path)
    >>> plan.info.start, plan.info.end, plan.region, len(plan.indicators)
    (2026, 2030, '某市', 0)
    """
    from ..files import write_text_atomically
    from ..paths import data_dir
    from ..plan.folder import INDICATOR_COLUMNS, REGION_COLUMNS, REQUIRED_INDICATOR_COLUMNS
    from ..plan.info import REGION_LEVELS

    if not _ID.fullmatch(plan_id or ""):
        raise ParameterError(f"规划编号 {plan_id!r} 应为小写字母、数字和连字符 (a plan id: lower-case letters, digits, hyphens)")
    if level not in REGION_LEVELS:
        raise ParameterError(f"地区级别 {level!r} 应为 {' / '.join(REGION_LEVELS)} (region level)")
    if not region or any(c in region for c in "/\\\n"):
        raise ParameterError(f"地区 {region!r} 应为地区名称 (a region name)")
    start = start or datetime.date.today().year
    end = end or start + 4
    if not start <= end:
        raise ParameterError(f"规划期 {start}–{end} 不成立 (start must not be after end)")
    target = Path(folder) if folder else data_dir() / "plans"
    path = target / plan_id
    if path.exists():
        raise ParameterError(f"{path} 已存在，不会覆盖 (exists; nothing is overwritten)")
    midterm = (start + end) // 2
    title = title or f"{region}“{start}—{end}年”规划（请改为正式名称）"
    files = {
        "plan.yml": f"""# Who, where and when (docs/new-plan.md). Change the title and check the years.
id: {plan_id}
title_zh: {title}
title_en: ""
region: {region}
region_level: {level}
period: {{start: {start}, end: {end}, base_year: {start - 1}}}
midterm_year: {midterm}
language: zh
tables: {{}}          # add previous_plan / chapters / catalogue when the plan has them
notes: []            # the table's own notes, e.g. {{mark: "*", year: {start - 2}, text: "带*的为{start - 2}年数据"}}
""",
        "sources.yml": """# Where each file of this plan comes from: fill in the document's title, publisher and date.
document: &document
  title: ""          # the plan's official title as published
  publisher: ""      # who issued it
  issued: ""         # date
files:
  plan.yml:
    <<: *document
  indicators.csv:
    <<: *document
    section: ""      # e.g. 表1 主要指标
  regions.csv:
    note: the plan's region (add the regions below it with their official codes)
""",
        "indicators.csv": ",".join(REQUIRED_INDICATOR_COLUMNS + [c for c in ("no", "category_zh", "name_en", "attribute")
                                                                 if c in INDICATOR_COLUMNS]) + "\n",
        "regions.csv": ",".join(REGION_COLUMNS) + f"\n,{region},,{level},,\n",
        "README.md": f"""# {title}

Next steps (the whole contract: `docs/new-plan.md`):

1. `plan.yml` — the official title, period, base year and mid-term year; the table's notes.
2. `indicators.csv` — one row per headline indicator, printed cells verbatim.
3. `regions.csv` — the official code of {region} and the regions below it.
4. `sources.yml` — where each file comes from.
5. `plananalysis check --plan {plan_id}`; then `plananalysis data template 模板.xlsx --plan {plan_id}`,
   fill it in, `plananalysis data import 模板.xlsx --plan {plan_id}`; `plananalysis review --plan {plan_id}`.
""",
    }
    for name, text in files.items():
        write_text_atomically(path / name, text)
    return path


def _new(args) -> int:
    path = new_plan(args.id, args.region, title=args.title or "", level=args.level, start=args.start,
                    end=args.end, folder=args.dir)
    print(f"已写入新规划文件夹 (new plan folder written): {path}\n"
          f"下一步 (next): 编辑 {path / 'plan.yml'} 与 {path / 'indicators.csv'}，然后 plananalysis check --plan {path}")
    return 0


def register(sub) -> None:
    """Add ``plan new`` to the ``plananalysis`` command.

    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="plananalysis")
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["plan", "new", "city-15th", "--region", "某市", "--level", "city"])
    >>> args.id, args.region, args.level
    ('city-15th', '某市', 'city')
    """
    plan = sub.add_parser("plan", help="start a new plan folder")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    p = plan_sub.add_parser("new", help="write a new plan folder's skeleton that passes check")
    p.add_argument("id", help="the plan's id: lower-case letters, digits and hyphens (e.g. city-15th)")
    p.add_argument("--region", required=True, help="the plan's region (e.g. 某市)")
    p.add_argument("--title", default="", help="the plan's title (default: a placeholder to change)")
    p.add_argument("--level", default="province", help="country, province, city or county")
    p.add_argument("--start", type=int, default=None, help="first year of the plan (default: this year)")
    p.add_argument("--end", type=int, default=None, help="last year (default: start + 4)")
    p.add_argument("--dir", default=None, help="where to write it (default: data/plans)")
    p.set_defaults(handler=_new)
