"""Multi-homing: workers who hold accounts on several platforms.

Summing registrations (or visitors) over platforms counts a worker once per
platform. Dividing the sum by the multi-homing coefficient — the mean number of
platforms per worker — turns accounts into persons (Le Ludec, Tubaro & Casilli
2019; Kässi, Lehdonvirta & Stephany 2021).
"""

from __future__ import annotations

import math

from analysis.parameters import check


def correct(total_accounts: float, coefficient: float) -> float:
    """Persons behind ``total_accounts`` summed accounts: ``total_accounts / coefficient``."""
    if not math.isfinite(total_accounts) or total_accounts < 0:
        raise ValueError(f"total_accounts must be a finite count >= 0, got {total_accounts}")
    return total_accounts / check("multihoming_coefficient", coefficient)
