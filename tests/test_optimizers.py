"""Every registered optimizer against the NumPy textbook references in tests/reference/ (one module per family);
L-BFGS, whose step length comes from a line search, against its direction and the Wolfe conditions."""

import dataclasses

import numpy as np
import pytest

from optviz import OptRun, Scenario, simulate
from optviz.engine import averages
from optviz.kernel import OWN_DRAWS
from optviz.optimizers import OPTIMIZERS
from tests import reference

REQUIRED = {
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "adamw",
    "adamax",
    "nadam",
    "amsgrad",
    "adadelta",
    "lion",
    "radam",
    "signsgd",
}

# One default case per optimizer plus variants that switch on structural flags and
# non-default values. A newly registered optimizer fails `test_every_optimizer_has_a_case`.
# Optimizers whose step length comes from a line search: checked by their own tests below (a
# search's length is any that meets its conditions, so the reference checks rather than replays).
SEARCHED = {"lbfgs"}
CASES = [(name, {}) for name in OPTIMIZERS if name not in SEARCHED] + [
    ("sgd", {"momentum": 0.5}),
    ("sgd", {"momentum": 0.7, "nesterov": True}),
    ("rmsprop", {"centered": True}),
    ("rmsprop", {"momentum": 0.5, "decay": 0.95}),
    ("adam", {"b1": 0.5, "b2": 0.9, "eps": 1e-3}),
    ("adamw", {"weight_decay": 0.1}),
    ("adagrad", {"initial_accumulator_value": 0.0}),
    ("adadelta", {"weight_decay": 0.01}),
    ("lion", {"weight_decay": 0.0, "b1": 0.8}),
    ("radam", {"threshold": 20.0}),
    ("nadamw", {"weight_decay": 0.1}),
    ("adamaxw", {"weight_decay": 0.1}),
    ("adopt", {"use_clipping": False, "b2": 0.99}),
    ("ademamix", {"alpha": 8.0, "b3": 0.999, "weight_decay": 0.01}),
    ("madgrad", {"weight_decay": 0.01, "momentum": 0.5}),
    ("adan", {"weight_decay": 0.01, "b2": 0.5, "eps_root": 0.0}),
    ("optimistic_adam", {"nesterov": False, "alpha": 0.5, "beta": 0.5}),
    ("cocob", {"weight_decay": 0.01, "alpha": 20.0, "lr": 0.5}),
    ("adafactor", {"multiply_by_parameter_scale": False, "clipping_threshold": 0.5, "decay_rate": 0.5}),
    ("lamb", {"weight_decay": 0.01, "eps": 1e-3}),
    ("lars", {"weight_decay": 0.01, "momentum": 0.5, "eps": 1e-3}),
    ("fromage", {"min_norm": 0.0}),
    ("novograd", {"weight_decay": 0.01, "b2": 0.9}),
    ("prodigy", {"safeguard_warmup": True, "weight_decay": 0.01, "estim_lr_coef": 0.5}),
    ("dadapt_adamw", {"weight_decay": 0.01}),
    ("dog", {"weight_decay": 0.01, "eps": 0.0}),
    ("dowg", {"weight_decay": 0.01, "init_estim_sq_dist": 1e-2}),
    ("optimistic_gd", {"alpha": 0.5, "beta": 1.5}),
    ("rprop", {"eta_minus": 0.3, "eta_plus": 1.5, "max_step_size": 0.05}),
    ("sm3", {"momentum": 0.0}),
    ("polyak_sgd", {"eps": 1.0, "lr": 0.01}),
    ("momo", {"beta": 0.5, "lr": 0.1}),
    ("momo_adam", {"b1": 0.5, "lr": 0.05}),
    ("sam", {"rho": 0.3}),
    ("noisy_sgd", {"eta": 1.0, "gamma": 1.0}),
    ("sophia", {"gamma": 1.0, "clip_threshold": 0.5, "weight_decay": 0.0}),
]
# Starts on smooth slopes and learning rates that keep each run in its stable regime
# for 200 steps: where an optimizer oscillates across a valley or around a minimum
# (sign-based steps, edge-of-stability adaptive steps), last-bit rounding differences
# are amplified chaotically (measured: 1e-15 to 1e-4 within 10 steps), and no two
# correct implementations agree to rtol 1e-7 there.
SURFACES = [("rosenbrock", (0.5, -0.5)), ("himmelblau", (0.5, -0.5))]
TEST_LR = {"sgd": 1e-4, "momentum": 1e-4, "nesterov": 1e-4, "adadelta": 1.0, "schedule_free_sgd": 1e-4, "sam": 1e-4}
TEST_LR |= dict.fromkeys(("prodigy", "dadapt_adamw", "dog", "dowg", "lars", "cocob"), 1.0)  # step-size multipliers
TEST_LR |= {"sm3": 0.1, "polyak_sgd": 1.0, "momo": 1.0}  # largest step sizes
STEPS = 200
# Polyak-type steps zigzag across Rosenbrock's valley, where any two implementations' last-bit
# differences grow about tenfold every four steps (measured: 1e-18 at step 4, 1e-2 by step 52,
# with the same rule): these compare on Booth's bowl instead.
INSTEAD = {name: {"rosenbrock": ("booth", (-8.0, 8.0))} for name in ("polyak_sgd", "momo", "momo_adam")}
PAIRS = [
    (name, hyper, *INSTEAD.get(name, {}).get(surface, (surface, start)))
    for name, hyper in CASES
    for surface, start in SURFACES
]


