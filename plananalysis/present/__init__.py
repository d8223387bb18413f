"""How results look: charts, styled tables."""

from .. import _lazy_submodules

__getattr__ = _lazy_submodules(__name__)   # plananalysis.present.<module> without an import
