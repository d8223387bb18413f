"""The reports as a reader gets them: the 2023 and 2025 reviews in Chinese and English, every page,
the workbook and the Word document walked for contradictions, the same status everywhere, the data
one click away, lean pages, the PDF of the whole review, and screenshots of the front page (1400 px
and 390 px), a chapter, the audit, the Word document's first pages and the PDF's first pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from plananalysis.plan.folder import load_plan

from .browser import ARTIFACTS, chromium, offline_page
from .contradictions import check_document, check_page, check_workbook, statuses_by_indicator
from .pages import read_page

pytestmark = pytest.mark.slow
REVIEWS = [(2023, "zh"), (2023, "en"), (2025, "zh"), (2025, "en")]


@pytest.fixture(scope="module")
def reviews(built_review):
    """The four reviews, built once per session with one pool of workers (tests/conftest.py)."""
    return dict(zip(REVIEWS, built_review.many(REVIEWS)))


def _years(plan, page_name: str) -> tuple[int, int]:
    """The base and target years a page's headers must name: the previous plan's on the
    retrospective, this plan's elsewhere."""
    if page_name == "retrospective.html":
        period = plan.info.previous["period"]
        return period["base_year"], period["end"]
    return plan.base_year, plan.target_year


@pytest.mark.parametrize("year, lang", REVIEWS)
def test_no_contradiction_on_any_page_or_in_the_workbook(reviews, year, lang):
    plan = load_plan()
    folder = reviews[(year, lang)]
    phase = plan.info.phase(year)
    pages = sorted(folder.glob("*.html"))
    assert len(pages) >= 15
    problems = []
    for path in pages:
        base, end = _years(plan, path.name)
        problems += check_page(read_page(path), lang=lang, phase=phase, base_year=base, end_year=end)
    period = plan.info.previous["period"]
    problems += check_workbook(folder / "scorecard.xlsx", phase=phase, base_year=plan.base_year,
                               end_year=plan.target_year, lang=lang, previous=(period["base_year"], period["end"]))
    docx = next(folder.glob("*-review.docx"))
    problems += check_document(docx, lang=lang, phase=phase, base_year=plan.base_year, end_year=plan.target_year)
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("year, lang", REVIEWS)
def test_the_same_status_on_every_page(reviews, year, lang):
    folder = reviews[(year, lang)]
    front = statuses_by_indicator(read_page(folder / "index.html"))
    overview = statuses_by_indicator(read_page(folder / "overview.html"))
    assert len(front) == len(overview) == len(load_plan().indicators)
    assert front == overview
    for chapter in sorted(folder.glob("chapter-*.html")):
        for name, status in statuses_by_indicator(read_page(chapter)).items():
            assert overview[name] == status, (chapter.name, name)


@pytest.mark.parametrize("year, lang", [(2023, "zh"), (2025, "en")])
def test_every_table_and_chart_has_its_csv(reviews, year, lang):
    folder = reviews[(year, lang)]
    for path in sorted(folder.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        boxes = len(re.findall(r'data-table="', text)) + text.count('<figure class="pa-chart">')
        links = re.findall(r'<a href="(csv/[^"]+\.csv)" download>', text)
        assert len(links) == boxes and boxes > 0, path.name
        assert "pa-csv:" not in text, path.name                   # every link was pointed at its file
        for link in links:
            raw = (folder / link).read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf"), link             # UTF-8 with BOM: Excel reads Chinese
            frame = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
            cells = [str(v) for v in frame.to_numpy().ravel()]
            assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not re.match(r"-[\d.]", c))], link
            assert "nan" not in [c.lower() for c in cells], link


def test_pages_are_lean_and_carry_no_notebook_furniture(reviews):
    folder = reviews[(2023, "zh")]
    for path in sorted(folder.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        first_style = text.split("<style>", 1)[1].split("</style>", 1)[0]
        assert len(first_style) < 10_000, path.name                 # not ~264 KB of JupyterLab CSS
        assert "jp-" not in text and "<script" not in text and "¶" not in text, path.name
        assert len(text) < 200_000, (path.name, len(text))
        assert "（0项）" not in text, path.name                      # no bare empty headings


def test_chapters_draw_only_indicators_with_observed_points(reviews):
    """A chapter draws each of its indicators with a value after the base year, and each of its
    catalogue targets with two values or more (not one restating an indicator drawn already)."""
    plan = load_plan()
    from plananalysis.context import review_context

    review = review_context(as_of=2023)
    observed = review.observed[(review.observed["series"] == "plan") & (review.observed["year"] <= 2023)]
    targets_drawn = 0
    for path in sorted(reviews[(2023, "zh")].glob("chapter-*.html")):
        chapter = plan.chapter(int(path.stem.split("-")[1]))
        with_points = 0
        for row in chapter.indicators.itertuples():
            years = observed.loc[observed["indicator_id"] == row.indicator_id, "year"]
            with_points += int((years > row.baseline_year).any())
        targets = review.target_progress[review.target_progress["chapter"] == chapter.number]
        drawn = targets[(targets["n_points"] >= 2) & ~targets["indicator_id"].isin(set(chapter.indicators["indicator_id"]))]
        targets_drawn += len(drawn)
        assert path.read_text(encoding="utf-8").count('<figure class="pa-chart">') == with_points + len(drawn), path.name
    assert targets_drawn >= 1


def _screenshot(browser, path: Path, out: str, width: int) -> dict:
    page, blocked = offline_page(browser)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    (ARTIFACTS / out).unlink(missing_ok=True)       # what is there is this run's screenshot
    page.screenshot(path=str(ARTIFACTS / out), full_page=True)
    sizes = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
        figures: [...document.querySelectorAll('figure.pa-chart')].map(f => Math.round(f.getBoundingClientRect().top))})""")
    assert blocked == [], blocked
    page.close()
    return sizes


def test_screenshots_of_the_front_page_a_chapter_and_the_audit(reviews):
    """Written to test-artifacts/: review-<year>[-en]-<page>-<width>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        for (year, lang), folder in reviews.items():
            tag = f"review-{year}" + ("-en" if lang == "en" else "")
            wide = _screenshot(browser, folder / "index.html", f"{tag}-index-1400.png", 1400)
            narrow = _screenshot(browser, folder / "index.html", f"{tag}-index-390.png", 390)
            assert wide["scroll"] <= 1400 and narrow["scroll"] <= 392, (tag, narrow)   # no sideways scrolling
            chapter = _screenshot(browser, folder / "chapter-10.html", f"{tag}-chapter-10-1400.png", 1400)
            tops = chapter["figures"]
            assert len(tops) == 2 and tops[0] == tops[1], tops     # two charts side by side
            _screenshot(browser, folder / "data_audit.html", f"{tag}-data_audit-1400.png", 1400)
    assert all((ARTIFACTS / f"review-{year}{'-en' if lang == 'en' else ''}-index-390.png").is_file()
               for year, lang in reviews)


