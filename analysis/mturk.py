"""The MTurk-Tracker survey files (Ipeirotis, github.com/ipeirotis/mturk-surveys; Difallah, Filatova
& Ipeirotis 2018).

The survey ran from March 2015 as a task a worker could answer once per 30 days. Population
files: each 30-day period is a capture occasion; the data owner's aggregates give the
frequency-of-capture table, per-year Chao bounds, half-lives and return rates (worker-level
histories are not public, so per-year figures are shown, not recomputed). Demographic files:
monthly shares of responses, responses by country and year, year of birth, and answer bands
for weekly income and hours — aggregates only, no microdata.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import yaml

from analysis import capture, countries, data, paths, survey

OCCASIONS = 140  # 30-day occasions from 2015-03-26 to the survey's end (pop_total.csv)


def times_seen() -> capture.Frequencies:
    """f_k: workers seen in exactly k of the 140 occasions."""
    return capture.frequencies(data.load("mturk-times-seen"), t=OCCASIONS, k="k", f="observed")


def owner_estimates() -> pd.DataFrame:
    """The data owner's other population models over the whole span (``pop_total.csv``), not recomputed.

    Finite mixtures of 3 to 6 binomial classes (N and AIC; their fits are not public beyond
    that) and the beta-binomial, whose N (about 4.6e14) is the model diverging, not an
    estimate. The AICs come from the owner's likelihood: compare them with each other only.
    """
    total = data.load("mturk-total").iloc[0]
    rows = [(f"mixture of {classes} binomial classes", total[f"mix{classes}_N"], total[f"mix{classes}_aic"], "")
            for classes in (3, 4, 5, 6)]
    rows.append(("beta-binomial", total["beta_binomial_N"], float("nan"), "diverges: no finite estimate"))
    table = pd.DataFrame(rows, columns=["model", "workers", "AIC (owner's likelihood)", "note"]).set_index("model")
    return table.assign(source="data owner (pop_total.csv), not recomputed")


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


# --- demographics (survey aggregates, Difallah, Filatova & Ipeirotis 2018) ---------------------

BANDS_FILE = paths.PARAMS / "mturk-bands.yaml"
MONTHLY_SHARES = ("female", "us", "india", "other", "married", "college")


def monthly_share(monthly: pd.DataFrame, variable: str, level: float = 0.95) -> pd.DataFrame:
    """A monthly share of responses with its Wilson interval; counts = share × responses.

    ``college`` is a share of non-empty education answers (asked from 2017-06): months
    without it are left out.
    """
    if variable not in MONTHLY_SHARES:
        raise ValueError(f"variable must be one of {MONTHLY_SHARES}, got {variable!r}")
    rows = monthly.dropna(subset=[variable])
    successes = (rows[variable] * rows["n"]).round().astype(int)
    interval = survey.proportion_interval(successes, rows["n"], level=level)
    return pd.DataFrame({"month": pd.to_datetime(rows["m"]), "responses": rows["n"], "successes": successes,
                         "share": rows[variable], "lower": interval["lower"], "upper": interval["upper"]})


def trend(shares: pd.DataFrame, maxlags: int) -> pd.Series:
    """Binomial GLM of a monthly share on time in years since the first month (see survey.binomial_trend).

    Slope and odds ratio are per year. ``maxlags`` is in months: the Newey-West (HAC) standard
    error lets months up to that far apart be correlated, as they are when the same workers
    answer in many months (a worker may answer once every 30 days and comes back across
    months). GEE clustered by worker would model that directly, but needs worker-level
    responses; the public files are monthly aggregates. The months are taken as consecutive
    rows: a month missing from the file (2019-12 in the monthly demographics) makes its two
    neighbours one lag apart.
    """
    shares = shares.sort_values("month")
    years = (shares["month"] - shares["month"].min()).dt.days / 365.25
    return survey.binomial_trend(pd.DataFrame({"time": years, "successes": shares["successes"],
                                               "total": shares["responses"]}), maxlags)


def plot_monthly(shares: dict[str, pd.DataFrame], title: str) -> plt.Figure:
    """Monthly shares with their intervals as bands, one line per variable."""
    fig, ax = plt.subplots(figsize=(9, 4.2))
    for label, table in shares.items():
        ax.plot(table["month"], 100 * table["share"], label=label, linewidth=1.2)
        ax.fill_between(table["month"], 100 * table["lower"], 100 * table["upper"], alpha=0.25)
    ax.set_ylabel("share of responses (%)")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=3, loc="upper left")
    return fig


def countries_by_year(country_year: pd.DataFrame) -> pd.DataFrame:
    """Responses and workers by survey year and country, with ISO3, name and the Spanish-speaking flag.

    ``ZZ`` (unknown location) is kept as its own row, not dropped.
    """
    codes = data.load("country-codes").set_index("ISO3166-1-Alpha-2")["ISO3166-1-Alpha-3"].to_dict()
    codes.update(countries.aliases())  # retired or user-assigned codes (BU, XK)
    table = country_year.rename(columns={"y": "year", "n": "responses", "w": "workers"})
    table["iso3"] = table["country"].map(codes)
    unknown = sorted(set(table.loc[table["iso3"].isna(), "country"]) - {"ZZ"})
    if unknown:
        raise ValueError(f"ISO alpha-2 codes neither in data/raw/country-codes nor in params/country-names.yaml: {unknown}")
    reference = countries.reference()
    table["name"] = table["iso3"].map(reference["country"]).fillna(table["iso3"]).fillna("unknown location")
    table["spanish_speaking"] = table["iso3"].map(reference["spanish_speaking"]).fillna(False).astype(bool)
    return table


def spanish_speaking_by_year(by_country: pd.DataFrame) -> pd.DataFrame:
    """Responses from Spanish-speaking countries (Spain, Latin America) per survey year, and their share."""
    years = by_country.groupby("year")
    spanish = by_country[by_country["spanish_speaking"]].groupby("year")
    table = pd.DataFrame({"responses_spanish_speaking": spanish["responses"].sum(),
                          "workers_spanish_speaking": spanish["workers"].sum(), "responses_all": years["responses"].sum()})
    table = table.reindex(years.groups.keys()).fillna(0).astype(int)
    table["share"] = table["responses_spanish_speaking"] / table["responses_all"]
    return table.rename_axis("year")


def age_bands(yob: pd.DataFrame, youngest: int = 18, oldest: int = 90) -> pd.DataFrame:
    """Share of responses by age band per survey year, from year of birth.

    Ages outside [youngest, oldest] are implausible self-reports (e.g. born in 1910) and are
    counted in ``dropped`` rather than silently removed. Age = survey year - year of birth.
    """
    table = yob.rename(columns={"y": "year", "n": "responses"}).copy()
    table["age"] = table["year"] - table["year_of_birth"]
    plausible = table["age"].between(youngest, oldest)
    kept = table[plausible]
    bands = pd.cut(kept["age"], [youngest - 1, 24, 44, oldest], labels=["18-24", "25-44", "45+"])
    counts = kept.groupby(["year", bands], observed=False)["responses"].sum().unstack()
    result = counts.div(counts.sum(axis=1), axis=0)
    result["responses"] = counts.sum(axis=1)
    result["dropped"] = table[~plausible].groupby("year")["responses"].sum().reindex(result.index, fill_value=0)
    result["median_age"] = kept.groupby("year").apply(_weighted_median, include_groups=False)
    return result


def _weighted_median(group: pd.DataFrame) -> float:
    ordered = group.sort_values("age")
    cumulative = ordered["responses"].cumsum()
    return float(ordered.loc[cumulative >= cumulative.iloc[-1] / 2, "age"].iloc[0])


def band_midpoints(kind: str, open_band_factor: float) -> pd.Series:
    """Midpoint of each answer band (``params/mturk-bands.yaml``); the open top band gets factor × its floor."""
    with open(BANDS_FILE, encoding="utf-8") as handle:
        bands = yaml.safe_load(handle)
    if kind not in bands:
        raise ValueError(f"kind must be one of {list(bands)}, got {kind!r}")
    if open_band_factor < 1:
        raise ValueError(f"open_band_factor must be >= 1, got {open_band_factor}")
    return pd.Series({label: (low + (high if high is not None else open_band_factor * low)) / 2
                      for label, (low, high) in bands[kind].items()}, name=kind)


def implied_hourly_earnings(income: pd.DataFrame, hours: pd.DataFrame, open_band_factor: float) -> pd.DataFrame:
    """Per survey year: mean weekly income / mean weekly hours, from band midpoints (USD per hour).

    A ratio of means (total earnings over total hours of the respondents), not a median of
    individual hourly rates: the two questions are tabulated separately, so individual rates
    cannot be formed. Years in which a question was not asked (empty answer) are left out.
    """
    rows = {}
    for name, table, kind in (("income", income, "weekly_income_usd"), ("hours", hours, "weekly_hours")):
        answered = table.dropna(subset=["v"])
        midpoints = band_midpoints(kind, open_band_factor)
        unknown = sorted(set(answered["v"]) - set(midpoints.index))
        if unknown:
            raise ValueError(f"answer bands not in {BANDS_FILE.name}: {unknown}")
        weighted = answered.assign(value=answered["v"].map(midpoints) * answered["n"]).groupby("y")
        rows[name] = weighted["value"].sum() / weighted["n"].sum()
        rows[f"{name}_responses"] = weighted["n"].sum()
    frame = pd.DataFrame(rows).dropna()
    frame["hourly"] = frame["income"] / frame["hours"]
    return frame.rename_axis("year").rename(columns={"income": "mean_weekly_income_usd",
                                                      "hours": "mean_weekly_hours", "hourly": "usd_per_hour"})


def band_shares(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Share of responses in each answer band per survey year, bands in their natural order.

    ``kind`` names the bands of ``params/mturk-bands.yaml``; years in which the question was not
    asked (empty answers only) are left out.
    """
    order = list(band_midpoints(kind, 1.0).index)
    answered = table.dropna(subset=["v"])
    counts = answered.pivot_table(index="y", columns="v", values="n", aggfunc="sum", fill_value=0)
    return counts.div(counts.sum(axis=1), axis=0).reindex(columns=order).rename_axis("year")
