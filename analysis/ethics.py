"""A checklist for research on micro-task platforms, after Molina et al. (2023).

The themes follow Molina, Tubaro, Casilli & Santos-Ortega (2023), *Research ethics in the age of
digital platforms*: microworkers recruited for research are treated as workers, not as the human
participants they are — a "double morality". The questions are this compendium's, kept in
``params/research-ethics-checklist.yaml`` with, for each theme, where it comes from and whether
that source was read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from analysis import paths

CHECKLIST_FILE = paths.PARAMS / "research-ethics-checklist.yaml"
FIELDS = ("theme", "question", "why", "basis", "status")
STATUSES = ("verified", "second-hand", "compendium")


def checklist(path: Path = CHECKLIST_FILE) -> pd.DataFrame:
    """The checklist as a table indexed by theme, each item checked for its fields and status."""
    where = paths.shown(path)
    with open(path, encoding="utf-8") as handle:
        content = yaml.safe_load(handle) or {}
    items = content.get("items")
    if not isinstance(items, list) or not items:
        raise ValueError(f"{where}: 'items' must be a non-empty list")
    for number, item in enumerate(items, start=1):
        missing = [field for field in FIELDS if not (isinstance(item, dict) and str(item.get(field, "")).strip())]
        if missing:
            raise ValueError(f"{where}: item {number} lacks {missing}")
        if item["status"] not in STATUSES:
            raise ValueError(f"{where}: item {number} ('{item['theme']}'): status must be one of {list(STATUSES)}, "
                             f"got {item['status']!r}")
    table = pd.DataFrame(items, columns=list(FIELDS)).set_index("theme")
    if table.index.duplicated().any():
        raise ValueError(f"{where}: themes repeat: {sorted(set(table.index[table.index.duplicated()]))}")
    return table
