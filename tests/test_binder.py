"""binder/ is what repo2docker needs, and the README's Binder links open real files.

tests/test_environment_files.py already checks that binder/requirements.txt is the locked runtime
exported from uv.lock, that binder/runtime.txt names Python 3.11 and that binder/postBuild
installs the package with `set -e`; this file adds what it does not cover.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from urllib.parse import parse_qs, urlsplit

from analysis import paths

BINDER_URL = re.compile(r"https?://mybinder\.org/(?!badge_logo\.svg)[^\s)\]`>\"']+")  # every link but the badge image
LAUNCH_PATH = re.compile(r"^/v2/gh/[^/]+/[^/]+/HEAD$")


def readme_binder_urls() -> list[str]:
    return BINDER_URL.findall((paths.ROOT / "README.md").read_text(encoding="utf-8"))


def test_binder_holds_only_the_locked_requirements_the_python_version_and_post_build():
    """repo2docker reads binder/ only: an environment.yml there would take precedence over requirements.txt."""
    tracked = subprocess.run(["git", "ls-files", "binder"], cwd=paths.ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert sorted(tracked) == ["binder/postBuild", "binder/requirements.txt", "binder/runtime.txt"]


def test_binder_requirements_pin_every_package_with_hashes():
    """pip installs a requirements file with hashes in hash-checking mode: every package exact, nothing else."""
    text = (paths.ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)(?: ;[^\\]*)? \\\n(?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+",
                         text, re.M)
    assert len(entries) == len(re.findall(r"^[A-Za-z0-9_.\-]+==", text, re.M)) > 100


def test_post_build_is_executable_in_git():
    stage = subprocess.run(["git", "ls-files", "-s", "binder/postBuild"], cwd=paths.ROOT, capture_output=True,
                           text=True, check=True).stdout
    assert stage.split()[0] == "100755", stage


def test_post_build_installs_the_repository_root_without_dependencies():
    """repo2docker runs ./binder/postBuild from the repository root; no `cd` may move it elsewhere."""
    lines = (paths.ROOT / "binder" / "postBuild").read_text(encoding="utf-8").splitlines()
    assert lines[0] in ("#!/bin/bash", "#!/usr/bin/env bash")
    commands = [c for c in (shlex.split(line, comments=True) for line in lines[1:]) if c]
    assert commands[0] == ["set", "-e"]
    assert not [c for c in commands if c[0] in ("cd", "pushd")]
    installs = [c for c in commands if "pip" in c and "install" in c]
    assert len(installs) == 1, installs
    assert "--no-deps" in installs[0] and {".", "./"} & set(installs[0]), installs


def test_readme_binder_urls_launch_this_repository_at_existing_paths():
    urls = readme_binder_urls()
    assert urls
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("https", "mybinder.org") and LAUNCH_PATH.match(parts.path), url
        for labpath in parse_qs(parts.query).get("labpath", []):
            assert (paths.ROOT / labpath).exists(), f"{url}: no {labpath} in the repository"
    assert len({urlsplit(url).path for url in urls}) == 1, "the README's Binder links name different repositories"


def test_readme_badge_and_a_link_to_a_specific_notebook():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]\(https://mybinder\.org/v2/gh/"
                     r"[^/]+/[^/]+/HEAD(\?[^)]*)?\)", readme)
    labpaths = [p for url in readme_binder_urls() for p in parse_qs(urlsplit(url).query).get("labpath", [])]
    assert [p for p in labpaths if re.fullmatch(r"notebooks/[^/]+\.ipynb", p)], labpaths
