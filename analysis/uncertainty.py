"""Monte Carlo propagation of input uncertainty through the counting formulas.

Neither seed paper gives an interval for its counts: each multiplies point values
(registrations, activity shares, the multi-homing coefficient) that are themselves
uncertain. Here every input gets a distribution, all inputs are drawn at once, the
formula is evaluated once on whole arrays of draws, and each output is summarised by
its median and an equal-tailed interval. :func:`tornado` says which input matters most.

Distributions are declared in YAML, one entry per input, so that a reviewer can read
in a diff both the range of each input and the *reason* for it::

    multihoming_coefficient:
      distribution: triangular   # fixed, uniform, triangular, normal, lognormal or beta_pert
      low: 1.0
      mode: 1.27
      high: 1.6
      reason: "1.27 is the paper's survey-based value; ..."

Parameters of each ``distribution`` (all numbers; ``reason`` is required, non-empty text):

- ``fixed``: ``value`` — no uncertainty;
- ``uniform``: ``low``, ``high``;
- ``triangular``: ``low``, ``mode``, ``high``;
- ``normal``: ``mean``, ``sd`` (> 0), and optionally ``low`` and/or ``high``, which
  truncate it to [low, high] (scipy.stats.truncnorm; the mean must lie inside);
- ``lognormal``: ``median``, ``gsd`` (geometric standard deviation, > 1):
  ln X ~ Normal(ln median, ln gsd);
- ``beta_pert``: ``low``, ``mode``, ``high``; the standard PERT (λ = 4),
  X = low + (high - low) B with B ~ Beta(1 + 4 (mode - low)/(high - low),
  1 + 4 (high - mode)/(high - low)).

PyYAML reads a number with an exponent only in the form ``1.63e+8`` (dot and sign);
write ``163000000.0`` or ``1.63e+8``, not ``163e6``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import yaml
from matplotlib.figure import Figure
from scipy import stats
from scipy.stats.distributions import rv_frozen

from analysis import checks, paths

PARAMETERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required parameters, optional parameters)
    "fixed": (("value",), ()),
    "uniform": (("low", "high"), ()),
    "triangular": (("low", "mode", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "lognormal": (("median", "gsd"), ()),
    "beta_pert": (("low", "mode", "high"), ()),
}
PERT_LAMBDA = 4.0
MAX_DRAWS = 10_000_000  # 80 MB for each input and output
TORNADO_COLUMNS = ["input", "low_value", "high_value", "output_at_low", "output_at_high", "swing", "output_at_central"]

Bounds = Mapping[str, tuple[float | None, float | None]]


@dataclass(frozen=True)
class Distribution:
    """The uncertainty about one input: its distribution and the reason for its range."""

    name: str
    kind: str
    parameters: dict[str, float]
    reason: str

    def __post_init__(self) -> None:
        where = f"input '{self.name}'"
        if self.kind not in PARAMETERS:
            raise ValueError(f"{where}: unknown distribution {self.kind!r}; use one of {', '.join(PARAMETERS)}")
        required, optional = PARAMETERS[self.kind]
        missing = [key for key in required if key not in self.parameters]
        extra = [key for key in self.parameters if key not in required + optional]
        if missing or extra:
            found = "; ".join(([f"missing {missing}"] if missing else []) + ([f"unexpected {extra}"] if extra else []))
            raise ValueError(f"{where}: {self.kind} takes parameters {list(required)}"
                             f"{f' and optionally {list(optional)}' if optional else ''}; {found}")
        for key, value in self.parameters.items():
            if isinstance(value, str):
                raise ValueError(f"{where}: parameter '{key}' must be a number, got the text {value!r} "
                                 "(in YAML write 1.63e+8 or 163000000.0, not 163e6)")
            checks.finite(f"{where}: parameter '{key}'", value)
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError(f"{where}: 'reason' must say why this distribution and range, got {self.reason!r}")
        p = self.parameters
        if "low" in p and "high" in p and p["low"] >= p["high"]:
            raise ValueError(f"{where}: low = {p['low']:g} must be < high = {p['high']:g}")
        centre = "mode" if "mode" in p else "mean"
        if centre in p and not p.get("low", -math.inf) <= p[centre] <= p.get("high", math.inf):
            raise ValueError(f"{where}: {centre} = {p[centre]:g} is outside "
                             f"[low, high] = [{p.get('low', -math.inf):g}, {p.get('high', math.inf):g}]")
        if self.kind == "normal" and p["sd"] <= 0:
            raise ValueError(f"{where}: sd = {p['sd']:g} must be > 0")
        if self.kind == "lognormal" and p["median"] <= 0:
            raise ValueError(f"{where}: median = {p['median']:g} must be > 0")
        if self.kind == "lognormal" and p["gsd"] <= 1:
            raise ValueError(f"{where}: gsd = {p['gsd']:g} must be > 1 (a geometric sd of 1 is no uncertainty; "
                             "use distribution: fixed)")

    def _scipy(self) -> rv_frozen | None:
        """The frozen scipy distribution (None for ``fixed``)."""
        p = self.parameters
        if self.kind == "fixed":
            return None
        if self.kind == "uniform":
            return stats.uniform(loc=p["low"], scale=p["high"] - p["low"])
        if self.kind == "triangular":
            width = p["high"] - p["low"]
            return stats.triang((p["mode"] - p["low"]) / width, loc=p["low"], scale=width)
        if self.kind == "normal":
            if "low" not in p and "high" not in p:
                return stats.norm(loc=p["mean"], scale=p["sd"])
            a = (p.get("low", -math.inf) - p["mean"]) / p["sd"]
            b = (p.get("high", math.inf) - p["mean"]) / p["sd"]
            return stats.truncnorm(a, b, loc=p["mean"], scale=p["sd"])
        if self.kind == "lognormal":
            return stats.lognorm(math.log(p["gsd"]), scale=p["median"])
        width = p["high"] - p["low"]  # beta_pert
        alpha = 1 + PERT_LAMBDA * (p["mode"] - p["low"]) / width
        beta = 1 + PERT_LAMBDA * (p["high"] - p["mode"]) / width
        return stats.beta(alpha, beta, loc=p["low"], scale=width)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws from ``rng``, as one float array."""
        frozen = self._scipy()
        if frozen is None:
            return np.full(size, float(self.parameters["value"]))
        return np.asarray(frozen.rvs(size=size, random_state=rng), dtype=float)

    def quantile(self, q: float) -> float:
        """The exact ``q``-quantile (inverse distribution function)."""
        frozen = self._scipy()
        return float(self.parameters["value"]) if frozen is None else float(frozen.ppf(q))

    def support(self) -> tuple[float, float]:
        """Smallest and largest values a draw can take (±inf if unbounded)."""
        frozen = self._scipy()
        if frozen is None:
            return float(self.parameters["value"]), float(self.parameters["value"])
        low, high = frozen.support()
        return float(low), float(high)

    def _formula(self) -> str:
        arguments = ", ".join(f"{key}={value:g}" for key, value in self.parameters.items())
        return f"{self.kind}({arguments})"

    def describe(self) -> str:
        """One line for a reviewer: ``name ~ kind(parameters): reason``."""
        return f"{self.name} ~ {self._formula()}: {self.reason}"


