"""Values shown by several widgets at once, held once.

An lr is shown by a log-scale slider and an exact number box, the start point by two
number boxes and a tap on the map. Each such value lives in session state under its own
key (``run0.adam.lr``, ``start_x``) and the widgets are *views* of it: a widget's change
writes the value, and the value draws every widget.

Why not two widgets that copy into each other: a widget the server writes keeps its old
value in the browser until that rerun's reply arrives, and every rerun request carries
the values of all widgets. A change sent in that gap (the next arrow press while the
script runs) carries the partner's old value back; Streamlit takes it as a new change
and the slider jumps back (measured: 0–20 of 20 presses lost per page). So a view is
never written. When the value changes, every *other* view is renewed: it gets a fresh
key and is drawn from the value, while a late report from the old widget names a key
that no longer takes part. The view the person is using keeps its key, its value and
the keyboard focus.

A second trap: a newer request interrupts the running script, and Streamlit then drops
the stored state of every widget the interrupted run had not reached yet; the next
request's report of such a widget looks like a change, and its ``on_change`` runs with
the value it already had (the untouched lr box's callback fired with the lr of three
presses ago). So a callback first asks `changed`: did this widget's value
differ from the one it was drawn with or last reported?

Pure functions of a mutable mapping (``st.session_state`` in the app), testable without
Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

SERIAL = "view_serial"  # counts renewals in this session, so a renewed key is never reused


def _serial_key(key: str, view: str) -> str:
    return f"{key}.{view}#"


def _seen_key(widget: str) -> str:
    return f"{widget}@"


def remember(state: MutableMapping, widget: str, value: object) -> None:
    """The value widget ``widget`` shows now (drawn with, or loaded into it)."""
    state[_seen_key(widget)] = value


def changed(state: MutableMapping, widget: str) -> bool:
    """True if the widget's value differs from the one it showed before (a person changed
    it), False for a report of the value it already had; remembers the value."""
    if _seen_key(widget) in state and state[_seen_key(widget)] == state[widget]:
        return False
    remember(state, widget, state[widget])
    return True


def view_key(state: Mapping, key: str, view: str) -> str:
    """The widget key of view ``view`` of the value held under ``key``."""
    return f"{key}.{view}{state.get(_serial_key(key, view), 0)}"


def renew(state: MutableMapping, key: str, *views: str) -> None:
    """Give these views of ``key`` fresh widget keys: they are drawn anew from the value."""
    state[SERIAL] = state.get(SERIAL, 0) + 1
    for view in views:
        state[_serial_key(key, view)] = state[SERIAL]


def view_showing(state: MutableMapping, key: str, view: str, value: object) -> str:
    """The widget key under which view ``view`` shows ``value`` in this run, for a view
    drawn only now and then (in a menu drawn while open): renewed when its widget holds
    another value (the value changed while it was not drawn, or was corrected), and
    remembered as drawn when the widget is new (a widget not drawn in a run loses its
    state)."""
    widget = view_key(state, key, view)
    if widget in state and state[widget] != value:
        renew(state, key, view)
        widget = view_key(state, key, view)
    if widget not in state:
        remember(state, widget, value)
    return widget


def store(state: MutableMapping, key: str, value: object, views: tuple[str, ...], source: str | None = None) -> None:
    """Hold ``value`` under ``key`` and renew its views, except ``source``, the widget
    the value came from (None: it came from elsewhere, e.g. a tap on the map)."""
    state[key] = value
    renew(state, key, *(v for v in views if v != source))
