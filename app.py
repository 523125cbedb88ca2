"""OptViz explorer, the script Streamlit runs for each visitor (`streamlit run serve.py`).

A thin UI layer: widgets ⇄ Scenario ⇄ URL, then `simulate` (cached by the canonical
link), then figure builders from `optviz.figures`. All computation lives in `optviz`.
The sidebar and the page's frame are drawn on a full run; what an lr changes is the
fragment `live`, which reruns alone when an lr changes.
"""

from __future__ import annotations

import base64
import gc
import pkgutil
from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from optviz import Scenario, cards, export, simulate
from optviz.engine import Result
from optviz.figures import frame_step, schedule_figure
from optviz.literal import markdown_text
from optviz.map.component import show_figure
from optviz.memo import Memo, limit_arenas, map_large_blocks, nbytes
from optviz.predictions import Prediction, predict, stable_note
from optviz.presets import Verdict, preset_for
from optviz.scenario import about_formula
from optviz.ui.address import current_link, navigated, show_link
from optviz.ui.lesson import lesson_bar, open_link
from optviz.ui.panels import code_menu, export_menu, gallery, share, summary
from optviz.ui.present import projector
from optviz.ui.sidebar import sidebar
from optviz.ui.state import PAGE_LABELS, scenario_from_widgets, view_from_widgets
from optviz.ui.theory import theory_panel
from optviz.ui.widgets import LrRow, lr_controls
from optviz.view import View
from optviz.view import link as view_link
from optviz.view_kinds import VIEWS, ViewKind
from surfaces.core import Surface

st.set_page_config(page_title="OptViz: see how optimizers learn", page_icon="📉", layout="wide")


@st.cache_resource(show_spinner=False)
def imports_frozen() -> bool:
    """Move every object alive after the imports (JAX's, Streamlit's: ~170,000) to Python's
    permanent GC generation, once per process. A full collection over those objects took
    ~0.1-0.2 s holding the GIL; frozen, Python's own collections (Streamlit's full one after
    every run is off: `.streamlit/config.toml`) skip them, and cyclic garbage made by reruns
    is still collected."""
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


def view_builder(kind: ViewKind) -> Callable[..., object]:
    """``kind.build`` as a function of the link and the view fields it reads.

    Caches are keyed by the canonical link, not by `Scenario`: Streamlit's cache hashes a
    dataclass through ``dataclasses.asdict``, which takes longer than parsing the link again
    on a miss (docs/performance.md)."""

    def build(query: str, *values: object) -> object:
        shown = View(**dict(zip(kind.reads, values, strict=True)))
        return kind.built(Scenario.from_query(query).scenario, run_scenario(query), shown)

    return build


@st.cache_resource(show_spinner=False)
def shared_view(name: str) -> Memo:
    """A shared view's data by the link and its fields: one object for all sessions, only
    read, bounded by ``VIEWS[name].max_bytes`` as weighed by its ``size``."""
    kind = VIEWS[name]
    return Memo(view_builder(kind), max_bytes=kind.max_bytes, size=kind.weigher() or nbytes)


def view_data(name: str) -> Callable[..., object]:
    """``VIEWS[name].build``, cached as its row asks, by the link and the view fields it reads."""
    kind = VIEWS[name]
    if kind.shared:
        return shared_view(name)
    build = view_builder(kind)
    build.__qualname__ = f"view_data.{name}"  # one cache per view: Streamlit keys a cache by name and source
    return st.cache_data(max_entries=kind.max_entries, max_size=kind.max_bytes, show_spinner=kind.spinner)(build)


@st.cache_data(max_entries=32, max_size="1MB", show_spinner=False)
def preset_verdict(query: str) -> Verdict:
    return preset_for(query).check(run_scenario(query))


@st.cache_data(max_entries=32, max_size="1MB", show_spinner=False)
def predicted(query: str) -> Prediction:
    """What theory predicts for the link's runs, and their measured rates."""
    return predict(Scenario.from_query(query).scenario, run_scenario(query))


def stable_notes(scenario: Scenario) -> dict[int, str]:
    """Run index → the largest stable lr, shown under that run's lr control."""
    pred = predicted(scenario.to_query())
    return {i: note for i in range(len(pred.runs)) if (note := stable_note(pred, i))}


@st.cache_data(max_entries=4, max_size="16MB", show_spinner="Rendering…")
def exported(kind: str, query: str, arrows: bool, frame: int, theory: bool = False) -> bytes:
    result = run_scenario(query)
    if kind == "html":
        return export.html(result, arrows=arrows, frame=frame, theory=theory).encode()
    if kind == "png":
        return export.png(result, frame or None, theory=theory)
    return getattr(export, kind)(result, theory=theory)


@st.cache_data(max_entries=64, show_spinner=False)  # the gallery's cards, ~50 KB each
def gallery_card(link: str) -> tuple[str, str]:
    """A preset's card (`optviz.cards`, kept on disk): its picture as a ``data:`` URL, inside
    the gallery's own message (which the browser keeps by hash: a later visit gets a
    reference, ~32 KB instead of ~1 MB; a media file would be removed by the next full run,
    and an Open clicked before the browser had fetched the last card's picture would meet a
    404), and the picture's alt text."""
    card = cards.kept(link, lambda: cards.draw(run_scenario(link)))
    return "data:image/png;base64," + base64.b64encode(card.png).decode("ascii"), card.alt