CENTRES = {"fixed": "value", "normal": "mean", "lognormal": "median", "triangular": "mode", "beta_pert": "mode"}


def central_value(distribution: Distribution) -> float:
    """The central value: median (lognormal), mode (triangular, PERT), mean (normal), midpoint (uniform) or value."""
    p = distribution.parameters
    key = CENTRES.get(distribution.kind)
    return float(p[key]) if key else (p["low"] + p["high"]) / 2


def rescaled(distribution: Distribution, centre: float | None = None, spread: float = 1.0,
             bounds: tuple[float | None, float | None] = (None, None)) -> Distribution:
    """``distribution`` moved to ``centre`` and its spread multiplied by ``spread`` (for explorers).

    The centre is the median (lognormal), the mode (triangular, PERT), the mean (normal),
    the midpoint (uniform) or the value (fixed). Ends move with the centre and their
    distances to it are multiplied by ``spread``; a lognormal's gsd becomes gsd ** spread.
    Ends are then clipped to ``bounds`` (the parameter's admissible range). The reason is kept.
    """
    spread = checks.in_range(f"input '{distribution.name}': spread", spread, 0, 10, open_low=True)
    p = dict(distribution.parameters)
    key = CENTRES.get(distribution.kind)
    old = central_value(distribution)
    new = old if centre is None else float(centre)
    low_bound = -math.inf if bounds[0] is None else bounds[0]
    high_bound = math.inf if bounds[1] is None else bounds[1]
    if not low_bound <= new <= high_bound:
        raise ValueError(f"input '{distribution.name}': centre {new:g} is outside its range [{low_bound:g}, {high_bound:g}]")
    if key:
        p[key] = new
    if distribution.kind == "lognormal":
        p["gsd"] = p["gsd"] ** spread
    if distribution.kind == "normal":
        p["sd"] *= spread
    for end in ("low", "high"):
        if end in p:
            p[end] = min(max(new + (p[end] - old) * spread, low_bound), high_bound)
    return Distribution(distribution.name, distribution.kind, p, distribution.reason)