def test_registry_has_the_required_optimizers():
    assert REQUIRED <= set(OPTIMIZERS)
    for o in OPTIMIZERS.values():
        assert o.params[0].name == "lr" and o.latex and o.note and o.title


def test_every_optimizer_has_a_case():
    assert {name for name, _ in CASES} | SEARCHED == set(OPTIMIZERS) == set(reference.UPDATES) | SEARCHED
    assert SEARCHED == {name for name, o in OPTIMIZERS.items() if o.line_search}


LBFGS_CASES = [*SURFACES, ("booth", (-8.0, 8.0)), ("rosenbrock", (-1.5, 2.0))]


@pytest.mark.parametrize("surface,start", LBFGS_CASES)
def test_lbfgs_steps_along_the_two_loop_direction_by_a_strong_wolfe_length(surface, start):
    """Every L-BFGS step until the gradient vanishes is a positive multiple of Nocedal & Wright's
    two-loop direction, built from the path's own previous steps (memory 10), and the multiple
    meets the strong Wolfe conditions; and the run reaches the minimum."""
    scenario = Scenario(surface=surface, runs=(OptRun.of("lbfgs"),), steps=STEPS, starts=(start,))
    run = simulate(scenario).runs[0]
    grad, value = reference.GRADIENTS[surface], reference.VALUES[surface]
    grads = np.array([grad(*p) for p in run.path])
    moving = int(np.argmax(np.linalg.norm(grads, axis=1) < 1e-7))  # the first row at rest
    assert moving > 5 and run.converged_at is not None and run.converged_at <= 60
    directions = reference.curvature.directions(run.path[: moving + 1], grads[: moving + 1])
    for k, d in enumerate(directions):
        u = run.path[k + 1] - run.path[k]
        alpha = (u @ d) / (d @ d)
        assert alpha > 0, k
        np.testing.assert_allclose(u, alpha * d, rtol=1e-6, atol=1e-9 * np.linalg.norm(u), err_msg=f"step {k}")
        decrease, flattening = reference.curvature.strong_wolfe(value, grad, run.path[k], d, alpha)
        scale = 1e-9 * max(1.0, abs(value(*run.path[k])))
        assert decrease >= -scale and flattening >= -scale * np.linalg.norm(d), (k, decrease, flattening)


def test_lbfgs_counts_the_gradients_its_searches_evaluate():
    """The gradients per step the engine reports are those an optax L-BFGS loop evaluates,
    counted at each evaluation by a host callback: the first step's own gradient, then every
    trial of every line search (each later step's gradient is its search's last trial)."""
    import jax
    import jax.numpy as jnp
    import optax

    steps, start = 40, (-1.5, 2.0)
    run = simulate(Scenario(surface="rosenbrock", runs=(OptRun.of("lbfgs"),), steps=steps, starts=(start,)))
    calls = [0]

    def f(p):
        jax.debug.callback(lambda: calls.__setitem__(0, calls[0] + 1))
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    tx, p = optax.lbfgs(), jnp.array(start)
    state = tx.init(p)
    value_and_grad = optax.value_and_grad_from_state(f)

    @jax.jit  # the callback still runs at every evaluation, inside the searches' loops too
    def step(p, state):
        value, g = value_and_grad(p, state=state)
        updates, state = tx.update(g, state, p, value=value, grad=g, value_fn=f)
        return p + updates, state

    for _ in range(steps):
        p, state = step(p, state)
    np.testing.assert_allclose(p, run.runs[0].path[-1], rtol=1e-9, atol=1e-12)
    assert calls[0] > steps + 3  # some searches tried more than one length
    assert run.runs[0].grad_evals == pytest.approx(calls[0] / steps)


