"""The three circles of micro-work in France (Le Ludec, Tubaro & Casilli 2019).

Casual workers are registered on at least one platform; routine workers are
present at least monthly; very active workers at least weekly. Each circle is
inside the previous one. The first two are platform totals (registrations,
monthly visitors) divided by the multi-homing coefficient; the derivation of the
third is not documented in the sources available to us, so it is taken here as
an explicit share of the routine circle.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Circle as CirclePatch

from analysis import published
from analysis.parameters import check, check_values


@dataclass(frozen=True)
class Circle:
    key: str
    label_2019: str
    label_2020: str
    abstract_wording: str
    indicator: str
    indicator_source: str


# The abstract's own words (arXiv:1901.03889v1, verified); what each circle counts is
# reconstructed from other sources, each named.
CIRCLES = (
    Circle("casual", "casual (occasionnels)", "registered",
           "'more heterogeneous and who alternate inactivity and various levels of work practice'",
           "registrations declared by platforms, France: registered on at least one platform",
           "second-hand: the 2019 critique (Barraud de Lagerie, Gros & Sigalo Santos, The Conversation)"),
    Circle("routine", "routine (réguliers)", "regular", "'more selective and present at least once a month'",
           "monthly visitors from France, web-traffic analytics",
           "P. Tubaro's blog: traffic data as 'minimally active users, those who connect at least monthly'"),
    Circle("very_active", "very active (très actifs)", "very active (speculative)",
           "'most of whom are present on these platforms at least once a week'",
           "not documented; here a share of the routine circle", "none found"),
)


def definitions() -> pd.DataFrame:
    """The three circles: labels in the 2019 and 2020 papers, the abstract's wording, what each counts and who says so."""
    return pd.DataFrame([vars(c) for c in CIRCLES]).set_index("key")


def counts(
    registrations_total: float | np.ndarray,
    monthly_visitors_total: float | np.ndarray,
    multihoming_coefficient: float | np.ndarray,
    very_active_share: float | np.ndarray,
) -> dict[str, np.ndarray]:
    """Workers in each circle, on numbers or arrays of draws alike (see :func:`three_circles`)."""
    for name, value in (("registrations_total", registrations_total), ("monthly_visitors_total", monthly_visitors_total),
                        ("multihoming_coefficient", multihoming_coefficient), ("very_active_share", very_active_share)):
        check_values(name, value)
    if np.any(np.asarray(monthly_visitors_total) > np.asarray(registrations_total)):
        raise ValueError(f"the circles are nested: monthly_visitors_total ({np.max(monthly_visitors_total):g}) "
                         f"cannot exceed registrations_total ({np.min(registrations_total):g})")
    routine = np.asarray(monthly_visitors_total, dtype=float) / multihoming_coefficient
    return {"casual": np.asarray(registrations_total, dtype=float) / multihoming_coefficient,
            "routine": routine, "very_active": routine * very_active_share}


def three_circles(
    registrations_total: float,
    monthly_visitors_total: float,
    multihoming_coefficient: float,
    very_active_share: float,
) -> pd.DataFrame:
    """Workers in each circle: platform totals divided by the multi-homing coefficient.

    casual = registrations_total / h; routine = monthly_visitors_total / h;
    very_active = routine × very_active_share. Nesting requires
    monthly_visitors_total <= registrations_total.
    """
    workers = counts(registrations_total, monthly_visitors_total, multihoming_coefficient, very_active_share)
    return pd.DataFrame(
        {
            "accounts_before_correction": {key: value * multihoming_coefficient for key, value in workers.items()},
            "workers": {key: float(value) for key, value in workers.items()},
        }
    ).rename_axis("circle")


def admissible_totals(published: dict[str, float], coefficient: float) -> pd.DataFrame:
    """Which platform totals T give each published circle c when divided by h and rounded.

    round(T / h) = c for every T in [(c - 1/2) h, (c + 1/2) h): an interval of width
    h, so for h > 1 it always holds at least one integer. Finding an integer there is
    therefore no evidence that the circle *is* an integer total divided by h; the
    totals are one admissible choice, not a finding. ``nearest`` is the integer
    nearest c·h, the choice notebook 01 takes as its default.
    """
    check("multihoming_coefficient", coefficient)
    table = pd.DataFrame({"published": pd.Series(published, dtype=float)})
    table["times_coefficient"] = table["published"] * coefficient
    table["lowest_total"] = (table["published"] - 0.5) * coefficient
    table["highest_total"] = (table["published"] + 0.5) * coefficient
    table["integer_totals"] = [
        list(range(int(np.ceil(low)), int(np.ceil(high)))) for low, high in zip(table["lowest_total"],
                                                                                table["highest_total"])
    ]
    table["nearest"] = table["times_coefficient"].round()
    return table.rename_axis("circle")


