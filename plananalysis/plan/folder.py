"""The plan as data: load a plan's tables from its folder and look things up in them.

A plan is a folder of UTF-8 CSV files with a ``sources.yml`` sidecar (and optionally a
``checks.yml`` of declared data checks and the document's text as ``source.txt``).
The default plan is ``data/plans/zj-social-14th``; another plan (a city's, another
province's) is added as a folder alone, with no code change.

>>> plan = load_plan()
>>> len(plan.indicators), len(plan.indicators_13th), len(plan.chapters), len(plan.boxes)
(25, 29, 14, 21)
>>> plan.indicator("常住人口城镇化率")["target_printed"]
'75左右'
>>> plan.chapter(9).title_zh
'构建更加充分的“一老一小”服务供给体系'
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .checks import check_table
from ..errors import ParameterError, PlanDataError
from ..paths import data_dir

__all__ = ["Plan", "Chapter", "load_plan", "data_dir", "DEFAULT_PLAN", "CHINESE_NUMERALS"]

DEFAULT_PLAN = "zj-social-14th"
CHINESE_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
                    "十一", "十二", "十三", "十四", "十五", "十六"]

# Column types of the plan tables; columns not listed stay text.
_INT_COLUMNS = {"no", "baseline_year", "target_year", "chapter", "base_year", "actual_year",
                "number", "source_line", "box"}
_FLOAT_COLUMNS = {"baseline_value", "target_value", "base_value", "actual_value", "value",
                  "low", "high"}
_BOOL_COLUMNS = {"unit_inferred", "is_annual"}


@dataclass
class Chapter:
    """Everything one chapter of the plan sets: title, boxes, Table 2 indicators, targets.

    >>> chapter = load_plan().chapter(9)
    >>> chapter.title("en")
    'Chapter 9: Fuller services for the elderly and young children (一老一小)'
    >>> chapter.indicators["indicator_id"].tolist()
    ['infant_care_places_per_1000', 'care_workers_per_10k_elderly']
    """

    number: int
    numeral: str
    title_zh: str
    title_en: str
    boxes: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame

    def title(self, lang: str = "zh") -> str:
        """``第九章 构建…`` in Chinese, ``Chapter 9: …`` in English."""
        if lang == "en":
            return f"Chapter {self.number}: {self.title_en}"
        return f"第{self.numeral}章 {self.title_zh}"

    def __repr__(self) -> str:
        return (f"Chapter({self.number}, {self.title_zh!r}, boxes={len(self.boxes)}, "
                f"indicators={len(self.indicators)}, targets={len(self.targets)})")


@dataclass
class Plan:
    """A plan's tables (pandas DataFrames) and its sources.

    ``indicators``: the headline table (Table 2) with printed cells verbatim and parsed
    columns beside them; ``indicators_13th``: the previous plan's table (Table 1);
    ``chapters`` and ``boxes`` (专栏); ``targets``: the catalogue of quantified targets in
    the chapters' prose; ``sources``: the ``sources.yml`` sidecar.

    >>> plan = load_plan()
    >>> plan.plan_id, plan.base_year, plan.target_year, plan.region
    ('zj-social-14th', 2020, 2025, '浙江省')
    >>> plan.summary().splitlines()[1]
    '  就业增收: 6'
    """

    plan_id: str
    folder: Path
    sources: dict
    indicators: pd.DataFrame
    indicators_13th: pd.DataFrame
    chapters: pd.DataFrame
    boxes: pd.DataFrame
    targets: pd.DataFrame
    source_text: str

    @property
    def title(self) -> str:
        return self.sources.get("plan", {}).get("title_zh", self.plan_id)

    @property
    def base_year(self) -> int:
        return int(self.sources.get("plan", {}).get("base_year", 2020))

    @property
    def target_year(self) -> int:
        return int(self.sources.get("plan", {}).get("target_year", 2025))

    @property
    def region(self) -> str:
        return self.sources.get("plan", {}).get("region", "")

    def indicator(self, key: str | int) -> pd.Series:
        """One Table 2 row, by id (``urbanisation_rate``), Chinese name or row number.

        >>> load_plan().indicator(3)["indicator_id"]
        'urbanisation_rate'
        >>> load_plan().indicator("城镇化率")
        Traceback (most recent call last):
        ...
        KeyError: "未知指标 '城镇化率' (unknown indicator); 最接近的 (closest): 常住人口城镇化率, 城镇调查失业率, 城镇住房保障受益覆盖率"
        """
        table = self.indicators
        for column in ("indicator_id", "name_zh", "name_en"):
            hit = table[table[column] == key]
            if len(hit):
                return hit.iloc[0]
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            hit = table[table["no"] == int(key)]
            if len(hit):
                return hit.iloc[0]
        names = list(table["name_zh"]) + list(table["indicator_id"])
        close = [n for n in table["name_zh"] if str(key) in n]
        close += [n for n in difflib.get_close_matches(str(key), names, n=3, cutoff=0.4) if n not in close]
        raise KeyError(f"未知指标 {key!r} (unknown indicator); 最接近的 (closest): {', '.join(close[:3]) or '—'}")

    def chapter(self, number: int | str) -> Chapter:
        """A chapter by number (9), numeral ('九') or heading ('第九章').

        >>> load_plan().chapter("第四章").number
        4
        """
        n = chapter_number(number, len(self.chapters))
        row = self.chapters[self.chapters["number"] == n].iloc[0]
        return Chapter(
            number=n,
            numeral=row["numeral"],
            title_zh=row["title_zh"],
            title_en=row["title_en"],
            boxes=self.boxes[self.boxes["chapter"] == n].reset_index(drop=True),
            indicators=self.indicators[self.indicators["chapter"] == n].reset_index(drop=True),
            targets=(self.targets[self.targets["chapter"] == n].reset_index(drop=True)
                     if "chapter" in self.targets.columns else self.targets),
        )

    def summary(self, lang: str = "zh") -> str:
        """A short text: chapters, and indicators per category and chapter."""
        lines = [f"{self.title} ({self.plan_id}): {len(self.chapters)} 章, {len(self.boxes)} 个专栏, "
                 f"{len(self.indicators)} 项主要指标, {len(self.targets)} 项章节量化目标"]
        name = "category_zh" if lang == "zh" else "category_en"
        for category, group in self.indicators.groupby(name, sort=False):
            lines.append(f"  {category}: {len(group)}")
        per_chapter = self.indicators.groupby("chapter").size()
        targets_per_chapter = (self.targets.groupby("chapter").size()
                               if "chapter" in self.targets.columns else pd.Series(dtype=int))
        for _, row in self.chapters.iterrows():
            n = row["number"]
            lines.append(f"  第{row['numeral']}章 {row['title_zh']}: 指标 {per_chapter.get(n, 0)}, "
                         f"目标 {targets_per_chapter.get(n, 0)}")
        return "\n".join(lines)


def chapter_number(number: int | str, count: int = 14) -> int:
    """Normalise 9, '9', '九', '第九章' to 9; anything else is a clear :class:`ParameterError`.

    >>> chapter_number("第十三章")
    13
    """
    text = str(number).strip()
    m = re.fullmatch(r"第?([一二三四五六七八九十]+|\d+)章?", text)
    if m:
        token = m.group(1)
        n = int(token) if token.isdigit() else (CHINESE_NUMERALS.index(token) + 1
                                                 if token in CHINESE_NUMERALS else 0)
        if 1 <= n <= count:
            return n
    raise ParameterError(f"未知章节 {number!r}：应为 1–{count} 或 一…{CHINESE_NUMERALS[count - 1]} "
                     f"(unknown chapter {number!r}: expected 1–{count})")


def resolve_plan_folder(plan: str | os.PathLike = DEFAULT_PLAN) -> Path:
    """A plan id (a folder under ``data/plans``) or a folder path."""
    path = Path(plan)
    if path.is_dir():
        return path
    candidate = data_dir() / "plans" / str(plan)
    if candidate.is_dir():
        return candidate
    known = sorted(p.name for p in (data_dir() / "plans").glob("*") if p.is_dir())
    raise PlanDataError(candidate, None, None, str(plan), f"一个规划编号或文件夹 (a plan id or folder: {', '.join(known)})")


def read_table(path: Path, required: bool = True) -> pd.DataFrame:
    """Read one plan CSV with typed columns; a bad cell is a PlanDataError naming it."""
    if not path.exists():
        if required:
            raise PlanDataError(path, None, None, "", "该文件存在 (the file to exist)")
        return pd.DataFrame()
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PlanDataError(path, None, None, repr(exc.object[exc.start:exc.end]), "UTF-8 编码的文本 (UTF-8 text)") from None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise PlanDataError(path, int(m.group(1)) if m else None, None, str(exc).strip(),
                            "与表头列数相同的一行 (a row with as many cells as the header)") from None
    for column in frame.columns:
        if column in _INT_COLUMNS:
            frame[column] = _convert(frame, column, path, int, "整数 (a whole number)", "Int64")
        elif column in _FLOAT_COLUMNS:
            frame[column] = _convert(frame, column, path, float, "数字 (a number)", "float64")
        elif column in _BOOL_COLUMNS:
            frame[column] = _convert_bool(frame, column, path)
    return frame


def _convert(frame, column, path, kind, expected, dtype):
    out = []
    for pos, text in enumerate(frame[column]):
        if text.strip() == "":
            out.append(None)
            continue
        try:
            number = float(text)
            if kind is int and not number.is_integer():
                raise ValueError
            out.append(kind(number))
        except ValueError:
            raise PlanDataError(path, pos + 2, column, text, expected) from None
    return pd.array(out, dtype=dtype)


def _convert_bool(frame, column, path):
    truth = {"true": True, "false": False, "": False}
    out = []
    for pos, text in enumerate(frame[column]):
        if text.strip().lower() not in truth:
            raise PlanDataError(path, pos + 2, column, text, "true 或 false")
        out.append(truth[text.strip().lower()])
    return pd.array(out, dtype="bool")


def load_plan(plan: str | os.PathLike = DEFAULT_PLAN, *, check: bool = True) -> Plan:
    """Load a plan by id (``"zj-social-14th"``) or folder, running its declared checks.

    Raises :class:`~plananalysis.errors.PlanDataError` on the first bad cell: file, row,
    column, value and what was expected.

    >>> plan = load_plan()
    >>> plan.indicator("urban_new_jobs")[["name_zh", "target_printed"]].tolist()
    ['新增城镇就业人数', '400']
    >>> load_plan("no-such-plan")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plananalysis.errors.PlanDataError: 文件 ... 值 'no-such-plan' 不符合要求，应为 一个规划编号或文件夹 ...
    """
    folder = resolve_plan_folder(plan)
    sources_path = folder / "sources.yml"
    if not sources_path.exists():
        raise PlanDataError(sources_path, None, None, "", "sources.yml：每个数据文件的来源 (where each data file comes from)")
    try:
        sources = yaml.safe_load(sources_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlanDataError(sources_path, mark.line + 1 if mark else None, None, str(exc).split("\n")[0],
                            "有效的 YAML (valid YAML)") from None
    tables = {name: read_table(folder / name, required=name in ("indicators.csv", "chapters.csv"))
              for name in ("indicators.csv", "indicators_13th.csv", "chapters.csv", "targets.csv")}
    if check:
        _run_declared_checks(folder, tables, sources)
    chapters_all = tables["chapters.csv"]
    text_path = folder / "source.txt"
    source_text = text_path.read_text(encoding="utf-8") if text_path.exists() else ""
    return Plan(
        plan_id=folder.name,
        folder=folder,
        sources=sources,
        indicators=tables["indicators.csv"],
        indicators_13th=tables["indicators_13th.csv"],
        chapters=chapters_all[chapters_all["kind"] == "chapter"].reset_index(drop=True),
        boxes=chapters_all[chapters_all["kind"] == "box"].reset_index(drop=True),
        targets=_read_catalogue(folder, tables["targets.csv"], source_text),
        source_text=source_text,
    )


def _read_catalogue(folder: Path, frame: pd.DataFrame, source_text: str) -> pd.DataFrame:
    """The chapter catalogue, validated by :mod:`plananalysis.plan.catalogue` when present."""
    if frame.empty:
        return frame
    try:
        from .catalogue import read_targets
    except ImportError:  # the catalogue module is optional for a plan without prose targets
        return frame
    return read_targets(folder / "targets.csv", source_text or None)


def _run_declared_checks(folder: Path, tables: dict, sources: dict) -> None:
    checks_path = folder / "checks.yml"
    declared = yaml.safe_load(checks_path.read_text(encoding="utf-8")) if checks_path.exists() else {}
    for name, frame in tables.items():
        if frame.empty:
            continue
        if name not in sources.get("files", {}):
            raise PlanDataError(folder / "sources.yml", None, "files", name,
                                f"{name} 的来源条目 (an entry saying where {name} comes from)")
        problems = check_table(frame, folder / name, declared.get(name, {}))
        if problems:
            raise problems[0]
