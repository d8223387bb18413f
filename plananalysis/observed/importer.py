"""Bring your own observed data: a template to fill in, and a safe import.

``plananalysis data template 模板.xlsx`` writes the template (the plan's headline indicators
listed, Chinese headers); ``plananalysis data import 文件.xlsx`` reads it back, and
``plananalysis data import 文件夹`` reads every ``.xlsx`` and ``.csv`` file of a folder at once
(the data requests a department returned, :mod:`plananalysis.observed.requests`): every file is
checked, and nothing is written if any cell of any file is wrong or two files give the same
value twice.  A symbolic link in the folder is refused by name, never followed.  A department's
returned request may carry only the rows that department is responsible for
(:func:`~plananalysis.observed.requests.return_checker`); an analyst's own file has no such
limit.  A department's return also brings its statements on the tasks it leads (sheet
重点任务进展, checked by :func:`~plananalysis.observed.task_reports.statement_rows` in the same
all-or-nothing pass; kept in ``task-statements.csv`` beside ``user.csv``, under the same lock,
with a backup).  Both take
``--plan``: the file is checked against that plan and its values go to that plan's folder.  :func:`import_observed` checks *every* cell before it writes anything
(:mod:`plananalysis.observed.validation`), then:

- adds rows whose indicator, region, series and year are new;
- leaves rows equal to what is already loaded as they are (``unchanged``);
- shows rows that differ from a loaded value and leaves the loaded value in place,
  unless ``replace=True`` (``--replace``), when the new value wins;
- writes only ``user.csv`` in the plan's observed folder (shipped files are never touched),
  atomically (a temporary file in the same folder, then :func:`os.replace`), after a
  timestamped copy of the previous ``user.csv`` in ``backups/`` (git-ignored);
- holds the folder's lock (:func:`import_lock`) from reading ``user.csv`` to writing it, so
  two imports started at once run one after the other and neither loses the other's rows.

Nothing is written with ``dry_run=True``.  A folder that cannot be written (read-only, a full
disk) is one :class:`~plananalysis.errors.PlanDataError` naming it, and leaves nothing
behind: ``user.csv`` as it was, no backup, no temporary file.  The lock file
``.import.lock`` stays once made (it is how imports take turns; git-ignored).
"""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError, printable
from ..files import spreadsheet_text, write_atomically
from .columns import COLUMN_NOTES_ZH, HEADERS_ZH, INDICATOR_SHEET_HEADER, TEMPLATE_COLUMNS
from .grades import with_grades
from .load import KEY, USER_FILE, _plan, _read_valid, load_observed, observed_dir
from .spreadsheet import SYMLINK_REFUSED, column_letter, read_cells
from .validation import (
    IMPORT_COLUMNS,
    SOURCE_QUALITIES,
    TIDY_COLUMNS,
    InvalidObservedFile,
    ObservedRules,
    _empty_frame,
    observed_rows,
)

__all__ = ["ImportSummary", "import_observed", "import_lock", "write_template", "folder_files",
           "TEMPLATE_COLUMNS", "USER_COLUMNS"]

# The template's columns, in order, are TEMPLATE_COLUMNS (plananalysis.observed.columns; English
# headers are accepted too: see HEADER_ALIASES).
USER_COLUMNS = ["indicator_id", "target_id", "indicator_no", "indicator_name", *TIDY_COLUMNS[3:], *IMPORT_COLUMNS]
BACKUP_DIR = "backups"
LOCK_FILE = ".import.lock"   # held while an import reads, merges and writes user.csv


# ---------------------------------------------------------------- writing files safely


def _backup(path: Path, now: datetime) -> Path | None:
    """A copy of ``path`` in ``backups/``; on failure (a full disk) nothing is left: no partial
    copy, and no ``backups/`` folder made for it."""
    if not path.is_file():
        return None
    folder = path.parent / BACKUP_DIR
    made = not folder.is_dir()
    folder.mkdir(exist_ok=True)
    target = folder / f"{path.stem}-{now:%Y%m%d-%H%M%S-%f}{path.suffix}"
    try:
        shutil.copy2(path, target)
    except BaseException:
        _remove(target, folder if made else None)
        raise
    return target


def _remove(path: Path | None, folder: Path | None = None) -> None:
    """Remove a file (and an empty folder) this import made, quietly: it is undoing a failure."""
    for undo in (lambda: path and path.unlink(missing_ok=True), lambda: folder and folder.rmdir()):
        try:
            undo()
        except OSError:
            pass