def own_draws(name: str, seed: int, steps: int) -> np.ndarray:
    """The random draws an optimizer with a key of its own (`Optimizer.random`) makes from start 0:
    the engine's key for it (``OWN_DRAWS`` folded into the link seed's key for start 0), split
    draw by draw as optax's transforms split it: noisy SGD's standard normal noise each step,
    Sophia's Rademacher probes (float32 signs) one every 10 steps."""
    import jax

    key = jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), 0), OWN_DRAWS)
    draws = []
    for _ in range(steps if name == "noisy_sgd" else -(-steps // 10)):
        key, sample = jax.random.split(key)
        (leaf,) = jax.random.split(sample, 1)  # one key per leaf (a single 2-vector)
        draw = (
            jax.random.normal(leaf, (2,), np.float64)
            if name == "noisy_sgd"
            else jax.random.rademacher(leaf, (2,), np.float32)
        )
        draws.append(np.asarray(draw, dtype=np.float64))
    return np.array(draws)


def loss_inputs(name: str, scenario: Scenario, hp: dict):
    """The hyperparameters plus f* (the surface's lowest known minimum value), the optimizer's own
    random draws, and the loss function, for an optimizer that takes them; else ``hp`` and None."""
    optimizer = OPTIMIZERS[name]
    if optimizer.f_star:
        hp[optimizer.f_star] = scenario.f_star
    if optimizer.random:
        hp["draws"] = own_draws(name, scenario.seed, scenario.steps)
    if optimizer.hessian:
        hp["hessian"] = reference.HESSIANS[scenario.surface]
    return hp, reference.VALUES[scenario.surface] if optimizer.needs_value else None


@pytest.mark.parametrize("name,hyper,surface,start", PAIRS, ids=[f"{n}-{h}-{s}" for n, h, s, _ in PAIRS])
def test_matches_numpy_reference(name, hyper, surface, start):
    run = OptRun.of(name, **{"lr": TEST_LR.get(name, 1e-3), **hyper})
    scenario = Scenario(surface=surface, runs=(run,), steps=STEPS, starts=(start,))
    result = simulate(scenario).runs[0]
    assert result.diverged_at is None
    hp, value = loss_inputs(name, scenario, run.hyperparams)
    lr = hp.pop("lr")
    expected = reference.trajectory(
        reference.UPDATES[name], reference.GRADIENTS[surface], start, STEPS, np.full(STEPS, lr), value, **hp
    )
    assert result.path.shape == (STEPS + 1, 2)
    assert np.abs(expected[-1] - expected[0]).max() > 1e-3, "the run must actually move"
    np.testing.assert_allclose(result.path, expected, rtol=1e-7, atol=1e-12)


# Where optax's rule and the paper's meet at the defaults: the value under which they part.
DIFFERENCE_NEEDS = {"lars": {"weight_decay": 0.01}}  # ‖g + λθ‖ against ‖g‖ + λ‖θ‖
# Sophia at γ = 0.01 clips every step here to a sign step, whichever estimate it divides by.
DIFFERENCE_NEEDS["sophia"] = {"gamma": 1.0}
# Where the difference stays below what a path shows: SM3's ε = 1e-8 under the root of a sum of
# squared gradients that starts at g₀² (its share of a step is ~1e-12 here).
UNSEEN = {"sm3"}


@pytest.mark.parametrize("name", sorted(set(reference.OPTAX) - UNSEEN))
def test_the_papers_rule_is_another_path(name):
    """Where optax departs from the paper (`reference.OPTAX`, which each row's note names), the
    paper's rule at the same defaults leaves optax's path from the same start: the difference
    the note describes is visible, and the option that carries it is the one that matters. The lr
    decays, as under a schedule, where a difference in how the steps meet the lr shows."""
    surface, start = SURFACES[0]
    hp = OPTIMIZERS[name].defaults() | DIFFERENCE_NEEDS.get(name, {})
    hp, _ = loss_inputs(name, Scenario(surface=surface, runs=(OptRun.of(name),), steps=STEPS), hp)
    hp.pop("lr")
    lrs = TEST_LR.get(name, 1e-3) * np.linspace(1.0, 0.5, STEPS)
    runs = [
        reference.trajectory(f, reference.GRADIENTS[surface], start, STEPS, lrs, **hp)
        for f in (reference.UPDATES[name], reference.UPDATES[name].func)
    ]
    assert np.abs(runs[0] - runs[1]).max() > 1e-6


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "sam"])
def test_schedule_scales_every_step(name):
    """lr_t = lr · s(t): the engine's path equals the reference fed the same lr sequence."""
    run = OptRun.of(name, lr=TEST_LR.get(name, 1e-3))
    scenario = Scenario(
        surface="rosenbrock",
        runs=(run,),
        steps=STEPS,
        starts=(SURFACES[0][1],),
        schedule="warmup_cosine",
        schedule_params=(("warmup_steps", 20), ("decay_steps", 150)),
    )
    result = simulate(scenario).runs[0]
    t = np.arange(STEPS)
    warm = t / 20
    cosine = 0.5 * (1 + np.cos(np.pi * np.minimum(t - 20, 130) / 130))
    lrs = run.lr * np.where(t < 20, warm, cosine)
    np.testing.assert_allclose(result.lr, lrs, rtol=1e-12, atol=1e-15)
    hp = run.hyperparams
    hp.pop("lr")
    expected = reference.trajectory(
        reference.UPDATES[name], reference.rosenbrock_grad, SURFACES[0][1], STEPS, lrs, **hp
    )
    np.testing.assert_allclose(result.path, expected, rtol=1e-7, atol=1e-12)


