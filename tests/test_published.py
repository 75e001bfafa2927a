"""Published figures: lookup, and agreement with the shared hand-transcribed table."""

import pytest

from analysis import data, published


def test_figure_lookup_returns_value_and_citation():
    casual = published.figure("france.casual")
    assert casual.value == 266126
    assert casual.status == "verified"
    assert casual.citation.startswith("Le Ludec, Tubaro & Casilli (2019)")
    assert "abstract (verified)" in casual.citation


def test_unknown_key_is_named():
    with pytest.raises(KeyError, match="no published figure 'france.nothing'"):
        published.figure("france.nothing")


def test_figures_keeps_the_order_asked():
    table = published.figures(["france.routine", "france.casual"])
    assert table.index.tolist() == ["france.routine", "france.casual"]
    assert table["value"].tolist() == [52337, 266126]


# data/published key -> the `quantity` of the same figure in data/raw/published-estimates
SHARED_WITH_RAW = {
    "global.registered": "registered freelancer profiles",
    "global.active": "profiles that obtained work at least once",
    "global.significantly_active": "significantly active (>=10 projects or >=$1000 earned)",
    "global.multihoming_coefficient": "multi-homing coefficient (platform accounts per person)",
    "france.multihoming_coefficient": "multi-homing coefficient",
    "hara2018.median_hourly_wage_usd": "median hourly wage",
    "hara2018.share_above_7_25": "share of workers earning more than US$7.25/h",
    "hara2018.workers": "workers recorded",
}


@pytest.mark.parametrize("key, quantity", SHARED_WITH_RAW.items())
def test_published_figures_agree_with_the_raw_transcription(key, quantity):
    raw = data.load("published-estimates").set_index("quantity")
    assert published.figure(key).value == raw.loc[quantity, "value"]


def test_press_sum_of_the_circles_is_not_a_published_figure():
    """The circles are nested: the press's ~330,000 sum must not appear as a figure of the paper."""
    values = set(published.table()["value"])
    assert 266126 + 52337 + 14903 not in values


def test_a_range_figure_has_low_and_high_and_no_value():
    uk = published.figure("uk.potential_victims_2013")
    assert (uk.value, uk.span) == (None, (10000, 13000))
    assert published.figure("france.casual").span == (266126, 266126)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"low": 1.0}, "either a 'value' or both 'low' and 'high'"),
        ({"value": None, "low": 1.0}, "either a 'value' or both 'low' and 'high'"),
        ({"value": None, "low": 3.0, "high": 2.0}, "'low' must be below 'high'"),
    ],
)
def test_malformed_figures_are_refused_with_the_line(monkeypatch, change, message):
    figures = data.load(published.DATASET)
    figures.loc[3, list(change)] = list(change.values())
    monkeypatch.setattr(data, "load", lambda name: figures)
    with pytest.raises(data.DataError, match=f"{message}.*line 5"):
        published.table()


def test_figures_say_what_they_count_and_where_a_definition_comes_from():
    """The abstract's own words for the circles; second-hand definitions and quotes marked as such."""
    assert "most of whom are present on these platforms at least once a week" in published.figure(
        "france.very_active").quantity
    assert "second-hand" in published.figure("france.casual").note  # 'registered on >= 1 platform' is the critique's
    coefficient = published.figure("global.multihoming_coefficient")
    assert coefficient.status == "second-hand" and "March 2021" in coefficient.version
    # the data owner's ~12K is workers per 30-day occasion, not the abstract's "more than 2K" at any given time
    assert "30-day occasion" in published.figure("mturk.difallah2018_active").quantity
    assert published.figure("mturk.difallah2018_active_any_time").value == 2000
