"""A person's own data points: the loss, gradient, minima and paths on them against NumPy
computations written from the definitions (`tests.reference.data`), their link form and
its fixes, the edits a click makes, the points box, and that editing points or changing
the seed compiles nothing."""

import jax
import numpy as np
import pytest
from scipy.optimize import minimize

from optviz import Scenario, simulate
from optviz.batches import batch_of
from optviz.figures.map_image import _grid_fn, surface_grid
from optviz.kernel import trace_count
from optviz.own_points import current, edited
from optviz.ui.state import own_points_text, owns_points, points_lines, scenario_from_widgets, widget_values
from surfaces.data import MAX_OWN_POINTS
from tests.reference import data as ref
from tests.reference import plain

OWN = {
    "linear_regression": ((-1.0, -2.5), (0.5, 0.0), (2.0, 1.5), (3.0, 4.0), (1.0, 0.2)),
    "logistic_regression": ((1.0, 2.0, 1.0), (-1.0, 0.5, 0.0), (2.0, -1.0, 1.0), (-2.0, -1.5, 0.0), (0.5, 1.0, 0.0)),
    "neuron": ((-2.0, -1.1), (-0.5, -0.4), (0.3, 0.35), (1.0, 0.8), (2.5, 0.95)),
}


def _link(name: str, own, extra: str = "") -> str:
    return f"surface={name}&points={','.join(':'.join(str(v) for v in p) for p in own)}{extra}"


def _arrays(own):
    table = np.array(own)
    return table[:, :-1], table[:, -1]


@pytest.mark.parametrize("name", sorted(OWN))
def test_loss_and_gradient_on_own_points_match_numpy(name):
    scenario = Scenario.from_query(_link(name, OWN[name])).scenario
    surface, params = scenario.surface_def, dict(scenario.surface_params)
    assert params["n"] == 5
    features, target = _arrays(OWN[name])
    p = ref.DEFAULTS[name]
    for w in ((0.3, -0.7), (1.5, 1.0), (-2.0, 0.4)):
        loss, grad = ref.loss_and_grad(name, w, features, target, p)
        np.testing.assert_allclose(float(surface(*w, **params)), loss, rtol=1e-12)
        got = jax.grad(lambda v: surface(v[0], v[1], **params))(np.array(w))
        np.testing.assert_allclose(np.asarray(got), grad, rtol=1e-10, atol=1e-14)


def test_least_squares_minimum_of_own_points_is_lstsq():
    scenario = Scenario.from_query(_link("linear_regression", OWN["linear_regression"])).scenario
    ((minimum),) = scenario.surface_def.minima(dict(scenario.surface_params))
    x, y = _arrays(OWN["linear_regression"])
    w, b = np.linalg.lstsq(np.column_stack([x[:, 0], np.ones(len(y))]), y, rcond=None)[0]
    np.testing.assert_allclose([minimum.x, minimum.y], [w, b], rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "own"),
    [
        ("logistic_regression", OWN["logistic_regression"]),
        # Full Newton steps from the drawn data's start overshoot here without a line search.
        ("logistic_regression", ((0.0, 1.0, 1.0), (1.0, 2.0, 0.0), (2.0, 2.5, 1.0))),
        ("neuron", OWN["neuron"]),
    ],
)
def test_numerical_minima_of_own_points_are_scipys(name, own):
    scenario = Scenario.from_query(_link(name, own)).scenario
    minima = scenario.surface_def.minima(dict(scenario.surface_params))
    features, target = _arrays(own)

    def f(w):
        return ref.loss_and_grad(name, w, features, target, ref.DEFAULTS[name])

    found = minimize(f, x0=[minima[0].x + 0.3, minima[0].y - 0.2], jac=True, method="BFGS", tol=1e-12)
    np.testing.assert_allclose([minima[0].x, minima[0].y], found.x, rtol=1e-5, atol=1e-6)
    if name == "neuron":  # two mirror minima with equal loss
        assert len(minima) == 2 and (minima[1].x, minima[1].y) == (-minima[0].x, -minima[0].y)
        assert minima[0].f == minima[1].f


