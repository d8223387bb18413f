"""One set of signals for every page: the number beside a status, the bar, the lists, the reason.

Each progress row gets, from the engine's own columns and nothing else:

- its **tone** — ``met``, ``ahead``, ``on_track``, ``lagging``, ``reversed`` or ``no_data`` —
  read from the status's declared symbol (``data/methods/status_labels.csv``: ★ ✓ met, ↑ ahead,
  → ≈ ↗ on track, ↘ ✗ lagging, ↓ reversed, · no data), so every method, and any status the
  engine adds with a symbol, sorts the same way;
- the **number the verdict rests on**, shown beside the status: the pace ``q = P/E`` where the
  mid-term verdict rests on the pace, ``P`` where it rests on completion (a target already met,
  every final verdict), *met / not met* for a constraint target (a ceiling, a control or maintain
  target, a floor met at the base), the method's own measure for the other methods;
- the **bar**: completion P against the share of time the verdict compares it with (E; for a
  five-year sum with years missing, the share of the years with data, so that the bar and the
  verdict agree); no time mark in a final review;
- the **projection** (mid-term only, never in a final review, never "likely met" beside a
  lagging status), and the **reason** (the engine's, digits grouped, in English with no Chinese
  left but names).

"Most behind" lists only lagging and reversed rows, worst first; "furthest ahead" only rows that
are met or ahead, best first — a 快于预期 row is never among the most behind, a 未完成 row never
furthest ahead.

>>> from plananalysis.context import review_context
>>> review = review_context(as_of=2023)
>>> row = signals(review.progress).set_index("indicator_id").loc["urban_new_jobs"]
>>> row["label"], row["shown"], row["tone"]
('快于预期（据媒体报道数据，待核实）', 'q=1.32', 'ahead')
>>> bool(most_behind(review.progress)["status_id"].isin(["behind", "reverse"]).all())
True
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from . import format as fmt
from . import glossary

__all__ = ["TONES", "tone", "status_table", "signals", "signal", "most_behind", "furthest_ahead",
           "reason", "projection", "legend", "measure_legend", "is_final", "LAGGING", "GOOD"]

TONES = ("met", "ahead", "on_track", "lagging", "reversed", "no_data")
#: tones of the rows a review asks to act on, and of those on or ahead of schedule
LAGGING = ("lagging", "reversed")
GOOD = ("met", "ahead", "on_track")


def status_table(method: str = "cn-schedule", phase: str = "midterm") -> pd.DataFrame:
    """The method's statuses for ``phase`` with each one's tone (a copy: change it freely).

    >>> status_table("cn-schedule", "final")[["status_id", "tone"]].values.tolist()[:5]
    [['exceeded', 'met'], ['completed', 'met'], ['estimated_completed', 'on_track'], ['basically_completed', 'on_track'], ['estimated_not_completed', 'lagging']]
    """
    return _status_table(method, phase).copy()


@lru_cache(maxsize=32)
def _status_table(method: str, phase: str) -> pd.DataFrame:
    from ..engine.methods import status_labels

    return status_labels(method, phase)   # its tone column: one of TONES, declared with the status


@lru_cache(maxsize=32)
def _declared(method: str, phase: str) -> dict:
    """status id → (symbol, colour, tone) of the declared table."""
    table = _status_table(method, phase)
    return {r.status_id: (str(r.symbol), str(r.colour), str(r.tone)) for r in table.itertuples()}


def tone(status_id: str, method: str = "cn-schedule", phase: str = "midterm") -> str:
    """The tone of a status: ``met``, ``ahead``, ``on_track``, ``lagging``, ``reversed``, ``no_data``.

    >>> tone("ahead"), tone("reverse"), tone("not_completed", phase="final"), tone("no_data")
    ('ahead', 'reversed', 'lagging', 'no_data')
    """
    declared = _declared(method, phase).get(status_id)
    if declared:
        return declared[2]
    return "no_data" if "no_data" in str(status_id) or "not_available" in str(status_id) else "on_track"


def is_final(table: pd.DataFrame) -> bool:
    """Whether a progress table is a final review's (its ``phase``).

    >>> is_final(pd.DataFrame({"phase": ["final"]})), is_final(pd.DataFrame({"phase": []}))
    (True, False)
    """
    return len(table) > 0 and str(table["phase"].iloc[0]) == "final"


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _years_with_data(row) -> int:
    used = str(row.get("years_used") or "")
    return len([y for y in used.split(",") if y.strip()])


def signal(row, lang: str = "zh") -> dict:
    """The signals of one progress row (a Series or dict); see :func:`signals` for the keys.

    >>> from plananalysis.context import review_context
    >>> table = review_context(as_of=2023).progress.set_index("indicator_id", drop=False)
    >>> s = signal(table.loc["urban_new_jobs"])
    >>> s["shown"], fmt.share(s["done"]), fmt.share(s["mark"]), s["bar_note"]
    ('q=1.32', '79%', '60%', '')
    >>> signal(table.loc["surveyed_unemployment_rate"], "en")["shown"]
    'met'
    """
    get = row.get if hasattr(row, "get") else (lambda k, d=None: row[k] if k in row else d)
    method, phase = str(get("method", "cn-schedule")), str(get("phase", "midterm"))
    status_id = str(get("status_id"))
    declared = _declared(method, phase).get(status_id)
    out = {
        "indicator_id": get("indicator_id"),
        "status_id": status_id,
        "label": str(get("status_en" if lang == "en" else "status_zh") or status_id),
        "symbol": declared[0] if declared else "",
        "colour": declared[1] if declared else "#bdbdbd",
        "tone": declared[2] if declared else tone(status_id, method, phase),
        "measure": "", "value": math.nan, "shown": "", "meaning": "",
        "done": math.nan, "mark": math.nan, "bar_note": "",
    }
    if out["tone"] == "no_data":
        out["meaning"] = _t(lang, "无规划口径数据，不作判断", "no data on the plan's basis: not judged")
        return out
    final = phase == "final"
    p, e, q = get("completion_share"), get("elapsed_share"), get("pace_ratio")
    met = get("is_target_met")
    if not bool(get("has_path")) or (fmt.is_missing(p) and fmt.is_missing(get("method_value"))):
        ok = bool(met) if not fmt.is_missing(met) else out["tone"] in GOOD
        out.update(measure="met", value=ok, shown=_t(lang, "满足" if ok else "未满足", "met" if ok else "not met"),
                   meaning=_t(lang, "约束类目标：看最新值是否满足目标", "a constraint target: whether the latest value meets it"))
        return out
    if not fmt.is_missing(p):
        out["done"] = float(p)
        if not final and not fmt.is_missing(e):
            out["mark"] = float(e)
            n_known, n_years, k = _years_with_data(row), get("n_years"), get("elapsed_years")
            if (str(get("years_missing") or "") and get("rule") == "cumulative_sum" and n_known
                    and not fmt.is_missing(n_years) and not fmt.is_missing(k)):
                out["mark"] = n_known / float(n_years)  # the verdict compares the years with data
                out["bar_note"] = _t(lang, f"按有数据的{n_known}年计",
                                     f"over the {n_known} year{'s' if n_known > 1 else ''} with data")
    if method != "cn-schedule":
        measure, value = str(get("method_measure") or ""), get("method_value")
        out.update(measure=measure, value=value,
                   shown=f"{measure}={fmt.number(value, digits=2)}" if measure and not fmt.is_missing(value) else "",
                   meaning=_t(lang, "该方法的判断指标", "the method's measure"))
        return out
    if final or out["tone"] == "met":
        value = get("method_value") if final and not fmt.is_missing(get("method_value")) else p
        if final and not fmt.is_missing(value):
            out["done"] = float(value)   # the bar and P say the number the verdict rests on (an average's pace)
        out.update(measure="P", value=value, shown=f"P={fmt.share(value)}",
                   meaning=_t(lang, "完成目标进度P（目标为100%）", "completion P (the target is 100%)"))
        return out
    out.update(measure="q", value=q, shown=f"q={fmt.pace(q)}",
               meaning=_t(lang, "进度比q=P/E：1为恰按序时进度，≥1.2快于预期，<0.9滞后",
                          "pace q = P/E: 1 is on schedule, ≥ 1.2 ahead, < 0.9 behind"))
    return out


def signals(progress: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """One row of signals per progress row, in the table's order.

    Columns: ``indicator_id, status_id, label, symbol, colour, tone, measure, value, shown,
    meaning, done, mark, bar_note, projected, reason``.

    >>> from plananalysis.context import review_context
    >>> final = signals(review_context(as_of=2025).progress, "en")
    >>> set(final["projected"]), bool(final["shown"].str.startswith("q=").any())
    ({''}, False)
    """
    rows = []
    for _, row in progress.iterrows():
        item = signal(row, lang)
        item["projected"] = projection(row, lang, item["tone"])
        item["reason"] = reason(row, lang)
        rows.append(item)
    columns = ["indicator_id", "status_id", "label", "symbol", "colour", "tone", "measure", "value",
               "shown", "meaning", "done", "mark", "bar_note", "projected", "reason"]
    return pd.DataFrame(rows, columns=columns)


def projection(row, lang: str = "zh", row_tone: str | None = None) -> str:
    """The mid-term projection to the target year in words; ``""`` in a final review.

    A row already met says so; a lagging or reversed row is never "likely met" (were the engine's
    projection to say so, the cell says nothing rather than contradict the status).

    >>> from plananalysis.context import review_context
    >>> table = review_context(as_of=2023).what_if("culture_industry_share", 2023, 6.7).progress.set_index("indicator_id", drop=False)
    >>> projection(table.loc["culture_industry_share"]), projection(table.loc["urbanisation_rate"], "en")
    ('难以完成', 'likely met')
    """
    get = row.get if hasattr(row, "get") else (lambda k, d=None: row[k] if k in row else d)
    if str(get("phase")) == "final":
        return ""
    row_tone = row_tone or tone(str(get("status_id")), str(get("method", "cn-schedule")), str(get("phase")))
    if row_tone == "no_data":
        return fmt.MISSING
    if row_tone == "met":
        return _t(lang, "已实现", "already met")
    likely = get("is_projected_met")
    if fmt.is_missing(likely):
        return fmt.MISSING
    if bool(likely):
        return fmt.MISSING if row_tone in LAGGING else _t(lang, "预计完成", "likely met")
    return _t(lang, "难以完成", "unlikely")


def reason(row, lang: str = "zh") -> str:
    """The engine's reason in ``lang``: digits grouped; in English, printed targets and the plan's
    table words translated (:func:`~plananalysis.present.glossary.translate`).

    >>> from plananalysis.context import review_context
    >>> table = review_context(as_of=2025).progress.set_index("indicator_id", drop=False)
    >>> reason(table.loc["surveyed_unemployment_rate"], "en")
    'latest data 2024; 2024: 4.5; target kept within about 5.5; met (rests on reprinted data, to be confirmed)'
    """
    get = row.get if hasattr(row, "get") else (lambda k, d=None: row[k] if k in row else d)
    text = get("reason_en" if lang == "en" else "reason_zh")
    if fmt.is_missing(text):
        return fmt.MISSING
    text = fmt.group_digits(str(text))
    if lang == "en" and glossary.has_chinese(text):
        printed = get("target_printed")
        if not fmt.is_missing(printed) and str(printed) in text:
            text = text.replace(str(printed), glossary.target_wording(printed, unit=get("unit")))
        text = glossary.translate(text)
    return text


def _order(frame: pd.DataFrame, ascending: bool) -> pd.DataFrame:
    value = pd.to_numeric(frame["_value"], errors="coerce")
    key = value.fillna(-math.inf if ascending else math.inf)  # constraints unmet: first when worst
    return frame.assign(_key=key).sort_values(["status_order", "_key"], ascending=[not ascending, ascending],
                                              kind="stable")


def _with_values(progress: pd.DataFrame) -> pd.DataFrame:
    found = signals(progress)
    frame = progress.reset_index(drop=True).copy()
    frame["_tone"] = found["tone"].to_numpy()
    frame["_value"] = [v if m in ("q", "P") or (m and m != "met") else math.nan
                       for m, v in zip(found["measure"], found["value"])]
    return frame


def most_behind(progress: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` rows most behind: only lagging and reversed statuses, worst status first, then the
    lowest number the verdict rests on (q or P).

    >>> from plananalysis.context import review_context
    >>> most_behind(review_context(as_of=2023).what_if("culture_industry_share", 2023, 6.7).progress)["name_zh"].tolist()
    ['文化及相关产业增加值占GDP比重']
    >>> most_behind(review_context(as_of=2023).progress).empty     # the shipped data: nothing lags
    True
    """
    frame = _with_values(progress)
    frame = frame[frame["_tone"].isin(LAGGING)]
    return _order(frame, ascending=True).head(n).drop(columns=["_tone", "_value", "_key"]).reset_index(drop=True)


