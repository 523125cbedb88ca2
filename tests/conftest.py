"""Shared by every test: float64 on, the browser tests' printed measurements, and what a test
process does differently from the server: AppTest without Streamlit's Keras reset, and a larger
pool of compiled kernels (both explained below).

Browser tests keep their timings with `tests.e2e.conftest.measure`, which writes one file per
process (pytest-xdist runs tests in several); the process that prints the summary gathers them.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.scriptrunner import script_runner

import optviz  # noqa: F401  (turns on float64 before any test builds JAX arrays)
from optviz import engine, kernel, sweeps

# Every new AppTest scans all installed distributions for component manifests (0.6-1.2 s
# here, about 2,400 of them, for none found); the installed packages do not change during a
# run, so each test process scans once.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)

# After every script run Streamlit resets Keras and matplotlib when they are imported
# (`keras.backend.clear_session()`: a full `gc.collect()`). The app imports neither, so the
# server never does; but the tests that execute the Code menu's Keras programs import Keras,
# and every later AppTest run of that process then paid a full collection (docs/tests.md).
# AppTest runs the app as the server does.
script_runner._clean_problem_modules = lambda: None

# A test process keeps the simulation kernels it builds (up to 512, ~1.5 GB): the tests walk
# every optimizer several times (references, schedules, conventions, Code-menu programs), and
# the explorer's pool of 32 dropped each kernel before its next use, so a third of the
# kernels were traced again (docs/tests.md). What a kernel computes does not depend on the
# pool; the servers the browser tests start keep the app's own pool.
engine._kernel = sweeps._kernel = kernel._kernel = functools.lru_cache(maxsize=512)(kernel._compile)

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts" / "e2e"))
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # "gw0", "gw1", … under pytest-xdist
# The longest tests (or xdist groups), started first so that no test process is left running
# one of them alone at the end of a run. Measured (seconds, 2 cores, shared): the soak 222,
# the replicas 107, the gallery's pictures 93, the
# drag frame rate 66, every control after a restart 55, planted links 45, the lesson and the
# gallery after a restart 44, every view of a data surface 38, the 3-D camera 35.
FIRST = (
    "tests/e2e/test_soak.py",
    "tests/e2e/test_proxy.py",
    "tests/e2e/test_classroom.py::test_the_gallery_shows_a_picture_of_each_preset",
    "tests/e2e/test_drag_view.py::test_drag_frame_rate",
    "tests/e2e/test_reconnect.py",
    "tests/e2e/test_planted_links.py::test_planted_values_are_shown_as_literal_text",
    "tests/test_data_page.py::test_every_view_draws_a_data_surface_with_batches",
    "tests/e2e/test_scene.py::test_an_lr_change_keeps_the_element_and_the_turned_camera",
)


def pytest_collection_modifyitems(items):
    """The tests in ``FIRST`` first, in its order; the rest as collected (a stable sort)."""
    rank = {prefix: i for i, prefix in enumerate(FIRST)}
    items.sort(key=lambda item: next((i for p, i in rank.items() if item.nodeid.startswith(p)), len(FIRST)))


def pytest_sessionstart(session):
    if WORKER == "main":  # the process that prints the summary: no earlier run's figures
        for old in ARTIFACTS.glob("measurements-*.json"):
            old.unlink()


def pytest_terminal_summary(terminalreporter):
    measured = {}
    for path in sorted(ARTIFACTS.glob("measurements-*.json")):
        measured |= json.loads(path.read_text())
    if measured:
        terminalreporter.section("measured in the browser (printed, not asserted)")
        for what, m in measured.items():
            terminalreporter.write_line(f"{what}: {m['value']:.3g} {m['unit']}")
