"""Countries: one name-matching step shared by every dataset, and where online workers live.

Sources name countries differently: the Online Labour Index (OLI) writes "United States" and
"Macedonia", the World Bank "Russian Federation" and "Egypt, Arab Rep.". Every name is
matched once, here, to an ISO 3166 alpha-3 code — first automatically against the CLDR, UN
and official English names of ``data/raw/country-codes``, then through the hand-reviewed
aliases of ``params/country-names.yaml``. Names that match nothing are reported, never
dropped silently. The World Bank tables carry the codes already and are joined on them.

The OLI worker data are sampled worker profiles on four English-language platforms,
weighted by vacancies: the producer warns they support shares only, not levels.
"""

from __future__ import annotations

import re
import unicodedata

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from statsmodels.stats.proportion import proportion_confint

from analysis import data, paths

NAME_COLUMNS = ("CLDR display name", "UNTERM English Short", "official_name_en", "UNTERM English Formal")
ALIASES_FILE = paths.PARAMS / "country-names.yaml"
ALL_OCCUPATIONS = "ALL OCCUPATIONS"
MICROWORK_OCCUPATION = "Clerical & Data Entry"  # the OLI category closest to micro-work


def _normal(name: str) -> str:
    """A comparison key: no accents, case, punctuation or leading 'the'."""
    text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^a-z0-9 ]", " ", text)
    return re.sub(r"^the ", "", " ".join(text.split()))


def _lookup() -> dict[str, str]:
    codes = data.load("country-codes")
    lookup: dict[str, str] = {}
    for column in NAME_COLUMNS:
        for name, iso3 in zip(codes[column], codes["ISO3166-1-Alpha-3"], strict=True):
            if isinstance(name, str) and name.strip():
                lookup.setdefault(_normal(name), iso3)
    return lookup


