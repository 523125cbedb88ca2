r"""Sharpness-aware minimization, from its paper: SAM (Foret, Kleiner, Mobahi & Neyshabur 2021) with
SGD as the base optimizer. A step takes the gradient at the point itself and at a second point, so
it takes the gradient function too, as ``grad=``."""

from __future__ import annotations

import numpy as np


def sam(s, g, p, lr, rho=0.05, *, grad):
    r"""Algorithm 1 of Foret et al. (2021), Sharpness-Aware Minimization for Efficiently Improving
    Generalization, ICLR, with p = 2 (eq. 2): the ascent
    :math:`\hat\epsilon(w) = \rho\,\nabla L(w)/\|\nabla L(w)\|_2`, then
    :math:`w_{t+1} = w_t - \eta_t \nabla L(w)\big|_{w_t + \hat\epsilon(w_t)}`."""
    epsilon = rho * g / np.sqrt(np.dot(g, g))
    return -lr * grad(*(p + epsilon))


UPDATES = {f.__name__: f for f in (sam,)}
