r"""Per-coordinate adaptive steps: Adagrad, RMSprop, Adadelta and the Adam family (with Yogi, AdaBelief, the
decoupled-decay forms NAdamW and AdamaxW, ADOPT, AdEMAMix, Adan and Optimistic
Adam), Adafactor and SM3.

Each divides the step by a running measure of the gradient's size per coordinate, so the
step's size no longer follows the gradient's scale. The Adam family keeps bias-corrected
moments :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`.
"""

from __future__ import annotations

import optax

from optviz.optimizers.core import B1, B2, EPS, Optimizer, _lr, first_value
from surfaces.core import Param

_ADAM_MOMENTS = r"m_t = \beta_1 m_{t-1} + (1-\beta_1)g_t,\; v_t = \beta_2 v_{t-1} + (1-\beta_2)g_t^2"
_ADAM_HATS = r"\hat m_t = \frac{m_t}{1-\beta_1^t},\; \hat v_t = \frac{v_t}{1-\beta_2^t}"
_LOSHCHILOV_HUTTER = "Loshchilov & Hutter 2019, Decoupled Weight Decay Regularization, ICLR, arXiv:1711.05101"
_WEIGHT_DECAY = Param("weight_decay", 1e-4, 0.0, 1.0, help="decoupled decay λ (optax: a pull of lr·λ·θ a step)")
_DECOUPLED_NOTE = (
    "optax multiplies the decay by the whole learning rate, a pull of lr·λ·θ a step; "
    "the paper scales it by the schedule's multiplier alone, so its pull does not shrink with lr."
)


def _sm3(learning_rate, momentum) -> optax.GradientTransformation:
    return optax.sm3(first_value(learning_rate), momentum)


_KINGMA_BA = "Kingma & Ba 2015, Adam: A Method for Stochastic Optimization, arXiv:1412.6980"

