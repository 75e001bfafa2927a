"""Parameter rules: types and ranges, checked before any kernel starts."""

import pytest

from analysis import parameters
from analysis.parameters import ParameterError


def test_numbers_are_converted_to_the_declared_type():
    assert parameters.check("multihoming_coefficient", 2) == 2.0
    assert isinstance(parameters.check("multihoming_coefficient", 2), float)
    assert parameters.parse("multihoming_coefficient", "1.83") == 1.83


@pytest.mark.parametrize("value", ["1.83", True, None, [1.5]])
def test_wrong_types_are_rejected(value):
    with pytest.raises(ParameterError, match="parameter 'multihoming_coefficient' must be a number"):
        parameters.check("multihoming_coefficient", value)


def test_text_that_is_not_a_number_is_rejected():
    with pytest.raises(ParameterError, match=r"parameter 'very_active_share' must be a number, got 'half'"):
        parameters.parse("very_active_share", "half")


def test_non_finite_numbers_are_rejected():
    with pytest.raises(ParameterError, match="must be finite"):
        parameters.check("registrations_total", float("nan"))
    for text in ("nan", "inf", "-inf", "1_0", "１０", " 10", "0x10"):  # float() takes the first five
        with pytest.raises(ParameterError, match=f"must be a number, got '{text}'"):
            parameters.parse("registrations_total", text)


def test_every_number_has_a_lower_and_an_upper_limit():
    """A quantity with no natural maximum has a ceiling far beyond any real value: 1e308 is refused before a kernel."""
    for name, rule in parameters.RULES.items():
        if rule.kind in (int, float):
            assert rule.minimum is not None and (rule.maximum is not None or rule.ceiling is not None), name
    with pytest.raises(ParameterError, match=r"= 1e\+308 is out of range: must be <= 1e\+11"):
        parameters.parse("registrations_total", "1e308")
    assert parameters.bounds(["registrations_total"]) == {"registrations_total": (0.0, None)}  # not a bound of the quantity


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("multihoming_coefficient", 0.5, r"'multihoming_coefficient' = 0.5 is out of range: must be >= 1 \(mean number"),
        ("very_active_share", 1.2, r"'very_active_share' = 1.2 is out of range: must be <= 1"),
        ("very_active_share", -0.1, r"'very_active_share' = -0.1 is out of range: must be >= 0"),
        ("registrations_total", -3, r"'registrations_total' = -3 is out of range: must be >= 0"),
    ],
)
def test_out_of_range_values_name_the_parameter_and_the_bound(name, value, message):
    with pytest.raises(ParameterError, match=message):
        parameters.check(name, value)


def test_unknown_parameter():
    with pytest.raises(ParameterError, match="unknown parameter 'coefficient'"):
        parameters.check("coefficient", 1.0)


def test_rules_describe_themselves():
    assert parameters.rule("very_active_share").describe() == "float >= 0 and <= 1"


def test_text_parameters_must_be_one_of_their_choices():
    assert parameters.parse("model_search_criterion", "BIC") == "BIC"
    with pytest.raises(ParameterError, match=r"'model_search_criterion' must be one of \['AIC', 'BIC'\], got 'R2'"):
        parameters.parse("model_search_criterion", "R2")
    assert parameters.rule("model_search_criterion").describe() == "str in {AIC, BIC}"


def test_whole_number_parameters_refuse_fractions():
    with pytest.raises(ParameterError, match="'simulation_seed' must be a whole number, got '1.5'"):
        parameters.parse("simulation_seed", "1.5")
    assert parameters.parse("simulation_seed", "7") == 7


@pytest.mark.parametrize("value", ["2018-05-24", "2025-01-01", "2019-13-01", "yesterday", "2019-7-1"])
def test_date_parameters_refuse_dates_outside_the_coded_range(value):
    with pytest.raises(parameters.ParameterError, match=r"parameter 'regime_date' must be a date YYYY-MM-DD "
                                                        r"from 2018-05-25 to 2024-12-31"):
        parameters.check("regime_date", value)
    assert parameters.check("regime_date", "2024-12-31") == "2024-12-31"


def test_date_parameter_range_is_the_supply_chain_coded_range():
    from analysis import supplychain
    for name in ("regime_date", "revelations_date"):
        assert parameters.rule(name).dates == (supplychain.GDPR_FROM, supplychain.CODED_UNTIL)


PLATFORMS = "platform,monthly_visits,registered\nA,1000,50\nB,2000,90\nC,4000,210\nD,8000,\n"


def relative_to_root(path) -> str:
    """``path`` spelled relative to the repository root, as the notebooks read path parameters."""
    import os

    from analysis import paths
    return os.path.relpath(path, paths.ROOT)


def test_csv_path_parameters_declare_the_columns_their_notebooks_read():
    from analysis import traffic
    assert parameters.rule("traffic_csv").csv_columns == tuple(traffic.SCHEMA)
    assert parameters.rule("exercise_answers").csv_columns == ("id", "function")
    assert parameters.rule("exercise_answers").describe() == "path to a CSV with columns id, function, or empty"


def test_csv_path_parameters_accept_empty_text_and_a_good_file_relative_to_the_repository(tmp_path, monkeypatch):
    platforms, answers = tmp_path / "platforms.csv", tmp_path / "answers.csv"
    platforms.write_text(PLATFORMS, encoding="utf-8")
    answers.write_text("id,function\nT001,preparation\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "..")  # relative to the repository root, not to the working directory
    for name, path in (("traffic_csv", platforms), ("exercise_answers", answers)):
        assert parameters.check(name, "") == ""
        assert parameters.parse(name, str(path)) == str(path)
        assert parameters.parse(name, relative_to_root(path)) == relative_to_root(path)
    with pytest.raises(ParameterError, match=r"'exercise_answers' = 'answers.csv' names no file"):
        parameters.check("exercise_answers", "answers.csv")  # in the working directory, not the repository


@pytest.mark.parametrize("name", ["traffic_csv", "exercise_answers"])
@pytest.mark.parametrize(
    "content, problem",
    [
        (None, "names no file"),
        ("directory", "is a directory, not a CSV file"),
        (b"", "is an empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not a readable CSV file"),
        (b"id;function\nT001;preparation\n", r"lacks column\(s\) \["),
    ],
)
def test_csv_path_parameters_refuse_what_is_not_a_csv_with_their_columns(tmp_path, name, content, problem):
    path = tmp_path / "given.csv"
    if content == "directory":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ParameterError, match=rf"^parameter '{name}' = '{path}' {problem}.* \(CSV of "):
        parameters.parse(name, str(path))


def test_answers_need_both_columns_and_at_least_one_row(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("function\npreparation\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"lacks column\(s\) \['id'\]; its columns are \['function'\]"):
        parameters.check("exercise_answers", str(path))
    path.write_text("id,function\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="has a header but no rows"):
        parameters.check("exercise_answers", str(path))


def test_platform_csv_content_is_checked_by_the_traffic_reader(tmp_path):
    path = tmp_path / "platforms.csv"
    path.write_text("platform,monthly_visits,registered\nA,1000,50\nB,lots,90\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"^parameter 'traffic_csv' = '.*' is not usable: column 'monthly_visits' "
                                             r"is not a finite number on line 3 \(CSV of real platforms"):
        parameters.check("traffic_csv", str(path))
