"""JupyterLab smoke test: the Binder experience minus Binder.

One `jupyter lab` server from this environment, on 127.0.0.1 with a random token, serves
the repository; its runtime, config and data directories and its home are temporary, so
nothing is written to the user's home or the repository.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.parse
from pathlib import Path

import jupyterlab
import nbformat
import pytest

from analysis import paths
from tests import helpers

NOTEBOOKS = sorted((paths.ROOT / "notebooks").glob("*.ipynb"))
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"

def git_status() -> str:
    """Tracked, untracked and ignored changes, ignored folders collapsed."""
    return subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=paths.ROOT,
                          capture_output=True, text=True, check=True).stdout


def page_config(html: str) -> dict:
    """The page configuration JupyterLab embeds in its HTML page."""
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no jupyter-config-data in the page"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def status_before() -> str:
    return git_status()


@pytest.fixture(scope="module")
def server(tmp_path_factory, status_before):
    """A running `jupyter lab` on the repository root, stopped even if a test fails."""
    with helpers.jupyter_lab(paths.ROOT, tmp_path_factory.mktemp("jupyterlab")) as running:
        yield running


def test_server_refuses_requests_without_the_token(server):
    assert server.get("/api/status", authenticated=False)[0] == 403
    assert json.loads(server.get("/api/status")[1])["kernels"] == 0


def test_lab_page_is_jupyterlab_on_the_repository(server):
    status, body = server.get("/lab")
    assert status == 200
    html = body.decode("utf-8")
    assert "<title>JupyterLab</title>" in html
    config = page_config(html)
    assert (config["appName"], config["appVersion"]) == ("JupyterLab", jupyterlab.__version__)
    assert Path(config["serverRoot"]) == paths.ROOT


def test_widgets_extension_is_enabled_and_served(server):
    config = page_config(server.get("/lab")[1].decode("utf-8"))
    extensions = {e["name"]: e for e in config["federated_extensions"]}
    assert WIDGETS_EXTENSION in extensions, sorted(extensions)
    assert WIDGETS_EXTENSION not in config["disabledExtensions"]
    entry = f"{config['fullLabextensionsUrl']}/{WIDGETS_EXTENSION}/{extensions[WIDGETS_EXTENSION]['load']}"
    status, body = server.get(entry)
    assert status == 200 and b"@jupyter-widgets/jupyterlab-manager" in body


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_contents_api_serves_each_notebook(server, notebook):
    model = server.get_json(f"/api/contents/notebooks/{urllib.parse.quote(notebook.name)}")
    assert (model["type"], model["format"]) == ("notebook", "json")
    cells = model["content"]["cells"]
    expected = nbformat.read(notebook, as_version=4).cells
    assert len(cells) == len(expected)
    assert cells[0]["source"] == expected[0].source


def test_nothing_written_to_the_repository_or_home(server, status_before):
    """Run last in this module, once every request above has been served.

    Jupyter's state goes to the temporary JUPYTER_* directories; the temporary home only
    catches what other tools write there (jupyter_lsp's npm probe, IPython's folder). The git
    status comparison also fails if something else edits the checkout while this module runs.
    """
    assert git_status() == status_before
    assert list(server.runtime.glob("jpserver-*.json"))
    assert not [p for p in server.home.rglob("*") if "jupyter" in str(p.relative_to(server.home)).lower()]
