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

import numbers
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from .params import ReviewParameters, validate
from .paths import SHARED_CONTEXTS, data_dir

__all__ = ["ReviewContext", "start", "review_context", "share_context"]

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


class shared_property(cached_property):
    """A result that does not depend on the chapter: a chapter's context
    (:meth:`ReviewContext.for_chapter`) takes it from its whole review's context, so the chapters
    of one review (the chapter notebooks run in one kernel, the Word document) build it once."""

    def __get__(self, instance, owner=None):
        if instance is not None and self.attrname not in instance.__dict__:
            whole = instance.__dict__.get("_whole")
            if whole is not None:
                value = instance.__dict__[self.attrname] = getattr(whole, self.attrname)
                return value
        return super().__get__(instance, owner)


#: ``plananalysis review`` builds each review's context once, in the command, and writes it to a
#: private folder of the run named by ``$PLANANALYSIS_SHARED_CONTEXTS`` (``paths.SHARED_CONTEXTS``);
#: its kernels and its documents process load it instead of judging the plan again
#: (:func:`share_context`).
#: what a shared context carries: everything of a whole review that does not depend on a chapter
#: and that more than one of the review's processes reads
_SHARED = ("plan", "observed", "verdicts", "context_series", "progress", "target_progress", "results",
           "source_counts")


def _shared_file(folder, params: ReviewParameters, fingerprint: tuple) -> Path:
    """The file of a shared context: named by a hash of the parameters and the data files' sizes
    and modification times, so that a context is never read for other parameters or data."""
    import hashlib
    import json

    key = json.dumps([params.as_dict(), fingerprint], ensure_ascii=False, sort_keys=True, default=str)
    return Path(folder) / f"context-{hashlib.sha256(key.encode()).hexdigest()[:40]}.pickle"


