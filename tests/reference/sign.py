"""Lion (Chen et al. 2023), signSGD and Signum (Bernstein et al. 2018): steps of ±lr per coordinate."""

from __future__ import annotations

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


UPDATES = {f.__name__: f for f in (lion, signsgd, signum)}
