"""The files a review writes: HTML pages, the index, the Excel workbook."""

from .. import _lazy_submodules

__getattr__ = _lazy_submodules(__name__)   # plananalysis.publish.<module> without an import
