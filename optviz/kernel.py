r"""The compiled loop: one jitted function per *structure* that runs an optimizer's steps.

A structure is the surface, the optimizer's builder, its boolean flags, the step bucket,
whether gradients come from mini-batches and what a step needs besides its gradient
(`Optimizer.needs`). Each run is a ``jax.lax.while_loop`` that runs exactly ``steps``
iterations into buffers of the step bucket's length, ``vmap``-ped over start points or
learning rates. Learning rates, numeric hyperparameters, surface parameters, the step count
and the schedule's multipliers enter as traced data, so moving a slider never recompiles; the
buffers have the next power of two above ``steps``, so changing it recompiles at most once per
bucket. (A padded ``lax.scan`` gating every step was measured 5x slower for AMSGrad and RAdam
on CPU.) Everything runs in float64.

Per step t the loop evaluates the loss and gradient at :math:`\theta_t` (plus
:math:`\sigma\xi_t` on noisy surfaces, :math:`\xi_t` drawn from
``fold_in(fold_in(key(seed), start_index), t)``), asks the optax transformation for
the update :math:`u_t`, and sets :math:`\theta_{t+1} = \theta_t + u_t`. On a data
surface with a mini-batch size B < n the gradient is instead the mean over step t's
batch (`optviz.batches`, drawn from the same key), while the loss recorded stays the
full-batch loss; full batches (and every other surface) compile the unbatched loop. What
a step needs besides its gradient is computed the same way: the loss, the gradient at
another point (SAM's ``grad_fn``), the step's loss as a function (a line search's
``value_fn``, a Hessian probe's ``obj_fn``), a key for the optimizer's own draws.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optviz import batches
from optviz.optimizers import OPTIMIZERS
from optviz.optimizers.core import Needs
from surfaces.core import Surface
from surfaces.data import full_weights

NEVER = np.iinfo(np.int32).max
OWN_DRAWS = 0xFFFFFFFF  # fold_in data of an optimizer's own key: no step index of the surface's noise reaches it
_MIN_BUCKET = 16
_traces = 0


def trace_count() -> int:
    """How many times a simulation kernel has been traced (= compiled) in this process."""
    return _traces


def bucket(n: int) -> int:
    """The padded length for ``n``: the next power of two, at least 16."""
    return max(_MIN_BUCKET, 1 << (max(n, 1) - 1).bit_length())


def _status(p, loss, g, box, minima, tol, xp=jnp):
    """Per-row flags: ``ok`` (finite and inside the escape box) and ``hit`` (within
    ``tol`` of the value of the nearest known minimum). Leading axes broadcast; ``xp``
    is ``jax.numpy`` inside kernels and ``numpy`` on recorded paths."""
    x, y = p[..., 0], p[..., 1]
    ok = xp.isfinite(loss) & xp.isfinite(g[..., 0]) & xp.isfinite(g[..., 1])
    ok &= (x >= box[0, 0]) & (x <= box[0, 1]) & (y >= box[1, 0]) & (y <= box[1, 1])  # NaN compares False
    nearest, f_star = xp.inf, xp.nan
    for mx, my, mf in minima:  # a handful of known minima (NaN row: none)
        d2 = (x - mx) ** 2 + (y - my) ** 2
        closer = d2 < nearest  # strict: ties go to the first listed
        nearest, f_star = xp.where(closer, d2, nearest), xp.where(closer, mf, f_star)
    return ok, xp.abs(loss - f_star) <= tol


def _outcome(ok, hit, xp=jnp):
    """``(diverged_at, converged_at)`` from per-row flags: the first row that is not ok,
    and the first hit before it; ``NEVER`` where there is none."""

    def first(mask):
        return xp.where(xp.any(mask, axis=-1), xp.argmax(mask, axis=-1), NEVER).astype(xp.int32)

    div, conv = first(~ok), first(hit)
    return div, xp.where(conv < div, conv, NEVER).astype(xp.int32)


class _Steps:
    """How step t of one run sees the surface: its gradient (a mini-batch mean, or the exact one
    plus the step's noise draw σ·ξ_t) and, for an optimizer that needs them, its loss, its
    gradient at another point and its loss as a function. ``orders`` are the epochs' orders of
    a batched run (`optviz.batches`), already advanced to step t; () otherwise."""

    def __init__(self, surface: Surface, sp: dict, key, batched: bool, batch):
        self.surface, self.sp, self.key, self.batched, self.batch = surface, sp, key, batched, batch
        self.points = jnp.clip(jnp.round(sp["n"]), 1, batches.MAX_POINTS).astype(jnp.int32) if batched else None
        self.exact = jax.value_and_grad(self.loss)

    def loss(self, p):
        return self.surface.fn(p[..., 0], p[..., 1], **self.sp)

    def first_orders(self):
        """A batched run carries the orders of the epochs its batch spans (`batches.advance`)."""
        return batches.first_orders(self.key, self.points) if self.batched else ()

    def value_and_grad(self, p, t, orders):
        """``(loss, gradient, the loss the gradient's points give, orders)`` at step t: on a
        mini-batch the full-batch loss, the batch's mean gradient and mean loss."""
        if self.batched:
            orders = batches.advance(self.key, orders, t, self.points, self.batch)
            return (*_batch_value_and_grad(self.surface.data, self.sp, orders, t, self.points, self.batch, p), orders)
        loss, g = self.exact(p)
        if self.surface.noise:
            g = g + self.noise(t, p.dtype)
        return loss, g, loss, orders

    def noise(self, t, dtype):
        """Step t's gradient noise σ·ξ_t, ξ_t ~ N(0, I)."""
        return self.sp[self.surface.noise] * jax.random.normal(jax.random.fold_in(self.key, t), (2,), dtype)

    def step_loss(self, t, orders):
        """Step t's loss as a function of the point, for a line search or a Hessian estimate: the
        loss whose gradient the step takes. On a mini-batch, the batch's mean loss; on a surface
        with gradient noise, the loss tilted by ⟨σ·ξ_t, θ⟩, whose gradient is f's plus the noise."""
        if self.batched:
            weights = _batch_weights(orders, t, self.points, self.batch)
            return lambda q: self.surface.data.examples(q[..., 0], q[..., 1], self.sp) @ weights.astype(q.dtype)
        if self.surface.noise:
            return lambda q: self.loss(q) + self.noise(t, q.dtype) @ q
        return self.loss

    def grad_fn(self, t, orders):
        """Step t's gradient at any point ``q`` (optax's ``grad_fn(params, i)``): the same
        mini-batch, the same noise draw."""

        def grad_fn(q, _):
            if self.batched:
                return _batch_value_and_grad(self.surface.data, self.sp, orders, t, self.points, self.batch, q)[1]
            return self.value_and_grad(q, t, orders)[1]

        return grad_fn

    def extras(self, needs: Needs, t, orders, p, g, seen) -> dict:
        """What ``tx.update`` takes at step t besides the gradient, state and position."""
        extra = ({"value": seen} if needs.value else {}) | (
            {"grad_fn": self.grad_fn(t, orders)} if needs.grad_fn else {}
        )
        if needs.line_search:
            fn = self.step_loss(t, orders)
            extra = {"value": fn(p), "grad": g, "value_fn": fn}
        if needs.obj_fn:
            extra["obj_fn"] = self.step_loss(t, orders)
        return extra


def _compile(
    surface: Surface,
    build,
    static: tuple,
    length: int,
    batched: bool,
    needs: Needs,
    record: bool,
    over: str,
):
    """Compile-once function for one structure: runs ``n <= length`` steps (``n`` traced),
    batched over ``over``: ``"starts"`` maps over (start, index), ``"lrs"`` over the
    learning rate. With ``record`` it returns every row's position, loss and gradient
    (flags are found on the host) and the gradient evaluations a line search spent; without,
    only final values and the two flags. ``batched``: the gradient is a mini-batch mean (batch
    size traced). ``needs``: what a step takes beyond the gradient (`Optimizer.needs`, `_Steps`).
    """

    def run_one(start, index, seed, lr, hp, sp, mults, n, box, minima, tol, batch):
        global _traces
        _traces += 1  # Python side effect: runs once per trace, never when cached

        key = jax.random.fold_in(jax.random.key(seed), index)
        steps = _Steps(surface, sp, key, batched, batch)
        own = {"key": jax.random.fold_in(key, OWN_DRAWS)} if needs.key else {}
        tx = build(learning_rate=lambda count: lr * mults[count], **hp, **dict(static), **own)

        def row(p, loss, g):
            # Recording only the position keeps the loop small (measured: also stacking
            # gradient and update made a 1-lane Adam loop 13x slower on CPU); the rest of
            # each row is recomputed below, vectorised.
            return (p, loss, g) if record else _status(p, loss, g, box, minima, tol)

        def step(carry):
            t, p, state, rows, orders, spent = carry
            loss, g, seen, orders = steps.value_and_grad(p, t, orders)
            update, state = tx.update(g, state, p, **steps.extras(needs, t, orders, p, g, seen))
            if needs.line_search:
                spent = spent + optax.tree_utils.tree_get(state, "num_linesearch_steps").astype(spent.dtype)
            rows = jax.tree.map(lambda buffer, value: buffer.at[t].set(value), rows, row(p, loss, g))
            # A diverged run goes on computing garbage that is never read: its outputs
            # are cut at `div`.
            return t + 1, p + update, state, rows, orders, spent

        # Exactly n iterations, so no state is gated per step and padded rows cost
        # nothing; the buffers have the bucket's length, so n itself is traced.
        shapes = jax.eval_shape(lambda p: row(p, *steps.exact(p)), start)
        rows = jax.tree.map(lambda s: jnp.zeros((length + 1, *s.shape), s.dtype), shapes)
        carry = (jnp.int32(0), start, tx.init(start), rows, steps.first_orders(), jnp.int32(0))
        _, p, _, rows, _, spent = jax.lax.while_loop(lambda c: c[0] < n, step, carry)
        loss, g = steps.exact(p)
        rows = jax.tree.map(lambda buffer, value: buffer.at[n].set(value), rows, row(p, loss, g))
        if record:
            # Row k of the path is the position after k steps; rows past n are padding.
            # Flags are found on the host (measured: doing it here over the bucket's
            # rows cost more than the 1,000 steps themselves).
            return dict(zip(("path", "loss", "grad"), rows, strict=True)) | {"searched": spent}
        ok, hit = rows
        real = jnp.arange(length + 1) <= n
        div, conv = _outcome(ok | ~real, hit & real)
        return {"final": p, "final_loss": loss, "diverged_at": div, "converged_at": conv}

    axes = {"starts": (0, 0, None, None), "lrs": (None, None, None, 0)}[over]
    return jax.jit(jax.vmap(run_one, in_axes=(*axes, *(None,) * 8)))


# Compiled kernels by structure, least recently used dropped first (a kernel holds ~2.4–4.6 MB,
# docs/memory.md). The explorer's pool; a race of every optimizer (`optviz.zoo`) has its own,
# sized to hold one race's kernels (one per optimizer), so that a race redrawn for a new
# start compiles nothing and a race never flushes the explorer's kernels; a race on another
# surface replaces them.
_kernel = functools.lru_cache(maxsize=32)(_compile)
RACE_POOL = len(OPTIMIZERS) + 4
_race_kernel = functools.lru_cache(maxsize=RACE_POOL)(_compile)


def _batch_value_and_grad(data, sp, orders, t, n, batch, p):
    """The full-batch loss at ``p``, the mean gradient over step ``t``'s mini-batch (from its
    epochs' ``orders``) and that mini-batch's mean loss, from one evaluation of the per-point
    losses and one pullback."""
    examples, pullback = jax.vjp(lambda q: data.examples(q[..., 0], q[..., 1], sp), p)
    loss = examples @ full_weights(sp)
    weights = _batch_weights(orders, t, n, batch).astype(examples.dtype)
    (g,) = pullback(weights)
    return loss, g, examples @ weights


def _batch_weights(orders, t, n, batch):
    """Each point's weight in step ``t``'s mini-batch mean (1/batch for its points, else 0)."""
    return batches.weights(batches.take(orders[1], orders[2], t, n, batch), batch)
