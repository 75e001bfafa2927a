"""pyproject.toml, environment.yml and binder/ describe one environment; Make and CI use it."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from analysis import paths

PIN = re.compile(r"^[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.]*$")


def pyproject_dependencies() -> list[str]:
    with open(paths.ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["dependencies"]


def conda_file(relative: str) -> tuple[list[str], list[str]]:
    """(conda dependencies, pip dependencies) of a conda environment file."""
    with open(paths.ROOT / relative, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    conda = [d for d in spec["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    return conda, pip


def test_pyproject_pins_every_direct_dependency_exactly():
    dependencies = pyproject_dependencies()
    assert dependencies and all(PIN.match(d) for d in dependencies), dependencies


@pytest.mark.parametrize("relative", ["environment.yml", "binder/environment.yml"])
def test_conda_files_match_pyproject(relative):
    conda, pip = conda_file(relative)
    assert "python=3.11" in conda and "pip" in conda
    assert sorted(pip, key=str.lower) == sorted(pyproject_dependencies(), key=str.lower)


@pytest.mark.parametrize("relative", ["environment.yml", "binder/environment.yml"])
def test_no_local_path_in_environment_files(relative):
    _, pip = conda_file(relative)
    assert not [d for d in pip if d.startswith(("-e", ".", "/", "file:")) or d in (".", "..")]


def test_binder_installs_the_package_and_stops_on_error():
    post_build = (paths.ROOT / "binder" / "postBuild").read_text(encoding="utf-8")
    assert post_build.startswith("#!") and "\nset -e\n" in post_build
    assert "pip install --no-deps -e ." in post_build
    assert (paths.ROOT / "binder" / "postBuild").stat().st_mode & 0o111


def test_ci_runs_make_test():
    ci = (paths.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in ci and re.search(r"^make test$", ci, re.M)


def test_makefile_documents_every_target():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):", makefile, re.M)
    documented = re.findall(r"^([a-z-]+):.*## ", makefile, re.M)
    assert targets == documented
    assert {"help", "reproduce", "test", "lab"} <= set(documented)
    assert "python3 -m venv" in makefile.replace("$(PYTHON)", "python3")
