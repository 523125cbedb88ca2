r"""Theory drawn on the 2-D map (`optviz.predictions`), as extra still traces of its parts.

* Per run (gradient descent, heavy ball, Nesterov; constant schedule), in the run's part:
  on the quadratics a dashed envelope on the loss panel, the start loss times
  :math:`\rho^{2k}` (the error shrinks by :math:`\rho` per step and the loss is quadratic
  in the error); on the noisy quadratic the predicted noise floor as a dashed level line;
  on every surface the continuous-time path from the run's start, thin and dotted:
  gradient flow (time :math:`\eta` per step) for gradient descent, the heavy-ball ODE
  (time :math:`\sqrt\eta` per step, `theory.heavy_ball_damping`) for momentum runs,
  Nesterov's included: its extra term :math:`\eta\beta(g_k - g_{k-1})` is
  :math:`O(\eta^{3/2})`, so it tends to the same ODE as :math:`\eta \to 0`.
* In the surface's part: the Hessian's eigen-directions at the known minimum, each
  segment's length proportional to its curvature (log-scaled when :math:`\kappa > 20`,
  and named so).

Every trace is named ``theory: …`` and kept out of the legend; the runs' parts carry
them only when the link asks for theory (``theory=1``).
"""

from __future__ import annotations

import math

import numpy as np

from optviz import theory
from optviz.engine import Result
from optviz.figures.frames import thinned
from optviz.figures.style import COLORS, bdata
from optviz.predictions import Prediction, RunTheory, method_of, predict

ENVELOPE_POINTS = 65  # the envelope is a straight line on a log axis; points for a linear one
FLOW_POINTS = 2_000  # the continuous path's points drawn, at most
LOG_SCALED_KAPPA = 20.0  # above this condition number the eigen-directions' lengths are log-scaled
EIGEN_COLOR = "#006D77"
FLOOR_COLOR = "#111111"
LOG_LIMIT = 300.0  # |log10| of the largest envelope value drawn (float64's range)


def _trace(axes: str, x, y, name: str, dtype: str = "f8", **style) -> dict:
    """A line named ``name`` on subplot ``axes``, out of the legend; values as ``dtype``
    (the map's coordinates fit float32, losses down to 1e-300 need float64)."""
    return {
        "type": "scatter",
        "xaxis": f"x{axes}",
        "yaxis": f"y{axes}",
        "x": bdata(np.asarray(x, float), dtype),
        "y": bdata(np.asarray(y, float), dtype),
        "mode": "lines",
        "name": name,
        "showlegend": False,
        "hovertemplate": f"{name}<extra></extra>",
        **style,
    }


