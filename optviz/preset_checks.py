"""The checks of the gallery's entries in `optviz.presets`: each takes the `Result` of its
entry's link (and may simulate variants of it: other seeds, another schedule, the valley
turned back) and returns a `Verdict`, whether the claim holds and the numbers behind it."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from optviz.claims import SEEDS, Verdict, distance, run_of, step_text, variant
from optviz.engine import Result
from optviz.scenario import OptRun
from optviz.sweeps import lr_families, stability_bounds


def rotation(r: Result) -> Verdict:
    """The valley and the start rotated back to 0°: SGD's and momentum's steps unchanged,
    Adam's at least 1.5 times fewer (rotation-invariant vs coordinate-wise)."""
    a = math.radians(dict(r.scenario.surface_params)["angle"])
    (x, y), c, s = r.scenario.starts[0], math.cos(a), math.sin(a)
    params = tuple((k, 0.0 if k == "angle" else v) for k, v in r.scenario.surface_params)
    back = variant(r, surface_params=params, starts=((c * x + s * y, c * y - s * x),))
    turned, straight = ([run_of(res, i).converged_at for i in range(3)] for res in (r, back))
    holds = None not in turned + straight and turned[:2] == straight[:2] and turned[2] >= 1.5 * straight[2]
    return Verdict(holds, f"converged at steps {turned} rotated, {straight} at 0° (SGD, momentum, Adam)")


def edge_of_stability(r: Result) -> Verdict:
    below, above = run_of(r, 0), run_of(r, 1)
    x = below.path[:, 0]
    flips = int(np.sum(np.sign(x[1:]) != np.sign(x[:-1])))
    holds = below.converged_at is not None and flips >= 0.9 * (len(x) - 1) and above.diverged_at is not None
    return Verdict(
        holds,
        f"lr 1.98: x changes sign on {flips} of {len(x) - 1} steps and {step_text(below)}; lr 2.02: {step_text(above)}",
    )


def converges_other_lags(fast: int, slow: int, far: float) -> Callable[[Result], Verdict]:
    """Run ``fast`` converges; run ``slow`` is still more than ``far`` from the minimum."""

    def check(r: Result) -> Verdict:
        f, s = run_of(r, fast), run_of(r, slow)
        holds = f.converged_at is not None and s.diverged_at is None and distance(s) > far
        return Verdict(holds, f"{r.runs[fast].run.label}: {step_text(f)}; {r.runs[slow].run.label}: {step_text(s)}")

    return check


def heavy_ball(r: Result) -> Verdict:
    heavy, nesterov = run_of(r, 0), run_of(r, 1)
    over = [float(t.path[:, 0].max()) for t in (heavy, nesterov)]  # starts at x < 0, minimum at x = 0
    holds = over[0] > 1.5 * over[1] and nesterov.converged_at is not None
    holds &= heavy.converged_at is None or nesterov.converged_at < heavy.converged_at
    return Verdict(
        holds,
        f"largest overshoot past x = 0: heavy ball {over[0]:.3g}, Nesterov {over[1]:.3g}; "
        f"heavy ball {step_text(heavy)}, Nesterov {step_text(nesterov)}",
    )


def saddle(r: Result) -> Verdict:
    axis, nudged = run_of(r, 0, 0), run_of(r, 0, 1)
    stall = float(np.hypot(*axis.path[-1]))
    holds = stall < 1e-6 and nudged.converged_at is not None
    return Verdict(
        holds,
        f"from y = 0 it ends {stall:.1e} from the saddle point (0, 0); nudged to y = 0.001 it {step_text(nudged)}",
    )


def adagrad(r: Result) -> Verdict:
    ada, rms = run_of(r, 0), run_of(r, 1)
    moved = float(np.hypot(*(ada.path[-1] - ada.path[-101])))
    holds = distance(ada) > 4 * distance(rms) and ada.diverged_at is None
    return Verdict(
        holds,
        f"after {len(ada.path) - 1} steps Adagrad is {distance(ada):.3g} from (1, 1) and moved "
        f"{moved:.2g} in its last 100 steps; RMSprop is {distance(rms):.3g} away",
    )


def noise_floor(r: Result) -> Verdict:
    def mean_final(schedule: str, params: tuple) -> float:
        runs = [variant(r, schedule=schedule, schedule_params=params, seed=s) for s in SEEDS]
        return float(np.mean([float(run_of(v, 0).loss[-1]) for v in runs]))

    decayed = mean_final(r.scenario.schedule, r.scenario.schedule_params)
    constant = mean_final("constant", ())
    return Verdict(
        decayed < 0.5 * constant,
        f"mean final loss over seeds 0–{len(SEEDS) - 1}: constant lr {constant:.3g}, decaying lr {decayed:.3g}",
    )


def warmup(r: Result) -> Verdict:
    warm, cold = run_of(r, 0), run_of(variant(r, schedule="constant", schedule_params=()), 0)
    holds = (
        distance(warm) < 0.05 and warm.diverged_at is None and cold.diverged_at is not None and cold.diverged_at < 10
    )
    return Verdict(holds, f"with warm-up: {step_text(warm)}; constant lr: {step_text(cold)}")


