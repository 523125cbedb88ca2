"""Many runs in one compiled call: learning-rate sweeps and basin maps.

Both use the engine's non-recording kernel (`optviz.kernel._kernel` with ``record=False``):
only each lane's final point, loss and first divergence/convergence step come back.

* `lr_sweeps`: per optimizer run, a log grid of learning rates (vmapped over ``lr``).
* `lr_families`: per optimizer run, the recorded paths for a log window of learning rates
  around its own (`lr_window`), for the map's "drag lr" view (the recording kernel).
* `basin_map`: for one run, a grid of start points over the domain (vmapped over the
  start), each labelled by the known minimum it converges to, "diverged" or "not yet".
* `best_lr`: per sweep, the lr that ends lowest together with its neighbours
  (`window_worst`), not a lucky grid point inside a chaotic band or at the cliff edge.
* `stability_bounds`: the exact largest stable lr on ``quadratic`` (and
  ``noisy_quadratic``) where theory gives one: gradient descent lr < 2/h, heavy ball
  lr < 2(1+β)/h, Nesterov lr < 2(1+β)/((1+2β)h); optionally the local one near the known
  minimum of any other surface (`optviz.predictions`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from optviz import devices
from optviz.engine import Family, Sweep, _inputs, family, sweep
from optviz.kernel import NEVER, _kernel
from optviz.optimizers import LR
from optviz.predictions import EXACT_SURFACES, hessian_model, method_of
from optviz.scenario import Scenario
from optviz.theory import max_stable_lr

SWEEP_POINTS = 256
WINDOW_POINTS = 128  # learning rates per run in the drag view
WINDOW_DECADES = 3.0  # their span in log10: about ±1.5 decades around the run's lr
BASIN_GRID = 129  # odd: the middle row and column lie on the axes of symmetric domains (a saddle)
BASIN_STEPS = 2000  # a basin map runs at most this many steps (memory: lanes × steps flags)
DIVERGED, NOT_YET = -2, -1
# ±0.1 decade (a factor 10**0.1 ≈ 1.26) around each lr: on 30 sweeps (rosenbrock, beale, himmelblau,
# rastrigin, quadratic κ=100, noisy_quadratic × sgd, momentum, adam, rmsprop, lion) the plain argmin
# ends over 10× worse when its lr moves by under ±0.02 decade in 16 of them, this rule's pick in 1
# (±0.05 decade: 5; ±0.15 to ±0.3: 3, each with a costlier pick).
BEST_LR_DECADES = 0.1
BEST_LR_RULE = (
    f"the lr whose worst neighbour within ×/÷{10**BEST_LR_DECADES:.2f} (±{BEST_LR_DECADES:g} decade, "
    "diverged = worst) ends lowest"
)


def lr_grid(lo: float, hi: float, n: int = SWEEP_POINTS) -> np.ndarray:
    """``n`` learning rates evenly spaced in log10 from 10**lo to 10**hi."""
    return np.logspace(lo, hi, n)


def lr_sweeps(scenario: Scenario, lo: float, hi: float, n: int = SWEEP_POINTS) -> list[Sweep]:
    """One `Sweep` per optimizer run (its other hyperparameters fixed), first start point."""
    lrs = lr_grid(lo, hi, n)
    return [sweep(scenario, i, lrs) for i in range(len(scenario.runs))]


def lr_window(lr: float, n: int = WINDOW_POINTS, decades: float = WINDOW_DECADES) -> tuple[np.ndarray, int]:
    """``n`` learning rates evenly spaced in log10 over ``decades``, holding ``lr`` itself
    (exactly) at index ``at``, returned with it: centred on ``lr`` where the lr's range
    (`LR`) allows, else shifted to stay inside it.

    >>> lrs, at = lr_window(0.01)
    >>> len(lrs), at, lrs[at] == 0.01
    (128, 64, True)
    """
    step = decades / (n - 1)
    below = int(np.floor(np.log10(lr / LR.lo) / step + 1e-9))  # steps down to the range's bottom
    above = int(np.floor(np.log10(LR.hi / lr) / step + 1e-9))
    at = min(max(n // 2, n - 1 - above), below)
    lrs = lr * 10.0 ** (step * (np.arange(n) - at))
    return np.clip(lrs, LR.lo, LR.hi), at


def lr_families(scenario: Scenario) -> list[tuple[Family, int]]:
    """Per optimizer run, its `Family` over `lr_window` of its lr (first start point) and
    the index of its own lr; one compiled call per run."""
    out = []
    for i, run in enumerate(scenario.runs):
        lrs, at = lr_window(run.lr)
        out.append((family(scenario, i, lrs), at))
    return out


def divergence_edge(s: Sweep) -> float | None:
    """The smallest learning rate of the sweep whose run diverged, if any did."""
    diverged = s.diverged_at >= 0
    return float(s.lrs[np.argmax(diverged)]) if diverged.any() else None


def window_worst(s: Sweep, decades: float = BEST_LR_DECADES) -> np.ndarray:
    """Per grid lr, the largest final loss among the grid lrs within ±``decades`` (log10) of
    it, itself included (fewer at the grid's ends); a diverged run counts as +inf."""
    loss = np.where(np.isfinite(s.final_loss), s.final_loss, np.inf)
    log = np.log10(s.lrs)
    near = np.abs(log[:, None] - log[None, :]) <= decades * (1 + 1e-9)
    return np.where(near, loss[None, :], -np.inf).max(axis=1)


def best_lr_index(s: Sweep, decades: float = BEST_LR_DECADES) -> int | None:
    """The index of `best_lr` in ``s.lrs``, or None if every run diverged."""
    if not np.isfinite(s.final_loss).any():
        return None
    loss = np.where(np.isfinite(s.final_loss), s.final_loss, np.inf)
    return int(np.lexsort((loss, window_worst(s, decades)))[0])


def best_lr(s: Sweep, decades: float = BEST_LR_DECADES) -> float | None:
    """The grid lr whose window-worst final loss is lowest: the robust minimum.

    Its window-worst is the largest final loss among the grid lrs within ±``decades``
    (log10; ±0.1 is a factor 10**0.1 ≈ 1.26 either way) of it, itself included, a diverged
    run counting as +inf (`window_worst`); among equal window-worsts the lower own final
    loss wins, so where every window holds a divergence it is the plain lowest final loss.
    None if every run diverged. A lone low point (a lucky lr inside a chaotic band, or one
    a cell short of divergence) is passed over: its neighbours end far higher.

    >>> from optviz.engine import Sweep
    >>> lrs = 10.0 ** np.arange(-3, 0.01, 0.05)
    >>> loss = np.exp(-lrs * 10)  # better with larger lr...
    >>> loss[-3] = 1e-9  # ...and one lucky point among bad ones at the top
    >>> loss[-5:-3] = loss[-2:] = 1.0
    >>> never = np.full(len(lrs), -1)
    >>> s = Sweep(lrs, loss, np.zeros((len(lrs), 2)), never, never)
    >>> round(best_lr(s, decades=0), 3), round(best_lr(s), 3)
    (0.794, 0.447)
    """
    at = best_lr_index(s, decades)
    return None if at is None else float(s.lrs[at])


def stability_bounds(scenario: Scenario, *, local: bool = False) -> dict[int, tuple[str, float]]:
    """Run index → (formula, lr bound) for the momentum-family runs at a constant lr
    (`optviz.theory.max_stable_lr` over the Hessian's eigenvalues): exact on ``quadratic``
    and ``noisy_quadratic`` (h is the largest curvature), where above the bound the iterates
    grow without limit; with ``local``, on any other surface with a known minimum too, from
    its Hessian there (λ_max its largest eigenvalue): the limit near that minimum."""
    # The noise of noisy_quadratic adds to the iterates without changing the recursion that
    # multiplies them, so its mean (and spread) grow without limit past the same bound.
    exact = scenario.surface in EXACT_SURFACES
    if scenario.schedule != "constant" or not (exact or local):
        return {}
    curvature, _ = hessian_model(scenario)
    if curvature is None:
        return {}
    big_l = "h" if exact else "λ_max"
    out = {}
    for i, run in enumerate(scenario.runs):
        method = method_of(run)
        if method is None:
            continue
        beta = method.momentum
        value = max_stable_lr(curvature.eigenvalues, momentum=beta, nesterov=method.nesterov)
        formula = f"2(1+β)/((1+2β){big_l})" if method.nesterov else f"2(1+β)/{big_l}" if beta > 0 else f"2/{big_l}"
        out[i] = (formula if exact else f"near the minimum {formula}", value)
    return out


@dataclass(frozen=True)
class Basins:
    """A basin map: ``label[i, j]`` for the start ``(xs[j], ys[i])`` is the index of the
    minimum in ``minima`` it converged to, `DIVERGED` or `NOT_YET`; ``steps[i, j]`` is its
    convergence step (-1 if none). ``minima`` are the known minima, or, on a surface
    without any (a custom formula), the end points shared by at least 1 % of the starts."""

    xs: np.ndarray
    ys: np.ndarray
    label: np.ndarray
    steps: np.ndarray
    minima: np.ndarray
    run: int
    n_steps: int


def basin_map(scenario: Scenario, run_index: int = 0, grid: int = BASIN_GRID) -> Basins:
    """Where each of ``grid × grid`` starts covering the domain ends, in one call."""
    steps = min(scenario.steps, BASIN_STEPS)
    scenario = dataclasses.replace(scenario, steps=steps, starts=(), cloud="", cloud_params=())
    run = scenario.runs[run_index]
    static_key, lr, shared, known = _inputs(scenario, run)
    (x0, x1), (y0, y1) = scenario.surface_def.domain
    xs, ys = np.linspace(x0, x1, grid), np.linspace(y0, y1, grid)
    X, Y = np.meshgrid(xs, ys)
    starts = np.column_stack([X.ravel(), Y.ravel()])
    kernel = _kernel(*static_key, record=False, over="starts")
    indices = np.arange(len(starts), dtype=np.int32)
    out = devices.run(kernel, len(starts), starts, indices, np.int32(scenario.seed), np.float64(lr), *shared)
    diverged = out["diverged_at"] != NEVER
    converged = out["converged_at"] != NEVER
    final = out["final"]
    if known:
        minima = np.array([[m.x, m.y] for m in known])
        nearest = np.argmin(np.linalg.norm(final[:, None, :] - minima[None], axis=-1), axis=1)
        label = np.where(converged, nearest, NOT_YET)
    else:
        minima, label = _end_clusters(final, ~diverged, (x1 - x0, y1 - y0))
    label = np.where(diverged, DIVERGED, label)
    steps_to = np.where(converged & ~diverged, out["converged_at"], -1)
    return Basins(xs, ys, label.reshape(grid, grid), steps_to.reshape(grid, grid), minima, run_index, steps)


def _end_clusters(final: np.ndarray, ok: np.ndarray, size) -> tuple[np.ndarray, np.ndarray]:
    """End points shared (within 0.1 % of the domain) by at least 1 % of the starts, and
    each start's cluster index (`NOT_YET` elsewhere): basins when no minimum is known."""
    cell = np.round(np.where(ok[:, None], final, 0.0) / (np.asarray(size) * 1e-3)).astype(np.int64)
    _, inverse, counts = np.unique(
        np.where(ok[:, None], cell, np.iinfo(np.int64).min), axis=0, return_inverse=True, return_counts=True
    )
    inverse = inverse.ravel()
    big = [k for k in np.argsort(-counts) if counts[k] >= 0.01 * len(final) and ok[np.argmax(inverse == k)]][:8]
    label = np.full(len(final), NOT_YET)
    centres = []
    for index, k in enumerate(big):
        members = inverse == k
        label[members] = index
        centres.append(final[members].mean(axis=0))
    return np.array(centres).reshape(-1, 2), label
