"""The voice-assistant supply chain: its structure, the EU data-protection regimes, the tables and the figure."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import data, supplychain  # noqa: E402

# The links encoded in data/supply-chain/links.csv (see its PROVENANCE.md).
EDGES = {
    (0, 1): ("outsources AI verification to", "stated"),
    (0, 6): ("runs", "stated"),
    (1, 2): ("relies on to recruit", "stated"),
    (1, 3): ("relies on to recruit", "stated"),
    (2, 4): ("recruits", "stated"),
    (3, 4): ("recruits", "stated"),
    (5, 4): ("supervises", "stated"),
    (6, 4): ("delivers tasks to", "interpretation"),
}
COUNTRIES = {0: "USA", 1: "CHN", 2: "JPN", 3: "ESP", 4: "FRA", 5: "ITA", 6: "USA"}
LEAD_FIRM, CHINESE_PLATFORM, WORKERS = 0, 1, 4


@pytest.fixture(scope="module")
def chain() -> nx.DiGraph:
    return supplychain.load_chain()


def registered_as(monkeypatch, name: str, path: Path) -> None:
    """Let the file at ``path`` pass the checksum of dataset ``name``, so the checks after it run."""
    original = data.dataset
    monkeypatch.setattr(data, "dataset", lambda wanted: dataclasses.replace(
        original(wanted), sha256=data.file_sha256(path)) if wanted == name else original(wanted))


def links_copy(tmp_path: Path, monkeypatch, extra_lines: list[str]) -> Path:
    """A copy of links.csv with ``extra_lines`` appended, registered under its own checksum."""
    path = tmp_path / "links.csv"
    shutil.copy(data.dataset(supplychain.LINKS).path, path)
    with open(path, "a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in extra_lines)
    registered_as(monkeypatch, supplychain.LINKS, path)
    return path


# --- structure ----------------------------------------------------------------------------------

def test_the_seven_actors_and_their_countries(chain):
    assert sorted(chain.nodes) == list(range(7))
    assert {node: chain.nodes[node]["iso3"] for node in chain.nodes} == COUNTRIES
    assert chain.nodes[LEAD_FIRM]["tier"] == 0
    assert chain.nodes[WORKERS]["tier"] == max(tier for _, tier in chain.nodes(data="tier"))


def test_exactly_the_encoded_links(chain):
    assert {(s, t): (a["relation"], a["evidence"]) for s, t, a in chain.edges(data=True)} == EDGES


def test_the_chain_is_acyclic_and_starts_at_the_lead_firm(chain):
    assert nx.is_directed_acyclic_graph(chain)
    assert chain.in_degree(LEAD_FIRM) == 0
    # The Italian supervisor has no predecessor: nobody is said to engage it (PROVENANCE.md).
    assert {node for node in chain.nodes if chain.in_degree(node) == 0} == {LEAD_FIRM, 5}


def test_the_work_reaches_the_french_workers_through_the_chinese_platform(chain):
    paths = list(nx.all_simple_paths(chain, LEAD_FIRM, WORKERS))
    assert sorted(paths) == [[0, 1, 2, 4], [0, 1, 3, 4], [0, 6, 4]]
    assert any(CHINESE_PLATFORM in path for path in paths)


def test_the_workers_are_reached_by_the_recruiters_the_supervisor_and_the_platform(chain):
    assert set(chain.predecessors(WORKERS)) == {2, 3, 5, 6}
    assert chain.out_degree(WORKERS) == 0


# --- bad chain files ----------------------------------------------------------------------------

def test_a_dangling_link_names_the_file_and_line(tmp_path, monkeypatch):
    path = links_copy(tmp_path, monkeypatch, ["4,9,reports to,interpretation"])
    with pytest.raises(data.DataError, match=r"links\.csv: a link names an actor that is not in "
                                             r"data/supply-chain/actors\.csv .* on line 10$"):
        supplychain.load_chain(links=path)


def test_a_self_loop_names_the_file_and_line(tmp_path, monkeypatch):
    path = links_copy(tmp_path, monkeypatch, ["3,3,recruits,stated"])
    with pytest.raises(data.DataError, match=r"links\.csv: a link goes from an actor to itself on line 10$"):
        supplychain.load_chain(links=path)


def test_a_repeated_link_names_both_lines(tmp_path, monkeypatch):
    path = links_copy(tmp_path, monkeypatch, ["5,4,checks,interpretation"])
    with pytest.raises(data.DataError, match=r"the same link is listed twice on lines 8, 10$"):
        supplychain.load_chain(links=path)


def test_a_cycle_is_refused(tmp_path, monkeypatch):
    path = links_copy(tmp_path, monkeypatch, ["4,1,sends labels to,interpretation"])
    with pytest.raises(data.DataError, match=r"links\.csv: the links form a cycle through actors 1 -> [23] -> 4"):
        supplychain.load_chain(links=path)


def test_an_actor_file_with_a_bad_country_code(tmp_path, monkeypatch):
    path = tmp_path / "actors.csv"
    text = data.dataset(supplychain.ACTORS).path.read_text(encoding="utf-8")
    path.write_text(text.replace(",China,CHN,", ",China,chn,"), encoding="utf-8")
    registered_as(monkeypatch, supplychain.ACTORS, path)
    with pytest.raises(data.DataError, match=r"actors\.csv: column 'iso3' is not three capital letters on line 3$"):
        supplychain.load_chain(actors=path)


# --- regimes ------------------------------------------------------------------------------------

def test_the_regimes_table_has_the_coded_rows():
    table = supplychain.load_regimes()
    counts = table["regime"].value_counts().to_dict()
    assert counts == {"EU GDPR": 27 + 3 + 1, "EU adequacy decision": 14 + 3}
    assert (table["iso3"] == "USA").sum() == 3
    assert table.loc[table["iso3"] == "NOR", "in_force_from"].item().isoformat() == "2018-07-20"


@pytest.mark.parametrize(("iso3", "expected"), [
    ("CHN", "neither"), ("JPN", "EU adequacy decision"),
    ("FRA", "EU GDPR"), ("ESP", "EU GDPR"), ("ITA", "EU GDPR"),
])
def test_regimes_of_the_chain_countries_in_mid_2019(iso3, expected):
    assert supplychain.regime(iso3, "2019-07-01").regime == expected


def test_japan_is_the_private_sector_under_the_appi():
    result = supplychain.regime("JPN", "2019-07-01")
    assert "APPI" in result.scope and "2019/419" in result.legal_act


@pytest.mark.parametrize(("on", "expected", "act"), [
    ("2019-07-01", "EU adequacy decision", "2016/1250"),
    ("2020-07-15", "EU adequacy decision", "2016/1250"),  # the day before Schrems II
    ("2020-07-16", "neither", None),  # Schrems II (C-311/18), 16 July 2020: no transition period
    ("2021-01-01", "neither", None),
    ("2023-07-09", "neither", None),
    ("2023-07-10", "EU adequacy decision", "2023/1795"),
    ("2024-12-31", "EU adequacy decision", "2023/1795"),
])
def test_the_united_states_over_time(on, expected, act):
    result = supplychain.regime("USA", on)
    assert result.regime == expected
    assert (result.legal_act is None) if act is None else (act in result.legal_act)


def test_annulled_us_decisions_end_the_day_before_the_judgment():
    """Schrems I (C-362/14) on 6 October 2015 and Schrems II (C-311/18) on 16 July 2020 took effect at once."""
    regimes = supplychain.load_regimes().set_index("legal_act")
    ends = {act.split(" (")[-1].rstrip(")"): str(until) for act, until in regimes["in_force_until"].items()
            if "Safe Harbour" in act or "Privacy Shield" in act}
    assert ends == {"Safe Harbour": "2015-10-05", "Privacy Shield": "2020-07-15"}


def test_the_data_privacy_framework_covers_certified_organisations_only():
    scope = supplychain.regime("USA", "2024-12-31").scope
    assert scope == "commercial organisations certified under the EU-US Data Privacy Framework"
    assert supplychain.regime("USA", "2021-01-01").scope is None


@pytest.mark.parametrize(("on", "expected"), [
    ("2019-07-01", "EU GDPR"),
    ("2020-12-31", "EU GDPR"),  # last day of the transition period
    ("2021-01-01", "neither"),
    ("2021-03-01", "neither"),
    ("2021-06-27", "neither"),
    ("2021-06-28", "EU adequacy decision"),
    ("2021-07-01", "EU adequacy decision"),
])
def test_the_united_kingdom_around_brexit(on, expected):
    assert supplychain.regime("GBR", on).regime == expected


@pytest.mark.parametrize(("iso3", "on", "expected"), [
    ("NOR", "2018-07-19", "neither"), ("NOR", "2018-07-20", "EU GDPR"),
    ("KOR", "2021-12-16", "neither"), ("KOR", "2021-12-17", "EU adequacy decision"),
    ("DEU", "2018-05-25", "EU GDPR"),
    ("BRA", "2024-12-31", "neither"),  # not in the table: neither
])
def test_boundaries_and_unlisted_codes(iso3, on, expected):
    assert supplychain.regime(iso3, on).regime == expected


@pytest.mark.parametrize("on", ["2018-05-24", "2025-01-01", "2019-13-01", "yesterday", "2019-7-1", 20190701])
def test_bad_dates_name_the_argument_and_the_range(on):
    with pytest.raises(ValueError, match=rf"^on must be a date YYYY-MM-DD from 2018-05-25 to 2024-12-31 .*"
                                         rf"got {re.escape(repr(on))}$"):
        supplychain.regime("FRA", on)


@pytest.mark.parametrize("iso3", ["fra", "FR", "FRAN", ""])
def test_bad_country_codes_are_refused(iso3):
    with pytest.raises(ValueError, match=r"iso3 must be an ISO 3166-1 alpha-3 code"):
        supplychain.regime(iso3, "2019-07-01")


def regimes_copy(tmp_path: Path, monkeypatch, replace: tuple[str, str]) -> Path:
    path = tmp_path / "eu-data-protection.csv"
    text = data.dataset(supplychain.REGIMES).path.read_text(encoding="utf-8")
    assert replace[0] in text
    path.write_text(text.replace(*replace), encoding="utf-8")
    registered_as(monkeypatch, supplychain.REGIMES, path)
    return path


def test_overlapping_periods_of_one_jurisdiction_are_refused(tmp_path, monkeypatch):
    # Privacy Shield made to last until 2023-12-31 overlaps the Data Privacy Framework (lines 48, 49).
    path = regimes_copy(tmp_path, monkeypatch, ("2016-07-12,2020-07-15", "2016-07-12,2023-12-31"))
    with pytest.raises(data.DataError, match=r"eu-data-protection\.csv: two rows of the same jurisdiction are in "
                                             r"force on the same day on lines 48, 49$"):
        supplychain.load_regimes(path)


def test_an_impossible_date_in_the_table_is_refused(tmp_path, monkeypatch):
    path = regimes_copy(tmp_path, monkeypatch, ("2019-01-23", "2019-02-30"))
    with pytest.raises(data.DataError, match=r"column 'in_force_from' is not a date YYYY-MM-DD on line 44$"):
        supplychain.load_regimes(path)


def test_an_end_without_its_reason_is_refused(tmp_path, monkeypatch):
    path = regimes_copy(tmp_path, monkeypatch, (",CJEU judgment C-362/14 (Schrems I),", ",,"))
    with pytest.raises(data.DataError, match=r"'ended_by' must be given exactly when 'in_force_until' is on line 47$"):
        supplychain.load_regimes(path)


# --- tables -------------------------------------------------------------------------------------

def test_actors_table_in_mid_2019(chain):
    table = supplychain.actors_table(chain, "2019-07-01")
    assert list(table.columns) == ["id", "actor", "country", "iso3", "role", "regime", "scope", "legal_act"]
    assert table["id"].tolist() == list(range(7))
    assert table["regime"].tolist() == ["EU adequacy decision", "neither", "EU adequacy decision", "EU GDPR",
                                        "EU GDPR", "EU GDPR", "EU adequacy decision"]
    assert pd.isna(table.loc[1, "legal_act"]) and table.loc[4, "legal_act"] == "Regulation (EU) 2016/679 (GDPR)"


def test_actors_table_keeps_countries_without_earnings(chain):
    earnings = pd.DataFrame({"monthly_ppp": [3100.0, 2900.0, 4800.0, 2500.0], "year": [2023, 2022, 2023, 2023],
                             "note": ["fr", "es", "us", "it"]},
                            index=pd.Index(["FRA", "ESP", "USA", "ITA"], name="iso3"))
    table = supplychain.actors_table(chain, "2019-07-01", earnings)
    assert len(table) == 7
    by_country = table.set_index("id")
    assert by_country.loc[0, "monthly_ppp"] == by_country.loc[6, "monthly_ppp"] == 4800.0
    assert by_country.loc[4, "year"] == 2023 and by_country.loc[3, "note"] == "es"
    assert by_country.loc[[1, 2], ["monthly_ppp", "year", "note"]].isna().all().all()  # China and Japan


def test_actors_table_refuses_earnings_without_the_columns(chain):
    with pytest.raises(ValueError, match=r"earnings lacks the columns \['year', 'note'\]"):
        supplychain.actors_table(chain, "2019-07-01", pd.DataFrame({"monthly_ppp": [1.0]}, index=["FRA"]))
    repeated = pd.DataFrame({"monthly_ppp": [1.0, 2.0], "year": [2020, 2021], "note": ["a", "b"]}, index=["FRA", "FRA"])
    with pytest.raises(ValueError, match=r"one row per iso3; repeated: \['FRA'\]"):
        supplychain.actors_table(chain, "2019-07-01", repeated)


def test_links_table_crossings_of_the_gdpr(chain):
    table = supplychain.links_table(chain, "2019-07-01").set_index(["source", "target"])
    assert list(table.index) == sorted(EDGES)
    assert table.loc[(1, 3), "source_regime"] == "neither" and table.loc[(1, 3), "target_regime"] == "EU GDPR"
    # By hand, with the arrows (work and recordings): every GDPR country (ESP, ITA) sends only to
    # France, so nothing leaves the GDPR along the arrows.
    assert not table["leaves_gdpr"].any()
    # Against the arrows (labels and transcriptions going back): Spain -> China, France -> Japan
    # (adequacy, but not GDPR) and France -> US micro-task platform.
    assert set(table.index[table["labels_leave_gdpr"]]) == {(1, 3), (2, 4), (6, 4)}


def test_leaves_gdpr_marks_a_link_out_of_the_eu(chain):
    extended = chain.copy()
    extended.add_edge(5, 1, relation="reports to", evidence="interpretation")  # Italy -> China
    table = supplychain.links_table(extended, "2021-01-01").set_index(["source", "target"])
    assert set(table.index[table["leaves_gdpr"]]) == {(5, 1)}
    assert table.loc[(6, 4), "source_regime"] == "neither"  # the US without Privacy Shield


# --- figure -------------------------------------------------------------------------------------

def test_draw_chain_labels_every_actor_and_the_date(chain):
    fig = supplychain.draw_chain(chain, "2021-01-01")
    ax = fig.axes[0]
    labels = sorted(" ".join(text.get_text().split()) for text in ax.texts if re.match(r"^\(\d\) ", text.get_text()))
    assert labels == [
        "(0) smart-speaker producer United States", "(1) AI-verification platform China",
        "(2) online service Japan", "(3) subcontractor Spain", "(4) workers France",
        "(5) supervising company Italy", "(6) micro-task platform United States",
    ]
    assert "2021-01-01" in " ".join(ax.get_title(loc=where) for where in ("left", "center", "right"))
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(supplychain.REGIME_NAMES)
    relations = {" ".join(text.get_text().split()) for text in ax.texts} - set(labels)
    assert relations == {relation for relation, _ in EDGES.values()}
    plt.close(fig)


def test_draw_chain_is_deterministic_and_colours_by_regime(chain):
    first, second = supplychain.draw_chain(chain, "2019-07-01"), supplychain.draw_chain(chain, "2019-07-01")
    nodes = [next(c for c in fig.axes[0].collections if len(c.get_offsets()) == 7) for fig in (first, second)]
    np.testing.assert_array_equal(nodes[0].get_offsets(), nodes[1].get_offsets())
    colours = nodes[0].get_facecolors()
    assert (colours[3] == colours[4]).all() and (colours[4] == colours[5]).all()  # ESP, FRA, ITA: GDPR
    assert not (colours[1] == colours[0]).all()  # CHN neither, USA Privacy Shield
    for fig in (first, second):
        plt.close(fig)


def test_recording_routes_from_french_users():
    graph = supplychain.load_chain()
    routes = supplychain.recording_routes(graph, "2019-07-01", "FRA")
    # three routes from the lead firm to the workers: via Japan, via Spain, via the US platform
    assert len(routes) == 3
    assert routes["route"].str.startswith("users (FRA) -> smart-speaker producer (USA)").all()
    assert routes["route"].str.endswith("workers (FRA)").all()
    assert routes.loc[routes["route"].str.contains("JPN"), "outside_gdpr"].tolist() == ["USA, CHN, JPN"]
    assert routes.loc[routes["route"].str.contains("micro-task"), "outside_gdpr"].tolist() == ["USA"]
    via_spain = routes[routes["route"].str.contains("ESP")].iloc[0]
    assert via_spain["outside_gdpr"] == "USA, CHN"
    assert via_spain["regimes"] == "EU GDPR -> EU adequacy decision -> neither -> EU GDPR -> EU GDPR"
    # after Schrems II and before the Data Privacy Framework the US leg is "neither"
    later = supplychain.recording_routes(graph, "2021-01-01", "FRA")
    assert later["regimes"].str.split(" -> ").str[1].eq("neither").all()


def test_summary_counts_by_hand():
    table = supplychain.summary(supplychain.load_chain())
    assert table["actors"] == 7 and table["links"] == 8
    assert table["countries"] == 6  # USA, CHN, JPN, ESP, FRA, ITA
    assert table["routes from the lead firm to the workers"] == 3
    assert table["longest route (links)"] == 3  # producer -> platform -> recruiter -> workers
    assert table["actors the workers answer to directly"] == 4


def test_routes_via_a_country_without_adequacy():
    routes = supplychain.recording_routes(supplychain.load_chain(), "2019-07-01", "FRA")
    assert routes["via_no_adequacy"].tolist() == [True, True, False]  # via China twice; the US platform
    later = supplychain.recording_routes(supplychain.load_chain(), "2021-01-01", "FRA")
    assert later["via_no_adequacy"].all()  # the US had no adequacy decision between Schrems II and the DPF
