"""A hostile plan folder, built at test time: the default plan (``data/plans/zj-social-14th``)
copied, with markup, Markdown and local-file payloads written into the fields a sender controls
(issue 18).  Kept as a builder, not as a second copy of the plan, so it follows the plan's files.

``hostile_plan(target, port, secret)`` writes the folder and returns the payloads by field;
``port`` is a local HTTP server's, which must see no request from a review of this plan, and
``secret`` a local file outside the review's folder whose text must not reach any output.

Run by hand: ``python tests/data/hostile_plan/make_hostile_plan.py /tmp/hostile 28999 /tmp/secret.txt``.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_PLAN = ROOT / "data" / "plans" / "zj-social-14th"

#: The lagging indicator whose name is a payload (a 2023 value of 6.7 makes it lag at 2023).
LAGGING = "culture_industry_share"
#: The department with a target lacking data in chapter 14 (ch14-t01) and the target.
DEPARTMENT, TARGET = "finance", "ch14-t01"


def payloads(port: int, secret: Path) -> dict[str, str]:
    """The payload of each field, by a short name (the HTTP server's ``port`` in the images, the
    ``secret`` file in a frame)."""
    return {
        "title": ("X</style><script>location.replace('file:///etc/passwd')</script><style>"
                  f"![t](http://127.0.0.1:{port}/title)"),
        "indicator": "文化产业<iframe src=file:///etc/passwd></iframe><object data=file:///etc/hostname></object>",
        "department": "省财政厅<img src=x onerror=\"document.title='PWNED';window.__pwned=1\">",
        "issued": "2021-03-31<img src=x onerror=\"window.__pwned=2\">",
        "target": f"新增财力<script>window.__pwned=3</script>![i](http://127.0.0.1:{port}/target)",
        "chapter": (f"**粗体** [链接](javascript:window.__pwned=4) <!-- 注释 --> | 表格 | `代码` _斜_"
                    f"<object data={Path(secret).resolve().as_uri()}></object>"),
        "source": f"<img src=http://127.0.0.1:{port}/source onerror=\"window.__pwned=5\">统计公报",
    }


def _rewrite_csv(path: Path, change) -> None:
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    fields = list(rows[0].keys())
    rows = change(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _replace_line(path: Path, key: str, value: str) -> None:
    """Set a top-level ``key: value`` line of a YAML file (the value double-quoted, escaped)."""
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines) if line.lstrip().startswith(f"{key}:")]
    assert hits, (path, key)
    i = hits[0]
    indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
    lines[i] = f"{indent}{key}: {quoted}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def hostile_plan(target: Path, port: int, secret: Path) -> dict[str, str]:
    """Copy the default plan to ``target`` with the payloads of :func:`payloads`; return them."""
    found = payloads(port, secret)
    shutil.copytree(DEFAULT_PLAN, target, ignore=shutil.ignore_patterns("backups", ".import.lock"))
    _replace_line(target / "plan.yml", "id", target.name)   # a plan's id is its folder's name
    _replace_line(target / "plan.yml", "title_zh", found["title"])
    _replace_line(target / "sources.yml", "issued", found["issued"])

    def indicator(rows):
        for row in rows:
            if row["indicator_id"] == LAGGING:
                row["name_zh"] = found["indicator"]
        return rows

    def department(rows):
        for row in rows:
            if row["department_id"] == DEPARTMENT:
                row["name_zh"] = found["department"]
        return rows

    def target_row(rows):
        for row in rows:
            if row["target_id"] == TARGET:
                row["subject_zh"] = found["target"]
        return rows

    def chapter(rows):
        for row in rows:
            if row["kind"] == "chapter" and row["number"] == "14":
                row["title_zh"] = found["chapter"]
        return rows

    def observed(rows):
        for row in rows:
            if row["indicator_id"] == LAGGING:
                row["indicator_name"] = found["indicator"]
        lagging = dict(next(r for r in rows if r["indicator_id"] == LAGGING))
        lagging.update(year="2023", value="6.7", qualifier="", period_note="", source_title=found["source"],
                       source_url="https://example.org/bulletin", source_quality="official",
                       snippet="文化及相关产业增加值占GDP比重为6.7%", notes="a test value: makes the indicator lag")
        return rows + [lagging]

    _rewrite_csv(target / "indicators.csv", indicator)
    _rewrite_csv(target / "departments.csv", department)
    _rewrite_csv(target / "targets.csv", target_row)
    _rewrite_csv(target / "chapters.csv", chapter)
    _rewrite_csv(target / "observed" / "observed-zhejiang.csv", observed)
    return found


if __name__ == "__main__":
    print(hostile_plan(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
