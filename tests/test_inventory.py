"""The platform inventory: the real file passes every check, the seed platforms are in it, and
bad rows are caught with the column and the CSV line named."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import data, inventory, paths
from tests.helpers import write_csv

CSV = paths.ROOT / inventory.FILE
HEADER = ["platform", "domain", "type", "hq_country", "worker_languages", "operates_in_france",
          "operates_in_spanish_speaking", "source"]

# Named in the seed dossier (papers.md §1, §9, §10); all but Witmart as operating in France.
SEED = {
    "Amazon Mechanical Turk": "mturk.com",
    "Foule Factory / Wirk": "foulefactory.com",
    "Microworkers": "microworkers.com",
    "Clickworker": "clickworker.com",
    "Appen": "appen.com",
    "Ferpection": "ferpection.com",
    "Moolineo": "moolineo.com",
    "Witmart": "witmart.com",
}
WHERE = "data/inventory/platforms.csv"


@pytest.fixture(scope="module")
def entry() -> data.Dataset:
    return data.dataset(inventory.DATASET)


def read_raw(path: Path = CSV) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8").replace("", pd.NA)


@pytest.fixture(scope="module")
def table(entry) -> pd.DataFrame:
    return inventory.check(data.read_checked(entry), WHERE)


def checked_file(entry: data.Dataset, tmp_path: Path, rows: list[list[object]]) -> pd.DataFrame:
    """Write ``rows`` as an inventory CSV and run the registry's checks and :func:`inventory.check` on it."""
    path = write_csv(tmp_path / "platforms.csv", HEADER, rows)
    frame = data.read_checked(dataclasses.replace(entry, sha256=data.file_sha256(path)), path)
    return inventory.check(frame, WHERE)


def real_rows() -> list[list[object]]:
    return read_raw().fillna("").values.tolist()


def with_cell(rows: list[list[object]], row: int, column: str, value: str) -> list[list[object]]:
    changed = [list(r) for r in rows]
    changed[row][HEADER.index(column)] = value
    return changed


# --- the real file ------------------------------------------------------------------------------


def test_the_inventory_passes_the_schema_and_the_cross_checks(table):
    assert table.columns.tolist() == HEADER
    assert 30 <= len(table) <= 45
    raw = read_raw()
    assert inventory.check(raw, WHERE) is raw  # the cross-checks on the file read directly


def test_no_numeric_column_such_as_registered_users(table):
    assert not any(word in c for c in table.columns for word in ("user", "registered", "visits", "members"))
    for column in HEADER[:-1]:  # no cell is a number (no counts slipped in)
        assert not table[column].dropna().str.fullmatch(r"[\d.,\s]+").any(), column


def test_the_seed_platforms_are_present(table):
    rows = table.set_index("platform")
    for name, domain in SEED.items():
        assert name in rows.index, name
        assert rows.loc[name, "domain"] == domain
    named_in_france = [name for name in SEED if name != "Witmart"]
    assert (rows.loc[named_in_france, "operates_in_france"] == "yes").all()
    assert rows.loc["Foule Factory / Wirk", ["hq_country", "worker_languages", "operates_in_spanish_speaking"]].tolist() == [
        "FR", "fr", "no"]  # open only to French residents (papers.md §3)
    assert rows.loc["Witmart", "hq_country"] == "CN"


def test_every_type_has_platforms_and_matches_the_registry(table, entry):
    assert set(table["type"]) == set(inventory.TYPES)
    type_column = next(c for c in entry.columns if c.name == "type")
    assert type_column.values == inventory.TYPES
    yes_no = [c for c in entry.columns if c.name.startswith("operates_in_")]
    assert [c.values for c in yes_no] == [("yes", "no"), ("yes", "no")]  # quoted in YAML, not booleans


def test_every_row_says_where_its_facts_come_from(table):
    assert table["source"].str.len().min() > 10
    seeded = table[table["platform"].isin(SEED)]
    assert seeded["source"].str.contains("papers.md §").all()


