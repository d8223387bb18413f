"""``plananalysis data``: a plan's observed data — list it, write the template, import a file,
send the departments their data requests.

    plananalysis data template [PATH] [--plan ID]   write the import template (.xlsx or .csv)
    plananalysis data import FILE|FOLDER [--plan ID] [--dry-run] [--replace] [--no-source]
    plananalysis data list [--plan ID] [--region 某市] [--indicator urbanisation_rate]
    plananalysis data requests [--plan ID] [--as-of 2025] [--out FOLDER] [--due 2026-03-31]
                               [--department edu ...] [--force]
                                                    one workbook per department (数据征集表);
                                                    filled and returned, they go back in with
                                                    plananalysis data import FOLDER

``--plan`` is a plan id or a plan folder (a path is taken relative to where the command runs);
the file is checked against that plan and written to its ``observed/`` folder.
``--data-dir DIR`` (or ``$PLANANALYSIS_DATA_DIR``) points at another data folder (its
``plans/`` are used).  Exit status: 0 done; 1 import done but
conflicting values were left unchanged; 2 bad input (one line per problem, nothing written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import PlanDataError

__all__ = ["register"]

EXIT_OK, EXIT_CONFLICTS, EXIT_BAD_INPUT = 0, 1, 2


def _plan(args):
    """The plan the command is about; ``--data-dir`` first points the plan loader at that data folder."""
    import os

    from ..plan.folder import load_plan

    if args.data_dir:
        os.environ["PLANANALYSIS_DATA_DIR"] = str(Path(args.data_dir).resolve())
    return load_plan(args.plan or None)


def _report(error: PlanDataError) -> int:
    for line in str(error).splitlines():
        print(f"plananalysis: 错误 (error): {line}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _unwritable(path, exc: OSError) -> int:
    """A file that cannot be written (a read-only folder, a full disk): one line, exit 2."""
    return _report(PlanDataError(exc.filename or path, None, None, str(exc.filename or path),
                                 f"一个可写入的位置 (a place that can be written: {exc.strerror or exc})"))


def _import(args) -> int:
    from ..observed.importer import import_observed

    try:
        summary = import_observed(args.file, plan=_plan(args), replace=args.replace,
                                  allow_unsourced=args.no_source, dry_run=args.dry_run)
    except PlanDataError as error:
        return _report(error)
    print(summary.format())
    return EXIT_CONFLICTS if summary.counts["conflicts"] else EXIT_OK


def _template(args) -> int:
    from ..observed.importer import write_template

    try:
        path = write_template(args.path, plan=_plan(args), force=args.force)
    except PlanDataError as error:
        return _report(error)
    except OSError as exc:
        return _unwritable(args.path, exc)
    print(f"已写入模板 (template written): {path}")
    return EXIT_OK


def _requests(args) -> int:
    import datetime

    from ..observed.requests import request_rows, write_requests
    from ..params import validate

    try:
        plan = _plan(args)
        as_of = validate(plan=str(plan.folder), as_of=args.as_of).as_of
        due = None
        if args.due:
            try:
                due = datetime.date.fromisoformat(args.due)
            except ValueError:
                raise PlanDataError("--due", None, None, args.due, "一个日期 YYYY-MM-DD (a date written YYYY-MM-DD)") from None
        out = Path(args.out) if args.out else Path("requests") / plan.plan_id / str(as_of)
        paths = write_requests(out, plan, as_of=as_of, due=due, departments=args.department or None, force=args.force)
    except PlanDataError as error:
        return _report(error)
    except OSError as exc:
        return _unwritable(args.out or "requests", exc)
    from ..observed.task_reports import department_tasks

    rows = request_rows(plan, as_of=as_of)
    names = dict(zip(plan.departments["department_id"], plan.departments["name_zh"])) if len(plan.departments) else {}
    for path in paths:
        department_id = path.stem.split("-", 1)[1]
        mine = rows[rows.department_id == department_id]
        print(f"{path}  {names.get(department_id, department_id)}: 待填 to fill {int((mine.status != 'known').sum())}, "
              f"已知待核 known to check {int((mine.status == 'known').sum())}, "
              f"任务进展 tasks to report on {len(department_tasks(plan, department_id))}")
    print(f"已写入 {len(paths)} 份数据征集表 (requests written); 返回后: plananalysis data import {out} "
          f"--plan {plan.plan_id}")
    return EXIT_OK


def _list(args) -> int:
    import pandas as pd

    from ..observed.load import load_observed

    try:
        frame = load_observed(plan=_plan(args), region=args.region, include_derived=not args.no_derived)
    except PlanDataError as error:
        return _report(error)
    if args.indicator:
        frame = frame[(frame.indicator_id == args.indicator) | (frame.target_id == args.indicator)
                      | (frame.indicator_no.astype("string") == args.indicator)]
    for r in frame.to_dict("records"):
        source = r["derivation"] if r["is_derived"] else (r["source_url"] or r["source_title"] or "—")
        number = "" if pd.isna(r["indicator_no"]) else str(r["indicator_no"])   # a chapter target has none
        print(f"{number:>2} {r['indicator_id'] or r['target_id']:<32} {r['region']} {r['series']:<12} {r['year']} "
              f"{r['qualifier']}{r['value']:g} {r['unit']}  [{r['origin']}, {r['source_quality']}] {source}")
    subjects = (frame.indicator_id + frame.target_id).nunique()
    print(f"共 {len(frame)} 行 (rows), {subjects} 项指标或目标 (indicators or targets)")
    return EXIT_OK


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``data`` command and its subcommands to the ``plananalysis`` parser.

    >>> parser = argparse.ArgumentParser(prog="plananalysis")
    >>> _ = register(parser.add_subparsers())
    >>> args = parser.parse_args(["data", "import", "某市.xlsx", "--dry-run"])
    >>> args.data_command, args.file, args.dry_run, args.replace
    ('import', '某市.xlsx', True, False)
    >>> parser.parse_args(["data", "template"]).path
    'observed-template.xlsx'
    >>> args = parser.parse_args(["data", "requests", "--as-of", "2025", "--department", "edu", "hrss"])
    >>> args.as_of, args.department, args.out
    (2025, ['edu', 'hrss'], None)
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--plan", default=None, help="plan id or folder (default: the default plan)")
    common.add_argument("--data-dir", default=None,
                        help="data folder (default: $PLANANALYSIS_DATA_DIR or the project's data/)")
    data = subparsers.add_parser("data", help="observed data: template, import, list, requests",
                                 description=__doc__.split("\n\n")[0])
    sub = data.add_subparsers(dest="data_command", required=True)

    p = sub.add_parser("import", parents=[common], help="check a CSV/.xlsx file (or a folder of them) and add its values",
                       description="Check every cell of the file, or of every .xlsx/.csv file of the folder, "
                                   "then add the values to the plan's observed/user.csv (nothing is written if "
                                   "anything is wrong).")
    p.add_argument("file", help="a .csv or .xlsx file in the template's format, or a folder of returned data requests")
    p.add_argument("--replace", action="store_true", help="let the file's values replace differing loaded ones")
    p.add_argument("--no-source", action="store_true", help="accept rows without a source (marked unsourced)")
    p.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    p.set_defaults(handler=_import)

    p = sub.add_parser("template", parents=[common], help="write the import template")
    p.add_argument("path", nargs="?", default="observed-template.xlsx", help=".xlsx or .csv (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(handler=_template)

    p = sub.add_parser("requests", parents=[common], help="write one data request workbook per department",
                       description="Write one workbook (数据征集表) per responsible department: the values still "
                                   "needed, those known (to check), a cover sheet with the answer date and contact.")
    p.add_argument("--as-of", type=int, default=None, help="the review year (default: the latest review due)")
    p.add_argument("--out", default=None, help="folder for the workbooks (default: requests/<plan>/<as-of>)")
    p.add_argument("--due", default=None, help="answer date, YYYY-MM-DD (default: plan.yml's data_requests.reply_within_days from today)")
    p.add_argument("--department", nargs="*", default=None, help="only these department_ids")
    p.add_argument("--force", action="store_true", help="overwrite existing workbooks")
    p.set_defaults(handler=_requests)

    p = sub.add_parser("list", parents=[common], help="print the observed values that are loaded")
    p.add_argument("--region", default=None, help="only this region (e.g. 某市)")
    p.add_argument("--indicator", default=None, help="only this indicator (id or number)")
    p.add_argument("--no-derived", action="store_true", help="leave out values computed by the package")
    p.set_defaults(handler=_list)
    return data
