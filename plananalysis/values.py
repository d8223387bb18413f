"""What counts as "no value" in a table cell, for every layer (plan, observed data, engine,
presentation): one definition, so that a blank cell is blank everywhere.

>>> is_blank(None), is_blank(float("nan")), is_blank("  "), is_blank(0), is_blank("nan")
(True, True, True, False, False)
"""

from __future__ import annotations

import pandas as pd

__all__ = ["is_blank", "finite_number"]


def is_blank(value) -> bool:
    """None, ``pd.NA``, NaT, a NaN number, or text that is only white space (the text ``"nan"``
    is a value here; readers' tables treat it as missing too: :func:`plananalysis.present.format.is_missing`).

    >>> import pandas as pd
    >>> [is_blank(v) for v in (pd.NA, pd.NaT, " \t", "0", [])]
    [True, True, True, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):   # a list or an array is a value
        return False


def finite_number(value) -> float:
    """``value`` as a finite float, NaN for anything else (blank, text, infinity): one reading of
    a number cell for the results table and the comparison of two reviews.

    >>> finite_number("7.5"), finite_number(None), finite_number(float("inf")), finite_number("abc")
    (7.5, nan, nan, nan)
    """
    import math

    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x if math.isfinite(x) else math.nan
