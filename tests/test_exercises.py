"""Exercises: right answers accepted, known mistakes named, other answers pointed the right way, answers never shown."""

import math

import nbformat
import pytest

from analysis import exercises, paths

HAND = {  # expected values worked out by hand from the notebooks' inputs
    "routine-at-global-coefficient": 66468 / 1.83,  # back-calculated monthly visitors / 1.83
    "share-for-five-million": 5e6 * 1.83 / 163e6,
    "routes-without-adequacy-2021": 3,  # every route passes through the US, then without adequacy
    "reward-for-the-floor": 7.25 * (15 + 3 + 15 * 0.1 / 0.9) / 60,
}


@pytest.mark.parametrize("key, value", HAND.items())
def test_hand_values_are_right(key, value):
    feedback = exercises.check(key, value)
    assert feedback.correct is True and feedback.message == "Right."


def test_chapman_exercise_against_the_formula():
    n1, n2, m = exercises._seber()
    assert exercises.check("chapman-by-hand", (n1 + 1) * (n2 + 1) / (m + 1) - 1).correct
    assert exercises.check("chapman-by-hand", n1 * n2 / m).message.startswith("Not quite: that is Lincoln-Petersen")


@pytest.mark.parametrize("key, answer, message", [
    ("routine-at-global-coefficient", 66468 * 1.83, "you multiplied by the coefficient instead of dividing by it"),
    ("share-for-five-million", 5e6 / 163e6, "you forgot the multi-homing coefficient"),
    ("reward-for-the-floor", 7.25 * 15 / 60, "you counted the median time only"),
    ("routes-without-adequacy-2021", 2, "that was the count in July 2019"),
])
def test_known_mistakes_are_named(key, answer, message):
    feedback = exercises.check(key, answer)
    assert feedback.correct is False and message in feedback.message


def test_other_answers_say_which_way_without_the_answer():
    expected = exercises.EXERCISES["routine-at-global-coefficient"].answer()
    feedback = exercises.check("routine-at-global-coefficient", expected * 1.1)
    assert feedback.message == "Not quite: too high. Check each step of the method in this section."
    assert exercises.check("routine-at-global-coefficient", expected * 0.98).message.startswith(
        "Not quite: a little too low")
    assert exercises.check("routine-at-global-coefficient", expected * 3).message.startswith("Not quite: far too high")
    for key, exercise in exercises.EXERCISES.items():
        value = exercise.answer()
        for wrong in (value * 1.3 + 1, value * 0.5 - 1):
            message = exercises.check(key, wrong).message
            assert f"{value:g}" not in message and f"{round(value)}" not in message.split(":", 1)[-1]


def test_no_answer_and_non_numbers():
    assert exercises.check("reward-for-the-floor", None).correct is None
    assert exercises.check("reward-for-the-floor", "2.38").message.startswith("Not a number: '2.38'")
    assert exercises.check("reward-for-the-floor", math.nan).correct is False
    with pytest.raises(KeyError, match="no exercise 'nope'"):
        exercises.check("nope", 1)


def test_every_exercise_has_a_cell_in_its_notebook_left_unanswered():
    for key, exercise in exercises.EXERCISES.items():
        nb = nbformat.read(paths.NOTEBOOKS / f"{exercise.notebook}.ipynb", as_version=4)
        cells = [cell for cell in nb.cells if f'exercises.check("{key}", my_answer)' in cell.source]
        assert len(cells) == 1, key
        assert "my_answer = None" in cells[0].source
        question = [cell for cell in nb.cells if cell.cell_type == "markdown" and exercise.question in cell.source]
        assert question, key


def test_learning_path_lists_every_notebook_and_exercise():
    from analysis import pipeline
    path = (paths.NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    for name in pipeline.notebooks():
        assert f"]({name}.ipynb)" in path, name
    for key in exercises.EXERCISES:
        assert f"`{key}`" in path, key
