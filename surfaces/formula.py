"""Formulas in x and y as JAX functions, through a whitelist over Python's `ast`.

One vocabulary for every formula: a user's, a built-in surface's (its registry row's text,
compiled here into the surface's function) and a schedule's (written out by
`optviz.expressions`, which checks it here too). The text is parsed (never evaluated) and
every node is checked against a short list: numbers, the names ``x``, ``y``, ``pi``, ``e``
and the formula's own parameters, ``+ - * / ** ^`` (``^`` means power), unary signs,
parentheses, one comparison ``< <= > >=`` at a time (true is 1) and calls of the listed
functions by name. Anything else — attributes, subscripts, lambdas, comprehensions,
keywords, strings, unknown names, and comments or line breaks (text the tree would not hold
but a title would show) — is rejected with a `FormulaError` naming the problem and its
column. The checked tree is compiled into nested closures over ``jax.numpy``, so
``jax.grad`` differentiates it. Nothing is computed in Python: ``9**9**9**9`` becomes
``inf`` in float64, not a hang.

>>> f = compile_formula("(1-x)^2 + 100*(y-x^2)^2")
>>> float(f(1.0, 1.0))
0.0
>>> g = compile_formula("(a - x) ** 2", {"a": 1.0})
>>> float(g(1.0, 0.0, a=3.0)), float(g(3.0, 0.0))
(4.0, 4.0)
"""

from __future__ import annotations

import ast
import functools
import math
import threading
import warnings
from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp

from surfaces.core import Surface

MAX_CHARS = 500
MAX_NODES = 300
MAX_DEPTH = 40
MAX_DOMAIN = 1e4  # |x|, |y| bounds of a custom domain
DEFAULT_FORMULA = "x**2 + 10*sin(y)"
DEFAULT_DOMAIN = ((-3.0, 3.0), (-3.0, 3.0))
_PARSING = threading.Lock()

FUNCTIONS: dict[str, tuple[Callable, int | None]] = {  # name -> (jnp function, arity; None: 2 or more)
    "sin": (jnp.sin, 1),
    "cos": (jnp.cos, 1),
    "tan": (jnp.tan, 1),
    "exp": (jnp.exp, 1),
    "log": (jnp.log, 1),
    "sqrt": (jnp.sqrt, 1),
    "abs": (jnp.abs, 1),
    "tanh": (jnp.tanh, 1),
    "sinh": (jnp.sinh, 1),
    "cosh": (jnp.cosh, 1),
    "arctan": (jnp.arctan, 1),
    "floor": (jnp.floor, 1),
    "min": (lambda *a: functools.reduce(jnp.minimum, a), None),
    "max": (lambda *a: functools.reduce(jnp.maximum, a), None),
    "minimum": (jnp.minimum, 2),
    "maximum": (jnp.maximum, 2),
    "where": (jnp.where, 3),  # where(condition, value if true, value if false)
}
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")
_BINARY = {ast.Add: jnp.add, ast.Sub: jnp.subtract, ast.Mult: jnp.multiply, ast.Div: jnp.divide, ast.Pow: jnp.power}
_UNARY = {ast.UAdd: jnp.positive, ast.USub: jnp.negative}
_COMPARE = {ast.Lt: jnp.less, ast.LtE: jnp.less_equal, ast.Gt: jnp.greater, ast.GtE: jnp.greater_equal}
_INTEGER_POWER = 64  # x ** 3 is x·x·x (lax.integer_pow, as jnp computes it); other powers are pow


class FormulaError(ValueError):
    """A formula that is not allowed; the message says what and where (1-based column)."""


def _column(text: str, offset: int) -> int:
    """1-based column in the user's text of ``offset`` in the parsed source, where each
    '^' became the two characters '**' and leading blanks were dropped."""
    offset += len(text) - len(text.lstrip())
    position = 0
    for i, ch in enumerate(text):
        position += 2 if ch == "^" else 1
        if position > offset:
            return i + 1
    return len(text) + 1


def _where(node: ast.AST, text: str) -> str:
    col = getattr(node, "col_offset", None)
    return "" if col is None else f" at column {_column(text, col)}"