def test_sm3_on_a_vector_is_adagrad_with_momentum():
    """The SM3 row's note: at momentum 0 it is the Adagrad row from G₀ = 0 with ε = 1e-8."""
    runs = (
        OptRun.of("sm3", lr=0.1, momentum=0.0),
        OptRun.of("adagrad", lr=0.1, initial_accumulator_value=0.0, eps=1e-8),
    )
    sm3, adagrad = simulate(Scenario(surface="himmelblau", runs=runs, steps=STEPS)).runs
    np.testing.assert_array_equal(sm3.path, adagrad.path)
    with_momentum = simulate(Scenario(surface="himmelblau", runs=(OptRun.of("sm3", lr=0.1),), steps=STEPS)).runs[0]
    assert np.abs(with_momentum.path - adagrad.path).max() > 1e-2


@pytest.mark.parametrize(("lr", "stable"), [(0.6, True), (0.7, False)])
def test_optimistic_gd_is_stable_below_two_thirds_over_h(lr, stable):
    """The note's claim: with α = β = 1 on a bowl of curvature h it is stable only for lr·h < 2/3."""
    scenario = Scenario(surface="quadratic", runs=(OptRun.of("optimistic_gd", lr=lr),), steps=500, starts=((1.0, 0.0),))
    run = simulate(scenario).runs[0]
    assert (run.diverged_at is None and abs(run.path[-1, 0]) < 1e-6) if stable else run.diverged_at is not None


def test_a_row_without_a_schedule_runs_at_a_constant_lr():
    """Rprop's lr is its first step size: a schedule changes neither its path nor the lr shown."""
    run = OptRun.of("rprop", lr=0.01)
    paths = [
        simulate(Scenario(surface="himmelblau", runs=(run,), steps=100, schedule=s)).runs[0]
        for s in ("constant", "cosine")
    ]
    np.testing.assert_array_equal(paths[0].path, paths[1].path)
    assert set(paths[1].lr) == {0.01}


