"""plananalysis — reviews five-year plans: how far each target has come, whether it will be met, and why.

A plan is a folder of data (``docs/new-plan.md``); the default one is named in ``data/settings.yml``.

Map of the package (data flows left to right):

    data/ → plan, targets (grammar), catalogue → observed → progress, methods,
            retrospective, audit → charts, tables, explore, widgets, review → notebooks, reports, apps

Entry points (each with an example in docs/reference.md; every public function's docstring
has a short ``>>>`` example too, e.g. ``help(plananalysis.engine.progress.assess)``):

- ``load_plan(plan=None)`` — a plan's tables, by id or folder (:mod:`plananalysis.plan.folder`).
- ``parse(text)`` — the target grammar (:mod:`plananalysis.plan.grammar`).
- ``load_observed()`` — observed values with their sources (:mod:`plananalysis.observed.load`).
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
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'plananalysis' has no attribute {name!r}")


def __dir__():
    return __all__
