"""Gallery entries on newer optimizers, one signature behaviour each, with the check that
proves it on the computed paths: against the optimizer's own rule recomputed from the
recorded gradients and positions, or against another run of the same scenario."""

from __future__ import annotations

import math

import numpy as np

from optviz.claims import SEEDS, Preset, Verdict, distance, run_of, step_text, variant
from optviz.engine import Result, Trajectory
from optviz.scenario import OptRun

EXACT = 1e-9  # relative error allowed where a rule is recomputed exactly


def _lengths(t: Trajectory) -> np.ndarray:
    """The length of every step taken."""
    return np.hypot(*t.update.T)


def _pair(v: np.ndarray, digits: int = 3) -> str:
    """A 2-vector as ``(x, y)``, rounded to ``digits`` significant digits."""
    return f"({v[0]:.{digits}g}, {v[1]:.{digits}g})"


def _hyper(r: Result, run: int) -> dict:
    return r.runs[run].run.hyperparams


def _lion(r: Result) -> Verdict:
    """Lion's step is −lr·(sign(·) + λθ): every coordinate of every step, with the decay
    added back, has length exactly lr. Adam's per-coordinate steps shrink and grow."""
    lion, adam = run_of(r, 0), run_of(r, 1)
    lr, decay = r.runs[0].run.lr, _hyper(r, 0)["weight_decay"]
    off = float(np.max(np.abs(np.abs(lion.update + lr * decay * lion.path[:-1]) - lr)))
    sizes = np.abs(adam.update)
    closest = float(np.min(np.hypot(*(lion.path - (1.0, 1.0)).T)))
    holds = off <= EXACT * lr and sizes.min() < 1e-3 * lr and closest < 0.01 and distance(adam) > 1
    return Verdict(
        holds,
        f"Lion: |Δθᵢ + lr·λ·θᵢ| differs from lr = {lr:g} by at most {off:.1e} over {lion.update.size} "
        f"coordinate steps; it comes within {closest:.2g} of (1, 1) and ends {distance(lion):.2g} away. "
        f"Adam's coordinate steps range from {sizes.min():.1e} to {sizes.max():.2g}; Adam: {step_text(adam)}",
    )


def _prodigy(r: Result) -> Verdict:
    """Prodigy's first step equals Adam's at lr = d₀; its own estimate then grows."""
    prodigy, adam = run_of(r, 0), run_of(r, 1)
    d0 = _hyper(r, 0)["estim_lr0"]
    first = float(np.max(np.abs(prodigy.update[0] - adam.update[0])))
    lengths = _lengths(prodigy)
    growth = float(lengths.max() / lengths[0])
    moved = float(np.hypot(*(adam.path[-1] - adam.path[0])))
    holds = r.runs[1].run.lr == d0 and first <= 1e-3 * d0 and growth > 1e5
    holds &= prodigy.converged_at is not None and moved < 1e-3
    return Verdict(
        holds,
        f"first steps: Prodigy {lengths[0]:.3g} long, Adam at lr = d₀ = {d0:g} the same to {first:.1e}; "
        f"Prodigy's longest step ({lengths.max():.3g}, step {int(lengths.argmax())}) is {growth:.2g} times "
        f"its first and it {step_text(prodigy)}; Adam moved {moved:.2g} in all",
    )


def _adopt(r: Result) -> Verdict:
    """Adam's first step is −lr·g₀/(|g₀| + ε), about −lr·sign(g₀); ADOPT's first is zero and its second
    is −lr·(1 − β₁)·g₁/|g₀|, both recomputed from the recorded gradients."""
    adam, adopt = run_of(r, 0), run_of(r, 1)
    lr, b1 = r.runs[1].run.lr, _hyper(r, 1)["b1"]
    g0 = adam.grad[0]
    adam_off = float(np.max(np.abs(adam.update[0] + r.runs[0].run.lr * g0 / (np.abs(g0) + _hyper(r, 0)["eps"]))))
    second = -lr * (1 - b1) * adopt.grad[1] / np.abs(adopt.grad[0])
    adopt_off = float(np.max(np.abs(adopt.update[1] - second)))
    holds = adam_off <= EXACT * lr and not np.any(adopt.update[0]) and adopt_off <= EXACT * lr
    return Verdict(
        holds,
        f"gradient at the start {_pair(adam.grad[0])}; Adam's first step {_pair(adam.update[0])} "
        f"(−lr·g₀/(|g₀| + ε) to {adam_off:.0e}); ADOPT's first step {_pair(adopt.update[0])}, its second "
        f"{_pair(adopt.update[1])} (−lr·(1 − β₁)·g₁/|g₀| to "
        f"{adopt_off:.0e}); after {len(adam.update)} steps Adam: {step_text(adam)}, ADOPT: {step_text(adopt)}",
    )


