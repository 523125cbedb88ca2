"""The app in a real browser: headless Chromium against `streamlit run serve.py`.

Figure data is read from plotly.js's own graph div (``gd._fullData``), so the tests see
what the browser drew, not what the server meant to send.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
import pytest
from browser import IDLE  # scripts/browser.py (on sys.path from conftest)

from optviz import Scenario, export, simulate
from optviz.figures import frame_step
from optviz.presets import PRESETS
from tests.e2e.conftest import ARTIFACTS, MAP, fresh_context, measure
from tests.test_dockerfile import entrypoint_app

HEADS = """(chart) => { const gd = document.querySelector(chart);
    const i = gd._fullData.findIndex(t => t.marker && t.marker.size === 11 && t.mode === 'markers');
    return [Array.from(gd._fullData[i].x), Array.from(gd._fullData[i].y)]; }"""
# What player.js's layer draws while playing, in data coordinates: each mover's points (a
# circle's centre, a line's vertices), the step shown, plotly.js's hidden mover groups and
# the scrubber's position; null when nothing plays.
PLAYING = r"""(chart) => { const gd = document.querySelector(chart), L = gd._fullLayout;
    const layer = gd.querySelector('.optviz-player');
    if (!layer) return null;
    const drawn = {};
    for (const path of layer.querySelectorAll('[data-mover]')) {
        const name = path.dataset.mover, box = path.parentNode;
        const xa = L[box.dataset.x], ya = L[box.dataset.y], d = path.getAttribute('d') || '';
        drawn[name] = drawn[name] || [];
        const circles = [...d.matchAll(/M([-\d.]+),([-\d.]+)a([\d.]+)/g)];  // centre: start + radius
        const points = d.includes('a') ? circles.map((m) => [Number(m[1]) + Number(m[3]), Number(m[2])])
                                       : [...d.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [+m[1], +m[2]]);
        for (const [px, py] of points) drawn[name].push([xa.p2c(px), ya.p2c(py)]);
    }
    const hidden = [...gd.querySelectorAll('.scatterlayer .trace')].filter((g) => g.style.visibility === 'hidden');
    return {step: Number(L._currentFrame), drawn, hidden: hidden.length, active: L.sliders[0].active}; }"""
TRACES = """(chart) => { const gd = document.querySelector(chart);
    return gd._fullData.map(t => ({name: t.name || '', type: t.type, mode: t.mode || '',
        x: Array.from(t.x || []), y: Array.from(t.y || [])})); }"""


def ready(page, timeout: int = 120_000) -> None:
    """The script has finished and the map's traces are drawn."""
    page.wait_for_selector(IDLE, timeout=timeout)
    page.locator(f"{MAP} .scatterlayer").first.wait_for(timeout=timeout)
    page.wait_for_timeout(300)


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def heads(page, chart: str = MAP) -> np.ndarray:
    return np.array(page.evaluate(HEADS, chart)).T


def pause(page) -> None:
    """Press Pause."""
    page.get_by_text("Pause").first.click()
    page.wait_for_timeout(300)


def wait_until(page, predicate: str, arg=None, timeout: int = 60_000) -> float:
    """Seconds until the JS ``predicate`` is true."""
    start = time.perf_counter()
    page.wait_for_function(predicate, arg=arg, timeout=timeout)
    return time.perf_counter() - start


def test_default_page_draws_the_expected_traces(app, page):
    page.goto(app)
    ready(page)
    traces = page.evaluate(TRACES, MAP)
    expected = simulate(Scenario())
    for run in expected.runs:
        path = next(t for t in traces if t["name"] == run.run.label and t["mode"] == "lines")
        np.testing.assert_allclose(np.column_stack([path["x"], path["y"]]), run.path, rtol=1e-6)
    assert any(t["name"] == "known minima" for t in traces)
    assert page.locator(f"{MAP} .imagelayer image").count() == 1  # the contour map
    assert query(page)["opt"] == ["sgd:lr=0.001", "momentum:lr=0.001", "adam:lr=0.05"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "default.png", full_page=True)


