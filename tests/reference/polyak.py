r"""Steps sized from the loss value, from their papers: Polyak SGD (Polyak 1969; capped, SPS_max of
Loizou et al. 2021), MoMo and MoMo-Adam (Schaipp et al. 2024). Each takes the loss ``value`` at the point as
well as the gradient, and the target value :math:`f^*` (``f_min``, ``lower_bound``).

Where a denominator vanishes the papers' rules are undefined; like optax, these take no step
there (a squared norm at most machine ε).
"""

from __future__ import annotations

import numpy as np

_TINY = np.finfo(np.float64).eps


def polyak_sgd(s, g, p, lr, eps=0.0, *, value, f_min):
    r"""SPS_max, Loizou, Vaswani, Laradji & Lacoste-Julien (2021), Stochastic Polyak Step-size for SGD,
    AISTATS, with c = 1: :math:`\gamma_k = \min\big((f(x_k) - f^*)/(c\|g_k\|^2), \gamma_b\big)`,
    :math:`x_{k+1} = x_k - \gamma_k g_k`, :math:`\gamma_b` = ``lr``; uncapped, it is Polyak's (1969) step.
    ``eps`` is added to :math:`\|g_k\|^2`."""
    norm2 = np.dot(g, g) + eps
    if norm2 <= _TINY:
        return 0 * g
    return -min((value - f_min) / norm2, lr) * g


def momo(s, g, p, lr, beta=0.9, *, value, lower_bound):
    r"""MoMo, Algorithm 1 of Schaipp, Ohana, Eickenberg, Defazio & Gower (2024), MoMo: Momentum Models
    for Adaptive Learning Rates, ICML: the averages start at the first values
    (:math:`\bar f_0 = f(x_1)`, :math:`d_0 = g_1`, :math:`\gamma_0 = \langle g_1, x_1\rangle`), then
    :math:`\bar f_k = (1-\beta) f(x_k) + \beta\bar f_{k-1}`, :math:`d_k = (1-\beta) g_k + \beta d_{k-1}`,
    :math:`\gamma_k = (1-\beta)\langle g_k, x_k\rangle + \beta\gamma_{k-1}`,
    :math:`h_k = \bar f_k + \langle d_k, x_k\rangle - \gamma_k`,
    :math:`\tau_k = \min(\alpha_k, (h_k - f_*)_+/\|d_k\|^2)`, :math:`x_{k+1} = x_k - \tau_k d_k`,
    with :math:`\alpha_k` = ``lr`` and :math:`f_*` = ``lower_bound``."""
    first = "d" not in s
    keep = 0.0 if first else beta
    s["f"] = keep * s.get("f", 0.0) + (1 - keep) * value
    s["d"] = keep * s.get("d", 0 * g) + (1 - keep) * g
    s["gamma"] = keep * s.get("gamma", 0.0) + (1 - keep) * np.dot(g, p)
    norm2 = np.dot(s["d"], s["d"])
    h = s["f"] + np.dot(s["d"], p) - s["gamma"]
    tau = 0.0 if norm2 <= _TINY else min(lr, max(h - lower_bound, 0.0) / norm2)
    return -tau * s["d"]


def momo_adam(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8, *, value, lower_bound):
    r"""MoMo-Adam, Algorithm 2 of Schaipp et al. (2024) with no weight decay (λ = 0): from
    :math:`\bar f_0 = 0`, :math:`d_0 = 0`, :math:`\gamma_0 = 0`, :math:`v_0 = 0`,
    :math:`d_k = (1-\beta_1) g_k + \beta_1 d_{k-1}`, :math:`v_k = (1-\beta_2) g_k^2 + \beta_2 v_{k-1}`,
    :math:`D_k = \mathrm{diag}(\varepsilon + \sqrt{v_k/(1-\beta_2^k)})`,
    :math:`\bar f_k = (1-\beta_1) f(x_k) + \beta_1\bar f_{k-1}`,
    :math:`\gamma_k = (1-\beta_1)\langle g_k, x_k\rangle + \beta_1\gamma_{k-1}`, :math:`\rho_k = 1-\beta_1^k`,
    :math:`h_k = \bar f_k + \langle d_k, x_k\rangle - \gamma_k`,
    :math:`\tau_k = \min(\alpha_k/\rho_k, (h_k - \rho_k f_*)_+/\|d_k\|^2_{D_k^{-1}})`,
    :math:`x_{k+1} = x_k - \tau_k D_k^{-1} d_k`."""
    k = s["k"] = s.get("k", 0) + 1
    s["f"] = b1 * s.get("f", 0.0) + (1 - b1) * value
    s["d"] = b1 * s.get("d", 0 * g) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0 * g) + (1 - b2) * g * g
    s["gamma"] = b1 * s.get("gamma", 0.0) + (1 - b1) * np.dot(g, p)
    precond = eps + np.sqrt(s["v"] / (1 - b2**k))
    rho = 1 - b1**k
    norm2 = np.dot(s["d"], s["d"] / precond)
    h = s["f"] + np.dot(s["d"], p) - s["gamma"]
    tau = 0.0 if norm2 <= _TINY else min(lr / rho, max(h - rho * lower_bound, 0.0) / norm2)
    return -tau * s["d"] / precond


UPDATES = {f.__name__: f for f in (polyak_sgd, momo, momo_adam)}
