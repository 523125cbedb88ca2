"""Lion (Chen et al. 2023), signSGD and Signum (Bernstein et al. 2018): steps of ±lr per coordinate;
Rprop (Riedmiller & Braun 1993, as iRprop− of Igel & Hüsken 2000): per-coordinate step sizes set by
sign agreement. Where optax departs from a paper the difference is a keyword-only option; `OPTAX`
sets them."""

from __future__ import annotations

import functools

import numpy as np


def lion(s, g, p, lr, b1=0.9, b2=0.99, weight_decay=1e-3):
    m = s.get("m", 0 * g)
    c = np.sign(b1 * m + (1 - b1) * g)
    s["m"] = b2 * m + (1 - b2) * g
    return -lr * (c + weight_decay * p)


def signsgd(s, g, p, lr):
    return -lr * np.sign(g)


def signum(s, g, p, lr, beta=0.9):
    r"""Signum, Algorithm 1 of Bernstein, Wang, Azizzadenesheli & Anandkumar (2018), signSGD:
    Compressed Optimisation for Non-Convex Problems, ICML: the momentum
    :math:`m_t = \beta m_{t-1} + (1-\beta) g_t` from :math:`m_0 = 0`, no bias correction (its sign
    does not need one), and the step :math:`-\eta_t \operatorname{sign}(m_t)`."""
    s["m"] = beta * s.get("m", 0 * g) + (1 - beta) * g
    return -lr * np.sign(s["m"])


def rprop(s, g, p, lr, eta_minus=0.5, eta_plus=1.2, min_step_size=1e-6, max_step_size=50.0, *, one_step_late=False):
    r"""Rprop without weight-backtracking (iRprop−), Igel & Hüsken (2000), Improving the Rprop Learning
    Algorithm, after Riedmiller & Braun (1993), per coordinate from :math:`\Delta_0` = ``lr`` and
    :math:`g_0 = 0`: if :math:`g_t g_{t-1} > 0`, :math:`\Delta_t = \min(\eta^+\Delta_{t-1}, \Delta_{max})`;
    if :math:`g_t g_{t-1} < 0`, :math:`\Delta_t = \max(\eta^-\Delta_{t-1}, \Delta_{min})` and
    :math:`g_t := 0` (no move, and the next step compares with 0); else :math:`\Delta_t = \Delta_{t-1}`.
    The move is :math:`-\operatorname{sign}(g_t)\Delta_t`.

    ``one_step_late`` moves instead by the move this rule proposed a step earlier, except where
    the gradient has just flipped (no move), as optax 0.2.8 does (its first move is 0)."""
    previous, delta = s.get("g", 0 * g), s.get("delta", np.full_like(g, lr))
    agree = g * previous
    delta = np.where(agree > 0, np.minimum(eta_plus * delta, max_step_size), delta)
    delta = np.where(agree < 0, np.maximum(eta_minus * delta, min_step_size), delta)
    g = np.where(agree < 0, 0.0, g)
    move = -np.sign(g) * delta
    late = np.where(agree < 0, 0.0, s.get("move", 0 * g))
    s["g"], s["delta"], s["move"] = g, delta, move
    return late if one_step_late else move


OPTAX = {"rprop": {"one_step_late": True}}
UPDATES = {f.__name__: functools.partial(f, **OPTAX.get(f.__name__, {})) for f in (lion, signsgd, signum, rprop)}
