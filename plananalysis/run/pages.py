"""The app server's own pages: the front door, the static scorecard, the wait page, not found.

None of them runs a script or needs a kernel.  :mod:`plananalysis.run.server` serves them:

- ``/`` — the front door (:func:`front_door_html`): the plan (title, period, region), the three
  apps by their Chinese names (``?lang=en`` for English), the reviews present in ``reports/``;
- ``/scorecard`` — the scorecard as a static page (:func:`scorecard_page_html`): the same cards,
  counts and sparklines as the interactive 指标总览, drawn once when the server starts
  (:func:`render_scorecards`, in a child process) and then served to any number of viewers
  without a kernel: the page a meeting room opens.  Each card links to the interactive
  explorer, and the interactive scorecard is one click away;
- a polite wait page (:func:`wait_page_html`) when every kernel the server may start is in
  use, and a friendly not-found page (:func:`not_found_html`).

>>> page = not_found_html("en")
>>> "<script" in page, "Page not found" in page
(False, True)
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
import time
from pathlib import Path

__all__ = ["APP_NAMES", "plan_info", "list_reviews", "front_door_html", "scorecard_page_html",
           "wait_page_html", "not_found_html", "render_scorecards", "scorecard_file"]

#: notebook stem → (Chinese name, English name, Chinese blurb, English blurb)
APP_NAMES = {
    "scorecard": ("指标总览", "Scorecard", "主要指标的进展与判断，一页看全。",
                  "Every headline indicator's progress and verdict on one page."),
    "explorer": ("指标详情", "Indicator explorer", "一个指标的走势、判断依据、四种方法的判断和数据来源。",
                 "One indicator: its path, the numbers behind the verdict, four methods, the sources."),
    "scenarios": ("情景推演", "Scenarios", "假设今后每年的变化，看到规划末年能否完成目标。",
                  "Assume a yearly change and see whether the target would be met by the plan's end."),
}
_T = {
    "site": ("规划指标应用", "Plan indicator apps"),
    "plan": ("规划", "Plan"),
    "period": ("规划期", "Period"),
    "region": ("地区", "Region"),
    "apps": ("应用", "Apps"),
    "static": ("打开（静态页，无需等待，适合会议）", "Open (a static page: instant, fit for a meeting)"),
    "interactive": ("交互版（可筛选）", "Interactive version (filters)"),
    "open": ("打开", "Open"),
    "reviews": ("评估报告", "Reviews"),
    "no_reviews": ("尚无评估报告（运行 make review 生成）。", "No review yet (make review writes one)."),
    "all_reports": ("全部报告", "All reports"),
    "midterm": ("中期评估", "mid-term review"),
    "final": ("终期评估", "final review"),
    "written": ("生成于", "written"),
    "other_lang": ("English", "中文"),
    "home": ("首页", "Home"),
    "scorecard_title": ("指标总览", "Scorecard"),
    "as_of": ("评估时点", "As of"),
    "static_note": ("静态页：生成于 {time}；点击指标卡查看详情（交互）。",
                    "A static page written {time}; click a card to open the indicator (interactive)."),
    "wait_title": ("请稍候", "Please wait"),
    "wait_busy": ("当前访问人数较多，服务器正在为您准备页面，{seconds} 秒后自动重试。",
                  "Many people are using the apps right now; this page retries by itself in {seconds} s."),
    "wait_static": ("不想等待？先看静态版指标总览：", "Rather not wait? The static scorecard is ready now:"),
    "wait_rendering": ("指标总览正在生成，{seconds} 秒后自动刷新。",
                       "The scorecard is being drawn; this page refreshes by itself in {seconds} s."),
    "not_found": ("页面不存在", "Page not found"),
    "not_found_body": ("没有这个页面。请从首页进入各个应用。", "There is no such page. Start from the home page."),
}

_CSS = """<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
 margin:0;color:#1a1a1a;background:#fafafa;}
