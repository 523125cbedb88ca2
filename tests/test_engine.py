"""simulate() and sweep(): stability theory, divergence, convergence, noise, compile counts."""

import numpy as np
import pytest

from optviz import OptRun, Scenario, devices, kernel, simulate, sweep
from optviz.engine import velocities
from optviz.kernel import bucket, trace_count
from optviz.optimizers import OPTIMIZERS


def _quadratic(*runs, steps=500, **kw):
    return Scenario(surface="quadratic", runs=tuple(runs), steps=steps, **kw)


def _run(scenario, i=0):
    return simulate(scenario).runs[i]


def test_result_shapes_and_records():
    s = Scenario(runs=(OptRun.of("adam", lr=0.01), OptRun.of("sgd", lr=1e-4)), steps=300)
    result = simulate(s)
    assert result.scenario is s and result.device == devices.name(devices.route(1)) == "cpu"
    for run in result.runs:
        assert run.path.shape == (301, 2) and run.loss.shape == (301,)
        assert run.grad.shape == run.update.shape == (300, 2) and run.lr.shape == (300,)
        np.testing.assert_array_equal(run.path[0], (-1.5, 2.0))
        np.testing.assert_allclose(run.path[1:], run.path[:-1] + run.update, rtol=0, atol=1e-15)
        np.testing.assert_allclose(run.loss, [s_fn(*p) for p in run.path], rtol=1e-13)
        np.testing.assert_allclose(run.lr, run.run.lr)
    np.testing.assert_allclose(result.runs[1].grad[0], [-5 - 400 * -1.5 * (2 - 2.25), 200 * (2 - 2.25)])


