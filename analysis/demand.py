"""Demand for online work: the Online Labour Index (OLI) vacancy series and who posts the vacancies.

The OLI (Kässi & Lehdonvirta 2018, Technological Forecasting and Social Change 137:241-248;
data: figshare 10.6084/m9.figshare.3761562) counts the *new* vacancies posted each day on the
largest English-language online labour platforms, by occupation, including a "Microwork"
category. ``data/raw/oli-demand-monthly`` holds its monthly means, indexed so that the mean
daily total of May 2016 = 100, 2016-05 to 2024-08; they are index points, not vacancy counts.

They are a third party's derivation, not a series the OLI publishes: monthly means of the OLI's
daily counts computed by the repository named in the file's PROVENANCE.md.

Trends are log-linear: log(value) = a + b · years, fitted by OLS with Newey-West (HAC)
standard errors; exp(b) - 1 is the annual growth. A segmented trend lets the level and the
slope change at a stated month (a break), with a Chow test of the break; a scan of the Chow F
over candidate months locates a break descriptively. Seasonality is separated with STL on the
log values. ``data/raw/oli-employer-country-snapshot-2017`` is one day (2017-04-11) of
vacancies by the employer's (buyer's) country and occupation.
"""

from __future__ import annotations

import datetime
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.tsa.seasonal import STL

from analysis import checks, countries, data

TOTAL = "Total"
MICROWORK = "Microwork"
MIN_TREND_POINTS = 24  # two years of months: fewer cannot tell a trend from a seasonal swing
LEVEL = 0.95
INDEX_LABEL = "index points (May 2016 total = 100)"
# Each segment of a segmented trend needs as many months as a trend (two years), for the same reason.
MIN_SEGMENT_MONTHS = MIN_TREND_POINTS
# Share of months cut from each end of the series when scanning for a break: 15 %, the trimming
# most used with Andrews' (1993, Econometrica 61:821-856) sup-F critical values.
BREAK_TRIM = 0.15
SOURCE_NOTE = ("Source: Online Labour Index (Kässi & Lehdonvirta 2018; figshare 10.6084/m9.figshare.3761562, "
               "CC BY 4.0), new vacancies;\nmonthly means of the daily index derived by "
               "github.com/WakumaAyanaJifar/Premature-De-Laborization-of-supplementary-file-paper (not an OLI series).")

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


def _check_maxlags(maxlags: object, months: int) -> None:
    if isinstance(maxlags, bool) or not isinstance(maxlags, int | np.integer) or not 0 <= maxlags < months:
        raise ValueError(f"maxlags must be a whole number from 0 to {months - 1} (months), got {maxlags!r}")


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
    _check_maxlags(maxlags, len(values))
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


# --- a break in level and slope ------------------------------------------------------------------


def _break_position(months: pd.PeriodIndex, break_month: object, name: str, minimum: int) -> int:
    """Position of ``break_month`` (the first month of the second segment) in ``months``.

    Raises ValueError naming ``break_month`` if it is not a month, not in the series, or leaves
    fewer than ``minimum`` months on either side.
    """
    stamp = None
    text = isinstance(break_month, str) and re.fullmatch(r"\d{4}-\d{2}(-01)?", break_month)
    if text or isinstance(break_month, pd.Timestamp | np.datetime64 | datetime.date):
        try:
            stamp = pd.Timestamp(break_month)
        except (TypeError, ValueError):
            stamp = None
    if stamp is None or stamp is pd.NaT or stamp.day != 1:
        raise ValueError(f"break_month must be a month, as YYYY-MM or YYYY-MM-01, got {break_month!r}")
    month = stamp.to_period("M")
    if not months.min() < month <= months.max():
        raise ValueError(f"break_month {month} is not inside {name} ({months.min()} to {months.max()}): "
                         "it must be a month of the series after the first")
    position = int(months.get_loc(month))
    before, after = position, len(months) - position
    if min(before, after) < minimum:
        raise ValueError(f"break_month {month} leaves {before} months before the break and {after} from it in "
                         f"{name}; each segment needs at least {minimum} months")
    return position


