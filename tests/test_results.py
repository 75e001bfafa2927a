"""Recording headline numbers and the README results table generated from them."""

import csv

import pandas as pd
import pytest

from analysis import notebook, paths, published, results


@pytest.fixture
def recording(tmp_path, monkeypatch):
    """A fresh output root and a started notebook."""
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    monkeypatch.setattr(notebook, "_current", "01-counting-france")
    return tmp_path / "results" / "estimates.csv"


def rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_record_writes_the_documented_columns(recording):
    results.record("france.routine", 52337.2, check="consistency", tolerance=0.5)
    [row] = rows(recording)
    assert {k: v for k, v in row.items() if k != "source"} == {
        "notebook": "01-counting-france", "key": "france.routine", "value": "52337.2", "low": "", "high": "",
        "check": "consistency", "published": "52337", "published_low": "", "published_high": "",
        "tolerance": "0.5", "agrees": "true"}
    assert row["source"].startswith("Le Ludec, Tubaro & Casilli (2019)")


@pytest.mark.parametrize(
    "span, published_span, tolerance, agrees",
    [
        ((10.0, 10.0), (10.0, 10.0), 0, True),     # equal numbers
        ((10.6, 10.6), (10.0, 10.0), 0.5, False),  # a number beyond the tolerance
        ((9.5, 9.5), (10.0, 10.0), 0.5, True),     # a number at the tolerance
        ((11.4, 11.4), (10.0, 13.0), 0, True),     # a number inside a published range
        ((13.2, 13.2), (10.0, 13.0), 0, False),    # a number outside it
        ((3.7, 5.2), (5.0, 5.0), 0, True),         # an interval containing the published number
        ((3.7, 4.4), (5.0, 5.0), 0.5, False),      # an interval short of it, even with the tolerance
        ((12.5, 14.0), (10.0, 13.0), 0, True),     # intervals that overlap
    ],
)
def test_agreement_is_overlap_within_the_tolerance(span, published_span, tolerance, agrees):
    assert results.agreement(span, published_span, tolerance) is agrees


def test_every_kind_of_check_is_written_and_only_comparisons_claim_agreement(recording):
    results.record("france.casual", 266126, check="input")
    results.record("france.routine", 52337.008, check="consistency", tolerance=0.5)
    results.record("x.share", 0.28475, check="none")
    recorded = {row["key"]: row for row in rows(recording)}
    assert {key: (row["check"], row["agrees"]) for key, row in recorded.items()} == {
        "france.casual": ("input", ""), "france.routine": ("consistency", "true"), "x.share": ("none", "")}
    assert recorded["x.share"]["published"] == recorded["x.share"]["source"] == ""


def test_an_input_must_be_the_published_value(recording):
    with pytest.raises(ValueError, match="an 'input' must equal the published figure 'france.casual'"):
        results.record("france.casual", 266125.98, check="input")


def test_a_result_can_be_checked_against_a_published_range(recording, monkeypatch):
    monkeypatch.setattr(published, "table", lambda: published_rows(
        {"key": "uk.range", "value": None, "low": 10000.0, "high": 13000.0}))
    row = results.record("uk.best", 11418, check="reproduced", published_key="uk.range", interval=(10800, 12100))
    assert row.loc["uk.best", "published"] == "10,000–13,000"
    assert row.loc["uk.best", "interval"] == "10,800–12,100"
    assert row.loc["uk.best", "agrees"] == "yes (reproduced)"


def published_rows(*figures):
    base = {"unit": "u", "quantity": "q", "paper": "P", "version": "v", "location": "l", "status": "verified",
            "source_url": "https://example.org", "note": None}
    return pd.DataFrame([{**base, **figure} for figure in figures])


def test_recording_again_replaces_the_row_and_rows_stay_sorted(recording):
    results.record("b.second", 2, check="none")
    results.record("a.first", 1, check="none")
    results.record("b.second", 3, check="none")
    assert [(r["key"], r["value"]) for r in rows(recording)] == [("a.first", "1"), ("b.second", "3")]


def test_forget_removes_only_that_notebooks_rows(recording, monkeypatch):
    results.record("a.first", 1, check="none")
    monkeypatch.setattr(notebook, "_current", "02-other")
    results.record("a.first", 2, check="none")
    results.forget("01-counting-france")
    assert [(r["notebook"], r["value"]) for r in rows(recording)] == [("02-other", "2")]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"value": float("nan"), "check": "none"}, "value must be a finite number"),
        ({"value": 1, "check": "agrees"}, "check must be one of reproduced, consistency, software, input, none"),
        ({"value": 1, "check": "consistency", "tolerance": -1}, "tolerance must be a finite number >= 0"),
        ({"value": 1, "check": "none", "published_key": "france.casual"}, "check 'none' means no published"),
        ({"value": 1, "check": "none", "interval": (2, 3)}, "interval must be finite and contain the value 1"),
    ],
)
def test_bad_records_are_refused(recording, kwargs, message):
    with pytest.raises(ValueError, match=message):
        results.record("x.count", **kwargs)
    assert not recording.exists()


