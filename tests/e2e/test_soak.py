"""The server's memory stays bounded: a short run of the soak benchmark (bench/soak.py)
against the real server, bounded at 1 GiB resident (the kernel's high-water mark)."""

from __future__ import annotations

import pytest
from browser import app_process, free_port, fresh_context

from bench.soak import Server, report, soak
from tests.e2e.conftest import measure

LIMIT = 2**30
pytestmark = pytest.mark.xdist_group("soak")  # one worker runs the module's one soak


@pytest.fixture(scope="module")
def soaked(browser) -> dict:
    port = free_port()
    with app_process(port) as proc, fresh_context(browser) as context:
        out = soak(f"http://127.0.0.1:{port}", Server(proc.pid), context, links=10, sessions=8)
    print(report(out))
    measure("soak: server peak RSS", out["peak_rss"] / 2**20, "MB")
    measure("soak: server CPU per new session", out["cpu_s_per_new_session"], "s")
    measure("soak: server CPU per lr change", out["cpu_s_per_change"], "s")
    return out


def test_worst_case_links_and_concurrent_sessions_draw_without_error(soaked):
    assert soaked["errors"] == []


def test_memory_stays_under_1_gib_under_worst_case_links_and_concurrent_sessions(soaked):
    assert soaked["peak_rss"] <= LIMIT, f"peak RSS {soaked['peak_rss'] / 2**20:.0f} MB"
