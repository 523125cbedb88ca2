"""Learning-rate sweeps and basin maps: computed content against theory and geometry."""

import math

import numpy as np
import pytest

from optviz import Scenario, simulate
from optviz.figures.sweep import basin_colors, basin_figure, sweep_figure
from optviz.kernel import trace_count
from optviz.sweeps import (
    BASIN_GRID,
    BEST_LR_DECADES,
    BEST_LR_RULE,
    DIVERGED,
    NOT_YET,
    SWEEP_POINTS,
    basin_map,
    best_lr,
    divergence_edge,
    lr_sweeps,
    stability_bounds,
)


def cell_ratio(lrs):
    return lrs[1] / lrs[0]


@pytest.mark.parametrize("h", [0.5, 1.0, 4.0])
def test_divergence_edges_on_the_quadratic_match_the_closed_forms(h):
    scenario = Scenario.from_query(
        f"surface=quadratic:h={h}&opt=sgd:lr=0.1&opt=momentum:lr=0.1,momentum=0.8&opt=nesterov:lr=0.1,momentum=0.8"
        "&steps=1000"  # a run one cell above the bound grows by ~1.005 per step: 1000 steps take it off the map
    ).scenario
    sweeps = lr_sweeps(scenario, -3, 1.5)
    assert all(len(s.lrs) == SWEEP_POINTS >= 256 for s in sweeps)
    bounds = stability_bounds(scenario)
    assert bounds[0] == ("2/h", 2 / h) and bounds[1] == ("2(1+β)/h", pytest.approx(3.6 / h))
    assert bounds[2][1] == pytest.approx(3.6 / (2.6 * h))
    for i, s in enumerate(sweeps):
        edge, bound = divergence_edge(s), bounds[i][1]
        assert bound <= edge <= bound * cell_ratio(s.lrs) ** 1.01  # the first diverging lr is the next grid cell
        below = s.lrs < bound / cell_ratio(s.lrs)
        assert (s.diverged_at[below] == -1).all() and (s.diverged_at[s.lrs > edge] >= 0).all()


def test_sweep_finals_are_the_trajectories_finals():
    scenario = Scenario.from_query("surface=beale&opt=adam:lr=0.01&steps=300&start=1,1").scenario
    (s,) = lr_sweeps(scenario, -3, 0, n=8)
    for lr, final in zip(s.lrs, s.final_loss, strict=True):
        one, warnings = Scenario.from_query(f"surface=beale&opt=adam:lr={float(lr)!r}&steps=300&start=1,1")
        assert not warnings
        assert final == pytest.approx(simulate(one).runs[0].loss[-1], rel=1e-9)
    assert best_lr(s) == s.lrs[np.nanargmin(s.final_loss)]  # cells wider than the window: the plain argmin


def test_a_sweep_compiles_once_per_structure():
    scenario = Scenario.from_query("surface=rosenbrock&opt=rmsprop:lr=0.01&opt=adagrad:lr=0.1&steps=200").scenario
    lr_sweeps(scenario, -4, 0)
    compiled = trace_count()
    lr_sweeps(scenario, -2, 1)  # another range, the same shapes
    lr_sweeps(Scenario(**{**scenario.__dict__, "steps": 150}), -5, -1)  # same bucket
    assert trace_count() == compiled


def test_no_bounds_where_theory_gives_none():
    assert stability_bounds(Scenario.from_query("surface=rosenbrock&opt=sgd:lr=0.01").scenario) == {}
    assert stability_bounds(Scenario.from_query("surface=quadratic&opt=adam:lr=0.01").scenario) == {}
    assert stability_bounds(Scenario.from_query("surface=quadratic&opt=sgd:lr=0.01&schedule=cosine").scenario) == {}


def test_himmelblau_has_exactly_four_basins_covering_the_grid():
    basins = basin_map(Scenario.from_query("surface=himmelblau&opt=sgd:lr=0.01&steps=500").scenario)
    assert basins.label.shape == (BASIN_GRID, BASIN_GRID) and BASIN_GRID >= 128
    labels, counts = np.unique(basins.label, return_counts=True)
    assert set(labels) <= {0, 1, 2, 3, NOT_YET, DIVERGED}
    shares = dict(zip(labels.tolist(), (counts / basins.label.size).tolist(), strict=True))
    assert all(shares.get(k, 0) > 0.15 for k in range(4)) and sum(shares.get(k, 0) for k in range(4)) > 0.9
    # each basin holds its own minimum: the start on top of a minimum converges to it
    for k, (mx, my) in enumerate(basins.minima):
        i, j = np.argmin(np.abs(basins.ys - my)), np.argmin(np.abs(basins.xs - mx))
        assert basins.label[i, j] == k


