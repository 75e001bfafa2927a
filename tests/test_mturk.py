"""MTurk-Tracker aggregates: shares with intervals, countries, ages and earnings, by hand."""

import pandas as pd
import pytest

from analysis import data, mturk, survey


def test_monthly_share_counts_and_interval():
    monthly = pd.DataFrame({"m": ["2018-01-01", "2018-02-01"], "n": [263, 100], "female": [81 / 263, 0.5],
                            "us": [0.7, 0.7], "india": [0.2, 0.2], "other": [0.1, 0.1], "married": [0.4, 0.4],
                            "college": [None, 0.6]})
    women = mturk.monthly_share(monthly, "female")
    assert women["successes"].tolist() == [81, 50]
    assert (round(women["lower"].iloc[0], 4), round(women["upper"].iloc[0], 4)) == (0.2553, 0.3662)  # Newcombe 1998
    assert len(mturk.monthly_share(monthly, "college")) == 1  # not asked in the first month
    with pytest.raises(ValueError, match="variable must be one of"):
        mturk.monthly_share(monthly, "age")


def test_countries_keep_unknown_locations_and_map_retired_codes():
    table = mturk.countries_by_year(pd.DataFrame({"y": [2018, 2018, 2018, 2018], "country": ["ES", "ZZ", "BU", "US"],
                                                  "n": [5, 2, 1, 10], "w": [4, 2, 1, 9]}))
    assert table.set_index("country").loc["BU", "iso3"] == "MMR"
    assert table.set_index("country").loc["ZZ", "name"] == "unknown location"
    by_year = mturk.spanish_speaking_by_year(table)
    assert by_year.loc[2018].tolist()[:3] == [5, 4, 18]
    assert by_year.loc[2018, "share"] == pytest.approx(5 / 18)
    with pytest.raises(ValueError, match=r"\['QQ'\]"):
        mturk.countries_by_year(pd.DataFrame({"y": [2018], "country": ["QQ"], "n": [1], "w": [1]}))


def test_spanish_speaking_years_without_responses_are_zero_not_missing():
    table = mturk.countries_by_year(pd.DataFrame({"y": [2018, 2019], "country": ["ES", "US"], "n": [5, 10],
                                                  "w": [4, 9]}))
    assert mturk.spanish_speaking_by_year(table).loc[2019, "responses_spanish_speaking"] == 0


def test_age_bands_count_implausible_ages_as_dropped():
    yob = pd.DataFrame({"y": [2020] * 4, "year_of_birth": [2000, 1990, 1960, 1910], "n": [10, 30, 10, 5]})
    bands = mturk.age_bands(yob).loc[2020]
    assert (bands["18-24"], bands["25-44"], bands["45+"]) == (0.2, 0.6, 0.2)  # ages 20, 30, 60
    assert bands["responses"] == 50 and bands["dropped"] == 5  # 110 years old
    assert bands["median_age"] == 30


def test_band_midpoints_and_the_open_band():
    income = mturk.band_midpoints("weekly_income_usd", 1.25)
    assert income["$5-$10 per week"] == 7.5
    assert income["More than $500 per week"] == (500 + 625) / 2
    with pytest.raises(ValueError, match="open_band_factor must be >= 1"):
        mturk.band_midpoints("weekly_hours", 0.5)


def test_implied_hourly_earnings_by_hand():
    income = pd.DataFrame({"y": [2018, 2018, 2016], "v": ["$5-$10 per week", "$10-$20 per week", None], "n": [1, 3, 9]})
    hours = pd.DataFrame({"y": [2018, 2018], "v": ["1-2 hours per week", "4-8 hours per week"], "n": [2, 2]})
    result = mturk.implied_hourly_earnings(income, hours, 1.25).loc[2018]
    assert result["mean_weekly_income_usd"] == pytest.approx((7.5 + 3 * 15) / 4)  # 13.125
    assert result["mean_weekly_hours"] == pytest.approx((1.5 * 2 + 6 * 2) / 4)  # 3.75
    assert result["usd_per_hour"] == pytest.approx(13.125 / 3.75)  # 3.5
    unknown = income.assign(v=["$5-$10 per week", "a lot", None])
    with pytest.raises(ValueError, match=r"answer bands not in mturk-bands.yaml: \['a lot'\]"):
        mturk.implied_hourly_earnings(unknown, hours, 1.25)


def test_every_survey_band_has_a_range():
    for name, kind in (("mturk-demographics-cat-weekly-income-from-mturk", "weekly_income_usd"),
                       ("mturk-demographics-cat-time-spent-on-mturk", "weekly_hours")):
        answered = set(data.load(name)["v"].dropna())
        assert answered == set(mturk.band_midpoints(kind, 1.0).index)


def test_band_shares_are_ordered_and_sum_to_one():
    table = pd.DataFrame({"y": [2018, 2018, 2016], "v": ["2-4 hours per week", "Less than 1 hour per week", None],
                          "n": [3, 1, 5]})
    shares = mturk.band_shares(table, "weekly_hours")
    assert list(shares.index) == [2018]  # 2016: question not asked
    assert shares.columns[0] == "Less than 1 hour per week"
    assert shares.loc[2018, "2-4 hours per week"] == 0.75 and shares.loc[2018].sum() == 1


def test_owner_estimates_are_read_from_pop_total():
    """pop_total.csv: 3-6 class mixtures 287,659 / 341,539 / 373,538 / 393,073, rising with the classes."""
    table = mturk.owner_estimates()
    mixtures = table["workers"].iloc[:4]
    assert mixtures.round().tolist() == [287659, 341539, 373538, 393073]
    assert mixtures.is_monotonic_increasing
    assert table.loc["beta-binomial", "note"].startswith("diverges")
    assert (table["source"] == "data owner (pop_total.csv), not recomputed").all()


def test_trend_is_per_year_sorts_the_months_and_passes_maxlags():
    months = pd.date_range("2018-01-01", periods=24, freq="MS")
    responses = pd.Series([1000 + 37 * (i % 5) for i in range(24)])
    successes = pd.Series([400 + 4 * i + (15 if (i // 3) % 2 else -15) for i in range(24)])
    shares = pd.DataFrame({"month": months, "responses": responses, "successes": successes})
    expected = survey.binomial_trend(pd.DataFrame({"time": (months - months[0]).days / 365.25,
                                                   "successes": successes, "total": responses}), 6)
    result = mturk.trend(shares.sample(frac=1, random_state=3), 6)  # shuffled: sorted by month before the HAC
    pd.testing.assert_series_equal(result, expected)
    with pytest.raises(ValueError, match="maxlags must be a whole number from 0 to 23"):
        mturk.trend(shares, 24)


def test_women_trend_on_the_survey_files():
    """The monthly share of women: the HAC error (12 months) is about 23 times the binomial one."""
    women = mturk.monthly_share(data.load("mturk-demographics-monthly"), "female")
    trend = mturk.trend(women, 12)
    assert round(trend["slope"], 4) == -0.0376  # log-odds per year
    assert round(trend["stderr_naive"], 4) == 0.0011
    assert round(trend["stderr_quasi"], 4) == 0.0076
    assert round(trend["stderr_hac"], 4) == 0.0250
    assert trend["p_value_naive"] < 1e-200 and round(trend["p_value_hac"], 2) == 0.13