def test_play_pause_and_scrubber(app, page):
    page.goto(app)
    ready(page)
    page.evaluate(
        """(chart) => { const gd = document.querySelector(chart);
        window.__frames = 0; gd.on('plotly_animatingframe', () => { window.__frames += 1; }); }""",
        MAP,
    )
    result = simulate(Scenario())
    page.get_by_text("▶ Play").first.click()
    page.wait_for_timeout(1500)
    frames = page.evaluate("window.__frames")
    played = page.evaluate(PLAYING, MAP)  # Play draws the moving traces on its own layer
    assert frames > 5 and played["step"] > 0
    drawn = sorted(map(tuple, played["drawn"]["head"]))
    expected = sorted(tuple(r.path[min(played["step"], len(r.path) - 1)]) for r in result.runs)
    np.testing.assert_allclose(drawn, expected, atol=1e-3)  # the heads at the step shown
    measure("playback frames per second, default page (1x)", frames / 1.5, "frames/s")
    assert page.locator(f"{MAP} .imagelayer image").count() == 1  # the map survives animation
    pause(page)
    page.screenshot(path=ARTIFACTS / "paused.png", full_page=True)
    paused = heads(page)
    stopped_at = page.evaluate("(chart) => Number(document.querySelector(chart)._fullLayout._currentFrame)", MAP)
    assert page.evaluate(PLAYING, MAP) is None  # Pause hands the step back to plotly.js's figure
    np.testing.assert_allclose(paused, [r.path[min(stopped_at, len(r.path) - 1)] for r in result.runs], rtol=1e-6)
    page.wait_for_timeout(700)
    np.testing.assert_array_equal(heads(page), paused)  # Pause stops it
    page.evaluate(
        """(chart) => { const gd = document.querySelector(chart); window.__shown = [];
        gd.on('plotly_animatingframe', (e) => { window.__shown.push(Number(e.name)); }); }""",
        MAP,
    )
    page.get_by_text("▶ Play").first.click()
    page.wait_for_timeout(200)
    pause(page)
    shown = page.evaluate("window.__shown")
    assert 0 < stopped_at < shown[0]  # Play goes on from where Pause stopped
    rail = page.locator(f"{MAP} .slider-rail-rect").first.bounding_box()
    page.mouse.click(rail["x"] + 0.25 * rail["width"], rail["y"] + rail["height"] / 2)
    page.wait_for_timeout(500)
    label = page.locator(f"{MAP} .slider-group > .slider-label").first.text_content()
    k = int(label.split()[-1])
    assert 0 < k < 500
    np.testing.assert_allclose(heads(page), [r.path[min(k, len(r.path) - 1)] for r in result.runs], rtol=1e-5)


MAP_POINT = """([chart, x, y]) => { const gd = document.querySelector(chart), L = gd._fullLayout;
    const box = gd.getBoundingClientRect();
    return [box.left + L.xaxis._offset + L.xaxis.l2p(x), box.top + L.yaxis._offset + L.yaxis.l2p(y)]; }"""


def test_with_another_plotly_js_play_falls_back_to_its_own_animation(app, page):
    """player.js reads plotly.js internals written for one version (`WRITTEN_FOR`): served
    another version, the map leaves Play to plotly.js's own animation, and the heads move."""

    def other_version(route):
        body = route.fetch().text().replace('version="4.1.1"', 'version="0.0.0-other"', 1)
        route.fulfill(body=body, content_type="application/javascript")

    page.route("**/plotly-basic-*.min.js", other_version)
    page.goto(app)
    ready(page)
    assert page.evaluate("() => window.Plotly.version") == "0.0.0-other"
    before = heads(page)
    page.get_by_text("▶ Play").first.click()
    wait_until(page, f"() => Number(document.querySelector({MAP!r}).dataset.step) > 20")
    assert page.evaluate(PLAYING, MAP) is None  # no player.js layer: plotly.js draws the frames
    assert not np.allclose(heads(page), before)


CLOUD = "opt=adam:lr=0.05&cloud=ring:n=256,r=0.3&steps=500"  # full paths over PATH_REDRAW points


