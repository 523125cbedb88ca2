r"""Sharpness-aware minimization: SAM.

A SAM step takes the gradient twice: at :math:`\theta_t`, to find the direction that raises the
loss fastest, and at the point a distance :math:`\rho` that way, whose gradient it then steps by.
It descends the worst loss within radius :math:`\rho`, so it prefers minima whose basin stays low
over that radius. The engine computes the second gradient like the step's own (the same noise
draw, the same mini-batch), so a step costs what it costs in a training loop: two gradients.
"""

from __future__ import annotations

import optax

from optviz.optimizers.core import Optimizer, _lr
from surfaces.core import Param


def _sam(learning_rate, rho) -> optax.GradientTransformationExtraArgs:
    """SAM over SGD: the ascent step ρ·g/‖g‖ is a normalized SGD step of size ρ (optax negates it
    into an ascent), the outer step SGD's; ``opaque_mode`` makes each ``update`` one whole step,
    which calls ``grad_fn`` once at the ascended point."""
    adversary = optax.chain(optax.contrib.normalize(), optax.sgd(rho))
    return optax.contrib.sam(optax.sgd(learning_rate), adversary, sync_period=2, opaque_mode=True)


ROWS = (
    Optimizer(
        name="sam",
        title="SAM",
        params=(
            _lr(1e-3),
            Param(
                "rho",
                0.05,
                1e-4,
                1.0,
                log=True,
                help="radius ρ of the uphill look: how far the second gradient is taken",
            ),
        ),
        optax_call="optax.contrib.sam",
        build=_sam,
        optax_code="optax.contrib.sam(optax.sgd({lr}), optax.chain(optax.contrib.normalize(), optax.sgd({rho})), "
        "sync_period=2, opaque_mode=True)",
        latex=r"\epsilon_t = \rho\,\frac{g_t}{\|g_t\|},\quad \theta_{t+1} = \theta_t - \eta_t\,\nabla f(\theta_t + \epsilon_t)",
        note="SGD that steps by the gradient taken a distance ρ uphill of θ instead of at θ, so each step "
        "evaluates two gradients. It minimizes the worst loss within radius ρ, which is lower in a wide basin "
        "than in a narrow one: on two numbers, a minimum's sharpness is just the curvature of its basin. "
        "With a fixed ρ it does not settle on a minimum: the uphill point stays ρ away, so the run hovers "
        "near the bottom (on Booth after 2,000 steps: 0.005 off at lr 0.01 and ρ 0.05, 0.16 off at lr 0.05 "
        "and ρ 0.2) and may never count as converged. optax's rule is the "
        "paper's with SGD as the base; where the gradient is exactly 0 its direction is undefined and the "
        "run stops.",
        reference="Foret, Kleiner, Mobahi & Neyshabur 2021, Sharpness-Aware Minimization for Efficiently "
        "Improving Generalization, ICLR, arXiv:2010.01412, Algorithm 1",
        grad_evals=2,
    ),
)
