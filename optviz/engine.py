r"""The simulation engine: `Scenario` in, `Result` of NumPy arrays out.

Each optimizer run is one compiled loop over steps (a ``jax.lax.while_loop`` that runs
exactly ``steps`` iterations into buffers of the step bucket's length), compiled once per
*structure* (surface, optimizer builder, its boolean flags, step bucket) and
``vmap``-ped over start points (trajectories, basin maps) or learning rates (sweeps).
Learning rates, numeric hyperparameters, surface parameters, the step count and the
schedule's multipliers enter as traced data, so moving a slider never recompiles; the
buffers have the next power of two above ``steps``, so changing it recompiles at most
once per bucket. (A padded ``lax.scan`` gating every step was measured 5x slower for
AMSGrad and RAdam on CPU.) Everything runs in float64.

Per step t the loop evaluates the loss and gradient at :math:`\theta_t` (plus
:math:`\sigma\xi_t` on noisy surfaces, :math:`\xi_t` drawn from
``fold_in(fold_in(key(seed), start_index), t)``), asks the optax transformation for
the update :math:`u_t`, and sets :math:`\theta_{t+1} = \theta_t + u_t`. On a data
surface with a mini-batch size B < n the gradient is instead the mean over step t's
batch (`optviz.batches`, drawn from the same key), while the loss recorded stays the
full-batch loss; full batches (and every other surface) compile the unbatched loop. An
optimizer that takes a second gradient a step (SAM, `Optimizer.grad_evals`) gets a
``grad_fn`` that takes it at another point with step t's noise draw or mini-batch.

A run *diverges* at row k when :math:`\theta_k`, :math:`f(\theta_k)` or its gradient
is non-finite or :math:`\theta_k` leaves the escape box (the plotting domain widened
by 10 domain-widths on every side). It stops there: its arrays end at row k-1, so no
NaN or Inf ever leaves the engine. It *converges* at the first row k with
:math:`|f(\theta_k) - f^*| \le` ``tol``, :math:`f^*` the value of the known minimum
nearest to :math:`\theta_k`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optviz import batches
from optviz.optimizers import OPTIMIZERS
from optviz.optimizers.core import Needs
from optviz.scenario import OptRun, Scenario
from optviz.schedules import multipliers
from surfaces.core import Minimum, Surface
from surfaces.data import full_weights, points

NEVER = np.iinfo(np.int32).max
OWN_DRAWS = 0xFFFFFFFF  # fold_in data of an optimizer's own key: no step index of the surface's noise reaches it
ESCAPE_WIDTHS = 10.0
_MIN_BUCKET = 16
_traces = 0


def trace_count() -> int:
    """How many times a simulation kernel has been traced (= compiled) in this process."""
    return _traces


def bucket(n: int) -> int:
    """The padded length for ``n``: the next power of two, at least 16."""
    return max(_MIN_BUCKET, 1 << (max(n, 1) - 1).bit_length())


def device_name() -> str:
    """The device JAX computes on, e.g. ``"cpu"`` or ``"gpu (NVIDIA H100 80GB HBM3)"``."""
    device = jax.devices()[0]
    return device.platform if device.platform == "cpu" else f"{device.platform} ({device.device_kind})"


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
    (flags are found on the host); without, only final values and the two flags.
    ``batched``: the gradient is a mini-batch mean (batch size traced). ``needs``: what a step
    takes beyond the gradient (`Optimizer.needs`): the loss of the points the gradient is taken
    over (a mini-batch's own loss on a batched run); a gradient function (``grad_fn``) that takes
    the gradient at another point as the step's own is taken, with the step's noise draw, over
    the step's mini-batch; the step's loss as a function (`step_loss`) for a line search, whose
    gradient evaluations are counted, or for a Hessian estimate; a key for its own draws.
    """

    def run_one(start, index, seed, lr, hp, sp, mults, n, box, minima, tol, batch):
        global _traces
        _traces += 1  # Python side effect: runs once per trace, never when cached

        def loss_fn(p):
            return surface.fn(p[..., 0], p[..., 1], **sp)

        value_and_grad = jax.value_and_grad(loss_fn)
        key = jax.random.fold_in(jax.random.key(seed), index)
        own = {"key": jax.random.fold_in(key, OWN_DRAWS)} if needs.key else {}
        tx = build(learning_rate=lambda count: lr * mults[count], **hp, **dict(static), **own)

        points = jnp.clip(jnp.round(sp["n"]), 1, batches.MAX_POINTS).astype(jnp.int32) if batched else None

        def noisy_value_and_grad(p, t, orders):
            if batched:
                orders = batches.advance(key, orders, t, points, batch)
                return (*_batch_value_and_grad(surface.data, sp, orders, t, points, batch, p), orders)
            loss, g = value_and_grad(p)
            if surface.noise:
                g = g + noise(t, p.dtype)
            return loss, g, loss, orders

        def noise(t, dtype):
            """Step t's gradient noise σ·ξ_t, ξ_t ~ N(0, I)."""
            return sp[surface.noise] * jax.random.normal(jax.random.fold_in(key, t), (2,), dtype)

        def step_loss(t, orders):
            """Step t's loss as a function of the point, for a line search or a Hessian estimate: the
            loss whose gradient the step takes. On a mini-batch, the batch's mean loss; on a surface with gradient
            noise, the loss tilted by ⟨σ·ξ_t, θ⟩, whose gradient is f's plus the step's noise."""
            if batched:
                weights = _batch_weights(orders, t, points, batch)
                return lambda q: surface.data.examples(q[..., 0], q[..., 1], sp) @ weights.astype(q.dtype)
            if surface.noise:
                return lambda q: loss_fn(q) + noise(t, q.dtype) @ q
            return loss_fn

        def gradient_fn(t, orders):
            """Step t's gradient at any point ``q`` (optax's ``grad_fn(params, i)``), given the
            step's ``orders`` (already advanced to t): the same mini-batch, the same noise."""

            def grad_fn(q, _):
                if batched:
                    return _batch_value_and_grad(surface.data, sp, orders, t, points, batch, q)[1]
                return noisy_value_and_grad(q, t, orders)[1]

            return grad_fn

        def row(p, loss, g):
            # Recording only the position keeps the loop small (measured: also stacking
            # gradient and update made a 1-lane Adam loop 13x slower on CPU); the rest of
            # each row is recomputed below, vectorised.
            return (p, loss, g) if record else _status(p, loss, g, box, minima, tol)

        def step(carry):
            t, p, state, rows, orders, spent = carry
            loss, g, seen, orders = noisy_value_and_grad(p, t, orders)
            extra = ({"value": seen} if needs.value else {}) | (
                {"grad_fn": gradient_fn(t, orders)} if needs.grad_fn else {}
            )
            if needs.line_search:
                fn = step_loss(t, orders)
                extra = {"value": fn(p), "grad": g, "value_fn": fn}
            if needs.obj_fn:
                extra["obj_fn"] = step_loss(t, orders)
            update, state = tx.update(g, state, p, **extra)
            if needs.line_search:
                spent = spent + optax.tree_utils.tree_get(state, "num_linesearch_steps").astype(spent.dtype)
            rows = jax.tree.map(lambda buffer, value: buffer.at[t].set(value), rows, row(p, loss, g))
            # A diverged run goes on computing garbage that is never read: its outputs
            # are cut at `div`.
            return t + 1, p + update, state, rows, orders, spent

        # Exactly n iterations, so no state is gated per step and padded rows cost
        # nothing; the buffers have the bucket's length, so n itself is traced.
        shapes = jax.eval_shape(lambda p: row(p, *value_and_grad(p)), start)
        rows = jax.tree.map(lambda s: jnp.zeros((length + 1, *s.shape), s.dtype), shapes)
        # A batched run carries the orders of the epochs its batch spans (`batches.advance`).
        orders = batches.first_orders(key, points) if batched else ()
        carry = (jnp.int32(0), start, tx.init(start), rows, orders, jnp.int32(0))
        _, p, _, rows, _, spent = jax.lax.while_loop(lambda c: c[0] < n, step, carry)
        loss, g = value_and_grad(p)
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


