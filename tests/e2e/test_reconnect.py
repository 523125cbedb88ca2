"""A page whose server goes away and comes back keeps working: every control after a
restart under an open page, a tap tried while the server is down, and a laptop asleep past
the session's lifetime (replicas behind the proxy: tests/e2e/test_proxy.py).

A server that comes back holds a new session that knows nothing of the old one. The page
reruns the whole script when it reconnects (app.py's ``whole_page_on_reconnect``), which
rebuilds the page from its link; without that rerun every control drawn by the explorer's
fragment (an lr, a tap on the map, a view, the menus, the lesson's Next) was dropped in
silence."""

from __future__ import annotations

import re
import subprocess
import time
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from browser import IDLE, ROOT, app_command, free_port, wait_healthy

from optviz import Scenario, simulate
from optviz.lesson import OPTIMIZERS_LESSON
from optviz.presets import PRESETS
from tests.e2e.conftest import MAP, measure
from tests.e2e.test_browser import HEADS, MAP_POINT, TRACES, heads, pause, query, ready, wait_until
from tests.e2e.test_fast_input import SLIDER, legend, sgd_lr
from tests.e2e.test_lesson import wait_for_step

LINK = "surface=rosenbrock&opt=sgd:lr=0.001&opt=adam:lr=0.05&steps=300"
SCENE = ".st-key-surface3d .js-plotly-plot"  # the 3-D view's chart
DRAWN = "gd.dataset.drawn === gd.dataset.wanted"  # the map has drawn the last message it took
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
# Counts the script's runs as the page sees them (the app's script-state attribute turning to
# 'running'), so that a test knows when the rerun a reconnection asks for has happened.
RUNS = """window.__runs = 0;
new MutationObserver((records) => { for (const r of records)
    if (r.target.dataset.testScriptState === 'running' && r.oldValue !== 'running') window.__runs += 1; })
  .observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});"""


class Server:
    """`streamlit run serve.py` on one port, stopped (SIGTERM) and started again under open pages."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            app_command(self.port), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_healthy(self.port, self.proc)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)

    def up(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture(scope="module")
def started():
    """One server for the module's tests: each restarts it under its own page and leaves it up."""
    server = Server()
    try:
        yield server
    finally:
        if server.up():
            server.stop()


@pytest.fixture
def server(started):
    """The module's server, running (started again if a test failed while it was down)."""
    if not started.up():
        started.start()
    return started


OUTAGE = (  # what the browser and Streamlit write to the console while the server is away
    "net::ERR_CONNECTION_REFUSED",
    "net::ERR_FAILED",
    "WebSocket connection to",
    "Client Error in reaching server endpoint",
    "Streamlit server is not responding",
)


def outage(error: str) -> bool:
    """A console error of the page's reconnection attempts."""
    return any(text in error for text in OUTAGE)


def back(page, runs_before: int) -> None:
    """The page has reconnected and its whole script has run (and finished) on the new server."""
    page.wait_for_selector(CONNECTED, timeout=60_000)
    page.wait_for_function("(n) => window.__runs > n", arg=runs_before, timeout=60_000)
    ready(page)


def restart(server: Server, page) -> float:
    """Stop the server under the page, start it again; the seconds from its return until the
    page is back."""
    runs = page.evaluate("window.__runs")
    server.stop()
    page.wait_for_selector("[data-testid='stApp']:not([data-test-connection-state='CONNECTED'])")
    server.start()
    returned = time.perf_counter()
    back(page, runs)
    return time.perf_counter() - returned


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the sidebar's select box labelled ``label`` (an optimizer's
    entry may carry its family after a dot: ``RMSprop · adaptive``)."""
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text=label).click()
    page.keyboard.type(option)  # the list shows the options that match what is typed
    page.get_by_role("option", name=re.compile(rf"^{re.escape(option)}( · .*)?$")).click()


def link_says(page, text: str) -> None:
    """The link has ``text`` and the page has finished its run."""
    wait_until(page, "(text) => decodeURIComponent(location.search).includes(text)", arg=text)
    page.wait_for_selector(IDLE)
    wait_until(page, f"() => {{ const gd = document.querySelector({MAP!r}); return !gd || {DRAWN}; }}")


def drawn_runs(page) -> list[str]:
    """The runs the map's legend names, in order."""
    return [name for name in legend(page) if name != "known minima"]


