"""Capture-recapture estimators against Rcapture's printed output, published values and hand calculations.

The reference values come from data/raw/rcapture-benchmarks: every abundance table printed by
Rcapture 1.3-1's examples (expected_rcapture_1.3-1_examples.csv) and the paper values of its own
test suite (expected_published_results.csv). Each row the implemented models cover must agree to
the printed precision.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis import capture, data

GAMMA35 = lambda k: -np.log(3.5 + k) + np.log(3.5)  # noqa: E731  Rcapture's Gamma3.5, as a function


@functools.cache
def histories(name: str, columns: tuple[str, ...] | None = None) -> capture.Histories:
    table = data.load(name)
    freq = "freq" if "freq" in table.columns else None
    if columns is not None:
        table = table[list(columns)]
        table = table[table.sum(axis=1) > 0]  # Rcapture drops units never seen in the chosen occasions
    return capture.histories(table, freq=freq)


@functools.cache
def frequencies(name: str, t: float) -> capture.Frequencies:
    return capture.frequencies(data.load(name), t=t, k="nbcap", f="freq")


def period3() -> capture.Histories:
    return histories("rcapture-mvole", ("c31", "c32", "c33", "c34", "c35"))


def hare_without_all_ones() -> np.ndarray:
    hare = histories("rcapture-hare")
    return np.column_stack([hare.patterns, hare.patterns.sum(axis=1) == 6])


def reproduce(call: str) -> tuple[pd.DataFrame, pd.Series | None]:
    """Our results for one Rcapture call of the examples: (Poisson table by model, profile interval)."""
    hare, hiv = histories("rcapture-hare"), histories("rcapture-hiv")
    bbs, ill = frequencies("rcapture-bbs2001", 50), frequencies("rcapture-ill", math.inf)
    compact = call.replace(" ", "")
    if compact.startswith("closedp.0(BBS2001"):
        return capture.closed_models(bbs, t0=20), None
    if compact.startswith("closedp.0(catb") and "t0=5" in compact:
        return capture.closed_models(frequencies("rcapture-cbird", 11), t0=5), None
    if compact.startswith("closedp.0(catb"):
        return capture.closed_models(frequencies("rcapture-cbird", 11)), None
    if compact.startswith("closedpCI.0(BBS2001") and 'h="Gamma"' in compact:
        return capture.loglinear(bbs, model="Mh Gamma3.5", t0=20), \
            capture.profile_interval(bbs, "Mh Gamma3.5", t0=20)
    if compact.startswith("closedpCI.0(BBS2001"):
        return capture.loglinear(bbs, model="Mh Chao (LB)", t0=20), \
            capture.profile_interval(bbs, "Mh Chao (LB)", t0=20)
    if compact.startswith("closedpCI.t(HIV") and "^2" in compact:
        formula = "(c1+c2+c3+c4)^2"
        return capture.loglinear(hiv, formula, name="Mt double interaction"), capture.profile_interval(hiv, formula=formula)
    if compact.startswith(("closedpCI.t(HIV", "closedp.mX(HIV")):
        name = "Customized model" if compact.startswith("closedp.mX") else "Mt interaction 1,2"
        return capture.loglinear(hiv, ". + c1:c2", name=name), capture.profile_interval(hiv, formula=". + c1:c2")
    if compact in ("closedp.t(hare)", "closedp(hare)"):
        return capture.closed_models(hare), None
    if compact == "closedp.t(period3)":
        return capture.closed_models(period3()), None
    if compact == "closedp.t(X,dfreq=TRUE)":
        return capture.closed_models(histories("rcapture-seber1982-two-sample")), None
    if compact.startswith("closedp.0(ill"):
        return capture.closed_models(ill), None
    if compact.startswith("closedpCI.0(ill"):
        return capture.loglinear(ill, model="Mh Chao (LB)", name="Mh LB"), capture.profile_interval(ill, "Mh Chao (LB)")
    if compact.startswith("closedp.h(period3"):
        return capture.loglinear(period3(), model="Mh", heterogeneity=GAMMA35, name="Mh psi"), None
    if compact.startswith("closedpCI.t(hare,m=\"Mth\""):
        return capture.loglinear(hare, model="Mth Poisson2"), capture.profile_interval(hare, "Mth Poisson2")
    if compact.startswith("closedpCI.t(period3"):
        psi = lambda k: 0.5**k - 1  # noqa: E731
        return capture.loglinear(period3(), model="Mh", heterogeneity=psi, name="Mh psi"), \
            capture.profile_interval(period3(), "Mh", heterogeneity=psi)
    if compact.startswith("closedpCI.t(hare,mX=cbind"):
        design = hare_without_all_ones()
        return capture.loglinear(hare, design=design, name="Mt without 111111"), \
            capture.profile_interval(hare, design=design)
    raise LookupError(call)


NOT_IMPLEMENTED = {"closedp.Mtb(hare)", "closedp.Mtb(period4)"}  # model Mtb: not in the closedp.t set
EXPECTED = data.load("rcapture-expected-examples")
COVERED = EXPECTED[~EXPECTED["call"].isin(NOT_IMPLEMENTED)]


def test_every_example_but_mtb_is_covered():
    assert len(COVERED) == len(EXPECTED) - 2 == 86


@pytest.mark.parametrize("index", COVERED.index, ids=[f"{r.dataset[:12]}|{r.model}|{r.table[:4]}" for r in COVERED.itertuples()])
def test_rcapture_printed_example(index):
    row = EXPECTED.loc[index]
    poisson, interval = reproduce(row["call"])
    if row["table"] == "poisson_loglinear_fit":
        ours = poisson.loc[row["model"]]
        assert ours["abundance"] == pytest.approx(row["abundance"], abs=0.05 + 1e-9)
        # One printed standard error (ill, Mh Gamma3.5: 5496.8) is 0.06 below the fully converged
        # 5496.86 (1.1e-5 relative); so standard errors also get a 2e-5 relative allowance.
        assert ours["stderr"] == pytest.approx(row["stderr"], abs=0.05 + 2e-5 * row["stderr"])
        assert ours["deviance"] == pytest.approx(row["deviance"], abs=0.0005 + 1e-9)
        assert ours["df"] == row["df"]
        assert ours["AIC"] == pytest.approx(row["AIC"], abs=0.0005 + 1e-9)
        assert ours["fit_ok"], ours["note"]
    else:
        assert interval["abundance"] == pytest.approx(row["abundance"], abs=0.05 + 1e-9)
        assert interval["lower"] == pytest.approx(row["InfCL"], abs=0.05 + 1e-9)
        if str(row["SupCL"]).startswith(">"):  # Rcapture: the bound is beyond the search range
            assert not interval["upper_reached"]
            assert interval["upper"] == pytest.approx(float(row["SupCL"][1:]), abs=0.05)
        else:
            assert interval["upper_reached"]
            assert interval["upper"] == pytest.approx(float(row["SupCL"]), abs=0.05 + 1e-9)


# Paper values checked by Rcapture's own test suite (expected_published_results.csv), where covered.
def _r3(formula, heterogeneity=None):
    return capture.loglinear(histories("rcapture-darroch1993-r3"), formula, heterogeneity=heterogeneity).iloc[0]


def _bruno(extra, heterogeneity=None):
    return capture.loglinear(histories("rcapture-bruno1994-diabetes"), extra, heterogeneity=heterogeneity).iloc[0]


BRUNO_MODEL = ". + c1:c3 + c2:c4 + c3:c4"
PUBLISHED = [
    # (dataset, model as in the file, our fit, abundance, stderr, deviance, df, tolerance on N, tolerance on dev)
    ("darroch1993_R3", "saturated loglinear (c1+c2+c3)^2", lambda: _r3("(c1+c2+c3)^2"), 1240, 451, None, None, 0.5, None),
    ("darroch1993_R3", "Mt + c1:c3 removed: mX=~.+c1:c2+c2:c3", lambda: _r3(". + c1:c2 + c2:c3"), 850, 186, 3.8, 1, 0.5, 0.05),
    ("darroch1993_R3", "LB heterogeneity + c1:c2", lambda: _r3(". + c1:c2", "Chao"), 681, 78, 3.45, 1, 0.5, 0.005),
    ("darroch1993_R3", "Darroch heterogeneity + c1:c2", lambda: _r3(". + c1:c2", "Darroch"), 1181.8, 404.2, None, None, 0.05, None),
    ("bruno1994_diabetes", "Bruno et al. model (c1+c2+c3+c4)^2 - c1:c4",
     lambda: _bruno(". + c1:c2 + c1:c3 + c2:c3 + c2:c4 + c3:c4"), 2771, 145, 7.62, 5, 0.5, 0.005),
    ("bruno1994_diabetes", "Mt + c1:c3 + c2:c4 + c3:c4 (no heterogeneity)", lambda: _bruno(BRUNO_MODEL), 2472, 53, 21.97, 7, 0.5, 0.005),
    ("bruno1994_diabetes", "same + LB heterogeneity", lambda: _bruno(BRUNO_MODEL, "Chao"), 2588, 75, 3.13, 6, 0.5, 0.005),
    ("bruno1994_diabetes", "same + Poisson2 heterogeneity", lambda: _bruno(BRUNO_MODEL, "Poisson2"), 2573, 76, 12.88, 6, 0.5, 0.005),
    ("bruno1994_diabetes", "same + Darroch heterogeneity", lambda: _bruno(BRUNO_MODEL, "Darroch"), 2752, 133, 8.32, 6, 0.5, 0.005),
    ("bruno1994_diabetes", "same + Gamma3.5 heterogeneity", lambda: _bruno(BRUNO_MODEL, "Gamma3.5"), 2964, 219, 6.74, 6, 0.5, 0.005),
    ("bruno1994_diabetes", "same + Gamma0.5 heterogeneity",
     lambda: _bruno(BRUNO_MODEL, lambda k: -np.log(0.5 + k) + np.log(0.5)), 4238, 952, 5.49, 6, 0.5, 0.005),
    ("hare", "Mth Darroch (homogeneous two-factor association)",
     lambda: capture.closed_models(histories("rcapture-hare")).loc["Mth Darroch"], 90.5, None, 50.7, 55, 0.05, 0.05),
    ("hare", "M0 (Cormack 1989 Table 4)", lambda: capture.closed_models(histories("rcapture-hare")).loc["M0"], 75.4, None, None, None, 0.05, None),
    ("hare", "Mt (Cormack 1989 Table 4)", lambda: capture.closed_models(histories("rcapture-hare")).loc["Mt"], 75.1, None, None, None, 0.05, None),
    ("cormack2000_4lists", "Mt (independence)", lambda: capture.loglinear(histories("rcapture-cormack2000-4lists"), ".").iloc[0],
     215, None, 87.1, 10, 0.5, 0.05),
    ("cormack2000_4lists", "Mt + c3:c4", lambda: capture.loglinear(histories("rcapture-cormack2000-4lists"), ". + c3:c4").iloc[0],
     215, None, None, 9, 0.5, None),
    ("cormack2000_4lists", "Mt + c3:c4 + c1:c3",
     lambda: capture.loglinear(histories("rcapture-cormack2000-4lists"), ". + c3:c4 + c1:c3").iloc[0], None, None, 7.7, 8, None, 0.05),
    ("cormack2000_4lists", "Mt + c1:c2 + c1:c3 + c3:c4",
     lambda: capture.loglinear(histories("rcapture-cormack2000-4lists"), ". + c1:c2 + c1:c3 + c3:c4").iloc[0], 218, None, 2.6, 7, 0.5, 0.05),
    ("cormack2000_3lists", "Mt (independence)", lambda: capture.loglinear(histories("rcapture-cormack2000-3lists"), ".").iloc[0],
     209, None, 75.1, 3, 0.5, 0.05),
    ("cormack2000_3lists", "Mt + c2:c3", lambda: capture.loglinear(histories("rcapture-cormack2000-3lists"), ". + c2:c3").iloc[0],
     None, None, 1.2, 2, None, 0.05),
    ("cormack2000_3lists", "Mt + c1:c2 + c2:c3",
     lambda: capture.loglinear(histories("rcapture-cormack2000-3lists"), ". + c1:c2 + c2:c3").iloc[0], None, None, 0.6, 1, None, 0.05),
    ("cormack2000_3lists", "Mt + c1:c3 + c2:c3",
     lambda: capture.loglinear(histories("rcapture-cormack2000-3lists"), ". + c1:c3 + c2:c3").iloc[0], 233, None, None, 1, 0.5, None),
    ("cormack2000_3lists", "saturated (c1+c2+c3)^2",
     lambda: capture.loglinear(histories("rcapture-cormack2000-3lists"), "(c1+c2+c3)^2").iloc[0], None, None, 0, 0, None, 0.05),
    ("cbird (catbird)", "M0, t=11", lambda: capture.closed_models(frequencies("rcapture-cbird", 11)).loc["M0"],
     None, None, 8.05, None, None, 0.005),
    ("bunting", "Mt (closed, ignores openness)", lambda: capture.loglinear(histories("rcapture-bunting"), ".").iloc[0],
     None, None, 854.2, 246, None, 0.05),
    ("duck", "Mt", lambda: capture.loglinear(histories("rcapture-duck"), ".").iloc[0], None, None, 655.2, 56, None, 0.05),
]


@pytest.mark.parametrize("dataset, model, fit, abundance, stderr, deviance, df, tol_n, tol_dev", PUBLISHED,
                         ids=[f"{p[0]}|{p[1][:30]}" for p in PUBLISHED])
def test_published_value(dataset, model, fit, abundance, stderr, deviance, df, tol_n, tol_dev):
    listed = data.load("rcapture-expected-published")
    assert ((listed["dataset"] == dataset) & (listed["model"] == model)).sum() == 1  # the row exists as quoted
    ours = fit()
    if abundance is not None:
        assert ours["abundance"] == pytest.approx(abundance, abs=tol_n + 1e-9)
    if stderr is not None:
        assert ours["stderr"] == pytest.approx(stderr, abs=0.5 + 1e-9)
    if deviance is not None:
        assert ours["deviance"] == pytest.approx(deviance, abs=tol_dev + 1e-9)
    if df is not None:
        assert ours["df"] == df


@pytest.mark.parametrize("species, deviance", [("JAY", 1.88), ("CYT", 41.22), ("SOSP", 37.89), ("TREE", 43.69)])
def test_royle_2006_m0_deviances(species, deviance):
    """Royle (2006) Table 2, M0 with t = 11 (expected_published_results.csv)."""
    table = data.load("rcapture-royle2006-species")
    counts = capture.frequencies(table[table["species"] == species], t=11, k="nbcap", f="freq")
    assert capture.closed_models(counts).loc["M0", "deviance"] == pytest.approx(deviance, abs=0.005)


def test_cormack_2000_profile_intervals():
    """Cormack, Chang & Smith (2000) Table 3b: independence 203-217; c2:c3 lower 210; c1:c3 + c2:c3 lower 204."""
    lists = histories("rcapture-cormack2000-3lists")
    independence = capture.profile_interval(lists, formula=".")
    assert (round(independence["lower"]), round(independence["upper"])) == (203, 217)
    assert round(capture.profile_interval(lists, formula=". + c2:c3")["lower"]) == 210
    assert round(capture.profile_interval(lists, formula=". + c1:c3 + c2:c3")["lower"]) == 204


def test_unidentified_model_is_flagged_not_returned_silently():
    """Cormack et al. (2000): all two-way interactions on 4 lists give N > 1e6 (deviance 1.3, df 4)."""
    row = capture.loglinear(histories("rcapture-cormack2000-4lists"), "(c1+c2+c3+c4)^2").iloc[0]
    assert row["abundance"] > 1e6 and row["df"] == 4 and row["deviance"] == pytest.approx(1.3, abs=0.05)
    assert not row["fit_ok"] and "not identified" in row["note"]


def test_fits_agree_with_statsmodels_glm():
    """The IRLS here and statsmodels' Poisson GLM give the same fit on the benchmark designs."""
    hare = histories("rcapture-hare")
    k = hare.patterns.sum(axis=1)
    x = sm.add_constant(np.column_stack([hare.patterns, k**2 / 2]))
    reference = sm.GLM(hare.counts, x, family=sm.families.Poisson()).fit()
    ours = capture.closed_models(hare).loc["Mth Darroch"]
    assert ours["deviance"] == pytest.approx(reference.deviance, rel=1e-9)
    assert ours["abundance"] == pytest.approx(hare.n + math.exp(reference.params[0]), rel=1e-9)
    assert ours["stderr"] == pytest.approx(
        math.sqrt(math.exp(reference.params[0]) + math.exp(2 * reference.params[0]) * reference.cov_params()[0, 0]),
        rel=1e-6)


