"""Figures are byte-identical when saved twice (no dates, versions or random ids inside)."""

import matplotlib.pyplot as plt
import pytest

from analysis import notebook, paths, plotting


@pytest.fixture
def output_root(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    return tmp_path


def drawing():
    plotting.apply_theme()
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2], label="line")
    ax.legend()
    return fig


def test_saving_twice_gives_identical_bytes(output_root):
    first = [p.read_bytes() for p in plotting.save(drawing(), "example")]
    second = [p.read_bytes() for p in plotting.save(drawing(), "example")]
    assert first == second
    png, svg = first
    assert b"Software" not in png
    assert b"<dc:date>" not in svg


def test_figures_are_named_after_the_notebook(output_root, monkeypatch):
    monkeypatch.setattr(notebook, "_current", "01-counting-france")
    shown = notebook.save_figure(drawing(), "example")
    assert shown == "figures/01-counting-france-example.png"
    assert (output_root / "figures" / "01-counting-france-example.svg").is_file()


def test_theme_uses_a_non_interactive_backend_outside_jupyter():
    plotting.apply_theme()
    assert plt.get_backend().lower() == "agg"
