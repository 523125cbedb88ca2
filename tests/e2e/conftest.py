"""The real app (`streamlit run serve.py` on a free port) and fresh headless Chromium
contexts (Debian's /usr/bin/chromium driven by Playwright; never `playwright install`).

Each test process starts one app server and one browser; every test gets a new context of
that browser (a fresh, empty profile: own cookies, storage and cache). Tests that stop or
restart a server start their own.

Artifacts (screenshots, measured timings) go to ``artifacts/e2e/`` or ``$E2E_ARTIFACTS``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from browser import MAP, free_port, fresh_context, headless, serve_app  # noqa: E402

from tests.conftest import ARTIFACTS, WORKER  # noqa: E402


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    """One headless Chromium per test process; tests take fresh contexts of it."""
    with headless(playwright) as browser:
        yield browser


@pytest.fixture(scope="session")
def app(browser):
    """Base URL of the running app and the seconds from launch to its first drawn chart."""
    launched = time.perf_counter()
    with serve_app(free_port()) as url:
        with fresh_context(browser) as context:
            page = context.new_page()
            page.goto(url)
            page.locator(f"{MAP} .scatterlayer").first.wait_for(timeout=120_000)
            measure(
                "time to first chart after `streamlit run` (cold server, browser already running)",
                time.perf_counter() - launched,
                "s",
            )
        yield url


@pytest.fixture
def context(browser):
    """A fresh browser context (new, empty profile) per test."""
    with fresh_context(browser) as ctx:
        yield ctx


@pytest.fixture
def page(context):
    """A page that fails the test on any browser console error or uncaught exception."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors  # a test may remove errors it expects, saying why
    yield page
    assert errors == [], f"browser console errors: {errors}"


MEASURED: dict[str, tuple[float, str]] = {}


def measure(what: str, value: float, unit: str) -> None:
    """Keep a timing (never asserted: machines here are noisy); printed after the run and
    written to ``measurements-<worker>.json`` among the artifacts."""
    MEASURED[what] = (value, unit)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    doc = {k: {"value": round(v, 3), "unit": u} for k, (v, u) in MEASURED.items()}
    (ARTIFACTS / f"measurements-{WORKER}.json").write_text(json.dumps(doc, indent=1))