# --- two lists, Chao --------------------------------------------------------------------------


def test_lincoln_petersen_and_chapman_by_hand():
    seber = capture.two_lists(histories("rcapture-seber1982-two-sample"))
    assert seber == (948, 421, 167)
    assert capture.lincoln_petersen(*seber)["abundance"] == pytest.approx(948 * 421 / 167)  # 2,389.9 = Rcapture Mt
    assert capture.chapman(1000, 800, 600)["abundance"] == pytest.approx(1333.111, abs=1e-3)
    chapman = capture.chapman(10, 8, 4)  # (11·9/5) - 1 = 18.8; var = 11·9·6·4 / (25·6) = 15.84
    assert chapman["abundance"] == pytest.approx(18.8)
    assert chapman["stderr"] == pytest.approx(math.sqrt(15.84))
    assert chapman["lower"] >= 10 + 8 - 4  # never below the units seen


@pytest.mark.parametrize("n1, n2, m, message", [
    (10, 8, 0, "m = 0"), (10, 8, 9, "cannot exceed"), (-1, 8, 2, "n1 must be"), (10, 8.5, 2, "n2 must be"),
])
def test_two_list_bad_inputs(n1, n2, m, message):
    for estimator in (capture.lincoln_petersen, capture.chapman):
        with pytest.raises(ValueError, match=message):
            estimator(n1, n2, m)


