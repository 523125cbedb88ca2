r"""MADGRAD (Defazio & Jelassi 2022, as `madgrad`), and Schedule-Free SGD and AdamW, from Defazio,
Yang, Mehta, Mishchenko, Khaled & Cutkosky (2024), The Road Less Scheduled, NeurIPS 37,
arXiv:2405.15682: eqs. (1)-(3) and Algorithm 1.

The position the engine moves is the evaluated point :math:`y_t`; the references keep
:math:`z_t` and :math:`x_t` in their state, both starting at the first position, and return the
move from :math:`y_t` to :math:`y_{t+1}`.

Where optax departs from the paper the difference is a keyword-only option; `OPTAX` sets them.
"""

from __future__ import annotations

import functools

import numpy as np


def _average(s, y, z_step, weight, b1):
    r"""The Schedule-Free averaging of eqs. (1) and (3): :math:`z_{t+1} = z_t + \Delta_t`,
    :math:`c_{t+1} = w_t/\sum_{i\le t} w_i`, :math:`x_{t+1} = (1-c_{t+1})x_t + c_{t+1}z_{t+1}`,
    :math:`y_{t+1} = (1-\beta_1)z_{t+1} + \beta_1 x_{t+1}`; returns :math:`y_{t+1} - y_t`."""
    s["z"] = s["z"] + z_step
    s["weights"] = s.get("weights", 0.0) + weight
    c = weight / s["weights"]
    s["x"] = (1 - c) * s["x"] + c * s["z"]
    return (1 - b1) * s["z"] + b1 * s["x"] - y


def _weight(s, lr, power, max_lr_weights):
    """Algorithm 1, line 10: the step's weight :math:`\\gamma_t^p` (p = 2 in the paper);
    ``max_lr_weights`` uses the largest step size so far, as optax does."""
    s["lr_max"] = max(s.get("lr_max", 0.0), lr)
    return (s["lr_max"] if max_lr_weights else lr) ** power


def schedule_free_sgd(s, g, p, lr, b1=0.9, weight_lr_power=2.0, weight_decay=0.0, *, max_lr_weights=False):
    r"""Schedule-Free SGD, eqs. (1)-(3): :math:`y_t = (1-\beta_1)z_t + \beta_1 x_t`, the gradient
    step :math:`z_{t+1} = z_t - \gamma_t(g(y_t) + \lambda y_t)` and the weighted average of
    Algorithm 1 (:math:`c_{t+1} = \gamma_t^p/\sum_{i\le t}\gamma_i^p`), which is eq. (3)'s
    :math:`1/t` averaging of :math:`z_2, \dots` under a constant step size."""
    s.setdefault("z", p.copy())
    s.setdefault("x", p.copy())
    weight = _weight(s, lr, weight_lr_power, max_lr_weights)
    return _average(s, p, -lr * (g + weight_decay * p), weight, b1)


def schedule_free_adamw(
    s,
    g,
    p,
    lr,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    weight_decay=0.0,
    weight_lr_power=2.0,
    *,
    lr_bias_correction=True,
    max_lr_weights=False,
):
    r"""Schedule-Free AdamW, Algorithm 1: :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2)g_t^2`,
    :math:`\gamma_t = \gamma\sqrt{1-\beta_2^t}` (line 8, no warm-up here: the app's schedule is
    the lr), :math:`z_{t+1} = z_t - \gamma_t g_t/(\sqrt{v_t}+\epsilon) - \gamma_t\lambda y_t`,
    :math:`c_{t+1} = \gamma_t^2/\sum_{i\le t}\gamma_i^2` and eqs. (1), (3).

    ``lr_bias_correction=False`` is optax's form: the correction divides :math:`v_t` instead
    (:math:`g_t/(\sqrt{v_t/(1-\beta_2^t)}+\epsilon)`, step and weights by :math:`\gamma` alone)."""
    s.setdefault("z", p.copy())
    s.setdefault("x", p.copy())
    s["t"] = t = s.get("t", 0) + 1
    s["v"] = b2 * s.get("v", 0 * g) + (1 - b2) * g**2
    if lr_bias_correction:
        gamma, direction = lr * np.sqrt(1 - b2**t), g / (np.sqrt(s["v"]) + eps)
    else:
        gamma, direction = lr, g / (np.sqrt(s["v"] / (1 - b2**t)) + eps)
    weight = _weight(s, gamma, weight_lr_power, max_lr_weights)
    return _average(s, p, -gamma * (direction + weight_decay * p), weight, b1)


def madgrad(s, g, p, lr, momentum=0.9, weight_decay=0.0, eps=1e-6, *, eps_in_lr=False, float32_sqrt=False):
    r"""MADGRAD, Algorithm 1 of Defazio & Jelassi (2022), A Momentumized, Adaptive, Dual Averaged
    Gradient Method for Stochastic Optimization, JMLR 23: from :math:`s_0 = \nu_0 = 0`,
    :math:`\lambda_k = \gamma_k\sqrt{k+1}`, :math:`s_{k+1} = s_k + \lambda_k g_k`,
    :math:`\nu_{k+1} = \nu_k + \lambda_k g_k^2`, :math:`z_{k+1} = x_0 - s_{k+1}/(\nu_{k+1}^{1/3} + \epsilon)`,
    :math:`x_{k+1} = (1 - c_{k+1}) x_k + c_{k+1} z_{k+1}` with :math:`c_{k+1} = 1 - \beta` (β the
    momentum). ``weight_decay`` adds :math:`\lambda x_k` to the gradient; ``eps_in_lr`` uses
    :math:`\gamma_k + \epsilon` in :math:`\lambda_k`, as optax and the authors' code do.
    ``float32_sqrt`` rounds :math:`\sqrt{k+1}` to float32, as optax computes it from its int32
    step count even in float64 runs (a relative error of up to 3e-8 in :math:`\lambda_k`)."""
    g = g + weight_decay * p
    s.setdefault("x0", p.copy())
    s["k"] = k = s.get("k", -1) + 1
    root = np.float32(np.sqrt(np.float32(k + 1))) if float32_sqrt else np.sqrt(k + 1)
    weight = (lr + (eps if eps_in_lr else 0.0)) * np.float64(root)
    s["s"] = s.get("s", 0 * g) + weight * g
    s["nu"] = s.get("nu", 0 * g) + weight * g**2
    z = s["x0"] - s["s"] / (np.cbrt(s["nu"]) + eps)
    return momentum * p + (1 - momentum) * z - p


OPTAX = {
    "schedule_free_sgd": {"max_lr_weights": True},
    "schedule_free_adamw": {"lr_bias_correction": False, "max_lr_weights": True},
    "madgrad": {"eps_in_lr": True, "float32_sqrt": True},
}
UPDATES = {
    f.__name__: functools.partial(f, **OPTAX.get(f.__name__, {}))
    for f in (schedule_free_sgd, schedule_free_adamw, madgrad)
}
