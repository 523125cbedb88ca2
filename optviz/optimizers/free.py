r"""Learning-rate-free steps: Prodigy, D-Adaptation AdamW, DoG, DoWG and COCOB.

The first four estimate the distance :math:`D = \|\theta_0 - \theta^*\|` from the start to a
solution as they go, and set the step size from that estimate, so ``lr`` is a multiplier of the
estimated step size (1: the method's own rule) rather than a step size. The estimates only
grow: Prodigy and D-Adaptation from a tiny :math:`d_0` by a lower bound on :math:`D` built
from gradients and the distance travelled, DoG and DoWG from the largest distance travelled so
far. The estimate is a distance in the plane, so a path depends on where it starts but not on
where the origin is (except through DoG's first move, r_ε = 1e-6·(1+‖θ₀‖)). COCOB bets, per
coordinate, a share of its winnings so far on the sign of the summed gradients.
"""

from __future__ import annotations

import optax

from optviz.optimizers.core import B1, B2, EPS, Optimizer
from surfaces.core import Param

_D0 = Param("estim_lr0", 1e-6, 1e-12, 1.0, log=True, help="starting estimate d₀ of the distance to a solution")
_DECOUPLED = Param("weight_decay", 0.0, 0.0, 1.0, help="decoupled decay λ, scaled by the estimated step")
_COUPLED = Param("weight_decay", 0.0, 0.0, 1.0, help="L2 decay λθ added to the gradient")
_SCALE = Param("lr", 1.0, 1e-6, 10.0, log=True, help="multiplier of the method's own step size (1: the paper's)")
_ADAM_PARAMS = (_SCALE, B1, B2, EPS, _D0)
_BETAS = (("betas", ("b1", "b2")), ("eps", "eps"), ("estim_lr0", "estim_lr0"))
_ADAM_ESTIMATE = r"m_{k+1} = \beta_1 m_k + (1-\beta_1) d_k g_k,\; v_{k+1} = \beta_2 v_k + (1-\beta_2) d_k^2 g_k^2,\;"


def _prodigy(learning_rate, b1, b2, **hyper) -> optax.GradientTransformation:
    return optax.contrib.prodigy(learning_rate, betas=(b1, b2), **hyper)


def _dadapt_adamw(learning_rate, b1, b2, **hyper) -> optax.GradientTransformation:
    return optax.contrib.dadapt_adamw(learning_rate, betas=(b1, b2), **hyper)


