"""The log-linear solver of analysis.capture on hard designs: 140 occasions (MTurk) and six sparse lists (UK).

Pinned values were computed by the solver before it was rewritten for speed (numpy's SVD
least squares, a refit from R's default start after each Chao eta dropped); the rewrite must
give them to 1e-9.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize

from analysis import capture, data, mturk


@functools.cache
def mturk_models(t0: int | None = None):
    return capture.closed_models(mturk.times_seen(), t0=t0)


# model: abundance, stderr, deviance, df
PINNED = {
    "uk": {
        "M0": (13597.517003981411, 766.6290304807002, 1980.4766229447744, 61),
        "Mt": (12213.99512433533, 676.448960708329, 179.35484938874777, 56),
        "Mh Chao (LB)": (13677.063726996163, 777.9010795393781, 1979.7344616013124, 60),
        "Mh Poisson2": (13750.55734071336, 1841.2319589501303, 1980.468191308026, 60),
        "Mh Darroch": (13356.458333908035, 3383.8124718166814, 1980.4713798427613, 60),
        "Mh Gamma3.5": (12979.082397875789, 4829.437556772254, 1980.460668212466, 60),
        "Mth Chao (LB)": (12298.508130115324, 686.5502317131468, 177.96124740808347, 55),
        "Mth Poisson2": (13168.787745611206, 1710.5408299597261, 178.9663240466203, 55),
        "Mth Darroch": (13696.773850805734, 3503.3121508155727, 179.14482601514572, 55),
        "Mth Gamma3.5": (14206.01291204483, 5434.2011220482245, 179.19390560325473, 55),
        "Mb": (7604.580792186841, 915.4676146422718, 1969.1291468554748, 60),
        "Mbh": (3362.617377155608, 72.34417642697531, 981.2888624437069, 59),
    },
    "mturk": {
        "M0": (176784.84924198207, 174.1114782055341, 315834.2002913866, 138),
        "Mh Chao (LB)": (330594.18096692953, 1617.7666089638024, 80.13515843149187, 98),
        "Mh Gamma3.5": (675856.3262214079, 3286.655832550368, 11000.186053332582, 137),
    },
}


def test_values_are_those_of_the_solver_before_it_was_rewritten():
    tables = {"uk": capture.closed_models(capture.histories(data.load("sparsemse-uk"), freq="count")),
              "mturk": mturk_models()}
    for dataset, rows in PINNED.items():
        for model, (abundance, stderr, deviance, df) in rows.items():
            ours = tables[dataset].loc[model]
            assert ours["fit_ok"], (dataset, model, ours["note"])
            assert ours["abundance"] == pytest.approx(abundance, rel=1e-9), (dataset, model)
            assert ours["stderr"] == pytest.approx(stderr, rel=1e-9), (dataset, model)
            assert ours["deviance"] == pytest.approx(deviance, rel=1e-9), (dataset, model)
            assert ours["df"] == df, (dataset, model)
    assert tables["mturk"].loc["Mh Chao (LB)", "note"] == "98 of 138 Chao eta parameters were negative and set to 0"


@pytest.mark.parametrize("t0", [None, 30, 60])
def test_no_fit_on_140_occasions_ends_in_a_linear_algebra_error(t0):
    """Each model fits or says why: the SVD that did not converge is gone (Mh Poisson2 and Darroch, t0 = 140)."""
    for model, row in mturk_models(t0).iterrows():
        assert "fit failed" not in row["note"] and "LinAlgError" not in row["note"], (model, row["note"])
        assert row["fit_ok"] or row["note"], model
        assert not row["fit_ok"] or np.isfinite(row[["abundance", "stderr", "deviance"]].astype(float)).all(), model


def test_poisson2_term_has_no_effect_on_140_occasions():
    """2^k - 1 spans 42 orders of magnitude: any coefficient that keeps k = 140 finite leaves every
    observed cell unchanged, so Mh Poisson2 is M0 again, and says so instead of posing as a heterogeneity model."""
    table = mturk_models()
    poisson2 = table.loc["Mh Poisson2"]
    assert not poisson2["fit_ok"]
    assert poisson2["note"].startswith("the heterogeneity term has no effect on the observed counts")
    assert poisson2["abundance"] == pytest.approx(table.loc["M0", "abundance"], rel=1e-9)


def test_darroch_reaches_its_maximum_on_140_occasions():
    """Mh Darroch has a finite maximum on MTurk; an independent trust-region Newton from the M0 fit finds it too."""
    counts = mturk.times_seen()
    ours = mturk_models().loc["Mh Darroch"]
    assert ours["fit_ok"], ours["note"]
    design = capture._frequency_design(counts, "Mh Darroch", None)
    x = np.column_stack([np.ones(len(design.y)), design.columns])
    x /= np.abs(x).max(axis=0)
    y, offset = design.y, design.offset

    def mean(b: np.ndarray) -> np.ndarray:
        return np.exp(np.minimum(x @ b + offset, 700))

    m0 = capture._fit_design(capture._frequency_design(counts, "M0", None))[0].params
    with np.errstate(over="ignore"):  # the trust region's trial steps overflow on the way
        found = optimize.minimize(lambda b: float(np.sum(mean(b) - y * (x @ b + offset))), [m0[0], m0[1] * 140, 0.0],
                                  jac=lambda b: x.T @ (mean(b) - y), hess=lambda b: x.T @ (mean(b)[:, None] * x),
                                  method="trust-exact").x
    deviance = 2 * float(np.sum(y * np.log(np.maximum(y, 1)) - y * (x @ found + offset) - y + mean(found)))
    assert ours["deviance"] == pytest.approx(deviance, rel=1e-10)
    assert ours["abundance"] == pytest.approx(counts.n + math.exp(found[0]), rel=1e-8)


def test_stderr_with_a_two_to_the_k_column_matches_statsmodels():
    """Mh Poisson2 on 30 of the 140 occasions: the information matrix of the raw 2^k column has a
    condition number near 1e15; scaling the columns gives statsmodels' standard error (not 156.0)."""
    counts = mturk.times_seen()
    ours = mturk_models(30).loc["Mh Poisson2"]
    design = capture._frequency_design(counts, "Mh Poisson2", 30)
    x = np.column_stack([np.ones(len(design.y)), design.columns])
    reference = sm.GLM(design.y, x, offset=design.offset, family=sm.families.Poisson()).fit(tol=1e-12)
    unseen = math.exp(reference.params[0])
    assert ours["abundance"] == pytest.approx(counts.n + unseen, rel=1e-8)
    assert ours["stderr"] == pytest.approx(math.sqrt(unseen + unseen**2 * reference.cov_params()[0, 0]), rel=1e-6)
