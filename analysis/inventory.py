"""A living inventory of online labour platforms: what kinds there are, and where they reach.

``data/inventory/platforms.csv`` is compiled by the compendium from the seed papers and
public knowledge (see its PROVENANCE.md): one row per platform with its type, the country
of its headquarters, the languages of its worker interface, and whether it is known to
operate in France and in Spanish-speaking countries. An empty cell means *unknown*, never
*no*. It is not a sample frame: the DiPLab inventory of 23 platforms operating in France
(Casilli et al. 2019) and the TRIA inventory for Spanish-speaking countries are not public.
The file holds no registered-user numbers.

The registry entry ``platform-inventory`` checks the columns, the types and the unique
names and domains; :func:`check` adds what a schema cannot: country codes from
``data/raw/country-codes``, language codes from :data:`LANGUAGES`, and bare domains.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis import data, paths
from analysis.data import DataError, csv_lines

DATASET = "platform-inventory"
FILE = "data/inventory/platforms.csv"
UNKNOWN = "unknown"

TYPES: tuple[str, ...] = (
    "micro-task marketplace",
    "online freelancing marketplace",
    "software testing / user research",
    "field tasks and mystery shopping",
    "data-annotation vendor with its own crowd",
    "survey panel",
    "paid-to-click / rewards",
)
REACH_COLUMNS = {"France": "operates_in_france", "Spanish-speaking countries": "operates_in_spanish_speaking"}

# ISO 639-1 codes accepted in `worker_languages`: a deliberate subset, the languages a
# platform's worker interface plausibly offers (the world's most-used languages and the
# official languages of the EU and of the large platform-work countries). A platform in a
# language missing here: add its ISO 639-1 code to this set (the test checks every code
# against the language lists of data/raw/country-codes).
LANGUAGES: frozenset[str] = frozenset({
    "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fr",
    "ga", "gl", "he", "hi", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nl",
    "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sv", "sw", "ta", "th", "tl", "tr", "uk",
    "ur", "vi", "zh",
})
LANGUAGE_SEPARATOR = ";"
DOMAIN = re.compile(r"^(?!www\.)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def _bad(where: str, column: str, mask: pd.Series, values: pd.Series, rule: str) -> DataError:
    shown = sorted(set(values[mask].astype(str)))
    return DataError(f"{where}: column '{column}' {rule} on {csv_lines(mask)}: {shown}")


def check(frame: pd.DataFrame, where: str = FILE) -> pd.DataFrame:
    """Cross-checks a schema cannot do; return ``frame`` unchanged or raise :class:`DataError`.

    * ``hq_country``: an ISO 3166-1 alpha-2 code listed in ``data/raw/country-codes``;
    * ``worker_languages``: ``;``-separated two-letter lowercase codes from :data:`LANGUAGES`,
      none repeated;
    * ``domain``: a bare lowercase domain (no scheme, path or ``www.``).

    Empty cells pass (unknown). ``frame`` must keep the CSV's row order and a 0-based index,
    so that errors name CSV lines (header = line 1).
    """
    countries = set(data.load("country-codes")["ISO3166-1-Alpha-2"])
    hq = frame["hq_country"]
    bad_country = hq.notna() & ~hq.isin(countries)
    if bad_country.any():
        raise _bad(where, "hq_country", bad_country, hq, "has codes that are not ISO 3166-1 alpha-2 "
                   "(data/raw/country-codes)")

    cells = frame["worker_languages"].map(lambda cell: cell.split(LANGUAGE_SEPARATOR) if isinstance(cell, str) else [])
    outside = cells.map(lambda codes: [code for code in codes if code not in LANGUAGES])
    bad_language = outside.map(bool).astype(bool)
    if bad_language.any():
        raise DataError(
            f"{where}: column 'worker_languages' has codes outside the ISO 639-1 list of analysis/inventory.py "
            f"(write e.g. 'en;fr') on {csv_lines(bad_language)}: {sorted({c for codes in outside for c in codes})}"
        )
    repeated = cells.map(lambda codes: len(codes) != len(set(codes))).astype(bool)
    if repeated.any():
        raise _bad(where, "worker_languages", repeated, frame["worker_languages"], "repeats a code")

    domains = frame["domain"]
    bad_domain = domains.notna() & ~domains.fillna("").str.fullmatch(DOMAIN)
    if bad_domain.any():
        raise _bad(where, "domain", bad_domain, domains, "is not a bare lowercase domain such as 'mturk.com'")
    return frame


def load() -> pd.DataFrame:
    """The inventory, checked against its registry entry and by :func:`check`."""
    frame = data.load(DATASET)
    return check(frame, paths.shown(data.dataset(DATASET).path))


def counts(frame: pd.DataFrame, column: str) -> pd.Series:
    """Number of platforms per value of ``column``, largest first; empty cells counted as 'unknown' (last)."""
    known = frame[column].dropna().value_counts()
    known = known.sort_index().sort_values(ascending=False, kind="stable")
    missing = int(frame[column].isna().sum())
    result = pd.concat([known, pd.Series({UNKNOWN: missing})]) if missing else known
    return result.rename("platforms").rename_axis(column).astype(int)


def languages(frame: pd.DataFrame) -> pd.Series:
    """Number of platforms whose worker interface offers each language (a platform counts once per language).

    Platforms whose languages are not recorded are counted as 'unknown' (last).
    """
    exploded = frame["worker_languages"].str.split(LANGUAGE_SEPARATOR).explode()
    return counts(pd.DataFrame({"language": exploded}), "language")


def _known(series: pd.Series, value: str) -> pd.Series:
    return series.eq(value).fillna(False).astype(bool)


def reach(frame: pd.DataFrame) -> pd.DataFrame:
    """Platforms known to operate (yes), known not to (no) and unknown, for France, Spanish-speaking
    countries, both and either.

    'Both' and 'either' follow three-valued logic: both is *yes* when both are yes and *no*
    when either is no; either is *yes* when one is yes and *no* when both are no; the rest
    is unknown. Each row sums to the number of platforms.
    """
    yes = {label: _known(frame[column], "yes") for label, column in REACH_COLUMNS.items()}
    no = {label: _known(frame[column], "no") for label, column in REACH_COLUMNS.items()}
    france, spanish = REACH_COLUMNS
    rows = {label: (yes[label], no[label]) for label in REACH_COLUMNS}
    rows["both"] = (yes[france] & yes[spanish], no[france] | no[spanish])
    rows["either"] = (yes[france] | yes[spanish], no[france] & no[spanish])
    table = pd.DataFrame(
        {label: {"yes": int(y.sum()), "no": int(n.sum()), UNKNOWN: int((~y & ~n).sum())}
         for label, (y, n) in rows.items()}
    ).T
    table["platforms"] = len(frame)
    return table.rename_axis("operates in")


def plot_types(frame: pd.DataFrame) -> plt.Figure:
    """Horizontal bars: platforms per type, split by whether they are known to operate in France."""
    status = frame["operates_in_france"].fillna(UNKNOWN)
    table = pd.crosstab(frame["type"], status).reindex(
        index=[t for t in reversed(TYPES) if t in set(frame["type"])],
        columns=["yes", "no", UNKNOWN], fill_value=0)
    colours = dict(zip(["yes", "no", UNKNOWN], [sns.color_palette()[0], sns.color_palette()[3], "0.75"]))
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.5))
    left = pd.Series(0, index=table.index)
    for answer in table.columns:
        ax.barh(table.index, table[answer], left=left, color=colours[answer], label=answer)
        left = left + table[answer]
    ax.set_xlabel("platforms in the inventory")
    ax.set_ylabel("")
    ax.set_title("Online labour platforms by type")
    ax.legend(title="operates in France", loc="lower right")
    ax.xaxis.get_major_locator().set_params(integer=True)
    return fig
