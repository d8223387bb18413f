"""What a reader would call a contradiction on a generated page or in the workbook.

Each check returns a list of messages (empty: nothing wrong), each naming the page, the table and
the row, so a failing test says what to look at.  The checks read only what the page shows (its
text, its tables, its headers) and the declared status table (data/methods/status_labels.csv).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .pages import Page, chinese_outside_names, english_on_chinese_page, has_nan, table_dicts

LIKELY = ("预计完成", "likely met")
CJK_TEXT = re.compile(r"[\u3400-\u9fff]")
STATUS_HEADERS = ("评估结论", "Status")
MEASURE_HEADERS = ("判断数值", "Measure")
PROJECTION = re.compile(r"^预计(\d{4})年$|^Projected (\d{4})$")
BASE = re.compile(r"^(\d{4})年基期$|^(\d{4}) baseline$")
TARGET = re.compile(r"^(\d{4})年目标$|^(\d{4}) target$")


@lru_cache(maxsize=1)
def label_tones() -> dict[str, str]:
    """Every status label (Chinese and English, every method and phase) → its tone."""
    from plananalysis.engine.methods import status_labels
    from plananalysis.present.signals import status_table

    tones = {}
    table = status_labels()
    for method, phase in set(zip(table["method"], table["phase"])):
        for row in status_table(method, phase).itertuples():
            for label in (row.label_zh, row.label_en, row.dated_zh, row.dated_en):
                tones.setdefault(label, row.tone)
    return tones


def tone_of(cell: str) -> tuple[str | None, str]:
    """``(tone, the rest of the cell)`` for a status cell such as ``↑ 快于预期 q=1.45``; a label
    the table does not declare as such but starts with one (``预计完成（据2023年数据）``) takes
    that one's tone."""
    text = _without_symbol(cell)
    best = None
    for label, tone in label_tones().items():
        pattern = re.escape(label).replace(re.escape("{year}"), r"\d{4}")   # 预计完成（据{year}年数据）
        match = re.match(pattern, text)
        if match and (best is None or match.end() > best[0]):
            best = (match.end(), tone)
    if best is None:
        return None, text
    return best[1], text[best[0]:].strip()


def _without_symbol(cell: str) -> str:
    """A status cell without its leading symbol (``↑``, ``✓?``)."""
    return re.sub(r"^[^\w\s（(]{1,3} ", "", cell.strip())


def _year(match) -> int:
    return int(next(g for g in match.groups() if g))


def check_page(page: Page, *, lang: str, phase: str, base_year: int, end_year: int) -> list[str]:
    """Every contradiction on one page (see the module's docstring)."""
    where = page.name
    out = []
    expected_lang = "zh-CN" if lang == "zh" else "en"
    if page.lang != expected_lang:
        out.append(f"{where}: <html lang={page.lang!r}>, expected {expected_lang!r}")
    if 'name="viewport"' not in page.head:
        out.append(f"{where}: no viewport tag")
    if "<script" in page.head:
        out.append(f"{where}: a script in the page's head")
    out += [f"{where}: 'nan' or 'None' shown: {t[:80]!r}" for t in has_nan(page)]
    if lang == "en":
        out += [f"{where}: Chinese outside a name on an English page: {t[:100]!r}" for t in chinese_outside_names(page)]
    else:
        out += [f"{where}: English on a Chinese page: {t[:100]!r}" for t in english_on_chinese_page(page)]
    for table, name in zip(page.tables, page.table_names):
        out += check_table(table, name, where=where, phase=phase, base_year=base_year, end_year=end_year)
    return out


def check_table(table: list[list[str]], name: str, *, where: str, phase: str, base_year: int,
                end_year: int) -> list[str]:
    """One table: its year headers, its statuses against the number shown and the projection,
    and, for the "most behind"/"furthest ahead" lists, which statuses they hold."""
    out = []
    if not table:
        return out
    header = table[0]
    label = f"{where} [{name or 'table'}]"
    for cell in header:
        for pattern, year, what in ((BASE, base_year, "base"), (TARGET, end_year, "target"),
                                    (PROJECTION, end_year, "projection")):
            m = pattern.match(cell.strip())
            if m and _year(m) != year:
                out.append(f"{label}: header {cell!r} names {_year(m)}, the table's {what} year is {year}")
        if PROJECTION.match(cell.strip()) and phase == "final":
            out.append(f"{label}: a projection column ({cell!r}) in a final review")
    status_col = next((h for h in header if h in STATUS_HEADERS), None)
    if status_col is None:
        return out
    projection_col = next((h for h in header if PROJECTION.match(h.strip())), None)
    measure_col = next((h for h in header if h in MEASURE_HEADERS), None)
    name_col = next((h for h in header if h in ("指标", "Indicator")), header[min(1, len(header) - 1)])
    for row in table_dicts(table):
        tone, rest = tone_of(row.get(status_col, ""))
        who = f"{label} {row.get(name_col, '')!r}"
        if tone is None:
            if name not in ("status-counts",) and row.get(status_col, "").strip():
                out.append(f"{who}: unknown status {row.get(status_col)!r}")
            continue
        shown = (row.get(measure_col, "") if measure_col else rest).strip()
        projected = row.get(projection_col, "") if projection_col else ""
        if projected in LIKELY and tone in ("lagging", "reversed", "no_data"):
            out.append(f"{who}: {row[status_col]!r} marked {projected!r}")
        if phase == "final":
            for column, value in row.items():
                if column != status_col and any(word in value for word in ("likely met", "unlikely", "难以完成")) \
                        or column != status_col and value.strip() in LIKELY:
                    out.append(f"{who}: projection wording {value!r} in a final review")
        out += _measure_agrees(who, row[status_col], tone, shown, phase)
        if name == "behind" and tone not in ("lagging", "reversed"):
            out.append(f"{who}: {row[status_col]!r} listed among the most behind")
        if name == "ahead" and tone not in ("met", "ahead"):
            out.append(f"{who}: {row[status_col]!r} listed among the furthest ahead")
    return out


