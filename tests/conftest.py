"""Shared by every test: float64 on, and the browser tests' printed measurements.

Browser tests keep their timings with `tests.e2e.conftest.measure`, which writes one file per
process (pytest-xdist runs tests in several); the process that prints the summary gathers them.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from streamlit.components.v2 import manifest_scanner

import optviz  # noqa: F401  (turns on float64 before any test builds JAX arrays)

# Every new AppTest scans all installed distributions for component manifests (0.6-1.2 s
# here, about 2,400 of them, for none found); the installed packages do not change during a
# run, so each test process scans once.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts" / "e2e"))
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # "gw0", "gw1", … under pytest-xdist


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
