"""``plananalysis plan``: start a new plan folder.

    plananalysis plan new ID --region 某市 [--title …] [--level city] [--start 2026] [--end 2030] [--dir FOLDER]

writes ``data/plans/ID/`` (or ``FOLDER/ID``) with the files every plan needs — ``plan.yml``,
``sources.yml``, ``indicators.csv`` (the header), ``regions.csv`` (the plan's region), an empty
``observed/`` for the first ``data import`` and a ``README.md`` saying what to fill in next
(``docs/new-plan.md`` has the whole contract).  Titles and regions are text: ``plan.yml`` is
written by a YAML writer and the CSV files by the csv module, so no title can add a key or a
column; the skeleton passes ``plananalysis check`` for any title or region it accepts.  The
folder is written under a temporary name and renamed when complete; nothing is overwritten.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import shutil
from pathlib import Path

from ..errors import ParameterError

__all__ = ["register", "new_plan"]

_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,62}")


def _year(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParameterError(f"--{name} {value!r} 应为 {low}–{high} 之间的年份 (--{name}: a year within {low}–{high})")
    return value


def _one_line(name: str, value: str, *, required: bool) -> str:
    from ..files import MAX_NAME_CHARACTERS, text_problem

    value = "" if value is None else str(value)
    if not value.strip():
        if required:
            raise ParameterError(f"--{name} 不能为空 (--{name} must not be empty)")
        return ""
    problem = text_problem(value, one_line=True, limit=MAX_NAME_CHARACTERS)
    if problem or value != value.strip():
        raise ParameterError(f"--{name} {value[:80]!r} 应为 {problem or '前后无空白的一行文字 (one line without leading or trailing spaces)'}")
    return value


def new_plan(plan_id: str, region: str, *, title: str = "", level: str = "province", start: int | None = None,
             end: int | None = None, folder=None) -> Path:
    """Write a new plan folder's skeleton; return its path.

    >>> import tempfile
    >>> from plananalysis.plan.folder import load_plan
    >>> path = new_plan("demo-city-15th", "某市", level="city", start=2026, end=2030, folder=tempfile.mkdtemp())
    >>> plan = load_plan(path)
    >>> plan.info.start, plan.info.end, plan.region, len(plan.indicators), (path / "observed").is_dir()
    (2026, 2030, '某市', 0, True)
    >>> load_plan(new_plan("t", "某市", title="标题: {{x}} *a #b, c", folder=path.parent)).title
    '标题: {{x}} *a #b, c'
    >>> new_plan("bad", "某市", start=0)
    Traceback (most recent call last):
    ...
    plananalysis.errors.ParameterError: --start 0 应为 1950–2200 之间的年份 (--start: a year within 1950–2200)
    """
    import yaml

    from ..files import write_text_atomically
    from ..paths import data_dir
    from ..plan.folder import INDICATOR_COLUMNS, REGION_COLUMNS, REQUIRED_INDICATOR_COLUMNS
    from ..plan.info import MAX_PERIOD_YEARS, REGION_LEVELS, YEAR_MAX, YEAR_MIN

    if not isinstance(plan_id, str) or not _ID.fullmatch(plan_id):
        raise ParameterError(f"规划编号 {str(plan_id)[:80]!r} 应为小写字母、数字和连字符 (a plan id: lower-case letters, digits, hyphens)")
    if level not in REGION_LEVELS:
        raise ParameterError(f"地区级别 {str(level)[:80]!r} 应为 {' / '.join(REGION_LEVELS)} (region level)")
    region = _one_line("region", region, required=True)
    title = _one_line("title", title, required=False)
    start = datetime.date.today().year if start is None else _year("start", start, YEAR_MIN + 1, YEAR_MAX)
    end = start + 4 if end is None else _year("end", end, YEAR_MIN + 1, YEAR_MAX)
    if not start <= end <= start + MAX_PERIOD_YEARS:
        raise ParameterError(f"规划期 {start}–{end} 不成立：应 start ≤ end ≤ start + {MAX_PERIOD_YEARS} "
                             f"(the period: start ≤ end, at most {MAX_PERIOD_YEARS} years)")
    target = Path(folder) if folder else data_dir() / "plans"
    path = target / plan_id
    if path.exists() or path.is_symlink():
        raise ParameterError(f"{path} 已存在，不会覆盖 (exists; nothing is overwritten)")
    title = title or f"{region}“{start}—{end}年”规划（请改为正式名称）"
    plan_yml = {"id": plan_id, "title_zh": title, "title_en": "", "region": region, "region_level": level,
                "period": {"start": start, "end": end, "base_year": start - 1},
                "midterm_year": (start + end) // 2, "language": "zh", "tables": {}, "notes": []}
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(REGION_COLUMNS)
    writer.writerow({"name_zh": region, "level": level}.get(c, "") for c in REGION_COLUMNS)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(
        REQUIRED_INDICATOR_COLUMNS + [c for c in ("no", "category_zh", "name_en", "attribute") if c in INDICATOR_COLUMNS])
    files = {
        "plan.yml": ("# Who, where and when (docs/new-plan.md). Change the title and check the years.\n"
                     "# tables: add previous_plan / chapters / catalogue when the plan has them;\n"
                     "# notes: the table's own notes, e.g. - {mark: \"*\", year: 2019, text: 带*的为2019年数据}\n"
                     + yaml.safe_dump(plan_yml, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)),
        "sources.yml": _SOURCES,
        "indicators.csv": header.getvalue(),
        "regions.csv": rows.getvalue(),
        "observed/sources.yml": ("# Where each file of observed/ comes from. `plananalysis data import` writes user.csv here,\n"
                                 "# with the source of every value in its rows.\nfiles: {}\n"),
        "README.md": _README.format(plan_id=plan_id),
    }
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f".{plan_id}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for name, text in files.items():
            write_text_atomically(tmp / name, text)
        os.rename(tmp, path)   # the folder appears whole, or not at all
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


_SOURCES = """# Where each file of this plan comes from: fill in the document's title, publisher and date.
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
"""

_README = """# New plan folder `{plan_id}`

