"""Tables that read well: the progress table with headers, units and targets in the page's
language, the status in its colour beside the number the verdict rests on, and any table as a
page shows it (escaped, names marked, ``—`` for a missing value).

One view for notebooks, HTML reports and the workbook:

>>> from plananalysis.plan.folder import load_plan
>>> from plananalysis.engine.progress import assess
>>> view = progress_view(assess(load_plan(), as_of=2023))
>>> list(view.columns)[:4]
['序号', '指标', '单位', '2020年基期']
>>> styled = style_progress(assess(load_plan(), as_of=2023))   # a pandas Styler, shown as HTML
"""

from __future__ import annotations

import html

import pandas as pd

from ..engine.methods import text_colour
from . import format as fmt
from . import glossary
from .text import escape_text

__all__ = ["plain", "progress_view", "progress_data", "style_progress", "status_colours",
           "observed_view", "audit_view", "vision_view", "HEADERS", "html_cell"]

# Columns of the reader's view of a progress table: (key, zh header, en header).
HEADERS = [
    ("no", "序号", "No."),
    ("name", "指标", "Indicator"),
    ("attribute", "属性", "Type"),
    ("unit", "单位", "Unit"),
    ("baseline", "{base}年基期", "{base} baseline"),
    ("target", "{end}年目标", "{end} target"),
    ("latest", "最新值（年份）", "Latest (year)"),
    ("completion_share", "完成目标进度P", "Completion P"),
    ("elapsed_share", "序时进度E", "Time elapsed E"),
    ("status", "评估结论", "Status"),
    ("shown", "判断数值", "Measure"),
    ("projected", "预计{end}年", "Projected {end}"),
    ("reason", "依据", "Reason"),
]


def status_colours(method: str = "cn-schedule", phase: str = "midterm") -> dict[str, str]:
    """Status id → colour, from the one declared table (data/methods/status_labels.csv).

    >>> colours = status_colours("cn-schedule", "midterm")
    >>> colours["ahead"], colours["behind"]
    ('#006d2c', '#fdae6b')
    """
    from ..engine.methods import status_labels

    table = status_labels(method, phase)
    return dict(zip(table["status_id"], table["colour"]))


def _mode_year(table: pd.DataFrame, column: str) -> str:
    """The year most rows share (the plan's base or target year), for a column header."""
    years = pd.to_numeric(table[column], errors="coerce").dropna() if column in table else pd.Series(dtype=float)
    return str(int(years.mode().iloc[0])) if len(years) else ""


def _names(table: pd.DataFrame, lang: str) -> list[str]:
    if lang == "en" and "name_en" in table.columns:
        return [str(e) if not fmt.is_missing(e) else str(z) for e, z in zip(table["name_en"], table["name_zh"])]
    return list(table["name_zh"])


def _has_attribute(table: pd.DataFrame) -> bool:
    return "attribute" in table.columns and table["attribute"].fillna("").astype(str).str.strip().ne("").any()


def _results(table: pd.DataFrame, lang: str, results: pd.DataFrame | None) -> pd.DataFrame:
    """The results of ``table``'s rows: ``results`` (a review's, :attr:`ReviewContext.results`) when
    given, else the one function that decides them (:func:`~plananalysis.present.results.results_table`)."""
    from .results import results_table

    if results is None:
        return results_table(table, lang)
    by_id = results[results["kind"] == "indicator"].set_index("id", drop=False)
    return by_id.loc[list(table["indicator_id"])].reset_index(drop=True)


def elapsed_text(share, note: str = "", lang: str = "zh") -> str:
    """E as a cell: ``60%``; with the basis the verdict compares when it is not the period gone
    by (``20%（按有数据的1年计）``), so that q = P/E holds for the numbers shown.

    >>> elapsed_text(0.2, "按有数据的1年计"), elapsed_text(0.6, "", "en"), elapsed_text(float("nan"))
    ('20%（按有数据的1年计）', '60%', '—')
    """
    if fmt.is_missing(share):
        return fmt.MISSING
    if not note:
        return fmt.share(share)
    return f"{fmt.share(share)}（{note}）" if lang != "en" else f"{fmt.share(share)} ({note})"


