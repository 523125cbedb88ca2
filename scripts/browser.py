"""Helpers to run the real app and drive Debian's Chromium with Playwright.

Used by tests/e2e, tests/test_dockerfile.py and bench/app.py. Never runs `playwright install`: the
browser is the system's /usr/bin/chromium (Debian package `chromium`).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"  # the script has finished its run
MAP = ".st-key-map .js-plotly-plot"  # the explorer's main chart (the sidebar holds the schedule preview)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_command(port: int, script: str = "serve.py") -> list[str]:
    """`streamlit run serve.py` (the app, warmed up at start) as the tests and benchmarks run
    it, on 127.0.0.1:port (``script="app.py"``: the app without the warm-up)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def wait_healthy(
    port: int, proc: subprocess.Popen | None = None, timeout: float = 90, path: str = "/_stcore/health"
) -> None:
    """Poll ``http://127.0.0.1:port/_stcore/health`` (or ``path``, e.g. ``/ready``) until it
    answers 200 (through a proxy too); raise if ``timeout`` passes or ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or (proc is not None and proc.poll() is not None):
            raise RuntimeError(f"nothing healthy on port {port}")
        time.sleep(0.05)


@contextlib.contextmanager
def app_process(port: int, command: list[str] | None = None, cwd: Path = ROOT, env: dict | None = None):
    """Run the app (``command``, default `app_command`) and yield its process once
    /_stcore/health answers; the server is stopped on exit."""
    proc = subprocess.Popen(
        command or app_command(port), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_healthy(port, proc)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextlib.contextmanager
def serve_app(port: int, command: list[str] | None = None, cwd: Path = ROOT, env: dict | None = None):
    """`app_process`, yielding the app's URL."""
    with app_process(port, command, cwd, env):
        yield f"http://127.0.0.1:{port}"


def wait_ready(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.locator(f"{MAP} .scatterlayer").first.wait_for(timeout=timeout_ms)
    page.wait_for_timeout(500)


@contextlib.contextmanager
def headless(playwright):
    """One headless Chromium; each ``new_context()`` of it is a fresh profile (own cookies)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    try:
        yield browser
    finally:
        browser.close()


@contextlib.contextmanager
def fresh_context(browser, viewport=(1500, 1100), **options):
    """A new context of a running ``headless`` browser: a fresh, empty profile (own cookies,
    storage and HTTP cache) without starting another browser process (measured here: 0.5-1 s
    a context against 1.4-2.6 s for `chromium`'s new browser)."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, **options)
    try:
        yield context
    finally:
        context.close()


@contextlib.contextmanager
def chromium(playwright, viewport=(1500, 1100)):
    """A fresh headless Chromium context (new, empty profile)."""
    with tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=FLAGS, viewport={"width": viewport[0], "height": viewport[1]}
        )
        try:
            yield context
        finally:
            context.close()
