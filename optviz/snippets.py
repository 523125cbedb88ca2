r"""Every run of a scenario as optax, Keras 3 or PyTorch code that reproduces its path.

`run_code(scenario, i, framework)` writes run ``i``'s optimizer and learning-rate
schedule as that framework's own calls (``optax.adam(...)``,
``keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.CosineDecay(...))``,
``torch.optim.Adam(...)`` with a ``torch.optim.lr_scheduler``), every hyperparameter
written out, and optionally a short loop that runs it on the scenario's surface from its
first start point in float64, recording ``path`` as OptViz does. The optimizer's call comes
from its rows (`optviz.conventions.framework_call`): optax's from its registry row, Keras's
and PyTorch's from its `VARIANTS` rows.

Which framework's rule: the framework a run is defined by (``conv=``) is the default. A
run shown under another framework's definition gets that framework's code only where
both define the optimizer by the same rule; otherwise the code is still written and its
first lines say that it follows the framework's own rule, not the path shown. A
framework without the optimizer gets a comment saying so; nothing is substituted. A
schedule the framework has no built-in for is written out (a function for optax, a
``LearningRateSchedule`` subclass for Keras, ``LambdaLR`` for PyTorch; `optviz.schedule_code`) with a comment
saying why. The loops take gradients with ``jax.grad`` (optax, and Keras on its JAX
backend) or autograd (PyTorch), of the surface written by `optviz.expressions`.

Only numbers and registry names from a link reach the code: values are written as
literals, names come from the registries, a custom formula is re-written from its
checked syntax tree.
"""

from __future__ import annotations

import dataclasses
import re

from optviz.conventions import CONVENTIONS, TITLES, VARIANTS, Unavailable, framework_call, resolve
from optviz.data_code import batch_code, data_loss
from optviz.engine import Result
from optviz.expressions import literal, render
from optviz.kernel import OWN_DRAWS
from optviz.scenario import CUSTOM, OptRun, Scenario
from optviz.schedule_code import keras_schedule, optax_schedule, torch_scheduler
from optviz.schedules import SCHEDULES
from surfaces.data import points

FRAMEWORKS = CONVENTIONS
_LR = {"optax": None, "keras": "learning_rate", "pytorch": "lr"}  # optax takes it first, by position
OWN_KEY = "own_key"  # the name the code gives an optimizer's own key (`Optimizer.random`)


# --- the optimizer ----------------------------------------------------------------------------
def _missing(run: OptRun, framework: str) -> str | None:
    """Why ``framework`` cannot write this run, or None: it lacks the optimizer, has no
    checked row for it yet, or its call would apply one of the run's values by another rule."""
    try:
        theirs = resolve(run.name, framework)
    except Unavailable as err:
        return str(err)
    variant = VARIANTS.get(framework, {}).get(run.name)
    defaults = theirs.defaults()
    for name, why in getattr(variant, "unwritten", {}).items():
        if run.hyperparams[name] != defaults[name]:
            return why
    return None


def optimizer_call(run: OptRun, framework: str, lr: str, params: str = "", f_star: float | None = None) -> str:
    """``torch.optim.Adam(params, lr=0.01, betas=(0.9, 0.999), eps=1e-08)`` and the like; ``f_star``
    is the surface's minimum value, for a row that takes it (`Optimizer.f_star`). A row built
    from several optax calls writes its `Optimizer.optax_code`."""
    if framework == "optax" and run.optimizer.optax_code:
        return run.optimizer.optax_code.format(**{k: literal(v) for k, v in run.hyperparams.items()} | {"lr": lr})
    callee, mapping = framework_call(run.name, framework)
    hp = run.hyperparams | ({run.optimizer.f_star: f_star} if run.optimizer.f_star else {})
    args = [params] if params else []
    args.append(lr if _LR[framework] is None else f"{_LR[framework]}={lr}")
    for keyword, source in mapping:
        if callable(source):
            value = source(hp)
        else:
            value = tuple(hp[s] for s in source) if isinstance(source, tuple) else hp.get(source, source)
        if framework == "pytorch" and keyword == "nesterov" and value and not hp["momentum"]:
            value = False  # g + 0·v: with momentum 0 Nesterov's step is SGD's; torch.optim.SGD refuses the flag
        args.append(f"{keyword}={literal(value)}")
    if framework == "optax" and run.optimizer.random:
        args.append(f"key={OWN_KEY}")
    return f"{callee}({', '.join(args)})"


