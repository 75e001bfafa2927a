"""JupyterLab smoke test: the Binder experience minus Binder.

One `jupyter lab` server from this environment, on 127.0.0.1 with a random token, serves
the repository; its runtime, config and data directories and its home are temporary, so
nothing is written to the user's home or the repository.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import jupyterlab
import nbformat
import pytest

from analysis import paths

NOTEBOOKS = sorted((paths.ROOT / "notebooks").glob("*.ipynb"))
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
START_TIMEOUT = 60  # seconds for the server to answer /api/status
STOP_TIMEOUT = 10  # seconds between terminate and kill

# Requests go straight to the local server, never through a proxy from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Server:
    url: str
    token: str
    home: Path
    runtime: Path

    def get(self, path: str, authenticated: bool = True) -> tuple[int, bytes]:
        """(status, body) of a GET on the server."""
        headers = {"Authorization": f"token {self.token}"} if authenticated else {}
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with OPENER.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get_json(self, path: str) -> dict | list:
        status, body = self.get(path)
        assert status == 200, (path, status, body[:500])
        return json.loads(body)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
    base = tmp_path_factory.mktemp("jupyterlab")
    home = base / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_DATA_DIR": str(base / "data")}
    token, port, log = secrets.token_hex(24), free_port(), base / "server.log"
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={paths.ROOT}", "--ServerApp.allow_root=True"]  # CI containers run as root
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=base)
    try:
        running = Server(f"http://127.0.0.1:{port}", token, home, base / "runtime")
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, f"jupyter lab exited ({process.returncode}):\n{log.read_text()}"
            try:
                if running.get("/api/status")[0] == 200:
                    break
            except OSError:
                pass  # not listening yet
            assert time.monotonic() < deadline, f"no answer in {START_TIMEOUT} s:\n{log.read_text()}"
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