def test_loss_value_optimizers_need_a_known_minimum():
    """Polyak SGD and MoMo aim at f*, the lowest known minimum value: on a custom formula, which has
    none, the link drops them with a warning and a direct `Scenario` refuses them."""
    parsed = Scenario.from_query("surface=custom&f=x%5E2%2By%5E2&opt=polyak_sgd&opt=momo&opt=adam")
    assert [r.name for r in parsed.scenario.runs] == ["adam"]
    assert [w for w in parsed.warnings if "f*" in w] == [
        f"{t} needs the surface's minimum value f*, and this surface has no known minimum: run {n} dropped"
        for t, n in (("Polyak SGD", "polyak_sgd"), ("MoMo", "momo"))
    ]
    with pytest.raises(ValueError, match="needs the surface's minimum value f"):
        Scenario(surface="custom", formula="x^2+y^2", runs=(OptRun.of("momo"),))
    assert Scenario(surface="six_hump_camel", runs=(OptRun.of("momo"),)).f_star == pytest.approx(-1.0316, abs=1e-4)


def test_loss_value_optimizers_on_mini_batches_take_the_batchs_loss():
    """On a batched data surface the Polyak step is sized from the mini-batch's loss, the loss of
    the points its gradient comes from: the path differs from the full-batch one, and MoMo's
    velocity (which would need those losses) is not replayed."""
    from optviz.engine import velocities

    link = "surface=linear_regression:n=12&steps=60&seed=4&opt=polyak_sgd:lr=1&opt=momo:lr=1"
    full, batched = (simulate(Scenario.from_query(link + extra).scenario) for extra in ("", "&batch=3"))
    for a, b in zip(full.runs, batched.runs, strict=True):
        assert np.isfinite(b.path).all() and np.abs(a.path - b.path).max() > 1e-3
    assert velocities(batched)[1] is None and velocities(full)[1] is not None


def test_sam_takes_its_second_gradient_with_the_steps_noise():
    """On a noisy surface the gradient at θ + ε carries the same noise draw ξ_t as the step's own
    (what a training loop computing both on one batch sees): θ_{t+1} = θ_t − η(∇f(θ_t + ε_t) + ξ_t)
    with ε_t = ρ g_t/‖g_t‖, g_t the recorded (noisy) gradient; the velocity is not replayed."""
    from optviz.engine import velocities

    sigma, lr, rho = 0.5, 0.1, 0.2
    scenario = Scenario(
        surface="noisy_quadratic",
        surface_params=(("sigma", sigma),),
        runs=(OptRun.of("sam", lr=lr, rho=rho),),
        steps=STEPS,
        starts=((2.0, 1.5),),
        seed=7,
    )
    result = simulate(scenario)
    run = result.runs[0]
    assert run.diverged_at is None

    def exact(p):
        return p * np.array([1.0, 0.1])

    noise = run.grad - exact(run.path[:-1])
    assert 0.3 < noise.std() < 0.7  # the draw is there
    epsilon = rho * run.grad / np.linalg.norm(run.grad, axis=1, keepdims=True)
    expected = run.path[:-1] - lr * (exact(run.path[:-1] + epsilon) + noise)
    np.testing.assert_allclose(run.path[1:], expected, rtol=1e-12, atol=1e-14)
    assert velocities(result) == [None]


@pytest.mark.parametrize("name", ["schedule_free_sgd", "schedule_free_adamw"])
def test_schedule_free_reports_the_papers_average_beside_its_path(name):
    """`engine.averages` (drawn dotted beside the path y) is the paper's x_t of eq. (3), as the
    reference keeps it in its own state; x is not y, and other optimizers have none."""
    start = (-1.5, 2.0)
    run = OptRun.of(name, lr=TEST_LR.get(name, 1e-3), b1=0.8)
    scenario = Scenario(surface="rosenbrock", runs=(run,), steps=STEPS, starts=(start,))
    result = simulate(scenario)
    hp, _ = loss_inputs(name, scenario, run.hyperparams)
    lr = hp.pop("lr")
    state, p, xs = {}, np.array(start), [np.array(start)]
    for _ in range(STEPS):
        p = p + reference.UPDATES[name](state, reference.GRADIENTS["rosenbrock"](*p), p, lr, **hp)
        xs.append(state["x"].copy())
    drawn = averages(result, 0)[0]
    np.testing.assert_allclose(drawn, np.array(xs), rtol=1e-7, atol=1e-12)
    assert np.abs(drawn - result.runs[0].path).max() > 1e-3
    assert averages(simulate(dataclasses.replace(scenario, runs=(OptRun.of("adam"),))), 0) is None
    assert averages(simulate(dataclasses.replace(scenario, runs=(OptRun.of(name, b1=0.0),))), 0) is None
