"""The papermill pipeline and its command line: parameters checked before any kernel starts."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from analysis import cli, paths, pipeline, rebuild

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
    assert "multihoming_coefficient = 1.27    [float >= 1 and <= 20: mean number of platforms per worker" in out


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
        (["run", "03-global-online-workers", "-p", "traffic_csv", "/nonexistent.csv"],
         "error: parameter 'traffic_csv' = '/nonexistent.csv' names no file"),
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


GLOBAL = "03-global-online-workers"
TYPOLOGY = "06-ai-labour-typology"


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", GLOBAL, "-p", "traffic_csv", "/nonexistent.csv"],
         "error: parameter 'traffic_csv' = '/nonexistent.csv' names no file (CSV of real platforms"),
        (["run", GLOBAL, "-p", "traffic_csv", "data"],
         "error: parameter 'traffic_csv' = 'data' is a directory, not a CSV file (CSV of real platforms"),
        (["run", GLOBAL, "-p", "traffic_csv", "README.md"],
         "error: parameter 'traffic_csv' = 'README.md' lacks column(s) ['platform', 'monthly_visits', 'registered']"),
        (["run", GLOBAL, "-p", "traffic_csv", "{platforms}"],
         "error: parameter 'traffic_csv' = '{platforms}' is not usable: column 'registered' is filled on lines 2, 3 "
         "only: fitting a line and its error needs at least 3 platforms"),
        (["run", GLOBAL, "-f", "{parameter_file}"],
         "error: {parameter_file}: parameter 'traffic_csv' = '/nonexistent.csv' names no file"),
        (["run", TYPOLOGY, "-p", "exercise_answers", "/nonexistent.csv"],
         "error: parameter 'exercise_answers' = '/nonexistent.csv' names no file (CSV of a reader's answers"),
        (["run", TYPOLOGY, "-p", "exercise_answers", "notebooks"],
         "error: parameter 'exercise_answers' = 'notebooks' is a directory, not a CSV file"),
        (["run", TYPOLOGY, "-p", "exercise_answers", "{platforms}"],
         "error: parameter 'exercise_answers' = '{platforms}' lacks column(s) ['id', 'function']"),
    ],
)
def test_bad_path_parameters_are_one_line_before_any_kernel(tmp_path, monkeypatch, capsys, args, message):
    platforms, parameter_file = tmp_path / "platforms.csv", tmp_path / "mine.yaml"
    platforms.write_text("platform,monthly_visits,registered\nA,1000,50\nB,2000,90\nC,4000,\n", encoding="utf-8")
    parameter_file.write_text("traffic_csv: /nonexistent.csv\n", encoding="utf-8")
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    monkeypatch.setattr(pipeline, "_execute_all", lambda *a, **k: pytest.fail("a kernel was started"))
    fill = {"platforms": platforms, "parameter_file": parameter_file}
    assert cli.main([arg.format(**fill) for arg in args]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message.format(**fill)), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "runs").exists()  # refused before anything was executed


def test_an_empty_path_parameter_keeps_the_default_behaviour():
    values = pipeline.resolve_parameters(GLOBAL, [("traffic_csv", "")], [])
    assert values["traffic_csv"] == ""
    assert pipeline.resolve_parameters(TYPOLOGY, [("exercise_answers", "")], [])["exercise_answers"] == ""


def fake_execute_all(failing: set[str], staging: list):
    """Stands in for the notebooks' execution: each writes its notebook, a figure and a result row in the staging
    folder (appended to ``staging``), as the kernels do; the notebooks in ``failing`` fail."""
    def execute_all(calls, workers, bar=None):
        errors = {}
        for name, (_, target, output_root, _, _, shown) in calls.items():
            staging.append(output_root)
            (output_root / "figures").mkdir(parents=True, exist_ok=True)
            (output_root / "figures" / f"{name}-new.png").write_bytes(b"png")
            (output_root / "results").mkdir(exist_ok=True)
            with open(output_root / "results" / "estimates.csv", "a", encoding="utf-8") as handle:
                handle.write(f"{name}\n")
            if name in failing:
                errors[name] = f"{name}: cell [1] raised ValueError: no (failed notebook: {shown})"
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("{}", encoding="utf-8")
                errors[name] = None
        return errors
    return execute_all


def test_a_failed_build_changes_nothing_in_place(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    staging = []
    monkeypatch.setattr(pipeline, "_execute_all", fake_execute_all({FRANCE}, staging))
    with pytest.raises(pipeline.PipelineError, match=rf"^{FRANCE}: cell \[1\] raised ValueError: no \(failed notebook: "
                                                     r"runs/failed/.*\); nothing was published"):
        pipeline.reproduce()
    assert not any((tmp_path / folder).exists() for folder in ("notebooks", "figures", "results"))
    assert staging and not staging[0].exists() and not staging[0].is_relative_to(paths.ROOT)


def test_a_complete_build_is_published_whole(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "kept.png").write_bytes(b"old")
    staging = []
    monkeypatch.setattr(pipeline, "_execute_all", fake_execute_all(set(), staging))
    names = pipeline.reproduce()
    assert not staging[0].exists()
    assert sorted(p.name for p in (tmp_path / "notebooks").iterdir()) == [f"{name}.ipynb" for name in names]
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == sorted(
        [f"{name}-new.png" for name in names] + ["kept.png"])
    assert (tmp_path / "results" / "estimates.csv").read_text(encoding="utf-8") == "".join(f"{n}\n" for n in names)


def test_verify_prints_one_line_per_output_and_fails_when_one_differs(monkeypatch, capsys):
    found = [rebuild.Comparison("result", "01-counting-france france.fte_jobs", True, "4486.1 (same)"),
             rebuild.Comparison("figure", "figures/01-counting-france-circles.png", False, "RMS 2.000 (tolerance 0.1)")]
    monkeypatch.setattr(pipeline, "verify", lambda jobs: found)
    assert cli.main(["verify"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["same", "result", "01-counting-france", "france.fte_jobs", "4486.1", "(same)"]
    assert lines[1].split()[:3] == ["DIFFERS", "figure", "figures/01-counting-france-circles.png"]
    assert lines[2] == ("1 of 2 outputs are the committed ones (results to 8 significant digits, figures within RMS "
                        "0.1 of 255 levels); 1 differ")
    monkeypatch.setattr(pipeline, "verify", lambda jobs: found[:1])
    assert cli.main(["verify"]) == 0


BOMB = "".join(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
               for previous, name in zip("abcdefgh", "bcdefghi")).replace("b: &b [*a", "a: &a [1]\nb: &b [*a", 1)
HOSTILE_FILES = {  # name: (content, the one line it must give)
    "bomb.yaml": (BOMB + "multihoming_coefficient: [*i, *i]\n",
                  "{file}: a parameter file may not use YAML aliases (*name); write each value out"),
    "twice.yaml": ("multihoming_coefficient: 2\nmultihoming_coefficient: 3\n",
                   "{file}: multihoming_coefficient given more than once in the mapping at line 1"),
    "binary.yaml": (b"\xff\xfe\x00multihoming", "{file}: cannot read parameter file (not UTF-8 text)"),
    "huge.yaml": ("# padding\n" * 7000, "{file}: a parameter file is at most 65,536 bytes; this one is larger"),
    "nested.yaml": ("multihoming_coefficient: " + "[" * 50 + "]" * 50 + "\n",
                    "{file}: parameter 'multihoming_coefficient' must be a number, got [[[...]]]"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_parameter_files_are_one_line(tmp_path, monkeypatch, capsys, name):
    """Refused before YAML builds anything: the alias bomb (9^8 elements) ran past 2.8 GB before."""
    content, message = HOSTILE_FILES[name]
    file = tmp_path / name
    file.write_bytes(content if isinstance(content, bytes) else content.encode())
    monkeypatch.setattr(pipeline, "_execute_all", lambda *a, **k: pytest.fail("a kernel was started"))
    assert cli.main(["run", FRANCE, "-f", str(file)]) == 1
    assert capsys.readouterr().err == f"error: {message.format(file=file)}\n"


@pytest.mark.parametrize("args, message", [
    (["-f", "/dev/zero"], "/dev/zero: not a parameter file (a directory or a device, not a regular file)"),
    (["-p", "multihoming_coefficient", "１.5"], "parameter 'multihoming_coefficient' must be a number, got '１.5'"),
    (["-p", "multihoming_coefficient", "1_0"], "parameter 'multihoming_coefficient' must be a number, got '1_0'"),
    (["-p", "registrations_total", "1e308"], "parameter 'registrations_total' = 1e+308 is out of range: must be <= "
                                             "1e+11"),
    (["-p", "coefficient_grid_max", "1e308"], "parameter 'coefficient_grid_max' = 1e+308 is out of range: must be "
                                              "<= 20"),
])
def test_hostile_values_are_one_line_before_any_kernel(monkeypatch, capsys, args, message):
    monkeypatch.setattr(pipeline, "_execute_all", lambda *a, **k: pytest.fail("a kernel was started"))
    assert cli.main(["run", FRANCE, *args]) == 1
    assert capsys.readouterr().err.startswith(f"error: {message}")


def test_a_path_parameter_naming_a_device_is_refused_before_it_is_read(monkeypatch, capsys):
    monkeypatch.setattr(pipeline, "_execute_all", lambda *a, **k: pytest.fail("a kernel was started"))
    assert cli.main(["run", GLOBAL, "-p", "traffic_csv", "/dev/zero"]) == 1  # read, it never ends
    assert capsys.readouterr().err.startswith("error: parameter 'traffic_csv' = '/dev/zero' is not a regular file")


def test_a_value_read_as_an_option_says_so(capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["run", FRANCE, "-p", "multihoming_coefficient", "-inf"])
    assert exit.value.code == 2
    assert "(a value that starts with '-' and is not a number, e.g. -inf, reads as an option)" in capsys.readouterr().err


def hold(lock):
    """Hold ``lock`` as another process running the same build or run would."""
    import fcntl

    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock, "a", encoding="utf-8")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def test_two_builds_of_one_checkout_never_run_at_once(tmp_path, monkeypatch):
    """Both would write runs/failed/<notebook>.ipynb and publish over each other: the second is refused."""
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    monkeypatch.setattr(pipeline, "_execute_all", lambda *a, **k: pytest.fail("a kernel was started"))
    with hold(tmp_path / "runs" / ".build.lock"):
        for build in (pipeline.reproduce, pipeline.verify):
            with pytest.raises(pipeline.PipelineError, match=r"^another build of this checkout is running \(it holds "
                                                             r"runs/.build.lock\); let it finish$"):
                build()
    monkeypatch.setattr(pipeline, "_execute_all", fake_execute_all(set(), []))
    assert pipeline.reproduce()  # the lock ends with its holder


def test_two_identical_custom_runs_never_run_at_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    monkeypatch.setattr(pipeline, "_execute_all", lambda *a, **k: pytest.fail("a kernel was started"))
    folder = f"{FRANCE}-{pipeline.parameter_hash(pipeline.resolve_parameters(FRANCE, [], []))}"
    with hold(tmp_path / "runs" / f".{folder}.lock"):
        assert cli.main(["run", FRANCE]) == 1
    assert capsys.readouterr().err == (f"error: the same run is in progress into runs/{folder}/ (it holds "
                                       f"runs/.{folder}.lock); let it finish\n")


def test_without_a_loopback_network_the_command_says_so_at_once(monkeypatch, tmp_path, capsys):
    """In a network namespace with lo down (unshare -n) a kernel never answered: 2 minutes, then a RuntimeError."""
    import socket

    def unreachable(self, address):
        raise OSError(101, "Network is unreachable")

    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(pipeline, "_execute_all", lambda *a, **k: pytest.fail("a kernel was started"))
    for command in (["run", FRANCE], ["reproduce"], ["verify"]):
        assert cli.main(command) == 1
        assert capsys.readouterr().err == ("error: no loopback network: 127.0.0.1 cannot be reached (Network is "
                                           "unreachable); Jupyter kernels need it to talk to the build\n")
