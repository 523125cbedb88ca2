"""Generated framework code against `simulate`: every snippet is executed.

For each framework, links on Booth's bowl from (-8, 8) (each optimizer at its registry
default lr, which keeps it travelling) run every optimizer the framework has with a constant
and a decaying lr, and every schedule with three optimizers that meet the lr differently
(`CASES`); each run's code runs its own 200-step loop in float64 in a fresh namespace, and
its recorded ``path`` must match the app's path to rtol 1e-6 (Keras rounds a scheduled rate
to float32: atol 1e-6 there, as in test_conventions).
"""

import ast
import os
import re
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
import torch

from optviz import Scenario, simulate
from optviz.conventions import TITLES, available
from optviz.expressions import render
from optviz.optimizers import OPTIMIZERS
from optviz.schedules import SCHEDULES, multipliers
from optviz.snippets import FRAMEWORKS, run_code, scenario_code
from surfaces import SURFACES

keras.config.set_floatx("float64")
torch.set_default_dtype(torch.float64)

STEPS = 200
# Registry schedules with parameters that make them change within 200 steps; cosine and
# polynomial twice, to reach both PyTorch's built-in and its LambdaLR form. A schedule not
# listed runs at its defaults (`schedule_cases`).
SCHEDULE_EXAMPLES = (
    "constant",
    "step:transition_steps=50,decay_rate=0.5",
    "exponential:transition_steps=50",
    "inverse_time:decay_steps=50",
    "cosine:decay_steps=150,alpha=0.1",
    "cosine:decay_steps=300",
    "warmup_cosine:warmup_steps=30,decay_steps=150,init_value=0.1,end_value=0.05",
    "linear_warmup_decay:warmup_steps=30,decay_steps=150,end_value=0.1",
    "one_cycle:transition_steps=150",
    "cyclic:step_size=40,base_ratio=0.2",
    "polynomial:transition_steps=150",
    "polynomial:transition_steps=150,end_value=0.2,power=1.5",
)


def schedule_cases() -> list[str]:
    """`SCHEDULE_EXAMPLES`, then every other registry schedule at its defaults, which must
    change the rate within `STEPS` (or the written-out code would meet a constant rate)."""
    listed = {case.split(":")[0] for case in SCHEDULE_EXAMPLES}
    others = [name for name in SCHEDULES if name not in listed]
    for name in others:
        assert np.ptp(multipliers(name, SCHEDULES[name].defaults(), STEPS)) > 0.1, f"list {name} in SCHEDULE_EXAMPLES"
    return [*SCHEDULE_EXAMPLES, *others]


def lr(name: str) -> float:
    """The optimizer's registry default lr: from (-8, 8) on Booth's bowl every optimizer is still
    travelling after 200 steps at it (away from the minimum, where adaptive and sign steps
    bounce and two implementations drift apart in the last bits)."""
    return OPTIMIZERS[name].defaults()["lr"]


# An optimizer's call is written the same whatever schedule feeds it its lr, and a schedule
# the same whatever optimizer takes it, so the cases are every optimizer under two schedules
# and every schedule under three optimizers that meet the lr differently: plain steps (sgd),
# a velocity that accumulates lr-scaled (Keras) or raw (PyTorch, optax) steps (momentum),
# and a bias-corrected adaptive step (adam). A wrong call shows in the first, a wrong
# schedule in the second; the full product (12 schedules × every optimizer) ran each piece
# of code five times more, and Keras's eager loop is ~1 s a run (~5 s with a warm-up).
EVERY_OPTIMIZER = (SCHEDULE_EXAMPLES[0], SCHEDULE_EXAMPLES[4])  # constant, and a cosine decay to 0.1
BY_SCHEDULE = ("sgd", "momentum", "adam")


def optimizers(framework: str) -> list[str]:
    return [n for n, why in available(framework).items() if why is None]


def cases() -> list[tuple[str, str, tuple[str, ...]]]:
    """(framework, schedule, optimizers) of each snippet test."""
    out = []
    for framework in FRAMEWORKS:
        out += [(framework, schedule, tuple(optimizers(framework))) for schedule in EVERY_OPTIMIZER]
        out += [(framework, schedule, BY_SCHEDULE) for schedule in schedule_cases() if schedule not in EVERY_OPTIMIZER]
    return out


