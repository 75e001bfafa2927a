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


# --- segmented trend, Chow test and break scan ---------------------------------------------------

BREAK = 58  # position of 2021-03 in MONTHS (2016-05 + 58 months)
YEARS = STEPS / 12


def _broken_log(level_shift=6.0, before=0.90, after=0.85, start=10.0):
    """log of a series falling 10 % a year, jumping six-fold at 2021-03, then falling 15 % a year."""
    at_break = np.log(start) + np.log(before) * YEARS[BREAK]
    return np.where(STEPS < BREAK, np.log(start) + np.log(before) * YEARS,
                    at_break + np.log(level_shift) + np.log(after) * (YEARS - YEARS[BREAK]))


def _hac_covariance(x, residuals, maxlags):
    """Newey-West by hand: (X'X)^-1 S (X'X)^-1, S with Bartlett weights 1 - l / (L + 1), no n / (n - k)."""
    scores = x * residuals[:, None]
    s = scores.T @ scores
    for lag in range(1, maxlags + 1):
        gamma = scores[lag:].T @ scores[:-lag]
        s += (1 - lag / (maxlags + 1)) * (gamma + gamma.T)
    bread = np.linalg.inv(x.T @ x)
    return bread @ s @ bread


def test_segmented_trend_recovers_a_known_break_exactly():
    trend = demand.segmented_trend(_series(np.exp(_broken_log())), "2021-03")
    assert trend.attrs["break_month"] == "2021-03"
    assert trend["growth_before"] == pytest.approx(-0.10, abs=1e-9)
    assert trend["growth_after"] == pytest.approx(-0.15, abs=1e-9)
    assert trend["level_shift"] == pytest.approx(6.0, rel=1e-9)
    assert trend["slope_before"] == pytest.approx(np.log(0.9), abs=1e-12)
    assert (trend["n_before"], trend["n_after"]) == (58, 42)
    # YYYY-MM-01 and a Timestamp name the same month
    same = demand.segmented_trend(_series(np.exp(_broken_log())), pd.Timestamp("2021-03-01"))
    assert same["level_shift"] == pytest.approx(6.0, rel=1e-9)


def test_a_single_trend_averages_the_fall_and_the_jump_the_segments_do_not():
    """The old summary: one log-linear line through the break. It fits neither segment."""
    series = _series(np.exp(_broken_log()))
    single = demand.log_linear_trend(series)["annual_growth"]
    segmented = demand.segmented_trend(series, "2021-03")
    assert single > 0.05  # a series that only ever falls gets a rising trend from its jump
    assert segmented["growth_before"] < 0 and segmented["growth_after"] < 0
    assert abs(single - segmented["growth_before"]) > 0.1 and abs(single - segmented["growth_after"]) > 0.1


def test_segmented_trend_equals_two_separate_fits_and_hac_by_hand():
    rng = np.random.default_rng(11)
    noise = np.convolve(rng.normal(0, 0.05, 103), np.ones(4) / 2, mode="valid")  # autocorrelated residuals
    log_values = _broken_log() + noise
    trend = demand.segmented_trend(_series(np.exp(log_values)), "2021-03-01", maxlags=12)
    # each segment fitted on its own
    first = np.linalg.lstsq(np.column_stack([np.ones(BREAK), YEARS[:BREAK]]), log_values[:BREAK], rcond=None)[0]
    second_x = np.column_stack([np.ones(100 - BREAK), YEARS[BREAK:] - YEARS[BREAK]])
    second = np.linalg.lstsq(second_x, log_values[BREAK:], rcond=None)[0]
    assert trend["slope_before"] == pytest.approx(first[1], rel=1e-10)
    assert trend["slope_after"] == pytest.approx(second[1], rel=1e-10)
    assert trend["level_shift"] == pytest.approx(np.exp(second[0] - (first[0] + first[1] * YEARS[BREAK])), rel=1e-10)
    # HAC Wald of the two break terms, by hand
    after = (STEPS >= BREAK).astype(float)
    x = np.column_stack([np.ones(100), YEARS, after, after * (YEARS - YEARS[BREAK])])
    beta = np.linalg.lstsq(x, log_values, rcond=None)[0]
    covariance = _hac_covariance(x, log_values - x @ beta, 12)
    wald = beta[2:] @ np.linalg.solve(covariance[2:, 2:], beta[2:])
    assert trend["wald_hac"] == pytest.approx(wald, rel=1e-8)
    assert trend["wald_hac_p"] == pytest.approx(np.exp(-wald / 2), rel=1e-6)  # chi-squared(2) survival
    stderr_after = np.sqrt(covariance[1, 1] + covariance[3, 3] + 2 * covariance[1, 3])
    assert trend["growth_after_lower"] == pytest.approx(np.expm1(second[1] - 1.959964 * stderr_after), rel=1e-5)
    stderr_shift = np.sqrt(covariance[2, 2])
    assert trend["level_shift_upper"] == pytest.approx(np.exp(beta[2] + 1.959964 * stderr_shift), rel=1e-5)


