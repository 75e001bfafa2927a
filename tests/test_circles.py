"""The three circles of micro-work in France, against hand calculations and the paper."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from analysis import circles
from analysis.parameters import ParameterError

# Back-calculated totals and implied share (see the notebook, section 3 and 5).
BACK_CALCULATED = dict(registrations_total=337980.0, monthly_visitors_total=66468.0,
                       multihoming_coefficient=1.27, very_active_share=0.28475)


def test_hand_calculated_circles():
    table = circles.three_circles(1000, 500, 2.0, 0.5)
    assert table["workers"].to_dict() == {"casual": 500, "routine": 250, "very_active": 125}
    assert table["accounts_before_correction"].to_dict() == {"casual": 1000, "routine": 500, "very_active": 250}


def test_back_calculated_totals_give_the_published_circles():
    """Le Ludec, Tubaro & Casilli (2019), abstract: 266,126 / 52,337 / 14,903."""
    workers = circles.three_circles(**BACK_CALCULATED)["workers"]
    assert workers["casual"] == pytest.approx(266125.9843, abs=1e-4)  # 337,980 / 1.27
    assert workers["routine"] == pytest.approx(52337.0079, abs=1e-4)  # 66,468 / 1.27
    assert workers["very_active"] == pytest.approx(14902.963, abs=1e-3)  # x 0.28475
    assert workers.round().tolist() == [266126, 52337, 14903]


def test_kassi_coefficient_shrinks_every_circle_by_the_same_ratio():
    low = circles.three_circles(**BACK_CALCULATED)["workers"]
    high = circles.three_circles(**{**BACK_CALCULATED, "multihoming_coefficient": 1.83})["workers"]
    assert high["casual"] == pytest.approx(184688.5246, abs=1e-4)  # 337,980 / 1.83
    np.testing.assert_allclose(high / low, 1.27 / 1.83)


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"multihoming_coefficient": 0.5}, ParameterError, "multihoming_coefficient' = 0.5 is out of range"),
        ({"registrations_total": -1.0}, ParameterError, "registrations_total' = -1 is out of range"),
        ({"very_active_share": 1.5}, ParameterError, "very_active_share' = 1.5 is out of range"),
        ({"monthly_visitors_total": 400000.0}, ValueError, "nested: monthly_visitors_total"),
    ],
)
def test_impossible_inputs_are_refused(change, error, message):
    with pytest.raises(error, match=message):
        circles.three_circles(**{**BACK_CALCULATED, **change})


def test_admissible_totals_are_the_interval_that_rounds_back_to_each_circle():
    """round(T / 1.27) = c for T in [(c - 1/2) 1.27, (c + 1/2) 1.27): hand-computed bounds."""
    table = circles.admissible_totals({"casual": 266126, "routine": 52337, "very_active": 14903}, 1.27)
    assert table.loc["casual", "lowest_total"] == pytest.approx(337979.385)
    assert table.loc["casual", "highest_total"] == pytest.approx(337980.655)
    assert table["integer_totals"].tolist() == [[337980], [66468], [18927]]
    assert table["nearest"].tolist() == [337980, 66468, 18927]
    for circle, totals in table["integer_totals"].items():
        assert all(round(total / 1.27) == table.loc[circle, "published"] for total in totals)


@pytest.mark.parametrize("circle", [1, 2, 999, 14903, 52337, 266126, 1_000_003])
def test_every_integer_circle_has_an_admissible_integer_total_when_h_exceeds_one(circle):
    """The old 'rounds back to the published circle' test was true of every integer: it proved nothing."""
    for coefficient in (1.01, 1.27, 1.83):
        [totals] = circles.admissible_totals({"c": circle}, coefficient)["integer_totals"]
        assert totals and all(round(total / coefficient) == circle for total in totals)


def test_landing_near_an_integer_is_no_more_likely_if_circles_are_integer_totals():
    """h = 1.27 = 127/100: c·h mod 1 takes each multiple of 0.01 equally often, so 5 of 100 values
    lie within 0.02 of an integer by chance; under the hypothesis c·h - T takes 127 equally likely
    multiples of 0.01 in [-0.635, 0.635), of which 5 lie within 0.02 (hand count): 5/127."""
    rates = circles.near_integer_rates(1.27, within=0.02, circles=range(10_000, 400_000))
    assert rates["by chance (every integer circle)"] == pytest.approx(5 / 100, abs=1e-4)
    assert rates["if circles were integer totals / h"] == pytest.approx(5 / 127, abs=1e-4)


def test_near_integer_rates_refuse_an_impossible_distance():
    with pytest.raises(ValueError, match=r"within must lie in \(0, 0.5\)"):
        circles.near_integer_rates(1.27, within=0.7, circles=range(10, 20))


def test_full_time_equivalents_by_hand():
    """52,337 routine workers × 3 h / 35 h = 4,486.03; 5,000 jobs × 35 h / 52,337 = 3.3437 h each."""
    assert circles.full_time_equivalents(52337, 3.0, 35.0) == pytest.approx(4486.0286, abs=1e-4)
    assert circles.weekly_hours_for(5000, 52337, 35.0) == pytest.approx(3.34372, abs=1e-5)
    assert circles.weekly_hours_for(5000, 266126, 35.0) * 60 == pytest.approx(39.455, abs=1e-3)  # minutes


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: circles.full_time_equivalents(100, -1.0, 35.0), "routine_weekly_hours' = -1 is out of range"),
        (lambda: circles.full_time_equivalents(100, 3.0, 0.0), "full_time_weekly_hours' = 0 is out of range"),
        (lambda: circles.weekly_hours_for(5000, 0, 35.0), "workers must be more than 0"),
    ],
)
def test_impossible_hours_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_definitions_quote_the_abstract_and_name_second_hand_sources():
    table = circles.definitions()
    assert "most of whom are present on these platforms at least once a week" in table.loc["very_active", "abstract_wording"]
    assert table.loc["casual", "indicator_source"].startswith("second-hand")


def test_coefficient_grid_includes_both_ends():
    grid = circles.coefficient_grid(1.0, 2.2, 0.01)
    assert len(grid) == 121 and grid[0] == 1.0 and grid[-1] == 2.2 and 1.27 in grid and 1.83 in grid


def test_coefficient_grid_needs_an_increasing_range():
    with pytest.raises(ValueError, match="coefficient_grid_max .* must exceed coefficient_grid_min"):
        circles.coefficient_grid(2.0, 1.5, 0.1)


def test_sensitivity_is_inversely_proportional_to_the_coefficient():
    table = circles.sensitivity(337980.0, 66468.0, 0.28475, circles.coefficient_grid(1.0, 2.2, 0.1))
    product = (table["workers"] * table["coefficient"]).groupby(table["circle"]).agg(["min", "max"])
    np.testing.assert_allclose(product["min"], product["max"])
    assert product.loc["casual", "min"] == pytest.approx(337980.0)


def test_scenarios_multiply_each_circle():
    workers = circles.three_circles(1000, 500, 1.0, 0.5)["workers"]
    table = circles.scenarios(workers, {"one in ten": 0.1})
    assert table["one in ten"].tolist() == [100, 50, 25]
    with pytest.raises(ParameterError):
        circles.scenarios(workers, {"impossible": 1.1})


def test_platform_table_shows_the_known_and_the_missing():
    table = circles.platform_table()
    assert table.loc["Foule Factory / Wirk", "registered in France"] == "50,000"
    assert "5 other platforms" in table.index  # seven platforms in all, per the critics
    assert (table.loc["5 other platforms"] == "not available").all()


def test_context_table_mixes_computed_and_published():
    workers = circles.three_circles(**BACK_CALCULATED)["workers"]
    table = circles.context_table(workers, ["france.deliveroo_couriers_2018"])
    assert table["kind"].tolist() == ["micro-work, computed here"] * 3 + ["other platform work, published"]
    assert table["workers"].iloc[-1] == 9300


def test_figures_are_drawn():
    workers = circles.three_circles(**BACK_CALCULATED)["workers"]
    figure = circles.plot_circles(workers)
    assert isinstance(figure, Figure) and len(figure.axes[0].patches) == 3
    sensitivity = circles.sensitivity(337980.0, 66468.0, 0.28475, [1.0, 2.0])
    figure = circles.plot_sensitivity(sensitivity, {"a": 1.27, "b": 1.83})
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()][-2:] == ["a", "b"]
    assert not figure.axes[0].patches  # no band for an unverified coefficient
