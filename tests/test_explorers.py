"""Interactive explorers: each wires its controls to the package function, redraws on change, and reports bad input in one line.

Outside a Jupyter kernel an ipywidgets Output does not capture, so what an explorer displays reaches
stdout, where capsys reads it.
"""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import pytest  # noqa: E402

from analysis import capture, circles, data, explorers, funnel, parameters, paths, pay, uncertainty  # noqa: E402


@pytest.fixture(autouse=True)
def reader(monkeypatch):
    """These tests play the reader: explorers are built (the test session is otherwise a batch run)."""
    monkeypatch.delenv(paths.BATCH_VARIABLE, raising=False)


def test_batch_runs_build_no_explorer(monkeypatch):
    monkeypatch.setenv(paths.BATCH_VARIABLE, "1")
    assert explorers.fair_pay(pay.Task(reward=1.0, median_minutes=10.0), floor=7.25, target=12.0) is None


def controls(box: widgets.VBox) -> dict[str, widgets.Widget]:
    return {control.description: control for control in box.children[0].children}


@pytest.fixture(scope="module")
def france_inputs():
    return uncertainty.load_distributions(paths.PARAMS / "uncertainty-counting-france.yaml")


def circles_explorer(inputs):
    return explorers.counting(circles.counts, inputs, ["multihoming_coefficient", "very_active_share"],
                              lambda values: circles.plot_circles(circles.three_circles(**values)["workers"]),
                              draws=2000, seed=1)


def test_counting_explorer_redraws_the_circles_at_the_slider_values(france_inputs, capsys):
    box = circles_explorer(france_inputs)
    first = capsys.readouterr().out
    assert "at the central values" in first and "266,126" not in first  # the table shows raw floats
    assert "266125.98" in first.replace(",", "")  # 337,980 / 1.27 at the defaults
    sliders = controls(box)
    assert sliders["multihoming_coefficient"].value == 1.27
    assert (sliders["multihoming_coefficient"].min, sliders["multihoming_coefficient"].max) == (1.0, 2.54)
    assert (sliders["very_active_share"].min, sliders["very_active_share"].max) == (0.0, 1.0)
    sliders["multihoming_coefficient"].value = 2.0
    assert "168990.0" in capsys.readouterr().out  # 337,980 / 2


def test_spread_slider_widens_the_intervals(france_inputs):
    bounds = parameters.bounds(france_inputs)

    def intervals(spread):
        moved = {name: uncertainty.rescaled(spec, spread=spread, bounds=bounds[name])
                 for name, spec in france_inputs.items()}
        return uncertainty.summarise(uncertainty.propagate(circles.counts, moved, draws=4000, seed=1, bounds=bounds))

    narrow, wide = intervals(0.5), intervals(1.5)
    box = circles_explorer(france_inputs)
    assert controls(box)["width of every uncertainty range (x)"].value == 1.0
    width = lambda table: table.loc["routine", "upper"] - table.loc["routine", "lower"]  # noqa: E731
    assert width(wide) > 2.5 * width(narrow)


def test_impossible_inputs_give_one_line_not_a_traceback(capsys):
    inputs = uncertainty.load_distributions(paths.PARAMS / "uncertainty-global-online-workers.yaml")
    box = explorers.counting(funnel.workers, inputs, ["share_ever_worked", "share_significantly_active"],
                             lambda values: funnel.plot_funnel(funnel.table(**values)), draws=1000, seed=1)
    capsys.readouterr()
    controls(box)["share_significantly_active"].value = 0.5  # above share_ever_worked = 0.157
    out = capsys.readouterr().out
    assert out.strip().endswith("Not possible with these inputs: share_significantly_active cannot exceed "
                                "share_ever_worked: the stages are nested")
    assert "Traceback" not in out


def test_capture_chooser_fits_the_chosen_data_set_and_model(capsys):
    seber = capture.histories(data.load("rcapture-seber1982-two-sample"), freq="freq")
    hare = capture.histories(data.load("rcapture-hare"))
    box = explorers.capture_models({"Seber (1982)": seber, "hare": hare}, max_ratio=100)
    chooser = controls(box)
    assert chooser["model"].options == ("M0", "Mt", "Mb")  # two lists: closedp.t's two-list set
    chooser["data set"].value = "hare"
    assert len(chooser["model"].options) == 12
    chooser["model"].value = "M0"
    out = capsys.readouterr().out
    expected = capture.closed_models(hare, max_ratio=100).loc["M0", "abundance"]
    assert "hare: M0" in out and f"{expected:.4f}"[:6] in out


def test_fair_pay_form_recomputes_the_pay(capsys):
    box = explorers.fair_pay(pay.Task(reward=1.0, median_minutes=10.0), floor=7.25, target=12.0)
    assert "6.000000" in capsys.readouterr().out  # 1.00 per 10 minutes
    form = controls(box)
    form["search_minutes"].value = 2.0
    assert "5.000000" in capsys.readouterr().out  # 1.00 per 12 minutes
    assert set(form) == {"task_reward", "task_minutes", "search_minutes", "returned_share", "pay_floor", "target_hourly"}