def test_chao_lower_bound_matches_the_mturk_data_owner():
    """pop_total.csv: 330,594.18 = S + (139/140)·f1²/(2·f2) from pop_times_seen.csv."""
    table = data.load("mturk-times-seen").set_index("k")["observed"]
    bound = capture.chao_lower_bound(table[1], table[2], int(table.sum()), t=140)
    assert bound["abundance"] == pytest.approx(data.load("mturk-total").loc[0, "chao"], abs=1e-6)
    assert bound["lower"] < bound["abundance"] < bound["upper"]


def test_chao_lower_bound_by_hand():
    # n = 20, f1 = 6, f2 = 4, t infinite: 20 + 36/8 = 24.5; var = 4·(1/2·2.25 + 3.375 + 1/4·5.0625) = 23.0625
    bound = capture.chao_lower_bound(6, 4, 20)
    assert bound["abundance"] == 24.5
    assert bound["stderr"] == pytest.approx(math.sqrt(23.0625))
    assert capture.chao_lower_bound(6, 0, 20)["abundance"] == 20 + 6 * 5 / 2  # bias-corrected form


def test_chao_model_equals_chao_estimator_on_mturk():
    """Rivest's lower-bound model (Mh Chao) reproduces Chao's estimator on the MTurk frequencies."""
    table = data.load("mturk-times-seen")
    counts = capture.frequencies(table, t=140, k="k", f="observed")
    results = capture.closed_models(counts)
    assert results.loc["Mh Chao (LB)", "abundance"] == pytest.approx(330594.18, abs=0.01)
    assert results.loc["M0", "abundance"] == pytest.approx(data.load("mturk-total").loc[0, "equal_N"], rel=1e-6)
    assert not results.loc["Mh Poisson2", "fit_ok"]  # 2^140: diverges, flagged, no silent number


