"""The papermill pipeline and its command line: parameters checked before any kernel starts."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from analysis import cli, paths, pipeline

FRANCE = "01-counting-france"


def run_cli(*args: str, output_root) -> subprocess.CompletedProcess:
    env = {**os.environ, paths.OUTPUT_ROOT_VARIABLE: str(output_root)}
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True,
                          env=env, cwd=paths.ROOT, timeout=600)


def test_notebooks_are_found_and_resolved_from_any_spelling():
    assert FRANCE in pipeline.notebooks()
    for spelling in (FRANCE, f"{FRANCE}.ipynb", f"notebooks/{FRANCE}.ipynb"):
        assert pipeline.resolve(spelling) == FRANCE


def test_unknown_notebook_lists_the_available_ones():
    with pytest.raises(pipeline.PipelineError, match=rf"unknown notebook '99-nothing' \(available: .*{FRANCE}"):
        pipeline.resolve("99-nothing")


def test_parameters_resolve_in_order_defaults_files_then_options(tmp_path):
    override = tmp_path / "mine.yaml"
    override.write_text("multihoming_coefficient: 2\nvery_active_share: 0.5\n", encoding="utf-8")
    values = pipeline.resolve_parameters(FRANCE, [("multihoming_coefficient", "1.83")], [override])
    assert values["multihoming_coefficient"] == 1.83
    assert values["very_active_share"] == 0.5
    assert values["registrations_total"] == 337980.0


@pytest.mark.parametrize(
    "texts, message",
    [
        ([("coefficient", "1.5")], f"unknown parameter 'coefficient' for notebook {FRANCE} \\(known: multihoming_coefficient"),
        ([("multihoming_coefficient", "high")], "parameter 'multihoming_coefficient' must be a number, got 'high'"),
        ([("multihoming_coefficient", "0.5")], "'multihoming_coefficient' = 0.5 is out of range: must be >= 1"),
        ([("very_active_share", "1.5")], "'very_active_share' = 1.5 is out of range: must be <= 1"),
    ],
)
def test_bad_parameters_are_refused(texts, message):
    with pytest.raises(pipeline.PipelineError, match=message):
        pipeline.resolve_parameters(FRANCE, texts, [])


def test_bad_parameter_file_is_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("registrations_total: -5\n", encoding="utf-8")
    with pytest.raises(pipeline.PipelineError, match=r"bad\.yaml: parameter 'registrations_total' = -5 is out of range"):
        pipeline.resolve_parameters(FRANCE, [], [bad])
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(pipeline.PipelineError, match=r"bad\.yaml: a parameter file maps parameter names to values"):
        pipeline.resolve_parameters(FRANCE, [], [bad])
    with pytest.raises(pipeline.PipelineError, match=r"missing\.yaml: cannot read parameter file"):
        pipeline.resolve_parameters(FRANCE, [], [tmp_path / "missing.yaml"])


def test_parameter_hash_is_stable_and_sensitive():
    values = pipeline.default_parameters(FRANCE)
    assert pipeline.parameter_hash(values) == pipeline.parameter_hash(dict(reversed(values.items())))
    assert pipeline.parameter_hash(values) != pipeline.parameter_hash({**values, "multihoming_coefficient": 1.83})
    assert len(pipeline.parameter_hash(values)) == 8


def test_volatile_metadata_is_stripped():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nb.metadata["papermill"] = {"start_time": "t", "end_time": "t", "duration": 1.0, "exception": None,
                                "input_path": "/tmp/x", "output_path": "/tmp/y", "parameters": {"a": 1},
                                "default_parameters": {}, "environment_variables": {}, "version": "2.7.0"}
    nb.cells[0].metadata.update({"papermill": {"duration": 1.0}, "execution": {"iopub.status.idle": "t"},
                                 "tags": ["parameters"]})
    clean = pipeline.strip_volatile_metadata(nb)
    assert clean.metadata["papermill"] == {"default_parameters": {}, "parameters": {"a": 1}, "version": "2.7.0"}
    assert clean.cells[0].metadata == {"tags": ["parameters"]}


def test_widget_outputs_and_state_are_stripped_but_static_outputs_kept():
    widget = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "3f1c", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(...))"})
    figure = nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("explorer", outputs=[widget, figure])])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"3f1c": {}}}}
    clean = pipeline.strip_volatile_metadata(nb)
    assert "widgets" not in clean.metadata
    assert clean.cells[0].outputs == [figure]


def test_list_shows_parameters_defaults_and_rules(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert f"{FRANCE}  (defaults also in params/counting-france.yaml)" in out
    assert "multihoming_coefficient = 1.27    [float >= 1: mean number of platforms per worker" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", FRANCE, "-p", "multihoming_coefficient", "0.5"],
         "error: parameter 'multihoming_coefficient' = 0.5 is out of range: must be >= 1"),
        (["run", "99-nothing"], "error: unknown notebook '99-nothing'"),
        (["run", FRANCE, "-p", "speed", "3"], "error: unknown parameter 'speed' for notebook"),
        (["run", FRANCE, "-p", "very_active_share", "lots"], "error: parameter 'very_active_share' must be a number"),
        (["run", FRANCE, "-p", "multihoming_coefficient"], "error: argument -p/--parameter: expected 2 arguments"),
        (["fly"], "error: argument command: invalid choice: 'fly'"),
    ],
)
def test_command_line_errors_are_one_line_before_any_kernel(tmp_path, args, message):
    result = run_cli(*args, output_root=tmp_path)
    assert result.returncode != 0
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists()  # refused before anything was executed


def test_custom_run_writes_under_runs_with_different_circles(tmp_path):
    result = run_cli("run", FRANCE, "-p", "multihoming_coefficient", "1.83", output_root=tmp_path)
    assert result.returncode == 0, result.stderr
    values = {**pipeline.default_parameters(FRANCE), "multihoming_coefficient": 1.83}
    folder = tmp_path / "runs" / f"{FRANCE}-{pipeline.parameter_hash(values)}"
    assert (folder / f"{FRANCE}.ipynb").is_file() and (folder / "parameters.yaml").is_file()
    assert (folder / "figures" / f"{FRANCE}-sensitivity.png").is_file()
    estimates = pd.read_csv(folder / "results" / "estimates.csv").set_index("key")
    assert estimates.loc["france.casual", "value"] == pytest.approx(337980 / 1.83)
    assert estimates.loc["france.routine", "value"] == pytest.approx(66468 / 1.83)
    assert not estimates["agrees"].any()  # 1.83 no longer reproduces the published circles
    executed = nbformat.read(folder / f"{FRANCE}.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "multihoming_coefficient = 1.83" in injected[0].source
    assert "start_time" not in executed.metadata["papermill"]