def progress_view(table: pd.DataFrame, lang: str = "zh", *, base_year=None, target_year=None,
                  results: pd.DataFrame | None = None) -> pd.DataFrame:
    """The progress table as a reader sees it: a few columns, formatted, in ``lang``.

    The headers name the table's own years (its rows' base and target years, or ``base_year``/
    ``target_year``): a previous plan's table says 2015 and 2020.  The status stands beside the
    number it rests on (:mod:`~plananalysis.present.signals`); a final review has no time share E
    and no projection; a row without data shows no P.  ``属性`` (binding/expected) appears when the
    plan marks it.

    >>> from plananalysis.plan.folder import load_plan
    >>> from plananalysis.engine.progress import assess
    >>> view = progress_view(assess(load_plan(), as_of=2023), "en").set_index("Indicator")
    >>> view.loc["Urbanisation rate of resident population", ["2025 target", "Latest (year)", "Status", "Measure"]].tolist()
    ['about 75', '74.2 (2023)', 'Ahead of schedule', 'q=1.33']
    >>> "Projected 2025" in progress_view(assess(load_plan(), as_of=2025), "en").columns
    False
    """
    zh = lang == "zh"
    found = _results(table, lang, results)
    final = len(table) == 0 or str(table["phase"].iloc[0]) == "final"   # an empty list projects nothing
    units = table["unit"].tolist()
    if zh:
        baseline = [fmt.printed(b) for b in table["baseline_printed"]]
        target = [fmt.printed(t) for t in table["target_printed"]]
    else:
        baseline = [glossary.target_wording(b, "en", u) for b, u in zip(table["baseline_printed"], units)]
        target = [glossary.target_wording(t, "en", u) for t, u in zip(table["target_printed"], units)]
    columns = {
        "no": [fmt.MISSING if fmt.is_missing(n) else str(n) for n in table["no"]],
        "name": _names(table, lang),
        "attribute": [glossary.label("attribute", a, lang) if not fmt.is_missing(a) else fmt.MISSING
                      for a in table.get("attribute", pd.Series([""] * len(table)))],
        "unit": [glossary.unit_name(u, lang) or fmt.MISSING for u in units],
        "baseline": baseline,
        "target": target,
        "latest": found["latest"].tolist(),
        "completion_share": [fmt.share(v) for v in found["P"]],
        "elapsed_share": [elapsed_text(e, note, lang) for e, note in zip(found["E"], found["E_note"])],
        "status": found["label"].tolist(),
        "shown": [s or fmt.MISSING for s in found["shown"]],
        "projected": found["projected"].tolist(),
        "reason": found["reason"].tolist(),
    }
    keep = [h for h in HEADERS
            if not (h[0] == "attribute" and not _has_attribute(table))
            and not (final and h[0] in ("elapsed_share", "projected"))]
    years = {"base": str(base_year) if base_year else _mode_year(table, "base_year"),
             "end": str(target_year) if target_year else _mode_year(table, "target_year")}
    view = pd.DataFrame({(h[1] if zh else h[2]).format(**years): columns[h[0]] for h in keep})
    return view


