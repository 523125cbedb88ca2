"""Data-driven surfaces: their data, loss and gradient against a NumPy computation written
from the definitions, the least-squares minimum against numpy.linalg.lstsq, and the
numerically found minima of the other two checked as minima."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import minimize

from optviz.scenario import Scenario
from surfaces import SURFACES
from surfaces.data import reseed
from tests.reference import data as ref

NAMES = sorted(ref.DEFAULTS)
CASES = [
    ("linear_regression", 0, {}),
    ("linear_regression", 7, {"n": 5, "noise": 2.0, "scale": 4.0, "mean": 2.5}),
    ("logistic_regression", 3, {"n": 100, "scale": 10.0, "corr": 0.8, "noise": 0.3}),
    ("logistic_regression", 11, {"n": 12, "noise": 0.0, "l2": 0.1}),
    ("neuron", 5, {"n": 200, "noise": 0.3, "scale": 2.0}),
    ("neuron", 0, {"n": 8}),
]


def _surface(name, seed):
    return reseed(SURFACES[name], seed)


def _params(name, given):
    return {**ref.DEFAULTS[name], **given}


def test_the_reference_defaults_are_the_registry_defaults():
    for name in NAMES:
        assert SURFACES[name].defaults() == ref.DEFAULTS[name]


@pytest.mark.parametrize(("name", "seed", "given"), CASES)
def test_data_loss_and_gradient_match_numpy(name, seed, given):
    surface, p = _surface(name, seed), _params(name, given)
    features, target = ref.dataset(name, seed, p)
    got_features, got_target = surface.data.arrays(p)
    np.testing.assert_allclose(got_features, features, rtol=1e-14)
    np.testing.assert_allclose(got_target, target, rtol=1e-14, atol=1e-15)
    grad = jax.grad(lambda w: surface.fn(w[0], w[1], **p))
    (x0, x1), (y0, y1) = surface.domain
    for w in np.random.default_rng(seed).uniform([x0, y0], [x1, y1], (10, 2)):
        loss, g = ref.loss_and_grad(name, w, features, target, p)
        assert float(surface.fn(w[0], w[1], **p)) == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(np.asarray(grad(jnp.array(w))), g, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 42])
@pytest.mark.parametrize("given", [{}, {"n": 3, "scale": 0.2, "mean": -4.0, "noise": 3.0}])
def test_least_squares_minimum_is_lstsq(seed, given):
    surface, p = _surface("linear_regression", seed), _params("linear_regression", given)
    features, target = ref.dataset("linear_regression", seed, p)
    design = np.column_stack([features[:, 0], np.ones(len(target))])
    (w, b), *_ = np.linalg.lstsq(design, target, rcond=None)
    (m,) = surface.minima(p)
    assert (m.x, m.y) == pytest.approx((w, b), rel=1e-10, abs=1e-12)
    assert m.f == pytest.approx(np.mean((design @ [w, b] - target) ** 2), rel=1e-10)


@pytest.mark.parametrize(("name", "seed", "given"), [c for c in CASES if c[0] != "linear_regression"])
def test_numerical_minima_are_minima(name, seed, given):
    """Zero NumPy gradient, positive-definite finite-difference Hessian, equal to an
    independent BFGS minimisation of the NumPy loss, and the stored value."""
    surface, p = _surface(name, seed), _params(name, given)
    features, target = ref.dataset(name, seed, p)
    minima = surface.minima(p)
    assert minima
    for m in minima:
        loss, g = ref.loss_and_grad(name, (m.x, m.y), features, target, p)
        assert m.f == pytest.approx(loss, rel=1e-12)
        assert np.abs(g).max() < 1e-9
        eps = 1e-5
        hess = np.array(
            [
                (ref.loss_and_grad(name, np.add((m.x, m.y), d), features, target, p)[1] - g) / eps
                for d in ((eps, 0), (0, eps))
            ]
        )
        assert np.linalg.eigvalsh((hess + hess.T) / 2).min() > 0
        found = minimize(
            lambda w: ref.loss_and_grad(name, w, features, target, p),
            np.sign(m.x) * np.array([0.5, 0.5]),
            jac=True,
            method="BFGS",
            options={"gtol": 1e-11},
        )
        assert found.x == pytest.approx((m.x, m.y), abs=1e-6)


def test_neuron_has_mirror_minima_and_a_saddle_at_the_origin():
    surface, p = _surface("neuron", 2), _params("neuron", {})
    plus, minus = surface.minima(p)
    assert (minus.x, minus.y) == (-plus.x, -plus.y) and minus.f == plus.f
    features, target = ref.dataset("neuron", 2, p)
    _, g = ref.loss_and_grad("neuron", (0.0, 0.0), features, target, p)
    assert np.abs(g).max() == 0
    hess = np.asarray(jax.hessian(lambda w: surface.fn(w[0], w[1], **p))(jnp.zeros(2)))
    low, high = np.linalg.eigvalsh(hess)
    assert low < 0 < high  # a saddle: the cross term -2·mean(x·y) and zero diagonal
    assert hess[0, 1] == pytest.approx(-2 * np.mean(features[:, 0] * target), rel=1e-12)


def test_the_links_seed_draws_the_data():
    one = Scenario.from_query("surface=linear_regression&seed=1").scenario.surface_def
    two = Scenario.from_query("surface=linear_regression&seed=2").scenario.surface_def
    assert one is Scenario.from_query("surface=linear_regression&seed=1").scenario.surface_def
    assert one.minima(one.defaults())[0].x != two.minima(two.defaults())[0].x
    p = ref.DEFAULTS["linear_regression"]
    np.testing.assert_allclose(two.data.arrays(p)[1], ref.dataset("linear_regression", 2, p)[1], rtol=1e-14)
    assert Scenario.from_query("surface=linear_regression&seed=0").scenario.surface_def is SURFACES["linear_regression"]


def test_more_points_keep_the_first_ones():
    surface = SURFACES["neuron"]
    few, many = (surface.data.arrays({**ref.DEFAULTS["neuron"], "n": n}) for n in (5, 50))
    np.testing.assert_array_equal(many[0][:5], few[0])
    assert len(many[1]) == 50