# --- custom models and model search -------------------------------------------------------------


def test_formula_terms():
    lists = ("A", "B", "C")
    assert capture._interaction_terms("A*B + C", lists) == [("A",), ("B",), ("C",), ("A", "B")]
    assert capture._interaction_terms("(A+B+C)^2", lists) == [("A",), ("B",), ("C",), ("A", "B"), ("A", "C"), ("B", "C")]
    assert capture._interaction_terms(". + B:A", lists) == [("A",), ("B",), ("C",), ("A", "B")]
    with pytest.raises(ValueError, match=r"unknown list\(s\) \['D'\]"):
        capture._interaction_terms("A + D", lists)


def test_model_search_ranks_by_criterion_and_finds_the_reference_model():
    ranked = capture.model_search(histories("rcapture-cormack2000-3lists"))
    assert ranked["search"].iloc[0] == "exhaustive" and len(ranked) == 8
    assert ranked["AIC"].is_monotonic_increasing
    assert ranked.index[0] == "c2:c3"  # deviance 1.2 on 2 df (Cormack et al. 2000)
    assert ranked["formula"].iloc[0] == "c1 + c2 + c3 + c2:c3"
    assert "independence" in ranked.index


def test_model_search_goes_stepwise_on_six_sparse_lists():
    uk = capture.histories(data.load("sparsemse-uk"), freq="count")
    ranked = capture.model_search(uk, max_models=64)
    assert set(ranked["search"]) == {"stepwise"}
    best = ranked.iloc[0]
    assert best["fit_ok"] and 2744 < best["abundance"] < 100_000


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("table, freq, message", [
    (pd.DataFrame({"a": [1, 2], "b": [0, 1]}), None, "list column 'a' must contain only 0 and 1"),
    (pd.DataFrame({"a": [1, 0], "b": [0, 1], "n": [3, -1]}), "n", "frequency column 'n' must be whole numbers from 0 to"),
    (pd.DataFrame({"a": [1, 0], "b": [0, 1], "n": [3, 1.5]}), "n", "frequency column 'n' must be whole numbers from 0 to"),
    (pd.DataFrame({"a": [1, 0], "b": [1, 0]}), None, "histories of all zeros"),
    (pd.DataFrame({"a": [1, 0]}), None, "at least two lists"),
    (pd.DataFrame({"a": [1], "b": [0]}), "freq", "frequency column 'freq' not found"),
])
def test_bad_histories(table, freq, message):
    with pytest.raises(ValueError, match=message):
        capture.histories(table, freq=freq)