def aliases() -> dict[str, str]:
    """Hand-reviewed name → ISO3 matches (``params/country-names.yaml``)."""
    with open(ALIASES_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def match(names: pd.Series | list[str]) -> pd.DataFrame:
    """ISO3 code of each distinct name, and how it was found (``name``, ``alias`` or unmatched)."""
    lookup, manual = _lookup(), aliases()
    rows = []
    for name in sorted(set(names)):
        if name in manual:
            rows.append((name, manual[name], "alias"))
        elif _normal(name) in lookup:
            rows.append((name, lookup[_normal(name)], "name"))
        else:
            rows.append((name, pd.NA, "unmatched"))
    return pd.DataFrame(rows, columns=["name", "iso3", "matched_by"]).set_index("name")


def unmatched(names: pd.Series | list[str]) -> list[str]:
    """Names no rule matches: to be added to ``params/country-names.yaml``."""
    table = match(names)
    return table.index[table["matched_by"] == "unmatched"].tolist()


def with_iso3(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with an ``iso3`` column; raises ValueError listing any name that did not match."""
    missing = unmatched(frame[column])
    if missing:
        raise ValueError(f"country names not matched in column '{column}': {missing}; add them to {ALIASES_FILE.name}")
    return frame.assign(iso3=frame[column].map(match(frame[column])["iso3"]))


def reference() -> pd.DataFrame:
    """Per ISO3 code: English name, UN region and sub-region, and whether Spanish is the first language."""
    codes = data.load("country-codes").set_index("ISO3166-1-Alpha-3")
    spanish = codes["Languages"].fillna("").str.match(r"^es\b")
    latin = (codes["Sub-region Name"] == "Latin America and the Caribbean") | (codes.index == "ESP")
    return pd.DataFrame({
        "country": codes["CLDR display name"],
        "region": codes["Region Name"],
        "subregion": codes["Sub-region Name"],
        "spanish_speaking": spanish & latin,
    })


def population(year: int) -> pd.Series:
    """World Bank population by ISO3 code for ``year`` (aggregates such as 'World' have no ISO3 match)."""
    table = data.load("worldbank-population")
    chosen = table[table["Year"] == year]
    if chosen.empty:
        raise ValueError(f"no World Bank population for {year} (years {table['Year'].min()}-{table['Year'].max()})")
    return chosen.set_index("Country Code")["Value"].rename("population")


# --- OLI worker profiles ------------------------------------------------------------------------


def oli_profiles() -> pd.DataFrame:
    """OLI 2020 sampled worker profiles by country (with ISO3), occupation and gender.

    Rows with gender empty are profiles whose gender was not determined (not totals); the
    ``ALL OCCUPATIONS`` rows are the sums over occupations.
    """
    table = data.load("oli-worker-gender").rename(columns={"country": "oli_name", "Occupation": "occupation"})
    table["gender"] = table["gender"].fillna("not determined")
    return with_iso3(table, "oli_name")


def country_shares(profiles: pd.DataFrame) -> pd.DataFrame:
    """Each country's profiles and share of all sampled profiles (all occupations, all genders)."""
    totals = profiles[profiles["occupation"] == ALL_OCCUPATIONS].groupby("iso3")["count"].sum()
    frame = pd.DataFrame({"profiles": totals, "share": totals / totals.sum()})
    return frame.join(reference()[["country", "subregion", "spanish_speaking"]]).sort_values("share", ascending=False)


def occupation_mix(profiles: pd.DataFrame) -> pd.DataFrame:
    """Share of each occupation in each country's profiles (rows: ISO3, columns: occupations)."""
    by_occupation = profiles[profiles["occupation"] != ALL_OCCUPATIONS].pivot_table(
        index="iso3", columns="occupation", values="count", aggfunc="sum", fill_value=0)
    return by_occupation.div(by_occupation.sum(axis=1), axis=0)


def women_share(profiles: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Women among profiles whose gender was determined, with a Wilson interval, by country.

    Treats the sampled profiles as a simple random sample of each country's workers: the
    OLI sample is weighted by platform vacancies, so the interval is only indicative.
    """
    totals = profiles[profiles["occupation"] == ALL_OCCUPATIONS].pivot_table(
        index="iso3", columns="gender", values="count", aggfunc="sum", fill_value=0)
    known = totals["female"] + totals["male"]
    known = known[known > 0]
    women = totals.loc[known.index, "female"]
    lower, upper = proportion_confint(women, known, alpha=1 - level, method="wilson")
    return pd.DataFrame({"women": women, "with_gender": known, "share": women / known, "lower": lower,
                         "upper": upper}).join(reference()["country"])


def per_million(allocated: pd.Series, year: int) -> pd.Series:
    """Workers per million inhabitants, from counts by ISO3 and the World Bank population of ``year``.

    Territories the World Bank does not list separately (e.g. Taiwan, Jersey) get NaN; list
    them with :func:`without_population`.
    """
    return allocated / population(year).reindex(allocated.index) * 1e6


def without_population(codes: pd.Index, year: int) -> list[str]:
    """The ISO3 codes among ``codes`` that have no World Bank population for ``year``."""
    return sorted(set(codes) - set(population(year).index))


def plot_focus(table: pd.DataFrame, value: str, label: str, title: str) -> plt.Figure:
    """Dot chart of ``value`` by country (rows already chosen and labelled in ``table['country']``)."""
    ordered = table.sort_values(value)
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(ordered) + 1.4))
    colours = np.where(ordered["country"] == "France", "C3", np.where(ordered["spanish_speaking"], "C0", "0.5"))
    ax.scatter(ordered[value], ordered["country"], c=colours, s=36, zorder=3)
    if {"lower", "upper"} <= set(ordered.columns):
        ax.hlines(ordered["country"], ordered["lower"], ordered["upper"], colors=colours, linewidth=1.5)
    ax.set_xlabel(label)
    ax.set_title(title)
    return fig


def buyers_and_workers(employer_shares: pd.Series, worker_shares: pd.Series) -> pd.DataFrame:
    """Each country's share of vacancies posted (buyers) beside its share of worker profiles (sellers).

    A ratio above 1 means the country buys more online work than its workers supply on these
    platforms. Both series are indexed by ISO3 and sum to 1; countries present in only one of
    them get a share of 0 in the other, not dropped.
    """
    for name, shares in (("employer_shares", employer_shares), ("worker_shares", worker_shares)):
        if not np.isclose(shares.sum(), 1.0, atol=1e-9):
            raise ValueError(f"{name} must sum to 1, sums to {shares.sum():.6f}")
    table = pd.DataFrame({"employer_share": employer_shares, "worker_share": worker_shares}).fillna(0.0)
    table["buyer_to_worker_ratio"] = table["employer_share"] / table["worker_share"].where(table["worker_share"] > 0)
    return table.join(reference()[["country", "spanish_speaking"]]).sort_values("employer_share", ascending=False)


def plot_buyers_and_workers(table: pd.DataFrame, labelled: int = 12) -> plt.Figure:
    """Log-log scatter of employer share against worker share; the diagonal is balance."""
    shown = table[(table["employer_share"] > 0) & (table["worker_share"] > 0)]
    fig, ax = plt.subplots(figsize=(7, 6))
    colours = np.where(shown.index == "FRA", "C3", np.where(shown["spanish_speaking"], "C0", "0.55"))
    ax.scatter(100 * shown["worker_share"], 100 * shown["employer_share"], c=colours, s=22, zorder=3)
    low = 100 * min(shown["worker_share"].min(), shown["employer_share"].min()) / 1.5
    ax.plot([low, 100], [low, 100], color="0.3", linestyle="--", linewidth=1, label="as many buyers as workers")
    top = shown.nlargest(labelled, "employer_share").index.union(shown.nlargest(labelled, "worker_share").index)
    for code in top.union(shown.index.intersection(["FRA", "ESP"])):
        ax.annotate(shown.loc[code, "country"], (100 * shown.loc[code, "worker_share"], 100 * shown.loc[code, "employer_share"]),
                    xytext=(3, 3), textcoords="offset points", fontsize=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("share of worker profiles, OLI 2020 (%)")
    ax.set_ylabel("share of vacancies posted, OLI 2017 snapshot (%)")
    ax.set_title("Who buys and who works: online labour across countries")
    ax.legend(fontsize=8, loc="upper left")
    return fig
