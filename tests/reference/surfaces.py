"""Analytic gradients of the registered surfaces, derived by hand."""

from __future__ import annotations

import numpy as np

from tests.reference.data import DEFAULTS, gradient_at_seed0


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
    **{name: gradient_at_seed0(name) for name in DEFAULTS},
}
# The losses themselves, for the optimizers that take the loss value.
VALUES = {
    "rosenbrock": lambda x, y, a=1.0, b=100.0: (a - x) ** 2 + b * (y - x**2) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "booth": lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
}
# Hessians, for the optimizers that probe the curvature (Sophia's Hessian-vector products).
HESSIANS = {
    "rosenbrock": lambda x, y, a=1.0, b=100.0: np.array(
        [[2 - 4 * b * y + 12 * b * x**2, -4 * b * x], [-4 * b * x, 2 * b]]
    ),
    "himmelblau": lambda x, y: np.array([[12 * x**2 + 4 * y - 42, 4 * (x + y)], [4 * (x + y), 12 * y**2 + 4 * x - 26]]),
    "booth": lambda x, y: np.array([[10.0, 8.0], [8.0, 10.0]]),
}