.pa-page{max-width:1180px;margin:0 auto;padding:16px 20px 40px;}
.pa-top{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:8px;
 border-bottom:1px solid #ddd;padding-bottom:8px;margin-bottom:14px;}
.pa-top h1{font-size:22px;margin:0;}.pa-top nav a{margin-left:14px;}
a{color:#0b57a4;}
.pa-plan{font-size:14px;color:#444;margin:4px 0 16px;}.pa-plan b{color:#1a1a1a;}
.pa-apps{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px;}
.pa-app{background:#fff;border:1px solid #ddd;border-radius:8px;padding:14px 16px;}
.pa-app h2{margin:0 0 6px;font-size:20px;}.pa-app h2 a{text-decoration:none;}
.pa-app p{margin:6px 0;font-size:14px;color:#444;}
.pa-app .pa-en{font-size:13px;color:#777;font-weight:400;margin-left:6px;}
.pa-reviews li{margin:4px 0;}
.pa-as-of-links a{margin-right:10px;}.pa-as-of-links b{margin-right:10px;}
.pa-wait{max-width:640px;margin:60px auto;background:#fff;border:1px solid #ddd;border-radius:8px;padding:24px;}
</style>"""


def _t(key: str, lang: str, **values) -> str:
    text = _T[key][0 if lang == "zh" else 1]
    return text.format(**values) if values else text


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "zh"


def _page(title: str, body: str, lang: str, head: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">'
            f'<link rel="icon" href="data:,"><title>{_e(title)}</title>{head}{_CSS}</head>'
            f'<body><div class="pa-page">{body}</div></body></html>')


def plan_info(plan: str | os.PathLike | None = None) -> dict:
    """What the front door says about the plan: id, titles, period, region (from its ``plan.yml``
    and ``regions.csv``; ``None`` is the default plan).

    >>> from plananalysis.plan.info import read_plan_info
    >>> info = plan_info()
    >>> info["title_zh"] == read_plan_info().title_zh, info["period"] == f"{read_plan_info().start}–{read_plan_info().end}"
    (True, True)
    """
    from ..params import plan_csv_rows, plan_region_names
    from ..plan.info import read_plan_info

    info = read_plan_info(plan)
    plan_region_names(info)  # the region must be one of the plan's (raises otherwise)
    # regions.csv by the one checked reader of plan CSV files (sizes, encoding, cells; no pandas here)
    region_en = next((r.get("name_en", "") for r in plan_csv_rows(info.folder / "regions.csv")
                      if r.get("name_zh") == info.region), "")
    return {"plan_id": info.plan_id, "title_zh": info.title_zh, "title_en": info.title_en or info.title_zh,
            "period": f"{info.start}–{info.end}", "target_year": info.end, "region": info.region,
            "region_en": region_en or info.region}


def list_reviews(reports_dir: str | os.PathLike, plan_id: str) -> list[dict]:
    """The reviews present for a plan: ``reports/<plan-id>/<as_of…>/index.html`` (and the older
    layout ``reports/<as_of…>/index.html``), newest first, with their address under ``/reports/``.

    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> for name in ("p/2023", "p/2025", "p/.tmp-2025-1", "p/2023.failed"):
    ...     (tmp / name).mkdir(parents=True); _ = (tmp / name / "index.html").write_text("x")
    >>> [(r["name"], r["href"]) for r in list_reviews(tmp, "p")]
    [('2025', 'reports/p/2025/index.html'), ('2023', 'reports/p/2023/index.html')]
    """
    root = Path(reports_dir)
    found = []
    for folder, prefix in ((root / plan_id, f"reports/{plan_id}/"), (root, "reports/")):
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            if (re.fullmatch(r"\d{4}(-[\w\u3400-\u9fff-]+)?", child.name) and not child.name.endswith(".failed")
                    and (child / "index.html").is_file()):
                found.append({"name": child.name, "as_of": int(child.name[:4]), "href": f"{prefix}{child.name}/index.html",
                              "written": time.strftime("%Y-%m-%d %H:%M", time.localtime((child / "index.html").stat().st_mtime))})
    return sorted(found, key=lambda r: (r["as_of"], r["name"]), reverse=True)


def front_door_html(info: dict, reviews: list[dict], lang: str = "zh", base_url: str = "/",
                    all_reports: bool = False) -> str:
    """The page at ``/``: the plan, the three apps by name, the reviews.

    >>> info = {"plan_id": "p", "title_zh": "某规划", "title_en": "A plan", "period": "2021–2025",
    ...         "target_year": 2025, "region": "某省"}
    >>> page = front_door_html(info, [], "zh")
    >>> [name in page for name in ("指标总览", "指标详情", "情景推演", "某规划", "2021–2025")]
    [True, True, True, True, True]
    >>> "Indicator explorer" in front_door_html(info, [], "en"), "<script" in page
    (True, False)
    """
    lang = _lang(lang)
    other = "en" if lang == "zh" else "zh"
    title = info.get("title_zh") if lang == "zh" else info.get("title_en")
    apps = []
    for stem, (zh, en, blurb_zh, blurb_en) in APP_NAMES.items():
        name, blurb = (zh, blurb_zh) if lang == "zh" else (en, blurb_en)
        interactive = f"{base_url}voila/render/{stem}.ipynb?lang={lang}"
        if stem == "scorecard":
            main = f"{base_url}scorecard?lang={lang}"
            links = (f'<p><a class="pa-open" href="{_e(main)}">{_e(_t("static", lang))}</a></p>'
                     f'<p><a class="pa-open-interactive" href="{_e(interactive)}">{_e(_t("interactive", lang))}</a></p>')
        else:
            main = interactive
            links = f'<p><a class="pa-open" href="{_e(main)}">{_e(_t("open", lang))}</a></p>'
        secondary = f'<span class="pa-en">{_e(en)}</span>' if lang == "zh" else ""
        apps.append(f'<section class="pa-app" data-app="{stem}"><h2><a href="{_e(main)}">{_e(name)}</a>{secondary}</h2>'
                    f'<p>{_e(blurb)}</p>{links}</section>')
    items = []
    for review in reviews:
        kind = _t("final" if review["as_of"] >= info.get("target_year", 9999) else "midterm", lang)
        label = f'{review["name"]}{"年" if lang == "zh" and review["name"].isdigit() else ""}（{kind}）' if lang == "zh" \
            else f'{review["name"]} ({kind})'
        items.append(f'<li><a class="pa-review" href="{_e(base_url + review["href"])}">{_e(label)}</a> '
                     f'<small>{_e(_t("written", lang))} {_e(review["written"])}</small></li>')
    if all_reports:
        items.append(f'<li><a href="{_e(base_url)}reports/index.html">{_e(_t("all_reports", lang))}</a></li>')
    reviews_html = f'<ul class="pa-reviews">{"".join(items)}</ul>' if items else f'<p>{_e(_t("no_reviews", lang))}</p>'
    body = (f'<div class="pa-top"><h1>{_e(title)} · {_e(_t("site", lang))}</h1>'
            f'<nav><a class="pa-lang" href="{_e(base_url)}?lang={other}">{_e(_t("other_lang", lang))}</a></nav></div>'
            f'<p class="pa-plan">{_e(_t("plan", lang))}：<b class="pa-plan-title">{_e(title)}</b>'
            f' · {_e(_t("period", lang))} <b class="pa-period">{_e(info.get("period"))}</b>'
            f' · {_e(_t("region", lang))} <b class="pa-region">{_e(info.get("region") if lang == "zh" else info.get("region_en", info.get("region")))}</b></p>'
            f'<div class="pa-apps">{"".join(apps)}</div>'
            f'<h2>{_e(_t("reviews", lang))}</h2>{reviews_html}')
    if lang == "en":
        body = body.replace("：", ": ")
    return _page(f'{title} · {_t("site", lang)}', body, lang)


def scorecard_page_html(info: dict, body: str, lang: str, as_of: int, options: list[tuple[str, int]],
                        written: str, base_url: str = "/") -> str:
    """The static scorecard: ``body`` (the counts and cards drawn by :func:`render_scorecards`)
    in a page with the plan's title, the ``as_of`` choices and links to the interactive apps.
    Card links (``explorer.ipynb?…``) resolve under ``/voila/render/`` (the page's ``<base>``).

    >>> info = {"plan_id": "p", "title_zh": "某规划", "title_en": "A plan", "period": "", "region": ""}
    >>> page = scorecard_page_html(info, "<div class='pa-grid'></div>", "zh", 2023, [("2023年", 2023), ("2025年", 2025)], "t")
    >>> '<base href="/voila/render/">' in page, 'href="/scorecard?lang=zh&amp;as_of=2025"' in page
    (True, True)
    """
    lang = _lang(lang)
    other = "en" if lang == "zh" else "zh"
    title = info.get("title_zh") if lang == "zh" else info.get("title_en")
    choices = " ".join(f"<b>{_e(label)}</b>" if value == as_of else
                       f'<a href="{_e(f"{base_url}scorecard?lang={lang}&as_of={value}")}">{_e(label)}</a>'
                       for label, value in options)
    interactive = f"{base_url}voila/render/scorecard.ipynb?lang={lang}&as_of={as_of}"
    page_body = (f'<div class="pa-top"><h1 class="pa-title">{_e(title)} · {_e(_t("scorecard_title", lang))}</h1>'
                 f'<nav><a href="{_e(base_url)}?lang={lang}">{_e(_t("home", lang))}</a>'
                 f'<a class="pa-open-interactive" href="{_e(interactive)}">{_e(_t("interactive", lang))}</a>'
                 f'<a class="pa-lang" href="{_e(f"{base_url}scorecard?lang={other}&as_of={as_of}")}">'
                 f'{_e(_t("other_lang", lang))}</a></nav></div>'
                 f'<p class="pa-as-of-links">{_e(_t("as_of", lang))}{"：" if lang == "zh" else ": "}{choices}</p>'
                 f'<div class="pa-scorecard pa-static" data-as-of="{as_of}">{body}</div>'
                 f'<p class="pa-note">{_e(_t("static_note", lang, time=written))}</p>')
    return _page(f'{_t("scorecard_title", lang)} · {title}', page_body, lang,
                 head=f'<base href="{_e(base_url)}voila/render/">')


def wait_page_html(lang: str = "zh", seconds: int = 5, base_url: str = "/", rendering: bool = False) -> str:
    """The polite page shown when every kernel is in use (or the static scorecard is still being
    drawn); it reloads itself after ``seconds`` (a ``<meta>`` refresh, no script).

    >>> page = wait_page_html("zh", 5)
    >>> '<meta http-equiv="refresh" content="5">' in page, "请稍候" in page, "<script" in page
    (True, True, False)
    """
    lang = _lang(lang)
    if rendering:
        text = f'<p>{_e(_t("wait_rendering", lang, seconds=seconds))}</p>'
    else:
        text = (f'<p>{_e(_t("wait_busy", lang, seconds=seconds))}</p>'
                f'<p>{_e(_t("wait_static", lang))} <a href="{_e(base_url)}scorecard?lang={lang}">'
                f'{_e(APP_NAMES["scorecard"][0 if lang == "zh" else 1])}</a></p>')
    body = f'<div class="pa-wait pa-wait-page"><h1>{_e(_t("wait_title", lang))}</h1>{text}</div>'
    return _page(_t("wait_title", lang), body, lang, head=f'<meta http-equiv="refresh" content="{int(seconds)}">')


def not_found_html(lang: str = "zh", base_url: str = "/") -> str:
    """The friendly page for a path the server does not have (status 404).

    >>> "页面不存在" in not_found_html(), 'href="/"' in not_found_html()
    (True, True)
    """
    lang = _lang(lang)
    body = (f'<div class="pa-wait pa-not-found"><h1>{_e(_t("not_found", lang))}</h1>'
            f'<p>{_e(_t("not_found_body", lang))}</p><p><a href="{_e(base_url)}">{_e(_t("home", lang))}</a></p></div>')
    return _page(_t("not_found", lang), body, lang)


def default_as_of(choices: dict, lang: str = "zh") -> int:
    """The review ``/scorecard`` shows when none is asked: the one the interactive scorecard opens
    on (``options.json``'s ``default``: the latest review due), else the first choice.

    >>> default_as_of({"zh": [["2023年（中期评估）", 2023], ["2025年（终期评估）", 2025]], "default": 2025})
    2025
    """
    options = choices.get(_lang(lang)) or []
    return int(choices.get("default", options[0][1] if options else 0))


def scorecard_file(folder: str | os.PathLike, lang: str, as_of: int) -> Path:
    """Where :func:`render_scorecards` writes one scorecard body.

    >>> scorecard_file("/tmp/pages", "en", 2025).name
    'scorecard-en-2025.html'
    """
    return Path(folder) / f"scorecard-{_lang(lang)}-{int(as_of)}.html"


def render_scorecards(folder: str | os.PathLike, langs=("zh", "en")) -> list[Path]:
    """Draw the scorecard's counts and cards (with sparklines) for every ``as_of`` choice and
    language into ``folder`` — the default ``as_of`` first — and ``options.json`` (the choices).
    Each file appears at once when complete (written to a temporary name, then renamed).  The
    same functions draw the interactive scorecard, so both show the same verdicts.

    >>> callable(render_scorecards)   # a few seconds per page: run by the server at start-up
    True
    """
    from ..context import review_context
    from ..widgets import app_context, as_of_options
    from ..widgets.scorecard import counts_html, scorecard_cards, scorecard_html

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    options = {lang: as_of_options(lang) for lang in langs}
    default = app_context().params.as_of          # the latest review due: the one the apps open on
    options["default"] = default
    _write(folder / "options.json", json.dumps(options, ensure_ascii=False))
    written = []
    years = [value for _, value in options[langs[0]]]
    for as_of in sorted(years, key=lambda year: year != default):
        for lang in langs:
            review = review_context(app_context(as_of).params, lang=lang)
            cards = scorecard_cards(review.progress, lang, results=review.indicator_results())
            body = counts_html(cards, lang, len(cards)) + scorecard_html(cards, lang, as_of)
            written.append(_write(scorecard_file(folder, lang, as_of), body))
    return written


def _write(path: Path, text: str) -> Path:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


if __name__ == "__main__":  # python -m plananalysis.run.pages <folder>: the server's start-up job
    from .processes import watch_parent

    watch_parent()  # the server went away: stop drawing
    render_scorecards(sys.argv[1])
