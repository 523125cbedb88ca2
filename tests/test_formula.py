"""Custom formulas: the whitelist parser, its JAX functions and gradients, links, and
arbitrary or hostile text (never an exception but the parser's own, never code run)."""

import math
import re
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optviz import Scenario, simulate
from surfaces.formula import MAX_CHARS, FormulaError, compile_formula, custom_surface, syntax_tree
from tests.at_once import system_errors


def grad(f, x, y):
    return np.asarray(jax.grad(lambda p: f(p[0], p[1]))(jnp.array([x, y])))


@pytest.mark.parametrize(
    "text, value, gradient",
    [
        ("x**2 + 10*sin(y)", lambda x, y: x**2 + 10 * math.sin(y), lambda x, y: (2 * x, 10 * math.cos(y))),
        (
            "(1-x)^2 + 100*(y-x^2)^2",
            lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
            lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
        ),
        (
            "exp(-x^2)*cos(pi*y) + e",
            lambda x, y: math.exp(-(x**2)) * math.cos(math.pi * y) + math.e,
            lambda x, y: (
                -2 * x * math.exp(-(x**2)) * math.cos(math.pi * y),
                -math.pi * math.exp(-(x**2)) * math.sin(math.pi * y),
            ),
        ),
        ("sqrt(x^2+y^2+1) - log(2+tanh(x)) + abs(y)/3", None, None),
        ("max(x, y, 0.5) + min(x, -y) + arctan(x) + sinh(y) - cosh(x) + tan(0.1*y)", None, None),
        ("-x + +y", lambda x, y: -x + y, lambda x, y: (-1.0, 1.0)),
        (
            "where(x > 0, x^2, -x) + floor(y) + maximum(x, y) + (y <= 1)",
            lambda x, y: (x**2 if x > 0 else -x) + math.floor(y) + max(x, y) + (y <= 1),
            lambda x, y: ((2 * x if x > 0 else -1.0) + (x > y), float(y > x)),
        ),
        ("3", lambda x, y: 3.0, lambda x, y: (0.0, 0.0)),
    ],
)
def test_formulas_match_their_math_and_gradients(text, value, gradient):
    f = compile_formula(text)
    for x, y in [(0.3, -0.7), (-1.2, 0.4), (0.9, 1.1)]:
        assert np.isfinite(float(f(x, y)))
        if value is not None:
            assert float(f(x, y)) == pytest.approx(value(x, y), rel=1e-12)
            np.testing.assert_allclose(grad(f, x, y), gradient(x, y), rtol=1e-12, atol=1e-12)
    X, Y = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 4))
    assert np.asarray(f(X, Y)).shape == (4, 5)  # vectorised over grids, constants included


