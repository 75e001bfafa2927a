"""What each notebook parameter means and which values it may take.

Notebook parameters share names across notebooks, and a name always means the
same thing, so one table states the type and the admissible range of each. The
command line checks every value against it before any kernel starts; the
package's functions check their arguments with :func:`check` too.
Defaults are not here: they live in each notebook's ``parameters`` cell and in
``params/<notebook>.yaml`` (a test keeps the two equal).
"""

from __future__ import annotations

import csv
import importlib
import math
import re
import reprlib
from dataclasses import dataclass
from datetime import date

import numpy as np

from analysis import paths

KIND_WORDS = {float: "a number", int: "a whole number", bool: "true or false", str: "text"}
# Plausible bounds for quantities that have no natural maximum: far beyond any real value, close
# enough that a typo (1e308) is refused before a kernel overflows on it.
MAX_PLATFORMS = 20.0  # mean platforms per worker (published coefficients: 1.27-1.83)
MAX_ACCOUNTS = 1e11  # registrations, profiles or monthly visitors summed over platforms (10x world population)
MAX_MONEY = 1e6  # a task's reward or an hourly pay, in any currency
MINUTES_PER_WEEK = 10_080.0
MAX_SEED = 2**63 - 1
MAX_CSV_BYTES = 50_000_000  # a CSV named by a parameter (a reader's platforms or answers)


# What the command line reads as a number: ASCII digits only (float() also takes "1_0" and
# full-width digits), and no "inf" or "nan".
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_SHOWN = reprlib.Repr()
_SHOWN.maxstring = 1000  # a path in full, a long text cut
_SHOWN.maxother = _SHOWN.maxlong = 80
_SHOWN.maxlist = _SHOWN.maxdict = 6
_SHOWN.maxlevel = 2


def shown(value: object) -> str:
    """A value as an error message shows it: its repr, cut short (a value can be huge)."""
    return _SHOWN.repr(value)


def _g(number: float) -> str:
    try:
        return f"{number:g}"
    except OverflowError:  # a whole number too large for a float
        return shown(number)


class ParameterError(ValueError):
    """A parameter value that is unknown, of the wrong type or out of range."""


@dataclass(frozen=True)
class Rule:
    kind: type
    meaning: str
    minimum: float | None = None
    maximum: float | None = None
    # for a quantity with no natural maximum: the largest value a user may give, far beyond any real
    # one, so that a typo (1e308) is refused before a kernel overflows on it; not a bound of the
    # quantity itself (an uncertainty distribution may go past it)
    ceiling: float | None = None
    choices: tuple[str, ...] = ()
    dates: tuple[str, str] | None = None  # text that must be a date YYYY-MM-DD within (first, last)
    # text naming a CSV file with these columns, relative to the repository root (empty text: no file)
    csv_columns: tuple[str, ...] = ()
    # "module:function" that reads such a file and raises ValueError saying what is wrong with it;
    # imported only when a file is named, so that checking other parameters stays light
    csv_reader: str = ""

    def describe(self) -> str:
        if self.csv_columns:
            return f"path to a CSV with columns {', '.join(self.csv_columns)}, or empty"
        if self.dates:
            return f"date YYYY-MM-DD from {self.dates[0]} to {self.dates[1]}"
        if self.choices:
            return f"{self.kind.__name__} in {{{', '.join(self.choices)}}}"
        bounds = []
        if self.minimum is not None:
            bounds.append(f">= {self.minimum:g}")
        if self.maximum is not None or self.ceiling is not None:
            bounds.append(f"<= {self.maximum if self.maximum is not None else self.ceiling:g}")
        return f"{self.kind.__name__}{' ' + ' and '.join(bounds) if bounds else ''}"


