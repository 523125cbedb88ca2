r"""What theory predicts for a scenario's runs, set beside what the engine computed.

`optviz.theory` holds the mathematics; this module applies it to a `Scenario`:

* **The Hessian model**: on the quadratic surfaces (``quadratic``, ``noisy_quadratic``)
  the Hessian :math:`\mathrm{diag}(h, h/\kappa)` is the loss's own everywhere, so the
  predictions are exact; on any other surface with a known minimum, the Hessian there
  (`theory.curvature`) predicts the behaviour near it ("near the minimum").
* **Per run** (gradient descent, heavy ball, Nesterov at the run's own lr and β, constant
  schedule): the largest stable lr, the predicted per-step contraction :math:`\rho`
  (spectral radius of the iteration matrix over the eigenvalues), the optimal tuning for
  the method, the measured contraction (`measured_rate`), and on a noisy surface the
  noise floor of :math:`\mathbb E f`. Every other run gets the reason theory says nothing
  about it.

The Keras and PyTorch conventions of these three optimizers follow the same recursion at
a constant lr (Keras accumulates :math:`-\eta g` in the velocity, which is optax's
velocity times :math:`-\eta`), so the predictions hold for every convention.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from optviz import theory
from optviz.engine import Result, Trajectory
from optviz.scenario import OptRun, Scenario

EXACT_SURFACES = ("quadratic", "noisy_quadratic")
THEORY_METHODS = ("sgd", "momentum", "nesterov")
TINY = 1e-150  # error norms below this are left out of fits (their squares would underflow)
ROUNDING = 1e-11  # ... and below this fraction of the minimum's size (float64 rounding there)
MIN_FIT_ROWS = 8  # fewer rows than this give no measured rate
SMOOTH_OFFSET, SMOOTH_TOLERANCE = 1e-6, 0.05  # the smoothness check's step off the minimum, and its tolerance


class Method(NamedTuple):
    """Gradient descent (``momentum = 0``), heavy ball or Nesterov: the iteration's form."""

    momentum: float
    nesterov: bool

    @property
    def name(self) -> str:
        return "Nesterov" if self.nesterov else "heavy ball" if self.momentum else "gradient descent"

    def optimal(self, mu: float, big_l: float) -> theory.Tuning:
        """The method's best tuning for Hessian eigenvalues in ``[mu, big_l]``."""
        if self.nesterov:
            return theory.optimal_nesterov(mu, big_l)
        return theory.optimal_heavy_ball(mu, big_l) if self.momentum else theory.optimal_gd(mu, big_l)


def method_of(run: OptRun) -> Method | None:
    """The run's iteration form, or None if it is none of the three."""
    if run.name not in THEORY_METHODS:
        return None
    hp = run.hyperparams
    beta = float(hp.get("momentum", 0.0))
    nesterov = run.name == "nesterov" or (run.name == "sgd" and bool(hp.get("nesterov")))
    return Method(beta, nesterov and beta > 0)


@dataclass(frozen=True)
class RunTheory:
    r"""The predictions for run ``index``; ``reason`` says why there are none (else None).

    ``stable_lr``: the largest stable lr at the run's β; ``rate``: the predicted per-step
    contraction at its lr; ``measured``: the fitted one (None where no fit applies);
    ``optimal``: the method's best (lr, β); ``floor``: the predicted :math:`\mathbb E f - f^*`
    under the surface's gradient noise (noisy surfaces)."""

    index: int
    label: str
    reason: str | None = None
    method: Method | None = None
    lr: float = 0.0
    stable_lr: float = 0.0
    rate: float = math.nan
    measured: float | None = None
    optimal: theory.Tuning | None = None
    floor: float | None = None


@dataclass(frozen=True)
class Prediction:
    """A scenario's theory: the Hessian model (``curvature``, None with ``reason`` where
    there is none), whether it is exact, and each run's `RunTheory`."""

    curvature: theory.Curvature | None
    exact: bool
    runs: tuple[RunTheory, ...]
    reason: str | None = None


def hessian_model(scenario: Scenario) -> tuple[theory.Curvature | None, str | None]:
    """The Hessian at the surface's (global) known minimum, or None and why not."""
    return _hessian_model(scenario.surface_def, scenario.surface_params)


