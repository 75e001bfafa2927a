"""The dataset registry: every data file, its checksum, provenance and schema.

``data/registry.yaml`` lists each dataset the notebooks read: its file, sha256,
source, licence, and the columns with their types and allowed ranges; a file that is
not comma-separated names its ``separator`` (default ``","``).
:func:`load` verifies the checksum and the schema before returning a table, and
raises :class:`DataError` naming the file, the column and the rows when something
is wrong. Files are only ever read, never written.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis import paths

COLUMN_TYPES = ("string", "integer", "number", "category")
MAX_ROWS_SHOWN = 10


class DataError(Exception):
    """A data file does not match its registry entry (checksum, columns, types or ranges)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = True
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    name: str
    file: str
    sha256: str
    title: str
    source: str
    licence: str
    used_by: tuple[str, ...]
    columns: tuple[Column, ...]
    separator: str = ","
    made_by: str | None = None  # the script that wrote the file (e.g. reference values from R), if it is in data/

    @property
    def path(self) -> Path:
        return paths.ROOT / self.file


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _parse_column(dataset: str, name: str, spec: dict) -> Column:
    where = f"{paths.shown(paths.DATA_REGISTRY)}: dataset '{dataset}', column '{name}'"
    unknown = set(spec) - {"type", "required", "unique", "min", "max", "values"}
    if unknown:
        raise DataError(f"{where}: unknown key(s) {sorted(unknown)}")
    kind = spec.get("type")
    if kind not in COLUMN_TYPES:
        raise DataError(f"{where}: type must be one of {COLUMN_TYPES}, got {kind!r}")
    if kind == "category" and not spec.get("values"):
        raise DataError(f"{where}: a category column needs its allowed 'values'")
    return Column(
        name=name,
        type=kind,
        required=bool(spec.get("required", True)),
        unique=bool(spec.get("unique", False)),
        minimum=spec.get("min"),
        maximum=spec.get("max"),
        values=tuple(str(v) for v in spec.get("values", ())),
    )


# Parsed registries and checked tables are kept per file version (path, modification time, size):
# notebooks and tests look data up hundreds of times, and the files never change under them.
_CACHED_VERSIONS = 64
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: ten times faster


def _version(path: Path) -> tuple[str, int, int]:
    status = path.stat()
    return str(path), status.st_mtime_ns, status.st_size


def registry(registry_file: Path | None = None) -> dict[str, Dataset]:
    """All registered datasets, by name, as declared in ``registry_file`` (default ``data/registry.yaml``)."""
    return dict(_registry(*_version(registry_file or paths.DATA_REGISTRY)))


@functools.lru_cache(maxsize=_CACHED_VERSIONS)
def _registry(file: str, _mtime_ns: int, _size: int) -> dict[str, Dataset]:
    registry_file = Path(file)
    try:
        with open(registry_file, encoding="utf-8") as handle:
            entries = yaml.load(handle, Loader=_YAML_LOADER) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise DataError(f"{paths.shown(registry_file)}: not readable YAML{line} ({problem})") from None
    if not isinstance(entries, dict) or not all(isinstance(entry, dict) for entry in entries.values()):
        raise DataError(f"{paths.shown(registry_file)}: the registry maps dataset names to their entries")
    datasets = {}
    for name, entry in entries.items():
        missing = {"file", "sha256", "title", "source", "licence", "used_by", "columns"} - set(entry)
        if missing:
            raise DataError(f"{paths.shown(registry_file)}: dataset '{name}' lacks {sorted(missing)}")
        datasets[name] = Dataset(
            name=name,
            file=entry["file"],
            sha256=entry["sha256"],
            title=entry["title"],
            source=entry["source"],
            licence=entry["licence"],
            used_by=tuple(entry["used_by"]),
            columns=tuple(_parse_column(name, col, spec) for col, spec in entry["columns"].items()),
            separator=entry.get("separator", ","),
            made_by=entry.get("made_by"),
        )
    return datasets


def dataset(name: str) -> Dataset:
    datasets = registry()
    if name not in datasets:
        raise DataError(f"unknown dataset '{name}' (registered: {', '.join(sorted(datasets))})")
    return datasets[name]


def listed(word: str, items: list[str]) -> str:
    """'lines 3, 7' / 'line 3' / '… and 4 more': the first few offending places, for an error message."""
    more = len(items) - MAX_ROWS_SHOWN
    shown = ", ".join(items[:MAX_ROWS_SHOWN]) + (f" and {more} more" if more > 0 else "")
    return f"{word}{'s' if len(items) > 1 else ''} {shown}"


def csv_lines(mask: pd.Series) -> str:
    """CSV line numbers (header is line 1) of the rows where ``mask`` is true."""
    return listed("line", [str(i + 2) for i in mask[mask].index])


