"""What changed between two reviews (or two runs of one review): one pure comparison.

A review's **snapshot** (:func:`snapshot`) is its results table as a short table — every headline
indicator and catalogue target with its status, latest value, year and that value's source, and
every task with the status its department reported — the part of a review that
:func:`compare` reads.  A run stores it in its report folder as ``results.csv``
(:data:`RESULTS_FILE`), so that ``plananalysis review --compare previous`` can compare a run with
the one before; ``--compare 2023`` compares with the 2023 review computed afresh, and a final
review compares with its mid-term by default (:func:`baseline`).

:func:`compare` turns two snapshots into change rows (:data:`CHANGE_COLUMNS`), in this order:

- ``verdict`` — an indicator or target whose status changed (from → to), with why: the new or
  corrected value and year it now rests on, or the reason the review gives;
- ``new_value`` — a value for a later year than before (its source named);
- ``corrected_value`` — a different value for the same year (its source named);
- ``task`` — a task whose reported status moved (its department and date).

The front page shows them (:func:`changes_html`), ``changes.csv`` keeps them (:func:`changes_csv`,
UTF-8 with BOM) and the Word document's 与中期评估相比 is its verdict rows on the headline
indicators.

>>> before = pd.DataFrame([{"kind": "indicator", "id": "a", "name": "甲", "status_id": "on_track",
...                         "status": "符合预期", "value": 10.0, "year": 2023, "latest": "10（2023年）",
...                         "reason": "r1", "source": "公报2023"}])
>>> after = before.assign(status_id="exceeded", status="超额完成", value=12.0, year=2025,
...                       latest="12（2025年）", source="公报2025")
>>> compare(before, after)[["change", "id", "before", "after"]].values.tolist()
[['verdict', 'a', '符合预期', '超额完成'], ['new_value', 'a', '10（2023年）', '12（2025年）']]
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from . import format as fmt
from .text import escape_text

__all__ = ["RESULTS_FILE", "CHANGES_FILE", "SNAPSHOT_COLUMNS", "CHANGE_COLUMNS", "snapshot", "read_snapshot",
           "compare", "baseline", "changes_data", "changes_csv", "changes_html"]

RESULTS_FILE = "results.csv"
CHANGES_FILE = "changes.csv"
SNAPSHOT_COLUMNS = ["kind", "id", "name", "status_id", "status", "value", "year", "latest", "reason", "source"]
CHANGE_COLUMNS = ["change", "kind", "id", "name", "before", "after", "why", "source"]
_ORDER = {"verdict": 0, "new_value": 1, "corrected_value": 2, "task": 3}


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _text(value) -> str:
    return "" if value is None or fmt.is_missing(value) else str(value)


from ..values import finite_number as _number  # one reading of a number cell


def _year(value) -> int | None:
    x = _number(value)
    return None if math.isnan(x) else int(x)


def _sources(review) -> dict:
    """Indicator or target id → the source (title, else link) of the latest value its verdict uses."""
    from .results import source_key

    out = {}
    observed = review.observed
    rows = review.results[review.results["kind"] == "indicator"]
    if len(observed):
        found = observed.assign(_plan=(observed["series"] != "plan").astype(int)).sort_values("_plan", kind="stable")
        first = {}
        for i, y, u, t in zip(found["indicator_id"], found["year"], found["source_url"], found["source_title"]):
            first.setdefault((i, _year(y)), source_key(None, t) or source_key(u, None))
        for _, row in rows.iterrows():
            said = first.get((row["id"], _year(row["latest_year"])))
            if said:
                out[row["id"]] = said
    table = review.target_progress
    if table is not None and len(table) and "latest_source_title" in table.columns:
        for tid, title, url in zip(table["target_id"], table["latest_source_title"], table["latest_source_url"]):
            said = _text(title).strip() or _text(url).strip()
            if said:
                out[tid] = said
    if review.lang == "zh":   # the English notes of a source title ("(reprint)") in Chinese, as every page says them
        from .glossary import to_chinese

        out = {k: to_chinese(v) for k, v in out.items()}
    return out


def snapshot(review) -> pd.DataFrame:
    """The review's snapshot (:data:`SNAPSHOT_COLUMNS`): its results table's rows, then its tasks
    with their reported status (``status`` empty where none came in; ``latest`` = the date
    reported, ``source`` = the department).

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2023)
    >>> row = snapshot(review).set_index("id").loc["urban_new_jobs"]
    >>> row["status_id"], int(row["year"]), row["source"] == f"2023年{review.plan.info.region}国民经济和社会发展统计公报"
    ('ahead', 2023, True)
    """
    from .review_text import task_name, task_table

    results = review.results
    sources = _sources(review)
    rows = [{"kind": r["kind"], "id": r["id"], "name": r["name"], "status_id": r["status_id"], "status": r["label"],
             "value": _number(r["latest_value"]), "year": _year(r["latest_year"]), "latest": r["latest"],
             "reason": r["reason"], "source": sources.get(r["id"], "")} for _, r in results.iterrows()]
    tasks = task_table(review)
    rows += [{"kind": "task", "id": t["task_id"], "name": task_name(t, review.lang), "status_id": t["status"],
              "status": t["status"], "value": math.nan, "year": None, "latest": t["reported_on"],
              "reason": t["progress_text"], "source": t["reporter"] if t["status"] else ""}
             for _, t in tasks.iterrows()]
    frame = pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)
    frame["year"] = pd.array(list(frame["year"]), dtype="Int64") if len(frame) else pd.array([], dtype="Int64")
    return frame


def read_snapshot(path) -> pd.DataFrame:
    """A stored snapshot (a run's ``results.csv``), or a clear error naming the file.

    >>> import tempfile
    >>> from plananalysis.context import review_context
    >>> from plananalysis.present.show import csv_text
    >>> path = Path(tempfile.mkdtemp()) / RESULTS_FILE
    >>> stored = snapshot(review_context(as_of=2023))
    >>> _ = path.write_text(csv_text(stored), encoding="utf-8-sig")      # as a run stores it
    >>> again = read_snapshot(path)
    >>> int(again.set_index("id").loc["urban_new_jobs", "year"]), len(compare(stored, again))   # no change
    (2023, 0)
    >>> _ = path.write_text("kind,id" + chr(10) + "indicator,a" + chr(10), encoding="utf-8")
    >>> read_snapshot(path)
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ... 第1行 列 name: 值 '' 不符合要求，应为 列 (the columns) kind, id, name, ...
    """
    from ..errors import PlanDataError

    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PlanDataError(path, None, None, type(exc).__name__,
                            "上次评估保存的结果表 results.csv (the results table a previous run stored)") from None
    missing = [c for c in SNAPSHOT_COLUMNS if c not in frame.columns]
    if missing:
        raise PlanDataError(path, 1, missing[0], "", "列 (the columns) " + ", ".join(SNAPSHOT_COLUMNS))
    frame = frame[SNAPSHOT_COLUMNS].copy()
    frame["value"] = [_number(v) for v in frame["value"]]
    frame["year"] = pd.array([_year(v) for v in frame["year"]], dtype="Int64")
    return frame


def _same(a, b) -> bool:
    a, b = _number(a), _number(b)
    return (math.isnan(a) and math.isnan(b)) or (not math.isnan(a) and not math.isnan(b) and abs(a - b) <= 1e-9 * max(1, abs(a)))


def compare(before: pd.DataFrame, after: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The changes from snapshot ``before`` to snapshot ``after`` (:data:`CHANGE_COLUMNS`), verdicts
    first, then new values, corrected values and tasks, each in ``after``'s order.  A row only in
    one of them is not a change (the plan changed, not the review).

    >>> before = pd.DataFrame([{"kind": "task", "id": "ch09-s01", "name": "着力提升婴育服务水平", "status_id": "",
    ...                         "status": "", "value": None, "year": None, "latest": "", "reason": "", "source": ""}])
    >>> after = before.assign(status_id="滞后", status="滞后", latest="2025-01-02", reason="【测试数据】床位未建成",
    ...                       source="省卫生健康委")
    >>> compare(before, after, "en").iloc[0].tolist()
    ['task', 'task', 'ch09-s01', '着力提升婴育服务水平', 'not reported', '滞后', '【测试数据】床位未建成', '省卫生健康委 2025-01-02']
    >>> len(compare(before.iloc[:0], after))      # a task only in ``after``: not a change
    0
    """
    old = before.drop_duplicates(["kind", "id"]).set_index(["kind", "id"])
    out = []
    for _, row in after.iterrows():
        key = (row["kind"], row["id"])
        if key not in old.index:
            continue
        was = old.loc[key]
        if row["kind"] == "task":
            if _text(was["status_id"]) != _text(row["status_id"]):
                none = _t(lang, "未报送", "not reported")
                out.append({"change": "task", "before": _text(was["status"]) or none, "after": _text(row["status"]) or none,
                            "why": _text(row["reason"]), "source": " ".join(
                                x for x in (_text(row["source"]), _text(row["latest"])) if x)} | _who(row))
            continue
        new_year, old_year = _year(row["year"]), _year(was["year"])
        value_moved = None
        if new_year is not None and (old_year is None or new_year > old_year):
            value_moved = "new_value"
        elif new_year is not None and new_year == old_year and not _same(was["value"], row["value"]):
            value_moved = "corrected_value"
        if _text(was["status_id"]) != _text(row["status_id"]):
            if value_moved == "new_value":
                why = _t(lang, f"新数据：{row['latest']}", f"new value: {row['latest']}")
            elif value_moved == "corrected_value":
                why = _t(lang, f"数值更正：{was['latest']} → {row['latest']}", f"corrected value: {was['latest']} → {row['latest']}")
            else:
                why = _text(row["reason"])
            out.append({"change": "verdict", "before": _text(was["status"]), "after": _text(row["status"]), "why": why,
                        "source": _text(row["source"]) if value_moved else ""} | _who(row))
        if value_moved:
            out.append({"change": value_moved, "before": _text(was["latest"]) or fmt.MISSING, "after": _text(row["latest"]),
                        "why": "", "source": _text(row["source"])} | _who(row))
    frame = pd.DataFrame(out, columns=CHANGE_COLUMNS)
    if len(frame):
        frame = frame.assign(_o=frame["change"].map(_ORDER)).sort_values("_o", kind="stable").drop(columns="_o")
    return frame.reset_index(drop=True)


def _who(row) -> dict:
    return {"kind": row["kind"], "id": row["id"], "name": _text(row["name"])}


def baseline(review) -> tuple[str, object] | None:
    """What ``review`` compares with: ``("year", 2023)`` (``--compare 2023``, or a final review's
    mid-term by default), ``("previous", path)`` (a previous run's ``results.csv``), or ``None``.

    >>> from plananalysis.context import review_context
    >>> baseline(review_context(as_of=2025)), baseline(review_context(as_of=2023))
    (('year', 2023), None)
    """
    compare_with = str(getattr(review.params, "compare", "") or "")
    if compare_with.isdigit():
        return ("year", int(compare_with))
    if compare_with:
        return ("previous", Path(compare_with))
    midterm = review.plan.info.midterm_year
    if review.params.phase == "final" and midterm and midterm < review.params.as_of:
        return ("year", int(midterm))
    return None


def _changes_title(review) -> str:
    """The heading of the comparison: since the mid-term, since another year's review, or since
    the previous run."""
    found = baseline(review)
    lang = review.lang
    if found is None:
        return ""
    kind, what = found
    if kind == "previous":
        return _t(lang, "与上次运行相比", "Since the previous run")
    if what == review.plan.info.midterm_year:
        return _t(lang, "与中期评估相比", "Since the mid-term")
    return _t(lang, f"与{what}年评估相比", f"Since the {what} review")


_KIND_WORDS = {"verdict": ("评估结论变化", "Verdict changed"), "new_value": ("新数据", "New value"),
               "corrected_value": ("数值更正", "Corrected value"), "task": ("任务进展变化", "Task status moved")}
_TYPE_WORDS = {"indicator": ("主要指标", "Headline indicator"), "target": ("量化目标", "Target"), "task": ("任务", "Task")}


def changes_data(changes: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The change rows as a reader's table (``changes.csv``): words, not codes, in ``lang``.

    >>> rows = pd.DataFrame([{"change": "task", "kind": "task", "id": "t", "name": "甲", "before": "序时推进",
    ...                       "after": "滞后", "why": "", "source": "省卫生健康委 2025-01-02"}])
    >>> changes_data(rows, "en").iloc[0].tolist()
    ['Task status moved', 'Task', '甲', '序时推进', '滞后', '', '省卫生健康委 2025-01-02']
    """
    names = [_t(lang, zh, en) for zh, en in (("变化", "Change"), ("类别", "Kind"), ("名称", "Name"), ("此前", "Before"),
                                              ("现在", "Now"), ("原因", "Why"), ("来源", "Source"))]
    rows = [[_t(lang, *_KIND_WORDS[r["change"]]), _t(lang, *_TYPE_WORDS.get(r["kind"], (r["kind"], r["kind"]))),
             r["name"], r["before"], r["after"], r["why"], r["source"]] for _, r in changes.iterrows()]
    return pd.DataFrame(rows, columns=names)


def changes_csv(changes: pd.DataFrame, lang: str = "zh") -> str:
    """``changes.csv``'s text (written UTF-8 with BOM): :func:`changes_data`, cells made safe.

    >>> rows = pd.DataFrame([{"change": "corrected_value", "kind": "indicator", "id": "a", "name": "甲",
    ...                       "before": "10（2023年）", "after": "11（2023年）", "why": "", "source": "=公报"}])
    >>> changes_csv(rows, "en").splitlines()
    ['Change,Kind,Name,Before,Now,Why,Source', "Corrected value,Headline indicator,甲,10（2023年）,11（2023年）,,'=公报"]
    """
    from .show import csv_text

    return csv_text(changes_data(changes, lang))


def changes_html(review, changes: pd.DataFrame) -> str:
    """The front page's short section (``id="changes"``): its heading, one line of counts and
    the change rows as a table (every text escaped); empty when the review compares with nothing.

    >>> from types import SimpleNamespace
    >>> review = SimpleNamespace(lang="en", params=SimpleNamespace(compare="/x/results.csv", phase="final", as_of=2025),
    ...                          plan=SimpleNamespace(info=SimpleNamespace(midterm_year=2023)))
    >>> rows = pd.DataFrame([{"change": "verdict", "kind": "indicator", "id": "a", "name": "<b>A</b>",
    ...                       "before": "On track", "after": "Behind", "why": "", "source": ""}])
    >>> page = changes_html(review, rows)
    >>> "Since the previous run" in page, "&lt;b&gt;A&lt;/b&gt;" in page, "1 verdict changed" in page
    (True, True, True)
    """
    title = _changes_title(review)
    if not title:
        return ""
    lang = review.lang
    counts = changes["change"].value_counts() if len(changes) else pd.Series(dtype=int)
    if not len(changes):
        line = _t(lang, "评估结论、数据和任务进展均无变化。", "No verdict, value or task status changed.")
    else:
        parts = [(counts.get("verdict", 0), "项评估结论变化", "verdict changed", "verdicts changed"),
                 (counts.get("new_value", 0), "项新数据", "new value", "new values"),
                 (counts.get("corrected_value", 0), "项数值更正", "corrected value", "corrected values"),
                 (counts.get("task", 0), "项任务进展变化", "task status moved", "task statuses moved")]
        line = _t(lang, "、".join(f"{n}{zh}" for n, zh, _, _ in parts if n) + "。",
                  ", ".join(f"{n} {one if n == 1 else many}" for n, _, one, many in parts if n) + ".")
    # the one-minute page shows the headline indicators' verdict changes; every row is in changes.csv
    shown = changes[(changes["change"] == "verdict") & (changes["kind"] == "indicator")] if len(changes) else changes
    data = changes_data(shown, lang)
    if len(changes) > len(shown):
        line += _t(lang, f"下表为主要指标的评估结论变化，全部{len(changes)}项见变化清单。",
                   f" The table shows the headline indicators' verdict changes; all {len(changes)} are in the CSV.")
    table = ""
    if len(data):
        head = "".join(f"<th>{escape_text(c)}</th>" for c in data.columns)
        from .glossary import mark_chinese

        # names and source titles stay as written: on an English page their Chinese is marked zh-CN
        named = [c in (_t(lang, "名称", "Name"), _t(lang, "来源", "Source"), _t(lang, "原因", "Why")) for c in data.columns]
        body = "".join("<tr>" + "".join(f"<td>{mark_chinese(v, lang) if is_name else escape_text(v)}</td>"
                                        for v, is_name in zip(row, named)) + "</tr>" for row in data.values.tolist())
        table = f'<div class="pa-output"><table class="pa-changes"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
    return (f'<section id="changes"><h2>{escape_text(title)}</h2><p>{escape_text(line)}</p>{table}'
            f'<p class="pa-data"><a href="changes.csv" download>{escape_text(_t(lang, "变化清单（CSV）", "Changes (CSV)"))}</a></p>'
            "</section>")
