"""The sidebar: every control of a `Scenario`, bound to Streamlit session state.

Widget keys and their values come from `optviz.ui.state` (pure); this module only lays
the widgets out, section by section (surface, optimizer runs, schedule, run). What the
controls' callbacks do is in `optviz.ui.actions`; the widgets it shares with ``app.py``'s
fragment (a run's lr row) are in `optviz.ui.widgets`.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from optviz.conventions import CONVENTIONS, TITLES, available, resolve, unavailable_note
from optviz.literal import markdown_text
from optviz.optimizers import menu, menu_label
from optviz.scenario import BATCH, CUSTOM, MAX_RUNS, MAX_STEPS, SEED, about_formula
from optviz.schedules import SCHEDULES
from optviz.starts import CLOUDS
from optviz.ui.actions import (
    NEW_CLASS_KEY,
    START_KEYS,
    START_VIEWS,
    add_run,
    convention_changed,
    drawn_data,
    points_changed,
    remove_run,
    reset,
    start_from_box,
)
from optviz.ui.state import (
    DOMAIN_KEYS,
    NO_CLOUD,
    POINTS_KEY,
    cloud_key,
    owns_points,
    run_key,
    scenario_from_widgets,
    schedule_key,
    surface_key,
)
from optviz.ui.views import remember, store, view_key
from optviz.ui.widgets import LrRow, lr_line, param_input, param_view, row
from surfaces import SURFACES
from surfaces.core import Surface
from surfaces.data import MAX_OWN_POINTS
from surfaces.formula import DEFAULT_DOMAIN, DEFAULT_FORMULA, FUNCTIONS, MAX_CHARS, MAX_DOMAIN

PARAMS_PER_ROW = 3  # a surface's parameter boxes side by side in the sidebar
POINT_CHARS = 80  # a line of the points box at most: three values of up to 24 characters each, separators


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
        st.session_state[POINTS_KEY] = ""  # one model's points do not fit another's
    st.session_state.surface_shown = surface_name
    if surface_name != CUSTOM:
        side.caption(surface.note)
    own = owns_points(st.session_state)
    for i, p in enumerate(surface.params):
        if i % PARAMS_PER_ROW == 0:  # more in a row would wrap their labels mid-word
            line = row(side)
        disabled = own and p.name in surface.data.model.drawn  # own points are not drawn
        param_input(p, surface_key(surface_name, p.name), line, disabled=disabled)
    if surface.data is not None:
        own_points_section(side, surface, own)
    return surface


def own_points_section(side: DeltaGenerator, surface: Surface, own: bool) -> None:
    """A data surface's points as text (a click on the data panel edits them too), the
    class a clicked point takes on a classifier, and the way back to the drawn data."""
    model = surface.data.model
    st.session_state.setdefault(POINTS_KEY, "")
    with side.expander("Your own data points" if own else "Edit the data points", expanded=own):
        st.text_area(
            f"points, one per line: {', '.join(model.columns)}",
            key=POINTS_KEY,
            max_chars=MAX_OWN_POINTS * POINT_CHARS,
            on_change=points_changed,
            height=140,
            placeholder="empty: the data drawn from the seed",
            help=f"{MAX_OWN_POINTS} points at most; a click on the data panel adds, moves or removes one",
        )
        if model.labels is not None:
            st.radio(
                "a clicked point's class",
                list(reversed(model.labels)),
                key=NEW_CLASS_KEY,
                horizontal=True,
                format_func=lambda v: f"class {v:g}",
            )
        st.button("Back to the drawn data", key="drawn_data", on_click=drawn_data, disabled=not own, width="stretch")


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
        help="numbers, x, y, pi, e, + - * / ** ^, one of < <= > >= (true is 1) and " + ", ".join(FUNCTIONS),
    )
    line = row(side)
    for key in DOMAIN_KEYS:
        line.number_input(key.replace("dom_", ""), -MAX_DOMAIN, MAX_DOMAIN, format="%.4g", key=key)
    parsed = scenario_from_widgets(st.session_state)
    for problem in parsed.warnings:
        if about_formula(problem):
            side.error(markdown_text(problem), icon="✏️")
    return parsed.scenario.surface_def


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
    for key, (lo, hi) in zip(START_KEYS, ((x0, x1), (y0, y1)), strict=True):
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
