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
    threshold: str
    indicator: str


CIRCLES = (
    Circle("casual", "casual (occasionnels)", "registered", "registered on at least one platform",
           "registrations declared by platforms, France"),
    Circle("routine", "routine (réguliers)", "regular", "present on a platform at least once a month",
           "monthly visitors from France, web-traffic analytics"),
    Circle("very_active", "very active (très actifs)", "very active (speculative)",
           "present on a platform at least once a week", "not documented; here a share of the routine circle"),
)


def definitions() -> pd.DataFrame:
    """The three circles, their labels in the 2019 and 2020 papers, and what each counts."""
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


def back_calculation(published: dict[str, float], coefficient: float) -> pd.DataFrame:
    """Which platform totals the published circles imply, and whether they are whole numbers.

    If a circle is (integer total) / h, then circle × h lies within rounding of
    an integer, and that integer divided by h rounds back to the circle.
    """
    check("multihoming_coefficient", coefficient)
    table = pd.DataFrame({"published": pd.Series(published, dtype=float)})
    table["times_coefficient"] = table["published"] * coefficient
    table["nearest_integer"] = table["times_coefficient"].round()
    table["distance_to_integer"] = (table["times_coefficient"] - table["nearest_integer"]).abs()
    table["integer_over_coefficient"] = table["nearest_integer"] / coefficient
    table["rounds_back_to_published"] = table["integer_over_coefficient"].round() == table["published"]
    return table.rename_axis("circle")


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


def plot_sensitivity(table: pd.DataFrame, markers: dict[str, float], band: tuple[float, float, str]) -> Figure:
    """Circles against the multi-homing coefficient, with reference coefficients marked."""
    fig, ax = plt.subplots(figsize=(10, 4.5))
    labels = {c.key: c.label_2019 for c in CIRCLES}
    sns.lineplot(data=table.assign(circle=table["circle"].map(labels)), x="coefficient", y="workers",
                 hue="circle", ax=ax)
    ax.set_yscale("log")
    for (label, value), style in zip(markers.items(), ("--", ":")):
        ax.axvline(value, color="0.25", linestyle=style, linewidth=1.2, label=label)
    low, high, band_label = band
    ax.axvspan(low, high, color="0.6", alpha=0.25, label=band_label)
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
