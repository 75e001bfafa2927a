"""Multi-homing correction: accounts summed over platforms -> persons."""

import math

import pytest

from analysis import multihoming
from analysis.parameters import ParameterError


def test_correction_divides_by_the_coefficient():
    assert multihoming.correct(337980, 1.27) == pytest.approx(266125.984252, abs=1e-6)
    assert multihoming.correct(10, 1) == 10  # nobody multi-homes: accounts are persons
    assert multihoming.correct(0, 1.5) == 0


@pytest.mark.parametrize("coefficient", [0.5, 0.99, 0])
def test_coefficient_below_one_is_rejected(coefficient):
    with pytest.raises(ParameterError, match="multihoming_coefficient.*must be >= 1"):
        multihoming.correct(100, coefficient)


@pytest.mark.parametrize("total", [-1, math.nan, math.inf])
def test_impossible_totals_are_rejected(total):
    with pytest.raises(ValueError, match="total_accounts must be a finite count >= 0"):
        multihoming.correct(total, 1.27)
