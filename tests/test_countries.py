"""Country names matched once, with nothing dropped silently; OLI shares, mixes and women's shares."""

import pandas as pd
import pytest

from analysis import countries


@pytest.fixture(scope="module")
def profiles():
    return countries.oli_profiles()


def test_every_oli_country_is_matched(profiles):
    names = profiles["oli_name"].unique()
    assert len(names) == 139
    assert countries.unmatched(names) == []
    assert profiles["iso3"].notna().all()


def test_matching_by_name_and_by_alias():
    table = countries.match(["United States", "Côte d'Ivoire", "Viet Nam", "France", "Atlantis"])
    assert table.loc["United States", ["iso3", "matched_by"]].tolist() == ["USA", "alias"]
    assert table.loc["France", "iso3"] == "FRA"
    assert table.loc["Côte d'Ivoire", "iso3"] == "CIV"
    assert table.loc["Viet Nam", "iso3"] == "VNM"
    assert table.loc["Atlantis", "matched_by"] == "unmatched"


def test_unmatched_names_are_reported_not_dropped():
    frame = pd.DataFrame({"name": ["France", "Atlantis", "Lemuria"]})
    with pytest.raises(ValueError, match=r"not matched in column 'name': \['Atlantis', 'Lemuria'\]"):
        countries.with_iso3(frame, "name")


def test_country_shares_sum_to_one_and_count_all_genders(profiles):
    shares = countries.country_shares(profiles)
    assert shares["share"].sum() == pytest.approx(1)
    all_occupations = profiles[profiles["occupation"] == countries.ALL_OCCUPATIONS]
    assert shares["profiles"].sum() == all_occupations["count"].sum() == 14790
    # France by hand: female + male + not determined, all occupations
    france = all_occupations[all_occupations["iso3"] == "FRA"]["count"].sum()
    assert shares.loc["FRA", "profiles"] == france == 100


def test_occupation_mix_rows_sum_to_one(profiles):
    mix = countries.occupation_mix(profiles)
    assert (mix.sum(axis=1).round(12) == 1).all()
    assert countries.MICROWORK_OCCUPATION in mix.columns


def test_women_share_with_wilson_interval(profiles):
    women = countries.women_share(profiles)
    france = women.loc["FRA"]
    assert (france["women"], france["with_gender"]) == (36, 92)
    assert france["share"] == pytest.approx(36 / 92)
    assert france["lower"] == pytest.approx(0.2979, abs=1e-4) and france["upper"] == pytest.approx(0.4935, abs=1e-4)


def test_spanish_speaking_focus_is_spain_and_latin_america():
    reference = countries.reference()
    focus = set(reference.index[reference["spanish_speaking"]])
    assert {"ESP", "MEX", "ARG", "COL", "PER", "CHL"} <= focus
    assert "GNQ" not in focus and "FRA" not in focus and "USA" not in focus


def test_per_million_by_hand_and_missing_populations():
    rate = countries.per_million(pd.Series({"FRA": 67601.110}), 2020)
    assert rate["FRA"] == pytest.approx(1000, rel=1e-6)  # France 2020: 67,601,110 inhabitants
    assert countries.without_population(pd.Index(["FRA", "TWN"]), 2020) == ["TWN"]
    with pytest.raises(ValueError, match="no World Bank population for 1900"):
        countries.population(1900)


def test_buyers_and_workers_by_hand():
    table = countries.buyers_and_workers(pd.Series({"USA": 0.6, "GBR": 0.4}), pd.Series({"USA": 0.2, "IND": 0.79}))
    assert table.loc["USA", "buyer_to_worker_ratio"] == pytest.approx(3.0)
    assert table.loc["IND", "employer_share"] == 0 and table.loc["GBR", "worker_share"] == 0  # kept, not dropped
    assert pd.isna(table.loc["GBR", "buyer_to_worker_ratio"])
    with pytest.raises(ValueError, match="employer_shares must be shares >= 0 summing to at most 1"):
        countries.buyers_and_workers(pd.Series({"USA": 0.6, "GBR": 0.5}), pd.Series({"USA": 1.0}))


def test_shares_by_continent_use_the_oli_map_and_keep_what_it_lacks():
    summed = countries.by_continent(pd.Series({"FRA": 0.2, "DEU": 0.3, "IND": 0.4, "PNG": 0.1}))
    assert summed.to_dict() == pytest.approx({"Asia": 0.4, "Europe": 0.5, countries.NO_CONTINENT: 0.1})


def test_published_oli_shares_are_the_oli_teams_and_the_gender_sample_is_far_from_them():
    """OII blog (Stephany, Kässi, Rani & Lehdonvirta 2021): India 33 %, Bangladesh 15 % in 2021."""
    assert countries.oli_shares_2021().to_dict() == {"IND": 0.33, "BGD": 0.15}
    assert countries.oli_top_countries(5) == ["IND", "BGD", "PAK", "USA", "PHL"]
    table = countries.gender_sample_against_published()
    assert table.loc["India", "gender sample (unweighted)"] == pytest.approx(0.0339, abs=1e-4)
    regions = countries.oli_regions(2020)
    assert regions["share"].sum() == pytest.approx(0.9997, abs=1e-4)
    assert regions.index[0] == "Asia" and regions.loc["Asia", "share"] == pytest.approx(0.6405, abs=1e-4)
