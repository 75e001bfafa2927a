"""Exercises for the teaching path, checked without giving the answer away.

Each method notebook ends with an exercise: a question, a cell where the reader types a number,
and :func:`check`, which says right or wrong and why — how far off, and the usual mistake the
value points to — but never prints the expected value. The expected values are computed here
from the package and the data, not typed in, so they move with the code; a reader who wants
the answer can read this file (teachers: that is the point of keeping it in one place).

The typology notebook's coding exercise is scored by :func:`analysis.typology.score_exercise`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from analysis import capture, circles, data, demand, pay, published, supplychain, survey


@dataclass(frozen=True)
class Exercise:
    """A question with a numeric answer, the relative tolerance that counts as right, and known mistakes."""

    key: str
    notebook: str
    question: str
    answer: Callable[[], float]
    tolerance: float = 0.005
    mistakes: dict[str, Callable[[], float]] = field(default_factory=dict)  # explanation -> the value it gives


@dataclass(frozen=True)
class Feedback:
    correct: bool | None
    message: str

    def __repr__(self) -> str:
        return self.message


def _france_totals() -> pd.Series:
    """The platform totals notebook 01 back-calculates from the published circles (casual, routine)."""
    circles_ = {circle: published.figure(f"france.{circle}").value for circle in ("casual", "routine")}
    return circles.admissible_totals(circles_, published.figure("france.multihoming_coefficient").value)["nearest"]


def _global(key: str) -> float:
    return published.figure(f"global.{key}").value


def _women_sample(difference: float, alternative: str = "two-sided") -> float:
    """Respondents per group to tell the French share of women from one ``difference`` lower."""
    women = published.figure("diplab.women_share").value
    return survey.sample_size_two_proportions(women, women - difference, power=0.8, alpha=0.05,
                                              alternative=alternative)


def _seber() -> tuple[int, int, int]:
    return capture.two_lists(capture.histories(data.load("rcapture-seber1982-two-sample"), freq="freq"))


def _microwork_growth() -> float:
    return demand.growth_between(demand.levels()[demand.MICROWORK], "2017-01", "2020-01")


def _survey_task() -> pay.Task:
    return pay.Task(reward=1.0, median_minutes=15.0, search_minutes=3.0, returned_share=0.1)


def _routes_without_adequacy(date: str) -> float:
    routes = supplychain.recording_routes(supplychain.load_chain(), date, users_iso3="FRA")
    return float(routes["via_no_adequacy"].sum())


EXERCISES = {exercise.key: exercise for exercise in (
    Exercise(
        "routine-at-global-coefficient", "01-counting-france",
        "How many routine (monthly) micro-workers would France have if its workers used 1.83 platforms each, "
        "the coefficient Kässi et al. found for all online labour? (a whole number of workers)",
        lambda: _france_totals()["routine"] / _global("multihoming_coefficient"), tolerance=0.001,
        mistakes={"you multiplied by the coefficient instead of dividing by it":
                  lambda: _france_totals()["routine"] * _global("multihoming_coefficient"),
                  "you divided the registrations, not the monthly visitors":
                  lambda: _france_totals()["casual"] / _global("multihoming_coefficient")},
    ),
    Exercise(
        "chapman-by-hand", "02-counting-hidden-workers",
        "From Seber's two lists (n1, n2 and m in section 1), compute Chapman's estimate of the population by hand.",
        lambda: capture.chapman(*_seber())["abundance"], tolerance=0.0005,
        mistakes={"that is Lincoln-Petersen: Chapman adds 1 to n1, n2 and m, then subtracts 1":
                  lambda: capture.lincoln_petersen(*_seber())["abundance"],
                  "you added the two lists without removing the people on both": lambda: float(sum(_seber()[:2]))},
    ),
    Exercise(
        "share-for-five-million", "03-global-online-workers",
        "Version 1 of Kässi et al. reported 5 million significantly active workers. With 163 million profiles and a "
        "multi-homing coefficient of 1.83, what share of profiles must be significantly active to give 5 million? "
        "(a share between 0 and 1)",
        lambda: _global("significantly_active_v1") * _global("multihoming_coefficient") / _global("registered"),
        tolerance=0.01,
        mistakes={"you forgot the multi-homing coefficient (5 M / 163 M)":
                  lambda: _global("significantly_active_v1") / _global("registered"),
                  "you divided by the coefficient instead of multiplying": lambda: (
                      _global("significantly_active_v1") / _global("multihoming_coefficient") / _global("registered"))},
    ),
    Exercise(
        "replication-sample", "04-worker-portraits",
        "A replication wants to detect a 10-point difference in the share of women (56.1 % in France against 46.1 %) "
        "with power 0.8 at the 5 % level, two-sided, in two groups of equal size. How many respondents per group?",
        lambda: _women_sample(0.10), tolerance=0.02,
        mistakes={"that is for a 5-point difference: the sample grows with the inverse square of the difference":
                  lambda: _women_sample(0.05),
                  "that is a one-sided test": lambda: _women_sample(0.10, alternative="smaller")},
    ),
    Exercise(
        "microwork-growth", "05-platforms-and-demand",
        "What was the compound annual growth rate of the OLI micro-work index between January 2017 and January 2020? "
        "(a rate, e.g. 0.05 for 5 % a year; negative if it fell)",
        _microwork_growth, tolerance=0.02,
        mistakes={"that is the total growth over the three years, not the yearly rate": lambda: (
            1 + _microwork_growth()) ** 3 - 1},
    ),
    Exercise(
        "routes-without-adequacy-2021", "07-voice-assistant-supply-chain",
        "On 1 January 2021, after the Schrems II judgment, how many of the routes from users in France to the "
        "workers pass through a country with neither the GDPR nor an EU adequacy decision?",
        lambda: _routes_without_adequacy("2021-01-01"), tolerance=0,
        mistakes={"that was the count in July 2019, under the Privacy Shield": lambda: _routes_without_adequacy(
            "2019-07-01")},
    ),
    Exercise(
        "reward-for-the-floor", "08-fair-pay-in-research",
        "A 15-minute survey; workers spend 3 unpaid minutes finding it, and 10 % of the tasks they start end unpaid. "
        "What reward (USD) pays them the US federal minimum of 7.25 an hour for their whole time?",
        lambda: _survey_task().reward_for(7.25), tolerance=0.005,
        mistakes={"you counted the median time only, not the unpaid time": lambda: 7.25 * 15 / 60,
                  "you counted the search time but not the returned work": lambda: 7.25 * 18 / 60},
    ),
)}


def questions(notebook: str | None = None) -> dict[str, str]:
    """The questions (key -> text), all or one notebook's."""
    return {key: exercise.question for key, exercise in EXERCISES.items()
            if notebook is None or exercise.notebook == notebook}


def check(key: str, answer: object) -> Feedback:
    """Right or wrong, and why, without revealing the expected value."""
    if key not in EXERCISES:
        raise KeyError(f"no exercise '{key}'; the exercises are {sorted(EXERCISES)}")
    if answer is None:
        return Feedback(None, "No answer yet: replace None with your number and run the cell again.")
    if isinstance(answer, bool) or not isinstance(answer, int | float) or not math.isfinite(answer):
        return Feedback(False, f"Not a number: {answer!r}. Type the number only, e.g. 12345 or 0.25.")
    exercise = EXERCISES[key]
    expected = float(exercise.answer())

    def close(value: float) -> bool:
        return math.isclose(answer, value, rel_tol=exercise.tolerance, abs_tol=1e-12)

    if close(expected):
        return Feedback(True, "Right.")
    for explanation, value in exercise.mistakes.items():
        if close(float(value())):
            return Feedback(False, f"Not quite: {explanation}.")
    direction = "high" if answer > expected else "low"
    off = abs(answer / expected - 1) if expected else math.inf
    size = "far too" if off > 0.5 else "too" if off > 0.05 else "a little too"
    return Feedback(False, f"Not quite: {size} {direction}. Check each step of the method in this section.")
