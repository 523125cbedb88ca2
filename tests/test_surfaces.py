"""Surfaces: published minima, vanishing gradients there, jax.grad vs analytic formulas."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from surfaces import SURFACES
from tests import reference

REQUIRED = {
    "rosenbrock",
    "beale",
    "saddle",
    "monkey_saddle",
    "noisy_quadratic",
    "quadratic",
    "himmelblau",
    "rastrigin",
    "six_hump_camel",
    "ackley",
    "booth",
}

# Published values (Surjanovic & Bingham's library; Jamil & Yang 2013), rounded as printed.
PUBLISHED = {
    "rosenbrock": [(1, 1, 0)],
    "beale": [(3, 0.5, 0)],
    "himmelblau": [(3, 2, 0), (-2.805118, 3.131312, 0), (-3.779310, -3.283186, 0), (3.584428, -1.848126, 0)],
    "six_hump_camel": [(0.0898, -0.7126, -1.0316), (-0.0898, 0.7126, -1.0316)],
    "rastrigin": [(0, 0, 0)],
    "ackley": [(0, 0, 0)],
    "booth": [(1, 3, 0)],
    "quadratic": [(0, 0, 0)],
}


def _value(surface, x, y, **params):
    return float(surface(jnp.float64(x), jnp.float64(y), **params))


def _grad(surface, x, y, **params):
    g = jax.grad(lambda p: surface(p[0], p[1], **params))(jnp.array([x, y], dtype=jnp.float64))
    return np.asarray(g)


def test_registry_names_and_fields():
    assert REQUIRED <= set(SURFACES)
    for s in SURFACES.values():
        (x0, x1), (y0, y1) = s.domain
        assert x0 < s.start[0] < x1 and y0 < s.start[1] < y1
        assert s.latex and s.note and s.title
        for p in s.params:
            assert p.lo <= p.default <= p.hi


def test_beale_third_term_and_published_definition():
    beale = SURFACES["beale"]
    # At (x, y) = (1, 1): (1.5)^2 + (2.25)^2 + (2.625)^2.
    assert _value(beale, 1.0, 1.0) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2, rel=1e-15)
    assert _value(beale, 2.0, -1.0) == pytest.approx((1.5 - 4) ** 2 + 2.25**2 + (2.625 - 4) ** 2, rel=1e-15)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_minima(name):
    surface = SURFACES[name]
    known = surface.minima(surface.defaults())
    for x, y, f in PUBLISHED[name]:
        assert _value(surface, x, y) == pytest.approx(f, abs=1e-3)
        closest = min(known, key=lambda m: np.hypot(m.x - x, m.y - y))
        assert np.hypot(closest.x - x, closest.y - y) < 1e-4
        assert closest.f == pytest.approx(f, abs=1e-4)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_registered_minima_are_minima(name):
    """f matches the stored value, the gradient vanishes, the Hessian is positive definite."""
    surface = SURFACES[name]
    params = surface.defaults()
    for m in surface.minima(params):
        assert _value(surface, m.x, m.y) == pytest.approx(m.f, abs=1e-12)
        assert np.abs(_grad(surface, m.x, m.y)).max() < 1e-8
        if name != "ackley":  # Ackley's minimum is a cone tip: no Hessian there
            hess = jax.hessian(lambda p: surface(p[0], p[1]))(jnp.array([m.x, m.y]))
            assert np.linalg.eigvalsh(np.asarray(hess)).min() > 0
    globals_ = [m for m in surface.minima(params) if m.kind == "global"]
    if globals_:
        assert all(m.f <= n.f for m in globals_ for n in surface.minima(params))


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_jax_grad_matches_analytic_gradient(name):
    surface = SURFACES[name]
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = surface.domain
    for x, y in zip(rng.uniform(x0, x1, 25), rng.uniform(y0, y1, 25), strict=True):
        np.testing.assert_allclose(_grad(surface, x, y), reference.GRADIENTS[name](x, y), rtol=1e-10, atol=1e-10)


def test_parameters_move_the_minimum():
    rosen, saddle = SURFACES["rosenbrock"], SURFACES["saddle"]
    (m,) = rosen.minima({"a": 0.5, "b": 10.0})
    assert (m.x, m.y) == (0.5, 0.25)
    assert np.abs(_grad(rosen, 0.5, 0.25, a=0.5, b=10.0)).max() == 0
    lows = saddle.minima({"c": 0.2})
    assert len(lows) == 2 and all(np.abs(_grad(saddle, m.x, m.y, c=0.2)).max() < 1e-12 for m in lows)
    assert saddle.minima({"c": 0.0}) == ()
    assert SURFACES["monkey_saddle"].minima({}) == ()


def test_quadratic_condition_number():
    q = SURFACES["quadratic"]
    hess = jax.hessian(lambda p: q(p[0], p[1], kappa=50.0, h=2.0))(jnp.zeros(2))
    np.testing.assert_allclose(np.asarray(hess), np.diag([2.0, 2.0 / 50]), rtol=1e-15)


@pytest.mark.parametrize("angle", [30.0, -45.0, 90.0])
def test_a_rotated_quadratic_is_the_rotated_hessian(angle):
    """H = R diag(h, h/κ) Rᵀ with R the rotation by the angle: the steep axis turns with it."""
    q = SURFACES["quadratic"]
    hess = jax.hessian(lambda p: q(p[0], p[1], kappa=50.0, h=2.0, angle=angle))(jnp.zeros(2))
    a = np.radians(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    np.testing.assert_allclose(np.asarray(hess), rot @ np.diag([2.0, 2.0 / 50]) @ rot.T, atol=1e-14)


def test_ackley_gradient_at_the_cone_tip_is_zero_not_nan():
    assert np.array_equal(_grad(SURFACES["ackley"], 0.0, 0.0), [0.0, 0.0])
