"""What the page's callbacks do to the widgets' state: load a link or a preset, reset,
add, remove or re-frame runs, set an lr from a click (on the sweep, the drag view, the
(lr, β) plane) or from one of its views, move the start point from a tap on the map, edit
a data surface's points from a click on its data panel.

A value with several widgets (an lr: slider and box; the start point: boxes and a tap on
the map) is held once and its widgets are views of it (`optviz.ui.views`); the names of
those views, and the keys of the charts whose clicks land here, are the constants below.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from optviz import own_points, view
from optviz.conventions import available
from optviz.presets import PRESETS
from optviz.scenario import DEFAULT_RUNS, MAX_RUNS, OptRun, Scenario
from optviz.ui.state import (
    PAGE_LABELS,
    POINTS_KEY,
    points_lines,
    run_key,
    scenario_from_widgets,
    surface_key,
    view_values,
    widget_values,
)
from optviz.ui.views import changed, remember, renew, store
from optviz.view import View

LR_VIEWS = ("exp", "box")  # an lr's views: the log10 slider and the exact box
START_KEYS, START_VIEWS = ("start_x", "start_y"), ("box",)  # (a tap on the map writes them too)
MAP_KEY = "map"  # the 2-D map component: a tap on it moves the start point or edits the data
NEW_CLASS_KEY = "new_class"  # the class a point added to a classifier's data takes
SWEEP_CHART_KEY = "sweep_chart"  # the sweep's chart: a click on a curve sets that run's lr
DRAG_MAP_KEY = "drag_map"  # the drag view: a released lr slider sets that run's lr
PLANE_CHART_KEY = "plane_chart"  # the (lr, β) plane: a click sets the chosen run's lr and β


def new_run_id() -> int:
    """An id no run of this session has had: a new run's widgets are new widgets."""
    st.session_state.next_run = st.session_state.get("next_run", 0) + 1
    return st.session_state.next_run - 1


def load(scenario: Scenario) -> None:
    """Show ``scenario`` in every widget (its runs as new runs, the start boxes renewed)."""
    values = widget_values(scenario, [new_run_id() for _ in scenario.runs])
    for key, value in values.items():
        st.session_state[key] = value
    for key in START_KEYS:
        renew(st.session_state, key, *START_VIEWS)
    remember(st.session_state, "conv", scenario.convention)
    st.session_state.surface_shown = scenario.surface  # its start points are not a surface change's reset


def load_link(link: str) -> None:
    """Show a link's scenario and view; its fixes become the page's notices."""
    parsed = Scenario.from_query(link, ignore=view.KEYS)
    shown, warnings = View.from_query(link, parsed.scenario.steps, len(parsed.scenario.runs))
    load(parsed.scenario)
    for key, value in view_values(shown).items():
        st.session_state[key] = value
    st.session_state.notices = parsed.warnings + warnings


def open_preset(slug: str) -> None:
    """The gallery's Open button: the preset's link, shown in the explorer."""
    load_link(PRESETS[slug].link)
    st.session_state.page = PAGE_LABELS["explorer"]


def reset() -> None:
    load(Scenario())
    st.session_state.frame = 0
    st.session_state.notices = []


def start_from_click() -> None:
    """A click on the map's start-picker grid moves the start point there."""
    point = st.session_state[MAP_KEY].start
    if point:
        for key, value in zip(START_KEYS, point, strict=True):
            # The grid travels as float32: round back to the grid's own values.
            store(st.session_state, key, float(f"{value:.6g}"), START_VIEWS)
        st.rerun()  # the start boxes are in the sidebar, outside the explorer's fragment


