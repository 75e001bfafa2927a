"""Benchmark: fitting all of Rcapture's standard closed models with analysis.capture.

Targets (not enforced by the test suite; run `make benchmark`):
- the full closedp.t set on the snowshoe hare data (6 occasions, 68 animals): under 0.5 s;
- the closedp.0 set on the MTurk frequency table (140 occasions, 157,255 workers): reported.
Each case is timed over several repetitions; the best and median wall times are printed.
"""

from __future__ import annotations

import statistics
import time

from analysis import capture, data

TARGETS = {"hare (closedp.t, 12 models)": 0.5}


def cases() -> dict[str, object]:
    hare = capture.histories(data.load("rcapture-hare"))
    mturk = capture.frequencies(data.load("mturk-times-seen"), t=140, k="k", f="observed")
    return {"hare (closedp.t, 12 models)": (hare, 20), "MTurk (closedp.0, 5 models, t = 140)": (mturk, 3)}


def main() -> int:
    failed = False
    for name, (counts, repetitions) in cases().items():
        times = []
        for _ in range(repetitions):
            started = time.perf_counter()
            capture.closed_models(counts)
            times.append(time.perf_counter() - started)
        target = TARGETS.get(name)
        verdict = "" if target is None else (" [target < %.1f s: %s]" % (target, "met" if min(times) < target else "MISSED"))
        failed |= target is not None and min(times) >= target
        print(f"{name}: best {min(times):.3f} s, median {statistics.median(times):.3f} s over {repetitions}{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