def progress_data(table: pd.DataFrame, lang: str = "zh", *, results: pd.DataFrame | None = None) -> pd.DataFrame:
    """The progress table's numbers for a CSV or a workbook: values as numbers, years apart.

    >>> from plananalysis.context import review_context
    >>> data = progress_data(review_context(as_of=2023).progress)
    >>> data.columns[:6].tolist()
    ['序号', '指标', '单位', '基期值', '基期年份', '目标值']
    >>> float(data.set_index("指标").loc["常住人口城镇化率", "最新值"])
    74.2
    """
    zh = lang == "zh"
    found = _results(table, lang, results)
    t = (lambda a, b: a) if zh else (lambda a, b: b)
    return pd.DataFrame({
        t("序号", "No."): table["no"].tolist(),
        t("指标", "Indicator"): _names(table, lang),
        t("单位", "Unit"): [glossary.unit_name(u, lang) for u in table["unit"]],
        t("基期值", "Baseline"): pd.to_numeric(table["base_value"], errors="coerce").tolist(),
        t("基期年份", "Baseline year"): pd.to_numeric(table["base_year"], errors="coerce").astype("Int64").tolist(),
        t("目标值", "Target"): pd.to_numeric(table["target_value"], errors="coerce").tolist(),
        t("目标（原文）", "Target (as printed)"): [glossary.target_wording(x, lang, u) for x, u in
                                                 zip(table["target_printed"], table["unit"])],
        t("目标年份", "Target year"): pd.to_numeric(table["target_year"], errors="coerce").astype("Int64").tolist(),
        t("最新值", "Latest value"): found["latest_value"].tolist(),
        t("最新值标注", "Qualifier"): found["qualifier"].tolist(),
        t("最新年份", "Latest year"): pd.array(found["latest_year"].tolist(), dtype="Int64"),
        t("完成目标进度P", "Completion P"): pd.to_numeric(found["P"], errors="coerce").round(4).tolist(),
        t("序时进度E", "Time elapsed E"): pd.to_numeric(found["E"], errors="coerce").round(4).tolist(),
        t("序时进度E的口径", "Basis of E"): found["E_note"].tolist(),
        t("进度比q", "Pace q"): pd.to_numeric(found["q"], errors="coerce").round(4).tolist(),
        t("评估结论", "Status"): found["label"].tolist(),
        t("判断数值", "Measure"): found["shown"].tolist(),
        t("依据", "Reason"): found["reason"].tolist(),
    })


def html_cell(value, lang: str = "zh", *, name: bool = False) -> str:
    """One cell as HTML: escaped, ``—`` when missing; a name's Chinese marked on an English page.

    >>> html_cell(float("nan")), html_cell("<6"), html_cell("一老一小", "en", name=True)
    ('—', '&lt;6', '<span lang="zh-CN">一老一小</span>')
    """
    if isinstance(value, str) and not value.strip():
        return ""  # an empty cell on purpose (a year without data in the coverage table)
    if fmt.is_missing(value):
        return fmt.MISSING
    if isinstance(value, float):
        value = fmt.number(value)
    return glossary.mark_chinese(value, lang) if name else escape_text(value)


_CELL_STYLES = [{"selector": "th", "props": "background:#f0f0f0; text-align:left; padding:4px 6px"},
                {"selector": "td", "props": "padding:4px 6px; border-bottom:1px solid #ddd; text-align:left"}]


def plain(frame: pd.DataFrame, lang: str = "zh", *, names=(), links: dict | None = None, hide=()):
    """Any table as a report shows it: no index, left-aligned, light rules, cells escaped and
    ``—`` for a missing value; ``names``: columns of names or quotations (their Chinese is marked
    on an English page); ``links``: ``{text column: url column}`` (the text becomes a link);
    ``hide``: columns kept in the data but not shown.

    >>> plain(pd.DataFrame({"指标": ["甲"]})).to_html().count("<td")
    1
    >>> html = plain(pd.DataFrame({"Source": ["公报"], "url": ["https://x.cn/"]}), "en",
    ...              names=["Source"], links={"Source": "url"}, hide=["url"]).to_html()
    >>> '<a href="https://x.cn/"><span lang="zh-CN">公报</span></a>' in html, "https://x.cn/</td>" in html
    (True, False)
    """
    links = links or {}
    names = set(names) | set(links)
    frame = frame.reset_index(drop=True)
    shown = frame.copy()
    for column in frame.columns:
        is_name = column in names
        shown[column] = [html_cell(v, lang, name=is_name) for v in frame[column]]
        if column in links:
            urls = frame[links[column]].fillna("").astype(str)
            shown[column] = [f'<a href="{html.escape(u)}">{c}</a>' if u.startswith(("http://", "https://")) else c
                             for c, u in zip(shown[column], urls)]
    styler = shown.style.hide(axis="index").set_table_styles(_CELL_STYLES)
    # columns of long text keep a readable width (a long neighbour must not squeeze them to a
    # character a line)
    wide = [c for c in frame.columns if frame[c].astype(str).str.len().mean() > 24]
    if wide:
        styler = styler.set_properties(subset=wide, **{"min-width": "12em"})
    hidden = [c for c in hide if c in shown.columns]
    if hidden:
        styler = styler.hide(axis="columns", subset=hidden)
    return styler


