"""The dataset registry: checksums, schemas, provenance, and the errors users see."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli, data, paths
from tests.helpers import write_csv

PUBLISHED_HEADER = ["key", "value", "low", "high", "unit", "quantity", "paper", "version", "location", "status",
                    "source_url", "note"]


def good_row(key: str = "x.count", value: object = 10) -> list[object]:
    return [key, value, "", "", "workers", "a count", "A paper", "v1", "abstract", "verified", "https://example.org", ""]


def checked(rows: list[list[object]], tmp_path: Path, header: list[str] = PUBLISHED_HEADER) -> pd.DataFrame:
    """Check a CSV written from ``rows`` against the published-figures schema (its own checksum)."""
    path = write_csv(tmp_path / "figures.csv", header, rows)
    entry = dataclasses.replace(data.dataset("published-figures"), sha256=data.file_sha256(path))
    return data.read_checked(entry, path)


def test_every_registered_dataset_passes_its_checks():
    assert data.check_all() == []


def test_load_returns_typed_columns():
    table = data.load("published-figures")
    assert table["value"].dtype == "float64"
    assert table.set_index("key").loc["france.casual", "value"] == 266126
    assert set(table["status"]) <= {"verified", "second-hand"}


def test_loading_never_writes_a_data_file():
    files = sorted(p for p in paths.DATA.rglob("*") if p.is_file())
    before = {p: (p.stat().st_mtime_ns, data.file_sha256(p)) for p in files}
    for name in data.registry():
        data.load(name)
    data.check_all()
    assert {p: (p.stat().st_mtime_ns, data.file_sha256(p)) for p in files} == before


def test_checksum_mismatch_names_the_file(tmp_path):
    entry = data.dataset("published-figures")
    copy = tmp_path / "published_figures.csv"
    shutil.copy(entry.path, copy)
    with open(copy, "a", encoding="utf-8") as handle:
        handle.write(",".join(str(v) for v in good_row("extra.row")) + "\n")
    with pytest.raises(data.DataError, match=r"published_figures\.csv: checksum mismatch"):
        data.read_checked(entry, copy)


def test_a_valid_table_passes(tmp_path):
    table = checked([good_row("a.one", 1), good_row("a.two", 2.5)], tmp_path)
    assert table["value"].tolist() == [1.0, 2.5]
    assert table["note"].isna().all()


def test_missing_column_is_named(tmp_path):
    header = [c for c in PUBLISHED_HEADER if c != "unit"]
    rows = [[v for c, v in zip(PUBLISHED_HEADER, good_row()) if c != "unit"]]
    with pytest.raises(data.DataError, match=r"figures\.csv: missing column\(s\) \['unit'\]"):
        checked(rows, tmp_path, header)


def test_unexpected_column_is_named(tmp_path):
    with pytest.raises(data.DataError, match=r"unexpected column\(s\) \['extra'\]"):
        checked([good_row() + ["surprise"]], tmp_path, PUBLISHED_HEADER + ["extra"])


def test_wrong_type_names_column_and_lines(tmp_path):
    rows = [good_row("a.one", 1), good_row("a.two", "many"), good_row("a.three", "n/a")]
    with pytest.raises(data.DataError, match=r"figures\.csv: column 'value' is not a number on lines 3, 4$"):
        checked(rows, tmp_path)


def test_negative_count_is_out_of_range(tmp_path):
    with pytest.raises(data.DataError, match=r"column 'value' is below 0 on line 2$"):
        checked([good_row("a.one", -5)], tmp_path)


def test_unknown_category_is_reported(tmp_path):
    row = good_row()
    row[PUBLISHED_HEADER.index("status")] = "recalled"
    with pytest.raises(data.DataError, match=r"column 'status' has values outside \['verified', 'second-hand'\] on line 2"):
        checked([row], tmp_path)


def test_duplicate_key_is_reported(tmp_path):
    with pytest.raises(data.DataError, match=r"column 'key' repeats values on lines 2, 4"):
        checked([good_row("a"), good_row("b"), good_row("a")], tmp_path)


def test_empty_required_cell_is_reported(tmp_path):
    row = good_row()
    row[PUBLISHED_HEADER.index("paper")] = ""
    with pytest.raises(data.DataError, match=r"column 'paper' is empty on line 2"):
        checked([row], tmp_path)


def test_malformed_csv_is_reported_not_dropped(tmp_path):
    path = tmp_path / "figures.csv"
    lines = [",".join(PUBLISHED_HEADER), ",".join(str(v) for v in good_row()), "a,b,c,d,e,f,g,h,i,j,k,l,m,n"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    entry = dataclasses.replace(data.dataset("published-figures"), sha256=data.file_sha256(path))
    with pytest.raises(data.DataError, match=r"figures\.csv: not a readable CSV file .*line 3"):
        data.read_checked(entry, path)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(data.DataError, match=r"nothing\.csv: file not found"):
        data.read_checked(data.dataset("published-figures"), tmp_path / "nothing.csv")


def test_unknown_dataset_lists_the_registered_ones():
    with pytest.raises(data.DataError, match=r"unknown dataset 'nope' \(registered: .*published-figures"):
        data.load("nope")


def test_registry_with_unknown_column_type_is_rejected(tmp_path):
    registry = tmp_path / "registry.yaml"
    registry.write_text(
        "x:\n  file: x.csv\n  sha256: 0\n  title: t\n  source: s\n  licence: l\n  used_by: []\n"
        "  columns:\n    a: {type: text}\n",
        encoding="utf-8",
    )
    with pytest.raises(data.DataError, match=r"dataset 'x', column 'a': type must be one of"):
        data.registry(registry)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the compendium's data/ folder, with paths pointing at it."""
    shutil.copytree(paths.DATA, tmp_path / "data")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "DATA", tmp_path / "data")
    monkeypatch.setattr(paths, "DATA_REGISTRY", tmp_path / "data" / "registry.yaml")
    return tmp_path / "data"


