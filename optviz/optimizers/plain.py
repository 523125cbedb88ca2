r"""Gradient descent and its momentum forms: SGD, heavy ball, Nesterov, optimistic gradient
descent, and SGD with annealed gradient noise.

The first three are ``optax.sgd``, whose trace is :math:`v_t = g_t + \beta v_{t-1}`; with
momentum 0 it is exactly plain SGD (:math:`g + 0\cdot v = g`). The three entries share one
builder and so one compiled loop per ``nesterov`` flag. Optimistic gradient descent adds the
change of the gradient since the last step; noisy SGD adds Gaussian noise of its own, whose
variance decays with the step.
"""

from __future__ import annotations

from optviz.optimizers.core import MOMENTUM, Optimizer, _lr
from surfaces.core import Param

_HEAVY_BALL = r"v_t = g_t + \beta v_{t-1},\quad \theta_{t+1} = \theta_t - \eta_t v_t"

ROWS = (
    Optimizer(
        name="sgd",
        title="SGD",
        params=(
            _lr(1e-3),
            Param("momentum", 0.0, 0.0, 0.999, help="heavy-ball decay β (0: none)"),
            Param("nesterov", False, kind="bool", help="Nesterov's look-ahead form"),
        ),
        optax_call="optax.sgd",
        latex=_HEAVY_BALL,
        note="Plain gradient descent steps straight downhill, by lr times the gradient. "
        "Too large a step overshoots and diverges; too small a step crawls.",
        reference="Robbins & Monro 1951, A Stochastic Approximation Method, Ann. Math. Statist. 22(3)",
        velocity=("trace", -1.0),
    ),
    Optimizer(
        name="momentum",
        title="Momentum (heavy ball)",
        params=(_lr(1e-3), MOMENTUM),
        optax_call="optax.sgd",
        latex=_HEAVY_BALL,
        note="A velocity accumulates past gradients, so steps grow along consistent directions "
        "and cancel across ravines. Too much momentum overshoots and spirals.",
        reference="Polyak 1964, Some methods of speeding up the convergence of iteration methods, "
        "USSR Comput. Math. Math. Phys. 4(5)",
        fixed=(("nesterov", False),),
        velocity=("trace", -1.0),
    ),
    Optimizer(
        name="nesterov",
        title="Nesterov momentum",
        params=(_lr(1e-3), MOMENTUM),
        optax_call="optax.sgd",
        latex=r"v_t = g_t + \beta v_{t-1},\quad \theta_{t+1} = \theta_t - \eta_t (g_t + \beta v_t)",
        note="Momentum that looks ahead: the step uses the velocity it is about to have. "
        "It damps the overshoot of heavy-ball momentum.",
        reference="Nesterov 1983, Dokl. Akad. Nauk SSSR 269(3); in this form Sutskever et al. 2013, ICML",
        fixed=(("nesterov", True),),
        velocity=("trace", -1.0),
    ),
    Optimizer(
        name="optimistic_gd",
        title="Optimistic gradient descent",
        params=(
            _lr(1e-3),
            Param("alpha", 1.0, 0.0, 2.0, help="weight α of this step's gradient"),
            Param("beta", 1.0, 0.0, 2.0, help="optimism β: weight of the gradient's change since the last step"),
        ),
        optax_call="optax.optimistic_gradient_descent",
        latex=r"\theta_{t+1} = \theta_t - \eta_t\big((\alpha+\beta) g_t - \beta g_{t-1}\big)"
        r" = \theta_t - \eta_t\big(\alpha g_t + \beta (g_t - g_{t-1})\big),\; g_{t-1} := g_t \text{ at the first step}",
        note="Gradient descent plus β times the change of the gradient since the last step: it reacts to a "
        "turning gradient a step early, which stops the cycling of min-max games. On a bowl of curvature h, "
        "with α = β = 1, it is stable only for lr·h < 2/3, a third of gradient descent's limit 2.",
        reference="Daskalakis, Ilyas, Syrgkanis & Zeng 2018, Training GANs with Optimism, ICLR, arXiv:1711.00141 "
        "(α = β = 1); with weights α, β: Mokhtari, Ozdaglar & Pattathil 2020, Convergence Rate of O(1/k) for "
        "Optimistic Gradient and Extragradient Methods in Smooth Convex-Concave Saddle Point Problems, "
        "SIAM J. Optim. 30(4), arXiv:1906.01115",
    ),
    Optimizer(
        name="noisy_sgd",
        title="Noisy SGD",
        params=(
            _lr(1e-3),
            Param("eta", 0.01, 0.0, 100.0, help="the noise's variance at the first step, η_σ"),
            Param("gamma", 0.55, 0.0, 2.0, help="how fast the variance decays: η_σ/(1+t)^γ"),
        ),
        optax_call="optax.noisy_sgd",
        latex=r"\theta_{t+1} = \theta_t - \eta_t (g_t + \sigma_t \xi_t),\;"
        r"\sigma_t^2 = \frac{\eta_\sigma}{(1+t)^{\gamma}},\; \xi_t \sim \mathcal N(0, I)",
        note="Gradient descent on a gradient with Gaussian noise of its own added, whose variance η/(1+t)^γ "
        "shrinks with the step (t from 0): early steps jitter and can leave a shallow basin, later ones settle. "
        "The noise comes from the link's seed, apart from a noisy surface's own.",
        reference="Neelakantan, Vilnis, Le, Sutskever, Kaiser, Kurach & Martens 2015, Adding Gradient Noise "
        "Improves Learning for Very Deep Networks, arXiv:1511.06807",
        random=True,
    ),
)
