"""Every output says what the review's one results table says (issue 19).

Each check reads one output as a reader gets it — a page's tables, the front page, the workbook's
cells, the Word document's tables and paragraphs, the PDF's text, the static scorecard and the
scorecard app's HTML — pulls out each indicator's and target's status, P, E, q, latest value and
year and each count, and compares them with :attr:`plananalysis.context.ReviewContext.results`
and :attr:`~plananalysis.context.ReviewContext.source_counts`.  Each returns a list of messages
naming the output, the row and both values (empty: consistent).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from plananalysis.present import format as fmt
from plananalysis.present.tables import elapsed_text

from .pages import Page, read_page, table_dicts

NAME = ("指标", "Indicator")
STATUS = ("评估结论", "Status")
P_HEAD = ("完成目标进度P", "Completion P")
E_HEAD = ("序时进度E", "Time elapsed E")
Q_HEAD = re.compile(r"^(进度比q|Pace q)")
LATEST = ("最新值（年份）", "Latest (year)")
MEASURE = ("判断数值", "Measure")
SOURCES = re.compile(r"来自(\d+)个(?:公开)?来源|from (\d+) (?:public )?sources")
VALUES = re.compile(r"观测值(\d+)条|(\d+) observed values")


def _indicators(review) -> dict:
    return {r["name"]: r for r in review.indicator_results().to_dict("records")}


def _targets(review) -> dict:
    return {r["id"]: r for r in review.target_results().to_dict("records")} if len(review.target_progress) else {}


def _col(row: dict, names) -> str | None:
    return next((h for h in row if h in names), None)


def _same(a, b, tol: float = 6e-4) -> bool:
    if fmt.is_missing(a) or a == "":
        return fmt.is_missing(b)
    if fmt.is_missing(b):
        return False
    return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b)))


def check_rows(rows: list[dict], review, where: str) -> list[str]:
    """A progress table as shown (its rows by header): status, P, E, measure, latest value and
    projection of each indicator row against the results."""
    expected, lang, out = _indicators(review), review.lang, []
    end = review.plan.target_year
    for row in rows:
        name_col, status_col = _col(row, NAME), _col(row, STATUS)
        if not name_col or not status_col or row[name_col] not in expected:
            continue
        exp, who = expected[row[name_col]], f"{where} {row[name_col]!r}"
        if exp["label"] not in row[status_col]:
            out.append(f"{who}: status {row[status_col]!r}, the results say {exp['label']!r}")
        checks = [(P_HEAD, fmt.share(exp["P"])), (E_HEAD, elapsed_text(exp["E"], exp["E_note"], lang)),
                  (MEASURE, exp["shown"] or fmt.MISSING), (LATEST, exp["latest"]),
                  ((f"预计{end}年", f"Projected {end}"), exp["projected"])]
        for heads, want in checks:
            col = _col(row, heads)
            if col is not None and row[col].strip() != want:
                out.append(f"{who}: {col} {row[col]!r}, the results say {want!r}")
        if not _col(row, MEASURE) and exp["shown"] and exp["shown"] not in row[status_col]:
            out.append(f"{who}: the status shows {row[status_col]!r} without {exp['shown']!r}")
    return out


def check_target_rows(rows: list[dict], review, where: str) -> list[str]:
    """A targets table as shown (编号/Id rows): status, latest value and data year."""
    expected, out = _targets(review), []
    for row in rows:
        id_col = _col(row, ("编号", "Id"))
        if not id_col or row[id_col] not in expected:
            continue
        exp, who = expected[row[id_col]], f"{where} {row[id_col]}"
        status = _col(row, STATUS)
        if status and row[status] != exp["label"]:
            out.append(f"{who}: status {row[status]!r}, the results say {exp['label']!r}")
        latest = _col(row, ("最新值", "Latest"))
        if latest and row[latest].strip() not in (exp["latest_text"], fmt.MISSING if not exp["latest_text"] else None):
            out.append(f"{who}: latest {row[latest]!r}, the results say {exp['latest_text']!r}")
        year = _col(row, ("数据年份", "Data year"))
        want = "" if fmt.is_missing(exp["latest_year"]) else str(int(exp["latest_year"]))
        if year and row[year].strip() not in (want, fmt.MISSING if not want else None):
            out.append(f"{who}: data year {row[year]!r}, the results say {want!r}")
    return out


def check_counts_text(text: str, review, where: str) -> list[str]:
    """Every "N observed values from M sources" sentence says the review's counts."""
    counts, out = review.source_counts, []
    for m in SOURCES.finditer(text):
        n = int(next(g for g in m.groups() if g))
        if n != counts["sources"]:
            out.append(f"{where}: {m.group(0)!r}, the review rests on {counts['sources']} sources")
    for m in VALUES.finditer(text):
        n = int(next(g for g in m.groups() if g))
        if n != counts["values"]:
            out.append(f"{where}: {m.group(0)!r}, the review rests on {counts['values']} observed values")
    return out


