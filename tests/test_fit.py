"""The fit panel of the map on data surfaces: the data drawn, each run's model at every
frame step computed from the engine's weights there, in the run's colour; and nothing of
it on other surfaces."""

import numpy as np
import pytest

from optviz import Scenario, simulate
from optviz.figures.fit import DATA_META
from optviz.figures.frames import frame_steps
from optviz.figures.map_assembly import trajectory_figure
from optviz.figures.map_layout import PRESENT
from optviz.figures.style import COLORS
from tests.map_client import decode
from tests.reference import data as ref


def _fit_traces(figure):
    return [(i, t) for i, t in enumerate(figure["data"]) if t.get("xaxis") == "x4"]


def _curves(points: np.ndarray) -> list[np.ndarray]:
    """The NaN-separated curves of a mover's points."""
    cut = np.flatnonzero(np.isnan(points[:, 0]))
    pieces = [piece[~np.isnan(piece[:, 0])] for piece in np.split(points, cut)]
    return [piece for piece in pieces if len(piece)]


def _model_residual(name, curve, w):
    x, y = curve[:, 0], curve[:, 1]
    if name == "linear_regression":
        return y - (w[0] * x + w[1])
    if name == "neuron":
        return y - w[1] * np.tanh(w[0] * x)
    return (w[0] * x + w[1] * y) / np.hypot(*w)  # on the boundary w·x = 0


@pytest.mark.parametrize(
    ("name", "link"),
    [
        ("linear_regression", "surface=linear_regression:n=20,scale=2&opt=sgd:lr=0.02&opt=adam:lr=0.1&steps=80"),
        ("logistic_regression", "surface=logistic_regression:corr=0.3&opt=sgd:lr=0.5&opt=adam:lr=0.1&steps=80"),
        ("neuron", "surface=neuron&opt=sgd:lr=0.2&steps=80&start=0.3,-2.5&start=-0.3,2.5"),
    ],
)
def test_the_panel_draws_the_data_and_each_runs_model_at_every_frame(name, link):
    scenario = Scenario.from_query(link).scenario
    result = simulate(scenario)
    figure = trajectory_figure(result, frame=40)
    params = dict(scenario.surface_params)
    features, target = ref.dataset(name, scenario.seed, params)
    fits = _fit_traces(figure)
    data = [t for _, t in fits if t.get("meta") == DATA_META]
    if name == "logistic_regression":
        drawn = {t["name"]: np.column_stack([decode(t["x"]), decode(t["y"])]) for t in data}
        for label in (0, 1):
            np.testing.assert_allclose(drawn[f"class {label}"], features[target == label], rtol=1e-6)
    else:
        (trace,) = data
        np.testing.assert_allclose(decode(trace["x"]), features[:, 0], rtol=1e-6)
        np.testing.assert_allclose(decode(trace["y"]), target, rtol=1e-6, atol=1e-6)
    models = [(i, t) for i, t in fits if t["mode"] == "lines"]
    assert [t["line"]["color"] for _, t in models] == list(COLORS[: len(result.runs)])
    ks = frame_steps(scenario.steps)
    for (index, _), run in zip(models, result.runs, strict=True):
        for frame in figure["frames"][:: max(1, len(ks) // 7)]:
            k = int(frame["name"])
            points = np.column_stack(
                [decode(v) for v in (frame["data"][frame["traces"].index(index)][a] for a in "xy")]
            )
            curves = _curves(points)
            assert len(curves) == len(run.trajectories)
            for curve, t in zip(curves, run.trajectories, strict=True):
                w = t.path[min(k, len(t.path) - 1)]
                assert np.abs(_model_residual(name, curve, w)).max() < 1e-4 * (1 + np.abs(curve).max())
    assert figure["layout"]["xaxis4"]["anchor"] == "y4" and figure["layout"]["yaxis4"]["domain"][0] > 0.5


def test_the_panel_follows_the_frame_the_page_opens_at():
    scenario = Scenario.from_query("surface=linear_regression&opt=sgd:lr=0.01&steps=100").scenario
    result = simulate(scenario)
    lines = {}
    for frame in (0, 100):
        figure = trajectory_figure(result, frame=frame)
        ((_, trace),) = [(i, t) for i, t in _fit_traces(figure) if t["mode"] == "lines"]
        lines[frame] = np.column_stack([decode(trace["x"]), decode(trace["y"])])
    w = result.runs[0].path
    assert np.abs(_model_residual("linear_regression", _curves(lines[0])[0], w[0])).max() < 1e-4
    assert np.abs(_model_residual("linear_regression", _curves(lines[100])[0], w[100])).max() < 1e-4


def test_the_map_axes_name_the_weights_and_the_layouts_place_the_panel():
    result = simulate(Scenario.from_query("surface=linear_regression&steps=20").scenario)
    figure = trajectory_figure(result)
    assert figure["layout"]["xaxis"]["title"]["text"] == "slope w"
    assert figure["layout"]["yaxis"]["title"]["text"] == "intercept b"
    narrow = trajectory_figure(result, narrow=True)["layout"]
    assert narrow["yaxis4"]["domain"][1] < narrow["yaxis"]["domain"][0]  # under the map
    assert narrow["yaxis2"]["domain"][1] < narrow["yaxis4"]["domain"][0]
    present = trajectory_figure(result, size=PRESENT)["layout"]
    assert present["xaxis2"]["domain"][1] < present["xaxis3"]["domain"][0]  # loss and lr side by side


def test_other_surfaces_have_no_fit_panel():
    figure = trajectory_figure(simulate(Scenario.from_query("surface=booth&steps=20").scenario))
    assert not _fit_traces(figure) and "xaxis4" not in figure["layout"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "x"