def _rule_note(run: OptRun, framework: str) -> list[str]:
    """A warning when ``framework`` defines the run's optimizer by another rule than its own."""
    if framework == run.convention:
        return []
    ours, theirs = resolve(run.name, run.convention), resolve(run.name, framework)
    if ours.build is theirs.build and ours.fixed == theirs.fixed:
        return [
            f"{TITLES[framework]} defines {ours.title} by the same rule as {TITLES[run.convention]}: "
            "this code follows the path shown."
        ]
    return [
        f"Not the path shown: the map shows {ours.title} as {TITLES[run.convention]} defines it, and "
        f"{TITLES[framework]} defines it by another rule. This code follows {TITLES[framework]}'s rule "
        f"with the same hyperparameters: choose conv={framework} to see its path."
    ]


# --- the loop ---------------------------------------------------------------------------------
def surface_formula(scenario: Scenario, target: str) -> str:
    """f(x, y) of the scenario's surface as ``target`` code, its parameters as numbers."""
    if scenario.surface == CUSTOM:
        return render(scenario.formula, target, strict=True)
    return render(scenario.surface_def.formula, target, values=dict(scenario.surface_params))


def _noise(scenario: Scenario) -> float:
    surface = scenario.surface_def
    return float(dict(scenario.surface_params)[surface.noise]) if surface.noise else 0.0


def _expected(result: Result | None, index: int) -> str:
    if result is None:
        return ""
    t = result.runs[index].trajectories[0]
    if t.diverged_at is not None:
        return f"  # OptViz: diverged at step {t.diverged_at}"
    x, y = (float(v) for v in t.path[-1])
    return f"  # OptViz: [{x:.8g}, {y:.8g}]"


def _loop_intro(scenario: Scenario, framework: str) -> list[str]:
    (x, y), surface = scenario.starts[0], scenario.surface_def
    where = f"from ({x:.17g}, {y:.17g})" + (
        f", the first of {len(scenario.starts)} starts" if len(scenario.starts) > 1 else ""
    )
    lines = [f"# {scenario.steps} steps on {surface.title} {where}, in float64 as OptViz runs them."]
    if _noise(scenario) and framework == "pytorch":
        lines.append(
            "# OptViz adds Gaussian noise to each gradient from JAX's random stream; this loop leaves it "
            "out, so its path differs."
        )
    if _batched(scenario):
        lines.append(
            f"# Each step's gradient is the mean over a mini-batch of {scenario.batch} points, drawn as OptViz "
            "draws them (optviz.batches)."
            if framework != "pytorch"
            else f"# OptViz draws each step's gradient from a mini-batch of {scenario.batch} points "
            "(optviz.batches) from JAX's random stream; this loop takes the full batch, so its path differs."
        )
    return lines


def _batched(scenario: Scenario) -> bool:
    """The engine's gradients are mini-batch means (`optviz.kernel`): a data surface, 0 < B < n."""
    data = scenario.surface_def.data is not None
    return data and 0 < scenario.batch < points(dict(scenario.surface_params))


def _loss(scenario: Scenario, target: str) -> list[str]:
    """``def f(x, y)`` of the scenario's surface (with its data on a data surface)."""
    if scenario.surface_def.data is not None:
        return data_loss(scenario, target)
    return ["def f(x, y):", f"    return {surface_formula(scenario, target)}"]


def _jax_loss(scenario: Scenario) -> list[str]:
    """``f``, its gradient ``grad`` and, on mini-batches, ``batch(t)`` with ``grad(xy, points)``."""
    if _batched(scenario):
        grad = "grad = jax.jit(jax.grad(lambda xy, points: f(xy[0], xy[1], X[points], Y[points])))"
        return [*_loss(scenario, "jnp"), "", "", *batch_code(scenario), "", "", grad]
    return [*_loss(scenario, "jnp"), "", "", "grad = jax.jit(jax.grad(lambda xy: f(xy[0], xy[1])))"]


def _jax_gradient(scenario: Scenario, at: str) -> str:
    """Step t's gradient at ``at`` in the JAX loops: with the step's noise, over its mini-batch."""
    if _noise(scenario):
        return f"noisy({at}, t)"
    return f"grad({at}, points)" if _batched(scenario) else f"grad({at})"


def _jax_value(scenario: Scenario, at: str) -> str:
    """Step t's loss at ``at`` (a 2-vector) in the JAX loops: over its mini-batch."""
    over = ", X[points], Y[points]" if _batched(scenario) else ""
    return f"f({at}[0], {at}[1]{over})"


