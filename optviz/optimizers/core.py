"""What an optimizer row is: the `Optimizer` dataclass and the parameters rows share.

A row names the optax alias that builds it (``optax_call="optax.adam"``); unless it gives
its own ``build``, the alias is the builder, and the Code menu writes the same alias with
every hyperparameter by its optax name (`Optimizer.call`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import optax

from surfaces.core import Number, Param

LR = Param("lr", 1e-3, 1e-6, 10.0, log=True, help="learning rate (scaled by the schedule)")


def _lr(default: float) -> Param:
    return Param("lr", default, LR.lo, LR.hi, log=True, help=LR.help)


B1 = Param("b1", 0.9, 0.0, 0.9999, help="decay of the first-moment average")
B2 = Param("b2", 0.999, 0.0, 0.99999, help="decay of the second-moment average")
EPS = Param("eps", 1e-8, 1e-12, 1.0, log=True, help="added to the denominator")
MOMENTUM = Param("momentum", 0.9, 0.0, 0.999, help="heavy-ball decay β")


def first_value(learning_rate):
    """A schedule's value at step 0, or the number itself: the lr of a row that takes no schedule
    (the engine hands it a constant one)."""
    return learning_rate(0) if callable(learning_rate) else learning_rate


class Needs(NamedTuple):
    """What a step needs from the engine beyond its gradient (hashable: the engine compiles one
    structure per combination): the loss at the point (``value``), the gradient at other points
    (``grad_fn``), the step's loss as a function with the loss and gradient for a line search
    (``line_search``: ``value_fn``, ``value``, ``grad``), the step's loss as a function for a
    Hessian estimate (``obj_fn``), a random key of its own for the builder (``key``)."""

    value: bool = False
    grad_fn: bool = False
    line_search: bool = False
    obj_fn: bool = False
    key: bool = False


class Call(NamedTuple):
    """A framework's call that builds an optimizer: the callee, then its keyword arguments as
    ``(keyword, source)`` pairs, where ``source`` is a registry hyperparameter's name, a tuple
    of names (PyTorch's ``betas``), a function of the hyperparameters (Keras's
    ``beta_2_decay=-decay_rate``) or a constant (``nesterov=True``)."""

    callee: str
    args: tuple[tuple[str, object], ...] = ()


def optax_alias(path: str) -> Callable[..., optax.GradientTransformation]:
    """``"optax.adam"`` → ``optax.adam`` (``"optax.contrib.prodigy"`` too)."""
    head, *rest = path.split(".")
    if head != "optax" or not rest:
        raise ValueError(f"not a name in optax: {path=}")
    return functools.reduce(getattr, rest, optax)


@dataclass(frozen=True, kw_only=True)
class Optimizer:
    """A registry entry: ``build(learning_rate=..., **hyperparameters)``.

    ``params`` lists ``lr`` first, then the hyperparameters by their optax names.
    ``optax_call`` is the optax alias the entry is (``build`` defaults to it); ``latex`` is
    the update rule shown in the UI; ``note`` a two-sentence explanation; ``reference`` the
    paper that introduced the rule.
    """

    name: str
    title: str
    params: tuple[Param, ...]
    optax_call: str
    latex: str
    note: str
    reference: str = ""
    build: Callable[..., optax.GradientTransformation] | None = None  # None: the optax_call alias
    fixed: tuple[tuple[str, bool], ...] = ()  # structural arguments the entry pins (nesterov=True)
    # The optax state field holding the optimizer's velocity/first moment, and the sign that
    # turns it into a direction of motion (``trace`` of raw gradients points uphill: -1).
    velocity: tuple[str, float] | None = None
    # The optax call's keywords where they are not the row's own names, as ``(keyword, source)``
    # pairs like `Call`'s (Prodigy's ``betas=(b1, b2)``); None: every hyperparameter by its name.
    optax_args: tuple[tuple[str, object], ...] | None = None
    # False where lr is not a rate that a schedule can scale (Rprop's first step size) or where
    # the optax alias takes only a number: the run ignores the schedule and says so.
    takes_schedule: bool = True
    # True where each step needs the loss value too (``tx.update(g, state, p, value=loss)``);
    # the engine has it at hand (value_and_grad), so it costs no extra evaluation.
    needs_value: bool = False
    # The optax keyword that receives f*, the lowest of the surface's known minimum values
    # (Polyak's ``f_min``, MoMo's ``lower_bound``); None: the row needs no f*. A surface with
    # no known minimum (a custom formula) cannot run such a row.
    f_star: str | None = None
    # Gradient evaluations a step costs. 2: the step also takes the gradient at another point
    # (SAM's ``tx.update(g, state, p, grad_fn=...)``), which the engine computes like the step's
    # own: same noise draw, same mini-batch.
    grad_evals: int = 1
    # True where each step searches along its direction for a step length (L-BFGS's zoom line
    # search, ``tx.update(g, state, p, value=, grad=, value_fn=)``): the engine hands it the
    # step's loss as a function, and counts the evaluations the searches spend (optax's
    # ``num_linesearch_steps``), so a summary shows what a step cost.
    line_search: bool = False
    # True where each step estimates the Hessian's diagonal from the step's loss as a function
    # (Sophia's Hutchinson probes, ``tx.update(g, state, p, obj_fn=...)``).
    hessian: bool = False
    # True where the builder takes ``key=``, a JAX key for the optimizer's own random draws (Sophia's
    # probe directions, noisy SGD's noise), which the engine derives from the link's seed and the
    # start, apart from the surface's noise.
    random: bool = False
    # It keeps an average x apart from the point y where it takes the gradient, as β₁-interpolation
    # y = (1 − β₁) z + β₁ x with its state's ``z`` (Schedule-Free): `optviz.engine.averages`.
    averaged: bool = False
    # The optax code that builds the row where it is not one alias call (SAM wraps two optax
    # optimizers): a format string over ``lr`` and the hyperparameters' names, which the Code
    # menu fills with their values; "" writes `call`.
    optax_code: str = ""

    def __post_init__(self) -> None:
        if self.build is None:
            object.__setattr__(self, "build", optax_alias(self.optax_call))

    @property
    def needs(self) -> Needs:
        """What the engine hands each step beyond the gradient."""
        return Needs(self.needs_value, self.grad_evals > 1, self.line_search, self.hessian, self.random)

    @property
    def static(self) -> tuple[str, ...]:
        """Names of the structural (boolean) hyperparameters."""
        return tuple(p.name for p in self.params if p.kind == "bool")

    def defaults(self) -> dict[str, Number]:
        return {p.name: p.default for p in self.params}

    @property
    def call(self) -> Call:
        """The optax code for this entry: every hyperparameter by its own name, then each
        structural pin that differs from the alias's own default (``nesterov=True``; the
        momentum entry's ``nesterov=False`` is optax.sgd's default and is left out)."""
        signature = inspect.signature(optax_alias(self.optax_call)).parameters
        pins = tuple((k, v) for k, v in self.fixed if k not in signature or signature[k].default != v)
        args = self.optax_args if self.optax_args is not None else tuple((p.name, p.name) for p in self.params[1:])
        f_star = ((self.f_star, self.f_star),) if self.f_star else ()
        return Call(self.optax_call, args + f_star + pins)
