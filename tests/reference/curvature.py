r"""Steps shaped by the curvature: L-BFGS's direction and line-search conditions, and Sophia.

L-BFGS, from Nocedal & Wright (2006), Numerical Optimization: the two-loop recursion
(Algorithm 7.4) that applies the inverse-Hessian estimate of the last :math:`m` pairs, with
:math:`H^0_k = \gamma_k I`, :math:`\gamma_k = s_{k-1}^\top y_{k-1} / y_{k-1}^\top y_{k-1}` (eq. 7.20), and the
strong Wolfe conditions (eq. 3.7) that a line search's step length meets.

A line search's length is any that meets the conditions, and two searches that try lengths in
another order pick other ones; so the reference does not replay a search: a step of a path is
L-BFGS's when it is a positive multiple of the two-loop direction built from the path's own
previous steps, and that multiple meets the strong Wolfe conditions.
"""

from __future__ import annotations

import functools

import numpy as np

C1, C2 = 1e-4, 0.9  # sufficient decrease and curvature constants (Nocedal & Wright's usual values)


def direction(g, pairs, gamma):
    r"""Algorithm 7.4: :math:`-H_k g_k` for the pairs ``[(s_i, y_i)]``, oldest first, and
    :math:`H^0_k = \gamma I`."""
    q = np.array(g, dtype=np.float64)
    alphas = []
    for s, y in reversed(pairs):
        alpha = (s @ q) / (y @ s)
        q = q - alpha * y
        alphas.append(alpha)
    r = gamma * q
    for (s, y), alpha in zip(pairs, reversed(alphas), strict=True):
        beta = (y @ r) / (y @ s)
        r = r + (alpha - beta) * s
    return -r


def directions(path, grads, memory=10):
    r"""The two-loop direction at each row k < len(path) - 1 of a path, from the pairs of its own
    previous steps (:math:`s_i = \theta_{i+1} - \theta_i`, :math:`y_i = g_{i+1} - g_i`, the last
    ``memory``). The first step has no pair: its :math:`\gamma_0 = \min(1, 1/\|g_0\|)` is optax's
    choice (a first step at most 1 long; the book leaves :math:`H^0_0` open)."""
    out = []
    for k in range(len(path) - 1):
        pairs = [(path[i + 1] - path[i], grads[i + 1] - grads[i]) for i in range(max(0, k - memory), k)]
        if pairs:
            s, y = pairs[-1]
            gamma = (s @ y) / (y @ y)
        else:
            gamma = min(1.0, 1.0 / np.linalg.norm(grads[0]))
        out.append(direction(grads[k], pairs, gamma))
    return np.array(out)


def strong_wolfe(value, grad, p, d, alpha):
    """Eq. 3.7: the sufficient decrease :math:`f(p + αd) ≤ f(p) + c_1 α ∇f(p)^\\top d` and the
    curvature condition :math:`|∇f(p + αd)^\\top d| ≤ c_2 |∇f(p)^\\top d|`, as the two margins
    (each ≥ 0 where it holds)."""
    slope = grad(*p) @ d
    moved = p + alpha * d
    decrease = value(*p) + C1 * alpha * slope - value(*moved)
    curvature = C2 * abs(slope) - abs(grad(*moved) @ d)
    return decrease, curvature


def sophia(
    s,
    g,
    p,
    lr,
    b1=0.965,
    b2=0.99,
    eps=1e-8,
    weight_decay=1e-4,
    gamma=0.01,
    clip_threshold=1.0,
    *,
    hessian,
    draws,
    interval=10,
    bias_correction=False,
    lagged_hessian=False,
):
    r"""Sophia, Algorithm 3 of Liu, Li, Hall, Liang & Ma (2024), with Hutchinson's estimator
    :math:`\hat h = u \odot \nabla^2 f(\theta) u` for the Rademacher probes ``draws`` (one row an
    estimate): :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`; at t = 1, k+1, 2k+1, … (k = ``interval``)
    :math:`h_t = \beta_2 h_{t-k} + (1-\beta_2)\hat h_t`, else :math:`h_t = h_{t-1}`;
    :math:`\theta_{t+1} = \theta_t - \eta_t\lambda\theta_t
    - \eta_t\operatorname{clip}(m_t/\max(\gamma h_t, \epsilon), c)`, c = ``clip_threshold``;
    ``hessian(x, y)`` is the surface's Hessian.

    optax's departures, as options: ``bias_correction`` divides :math:`m_t` by :math:`1-\beta_1^t`;
    ``lagged_hessian`` divides by the estimate held before this step's (:math:`h_{t-1}`), so the
    first step divides by 0 and is clipped to a sign step."""
    t = s["t"] = s.get("t", 0) + 1
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * g
    held = s.get("h", 0 * g)
    if (t - 1) % interval == 0:
        u = draws[(t - 1) // interval]
        s["h"] = b2 * held + (1 - b2) * u * (hessian(*p) @ u)
    else:
        s["h"] = held
    h = held if lagged_hessian else s["h"]
    m = s["m"] / (1 - b1**t) if bias_correction else s["m"]
    step = np.clip(m / np.maximum(gamma * h, eps), -clip_threshold, clip_threshold)
    return -lr * (step + weight_decay * p)


OPTAX = {"sophia": {"bias_correction": True, "lagged_hessian": True}}
UPDATES = {"sophia": functools.partial(sophia, **OPTAX["sophia"])}
