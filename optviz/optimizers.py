r"""The optimizer registry: each entry is a recipe over optax, not a re-implementation.

Every builder takes ``learning_rate`` (a number or an optax schedule ``step -> lr``)
and the entry's hyperparameters by optax's own argument names, and returns an
``optax.GradientTransformation``. Numeric hyperparameters may be JAX tracers, so the
engine builds the transformation inside its compiled function and slider moves never
recompile; boolean ones (``nesterov``, ``centered``) select the compiled structure.

Notation in the LaTeX: :math:`g_t` is the gradient at step t (1-based in bias
corrections), :math:`\eta_t` the scheduled learning rate, :math:`\theta` the position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import optax

from surfaces.core import Number, Param

LR = Param("lr", 1e-3, 1e-6, 10.0, log=True, help="learning rate (scaled by the schedule)")


def _lr(default: float) -> Param:
    return Param("lr", default, LR.lo, LR.hi, log=True, help=LR.help)


B1 = Param("b1", 0.9, 0.0, 0.9999, help="decay of the first-moment average")
B2 = Param("b2", 0.999, 0.0, 0.99999, help="decay of the second-moment average")
EPS = Param("eps", 1e-8, 1e-12, 1.0, log=True, help="added to the denominator")
MOMENTUM = Param("momentum", 0.9, 0.0, 0.999, help="heavy-ball decay β")


@dataclass(frozen=True, kw_only=True)
class Optimizer:
    """A registry entry: ``build(learning_rate=..., **hyperparameters)``.

    ``params`` lists ``lr`` first, then the hyperparameters by their optax names.
    ``latex`` is the update rule shown in the UI; ``note`` a two-sentence explanation.
    """

    name: str
    title: str
    params: tuple[Param, ...]
    build: Callable[..., optax.GradientTransformation]
    latex: str
    note: str
    fixed: tuple[tuple[str, bool], ...] = ()  # structural arguments the entry pins (nesterov=True)
    # The optax state field holding the optimizer's velocity/first moment, and the sign that
    # turns it into a direction of motion (``trace`` of raw gradients points uphill: -1).
    velocity: tuple[str, float] | None = None

    @property
    def static(self) -> tuple[str, ...]:
        """Names of the structural (boolean) hyperparameters."""
        return tuple(p.name for p in self.params if p.kind == "bool")

    def defaults(self) -> dict[str, Number]:
        return {p.name: p.default for p in self.params}


def _sgd(learning_rate, momentum=0.0, nesterov=False):
    # momentum 0 through optax.trace is exactly plain SGD (g + 0·v = g).
    return optax.sgd(learning_rate, momentum=momentum, nesterov=nesterov)


def _rmsprop(learning_rate, decay, eps, momentum, centered):
    return optax.rmsprop(learning_rate, decay=decay, eps=eps, momentum=momentum, centered=centered)


_ADAM_MOMENTS = r"m_t = \beta_1 m_{t-1} + (1-\beta_1)g_t,\; v_t = \beta_2 v_{t-1} + (1-\beta_2)g_t^2"
_ADAM_HATS = r"\hat m_t = \frac{m_t}{1-\beta_1^t},\; \hat v_t = \frac{v_t}{1-\beta_2^t}"

OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer(
            name="sgd",
            title="SGD",
            params=(
                _lr(1e-3),
                Param("momentum", 0.0, 0.0, 0.999, help="heavy-ball decay β (0: none)"),
                Param("nesterov", False, kind="bool", help="Nesterov's look-ahead form"),
            ),
            build=_sgd,
            latex=r"v_t = g_t + \beta v_{t-1},\quad \theta_{t+1} = \theta_t - \eta_t v_t",
            note="Plain gradient descent steps straight downhill, by lr times the gradient. "
            "Too large a step overshoots and diverges; too small a step crawls.",
            velocity=("trace", -1.0),
        ),
        Optimizer(
            name="momentum",
            title="Momentum (heavy ball)",
            params=(_lr(1e-3), MOMENTUM),
            build=_sgd,
            latex=r"v_t = g_t + \beta v_{t-1},\quad \theta_{t+1} = \theta_t - \eta_t v_t",
            note="A velocity accumulates past gradients, so steps grow along consistent directions "
            "and cancel across ravines. Too much momentum overshoots and spirals.",
            fixed=(("nesterov", False),),
            velocity=("trace", -1.0),
        ),
        Optimizer(
            name="nesterov",
            title="Nesterov momentum",
            params=(_lr(1e-3), MOMENTUM),
            build=_sgd,
            latex=r"v_t = g_t + \beta v_{t-1},\quad \theta_{t+1} = \theta_t - \eta_t (g_t + \beta v_t)",
            note="Momentum that looks ahead: the step uses the velocity it is about to have. "
            "It damps the overshoot of heavy-ball momentum.",
            fixed=(("nesterov", True),),
            velocity=("trace", -1.0),
        ),
        Optimizer(
            name="adagrad",
            title="Adagrad",
            params=(
                _lr(0.1),
                Param("initial_accumulator_value", 0.1, 0.0, 10.0, help="starting sum of squares"),
                Param("eps", 1e-7, 1e-12, 1.0, log=True, help=EPS.help),
            ),
            build=lambda learning_rate, initial_accumulator_value, eps: optax.adagrad(
                learning_rate, initial_accumulator_value=initial_accumulator_value, eps=eps
            ),
            latex=r"G_t = G_{t-1} + g_t^2,\quad \theta_{t+1} = \theta_t - \eta_t \frac{g_t}{\sqrt{G_t + \epsilon}}",
            note="Each coordinate's step is divided by the root of its summed squared gradients. "
            "The sum only grows, so the step size decays until progress stalls.",
        ),
        Optimizer(
            name="rmsprop",
            title="RMSprop",
            params=(
                _lr(0.01),
                Param("decay", 0.9, 0.0, 0.9999, help="decay of the squared-gradient average"),
                EPS,
                Param("momentum", 0.0, 0.0, 0.999, help="momentum on the scaled step (0: none)"),
                Param("centered", False, kind="bool", help="divide by the variance instead of the mean square"),
            ),
            build=_rmsprop,
            latex=r"v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad \theta_{t+1} = \theta_t - \eta_t \frac{g_t}{\sqrt{v_t + \epsilon}}",
            note="Like Adagrad, but with a moving average of squared gradients, so the step size "
            "adapts without decaying to zero.",
            velocity=("trace", 1.0),
        ),
        Optimizer(
            name="adam",
            title="Adam",
            params=(_lr(0.01), B1, B2, EPS),
            build=lambda learning_rate, b1, b2, eps: optax.adam(learning_rate, b1=b1, b2=b2, eps=eps),
            latex=_ADAM_MOMENTS
            + r",\; "
            + _ADAM_HATS
            + r",\quad \theta_{t+1} = \theta_t - \eta_t \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}",
            note="Momentum on the gradient plus RMSprop's per-coordinate scaling, both bias-corrected. "
            "Early steps have size about lr whatever the gradient's scale.",
            velocity=("mu", -1.0),
        ),
        Optimizer(
            name="adamw",
            title="AdamW",
            params=(_lr(0.01), B1, B2, EPS, Param("weight_decay", 1e-4, 0.0, 1.0, help="decoupled decay λ")),
            build=lambda learning_rate, b1, b2, eps, weight_decay: optax.adamw(
                learning_rate, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay
            ),
            latex=_ADAM_MOMENTS
            + r",\quad \theta_{t+1} = \theta_t - \eta_t \left(\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\theta_t\right)",
            note="Adam with weight decay applied directly to the position, not through the gradient. "
            "It pulls the iterate toward the origin at rate lr·λ.",
            velocity=("mu", -1.0),
        ),
        Optimizer(
            name="adamax",
            title="Adamax",
            params=(_lr(0.01), B1, B2, EPS),
            build=lambda learning_rate, b1, b2, eps: optax.adamax(learning_rate, b1=b1, b2=b2, eps=eps),
            latex=r"m_t = \beta_1 m_{t-1} + (1-\beta_1)g_t,\; u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),"
            r"\quad \theta_{t+1} = \theta_t - \eta_t \frac{m_t}{(1-\beta_1^t)\,u_t}",
            note="Adam with the infinity norm: the scale is a decaying maximum of gradient sizes. Steps are bounded by lr.",
            velocity=("mu", -1.0),
        ),
        Optimizer(
            name="nadam",
            title="NAdam",
            params=(_lr(0.01), B1, B2, EPS),
            build=lambda learning_rate, b1, b2, eps: optax.nadam(learning_rate, b1=b1, b2=b2, eps=eps),
            latex=_ADAM_MOMENTS
            + r",\; \bar m_t = \frac{\beta_1 m_t}{1-\beta_1^{t+1}} + \frac{(1-\beta_1) g_t}{1-\beta_1^t},"
            r"\quad \theta_{t+1} = \theta_t - \eta_t \frac{\bar m_t}{\sqrt{\hat v_t} + \epsilon}",
            note="Adam with Nesterov's look-ahead on the first moment. It reacts a step sooner when the gradient turns.",
            velocity=("mu", -1.0),
        ),
        Optimizer(
            name="amsgrad",
            title="AMSGrad",
            params=(_lr(0.01), B1, B2, EPS),
            build=lambda learning_rate, b1, b2, eps: optax.amsgrad(learning_rate, b1=b1, b2=b2, eps=eps),
            latex=_ADAM_MOMENTS + r",\; \hat v^{\max}_t = \max(\hat v^{\max}_{t-1}, \hat v_t),"
            r"\quad \theta_{t+1} = \theta_t - \eta_t \frac{\hat m_t}{\sqrt{\hat v^{\max}_t} + \epsilon}",
            note="Adam whose denominator never shrinks, which restores a convergence guarantee. "
            "After a large gradient, steps stay small.",
            velocity=("mu", -1.0),
        ),
        Optimizer(
            name="adadelta",
            title="Adadelta",
            params=(
                _lr(1.0),
                Param("rho", 0.9, 0.0, 0.9999, help="decay of both running averages"),
                Param("eps", 1e-6, 1e-12, 1.0, log=True, help=EPS.help),
                Param("weight_decay", 0.0, 0.0, 1.0, help="coupled L2 decay"),
            ),
            build=lambda learning_rate, rho, eps, weight_decay: optax.adadelta(
                learning_rate, rho=rho, eps=eps, weight_decay=weight_decay
            ),
            latex=r"E_t = \rho E_{t-1} + (1-\rho) g_t^2,\; \Delta_t = \frac{\sqrt{D_{t-1} + \epsilon}}{\sqrt{E_t + \epsilon}} g_t,"
            r"\; D_t = \rho D_{t-1} + (1-\rho)\Delta_t^2,\quad \theta_{t+1} = \theta_t - \eta_t \Delta_t",
            note="Steps are scaled by the ratio of past step sizes to past gradient sizes, so units match. "
            "It starts with tiny steps of about √ε.",
        ),
        Optimizer(
            name="lion",
            title="Lion",
            params=(
                _lr(1e-3),
                B1,
                Param("b2", 0.99, 0.0, 0.99999, help="decay of the momentum"),
                Param("weight_decay", 1e-3, 0.0, 1.0, help="decoupled decay λ"),
            ),
            build=lambda learning_rate, b1, b2, weight_decay: optax.lion(
                learning_rate, b1=b1, b2=b2, weight_decay=weight_decay
            ),
            latex=r"c_t = \operatorname{sign}(\beta_1 m_{t-1} + (1-\beta_1) g_t),\; m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t,"
            r"\quad \theta_{t+1} = \theta_t - \eta_t (c_t + \lambda\theta_t)",
            note="Every coordinate moves by exactly ±lr (plus decay): only the sign of an interpolated "
            "momentum counts. It was found by program search.",
            velocity=("mu", -1.0),
        ),
        Optimizer(
            name="radam",
            title="RAdam",
            params=(
                _lr(0.01),
                B1,
                B2,
                EPS,
                Param("threshold", 5.0, 0.0, 100.0, help="ρ below which no adaptive scaling"),
            ),
            build=lambda learning_rate, b1, b2, eps, threshold: optax.radam(
                learning_rate, b1=b1, b2=b2, eps=eps, threshold=threshold
            ),
            latex=r"\rho_\infty = \tfrac{2}{1-\beta_2} - 1,\; \rho_t = \rho_\infty - \tfrac{2t\beta_2^t}{1-\beta_2^t},\;"
            r"\theta_{t+1} = \theta_t - \eta_t \begin{cases} r_t \frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon} & \rho_t \ge 5 \\ \hat m_t & \text{else}\end{cases}",
            note="Adam that takes plain momentum steps until the variance estimate is reliable, "
            "then rectifies the adaptive step. A built-in warm-up.",
            velocity=("mu", -1.0),
        ),
        Optimizer(
            name="signsgd",
            title="signSGD",
            params=(_lr(0.01),),
            build=optax.sign_sgd,
            latex=r"\theta_{t+1} = \theta_t - \eta_t \operatorname{sign}(g_t)",
            note="Each coordinate moves by exactly lr in the downhill direction. "
            "It never slows down near a minimum, so it ends up bouncing around it.",
        ),
    )
}
