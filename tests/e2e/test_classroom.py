"""The app as a class meets it: what visitors see of Streamlit's chrome, the map's
pieces at a projector's, a desktop's and a phone's size, read from the boxes the browser
drew (not pixels), projector mode and the gallery's pictures."""

from __future__ import annotations

import base64
import io
import itertools
import time

import numpy as np
import pytest
from PIL import Image

from optviz import Scenario, export, simulate
from optviz.export import THUMBNAIL
from optviz.figures import trajectory_figure
from optviz.presets import PRESETS
from tests.e2e.conftest import ARTIFACTS, MAP, fresh_context, measure
from tests.e2e.test_browser import ready

SIZES = [(1280, 720), (1500, 1100), (390, 844)]
RUNS = [
    "sgd:lr=0.001",
    "momentum:lr=0.001",
    "adam:lr=0.05",
    "nesterov:lr=0.001",
    "rmsprop:lr=0.01",
    "adagrad:lr=0.1",
    "adamw:lr=0.05",
    "sgd:lr=0.0005",
]
BOXES = """(chart) => { const gd = document.querySelector(chart);
    const box = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    const all = (selector) => [...gd.querySelectorAll(selector)].map(box);
    return {figure: box(gd), title: all('.g-gtitle')[0], colorbar: all('.colorbar')[0],
            legend: [...gd.querySelectorAll('.legend .traces')].map((e) => [e.textContent, box(e)]),
            buttons: all('.updatemenu-button'), slider: all('.slider-group')[0], subplots: all('.nsewdrag'),
            axis_titles: all('.g-xtitle, .g-x3title')}; }"""
SIZES_DRAWN = """([chart, name]) => { const gd = document.querySelector(chart);
    const markers = gd._fullData.filter((t) => t.mode === 'markers' && typeof t.marker.size === 'number');
    return [gd._fullLayout.legend.font.size,
            gd._fullData.filter((t) => t.name === name && t.mode === 'lines').map((t) => t.line.width),
            Math.max(...markers.map((t) => t.marker.size))]; }"""


