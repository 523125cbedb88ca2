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
of another seed. A person's own points (`with_points`, at most `MAX_OWN_POINTS`) replace
the drawn data: their table holds the points' columns as they are (features, then the
target), padded with zero rows to `MAX_POINTS`, and the parameters that shape drawn
data (`Model.drawn`) no longer apply.

Compiled kernels do not bake a data set in: they read the table from their traced
parameters (`kernel_params`, key `TABLE`) and are keyed by `kernel_surface`, one surface
per model and kind of table, so another seed or an edited point compiles nothing.
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
MIN_OWN_POINTS, MAX_OWN_POINTS = 2, MAX_POINTS  # a person's own data set (any drawn one can become one)
OWN_RANGE = 1000.0  # |value| of an own point's column at most this
TABLE = "table"  # the traced parameter that carries a kernel's data table


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
      drawn: the parameters that only shape drawn data (the number of points first);
        own points set ``n`` and leave the others at their defaults.
      labels: the values the target may take (a classifier's classes), or ``None``.
    """

    make: Callable
    loss: Callable
    minima: Callable
    columns: tuple[str, ...]
    drawn: tuple[str, ...] = ("n",)
    labels: tuple[float, ...] | None = None


def given(table, params, xp):
    """Own points: the table's columns as they are, ``(features, target)``."""
    return table[:, :-1], table[:, -1]


@functools.lru_cache(maxsize=64)
def own_table(points: tuple[tuple[float, ...], ...]) -> np.ndarray:
    """Own points as a data table: one row per point, zero rows up to `MAX_POINTS` (read-only)."""
    table = np.zeros((MAX_POINTS, len(points[0])))
    table[: len(points)] = points
    table.flags.writeable = False
    return table


@dataclass(frozen=True, eq=False)
class Data:
    """A model's data: drawn from ``seed``, or a person's ``own`` points (one tuple of
    column values per point); the arrays, the per-point losses and their weights."""

    model: Model
    seed: int
    own: tuple[tuple[float, ...], ...] | None = None

    @property
    def draws(self) -> np.ndarray:
        """The table the data are made from: the seed's draws, or the own points' columns."""
        return draws(self.seed) if self.own is None else own_table(self.own)

    @property
    def make(self) -> Callable:
        """``make(table, params, xp) -> (features, target)`` for this kind of table."""
        return self.model.make if self.own is None else given

    def arrays(self, params: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` points as NumPy arrays: features ``(n, k)`` and target ``(n,)``."""
        features, target = self.make(self.draws, params, np)
        n = points(params)
        return features[:n], target[:n]

    def examples(self, w1, w2, params):
        """Each of the `MAX_POINTS` points' loss at ``(w1, w2)`` (shape ``(..., MAX_POINTS)``);
        rows at or past ``n`` are padding, weighted 0. The table is ``params[TABLE]`` where
        a kernel passes it, else this data's own."""
        return examples(self.model, self.make, params.get(TABLE, self.draws), w1, w2, params)

    def loss(self, w1, w2, params, weights=None):
        """Σ ω_i ℓ_i(w), the full-batch loss unless ``weights`` are given."""
        table = params.get(TABLE, self.draws)
        return weighted_loss(self.model, self.make, table, w1, w2, params, weights)


def examples(model: Model, make: Callable, table, w1, w2, params):
    """Each point's loss at ``(w1, w2)`` on the data ``make`` makes from ``table``."""
    features, target = make(jnp.asarray(table), params, jnp)
    return model.loss(jnp.expand_dims(w1, -1), jnp.expand_dims(w2, -1), features, target, params, jnp)


def weighted_loss(model: Model, make: Callable, table, w1, w2, params, weights=None):
    """Σ ω_i ℓ_i(w) on the data ``make`` makes from ``table``; ``weights`` default to `full_weights`."""
    weights = full_weights(params) if weights is None else weights
    return jnp.sum(examples(model, make, table, w1, w2, params) * weights, axis=-1)


def full_weights(params):
    """``[i < n] / n``: the full batch's weight of each point."""
    n = jnp.clip(jnp.round(jnp.asarray(params["n"])), 1, MAX_POINTS)
    return jnp.where(jnp.arange(MAX_POINTS) < n, 1.0 / n, 0.0)


@functools.lru_cache(maxsize=8)
def _derivatives(model: Model, make: Callable):
    """Jitted value, gradient and Hessian of the full-batch loss in ``w = (w1, w2)``."""

    def loss(w, table, params):
        return weighted_loss(model, make, table, w[0], w[1], params)

    return jax.jit(loss), jax.jit(jax.grad(loss)), jax.jit(jax.hessian(loss))


def newton(data: Data, params: Mapping[str, float], start, steps: int = 100) -> np.ndarray | None:
    """A stationary point of the full-batch loss by damped Newton steps from ``start`` in
    float64, or ``None`` unless the gradient vanishes (≤ 1e-10) where the Hessian is
    positive definite, i.e. unless it is a minimum. Each step is halved until the loss does
    not rise (a full Newton step can overshoot far from the minimum, e.g. on a classifier's
    flat tails)."""
    value, grad, hess = _derivatives(data.model, data.make)
    table = jnp.asarray(data.draws)
    values = {k: jnp.float64(v) for k, v in params.items()}
    w = np.array(start, dtype=np.float64)
    f = float(value(w, table, values))
    for _ in range(steps):
        g, h = np.asarray(grad(w, table, values)), np.asarray(hess(w, table, values))
        if np.max(np.abs(g)) <= 1e-12:
            break
        shift = max(0.0, 1e-8 - np.linalg.eigvalsh(h)[0])  # Levenberg: keep the step downhill
        step, t = -np.linalg.solve(h + shift * np.eye(2), g), 1.0
        trial = float(value(w + step, table, values))
        while t > 1e-10 and not trial <= f:  # NaN: halve too
            t /= 2
            trial = float(value(w + t * step, table, values))
        w, f = w + t * step, trial
    g, h = np.asarray(grad(w, table, values)), np.asarray(hess(w, table, values))
    if not (np.all(np.isfinite(w)) and np.max(np.abs(g)) <= 1e-10 and np.linalg.eigvalsh(h)[0] > 0):
        return None
    return w


def points(params: Mapping[str, float]) -> int:
    """The number of points ``n`` the parameters ask for, within 1..`MAX_POINTS`."""
    return int(min(max(round(float(params["n"])), 1), MAX_POINTS))


def count_param(default: int) -> Param:
    return Param("n", default, 2, MAX_POINTS, kind="int", help="number of data points")


def data_surface(template: Surface, model: Model, seed: int, own: tuple | None = None) -> Surface:
    """``template`` (name, domain, start, text, parameters) as the loss over ``model``'s
    data for ``seed`` (or its ``own`` points): its ``fn`` the full-batch mean loss, its
    minima computed."""
    data = Data(model, int(seed), own)

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


@functools.lru_cache(maxsize=64)
def with_points(surface: Surface, own: tuple[tuple[float, ...], ...]) -> Surface:
    """``surface``'s model fitted to ``own`` points (checked by `check_points`) instead of drawn data."""
    return data_surface(surface, surface.data.model, surface.data.seed, tuple(map(tuple, own)))


def own_params(model: Model, specs, params: Mapping[str, float], count: int) -> dict:
    """The parameters of an own data set of ``count`` points: the drawn-data ones at their
    defaults but ``n``, the model's own (a penalty, say) as given."""
    return {
        p.name: (count if p.name == "n" else p.default) if p.name in model.drawn else params.get(p.name, p.default)
        for p in specs
    }


def check_point(model: Model, point) -> tuple[float, ...]:
    """One own point as floats, or ValueError saying what is wrong with it."""
    columns = model.columns
    values = tuple(float(v) for v in point)  # ValueError: not numbers
    if len(values) != len(columns):
        raise ValueError(f"a point is {':'.join(columns)} ({len(columns)} numbers)")
    if not all(np.isfinite(values)) or max(abs(v) for v in values) > OWN_RANGE:
        raise ValueError(f"a point's values are finite numbers within ±{OWN_RANGE:g}")
    if model.labels is not None and values[-1] not in model.labels:
        allowed = " or ".join(f"{v:g}" for v in model.labels)
        raise ValueError(f"{columns[-1]} is {allowed}")
    return values


def read_points(model: Model, texts) -> tuple[list[tuple[float, ...]], list[tuple[str, str]]]:
    """Point texts (``x:y``, ``x1:x2:label``) read as `check_point` takes them: the valid
    points, and ``(text, why)`` for each of the others."""
    valid, refused = [], []
    for text in texts:
        try:
            valid.append(check_point(model, text.split(":")))
        except ValueError as err:
            refused.append((text, "not numbers" if "could not convert" in str(err) else str(err)))
    return valid, refused


def not_drawn(model: Model, specs):
    """The parameters of ``specs`` that still apply to own points (not `Model.drawn`)."""
    return tuple(p for p in specs if p.name not in model.drawn)


def check_points(model: Model, own) -> tuple[tuple[float, ...], ...]:
    """Own points as tuples of floats, or ValueError: `MIN_OWN_POINTS`..`MAX_OWN_POINTS` of
    them, each valid for ``model`` (`check_point`)."""
    if not MIN_OWN_POINTS <= len(own) <= MAX_OWN_POINTS:
        raise ValueError(f"own data are {MIN_OWN_POINTS} to {MAX_OWN_POINTS} points, got {len(own)}")
    return tuple(check_point(model, point) for point in own)


_KERNEL_SURFACES: dict[tuple[str, bool], Surface] = {}


def kernel_surface(surface: Surface) -> Surface:
    """The surface a compiled kernel is keyed by: ``surface`` itself, or for data the first
    surface seen of its model and kind of table (drawn or own), whose kernels read the
    data from `kernel_params`."""
    if surface.data is None:
        return surface
    return _KERNEL_SURFACES.setdefault((surface.name, surface.data.own is None), surface)


def kernel_params(surface: Surface, params: Mapping[str, float]) -> dict:
    """A kernel's traced surface parameters: the values as float64, and a data surface's table."""
    values = {k: np.float64(v) for k, v in params.items()}
    return values if surface.data is None else values | {TABLE: surface.data.draws}
