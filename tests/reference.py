"""Independent NumPy references: analytic gradients and textbook update rules.

Nothing here imports optviz or optax. Each optimizer is written from its paper's (or
the framework documentation's) formulas with optax's conventions where they choose
(eps inside the root for RMSprop/Adagrad, bias-corrected AMSGrad maximum, ...).
"""

from __future__ import annotations

import numpy as np


# --- analytic gradients ------------------------------------------------------------------
def rosenbrock_grad(x, y, a=1.0, b=100.0):
    return np.array([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)])


def beale_grad(x, y):
    t1, t2, t3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return np.array(
        [
            2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1),
            2 * t1 * x + 2 * t2 * 2 * x * y + 2 * t3 * 3 * x * y**2,
        ]
    )


def saddle_grad(x, y, c=0.1):
    return np.array([2 * x, -2 * y + 4 * c * y**3])


def monkey_saddle_grad(x, y):
    return np.array([3 * x**2 - 3 * y**2, -6 * x * y])


def quadratic_grad(x, y, kappa=10.0, h=1.0, sigma=0.0):
    return np.array([h * x, h / kappa * y])


def himmelblau_grad(x, y):
    a, b = x**2 + y - 11, x + y**2 - 7
    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def rastrigin_grad(x, y):
    return np.array([2 * x + 20 * np.pi * np.sin(2 * np.pi * x), 2 * y + 20 * np.pi * np.sin(2 * np.pi * y)])


def six_hump_camel_grad(x, y):
    return np.array([8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3])


def ackley_grad(x, y):
    r = np.sqrt(0.5 * (x**2 + y**2))
    w = np.exp(0.5 * (np.cos(2 * np.pi * x) + np.cos(2 * np.pi * y)))
    radial = 0.0 if r == 0 else 20 * 0.2 * np.exp(-0.2 * r) * 0.5 / r
    return np.array([radial * x + w * np.pi * np.sin(2 * np.pi * x), radial * y + w * np.pi * np.sin(2 * np.pi * y)])


def booth_grad(x, y):
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return np.array([2 * a + 4 * b, 4 * a + 2 * b])


GRADIENTS = {
    "rosenbrock": rosenbrock_grad,
    "beale": beale_grad,
    "saddle": saddle_grad,
    "monkey_saddle": monkey_saddle_grad,
    "quadratic": quadratic_grad,
    "noisy_quadratic": quadratic_grad,
    "himmelblau": himmelblau_grad,
    "rastrigin": rastrigin_grad,
    "six_hump_camel": six_hump_camel_grad,
    "ackley": ackley_grad,
    "booth": booth_grad,
}


# --- update rules --------------------------------------------------------------------------
def _adam_moments(s, g, b1, b2):
    s["t"] = s.get("t", 0) + 1
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0 * g) + (1 - b2) * g**2
    t = s["t"]
    return s["m"] / (1 - b1**t), s["v"] / (1 - b2**t), t


def sgd(s, g, p, lr, momentum=0.0, nesterov=False):
    s["v"] = g + momentum * s.get("v", 0 * g)
    return -lr * (g + momentum * s["v"] if nesterov else s["v"])


def momentum(s, g, p, lr, momentum=0.9):
    return sgd(s, g, p, lr, momentum)


def nesterov(s, g, p, lr, momentum=0.9):
    return sgd(s, g, p, lr, momentum, nesterov=True)


def adagrad(s, g, p, lr, initial_accumulator_value=0.1, eps=1e-7):
    s["G"] = s.get("G", np.full_like(g, initial_accumulator_value)) + g**2
    return -lr * np.where(s["G"] > 0, g / np.sqrt(s["G"] + eps), 0.0)


def rmsprop(s, g, p, lr, decay=0.9, eps=1e-8, momentum=0.0, centered=False):
    s["v"] = decay * s.get("v", 0 * g) + (1 - decay) * g**2
    s["m"] = decay * s.get("m", 0 * g) + (1 - decay) * g
    denom = s["v"] - s["m"] ** 2 if centered else s["v"]
    s["buf"] = -lr * g / np.sqrt(denom + eps) + momentum * s.get("buf", 0 * g)
    return s["buf"]


def adam(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8):
    m_hat, v_hat, _ = _adam_moments(s, g, b1, b2)
    return -lr * m_hat / (np.sqrt(v_hat) + eps)


def adamw(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-4):
    m_hat, v_hat, _ = _adam_moments(s, g, b1, b2)
    return -lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * p)


def adamax(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8):
    s["t"] = s.get("t", 0) + 1
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0 * g), np.abs(g) + eps)
    return -lr * s["m"] / (1 - b1 ** s["t"]) / s["u"]


def nadam(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8):
    _, v_hat, t = _adam_moments(s, g, b1, b2)
    m_bar = b1 * s["m"] / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)
    return -lr * m_bar / (np.sqrt(v_hat) + eps)


def amsgrad(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8):
    m_hat, v_hat, _ = _adam_moments(s, g, b1, b2)
    s["vmax"] = np.maximum(s.get("vmax", 0 * g), v_hat)
    return -lr * m_hat / (np.sqrt(s["vmax"]) + eps)


def adadelta(s, g, p, lr, rho=0.9, eps=1e-6, weight_decay=0.0):
    g = g + weight_decay * p
    s["E"] = rho * s.get("E", 0 * g) + (1 - rho) * g**2
    delta = np.sqrt(s.get("D", 0 * g) + eps) / np.sqrt(s["E"] + eps) * g
    s["D"] = rho * s.get("D", 0 * g) + (1 - rho) * delta**2
    return -lr * delta


def lion(s, g, p, lr, b1=0.9, b2=0.99, weight_decay=1e-3):
    m = s.get("m", 0 * g)
    c = np.sign(b1 * m + (1 - b1) * g)
    s["m"] = b2 * m + (1 - b2) * g
    return -lr * (c + weight_decay * p)


def radam(s, g, p, lr, b1=0.9, b2=0.999, eps=1e-8, threshold=5.0):
    m_hat, v_hat, t = _adam_moments(s, g, b1, b2)
    rho_inf = 2 / (1 - b2) - 1
    rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
    if rho < threshold:
        return -lr * m_hat
    r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return -lr * r * m_hat / (np.sqrt(v_hat) + eps)


def signsgd(s, g, p, lr):
    return -lr * np.sign(g)


UPDATES = {
    f.__name__: f
    for f in (
        sgd,
        momentum,
        nesterov,
        adagrad,
        rmsprop,
        adam,
        adamw,
        adamax,
        nadam,
        amsgrad,
        adadelta,
        lion,
        radam,
        signsgd,
    )
}


def trajectory(update, grad, start, steps, lr_schedule, **hyper):
    """Run ``update`` for ``steps`` steps with ``lr_t = lr_schedule[t]``; returns the path."""
    p = np.array(start, dtype=np.float64)
    state: dict = {}
    path = [p.copy()]
    for t in range(steps):
        p = p + update(state, grad(*p), p, lr_schedule[t], **hyper)
        path.append(p.copy())
    return np.array(path)
