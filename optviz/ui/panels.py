"""Parts of the page below and around the map: Share, Export and Code popovers, the gallery,
the summary table and the update-rules panel. Layout only; values come from `optviz`."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from optviz.conventions import TITLES, resolve
from optviz.engine import Result, Sweep
from optviz.figures import drawn, frame_step
from optviz.map.component import show_figure, show_map, show_scene
from optviz.params import fmt
from optviz.presets import PRESETS
from optviz.scenario import Scenario
from optviz.schedules import SCHEDULES
from optviz.snippets import FRAMEWORKS, run_code
from optviz.summary import device_note, summary_rows, summary_table
from optviz.sweeps import BEST_LR_RULE, WINDOW_POINTS, Basins, best_lr
from optviz.ui.actions import (
    DRAG_MAP_KEY,
    MAP_KEY,
    SWEEP_CHART_KEY,
    data_from_click,
    lr_from_drag,
    lr_from_sweep,
    open_preset,
    set_lr,
    start_from_click,
)
from optviz.ui.lesson import lesson_card
from optviz.ui.views import changed, view_showing
from optviz.view import SWEEP_LIMITS, View
from surfaces.core import Surface

TABLE_ROWS, TABLE_HEIGHT = 12, 440  # a longer summary scrolls in a box this high (px)
EXPORTS = (
    ("html", "text/html", "Animated HTML"),
    ("gif", "image/gif", "GIF"),
    ("mp4", "video/mp4", "MP4"),
    ("png", "image/png", "PNG of the shown step"),
)


def table(rows: list[dict]) -> None:
    """Rows as a table (`summary_table`); one longer than `TABLE_ROWS` scrolls in a box."""
    (st.container(height=TABLE_HEIGHT) if len(rows) > TABLE_ROWS else st).markdown(summary_table(rows))


def full_url(link: str) -> str:
    """The address to share: this app's own URL (as the browser sees it) and the link."""
    return f"{st.context.url or ''}?{link}"


def frame_from_box(steps: int, widget: str) -> None:
    """The Share menu's step box was changed: the link's frame, moved to the scrubber's
    nearest position."""
    if changed(st.session_state, widget):
        st.session_state.frame = frame_step(steps, st.session_state[widget])


def frame_box(steps: int, frame: int) -> None:
    """The step box, a view (`optviz.ui.views`) of the link's ``frame``: renewed when the
    frame changed elsewhere or was snapped, drawn from it when the menu opens."""
    widget = view_showing(st.session_state, "frame", "box", frame)
    st.number_input(
        "link to the map at step",
        0,
        steps,
        value=frame,
        key=widget,
        on_change=frame_from_box,
        args=(steps, widget),
        help="the map opens at this step (moved to the scrubber's nearest position)",
    )


def share(query: str, shown: View, steps: int) -> None:
    """Links with copy buttons: the scenario as shown, and the same at a chosen step. Drawn
    only while open (fewer elements per rerun)."""
    with st.popover("Share", icon=":material/share:", key="share_menu", on_change="rerun") as menu:
        if not menu.open:
            return
        st.caption("Everything on screen is in the link; the button at its right copies it.")
        st.code(full_url(query + View(view=shown.view, arrows=shown.arrows).to_query()), language=None, wrap_lines=True)
        frame_box(steps, shown.frame)
        st.caption(f"Link to step {shown.frame}:")
        st.code(full_url(query + shown.to_query()), language=None, wrap_lines=True)


def export_menu(make: Callable[[str], bytes]) -> None:
    """Download buttons; ``make(kind)`` renders a file only when its button is clicked."""
    menu = st.popover("Export", icon=":material/download:", key="export_menu", on_change="rerun")
    with menu:
        if not menu.open:  # its buttons are drawn only while it is open (fewer elements per rerun)
            return
        st.caption("For slides: the animation as a page that works offline, a GIF or MP4, or one frame as PNG.")
        for kind, mime, label in EXPORTS:
            st.download_button(
                label,
                lambda kind=kind: make(kind),
                file_name=f"optviz.{kind}",
                mime=mime,
                key=f"export.{kind}",
                width="stretch",
            )