def syntax_tree(source: str) -> ast.Expression:
    """``ast.parse(source, mode="eval")``, one parse at a time in this process, with Python's
    warnings of slips it still parses ("1if x": an invalid decimal literal) raised as errors.

    CPython 3.11 counts the depth of the syntax tree's Python objects being built per
    interpreter, not per thread: two parses interleaved fail with ``SystemError: AST
    constructor recursion depth mismatch`` (threads switch mid-parse when a garbage
    collection runs JAX's callback), so two sessions reading formulas at once could each
    show that error instead of their page. The warning filters are the process's too, so
    they are changed and restored under the same lock."""
    with _PARSING, warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        return ast.parse(source, mode="eval")


def _parse(text: str) -> ast.Expression:
    if len(text) > MAX_CHARS:
        raise FormulaError(f"the formula has {len(text)} characters; at most {MAX_CHARS} are allowed")
    if not text.strip():
        raise FormulaError("the formula is empty; write an expression in x and y, e.g. x**2 + y**2")
    for i, ch in enumerate(text):  # text the tree never holds, yet titles and links would show
        if ch == "#" or not ch.isprintable():
            raise FormulaError(f"{ch!r} at column {i + 1} is not allowed: a formula is one line, without comments")
    try:  # a slip Python only warns of is reported as an error, never on the server's log
        return syntax_tree(text.strip().replace("^", "**"))
    except SyntaxError as err:
        raise FormulaError(f"not a formula: {err.msg} at column {_column(text, (err.offset or 1) - 1)}") from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise FormulaError(f"not a formula: {err}") from None


def _check(tree: ast.Expression, text: str, names: tuple[str, ...]) -> None:
    """Reject every node outside the whitelist (``names``: the variables and parameters),
    and trees too large or too deep."""
    count = 0

    def visit(node: ast.AST, depth: int) -> None:
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise FormulaError(f"the formula is too long: more than {MAX_NODES} terms")
        if depth > MAX_DEPTH:
            raise FormulaError(f"the formula is nested more than {MAX_DEPTH} levels deep")
        where = _where(node, text)
        if isinstance(node, ast.Expression):
            visit(node.body, depth + 1)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            visit(node.left, depth + 1)
            visit(node.right, depth + 1)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            visit(node.operand, depth + 1)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
            visit(node.left, depth + 1)
            visit(node.comparators[0], depth + 1)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise FormulaError(f"{repr(node.value)[:40]}{where} is not a number")
        elif isinstance(node, ast.Name):
            if node.id not in names and node.id not in CONSTANTS:
                known = ", ".join((*names, *CONSTANTS))
                raise FormulaError(f"unknown name '{node.id[:40]}'{where}; use {known} or a function call")
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                name = (node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func))[:40]
                raise FormulaError(f"unknown function '{name}'{where}; allowed: {', '.join(FUNCTIONS)}")
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise FormulaError(f"{node.func.id}(){where} takes plain arguments only")
            arity = FUNCTIONS[node.func.id][1]
            if (arity is not None and len(node.args) != arity) or (arity is None and len(node.args) < 2):
                wanted = f"{arity} argument" + ("s" if arity != 1 else "") if arity else "2 or more arguments"
                raise FormulaError(f"{node.func.id}(){where} takes {wanted}, got {len(node.args)}")
            for arg in node.args:
                visit(arg, depth + 1)
        else:
            what = type(node.op).__name__ if isinstance(node, ast.BinOp | ast.UnaryOp) else type(node).__name__
            raise FormulaError(
                f"'{ast.unparse(node)[:40]}'{where} is not allowed ({what}); "
                "use numbers, x, y, pi, e, + - * / **, one < <= > >= and the listed functions"
            )

    try:
        visit(tree, 0)
    except RecursionError:
        raise FormulaError(f"the formula is nested more than {MAX_DEPTH} levels deep") from None


def checked_tree(text: str, names: tuple[str, ...] = VARIABLES) -> ast.Expression:
    """The syntax tree of a formula in ``names`` (and ``pi``, ``e``), or `FormulaError`
    saying why it is not allowed."""
    tree = _parse(text)
    _check(tree, text, names)
    return tree


