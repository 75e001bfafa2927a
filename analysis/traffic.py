"""Imputing registrations from web traffic, for platforms that do not report them.

Kässi, Lehdonvirta & Stephany (2021, "How many online workers are there in the
world?", Open Research Europe 1:53) counted registered worker profiles on online
labour platforms. Platforms that report their registered users were counted
directly; for the others, registrations were imputed from monthly web visits with
a model fitted on the reporting platforms. This module reconstructs that step (not
verified against the paper's code): ordinary least squares on logs,

    log(registered) = a + b log(monthly_visits) + e,

fitted on the reporting platforms and used to predict the others, with prediction
intervals. The authors note that the model's error is large; the intervals show
how large. The paper's platform table and traffic data are not public, so a user
with real data brings a CSV in the format of :data:`SCHEMA`, and
:func:`simulate_platforms` makes invented platforms for showing the method.
Logarithms are natural logarithms throughout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS, RegressionResultsWrapper

from analysis import checks, paths
from analysis.data import csv_lines, listed

SCHEMA: dict[str, str] = {
    "platform": "text, required, unique: the platform's name",
    "monthly_visits": "number > 0, required: the platform's monthly web visits",
    "registered": (
        "number > 0, or empty when the platform does not report its registered users "
        "(those are imputed); at least 3 platforms must report, to fit a line and its error"
    ),
}
MIN_REPORTING = 3
IMPUTED_COLUMNS = ["platform", "monthly_visits", "registered", "imputed", "predicted", "lower", "upper", "used"]


@dataclass(frozen=True)
class TrafficModel:
    """log(registered) = intercept + slope log(monthly_visits), fitted by OLS on ``n`` reporting platforms.

    ``rmse`` is the residual standard error on the log scale, sqrt(Σ e² / (n - 2));
    ``smearing`` is Duan's (1983) factor, the mean of exp(e) over the residuals e.
    """

    results: RegressionResultsWrapper
    n: int
    intercept: float
    slope: float
    rmse: float
    smearing: float


def _index(mask: pd.Series) -> str:
    """Index labels of the rows of a table where ``mask`` is true."""
    return listed("row", [repr(label) for label in mask[mask].index])


def _number_column(table: pd.DataFrame, name: str, required: bool, where: str,
                   rows: Callable[[pd.Series], str]) -> pd.Series:
    """Column ``name`` as floats, each finite and > 0; empty cells are NaN, allowed unless ``required``."""
    raw = table[name]
    empty = raw.isna()
    if required and empty.any():
        raise ValueError(f"{where}: column '{name}' is empty on {rows(empty)}")
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = ~empty & ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"{where}: column '{name}' is not a finite number on {rows(bad)}")
    low = ~empty & (values <= 0)
    if low.any():
        raise ValueError(f"{where}: column '{name}' must be > 0 but is zero or negative on {rows(low)}")
    return values


def _typed(table: pd.DataFrame, where: str, rows: Callable[[pd.Series], str]) -> pd.DataFrame:
    """The three :data:`SCHEMA` columns of ``table``, typed and checked (other columns are dropped)."""
    missing = [name for name in SCHEMA if name not in table.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing} (expected {list(SCHEMA)})")
    platform = table["platform"]
    empty = platform.isna()
    if empty.any():
        raise ValueError(f"{where}: column 'platform' is empty on {rows(empty)}")
    repeated = platform.duplicated(keep=False)
    if repeated.any():
        names = sorted(set(platform[repeated].astype(str)))
        raise ValueError(f"{where}: column 'platform' repeats {names} on {rows(repeated)}")
    return pd.DataFrame({
        "platform": platform.astype(str),
        "monthly_visits": _number_column(table, "monthly_visits", True, where, rows),
        "registered": _number_column(table, "registered", False, where, rows),
    })


def _reporting(typed: pd.DataFrame, where: str, rows: Callable[[pd.Series], str]) -> pd.DataFrame:
    """The platforms that report registrations; at least 3, with different monthly visits."""
    reports = typed["registered"].notna()
    if not reports.any():
        raise ValueError(
            f"{where}: column 'registered' is empty on every row: no platform reports its registrations, "
            "so there is nothing to fit the traffic model on"
        )
    if reports.sum() < MIN_REPORTING:
        raise ValueError(
            f"{where}: column 'registered' is filled on {rows(reports)} only: fitting a line and its error "
            f"needs at least {MIN_REPORTING} platforms that report their registrations"
        )
    reporting = typed[reports]
    if reporting["monthly_visits"].nunique() < 2:
        raise ValueError(
            f"{where}: column 'monthly_visits' is the same on every reporting platform ({rows(reports)}): "
            "the slope is not identified"
        )
    return reporting


def read_platforms(path: Path | str) -> pd.DataFrame:
    """Read and check a user's platform CSV against :data:`SCHEMA`; other columns are ignored.

    Errors name the file, the column and the CSV line numbers (the header is line 1).
    """
    path = Path(path)
    where = paths.shown(path)
    if not path.is_file():
        raise ValueError(f"{where}: file not found")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ValueError(f"{where}: not a readable CSV file ({' '.join(str(error).split())})") from None
    raw = raw.apply(lambda column: column.str.strip()).replace("", pd.NA)
    typed = _typed(raw, where, csv_lines)
    _reporting(typed, where, csv_lines)
    return typed


def _exog(visits: pd.Series) -> np.ndarray:
    """Design matrix [1, log(visits)] (built by hand: ``statsmodels.api.add_constant`` skips one-row input)."""
    log_visits = np.log(visits.to_numpy(dtype=float))
    return np.column_stack([np.ones_like(log_visits), log_visits])


def fit(platforms: pd.DataFrame) -> TrafficModel:
    """OLS of log(registered) on log(monthly_visits) over the platforms that report registrations.

    ``platforms`` has the :data:`SCHEMA` columns (e.g. from :func:`read_platforms`);
    rows with an empty ``registered`` are left out of the fit.
    """
    reporting = _reporting(_typed(platforms, "platforms", _index), "platforms", _index)
    results = OLS(np.log(reporting["registered"].to_numpy()), _exog(reporting["monthly_visits"])).fit()
    intercept, slope = (float(value) for value in results.params)
    return TrafficModel(
        results=results,
        n=int(results.nobs),
        intercept=intercept,
        slope=slope,
        rmse=math.sqrt(results.mse_resid),
        smearing=float(np.mean(np.exp(results.resid))),
    )


def impute(model: TrafficModel, platforms: pd.DataFrame, level: float = 0.9, smearing: bool = False) -> pd.DataFrame:
    """Predicted registrations and a ``level`` prediction interval for every platform.

    predicted = exp(a + b log(visits)). The fit estimates the mean of log(registered),
    and exp of that is the *median* of registrations if the log-scale errors are
    symmetric, below the mean; ``smearing=True`` multiplies by Duan's (1983) smearing
    factor, mean(exp(e)), which estimates the mean without assuming normal errors.
    lower/upper are the exponentiated bounds of statsmodels' prediction interval for
    a new observation on the log scale (``obs_ci`` of ``get_prediction``); quantiles
    survive exp, so they are not smeared. ``used`` is the reported value where there
    is one (``imputed`` is False), else the prediction.
    """
    level = checks.open_unit("level", level)
    if not isinstance(smearing, bool):
        raise ValueError(f"smearing must be True or False, got {smearing!r}")
    table = _typed(platforms, "platforms", _index)
    frame = model.results.get_prediction(_exog(table["monthly_visits"])).summary_frame(alpha=1 - level)
    factor = model.smearing if smearing else 1.0
    table["imputed"] = table["registered"].isna()
    table["predicted"] = np.exp(frame["mean"].to_numpy()) * factor
    table["lower"] = np.exp(frame["obs_ci_lower"].to_numpy())
    table["upper"] = np.exp(frame["obs_ci_upper"].to_numpy())
    table["used"] = table["registered"].where(~table["imputed"], table["predicted"])
    return table[IMPUTED_COLUMNS]


def _check_imputed(table: pd.DataFrame, needed: list[str]) -> None:
    missing = [name for name in needed if name not in table.columns]
    if missing:
        raise ValueError(f"imputed_table lacks the column(s) {missing}: pass the output of impute()")


def total(imputed_table: pd.DataFrame) -> pd.Series:
    """Registrations summed over platforms: total = Σ used = reported part + imputed part.

    No interval is given for the total: the sum of the platforms' prediction bounds
    is not a prediction interval for the sum (it ignores that errors partly cancel,
    and that all predictions share the estimated line).
    """
    _check_imputed(imputed_table, ["imputed", "used"])
    imputed = imputed_table["imputed"].astype(bool)
    return pd.Series({
        "total": float(imputed_table["used"].sum()),
        "reported": float(imputed_table.loc[~imputed, "used"].sum()),
        "imputed": float(imputed_table.loc[imputed, "used"].sum()),
        "imputed_platforms": int(imputed.sum()),
    }, dtype=object)  # object keeps the count a whole number beside the sums


def simulate_platforms(
    count: int,
    seed: int,
    intercept: float = 1.0,
    slope: float = 0.9,
    sigma: float = 0.8,
    reporting_share: float = 0.6,
) -> pd.DataFrame:
    """SIMULATION, not data: ``count`` invented platforms, for showing the method only.

    Monthly visits are log-uniform between 1e4 and 1e9; log(registered) =
    ``intercept`` + ``slope`` log(visits) + N(0, ``sigma``²). round(``reporting_share``
    × ``count``) platforms, drawn at random, report their registrations; the others
    have an empty ``registered``. Platforms are named "simulated-001", ….
    Deterministic for a given ``seed`` (numpy ``default_rng``).
    """
    count = checks.whole("count", count, 1)
    seed = checks.whole("seed", seed)
    intercept = checks.finite("intercept", intercept)
    slope = checks.finite("slope", slope)
    sigma = checks.finite("sigma", sigma)
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    share = checks.proportion("reporting_share", reporting_share)
    rng = np.random.default_rng(seed)
    visits = 10 ** rng.uniform(4, 9, size=count)
    registered = np.exp(intercept + slope * np.log(visits) + rng.normal(0, sigma, size=count))
    reports = np.zeros(count, dtype=bool)
    reports[rng.choice(count, size=round(share * count), replace=False)] = True
    width = max(3, len(str(count)))
    return pd.DataFrame({
        "platform": [f"simulated-{i:0{width}d}" for i in range(1, count + 1)],
        "monthly_visits": visits,
        "registered": np.where(reports, registered, np.nan),
    })


def plot_fit(model: TrafficModel, imputed_table: pd.DataFrame, title: str) -> plt.Figure:
    """Log-log plot: reporting platforms, the fitted line, and imputed platforms with their prediction intervals.

    The line is exp(a + b log(visits)), the median prediction; imputed platforms are
    drawn at their ``predicted`` value (smeared if :func:`impute` was asked to).
    """
    _check_imputed(imputed_table, IMPUTED_COLUMNS)
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be non-empty text, got {title!r}")
    imputed = imputed_table["imputed"].astype(bool)
    reported, missing = imputed_table[~imputed], imputed_table[imputed]
    fig, ax = plt.subplots()
    ax.scatter(reported["monthly_visits"], reported["registered"], color="C0", s=20,
               label=f"reporting platforms (n = {model.n})")
    span = np.geomspace(imputed_table["monthly_visits"].min(), imputed_table["monthly_visits"].max(), 100)
    ax.plot(span, np.exp(model.intercept + model.slope * np.log(span)), color="0.2",
            label=f"fit: log y = {model.intercept:.2f} + {model.slope:.2f} log x (RMSE {model.rmse:.2f})")
    ax.vlines(missing["monthly_visits"], missing["lower"], missing["upper"], color="C1", alpha=0.5,
              label="prediction interval")
    ax.scatter(missing["monthly_visits"], missing["predicted"], color="C1", marker="D", s=20,
               label=f"imputed platforms ({len(missing)})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("monthly visits (log scale)")
    ax.set_ylabel("registered users (log scale)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig
