"""Imputing registrations from web traffic: the fit, the intervals, the totals, the simulation, bad CSVs."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import traffic
from tests.helpers import write_csv

HEADER = ["platform", "monthly_visits", "registered"]


def table(visits: list[float], registered: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame({
        "platform": [f"p{i}" for i in range(len(visits))],
        "monthly_visits": visits,
        "registered": [math.nan if r is None else r for r in registered],
    })


def three_points() -> pd.DataFrame:
    # log x = 0, 1, 2 and log y = 1, 3, 2: slope = 1/2, intercept = 2 - 1/2 = 1.5,
    # residuals -0.5, 1, -0.5, SSR = 1.5 on 1 df.
    return table([1, math.e, math.e**2], [math.e, math.e**3, math.e**2])


def test_points_on_a_line_are_fitted_exactly():
    visits = [1e2, 1e4, 1e6, 1e8]
    model = traffic.fit(table(visits, [math.exp(2 + 0.5 * math.log(v)) for v in visits]))
    assert model.n == 4
    assert model.slope == pytest.approx(0.5, abs=1e-12)
    assert model.intercept == pytest.approx(2, abs=1e-10)
    assert model.rmse == pytest.approx(0, abs=1e-7)
    assert model.smearing == pytest.approx(1, abs=1e-12)


def test_three_points_by_hand_and_by_polyfit():
    platforms = three_points()
    model = traffic.fit(platforms)
    assert (model.slope, model.intercept) == pytest.approx((0.5, 1.5), abs=1e-12)
    slope, intercept = np.polyfit(np.log(platforms["monthly_visits"]), np.log(platforms["registered"]), 1)
    assert (model.slope, model.intercept) == pytest.approx((slope, intercept), abs=1e-12)
    assert model.rmse == pytest.approx(math.sqrt(1.5), abs=1e-12)
    assert model.smearing == pytest.approx((2 * math.exp(-0.5) + math.e) / 3, abs=1e-12)


def test_smearing_is_the_mean_of_exponentiated_residuals():
    model = traffic.fit(traffic.simulate_platforms(40, seed=3))
    assert model.smearing == pytest.approx(np.mean(np.exp(model.results.resid)), rel=1e-12)
    assert model.smearing > 1  # exp is convex and the residuals average zero (Jensen)


def test_rows_without_registrations_are_left_out_of_the_fit():
    with_extra = pd.concat([three_points(), table([1e9], [None]).assign(platform="unreported")], ignore_index=True)
    assert traffic.fit(with_extra).n == 3
    assert traffic.fit(with_extra).slope == pytest.approx(0.5, abs=1e-12)


def test_prediction_interval_matches_the_textbook_formula():
    # At log x0 = 1 (the mean of the logs): half-width t(0.95; 1 df) s sqrt(1 + 1/3).
    model = traffic.fit(three_points())
    row = traffic.impute(model, table([math.e], [None]), level=0.9).iloc[0]
    assert row["predicted"] == pytest.approx(math.exp(2), rel=1e-12)
    half = stats.t.ppf(0.95, 1) * math.sqrt(1.5) * math.sqrt(1 + 1 / 3)
    assert (math.log(row["lower"]), math.log(row["upper"])) == pytest.approx((2 - half, 2 + half), abs=1e-9)


def test_interval_contains_the_prediction_and_widens_away_from_the_data():
    model = traffic.fit(three_points())
    out = traffic.impute(model, table([math.e, math.e**4, math.e**10], [None, None, None]))
    assert (out["lower"] < out["predicted"]).all() and (out["predicted"] < out["upper"]).all()
    log_width = np.log(out["upper"] / out["lower"])
    assert log_width.is_monotonic_increasing and log_width.iloc[2] > 2 * log_width.iloc[0]


def test_a_higher_level_gives_a_wider_interval():
    model = traffic.fit(three_points())
    narrow, wide = (traffic.impute(model, three_points(), level=level) for level in (0.5, 0.95))
    assert (wide["lower"] < narrow["lower"]).all() and (wide["upper"] > narrow["upper"]).all()


def test_impute_uses_reported_values_and_predicts_the_rest():
    platforms = pd.concat([three_points(), table([math.e**4], [None]).assign(platform="new")], ignore_index=True)
    model = traffic.fit(platforms)
    out = traffic.impute(model, platforms)
    assert list(out.columns) == traffic.IMPUTED_COLUMNS
    assert out["imputed"].tolist() == [False, False, False, True]
    assert out["used"].iloc[:3].tolist() == platforms["registered"].iloc[:3].tolist()
    assert out["used"].iloc[3] == pytest.approx(math.exp(1.5 + 0.5 * 4), rel=1e-12)
    smeared = traffic.impute(model, platforms, smearing=True)
    assert smeared["predicted"].to_numpy() == pytest.approx(out["predicted"].to_numpy() * model.smearing)
    assert smeared["used"].iloc[:3].tolist() == out["used"].iloc[:3].tolist()  # reported values stay
    assert smeared["lower"].tolist() == out["lower"].tolist()  # quantiles are not smeared


@pytest.mark.parametrize("level", [0, 1, 1.5, True, "0.9"])
def test_impossible_levels_are_rejected(level):
    model = traffic.fit(three_points())
    with pytest.raises(ValueError, match="level must be a number in"):
        traffic.impute(model, three_points(), level=level)


def test_totals_add_up():
    platforms = traffic.simulate_platforms(30, seed=5)
    out = traffic.impute(traffic.fit(platforms), platforms)
    result = traffic.total(out)
    assert list(result.index) == ["total", "reported", "imputed", "imputed_platforms"]
    assert result["reported"] + result["imputed"] == pytest.approx(result["total"], rel=1e-12)
    assert result["reported"] == pytest.approx(platforms["registered"].sum(), rel=1e-12)
    assert result["imputed"] == pytest.approx(out.loc[out["imputed"], "predicted"].sum(), rel=1e-12)
    assert result["imputed_platforms"] == 12 == platforms["registered"].isna().sum()


def test_total_needs_an_imputed_table():
    with pytest.raises(ValueError, match=r"imputed_table lacks the column\(s\) \['imputed', 'used'\]"):
        traffic.total(three_points())


def test_simulation_is_deterministic_for_a_seed():
    first = traffic.simulate_platforms(50, seed=7)
    pd.testing.assert_frame_equal(first, traffic.simulate_platforms(50, seed=7))
    other = traffic.simulate_platforms(50, seed=8)
    assert not np.allclose(first["monthly_visits"], other["monthly_visits"])
    assert first["platform"].iloc[[0, -1]].tolist() == ["simulated-001", "simulated-050"]
    assert first["registered"].notna().sum() == 30  # round(0.6 x 50)
    assert first["monthly_visits"].between(1e4, 1e9).all()


def test_simulation_recovers_the_true_slope():
    model = traffic.fit(traffic.simulate_platforms(3000, seed=11, slope=0.7))
    assert model.slope == pytest.approx(0.7, abs=0.1)
    assert model.rmse == pytest.approx(0.8, abs=0.1)


@pytest.mark.parametrize("arguments, message", [
    ({"count": 0}, "count must be a whole number >= 1"),
    ({"count": 2.5}, "count must be a whole number >= 1"),
    ({"seed": -1}, "seed must be a whole number >= 0"),
    ({"sigma": -0.1}, "sigma must be >= 0"),
    ({"slope": math.nan}, "slope must be a finite number"),
    ({"reporting_share": 1.2}, r"reporting_share must be a number in \[0, 1\]"),
])
def test_simulation_arguments_are_checked(arguments, message):
    with pytest.raises(ValueError, match=message):
        traffic.simulate_platforms(**({"count": 10, "seed": 1} | arguments))


def test_plot_marks_reported_and_imputed_platforms():
    platforms = traffic.simulate_platforms(20, seed=2)
    model = traffic.fit(platforms)
    fig = traffic.plot_fit(model, traffic.impute(model, platforms), title="SIMULATED platforms")
    ax = fig.axes[0]
    assert "SIMULATED platforms" in [ax.get_title(loc) for loc in ("left", "center", "right")]  # theme puts it left
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert "monthly visits" in ax.get_xlabel() and "registered" in ax.get_ylabel()
    assert len(ax.collections[-1].get_offsets()) == 8  # imputed platforms
    plt.close(fig)


def write(tmp_path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    return write_csv(tmp_path / "platforms.csv", header, rows)


GOOD = [["A", 1e6, 5e5], ["B", 2e7, 3e6], ["C", 4e5, 1e5], ["D", 9e6, ""]]


def test_a_valid_csv_is_read(tmp_path):
    rows = [row + ["a note"] for row in GOOD]
    rows[0][0] = " A "
    platforms = traffic.read_platforms(write(tmp_path, rows, HEADER + ["source"]))
    assert list(platforms.columns) == HEADER
    assert platforms["platform"].tolist() == ["A", "B", "C", "D"]
    assert platforms["registered"].isna().tolist() == [False, False, False, True]
    assert traffic.fit(platforms).n == 3


@pytest.mark.parametrize("rows, header, message", [
    (GOOD, ["platform", "visits", "registered"], r"platforms\.csv: missing column\(s\) \['monthly_visits'\]"),
    (GOOD[:3] + [["D", "many", ""], ["E", "n/a", 1]], HEADER,
     r"platforms\.csv: column 'monthly_visits' is not a finite number on lines 5, 6$"),
    (GOOD + [["E", "", 1]], HEADER, r"platforms\.csv: column 'monthly_visits' is empty on line 6$"),
    (GOOD + [["E", 0, ""], ["F", -3, ""]], HEADER,
     r"platforms\.csv: column 'monthly_visits' must be > 0 but is zero or negative on lines 6, 7$"),
    (GOOD + [["E", 10, -5], ["F", 10, 0]], HEADER,
     r"platforms\.csv: column 'registered' must be > 0 but is zero or negative on lines 6, 7$"),
    (GOOD + [["E", 10, "lots"]], HEADER, r"platforms\.csv: column 'registered' is not a finite number on line 6$"),
    (GOOD + [["B", 10, ""]], HEADER, r"platforms\.csv: column 'platform' repeats \['B'\] on lines 3, 6$"),
    (GOOD + [["", 10, ""]], HEADER, r"platforms\.csv: column 'platform' is empty on line 6$"),
    ([["A", 1e6, ""], ["B", 2e7, ""]], HEADER, r"platforms\.csv: column 'registered' is empty on every row"),
    ([["A", 1e6, 5], ["B", 2e7, ""], ["C", 3e3, 7]], HEADER,
     r"platforms\.csv: column 'registered' is filled on lines 2, 4 only: .* at least 3 platforms"),
    ([["A", 1e6, 5], ["B", 1e6, 6], ["C", 1e6, 7]], HEADER,
     r"platforms\.csv: column 'monthly_visits' is the same on every reporting platform"),
])
def test_bad_csvs_are_explained(tmp_path, rows, header, message):
    with pytest.raises(ValueError, match=message):
        traffic.read_platforms(write(tmp_path, rows, header))


def test_fit_names_rows_of_a_bad_table():
    bad = three_points()
    bad.loc[1, "registered"] = -1
    with pytest.raises(ValueError, match=r"platforms: column 'registered' must be > 0 .* on row 1$"):
        traffic.fit(bad)
