"""One locked environment: uv.lock is the single source of every install path.

pyproject.toml names the direct dependencies (exact pins); uv.lock locks every package with its
hashes; the Makefile installs from it with `uv sync --frozen`, Binder and conda from its export
binder/requirements.txt, and CI through `make test`. These tests fail if any of them drifts from
the lock or if the environment they run in holds a package the lock does not name.
"""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest
import yaml

from analysis import paths
from tests import helpers

PIN = re.compile(r"^[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.]*$")
UV = paths.ROOT / ".uv" / "bin" / "uv"
TEST_TOOLS = {"pytest", "nbval", "playwright", "pytest-xdist", "hypothesis", "ruff"}


def pyproject() -> dict:
    with open(paths.ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


def uv(*arguments: str) -> subprocess.CompletedProcess:
    """Run the compendium's own uv (installed by the Makefile from requirements/uv.txt)."""
    if not UV.is_file():
        pytest.fail(f"{UV.relative_to(paths.ROOT)} is missing: run `make test`, which installs it")
    return subprocess.run([str(UV), *arguments], cwd=paths.ROOT, capture_output=True, text=True, timeout=120)


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[=<>~ \[;]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def test_pyproject_pins_every_direct_dependency_exactly_and_keeps_test_tools_apart():
    project = pyproject()["project"]
    runtime, test = project["dependencies"], project["optional-dependencies"]["test"]
    assert all(PIN.match(d) for d in runtime + test), runtime + test
    assert names(test) == TEST_TOOLS and not names(runtime) & TEST_TOOLS
    assert all(PIN.match(d) for d in pyproject()["build-system"]["requires"])  # the build backend too


def test_lock_is_up_to_date_with_pyproject():
    result = uv("lock", "--check", "--offline")
    assert result.returncode == 0, result.stderr


def test_uv_is_the_version_requirements_uv_txt_pins():
    pinned = re.search(r"^uv==(\S+) ", (paths.ROOT / "requirements" / "uv.txt").read_text(encoding="utf-8"), re.M)
    assert pinned and uv("--version").stdout.split()[1] == pinned.group(1)


def test_this_environment_is_exactly_the_locked_one():
    """Nothing installed by hand, nothing missing: `uv sync --check` is exact (the runtime and the test extra)."""
    result = uv("sync", "--frozen", "--extra", "test", "--check", "--python", "python3")
    assert result.returncode == 0, result.stderr + result.stdout


def test_binder_requirements_are_the_locked_runtime_exported():
    result = uv("export", "--frozen", "--no-emit-project", "--format", "requirements-txt", "--quiet")
    assert result.returncode == 0, result.stderr
    committed = (paths.ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    assert committed.split("\n", 2)[2] == result.stdout.split("\n", 2)[2], "run `make lock` to regenerate it"
    assert not names(re.findall(r"^([A-Za-z0-9_.\-]+)==", committed, re.M)) & TEST_TOOLS  # Binder gets no test tools


def test_conda_environment_installs_the_locked_runtime_and_pins_nothing_else():
    with open(paths.ROOT / "environment.yml", encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    conda = [d for d in spec["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    assert sorted(conda) == ["pip", "python=3.11"] and pip == ["-r binder/requirements.txt"]


def test_makefile_installs_only_from_the_lock():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    installs = re.findall(r"^\t.*\b(?:pip install|uv sync|uv pip)\b.*$", makefile, re.M)
    assert installs == [
        "\t$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-compile --upgrade "
        "--require-hashes --target $(UV_HOME) -r requirements/uv.txt"]
    assert "SYNC := $(UV) sync --frozen --python $(PYTHON)" in makefile
    assert re.search(r"^\t\$\(SYNC\) --extra test$", makefile, re.M)  # make test: runtime + test tools


def test_binder_installs_the_package_and_stops_on_error():
    post_build = (paths.ROOT / "binder" / "postBuild").read_text(encoding="utf-8")
    assert post_build.startswith("#!") and "\nset -e\n" in post_build
    assert "pip install --no-deps -e ." in post_build
    assert (paths.ROOT / "binder" / "postBuild").stat().st_mode & 0o111
    assert (paths.ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"


def test_ci_runs_make_test():
    ci = (paths.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in ci and re.search(rf"^{helpers.BROWSER_REQUIRED_VARIABLE}=1 make test\b", ci, re.M)


def test_without_chromium_the_browser_tests_are_skipped_except_where_required(monkeypatch):
    monkeypatch.setattr(helpers, "CHROMIUM_COMMAND", "no-such-browser")
    monkeypatch.delenv(helpers.BROWSER_REQUIRED_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium not installed"):
        helpers.chromium()
    monkeypatch.setenv(helpers.BROWSER_REQUIRED_VARIABLE, "1")  # as .ci/run sets it
    with pytest.raises(pytest.fail.Exception, match="the browser tests must run here"):
        helpers.chromium()


def test_makefile_documents_every_target():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):", makefile, re.M)
    documented = re.findall(r"^([a-z-]+):.*## ", makefile, re.M)
    assert targets == documented
    assert {"help", "reproduce", "test", "lab", "lock"} <= set(documented)