def links(framework: str, schedule: str, names: tuple[str, ...]) -> list[str]:
    """``names`` under ``schedule`` in ``framework``, ≤ 7 runs a link. A run takes ~0.05 s in
    PyTorch, ~0.5 s in optax (one compile), ~1 s in Keras (its eager apply_gradients, ~5 ms
    a step here). Each optimizer runs at its registry default lr (`lr`)."""
    head = f"conv={framework}&surface=booth&start=-8,8&steps={STEPS}&schedule={schedule}"
    return [head + "".join(f"&opt={n}:lr={lr(n)}" for n in names[i : i + 7]) for i in range(0, len(names), 7)]


def test_the_cases_cover_every_optimizer_and_schedule():
    for framework in FRAMEWORKS:
        runs = {
            (schedule.split(":")[0], r.name)
            for f, schedule, names in cases()
            if f == framework
            for link in links(f, schedule, names)
            for r in Scenario.from_query(link).scenario.runs
        }
        assert {name for _, name in runs} == set(optimizers(framework))
        assert {schedule for schedule, _ in runs} == set(SCHEDULES)
        assert {(s, n) for s, n in runs if n in BY_SCHEDULE} == {(s, n) for s in SCHEDULES for n in BY_SCHEDULE}


def execute(code: str) -> dict:
    namespace: dict = {}
    exec(compile(code, "<snippet>", "exec"), namespace)
    return namespace


def check_runs(link: str, framework: str | None = None, atol: float = 1e-12) -> Scenario:
    scenario, warnings = Scenario.from_query(link)
    assert warnings == []
    result = simulate(scenario)
    for i, run in enumerate(result.runs):
        assert run.diverged_at is None
        code = run_code(scenario, i, framework, result=result)
        path = np.array(execute(code)["path"])
        np.testing.assert_allclose(path, run.path, rtol=1e-6, atol=atol, err_msg=f"{run.run.label}\n{code}")
        x, y = run.path[-1]
        assert code.rstrip().endswith(f"# OptViz: [{x:.8g}, {y:.8g}]")
    return scenario


@pytest.mark.parametrize(
    ("framework", "schedule", "names"),
    cases(),
    ids=[f"{f}-{s.split(':')[0]}-{'all' if len(n) > len(BY_SCHEDULE) else 'three'}" for f, s, n in cases()],
)
def test_every_snippet_follows_the_path_shown(framework, schedule, names):
    started = time.perf_counter()
    keras_scheduled = framework == "keras" and schedule != "constant"
    for link in links(framework, schedule, names):
        check_runs(link, atol=1e-6 if keras_scheduled else 1e-12)
    print(f"{framework} {schedule}: {time.perf_counter() - started:.1f} s")


def test_snippets_use_the_frameworks_own_names():
    scenario = Scenario.from_query(links("pytorch", "cosine:decay_steps=300", ("rmsprop",))[0]).scenario
    code = run_code(scenario, 0, loop=False)
    assert "torch.optim.RMSprop(model.parameters(), lr=0.01, alpha=0.99, eps=1e-08, momentum=0.0" in code
    assert "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=300, eta_min=0.0)" in code
    keras_code = run_code(Scenario.from_query("conv=keras&opt=rmsprop:lr=0.001&schedule=step").scenario, 0, loop=False)
    assert "keras.optimizers.RMSprop(learning_rate=learning_rate, rho=0.9, momentum=0.0, epsilon=1e-07" in keras_code
    assert "keras.optimizers.schedules.ExponentialDecay(0.001, decay_steps=100, decay_rate=0.5, staircase=True)" in (
        keras_code
    )
    optax_code = run_code(Scenario.from_query("opt=adam:lr=0.01,b1=0.8&schedule=cyclic").scenario, 0, loop=False)
    assert "optax has no built-in cyclic (triangular) schedule" in optax_code
    assert "optax.adam(learning_rate, b1=0.8, b2=0.999, eps=1e-08)" in optax_code
    assert "for t in range" not in optax_code and "import jax.numpy as jnp" in optax_code