def test_language_list_is_iso_639_1():
    """Every accepted code is a two-letter code the country-codes crosswalk lists as a language."""
    assert all(re.fullmatch(r"[a-z]{2}", code) for code in inventory.LANGUAGES)
    spoken = {token.strip().split("-")[0] for cell in data.load("country-codes")["Languages"].dropna()
              for token in cell.split(",")}
    assert inventory.LANGUAGES <= spoken
    assert {"en", "fr", "es", "de", "pt", "zh"} <= inventory.LANGUAGES


# --- bad rows ------------------------------------------------------------------------------------


def test_a_bad_country_code_names_the_column_and_line(entry, tmp_path):
    rows = with_cell(real_rows(), 1, "hq_country", "XX")
    with pytest.raises(data.DataError, match=r"^data/inventory/platforms\.csv: column 'hq_country' .* on line 3: \['XX'\]$"):
        checked_file(entry, tmp_path, rows)


@pytest.mark.parametrize("code", ["fr", "FRA", "France"])
def test_country_must_be_an_uppercase_alpha_2_code(code):
    frame = read_raw()
    frame.loc[4, "hq_country"] = code
    with pytest.raises(data.DataError, match=rf"column 'hq_country' .* on line 6: \['{code}'\]"):
        inventory.check(frame, WHERE)


def test_a_bad_language_code_names_the_column_and_line(entry, tmp_path):
    rows = with_cell(with_cell(real_rows(), 0, "worker_languages", "english"), 5, "worker_languages", "en;FR")
    with pytest.raises(data.DataError, match=r"column 'worker_languages' has codes outside the ISO 639-1 list .* "
                                             r"on lines 2, 7: \['FR', 'english'\]$"):
        checked_file(entry, tmp_path, rows)


def test_languages_separated_by_commas_are_caught():
    frame = read_raw()
    frame.loc[0, "worker_languages"] = "en,fr"
    with pytest.raises(data.DataError, match=r"'worker_languages' .* on line 2: \['en,fr'\]"):
        inventory.check(frame, WHERE)


def test_a_repeated_language_code_is_caught():
    frame = read_raw()
    frame.loc[2, "worker_languages"] = "en;en"
    with pytest.raises(data.DataError, match=r"column 'worker_languages' repeats a code on line 4"):
        inventory.check(frame, WHERE)


@pytest.mark.parametrize("domain", ["https://mturk.com", "www.mturk.com", "mturk.com/worker", "MTurk.com", "mturk"])
def test_a_domain_must_be_bare(domain):
    frame = read_raw()
    frame.loc[0, "domain"] = domain
    with pytest.raises(data.DataError, match=r"column 'domain' is not a bare lowercase domain .* on line 2"):
        inventory.check(frame, WHERE)


def test_a_duplicate_platform_is_caught(entry, tmp_path):
    rows = real_rows()
    rows.append(with_cell([rows[0]], 0, "domain", "mturk.example")[0])
    with pytest.raises(data.DataError, match=rf"column 'platform' repeats values on lines 2, {len(rows) + 1}$"):
        checked_file(entry, tmp_path, rows)


def test_a_duplicate_domain_is_caught(entry, tmp_path):
    rows = with_cell(real_rows(), 3, "domain", "mturk.com")
    with pytest.raises(data.DataError, match=r"column 'domain' repeats values on lines 2, 5$"):
        checked_file(entry, tmp_path, rows)


@pytest.mark.parametrize("value", ["maybe", "Yes", "true", "unknown"])
def test_yes_no_columns_accept_only_yes_no_or_empty(entry, tmp_path, value):
    rows = with_cell(real_rows(), 2, "operates_in_spanish_speaking", value)
    with pytest.raises(data.DataError, match=r"column 'operates_in_spanish_speaking' has values outside "
                                             r"\['yes', 'no'\] on line 4$"):
        checked_file(entry, tmp_path, rows)


def test_an_unknown_type_is_caught(entry, tmp_path):
    rows = with_cell(real_rows(), 6, "type", "crowdsourcing")
    with pytest.raises(data.DataError, match=r"column 'type' has values outside \[.*\] on line 8$"):
        checked_file(entry, tmp_path, rows)


