"""Adagrad (Duchi et al. 2011), RMSprop (Tieleman & Hinton 2012), Adam, Adamax (Kingma &
Ba 2015), AdamW (Loshchilov & Hutter 2019), NAdam (Dozat 2016), AMSGrad (Reddi et al.
2018), Adadelta (Zeiler 2012), RAdam (Liu et al. 2020), Yogi (Zaheer et al. 2018),
AdaBelief (Zhuang et al. 2020), NAdamW and AdamaxW (decoupled decay), ADOPT (Taniguchi et al.
2024), AdEMAMix (Pagliardini et al. 2025), Adan (Xie et al. 2024), Adafactor (Shazeer & Stern
2018), Optimistic Adam (Daskalakis et al. 2018) and SM3 (Anil et al. 2019), from their papers' formulas, with optax's
choices where the papers leave one open (ε inside the root for RMSprop and Adagrad, AMSGrad's
maximum over bias-corrected second moments).

Where optax departs from a paper, the reference follows the paper and takes the difference as
a keyword-only option; `OPTAX` sets those options to optax's choices, and `UPDATES` is the
references with them set, which the engine must match."""

from __future__ import annotations

import functools

import numpy as np


def _adam_moments(s, g, b1, b2):
    s["t"] = s.get("t", 0) + 1
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0 * g) + (1 - b2) * g**2
    t = s["t"]
    return s["m"] / (1 - b1**t), s["v"] / (1 - b2**t), t


def adagrad(s, g, p, lr, initial_accumulator_value=0.1, eps=1e-7):
    s["G"] = s.get("G", np.full_like(g, initial_accumulator_value)) + g**2
    return -lr * np.where(s["G"] > 0, g / np.sqrt(s["G"] + eps), 0.0)


def rmsprop(s, g, p, lr, decay=0.9, eps=1e-8, momentum=0.0, centered=False):
    s["v"] = decay * s.get("v", 0 * g) + (1 - decay) * g**2
    s["m"] = decay * s.get("m", 0 * g) + (1 - decay) * g
    denom = s["v"] - s["m"] ** 2 if centered else s["v"]
    s["buf"] = -lr * g / np.sqrt(denom + eps) + momentum * s.get("buf", 0 * g)
    return s["buf"]


def adam(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8):
    m_hat, v_hat, _ = _adam_moments(s, g, b1, b2)
    return -lr * m_hat / (np.sqrt(v_hat) + eps)


def adamw(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-4):
    m_hat, v_hat, _ = _adam_moments(s, g, b1, b2)
    return -lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * p)


def adamax(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8):
    s["t"] = s.get("t", 0) + 1
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0 * g), np.abs(g) + eps)
    return -lr * s["m"] / (1 - b1 ** s["t"]) / s["u"]


def nadam(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8):
    _, v_hat, t = _adam_moments(s, g, b1, b2)
    m_bar = b1 * s["m"] / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)
    return -lr * m_bar / (np.sqrt(v_hat) + eps)


def amsgrad(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8):
    m_hat, v_hat, _ = _adam_moments(s, g, b1, b2)
    s["vmax"] = np.maximum(s.get("vmax", 0 * g), v_hat)
    return -lr * m_hat / (np.sqrt(s["vmax"]) + eps)


def adadelta(s, g, p, lr, rho=0.9, eps=1e-6, weight_decay=0.0):
    g = g + weight_decay * p
    s["E"] = rho * s.get("E", 0 * g) + (1 - rho) * g**2
    delta = np.sqrt(s.get("D", 0 * g) + eps) / np.sqrt(s["E"] + eps) * g
    s["D"] = rho * s.get("D", 0 * g) + (1 - rho) * delta**2
    return -lr * delta


def radam(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8, threshold=5.0):
    m_hat, v_hat, t = _adam_moments(s, g, b1, b2)
    rho_inf = 2 / (1 - b2) - 1
    rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
    if rho < threshold:
        return -lr * m_hat
    r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return -lr * r * m_hat / (np.sqrt(v_hat) + eps)