def test_a_framework_without_the_optimizer_says_so():
    scenario = Scenario.from_query("opt=lion:lr=0.001&opt=signsgd:lr=0.01&opt=adam:lr=0.01").scenario
    lion, signsgd, adam = (run_code(scenario, i, "pytorch") for i in range(3))
    assert "PyTorch has no Lion: no PyTorch code is written for this run." in lion
    assert "torch" not in lion.replace("PyTorch", "") and "import" not in signsgd
    assert "torch.optim.Adam(" in adam
    keras_adadelta = Scenario.from_query("conv=keras&opt=adadelta:lr=1,weight_decay=0.1").scenario
    assert "Keras 3's Adadelta decays weights decoupled" in run_code(keras_adadelta, 0)


def test_another_frameworks_code_says_whether_it_follows_the_path():
    # PyTorch's Adam is optax's rule: its code reproduces the optax run. Keras's momentum
    # is not (lr inside the velocity): under a schedule the paths part.
    same = "surface=booth&start=-8,8&steps=200&opt=adam:lr=0.01&schedule=cosine:decay_steps=150"
    check_runs(same, "pytorch")
    code = run_code(Scenario.from_query(same).scenario, 0, "pytorch")
    assert "PyTorch defines Adam by the same rule as optax: this code follows the path shown." in code
    other = Scenario.from_query(same.replace("adam:lr=0.01", "momentum:lr=0.001")).scenario
    code = run_code(other, 0, "keras")
    assert "Not the path shown" in code and "choose conv=keras" in code
    assert execute(code)["path"][-1] != pytest.approx(simulate(other).runs[0].path[-1].tolist(), rel=1e-6)


def test_noise_is_reproduced_where_the_loop_draws_it_from_jax():
    link = "surface=noisy_quadratic:sigma=0.5&start=2,2&steps=200&seed=3&opt=adam:lr=0.01&opt=momentum:lr=0.05"
    check_runs(link)
    check_runs("conv=keras&" + link.split("&opt=momentum")[0])
    code = run_code(Scenario.from_query("conv=pytorch&" + link).scenario, 0)
    assert "this loop leaves it out, so its path differs" in code


def test_sam_code_passes_the_second_gradient_with_the_steps_noise():
    """SAM's optax loop hands ``update`` a ``grad_fn`` that takes the gradient at another point
    with the step's own noise draw, and follows the path shown."""
    link = "surface=noisy_quadratic:sigma=0.5&start=2,1.5&steps=200&seed=3&opt=sam:lr=0.1,rho=0.2"
    scenario = check_runs(link)
    code = run_code(scenario, 0)
    assert "optimizer.update(noisy(xy, t), state, xy, grad_fn=lambda q, _: noisy(q, t))" in code
    sam = "optax.contrib.sam(optax.sgd(0.1), optax.chain(optax.contrib.normalize(), optax.sgd(0.2)), sync_period=2"
    assert sam in code


def test_lbfgs_code_hands_the_line_search_the_loss_whose_gradient_the_step_takes():
    """L-BFGS's optax loop passes value, gradient and the loss as a function; with gradient noise
    that function is f tilted by the step's noise, so its gradient is the noisy one, and the path
    (line-search decisions included) is the one shown while the search sees more slope than noise
    (measured: agreement to 1e-15 for 28 steps here, after which last-bit differences choose
    other trial lengths, as between any two implementations)."""
    link = "surface=noisy_quadratic:sigma=0.5&start=2,1.5&steps=25&seed=3&opt=lbfgs"
    code = run_code(check_runs(link), 0)
    assert "optimizer.update(g, state, xy, value=value, grad=g, value_fn=fn)" in code
    assert "fn = lambda q: f(q[0], q[1]) + 0.5 * jax.random.normal(jax.random.fold_in(key, t), (2,)) @ q" in code
    code = run_code(check_runs("surface=rosenbrock&start=-1.5,2&steps=60&opt=lbfgs"), 0)
    assert "fn = lambda q: f(q[0], q[1])  # the step's loss" in code and "noisy" not in code


def test_sophia_code_probes_the_steps_loss_with_the_engines_key():
    """Sophia's optax loop hands ``update`` the step's loss (``obj_fn``) and builds Hutchinson's
    estimator on the key the engine derives for the optimizer's own draws: the probes, and so the
    path, are the ones shown, also with gradient noise."""
    link = "surface=noisy_quadratic:sigma=0.5&start=2,1.5&steps=60&seed=3&opt=sophia:lr=0.05,gamma=1"
    code = run_code(check_runs(link), 0)
    assert "optimizer.update(noisy(xy, t), state, xy, obj_fn=fn)" in code
    assert "hutchinson_estimator_diag_hessian(random_seed=own_key)" in code
    assert "own_key = jax.random.fold_in(jax.random.fold_in(jax.random.key(3), 0), 0xffffffff)" in code