@functools.lru_cache(maxsize=64)
def _hessian_model(surface, surface_params: tuple) -> tuple[theory.Curvature | None, str | None]:
    """`hessian_model` by surface and parameters (each new lr asks again)."""
    params = dict(surface_params)
    minima = surface.minima(params)
    if not minima:
        return None, f"it needs a known minimum, and {surface.title} has none"
    m = minima[0]
    c = theory.curvature(surface, (m.x, m.y), params)
    if not np.all(np.isfinite(c.eigenvalues)) or c.eigenvalues.min() <= 0:
        return None, f"the Hessian at the minimum ({m.x:.4g}, {m.y:.4g}) is not positive definite"
    if not _smooth(surface, params, c):
        return None, f"the loss is not smooth at the minimum ({m.x:.4g}, {m.y:.4g}): no Hessian describes it there"
    return c, None


def _smooth(surface, params: dict, c: theory.Curvature) -> bool:
    r"""Whether the quadratic model holds near the minimum: a step :math:`arepsilon v` along
    each eigenvector changes the gradient by :math:`\lambdaarepsilon v` (within
    `SMOOTH_TOLERANCE`). At a cone tip such as Ackley's the change is about constant
    instead, and the Hessian autodiff reports there (of the smooth part) is not the loss's."""
    values = {**surface.defaults(), **params}
    grad = jax.grad(lambda p: surface.fn(p[0], p[1], **values))
    point = np.asarray(c.point)
    eps = SMOOTH_OFFSET * max(1.0, float(np.hypot(*point)))
    base = np.asarray(grad(jnp.asarray(point)))
    for lam, v in zip(c.eigenvalues, c.eigenvectors.T, strict=True):
        change = np.asarray(grad(jnp.asarray(point + eps * v))) - base
        if np.linalg.norm(change - lam * eps * v) > SMOOTH_TOLERANCE * lam * eps:
            return False
    return True