def _segmented_design(months: pd.PeriodIndex, position: int) -> np.ndarray:
    """Columns 1, t, D, D·(t - t_b): t in years, D = 1 from the break month (position) on."""
    years = _years(months)
    after = (np.arange(len(months)) >= position).astype(float)
    return np.column_stack([np.ones(len(months)), years, after, after * (years - years[position])])


def _rss(exog: np.ndarray, endog: np.ndarray) -> float:
    residuals = endog - exog @ np.linalg.lstsq(exog, endog, rcond=None)[0]
    return float(residuals @ residuals)


def _chow_f(log_values: np.ndarray, exog: np.ndarray) -> float:
    """Chow F of the two break terms: ((RSS_one_line - RSS_two_segments) / 2) / (RSS_two_segments / (n - 4))."""
    unrestricted = _rss(exog, log_values)
    restricted = _rss(exog[:, :2], log_values)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(restricted - unrestricted) / 2 / (np.float64(unrestricted) / (len(log_values) - 4)))


def _segmented_fit(series: pd.Series, break_month: object, maxlags: int):
    values = _check_monthly(series, 2 * MIN_SEGMENT_MONTHS)
    name = f"series '{series.name}'" if series.name is not None else "series"
    position = _break_position(values.index, break_month, name, MIN_SEGMENT_MONTHS)
    _check_maxlags(maxlags, len(values))
    exog = _segmented_design(values.index, position)
    log_values = np.log(values.to_numpy())
    fit = OLS(log_values, exog).fit(cov_type="HAC", cov_kwds={"maxlags": int(maxlags)})
    return values, position, exog, log_values, fit


def segmented_trend(series: pd.Series, break_month: object, maxlags: int = 12, level: float = LEVEL) -> pd.Series:
    """Log-linear trend with a break in level and slope at ``break_month``, and a test of the break.

    log(y_t) = a + b·t + c·D_t + d·D_t·(t - t_b), t = months since the first month / 12, D_t = 1
    from ``break_month`` (the first month of the second segment, YYYY-MM or YYYY-MM-01) on. So
    ``slope_before`` = b, ``slope_after`` = b + d, and exp(c) is ``level_shift``: the ratio, at
    the break month, of the second segment's line to the first segment's line extended. Fitting
    the four terms together gives the same coefficients as fitting each segment on its own.

    Standard errors are Newey-West (HAC) with ``maxlags`` lags, over the whole series, as in
    :func:`log_linear_trend`; the growth and level-shift intervals are exp of normal intervals
    at ``level``. ``level_shift_p`` tests c = 0 (HAC z). Two tests of "no break" (c = d = 0):

    * ``chow_f``, ``chow_p``: the classical Chow F = ((RSS_1 - RSS_2) / 2) / (RSS_2 / (n - 4)),
      RSS_1 of one line, RSS_2 of the two segments, p from F(2, n - 4). It assumes independent,
      equal-variance errors, which monthly vacancy series do not have: too small a p.
    * ``wald_hac``, ``wald_hac_p``: the Wald statistic of (c, d) with the HAC covariance, p from
      chi-squared(2). This is the test to read.

    Both p-values hold for a break month chosen *before* looking at the series; for a month
    found by scanning it, see :func:`break_scan`. Raises ValueError if ``break_month`` is not a
    month of the series or leaves fewer than 24 months in a segment, and for the series
    problems :func:`log_linear_trend` refuses.
    """
    level = checks.open_unit("level", level)
    values, position, exog, log_values, fit = _segmented_fit(series, break_month, maxlags)
    params, covariance = np.asarray(fit.params), np.asarray(fit.cov_params())
    z = stats.norm.ppf(0.5 + level / 2)
    after = np.array([0.0, 1.0, 0.0, 1.0])  # b + d
    slope_after = float(after @ params)
    stderr_after = float(np.sqrt(after @ covariance @ after))
    stderr_before, stderr_shift = float(np.sqrt(covariance[1, 1])), float(np.sqrt(covariance[2, 2]))
    breaks = params[2:]
    with np.errstate(divide="ignore", invalid="ignore"):
        wald = float(breaks @ np.linalg.solve(covariance[2:, 2:], breaks))
    chow = _chow_f(log_values, exog)
    n = len(values)
    result = pd.Series({
        "slope_before": float(params[1]), "growth_before": np.expm1(params[1]),
        "growth_before_lower": np.expm1(params[1] - z * stderr_before),
        "growth_before_upper": np.expm1(params[1] + z * stderr_before),
        "slope_after": slope_after, "growth_after": np.expm1(slope_after),
        "growth_after_lower": np.expm1(slope_after - z * stderr_after),
        "growth_after_upper": np.expm1(slope_after + z * stderr_after),
        "level_shift": np.exp(params[2]), "level_shift_lower": np.exp(params[2] - z * stderr_shift),
        "level_shift_upper": np.exp(params[2] + z * stderr_shift),
        "level_shift_p": float(2 * stats.norm.sf(abs(params[2] / stderr_shift))),
        "chow_f": chow, "chow_p": float(stats.f.sf(chow, 2, n - 4)),
        "wald_hac": wald, "wald_hac_p": float(stats.chi2.sf(wald, 2)),
        "n_before": float(position), "n_after": float(n - position),
    }, name=series.name)
    result.attrs["break_month"] = str(values.index[position])
    return result


