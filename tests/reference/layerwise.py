r"""Layer-wise methods with the whole 2-vector as the one layer: LAMB (You et al. 2020), LARS
(You, Gitman & Ginsburg 2017), Fromage (Bernstein et al. 2020) and NovoGrad (Ginsburg et al.
2019). Where a norm is zero, a trust ratio is taken as 1.

Where optax departs from a paper the difference is a keyword-only option; `OPTAX` sets them.
"""

from __future__ import annotations

import functools

import numpy as np


def _ratio(numerator, denominator):
    """A trust ratio, 1 where either norm is zero."""
    return numerator / denominator if numerator > 0 and denominator > 0 else 1.0


def lamb(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-6, weight_decay=0.0):
    r"""LAMB, Algorithm 2 of You et al. (2020), Large Batch Optimization for Deep Learning, ICLR:
    Adam's bias-corrected moments, :math:`r_t = \hat m_t/(\sqrt{\hat v_t}+\epsilon)`,
    :math:`x_{t+1} = x_t - \eta_t\,\phi(\|x_t\|)\,(r_t + \lambda x_t)/\|r_t + \lambda x_t\|` with
    :math:`\phi(z) = z`."""
    s["t"] = t = s.get("t", 0) + 1
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0 * g) + (1 - b2) * g**2
    u = (s["m"] / (1 - b1**t)) / (np.sqrt(s["v"] / (1 - b2**t)) + eps) + weight_decay * p
    return -lr * _ratio(np.linalg.norm(p), np.linalg.norm(u)) * u


def lars(s, g, p, lr, weight_decay=0.0, trust_coefficient=0.001, eps=0.0, momentum=0.9, *, norm_of_sum=False):
    r"""LARS, Algorithm 1 of You, Gitman & Ginsburg (2017), Large Batch Training of Convolutional
    Networks: the local rate :math:`\lambda = c\,\|w\|/(\|\nabla L(w)\| + \beta\|w\|)` (c the trust
    coefficient, β the weight decay), :math:`v_{t+1} = m v_t + \gamma_t\lambda(\nabla L(w_t) + \beta w_t)`,
    :math:`w_{t+1} = w_t - v_{t+1}`. ``eps`` is added to the denominator (the paper: 0);
    ``norm_of_sum`` divides by :math:`\|\nabla L + \beta w\|` instead, as optax does."""
    u = g + weight_decay * p
    gradient_norm = np.linalg.norm(u) if norm_of_sum else np.linalg.norm(g) + weight_decay * np.linalg.norm(p)
    w = np.linalg.norm(p)
    local = trust_coefficient * w / (gradient_norm + eps) if w > 0 and gradient_norm > 0 else 1.0
    s["v"] = momentum * s.get("v", 0 * g) + lr * local * u
    return -s["v"]


def fromage(s, g, p, lr, min_norm=1e-6):
    r"""Fromage, Algorithm 1 of Bernstein, Vahdat, Yue & Liu (2020), On the distance between two neural
    networks and the stability of learning, NeurIPS 33:
    :math:`W \leftarrow (W - \eta\,\|W\|/\|g\|\;g)/\sqrt{1+\eta^2}`; ``min_norm`` is the smallest value
    either norm takes (a guard against dividing by zero)."""
    ratio = _ratio(max(np.linalg.norm(p), min_norm), max(np.linalg.norm(g), min_norm))
    return (p - lr * ratio * g) / np.sqrt(1 + lr**2) - p


def novograd(s, g, p, lr, b1=0.9, b2=0.25, eps=1e-6, weight_decay=0.0):
    r"""NovoGrad, Algorithm 1 of Ginsburg et al. (2019), Stochastic Gradient Methods with Layer-wise
    Adaptive Moments for Training of Deep Networks: :math:`v_1 = \|g_1\|^2`,
    :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2)\|g_t\|^2`,
    :math:`m_t = \beta_1 m_{t-1} + g_t/(\sqrt{v_t}+\epsilon) + d\,w_t` from :math:`m_0 = 0`,
    :math:`w_{t+1} = w_t - \lambda_t m_t` (ε in every step's denominator)."""
    norm2 = np.dot(g, g)
    s["v"] = b2 * s["v"] + (1 - b2) * norm2 if "v" in s else norm2
    s["m"] = b1 * s.get("m", 0 * g) + g / (np.sqrt(s["v"]) + eps) + weight_decay * p
    return -lr * s["m"]


OPTAX = {"lars": {"norm_of_sum": True}}
UPDATES = {f.__name__: functools.partial(f, **OPTAX.get(f.__name__, {})) for f in (lamb, lars, fromage, novograd)}
