"""Survey kit: textbook intervals, hand-computed power, tests, raking and trend cases, and the bad inputs."""

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower

from analysis import survey

Z975 = 1.959963984540054  # standard normal 97.5 % quantile
Z95 = 1.6448536269514722  # 95 % quantile
Z80 = 0.8416212335729143  # 80 % quantile
H_50_60 = 2 * math.asin(math.sqrt(0.6)) - 2 * math.asin(math.sqrt(0.5))  # Cohen's h, 0.5 -> 0.6


# --- proportion_interval ------------------------------------------------------------------------

def test_wilson_interval_matches_newcombe_and_the_formula():
    # Newcombe (1998), Statist. Med. 17:857-872, Table I: 81/263, score method, 0.2553 to 0.3662.
    interval = survey.proportion_interval(81, 263)
    assert list(interval.index) == ["estimate", "lower", "upper"]
    assert interval["estimate"] == pytest.approx(81 / 263)
    assert interval["lower"] == pytest.approx(0.2553, abs=5e-5)
    assert interval["upper"] == pytest.approx(0.3662, abs=5e-5)
    # Wilson (1927): (x + z²/2 ± z √(x(n - x)/n + z²/4)) / (n + z²).
    x, n, z = 81, 263, Z975
    centre, half = x + z * z / 2, z * math.sqrt(x * (n - x) / n + z * z / 4)
    assert interval["lower"] == pytest.approx((centre - half) / (n + z * z), abs=1e-12)
    assert interval["upper"] == pytest.approx((centre + half) / (n + z * z), abs=1e-12)


def test_clopper_pearson_for_no_successes_has_the_closed_form():
    # Clopper & Pearson (1934); for x = 0 the upper limit solves (1 - p)^n = α/2: 1 - 0.025^(1/10) = 0.3085.
    interval = survey.proportion_interval(0, 10, method="beta")
    assert interval["lower"] == 0
    assert interval["upper"] == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-9)
    assert interval["upper"] == pytest.approx(0.3085, abs=5e-5)


def test_proportion_interval_is_vectorised_and_keeps_the_index():
    successes = pd.Series([81, 0], index=["women", "students"])
    frame = survey.proportion_interval(successes, pd.Series([263, 10], index=["women", "students"]), level=0.9)
    assert list(frame.index) == ["women", "students"]
    assert list(frame.columns) == ["estimate", "lower", "upper"]
    single = survey.proportion_interval(0, 10, level=0.9)
    assert frame.loc["students"].to_numpy() == pytest.approx(single.to_numpy())
    assert frame.loc["women", "upper"] - frame.loc["women", "lower"] < 0.3662 - 0.2553  # 90 % is narrower


@pytest.mark.parametrize(("successes", "total", "kwargs", "message"), [
    (5, 0, {}, "total must be > 0"),
    (11, 10, {}, "successes must be <= total"),
    (2.5, 10, {}, "successes must be whole numbers"),
    (-1, 10, {}, "successes must be whole numbers >= 0"),
    ([1, 2], [10], {}, "same length"),
    (1, 10, {"level": 1.5}, "level must be a number in"),
    (1, 10, {"method": "wald"}, "method must be one of"),
])
def test_proportion_interval_rejects_bad_inputs(successes, total, kwargs, message):
    with pytest.raises(ValueError, match=message):
        survey.proportion_interval(successes, total, **kwargs)


# --- sample sizes -------------------------------------------------------------------------------

def test_sample_size_per_group_by_hand():
    # h = 2 asin √0.6 - 2 asin √0.5 = 0.2013579; Var(ĥ) = 1/n1 + 1/n2, so per group
    # n = 2 ((z_.975 + z_.8)/h)² = 2 (2.801585 / 0.2013579)² = 2 x 193.584 = 387.17 -> 388.
    # (193.6 without the factor 2 is the one-sample size, for a p1 known exactly.)
    assert H_50_60 == pytest.approx(0.2013579, abs=1e-7)
    hand = 2 * ((Z975 + Z80) / H_50_60) ** 2
    assert hand == pytest.approx(387.17, abs=0.01)
    assert survey.sample_size_two_proportions(0.5, 0.6) == math.ceil(hand) == 388
    assert survey.sample_size_two_proportions(0.6, 0.5) == 388  # two-sided: symmetric


