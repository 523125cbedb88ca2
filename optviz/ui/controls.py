"""The sidebar: every control of a `Scenario`, bound to Streamlit session state.

Widget keys and their values come from `optviz.ui.state` (pure); this module only lays
the widgets out. A value with several widgets (an lr: slider and box; the start point:
boxes and a tap on the map) is held once and its widgets are views of it
(`optviz.ui.views`), so fast input never plays one widget's stale value against another.
"""

from __future__ import annotations

import dataclasses
import math

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from optviz import view
from optviz.conventions import CONVENTIONS, TITLES, available, resolve, unavailable_note
from optviz.literal import markdown_text
from optviz.optimizers import menu, menu_label
from optviz.presets import PRESETS
from optviz.scenario import BATCH, CUSTOM, DEFAULT_RUNS, MAX_RUNS, MAX_STEPS, SEED, OptRun, Scenario
from optviz.schedules import SCHEDULES
from optviz.starts import CLOUDS
from optviz.ui.state import (
    DOMAIN_KEYS,
    NO_CLOUD,
    PAGE_LABELS,
    cloud_key,
    run_key,
    scenario_from_widgets,
    schedule_key,
    surface_key,
    view_values,
    widget_values,
)
from optviz.ui.views import changed, remember, renew, store, view_key, view_showing
from optviz.view import View
from surfaces import SURFACES
from surfaces.core import Param, Surface
from surfaces.formula import DEFAULT_DOMAIN, DEFAULT_FORMULA, FUNCTIONS, MAX_CHARS, MAX_DOMAIN

LR_VIEWS = ("exp", "box")  # an lr's views: the log10 slider and the exact box
LR_BOX_WIDTH = 75  # px: the exact lr box beside its slider, which takes the rest of the row
START_KEYS, START_VIEWS = ("start_x", "start_y"), ("box",)  # (a tap on the map writes them too)


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
    point = st.session_state.map.start
    if point:
        for key, value in zip(START_KEYS, point, strict=True):
            # The grid travels as float32: round back to the grid's own values.
            store(st.session_state, key, float(f"{value:.6g}"), START_VIEWS)
        st.rerun()  # the start boxes are in the sidebar, outside the explorer's fragment


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
    for point in st.session_state.sweep_chart.selection.points:
        if point.get("curve_number", -1) < len(st.session_state.run_ids):
            set_lr(point["curve_number"], point["x"])
            return


def lr_from_drag() -> None:
    """A released lr slider of the drag view sets that run's lr to the one it shows."""
    released = st.session_state.drag_map.lr
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


def row(parent: DeltaGenerator, **kwargs) -> DeltaGenerator:
    """Widgets side by side, sharing the row's width as ``st.columns(n)`` would, in one
    element per rerun where columns send n + 1 (each element the page receives costs the
    browser a render before the map's turn comes)."""
    return parent.container(horizontal=True, wrap=False, gap="small", **kwargs)


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


def param_input(p: Param, key: str, container=st) -> None:
    """One parameter's widget under ``key`` (the parameter's default until set)."""
    st.session_state.setdefault(key, p.default)
    param_widget(p, key, container)


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


def param_from_view(key: str, widget: str) -> None:
    if changed(st.session_state, widget):
        st.session_state[key] = st.session_state[widget]


def custom_controls(side) -> Surface:
    """The formula box and domain of a custom surface; returns the surface computed (the
    default formula while the box holds one that is not allowed, with the reason shown)."""
    st.session_state.setdefault("formula", DEFAULT_FORMULA)
    for key, value in zip(DOMAIN_KEYS, (v for edge in DEFAULT_DOMAIN for v in edge), strict=True):
        st.session_state.setdefault(key, value)
    side.text_input(
        "f(x, y) =",
        key="formula",
        max_chars=MAX_CHARS,
        help="numbers, x, y, pi, e, + - * / ** ^ and " + ", ".join(FUNCTIONS),
    )
    line = row(side)
    for key in DOMAIN_KEYS:
        line.number_input(key.replace("dom_", ""), -MAX_DOMAIN, MAX_DOMAIN, format="%.4g", key=key)
    parsed = scenario_from_widgets(st.session_state)
    for problem in parsed.warnings:
        if problem.startswith(("f=", "domain=")):
            side.error(markdown_text(problem), icon="✏️")
    return parsed.scenario.surface_def


LrRow = tuple[DeltaGenerator, str, float]  # a run's lr row: where, the value's key, its default


def lr_line(box: DeltaGenerator) -> DeltaGenerator:
    """Where a run's lr controls go: a row, or with theory on a column that also holds the
    largest stable lr under them (one element more per run, so only then)."""
    return box.container(gap=None) if st.session_state.get("theory") else row(box)


def sidebar() -> tuple[Surface, DeltaGenerator, list[LrRow]]:
    """Lay out every control in the sidebar; returns the selected surface, the slot under
    the schedule picker for the schedule's preview (drawn once the scenario is parsed,
    before the simulation: it also starts the browser loading plotly.js), and each run's
    lr row, left empty: `lr_controls` fills it in ``app.py``'s fragment, which an lr
    change reruns alone."""
    side = st.sidebar
    side.title("OptViz")
    side.caption("How the optimizer moves, and how far the learning rate takes it.")
    surface = surface_section(side)
    lr_rows = runs_section(side)
    preview = schedule_section(side)
    run_section(side, surface)
    return surface, preview, lr_rows