def yogi(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-3, *, initial_accumulator_value=0.0, bias_correction=False):
    r"""Yogi, Algorithm 2 of Zaheer, Reddi, Sachan, Kale & Kumar (2018), Adaptive Methods for
    Nonconvex Optimization, NeurIPS 31: Adam's first moment, an additive second moment
    :math:`v_t = v_{t-1} - (1-\beta_2)\operatorname{sign}(v_{t-1} - g_t^2)\,g_t^2` and the step
    :math:`-\eta_t m_t/(\sqrt{v_t} + \epsilon)`, from :math:`m_0 = v_0 = 0` without bias correction.

    ``initial_accumulator_value`` is where both moments start and ``bias_correction`` divides
    them by :math:`1-\beta^t` as Adam does; optax starts both at 1e-6 and corrects them."""
    s["t"] = t = s.get("t", 0) + 1
    m = b1 * s.get("m", np.full_like(g, initial_accumulator_value)) + (1 - b1) * g
    v = s.get("v", np.full_like(g, initial_accumulator_value))
    v = v - (1 - b2) * np.sign(v - g**2) * g**2
    s["m"], s["v"] = m, v
    if bias_correction:
        m, v = m / (1 - b1**t), v / (1 - b2**t)
    return -lr * m / (np.sqrt(v) + eps)


def adabelief(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-16, eps_root=None):
    r"""AdaBelief, Algorithm 2 of Zhuang et al. (2020), AdaBelief Optimizer: Adapting Stepsizes by
    the Belief in Observed Gradients, NeurIPS 33: Adam with the second moment replaced by the
    average squared surprise, :math:`s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2 + \epsilon`
    (ε kept in the state, so it accumulates), bias-corrected, and the step
    :math:`-\eta_t \hat m_t/(\sqrt{\hat s_t} + \epsilon)`.

    The paper adds the same ε in both places; ``eps_root`` (None: ``eps``) is the one added to
    :math:`s_t`, which optax sets on its own."""
    eps_root = eps if eps_root is None else eps_root
    s["t"] = t = s.get("t", 0) + 1
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * g
    s["s"] = b2 * s.get("s", 0 * g) + (1 - b2) * (g - s["m"]) ** 2 + eps_root
    return -lr * (s["m"] / (1 - b1**t)) / (np.sqrt(s["s"] / (1 - b2**t)) + eps)


def _decoupled_decay(p, lr, weight_decay, alpha, lr_scales_decay):
    r"""The decoupled weight-decay step of Loshchilov & Hutter (2019), Decoupled Weight Decay
    Regularization, ICLR, Algorithm 2: :math:`-\eta_t \lambda\theta_t`, where :math:`\eta_t` is
    the schedule multiplier alone and the learning rate is :math:`\alpha\eta_t` (``lr``). ``alpha``
    is the base rate α (None: a constant schedule, :math:`\eta_t = 1`); ``lr_scales_decay``
    multiplies the decay by the whole ``lr`` instead, as optax does."""
    multiplier = lr if lr_scales_decay else (1.0 if alpha is None else lr / alpha)
    return -multiplier * weight_decay * p


def nadamw(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-4, *, alpha=None, lr_scales_decay=False):
    """NAdam (Dozat 2016, as `nadam`) with Loshchilov & Hutter's (2019) decoupled weight decay
    (`_decoupled_decay`): the decay acts on the position, outside the adaptive scaling."""
    return nadam(s, g, p, lr, b1, b2, eps) + _decoupled_decay(p, lr, weight_decay, alpha, lr_scales_decay)


def adamaxw(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-4, *, alpha=None, lr_scales_decay=False):
    """Adamax (Kingma & Ba 2015, section 7.1, as `adamax`) with Loshchilov & Hutter's (2019)
    decoupled weight decay (`_decoupled_decay`)."""
    return adamax(s, g, p, lr, b1, b2, eps) + _decoupled_decay(p, lr, weight_decay, alpha, lr_scales_decay)


def adopt(s, g, p, lr, b1=0.9, b2=0.9999, eps=1e-6, use_clipping=True):
    r"""ADOPT, Algorithm 1 of Taniguchi et al. (2024), ADOPT: Modified Adam Can Converge with Any
    β₂ with the Optimal Rate, NeurIPS 37: the first gradient only sets :math:`v_0 = g_0^2` (no
    move); then :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t/\max(\sqrt{v_{t-1}}, \epsilon)`,
    :math:`\theta_t = \theta_{t-1} - \eta_t m_t`, :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`
    from :math:`m_0 = 0`. ``use_clipping``: the paper's practical form, which clips the normalized
    gradient to :math:`\pm t^{1/4}`."""
    t = s.get("t", 0)
    s["t"] = t + 1
    if t == 0:
        s["v"], s["m"] = g**2, 0 * g
        return 0 * g
    u = g / np.maximum(np.sqrt(s["v"]), eps)
    if use_clipping:
        u = np.clip(u, -(t**0.25), t**0.25)
    s["m"] = b1 * s["m"] + (1 - b1) * u
    s["v"] = b2 * s["v"] + (1 - b2) * g**2
    return -lr * s["m"]


