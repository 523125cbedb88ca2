"""optviz.theory against paths the engine computes: rates, stability limits, flows, noise.

Every prediction is checked on `optviz.simulate` runs (optax's own update rules), never
against the module itself. The quadratic surface is taken at angle 0: its Hessian is
diag(h, h/κ), so the eigen-directions are the axes.
"""

import math

import numpy as np
import pytest

from optviz import OptRun, Scenario, simulate, theory
from surfaces import SURFACES
from tests import reference

KAPPAS = (1.0, 10.0, 100.0, 1000.0)
STEPS = 10_000
# Multiples of the predicted largest stable lr: stable, near the edge on both sides, unstable.
EDGE_FRACTIONS = (0.3, 0.7, 0.95, 0.99, 1.01, 1.05, 1.5)
METHODS = {  # registry name -> (nesterov, momenta tried, optimal tuning)
    "sgd": (False, (0.0,), theory.optimal_gd),
    "momentum": (False, (0.5, 0.9), theory.optimal_heavy_ball),
    "nesterov": (True, (0.5, 0.9), theory.optimal_nesterov),
}
TINY = 1e-150  # state norms below this are left out of fits (their squares would underflow)


def _opt(name, lr, momentum):
    return OptRun.of(name, lr=lr) if name == "sgd" else OptRun.of(name, lr=lr, momentum=momentum)


def _simulate(runs, steps=STEPS, surface="quadratic", **kw):
    """Every run, eight per scenario (the engine's limit)."""
    out = []
    for i in range(0, len(runs), 8):
        out += simulate(Scenario(surface=surface, runs=tuple(runs[i : i + 8]), steps=steps, **kw)).runs
    return out


