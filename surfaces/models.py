r"""The three data-driven surfaces: linear regression, logistic regression and one tanh
neuron, each a loss over exactly two weights on data drawn from the link's seed.

With ``z`` the seed's standard normal table (`surfaces.data.draws`, columns z₁ z₂ z₃):

- ``linear_regression``: :math:`x_i = m + s z_{i1}`, :math:`y_i = 1.5 x_i - 0.5 +
  \sigma z_{i3}`; loss :math:`\frac1n\sum_i (w x_i + b - y_i)^2` over slope w (map x) and
  intercept b (map y). Its minimum is the least-squares line, in closed form.
- ``logistic_regression``: standardised features :math:`u_1 = z_1`,
  :math:`u_2 = \rho z_1 + \sqrt{1-\rho^2} z_2`, shown as :math:`x = (u_1, s\,u_2)`; the
  class is :math:`y = [u_1 + 0.5 u_2 + \sigma z_3 > 0]`; loss the cross-entropy
  :math:`\frac1n\sum_i \log(1 + e^{-(2y_i-1)\,w\cdot x_i}) + \frac\lambda2 |w|^2` of a
  linear classifier without bias (λ keeps the minimum finite on separable data). Its
  minimum is found by Newton's method (the loss is strictly convex).
- ``neuron``: :math:`x_i = s z_{i1}`, :math:`y_i = \tanh(1.5 x_i) + \sigma z_{i3}`; loss
  :math:`\frac1n\sum_i (w_2 \tanh(w_1 x_i) - y_i)^2`. Since tanh is odd the loss is
  symmetric under :math:`w \to -w`: two mirror minima, found by Newton's method from the
  generating weights, and a saddle at the origin.

A person's own points (`surfaces.data.with_points`) replace the drawn data: their columns
are the features and the target above, and each model's minima are computed the same way
(the neuron's Newton search then starts from the lowest point of a grid over w₁ > 0).
"""

from __future__ import annotations

import math

import numpy as np

from surfaces.core import Minimum, Param, Surface, fixed
from surfaces.data import Model, count_param, data_surface, newton

LINE = (1.5, -0.5)  # slope and intercept the linear data are drawn around
CLASSES = (1.0, 0.5)  # the logistic data's class boundary, in standardised features
NEURON = (1.5, 1.0)  # the weights the neuron's data are drawn from

_NOISE = "std of the noise added to each target"
_SCALE = "scale of the features"


def _line_data(z, p, xp):
    x = p["mean"] + p["scale"] * z[:, 0]
    return x[:, None], LINE[0] * x + LINE[1] + p["noise"] * z[:, 2]


def _squared_error(w, b, features, target, p, xp):
    return (w * features[:, 0] + b - target) ** 2


def _least_squares(data, p):
    """The least-squares line in closed form: slope cov(x, y)/var(x), intercept ȳ - w x̄."""
    features, y = data.arrays(p)
    x = features[:, 0]
    dx = x - x.mean()
    if not dx @ dx > 0:
        return ()
    w = float(dx @ (y - y.mean()) / (dx @ dx))
    b = float(y.mean() - w * x.mean())
    return (Minimum(w, b, float(((w * x + b - y) ** 2).mean())),)


def _class_data(z, p, xp):
    rho = p["corr"]
    u1, u2 = z[:, 0], rho * z[:, 0] + xp.sqrt(1 - rho**2) * z[:, 1]
    label = (CLASSES[0] * u1 + CLASSES[1] * u2 + p["noise"] * z[:, 2] > 0).astype(z.dtype)
    return xp.stack([u1, p["scale"] * u2], axis=1), label


def _cross_entropy(w1, w2, features, target, p, xp):
    margin = (2 * target - 1) * (w1 * features[:, 0] + w2 * features[:, 1])
    return xp.logaddexp(0.0, -margin) + 0.5 * p["l2"] * (w1**2 + w2**2)


def _newton_minima(start):
    def minima(data, p):
        w = newton(data, p, start(p))
        return () if w is None else (Minimum(float(w[0]), float(w[1]), float(data.loss(w[0], w[1], p))),)

    return minima


def _neuron_data(z, p, xp):
    x = p["scale"] * z[:, 0]
    return x[:, None], NEURON[1] * xp.tanh(NEURON[0] * x) + p["noise"] * z[:, 2]