def test_the_saddle_shows_its_stable_manifold():
    basins = basin_map(Scenario.from_query("surface=saddle&opt=sgd:lr=0.05&steps=500").scenario)
    middle = len(basins.ys) // 2
    assert basins.ys[middle] == 0.0
    assert (basins.label[middle] == NOT_YET).all()  # started on y = 0: stuck at the saddle point
    upper = int(np.argmax(basins.minima[:, 1]))
    assert (basins.label[middle + 1 :] == upper).all() and (basins.label[:middle] == 1 - upper).all()


def test_a_custom_formula_gets_basins_from_its_end_points():
    formula = "(x^2%2By-11)^2%2B(x%2By^2-7)^2"
    custom = basin_map(
        Scenario.from_query(f"surface=custom&f={formula}&domain=-5,5,-5,5&opt=sgd:lr=0.01").scenario, grid=65
    )
    known = basin_map(Scenario.from_query("surface=himmelblau&opt=sgd:lr=0.01").scenario, grid=65)
    assert len(custom.minima) == 4
    order = [int(np.argmin(np.linalg.norm(custom.minima - m, axis=1))) for m in known.minima]
    np.testing.assert_allclose(custom.minima[order], known.minima, atol=1e-3)
    relabelled = np.where(known.label >= 0, np.array(order)[np.maximum(known.label, 0)], known.label)
    assert np.mean(relabelled == custom.label) > 0.99


def test_basin_map_caps_its_steps_and_flags_divergence():
    basins = basin_map(Scenario.from_query("surface=rosenbrock&opt=sgd:lr=0.01&steps=10000").scenario, grid=33)
    assert basins.n_steps == 2000
    assert (basins.label == DIVERGED).mean() > 0.3  # lr 0.01 is far too large on Rosenbrock's steep walls


def test_figures_carry_the_computed_values():
    scenario = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&opt=momentum:lr=0.1&steps=300").scenario
    sweeps = lr_sweeps(scenario, -3, 1)
    fig = sweep_figure(scenario, sweeps)
    np.testing.assert_allclose(fig.data[0].y, sweeps[0].final_loss)  # trace i: run i's losses (click target)
    labels = [a.text for a in fig.layout.annotations]
    assert any(t.startswith("2/h = 2") for t in labels) and any(t.startswith("2(1+β)/h = 3.8") for t in labels)
    assert any(t == f"diverges ≥ {divergence_edge(sweeps[0]):.3g}" for t in labels)
    basins = basin_map(Scenario.from_query("surface=himmelblau&opt=sgd:lr=0.01").scenario, grid=33)
    rgb = basin_colors(basins)
    assert rgb.shape == (33, 33, 3) and len({tuple(c) for c in rgb.reshape(-1, 3)}) > 4
    names = [t.name for t in basin_figure(scenario, basins).data]
    assert sum(n.startswith("→") for n in names) == 4 and names[-2].startswith("diverged")


@pytest.fixture(scope="module")
def default_sweeps():
    """The default link's sweep (SGD, momentum and Adam on Rosenbrock, 500 steps) over the
    sweep view's default range."""
    scenario = Scenario()
    return scenario, lr_sweeps(scenario, -5, 1)


def neighbours(s, at):
    """The final losses of the grid lrs within the best-lr window around index ``at`` (+inf where diverged)."""
    near = np.abs(np.log10(s.lrs) - np.log10(s.lrs[at])) <= BEST_LR_DECADES + 1e-12
    return np.where(np.isfinite(s.final_loss), s.final_loss, np.inf)[near]