def code_menu(scenario: Scenario, result: Result) -> None:
    """Each run as code of a chosen framework (the runs' own by default), with copy buttons."""
    with st.popover("Code", icon=":material/code:", key="code_menu", on_change="rerun") as menu:
        if not menu.open:  # drawn (and the code written) only while it is open
            return
        st.caption("Each run as code that reproduces its path; the button at a block's right copies it.")
        # The choices outlive the closed menu (a widget not drawn in a run loses its state).
        choice = f"code_framework.{scenario.convention}"
        st.session_state.setdefault(choice, st.session_state.get(f"kept.{choice}", scenario.convention))
        st.session_state.setdefault("code_loop", st.session_state.get("kept.code_loop", True))
        framework = st.radio(
            "framework",
            FRAMEWORKS,
            format_func=TITLES.get,
            horizontal=True,
            key=choice,
            on_change=_keep,
            args=(choice,),
        )
        loop = st.checkbox(
            "with a loop on this surface",
            key="code_loop",
            on_change=_keep,
            args=("code_loop",),
            help="runs the optimizer from the first start point and prints where it ends",
        )
        for i in range(len(scenario.runs)):
            st.code(run_code(scenario, i, framework, loop=loop, result=result), language="python")


def _keep(key: str) -> None:
    st.session_state[f"kept.{key}"] = st.session_state[key]


# --- the views' panels: ``panel(data, scenario, view)`` draws ``optviz.view_kinds.VIEWS[name]``'s data ---
def map_panel(data: tuple[list[tuple[str, dict]], tuple[str, list[str]]], scenario: Scenario, shown: View) -> None:
    """The 2-D map with its text alternative (a click starts the runs there) and what its
    arrows mean."""
    parts, text = data
    show_map(
        parts,
        shown.frame,
        origin=str(hash(scenario.starts)),
        key=MAP_KEY,
        on_start=start_from_click,
        on_data=data_from_click,
        text=text,
    )
    arrows = (
        " Arrows show directions, not lengths: −∇f grey, the step taken black, the optimizer's velocity "
        "(momentum trace or first moment, where it keeps one) dashed purple."
    )
    data = (
        " Click the data panel to add a point, click a point to choose it, then click elsewhere to move it"
        " there or click it again to remove it: the loss surface, its minimum and the paths follow."
    )
    st.caption(
        "Click on the map to start the runs there."
        + (data if scenario.surface_def.data is not None else "")
        + (arrows if shown.arrows else "")
    )


def surface_panel(parts: list[tuple[str, dict]], scenario: Scenario, shown: View) -> None:
    """The 3-D surface with the runs' paths on it, redrawn in place."""
    show_scene(parts, shown.frame, origin=str(hash(scenario.starts)), key="surface3d")
    st.caption("Drag to turn the surface, scroll to zoom; Play moves each head along its path.")


def drag_panel(figure: dict, scenario: Scenario, shown: View) -> None:
    """The drag-lr map: releasing a run's slider sets that run's lr."""
    show_figure(figure, key=DRAG_MAP_KEY, on_lr=lr_from_drag)
    st.caption(
        f"Each run over {WINDOW_POINTS} learning rates around its own, from the first start point. "
        "Drag a slider to move that run's lr; release it to make that the run's lr."
    )


def sweep_panel(data: tuple[list[Sweep], object], scenario: Scenario, shown: View) -> None:
    """The sweep's lr range, its figure (click a loss point to use that lr) and, per run,
    a button that sets its `best_lr` (the lowest final loss that its neighbours share)."""
    sweeps, figure = data
    lo, hi, _ = st.columns([1, 1, 4])
    lo.number_input("from log₁₀ lr", SWEEP_LIMITS[0], SWEEP_LIMITS[1] - 0.5, step=0.5, key="sweep_lo")
    hi.number_input("to log₁₀ lr", SWEEP_LIMITS[0] + 0.5, SWEEP_LIMITS[1], step=0.5, key="sweep_hi")
    show_figure(figure, key=SWEEP_CHART_KEY, on_pick=lr_from_sweep)
    st.caption(
        f"{len(sweeps[0].lrs)} learning rates per run, each run's other settings fixed, from the first start "
        "point; one compiled call per run. Click a point on a loss curve to use that lr. "
        f"Best lr (◆): {BEST_LR_RULE}, so a lucky lr among bad neighbours is passed over."
    )
    columns = st.columns(min(len(sweeps), 4))
    for i, s in enumerate(sweeps):
        best = best_lr(s)
        label = f"run {i + 1}: use best lr {best:.3g}" if best else f"run {i + 1}: every lr diverged"
        columns[i % len(columns)].button(
            label,
            key=f"best_lr{i}",
            help=f"Best lr: {BEST_LR_RULE}.",
            disabled=best is None,
            on_click=set_lr,
            args=(i, best or 0.0),
            width="stretch",
        )


