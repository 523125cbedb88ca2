"""Guided lessons: an ordered sequence of scenarios, each with a short text and a claim.

A lesson step is a `optviz.presets.Preset` (title, text as its ``note``, link, claim and
the ``check`` that proves the claim on the computed result), so the gallery's machinery
checks lessons too; where a gallery preset tells the step's story, the step is that
preset with the lesson's own title and shorter text. A step's link is its scenario plus
``lesson=NAME&step=K`` (K from 1; `optviz.view`), and ``?lesson=NAME&step=K`` alone opens
the same step (`expand`).

The lesson follows the usual story of gradient-based optimizers: plain gradient descent
and its learning rate (too small crawls, too large overshoots and diverges), momentum,
Nesterov's look-ahead, Adagrad's per-coordinate rates, RMSprop fixing Adagrad's
ever-shrinking rate, Adam as momentum plus RMSprop, and a schedule (warm up, then decay);
a last step puts the theory of the first four on the picture (``theory=1``): each run's
rate, predicted and measured.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from urllib.parse import parse_qs

from optviz.claims import Preset, Verdict, distance, run_of, step_text
from optviz.engine import Result
from optviz.predictions import predict
from optviz.preset_checks import converges_other_lags
from optviz.presets import PRESETS
from optviz.view import KEYS, View, link


@dataclass(frozen=True)
class Lesson:
    """A named, ordered sequence of steps; ``steps[k - 1]`` is step ``k``."""

    name: str
    title: str
    steps: tuple[Preset, ...]

    def link(self, k: int, view: View | None = None) -> str:
        """Step ``k``'s link (1-based), in ``view`` (projector mode, say)."""
        step, shown = self.steps[k - 1], view or View()
        theory = shown.theory or step_view(step).theory
        return link(step.scenario, dataclasses.replace(shown, theory=theory, lesson=self.name, step=k))


def step_view(step: Preset) -> View:
    """The view a step's own link asks for (``theory=1``, say), beside its scenario."""
    return View.from_query(step.link, step.scenario.steps)[0]


def _retold(slug: str, title: str, text: str) -> Preset:
    """A gallery preset as a lesson step: its scenario, claim and check, the lesson's words."""
    return dataclasses.replace(PRESETS[slug], title=title, note=text)


def _rates_as_predicted(r: Result) -> Verdict:
    """Every run's measured contraction within 2 % of theory's ρ, and the predicted order:
    heavy ball at Polyak's tuning, then gradient descent at 2/(L+μ), then at lr 0.5."""
    runs = predict(r.scenario, r).runs
    off = [abs(run.measured / run.rate - 1) if run.measured else math.inf for run in runs]
    slow, best, heavy = (run_of(r, i).converged_at for i in range(3))
    holds = max(off) < 0.02 and None not in (slow, best, heavy) and heavy < best < slow
    rates = "; ".join(f"{run.label}: ρ {run.rate:.4g}, measured {run.measured or math.nan:.4g}" for run in runs)
    return Verdict(holds, f"{rates}; converged at steps {slow}, {best}, {heavy}")


def _adam_combines(r: Result) -> Verdict:
    """Same lr: momentum alone diverges, RMSprop alone does not settle, Adam converges."""
    momentum, rmsprop, adam = (run_of(r, i) for i in range(3))
    holds = momentum.diverged_at is not None and adam.converged_at is not None
    holds &= rmsprop.diverged_at is None and distance(rmsprop) > 0.1
    return Verdict(holds, f"momentum: {step_text(momentum)}; RMSprop: {step_text(rmsprop)}; Adam: {step_text(adam)}")