@dataclass(frozen=True)
class Trajectory:
    """One start point's run. ``path`` and ``loss`` have one row per position reached
    (``steps + 1`` unless diverged, start first); ``grad``, ``update`` and ``lr`` one row
    per step taken between them (one fewer). Indices count steps from 0."""

    start: tuple[float, float]
    path: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    update: np.ndarray
    lr: np.ndarray
    diverged_at: int | None
    converged_at: int | None
    nearest_minimum: Minimum | None
    final_distance: float | None
    # Gradient evaluations per step: the optimizer's own count (`Optimizer.grad_evals`), or,
    # for one that searches along its direction, what its searches spent over the steps run.
    grad_evals: float = 1.0


def grad_evals(optimizer, searched, steps: int):
    """Gradient evaluations per step of ``optimizer`` (per lane of the kernel's ``searched``
    counts): its `Optimizer.grad_evals`, or for a line search (`Optimizer.line_search`) the
    evaluations its searches spent, plus the first step's own gradient, over ``steps`` steps
    (each later step's gradient is the previous search's last evaluation, as in a loop that
    reuses it: ``optax.value_and_grad_from_state``)."""
    if not optimizer.line_search:
        return np.full(np.shape(searched), float(optimizer.grad_evals))
    return (1.0 + np.asarray(searched, dtype=np.float64)) / max(steps, 1)


