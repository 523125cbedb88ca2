r"""Steps shaped by an estimate of the curvature: L-BFGS and Sophia.

L-BFGS keeps the last :math:`m` pairs :math:`s_i = \theta_{i+1} - \theta_i`,
:math:`y_i = g_{i+1} - g_i` (how the gradient changed along each step) and multiplies the gradient by
the inverse-Hessian estimate they define (BFGS updates of :math:`H^0 = \gamma I`, applied by the
two-loop recursion), which is the Newton step where the surface is a quadratic the pairs have seen.
A line search along that direction then picks the step's length: one that lowers the loss enough
and flattens the slope along it (the strong Wolfe conditions). Each trial length costs a loss and
gradient evaluation; the engine counts them (`Optimizer.line_search`).

Sophia divides a momentum by a running estimate of the Hessian's diagonal (Hutchinson's:
:math:`u \odot \nabla^2 f\, u` for a random sign vector :math:`u`, one Hessian-vector product every
10 steps) and clips each coordinate of the result, so a step is Newton's where the curvature is
large and at most lr elsewhere.
"""

from __future__ import annotations

import optax

from optviz.optimizers.core import B1, Optimizer
from surfaces.core import Param

HESSIAN_INTERVAL = 10  # steps between Sophia's Hessian estimates (optax's default, fixed here)


def _sophia(learning_rate, b1, b2, eps, weight_decay, gamma, clip_threshold, key) -> optax.GradientTransformation:
    """optax's Sophia with Hutchinson's estimator drawing its probes from ``key``."""
    probe = optax.contrib.hutchinson_estimator_diag_hessian(random_seed=key)
    return optax.contrib.sophia(
        learning_rate,
        b1=b1,
        b2=b2,
        eps=eps,
        weight_decay=weight_decay,
        gamma=gamma,
        clip_threshold=clip_threshold,
        update_interval=HESSIAN_INTERVAL,
        hessian_diagonal_fn=probe,
    )


ROWS = (
    Optimizer(
        name="lbfgs",
        title="L-BFGS",
        params=(
            Param(
                "lr",
                1.0,
                1e-6,
                10.0,
                log=True,
                help="scales the direction the line search starts from (1: L-BFGS's own)",
            ),
        ),
        optax_call="optax.lbfgs",
        latex=r"d_t = -H_t g_t,\; H_t \text{ from } H^0_t = \frac{s^\top y}{y^\top y} I \text{ and the last 10 pairs }"
        r"s_i = \theta_{i+1}-\theta_i,\; y_i = g_{i+1}-g_i,"
        r"\quad \theta_{t+1} = \theta_t + \alpha_t \eta_t d_t,\; \alpha_t \text{ meeting the strong Wolfe conditions}",
        note="Learns the surface's curvature from how the gradient changed over the last 10 steps and steps "
        "toward where that quadratic picture has its minimum; a zoom line search then sets the length "
        "(enough decrease, a flattened slope). Each search evaluates the loss and gradient once or more, so "
        "the summary counts gradients per step. optax's first step goes down the gradient at most 1 long; "
        "lr scales the direction each search starts from.",
        reference="Liu & Nocedal 1989, On the Limited Memory BFGS Method for Large Scale Optimization, "
        "Mathematical Programming 45; the two-loop recursion and zoom line search of Nocedal & Wright 2006, "
        "Numerical Optimization, Algorithms 7.4, 3.5 and 3.6",
        line_search=True,
    ),
    Optimizer(
        name="sophia",
        title="Sophia",
        params=(
            Param("lr", 0.01, 1e-6, 10.0, log=True, help="largest step per coordinate (scaled by the schedule)"),
            Param("b1", 0.965, 0.0, 0.9999, help=B1.help),
            Param("b2", 0.99, 0.0, 0.99999, help="decay of the Hessian-diagonal average (one estimate every 10 steps)"),
            Param("eps", 1e-8, 1e-12, 1.0, log=True, help="floor under γ·h"),
            Param("weight_decay", 1e-4, 0.0, 1.0, help="decoupled decay λ (a pull of lr·λ·θ a step)"),
            Param(
                "gamma", 0.01, 1e-4, 10.0, log=True, help="γ: how far the Newton step m/h is trusted before clipping"
            ),
            Param(
                "clip_threshold", 1.0, 1e-3, 10.0, log=True, help="each coordinate of m/max(γh, ε) is clipped to this"
            ),
        ),
        optax_call="optax.contrib.sophia",
        build=_sophia,
        latex=r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\; \hat m_t = \frac{m_t}{1-\beta_1^t},\;"
        r"h_t = \beta_2 h_{t-10} + (1-\beta_2)\, u \odot \nabla^2 f\, u \text{ every 10 steps},\;"
        r"\theta_{t+1} = \theta_t - \eta_t\Big(\operatorname{clip}\Big(\frac{\hat m_t}{\max(\gamma h_{t-1}, \epsilon)}, "
        r"\pm c\Big) + \lambda\theta_t\Big)",
        note="Momentum divided by an estimate of the Hessian's diagonal (Hutchinson's, from a random ±1 probe; "
        "one Hessian-vector product every 10 steps), each coordinate clipped to ±c: a Newton step where the "
        "curvature is large, a sign step of size lr where it is small or negative. optax bias-corrects m and "
        "divides by the estimate made before this step; the paper divides by this step's, without correction. "
        "The probes come from the link's seed.",
        reference="Liu, Li, Hall, Liang & Ma 2024, Sophia: A Scalable Stochastic Second-order Optimizer for "
        "Language Model Pre-training, ICLR, arXiv:2305.14342, Algorithm 3 (Hutchinson's estimator)",
        optax_code="optax.contrib.sophia({lr}, b1={b1}, b2={b2}, eps={eps}, weight_decay={weight_decay}, "
        "gamma={gamma}, clip_threshold={clip_threshold}, update_interval=10, "
        "hessian_diagonal_fn=optax.contrib.hutchinson_estimator_diag_hessian(random_seed=own_key))",
        velocity=("mu", -1.0),
        hessian=True,
        random=True,
    ),
)