OPTIMIZERS_LESSON = Lesson(
    "optimizers",
    "From gradient descent to Adam",
    (
        Preset(
            "lesson-lr-crawls",
            "Gradient descent: the learning rate sets the step",
            "Gradient descent steps downhill: θ ← θ − lr·∇f. On this bowl each step multiplies the distance "
            "to the minimum along x by (1 − lr·h). With lr = 0.01 that factor is 0.99: every step is safe "
            "but tiny, and the run crawls. With lr = 0.5 each step halves it.",
            "v=1&surface=quadratic&opt=sgd:lr=0.01&opt=sgd:lr=0.5&steps=200",
            "lr = 0.5 converges within 200 steps; lr = 0.01 is still more than 1 from the minimum.",
            converges_other_lags(1, 0, 1.0),
        ),
        _retold(
            "edge-of-stability",
            "Too large a learning rate: overshoot, then divergence",
            "Raise the lr and the factor (1 − lr·h) turns negative: each step jumps across the valley. Up to "
            "lr = 2/h the jumps still shrink; past it each jump is larger than the last and the run diverges.",
        ),
        _retold(
            "momentum-valley",
            "Momentum: speed along the valley",
            "Momentum keeps a velocity: each step adds the new gradient to a decaying sum of the old ones "
            "(β = 0.9). Along Rosenbrock's curved valley the gradients agree and the velocity grows; across "
            "the valley they alternate and cancel.",
        ),
        _retold(
            "heavy-ball-vs-nesterov",
            "Nesterov: look before you leap",
            "The velocity can carry a run past the minimum. Nesterov's momentum takes the gradient where the "
            "velocity is about to take it, so it brakes before the overshoot.",
        ),
        Preset(
            "lesson-adagrad",
            "Adagrad: a learning rate per coordinate",
            "On a long, narrow bowl one lr cannot suit both directions: the steep x direction caps it below "
            "2/h, and along the flat y direction SGD then crawls. Adagrad divides each coordinate's step by "
            "the root of the sum of its squared gradients, so both coordinates start with steps of about lr.",
            "v=1&surface=quadratic:kappa=100&opt=sgd:lr=1&opt=adagrad:lr=1&steps=200",
            "Adagrad converges within 200 steps; SGD with the same lr is still more than 0.1 from the minimum.",
            converges_other_lags(1, 0, 0.1),
        ),
        _retold(
            "adagrad-stalls",
            "RMSprop: it fixes Adagrad's ever-shrinking rate",
            "Adagrad's sum of squared gradients only grows, so its steps only shrink: after the steep start on "
            "Rosenbrock it barely moves. RMSprop divides by a moving average of squared gradients instead, "
            "which forgets the steep start.",
        ),
        Preset(
            "lesson-adam",
            "Adam: momentum plus RMSprop",
            "Adam keeps both: a moving average of the gradients (momentum's velocity) divided by the root of "
            "a moving average of their squares (RMSprop's scale). At the same lr, momentum alone is thrown off "
            "Rosenbrock's steep walls, RMSprop alone keeps jittering with steps of about lr, and Adam settles.",
            "v=1&surface=rosenbrock&opt=momentum:lr=0.05&opt=rmsprop:lr=0.05&opt=adam:lr=0.05&steps=2000",
            "With lr = 0.05 momentum diverges, RMSprop is still more than 0.1 from (1, 1) after 2,000 steps, "
            "and Adam converges.",
            _adam_combines,
        ),
        _retold(
            "warmup-rescues",
            "A schedule: warm up, then decay",
            "The lr need not be constant. Here it rises from 0 over 200 steps, then falls along a cosine. "
            "Started on Beale's steep ridge, the full lr at once throws SGD off the map; warmed up, it first "
            "slides into the valley, where that lr is stable, and the decay settles it.",
        ),
        Preset(
            "lesson-theory",
            "Theory: the rate, predicted and measured",
            "On the bowl theory is exact: along each eigen-direction the error shrinks by a fixed factor per "
            "step, and the slowest sets the rate ρ. Dashed on the loss panel: the start loss times ρ²ᵏ; "
            "dotted on the map: the gradient flow. Gradient descent is fastest at lr = 2/(L+μ); momentum at "
            "Polyak's tuning is faster still.",
            "v=1&surface=quadratic&opt=sgd:lr=0.5&opt=sgd:lr=1.82&opt=momentum:lr=2.31,momentum=0.27"
            "&steps=200&theory=1",
            "Each run's measured rate is within 2 % of theory's ρ, and the run with the smaller ρ converges "
            "first: momentum at Polyak's tuning, then gradient descent at 2/(L+μ), then at lr = 0.5.",
            _rates_as_predicted,
        ),
    ),
)
LESSONS: dict[str, Lesson] = {lesson.name: lesson for lesson in (OPTIMIZERS_LESSON,)}


def fixed(shown: View) -> tuple[View, list[str]]:
    """``shown`` with its lesson checked against `LESSONS` and its step within that lesson,
    and a warning for each change."""
    if not shown.lesson:
        return shown, []
    if shown.lesson not in LESSONS:
        return dataclasses.replace(shown, lesson="", step=1), [
            f"lesson={shown.lesson} is not one of {', '.join(LESSONS)}; no lesson shown"
        ]
    last = len(LESSONS[shown.lesson].steps)
    if shown.step > last:
        return dataclasses.replace(shown, step=last), [f"step={shown.step} is past the lesson's end; using {last}"]
    return shown, []


def expand(query: str) -> str:
    """``query`` with its lesson step's scenario when it names a lesson step and no scenario
    (``lesson=optimizers&step=3``), else ``query`` as it is."""
    fields = parse_qs(query.split("?", 1)[-1])
    shown, _ = View.from_query(query, steps=0)
    shown, _ = fixed(shown)
    if not shown.lesson or any(key not in KEYS for key in fields):
        return query
    step = LESSONS[shown.lesson].steps[shown.step - 1]
    own = "&theory=1" if step_view(step).theory and "theory" not in fields else ""
    return step.scenario.to_query() + own + "&" + query.split("?", 1)[-1]
