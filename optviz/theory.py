r"""What theory predicts for gradient descent, heavy ball and Nesterov: rates, limits, flows.

Everything follows the registry's ``sgd`` (optax's convention), with lr :math:`\eta` and
momentum :math:`\beta`:

.. math::
   v_t = g_t + \beta v_{t-1},\quad v_{-1} = 0,\qquad
   \theta_{t+1} = \theta_t - \eta v_t \ \text{(heavy ball)},\quad
   \theta_{t+1} = \theta_t - \eta\,(g_t + \beta v_t) \ \text{(Nesterov)}.

On a quadratic :math:`f(\theta) = \tfrac12\theta^\top H\theta` each eigen-direction of
:math:`H` (eigenvalue :math:`\lambda`) evolves on its own, with state
:math:`(\theta_t, v_{t-1})` and :math:`g_t = \lambda\theta_t`:

.. math::
   M_{\mathrm{HB}} = \begin{pmatrix} 1-\eta\lambda & -\eta\beta \\ \lambda & \beta \end{pmatrix},
   \qquad
   M_{\mathrm{N}} = \begin{pmatrix} 1-\eta\lambda(1+\beta) & -\eta\beta^2 \\ \lambda & \beta \end{pmatrix}.

Their characteristic polynomials :math:`z^2 - Tz + D` have
:math:`T = 1+\beta-\eta\lambda,\ D = \beta` (heavy ball) and
:math:`T = (1+\beta)(1-\eta\lambda),\ D = \beta(1-\eta\lambda)` (Nesterov); plain gradient
descent is heavy ball with :math:`\beta = 0` (roots :math:`1-\eta\lambda` and 0).

*Heavy ball is exactly Polyak's method.* Eliminating :math:`v`,
:math:`\theta_{t+1} - \theta_t = -\eta g_t - \eta\beta v_{t-1} = -\eta g_t + \beta(\theta_t - \theta_{t-1})`,
which is Polyak's :math:`\theta_{t+1} = \theta_t - \alpha\nabla f(\theta_t) + \beta(\theta_t - \theta_{t-1})`
with :math:`\alpha = \eta` and the same :math:`\beta` (started at rest, :math:`\theta_{-1} = \theta_0`).
optax's lr needs no conversion; only the averaging convention
:math:`v_t = \beta v_{t-1} + (1-\beta)g_t` (Keras' ``ema``, "dampened" momentum) needs
:math:`\eta_{\mathrm{ema}} = \alpha/(1-\beta)`. Likewise optax's Nesterov is Sutskever's
:math:`\theta_{t+1} = y_t - \eta\nabla f(y_t),\ y_{t+1} = \theta_{t+1} + \beta(\theta_{t+1}-\theta_t)`
(the same characteristic polynomial).

*Stability* (Jury's test: both roots inside the unit circle iff :math:`|D| < 1`,
:math:`1 - T + D > 0`, :math:`1 + T + D > 0`), for :math:`0 \le \beta < 1`:
heavy ball :math:`0 < \eta\lambda < 2 + 2\beta` (the same in Polyak's form, since
:math:`\alpha = \eta`); Nesterov :math:`1 - T + D = \eta\lambda > 0` and
:math:`1 + T + D = 1 + (1+2\beta)(1-\eta\lambda) > 0`, i.e.
:math:`0 < \eta\lambda < 2(1+\beta)/(1+2\beta)`; gradient descent :math:`0 < \eta\lambda < 2`.

References: Polyak, "Some methods of speeding up the convergence of iteration methods"
(1964); Lessard, Recht & Packard, "Analysis and design of optimization algorithms via
integral quadratic constraints" (2016), §3 for Nesterov's optimal tuning on quadratics.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

CONVERGES, OSCILLATES, MARGINAL, DIVERGES = "converges", "oscillates", "marginal", "diverges"
_MARGIN = 1e-12  # |ρ - 1| below this is marginal: neither converging nor diverging


def _characteristic(lr, lam, momentum, nesterov: bool):
    """Trace T and determinant D of the per-eigenvalue iteration matrix."""
    lr, lam, b = np.broadcast_arrays(*(np.asarray(a, float) for a in (lr, lam, momentum)))
    if nesterov:
        return (1 + b) * (1 - lr * lam), b * (1 - lr * lam)
    return 1 + b - lr * lam, b


def iteration_matrix(lr, lam, *, momentum=0.0, nesterov: bool = False) -> np.ndarray:
    r"""The matrix :math:`M` with :math:`(\theta_{t+1}, v_t) = M\,(\theta_t, v_{t-1})` on one
    eigen-direction (see the module docstring); arguments broadcast, shape ``(..., 2, 2)``.

    >>> iteration_matrix(0.5, 1.0, momentum=0.9).tolist()
    [[0.5, -0.45], [1.0, 0.9]]
    """
    lr, lam, b = np.broadcast_arrays(*(np.asarray(a, float) for a in (lr, lam, momentum)))
    top_left = 1 - lr * lam * (1 + b) if nesterov else 1 - lr * lam
    top_right = -lr * b**2 if nesterov else -lr * b
    return np.stack([np.stack([top_left, top_right], -1), np.stack([lam, b], -1)], -2)


def roots(lr, lam, *, momentum=0.0, nesterov: bool = False) -> np.ndarray:
    r"""The two eigenvalues of `iteration_matrix`, :math:`z = (T \pm \sqrt{T^2-4D})/2`,
    complex, on a last axis of length 2 (largest modulus first)."""
    t, d = _characteristic(lr, lam, momentum, nesterov)
    s = np.sqrt((t * t - 4 * d).astype(complex))
    z = np.stack([(t + s) / 2, (t - s) / 2], -1)
    order = np.argsort(-np.abs(z), axis=-1, kind="stable")
    return np.take_along_axis(z, order, -1)


def spectral_radius(lr, lam, *, momentum=0.0, nesterov: bool = False) -> np.ndarray:
    r""":math:`\rho(\eta, \beta, \lambda) = \max |z|` over the roots: the error along that
    eigen-direction shrinks (or grows) by this factor per step, asymptotically.
    Vectorised over broadcasting arguments.

    >>> float(spectral_radius(0.1, 1.0))  # gradient descent: |1 - ηλ|
    0.9
    """
    return np.abs(roots(lr, lam, momentum=momentum, nesterov=nesterov)[..., 0])


def rate(lr, eigenvalues: Sequence[float], *, momentum=0.0, nesterov: bool = False) -> np.ndarray:
    r"""The overall rate :math:`\max_i \rho(\eta, \beta, \lambda_i)` (exact for a quadratic
    with these Hessian eigenvalues); ``lr`` and ``momentum`` broadcast."""
    lam = np.asarray(eigenvalues, float)
    lr, b = np.asarray(lr, float)[..., None], np.asarray(momentum, float)[..., None]
    return spectral_radius(lr, lam, momentum=b, nesterov=nesterov).max(-1)


def rate_grid(lrs, momenta, mu: float, big_l: float, *, nesterov: bool = False) -> np.ndarray:
    r"""Rate over the hyperparameter plane for Hessian eigenvalues :math:`\{\mu, L\}`:
    shape ``(len(momenta), len(lrs))``, row i for ``momenta[i]`` (a heatmap's z)."""
    lrs, momenta = np.asarray(lrs, float), np.asarray(momenta, float)
    return rate(lrs[None, :], (mu, big_l), momentum=momenta[:, None], nesterov=nesterov)


def max_stable_lr(eigenvalues: Sequence[float], *, momentum: float = 0.0, nesterov: bool = False) -> float:
    r"""The largest lr with :math:`\rho < 1` on every eigenvalue (the supremum; it is itself
    marginal): :math:`2(1+\beta)/L` for heavy ball (:math:`2/L` at :math:`\beta = 0`),
    :math:`2(1+\beta)/((1+2\beta)L)` for Nesterov. 0 when some :math:`\lambda \le 0`:
    a flat or descending direction never contracts."""
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum=}")
    lam = np.asarray(eigenvalues, float)
    if lam.min() <= 0:
        return 0.0
    scale = (1 + momentum) / (1 + 2 * momentum) if nesterov else 1 + momentum
    return float(2 * scale / lam.max())