def _write_user(user_path: Path, data: bytes, now: datetime) -> Path | None:
    """Back up ``user.csv``, then write it atomically; if either fails, undo the backup."""
    backups_made = not (user_path.parent / BACKUP_DIR).is_dir()
    backup = _backup(user_path, now)
    try:
        write_atomically(user_path, data)
    except BaseException:
        _remove(backup, user_path.parent / BACKUP_DIR if backups_made else None)
        raise
    return backup


def _unwritable(folder: Path, exc: OSError) -> PlanDataError:
    """The one line for a folder an import cannot write: read-only, full, or otherwise."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        zh, en = "磁盘已满", "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        zh, en = "没有写入权限或为只读", "permission denied or read-only"
    else:
        zh = en = exc.strerror or str(exc) or type(exc).__name__
    return PlanDataError(folder, None, None, str(exc.filename or folder),
                         f"一个可写入的观测数据文件夹（{zh}）；未写入任何内容，原有数据不变 "
                         f"(an observed-data folder that can be written — {en}; nothing was written, the data are "
                         "as they were)")


def _format_value(value: float) -> str:
    return f"{value:.15g}"


def _user_csv_bytes(frame: pd.DataFrame) -> bytes:
    r"""The stored ``user.csv``: one line per row; a line break inside a cell (``\r\n`` or a lone
    ``\r``, as some spreadsheets write it) is stored as ``\n`` in a quoted cell, which the csv
    module would otherwise leave unquoted for ``\r`` and so split the row on reading.

    >>> import csv
    >>> text = _user_csv_bytes(pd.DataFrame([{"indicator_no": 3, "year": 2023, "value": 74.2, "source_title": "第一行\r第二行"}]))
    >>> rows = list(csv.reader(io.StringIO(text.decode())))
    >>> len(rows), rows[1][USER_COLUMNS.index("source_title")]
    (2, '第一行\n第二行')
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(USER_COLUMNS)
    for record in frame.to_dict("records"):
        row = []
        for column in USER_COLUMNS:
            value = record.get(column, "")
            if column == "value":
                value = _format_value(value)
            elif column == "is_replacement":
                value = "true" if value else "false"
            elif column == "year" or (column == "indicator_no" and not pd.isna(value)):
                value = int(value)
            if isinstance(value, str):   # csv quotes "\n" but not a lone "\r": as a line break it is kept
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            row.append("" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else value)
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- import


@dataclass
class ImportSummary:
    """What an import did (or, with ``dry_run``, would do).

    ``added``, ``replaced``, ``unchanged`` and ``conflicts`` are frames of the file's rows
    (``replaced`` and ``conflicts`` add ``old_value``, ``old_qualifier`` and ``old_origin``).

    >>> none = pd.DataFrame()
    >>> summary = ImportSummary(Path("hz.csv"), Path("user.csv"), none, none, none, none, dry_run=True)
    >>> print(summary.format())
    导入 (import) hz.csv: 试运行，未写入 (dry run, nothing written)
    新增 added 0, 替换 replaced 0, 未变 unchanged 0, 冲突未改 conflicts left unchanged 0
    """

    source: Path
    target: Path
    added: pd.DataFrame
    replaced: pd.DataFrame
    unchanged: pd.DataFrame
    conflicts: pd.DataFrame
    skipped_placeholders: int = 0
    backup: Path | None = None
    dry_run: bool = False
    written: bool = False
    counts: dict = field(default_factory=dict)
    #: what the import did to the task statements (:class:`~plananalysis.observed.task_reports.StatementSummary`)
    statements: object = None

    def __post_init__(self):
        self.counts = {"added": len(self.added), "replaced": len(self.replaced),
                       "unchanged": len(self.unchanged), "conflicts": len(self.conflicts)}

    def format(self) -> str:
        """The summary as printed by ``plananalysis data import``."""
        c = self.counts
        told = self.statements
        head = "试运行，未写入 (dry run, nothing written)" if self.dry_run else (
            f"已写入 (written) {self.target}" if self.written else
            f"已写入 (written) {told.target}" if told is not None and told.written else "无需写入 (nothing to write)")
        lines = [f"导入 (import) {printable(str(self.source))}: {head}",
                 f"新增 added {c['added']}, 替换 replaced {c['replaced']}, 未变 unchanged {c['unchanged']}, "
                 f"冲突未改 conflicts left unchanged {c['conflicts']}"
                 + (f", 模板空行跳过 empty template rows skipped {self.skipped_placeholders}"
                    if self.skipped_placeholders else "")]

        def describe(r, old=False):
            what = r["target_id"] or r["indicator_no"]
            where = (f"{printable(r['source_file'])} " if r.get("source_file", self.source.name) != self.source.name
                     else "")
            text = (f"{where}第{r['row']}行 row {r['row']}: {what} {r['indicator_name']} {r['region']} "
                    f"{r['series']} {r['year']} = {r['qualifier']}{_format_value(r['value'])} {r['unit']}")
            if old:
                text += f" (原值 was {r['old_qualifier']}{_format_value(r['old_value'])}, {r['old_origin']})"
            return text

        for mark, frame, old in (("+", self.added, False), ("~", self.replaced, True),
                                 ("=", self.unchanged, False), ("!", self.conflicts, True)):
            lines += [f"  {mark} {describe(r, old)}" for r in frame.to_dict("records")]
        if len(self.conflicts):
            lines.append("冲突的值保持不变；用 --replace 以文件中的值替换 "
                         "(conflicting values were left unchanged; use --replace to take the file's values)")
        if self.backup:
            lines.append(f"备份 (backup of the previous user.csv): {self.backup}")
        if told is not None and (told.added or told.replaced or told.unchanged):
            lines.append(told.format())
        return "\n".join(lines)


