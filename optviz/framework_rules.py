r"""optax transforms for the update rules Keras 3 and PyTorch write differently from optax:
where ε sits in Adam's denominator (ε̂ outside the bias correction), PyTorch's AMSGrad maximum
of the raw second moment, Keras's Adamax, Dozat's NAdam with its momentum schedule, PyTorch's
Adagrad (ε outside the root), PyTorch's Rprop (iRprop−), PyTorch's RAdam (ε on the raw root) and
the relative-step Adafactor of Keras and PyTorch. Each is composed with optax's own
pieces in `optviz.conventions`, and tests/test_conventions.py checks it against the framework.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

from optviz.optimizers.core import first_value


class MomentsState(NamedTuple):
    count: jax.Array
    mu: optax.Updates
    nu: optax.Updates
    nu_max: optax.Updates


def _moments(b1, b2, g, state: MomentsState):
    mu = jax.tree.map(lambda m, x: b1 * m + (1 - b1) * x, state.mu, g)
    nu = jax.tree.map(lambda v, x: b2 * v + (1 - b2) * x * x, state.nu, g)
    return mu, nu, optax.safe_increment(state.count)


def _init_moments(params) -> MomentsState:
    zeros = optax.tree.zeros_like(params)
    return MomentsState(jnp.zeros([], jnp.int32), zeros, zeros, zeros)


def scale_by_adam_eps_hat(b1: float, b2: float, eps: float, *, amsgrad: bool = False):
    r"""Keras's Adam (and AMSGrad, AdamW): ε added to the raw :math:`\sqrt{v_t}`, the bias
    corrections folded into the step size,
    :math:`\Delta = \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,\frac{m_t}{\sqrt{v_t}+\hat\epsilon}`
    (AMSGrad: :math:`v_t \to \max_{s\le t} v_s`).
    Reference: keras/src/optimizers/adam.py, ``update_step`` (Keras 3)."""

    def update(g, state, params=None):
        mu, nu, t = _moments(b1, b2, g, state)
        nu_max = jax.tree.map(jnp.maximum, state.nu_max, nu) if amsgrad else state.nu_max
        v = nu_max if amsgrad else nu
        scale = jnp.sqrt(1 - b2**t) / (1 - b1**t)
        out = jax.tree.map(lambda m, s: scale * m / (jnp.sqrt(s) + eps), mu, v)
        return out, MomentsState(t, mu, nu, nu_max)

    return optax.GradientTransformation(_init_moments, update)


def scale_by_amsgrad_torch(b1: float, b2: float, eps: float):
    r"""PyTorch's AMSGrad: the maximum of the *raw* second moments, then bias-corrected,
    :math:`\Delta = \frac{m_t/(1-\beta_1^t)}{\sqrt{\max_{s\le t} v_s}/\sqrt{1-\beta_2^t} + \epsilon}`
    (optax takes the maximum of the corrected ones).
    Reference: torch/optim/adam.py, ``_single_tensor_adam`` with ``amsgrad=True``."""

    def update(g, state, params=None):
        mu, nu, t = _moments(b1, b2, g, state)
        nu_max = jax.tree.map(jnp.maximum, state.nu_max, nu)
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        out = jax.tree.map(lambda m, s: (m / bc1) / (jnp.sqrt(s) / jnp.sqrt(bc2) + eps), mu, nu_max)
        return out, MomentsState(t, mu, nu, nu_max)

    return optax.GradientTransformation(_init_moments, update)


def scale_by_adamax_keras(b1: float, b2: float, eps: float):
    r"""Keras's Adamax: ε outside the running maximum,
    :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)`,
    :math:`\Delta = \frac{m_t}{(1-\beta_1^t)(u_t + \epsilon)}` (optax and PyTorch put ε inside the max).
    Reference: keras/src/optimizers/adamax.py, ``update_step``."""

    def update(g, state, params=None):
        t = optax.safe_increment(state.count)
        mu = jax.tree.map(lambda m, x: b1 * m + (1 - b1) * x, state.mu, g)
        nu = jax.tree.map(lambda u, x: jnp.maximum(b2 * u, jnp.abs(x)), state.nu, g)
        out = jax.tree.map(lambda m, u: m / ((1 - b1**t) * (u + eps)), mu, nu)
        return out, MomentsState(t, mu, nu, state.nu_max)

    return optax.GradientTransformation(_init_moments, update)


class NadamState(NamedTuple):
    count: jax.Array
    mu: optax.Updates
    nu: optax.Updates
    mu_product: jax.Array


def scale_by_nadam_dozat(b1: float, b2: float, eps: float, momentum_decay: float = 0.004):
    r"""NAdam as Keras and PyTorch write it (Dozat 2016), with the momentum schedule
    :math:`\mu_t = \beta_1(1 - \tfrac12 0.96^{\psi t})` (PyTorch: ψ = ``momentum_decay`` =
    0.004; Keras 3: ψ = 1, i.e. 0.96^t):
    :math:`\Delta = \frac{1-\mu_t}{1-\prod_{s\le t}\mu_s}\frac{g_t}{d_t}
    + \frac{\mu_{t+1}}{1-\prod_{s\le t+1}\mu_s}\frac{m_t}{d_t}`,
    :math:`d_t = \sqrt{v_t/(1-\beta_2^t)} + \epsilon` (optax.nadam has no schedule).
    References: keras/src/optimizers/nadam.py (``update_step``, ``0.96 ** local_step``);
    torch/optim/nadam.py (``momentum_decay``)."""

    def init(params):
        zeros = optax.tree.zeros_like(params)
        return NadamState(jnp.zeros([], jnp.int32), zeros, zeros, jnp.ones([], jnp.float64))

    def update(g, state, params=None):
        t = optax.safe_increment(state.count)
        mu_t = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        product = state.mu_product * mu_t
        mu = jax.tree.map(lambda m, x: b1 * m + (1 - b1) * x, state.mu, g)
        nu = jax.tree.map(lambda v, x: b2 * v + (1 - b2) * x * x, state.nu, g)

        def step(x, m, v):
            d = jnp.sqrt(v / (1 - b2**t)) + eps
            return (1 - mu_t) / (1 - product) * x / d + mu_next / (1 - product * mu_next) * m / d

        return jax.tree.map(step, g, mu, nu), NadamState(t, mu, nu, product)

    return optax.GradientTransformation(init, update)


def scale_by_rss_torch(initial_accumulator_value: float, eps: float):
    r"""PyTorch's Adagrad: ε outside the root, :math:`\Delta = g_t / (\sqrt{G_t} + \epsilon)`
    (optax and Keras: :math:`\sqrt{G_t + \epsilon}`).
    Reference: torch/optim/adagrad.py, ``_single_tensor_adagrad``."""

    def init(params):
        return optax.ScaleByRssState(jax.tree.map(lambda p: jnp.full_like(p, initial_accumulator_value), params))

    def update(g, state, params=None):
        total = jax.tree.map(lambda s, x: s + x * x, state.sum_of_squares, g)
        return jax.tree.map(lambda x, s: x / (jnp.sqrt(s) + eps), g, total), optax.ScaleByRssState(total)

    return optax.GradientTransformation(init, update)


class RpropState(NamedTuple):
    step_size: optax.Updates
    previous: optax.Updates


def rprop_torch(learning_rate, eta_minus: float, eta_plus: float, min_step_size: float, max_step_size: float):
    r"""PyTorch's Rprop, the paper's iRprop−: per coordinate, the step size is multiplied by η⁺
    where :math:`g_t g_{t-1} > 0`, by η⁻ where it is < 0 (and :math:`g_t` is then taken as 0), by 1
    else, and clipped to :math:`[\Delta_{min}, \Delta_{max}]`; the move is
    :math:`-\operatorname{sign}(g_t)\Delta_t` from this step's gradient (optax 0.2.8 moves by the
    step before's). The step sizes start at lr; a scheduler's later values are not read.
    Reference: torch/optim/rprop.py, ``_single_tensor_rprop``."""
    initial = first_value(learning_rate)

    def init(params):
        return RpropState(jax.tree.map(lambda p: jnp.full_like(p, initial), params), optax.tree.zeros_like(params))

    def update(g, state, params=None):
        agree = jax.tree.map(lambda x, y: jnp.sign(x * y), g, state.previous)
        factor = jax.tree.map(lambda a: jnp.where(a > 0, eta_plus, jnp.where(a < 0, eta_minus, 1.0)), agree)
        size = jax.tree.map(lambda s, f: jnp.clip(s * f, min_step_size, max_step_size), state.step_size, factor)
        kept = jax.tree.map(lambda x, a: jnp.where(a < 0, 0.0, x), g, agree)
        return jax.tree.map(lambda x, s: -jnp.sign(x) * s, kept, size), RpropState(size, kept)

    return optax.GradientTransformation(init, update)


def _schedule(learning_rate):
    """The lr as a function of the step count (a constant is one)."""
    return learning_rate if callable(learning_rate) else (lambda count: learning_rate)


def scale_by_radam_torch(b1: float, b2: float, eps: float, threshold: float = 5.0):
    r"""PyTorch's RAdam: ε added to the raw :math:`\sqrt{v_t}` (optax: to the bias-corrected root)
    and the rectified step taken only while :math:`\rho_t > 5` (optax: ≥),
    :math:`\Delta = r_t\,\frac{m_t}{1-\beta_1^t}\,\frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon}` if
    :math:`\rho_t > 5`, else :math:`\frac{m_t}{1-\beta_1^t}`, with
    :math:`\rho_\infty = \frac{2}{1-\beta_2} - 1`, :math:`\rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}`,
    :math:`r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}`.
    Reference: torch/optim/radam.py, ``_single_tensor_radam``."""
    rho_inf = 2 / (1 - b2) - 1

    def update(g, state, params=None):
        mu, nu, t = _moments(b1, b2, g, state)
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        rho = rho_inf - 2 * t * b2**t / bc2
        # r_t is NaN while ρ_t < 4; past PyTorch's threshold 5, jnp.where never picks it there.
        r = jnp.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))

        def step(m, v):
            return jnp.where(rho > threshold, r * (m / bc1) * jnp.sqrt(bc2) / (jnp.sqrt(v) + eps), m / bc1)

        return jax.tree.map(step, mu, nu), MomentsState(t, mu, nu, state.nu_max)

    return optax.GradientTransformation(_init_moments, update)


def adafactor_relative(
    learning_rate,
    decay_rate: float,
    clipping_threshold: float,
    multiply_by_parameter_scale: bool,
    eps: float,
    *,
    clamp: bool,
):
    r"""Adafactor as Keras 3 and PyTorch write it for a vector (unfactored), with the paper's
    relative step: :math:`\rho_t = \min(\eta_t, 1/\sqrt t)`,
    :math:`\alpha_t = \max(10^{-3}, \mathrm{RMS}(\theta_t))\,\rho_t`,
    :math:`\hat\beta_{2t} = 1 - t^{-c}`, :math:`v_t = \hat\beta_{2t} v_{t-1} + (1-\hat\beta_{2t})(g_t^2 + \epsilon_1)`
    (PyTorch, ``clamp``: :math:`g_t^2` alone, and :math:`v_t` floored at :math:`\epsilon_1^2` in the root),
    :math:`u_t = g_t/\sqrt{v_t}`, :math:`\Delta = -\alpha_t\, u_t / \max(1, \mathrm{RMS}(u_t)/d)`.
    optax's Adafactor takes :math:`\rho_t = \eta_t`. Without ``multiply_by_parameter_scale``,
    :math:`\alpha_t = \rho_t` (neither framework has that switch).
    References: keras/src/optimizers/adafactor.py and torch/optim/_adafactor.py
    (``_single_tensor_adafactor``)."""
    schedule = _schedule(learning_rate)

    def init(params):
        return optax.ScaleByRmsState(optax.tree.zeros_like(params)), optax.ScaleByScheduleState(
            jnp.zeros([], jnp.int32)
        )

    def rms(x):
        return jnp.sqrt(jnp.mean(x * x))

    def update(g, state, params=None):
        (variance,), (count,) = state
        t = (count + 1).astype(jnp.float64)
        rho = jnp.minimum(schedule(count), 1 / jnp.sqrt(t))
        beta = 1 - t ** (-decay_rate)

        def step(x, v, p):
            v = beta * v + (1 - beta) * (x * x if clamp else x * x + eps)
            u = x / jnp.sqrt(jnp.maximum(v, eps * eps) if clamp else v)
            alpha = rho * (jnp.maximum(1e-3, rms(p)) if multiply_by_parameter_scale else 1.0)
            return -alpha * u / jnp.maximum(1.0, rms(u) / clipping_threshold), v

        out = jax.tree.map(step, g, variance, params)
        updates = jax.tree.map(lambda _, o: o[0], g, out)
        variance = jax.tree.map(lambda _, o: o[1], g, out)
        return updates, (optax.ScaleByRmsState(variance), optax.ScaleByScheduleState(optax.safe_increment(count)))

    return optax.GradientTransformation(init, update)


class LbfgsTorchState(NamedTuple):
    calls: jax.Array  # step() calls so far (the schedule's index)
    iterations: jax.Array  # those that got past the gradient check (PyTorch's ``n_iter``)
    s: jax.Array  # (history, n): the steps d·t, oldest first, the valid ones last
    y: jax.Array  # (history, n): the gradient changes
    rho: jax.Array  # (history,): 1 / yᵀs
    size: jax.Array  # valid pairs
    h_diag: jax.Array  # the initial inverse Hessian's scale γ = yᵀs / yᵀy of the newest pair
    d: jax.Array  # the last direction
    t: jax.Array  # the last step length
    prev_g: jax.Array


def lbfgs_torch(learning_rate, history_size: int = 100, tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9):
    r"""PyTorch's L-BFGS as one iteration a ``step()`` (``max_iter=1``) without a line search (its
    default): the two-loop recursion over the last ``history_size`` pairs
    :math:`s = d_{t-1}\tau_{t-1}`, :math:`y = g_t - g_{t-1}` (a pair only when :math:`y^\top s > 10^{-10}`),
    :math:`H^0 = \frac{y^\top s}{y^\top y} I` from the newest pair, :math:`d_t = -H_t g_t`, and a fixed step
    :math:`\theta_{t+1} = \theta_t + \tau_t d_t` with :math:`\tau_t = \eta_t`, the first
    :math:`\min(1, 1/\lVert g\rVert_1)\,\eta`. It does not move where :math:`\max|g| \le` ``tolerance_grad``
    (nor counts the iteration) or where :math:`g^\top d > -` ``tolerance_change``.
    Reference: torch/optim/lbfgs.py, ``LBFGS.step``."""
    schedule = _schedule(learning_rate)

    def init(params):
        n = params.size
        zeros = jnp.zeros((history_size, n), params.dtype)
        scalar = jnp.zeros([], params.dtype)
        flat = jnp.zeros((n,), params.dtype)
        count = jnp.zeros([], jnp.int32)
        return LbfgsTorchState(count, count, zeros, zeros, jnp.zeros(history_size, params.dtype), count,
                               scalar + 1, flat, scalar, flat)  # fmt: skip

    def two_loop(state: LbfgsTorchState, g):
        valid = jnp.arange(history_size) >= history_size - state.size

        def newest_first(q, pair):
            s, y, rho, ok = pair
            alpha = jnp.where(ok, rho * (s @ q), 0.0)
            return q - alpha * y, alpha

        q, alphas = jax.lax.scan(newest_first, -g, (state.s, state.y, state.rho, valid), reverse=True)

        def oldest_first(r, pair):
            s, y, rho, alpha, ok = pair
            return r + jnp.where(ok, alpha - rho * (y @ r), 0.0) * s, None

        r, _ = jax.lax.scan(oldest_first, q * state.h_diag, (state.s, state.y, state.rho, alphas, valid))
        return r

    def update(grads, state: LbfgsTorchState, params=None):
        g = grads.ravel()
        first = state.iterations == 0
        y, s = g - state.prev_g, state.d * state.t
        ys = y @ s
        pair = ~first & (ys > 1e-10)

        def append(buffer, row):  # drop the oldest when full, the newest last
            return jnp.where(pair, jnp.roll(buffer, -1, axis=0).at[-1].set(row), buffer)

        kept = state._replace(
            s=append(state.s, s),
            y=append(state.y, y),
            rho=append(state.rho, 1 / ys),
            size=jnp.where(pair, jnp.minimum(state.size + 1, history_size), state.size),
            h_diag=jnp.where(pair, ys / (y @ y), state.h_diag),
        )
        d = jnp.where(first, -g, two_loop(kept, g))
        t = schedule(state.calls) * jnp.where(first, jnp.minimum(1.0, 1 / jnp.sum(jnp.abs(g))), 1.0)
        active = jnp.max(jnp.abs(g)) > tolerance_grad
        move = active & (g @ d <= -tolerance_change)
        stepped = kept._replace(iterations=state.iterations + 1, d=d, t=t, prev_g=g)
        new = jax.tree.map(lambda a, b: jnp.where(active, a, b), stepped, state)
        return jnp.where(move, t * d, 0.0).reshape(grads.shape), new._replace(calls=state.calls + 1)

    return optax.GradientTransformation(init, update)