def furthest_ahead(progress: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` rows furthest ahead: only statuses that are met or ahead, best status first, then
    the highest number the verdict rests on.

    >>> from plananalysis.context import review_context
    >>> ahead = furthest_ahead(review_context(as_of=2025).progress)
    >>> set(ahead["status_id"]) <= {"exceeded", "completed"}
    True
    """
    frame = _with_values(progress)
    frame = frame[frame["_tone"].isin(("met", "ahead"))]
    ordered = frame.assign(_neg=-pd.to_numeric(frame["_value"], errors="coerce").fillna(-math.inf))
    ordered = ordered.sort_values(["status_order", "_neg"], kind="stable")
    return ordered.head(n).drop(columns=["_tone", "_value", "_neg"]).reset_index(drop=True)


def legend(method: str = "cn-schedule", phase: str = "midterm", lang: str = "zh") -> pd.DataFrame:
    """The statuses in words, for a page's legend: symbol, label, colour, tone and rule.

    >>> legend("cn-schedule", "midterm", "en")[["symbol", "label"]].values.tolist()[:2]
    [['★', 'Achieved ahead of time'], ['↑', 'Ahead of schedule']]
    """
    table = status_table(method, phase)
    return pd.DataFrame({
        "status_id": table["status_id"], "symbol": table["symbol"],
        "label": table["label_en" if lang == "en" else "label_zh"], "colour": table["colour"],
        "tone": table["tone"], "rule": table["rule_en" if lang == "en" else "rule_zh"],
    })


def measure_legend(phase: str = "midterm", lang: str = "zh") -> list[tuple[str, str]]:
    """P, E and q in words (the final review: P only).

    >>> [name for name, _ in measure_legend("midterm")]
    ['P', 'E', 'q']
    >>> measure_legend("final", "en")[0][1].startswith("completion")
    True
    """
    p = _t(lang, "完成目标进度：从基期到最新值已走完到目标的路程的比例（100%即达到目标）",
           "completion: the share of the way from the base to the target covered by the latest value (100% = the target)")
    items = [("P", p)]
    if phase != "final":
        items.append(("E", _t(lang, "序时进度：规划期已过去的比例（如五年规划的第三年末为60%）",
                              "time elapsed: the share of the plan period gone by (60% after three years of five)")))
        items.append(("q", _t(lang, "进度比q=P/E：1为恰按序时进度；≥1.2快于预期，0.9–1.2基本符合预期，<0.9滞后，<0逆向",
                              "pace q = P/E: 1 is exactly on schedule; ≥ 1.2 ahead, 0.9–1.2 on schedule, < 0.9 behind, < 0 moving away")))
    return items