def engine_path(page, run: int) -> np.ndarray:
    scenario = Scenario.from_query(unquote(urlsplit(page.url).query)).scenario
    return simulate(scenario).runs[run].path


def test_every_control_works_after_a_restart(server, page):
    page.add_init_script(RUNS)
    page.goto(f"{server.url}/?{LINK}")
    ready(page)
    waited = restart(server, page)
    assert query(page)["opt"] == ["sgd:lr=0.001", "adam:lr=0.05"]
    assert drawn_runs(page) == ["sgd lr=0.001", "adam lr=0.05"]

    # The explorer's fragment: an lr's slider, then its box, each in the controls, the link and the picture.
    page.locator(SLIDER.format(0)).focus()
    page.keyboard.press("ArrowRight")
    link_says(page, "opt=sgd:lr=0.00112&")
    assert set(sgd_lr(page).values()) == {0.00112}
    measure("server back -> page back (whole script rerun), one restart", waited, "s")
    box = page.locator("[class*=st-key-run0-sgd-lr-box] input")
    box.fill("0.0005")
    box.press("Enter")
    link_says(page, "opt=sgd:lr=0.0005&")
    shown = sgd_lr(page)
    assert shown.pop("slider") == 0.000501 and set(shown.values()) == {0.0005}  # the slider's nearest stop
    path = next(t for t in page.evaluate(TRACES, MAP) if t["name"] == "sgd lr=0.0005")
    np.testing.assert_allclose(np.column_stack([path["x"], path["y"]]), engine_path(page, 0), rtol=1e-6)

    # A tap on the map moves the start; Play, Pause and the scrubber move the heads.
    px, py = page.evaluate(MAP_POINT, [MAP, 0.5, 2.0])
    page.mouse.click(px, py)
    link_says(page, "start=0.5,2")
    np.testing.assert_allclose(heads(page), [[0.5, 2.0]] * 2, rtol=1e-6)
    page.get_by_text("▶ Play").first.click()
    page.wait_for_timeout(600)
    pause(page)
    step = page.evaluate("(chart) => Number(document.querySelector(chart)._fullLayout._currentFrame)", MAP)
    assert step > 0
    np.testing.assert_allclose(heads(page), [engine_path(page, r)[step] for r in range(2)], rtol=1e-5)

    # A view and a menu.
    page.get_by_text("3-D surface").click()
    link_says(page, "view=3d")
    wait_until(page, f"() => document.querySelector({SCENE!r})?._fullData[0].type === 'surface'")
    page.get_by_text("2-D map").click()
    wait_until(page, "() => !location.search.includes('view=')")
    ready(page)
    page.get_by_role("button", name="Code").click()
    page.locator("[data-testid='stCode']").filter(has_text="optax.sgd(0.0005").wait_for(timeout=30_000)
    page.keyboard.press("Escape")

    # The sidebar's whole-page controls.
    steps = page.get_by_test_id("stSidebar").get_by_label("steps", exact=True)
    steps.fill("200")
    steps.press("Enter")
    link_says(page, "steps=200&")
    choose(page, "Run 2", "RMSprop")
    link_says(page, "opt=rmsprop:")
    assert drawn_runs(page)[1].startswith("rmsprop lr=")
    choose(page, "Schedule", "Cosine decay")
    link_says(page, "schedule=cosine")
    choose(page, "Loss surface", "Himmelblau")
    link_says(page, "surface=himmelblau")
    np.testing.assert_allclose(page.evaluate(HEADS, MAP)[0][0], engine_path(page, 0)[0][0], rtol=1e-6)
    page.console_errors[:] = [e for e in page.console_errors if not outage(e)]