def ademamix(s, g, p, lr, b1=0.9, b2=0.999, b3=0.9999, alpha=5.0, eps=1e-8, weight_decay=0.0):
    r"""AdEMAMix, Algorithm 1 of Pagliardini, Ablin & Grangier (2025), The AdEMAMix Optimizer:
    Better, Faster, Older, ICLR: Adam's bias-corrected moments plus a slow momentum
    :math:`m^{(2)}_t = \beta_3 m^{(2)}_{t-1} + (1-\beta_3) g_t` without bias correction, and the step
    :math:`-\eta_t((\hat m_t + \alpha m^{(2)}_t)/(\sqrt{\hat v_t}+\epsilon) + \lambda\theta_t)`, with
    α and β₃ constant (the paper's warm-up schedulers for them switched off)."""
    m_hat, v_hat, _ = _adam_moments(s, g, b1, b2)
    s["m2"] = b3 * s.get("m2", 0 * g) + (1 - b3) * g
    return -lr * ((m_hat + alpha * s["m2"]) / (np.sqrt(v_hat) + eps) + weight_decay * p)


def adafactor(
    s, g, p, lr, decay_rate=0.8, clipping_threshold=1.0, multiply_by_parameter_scale=True, eps=1e-30, *, eps2=1e-3
):
    r"""Adafactor for a vector, Algorithm 4 of Shazeer & Stern (2018), Adafactor: Adaptive Learning
    Rates with Sublinear Memory Cost, ICML: :math:`\hat\beta_{2t} = 1 - t^{-c}` (c = ``decay_rate``),
    :math:`\hat v_t = \hat\beta_{2t}\hat v_{t-1} + (1-\hat\beta_{2t})(g_t^2 + \epsilon_1)`,
    :math:`u_t = g_t/\sqrt{\hat v_t}`, :math:`\hat u_t = u_t/\max(1, \mathrm{RMS}(u_t)/d)`
    (d = ``clipping_threshold``), :math:`\alpha_t = \max(\epsilon_2, \mathrm{RMS}(x_{t-1}))\rho_t`
    (``multiply_by_parameter_scale``; else :math:`\alpha_t = \rho_t`), :math:`x_t = x_{t-1} - \alpha_t\hat u_t`,
    with the relative step :math:`\rho_t` = ``lr``."""
    s["t"] = t = s.get("t", 0) + 1
    beta = 1 - t ** (-decay_rate)
    s["v"] = beta * s.get("v", 0 * g) + (1 - beta) * (g**2 + eps)
    u = g / np.sqrt(s["v"])
    u = u / max(1.0, np.sqrt(np.mean(u**2)) / clipping_threshold)
    scale = max(eps2, np.sqrt(np.mean(p**2))) if multiply_by_parameter_scale else 1.0
    return -lr * scale * u


def optimistic_adam(s, g, p, lr, alpha=1.0, beta=1.0, b1=0.9, b2=0.999, eps=1e-8, nesterov=False):
    r"""Optimistic Adam, Algorithm 1 of Daskalakis, Ilyas, Syrgkanis & Zeng (2018), Training GANs
    with Optimism, ICLR: Adam's direction :math:`u_t = \hat m_t/(\sqrt{\hat v_t}+\epsilon)` and the step
    :math:`-\eta_t(2u_t - u_{t-1})`, here :math:`-\eta_t((\alpha+\beta)u_t - \beta u_{t-1})` (the paper:
    α = β = 1), with :math:`u_0 = u_1`. ``nesterov`` takes NAdam's moment (as `nadam`) for
    :math:`\hat m_t`, as optax does by default."""
    m_hat, v_hat, t = _adam_moments(s, g, b1, b2)
    if nesterov:
        m_hat = b1 * s["m"] / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)
    u = m_hat / (np.sqrt(v_hat) + eps)
    previous, s["u"] = s.get("u", u), u
    return -lr * ((alpha + beta) * u - beta * previous)


