"""Published figures that the notebooks check their results against.

They live in ``data/published/published_figures.csv``, one row per figure with the
paper, version, where in the paper it appears, and whether it was read in the paper
itself (``verified``) or only quoted by a secondary source (``second-hand``).
A figure is a single value, or a range (``low`` to ``high``, e.g. "10,000-13,000")
with no single value. Notebooks never type a published number: they look it up here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import data

DATASET = "published-figures"


@dataclass(frozen=True)
class PublishedFigure:
    key: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    quantity: str
    paper: str
    version: str
    location: str
    status: str
    source_url: str
    note: str

    @property
    def span(self) -> tuple[float, float]:
        """The figure as an interval: ``(value, value)`` for a single value, else ``(low, high)``."""
        return (self.value, self.value) if self.value is not None else (self.low, self.high)

    @property
    def citation(self) -> str:
        """Short citation for the results table: paper, version, location and status."""
        return f"{self.paper}, {self.version}, {self.location} ({self.status})"


def _optional(value: object) -> float | None:
    return None if pd.isna(value) else float(value)


def table() -> pd.DataFrame:
    """All published figures, checked against the registry: each is a single value or a range."""
    figures = data.load(DATASET)
    single, low, high = figures["value"].notna(), figures["low"].notna(), figures["high"].notna()
    where = data.dataset(DATASET).file
    malformed = (single & (low | high)) | (~single & ~(low & high))
    if malformed.any():
        raise data.DataError(f"{where}: a figure has either a 'value' or both 'low' and 'high', "
                             f"not both, on {data.csv_lines(malformed)}")
    reversed_range = low & high & (figures["low"] >= figures["high"])
    if reversed_range.any():
        raise data.DataError(f"{where}: 'low' must be below 'high' on {data.csv_lines(reversed_range.fillna(False))}")
    return figures


def figure(key: str) -> PublishedFigure:
    """The published figure ``key`` (e.g. ``'france.casual'``)."""
    figures = table().set_index("key")
    if key not in figures.index:
        raise KeyError(f"no published figure '{key}' in {data.dataset(DATASET).file}")
    row = figures.loc[key]
    return PublishedFigure(
        key=key,
        value=_optional(row["value"]),
        low=_optional(row["low"]),
        high=_optional(row["high"]),
        unit=row["unit"],
        quantity=row["quantity"],
        paper=row["paper"],
        version=row["version"],
        location=row["location"],
        status=row["status"],
        source_url=row["source_url"],
        note="" if pd.isna(row["note"]) else row["note"],
    )


def figures(keys: list[str]) -> pd.DataFrame:
    """The published figures ``keys`` as a table for display, in the order given."""
    return pd.DataFrame([vars(figure(key)) for key in keys]).set_index("key")
