"""What counts as an unchanged rebuild: figures within floating-point noise, everything else exact."""

from __future__ import annotations

import base64
import io

import nbformat
import numpy as np
import pytest
from PIL import Image

from analysis import rebuild


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


BASE = np.full((100, 100, 3), 200)


def test_noise_of_a_level_on_a_hundred_pixels_is_the_same_figure():
    noisy = BASE.copy()
    noisy[:10, :10] += 1  # what another machine's BLAS did to the traffic figure: 102 pixels, 1 level
    # RMS = sqrt(100 * 3 * 1 / 30000) = 0.1: at the tolerance, by hand
    assert rebuild.same_figure(png(noisy), png(BASE))


def test_one_pixel_of_another_colour_is_a_change():
    changed = BASE.copy()
    changed[50, 50] = 0  # RMS = sqrt(3 * 200**2 / 30000) = 2.0
    assert not rebuild.same_figure(png(changed), png(BASE))


def test_figures_of_other_sizes_or_not_images_differ():
    assert not rebuild.same_figure(png(BASE[:, :99]), png(BASE))
    assert not rebuild.same_figure(b"not a png", png(BASE))


def notebook(image: bytes, text: str) -> nbformat.NotebookNode:
    output = nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(image).decode(),
                                                          "text/plain": text})
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("plot()", outputs=[output])])


@pytest.mark.parametrize("text, unchanged", [("<Figure>", True), ("<Another figure>", False)])
def test_a_notebook_is_unchanged_when_only_its_figures_carry_noise(tmp_path, text, unchanged):
    noisy = BASE.copy()
    noisy[0, :5] += 1
    committed, new = tmp_path / "committed.ipynb", tmp_path / "new.ipynb"
    old = notebook(png(BASE), "<Figure>")
    rerun = notebook(png(noisy), text)
    rerun.cells[0].id = old.cells[0].id  # the same notebook run again keeps its cell ids
    nbformat.write(old, committed)
    nbformat.write(rerun, new)
    assert rebuild.unchanged(new, committed) is unchanged
    published = nbformat.reads(rebuild.rebuilt_bytes(new, committed).decode(), as_version=4)
    # the committed figure is kept either way; a changed text is published
    assert published.cells[0].outputs[0].data["image/png"] == base64.b64encode(png(BASE)).decode()
    assert published.cells[0].outputs[0].data["text/plain"] == text


def test_other_files_must_match_byte_for_byte(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1.0000001\n")
    (tmp_path / "b.csv").write_text("x\n1.0000002\n")
    assert rebuild.differences(tmp_path, tmp_path, ["a.csv"]) == []
    assert not rebuild.unchanged(tmp_path / "a.csv", tmp_path / "b.csv")
    assert not rebuild.unchanged(tmp_path / "a.csv", tmp_path / "missing.csv")