def test_chow_f_from_restricted_and_unrestricted_residual_sums_of_squares():
    rng = np.random.default_rng(3)
    log_values = _broken_log(level_shift=1.3) + rng.normal(0, 0.2, 100)
    trend = demand.segmented_trend(_series(np.exp(log_values)), "2021-03")

    def rss(x, y):
        residuals = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
        return residuals @ residuals

    line = lambda years: np.column_stack([np.ones(len(years)), years])  # noqa: E731
    restricted = rss(line(YEARS), log_values)
    unrestricted = rss(line(YEARS[:BREAK]), log_values[:BREAK]) + rss(line(YEARS[BREAK:]), log_values[BREAK:])
    f = ((restricted - unrestricted) / 2) / (unrestricted / (100 - 4))
    assert trend["chow_f"] == pytest.approx(f, rel=1e-10)
    from scipy import stats
    assert trend["chow_p"] == pytest.approx(stats.f.sf(f, 2, 96), rel=1e-10)
    # no break: the F is small and the scan's largest F is not at a made-up month in particular
    flat = demand.segmented_trend(_series(np.exp(np.log(10) + rng.normal(0, 0.2, 100))), "2021-03")
    assert flat["chow_f"] < 5 and flat["chow_p"] > 0.01


def test_break_month_and_segment_length_are_checked():
    series = _series(np.exp(_broken_log()))
    outside = r"break_month 2030-01 is not inside series 'synthetic' \(2016-05 to 2024-08\)"
    with pytest.raises(ValueError, match=outside):
        demand.segmented_trend(series, "2030-01")
    with pytest.raises(ValueError, match="break_month 2016-05 is not inside"):
        demand.segmented_trend(series, "2016-05-01")
    with pytest.raises(ValueError, match="break_month 2017-01 leaves 8 months before the break and 92 from it in "
                                         "series 'synthetic'; each segment needs at least 24 months"):
        demand.segmented_trend(series, "2017-01")
    with pytest.raises(ValueError, match="break_month 2023-01 leaves 80 months before the break and 20 from it"):
        demand.segmented_trend(series, "2023-01-01")
    for bad in ("2021-03-15", "March", 2021, None, True):
        with pytest.raises(ValueError, match="break_month must be a month, as YYYY-MM or YYYY-MM-01"):
            demand.segmented_trend(series, bad)
    with pytest.raises(ValueError, match="has 40 months; at least 48"):
        demand.segmented_trend(_series(np.ones(40)), "2018-01")
    with pytest.raises(ValueError, match="maxlags must be"):
        demand.segmented_trend(series, "2021-03", maxlags=-1)
    with pytest.raises(ValueError, match="level must be a number in"):
        demand.segmented_trend(series, "2021-03", level=1.5)


def test_break_scan_finds_the_break_and_keeps_24_months_each_side():
    rng = np.random.default_rng(5)
    series = _series(np.exp(_broken_log() + rng.normal(0, 0.05, 100)))
    scan = demand.break_scan(series)
    assert scan.index[0] == pd.Timestamp("2018-05-01") and scan.index[-1] == pd.Timestamp("2022-09-01")
    assert len(scan) == 53  # positions 24 to 76: 24 months before the first, 24 from the last
    assert scan.idxmax() == pd.Timestamp("2021-03-01")
    assert scan.max() == pytest.approx(demand.segmented_trend(series, "2021-03")["chow_f"], rel=1e-10)
    assert demand.break_scan(series, trim=0.3).index[0] == MONTHS[30]
    located = demand.locate_breaks(pd.DataFrame({"a": series, "b": series * 2}))
    assert located["month"].tolist() == ["2021-03", "2021-03"]
    assert located["sup_f"].iloc[0] == pytest.approx(scan.max())
    with pytest.raises(ValueError, match=r"trim must be a number in \[0, 0.5\)"):
        demand.break_scan(series, trim=0.5)


def test_segmented_trends_one_row_per_column():
    frame = pd.DataFrame({"a": np.exp(_broken_log()), "b": np.exp(_broken_log(level_shift=2.0))}, index=MONTHS)
    table = demand.segmented_trends(frame, "2021-03")
    assert table.index.tolist() == ["a", "b"] and table.attrs["break_month"] == "2021-03"
    assert table["level_shift"].tolist() == pytest.approx([6.0, 2.0], rel=1e-9)
    assert table["n_before"].tolist() == [58, 58]


def test_oli_microwork_level_shift_and_the_break_month_rule():
    from analysis import parameters
    levels = demand.levels()
    microwork = demand.segmented_trend(levels["Microwork"], "2021-03", maxlags=12)
    assert 5 < microwork["level_shift"] < 7  # "about six-fold"
    assert microwork["growth_before"] < 0 and microwork["growth_after"] < 0
    assert microwork["wald_hac_p"] < 0.001
    assert demand.break_scan(levels["Microwork"]).idxmax() == pd.Timestamp("2021-03-01")
    # the parameter's admissible months are exactly the months the function accepts on this series
    scan = demand.break_scan(levels["Total"], trim=0)
    first, last = parameters.rule("demand_break_month").dates
    assert (scan.index[0], scan.index[-1]) == (pd.Timestamp(first), pd.Timestamp(last))
    for outside in ("2018-04-01", "2022-10-01"):
        with pytest.raises(ValueError, match="each segment needs at least 24 months"):
            demand.segmented_trend(levels["Total"], outside)


def test_segmented_plot_has_a_log_panel_an_f_panel_and_the_source():
    series = _series(np.exp(_broken_log()), name="Microwork")
    fig = demand.plot_segmented(series, "2021-03", scan=demand.break_scan(series))
    top, bottom = fig.axes
    assert top.get_yscale() == "log" and bottom.get_yscale() == "linear"
    assert len(top.lines) == 4  # series, two segments, break month
    assert any("Online Labour Index" in text.get_text() for text in fig.texts)
    plt.close(fig)
    fig = demand.plot_series(pd.DataFrame({"a": series}), ["a"], "test")
    assert any("Online Labour Index" in text.get_text() for text in fig.texts)
    plt.close(fig)
