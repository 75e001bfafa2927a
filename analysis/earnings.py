"""Average earnings by country (ILO), screened, as a benchmark for platform pay.

The benchmark is ILOSTAT's average monthly earnings of employees (both sexes, national), in
2021 PPP dollars (``data/raw/ilostat-earnings``). It is an *average*, not a minimum wage, and in
PPP dollars, not in the nominal currency platforms pay in: comparing nominal platform pay with PPP
earnings is off by the price level (2.5-4 times for India, Pakistan or Bangladesh).
:func:`benchmarks` therefore also gives the earnings in nominal US dollars of their year, with
the World Bank's PPP conversion factor for private consumption and the official exchange rate
(``data/raw/worldbank-price-levels``): ILOSTAT's values are read as current-price local currency
divided by the 2021 PPP (the US series, where a PPP dollar is a US dollar, grows like nominal
earnings), so nominal US$ = PPP $ × PPP(2021) / exchange rate(year). Compare pay with those.

Some observations are implausible (a unit change, an entry error). The limits in
``params/earnings-screen.yaml`` screen them; a screened observation keeps its row and says which
rule screened it, and a country without a usable value gets a missing benchmark with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import yaml
from matplotlib.figure import Figure

from analysis import countries, data, parameters, paths, pay

DATASET = "ilostat-earnings"
PRICE_LEVELS = "worldbank-price-levels"
PPP_YEAR = 2021  # the ICP round ILOSTAT's "2021 PPP $" refer to
SCREEN_FILE = paths.PARAMS / "earnings-screen.yaml"
SCREEN_NUMBERS = ("min_monthly_ppp", "max_monthly_ppp", "max_jump_factor")


def load_screen(path=SCREEN_FILE) -> dict:
    """The screening limits, checked: positive numbers, min < max, a jump factor above 1."""
    with open(path, encoding="utf-8") as handle:
        screen = yaml.safe_load(handle) or {}
    where = paths.shown(path)
    for key in (*SCREEN_NUMBERS, "excluded_status"):
        if key not in screen:
            raise ValueError(f"{where}: '{key}' is missing")
    for key in SCREEN_NUMBERS:
        value = screen[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ValueError(f"{where}: '{key}' must be a positive number, got {value!r}")
    if screen["min_monthly_ppp"] >= screen["max_monthly_ppp"]:
        raise ValueError(f"{where}: 'min_monthly_ppp' must be below 'max_monthly_ppp'")
    if screen["max_jump_factor"] <= 1:
        raise ValueError(f"{where}: 'max_jump_factor' must be above 1, got {screen['max_jump_factor']}")
    if not isinstance(screen["excluded_status"], list):
        raise ValueError(f"{where}: 'excluded_status' must be a list of ILOSTAT observation statuses")
    return screen


def observations(screen: dict | None = None) -> pd.DataFrame:
    """Every national, both-sexes observation with its ISO3 code and the rule that screened it (or '')."""
    screen = load_screen() if screen is None else screen
    table = data.load(DATASET)
    table = table[(table["sex"] == "Total") & (table["area_type"] == "National")]
    table = countries.with_iso3(table, "country")
    monthly = table["earnings_ppp"]
    status = table["obs_status"].astype("string").fillna("")
    screened_by = np.select(
        [monthly < screen["min_monthly_ppp"], monthly > screen["max_monthly_ppp"],
         status.isin(screen["excluded_status"])],
        [f"below {screen['min_monthly_ppp']:g} PPP $", f"above {screen['max_monthly_ppp']:g} PPP $",
         "flagged unreliable by ILOSTAT"],
        default="",
    )
    return (
        table.assign(monthly_ppp=monthly, obs_status=status, screened_by=screened_by)
        [["iso3", "country", "year", "monthly_ppp", "source", "obs_status", "screened_by"]]
        .sort_values(["iso3", "year"])
        .reset_index(drop=True)
    )


def _latest_usable(group: pd.DataFrame, max_jump: float) -> pd.Series:
    usable = group[group["screened_by"] == ""]
    if usable.empty:
        return pd.Series({"year": pd.NA, "monthly_ppp": np.nan, "source": "", "note": "every observation screened"})
    last = usable.iloc[-1]
    note = "break in series" if last["obs_status"] == "Break in series" else ""
    if len(usable) > 1:
        previous = usable.iloc[-2]
        factor = last["monthly_ppp"] / previous["monthly_ppp"]
        if not 1 / max_jump <= factor <= max_jump:
            return pd.Series({"year": last["year"], "monthly_ppp": np.nan, "source": last["source"],
                              "note": f"{last['year']} is {factor:.2g} x {previous['year']}: no benchmark"})
    return pd.Series({"year": last["year"], "monthly_ppp": last["monthly_ppp"], "source": last["source"],
                      "note": note})


def usd_per_ppp_dollar(iso3_codes: pd.Series, years: pd.Series) -> pd.Series:
    """Nominal US dollars of ``year`` per ILOSTAT 2021-PPP dollar: PPP(2021) / exchange rate(year).

    Aligned with ``iso3_codes`` (same index); NaN where the World Bank publishes no 2021
    private-consumption PPP or no exchange rate for that year.
    """
    prices = data.load(PRICE_LEVELS).set_index(["iso3", "year"])
    ppp_2021 = prices["ppp_private_consumption"].xs(PPP_YEAR, level="year")
    exchange = [prices["exchange_rate"].get((iso3, int(year)), np.nan) if pd.notna(year) else np.nan
                for iso3, year in zip(iso3_codes, years, strict=True)]
    return pd.Series(iso3_codes.map(ppp_2021).to_numpy(dtype=float) / np.asarray(exchange, dtype=float),
                     index=iso3_codes.index)


def benchmarks(iso3_codes: Iterable[str], max_year: int, hours_per_month: float,
               screen: dict | None = None) -> pd.DataFrame:
    """Latest usable average earnings up to ``max_year`` for each code, monthly and hourly.

    In 2021 PPP $ (``monthly_ppp``, ``hourly_ppp``) and in nominal US $ of the same year
    (``usd_per_ppp``, ``hourly_usd``; see the module's docstring). Every requested code gets a
    row: a country missing from the extract, or whose values are all screened or jump, has NaN
    earnings and a ``note`` saying why; one without a World Bank price level has NaN US dollars
    and a note saying so.
    """
    max_year = parameters.check("earnings_max_year", max_year)
    screen = load_screen() if screen is None else screen
    codes = list(dict.fromkeys(iso3_codes))
    table = observations(screen)
    table = table[table["year"] <= max_year]
    latest = table.groupby("iso3")[table.columns].apply(_latest_usable, max_jump=screen["max_jump_factor"])
    result = latest.reindex(codes)
    result["note"] = result["note"].fillna(f"not in the ILO extract up to {max_year}")
    result["source"] = result["source"].fillna("")
    result["year"] = result["year"].astype("Int64")
    result["monthly_ppp"] = result["monthly_ppp"].astype(float)
    result["hourly_ppp"] = pay.hourly_from_monthly(result["monthly_ppp"], hours_per_month)
    result.index.name = "iso3"
    result["usd_per_ppp"] = usd_per_ppp_dollar(pd.Series(result.index, index=result.index), result["year"])
    result["hourly_usd"] = result["hourly_ppp"] * result["usd_per_ppp"]
    no_price = result["hourly_ppp"].notna() & result["usd_per_ppp"].isna()
    result.loc[no_price, "note"] = (result.loc[no_price, "note"] + "; no World Bank price level: no US$ value").str.lstrip("; ")
    return result[["year", "monthly_ppp", "hourly_ppp", "usd_per_ppp", "hourly_usd", "source", "note"]]


def screened_observations(screen: dict | None = None) -> pd.DataFrame:
    """The observations the screen set aside, with the rule that did (for the notebooks to show)."""
    table = observations(screen)
    return table[table["screened_by"] != ""].reset_index(drop=True)


def plot_hourly(table: pd.DataFrame, title: str, group: str | None = None) -> Figure:
    """Bars of average hourly earnings (2021 PPP $) by row label, coloured by ``group`` if given.

    ``table`` is :func:`benchmarks`' output with readable labels as index; rows without a
    benchmark are left out of the bars and named under the chart with the reason.
    """
    shown = table.dropna(subset=["hourly_ppp"]).sort_values("hourly_ppp")
    missing = table[table["hourly_ppp"].isna()]
    fig, ax = plt.subplots(figsize=(8.0, 1.2 + 0.4 * len(shown)))
    if group is None:
        ax.barh(shown.index.astype(str), shown["hourly_ppp"], color=sns.color_palette()[0])
    else:
        colours = dict(zip(dict.fromkeys(table[group]), sns.color_palette(), strict=False))
        ax.barh(shown.index.astype(str), shown["hourly_ppp"], color=[colours[value] for value in shown[group]])
        handles = [plt.Rectangle((0, 0), 1, 1, color=colour) for colour in colours.values()]
        ax.legend(handles, list(colours), loc="lower right", fontsize=8)
    for y, (value, year) in enumerate(zip(shown["hourly_ppp"], shown["year"], strict=True)):
        ax.text(value, y, f" {value:,.1f} ({year})", va="center", fontsize=8)
    unavailable = "; ".join(f"{name} ({note})" for name, note in missing["note"].items())
    ax.set_xlabel("average hourly earnings of employees, 2021 PPP $ (ILO; year in brackets)"
                  + (f"\nNo ILO benchmark: {unavailable}" if unavailable else ""))
    ax.set_xlim(0, shown["hourly_ppp"].max() * 1.25 if len(shown) else 1)
    ax.set_title(title)
    return fig
