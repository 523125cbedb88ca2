"""The zoo view's panel: which family races, the small multiples, the ranking and Open."""

from __future__ import annotations

import streamlit as st

from optviz.optimizers import FAMILY_KEYS, family_members
from optviz.scenario import Scenario
from optviz.ui.actions import load_link
from optviz.ui.panels import table
from optviz.view import View
from optviz.zoo import RULE, Zoo, zoo_rows


def family_label(key: str) -> str:
    """The race picker's text: a family's menu title (or every optimizer) and its size."""
    return f"{FAMILY_KEYS[key] if key else 'every optimizer'} ({len(family_members(key))})"


def open_entry(link: str) -> None:
    """Open a raced run in the 2-D map: the whole page reruns (its sidebar shows the run)."""
    load_link(link)
    st.rerun()


def zoo_panel(data: tuple[Zoo, str], scenario: Scenario, shown: View) -> None:
    """The race: its picker, the panels (titles link to each run), the ranking table and a
    picker to open one run in the explorer."""
    race, panels = data
    st.selectbox("race", ["", *FAMILY_KEYS], key="zoo_family", format_func=family_label)
    st.caption(
        f"Each optimizer at its own best lr, from the first start point for {scenario.steps} steps, ranked by "
        "final loss. ○ start, × end, ◆ known minimum; click a picture to open that run."
    )
    st.html(panels)
    if race.skipped:
        st.caption(f"Not in this convention, so not raced: {', '.join(sorted(race.skipped))}.")
    table(zoo_rows(race))
    st.caption(
        f"How the race is run: {RULE}. For the learning-rate-free family the lr is a multiplier of the "
        "method's own step (1: untuned). A race on two numbers shows how each rule moves; it does not choose "
        "an optimizer for a network."
    )
    if race.entries:
        names = {e.name: f"{k + 1}. {e.title}" for k, e in enumerate(race.entries)}
        links = {e.name: e.link for e in race.entries}
        row = st.container(horizontal=True, vertical_alignment="bottom")
        picked = row.selectbox("open in the 2-D map", list(names), format_func=names.get, key="zoo_open")
        row.button("Open", key="zoo_open_button", on_click=open_entry, args=(links[picked],), type="primary")