@dataclass(frozen=True)
class RunResult:
    """One optimizer run over every start; the plain attributes are the first start's."""

    run: OptRun
    trajectories: tuple[Trajectory, ...]

    def __getattr__(self, name):
        if name in Trajectory.__dataclass_fields__:
            return getattr(self.trajectories[0], name)
        raise AttributeError(name)


@dataclass(frozen=True)
class Result:
    """What `simulate` returns: one `RunResult` per optimizer run, and the device used."""

    scenario: Scenario
    runs: tuple[RunResult, ...]
    device: str


@dataclass(frozen=True)
class Sweep:
    """Final outcome of one run for each learning rate in ``lrs`` (no paths).

    ``final_loss`` is NaN and ``diverged_at`` the step index where a run diverged;
    ``diverged_at``/``converged_at`` are -1 where that never happened.
    """

    lrs: np.ndarray
    final_loss: np.ndarray
    final: np.ndarray
    diverged_at: np.ndarray
    converged_at: np.ndarray


class _Traced(NamedTuple):
    """The kernel arguments every batch shape shares (all traced)."""

    hp: dict
    sp: dict
    mults: np.ndarray
    n: np.int32
    box: np.ndarray
    minima: np.ndarray
    tol: np.float64
    batch: np.int32


def _inputs(scenario: Scenario, run: OptRun):
    """The kernel's static key, the run's lr, the shared traced arguments, known minima."""
    surface = scenario.surface_def
    optimizer = run.optimizer
    hp = run.hyperparams
    # Keyed by the builder and its structural flags, not the registry entry: sgd with
    # momentum, `momentum` and `nesterov` share one compiled kernel.
    static = tuple(sorted(optimizer.fixed + tuple((name, bool(hp.pop(name))) for name in optimizer.static)))
    lr = hp.pop("lr")
    if optimizer.f_star:  # validated by `Scenario`: the surface has a known minimum
        hp[optimizer.f_star] = scenario.f_star
    length = bucket(scenario.steps)
    # Evaluated over the padded length: one array shape per bucket keeps JAX's eager
    # op cache warm (a new length costs ~0.3 s of op compiles; measured). A row whose lr is
    # not a rate (`Optimizer.takes_schedule`) runs at the constant lr.
    schedule = (scenario.schedule, dict(scenario.schedule_params)) if optimizer.takes_schedule else ("constant", {})
    mults = multipliers(*schedule, length)
    (x0, x1), (y0, y1) = surface.domain
    w, h = ESCAPE_WIDTHS * (x1 - x0), ESCAPE_WIDTHS * (y1 - y0)
    box = np.array([[x0 - w, x1 + w], [y0 - h, y1 + h]])
    known = surface.minima(dict(scenario.surface_params))
    batched = surface.data is not None and 0 < scenario.batch < points(dict(scenario.surface_params))
    minima = np.array([[m.x, m.y, m.f] for m in known]) if known else np.full((1, 3), np.nan)
    shared = _Traced(
        {k: np.float64(v) for k, v in hp.items()},
        {k: np.float64(v) for k, v in scenario.surface_params},
        mults,
        np.int32(scenario.steps),
        box,
        minima,
        np.float64(scenario.tol),
        np.int32(scenario.batch if batched else 0),
    )
    return (surface, optimizer.build, static, length, batched, optimizer.needs), lr, shared, known


def _nearest(known, point) -> tuple[Minimum | None, float | None]:
    if not known or len(point) == 0:
        return None, None
    dist = [float(np.hypot(m.x - point[0], m.y - point[1])) for m in known]
    best = int(np.argmin(dist))
    return known[best], dist[best]