def data_from_click() -> None:
    """A click on the data panel added, moved or removed a point (`optviz.own_points`):
    the points box shows the new points; an edit that is not possible says why."""
    click = st.session_state[MAP_KEY].data
    if not click:
        return
    edit, index, x, y = click
    scenario = scenario_from_widgets(st.session_state).scenario
    try:
        points = own_points.edited(
            scenario, str(edit), int(index), float(x), float(y), st.session_state.get(NEW_CLASS_KEY, 1)
        )
    except (TypeError, ValueError) as err:
        st.toast(f"Not applied: {err}", icon="✋")
        return
    st.session_state[POINTS_KEY] = points_lines(points)
    points_changed()
    st.rerun()  # the points box is in the sidebar, outside the explorer's fragment


def points_changed() -> None:
    """The points box changed: the data's count box (disabled meanwhile) shows their number."""
    scenario = scenario_from_widgets(st.session_state).scenario
    if scenario.points:
        st.session_state[surface_key(scenario.surface, "n")] = len(scenario.points)


def drawn_data() -> None:
    """Back from own points to the data drawn from the seed."""
    st.session_state[POINTS_KEY] = ""


def start_from_box(key: str, widget: str) -> None:
    if changed(st.session_state, widget):
        store(st.session_state, key, float(st.session_state[widget]), START_VIEWS, source="box")


def set_lr(i: int, lr: float) -> None:
    """The i-th run's lr (3 significant digits, within the lr range), in its slider and box."""
    run = st.session_state.run_ids[i]
    lr_key = run_key(run, st.session_state[f"run{run}"], "lr")
    store(st.session_state, lr_key, min(max(float(f"{lr:.3g}"), 1e-6), 10.0), LR_VIEWS)


def lr_from_view(lr_key: str, view: str, widget: str) -> None:
    """The slider (log10, the lr rounded to 3 significant digits) or the box (exact) was changed."""
    if not changed(st.session_state, widget):
        return
    value = float(st.session_state[widget])
    store(st.session_state, lr_key, float(f"{10**value:.3g}") if view == "exp" else value, LR_VIEWS, source=view)


def lr_from_sweep() -> None:
    """A click on the sweep's loss curve of run i sets run i's lr to the clicked one."""
    picked = st.session_state[SWEEP_CHART_KEY].pick
    if picked and int(picked[2]) < len(st.session_state.run_ids):
        set_lr(int(picked[2]), float(picked[0]))


def lr_from_drag() -> None:
    """A released lr slider of the drag view sets that run's lr to the one it shows."""
    released = st.session_state[DRAG_MAP_KEY].lr
    if released:
        set_lr(int(released[0]), float(released[1]))


def add_run() -> None:
    if len(st.session_state.run_ids) < MAX_RUNS:
        run = new_run_id()
        st.session_state[f"run{run}"] = "adam"
        st.session_state.run_ids = [*st.session_state.run_ids, run]


def convention_changed() -> None:
    """Another framework: every run keeps its optimizer and lr and takes that framework's
    other defaults; runs it has no version of are dropped, with a notice."""
    state = st.session_state
    if not changed(state, "conv"):
        return
    conv = state.conv
    missing = available(conv)
    runs, dropped = [], []
    for i, name in ((i, state[f"run{i}"]) for i in state.run_ids):
        if missing[name]:
            dropped.append(missing[name])
        else:
            runs.append(OptRun.of(name, conv, lr=float(state[run_key(i, name, "lr")])))
    scenario = scenario_from_widgets(state).scenario
    runs = runs or [OptRun.of(r.name, conv, lr=r.lr) for r in DEFAULT_RUNS]
    load(dataclasses.replace(scenario, runs=tuple(runs), convention=conv))
    st.session_state.notices = [f"{why}: run dropped" for why in dropped]


def remove_run(run: int) -> None:
    """Remove the run with id ``run``; the others keep their widgets (and any change in flight)."""
    if len(st.session_state.run_ids) > 1:
        st.session_state.run_ids = [i for i in st.session_state.run_ids if i != run]


def param_from_view(key: str, widget: str) -> None:
    if changed(st.session_state, widget):
        st.session_state[key] = st.session_state[widget]