def test_sample_size_with_a_ratio_and_one_sided():
    # n1 = (1 + 1/ratio) ((z + z)/h)²: ratio 2 -> 1.5 x 193.584 = 290.38 -> 291 (n2 = 2 n1).
    assert survey.sample_size_two_proportions(0.5, 0.6, ratio=2) == math.ceil(1.5 * ((Z975 + Z80) / H_50_60) ** 2)
    # One-sided uses z_.95: 2 (2.486475 / 0.2013579)² = 304.97 -> 305.
    assert survey.sample_size_two_proportions(0.5, 0.6, alternative="larger") == 305
    assert survey.sample_size_two_proportions(0.6, 0.5, alternative="smaller") == 305
    with pytest.raises(ValueError, match="alternative = 'larger' tests p2 > p1"):
        survey.sample_size_two_proportions(0.6, 0.5, alternative="larger")


def test_sample_size_given_first_between_its_bounds():
    one_sample = ((Z975 + Z80) / H_50_60) ** 2  # 193.58: what a known p1 needs
    # A huge first sample is as good as knowing p1: n2 -> ceil(193.58) = 194.
    assert survey.sample_size_given_first(0.5, 0.6, 10 ** 9) == 194
    # n1 = 1000: n2 = 1 / (1/193.584 - 1/1000) = 240.06 -> 241.
    n2 = survey.sample_size_given_first(0.5, 0.6, 1000)
    assert n2 == math.ceil(1 / (1 / one_sample - 1 / 1000)) == 241
    power = NormalIndPower().power  # the reference: n2 reaches 80 %, n2 - 1 does not
    assert power(H_50_60, 1000, 0.05, ratio=n2 / 1000) >= 0.8 > power(H_50_60, 1000, 0.05, ratio=(n2 - 1) / 1000)
    # Equal groups need 388 each, so 388 first leaves a bit less for the second.
    assert survey.sample_size_given_first(0.5, 0.6, 388) == 387
    # A first sample below the one-sample bound cannot reach 80 % whatever the second.
    assert survey.sample_size_given_first(0.5, 0.6, 193) == math.inf


def test_detectable_difference_by_hand_and_as_inverse_of_sample_size():
    # p1 = 0.5: p2 = sin²(π/4 + h/2) = (1 + sin h)/2, with h = (z + z) √(2/388) = 0.201142: d = 0.099894.
    h = (Z975 + Z80) * math.sqrt(2 / 388)
    assert survey.detectable_difference(0.5, 388, 388) == pytest.approx(math.sin(h) / 2, abs=1e-6)
    for p1 in (0.1, 0.435, 0.561):
        for n1, n2 in ((388, 388), (1000, 3000), (1000, 250)):
            d = survey.detectable_difference(p1, n1, n2)
            assert d > 0
            assert survey.sample_size_two_proportions(p1, p1 + d, ratio=n2 / n1) == n1
            # and it is the smallest: a slightly smaller difference needs more than n1
            assert survey.sample_size_two_proportions(p1, p1 + d * (1 - 1e-5), ratio=n2 / n1) == n1 + 1


def test_detectable_difference_edges():
    # A decrease from p1 is, by symmetry, an increase from 1 - p1.
    down = survey.detectable_difference(1 - 0.3, 500, 500)
    assert survey.sample_size_two_proportions(0.3, 0.3 - down) == 500
    assert survey.detectable_difference(0.99, 20, 20) == math.inf  # even p2 = 1 is too close
    assert survey.detectable_difference(1.0, 20, 20) == math.inf


