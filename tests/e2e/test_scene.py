"""The 3-D view in Chromium: drawn by the map component with plotly.js's gl3d bundle (only
once the view opens), the same graph element and the camera a person turned kept across an
lr change, and Play moving the heads along the paths."""

from __future__ import annotations

import numpy as np
from browser import IDLE

from optviz import Scenario, simulate
from optviz.figures.surface3d import surface_figure
from tests.e2e.test_fast_input import SLIDER
from tests.map_client import decoded_values

SCENE = ".st-key-surface3d .js-plotly-plot"
LINK = "surface=rosenbrock&opt=sgd:lr=0.001&opt=adam:lr=0.05&steps=300"
HEADS = """(chart) => { const gd = document.querySelector(chart), t = gd._fullData[gd._fullData.length - 1];
    return [Array.from(t.x), Array.from(t.y), Array.from(t.z)]; }"""
EYE = "(chart) => { const e = document.querySelector(chart)._fullLayout.scene.camera.eye; return [e.x, e.y, e.z]; }"
BUNDLES = "() => [...document.scripts].map((s) => s.src).filter((s) => s.includes('plotly-'))"


def drawn(page) -> str:
    page.wait_for_selector(f"{SCENE}[data-drawn]", timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_timeout(500)
    return page.evaluate(f"() => document.querySelector('{SCENE}').dataset.drawn")


def test_the_gl3d_bundle_loads_only_when_the_view_opens(app, page):
    page.goto(f"{app}/?{LINK}")
    page.wait_for_selector(".st-key-map .js-plotly-plot[data-drawn]", timeout=120_000)
    assert not any("gl3d" in s for s in page.evaluate(BUNDLES))
    page.locator("[data-testid='stRadio']").get_by_text("3-D surface", exact=True).click()
    drawn(page)
    assert any("gl3d" in s for s in page.evaluate(BUNDLES))
    assert page.evaluate(f"() => document.querySelector('{SCENE}').optvizPlotly !== window.Plotly")  # basic stays


def test_an_lr_change_keeps_the_element_and_the_turned_camera(app, page):
    page.goto(f"{app}/?{LINK}&view=3d")
    before = drawn(page)
    result = simulate(Scenario.from_query(LINK).scenario)
    expected = surface_figure(result)
    assert page.evaluate(f"() => document.querySelector('{SCENE}')._fullData.length") == len(expected["data"])
    np.testing.assert_allclose(page.evaluate(HEADS, SCENE)[0], decoded_values(expected["data"][-1]["x"]), rtol=1e-6)
    eye = page.evaluate(EYE, SCENE)
    box = page.locator(SCENE).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.45
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 160, y + 40, steps=10)
    page.mouse.up()
    page.wait_for_timeout(500)
    turned = page.evaluate(EYE, SCENE)
    assert not np.allclose(turned, eye, atol=0.05)
    page.evaluate(f"() => {{ window.__gd = document.querySelector('{SCENE}'); }}")
    sgd_before = page.evaluate(f"() => Array.from(document.querySelector('{SCENE}')._fullData[2].x)")
    page.locator(SLIDER.format(0)).focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"(d) => document.querySelector('{SCENE}').dataset.drawn !== d", arg=before)
    drawn(page)
    assert page.evaluate(f"() => document.querySelector('{SCENE}') === window.__gd")  # the same element
    sgd_after = page.evaluate(f"() => Array.from(document.querySelector('{SCENE}')._fullData[2].x)")
    assert sgd_after != sgd_before  # sgd's path was redrawn with the new lr
    np.testing.assert_allclose(page.evaluate(EYE, SCENE), turned, atol=1e-6)


def test_play_moves_the_heads_along_their_paths(app, page):
    page.goto(f"{app}/?{LINK}&view=3d")
    drawn(page)
    start = np.array(page.evaluate(HEADS, SCENE))
    page.locator(SCENE).get_by_text("▶ Play").click()
    page.wait_for_function(f"() => Number(document.querySelector('{SCENE}').dataset.step) >= 20", timeout=60_000)
    page.get_by_text("Pause").first.click()
    page.wait_for_timeout(500)
    step = int(page.evaluate(f"() => document.querySelector('{SCENE}').dataset.step"))
    moved = np.array(page.evaluate(HEADS, SCENE))
    assert not np.allclose(moved, start)
    result = simulate(Scenario.from_query(LINK).scenario)
    np.testing.assert_allclose(moved[:2].T, [run.path[step] for run in result.runs], rtol=1e-5)
