r"""Layer-wise steps: LAMB, LARS, Fromage and NovoGrad.

Built for networks, each rescales a whole layer's step by a norm of that layer: LAMB, LARS and
Fromage make the step proportional to :math:`\|\theta\|` (a trust ratio
:math:`\|\theta\|/\|u\|`), NovoGrad divides the gradient by a running average of its norm. Here
the position is a single 2-vector, one "layer", so the norms are of the whole position and the
whole gradient: LAMB, LARS and Fromage take steps in proportion to the distance from the origin
(the same surface shifted gives other paths), and NovoGrad is normalized gradient descent with
momentum.
"""

from __future__ import annotations

from optviz.optimizers.core import B1, B2, MOMENTUM, Optimizer, _lr
from surfaces.core import Param

_ORIGIN = (
    "On a 2-vector the layer is the whole position, so the step grows with ‖θ‖, the distance from the "
    "origin: shift the surface and the path changes; at θ = 0 the ratio is taken as 1."
)

ROWS = (
    Optimizer(
        name="lamb",
        title="LAMB",
        params=(
            _lr(0.01),
            B1,
            B2,
            Param("eps", 1e-6, 1e-12, 1.0, log=True, help="added to the denominator"),
            Param("weight_decay", 0.0, 0.0, 1.0, help="decay λθ added to the Adam step, inside the trust ratio"),
        ),
        optax_call="optax.lamb",
        latex=r"u_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\theta_t,"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \frac{\|\theta_t\|}{\|u_t\|} u_t",
        note="Adam's step (plus decay) rescaled to length lr·‖θ‖: every step moves the same fraction of the "
        "distance from the origin, whatever the gradient's size. " + _ORIGIN,
        reference="You et al. 2020, Large Batch Optimization for Deep Learning: Training BERT in 76 minutes, "
        "ICLR, arXiv:1904.00962, Algorithm 2 (φ the identity)",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="lars",
        title="LARS",
        params=(
            _lr(1.0),
            Param("weight_decay", 0.0, 0.0, 1.0, help="L2 decay λθ added to the gradient"),
            Param("trust_coefficient", 0.001, 1e-6, 1.0, log=True, help="trust coefficient: step length ∝ it·‖θ‖"),
            Param("eps", 0.0, 0.0, 1.0, help="added to the trust ratio's denominator"),
            MOMENTUM,
        ),
        optax_call="optax.lars",
        latex=r"u_t = g_t + \lambda\theta_t,\; v_t = \mu v_{t-1} + \eta_t \frac{c\,\|\theta_t\|}{\|u_t\| + \epsilon}"
        r" u_t,\quad \theta_{t+1} = \theta_t - v_t",
        note="Heavy-ball momentum on steps of length lr·c·‖θ‖ in the gradient's direction (c the trust "
        "coefficient, so lr is large). optax divides by ‖g + λθ‖; the paper by ‖g‖ + λ‖θ‖ (the same "
        "without decay). " + _ORIGIN,
        reference="You, Gitman & Ginsburg 2017, Large Batch Training of Convolutional Networks, "
        "arXiv:1708.03888, Algorithm 1",
        velocity=("trace", 1.0),
    ),
    Optimizer(
        name="fromage",
        title="Fromage",
        params=(
            _lr(0.01),
            Param("min_norm", 1e-6, 0.0, 1.0, help="smallest norm used for ‖θ‖ and ‖g‖"),
        ),
        optax_call="optax.fromage",
        latex=r"\theta_{t+1} = \frac{1}{\sqrt{1+\eta_t^2}}"
        r"\Big(\theta_t - \eta_t \frac{\|\theta_t\|}{\|g_t\|} g_t\Big)",
        note="A step of length lr·‖θ‖ along the gradient, then a shrink by √(1+lr²), which keeps ‖θ‖ from "
        "growing: a small relative change to the position, whatever the gradient's size. " + _ORIGIN,
        reference="Bernstein, Vahdat, Yue & Liu 2020, On the distance between two neural networks and the "
        "stability of learning, NeurIPS 33, arXiv:2002.03432, Algorithm 1",
    ),
    Optimizer(
        name="novograd",
        title="NovoGrad",
        params=(
            _lr(0.01),
            B1,
            Param("b2", 0.25, 0.0, 0.99999, help="decay of the average squared gradient norm"),
            Param("eps", 1e-6, 1e-12, 1.0, log=True, help="added to the norm in the denominator"),
            Param("weight_decay", 0.0, 0.0, 1.0, help="decay λθ added to the normalized gradient"),
        ),
        optax_call="optax.novograd",
        latex=r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\|g_t\|^2\; (v_1 = \|g_1\|^2),\;"
        r"m_t = \beta_1 m_{t-1} + \frac{g_t}{\sqrt{v_t} + \epsilon} + \lambda\theta_t,\quad "
        r"\theta_{t+1} = \theta_t - \eta_t m_t",
        note="Momentum on gradients divided by a running average of the layer's gradient norm. On a 2-vector "
        "the layer is the whole gradient, so each term has length about 1: normalized gradient descent with "
        "momentum (steps up to lr/(1−β₁)), not a per-coordinate method.",
        reference="Ginsburg et al. 2019, Stochastic Gradient Methods with Layer-wise Adaptive Moments for "
        "Training of Deep Networks, arXiv:1905.11286, Algorithm 1",
        velocity=("mu", -1.0),
    ),
)