def _jax_noise(scenario: Scenario) -> list[str]:
    """The engine's noise for the first start: ``sigma · N(0, I)`` from ``fold_in(fold_in(key(seed), 0), t)``."""
    sigma = _noise(scenario)
    if not sigma:
        return []
    return [
        f"key = jax.random.fold_in(jax.random.key({scenario.seed}), 0)  # OptViz's gradient noise, start 0",
        f"noisy = lambda xy, t: grad(xy) + {literal(sigma)} * jax.random.normal(jax.random.fold_in(key, t), (2,))",
    ]


def _step_loss(scenario: Scenario) -> str:
    """Step t's loss as a function ``fn``, for a line search (`Optimizer.line_search`) or a
    Hessian probe (`Optimizer.hessian`): the loss whose gradient the step takes (with gradient
    noise, f tilted by ⟨σ·ξ_t, q⟩, whose gradient is f's plus the noise)."""
    sigma = _noise(scenario)
    tilt = f" + {literal(sigma)} * jax.random.normal(jax.random.fold_in(key, t), (2,)) @ q" if sigma else ""
    return f"    fn = lambda q: {_jax_value(scenario, 'q')}{tilt}  # the step's loss, as a function"


def _start(scenario: Scenario) -> str:
    x, y = (float(v) for v in scenario.starts[0])
    return f"[{literal(x)}, {literal(y)}]"


def _own_key(scenario: Scenario) -> list[str]:
    """The key of an optimizer's own draws (`Optimizer.random`) as the engine makes it for start 0."""
    return [
        f"{OWN_KEY} = jax.random.fold_in(jax.random.fold_in(jax.random.key({scenario.seed}), 0), {OWN_DRAWS:#x})"
        "  # OptViz's key for the optimizer's own draws, start 0"
    ]


def optax_code(scenario: Scenario, run: OptRun, loop: bool, expected: str) -> list[str]:
    lines, lr, notes = optax_schedule(scenario, run.lr)
    optimizer = resolve(run.name)  # optax's row: what its call takes, whatever the run's convention
    own = _own_key(scenario) if optimizer.random else []
    body = [*lines, *own, f"optimizer = {optimizer_call(run, 'optax', lr, f_star=scenario.f_star)}"]
    if loop:
        g = _jax_gradient(scenario, "xy")
        value = f", value={_jax_value(scenario, 'xy')}" if optimizer.needs_value else ""
        # The gradient at another point, as this step's own is taken (its noise draw, its batch).
        value += f", grad_fn=lambda q, _: {_jax_gradient(scenario, 'q')}" if optimizer.grad_evals > 1 else ""
        search = ["    points = batch(t)"] if _batched(scenario) else []
        if optimizer.line_search:
            search += [_step_loss(scenario), "    value, g = jax.value_and_grad(fn)(xy)"]
            g, value = "g", ", value=value, grad=g, value_fn=fn"
        if optimizer.hessian:
            search, value = [*search, _step_loss(scenario)], value + ", obj_fn=fn"
        body += [
            "",
            "",
            *_loop_intro(scenario, "optax"),
            *_jax_loss(scenario),
            *_jax_noise(scenario),
            "",
            "",
            "@jax.jit",
            "def step(xy, state, t):",
            *search,
            f"    updates, state = optimizer.update({g}, state, xy{value})",
            "    return optax.apply_updates(xy, updates), state",
            "",
            "",
            f"xy = jnp.array({_start(scenario)})",
            "state = optimizer.init(xy)",
            "path = [xy.tolist()]",
            f"for t in range({scenario.steps}):",
            "    xy, state = step(xy, state, t)",
            "    path.append(xy.tolist())",
            f"print(path[-1]){expected}",
        ]
    setup = ['jax.config.update("jax_enable_x64", True)'] if loop else []
    return _program(["import jax", "import jax.numpy as jnp", "import optax"], setup, body, notes)


def keras_code(scenario: Scenario, run: OptRun, loop: bool, expected: str) -> list[str]:
    lines, lr, notes = keras_schedule(scenario, run.lr)
    body = [*lines, f"optimizer = {optimizer_call(run, 'keras', lr)}"]
    if loop:
        g = _jax_gradient(scenario, "xy.value").replace("points", "batch(t)")
        body += [
            "",
            "",
            *_loop_intro(scenario, "keras"),
            *_jax_loss(scenario),
            *_jax_noise(scenario),
            "",
            f"xy = keras.Variable({_start(scenario)})",
            "path = [xy.value.tolist()]",
            f"for t in range({scenario.steps}):",
            f"    optimizer.apply_gradients([({g}, xy)])",
            "    path.append(xy.value.tolist())",
            f"print(path[-1]){expected}",
        ]
        imports = [
            "import os",
            "",
            'os.environ["KERAS_BACKEND"] = "jax"  # the loop takes gradients with JAX',
            "import jax",
            "import jax.numpy as jnp",
            "import keras",
        ]
        setup = ['jax.config.update("jax_enable_x64", True)', 'keras.config.set_floatx("float64")']
        return _program(imports, setup, body, notes)
    return _program(["import keras"], [], body, notes)


