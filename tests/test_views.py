"""Values shown by several widgets (`optviz.ui.views`), on a plain dict as session state."""

from optviz.ui.views import changed, store, view_key, view_showing


def test_a_view_drawn_now_and_then_shows_the_value_and_is_renewed_when_it_moved():
    state = {"frame": 40}
    first = view_showing(state, "frame", "box", 40)
    assert first == view_key(state, "frame", "box") == "frame.box0" and state["frame.box0@"] == 40
    state[first] = 40  # drawn: the widget holds the value
    assert view_showing(state, "frame", "box", 40) == first  # same value: same widget, focus kept
    assert not changed(state, first)  # a report of the value it was drawn with is no change
    state[first] = 45  # a person typed 45
    assert changed(state, first)
    second = view_showing(state, "frame", "box", 44)  # the value was corrected (snapped) to 44
    assert second != first and second not in state  # a fresh widget, drawn from 44
    state[second] = 44
    assert not changed(state, second)


def test_a_view_not_drawn_loses_its_widget_state_but_not_the_value():
    state = {"run0.adam.b1": 0.9}
    widget = view_showing(state, "run0.adam.b1", "box", 0.9)
    state[widget] = 0.5  # a person set 0.5, the callback stores it
    assert changed(state, widget)
    store(state, "run0.adam.b1", 0.5, ("box",), source="box")
    del state[widget]  # the menu closed: Streamlit drops the widget's state
    assert state["run0.adam.b1"] == 0.5
    again = view_showing(state, "run0.adam.b1", "box", 0.5)  # opened again
    assert again == widget and again not in state  # drawn anew from the value
    state[again] = 0.5
    assert not changed(state, again)
