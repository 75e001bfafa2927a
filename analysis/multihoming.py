"""Multi-homing: workers who hold accounts on several platforms.

Summing registrations (or visitors) over platforms counts a worker once per
platform. Dividing the sum by the multi-homing coefficient — the mean number of
platforms per worker — turns accounts into persons (Le Ludec, Tubaro & Casilli
2019 used h = 1.27 for micro-work in France; Kässi, Lehdonvirta & Stephany 2021
used h = 1.83 for all online labour).

The correction and capture-recapture answer different questions. For two
platforms with n1 and n2 accounts and m persons on both, the correction divides
the *accounts seen* (n1 + n2) into the *people seen* (n1 + n2 - m): nobody on
neither platform is counted. Capture-recapture (Lincoln-Petersen, n1 n2 / m)
estimates the *people who exist*, including those on neither list, and is
biased downwards when the same people are easy to catch on both lists
(:func:`simulate_heterogeneity` shows how much).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from analysis import checks
from analysis.parameters import check

SIMULATION_COLUMNS = [
    "replicate", "heterogeneity", "true_population", "people_seen", "naive_sum",
    "coefficient_corrected", "lincoln_petersen", "chapman",
]
ESTIMATORS = ["naive_sum", "coefficient_corrected", "lincoln_petersen", "chapman"]


def correct(total_accounts: float, coefficient: float) -> float:
    """Persons behind ``total_accounts`` summed accounts: ``total_accounts / coefficient``."""
    if not math.isfinite(total_accounts) or total_accounts < 0:
        raise ValueError(f"total_accounts must be a finite count >= 0, got {total_accounts}")
    return total_accounts / check("multihoming_coefficient", coefficient)


def coefficient(platforms_used: pd.Series | Mapping[int, int], level: float = 0.95) -> pd.Series:
    """Multi-homing coefficient from a distribution ``{k: workers using exactly k platforms}``.

    h = Σ k f_k / Σ f_k; stderr = s / √n with s² the variance of k over the n workers
    (denominator n - 1; NaN when n = 1); normal interval h ± z s/√n at ``level``,
    lower bound clipped at 1 since every worker uses at least one platform.
    """
    level = checks.open_unit("level", level)
    items = list(platforms_used.items())
    keys = [key for key, _ in items]
    if len(set(keys)) != len(keys):
        raise ValueError(f"platforms_used: each number of platforms must appear once, got keys {keys}")
    ks, counts = [], []
    for key, count in items:
        ks.append(checks.whole(f"platforms_used: key {key!r} (a number of platforms)", key, 1))
        counts.append(checks.whole(f"platforms_used[{key!r}] (workers using {key!r} platforms)", count))
    k, f = np.array(ks, dtype=float), np.array(counts, dtype=float)
    n = f.sum()
    if n == 0:
        raise ValueError("platforms_used: no workers (the counts are empty or all zero)")
    h = (k * f).sum() / n
    stderr = math.sqrt((f * (k - h) ** 2).sum() / (n - 1) / n) if n > 1 else math.nan
    half_width = stats.norm.ppf(0.5 + level / 2) * stderr
    return pd.Series(
        {"coefficient": h, "stderr": stderr, "lower": max(1.0, h - half_width),
         "upper": h + half_width, "workers": int(n)}
    )


def coefficient_from_overlap(n1: int, n2: int, m: int) -> float:
    """Coefficient for two platforms with n1 and n2 workers, m on both: (n1 + n2) / (n1 + n2 - m).

    (n1 + n2) / h = n1 + n2 - m is the number of people *seen* on either platform,
    not the Lincoln-Petersen estimate n1 n2 / m of the people who *exist*.
    """
    n1, n2, m = checks.whole("n1", n1), checks.whole("n2", n2), checks.whole("m", m)
    if m > min(n1, n2):
        raise ValueError(f"m (workers on both platforms) = {m} cannot exceed n1 = {n1} or n2 = {n2}")
    if n1 + n2 - m == 0:
        raise ValueError("n1 + n2 - m must be > 0: no worker is registered on either platform")
    return (n1 + n2) / (n1 + n2 - m)


def simulate_heterogeneity(
    population: int,
    platforms: int,
    mean_catchability: float,
    heterogeneity: float,
    seed: int,
    replicates: int,
) -> pd.DataFrame:
    """Simulation (not data): how each count of workers fares when catchability varies between people.

    Each of ``population`` people draws a propensity p ~ Beta(μ c, (1 - μ) c) with
    μ = ``mean_catchability`` and c = 1/ρ - 1, so that ρ = ``heterogeneity`` is the
    intra-class correlation of presence (ρ = 0: p = μ for everyone); each person is
    on each platform independently with probability p. Per replicate: people seen
    (on >= 1 platform), naive sum of accounts, that sum divided by the observed mean
    platforms per seen person (hence equal to people seen), and from the first two
    platforms Lincoln-Petersen n1 n2 / m (NaN if m = 0) and Chapman
    (n1 + 1)(n2 + 1)/(m + 1) - 1. Deterministic for a given ``seed``.
    """
    population, platforms = checks.whole("population", population, 1), checks.whole("platforms", platforms)
    seed, replicates = checks.whole("seed", seed), checks.whole("replicates", replicates, 1)
    if platforms < 2:
        raise ValueError(f"platforms must be >= 2 (capture-recapture needs two lists), got {platforms}")
    mean_catchability = checks.open_unit("mean_catchability", mean_catchability)
    heterogeneity = checks.in_range("heterogeneity", heterogeneity, 0, 1, open_high=True)
    rng = np.random.default_rng(seed)
    concentration = 1 / heterogeneity - 1 if heterogeneity > 0 else math.inf
    rows = []
    for replicate in range(replicates):
        if heterogeneity > 0:
            propensity = rng.beta(mean_catchability * concentration, (1 - mean_catchability) * concentration,
                                  size=population)
        else:
            propensity = np.full(population, mean_catchability)
        present = rng.random((population, platforms)) < propensity[:, None]
        per_person = present.sum(axis=1)
        seen = int((per_person > 0).sum())
        naive = int(per_person.sum())
        # Zero accounts are zero persons whatever the coefficient.
        corrected = correct(naive, naive / seen) if seen else 0.0
        n1, n2 = int(present[:, 0].sum()), int(present[:, 1].sum())
        m = int((present[:, 0] & present[:, 1]).sum())
        rows.append({
            "replicate": replicate, "heterogeneity": heterogeneity, "true_population": population,
            "people_seen": seen, "naive_sum": naive, "coefficient_corrected": corrected,
            "lincoln_petersen": n1 * n2 / m if m else math.nan,
            "chapman": (n1 + 1) * (n2 + 1) / (m + 1) - 1,
        })
    return pd.DataFrame(rows, columns=SIMULATION_COLUMNS)


def simulation_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean relative bias, mean of (estimate - true) / true, of each estimator by heterogeneity.

    ``frame`` is :func:`simulate_heterogeneity` output (several may be concatenated).
    Replicates where Lincoln-Petersen is undefined (m = 0) are left out of its mean
    and counted in ``lincoln_petersen_undefined``.
    """
    missing = [column for column in SIMULATION_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks the simulation columns {missing}")
    bias = frame[ESTIMATORS].sub(frame["true_population"], axis=0).div(frame["true_population"], axis=0)
    grouped = bias.groupby(frame["heterogeneity"])
    summary = grouped.mean().add_suffix("_bias")
    summary["replicates"] = grouped.size()
    summary["lincoln_petersen_undefined"] = frame["lincoln_petersen"].isna().groupby(frame["heterogeneity"]).sum()
    return summary


def plot_simulation(summary: pd.DataFrame) -> plt.Figure:
    """Mean relative bias of each count against the heterogeneity of catchability (simulation)."""
    fig, ax = plt.subplots()
    labels = {"naive_sum_bias": "naive sum of accounts", "coefficient_corrected_bias": "sum ÷ coefficient (people seen)",
              "lincoln_petersen_bias": "Lincoln-Petersen", "chapman_bias": "Chapman"}
    for column, label in labels.items():
        ax.plot(summary.index, 100 * summary[column], marker="o", label=label)
    ax.axhline(0, color="0.3", linewidth=1)
    ax.set_xlabel("heterogeneity of catchability (intra-class correlation)")
    ax.set_ylabel("mean relative bias (%)")
    ax.set_title("SIMULATION: how each count misses the true population")
    ax.legend(fontsize=8)
    return fig