def check_page(page: Page, review) -> list[str]:
    """One generated page: its progress tables, targets tables, counts, and (the audit) every
    observed value named."""
    out = []
    for table, name in zip(page.tables, page.table_names):
        rows = table_dicts(table)
        if name in ("indicators", "behind", "ahead", ""):
            out += check_rows(rows, review, f"{page.name} [{name or 'table'}]")
        out += check_target_rows(rows, review, f"{page.name} [{name or 'table'}]")
        if name == "observed":
            empty = [i for i, row in enumerate(rows, 1) if not row.get(_col(row, NAME) or "", "").strip()]
            if empty:
                out.append(f"{page.name} [observed]: {len(empty)} rows with an empty {NAME[review.lang == 'en']} column")
    out += check_counts_text(page.text(), review, page.name)
    return out


_ROW = re.compile(r'<tr data-indicator="([^"]+)" data-tone="([^"]+)">(.*?)</tr>', re.S)


def check_front_page(html: str, review, where: str = "index.html") -> list[str]:
    """The front page: its table (as :func:`check_rows`), the bar's words (P and E), every
    no-data row's reason shown on a phone card too, the chips counted by undated label."""
    page = read_page(where, html)
    out = check_page(page, review)
    by_id = {r["id"]: r for r in review.indicator_results().to_dict("records")}
    for indicator_id, tone, cells in _ROW.findall(html):
        exp = by_id.get(indicator_id)
        if exp is None:
            continue
        words = re.search(r'<div class="pa-bar-label">(.*?)</div>', cells)
        if words:
            shares = re.findall(r"(-?\d[\d,]*%)", words.group(1))
            want = [fmt.share(exp["P"])] + ([fmt.share(exp["E"])] if not fmt.is_missing(exp["E"]) else [])
            if shares != want:
                out.append(f"{where} {exp['name']!r}: the bar says {words.group(1)!r}, the results say P, E = {want}")
        if tone == "no_data":
            reason = re.search(r'<td class="([^"]*)" data-label="(?:依据|Reason)[^"]*">(.*?)</td>', cells)
            if reason is None or "pa-minor" in reason.group(1) or not reason.group(2).strip():
                out.append(f"{where} {exp['name']!r}: a no-data card with no reason on a phone")
    chips = re.findall(r'<span class="chip" data-status="([^"]+)"[^>]*>(.*?) <b>(\d+)</b></span>', html)
    out += _check_chips([(s, re.sub("<[^>]+>", "", label), int(n)) for s, label, n in chips], review, where)
    return out


def _check_chips(chips, review, where: str) -> list[str]:
    results = review.indicator_results()
    want = Counter(results["undated"])
    out = []
    for status_id, label, n in chips:
        label = label.strip()
        label = re.sub(r"^\S{1,2} ", "", label) if label[:1] and not label[:1].isalnum() else label
        if label not in want:
            out.append(f"{where}: chip {label!r} ({n}) is no undated status label of the results")
        elif want[label] != n:
            out.append(f"{where}: chip {label!r} counts {n}, the results {want[label]}")
    if sum(n for *_, n in chips) != len(results) and chips:
        out.append(f"{where}: chips count {sum(n for *_, n in chips)}, the results {len(results)} indicators")
    return out


_CARD = re.compile(r'<a class="pa-card" data-indicator="([^"]+)" data-status="([^"]+)".*?</a>', re.S)


def check_scorecard_html(html: str, review, where: str) -> list[str]:
    """The scorecard's counts and cards (the static /scorecard page and the app's widgets): each
    card's status, latest value and year, the bar's P and E, a no-data card's reason; the chips
    counted by undated label."""
    by_id = {r["id"]: r for r in review.indicator_results().to_dict("records")}
    out = []
    for match in _CARD.finditer(html):
        indicator_id, card = match.group(1), match.group(0)
        exp = by_id.get(indicator_id)
        if exp is None:
            out.append(f"{where}: a card for {indicator_id!r}, not in the results")
            continue
        who = f"{where} {exp['name']!r}"
        status = re.search(r'<div class="pa-status"[^>]*>(.*?)</div>', card, re.S)
        if status is None or exp["label"] not in status.group(1).replace("&amp;", "&"):
            out.append(f"{who}: card status {status and status.group(1)!r}, the results say {exp['label']!r}")
        if exp["tone"] == "no_data":
            if exp["reason"] and exp["reason"][:20].lower() not in card.lower():
                out.append(f"{who}: a no-data card without its reason")
        elif not fmt.is_missing(exp["latest_value"]):
            number = fmt.number(exp["latest_value"], exp["unit"])
            if f"{number}" not in card or str(int(exp["latest_year"])) not in card:
                out.append(f"{who}: the card does not show {exp['latest']!r}")
        shares = re.findall(r"(\d[\d,.]*%)", " ".join(re.findall(r'class="pa-bar[^"]*"[^>]*>(.*?)</div>', card, re.S)))
        if shares:
            want = [fmt.share(v, d) for v in (exp["P"], exp["E"]) if not fmt.is_missing(v) for d in (0, 1)]
            if [s for s in shares if s not in want]:
                out.append(f"{who}: the bar says {shares}, the results say P, E = {want}")
    chips = re.findall(r'<span class="pa-chip" data-status="([^"]+)"[^>]*>(.*?) <b class="pa-count">(\d+)</b></span>', html)
    out += _check_chips([(s, label, int(n)) for s, label, n in chips], review, where)
    return out


