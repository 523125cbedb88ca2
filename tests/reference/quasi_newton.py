r"""L-BFGS from Nocedal & Wright (2006), Numerical Optimization: the two-loop recursion
(Algorithm 7.4) that applies the inverse-Hessian estimate of the last :math:`m` pairs, with
:math:`H^0_k = \gamma_k I`, :math:`\gamma_k = s_{k-1}^\top y_{k-1} / y_{k-1}^\top y_{k-1}` (eq. 7.20), and the
strong Wolfe conditions (eq. 3.7) that a line search's step length meets.

A line search's length is any that meets the conditions, and two searches that try lengths in
another order pick other ones; so the reference does not replay a search: a step of a path is
L-BFGS's when it is a positive multiple of the two-loop direction built from the path's own
previous steps, and that multiple meets the strong Wolfe conditions.
"""

from __future__ import annotations

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