def import_observed(path, *, plan=None, replace: bool = False, allow_unsourced: bool = False,
                    dry_run: bool = False, target_dir=None, now: datetime | None = None) -> ImportSummary:
    """Check a CSV or .xlsx file of observed values against a plan and add it to its ``user.csv``.

    ``plan``: a Plan, id or folder (default: the default plan); ``target_dir``: the observed
    folder (default: the plan's, :func:`~plananalysis.observed.load.observed_dir`).  ``allow_unsourced``: accept rows without a
    source (marked ``source_quality='unsourced'``).  ``path`` may be a folder: its ``.xlsx`` and
    ``.csv`` files (not those starting with ``~$`` or ``.``, the lock files Excel and WPS leave)
    are read as one import (a file with no filled row is fine).  Raises
    :class:`~plananalysis.observed.validation.InvalidObservedFile` (a
    :class:`~plananalysis.errors.PlanDataError`, one line per problem) before writing
    anything if any cell is wrong.

    Into a copy of the observed folder (a new value for a city of the plan; a value for the
    plan's own region that differs from the shipped 74.2 is a conflict, left unchanged
    without ``replace``):

    >>> import shutil
    >>> plan = _plan(None)
    >>> city = plan.regions["name_zh"].iloc[-1]
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = shutil.copytree(observed_dir(plan), Path(tmp.name) / "observed",
    ...                          ignore=shutil.ignore_patterns("user.csv", "backups"))
    >>> source = Path(tmp.name) / "city.csv"
    >>> _ = source.write_text(f"指标编号,地区,年份,数值,来源名称\\n3,{city},2023,84.2,统计公报\\n"
    ...                       "3,,2023,74.5,某来源\\n", encoding="utf-8")
    >>> import_observed(source, dry_run=True, target_dir=folder).counts
    {'added': 1, 'replaced': 0, 'unchanged': 0, 'conflicts': 1}
    >>> summary = import_observed(source, target_dir=folder)
    >>> summary.written, summary.target.name
    (True, 'user.csv')
    >>> tmp.cleanup()
    """
    source = Path(path)
    plan = _plan(plan)
    rules = ObservedRules.for_plan(plan)
    target_dir = Path(target_dir) if target_dir is not None else observed_dir(plan)
    if not target_dir.is_dir():
        raise PlanDataError(target_dir, None, None, str(target_dir), "一个存在的观测数据文件夹 (an existing observed-data folder)")
    now = now or datetime.now()
    from .requests import return_checker

    returns = return_checker(plan)
    statements: list[dict] = []   # the departments' task statements (重点任务进展), checked
    if source.is_dir():
        incoming, skipped, errors = _read_folder(source, rules, allow_unsourced, returns, statements)
    else:
        incoming, skipped, errors = _read_file(source, rules, allow_unsourced, returns, statements=statements)
        incoming = incoming.assign(source_file=source.name)
    if errors:
        raise InvalidObservedFile(errors)
    from .task_reports import merge_statements, restore_statements

    if dry_run:  # reads only: a concurrent import's write is atomic
        summary = _merge_into_user(source, target_dir, incoming, skipped, replace, dry_run, now, rules)
        summary.statements = merge_statements(plan, statements, dry_run=True, now=now, folder=target_dir)[0]
        return summary
    try:
        with import_lock(target_dir):
            told, previous = merge_statements(plan, statements, now=now, folder=target_dir)
            try:
                summary = _merge_into_user(source, target_dir, incoming, skipped, replace, dry_run, now, rules)
            except BaseException:   # all or nothing: the statements go back as they were
                if told.written:
                    restore_statements(plan, previous, folder=target_dir)
                    _remove(told.backup)
                raise
            summary.statements = told
            return summary
    except OSError as exc:   # a read-only folder, a full disk: one line, nothing left behind
        raise _unwritable(target_dir, exc) from None


