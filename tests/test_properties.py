"""Property-based tests (Hypothesis) of the public functions of the counting methods.

For any input, a function returns finite values that keep its invariants (an abundance at
least the number observed, an interval around its estimate, shares in [0, 1]) or raises a
ValueError whose one-line message names the argument at fault. The examples are derived
deterministically (the "compendium" profile in conftest.py: 25 per test, no deadline, no
example database written to the checkout); `pytest tests/test_properties.py
--hypothesis-profile=thorough` tries 1,000 random ones per test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from analysis import capture, circles, funnel, multihoming, pay, survey, uncertainty

ANY_NUMBER = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20))
COUNT = st.integers(0, 10**6)
LEVEL = st.one_of(st.floats(0.5, 0.999), ANY_NUMBER)


def refused(call, *names: str) -> object:
    """``call()``, or None if it raised a one-line ValueError naming one of ``names``."""
    try:
        return call()
    except ValueError as error:
        message = str(error)
        assert message and "\n" not in message, message
        assert any(name in message for name in names), (message, names)
        return None


def is_interval(row: pd.Series, estimate: str = "abundance") -> bool:
    return bool(row["lower"] <= row[estimate] * (1 + 1e-12) and row[estimate] <= row["upper"] * (1 + 1e-12))


@given(n1=COUNT, n2=COUNT, m=COUNT, level=LEVEL, method=st.sampled_from([capture.lincoln_petersen, capture.chapman]))
def test_two_list_estimates_are_at_least_the_units_seen(n1, n2, m, level, method):
    result = refused(lambda: method(n1, n2, m, level), "m", "level", "n1", "n2")
    if result is not None:
        assert np.isfinite(result.to_numpy()).all()
        assert result["abundance"] >= n1 + n2 - m - 1e-9 and is_interval(result)


@given(f1=COUNT, f2=COUNT, extra=COUNT, t=st.one_of(st.just(math.inf), st.integers(2, 500)), level=LEVEL)
def test_chaos_lower_bound_is_at_least_the_units_seen(f1, f2, extra, t, level):
    n = f1 + f2 + extra
    result = refused(lambda: capture.chao_lower_bound(f1, f2, n, t, level), "level", "f1", "f2", "n", "t")
    if result is not None:
        assert result["abundance"] >= n
        if np.isfinite(result["stderr"]):
            assert is_interval(result)


@given(counts=st.lists(st.integers(0, 2000), min_size=7, max_size=7), neg=st.booleans())
def test_closed_models_on_three_lists_keep_n_at_least_the_observed(counts, neg):
    assume(sum(counts) > 0)
    table = pd.DataFrame(capture.all_patterns(3), columns=["A", "B", "C"]).assign(n=counts)
    data = capture.histories(table, freq="n")
    results = refused(lambda: capture.closed_models(data, neg=neg), "m = 0", "no unit")
    if results is not None:
        fitted = results[results["fit_ok"]]
        assert (fitted["abundance"] >= data.counts.sum() - 1e-6).all()
        assert (fitted["deviance"] >= 0).all() and np.isfinite(fitted[["abundance", "deviance"]].astype(float)).all().all()
        assert (results.loc[~results["fit_ok"], "note"] != "").all()  # a failed fit says why


@given(f=st.lists(st.integers(0, 5000), min_size=2, max_size=25), extra=st.integers(0, 20))
def test_closed_models_on_frequencies_keep_n_at_least_the_observed(f, extra):
    assume(sum(f) > 0)
    t = len(f) + extra
    data = capture.frequencies(pd.DataFrame({"k": range(1, len(f) + 1), "f_k": f}), t=max(t, 2))
    results = capture.closed_models(data)
    fitted = results[results["fit_ok"]]
    assert (fitted["abundance"] >= sum(f) - 1e-6).all()
    assert (results.loc[~results["fit_ok"], "note"] != "").all()


@given(k=st.lists(st.integers(-2, 40), min_size=1, max_size=8, unique=True), data=st.data(), level=LEVEL)
def test_multihoming_coefficient_lies_between_the_fewest_and_most_platforms(k, data, level):
    workers = data.draw(st.lists(st.integers(-1, 10**5), min_size=len(k), max_size=len(k)))
    result = refused(lambda: multihoming.coefficient(dict(zip(k, workers)), level), "platforms_used", "level")
    if result is not None:
        used = [key for key, count in zip(k, workers) if count > 0]
        assert min(used) - 1e-9 <= result["coefficient"] <= max(used) + 1e-9
        assert result["lower"] >= 1 and (math.isnan(result["stderr"]) or is_interval(result, "coefficient"))


@given(total=ANY_NUMBER, coefficient=ANY_NUMBER)
def test_correcting_for_multihoming_never_adds_workers(total, coefficient):
    persons = refused(lambda: multihoming.correct(total, coefficient), "total_accounts", "multihoming_coefficient")
    if persons is not None:
        assert 0 <= persons <= total


@given(registrations=ANY_NUMBER, visitors=ANY_NUMBER, coefficient=ANY_NUMBER, share=ANY_NUMBER)
def test_the_three_circles_are_nested(registrations, visitors, coefficient, share):
    table = refused(lambda: circles.three_circles(registrations, visitors, coefficient, share),
                    "registrations_total", "monthly_visitors_total", "multihoming_coefficient", "very_active_share",
                    "nested")
    if table is not None:
        workers = table["workers"]
        assert workers["casual"] >= workers["routine"] >= workers["very_active"] >= 0


@given(registered=ANY_NUMBER, active=ANY_NUMBER, significant=ANY_NUMBER, coefficient=ANY_NUMBER)
def test_implied_shares_are_shares(registered, active, significant, coefficient):
    shares = refused(lambda: funnel.implied_shares(registered, active, significant, coefficient),
                     "registered", "active", "significantly_active", "multihoming_coefficient", "share_")
    if shares is not None:
        assert ((shares >= 0) & (shares <= 1)).all()


@given(total=ANY_NUMBER, weights=st.lists(st.floats(0, 10), min_size=1, max_size=6))
def test_allocation_hands_out_the_whole_total(total, weights):
    assume(sum(weights) > 0)
    shares = pd.Series(weights) / sum(weights)
    allocated = refused(lambda: funnel.allocate(total, shares), "total", "shares")
    if allocated is not None:
        assert allocated.sum() == pytest.approx(total, rel=1e-9, abs=1e-9)


@given(successes=st.integers(-5, 10**6), total=st.integers(-5, 10**6), level=LEVEL,
       method=st.sampled_from(["wilson", "beta"]))
def test_a_proportions_interval_holds_it_within_zero_and_one(successes, total, level, method):
    row = refused(lambda: survey.proportion_interval(successes, total, level, method), "successes", "total", "level")
    if row is not None:
        assert 0 <= row["lower"] <= row["estimate"] <= row["upper"] <= 1


@given(reward=ANY_NUMBER, minutes=ANY_NUMBER, search=st.floats(0, 60), returned=st.floats(0, 0.99))
def test_unpaid_time_only_lowers_the_hourly_pay(reward, minutes, search, returned):
    task = refused(lambda: pay.Task(reward, minutes, search, returned), "task_reward", "task_minutes",
                   "search_minutes", "returned_share")
    if task is not None:
        assert task.effective_hourly <= task.nominal_hourly * (1 + 1e-12)
        assert 0 <= task.unpaid_share < 1
        assert task.reward_for(task.effective_hourly) == pytest.approx(task.reward, rel=1e-9, abs=1e-12)


@given(median=st.floats(1e-3, 1e9), gsd=ANY_NUMBER, draws=st.integers(-10, 5000), level=LEVEL)
def test_a_monte_carlo_interval_holds_its_median(median, gsd, draws, level):
    def run():
        distribution = uncertainty.Distribution("x", "lognormal", {"median": median, "gsd": gsd}, "a test")
        return uncertainty.summarise(uncertainty.propagate(lambda x: {"y": 2 * x}, {"x": distribution},
                                                           draws=draws, seed=1), level)
    summary = refused(run, "gsd", "draws", "level")
    if summary is not None:
        row = summary.loc["y"]
        assert 0 < row["lower"] <= row["median"] <= row["upper"]