def _typed_column(raw: pd.Series, column: Column, where: str) -> pd.Series:
    """Convert one column of strings to its declared type, checking every rule."""
    empty = raw.isna()
    if column.required and empty.any():
        raise DataError(f"{where}: column '{column.name}' is empty on {csv_lines(empty)}")
    if column.type in ("number", "integer"):
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & ~empty
        if bad.any():
            raise DataError(f"{where}: column '{column.name}' is not a number on {csv_lines(bad)}")
        if column.type == "integer":
            fractional = values.notna() & (values % 1 != 0)
            if fractional.any():
                raise DataError(f"{where}: column '{column.name}' is not a whole number on {csv_lines(fractional)}")
            values = values.astype("Int64")
        if column.minimum is not None and (low := values < column.minimum).any():
            raise DataError(f"{where}: column '{column.name}' is below {column.minimum} on {csv_lines(low.fillna(False))}")
        if column.maximum is not None and (high := values > column.maximum).any():
            raise DataError(f"{where}: column '{column.name}' is above {column.maximum} on {csv_lines(high.fillna(False))}")
    else:
        values = raw
        if column.type == "category":
            unknown = ~empty & ~raw.isin(column.values)
            if unknown.any():
                raise DataError(
                    f"{where}: column '{column.name}' has values outside {list(column.values)} on {csv_lines(unknown)}"
                )
    if column.unique:
        repeated = values.duplicated(keep=False) & ~empty
        if repeated.any():
            raise DataError(f"{where}: column '{column.name}' repeats values on {csv_lines(repeated)}")
    return values


def read_checked(entry: Dataset, path: Path | None = None) -> pd.DataFrame:
    """Read ``path`` (default: the registered file) and check it against ``entry``."""
    path = entry.path if path is None else path
    where = paths.shown(path)
    if not path.is_file():
        raise DataError(f"{where}: file not found (registered as dataset '{entry.name}')")
    actual = file_sha256(path)
    if actual != entry.sha256:
        raise DataError(
            f"{where}: checksum mismatch (registry {entry.sha256[:12]}…, file {actual[:12]}…); "
            "raw data must not change — if this file was updated on purpose, update data/registry.yaml"
        )
    try:
        raw = pd.read_csv(path, sep=entry.separator, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataError(f"{where}: not a readable CSV file ({' '.join(str(error).split())})") from None
    raw = raw.replace("", pd.NA)
    expected = [column.name for column in entry.columns]
    missing = [name for name in expected if name not in raw.columns]
    if missing:
        raise DataError(f"{where}: missing column(s) {missing} (expected {expected})")
    extra = [name for name in raw.columns if name not in expected]
    if extra:
        raise DataError(f"{where}: unexpected column(s) {extra} (expected {expected})")
    return pd.DataFrame({column.name: _typed_column(raw[column.name], column, where) for column in entry.columns})


def load(name: str) -> pd.DataFrame:
    """The registered dataset ``name`` as a typed table, after checksum and schema checks.

    A file is read and checked once per version (path, modification time, size); each call
    returns its own copy, so a caller may change it freely.
    """
    entry = dataset(name)
    if not entry.path.is_file():
        return read_checked(entry)  # raises, naming the file
    return _checked(entry, *_version(entry.path)).copy()


@functools.lru_cache(maxsize=_CACHED_VERSIONS)
def _checked(entry: Dataset, _file: str, _mtime_ns: int, _size: int) -> pd.DataFrame:
    return read_checked(entry)


def unregistered_files() -> list[str]:
    """Data files anywhere under ``data/`` that no registry entry names.

    Documentation is not data and is not listed: the registry and index themselves
    (``data/registry.yaml``, ``data/README.md``), each folder's ``PROVENANCE.md`` and a
    producer's codebook shipped with the data (a file whose name contains ``codebook``). The
    script an entry names as ``made_by`` is registered with it.
    """
    registered = {entry.file for entry in registry().values()}
    registered |= {entry.made_by for entry in registry().values() if entry.made_by}
    index_files = {paths.DATA_REGISTRY.name, "README.md"}
    found = []
    for path in sorted(paths.DATA.rglob("*")):
        relative = path.relative_to(paths.ROOT).as_posix()
        top_level_index = path.parent == paths.DATA and path.name in index_files
        documentation = path.name == "PROVENANCE.md" or "codebook" in path.name or top_level_index
        if path.is_file() and not documentation and relative not in registered:
            found.append(relative)
    return found


def check_all() -> list[str]:
    """Verify every registered dataset and the provenance rules; return the problems found."""
    problems = []
    for entry in registry().values():
        try:
            read_checked(entry)
        except DataError as error:
            problems.append(str(error))
        if not (entry.path.parent / "PROVENANCE.md").is_file():
            problems.append(f"{entry.file}: no PROVENANCE.md beside it")
        if entry.made_by and not (paths.ROOT / entry.made_by).is_file():
            problems.append(f"{entry.file}: the script that made it, {entry.made_by}, is missing")
    problems += [f"{file}: data file not in data/registry.yaml" for file in unregistered_files()]
    return problems
