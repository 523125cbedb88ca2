"""Lion (Chen et al. 2023) and signSGD (Bernstein et al. 2018): steps of ±lr per coordinate."""

from __future__ import annotations

import numpy as np


def lion(s, g, p, lr, b1=0.9, b2=0.99, weight_decay=1e-3):
    m = s.get("m", 0 * g)
    c = np.sign(b1 * m + (1 - b1) * g)
    s["m"] = b2 * m + (1 - b2) * g
    return -lr * (c + weight_decay * p)


def signsgd(s, g, p, lr):
    return -lr * np.sign(g)


UPDATES = {f.__name__: f for f in (lion, signsgd)}