@pytest.mark.parametrize(("call", "message"), [
    (lambda: survey.sample_size_two_proportions(1.2, 0.5), r"p1 must be a number in \[0, 1\]"),
    (lambda: survey.sample_size_two_proportions(0.5, -0.1), r"p2 must be a number in \[0, 1\]"),
    (lambda: survey.sample_size_two_proportions(0.5, 0.5), "p1 and p2 are both 0.5"),
    (lambda: survey.sample_size_two_proportions(0.5, 0.6, alpha=0), r"alpha must be a number in \(0, 1\)"),
    (lambda: survey.sample_size_two_proportions(0.5, 0.6, power=1.2), r"power must be a number in \(0, 1\)"),
    (lambda: survey.sample_size_two_proportions(0.5, 0.6, power=0.04), "power = 0.04 must exceed alpha"),
    (lambda: survey.sample_size_two_proportions(0.5, 0.6, ratio=0), "ratio"),
    (lambda: survey.sample_size_two_proportions(0.5, 0.6, alternative="both"), "alternative must be one of"),
    (lambda: survey.sample_size_given_first(0.5, 0.6, 0), "n1 must be a whole number"),
    (lambda: survey.sample_size_given_first(0.5, 0.6, 100.5), "n1 must be a whole number"),
    (lambda: survey.detectable_difference(math.nan, 100, 100), r"p1 must be a number in \[0, 1\], got nan"),
    (lambda: survey.detectable_difference(0.5, 100, -3), "n2 must be a whole number"),
    (lambda: survey.detectable_difference(0.5, 100, 100, alpha=1), "alpha must be a number in"),
])
def test_power_functions_name_the_bad_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- compare_proportions / compare_distributions ------------------------------------------------

def test_compare_proportions_by_hand_with_holm():
    table = pd.DataFrame({"variable": ["same", "fewer", "more", "slightly"], "count1": [50, 30, 50, 40],
                          "n1": [100] * 4, "count2": [50, 50, 30, 50], "n2": [100] * 4})
    result = survey.compare_proportions(table)
    assert list(result.index) == ["same", "fewer", "more", "slightly"]
    # 30/100 vs 50/100: pooled p = 0.4, z = -0.2 / √(0.4 x 0.6 x 2/100) = -2.886751, p = 0.003892.
    fewer = result.loc["fewer"]
    assert fewer["difference"] == pytest.approx(-0.2)
    assert fewer["z"] == pytest.approx(-2.886751, abs=1e-6)
    assert fewer["p_value"] == pytest.approx(0.003892, abs=1e-6)
    assert fewer["standardized_difference"] == pytest.approx(-0.2 / math.sqrt((0.21 + 0.25) / 2))  # -0.417
    assert result.loc["more", "z"] == pytest.approx(2.886751, abs=1e-6)
    assert result.loc["same", "z"] == 0 and result.loc["same", "p_value"] == 1
    # 40/100 vs 50/100: pooled p = 0.45, z = -0.1 / √(0.45 x 0.55 x 2/100) = -1.421338, p = 0.155218.
    assert result.loc["slightly", "p_value"] == pytest.approx(0.155218, abs=1e-6)
    # Holm, smallest p first, multiplied by 4, 3, 2, 1 and never decreasing: 4 x 0.003892 = 0.015570,
    # 3 x 0.003892 = 0.011677 raised to 0.015570, 2 x 0.155218 = 0.310437, 1 x 1.
    # (Bonferroni would give 0.015570 twice, 0.620873 and 1.)
    assert result["p_holm"].to_numpy() == pytest.approx([1, 0.015570, 0.015570, 0.310437], abs=1e-6)
    assert result["significant"].tolist() == [False, True, True, False]
    assert survey.compare_proportions(table, alpha=0.01)["significant"].tolist() == [False] * 4


def test_compare_proportions_rejects_bad_tables():
    good = {"variable": ["women"], "count1": [56], "n1": [100], "count2": [40], "n2": [80]}
    with pytest.raises(ValueError, match=r"lacks the columns \['n2'\]"):
        survey.compare_proportions(pd.DataFrame(good).drop(columns="n2"))
    with pytest.raises(ValueError, match="'count2' exceeds 'n2' for variables \\['women'\\]"):
        survey.compare_proportions(pd.DataFrame({**good, "count2": [90]}))
    with pytest.raises(ValueError, match="variables \\['women'\\] have the same answer"):
        survey.compare_proportions(pd.DataFrame({**good, "count1": [0], "count2": [0]}))
    with pytest.raises(ValueError, match="appear more than once: \\['women'\\]"):
        survey.compare_proportions(pd.concat([pd.DataFrame(good)] * 2))


def test_compare_distributions_by_hand():
    # [10, 20] vs [20, 10]: every expected count is 15, chi2 = 4 x 5²/15 = 6.667, V = √(6.667/60) = 1/3.
    result = survey.compare_distributions(pd.Series({"yes": 10, "no": 20}), pd.Series({"no": 10, "yes": 20}))
    assert result["chi2"] == pytest.approx(20 / 3)
    assert result["df"] == 1
    assert result["p_value"] == pytest.approx(0.009823, abs=1e-6)  # chi2 sf(6.667, 1 df), no continuity correction
    assert result["cramers_v"] == pytest.approx(1 / 3)
    assert result["min_expected"] == 15
    assert (result["n1"], result["n2"]) == (30, 30)


