"""The review, run for real: papermill, nbconvert, the index, the Excel scorecard, safety."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from plananalysis.observed.load import load_observed
from plananalysis.plan.folder import load_plan
from plananalysis.engine.progress import assess
from plananalysis.engine.retrospective import retrospective, summary_line
from plananalysis.run.review import run_review

from .browser import ARTIFACTS, chromium, offline_page
from .conftest import ROOT

PLAN_ID = "zj-social-14th"

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "plananalysis.run.cli"]


def review_cli(*args, **kwargs):
    return subprocess.run([*CLI, "review", *args], capture_output=True, text=True, cwd=ROOT, **kwargs)


@pytest.fixture(scope="module")
def reports(built_review):
    """The reports folder holding the full mid-term review, built once per session and shared
    (tests/conftest.py; the command line's own runs are the tests below).  A test that changes it
    copies it first."""
    return built_review(2023).parents[1]


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_review_writes_every_report(reports):
    out = reports / PLAN_ID / "2023"
    plan = load_plan()
    expected = {"index.html", "scorecard.xlsx", "overview.html", "retrospective.html", "data_audit.html"}
    expected |= {f"chapter-{n:02d}.html" for n in range(3, 14)}
    expected |= {f"{PLAN_ID}-2023-review.docx", f"{PLAN_ID}-2023-review.pdf"}   # the review as Word and PDF
    assert expected <= {p.name for p in out.iterdir()}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ok"] and all(r["ok"] for r in manifest["results"])
    # chapter 二 restates Table 2 and sets the 2035 vision: it has a report too
    assert (out / "chapter-02.html").exists() and len(plan.chapter(2).targets) > 0


def _table_counts(table):
    """Indicators per undated label (the chips and the overview count 快于预期 once, whatever year
    or grade each verdict's own label names)."""
    from plananalysis.present.results import undated_labels

    undated = undated_labels(table["method"].iloc[0], table["phase"].iloc[0])
    return table["status_id"].map(lambda s: undated.get(s, s)).value_counts().to_dict()


def test_overview_counts_match_the_progress_engine(reports):
    table = assess(load_plan(), load_observed(), as_of=2023)
    counts = _table_counts(table)
    index = (reports / PLAN_ID / "2023" / "index.html").read_text(encoding="utf-8")
    chips = dict((label, int(n)) for label, n in re.findall(r'<span class="chip"[^>]*>([^<]+?) <b>(\d+)</b>', index))
    assert chips == counts and sum(chips.values()) == 25
    # the overview notebook's own counts table, read from the executed notebook
    nb = nbformat.read(reports / PLAN_ID / "2023" / "overview.ipynb", as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    for label, n in counts.items():
        assert re.search(rf">{re.escape(label)}</td>\s*<td[^>]*>{n}</td>", html), label


def test_retrospective_report_matches_the_engine(reports):
    line = summary_line(retrospective())
    text = (reports / PLAN_ID / "2023" / "retrospective.html").read_text(encoding="utf-8")
    assert line in text
    assert "基本完成" in text and "超额完成" in text


def test_chapter_report_has_trajectories_and_targets(reports):
    text = (reports / PLAN_ID / "2023" / "chapter-09.html").read_text(encoding="utf-8")
    assert "第九章 构建更加充分的“一老一小”服务供给体系" in text
    # neither Table 2 indicator of the chapter has an observed value: no empty chart, named instead
    assert "<svg" not in text and "尚无观测值、未绘图的指标（2项）" in text
    n = int((load_plan().targets["chapter"] == 9).sum())   # 16 since issue 20 added three
    assert "敬老院" in text and f"本章共有{n}项量化目标" in text
    assert "cdn.jsdelivr" not in text and "cdnjs" not in text and "<script" not in text
    # one trajectory per Table 2 indicator with observed values (chapter 十: reading and culture)
    text = (reports / PLAN_ID / "2023" / "chapter-10.html").read_text(encoding="utf-8")
    assert text.count('<figure class="pa-chart">') == 2 and "旅游产业增加值占GDP比重" in text


def test_scorecard_xlsx(reports):
    from openpyxl import load_workbook

    book = load_workbook(reports / PLAN_ID / "2023" / "scorecard.xlsx")
    assert {"主要指标进度", "计算明细", "章节量化目标", "上期规划回顾", "一致性检查", "观测数据", "来源"} <= set(book.sheetnames)
    sheet = book["主要指标进度"]
    headers = [c.value for c in sheet[1]]
    assert "评估结论" in headers and "完成目标进度P" in headers
    status_col = headers.index("评估结论") + 1
    names = {sheet.cell(row=r, column=headers.index("指标") + 1).value: r for r in range(2, sheet.max_row + 1)}
    cell = sheet.cell(row=names["常住人口城镇化率"], column=status_col)
    assert cell.value == "快于预期" and cell.fill.fgColor.rgb.endswith("006D2C")


def test_reports_render_offline_in_chromium(reports):
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        for name in ("index", "chapter-03"):
            page, blocked = offline_page(browser)
            page.goto((reports / PLAN_ID / "2023" / f"{name}.html").as_uri())
            page.wait_for_load_state("load")
            page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"), full_page=True)
            assert blocked == [], blocked
            body = page.inner_text("body")
            assert "浙江省社会发展“十四五”规划" in body
            if name == "chapter-03":
                assert page.locator("figure svg").count() >= 1  # the indicators with observed values
                titles = page.locator("svg text").all_text_contents()
                assert any("高等教育毛入学率" in t for t in titles)
                box = page.locator("svg").first.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 100
            else:
                assert page.locator("#scorecard table tr").count() == 26


def test_warm_rerun_runs_nothing(reports):
    started = time.perf_counter()
    result = review_cli("--as-of", "2023", "--reports-dir", str(reports))
    assert result.returncode == 0 and "未重新运行" in result.stdout
    assert time.perf_counter() - started < 30  # generous; the benchmark measures it properly


def test_failing_notebooks_keep_the_previous_report_and_the_others_still_run(reports, tmp_path):
    """One review, one worker (over a copy of the previous review: only the four notebooks named
    run): chapter 4 raises, chapter 5's kernel ends, chapter 6's worker is killed (SIGKILL, as the
    out-of-memory killer would); each fails, named, and chapter 7 still runs, on a new worker and
    kernel; nothing hangs.  The previous report is untouched; the run is kept as ``2023.failed``."""
    folder = tmp_path / "reports"
    shutil.copytree(reports, folder)
    before = tree_digest(folder / PLAN_ID / "2023")
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns("apps"))
    nb = nbformat.read(notebooks / "chapter.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "import os, signal, time\n"
        "if chapter == 4:\n    raise RuntimeError(\"模拟失败 simulated failure\")\n"
        "if chapter == 5:\n    os._exit(1)\n"
        "if chapter == 6:   # the kernel's parent is the worker\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n    time.sleep(30)"))
    nbformat.write(nb, notebooks / "chapter.ipynb")
    lines: list = []
    summary = run_review(2023, reports_dir=folder, notebooks_dir=notebooks,
                         only=["chapter-04", "chapter-05", "chapter-06", "chapter-07"], jobs=1, echo=lines.append)
    assert not summary["ok"] and [r["name"] for r in summary["failed"]] == ["chapter-04", "chapter-05", "chapter-06"], summary
    assert "工作进程意外结束 (the worker process ended unexpectedly, exit code -9)" in summary["failed"][2]["error"]
    assert "chapter-07" in summary["ran"] and any("✓ chapter-07" in line for line in lines), lines
    assert tree_digest(folder / PLAN_ID / "2023") == before
    failed = folder / PLAN_ID / "2023.failed"
    assert "模拟失败" in (failed / "chapter-04.html").read_text(encoding="utf-8").split("pa-error", 1)[1][:400]
    assert "运行失败" in (failed / "index.html").read_text(encoding="utf-8")
    page = (failed / "chapter-07.html").read_text(encoding="utf-8")
    # chapter 七 ran to the end: its title, its table and the line naming the indicators not drawn
    assert "pa-error" not in page and load_plan().chapter(7).title("zh") in page
    assert 'data-table="indicators"' in page and "尚无观测值、未绘图的指标" in page


def test_bad_parameter_is_one_clear_error(reports):
    before = tree_digest(reports / PLAN_ID / "2023")
    result = review_cli("--as-of", "2031", "--reports-dir", str(reports))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "as_of = 2031" in result.stderr and "2021–2025" in result.stderr
    result = review_cli("--method", "fast", "--reports-dir", str(reports))
    assert result.returncode == 2 and "cn-schedule" in result.stderr
    assert tree_digest(reports / PLAN_ID / "2023") == before


def test_bad_parameter_in_a_notebook_is_shown_at_the_top(tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError) as info:
        pm.execute_notebook(str(ROOT / "notebooks" / "chapter.ipynb"), str(tmp_path / "out.ipynb"),
                            parameters={"chapter": 15}, progress_bar=False, kernel_name="python3")
    assert "parameter chapter = 15" in str(info.value.evalue)
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    # papermill's banner is the first cell; the error cell is the one right after the parameters
    assert "An Exception was encountered" in nb.cells[0].source
    failing = next(c for c in nb.cells if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.outputs))
    trace = "".join(failing.outputs[-1]["traceback"])
    assert "参数 chapter = 15" in trace and "File " not in trace  # one line, no Python traceback