def compile_formula(text: str, params: Mapping[str, float] | None = None) -> Callable:
    """``f(x, y, **values)`` for a formula in x, y and the names of ``params`` (each with
    its default value), or `FormulaError` saying why it is not allowed. A formula without x
    and y still has x's shape."""
    defaults = dict(params or {})
    tree = checked_tree(text, (*VARIABLES, *defaults))
    body = _compile(tree.body)
    if any(isinstance(n, ast.Name) and n.id in VARIABLES for n in ast.walk(tree)):
        return lambda x, y, **values: body({**defaults, **values, "x": x, "y": y})
    return lambda x, y, **values: body({**defaults, **values, "x": x, "y": y}) + jnp.zeros_like(x)


def _compile(node: ast.AST) -> Callable:
    """A checked node as a closure over the values of its names."""
    if isinstance(node, ast.BinOp):
        left, right = _compile(node.left), _compile(node.right)
        exponent = node.right.value if isinstance(node.right, ast.Constant) else None
        if isinstance(node.op, ast.Pow) and exponent is not None and abs(exponent) <= _INTEGER_POWER:
            if float(exponent).is_integer():  # compared first: a 400-digit literal has no float
                n = int(exponent)
                return lambda v: jax.lax.integer_pow(left(v), n)
        op = _BINARY[type(node.op)]
        return lambda v: op(left(v), right(v))
    if isinstance(node, ast.UnaryOp):
        op, operand = _UNARY[type(node.op)], _compile(node.operand)
        return lambda v: op(operand(v))
    if isinstance(node, ast.Compare):
        op, left, right = _COMPARE[type(node.ops[0])], _compile(node.left), _compile(node.comparators[0])
        return lambda v: op(left(v), right(v))
    if isinstance(node, ast.Constant):
        value = float(node.value) if abs(node.value) < 1e308 else math.inf  # a huge int literal is inf
        return lambda v: jnp.float64(value)
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            value = CONSTANTS[node.id]
            return lambda v: jnp.float64(value)
        name = node.id
        return lambda v: v[name]
    fn, args = FUNCTIONS[node.func.id][0], [_compile(a) for a in node.args]
    return lambda v: fn(*(a(v) for a in args))


def check_domain(domain) -> tuple[tuple[float, float], tuple[float, float]]:
    """A custom domain ``((x0, x1), (y0, y1))`` with finite, ordered, bounded edges."""
    try:
        (x0, x1), (y0, y1) = ((float(a), float(b)) for a, b in domain)
    except (TypeError, ValueError):
        raise FormulaError("the domain is four numbers: x_min, x_max, y_min, y_max") from None
    for lo, hi, axis in ((x0, x1, "x"), (y0, y1, "y")):
        if not all(math.isfinite(v) and abs(v) <= MAX_DOMAIN for v in (lo, hi)):
            raise FormulaError(f"the {axis} range must lie within ±{MAX_DOMAIN:g}")
        if not hi - lo > 1e-6 * max(1.0, abs(lo), abs(hi)):
            raise FormulaError(f"the {axis} range is empty: {axis}_min must be below {axis}_max")
    return (x0, x1), (y0, y1)


@functools.lru_cache(maxsize=64)
def custom_surface(text: str, domain: tuple[tuple[float, float], tuple[float, float]]) -> Surface:
    """The surface of a user formula over a user domain (cached: one object, so one
    compiled kernel, per formula and domain). No minima are known."""
    fn = compile_formula(text)
    (x0, x1), (y0, y1) = check_domain(domain)
    X, Y = jnp.meshgrid(jnp.linspace(x0, x1, 17), jnp.linspace(y0, y1, 17))
    if not bool(jnp.isfinite(fn(X, Y)).any()):
        raise FormulaError("f is not finite anywhere on the domain (check logs and square roots of negatives)")
    return Surface(
        "custom",
        "Custom formula",
        lambda x, y: fn(x, y),
        ((x0, x1), (y0, y1)),
        lambda params: (),
        (float(f"{x0 + 0.2 * (x1 - x0):.6g}"), float(f"{y0 + 0.8 * (y1 - y0):.6g}")),
        _latex(text),
        f"f(x, y) = {text}",
    )


def _latex(text: str) -> str:
    escaped = "".join("\\" + c if c in "\\{}_#%&$~" else c for c in text).replace("**", "^")
    return rf"f(x,y) = \mathtt{{{escaped}}}"
