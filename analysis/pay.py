"""Fair pay for research tasks on micro-task platforms.

Researchers who recruit participants on micro-task platforms set the reward of each task,
and so the hourly pay of the people who do it. Molina, Tubaro, Casilli & Santos-Ortega
(2023, "Research ethics in the age of digital platforms", Science and Engineering Ethics
29(3):17) ask them to pay at least a fair hourly rate, counting the time workers are not
paid for. This module turns a task's reward and time into hourly pay, and back.

Model. A task pays ``reward`` per completed, paid task and takes ``median_minutes`` (the
median completion time). Each paid task also costs unpaid time:

- ``search_minutes`` finding and choosing tasks, per paid task;
- returned work: a share ``returned_share`` = r (0 <= r < 1) of the tasks a worker starts end
  unpaid (returned, timed out or rejected). Assuming each unpaid attempt costs the median
  time, the unpaid attempts per paid task are geometric, with mean r / (1 - r).

Then, with every time in minutes and pay per hour:

- minutes per paid task        T = median + search + median x r / (1 - r)
- effective hourly pay         reward / (T / 60)
- reward for a target hourly   target x T / 60
- hourly from monthly earnings monthly / hours_per_month
- implied unpaid minutes       reward / observed hourly x 60 - median, the overhead per paid
  task that reconciles a task's reward and median time with an hourly pay observed elsewhere.

:func:`sensitivity` and :func:`plot_sensitivity` show how the unpaid time moves the effective
pay; :func:`plot_rewards` sets a task's reward beside the reward each country's average
earnings would call for.

Inputs are checked against :data:`analysis.parameters.RULES` (errors name the parameter);
functions of several values take numbers, numpy arrays or pandas Series (a Series' index is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from analysis.parameters import ParameterError, check, check_values

TASK_PARAMETERS = {"reward": "task_reward", "median_minutes": "task_minutes", "search_minutes": "search_minutes",
                   "returned_share": "returned_share"}  # Task field -> parameter rule
BENCHMARK_COLUMNS = ["effective_hourly", "ratio_to_average", "reward_for_average", "above_floor",
                     "reward_for_floor"]


def _numbers(name: str, value: object) -> float | np.ndarray | pd.Series:
    """``value`` as floats: a float, a float array or a float Series (index kept); text and booleans refused."""
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be numbers, got {value!r}")
    if isinstance(value, pd.Series):
        return value.astype(float)
    return float(array) if array.ndim == 0 else array.astype(float)


def _checked(name: str, value: object) -> float | np.ndarray | pd.Series:
    """``value`` as floats, checked against parameter ``name``'s rule."""
    if np.ndim(value) == 0:
        return check(name, np.asarray(value).item())  # numpy scalars as Python ones; bools and text refused
    try:
        numbers = _numbers(f"parameter '{name}'", value)
    except ValueError as error:
        raise ParameterError(str(error)) from None
    check_values(name, numbers)
    return numbers


@dataclass(frozen=True)
class Task:
    """A task as a worker meets it: its reward, its median time and the unpaid time around it."""

    reward: float
    median_minutes: float
    search_minutes: float = 0.0
    returned_share: float = 0.0
    currency: str = "USD"

    def __post_init__(self) -> None:
        for attribute, parameter in TASK_PARAMETERS.items():
            value = getattr(self, attribute)
            value = value.item() if isinstance(value, np.generic) else value  # e.g. a number read from a table
            object.__setattr__(self, attribute, check(parameter, value))
        if not isinstance(self.currency, str) or not self.currency:
            raise ValueError(f"currency must be a non-empty text, e.g. 'USD', got {self.currency!r}")

    @property
    def minutes_per_paid_task(self) -> float:
        """T = median + search + median x r / (1 - r): working minutes, paid or not, per paid task."""
        returned_attempts = self.returned_share / (1 - self.returned_share)
        return self.median_minutes + self.search_minutes + self.median_minutes * returned_attempts

    @property
    def nominal_hourly(self) -> float:
        """Hourly pay counting the median time only, as platforms often advertise it."""
        return self.reward / (self.median_minutes / 60)

    @property
    def effective_hourly(self) -> float:
        """Hourly pay counting the unpaid search and returned work too."""
        return self.reward / (self.minutes_per_paid_task / 60)

    @property
    def unpaid_share(self) -> float:
        """Share of the working time that is unpaid: (T - median) / T."""
        return 1 - self.median_minutes / self.minutes_per_paid_task

    def reward_for(self, target_hourly: float | np.ndarray | pd.Series) -> float | np.ndarray | pd.Series:
        """Reward per task at which the effective hourly pay equals ``target_hourly``: target x T / 60."""
        return _checked("target_hourly", target_hourly) * self.minutes_per_paid_task / 60