def test_compare_distributions_refuses_different_categories():
    first = pd.Series({"secondary": 30, "university": 50, "none": 20})
    second = pd.Series({"secundaria": 30, "university": 50, "none": 20})
    with pytest.raises(ValueError, match=r"only in counts1 \['secondary'\], only in counts2 \['secundaria'\]"):
        survey.compare_distributions(first, second)


def test_compare_distributions_rejects_empty_categories_and_bad_counts():
    with pytest.raises(ValueError, match=r"categories \['other'\] are empty in both samples"):
        survey.compare_distributions(pd.Series({"a": 5, "b": 7, "other": 0}), pd.Series({"a": 3, "b": 9, "other": 0}))
    with pytest.raises(ValueError, match=r"counts2 must be whole numbers >= 0; not at \['b'\]"):
        survey.compare_distributions(pd.Series({"a": 5, "b": 7}), pd.Series({"a": 3, "b": -1}))
    with pytest.raises(ValueError, match="counts1 has no respondents"):
        survey.compare_distributions(pd.Series({"a": 0, "b": 0}), pd.Series({"a": 3, "b": 1}))


# --- rake / design effect -----------------------------------------------------------------------

def cells(counts):
    """One row per respondent from {(a, b): number of respondents}."""
    return pd.DataFrame([key for key, n in counts.items() for _ in range(n)], columns=["A", "B"])


MARGINS = {"A": {"a1": 0.3, "a2": 0.7}, "B": {"b1": 0.8, "b2": 0.2}}


def test_rake_an_independent_sample_in_closed_form():
    # Sample shares A: 0.6/0.4, B: 0.5/0.5, independent (cells 6, 6, 4, 4). The raked weights are
    # then (target A share / sample A share) x (target B share / sample B share):
    # a1b1 0.5 x 1.6 = 0.8, a1b2 0.5 x 0.4 = 0.2, a2b1 1.75 x 1.6 = 2.8, a2b2 1.75 x 0.4 = 0.7.
    sample = cells({("a1", "b1"): 6, ("a1", "b2"): 6, ("a2", "b1"): 4, ("a2", "b2"): 4})
    weights = survey.rake(sample, MARGINS)
    expected = sample["A"].map({"a1": 0.5, "a2": 1.75}) * sample["B"].map({"b1": 1.6, "b2": 0.4})
    assert weights.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-12)
    # Kish: n Σw²/(Σw)² = 20 x (6 x 0.64 + 6 x 0.04 + 4 x 7.84 + 4 x 0.49) / 20² = 20 x 37.4 / 400 = 1.87.
    assert survey.design_effect(weights) == pytest.approx(1.87)
    assert survey.effective_sample_size(weights) == pytest.approx(400 / 37.4)  # 10.7 of 20
    # The same margins as counts of a population of 1,000 scale every weight by 1000 / 20.
    counts = {"A": {"a1": 300, "a2": 700}, "B": {"b1": 800, "b2": 200}}
    assert survey.rake(sample, counts).to_numpy() == pytest.approx(50 * expected.to_numpy(), abs=1e-9)


def test_rake_an_associated_sample_reproduces_the_margins():
    sample = cells({("a1", "b1"): 10, ("a1", "b2"): 2, ("a2", "b1"): 3, ("a2", "b2"): 5})
    weights = survey.rake(sample, MARGINS)
    assert weights.sum() == pytest.approx(20)
    for variable, margin in MARGINS.items():
        shares = weights.groupby(sample[variable]).sum() / weights.sum()
        assert shares.to_dict() == pytest.approx(margin, abs=1e-9)
    # Raking weights are a row factor times a column factor: w11 w22 = w12 w21.
    w = weights.groupby([sample["A"], sample["B"]]).first()
    assert w["a1", "b1"] * w["a2", "b2"] == pytest.approx(w["a1", "b2"] * w["a2", "b1"], rel=1e-9)
    # Raking only rescales the base weights: base weights of 2.5 give 2.5 times the weights, and
    # shares then sum to the total base weight, 50.
    scaled = survey.rake(sample.assign(base=2.5), MARGINS, weight_column="base")
    assert scaled.to_numpy() == pytest.approx(2.5 * weights.to_numpy(), rel=1e-9)
    # Base weights already on target come back unchanged.
    again = survey.rake(sample.assign(base=weights), MARGINS, weight_column="base")
    assert again.to_numpy() == pytest.approx(weights.to_numpy(), rel=1e-9)
    with pytest.raises(RuntimeError, match="did not converge in 2 iterations: a weighted margin is still 0.00856"):
        survey.rake(sample, MARGINS, max_iterations=2)


