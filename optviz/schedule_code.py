"""A run's learning-rate schedule written as code: an optax schedule, a Keras
``LearningRateSchedule`` or a PyTorch scheduler, each the framework's built-in where one matches
the registry's schedule (checked in tests/test_snippets.py), else the multiplier s(t) written
out from the schedule's formula (`optviz.expressions`)."""

from __future__ import annotations

from optviz.conventions import TITLES
from optviz.expressions import literal, render, scaled
from optviz.scenario import Scenario
from optviz.schedules import SCHEDULES


def _formula(scenario: Scenario, target: str) -> str:
    """The schedule's multiplier s(t) as ``target`` code."""
    spec = SCHEDULES[scenario.schedule]
    return render(spec.formula, target, ("t",), spec.values(dict(scenario.schedule_params)))


def _no_builtin(framework: str, scenario: Scenario, why: str = "") -> str:
    title = SCHEDULES[scenario.schedule].title.lower()
    return f"{TITLES[framework]} has no built-in {title} schedule{why}: it is written out, lr · s(t)."


def optax_schedule(scenario: Scenario, lr: float) -> tuple[list[str], str, list[str]]:
    """(definition lines, the learning-rate argument, notes) for optax."""
    p = dict(scenario.schedule_params)
    n = {k: literal(v) for k, v in p.items()}
    s = scenario.schedule
    calls = {
        "step": f"optax.exponential_decay({literal(lr)}, transition_steps={n.get('transition_steps')}, "
        f"decay_rate={n.get('decay_rate')}, staircase=True)",
        "exponential": f"optax.exponential_decay({literal(lr)}, transition_steps={n.get('transition_steps')}, "
        f"decay_rate={n.get('decay_rate')})",
        "cosine": f"optax.cosine_decay_schedule({literal(lr)}, decay_steps={n.get('decay_steps')}, "
        f"alpha={n.get('alpha')})",
        "warmup_cosine": f"optax.warmup_cosine_decay_schedule(init_value={scaled(lr, p.get('init_value', 0))}, "
        f"peak_value={literal(lr)}, warmup_steps={n.get('warmup_steps')}, decay_steps={n.get('decay_steps')}, "
        f"end_value={scaled(lr, p.get('end_value', 0))})",
        "linear_warmup_decay": f"optax.join_schedules([optax.linear_schedule(0, {literal(lr)}, "
        f"{n.get('warmup_steps')}), optax.linear_schedule({literal(lr)}, {scaled(lr, p.get('end_value', 0))}, "
        f"{literal(p.get('decay_steps', 0) - p.get('warmup_steps', 0))})], [{n.get('warmup_steps')}])",
        "one_cycle": f"optax.cosine_onecycle_schedule({n.get('transition_steps')}, {literal(lr)}, "
        f"pct_start={n.get('pct_start')}, div_factor={n.get('div_factor')}, "
        f"final_div_factor={n.get('final_div_factor')})",
        "polynomial": f"optax.polynomial_schedule(init_value={literal(lr)}, "
        f"end_value={scaled(lr, p.get('end_value', 0))}, power={n.get('power')}, "
        f"transition_steps={n.get('transition_steps')})",
    }
    if s == "constant":
        return [], literal(lr), []
    # optax counts steps in int32, and an int32 count divided by an int is float32 in JAX.
    cast = "learning_rate = lambda count: schedule(count.astype(float))  # the schedule in float64, as OptViz"
    fractional = s == "polynomial" and not float(p["power"]).is_integer()
    if s in calls and not fractional:
        return [f"schedule = {calls[s]}", cast], "learning_rate", []
    why = " that stays finite under jax.jit (optax.polynomial_schedule's base goes below 0 there)" if fractional else ""
    lines = ["def schedule(t):", f"    return {literal(lr)} * ({_formula(scenario, 'jnp')})", "", "", cast]
    return lines, "learning_rate", [_no_builtin("optax", scenario, why)]


