"""Entry points: the command line, the review runner, the app and lab servers."""

from .. import _lazy_submodules

__getattr__ = _lazy_submodules(__name__)   # plananalysis.run.<module> without an import