class Tuning(NamedTuple):
    """Hyperparameters in optax's convention and the rate they achieve."""

    lr: float
    momentum: float
    rate: float


def _condition(mu: float, big_l: float) -> float:
    if not 0 < mu <= big_l:
        raise ValueError(f"need 0 < mu <= L, got {mu=}, {big_l=}")
    return big_l / mu


def optimal_gd(mu: float, big_l: float) -> Tuning:
    r""":math:`\eta^* = 2/(L+\mu)`, rate :math:`(\kappa-1)/(\kappa+1)`: the lr at which
    :math:`|1-\eta\mu| = |1-\eta L|`."""
    k = _condition(mu, big_l)
    return Tuning(2 / (big_l + mu), 0.0, (k - 1) / (k + 1))


def optimal_heavy_ball(mu: float, big_l: float) -> Tuning:
    r"""Polyak's tuning :math:`\alpha = 4/(\sqrt L+\sqrt\mu)^2`,
    :math:`\beta = \big((\sqrt\kappa-1)/(\sqrt\kappa+1)\big)^2`, rate :math:`\sqrt\beta =
    (\sqrt\kappa-1)/(\sqrt\kappa+1)`. In optax's convention lr :math:`= \alpha` unchanged
    (module docstring). Both extreme eigenvalues then have a double root (:math:`-\sqrt\beta`
    at L, :math:`+\sqrt\beta` at μ), so errors decay like :math:`k\rho^k`."""
    k = _condition(mu, big_l)
    q = (math.sqrt(k) - 1) / (math.sqrt(k) + 1)
    return Tuning(4 / (math.sqrt(big_l) + math.sqrt(mu)) ** 2, q * q, q)


