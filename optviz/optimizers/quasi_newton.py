r"""Quasi-Newton with a line search: L-BFGS.

L-BFGS keeps the last :math:`m` pairs :math:`s_i = \theta_{i+1} - \theta_i`,
:math:`y_i = g_{i+1} - g_i` (how the gradient changed along each step) and multiplies the gradient by
the inverse-Hessian estimate they define (BFGS updates of :math:`H^0 = \gamma I`, applied by the
two-loop recursion), which is the Newton step where the surface is a quadratic the pairs have seen.
A line search along that direction then picks the step's length: one that lowers the loss enough
and flattens the slope along it (the strong Wolfe conditions). Each trial length costs a loss and
gradient evaluation; the engine counts them (`Optimizer.line_search`).
"""

from __future__ import annotations

from optviz.optimizers.core import Optimizer
from surfaces.core import Param

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
)
