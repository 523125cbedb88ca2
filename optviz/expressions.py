r"""Formulas in x, y or t written out as one framework's code: JAX, PyTorch, Keras or plain Python.

A formula is a Python expression in the one vocabulary of `surfaces.formula` (numbers,
variables, named parameters, ``pi`` and ``e``, ``+ - * / **``, comparisons and calls of
its listed functions). `render` checks it there, replaces each parameter by its number,
qualifies each function for the target (``jnp.cos``, ``torch.cos``, ``keras.ops.cos``,
``math.cos``; ``where(c, a, b)`` becomes ``(a if c else b)`` in plain Python) and unparses
the tree. Nothing else can pass: any other node or name raises `ValueError` (a
`surfaces.formula.FormulaError`), so the code written holds numbers and these names only,
whatever text a link carried.

A surface's or a schedule's formula is its registry row's (`surfaces.core.Surface.formula`,
`optviz.schedules.ScheduleSpec.formula`); tests check every formula against the row's own
JAX function or optax schedule.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping

from surfaces.core import Number
from surfaces.formula import checked_tree

TARGETS = ("jnp", "torch", "keras", "math")
_PLAIN = {"abs": "abs", "minimum": "min", "maximum": "max", "arctan": "math.atan", "min": "min", "max": "max"}
_SCALAR = {"jnp": "jnp.float64", "torch": "torch.as_tensor"}  # a number with the array library's arithmetic


def number(value: Number) -> ast.expr:
    """A finite number as a literal, its sign as a unary minus (``-0.5 ** 2`` would square first)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    node = ast.Constant(abs(value))
    return ast.UnaryOp(ast.USub(), node) if value < 0 else node


class _Renderer(ast.NodeTransformer):
    def __init__(self, target: str, variables: tuple[str, ...], values: Mapping[str, Number], strict: bool):
        self.target, self.variables, self.values, self.strict = target, variables, values, strict

    def visit_Constant(self, node):
        if self.strict and not isinstance(node.value, bool) and isinstance(node.value, int | float):
            return ast.Constant(float(node.value))  # no Python integer arithmetic on a user's literals
        return number(node.value)

    def visit_Name(self, node):
        if node.id in self.variables:
            return node
        if node.id in self.values:
            return number(self.values[node.id])
        return _qualified(f"jnp.{node.id}" if self.target == "jnp" else f"math.{node.id}")  # pi or e

    def visit_BinOp(self, node):
        node = self.generic_visit(node)
        if not self.strict:
            return _folded(node)
        if self.strict and type(node.op) in (ast.Pow, ast.Div) and not self._varies(node.left, node.right):
            node.left = self._scalar(node.left)  # 9**9**9 or 1/0 overflow in the array library, not in Python
        return node

    def visit_Call(self, node):
        name = node.func.id
        args = [self.visit(a) for a in node.args]
        if not self.strict and len(args) == 1 and _value(args[0]) == 0 and name in _AT_ZERO:
            return number(_AT_ZERO[name])  # cos(0) → 1: exact in every library
        if self.target in _SCALAR and not self._varies(*args):  # torch.cos takes tensors only
            args = [self._scalar(a) for a in args]
        if name == "where":
            if self.target == "math":
                return ast.IfExp(test=args[0], body=args[1], orelse=args[2])
            return ast.Call(self._function("where"), args, [])
        if name in ("min", "max", "minimum", "maximum") and self.target != "math":
            pairwise = self._function("minimum" if name.startswith("min") else "maximum")
            result = args[0]
            for arg in args[1:]:
                result = ast.Call(pairwise, [result, arg], [])
            return result
        return ast.Call(self._function(name), args, [])

    def _function(self, name: str) -> ast.expr:
        if self.target == "math":
            return _qualified(_PLAIN.get(name, f"math.{name}"))
        return _qualified(f"{'keras.ops' if self.target == 'keras' else self.target}.{name}")

    def _varies(self, *nodes: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.variables for node in nodes for n in ast.walk(node))

    def _scalar(self, node: ast.expr) -> ast.expr:
        return ast.Call(_qualified(_SCALAR[self.target]), [node], [])


_AT_ZERO = {"sin": 0.0, "cos": 1.0, "tan": 0.0, "sinh": 0.0, "cosh": 1.0, "tanh": 0.0, "exp": 1.0, "arctan": 0.0}
_FOLD = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__, ast.Div: float.__truediv__}


def _value(node: ast.AST) -> Number | None:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -node.operand.value
    return None


def _folded(node: ast.BinOp) -> ast.expr:
    """``500 - 50`` → ``450``, ``0 + a`` → ``a``, ``1 * a`` → ``a``, ``0 * a`` → ``0``: a
    formula's numbers, once substituted, read as one number where float64 arithmetic gives the
    same bits either way (for finite ``a``: a registry formula's inputs)."""
    left, right, op = _value(node.left), _value(node.right), type(node.op)
    if left is not None and right is not None and op in _FOLD and not (op is ast.Div and right == 0):
        folded = _FOLD[op](float(left), float(right))
        return number(int(folded) if isinstance(left, int) and isinstance(right, int) and op is not ast.Div else folded)
    if op is ast.Mult and 0 in (left, right):
        return number(0.0)  # a registry formula's term that a parameter switches off (an angle of 0)
    if (op is ast.Add and left == 0) or (op is ast.Mult and left == 1):
        return node.right
    if (op in (ast.Add, ast.Sub) and right == 0) or (op in (ast.Mult, ast.Div) and right == 1):
        return node.left
    return node


def _qualified(dotted: str) -> ast.expr:
    first, *rest = dotted.split(".")
    node: ast.expr = ast.Name(first)
    for attr in rest:
        node = ast.Attribute(node, attr)
    return node


def render(
    formula: str,
    target: str,
    variables: tuple[str, ...] = ("x", "y"),
    values: Mapping[str, Number] | None = None,
    *,
    strict: bool = False,
) -> str:
    """``formula`` as code for ``target`` (one of `TARGETS`), parameters replaced by numbers.

    ``strict`` is for a user's formula (already checked by `surfaces.formula`): literals
    become floats, and a power, quotient or call of constants alone is computed by the
    array library (``jnp.float64(9.0) ** 9.0 ** 9.0`` is inf, as the app computes it;
    Python would raise or, with integers, never finish).

    >>> render("b * (y - x ** 2) ** 2 + cos(pi * x)", "torch", values={"b": 100.0})
    '100.0 * (y - x ** 2) ** 2 + torch.cos(math.pi * x)'
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target=}; one of {TARGETS}")
    tree = checked_tree(formula, (*variables, *(values or {})))
    tree = _Renderer(target, variables, values or {}, strict).visit(tree)
    return ast.unparse(ast.fix_missing_locations(tree))


def literal(value) -> str:
    """A number, flag or tuple of numbers as Python source."""
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, tuple):
        return f"({', '.join(literal(v) for v in value)})"
    return ast.unparse(number(value))


def scaled(lr: float, multiplier: Number) -> str:
    """``lr · multiplier`` as a literal, rounded to 15 digits (0.001, not 0.0010000000000000002)."""
    return literal(float(f"{lr * multiplier:.15g}"))