def optimal_nesterov(mu: float, big_l: float) -> Tuning:
    r"""Lessard, Recht & Packard's tuning for quadratics: :math:`\eta = 4/(3L+\mu)`,
    :math:`\beta = (\sqrt{3\kappa+1}-2)/(\sqrt{3\kappa+1}+2)`, rate :math:`1 - 2/\sqrt{3\kappa+1}`."""
    q = math.sqrt(3 * _condition(mu, big_l) + 1)
    return Tuning(4 / (3 * big_l + mu), (q - 2) / (q + 2), 1 - 2 / q)


def classify(lr, eigenvalues: Sequence[float], *, momentum=0.0, nesterov: bool = False) -> np.ndarray:
    r"""Per (lr, momentum): ``"diverges"`` (:math:`\rho > 1`), ``"marginal"``
    (:math:`\rho = 1`), ``"oscillates"`` (converges, but the slowest mode's root is
    complex or negative, so the error changes sign or spirals) or ``"converges"``
    (monotonically, eventually)."""
    lam = np.asarray(eigenvalues, float)
    lr, b = np.asarray(lr, float)[..., None], np.asarray(momentum, float)[..., None]
    z = roots(lr, lam, momentum=b, nesterov=nesterov)[..., 0]  # dominant root per eigenvalue
    slowest = np.take_along_axis(z, np.abs(z).argmax(-1)[..., None], -1)[..., 0]
    rho = np.abs(slowest)
    ringing = (np.abs(slowest.imag) > 1e-12 * rho) | (slowest.real < 0)
    out = np.where(ringing, OSCILLATES, CONVERGES)
    out = np.where(rho > 1 + _MARGIN, DIVERGES, out)
    return np.where(np.abs(rho - 1) <= _MARGIN, MARGINAL, out)[()]  # a plain string for scalars


@dataclass(frozen=True)
class Curvature:
    """The Hessian of a surface at a point and its eigen-decomposition (ascending)."""

    point: tuple[float, float]
    hessian: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray  # column i belongs to eigenvalues[i]

    def max_stable_lr(self, *, momentum: float = 0.0, nesterov: bool = False) -> float:
        """The local stability limit: `max_stable_lr` of the quadratic model at the point."""
        return max_stable_lr(self.eigenvalues, momentum=momentum, nesterov=nesterov)

    def rate(self, lr, *, momentum=0.0, nesterov: bool = False) -> np.ndarray:
        """The predicted per-step contraction of the error near this point (a minimum)."""
        return rate(lr, self.eigenvalues, momentum=momentum, nesterov=nesterov)


def _surface_fn(surface, params: Mapping[str, float] | None):
    values = {**surface.defaults(), **(params or {})}
    return lambda p: surface.fn(p[..., 0], p[..., 1], **values)


def curvature(surface, point: Sequence[float], params: Mapping[str, float] | None = None) -> Curvature:
    r""":math:`\nabla^2 f` at ``point`` by ``jax.hessian`` of the surface function (float64),
    with ``params`` over the surface's defaults. Near a minimum :math:`\theta^*` the loss is
    :math:`f^* + \tfrac12 (\theta-\theta^*)^\top H (\theta-\theta^*)`, so the quadratic theory
    above predicts the local stable lr and rate."""
    p = jnp.asarray(point, jnp.float64)
    h = np.asarray(jax.hessian(_surface_fn(surface, params))(p))
    h = 0.5 * (h + h.T)
    values, vectors = np.linalg.eigh(h)
    return Curvature((float(p[0]), float(p[1])), h, values, vectors)


