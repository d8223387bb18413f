"""Observed values: loading them with their sources, checking a file cell by cell, importing it."""

from .load import load_context, load_observed

__all__ = ["load_observed", "load_context"]

from .. import _lazy_submodules

__getattr__ = _lazy_submodules(__name__)   # plananalysis.observed.<module> without an import
