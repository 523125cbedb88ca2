"""Independent NumPy references: analytic gradients and textbook update rules.

Nothing here imports optviz or optax. Each optimizer is written from its paper's (or
the framework documentation's) formulas with optax's conventions where they choose
(eps inside the root for RMSprop/Adagrad, bias-corrected AMSGrad maximum, ...), in a
module per family as in `optviz.optimizers`: `plain`, `adaptive`, `sign`, `averaging`, `free`,
`layerwise`. An update is
``update(state, g, p, lr, **hyperparameters) -> step``, with ``state`` a dict it keeps.

Where optax departs from the paper (where ε sits, bias correction, how weight decay meets the
learning rate), the reference follows the paper and takes the difference as a named option;
`OPTAX` holds optax's settings of those options, and `UPDATES` has them applied.
"""

from __future__ import annotations

import numpy as np

from tests.reference import adaptive, averaging, free, layerwise, plain, sign
from tests.reference.surfaces import GRADIENTS, rosenbrock_grad

UPDATES = {
    **plain.UPDATES,
    **adaptive.UPDATES,
    **sign.UPDATES,
    **averaging.UPDATES,
    **free.UPDATES,
    **layerwise.UPDATES,
}
OPTAX = {**adaptive.OPTAX, **averaging.OPTAX, **free.OPTAX, **layerwise.OPTAX}

__all__ = ["GRADIENTS", "OPTAX", "UPDATES", "rosenbrock_grad", "trajectory"]


def trajectory(update, grad, start, steps, lr_schedule, **hyper):
    """Run ``update`` for ``steps`` steps with ``lr_t = lr_schedule[t]``; returns the path."""
    p = np.array(start, dtype=np.float64)
    state: dict = {}
    path = [p.copy()]
    for t in range(steps):
        p = p + update(state, grad(*p), p, lr_schedule[t], **hyper)
        path.append(p.copy())
    return np.array(path)
