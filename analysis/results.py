"""Headline numbers, recorded by the notebooks into ``results/estimates.csv``.

Each row is one number with the kind of check it carries (``CHECKS``): the
published value it is compared with comes from ``data/published`` (never typed in
a notebook), and whether the two agree is decided by one rule, :func:`agreement`.
A published value a notebook uses as an input is recorded as ``input`` and claims
no agreement. The README's results table is generated from this file. Rows are
kept sorted, so re-running a notebook rewrites the file byte for byte; a lock makes
parallel notebooks safe. Numbers are stored to ``STORED_DIGITS`` significant digits: floating-point
noise between machines (BLAS kernels, memory alignment: at most 2e-13 relative seen) never reaches
the file, while every check's tolerance is far coarser than the rounding.
"""

from __future__ import annotations

import csv
import fcntl
import io
import math
import os
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from analysis import notebook, paths, published

# The kind of check each recorded number carries: (words in the results table, what it shows).
CHECKS = {
    "reproduced": ("reproduced", "computed here from open inputs that do not contain the published value"),
    "consistency": ("consistency check", "inputs back-calculated from, or set to, published figures: agreement "
                    "is (close to) built in and tests the arithmetic chain only"),
    "software": ("software check", "the same data as the published estimate (the data owner's table or a "
                 "reference program's output): tests this implementation, not the finding"),
    "input": ("published input, not a result", "a published value used as an input of the notebook; "
              "no agreement is claimed"),
    "none": ("no published counterpart", "computed here; nothing published to compare with"),
}
COMPARED = ("reproduced", "consistency", "software")  # the kinds that state an agreement

STORED_DIGITS = 8  # significant digits in estimates.csv (agreement is decided before rounding)
COLUMNS = ("notebook", "key", "value", "low", "high", "check", "published", "published_low", "published_high",
           "tolerance", "source", "agrees")


def _format(number: float | None) -> str:
    """A number as stored: ``STORED_DIGITS`` significant digits, whole numbers without a point."""
    if number is None:
        return ""
    number = float(f"{float(number):.{STORED_DIGITS}g}")
    return str(int(number)) if number.is_integer() else repr(number)


def read_rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """The rows of a results file as stored (text), keyed by (notebook, key); none if it does not exist."""
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {(row["notebook"], row["key"]): row for row in csv.DictReader(handle)}


@contextmanager
def _locked_rows(path: Path):
    """Yield the rows of ``path`` (a dict keyed by (notebook, key)) and write them back sorted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        rows = read_rows(path)
        yield rows
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[key] for key in sorted(rows))
        # replaced whole: notebooks running side by side read it without the lock (results.comparison); a file
        # rewritten in place was empty for a moment, and one of them failed with EmptyDataError
        paths.write_atomically(path, text.getvalue().encode("utf-8"))
    finally:
        os.close(folder)  # closing the descriptor releases the lock


def agreement(span: tuple[float, float], published_span: tuple[float, float], tolerance: float) -> bool:
    """Whether a computed span, widened by ``tolerance``, overlaps the published span.

    A single value is the span ``(v, v)``. So a number agrees with a published number
    when ``|v - p| <= tolerance``; with a published range when it lies in the range
    (± tolerance); and a computed interval agrees when it overlaps the published value or range.
    """
    low, high = span
    published_low, published_high = published_span
    return low - tolerance <= published_high and published_low <= high + tolerance


def record(
    key: str,
    value: float,
    *,
    check: str,
    published_key: str | None = None,
    tolerance: float = 0,
    interval: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Record a number of the current notebook with the kind of check it carries; return its row.

    ``check`` is one of ``CHECKS``. Except for ``none``, the number is compared with the
    published figure ``published_key`` (default: ``key``) of ``data/published``; ``input``
    requires the value to *be* that figure and claims no agreement. ``interval`` is a
    computed interval (e.g. a confidence or assumption range) reported beside the value and
    used for the agreement; ``tolerance`` states how close counts as agreement (e.g. 0.5 when
    the paper reports whole persons).
    """
    where = f"record('{key}')"
    if check not in CHECKS:
        raise ValueError(f"{where}: check must be one of {', '.join(CHECKS)}, got {check!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{where}: value must be a finite number, got {value}")
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"{where}: tolerance must be a finite number >= 0, got {tolerance}")
    if interval is not None:
        interval = (float(interval[0]), float(interval[1]))
        if not (all(map(math.isfinite, interval)) and interval[0] <= value <= interval[1]):
            raise ValueError(f"{where}: interval must be finite and contain the value {value:g}, got {interval}")
    if check == "none" and published_key is not None:
        raise ValueError(f"{where}: check 'none' means no published counterpart, but published_key was given")
    figure = None if check == "none" else published.figure(published_key or key)
    if check == "input" and figure.span != (value, value):
        raise ValueError(f"{where}: an 'input' must equal the published figure '{figure.key}' "
                         f"({_format(figure.value)}), got {_format(value)}")
    agrees = ""
    if check in COMPARED:
        agrees = str(agreement(interval or (value, value), figure.span, tolerance)).lower()
    row = {
        "notebook": notebook.current(),
        "key": key,
        "value": _format(value),
        "low": _format(interval[0]) if interval else "",
        "high": _format(interval[1]) if interval else "",
        "check": check,
        "published": _format(figure.value) if figure else "",
        "published_low": _format(figure.low) if figure else "",
        "published_high": _format(figure.high) if figure else "",
        "tolerance": _format(tolerance) if check in COMPARED else "",
        "source": figure.citation if figure else "",
        "agrees": agrees,
    }
    with _locked_rows(paths.estimates_file()) as rows:
        rows[(row["notebook"], key)] = row
    return comparison(row["notebook"]).loc[[key]]