def test_rake_fails_when_the_margins_are_unreachable():
    # Nobody is a1b2 or a2b1: A and B are the same split, which cannot be both 30/70 and 80/20.
    sample = cells({("a1", "b1"): 5, ("a2", "b2"): 5})
    with pytest.raises(RuntimeError, match="did not converge in 100 iterations: a weighted margin is still 0.5 "):
        survey.rake(sample, MARGINS)


@pytest.mark.parametrize(("margins", "message"), [
    ({"A": {"a1": 0.3, "a2": 0.6}, "B": MARGINS["B"]}, "margins for 'B' sum to 1 but those for 'A' to 0.9"),
    ({"A": {"a1": 300, "a2": 700}, "B": {"b1": 800, "b2": 100}},
     "margins for 'B' sum to 900 but those for 'A' to 1000"),
    ({"A": {"a1": 1.0}, "B": MARGINS["B"]}, r"variable 'A': sample categories \['a2'\] have no margin"),
    ({"A": {**MARGINS["A"], "a3": 0.0}, "B": MARGINS["B"]}, r"variable 'A': margins for categories \['a3'\] that no"),
    ({"A": {"a1": 1.2, "a2": -0.2}, "B": MARGINS["B"]}, r"variable 'A': margins for categories \['a2'\] must be > 0"),
    ({"C": {"c": 1.0}}, "variable 'C', which is not a column of sample"),
    ({}, "margins must map variables"),
])
def test_rake_rejects_bad_margins(margins, message):
    sample = cells({("a1", "b1"): 6, ("a1", "b2"): 6, ("a2", "b1"): 4, ("a2", "b2"): 4})
    with pytest.raises(ValueError, match=message):
        survey.rake(sample, margins)


def test_rake_rejects_missing_answers_and_bad_base_weights():
    sample = cells({("a1", "b1"): 6, ("a1", "b2"): 6, ("a2", "b1"): 4, ("a2", "b2"): 4})
    with pytest.raises(ValueError, match="sample column 'B' has 1 missing values"):
        survey.rake(sample.assign(B=sample["B"].where(sample.index > 0)), MARGINS)
    with pytest.raises(ValueError, match=r"weight_column 'base' must hold finite numbers > 0; not in rows \[3\]"):
        survey.rake(sample.assign(base=[1.0] * 3 + [0.0] + [1.0] * 16), MARGINS, weight_column="base")


def test_design_effect_by_hand():
    assert survey.design_effect([3, 3, 3, 3]) == 1
    assert survey.effective_sample_size(np.full(7, 0.4)) == pytest.approx(7)
    # [1, 1, 2, 2]: n Σw²/(Σw)² = 4 x 10 / 36 = 1.111; (Σw)²/Σw² = 36/10 = 3.6.
    assert survey.design_effect(pd.Series([1, 1, 2, 2])) == pytest.approx(10 / 9)
    assert survey.effective_sample_size([1, 1, 2, 2]) == pytest.approx(3.6)
    for bad in ([], [1, -1], [0, 0], [1, math.nan]):
        with pytest.raises(ValueError, match="weights must be finite numbers >= 0"):
            survey.design_effect(bad)


# --- binomial_trend -----------------------------------------------------------------------------

# Odds 1/4 x 2^t, i.e. log-odds -ln 4 + t ln 2: shares 1/5, 1/3, 1/2, 2/3, exact counts of 300,000.
WAVES = pd.DataFrame({"time": [0, 1, 2, 3], "successes": [60000, 100000, 150000, 200000], "total": [300000] * 4})
VARIANCES = 300000 * np.array([1 / 5 * 4 / 5, 1 / 3 * 2 / 3, 1 / 2 * 1 / 2, 2 / 3 * 1 / 3])  # n p (1 - p)


