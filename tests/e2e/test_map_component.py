"""The map component in Chromium: the figure its JS assembles equals the server's one-piece
figure, and an lr change redraws the same plot element once from a small message."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from optviz import Scenario, simulate
from optviz.engine import velocities
from optviz.figures import trajectory_figure
from optviz.map.message import decoded_values
from tests.e2e.conftest import MAP, measure
from tests.e2e.test_browser import ready

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from latency import change_split

DRAWN = """(chart) => { const gd = document.querySelector(chart);
    const arr = (a) => (a === undefined || a === null ? null : Array.from(a, (v) => (v === null ? NaN : v)));
    const trace = (t) => ({x: arr(t.x), y: arr(t.y),
                           color: t.marker && Array.isArray(t.marker.color) ? t.marker.color : null});
    const frame = (f) => ({name: f.name, traces: f.traces,
                           data: f.data.map((t) => (t.x === undefined ? {} : trace(t)))});
    return {data: gd._fullData.map(trace), frames: gd._transitionData._frames.map(frame),
            active: gd.layout.sliders[0].active, title: gd.layout.title.text}; }"""


def same(drawn, expected) -> None:
    """Arrays equal as float32 (NaN equal to NaN, JSON's null included)."""
    got = np.array([np.nan if v is None else v for v in drawn], dtype=np.float32)
    np.testing.assert_array_equal(got, np.asarray(expected, dtype=np.float32))


def values(trace: dict, axis: str):
    v = trace.get(axis)
    return decoded_values(v) if isinstance(v, dict) else [math.nan if x is None else x for x in v]


def test_the_page_draws_the_figure_the_server_assembles(app, page):
    link = "surface=himmelblau&opt=nesterov:lr=0.003&opt=rmsprop:lr=0.02&steps=300&start=-1,-1&frame=120&arrows=1"
    page.goto(f"{app}/?{link}")
    ready(page)
    drawn = page.evaluate(DRAWN, MAP)
    result = simulate(Scenario.from_query(link).scenario)
    expected = trajectory_figure(result, arrows=True, velocity=velocities(result), frame=120)
    assert len(drawn["data"]) == len(expected["data"]) and drawn["active"] == expected["layout"]["sliders"][0]["active"]
    for got, want in zip(drawn["data"], expected["data"], strict=True):
        for axis in "xy":
            same(got[axis], values(want, axis))
        if got["color"] is not None:
            assert got["color"] == want["marker"]["color"]
    assert len(drawn["frames"]) == len(expected["frames"])
    for got, want in zip(drawn["frames"], expected["frames"], strict=True):
        assert got["name"] == want["name"] and got["traces"] == want["traces"]
        for g, w in zip(got["data"], want["data"], strict=True):
            assert (g == {}) == (w == {})
            if w:
                same(g["x"], values(w, "x"))
                same(g["y"], values(w, "y"))


def test_an_lr_change_redraws_the_same_element_once_from_a_small_message(app, context):
    split = change_split(context.new_page(), app, repeats=3)
    assert not split["replaced"] and split["draws_per_change"] == 1
    assert split["request"] <= split["map_message"] <= split["map_called"] <= split["assembled"] <= split["drawn"]
    assert split["bytes"] < 120_000  # the map sends the changed run and the panels' axes only
    measure("lr key press to map drawn and idle, default link (median of 3)", split["idle"] / 1000, "s")
    measure("websocket bytes per lr change, default link", split["bytes"], "B")