def forget(notebook_name: str) -> None:
    """Remove a notebook's rows before it runs again, so no stale number survives."""
    with _locked_rows(paths.estimates_file()) as rows:
        for row_key in [k for k in rows if k[0] == notebook_name]:
            del rows[row_key]


def estimates() -> pd.DataFrame:
    """All recorded results."""
    path = paths.estimates_file()
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def comparison(notebook_name: str) -> pd.DataFrame:
    """A notebook's results beside the published values, with the kind of check and the agreement."""
    table = estimates()
    table = table[table["notebook"] == notebook_name].set_index("key")
    rows = {}
    for key, row in table.iterrows():
        rows[key] = {
            "computed": float(row["value"]),
            "interval": _shown_span(row["low"], row["high"]) if row["low"] else "",
            "published": _shown_published(row),
            "check": row["check"],
            "agrees": _agrees_in_words(row),
            "source": row["source"],
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=["computed", "interval", "published", "check",
                                                                 "agrees", "source"])


README_START = "<!-- results-table:start (generated by `make reproduce` from results/estimates.csv; do not edit) -->"
README_END = "<!-- results-table:end -->"


def _shown_number(text: str) -> str:
    number = float(text)
    return f"{number:,.0f}" if abs(number) >= 100 else f"{number:.4g}"


def _shown_span(low: str, high: str) -> str:
    return f"{_shown_number(low)}–{_shown_number(high)}"


def _shown_published(row: pd.Series) -> str:
    if row["published"]:
        return _shown_number(row["published"])
    if row["published_low"]:
        return _shown_span(row["published_low"], row["published_high"])
    return "—"


def _agrees_in_words(row: pd.Series) -> str:
    if row["check"] not in COMPARED:
        return "—"
    return f"{'yes' if row['agrees'] == 'true' else '**no**'} ({row['check']})"


def markdown_table() -> str:
    """The results table of the README, from ``results/estimates.csv``, after a legend of the kinds of check."""
    lines = [f"- **{words}**: {meaning}." for words, meaning in CHECKS.values()]
    lines += [
        "",
        "| Notebook | Result | Computed | Published | Kind of check | Agrees | Source of the published value |",
        "|---|---|---:|---:|---|---|---|",
    ]
    for _, row in estimates().iterrows():
        computed = _shown_number(row["value"])
        if row["low"]:
            computed += f" ({_shown_span(row['low'], row['high'])})"
        lines.append(
            f"| `{row['notebook']}` | `{row['key']}` | {computed} | {_shown_published(row)} | "
            f"{CHECKS[row['check']][0]} | {_agrees_in_words(row)} | {row['source'] or '—'} |"
        )
    return "\n".join(lines)


def update_readme(readme: Path) -> None:
    """Replace the README's results table (between its two markers) with a fresh one."""
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise ValueError(f"{readme.name}: results-table markers not found")
    before, rest = text.split(README_START, 1)
    _, after = rest.split(README_END, 1)
    readme.write_text(f"{before}{README_START}\n{markdown_table()}\n{README_END}{after}", encoding="utf-8")
