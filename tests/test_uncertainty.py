"""Monte Carlo propagation of input uncertainty: analytic and hand-computed cases, and the bad inputs."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis import uncertainty

Z95 = 1.6448536269514722  # standard normal 95 % quantile


def inputs(**entries):
    """Distributions from keyword entries, each given a reason."""
    return uncertainty.distributions_from_mapping(
        {name: {**entry, "reason": "test"} for name, entry in entries.items()}, source="params/test.yaml"
    )


def ratio(total, h):
    return {"persons": total / h}


def test_product_of_lognormals_matches_the_analytic_quantiles():
    # ln(XY) ~ N(ln 100 + ln 3, ln²1.5 + ln²1.2): median 300, log-sd 0.444571.
    distributions = inputs(x={"distribution": "lognormal", "median": 100, "gsd": 1.5},
                           y={"distribution": "lognormal", "median": 3, "gsd": 1.2})
    samples = uncertainty.propagate(lambda x, y: {"product": x * y}, distributions, draws=200_000)
    summary = uncertainty.summarise(samples, level=0.9).loc["product"]
    sigma = math.sqrt(math.log(1.5) ** 2 + math.log(1.2) ** 2)
    assert sigma == pytest.approx(0.444571, abs=1e-6)
    assert summary["median"] == pytest.approx(300, rel=0.01)
    assert summary["lower"] == pytest.approx(300 * math.exp(-Z95 * sigma), rel=0.01)  # 144.4
    assert summary["upper"] == pytest.approx(300 * math.exp(Z95 * sigma), rel=0.01)  # 623.3
    assert summary["mean"] == pytest.approx(300 * math.exp(sigma ** 2 / 2), rel=0.01)  # 331.2


def test_ratio_with_a_uniform_coefficient():
    # total / h decreases in h, so its quantiles are total / (quantiles of h): h ~ U(1, 1.6) has
    # median 1.3, 5 % quantile 1.03 and 95 % quantile 1.57.
    distributions = inputs(total={"distribution": "fixed", "value": 337980},
                           h={"distribution": "uniform", "low": 1.0, "high": 1.6})
    summary = uncertainty.summarise(uncertainty.propagate(ratio, distributions)).loc["persons"]
    assert summary["median"] == pytest.approx(259984.6, rel=0.01)  # 337,980 / 1.3
    assert summary["lower"] == pytest.approx(215273.9, rel=0.01)  # 337,980 / 1.57
    assert summary["upper"] == pytest.approx(328135.9, rel=0.01)  # 337,980 / 1.03


def test_fixed_inputs_give_a_degenerate_interval():
    distributions = inputs(total={"distribution": "fixed", "value": 337980},
                           h={"distribution": "fixed", "value": 1.27})
    summary = uncertainty.summarise(uncertainty.propagate(ratio, distributions, draws=100))
    assert list(summary.columns) == ["median", "lower", "upper", "mean"]
    assert summary.loc["persons"].to_numpy() == pytest.approx([266125.984252] * 4, abs=1e-6)  # 337,980 / 1.27


def test_pert_and_triangular_match_their_textbook_formulas():
    # PERT(1, 1.5, 3) = 1 + 2 Beta(2, 4): mean (1 + 4 x 1.5 + 3)/6 = 5/3; Beta(2, 4) has
    # P(B <= 1/2) = (C(5,2) + C(5,3) + C(5,4) + C(5,5)) / 2^5 = 26/32, so the 0.8125-quantile is 2.
    distributions = inputs(pert={"distribution": "beta_pert", "low": 1, "mode": 1.5, "high": 3},
                           tri={"distribution": "triangular", "low": 1, "mode": 1.5, "high": 3})
    assert distributions["pert"].quantile(0.8125) == pytest.approx(2.0, rel=1e-12)
    samples = uncertainty.propagate(lambda pert, tri: {"pert": pert, "tri": tri}, distributions)
    assert samples["pert"].mean() == pytest.approx(5 / 3, rel=0.002)
    assert samples["tri"].mean() == pytest.approx((1 + 1.5 + 3) / 3, rel=0.002)
    assert distributions["tri"].support() == (1.0, 3.0)


def test_a_dataframe_result_is_accepted():
    distributions = inputs(h={"distribution": "triangular", "low": 1, "mode": 1.27, "high": 1.6})
    samples = uncertainty.propagate(lambda h: pd.DataFrame({"h": h, "double": 2 * h}), distributions, draws=1000)
    assert list(samples.columns) == ["h", "double"]
    assert (samples["double"] == 2 * samples["h"]).all()
    assert samples["h"].between(1, 1.6).all()


def test_same_seed_same_draws_whatever_the_dict_order():
    entries = {"total": {"distribution": "normal", "mean": 1000, "sd": 50},
               "h": {"distribution": "beta_pert", "low": 1.5, "mode": 1.83, "high": 2.2}}
    forward = uncertainty.propagate(ratio, inputs(**entries), draws=1000, seed=7)
    backward = uncertainty.propagate(ratio, inputs(**dict(reversed(entries.items()))), draws=1000, seed=7)
    pd.testing.assert_frame_equal(forward, backward)
    assert forward.to_numpy().tobytes() == backward.to_numpy().tobytes()
    other = uncertainty.propagate(ratio, inputs(**entries), draws=1000, seed=8)
    assert not np.array_equal(forward.to_numpy(), other.to_numpy())


def test_tornado_ranks_the_wider_input_first_with_hand_computed_swings():
    # a ~ U(1, 3): 5 %, 50 %, 95 % quantiles 1.1, 2, 2.9; b ~ U(1.9, 2.1): 1.91, 2, 2.09.
    distributions = inputs(b={"distribution": "uniform", "low": 1.9, "high": 2.1},
                           a={"distribution": "uniform", "low": 1, "high": 3},
                           c={"distribution": "fixed", "value": 10})
    table = uncertainty.tornado(lambda a, b, c: {"y": a * b * c}, distributions, output="y")
    assert list(table.columns) == uncertainty.TORNADO_COLUMNS
    assert list(table["input"]) == ["a", "b"]  # the fixed c is not varied
    expected = [[1.1, 2.9, 22.0, 58.0, 36.0, 40.0], [1.91, 2.09, 38.2, 41.8, 3.6, 40.0]]  # y = a b 10, others at medians
    assert table.drop(columns="input").to_numpy() == pytest.approx(np.array(expected))


def test_tornado_uses_exact_quantiles_and_central_values():
    distributions = inputs(x={"distribution": "lognormal", "median": 100, "gsd": 1.5},
                           y={"distribution": "uniform", "low": 0, "high": 1})
    table = uncertainty.tornado(lambda x, y: {"sum": x + y}, distributions, output="sum", central={"y": 0.25},
                                low_q=0.1, high_q=0.9).set_index("input")
    assert table.loc["x", "low_value"] == pytest.approx(100 * 1.5 ** -1.2815515655446004, rel=1e-12)  # 59.5
    assert table.loc["x", "output_at_high"] == pytest.approx(100 * 1.5 ** 1.2815515655446004 + 0.25, rel=1e-12)
    assert table.loc["y", "output_at_low"] == pytest.approx(100.1)  # y at 0.1, x at its median 100


def test_tornado_plot_puts_the_largest_swing_on_top():
    distributions = inputs(a={"distribution": "uniform", "low": 1, "high": 3},
                           b={"distribution": "uniform", "low": 1.9, "high": 2.1})
    table = uncertainty.tornado(lambda a, b: {"y": a * b}, distributions, output="y")
    assert (table["output_at_central"] == 4.0).all()  # a and b at their medians: 2 x 2
    fig = uncertainty.plot_tornado(table, "y")
    ax = fig.axes[0]
    assert ax.yaxis_inverted()
    assert [label.get_text().split("\n")[0] for label in ax.get_yticklabels()] == ["a", "b"]
    widths = [patch.get_width() for patch in ax.patches]
    assert widths == pytest.approx([2.2 - 4, 3.82 - 4, 5.8 - 4, 4.18 - 4])
    plt.close(fig)


BAD = [
    ({"distribution": "gamma", "low": 1, "high": 2}, "unknown distribution 'gamma'"),
    ({"distribution": "triangular", "low": 1, "mode": 2.5, "high": 2}, r"mode = 2.5 is outside \[low, high\]"),
    ({"distribution": "beta_pert", "low": 2, "mode": 2, "high": 1}, "low = 2 must be < high = 1"),
    ({"distribution": "uniform", "low": 1}, r"missing \['high'\]"),
    ({"distribution": "uniform", "low": 1, "high": 2, "mode": 1.5}, r"unexpected \['mode'\]"),
    ({"distribution": "normal", "mean": 1, "sd": 0}, "sd = 0 must be > 0"),
    ({"distribution": "lognormal", "median": 1.3, "gsd": 1}, "gsd = 1 must be > 1"),
    ({"distribution": "lognormal", "median": "163e6", "gsd": 1.2}, "'median' must be a number, got the text '163e6'"),
]


@pytest.mark.parametrize(("entry", "message"), BAD)
def test_bad_distributions_are_rejected_naming_file_and_input(entry, message):
    with pytest.raises(ValueError, match=rf"^params/test.yaml: input 'h': .*{message}"):
        uncertainty.distributions_from_mapping({"h": {**entry, "reason": "test"}}, source="params/test.yaml")


@pytest.mark.parametrize("reason", [None, "", "  "])
def test_a_reason_is_required(reason):
    entry = {"distribution": "uniform", "low": 1, "high": 2}
    if reason is not None:
        entry["reason"] = reason
    with pytest.raises(ValueError, match="^params/test.yaml: input 'h': 'reason' must say why"):
        uncertainty.distributions_from_mapping({"h": entry}, source="params/test.yaml")


@pytest.mark.parametrize(("entry", "message"), [
    ({"distribution": "normal", "mean": 0.3, "sd": 0.1}, "down to -inf, below its lower bound 0"),
    ({"distribution": "uniform", "low": 0.5, "high": 1.2}, "up to 1.2, above its upper bound 1"),
    ({"distribution": "lognormal", "median": 0.3, "gsd": 1.2}, "up to inf, above its upper bound 1"),
])
def test_a_share_that_can_leave_zero_one_is_rejected(entry, message):
    distributions = {**inputs(share=entry), **inputs(total={"distribution": "fixed", "value": 100})}
    with pytest.raises(ValueError, match=f"^input 'share': .*{message}"):
        uncertainty.propagate(lambda share, total: {"y": share * total}, distributions, bounds={"share": (0, 1)})


def test_a_coefficient_that_can_go_below_one_is_rejected():
    distributions = inputs(total={"distribution": "fixed", "value": 100},
                           h={"distribution": "uniform", "low": 0.5, "high": 2})
    with pytest.raises(ValueError, match=r"^input 'h': uniform\(low=0.5, high=2\) can take values down to 0.5, "
                                         "below its lower bound 1"):
        uncertainty.propagate(ratio, distributions, bounds={"h": (1, None)})


def test_distributions_inside_their_bounds_are_accepted():
    distributions = inputs(total={"distribution": "fixed", "value": 100},
                           h={"distribution": "normal", "mean": 1.3, "sd": 0.5, "low": 1})
    samples = uncertainty.propagate(ratio, distributions, draws=1000, bounds={"h": (1, None), "total": (0, None)})
    assert samples["persons"].between(0, 100).all()


@pytest.mark.parametrize(("arguments", "message"), [
    ({"draws": 10}, "draws must be a whole number >= 100, got 10"),
    ({"bounds": {"hh": (1, None)}}, "bounds name 'hh', which is not an input"),
])
def test_bad_propagation_settings_are_rejected(arguments, message):
    distributions = inputs(total={"distribution": "fixed", "value": 100},
                           h={"distribution": "uniform", "low": 1, "high": 2})
    with pytest.raises(ValueError, match=message):
        uncertainty.propagate(ratio, distributions, **arguments)


def test_outputs_must_have_one_value_per_draw_and_be_finite():
    distributions = inputs(h={"distribution": "uniform", "low": 0, "high": 1})
    with pytest.raises(ValueError, match=r"output 'mean' has shape \(\); expected one value per draw"):
        uncertainty.propagate(lambda h: {"mean": h.mean()}, distributions, draws=100)
    samples = uncertainty.propagate(lambda h: {"inverse": np.where(h == h[0], np.inf, 1 / h)}, distributions,
                                    draws=100)
    with pytest.raises(ValueError, match="output 'inverse' has 1 non-finite draws"):
        uncertainty.summarise(samples)


def test_yaml_round_trip(tmp_path):
    path = tmp_path / "inputs.yaml"
    path.write_text(
        "# Test inputs.\n"
        "multihoming_coefficient:\n"
        "  distribution: triangular\n"
        "  low: 1.0\n"
        "  mode: 1.27\n"
        "  high: 1.6\n"
        "  reason: \"1.27 is the paper's survey-based value\"\n"
        "registrations_total:\n"
        "  distribution: fixed\n"
        "  value: 337980\n"
        "  reason: back-calculated\n",
        encoding="utf-8",
    )
    loaded = uncertainty.load_distributions(path)
    assert loaded == {
        "multihoming_coefficient": uncertainty.Distribution(
            "multihoming_coefficient", "triangular", {"low": 1.0, "mode": 1.27, "high": 1.6},
            "1.27 is the paper's survey-based value"),
        "registrations_total": uncertainty.Distribution(
            "registrations_total", "fixed", {"value": 337980}, "back-calculated"),
    }
    assert loaded["multihoming_coefficient"].describe() == (
        "multihoming_coefficient ~ triangular(low=1, mode=1.27, high=1.6): 1.27 is the paper's survey-based value")
    path.write_text("h:\n  distribution: uniform\n  low: 2\n  high: 1\n  reason: r\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"inputs.yaml: input 'h': low = 2 must be < high = 1"):
        uncertainty.load_distributions(path)


def test_rescaled_moves_the_centre_and_scales_the_spread_by_hand():
    triangle = uncertainty.Distribution("multihoming_coefficient", "triangular", {"low": 1.1, "mode": 1.27, "high": 1.6},
                                        "test")
    moved = uncertainty.rescaled(triangle, centre=1.5, spread=2.0, bounds=(1.0, None))
    assert moved.parameters == pytest.approx({"low": 1.16, "mode": 1.5, "high": 2.16})  # 1.5 - 0.17 x 2, 1.5 + 0.33 x 2
    clipped = uncertainty.rescaled(triangle, spread=3.0, bounds=(1.0, None))
    assert clipped.parameters["low"] == 1.0  # 1.27 - 0.51 clipped to the parameter's minimum
    log = uncertainty.Distribution("x", "lognormal", {"median": 100.0, "gsd": 1.21}, "test")
    assert uncertainty.rescaled(log, spread=0.5).parameters == pytest.approx({"median": 100.0, "gsd": 1.1})
    box = uncertainty.Distribution("x", "uniform", {"low": 1.0, "high": 1.2}, "test")
    assert uncertainty.rescaled(box, centre=1.2, spread=0.5).parameters == pytest.approx({"low": 1.15, "high": 1.25})
    assert uncertainty.rescaled(triangle).parameters == triangle.parameters
    with pytest.raises(ValueError, match="spread must be a number in"):
        uncertainty.rescaled(triangle, spread=0)
    with pytest.raises(ValueError, match=r"centre 0.5 is outside its range \[1, inf\]"):
        uncertainty.rescaled(triangle, centre=0.5, bounds=(1.0, None))


@pytest.mark.parametrize("kind, parameters_, expected", [
    ("fixed", {"value": 3.0}, 3.0), ("uniform", {"low": 1.0, "high": 1.2}, 1.1),
    ("triangular", {"low": 1.1, "mode": 1.27, "high": 1.6}, 1.27), ("lognormal", {"median": 5.0, "gsd": 1.2}, 5.0),
    ("normal", {"mean": 2.0, "sd": 0.1}, 2.0), ("beta_pert", {"low": 0.1, "mode": 0.2, "high": 0.5}, 0.2),
])
def test_central_value_of_each_kind(kind, parameters_, expected):
    assert uncertainty.central_value(uncertainty.Distribution("x", kind, parameters_, "test")) == pytest.approx(expected)
