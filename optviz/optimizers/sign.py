r"""Sign-based steps: every coordinate moves by exactly ±lr (Lion adds its decay): Lion,
signSGD and Signum.

Only the sign of a gradient or momentum counts, :math:`\Delta = \eta_t\operatorname{sign}(\cdot)`,
so these never slow down near a minimum and end up bouncing around it.
"""

from __future__ import annotations

from optviz.optimizers.core import B1, Optimizer, _lr
from surfaces.core import Param

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
)
