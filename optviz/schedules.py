r"""Learning-rate schedules as multipliers: :math:`\eta_t = \mathrm{lr}\cdot s(t)`.

Each entry builds an optax-style schedule ``step -> multiplier`` with peak 1, so the
optimizer's ``lr`` is the largest learning rate a run uses. optax's own schedules are
used wherever one exists; ``inverse_time`` and ``cyclic`` have none and are written here.
The engine evaluates the multipliers once, eagerly, for steps ``0..steps-1`` and passes
them to the compiled run as data, so schedule changes never recompile.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import optax

from surfaces.core import Number, Param

Schedule = Callable[[jnp.ndarray], jnp.ndarray]


def inverse_time_decay(decay_rate: float, decay_steps: int) -> Schedule:
    r""":math:`s(t) = 1 / (1 + r\,t/T)` (Keras ``InverseTimeDecay``, non-staircase)."""
    return lambda t: 1.0 / (1.0 + decay_rate * t / decay_steps)


def triangular_cycle(step_size: int, base_ratio: float) -> Schedule:
    r"""Smith's triangular cyclical rate, between ``base_ratio`` and 1.

    :math:`c = \lfloor 1 + t/2k \rfloor,\; u = |t/k - 2c + 1|,\;
    s(t) = b + (1-b)\max(0, 1-u)` with half-cycle k = ``step_size``
    (Smith 2017, "Cyclical Learning Rates for Training Neural Networks", Eq. 1).
    """

    def schedule(t):
        cycle = jnp.floor(1 + t / (2 * step_size))
        u = jnp.abs(t / step_size - 2 * cycle + 1)
        return base_ratio + (1 - base_ratio) * jnp.maximum(0.0, 1 - u)

    return schedule


def _linear_warmup_decay(warmup_steps, decay_steps, end_value):
    return optax.join_schedules(
        [
            optax.linear_schedule(0.0, 1.0, warmup_steps),
            optax.linear_schedule(1.0, end_value, decay_steps - warmup_steps),
        ],
        [warmup_steps],
    )


@dataclass(frozen=True)
class ScheduleSpec:
    """A registry entry: ``build(**params) -> schedule`` and the formula it follows.

    ``fix(params)`` returns parameters adjusted to satisfy constraints between them,
    with a warning for each change (the single-value ranges are in ``params``).
    ``formula`` is the multiplier s(t), step t from 0, as a Python expression in the
    vocabulary of `optviz.expressions` (the Code menu writes it out where a framework has no
    such schedule; tests check it against ``build``); it may read numbers ``derived`` from
    the parameters.
    """

    name: str
    title: str
    params: tuple[Param, ...]
    build: Callable[..., Schedule]
    latex: str
    note: str
    fix: Callable[[dict[str, Number]], list[str]] = lambda values: []
    formula: str = ""
    derived: Callable[[dict[str, Number]], dict[str, Number]] = lambda values: {}

    def defaults(self) -> dict[str, Number]:
        return {p.name: p.default for p in self.params}

    def values(self, params: Mapping[str, Number]) -> dict[str, Number]:
        """The numbers ``formula`` reads: the parameters and those ``derived`` from them."""
        return {**params, **self.derived(dict(params))}


def _steps(name: str, default: int, help: str, lo: int = 1, hi: int = 10_000) -> Param:
    return Param(name, default, lo, hi, kind="int", help=help)


def _warmup_before_decay(values: dict[str, Number]) -> list[str]:
    """Make ``decay_steps > warmup_steps`` (both count from step 0)."""
    if values["decay_steps"] > values["warmup_steps"]:
        return []
    values["decay_steps"] = values["warmup_steps"] + 1
    return [f"schedule decay_steps must exceed warmup_steps; using decay_steps={values['decay_steps']}"]


# Below the largest decay_steps, so that decay_steps = warmup_steps + 1 is always valid.
_WARMUP = _steps("warmup_steps", 50, "steps of linear warm-up", lo=0, hi=9_999)
_END = Param("end_value", 0.0, 0.0, 1.0, help="final multiplier")


def _one_cycle_points(values: dict[str, Number]) -> dict[str, Number]:
    """The step where one-cycle peaks and its last multiplier, as optax.cosine_onecycle_schedule
    computes them: ``peak_step = int(pct_start * transition_steps)``, ``final = 1/(d·d_f)``."""
    return {
        "peak_step": int(values["pct_start"] * values["transition_steps"]),
        "final": 1 / (values["div_factor"] * values["final_div_factor"]),
    }


SCHEDULES: dict[str, ScheduleSpec] = {
    s.name: s
    for s in (
        ScheduleSpec(
            "constant",
            "Constant",
            (),
            lambda: optax.constant_schedule(1.0),
            r"s(t) = 1",
            "The learning rate never changes.",
            formula="1",
        ),
        ScheduleSpec(
            "step",
            "Step decay",
            (
                _steps("transition_steps", 100, "steps between drops"),
                Param("decay_rate", 0.5, 1e-3, 1.0, help="factor applied at each drop"),
            ),
            lambda transition_steps, decay_rate: optax.exponential_decay(
                1.0, transition_steps, decay_rate, staircase=True
            ),
            r"s(t) = r^{\lfloor t/k \rfloor}",
            "The rate drops by a fixed factor every k steps, as in classic ImageNet training.",
            formula="decay_rate ** floor(t / transition_steps)",
        ),
        ScheduleSpec(
            "exponential",
            "Exponential decay",
            (
                _steps("transition_steps", 100, "steps per factor r"),
                Param("decay_rate", 0.5, 1e-3, 1.0, help="factor per transition_steps"),
            ),
            lambda transition_steps, decay_rate: optax.exponential_decay(1.0, transition_steps, decay_rate),
            r"s(t) = r^{t/k}",
            "The rate shrinks smoothly by a factor r every k steps.",
            formula="decay_rate ** (t / transition_steps)",
        ),
        ScheduleSpec(
            "inverse_time",
            "Inverse-time decay",
            (
                Param("decay_rate", 1.0, 1e-3, 100.0, log=True, help="r in 1/(1 + r t/T)"),
                _steps("decay_steps", 100, "T in 1/(1 + r t/T)"),
            ),
            inverse_time_decay,
            r"s(t) = \frac{1}{1 + r\,t/T}",
            "The 1/t decay of stochastic-approximation theory: slow enough to keep moving, "
            "fast enough to average the noise away.",
            formula="1 / (1 + decay_rate * t / decay_steps)",
        ),
        ScheduleSpec(
            "cosine",
            "Cosine decay",
            (
                _steps("decay_steps", 500, "steps to reach alpha"),
                Param("alpha", 0.0, 0.0, 1.0, help="final multiplier"),
            ),
            lambda decay_steps, alpha: optax.cosine_decay_schedule(1.0, decay_steps, alpha),
            r"s(t) = \alpha + (1-\alpha)\tfrac12\left(1 + \cos\frac{\pi \min(t,T)}{T}\right)",
            "Half a cosine from 1 down to alpha: gentle at first, gentle at the end.",
            formula="alpha + (1 - alpha) * 0.5 * (1 + cos(pi * minimum(t, decay_steps) / decay_steps))",
        ),
        ScheduleSpec(
            "warmup_cosine",
            "Warm-up then cosine",
            (
                _WARMUP,
                _steps("decay_steps", 500, "total steps, warm-up included"),
                Param("init_value", 0.0, 0.0, 1.0, help="multiplier at step 0"),
                _END,
            ),
            lambda warmup_steps, decay_steps, init_value, end_value: optax.warmup_cosine_decay_schedule(
                init_value, 1.0, warmup_steps, decay_steps, end_value
            ),
            r"s(t) = \begin{cases} s_0 + (1-s_0)\,t/W & t < W \\ "
            r"s_e + (1-s_e)\tfrac12\left(1+\cos\frac{\pi (t-W)}{T-W}\right) & t \ge W\end{cases}",
            "Increase early, then slow down: a linear warm-up avoids the first large, "
            "badly-informed steps, and the cosine decay settles into the minimum.",
            _warmup_before_decay,
            formula=(
                "where(t < warmup_steps, init_value + (1 - init_value) * t / warmup_steps, "
                "end_value + (1 - end_value) * 0.5 * (1 + cos(pi * minimum(t - warmup_steps, "
                "decay_steps - warmup_steps) / (decay_steps - warmup_steps))))"
            ),
        ),
        ScheduleSpec(
            "linear_warmup_decay",
            "Warm-up then linear decay",
            (
                _WARMUP,
                _steps("decay_steps", 500, "total steps, warm-up included"),
                _END,
            ),
            _linear_warmup_decay,
            r"s(t) = \begin{cases} t/W & t < W \\ 1 + (s_e - 1)\frac{\min(t,T)-W}{T-W} & t \ge W\end{cases}",
            "A triangle: linear warm-up to the full rate, then a straight line down.",
            _warmup_before_decay,
            formula=(
                "where(t < warmup_steps, t / warmup_steps, end_value + (1 - end_value) * (1 - "
                "minimum(t - warmup_steps, decay_steps - warmup_steps) / (decay_steps - "
                "warmup_steps)))"
            ),
        ),
        ScheduleSpec(
            "one_cycle",
            "One-cycle",
            (
                _steps("transition_steps", 500, "length of the cycle"),
                Param("pct_start", 0.3, 0.01, 0.99, help="fraction of the cycle spent rising"),
                Param("div_factor", 25.0, 1.0, 1e4, log=True, help="peak / initial rate"),
                Param("final_div_factor", 1e4, 1.0, 1e6, log=True, help="initial / final rate"),
            ),
            lambda transition_steps, pct_start, div_factor, final_div_factor: optax.cosine_onecycle_schedule(
                transition_steps, 1.0, pct_start, div_factor, final_div_factor
            ),
            r"s(t): \tfrac{1}{d} \nearrow 1 \text{ (cosine, first } p\text{ of the cycle)}"
            r" \searrow \tfrac{1}{d\,d_f} \text{ (cosine)}",
            "Smith's one-cycle policy (PyTorch OneCycleLR): rise to the peak, then anneal far below the start.",
            formula=(
                "where(t < peak_step, 1 + (1 / div_factor - 1) / 2 * (cos(pi * t / peak_step) + "
                "1), where(t < transition_steps, final + (1 - final) / 2 * (cos(pi * (t - "
                "peak_step) / (transition_steps - peak_step)) + 1), final))"
            ),
            derived=_one_cycle_points,
        ),
        ScheduleSpec(
            "cyclic",
            "Cyclic (triangular)",
            (
                _steps("step_size", 100, "half-cycle length k"),
                Param("base_ratio", 0.1, 0.0, 1.0, help="multiplier at the bottom of each cycle"),
            ),
            triangular_cycle,
            r"s(t) = b + (1-b)\max\left(0, 1 - \left|\tfrac{t}{k} - 2\left\lfloor 1+\tfrac{t}{2k}\right\rfloor + 1\right|\right)",
            "The rate bounces between b·lr and lr; the high phases can kick a run out of a poor basin.",
            formula=(
                "base_ratio + (1 - base_ratio) * maximum(0, 1 - abs(t / step_size - 2 * floor(1 "
                "+ t / (2 * step_size)) + 1))"
            ),
        ),
        ScheduleSpec(
            "polynomial",
            "Polynomial decay",
            (
                _steps("transition_steps", 500, "steps to reach end_value"),
                Param("power", 2.0, 0.1, 10.0, help="exponent p"),
                _END,
            ),
            lambda transition_steps, power, end_value: optax.polynomial_schedule(
                1.0, end_value, power, transition_steps
            ),
            r"s(t) = s_e + (1-s_e)\left(1 - \frac{\min(t,T)}{T}\right)^p",
            "Decay to end_value along (1 - t/T)^p; p = 1 is linear decay.",
            # The base is kept from going below 0: under jax.jit XLA may compute t/T as t·(1/T), a hair
            # above 1 at t = T, and a negative base to a fractional power is NaN.
            formula=(
                "end_value + (1 - end_value) * maximum(1 - minimum(t, transition_steps) / transition_steps, 0) ** power"
            ),
        ),
    )
}


def multipliers(name: str, params: Mapping[str, Number], steps: int) -> np.ndarray:
    """``s(t)`` for ``t = 0..steps-1`` as a read-only float64 NumPy array (cached).

    Evaluated with ``jax.vmap`` so schedules written for scalar steps work too.
    """
    return _multipliers(name, tuple(sorted(params.items())), steps)


@functools.lru_cache(maxsize=64)
def _multipliers(name: str, params: tuple, steps: int) -> np.ndarray:
    schedule = SCHEDULES[name].build(**dict(params))
    values = np.asarray(jax.vmap(lambda t: jnp.asarray(schedule(t), jnp.float64))(jnp.arange(steps)))
    values.flags.writeable = False
    return values
