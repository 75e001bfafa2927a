"""Small shared helpers for the tests: CSV files, a JupyterLab server, headless Chromium."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Debian's Chromium, which .ci/run installs. Without it the browser tests are skipped, except where
# BROWSER_REQUIRED_VARIABLE is 1 (.ci/run sets it): there they fail, so that CI cannot pass without them.
BROWSER_REQUIRED_VARIABLE = "COMPENDIUM_BROWSER_REQUIRED"
CHROMIUM_COMMAND = "chromium"  # looked for at /usr/bin/, then on PATH


def chromium() -> str:
    """The path of Chromium, or the test is skipped (failed where the browser is required)."""
    candidates = (f"/usr/bin/{CHROMIUM_COMMAND}", shutil.which(CHROMIUM_COMMAND))
    found = next((path for path in candidates if path and Path(path).is_file()), None)
    if found is None:
        missing = "Chromium not installed (/usr/bin/chromium or chromium on PATH)"
        if os.environ.get(BROWSER_REQUIRED_VARIABLE) == "1":
            pytest.fail(f"{missing}, and {BROWSER_REQUIRED_VARIABLE}=1: the browser tests must run here")
        pytest.skip(missing)
    return found


# Without the background-networking flags Chromium keeps calling Google services.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

LAB_START_TIMEOUT = 60  # seconds for the server to answer /api/status
LAB_STOP_TIMEOUT = 10  # seconds between terminate and kill
# Requests go straight to the local server, never through a proxy from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


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


def _server_file(runtime: Path, pid: int) -> dict | None:
    """The server's own record of where it listens (``jpserver-<pid>.json``), once it has written it."""
    try:
        return json.loads((runtime / f"jpserver-{pid}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not written yet, or half-written


@contextlib.contextmanager
def jupyter_lab(root: Path, base: Path, env: dict[str, str] | None = None,
                options: tuple[str, ...] = ()) -> Iterator[Server]:
    """A `jupyter lab` from this environment serving ``root`` on 127.0.0.1, stopped on exit.

    The operating system picks the port (``--port=0``) and the test reads it from the server's
    runtime file: no fixed port, no port probed by the test and then raced for. Its runtime,
    config and data directories and its home are under ``base``, so nothing is written to the
    user's home; ``env`` adds variables for the server and its kernels.
    """
    home, runtime = base / "home", base / "runtime"
    home.mkdir(parents=True)
    environment = {**os.environ, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(runtime),
                   "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_DATA_DIR": str(base / "data"), **(env or {})}
    token, log = secrets.token_hex(24), base / "server.log"
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", "--port=0",
               f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--ServerApp.allow_root=True", *options]  # CI containers run as root
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment, cwd=base)
    try:
        deadline = time.monotonic() + LAB_START_TIMEOUT
        running = None
        while True:
            assert process.poll() is None, f"jupyter lab exited ({process.returncode}):\n{log.read_text()}"
            if running is None and (record := _server_file(runtime, process.pid)) is not None:
                running = Server(f"http://127.0.0.1:{record['port']}", token, home, runtime)
            if running is not None:
                try:
                    if running.get("/api/status")[0] == 200:
                        break
                except OSError:
                    pass  # written its file, not answering yet
            assert time.monotonic() < deadline, f"no answer in {LAB_START_TIMEOUT} s:\n{log.read_text()}"
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=LAB_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