def slope_stderr():
    """1 / √(Σ v (t - t̄)²), t̄ weighted by v: the inverse Fisher information of the slope."""
    t = WAVES["time"].to_numpy()
    centre = (VARIANCES * t).sum() / VARIANCES.sum()
    return 1 / math.sqrt((VARIANCES * (t - centre) ** 2).sum())


@pytest.mark.filterwarnings("ignore:Perfect separation or prediction")  # exact counts are fitted exactly
def test_binomial_trend_recovers_an_exact_slope():
    trend = survey.binomial_trend(WAVES, maxlags=1)
    assert trend["slope"] == pytest.approx(math.log(2), abs=1e-6)
    assert trend["odds_ratio"] == pytest.approx(2, abs=1e-5)
    assert trend["stderr_naive"] == pytest.approx(slope_stderr(), rel=1e-6)  # 0.001859
    assert trend["dispersion"] == pytest.approx(0, abs=1e-9)  # exact expectations: no residual at all
    assert trend["stderr_quasi"] == trend["stderr_naive"]  # underdispersion does not shrink it
    assert trend["stderr_hac"] == pytest.approx(0, abs=1e-6)  # no residual: the sandwich's meat is empty


def test_binomial_trend_reports_overdispersion():
    # Deviations ±300 with Σd = 0 and Σ t d = 0 leave the binomial score equations, hence the fit,
    # unchanged; Pearson chi2 = Σ d²/v = 1.875 + 1.35 + 1.2 + 1.35 = 5.775 on 2 df: dispersion 2.8875.
    deviations = np.array([300, -300, -300, 300])
    trend = survey.binomial_trend(WAVES.assign(successes=WAVES["successes"] + deviations), maxlags=0)
    assert trend["slope"] == pytest.approx(math.log(2), abs=1e-6)
    assert trend["dispersion"] == pytest.approx((deviations ** 2 / VARIANCES).sum() / 2, rel=1e-9)
    assert trend["dispersion"] == pytest.approx(2.8875, rel=1e-9)
    assert trend["stderr_naive"] == pytest.approx(slope_stderr(), rel=1e-6)
    assert trend["stderr_quasi"] == pytest.approx(slope_stderr() * math.sqrt(2.8875), rel=1e-6)
    assert trend["p_value_naive"] < 1e-100


@pytest.mark.parametrize(("counts", "message"), [
    (WAVES.drop(columns="total"), r"lacks the columns \['total'\]"),
    (WAVES.iloc[:2], "at least 2 distinct times and 3 rows"),
    (WAVES.assign(time=[1, 1, 1, 1]), "at least 2 distinct times"),
    (WAVES.assign(time=pd.to_datetime(["2018", "2019", "2020", "2021"])), "column 'time' must hold finite numbers"),
    (WAVES.assign(successes=[1, 2, 400000, 3]), r"'successes' exceeds 'total' in rows \[2\]"),
    (WAVES.assign(total=[10, 0, 10, 10], successes=[1, 0, 2, 3]), r"'total' is 0 in rows \[1\]"),
    (WAVES.assign(successes=0), "0 everywhere"),
    (WAVES.assign(time=[0, 2, 1, 3]), "in time order"),
    (WAVES.assign(time=[0, 1, 1, 3]), "in time order"),
])
def test_binomial_trend_rejects_bad_counts(counts, message):
    with pytest.raises(ValueError, match=message):
        survey.binomial_trend(counts, maxlags=1)


def test_quasi_p_value_follows_the_inflated_standard_error():
    counts = pd.DataFrame({"time": [0, 1, 2, 3], "successes": [10, 30, 45, 70], "total": [100, 100, 100, 100]})
    trend = survey.binomial_trend(counts, maxlags=1)
    z = abs(trend["slope"]) / trend["stderr_quasi"]
    assert trend["p_value_quasi"] == pytest.approx(2 * (1 - __import__("scipy").stats.norm.cdf(z)))
    assert trend["p_value_quasi"] >= trend["p_value_naive"]


# Twelve quarterly waves: shares on a rising logit trend (-1 + 0.4 t) moved by +8 and -8 points in
# runs of three waves -- overdispersed and serially correlated (dispersion 5.7).
RUNS = pd.DataFrame({"time": np.arange(12) / 4,
                     "successes": [70, 78, 86, 48, 55, 68, 120, 111, 114, 95, 109, 102],
                     "total": [200, 210, 220, 190, 200, 230, 250, 220, 215, 240, 260, 230]})


