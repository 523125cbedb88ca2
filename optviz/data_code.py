"""A data surface's loss written out as code: its data as array literals (every float in
its shortest round-trip form, so the program computes on exactly OptViz's numbers) and
the model's mean loss over them, for JAX (``jnp``) or PyTorch (``torch``)."""

from __future__ import annotations

from optviz.scenario import Scenario

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
    loss = LOSSES[surface.name].format(m=target, half_l2=repr(0.5 * float(params.get("l2", 0.0))))
    return [
        f"# The {len(labels)} data points OptViz drew from seed {scenario.seed}: features X, targets Y.",
        f"X = {_ARRAY[target]}([{rows}])",
        f"Y = {_ARRAY[target]}([{', '.join(repr(float(v)) for v in labels)}])",
        "",
        "",
        "def f(x, y):",
        f"    return {loss}",
    ]