def distributions_from_mapping(mapping: object, source: str = "<mapping>") -> dict[str, Distribution]:
    """Distributions from a mapping ``{input: {distribution: kind, <parameters>, reason: text}}``.

    ``source`` (the file it came from) starts every error message.
    """
    if not isinstance(mapping, Mapping) or not mapping:
        raise ValueError(f"{source}: must map input names to distributions, got {mapping!r}")
    result = {}
    for name, entry in mapping.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{source}: input name {name!r} must be a Python identifier (it becomes an argument name)")
        if not isinstance(entry, Mapping) or "distribution" not in entry:
            raise ValueError(f"{source}: input '{name}' must be a mapping with a 'distribution' key, got {entry!r}")
        parameters = {key: value for key, value in entry.items() if key not in ("distribution", "reason")}
        try:
            result[name] = Distribution(name, entry["distribution"], parameters, entry.get("reason"))
        except ValueError as error:
            raise ValueError(f"{source}: {error}") from None
    return result


def load_distributions(path: str | Path) -> dict[str, Distribution]:
    """Distributions declared in the YAML file ``path`` (format in the module docstring)."""
    shown = paths.shown(Path(path))
    with open(path, encoding="utf-8") as handle:
        try:
            mapping = yaml.safe_load(handle)
        except yaml.YAMLError as error:
            raise ValueError(f"{shown}: not valid YAML: {error}") from None
    return distributions_from_mapping(mapping, source=shown)


def _check_bounds(distributions: Mapping[str, Distribution], bounds: Bounds) -> None:
    for name, (lower, upper) in bounds.items():
        if name not in distributions:
            raise ValueError(f"bounds name '{name}', which is not an input (inputs: {sorted(distributions)})")
        low, high = distributions[name].support()
        formula = distributions[name]._formula()
        if lower is not None and low < lower:
            raise ValueError(f"input '{name}': {formula} can take values down to {low:g}, "
                             f"below its lower bound {lower:g}")
        if upper is not None and high > upper:
            raise ValueError(f"input '{name}': {formula} can take values up to {high:g}, "
                             f"above its upper bound {upper:g}")


def _outputs(result: object, length: int) -> pd.DataFrame:
    """``function``'s result as a DataFrame of ``length`` rows, one column per output."""
    if not isinstance(result, pd.DataFrame | Mapping):
        raise TypeError(f"function must return a dict of output name -> array or a DataFrame, "
                        f"got {type(result).__name__}")
    columns = {}
    for name, values in result.items():
        values = np.asarray(values, dtype=float)
        if values.shape != (length,):
            raise ValueError(f"output '{name}' has shape {values.shape}; expected one value per draw, ({length},)")
        columns[name] = values
    return pd.DataFrame(columns)


def propagate(
    function: Callable[..., Mapping[str, np.ndarray] | pd.DataFrame],
    distributions: Mapping[str, Distribution],
    *,
    draws: int = 100_000,
    seed: int = 2021,
    bounds: Bounds | None = None,
) -> pd.DataFrame:
    """``draws`` joint draws of ``function``'s outputs, inputs drawn independently.

    Inputs are drawn in sorted-name order from ``numpy.random.default_rng(seed)``, then
    ``function(**{input: array of draws})`` is called once; one column per output.
    ``bounds`` ``{input: (lower, upper)}`` (None: unbounded) rejects any distribution
    whose support leaves the input's domain.
    """
    draws, seed = checks.whole("draws", draws, 100), checks.whole("seed", seed)
    if draws > MAX_DRAWS:
        raise ValueError(f"draws must be at most {MAX_DRAWS:,} (8 bytes x draws per input and output), got {draws:,}")
    if not distributions:
        raise ValueError("distributions is empty: there is no input to draw")
    _check_bounds(distributions, bounds or {})
    rng = np.random.default_rng(seed)
    arrays = {name: distributions[name].sample(rng, draws) for name in sorted(distributions)}
    samples = _outputs(function(**arrays), draws)
    samples.index.name = "draw"
    return samples


