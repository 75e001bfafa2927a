"""The global funnel of online workers (Kässi, Lehdonvirta & Stephany 2021, Open Research Europe 1:53).

Registered worker profiles on online labour platforms (reported by platforms, or imputed from
web traffic; see :mod:`analysis.traffic`) narrow to the profiles that obtained work at least
once, then to the significantly active ones (at least 10 projects or USD 1,000 earned).
Profiles are accounts, not people: dividing by the multi-homing coefficient (1.83, accounts
per person) turns accounts into workers. The paper's platform table and activity shares are
not public; the shares used here are back-calculated from its published results and labelled
so. The paper also corrects for workers sharing an account (agencies), by an amount not
documented in the sources read: the back-calculated shares absorb that correction, whatever it
was, so no separate factor is applied (one on top would count it twice).

Every function works on numbers and on numpy arrays alike, so that
:mod:`analysis.uncertainty` can push thousands of draws through it at once.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from analysis import checks, published
from analysis.parameters import check, check_values

STAGES = ("registered", "active", "significantly_active")
STAGE_LABELS = {
    "registered": "registered profiles",
    "active": "obtained work at least once",
    "significantly_active": "significantly active (≥ 10 projects or ≥ USD 1,000)",
}


def workers(
    registered_profiles: float | np.ndarray,
    share_ever_worked: float | np.ndarray,
    share_significantly_active: float | np.ndarray,
    multihoming_coefficient: float | np.ndarray,
) -> dict[str, float | np.ndarray]:
    """Workers at each stage: profiles × share / multi-homing coefficient.

    registered = R/h; active = R·s1/h; significantly_active = R·s2/h, with s2 ≤ s1.
    """
    for name, value in (("registered_profiles", registered_profiles), ("share_ever_worked", share_ever_worked),
                        ("share_significantly_active", share_significantly_active),
                        ("multihoming_coefficient", multihoming_coefficient)):
        check_values(name, value)
    if np.any(np.asarray(share_significantly_active) > np.asarray(share_ever_worked)):
        raise ValueError("share_significantly_active cannot exceed share_ever_worked: the stages are nested")
    persons = np.asarray(registered_profiles, dtype=float) / multihoming_coefficient
    result = {
        "registered": persons,
        "active": persons * share_ever_worked,
        "significantly_active": persons * share_significantly_active,
    }
    return {key: value.item() if np.ndim(value) == 0 else value for key, value in result.items()}


def table(registered_profiles: float, share_ever_worked: float, share_significantly_active: float,
          multihoming_coefficient: float) -> pd.DataFrame:
    """The funnel as a table: accounts and workers at each stage."""
    counts = workers(registered_profiles, share_ever_worked, share_significantly_active, multihoming_coefficient)
    accounts = {"registered": registered_profiles, "active": registered_profiles * share_ever_worked,
                "significantly_active": registered_profiles * share_significantly_active}
    return pd.DataFrame({
        "stage": [STAGE_LABELS[s] for s in STAGES],
        "accounts": [accounts[s] for s in STAGES],
        "workers": [counts[s] for s in STAGES],
    }, index=pd.Index(STAGES, name="key"))


def implied_shares(registered: float, active: float, significantly_active: float,
                   multihoming_coefficient: float) -> pd.Series:
    """Back-calculated activity shares: the shares of profiles that make the published counts.

    s = count × h / R: if the published counts are persons after the multi-homing correction,
    these are the shares of *profiles* that obtained work / are significantly active (times
    whatever account-sharing factor the paper applied).
    """
    check("multihoming_coefficient", multihoming_coefficient)
    for name, value in (("registered", registered), ("active", active), ("significantly_active", significantly_active)):
        if checks.finite(name, value) < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if registered <= 0:
        raise ValueError("registered must be > 0")
    factor = multihoming_coefficient / registered
    shares = pd.Series({"share_ever_worked": active * factor, "share_significantly_active": significantly_active * factor})
    if (shares > 1).any():
        name = shares.index[shares > 1][0]
        raise ValueError(f"{name} would be {shares[name]:.3g}: more persons than registered profiles / multi-homing "
                         f"coefficient ({registered:g} / {multihoming_coefficient:g}) allow")
    return shares


def versions() -> pd.DataFrame:
    """The paper's headline figures by version, from ``data/published`` (counts in millions).

    v4 is the reference; v1 (and the ORE abstract up to v3) said 19 and 5 million; the
    March 2021 working paper reported shares of registered users and a count of those who
    earned more than USD 1,000 — a different definition from v1 and v4's "at least 10
    projects or at least USD 1,000", so it has its own column (relayed second-hand).
    """
    def value(key: str | None) -> float:
        return np.nan if key is None else published.figure(key).value

    rows = {
        "v4 (ORE, 15 Oct 2021): reference": ("global.registered", "global.active", "global.significantly_active",
                                             None, None, "abstract, verified"),
        "v1 (arXiv, 23 Mar 2021; ORE abstract to v3)": ("global.registered", "global.active_v1",
                                                         "global.significantly_active_v1", None, None,
                                                         "abstract, verified"),
        "working paper (ETLA/OII, Mar 2021)": ("global.registered", None, None, "global.etla2021_earned_over_1000",
                                               "global.etla2021_share_ever_worked", "relayed by ITIF, second-hand"),
    }
    frame = pd.DataFrame([
        {"version": version, "registered (M)": value(r) / 1e6, "active (M)": value(a) / 1e6,
         "≥ 10 projects or ≥ USD 1,000 (M)": value(s) / 1e6, "earned > USD 1,000 (M)": value(e) / 1e6,
         "share of profiles ever worked": value(share), "source": source}
        for version, (r, a, s, e, share, source) in rows.items()
    ]).set_index("version")
    frame["active / registered"] = frame["active (M)"] / frame["registered (M)"]
    return frame


def traditions() -> pd.DataFrame:
    """The two counting traditions side by side, from the published figures."""
    france, world = "micro-work in France (Le Ludec et al. 2019)", "online labour worldwide (Kässi et al. 2021, v4)"
    rows = [
        ("scope", "micro-task platforms active in France (7 summed)", "all online labour platforms (freelancing, micro-work…)"),
        ("unit of the registered count", "people registered in France", "worker profiles worldwide"),
        ("multi-homing coefficient", published.figure("france.multihoming_coefficient").value,
         published.figure("global.multihoming_coefficient").value),
        ("registered", published.figure("france.casual").value, published.figure("global.registered").value),
        ("regular / obtained work", published.figure("france.routine").value, published.figure("global.active").value),
        ("very / significantly active", published.figure("france.very_active").value,
         published.figure("global.significantly_active").value),
        ("activity threshold", "'most of whom are present … at least once a week'", "≥ 10 projects or ≥ USD 1,000"),
    ]
    return pd.DataFrame(rows, columns=["", france, world]).set_index("")


def allocate(total: float, shares: pd.Series, complete: bool = True) -> pd.Series:
    """A global count split in proportion to ``shares``.

    ``complete``: the shares cover everyone and must sum to 1; otherwise they are the
    published shares of some countries only and must sum to at most 1. An assumption, not a
    measurement: that the shares carry over to every stage of the funnel.
    """
    if checks.finite("total", total) < 0:
        raise ValueError(f"total must be >= 0, got {total}")
    if shares.isna().any():
        raise ValueError(f"shares must be numbers; missing for: {list(shares.index[shares.isna()])}")
    if (shares < 0).any() or (shares > 1).any():
        raise ValueError(f"shares must lie in [0, 1]; outside: {list(shares.index[(shares < 0) | (shares > 1)])}")
    if complete and not np.isclose(shares.sum(), 1.0, atol=1e-9):
        raise ValueError(f"shares must sum to 1, they sum to {shares.sum():.6f}")
    if not complete and shares.sum() > 1 + 1e-9:
        raise ValueError(f"partial shares must sum to at most 1, they sum to {shares.sum():.6f}")
    return total * shares


def plot_funnel(funnel_table: pd.DataFrame) -> plt.Figure:
    """Accounts and workers at each stage of the reconstructed funnel, in millions (dots on a log scale)."""
    long = funnel_table.melt(id_vars="stage", value_vars=["accounts", "workers"], var_name="unit", value_name="count")
    long["count"] = long["count"] / 1e6
    fig, ax = plt.subplots(figsize=(9, 3.8))
    sns.scatterplot(data=long, y="stage", x="count", hue="unit", style="unit", s=90, ax=ax)
    for row in long.itertuples():
        ax.annotate(f"{row.count:,.1f} M", (row.count, row.stage), xytext=(0, 9 if row.unit == "accounts" else -15),
                    textcoords="offset points", ha="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(long["count"].min() / 2, long["count"].max() * 2)
    ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500) if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_ylim(len(funnel_table) - 0.4, -0.6)
    ax.set_xlabel("millions (log scale)")
    ax.set_ylabel("")
    ax.set_title("Reconstruction of the global funnel of Kässi et al. (2021, v4)\n"
                 "from the published total and back-calculated activity shares", fontsize=10)
    ax.legend(title="", loc="upper left", fontsize=8)
    fig.text(0.01, -0.09, "Published: 163 M profiles, 14 M and 3.3 M workers (Kässi et al. 2021, v4 abstract); "
             "accounts per worker 1.83 (as quoted by P. Tubaro). Shares back-calculated; not the paper's table.",
             fontsize=7, color="0.35")
    return fig