def newey_west_by_hand(counts: pd.DataFrame, lags: int) -> tuple[float, float]:
    """Slope and its Newey-West standard error, from scratch: Newton-Raphson fit, then H⁻¹ S H⁻¹.

    Score of wave t: u_t = x_t (y_t - n_t p_t); Hessian H = Σ n_t p_t (1 - p_t) x_t x_tᵀ;
    S = Σ u_t u_tᵀ + Σ_{l=1..L} (1 - l / (L + 1)) Σ_t (u_t u_{t-l}ᵀ + u_{t-l} u_tᵀ); no n / (n - k) factor.
    """
    x = np.column_stack([np.ones(len(counts)), counts["time"].to_numpy(dtype=float)])
    y, n = counts["successes"].to_numpy(dtype=float), counts["total"].to_numpy(dtype=float)
    beta = np.zeros(2)
    for _ in range(100):
        p = 1 / (1 + np.exp(-x @ beta))
        step = np.linalg.solve(x.T @ (x * (n * p * (1 - p))[:, None]), x.T @ (y - n * p))
        beta += step
        if np.abs(step).max() < 1e-14:
            break
    p = 1 / (1 + np.exp(-x @ beta))
    bread = np.linalg.inv(x.T @ (x * (n * p * (1 - p))[:, None]))
    scores = x * (y - n * p)[:, None]
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        gamma = scores[lag:].T @ scores[:-lag]
        meat += (1 - lag / (lags + 1)) * (gamma + gamma.T)
    return float(beta[1]), float(np.sqrt((bread @ meat @ bread)[1, 1]))


@pytest.mark.parametrize("lags", [0, 1, 3, 11])
def test_hac_standard_error_matches_newey_west_by_hand(lags):
    slope, stderr = newey_west_by_hand(RUNS, lags)
    trend = survey.binomial_trend(RUNS, maxlags=lags)
    assert trend["slope"] == pytest.approx(slope, abs=1e-10)
    assert trend["stderr_hac"] == pytest.approx(stderr, abs=1e-8)
    z = abs(slope) / stderr
    assert trend["p_value_hac"] == pytest.approx(2 * (1 - __import__("scipy").stats.norm.cdf(z)), rel=1e-6)


def test_hac_standard_error_exceeds_the_naive_one_on_an_autocorrelated_series():
    # Ten years of monthly waves of 2,000 responses; the log-odds follow a trend plus an AR(1)
    # deviation with coefficient 0.9: neighbouring months share most of their deviation.
    rng = np.random.default_rng(12)
    months = np.arange(120)
    deviation = np.zeros(120)
    for t in months[1:]:
        deviation[t] = 0.9 * deviation[t - 1] + rng.normal(0, 0.1)
    share = 1 / (1 + np.exp(-(-0.5 + 0.1 * months / 12 + deviation)))
    counts = pd.DataFrame({"time": months / 12, "successes": rng.binomial(2000, share), "total": 2000})
    trend = survey.binomial_trend(counts, maxlags=12)
    assert trend["stderr_hac"] > 5 * trend["stderr_naive"]
    assert trend["stderr_hac"] > 1.5 * trend["stderr_quasi"]  # overdispersion alone understates it too
    assert trend["p_value_hac"] > trend["p_value_quasi"] > trend["p_value_naive"]


def test_binomial_trend_requires_maxlags():
    with pytest.raises(TypeError, match="maxlags"):
        survey.binomial_trend(RUNS)  # no default: the number of lags is a judgement to state


@pytest.mark.parametrize("maxlags", [-1, 12, 13, 2.5, True, "3", None])
def test_binomial_trend_rejects_bad_maxlags(maxlags):
    with pytest.raises(ValueError, match=r"maxlags must be a whole number from 0 to 11"):
        survey.binomial_trend(RUNS, maxlags=maxlags)


def test_an_interval_reaches_zero_and_one_exactly_at_the_ends():
    """Wilson's upper bound at 9 of 9 came out as 1 - 1e-16, below the estimate (found by the property tests)."""
    for method in ("wilson", "beta"):
        assert survey.proportion_interval(9, 9, 0.5, method)["upper"] == 1.0
        assert survey.proportion_interval(0, 9, 0.5, method)["lower"] == 0.0
