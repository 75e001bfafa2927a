"""The global funnel of Kässi et al. (2021): hand-computed cases, back-calculation, allocation."""

import numpy as np
import pandas as pd
import pytest

from analysis import funnel
from analysis.parameters import ParameterError


def test_hand_computed_funnel():
    # 1,000 profiles, 20 % ever worked, 5 % significantly active, 2 accounts per person
    counts = funnel.workers(1000, 0.2, 0.05, 2.0)
    assert counts == {"registered": 500.0, "active": 100.0, "significantly_active": 25.0}
    table = funnel.table(1000, 0.2, 0.05, 2.0)
    assert table["accounts"].tolist() == [1000, 200, 50]
    assert table["workers"].tolist() == [500, 100, 25]


def test_back_calculated_shares_give_the_published_v4_counts():
    shares = funnel.implied_shares(163e6, 14e6, 3.3e6, 1.83)
    assert shares["share_ever_worked"] == pytest.approx(14 * 1.83 / 163)  # 0.15718
    assert shares["share_significantly_active"] == pytest.approx(3.3 * 1.83 / 163)  # 0.03705
    counts = funnel.workers(163e6, shares["share_ever_worked"], shares["share_significantly_active"], 1.83)
    assert counts["active"] == pytest.approx(14e6) and counts["significantly_active"] == pytest.approx(3.3e6)


def test_workers_are_vectorised():
    counts = funnel.workers(np.array([100.0, 200.0]), 0.5, np.array([0.1, 0.2]), np.array([1.0, 2.0]))
    np.testing.assert_allclose(counts["active"], [50, 50])
    np.testing.assert_allclose(counts["significantly_active"], [10, 20])


@pytest.mark.parametrize("arguments, message", [
    ((1000, 1.2, 0.05, 1.83), "share_ever_worked"),
    ((1000, 0.2, -0.1, 1.83), "share_significantly_active"),
    ((-5, 0.2, 0.05, 1.83), "registered_profiles"),
    ((1000, 0.2, 0.05, 0.9), "multihoming_coefficient"),
    ((np.array([1000.0, 1000.0]), 0.2, 0.05, np.array([1.5, 0.5])), "multihoming_coefficient"),
])
def test_impossible_inputs_name_the_parameter(arguments, message):
    with pytest.raises(ParameterError, match=message):
        funnel.workers(*arguments)


def test_stages_must_be_nested():
    with pytest.raises(ValueError, match="cannot exceed share_ever_worked"):
        funnel.workers(1000, 0.1, 0.2, 1.83)


def test_allocation_by_hand():
    allocated = funnel.allocate(1000, pd.Series({"FRA": 0.25, "ESP": 0.75}))
    assert allocated.to_dict() == {"FRA": 250, "ESP": 750}
    with pytest.raises(ValueError, match="sum to 1"):
        funnel.allocate(1000, pd.Series({"FRA": 0.25, "ESP": 0.5}))
    with pytest.raises(ValueError, match=r"shares must lie in \[0, 1\]"):
        funnel.allocate(1000, pd.Series({"FRA": 1.25, "ESP": -0.25}))
    with pytest.raises(ValueError, match="total must be >= 0"):
        funnel.allocate(-1, pd.Series({"FRA": 1.0}))


def test_versions_table_from_published_figures():
    table = funnel.versions()
    assert table.loc[table.index[0], "active (M)"] == 14
    assert table.loc[table.index[1], "active (M)"] == 19
    assert table["active / registered"].iloc[0] == pytest.approx(14 / 163)


def test_earned_over_1000_is_not_the_significantly_active_definition():
    """The working paper's 2.3 M (> USD 1,000 earned) stays apart from '>= 10 projects or >= USD 1,000'."""
    working_paper = funnel.versions().loc["working paper (ETLA/OII, Mar 2021)"]
    assert working_paper["earned > USD 1,000 (M)"] == 2.3
    assert np.isnan(working_paper["≥ 10 projects or ≥ USD 1,000 (M)"])


def test_monte_carlo_is_centred_on_version_4_without_counting_account_sharing_twice():
    """The shares are back-calculated from v4 with no account-sharing factor, so no factor is drawn:
    the median of the propagated funnel stays at v4's 14 M and 3.3 M (a factor U(1, 1.2) on top gave 15.2 M)."""
    from analysis import parameters, paths, uncertainty

    inputs = uncertainty.load_distributions(paths.PARAMS / "uncertainty-global-online-workers.yaml")
    assert set(inputs) == {"registered_profiles", "share_ever_worked", "share_significantly_active",
                           "multihoming_coefficient"}
    draws = uncertainty.propagate(funnel.workers, inputs, draws=20000, seed=1, bounds=parameters.bounds(inputs))
    assert draws["active"].median() == pytest.approx(14e6, rel=0.02)
    assert draws["significantly_active"].median() == pytest.approx(3.3e6, rel=0.02)


def test_traditions_compare_the_coefficients():
    table = funnel.traditions()
    assert table.loc["multi-homing coefficient"].tolist() == [1.27, 1.83]


@pytest.mark.parametrize("name", ["uncertainty-global-online-workers.yaml", "uncertainty-counting-france.yaml"])
def test_reviewed_input_distributions_stay_in_their_parameter_ranges(name):
    """Every declared distribution has a reason and cannot draw an impossible value (e.g. a share above 1)."""
    from analysis import parameters, paths, uncertainty

    inputs = uncertainty.load_distributions(paths.PARAMS / name)
    assert all(spec.reason for spec in inputs.values())
    draws = uncertainty.propagate(lambda **arrays: arrays, inputs, draws=1000, bounds=parameters.bounds(inputs))
    assert list(draws.columns) == sorted(inputs)


def test_the_funnel_figure_is_titled_a_reconstruction_and_draws_no_bars_on_its_log_axis():
    figure = funnel.plot_funnel(funnel.table(163e6, 0.157, 0.037, 1.83))
    axis = figure.axes[0]
    assert axis.get_title().startswith("Reconstruction of the global funnel")
    assert axis.get_xscale() == "log" and not axis.patches
