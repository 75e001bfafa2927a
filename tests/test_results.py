"""Recording headline numbers and the README results table generated from them."""

import csv

import pytest

from analysis import notebook, paths, results


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
    results.record("x.count", 10.4, published=10, source="A paper", tolerance=0.5)
    assert rows(recording) == [
        {"notebook": "01-counting-france", "key": "x.count", "value": "10.4", "published": "10",
         "source": "A paper", "agrees": "true"}
    ]


@pytest.mark.parametrize(
    "value, published, tolerance, agrees",
    [(10.0, 10, 0, "true"), (10.6, 10, 0.5, "false"), (9.5, 10, 0.5, "true"), (3.0, None, 0, "")],
)
def test_agreement_is_within_the_tolerance(recording, value, published, tolerance, agrees):
    results.record("x.count", value, published=published, source=None if published is None else "s",
                   tolerance=tolerance)
    assert rows(recording)[0]["agrees"] == agrees


def test_recording_again_replaces_the_row_and_rows_stay_sorted(recording):
    results.record("b.second", 2)
    results.record("a.first", 1)
    results.record("b.second", 3)
    assert [(r["key"], r["value"]) for r in rows(recording)] == [("a.first", "1"), ("b.second", "3")]


def test_forget_removes_only_that_notebooks_rows(recording, monkeypatch):
    results.record("a.first", 1)
    monkeypatch.setattr(notebook, "_current", "02-other")
    results.record("a.first", 2)
    results.forget("01-counting-france")
    assert [(r["notebook"], r["value"]) for r in rows(recording)] == [("02-other", "2")]


def test_record_checked_uses_the_published_figure(recording):
    row = results.record_checked("france.routine", 52337.008, tolerance=0.5)
    assert row.loc["france.routine", "published"] == 52337
    assert row.loc["france.routine", "agrees"] == "true"
    assert rows(recording)[0]["source"].startswith("Le Ludec, Tubaro & Casilli (2019)")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"value": float("nan")}, "value must be a finite number"),
        ({"value": 1, "tolerance": -1}, "tolerance must be >= 0"),
        ({"value": 1, "published": 2}, "a published value needs its source"),
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
        results.record("x.count", 1)


def test_comparison_shows_difference(recording):
    results.record("x.count", 12, published=10, source="s")
    table = results.comparison("01-counting-france")
    assert table.loc["x.count", "difference"] == 2
    assert table.loc["x.count", "agrees"] == "false"


def test_markdown_table_and_readme_update(recording, tmp_path):
    results.record("x.count", 266125.98, published=266126, source="A paper", tolerance=0.5)
    results.record("x.share", 0.28475)
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{results.README_START}\nold table\n{results.README_END}\noutro\n", encoding="utf-8")
    results.update_readme(readme)
    text = readme.read_text(encoding="utf-8")
    assert "old table" not in text and text.startswith("intro\n") and text.endswith("outro\n")
    assert "| `01-counting-france` | `x.count` | 266,126 | 266,126 | yes | A paper |" in text
    assert "| `01-counting-france` | `x.share` | 0.2848 | — | — | — |" in text


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