def _neuron_error(w1, w2, features, target, p, xp):
    return (w2 * xp.tanh(w1 * features[:, 0]) - target) ** 2


def _neuron_start(data, p):
    """Where Newton's method starts on data not drawn from `NEURON` (a person's own points):
    the lowest point of a grid over w₁ > 0 (the other minimum is its mirror image)."""
    w1, w2 = np.meshgrid(np.linspace(0.05, 5.0, 100), np.linspace(-5.0, 5.0, 201))
    loss = np.asarray(data.loss(w1, w2, p))
    best = np.unravel_index(np.nanargmin(loss), loss.shape)
    return w1[best], w2[best]


def _mirror_minima(data, p):
    w = newton(data, p, NEURON)
    if w is None and data.own is not None:
        w = newton(data, p, _neuron_start(data, p))
    if w is None:
        return ()
    f = float(data.loss(w[0], w[1], p))
    return tuple(Minimum(float(s * w[0]), float(s * w[1]), f) for s in (1, -1))


LINEAR = Model(_line_data, _squared_error, _least_squares, ("x", "y"), ("n", "noise", "scale", "mean"))
LOGISTIC = Model(
    _class_data,
    _cross_entropy,
    # Started from the generating direction scaled to the features' units.
    _newton_minima(lambda p: (CLASSES[0], CLASSES[1] / p["scale"])),
    ("x1", "x2", "label"),
    ("n", "noise", "scale", "corr"),
    (0.0, 1.0),
)
NEURAL = Model(_neuron_data, _neuron_error, _mirror_minima, ("x", "y"), ("n", "noise", "scale"))


def _template(name, title, domain, start, latex, note, params) -> Surface:
    return Surface(name, title, lambda x, y, **p: math.nan, domain, fixed(), start, latex, note, params)


DATA_SURFACES = (
    data_surface(
        _template(
            "linear_regression",
            "Linear regression",
            ((-1.5, 4.5), (-3.5, 2.5)),
            (-1.0, 2.0),
            r"L(w,b) = \tfrac1n\textstyle\sum_i (w\,x_i + b - y_i)^2",
            "Fit a line y ≈ w·x + b: a bowl whose shape is set by the data (scale or shift x to tilt it).",
            (
                count_param(32),
                Param("noise", 0.5, 0.0, 5.0, help=_NOISE),
                Param(
                    "scale", 1.0, 0.1, 10.0, log=True, help="spread of x (the slope's scale against the intercept's)"
                ),
                Param("mean", 0.0, -5.0, 5.0, help="mean of x: couples slope and intercept (a tilted valley)"),
            ),
        ),
        LINEAR,
        0,
    ),
    data_surface(
        _template(
            "logistic_regression",
            "Logistic regression",
            ((-2.0, 4.0), (-3.0, 3.0)),
            (-1.5, -2.0),
            r"L(w) = \tfrac1n\textstyle\sum_i \log\left(1 + e^{-(2y_i-1)\,w\cdot x_i}\right) + \tfrac\lambda2|w|^2",
            "A linear classifier through the origin: unscaled features stretch the bowl into a narrow valley.",
            (
                count_param(64),
                Param("noise", 1.0, 0.0, 5.0, help="std of the noise on the class score (label noise)"),
                Param("scale", 1.0, 0.1, 10.0, log=True, help="scale of feature x2 against x1"),
                Param("corr", 0.0, -0.95, 0.95, help="correlation of the two features"),
                Param("l2", 0.01, 0.0, 1.0, help="ridge penalty λ (keeps the minimum finite)"),
            ),
        ),
        LOGISTIC,
        0,
    ),
    data_surface(
        _template(
            "neuron",
            "One tanh neuron",
            ((-3.0, 3.0), (-3.0, 3.0)),
            (0.3, -2.5),
            r"L(w_1,w_2) = \tfrac1n\textstyle\sum_i \left(w_2 \tanh(w_1 x_i) - y_i\right)^2",
            "y ≈ w₂·tanh(w₁·x): two mirror-image minima with equal loss and a saddle at the origin.",
            (
                count_param(32),
                Param("noise", 0.1, 0.0, 2.0, help=_NOISE),
                Param("scale", 1.0, 0.1, 10.0, log=True, help="spread of x"),
            ),
        ),
        NEURAL,
        0,
    ),
)
