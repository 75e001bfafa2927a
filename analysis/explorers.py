"""Interactive explorers: ipywidgets controls wired to the package's functions.

An explorer holds no logic of its own: it reads its controls, calls the function the notebook
already uses and redraws. Errors (an impossible combination of inputs) are shown as one line
under the controls, never as a traceback.

Explorers are for readers. In a batch run — papermill under ``make reproduce`` or
``python -m analysis run``, nbval under ``make test`` — nobody can move a slider, and widget
messages without a front end once left a papermill execution hanging in CI; the pipeline and the
test suite set :data:`analysis.paths.BATCH_VARIABLE`, and each explorer then builds nothing and returns None, so
the cell has no output. The explorer cells are also tagged ``explorer`` and
``nbval-ignore-output``, and :func:`analysis.pipeline.strip_volatile_metadata` drops any widget
output and widget state, so re-runs stay byte-identical. The static figures above each explorer
show the defaults; a reader in JupyterLab or on Binder runs the cell to get the controls.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display
from matplotlib.figure import Figure

from analysis import capture, parameters, paths, pay, uncertainty

SPREAD_RANGE = (0.25, 3.0)


def _for_readers(build: Callable[..., widgets.VBox]) -> Callable[..., widgets.VBox | None]:
    """Build the explorer when a reader can use it; in a batch run (``paths.BATCH_VARIABLE`` set) return None."""
    @functools.wraps(build)
    def explorer(*args: object, **kwargs: object) -> widgets.VBox | None:
        return None if os.environ.get(paths.BATCH_VARIABLE) else build(*args, **kwargs)
    return explorer


def _show(figure: Figure) -> None:
    display(figure)
    plt.close(figure)


def _redraw(output: widgets.Output, draw: Callable[[], None]) -> None:
    """Run ``draw`` into ``output``; a ValueError (bad combination of inputs) becomes one line."""
    with output:
        output.clear_output(wait=True)
        try:
            draw()
        except ValueError as error:  # ParameterError included
            print(f"Not possible with these inputs: {error}")


def _wire(controls: list[widgets.Widget], draw: Callable[[], None]) -> widgets.VBox:
    output = widgets.Output()
    for control in controls:
        control.observe(lambda _change: _redraw(output, draw), names="value")
    _redraw(output, draw)
    return widgets.VBox([widgets.VBox(controls), output])


def _slider(name: str, value: float) -> widgets.FloatSlider:
    """A slider over parameter ``name``'s admissible range (up to twice the value where it is open)."""
    rule = parameters.rule(name)
    low = 0.0 if rule.minimum is None else rule.minimum
    high = rule.maximum if rule.maximum is not None else max(2 * value, low + 1)
    step = (high - low) / 200
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=name,
                               continuous_update=False, readout_format=".3g", style={"description_width": "initial"},
                               layout=widgets.Layout(width="90%"))


@_for_readers
def counting(formula: Callable[..., Mapping], distributions: Mapping[str, uncertainty.Distribution],
             movable: list[str], plot: Callable[[dict[str, float]], Figure], *, draws: int, seed: int,
             level: float = 0.9) -> widgets.VBox:
    """Sliders for the centres of ``movable`` inputs and for the width of every uncertainty range.

    Redraws ``plot`` at the central values and the table of point estimates with their Monte
    Carlo intervals (:func:`analysis.uncertainty.propagate` and ``summarise``).
    """
    centres = {name: uncertainty.central_value(spec) for name, spec in distributions.items()}
    sliders = {name: _slider(name, centres[name]) for name in movable}
    spread = widgets.FloatSlider(value=1.0, min=SPREAD_RANGE[0], max=SPREAD_RANGE[1], step=0.05,
                                 description="width of every uncertainty range (x)", continuous_update=False,
                                 style={"description_width": "initial"}, layout=widgets.Layout(width="90%"))
    bounds = parameters.bounds(distributions)

    def draw() -> None:
        values = {**centres, **{name: slider.value for name, slider in sliders.items()}}
        moved = {name: uncertainty.rescaled(spec, centre=values[name], spread=spread.value, bounds=bounds[name])
                 for name, spec in distributions.items()}
        samples = uncertainty.propagate(formula, moved, draws=draws, seed=seed, bounds=bounds)
        table = uncertainty.summarise(samples, level=level)
        table.insert(0, "at the central values", pd.Series({key: float(value) for key, value in formula(**values).items()}))
        display(table)
        _show(plot(values))

    return _wire([*sliders.values(), spread], draw)


@_for_readers
def capture_models(datasets: Mapping[str, capture.Histories | capture.Frequencies], *,
                   max_ratio: float, level: float = 0.95) -> widgets.VBox:
    """A chooser of data set and model: its Poisson-fit estimate, its multinomial profile-likelihood estimate and
    interval (as in Rcapture, the two estimates differ slightly), and every standard model."""
    fitted: dict[str, pd.DataFrame] = {}
    dataset = widgets.Dropdown(options=list(datasets), description="data set", style={"description_width": "initial"})
    model = widgets.Dropdown(description="model", style={"description_width": "initial"})

    def models() -> pd.DataFrame:
        if dataset.value not in fitted:
            fitted[dataset.value] = capture.closed_models(datasets[dataset.value], max_ratio=max_ratio)
        return fitted[dataset.value]

    def choose_models(_change: object = None) -> None:
        model.options = list(models().index)

    def draw() -> None:
        table, data = models(), datasets[dataset.value]
        if model.value not in table.index:
            return
        interval = capture.profile_interval(data, model=model.value, level=level)
        display(pd.concat({"Poisson fit": table.loc[model.value, ["abundance", "stderr", "AIC", "fit_ok", "note"]],
                           "profile likelihood": interval}).to_frame(f"{dataset.value}: {model.value}"))
        _show(capture.plot_abundances(table, data.n, f"{dataset.value}: every standard model", level))

    dataset.observe(choose_models, names="value")
    choose_models()
    return _wire([dataset, model], draw)


@_for_readers
def fair_pay(task: pay.Task, floor: float, target: float) -> widgets.VBox:
    """A form for a task's reward, times and unpaid overhead: the pay it yields and the reward a floor needs."""
    fields = {
        "task_reward": widgets.BoundedFloatText(value=task.reward, min=0, max=1000, step=0.05),
        "task_minutes": widgets.BoundedFloatText(value=task.median_minutes, min=0.01, max=600, step=0.5),
        "search_minutes": widgets.BoundedFloatText(value=task.search_minutes, min=0, max=600, step=0.5),
        "returned_share": widgets.BoundedFloatText(value=task.returned_share, min=0, max=0.95, step=0.05),
        "pay_floor": widgets.BoundedFloatText(value=floor, min=0, max=1000, step=0.25),
        "target_hourly": widgets.BoundedFloatText(value=target, min=0, max=1000, step=0.25),
    }
    for name, field in fields.items():
        field.description, field.style = name, {"description_width": "initial"}

    def draw() -> None:
        values = {name: field.value for name, field in fields.items()}
        chosen = pay.Task(values["task_reward"], values["task_minutes"], values["search_minutes"],
                          values["returned_share"], task.currency)
        display(pay.summary(chosen, values["pay_floor"], values["target_hourly"]).to_frame(chosen.currency))
        grid = pay.sensitivity(chosen, [0, 1, 2, 5, 10], [0, 0.1, 0.2, 0.3, 0.5])
        _show(pay.plot_sensitivity(grid, floor=values["pay_floor"], currency=chosen.currency))

    return _wire(list(fields.values()), draw)
