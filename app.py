"""OptViz explorer: `streamlit run app.py`.

A thin UI layer: widgets ⇄ Scenario ⇄ URL, then `simulate` (cached by the canonical
link), then figure builders from `optviz.figures`. All computation lives in `optviz`.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote

import plotly.graph_objects as go
import streamlit as st

from optviz import Scenario, simulate
from optviz.engine import Result, velocities
from optviz.figures import (
    MAX_DRAWN,
    PrebuiltFigure,
    device_note,
    schedule_figure,
    summary_rows,
    surface_figure,
    trajectory_figure,
)
from optviz.optimizers import OPTIMIZERS
from optviz.params import fmt
from optviz.schedules import SCHEDULES
from optviz.ui.controls import load, sidebar, start_from_click
from optviz.ui.state import VIEW_KEYS, scenario_from_widgets

st.set_page_config(page_title="OptViz: see how optimizers learn", page_icon="📉", layout="wide")


@st.cache_data(max_entries=8, show_spinner=False)  # a Result is ≤ 64 MB (MAX_RECORDED_ROWS)
def run_scenario(query: str) -> Result:
    return simulate(Scenario.from_query(query).scenario)


@st.cache_data(max_entries=16, show_spinner=False)
def main_figure(query: str, arrows: bool) -> dict:
    result = run_scenario(query)
    return trajectory_figure(result, arrows=arrows, velocity=velocities(result) if arrows else None)


@st.cache_data(max_entries=8, show_spinner=False)
def surface_view(query: str) -> go.Figure:
    return surface_figure(run_scenario(query))


def current_link() -> str:
    return "&".join(f"{k}={quote(v, safe=':,=')}" for k in st.query_params for v in st.query_params.get_all(k))


# --- state from the link, once per session ------------------------------------------------
if "n_runs" not in st.session_state:
    parsed = Scenario.from_query(current_link(), ignore=VIEW_KEYS)
    load(parsed.scenario)
    st.session_state.notices = parsed.warnings
    st.session_state.view = "3-D surface" if st.query_params.get("view") == "3d" else "2-D map"
    st.session_state.arrows = st.query_params.get("arrows") == "1"

# --- sidebar --------------------------------------------------------------------------------
surface = sidebar()

# --- compute --------------------------------------------------------------------------------
scenario, fixes = scenario_from_widgets(st.session_state)
query = scenario.to_query()
view_3d = st.session_state.view == "3-D surface"
link = query + ("&view=3d" if view_3d else "") + ("&arrows=1" if st.session_state.arrows else "")
if parse_qs(link) != {k: st.query_params.get_all(k) for k in st.query_params}:
    st.query_params.from_dict(parse_qs(link))
result = run_scenario(query)

# --- main view ------------------------------------------------------------------------------
for notice in st.session_state.notices:
    st.warning(f"Link fixed: {notice}", icon="🔧")
for fix in fixes:
    st.info(fix, icon="ℹ️")

controls = st.columns([2, 2, 6])
controls[0].radio("view", ["2-D map", "3-D surface"], key="view", horizontal=True, label_visibility="collapsed")
controls[1].checkbox("direction arrows", key="arrows", disabled=view_3d,
                     help="at each head: −∇f (grey), the step taken (black), the velocity (dashed purple)")  # fmt: skip
if view_3d:
    st.plotly_chart(surface_view(query), key="surface3d", width="stretch")
else:
    st.plotly_chart(PrebuiltFigure(main_figure(query, st.session_state.arrows)), key="map", width="stretch",
                    on_select=start_from_click, selection_mode="points")  # fmt: skip
    st.caption(
        "Click on the map to start the runs there."
        + (" Arrows show directions, not lengths: −∇f grey, the step taken black, the optimizer's velocity "
           "(momentum trace or first moment, where it keeps one) dashed purple." if st.session_state.arrows else "")
    )  # fmt: skip

if len(scenario.starts) > MAX_DRAWN:
    st.caption(f"Showing the first {MAX_DRAWN} of {len(scenario.starts)} start points of each run.")
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
    st.markdown(f"**Schedule: {sched.title}**: {sched.note} Each run's rate is $\\eta_t = \\mathrm{{lr}}\\cdot s(t)$.")
    st.latex(sched.latex)
    st.plotly_chart(schedule_figure(scenario.schedule, dict(scenario.schedule_params), scenario.steps),
                    key="schedule_preview", width="stretch")  # fmt: skip

st.caption(f"{device_note(result)} Link: `?{query}`")
st.caption(f"Surface: ${surface.latex}$ · {scenario.steps} steps · seed {fmt(scenario.seed)}")