def _read_file(path: Path, rules: ObservedRules, allow_unsourced: bool, returns, *, require_rows: bool = True,
               follow_symlinks: bool = True, statements: list | None = None):
    """One file's checked rows (:func:`~plananalysis.observed.validation.observed_rows`), a
    department's return limited to its own rows; its checked task statements (sheet 重点任务进展,
    :func:`~plananalysis.observed.task_reports.statement_rows`) added to ``statements``, with the
    file's name and hash.  A file carrying statements needs no number."""
    from .task_reports import statement_rows

    cells = read_cells(path, follow_symlinks=follow_symlinks)
    refuse = returns(path, cells)
    found, problems = statement_rows(path, cells, rules.plan, getattr(refuse, "department_id", None))
    if statements is not None:
        statements.extend({**r, "source_file": path.name, "file_hash": cells.file_hash} for r in found)
    frame, skipped, errors = observed_rows(path, cells, rules, allow_unsourced=allow_unsourced,
                                           require_rows=require_rows and not found and not problems,
                                           refuse_subject=refuse)
    return frame, skipped, errors + problems


#: what a folder import reads; other spreadsheet formats are refused (save them as .xlsx), other files ignored
FOLDER_SUFFIXES = (".xlsx", ".csv")
_OTHER_SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".ods", ".et", ".numbers")


def folder_files(folder) -> list[Path]:
    """The files a folder import reads: ``.xlsx`` and ``.csv`` (and other spreadsheets, and
    symbolic links by those names, to be refused by name), not the lock and hidden files editors
    leave beside them.

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> for name in ("数据征集表-edu.xlsx", "~$数据征集表-edu.xlsx", "说明.pdf", "b.csv"):
    ...     _ = (Path(tmp.name) / name).write_bytes(b"")
    >>> [p.name for p in folder_files(tmp.name)]
    ['b.csv', '数据征集表-edu.xlsx']
    >>> tmp.cleanup()
    """
    return sorted(p for p in Path(folder).iterdir()
                  if (p.is_symlink() or p.is_file()) and not p.name.startswith(("~$", ".")) and p.suffix.lower() in
                  FOLDER_SUFFIXES + _OTHER_SPREADSHEETS)


def _read_folder(folder: Path, rules: ObservedRules, allow_unsourced: bool, returns, statements: list | None = None):
    """Every file of a folder, checked as one import: the rows of all, the placeholders skipped,
    every problem (a value given in two files is one, named at the second)."""
    files = folder_files(folder)
    if not files:
        raise PlanDataError(folder, None, None, str(folder),
                            "含有 .xlsx 或 .csv 文件的文件夹 (a folder holding .xlsx or .csv files)")
    frames, skipped, errors, seen = [], 0, [], {}
    statements = [] if statements is None else statements
    stated: dict[str, tuple[str, int]] = {}   # task -> (file, row) of its statement
    for path in files:
        if path.is_symlink():   # never followed: it could point anywhere (a folder travels)
            errors.append(PlanDataError(path, None, None, path.name, SYMLINK_REFUSED))
            continue
        before = len(statements)
        try:
            frame, n, problems = _read_file(path, rules, allow_unsourced, returns, require_rows=False,
                                            follow_symlinks=False, statements=statements)
        except PlanDataError as error:   # a file that is not a table at all: one problem, the others still read
            errors.append(error)
            continue
        for s in statements[before:]:
            if s["task_id"] in stated:
                first_file, first_row = stated[s["task_id"]]
                errors.append(PlanDataError(
                    path, s["row"], "重点任务进展 任务编号", s["task_id"],
                    f"不与 {first_file} 第{first_row}行重复（同一任务的进展）"
                    f"(not a repeat of {first_file} row {first_row}: a statement on the same task)"))
            else:
                stated[s["task_id"]] = (path.name, s["row"])
        skipped += n
        errors += problems
        for r in frame.to_dict("records"):
            key = tuple(r[k] for k in KEY)
            if key in seen:
                first_file, first_row = seen[key]
                errors.append(PlanDataError(
                    path, r["row"], HEADERS_ZH["year"], r["year"],
                    f"不与 {first_file} 第{first_row}行重复（同一指标或目标、地区、口径、年份）"
                    f"(not a repeat of {first_file} row {first_row}: the same subject, region, series and year)"))
            else:
                seen[key] = (path.name, r["row"])
        if len(frame):
            frames.append(frame.assign(source_file=path.name))
    incoming = (pd.concat(frames, ignore_index=True) if frames
                else _empty_frame().assign(source_file=""))
    return incoming, skipped, errors


