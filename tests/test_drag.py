"""The drag-lr view: the lr window, the engine's family of paths (equal to `simulate` at
each lr), and the figure whose frame for lr k draws exactly that path, thinned."""

import dataclasses
import json

import numpy as np
import pytest

from optviz import OptRun, Scenario, simulate
from optviz.engine import family
from optviz.figures.drag import crossing, drag_figure, exit_row, visible_rows
from optviz.optimizers import LR
from optviz.sweeps import lr_families, lr_window
from tests.map_client import decoded_values


def at_lr(scenario: Scenario, i: int, lr: float) -> Scenario:
    run = scenario.runs[i]
    return dataclasses.replace(scenario, runs=(OptRun.of(run.name, **dict(run.params) | {"lr": lr}),))


@pytest.mark.parametrize("lr", [0.01, 1e-6, 2e-6, 3.0, 10.0])
def test_the_window_holds_the_lr_exactly_and_stays_in_range(lr):
    lrs, at = lr_window(lr)
    assert len(lrs) == 128 and lrs[at] == lr
    assert LR.lo <= lrs[0] and lrs[-1] <= LR.hi * (1 + 1e-12)
    np.testing.assert_allclose(np.log10(lrs[-1] / lrs[0]), 3.0, rtol=1e-9)
    assert np.all(np.diff(np.log10(lrs)) > 0)
    if 1e-4 < lr < 0.1:
        assert at == 64


@pytest.mark.parametrize(
    "query",
    [
        "surface=quadratic&opt=momentum:lr=0.3&steps=300",
        "surface=noisy_quadratic:sigma=1&opt=sgd:lr=0.5&steps=200&seed=3",
        "surface=rosenbrock&opt=adam:lr=0.02&opt=rmsprop:lr=0.001&steps=400",
    ],
)
def test_the_family_equals_simulate_at_each_lr(query):
    scenario = Scenario.from_query(query).scenario
    for i in range(len(scenario.runs)):
        lrs, _ = lr_window(scenario.runs[i].lr)
        f = family(scenario, i, lrs)
        for k in (0, 31, 64, 100, 127):
            t = simulate(at_lr(scenario, i, lrs[k])).runs[0].trajectories[0]
            rows = int(f.rows[k])
            assert rows == len(t.path) and f.diverged_at[k] == (-1 if t.diverged_at is None else t.diverged_at)
            assert f.converged_at[k] == (-1 if t.converged_at is None else t.converged_at)
            np.testing.assert_allclose(f.path[k, :rows], t.path, rtol=0, atol=1e-12)
            np.testing.assert_allclose(f.loss[k, :rows], t.loss, rtol=1e-12, atol=1e-12)
            assert np.isnan(f.path[k, rows:]).all()


def test_visible_rows_leave_out_only_rows_in_the_last_drawn_rows_cell():
    rng = np.random.default_rng(0)
    points = np.cumsum(rng.normal(scale=0.003, size=(2000, 2)), axis=0)
    cell = np.array([0.01, 0.01])
    keep = visible_rows(points, cell)
    assert keep[0] == 0 and keep[-1] == len(points) - 1 and 10 < len(keep) < len(points)
    last_kept = keep[np.searchsorted(keep, np.arange(len(points)), side="right") - 1]
    same = np.floor(points / cell) == np.floor(points[last_kept] / cell)
    assert same.all()


def test_a_diverged_path_ends_where_it_leaves_the_map():
    domain = ((-2.0, 2.0), (-2.0, 2.0))
    path = np.array([[0.0, 0.0], [3.0, 0.0], [-1.0, 1.0], [1.0, 1.0], [4.0, 2.5], [9.0, 5.0]])
    assert exit_row(path, domain) == 4 and exit_row(path[:4], domain) is None
    np.testing.assert_allclose(crossing(path[3], path[4], domain), [2.0, 1.5])  # 1/3 of the way


QUERY = "surface=quadratic&opt=sgd:lr=0.2&opt=nesterov:lr=0.1&steps=200"


def test_the_frame_for_lr_k_draws_exactly_that_path_thinned():
    scenario = Scenario.from_query(QUERY).scenario
    families = lr_families(scenario)
    figure = json.loads(json.dumps(drag_figure(scenario, families)))
    cells = figure["layout"]["meta"]["cells"]
    (x0, x1), (y0, y1) = scenario.surface_def.domain
    frames = {f["name"]: f for f in figure["frames"]}
    assert len(frames) == 2 * 128
    for i, (f, at) in enumerate(families):
        slider = figure["layout"]["sliders"][i]
        assert slider["active"] == at and slider["name"] == str(i)
        for k in (0, 50, at, 120, 127):
            step = slider["steps"][k]
            assert float(step["value"]) == f.lrs[k] and step["args"][0] == [f"{i}:{k}"]
            frame = frames[f"{i}:{k}"]
            path, head, out, loss, final = (
                figure["data"][t] | d for t, d in zip(frame["traces"], frame["data"], strict=True)
            )
            t = simulate(at_lr(scenario, i, f.lrs[k])).runs[0].trajectories[0]
            rows = len(t.path) if t.diverged_at is None else exit_row(t.path, scenario.surface_def.domain) + 1
            keep = visible_rows(t.path[:rows], ((x1 - x0) / cells, (y1 - y0) / cells))
            drawn = np.column_stack([decoded_values(path["x"]), decoded_values(path["y"])])
            np.testing.assert_array_equal(drawn, t.path[keep].astype(np.float32))
            np.testing.assert_array_equal(decoded_values(loss["x"]), keep)
            np.testing.assert_array_equal(decoded_values(loss["y"]), t.loss[keep].astype(np.float32))
            if t.diverged_at is None:
                np.testing.assert_array_equal(decoded_values(head["x"]), np.float32(t.path[-1, :1]))
                assert len(decoded_values(out["x"])) == 0 and final["y"] == [t.loss[-1]]
            else:
                exit_x = decoded_values(out["x"])[0]
                assert len(decoded_values(head["x"])) == 0 and np.isclose(abs(exit_x), 2.0, atol=1e-6)
                assert step["label"].endswith("✗") and final["marker.symbol"] == "x"


def test_the_window_crosses_the_closed_form_bounds_and_marks_them():
    scenario = Scenario.from_query(QUERY).scenario
    families = lr_families(scenario)
    figure = drag_figure(scenario, families)
    bounds = {t["text"][-1]: t["x"][0] for t in figure["data"] if t.get("mode") == "lines+text"}
    assert bounds == {"2/h = 2": 2.0, "2(1+β)/((1+2β)h) = 1.357": pytest.approx(2 * 1.9 / 2.8)}
    for (f, _), bound in zip(families, (2.0, 2 * 1.9 / 2.8), strict=True):
        diverged = f.diverged_at >= 0  # theory and engine agree across the window (just above the
        assert not diverged[f.lrs < bound].any() and diverged[f.lrs > 1.1 * bound].all()  # bound growth is slow)


def test_three_runs_of_500_steps_fit_the_payload_budget():
    scenario = Scenario.from_query("opt=sgd:lr=0.001&opt=momentum:lr=0.001&opt=adam:lr=0.05&steps=500").scenario
    size = len(json.dumps(drag_figure(scenario, lr_families(scenario))))
    print(f"drag figure, 3 runs × 128 lrs × 500 steps: {size:,} bytes")
    assert size <= 1_500_000
