"""View state in links: page, 2-D/3-D, arrows, frame; never raises on bad text."""

import dataclasses
import inspect
import pkgutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optviz import Scenario, simulate
from optviz.summary import map_text
from optviz.view import KEYS, View, link
from optviz.view_kinds import VIEWS, ViewKind


def test_defaults_are_left_out_and_values_round_trip():
    assert View().to_query() == ""
    shown = View(page="gallery", view="3d", arrows=True, frame=120)
    assert shown.to_query() == "&page=gallery&view=3d&arrows=1&frame=120"
    assert View.from_query(link(Scenario(), shown), steps=500) == (shown, [])


def test_bad_values_fall_back_with_a_warning():
    shown, warnings = View.from_query("?view=4d&arrows=maybe&frame=900&frame=3&page=", steps=500)
    assert shown == View(frame=500)
    assert any("view=4d is not one of 2d, 3d" in w for w in warnings)
    assert any("arrows=maybe is not true/false" in w for w in warnings)
    assert any("frame is given 2 times" in w for w in warnings)
    assert any("frame=900 is out of range (0..500)" in w for w in warnings)


@given(st.text(max_size=200), st.integers(1, 10_000))
def test_any_text_gives_a_valid_view(text, steps):
    shown, warnings = View.from_query(text, steps)
    assert shown.page in ("explorer", "gallery") and shown.view in ("2d", "3d")
    assert 0 <= shown.frame <= steps and isinstance(warnings, list)
    assert set(KEYS) >= {k.split("=")[0] for k in shown.to_query().split("&") if k}


def test_projector_mode_travels_in_the_link():
    shown, warnings = View.from_query("present=1&frame=120", 500)
    assert shown == View(frame=120, present=True) and warnings == []
    assert shown.to_query() == "&frame=120&present=1" and View.from_query(shown.to_query(), 500).view == shown
    bad, warnings = View.from_query("present=<b>on</b>", 500)
    assert not bad.present and len(warnings) == 1 and "present=<b>on</b>" in warnings[0]


def check_view(name: str) -> None:
    """A row of `VIEWS`: a label of its own, reads only `View` fields, a panel the app can
    find with the ``panel(data, scenario, view)`` signature, and a link that round-trips."""
    kind = VIEWS[name]
    assert [k.label for k in VIEWS.values()].count(kind.label) == 1
    assert set(kind.reads) <= {f.name for f in dataclasses.fields(View)}
    assert len(inspect.signature(pkgutil.resolve_name(kind.panel)).parameters) == 3  # (data, scenario, view)
    assert len(inspect.signature(pkgutil.resolve_name(kind.build)).parameters) == 3  # (scenario, result, view)
    assert kind.size is None or callable(kind.weigher())
    assert kind.max_entries > 0 and kind.max_bytes > 0
    shown = View(view=name)
    assert View.from_query(link(Scenario(), shown), steps=500) == (shown, [])


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_view_has_a_label_a_panel_and_a_link(name):
    check_view(name)


def test_the_map_view_keeps_its_parts_and_text_alternative_by_bytes():
    """The 2-D map's data: the encoded parts, weighed by their strings, and `map_text`."""
    scenario = Scenario()
    result = simulate(scenario)
    kind = VIEWS["2d"]
    parts, text = kind.built(scenario, result, View())
    assert text == map_text(result) and text[0].startswith("Map of")
    weigh = kind.weigher()
    assert kind.shared and weigh((parts, text)) > 10_000
    assert weigh((parts, text)) == weigh((parts, ("", [])))


def test_a_shared_view_cannot_ask_for_a_spinner():
    with pytest.raises(ValueError, match="without a spinner"):
        ViewKind(
            label="x", build="optviz.view_data:map_data", panel="optviz.ui.panels:map_panel", shared=True, spinner="…"
        )