# --- state from the link, once per session and on Back/Forward ---------------------------------
if "run_ids" not in st.session_state or navigated():
    open_link(current_link())
projector(st.session_state.get("present", False))

# --- sidebar, then the page's frame: notices above two tabs ------------------------------------
surface, schedule_slot, lr_rows = sidebar()
scenario, fixes = scenario_from_widgets(st.session_state)
with schedule_slot:
    show_figure(schedule_figure(scenario.schedule, scenario.schedule_params, scenario.steps), key="schedule_preview")
for notice in st.session_state.notices:
    st.warning(f"Link fixed: {markdown_text(notice)}", icon="🔧")
for fix in fixes:  # none comes from an lr (its widgets keep it in range): drawn on a full run
    if not about_formula(fix):  # those are shown at the formula box
        st.info(markdown_text(fix), icon="ℹ️")
explorer, gallery_tab = st.tabs(list(PAGE_LABELS.values()), key="page", on_change="rerun")
with gallery_tab:
    if gallery_tab.open:
        gallery(gallery_card)


# --- what an lr changes, rerun alone when one changes -------------------------------------------
@st.fragment(key="live")
def live(lr_rows: list[LrRow], surface: Surface, explorer: DeltaGenerator) -> None:
    """The runs' lr rows (in the sidebar's run boxes), the link and the explorer. An lr's
    slider or box is drawn here, so moving it reruns only this: 27 messages instead of the
    whole page's 66, each one React render fewer in the browser. Widgets elsewhere rerun
    the whole page, and so do this part's callbacks that change the sidebar (they call
    `st.rerun`). A fragment may write into a container outside it only where it wrote
    during the last full run: the lr rows are written on every run, and the explorer is
    where it is called."""
    theory = bool(st.session_state.get("theory"))
    notes = stable_notes(scenario_from_widgets(st.session_state).scenario) if theory else {}
    for i, (line, lr_key, default) in enumerate(lr_rows):
        lr_controls(line, lr_key, default, notes.get(i, "") if theory else None)
    scenario = scenario_from_widgets(st.session_state).scenario
    st.session_state.frame = frame_step(scenario.steps, st.session_state.get("frame", 0))  # a scrubber position
    shown = view_from_widgets(st.session_state)
    show_link(view_link(scenario, shown))
    if explorer.open:
        explore(scenario, shown, surface)


def explore(scenario: Scenario, shown: View, surface: Surface) -> None:
    """The explorer tab: the lesson or preset bar, the view picker and menus, the view, the summary."""
    query = scenario.to_query()
    result = run_scenario(query)
    if not lesson_bar(query, result) and (preset := preset_for(query)) is not None:
        holds, evidence = preset_verdict(query)
        (st.success if holds else st.error)(
            f"**{preset.title}.** {preset.claim}  \n{'✓ Holds' if holds else '✗ Does not hold'}: {evidence}"
        )
    # One horizontal container (not st.columns): wraps on a narrow screen, 5 fewer elements.
    controls = st.container(horizontal=True, vertical_alignment="center", gap="small")
    this_view = VIEWS[shown.view]
    controls.radio("view", [k.label for k in VIEWS.values()], key="view", horizontal=True, label_visibility="collapsed")
    controls.checkbox(
        "direction arrows",
        key="arrows",
        disabled="arrows" not in this_view.reads,
        help="at each head: −∇f (grey), the step taken (black), the velocity (dashed purple)",
    )
    controls.checkbox(  # the whole page: the lr rows in the sidebar make room for the stable lr
        "theory", key="theory", help="predicted rates and stable lrs beside the paths", on_change=st.rerun
    )
    with controls:
        share(query, shown, scenario.steps)
        export_menu(lambda kind: exported(kind, query, shown.arrows, shown.frame, shown.theory))
        code_menu(scenario, result)
    data = view_data(shown.view)(query, *(getattr(shown, name) for name in this_view.reads))
    pkgutil.resolve_name(this_view.panel)(data, scenario, shown)
    if shown.theory:
        theory_panel(predicted(query))
    summary(result, scenario, surface)


@st.fragment(run_every="1h")
def whole_page_on_reconnect() -> None:
    """Nothing to draw: this fragment is here so that a page whose server restarted (or
    whose replica went away) reruns the *whole* script when it reconnects. A new server
    session knows no fragments and drops a fragment's rerun request without a word
    (Streamlit's ``AppSession.request_rerun``), so every change made in `live` would be
    lost until a sidebar control ran the page. Streamlit's browser reruns the whole script
    on a reconnect when the page has a fragment that reruns by itself, as this one does
    (an empty run once an hour); the rerun carries the widgets' values and the link."""


whole_page_on_reconnect()

with explorer:  # the fragment's own place: no container of its own to send
    live(lr_rows, surface, explorer)
