"""Countries: one name-matching step shared by every dataset, and where online workers live.

Sources name countries differently: the Online Labour Index (OLI) writes "United States" and
"Macedonia", the World Bank "Russian Federation" and "Egypt, Arab Rep.". Every name is
matched once, here, to an ISO 3166 alpha-3 code — first automatically against the CLDR, UN
and official English names of ``data/raw/country-codes``, then through the hand-reviewed
aliases of ``params/country-names.yaml``. Names that match nothing are reported, never
dropped silently. The World Bank tables carry the codes already and are joined on them.

Where online workers live comes from the OLI worker supplement: vacancy-weighted shares of
recently active worker profiles on English-language platforms (shares only, not levels, as its
producer warns). Its raw daily file could not be obtained here, so the shares are those the OLI
team and others published (``oli-worker-shares-published``) and the continent shares a third
party computed from the raw file (``oli-worker-regions-2023-2024``). The OLI gender sample
(``oli-worker-gender``) is unweighted and its country mix is far from the supplement's (India
3.4 % against 33 %): it is used for women's shares and occupation mixes within a country only,
never for where workers live.
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


# --- where online workers live: what the OLI has published ------------------------------------

LATEST_PUBLISHED = ("OLI2020_blog", "2021-01-01")  # the OLI team's own 2021 shares (verified)
RANKING = "WB_AtYourService_Fig3.14"  # the top 20 supplier countries, June 2017 - October 2020


def oli_published_shares() -> pd.DataFrame:
    """Country shares (or ranks) of online workers as published from the OLI worker supplement."""
    return data.load("oli-worker-shares-published")


def oli_shares_2021() -> pd.Series:
    """The OLI team's published shares of online workers for 2021, by ISO3 (India 0.33, Bangladesh 0.15)."""
    table = oli_published_shares()
    source, start = LATEST_PUBLISHED
    chosen = table[(table["source_id"] == source) & (table["period_start"] == start) & table["share"].notna()
                   & table["iso3"].notna()]
    return chosen.set_index("iso3")["share"].rename("share")


def oli_top_countries(count: int) -> list[str]:
    """ISO3 codes of the ``count`` largest supplier countries of online work, in the World Bank's order."""
    table = oli_published_shares()
    ranked = table[table["source_id"] == RANKING].sort_values("rank")
    if not 1 <= count <= len(ranked):
        raise ValueError(f"count must lie between 1 and {len(ranked)} (countries ranked), got {count}")
    return ranked["iso3"].head(count).tolist()


def continents() -> pd.Series:
    """The OLI's continent of each ISO3 code (its country -> continent map; names without a code are left out)."""
    table = data.load("oli-countries-regions")
    codes = match(table["Country"])["iso3"]
    table = table.assign(iso3=table["Country"].map(codes)).dropna(subset=["iso3"])
    return table.drop_duplicates("iso3").set_index("iso3")["Continent"].rename("continent")


def oli_regions(year: int) -> pd.DataFrame:
    """Shares of online workers by continent (Jan-Aug 2023 and 2024) with each continent's population in ``year``."""
    regions = data.load("oli-worker-regions-2023-2024").set_index("region")
    shares = regions["share_of_world"] / 100
    people = population(year).groupby(continents()).sum()
    return pd.DataFrame({"share": shares, "population": people.reindex(shares.index)}).sort_values(
        "share", ascending=False)


def gender_sample_against_published() -> pd.DataFrame:
    """Why the gender sample must not say where workers live: its country shares beside the OLI's 2021 shares."""
    sample = country_shares(oli_profiles())["share"]
    published = oli_shares_2021()
    codes = published.index.union(sample.head(5).index, sort=False)
    table = pd.DataFrame({"gender sample (unweighted)": sample.reindex(codes),
                          "OLI 2021 (published, vacancy-weighted)": published.reindex(codes)})
    return table.join(reference()["country"]).set_index("country")


# --- the OLI gender sample: women's shares and occupation mixes within a country --------------


