"""A data surface's loss written out as code: its data as array literals (every float in
its shortest round-trip form, so the program computes on exactly OptViz's numbers) and
the model's mean loss over them, for JAX (``jnp``) or PyTorch (``torch``)."""

from __future__ import annotations

from optviz.scenario import Scenario
from surfaces.data import MAX_POINTS, points

# The mean loss of each model over features X and targets Y at weights (x, y); ``m`` is
# the array module. Written from the definitions in surfaces/models.py.
LOSSES = {
    "linear_regression": "{m}.mean((x * X[:, 0] + y - Y) ** 2)",
    "logistic_regression": "{m}.mean({m}.logaddexp(0 * Y, -(2 * Y - 1) * (x * X[:, 0] + y * X[:, 1])))"
    " + {half_l2} * (x ** 2 + y ** 2)",
    "neuron": "{m}.mean((y * {m}.tanh(x * X[:, 0]) - Y) ** 2)",
}
_ARRAY = {"jnp": "jnp.array", "torch": "torch.tensor"}


def data_loss(scenario: Scenario, target: str) -> list[str]:
    """Lines defining ``X``, ``Y`` and ``f(x, y)``, the scenario's full-batch loss."""
    surface = scenario.surface_def
    params = dict(scenario.surface_params)
    features, labels = surface.data.arrays(params)
    rows = ", ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in features)
    whose = "of the link" if scenario.points else f"OptViz drew from seed {scenario.seed}"
    loss = LOSSES[surface.name].format(m=target, half_l2=repr(0.5 * float(params.get("l2", 0.0))))
    return [
        f"# The {len(labels)} data points {whose}: features X, targets Y.",
        f"X = {_ARRAY[target]}([{rows}])",
        f"Y = {_ARRAY[target]}([{', '.join(repr(float(v)) for v in labels)}])",
        "",
        "",
        "def f(x, y, X=X, Y=Y):",
        f"    return {loss}",
    ]


def batch_code(scenario: Scenario) -> list[str]:
    """Lines defining ``batch(t)``, step t's mini-batch as the engine draws it (`optviz.batches`)
    for the first start: entries t·B … t·B + B − 1 of the epochs' random orders, one after
    another, each epoch's order the first n of ``argsort`` of ``MAX_POINTS`` uniform draws from
    ``fold_in(key, epoch)`` (the padding slots pushed last)."""
    n, b = points(dict(scenario.surface_params)), scenario.batch
    return [
        f"key = jax.random.fold_in(jax.random.key({scenario.seed}), 0)  # OptViz's mini-batches, start 0",
        "",
        "",
        "def batch(t):",
        f'    """Step t\'s {b} points: entries {b}t … {b}t + {b - 1} of the epochs\' orders, one after another."""',
        "",
        "    def point(k):",
        f"        u = jax.random.uniform(jax.random.fold_in(key, k // {n}), ({MAX_POINTS},), jnp.float64)",
        f"        slots = jnp.arange({MAX_POINTS})",
        f"        return jnp.argsort(jnp.where(slots < {n}, u, 2.0 + slots))[k % {n}]",
        "",
        f"    return jax.vmap(point)(t * {b} + jnp.arange({b}))",
    ]