def segmented_trends(frame: pd.DataFrame, break_month: object, maxlags: int = 12,
                     level: float = LEVEL) -> pd.DataFrame:
    """:func:`segmented_trend` of every column of ``frame`` at the same ``break_month``, one row per column."""
    rows = {column: segmented_trend(frame[column], break_month, maxlags, level) for column in frame.columns}
    table = pd.DataFrame(rows).T.astype({"n_before": int, "n_after": int}).rename_axis("series")
    table.attrs["break_month"] = next(iter(rows.values())).attrs["break_month"] if rows else None
    return table


def break_scan(series: pd.Series, trim: float = BREAK_TRIM) -> pd.Series:
    """Chow F of a break in level and slope at every candidate month (Quandt's scan), by month.

    Candidates leave at least ``trim`` of the months (rounded up) and at least 24 months on each
    side. The month of the largest F is the least-squares estimate of the break date (it
    minimises the two segments' residual sum of squares; Bai 1997). The largest F, the sup-F or
    Quandt statistic, does **not** follow the F distribution: it is the largest of many
    correlated F statistics, so the F(2, n - 4) p-value of that month is far too small. Its
    null distribution is Andrews' (1993), tabulated for independent errors; with autocorrelated
    errors neither applies, so the scan is descriptive. Raises ValueError if no month qualifies.
    """
    trim = checks.in_range("trim", trim, 0, 0.5, open_high=True)
    values = _check_monthly(series, 2 * MIN_SEGMENT_MONTHS)
    n = len(values)
    edge = max(int(np.ceil(trim * n)), MIN_SEGMENT_MONTHS)
    positions = range(edge, n - edge + 1)
    if not positions:
        raise ValueError(f"series '{series.name}' has {n} months: too few for a break leaving {edge} on each side")
    log_values = np.log(values.to_numpy())
    scan = [_chow_f(log_values, _segmented_design(values.index, position)) for position in positions]
    months = values.index[list(positions)].to_timestamp()
    return pd.Series(scan, index=pd.DatetimeIndex(months, name="break_month"), name="chow_f")


def locate_breaks(frame: pd.DataFrame, trim: float = BREAK_TRIM) -> pd.DataFrame:
    """For every column of ``frame``: the month of the largest Chow F (:func:`break_scan`) and that sup-F."""
    rows = {}
    for column in frame.columns:
        scan = break_scan(frame[column], trim)
        rows[column] = {"month": scan.idxmax().strftime("%Y-%m"), "sup_f": float(scan.max())}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("series")


# --- figures -------------------------------------------------------------------------------------


def _shade_pandemic(ax: plt.Axes) -> None:
    start, end = PANDEMIC
    ax.axvspan(start, end + pd.offsets.MonthBegin(1), color="0.5", alpha=0.15, linewidth=0,
               label=f"COVID-19 pandemic ({start:%Y-%m} to {end:%Y-%m})")


