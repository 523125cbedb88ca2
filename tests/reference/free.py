r"""Learning-rate-free methods from their papers: Prodigy (Mishchenko & Defazio 2024), D-Adaptation
for Adam (Defazio & Mishchenko 2023), DoG (Ivgi, Hinder & Carmon 2023), DoWG (Khaled,
Mishchenko & Jin 2023) and COCOB (Orabona & Tommasi 2017). ``lr`` is the papers' step-size
multiplier :math:`\gamma_k` (1 in their experiments without a schedule); COCOB has none, and
optax scales its gradients by ``lr``.

Where optax departs from a paper the difference is a keyword-only option; `OPTAX` sets them.
"""

from __future__ import annotations

import functools

import numpy as np


def _bias_correction(k, b1, b2):
    """Adam's bias correction folded into a step size, :math:`\\sqrt{1-\\beta_2^k}/(1-\\beta_1^k)`."""
    return np.sqrt(1 - b2**k) / (1 - b1**k)


def prodigy(
    s,
    g,
    p,
    lr,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    estim_lr0=1e-6,
    estim_lr_coef=1.0,
    weight_decay=0.0,
    safeguard_warmup=False,
    *,
    beta3=None,
    bias_correction=False,
    eps_with_new_d=False,
):
    r"""Prodigy, the Adam version, Mishchenko & Defazio (2024), arXiv:2306.06101: with
    :math:`d_0` = ``estim_lr0`` and :math:`\beta_3 = \sqrt{\beta_2}`,
    :math:`m_{k+1} = \beta_1 m_k + (1-\beta_1) d_k g_k`,
    :math:`v_{k+1} = \beta_2 v_k + (1-\beta_2) d_k^2 g_k^2`,
    :math:`r_{k+1} = \beta_3 r_k + (1-\beta_3)\gamma_k d_k^2\langle g_k, x_0 - x_k\rangle`,
    :math:`s_{k+1} = \beta_3 s_k + (1-\beta_3)\gamma_k d_k^2 g_k`,
    :math:`d_{k+1} = \max(d_k, r_{k+1}/\|s_{k+1}\|_1)`,
    :math:`x_{k+1} = x_k - \gamma_k d_k m_{k+1}/(\sqrt{v_{k+1}} + d_k\epsilon)`.

    The authors' implementation adds ``estim_lr_coef`` (multiplies each estimate), decoupled
    ``weight_decay`` (:math:`-\lambda\gamma_k d_k x_k`) and ``safeguard_warmup`` (:math:`s` without
    :math:`\gamma_k`). ``bias_correction`` multiplies :math:`\gamma_k` by Adam's correction in the
    step and in :math:`r, s`; ``eps_with_new_d`` adds :math:`d_{k+1}\epsilon` instead of
    :math:`d_k\epsilon`; optax does both."""
    beta3 = np.sqrt(b2) if beta3 is None else beta3
    s.setdefault("x0", p.copy())
    s["k"] = k = s.get("k", 0) + 1
    d = s.get("d", estim_lr0)
    gamma = lr * (_bias_correction(k, b1, b2) if bias_correction else 1.0)
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * d * g
    s["v"] = b2 * s.get("v", 0 * g) + (1 - b2) * d**2 * g**2
    s["r"] = beta3 * s.get("r", 0.0) + (1 - beta3) * gamma * d**2 * np.dot(g, s["x0"] - p)
    s_weight = d**2 if safeguard_warmup else gamma * d**2
    s["s"] = beta3 * s.get("s", 0 * g) + (1 - beta3) * s_weight * g
    s["d"] = max(d, estim_lr_coef * s["r"] / np.abs(s["s"]).sum())
    eps_d = (s["d"] if eps_with_new_d else d) * eps
    return -gamma * d * (s["m"] / (np.sqrt(s["v"]) + eps_d) + weight_decay * p)


def dadapt_adamw(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8, estim_lr0=1e-6, weight_decay=0.0, *, bias_correction=False):
    r"""D-Adaptation for Adam, Defazio & Mishchenko (2023), arXiv:2301.07733: with
    :math:`\lambda_k = d_k\gamma_k`, :math:`m_{k+1} = \beta_1 m_k + (1-\beta_1)\lambda_k g_k`,
    :math:`v_{k+1} = \beta_2 v_k + (1-\beta_2) g_k^2`,
    :math:`s_{k+1} = \sqrt{\beta_2} s_k + (1-\sqrt{\beta_2})\lambda_k g_k`,
    :math:`r_{k+1} = \sqrt{\beta_2} r_k + (1-\sqrt{\beta_2})\lambda_k\langle g_k, s_k\rangle_{A^{-1}}`,
    :math:`d_{k+1} = \max(d_k, r_{k+1}/((1-\sqrt{\beta_2})\|s_{k+1}\|_1))`,
    :math:`x_{k+1} = x_k - m_{k+1}/(\sqrt{v_{k+1}}+\epsilon) - \lambda\lambda_k x_k` (decoupled decay),
    where the inner product is weighted by :math:`A = \operatorname{diag}(\sqrt{v_k}+\epsilon)`, the
    denominator before this step's update, as the authors' implementation (``DAdaptAdam``) has it.

    ``bias_correction`` multiplies :math:`\lambda_k` by Adam's correction, as optax always does
    (the authors' ``use_bias_correction``, off by default)."""
    s["k"] = k = s.get("k", 0) + 1
    d = s.get("d", estim_lr0)
    step = d * lr * (_bias_correction(k, b1, b2) if bias_correction else 1.0)
    sb2 = np.sqrt(b2)
    v_old, s_old = s.get("v", 0 * g), s.get("s", 0 * g)
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * step * g
    s["v"] = b2 * v_old + (1 - b2) * g**2
    s["s"] = sb2 * s_old + (1 - sb2) * step * g
    s["r"] = sb2 * s.get("r", 0.0) + (1 - sb2) * step * np.dot(g, s_old / (np.sqrt(v_old) + eps))
    s["d"] = max(d, s["r"] / ((1 - sb2) * np.abs(s["s"]).sum()))
    return -s["m"] / (np.sqrt(s["v"]) + eps) - weight_decay * step * p