def test_the_lesson_and_the_gallery_work_after_a_restart(server, page):
    page.add_init_script(RUNS)
    page.goto(f"{server.url}/?lesson=optimizers&step=1")
    ready(page)
    restart(server, page)
    page.get_by_role("button", name="Next ▶").click()  # the first change after the restart
    wait_for_step(page, 2)
    restart(server, page)
    page.get_by_role("tab", name="Gallery").click()
    preset = next(iter(PRESETS.values()))
    # The cards drawn and the run idle, as a person sees them before choosing one.
    page.locator("[data-testid='stImage'] img").first.wait_for(timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.locator(f".st-key-preset-{preset.slug} button").click()
    page.get_by_test_id("stAlert").filter(has_text=preset.title).wait_for(timeout=60_000)
    ready(page)
    shown = Scenario.from_query(unquote(urlsplit(page.url).query), ignore=("page", "view", "arrows", "frame"))
    assert shown.scenario == preset.scenario and OPTIMIZERS_LESSON.name not in page.url
    page.console_errors[:] = [e for e in page.console_errors if not outage(e)]


def test_a_tap_while_the_server_is_down_is_refused_aloud_and_the_next_one_is_taken(server, page):
    page.add_init_script(RUNS)
    page.goto(f"{server.url}/?{LINK}")
    ready(page)
    runs = page.evaluate("window.__runs")
    server.stop()
    page.wait_for_selector("[data-testid='stApp']:not([data-test-connection-state='CONNECTED'])")
    assert page.locator(SLIDER.format(0)).is_disabled()  # Streamlit's widgets wait for the server
    px, py = page.evaluate(MAP_POINT, [MAP, 0.5, 2.0])
    page.mouse.click(px, py)
    note = page.locator(".st-key-map .optviz-refused")
    assert note.get_attribute("role") == "status" and note.inner_text().startswith("Not applied: reconnecting")
    server.start()
    back(page, runs)
    assert query(page)["start"] == ["-1.5,2"]  # the link still says what the page shows
    np.testing.assert_allclose(heads(page), [[-1.5, 2.0]] * 2, rtol=1e-6)
    px, py = page.evaluate(MAP_POINT, [MAP, 0.5, 2.0])  # where the point is now the page is back
    page.mouse.click(px, py)  # the same tap, now taken
    link_says(page, "start=0.5,2")
    np.testing.assert_allclose(heads(page), [[0.5, 2.0]] * 2, rtol=1e-6)
    page.console_errors[:] = [e for e in page.console_errors if not outage(e)]


def test_a_page_asleep_past_its_sessions_lifetime_comes_back(server, page):
    """A laptop asleep through a lecture: its websocket is gone and the server has dropped
    the session (server.disconnectedSessionTTL = 10 s); on waking the page reconnects to a
    new session and every control works. Sleep is played by closing the page's websocket
    and failing its reconnection attempts for 15 s."""
    page.add_init_script(
        RUNS
        + """window.__sockets = [];
        const Native = window.WebSocket;
        window.WebSocket = function (...args) { const ws = new Native(...args); window.__sockets.push(ws); return ws; };
        window.WebSocket.prototype = Native.prototype;
        Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});"""
    )
    page.goto(f"{server.url}/?{LINK}")
    ready(page)
    runs = page.evaluate("window.__runs")
    page.route("**/_stcore/**", lambda route: route.abort())
    page.evaluate("window.__sockets.forEach((ws) => ws.close())")
    page.wait_for_selector("[data-testid='stApp']:not([data-test-connection-state='CONNECTED'])")
    page.wait_for_timeout(15_000)
    page.unroute("**/_stcore/**")
    back(page, runs)
    page.locator(SLIDER.format(0)).focus()
    page.keyboard.press("ArrowRight")
    link_says(page, "opt=sgd:lr=0.00112&")
    assert set(sgd_lr(page).values()) == {0.00112}
    page.console_errors[:] = [e for e in page.console_errors if not outage(e)]