RULES: dict[str, Rule] = {
    "multihoming_coefficient": Rule(
        float, "mean number of platforms per worker; every worker uses at least one platform", 1.0, ceiling=MAX_PLATFORMS
    ),
    "registrations_total": Rule(float, "registrations summed over platforms, before the multi-homing correction", 0.0,
                                ceiling=MAX_ACCOUNTS),
    "monthly_visitors_total": Rule(
        float, "monthly visitors summed over platforms, before the multi-homing correction", 0.0, ceiling=MAX_ACCOUNTS
    ),
    "very_active_share": Rule(float, "share of the at-least-monthly workers who are present at least weekly", 0.0, 1.0),
    "routine_weekly_hours": Rule(float, "hours a week a routine (monthly) micro-worker spends on micro-tasks, on average",
                                 0.0, 168.0),
    "routine_weekly_hours_low": Rule(float, "lowest weekly hours of routine micro-workers in the assumption's range",
                                     0.0, 168.0),
    "routine_weekly_hours_high": Rule(float, "highest weekly hours of routine micro-workers in the assumption's range",
                                      0.0, 168.0),
    "full_time_weekly_hours": Rule(float, "hours a week of one full-time job", 1.0, 168.0),
    "coefficient_grid_min": Rule(float, "smallest multi-homing coefficient in the sensitivity analysis", 1.0,
                                 ceiling=MAX_PLATFORMS),
    "coefficient_grid_max": Rule(float, "largest multi-homing coefficient in the sensitivity analysis", 1.0,
                                 ceiling=MAX_PLATFORMS),
    "coefficient_grid_step": Rule(float, "step of the multi-homing coefficient grid", 0.001, 1.0),
    "registered_profiles": Rule(float, "worker profiles registered on online labour platforms worldwide", 0.0,
                                ceiling=MAX_ACCOUNTS),
    "share_ever_worked": Rule(float, "share of registered profiles that obtained work at least once", 0.0, 1.0),
    "share_significantly_active": Rule(float, "share of registered profiles with >= 10 projects or >= USD 1,000",
                                       0.0, 1.0),
    "allocation_stage": Rule(str, "stage of the global funnel allocated to countries",
                             choices=("registered", "active", "significantly_active")),
    "population_year": Rule(int, "year of the World Bank population used per inhabitant", 1960, 2024),
    "uncertainty_draws": Rule(int, "Monte Carlo draws for the uncertainty intervals", 1000, 10_000_000),
    "uncertainty_seed": Rule(int, "seed of the Monte Carlo draws (same seed, same intervals)", 0, ceiling=MAX_SEED),
    "traffic_platforms": Rule(int, "simulated platforms in the traffic-imputation demonstration", 10, 10_000),
    "traffic_csv": Rule(str, "CSV of real platforms (schema: analysis.traffic.SCHEMA), relative to the repository root "
                             "or absolute; "
                             "empty: simulated platforms",  # columns: the SCHEMA's (a test keeps them equal)
                        csv_columns=("platform", "monthly_visits", "registered"),
                        csv_reader="analysis.traffic:read_platforms"),
    "traffic_smearing": Rule(bool, "apply Duan's smearing when back-transforming imputed registrations"),
    "open_band_factor": Rule(float, "an open top answer band (e.g. 'More than $500') stands for factor x its floor",
                             1.0, 5.0),
    "comparison_year": Rule(int, "survey year of the MTurk data set beside the French survey", 2015, 2026),
    "replication_difference": Rule(float, "difference in a proportion a replication survey should detect", 0.001, 0.5),
    "replication_power": Rule(float, "power of the replication test", 0.5, 0.999),
    "replication_alpha": Rule(float, "significance level of the replication test", 0.0001, 0.2),
    "hac_maxlags": Rule(int, "lags of the Newey-West (HAC) standard errors of monthly trends, in months", 1, 36),
    "decomposed_occupation": Rule(str, "OLI occupation whose demand series is decomposed (STL)", choices=(
        "Total", "Microwork", "Clerical and data entry", "Creative and multimedia", "Professional services",
        "Sales and marketing support", "Software development and technology", "Writing and translation")),
    "growth_window_months": Rule(int, "months from the start of the OLI series over which growth is compounded", 12, 99),
    "demand_break_month": Rule(str, "first month of the second segment of the segmented OLI demand trends (break in "
                                    "level and slope)", dates=("2018-05-01", "2022-09-01")),
    "exercise_size": Rule(int, "tasks a reader codes in the typology exercise", 5, 100),
    "exercise_answers": Rule(str, "CSV of a reader's answers (columns id, function), relative to the repository root or "
                                  "absolute; "
                                  "empty: show the exercise only", csv_columns=("id", "function")),
    "confidence_level": Rule(float, "coverage of confidence and profile-likelihood intervals", 0.5, 0.999),
    "max_ratio": Rule(float, "an estimate above this multiple of the units observed is flagged as not identified",
                      1.01, ceiling=1e6),
    "simulation_population": Rule(int, "size of the simulated population", 100, 1_000_000),
    "simulation_catchability": Rule(float, "mean probability that a person is on a given platform", 0.01, 0.99),
    "simulation_max_heterogeneity": Rule(float, "largest intra-class correlation of catchability simulated", 0.0, 0.95),
    "simulation_replicates": Rule(int, "simulated replicates per heterogeneity level", 1, 1000),
    "simulation_seed": Rule(int, "seed of the random generator (same seed, same simulation)", 0, ceiling=MAX_SEED),
    "model_search_criterion": Rule(str, "criterion that ranks log-linear models", choices=("AIC", "BIC")),
    "model_search_max_models": Rule(int, "largest number of models searched exhaustively; stepwise beyond", 1, 4096),
    # fair pay (analysis/pay.py)
    "task_reward": Rule(float, "reward paid per completed task, in the task's currency", 0.0, ceiling=MAX_MONEY),
    "task_minutes": Rule(float, "median minutes to complete one task; must be more than 0", 0.01, ceiling=MINUTES_PER_WEEK),
    "search_minutes": Rule(float, "unpaid minutes spent finding and choosing tasks, per paid task", 0.0,
                           ceiling=MINUTES_PER_WEEK),
    "returned_share": Rule(float, "share of started tasks that end unpaid: returned, timed out or rejected",
                           0.0, 0.95),
    "hours_per_month": Rule(float, "paid hours in a month used to turn monthly earnings into hourly", 1.0, 744.0),
    "pay_floor": Rule(float, "hourly pay floor the task is compared with, e.g. a minimum wage", 0.0, ceiling=MAX_MONEY),
    "target_hourly": Rule(float, "hourly pay the reward of a task should yield", 0.0, ceiling=MAX_MONEY),
    "earnings_max_year": Rule(int, "latest year of ILO average earnings used as a country's benchmark", 2014, 2024),
    "usd_per_eur": Rule(float, "US dollars per euro used to convert euro pay (a market exchange rate, not PPP)",
                        0.5, 2.0),
    "worker_countries": Rule(int, "largest supplier countries of online work (OLI, as ranked by the World Bank) "
                                  "compared in the fair-pay tables", 1, 20),
    # the voice-assistant supply chain: dates within the range its regimes are coded for
    # (analysis.supplychain.GDPR_FROM to CODED_UNTIL; a test keeps them equal)
    "regime_date": Rule(str, "date at which data-protection regimes are read", dates=("2018-05-25", "2024-12-31")),
    "revelations_date": Rule(str, "date of the 2019 press revelations, to compare regimes then and now",
                             dates=("2018-05-25", "2024-12-31")),
}


