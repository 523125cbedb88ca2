r"""Steps taken from an average: Schedule-Free SGD and AdamW (Defazio et al. 2024), and MADGRAD's dual
averaging (Defazio & Jelassi 2022).

Schedule-Free keeps two points, a base iterate :math:`z` that takes the optimizer's raw steps
and their running average :math:`x`, and evaluates the gradient between them at
:math:`y = (1-\beta_1) z + \beta_1 x`. The parameters optax holds, and so the path drawn,
are the evaluated point :math:`y`; the average :math:`x`, which the paper would report at the
end of training, lies in optax's state (``optax.contrib.schedule_free_eval_params``).
MADGRAD moves toward a point built from the start and the sums of all gradients so far.
"""

from __future__ import annotations

from optviz.optimizers.core import B2, EPS, Optimizer, _lr
from surfaces.core import Param

_B1 = Param("b1", 0.9, 0.0, 0.9999, help="where y sits between z (0) and the average x (1)")
_POWER = Param("weight_lr_power", 2.0, 0.0, 4.0, help="each z enters the average with weight lr^p")
_DECAY = Param("weight_decay", 0.0, 0.0, 1.0, help="decay λ·y added to the step of z")
_PATH_NOTE = (
    "The path is the point y where the gradient is taken; the average x that the paper reports is drawn "
    "dotted beside it on the map. "
    "optax weights each z by the largest lr so far (the paper by its own lr; the same under a constant "
    "lr), and reads that lr from the schedule one step ahead."
)
_INTERPOLATION = (
    r"y_t = (1-\beta_1) z_t + \beta_1 x_t,\; c_{t+1} = \frac{\eta_t^p}{\sum_{i\le t}\eta_i^p},\;"
    r" x_{t+1} = (1-c_{t+1}) x_t + c_{t+1} z_{t+1},\quad \text{path: } y"
)
_DEFAZIO = (
    "Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky 2024, The Road Less Scheduled, NeurIPS 37, arXiv:2405.15682"
)

ROWS = (
    Optimizer(
        name="schedule_free_sgd",
        title="Schedule-Free SGD",
        params=(_lr(1e-3), _B1, _POWER, _DECAY),
        optax_call="optax.contrib.schedule_free_sgd",
        latex=r"z_{t+1} = z_t - \eta_t (g(y_t) + \lambda y_t),\; " + _INTERPOLATION,
        note="Gradient steps on z, an average x of the z's, and the gradient taken between them: "
        "momentum without a velocity, and no need to decay lr. " + _PATH_NOTE,
        reference=f"{_DEFAZIO}, eqs. (1)-(3) with Algorithm 1's weights",
        averaged=True,
    ),
    Optimizer(
        name="schedule_free_adamw",
        title="Schedule-Free AdamW",
        params=(
            _lr(0.01),
            _B1,
            B2,
            EPS,
            _DECAY,
            _POWER,
        ),
        optax_call="optax.contrib.schedule_free_adamw",
        latex=r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g(y_t)^2,\; z_{t+1} = z_t - \eta_t \Big(\frac{g(y_t)}"
        r"{\sqrt{v_t/(1-\beta_2^t)} + \epsilon} + \lambda y_t\Big),\; " + _INTERPOLATION,
        note="Schedule-Free with Adam's per-coordinate scaling on the steps of z. optax divides by the "
        "bias-corrected root and weights the average by lr; the paper's Algorithm 1 puts the correction "
        "√(1−β₂ᵗ) into the step size (so ε meets the raw root) and into the weights. " + _PATH_NOTE,
        reference=f"{_DEFAZIO}, Algorithm 1",
        averaged=True,
    ),
    Optimizer(
        name="madgrad",
        title="MADGRAD",
        params=(
            _lr(0.01),
            Param("momentum", 0.9, 0.0, 0.999, help="how slowly θ follows the dual-averaged point z"),
            Param("weight_decay", 0.0, 0.0, 1.0, help="L2 decay λθ added to the gradient"),
            Param("eps", 1e-6, 1e-12, 1.0, log=True, help="added to the cube root (optax: and to lr)"),
        ),
        optax_call="optax.contrib.madgrad",
        latex=r"\lambda_k = \eta_k\sqrt{k+1},\; s_{k+1} = s_k + \lambda_k g_k,\; \nu_{k+1} = \nu_k + \lambda_k g_k^2,\;"
        r"z_{k+1} = \theta_0 - \frac{s_{k+1}}{\sqrt[3]{\nu_{k+1}} + \epsilon},"
        r"\quad \theta_{k+1} = \beta\theta_k + (1-\beta) z_{k+1}",
        note="Dual averaging: z is the start minus a weighted sum of all gradients so far, divided per "
        "coordinate by the cube root of their weighted squares, and θ follows z with momentum β. Steps "
        "are not taken from the current point but toward z, which the whole gradient history sets. "
        "optax adds ε to lr in the weights λ, as the authors' code does; the paper's rule has not.",
        reference="Defazio & Jelassi 2022, A Momentumized, Adaptive, Dual Averaged Gradient Method for "
        "Stochastic Optimization, JMLR 23, arXiv:2101.11075, Algorithm 1",
    ),
)