ROWS = (
    Optimizer(
        name="prodigy",
        title="Prodigy",
        params=(
            *_ADAM_PARAMS,
            Param("estim_lr_coef", 1.0, 0.01, 100.0, log=True, help="multiplies each new estimate of d"),
            _DECOUPLED,
            Param("safeguard_warmup", False, kind="bool", help="leave the lr out of the estimate's denominator"),
        ),
        optax_call="optax.contrib.prodigy",
        build=_prodigy,
        optax_args=(*_BETAS, *((name, name) for name in ("estim_lr_coef", "weight_decay", "safeguard_warmup"))),
        latex=_ADAM_ESTIMATE + r"r_{k+1} = \beta_3 r_k + \eta_k d_k^2 \langle g_k, \theta_0 - \theta_k\rangle,\;"
        r"s_{k+1} = \beta_3 s_k + \eta_k d_k^2 g_k,\; d_{k+1} = \max\big(d_k, \tfrac{r_{k+1}}{\|s_{k+1}\|_1}\big),"
        r"\quad \theta_{k+1} = \theta_k - \eta_k d_k \frac{m_{k+1}}{\sqrt{v_{k+1}} + d_{k+1}\epsilon}",
        note="Adam whose step size d is estimated as it goes, from how far the gradients have pointed back to "
        "the start: d starts at d₀ = 1e-6 and only grows, so the first steps are tiny and then lengthen. "
        "optax multiplies the step and each term of r and s by Adam's bias correction √(1−β₂ᵏ)/(1−β₁ᵏ), "
        "which the paper's rule has not, adds ε·d with the new d, and takes β₃ = √β₂.",
        reference="Mishchenko & Defazio 2024, Prodigy: An Expeditiously Adaptive Parameter-Free Learner, ICML, "
        "arXiv:2306.06101 (the Adam version)",
        velocity=("exp_avg", -1.0),
    ),
    Optimizer(
        name="dadapt_adamw",
        title="D-Adaptation AdamW",
        params=(*_ADAM_PARAMS, _DECOUPLED),
        optax_call="optax.contrib.dadapt_adamw",
        build=_dadapt_adamw,
        optax_args=(*_BETAS, ("weight_decay", "weight_decay")),
        latex=r"m_{k+1} = \beta_1 m_k + (1-\beta_1) d_k\eta_k g_k,\; v_{k+1} = \beta_2 v_k + (1-\beta_2) g_k^2,\;"
        r"s_{k+1} = \sqrt{\beta_2} s_k + (1-\sqrt{\beta_2}) d_k\eta_k g_k,\;"
        r"r_{k+1} = \sqrt{\beta_2} r_k + (1-\sqrt{\beta_2}) d_k\eta_k \Big\langle g_k, \frac{s_k}{\sqrt{v_k}+\epsilon}"
        r"\Big\rangle,\; d_{k+1} = \max\Big(d_k, \frac{r_{k+1}}{(1-\sqrt{\beta_2})\|s_{k+1}\|_1}\Big),"
        r"\quad \theta_{k+1} = \theta_k - \frac{m_{k+1}}{\sqrt{v_{k+1}} + \epsilon}",
        note="Adam whose step size d is a growing lower bound on the distance to a solution, built from the "
        "gradients' running sum s: the forerunner of Prodigy, whose estimate grows faster. optax "
        "multiplies d by Adam's bias correction √(1−β₂ᵏ)/(1−β₁ᵏ) in the step and the estimate, which "
        "the paper's rule and its authors' default have not.",
        reference="Defazio & Mishchenko 2023, Learning-Rate-Free Learning by D-Adaptation, ICML, "
        "arXiv:2301.07733 (the Adam version)",
        velocity=("exp_avg", -1.0),
    ),
    Optimizer(
        name="dog",
        title="DoG",
        params=(
            _SCALE,
            Param("eps", 1e-8, 0.0, 1.0, help="added to the sum of squared gradient norms, inside the root"),
            _COUPLED,
        ),
        optax_call="optax.contrib.dog",
        latex=r"\bar r_t = \max\big(r_\epsilon, \max_{i\le t}\|\theta_i - \theta_0\|\big),\;"
        r"\eta_t = \frac{\bar r_t}{\sqrt{\sum_{i\le t}\|g_i\|^2 + \epsilon}},\quad \theta_{t+1} = \theta_t - \eta_t g_t",
        note="Gradient descent whose step size is the farthest distance travelled from the start divided by "
        "the root of the summed squared gradient norms ('distance over gradients'). It starts with a move of "
        "r_ε = 1e-6·(1+‖θ₀‖), so the path depends on the distance of the start from the origin. The paper "
        "has no ε (ε = 0).",
        reference="Ivgi, Hinder & Carmon 2023, DoG is SGD's Best Friend: A Parameter-Free Dynamic Step Size "
        "Schedule, ICML, arXiv:2302.12022, Algorithm 1",
    ),
    Optimizer(
        name="dowg",
        title="DoWG",
        params=(
            _SCALE,
            Param("init_estim_sq_dist", 1e-4, 1e-12, 1.0, log=True, help="starting squared distance estimate r_ε²"),
            Param("eps", 1e-4, 0.0, 1.0, help="added to the denominator's root"),
            _COUPLED,
        ),
        optax_call="optax.contrib.dowg",
        latex=r"\bar r_t = \max(\bar r_{t-1}, \|\theta_t - \theta_0\|),\; v_t = v_{t-1} + \bar r_t^2\|g_t\|^2,\;"
        r"\eta_t = \frac{\bar r_t^2}{\sqrt{v_t} + \epsilon},\quad \theta_{t+1} = \theta_t - \eta_t g_t",
        note="DoG with each squared gradient norm weighted by the squared distance travelled so far "
        "('distance over weighted gradients'), which makes it adapt to smooth and non-smooth bowls alike. "
        "The paper has no ε (ε = 0).",
        reference="Khaled, Mishchenko & Jin 2023, DoWG Unleashed: An Efficient Universal Parameter-Free "
        "Gradient Descent Method, NeurIPS 36, arXiv:2305.16284, Algorithm 1",
    ),
    Optimizer(
        name="cocob",
        title="COCOB",
        params=(
            Param("lr", 1.0, 1e-6, 10.0, log=True, help="scales the gradient COCOB sees (it is scale-free)"),
            Param("alpha", 100.0, 1.0, 1000.0, log=True, help="caps the early bets: first move ≤ 1/α a coordinate"),
            Param("eps", 1e-8, 1e-12, 1.0, log=True, help="starting estimate of the largest gradient"),
            _COUPLED,
        ),
        optax_call="optax.contrib.cocob",
        latex=r"L_t = \max(L_{t-1}, |g_t|),\; G_t = G_{t-1} + |g_t|,\; R_t = \max(R_{t-1} - g_t(\theta_t - \theta_1), 0),"
        r"\; \Theta_t = \Theta_{t-1} + g_t,\quad \theta_{t+1} = \theta_1 - "
        r"\frac{\Theta_t\,(L_t + R_t)}{L_t \max(G_t + L_t, \alpha L_t)}",
        note="Each coordinate bets a fraction of the 'reward' it has won so far on the sign of the summed "
        "gradients, as in a coin-betting game: no learning rate. optax multiplies the gradients by lr; a "
        "constant lr scales L, G, Θ and R alike and changes nothing (but ε's share), a schedule reweights "
        "the gradients over time.",
        reference="Orabona & Tommasi 2017, Training Deep Networks without Learning Rates Through Coin Betting, "
        "NeurIPS 30, arXiv:1705.07795, Algorithm 2 (COCOB-Backprop)",
    ),
)