def _trajectories(scenario: Scenario, run: OptRun) -> tuple[Trajectory, ...]:
    static_key, lr, shared, known = _inputs(scenario, run)
    count = len(scenario.starts)
    padded = bucket(count) if count > 1 else 1
    starts = np.array(scenario.starts + scenario.starts[:1] * (padded - count))
    kernel = _kernel(*static_key, record=True, over="starts")
    out = jax.device_get(
        kernel(starts, np.arange(padded, dtype=np.int32), np.int32(scenario.seed), np.float64(lr), *shared)
    )
    n = scenario.steps
    searched = out["searched"]
    # Only the real starts' real rows are kept (the kernel's buffers are padded to
    # buckets: up to 2.2x larger), one copy per field that the trajectories view.
    out = {key: np.ascontiguousarray(out[key][:count, : n + 1]) for key in ("path", "loss", "grad")}
    lrs = lr * shared.mults[:n]  # one array per run, viewed by every start
    with np.errstate(all="ignore"):  # rows after a divergence may overflow: they are cut
        updates = np.diff(out["path"], axis=1)
        flags = _status(out["path"], out["loss"], out["grad"], shared.box, shared.minima, shared.tol, np)
    outcomes = _outcome(*flags, np)
    evals = grad_evals(run.optimizer, searched[:count], n)
    trajectories = []
    for i, start in enumerate(scenario.starts):
        div, conv = int(outcomes[0][i]), int(outcomes[1][i])
        rows = n + 1 if div == NEVER else div
        path = out["path"][i, :rows]
        steps = max(rows - 1, 0)
        minimum, distance = _nearest(known, path[-1] if rows else ())
        trajectories.append(
            Trajectory(
                start=start,
                path=path,
                loss=out["loss"][i, :rows],
                grad=out["grad"][i, :steps],
                update=updates[i, :steps],
                lr=lrs[:steps],
                diverged_at=None if div == NEVER else div,
                converged_at=None if conv == NEVER else conv,
                nearest_minimum=minimum,
                final_distance=distance,
                grad_evals=float(evals[i]),
            )
        )
    return tuple(trajectories)


def simulate(scenario: Scenario) -> Result:
    """Run every optimizer of ``scenario`` from every start point.

    >>> from optviz import Scenario, simulate
    >>> s = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&steps=100").scenario
    >>> simulate(s).runs[0].converged_at is not None
    True
    """
    runs = tuple(RunResult(run, _trajectories(scenario, run)) for run in scenario.runs)
    return Result(scenario, runs, device_name())