def envelope(f0: float, rate: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Steps and :math:`f_0\rho^{2k}` at `ENVELOPE_POINTS` steps from 0 to ``steps``,
    stopped where the value leaves float64's range (a diverging :math:`\rho`)."""
    ks = np.unique(np.linspace(0, steps, ENVELOPE_POINTS).round())
    if f0 <= 0 or rate <= 0:
        return ks[:1], np.array([max(f0, 0.0)])
    logs = math.log10(f0) + 2 * ks * math.log10(rate)
    keep = np.abs(logs) <= LOG_LIMIT
    return ks[keep], 10 ** logs[keep]


def envelope_trace(result: Result, r: RunTheory) -> dict:
    """Run r's predicted loss envelope on the loss panel, from its first start's loss."""
    ks, values = envelope(float(result.runs[r.index].trajectories[0].loss[0]), r.rate, result.scenario.steps)
    color = COLORS[r.index % len(COLORS)]
    name = f"theory: {r.label}, f₀·ρ²ᵏ with ρ = {r.rate:.5g}"
    return _trace("2", ks, values, name, line={"color": color, "width": 1.5, "dash": "dash"}, legendgroup=str(r.index))


def floor_trace(steps: int, r: RunTheory) -> dict:
    """Run r's predicted noise floor of E f as a dark dashed level line on the loss panel
    (over the run's own noisy curve, which it splits)."""
    name = f"theory: {r.label}, noise floor E f ≈ {r.floor:.3g}"
    return _trace("2", [0, steps], [r.floor] * 2, name, line={"color": FLOOR_COLOR, "width": 2, "dash": "longdash"})


def flow_path(result: Result, i: int) -> tuple[np.ndarray, str] | None:
    """Run i's continuous-time path from its first start and its name; None unless the
    run is gradient descent, heavy ball or Nesterov at a constant lr. Cut where it leaves
    a box ten domains wide (a step too large for the integrator)."""
    scenario = result.scenario
    method = method_of(scenario.runs[i])
    if method is None or scenario.schedule != "constant":
        return None
    run, start, params = scenario.runs[i], scenario.starts[0], dict(scenario.surface_params)
    surface = scenario.surface_def
    if method.momentum:
        path = theory.heavy_ball_flow(surface, start, run.lr, method.momentum, scenario.steps, params)
        name = f"theory: heavy-ball ODE of {run.label} (θ'' + aθ' + ∇f = 0)"
    else:
        path = theory.gradient_flow(surface, start, run.lr, scenario.steps, params)
        name = f"theory: gradient flow from the start of {run.label} (θ' = −∇f)"
    (x0, x1), (y0, y1) = surface.domain
    span = 10 * max(x1 - x0, y1 - y0)
    inside = np.all(np.isfinite(path), axis=1) & (np.abs(path).max(axis=1) < span + max(map(abs, (x0, x1, y0, y1))))
    stop = len(path) if inside.all() else int(np.argmin(inside))
    return path[:stop], name


def drawn_flow(result: Result, i: int) -> tuple[np.ndarray, str] | None:
    """Run i's `flow_path` thinned to ≤ `FLOW_POINTS` points as drawn (map and 3-D view), and
    its name; None where there is no path of two points or more."""
    found = flow_path(result, i)
    if found is None or len(found[0]) < 2:
        return None
    path, name = found
    return path[thinned(len(path), FLOW_POINTS)], name


def flow_trace(result: Result, i: int, width: float = 1.2) -> dict | None:
    """Run i's `drawn_flow` as a thin dotted line on the map."""
    if (found := drawn_flow(result, i)) is None:
        return None
    path, name = found
    color = COLORS[i % len(COLORS)]
    return _trace("", path[:, 0], path[:, 1], name, "f4", line={"color": color, "width": width, "dash": "dot"})


def run_traces(result: Result, pred: Prediction, i: int, width: float = 1.2) -> list[dict]:
    """Run i's theory traces: its envelope and noise floor (the quadratics), its flow."""
    r = pred.runs[i]
    out = []
    if r.reason is None and pred.exact:
        out.append(envelope_trace(result, r))
        if r.floor is not None:
            out.append(floor_trace(result.scenario.steps, r))
    flow = flow_trace(result, i, width)
    return out + ([flow] if flow is not None else [])


def eigen_lengths(eigenvalues: np.ndarray, longest: float) -> tuple[np.ndarray, bool]:
    r"""Half-lengths of the eigen-direction segments: :math:`\ell_i \propto \lambda_i`, the
    largest ``longest``; above `LOG_SCALED_KAPPA`,
    :math:`\ell_i \propto 1 + \log_{10}(\lambda_i/\lambda_{\min})` (and True)."""
    lam = np.abs(np.asarray(eigenvalues, float))
    kappa = lam.max() / lam.min()
    if kappa <= LOG_SCALED_KAPPA:
        return longest * lam / lam.max(), False
    scaled = 1 + np.log10(lam / lam.min())
    return longest * scaled / scaled.max(), True


def eigen_segments(pred: Prediction, domain) -> list[tuple[np.ndarray, float, bool]]:
    """Per eigenvector of the Hessian at the minimum: the segment's two ends (through the
    minimum, half-length by `eigen_lengths`), its eigenvalue, and whether lengths are
    log-scaled. Empty without a Hessian model."""
    c = pred.curvature
    if c is None:
        return []
    (x0, x1), (y0, y1) = domain
    half, logged = eigen_lengths(c.eigenvalues, 0.2 * min(x1 - x0, y1 - y0))
    centre = np.asarray(c.point)
    return [
        (np.stack([centre - ell * vec, centre + ell * vec]), float(lam), logged)
        for lam, vec, ell in zip(c.eigenvalues, c.eigenvectors.T, half, strict=True)
    ]


def eigen_traces(pred: Prediction, domain) -> list[dict]:
    """The Hessian's eigen-directions at the minimum, one segment through it per
    eigenvector, named by its curvature and the largest stable lr it allows."""
    out = []
    for ends, lam, logged in eigen_segments(pred, domain):
        scale = " (lengths log-scaled)" if logged else ""
        name = f"theory: Hessian eigen-direction, curvature λ = {lam:.4g}{scale}; GD stable below lr {2 / lam:.4g}"
        out.append(_trace("", ends[:, 0], ends[:, 1], name, line={"color": EIGEN_COLOR, "width": 3}))
    return out


def with_theory(result: Result, surface: dict, runs: tuple[dict, ...], width: float) -> tuple[dict, tuple[dict, ...]]:
    """The map's surface part and run parts with the theory traces added (their
    continuous paths ``width`` px wide)."""
    pred = predict(result.scenario, result)
    surface = surface | {"traces": surface["traces"] + eigen_traces(pred, result.scenario.surface_def.domain)}
    runs = tuple(run | {"traces": run["traces"] + run_traces(result, pred, i, width)} for i, run in enumerate(runs))
    return surface, runs