The plan's title and region are in `plan.yml`. Next steps (the whole contract: `docs/new-plan.md`):

1. `plan.yml` — the official title, period, base year and mid-term year; the table's notes.
2. `indicators.csv` — one row per headline indicator, printed cells verbatim.
3. `regions.csv` — the official code of the plan's region and the regions below it.
4. `sources.yml` — where each file comes from.
5. `plananalysis check --plan {plan_id}`; then `plananalysis data template 模板.xlsx --plan {plan_id}`,
   fill it in, `plananalysis data import 模板.xlsx --plan {plan_id}`; `plananalysis review --plan {plan_id}`.
   (`plananalysis` is `.venv/bin/plananalysis` in the project folder, or `plananalysis` after
   `source .venv/bin/activate`.)
"""


def _new(args) -> int:
    path = new_plan(args.id, args.region, title=args.title or "", level=args.level, start=args.start,
                    end=args.end, folder=args.dir)
    print(f"已写入新规划文件夹 (new plan folder written): {path}\n"
          f"下一步 (next): 编辑 {path / 'plan.yml'} 与 {path / 'indicators.csv'}，然后 plananalysis check --plan {path}")
    return 0


def _int_argument(text: str):
    """A whole number from the command line, else the text (refused by :func:`new_plan` with its range)."""
    return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text.strip()) else text


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
    p.add_argument("--start", type=_int_argument, default=None, help="first year of the plan (default: this year)")
    p.add_argument("--end", type=_int_argument, default=None, help="last year (default: start + 4)")
    p.add_argument("--dir", default=None, help="where to write it (default: data/plans)")
    p.set_defaults(handler=_new)