def check_workbook(path, review) -> list[str]:
    """The workbook's cells: on every sheet with P, E or q columns, each indicator's (and each
    target's) P, E, q, status, latest value and year against the results, and q = P/E wherever
    the three are shown."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    indicators, targets, lang = _indicators(review), _targets(review), review.lang
    out = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            continue
        header = ["" if h is None else str(h) for h in rows[0]]
        find = lambda names: next((j for j, h in enumerate(header) if h in names), None)   # noqa: E731
        jp, je = find(P_HEAD), find(E_HEAD)
        jq = next((j for j, h in enumerate(header) if Q_HEAD.match(h)), None)
        jname, jid, jstatus = find(NAME + ("名称",)), find(("编号", "Id")), find(STATUS)
        jvalue, jyear = find(("最新值", "Latest value")), find(("最新年份", "Latest year", "数据年份", "Data year"))
        if (jp is None and jq is None) or sheet.title in ("上期规划回顾", "Previous plan"):   # another plan's table
            continue
        where = f"{path.name} [{sheet.title}]"
        for k, row in enumerate(rows[1:], start=2):
            exp = None
            if jid is not None and row[jid] in targets:
                exp = targets[row[jid]]
            elif jname is not None and row[jname] in indicators:
                exp = indicators[row[jname]]
            if exp is None:
                continue
            who = f"{where} row {k} {exp['name']!r}"
            for j, key in ((jp, "P"), (je, "E"), (jq, "q")):
                if j is not None and not _same(row[j], exp[key], 6e-3 if key == "q" else 6e-4):
                    out.append(f"{who}: {header[j]} = {row[j]!r}, the results say {exp[key]!r}")
            if None not in (jp, je, jq) and not any(fmt.is_missing(row[j]) or row[j] == "" for j in (jp, je, jq)):
                if row[je] and abs(float(row[jp]) / float(row[je]) - float(row[jq])) > 0.01 * max(1.0, abs(float(row[jq]))):
                    out.append(f"{who}: {header[jq]} = {row[jq]} but P/E = {float(row[jp]) / float(row[je]):.2f}")
            if jstatus is not None and row[jstatus] != exp["label"]:
                out.append(f"{who}: status {row[jstatus]!r}, the results say {exp['label']!r}")
            if jvalue is not None and not _same(row[jvalue], fmt.rounded(exp["latest_value"], exp["unit"]), 1e-6):
                out.append(f"{who}: latest value {row[jvalue]!r}, the results say {exp['latest_value']!r}")
            if jyear is not None and not _same(row[jyear], exp["latest_year"] if not fmt.is_missing(exp["latest_year"]) else math.nan):
                out.append(f"{who}: latest year {row[jyear]!r}, the results say {exp['latest_year']!r}")
    return out


def check_document(path, review) -> list[str]:
    """The Word document: its progress tables, targets tables and the counts in its text."""
    from .pages import read_document

    page = read_document(path)
    out = []
    for k, table in enumerate(page.tables):
        rows = table_dicts(table)
        out += check_rows(rows, review, f"{path.name} [table {k + 1}]")
        out += check_target_rows(rows, review, f"{path.name} [table {k + 1}]")
    out += check_counts_text(page.text(), review, path.name)
    return out


def check_pdf_text(text: str, review, where: str) -> list[str]:
    """The PDF's text (printed from the pages): its counts, and every E printed beside a bar
    (``序时进度 20%``) one the results hold."""
    out = check_counts_text(text, review, where)
    es = {fmt.share(e) for e in review.indicator_results()["E"] if not fmt.is_missing(e)} | {"100%"}  # a period over
    for m in re.finditer(r"(?:序时进度|time elapsed) (\d+%)", text):
        if m.group(1) not in es:
            out.append(f"{where}: {m.group(0)!r}, no E of the results")
    return out
