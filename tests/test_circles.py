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


def test_back_calculation_finds_integer_totals_for_casual_and_routine_only():
    table = circles.back_calculation({"casual": 266126, "routine": 52337, "very_active": 14903}, 1.27)
    assert table.loc["casual", "times_coefficient"] == pytest.approx(337980.02)
    assert table["nearest_integer"].tolist() == [337980, 66468, 18927]
    assert table.loc["casual", "distance_to_integer"] == pytest.approx(0.02, abs=1e-9)
    assert table.loc["routine", "distance_to_integer"] == pytest.approx(0.01, abs=1e-9)
    assert table.loc["very_active", "distance_to_integer"] == pytest.approx(0.19, abs=1e-9)
    assert table["rounds_back_to_published"].all()


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
    figure = circles.plot_sensitivity(sensitivity, {"a": 1.27, "b": 1.83}, (1.9, 2.0, "band"))
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()][-3:] == ["a", "b", "band"]
