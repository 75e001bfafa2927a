"""Demand for online work: the Online Labour Index (OLI) vacancy series and who posts the vacancies.

The OLI (Kässi & Lehdonvirta 2018, Technological Forecasting and Social Change 137:241-248;
data: figshare 10.6084/m9.figshare.3761562) counts the *new* vacancies posted each day on the
largest English-language online labour platforms, by occupation, including a "Microwork"
category. ``data/raw/oli-demand-monthly`` holds its monthly means, indexed so that the mean
daily total of May 2016 = 100, 2016-05 to 2024-08; they are index points, not vacancy counts.

Trends are log-linear: log(value) = a + b · years, fitted by OLS with Newey-West (HAC)
standard errors; exp(b) - 1 is the annual growth. Seasonality is separated with STL on the
log values. ``data/raw/oli-employer-country-snapshot-2017`` is one day (2017-04-11) of
vacancies by the employer's (buyer's) country and occupation.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter, ScalarFormatter
from statsmodels.regression.linear_model import OLS
from statsmodels.tsa.seasonal import STL

from analysis import checks, countries, data

TOTAL = "Total"
MICROWORK = "Microwork"
MIN_TREND_POINTS = 24  # two years of months: fewer cannot tell a trend from a seasonal swing
LEVEL = 0.95
INDEX_LABEL = "index points (May 2016 total = 100)"

# The COVID-19 pandemic as shaded on the demand figures: first and last month, both included.
# Start: March 2020, when the WHO declared a pandemic (11 March) and the first lockdowns began
# in Europe and North America, where most OLI employers are. End: December 2021, a convention —
# by then most OECD economies had lifted lockdown-type restrictions; the WHO ended the public
# health emergency only in May 2023, so any end month is a judgement call. The 2021 jump of the
# Microwork series (March-June 2021, present in the source data) falls inside this period.
PANDEMIC = (pd.Timestamp("2020-03-01"), pd.Timestamp("2021-12-01"))


# --- the monthly series --------------------------------------------------------------------------


def _monthly_frame(name: str) -> pd.DataFrame:
    entry = data.dataset(name)
    table, where = data.read_checked(entry), entry.file
    months = pd.to_datetime(table["date"], format="%Y-%m-%d", errors="coerce")
    bad = months.isna() | (months.dt.day != 1)
    if bad.any():
        raise data.DataError(f"{where}: column 'date' is not the first day of a month (YYYY-MM-01) on "
                             f"{data.csv_lines(bad)}")
    gaps = _missing_months(months.dt.to_period("M"))
    if months.duplicated().any() or not months.is_monotonic_increasing or gaps:
        raise data.DataError(f"{where}: column 'date' must list every month once, in order"
                             + (f"; missing {data.listed('month', gaps)}" if gaps else ""))
    frame = table.drop(columns="date").astype(float).set_index(pd.DatetimeIndex(months, name="month"))
    return frame.asfreq("MS")


def levels() -> pd.DataFrame:
    """OLI new-vacancy index points by month (month-start index): the seven occupations, then ``Total``."""
    frame = _monthly_frame("oli-demand-levels")
    return frame[[column for column in frame.columns if column != TOTAL] + [TOTAL]]


def shares() -> pd.DataFrame:
    """Each occupation's share of the month's total OLI index points (%, rows sum to 100), by month."""
    return _monthly_frame("oli-demand-shares")


def _missing_months(months: pd.PeriodIndex | pd.Series) -> list[str]:
    """The months between the first and the last of ``months`` that are not among them."""
    months = pd.PeriodIndex(months)
    if months.empty:
        return []
    return [str(month) for month in pd.period_range(months.min(), months.max(), freq="M").difference(months)]


def _check_monthly(series: pd.Series, minimum: int) -> pd.Series:
    """``series`` sorted and re-indexed by monthly periods, after checking it is a regular positive series.

    Raises ValueError naming the series and the offending months: a month given twice, missing
    months inside the range, values that are not positive finite numbers, or fewer than
    ``minimum`` months.
    """
    name = f"series '{series.name}'" if series.name is not None else "series"
    if not isinstance(series.index, pd.DatetimeIndex):
        raise ValueError(f"{name} must be indexed by dates (a DatetimeIndex of months), got {type(series.index).__name__}")
    series = series.sort_index()
    months = series.index.to_period("M")
    if months.has_duplicates:
        repeated = sorted({str(month) for month in months[months.duplicated()]})
        raise ValueError(f"{name} has more than one value for {data.listed('month', repeated)}")
    missing = _missing_months(months)
    if missing:
        raise ValueError(f"{name} is not a regular monthly series: missing {data.listed('month', missing)}")
    values = pd.to_numeric(pd.Series(series.to_numpy(), index=months), errors="coerce").astype(float)
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        raise ValueError(f"{name} must be positive (its log is taken): not a positive number in "
                         f"{data.listed('month', [str(m) for m in months[bad.to_numpy()]])}")
    if len(values) < minimum:
        raise ValueError(f"{name} has {len(values)} months; at least {minimum} are needed")
    return values.rename(series.name)


def _years(months: pd.PeriodIndex) -> np.ndarray:
    """Time in years since the first month, counted in months / 12 (so equal months are equal steps)."""
    ordinal = months.year.to_numpy() * 12 + months.month.to_numpy()
    return (ordinal - ordinal[0]) / 12


def log_linear_trend(series: pd.Series, maxlags: int = 12, level: float = LEVEL) -> pd.Series:
    """Exponential trend of a positive monthly series: OLS of log(value) on time in years.

    log(y_t) = a + b · t, t = months since the first month / 12. Returns ``slope`` b, its
    ``stderr`` and ``p_value`` (H0: b = 0), ``annual_growth`` exp(b) - 1 with its interval
    ``growth_lower``/``growth_upper`` (exp of the normal interval of b, ``level`` = 95 %), and
    ``n`` months. Standard errors are Newey-West (HAC, Bartlett kernel, statsmodels' default
    of no small-sample correction): they correct for autocorrelation and heteroskedasticity
    of the residuals, which monthly vacancy series have (on the OLI series they are 2-3.5
    times the plain OLS errors). ``maxlags`` = 12 covers a year of monthly lags. Raises
    ValueError unless the series is positive, has at least 24 months and a regular monthly
    index (a gap names the missing months).
    """
    values = _check_monthly(series, MIN_TREND_POINTS)
    if isinstance(maxlags, bool) or not isinstance(maxlags, int | np.integer) or not 0 <= maxlags < len(values):
        raise ValueError(f"maxlags must be a whole number from 0 to {len(values) - 1} (months), got {maxlags!r}")
    level = checks.open_unit("level", level)
    exog = np.column_stack([np.ones(len(values)), _years(values.index)])
    fit = OLS(np.log(values.to_numpy()), exog).fit(cov_type="HAC", cov_kwds={"maxlags": int(maxlags)})
    slope, stderr = float(fit.params[1]), float(fit.bse[1])
    lower, upper = fit.conf_int(alpha=1 - level)[1]
    return pd.Series({
        "slope": slope, "stderr": stderr, "p_value": float(fit.pvalues[1]), "annual_growth": np.expm1(slope),
        "growth_lower": np.expm1(lower), "growth_upper": np.expm1(upper), "n": float(len(values)),
    }, name=series.name)


def trends(frame: pd.DataFrame, maxlags: int = 12, level: float = LEVEL) -> pd.DataFrame:
    """:func:`log_linear_trend` of every column of ``frame``, one row per column."""
    return pd.DataFrame({column: log_linear_trend(frame[column], maxlags, level) for column in frame.columns}).T \
        .astype({"n": int}).rename_axis("series")


def decompose(series: pd.Series, period: int = 12, robust: bool = True) -> pd.DataFrame:
    """STL (seasonal-trend decomposition by Loess; Cleveland et al. 1990) of log(series).

    log(y_t) = trend_t + seasonal_t + resid_t; the columns ``observed``, ``trend``,
    ``seasonal`` and ``resid`` are on the log scale (a seasonal value of 0.05 ≈ 5 % above
    trend). ``robust`` down-weights outlying months (such as the 2021 Microwork jump) in the
    Loess fits. Needs a positive regular monthly series of at least two periods.
    """
    if isinstance(period, bool) or not isinstance(period, int | np.integer) or period < 2:
        raise ValueError(f"period must be a whole number of months >= 2, got {period!r}")
    values = _check_monthly(series, 2 * period)
    logged = pd.Series(np.log(values.to_numpy()), index=values.index.to_timestamp(), name=series.name).asfreq("MS")
    fit = STL(logged, period=period, robust=robust).fit()
    return pd.DataFrame({"observed": fit.observed, "trend": fit.trend, "seasonal": fit.seasonal,
                         "resid": fit.resid}).rename_axis("month")


def growth_between(series: pd.Series, start: str | pd.Timestamp, end: str | pd.Timestamp) -> float:
    """Compound annual growth between two months: (y_end / y_start) ^ (12 / months apart) - 1.

    Two single months, so sensitive to what happened in those months. The Oxford Internet
    Institute's "about 11 % a year over five years" for the OLI is for a different period (the
    five years before 2021); compare with it only over the same months.
    """
    if not isinstance(series.index, pd.DatetimeIndex):
        raise ValueError(f"series must be indexed by dates (a DatetimeIndex of months), got {type(series.index).__name__}")
    months = series.index.to_period("M")
    first, last = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    if last <= first:
        raise ValueError(f"end ({last}) must be after start ({first})")
    values = []
    for month in (first, last):
        found = series[months == month]
        if len(found) != 1:
            raise ValueError(f"month {month} is {'given twice' if len(found) else 'not'} in the series "
                             f"({months.min()} to {months.max()})")
        value = float(found.iloc[0])
        if not value > 0:
            raise ValueError(f"value of {month} must be positive, got {value}")
        values.append(value)
    elapsed = (last - first).n
    return (values[1] / values[0]) ** (12 / elapsed) - 1


# --- figures -------------------------------------------------------------------------------------


def _shade_pandemic(ax: plt.Axes) -> None:
    start, end = PANDEMIC
    ax.axvspan(start, end + pd.offsets.MonthBegin(1), color="0.5", alpha=0.15, linewidth=0,
               label=f"COVID-19 pandemic ({start:%Y-%m} to {end:%Y-%m})")


def plot_series(frame: pd.DataFrame, columns: list[str], title: str, mark_pandemic: bool = True,
                ylabel: str = INDEX_LABEL) -> plt.Figure:
    """Monthly series of ``columns`` on a log axis (equal slopes = equal growth rates), pandemic shaded."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"columns not in the frame: {missing} (available: {list(frame.columns)})")
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for column in columns:
        ax.plot(frame.index, frame[column], label=column, linewidth=1.3)
    if mark_pandemic:
        _shade_pandemic(ax)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylabel(f"{ylabel}, log scale")
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    return fig


