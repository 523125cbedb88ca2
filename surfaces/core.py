"""The shape every loss surface has: parameters, minima and the surface record.

`surfaces` imports nothing from `optviz`; `optviz` accepts any object of this shape.
`Param` lives here (not in `optviz`) so that surfaces can declare their parameters
without depending on the engine; optimizers and schedules reuse it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Number = float | int | bool


@dataclass(frozen=True)
class Param:
    """A named hyperparameter with its default and valid range.

    Args:
      name: the key used in links and in the builder's keyword arguments.
      default: the value used when a link does not give one.
      lo, hi: the inclusive valid range (ignored for booleans).
      log: whether a slider for it should be log-scaled.
      kind: ``"float"``, ``"int"`` or ``"bool"``. Booleans change the compiled
        structure of an optimizer (e.g. ``nesterov``); numbers are traced.
      help: one line shown in the UI and in ``python -m optviz list``.
    """

    name: str
    default: Number
    lo: float = 0.0
    hi: float = 1.0
    log: bool = False
    kind: Literal["float", "int", "bool"] = "float"
    help: str = ""


@dataclass(frozen=True)
class Minimum:
    """A known minimum at ``(x, y)`` with value ``f``; ``kind`` is "global" or "local"."""

    x: float
    y: float
    f: float
    kind: Literal["global", "local"] = "global"


def fixed(*minima: Minimum) -> Callable[[Mapping[str, float]], tuple[Minimum, ...]]:
    """Minima that do not depend on the surface's parameters."""
    return lambda params: minima


@dataclass(frozen=True, eq=False)
class Surface:
    """An analytic 2-D loss surface.

    Args:
      name: registry name, used in links (``surface=rosenbrock``).
      title: human-readable name.
      fn: ``fn(x, y, **params)``, a pure JAX function; gradients come from ``jax.grad``.
      domain: ``((x_lo, x_hi), (y_lo, y_hi))``, the region plotted.
      minima: ``minima(params) -> tuple[Minimum, ...]``, the known minima for those
        parameter values (global first).
      start: the default start point.
      latex: the formula, shown in the UI.
      note: one teaching sentence.
      params: the surface's own parameters.
      noise: name of the parameter giving the standard deviation of additive Gaussian
        gradient noise, or ``None`` for a deterministic surface.
      data: for a loss over data (`surfaces.data`), its data set (`surfaces.data.Data`):
        each point's loss, their weights and the seed they were drawn from.
      formula: the loss as a Python expression in x, y and the parameters, in the
        vocabulary of `surfaces.formula` (numbers, ``+ - * / **``, comparisons, ``sin cos
        exp sqrt where …``): a built-in surface's ``fn`` is compiled from it
        (`surfaces.catalog.analytic`), and the Code menu writes it out for each framework.
        Empty on a loss over data (its code comes from the data set).
    """

    name: str
    title: str
    fn: Callable[..., object]
    domain: tuple[tuple[float, float], tuple[float, float]]
    minima: Callable[[Mapping[str, float]], tuple[Minimum, ...]]
    start: tuple[float, float]
    latex: str
    note: str
    params: tuple[Param, ...] = field(default=())

    noise: str | None = None
    data: object | None = None
    formula: str = ""

    def defaults(self) -> dict[str, Number]:
        """The default value of every parameter."""
        return {p.name: p.default for p in self.params}

    def __call__(self, x, y, **params):
        """Evaluate at ``(x, y)``; parameters not given take their defaults."""
        return self.fn(x, y, **{**self.defaults(), **params})