def adan(
    s,
    g,
    p,
    lr,
    b1=0.98,
    b2=0.92,
    b3=0.99,
    eps=1e-8,
    eps_root=1e-8,
    weight_decay=0.0,
    *,
    difference_weight_one_minus_b2=False,
    proximal_decay=True,
):
    r"""Adan, Algorithm 1 of Xie, Zhou, Li, Lin & Yan (2024), Adan: Adaptive Nesterov Momentum Algorithm
    for Faster Optimizing Deep Models, TPAMI, written with :math:`b_i = 1 - \beta_i` (the authors'
    code's convention): :math:`m_k = b_1 m_{k-1} + (1-b_1) g_k`,
    :math:`v_k = b_2 v_{k-1} + (1-b_2)(g_k - g_{k-1})`,
    :math:`n_k = b_3 n_{k-1} + (1-b_3)[g_k + b_2(g_k - g_{k-1})]^2`,
    :math:`\theta_{k+1} = (1+\lambda\eta)^{-1}[\theta_k - \eta(m_k + b_2 v_k)/(\sqrt{n_k}+\epsilon)]`,
    with :math:`g_0 = g_1` (no difference on the first step) and the authors' code's bias corrections
    of m, v, n from zero (the paper starts from :math:`m_0 = g_0` instead). ``eps_root`` is added
    under the root, ``eps`` outside it (the code: ``eps`` outside only).

    ``difference_weight_one_minus_b2`` weights the difference by :math:`1-b_2` in n and in the step,
    and ``proximal_decay=False`` decays additively, :math:`-\eta\lambda\theta_k`; optax does both."""
    s["t"] = t = s.get("t", 0) + 1
    d = g - s.get("g", g)
    s["g"] = g
    w = 1 - b2 if difference_weight_one_minus_b2 else b2
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0 * g) + (1 - b2) * d
    s["n"] = b3 * s.get("n", 0 * g) + (1 - b3) * (g + w * d) ** 2
    m_hat, v_hat, n_hat = s["m"] / (1 - b1**t), s["v"] / (1 - b2**t), s["n"] / (1 - b3**t)
    u = (m_hat + w * v_hat) / (np.sqrt(n_hat + eps_root) + eps)
    if proximal_decay:
        return (p - lr * u) / (1 + lr * weight_decay) - p
    return -lr * (u + weight_decay * p)


def sm3(s, g, p, lr, momentum=0.9, *, eps=0.0, cover=((0,), (1,))):
    r"""SM3-II, Anil, Gupta, Koren & Singer (2019), Memory-Efficient Adaptive Optimization, NeurIPS 32:
    with a cover of the coordinates by sets :math:`S_r` (``cover``), from :math:`\mu_0 = 0`,
    :math:`\nu_t(i) = \min_{r: S_r \ni i} \mu_{t-1}(r) + g_t(i)^2`, :math:`\mu_t(r) = \max_{j \in S_r}\nu_t(j)`,
    and the step :math:`-\eta\, g_t(i)/\sqrt{\nu_t(i)}` (0 where :math:`\nu_t(i) = 0`). A vector's cover is
    its coordinates one by one (a matrix's: its rows and its columns).

    ``momentum`` averages the steps, :math:`m_t = \beta m_{t-1} + (1-\beta) u_t` (as optax; not in the
    paper's algorithm), and ``eps`` is added under the root, as optax does with 1e-8."""
    mu = s.get("mu", np.zeros(len(cover)))
    nu = np.array([min(mu[r] for r, members in enumerate(cover) if i in members) for i in range(len(g))]) + g**2
    s["mu"] = np.array([max(nu[j] for j in members) for members in cover])
    u = np.where(nu > 0, g / np.sqrt(nu + eps), 0.0)
    s["m"] = momentum * s.get("m", 0 * g) + (1 - momentum) * u
    return -lr * s["m"]


OPTAX = {
    "sm3": {"eps": 1e-8},
    "adan": {"difference_weight_one_minus_b2": True, "proximal_decay": False},
    "yogi": {"initial_accumulator_value": 1e-6, "bias_correction": True},
    "nadamw": {"lr_scales_decay": True},
    "adamaxw": {"lr_scales_decay": True},
}
_RULES = (adagrad, rmsprop, adam, adamw, adamax, nadam, amsgrad, adadelta, radam, yogi, adabelief, nadamw, adamaxw)
UPDATES = {
    f.__name__: functools.partial(f, **OPTAX.get(f.__name__, {}))
    for f in (*_RULES, adopt, ademamix, adan, adafactor, optimistic_adam, sm3)
}
