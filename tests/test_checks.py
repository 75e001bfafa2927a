"""Scalar argument checks: what each accepts, what it refuses, and that errors name the argument."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest

from analysis import checks


@pytest.mark.parametrize("value, expected", [
    (3, 3.0), (-2.5, -2.5), (0, 0.0), (np.float64(0.25), 0.25), (np.int64(7), 7.0), (Fraction(1, 4), 0.25),
])
def test_finite_accepts_real_numbers_and_returns_a_float(value, expected):
    result = checks.finite("x", value)
    assert result == expected
    assert type(result) is float


@pytest.mark.parametrize("value", [True, False, np.True_, math.nan, math.inf, -math.inf, np.float64("nan"), "1",
                                   None, 1j, [1.0]])
def test_finite_refuses_booleans_non_finite_values_and_non_numbers(value):
    with pytest.raises(ValueError, match=rf"^ratio must be a finite number, got {re.escape(repr(value))}$"):
        checks.finite("ratio", value)


@pytest.mark.parametrize("value, expected", [
    (3, 3), (3.0, 3), (np.int64(3), 3), (np.uint8(3), 3), (np.float64(3.0), 3), (0, 0), (10**30, 10**30),
])
def test_whole_accepts_ints_numpy_ints_and_whole_floats(value, expected):
    result = checks.whole("n", value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("value", [True, False, np.True_, 2.5, math.nan, math.inf, "3", None, -1, np.int64(-1)])
def test_whole_refuses_booleans_fractions_non_finite_values_and_negatives(value):
    with pytest.raises(ValueError, match=r"^seed must be a whole number >= 0, got "):
        checks.whole("seed", value)


def test_whole_minimum_is_inclusive_and_named_in_the_message():
    assert checks.whole("count", 1, minimum=1) == 1
    assert checks.whole("draws", 100.0, minimum=100) == 100
    with pytest.raises(ValueError, match=r"^count must be a whole number >= 1, got 0$"):
        checks.whole("count", 0, minimum=1)
    with pytest.raises(ValueError, match=r"^draws must be a whole number >= 100, got np.int64\(99\)$"):
        checks.whole("draws", np.int64(99), minimum=100)


def test_in_range_bounds_are_inclusive_unless_opened():
    assert checks.in_range("x", 0, 0, 10) == 0.0
    assert checks.in_range("x", 10, 0, 10) == 10.0
    assert checks.in_range("x", 10, 0, 10, open_low=True) == 10.0
    assert checks.in_range("x", 0, 0, 10, open_high=True) == 0.0
    with pytest.raises(ValueError, match=r"^spread must be a number in \(0, 10\], got 0$"):
        checks.in_range("spread", 0, 0, 10, open_low=True)
    with pytest.raises(ValueError, match=r"^heterogeneity must be a number in \[0, 1\), got 1$"):
        checks.in_range("heterogeneity", 1, 0, 1, open_high=True)
    with pytest.raises(ValueError, match=r"^x must be a number in \[-0.5, 2.5\], got 3$"):
        checks.in_range("x", 3, -0.5, 2.5)


@pytest.mark.parametrize("value", [math.nan, math.inf, True, np.True_, "0.9", None])
def test_in_range_refuses_non_numbers_with_the_range_message(value):
    with pytest.raises(ValueError, match=rf"^level must be a number in \(0, 1\), got {re.escape(repr(value))}$"):
        checks.open_unit("level", value)


def test_proportion_is_closed_and_open_unit_is_open():
    assert checks.proportion("share", 0) == 0.0
    assert checks.proportion("share", 1) == 1.0
    assert checks.proportion("share", np.float64(0.3)) == 0.3
    assert checks.open_unit("level", 0.95) == 0.95
    with pytest.raises(ValueError, match=r"^share must be a number in \[0, 1\], got 1.2$"):
        checks.proportion("share", 1.2)
    for value in (0, 1):
        with pytest.raises(ValueError, match=rf"^level must be a number in \(0, 1\), got {value}$"):
            checks.open_unit("level", value)


def test_messages_name_the_argument_as_given():
    with pytest.raises(ValueError, match=r"^input 'h': parameter 'low' must be a finite number, got 'a'$"):
        checks.finite("input 'h': parameter 'low'", "a")
