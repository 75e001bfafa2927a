"""Out-of-range, non-finite and oversized arguments to the public functions: a ValueError naming the argument
and the limit, never NaN, inf, a wrapped-round integer or gigabytes of memory (issue: hostile input)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import capture, circles, funnel, uncertainty

THREE_LISTS = capture.histories(pd.DataFrame({"a": [1, 0, 1], "b": [0, 1, 1], "c": [1, 1, 0]}))


def two_lists(count: object) -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 0], "b": [0, 1], "n": pd.Series([count, 3], dtype=object)})


@pytest.mark.parametrize("call, message", [
    # 2**63 and 1e30 became -9223372036854775808, and closed_models fitted NaNs
    (lambda: capture.histories(two_lists(2**63), freq="n"), r"frequency column 'n' must be whole numbers from 0 to 1e\+15"),
    (lambda: capture.histories(two_lists(1e30), freq="n"), r"frequency column 'n' must be whole numbers from 0 to 1e\+15"),
    (lambda: capture.histories(two_lists(float("inf")), freq="n"), "frequency column 'n' must be whole numbers"),
    # sizes that asked for gigabytes (t = 1e9: 8 GiB; 30 lists: 2^30 histories)
    (lambda: capture.frequencies(pd.DataFrame({"k": [1, 2], "f_k": [3, 4]}), t=1e9),
     "t must be at most 10,000 occasions"),
    (lambda: capture.histories(pd.DataFrame({f"l{i}": [1] for i in range(30)})), r"at most 15 lists \(2\^15 - 1"),
    (lambda: uncertainty.propagate(lambda **k: k, {"x": None}, draws=10**9), "draws must be at most 10,000,000"),
    (lambda: circles.coefficient_grid(1, 1e6, 0.001), "'coefficient_grid_max' = 1e\\+06 is out of range: must be <= 20"),
    # values that gave NaN, inf, a TypeError or a silent change of method
    (lambda: capture.frequencies(pd.DataFrame({"k": [1, 2], "f_k": [3, 4]}), t="5"), "t must be a whole number >= 2"),
    (lambda: capture.lincoln_petersen(100, 100, 10, level=1.5), r"level must be a number in \(0, 1\), got 1.5"),
    (lambda: capture.lincoln_petersen(100, 100, 10, level=1.0), r"level must be a number in \(0, 1\), got 1.0"),
    (lambda: capture.chapman(100, 100, 10, level=0), r"level must be a number in \(0, 1\), got 0"),
    (lambda: capture.closed_models(THREE_LISTS, max_ratio=float("nan")), r"max_ratio must be a number in \(1, inf"),
    (lambda: capture.model_search(THREE_LISTS, max_models=0), "max_models must be a whole number >= 1, got 0"),
    (lambda: funnel.implied_shares(float("nan"), 1, 1, 1.2), "registered must be a finite number, got nan"),
    (lambda: funnel.implied_shares(100, 1000, 1, 1.2), "share_ever_worked would be 12: more persons than registered"),
    (lambda: funnel.implied_shares(100, 10, 1, 0), "'multihoming_coefficient' = 0 is out of range: must be >= 1"),
    (lambda: funnel.allocate(float("nan"), pd.Series({"a": 1.0})), "total must be a finite number, got nan"),
    (lambda: funnel.allocate(10, pd.Series({"a": float("nan")}), complete=False),
     r"shares must be numbers; missing for: \['a'\]"),
])
def test_is_a_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