def measured_rate(path: np.ndarray, minimum, rows: int | None = None) -> float | None:
    r"""The measured per-step contraction: :math:`\exp` of the least-squares slope of
    :math:`\log\lVert(\theta_k-\theta^*, \theta_{k+1}-\theta^*)\rVert` over the later half
    of the rows (of the first ``rows``) that stay above the fit floor (`TINY`, and
    `ROUNDING` times the minimum's size). Two consecutive positions are the whole state of
    an eigen-direction, so the norm has no zeros where a spiral crosses the minimum.
    None when fewer than `MIN_FIT_ROWS` rows are left."""
    d = np.hypot(*(np.asarray(path[:rows], float) - np.asarray(minimum, float)).T)
    e = np.hypot(d[:-1], d[1:])
    floor = max(TINY, ROUNDING * float(np.hypot(*minimum)))
    above = np.nonzero(np.isfinite(e) & (e > floor))[0]
    if len(above) < MIN_FIT_ROWS:
        return None
    k = np.arange(above[-1] // 2, above[-1] + 1)
    k = k[e[k] > floor]
    if len(k) < MIN_FIT_ROWS:
        return None
    return math.exp(np.polyfit(k, np.log(e[k]), 1)[0])


def _measured(t: Trajectory, c: theory.Curvature, exact: bool, floor: float | None) -> float | None:
    """The run's measured contraction: on the quadratics over the whole path (down to
    ten times the noise floor, if any), elsewhere only once it converged to the minimum."""
    rows = None
    if floor is not None:
        below = np.nonzero(t.loss <= 10 * floor)[0]
        rows = int(below[0]) if len(below) else None
    if not exact and (t.converged_at is None or t.diverged_at is not None):
        return None
    if not exact and t.nearest_minimum is not None and np.hypot(*np.subtract(c.point, t.path[-1])) > 1e-3:
        return None  # converged elsewhere: another minimum's Hessian
    return measured_rate(t.path, c.point, rows)


def run_theory(scenario: Scenario, i: int, c: theory.Curvature, exact: bool, result: Result | None) -> RunTheory:
    """`RunTheory` of run ``i`` against the Hessian model ``c``."""
    run = scenario.runs[i]
    method = method_of(run)
    if method is None:
        return RunTheory(i, run.label, f"it covers gradient descent, heavy ball and Nesterov, not {run.name}")
    if scenario.schedule != "constant":
        return RunTheory(i, run.label, "it assumes a constant lr, and this schedule changes it", method)
    lam = c.eigenvalues
    kw = {"momentum": method.momentum, "nesterov": method.nesterov}
    floor = None
    noise = scenario.surface_def.noise
    if exact and noise:
        floor = theory.noise_floor(run.lr, lam, float(dict(scenario.surface_params)[noise]), **kw)
        floor = floor if math.isfinite(floor) and floor > 0 else None
    measured = None
    if result is not None:
        measured = _measured(result.runs[i].trajectories[0], c, exact, floor)
    return RunTheory(
        index=i,
        label=run.label,
        method=method,
        lr=run.lr,
        stable_lr=theory.max_stable_lr(lam, **kw),
        rate=float(theory.rate(run.lr, lam, **kw)),
        measured=measured,
        optimal=method.optimal(float(lam.min()), float(lam.max())),
        floor=floor,
    )


def predict(scenario: Scenario, result: Result | None = None) -> Prediction:
    """Every run's predictions (and, given the ``result``, its measured rate)."""
    c, why = hessian_model(scenario)
    exact = scenario.surface in EXACT_SURFACES
    if c is None:
        return Prediction(None, exact, tuple(RunTheory(i, r.label, why) for i, r in enumerate(scenario.runs)), why)
    return Prediction(c, exact, tuple(run_theory(scenario, i, c, exact, result) for i in range(len(scenario.runs))))


def _g(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}"


def model_line(pred: Prediction) -> str:
    """What the predictions rest on, in words: the Hessian's eigenvalues, or why none."""
    if pred.curvature is None:
        return f"Theory does not apply here: {pred.reason}."
    c = pred.curvature
    lo, hi = c.eigenvalues
    where = "The Hessian" if pred.exact else f"Near the minimum ({_g(c.point[0])}, {_g(c.point[1])}) the Hessian"
    tail = "these predictions are exact." if pred.exact else "theory predicts the last steps of a run that gets there."
    return f"{where} has eigenvalues μ = {_g(lo)} and L = {_g(hi)} (κ = {_g(hi / lo)}): {tail}"


def run_line(pred: Prediction, r: RunTheory) -> str:
    """One run's predictions beside its measured rate: ``"1. sgd lr=0.1: gradient
    descent, stable below lr 2; predicted rate ρ = 0.9, measured 0.9; optimal …"``."""
    head = f"{r.index + 1}. {r.label}"
    if r.reason is not None:
        return f"{head}: theory does not apply: {r.reason}."
    near = "" if pred.exact else "near the minimum: "
    measured = f"measured {_g(r.measured, 5)}" if r.measured is not None else "not measured"
    if r.measured is not None and r.measured < 1 < r.rate:
        measured += " (its unstable direction has not grown out of rounding error yet)"
    opt = r.optimal
    best = f"lr {_g(opt.lr)}" + (f", β {_g(opt.momentum)}" if r.method.momentum or r.method.nesterov else "")
    text = (
        f"{head}: {r.method.name}, {near}largest stable lr {_g(r.stable_lr)}, "
        f"predicted rate ρ = {_g(r.rate, 5)} ({verdict(r)}), {measured}; optimal {best} (ρ = {_g(opt.rate, 5)})"
    )
    return text + (f"; noise floor E f ≈ {_g(r.floor)}" if r.floor is not None else "") + "."


def verdict(r: RunTheory) -> str:
    """``"converges"`` or ``"diverges"`` by ρ, as `theory.classify` words it."""
    if r.rate > 1 + 1e-12:
        return "diverges"
    return "marginal" if abs(r.rate - 1) <= 1e-12 else "converges"


def lines(pred: Prediction) -> list[str]:
    """The model line, then one line per run."""
    return [model_line(pred)] + [run_line(pred, r) for r in pred.runs]


def stable_note(pred: Prediction, i: int) -> str:
    """The caption beside run ``i``'s lr control: ``"stable below 0.002"`` (``"near the
    minimum, stable below …"`` off the quadratics), or '' where theory says nothing."""
    r = pred.runs[i]
    if r.reason is not None:
        return ""
    return ("" if pred.exact else "near the minimum, ") + f"stable below {_g(r.stable_lr)}"
