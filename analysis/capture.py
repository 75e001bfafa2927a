"""Closed-population capture-recapture: counting a hidden population seen through overlapping lists.

Two data forms:

* capture histories (:func:`histories`): one 0/1 column per list or occasion, optionally a
  frequency column; every one of the 2^t - 1 observable histories gets a count;
* frequencies of capture (:func:`frequencies`): f_k, the number of units seen on exactly k
  of t occasions.

Estimators:

* two lists: Lincoln-Petersen and Chapman (:func:`lincoln_petersen`, :func:`chapman`);
* Chao's lower bound from f1 and f2 (:func:`chao_lower_bound`);
* Poisson log-linear models (log link, fitted by IRLS as R's glm), the model class of the R package
  Rcapture (Baillargeon & Rivest 2007): :func:`closed_models` fits Rcapture's standard set
  (``closedp.t`` for histories, ``closedp.0`` for frequencies); :func:`loglinear` fits a
  custom model with list interactions (``"c1*c2 + c3"``); :func:`model_search` ranks
  hierarchical models by AIC or BIC; :func:`profile_interval` gives Rcapture's multinomial
  profile-likelihood interval for N.

Abundance follows Rcapture: N = n + exp(intercept), the observed units plus the fitted count
of the unobserved history 0…0 (models Mb and Mbh use their own closed forms). The estimates
are validated against Rcapture 1.3-1's printed examples in ``tests/test_capture.py``. A fit
that fails, does not converge, gives a non-finite or absurd estimate, or whose heterogeneity
term changes none of the observed counts is returned with ``fit_ok = False`` and a note saying
why: never a silent number.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from scipy.linalg import lapack

from analysis import checks

RESULT_COLUMNS = ["abundance", "stderr", "deviance", "df", "AIC", "BIC", "fit_ok", "note"]
HISTORY_MODELS = ["M0", "Mt", "Mh Chao (LB)", "Mh Poisson2", "Mh Darroch", "Mh Gamma3.5", "Mth Chao (LB)",
                  "Mth Poisson2", "Mth Darroch", "Mth Gamma3.5", "Mb", "Mbh"]
FREQUENCY_MODELS = ["M0", "Mh Chao (LB)", "Mh Poisson2", "Mh Darroch", "Mh Gamma3.5"]
MAX_ITERATIONS = 200
TOLERANCE = 1e-8  # R's glm.control epsilon: |Δdeviance| / (|deviance| + 0.1)
WARM_START_FLOOR = 3e-8  # Chao refits start from no fitted count below this (see _fit_design)
INERT_EFFECT = 1e-6  # a heterogeneity term that changes no log(mu) of an observed cell by more has no effect
ALIASING_TOLERANCE = 1e-7
WELL_CONDITIONED = 1e-10  # reciprocal condition number of the information above which Cholesky inverts it
DEFAULT_MAX_RATIO = 100.0
MAX_COUNT = 10**15  # units in one cell: whole numbers below 2**53 are exact as floats
MAX_LISTS = 15  # 2^15 - 1 histories: the standard models take about 30 s to fit (13 lists: 2 s)
MAX_OCCASIONS = 10_000  # frequency data: one row per occasion (MTurk: 140)

Heterogeneity = str | Callable[[np.ndarray], np.ndarray] | None


# --------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Histories:
    """Counts of every observable capture history, in Rcapture's order (1…1 first, 0…01 last)."""

    lists: tuple[str, ...]
    patterns: np.ndarray  # (2^t - 1, t) 0/1
    counts: np.ndarray  # (2^t - 1,)

    @property
    def t(self) -> int:
        return len(self.lists)

    @property
    def n(self) -> int:
        """Units observed at least once."""
        return int(self.counts.sum())

    def table(self) -> pd.DataFrame:
        """The histories as a table: one 0/1 column per list and a ``count`` column."""
        frame = pd.DataFrame(self.patterns, columns=list(self.lists))
        frame["count"] = self.counts
        return frame


@dataclass(frozen=True)
class Frequencies:
    """f_k: units seen on exactly k of t occasions (k = 1…t); ``t`` may be infinite."""

    counts: np.ndarray  # f_1 … f_t
    t: float

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @property
    def k(self) -> np.ndarray:
        return np.arange(1, len(self.counts) + 1)


def all_patterns(t: int) -> np.ndarray:
    """The 2^t - 1 observable histories in Rcapture's order (binary descending)."""
    codes = np.arange(2**t - 1, 0, -1)
    return ((codes[:, None] >> np.arange(t - 1, -1, -1)) & 1).astype(int)


