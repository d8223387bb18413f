"""The analyst's own values from Python: add one (or a table of them), list them, undo an import.

The same path as ``plananalysis data import``: the rows are written to a small CSV in the
template's columns and handed to :func:`~plananalysis.observed.importer.import_observed`, so
every cell is checked as an imported file's is (the indicator or target, region, year, unit,
plausible range, source), nothing is written if anything is wrong, and ``user.csv`` is written
atomically under the import lock after a backup of the previous one in ``backups/``.
:func:`undo_last_import` puts the newest backup back (the undone ``user.csv`` is kept as
``backups/undone-….csv``), so imports are undone one after another, newest first.

Everything goes to the plan's observed folder (``plan``: a plan id or folder; try things in a
copy, or point ``$PLANANALYSIS_DATA_DIR`` at a copy of the data folder):

>>> import shutil, tempfile
>>> from plananalysis.plan.folder import load_plan
>>> region = load_plan().info.region
>>> tmp = tempfile.TemporaryDirectory()
>>> plan = shutil.copytree(observed_dir().parent, f"{tmp.name}/{observed_dir().parent.name}",
...                        ignore=shutil.ignore_patterns("user.csv", "backups"))
>>> add_value("sports_area_per_capita", 2024, 3.1, plan=plan, source_title=f"2024年{region}体育场地统计调查数据公报",
...           source_url="https://tyj.zj.gov.cn/").counts
{'added': 1, 'replaced': 0, 'unchanged': 0, 'conflicts': 0}
>>> list_values(plan)[["subject_id", "year", "value", "imported_from"]].values.tolist()
[['sports_area_per_capita', 2024, 3.1, 'add_value.csv']]
>>> undo_last_import(plan).name, len(list_values(plan))
('user.csv', 0)
>>> tmp.cleanup()
"""

from __future__ import annotations

import csv
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError
from ..files import write_atomically
from .columns import TEMPLATE_COLUMNS
from .importer import BACKUP_DIR, USER_COLUMNS, ImportSummary, _template_rows, import_lock, import_observed
from .load import USER_FILE, _plan, observed_dir
from .validation import InvalidObservedFile, ObservedRules

__all__ = ["add_value", "add_values", "list_values", "undo_last_import", "template_frame"]

#: the template's columns that hold text (all but the number and the year): typed ``string``
TEXT_COLUMNS = [c for c in TEMPLATE_COLUMNS if c not in ("indicator_no", "year", "value")]


def template_frame(plan=None) -> pd.DataFrame:
    """The import template as a DataFrame (English column names, which ``data import`` reads
    too): one row per headline indicator, the text columns typed ``string`` (so filling a
    source or a snippet into an empty column works), ``year`` nullable ``Int64``, ``value``
    ``Float64``.  Fill rows, keep those with a value, and pass them to :func:`add_values`.

    >>> from plananalysis.plan.folder import load_plan
    >>> frame = template_frame()
    >>> frame.loc[2, "indicator_name"], frame.loc[2, "region"] == load_plan().info.region   # the plan's own region
    ('常住人口城镇化率', True)
    >>> str(frame["source_title"].dtype), str(frame["year"].dtype), str(frame["value"].dtype)
    ('string', 'Int64', 'Float64')
    >>> frame.loc[2, "snippet"] = "常住人口城镇化率为74.2%"   # a text column takes text
    """
    rules = ObservedRules.for_plan(_plan(plan))
    header, rows = _template_rows(rules)
    frame = pd.DataFrame(rows, columns=TEMPLATE_COLUMNS).replace("", pd.NA)
    return frame.astype({**{c: "string" for c in TEXT_COLUMNS}, "indicator_no": "Int64", "year": "Int64",
                         "value": "Float64"})


def add_value(subject: str | int, year: int, value: float, *, plan=None, region: str = "", series: str = "plan",
              qualifier: str = "", unit: str = "", source_title: str = "", source_url: str = "",
              source_quality: str = "", snippet: str = "", period_note: str = "", value_type: str = "",
              notes: str = "", replace: bool = False, allow_unsourced: bool = False,
              dry_run: bool = False) -> ImportSummary:
    """Add one observed value to the plan's ``user.csv``, checked as ``plananalysis data import``
    checks a file's row (see the module's example).

    ``subject``: a headline indicator (id, Chinese name or number) or a chapter target id
    (``ch04-t06``); ``region``: empty for the plan's own region; ``replace``: let the value
    replace a differing loaded one (else it is reported as a conflict and nothing changes);
    ``allow_unsourced``: accept it without a source (marked unsourced).  Raises
    :class:`~plananalysis.errors.PlanDataError` (one line per problem) before writing anything.

    >>> add_value("hospital_beds", 2024, 6.5, source_title="公报", dry_run=True)
    Traceback (most recent call last):
    ...
    plananalysis.observed.validation.InvalidObservedFile: 文件 add_values 第1行 列 indicator_no (A): 值 'hospital_beds' 不符合要求，应为 规划主要指标表的指标编号或代码 (a headline indicator's number or id; did you mean hospital_beds_per_1000 / youth_myopia_reduction?) (file add_values, row 1, column indicator_no (A): got 'hospital_beds', expected 规划主要指标表的指标编号或代码 (a headline indicator's number or id; did you mean hospital_beds_per_1000 / youth_myopia_reduction?))
    """
    return add_values(pd.DataFrame([{
        "subject": subject, "year": year, "value": value, "region": region, "series": series, "qualifier": qualifier,
        "unit": unit, "source_title": source_title, "source_url": source_url, "source_quality": source_quality,
        "snippet": snippet, "period_note": period_note, "value_type": value_type, "notes": notes}]),
        plan=plan, replace=replace, allow_unsourced=allow_unsourced, dry_run=dry_run)