def test_interrupted_run_keeps_previous_report(reports, tmp_path):
    folder = tmp_path / "reports"
    shutil.copytree(reports, folder)
    before = tree_digest(folder / PLAN_ID / "2023")
    proc = subprocess.Popen([*CLI, "review", "--force", "--reports-dir", str(folder)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if line.startswith("[1/"):
            break
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert tree_digest(folder / PLAN_ID / "2023") == before
    assert not list(folder.rglob(".tmp-*"))


def test_final_review(built_review):
    folder = built_review(2025)       # the whole final review, built once per session
    text = (folder / "index.html").read_text(encoding="utf-8")
    assert "终期评估" in text
    # the final table's labels only: an estimate from older data names its year (预计完成（据2023年数据）)
    from plananalysis.engine.methods import status_labels

    final = [re.escape(label).replace(re.escape("{year}"), r"\d{4}")
             for label in status_labels("cn-schedule", "final")["label_zh"]]
    chips = set(re.findall(r'<span class="chip"[^>]*>([^<]+?) <b>', text))
    assert chips and all(any(re.fullmatch(p, chip) for p in final) for chip in chips), chips
    assert not chips & set(status_labels("cn-schedule", "midterm")["label_zh"]) - {"无数据", "定性目标", "无法评估"}
    # the chapter's catalogue targets too: final (or estimate) labels for every target whose year is over
    page = re.sub(r"<[^>]+>", " ", (folder / "chapter-07.html").read_text(encoding="utf-8"))
    assert "预计未完成（据2023年转载数据，待核实）" in page          # 环浙步道: >5600 of 10000 km in 2023 (a reprint)
    assert not re.search(r"快于预期|基本符合预期|滞后|提前实现", page.split("本章量化目标")[1])


def test_english_review_goes_to_its_own_folder(built_review):
    folder = built_review(2023, "en")  # built once per session (tests/conftest.py: run_reviews)
    assert folder == built_review.reports / PLAN_ID / "2023-en" and (folder / "manifest.json").is_file()
    assert folder != built_review(2023)
    text = (folder / "chapter-03.html").read_text(encoding="utf-8")
    assert "Chapter 3: A more competitive human-capital system" in text and "Box 1" in text


# ---------------------------------------------------------------- partial runs and names (issue 15.1, 15.6)

def test_a_partial_review_keeps_every_other_report(reports, tmp_path):
    folder = tmp_path / "reports"
    shutil.copytree(reports, folder)
    review = folder / PLAN_ID / "2023"
    before = {p.name for p in review.iterdir()}
    others = {name: (review / name).read_bytes() for name in before
              if name.startswith("chapter-") and not name.startswith("chapter-09.")}
    result = review_cli("--as-of", "2023", "--reports-dir", str(folder), "--only", "chapter-09", "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in review.iterdir()} == before                       # nothing is lost
    assert [name for name, data in others.items() if (review / name).read_bytes() != data] == []
    manifest = json.loads((review / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["jobs"]) == len(manifest["digests"]) and manifest["ok"]
    # the next plain run finds nothing to do: every recorded digest is current
    again = review_cli("--as-of", "2023", "--reports-dir", str(folder))
    assert "未重新运行" in again.stdout


def test_an_unknown_report_name_is_refused(reports):
    before = tree_digest(reports / PLAN_ID / "2023")
    for extra in ([], ["--force"]):
        result = review_cli("--as-of", "2023", "--reports-dir", str(reports), "--only", "nosuch", *extra)
        assert result.returncode == 2 and "only = 'nosuch'" in result.stderr and "chapter-09" in result.stderr
        assert "Traceback" not in result.stderr
    assert tree_digest(reports / PLAN_ID / "2023") == before


def test_a_region_is_never_a_path(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("x", encoding="utf-8")
    result = review_cli("--reports-dir", str(tmp_path / "R"), "--region", "x/../../victim")
    assert result.returncode == 2 and "region" in result.stderr and "Traceback" not in result.stderr
    assert (victim / "keep.txt").read_text(encoding="utf-8") == "x" and not (tmp_path / "R").exists()
    from plananalysis.errors import ParameterError
    from plananalysis.files import safe_name

    with pytest.raises(ParameterError):      # and were a region name ever to hold a separator, no path is made
        safe_name("x/../../victim")


def test_the_documents_process_last_reply_is_read_after_it_ended():
    """The documents process replied and ended between two of the command's waits: the reply is
    in the pipe and is read, not taken for "the documents process ended early" (seen once under
    load, on a review whose documents were all written)."""
    import queue

    from plananalysis.run.documents import DocumentsProcess

    class LateReplies:            # the first wait ends empty; the reply arrives just after it
        def __init__(self):
            self.calls = 0

        def get(self, timeout):
            self.calls += 1
            if self.calls == 1:
                raise queue.Empty
            return ("done", True, [])

    class Ended:
        def is_alive(self):
            return False

    documents = object.__new__(DocumentsProcess)
    documents.replies, documents.process = LateReplies(), Ended()
    assert documents._reply("done") == ("done", True, [])
    documents.replies = type("Nothing", (), {"get": lambda self, timeout: (_ for _ in ()).throw(queue.Empty)})()
    assert documents._reply("done") is None      # ended, and nothing sent: None, at once