def plot_decomposition(decomposed: pd.DataFrame, title: str) -> plt.Figure:
    """The four STL components of :func:`decompose` in stacked panels sharing the time axis."""
    panels = (("observed", "log observed"), ("trend", "trend"), ("seasonal", "seasonal"), ("resid", "remainder"))
    fig, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(9, 7.5))
    for ax, (column, label) in zip(axes, panels, strict=True):
        if column == "resid":
            ax.axhline(0, color="0.4", linewidth=0.8)
            ax.plot(decomposed.index, decomposed[column], marker=".", linestyle="none", markersize=4)
        else:
            ax.plot(decomposed.index, decomposed[column], linewidth=1.2)
        ax.set_ylabel(label)
    axes[0].set_title(title)
    axes[-1].set_xlabel("month (log scale: 0.1 ≈ 10 %)")
    return fig


# --- who posts the vacancies ---------------------------------------------------------------------


def employer_countries() -> pd.DataFrame:
    """The OLI snapshot of 2017-04-11: vacancies by employer country and occupation, with ``iso3``.

    Country names are matched by :func:`analysis.countries.with_iso3`, which raises ValueError
    listing any name that matches nothing. Some countries are spelled two ways in the source
    (``Russia`` and ``Russian Federation``): both rows are kept and get the same code.
    """
    table = data.load("oli-employer-countries-2017")
    table["timestamp"] = pd.to_datetime(table["timestamp"], format="%Y-%m-%d")
    return countries.with_iso3(table, "country")


