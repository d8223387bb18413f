"""plananalysis — reviews five-year plans: how far each target has come, whether it will be met, and why.

A plan is a folder of data (``docs/new-plan.md``); the default one is named in ``data/settings.yml``.

Map of the package (data flows left to right):

    data/ → plan, targets (grammar), catalogue → observed → progress, methods,
            retrospective, audit → charts, tables, explore, widgets, review → notebooks, reports, apps

Entry points (each with an example in docs/reference.md; every public function's docstring
has a short ``>>>`` example too, e.g. ``help(plananalysis.engine.progress.assess)``):

- ``load_plan(plan=None)`` — a plan's tables, by id or folder (:mod:`plananalysis.plan.folder`).
- ``parse(text)`` — the target grammar (:mod:`plananalysis.plan.grammar`).
- ``review_context(as_of=2023)`` — one review: plan, data and results; ``review.chapter_table(6)`` a
  chapter's indicators and targets with their verdicts as one tidy table, ``labels()`` their
  Chinese and English headers, ``review.what_if(…)`` an assumed value (:mod:`plananalysis.context`).
- ``load_observed()`` — observed values with their sources (:mod:`plananalysis.observed.load`).
- ``add_value(…)``, ``list_values()``, ``undo_last_import()``, ``template_frame()`` — the analyst's own
  values from Python, checked as ``data import`` checks them (:mod:`plananalysis.observed.analyst`).
- ``plananalysis data template`` / ``data import FILE`` — the analyst's own values, checked.
- ``plananalysis.engine.progress`` — ``assess(plan, observed, as_of=2023, method=…)``: verdicts,
  projections and the pace still needed (methods: :mod:`plananalysis.engine.methods`).
- ``plananalysis.engine.retrospective`` and ``plananalysis.engine.audit`` — the 13th plan judged, the plan's
  own numbers checked.
- ``plananalysis.present.charts`` — one Altair theme and one function per chart kind (``trajectory``,
  ``status_matrix``, ``to_svg`` …); ``plananalysis.present.tables.style_progress`` — the coloured table.
- ``plananalysis.explore`` — compare methods, try a what-if value in memory.
- ``plananalysis.widgets`` — the Voilà apps' logic (scorecard, explorer, scenarios).
- ``plananalysis.run.review`` — ``run_review``: the papermill review that writes ``reports/``.
- The ``plananalysis`` command: ``summary``, ``check``, ``review``, ``data``, ``app``, ``lab``
  (``make review``, ``make app``, ``make lab``).

Modules are imported lazily, so ``import plananalysis`` stays fast.

>>> import plananalysis
>>> plananalysis.load_plan().indicator("urbanisation_rate")["name_zh"]
'常住人口城镇化率'
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "load_plan": ("plananalysis.plan.folder", "load_plan"),
    "Plan": ("plananalysis.plan.folder", "Plan"),
    "parse": ("plananalysis.plan.grammar", "parse"),
    "Target": ("plananalysis.plan.grammar", "Target"),
    "load_observed": ("plananalysis.observed.load", "load_observed"),
    "PlanDataError": ("plananalysis.errors", "PlanDataError"),
    "ParseError": ("plananalysis.errors", "ParseError"),
    "review_context": ("plananalysis.context", "review_context"),
    "ReviewContext": ("plananalysis.context", "ReviewContext"),
    "start": ("plananalysis.context", "start"),
    "labels": ("plananalysis.present.tidy", "labels"),
    "add_value": ("plananalysis.observed.analyst", "add_value"),
    "add_values": ("plananalysis.observed.analyst", "add_values"),
    "list_values": ("plananalysis.observed.analyst", "list_values"),
    "undo_last_import": ("plananalysis.observed.analyst", "undo_last_import"),
    "template_frame": ("plananalysis.observed.analyst", "template_frame"),
}

#: the subpackages and modules reachable as attributes (``plananalysis.engine.progress.assess``)
_SUBMODULES = ("plan", "observed", "engine", "present", "publish", "widgets", "run", "context", "explore",
               "params", "errors")

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'plananalysis' has no attribute {name!r}")


def _lazy_submodules(package: str):
    """A package's ``__getattr__`` that imports its modules on first use, so that
    ``plananalysis.engine.progress.assess`` (as in ``help(…)``) works without an import first."""
    def __getattr__(name: str):
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
    return __getattr__


def __dir__():
    return __all__ + list(_SUBMODULES)