def oli_profiles() -> pd.DataFrame:
    """OLI 2020 gender sample: sampled worker profiles by country (with ISO3), occupation and gender.

    Unweighted and not representative of where workers live (see the module's docstring). Rows
    with gender empty are profiles whose gender was not determined (not totals); the
    ``ALL OCCUPATIONS`` rows are the sums over occupations.
    """
    table = data.load("oli-worker-gender").rename(columns={"country": "oli_name", "Occupation": "occupation"})
    table["gender"] = table["gender"].fillna("not determined")
    return with_iso3(table, "oli_name")


def country_shares(profiles: pd.DataFrame) -> pd.DataFrame:
    """Each country's profiles and share of the gender sample's profiles: a property of the sample, not of the workforce."""
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


def plot_per_million(table: pd.DataFrame, title: str, source: str) -> plt.Figure:
    """Dot chart of workers per million inhabitants (``table['per_million']``), one row per label of the index."""
    ordered = table.sort_values("per_million")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(ordered) + 1.6))
    ax.scatter(ordered["per_million"], ordered.index.astype(str), color="C0", s=40, zorder=3)
    for label, value in ordered["per_million"].items():
        ax.annotate(f"{value:,.0f}", (value, str(label)), xytext=(6, 0), textcoords="offset points", va="center",
                    fontsize=8)
    ax.set_xlim(0, ordered["per_million"].max() * 1.2)
    ax.set_xlabel("online workers per million inhabitants")
    ax.set_title(title, fontsize=10)
    fig.text(0.01, -0.02, source, fontsize=7, color="0.35", va="top", wrap=True)
    return fig


NO_CONTINENT = "not in the OLI continent map"


def by_continent(shares: pd.Series) -> pd.Series:
    """Shares by ISO3 summed by the OLI's continents; codes the map lacks are summed under ``NO_CONTINENT``."""
    continent = continents().reindex(shares.index).fillna(NO_CONTINENT)
    return shares.groupby(continent).sum()


def buyers_and_workers(employer_shares: pd.Series, worker_shares: pd.Series) -> pd.DataFrame:
    """Each place's share of vacancies posted (buyers) beside its share of online workers (sellers).

    Both series share an index (e.g. continents) and each sums to at most 1 (published shares
    may leave a little unassigned). A ratio above 1 means the place buys more online work than
    its workers supply on these platforms; a place present in one series only gets a share of
    0 in the other, not dropped.
    """
    for name, shares in (("employer_shares", employer_shares), ("worker_shares", worker_shares)):
        if (shares < 0).any() or shares.sum() > 1 + 1e-9:
            raise ValueError(f"{name} must be shares >= 0 summing to at most 1, sum to {shares.sum():.6f}")
    table = pd.DataFrame({"employer_share": employer_shares, "worker_share": worker_shares}).fillna(0.0)
    table["buyer_to_worker_ratio"] = table["employer_share"] / table["worker_share"].where(table["worker_share"] > 0)
    return table.sort_values("employer_share", ascending=False)


def plot_buyers_and_workers(table: pd.DataFrame, title: str, source: str) -> plt.Figure:
    """Dot chart: each row's share of vacancies posted and of online workers, in percent."""
    ordered = table.sort_values("worker_share")
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(ordered) + 1.8))
    labels = ordered.index.astype(str)
    ax.hlines(labels, 100 * ordered[["employer_share", "worker_share"]].min(axis=1),
              100 * ordered[["employer_share", "worker_share"]].max(axis=1), color="0.75", linewidth=2, zorder=1)
    ax.scatter(100 * ordered["employer_share"], labels, marker="s", s=50, color="C1", label="vacancies posted (buyers)",
               zorder=3)
    ax.scatter(100 * ordered["worker_share"], labels, marker="o", s=50, color="C0", label="online workers (sellers)",
               zorder=3)
    ax.set_xlim(0, 100 * ordered[["employer_share", "worker_share"]].max().max() * 1.1)
    ax.set_xlabel("share (%)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.text(0.01, -0.02, source, fontsize=7, color="0.35", va="top", wrap=True)
    return fig
