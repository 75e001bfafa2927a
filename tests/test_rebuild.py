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
    assert rebuild.unchanged(tmp_path / "a.csv", tmp_path / "a.csv")
    assert not rebuild.unchanged(tmp_path / "a.csv", tmp_path / "b.csv")
    assert not rebuild.unchanged(tmp_path / "a.csv", tmp_path / "missing.csv")


def build(root, rows: list[str], figure: np.ndarray, notebook_text: str):
    """A build under ``root``: results with these rows, one figure, one notebook showing it."""
    (root / "results").mkdir(parents=True)
    (root / "results" / "estimates.csv").write_text("notebook,key,value\n" + "".join(f"{r}\n" for r in rows))
    (root / "figures").mkdir()
    (root / "figures" / "01-a-plot.png").write_bytes(png(figure))
    (root / "figures" / "01-a-plot.svg").write_text(f"<svg>{notebook_text}</svg>")
    (root / "notebooks").mkdir()
    nb = notebook(png(figure), notebook_text)
    nb.cells[0].id = "cell-a"
    nbformat.write(nb, root / "notebooks" / "01-a.ipynb")


def test_compare_tells_per_result_figure_and_notebook_what_differs(tmp_path):
    noisy, changed = BASE.copy(), BASE.copy()
    noisy[:10, :10] += 1  # RMS 0.1: noise
    changed[50, 50] = 0  # RMS 2.0: a change
    build(tmp_path / "committed", ["01-a,n,176784.85", "01-a,gone,1"], BASE, "<Figure>")
    build(tmp_path / "same", ["01-a,n,176784.85", "01-a,gone,1"], noisy, "<Figure>")
    build(tmp_path / "other", ["01-a,n,176784.86", "01-a,new,2"], changed, "<Another figure>")
    assert [(c.kind, c.item, c.same, c.detail) for c in rebuild.compare(tmp_path / "same", tmp_path / "committed")] == [
        ("result", "01-a gone", True, "1 (same)"),
        ("result", "01-a n", True, "176784.85 (same)"),
        ("figure", "figures/01-a-plot.png", True, "RMS 0.100 (tolerance 0.1)"),
        ("figure", "figures/01-a-plot.svg", True, "the same, byte for byte"),
        ("notebook", "notebooks/01-a.ipynb", True, "the same, figures within tolerance"),
    ]
    found = {c.item: c for c in rebuild.compare(tmp_path / "other", tmp_path / "committed")}
    assert not any(c.same for c in found.values())
    assert found["01-a n"].detail == "value 176784.85 -> 176784.86 (relative 5.7e-08)"
    assert found["01-a gone"].detail == "not rebuilt" and found["01-a new"].detail == "not committed"
    assert found["figures/01-a-plot.png"].detail == "RMS 2.000 (tolerance 0.1)"
    assert found["figures/01-a-plot.svg"].detail == "differs, byte for byte"
    assert found["notebooks/01-a.ipynb"].detail.startswith("1 cell(s) differ; in cell 0, ")
    assert "<Another figure>" in found["notebooks/01-a.ipynb"].detail
    build(tmp_path / "figure-only", ["01-a,n,176784.85", "01-a,gone,1"], changed, "<Figure>")
    notebook_only = [c for c in rebuild.compare(tmp_path / "figure-only", tmp_path / "committed") if c.kind == "notebook"]
    assert notebook_only[0].detail == "1 cell(s) differ; in cell 0, a figure beyond the tolerance"
