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
    def progress(self) -> pd.DataFrame:
        """The progress table of the headline indicators, with each one's category and chapter."""
        from .engine.progress import assess

        table = assess(self.plan, self.observed, as_of=self.params.as_of, method=self.params.method,
                       region=self.params.region)
        extra = self.plan.indicators[["indicator_id", "category_zh", "category_en", "chapter", "attribute"]]
        return table.merge(extra, on="indicator_id", how="left")

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
        """The Markdown title of a report: what it is, the plan, the phase, the year, the method
        by its name and the region, in the report's language (Chinese in a name marked on an
        English page)."""
        from .present.frontpage import method_name
        from .present.glossary import mark_chinese, region_name

        what = mark_chinese(self.t(what_zh, what_en), self.lang)
        title = mark_chinese(self.plan.title_in(self.lang), self.lang)
        region = mark_chinese(region_name(self.plan, self.params.region, self.lang), self.lang)
        method = mark_chinese(method_name(self.params.method, self.lang), self.lang)
        if self.lang == "en":
            return (f"# {what}\n\n**{title}** · {self.phase_title} · as of {self.params.as_of} · "
                    f"method: {method} · region: {region}")
        return (f"# {what}\n\n**{title}** · {self.phase_title} · 截至{self.params.as_of}年 · "
                f"评估方法：{method} · 地区：{region}")

    def sources_footer(self) -> str:
        """Where the numbers come from, in one paragraph of Markdown (in the report's language)."""
        from .present.glossary import mark_chinese, pick

        doc = self.plan.sources.get("document", {})
        n_sources = self.observed["source_url"].replace("", pd.NA).nunique()
        publisher = mark_chinese(pick(doc.get("publisher", ""), self.lang), self.lang)
        title = mark_chinese(doc.get("title", ""), self.lang)
        return self.t(
            f"---\n数据来源：规划文本《{title}》（{publisher}，{doc.get('issued', '')}）；"
            f"观测值{len(self.observed)}条，来自{n_sources}个公开来源（每条的出处见“数据审计”报告与 scorecard.xlsx）。"
            f"缺失数据记为“无数据”，不以零计，也不插值。",
            f"---\nSources: the plan's text, {title} ({publisher}, {doc.get('issued', '')}); "
            f"{len(self.observed)} observed values from {n_sources} public sources (each listed in the data audit "
            f"and scorecard.xlsx). Missing data is 'no data': never zero, never interpolated.")

    # ------------------------------------------------------------ overview
    def status_counts(self) -> pd.DataFrame:
        """Indicators per status, in the method's order (zeros included); a status the rows label
        otherwise (an engine label with a year) is counted under the rows' own label."""
        from .present.narrative import status_summary
        from .present.signals import status_table

        present = status_summary(self.progress, self.lang)
        declared = status_table(self.params.method, self.progress["phase"].iloc[0])
        rows = [(int(o), str(label), 0) for o, sid, label in
                zip(declared["order"], declared["status_id"], declared["label_en" if self.lang == "en" else "label_zh"])
                if sid not in set(present["status_id"])]
        order = dict(zip(declared["status_id"], declared["order"]))
        rows += [(int(order.get(r.status_id, 99)), r.label, int(r.count)) for r in present.itertuples()]
        rows.sort(key=lambda r: r[0])
        return pd.DataFrame({self.t("评估结论", "Status"): [r[1] for r in rows],
                             self.t("指标数", "Indicators"): [r[2] for r in rows]})

    def extremes(self, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The ``n`` indicators most behind (lagging or reversed only) and the ``n`` furthest ahead
        (met or ahead only), as the reader's view (:mod:`plananalysis.present.signals`)."""
        from .present.signals import furthest_ahead, most_behind
        from .present.tables import progress_view

        years = {"base_year": self.plan.base_year, "target_year": self.plan.target_year}
        return (progress_view(most_behind(self.progress, n), self.lang, **years),
                progress_view(furthest_ahead(self.progress, n), self.lang, **years))

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
        """The vision-year targets of the catalogue (the plan's ``vision_year``, e.g. 远景目标), with
        headers in the report's language (:func:`~plananalysis.present.tables.vision_view`)."""
        from .present.tables import vision_view

        targets = self.plan.targets
        if targets.empty or not self.plan.info.vision_year:
            return vision_view(targets.iloc[0:0], self.lang) if not targets.empty else pd.DataFrame()
        vision = targets[targets["target_year"] == self.plan.info.vision_year]
        return vision_view(vision, self.lang)

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
        values the verdict rests on; later ones would hide the projection from the latest); a
        final review draws no projection."""
        from .present.charts import trajectory

        row = self.plan.indicator(indicator_id)
        progress = self.progress.set_index("indicator_id").loc[indicator_id].to_dict()
        if self.params.phase == "final":  # a final review projects nothing: the verdict is the year's
            progress = {k: v for k, v in progress.items() if not k.startswith("projection")}
        observed = self.indicator_observed(indicator_id)
        return trajectory(row, observed[observed["year"] <= self.params.as_of], progress, lang=self.lang)

    def chapter_targets(self) -> pd.DataFrame:
        """The chapter's catalogue targets with their data status.

        A target that restates a Table 2 indicator takes that indicator's status; the others
        have no published series here and say so ("无数据").
        """
        from .present.glossary import section

        targets = self.chapter.targets
        if targets.empty:
            return targets
        status = self.progress.set_index("indicator_id")["status_zh" if self.lang == "zh" else "status_en"]
        no_data = self.t("无数据（需部门数据）", "no data (departmental data needed)")
        data_status = [status.get(r, no_data) if r else no_data for r in targets["restates_indicator_id"]]
        return pd.DataFrame({
            self.t("编号", "Id"): targets["target_id"],
            self.t("节", "Section"): [section(x, self.lang) for x in targets["section"]],
            self.t("专栏", "Box"): targets["box"].astype("string").fillna(""),
            self.t("内容", "Subject"): targets["subject_zh" if self.lang == "zh" else "subject_en"],
            self.t("原文", "Quote"): targets["quote"],
            self.t("目标年份", "Year"): targets["target_year"],
            self.t("数据状态", "Data status"): data_status,
        })

    def chapter_narrative(self) -> str:
        """A short paragraph written from the numbers ("本章共有N项量化目标，其中…"); see
        :func:`plananalysis.present.narrative.chapter_narrative`."""
        from .present.narrative import chapter_narrative

        return chapter_narrative(self)

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
