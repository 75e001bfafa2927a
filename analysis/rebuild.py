"""Whether a rebuilt output is the committed one, within the tolerance that floating-point noise needs.

The same code on another machine (or the same machine, with arrays at other addresses) gives
numbers that differ in their last bits: BLAS kernels and memory alignment change the order of
additions. The results file rounds that noise away (:data:`analysis.results.STORED_DIGITS`);
figures take it as pixels that differ by a level or two. So a rebuilt figure is the committed
one when the root-mean-square difference of their pixels, in levels of 0-255, is at most
``FIGURE_TOLERANCE`` (matplotlib's own image comparison, ``calculate_rms``): a real change
as small as one pixel of another colour exceeds it. Every other file must match byte for byte.

:func:`unchanged` decides for one file and is what ``make reproduce`` uses to leave a committed
file in place (with its notebook's embedded figures, :func:`with_committed_figures`); the test of
the rebuild uses it to compare a whole build with the committed outputs.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import nbformat
import numpy as np
from matplotlib.testing.compare import calculate_rms
from matplotlib.testing.exceptions import ImageComparisonFailure
from PIL import Image

FIGURE_TOLERANCE = 0.1  # RMS pixel difference, 0-255 levels; noise seen: 0.01-0.04, one changed pixel: ~0.3
PNG = "image/png"


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


def same_figure(new: bytes, committed: bytes) -> bool:
    """Two PNG images of the same size whose pixels differ by at most ``FIGURE_TOLERANCE`` (RMS)."""
    if new == committed:
        return True
    try:
        return calculate_rms(_pixels(committed), _pixels(new)) <= FIGURE_TOLERANCE
    except (ImageComparisonFailure, OSError):  # other sizes, or not an image
        return False


def with_committed_figures(new: nbformat.NotebookNode, committed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``new`` with each embedded PNG that is the same figure as the committed one at the same place
    (same cell source, same output position) replaced by the committed bytes."""
    if len(new.cells) != len(committed.cells):
        return new
    for cell, old in zip(new.cells, committed.cells):
        if cell.cell_type != "code" or cell.source != old.source or len(cell.outputs) != len(old.outputs):
            continue
        for output, old_output in zip(cell.outputs, old.outputs):
            image, old_image = output.get("data", {}).get(PNG), old_output.get("data", {}).get(PNG)
            if image and old_image and image != old_image and same_figure(
                    base64.b64decode(image), base64.b64decode(old_image)):
                output["data"][PNG] = old_image
    return new


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """The bytes ``nbformat.write`` gives for ``nb``."""
    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def rebuilt_bytes(new: Path, committed: Path) -> bytes:
    """The bytes to publish for ``new`` over ``committed``: a notebook keeps the committed figures that
    are the same within the tolerance; other files are what was built."""
    data = new.read_bytes()
    if new.suffix == ".ipynb" and committed.is_file():
        nb = with_committed_figures(nbformat.reads(data.decode("utf-8"), as_version=4),
                                    nbformat.reads(committed.read_text(encoding="utf-8"), as_version=4))
        data = notebook_bytes(nb)
    return data


def unchanged(new: Path, committed: Path) -> bool:
    """Whether the rebuilt file ``new`` is the committed file ``committed`` within the tolerances above."""
    if not committed.is_file():
        return False
    if new.suffix == ".png":
        return same_figure(new.read_bytes(), committed.read_bytes())
    return rebuilt_bytes(new, committed) == committed.read_bytes()


def differences(built: Path, committed: Path, relative: list[str]) -> list[str]:
    """The files (paths relative to both roots) that differ between two builds beyond the tolerances."""
    return [name for name in relative if not unchanged(built / name, committed / name)]