def _source(fig: plt.Figure, note: str, below: plt.Artist | None = None) -> None:
    """Print the source ``note`` under the figure, or under the artist ``below`` (e.g. a legend placed under it)."""
    if not note:
        return
    y = -0.02
    if below is not None:
        fig.canvas.draw()
        y = below.get_window_extent().transformed(fig.transFigure.inverted()).y0 - 0.01
    fig.text(0.01, y, note, fontsize=7, color="0.3", ha="left", va="top")


def _log_axis(ax: plt.Axes) -> None:
    """Log y axis labelled in plain numbers at 1, 2 and 5 times powers of ten."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())


def plot_series(frame: pd.DataFrame, columns: list[str], title: str, mark_pandemic: bool = True,
                ylabel: str = INDEX_LABEL, source: str = SOURCE_NOTE) -> plt.Figure:
    """Monthly series of ``columns`` on a log axis (equal slopes = equal growth rates), pandemic shaded.

    ``source`` is printed under the figure (empty: none).
    """
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"columns not in the frame: {missing} (available: {list(frame.columns)})")
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for column in columns:
        ax.plot(frame.index, frame[column], label=column, linewidth=1.3)
    if mark_pandemic:
        _shade_pandemic(ax)
    _log_axis(ax)
    ax.set_ylabel(f"{ylabel}, log scale")
    ax.set_title(title)
    legend = ax.legend(fontsize=8, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    _source(fig, source, below=legend)
    return fig


def plot_segmented(series: pd.Series, break_month: object, scan: pd.Series | None = None, maxlags: int = 12,
                   title: str = "", source: str = SOURCE_NOTE) -> plt.Figure:
    """The series on a log axis with its segmented trend (:func:`segmented_trend`) and the break month.

    With ``scan`` (:func:`break_scan`), a second panel shows the Chow F by candidate break month
    on a linear axis, its largest value marked.
    """
    values, position, exog, _, fit = _segmented_fit(series, break_month, maxlags)
    months = values.index.to_timestamp()
    fitted = np.exp(exog @ np.asarray(fit.params))
    panels = 1 if scan is None else 2
    fig, axes = plt.subplots(panels, 1, sharex=True, figsize=(9, 4.5 if panels == 1 else 7),
                             height_ratios=None if panels == 1 else [2, 1], squeeze=False)
    ax = axes[0, 0]
    ax.plot(months, values.to_numpy(), linewidth=1.2, color="C0", label=f"{series.name} (monthly mean)")
    for segment, label in ((slice(0, position), "segmented trend (own level and slope each side)"),
                           (slice(position, None), None)):
        ax.plot(months[segment], fitted[segment], linestyle="--", linewidth=1.6, color="C3", label=label)
    ax.axvline(months[position], color="0.3", linewidth=0.9, linestyle=":",
               label=f"break month {months[position]:%Y-%m}")
    _log_axis(ax)
    ax.set_ylabel(f"{INDEX_LABEL}, log scale")
    ax.set_title(title or f"{series.name}: segmented log-linear trend")
    ax.legend(fontsize=8, loc="best", frameon=False)
    if scan is not None:
        low = axes[1, 0]
        low.plot(scan.index, scan.to_numpy(), linewidth=1.2, color="C2")
        best = scan.idxmax()
        low.plot([best], [scan.max()], marker="o", color="C2", linestyle="none",
                 label=f"largest F: {best:%Y-%m} (sup-F {scan.max():,.0f}, descriptive)")
        low.axvline(months[position], color="0.3", linewidth=0.9, linestyle=":")
        low.set_ylabel("Chow F (2, n - 4)")
        low.set_xlabel("candidate break month (first month of the second segment)")
        low.legend(fontsize=8, loc="upper left", frameon=False)
    _source(fig, source)
    return fig


def plot_decomposition(decomposed: pd.DataFrame, title: str, source: str = SOURCE_NOTE) -> plt.Figure:
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
    _source(fig, source)
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
