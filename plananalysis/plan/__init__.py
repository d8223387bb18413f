"""The plan as data: the folder contract, the tables, the target grammar, the catalogue, the checks.

The names below are imported when first used, so that ``plananalysis.plan.info`` (read by every
command, without pandas) does not pull in the tables.

>>> from plananalysis.plan import load_plan
>>> load_plan().indicator("urbanisation_rate")["target_printed"]
'75左右'
"""

from importlib import import_module

__all__ = ["Plan", "Chapter", "load_plan", "Target", "parse"]

_LAZY = {"Plan": ".folder", "Chapter": ".folder", "load_plan": ".folder", "Target": ".grammar", "parse": ".grammar"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
