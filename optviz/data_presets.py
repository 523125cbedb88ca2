"""Gallery entries on the data-driven surfaces, each with the check that proves its claim:
unscaled features make a narrow valley, smaller batches leave a higher noise floor, and
the tanh neuron's two starts end at mirror-image minima of equal loss."""

from __future__ import annotations

import itertools

import numpy as np

from optviz.claims import Preset, Verdict, distance, run_of, step_text, variant
from optviz.engine import Result
from optviz.scenario import OptRun
from optviz.theory import curvature

SCALED_LR = 5.0  # SGD's lr on the scaled features: below 2/h there, h ≈ 0.12
NARROW = 20  # a condition number above this makes the valley narrow


def _curvatures(scenario) -> tuple[float, float]:
    """The Hessian's eigenvalues at the (single) minimum of ``scenario``'s surface."""
    surface, params = scenario.surface_def, dict(scenario.surface_params)
    (m,) = surface.minima(params)
    low, high = curvature(surface, (m.x, m.y), params).eigenvalues
    return float(low), float(high)


def _unscaled(r: Result) -> Verdict:
    """SGD near its stability limit crawls along the narrow valley; Adam converges; SGD on
    the scaled features (scale = 1) converges at once."""
    sgd, adam = run_of(r, 0), run_of(r, 1)
    low, high = _curvatures(r.scenario)
    scaled_params = tuple((k, 1.0 if k == "scale" else v) for k, v in r.scenario.surface_params)
    scaled_result = variant(r, surface_params=scaled_params, runs=(OptRun.of("sgd", lr=SCALED_LR),))
    scaled, (scaled_low, scaled_high) = run_of(scaled_result, 0), _curvatures(scaled_result.scenario)
    lr = r.runs[0].run.lr
    holds = (
        high / low > NARROW
        and lr < 2 / high
        and sgd.converged_at is None
        and distance(sgd) > 0.05
        and adam.converged_at is not None
    )
    holds &= SCALED_LR < 2 / scaled_high and scaled.converged_at is not None and scaled.converged_at < 20
    return Verdict(
        holds,
        f"Hessian eigenvalues at the minimum {low:.3g} and {high:.3g} (κ = {high / low:.0f}); SGD lr {lr:g} "
        f"(< 2/{high:.3g}): {step_text(sgd)}; Adam: {step_text(adam)}; features scaled (κ = "
        f"{scaled_high / scaled_low:.2g}), SGD lr {SCALED_LR:g}: {step_text(scaled)}",
    )


BATCHES = (4, 16)


def _excess(t) -> float:
    """Mean loss above the minimum's over the second half of the run: the noise floor
    (each row at least 0: a loss a rounding error below f* is at the minimum)."""
    return float(np.mean(np.maximum(t.loss[len(t.loss) // 2 :] - t.nearest_minimum.f, 0.0)))


def _noise_floor(r: Result) -> Verdict:
    floors = {r.scenario.batch: _excess(run_of(r, 0))}
    floors |= {b: _excess(run_of(variant(r, batch=b), 0)) for b in BATCHES}
    full = run_of(variant(r, batch=0), 0)
    floors[0] = _excess(full)
    order = [floors[b] for b in (r.scenario.batch, *BATCHES, 0)]
    holds = all(a > b for a, b in itertools.pairwise(order)) and full.converged_at is not None
    return Verdict(
        holds,
        "mean loss above the minimum over the last half: "
        + ", ".join(f"batch {b}: {floors[b]:.2g}" for b in (r.scenario.batch, *BATCHES))
        + f", full batch: {floors[0]:.1g} ({step_text(full)})",
    )


def _mirror_minima(r: Result) -> Verdict:
    one, two = run_of(r, 0, 0), run_of(r, 0, 1)
    a, b = one.nearest_minimum, two.nearest_minimum
    mirrored = a is not None and b is not None and (a.x, a.y) == (-b.x, -b.y) and a.x != b.x
    losses = float(one.loss[-1]), float(two.loss[-1])
    holds = mirrored and one.converged_at is not None and two.converged_at is not None
    holds &= abs(losses[0] - losses[1]) <= 1e-6
    return Verdict(
        holds,
        f"from {one.start}: {step_text(one)} at ({one.path[-1][0]:.4g}, {one.path[-1][1]:.4g}), loss {losses[0]:.6g}; "
        f"from {two.start}: {step_text(two)} at ({two.path[-1][0]:.4g}, {two.path[-1][1]:.4g}), loss {losses[1]:.6g}",
    )


DATA_PRESETS = (
    Preset(
        "unscaled-features",
        "Unscaled features make a narrow valley",
        "A linear classifier on two features, one of them ten times larger than the other. The loss is "
        "a hundred times steeper along its weight, so plain SGD's learning rate must stay below 2 over that "
        "steep curvature, and along the other weight it then crawls. Adam rescales each weight by its own "
        "gradient size; scaling the feature (scale = 1) makes the bowl round, and SGD converges in a few steps.",
        "v=1&surface=logistic_regression:scale=10&opt=sgd:lr=0.2&opt=adam:lr=0.1&steps=150",
        "The Hessian's condition number at the minimum is above 20; SGD at lr 0.2, below 2/h for the steep "
        "direction, is still more than 0.05 from the minimum after 150 steps while Adam converges; with the "
        "features scaled SGD converges within 20 steps.",
        _unscaled,
    ),
    Preset(
        "batch-noise-floor",
        "Smaller batches, higher noise floor",
        "Each step's gradient here is the mean over a mini-batch of the data, drawn afresh from the link's "
        "seed: real training noise. With a constant learning rate the fit never settles; it hovers above the "
        "best line at a height set by the batch: the fewer points per batch, the noisier the gradient and the "
        "higher the floor. The full batch converges.",
        "v=1&surface=linear_regression:noise=1&opt=sgd:lr=0.05&steps=600&batch=1",
        "The mean loss above the minimum over the last 300 steps falls as the batch grows (1, 4, 16 points), "
        "and the full-batch run converges.",
        _noise_floor,
    ),
    Preset(
        "neuron-mirror-minima",
        "Two starts, two mirror-image fits",
        "One tanh neuron, y ≈ w₂·tanh(w₁·x). Flipping the signs of both weights gives the same function, so the "
        "loss has two mirror-image minima of equal depth and a saddle at the origin between them. Two starts on "
        "different sides of the saddle end at different weights — and at exactly the same fit.",
        "v=1&surface=neuron&opt=momentum:lr=0.1&steps=400&start=-2,1.5&start=1.5,-2.5",
        "Both starts converge, to the two minima w and −w, with equal loss (within 10⁻⁶).",
        _mirror_minima,
    ),
)
