"""What every notebook does at its start and its end.

``start(name)`` names the running notebook (results and figures are filed under
that name) and applies the plotting theme; ``save_figure`` writes a figure under
the notebook's name; ``colophon()`` lists the software versions and a fingerprint
of the code and parameters the notebook ran with. Nothing here depends on the
date or the machine, so re-runs produce identical notebooks.
"""

from __future__ import annotations

import hashlib
import platform
import re
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis import paths

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NAME_PATTERN = re.compile(r"^\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")
COLOPHON_PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "papermill")

_current: str | None = None


def start(name: str) -> None:
    """Declare the running notebook (``notebooks/<name>.ipynb``) and apply the plotting theme."""
    global _current
    if not NAME_PATTERN.match(name) or not (paths.NOTEBOOKS / f"{name}.ipynb").is_file():
        raise ValueError(f"start('{name}'): no notebook notebooks/{name}.ipynb")
    _current = name
    from analysis import plotting  # here, not above: results imports this module, and the pipeline results

    plotting.apply_theme()


def current() -> str:
    """The notebook declared by :func:`start`."""
    if _current is None:
        raise RuntimeError("no notebook started: call analysis.notebook.start('NN-name') first")
    return _current


def save_figure(fig: Figure, name: str) -> str:
    """Save ``fig`` as ``figures/<notebook>-<name>.png`` (and ``.svg``); return the PNG path shown to readers."""
    from analysis import plotting

    png, _ = plotting.save(fig, f"{current()}-{name}")
    return paths.shown(png)


def source_files() -> list[Path]:
    """The files whose content determines a notebook's results: package code, parameters, data registry."""
    files = sorted(paths.ROOT.glob("analysis/*.py")) + sorted(paths.PARAMS.glob("*.yaml"))
    return files + [paths.DATA_REGISTRY]


def source_fingerprint() -> str:
    """Short sha256 over the code, parameter files and data registry (paths and contents)."""
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(path.relative_to(paths.ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def colophon() -> pd.DataFrame:
    """Software versions and source fingerprint of this run (no dates, no machine names)."""
    rows = [("python", platform.python_version())]
    rows += [(package, version(package)) for package in COLOPHON_PACKAGES]
    rows.append(("source fingerprint (analysis/, params/, data/registry.yaml)", source_fingerprint()))
    return pd.DataFrame(rows, columns=["component", "version"]).set_index("component")