@pytest.mark.parametrize("column", ["platform", "domain", "type", "source"])
def test_required_columns_cannot_be_empty(entry, tmp_path, column):
    rows = with_cell(real_rows(), 0, column, "")
    with pytest.raises(data.DataError, match=rf"column '{column}' is empty on line 2$"):
        checked_file(entry, tmp_path, rows)


def test_a_registered_user_column_is_refused(entry, tmp_path):
    path = write_csv(tmp_path / "platforms.csv", HEADER + ["registered_users"], [r + ["500000"] for r in real_rows()])
    with pytest.raises(data.DataError, match=r"unexpected column\(s\) \['registered_users'\]"):
        data.read_checked(dataclasses.replace(entry, sha256=data.file_sha256(path)), path)


def test_empty_cells_pass_as_unknown(entry, tmp_path):
    rows = with_cell(with_cell(real_rows(), 0, "hq_country", ""), 0, "worker_languages", "")
    frame = checked_file(entry, tmp_path, with_cell(rows, 0, "operates_in_france", ""))
    assert frame.loc[0, ["hq_country", "worker_languages", "operates_in_france"]].isna().all()


# --- summaries, by hand ----------------------------------------------------------------------------

SMALL = pd.DataFrame({
    "platform": ["A", "B", "C", "D"],
    "domain": ["a.com", "b.com", "c.fr", "d.es"],
    "type": ["survey panel", "micro-task marketplace", "micro-task marketplace", "paid-to-click / rewards"],
    "hq_country": ["US", pd.NA, "FR", "ES"],
    "worker_languages": ["en;fr", "en", pd.NA, "es;en"],
    "operates_in_france": ["yes", pd.NA, "yes", "no"],
    "operates_in_spanish_speaking": ["no", "yes", pd.NA, "yes"],
    "source": ["s"] * 4,
})


def test_small_frame_passes_check():
    assert inventory.check(SMALL, "small") is SMALL


def test_counts_put_unknown_last():
    assert inventory.counts(SMALL, "type").to_dict() == {
        "micro-task marketplace": 2, "paid-to-click / rewards": 1, "survey panel": 1}
    hq = inventory.counts(SMALL, "hq_country")
    assert hq.index.tolist() == ["ES", "FR", "US", "unknown"] and hq.tolist() == [1, 1, 1, 1]


def test_languages_count_each_platform_once_per_language():
    assert inventory.languages(SMALL).to_dict() == {"en": 3, "es": 1, "fr": 1, "unknown": 1}


def test_reach_counts_yes_no_and_unknown_separately():
    reach = inventory.reach(SMALL)
    assert reach.loc["France"].tolist() == [2, 1, 1, 4]
    assert reach.loc["Spanish-speaking countries"].tolist() == [2, 1, 1, 4]
    # both: A no (Spanish no), B unknown, C unknown, D no (France no)
    assert reach.loc["both"].tolist() == [0, 2, 2, 4]
    # either: A yes, B yes, C yes, D yes
    assert reach.loc["either"].tolist() == [4, 0, 0, 4]
    assert (reach[["yes", "no", "unknown"]].sum(axis=1) == reach["platforms"]).all()


def test_reach_of_the_real_file(table):
    reach = inventory.reach(table)
    assert reach.loc["France", "yes"] >= 7  # at least the seed platforms named as operating in France
    assert reach.loc["Spanish-speaking countries", "no"] == 1  # Foule Factory only


def test_plot_types_stacks_france_status(table):
    fig = inventory.plot_types(table)
    ax = fig.axes[0]
    assert "platforms by type" in ax.get_title(loc="left") + ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["yes", "no", "unknown"]
    widths = sum(patch.get_width() for patch in ax.patches)
    assert widths == len(table)
    assert {label.get_text() for label in ax.get_yticklabels()} == set(inventory.TYPES)
    plt.close(fig)


def test_load_returns_the_checked_inventory(table):
    pd.testing.assert_frame_equal(inventory.load(), table)