@pytest.mark.parametrize(("batch", "steps"), [(0, 40), (2, 40)])
def test_paths_on_own_points_match_a_numpy_loop(batch, steps):
    name, own = "linear_regression", OWN["linear_regression"]
    link = _link(name, own, f"&opt=sgd:lr=0.05&steps={steps}&start=-1,2&seed=3&batch={batch}")
    run = simulate(Scenario.from_query(link).scenario).runs[0]
    features, target = _arrays(own)
    w, path = np.array([-1.0, 2.0]), [np.array([-1.0, 2.0])]
    for t in range(steps):
        idx = batch_of(3, 0, t, len(target), batch) if batch else np.arange(len(target))
        g = ref.point_terms(name, w, features[idx], target[idx], ref.DEFAULTS[name])[1].mean(axis=0)
        w = w + plain.sgd({}, g, w, 0.05)
        path.append(w.copy())
    np.testing.assert_allclose(run.path, np.array(path), rtol=1e-10, atol=1e-12)


def test_editing_points_or_changing_the_seed_compiles_nothing():
    base = "surface=neuron&opt=adam:lr=0.05&steps=100&batch=2"
    simulate(Scenario.from_query(f"{base}&seed=1").scenario)
    simulate(Scenario.from_query(_link("neuron", OWN["neuron"], "&opt=adam:lr=0.05&steps=100&batch=2")).scenario)
    before = trace_count()
    simulate(Scenario.from_query(f"{base}&seed=2").scenario)
    for own in (
        OWN["neuron"][:3],
        (*OWN["neuron"], (0.0, 0.1)),
        ((1.0, 1.0), (-1.0, 2.0), (0.5, 0.0)),
    ):  # batch 2 < n: one structure
        simulate(Scenario.from_query(_link("neuron", own, "&opt=adam:lr=0.05&steps=100&batch=2")).scenario)
    assert trace_count() == before


def test_own_points_round_trip_in_links_and_leave_the_drawn_parameters_out():
    scenario = Scenario.from_query(_link("logistic_regression", OWN["logistic_regression"], "&seed=4")).scenario
    link = scenario.to_query()
    assert "points=1:2:1,-1:0.5:0,2:-1:1,-2:-1.5:0,0.5:1:0" in link
    assert "surface=logistic_regression&" in link  # n and the other drawn-data parameters are not written
    assert Scenario.from_query(link).scenario == scenario
    with_l2 = Scenario.from_query(link.replace("surface=logistic_regression", "surface=logistic_regression:l2=0.2"))
    assert dict(with_l2.scenario.surface_params)["l2"] == 0.2 and not with_l2.warnings  # the loss's own: kept


@pytest.mark.parametrize(
    ("link", "points", "warning"),
    [
        ("surface=linear_regression&points=1:2,x:3,2:4", 2, "'x:3' dropped (not numbers)"),
        ("surface=linear_regression&points=1:2,1:2:3,2:4", 2, "'1:2:3' dropped (a point is x:y (2 numbers))"),
        ("surface=linear_regression&points=1:2,5e9:1,2:4", 2, "'5e9:1' dropped (a point's values are finite"),
        ("surface=linear_regression&points=1:2,nan:1,2:4", 2, "'nan:1' dropped"),
        ("surface=logistic_regression&points=1:2:1,2:1:0.5,0:1:0", 2, "'2:1:0.5' dropped (label is 0 or 1)"),
        ("surface=neuron&points=1:2", 0, "fewer than 2 valid points; using the drawn data"),
        ("surface=rosenbrock&points=1:2,3:4", 0, "points are only read on a data surface; ignored"),
        (
            "surface=neuron:noise=0.5&points=1:2,3:4",
            2,
            "the drawn data's settings (noise) do not apply to your own points; ignored",
        ),
        ("surface=neuron&points=<b>1:2</b>,3:4,5:6", 2, "'<b>1:2</b>' dropped (not numbers)"),
        (
            "surface=linear_regression&points=" + ",".join(f"{i}:{i}" for i in range(MAX_OWN_POINTS + 6)),
            MAX_OWN_POINTS,
            f"{MAX_OWN_POINTS + 6} given; using the first {MAX_OWN_POINTS}",
        ),
    ],
)
def test_bad_points_are_dropped_with_a_warning(link, points, warning):
    parsed = Scenario.from_query(link)
    assert len(parsed.scenario.points) == points
    assert any(warning in w for w in parsed.warnings), parsed.warnings


def test_many_bad_points_are_counted_not_listed():
    parsed = Scenario.from_query("surface=neuron&points=1:2,3:4," + ",".join(["a:b"] * 500))
    assert parsed.scenario.points == ((1.0, 2.0), (3.0, 4.0))
    assert len(parsed.warnings) == 4 and parsed.warnings[-1] == "points: 497 more dropped"