def test_mini_batch_code_draws_the_engines_batches_and_follows_the_path():
    """On mini-batches the JAX loops draw each step's batch as the engine does (`batch(t)`) and
    take every gradient, loss, gradient elsewhere and loss function over it: the paths are the
    ones shown, for rows that take the loss (Polyak), a second gradient (SAM), a line search
    (L-BFGS) and a Hessian probe (Sophia). PyTorch's loop says it takes the full batch."""
    link = "surface=linear_regression:n=12&seed=4&steps=40&batch=3&opt=sgd:lr=0.05&opt=polyak_sgd:lr=1"
    link += "&opt=sam:lr=0.05,rho=0.1&opt=lbfgs&opt=sophia:lr=0.05,gamma=1"
    # atol: the loop's batch mean and the engine's weighted sum round differently (1e-16), which
    # L-BFGS's line search carries to ~1e-11 by step 40 (measured; past step 42 here a trial length
    # falls the other side of a Wolfe condition and the paths part, as between any two programs).
    scenario = check_runs(link, atol=1e-9)
    code = run_code(scenario, 2)
    assert "points = batch(t)" in code and "grad_fn=lambda q, _: grad(q, points)" in code
    assert "value=f(xy[0], xy[1], X[points], Y[points])" in run_code(scenario, 1)
    check_runs("conv=keras&" + link.split("&opt=polyak_sgd")[0])
    code = run_code(Scenario.from_query("conv=pytorch&" + link).scenario, 0)
    assert "this loop takes the full batch, so its path differs" in code


@pytest.mark.parametrize(
    "surface",
    [
        "linear_regression:n=12,mean=1",
        "logistic_regression:n=20,scale=3,corr=0.5",
        "neuron:n=9",
        "neuron&points=-2:-1.1,-0.5:-0.4,0.3:0.35,1:0.8,2.5:0.95",  # a person's own points
    ],
)
def test_data_surface_code_builds_the_data_and_follows_the_path(surface):
    link = f"surface={surface}&steps=100&seed=4&opt=adam:lr=0.05&opt=sgd:lr=0.1"
    check_runs(link)
    check_runs(link, "pytorch")
    check_runs("conv=keras&" + link.split("&opt=sgd")[0])
    batched = Scenario.from_query(link + "&batch=3").scenario
    assert "mini-batch of 3 points" in run_code(batched, 0) and "mini-batch" not in run_code(
        Scenario.from_query(link).scenario, 0
    )


