"""OptViz explorer: `streamlit run app.py`.

A thin UI layer: widgets ⇄ Scenario ⇄ URL, then `simulate` (cached by the canonical
link), then figure builders from `optviz.figures`. All computation lives in `optviz`.
"""

from __future__ import annotations

import gc

import plotly.graph_objects as go
import streamlit as st

from optviz import Scenario, export, simulate
from optviz.engine import Result, Sweep, velocities
from optviz.figures import frame_step, map_parts, schedule_figure, surface_figure
from optviz.figures.drag import drag_figure
from optviz.figures.map_layout import NORMAL, PRESENT
from optviz.figures.sweep import basin_figure, sweep_figure
from optviz.literal import markdown_text
from optviz.map.component import show_figure, show_map
from optviz.map.message import encode, encoded_bytes
from optviz.memo import Memo, limit_arenas, map_large_blocks
from optviz.presets import Verdict, preset_for
from optviz.summary import map_text
from optviz.sweeps import WINDOW_POINTS, Basins, basin_map, lr_families, lr_sweeps
from optviz.ui.address import current_link, navigated, show_link
from optviz.ui.controls import lr_from_drag, sidebar, start_from_click
from optviz.ui.lesson import lesson_bar, open_link
from optviz.ui.panels import basin_panel, code_menu, export_menu, gallery, share, summary, sweep_panel
from optviz.ui.present import projector
from optviz.ui.state import PAGE_LABELS, VIEW_LABELS, scenario_from_widgets, view_from_widgets
from optviz.view import link as view_link

st.set_page_config(page_title="OptViz: see how optimizers learn", page_icon="📉", layout="wide")


@st.cache_resource(show_spinner=False)
def imports_frozen() -> bool:
    """Move every object alive after the imports (JAX's, Streamlit's: ~170,000) to Python's
    permanent GC generation, once per process. Streamlit runs a full ``gc.collect(2)``
    after every script run; over those objects it took ~0.1-0.2 s holding the GIL, and the
    rerun's messages (the map among them) waited behind it. Frozen, it takes microseconds,
    and cyclic garbage made by reruns is still collected."""
    gc.freeze()
    return True


imports_frozen()


@st.cache_resource(show_spinner=False)
def allocator_tuned() -> bool:
    """Two malloc arenas, and blocks of 256 KiB or more (arrays, message strings) mapped on
    their own so that freeing one returns its memory (`optviz.memo`); once per process."""
    limit_arenas(2)
    map_large_blocks(256 * 2**10)
    return True


allocator_tuned()


@st.cache_resource(show_spinner=False)
def results() -> Memo[Result]:
    """Results by canonical link, shared by all sessions, ≤ 128 MB (a Result is ≤ 56 MB)."""
    return Memo(lambda query: simulate(Scenario.from_query(query).scenario), max_bytes=128 * 2**20)


def run_scenario(query: str) -> Result:
    return results()(query)


def _map_encoded(query: str, arrows: bool, present: bool = False) -> list[tuple[str, dict]]:
    result = run_scenario(query)
    size = PRESENT if present else NORMAL  # projector mode: larger text, lines and markers
    return encode(map_parts(result, arrows=arrows, velocity=velocities(result) if arrows else None, size=size))


@st.cache_resource(show_spinner=False)
def map_encodings() -> Memo[list[tuple[str, dict]]]:
    """The map's encoded parts by (link, arrows, projector mode), shared by all sessions and only read,
    ≤ 32 MB by their strings (a link's parts are ≤ ~11 MB)."""
    return Memo(_map_encoded, max_bytes=32 * 2**20, size=encoded_bytes)


def map_encoded(query: str, arrows: bool, present: bool = False) -> list[tuple[str, dict]]:
    return map_encodings()(query, arrows, present)


@st.cache_data(max_entries=8, max_size="40MB", show_spinner=False)  # one 3-D figure pickles to ≤ ~30 MB
def surface_view(query: str) -> go.Figure:
    return surface_figure(run_scenario(query))


@st.cache_data(max_entries=8, max_size="8MB", show_spinner="Sweeping the learning rate…")
def sweep_view(query: str, lo: float, hi: float) -> tuple[list[Sweep], go.Figure]:
    scenario = Scenario.from_query(query).scenario
    sweeps = lr_sweeps(scenario, lo, hi)
    return sweeps, sweep_figure(scenario, sweeps)


@st.cache_data(max_entries=8, max_size="8MB", show_spinner="Mapping the basins…")
def basin_view(query: str, run: int) -> tuple[Basins, go.Figure]:
    scenario = Scenario.from_query(query).scenario
    basins = basin_map(scenario, run)
    return basins, basin_figure(scenario, basins)