def style_progress(table: pd.DataFrame, lang: str = "zh", *, results: pd.DataFrame | None = None, **years):
    """:func:`progress_view` as a pandas Styler: the status cell in its colour.

    >>> from plananalysis.plan.folder import load_plan
    >>> from plananalysis.engine.progress import assess
    >>> styled = style_progress(assess(load_plan(), as_of=2023))  # shown as HTML in a notebook
    >>> html = styled.to_html()
    >>> "快于预期" in html, "background-color: #006d2c" in html  # 'ahead' in its green
    (True, True)
    """
    method = table["method"].iloc[0] if len(table) else "cn-schedule"
    phase = table["phase"].iloc[0] if len(table) else "midterm"
    colours = status_colours(method, phase)
    view = progress_view(table, lang, results=results, **years)
    zh = lang == "zh"
    status_header = "评估结论" if zh else "Status"
    found = _results(table, lang, results)
    by_label = dict(zip(found["label"], found["status_id"]))

    def paint(label):
        colour = colours.get(by_label.get(label, ""), "#ffffff")
        return f"background-color: {colour}; color: {text_colour(colour)}; font-weight: 600"

    name_header = "指标" if zh else "Indicator"
    tight = [c for c in view.columns if c in (status_header, "序号", "No.", "判断数值", "Measure", "最新值（年份）", "Latest (year)")]
    return (plain(view, lang, names=[name_header]).map(paint, subset=[status_header])
            .set_properties(**{"font-size": "13px"}).set_properties(subset=tight, **{"white-space": "nowrap"}))


def observed_view(observed: pd.DataFrame, lang: str = "zh", names: dict | None = None, *,
                  plan=None) -> pd.DataFrame:
    """Observed values with their sources, for reports and apps: the source's title (a link in
    :func:`plain` with ``links={"来源": "链接"}``), its type, the series and region in words.

    ``names`` maps indicator ids (and target ids, for a target's own value) to the names to show
    (default: the ids; :attr:`~plananalysis.context.ReviewContext.value_names`); ``plan`` gives the
    regions' English names.

    >>> observed = pd.DataFrame({"indicator_id": ["urbanisation_rate"], "region": ["某省"],
    ...     "series": ["plan"], "year": [2023], "value": [74.2], "qualifier": [""], "unit": ["%"],
    ...     "source_title": ["2023年统计公报 (reprint)"], "source_url": ["https://tjj.zj.gov.cn/"],
    ...     "source_quality": ["official"]})
    >>> observed_view(observed).loc[0, ["数值", "来源", "口径", "来源类型"]].tolist()
    ['74.2', '2023年统计公报（转载）', '规划口径', '官方发布']
    """
    zh = lang == "zh"
    t = (lambda a, b: a) if zh else (lambda a, b: b)
    regions = {}
    if plan is not None and lang == "en":
        regions = {r: glossary.region_name(plan, r, "en") for r in observed["region"].dropna().unique()}
    titles = observed["source_title"].fillna("")
    view = pd.DataFrame({
        t("指标", "Indicator"): [(names or {}).get(key, key) for key in _value_ids(observed)],
        t("地区", "Region"): observed["region"].map(lambda r: regions.get(r, r)),
        t("口径", "Series"): [glossary.label("series", s, lang) for s in observed["series"]],
        t("年份", "Year"): [fmt.MISSING if fmt.is_missing(y) else str(int(y)) for y in observed["year"]],
        t("数值", "Value"): [fmt.number(v, u, qualifier=q if isinstance(q, str) else "")
                            for v, u, q in zip(observed["value"], observed["unit"], observed["qualifier"])],
        t("单位", "Unit"): [glossary.unit_name(u, lang) or fmt.MISSING for u in observed["unit"]],
        t("来源", "Source"): [glossary.to_chinese(x) if zh else x for x in titles],
        t("来源类型", "Source type"): [glossary.label("quality", q, lang) for q in observed["source_quality"]],
        t("链接", "Link"): observed["source_url"].fillna(""),
    })
    return view.reset_index(drop=True)


