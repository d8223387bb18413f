"""Observed values of a plan's indicators and catalogue targets, each with its source.

The data live in the plan's folder, ``data/plans/<plan>/observed/`` (see its ``sources.yml``):

- ``observed-*.csv`` — values shipped with the suite, copied from public sources;
- ``user.csv`` — the analyst's own values, written only by ``plananalysis data import``;
- ``context-*.csv`` — series the indicators derive from or are read against (GDP, resident
  population, disposable income levels …), read by :func:`load_context`;
- ``derivations.csv`` — which indicators the package may compute from context series.

:func:`load_observed` combines them into one frame, one row per indicator (or target), region,
series and year, with the columns of the shared contract (``docs/new-plan.md``)::

    indicator_id, target_id, indicator_no, region, series, year, value, qualifier, unit,
    value_type, period_note, source_title, source_url, source_quality, snippet, notes,
    is_derived, derivation

and a last column ``origin`` (``shipped``, ``user``, ``derived`` or ``file``).  Values the
package computes from the context series are added only where no value was read, marked
``is_derived`` with the formula and its inputs in ``derivation`` and ``source_quality ==
'derived'``.  A missing value is simply absent: never zero, never interpolated.

>>> frame = load_observed()
>>> row = frame[(frame.indicator_id == "urbanisation_rate") & (frame.year == 2023)].iloc[0]
>>> float(row.value), row.source_quality
(74.2, 'official')
>>> bool(frame[frame.is_derived].derivation.str.len().gt(0).all())
True

The plans live in ``data/plans`` in the project, or ``$PLANANALYSIS_DATA_DIR/plans`` when that
variable names another data folder (tests use a temporary copy).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import PlanDataError
from .grades import with_grades
from .validation import (
    TIDY_COLUMNS,
    InvalidObservedFile,
    ObservedRules,
    normalise_region,
    parse_number,
    parse_qualifier,
    parse_year,
    read_observed_file,
    read_table,
)

__all__ = [
    "FRAME_COLUMNS",
    "CONTEXT_COLUMNS",
    "Derivation",
    "observed_dir",
    "load_observed",
    "load_context",
    "load_derivations",
    "load_verdicts",
    "VERDICT_COLUMNS",
    "derive",
    "derived_vs_read",
]

FRAME_COLUMNS = [*TIDY_COLUMNS, "is_derived", "derivation", "origin", "is_preliminary"]
CONTEXT_COLUMNS = ["series", "region", "year", "value", "qualifier", "unit", "period_note",
                   "source_title", "source_url", "source_quality", "snippet", "notes"]
KEY = ["indicator_id", "target_id", "region", "series", "year"]
USER_FILE = "user.csv"


def observed_dir(plan=None) -> Path:
    """The folder of a plan's observed data (``plan``: a Plan, an id, a folder; None: the default).

    >>> observed_dir().name
    'observed'
    """
    return _plan(plan).folder / "observed"


def _plan(plan):
    from ..plan.folder import Plan, load_plan

    return plan if isinstance(plan, Plan) else load_plan(plan)


# ---------------------------------------------------------------- reading


def _read_valid(path, rules: ObservedRules, *, allow_unsourced: bool = False,
                require_rows: bool = False) -> pd.DataFrame:
    frame, _skipped, errors = read_observed_file(path, rules=rules, allow_unsourced=allow_unsourced,
                                                 require_rows=require_rows)
    if errors:
        raise InvalidObservedFile(errors)
    return frame


def _finish(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    frame = frame.copy()
    frame["is_derived"] = False
    frame["derivation"] = ""
    frame["origin"] = origin
    return frame


def _observed_files(folder: Path) -> tuple[list[Path], Path | None]:
    shipped = sorted(folder.glob("observed-*.csv"))
    user = folder / USER_FILE
    return shipped, (user if user.is_file() else None)


def _combine(shipped: pd.DataFrame, user: pd.DataFrame, where: Path) -> pd.DataFrame:
    """Shipped rows, plus the user's; a user row wins for a shipped key only if it was
    imported with ``--replace`` (``is_replacement``)."""
    if user.empty:
        return shipped
    if shipped.empty:
        return user
    merged = user.merge(shipped[KEY], on=KEY, how="left", indicator=True)
    clashing = (merged["_merge"] == "both").to_numpy()
    replacing = clashing & user["is_replacement"].astype(bool).to_numpy()
    ignored = user[clashing & ~replacing]
    if len(ignored):
        warnings.warn(
            f"{where / USER_FILE}: {len(ignored)} row(s) share a key with shipped data but were not "
            "imported with --replace; the shipped values are used", stacklevel=3)
    replaced_keys = user.loc[replacing, KEY]
    keep = shipped.merge(replaced_keys, on=KEY, how="left", indicator=True)["_merge"].eq("left_only").to_numpy()
    return pd.concat([shipped[keep], user[~clashing | replacing]], ignore_index=True)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = with_grades(frame.reindex(columns=FRAME_COLUMNS))   # every value's evidence grade
    for column in FRAME_COLUMNS:
        if column == "indicator_no":
            frame[column] = pd.array(frame[column], dtype="Int64")
        elif column == "year":
            frame[column] = frame[column].astype("int64")
        elif column == "value":
            frame[column] = frame[column].astype("float64")
        elif column in ("is_derived", "is_preliminary"):
            frame[column] = frame[column].astype(bool)
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), "").astype(str)
    return frame.sort_values(["indicator_no", "target_id", "region", "series", "year"], kind="stable",
                             na_position="last").reset_index(drop=True)


def load_observed(path=None, region: str | None = None, *, plan=None, include_derived: bool = True,
                  include_user: bool = True) -> pd.DataFrame:
    """Observed values of a plan, one row per indicator (or target), region, series and year,
    with their sources.

    ``plan``: a Plan, id or folder (default: the default plan); every row is checked against it.
    ``path``: a folder holding ``observed-*.csv`` / ``user.csv`` / ``context-*.csv`` (default:
    the plan's :func:`observed_dir`), or one file in the import template or tidy format.
    ``region``: keep only this region (an official name or an alias from ``regions.csv``).
    Raises :class:`~plananalysis.errors.PlanDataError` naming the first bad cell of a bad file.

    >>> frame = load_observed()
    >>> rows = frame.query("indicator_id == 'urbanisation_rate' and series == 'plan'")
    >>> dict(zip(rows.year.head(2).tolist(), rows.value.head(2).tolist()))
    {2021: 72.7, 2022: 73.4}

    One file of the analyst's own (Chinese headers, region names as people write them):

    >>> import pathlib, tempfile
    >>> plan = _plan(None)
    >>> city = plan.regions["name_zh"].iloc[-1]
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "city.csv"
    >>> _ = path.write_text(f"指标编号,地区,年份,数值,来源名称\\n3,{city},2023,84.2,统计公报\\n", encoding="utf-8")
    >>> load_observed(path, plan=plan)[["year", "value", "origin"]].values.tolist()
    [[2023, 84.2, 'file']]
    >>> tmp.cleanup()
    """
    plan = _plan(plan)
    rules = ObservedRules.for_plan(plan)
    path = Path(path) if path is not None else observed_dir(plan)
    if path.is_dir():
        shipped_files, user_file = _observed_files(path)
        shipped = [_finish(_read_valid(f, rules), "shipped") for f in shipped_files]
        shipped = pd.concat(shipped, ignore_index=True) if shipped else _finish(_read_valid_empty(), "shipped")
        # user.csv may hold rows imported with --no-source (marked unsourced)
        user = (_finish(_read_valid(user_file, rules, allow_unsourced=True), "user")
                if (include_user and user_file) else shipped.iloc[0:0])
        frame = _combine(shipped, user, path)
        context_folder = path
    elif path.exists():
        frame = _finish(_read_valid(path, rules, require_rows=True), "file")
        context_folder = path.parent
    else:
        frame, context_folder = _finish(_read_valid_empty(), "shipped"), None
    frame = _tidy(frame)
    if include_derived and context_folder is not None and list(context_folder.glob("context-*.csv")):
        context = load_context(context_folder, plan=plan)
        if len(context):
            derived = derive(context, plan)
            have = frame.set_index(KEY).index
            derived = derived[~derived.set_index(KEY).index.isin(have)]
            frame = _tidy(pd.concat([frame, derived], ignore_index=True))
    if region is not None:
        frame = frame[frame["region"] == normalise_region(region, rules)].reset_index(drop=True)
    return frame


def _read_valid_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[*TIDY_COLUMNS, "is_replacement"])


def load_context(path=None, region: str | None = None, *, plan=None) -> pd.DataFrame:
    """Context series (地区生产总值, 常住人口, 居民/城镇/农村居民人均可支配收入, …), with sources.

    Columns: ``series, region, year, value, qualifier, unit, period_note, source_title,
    source_url, source_quality, snippet, notes``.  A series may have two rows for one year
    (a preliminary and a revised GDP); ``period_note`` tells them apart.

    >>> ctx = load_context()
    >>> ctx[(ctx.series == "常住人口") & (ctx.year == 2023)].value.tolist()
    [6627.0]
    """
    plan = _plan(plan)
    rules = ObservedRules.for_plan(plan)
    path = Path(path) if path is not None else observed_dir(plan)
    files = sorted(path.glob("context-*.csv")) if path.is_dir() else [path]
    frames = [_read_context_file(f, rules) for f in files]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CONTEXT_COLUMNS)
    if region is not None:
        frame = frame[frame["region"] == normalise_region(region, rules)]
    return frame.reset_index(drop=True)


def _read_context_file(path: Path, rules: ObservedRules) -> pd.DataFrame:
    cells = read_table(path)
    header, rows = cells[0], cells[1:]
    missing = [c for c in ("series", "year", "value", "unit") if c not in header]
    if missing:
        raise PlanDataError(path, 1, None, ", ".join(header), "列 series, year, value, unit (columns series, year, value, unit)")
    errors, records = [], []
    # context series reach back further than the plan's base (a growth rate needs the year before)
    parsers = {"year": lambda s: parse_year(s, rules.first_year - 5, rules.last_year),
               "value": lambda s: parse_number(s).value, "qualifier": parse_qualifier,
               "region": lambda s: normalise_region(s, rules)}
    for offset, raw in enumerate(rows):
        if not any(c.strip() for c in raw):
            continue
        record = dict(zip(header, raw))
        for column, parser in parsers.items():
            try:
                record[column] = parser(record.get(column, ""))
            except ValueError as exc:
                errors.append(PlanDataError(path, offset + 2, column, record.get(column, ""), str(exc)))
        if not str(record.get("series", "")).strip():
            errors.append(PlanDataError(path, offset + 2, "series", "", "系列名称 (a series name)"))
        records.append(record)
    if errors:
        raise InvalidObservedFile(errors)
    frame = pd.DataFrame(records).reindex(columns=CONTEXT_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    for column in CONTEXT_COLUMNS:
        if column not in ("year", "value"):
            frame[column] = frame[column].fillna("").astype(str)
    return frame


# ---------------------------------------------------------------- derived values


@dataclass(frozen=True)
class Derivation:
    """An indicator computed from context series (one row of the plan's ``observed/derivations.csv``).

    ``kind``: ``ratio`` (a(t) / b(t)), ``share`` (a(t) / b(t) × 100) or ``growth``
    ((a(t) / a(t−1) − 1) × 100); ``digits``: the precision the statistics bureau publishes.

    >>> rule = Derivation("x", "甲 = 乙 / 丙", "ratio", ("乙", "丙"), 2)
    >>> rule.kind, rule.inputs
    ('ratio', ('乙', '丙'))
    """

    indicator_id: str
    formula: str
    kind: str
    inputs: tuple[str, ...]
    digits: int
    period_note: str = ""


def load_derivations(plan=None) -> tuple[Derivation, ...]:
    """The plan's derivation rules (``observed/derivations.csv``; none when the file is absent).

    >>> [rule.kind for rule in load_derivations()][:1]
    ['ratio']
    """
    plan = _plan(plan)
    path = observed_dir(plan) / "derivations.csv"
    if not path.is_file():
        return ()
    cells = read_table(path)
    header, rows = cells[0], cells[1:]
    rules = []
    for offset, raw in enumerate(rows):
        rec = dict(zip(header, raw))
        if rec.get("kind") not in ("ratio", "share", "growth"):
            raise PlanDataError(path, offset + 2, "kind", rec.get("kind"), "ratio / share / growth")
        if rec.get("indicator_id") not in set(plan.indicators["indicator_id"]):
            raise PlanDataError(path, offset + 2, "indicator_id", rec.get("indicator_id"), "本规划的指标编号 (an indicator of the plan)")
        rules.append(Derivation(rec["indicator_id"], rec.get("formula_zh", ""), rec["kind"],
                                tuple(s for s in rec.get("inputs", "").split("|") if s), int(rec.get("digits") or 2),
                                rec.get("period_note", "")))
    return tuple(rules)


def _pick(context: pd.DataFrame, series: str, region: str, year: int):
    """One context row: where a year has several (preliminary, revised), the latest revision."""
    rows = context[(context.series == series) & (context.region == region) & (context.year == year)]
    if rows.empty:
        return None
    rank = rows.period_note.map(lambda n: 0 if "revised" in n else 2 if "preliminary" in n else 1)
    return rows.loc[rank.sort_values(kind="stable").index[0]]


def derive(context: pd.DataFrame, plan=None) -> pd.DataFrame:
    """Every value the plan's derivations can compute from ``context`` (frame columns, origin 'derived').

    Inputs qualified ``>`` or ``<`` give no value; a ``≈`` input makes the result ``≈``.

    >>> plan = _plan(None)
    >>> context = pd.DataFrame({"series": ["城镇居民人均可支配收入", "农村居民人均可支配收入"],
    ...     "region": plan.region, "year": 2020, "value": [62699.0, 31930.0], "qualifier": "",
    ...     "period_note": "", "source_title": "2020年统计公报", "source_url": ""})
    >>> derived = derive(context, plan)
    >>> derived[["indicator_id", "year", "value"]].values.tolist()  # 62699 / 31930 = 1.9636 → 1.96
    [['urban_rural_income_ratio', 2020, 1.96]]
    """
    plan = _plan(plan)
    meta = {r["indicator_id"]: r for r in plan.indicators.to_dict("records")}
    records = []
    for rule in load_derivations(plan):
        for region in sorted(set(context.region)):
            for year in sorted(set(context[context.series == rule.inputs[0]].year)):
                if rule.kind == "growth":
                    a, b = _pick(context, rule.inputs[0], region, year), _pick(context, rule.inputs[0], region, year - 1)
                else:
                    a, b = (_pick(context, s, region, year) for s in rule.inputs)
                if a is None or b is None or {a.qualifier, b.qualifier} & {">", "<"} or b.value == 0:
                    continue
                if rule.kind == "ratio":
                    value, arithmetic = a.value / b.value, f"{a.value:g} / {b.value:g}"
                elif rule.kind == "share":
                    value, arithmetic = a.value / b.value * 100, f"{a.value:g} / {b.value:g} × 100"
                else:
                    value, arithmetic = (a.value / b.value - 1) * 100, f"({a.value:g} / {b.value:g} - 1) × 100"
                value = round(value, rule.digits)
                notes = [n for n in (rule.period_note, a.period_note, b.period_note) if n]
                titles = list(dict.fromkeys(t for t in (a.source_title, b.source_title) if t))
                urls = list(dict.fromkeys(u for u in (a.source_url, b.source_url) if u))
                info = meta[rule.indicator_id]
                records.append({
                    "indicator_id": rule.indicator_id, "target_id": "", "indicator_no": int(float(info["no"])),
                    "region": region, "series": "plan", "year": int(year), "value": value,
                    "qualifier": "≈" if "≈" in (a.qualifier, b.qualifier) else "",
                    "unit": info["unit"], "period_note": "; ".join(dict.fromkeys(notes)),
                    "source_title": "计算值 (derived) from: " + "; ".join(titles),
                    "source_url": " ; ".join(urls), "source_quality": "derived", "snippet": "",
                    "notes": "computed by plananalysis from context series; not read from a source",
                    "is_derived": True,
                    "derivation": f"{rule.formula} ({year}: {arithmetic} = {value:g})",
                    "origin": "derived",
                })
    return _tidy(pd.DataFrame(records, columns=FRAME_COLUMNS)) if records else _tidy(pd.DataFrame(columns=FRAME_COLUMNS))


VERDICT_COLUMNS = ["subject_id", "year", "verdict", "reason_zh", "reason_en", "source_title", "source_url", "snippet"]
VERDICTS = {"met": "the target is met (已实现)", "not_met": "the target is not met (未实现)"}


def load_verdicts(plan=None) -> pd.DataFrame:
    """An analyst's recorded verdicts on qualitative targets (``observed/verdicts.csv``), checked:
    the subject is an indicator or target of the plan, the year within the plan's years, the
    verdict ``met`` or ``not_met``, and a source is given (a verdict is never invented).

    >>> list(load_verdicts().columns) == VERDICT_COLUMNS
    True
    """
    plan = _plan(plan)
    path = observed_dir(plan) / "verdicts.csv"
    if not path.is_file():
        return pd.DataFrame(columns=VERDICT_COLUMNS)
    rules = ObservedRules.for_plan(plan)
    cells = read_table(path)
    header, rows = cells[0], cells[1:]
    missing = [c for c in VERDICT_COLUMNS if c not in header]
    if missing:
        raise PlanDataError(path, 1, missing[0], ", ".join(header), "列 " + ", ".join(VERDICT_COLUMNS))
    subjects = set(rules.indicators) | set(rules.targets)
    errors, records = [], []
    for offset, raw in enumerate(rows):
        if not any(c.strip() for c in raw):
            continue
        record = dict(zip(header, (c.strip() for c in raw)))
        line = offset + 2
        if record["subject_id"] not in subjects:
            errors.append(PlanDataError(path, line, "subject_id", record["subject_id"], "本规划的指标编号或目标编号 (an indicator or target id of the plan)"))
        try:
            record["year"] = parse_year(record["year"], rules.first_year, rules.last_year)
        except ValueError as exc:
            errors.append(PlanDataError(path, line, "year", record["year"], str(exc)))
        if record["verdict"] not in VERDICTS:
            errors.append(PlanDataError(path, line, "verdict", record["verdict"], "met 或 not_met"))
        if not (record["source_title"] or record["source_url"]):
            errors.append(PlanDataError(path, line, "source_title", "", "判断的来源 (the source the verdict rests on)"))
        records.append(record)
    if errors:
        raise InvalidObservedFile(errors)
    return pd.DataFrame(records, columns=VERDICT_COLUMNS)


def derived_vs_read(path=None, plan=None) -> pd.DataFrame:
    """Where a value was read *and* can be computed, both side by side (a consistency check).

    Columns: indicator_id, region, series, year, read, derived, difference (read − derived),
    derivation.  Differences beyond rounding point at a revision, a different basis or a
    mistaken year in a source.

    >>> both = derived_vs_read().set_index(["indicator_id", "year"])
    >>> both.loc[("urban_rural_income_ratio", 2020), ["read", "derived"]].tolist()  # 62699 / 31930
    [1.96, 1.96]
    """
    plan = _plan(plan)
    folder = Path(path) if path is not None else observed_dir(plan)
    read = load_observed(folder, plan=plan, include_derived=False)
    computed = derive(load_context(folder, plan=plan), plan)
    both = read.merge(computed[[*KEY, "value", "derivation"]], on=KEY, suffixes=("_read", "_derived"))
    both = both.rename(columns={"value_read": "read", "value_derived": "derived", "derivation_derived": "derivation"})
    both["difference"] = (both["read"] - both["derived"]).round(6)
    return both[[*KEY, "read", "derived", "difference", "derivation"]]
