"""Whether a rebuilt output is the committed one, within the tolerance that floating-point noise needs.

The same code on another machine (or the same machine, with arrays at other addresses) gives
numbers that differ in their last bits: BLAS kernels and memory alignment change the order of
additions. The results file rounds that noise away (:data:`analysis.results.STORED_DIGITS`);
figures take it as pixels that differ by a level or two. So a rebuilt figure is the committed
one when the root-mean-square difference of their pixels, in levels of 0-255, is at most
``FIGURE_TOLERANCE`` (matplotlib's own image comparison, ``calculate_rms``): a real change
as small as one pixel of another colour exceeds it. Every other file must match byte for byte.

:func:`unchanged` decides for one file and is what ``make reproduce`` uses to leave a committed
file in place (with its notebook's embedded figures, :func:`with_committed_figures`).
:func:`compare` tells, per result, figure and notebook, whether a whole build is the committed one
(``make verify``); a result matches when it is stored the same, to ``STORED_DIGITS``.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
from matplotlib.testing.compare import calculate_rms
from matplotlib.testing.exceptions import ImageComparisonFailure
from PIL import Image

from analysis import paths, results

FIGURE_TOLERANCE = 0.1  # RMS pixel difference, 0-255 levels; noise seen: 0.01-0.04, one changed pixel: ~0.3
PNG = "image/png"


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


def figure_rms(new: bytes, committed: bytes) -> float | None:
    """Root-mean-square difference of two PNG images' pixels (levels of 0-255); None if they are
    of other sizes or not images."""
    if new == committed:
        return 0.0
    try:
        return float(calculate_rms(_pixels(committed), _pixels(new)))
    except (ImageComparisonFailure, OSError):
        return None


def same_figure(new: bytes, committed: bytes) -> bool:
    """Two PNG images of the same size whose pixels differ by at most ``FIGURE_TOLERANCE`` (RMS)."""
    rms = figure_rms(new, committed)
    return rms is not None and rms <= FIGURE_TOLERANCE


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



@dataclass(frozen=True)
class Comparison:
    """One output of a rebuild against the committed one: ``kind`` (result, figure or notebook), what it
    is, whether it matches within the tolerance, and how it differs, in words."""

    kind: str
    item: str
    same: bool
    detail: str


def _relative(new: str, old: str) -> str:
    try:
        a, b = float(new), float(old)
    except ValueError:
        return f"{old!r} -> {new!r}"
    scale = max(abs(a), abs(b))
    return f"{old} -> {new} (relative {abs(a - b) / scale:.1e})" if scale and math.isfinite(scale) else f"{old} -> {new}"


def _result_comparisons(built: Path, committed: Path) -> list[Comparison]:
    stored = paths.estimates_file().relative_to(paths.output_root())  # results/estimates.csv
    new, old = results.read_rows(built / stored), results.read_rows(committed / stored)
    found = []
    for key in sorted(new.keys() | old.keys()):
        item = f"{key[0]} {key[1]}"
        if key not in new or key not in old:
            found.append(Comparison("result", item, False, "not rebuilt" if key not in new else "not committed"))
            continue
        changed = [f"{column} {_relative(new[key][column], value)}" for column, value in old[key].items()
                   if new[key].get(column) != value]
        found.append(Comparison("result", item, not changed, "; ".join(changed) or f"{old[key]['value']} (same)"))
    return found


def _file_comparison(kind: str, name: str, built: Path, committed: Path) -> Comparison:
    new, old = built / name, committed / name
    if not new.is_file() or not old.is_file():
        return Comparison(kind, name, False, "not rebuilt" if not new.is_file() else "not committed")
    if kind == "figure" and new.suffix != ".png":  # SVG: text, compared byte for byte
        same = new.read_bytes() == old.read_bytes()
        return Comparison(kind, name, same, f"{'the same' if same else 'differs'}, byte for byte")
    if kind == "figure":
        rms = figure_rms(new.read_bytes(), old.read_bytes())
        if rms is None:
            return Comparison(kind, name, False, "another size, or not an image")
        return Comparison(kind, name, rms <= FIGURE_TOLERANCE, f"RMS {rms:.3f} (tolerance {FIGURE_TOLERANCE:g})")
    if unchanged(new, old):
        return Comparison(kind, name, True, "the same, figures within tolerance")
    cells = nbformat.reads(rebuilt_bytes(new, old).decode("utf-8"), as_version=4).cells
    before = nbformat.reads(old.read_text(encoding="utf-8"), as_version=4).cells
    differing = [number for number, (a, b) in enumerate(zip(cells, before)) if a != b]
    if not differing:
        return Comparison(kind, name, False, f"{len(cells)} cells, {len(before)} committed")
    first = differing[0]
    lines = [[line for line in json.dumps(cell, sort_keys=True, indent=0).splitlines() if not line.startswith(f'"{PNG}"')]
             for cell in (before[first], cells[first])]
    change = next((_where_they_differ(a, b) for a, b in itertools.zip_longest(*lines, fillvalue="") if a != b),
                  "a figure beyond the tolerance")
    return Comparison(kind, name, False, f"{len(differing)} cell(s) differ; in cell {first}, {change}")


def _where_they_differ(old: str, new: str, before: int = 20, after: int = 30) -> str:
    """'…text before, committed -> rebuilt…': the two lines around their first differing character."""
    at = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    start = max(0, at - before)

    def cut(text: str) -> str:
        return ("…" if start else "") + text[start:at + after] + ("…" if len(text) > at + after else "")
    return f"{cut(old)} -> {cut(new)}"


def compare(built: Path, committed: Path) -> list[Comparison]:
    """Every result, figure and notebook of the build under ``built`` against those under ``committed``."""
    comparisons = _result_comparisons(built, committed)
    for kind, pattern in (("figure", "figures/*"), ("notebook", "notebooks/[0-9][0-9]-*.ipynb")):
        names = {p.relative_to(root).as_posix() for root in (built, committed) for p in root.glob(pattern)}
        comparisons += [_file_comparison(kind, name, built, committed) for name in sorted(names)]
    return comparisons
