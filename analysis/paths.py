"""Every location in the compendium, derived from the repository root.

Generated output (figures, results, custom runs) goes under an *output root*:
the repository itself by default, or the folder named by the environment
variable ``COMPENDIUM_OUTPUT_ROOT``. Custom-parameter runs and the test suite set
it so that they never overwrite the committed build products. ``COMPENDIUM_BATCH`` marks a
run with no reader. Both live here, in a module that imports nothing heavy, so that the
command line and the pipeline can set them without loading the explorers.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PARAMS = ROOT / "params"
DATA = ROOT / "data"
DATA_REGISTRY = DATA / "registry.yaml"
README = ROOT / "README.md"

OUTPUT_ROOT_VARIABLE = "COMPENDIUM_OUTPUT_ROOT"
# Non-empty in a batch run (the pipeline, the test suite): no reader, so the explorers build no widgets.
BATCH_VARIABLE = "COMPENDIUM_BATCH"


def output_root() -> Path:
    """Where generated output goes: ``$COMPENDIUM_OUTPUT_ROOT`` or the repository root."""
    override = os.environ.get(OUTPUT_ROOT_VARIABLE)
    return Path(override).resolve() if override else ROOT


def figures_dir() -> Path:
    return output_root() / "figures"


def results_dir() -> Path:
    return output_root() / "results"


def estimates_file() -> Path:
    return results_dir() / "estimates.csv"


def runs_dir() -> Path:
    return output_root() / "runs"


def shown(path: Path) -> str:
    """A path as shown to readers: relative to the repository root, else to the output root.

    Notebook outputs and error messages never show absolute paths, which differ
    between clones and would make re-runs differ.
    """
    path = Path(path).resolve()
    for base in (ROOT, output_root()):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` beside ``target``, then rename it over ``target``: a reader sees the old file or
    the new one, never a half-written or empty one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