def dog(s, g, p, lr, eps=0.0, weight_decay=0.0, *, r_eps_factor=1e-6):
    r"""DoG, Algorithm 1 of Ivgi, Hinder & Carmon (2023), arXiv:2302.12022:
    :math:`\bar r_t = \max(r_\epsilon, \max_{i\le t}\|x_i - x_0\|)`,
    :math:`\eta_t = \bar r_t/\sqrt{\sum_{i\le t}\|g_i\|^2}`, :math:`x_{t+1} = x_t - \eta_t g_t`, with
    the paper's :math:`r_\epsilon = 10^{-6}(1+\|x_0\|)` (``r_eps_factor``). ``eps`` is added under the
    root (the paper: 0); ``weight_decay`` adds :math:`\lambda x_t` to the gradient."""
    g = g + weight_decay * p
    s.setdefault("x0", p.copy())
    s["r"] = max(s.get("r", r_eps_factor * (1 + np.linalg.norm(s["x0"]))), np.linalg.norm(p - s["x0"]))
    s["G"] = s.get("G", 0.0) + np.dot(g, g)
    return -lr * s["r"] / np.sqrt(s["G"] + eps) * g


def dowg(s, g, p, lr, init_estim_sq_dist=1e-4, eps=0.0, weight_decay=0.0):
    r"""DoWG, Algorithm 1 of Khaled, Mishchenko & Jin (2023), arXiv:2305.16284:
    :math:`\bar r_t = \max(\bar r_{t-1}, \|x_t - x_0\|)` from :math:`\bar r_{-1} = r_\epsilon`
    (``init_estim_sq_dist`` is :math:`r_\epsilon^2`), :math:`v_t = v_{t-1} + \bar r_t^2\|g_t\|^2`,
    :math:`\eta_t = \bar r_t^2/\sqrt{v_t}`, :math:`x_{t+1} = x_t - \eta_t g_t`. ``eps`` is added to
    :math:`\sqrt{v_t}` (the paper: 0); ``weight_decay`` adds :math:`\lambda x_t` to the gradient."""
    g = g + weight_decay * p
    s.setdefault("x0", p.copy())
    s["r2"] = max(s.get("r2", init_estim_sq_dist), np.dot(p - s["x0"], p - s["x0"]))
    s["v"] = s.get("v", 0.0) + s["r2"] * np.dot(g, g)
    return -lr * s["r2"] / (np.sqrt(s["v"]) + eps) * g


def cocob(s, g, p, lr, alpha=100.0, eps=1e-8, weight_decay=0.0):
    r"""COCOB-Backprop, Algorithm 2 of Orabona & Tommasi (2017), Training Deep Networks without
    Learning Rates Through Coin Betting, NeurIPS 30, per coordinate from :math:`L_0 = \epsilon`,
    :math:`G_0 = R_0 = \Theta_0 = 0`: :math:`L_t = \max(L_{t-1}, |g_t|)`, :math:`G_t = G_{t-1} + |g_t|`,
    :math:`R_t = \max(R_{t-1} - (w_t - w_1) g_t, 0)`, :math:`\Theta_t = \Theta_{t-1} + g_t`,
    :math:`w_{t+1} = w_1 - \Theta_t (L_t + R_t)/(L_t\max(G_t + L_t, \alpha L_t))`. The gradient it
    sees is ``lr`` times the gradient plus ``weight_decay`` times the position."""
    g = lr * (g + weight_decay * p)
    s.setdefault("w1", p.copy())
    s["L"] = np.maximum(s.get("L", np.full_like(g, eps)), np.abs(g))
    s["G"] = s.get("G", 0 * g) + np.abs(g)
    s["R"] = np.maximum(s.get("R", 0 * g) - (p - s["w1"]) * g, 0.0)
    s["Theta"] = s.get("Theta", 0 * g) + g
    L = s["L"]
    return s["w1"] - s["Theta"] * (L + s["R"]) / (L * np.maximum(s["G"] + L, alpha * L)) - p


OPTAX = {
    "prodigy": {"bias_correction": True, "eps_with_new_d": True},
    "dadapt_adamw": {"bias_correction": True},
}
UPDATES = {
    f.__name__: functools.partial(f, **OPTAX.get(f.__name__, {})) for f in (prodigy, dadapt_adamw, dog, dowg, cocob)
}
