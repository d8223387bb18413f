"""Data checks declared next to the data (``checks.yml`` in a plan's folder).

Each check in the YAML file carries the reason it exists; this module only knows how to
apply the kinds of check (unique, required, choices, units, ranges, percent_range,
printed_cells).  Every failure is a :class:`~plananalysis.errors.PlanDataError` that names
the file, the row (as a spreadsheet shows it: the header is row 1), the column, the value
and what was expected.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..errors import ParseError, PlanDataError
from .grammar import parse

__all__ = ["check_table", "check_printed_cells", "sheet_row"]


def sheet_row(index: int) -> int:
    """The row number a spreadsheet shows for DataFrame position ``index`` (header = row 1).

    >>> sheet_row(0)
    2
    """
    return int(index) + 2


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def check_table(frame: pd.DataFrame, path: Path, rules: dict) -> list[PlanDataError]:
    """Apply the declared ``rules`` (one file's section of checks.yml) to ``frame``.

    >>> frame = pd.DataFrame({"indicator_id": ["jobs", "jobs"], "direction": ["higher", "up"]})
    >>> rules = {"unique": ["indicator_id"],
    ...          "choices": {"direction": {"values": ["higher", "lower"], "reason": "never defaulted"}}}
    >>> [(e.row, e.column, e.value) for e in check_table(frame, Path("indicators.csv"), rules)]
    [(3, 'indicator_id', 'jobs'), (3, 'direction', 'up')]
    """
    problems: list[PlanDataError] = []
    name = path.name

    def add(pos, column, value, expected):
        problems.append(PlanDataError(path, sheet_row(pos) if pos is not None else None, column, value, expected))

    for column in rules.get("required", []):
        if column not in frame.columns:
            add(None, column, None, "该列存在 (the column to exist)")
            continue
        for pos, value in enumerate(frame[column]):
            if _is_blank(value):
                add(pos, column, "", "非空值 (a value; never left blank)")
    for column in rules.get("unique", []):
        if column in frame.columns:
            dup = frame[column].duplicated(keep="first")
            for pos in [i for i, d in enumerate(dup) if d]:
                add(pos, column, frame[column].iloc[pos], f"{name} 中唯一的值 (a value unique in the file)")
    for column, rule in rules.get("choices", {}).items():
        if column not in frame.columns:
            continue
        allowed = [str(v) for v in rule["values"]]
        for pos, value in enumerate(frame[column]):
            if not _is_blank(value) and str(value) not in allowed:
                add(pos, column, value, f"{' / '.join(allowed)} 之一 (one of these; {rule['reason']})")
    units = rules.get("units")
    if units and "unit" in frame.columns:
        for pos, value in enumerate(frame["unit"]):
            if not _is_blank(value) and value not in units["values"]:
                add(pos, "unit", value, f"已知单位 {' '.join(units['values'])} 之一 ({units['reason']})")
    for column, rule in rules.get("ranges", {}).items():
        if column not in frame.columns:
            continue
        for pos, value in enumerate(frame[column]):
            if not _is_blank(value) and not rule["min"] <= float(value) <= rule["max"]:
                add(pos, column, value, f"{rule['min']}–{rule['max']} 之间的数 ({rule['reason']})")
    share = rules.get("percent_range")
    if share and "unit" in frame.columns:
        value_columns = [c for c in frame.columns if c.endswith("_value")]
        for pos, row in frame.reset_index(drop=True).iterrows():
            if row["unit"] != "%":
                continue
            for column in value_columns:
                value = row[column]
                if not _is_blank(value) and not share["min"] <= float(value) <= share["max"]:
                    add(pos, column, value, f"{share['min']}–{share['max']} 之间的百分数 ({share['reason']})")
    problems += check_printed_cells(frame, path, rules.get("printed_cells", []))
    return problems


def check_printed_cells(frame: pd.DataFrame, path: Path, printed_columns: list[str]) -> list[PlanDataError]:
    """Every printed cell parses, and the parsed columns beside it agree with the grammar.

    A column ``X_printed`` is checked against ``X_value``, ``X_op`` and ``X_year`` where
    those columns exist; a multi-part cell (``>96(食品) >98(药品)``) leaves them blank.

    >>> frame = pd.DataFrame({"target_printed": ["75左右", ">96"], "target_value": [75.0, 95.0]})
    >>> [problem] = check_printed_cells(frame, Path("indicators.csv"), ["target_printed"])
    >>> problem.row, problem.column, problem.value
    (3, 'target_value', 95.0)
    """
    problems: list[PlanDataError] = []
    for column in printed_columns:
        if column not in frame.columns:
            continue
        stem = column.removesuffix("_printed")
        for pos, text in enumerate(frame[column]):
            text = "" if _is_blank(text) else str(text)
            try:
                target = parse(text)
            except ParseError as exc:
                problems.append(PlanDataError(path, sheet_row(pos), column, text, f"a cell the target grammar reads ({exc})"))
                continue
            row = frame.iloc[pos]
            expected = _parsed_columns(target)
            for suffix, want in expected.items():
                parsed_column = f"{stem}_{suffix}"
                if parsed_column not in frame.columns:
                    continue
                have = row[parsed_column]
                have = have.item() if hasattr(have, "item") else have  # numpy scalar → plain, for the message
                if not _same(have, want):
                    problems.append(PlanDataError(
                        path, sheet_row(pos), parsed_column, "" if _is_blank(have) else have,
                        f"{'空' if want is None else want} — 与 {column} 的印刷值 {text!r} 一致 (agreeing with the printed cell)",
                    ))
    return problems


def _parsed_columns(target) -> dict:
    """What the parsed columns must hold for a printed cell."""
    if target.kind in ("none", "parts"):
        return {"value": None}
    expected = {"value": target.value, "op": target.op}
    if target.year is not None:
        expected["year"] = target.year
    return expected


def _same(have, want) -> bool:
    if want is None:
        return _is_blank(have)
    if _is_blank(have):
        return False
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            return math.isclose(float(have), float(want), rel_tol=0, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return str(have) == str(want)
