r"""Data-driven surfaces: the loss of a small model over its two weights, on data drawn
from a seed.

A model's data set holds up to `MAX_POINTS` points made from one table of standard
normal draws, ``draws(seed)`` (NumPy's PCG64 stream of ``default_rng(seed)``, shape
``MAX_POINTS × 3``), transformed by the surface's parameters (how many points, their
noise, the scale ratio and correlation of the features). The first ``n`` rows are the
data, so a larger ``n`` adds points and keeps the others.

The loss is the mean of the per-point losses :math:`\ell_i(w_1, w_2)`,

.. math:: L(w) = \sum_i \omega_i\,\ell_i(w), \qquad \omega_i = [i < n]/n,

and a mini-batch loss is the same sum with other weights ω (each point's count in the
batch over the batch size), which is how the engine draws mini-batch gradients.

The registry holds each surface for seed 0; `reseed` gives the same surface on the data
of another seed (one object per seed, cached, so compiled kernels are shared).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import jax
import jax.numpy as jnp
import numpy as np

from surfaces.core import Minimum, Param, Surface

MAX_POINTS = 256


@functools.lru_cache(maxsize=64)
def draws(seed: int) -> np.ndarray:
    """The standard normal table every data set of ``seed`` is made from (read-only)."""
    table = np.random.default_rng(int(seed)).standard_normal((MAX_POINTS, 3))
    table.flags.writeable = False
    return table


@dataclass(frozen=True, eq=False)
class Model:
    """A model with two weights and the data it is fitted to.

    Args:
      make: ``make(draws, params, xp) -> (features, target)``, the data set from the
        draw table (``features`` is ``MAX_POINTS × k``); ``xp`` is NumPy or jax.numpy.
      loss: ``loss(w1, w2, features, target, params, xp)``, each point's loss; ``w1``
        and ``w2`` carry a trailing axis of length 1 to broadcast over the points.
      minima: ``minima(data, params) -> tuple[Minimum, ...]`` computed from the data.
      columns: the names of the feature columns, then the target's (a CSV header).
    """

    make: Callable
    loss: Callable
    minima: Callable
    columns: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Data:
    """A model's data for one seed: the arrays, the per-point losses and their weights."""

    model: Model
    seed: int

    @property
    def draws(self) -> np.ndarray:
        return draws(self.seed)

    def arrays(self, params: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` points as NumPy arrays: features ``(n, k)`` and target ``(n,)``."""
        features, target = self.model.make(self.draws, params, np)
        n = points(params)
        return features[:n], target[:n]

    def examples(self, w1, w2, params):
        """Each of the `MAX_POINTS` points' loss at ``(w1, w2)`` (shape ``(..., MAX_POINTS)``);
        rows at or past ``n`` are padding, weighted 0."""
        return examples(self.model, jnp.asarray(self.draws), w1, w2, params)

    def loss(self, w1, w2, params, weights=None):
        """Σ ω_i ℓ_i(w), the full-batch loss unless ``weights`` are given."""
        return weighted_loss(self.model, jnp.asarray(self.draws), w1, w2, params, weights)


def examples(model: Model, table, w1, w2, params):
    """Each point's loss at ``(w1, w2)`` on the data made from ``table``."""
    features, target = model.make(table, params, jnp)
    return model.loss(jnp.expand_dims(w1, -1), jnp.expand_dims(w2, -1), features, target, params, jnp)


def full_weights(params):
    """``[i < n] / n``: the full batch's weight of each point."""
    n = jnp.clip(jnp.round(jnp.asarray(params["n"])), 1, MAX_POINTS)
    return jnp.where(jnp.arange(MAX_POINTS) < n, 1.0 / n, 0.0)


def weighted_loss(model: Model, table, w1, w2, params, weights=None):
    """Σ ω_i ℓ_i(w); ``weights`` default to `full_weights`."""
    weights = full_weights(params) if weights is None else weights
    return jnp.sum(examples(model, table, w1, w2, params) * weights, axis=-1)


@functools.lru_cache(maxsize=8)
def _derivatives(model: Model):
    """Jitted gradient and Hessian of the full-batch loss in ``w = (w1, w2)``."""

    def loss(w, table, params):
        return weighted_loss(model, table, w[0], w[1], params)

    return jax.jit(jax.grad(loss)), jax.jit(jax.hessian(loss))


def newton(data: Data, params: Mapping[str, float], start, steps: int = 100) -> np.ndarray | None:
    """A stationary point of the full-batch loss by damped Newton steps from ``start`` in
    float64, or ``None`` unless the gradient vanishes (≤ 1e-10) where the Hessian is
    positive definite, i.e. unless it is a minimum."""
    grad, hess = _derivatives(data.model)
    table = jnp.asarray(data.draws)
    values = {k: jnp.float64(v) for k, v in params.items()}
    w = np.array(start, dtype=np.float64)
    for _ in range(steps):
        g, h = np.asarray(grad(w, table, values)), np.asarray(hess(w, table, values))
        if np.max(np.abs(g)) <= 1e-12:
            break
        shift = max(0.0, 1e-8 - np.linalg.eigvalsh(h)[0])  # Levenberg: keep the step downhill
        w = w - np.linalg.solve(h + shift * np.eye(2), g)
    g, h = np.asarray(grad(w, table, values)), np.asarray(hess(w, table, values))
    if not (np.all(np.isfinite(w)) and np.max(np.abs(g)) <= 1e-10 and np.linalg.eigvalsh(h)[0] > 0):
        return None
    return w


def points(params: Mapping[str, float]) -> int:
    """The number of points ``n`` the parameters ask for, within 1..`MAX_POINTS`."""
    return int(min(max(round(float(params["n"])), 1), MAX_POINTS))


def count_param(default: int) -> Param:
    return Param("n", default, 2, MAX_POINTS, kind="int", help="number of data points")


def data_surface(template: Surface, model: Model, seed: int) -> Surface:
    """``template`` (name, domain, start, text, parameters) as the loss over ``model``'s
    data for ``seed``: its ``fn`` the full-batch mean loss, its minima computed."""
    data = Data(model, int(seed))

    def fn(x, y, **params):
        return data.loss(x, y, params)

    @functools.lru_cache(maxsize=64)
    def minima(items: tuple) -> tuple[Minimum, ...]:
        with jax.enable_x64(True):  # Newton's method in float64, whoever imported JAX
            return model.minima(data, dict(items))

    return replace(template, fn=fn, minima=lambda params: minima(tuple(sorted(params.items()))), data=data)


@functools.lru_cache(maxsize=64)
def reseed(surface: Surface, seed: int) -> Surface:
    """``surface`` on the data of ``seed`` (itself if it holds no data or has that seed)."""
    if surface.data is None or surface.data.seed == seed:
        return surface
    return data_surface(surface, surface.data.model, seed)
