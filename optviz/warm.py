"""A server's first work done before its first visitor: imports and compiled kernels.

A fresh server process makes its first visitor wait for what no later visitor pays
for: importing the app's modules (JAX, optax, Plotly, Streamlit's elements, the map) and
tracing and compiling the simulation kernels of the default link's optimizers. `warm_up`
does that work once, at start (`serve.py` runs it in a thread as the server comes up),
so that the first visitor finds it done or under way. Nothing is kept from here but what
JAX keeps on its own: compiled kernels, in memory and in the persistent compilation
cache (`optviz._compilation_cache`); the results themselves are dropped.

The gallery is not warmed: its cards are kept on disk (`optviz.cards`), drawn by the first
server of a version on the gallery's first visit, or when the Docker image is built. Compiling
its ~30 kernels at start kept ~350 MB resident in every replica whether or not anyone opened
the gallery (measured: 245 MB after the default page, 622 MB after every preset too), which
took the soak benchmark's peak past 1 GiB.
"""

from __future__ import annotations

import dis
import importlib
import time
import types
from pathlib import Path


def app_modules(script: Path) -> list[str]:
    """The modules ``script`` imports (``import a.b``, ``from a.b import c``), in order, read
    from its compiled code (every ``IMPORT_NAME`` of level 0, nested functions included).

    Not from ``ast.parse``: this runs in a thread beside the sessions' scripts, and two syntax
    trees built at once in CPython 3.11 fail with ``SystemError: AST constructor recursion
    depth mismatch`` (`surfaces.formula.syntax_tree`; Streamlit compiles the app without one,
    `.streamlit/config.toml`). Compiling to code builds no tree of Python objects."""
    names: list[str] = []

    def walk(code: types.CodeType) -> None:
        ops = list(dis.get_instructions(code))
        for i, op in enumerate(ops):
            if op.opname == "IMPORT_NAME" and ops[i - 2].argval == 0:  # pushed: level, fromlist
                names.append(op.argval)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                walk(const)

    walk(compile(script.read_text(), str(script), "exec", dont_inherit=True))
    return list(dict.fromkeys(names))


def warm_up(script: Path) -> dict[str, float]:
    """Import what ``script`` (the app) imports, then compile the kernels of the default
    page (its simulation and its map). Returns the seconds each part took."""
    started = time.perf_counter()
    for name in app_modules(script):
        importlib.import_module(name)
    imported = time.perf_counter()

    from optviz import Scenario, simulate
    from optviz.view import View
    from optviz.view_kinds import VIEWS

    scenario = Scenario()
    VIEWS[View().view].built(scenario, simulate(scenario), View())
    return {"imports": imported - started, "default page": time.perf_counter() - imported}
