"""The data-driven surfaces written out in NumPy from their definitions: the data made from
a seed's normal table, each model's loss and its hand-derived per-point gradient.

Nothing here imports optviz or surfaces: the rules (which column feeds which feature, the
generating weights) are copied from the definitions in ``surfaces/models.py``'s docstring.
"""

from __future__ import annotations

import numpy as np

TABLE_ROWS = 256
DEFAULTS = {
    "linear_regression": {"n": 32, "noise": 0.5, "scale": 1.0, "mean": 0.0},
    "logistic_regression": {"n": 64, "noise": 1.0, "scale": 1.0, "corr": 0.0, "l2": 0.01},
    "neuron": {"n": 32, "noise": 0.1, "scale": 1.0},
}


def dataset(name: str, seed: int, p) -> tuple[np.ndarray, np.ndarray]:
    """``(features (n, k), target (n,))`` of surface ``name`` for ``seed``."""
    z = np.random.default_rng(seed).standard_normal((TABLE_ROWS, 3))[: int(p["n"])]
    if name == "linear_regression":
        x = p["mean"] + p["scale"] * z[:, 0]
        return x[:, None], 1.5 * x - 0.5 + p["noise"] * z[:, 2]
    if name == "logistic_regression":
        u1 = z[:, 0]
        u2 = p["corr"] * z[:, 0] + np.sqrt(1 - p["corr"] ** 2) * z[:, 1]
        label = (u1 + 0.5 * u2 + p["noise"] * z[:, 2] > 0).astype(float)
        return np.column_stack([u1, p["scale"] * u2]), label
    x = p["scale"] * z[:, 0]
    return x[:, None], np.tanh(1.5 * x) + p["noise"] * z[:, 2]


def point_terms(name: str, w, features, target, p) -> tuple[np.ndarray, np.ndarray]:
    """Each point's loss ``(n,)`` and its gradient in ``w`` ``(n, 2)``."""
    w1, w2 = w
    if name == "linear_regression":
        r = w1 * features[:, 0] + w2 - target
        return r**2, np.column_stack([2 * r * features[:, 0], 2 * r])
    if name == "logistic_regression":
        s = 2 * target - 1
        m = s * (features @ np.array([w1, w2]))
        loss = np.log1p(np.exp(-m)) + 0.5 * p["l2"] * (w1**2 + w2**2)
        dm = -1 / (1 + np.exp(m))  # d/dm log(1 + e^{-m})
        return loss, (dm * s)[:, None] * features + p["l2"] * np.array([w1, w2])
    t = np.tanh(w1 * features[:, 0])
    r = w2 * t - target
    return r**2, np.column_stack([2 * r * w2 * (1 - t**2) * features[:, 0], 2 * r * t])


def loss_and_grad(name: str, w, features, target, p) -> tuple[float, np.ndarray]:
    """The mean loss over the given points and its gradient."""
    loss, grad = point_terms(name, w, features, target, p)
    return float(loss.mean()), grad.mean(axis=0)


def gradient_at_seed0(name: str):
    """``grad(x, y)`` of surface ``name`` at its default parameters on seed 0's data."""
    p = DEFAULTS[name]
    features, target = dataset(name, 0, p)
    return lambda x, y: loss_and_grad(name, (x, y), features, target, p)[1]
