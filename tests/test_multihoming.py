"""Multi-homing correction: accounts summed over platforms -> persons."""

import math

import numpy as np
import pandas as pd
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


def test_coefficient_of_a_hand_distribution():
    # Workers using 1, 1, 1, 2 platforms: h = 5/4, s = 0.5 (n - 1 denominator), se = 0.5/sqrt(4).
    estimate = multihoming.coefficient({1: 3, 2: 1})
    assert list(estimate.index) == ["coefficient", "stderr", "lower", "upper", "workers"]
    assert estimate["coefficient"] == pytest.approx(1.25)
    assert estimate["stderr"] == pytest.approx(0.25)
    assert estimate["lower"] == 1  # 1.25 - 1.96 x 0.25 = 0.76, clipped: nobody uses fewer than one platform
    assert estimate["upper"] == pytest.approx(1.25 + 1.959964 * 0.25, abs=1e-6)
    assert estimate["workers"] == 4


def test_coefficient_accepts_a_series_and_a_level():
    # Workers using 1, 2, 2, 3 platforms: h = 2, s^2 = 2/3, se = sqrt(2/3)/2 = 0.408248.
    estimate = multihoming.coefficient(pd.Series({1: 1, 2: 2, 3: 1}), level=0.9)
    assert estimate["coefficient"] == pytest.approx(2)
    assert estimate["stderr"] == pytest.approx(0.408248, abs=1e-6)
    assert estimate["lower"] == pytest.approx(2 - 1.644854 * 0.408248, abs=1e-5)  # 1.328, not clipped
    assert estimate["upper"] == pytest.approx(2 + 1.644854 * 0.408248, abs=1e-5)


def test_overlap_coefficient():
    assert multihoming.coefficient_from_overlap(100, 50, 20) == pytest.approx(150 / 130)
    assert multihoming.coefficient_from_overlap(100, 50, 0) == 1  # nobody on both
    assert multihoming.coefficient_from_overlap(40, 40, 40) == 2  # everyone on both


def test_overlap_coefficient_turns_accounts_into_people_seen():
    n1, n2, m = 100, 50, 20
    h = multihoming.coefficient_from_overlap(n1, n2, m)
    assert multihoming.correct(n1 + n2, h) == pytest.approx(n1 + n2 - m)  # 130 seen
    assert n1 * n2 / m == 250  # Lincoln-Petersen: people who exist, a different number


@pytest.mark.parametrize(
    "distribution, level, message",
    [
        ({0: 3, 1: 2}, 0.95, r"platforms_used: key 0 "),
        ({1: 3, 2: -1}, 0.95, r"platforms_used\[2\].*must be a whole number >= 0, got -1"),
        ({1: 2.5}, 0.95, r"platforms_used\[1\].*must be a whole number >= 0, got 2.5"),
        ({1: 3}, 1.5, r"level must be a number in \(0, 1\), got 1.5"),
        ({}, 0.95, "platforms_used: no workers"),
        ({1: 0, 2: 0}, 0.95, "platforms_used: no workers"),
    ],
)
def test_coefficient_rejects_bad_inputs(distribution, level, message):
    with pytest.raises(ValueError, match=message):
        multihoming.coefficient(distribution, level=level)


@pytest.mark.parametrize(
    "n1, n2, m, message",
    [
        (100, 50, 120, r"m \(workers on both platforms\) = 120 cannot exceed n1 = 100"),
        (100, 50, 60, r"m \(workers on both platforms\) = 60 cannot exceed"),
        (-1, 50, 0, "n1 must be a whole number >= 0"),
        (100, 50.5, 0, "n2 must be a whole number >= 0"),
        (0, 0, 0, "n1 \\+ n2 - m must be > 0"),
    ],
)
def test_overlap_rejects_bad_inputs(n1, n2, m, message):
    with pytest.raises(ValueError, match=message):
        multihoming.coefficient_from_overlap(n1, n2, m)


SIMULATION = dict(population=5000, platforms=2, mean_catchability=0.3, seed=7, replicates=20)