ROWS = (
    Optimizer(
        name="adagrad",
        title="Adagrad",
        params=(
            _lr(0.1),
            Param("initial_accumulator_value", 0.1, 0.0, 10.0, help="starting sum of squares"),
            Param("eps", 1e-7, 1e-12, 1.0, log=True, help=EPS.help),
        ),
        optax_call="optax.adagrad",
        latex=r"G_t = G_{t-1} + g_t^2,\quad \theta_{t+1} = \theta_t - \eta_t \frac{g_t}{\sqrt{G_t + \epsilon}}",
        note="Each coordinate's step is divided by the root of its summed squared gradients. "
        "The sum only grows, so the step size decays until progress stalls.",
        reference="Duchi, Hazan & Singer 2011, Adaptive Subgradient Methods, JMLR 12",
    ),
    Optimizer(
        name="rmsprop",
        title="RMSprop",
        params=(
            _lr(0.01),
            Param("decay", 0.9, 0.0, 0.9999, help="decay of the squared-gradient average"),
            EPS,
            Param("momentum", 0.0, 0.0, 0.999, help="momentum on the scaled step (0: none)"),
            Param("centered", False, kind="bool", help="divide by the variance instead of the mean square"),
        ),
        optax_call="optax.rmsprop",
        latex=r"v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad \theta_{t+1} = \theta_t - \eta_t \frac{g_t}{\sqrt{v_t + \epsilon}}",
        note="Like Adagrad, but with a moving average of squared gradients, so the step size "
        "adapts without decaying to zero.",
        reference="Tieleman & Hinton 2012, Neural Networks for Machine Learning, lecture 6.5 (Coursera)",
        velocity=("trace", 1.0),
    ),
    Optimizer(
        name="adam",
        title="Adam",
        params=(_lr(0.01), B1, B2, EPS),
        optax_call="optax.adam",
        latex=_ADAM_MOMENTS
        + r",\; "
        + _ADAM_HATS
        + r",\quad \theta_{t+1} = \theta_t - \eta_t \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}",
        note="Momentum on the gradient plus RMSprop's per-coordinate scaling, both bias-corrected. "
        "Early steps have size about lr whatever the gradient's scale.",
        reference=_KINGMA_BA,
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="adamw",
        title="AdamW",
        params=(_lr(0.01), B1, B2, EPS, Param("weight_decay", 1e-4, 0.0, 1.0, help="decoupled decay λ")),
        optax_call="optax.adamw",
        latex=_ADAM_MOMENTS
        + r",\quad \theta_{t+1} = \theta_t - \eta_t \left(\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\theta_t\right)",
        note="Adam with weight decay applied directly to the position, not through the gradient. "
        "It pulls the iterate toward the origin at rate lr·λ.",
        reference="Loshchilov & Hutter 2019, Decoupled Weight Decay Regularization, arXiv:1711.05101",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="adamax",
        title="Adamax",
        params=(_lr(0.01), B1, B2, EPS),
        optax_call="optax.adamax",
        latex=r"m_t = \beta_1 m_{t-1} + (1-\beta_1)g_t,\; u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \frac{m_t}{(1-\beta_1^t)\,u_t}",
        note="Adam with the infinity norm: the scale is a decaying maximum of gradient sizes. Steps are bounded by lr.",
        reference=f"{_KINGMA_BA}, section 7.1",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="nadam",
        title="NAdam",
        params=(_lr(0.01), B1, B2, EPS),
        optax_call="optax.nadam",
        latex=_ADAM_MOMENTS
        + r",\; \bar m_t = \frac{\beta_1 m_t}{1-\beta_1^{t+1}} + \frac{(1-\beta_1) g_t}{1-\beta_1^t},"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \frac{\bar m_t}{\sqrt{\hat v_t} + \epsilon}",
        note="Adam with Nesterov's look-ahead on the first moment. It reacts a step sooner when the gradient turns.",
        reference="Dozat 2016, Incorporating Nesterov Momentum into Adam, ICLR workshop",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="amsgrad",
        title="AMSGrad",
        params=(_lr(0.01), B1, B2, EPS),
        optax_call="optax.amsgrad",
        latex=_ADAM_MOMENTS + r",\; \hat v^{\max}_t = \max(\hat v^{\max}_{t-1}, \hat v_t),"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \frac{\hat m_t}{\sqrt{\hat v^{\max}_t} + \epsilon}",
        note="Adam whose denominator never shrinks, which restores a convergence guarantee. "
        "After a large gradient, steps stay small.",
        reference="Reddi, Kale & Kumar 2018, On the Convergence of Adam and Beyond, arXiv:1904.09237",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="adadelta",
        title="Adadelta",
        params=(
            _lr(1.0),
            Param("rho", 0.9, 0.0, 0.9999, help="decay of both running averages"),
            Param("eps", 1e-6, 1e-12, 1.0, log=True, help=EPS.help),
            Param("weight_decay", 0.0, 0.0, 1.0, help="coupled L2 decay"),
        ),
        optax_call="optax.adadelta",
        latex=r"E_t = \rho E_{t-1} + (1-\rho) g_t^2,\; \Delta_t = \frac{\sqrt{D_{t-1} + \epsilon}}{\sqrt{E_t + \epsilon}} g_t,"
        r"\; D_t = \rho D_{t-1} + (1-\rho)\Delta_t^2,\quad \theta_{t+1} = \theta_t - \eta_t \Delta_t",
        note="Steps are scaled by the ratio of past step sizes to past gradient sizes, so units match. "
        "It starts with tiny steps of about √ε.",
        reference="Zeiler 2012, ADADELTA: An Adaptive Learning Rate Method, arXiv:1212.5701",
    ),
    Optimizer(
        name="radam",
        title="RAdam",
        params=(
            _lr(0.01),
            B1,
            B2,
            EPS,
            Param("threshold", 5.0, 0.0, 100.0, help="ρ below which no adaptive scaling"),
        ),
        optax_call="optax.radam",
        latex=r"\rho_\infty = \tfrac{2}{1-\beta_2} - 1,\; \rho_t = \rho_\infty - \tfrac{2t\beta_2^t}{1-\beta_2^t},\;"
        r"\theta_{t+1} = \theta_t - \eta_t \begin{cases} r_t \frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon} & \rho_t \ge 5 \\ \hat m_t & \text{else}\end{cases}",
        note="Adam that takes plain momentum steps until the variance estimate is reliable, "
        "then rectifies the adaptive step. A built-in warm-up.",
        reference="Liu et al. 2020, On the Variance of the Adaptive Learning Rate and Beyond, arXiv:1908.03265",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="yogi",
        title="Yogi",
        params=(
            _lr(0.01),
            B1,
            Param("b2", 0.999, 0.0, 0.99999, help="rate of the additive second-moment change"),
            Param("eps", 1e-3, 1e-12, 1.0, log=True, help="added to the denominator (large: caps early steps)"),
        ),
        optax_call="optax.yogi",
        latex=r"m_t = \beta_1 m_{t-1} + (1-\beta_1)g_t,\; v_t = v_{t-1} - (1-\beta_2)\operatorname{sign}(v_{t-1} - g_t^2)\,g_t^2,\; "
        + _ADAM_HATS
        + r",\quad \theta_{t+1} = \theta_t - \eta_t \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}",
        note="Adam whose second moment moves additively, by at most (1−β₂)g² a step, so one large gradient "
        "cannot inflate it and a calm stretch shrinks it only slowly. optax runs the common form, not the "
        "paper's Algorithm 2: both moments start at 1e-6 and are bias-corrected, as in Adam.",
        reference="Zaheer, Reddi, Sachan, Kale & Kumar 2018, Adaptive Methods for Nonconvex Optimization, NeurIPS 31",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="adabelief",
        title="AdaBelief",
        params=(
            _lr(0.01),
            B1,
            Param("b2", 0.999, 0.0, 0.99999, help="decay of the average squared surprise (g − m)²"),
            Param("eps", 1e-16, 1e-20, 1.0, log=True, help="added to the denominator, outside the root"),
            Param("eps_root", 1e-16, 0.0, 1.0, help="added to s_t every step (it accumulates), inside the root"),
        ),
        optax_call="optax.adabelief",
        latex=r"m_t = \beta_1 m_{t-1} + (1-\beta_1)g_t,\; s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2 + \epsilon_{root},\; "
        r"\hat m_t = \frac{m_t}{1-\beta_1^t},\; \hat s_t = \frac{s_t}{1-\beta_2^t},"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \frac{\hat m_t}{\sqrt{\hat s_t} + \epsilon}",
        note="Adam that divides by how far gradients stray from their running mean, not by their size: "
        "where the gradient stays steady, as along a smooth valley, it takes large steps. "
        "The paper's one ε, added to s_t and outside the root, is optax's eps_root and eps (both 1e-16 by default).",
        reference="Zhuang et al. 2020, AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients, "
        "NeurIPS 33, arXiv:2010.07468",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="nadamw",
        title="NAdamW",
        params=(_lr(0.01), B1, B2, EPS, _WEIGHT_DECAY),
        optax_call="optax.nadamw",
        latex=_ADAM_MOMENTS
        + r",\; \bar m_t = \frac{\beta_1 m_t}{1-\beta_1^{t+1}} + \frac{(1-\beta_1) g_t}{1-\beta_1^t},"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \left(\frac{\bar m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\theta_t\right)",
        note="NAdam with weight decay applied to the position, outside the adaptive scaling, so every "
        "coordinate decays at the same rate. " + _DECOUPLED_NOTE,
        reference=f"{_LOSHCHILOV_HUTTER}; NAdam: Dozat 2016, Incorporating Nesterov Momentum into Adam, ICLR workshop",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="adamaxw",
        title="AdamaxW",
        params=(_lr(0.01), B1, B2, EPS, _WEIGHT_DECAY),
        optax_call="optax.adamaxw",
        latex=r"m_t = \beta_1 m_{t-1} + (1-\beta_1)g_t,\; u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \left(\frac{m_t}{(1-\beta_1^t)\,u_t} + \lambda\theta_t\right)",
        note="Adamax with weight decay applied to the position, outside the infinity-norm scaling, so every "
        "coordinate decays at the same rate. " + _DECOUPLED_NOTE,
        reference=f"{_LOSHCHILOV_HUTTER}; Adamax: {_KINGMA_BA}, section 7.1",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="adopt",
        title="ADOPT",
        params=(
            _lr(0.01),
            B1,
            Param("b2", 0.9999, 0.0, 0.99999, help="decay of the second-moment average"),
            Param("eps", 1e-6, 1e-12, 1.0, log=True, help="floor of the denominator √v"),
            Param("use_clipping", True, kind="bool", help="clip each normalized gradient to ±t^¼"),
        ),
        optax_call="optax.contrib.adopt",
        latex=r"v_0 = g_0^2,\; m_t = \beta_1 m_{t-1} + (1-\beta_1)\operatorname{clip}\Big(\frac{g_t}"
        r"{\max(\sqrt{v_{t-1}}, \epsilon)}, t^{1/4}\Big),\; \theta_{t+1} = \theta_t - \eta_t m_t,\;"
        r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
        note="Adam reordered: the gradient is divided by the second moment of the gradients before it, and "
        "only then averaged into the momentum, which makes it converge for any β₂. The first step only "
        "measures v₀ = g₀², so the path stands still for one step.",
        reference="Taniguchi et al. 2024, ADOPT: Modified Adam Can Converge with Any β₂ with the Optimal Rate, "
        "NeurIPS 37, arXiv:2411.02853, Algorithm 1 (with the clipping of its practical form)",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="ademamix",
        title="AdEMAMix",
        params=(
            _lr(0.01),
            B1,
            B2,
            Param("b3", 0.9999, 0.0, 0.99999, help="decay of the slow momentum"),
            Param("alpha", 5.0, 0.0, 20.0, help="weight of the slow momentum"),
            EPS,
            Param("weight_decay", 0.0, 0.0, 1.0, help="decoupled decay λ"),
        ),
        optax_call="optax.contrib.ademamix",
        latex=_ADAM_MOMENTS + r",\; m^{slow}_t = \beta_3 m^{slow}_{t-1} + (1-\beta_3) g_t,"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \Big(\frac{\hat m_t + \alpha\, m^{slow}_t}{\sqrt{\hat v_t} + \epsilon}"
        r" + \lambda\theta_t\Big)",
        note="Adam plus a second, much slower momentum (β₃ = 0.9999 remembers ~10,000 gradients), weighted by α "
        "and not bias-corrected, so it builds up over thousands of steps. The paper warms α and β₃ up "
        "over a set number of steps; here they are constants.",
        reference="Pagliardini, Ablin & Grangier 2025, The AdEMAMix Optimizer: Better, Faster, Older, ICLR, "
        "arXiv:2409.03137, Algorithm 1",
        velocity=("m1", -1.0),
    ),
    Optimizer(
        name="adafactor",
        title="Adafactor",
        params=(
            _lr(0.01),
            Param("decay_rate", 0.8, 0.0, 1.0, help="c in the second-moment decay β₂ₜ = 1 − t^(−c)"),
            Param("clipping_threshold", 1.0, 0.01, 100.0, log=True, help="largest RMS of the step before lr"),
            Param("multiply_by_parameter_scale", True, kind="bool", help="scale the step by RMS(θ) (at least 1e-3)"),
            Param("eps", 1e-30, 1e-40, 1e-3, log=True, help="added to every squared gradient"),
        ),
        optax_call="optax.adafactor",
        latex=r"\hat\beta_{2t} = 1 - t^{-c},\; v_t = \hat\beta_{2t} v_{t-1} + (1-\hat\beta_{2t})(g_t^2 + \epsilon),\;"
        r"u_t = \frac{g_t}{\sqrt{v_t}},\; \hat u_t = \frac{u_t}{\max(1, \mathrm{RMS}(u_t)/d)},"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \max(10^{-3}, \mathrm{RMS}(\theta_t))\,\hat u_t",
        note="RMSprop whose averaging horizon grows with t, with each step's RMS clipped to d and then scaled "
        "by the RMS of the position. Adafactor factors the second moment of a matrix into row and column "
        "averages only for arrays with two dimensions of at least 128; a 2-vector is not factored, so this "
        "is the paper's unfactored rule. Scaled by RMS(θ), the step grows with the distance from the origin.",
        reference="Shazeer & Stern 2018, Adafactor: Adaptive Learning Rates with Sublinear Memory Cost, ICML, "
        "arXiv:1804.04235, Algorithm 4 (relative step ρₜ = lr)",
    ),
    Optimizer(
        name="optimistic_adam",
        title="Optimistic Adam",
        params=(
            _lr(0.01),
            Param("alpha", 1.0, 0.0, 2.0, help="weight of this step's Adam direction"),
            Param("beta", 1.0, 0.0, 2.0, help="optimism: weight of the change since the last direction"),
            B1,
            B2,
            EPS,
            Param("nesterov", True, kind="bool", help="NAdam's look-ahead moment (the paper: off)"),
        ),
        optax_call="optax.optimistic_adam_v2",
        latex=r"u_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},"
        r"\quad \theta_{t+1} = \theta_t - \eta_t \big((\alpha+\beta) u_t - \beta u_{t-1}\big)",
        note="Adam that extrapolates along the change of its own direction, which damps the cycling of "
        "min-max games; on a plain minimum it overshoots less than Adam. optax uses NAdam's look-ahead "
        "moment by default (nesterov on); the paper's rule is plain Adam's (nesterov off, α = β = 1).",
        reference="Daskalakis, Ilyas, Syrgkanis & Zeng 2018, Training GANs with Optimism, ICLR, "
        "arXiv:1711.00141, Algorithm 1",
        velocity=("mu", -1.0),
    ),
    Optimizer(
        name="adan",
        title="Adan",
        params=(
            _lr(0.01),
            Param("b1", 0.98, 0.0, 0.9999, help="decay of the gradient average m"),
            Param("b2", 0.92, 0.0, 0.9999, help="decay of the gradient-difference average v"),
            Param("b3", 0.99, 0.0, 0.99999, help="decay of the squared look-ahead average n"),
            EPS,
            Param("eps_root", 1e-8, 0.0, 1.0, help="added to n̂ inside the root"),
            Param("weight_decay", 0.0, 0.0, 1.0, help="decoupled decay λ (a pull of lr·λ·θ)"),
        ),
        optax_call="optax.adan",
        latex=r"d_t = g_t - g_{t-1},\; m_t = b_1 m_{t-1} + (1-b_1) g_t,\; v_t = b_2 v_{t-1} + (1-b_2) d_t,\;"
        r"n_t = b_3 n_{t-1} + (1-b_3)(g_t + w\,d_t)^2,"
        r"\quad \theta_{t+1} = \theta_t - \eta_t\Big(\frac{\hat m_t + w\,\hat v_t}{\sqrt{\hat n_t + \epsilon_{root}}"
        r" + \epsilon} + \lambda\theta_t\Big),\; w = 1 - b_2",
        note="Adam with Nesterov's look-ahead written as an average v of gradient differences, added to the "
        "momentum with weight w. optax 0.2.8 weights it by w = 1 − b₂ = 0.08, where the paper and its "
        "authors' code use b₂ = 0.92 (the paper's 1 − β₂), so here the look-ahead is about a tenth as strong "
        "as published; the paper also decays weights proximally, θ/(1 + lr·λ).",
        reference="Xie, Zhou, Li, Lin & Yan 2024, Adan: Adaptive Nesterov Momentum Algorithm for Faster "
        "Optimizing Deep Models, IEEE TPAMI, arXiv:2208.06677, Algorithm 1",
        velocity=("m", -1.0),
    ),
    Optimizer(
        name="sm3",
        title="SM3",
        params=(
            _lr(0.1),
            Param("momentum", 0.9, 0.0, 0.999, help="β of the average m = βm + (1−β)u of the steps (0: none)"),
        ),
        optax_call="optax.sm3",
        build=_sm3,
        latex=r"G_t = G_{t-1} + g_t^2,\; u_t = \frac{g_t}{\sqrt{G_t + \epsilon}},\; m_t = \beta m_{t-1} + (1-\beta) u_t,"
        r"\quad \theta_{t+1} = \theta_t - \eta\, m_t,\quad G_0 = 0,\; \epsilon = 10^{-8}",
        note="SM3 saves memory on matrices: each row and each column keeps the largest running sum of its entries, "
        "and each entry starts its next sum from the smaller of its row's and column's. A 2-vector has one axis whose sets are "
        "single coordinates, so here each coordinate keeps its own sum and SM3 is exactly Adagrad (from G₀ = 0, "
        "ε = 1e-8 inside the root) with a momentum average of its steps; at momentum 0 it is the Adagrad row "
        "with initial_accumulator_value 0 and eps 1e-8. optax.sm3 takes a fixed lr, so a schedule does not apply.",
        reference="Anil, Gupta, Koren & Singer 2019, Memory-Efficient Adaptive Optimization, NeurIPS 32, "
        "arXiv:1901.11150, SM3-II (the momentum average is optax's)",
        takes_schedule=False,
        velocity=("nu", -1.0),
    ),
)