def _value_ids(observed: pd.DataFrame) -> list[str]:
    """The indicator or catalogue target each observed value belongs to (a target's own value has
    no indicator id)."""
    targets = observed["target_id"] if "target_id" in observed.columns else pd.Series([""] * len(observed), index=observed.index)
    return [str(i) if not fmt.is_missing(i) and str(i).strip() else ("" if fmt.is_missing(t) else str(t))
            for i, t in zip(observed["indicator_id"], targets)]


def audit_view(findings: pd.DataFrame, lang: str = "zh", plan=None) -> pd.DataFrame:
    """The consistency audit for readers: the explanation first, then severity, indicator, where
    and the evidence, headers in ``lang``; no machine columns.  ``plan`` gives the indicators'
    English names (of this plan's table and the previous plan's).

    >>> from plananalysis.context import review_context
    >>> view = audit_view(review_context(as_of=2023).audit_table, "en")
    >>> view.columns.tolist()
    ['Finding', 'Severity', 'Indicator', 'Where', 'Evidence']
    >>> any("表" in w for w in view["Where"])
    False
    """
    zh = lang == "zh"
    if findings.empty:
        return pd.DataFrame(columns=["说明", "严重程度", "指标", "位置", "依据"] if zh else
                            ["Finding", "Severity", "Indicator", "Where", "Evidence"])
    if zh:
        return pd.DataFrame({
            "说明": [fmt.group_digits(glossary.to_chinese(x)) for x in findings["explanation_zh"]],
            "严重程度": findings["severity_zh"].tolist(),
            "指标": findings["name_zh"].tolist(),
            "位置": findings["where"].tolist(),
            "依据": [glossary.to_chinese(x) for x in findings["evidence"]],
        })
    names = {}
    if plan is not None:
        for frame in (plan.previous_indicators, plan.indicators):
            if len(frame) and "name_en" in frame.columns:
                names.update({i: n for i, n in zip(frame["indicator_id"], frame["name_en"]) if not fmt.is_missing(n)})
    return pd.DataFrame({
        "Finding": [glossary.translate(fmt.group_digits(x), words=False) for x in findings["explanation_en"]],
        "Severity": [glossary.label("severity", s, "en") for s in findings["severity_zh"]],
        "Indicator": [names.get(i, n) for i, n in zip(findings["indicator_id"], findings["name_zh"])],
        "Where": [glossary.translate(w) for w in findings["where"]],
        "Evidence": findings["evidence"].tolist(),
    })


def vision_view(targets: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Vision-year targets (远景目标) with headers in ``lang``: subject, target, year (and, in
    Chinese, the plan's words).

    >>> from plananalysis.context import review_context
    >>> review = review_context(as_of=2023)
    >>> vision = review.plan.targets[review.plan.targets["target_year"] == review.plan.info.vision_year]
    >>> vision_view(vision, "en").columns.tolist()
    ['Subject', 'Target', 'Year']
    """
    if lang == "zh":
        return pd.DataFrame({"内容": targets["subject_zh"].tolist(), "原文": targets["quote"].tolist(),
                             "目标": [fmt.printed(x) for x in targets["target_text"]],
                             "目标年份": [str(int(y)) for y in targets["target_year"]]})
    return pd.DataFrame({"Subject": targets["subject_en"].tolist(),
                         "Target": [glossary.target_wording(x, "en", u) for x, u in
                                    zip(targets["target_text"], targets["unit"])],
                         "Year": [str(int(y)) for y in targets["target_year"]]})