def test_a_custom_formula_is_rewritten_from_its_checked_tree():
    """The formula's own text never reaches the code; constants that overflow give inf in
    the array library as in the app, instead of an error or a never-ending Python power."""
    link = "surface=custom&f=min(x,%209%5E9%5E9%5E9)%5E2%20%2B%20sin(1)*y%5E2%20%2B%200.1*cos(pi*x)&start=2,1&steps=200"
    link += "&opt=adam:lr=0.01&opt=sgd:lr=0.05"
    scenario = check_runs(link)
    check_runs("conv=pytorch&" + link)
    code = run_code(scenario, 0)
    assert "jnp.minimum(x, jnp.float64(9.0) ** jnp.float64(9.0) ** jnp.float64(9.0) ** 9.0) ** 2.0" in code
    assert "9^9" not in code


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_code_holds_only_numbers_and_known_names(framework):
    link = (
        "surface=custom&f=x%5E2%20%2B%20exp(y)%2F(1%2Bsqrt(abs(x)))%20-%20tanh(x*y)&domain=-2,2,-2,2"
        f"&conv={framework}&steps=50&schedule=cyclic&opt=sgd:lr=0.01&opt=adam:lr=0.001"
    )
    scenario = Scenario.from_query(link).scenario
    code = scenario_code(scenario)
    allowed = {
        "jax",
        "jnp",
        "optax",
        "keras",
        "torch",
        "math",
        "os",
        "f",
        "x",
        "y",
        "xy",
        "t",
        "grad",
        "step",
        "state",
        "updates",
        "path",
        "optimizer",
        "scheduler",
        "learning_rate",
        "Schedule",
        "self",
        "print",
        "range",
        "min",
        "max",
        "abs",
        "lambda",
        "noisy",
        "key",
        "fn",
        "own_key",
        "q",
        "value",
        "g",
        "count",
        "schedule",
        "float",
    }
    names = {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}
    assert names <= allowed
    strings = {n.value for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert strings <= {"jax_enable_x64", "float64", "KERAS_BACKEND", "jax"}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_custom_formula_with_comparisons_follows_its_path(framework):
    """A user's formula in the whole vocabulary the surfaces' rows use (``where``, a
    comparison, ``floor``): its code in each framework follows the path shown."""
    f = "where(x %3E 0, x^2, 0.5*x^2) %2B (y %3E 1)*y^2 %2B y^2 %2B 0.01*floor(x)"
    link = f"conv={framework}&surface=custom&f={f}&domain=-3,3,-3,3&start=2,1.5&opt=momentum:lr=0.1&steps=60"
    scenario = check_runs(link, framework)
    path = simulate(scenario).runs[0].path
    assert (path[:, 0] < 0).any() and (path[:, 1] < 1).any()  # both branches of each comparison taken


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_turned_quadratics_code_follows_its_path(framework):
    """The quadratic turned by 30°: its angle reaches the code through the row's formula."""
    check_runs(f"conv={framework}&surface=quadratic:angle=30&start=2,1&opt=momentum:lr=0.1&steps=60", framework)


def parameter_draws(surface, count: int = 4) -> list[dict]:
    """The surface's defaults, then ``count`` draws of every parameter inside its range."""
    rng = np.random.default_rng(1)
    draws = [surface.defaults()]
    for _ in range(count):
        draws.append(
            {
                p.name: (int(rng.integers(p.lo, p.hi + 1)) if p.kind == "int" else float(rng.uniform(p.lo, p.hi)))
                for p in surface.params
            }
        )
    return draws


@pytest.mark.parametrize("name", [name for name, s in SURFACES.items() if s.data is None])
def test_each_surface_formula_is_the_registry_function(name):
    """The row's formula, written for JAX and PyTorch, equals its JAX function (value and
    gradient) at random points, at the defaults and at random values of every parameter."""
    surface = SURFACES[name]
    for params in parameter_draws(surface):
        check_formula(surface, params)


def check_formula(surface, params: dict) -> None:
    (x0, x1), (y0, y1) = surface.domain
    points = np.random.default_rng(0).uniform([x0, y0], [x1, y1], (25, 2))
    jnp_f = eval(f"lambda x, y: {render(surface.formula, 'jnp', values=params)}", {"jnp": jnp})
    torch_f = eval(
        f"lambda x, y: {render(surface.formula, 'torch', values=params)}", {"torch": torch, "math": __import__("math")}
    )
    ref_grad = jax.grad(lambda p: surface.fn(p[0], p[1], **params))
    for p in points:
        np.testing.assert_allclose(jnp_f(*p), surface.fn(*p, **params), rtol=1e-13)
        t = torch.tensor(p, requires_grad=True)
        value = torch_f(t[0], t[1])
        value.backward()
        np.testing.assert_allclose(value.item(), surface.fn(*p, **params), rtol=1e-13)
        np.testing.assert_allclose(t.grad.numpy(), ref_grad(jnp.array(p)), rtol=1e-12, atol=1e-12)
    if surface.name == "ackley":  # the guarded root: gradient 0 at the cone's tip, as the registry's
        t = torch.zeros(2, requires_grad=True)
        torch_f(t[0], t[1]).backward()
        assert t.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("name", SCHEDULES)
def test_each_schedule_formula_is_the_registry_schedule(name):
    spec = SCHEDULES[name]
    variants = [spec.defaults()]
    if "warmup_steps" in variants[0]:
        variants.append({**variants[0], "warmup_steps": 0})
    for params in variants:
        expected = multipliers(name, params, 1200)
        values = spec.values(params)
        t = np.arange(1200)
        python = eval(f"lambda t: {render(spec.formula, 'math', ('t',), values)}", {"math": __import__("math")})
        jax_ = eval(f"lambda t: {render(spec.formula, 'jnp', ('t',), values)}", {"jnp": jnp})
        keras_ = eval(
            f"lambda t: {render(spec.formula, 'keras', ('t',), values)}",
            {"keras": keras, "math": __import__("math")},
        )
        np.testing.assert_allclose([python(int(k)) for k in t], expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(jax_(jnp.asarray(t)) + 0 * t, expected, rtol=1e-12, atol=1e-15)
        # keras.ops returns float32 here (its rates are float32 in the optimizer too)
        np.testing.assert_allclose(
            np.asarray(keras_(keras.ops.cast(t, "float64"))) + 0 * t, expected, rtol=1e-6, atol=1e-7
        )


def test_every_run_is_headed_by_what_it_is():
    scenario = Scenario.from_query("conv=keras&opt=adam:lr=0.01&opt=radam:lr=0.01&opt=sgd:lr=0.1").scenario
    code = scenario_code(scenario, "keras", loop=False)
    heads = re.findall(r"^# Run \d of \d: .*$", code, flags=re.M)
    assert heads == [
        f"# Run {i} of 2: {t}, constant schedule, in {TITLES['keras']}."
        for i, t in ((1, "Adam (adam lr=0.01)"), (2, "SGD (sgd lr=0.1)"))
    ]


def test_cli_prints_the_code_of_every_run(capsys):
    from optviz.cli import main

    link = "conv=pytorch&surface=booth&start=-8,8&steps=200&opt=adam:lr=0.01&opt=lion:lr=0.001"
    assert main(["code", link]) == 0  # the link parser drops lion, with a warning
    out, err = capsys.readouterr()
    assert "PyTorch has no Lion: run lion dropped" in err
    path = execute(out)["path"]
    np.testing.assert_allclose(path, simulate(Scenario.from_query(link).scenario).runs[0].path, rtol=1e-6, atol=1e-12)
    main(["code", link, "--framework", "optax", "--no-loop"])
    out = capsys.readouterr().out
    assert "optimizer = optax.adam(0.01, b1=0.9, b2=0.999, eps=1e-08)" in out and "for t in" not in out


def test_the_exported_page_holds_the_code():
    import html

    from optviz import export

    link = "conv=keras&surface=booth&steps=20&opt=nadam:lr=0.01&schedule=linear_warmup_decay"
    scenario = Scenario.from_query(link).scenario
    result = simulate(scenario)
    page = export.html(result)
    shown = html.unescape(re.search(r'<pre id="optviz-code">(.*?)</pre>', page, flags=re.S).group(1))
    assert shown == scenario_code(scenario, result=result)
    assert "return 0.01 * (keras.ops.where(t < 50, t / 50, 1 - keras.ops.minimum(t - 50, 450) / 450))" in shown
    assert "<" not in page.split('<pre id="optviz-code">')[1].split("</pre>")[0]  # escaped


def test_the_code_panel_shows_each_run_for_the_chosen_framework():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=120)
    at.query_params["conv"] = "keras"
    at.query_params["opt"] = ["adam:lr=0.01", "sgd:lr=0.001"]
    at.query_params["surface"] = "booth"
    at.run()
    assert not [c for c in at.code if c.language == "python"]  # written only while the menu is open
    at.session_state["code_menu"] = True  # the popover opened
    at.run()
    scenario = Scenario.from_query("conv=keras&surface=booth&opt=adam:lr=0.01&opt=sgd:lr=0.001").scenario
    result = simulate(scenario)
    shown = [c.value for c in at.code if c.language == "python"]
    assert shown == [run_code(scenario, i, "keras", result=result).rstrip() for i in range(2)]  # as st.code shows it
    at.radio(key="code_framework.keras").set_value("pytorch").run()
    at.checkbox(key="code_loop").set_value(False).run()
    shown = [c.value for c in at.code if c.language == "python"]
    assert shown == [run_code(scenario, i, "pytorch", loop=False).rstrip() for i in range(2)]
    assert "torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.0, nesterov=False)" in shown[1]
    at.session_state["code_menu"] = False  # closed and opened again: the choices are kept
    at.run()
    at.session_state["code_menu"] = True
    at.run()
    assert [c.value for c in at.code if c.language == "python"] == shown
    assert not at.exception