def surface_section(side: DeltaGenerator) -> Surface:
    """The surface picker and its parameters (or a custom formula); a new surface moves
    the start point to its own."""
    surface_name = side.selectbox(
        "Loss surface",
        [*SURFACES, CUSTOM],
        key="surface",
        format_func=lambda n: "Custom formula…" if n == CUSTOM else SURFACES[n].title,
    )
    surface = custom_controls(side) if surface_name == CUSTOM else SURFACES[surface_name]
    if st.session_state.get("surface_shown", surface_name) != surface_name:  # a new surface: its own start point
        for key, value in zip(START_KEYS, surface.start, strict=True):
            store(st.session_state, key, float(value), START_VIEWS)
        st.session_state.more_starts = ()
    st.session_state.surface_shown = surface_name
    if surface_name != CUSTOM:
        side.caption(surface.note)
    if surface.params:
        line = row(side)
        for p in surface.params:
            param_input(p, surface_key(surface_name, p.name), line)
    return surface


def runs_section(side: DeltaGenerator) -> list[LrRow]:
    """The framework picker, then one box per run (optimizer, lr, hyperparameters) and
    the button that adds a run."""
    side.header("Optimizers")
    st.session_state.setdefault("conv", "optax")
    conv = side.selectbox(
        "as defined by",
        CONVENTIONS,
        key="conv",
        format_func=TITLES.get,
        on_change=convention_changed,
        help="the framework whose defaults and update rules the runs follow",
    )
    missing = {name: why for name, why in available(conv).items() if why}
    if missing:
        side.caption(unavailable_note(conv))
    names = [n for n in menu() if n not in missing]  # grouped by family
    lr_rows = [run_box(side, n, i, names, conv) for n, i in enumerate(st.session_state.run_ids)]
    side.button("+ add a run", on_click=add_run, disabled=len(st.session_state.run_ids) >= MAX_RUNS, width="stretch")
    return lr_rows


def run_box(side: DeltaGenerator, n: int, i: int, names: list[str], conv: str) -> LrRow:
    """The box of run number ``n`` (id ``i``): its optimizer among ``names``, remove
    button, a row for its lr (returned, with the lr's key and default) and other
    hyperparameters, as framework ``conv`` defines them."""
    box = side.container(border=True)
    head = row(box, vertical_alignment="bottom")
    st.session_state.setdefault(f"run{i}", "adam")
    if st.session_state[f"run{i}"] not in names:
        st.session_state[f"run{i}"] = "adam"
    name = head.selectbox(f"Run {n + 1}", names, key=f"run{i}", format_func=menu_label)
    head.button(
        "✕",
        key=f"remove{i}",
        type="tertiary",
        help="remove this run",
        on_click=remove_run,
        args=(i,),
        disabled=len(st.session_state.run_ids) == 1,
    )
    spec = resolve(name, conv)
    lr_key = run_key(i, name, "lr")
    lr_row = (lr_line(box), lr_key, spec.defaults()["lr"])
    others = spec.params[1:]
    if others:  # drawn only while open: fewer elements per rerun
        with box.expander("hyperparameters", key=f"hyper{i}", on_change="rerun") as more:
            for p in others if more.open else ():
                param_view(p, run_key(i, name, p.name))
    return lr_row


def schedule_section(side: DeltaGenerator) -> DeltaGenerator:
    """The schedule picker and its parameters; returns the slot for its preview."""
    side.header("Learning-rate schedule")
    schedule_name = side.selectbox(
        "Schedule", list(SCHEDULES), key="schedule", format_func=lambda n: SCHEDULES[n].title
    )
    for p in SCHEDULES[schedule_name].params:
        param_input(p, schedule_key(schedule_name, p.name), side)
    return side.empty()


def run_section(side: DeltaGenerator, surface: Surface) -> None:
    """Steps, the start point (kept inside ``surface``'s domain), a cloud of starts, the
    seed and the reset button."""
    side.header("Run")
    side.number_input("steps", 1, MAX_STEPS, step=50, key="steps")
    start_boxes(side, surface)
    cloud = side.selectbox(
        "start points",
        [NO_CLOUD, *CLOUDS],
        key="cloud",
        help="a cloud of starts flows together",
        format_func=lambda n: "just this one" if n == NO_CLOUD else f"{CLOUDS[n].title} around it",
    )
    if cloud != NO_CLOUD:
        side.caption(CLOUDS[cloud].note)
        line = row(side)
        for p in CLOUDS[cloud].params:
            param_input(p, cloud_key(p.name), line)
    side.number_input(
        "seed",
        0,
        int(SEED.hi),
        key="seed",
        disabled=surface.noise is None and surface.data is None and cloud != "random",
        help="seed of the gradient noise (noisy surfaces), the data and its batches (data surfaces) "
        "and of a random cloud",
    )
    if surface.data is not None:
        side.number_input("batch size", 0, int(BATCH.hi), key="batch", help=BATCH.help)
    side.button("↺ reset", on_click=reset, width="stretch")


def start_boxes(side: DeltaGenerator, surface: Surface) -> None:
    """The start point's x and y boxes (views of ``start_x``/``start_y``), the value
    clamped to the surface's domain."""
    (x0, x1), (y0, y1) = surface.domain
    line = row(side)
    for key, (lo, hi) in (("start_x", (x0, x1)), ("start_y", (y0, y1))):
        value = min(max(float(st.session_state.get(key, lo)), lo), hi)
        if value != st.session_state.get(key):
            store(st.session_state, key, value, START_VIEWS)
        widget = view_key(st.session_state, key, "box")
        if widget not in st.session_state:
            remember(st.session_state, widget, value)
        line.number_input(
            f"start {key[-1]}",
            float(lo),
            float(hi),
            value=value,
            step=(hi - lo) / 40,
            format="%.4g",
            key=widget,
            on_change=start_from_box,
            args=(key, widget),
        )
