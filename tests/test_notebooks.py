"""Conventions every notebook keeps, and reproduction of the committed outputs.

nbval (run by `make test` on notebooks/) re-executes each notebook and compares its text
outputs; the tests here check what nbval does not: parameters, structure, metadata, and
that a full rebuild gives the committed notebooks and results byte for byte and the committed
figures within the tolerance of floating-point noise (analysis.rebuild).
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest
import yaml

from analysis import parameters, paths, pipeline, results

NOTEBOOKS = pipeline.notebooks()


def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4)


def code_cells(name: str) -> list[nbformat.NotebookNode]:
    return [cell for cell in load(name).cells if cell.cell_type == "code"]


def test_there_is_at_least_one_notebook():
    assert NOTEBOOKS and all(re.fullmatch(r"\d{2}-[a-z0-9-]+", name) for name in NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_one_parameters_cell_whose_defaults_match_the_params_file(name):
    tagged = [cell for cell in code_cells(name) if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    with open(pipeline.params_file(name), encoding="utf-8") as handle:
        assert yaml.safe_load(handle) == pipeline.default_parameters(name)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_parameter_has_a_rule_its_default_satisfies(name):
    for key, value in pipeline.default_parameters(name).items():
        assert parameters.check(key, value) == value


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_starts_with_its_own_name_and_ends_with_the_colophon(name):
    cells = code_cells(name)
    assert f'notebook.start("{name}")' in cells[0].source
    assert cells[-1].source.strip() == "notebook.colophon()"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_outputs_are_complete_clean_and_portable(name):
    nb = load(name)
    cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in cells), "run `make reproduce`"
    outputs = [output for cell in cells for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    text = json.dumps(outputs)
    assert not re.search(r"/(work|tmp|home|root)/", text), "an absolute path in the outputs differs between clones"
    assert set(nb.metadata["papermill"]) <= set(pipeline.KEPT_PAPERMILL_METADATA)
    assert not [c for c in nb.cells if set(c.metadata) & set(pipeline.VOLATILE_CELL_METADATA)]


EXPLORER_NOTEBOOKS = ["01-counting-france", "02-counting-hidden-workers", "03-global-online-workers",
                      "08-fair-pay-in-research"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_explorers_keep_no_widget_output_or_state(name):
    """Explorer cells are tagged for nbval and stored without output; no notebook stores widget state."""
    nb = load(name)
    explorers = [cell for cell in nb.cells if "explorer" in cell.metadata.get("tags", [])]
    assert bool(explorers) == (name in EXPLORER_NOTEBOOKS)
    for cell in explorers:
        assert "nbval-ignore-output" in cell.metadata["tags"]
        assert cell.outputs == [] and cell.source.startswith("explorers.")
    assert "widgets" not in nb.metadata
    assert pipeline.WIDGET_VIEW not in json.dumps([cell.get("outputs", []) for cell in nb.cells])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_readme_maps_every_notebook(name):
    assert f"notebooks/{name}.ipynb" in paths.README.read_text(encoding="utf-8")


def test_rebuild_is_the_committed_build():
    """`make verify` (and so `make reproduce` again leaves git clean): a rebuild gives the committed notebooks and
    results, and the committed figures within the tolerance of floating-point noise; so is the README table."""
    comparisons = pipeline.verify()
    assert [f"{c.item}: {c.detail}" for c in comparisons if not c.same] == []
    assert {c.kind for c in comparisons} == {"result", "figure", "notebook"}
    assert sorted(c.item for c in comparisons if c.kind == "figure") == sorted(
        f"figures/{p.name}" for p in (paths.ROOT / "figures").iterdir())
    assert results.markdown_table() in paths.README.read_text(encoding="utf-8")
