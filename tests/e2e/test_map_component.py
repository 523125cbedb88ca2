"""The map component in Chromium: the figure its JS assembles equals the server's one-piece
figure, and an lr change redraws the same plot element once from a small message, sent by
a rerun of only what an lr changes."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from optviz import Scenario, simulate
from optviz.engine import velocities
from optviz.figures import trajectory_figure
from tests.e2e.conftest import MAP, measure
from tests.e2e.test_browser import HEADS, MAP_POINT, PLAYING, ready
from tests.map_client import decoded_values

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


def sent_elements(frames: list) -> list[tuple[int, str]]:
    """The elements a rerun sent, decoded from the websocket's ForwardMsgs: (root container,
    element type) each; root 0 is the page's main area, 1 the sidebar."""
    out = []
    for frame in frames:
        if isinstance(frame, str):
            continue
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            out.append((msg.metadata.delta_path[0], msg.delta.new_element.WhichOneof("type")))
    return out


def test_an_lr_change_reruns_only_its_rows_the_link_and_the_explorer(app, page):
    """An lr's slider reruns the `live` fragment: in the sidebar only the runs' lr rows
    are sent again (the slider and box of each run), the box and the link follow the
    slider, and the map draws the new lr; a change elsewhere in the sidebar sends it all."""
    frames = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
    page.goto(app)
    ready(page)
    frames.clear()
    slider = page.locator("[data-testid=stSlider]").filter(has_text="log₁₀ lr").get_by_role("slider").first
    slider.focus()
    page.keyboard.press("ArrowRight")  # sgd's lr 10^-3 -> 10^-2.95, shown to 3 digits
    page.wait_for_function("() => decodeURIComponent(location.search).includes('opt=sgd:lr=0.00112')")
    page.wait_for_function(f"() => document.querySelector('{MAP}')._fullData.some(t => t.name === 'sgd lr=0.00112')")
    ready(page)
    assert page.locator("[class*=st-key-run0-sgd-lr-box] input").input_value() == "0.00112"
    sent = sent_elements(frames)
    sidebar = sorted(kind for root, kind in sent if root == 1)
    assert sidebar == sorted(["slider", "number_input"] * 3), sidebar
    assert sum(root == 0 for root, _ in sent) >= 5  # the explorer: menus, map, summary
    frames.clear()
    page.locator("[data-testid=stNumberInput]").filter(has_text="steps").locator("input").fill("300")
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('steps') === '300'")
    ready(page)
    assert sum(root == 1 for root, _ in sent_elements(frames)) > 20  # the whole sidebar again


def playing(page, app: str, link: str, past: int):
    """Open ``link``, press Play, and once it shows a step past ``past``: the simulated
    result and what player.js's layer draws (`PLAYING`)."""
    page.goto(f"{app}/?{link}")
    ready(page)
    result = simulate(Scenario.from_query(link).scenario)
    page.get_by_text("▶ Play").first.click()
    page.wait_for_function(f"() => Number(document.querySelector({MAP!r})._fullLayout._currentFrame) > {past}")
    return result, page.evaluate(PLAYING, MAP)


def test_play_draws_the_moving_traces_on_a_layer_and_hands_back_to_plotly(app, page):
    """Play draws the movers (tails, heads, arrows, loss markers, step lines) on player.js's
    layer, from the frames' arrays, at the positions of the simulated runs; the scrubber
    follows; a click on the map while playing picks a start; a new figure ends the layer."""
    link = "surface=rosenbrock&opt=sgd:lr=0.001&opt=momentum:lr=0.001&opt=adam:lr=0.05&steps=600&arrows=1"
    result, state = playing(page, app, link, 150)
    k = state["step"]
    assert set(state["drawn"]) == {"tail", "head", "grad", "update", "velocity", "loss", "loss_step", "lr_step"}
    assert state["hidden"] >= 5 and state["active"] > 0  # plotly.js's movers hidden; the scrubber moved
    heads = sorted(map(tuple, state["drawn"]["head"]))
    np.testing.assert_allclose(heads, sorted(tuple(r.path[min(k, len(r.path) - 1)]) for r in result.runs), atol=1e-3)
    loss = np.array(state["drawn"]["loss"])  # (step, loss) on the loss panel's log axis
    want = [r.trajectories[0].loss[min(k, len(r.path) - 1)] for r in result.runs]
    np.testing.assert_allclose(loss[:, 0], k, atol=2)
    np.testing.assert_allclose(sorted(np.log10(loss[:, 1])), sorted(np.log10(want)), atol=1e-2)
    np.testing.assert_allclose(np.array(state["drawn"]["loss_step"])[:, 0], k, atol=2)
    x, y = 0.5, 2.0  # a start-picker point: a click while playing reaches the map under the layer
    px, py = page.evaluate(MAP_POINT, [MAP, x, y])
    page.mouse.click(px, py)
    page.wait_for_function("() => new URLSearchParams(location.search).get('start') === '0.5,2'")
    ready(page)
    assert page.evaluate(PLAYING, MAP) is None  # the new figure ended the layer
    np.testing.assert_allclose(np.array(page.evaluate(HEADS, MAP)).T, [[x, y]] * 3, rtol=1e-6)


def test_a_cloud_plays_its_heads(app, page):
    """A cloud of 64 starts plays on the layer: each head inside the map at its start's
    position at the step shown."""
    result, state = playing(page, app, "opt=adam:lr=0.05&cloud=ring:n=64,r=0.1&steps=300", 100)
    k = state["step"]
    at = [t.path[min(k, len(t.path) - 1)] for t in result.runs[0].trajectories]
    inside = [p for p in at if -2 <= p[0] <= 2 and -1 <= p[1] <= 3]  # Rosenbrock's map
    assert len(state["drawn"]["head"]) == len(inside) > 40
    # Each drawn head (read back from its pixel position, ~1e-3 in data units) lies on one
    # engine position and each position has one head; sorting both lists instead can pair two
    # heads whose x differ by less than that rounding the other way round.
    drawn, expected = np.array(state["drawn"]["head"]), np.array(inside)
    apart = np.hypot(*(drawn[:, None, :] - expected[None, :, :]).transpose(2, 0, 1))
    assert apart.min(axis=1).max() < 2e-3 and apart.min(axis=0).max() < 2e-3
    assert len(set(apart.argmin(axis=1))) == len(expected)