def share_context(params: ReviewParameters, folder) -> Path:
    """Build the whole review's context for ``params`` (its plan, data, judgements and results) and
    write it into ``folder`` (a private folder: what is there is loaded, never a file of anyone
    else's), for the processes started with ``$PLANANALYSIS_SHARED_CONTEXTS`` set to it.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> params = validate(as_of=2023)
    >>> path = share_context(params, folder)
    >>> _load_shared(ReviewContext(params), folder, _fingerprint(params)).results.equals(review_context(params).results)
    True
    >>> os.remove(path); os.rmdir(folder)
    """
    import pickle

    from .files import write_atomically

    context = review_context(params.replace(chapter=None))
    state = {name: getattr(context, name) for name in _SHARED}
    return write_atomically(_shared_file(folder, context.params, _fingerprint(context.params)),
                            pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def _load_shared(context: "ReviewContext", folder, fingerprint: tuple) -> "ReviewContext":
    """``context`` with what :func:`share_context` wrote for it in ``folder``, if it is there."""
    import pickle

    try:
        state = pickle.loads(_shared_file(folder, context.params, fingerprint).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return context   # not (yet) written: this process builds its own
    context.__dict__.update({name: state[name] for name in _SHARED if name in state})
    return context


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
        if params.chapter is None:
            context = ReviewContext(params)
            if os.environ.get(SHARED_CONTEXTS):
                context = _load_shared(context, os.environ[SHARED_CONTEXTS], key[1])
        else:   # a chapter shares its whole review's plan, data and results
            context = review_context(params.replace(chapter=None)).for_chapter(params.chapter)
        _CONTEXTS[key] = context
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


def _renamed(old: str, new: str):
    """A member's old name, kept so that old notebooks run: it calls ``new`` and warns
    ``DeprecationWarning`` (the names are listed in docs/reference.md, "Naming").

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = review_context(as_of=2023).status_counts()
    >>> caught[0].category.__name__, "status_counts_view" in str(caught[0].message)
    ('DeprecationWarning', True)
    """
    def alias(self, *args, **kwargs):
        import warnings

        warnings.warn(f"ReviewContext.{old}() 已更名为 {new}() (is now {new}(): docs/reference.md, Naming)",
                      DeprecationWarning, stacklevel=2)
        return getattr(self, new)(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated: the old name of :meth:`{new}` (warns ``DeprecationWarning``)."
    return alias


@dataclass(eq=False)
class ReviewContext:
    """One review's parameters, plan, observed data and results, and the tables and sentences
    built from them.

    >>> review = review_context(as_of=2025, lang="en")
    >>> review.phase_title, review.t("完成", "completed")
    ('Final review', 'completed')
    >>> review.status_counts_view().columns.tolist()
    ['Status', 'Indicators']
    """

    params: ReviewParameters

    # ------------------------------------------------------------ inputs
    @shared_property
    def plan(self):
        """The plan under review (:class:`~plananalysis.plan.folder.Plan`): its indicators, chapters, targets."""
        from .plan.folder import load_plan

        return load_plan(self.params.plan)

    @property
    def info(self):
        """The plan's ``plan.yml`` (:class:`~plananalysis.plan.info.PlanInfo`): title, region, years."""
        return self.plan.info

    def for_chapter(self, number: int) -> "ReviewContext":
        """The same review for one chapter, sharing with this one the plan, the data and the
        results (:class:`shared_property`, built once for both): only what depends on the
        chapter is its own.

        >>> review = review_context(as_of=2023)
        >>> chapter = review.for_chapter(4)
        >>> chapter.chapter.number, chapter.target_progress is review.target_progress
        (4, True)
        """
        other = ReviewContext(self.params.replace(chapter=number))
        other.__dict__["_whole"] = self.__dict__.get("_whole", self)
        return other

    def what_if(self, indicator_id: str, year: int, value: float, *, cumulative: bool = False) -> "ReviewContext":
        """The same review with one assumed value (in memory only, never written): every table,
        sentence and chart built from it follows (:func:`plananalysis.explore.with_value`;
        :func:`plananalysis.explore.what_if_table` shows one indicator before and after).

        A five-year cumulative target 〔X〕 takes ``value`` as ``year``'s own flow (for a sum, that
        year's addition; the other years' flows stay, and their sum is judged against X and its
        path); ``cumulative=True`` takes it as the running total since the base year (then it must
        be the latest value the review sees).  A one-year addition at least as large as the whole
        five-year amount warns (``UserWarning``: the total was probably meant):

        >>> review = review_context(as_of=2023)
        >>> jobs = review.what_if("urban_new_jobs", 2023, 80).progress.set_index("indicator_id").loc["urban_new_jobs"]
        >>> float(jobs["completion_share"]), float(jobs["remaining_rate"])   # (≥100 + ≥100 + 80)/400; (400 − 280)/2
        (0.7, 60.0)
        >>> total = review.what_if("urban_new_jobs", 2023, 250, cumulative=True).progress.set_index("indicator_id")
        >>> float(total.loc["urban_new_jobs", "completion_share"])        # 250 of 400 by 2023
        0.625

        >>> lagging = review.what_if("culture_industry_share", 2023, 6.7)   # P = 0.1/0.9, q = 0.19
        >>> lagging.progress.set_index("indicator_id").loc["culture_industry_share", "status_zh"]
        '滞后'
        >>> review.progress.set_index("indicator_id").loc["culture_industry_share", "status_id"]
        'ahead'

        An id that is not a headline indicator, or a year the review cannot see, is refused
        (nothing would change):

        >>> review.what_if("hospital_beds", 2023, 6.5)
        Traceback (most recent call last):
        ...
        KeyError: "未知指标 'hospital_beds' (unknown indicator); 最接近的 (closest): hospital_beds_per_1000, youth_myopia_reduction"
        >>> review.what_if("culture_industry_share", 1999, 6.7)
        Traceback (most recent call last):
        ...
        ValueError: 假设值的年份 1999 不在 2021–2023 之内（规划期起始年至评估年份 as_of）(the what-if year 1999 is not within 2021–2023: from the plan's first year to the review's as_of)
        >>> review.what_if("ch02-t01", 2023, 400)
        Traceback (most recent call last):
        ...
        KeyError: "'ch02-t01' 是章节目标，假设值只用于主要指标；它重述指标 urban_new_jobs，请用该编号 (a chapter target: what-ifs take a headline indicator id; it restates urban_new_jobs: use that id)"
        """
        from .explore import with_value

        indicator_id = self._what_if_indicator(indicator_id)
        first, last = self.info.start, min(self.params.as_of, self.info.end)
        if isinstance(year, bool) or not isinstance(year, numbers.Integral) or not first <= year <= last:
            raise ValueError(f"假设值的年份 {year!r} 不在 {first}–{last} 之内（规划期起始年至评估年份 as_of）"
                             f"(the what-if year {year!r} is not within {first}–{last}: from the plan's first "
                             "year to the review's as_of)")
        self._check_cumulative_what_if(indicator_id, year, value, cumulative)
        other = ReviewContext(self.params)
        other.__dict__["observed"] = with_value(self.observed, indicator_id, year, value, region=self.params.region,
                                                cumulative=cumulative)
        return other

    def _check_cumulative_what_if(self, indicator_id: str, year: int, value: float, cumulative: bool) -> None:
        """A running total only for a five-year cumulative target, as its latest value; a warning
        for a one-year addition that is the whole five-year amount or more."""
        import warnings

        from .present.tidy import CUMULATIVE_RULES

        row = self.progress.set_index("indicator_id").loc[indicator_id]
        if cumulative and row["rule"] not in CUMULATIVE_RULES:
            raise ValueError(f"{indicator_id} 不是五年累计目标〔〕，cumulative=True 不适用 (not a five-year cumulative "
                             f"target: its rule is {row['rule']}, cumulative=True does not apply)")
        obs = self.indicator_observed(indicator_id)
        later = sorted(obs.loc[(obs["series"] == "plan") & (obs["year"] > year) & (obs["year"] <= self.params.as_of),
                               "year"].astype(int).unique())
        if cumulative and later:
            raise ValueError(f"累计值须为评估所见的最新数值：{indicator_id} 还有{'、'.join(map(str, later))}年的数值 "
                             f"(a running total must be the latest value the review sees: {indicator_id} has values "
                             f"for {', '.join(map(str, later))})")
        amount = pd.to_numeric(row["target_value"], errors="coerce")
        if not cumulative and row["rule"] == "cumulative_sum" and pd.notna(amount) and value >= amount > 0:
            warnings.warn(f"{indicator_id}：{year}年一年新增{value:g}，已达五年累计目标〔{amount:g}〕；如指累计值，请用 "
                          f"cumulative=True ({indicator_id}: an addition of {value:g} in {year} alone is the whole "
                          f"five-year 〔{amount:g}〕; for a running total pass cumulative=True)", UserWarning, stacklevel=3)

    def _what_if_indicator(self, key: str) -> str:
        """The headline indicator a what-if is about: its id, or the closest names in the
        error; a chapter target is refused, naming the indicator it restates if it does one."""
        targets = self.plan.targets
        if len(targets) and "target_id" in targets.columns and key in set(targets["target_id"]):
            restated = targets.set_index("target_id").loc[key, "restates_indicator_id"] or ""
            zh, en = (f"；它重述指标 {restated}，请用该编号", f"; it restates {restated}: use that id") if restated else ("", "")
            raise KeyError(f"{key!r} 是章节目标，假设值只用于主要指标{zh} (a chapter target: what-ifs take a headline "
                           f"indicator id{en})")
        if isinstance(key, str) and key in set(self.plan.indicators["indicator_id"]):
            return key
        return str(self.plan.indicator(key)["indicator_id"])   # a name or number; else the closest names

    @shared_property
    def inputs(self):
        """Every slice of this review's inputs with its digest (:func:`plananalysis.reads.input_slices`):
        from the plan and the observed data as loaded, nothing judged."""
        from .reads import input_slices

        return input_slices(self)

    def _ids_read(self, indicator_ids, target_ids) -> list[str]:
        """The keys of these indicators and targets: their plan rows, the indicators a target
        restates and the series an indicator is stated against, and their observed values,
        context series and verdicts up to ``as_of``."""
        plan, slices, as_of = self.plan, self.inputs, self.params.as_of
        targets = plan.targets[plan.targets["target_id"].isin(list(target_ids))] if len(plan.targets) else plan.targets
        restated = [i for i in (targets["restates_indicator_id"] if len(targets) else []) if i]
        indicators = plan.indicators[plan.indicators["indicator_id"].isin(list(indicator_ids) + restated)]
        linked = [i for i in indicators["linked_indicator"] if i]
        ids = list(indicators["indicator_id"]) + linked + list(target_ids)
        return (slices.select("plan: indicators", ids) + slices.select("plan: targets", target_ids)
                + slices.select("observed", ids, up_to=as_of) + slices.select("context", linked, up_to=as_of)
                + slices.select("verdicts", ids, up_to=as_of))

    def _everything_read(self, *kinds: str) -> list[str]:
        """The keys of a page that aggregates every row: the plan's rows of ``kinds``, every
        observed value, context series and verdict up to ``as_of``, every file, the package."""
        slices, as_of = self.inputs, self.params.as_of
        return ([k for kind in kinds for k in slices.select(kind)] + ["plan: indicators (count)"]
                + slices.select("observed", up_to=as_of) + slices.select("context", up_to=as_of)
                + slices.select("verdicts", up_to=as_of) + slices.files() + slices.code())

    def analyst_text_read(self, section: str) -> list[str]:
        """The keys of the analyst's own text for a page's ``section`` (its commentary): none yet.
        The hook for the analyst's texts: when they exist (a file per section in the plan
        folder), the page that prints a section reads its key here, and a changed text re-runs
        that page only."""
        return []

    @shared_property
    def observed(self) -> pd.DataFrame:
        """The plan's observed values (or those of ``observed_path``), with their sources."""
        from .observed.load import load_observed

        return load_observed(self.params.observed_path or None, plan=self.plan)

    @shared_property
    def verdicts(self) -> pd.DataFrame:
        """An analyst's recorded verdicts on qualitative targets, with their sources."""
        from .observed.load import load_verdicts

        return load_verdicts(self.plan)

    @shared_property
    def task_statements(self) -> pd.DataFrame:
        """The departments' (and the analyst's) statements on the plan's tasks, one per task
        (:func:`~plananalysis.observed.statements.current_statements`); none when the plan folder
        has no ``observed/task-statements.csv``.

        >>> review_context(as_of=2023).task_statements.columns.tolist()[:2]
        ['task_id', 'status']
        """
        from .observed.statements import current_statements, load_statements

        return current_statements(load_statements(self.plan))

    @shared_property
    def context_series(self) -> pd.DataFrame:
        """The plan's context series (GDP, population …) that targets may be read against."""
        from .observed.load import load_context

        folder = self.plan.folder / "observed"
        return load_context(folder, plan=self.plan) if list(folder.glob("context-*.csv")) else pd.DataFrame(
            columns=["series", "region", "year", "value"])

    @shared_property
    def progress(self) -> pd.DataFrame:
        """The progress table of the headline indicators, with each one's category and chapter."""
        from .engine.progress import assess

        table = assess(self.plan, self.observed, as_of=self.params.as_of, method=self.params.method,
                       region=self.params.region, verdicts=self.verdicts, context=self.context_series)
        wanted = ["category_zh", "category_en", "chapter", "attribute"]
        extra = self.plan.indicators[["indicator_id"] + [c for c in wanted if c not in table.columns]]
        return table.merge(extra, on="indicator_id", how="left")     # no attribute_x / attribute_y

    @shared_property
    def target_progress(self) -> pd.DataFrame:
        """Every catalogue target judged with the review's method, year and region
        (:func:`~plananalysis.engine.targets.assess_targets`); a restating target takes its
        indicator's row of :attr:`progress`."""
        from .engine.targets import assess_targets

        return assess_targets(self.plan, self.observed, as_of=self.params.as_of, method=self.params.method,
                              region=self.params.region, progress=self.progress, verdicts=self.verdicts)

    @shared_property
    def results(self) -> pd.DataFrame:
        """The review's one results table: every headline indicator, then every catalogue target,
        with the status, P, E, q, latest value and year, projection and reason each output shows
        (:func:`~plananalysis.present.results.results_table`); pages, workbook, document and apps
        read it and never work these out again.

        >>> table = review_context(as_of=2023).results
        >>> table["kind"].value_counts().to_dict() == {"indicator": 25, "target": 113}
        True
        """
        from .present.results import results_table

        parts = [results_table(self.progress, self.lang)]
        if self.target_progress is not None and len(self.target_progress):
            parts.append(results_table(self.target_progress, self.lang, kind="target"))
        return pd.concat(parts, ignore_index=True)

    @shared_property
    def snapshot(self) -> pd.DataFrame:
        """The review's snapshot (:func:`~plananalysis.present.changes.snapshot`: its results and
        its tasks' reported status, what ``results.csv`` stores and a comparison reads), built once:
        the front page, ``changes.csv`` and the Word document each compare it.

        >>> review = review_context(as_of=2023)
        >>> review.snapshot is review.for_chapter(9).snapshot, review.snapshot["kind"].iloc[0]
        (True, 'indicator')
        """
        from .present.changes import snapshot

        return snapshot(self)

    @property
    def changes(self) -> pd.DataFrame:
        """What changed since the review this one is compared with (``params.compare``; a final
        review: its mid-term): :func:`~plananalysis.present.changes.compare` of the two
        snapshots; no row when it is compared with nothing.  Worked out at each call: a previous
        run's ``results.csv`` is not among the files a context's cache watches.

        >>> review_context(as_of=2025, compare="2023").changes["change"].iloc[0]
        'verdict'
        """
        from .present.changes import CHANGE_COLUMNS, baseline, compare, read_snapshot

        found = baseline(self)
        if found is None:
            return pd.DataFrame(columns=CHANGE_COLUMNS)
        kind, what = found
        before = (read_snapshot(what) if kind == "previous"
                  else review_context(self.params.replace(as_of=what, chapter=None, compare="")).snapshot)
        return compare(before, self.snapshot, self.lang)

    def indicator_results(self, rows: pd.DataFrame | None = None) -> pd.DataFrame:
        """The results of the headline indicators (of ``rows``, a part of :attr:`progress`, in
        its order).

        >>> review = review_context(as_of=2023)
        >>> review.indicator_results(review.progress.tail(1))["id"].tolist()
        ['work_safety_death_rate']
        """
        table = self.results[self.results["kind"] == "indicator"].set_index("id", drop=False)
        ids = self.progress["indicator_id"] if rows is None else rows["indicator_id"]
        return table.loc[list(ids)].reset_index(drop=True)

    def target_results(self, rows: pd.DataFrame | None = None) -> pd.DataFrame:
        """The results of the catalogue targets (of ``rows``, a part of :attr:`target_progress`)."""
        table = self.results[self.results["kind"] == "target"].set_index("id", drop=False)
        ids = self.target_progress["target_id"] if rows is None else rows["target_id"]
        return table.loc[list(ids)].reset_index(drop=True)

    @shared_property
    def source_counts(self) -> dict:
        """The observed values this review rests on (up to its year) and their distinct sources
        (:func:`~plananalysis.present.results.source_counts`): the one count pages, front page and
        document print.

        >>> review_context(as_of=2023).source_counts["sources"] < review_context(as_of=2025).source_counts["sources"]
        True
        """
        from .present.results import source_counts

        return source_counts(self.observed, self.params.as_of)

    @property
    def value_names(self) -> dict[str, str]:
        """Indicator id or catalogue target id → its name in the report's language (an observed
        value belongs to one or the other)."""
        names = {}
        targets = self.plan.targets
        if len(targets):
            column = "subject_en" if self.lang == "en" else "subject_zh"
            names.update(zip(targets["target_id"], targets[column]))
        names.update(self.indicator_names)
        return names

    @property
    def indicator_names(self) -> dict[str, str]:
        """Indicator id → name in the report's language."""
        table = self.plan.indicators
        return dict(zip(table["indicator_id"], table["name_zh" if self.lang == "zh" else "name_en"]))

    @property
    def lang(self) -> str:
        """The review's language: ``zh`` or ``en``."""
        return self.params.lang

    def t(self, zh: str, en: str) -> str:
        """The text in the report's language."""
        return en if self.lang == "en" else zh

    @property
    def phase_title(self) -> str:
        """中期评估 / 终期评估 (Mid-term / Final review), in the review's language."""
        if self.params.phase == "final":
            return self.t("终期评估", "Final review")
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

    def sources_footer(self, counts: bool = True) -> str:
        """Where the numbers come from, in one paragraph of Markdown (in the report's language).

        ``counts``: with the review's count of observed values and sources (:attr:`source_counts`),
        as the pages that aggregate every value print it; a chapter's page and the
        retrospective leave it to them, so that they do not depend on every value of the review
        (a new value re-runs only the pages that show it, :mod:`plananalysis.reads`).

        >>> review = review_context(as_of=2023, lang="en")
        >>> "observed values from" in review.sources_footer(), "observed values from" in review.sources_footer(counts=False)
        (True, False)
        """
        from .present.glossary import mark_chinese, pick
        from .present.text import escape_text

        doc = self.plan.sources.get("document", {})
        publisher = mark_chinese(pick(doc.get("publisher", ""), self.lang), self.lang)
        title = mark_chinese(doc.get("title", ""), self.lang)
        issued = escape_text(doc.get("issued", ""))
        if counts:
            n_values, n_sources = self.source_counts["values"], self.source_counts["sources"]
            values_zh = f"观测值{n_values}条，来自{n_sources}个公开来源（每条的出处见“数据审计”报告与 scorecard.xlsx）"
            values_en = (f"{n_values} observed values from {n_sources} public sources (each listed in the data audit "
                         f"and scorecard.xlsx)")
        else:
            values_zh = "观测值及其来源见“数据审计”报告与 scorecard.xlsx"
            values_en = "the observed values and their sources are listed in the data audit and scorecard.xlsx"
        return self.t(
            f"---\n数据来源：规划文本《{title}》（{publisher}，{issued}）；{values_zh}。"
            f"缺失数据记为“无数据”，不以零计，也不插值。",
            f"---\nSources: the plan's text, {title} ({publisher}, {issued}); {values_en}. "
            f"Missing data is 'no data': never zero, never interpolated.")

    # ------------------------------------------------------------ overview

    def overview_reads(self) -> list[str]:
        """What the overview page reads (the keys of :attr:`inputs`): it aggregates every
        indicator and target (the vision targets) and counts every observed value up to
        ``as_of``; the plan's tasks it does not show.

        >>> keys = review_context(as_of=2023).overview_reads()
        >>> "observed: sports_area_per_capita 2023" in keys, "observed: sports_area_per_capita 2024" in keys
        (True, False)
        """
        return self._everything_read("plan: indicators", "plan: targets") + self.analyst_text_read("overview")

    def status_counts_view(self) -> pd.DataFrame:
        """Indicators per status as the legend shows them: in the method's order (zeros
        included), headers in the review's language; a status the rows label otherwise (an
        engine label with a year) is counted under the rows' own label.  The counts as a Series:
        :func:`plananalysis.engine.progress.status_counts` of :attr:`progress`.

        >>> review_context(as_of=2023, lang="en").status_counts_view().columns.tolist()
        ['Status', 'Indicators']
        """
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

    def evidence_counts(self) -> dict:
        """How many of the review's verdicts rest on official or department data, on reprints or
        news reports (to be confirmed), on one observed year, on preliminary figures
        (:func:`~plananalysis.engine.progress.evidence_counts`)."""
        from .engine.progress import evidence_counts

        return evidence_counts(self.progress)

    def target_status_counts_view(self) -> pd.DataFrame:
        """Catalogue targets per status label (final and mid-term labels both, as the targets'
        own years give them), best first, zeros left out, headers in the review's language.

        >>> counts = review_context(as_of=2025).target_status_counts_view()
        >>> list(counts.columns), int(counts["目标数"].sum()) == len(review_context(as_of=2025).plan.targets)
        (['评估结论', '目标数'], True)
        """
        from .engine.progress import status_counts

        counts = status_counts(self.target_progress.sort_values(["status_order", "phase"]), self.lang)
        return pd.DataFrame({self.t("评估结论", "Status"): list(counts.index),
                             self.t("目标数", "Targets"): [int(v) for v in counts.values]})

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
        """The chapter of a chapter's review (:class:`~plananalysis.plan.folder.Chapter`); a
        ``ValueError`` for a whole review (use :meth:`for_chapter`)."""
        if self.params.chapter is None:
            raise ValueError("this review has no chapter parameter")
        return self.plan.chapter(self.params.chapter)

    def chapter_reads(self) -> list[str]:
        """What a chapter's page reads (the keys of :attr:`inputs`): the plan's common files, the
        rows of its chapter (indicators, targets, tasks) with the indicators its targets restate,
        their values up to ``as_of``, the number of headline indicators (its paragraph says
        "N of the M"), the package.  Not the review's count of values (its footer leaves that
        to the aggregating pages).

        >>> keys = review_context(as_of=2025, chapter=7).chapter_reads()
        >>> "observed: sports_area_per_capita 2023" in keys, "plan: indicators hospital_beds_per_1000" in keys
        (True, False)
        """
        chapter, slices = self.chapter, self.inputs
        tasks = self.plan.tasks
        task_ids = tasks.loc[tasks["chapter"] == chapter.number, "task_id"] if len(tasks) else []
        targets = chapter.targets
        target_ids = targets["target_id"] if "target_id" in targets.columns else []   # a plan with no catalogue
        return (self._ids_read(chapter.indicators["indicator_id"], target_ids)
                + slices.select("plan: tasks", task_ids) + ["plan: indicators (count)"]
                + slices.files(common_only=True) + slices.code()
                + self.analyst_text_read(f"chapter-{chapter.number:02d}"))

    def chapter_table(self, number: int | None = None) -> pd.DataFrame:
        """A chapter's headline indicators and catalogue targets with their verdicts and the pace
        that would meet them, as one tidy table (:func:`~plananalysis.present.tidy.tidy_table`:
        English column names, ``Int64`` years, ``boolean`` is_met / is_behind; headers in
        Chinese or English from :func:`~plananalysis.present.tidy.labels`).  ``number``: the
        chapter (default: this review's chapter; for a whole review without one, every row).

        >>> table = review_context(as_of=2023).chapter_table(6)
        >>> row = table.set_index("id").loc["doctors_per_1000"]   # no value after 2020: (4.3 − 3.67) / 5
        >>> row["status"], round(float(row["required_pace"]), 3), row["pace_from"]
        ('no_data', 0.126, 'base')
        """
        from .present.tidy import tidy_table

        if number is None and self.params.chapter is not None:
            number = self.params.chapter
        return tidy_table(self, number)

    def chapter_progress(self) -> pd.DataFrame:
        """The engine's rows (:attr:`progress`, every intermediate, the engine's own column names)
        of the chapter's headline indicators; :meth:`chapter_target_progress` those of its
        targets; :meth:`chapter_table` the tidy view of both.

        >>> review_context(as_of=2023, chapter=4).chapter_progress()["indicator_id"].tolist()
        ['urban_new_jobs', 'surveyed_unemployment_rate']
        """
        return self.progress[self.progress["chapter"] == self.chapter.number].reset_index(drop=True)

    def chapter_target_progress(self) -> pd.DataFrame:
        """The engine's rows (:attr:`target_progress`) of the chapter's catalogue targets.

        >>> review_context(as_of=2023, chapter=4).chapter_target_progress()["target_id"].tolist()[:2]
        ['ch04-t01', 'ch04-t02']
        """
        table = self.target_progress
        return table[table["chapter"] == self.chapter.number].reset_index(drop=True)

    def indicator_observed(self, indicator_id: str) -> pd.DataFrame:
        """The observed rows of one indicator in the review's region (every series and year)."""
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

    def chapter_targets_view(self) -> pd.DataFrame:
        """The chapter's catalogue targets as a page shows them (headers in the review's
        language): verdict, latest value and year, source, reason.

        A target that restates a Table 2 indicator takes that indicator's verdict; one without
        data says what is needed and from whom (:func:`~plananalysis.present.targets.targets_view`).

        >>> view = review_context(as_of=2023, chapter=4).chapter_targets_view().set_index("编号")
        >>> view.loc["ch04-t06", ["评估结论", "最新值"]].tolist()
        ['基本符合预期', '11万人']
        """
        from .present.targets import targets_view

        return targets_view(self.chapter_target_progress(), self.lang)


    def chapter_targets_lacking(self) -> str:
        """Which of the chapter's targets still lack data, and from whom (Markdown).

        >>> print(review_context(as_of=2023, chapter=14).chapter_targets_lacking())
        尚无评估结论的目标（1项），需以下单位提供数据：
        - 省财政厅：ch14-t01 新增财力用于民生的比例（2020–2023年）
        """
        from .present.targets import lacking_sentence

        return lacking_sentence(self.chapter_target_progress(), self.lang)

    def chapter_target_charts(self) -> list:
        """The charts of the chapter's targets with at least two points up to ``as_of`` (a
        restated indicator already charted among the chapter's indicators is not drawn twice).

        >>> len(review_context(as_of=2025, chapter=4).chapter_target_charts()) >= 1
        True
        """
        from .present.targets import chart_targets

        shown = set(self.chapter_progress()["indicator_id"])
        return [self.target_trajectory(t) for t in chart_targets(self.chapter_target_progress(), shown)]

    def chapter_target_chart_items(self) -> list:
        """``(chart, data, name)`` for each chapter target drawn by :meth:`chapter_target_charts`: the
        chart, the values it plots (the CSV beside it) and a file name.

        >>> items = review_context(as_of=2025, chapter=4).chapter_target_chart_items()
        >>> [name for _, _, name in items][:1]
        ['target-ch04-t06']
        """
        from .present.targets import chart_targets

        shown = set(self.chapter_progress()["indicator_id"])
        rows = self._target_rows
        columns = ["year", "value", "qualifier", "unit", "series", "source_title", "source_url"]
        items = []
        for target_id in chart_targets(self.chapter_target_progress(), shown):
            data = rows[rows["indicator_id"] == target_id].reindex(columns=columns)
            items.append((self.target_trajectory(target_id), data, f"target-{target_id}"))
        return items

    def target_trajectory(self, target_id: str):
        """The chart of one catalogue target (its indicator's, for a restating target), with the
        values up to ``as_of``.

        >>> chart = review_context(as_of=2025).target_trajectory("ch04-t06")
        >>> chart.to_dict()["title"]["text"]
        '帮扶困难人员实现就业'
        """
        from .present.targets import target_chart

        row = self.target_progress.set_index("target_id").loc[target_id].to_dict()
        if row["indicator_id"]:
            return self.trajectory(row["indicator_id"])
        rows = self._target_rows
        spec = self._target_specs.loc[target_id].to_dict()
        spec["indicator_id"] = target_id
        return target_chart(spec, row, rows[rows["indicator_id"] == target_id], lang=self.lang)

    @shared_property
    def _target_rows(self) -> pd.DataFrame:
        """The catalogue targets' own observed rows of the review's region up to ``as_of``
        (:func:`~plananalysis.engine.targets.target_observed`), what their charts plot: worked out
        once per review, not once per chart."""
        from .engine.targets import target_observed

        rows = target_observed(self.observed)
        return rows[(rows["region"] == self.params.region) & (rows["year"] <= self.params.as_of)]

    @shared_property
    def _target_specs(self) -> pd.DataFrame:
        """The engine's rows of the catalogue targets that restate no indicator, by target id
        (:func:`~plananalysis.engine.targets.target_specs` of the review's region and year), for
        their charts: worked out once per review, not once per chart."""
        from .engine.targets import target_specs

        observed = self.observed[self.observed["region"] == self.params.region]
        return target_specs(self.plan, observed, self.params.as_of).set_index("indicator_id")

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
        """A short paragraph written from the numbers ("本章共有N项量化目标，其中…"); see
        :func:`plananalysis.present.narrative.chapter_narrative`."""
        from .present.narrative import chapter_narrative

        return chapter_narrative(self)

    # ------------------------------------------------------------ 13th plan and audit
    @shared_property
    def retrospective_table(self) -> pd.DataFrame:
        """The previous plan's table judged with the final method (empty when the plan has none)."""
        from .engine.retrospective import retrospective

        if self.plan.previous_indicators.empty:
            return pd.DataFrame()
        return retrospective(self.plan, method="cn-schedule")

    def retrospective(self) -> pd.DataFrame:
        """The previous plan judged at its end (:attr:`retrospective_table`)."""
        return self.retrospective_table

    def retrospective_title(self) -> tuple[str, str]:
        """The retrospective's title in Chinese and English, from ``plan.yml``'s ``previous_plan``."""
        previous = self.plan.info.previous or {}
        label = previous.get("table_label", "")
        return (f"{previous.get('title_zh', '上期规划')}主要指标完成情况回顾" + (f"（{label}）" if label else ""),
                f"{previous.get('title_en', 'The previous plan')} in retrospect")

    def retrospective_reads(self) -> list[str]:
        """What the retrospective page reads (the keys of :attr:`inputs`): the previous plan's
        table, the plan's common files, the package (no observed value of this plan)."""
        slices = self.inputs
        return (slices.select("plan: previous") + slices.files(common_only=True) + slices.code()
                + self.analyst_text_read("retrospective"))

    def data_audit_reads(self) -> list[str]:
        """What the data audit page reads (the keys of :attr:`inputs`): everything up to
        ``as_of`` — every plan row (the requests name tasks' departments), every file."""
        return (self._everything_read("plan: indicators", "plan: targets", "plan: tasks", "plan: previous")
                + self.analyst_text_read("data_audit"))

    @shared_property
    def audit_table(self) -> pd.DataFrame:
        """The consistency audit of the plan's own numbers and the observed data."""
        from .engine.audit import audit

        return audit(self.plan, self.observed, region=self.params.region)

    def audit(self) -> pd.DataFrame:
        """The consistency audit of the plan's own numbers (:attr:`audit_table`)."""
        return self.audit_table

    # ------------------------------------------------------------ old names (docs/reference.md, "Naming")
    status_counts = _renamed("status_counts", "status_counts_view")
    target_status_counts = _renamed("target_status_counts", "target_status_counts_view")
    chapter_targets = _renamed("chapter_targets", "chapter_targets_view")