def _contraction(path, minimum=(0.0, 0.0)):
    """Measured per-step contraction: exp of the slope of log ‖(θ_k − θ*, θ_{k+1} − θ*)‖
    over the later half of the rows that stay above `TINY`. Two consecutive positions are
    the whole state of one eigen-direction, so its norm has no zeros where a spiral
    crosses the minimum's axis, unlike the distance alone."""
    d = np.hypot(*(path - np.asarray(minimum)).T)
    e = np.hypot(d[:-1], d[1:])
    last = int(np.nonzero(e > TINY)[0][-1])
    k = np.arange(last // 2, last + 1)
    return math.exp(np.polyfit(k, np.log(e[k]), 1)[0])


def _cases(name, kappa):
    nesterov, momenta, optimal = METHODS[name]
    eigenvalues = (1.0 / kappa, 1.0)  # h = 1: curvatures 1 (x) and 1/κ (y)
    cases = [
        (c * theory.max_stable_lr(eigenvalues, momentum=b, nesterov=nesterov), b, None)
        for b in momenta
        for c in EDGE_FRACTIONS
    ]
    best = optimal(1.0 / kappa, 1.0)
    return eigenvalues, nesterov, [*cases, (best.lr, best.momentum, best.rate)]


@pytest.mark.parametrize(("name", "momentum"), [("sgd", 0.0), ("momentum", 0.8), ("nesterov", 0.8)])
def test_iteration_matrix_reproduces_the_engine(name, momentum):
    """Powers of the per-eigenvalue matrix, applied to (θ_0, v_{-1} = 0), give the engine's
    path on each axis of the quadratic (κ = 10): the matrix is optax's recurrence."""
    lr, steps = 0.7, 60
    run = _simulate([_opt(name, lr, momentum)], steps=steps, surface_params=(("kappa", 10.0),))[0]
    for axis, lam in enumerate((1.0, 0.1)):
        m = theory.iteration_matrix(lr, lam, momentum=momentum, nesterov=name == "nesterov")
        state, rows = np.array([run.path[0, axis], 0.0]), []
        for _ in range(steps + 1):
            rows.append(state[0])
            state = m @ state
        np.testing.assert_allclose(run.path[:, axis], rows, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(
            np.sort_complex(np.linalg.eigvals(m)),
            np.sort_complex(theory.roots(lr, lam, momentum=momentum, nesterov=name == "nesterov")),
            atol=1e-12,
        )


@pytest.mark.parametrize("kappa", KAPPAS)
@pytest.mark.parametrize("name", list(METHODS))
def test_quadratic_rate_and_stability_match_the_engine(name, kappa):
    """Predicted-unstable runs diverge, stable ones do not, and the late contraction of a
    converging run is the spectral radius within 2 % (both of ρ and of log ρ)."""
    eigenvalues, nesterov, cases = _cases(name, kappa)
    runs = _simulate([_opt(name, lr, b) for lr, b, _ in cases], surface_params=(("kappa", kappa),))
    for (lr, b, closed_form), run in zip(cases, runs, strict=True):
        rho = float(theory.rate(lr, eigenvalues, momentum=b, nesterov=nesterov))
        if closed_form is not None:
            # at a double root ρ moves by √(rounding) ≈ 1e-8 with the discriminant
            assert rho == pytest.approx(closed_form, rel=1e-7, abs=1e-12)
        if rho > 1:
            assert run.diverged_at is not None, (lr, b, rho)
            continue
        assert run.diverged_at is None and run.converged_at is not None, (lr, b, rho)
        if rho < 1e-6:  # a nilpotent step (κ = 1 at the optimum): exactly at the minimum
            assert np.abs(run.path[2:]).max() <= 1e-12
            continue
        measured = _contraction(run.path)
        assert measured == pytest.approx(rho, rel=0.02), (lr, b)
        assert math.log(measured) == pytest.approx(math.log(rho), rel=0.02), (lr, b)


@pytest.mark.parametrize(("name", "kappa"), [("momentum", 100.0), ("nesterov", 100.0), ("sgd", 100.0)])
def test_optimal_tuning_beats_its_neighbours(name, kappa):
    """No nearby (lr, β) contracts faster on the engine than the optimal tuning."""
    best = METHODS[name][2](1.0 / kappa, 1.0)
    shifts = [(1.0, 0.0), (0.9, 0.0), (1.1, 0.0)] + ([] if name == "sgd" else [(1.0, -0.03), (1.0, 0.03)])
    runs = [_opt(name, best.lr * s, best.momentum + db) for s, db in shifts]
    runs = _simulate(runs, surface_params=(("kappa", kappa),))
    rates = [_contraction(run.path) for run in runs]
    assert rates[0] == pytest.approx(best.rate, rel=0.01)
    assert rates[0] < min(rates[1:])


def test_rate_grid_matches_engine_runs():
    """A few cells of the heatmap grid against measured contractions (κ = 50)."""
    lrs, momenta = np.array([0.2, 1.0, 2.5]), np.array([0.3, 0.6, 0.85])
    for nesterov, name in ((False, "momentum"), (True, "nesterov")):
        grid = theory.rate_grid(lrs, momenta, 0.02, 1.0, nesterov=nesterov)
        assert grid.shape == (3, 3)
        runs = _simulate([_opt(name, lr, b) for b in momenta for lr in lrs], surface_params=(("kappa", 50.0),))
        for rho, run in zip(grid.ravel(), runs, strict=True):
            if rho > 1:
                assert run.diverged_at is not None
            else:
                assert _contraction(run.path) == pytest.approx(rho, rel=0.02)


def _sign_changes(values):
    return int(np.count_nonzero(np.signbit(values[1:]) != np.signbit(values[:-1])))


@pytest.mark.parametrize(
    ("name", "lr", "momentum", "expected"),
    [
        ("sgd", 0.5, 0.0, theory.CONVERGES),  # both roots positive
        ("sgd", 1.5, 0.0, theory.CONVERGES),  # x flips sign but dies first; y is slowest
        ("sgd", 1.95, 0.0, theory.OSCILLATES),  # the flipping x mode is now the slowest
        ("momentum", 0.1, 0.9, theory.OSCILLATES),  # complex roots: a spiral
        ("momentum", 3.0, 0.3, theory.DIVERGES),
        ("nesterov", 1.7, 0.3, theory.DIVERGES),  # past 2(1+β)/(1+2β) = 1.625, below heavy ball's 2.6
        ("nesterov", 0.5, 0.2, theory.CONVERGES),
    ],
)
def test_classification_matches_the_engine(name, lr, momentum, expected):
    """Diverges ↔ the engine's run diverges; oscillates ↔ the slowest coordinate keeps
    changing sign late in the run; converges ↔ it keeps one sign (κ = 10)."""
    label = theory.classify(lr, (0.1, 1.0), momentum=momentum, nesterov=name == "nesterov")
    assert label == expected
    run = _simulate([_opt(name, lr, momentum)], steps=400, surface_params=(("kappa", 10.0),))[0]
    if label == theory.DIVERGES:
        assert run.diverged_at is not None
        return
    late = run.path[200:]
    slowest = late[:, int(np.abs(late[-1]).argmax())]
    assert (_sign_changes(slowest) > 5) == (label == theory.OSCILLATES)


@pytest.mark.parametrize(("momentum", "nesterov"), [(0.0, False), (0.6, False), (0.6, True)])
def test_the_stability_limit_is_marginal(momentum, nesterov):
    """At exactly the largest stable lr the slowest root has modulus 1 (z = −1)."""
    lr = theory.max_stable_lr((0.1, 1.0), momentum=momentum, nesterov=nesterov)
    assert theory.classify(lr, (0.1, 1.0), momentum=momentum, nesterov=nesterov) == theory.MARGINAL


def _rosenbrock_hessian_by_differences(x, y, step=1e-5):
    """Central differences of the NumPy reference gradient (independent of JAX)."""
    grad = reference.rosenbrock_grad
    cols = [(grad(x + dx, y + dy) - grad(x - dx, y - dy)) / (2 * step) for dx, dy in ((step, 0.0), (0.0, step))]
    return np.stack(cols, axis=1)


def test_rosenbrock_hessian_at_its_minimum():
    local = theory.curvature(SURFACES["rosenbrock"], (1.0, 1.0))
    np.testing.assert_allclose(local.hessian, _rosenbrock_hessian_by_differences(1.0, 1.0), rtol=1e-8)
    np.testing.assert_allclose(local.eigenvalues, [0.3994, 1001.6], rtol=2e-4)
    assert local.max_stable_lr() == pytest.approx(0.0019968, rel=1e-4)
    vectors = local.eigenvectors
    np.testing.assert_allclose(local.hessian @ vectors, vectors * local.eigenvalues, atol=1e-9)


def test_rosenbrock_local_rate_and_local_instability():
    """GD near (1, 1): lr 0.0019 contracts at the local rate (1 − ρ within 5 %); lr
    0.00201 is past 2/λ_max: the stiff component grows at |1 − ηλ_max| and the run never
    converges."""
    local = theory.curvature(SURFACES["rosenbrock"], (1.0, 1.0))
    # So close that the curvature along the path is λ_max to 1e-5: the growth rate
    # ln(ηλ_max − 1) is sensitive to it (ηλ_max − 1 = 0.013); tol below the start's loss.
    start = (1 + 1e-5, 1 + 1e-5)
    runs = [_opt("sgd", 0.0019, 0.0), _opt("sgd", 0.00201, 0.0)]
    stable, unstable = _simulate(runs, surface="rosenbrock", starts=(start,), tol=1e-12)
    predicted = float(local.rate(0.0019))
    assert stable.diverged_at is None and stable.converged_at is not None
    measured = _contraction(stable.path, (1.0, 1.0))
    assert 1 - measured == pytest.approx(1 - predicted, rel=0.05)

    assert float(local.rate(0.00201)) > 1 and unstable.converged_at is None
    stiff = np.abs((unstable.path - 1.0) @ local.eigenvectors[:, 1])
    k = np.arange(10, 300)  # the linear phase: the stiff component is still small
    growth = math.exp(np.polyfit(k, np.log(stiff[k]), 1)[0])
    assert math.log(growth) == pytest.approx(math.log(abs(1 - 0.00201 * local.eigenvalues[1])), rel=0.05)
    assert np.hypot(*(unstable.path[-1] - 1.0)) > 100 * np.hypot(*(np.subtract(start, 1.0)))


@pytest.mark.parametrize(("lr", "rtol", "atol"), [(0.1, 1e-8, 0.0), (0.5, 0.0, 1e-7)])
def test_gradient_flow_against_its_closed_form(lr, rtol, atol):
    """θ_i(t) = θ_i(0) e^{−λ_i t} at t_k = kη on the quadratic (κ = 10, h = 2): relative
    error 1e-8 at ηL = 0.2, absolute 1e-7 at ηL = 1 (RK4's error grows as (ηL/16)⁴)."""
    start, lam = np.array([-1.5, 1.5]), np.array([2.0, 0.2])
    flow = theory.gradient_flow(SURFACES["quadratic"], start, lr, 200, {"kappa": 10.0, "h": 2.0})
    exact = start * np.exp(-np.outer(np.arange(201) * lr, lam))
    np.testing.assert_allclose(flow, exact, rtol=rtol, atol=atol)


@pytest.mark.parametrize(("lr", "momentum"), [(0.01, 0.9), (0.04, 0.5), (0.0025, 0.99)])
def test_heavy_ball_flow_against_the_damped_oscillator(lr, momentum):
    """θ'' + aθ' + λθ = 0 from rest: θ(t) = Re(c₁e^{s₁t} + c₂e^{s₂t}), s the roots of
    s² + as + λ, with a = (1 − β)/√η, t_k = k√η (κ = 10)."""
    start, lam = np.array([-1.5, 1.5]), np.array([1.0, 0.1])
    a, t = (1 - momentum) / math.sqrt(lr), np.arange(1001) * math.sqrt(lr)
    s = np.stack([(-a + np.sqrt(a * a - 4 * lam + 0j)) / 2, (-a - np.sqrt(a * a - 4 * lam + 0j)) / 2])
    c = np.stack([-s[1] * start, s[0] * start]) / (s[0] - s[1])
    exact = (c[0] * np.exp(np.outer(t, s[0])) + c[1] * np.exp(np.outer(t, s[1]))).real
    flow = theory.heavy_ball_flow(SURFACES["quadratic"], start, lr, momentum, 1000, {"kappa": 10.0})
    np.testing.assert_allclose(flow, exact, rtol=0, atol=1e-9)


def _gap_to_flow(name, lr, momentum, horizon):
    steps = round(horizon / (lr if name == "sgd" else math.sqrt(lr)))
    run = _simulate([_opt(name, lr, momentum)], steps=steps, surface_params=(("kappa", 10.0),))[0]
    args = (SURFACES["quadratic"], run.path[0], lr)
    flow = (
        theory.gradient_flow(*args, steps, {"kappa": 10.0})
        if name == "sgd"
        else theory.heavy_ball_flow(*args, momentum, steps, {"kappa": 10.0})
    )
    return np.abs(run.path - flow).max()


def test_engine_paths_approach_the_flows():
    """Over t ∈ [0, 10]: GD's path is within O(η) of gradient flow, and heavy ball's with
    β = 1 − a√η (a = 1 held fixed) within O(√η) of the heavy-ball ODE: each tenfold
    smaller lr divides the gap by about 10 and √10."""
    lrs = (1e-1, 1e-2, 1e-3)
    gd = [_gap_to_flow("sgd", lr, 0.0, 10.0) for lr in lrs]
    hb = [_gap_to_flow("momentum", lr / 10, 1 - math.sqrt(lr / 10), 10.0) for lr in lrs]
    np.testing.assert_allclose(np.array(gd[:-1]) / gd[1:], 10.0, rtol=0.1)
    np.testing.assert_allclose(np.array(hb[:-1]) / hb[1:], math.sqrt(10.0), rtol=0.1)
    assert gd[-1] < 1e-3 and hb[-1] < 1e-2


NOISE_CASES = [  # (κ, h, σ, optimizer, lr, momentum)
    (10.0, 1.0, 0.5, "sgd", 0.1, 0.0),
    (10.0, 1.0, 0.5, "sgd", 1.0, 0.0),
    (10.0, 1.0, 0.5, "sgd", 1.8, 0.0),
    (10.0, 1.0, 0.5, "momentum", 0.5, 0.5),
    (10.0, 1.0, 0.5, "momentum", 0.1, 0.9),
    (100.0, 4.0, 2.0, "sgd", 0.25, 0.0),
    (100.0, 4.0, 2.0, "momentum", 0.125, 0.5),
    (10.0, 1.0, 0.5, "nesterov", 0.5, 0.5),
    (10.0, 1.0, 0.5, "nesterov", 0.1, 0.9),
    (100.0, 4.0, 2.0, "nesterov", 0.2, 0.5),
]


def test_noise_floor_against_mean_late_loss():
    """The stationary E[f] against the engine's noisy_quadratic runs: the mean loss over
    steps 2,000-10,000 of 16 starts, each drawing its own noise (measured standard errors
    0.6-2 % of the mean), within 5 %. The cases share seed 0, so their errors correlate."""
    for kappa, h, sigma, name, lr, momentum in NOISE_CASES:
        params = (("kappa", kappa), ("h", h), ("sigma", sigma))
        starts = ((0.0, 0.0),) * 16  # each start index draws its own noise
        run = _simulate([_opt(name, lr, momentum)], surface="noisy_quadratic", surface_params=params, starts=starts)[0]
        losses = np.array([t.loss[2000:] for t in run.trajectories])
        nesterov = name == "nesterov"
        predicted = theory.noise_floor(lr, (h / kappa, h), sigma, momentum=momentum, nesterov=nesterov)
        assert losses.mean() == pytest.approx(predicted, rel=0.05), (kappa, name, lr, momentum)


def test_the_noise_floor_of_heavy_ball_is_polyaks_closed_form():
    """The Lyapunov solution against the AR(2) process's stationary variance in closed form,
    γ₀ = (1+β)ησ² / ((1−β) λ (2+2β−ηλ)), over stable (lr, β, λ)."""
    for lr in (0.01, 0.3, 1.0, 1.9):
        for beta in (0.0, 0.3, 0.9, 0.99):
            lam = np.array([0.05, 1.0])
            if (lr * lam >= 2 + 2 * beta).any():
                continue
            closed = np.sum(0.5 * lam * (1 + beta) * lr * 0.7**2 / ((1 - beta) * lam * (2 + 2 * beta - lr * lam)))
            assert theory.noise_floor(lr, lam, 0.7, momentum=beta) == pytest.approx(closed, rel=1e-10)
    assert theory.noise_floor(2.1, (1.0,), 0.7) == math.inf
    assert theory.noise_floor(0.9, (1.0,), 0.7, momentum=0.5, nesterov=True) < math.inf
    assert theory.noise_floor(1.6, (1.0,), 0.7, momentum=0.5, nesterov=True) == math.inf  # stable below 1.5