ATTACKS = [
    "__import__('os').system('touch /tmp/pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "[x for x in range(10)]",
    "{x: 1}",
    "x.real",
    "open('/etc/passwd')",
    "exec('1')",
    "eval('1')",
    "globals()",
    "x if y else 1",
    "x[0]",
    "'a' * 10",
    "b'a'",
    "f'{x}'",
    "x := 1",
    "x; y",
    "import os",
    "sin(x=1)",
    "sin(*[x])",
    "x == y",
    "x < y < 1",
    "where(x, y)",
    "x and y",
    "not x",
    "~x",
    "x << 2",
    "x // 2",
    "x % 2",
    "x @ y",
    "sin.__call__(x)",
    "(lambda: 0)()",
    "print(x)",
    "getattr(x, 'real')",
    "...",
    "None",
    "True + x",
    "1j * x",
    "sin(" * 60 + "x" + ")" * 60,
    "-" * 400 + "x",
    "+".join(["x"] * 400),
    "x" * (MAX_CHARS + 1),
    "",
    "   ",
    "x +",
    "(x",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_attacks_and_non_formulas_are_rejected_with_a_message(text, tmp_path):
    with pytest.raises(FormulaError) as err:
        compile_formula(text)
    assert str(err.value) and "Traceback" not in str(err.value)


def test_messages_point_at_the_problem():
    for text, expected in [
        ("x + z", "unknown name 'z' at column 5"),
        ("x^2 + foo(y)", "unknown function 'foo' at column 7"),
        ("x^2 +* y", "at column 6"),
        ("sin(x, y)", "sin() at column 1 takes 1 argument, got 2"),
        ("x" * 501, "at most 500"),
        (
            "x**2 # [sign in](//planted.invalid)",
            "'#' at column 6 is not allowed: a formula is one line, without comments",
        ),
        ("(x\n+ y)", "'\\n' at column 3 is not allowed"),
        ("x + \u202ey", "'\\u202e' at column 5 is not allowed"),
        ("x + " + "q" * 100, "unknown name '" + "q" * 40 + "' at column 5"),
    ]:
        with pytest.raises(FormulaError, match=re.escape(expected)):
            compile_formula(text)


def test_exponent_towers_are_inf_not_a_hang():
    f = compile_formula("9**9**9**9 * x + 10**400")
    assert math.isinf(float(f(1.0, 1.0)))
    assert math.isinf(float(compile_formula("x ** " + "9" * 400)(2.0, 1.0)))  # an exponent no float holds


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_compiles_or_raises_formula_error(text):
    try:
        f = compile_formula(text)
    except FormulaError:
        return
    float(np.asarray(f(0.5, -0.25)).ravel()[0])  # a compiled formula evaluates to a number (maybe nan)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="xy+-*/^().,0123456789 sincoexpltqrabmhd", max_size=40))
def test_formula_shaped_text_compiles_or_raises_formula_error(text):
    try:
        compile_formula(text)
    except FormulaError:
        pass


def test_a_slip_python_only_warns_of_is_an_error_and_logs_no_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(FormulaError, match="invalid decimal literal at column 1"):
            compile_formula("1if x else 2")
    assert caught == []


def test_formulas_parsed_in_two_sessions_at_once_never_fail():
    """Two sessions' formulas parsed at once (a long one, so that a garbage collection, which
    runs JAX's callback and lets threads switch, falls inside a parse)."""
    long = " + ".join(f"sin(x * {i}) * cos(y)" for i in range(300))
    assert system_errors(lambda: syntax_tree(long), lambda: syntax_tree(long), times=100) == []


def test_custom_surface_runs_from_a_link_and_round_trips():
    query = "surface=custom&f=(1-x)^2%2B100*(y-x^2)^2&domain=-2,2,-1,3&opt=adam:lr=0.05&steps=2000&start=-1.5,2"
    scenario, warnings = Scenario.from_query(query)
    assert warnings == []
    assert "f=(1-x)^2%2B100*(y-x^2)^2&domain=-2,2,-1,3" in scenario.to_query()
    assert Scenario.from_query(scenario.to_query()).scenario == scenario
    custom = simulate(scenario).runs[0].path
    builtin = simulate(Scenario.from_query("surface=rosenbrock&opt=adam:lr=0.05&steps=2000").scenario).runs[0].path
    np.testing.assert_allclose(custom, builtin, rtol=1e-10, atol=1e-12)  # the same function, the same path


def test_bad_custom_links_fall_back_with_warnings():
    scenario, warnings = Scenario.from_query("surface=custom&f=x%2Bz&domain=3,1,0,nan")
    assert scenario.formula == "x**2 + 10*sin(y)" and scenario.domain == ((-3.0, 3.0), (-3.0, 3.0))
    assert any("unknown name 'z'" in w for w in warnings) and any(w.startswith("domain=3,1,0,nan") for w in warnings)
    scenario, warnings = Scenario.from_query("surface=custom&f=log(-1-x^2)")
    assert any("not finite anywhere" in w for w in warnings)
    assert Scenario.from_query("surface=beale&f=x").warnings == ["f is only read with surface=custom; ignored"]


def test_the_same_formula_and_domain_share_one_surface():
    assert custom_surface("x^2+y^2", ((-1.0, 1.0), (-1.0, 1.0))) is custom_surface(
        "x^2+y^2", ((-1.0, 1.0), (-1.0, 1.0))
    )
