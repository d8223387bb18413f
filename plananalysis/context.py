"""One review context: validated parameters → plan, observed data, progress — built once.

Notebooks, exports (index, Excel) and the apps all read a review through a
:class:`ReviewContext`, so a parameter such as ``as_of`` or ``region`` has one path from the
command line (or the app's selector) to the verdict.  A report notebook opens with::

    review = start(plan=plan, as_of=as_of, chapter=chapter, method=method, lang=lang,
                   region=region, observed_path=observed_path)

which validates the parameters against the plan (a bad one is one line at the top of the
report), and returns the context; charts are switched to offline SVG in the package's theme.
:func:`review_context` returns the same context for the same parameters and unchanged data
files, so the review's warm kernels, the index, the workbook and every app view load the plan,
the observed data and the progress table once.

>>> review = start(as_of=2023, chapter=9, render=False)
>>> review.chapter.number, review.params.phase
(9, 'midterm')
>>> review_context(review.params) is review     # the same parameters: the same context
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from .params import ReviewParameters, validate
from .paths import data_dir

__all__ = ["ReviewContext", "start", "review_context"]

# Contexts built in this process, keyed by parameters and a fingerprint of the files they read.
_CONTEXTS: dict = {}


def _fingerprint(params: ReviewParameters) -> tuple:
    """Size and modification time of every file a review reads (the plan folder, its observed
    data, the method tables): cheap to compute, changes when any of them changes."""
    roots = [Path(params.plan), data_dir() / "methods"] + ([Path(params.observed_path)] if params.observed_path else [])
    stats = []
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and "backups" not in p.parts)
        stats += [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    return tuple(stats)


def review_context(params: ReviewParameters | None = None, **values) -> "ReviewContext":
    """The context of one review (built once per process for unchanged parameters and files).

    ``params``: validated :class:`~plananalysis.params.ReviewParameters`; or keyword values to
    validate (``review_context(as_of=2025, lang="en")``).

    >>> final = review_context(as_of=2025)
    >>> final.params.phase, review_context(final.params, as_of=2023).params.phase
    ('final', 'midterm')
    """
    if params is None:
        params = validate(**values)
    elif values:
        params = params.replace(**values)
    key = (params, _fingerprint(params))
    context = _CONTEXTS.get(key)
    if context is None:
        if len(_CONTEXTS) > 32:
            _CONTEXTS.clear()
        context = _CONTEXTS[key] = ReviewContext(params)
    return context


def start(plan=None, as_of=None, chapter=None, method="cn-schedule", lang="zh", region=None,
          observed_path="", *, render: bool = True, **unknown) -> "ReviewContext":
    """Validate the parameters, return the review's context, set up offline charts.

    >>> review = start(as_of=2023, lang="en", render=False)  # render=True also sets up SVG charts
    >>> review.params.phase, review.phase_title, len(review.progress) == len(review.plan.indicators)
    ('midterm', 'Mid-term review', True)
    >>> start(as_of=2023, colour="red")
    Traceback (most recent call last):
    ...
    plananalysis.params.ReviewParameterError: 参数 colour = 'red' 不符合要求：应为 已知参数 plan、as_of、chapter、method、lang、region、observed_path 之一 (parameter colour = 'red': expected one of the known parameters plan, as_of, chapter, method, lang, region, observed_path)
    """
    params = validate(plan=plan, as_of=as_of, chapter=chapter, method=method, lang=lang, region=region,
                      observed_path=observed_path, **unknown)
    if render:
        from .present.charts import enable_offline_rendering

        enable_offline_rendering()
    return review_context(params)


@dataclass(eq=False)
class ReviewContext:
    """One review's parameters, plan, observed data and results, and the tables and sentences
    built from them.

    >>> review = review_context(as_of=2025, lang="en")
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

        return load_plan(self.params.plan)

    @property
    def info(self):
        return self.plan.info

    @cached_property
    def observed(self) -> pd.DataFrame:
        """The plan's observed values (or those of ``observed_path``), with their sources."""
        from .observed.load import load_observed

        return load_observed(self.params.observed_path or None, plan=self.plan)

    @cached_property
    def verdicts(self) -> pd.DataFrame:
        """An analyst's recorded verdicts on qualitative targets, with their sources."""
        from .observed.load import load_verdicts

        return load_verdicts(self.plan)

    @cached_property
    def context_series(self) -> pd.DataFrame:
        """The plan's context series (GDP, population …) that targets may be read against."""
        from .observed.load import load_context

        folder = self.plan.folder / "observed"
        return load_context(folder, plan=self.plan) if list(folder.glob("context-*.csv")) else pd.DataFrame(
            columns=["series", "region", "year", "value"])

    @cached_property
    def progress(self) -> pd.DataFrame:
        """The progress table of the headline indicators, with each one's category and chapter."""
        from .engine.progress import assess

        table = assess(self.plan, self.observed, as_of=self.params.as_of, method=self.params.method,
                       region=self.params.region, verdicts=self.verdicts, context=self.context_series)
        extra = self.plan.indicators[["indicator_id", "category_zh", "category_en", "chapter", "attribute"]]
        return table.merge(extra, on="indicator_id", how="left")

    @cached_property
    def target_progress(self) -> pd.DataFrame:
        """Every catalogue target judged with the review's method, year and region
        (:func:`~plananalysis.engine.targets.assess_targets`); a restating target takes its
        indicator's row of :attr:`progress`."""
        from .engine.targets import assess_targets

        return assess_targets(self.plan, self.observed, as_of=self.params.as_of, method=self.params.method,
                              region=self.params.region, progress=self.progress, verdicts=self.verdicts)

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
        return (f"# {self.t(what_zh, what_en)}\n\n**{self.plan.title_in(self.lang)}** · {self.phase_title} · "
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

    def target_status_counts(self) -> pd.DataFrame:
        """Catalogue targets per status label (final and mid-term labels both, as the targets'
        own years give them), best first, zeros left out.

        >>> counts = review_context(as_of=2025).target_status_counts()
        >>> list(counts.columns), int(counts["目标数"].sum()) == len(review_context(as_of=2025).plan.targets)
        (['评估结论', '目标数'], True)
        """
        table = self.target_progress
        label = "status_zh" if self.lang == "zh" else "status_en"
        counts = (table.sort_values(["status_order", "phase"]).groupby(label, sort=False).size())
        return pd.DataFrame({self.t("评估结论", "Status"): list(counts.index),
                             self.t("目标数", "Targets"): [int(v) for v in counts.values]})

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
        """The vision-year targets of the catalogue (the plan's ``vision_year``, e.g. 远景目标)."""
        targets = self.plan.targets
        if targets.empty or not self.plan.info.vision_year:
            return targets.iloc[0:0]
        vision = targets[targets["target_year"] == self.plan.info.vision_year]
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
        """The chapter's catalogue targets: verdict, latest value and year, source, reason.

        A target that restates a Table 2 indicator takes that indicator's verdict; one without
        data says what is needed and from whom (:func:`~plananalysis.present.targets.targets_view`).

        >>> view = review_context(as_of=2023, chapter=4).chapter_targets().set_index("编号")
        >>> view.loc["ch04-t06", ["评估结论", "最新值"]].tolist()
        ['基本符合预期', '11万人']
        """
        from .present.targets import targets_view

        return targets_view(self._chapter_target_rows(), self.lang)

    def _chapter_target_rows(self) -> pd.DataFrame:
        table = self.target_progress
        return table[table["chapter"] == self.chapter.number].reset_index(drop=True)

    def chapter_targets_lacking(self) -> str:
        """Which of the chapter's targets still lack data, and from whom (Markdown).

        >>> print(review_context(as_of=2023, chapter=14).chapter_targets_lacking())
        尚无评估结论的目标（1项），需以下单位提供数据：
        - 省财政厅：ch14-t01 新增财力用于民生的比例（2020–2023年）
        """
        from .present.targets import lacking_sentence

        return lacking_sentence(self._chapter_target_rows(), self.lang)

    def chapter_target_charts(self) -> list:
        """The charts of the chapter's targets with at least two points up to ``as_of`` (a
        restated indicator already charted among the chapter's indicators is not drawn twice).

        >>> len(review_context(as_of=2025, chapter=4).chapter_target_charts()) >= 1
        True
        """
        from .present.targets import chart_targets

        shown = set(self.chapter_progress()["indicator_id"])
        return [self.target_trajectory(t) for t in chart_targets(self._chapter_target_rows(), shown)]

    def target_trajectory(self, target_id: str):
        """The chart of one catalogue target (its indicator's, for a restating target), with the
        values up to ``as_of``.

        >>> chart = review_context(as_of=2025).target_trajectory("ch04-t06")
        >>> chart.to_dict()["title"]["text"]
        '帮扶困难人员实现就业'
        """
        from .engine.targets import target_observed, target_specs
        from .present.targets import target_chart

        row = self.target_progress.set_index("target_id").loc[target_id].to_dict()
        if row["indicator_id"]:
            return self.trajectory(row["indicator_id"])
        rows = target_observed(self.observed)
        rows = rows[(rows["region"] == self.params.region) & (rows["year"] <= self.params.as_of)]
        observed = self.observed[self.observed["region"] == self.params.region]
        spec = target_specs(self.plan, observed, self.params.as_of).set_index("indicator_id").loc[target_id].to_dict()
        spec["indicator_id"] = target_id
        return target_chart(spec, row, rows[rows["indicator_id"] == target_id], lang=self.lang)

    def requests_coverage(self) -> pd.DataFrame:
        """Per department: the values its data request asks for, those come back, those still
        missing (:func:`~plananalysis.observed.requests.requests_coverage`).

        >>> table = review_context(as_of=2023).requests_coverage()
        >>> list(table.columns)[:4]
        ['责任单位', '征集项目', '征集数值', '已返回']
        """
        from .observed.requests import requests_coverage

        table = requests_coverage(self.plan, self.observed, self.params.as_of, self.lang)
        return table.drop(columns=["department_id"])

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
    @cached_property
    def retrospective_table(self) -> pd.DataFrame:
        """The previous plan's table judged with the final method (empty when the plan has none)."""
        from .engine.retrospective import retrospective

        if self.plan.previous_indicators.empty:
            return pd.DataFrame()
        return retrospective(self.plan, method="cn-schedule")

    def retrospective(self) -> pd.DataFrame:
        return self.retrospective_table

    def retrospective_title(self) -> tuple[str, str]:
        """The retrospective's title in Chinese and English, from ``plan.yml``'s ``previous_plan``."""
        previous = self.plan.info.previous or {}
        label = previous.get("table_label", "")
        return (f"{previous.get('title_zh', '上期规划')}主要指标完成情况回顾" + (f"（{label}）" if label else ""),
                f"{previous.get('title_en', 'The previous plan')} in retrospect")

    @cached_property
    def audit_table(self) -> pd.DataFrame:
        """The consistency audit of the plan's own numbers and the observed data."""
        from .engine.audit import audit

        return audit(self.plan, self.observed, region=self.params.region)

    def audit(self) -> pd.DataFrame:
        return self.audit_table
