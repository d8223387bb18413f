"""What the report notebooks call: one ``start(...)`` and a few builders per report.

Every report notebook opens the same way — its parameters, then::

    review = start(as_of=as_of, chapter=chapter, method=method, lang=lang,
                   region=region, observed_path=observed_path)

which validates the parameters (a bad one is one line at the top of the report), loads the
plan, the observed data and the progress table, and switches charts to offline SVG in the
plananalysis theme.  The builders below return DataFrames, charts and sentences; the
notebooks only display them.

>>> review = start(as_of=2023, chapter=9, render=False)
>>> review.chapter.title()
'第九章 构建更加充分的“一老一小”服务供给体系'
>>> review.chapter_narrative().startswith("本章共有")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from .params import ReviewParameters, validate
from .paths import data_dir

__all__ = ["Review", "start"]

# Inputs loaded once per process and reused while the data files are unchanged: the review
# runs many notebooks in one warm kernel, and an analyst calls start() again and again.
_CACHE: dict = {}


def _fingerprint(extra: str = "") -> tuple:
    """Size and modification time of every data file (and of ``extra``): cheap to compute."""
    roots = [data_dir()] + ([Path(extra)] if extra else [])
    stats = []
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        stats += [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    return tuple(stats)


def _memo(key: tuple, build):
    full = (key, _fingerprint(key[-1] if key and isinstance(key[-1], str) else ""))
    if full not in _CACHE:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[full] = build()
    return _CACHE[full]


def start(as_of=2023, chapter=None, method="cn-schedule", lang="zh", region="浙江省",
          observed_path="", plan_id="zj-social-14th", *, render: bool = True, **unknown) -> "Review":
    """Validate the parameters, load everything a report needs, set up offline charts.

    >>> review = start(as_of=2023, lang="en", render=False)  # render=True also sets up SVG charts
    >>> review.params.phase, review.phase_title, len(review.progress)
    ('midterm', 'Mid-term review', 25)
    >>> start(as_of=2023, colour="red")
    Traceback (most recent call last):
    ...
    plananalysis.params.ReviewParameterError: 参数 colour = 'red' 不符合要求：应为 已知参数 as_of、chapter、lang、method、observed_path、plan_id、region 之一 (parameter colour = 'red': expected one of the known parameters as_of, chapter, lang, method, observed_path, plan_id, region)
    """
    params = validate(as_of=as_of, chapter=chapter, method=method, lang=lang, region=region,
                      observed_path=observed_path, plan_id=plan_id, **unknown)
    if render:
        from .present.charts import enable_offline_rendering

        enable_offline_rendering()
    return Review(params)


@dataclass
class Review:
    """One report's inputs and the tables and sentences built from them.

    >>> review = Review(validate(as_of=2025, lang="en"))
    >>> review.phase_title, review.t("完成", "completed")
    ('Final review', 'completed')
    >>> review.status_counts().columns.tolist()
    ['Status', 'Indicators']
    """

    params: ReviewParameters

    # ------------------------------------------------------------ inputs
    @cached_property
    def plan(self):
        from .plan.folder import load_plan

        return _memo(("plan", self.params.plan_id, ""), lambda: load_plan(self.params.plan_id))

    @cached_property
    def observed(self) -> pd.DataFrame:
        from .observed.load import load_observed

        path = self.params.observed_path
        return _memo(("observed", path), lambda: load_observed(path or None))

    @cached_property
    def progress(self) -> pd.DataFrame:
        """The progress table of the 25 indicators, with each indicator's category and chapter."""
        from .engine.progress import assess

        def build():
            table = assess(self.plan, self.observed, as_of=self.params.as_of, method=self.params.method,
                           region=self.params.region)
            extra = self.plan.indicators[["indicator_id", "category_zh", "category_en", "chapter"]]
            return table.merge(extra, on="indicator_id", how="left")

        p = self.params
        return _memo(("progress", p.plan_id, p.as_of, p.method, p.region, p.observed_path), build)

    @property
    def indicator_names(self) -> dict[str, str]:
        """Indicator id → name in the report's language."""
        table = self.plan.indicators
        return dict(zip(table["indicator_id"], table["name_zh" if self.lang == "zh" else "name_en"]))

    @property
    def lang(self) -> str:
        return self.params.lang

    def t(self, zh: str, en: str) -> str:
        """The text in the report's language."""
        return en if self.lang == "en" else zh

    @property
    def phase_title(self) -> str:
        if self.params.phase == "final":
            return self.t("终期检查", "Final review")
        return self.t("中期评估", "Mid-term review")

    def heading(self, what_zh: str, what_en: str) -> str:
        """The Markdown title of a report."""
        plan_title = self.plan.title if self.lang == "zh" else self.plan.sources["plan"].get("title_en", self.plan.title)
        return (f"# {self.t(what_zh, what_en)}\n\n**{plan_title}** · {self.phase_title} · "
                f"{self.t('截至', 'as of')} {self.params.as_of} · {self.t('方法', 'method')}: "
                f"`{self.params.method}` · {self.t('地区', 'region')}: {self.params.region}")

    def sources_footer(self) -> str:
        """Where the numbers come from, in one paragraph of Markdown."""
        doc = self.plan.sources.get("document", {})
        n_sources = self.observed["source_url"].replace("", pd.NA).nunique()
        return self.t(
            f"---\n数据来源：规划文本《{doc.get('title', '')}》（{doc.get('publisher', '')}，{doc.get('issued', '')}）；"
            f"观测值 {len(self.observed)} 条，来自 {n_sources} 个公开来源（每条的出处见“数据审计”报告与 scorecard.xlsx）。"
            f"缺失数据记为“无数据”，不以零计，也不插值。",
            f"---\nSources: the plan's text ({doc.get('publisher', '')}, {doc.get('issued', '')}); "
            f"{len(self.observed)} observed values from {n_sources} public sources (each listed in the data audit "
            f"and scorecard.xlsx). Missing data is 'no data' — never zero, never interpolated.")

    # ------------------------------------------------------------ overview
    def status_counts(self) -> pd.DataFrame:
        """Indicators per status label, in the method's order (zeros included)."""
        from .engine.methods import status_labels

        labels = status_labels(self.params.method, self.progress["phase"].iloc[0])
        counts = self.progress["status_id"].value_counts()
        label_column = "label_zh" if self.lang == "zh" else "label_en"
        return pd.DataFrame({
            self.t("评估结论", "Status"): labels[label_column],
            self.t("指标数", "Indicators"): [int(counts.get(s, 0)) for s in labels["status_id"]],
        })

    def extremes(self, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The ``n`` indicators most behind and the ``n`` furthest ahead of schedule (by q = P/E)."""
        from .present.tables import progress_view

        rated = self.progress.dropna(subset=["pace_ratio"])
        behind = rated.sort_values("pace_ratio").head(n)
        ahead = rated.sort_values("pace_ratio", ascending=False).head(n)
        return progress_view(behind, self.lang), progress_view(ahead, self.lang)

    def coverage(self) -> pd.DataFrame:
        """Indicators × years: ✓ where a plan-series value exists for the review's region."""
        obs = self.observed[(self.observed["series"] == "plan") & (self.observed["region"] == self.params.region)]
        years = list(range(self.plan.base_year, self.params.as_of + 1))
        have = set(zip(obs["indicator_id"], obs["year"].astype(int)))
        name = "name_zh" if self.lang == "zh" else "name_en"
        rows = {r[name]: ["✓" if (r["indicator_id"], y) in have else "" for y in years]
                for _, r in self.plan.indicators.iterrows()}
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=[str(y) for y in years])
        frame[self.t("有数据年份数", "Years with data")] = (frame == "✓").sum(axis=1)
        return frame.rename_axis(self.t("指标", "Indicator")).reset_index()

    def vision_targets(self) -> pd.DataFrame:
        """The 2035 vision targets of the catalogue."""
        targets = self.plan.targets
        if targets.empty:
            return targets
        vision = targets[targets["target_year"] == 2035]
        return vision[["target_id", "subject_zh" if self.lang == "zh" else "subject_en", "quote"]].reset_index(drop=True)

    # ------------------------------------------------------------ chapters
    @cached_property
    def chapter(self):
        if self.params.chapter is None:
            raise ValueError("this review has no chapter parameter")
        return self.plan.chapter(self.params.chapter)

    def chapter_progress(self) -> pd.DataFrame:
        return self.progress[self.progress["chapter"] == self.chapter.number].reset_index(drop=True)

    def indicator_observed(self, indicator_id: str) -> pd.DataFrame:
        obs = self.observed
        return obs[(obs["indicator_id"] == indicator_id) & (obs["region"] == self.params.region)]

    def trajectory(self, indicator_id: str):
        """The trajectory chart of one indicator, with its progress row, up to ``as_of`` (the
        values the verdict rests on; later ones would hide the projection from the latest)."""
        from .present.charts import trajectory

        row = self.plan.indicator(indicator_id)
        progress = self.progress.set_index("indicator_id").loc[indicator_id].to_dict()
        observed = self.indicator_observed(indicator_id)
        return trajectory(row, observed[observed["year"] <= self.params.as_of], progress, lang=self.lang)

    def chapter_targets(self) -> pd.DataFrame:
        """The chapter's catalogue targets with their data status.

        A target that restates a Table 2 indicator takes that indicator's status; the others
        have no published series here and say so ("无数据").
        """
        targets = self.chapter.targets
        if targets.empty:
            return targets
        status = self.progress.set_index("indicator_id")["status_zh" if self.lang == "zh" else "status_en"]
        no_data = self.t("无数据（需部门数据）", "no data (departmental data needed)")
        data_status = [status.get(r, no_data) if r else no_data for r in targets["restates_indicator_id"]]
        return pd.DataFrame({
            self.t("编号", "Id"): targets["target_id"],
            self.t("节", "Section"): targets["section"],
            self.t("专栏", "Box"): targets["box"].astype("string").fillna(""),
            self.t("内容", "Subject"): targets["subject_zh" if self.lang == "zh" else "subject_en"],
            self.t("原文", "Quote"): targets["quote"],
            self.t("目标年份", "Year"): targets["target_year"],
            self.t("数据状态", "Data status"): data_status,
        })

    def chapter_narrative(self) -> str:
        """A short paragraph written from the numbers ("本章共有N项量化目标，其中…")."""
        chapter = self.chapter
        rows = self.chapter_progress()
        n_targets, n_indicators = len(chapter.targets), len(rows)
        restated = int((chapter.targets.get("restates_indicator_id", pd.Series(dtype=str)) != "").sum()) if n_targets else 0
        counts = rows["status_zh" if self.lang == "zh" else "status_en"].value_counts()
        with_data = int(rows["latest_value"].notna().sum())
        if self.lang == "en":
            text = (f"This chapter sets {n_targets} quantified targets in its text"
                    f"{f' ({restated} restating headline indicators)' if restated else ''} and covers "
                    f"{n_indicators} of the 25 headline indicators, {with_data} of them with data.")
            if len(counts):
                text += " Status: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "."
            return text
        text = (f"本章共有{n_targets}项量化目标{f'（其中{restated}项与主要指标重合）' if restated else ''}，"
                f"涉及主要指标{n_indicators}项，其中{with_data}项有观测数据。")
        if len(counts):
            text += "评估结论：" + "，".join(f"{k}{v}项" for k, v in counts.items()) + "。"
        behind = rows[rows["status_id"].isin(["behind", "reverse", "not_completed"])]
        if len(behind):
            text += "需加大力度：" + "、".join(behind["name_zh"]) + "。"
        return text

    # ------------------------------------------------------------ 13th plan and audit
    def retrospective(self) -> pd.DataFrame:
        from .engine.retrospective import retrospective

        return retrospective(self.plan, method="cn-schedule")

    def audit(self) -> pd.DataFrame:
        from .engine.audit import audit

        return audit(self.plan, self.observed, region=self.params.region)