def test_check_all_finds_unregistered_files_and_missing_provenance(data_copy):
    (data_copy / "raw" / "published-estimates" / "stray.csv").write_text("a\n1\n", encoding="utf-8")
    (data_copy / "new-folder").mkdir()
    (data_copy / "new-folder" / "table.csv").write_text("a\n1\n", encoding="utf-8")
    (data_copy / "published" / "PROVENANCE.md").unlink()
    problems = data.check_all()
    assert "data/raw/published-estimates/stray.csv: data file not in data/registry.yaml" in problems
    assert "data/new-folder/table.csv: data file not in data/registry.yaml" in problems
    assert "data/published/published_figures.csv: no PROVENANCE.md beside it" in problems
    assert len(problems) == 3


def test_the_script_that_made_a_file_is_registered_with_it_and_must_exist(data_copy):
    assert data.check_all() == []  # data/reference/rcapture/closedp.R is not an unregistered file
    (data_copy / "reference" / "rcapture" / "closedp.R").unlink()
    assert data.check_all() == ["data/reference/rcapture/closedp.csv: the script that made it, "
                                "data/reference/rcapture/closedp.R, is missing"]


def test_check_data_command(data_copy, capsys):
    assert cli.main(["check-data"]) == 0
    assert f"{len(data.registry())} datasets verified" in capsys.readouterr().out
    with open(data_copy / "published" / "published_figures.csv", "a", encoding="utf-8") as handle:
        handle.write("tampered\n")
    assert cli.main(["check-data"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: data/published/published_figures.csv: checksum mismatch")
    assert "Traceback" not in error


def test_data_readme_indexes_every_dataset():
    index = (paths.DATA / "README.md").read_text(encoding="utf-8")
    for name, entry in data.registry().items():
        assert f"`{name}`" in index and entry.sha256[:12] in index, name


def test_load_checks_a_file_once_per_version_and_returns_a_fresh_copy(tmp_path, monkeypatch):
    entry = data.dataset("published-figures")
    copy = tmp_path / "published_figures.csv"
    shutil.copy(entry.path, copy)
    monkeypatch.setattr(data, "dataset", lambda name: dataclasses.replace(entry, file=str(copy)))
    monkeypatch.setattr(paths, "ROOT", Path("/"))  # entry.path = ROOT / file
    first = data.load("published-figures")
    first.loc[0, "value"] = -1.0  # the caller's copy only
    assert data.load("published-figures").loc[0, "value"] == 266126
    with open(copy, "a", encoding="utf-8") as handle:  # a new version of the file is checked again
        handle.write(",".join(str(v) for v in good_row("extra.row")) + "\n")
    with pytest.raises(data.DataError, match="checksum mismatch"):
        data.load("published-figures")


@pytest.mark.parametrize("appended, message", [
    ("broken: [\n", r"data/registry.yaml: not readable YAML at line \d+ \(did not find expected node content\)"),
    ("x: 1\n", "data/registry.yaml: the registry maps dataset names to their entries"),
])
def test_a_broken_registry_is_one_line_in_check_data(data_copy, capsys, appended, message):
    with open(data_copy / "registry.yaml", "a", encoding="utf-8") as handle:
        handle.write(appended)
    assert cli.main(["check-data"]) == 1
    error = capsys.readouterr().err
    assert re.fullmatch(f"error: {message}\n", error), error