def employer_shares(snapshot: pd.DataFrame) -> pd.DataFrame:
    """Each employer country's share of the snapshot's vacancies, over all occupations and per occupation.

    Rows: ISO3 codes (names spelled two ways summed together). Columns: ``country`` (English
    name), ``vacancies`` (all occupations), ``share`` = vacancies / all vacancies, then one
    column per occupation = the country's share of that occupation's vacancies. Every share
    column sums to 1. Sorted by ``share``, largest first.
    """
    needed = {"iso3", "country", "occupation", "count"}
    if not needed <= set(snapshot.columns):
        raise ValueError(f"snapshot lacks the columns {sorted(needed - set(snapshot.columns))} "
                         "(use employer_countries(), which adds 'iso3')")
    if snapshot["iso3"].isna().any():
        raise ValueError(f"snapshot has no ISO3 code for {sorted(set(snapshot.loc[snapshot['iso3'].isna(), 'country']))}")
    counts = snapshot.pivot_table(index="iso3", columns="occupation", values="count", aggfunc="sum",
                                  fill_value=0).astype(int)
    vacancies = counts.sum(axis=1)
    names = countries.reference()["country"].reindex(counts.index)
    names = names.fillna(snapshot.groupby("iso3")["country"].first())
    table = pd.DataFrame({"country": names, "vacancies": vacancies, "share": vacancies / vacancies.sum()})
    table = table.join(counts / counts.sum(axis=0))
    return table.rename_axis("iso3").sort_values("share", ascending=False)
