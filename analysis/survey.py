"""Survey kit: fielding the DiPLab micro-worker questionnaire on a second platform and comparing.

The DiPLab survey of micro-workers in France (Foule Factory, about 1,000 respondents;
Casilli, Tubaro, Le Ludec et al. 2019) describes who micro-works: shares of women, of
university graduates, of people with another job. A replication on another platform or
in another language asks whether those shares differ. (The TRIA project in Spanish-speaking
countries has its own original data, Tubaro 2022; it is not known here whether it used the
DiPLab questionnaire.) This module gives the pieces of that comparison:

- before fielding: how many respondents are needed to detect a given difference, also
  when the first sample is already fixed (:func:`sample_size_two_proportions`,
  :func:`sample_size_given_first`, :func:`detectable_difference`; normal approximation
  on Cohen's arcsine effect size h, via statsmodels);
- shares with exact or score confidence intervals (:func:`proportion_interval`);
- tests of shared yes/no questions with a Holm correction for their number
  (:func:`compare_proportions`), and of whole answer distributions, which refuse to
  compare questions whose answer categories differ (:func:`compare_distributions`);
- raking weights to known margins, and what they cost in precision (:func:`rake`,
  :func:`design_effect`, :func:`effective_sample_size`);
- a trend in a share across survey waves, with naive, quasi-binomial and Newey-West (HAC)
  standard errors, the last for waves answered by the same people (:func:`binomial_trend`).

Every test here treats respondents as independent draws from the platform's workers.
Online surveys are convenience samples of whoever answers: the tests say whether two
samples differ by more than chance, not whether the platforms' workforces do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize, proportions_ztest

from analysis import checks

INTERVAL_METHODS = ("wilson", "beta")  # Wilson score, Clopper-Pearson exact
ALTERNATIVES = ("two-sided", "larger", "smaller")
COMPARISON_COLUMNS = ["variable", "count1", "n1", "count2", "n2"]
TREND_COLUMNS = ["time", "successes", "total"]
SHARE_TOLERANCE = 1e-9  # margins summing to 1 within this are shares


def _power_alpha(power: object, alpha: object) -> tuple[float, float]:
    power, alpha = checks.open_unit("power", power), checks.open_unit("alpha", alpha)
    if power <= alpha:
        raise ValueError(f"power = {power:g} must exceed alpha = {alpha:g} (a test with no data already "
                         "rejects with probability alpha)")
    return power, alpha


def _counts(name: str, values: object, labels: pd.Index) -> np.ndarray:
    """``values`` as a float array of whole numbers >= 0; errors name the offending labels."""
    try:
        array = np.asarray(values, dtype=float).reshape(len(labels))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {values!r}") from None
    bad = ~np.isfinite(array) | (array < 0) | (array != np.floor(array))
    if bad.any():
        raise ValueError(f"{name} must be whole numbers >= 0; not at {list(labels[bad])}: {list(array[bad])}")
    return array


def _ceil(value: float) -> int:
    """Smallest whole number >= ``value``, ignoring the last digits of a root found to ~1e-9."""
    return math.ceil(round(value, 6))


def proportion_interval(
    successes: float | np.ndarray | pd.Series,
    total: float | np.ndarray | pd.Series,
    level: float = 0.95,
    method: str = "wilson",
) -> pd.Series | pd.DataFrame:
    """Share successes / total with a ``level`` confidence interval (statsmodels ``proportion_confint``).

    ``method`` "wilson": score interval (Wilson 1927), recommended by Newcombe (1998)
    for survey shares; "beta": Clopper-Pearson (1934) exact interval, conservative.
    Scalars give a Series (estimate, lower, upper); arrays or Series give a DataFrame
    with one row per element (a Series' index is kept).
    """
    if method not in INTERVAL_METHODS:
        raise ValueError(f"method must be one of {list(INTERVAL_METHODS)}, got {method!r}")
    level = checks.open_unit("level", level)
    scalar = np.ndim(successes) == 0 and np.ndim(total) == 0
    if isinstance(successes, pd.Series) and isinstance(total, pd.Series) and not successes.index.equals(total.index):
        raise ValueError("successes and total must have the same index")
    if np.size(successes) != np.size(total):
        raise ValueError(f"successes and total must have the same length, got {np.size(successes)} and "
                         f"{np.size(total)}")
    index = next((values.index for values in (successes, total) if isinstance(values, pd.Series)),
                 pd.RangeIndex(np.size(total)))
    x, n = _counts("successes", successes, index), _counts("total", total, index)
    if (n == 0).any():
        raise ValueError(f"total must be > 0; it is 0 at {list(index[n == 0])}")
    if (x > n).any():
        raise ValueError(f"successes must be <= total; not at {list(index[x > n])}")
    lower, upper = proportion_confint(x, n, alpha=1 - level, method=method)
    # both intervals reach 0 at x = 0 and 1 at x = n exactly; the formulas give 1 - 1e-16 (Wilson at 9 of 9,
    # found by the property tests), which would leave the estimate outside its interval
    lower, upper = np.where(x == 0, 0.0, lower), np.where(x == n, 1.0, upper)
    frame = pd.DataFrame({"estimate": x / n, "lower": lower, "upper": upper}, index=index)
    return frame.iloc[0].rename(None) if scalar else frame


def _root(power_at: Callable[[float], float], power: float) -> float:
    """The x > 0 at which the increasing ``power_at`` reaches ``power`` (Brent's method).

    Used on statsmodels' ``NormalIndPower().power`` rather than its ``solve_power``,
    which is accurate to about 1e-6 only and searches sample sizes >= 2 only.
    """
    high = 1.0
    while power_at(high) < power:
        high *= 2
    return optimize.brentq(lambda x: power_at(x) - power, 1e-12, high, xtol=1e-14)


def _effect(p1: object, p2: object) -> float:
    """Cohen's h of the second share against the first: 2 asin √p2 - 2 asin √p1."""
    p1, p2 = checks.proportion("p1", p1), checks.proportion("p2", p2)
    if p1 == p2:
        raise ValueError(f"p1 and p2 are both {p1:g}: there is no difference to detect")
    return float(proportion_effectsize(p2, p1))


def sample_size_two_proportions(
    p1: float,
    p2: float,
    power: float = 0.8,
    alpha: float = 0.05,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> int:
    """Respondents n1 in the first sample (the second has ratio · n1) to tell p1 from p2.

    Normal approximation on Cohen's h = 2 asin √p2 - 2 asin √p1, whose estimate has
    variance 1/n1 + 1/n2: for a two-sided test n1 ≈ (1 + 1/ratio) ((z_{1-α/2} + z_power) / h)²
    (statsmodels ``NormalIndPower``, which also counts the other tail), rounded up.
    With ratio = 1 it is the size of each group. ``alternative`` "larger" tests
    p2 > p1, "smaller" p2 < p1, with z_{1-α} for z_{1-α/2}.
    """
    effect = _effect(p1, p2)
    power, alpha = _power_alpha(power, alpha)
    ratio = checks.finite("ratio", ratio)
    if ratio <= 0:
        raise ValueError(f"ratio (n2 / n1) must be > 0, got {ratio!r}")
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {list(ALTERNATIVES)}, got {alternative!r}")
    if (alternative == "larger" and effect < 0) or (alternative == "smaller" and effect > 0):
        raise ValueError(f"alternative = '{alternative}' tests p2 {'>' if alternative == 'larger' else '<'} p1, "
                         f"but p1 = {p1:g} and p2 = {p2:g}")
    analysis = NormalIndPower()
    return _ceil(_root(lambda n: analysis.power(effect, n, alpha, ratio=ratio, alternative=alternative), power))


def sample_size_given_first(p1: float, p2: float, n1: int, power: float = 0.8, alpha: float = 0.05) -> int | float:
    """Respondents n2 needed in a second sample when the first, of n1, is already fielded (two-sided).

    The estimate of h = 2 asin √p2 - 2 asin √p1 has variance 1/n1 + 1/n2, so the power
    depends on the effective size 1/(1/n1 + 1/n2). With n* the one-sample size
    (statsmodels ``NormalIndPower`` with ratio 0: n* ≈ ((z_{1-α/2} + z_power) / h)²),
    n2 = 1 / (1/n* - 1/n1), rounded up. Even an infinite second sample leaves the
    variance 1/n1: if n1 <= n*, the first sample alone is too small and no n2 reaches
    ``power`` -- the function returns ``math.inf``. As n1 grows, n2 falls to n*, the
    size needed to test p2 against a p1 known exactly.
    """
    effect = _effect(p1, p2)
    power, alpha = _power_alpha(power, alpha)
    n1 = checks.whole("n1", n1, 1)
    analysis = NormalIndPower()
    one_sample = _root(lambda n: analysis.power(effect, n, alpha, ratio=0.0), power)
    if n1 <= one_sample:
        return math.inf
    return _ceil(1 / (1 / one_sample - 1 / n1))


def detectable_difference(p1: float, n1: int, n2: int, power: float = 0.8, alpha: float = 0.05) -> float:
    """Smallest increase p2 - p1 > 0 that samples of n1 and n2 detect with ``power`` (two-sided).

    Solves ``NormalIndPower`` for Cohen's h, then inverts h = 2 asin √p2 - 2 asin √p1:
    p2 = sin²(asin √p1 + h/2). ``math.inf`` if even p2 = 1 is not detectable. The
    detectable decrease is, by symmetry, ``detectable_difference(1 - p1, n1, n2, ...)``.
    """
    p1 = checks.proportion("p1", p1)
    n1, n2 = checks.whole("n1", n1, 1), checks.whole("n2", n2, 1)
    power, alpha = _power_alpha(power, alpha)
    analysis = NormalIndPower()
    effect = _root(lambda h: analysis.power(h, n1, alpha, ratio=n2 / n1), power)
    angle = math.asin(math.sqrt(p1)) + effect / 2
    if angle > math.pi / 2:
        return math.inf
    return math.sin(angle) ** 2 - p1


def compare_proportions(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Two-sample z-tests of shared yes/no questions, with Holm's correction for their number.

    ``table`` has one row per question: variable, count1 (yes) of n1, count2 of n2.
    Per variable: p1, p2, difference p1 - p2, standardized difference
    (p1 - p2) / √((p1(1-p1) + p2(1-p2))/2) (Cohen's d for proportions; |d| < 0.1 is
    usually read as negligible), pooled z-test (statsmodels ``proportions_ztest``),
    p-value, Holm-adjusted p-value over all rows (``multipletests``), and
    ``significant`` (Holm-adjusted p < ``alpha``). Indexed by variable, in table order.
    """
    alpha = checks.open_unit("alpha", alpha)
    missing = [column for column in COMPARISON_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(f"table lacks the columns {missing} (needs {COMPARISON_COLUMNS})")
    if table.empty:
        raise ValueError("table has no rows: there is nothing to compare")
    names = pd.Index(table["variable"])
    if names.has_duplicates:
        raise ValueError(f"table: variables appear more than once: {sorted(set(names[names.duplicated()]))}")
    counts = {column: _counts(f"table column '{column}'", table[column], names)
              for column in ("count1", "n1", "count2", "n2")}
    for count, total in (("count1", "n1"), ("count2", "n2")):
        if (counts[total] == 0).any():
            raise ValueError(f"table column '{total}' is 0 for variables {list(names[counts[total] == 0])}")
        if (counts[count] > counts[total]).any():
            raise ValueError(f"table column '{count}' exceeds '{total}' for variables "
                             f"{list(names[counts[count] > counts[total]])}")
    yes, n = counts["count1"] + counts["count2"], counts["n1"] + counts["n2"]
    constant = (yes == 0) | (yes == n)
    if constant.any():
        raise ValueError(f"variables {list(names[constant])} have the same answer from every respondent in "
                         "both samples: there is nothing to test")
    p1, p2 = counts["count1"] / counts["n1"], counts["count2"] / counts["n2"]
    tests = [proportions_ztest([c1, c2], [m1, m2])
             for c1, m1, c2, m2 in zip(counts["count1"], counts["n1"], counts["count2"], counts["n2"], strict=True)]
    z, p_value = (np.array(values, dtype=float) for values in zip(*tests, strict=True))
    reject, holm, _, _ = multipletests(p_value, alpha=alpha, method="holm")
    return pd.DataFrame({
        "p1": p1, "p2": p2, "difference": p1 - p2,
        "standardized_difference": (p1 - p2) / np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2),
        "z": z, "p_value": p_value, "p_holm": holm, "significant": reject,
    }, index=pd.Index(names, name="variable"))


def compare_distributions(counts1: pd.Series, counts2: pd.Series) -> pd.Series:
    """Chi-square test that two samples answer a categorical question alike, with Cramér's V.

    ``counts1`` and ``counts2`` count respondents by answer category; both must list
    the same categories (where a replication changed the answers, say so rather than
    force a comparison). Pearson chi-square of homogeneity on the 2 × k table, without
    continuity correction (scipy ``chi2_contingency``); V = √(chi2 / N) for two samples.
    ``min_expected``: the approximation wants every expected count >= 5 (Cochran 1954).
    """
    for name, counts in (("counts1", counts1), ("counts2", counts2)):
        if not isinstance(counts, pd.Series):
            raise ValueError(f"{name} must be a pandas Series of counts indexed by category, got "
                             f"{type(counts).__name__}")
        if counts.index.has_duplicates:
            raise ValueError(f"{name}: categories appear more than once: "
                             f"{sorted(set(counts.index[counts.index.duplicated()]), key=str)}")
    only1 = [category for category in counts1.index if category not in counts2.index]
    only2 = [category for category in counts2.index if category not in counts1.index]
    if only1 or only2:
        raise ValueError(f"the samples' categories differ: only in counts1 {only1}, only in counts2 {only2}; "
                         "map them to shared categories or compare them separately")
    first = _counts("counts1", counts1, counts1.index)
    second = _counts("counts2", counts2.reindex(counts1.index), counts1.index)
    empty = (first == 0) & (second == 0)
    if empty.any():
        raise ValueError(f"categories {list(counts1.index[empty])} are empty in both samples; drop them")
    if len(first) < 2:
        raise ValueError(f"a distribution needs at least 2 categories, got {list(counts1.index)}")
    for name, counts in (("counts1", first), ("counts2", second)):
        if counts.sum() == 0:
            raise ValueError(f"{name} has no respondents")
    result = stats.chi2_contingency(np.vstack([first, second]), correction=False)
    total = first.sum() + second.sum()
    return pd.Series({
        "chi2": float(result.statistic), "df": int(result.dof), "p_value": float(result.pvalue),
        "cramers_v": math.sqrt(result.statistic / total), "n1": int(first.sum()), "n2": int(second.sum()),
        "min_expected": float(result.expected_freq.min()),
    })


def _targets(sample: pd.DataFrame, margins: Mapping[str, Mapping[Hashable, float]]) -> dict[str, pd.Series]:
    """Checked margins as Series of targets by category, with the sample's categories."""
    if not isinstance(margins, Mapping) or not margins:
        raise ValueError(f"margins must map variables to {{category: target}}, got {margins!r}")
    targets = {}
    for variable, margin in margins.items():
        if variable not in sample.columns:
            raise ValueError(f"margins name the variable '{variable}', which is not a column of sample")
        if not isinstance(margin, Mapping) or not margin:
            raise ValueError(f"margins for '{variable}' must map categories to targets, got {margin!r}")
        column = sample[variable]
        if column.isna().any():
            raise ValueError(f"sample column '{variable}' has {int(column.isna().sum())} missing values; "
                             "give them a category (with a margin) or drop those respondents")
        present = list(pd.unique(column))
        unmatched = [category for category in present if category not in margin]
        if unmatched:
            raise ValueError(f"variable '{variable}': sample categories {unmatched} have no margin")
        absent = [category for category in margin if category not in present]
        if absent:
            raise ValueError(f"variable '{variable}': margins for categories {absent} that no respondent has")
        values = {category: checks.finite(f"margin of '{variable}' for category {category!r}", value)
                  for category, value in margin.items()}
        nonpositive = [category for category, value in values.items() if value <= 0]
        if nonpositive:
            raise ValueError(f"variable '{variable}': margins for categories {nonpositive} must be > 0")
        targets[variable] = pd.Series(values, dtype=float)
    return targets


def rake(
    sample: pd.DataFrame,
    margins: Mapping[str, Mapping[Hashable, float]],
    weight_column: str | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-10,
) -> pd.Series:
    """Raking weights by iterative proportional fitting (Deming & Stephan 1940).

    Starting from ``weight_column`` (or 1 for everyone), each iteration multiplies the
    weights of category c of variable v by target(v, c) / weighted total(v, c), for each
    variable of ``margins`` in turn, until every weighted margin is within ``tolerance``
    of its target as a share of the total. Give every margin either as shares summing
    to 1 (weights then sum to the total base weight: the sample size if unweighted) or
    as counts all summing to the same population total (weights then sum to it).
    Raises RuntimeError if not converged after ``max_iterations``: the margins may be
    incompatible with the sample (a combination of categories nobody answered).
    """
    if not isinstance(sample, pd.DataFrame) or sample.empty:
        raise ValueError("sample must be a DataFrame with one row per respondent, and not empty")
    max_iterations = checks.whole("max_iterations", max_iterations, 1)
    tolerance = checks.finite("tolerance", tolerance)
    if tolerance <= 0:
        raise ValueError(f"tolerance must be > 0, got {tolerance!r}")
    if weight_column is None:
        weights = np.ones(len(sample))
    elif weight_column not in sample.columns:
        raise ValueError(f"weight_column '{weight_column}' is not a column of sample")
    else:
        weights = pd.to_numeric(sample[weight_column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(weights) | (weights <= 0)
        if bad.any():
            raise ValueError(f"weight_column '{weight_column}' must hold finite numbers > 0; not in rows "
                             f"{list(sample.index[bad][:10])}")
    targets = _targets(sample, margins)
    sums = {variable: float(target.sum()) for variable, target in targets.items()}
    if all(abs(total - 1) <= SHARE_TOLERANCE for total in sums.values()):
        total = float(weights.sum())
    else:
        first, total = next(iter(sums.items()))
        for variable, other in sums.items():
            if not math.isclose(other, total, rel_tol=SHARE_TOLERANCE):
                raise ValueError(f"margins for '{variable}' sum to {other:g} but those for '{first}' to {total:g}: "
                                 "give every margin as shares summing to 1 or as counts with the same total")
    codes, wanted = {}, {}
    for variable, target in targets.items():
        codes[variable], categories = pd.factorize(sample[variable])
        wanted[variable] = target.reindex(categories).to_numpy() / target.sum() * total
    deviation = math.inf
    for _ in range(max_iterations):
        for variable in targets:
            current = np.bincount(codes[variable], weights=weights, minlength=len(wanted[variable]))
            weights = weights * (wanted[variable] / current)[codes[variable]]
        deviation = max(
            float(np.abs(np.bincount(codes[variable], weights=weights) - wanted[variable]).max()) / total
            for variable in targets)
        if deviation <= tolerance:
            return pd.Series(weights, index=sample.index, name="weight")
    raise RuntimeError(f"raking did not converge in {max_iterations} iterations: a weighted margin is still "
                       f"{deviation:.3g} (as a share) from its target; the margins may be incompatible with the "
                       "sample (a combination of categories nobody answered)")


def _weights(weights: object) -> np.ndarray:
    try:
        array = np.asarray(weights, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"weights must be numbers, got {weights!r}") from None
    if array.size == 0 or not np.isfinite(array).all() or (array < 0).any() or array.sum() == 0:
        raise ValueError("weights must be finite numbers >= 0, not all 0, and not empty")
    return array


def design_effect(weights: np.ndarray | pd.Series) -> float:
    """Kish's design effect of unequal weights: n Σw² / (Σw)² (1 for equal weights)."""
    w = _weights(weights)
    return float(w.size * (w ** 2).sum() / w.sum() ** 2)


def effective_sample_size(weights: np.ndarray | pd.Series) -> float:
    """Kish's effective sample size: (Σw)² / Σw² = n / design effect."""
    w = _weights(weights)
    return float(w.sum() ** 2 / (w ** 2).sum())


def binomial_trend(counts: pd.DataFrame, maxlags: int) -> pd.Series:
    """Trend of a share over survey waves: binomial GLM of successes/total on time (logit link).

    log(p / (1 - p)) = a + b · time; returns ``slope`` b (change in log-odds per time
    unit) and ``odds_ratio`` exp(b), with three standard errors of b and their two-sided
    normal p-values:

    - ``stderr_naive``, ``p_value_naive``: the binomial model's, which assume independent
      responses with a common probability within each wave;
    - ``stderr_quasi``, ``p_value_quasi``: quasi-binomial, stderr_naive · √max(1, dispersion),
      ``dispersion`` being Pearson chi2 / residual df (computed here: in statsmodels 0.15,
      ``fit(scale="X2")`` with a two-column endog leaves the totals out of the Pearson
      chi2, a scale some thousand times too small on the MTurk files). Allows extra
      variation between waves, still independent ones;
    - ``stderr_hac``, ``p_value_hac``: Newey-West (HAC) sandwich with ``maxlags`` lags
      (statsmodels GLM ``cov_type="HAC"``, Bartlett weights 1 - l / (maxlags + 1), no
      small-sample correction): H⁻¹ S H⁻¹, H the binomial Hessian, S the sum of the
      products of the waves' score contributions x_t (y_t - n_t p_t) up to ``maxlags`` waves
      apart. It allows both extra variation and correlation between waves up to that
      distance, e.g. the same people answering in several waves.

    The HAC covariance does not depend on the GLM scale (the scale cancels between H⁻¹ and
    S), so there is no separate "quasi-binomial HAC": the meat S estimates the variance of
    the scores from the data, overdispersion included. It treats the rows as equally spaced
    waves in time order (rows must be sorted by time; a missing wave makes its neighbours
    adjacent), and is a large-sample approximation in the number of waves: with a handful
    of waves it is not reliable. ``maxlags`` (whole number, 0 to rows - 1; 0 gives the
    heteroskedasticity-robust sandwich) is a judgement: how many waves apart the scores can
    still be correlated.
    """
    missing = [column for column in TREND_COLUMNS if column not in counts.columns]
    if missing:
        raise ValueError(f"counts lacks the columns {missing} (needs {TREND_COLUMNS})")
    time = counts["time"]
    if not pd.api.types.is_numeric_dtype(time) or pd.api.types.is_bool_dtype(time) \
            or not np.isfinite(time.to_numpy(dtype=float)).all():
        raise ValueError("counts column 'time' must hold finite numbers (e.g. years since the first wave)")
    successes = _counts("counts column 'successes'", counts["successes"], counts.index)
    total = _counts("counts column 'total'", counts["total"], counts.index)
    if (total == 0).any():
        raise ValueError(f"counts column 'total' is 0 in rows {list(counts.index[total == 0])}")
    if (successes > total).any():
        raise ValueError(f"counts column 'successes' exceeds 'total' in rows {list(counts.index[successes > total])}")
    if time.nunique() < 2 or len(counts) < 3:
        raise ValueError("counts needs at least 2 distinct times and 3 rows (the dispersion check needs a "
                         f"residual degree of freedom), got {len(counts)} rows at times {sorted(time.unique())}")
    if not (np.diff(time.to_numpy(dtype=float)) > 0).all():
        raise ValueError("counts must have one row per wave in time order (column 'time' strictly increasing): "
                         "the HAC standard error pairs waves by their distance in rows")
    if successes.sum() in (0, total.sum()):
        raise ValueError("counts column 'successes' is 0 everywhere or equal to 'total' everywhere: "
                         "the share has no trend to estimate")
    if isinstance(maxlags, bool) or not isinstance(maxlags, int | np.integer) or not 0 <= maxlags < len(counts):
        raise ValueError(f"maxlags must be a whole number from 0 to {len(counts) - 1} (rows - 1), got {maxlags!r}")
    exog = np.column_stack([np.ones(len(counts)), time.to_numpy(dtype=float)])
    model = GLM(np.column_stack([successes, total - successes]), exog, family=Binomial())
    naive = model.fit()
    hac = model.fit(cov_type="HAC", cov_kwds={"maxlags": int(maxlags)})
    slope, stderr = float(naive.params[1]), float(naive.bse[1])
    dispersion = float(naive.pearson_chi2 / naive.df_resid)
    stderr_quasi = stderr * math.sqrt(max(1.0, dispersion))
    stderr_hac = float(hac.bse[1])
    return pd.Series({
        "slope": slope, "odds_ratio": math.exp(slope),
        "stderr_naive": stderr, "p_value_naive": float(naive.pvalues[1]),
        "dispersion": dispersion, "stderr_quasi": stderr_quasi,
        "p_value_quasi": float(2 * stats.norm.sf(abs(slope) / stderr_quasi)),
        "stderr_hac": stderr_hac, "p_value_hac": float(2 * stats.norm.sf(abs(slope) / stderr_hac)),
    })
