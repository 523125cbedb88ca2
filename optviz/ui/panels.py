"""Parts of the page below and around the map: Share and Export popovers, the gallery,
the summary table and the update-rules panel. Layout only; values come from `optviz`."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from optviz.engine import Result
from optviz.figures import device_note, drawn, frame_step, schedule_figure, summary_rows
from optviz.optimizers import OPTIMIZERS
from optviz.params import fmt
from optviz.presets import PRESETS
from optviz.scenario import Scenario
from optviz.schedules import SCHEDULES
from optviz.ui.controls import open_preset
from optviz.view import View
from surfaces.core import Surface

EXPORTS = (("html", "text/html", "Animated HTML"), ("gif", "image/gif", "GIF"), ("mp4", "video/mp4", "MP4"),
           ("png", "image/png", "PNG of the shown step"))  # fmt: skip


def full_url(link: str) -> str:
    """The address to share: this app's own URL (as the browser sees it) and the link."""
    return f"{st.context.url or ''}?{link}"


def snap_frame(steps: int) -> None:
    st.session_state.frame = frame_step(steps, st.session_state.frame)


def share(query: str, shown: View, steps: int) -> None:
    """Links with copy buttons: the scenario as shown, and the same at a chosen step."""
    with st.popover("Share", icon=":material/share:", width="stretch"):
        st.caption("Everything on screen is in the link; the button at its right copies it.")
        st.code(full_url(query + View(view=shown.view, arrows=shown.arrows).to_query()), language=None,
                wrap_lines=True)  # fmt: skip
        st.number_input("link to the map at step", 0, steps, key="frame", on_change=snap_frame, args=(steps,),
                        help="the map opens at this step (moved to the scrubber's nearest position)")  # fmt: skip
        st.caption(f"Link to step {shown.frame}:")
        st.code(full_url(query + shown.to_query()), language=None, wrap_lines=True)


def export_menu(make: Callable[[str], bytes]) -> None:
    """Download buttons; ``make(kind)`` renders a file only when its button is clicked."""
    with st.popover("Export", icon=":material/download:", width="stretch"):
        st.caption("For slides: the animation as a page that works offline, a GIF or MP4, or one frame as PNG.")
        for kind, mime, label in EXPORTS:
            st.download_button(label, lambda kind=kind: make(kind), file_name=f"optviz.{kind}", mime=mime,
                               key=f"export.{kind}", width="stretch")  # fmt: skip


def gallery() -> None:
    st.markdown("Teaching scenarios, each with the claim it demonstrates. Every claim is checked on the computed "
                "result by the test suite, and again on screen when you open it.")  # fmt: skip
    columns = st.columns(3)
    for i, preset in enumerate(PRESETS.values()):
        with columns[i % 3].container(border=True):
            st.markdown(f"**{preset.title}**")
            st.markdown(preset.note)
            st.markdown(f"*Claim:* {preset.claim}")
            st.button("Open", key=f"preset.{preset.slug}", on_click=open_preset, args=(preset.slug,), type="primary")
            st.caption(f"[Link to this preset]({full_url(preset.link)})")


def summary(result: Result, scenario: Scenario, surface: Surface) -> None:
    """The summary table, the update-rules panel and the footer."""
    shown = len(drawn(result, result.runs[0]))
    if len(scenario.starts) > shown:
        st.caption(f"The map shows the first {shown} of {len(scenario.starts)} start points of each run.")
    st.subheader("Summary")
    st.dataframe(
        summary_rows(result), hide_index=True, width="stretch",
        column_config={"final loss": st.column_config.NumberColumn(format="%.4g"),
                       "distance to nearest minimum": st.column_config.NumberColumn(format="%.4g")},
    )  # fmt: skip
    with st.expander("Update rules", expanded=False):
        for name in dict.fromkeys(run.name for run in scenario.runs):
            opt = OPTIMIZERS[name]
            st.markdown(f"**{opt.title}** (`{name}`): {opt.note}")
            st.latex(opt.latex)
        sched = SCHEDULES[scenario.schedule]
        st.markdown(f"**Schedule: {sched.title}**: {sched.note} Each run's rate is "
                    "$\\eta_t = \\mathrm{lr}\\cdot s(t)$.")  # fmt: skip
        st.latex(sched.latex)
        st.plotly_chart(schedule_figure(scenario.schedule, dict(scenario.schedule_params), scenario.steps),
                        key="schedule_preview", width="stretch")  # fmt: skip
    st.caption(f"{device_note(result)} Link: `?{scenario.to_query()}`")
    st.caption(f"Surface: ${surface.latex}$ · {scenario.steps} steps · seed {fmt(scenario.seed)}")
