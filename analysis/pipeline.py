"""Executing the notebooks with papermill: the whole build, or one custom run.

``reproduce`` executes every notebook at its default parameters, in parallel
(one process per notebook, up to the number of cores), and writes the executed
notebooks in place, their figures and results. ``run`` executes one notebook with
custom parameters into ``runs/<notebook>-<hash>/``, never over the committed
files. Parameters are checked before any kernel starts. Papermill's timestamps,
durations and paths are removed from the executed notebooks, so that a second
build is byte-identical to the first.
"""

from __future__ import annotations

import ast
import concurrent.futures as futures
import hashlib
import json
import multiprocessing
import os
import time
from pathlib import Path

import nbformat
import papermill
import yaml
from tqdm import tqdm

from analysis import explorers, parameters, paths, results

KERNEL = "python3"
KEPT_PAPERMILL_METADATA = ("default_parameters", "parameters", "version")
VOLATILE_CELL_METADATA = ("papermill", "execution")
CELL_TIMEOUT = 600  # seconds: a cell still running after this fails the run instead of hanging it
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # an ipywidgets display: holds a random model id


class PipelineError(Exception):
    """A request the pipeline cannot carry out (unknown notebook, bad parameter file, failed notebook)."""


def notebooks() -> list[str]:
    """Names of the notebooks, in build order (``NN-name``)."""
    return sorted(path.stem for path in paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def resolve(notebook: str) -> str:
    """The notebook name for ``notebook`` given as a name, file name or path."""
    name = Path(notebook).name.removesuffix(".ipynb")
    if name not in notebooks():
        raise PipelineError(f"unknown notebook '{notebook}' (available: {', '.join(notebooks())})")
    return name


def params_file(name: str) -> Path:
    """``params/<name without its number>.yaml``: the notebook's defaults, for review and reuse."""
    return paths.PARAMS / f"{name.split('-', 1)[1]}.yaml"


def default_parameters(name: str) -> dict[str, object]:
    """The defaults of the notebook's ``parameters`` cell, read without starting a kernel."""
    inferred = papermill.inspect_notebook(str(paths.NOTEBOOKS / f"{name}.ipynb"))
    return {key: ast.literal_eval(spec["default"]) for key, spec in inferred.items()}


def read_parameter_file(path: Path) -> dict[str, object]:
    try:
        with open(path, encoding="utf-8") as handle:
            values = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as error:
        raise PipelineError(f"{path}: cannot read parameter file ({' '.join(str(error).split())})") from None
    if not isinstance(values, dict):
        raise PipelineError(f"{path}: a parameter file maps parameter names to values")
    return values


def resolve_parameters(name: str, texts: list[tuple[str, str]], files: list[Path]) -> dict[str, object]:
    """All parameters of a run: defaults, then files (in order), then ``-p NAME VALUE`` pairs, checked."""
    resolved = default_parameters(name)
    chosen: list[tuple[str, object, str]] = []
    for path in files:
        chosen += [(key, value, f"{path}: ") for key, value in read_parameter_file(path).items()]
    chosen += [(key, text, "") for key, text in texts]
    for key, value, origin in chosen:
        if key not in resolved:
            raise PipelineError(f"{origin}unknown parameter '{key}' for notebook {name} (known: {', '.join(resolved)})")
        try:
            resolved[key] = parameters.parse(key, value) if isinstance(value, str) else parameters.check(key, value)
        except parameters.ParameterError as error:
            raise PipelineError(f"{origin}{error}") from None
    return resolved


def parameter_hash(values: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:8]


def strip_volatile_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timestamps, durations, file paths and widget state that papermill and nbclient record.

    Widget displays (the interactive explorers) carry random model ids and their state; the
    executed notebook keeps the static figures instead, and a reader re-runs the explorer cell.
    """
    kept = {key: nb.metadata.papermill[key] for key in KEPT_PAPERMILL_METADATA if key in nb.metadata.get("papermill", {})}
    nb.metadata["papermill"] = kept
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs if WIDGET_VIEW not in output.get("data", {})]
    return nb


def _execute(name: str, target: Path, output_root: Path, values: dict[str, object] | None, scratch: Path) -> str | None:
    """Execute one notebook into ``scratch``, then (on success) write it cleaned to ``target``.

    Runs in a worker process, whose environment the kernel inherits: generated
    figures and results go under ``output_root``. Returns an error message, or
    None on success; a failed notebook stays at ``scratch`` for inspection.
    """
    os.environ[paths.OUTPUT_ROOT_VARIABLE] = str(output_root)
    os.environ[explorers.BATCH_VARIABLE] = "1"  # no reader: the interactive explorers build nothing
    results.forget(name)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(paths.NOTEBOOKS / f"{name}.ipynb"), str(scratch), parameters=values or None,
            kernel_name=KERNEL, cwd=str(paths.NOTEBOOKS), progress_bar=False, start_timeout=120,
            execution_timeout=CELL_TIMEOUT,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no start-up chatter on the console
        )
    except papermill.PapermillExecutionError as error:
        return f"{name}: cell [{error.exec_count}] raised {error.ename}: {error.evalue} (failed notebook: {paths.shown(scratch)})"
    except Exception as error:  # a dead or missing kernel: one line, not a traceback
        return f"{name}: could not execute ({type(error).__name__}: {' '.join(str(error).split())})"
    nb = strip_volatile_metadata(nbformat.read(scratch, as_version=4))
    if scratch != target:
        scratch.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return None


def _pool(workers: int) -> futures.ProcessPoolExecutor:
    return futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def reproduce(jobs: int | None = None) -> list[str]:
    """Execute every notebook at its defaults, in parallel; return the notebooks built.

    Executed notebooks go to ``notebooks/`` (under the output root), then the
    README's results table is regenerated.
    """
    names = notebooks()
    root = paths.output_root()
    workers = max(1, min(len(names), jobs or os.cpu_count() or 1))
    failures = []
    with _pool(workers) as pool, tqdm(total=len(names), unit="notebook", desc="notebooks") as bar:
        pending = {
            pool.submit(_execute, name, root / "notebooks" / f"{name}.ipynb", root, None,
                        root / "runs" / "failed" / f"{name}.ipynb"): name
            for name in names
        }
        while pending:
            bar.set_postfix_str("running: " + ", ".join(sorted(n for f, n in pending.items() if f.running())))
            done, _ = futures.wait(pending, timeout=1, return_when=futures.FIRST_COMPLETED)
            for future in done:
                name = pending.pop(future)
                if (error := future.result()) is not None:
                    failures.append(error)
                bar.write(f"{'failed' if error else 'done'}: {name}")
                bar.update()
        bar.set_postfix_str("")
    if failures:
        raise PipelineError("; ".join(failures))
    if root == paths.ROOT:
        try:
            results.update_readme(paths.README)
        except ValueError as error:
            raise PipelineError(str(error)) from None
    return names


def run(name: str, values: dict[str, object]) -> Path:
    """Execute one notebook with ``values`` into ``runs/<name>-<hash>/``; return that folder."""
    folder = paths.runs_dir() / f"{name}-{parameter_hash(values)}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "parameters.yaml").write_text(yaml.safe_dump(values, sort_keys=True), encoding="utf-8")
    started = time.monotonic()
    with _pool(1) as pool:
        target = folder / f"{name}.ipynb"
        error = pool.submit(_execute, name, target, folder, values, target).result()
    if error is not None:
        raise PipelineError(error)
    print(f"{name}: executed in {time.monotonic() - started:.0f} s into {paths.shown(folder)}/")
    return folder
