"""App benchmark: figure payload vs steps, server rerun time, frames, browser FPS, cold start.

    python bench/app.py [--no-browser]

Prints a table and one JSON document. Server rerun time is measured through
streamlit.testing's AppTest (the whole script, AppTest overhead included: an upper
bound). Browser figures need Debian's /usr/bin/chromium and Playwright for Python.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import plotly.io

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from optviz import Scenario, simulate  # noqa: E402
from optviz.engine import trace_count  # noqa: E402
from optviz.figures import trajectory_figure  # noqa: E402

SIX = "&".join(f"opt={o}" for o in ("sgd:lr=0.001", "momentum:lr=0.001", "adam:lr=0.05", "rmsprop:lr=0.01",
                                      "nesterov:lr=0.001", "adagrad:lr=0.1"))  # fmt: skip


def payloads() -> dict:
    """Bytes Streamlit sends for the map (plotly.io.to_json, as st.plotly_chart does)."""
    rows = {}
    for steps in (500, 1000, 2000, 5000):
        result = simulate(Scenario.from_query(f"{SIX}&steps={steps}").scenario)
        start = time.perf_counter()
        fig = trajectory_figure(result)
        build = time.perf_counter() - start
        rows[steps] = {"bytes": len(plotly.io.to_json(fig, validate=False)), "frames": len(fig["frames"]),
                       "build_ms": build * 1e3}  # fmt: skip
    return rows


def reruns(repeats: int = 15) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    compiled = trace_count()
    times = []
    for i in range(repeats):
        at.number_input(key="run0.sgd.lr").set_value(0.001 * (1 + (i % 5) / 10))
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    assert not at.exception
    return {"first_run_s": first, "warm_rerun_ms": statistics.median(times) * 1e3,
            "recompiles_on_lr_change": trace_count() - compiled}  # fmt: skip


def browser_figures() -> dict:
    from browser import MAP, chromium, free_port, serve_app, wait_ready
    from playwright.sync_api import sync_playwright

    out = {}
    launched = time.perf_counter()
    with serve_app(free_port()) as url, sync_playwright() as pw, chromium(pw) as context:
        page = context.new_page()
        page.goto(url)
        wait_ready(page, timeout_ms=120_000)
        out["cold_start_to_first_chart_s"] = time.perf_counter() - launched
        out["playback_fps_default"] = _fps(page, MAP)
        page.goto(f"{url}/?{SIX}&steps=2000")
        wait_ready(page, timeout_ms=120_000)
        out["playback_fps_6x2000"] = _fps(page, MAP)
    return out


def _fps(page, chart: str, seconds: float = 3.0) -> float:
    """Frames plotly.js animates per second after Play (its `plotly_animatingframe` events)."""
    page.evaluate(
        """(chart) => { const gd = document.querySelector(chart);
        window.__frames = 0; gd.on('plotly_animatingframe', () => { window.__frames += 1; }); }""",
        chart,
    )
    page.get_by_text("▶ Play").first.click()
    page.wait_for_timeout(500)
    before = page.evaluate("window.__frames")
    page.wait_for_timeout(int(seconds * 1000))
    return (page.evaluate("window.__frames") - before) / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    result = {"payload": payloads(), "server": reruns()}
    if not args.no_browser:
        result["browser"] = browser_figures()
    print(f"{'steps (6 runs)':>14} {'payload bytes':>14} {'frames':>7} {'build ms':>9}")
    for steps, row in result["payload"].items():
        print(f"{steps:>14} {row['bytes']:>14,} {row['frames']:>7} {row['build_ms']:>9.1f}")
    server = result["server"]
    print(f"first AppTest run {server['first_run_s']:.2f} s; warm rerun after an lr change "
          f"{server['warm_rerun_ms']:.0f} ms (median); recompiles {server['recompiles_on_lr_change']}")  # fmt: skip
    if "browser" in result:
        b = result["browser"]
        print(
            f"cold start to first chart {b['cold_start_to_first_chart_s']:.1f} s; "
            f"playback {b['playback_fps_default']:.0f} frames/s (default page), "
            f"{b['playback_fps_6x2000']:.0f} frames/s (6 runs × 2,000 steps), headless Chromium"
        )
    print(json.dumps(result))
    return 1 if server["recompiles_on_lr_change"] else 0


if __name__ == "__main__":
    sys.exit(main())
