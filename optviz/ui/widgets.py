"""Widgets that the sidebar and ``app.py``'s fragment both draw: a row of widgets, a run's
lr as a log slider and an exact box, a hyperparameter's box or checkbox.

An lr's two widgets, and a hyperparameter's widget in a menu drawn only while open, are
views of one value (`optviz.ui.views`); their callbacks are in `optviz.ui.actions`.
"""

from __future__ import annotations

import math

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from optviz.ui.actions import LR_VIEWS, lr_from_view, param_from_view
from optviz.ui.views import remember, view_key, view_showing
from surfaces.core import Param

LR_BOX_WIDTH = 75  # px: the exact lr box beside its slider, which takes the rest of the row
LrRow = tuple[DeltaGenerator, str, float]  # a run's lr row: where, the value's key, its default


def row(parent: DeltaGenerator, **kwargs) -> DeltaGenerator:
    """Widgets side by side, sharing the row's width as ``st.columns(n)`` would, in one
    element per rerun where columns send n + 1 (each element the page receives costs the
    browser a render before the map's turn comes)."""
    return parent.container(horizontal=True, wrap=False, gap="small", **kwargs)


def lr_line(box: DeltaGenerator) -> DeltaGenerator:
    """Where a run's lr controls go: a row, or with theory on a column that also holds the
    largest stable lr under them (one element more per run, so only then)."""
    return box.container(gap=None) if st.session_state.get("theory") else row(box)


def lr_controls(line: DeltaGenerator, lr_key: str, default: float, note: str | None = None) -> None:
    """A run's lr as a log10 slider and an exact box side by side in ``line``, two views
    of the value under ``lr_key`` (``default`` until set). With a ``note``, ``line`` is a
    column (`lr_line`): the two sit in a row in it, the note (if not empty) under them."""
    lr = float(st.session_state.setdefault(lr_key, default))
    below, line = (line, row(line)) if note is not None else (line, line)
    exp, exact = (view_key(st.session_state, lr_key, view) for view in LR_VIEWS)
    for widget, value in ((exp, math.log10(lr)), (exact, lr)):
        if widget not in st.session_state:  # a new view: drawn from the value
            remember(st.session_state, widget, value)
    line.slider(
        "log₁₀ lr",
        -6.0,
        1.0,
        value=math.log10(lr),
        step=0.05,
        key=exp,
        on_change=lr_from_view,
        args=(lr_key, "exp", exp),
    )
    line.number_input(
        "lr",
        1e-6,
        10.0,
        value=lr,
        format="%.3g",
        key=exact,
        on_change=lr_from_view,
        args=(lr_key, "box", exact),
        width=LR_BOX_WIDTH,
    )
    if note:
        below.caption(note)


def param_input(p: Param, key: str, container=st, *, disabled: bool = False) -> None:
    """One parameter's widget under ``key`` (the parameter's default until set)."""
    st.session_state.setdefault(key, p.default)
    param_widget(p, key, container, disabled=disabled)


def param_widget(p: Param, key: str, container=st, **kwargs) -> None:
    """A checkbox for a flag, a bounded number box otherwise (``kwargs``: value, callback)."""
    if p.kind == "bool":
        container.checkbox(p.name, key=key, help=p.help, **kwargs)
    elif p.kind == "int":
        container.number_input(p.name, int(p.lo), int(p.hi), step=1, key=key, help=p.help, **kwargs)
    else:
        fmt_ = "%.2e" if p.log and p.lo < 1e-3 else "%.4g"
        step = (p.hi - p.lo) / 100 if not p.log else None
        container.number_input(p.name, float(p.lo), float(p.hi), step=step, format=fmt_, key=key, help=p.help, **kwargs)


def param_view(p: Param, key: str, container=st) -> None:
    """A parameter's widget as a view (`optviz.ui.views`) of the value under ``key``, for a
    widget drawn only while its expander is open: a widget not drawn in a run loses its
    state, the value keeps it. Renewed when the value changed elsewhere (a link, a preset,
    a framework switch)."""
    value = st.session_state.setdefault(key, p.default)
    value = bool(value) if p.kind == "bool" else int(value) if p.kind == "int" else float(value)
    widget = view_showing(st.session_state, key, "box", value)
    param_widget(p, widget, container, value=value, on_change=param_from_view, args=(key, widget))