def keras_schedule(scenario: Scenario, lr: float) -> tuple[list[str], str, list[str]]:
    """(definition lines, the learning-rate argument, notes) for Keras 3."""
    p = dict(scenario.schedule_params)
    n = {k: literal(v) for k, v in p.items()}
    s = scenario.schedule
    k = "keras.optimizers.schedules."
    calls = {
        "step": f"{k}ExponentialDecay({literal(lr)}, decay_steps={n.get('transition_steps')}, "
        f"decay_rate={n.get('decay_rate')}, staircase=True)",
        "exponential": f"{k}ExponentialDecay({literal(lr)}, decay_steps={n.get('transition_steps')}, "
        f"decay_rate={n.get('decay_rate')})",
        "inverse_time": f"{k}InverseTimeDecay({literal(lr)}, decay_steps={n.get('decay_steps')}, "
        f"decay_rate={n.get('decay_rate')})",
        "cosine": f"{k}CosineDecay({literal(lr)}, decay_steps={n.get('decay_steps')}, alpha={n.get('alpha')})",
        "warmup_cosine": f"{k}CosineDecay({scaled(lr, p.get('init_value', 0))}, "
        f"decay_steps={literal(p.get('decay_steps', 0) - p.get('warmup_steps', 0))}, alpha={n.get('end_value')}, "
        f"warmup_target={literal(lr)}, warmup_steps={n.get('warmup_steps')})",
        "polynomial": f"{k}PolynomialDecay({literal(lr)}, decay_steps={n.get('transition_steps')}, "
        f"end_learning_rate={scaled(lr, p.get('end_value', 0))}, power={n.get('power')})",
    }
    if s == "constant":
        return [], literal(lr), []
    if s in calls:
        return [f"learning_rate = {calls[s]}"], "learning_rate", []
    lines = [
        f"class Schedule({k}LearningRateSchedule):",
        "    def __call__(self, step):",
        '        t = keras.ops.cast(step, "float64")',
        f"        return {literal(lr)} * ({_formula(scenario, 'keras')})",
        "",
        "",
        "learning_rate = Schedule()",
    ]
    return lines, "learning_rate", [_no_builtin("keras", scenario)]


def torch_scheduler(scenario: Scenario, lr: float) -> tuple[str | None, list[str]]:
    """(the scheduler expression or None, notes) for PyTorch."""
    p = dict(scenario.schedule_params)
    n = {k: literal(v) for k, v in p.items()}
    s, last = scenario.schedule, scenario.steps - 1  # the last step whose rate a run uses
    t = "torch.optim.lr_scheduler."
    why = ""
    if s == "constant":
        return None, []
    if s == "step":
        return f"{t}StepLR(optimizer, step_size={n['transition_steps']}, gamma={n['decay_rate']})", []
    if s == "exponential":
        gamma = render("decay_rate ** (1 / transition_steps)", "math", (), p)
        return f"{t}ExponentialLR(optimizer, gamma={gamma})", []
    if s == "cosine" and last <= p["decay_steps"]:
        return f"{t}CosineAnnealingLR(optimizer, T_max={n['decay_steps']}, eta_min={scaled(lr, p['alpha'])})", []
    if s == "polynomial" and p["end_value"] == 0:
        return f"{t}PolynomialLR(optimizer, total_iters={n['transition_steps']}, power={n['power']})", []
    if s == "cyclic":
        return (
            f"{t}CyclicLR(optimizer, base_lr={scaled(lr, p['base_ratio'])}, max_lr={literal(lr)}, "
            f"step_size_up={n['step_size']}, cycle_momentum=False)"
        ), []
    if s == "cosine":
        why = " that stays at its floor (CosineAnnealingLR climbs again after T_max, and this run goes past it)"
    elif s == "polynomial":
        why = " with a non-zero end value (PolynomialLR decays to 0)"
    elif s == "one_cycle":
        why = " as optax places it (OneCycleLR peaks one step earlier and stops after total_steps)"
    return f"{t}LambdaLR(optimizer, lambda t: {_formula(scenario, 'math')})", [_no_builtin("pytorch", scenario, why)]
