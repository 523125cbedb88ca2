"""The gallery: curated teaching scenarios, each a link plus a claim checked on its result.

A preset's ``check`` takes the `Result` of its own link (and may simulate variants of
it, e.g. other seeds or another schedule) and returns a `Verdict`: whether the claim
holds and the computed numbers behind it. The tests run every check; the app shows the
verdict under a preset's scenario, so a claim on screen is always a computed one.

This module is the table; the checks of its entries are in `optviz.preset_checks`, and
the entries on data surfaces and on newer optimizers, each with its checks, in
`optviz.data_presets` and `optviz.optimizer_presets`.
"""

from __future__ import annotations

import functools

from optviz import preset_checks as check
from optviz.claims import Preset, Verdict
from optviz.data_presets import DATA_PRESETS
from optviz.optimizer_presets import OPTIMIZER_PRESETS

__all__ = ["PRESETS", "Preset", "Verdict", "preset_for"]

PRESETS: dict[str, Preset] = {
    p.slug: p
    for p in (
        Preset(
            "edge-of-stability",
            "SGD at the edge of stability",
            "On a quadratic with curvature h, gradient descent multiplies the distance to the minimum by "
            "(1 − lr·h) each step. Just below lr = 2/h that factor is close to −1: the iterate jumps across the "
            "valley every step but still shrinks towards the bottom. Just above 2/h the factor's size exceeds 1 "
            "and every jump is bigger than the last.",
            "v=1&surface=quadratic&opt=sgd:lr=1.98&opt=sgd:lr=2.02&steps=500",
            "lr = 1.98 oscillates (x changes sign on at least 90 % of steps) but converges; lr = 2.02 diverges.",
            check.edge_of_stability,
        ),
        Preset(
            "crawl-to-divergence",
            "From crawl to divergence",
            "Drag the learning rate and watch one path change character. Far below the best rate gradient descent "
            "crawls: each step shrinks the distance to the minimum by a factor close to 1. Nearer lr = 1/h it "
            "converges in a few steps; between 1/h and 2/h it overshoots and oscillates across the valley; past "
            "2/h every step overshoots by more than the last and the path leaves the map.",
            "v=1&surface=quadratic&opt=sgd:lr=0.2&steps=200&view=drag",
            "Over the slider's 128 learning rates the smallest still has more than half the distance to go after 200 "
            "steps, some converge, and exactly the lrs above 2/h = 2 diverge.",
            check.crawl_to_divergence,
        ),
        Preset(
            "tiny-lr-crawls",
            "Too small a learning rate crawls",
            "A tiny learning rate never overshoots, but it also barely moves: on Rosenbrock's flat, curved "
            "valley floor plain SGD with lr = 2·10⁻⁴ is still far from the minimum after 2,000 steps. Adam "
            "rescales each coordinate by its recent gradient size and walks the valley to (1, 1).",
            "v=1&surface=rosenbrock&opt=sgd:lr=0.0002&opt=adam:lr=0.05&steps=2000",
            "Adam converges to (1, 1); SGD with lr = 2·10⁻⁴ is still more than 1 away after 2,000 steps.",
            check.converges_other_lags(1, 0, 1.0),
        ),
        Preset(
            "momentum-valley",
            "Momentum rides the valley",
            "With the same learning rate, heavy-ball momentum accumulates the small, consistent gradient along "
            "Rosenbrock's valley floor, moving up to 1/(1 − β) = 10 times faster there, while the oscillating "
            "component across the valley cancels out.",
            "v=1&surface=rosenbrock&opt=sgd:lr=0.001&opt=momentum:lr=0.001&steps=2000",
            "Momentum (β = 0.9) converges within 2,000 steps; plain SGD at the same lr is still more than 0.5 away.",
            check.converges_other_lags(1, 0, 0.5),
        ),
        Preset(
            "heavy-ball-vs-nesterov",
            "Heavy ball overshoots, Nesterov damps",
            "On an ill-conditioned bowl (κ = 50) heavy-ball momentum builds up speed and flies past the "
            "minimum, spiralling in. Nesterov's look-ahead evaluates the gradient where the momentum is about to "
            "take it, so it brakes earlier: a smaller overshoot and faster convergence with the same lr and β.",
            "v=1&surface=quadratic:kappa=50&opt=momentum:lr=0.2&opt=nesterov:lr=0.2&steps=300",
            "The heavy ball's largest overshoot past the minimum is more than 1.5× Nesterov's, and Nesterov "
            "converges first.",
            check.heavy_ball,
        ),
        Preset(
            "saddle-stable-axis",
            "Stuck on a saddle's stable axis",
            "Started exactly on the x axis of f = x² − y² + c·y⁴, the gradient has no y component, so gradient "
            "descent slides straight into the saddle point and stops there: the gradient vanishes. A nudge of "
            "0.001 in y is enough: the instability along y grows it geometrically and the run escapes.",
            "v=1&surface=saddle&opt=sgd:lr=0.05&steps=500&start=-1.5,0&start=-1.5,0.001",
            "From y = 0 SGD ends within 10⁻⁶ of the saddle point; from y = 0.001 it converges to a minimum.",
            check.saddle,
        ),
        Preset(
            "adagrad-stalls",
            "Adagrad's steps shrink for good",
            "Adagrad divides by the square root of the sum of all past squared gradients. That sum only grows, "
            "so after the steep descent into Rosenbrock's valley its steps stay small for the rest of the run. "
            "RMSprop divides by a moving average instead, which forgets the steep start.",
            "v=1&surface=rosenbrock&opt=adagrad:lr=0.5&opt=rmsprop:lr=0.01&steps=3000",
            "After 3,000 steps Adagrad is more than 4× farther from (1, 1) than RMSprop.",
            check.adagrad,
        ),
        Preset(
            "noise-floor",
            "A decaying lr gets below the noise floor",
            "With noisy gradients (like minibatches), constant-lr SGD stops improving at a noise floor: each step "
            "adds lr·σ of random motion. Decaying the learning rate shrinks that motion, so the iterates settle "
            "lower. The claim is averaged over eight seeds, since one seed can be lucky.",
            "v=1&surface=noisy_quadratic:sigma=1&opt=sgd:lr=0.1&schedule=cosine:decay_steps=1000&steps=1000",
            "Averaged over seeds 0–7, the final loss with cosine decay is less than half that with a constant lr.",
            check.noise_floor,
        ),
        Preset(
            "warmup-rescues",
            "Warm-up rescues a large learning rate",
            "Started on Beale's steep ridge at (2, 2), SGD with lr = 0.01 takes one giant step and is thrown out "
            "of the map. Warming the lr up linearly from 0 over 200 steps lets it first slide into the valley, "
            "where the same peak lr is stable; the cosine decay then settles it near the minimum (3, 0.5).",
            "v=1&surface=beale&opt=sgd:lr=0.01&schedule=warmup_cosine:warmup_steps=200,decay_steps=2000"
            "&steps=2000&start=2,2",
            "With warm-up the run ends within 0.05 of (3, 0.5); with a constant lr the same run diverges within "
            "10 steps.",
            check.warmup,
        ),
        Preset(
            "adam-vs-sgd-beale",
            "Adam vs SGD on Beale",
            "Beale's gradients range over orders of magnitude: huge on the ridges, tiny on the plateaus. No single "
            "SGD learning rate suits both, while Adam's per-coordinate scaling takes steps of about lr whatever the "
            "gradient's size.",
            "v=1&surface=beale&opt=adam:lr=0.1&opt=sgd:lr=0.01&opt=sgd:lr=0.001&steps=3000&start=2,2",
            "Adam converges to (3, 0.5); SGD with lr = 0.01 diverges within 10 steps and with lr = 0.001 is still "
            "more than 0.1 away after 3,000 steps.",
            check.adam_beale,
        ),
        Preset(
            "himmelblau-four-minima",
            "Four starts, four minima",
            "Himmelblau's function has four minima of equal depth. Gradient descent is local: it goes downhill "
            "from wherever it starts, so the start point alone decides which minimum it finds.",
            "v=1&surface=himmelblau&opt=sgd:lr=0.01&steps=500&start=0,0&start=-1,0&start=-1,-1&start=1,-1",
            "The same optimizer from four starts converges to four different minima.",
            check.four_basins,
        ),
        Preset(
            "rastrigin-local-cup",
            "Trapped in a local cup",
            "Rastrigin's egg box has a local minimum near every integer point. Both SGD and Adam (even with a "
            "large lr) stop in the cup they start in: the gradient there is zero, so nothing pushes them on "
            "towards the global minimum at the origin.",
            "v=1&surface=rastrigin&opt=sgd:lr=0.002&opt=adam:lr=0.3&steps=1000",
            "Both runs end where |∇f| < 10⁻³ with f > 10; the global minimum has f = 0.",
            check.local_cup,
        ),
        Preset(
            "sign-methods-bounce",
            "Sign methods never settle",
            "signSGD moves every coordinate by exactly ±lr, however small the gradient. It gets close fast but "
            "cannot stop: near the minimum it keeps stepping across it. Gradient descent's steps shrink with "
            "the gradient, so it settles.",
            "v=1&surface=quadratic&opt=signsgd:lr=0.07&opt=sgd:lr=0.5&steps=500",
            "signSGD's last 20 positions stay within lr of the minimum without converging; SGD converges.",
            check.sign_bounces,
        ),
        Preset(
            "ill-conditioning",
            "Ill-conditioning: the slow direction",
            "With κ = 1000 the bowl is a thousand times flatter along y. The largest stable lr is set by the "
            "steep x direction (lr < 2/h), and at that lr the y coordinate shrinks only by a factor "
            "(1 − lr·h/κ) per step: exactly, as the figure shows. Adam rescales the two directions.",
            "v=1&surface=quadratic:kappa=1000&opt=sgd:lr=1.9&opt=adam:lr=0.1&steps=500",
            "SGD's final y equals y₀(1 − lr·h/κ)^500 to 10⁻⁹ (still above 0.1); Adam converges.",
            check.ill_conditioned,
        ),
        Preset(
            "rmsprop-two-frameworks",
            "Same name, two optimizers: RMSprop",
            "Near the monkey saddle's flat centre the gradient is about 10⁻¹⁰. PyTorch's RMSprop divides it by "
            "√v + ε with ε = 10⁻⁸ outside the root: the ratio is large, so it takes full-size steps, slides into "
            "a valley and leaves the map. Keras's RMSprop divides by √(v + ε) with ε = 10⁻⁷ inside the root: "
            "the same gradient gives a step of about 10⁻⁶ · lr, and it stays put. Same name, same lr, opposite "
            "stories: the convention picker decides which one you are looking at.",
            "v=1&conv=pytorch&surface=monkey_saddle&opt=rmsprop:lr=0.05&steps=500&start=0.00001,0.000001",
            "With the same lr and start, PyTorch's RMSprop diverges while Keras's moves less than 10⁻³.",
            check.conventions,
        ),
        Preset(
            "rotated-valley",
            "Coordinates matter: rotate the valley",
            "The same bowl (κ = 5) turned by 45°, started at the same point relative to its axes. Gradient "
            "descent and momentum only see the gradient, so they take the same path, turned. Adam scales each "
            "coordinate by its own history: its steps depend on the axes the valley happens to lie along.",
            "v=1&surface=quadratic:kappa=5,angle=45&opt=sgd:lr=0.3&opt=momentum:lr=0.3,momentum=0.5"
            "&opt=adam:lr=0.05&steps=2000&start=0,1.69706",
            "SGD and momentum converge at the same step as at 0°; Adam takes at least 1.5 times as many steps.",
            check.rotation,
        ),
        Preset(
            "monkey-saddle",
            "No minimum at all",
            "The monkey saddle x³ − 3xy² is flat at the origin and falls away without bound in three valleys. "
            "Every optimizer that goes downhill leaves the map: the app flags the runs as diverged rather than "
            "silently cutting them.",
            "v=1&surface=monkey_saddle&opt=sgd:lr=0.05&opt=momentum:lr=0.05&steps=300",
            "Every run is flagged as diverged.",
            check.no_minimum,
        ),
        *DATA_PRESETS,
        *OPTIMIZER_PRESETS,
    )
}


@functools.cache
def _by_query() -> dict[str, Preset]:
    return {p.scenario.to_query(): p for p in PRESETS.values()}


def preset_for(query: str) -> Preset | None:
    """The preset whose scenario the canonical ``query`` shows, if any."""
    return _by_query().get(query)