@contextmanager
def import_lock(target_dir):
    """Hold the observed folder's import lock (an exclusive ``flock`` on ``.import.lock``):
    two imports at once then run one after the other, and neither loses the other's rows.

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> with import_lock(tmp.name):
    ...     (Path(tmp.name) / LOCK_FILE).is_file()
    True
    >>> tmp.cleanup()
    """
    with open(Path(target_dir) / LOCK_FILE, "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _merge_into_user(source: Path, target_dir: Path, incoming: pd.DataFrame, skipped, replace: bool,
                     dry_run: bool, now: datetime, rules: ObservedRules) -> ImportSummary:
    """Compare the checked rows with what the folder holds; unless ``dry_run``, write the
    new and (with ``replace``) the differing ones into ``user.csv``."""
    existing = load_observed(target_dir, plan=rules.plan, include_derived=False)
    user_path = target_dir / USER_FILE
    user = (_read_valid(user_path, rules, allow_unsourced=True) if user_path.is_file()
            else pd.DataFrame(columns=USER_COLUMNS))

    old = existing.set_index(KEY)[["value", "qualifier", "origin", "evidence_grade"]]
    merged = incoming.merge(old.rename(columns={"value": "old_value", "qualifier": "old_qualifier",
                                                "origin": "old_origin", "evidence_grade": "old_grade"}),
                            left_on=KEY, right_index=True, how="left")
    is_new = merged["old_value"].isna()
    is_same = ~is_new & ((merged["value"] - merged["old_value"]).abs() < 1e-9) \
        & (merged["qualifier"] == merged["old_qualifier"])
    # a department confirming a value it was asked to check (a reprint …) makes it a department return
    confirmed = is_same & (with_grades(merged)["evidence_grade"] == "department") & (merged["old_grade"] != "department")
    is_same &= ~confirmed
    added, unchanged = merged[is_new], merged[is_same]
    differing = merged[~is_new & ~is_same & ~confirmed]
    replaced, conflicts = (differing, differing.iloc[0:0]) if replace else (differing.iloc[0:0], differing)
    replaced = pd.concat([replaced, merged[confirmed]]) if confirmed.any() else replaced

    summary_kwargs = dict(source=source, target=user_path, added=added, replaced=replaced,
                          unchanged=unchanged, conflicts=conflicts, skipped_placeholders=skipped,
                          dry_run=dry_run)
    if dry_run or (added.empty and replaced.empty):
        return ImportSummary(**summary_kwargs)

    stamp = now.isoformat(timespec="seconds")
    new_rows = pd.concat([added.assign(is_replacement=False), replaced.assign(is_replacement=True)],
                         ignore_index=True)
    new_rows = new_rows.assign(imported_at=stamp, imported_from=new_rows["source_file"])
    if len(user):
        dropped = user.merge(new_rows[KEY], on=KEY, how="left", indicator=True)["_merge"].eq("both").to_numpy()
        user = user[~dropped]
    table = pd.concat([user.reindex(columns=USER_COLUMNS), new_rows.reindex(columns=USER_COLUMNS)],
                      ignore_index=True)
    table = table.sort_values(["indicator_no", "region", "series", "year"], kind="stable")
    data = _user_csv_bytes(table)
    backup = _write_user(user_path, data, now)
    return ImportSummary(**summary_kwargs, backup=backup, written=True)


# ---------------------------------------------------------------- template