def bounds(names: list[str] | dict) -> dict[str, tuple[float | None, float | None]]:
    """(minimum, maximum) of each named parameter, e.g. for checking an uncertainty distribution's support."""
    return {name: (rule(name).minimum, rule(name).maximum) for name in names}


def rule(name: str) -> Rule:
    if name not in RULES:
        raise ParameterError(f"unknown parameter '{name}'")
    return RULES[name]


def check(name: str, value: object) -> float | int | bool | str:
    """Return ``value`` as parameter ``name``'s type, or raise :class:`ParameterError` saying why not."""
    spec = rule(name)
    if spec.kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(f"parameter '{name}' must be a number, got {shown(value)}")
        value = float(value)
        if not math.isfinite(value):
            raise ParameterError(f"parameter '{name}' must be finite, got {value}")
    elif spec.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"parameter '{name}' must be a whole number, got {shown(value)}")
    elif not isinstance(value, spec.kind):
        raise ParameterError(f"parameter '{name}' must be a {spec.kind.__name__}, got {shown(value)}")
    if spec.dates:
        try:
            day = date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            day = None
        if day is None or not date.fromisoformat(spec.dates[0]) <= day <= date.fromisoformat(spec.dates[1]):
            raise ParameterError(f"parameter '{name}' must be a {spec.describe()} ({spec.meaning}), got {shown(value)}")
    if spec.csv_columns and value:
        _check_csv(name, value, spec)
    if spec.choices and value not in spec.choices:
        raise ParameterError(f"parameter '{name}' must be one of {list(spec.choices)}, got {shown(value)}")
    if spec.minimum is not None and value < spec.minimum:
        raise ParameterError(f"parameter '{name}' = {_g(value)} is out of range: must be >= {spec.minimum:g} "
                             f"({spec.meaning})")
    highest = spec.maximum if spec.maximum is not None else spec.ceiling
    if highest is not None and value > highest:
        raise ParameterError(f"parameter '{name}' = {_g(value)} is out of range: must be <= {highest:g} "
                             f"({spec.meaning})")
    return value