def _slow_momentum(t: Trajectory, b3: float) -> np.ndarray:
    """AdEMAMix's slow average m_slow = Σ (1 − β₃)β₃^(t−i) gᵢ after the last step."""
    weights = (1 - b3) * b3 ** np.arange(len(t.grad))[::-1]
    return weights @ t.grad


def _ademamix(r: Result) -> Verdict:
    """AdEMAMix gets close, is pushed back out by its slow momentum, and ends where the
    fresh gradient balances −α·m_slow; Adam converges."""
    adam, mix = run_of(r, 0), run_of(r, 1)
    hyper = _hyper(r, 1)
    far = np.hypot(*mix.path.T)  # the minimum is the origin
    near = int(np.argmin(far[: len(far) // 2]))
    out = float(far[near:].max())
    pull = -hyper["alpha"] * _slow_momentum(mix, hyper["b3"])
    size = float(np.hypot(*pull))  # 0 with α = 0: nothing to balance
    balance = float(np.hypot(*(mix.grad[-1] - pull))) / size if size else math.inf
    holds = adam.converged_at is not None and out > 5 * far[near] and balance < 0.02
    return Verdict(
        holds,
        f"Adam: {step_text(adam)}; AdEMAMix comes within {far[near]:.2g} of the minimum at step {near}, is pushed "
        f"back out to {out:.2g} and ends {far[-1]:.2g} away, where its gradient {_pair(mix.grad[-1])} "
        f"and −α·m_slow {_pair(pull)} (recomputed from the gradients) differ by {balance:.1%}",
    )


def _lamb(r: Result) -> Verdict:
    """Every LAMB step is lr·‖θ‖ long; near Booth's minimum (1, 3) that stays lr·√10."""
    lamb, adam = run_of(r, 0), run_of(r, 1)
    lr = r.runs[0].run.lr
    off = float(np.max(np.abs(_lengths(lamb) / (lr * np.hypot(*lamb.path[:-1].T)) - 1)))
    m = lamb.nearest_minimum
    floor = lr * float(np.hypot(m.x, m.y))
    last = float(_lengths(lamb)[-100:].min())
    holds = off < EXACT and last > 0.9 * floor and lamb.converged_at is None and adam.converged_at is not None
    return Verdict(
        holds,
        f"LAMB's step length over lr·‖θ‖: 1 to {off:.0e} on all {len(lamb.update)} steps; its last 100 steps are "
        f"at least {last:.3g} long (lr·‖({m.x:g}, {m.y:g})‖ = {floor:.3g}) and it ends {distance(lamb):.2g} from "
        f"the minimum; Adam: {step_text(adam)}",
    )


SCALE = 10  # the loss is multiplied by this in the COCOB check


def _cocob(r: Result) -> Verdict:
    """Every lr times 10 (the same as the loss times 10): COCOB's path is unchanged, SGD's
    is not."""
    cocob, sgd = run_of(r, 0), run_of(r, 1)
    runs = tuple(OptRun.of(run.name, lr=SCALE * run.lr) for run in r.scenario.runs)
    scaled = variant(r, runs=runs)
    cocob10, sgd10 = run_of(scaled, 0), run_of(scaled, 1)
    same = len(cocob10.path) == len(cocob.path) and np.allclose(cocob10.path, cocob.path, rtol=0, atol=1e-9)
    apart = float(np.max(np.abs(cocob10.path - cocob.path))) if same else float("inf")
    holds = same and cocob.converged_at is not None and sgd.converged_at is not None
    holds &= sgd10.diverged_at is not None
    return Verdict(
        holds,
        f"COCOB: {step_text(cocob)}; on the loss × {SCALE} its path differs by at most {apart:.0e}. "
        f"SGD lr {r.runs[1].run.lr:g}: {step_text(sgd)}; on the loss × {SCALE}: {step_text(sgd10)}",
    )


def _dog(r: Result) -> Verdict:
    """DoG's step size, recomputed from the path and the gradients: the farthest distance
    from the start (at least r_ε) over the root of the summed squared gradient norms."""
    t, hyper = run_of(r, 0), _hyper(r, 0)
    start = t.path[0]
    r_eps = 1e-6 * (1 + np.hypot(*start))
    reach = np.maximum(np.maximum.accumulate(np.hypot(*(t.path[:-1] - start).T)), r_eps)
    eta = r.runs[0].run.lr * reach / np.sqrt(np.cumsum(np.sum(t.grad**2, axis=1)) + hyper["eps"])
    taken = _lengths(t) / np.hypot(*t.grad.T)
    off = float(np.max(np.abs(taken / eta - 1)))
    growth = float(eta.max() / eta[0])
    holds = off < 1e-6 and growth > 1e4 and t.converged_at is not None
    return Verdict(
        holds,
        f"step size ‖Δθ‖/‖g‖ equals max‖θᵢ − θ₀‖/√(Σ‖gᵢ‖² + ε) to {off:.0e} on all {len(t.update)} steps; "
        f"it grows from {eta[0]:.2g} to {eta.max():.2g} ({growth:.2g} times) and the run {step_text(t)}",
    )


def _floor(t: Trajectory) -> float:
    """The noise floor: the mean loss over the second half of the run."""
    return float(np.mean(t.loss[len(t.loss) // 2 :]))


def _schedule_free(r: Result) -> Verdict:
    """The noise floor averaged over seeds: Schedule-Free SGD's under half of SGD's, both at
    a constant lr."""
    results = [r, *(variant(r, seed=s) for s in SEEDS if s != r.scenario.seed)]
    sgd, free = (float(np.mean([_floor(run_of(v, i)) for v in results])) for i in (0, 1))
    holds = r.scenario.schedule == "constant" and free < 0.5 * sgd
    return Verdict(
        holds,
        f"mean loss over the last {r.scenario.steps // 2} steps, averaged over seeds 0–{len(SEEDS) - 1}, constant "
        f"lr: SGD {sgd:.3g}, Schedule-Free SGD {free:.3g} ({sgd / free:.1f} times lower)",
    )


def _valley_curvature(p: np.ndarray) -> float:
    """The largest curvature of (xy − 1)² at ``p``: its Hessian's largest eigenvalue, which on the
    valley xy = 1 is 2(x² + y²), least (4) at ±(1, 1)."""
    x, y = p
    cross = 2 * (2 * x * y - 1)
    return float(np.linalg.eigvalsh(np.array([[2 * y * y, cross], [cross, 2 * x * x]])).max())


def _sam(r: Result) -> Verdict:
    """On the valley of minima xy = 1, SGD stops where it lands; SAM drifts to its flattest part."""
    sgd, sam = run_of(r, 0), run_of(r, 1)
    ends = [_valley_curvature(t.path[-1]) for t in (sgd, sam)]
    losses = [float(t.loss[-1]) for t in (sgd, sam)]
    holds = sgd.diverged_at is None and sam.diverged_at is None and max(losses) < 1e-2
    holds &= ends[0] > 3 * 4.0 and abs(ends[1] - 4.0) < 0.1 * 4.0
    return Verdict(
        holds,
        f"SGD ends at {_pair(sgd.path[-1])} with loss {losses[0]:.1e}, where the curvature across the valley is "
        f"{ends[0]:.3g}; SAM ends at {_pair(sam.path[-1])} with loss {losses[1]:.1e}, curvature {ends[1]:.3g} "
        "(the least on the valley is 4).",
    )


def _lbfgs(r: Result) -> Verdict:
    """L-BFGS converges within tens of steps, and within a hundred gradient evaluations counted
    with its line searches' trials; Adam at a good fixed lr has not converged at the end."""
    lbfgs, adam = run_of(r, 0), run_of(r, 1)
    at = lbfgs.converged_at
    spent = None if at is None else run_of(variant(r, steps=at), 0).grad_evals * at
    holds = at is not None and at < 60 and spent < 100 and adam.converged_at is None and adam.diverged_at is None
    return Verdict(
        holds,
        f"L-BFGS: {step_text(lbfgs)}"
        + ("" if spent is None else f", after {spent:.0f} gradient evaluations (its line searches' trials counted)")
        + f"; Adam: {step_text(adam)}, final loss {float(adam.loss[-1]):.2g}.",
    )


OPTIMIZER_PRESETS = (
    Preset(
        "lion-fixed-steps",
        "Lion moves every coordinate by lr",
        "Lion keeps a momentum but moves by its sign only: each step is −lr·(sign(c) + λθ), so every "
        "coordinate moves by exactly lr (plus a tiny decay) and the path is made of diagonal moves of one size. "
        "Adam at the same lr divides by the gradient's recent size, and in places its steps shrink to about "
        "10⁻⁴·lr. Lion walks the valley at full speed and reaches (1, 1), but it never slows down there: its "
        "momentum carries it past, and it keeps wandering around the minimum.",
        "v=1&surface=rosenbrock&opt=lion:lr=0.01&opt=adam:lr=0.01&steps=1000",
        "Every coordinate of every Lion step, its decay added back, has length lr (to 10⁻⁹·lr); Adam's "
        "coordinate steps fall below lr/1000; Lion comes within 0.01 of (1, 1) while Adam is still more than "
        "1 away after 1,000 steps.",
        _lion,
    ),
    Preset(
        "prodigy-grows-its-step",
        "Prodigy finds its own step size",
        "Prodigy is Adam with a step size d that it estimates as it goes, from the gradients and the distance "
        "it has travelled from the start. It starts from d₀ = 10⁻⁶, so its first step is exactly Adam's at "
        "lr = 10⁻⁶ (the second run); then the estimate only grows, and within a few dozen steps its steps are "
        "a hundred thousand times longer. No learning rate was tuned: lr = 1 means 'the method's own rule'.",
        "v=1&surface=booth&opt=prodigy&opt=adam:lr=0.000001&steps=400",
        "Prodigy's first step equals Adam's at lr = d₀; its longest step is more than 10⁵ times its first and "
        "it converges, while Adam at lr = d₀ moves less than 10⁻³ in 400 steps.",
        _prodigy,
    ),
    Preset(
        "dog-distance-over-gradients",
        "DoG: the step size is the distance travelled",
        "DoG ('distance over gradients') is gradient descent whose step size is the farthest it has got from "
        "the start, divided by the root of the summed squared gradient norms: "
        r"$\eta_t = \max_{i \le t}\|\theta_i - \theta_0\| / \sqrt{\sum_{i \le t}\|g_i\|^2}$. "
        "It starts with a tiny move, r_ε = 10⁻⁶·(1 + ‖θ₀‖); each move lengthens the numerator, so the step "
        "size snowballs until the path has covered the distance to the minimum, then the growing sum of "
        "gradients holds it. No learning rate to tune.",
        "v=1&surface=booth&opt=dog&steps=400",
        "The step size ‖Δθ‖/‖g‖ of every step equals the rule recomputed from the path and gradients (to 10⁻⁶); "
        "it grows more than 10⁴-fold, and the run converges.",
        _dog,
    ),
    Preset(
        "cocob-no-learning-rate",
        "COCOB ignores the scale of the loss",
        "COCOB treats each coordinate as a gambler betting on the sign of the summed gradients, staking a "
        "share of its winnings so far: every quantity it keeps grows in proportion to the gradients, and the "
        "step is a ratio of them, so it has no learning rate. The check multiplies the loss by 10 (the same as "
        "every lr × 10): COCOB's path does not change at all, while gradient descent, tuned for the original "
        "scale, now steps too far and diverges.",
        "v=1&surface=booth&opt=cocob&opt=sgd:lr=0.05&steps=500",
        "COCOB and SGD both converge; on the loss × 10 COCOB's path is the same to 10⁻⁹ and SGD diverges.",
        _cocob,
    ),
    Preset(
        "adopt-first-step",
        "Adam's first step is a sign step; ADOPT's waits",
        "At the first step Adam's averages hold one gradient, so m̂/√v̂ = g/|g| and every coordinate moves "
        "by exactly lr, however different the partial derivatives are (here about 3 to 1). ADOPT divides by "
        "the second moment of the gradients before the current one: at the first step there are none, so it "
        "only measures v₀ = g₀² and stands still; its second moves each coordinate by lr·(1 − β₁)·|g₁|/|g₀|, "
        "a tenth of Adam's, and its steps grow as the momentum fills.",
        "v=1&surface=rosenbrock&opt=adam:lr=0.05&opt=adopt:lr=0.05&steps=500",
        "Adam's first step is −lr·g₀/(|g₀| + ε) ≈ −lr·sign(g₀) to 10⁻⁹; ADOPT's first step is zero and its second "
        "is −lr·(1 − β₁)·g₁/|g₀| to 10⁻⁹.",
        _adopt,
    ),
    Preset(
        "ademamix-slow-memory",
        "AdEMAMix remembers the way down",
        "AdEMAMix adds to Adam's step a second momentum m_slow with β₃ = 0.9999, weighted by α = 5: an "
        "average over some 10,000 steps that is not bias-corrected, so it builds up slowly and forgets slowly. "
        "On this bowl it gets close to the minimum, then the remembered downhill direction pushes it back out; "
        "it comes to rest where the fresh gradient cancels α·m_slow, and only drifts back as the memory fades. "
        "Adam converges. The distances are hundredths: zoom in on the minimum, or watch the loss panel, "
        "where AdEMAMix's loss stops falling.",
        "v=1&surface=quadratic&opt=adam:lr=0.05&opt=ademamix:lr=0.05&steps=2000",
        "Adam converges; AdEMAMix, after its closest approach, is pushed more than 5 times as far out, and at "
        "the end its gradient equals −α·m_slow (recomputed from its gradients) within 2 %.",
        _ademamix,
    ),
    Preset(
        "lamb-trust-ratio",
        "LAMB measures its steps from the origin",
        "LAMB rescales Adam's step to length lr·‖θ‖ (the trust ratio ‖θ‖/‖u‖), built for a network's layers. "
        "Here the whole position is one 'layer' of two numbers, so the step is a fixed fraction of the distance "
        "from the origin, not from the minimum. Booth's minimum is at (1, 3), √10 from the origin: there LAMB "
        "still takes steps of about lr·√10 and keeps stepping around it, while Adam settles.",
        "v=1&surface=booth&opt=lamb:lr=0.02&opt=adam:lr=0.1&steps=1000",
        "Every LAMB step has length lr·‖θ‖ (to 10⁻⁹); its last 100 steps are all longer than 0.9·lr·√10 and "
        "it does not converge, while Adam does.",
        _lamb,
    ),
    Preset(
        "schedule-free-noise",
        "Schedule-Free averages the noise away",
        "Noisy gradients keep constant-lr SGD bouncing at a noise floor. Schedule-Free SGD takes the same "
        "noisy steps with a base point z, keeps the running average x of all the z's, and evaluates the "
        "gradient at y = 0.1·z + 0.9·x, the path drawn here (x is the dotted line beside it). The average "
        "smooths the noise out, so y hovers "
        "well below SGD's floor with no decaying learning rate. The claim is averaged over eight seeds, since "
        "one seed can be lucky.",
        "v=1&surface=noisy_quadratic:sigma=1&opt=sgd:lr=0.1&opt=schedule_free_sgd:lr=0.1&steps=1000",
        "With a constant lr, Schedule-Free SGD's mean loss over the last 500 steps, averaged over seeds 0–7, is "
        "less than half of SGD's.",
        _schedule_free,
    ),
    Preset(
        "sam-flattest-minimum",
        "SAM slides to the flattest minimum",
        "Every point of the hyperbola xy = 1 is a minimum of (xy − 1)², with loss 0: a valley of minima whose "
        "walls are steep far from the origin and gentlest at ±(1, 1) (the curvature across it is 2(x² + y²), on "
        "two numbers the only 'sharpness' there is). Gradient descent stops wherever it first lands. SAM takes its "
        "gradient a distance ρ uphill, where a steep wall shows more than a gentle one, so it keeps sliding "
        "along the valley toward the flattest point, and hovers there just off the floor. Each SAM step costs "
        "two gradients.",
        "v=1&surface=custom&f=(x*y-1)^2&domain=-3,3,-3,3&opt=sgd:lr=0.05&opt=sam:lr=0.05,rho=0.2&steps=400"
        "&start=0.1,2.5",
        "Both runs reach the valley (loss below 10⁻²); SGD stops where its curvature is more than 3 times the "
        "least (4), SAM within 10 % of it.",
        _sam,
    ),
    Preset(
        "lbfgs-rosenbrock-in-tens-of-steps",
        "L-BFGS crosses Rosenbrock in tens of steps",
        "L-BFGS learns the curvature from how the gradient changed over its last steps and steps to where that "
        "quadratic picture has its minimum; a line search then sets each step's length. Along Rosenbrock's "
        "curved valley, where a first-order method creeps, it turns with the valley and reaches (1, 1) in a few "
        "dozen steps. A step can cost more than one gradient (the search tries lengths), so the summary counts "
        "gradients per step; counted that way too, it needs a few dozen. Adam at a good fixed lr is still on its "
        "way at step 300.",
        "v=1&surface=rosenbrock&opt=lbfgs&opt=adam:lr=0.1&steps=300",
        "L-BFGS converges (loss within 10⁻⁶ of the minimum's) before step 60, having evaluated fewer than 100 "
        "gradients; Adam at lr 0.1 has not converged by step 300.",
        _lbfgs,
    ),
)