def near_integer_rates(coefficient: float, within: float, circles: range) -> pd.Series:
    """How often circle × h lands within ``within`` of an integer: by chance, and if circles were integer totals / h.

    "By chance" takes every integer circle in ``circles``; "if totals / h" takes every
    integer total T whose rounded T / h lies in ``circles``, each circle counted once per
    total. Equal rates mean that landing near an integer does not tell the two apart.
    """
    check("multihoming_coefficient", coefficient)
    if not 0 < within < 0.5:
        raise ValueError(f"within must lie in (0, 0.5), got {within}")

    def near(values: np.ndarray) -> float:
        product = values * coefficient
        return float(np.mean(np.abs(product - np.round(product)) <= within + 1e-9))  # 1e-9: decimal products in binary

    chance = np.arange(circles.start, circles.stop)
    totals = np.arange(int(np.ceil((circles.start - 0.5) * coefficient)), int(np.ceil((circles.stop - 0.5) * coefficient)))
    return pd.Series({"by chance (every integer circle)": near(chance),
                      "if circles were integer totals / h": near(np.round(totals / coefficient))},
                     name=f"share of circles × {coefficient:g} within {within:g} of an integer")


def full_time_equivalents(workers: float, weekly_hours: float, full_time_weekly_hours: float) -> float:
    """Full-time jobs the workers' hours add up to: workers × weekly hours / full-time weekly hours."""
    check("routine_weekly_hours", weekly_hours)
    check("full_time_weekly_hours", full_time_weekly_hours)
    return float(workers) * weekly_hours / full_time_weekly_hours


def weekly_hours_for(full_time_jobs: float, workers: float, full_time_weekly_hours: float) -> float:
    """Weekly hours each worker must average for ``workers`` to add up to ``full_time_jobs``."""
    check("full_time_weekly_hours", full_time_weekly_hours)
    if not workers > 0:
        raise ValueError(f"workers must be more than 0, got {workers:g}")
    return float(full_time_jobs) * full_time_weekly_hours / float(workers)


def coefficient_grid(minimum: float, maximum: float, step: float) -> np.ndarray:
    """Coefficients from ``minimum`` to ``maximum`` inclusive, every ``step``."""
    for name, value in (("coefficient_grid_min", minimum), ("coefficient_grid_max", maximum),
                        ("coefficient_grid_step", step)):
        check(name, value)
    if maximum <= minimum:
        raise ValueError(f"coefficient_grid_max ({maximum:g}) must exceed coefficient_grid_min ({minimum:g})")
    count = int(round((maximum - minimum) / step)) + 1
    return np.round(np.linspace(minimum, minimum + (count - 1) * step, count), 6)


def sensitivity(
    registrations_total: float,
    monthly_visitors_total: float,
    very_active_share: float,
    coefficients: np.ndarray,
) -> pd.DataFrame:
    """The three circles for each multi-homing coefficient (long format: coefficient, circle, workers)."""
    frames = [
        three_circles(registrations_total, monthly_visitors_total, h, very_active_share)["workers"]
        .rename("workers").reset_index().assign(coefficient=h)
        for h in coefficients
    ]
    return pd.concat(frames, ignore_index=True)[["coefficient", "circle", "workers"]]


def scenarios(workers: pd.Series, shares: dict[str, float]) -> pd.DataFrame:
    """Each circle multiplied by each share: what the circles would be if only that share worked."""
    table = pd.DataFrame({"workers": workers})
    for label, share in shares.items():
        check("very_active_share", share)  # any share must lie in [0, 1]
        table[label] = workers * share
    return table


