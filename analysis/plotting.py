"""One plotting theme for every figure, and byte-stable figure files.

Figures are saved as PNG and SVG under ``figures/``, named after the notebook
that made them. Embedded dates, software versions and random SVG ids are
removed, so re-running a notebook rewrites its figures byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import seaborn as sns
from matplotlib.figure import Figure

from analysis import paths

PALETTE = "colorblind"
RC = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "svg.hashsalt": "microwork-compendium",  # fixed ids inside SVG files
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
}


def apply_theme() -> None:
    """Apply the compendium's seaborn theme; outside Jupyter, use the non-interactive Agg backend."""
    if "inline" not in matplotlib.get_backend():
        matplotlib.use("Agg")
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, rc=RC)


def save(fig: Figure, stem: str) -> list[Path]:
    """Save ``fig`` as ``figures/<stem>.png`` and ``.svg`` without volatile metadata."""
    folder = paths.figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, metadata in ((".png", {"Software": None}), (".svg", {"Date": None, "Creator": None})):
        target = folder / f"{stem}{suffix}"
        fig.savefig(target, metadata=metadata)
        written.append(target)
    return written