def test_record_needs_a_started_notebook(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    monkeypatch.setattr(notebook, "_current", None)
    with pytest.raises(RuntimeError, match="call analysis.notebook.start"):
        results.record("x.count", 1, check="none")


def test_comparison_says_the_kind_of_check(recording):
    results.record("france.routine", 52000, check="consistency", tolerance=0.5)
    table = results.comparison("01-counting-france")
    assert table.loc["france.routine", "published"] == "52,337"
    assert table.loc["france.routine", "agrees"] == "**no** (consistency)"


def test_markdown_table_and_readme_update(recording, tmp_path):
    results.record("france.casual", 266125.98, check="consistency", tolerance=0.5)
    results.record("x.share", 0.28475, check="none")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{results.README_START}\nold table\n{results.README_END}\noutro\n", encoding="utf-8")
    results.update_readme(readme)
    text = readme.read_text(encoding="utf-8")
    assert "old table" not in text and text.startswith("intro\n") and text.endswith("outro\n")
    assert "| `01-counting-france` | `france.casual` | 266,126 | 266,126 | consistency check | yes (consistency) |" in text
    assert "| `01-counting-france` | `x.share` | 0.2848 | — | no published counterpart | — | — |" in text
    assert "- **software check**: the same data as the published estimate" in text  # the legend


def test_readme_without_markers_is_an_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="results-table markers not found"):
        results.update_readme(readme)


def test_committed_readme_table_is_generated_from_committed_results(monkeypatch):
    """The README's table is a build product: it must equal what results/estimates.csv gives."""
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(paths.ROOT))
    text = paths.README.read_text(encoding="utf-8")
    assert f"{results.README_START}\n{results.markdown_table()}\n{results.README_END}" in text


# --- the committed results: every number says what kind of check it carries --------------------------


@pytest.fixture
def committed(monkeypatch):
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(paths.ROOT))
    return results.estimates()


def test_every_committed_result_has_a_kind_of_check_and_only_comparisons_claim_agreement(committed):
    assert set(committed["check"]) <= set(results.CHECKS)
    compared = committed["check"].isin(results.COMPARED)
    assert committed.loc[compared, "agrees"].isin(["true", "false"]).all()
    assert (committed.loc[~compared, "agrees"] == "").all()
    assert (committed.loc[committed["check"] == "none", ["published", "published_low", "source"]] == "").all().all()
    assert (committed.loc[committed["check"] != "none", "source"] != "").all()


def test_no_published_value_is_a_notebook_input_reported_as_a_result(committed):
    """A published number that is also a notebook's default input must be recorded as 'input', never compared.

    (Notebook 03 once recorded its own input, the paper's 163 M profiles, as 'computed ... agrees'.)
    """
    from analysis import pipeline

    offenders = []
    for row in committed[committed["check"].isin(results.COMPARED)].itertuples():
        defaults = pipeline.default_parameters(row.notebook).values()
        inputs = {float(v) for v in defaults if isinstance(v, int | float) and not isinstance(v, bool)}
        published_values = {float(v) for v in (row.published, row.published_low, row.published_high) if v}
        offenders += [f"{row.notebook}: {row.key} = {v:g}" for v in published_values & inputs]
    assert not offenders


def test_inputs_and_data_owner_figures_are_not_reported_as_computed(committed):
    rows = committed.set_index("key")
    assert rows.loc["global.registered", "check"] == "input"
    # read from the data owner's file, not computed here: not a result at all
    assert "mturk.difallah2018_chao" not in rows.index
    assert rows.loc[["mturk.chao_lower_bound", "mturk.observed_workers", "mturk.equal_catchability"], "check"].eq(
        "software").all()
    assert rows.loc["uk.best_model_abundance", "check"] == "reproduced"
    assert rows.loc[["france.casual", "france.routine", "france.very_active", "global.active"], "check"].eq(
        "consistency").all()


def test_the_results_file_is_replaced_whole_never_emptied_while_it_is_written(recording, monkeypatch):
    """Notebooks running side by side read it without the lock (results.comparison): rewritten in place, it was
    empty for a moment, and notebook 03 failed with EmptyDataError in 1 of 26 runs of the suite in random order."""
    import os

    results.record("france.casual", 266125.98, check="none")
    seen, real_replace = [], os.replace

    def replace(source, target):
        if target == recording:
            seen.append([row["key"] for row in rows(target)])  # what a reader sees until the new file is in place
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    results.record("france.routine", 52337.008, check="none")
    assert seen == [["france.casual"]]
    assert [row["key"] for row in rows(recording)] == ["france.casual", "france.routine"]
    assert sorted(p.name for p in recording.parent.iterdir()) == ["estimates.csv"]  # no partial file left
