"""Two app replicas behind HAProxy with deploy/haproxy.cfg, on loopback: sticky sessions,
a replica stopped under open pages, and the Content-Security-Policy the proxy sends."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import subprocess
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from browser import app_command, fresh_context, wait_healthy, wait_ready

from tests.e2e.conftest import MAP, ROOT, free_port
from tests.e2e.test_browser import TRACES

HAPROXY = "/usr/sbin/haproxy"  # Debian's haproxy (scripts/test.sh installs it)
CONFIG = ROOT / "deploy" / "haproxy.cfg"
SESSIONS = 6  # three pages on each replica
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
# Counts the page's websocket connections (a reconnection to another replica is a second one)
# and records every Content-Security-Policy violation the browser reports.
WATCH = """window.__sockets = 0; window.__csp = [];
const Native = window.WebSocket;
window.WebSocket = function (...args) { window.__sockets += 1; return new Native(...args); };
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));"""

pytestmark = [
    pytest.mark.skipif(not os.access(HAPROXY, os.X_OK), reason="scripts/test.sh installs haproxy"),
    pytest.mark.xdist_group("replicas"),  # one worker starts the module's two replicas
]


@contextlib.contextmanager
def proxy(replicas: list[int]):
    """HAProxy with the repository's configuration in front of ``replicas``; yields its URL."""
    port = free_port()
    env = os.environ | {"OPTVIZ_BIND": f"127.0.0.1:{port}"}
    env |= {f"OPTVIZ_APP{i}": f"127.0.0.1:{p}" for i, p in enumerate(replicas, 1)}
    proc = subprocess.Popen(
        [HAPROXY, "-db", "-f", str(CONFIG)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_healthy(port, proc, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def policy(header: str) -> dict[str, set[str]]:
    return {d.split()[0]: set(d.split()[1:]) for d in header.split(";") if d.strip()}


def replica(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "OPTVIZ_REPLICA")


def shown(page) -> tuple[dict, list[str]]:
    """The page's link and the names of the map's traces."""
    return parse_qs(urlsplit(page.url).query), [t["name"] for t in page.evaluate(TRACES, MAP)]


def start_replica(port: int) -> subprocess.Popen:
    """One replica (`streamlit run serve.py` on ``port``), once it answers its health check."""
    proc = subprocess.Popen(app_command(port), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_healthy(port, proc)
    return proc


@pytest.fixture(scope="module")
def replicas():
    """Two replicas' ports and processes (a test may stop one and put a new one in its place)."""
    ports = [free_port(), free_port()]
    procs = [start_replica(port) for port in ports]
    try:
        yield ports, procs
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)


def test_the_proxy_sends_a_policy_that_keeps_the_page_to_its_own_origin(replicas):
    with proxy(replicas[0]) as url, urllib.request.urlopen(url) as response:
        csp = policy(response.headers["Content-Security-Policy"])
        cookie = response.headers["Set-Cookie"]
        html = response.read().decode()
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)  # Streamlit's index.html has one
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline}
    assert csp["script-src"] == {"'self'", "'wasm-unsafe-eval'", "blob:", *hashes} and len(hashes) == 1
    assert csp["default-src"] == csp["connect-src"] == {"'self'"}
    assert csp["img-src"] == {"'self'", "data:", "blob:"} and csp["style-src"] == {"'self'", "'unsafe-inline'"}
    assert csp["object-src"] == {"'none'"} and csp["frame-ancestors"] == {"'self'"}
    assert not any("unsafe-eval" in v or "*" in v or "http:" in v for v in csp.values())
    assert cookie.startswith(("OPTVIZ_REPLICA=app1;", "OPTVIZ_REPLICA=app2;"))


def change(page, k: int, lr: str, steps: int) -> None:
    """Type ``lr`` into run 1's lr box (the explorer's fragment reruns) and ``steps`` into the
    sidebar's steps box (the whole page reruns); each is taken: the link and the map follow."""
    box = page.locator("[class*=st-key-run0-sgd-lr-box] input")
    box.fill(lr)
    box.press("Enter")
    page.wait_for_function("(lr) => decodeURIComponent(location.search).includes(`opt=sgd:lr=${lr}&`)", arg=lr)
    wait_ready(page)
    steps_box = page.get_by_test_id("stSidebar").get_by_label("steps", exact=True)
    steps_box.fill(str(steps))
    steps_box.press("Enter")
    page.wait_for_function("(n) => new URLSearchParams(location.search).get('steps') === String(n)", arg=steps)
    wait_ready(page)
    query, traces = shown(page)
    assert query["opt"] == [f"sgd:lr={lr}", "adam:lr=0.05"] and f"sgd lr={lr}" in traces, (k, query)


def test_pages_keep_working_through_a_rolling_restart_of_the_replicas(replicas, browser):
    """Both replicas stopped and started again one after the other (a new version deployed)
    under open pages: after each stop, the pages of that replica reconnect through the
    proxy to the other one and come back with their own link's picture, and on every page
    a change of an lr and of the steps is taken at once."""
    ports, procs = replicas
    with proxy(ports) as url, contextlib.ExitStack() as profiles:
        pages = []
        for k in range(SESSIONS):  # one browser profile per student: its own sticky cookie
            page = profiles.enter_context(fresh_context(browser, (1280, 720))).new_page()
            page.add_init_script(WATCH)
            page.goto(f"{url}/?surface=himmelblau&opt=sgd:lr=0.00{k + 1}&opt=adam:lr=0.05&steps=200&start=-1,-1")
            pages.append(page)
        for page in pages:
            wait_ready(page, timeout_ms=120_000)
            assert page.locator(ERRORS).count() == 0
        on = [replica(p.context) for p in pages]
        assert set(on) == {"app1", "app2"}, on  # round robin over profiles, then sticky
        assert all(page.evaluate("window.__sockets") == 1 for page in pages)  # one websocket each
        assert [v for p in pages for v in p.evaluate("window.__csp")] == []

        for i, (name, steps) in enumerate((("app1", 150), ("app2", 120))):
            before = [shown(page) for page in pages]
            sockets = [page.evaluate("window.__sockets") for page in pages]
            procs[i].terminate()
            procs[i].wait(timeout=20)
            stopped = time.monotonic()
            for page, host, (query, traces), n in zip(pages, on, before, sockets, strict=True):
                if host == name:  # its websocket closed: it reconnects through the proxy, to the other
                    page.wait_for_function("(n) => window.__sockets > n", arg=n, timeout=120_000)
                wait_ready(page, timeout_ms=120_000)
                assert shown(page) == (query, traces)
                assert page.locator(ERRORS).count() == 0
            back = time.monotonic() - stopped
            for k, page in enumerate(pages):
                change(page, k, f"0.00{k + 1}{i + 5}", steps)
                assert page.evaluate("window.__csp") == []
            print(
                f"{name} stopped: its {on.count(name)} pages back on the other replica {back:.1f} s later, "
                f"a change taken on all {len(pages)} pages {time.monotonic() - stopped:.1f} s after the stop"
            )
            on = [replica(p.context) for p in pages]
            assert set(on) == {"app2" if name == "app1" else "app1"}, on
            procs[i] = start_replica(ports[i])