def add_values(rows: pd.DataFrame, *, plan=None, replace: bool = False, allow_unsourced: bool = False,
               dry_run: bool = False) -> ImportSummary:
    """Add a table of observed values (the columns of :func:`template_frame`, or ``subject``
    for an indicator or target id) to the plan's ``user.csv``: one import, all rows or none.
    Rows without a year, value and source are skipped, as the template's empty rows are.

    >>> frame = template_frame()
    >>> frame.loc[2, ["year", "value", "source_title"]] = [2023, 74.5, "某来源"]   # shipped: 74.2
    >>> add_values(frame, dry_run=True).counts
    {'added': 0, 'replaced': 0, 'unchanged': 0, 'conflicts': 1}
    """
    rows = rows.copy()
    if "subject" in rows.columns:   # an indicator id, name or number, or a chapter target id
        plan_ = _plan(plan)
        targets = set(plan_.targets["target_id"]) if "target_id" in plan_.targets.columns else set()
        is_target = rows["subject"].map(lambda s: isinstance(s, str) and s in targets)
        rows["target_id"] = rows["subject"].where(is_target, "")
        rows["indicator_no"] = rows["subject"].where(~is_target, "")
        rows = rows.drop(columns="subject")
    unknown = [c for c in rows.columns if c not in TEMPLATE_COLUMNS]
    if unknown:
        raise PlanDataError("add_values", None, unknown[0], unknown[0],
                            f"模板的列之一 (one of the template's columns: {', '.join(TEMPLATE_COLUMNS)})")
    with tempfile.TemporaryDirectory(prefix="plananalysis-add-") as folder:
        path = Path(folder) / "add_value.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(TEMPLATE_COLUMNS)
            for record in rows.reindex(columns=TEMPLATE_COLUMNS).to_dict("records"):
                writer.writerow(["" if _blank(v) else _cell(v) for v in record.values()])
        try:
            return import_observed(path, plan=plan, replace=replace, allow_unsourced=allow_unsourced,
                                   dry_run=dry_run)
        except InvalidObservedFile as error:   # named by the row of ``rows`` (from 1), not the temporary file
            raise InvalidObservedFile([
                PlanDataError("add_values", e.row - 1 if isinstance(e.row, int) else e.row, e.column, e.value,
                              e.expected) if e.path == str(path) else e for e in error.errors]) from None


def _blank(value) -> bool:
    from ..values import is_blank

    return is_blank(value)


def _cell(value) -> str:
    """A cell as the file carries it: a whole number without ``.0``, a number in full."""
    if isinstance(value, float):
        return f"{value:.15g}"
    return str(value)


def list_values(plan=None) -> pd.DataFrame:
    """The analyst's values (the plan's ``user.csv``): ``subject_id`` (the indicator or target
    id), ``region, series, year, value, qualifier, unit``, the source, and when and from which
    file each was imported; empty if nothing was imported yet.

    >>> list(list_values().columns[:5])
    ['subject_id', 'indicator_id', 'target_id', 'region', 'series']
    """
    from .load import load_observed

    path = observed_dir(plan) / USER_FILE
    columns = ["subject_id", *[c for c in USER_COLUMNS if c not in ("indicator_no", "indicator_name")]]
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    frame = load_observed(path, plan=_plan(plan), include_derived=False)
    stored = pd.read_csv(path, dtype=str, keep_default_na=False)[["indicator_id", "target_id", "region", "series",
                                                                   "year", "imported_at", "imported_from"]]
    stored["year"] = stored["year"].astype(int)
    frame = frame.merge(stored, on=["indicator_id", "target_id", "region", "series", "year"], how="left")
    frame["subject_id"] = frame["indicator_id"].where(frame["indicator_id"] != "", frame["target_id"])
    return frame.reindex(columns=columns).reset_index(drop=True)


def _backups(folder: Path) -> list[Path]:
    """The backups of ``user.csv`` an import made, oldest first (their names sort by time)."""
    stem, suffix = Path(USER_FILE).stem, Path(USER_FILE).suffix
    return sorted((folder / BACKUP_DIR).glob(f"{stem}-*{suffix}"))


def undo_last_import(plan=None, *, folder=None, now: datetime | None = None) -> Path:
    """Undo the newest import of values: ``user.csv`` as it was before it (from the import's
    backup; the first import's undo leaves no ``user.csv``).  The undone file is kept as
    ``backups/undone-<time>.csv``.  ``folder``: an observed folder (default: the plan's).  Returns the path of ``user.csv``; raises
    :class:`~plananalysis.errors.PlanDataError` when there is nothing to undo.  (Task
    statements imported with a department's return are not undone here.)

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> undo_last_import(folder=tmp.name)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ... 不符合要求，应为 一个已导入过数值的观测数据文件夹 (an observed folder with imported values to undo) ...)
    >>> tmp.cleanup()
    """
    folder = Path(folder) if folder is not None else observed_dir(plan)
    user_path = folder / USER_FILE
    now = now or datetime.now()
    with import_lock(folder):
        backups = _backups(folder)
        if not user_path.is_file():
            raise PlanDataError(folder, None, None, str(folder),
                                "一个已导入过数值的观测数据文件夹 (an observed folder with imported values to undo)")
        keep = folder / BACKUP_DIR / f"undone-{now:%Y%m%d-%H%M%S-%f}{user_path.suffix}"
        keep.parent.mkdir(exist_ok=True)
        write_atomically(keep, user_path.read_bytes())
        if backups:
            write_atomically(user_path, backups[-1].read_bytes())
            backups[-1].unlink()
        else:   # the first import made user.csv
            user_path.unlink()
    return user_path