def summary(task: Task, floor: float, target: float) -> pd.Series:
    """What a task pays per hour, advertised and effective, and the rewards a floor and a target need."""
    floor, target = check("pay_floor", floor), check("target_hourly", target)
    return pd.Series({
        "advertised hourly pay (median time only)": task.nominal_hourly,
        "minutes per paid task, paid or not": task.minutes_per_paid_task,
        "share of working time unpaid": task.unpaid_share,
        "effective hourly pay": task.effective_hourly,
        f"reward needed for the floor of {floor:g} per hour": task.reward_for(floor),
        f"reward needed for the target of {target:g} per hour": task.reward_for(target),
    }, name=task.currency)


def hourly_from_monthly(
    monthly: float | np.ndarray | pd.Series,
    hours_per_month: float | np.ndarray | pd.Series,
) -> float | np.ndarray | pd.Series:
    """Hourly earnings from monthly earnings: monthly / hours_per_month.

    A missing monthly value (NaN) stays missing, so that a country without data keeps its
    row; other monthly values must be numbers >= 0.
    """
    hours = _checked("hours_per_month", hours_per_month)
    earnings = _numbers("monthly", monthly)
    if np.any(earnings < 0) or np.any(np.isinf(earnings)):
        raise ValueError(f"monthly earnings must be finite numbers >= 0 (or NaN if missing), got {monthly!r}")
    return earnings / hours


def implied_unpaid_minutes(
    reward: float | np.ndarray | pd.Series,
    median_minutes: float | np.ndarray | pd.Series,
    observed_hourly: float | np.ndarray | pd.Series,
) -> float | np.ndarray | pd.Series:
    """Unpaid minutes per paid task that make a task's reward and median time pay ``observed_hourly``.

    reward / observed_hourly x 60 - median. Raises ValueError where the observed hourly pay
    exceeds the task's nominal rate reward / (median / 60): no unpaid time, however short,
    reconciles them (the observed pay then includes something else, e.g. bonuses).
    """
    reward = _checked("task_reward", reward)
    median_minutes = _checked("task_minutes", median_minutes)
    observed = _numbers("observed_hourly", observed_hourly)
    if not np.all(np.isfinite(observed)) or np.any(observed <= 0):
        raise ValueError(f"observed_hourly must be finite numbers > 0, got {observed_hourly!r}")
    nominal = reward / (median_minutes / 60)
    too_high = np.asarray(observed > nominal)
    if too_high.any():
        where = (f"{observed:g} > {nominal:g}" if too_high.ndim == 0
                 else f"at positions {np.flatnonzero(too_high).tolist()}")
        raise ValueError(f"observed_hourly exceeds the task's nominal hourly pay reward / (median / 60) ({where}): "
                         "no unpaid time reconciles them")
    return reward / observed * 60 - median_minutes


def reconciliation(reward: pd.Series, median_minutes: pd.Series, observed_hourly: float) -> pd.DataFrame:
    """Tasks' advertised hourly pay, and the unpaid time that brings each down to ``observed_hourly``.

    Columns: ``advertised_hourly`` (reward per median time), ``unpaid_minutes_per_paid_task``
    (:func:`implied_unpaid_minutes`) and ``unpaid_share_of_time`` (1 - observed / advertised).
    """
    advertised = _checked("task_reward", reward) / (_checked("task_minutes", median_minutes) / 60)
    unpaid = implied_unpaid_minutes(reward, median_minutes, observed_hourly)
    return pd.DataFrame({"advertised_hourly": advertised, "unpaid_minutes_per_paid_task": unpaid,
                         "unpaid_share_of_time": 1 - observed_hourly / advertised})


