r"""The simulation engine: `Scenario` in, `Result` of NumPy arrays out.

Each optimizer run is one compiled loop (`optviz.kernel`), ``vmap``-ped over start points
(trajectories, basin maps) or learning rates (sweeps, the zoo); this module prepares its
inputs from a `Scenario` and turns its padded buffers into trajectories.

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
import numpy as np
import optax

from optviz import devices
from optviz.kernel import NEVER, _kernel, _outcome, _race_kernel, _status, bucket
from optviz.scenario import OptRun, Scenario
from optviz.schedules import multipliers
from surfaces.core import Minimum
from surfaces.data import kernel_params, kernel_surface, points

MINIMA_ROWS = 2  # known minima passed to a kernel, NaN rows padding fewer
ESCAPE_WIDTHS = 10.0


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
    # NaN rows pad the minima to one shape: a data set whose minima come and go (own
    # points) keeps its compiled kernels.
    minima = np.full((max(len(known), MINIMA_ROWS), 3), np.nan)
    for row, m in enumerate(known):
        minima[row] = m.x, m.y, m.f
    shared = _Traced(
        {k: np.float64(v) for k, v in hp.items()},
        kernel_params(surface, dict(scenario.surface_params)),
        mults,
        np.int32(scenario.steps),
        box,
        minima,
        np.float64(scenario.tol),
        np.int32(scenario.batch if batched else 0),
    )
    key = (kernel_surface(surface), optimizer.build, static, length, batched, optimizer.needs)
    return key, lr, shared, known


def _nearest(known, point) -> tuple[Minimum | None, float | None]:
    if not known or len(point) == 0:
        return None, None
    dist = [float(np.hypot(m.x - point[0], m.y - point[1])) for m in known]
    best = int(np.argmin(dist))
    return known[best], dist[best]


def _start_lanes(scenario: Scenario) -> int:
    """Lanes of a call over the scenario's starts: one, or the starts padded to their bucket."""
    count = len(scenario.starts)
    return bucket(count) if count > 1 else 1


def _trajectories(scenario: Scenario, run: OptRun) -> tuple[Trajectory, ...]:
    static_key, lr, shared, known = _inputs(scenario, run)
    count, padded = len(scenario.starts), _start_lanes(scenario)
    starts = np.array(scenario.starts + scenario.starts[:1] * (padded - count))
    kernel = _kernel(*static_key, record=True, over="starts")
    out = devices.run(
        kernel, padded, starts, np.arange(padded, dtype=np.int32), np.int32(scenario.seed), np.float64(lr), *shared
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
    return Result(scenario, runs, devices.name(devices.route(_start_lanes(scenario))))


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
    return devices.run(kernel, len(lrs), start, np.int32(start_index), np.int32(scenario.seed), lrs, *shared), shared


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


def _replayed(result: Result, run, field: str) -> list[np.ndarray] | None:
    """Per start, the run's optimizer state ``field`` after each step, replayed from the
    recorded gradients, positions and losses; None where the run's state cannot be replayed
    from them: it saw each mini-batch's loss, gradients at other points, draws of its own, or
    it searched or probed a loss function."""
    (_, build, static, length, batched, needs), lr, shared, _ = _inputs(result.scenario, run.run)
    value = needs.value
    if (batched and value) or needs.grad_fn or needs.line_search or needs.obj_fn or needs.key:
        return None
    kernel = _replay_kernel(build, static, length, field, value)
    per_start = []
    for t in run.trajectories:
        steps = len(t.grad)
        grads, path, losses = np.zeros((length, 2)), np.zeros((length, 2)), np.zeros(length)
        grads[:steps], path[:steps], losses[:steps] = t.grad, t.path[:steps], t.loss[:steps]
        path[steps:], losses[steps:] = t.path[-1], t.loss[-1]
        per_start.append(np.asarray(kernel(np.float64(lr), shared.hp, shared.mults, grads, path, losses))[:steps])
    return per_start


def velocities(result: Result) -> list[list[np.ndarray] | None]:
    """Per run and start, the optimizer's velocity (momentum trace or first moment) after
    each step taken, as a direction of motion (signed by the registry's ``velocity``);
    ``None`` for a run whose optimizer keeps none, or whose momentum is 0, or whose state
    cannot be replayed (`_replayed`).

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
        replayed = _replayed(result, run, field)
        out.append(None if replayed is None else [sign * v for v in replayed])
    return out


def averages(result: Result, i: int) -> list[np.ndarray] | None:
    r"""Per start, the average :math:`x_t` of run i if it is Schedule-Free (`Optimizer.averaged`),
    at every recorded row beside its path :math:`y_t`: from :math:`y_t = (1-\beta_1) z_t + \beta_1 x_t`
    and the replayed :math:`z_t`, :math:`x_t = (y_t - (1-\beta_1) z_t)/\beta_1` (:math:`x_0 = y_0`).
    None for other runs, and where :math:`\beta_1 = 0` (then :math:`y = z`)."""
    run = result.runs[i]
    b1 = run.run.hyperparams.get("b1", 0.0)
    replayed = _replayed(result, run, "z") if run.run.optimizer.averaged and b1 > 0 else None
    if replayed is None:
        return None
    out = []
    for t, z in zip(run.trajectories, replayed, strict=True):
        # row k+1 of the path is y after step k, where the state holds z_{k+1}
        n = min(len(z), len(t.path) - 1)
        out.append(np.concatenate([t.path[:1], (t.path[1 : n + 1] - (1 - b1) * z[:n]) / b1]))
    return out
