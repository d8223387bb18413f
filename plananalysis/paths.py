"""Where the project's files live (standard library only, so light modules can use it)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "data_dir", "SHARED_CONTEXTS"]

ROOT = Path(__file__).resolve().parent.parent
#: The variable naming the folder where ``plananalysis review`` shares each review's context with
#: its kernels and documents process (:func:`plananalysis.context.share_context`); here, not in
#: the context module, so that a worker sets it without importing pandas.
SHARED_CONTEXTS = "PLANANALYSIS_SHARED_CONTEXTS"


def data_dir() -> Path:
    """The project's data folder (``$PLANANALYSIS_DATA_DIR`` overrides it).

    >>> (data_dir() / "settings.yml").is_file()
    True
    """
    override = os.environ.get("PLANANALYSIS_DATA_DIR")
    return Path(override) if override else ROOT / "data"