def test_the_default_links_best_adam_lr_has_neighbours_as_good(default_sweeps):
    factor = 10  # every neighbour within ±0.1 decade ends at most this many times higher
    _, sweeps = default_sweeps
    adam = sweeps[2]
    at = int(np.argmin(np.abs(adam.lrs - best_lr(adam))))
    assert (neighbours(adam, at) <= factor * adam.final_loss[at]).all()
    # the plain lowest final loss is a lucky lr inside the chaotic band: its neighbours end far higher
    lucky = int(np.nanargmin(adam.final_loss))
    assert f"{adam.lrs[lucky]:.3g}" == "1.86" and best_lr(adam) < adam.lrs[lucky] / 1.5
    assert neighbours(adam, lucky).max() > 1000 * factor * adam.final_loss[lucky]


def test_the_default_links_best_lrs_keep_off_the_divergence_edge(default_sweeps):
    _, sweeps = default_sweeps
    for s in sweeps:
        edge = divergence_edge(s)
        assert edge is None or best_lr(s) * 10**BEST_LR_DECADES < edge


def reference_best_lr(lrs, final_loss, decades):
    """The rule written out point by point: the lr whose worst neighbour (within ±decades,
    itself included, diverged = +inf) ends lowest; ties to the lower own final loss."""
    key, best = None, None
    for i, lr in enumerate(lrs):
        own = final_loss[i] if math.isfinite(final_loss[i]) else math.inf
        worst = -math.inf
        for other, loss in zip(lrs, final_loss, strict=True):
            if abs(math.log10(other) - math.log10(lr)) <= decades + 1e-12:
                worst = max(worst, loss if math.isfinite(loss) else math.inf)
        if math.isfinite(own) and (key is None or (worst, own) < key):
            key, best = (worst, own), float(lr)
    return best


@pytest.mark.parametrize(
    "query",
    [
        "surface=beale&opt=rmsprop:lr=0.01&opt=lion:lr=0.01",
        "surface=quadratic:kappa=100&opt=sgd:lr=0.1&opt=momentum:lr=0.1",
        "surface=rastrigin&opt=adam:lr=0.1&opt=momentum:lr=0.01",
    ],
)
def test_best_lr_agrees_with_a_point_by_point_reference(query, default_sweeps):
    scenario = Scenario.from_query(f"{query}&steps=500").scenario
    moved = 0
    for s in [*lr_sweeps(scenario, -5, 1), *default_sweeps[1]]:
        for decades in (0.0, BEST_LR_DECADES, 0.3):
            assert best_lr(s, decades) == reference_best_lr(s.lrs.tolist(), s.final_loss.tolist(), decades)
        moved += best_lr(s) != best_lr(s, 0.0)
    assert moved >= 3  # the window changes the pick on these sweeps: the comparison is not vacuous


def test_best_lr_of_a_sweep_that_always_diverges_is_none():
    (s,) = lr_sweeps(Scenario.from_query("surface=rosenbrock&opt=sgd:lr=0.001&steps=200").scenario, 0, 1)
    assert np.isnan(s.final_loss).all() and best_lr(s) is None


def converged_notes(fig):
    return [a.text for a in fig.layout.annotations if "converged within" in a.text]


def test_the_sweep_figure_marks_each_best_lr_and_says_which_runs_never_converge(default_sweeps):
    scenario, sweeps = default_sweeps
    fig = sweep_figure(scenario, sweeps)
    diamonds = [t for t in fig.data if t.marker.symbol == "diamond"]
    assert [d.x[0] for d in diamonds] == [best_lr(s) for s in sweeps]
    assert all(BEST_LR_RULE in d.hovertemplate for d in diamonds)
    # SGD and momentum converge at no lr in 500 steps; Adam does at one
    assert converged_notes(fig) == ["runs 1, 2: no lr converged within 500 steps"]
    assert tuple(fig.layout.yaxis2.range) == (0, 525) and fig.layout.yaxis2.showticklabels is not False


def test_the_converged_panel_says_so_when_no_lr_converges():
    scenario = Scenario.from_query("surface=rosenbrock&opt=sgd:lr=0.001&opt=adam:lr=0.01&steps=50").scenario
    sweeps = lr_sweeps(scenario, -5, 1)
    assert all((s.converged_at < 0).all() for s in sweeps)
    fig = sweep_figure(scenario, sweeps)
    assert converged_notes(fig) == ["no lr converged within 50 steps"]
    assert fig.layout.yaxis2.showticklabels is False
    converging = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&opt=momentum:lr=0.1&steps=300").scenario
    assert converged_notes(sweep_figure(converging, lr_sweeps(converging, -3, 1))) == []
