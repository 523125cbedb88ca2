"""App benchmark: figure payload vs steps, server rerun time, frames, browser FPS, cold start.

    python bench/app.py [--no-browser]

Prints a table and one JSON document. Server rerun time is measured through
streamlit.testing's AppTest (the whole script, AppTest overhead included: an upper
bound). Browser figures need Debian's /usr/bin/chromium and Playwright for Python.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
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


def browser_figures(repeats: int = 3) -> dict:
    """Cold starts (seconds from spawning `streamlit run` to the map drawn, the browser
    already open) and playback frame rates, medians of ``repeats``."""
    from browser import MAP, chromium, free_port, serve_app, wait_ready
    from playwright.sync_api import sync_playwright

    def first_chart(page, port: int, cache: str) -> float:
        page.goto("about:blank")
        spawned = time.perf_counter()
        with serve_app(port, env=os.environ | {"OPTVIZ_JAX_CACHE": cache}) as url:
            page.goto(url)
            page.locator(f"{MAP} .scatterlayer").first.wait_for(timeout=120_000)
            return time.perf_counter() - spawned

    starts: dict[str, list[float]] = {"first": [], "restart": [], "restart_returning_browser": []}
    with sync_playwright() as pw:
        for _ in range(repeats):
            port = free_port()
            with tempfile.TemporaryDirectory() as cache:
                with chromium(pw) as context:  # a new browser profile, an empty compilation cache
                    starts["first"].append(first_chart(context.new_page(), port, cache))
                with chromium(pw) as context:  # a new profile; kernels on disk
                    page = context.new_page()
                    starts["restart"].append(first_chart(page, port, cache))
                    # the same browser again (same origin: its HTTP and compiled-script caches)
                    starts["restart_returning_browser"].append(first_chart(page, port, cache))
        out = {f"cold_start_{k}_s": statistics.median(v) for k, v in starts.items()}
        fps: dict[str, list[float]] = {"default": [], "6x2000": []}
        with serve_app(free_port()) as url, chromium(pw) as context:
            page = context.new_page()
            for _ in range(repeats):
                for name, link in (("default", url), ("6x2000", f"{url}/?{SIX}&steps=2000")):
                    page.goto(link)
                    wait_ready(page, timeout_ms=120_000)
                    fps[name].append(_fps(page, MAP))
        out |= {f"playback_fps_{k}": statistics.median(v) for k, v in fps.items()}
    return out


def _fps(page, chart: str, seconds: float = 3.0) -> float:
    """Frames per second plotly.js animates after Play: from the times of its
    `plotly_animatingframe` events, the first 0.3 s left out (the animation has at most
    `MAX_FRAMES` frames, so it may end before ``seconds``)."""
    page.evaluate(
        """(chart) => { const gd = document.querySelector(chart); window.__frames = [];
        gd.on('plotly_animatingframe', () => { window.__frames.push(performance.now()); }); }""",
        chart,
    )
    page.get_by_text("▶ Play").first.click()
    page.wait_for_timeout(int(seconds * 1000))
    times = page.evaluate("window.__frames")
    times = [t for t in times if t - times[0] > 300]
    return (len(times) - 1) / ((times[-1] - times[0]) / 1000)


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
            f"`streamlit run` to first chart (medians): {b['cold_start_first_s']:.1f} s first start (empty "
            f"compilation cache, new browser profile), {b['cold_start_restart_s']:.1f} s restart (new profile), "
            f"{b['cold_start_restart_returning_browser_s']:.1f} s restart with a returning browser"
        )
        print(
            f"playback {b['playback_fps_default']:.0f} frames/s (default page), "
            f"{b['playback_fps_6x2000']:.0f} frames/s (6 runs × 2,000 steps), headless Chromium (medians)"
        )
    print(json.dumps(result))
    return 1 if server["recompiles_on_lr_change"] else 0


if __name__ == "__main__":
    sys.exit(main())