def summarise(samples: pd.DataFrame, level: float = 0.9) -> pd.DataFrame:
    """Per output: median, equal-tailed ``level`` interval [q((1-level)/2), q((1+level)/2)], and mean."""
    level = checks.open_unit("level", level)
    if samples.empty:
        raise ValueError("samples has no draws")
    values = samples.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        column = samples.columns[bad.any(axis=0)][0]
        raise ValueError(f"output '{column}' has {int(bad[:, samples.columns.get_loc(column)].sum())} "
                         "non-finite draws (NaN or inf)")
    tail = (1 - level) / 2
    lower, median, upper = np.quantile(values, [tail, 0.5, 1 - tail], axis=0)
    return pd.DataFrame({"median": median, "lower": lower, "upper": upper, "mean": values.mean(axis=0)},
                        index=pd.Index(samples.columns, name="output"))


def tornado(
    function: Callable[..., Mapping[str, np.ndarray] | pd.DataFrame],
    distributions: Mapping[str, Distribution],
    *,
    output: str,
    central: Mapping[str, float] | None = None,
    low_q: float = 0.05,
    high_q: float = 0.95,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``output``: each uncertain input at its ``low_q`` and ``high_q`` quantile.

    The other inputs stay at their medians, or at ``central`` where given; fixed inputs
    are not varied. swing = |output_at_high - output_at_low|; rows by swing, largest first;
    ``output_at_central`` is the output with every input at its central value (the chart's baseline).
    """
    low_q, high_q = checks.open_unit("low_q", low_q), checks.open_unit("high_q", high_q)
    if low_q >= high_q:
        raise ValueError(f"low_q = {low_q:g} must be < high_q = {high_q:g}")
    centre = {name: distribution.quantile(0.5) for name, distribution in distributions.items()}
    for name, value in (central or {}).items():
        if name not in distributions:
            raise ValueError(f"central names '{name}', which is not an input (inputs: {sorted(distributions)})")
        centre[name] = checks.finite(f"central value of '{name}'", value)
    varied = sorted(name for name, distribution in distributions.items() if distribution.kind != "fixed")
    if not varied:
        raise ValueError("every input is fixed: there is nothing to vary")
    # Row 2i has input i at its low quantile, row 2i + 1 at its high quantile, the last row every
    # input at its centre: one call.
    arrays = {name: np.full(2 * len(varied) + 1, value) for name, value in centre.items()}
    ends = {name: (distributions[name].quantile(low_q), distributions[name].quantile(high_q)) for name in varied}
    for i, name in enumerate(varied):
        arrays[name][2 * i:2 * i + 2] = ends[name]
    outputs = _outputs(function(**arrays), 2 * len(varied) + 1)
    if output not in outputs:
        raise ValueError(f"output '{output}' is not among the function's outputs {list(outputs.columns)}")
    at = outputs[output].to_numpy()
    table = pd.DataFrame({
        "input": varied,
        "low_value": [ends[name][0] for name in varied],
        "high_value": [ends[name][1] for name in varied],
        "output_at_low": at[0:-1:2],
        "output_at_high": at[1:-1:2],
    })
    table["swing"] = (table["output_at_high"] - table["output_at_low"]).abs()
    table["output_at_central"] = at[-1]
    return table.sort_values("swing", ascending=False, kind="stable", ignore_index=True)


def plot_tornado(table: pd.DataFrame, output_label: str) -> Figure:
    """Tornado chart of :func:`tornado`'s table: bars from the output at the central values, largest swing on top."""
    missing = [column for column in TORNADO_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(f"table lacks the tornado columns {missing}")
    ordered = table.sort_values("swing", ascending=False, kind="stable")
    baseline = float(ordered["output_at_central"].iloc[0])
    low_colour, high_colour = sns.color_palette()[:2]
    fig, ax = plt.subplots(figsize=(8.0, 1.0 + 0.5 * len(ordered)))
    y = np.arange(len(ordered))
    ax.barh(y, ordered["output_at_low"] - baseline, left=baseline, color=low_colour, label="input at its low value")
    ax.barh(y, ordered["output_at_high"] - baseline, left=baseline, color=high_colour,
            label="input at its high value")
    ax.set_yticks(y, [f"{row.input}\n{row.low_value:.3g} – {row.high_value:.3g}" for row in ordered.itertuples()])
    ax.invert_yaxis()
    ax.axvline(baseline, color="0.3", linewidth=1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.set_xlabel(output_label)
    ax.set_title(f"Which input moves {output_label} most (one at a time)")
    ax.legend(fontsize=8)
    return fig


def inputs_table(distributions: Mapping[str, Distribution]) -> pd.DataFrame:
    """The declared inputs for a reader: distribution with its parameters, and the reason for its range."""
    return pd.DataFrame(
        {"distribution": [spec._formula() for spec in distributions.values()],
         "reason": [spec.reason for spec in distributions.values()]},
        index=pd.Index(list(distributions), name="input"),
    )