@pytest.mark.parametrize(
    ("stop", "link"), [("pause", "steps=60"), ("end", "steps=60"), ("scrubber", "steps=60"), ("pause", CLOUD)]
)
def test_a_click_on_the_map_moves_the_start_after_play(app, page, stop, link):
    """plotly.js throws on a click on a subplot whose traces an animation frame left out
    (they lose their drawing handles): frames redraw the map's still traces
    (figures.map_assembly.assemble), and Pause or the end of Play hands the step back to
    plotly.js with such a frame (player.js), so a click picks a start after each, after
    scrubbing, and after Pausing a cloud whose full paths only the scrubber's frames redraw."""
    page.goto(f"{app}/?{link}")
    ready(page)
    page.get_by_text("▶ Play").first.click()
    page.wait_for_timeout(400 if stop == "pause" else 2500)
    if stop == "pause":
        pause(page)
    elif stop == "scrubber":
        rail = page.locator(f"{MAP} .slider-rail-rect").first.bounding_box()
        page.mouse.click(rail["x"] + 0.5 * rail["width"], rail["y"] + rail["height"] / 2)
        page.wait_for_timeout(300)
    page.wait_for_timeout(300)
    x, y = 0.5, 2.0  # a point of the 25 x 25 start-picker grid on Rosenbrock's [-2, 2] x [-1, 3]
    px, py = page.evaluate(MAP_POINT, [MAP, x, y])
    page.mouse.move(px, py)
    page.mouse.click(px, py)
    wait_until(page, "() => new URLSearchParams(location.search).get('start') === '0.5,2'")
    ready(page)
    boxes = page.get_by_test_id("stSidebar").locator("[data-testid=stNumberInput]")
    assert [boxes.filter(has_text=f"start {c}").locator("input").input_value() for c in "xy"] == ["0.5", "2"]
    if link == CLOUD:
        return  # a cloud's heads are its ring of starts around the new start
    np.testing.assert_allclose(heads(page), [[x, y]] * 3, rtol=1e-6)  # every run starts there


def test_changing_lr_and_runs_changes_picture_and_url(app, page):
    page.goto(app)
    ready(page)
    box = page.locator("[class*=st-key-run0-sgd-lr-box] input")
    box.fill("0.0005")
    started = time.perf_counter()
    box.press("Enter")
    wait_until(page, "() => decodeURIComponent(location.search).includes('opt=sgd:lr=0.0005')")
    wait_until(
        page,
        f"""() => document.querySelector('{MAP}')._fullData.some(t => t.name === 'sgd lr=0.0005')""",
    )
    measure("lr change to redrawn chart", time.perf_counter() - started, "s")
    path = next(t for t in page.evaluate(TRACES, MAP) if t["name"] == "sgd lr=0.0005")
    expected = simulate(Scenario.from_query(unquote(urlsplit(page.url).query)).scenario).runs[0].path
    np.testing.assert_allclose(np.column_stack([path["x"], path["y"]]), expected, rtol=1e-6)
    page.get_by_role("button", name="+ add a run").click()
    wait_until(page, "() => new URLSearchParams(location.search).getAll('opt').length === 4")
    ready(page)
    assert query(page)["opt"][-1] == "adam:lr=0.01"
    assert any(t["name"] == "adam lr=0.01" for t in page.evaluate(TRACES, MAP))


def test_menus_drawn_when_opened_export_a_png_and_show_the_runs_code(app, page):
    # Share, Export and Code draw their content only while open (fewer elements on every rerun).
    page.goto(f"{app}/?opt=sgd:lr=0.001&opt=adam:lr=0.05&surface=booth&steps=50")
    ready(page)
    assert page.locator("[data-testid='stDownloadButton']").count() == 0
    page.get_by_role("button", name="Export").click()
    button = page.get_by_test_id("stPopoverBody").get_by_role("button", name="PNG of the shown step")
    button.wait_for(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=60_000)  # the menu's run has finished: the button's file is registered
    with page.expect_download(timeout=60_000) as download:
        button.click()
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Code").click()
    code = page.locator("[data-testid='stCode']").filter(has_text="optax.adam")
    code.wait_for(timeout=30_000)
    text = code.inner_text()
    assert "optax.adam(0.05," in text
    end = simulate(Scenario.from_query("opt=sgd:lr=0.001&opt=adam:lr=0.05&surface=booth&steps=50").scenario)
    printed = text.rsplit("# OptViz: ", 1)[1].strip()  # the end point the engine reached, in the code's comment
    np.testing.assert_allclose(json.loads(printed), end.runs[1].path[-1], rtol=1e-6)
    page.keyboard.press("Escape")
    # Share: the link at a chosen step (snapped to the scrubber), kept when the menu closes.
    assert page.locator("[data-testid='stCode']").count() == 0
    page.get_by_role("button", name="Share", exact=True).click()
    box = page.get_by_test_id("stPopoverBody").get_by_role("spinbutton", name="link to the map at step")
    box.wait_for(timeout=30_000)
    box.fill("23")
    box.press("Enter")
    wait_until(page, f"() => location.search.includes('frame={frame_step(50, 23)}')")
    page.locator("[data-testid='stCode']").filter(has_text=f"frame={frame_step(50, 23)}").wait_for(timeout=30_000)
    page.keyboard.press("Escape")
    page.locator("[data-testid='stCode']").first.wait_for(state="detached", timeout=30_000)
    assert query(page)["frame"] == [str(frame_step(50, 23))]