def plot_circles(workers: pd.Series) -> Figure:
    """Nested circles with areas proportional to the number of workers in each."""
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    colours = sns.color_palette(n_colors=len(CIRCLES))
    largest = np.sqrt(workers.max() / np.pi)
    for index, (circle, colour) in enumerate(zip(CIRCLES, colours)):
        radius = np.sqrt(workers[circle.key] / np.pi) / largest
        ax.add_patch(CirclePatch((0, radius), radius, facecolor=colour, edgecolor="white", alpha=0.85))
        label = f"{circle.label_2019}: {workers[circle.key]:,.0f}"
        innermost = index == len(CIRCLES) - 1
        ax.annotate(label, (0, 2 * radius + (0.02 if innermost else -0.04)), ha="center",
                    va="bottom" if innermost else "top", fontsize=10)
    ax.set_xlim(-1.02, 1.02)
    ax.set_ylim(-0.02, 2.02)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Micro-workers in France: three nested circles\n(area proportional to workers)")
    return fig


def plot_sensitivity(table: pd.DataFrame, markers: dict[str, float]) -> Figure:
    """Circles against the multi-homing coefficient, with reference coefficients marked."""
    fig, ax = plt.subplots(figsize=(10, 4.5))
    labels = {c.key: c.label_2019 for c in CIRCLES}
    sns.lineplot(data=table.assign(circle=table["circle"].map(labels)), x="coefficient", y="workers",
                 hue="circle", ax=ax)
    ax.set_yscale("log")
    for (label, value), style in zip(markers.items(), ("--", ":")):
        ax.axvline(value, color="0.25", linestyle=style, linewidth=1.2, label=label)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:,.0f}"))
    ax.set_xlabel("multi-homing coefficient (mean platforms per worker)")
    ax.set_ylabel("workers (log scale)")
    ax.set_title("How the circles depend on the multi-homing coefficient")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def plot_context(comparison: pd.DataFrame) -> Figure:
    """Dot chart: the circles (computed) beside other platform workforces (published)."""
    fig, ax = plt.subplots(figsize=(9, 4))
    ordered = comparison.sort_values("workers")
    sns.scatterplot(data=ordered, x="workers", y="label", hue="kind", style="kind", s=90, ax=ax)
    for row in ordered.itertuples():
        ax.annotate(f"{row.workers:,.0f}", (row.workers, row.label), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(ordered["workers"].min() / 1.5, ordered["workers"].max() * 2.5)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.set_xlabel("people (log scale)")
    ax.set_ylabel("")
    ax.set_title("Micro-workers beside other platform workforces in France")
    ax.legend(title="", fontsize=8, loc="upper right")
    sources = "; ".join(dict.fromkeys(ordered.loc[ordered["source"] != "this notebook", "source"]))
    fig.text(0.01, -0.07, f"Published figures: {sources}. Micro-work circles: computed in this notebook.",
             fontsize=7, color="0.35", wrap=True)
    return fig


def platform_table() -> pd.DataFrame:
    """The per-platform inputs the method needs, with the few values that are public.

    Le Ludec et al. summed seven platforms; their table is not public. Known
    values come from ``data/published``; everything else is "not available".
    """
    unknown = "not available"
    foule = published.figure("france.foule_factory_registered")
    amt = published.figure("world.amt_workers_2014")
    others = int(published.figure("france.platforms_in_sum").value) - 2
    rows = [
        ("Foule Factory / Wirk", f"{foule.value:,.0f} ({foule.location}; {foule.status})",
         "all (open to French residents only)",
         f"{foule.value:,.0f}", unknown),
        ("Amazon Mechanical Turk", f"{amt.value:,.0f} worldwide, 2014 ({amt.location}; {amt.status})",
         unknown, unknown, unknown),
        (f"{others} other platforms", unknown, unknown, unknown, unknown),
        ("Total (before multi-homing correction)", "", "", "back-calculated below", "back-calculated below"),
    ]
    columns = ["platform", "registered (declared)", "share in France", "registered in France",
               "monthly visitors from France"]
    return pd.DataFrame(rows, columns=columns).set_index("platform")


def context_table(workers: pd.Series, comparison_keys: list[str]) -> pd.DataFrame:
    """The circles (computed here) and other platform workforces (published) in one table."""
    labels = {c.key: c.label_2019 for c in CIRCLES}
    rows = [(f"micro-workers: {labels[key]}", value, "micro-work, computed here", "this notebook")
            for key, value in workers.items()]
    for key in comparison_keys:
        figure = published.figure(key)
        rows.append((figure.quantity.split(",")[0], figure.value, "other platform work, published",
                     f"{figure.version}: {figure.location}"))
    return pd.DataFrame(rows, columns=["label", "workers", "kind", "source"])
