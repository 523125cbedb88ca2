r"""Mini-batches: which data points each step's gradient averages over.

The rule, for ``n`` points, batch size ``B`` (``1 <= B < n``) and a key ``k`` (the
engine's ``fold_in(key(seed), start_index)``, the key a noisy surface draws its noise
from; data surfaces have no other noise):

- epoch ``e`` visits the points in the order ``order(k, e)``: the ``n`` first entries of
  ``argsort(u)``, where ``u = uniform(fold_in(k, e), (MAX_POINTS,))`` with the entries
  from ``n`` on pushed past 1 — a uniform random permutation of ``0..n-1``;
- the epochs' orders, one after the other, form one stream of points, and step ``t``
  takes its entries ``t·B … t·B + B − 1``: every batch holds exactly ``B`` points, every
  point comes once per epoch, and a batch may straddle two epochs (then it can hold one
  point twice). After ``t`` steps the run has seen ``t·B/n`` epochs.

Step ``t``'s gradient is the mean of the per-point gradients over its batch: the gradient
of :math:`\sum_i \omega_i \ell_i` with :math:`\omega_i` = (count of ``i`` in the batch)/B.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from surfaces.data import MAX_POINTS


def order(key, epoch, n):
    """The points in the order epoch ``epoch`` visits them (first ``n`` entries; the
    padding rows ``n..MAX_POINTS-1`` follow in place)."""
    u = jax.random.uniform(jax.random.fold_in(key, epoch), (MAX_POINTS,), jnp.float64)
    slots = jnp.arange(MAX_POINTS)
    return jnp.argsort(jnp.where(slots < n, u, 2.0 + slots))


def take(first_order, second_order, t, n, batch):
    """Step ``t``'s batch from the orders of the epoch its first point falls in and the
    next: ``MAX_POINTS`` indices whose first ``batch`` are the batch."""
    stream = t * batch + jnp.arange(MAX_POINTS)
    epoch, slot = stream // n, stream % n
    return jnp.where(epoch == (t * batch) // n, first_order[slot], second_order[slot])


def indices(key, t, n, batch):
    """Step ``t``'s batch (as `take`), both epochs' orders drawn here."""
    first = (t * batch) // n
    return take(order(key, first, n), order(key, first + 1, n), t, n, batch)


def weights(batch_indices, batch):
    """Each point's weight in a batch's mean: its count among the first ``batch`` of
    ``batch_indices``, over ``batch``."""
    valid = jnp.arange(MAX_POINTS) < batch
    return jnp.zeros(MAX_POINTS).at[batch_indices].add(jnp.where(valid, 1.0 / batch, 0.0))


def first_orders(key, n):
    """The cache `advance` keeps for step 0: ``(epoch 0, its order, epoch 1's order)``."""
    return jnp.int32(0), order(key, 0, n), order(key, 1, n)


def advance(key, orders, t, n, batch):
    """``orders`` for step ``t``: the orders of the epoch its batch starts in and of the
    next. With ``batch < n`` that epoch moves on by at most one a step, so a new order is
    drawn (a sort, ~40 µs on a CPU) once an epoch instead of twice a step."""
    first = (t * batch) // n

    def next_epoch(cached):
        return first, cached[2], order(key, first + 1, n)

    return jax.lax.cond(first != orders[0], next_epoch, lambda cached: cached, orders)


def batch_of(seed: int, start_index: int, t: int, n: int, batch: int) -> np.ndarray:
    """The indices of step ``t``'s batch for a link's ``seed`` and start, as the engine
    draws them (for references and generated code)."""
    key = jax.random.fold_in(jax.random.key(seed), start_index)
    return np.asarray(indices(key, jnp.int32(t), jnp.int32(n), jnp.int32(batch)))[:batch]


def epochs(steps: int, n: int, batch: int) -> float:
    """How many passes over the data ``steps`` steps make (one per step with full batches)."""
    return steps * batch / n if 0 < batch < n else float(steps)
