"""The static site (`make site`): a page per executed notebook and an index with map, results and figures.

These tests read the HTML; tests/test_site_browser.py opens the same pages in Chromium.
"""

from __future__ import annotations

import re
import shutil
from html import escape as html_escape

import nbformat
import pytest

from analysis import cli, paths, pipeline, site

NOTEBOOKS = pipeline.notebooks()
FIGURES = sorted(path.name for path in (paths.ROOT / "figures").glob("*.png"))


def snapshot(folder) -> dict[str, tuple[int, int]]:
    return {str(path): (path.stat().st_mtime_ns, path.stat().st_size) for path in folder.rglob("*")}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The site of a copy of the committed build products, built once; the copy must be left untouched."""
    root = tmp_path_factory.mktemp("build")
    for folder in ("notebooks", "figures", "results"):
        shutil.copytree(paths.ROOT / folder, root / folder)
    before = snapshot(root)
    output = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(root))
        pages = site.build(output)
    assert snapshot(root) == before, "the build wrote outside its output folder"
    return output, pages


@pytest.fixture(scope="module")
def index(built) -> str:
    return (built[0] / "index.html").read_text(encoding="utf-8")


def test_every_notebook_has_a_page_titled_by_its_first_heading(built):
    output, pages = built
    assert pages == [output / f"{name}.html" for name in NOTEBOOKS] + [output / "index.html"]
    for name in NOTEBOOKS:
        heading = site.title(nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4), name)
        html = (output / f"{name}.html").read_text(encoding="utf-8")
        assert heading != name and f"<title>{html_escape(heading, quote=False)}</title>" in html
        assert "jp-OutputArea-output" in html and "data:image/png;base64," in html  # its stored outputs


def test_index_links_to_every_notebook_page_with_its_paper(index):
    links = re.findall(r'<a href="([^"]+)"', index)
    assert all(f"{name}.html" in links for name in NOTEBOOKS)
    assert set(site.readme_map()) == set(NOTEBOOKS)
    assert "Le Ludec, Tubaro &amp; Casilli (2019)" in index  # a paper, from the README's map


def test_index_renders_the_results_table(index):
    table = re.search(r'id="Results".*?<table>(.*?)</table>', index, re.DOTALL).group(1)
    headers = re.findall(r"<th[^>]*>([^<]+)</th>", table)
    assert headers == ["Notebook", "Result", "Computed", "Published", "Kind of check", "Agrees",
                       "Source of the published value"]
    assert "<td><code>france.casual</code></td>" in table and "| Notebook |" not in index


def test_every_figure_is_shown_with_its_name_and_copied(built, index):
    output, _ = built
    images = re.findall(r'<img alt="([^"]+)" src="([^"]+)"', index)
    assert images == [(name, f"figures/{name}") for name in FIGURES]
    assert all(f"<em>{name}</em>" in index for name in FIGURES)
    assert all((output / source).is_file() for _, source in images)


@pytest.fixture
def build_root(tmp_path, monkeypatch):
    """An empty output root: the notebooks a test puts there are the ones the site sees."""
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(tmp_path))
    (tmp_path / "notebooks").mkdir()
    return tmp_path


def test_missing_notebook_is_refused(build_root):
    message = rf"^notebooks/{NOTEBOOKS[0]}\.ipynb: notebook not found \(run `make reproduce`\)$"
    with pytest.raises(site.SiteError, match=message):
        site.build(build_root / "site")
    assert not (build_root / "site").exists()


@pytest.mark.parametrize("damage, message", [
    (lambda cell: cell.update(execution_count=None, outputs=[]), "was not executed"),
    (lambda cell: cell.outputs.append(nbformat.v4.new_output("error", ename="E", evalue="", traceback=[])),
     "has an error output"),
])
def test_unexecuted_or_failed_notebook_is_refused(build_root, damage, message):
    nb = nbformat.read(paths.NOTEBOOKS / f"{NOTEBOOKS[0]}.ipynb", as_version=4)
    number, cell = next((n, c) for n, c in enumerate(nb.cells, start=1) if c.cell_type == "code")
    damage(cell)
    nbformat.write(nb, build_root / "notebooks" / f"{NOTEBOOKS[0]}.ipynb")
    with pytest.raises(site.SiteError, match=rf"^notebooks/{NOTEBOOKS[0]}\.ipynb: cell {number} {message}"):
        site.build(build_root / "site")


@pytest.mark.parametrize("output, message", [
    (".", "refusing to write the site over the notebooks and figures it shows"),
    ("README.md", "exists and is not a folder"),
])
def test_bad_output_folder_is_one_line_from_the_command_line(monkeypatch, capsys, output, message):
    monkeypatch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(paths.ROOT))
    monkeypatch.chdir(paths.ROOT)
    assert cli.main(["site", "--output", output]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error and error.count("\n") == 1
