"""Test-session setup shared by the unit tests (tests/) and nbval (notebooks/).

Generated output of everything the tests execute — notebooks re-run by nbval, results
recorded by unit tests — goes to a temporary output root, never over the committed
figures/, results/ and notebooks. Notebook kernels run in batch mode: no interactive explorers.
"""

import os
import shutil
import tempfile

from analysis import explorers, paths


def pytest_configure(config):
    config._compendium_output_root = tempfile.mkdtemp(prefix="compendium-test-output-")
    os.environ[paths.OUTPUT_ROOT_VARIABLE] = config._compendium_output_root
    os.environ[explorers.BATCH_VARIABLE] = "1"  # nbval's kernels: no reader, so the explorers build nothing


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_compendium_output_root", ""), ignore_errors=True)