def test_simulation_is_deterministic_for_a_seed():
    first = multihoming.simulate_heterogeneity(heterogeneity=0.3, **SIMULATION)
    pd.testing.assert_frame_equal(first, multihoming.simulate_heterogeneity(heterogeneity=0.3, **SIMULATION))
    other = multihoming.simulate_heterogeneity(heterogeneity=0.3, **{**SIMULATION, "seed": 8})
    assert not first["naive_sum"].equals(other["naive_sum"])
    assert list(first.columns) == ["replicate", "heterogeneity", "true_population", "people_seen", "naive_sum",
                                   "coefficient_corrected", "lincoln_petersen", "chapman"]


def test_simulation_accounting_identities():
    frame = pd.concat(
        [multihoming.simulate_heterogeneity(heterogeneity=rho, **{**SIMULATION, "platforms": 3}) for rho in (0, 0.5)]
    )
    assert (frame["naive_sum"] >= frame["people_seen"]).all()
    assert (frame["people_seen"] <= frame["true_population"]).all()
    np.testing.assert_allclose(frame["coefficient_corrected"], frame["people_seen"], rtol=1e-12)


def test_two_list_estimators_agree_with_the_counts():
    # With two platforms, naive_sum = n1 + n2 and people_seen = n1 + n2 - m, so m and n1 n2 = LP m are
    # recoverable, and Chapman = (n1 n2 + n1 + n2 + 1) / (m + 1) - 1 follows.
    frame = multihoming.simulate_heterogeneity(heterogeneity=0.2, **SIMULATION)
    m = frame["naive_sum"] - frame["people_seen"]
    chapman = (frame["lincoln_petersen"] * m + frame["naive_sum"] + 1) / (m + 1) - 1
    np.testing.assert_allclose(frame["chapman"], chapman, rtol=1e-12)


def test_lincoln_petersen_is_unbiased_without_heterogeneity_and_low_with_it():
    frame = pd.concat([multihoming.simulate_heterogeneity(heterogeneity=rho, **SIMULATION) for rho in (0, 0.5)])
    summary = multihoming.simulation_summary(frame)
    assert abs(summary.loc[0.0, "lincoln_petersen_bias"]) < 0.02
    assert abs(summary.loc[0.0, "chapman_bias"]) < 0.02
    # Same people easy to catch on both lists inflate m: expected bias 0.09 / 0.195 - 1 = -54 %.
    assert summary.loc[0.5, "lincoln_petersen_bias"] < -0.05
    # Accounts seen, not people existing: with p = 0.3, 1 - 0.7^2 = 51 % of everyone is seen.
    assert summary.loc[0.0, "coefficient_corrected_bias"] == pytest.approx(0.51 - 1, abs=0.02)
    assert summary.loc[0.0, "naive_sum_bias"] == pytest.approx(0.6 - 1, abs=0.02)
    assert summary["replicates"].tolist() == [20, 20]


def test_lincoln_petersen_is_undefined_without_overlap():
    frame = multihoming.simulate_heterogeneity(5, 2, 0.01, 0, seed=1, replicates=3)
    assert frame["lincoln_petersen"].isna().all()  # nobody on both platforms
    assert multihoming.simulation_summary(frame)["lincoln_petersen_undefined"].tolist() == [3]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"population": 0}, "population must be a whole number >= 1"),
        ({"platforms": 1}, "platforms must be >= 2"),
        ({"mean_catchability": 1}, r"mean_catchability must be a number in \(0, 1\)"),
        ({"mean_catchability": 0}, r"mean_catchability must be a number in \(0, 1\)"),
        ({"heterogeneity": 1}, r"heterogeneity must be a number in \[0, 1\)"),
        ({"heterogeneity": -0.1}, r"heterogeneity must be a number in \[0, 1\)"),
        ({"replicates": 0}, "replicates must be a whole number >= 1"),
        ({"seed": -1}, "seed must be a whole number >= 0"),
    ],
)
def test_simulation_rejects_bad_arguments(change, message):
    with pytest.raises(ValueError, match=message):
        multihoming.simulate_heterogeneity(**{**SIMULATION, "heterogeneity": 0, **change})


def test_summary_names_missing_columns():
    with pytest.raises(ValueError, match="frame lacks the simulation columns.*chapman"):
        multihoming.simulation_summary(pd.DataFrame({"replicate": [0]}))