def basin_panel(data: tuple[Basins, object], scenario: Scenario, shown: View) -> None:
    """Which start ends where, for the run picked here."""
    basins, figure = data
    st.selectbox(
        "basins of run",
        range(len(scenario.runs)),
        key="basin_run",
        format_func=lambda i: f"{i + 1}. {scenario.runs[i].label}",
    )
    show_figure(figure, key="basins_chart")
    shares = {k: float((basins.label == k).mean()) for k in range(len(basins.minima))}
    st.caption(
        f"{basins.label.size:,} starts on a {len(basins.xs)}×{len(basins.ys)} grid, one compiled call. "
        + (
            "Basins by the known minimum each start converges to."
            if scenario.surface_def.minima(dict(scenario.surface_params))
            else "No minimum is known here: basins are the end points shared by at least 1 % of the starts."
        )
        + f" Largest basin: {max(shares.values(), default=0):.0%} of the starts."
    )


def gallery(card: Callable[[str], tuple[str, str]]) -> None:
    """The preset cards, each with ``card(link)``: a picture (its URL) of its final step and
    its alt text, the map's text alternative (`optviz.cards`)."""
    st.markdown(
        "Teaching scenarios, each with the claim it demonstrates. Every claim is checked on the computed "
        "result by the test suite, and again on screen when you open it."
    )
    lesson_card()
    columns = st.columns(3)
    for i, preset in enumerate(PRESETS.values()):
        with columns[i % 3].container(border=True):
            st.markdown(f"**{preset.title}**")
            picture, alt = card(preset.link)
            st.image(picture, width="stretch", alt=alt)
            st.markdown(preset.note)
            st.markdown(f"*Claim:* {preset.claim}")
            st.button("Open", key=f"preset.{preset.slug}", on_click=open_preset, args=(preset.slug,), type="primary")
            st.caption(f"[Link to this preset]({full_url(preset.link)})")


def summary(result: Result, scenario: Scenario, surface: Surface) -> None:
    """The summary table, the update-rules panel and the footer."""
    shown = len(drawn(result, result.runs[0]))
    if len(scenario.starts) > shown:
        st.caption(f"The map shows the first {shown} of {len(scenario.starts)} start points of each run.")
    st.header("Summary")
    table(summary_rows(result))  # Markdown, not st.dataframe: see summary_table
    with st.expander("Update rules", expanded=False, key="update_rules", on_change="rerun") as rules:
        if rules.open:  # drawn only while open
            _update_rules(scenario)
    st.caption(  # one element (each costs the browser a render on every rerun)
        f"{device_note(result)} Link: `?{scenario.to_query()}`  \n"
        f"Surface: ${surface.latex}$ · {scenario.steps} steps · seed {fmt(scenario.seed)}"
    )


def _update_rules(scenario: Scenario) -> None:
    """Each run's update rule and the schedule, as the chosen framework defines them."""
    st.caption(f"As {TITLES[scenario.convention]} defines them.")
    for name in dict.fromkeys(run.name for run in scenario.runs):
        opt = resolve(name, scenario.convention)
        st.markdown(f"**{opt.title}** (`{name}`): {opt.note}")
        st.latex(opt.latex)
    sched = SCHEDULES[scenario.schedule]
    st.markdown(f"**Schedule: {sched.title}**: {sched.note} Each run's rate is $\\eta_t = \\mathrm{{lr}}\\cdot s(t)$.")
    st.latex(sched.latex)