def _rk4(field, y0, dt, steps: int, substeps: int):
    """Classical Runge-Kutta with ``substeps`` steps of ``dt`` between samples; rows 0..steps."""

    def sub(y, _):
        k1 = field(y)
        k2 = field(y + 0.5 * dt * k1)
        k3 = field(y + 0.5 * dt * k2)
        k4 = field(y + dt * k3)
        return y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4), None

    def sample(y, _):
        y = jax.lax.scan(sub, y, None, length=substeps)[0]
        return y, y

    ys = jax.lax.scan(sample, y0, None, length=steps)[1]
    return jnp.concatenate([y0[None], ys])


@functools.lru_cache(maxsize=16)
def _flow(surface, steps: int, substeps: int, heavy: bool):
    """The compiled integrator of `gradient_flow` (``heavy``: `heavy_ball_flow`) for one
    surface and step count, a function of ``(y0, dt, damping, params)``: the start, lr,
    momentum and surface parameters are traced, so a new lr does not compile it again."""

    def run(y0, dt, damping, values):
        grad = jax.grad(lambda p: surface.fn(p[..., 0], p[..., 1], **values))
        if heavy:
            return _rk4(lambda y: jnp.concatenate([y[2:], -damping * y[2:] - grad(y[:2])]), y0, dt, steps, substeps)
        return _rk4(lambda p: -grad(p), y0, dt, steps, substeps)

    return jax.jit(run)


def _values(surface, params: Mapping[str, float] | None) -> dict[str, jax.Array]:
    values = {**surface.defaults(), **(params or {})}
    return {k: jnp.asarray(float(v), jnp.float64) for k, v in values.items()}


def gradient_flow(
    surface, start: Sequence[float], lr: float, steps: int, params=None, *, substeps: int = 16
) -> np.ndarray:
    r"""The gradient flow :math:`\theta' = -\nabla f(\theta)` from ``start``, sampled at the
    times :math:`t_k = k\eta` of a run's steps ``k = 0..steps``: gradient descent is its
    explicit Euler scheme with time step :math:`\eta`, so the two paths agree as
    :math:`\eta \to 0` (error :math:`O(\eta)`). On a quadratic,
    :math:`\theta_i(t) = \theta_i(0)\,e^{-\lambda_i t}`. Integrated by RK4 with ``substeps``
    steps per sample. Shape ``(steps + 1, 2)``."""
    y0 = jnp.asarray(start, jnp.float64)
    return np.asarray(_flow(surface, steps, substeps, False)(y0, lr / substeps, 0.0, _values(surface, params)))


def heavy_ball_damping(lr: float, momentum: float) -> tuple[float, float]:
    r"""``(h, a)``: the time per step and the damping of the heavy-ball ODE
    :math:`\theta'' + a\theta' + \nabla f(\theta) = 0` that a momentum run follows.

    Polyak's form (equal to optax's, module docstring), divided by :math:`h^2`:

    .. math::
       \frac{\theta_{k+1} - 2\theta_k + \theta_{k-1}}{h^2}
       + \frac{1-\beta}{h}\,\frac{\theta_k - \theta_{k-1}}{h} + \frac{\eta}{h^2}\nabla f(\theta_k) = 0.

    With :math:`\theta_k = \Theta(kh)` the quotients tend to :math:`\Theta''` and
    :math:`\Theta'`, so :math:`h = \sqrt\eta` and :math:`a = (1-\beta)/\sqrt\eta`; the
    discrete path follows the ODE as :math:`\eta \to 0` with :math:`a` held fixed
    (:math:`\beta = 1 - a\sqrt\eta`), error :math:`O(\sqrt\eta)`. With :math:`\beta`
    held fixed instead, :math:`a \to \infty`: the overdamped limit
    :math:`a\theta' = -\nabla f` is gradient flow with time :math:`\eta/(1-\beta)` per step.
    """
    h = math.sqrt(lr)
    return h, (1 - momentum) / h


