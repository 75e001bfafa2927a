"""analysis.capture against Rcapture 1.4-4 run on the compendium's own data (data/reference/rcapture/).

Where R's glm fits without a warning, every column agrees. Where it warns, the test says what
differs and why: R clamps fitted counts at machine epsilon (deviance), and its iterations do not
converge for Poisson2 and Darroch on 140 occasions (no estimate to compare; tests/test_capture_solver.py
checks ours with an independent optimiser).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from scipy import special

from analysis import capture, data, mturk

# Darroch's and Gamma's terms leave the UK likelihood flat: R and we stop at the same deviance
# criterion (1e-8) from different paths, so N agrees to 5e-7 and its standard error to 5e-4.
TOLERANCE = {"abundance": 1e-6, "stderr": 1e-3, "deviance": 1e-8, "AIC": 1e-8, "BIC": 1e-8}


@functools.cache
def reference() -> pd.DataFrame:
    return data.load("rcapture-closedp-reference").set_index(["dataset", "model"])


@functools.cache
def ours(dataset: str) -> pd.DataFrame:
    counts = {"rcapture-hare": lambda: capture.histories(data.load("rcapture-hare")),
              "sparsemse-uk": lambda: capture.histories(data.load("sparsemse-uk"), freq="count"),
              "mturk-times-seen": mturk.times_seen}[dataset]()
    return capture.closed_models(counts)


def test_the_reference_covers_every_model_of_each_call():
    for dataset, rows in reference().groupby(level="dataset"):
        assert list(rows.index.get_level_values("model")) == list(ours(dataset).index), dataset
    assert (reference()["software"] == "R version 4.2.2 Patched (2022-11-10 r83330); Rcapture 1.4-4").all()


def test_every_fit_without_a_warning_in_r_agrees_on_every_column():
    clean = reference()[reference()["infoFit"] == 0]
    assert len(clean) == 25  # 12 hare, 12 UK, Chao's lower bound on MTurk
    for (dataset, model), expected in clean.iterrows():
        row = ours(dataset).loc[model]
        assert row["fit_ok"], (dataset, model, row["note"])
        assert row["df"] == expected["df"], (dataset, model)
        for column, rel in TOLERANCE.items():
            assert row[column] == pytest.approx(expected[column], rel=rel), (dataset, model, column)


@pytest.mark.parametrize("model", ["M0", "Mh Gamma3.5"])
def test_on_mturk_r_clamps_fitted_counts_at_epsilon_and_so_its_deviance_differs(model):
    expected = reference().loc[("mturk-times-seen", model)]
    assert "fitted rates numerically 0 occurred" in expected["warnings"]
    row = ours("mturk-times-seen").loc[model]
    assert row["abundance"] == pytest.approx(expected["abundance"], rel=1e-9)
    assert row["stderr"] == pytest.approx(expected["stderr"], rel=1e-5)  # 1.2e-6 for M0: R's clamped weights
    assert row["deviance"] > 1.08 * expected["deviance"]  # 315,834 against R's 258,389 for M0
    fitted = capture.fitted_frequencies(mturk.times_seen(), model)
    y, clamped = fitted["observed"].to_numpy(float), np.maximum(fitted["fitted"].to_numpy(), np.finfo(float).eps)
    assert 2 * float(np.sum(special.xlogy(y, y / clamped) - y + clamped)) == pytest.approx(expected["deviance"], rel=1e-9)


def test_on_mturk_r_does_not_converge_for_poisson2_and_darroch_and_we_say_what_happens():
    r = reference().loc["mturk-times-seen"]
    for model in ("Mh Poisson2", "Mh Darroch"):
        assert "algorithm did not converge" in r.loc[model, "warnings"], model
    assert r.loc["Mh Poisson2", "abundance"] > 1e60  # what a user of R sees: N = 4.2e61
    table = ours("mturk-times-seen")
    assert not table.loc["Mh Poisson2", "fit_ok"]
    assert table.loc["Mh Poisson2", "note"].startswith("the heterogeneity term has no effect")
    assert table.loc["Mh Darroch", "fit_ok"]
    assert table.loc["Mh Darroch", "deviance"] < 1e-40 * r.loc["Mh Darroch", "deviance"]
