"""The drag-lr view in Chromium: dragging a slider draws the engine's path at that lr,
releasing it makes that lr the run's (in the URL), and the mode survives a copied link."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
from browser import IDLE  # scripts/browser.py (on sys.path from conftest)

from optviz import Scenario
from optviz.figures.drag import drag_figure
from optviz.sweeps import lr_families, lr_window
from tests.e2e.conftest import measure
from tests.map_client import decoded_values

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from drag import DRAG_MAP, drag_fps, drag_to

LINK = "surface=quadratic&opt=sgd:lr=0.2&opt=adam:lr=0.05&steps=200"
DRAWN = """([chart, trace]) => { const gd = document.querySelector(chart);
    return {x: Array.from(gd._fullData[trace].x), y: Array.from(gd._fullData[trace].y),
            active: gd.layout.sliders[0].active}; }"""


def ready(page) -> None:
    page.wait_for_selector(IDLE, timeout=120_000)
    page.locator(f"{DRAG_MAP} .slider-rail-rect").first.wait_for(timeout=120_000)
    page.wait_for_timeout(300)


def test_dragging_draws_the_engines_path_and_release_sets_the_lr(app, page):
    page.goto(f"{app}/?{LINK}&view=drag")
    ready(page)
    scenario = Scenario.from_query(LINK).scenario
    families = lr_families(scenario)
    expected = {f["name"]: f for f in drag_figure(scenario, families)["frames"]}
    path_trace = expected["0:0"]["traces"][0]
    before = page.evaluate(DRAWN, [DRAWN_CHART := DRAG_MAP, path_trace])
    assert before["active"] == families[0][1] == 64

    drag_to(page, DRAWN_CHART, 0.9, release=False)
    page.wait_for_timeout(300)
    during = page.evaluate(DRAWN, [DRAG_MAP, path_trace])
    k = during["active"]
    assert k > 100 and during["x"] != before["x"]  # the drag moved the path
    want = expected[f"0:{k}"]["data"][0]
    np.testing.assert_array_equal(np.float32(during["x"]), decoded_values(want["x"]))
    np.testing.assert_array_equal(np.float32(during["y"]), decoded_values(want["y"]))

    page.mouse.up()  # release: that lr becomes run 1's
    lr = float(f"{families[0][0].lrs[k]:.3g}")
    in_url = "(lr) => decodeURIComponent(window.location.search).includes(`opt=sgd:lr=${lr}&`)"
    page.wait_for_function(in_url, arg=str(lr), timeout=60_000)
    ready(page)
    fields = parse_qs(urlsplit(page.url).query)
    assert fields["view"] == ["drag"] and fields["opt"][0] == f"sgd:lr={lr:g}"
    assert f"lr = {lr:.3g}" in page.locator(f"{DRAG_MAP} .slider-group").first.text_content()

    copied = page.context.new_page()  # a copied link opens in the same mode, at the new lr
    copied.goto(page.url)
    ready(copied)
    assert copied.get_by_role("radio", name="Drag lr").is_checked()
    _, at = lr_window(lr)
    assert copied.evaluate(f"() => document.querySelector('{DRAG_MAP}').layout.sliders[0].active") == at
    box = copied.locator(f"{DRAG_MAP} .nsewdrag").first.bounding_box()
    copied.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # no error after frames
    copied.wait_for_timeout(300)


def test_drag_frame_rate(app, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{app}/?opt=sgd:lr=0.001&opt=momentum:lr=0.001&opt=adam:lr=0.05&steps=500&view=drag")
    ready(page)
    fps = drag_fps(page, sweeps=1)  # one sweep of the rail (128 moves); bench/drag.py makes 4
    measure("drag lr, 3 runs × 128 lrs × 500 steps: frames drawn per second while dragging", fps, "frames/s")
    assert fps > 0
