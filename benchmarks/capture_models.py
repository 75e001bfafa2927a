"""Benchmark: fitting all of Rcapture's standard closed models with analysis.capture.

Targets (best of several runs; not enforced by the test suite; run `make benchmark`):
- the closedp.t set on the snowshoe hare (6 occasions, 68 animals, 12 models): at most 8 ms;
- the closedp.t set on the six UK modern-slavery lists (2,744 victims, 12 models): at most 12 ms;
- the closedp.0 set on the MTurk frequencies (140 occasions, 157,255 workers, 5 models): at most 0.3 s.
For comparison, issue 13 measured Rcapture 1.4-4 at about 25 ms, 40 ms and 2.6-4.3 s for the same calls.

BLAS runs on one thread (unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS say otherwise): the
matrices are at most 140 x 140, where threads cost more than they save, and on a shared
two-core machine they make the timings erratic. The capture module memoises what depends on the
design alone (which columns are independent, the least-squares workspaces); every timed run starts
with those caches empty, so that it pays what a first fit pays. Exits with 1 when a target is missed.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import statistics  # noqa: E402  (after the thread settings, which numpy reads on import)
import time  # noqa: E402

from analysis import capture, data, mturk  # noqa: E402

CASES = {  # name: (data, repetitions, target in seconds)
    "hare (closedp.t, 12 models)": (lambda: capture.histories(data.load("rcapture-hare")), 50, 0.008),
    "UK six lists (closedp.t, 12 models)":
        (lambda: capture.histories(data.load("sparsemse-uk"), freq="count"), 50, 0.012),
    "MTurk (closedp.0, 5 models, t = 140)": (mturk.times_seen, 7, 0.3),
}


def best_and_median(counts: capture.Histories | capture.Frequencies, repetitions: int) -> tuple[float, float]:
    """Wall times of ``closed_models`` over the repetitions, after one untimed run (imports, first
    allocations), each with the design caches emptied: (best, median)."""
    capture.closed_models(counts)
    times = []
    for _ in range(repetitions):
        capture.clear_design_caches()
        started = time.perf_counter()
        capture.closed_models(counts)
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> int:
    print(f"BLAS threads: OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    missed = []
    for name, (load, repetitions, target) in CASES.items():
        best, median = best_and_median(load(), repetitions)
        met = best <= target
        missed += [] if met else [name]
        print(f"{name}: best {best * 1000:.1f} ms, median {median * 1000:.1f} ms over {repetitions} "
              f"[target <= {target * 1000:g} ms: {'met' if met else 'MISSED'}]")
    if missed:
        print(f"missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
