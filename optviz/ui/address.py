"""The address bar: the link read once per session and on Back/Forward, written after
every change.

Back and Forward step through scenarios. Streamlit adds a history entry each time the
app writes a different link, and on Back or Forward it reruns the script with that
entry's link and ``is_history_navigation`` set; the app then shows exactly that link's
scenario (`navigated`), and the entry is not rewritten, so each entry keeps its link.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from optviz.scenario import encode_query


def current_link() -> str:
    """The query string in the address bar, as this rerun's request carried it."""
    return encode_query((k, v) for k in st.query_params for v in st.query_params.get_all(k))


def navigated() -> bool:
    """True when this rerun was asked for by the browser's Back or Forward button."""
    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


def show_link(link: str) -> None:
    """Put ``link`` in the address bar, unless it is there already (a new history entry)."""
    if parse_qs(link) != {k: st.query_params.get_all(k) for k in st.query_params}:
        st.query_params.from_dict(parse_qs(link))
