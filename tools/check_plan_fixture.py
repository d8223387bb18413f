"""Check a plan folder against docs/new-plan.md (columns, types, ids, snippets); no plananalysis import.

    python tools/check_plan_fixture.py tests/data/plans/cn-national-14th [more folders]

Prints one line per problem and exits 1 if any; checks that every observed value's number
appears in its snippet (full-width digits and traditional/simplified text are both accepted).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import yaml

KINDS = {"level", "cumulative_sum", "cumulative_change", "cumulative_reduction", "avg_growth",
         "maintain", "relational", "qualitative"}
IND_COLS = ["indicator_id", "name_zh", "unit", "baseline_printed", "target_printed", "target_kind", "direction"]
OBS_COLS = ("indicator_id,target_id,indicator_no,indicator_name,region,series,year,value,qualifier,unit,"
            "value_type,period_note,source_title,source_url,source_quality,snippet,notes").split(",")
REG_COLS = ["code", "name_zh", "name_en", "level", "parent_code", "aliases"]
QUALITY = {"official", "media", "reprint", "secondary", "department", "user"}


def check(folder: Path) -> list[str]:
    bad: list[str] = []
    say = lambda msg: bad.append(f"{folder.name}: {msg}")  # noqa: E731
    plan = yaml.safe_load((folder / "plan.yml").read_text(encoding="utf-8"))
    if plan.get("id") != folder.name:
        say(f"plan.yml id {plan.get('id')!r} is not the folder name")
    for key in ("title_zh", "region", "region_level", "period", "midterm_year", "document"):
        if key not in plan:
            say(f"plan.yml lacks {key}")
    per = plan["period"]
    if not per["start"] <= plan["midterm_year"] <= per["end"] or per["base_year"] != per["start"] - 1:
        say(f"plan.yml period/midterm inconsistent: {per}, {plan['midterm_year']}")
    yaml.safe_load((folder / "sources.yml").read_text(encoding="utf-8"))

    reg = pd.read_csv(folder / "regions.csv", dtype=str, keep_default_na=False)
    if list(reg.columns) != REG_COLS:
        say(f"regions.csv columns {list(reg.columns)}")
    if not reg.code.str.fullmatch(r"\d{6}").all() or reg.code.duplicated().any():
        say("regions.csv codes must be unique 6-digit strings")
    if not set(reg.parent_code[reg.parent_code != ""]) <= set(reg.code):
        say("regions.csv parent_code not among the codes")
    if plan["region"] not in set(reg.name_zh):
        say(f"plan region {plan['region']} not in regions.csv")

    ind = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    for c in IND_COLS:
        if c not in ind.columns:
            say(f"indicators.csv lacks {c}")
    if ind.indicator_id.duplicated().any():
        say("duplicate indicator_id")
    for _, r in ind.iterrows():
        i = r.indicator_id
        if not re.fullmatch(r"[a-z0-9_]+", i):
            say(f"{i}: id is not a slug")
        if r.target_kind not in KINDS:
            say(f"{i}: target_kind {r.target_kind!r}")
        if r.direction not in ("higher", "lower"):
            say(f"{i}: direction {r.direction!r}")
        if r.get("attribute", "") not in ("", "binding", "expected"):
            say(f"{i}: attribute {r.attribute!r}")
        if r.target_kind == "relational" and r.get("linked_indicator", "") not in set(ind.indicator_id):
            say(f"{i}: relational row without a linked indicator of this plan")
        if r.target_printed.strip() == "":
            say(f"{i}: empty target_printed")
        for col in ("baseline_value", "target_value"):
            if r.get(col, "") and not re.fullmatch(r"-?\d+(\.\d+)?", r[col]):
                say(f"{i}: {col} {r[col]!r} not a number")
    units = dict(zip(ind.indicator_id, ind.unit))
    nos = dict(zip(ind.indicator_id, ind["no"]))

    for path in sorted((folder / "observed").glob("observed-*.csv")):
        obs = pd.read_csv(path, dtype=str, keep_default_na=False)
        if list(obs.columns) != OBS_COLS:
            say(f"{path.name}: columns {list(obs.columns)}")
            continue
        key = obs[["indicator_id", "region", "series", "year"]].apply(tuple, axis=1)
        for k in key[key.duplicated()]:
            say(f"{path.name}: duplicate key {k}")
        for n, r in obs.iterrows():
            where = f"{path.name} row {n + 2} ({r.indicator_id} {r.year})"
            if r.indicator_id not in units:
                say(f"{where}: unknown indicator")
                continue
            if r.target_id:
                say(f"{where}: target_id given with indicator_id")
            if r.indicator_no != nos[r.indicator_id]:
                say(f"{where}: indicator_no {r.indicator_no} != {nos[r.indicator_id]}")
            if r.region not in set(reg.name_zh):
                say(f"{where}: region {r.region}")
            if not (r.year.isdigit() and 2015 <= int(r.year) <= 2035):
                say(f"{where}: year {r.year}")
            if not re.fullmatch(r"-?\d+(\.\d+)?", r.value):
                say(f"{where}: value {r.value!r}")
            if r.qualifier not in ("", "≈", ">", "<"):
                say(f"{where}: qualifier {r.qualifier!r}")
            if r.unit != units[r.indicator_id]:
                say(f"{where}: unit {r.unit} != plan unit {units[r.indicator_id]}")
            if r.value_type not in ("", "level", "flow", "cumulative"):
                say(f"{where}: value_type {r.value_type}")
            if r.source_quality not in QUALITY:
                say(f"{where}: source_quality {r.source_quality}")
            if not (r.source_title and r.source_url and r.snippet):
                say(f"{where}: source title, url and snippet are all required")
            snippet = r.snippet.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
            if not re.search(rf"(?<![\d.]){re.escape(r.value)}(?![\d])", snippet):
                say(f"{where}: value {r.value} not found in its snippet")
    return bad


if __name__ == "__main__":
    problems = [p for arg in sys.argv[1:] for p in check(Path(arg))]
    print("\n".join(problems) or "ok")
    sys.exit(1 if problems else 0)