def _pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    import subprocess

    pages = (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    return subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pages(path: Path) -> tuple[int, str]:
    import subprocess

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = re.search(r"^Page size:\s+(.*)$", info, re.M).group(1)
    return pages, size


def _need(*commands: str) -> None:
    import shutil

    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (make test installs poppler-utils and LibreOffice: tools/ensure-system.sh viewers)")


def _png_pages(pdf: Path, out: str, pages: int = 3, dpi: int = 70) -> list[Path]:
    """The first ``pages`` pages of ``pdf`` as test-artifacts/<out>-<n>.png."""
    import subprocess

    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{out}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", str(pages), str(pdf), str(ARTIFACTS / out)],
                   check=True, capture_output=True)
    return sorted(ARTIFACTS.glob(f"{out}-*.png"))


@pytest.mark.parametrize("year, lang", REVIEWS)
def test_the_pdf_is_the_whole_review_on_a4(reviews, year, lang):
    """One PDF per review: A4, the front page first (its headline in the text), every report after."""
    from plananalysis.context import review_context
    from plananalysis.present.narrative import headline

    _need("pdftotext", "pdfinfo")
    folder = reviews[(year, lang)]
    pdf = next(folder.glob("*-review.pdf"))
    pages, size = _pages(pdf)
    assert "(A4)" in size, size
    reports = len(list(folder.glob("*.html")))
    assert pages >= reports, (pages, reports)                 # every report starts on a page of its own
    import unicodedata

    # pdftotext breaks lines (and drops a hyphen at a break) and keeps ligatures
    squash = lambda text: re.sub(r"[\s\-]+", "", unicodedata.normalize("NFKC", text))  # noqa: E731
    review = review_context(as_of=year, lang=lang)
    assert squash(headline(review)) in squash(_pdf_text(pdf, 1, 2))
    text = squash(_pdf_text(pdf))
    plan = load_plan()
    for n in (3, 10):
        assert squash(plan.chapter(n).title(lang)) in text
    assert squash(review.retrospective_title()[0 if lang == "zh" else 1]) in text
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert f'href="{pdf.name}"' in index and f'href="{next(folder.glob("*-review.docx")).name}"' in index


def test_screenshots_of_the_word_document_and_the_pdf(reviews, tmp_path):
    """Written to test-artifacts/: review-<year>[-en]-docx-<n>.png (the Word document's first pages,
    as LibreOffice lays them out) and review-<year>[-en]-pdf-<n>.png (the PDF's first pages)."""
    import subprocess

    _need("pdftoppm", "soffice")
    shots = []
    for year, lang in [(2023, "zh"), (2025, "zh"), (2025, "en")]:
        folder = reviews[(year, lang)]
        tag = f"review-{year}" + ("-en" if lang == "en" else "")
        docx = next(folder.glob("*-review.docx"))
        out = tmp_path / tag
        result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                                 "--convert-to", "pdf", "--outdir", str(out), str(docx)],
                                capture_output=True, text=True, timeout=300)
        converted = out / docx.with_suffix(".pdf").name
        assert converted.exists(), result.stdout + result.stderr
        pages, size = _pages(converted)
        assert "(A4)" in size and pages >= 5
        # the title page, then 总体评价 with the headline, in a CJK font LibreOffice found
        text = _pdf_text(converted, 1, 2)
        assert load_plan().title_in(lang).split("“")[0][:6] in text
        docx_pages = _png_pages(converted, f"{tag}-docx", pages=4)
        assert len(docx_pages) == 4
        shots += docx_pages
        assert len(_png_pages(next(folder.glob("*-review.pdf")), f"{tag}-pdf", pages=4)) == 4
        fonts = subprocess.run(["pdffonts", str(converted)], capture_output=True, text=True).stdout
        assert re.search(r"CJK|Hei|Song|Ming", fonts), fonts            # Chinese drawn with a CJK font
    assert len(shots) == 12 and all(path.is_file() for path in shots)   # this run's, not older ones
