r"""Steps sized from the loss value: Polyak SGD, MoMo and MoMo-Adam.

Both take the step that would bring the loss down to a target value :math:`f^*` if the surface
were its linear model, so each step needs the loss :math:`f(\theta_t)` as well as the gradient
(the engine has both from one evaluation) and :math:`f^*`, here the lowest of the surface's known
minimum values. A custom formula has no known minimum, so these cannot run on it.
"""

from __future__ import annotations

import optax

from optviz.optimizers.core import B1, B2, EPS, Optimizer, _lr, first_value
from surfaces.core import Param

_TARGET = (
    "f* is the value of the surface's lowest known minimum, which OptViz knows for every built-in surface "
    "(a custom formula has none, so it cannot run there)."
)


def _polyak_sgd(learning_rate, eps, f_min) -> optax.GradientTransformation:
    return optax.polyak_sgd(first_value(learning_rate), eps=eps, f_min=f_min)


ROWS = (
    Optimizer(
        name="polyak_sgd",
        title="Polyak SGD",
        params=(
            Param("lr", 1.0, 1e-6, 10.0, log=True, help="largest step size γ_max: caps the Polyak step"),
            Param("eps", 0.0, 0.0, 1.0, help="added to ‖g‖² in the Polyak step's denominator"),
        ),
        optax_call="optax.polyak_sgd",
        build=_polyak_sgd,
        latex=r"\gamma_t = \min\Big(\frac{f(\theta_t) - f^*}{\|g_t\|^2 + \epsilon}, \gamma_{max}\Big),"
        r"\quad \theta_{t+1} = \theta_t - \gamma_t g_t",
        note="Gradient descent with Polyak's step size: the drop still to go, f(θ) − f*, over ‖g‖², the step "
        "that would reach f* if the surface were linear; capped at lr. Near a minimum higher than f* the "
        "gradient vanishes while the drop does not, so the step grows to the cap. " + _TARGET + " optax's "
        "scaling is left at 1; a schedule does not apply (optax takes a fixed cap).",
        reference="Polyak 1969, Minimization of Unsmooth Functionals, USSR Comput. Math. Math. Phys. 9(3); capped (SPS_max, c = 1): Loizou, Vaswani, "
        "Laradji & Lacoste-Julien 2021, Stochastic Polyak Step-size for SGD: An Adaptive Learning Rate for "
        "Fast Convergence, AISTATS, arXiv:2002.10542",
        takes_schedule=False,
        needs_value=True,
        f_star="f_min",
    ),
    Optimizer(
        name="momo",
        title="MoMo",
        params=(
            _lr(1.0),
            Param("beta", 0.9, 0.0, 0.999, help="decay of the averages of loss, gradient and ⟨g, θ⟩"),
        ),
        optax_call="optax.contrib.momo",
        latex=r"\bar f_t = \beta\bar f_{t-1} + (1-\beta) f(\theta_t),\; d_t = \beta d_{t-1} + (1-\beta) g_t,\;"
        r"\gamma_t = \beta\gamma_{t-1} + (1-\beta)\langle g_t, \theta_t\rangle,\;"
        r"\tau_t = \min\Big(\eta_t, \frac{(\bar f_t - f^* + \langle d_t, \theta_t\rangle - \gamma_t)_+}{\|d_t\|^2}\Big),"
        r"\quad \theta_{t+1} = \theta_t - \tau_t d_t",
        note="Heavy-ball momentum whose step size is Polyak's for a model of the loss averaged like the "
        "momentum (losses, gradients and ⟨g, θ⟩): a step goes at most as far as the model takes to reach f*, "
        "and at most lr. The averages start at the first values (no bias). " + _TARGET,
        reference="Schaipp, Ohana, Eickenberg, Defazio & Gower 2024, MoMo: Momentum Models for Adaptive "
        "Learning Rates, ICML, arXiv:2305.07583, Algorithm 1",
        needs_value=True,
        f_star="lower_bound",
        velocity=("exp_avg", -1.0),
    ),
    Optimizer(
        name="momo_adam",
        title="MoMo-Adam",
        params=(_lr(0.01), B1, B2, EPS),
        optax_call="optax.contrib.momo_adam",
        latex=r"d_t = \beta_1 d_{t-1} + (1-\beta_1) g_t,\; v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\;"
        r"D_t = \epsilon + \sqrt{v_t/(1-\beta_2^t)},\; \rho_t = 1-\beta_1^t,\;"
        r"\tau_t = \min\Big(\frac{\eta_t}{\rho_t}, \frac{(\bar f_t - \rho_t f^* + \langle d_t, \theta_t\rangle - \gamma_t)_+}"
        r"{\langle d_t, D_t^{-1} d_t\rangle}\Big),\quad \theta_{t+1} = \theta_t - \tau_t D_t^{-1} d_t",
        note="MoMo's Polyak-type step on Adam's preconditioned direction: the averages of loss, gradient "
        "and ⟨g, θ⟩ (decay β₁) start at zero and are bias-corrected by ρ = 1 − β₁ᵗ, and the step is Adam's "
        "(at most lr) unless the model says a shorter one reaches f*. " + _TARGET + " optax's weight decay "
        "and adaptive lower bound are left off.",
        reference="Schaipp, Ohana, Eickenberg, Defazio & Gower 2024, MoMo: Momentum Models for Adaptive "
        "Learning Rates, ICML, arXiv:2305.07583, Algorithm 2 (MoMo-Adam)",
        needs_value=True,
        f_star="lower_bound",
        velocity=("exp_avg", -1.0),
    ),
)