def test_a_scenario_refuses_points_that_do_not_fit():
    with pytest.raises(ValueError, match="data surface"):
        Scenario(surface="booth", points=((1.0, 2.0), (2.0, 3.0)))
    with pytest.raises(ValueError, match=f"2 to {MAX_OWN_POINTS} points"):
        Scenario(surface="neuron", points=((1.0, 2.0),))
    with pytest.raises(ValueError, match="label is 0 or 1"):
        Scenario(surface="logistic_regression", points=((1.0, 2.0, 1.0), (2.0, 3.0, 2.0)))


def test_a_first_click_turns_the_drawn_data_into_own_points_and_edits_follow():
    drawn = Scenario.from_query("surface=linear_regression:n=5&seed=2").scenario
    features, target = drawn.surface_def.data.arrays(dict(drawn.surface_params))
    start = current(drawn)
    np.testing.assert_allclose(np.array(start), np.column_stack([features, target]), rtol=5e-4)
    added = edited(drawn, "add", -1, 1.23456, -0.98765)
    assert added[:5] == start and added[5] == (1.235, -0.9877)
    own = Scenario.from_query(_link("linear_regression", added)).scenario
    assert current(own) == added
    moved = edited(own, "move", 2, 0.5, 0.25)
    assert moved[2] == (0.5, 0.25) and moved[:2] + moved[3:] == added[:2] + added[3:]
    assert edited(own, "remove", 0, 0, 0) == added[1:]
    with pytest.raises(ValueError, match="at least 2 points"):
        edited(Scenario.from_query(_link("neuron", ((1, 1), (2, 2)))).scenario, "remove", 0, 0, 0)
    full = Scenario.from_query(_link("neuron", tuple((i, i) for i in range(MAX_OWN_POINTS)))).scenario
    with pytest.raises(ValueError, match=f"at most {MAX_OWN_POINTS} points"):
        edited(full, "add", -1, 0.5, 0.5)
    with pytest.raises(ValueError, match="there is no point 99"):
        edited(own, "move", 99, 0.5, 0.5)


def test_a_classifiers_points_keep_their_class_when_moved_and_take_the_chosen_one_when_added():
    own = Scenario.from_query(_link("logistic_regression", OWN["logistic_regression"])).scenario
    assert edited(own, "add", -1, 0.5, 0.5, 0.0)[-1] == (0.5, 0.5, 0.0)
    assert edited(own, "move", 0, -3.0, 1.0, 0.0)[0] == (-3.0, 1.0, 1.0)


def test_the_points_box_and_the_link_agree():
    assert own_points_text("1, 2\n 3 4\n\n5:6; 7,8") == "1:2,3:4,5:6,7:8"
    scenario = Scenario.from_query(_link("neuron", OWN["neuron"], "&opt=sgd:lr=0.1")).scenario
    values = widget_values(scenario)
    assert values["points"] == points_lines(scenario.points) and values["points"].splitlines()[0] == "-2, -1.1"
    assert scenario_from_widgets(values).scenario == scenario
    # Fewer than 2 valid points: the drawn data stay, as their (no longer greyed) widgets show them.
    unfinished = values | {"points": "1, 2\n3", "sp.neuron.noise": 0.3}
    assert not owns_points(unfinished) and owns_points(values)
    kept = scenario_from_widgets(unfinished)
    assert not kept.scenario.points and dict(kept.scenario.surface_params)["noise"] == 0.3
    assert any("fewer than 2 valid points" in w for w in kept.warnings)
    cleared = scenario_from_widgets(values | {"points": ""}).scenario
    # The drawn data again, as many points as the box showed (its n box showed the count).
    assert not cleared.points and dict(cleared.surface_params)["n"] == 5 == values["sp.neuron.n"]


def test_the_maps_background_is_the_loss_on_the_points_and_its_grid_function_is_shared():
    grids = []
    for own in (OWN["neuron"], OWN["neuron"][:4], ((1.0, 1.0), (-1.0, 2.0), (0.5, 0.0))):
        scenario = Scenario.from_query(_link("neuron", own)).scenario
        xs, ys, Z = surface_grid(scenario.surface_def, scenario.surface_params, 30)
        features, target = _arrays(own)
        i, j = 7, 19
        expected = ref.loss_and_grad("neuron", (xs[j], ys[i]), features, target, ref.DEFAULTS["neuron"])[0]
        np.testing.assert_allclose(Z[i, j], expected, rtol=1e-12)
        grids.append(_grid_fn.cache_info().currsize)
    assert grids[0] == grids[1] == grids[2]  # one jitted grid function for every point set
