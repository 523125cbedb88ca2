"""The map's Streamlit mount (UI layer, like `optviz.ui`): registers the component once and
sends each rerun's message, remembering per session which parts the page holds. The same
component draws the 3-D view (`show_scene`) and plain figures (`show_figure`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import streamlit as st

from optviz.map.assets import LOADER, ensure_map_js
from optviz.map.message import FIGURES_HELD, message, part_id, remember

# Streamlit sends a component's script with every message, so the script is only a loader
# (`loader.js`, no comments: every byte of it travels with each lr change). map.js itself is a
# static file under its content's hash, fetched once and kept by the browser, and imported once
# per page, so its state (the parts and figures held) lives across messages; the loader hands
# back map.js's teardown for Streamlit to call on unmounting.
_JS = LOADER.read_text(encoding="utf-8").replace("__MAP_URL__", ensure_map_js())
_MAP = st.components.v2.component("optviz_map", js=_JS, isolate_styles=False)


def _held_key(key: str) -> str:
    return f"{key}.held"


def _forget(key: str) -> None:
    """The page lacks a part (it was reloaded or evicted it): send every part again."""
    st.session_state[_held_key(key)] = []


def show_map(
    encoded: Sequence[tuple[str, dict]],
    frame: int,
    *,
    origin: str,
    key: str,
    on_start: Callable[[], None],
    on_data: Callable[[], None],
    text: tuple[str, list[str]] | None = None,
) -> None:
    """Draw the map from its encoded parts (`optviz.map.message.encode`), opening at step
    ``frame`` (a redraw stays at the shown step while ``frame`` and ``origin`` stay);
    ``on_start`` runs when a click on the map picks a start point (read it from
    ``st.session_state[key].start``); ``on_data`` when a click on a data panel edits its
    points (``st.session_state[key].data``: ``[edit, index, x, y]``, as
    `optviz.own_points.edited` takes them). ``text`` (`optviz.summary.map_text`) is the map's
    text alternative: its title names it, its lines describe it to screen readers."""
    _send(encoded, frame, origin, key, {"text": text} if text else {}, on_start_change=on_start, on_data_change=on_data)


def show_scene(encoded: Sequence[tuple[str, dict]], frame: int, *, origin: str, key: str) -> None:
    """Draw the 3-D view from its encoded parts (`optviz.map.message.encode_scene`),
    opening at step ``frame`` as `show_map` does; plotly.js's gl3d bundle is loaded the
    first time."""
    _send(encoded, frame, origin, key, {"scene": True})


def _send(encoded, frame: int, origin: str, key: str, extra: dict, **callbacks) -> None:
    """The message with the parts the page lacks, remembered as held."""
    held = st.session_state.get(_held_key(key), [])
    msg = message(encoded, frame, held, origin) | extra
    st.session_state[_held_key(key)] = remember(held, msg)
    _MAP(key=key, data=msg, on_missing_change=functools.partial(_forget, key), **callbacks)


def show_figure(
    figure: dict,
    *,
    key: str,
    on_lr: Callable[[], None] | None = None,
    on_pick: Callable[[], None] | None = None,
) -> None:
    """A Plotly figure dict drawn by the same component: one plotly.js per page, redrawn in
    place when the figure changes. A figure the page holds (the last `FIGURES_HELD` sent
    under ``key``) travels as its id: a return to the drag-lr view, the LR sweep or the (lr, β)
    plane sends no figure again. With ``on_lr``, releasing one of its sliders reports
    ``[slider name, step value]`` (read it from ``st.session_state[key].lr``); with ``on_pick``,
    a click on a point reports ``[x, y, curve number]`` (``st.session_state[key].pick``)."""
    rev, held = part_id(figure), st.session_state.get(_held_key(key), [])
    data = {"rev": rev, "release": on_lr is not None, "pick": on_pick is not None}
    data |= {} if rev in held else {"figure": figure}
    others = [r for r in held if r != rev]
    st.session_state[_held_key(key)] = [*others[len(others) - FIGURES_HELD + 1 :], rev]
    callbacks = ({"on_lr_change": on_lr} if on_lr else {}) | ({"on_pick_change": on_pick} if on_pick else {})
    _MAP(key=key, data=data, on_missing_change=functools.partial(_forget, key), **callbacks)
