"""Projector mode (``present=1`` in the link): the page for a class looking at a screen.

The sidebar starts collapsed (its » button, top left, still opens it: each run's lr is
there), Streamlit's menu and status are hidden and so is the explorer's row of view,
arrows, Share and Export (the link's own view is shown); text is larger and the page
starts higher, so that the map (drawn at `optviz.figures.map_layout.PRESENT` sizes) with
Play/Pause and the scrubber fits a 1280×720 projector.
"""

from __future__ import annotations

import streamlit as st

# Streamlit's own test ids (stable: its e2e tests select by them); sizes in px since the
# page's rem follows the root font size set here.
_CSS = """
html { font-size: 19px; }
[data-testid="stToolbarActions"], [data-testid="stMainMenu"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"] { display: none; }
[data-testid="stHeader"] { background: transparent; }
[data-testid="stMainBlockContainer"] { padding-top: 24px; padding-bottom: 16px; }
/* the explorer's row of view, arrows, Share and Export: setting up, not showing */
[data-testid="stHorizontalBlock"]:has(.st-key-view) { display: none; }
"""


def projector(on: bool) -> None:
    """Lay the page out for a projector when ``on``."""
    if on:
        st.set_page_config(initial_sidebar_state="collapsed")
        st.html(f"<style>{_CSS}</style>")
