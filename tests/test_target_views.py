"""A catalogue target with observed data gets its verdict and reason everywhere a review shows it:
the chapter report (its builder, and one chapter notebook run for real), the Excel scorecard's
sheet 章节量化目标 and the explorer app.  One target of every kind, with values invented for the
test (in a copy of ``data/``) and the expected numbers worked out by hand.
"""

from __future__ import annotations

import re
import shutil
from html import unescape

import pytest

from plananalysis.present.format import group_digits
from plananalysis.present.glossary import to_chinese

from .conftest import DATA, ROOT

# target, kind, rows (year, value[, value_type]) and, as of 2023, the verdict and reason by hand
CASES = {
    # share ≥ 80: P = (74 − 60)/(80 − 60) = 0.7, E = 3/5 = 0.6, q = 1.167 → 基本符合预期
    "ch09-t01": ("share", [(2020, 60), (2023, 74)], "基本符合预期", "2023年74%，完成目标进度70%，快于序时进度60%"),
    # count 1000个: P = (680 − 200)/(1000 − 200) = 0.6, E = 0.6, q = 1 → 基本符合预期
    "ch09-t06": ("count", [(2020, 200), (2023, 680)], "基本符合预期", "2023年680个，完成目标进度60%，等于序时进度60%"),
    # range 350–400 by 2022: 380 inside → 完成 (the target's year is over: a final label)
    "ch09-t02": ("count", [(2022, 380)], "完成", "2022年380家，目标350家至400家，满足"),
    # within 1 km (≤ 1): 0.8 → met, a constraint → 基本符合预期
    "ch09-t08": ("level", [(2023, 0.8)], "基本符合预期", "2023年0.8公里，目标1公里范围内，满足"),
    # cumulative 50万人次: 9 + 10 + 11 = 30, P = 0.6, E = 0.6, q = mean 10 / required 10 = 1 → 基本符合预期
    "ch09-t12": ("cumulative", [(2021, 9, "flow"), (2022, 10, "flow"), (2023, 11, "flow")], "基本符合预期",
                 "2021、2022、2023年累计30万人次，完成目标进度60%，等于序时进度60%"),
    # completion by end-2022: 100 % done in 2022 → 完成
    "ch09-t13": ("completion", [(2021, 60), (2022, 100)], "完成", "2022年100%，目标全部完成，满足"),
    # annual 7万人: 7.5, 8 and (shipped) 11 → every year reached → 基本符合预期
    "ch04-t06": ("annual", [(2021, 7.5, "flow"), (2022, 8.0, "flow")], "基本符合预期",
                 "2021年7.5万人、2022年8万人、2023年11万人，每年目标7万人：各年均达到"),
    # change ≥ 1万元 from 2020: P = (4.031 − 3.193)/1 = 0.838, E = 0.6, q = 1.397 → 快于预期
    "ch05-t01": ("change", [(2020, 3.193), (2023, 4.031)], "快于预期", "2023年4.031万元，完成目标进度83.8%，快于序时进度60%"),
    # doubling by 2035: P = (61000 − 52397)/52397 = 0.1642, E = 3/15 = 0.2, q = 0.821 → 滞后
    "ch02-t15": ("multiple", [(2020, 52397), (2023, 61000)], "滞后", "2023年61000，完成目标进度16.4%，慢于序时进度20%"),
    # level 10000公里 (shipped: >5600 in 2023, no base) → not met → 滞后
    # (the shipped values are reprints: the label and reason say so, issue 19)
    "ch07-t06": ("level", [], "滞后（据转载数据，待核实）",
                 "2023年>5600公里（仅知界值），目标10000公里，未满足（所据数值为转载，待核实）"),
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """data/ with the invented values added as one more observed file; the environment points at it."""
    root = tmp_path_factory.mktemp("views")
    shutil.copytree(DATA, root / "data", ignore=shutil.ignore_patterns("user.csv", "backups"))
    observed = root / "data" / "plans" / "zj-social-14th" / "observed"
    lines = ["target_id,region,series,year,value,value_type,source_title,source_url,source_quality"]
    for target_id, (_, rows, _, _) in CASES.items():
        for year, value, *value_type in rows:
            lines.append(f"{target_id},浙江省,plan,{year},{value},{value_type[0] if value_type else ''},"
                         f"测试来源{target_id},https://example.org/{target_id},department")
    (observed / "observed-test-kinds.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("PLANANALYSIS_DATA_DIR", str(root / "data"))
    yield root
    mp.undo()


def test_the_kinds_cover_the_catalogue(plan):
    used = set(plan.targets["kind"])
    assert used == {kind for kind, *_ in CASES.values()}


@pytest.mark.parametrize("chapter", sorted({int(t[2:4]) for t in CASES}))
def test_chapter_report_builder(sandbox, chapter):
    from plananalysis.context import review_context

    review = review_context(as_of=2023, chapter=chapter)
    view = review.chapter_targets_view().set_index("编号")
    for target_id, (_, _, status, reason) in CASES.items():
        if int(target_id[2:4]) == chapter:
            assert view.loc[target_id, "评估结论"] == status, target_id
            assert view.loc[target_id, "依据"] == group_digits(reason), target_id   # 10,000: the one formatter
            assert view.loc[target_id, "来源"] in (f"测试来源{target_id}", to_chinese(review.target_progress.set_index(
                "target_id").loc[target_id, "latest_source_title"]))
    lacking = review.chapter_targets_lacking()
    for target_id in CASES:
        if int(target_id[2:4]) == chapter:
            assert f"{target_id} " not in lacking, target_id   # judged: not listed as lacking data


def test_excel_scorecard_sheet(sandbox, tmp_path):
    from openpyxl import load_workbook

    from plananalysis.params import validate
    from plananalysis.publish.export import write_scorecard_xlsx

    path = write_scorecard_xlsx(tmp_path / "scorecard.xlsx", validate(as_of=2023))
    sheet = load_workbook(path, read_only=True)["章节量化目标"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    table = {row["编号"]: row for row in (dict(zip(header, r)) for r in rows[1:])}   # the printed columns come first
    for target_id, (_, _, status, reason) in CASES.items():
        assert (table[target_id]["评估结论"], table[target_id]["依据"]) == (status, group_digits(reason)), target_id
    assert table["ch09-t01"]["完成目标进度P"] == pytest.approx(0.7)
    assert table["ch09-t01"]["来源"] == "测试来源ch09-t01" and table["ch09-t01"]["责任单位"] == "省卫生健康委"
    assert (table["ch09-t01"]["最新值"], table["ch09-t01"]["数据年份"]) == (74, 2023)   # numbers, year apart
    assert table["ch09-t03"]["所需数据"].startswith("无数据：需省民政厅提供")


@pytest.mark.parametrize("target_id", ["ch09-t02", "ch04-t06", "ch05-t01", "ch02-t15"])
def test_explorer_shows_a_targets_verdict_and_reason(sandbox, target_id):
    from plananalysis import widgets as W

    status, reason = CASES[target_id][2:]
    app = W.explorer_app(as_of=2023, indicator=f"target:{target_id}")
    assert f">{status}</span>" in unescape(app.heading.value) or status in unescape(app.heading.value)
    assert re.search(r'data-status="(\w+)"', app.heading.value).group(1) != "no_data"
    assert f'<span class="pa-reason-text">{reason}</span>' in unescape(app.verdict.value)
    assert f"测试来源{target_id}" in unescape(app.observations.value)
    if len(CASES[target_id][1]) >= 2:
        assert app.chart.value.startswith("<svg")                    # two points or more: a chart
    app.lang_toggle.value = "en"
    assert "pa-reason-text" in app.verdict.value


@pytest.mark.slow
def test_the_chapter_notebook_shows_them(sandbox, tmp_path):
    """The chapter notebook run by papermill on the sandbox's data, and its page as the review
    exports it (one notebook: the whole review's runner is tested in tests/test_review.py)."""
    import papermill as pm

    from plananalysis.publish.export import export_html

    out = tmp_path / "chapter-09.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "chapter.ipynb"), str(out), progress_bar=False,
                        kernel_name="python3", cwd=str(ROOT), parameters={"chapter": 9, "as_of": 2023})
    page = unescape(re.sub(r"<[^>]+>", " ", export_html(out, tmp_path / "chapter-09.html").read_text(encoding="utf-8")))
    for target_id, (_, _, status, reason) in CASES.items():
        if target_id.startswith("ch09"):
            assert reason in page, target_id
    assert "省民政厅：ch09-t03 敬老院床位数" in page          # who still owes data
