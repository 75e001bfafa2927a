"""Checks of scalar function arguments, shared by the method modules.

Each function returns the value converted (to ``float`` or ``int``) or raises ``ValueError``
naming the argument: ``"{name} must be a finite number, got {value!r}"``. Booleans are
refused everywhere (``True`` is an ``int`` to Python, never a count or a share here);
numpy scalars are accepted like Python numbers. Notebook parameters have their own rules,
with sources, in :mod:`analysis.parameters`.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np


def _real(value: object) -> bool:
    """True for a real number that is not a boolean (Python or numpy)."""
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def finite(name: str, value: object) -> float:
    """``value`` as a float if it is a finite real number; NaN, ±inf, booleans and text are refused."""
    if not _real(value) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def whole(name: str, value: object, minimum: int = 0) -> int:
    """``value`` as an int if it is a whole number >= ``minimum``.

    Accepted: ints, numpy integers and whole floats (3.0, as read from a table or YAML);
    refused: booleans, fractions (2.5), NaN, ±inf and text.
    """
    if isinstance(value, Integral) and _real(value):
        number: int | None = int(value)
    elif _real(value) and math.isfinite(value) and float(value).is_integer():
        number = int(value)
    else:
        number = None
    if number is None or number < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return number


def in_range(name: str, value: object, low: float, high: float, *,
             open_low: bool = False, open_high: bool = False) -> float:
    """``value`` as a float in [``low``, ``high``]; ``open_low`` / ``open_high`` exclude that end.

    Anything else, including NaN, booleans and text, gets the same error, which shows the
    interval in the usual notation: "level must be a number in (0, 1), got 1.5".
    """
    if _real(value) and math.isfinite(value):
        number = float(value)
        above = low < number if open_low else low <= number
        below = number < high if open_high else number <= high
        if above and below:
            return number
    interval = f"{'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
    raise ValueError(f"{name} must be a number in {interval}, got {value!r}")


def proportion(name: str, value: object) -> float:
    """``value`` as a float in [0, 1] (a share, which may be 0 or 1)."""
    return in_range(name, value, 0, 1)


def open_unit(name: str, value: object) -> float:
    """``value`` as a float in (0, 1), e.g. a confidence level, a significance level or a power."""
    return in_range(name, value, 0, 1, open_low=True, open_high=True)