def heavy_ball_flow(
    surface, start: Sequence[float], lr: float, momentum: float, steps: int, params=None, *, substeps: int = 16
) -> np.ndarray:
    r"""The heavy-ball ODE of `heavy_ball_damping` from ``start`` at rest
    (:math:`\theta'(0) = 0`, as :math:`v_{-1} = 0`), sampled at :math:`t_k = k\sqrt\eta`,
    ``k = 0..steps``, by RK4 on :math:`(\theta, \theta')`. Shape ``(steps + 1, 2)``."""
    h, a = heavy_ball_damping(lr, momentum)
    y0 = jnp.asarray([*map(float, start), 0.0, 0.0], jnp.float64)
    return np.asarray(_flow(surface, steps, substeps, True)(y0, h / substeps, a, _values(surface, params)))[:, :2]


def stationary_covariance(m: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""The stationary covariance :math:`\Sigma` of :math:`s_{k+1} = M s_k + b\,\xi_k`,
    :math:`\xi_k \sim \mathcal N(0, 1)` white, for a stable :math:`M` (spectral radius < 1):
    the solution of the discrete Lyapunov equation :math:`\Sigma = M\Sigma M^\top + bb^\top`,
    from :math:`(I - M\otimes M)\,\mathrm{vec}\,\Sigma = \mathrm{vec}(bb^\top)`.

    >>> stationary_covariance(np.array([[0.5]]), np.array([1.0])).tolist()  # 1 / (1 - 0.25)
    [[1.3333333333333333]]
    """
    n = len(b)
    vec = np.linalg.solve(np.eye(n * n) - np.kron(m, m), np.outer(b, b).reshape(-1))
    return vec.reshape(n, n)


def noise_floor(
    lr: float, eigenvalues: Sequence[float], sigma: float, *, momentum: float = 0.0, nesterov: bool = False
) -> float:
    r"""Stationary :math:`\mathbb E[f] - f^*` of heavy ball (SGD at :math:`\beta = 0`) or
    Nesterov with additive gradient noise :math:`\tilde g = \nabla f + \sigma\xi`,
    :math:`\xi \sim \mathcal N(0, I)` (the ``noisy_quadratic`` surface's model), on
    :math:`f = \tfrac12\sum_i \lambda_i\theta_i^2`.

    The isotropic noise stays white in the eigenbasis, so each eigen-direction is a linear
    system in the state :math:`s = (\theta_{k+1}, v_k)` of `iteration_matrix`:
    :math:`v_k = \tilde g_k + \beta v_{k-1}`, and :math:`\theta_{k+1} = \theta_k - \eta v_k`
    (heavy ball) or :math:`\theta_k - \eta(\tilde g_k + \beta v_k)` (Nesterov), so the
    noise enters as :math:`s_{k+1} = M s_k + \sigma b\,\xi_k` with
    :math:`b = (-\eta, 1)` or :math:`(-\eta(1+\beta), 1)`. The variance of
    :math:`\theta` is `stationary_covariance`'s top-left entry :math:`\gamma_0`, and
    :math:`\mathbb E[f] - f^* = \sum_i \tfrac12\lambda_i\gamma_{0,i}`.

    For heavy ball this is Polyak's AR(2) process
    :math:`\theta_{k+1} = (1+\beta-\eta\lambda)\theta_k - \beta\theta_{k-1} + \varepsilon_k`,
    whose stationary variance has the closed form
    :math:`\gamma_0 = \frac{(1+\beta)\,\eta\sigma^2}{(1-\beta)\,\lambda\,(2+2\beta-\eta\lambda)}`:

    .. math::
       \mathbb E[f] - f^* = \sum_i \frac{(1+\beta)\,\eta\sigma^2}{2\,(1-\beta)\,(2+2\beta-\eta\lambda_i)}
       \;\overset{\beta=0}{=}\; \sum_i \frac{\eta\sigma^2}{2\,(2-\eta\lambda_i)}

    (each direction contributes about :math:`\eta\sigma^2/4` for small :math:`\eta\lambda`,
    whatever its curvature). ``inf`` where the iteration is unstable.
    """
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum=}")
    lam = np.asarray(eigenvalues, float)
    if lam.min() <= 0 or spectral_radius(lr, lam, momentum=momentum, nesterov=nesterov).max() >= 1:
        return math.inf
    kick = -lr * (1 + momentum) if nesterov else -lr
    total = 0.0
    for m, lam_i in zip(iteration_matrix(lr, lam, momentum=momentum, nesterov=nesterov), lam, strict=True):
        total += 0.5 * lam_i * stationary_covariance(m, sigma * np.array([kick, 1.0]))[0, 0]
    return float(total)