def adam_beale(r: Result) -> Verdict:
    adam, big, small = run_of(r, 0), run_of(r, 1), run_of(r, 2)
    holds = adam.converged_at is not None and big.diverged_at is not None and big.diverged_at < 10
    holds &= small.diverged_at is None and distance(small) > 0.1
    return Verdict(holds, f"Adam: {step_text(adam)}; SGD lr 0.01: {step_text(big)}; SGD lr 0.001: {step_text(small)}")


def four_basins(r: Result) -> Verdict:
    ends = [t.nearest_minimum for t in r.runs[0].trajectories]
    converged = sum(t.converged_at is not None for t in r.runs[0].trajectories)
    distinct = len({(m.x, m.y) for m in ends if m is not None})
    return Verdict(
        distinct == 4 and converged == 4,
        f"{converged} of 4 starts converged, to {distinct} different minima: "
        + ", ".join(f"({m.x:.3g}, {m.y:.3g})" for m in ends if m is not None),
    )


def local_cup(r: Result) -> Verdict:
    ends = [(float(np.hypot(*t.grad[-1])), float(t.loss[-1])) for t in (run_of(r, 0), run_of(r, 1))]
    holds = all(g < 1e-3 and f > 10 for g, f in ends)
    return Verdict(
        holds,
        "; ".join(f"{run.run.label}: |∇f| = {g:.1e}, f = {f:.3g}" for run, (g, f) in zip(r.runs, ends, strict=True)),
    )


def sign_bounces(r: Result) -> Verdict:
    sign, sgd = run_of(r, 0), run_of(r, 1)
    last = sign.path[-20:]
    bounce = float(np.max(np.abs(last)))
    lr = r.runs[0].run.lr
    holds = sign.converged_at is None and 0 < bounce <= lr and sgd.converged_at is not None
    return Verdict(
        holds,
        f"signSGD's last 20 positions stay within {bounce:.3g} of the minimum (lr = {lr:g}) "
        f"without settling; SGD {step_text(sgd)}",
    )


def ill_conditioned(r: Result) -> Verdict:
    sgd, adam = run_of(r, 0), run_of(r, 1)
    params = dict(r.scenario.surface_params)
    lr, steps = r.runs[0].run.lr, r.scenario.steps
    y0 = r.scenario.starts[0][1]
    exact = y0 * (1 - lr * params["h"] / params["kappa"]) ** steps
    error = abs(float(sgd.path[-1, 1]) - exact)
    holds = error < 1e-9 * abs(y0) and abs(exact) > 0.1 and adam.converged_at is not None
    return Verdict(
        holds,
        f"SGD's y after {steps} steps: {sgd.path[-1, 1]:.6f}, closed form y₀(1 − lr·h/κ)^t = "
        f"{exact:.6f}; Adam {step_text(adam)}",
    )


def conventions(r: Result) -> Verdict:
    torch_run = run_of(r, 0)
    keras_runs = tuple(OptRun.of(run.name, "keras", lr=run.lr) for run in r.scenario.runs)
    keras_run = run_of(variant(r, convention="keras", runs=keras_runs), 0)
    moved = float(np.hypot(*(keras_run.path[-1] - keras_run.path[0])))
    holds = torch_run.diverged_at is not None and keras_run.diverged_at is None and moved < 1e-3
    return Verdict(
        holds,
        f"PyTorch's RMSprop: {step_text(torch_run)}; "
        f"Keras's RMSprop moved {moved:.1e} in {len(keras_run.path) - 1} steps",
    )


def no_minimum(r: Result) -> Verdict:
    trajs = [t for run in r.runs for t in run.trajectories]
    holds = all(t.diverged_at is not None for t in trajs)
    return Verdict(
        holds,
        "; ".join(
            f"{run.run.label}: {step_text(run.trajectories[0])}, f fell to {float(run.trajectories[0].loss[-1]):.3g}"
            for run in r.runs
        ),
    )


def crawl_to_divergence(r: Result) -> Verdict:
    """Over the drag view's lr window: the smallest lr crawls, a middle one converges, and
    the closed-form bound 2/h splits the window into bounded and diverged runs exactly."""
    (f, _), bound = lr_families(r.scenario)[0], stability_bounds(r.scenario)[0][1]
    start = np.hypot(*r.scenario.starts[0])
    left = np.hypot(*f.path[0, f.rows[0] - 1]) / start
    converged = f.lrs[f.converged_at >= 0]
    diverged = f.diverged_at >= 0
    holds = left > 0.5 and len(converged) > 0 and np.array_equal(diverged, f.lrs > bound)
    return Verdict(
        holds,
        f"lr {f.lrs[0]:.3g}: {left:.0%} of the distance left after {r.scenario.steps} steps; "
        f"converged for lr {converged.min():.3g}–{converged.max():.3g}; diverged for "
        f"{int(diverged.sum())} of {len(f.lrs)} lrs, all above 2/h = {bound:.3g} and none below"
        if len(converged)
        else "no lr converged",
    )
