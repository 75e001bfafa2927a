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
        parameters.parse("registrations_total", "nan")


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