def overlap(a, b) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def holds(drawn, expected) -> bool:
    """``drawn`` has every value of ``expected`` (plotly.js fills in the rest of a layout)."""
    if isinstance(expected, dict):
        return isinstance(drawn, dict) and all(holds(drawn.get(k), v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(drawn, list) and len(drawn) == len(expected) and all(map(holds, drawn, expected))
    return drawn == expected


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def union(boxes):
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def test_visitors_see_no_deploy_button_or_developer_menu(app, page):
    """`.streamlit/config.toml` (client.toolbarMode = "viewer"): the served page has the
    viewer's menu only, even on localhost, where Streamlit shows developers more."""
    page.goto(app)
    ready(page)
    assert page.get_by_test_id("stAppDeployButton").count() == 0
    assert page.get_by_role("button", name="Deploy").count() == 0
    page.get_by_test_id("stMainMenu").click()
    page.get_by_test_id("stMainMenuList").wait_for()
    items = page.evaluate("""() => [...document.querySelectorAll('[data-testid^="stMainMenuItem-"]')]
        .map((e) => e.dataset.testid.replace('stMainMenuItem-', ''))""")
    assert items and set(items) <= {"print", "recordScreencast", "about"}, items
    text = page.get_by_test_id("stMainMenuList").inner_text()
    assert "Rerun" not in text and "Clear cache" not in text and "Settings" not in text


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_piece_of_the_map_is_visible_and_apart(app, browser, size):
    """With 1 to 8 runs, every legend entry, Play/Pause, the scrubber, the map with its
    colour bar and both panels are drawn inside the figure and the window's width, and
    no two of them overlap; on a phone the map, loss and lr panels stack, each usable."""
    narrow = size[0] < 700
    with fresh_context(browser, size) as context:
        page = context.new_page()
        for n in (1, 4, 8):
            link = "&".join(f"opt={o}" for o in RUNS[:n])
            page.goto(f"{app}/?{link}")
            ready(page)
            boxes = page.evaluate(BOXES, MAP)
            names = [name for name, _ in boxes["legend"]]
            runs = Scenario.from_query(link).scenario.runs
            assert names == ["known minima", *(r.label for r in runs)]
            pieces = {f"legend: {name}": box for name, box in boxes["legend"]}
            pieces |= {
                "buttons": union(boxes["buttons"]),
                "scrubber": boxes["slider"],
                "title": boxes["title"],
                "colour bar": boxes["colorbar"],
            }
            pieces |= dict(zip(("map", "loss panel", "lr panel"), boxes["subplots"], strict=True))
            pieces |= dict(zip(("map's x title", "lr panel's step title"), boxes["axis_titles"], strict=True))
            left, top, right, bottom = boxes["figure"]
            inside = [left - 0.5, top - 0.5, min(right, size[0]) + 0.5, bottom + 0.5]
            for what, box in pieces.items():
                assert union([box, inside]) == inside, f"{what} is outside the figure at {size} with {n} runs"
            for (a, box_a), (b, box_b) in itertools.combinations(pieces.items(), 2):
                assert not overlap(box_a, box_b), f"{a} overlaps {b} at {size} with {n} runs"
            map_box, loss, lr = boxes["subplots"]
            if narrow:  # stacked, each at least 200 px wide
                assert map_box[3] < loss[1] and loss[3] < lr[1]
                assert min(b[2] - b[0] for b in (map_box, loss, lr)) >= 200 and map_box[3] - map_box[1] >= 280
            else:  # side by side
                assert map_box[2] < loss[0] and loss[3] < lr[1]
            page.screenshot(path=ARTIFACTS / f"map-{n}-runs-{size[0]}x{size[1]}.png")


def test_the_narrow_layout_follows_the_width_and_equals_the_servers(app, page):
    """map.js picks the narrow layout under 700 px, also when a window is resized, and
    lays it out as `map_assembly.assemble(..., narrow=True)` does, without the mode bar."""
    link = "surface=himmelblau&opt=nesterov:lr=0.003&opt=rmsprop:lr=0.02&steps=300"
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app}/?{link}")
    ready(page)
    result = simulate(Scenario.from_query(link).scenario)
    keys = (
        "height",
        "margin",
        "legend",
        "title",
        "coloraxis",
        "xaxis",
        "yaxis",
        "xaxis2",
        "yaxis2",
        "xaxis3",
        "yaxis3",
        "updatemenus",
    )
    read = f"(c) => {{ const l = document.querySelector(c)._fullLayout; return {list(keys)}.map((k) => l[k]); }}"
    for width, narrow in ((1280, False), (390, True), (1280, False)):
        page.set_viewport_size({"width": width, "height": 844})
        page.wait_for_function(
            f"(chart) => document.querySelector(chart).dataset.narrow === '{str(narrow).lower()}'", arg=MAP
        )
        page.wait_for_timeout(300)
        expected = trajectory_figure(result, narrow=narrow)["layout"]
        drawn = dict(zip(keys, page.evaluate(read, MAP), strict=True))
        for key in keys:
            assert holds(drawn[key], expected[key]), key
        slider = page.evaluate("(chart) => document.querySelector(chart)._fullLayout.sliders[0]", MAP)
        assert {k: slider[k] for k in ("x", "y", "len")} == {k: expected["sliders"][0][k] for k in ("x", "y", "len")}
        bar = page.evaluate("(chart) => document.querySelector(chart).querySelectorAll('.modebar').length", MAP)
        assert bar == (0 if narrow else 1)  # no mode bar over a phone's title


@pytest.mark.parametrize("n", [1, 8])
def test_projector_mode_fits_1280x720_with_larger_marks_and_lr_reachable(app, browser, n):
    """``present=1``: no sidebar, menu or explorer controls; larger text, lines and
    markers; Play/Pause, the scrubber and every legend entry inside a 1280×720 window;
    the sidebar's » button still opens each run's lr, and a new lr redraws the map."""
    with fresh_context(browser, (1280, 720)) as context:
        page = context.new_page()
        page.goto(f"{app}/?{'&'.join(f'opt={o}' for o in RUNS[:n])}&present=1")
        ready(page)
        assert "present=1" in page.url
        for hidden in ("stMainMenu", "stToolbarActions"):
            assert not page.get_by_test_id(hidden).is_visible()
        sidebar = page.get_by_test_id("stSidebar").bounding_box()
        assert sidebar is None or sidebar["x"] + sidebar["width"] <= 0  # collapsed, off the screen
        assert not page.locator(".st-key-view").is_visible() and page.get_by_role("tab", name="Gallery").is_visible()
        boxes = page.evaluate(BOXES, MAP)
        for box in [union(boxes["buttons"]), boxes["slider"], *(b for _, b in boxes["legend"])]:
            assert 0 <= box[1] and box[3] <= 720 and 0 <= box[0] and box[2] <= 1280, box
        drawn = page.evaluate(SIZES_DRAWN, [MAP, "sgd lr=0.001"])
        assert drawn == [16, [3, 3, 3], 17]  # path, loss, lr: map_layout.PRESENT (NORMAL: 12 px, 1.5 px, 11 px)
        page.screenshot(path=ARTIFACTS / f"projector-{n}-runs-1280x720.png")
        page.get_by_test_id("stExpandSidebarButton").click()
        box = page.locator("[class*=st-key-run0-sgd-lr-box] input").first  # the box has a serial in its key
        box.fill("0.0005")
        box.press("Enter")
        page.wait_for_function(
            """(chart) => document.querySelector(chart)._fullData
            .some((t) => t.name === 'sgd lr=0.0005' && t.line && t.line.width === 3)""",
            arg=MAP,
        )
        assert "present=1" in page.url


def test_the_gallery_shows_a_picture_of_each_preset(app, browser):
    """Each card shows its preset's final step as `export.thumbnail` draws it (the same
    bytes); the gallery's time to drawn is printed for a first and a second visit."""
    for visit in ("first", "second"):
        with fresh_context(browser, (1500, 1100)) as context:
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{app}/?page=gallery")
            page.wait_for_function(
                """(n) => { const images = [...document.querySelectorAll('[data-testid="stImage"] img')];
                    return images.length === n && images.every((i) => i.complete && i.naturalWidth > 0); }""",
                arg=len(PRESETS),
                timeout=180_000,
            )
            measure(
                f"gallery: link opened to {len(PRESETS)} pictures drawn ({visit} visit)",
                time.perf_counter() - started,
                "s",
            )
            if visit == "first":
                page.screenshot(path=ARTIFACTS / "gallery.png")
                sources = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stImage"] img')]
                    .map((i) => [i.naturalWidth, i.naturalHeight, i.src])""")
                cards = list(PRESETS.values())
                by_column = [preset for column in range(3) for preset in cards[column::3]]  # the page's order
                for preset, (width, height, src) in zip(by_column, sources, strict=True):
                    assert (width, height) == THUMBNAIL
                    expected = export.thumbnail(simulate(preset.scenario))
                    assert src.startswith("data:image/png;base64,")  # in the page's message, not a media file
                    shown, drawn = (pixels(png) for png in (base64.b64decode(src.split(",", 1)[1]), expected))
                    assert np.array_equal(shown, drawn), (preset.slug, (shown != drawn).any(axis=2).mean())
