"""OLI demand: loaders, log-linear trends with HAC errors, STL, growth rates and employer shares, by hand."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import demand  # noqa: E402

MONTHS = pd.date_range("2016-05-01", periods=100, freq="MS")
STEPS = np.arange(100)  # months since the first


def _series(values, name="synthetic"):
    return pd.Series(values, index=MONTHS[: len(values)], name=name)


def test_exact_exponential_gives_its_annual_growth():
    trend = demand.log_linear_trend(_series(100 * 1.1 ** (STEPS / 12)))
    assert trend["annual_growth"] == pytest.approx(0.10, abs=1e-9)
    assert trend["slope"] == pytest.approx(np.log(1.1), abs=1e-12)
    assert trend["growth_lower"] == pytest.approx(0.10, abs=1e-9) == trend["growth_upper"]
    assert trend["n"] == 100


def test_hac_standard_error_by_hand():
    rng = np.random.default_rng(7)
    noise = np.convolve(rng.normal(0, 0.05, 103), np.ones(4) / 2, mode="valid")  # autocorrelated residuals
    log_values = np.log(50) + 0.08 * STEPS / 12 + noise
    trend = demand.log_linear_trend(_series(np.exp(log_values)), maxlags=12)
    # Newey-West by hand: (X'X)^-1 S (X'X)^-1, S with Bartlett weights 1 - l / (L + 1)
    x = np.column_stack([np.ones(100), STEPS / 12])
    beta = np.linalg.lstsq(x, log_values, rcond=None)[0]
    scores = x * (log_values - x @ beta)[:, None]
    s = scores.T @ scores
    for lag in range(1, 13):
        gamma = scores[lag:].T @ scores[:-lag]
        s += (1 - lag / 13) * (gamma + gamma.T)
    bread = np.linalg.inv(x.T @ x)
    covariance = bread @ s @ bread  # statsmodels applies no n / (n - k) correction by default
    assert trend["slope"] == pytest.approx(beta[1], rel=1e-10)
    assert trend["stderr"] == pytest.approx(np.sqrt(covariance[1, 1]), rel=1e-8)
    assert trend["growth_lower"] == pytest.approx(np.expm1(beta[1] - 1.959964 * trend["stderr"]), rel=1e-5)


def test_trends_one_row_per_column():
    frame = pd.DataFrame({"a": 100 * 1.1 ** (STEPS / 12), "b": 100 * 0.95 ** (STEPS / 12)}, index=MONTHS)
    table = demand.trends(frame)
    assert table.index.tolist() == ["a", "b"]
    assert table.loc["b", "annual_growth"] == pytest.approx(-0.05, abs=1e-9)
    assert table["n"].tolist() == [100, 100]


def test_stl_recovers_a_linear_trend_and_a_twelve_month_season():
    linear = np.log(100) + 0.05 * STEPS / 12
    season = 0.2 * np.sin(2 * np.pi * STEPS / 12)
    parts = demand.decompose(_series(np.exp(linear + season)))
    assert parts.columns.tolist() == ["observed", "trend", "seasonal", "resid"]
    assert parts.index[0] == pd.Timestamp("2016-05-01")
    assert np.allclose(parts["trend"], linear, atol=1e-6)
    assert np.allclose(parts["seasonal"], season, atol=1e-6)
    assert np.allclose(parts["seasonal"].iloc[12:].to_numpy(), parts["seasonal"].iloc[:-12].to_numpy(), atol=1e-6)
    assert np.allclose(parts["observed"], parts["trend"] + parts["seasonal"] + parts["resid"])


def test_growth_between_by_hand():
    doubling = _series(100 * 2 ** (STEPS / 24))
    assert demand.growth_between(doubling, "2016-05", "2018-05") == pytest.approx(np.sqrt(2) - 1, abs=1e-12)
    assert demand.growth_between(doubling, pd.Timestamp("2016-05-01"), "2017-05-01") == pytest.approx(np.sqrt(2) - 1)
    with pytest.raises(ValueError, match="must be after start"):
        demand.growth_between(doubling, "2018-05", "2016-05")
    with pytest.raises(ValueError, match="month 2030-01 is not in the series"):
        demand.growth_between(doubling, "2016-05", "2030-01")


def test_a_missing_month_is_named():
    series = _series(100 * 1.1 ** (STEPS / 12)).drop([pd.Timestamp("2018-03-01"), pd.Timestamp("2018-04-01")])
    with pytest.raises(ValueError, match="series 'synthetic' is not a regular monthly series: missing months 2018-03, 2018-04"):
        demand.log_linear_trend(series)
    with pytest.raises(ValueError, match="missing month 2018-03"):
        demand.decompose(_series(100 * 1.1 ** (STEPS / 12)).drop(pd.Timestamp("2018-03-01")))


def test_bad_values_and_short_series_are_refused():
    values = 100 * 1.1 ** (STEPS / 12)
    values[[3, 7]] = [0, -1]
    with pytest.raises(ValueError, match="must be positive .* months 2016-08, 2016-12"):
        demand.log_linear_trend(_series(values))
    with pytest.raises(ValueError, match="must be positive"):
        demand.decompose(_series(np.where(STEPS == 50, np.nan, 1.0 + STEPS)))
    with pytest.raises(ValueError, match="has 23 months; at least 24"):
        demand.log_linear_trend(_series(np.ones(23)))
    with pytest.raises(ValueError, match="more than one value for month 2016-05"):
        demand.log_linear_trend(pd.Series(1.0, index=pd.DatetimeIndex(["2016-05-01", "2016-05-15"])))
    with pytest.raises(ValueError, match="maxlags must be"):
        demand.log_linear_trend(_series(np.ones(30)), maxlags=30)


def test_loaders_columns_and_first_month():
    levels, shares = demand.levels(), demand.shares()
    occupations = ["Clerical and data entry", "Creative and multimedia", "Microwork", "Professional services",
                   "Sales and marketing support", "Software development and technology", "Writing and translation"]
    assert levels.columns.tolist() == occupations + ["Total"]
    assert shares.columns.tolist() == occupations
    for frame in (levels, shares):
        assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.freqstr == "MS"
        assert frame.index[0] == pd.Timestamp("2016-05-01") and frame.index[-1] == pd.Timestamp("2024-08-01")
        assert len(frame) == 100
    assert levels["Total"].iloc[0] == pytest.approx(100)
    assert np.allclose(levels[occupations].sum(axis=1), levels["Total"], atol=1e-6)
    assert np.allclose(shares.sum(axis=1), 100)
    assert np.allclose(shares, levels[occupations].div(levels["Total"], axis=0) * 100)


def test_pandemic_period_is_two_month_starts_in_order():
    start, end = demand.PANDEMIC
    assert start < end and start.day == end.day == 1


def test_plots_log_axis_shaded_pandemic_and_four_panels():
    frame = pd.DataFrame({"a": 100 * 1.1 ** (STEPS / 12), "b": 50 + STEPS}, index=MONTHS)
    fig = demand.plot_series(frame, ["a", "b"], "test")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2 and len(ax.patches) == 1
    plt.close(fig)
    with pytest.raises(ValueError, match=r"\['c'\]"):
        demand.plot_series(frame, ["c"], "test")
    fig = demand.plot_decomposition(demand.decompose(frame["a"]), "test")
    assert len(fig.axes) == 4
    plt.close(fig)


def test_employer_shares_by_hand_merge_spellings():
    snapshot = pd.DataFrame({
        "country": ["Russia", "Russian Federation", "France", "France", "United States"],
        "occupation": ["Writing", "Writing", "Writing", "Software", "Software"],
        "count": [3, 1, 4, 2, 6],
    })
    shares = demand.employer_shares(snapshot.assign(iso3=["RUS", "RUS", "FRA", "FRA", "USA"]))
    assert shares.index.tolist() == ["FRA", "USA", "RUS"]
    assert shares["vacancies"].tolist() == [6, 6, 4]
    assert shares.loc["RUS", "share"] == pytest.approx(4 / 16)
    assert shares.loc["FRA", "Software"] == pytest.approx(2 / 8)
    assert shares.loc["USA", "Writing"] == 0
    assert np.allclose(shares[["share", "Software", "Writing"]].sum(), 1)
    with pytest.raises(ValueError, match="lacks the columns \\['iso3'\\]"):
        demand.employer_shares(snapshot)


def test_employer_countries_match_every_name_or_say_which_do_not():
    try:
        snapshot = demand.employer_countries()
    except ValueError as error:  # reported, never dropped: the fix is an alias in params/country-names.yaml
        assert str(error).startswith("country names not matched in column 'country': [")
        return
    assert snapshot["iso3"].notna().all() and snapshot["count"].sum() == 62606
    assert snapshot["iso3"].nunique() == 136  # 139 names, three countries spelled two ways
