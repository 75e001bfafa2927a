"""Test-session setup shared by the unit tests (tests/) and nbval (notebooks/).

The suite runs in parallel processes (`make test`: pytest-xdist, one file per process at a
time, so a notebook's cells stay in one kernel). Generated output of everything the tests
execute — notebooks re-run by nbval, results recorded by unit tests — goes to a temporary
output root, never over the committed figures/, results/ and notebooks. Notebook kernels run
in batch mode: no interactive explorers.
"""

import os
import shutil
import tempfile

# One BLAS thread per process, set before numpy is imported here or in a kernel: the tests run in
# parallel processes (pytest-xdist), and threads on top of them only contend for the cores.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # = pipeline.BLAS_THREAD_VARIABLES
    os.environ.setdefault(_variable, "1")

from hypothesis import HealthCheck, settings  # noqa: E402

from analysis import paths  # noqa: E402


def pytest_configure(config):
    config._compendium_output_root = tempfile.mkdtemp(prefix="compendium-test-output-")
    os.environ[paths.OUTPUT_ROOT_VARIABLE] = config._compendium_output_root
    os.environ[paths.BATCH_VARIABLE] = "1"  # nbval's kernels: no reader, so the explorers build nothing


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_compendium_output_root", ""), ignore_errors=True)


# Property-based tests (tests/test_properties.py): a deterministic, modest budget by default;
# `--hypothesis-profile=thorough` for a larger random one. No deadline: speed is for benchmarks.
# No example database: nothing is written into the checkout.
settings.register_profile("compendium", max_examples=25, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("compendium")
