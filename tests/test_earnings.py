"""ILO earnings benchmark: the screen's decisions on known defects, hand values, bad limits and parameters."""

import math

import pytest
import yaml

from analysis import earnings
from analysis.parameters import ParameterError

CODES = ["USA", "FRA", "ESP", "CHN", "JPN", "ZWE", "RWA", "HRV", "ISL"]


@pytest.fixture(scope="module")
def table():
    return earnings.benchmarks(CODES, max_year=2024, hours_per_month=173.33)


def test_benchmarks_keep_every_requested_country_in_order(table):
    assert table.index.tolist() == CODES
    assert table.loc["CHN", "note"] == "not in the ILO extract up to 2024"
    assert math.isnan(table.loc["JPN", "monthly_ppp"])


def test_benchmark_values_by_hand(table):
    # data/raw/ilostat-earnings/ilostat_wage.csv: United States of America, Total, National, 2024
    assert table.loc["USA", "year"] == 2024
    assert table.loc["USA", "monthly_ppp"] == pytest.approx(5985.292)
    assert table.loc["USA", "hourly_ppp"] == pytest.approx(5985.292 / 173.33)
    assert table.loc["FRA", "year"] == 2023 and table.loc["FRA", "monthly_ppp"] == pytest.approx(5322.974)
    assert table.loc["ESP", "source"] == "HIES - EU Statistics on Income and Living Conditions"


def test_screen_sets_implausible_values_aside(table):
    # Rwanda 2024 is 0.003 PPP $ a month: screened, so 2023 (149.267) is the benchmark
    assert table.loc["RWA", "year"] == 2023 and table.loc["RWA", "monthly_ppp"] == pytest.approx(149.267)
    # Croatia 2014-2022 exceed 9,000: 2023 (2,381.465) has no usable predecessor and is kept
    assert table.loc["HRV", "monthly_ppp"] == pytest.approx(2381.465)
    # Iceland 2016 (17,173) is screened; the latest, 2019, is compared with 2018, not 2016
    assert table.loc["ISL", "year"] == 2019 and table.loc["ISL", "note"] == ""
    screened = earnings.screened_observations()
    assert set(screened["iso3"]) == {"RWA", "HRV", "ISL", "LBR"}
    assert (screened["screened_by"] == "above 9000 PPP $").sum() == 12  # Croatia 9, Iceland 1, Liberia 2


def test_jump_gives_no_benchmark_rather_than_a_guess(table):
    # Zimbabwe 2023 (1,711.902) is 8.07 times 2022 (212.044)
    assert math.isnan(table.loc["ZWE", "monthly_ppp"])
    assert table.loc["ZWE", "note"] == "2023 is 8.1 x 2022: no benchmark"


def test_max_year_moves_the_benchmark_back():
    earlier = earnings.benchmarks(["USA", "ZWE"], max_year=2022, hours_per_month=173.33)
    assert earlier.loc["USA", "year"] == 2022
    assert earlier.loc["ZWE", "year"] == 2022 and earlier.loc["ZWE", "monthly_ppp"] == pytest.approx(212.044)


@pytest.mark.parametrize("name, value", [("earnings_max_year", 2030), ("earnings_max_year", 2013.5),
                                         ("hours_per_month", 0), ("hours_per_month", -173.0)])
def test_bad_parameters_name_themselves(name, value):
    arguments = {"max_year": 2024, "hours_per_month": 173.33}
    arguments["max_year" if name == "earnings_max_year" else "hours_per_month"] = value
    with pytest.raises(ParameterError, match=name):
        earnings.benchmarks(["USA"], **arguments)


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.pop("max_jump_factor"), "'max_jump_factor' is missing"),
    (lambda s: s.update(min_monthly_ppp=-1), "'min_monthly_ppp' must be a positive number"),
    (lambda s: s.update(min_monthly_ppp=10_000), "'min_monthly_ppp' must be below 'max_monthly_ppp'"),
    (lambda s: s.update(max_jump_factor=0.5), "'max_jump_factor' must be above 1"),
    (lambda s: s.update(excluded_status="Unreliable"), "'excluded_status' must be a list"),
])
def test_bad_screen_is_refused_naming_the_file_and_key(tmp_path, edit, message):
    screen = yaml.safe_load(earnings.SCREEN_FILE.read_text(encoding="utf-8"))
    edit(screen)
    path = tmp_path / "earnings-screen.yaml"
    path.write_text(yaml.safe_dump(screen), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as error:
        earnings.load_screen(path)
    assert "earnings-screen.yaml" in str(error.value)


def test_plot_hourly_shows_usable_values_and_names_the_missing(table):
    labelled = table.rename(index={"USA": "United States", "CHN": "China"}).loc[["United States", "China", "FRA"]]
    figure = earnings.plot_hourly(labelled.assign(kind=["lead", "platform", "workers"]), "test", group="kind")
    assert [label.get_text() for label in figure.axes[0].get_yticklabels()] == ["FRA", "United States"]
    assert figure.axes[0].get_xlabel().endswith("\nNo ILO benchmark: China (not in the ILO extract up to 2024)")
    assert [text.get_text() for text in figure.axes[0].get_legend().get_texts()] == ["lead", "platform", "workers"]


def test_ilo_ppp_dollars_become_us_dollars_of_their_year_by_hand():
    """World Bank: India PPP (private consumption) 2021 = 19.4689502716064 rupees per international $,
    exchange rate 2024 = 83.669281580941 rupees per US $ -> 0.23269 US $ per ILO 2021-PPP $; in 2021
    (73.9180128154351 rupees per US $) the price level ratio 0.26339. The US is 1 by definition."""
    table = earnings.benchmarks(["IND", "USA", "FRA"], max_year=2024, hours_per_month=173.33)
    assert table.loc["IND", "year"] == 2024
    assert table.loc["IND", "usd_per_ppp"] == pytest.approx(19.4689502716064 / 83.669281580941, rel=1e-12)
    assert table.loc["IND", "hourly_usd"] == pytest.approx(1045.971 / 173.33 * 19.4689502716064 / 83.669281580941)
    assert table.loc["USA", "usd_per_ppp"] == 1.0
    in_2021 = earnings.benchmarks(["IND"], max_year=2021, hours_per_month=173.33)
    assert in_2021.loc["IND", "usd_per_ppp"] == pytest.approx(0.26339, abs=1e-5)


def test_a_country_without_a_price_level_gets_no_us_dollar_value_and_says_so(monkeypatch):
    from analysis import data

    prices = data.load(earnings.PRICE_LEVELS)
    monkeypatch.setattr(data, "load", lambda name, _load=data.load: prices[prices["iso3"] != "FRA"]
                        if name == earnings.PRICE_LEVELS else _load(name))
    table = earnings.benchmarks(["FRA"], max_year=2024, hours_per_month=173.33)
    assert math.isnan(table.loc["FRA", "hourly_usd"]) and table.loc["FRA", "hourly_ppp"] > 0
    assert table.loc["FRA", "note"] == "no World Bank price level: no US$ value"