def _check_csv(name: str, text: str, spec: Rule) -> None:
    """Refuse a CSV path that names no file, a directory, or a file without the rule's columns.

    The path is read as the notebooks read it, relative to the repository root (an
    absolute path stays absolute). The rule's reader, if any, then checks the content.
    """
    path = paths.ROOT / text
    problem = ""
    if "\0" in text:
        problem = "is not a path (it contains a NUL character)"
    elif not path.exists():
        problem = "names no file"
    elif path.is_dir():
        problem = "is a directory, not a CSV file"
    elif not path.is_file():
        problem = "is not a regular file (a device or a pipe?)"
    elif path.stat().st_size > MAX_CSV_BYTES:
        problem = f"is larger than {MAX_CSV_BYTES:,} bytes"
    else:
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                rows = (row for row in csv.reader(handle) if row)  # blank lines are skipped, as pandas does
                header, first = next(rows, None), next(rows, None)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            problem = f"is not a readable CSV file ({' '.join(str(error).split())})"
        else:
            missing = [column for column in spec.csv_columns if column not in (header or [])]
            if header is None:
                problem = "is an empty file"
            elif missing:
                more = " ..." if len(header) > 10 else ""
                problem = f"lacks column(s) {missing}; its columns are {header[:10]}{more}"
            elif first is None:
                problem = "has a header but no rows"
    if not problem and spec.csv_reader:
        module, function = spec.csv_reader.split(":")
        try:
            getattr(importlib.import_module(module), function)(path)
        except (ValueError, OSError) as error:
            problem = "is not usable: " + " ".join(str(error).split()).removeprefix(f"{paths.shown(path)}: ")
    if problem:
        raise ParameterError(f"parameter '{name}' = {shown(text)} {problem} ({spec.meaning})")


def check_values(name: str, values: object) -> np.ndarray:
    """Check every value of a number or array against parameter ``name``'s range (vectorised)."""
    spec = rule(name)
    array = np.asarray(values, dtype=float)
    if array.ndim == 0:
        check(name, float(array))
        return array
    low = -np.inf if spec.minimum is None else spec.minimum
    high = np.inf if spec.maximum is None else spec.maximum
    if not np.all(np.isfinite(array)) or np.any(array < low) or np.any(array > high):
        raise ParameterError(f"parameter '{name}' must be {spec.describe().split(' ', 1)[-1]} ({spec.meaning}); "
                             f"got values from {np.nanmin(array):g} to {np.nanmax(array):g}")
    return array


def parse(name: str, text: str) -> float | int | bool | str:
    """Convert a command-line value (``-p NAME VALUE``) to parameter ``name``'s type and check it."""
    kind = rule(name).kind
    try:
        if kind is float:
            if not NUMBER.fullmatch(text):
                raise ValueError
            value: object = float(text)
        elif kind is int:
            if not WHOLE_NUMBER.fullmatch(text):
                raise ValueError
            value = int(text)
        elif kind is bool:
            if text.lower() not in ("true", "false"):
                raise ValueError
            value = text.lower() == "true"
        else:
            value = text
    except ValueError:
        raise ParameterError(f"parameter '{name}' must be {KIND_WORDS[kind]}, got {shown(text)}") from None
    return check(name, value)
