"""Fair-pay calculator: hourly pay of micro-tasks with unpaid time, by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import pay
from analysis.parameters import ParameterError

# Median 10 min, search 2 min, 20 % of started tasks unpaid: 0.2 / 0.8 = 0.25 unpaid attempts per
# paid task, so T = 10 + 2 + 10 x 0.25 = 14.5 minutes, of which 4.5 unpaid.
SLOW_TASK = pay.Task(reward=1.75, median_minutes=10, search_minutes=2, returned_share=0.2)


# --- Task ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("task", "minutes", "hourly"), [
    (pay.Task(0.20, 1), 1, 12.0),  # 0.20 per minute
    (pay.Task(0.20, 1, search_minutes=2), 3, 4.0),  # 0.20 / (3 / 60)
    (pay.Task(0.20, 1, returned_share=0.5), 2, 6.0),  # one unpaid attempt per paid task: T = 2
    (SLOW_TASK, 14.5, 1.75 / 14.5 * 60),  # 7.241379
])
def test_effective_hourly_counts_the_unpaid_time(task, minutes, hourly):
    assert task.minutes_per_paid_task == pytest.approx(minutes)
    assert task.effective_hourly == pytest.approx(hourly)


def test_nominal_hourly_and_unpaid_share():
    assert SLOW_TASK.nominal_hourly == pytest.approx(10.5)  # 1.75 / (10 / 60), overhead ignored
    assert SLOW_TASK.unpaid_share == pytest.approx(4.5 / 14.5)  # 0.310345
    assert pay.Task(0.20, 1).unpaid_share == 0
    assert SLOW_TASK.effective_hourly == pytest.approx(SLOW_TASK.nominal_hourly * (1 - SLOW_TASK.unpaid_share))


def test_reward_for_a_target_hourly_pay():
    assert SLOW_TASK.reward_for(7.25) == pytest.approx(7.25 * 14.5 / 60)  # 1.752083
    assert SLOW_TASK.reward_for(7.25) == pytest.approx(1.752083, abs=1e-6)
    assert pay.Task(0.20, 1, search_minutes=2).reward_for(12) == pytest.approx(0.60)  # 12 x 3 / 60
    targets = pd.Series([7.25, 12.0], index=["US", "FR"])
    rewards = SLOW_TASK.reward_for(targets)
    assert list(rewards.index) == ["US", "FR"]
    assert rewards.to_numpy() == pytest.approx([1.752083, 2.9], abs=1e-6)  # 12 x 14.5 / 60 = 2.9
    assert pay.Task(SLOW_TASK.reward_for(7.25), 10, 2, 0.2).effective_hourly == pytest.approx(7.25)


def test_task_fields_become_floats_and_currency_is_kept():
    task = pay.Task(np.int64(1), 10, currency="EUR")
    assert isinstance(task.reward, float) and isinstance(task.median_minutes, float)
    assert task.currency == "EUR"
    with pytest.raises(ValueError, match="currency must be a non-empty text"):
        pay.Task(1, 10, currency="")


# --- hourly_from_monthly ------------------------------------------------------------------------

def test_hourly_from_monthly():
    assert pay.hourly_from_monthly(1733.3, 173.33) == pytest.approx(10.0)
    hourly = pay.hourly_from_monthly(np.array([1733.3, 866.65, 0.0]), 173.33)
    assert hourly == pytest.approx([10.0, 5.0, 0.0])
    by_country = pay.hourly_from_monthly(pd.Series([1600.0, math.nan], index=["FR", "XX"]), np.array([160.0, 160.0]))
    assert list(by_country.index) == ["FR", "XX"]
    assert by_country["FR"] == pytest.approx(10.0) and math.isnan(by_country["XX"])
    with pytest.raises(ValueError, match="monthly earnings must be finite numbers >= 0"):
        pay.hourly_from_monthly(np.array([1000.0, -1.0]), 160)


# --- implied_unpaid_minutes ---------------------------------------------------------------------

def test_implied_unpaid_minutes_by_hand():
    assert pay.implied_unpaid_minutes(0.20, 1, 1.77) == pytest.approx(0.20 / 1.77 * 60 - 1)
    assert pay.implied_unpaid_minutes(0.20, 1, 1.77) == pytest.approx(5.779661, abs=1e-6)
    assert pay.implied_unpaid_minutes(0.20, 1, 12) == pytest.approx(0)  # observed = nominal: no overhead
    # Vectorised: 0.30 / 6 x 60 - 1 = 2.
    assert pay.implied_unpaid_minutes(np.array([0.20, 0.30]), 1, np.array([1.77, 6.0])) == pytest.approx(
        [5.779661, 2.0], abs=1e-6)


def test_implied_unpaid_minutes_inverts_the_model():
    # The slow task pays 7.241379 an hour for 4.5 unpaid minutes per paid task.
    assert pay.implied_unpaid_minutes(1.75, 10, SLOW_TASK.effective_hourly) == pytest.approx(4.5)


def test_observed_pay_above_the_nominal_rate_cannot_be_reconciled():
    with pytest.raises(ValueError, match=r"exceeds the task's nominal hourly pay .* \(13 > 12\)"):
        pay.implied_unpaid_minutes(0.20, 1, 13)
    with pytest.raises(ValueError, match=r"at positions \[1\]"):
        pay.implied_unpaid_minutes(0.20, 1, np.array([1.77, 12.5]))
    with pytest.raises(ValueError, match="observed_hourly must be finite numbers > 0"):
        pay.implied_unpaid_minutes(0.20, 1, 0)


# --- benchmark_table ----------------------------------------------------------------------------

BENCHMARKS = pd.DataFrame({"hourly": [16.0, 2.0, math.nan], "region": ["Europe", "Asia", "unknown"]},
                          index=pd.Index(["FR", "IN", "XX"], name="country"))
CHEAP_TASK = pay.Task(0.20, 1, search_minutes=2)  # T = 3 minutes, 4.00 an hour


def test_benchmark_table_by_hand():
    table = pay.benchmark_table(CHEAP_TASK, BENCHMARKS, floor=7.25)
    assert list(table.index) == ["FR", "IN", "XX"]  # the country without data keeps its row
    assert table["region"].tolist() == ["Europe", "Asia", "unknown"]
    assert table["effective_hourly"].tolist() == pytest.approx([4.0] * 3)
    assert table["ratio_to_average"].to_numpy() == pytest.approx([0.25, 2.0, math.nan], nan_ok=True)  # 4 / 16, 4 / 2
    # 16 x 3 / 60 = 0.80 and 2 x 3 / 60 = 0.10 per task.
    assert table["reward_for_average"].to_numpy() == pytest.approx([0.80, 0.10, math.nan], nan_ok=True)
    assert table["above_floor"].tolist() == [False] * 3
    assert table["reward_for_floor"].tolist() == pytest.approx([7.25 * 3 / 60] * 3)  # 0.3625
    assert pay.benchmark_table(CHEAP_TASK, BENCHMARKS, floor=4.0)["above_floor"].tolist() == [True] * 3
    assert "effective_hourly" not in BENCHMARKS.columns  # the input is not modified


@pytest.mark.parametrize(("benchmarks", "message"), [
    (BENCHMARKS.drop(columns="hourly"), "column 'hourly'"),
    (BENCHMARKS.assign(hourly=[16.0, 0.0, -1.0]), r"column 'hourly' must be finite and > 0 .* \['IN', 'XX'\]"),
    (BENCHMARKS.assign(hourly=["16", "2", "3"]), "column 'hourly' must hold numbers"),
    (BENCHMARKS.assign(above_floor=True), r"already has the output columns \['above_floor'\]"),
])
def test_benchmark_table_rejects_bad_benchmarks(benchmarks, message):
    with pytest.raises(ValueError, match=message):
        pay.benchmark_table(CHEAP_TASK, benchmarks, floor=7.25)


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "parameter"), [
    (lambda: pay.Task(-0.01, 1), "task_reward"),
    (lambda: pay.Task(math.nan, 1), "task_reward"),
    (lambda: pay.Task("0.20", 1), "task_reward"),
    (lambda: pay.Task(True, 1), "task_reward"),
    (lambda: pay.Task(0.20, 0), "task_minutes"),
    (lambda: pay.Task(0.20, -1), "task_minutes"),
    (lambda: pay.Task(0.20, math.inf), "task_minutes"),
    (lambda: pay.Task(0.20, 1, search_minutes=-2), "search_minutes"),
    (lambda: pay.Task(0.20, 1, search_minutes=None), "search_minutes"),
    (lambda: pay.Task(0.20, 1, returned_share=0.96), "returned_share"),
    (lambda: pay.Task(0.20, 1, returned_share=1), "returned_share"),
    (lambda: pay.Task(0.20, 1, returned_share=-0.1), "returned_share"),
    (lambda: pay.hourly_from_monthly(1000, 0.5), "hours_per_month"),
    (lambda: pay.hourly_from_monthly(1000, 745), "hours_per_month"),
    (lambda: pay.hourly_from_monthly(np.array([1000.0]), np.array([160.0, math.nan])), "hours_per_month"),
    (lambda: pay.benchmark_table(CHEAP_TASK, BENCHMARKS, floor=-1), "pay_floor"),
    (lambda: pay.benchmark_table(CHEAP_TASK, BENCHMARKS, floor=False), "pay_floor"),
    (lambda: CHEAP_TASK.reward_for(-7.25), "target_hourly"),
    (lambda: CHEAP_TASK.reward_for(np.array([7.25, -1.0])), "target_hourly"),
    (lambda: CHEAP_TASK.reward_for(["7.25"]), "target_hourly"),
    (lambda: CHEAP_TASK.reward_for(np.array([True])), "target_hourly"),
    (lambda: pay.implied_unpaid_minutes(0.20, 0, 1.77), "task_minutes"),
    (lambda: pay.implied_unpaid_minutes(np.array([0.20, -0.20]), 1, 1.77), "task_reward"),
])
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ParameterError, match=f"parameter '{parameter}'"):
        call()


def test_sensitivity_grid_by_hand():
    task = pay.Task(reward=1.0, median_minutes=10.0)
    grid = pay.sensitivity(task, [0.0, 2.0], [0.0, 0.5])
    assert grid.loc[0.0, 0.0] == pytest.approx(6.0)
    assert grid.loc[2.0, 0.0] == pytest.approx(1.0 / (12 / 60))  # 5.00
    assert grid.loc[2.0, 0.5] == pytest.approx(1.0 / (22 / 60))  # T = 10 + 2 + 10 x 1
    with pytest.raises(ParameterError, match="returned_share"):
        pay.sensitivity(task, [0.0], [0.99])


def test_plots_mark_what_they_show():
    task = pay.Task(reward=1.0, median_minutes=10.0)
    figure = pay.plot_sensitivity(pay.sensitivity(task, [0.0, 5.0], [0.0, 0.2]), floor=5.0)
    assert figure.axes[0].get_legend().get_texts()[0].get_text() == "below the floor of 5 USD/h"
    benchmarks = pd.DataFrame({"hourly": [30.0, float("nan"), 6.0]}, index=["A", "B", "C"])
    table = pay.benchmark_table(task, benchmarks, floor=7.25)
    figure = pay.plot_rewards(table, reward=task.reward, floor_reward=task.reward_for(7.25))
    bars = figure.axes[0].get_yticklabels()
    assert [label.get_text() for label in bars] == ["C", "A"]  # sorted by reward, B has no benchmark
    assert figure.axes[0].get_xlabel().endswith("\nNo ILO benchmark: B")


def test_summary_by_hand():
    table = pay.summary(pay.Task(reward=1.0, median_minutes=10.0, search_minutes=2.0), floor=7.25, target=12.0)
    assert table["advertised hourly pay (median time only)"] == pytest.approx(6.0)
    assert table["effective hourly pay"] == pytest.approx(5.0)
    assert table["reward needed for the floor of 7.25 per hour"] == pytest.approx(7.25 * 12 / 60)
    assert table["reward needed for the target of 12 per hour"] == pytest.approx(2.4)
    with pytest.raises(ParameterError, match="pay_floor"):
        pay.summary(pay.Task(reward=1.0, median_minutes=10.0), floor=-1, target=12.0)


def test_reconciliation_by_hand():
    tasks = pd.DataFrame({"reward": [0.20, 0.15], "minutes": [1.0, 0.75]}, index=["record", "search"])
    table = pay.reconciliation(tasks["reward"], tasks["minutes"], 1.77)
    assert table.index.tolist() == ["record", "search"]
    assert table["advertised_hourly"].tolist() == pytest.approx([12.0, 12.0])
    assert table["unpaid_minutes_per_paid_task"].tolist() == pytest.approx([0.20 / 1.77 * 60 - 1, 0.15 / 1.77 * 60 - 0.75])
    assert table["unpaid_share_of_time"].tolist() == pytest.approx([1 - 1.77 / 12] * 2)