def _instructions(rules: ObservedRules) -> list[str]:
    """The 说明 sheet: one line per column of the 数据 sheet, in its order (from
    :data:`~plananalysis.observed.columns.COLUMN_NOTES_ZH`), framed by how to use the file."""
    info = rules.plan.info
    cities = "、".join(list(rules.plan.regions["name_zh"])[1:3]) or "—"
    fields = {"indicators": len(rules.indicators), "region": info.region, "cities": cities,
              "years": rules.years_text,
              "qualities": ", ".join(q for q in SOURCE_QUALITIES if q not in ("plan", "unsourced"))}
    return [
        f"观测数据模板 — {info.title_zh} — plananalysis data import --plan {info.plan_id} 读取本文件 "
        "(template for plananalysis data import)",
        "",
        "每行一个指标 (或目标)、地区、口径、年份的数值 (one row per indicator, region, series and year).",
        *(f"{HEADERS_ZH[c]}: {COLUMN_NOTES_ZH[c].format(**fields)}" for c in TEMPLATE_COLUMNS),
        "未填年份、数值和来源的行视为空行, 导入时跳过 (rows without year, value and source are skipped).",
        "只读取“数据”表; 请勿合并单元格, 也不要在其他工作表中填写数据 (导入时会被拒绝).",
        f"导入: plananalysis data import 文件.xlsx --plan {info.plan_id} [--dry-run] [--replace] [--no-source]",
    ]


def _template_rows(rules: ObservedRules) -> tuple[list[str], list[list]]:
    header = [HEADERS_ZH[c] for c in TEMPLATE_COLUMNS]
    rows = []
    for r in rules.plan.indicators.to_dict("records"):
        values = {"indicator_no": int(r["no"]), "indicator_name": r["name_zh"], "region": rules.default_region,
                  "series": "plan", "unit": r["unit"]}
        rows.append([values.get(c, "") for c in TEMPLATE_COLUMNS])
    return header, rows


def write_template(path, *, plan=None, force: bool = False) -> Path:
    """Write the import template of a plan to ``path`` (``.csv``: UTF-8 with BOM, so Excel shows
    the Chinese headers; ``.xlsx``: sheets 数据, 指标 (units and plausible ranges) and 说明).

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = write_template(Path(tmp.name) / "模板.csv")
    >>> path.read_text(encoding="utf-8-sig").splitlines()[0]
    '指标编号,指标名称,地区,口径,年份,数值,限定符,单位,来源名称,来源链接,来源类型,原文摘录,时期说明,数值类型,目标编号,备注'
    >>> path.read_text(encoding="utf-8-sig").splitlines()[1].startswith("1,")
    True
    >>> tmp.cleanup()
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise PlanDataError(path, None, None, path.suffix or path.name, ".csv 或 .xlsx 文件名 (a .csv or .xlsx file name)")
    if path.exists() and not force:
        raise PlanDataError(path, None, None, str(path), "一个尚不存在的文件；覆盖请加 --force (a file that does not exist yet; use --force to overwrite)")
    rules = ObservedRules.for_plan(plan)
    header, rows = _template_rows(rules)
    if suffix == ".csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[spreadsheet_text(v) for v in row] for row in rows])
        return write_atomically(path, out.getvalue().encode("utf-8-sig"))

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(header)
    for row in rows:
        sheet.append([spreadsheet_text(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {"indicator_name": 40, "source_title": 36, "source_url": 40, "snippet": 36, "notes": 30,
              "region": 10, "value": 10, "unit": 12, "source_quality": 12, "period_note": 14, "value_type": 10,
              "target_id": 10}
    for i, column in enumerate(TEMPLATE_COLUMNS):
        sheet.column_dimensions[column_letter(i)].width = widths.get(column, 8)
    sheet.freeze_panes = "A2"
    reference = book.create_sheet("指标")
    reference.append(list(INDICATOR_SHEET_HEADER))
    for r in rules.plan.indicators.to_dict("records"):
        low, high, reason = rules.plausible.get(r["indicator_id"], (None, None, ""))
        reference.append([spreadsheet_text(v) for v in (int(r["no"]), r["indicator_id"], r["name_zh"], r["name_en"],
                                                         r["unit"], low, high, reason)])
    notes = book.create_sheet("说明")
    for line in _instructions(rules):
        notes.append([spreadsheet_text(line)])
    for own in (reference, notes):   # ours: kept as written (unprotect in Excel to change them)
        own.protection.sheet = True
    out = io.BytesIO()
    book.save(out)
    return write_atomically(path, out.getvalue())