@st.cache_data(max_entries=4, max_size="40MB", show_spinner="Running each run over its lr window…")
def drag_view(query: str) -> dict:
    scenario = Scenario.from_query(query).scenario
    return drag_figure(scenario, lr_families(scenario))


@st.cache_data(max_entries=32, max_size="1MB", show_spinner=False)
def preset_verdict(query: str) -> Verdict:
    return preset_for(query).check(run_scenario(query))


@st.cache_data(max_entries=4, max_size="16MB", show_spinner="Rendering…")
def exported(kind: str, query: str, arrows: bool, frame: int) -> bytes:
    result = run_scenario(query)
    if kind == "html":
        return export.html(result, arrows=arrows, frame=frame).encode()
    return export.png(result, frame or None) if kind == "png" else getattr(export, kind)(result)


@st.cache_data(max_entries=64, show_spinner=False)  # the gallery's pictures, ~50 KB each
def thumbnail(query: str) -> bytes:
    return export.thumbnail(run_scenario(query))


# --- state from the link, once per session and on Back/Forward ---------------------------------
if "run_ids" not in st.session_state or navigated():
    open_link(current_link())
projector(st.session_state.get("present", False))

# --- sidebar --------------------------------------------------------------------------------
surface, schedule_slot = sidebar()

# --- the link: scenario + view, kept in the address bar ---------------------------------------
scenario, fixes = scenario_from_widgets(st.session_state)
query = scenario.to_query()
st.session_state.frame = frame_step(scenario.steps, st.session_state.get("frame", 0))  # a scrubber position
shown = view_from_widgets(st.session_state)
link = view_link(scenario, shown)
with schedule_slot:
    show_figure(schedule_figure(scenario.schedule, scenario.schedule_params, scenario.steps), key="schedule_preview")
show_link(link)

for notice in st.session_state.notices:
    st.warning(f"Link fixed: {markdown_text(notice)}", icon="🔧")
for fix in fixes:
    if not fix.startswith(("f=", "domain=")):  # those are shown at the formula box
        st.info(markdown_text(fix), icon="ℹ️")

explorer, gallery_tab = st.tabs(list(PAGE_LABELS.values()), key="page", on_change="rerun")
with gallery_tab:
    if gallery_tab.open:
        gallery(thumbnail, lambda link: map_text(run_scenario(link)))
with explorer:
    if explorer.open:
        result = run_scenario(query)
        if not lesson_bar(query, result) and (preset := preset_for(query)) is not None:
            holds, evidence = preset_verdict(query)
            (st.success if holds else st.error)(
                f"**{preset.title}.** {preset.claim}  \n{'✓ Holds' if holds else '✗ Does not hold'}: {evidence}"
            )
        controls = st.columns([4.2, 2.2, 1.6, 1.7, 1.5], vertical_alignment="center")
        controls[0].radio("view", list(VIEW_LABELS.values()), key="view", horizontal=True,
                          label_visibility="collapsed")  # fmt: skip
        controls[1].checkbox("direction arrows", key="arrows", disabled=shown.view != "2d",
                             help="at each head: −∇f (grey), the step taken (black), the velocity (dashed purple)",
                             )  # fmt: skip
        with controls[2]:
            share(query, shown, scenario.steps)
        with controls[3]:
            export_menu(lambda kind: exported(kind, query, shown.arrows, shown.frame))
        with controls[4]:
            code_menu(scenario, result)
        if shown.view == "3d":
            st.plotly_chart(surface_view(query), key="surface3d", width="stretch")
        elif shown.view == "sweep":
            sweep_panel(scenario, *sweep_view(query, *shown.sweep))
        elif shown.view == "basins":
            basin_panel(scenario, *basin_view(query, shown.run))
        elif shown.view == "drag":
            show_figure(drag_view(query), key="drag_map", on_lr=lr_from_drag)
            st.caption(f"Each run over {WINDOW_POINTS} learning rates around its own, from the first start point. "
                       "Drag a slider to move that run's lr; release it to make that the run's lr.")  # fmt: skip
        else:
            show_map(map_encoded(query, shown.arrows, shown.present), shown.frame, origin=str(hash(scenario.starts)),
                     key="map", on_start=start_from_click, text=map_text(result))  # fmt: skip
            st.caption(
                "Click on the map to start the runs there."
                + (" Arrows show directions, not lengths: −∇f grey, the step taken black, the optimizer's velocity "
                   "(momentum trace or first moment, where it keeps one) dashed purple." if shown.arrows else "")
            )  # fmt: skip
        summary(result, scenario, surface)
