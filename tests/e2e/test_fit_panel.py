"""The fit panel in Chromium: the data drawn, each run's model in the run's colour at the
engine's weights for the step shown, following the scrubber and Play; below the map on a
phone and above the two small panels in projector mode."""

from __future__ import annotations

import numpy as np

from optviz import Scenario, simulate
from optviz.figures.fit import DATA_META
from optviz.figures.style import COLORS
from tests.e2e.conftest import ARTIFACTS, MAP
from tests.e2e.test_browser import PLAYING, ready
from tests.reference import data as ref

LINK = "surface=linear_regression:n=20,scale=2&opt=sgd:lr=0.02&opt=adam:lr=0.1&steps=200"
# The panel's traces as plotly.js holds them: data markers and model lines on x4/y4.
PANEL = """(chart) => { const gd = document.querySelector(chart);
    return gd._fullData.filter((t) => t.xaxis === 'x4').map((t) => ({mode: t.mode, meta: t.meta,
        color: t.line && t.mode === 'lines' ? t.line.color : null,
        x: Array.from(t.x, (v) => (v === null ? NaN : v)), y: Array.from(t.y, (v) => (v === null ? NaN : v))})); }"""
# Each subplot's box on the page (px): left, top, width, height.
BOXES = """(chart) => { const L = document.querySelector(chart)._fullLayout;
    const box = (a, b) => [L[a]._offset, L[b]._offset, L[a]._length, L[b]._length];
    return {map: box('xaxis', 'yaxis'), fit: box('xaxis4', 'yaxis4'),
            loss: box('xaxis2', 'yaxis2'), lr: box('xaxis3', 'yaxis3')}; }"""


def _on_line(points, w) -> None:
    points = np.asarray(points, dtype=float)
    points = points[~np.isnan(points[:, 0])]
    assert len(points) > 10
    np.testing.assert_allclose(points[:, 1], w[0] * points[:, 0] + w[1], atol=1e-3 * (1 + np.abs(points).max()))


def _step_shown(page) -> int:
    label = page.locator(f"{MAP} .slider-group > .slider-label").first.text_content()
    return int(label.split()[-1])


def test_the_panel_draws_the_data_and_follows_the_scrubber_and_play(app, page):
    page.goto(f"{app}/?{LINK}")
    ready(page)
    result = simulate(Scenario.from_query(LINK).scenario)
    panel = page.evaluate(PANEL, MAP)
    (data,) = [t for t in panel if t["meta"] == DATA_META]
    features, target = ref.dataset("linear_regression", 0, {**ref.DEFAULTS["linear_regression"], "n": 20, "scale": 2})
    np.testing.assert_allclose(data["x"], features[:, 0], rtol=1e-6)
    np.testing.assert_allclose(data["y"], target, rtol=1e-6, atol=1e-6)
    lines = [t for t in panel if t["mode"] == "lines"]
    assert [t["color"] for t in lines] == list(COLORS[:2])
    opened = _step_shown(page)
    for line, run in zip(lines, result.runs, strict=True):
        _on_line(np.column_stack([line["x"], line["y"]]), run.path[opened])
    rail = page.locator(f"{MAP} .slider-rail-rect").first.bounding_box()
    page.mouse.click(rail["x"] + 0.1 * rail["width"], rail["y"] + rail["height"] / 2)
    page.wait_for_timeout(500)
    k = _step_shown(page)
    assert 0 < k < 100
    lines = [t for t in page.evaluate(PANEL, MAP) if t["mode"] == "lines"]
    for line, run in zip(lines, result.runs, strict=True):
        _on_line(np.column_stack([line["x"], line["y"]]), run.path[k])
    page.screenshot(path=str(ARTIFACTS / "fit_panel_scrubbed.png"))
    page.get_by_text("▶ Play").first.click()  # from the step shown
    page.wait_for_function(f"() => Number(document.querySelector({MAP!r})._fullLayout._currentFrame) > {k + 10}")
    state = page.evaluate(PLAYING, MAP)
    step = state["step"]
    for i, run in enumerate(result.runs):
        _on_line(state["drawn"][f"fit{i}"], run.path[step])


def test_the_panel_on_a_phone_and_on_a_projector(app, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app}/?surface=neuron&opt=momentum:lr=0.1&steps=100&start=-2,1.5&start=1.5,-2.5")
    ready(page)
    boxes = page.evaluate(BOXES, MAP)
    below = [boxes[k][1] for k in ("map", "fit", "loss", "lr")]
    assert (
        below == sorted(below) and boxes["fit"][1] > boxes["map"][1] + boxes["map"][3]
    )  # stacked, the fit under the map
    assert len([t for t in page.evaluate(PANEL, MAP) if t["mode"] == "lines"]) == 1
    page.screenshot(path=str(ARTIFACTS / "fit_panel_phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app}/?{LINK}&present=1")
    ready(page)
    boxes = page.evaluate(BOXES, MAP)
    assert boxes["fit"][0] > boxes["map"][0] + boxes["map"][2]  # right of the map
    assert boxes["loss"][1] > boxes["fit"][1] + boxes["fit"][3] and boxes["lr"][0] > boxes["loss"][0] + boxes["loss"][2]
    page.screenshot(path=str(ARTIFACTS / "fit_panel_projector.png"))