def test_a_copied_link_reproduces_state_and_figure_in_a_fresh_browser(app, page, browser):
    page.goto(
        f"{app}/?surface=himmelblau&opt=nesterov:lr=0.003&opt=rmsprop:lr=0.02&steps=300&start=-1,-1&frame=120&arrows=1"
    )
    ready(page)
    box = page.locator("[class*=st-key-run1-rmsprop-lr-box] input")
    box.fill("0.01")
    box.press("Enter")
    wait_until(page, "() => decodeURIComponent(location.search).includes('rmsprop:lr=0.01&')")
    ready(page)
    copied, traces, shown = page.url, page.evaluate(TRACES, MAP), heads(page)
    assert query(page)["frame"] == [str(frame_step(300, 120))] and query(page)["arrows"] == ["1"]
    with fresh_context(browser) as fresh:
        other = fresh.new_page()
        other.goto(copied)
        ready(other)
        assert other.url == copied
        assert other.evaluate(TRACES, MAP) == traces
        np.testing.assert_array_equal(heads(other), shown)
        assert other.locator("[class*=st-key-run1-rmsprop-lr-box] input").input_value() == "0.01"


def test_a_malformed_link_shows_the_notice_and_a_working_page(app, page):
    page.goto(f"{app}/?surface=rosenbrok&opt=adam:lr=-3&steps=abc&start=1;2;3&zzz=%ZZ&view=4d")
    ready(page)
    notices = page.get_by_test_id("stAlert").all_text_contents()
    text = " ".join(notices)
    assert "did you mean 'rosenbrock'" in text and "lr=-3 is out of range" in text
    assert "steps=abc is not a number" in text and "view=4d" in text
    assert query(page)["steps"] == ["500"] and query(page)["opt"] == ["adam:lr=1e-06"]
    assert any(t["name"] == "adam lr=1e-06" for t in page.evaluate(TRACES, MAP))


# Cards whose Open goes down different paths in the browser: a plain map, the drag-lr view, a
# cloud of starts, a framework convention, a data surface with mini-batches, a custom formula,
# a line search. Every card's Open is run by AppTest (tests/test_app.py), which checks each
# preset's link, claim and paths; here the real page's tab, button, banner and map are checked.
OPENED = (
    "edge-of-stability",
    "crawl-to-divergence",
    "himmelblau-four-minima",
    "rmsprop-two-frameworks",
    "batch-noise-floor",
    "sam-flattest-minimum",
    "lbfgs-rosenbrock-in-tens-of-steps",
)


def test_the_gallery_opens_a_preset_of_each_kind(app, page):
    page.goto(f"{app}/?page=gallery")
    page.get_by_text(next(iter(PRESETS.values())).title).first.wait_for(timeout=120_000)
    for i, preset in enumerate(PRESETS[slug] for slug in OPENED):
        page.get_by_role("tab", name="Gallery").click()
        page.locator(f".st-key-preset-{preset.slug} button").click()
        banner = page.get_by_test_id("stAlert").filter(has_text=preset.title)
        banner.wait_for(timeout=60_000)
        assert "✓ Holds" in banner.text_content()
        if "view=drag" in preset.link:  # opens in the drag-lr view (tests/e2e/test_drag_view.py)
            page.locator(".st-key-drag_map .slider-rail-rect").first.wait_for(timeout=120_000)
            assert query(page)["view"] == ["drag"]
            continue
        ready(page)
        shown = Scenario.from_query(unquote(urlsplit(page.url).query), ignore=("page", "view", "arrows", "frame"))
        assert shown.scenario == preset.scenario and "page" not in query(page)
        names = {t["name"] for t in page.evaluate(TRACES, MAP) if t["mode"] == "lines" and t["name"]}
        assert {r.label for r in preset.scenario.runs} <= {n.replace("  ⚠ diverged", "") for n in names}
        if i == 0:
            page.screenshot(path=ARTIFACTS / f"preset-{preset.slug}.png", full_page=True)


