"""Published figures that the notebooks check their results against.

They live in ``data/published/published_figures.csv``, one row per figure with the
paper, version, where in the paper it appears, and whether it was read in the paper
itself (``verified``) or only quoted by a secondary source (``second-hand``).
Notebooks never type a published number: they look it up here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import data

DATASET = "published-figures"


@dataclass(frozen=True)
class PublishedFigure:
    key: str
    value: float
    unit: str
    quantity: str
    paper: str
    version: str
    location: str
    status: str
    source_url: str
    note: str

    @property
    def citation(self) -> str:
        """Short citation for the results table: paper, version, location and status."""
        return f"{self.paper}, {self.version}, {self.location} ({self.status})"


def table() -> pd.DataFrame:
    """All published figures, checked against the registry."""
    return data.load(DATASET)


def figure(key: str) -> PublishedFigure:
    """The published figure ``key`` (e.g. ``'france.casual'``)."""
    figures = table().set_index("key")
    if key not in figures.index:
        raise KeyError(f"no published figure '{key}' in {data.dataset(DATASET).file}")
    row = figures.loc[key]
    return PublishedFigure(
        key=key,
        value=float(row["value"]),
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
