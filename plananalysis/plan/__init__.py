"""The plan as data: the folder contract, the tables, the target grammar, the catalogue, the checks.

>>> from plananalysis.plan import load_plan
>>> load_plan().indicator("urbanisation_rate")["target_printed"]
'75左右'
"""

from .folder import Chapter, Plan, load_plan
from .grammar import Target, parse

__all__ = ["Plan", "Chapter", "load_plan", "Target", "parse"]