def benchmark_table(task: Task, benchmarks: pd.DataFrame, floor: float) -> pd.DataFrame:
    """The task's effective hourly pay beside each country's average hourly earnings, and a pay floor.

    ``benchmarks`` is indexed by country (any label) with a column ``hourly``: average hourly
    earnings in the task's currency unit. Converting currencies (exchange rates or purchasing
    power parities) is the caller's job: this function cannot see it. Other columns are kept.
    Added columns: ``effective_hourly`` (the task's, every row), ``ratio_to_average``
    (effective_hourly / hourly), ``reward_for_average`` (reward at which the effective hourly
    pay equals the country's average), ``above_floor`` (effective_hourly >= ``floor``) and
    ``reward_for_floor``. A country with a missing ``hourly`` (NaN) keeps its row, with NaN
    ``ratio_to_average`` and ``reward_for_average``.
    """
    floor = check("pay_floor", floor)
    if not isinstance(benchmarks, pd.DataFrame) or "hourly" not in benchmarks.columns:
        raise ValueError("benchmarks must be a DataFrame with a column 'hourly' (average hourly earnings)")
    clashing = [column for column in BENCHMARK_COLUMNS if column in benchmarks.columns]
    if clashing:
        raise ValueError(f"benchmarks already has the output columns {clashing}; rename or drop them")
    hourly = benchmarks["hourly"]
    if not pd.api.types.is_numeric_dtype(hourly) or pd.api.types.is_bool_dtype(hourly):
        raise ValueError(f"column 'hourly' must hold numbers, got type {hourly.dtype}")
    bad = hourly.notna() & ~(np.isfinite(hourly) & (hourly > 0))
    if bad.any():
        raise ValueError(f"column 'hourly' must be finite and > 0 where not missing; not for {list(hourly.index[bad])}")
    effective = task.effective_hourly
    return benchmarks.assign(
        effective_hourly=effective,
        ratio_to_average=effective / hourly,
        reward_for_average=hourly * task.minutes_per_paid_task / 60,
        above_floor=effective >= floor,
        reward_for_floor=task.reward_for(floor),
    )


def sensitivity(task: Task, search_minutes: list[float], returned_shares: list[float]) -> pd.DataFrame:
    """Effective hourly pay of ``task`` for each combination of unpaid search time and returned share."""
    rows = {
        search: {share: Task(task.reward, task.median_minutes, search, share, task.currency).effective_hourly
                 for share in returned_shares}
        for search in search_minutes
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name, table.columns.name = "search minutes per paid task", "share of started tasks returned unpaid"
    return table


def plot_sensitivity(table: pd.DataFrame, floor: float, currency: str = "USD") -> Figure:
    """Heatmap of :func:`sensitivity`'s table; cells below ``floor`` are marked with a dot."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    sns.heatmap(table, annot=True, fmt=".2f", cmap="YlGn", cbar_kws={"label": f"{currency} per hour"},
                linewidths=0.5, ax=ax)
    below = np.argwhere(table.to_numpy() < floor)
    ax.scatter(below[:, 1] + 0.5, below[:, 0] + 0.8, marker=".", color="0.15", s=18,
               label=f"below the floor of {floor:g} {currency}/h")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.02), frameon=False, fontsize=8)
    ax.set_xticks(np.arange(table.shape[1]) + 0.5, [f"{share:.0%}" for share in table.columns])
    ax.set_title("Effective hourly pay as unpaid time grows", pad=24)
    return fig


def plot_rewards(table: pd.DataFrame, reward: float, floor_reward: float, label: str = "country",
                 currency: str = "USD") -> Figure:
    """Bars: the reward each country's average hourly earnings call for; lines: the reward paid and the floor's.

    ``table`` is :func:`benchmark_table`'s output, indexed by the labels to show; rows
    without a benchmark are left out of the bars and named under the chart.
    """
    shown = table.dropna(subset=["reward_for_average"]).sort_values("reward_for_average")
    missing = [str(name) for name in table.index.difference(shown.index, sort=False)]
    fig, ax = plt.subplots(figsize=(8.0, 1.2 + 0.35 * len(shown)))
    ax.barh(shown.index.astype(str), shown["reward_for_average"], color=sns.color_palette()[0],
            label="reward for the country's average hourly earnings")
    ax.axvline(reward, color=sns.color_palette()[3], linewidth=2, label=f"reward paid ({reward:.2f} {currency})")
    ax.axvline(floor_reward, color="0.3", linestyle="--", linewidth=1.5,
               label=f"reward for the pay floor ({floor_reward:.2f} {currency})")
    ax.set_xlabel(f"reward per task ({currency}); country averages: ILO earnings in {currency} of their year"
                  + (f"\nNo ILO benchmark: {', '.join(missing)}" if missing else ""))
    ax.set_ylabel(label)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("What one task would have to pay to match average earnings")
    return fig
