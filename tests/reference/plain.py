r"""SGD, heavy-ball and Nesterov momentum as optax.sgd writes them: the trace
:math:`v_t = g_t + \beta v_{t-1}` of raw gradients, the step :math:`-\eta_t v_t` (Nesterov:
:math:`-\eta_t (g_t + \beta v_t)`); Polyak 1964, Sutskever et al. 2013."""

from __future__ import annotations

import numpy as np


def sgd(s, g, p, lr, momentum=0.0, nesterov=False):
    s["v"] = g + momentum * s.get("v", 0 * g)
    return -lr * (g + momentum * s["v"] if nesterov else s["v"])


def momentum(s, g, p, lr, momentum=0.9):
    return sgd(s, g, p, lr, momentum)


def nesterov(s, g, p, lr, momentum=0.9):
    return sgd(s, g, p, lr, momentum, nesterov=True)


def optimistic_gd(s, g, p, lr, alpha=1.0, beta=1.0):
    r"""Generalized optimistic gradient descent, Mokhtari, Ozdaglar & Pattathil (2020), SIAM J.
    Optim. 30(4): :math:`x_{k+1} = x_k - \eta((\alpha+\beta) g_k - \beta g_{k-1})` (Daskalakis et al.
    2018: α = β = 1), started with :math:`x_{-1} = x_0`, so that the first step is :math:`-\eta\alpha g_0`."""
    previous = s.get("g_prev", g)
    s["g_prev"] = g
    return -lr * ((alpha + beta) * g - beta * previous)


def noisy_sgd(s, g, p, lr, eta=0.01, gamma=0.55, *, draws):
    r"""Neelakantan et al. (2015), Adding Gradient Noise Improves Learning for Very Deep Networks:
    :math:`\tilde g_t = g_t + N(0, \sigma_t^2 I)`, :math:`\sigma_t^2 = \eta/(1+t)^\gamma` with t from 0,
    then an SGD step. ``draws`` holds the standard normal draws, one row a step."""
    t = s["t"] = s.get("t", -1) + 1
    return -lr * (g + np.sqrt(eta / (1 + t) ** gamma) * draws[t])


UPDATES = {f.__name__: f for f in (sgd, momentum, nesterov, optimistic_gd, noisy_sgd)}
