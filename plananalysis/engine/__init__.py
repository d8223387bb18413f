"""Judging: the method table, the progress engine, the retrospective and the consistency audit."""

from .. import _lazy_submodules

__getattr__ = _lazy_submodules(__name__)   # plananalysis.engine.<module> without an import