def _whole_counts(values: pd.Series, what: str) -> np.ndarray:
    """Counts as int64: whole numbers from 0 to ``MAX_COUNT`` (exact as floats too; 2**63 or 1e30
    would wrap round to negative numbers)."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    bad = ~np.isfinite(numbers) | (numbers < 0) | (numbers % 1 != 0) | (numbers > MAX_COUNT)
    if bad.any():
        rows = ", ".join(str(i) for i in values.index[bad][:10])
        raise ValueError(f"{what} must be whole numbers from 0 to {MAX_COUNT:.0e} (bad rows: {rows})")
    return numbers.to_numpy(dtype=np.int64)


def histories(table: pd.DataFrame, *, freq: str | None = None) -> Histories:
    """Capture histories from a table of 0/1 columns (one per list), with an optional frequency column.

    Without ``freq`` each row is one unit. Rows with the same history are added up; histories
    never observed get a count of zero.
    """
    lists = [c for c in table.columns if c != freq]
    if freq is not None and freq not in table.columns:
        raise ValueError(f"frequency column '{freq}' not found (columns: {list(table.columns)})")
    if len(lists) < 2:
        raise ValueError(f"capture-recapture needs at least two lists, got {len(lists)}: {lists}")
    if len(lists) > MAX_LISTS:
        raise ValueError(f"at most {MAX_LISTS} lists (2^{MAX_LISTS} - 1 = {2**MAX_LISTS - 1:,} histories), got "
                         f"{len(lists)}: the standard models take about 30 s to fit on 15 lists and four times "
                         "as long with each list more; the histories of 30 lists would not fit in memory")
    values = table[lists].apply(pd.to_numeric, errors="coerce")
    not_binary = ~values.isin([0, 1])
    if not_binary.any().any():
        column = not_binary.any().idxmax()
        rows = ", ".join(str(i) for i in table.index[not_binary[column]][:10])
        raise ValueError(f"list column '{column}' must contain only 0 and 1 (bad rows: {rows})")
    weights = _whole_counts(table[freq], f"frequency column '{freq}'") if freq else np.ones(len(table), int)
    binary = values.to_numpy(dtype=int)
    empty = (binary.sum(axis=1) == 0) & (weights > 0)
    if empty.any():
        rows = ", ".join(str(i) for i in table.index[empty][:10])
        raise ValueError(f"rows {rows} are histories of all zeros: a unit seen on no list cannot be observed")
    t = len(lists)
    patterns = all_patterns(t)
    positions = (2**t - 1) - binary @ (1 << np.arange(t - 1, -1, -1))
    counts = np.zeros(2**t - 1, dtype=np.int64)
    seen = binary.sum(axis=1) > 0
    np.add.at(counts, positions[seen], weights[seen])
    if counts.sum() == 0:
        raise ValueError("no unit was observed")
    return Histories(tuple(str(c) for c in lists), patterns, counts)


def frequencies(table: pd.DataFrame, *, t: float, k: str = "k", f: str = "f_k") -> Frequencies:
    """Frequencies of capture from a table with columns ``k`` (times seen) and ``f`` (units).

    ``t`` is the number of occasions; ``math.inf`` for a continuous-time count (Poisson model).
    Values of k not in the table have f_k = 0.
    """
    for column in (k, f):
        if column not in table.columns:
            raise ValueError(f"column '{column}' not found (columns: {list(table.columns)})")
    if t != math.inf and checks.whole("t", t, minimum=2) > MAX_OCCASIONS:  # whole() refuses 1.5, '5', nan
        raise ValueError(f"t must be at most {MAX_OCCASIONS:,} occasions (or math.inf), got {t}")
    times = _whole_counts(table[k], f"column '{k}'")
    units = _whole_counts(table[f], f"column '{f}'")
    if (times < 1).any():
        raise ValueError(f"column '{k}' must be >= 1: units seen 0 times are not observed")
    if len(set(times)) != len(times):
        raise ValueError(f"column '{k}' repeats a value")
    last = int(times[units > 0].max()) if units.sum() else 0
    if last == 0:
        raise ValueError("no unit was observed")
    if t != math.inf and times.max() > t:
        raise ValueError(f"column '{k}' has values above t = {t:g}")
    size = last if t == math.inf else int(t)
    counts = np.zeros(size, dtype=np.int64)
    keep = times <= size
    counts[times[keep] - 1] = units[keep]
    return Frequencies(counts, float(t))


# --------------------------------------------------------------------------------------------
# Two lists and Chao's lower bound


def _check_two_lists(n1: object, n2: object, m: object) -> tuple[int, int, int]:
    """(n1, n2, m) as ints, checked: whole numbers >= 0, with 0 < m <= min(n1, n2)."""
    n1, n2, m = checks.whole("n1", n1), checks.whole("n2", n2), checks.whole("m", m)
    if m > min(n1, n2):
        raise ValueError(f"m ({m}) cannot exceed n1 ({n1}) or n2 ({n2}): recaptures are on both lists")
    if m == 0:
        raise ValueError("m = 0: the two lists share no unit, so their overlap says nothing about N")
    return n1, n2, m


def _interval(estimate: float, variance: float, observed: float, level: float) -> pd.Series:
    z = stats.norm.ppf(0.5 + checks.open_unit("level", level) / 2)
    stderr = math.sqrt(variance)
    return pd.Series({"abundance": estimate, "stderr": stderr, "lower": max(observed, estimate - z * stderr),
                      "upper": estimate + z * stderr})


def lincoln_petersen(n1: int, n2: int, m: int, level: float = 0.95) -> pd.Series:
    """Lincoln-Petersen N = n1·n2/m, variance n1·n2·(n1-m)(n2-m)/m³, Wald interval (lower ≥ n1+n2-m)."""
    n1, n2, m = _check_two_lists(n1, n2, m)
    return _interval(n1 * n2 / m, n1 * n2 * (n1 - m) * (n2 - m) / m**3, n1 + n2 - m, level)


def chapman(n1: int, n2: int, m: int, level: float = 0.95) -> pd.Series:
    """Chapman N = (n1+1)(n2+1)/(m+1) - 1 with the Seber (1970) / Wittes (1972) variance
    (n1+1)(n2+1)(n1-m)(n2-m) / ((m+1)²(m+2)); Wald interval with lower bound n1+n2-m."""
    n1, n2, m = _check_two_lists(n1, n2, m)
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    return _interval(estimate, variance, n1 + n2 - m, level)


def two_lists(data: Histories) -> tuple[int, int, int]:
    """(n1, n2, m) of two-list histories: units on list 1, on list 2, and on both."""
    if data.t != 2:
        raise ValueError(f"two_lists needs exactly two lists, got {data.t}")
    both, first_only, second_only = data.counts
    return int(both + first_only), int(both + second_only), int(both)


def chao_lower_bound(f1: int, f2: int, n: int, t: float = math.inf, level: float = 0.95) -> pd.Series:
    """Chao's (1987) lower bound N = n + A·f1²/(2·f2), A = (t-1)/t (1 when t is infinite).

    Variance f2·[A/2·r² + A²·r³ + A²/4·r⁴] with r = f1/f2; the interval is Chao's
    log-normal one, n + f0/C … n + f0·C, C = exp(z·sqrt(log(1 + var/f0²))).
    With f2 = 0 the bias-corrected form n + A·f1(f1-1)/2 is returned without a variance; with
    f1 = 0 nothing suggests an unseen unit: N = n, with a zero-width interval.
    """
    f1, f2, n = checks.whole("f1", f1), checks.whole("f2", f2), checks.whole("n", n)
    level = checks.open_unit("level", level)
    if f1 + f2 > n:
        raise ValueError(f"f1 + f2 ({f1 + f2}) cannot exceed the units observed n ({n})")
    if not (t == math.inf or t >= 2):
        raise ValueError(f"t must be >= 2 occasions or infinite, got {t}")
    factor = 1.0 if t == math.inf else (t - 1) / t
    if f2 == 0:
        unseen = factor * f1 * (f1 - 1) / 2
        return pd.Series({"abundance": n + unseen, "stderr": math.nan, "lower": math.nan, "upper": math.nan})
    if f1 == 0:
        return pd.Series({"abundance": float(n), "stderr": 0.0, "lower": float(n), "upper": float(n)})
    ratio = f1 / f2
    unseen = factor * f1**2 / (2 * f2)
    variance = f2 * (factor / 2 * ratio**2 + factor**2 * ratio**3 + factor**2 / 4 * ratio**4)
    spread = math.exp(stats.norm.ppf(0.5 + level / 2) * math.sqrt(math.log(1 + variance / unseen**2)))
    return pd.Series({"abundance": n + unseen, "stderr": math.sqrt(variance), "lower": n + unseen / spread,
                      "upper": n + unseen * spread})


# --------------------------------------------------------------------------------------------
# Log-linear designs


def heterogeneity_columns(k: np.ndarray, kind: Heterogeneity, t: int) -> tuple[np.ndarray, list[str]]:
    """Columns that model heterogeneous catchability as a function of k, the number of captures.

    Chao (LB): hinges max(k - j + 1, 0), j = 3…t; Poisson2: 2^k - 1; Darroch: k²/2;
    Gamma3.5: -log(3.5 + k) + log(3.5); a callable is applied to k.
    """
    k = np.asarray(k, dtype=float)
    if callable(kind):
        return np.asarray(kind(k), dtype=float)[:, None], ["tau"]
    if kind in ("Chao", "LB"):
        if t < 3:
            return np.zeros((len(k), 1)), ["eta"]
        return np.column_stack([np.maximum(k - j + 1, 0) for j in range(3, t + 1)]), \
            [f"eta{j}" for j in range(3, t + 1)]
    functions = {
        "Poisson2": lambda x: 2.0**x - 1,
        "Darroch": lambda x: x**2 / 2,
        "Gamma3.5": lambda x: -np.log(3.5 + x) + np.log(3.5),
    }
    if kind not in functions:
        raise ValueError(f"unknown heterogeneity {kind!r}: use 'Chao', 'Poisson2', 'Darroch', 'Gamma3.5' or a function")
    with np.errstate(over="ignore"):
        return functions[kind](k)[:, None], ["tau"]


@dataclass
class _Design:
    """A Poisson log-linear model ready to fit: counts, columns (no intercept), offset."""

    name: str
    y: np.ndarray
    columns: np.ndarray
    names: list[str]
    offset: np.ndarray
    n: int
    heterogeneity: int = 0  # the last columns that model heterogeneity: how many
    chao: bool = False  # they are Chao's eta hinges (negative ones are dropped)
    closed_form: str | None = None  # "Mb" or "Mbh": abundance has its own formula
    t: int = 0
    start: np.ndarray | None = None  # starting values (intercept first), if the default start is poor
    knots: tuple[int, ...] | None = None  # frequencies, Chao: where each hinge bends (j - 1); see _Hinges


def _split_model(model: str, heterogeneity: Heterogeneity) -> tuple[str, Heterogeneity]:
    """("Mh Chao (LB)", None) -> ("Mh", "Chao"); ("Mh", f) -> ("Mh", f)."""
    base, kind = (model.split(" ", 1) + [None])[:2]
    if kind is not None and heterogeneity is not None:
        raise ValueError(f"model {model!r} already names its heterogeneity")
    if base in ("Mh", "Mth") and kind is None and heterogeneity is None:
        raise ValueError(f"model {base} needs a heterogeneity (e.g. '{base} Darroch' or heterogeneity=f)")
    return base, heterogeneity if kind is None else kind.replace(" (LB)", "")


def _history_design(data: Histories, model: str, heterogeneity: Heterogeneity = None) -> _Design:
    patterns, k, t = data.patterns, data.patterns.sum(axis=1), data.t
    first = np.argmax(patterns, axis=1)  # occasions before the first capture
    base, kind = _split_model(model, heterogeneity)
    if base == "M0" or base == "Mh":
        columns, names = k[:, None].astype(float), ["beta"]
    elif base in ("Mt", "Mth"):
        columns, names = patterns.astype(float), [f"beta{j}" for j in range(1, t + 1)]
    elif base == "Mb":
        columns, names = np.column_stack([first, k - 1]).astype(float), ["beta1", "beta2"]
    elif base == "Mbh":
        columns, names = np.column_stack([1 - patterns[:, 0], first, k - 1]).astype(float), ["eta", "beta1", "beta2"]
    else:
        raise ValueError(f"unknown model {model!r}")
    design = _Design(model, data.counts.astype(float), columns, names, np.zeros(len(k)), data.n, t=t,
                     closed_form=base if base in ("Mb", "Mbh") else None)
    return _with_heterogeneity(design, k, kind, t)


def _with_heterogeneity(design: _Design, k: np.ndarray, kind: Heterogeneity, t: int) -> _Design:
    if kind is None:
        return design
    extra, names = heterogeneity_columns(k, kind, t)
    design.columns = np.column_stack([design.columns, extra])
    design.names = design.names + names
    design.heterogeneity, design.chao = extra.shape[1], kind in ("Chao", "LB")
    return design


def _frequency_design(data: Frequencies, model: str, t0: int | None, heterogeneity: Heterogeneity = None) -> _Design:
    size = len(data.counts) if data.t == math.inf else int(data.t)
    t0 = size if t0 is None else t0
    if not (2 <= t0 <= size):
        raise ValueError(f"t0 must be between 2 and {size}, got {t0}")
    k = np.arange(t0, 0, -1)
    y = np.array([data.counts[j - 1] if j <= len(data.counts) else 0 for j in k], dtype=float)
    offset = -special.gammaln(k + 1) if data.t == math.inf else np.log(special.comb(data.t, k))
    base, kind = _split_model(model, heterogeneity)
    if base not in ("M0", "Mh"):
        raise ValueError(f"model {model!r} needs capture histories; frequencies allow M0 and Mh models")
    design = _with_heterogeneity(_Design(model, y, k[:, None].astype(float), ["beta"], offset, data.n, t=t0),
                                 k, kind, t0)
    design.start = _binomial_start(data, design.columns.shape[1])
    if design.chao and t0 >= 3:  # k and hinges eta_j = max(k - j + 1, 0), bending at k = j - 1 (j = 3…t0)
        design.knots = tuple(range(2, t0))
    return design


def _binomial_start(data: Frequencies, columns: int) -> np.ndarray:
    """Starting values from the equal-catchability model: p = mean captures / t, N = n / (1 - (1-p)^t).

    With many occasions the default start of the iterations is far off and they do not converge.
    """
    mean_captures = (data.k * data.counts).sum() / data.n
    if data.t == math.inf:
        rate = mean_captures
        population = data.n / -math.expm1(-rate)
        intercept, slope = math.log(population) - rate, math.log(rate)
    else:
        p = min(mean_captures / data.t, 0.99)
        population = data.n / -math.expm1(data.t * math.log1p(-p))
        intercept, slope = math.log(population) + data.t * math.log1p(-p), math.log(p / (1 - p))
    return np.concatenate([[intercept, slope], np.zeros(columns - 1)])


# --------------------------------------------------------------------------------------------
# Fitting


@dataclass
class _Fit:
    params: np.ndarray  # one per column, intercept first; NaN where aliased
    fitted: np.ndarray
    deviance: float
    rank: int
    problem: str  # why the iterations failed; "" when they converged
    kept: list[int]
    x: np.ndarray  # the kept columns, each divided by its scale
    scale: np.ndarray  # a power of two per kept column
    weights: np.ndarray  # of the last least-squares step

    @functools.cached_property
    def cov(self) -> np.ndarray:
        """Inverse Fisher information of the kept columns at the last weights (R's ``cov.unscaled``),
        computed when first needed: by Cholesky (as R's chol2inv) where the information is well
        conditioned, else by a pseudo-inverse, which sets aside the directions it does not identify."""
        information = self.x.T @ (self.weights[:, None] * self.x)
        factor, info = lapack.dpotrf(information, lower=False)
        if info == 0 and lapack.dpocon(factor, np.abs(information).sum(axis=0).max())[0] > WELL_CONDITIONED:
            inverse = lapack.dpotrs(factor, np.eye(len(information)), lower=False)[0]
        else:
            inverse = np.linalg.pinv(information)
        return inverse / np.outer(self.scale, self.scale)


def _independent_columns(matrix: np.ndarray) -> list[int]:
    """Columns (intercept first) that are not linear combinations of earlier ones, as R's glm keeps them.

    Gram-Schmidt (twice, for stability): a column whose remainder after projecting on the
    kept ones is below 1e-7 of its norm is aliased. The remainders are the diagonal of R in
    matrix = QR, so one QR shows at once when no column is (with a margin of 2: near the
    tolerance, Gram-Schmidt decides). Memoised on the matrix's bytes: a design does not depend
    on the counts, and the same designs come back (the standard models, a model search's formulas).
    """
    return list(_independent_columns_of(matrix.shape, np.ascontiguousarray(matrix, dtype=float).tobytes()))


@functools.lru_cache(maxsize=512)
def _independent_columns_of(shape: tuple[int, int], values: bytes) -> tuple[int, ...]:
    """:func:`_independent_columns` of the matrix with these shape and bytes."""
    matrix = np.frombuffer(values).reshape(shape)
    norms = np.linalg.norm(matrix, axis=0)
    if matrix.shape[0] >= matrix.shape[1] and np.all(
            np.abs(np.diag(lapack.dgeqrf(matrix)[0])) > 2 * ALIASING_TOLERANCE * norms):
        return tuple(range(matrix.shape[1]))
    kept: list[int] = []
    basis = np.empty(matrix.shape)
    for j in range(matrix.shape[1]):
        column = matrix[:, j].astype(float)
        norm = np.linalg.norm(column)
        if norm == 0:
            continue
        done = basis[:, :len(kept)]
        remainder = column - done @ (done.T @ column)
        remainder -= done @ (done.T @ remainder)
        size = np.linalg.norm(remainder)
        if size < ALIASING_TOLERANCE * norm:
            continue
        basis[:, len(kept)] = remainder / size
        kept.append(j)
    return tuple(kept)


@functools.lru_cache(maxsize=64)
def _least_squares(shape: tuple[int, int]) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A solver of argmin |a·x - b| for matrices ``a`` of this shape, by QR with column pivoting
    (LAPACK dgelsy); where ``a`` is rank-deficient to within eps·max(m, n), as numpy's lstsq
    judges it, the solution of least norm."""
    m, n = shape
    cond = np.finfo(float).eps * max(m, n)
    work = int(lapack.dgelsy_lwork(m, n, 1, cond)[0])

    def solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # overwrites a
        solution, info = lapack.dgelsy(a, b, np.zeros(n, dtype=np.int32), cond, work, overwrite_a=True)[1::3]
        if info != 0:
            raise np.linalg.LinAlgError(f"least squares failed (LAPACK dgelsy info {info})")
        return solution[:n]
    return solve


def clear_design_caches() -> None:
    """Forget what was memoised about designs (independent columns, least-squares workspaces), so
    that the next fit pays what a first fit pays (the benchmarks time it so)."""
    _independent_columns_of.cache_clear()
    _least_squares.cache_clear()


class _Columns:
    """Weighted least squares on the (scaled, Fortran-ordered) columns themselves (LAPACK dgelsy)."""

    def __init__(self, x: np.ndarray):
        self.x, self._solve = x, _least_squares(x.shape)

    def fit(self, weights: np.ndarray, target: np.ndarray) -> np.ndarray:
        root = np.sqrt(weights)
        return self._solve(self.x * root[:, None], target * root)

    def predict(self, coefficients: np.ndarray) -> np.ndarray:
        return self.x @ coefficients

    def columns(self, coefficients: np.ndarray) -> np.ndarray:
        return coefficients


class _Hinges:
    """Weighted least squares for an intercept, k and Chao's hinges max(k - knot, 0), in another basis.

    Those columns span the continuous functions of k that are linear between the knots. The
    same space has a basis of "hat" functions, one per node (the smallest k, the knots, the
    largest k), each row touching at most two of them: the normal equations are tridiagonal and
    are solved in O(rows) (LAPACK dptsv), where the hinges, nearly collinear, need a QR of the
    whole matrix. The fit is the same; :meth:`columns` gives the coefficients of the columns
    (intercept, k, hinges; each times its ``scale``) from the values at the nodes.
    """

    def __init__(self, k: np.ndarray, knots: tuple[int, ...], scale: np.ndarray):
        self.nodes = np.unique(np.concatenate([[k.min(), k.max()], knots])).astype(float)
        self.hinges = np.searchsorted(self.nodes, knots)  # node of each hinge column, in column order
        self.left = np.minimum(np.searchsorted(self.nodes, k, side="right") - 1, len(self.nodes) - 2)
        self.right_share = (k - self.nodes[self.left]) / np.diff(self.nodes)[self.left]
        self.left_share = 1 - self.right_share
        self.scale = scale

    def _sums(self, values: np.ndarray) -> np.ndarray:
        size = len(self.nodes)
        return (np.bincount(self.left, values * self.left_share, size)
                + np.bincount(self.left + 1, values * self.right_share, size))

    def fit(self, weights: np.ndarray, target: np.ndarray) -> np.ndarray:
        size = len(self.nodes)
        diagonal = (np.bincount(self.left, weights * self.left_share**2, size)
                    + np.bincount(self.left + 1, weights * self.right_share**2, size))
        off = np.bincount(self.left, weights * self.left_share * self.right_share, size - 1)
        *_, values, info = lapack.dptsv(diagonal, off, self._sums(weights * target))
        if info != 0:
            raise np.linalg.LinAlgError(f"the tridiagonal normal equations are not positive definite (dptsv info {info})")
        return values

    def predict(self, values: np.ndarray) -> np.ndarray:
        return self.left_share * values[self.left] + self.right_share * values[self.left + 1]

    def columns(self, values: np.ndarray) -> np.ndarray:
        slopes = np.diff(values) / np.diff(self.nodes)
        bends = np.diff(slopes)  # at nodes 1 … last-1, the knots
        unscaled = np.concatenate([[values[0] - slopes[0] * self.nodes[0], slopes[0]], bends[self.hinges - 1]])
        return unscaled * self.scale


def _irls(y: np.ndarray, basis: _Columns | _Hinges, offset: np.ndarray,
          start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, str]:
    """Poisson log-linear maximum likelihood by iteratively reweighted least squares, as R's glm.fit.

    Starts by regressing log(mu) on the columns of ``basis`` with weights mu, for mu = y + 0.1
    as R does or the fitted values ``start``; halves a step
    while it raises the deviance or makes it infinite (a linear predictor above 700; R halves
    only the latter, and overshoots from fitted counts of e^100 and more); stops when
    |Δdeviance| / (|deviance| + 0.1) < 1e-8. Returns the coefficients (in the basis), the weights
    of the last least-squares step (R's covariance uses them) and why the iterations failed ("" if
    they did not).
    """
    constant = float((special.xlogy(y, y) - y).sum())
    shifted = bool(offset.any())

    def deviance(linear: np.ndarray) -> tuple[float, np.ndarray]:
        """The deviance (infinite once a linear predictor reaches 700) and the fitted values."""
        eta = linear + offset if shifted else linear
        if eta.max() >= 700:
            return math.inf, np.exp(np.minimum(np.maximum(eta, -700), 700))
        if eta.min() < -700:
            eta = np.maximum(eta, -700)
        mu = np.exp(eta)
        return 2 * (constant - float(y @ eta) + float(mu.sum())), mu

    mu = y + 0.1 if start is None else start
    beta = basis.fit(mu, np.log(mu) - offset if shifted else np.log(mu))
    linear = basis.predict(beta)
    old, mu = deviance(linear)
    for _ in range(MAX_ITERATIONS):
        weights = mu
        working = linear + (y - mu) / mu
        if not np.isfinite(working).all():
            return beta, weights, "the iterations reached non-finite values"
        proposal = basis.fit(weights, working)
        for _halving in range(30):
            linear_new = basis.predict(proposal)
            new, mu_new = deviance(linear_new)
            if (new - old) / (abs(new) + 0.1) < TOLERANCE:
                break
            proposal = (proposal + beta) / 2
        else:
            return beta, weights, "the iterations stalled: no step lowered the deviance"
        converged = abs(new - old) / (abs(new) + 0.1) < TOLERANCE
        beta, linear, mu, old = proposal, linear_new, mu_new, new
        if converged:
            return beta, weights, ""
    return beta, weights, f"did not converge in {MAX_ITERATIONS} iterations"


def _glm(y: np.ndarray, columns: np.ndarray, offset: np.ndarray, start: np.ndarray | None = None,
         fallback: np.ndarray | None = None, kept: list[int] | None = None,
         knots: tuple[int, ...] | None = None) -> _Fit:
    """Poisson GLM with log link and intercept; aliased columns are dropped (their coefficient is NaN).

    The iterations start from the fitted values ``start`` if given, else from R's default; if
    they fail, they are run again from R's default, then from the coefficients ``fallback``
    (intercept first). ``kept``, the columns known to be independent, skips the aliasing
    check. Each column is divided by a power of two near its largest value (exactly), so that
    a term such as 2^k - 1 does not swamp the others. With ``knots`` (the columns are k and Chao
    hinges bending there) the least squares are solved in a banded basis (:class:`_Hinges`). The
    covariance is the inverse Fisher information at the last iteration's weights, as R's
    ``summary.glm`` (``cov.unscaled``).
    """
    full = np.empty((len(y), columns.shape[1] + 1))
    full[:, 0], full[:, 1:] = 1.0, columns
    if not np.isfinite(full).all():
        raise ValueError("the design has non-finite values (a heterogeneity term overflows)")
    kept = _independent_columns(full) if kept is None else kept
    every = len(kept) == full.shape[1]
    x = full if every else full[:, kept]
    scale = 2.0 ** np.round(np.log2(np.abs(x).max(axis=0)))
    scaled = np.divide(x, scale, out=np.empty(x.shape, order="F"))
    basis = _Hinges(columns[:, 0], knots, scale) if knots is not None and every else _Columns(scaled)
    starts: list[Callable[[], np.ndarray | None]] = [lambda: None]
    if start is not None:
        starts.insert(0, lambda: start)
    if fallback is not None and not np.isnan(fallback[kept]).any():
        starts.append(lambda: np.exp(np.minimum(np.maximum(x @ fallback[kept] + offset, -700), 700)))
    with np.errstate(all="ignore"):
        for number, begin in enumerate(starts, 1):
            try:
                coefficients, weights, problem = _irls(y, basis, offset, begin())
                beta = basis.columns(coefficients)
            except np.linalg.LinAlgError:
                if number == len(starts):
                    raise
                continue
            if not problem:
                break
        mu = np.exp(np.minimum(np.maximum(scaled @ beta + offset, -700), 700))
    params = np.full(full.shape[1], np.nan)
    params[kept] = beta / scale
    # Each cell's term is >= 0; rounding makes a saturated model's terms ±1e-14, whose sum would
    # show as "-0.00" on one machine and "0.00" on another.
    deviance = float(2 * np.sum(np.maximum(special.xlogy(y, y) - special.xlogy(y, mu) - (y - mu), 0)))
    return _Fit(params, mu, deviance, len(kept), problem, kept, scaled, scale, weights)


def _fit_design(design: _Design, neg: bool = True) -> tuple[_Fit, _Design]:
    """Fit, then (Chao models) drop the first negative eta and refit until none is negative.

    Each refit starts from the previous fitted values, raised to WARM_START_FLOOR: cells the
    model drives towards zero restart near where the last fit left them, not from R's 0.1 (a
    crawl of some 16 iterations) nor from values so small that the weighted least squares lose
    the coefficients only those cells determine. When no column was aliased, none is after a
    drop. The final model is fitted once more from R's default start, so that the fit reported
    does not depend on the path that led to it.
    """
    fit = _glm(design.y, design.columns, design.offset, fallback=design.start, knots=design.knots)
    dropped = False
    while neg and design.chao and design.heterogeneity:
        etas = fit.params[-design.heterogeneity:]
        negative = np.flatnonzero(~np.isnan(etas) & (etas < 0))
        if len(negative) == 0:
            break
        drop = design.columns.shape[1] - design.heterogeneity + negative[0]
        design = replace(design, columns=np.delete(design.columns, drop, axis=1),
                         names=design.names[:drop] + design.names[drop + 1:], heterogeneity=design.heterogeneity - 1,
                         start=None if design.start is None else np.delete(design.start, 1 + drop),
                         knots=None if design.knots is None else design.knots[:negative[0]] + design.knots[negative[0] + 1:])
        kept = list(range(fit.rank - 1)) if fit.rank == len(fit.params) else None
        warm = np.maximum(fit.fitted, WARM_START_FLOOR)
        fit = _glm(design.y, design.columns, design.offset, warm, design.start, kept, design.knots)
        dropped = True
    if dropped:
        fit = _glm(design.y, design.columns, design.offset, fallback=design.start, kept=fit.kept, knots=design.knots)
    return fit, design


def _abundance(fit: _Fit, design: _Design) -> tuple[float, float]:
    """N and its standard error: n + exp(intercept), or the closed forms of Mb and Mbh (Rcapture)."""
    b = fit.params
    if design.closed_form is None:  # the intercept is always kept, first
        unseen = math.exp(b[0]) if b[0] < 700 else math.inf
        with np.errstate(all="ignore"):
            return design.n + unseen, math.sqrt(unseen + unseen**2 * fit.cov[0, 0])
    kept_cov = np.full((len(b), len(b)), np.nan)
    kept_cov[np.ix_(fit.kept, fit.kept)] = fit.cov
    with np.errstate(all="ignore"):
        t = design.t
        e = np.exp(b)
        if design.closed_form == "Mb":
            denominator = 1 + e[2] - e[1]
            abundance = e[0] * (1 + e[2]) ** t / denominator
            gradient = abundance * np.array([1, e[1] / denominator, t * e[2] / (1 + e[2]) - e[2] / denominator])
        else:
            denominator = 1 + e[3] - e[2]
            ratio = e[1] * e[2] / denominator
            abundance = e[0] * (1 + e[3]) ** (t - 1) * (1 + ratio)
            gradient = e[0] * (1 + e[3]) ** (t - 1) * np.array([
                1 + ratio, ratio, ratio + e[1] * e[2] ** 2 / denominator**2,
                (t - 1) * e[3] / (1 + e[3]) - e[1] * e[2] * e[3] / denominator**2])
        variance = gradient @ kept_cov @ gradient - abundance
        return float(abundance), math.sqrt(variance) if variance >= 0 else math.nan


def _heterogeneity_effect(fit: _Fit, design: _Design) -> float:
    """The largest change the heterogeneity term makes to log(mu) in a cell where units were seen
    (infinite when there is no such term, or it is aliased)."""
    if design.heterogeneity == 0 or np.isnan(fit.params[-design.heterogeneity:]).all():
        return math.inf
    etas = fit.params[-design.heterogeneity:]
    effect = design.columns[:, -design.heterogeneity:] @ np.where(np.isnan(etas), 0.0, etas)
    return float(np.abs(effect[design.y > 0]).max())


def _row(design: _Design, neg: bool, max_ratio: float) -> dict[str, object]:
    """One results row: abundance, stderr, deviance, df, AIC, BIC, fit_ok and note."""
    etas_before = design.heterogeneity if design.chao else 0
    try:
        fit, design = _fit_design(design, neg)
    except (np.linalg.LinAlgError, ValueError, OverflowError, FloatingPointError) as error:
        return {**dict.fromkeys(RESULT_COLUMNS[:6], math.nan), "fit_ok": False,
                "note": f"fit failed ({type(error).__name__}: {error})"}
    abundance, stderr = _abundance(fit, design)
    loglik = float(np.sum(special.xlogy(design.y, fit.fitted) - fit.fitted - special.gammaln(design.y + 1)))
    aic = -2 * loglik + 2 * fit.rank
    problems = []
    if fit.problem:
        problems.append(fit.problem)
    if not (math.isfinite(abundance) and math.isfinite(stderr)):
        problems.append("non-finite estimate or standard error")
    elif abundance < design.n:
        problems.append(f"estimate below the {design.n} units observed")
    elif abundance > max_ratio * design.n:
        problems.append(f"estimate over {max_ratio:g} times the units observed: the unobserved cell is not identified")
    effect = _heterogeneity_effect(fit, design)
    if effect < INERT_EFFECT:
        problems.append(f"the heterogeneity term has no effect on the observed counts (at most {effect:.1g} on the "
                        "log scale): this is the fit without it")
    notes = list(problems)
    etas_after = design.heterogeneity if design.chao else 0
    if etas_before > etas_after:
        notes.append(f"{etas_before - etas_after} of {etas_before} Chao eta parameters were negative and set to 0")
    return {"abundance": abundance, "stderr": stderr, "deviance": fit.deviance, "df": len(design.y) - fit.rank,
            "AIC": aic, "BIC": aic + (math.log(design.n) - 2) * fit.rank, "fit_ok": not problems,
            "note": "; ".join(notes)}


def _results(rows: dict[str, dict[str, object]]) -> pd.DataFrame:
    """The rows as a table, column by column (a tenth of the time of building it row by row)."""
    column = {name: [row[name] for row in rows.values()] for name in RESULT_COLUMNS}
    table = {name: np.array(column[name], dtype=float) for name in ("abundance", "stderr", "deviance", "AIC", "BIC")}
    table["df"] = pd.array(column["df"], dtype="Int64")
    table["fit_ok"], table["note"] = np.array(column["fit_ok"], dtype=bool), column["note"]
    return pd.DataFrame(table, index=pd.Index(list(rows), name="model"))[RESULT_COLUMNS]


def closed_models(data: Histories | Frequencies, *, t0: int | None = None, neg: bool = True,
                  max_ratio: float = DEFAULT_MAX_RATIO) -> pd.DataFrame:
    """Rcapture's standard closed-population models, one row each.

    Histories: ``closedp.t``'s set (M0, Mt, the four Mh and four Mth, Mb, Mbh; with two
    lists only M0, Mt and Mb). Frequencies: ``closedp.0``'s set (M0 and the four Mh), fitted
    to f_1…f_t0 (default t0 = t). ``neg`` removes negative Chao eta parameters as Rcapture
    does. Columns: abundance, stderr, deviance, df, AIC, BIC (AIC + (log n - 2)·rank), fit_ok, note.
    """
    checks.in_range("max_ratio", max_ratio, 1, math.inf, open_low=True)
    if isinstance(data, Histories):
        if t0 is not None:
            raise ValueError("t0 applies to frequency data only")
        if data.t == 2 and data.counts[0] == 0:
            raise ValueError("m = 0: the two lists share no unit, so their overlap says nothing about N")
        names = ["M0", "Mt", "Mb"] if data.t == 2 else HISTORY_MODELS
        designs = {name: _history_design(data, name) for name in names}
    elif isinstance(data, Frequencies):
        designs = {name: _frequency_design(data, name, t0) for name in FREQUENCY_MODELS}
    else:
        raise TypeError("data must come from capture.histories() or capture.frequencies()")
    return _results({name: _row(design, neg, max_ratio) for name, design in designs.items()})


# --------------------------------------------------------------------------------------------
# Custom log-linear models


def _interaction_terms(formula: str, lists: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Parse a model formula into terms (tuples of list names), main effects before interactions.

    Syntax as in R: ``a + b`` main effects, ``a:b`` an interaction, ``a*b`` = a + b + a:b,
    ``(a + b + c)^2`` all terms up to order 2, ``.`` all main effects.
    """
    terms: list[tuple[str, ...]] = []
    pieces = [p.strip() for p in re.split(r"\+(?![^(]*\))", formula.replace(" ", "")) if p.strip()]
    if not pieces:
        raise ValueError("empty model formula")
    for piece in pieces:
        power = re.fullmatch(r"\((.+)\)\^(\d+)", piece)
        if piece == ".":
            found = [(name,) for name in lists]
        elif power:
            names = [n for n in power.group(1).split("+") if n]
            order = int(power.group(2))
            found = [c for size in range(1, order + 1) for c in itertools.combinations(names, size)]
        elif "*" in piece:
            names = piece.split("*")
            found = [c for size in range(1, len(names) + 1) for c in itertools.combinations(names, size)]
        else:
            found = [tuple(piece.split(":"))]
        for term in found:
            unknown = [name for name in term if name not in lists]
            if unknown:
                raise ValueError(f"formula term {':'.join(term)!r} names unknown list(s) {unknown} (lists: {list(lists)})")
            ordered = tuple(sorted(set(term), key=lists.index))
            if ordered not in terms:
                terms.append(ordered)
    return sorted(terms, key=len)


def _custom_design(data: Histories, formula: str | None, design: np.ndarray | None,
                   heterogeneity: Heterogeneity, name: str) -> _Design:
    if (formula is None) == (design is None):
        raise ValueError("give either a formula or a design matrix")
    if formula is not None:
        terms = _interaction_terms(formula, data.lists)
        index = {name: j for j, name in enumerate(data.lists)}
        columns = np.column_stack([data.patterns[:, [index[n] for n in term]].prod(axis=1) for term in terms])
        names = [":".join(term) for term in terms]
    else:
        columns = np.asarray(design, dtype=float).reshape(len(data.counts), -1)
        names = [f"x{j + 1}" for j in range(columns.shape[1])]
    result = _Design(name, data.counts.astype(float), columns.astype(float), names, np.zeros(len(data.counts)),
                     data.n, t=data.t)
    kind = heterogeneity.replace(" (LB)", "") if isinstance(heterogeneity, str) else heterogeneity
    return _with_heterogeneity(result, data.patterns.sum(axis=1), kind, data.t)


def _design_for(data: Histories | Frequencies, model: str | None, formula: str | None, design: np.ndarray | None,
                heterogeneity: Heterogeneity, t0: int | None, name: str | None) -> _Design:
    """The design of a standard model (by name, heterogeneity optional), a formula or a design matrix."""
    if model is not None:
        if formula is not None or design is not None:
            raise ValueError("give a model name, a formula or a design matrix, not several")
        built = _history_design(data, model, heterogeneity) if isinstance(data, Histories) else \
            _frequency_design(data, model, t0, heterogeneity)
    elif not isinstance(data, Histories):
        raise ValueError("a formula or a design matrix needs capture histories")
    else:
        built = _custom_design(data, formula, design, heterogeneity, "")
    built.name = name or model or formula or "custom design"
    return built


def loglinear(data: Histories | Frequencies, formula: str | None = None, *, model: str | None = None,
              design: np.ndarray | None = None, heterogeneity: Heterogeneity = None, t0: int | None = None,
              name: str | None = None, neg: bool = True, max_ratio: float = DEFAULT_MAX_RATIO) -> pd.DataFrame:
    """One log-linear model, as a results row.

    Either a formula over the list names (``"c1*c2 + c3"``, ``"(A+B+C)^2"``, ``". + c1:c2"``),
    a design matrix (rows in Rcapture's history order), or a standard model name (``"Mh"``,
    ``"Mth Darroch"``…); any of them may add a heterogeneity term in the number of captures
    (``"Chao"``, ``"Poisson2"``, ``"Darroch"``, ``"Gamma3.5"`` or a function of k).
    """
    built = _design_for(data, model, formula, design, heterogeneity, t0, name)
    return _results({built.name: _row(built, neg, max_ratio)})


def hierarchical_formulas(data: Histories, max_models: int = 1024) -> tuple[list[str], str]:
    """Candidate models: all main effects plus any set of two-way interactions between lists
    that share at least one unit. Exhaustive when there are at most ``max_models``; the caller
    searches stepwise otherwise. Returns (formulas or pairs, "exhaustive" | "stepwise")."""
    pairs = [(a, b) for (i, a), (j, b) in itertools.combinations(enumerate(data.lists), 2)
             if data.counts[(data.patterns[:, i] == 1) & (data.patterns[:, j] == 1)].sum() > 0]
    main = " + ".join(data.lists)
    if 2 ** len(pairs) > max_models:
        return [f"{a}:{b}" for a, b in pairs], "stepwise"
    formulas = []
    for size in range(len(pairs) + 1):
        for chosen in itertools.combinations(pairs, size):
            formulas.append(" + ".join([main] + [f"{a}:{b}" for a, b in chosen]))
    return formulas, "exhaustive"


def model_search(data: Histories, *, criterion: str = "AIC", max_models: int = 1024,
                 max_ratio: float = DEFAULT_MAX_RATIO) -> pd.DataFrame:
    """Hierarchical log-linear models (main effects + two-way interactions), ranked by AIC or BIC,
    indexed by their interactions ("independence" for none), with the full ``formula`` in a column.

    Exhaustive over all sets of interactions between overlapping lists when there are at
    most ``max_models`` of them; otherwise forward stepwise from independence, adding the
    interaction that lowers the criterion most, until none does. Pairs of lists with no unit
    in common are left out: their interaction cannot be estimated. Up to 6 lists.
    """
    if criterion not in ("AIC", "BIC"):
        raise ValueError(f"criterion must be 'AIC' or 'BIC', got {criterion!r}")
    checks.whole("max_models", max_models, minimum=1)
    if not 2 <= data.t <= 6:
        raise ValueError(f"model_search handles 2 to 6 lists, got {data.t}")
    candidates, mode = hierarchical_formulas(data, max_models)

    def fit(formula: str) -> pd.Series:
        return loglinear(data, formula, max_ratio=max_ratio).iloc[0]  # its one row

    main = " + ".join(data.lists)
    if mode == "exhaustive":
        rows = {formula: fit(formula) for formula in candidates}
    else:
        current = " + ".join(data.lists)
        rows = {current: fit(current)}
        remaining = list(candidates)
        while remaining:
            trials = {f"{current} + {pair}": pair for pair in remaining}
            fits = {formula: fit(formula) for formula in trials}
            rows.update(fits)
            usable = {f: r for f, r in fits.items() if r["fit_ok"]}
            if not usable:
                break
            best = min(usable, key=lambda f: usable[f][criterion])
            if usable[best][criterion] >= rows[current][criterion]:
                break
            current = best
            remaining.remove(trials[best])
    table = pd.DataFrame.from_dict(rows, orient="index")[RESULT_COLUMNS]
    table["formula"] = table.index
    table.index = [formula.removeprefix(main).removeprefix(" + ") or "independence" for formula in table.index]
    table["search"] = mode
    return table.rename_axis("interactions").sort_values(["fit_ok", criterion], ascending=[False, True])


# --------------------------------------------------------------------------------------------
# Multinomial profile-likelihood interval


def _profile_loglik(design: _Design, population: float, neg: bool) -> float:
    """Multinomial profile log-likelihood of N (Rcapture's closedpCI, Cormack 1992 correction)."""
    unseen = population - design.n
    total = design.y.sum() + unseen  # units with more than t0 captures are outside the fitted cells
    augmented = replace(design, y=np.append(design.y, unseen), offset=np.append(design.offset, 0.0),
                        columns=np.vstack([design.columns, np.zeros(design.columns.shape[1])]), closed_form=None, start=None)
    fit, _ = _fit_design(augmented, neg)
    if total > 100:
        correction = -total + 0.5 * math.log(2 * math.pi * total) if unseen in (0, 1) else \
            unseen - total - 0.5 * math.log(unseen / total)
    else:
        correction = (special.xlogy(unseen, unseen) + special.gammaln(total + 1) - total * math.log(total)
                      - special.gammaln(unseen + 1))
    return (fit.deviance - 2 * correction) / -2


def profile_interval(data: Histories | Frequencies, model: str | None = None, *, formula: str | None = None,
                     design: np.ndarray | None = None, heterogeneity: Heterogeneity = None, t0: int | None = None,
                     level: float = 0.95, neg: bool = True, upper_factor: float = 3.0) -> pd.Series:
    """Multinomial profile-likelihood estimate and interval for N, as Rcapture's ``closedpCI``.

    The model is given as in :func:`loglinear`. The estimate maximises the profile likelihood
    over (n, 3·N_poisson); the bounds are where it falls by χ²₁(level)/2, searched in
    (n, max) and (max, upper_factor·N_poisson). A bound not reached within its search range
    is reported as the range's end, with ``lower_reached`` / ``upper_reached`` False.
    """
    level = checks.open_unit("level", level)
    built = _design_for(data, model, formula, design, heterogeneity, t0, None)
    if built.closed_form is not None:
        raise ValueError(f"no profile interval for {model}: its abundance is not n + exp(intercept)")
    fit, _ = _fit_design(built, neg)
    poisson_n = built.n + math.exp(fit.params[0])
    def loglik(population: float) -> float:
        return _profile_loglik(built, population, neg)

    best = optimize.minimize_scalar(lambda p: -loglik(p), bounds=(built.n, 3 * poisson_n), method="bounded",
                                    options={"xatol": 1e-4})
    threshold = -best.fun - stats.chi2.ppf(level, 1) / 2

    def gap(population: float) -> float:
        return loglik(population) - threshold

    lower_reached = bool(gap(built.n) < 0)
    lower = optimize.brentq(gap, built.n, best.x, xtol=1e-4) if lower_reached else float(built.n)
    upper_limit = upper_factor * poisson_n
    upper_reached = bool(gap(upper_limit) < 0)
    upper = optimize.brentq(gap, best.x, upper_limit, xtol=1e-4) if upper_reached else upper_limit
    return pd.Series({"abundance": float(best.x), "lower": lower, "upper": upper, "lower_reached": lower_reached,
                      "upper_reached": upper_reached})


# --------------------------------------------------------------------------------------------
# Presentation


def fitted_frequencies(data: Frequencies, model: str, t0: int | None = None) -> pd.DataFrame:
    """Observed f_k beside the f_k a standard model fits (k = 1…t0), to see where a model fails."""
    design = _frequency_design(data, model, t0)
    fit, _ = _fit_design(design)
    k = np.arange(design.t, 0, -1)
    return pd.DataFrame({"k": k, "observed": design.y, "fitted": fit.fitted}).sort_values("k").reset_index(drop=True)


def side_by_side(ours: pd.DataFrame, reference: pd.DataFrame, label: str = "reference",
                 columns: tuple[str, ...] = ("abundance", "stderr", "deviance", "df", "AIC")) -> pd.DataFrame:
    """Our results and a reference (e.g. Rcapture's printed table) for the same models, column by column."""
    reference = reference.reindex(ours.index)
    return pd.concat({"this compendium": ours[list(columns)], label: reference[list(columns)]}, axis=1)


def plot_frequencies(table: pd.DataFrame, title: str) -> plt.Figure:
    """Observed and fitted f_k on a log scale."""
    fig, ax = plt.subplots()
    shown = table[table["observed"] > 0]
    ax.scatter(shown["k"], shown["observed"], s=14, label="observed f_k", zorder=3)
    ax.plot(table["k"], table["fitted"], color="C1", label="fitted")
    ax.set_yscale("log")
    ax.set_ylim(0.5, 3 * table["observed"].max())
    ax.set_xlabel("k: number of occasions a unit was seen")
    ax.set_ylabel("units seen exactly k times (log scale)")
    ax.set_title(title)
    ax.legend()
    return fig


def plot_abundances(table: pd.DataFrame, observed: int, title: str, level: float = 0.95) -> plt.Figure:
    """Estimates with Wald intervals (estimate ± z·stderr) for the models that fit; observed units marked."""
    usable = table[table["fit_ok"]].sort_values("abundance")
    z = stats.norm.ppf(0.5 + level / 2)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(usable) + 1.5))
    ax.errorbar(usable["abundance"], range(len(usable)), xerr=z * usable["stderr"], fmt="o", capsize=3)
    ax.axvline(observed, color="0.3", linestyle="--", label=f"observed: {observed:,}")
    ax.set_yticks(range(len(usable)), usable.index)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.set_xlabel(f"estimated population size (± {level:.0%} Wald interval)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return fig
