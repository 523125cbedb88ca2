"""Independent NumPy references: analytic gradients and textbook update rules.

Nothing here imports optviz or optax. Each optimizer is written from its paper's (or
the framework documentation's) formulas with optax's conventions where they choose
(eps inside the root for RMSprop/Adagrad, bias-corrected AMSGrad maximum, ...), in a
module per family as in `optviz.optimizers`: `plain`, `adaptive`, `sign`, `averaging`, `free`,
`layerwise`, `polyak`, `sharpness`, `curvature` (Sophia, which takes the surface's Hessian
and its probes' draws; L-BFGS's direction and the Wolfe conditions its line search meets: a
search is checked, not replayed). An update is
``update(state, g, p, lr, **hyperparameters) -> step``, with ``state`` a dict it keeps; one that
needs the loss takes it as ``value=`` and its target value :math:`f^*` by optax's keyword; one
that takes the gradient at another point takes the gradient function as ``grad=``.

Where optax departs from the paper (where ε sits, bias correction, how weight decay meets the
learning rate), the reference follows the paper and takes the difference as a named option;
`OPTAX` holds optax's settings of those options, and `UPDATES` has them applied.
"""

from __future__ import annotations

import inspect

import numpy as np

from tests.reference import adaptive, averaging, curvature, free, layerwise, plain, polyak, sharpness, sign
from tests.reference.surfaces import GRADIENTS, HESSIANS, VALUES, rosenbrock_grad

UPDATES = {
    **plain.UPDATES,
    **adaptive.UPDATES,
    **sign.UPDATES,
    **averaging.UPDATES,
    **free.UPDATES,
    **layerwise.UPDATES,
    **polyak.UPDATES,
    **sharpness.UPDATES,
    **curvature.UPDATES,
}
OPTAX = {**adaptive.OPTAX, **sign.OPTAX, **averaging.OPTAX, **free.OPTAX, **layerwise.OPTAX, **curvature.OPTAX}

__all__ = ["GRADIENTS", "HESSIANS", "OPTAX", "UPDATES", "VALUES", "curvature", "rosenbrock_grad", "trajectory"]


def trajectory(update, grad, start, steps, lr_schedule, value=None, **hyper):
    """Run ``update`` for ``steps`` steps with ``lr_t = lr_schedule[t]``; returns the path.
    ``value``: the loss function, for an update that takes the loss as ``value=``; an update
    with a ``grad`` keyword is handed ``grad`` itself, the gradient function."""
    second = {"grad": grad} if "grad" in inspect.signature(update).parameters else {}
    p = np.array(start, dtype=np.float64)
    state: dict = {}
    path = [p.copy()]
    for t in range(steps):
        loss = {} if value is None else {"value": value(*p)}
        p = p + update(state, grad(*p), p, lr_schedule[t], **loss, **second, **hyper)
        path.append(p.copy())
    return np.array(path)