def s_fn(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


@pytest.mark.parametrize("h", [1.0, 4.0])
def test_gradient_descent_stability_bound(h):
    """Plain GD on a quadratic converges iff lr·h < 2."""
    below, above = OptRun.of("sgd", lr=1.9 / h), OptRun.of("sgd", lr=2.1 / h)
    result = simulate(Scenario(surface="quadratic", surface_params=(("h", h),), runs=(below, above), steps=2000))
    stable, unstable = result.runs
    assert stable.diverged_at is None and stable.converged_at is not None
    assert unstable.diverged_at is not None and unstable.converged_at is None
    # |1 - lr h| = 1.1: the x error grows geometrically until the escape box
    assert np.all(np.isfinite(unstable.path)) and len(unstable.path) == unstable.diverged_at
    x = np.abs(unstable.path[:, 0])
    np.testing.assert_allclose(x[1:] / x[:-1], 1.1, rtol=1e-12)


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_heavy_ball_stability_bound(beta):
    """Heavy-ball momentum on a quadratic is stable iff lr·h < 2 + 2β."""
    bound = 2 + 2 * beta
    runs = (
        OptRun.of("momentum", lr=0.95 * bound, momentum=beta),
        OptRun.of("momentum", lr=1.05 * bound, momentum=beta),
    )
    stable, unstable = simulate(_quadratic(*runs, steps=3000)).runs
    assert stable.diverged_at is None and stable.converged_at is not None
    assert unstable.diverged_at is not None


def test_divergence_stops_the_run_without_nan():
    result = _run(Scenario(surface="rosenbrock", runs=(OptRun.of("sgd", lr=0.01),), steps=500))
    assert result.diverged_at is not None and result.diverged_at < 50
    for arr in (result.path, result.loss, result.grad, result.update, result.lr):
        assert np.all(np.isfinite(arr))
    assert len(result.path) == result.diverged_at and len(result.grad) == result.diverged_at - 1


def test_converged_at_is_first_step_within_tol():
    run = _run(_quadratic(OptRun.of("sgd", lr=0.5), steps=400, tol=1e-8))
    k = run.converged_at
    assert run.loss[k] <= 1e-8 and np.all(run.loss[:k] > 1e-8)
    assert run.nearest_minimum.x == 0 and run.final_distance == pytest.approx(np.hypot(*run.path[-1]))


def test_converged_at_uses_the_nearest_minimum():
    """On Himmelblau a run from near (-3, -3) converges to (-3.78, -3.28), not to (3, 2)."""
    run = _run(Scenario(surface="himmelblau", runs=(OptRun.of("adam", lr=0.05),), steps=2000, starts=((-2.0, -2.0),)))
    assert run.converged_at is not None
    assert (run.nearest_minimum.x, run.nearest_minimum.y) == pytest.approx((-3.779310253377747, -3.283185991286169))
    assert run.final_distance < 1e-3


def test_noise_is_reproducible_and_seeded():
    def noisy(seed):
        s = Scenario(surface="noisy_quadratic", runs=(OptRun.of("sgd", lr=0.1),), steps=200, seed=seed)
        return _run(s).path

    a, b, c = noisy(0), noisy(0), noisy(1)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    quiet = _run(
        Scenario(
            surface="noisy_quadratic", surface_params=(("sigma", 0.0),), runs=(OptRun.of("sgd", lr=0.1),), steps=200
        )
    ).path
    clean = _run(Scenario(surface="quadratic", runs=(OptRun.of("sgd", lr=0.1),), steps=200)).path
    np.testing.assert_array_equal(quiet, clean)


def test_noise_statistics_match_sigma():
    """The recorded gradient minus the exact gradient is N(0, σ²) noise."""
    s = Scenario(
        surface="noisy_quadratic", surface_params=(("sigma", 2.0),), runs=(OptRun.of("sgd", lr=1e-3),), steps=4000
    )
    run = _run(s)
    exact = run.path[:-1] * np.array([1.0, 0.1])
    noise = run.grad - exact
    assert noise.std() == pytest.approx(2.0, rel=0.05) and abs(noise.mean()) < 0.1


def test_several_starts_each_get_their_trajectory():
    starts = ((1.0, 1.0), (-1.0, 0.5), (0.3, -1.2))
    run = _run(_quadratic(OptRun.of("sgd", lr=0.5), steps=50, starts=starts))
    assert [t.start for t in run.trajectories] == list(starts)
    for t, start in zip(run.trajectories, starts, strict=True):
        alone = _run(_quadratic(OptRun.of("sgd", lr=0.5), steps=50, starts=(start,)))
        np.testing.assert_array_equal(t.path, alone.path)


def test_changing_lr_hyperparams_schedule_or_surface_params_never_recompiles():
    base = Scenario(surface="rosenbrock", runs=(OptRun.of("adam", lr=0.01),), steps=700)
    simulate(base)
    before = trace_count()
    for lr, b1 in [(0.02, 0.9), (0.001, 0.5), (3e-5, 0.99)]:
        simulate(
            Scenario(
                surface="rosenbrock",
                surface_params=(("b", 50.0),),
                runs=(OptRun.of("adam", lr=lr, b1=b1),),
                steps=700,
                schedule="cosine",
                starts=((0.3, 0.3),),
                seed=int(lr > 0.01),
            )
        )
    simulate(Scenario(surface="rosenbrock", runs=(OptRun.of("adam", lr=0.01),), steps=1000))  # same 1024 bucket
    assert trace_count() == before


def _other_values(params) -> dict:
    """Every numeric hyperparameter moved inside its range: halved, or a tenth into the range from 0."""
    return {p.name: min(max(p.default / 2 if p.default else p.lo + (p.hi - p.lo) / 10, p.lo), p.hi) for p in params}


def test_no_optimizer_recompiles_for_new_numbers():
    """For every registered optimizer, other numbers (lr, every numeric hyperparameter, the
    schedule and the start) reuse the compiled loop: its builder reads them as traced values."""
    for name, optimizer in OPTIMIZERS.items():
        numbers = [p for p in optimizer.params if p.kind == "float"]
        simulate(Scenario(surface="booth", runs=(OptRun.of(name),), steps=50, starts=((-8.0, 8.0),)))
        before = trace_count()
        run = OptRun.of(name, **_other_values(numbers))
        simulate(Scenario(surface="booth", runs=(run,), steps=50, starts=((-7.0, 8.0),), schedule="cosine"))
        assert trace_count() == before, name


def test_steps_recompile_once_per_bucket():
    assert [bucket(n) for n in (1, 16, 17, 500, 512, 513, 10_000)] == [16, 16, 32, 512, 512, 1024, 16384]
    run = OptRun.of("rmsprop", lr=0.01)
    # From a cold cache: another test in this process (the optimizer references run rmsprop for
    # 200 steps on the same surface) may already have compiled the 256-step bucket.
    kernel._kernel.cache_clear()
    simulate(Scenario(runs=(run,), steps=100))
    before = trace_count()
    for steps in (65, 90, 128):
        simulate(Scenario(runs=(run,), steps=steps))
    assert trace_count() == before
    simulate(Scenario(runs=(run,), steps=129))
    assert trace_count() == before + 1


def test_structural_flags_compile_separately():
    simulate(Scenario(runs=(OptRun.of("sgd", lr=1e-4, momentum=0.5),), steps=60))
    before = trace_count()
    simulate(Scenario(runs=(OptRun.of("sgd", lr=1e-4, momentum=0.5, nesterov=True),), steps=60))
    assert trace_count() == before + 1


def test_sgd_family_shares_one_kernel():
    """`momentum` and `nesterov` are optax.sgd with a pinned flag: same kernel, same numbers."""
    heavy = Scenario(runs=(OptRun.of("sgd", lr=1e-4, momentum=0.8),), steps=150)
    simulate(heavy)
    before = trace_count()
    pinned = simulate(Scenario(runs=(OptRun.of("momentum", lr=1e-4, momentum=0.8),), steps=150)).runs[0]
    assert trace_count() == before
    np.testing.assert_array_equal(pinned.path, simulate(heavy).runs[0].path)
    look_ahead = Scenario(runs=(OptRun.of("sgd", lr=1e-4, momentum=0.8, nesterov=True),), steps=150)
    np.testing.assert_array_equal(
        simulate(Scenario(runs=(OptRun.of("nesterov", lr=1e-4, momentum=0.8),), steps=150)).runs[0].path,
        simulate(look_ahead).runs[0].path,
    )


def test_velocities_are_the_optimizers_own_state():
    runs = (
        OptRun.of("momentum", lr=0.1, momentum=0.9),
        OptRun.of("adam", lr=0.1, b1=0.8),
        OptRun.of("adagrad", lr=0.1),
        OptRun.of("sgd", lr=0.1),
    )
    result = simulate(Scenario(surface="noisy_quadratic", runs=runs, steps=60))
    heavy, adam, adagrad, plain = velocities(result)
    np.testing.assert_allclose(result.runs[0].update, 0.1 * heavy[0], rtol=1e-12)  # θ moves by lr·v
    mu, expected = np.zeros(2), []
    for g in result.runs[1].grad:  # the noisy gradients the run saw
        mu = 0.8 * mu + 0.2 * g
        expected.append(-mu)
    np.testing.assert_allclose(adam[0], expected, rtol=1e-12, atol=1e-300)
    assert adagrad is None and plain is None


def test_sweep_agrees_with_simulate_and_finds_the_edge():
    s = _quadratic(OptRun.of("sgd", lr=0.1), steps=400)
    lrs = np.geomspace(0.1, 10, 257)
    out = sweep(s, 0, lrs)
    diverged = out.diverged_at >= 0
    edge = lrs[np.argmax(diverged)]
    assert lrs[np.argmax(diverged) - 1] < 2.0 <= edge  # the bound lr·h = 2, to one grid cell
    assert np.all(diverged[lrs > 2.0]) and not np.any(diverged[lrs < 2.0])
    for i in (0, 100, 200, 256):
        one = _run(_quadratic(OptRun.of("sgd", lr=lrs[i]), steps=400))
        assert (one.diverged_at or -1) == out.diverged_at[i]
        assert (one.converged_at if one.converged_at is not None else -1) == out.converged_at[i]
        if one.diverged_at is None:
            assert out.final_loss[i] == pytest.approx(one.loss[-1], rel=1e-12, abs=1e-300)
            np.testing.assert_allclose(out.final[i], one.path[-1], rtol=1e-12, atol=1e-300)
        else:
            assert np.isnan(out.final_loss[i]) and np.all(np.isnan(out.final[i]))