def sweep(scenario: Scenario, run_index: int, lrs, start_index: int = 0) -> Sweep:
    """Run ``scenario.runs[run_index]`` once per learning rate in ``lrs``, in one call.

    Only final values come back (no per-step arrays), so thousands of rates are cheap.
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    out, _ = _over_lrs(scenario, run_index, lrs, start_index, record=False)
    div, conv = out["diverged_at"].astype(np.int64), out["converged_at"].astype(np.int64)
    diverged = div != NEVER
    return Sweep(
        lrs=lrs,
        final_loss=np.where(diverged, np.nan, out["final_loss"]),
        final=np.where(diverged[:, None], np.nan, out["final"]),
        diverged_at=np.where(diverged, div, -1),
        converged_at=np.where(conv != NEVER, conv, -1),
    )


def _over_lrs(
    scenario: Scenario, run_index: int, lrs: np.ndarray, start_index: int, *, record: bool, race: bool = False
):
    """Run i from one start once per lr in ``lrs`` in one kernel call: ``(outputs, shared
    inputs)``; ``record`` keeps every row, else final values only; ``race``: the kernel
    comes from the race pool."""
    static_key, _, shared, _ = _inputs(scenario, scenario.runs[run_index])
    kernel = (_race_kernel if race else _kernel)(*static_key, record=record, over="lrs")
    start = np.array(scenario.starts[start_index])
    return jax.device_get(kernel(start, np.int32(start_index), np.int32(scenario.seed), lrs, *shared)), shared


@dataclass(frozen=True)
class Family:
    """One run's recorded paths for each learning rate in ``lrs`` (one start point).

    ``path[k, :rows[k]]`` and ``loss[k, :rows[k]]`` are the rows `simulate` returns for
    lr ``lrs[k]`` (``rows[k] = steps + 1`` unless it diverged); rows past ``rows[k]`` are
    NaN. ``diverged_at``/``converged_at`` are -1 where that never happened.
    """

    lrs: np.ndarray
    path: np.ndarray
    loss: np.ndarray
    rows: np.ndarray
    diverged_at: np.ndarray
    converged_at: np.ndarray
    grad_evals: np.ndarray  # per lr: gradient evaluations per step (`grad_evals`)


def family(scenario: Scenario, run_index: int, lrs, start_index: int = 0, *, race: bool = False) -> Family:
    """Run ``scenario.runs[run_index]`` from one start once per learning rate in ``lrs``,
    recording every path, in one call: the recording kernel of `simulate`, batched over
    the lr instead of the start (the same loop body, so the same numbers). ``race``: take
    the kernel from the race pool (`optviz.zoo`)."""
    lrs = np.asarray(lrs, dtype=np.float64)
    out, shared = _over_lrs(scenario, run_index, lrs, start_index, record=True, race=race)
    n = scenario.steps
    path, loss = out["path"][:, : n + 1], out["loss"][:, : n + 1]
    with np.errstate(all="ignore"):  # rows after a divergence may overflow: they are cut
        flags = _status(path, loss, out["grad"][:, : n + 1], shared.box, shared.minima, shared.tol, np)
    div, conv = (k.astype(np.int64) for k in _outcome(*flags, np))
    rows = np.where(div == NEVER, n + 1, div)
    cut = np.arange(n + 1)[None, :] >= rows[:, None]
    return Family(
        lrs=lrs,
        path=np.where(cut[..., None], np.nan, path),
        loss=np.where(cut, np.nan, loss),
        rows=rows,
        diverged_at=np.where(div == NEVER, -1, div),
        converged_at=np.where(conv == NEVER, -1, conv),
        grad_evals=grad_evals(scenario.runs[run_index].optimizer, out["searched"], n),
    )


@functools.lru_cache(maxsize=64)
def _replay_kernel(build, static: tuple, length: int, field: str, value: bool):
    """Replays an optimizer over a recorded run and returns its state ``field`` per step
    (``value``: it takes the recorded loss too)."""

    def replay(lr, hp, mults, grads, path, losses):
        tx = build(learning_rate=lambda count: lr * mults[count], **hp, **dict(static))

        def step(state, row):
            g, p, loss = row
            _, state = tx.update(g, state, p, **({"value": loss} if value else {}))
            return state, optax.tree_utils.tree_get(state, field)

        return jax.lax.scan(step, tx.init(path[0]), (grads, path, losses))[1]

    return jax.jit(replay)


def velocities(result: Result) -> list[list[np.ndarray] | None]:
    """Per run and start, the optimizer's velocity (momentum trace or first moment) after
    each step taken, as a direction of motion (signed by the registry's ``velocity``);
    ``None`` for a run whose optimizer keeps none, or whose momentum is 0, or that took
    mini-batch losses (`Optimizer.needs_value` on a batched run) or gradients at other points
    (`Optimizer.grad_evals` > 1).

    The state is a deterministic function of the gradients the run saw (noise included),
    its positions and (for an optimizer that takes it) its losses, so it is replayed from the
    recorded ones, on demand, instead of being stacked in the main loop (which measured 13x
    slower for one lane on CPU).
    """
    out = []
    for run in result.runs:
        optimizer = run.run.optimizer
        if optimizer.velocity is None or run.run.hyperparams.get("momentum", 1.0) == 0:
            out.append(None)
            continue
        field, sign = optimizer.velocity
        (_, build, static, length, batched, needs), lr, shared, _ = _inputs(result.scenario, run.run)
        value = needs.value
        # It saw each mini-batch's loss, gradients at other points, or draws of its own, or it
        # searched or probed a loss function: the run records none of these.
        if (batched and value) or needs.grad_fn or needs.line_search or needs.obj_fn or needs.key:
            out.append(None)
            continue
        kernel = _replay_kernel(build, static, length, field, value)
        per_start = []
        for t in run.trajectories:
            steps = len(t.grad)
            grads, path, losses = np.zeros((length, 2)), np.zeros((length, 2)), np.zeros(length)
            grads[:steps], path[:steps], losses[:steps] = t.grad, t.path[:steps], t.loss[:steps]
            path[steps:], losses[steps:] = t.path[-1], t.loss[-1]
            v = np.asarray(kernel(np.float64(lr), shared.hp, shared.mults, grads, path, losses))[:steps]
            per_start.append(sign * v)
        out.append(per_start)
    return out