def torch_code(scenario: Scenario, run: OptRun, loop: bool, expected: str) -> list[str]:
    scheduler, notes = torch_scheduler(scenario, run.lr)
    params = "[xy]" if loop else "model.parameters()"
    body = [f"optimizer = {optimizer_call(run, 'pytorch', literal(run.lr), params)}"]
    if scheduler:
        body.append(f"scheduler = {scheduler}")
    if not loop:
        return _program(
            ["import torch"],
            [],
            body + (["# scheduler.step() after each optimizer.step()"] if scheduler else []),
            notes,
        )
    loss = [*_loss(scenario, "torch"), "", ""]
    variant = VARIANTS["pytorch"].get(run.name)
    if getattr(variant, "closure", False):  # its step() evaluates the loss and gradient itself
        take = ["    def closure():", "        optimizer.zero_grad()", "        loss = f(xy[0], xy[1])"]
        take += ["        loss.backward()", "        return loss", "", "    optimizer.step(closure)"]
    else:
        take = ["    optimizer.zero_grad()", "    f(xy[0], xy[1]).backward()", "    optimizer.step()"]
    steps = [
        *take,
        *(["    scheduler.step()"] if scheduler else []),
        "    path.append(xy.tolist())",
    ]
    body = [
        *_loop_intro(scenario, "pytorch"),
        *loss,
        f"xy = torch.tensor({_start(scenario)}, requires_grad=True)",
        *body,
        "path = [xy.tolist()]",
        f"for t in range({scenario.steps}):",
        *steps,
        f"print(path[-1]){expected}",
    ]
    return _program(["import torch"], ["torch.set_default_dtype(torch.float64)"], body, notes)


def _program(imports: list[str], setup: list[str], body: list[str], notes: list[str]) -> list[str]:
    """Notes as comments, the imports that the code uses (``math`` where it does), setup, body."""
    text = "\n".join([line for line in imports if not line.startswith("import ")] + setup + body)
    used = [line for line in imports if not line.startswith("import ") or re.search(rf"\b{line.split()[-1]}\.", text)]
    if re.search(r"\bmath\.", text):
        used.insert(0, "import math")
    return [*(f"# {note}" for note in notes), *used, "", *setup, *([""] if setup else []), *body]


WRITERS = {"optax": optax_code, "keras": keras_code, "pytorch": torch_code}


def run_code(
    scenario: Scenario, index: int, framework: str | None = None, *, loop: bool = True, result: Result | None = None
) -> str:
    """Run ``index`` of ``scenario`` as ``framework`` code (default: the scenario's own).

    With ``loop``, the code runs the optimizer on the scenario's surface and prints the
    final position (with ``result``, the final position OptViz computed, as a comment).
    """
    framework = framework or scenario.convention
    if framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework=}; one of {FRAMEWORKS}")
    run = scenario.runs[index]
    title = f"# Run {index + 1} of {len(scenario.runs)}: {run.optimizer.title} ({run.label}), "
    title += f"{SCHEDULES[scenario.schedule].title.lower()} schedule, in {TITLES[framework]}."
    if why := _missing(run, framework):
        return f"{title}\n# {why}: no {TITLES[framework]} code is written for this run.\n"
    notes = [f"# {note}" for note in _rule_note(run, framework)]
    if not run.optimizer.takes_schedule and scenario.schedule != "constant":
        notes.append(f"# {run.optimizer.title} runs at a constant lr: the schedule does not apply to it.")
        scenario = dataclasses.replace(scenario, schedule="constant", schedule_params=())
    return "\n".join([title, *notes, *WRITERS[framework](scenario, run, loop, _expected(result, index))]) + "\n"


def scenario_code(
    scenario: Scenario, framework: str | None = None, *, loop: bool = True, result: Result | None = None
) -> str:
    """Every run's `run_code`, one after another."""
    return "\n\n".join(run_code(scenario, i, framework, loop=loop, result=result) for i in range(len(scenario.runs)))