def _measure_agrees(who: str, status: str, tone: str, shown: str, phase: str) -> list[str]:
    """The number beside the status says what the status says (cn-schedule's bands)."""
    m = re.match(r"^q=(-?[\d.]+)$", shown)
    if m and phase != "final":
        q = float(m.group(1))
        ok = {"ahead": q >= 1.195, "on_track": 0.895 <= q < 1.2, "lagging": 0 <= q < 0.9, "reversed": q < 0,
              "met": True}.get(tone, True)
        if not ok:
            return [f"{who}: {status!r} shown with {shown}"]
        return []
    m = re.match(r"^P=≥?(-?[\d.,]+)%$", shown)
    if m:
        p = float(m.group(1).replace(",", ""))
        ok = {"met": p >= 95, "lagging": p < 100, "reversed": p < 0 or phase == "final"}.get(tone, True)
        if not ok:
            return [f"{who}: {status!r} shown with {shown}"]
    if shown in ("满足", "met") and tone in ("lagging", "reversed"):
        return [f"{who}: {status!r} shown as met"]
    if shown in ("未满足", "not met") and tone in ("met", "ahead", "on_track"):
        return [f"{who}: {status!r} shown as not met"]
    if phase == "final" and shown.startswith("q="):
        return [f"{who}: a final verdict shown with a pace ({shown})"]
    return []


def statuses_by_indicator(page: Page, name: str = "indicators") -> dict[str, str]:
    """Indicator name → status label (its symbol and number left off) in the page's named table."""
    out = {}
    for table, table_name in zip(page.tables, page.table_names):
        if table_name != name:
            continue
        for row in table_dicts(table):
            status_col = next((h for h in row if h in STATUS_HEADERS), None)
            name_col = next((h for h in row if h in ("指标", "Indicator")), None)
            if status_col and name_col:
                tone, rest = tone_of(row[status_col])
                text = _without_symbol(row[status_col])
                out[row[name_col]] = text[: len(text) - len(rest)].strip() if rest else text
    return out


#: The workbook's sheets checked as progress tables (Chinese and English titles), and whether the
#: sheet is the previous plan's (its own years, judged as a final review).
PROGRESS_SHEETS = {"主要指标进度": False, "Indicators": False, "计算明细": False, "Calculation": False,
                   "上期规划回顾": True, "Previous plan": True}
#: Headers a Chinese workbook or document must not carry (and an English one must not be without).
ENGLISH_HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9 _()=/.,'-]*$")


def check_workbook(path, *, phase: str, base_year: int, end_year: int, lang: str = "zh",
                   previous: tuple[int, int] | None = None) -> list[str]:
    """The workbook as it is: no 'nan' text anywhere, no formula; headers in the workbook's
    language on every sheet; its progress sheets (this plan's and the previous plan's, ``previous``:
    its base and end years) checked as tables; numbers stored as numbers, not text."""
    from openpyxl import load_workbook

    out = []
    book = load_workbook(path)
    for sheet in book.worksheets:
        where = f"{path.name} [{sheet.title}]"
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for i, row in enumerate(rows, start=1):
            for value in row:
                if value.strip().lower() in ("nan", "none", "nat", "<na>"):
                    out.append(f"{where} row {i}: {value!r}")
                    break
        out += [f"{where} {c.coordinate}: a formula {c.value!r}" for line in sheet.iter_rows() for c in line
                if c.data_type == "f"]
        header = rows[0] if rows else []
        if lang == "zh":
            out += [f"{where}: English header {h!r}" for h in header if ENGLISH_HEADER.match(h) and h not in ("P", "E", "q")]
        else:
            out += [f"{where}: Chinese header {h!r}" for h in header if CJK_TEXT.search(h)]
        if sheet.title in PROGRESS_SHEETS:
            old = PROGRESS_SHEETS[sheet.title]
            if old and previous is None:
                continue
            years = previous if old else (base_year, end_year)
            out += check_table(rows, "indicators", where=where, phase="final" if old else phase,
                               base_year=years[0], end_year=years[1])
            for column in ("最新值", "Latest value", "完成目标进度P", "Completion P"):
                if column in header:
                    j = header.index(column)
                    texts = [r[j] for r, line in zip(rows[1:], list(sheet.iter_rows(min_row=2)))
                             if isinstance(line[j].value, str) and line[j].value.strip()]
                    if texts:
                        out.append(f"{where}: {column!r} holds text, not numbers: {texts[:3]}")
    return out


def check_document(path, *, lang: str, phase: str, base_year: int, end_year: int) -> list[str]:
    """The Word document as a reader gets it: no 'nan'; in an English document no Chinese outside
    a name marked zh-CN, in a Chinese one no English words; every table with a status column
    checked as a progress table (statuses against the numbers beside them, projections in a final
    review, the years its headers name)."""
    from .pages import read_document

    page = read_document(path)
    where = path.name
    out = [f"{where}: 'nan' or 'None' shown: {t[:80]!r}" for t in has_nan(page)]
    if lang == "en":
        out += [f"{where}: Chinese outside a name: {t[:100]!r}" for t in chinese_outside_names(page)]
    else:
        out += [f"{where}: English in a Chinese document: {t[:100]!r}" for t in english_on_chinese_page(page)]
    for k, table in enumerate(page.tables):
        out += check_table(table, f"table {k + 1}", where=where, phase=phase, base_year=base_year, end_year=end_year)
    return out
