"""The theory panel under the view (``theory=1``): what theory predicts for each run beside
what was measured, where it says nothing and why, and a button per run that sets the
method's optimal lr (and β). Values come from `optviz.predictions`."""

from __future__ import annotations

import streamlit as st

from optviz.figures.plane import PICKER
from optviz.literal import markdown_text
from optviz.map.component import show_figure
from optviz.predictions import THEORY_METHODS, Prediction, RunTheory, method_of, model_line, run_line
from optviz.scenario import Scenario
from optviz.ui.actions import PLANE_CHART_KEY, set_lr
from optviz.ui.state import run_key
from optviz.view import View


def set_tuning(i: int, lr: float, momentum: float | None) -> None:
    """Run i's lr and, for a momentum run, its β (3 significant digits), then the whole
    page again: β's box is in the sidebar, outside the explorer's fragment."""
    set_lr(i, lr)
    if momentum is not None:
        run = st.session_state.run_ids[i]
        st.session_state[run_key(run, st.session_state[f"run{run}"], "momentum")] = float(f"{momentum:.3g}")
    st.rerun()


def _tuning_button(r: RunTheory, exact: bool, container) -> None:
    opt = r.optimal
    momentum = opt.momentum if (r.method.momentum or r.method.nesterov) else None
    label = f"run {r.index + 1}: use the optimal lr {opt.lr:.3g}" + (
        f" and β {opt.momentum:.3g}" if momentum is not None else ""
    )
    container.button(
        label,
        key=f"optimal{r.index}",
        help=("Exact on this quadratic" if exact else "Optimal for the Hessian at the minimum")
        + f": predicted rate ρ = {opt.rate:.5g}.",
        on_click=set_tuning,
        args=(r.index, opt.lr, momentum),
        width="stretch",
    )


def theory_panel(pred: Prediction) -> None:
    """Each run's predictions and measured rate, or why theory does not apply, with the
    optimal-tuning buttons."""
    st.subheader("Theory")
    if pred.curvature is None:
        st.info(markdown_text(model_line(pred)), icon="📐")
        return
    st.markdown(markdown_text(model_line(pred)))
    st.markdown("\n".join(f"- {markdown_text(run_line(pred, r))}" for r in pred.runs))
    applies = [r for r in pred.runs if r.reason is None]
    if not applies:
        st.info(
            "Theory does not apply to any run on screen: it covers gradient descent, heavy ball and "
            "Nesterov at a constant lr.",
            icon="📐",
        )
        return
    columns = st.columns(min(len(applies), 4))
    for j, r in enumerate(applies):
        _tuning_button(r, pred.exact, columns[j % len(columns)])
    st.caption(
        "Measured: the fitted per-step contraction of the distance to the minimum (two steps at a time)"
        + (" over the run." if pred.exact else " over the last steps of a run that converged there.")
        + " Dashed on the loss panel: the start loss times ρ²ᵏ; dotted on the map: the continuous-time path."
    )


def tuning_from_plane() -> None:
    """A click on the plane sets the chosen run's lr and β (gradient descent, heavy ball
    and Nesterov runs; another run keeps its own)."""
    i = int(st.session_state.get("basin_run", 0))
    run = st.session_state.run_ids[i]
    if st.session_state[f"run{run}"] not in THEORY_METHODS:
        return
    picked = st.session_state[PLANE_CHART_KEY].pick
    if picked and int(picked[2]) == PICKER:
        set_tuning(i, float(picked[0]), float(f"{picked[1]:.3g}"))


def plane_panel(figure, scenario: Scenario, shown: View) -> None:
    """The (lr, β) plane with the run its clicks set."""
    st.selectbox(
        "a click sets the lr and β of run",
        range(len(scenario.runs)),
        key="basin_run",
        format_func=lambda i: f"{i + 1}. {scenario.runs[i].label}",
    )
    show_figure(figure, key=PLANE_CHART_KEY, on_pick=tuning_from_plane)
    chosen = scenario.runs[shown.run]
    if method_of(chosen) is None:
        st.caption(f"Run {shown.run + 1} is {chosen.name}: theory has no plane for it, and a click sets nothing.")
    st.caption(
        "Heavy ball converges iff 0 < lr·λ < 2 + 2β on every Hessian eigenvalue λ (the dotted line); "
        "gradient descent is its row β = 0. The star is the optimal tuning."
    )