@pytest.mark.parametrize("frame", [0, 40])
def test_exported_html_works_offline_in_chromium(page, tmp_path, frame):
    result = simulate(Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&opt=adam:lr=0.1&steps=80").scenario)
    path = tmp_path / "out.html"
    path.write_text(export.html(result, frame=frame))
    page.route("http*://**", lambda route: route.abort())  # offline: nothing may be fetched
    page.goto(path.as_uri())
    page.locator(".js-plotly-plot .scatterlayer").first.wait_for(timeout=30_000)  # the only chart there
    assert page.evaluate("() => document.querySelector('.js-plotly-plot')._transitionData._frames.length") == 81
    start = heads(page, ".js-plotly-plot")
    np.testing.assert_allclose(start, [r.path[frame_step(80, frame)] for r in result.runs], rtol=1e-6)
    page.get_by_text("▶ Play").first.click()
    # Playing moves the heads (polled: a busy machine may take a while to start the animation).
    moved = f"() => ({HEADS})('.js-plotly-plot')[0].some((x, i) => Math.abs(x - {start[:, 0].tolist()}[i]) > 1e-9)"
    wait_until(page, moved, timeout=30_000)
    assert not np.allclose(heads(page, ".js-plotly-plot"), start)


def test_the_docker_entrypoint_serves_the_app_from_the_copied_files(page, tmp_path):
    """The image's ENTRYPOINT, run outside Docker from only the files the image copies."""
    with entrypoint_app(tmp_path) as url:
        page.goto(url)
        ready(page)
        assert any(t["name"] == "adam lr=0.05" for t in page.evaluate(TRACES, MAP))


@pytest.mark.parametrize("view, chart", [("sweep", "sweep_chart"), ("basins", "basins_chart")])
def test_sweep_and_basin_views_draw(app, page, view, chart):
    page.goto(f"{app}/?surface=himmelblau&opt=sgd:lr=0.01&opt=adam:lr=0.1&view={view}")
    page.wait_for_selector(IDLE, timeout=120_000)
    page.locator(f".st-key-{chart} .js-plotly-plot .scatterlayer").first.wait_for(timeout=60_000)
    data = page.evaluate(f"""() => document.querySelector('.st-key-{chart} .js-plotly-plot')._fullData
        .map(t => t.name || '')""")
    if view == "sweep":
        assert data[:2] == ["sgd lr=0.01", "adam lr=0.1"]
        # The button is in the explorer's fragment; the run's lr row in the sidebar follows it.
        best = page.get_by_role("button", name="run 1: use best lr")
        lr = best.inner_text().rsplit(" ", 1)[-1]
        best.click()
        wait_until(page, f"() => decodeURIComponent(location.search).includes('opt=sgd:lr={lr}&')")
        page.wait_for_selector(IDLE)
        assert page.locator("[class*=st-key-run0-sgd-lr-box] input").input_value() == lr
        # A click on a point of run 2's loss curve makes that point's lr run 2's.
        at = page.evaluate(f"""() => {{
            const gd = document.querySelector('.st-key-{chart} .js-plotly-plot');
            const t = gd._fullData[1], k = t.x.findIndex((x, i) => x > 0.003 && Number.isFinite(t.y[i]));
            const xa = gd._fullLayout[t.xaxis.replace('x', 'xaxis')];
            const ya = gd._fullLayout[t.yaxis.replace('y', 'yaxis')];
            const box = gd.getBoundingClientRect();
            return {{lr: t.x[k], x: box.left + xa._offset + xa.d2p(t.x[k]), y: box.top + ya._offset + ya.d2p(t.y[k])}};
        }}""")
        page.mouse.click(at["x"], at["y"])
        wait_until(page, f"() => decodeURIComponent(location.search).includes('opt=adam:lr={at['lr']:.3g}')")
    else:
        assert sum(name.startswith("→") for name in data) == 4
        assert page.locator(f".st-key-{chart} .imagelayer image").count() == 1
    page.screenshot(path=ARTIFACTS / f"{view}.png", full_page=True)