def test_two_lists_with_no_recapture_are_refused():
    lists = capture.histories(pd.DataFrame({"a": [1, 0], "b": [0, 1], "n": [5, 7]}), freq="n")
    with pytest.raises(ValueError, match="m = 0"):
        capture.lincoln_petersen(*capture.two_lists(lists))
    with pytest.raises(ValueError, match="m = 0"):
        capture.closed_models(lists)


@pytest.mark.parametrize("table, t, message", [
    (pd.DataFrame({"k": [0, 1], "f_k": [1, 2]}), 5, "must be >= 1"),
    (pd.DataFrame({"k": [1, 2], "f_k": [1, -2]}), 5, "must be whole numbers from 0 to"),
    (pd.DataFrame({"k": [1, 9], "f_k": [1, 2]}), 5, "values above t = 5"),
    (pd.DataFrame({"k": [1, 2], "f_k": [1, 2]}), 1, "t must be a whole number >= 2, got 1"),
    (pd.DataFrame({"times": [1, 2], "f_k": [1, 2]}), 5, "column 'k' not found"),
])
def test_bad_frequencies(table, t, message):
    with pytest.raises(ValueError, match=message):
        capture.frequencies(table, t=t)


def test_bad_model_requests():
    hare = histories("rcapture-hare")
    with pytest.raises(ValueError, match="needs a heterogeneity"):
        capture.loglinear(hare, model="Mh")
    with pytest.raises(ValueError, match="unknown heterogeneity"):
        capture.loglinear(hare, model="Mh", heterogeneity="Normal")
    with pytest.raises(ValueError, match="frequencies allow M0 and Mh"):
        capture.loglinear(frequencies("rcapture-cbird", 11), model="Mt")
    with pytest.raises(ValueError, match="no profile interval for Mb"):
        capture.profile_interval(hare, "Mb")


def test_chao_lower_bound_without_singletons_is_what_was_seen():
    """f1 = 0 (found by the property tests: a ZeroDivisionError): no sign of an unseen unit."""
    bound = capture.chao_lower_bound(0, 4, 20)
    assert (bound["abundance"], bound["stderr"], bound["lower"], bound["upper"]) == (20, 0, 20, 20)
    with pytest.raises(ValueError, match=r"level must be a number in \(0, 1\), got 2.0"):  # was a NaN interval
        capture.chao_lower_bound(6, 4, 20, level=2.0)
