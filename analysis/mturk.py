"""The MTurk-Tracker population files (Ipeirotis, github.com/ipeirotis/mturk-surveys).

The survey ran from March 2015 as a task a worker could answer once per 30 days; each
30-day period is a capture occasion. The files hold aggregates computed by the data owner:
the frequency-of-capture table for the whole span, per-year Chao bounds, half-lives by era
and return rates. Worker-level histories are not public, so the per-year and per-window
figures can be shown but not recomputed here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis import capture, data

OCCASIONS = 140  # 30-day occasions from 2015-03-26 to the survey's end (pop_total.csv)


def times_seen() -> capture.Frequencies:
    """f_k: workers seen in exactly k of the 140 occasions."""
    return capture.frequencies(data.load("mturk-times-seen"), t=OCCASIONS, k="k", f="observed")


def plot_years(years: pd.DataFrame) -> plt.Figure:
    """Workers seen per calendar year and the data owner's Chao lower bound for that year."""
    fig, ax = plt.subplots()
    ax.plot(years["year"], years["workers"], marker="o", label="workers seen in the year")
    ax.plot(years["year"], years["chao"], marker="s", label="Chao lower bound (data owner)")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:,.0f}"))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("year (2026: until the survey ended in September)")
    ax.set_ylabel("workers")
    ax.set_title("MTurk workers reachable by the survey, by year")
    ax.legend()
    return fig


def plot_return(returns: pd.DataFrame) -> plt.Figure:
    """Share of workers seen in an occasion who are seen again `gap` occasions later, by era."""
    fig, ax = plt.subplots()
    for era in returns.columns.drop("gap"):
        ax.plot(returns["gap"], 100 * returns[era], label=era)
    ax.set_xlabel("gap between the two occasions (30-day periods)")
    ax.set_ylabel("seen again (%)")
    ax.set_ylim(bottom=0)
    ax.set_title("Return of MTurk workers to the survey (data owner's medians)")
    ax.legend(title="era")
    return fig
