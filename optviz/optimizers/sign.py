r"""Sign-based steps: every coordinate moves by exactly ±lr (Lion adds its decay): Lion,
signSGD and Signum; and Rprop, whose per-coordinate step sizes grow while a gradient keeps its
sign and shrink when it flips.

Only the sign of a gradient or momentum counts, :math:`\Delta = \eta_t\operatorname{sign}(\cdot)`,
so the first three never slow down near a minimum and end up bouncing around it.
"""

from __future__ import annotations

import optax

from optviz.optimizers.core import B1, Optimizer, _lr, first_value
from surfaces.core import Param


def _rprop(learning_rate, **hyper) -> optax.GradientTransformation:
    return optax.rprop(first_value(learning_rate), **hyper)


ROWS = (
    Optimizer(
        name="lion",
        title="Lion",
        params=(
            _lr(1e-3),
            B1,
            Param("b2", 0.99, 0.0, 0.99999, help="decay of the momentum"),
            Param("weight_decay", 1e-3, 0.0, 1.0, help="decoupled decay λ"),
        ),
        optax_call="optax.lion",
        latex=r"c_t = \operatorname{sign}(\beta_1 m_{t-1} + (1-\beta_1) g_t),\; m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t,"
        r"\quad \theta_{t+1} = \theta_t - \eta_t (c_t + \lambda\theta_t)",
        note="Every coordinate moves by exactly ±lr (plus decay): only the sign of an interpolated "
        "momentum counts. It was found by program search.",
        reference="Chen et al. 2023, Symbolic Discovery of Optimization Algorithms, arXiv:2302.06675",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="signsgd",
        title="signSGD",
        params=(_lr(0.01),),
        optax_call="optax.sign_sgd",
        latex=r"\theta_{t+1} = \theta_t - \eta_t \operatorname{sign}(g_t)",
        note="Each coordinate moves by exactly lr in the downhill direction. "
        "It never slows down near a minimum, so it ends up bouncing around it.",
        reference="Bernstein et al. 2018, signSGD: Compressed Optimisation for Non-Convex Problems, arXiv:1802.04434",
    ),
    Optimizer(
        name="signum",
        title="Signum",
        params=(_lr(0.01), Param("beta", 0.9, 0.0, 0.999, help="decay of the momentum whose sign is taken")),
        optax_call="optax.signum",
        latex=r"m_t = \beta m_{t-1} + (1-\beta) g_t,\quad \theta_{t+1} = \theta_t - \eta_t \operatorname{sign}(m_t)",
        note="signSGD on a momentum average: each coordinate moves by exactly lr, the way its averaged "
        "gradient points. A lone flipped gradient no longer reverses it, but it still bounces around a minimum.",
        reference="Bernstein, Wang, Azizzadenesheli & Anandkumar 2018, signSGD: Compressed Optimisation for "
        "Non-Convex Problems, ICML, arXiv:1802.04434",
        velocity=("ema", -1.0),
    ),
    Optimizer(
        name="rprop",
        title="Rprop",
        params=(
            Param("lr", 0.01, 1e-6, 10.0, log=True, help="first step size Δ₀ of every coordinate"),
            Param("eta_minus", 0.5, 0.01, 1.0, help="η⁻: shrinks a coordinate's step when its gradient flips sign"),
            Param("eta_plus", 1.2, 1.0, 3.0, help="η⁺: grows a coordinate's step while its gradient keeps its sign"),
            Param("min_step_size", 1e-6, 1e-12, 1.0, log=True, help="smallest step size Δ_min"),
            Param("max_step_size", 50.0, 1e-3, 100.0, log=True, help="largest step size Δ_max"),
        ),
        optax_call="optax.rprop",
        build=_rprop,
        latex=r"\Delta_t = \begin{cases} \operatorname{clip}(\eta^+\Delta_{t-1}) & g_t g'_{t-1} > 0 \\"
        r" \operatorname{clip}(\eta^-\Delta_{t-1}) & g_t g'_{t-1} < 0 \\ \Delta_{t-1} & \text{else} \end{cases},\;"
        r"g'_t = \begin{cases} 0 & g_t g'_{t-1} < 0 \\ g_t & \text{else} \end{cases},"
        r"\quad \theta_{t+1} = \theta_t - [g_t g'_{t-1} \ge 0]\, \Delta_{t-1} \operatorname{sign}(g'_{t-1}),\;"
        r"\Delta_0 = \eta,\; g'_0 = 0",
        note="Each coordinate has its own step size, multiplied by η⁺ while its gradient keeps its sign and by η⁻ "
        "when it flips (then that coordinate waits a step): only signs count, never the gradient's size. "
        "lr is only the first step size, so a schedule does not apply (PyTorch reads its lr once, too). "
        "optax 0.2.8 moves each step by the step size and sign of the step before (its first step and the "
        "step after each flip stand still); the paper's rule, and PyTorch's (choose conv=pytorch), "
        "moves by this step's.",
        reference="Riedmiller & Braun 1993, A Direct Adaptive Method for Faster Backpropagation Learning: the "
        "RPROP Algorithm, IEEE ICNN; in the form without weight-backtracking (iRprop−): Igel & Hüsken 2000, "
        "Improving the Rprop Learning Algorithm, NC 2000",
        takes_schedule=False,
    ),
)
