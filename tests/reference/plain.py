r"""SGD, heavy-ball and Nesterov momentum as optax.sgd writes them: the trace
:math:`v_t = g_t + \beta v_{t-1}` of raw gradients, the step :math:`-\eta_t v_t` (Nesterov:
:math:`-\eta_t (g_t + \beta v_t)`); Polyak 1964, Sutskever et al. 2013."""

from __future__ import annotations


def sgd(s, g, p, lr, momentum=0.0, nesterov=False):
    s["v"] = g + momentum * s.get("v", 0 * g)
    return -lr * (g + momentum * s["v"] if nesterov else s["v"])


def momentum(s, g, p, lr, momentum=0.9):
    return sgd(s, g, p, lr, momentum)


def nesterov(s, g, p, lr, momentum=0.9):
    return sgd(s, g, p, lr, momentum, nesterov=True)


UPDATES = {f.__name__: f for f in (sgd, momentum, nesterov)}
