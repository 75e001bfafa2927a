"""Benchmark: Monte Carlo propagation through the full global funnel of Kässi et al. (2021).

Target (not enforced by the test suite; run `make benchmark`): analysis.uncertainty.propagate
and summarise on 100,000 draws of the reviewed input distributions
(params/uncertainty-global-online-workers.yaml) through analysis.funnel.workers, under 1 s
(best of 5).
"""

from __future__ import annotations

import statistics
import time

from analysis import funnel, parameters, paths, uncertainty

TARGET_SECONDS = 1.0
DRAWS = 100_000
REPETITIONS = 5


def main() -> int:
    distributions = uncertainty.load_distributions(paths.PARAMS / "uncertainty-global-online-workers.yaml")
    times = []
    for _ in range(REPETITIONS):
        started = time.perf_counter()
        draws = uncertainty.propagate(funnel.workers, distributions, draws=DRAWS,
                                      bounds=parameters.bounds(distributions))
        summary = uncertainty.summarise(draws)
        times.append(time.perf_counter() - started)
    met = min(times) < TARGET_SECONDS
    print(f"global funnel, {DRAWS:,} draws (propagate + summarise): best {min(times):.3f} s, "
          f"median {statistics.median(times):.3f} s over {REPETITIONS} "
          f"[target < {TARGET_SECONDS:.0f} s: {'met' if met else 'MISSED'}]")
    for output, row in summary.iterrows():
        print(f"  {output:<22} median {row['median'] / 1e6:7.2f} M  90 % [{row['lower'] / 1e6:6.2f}, {row['upper'] / 1e6:6.2f}]")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
