"""Drag-lr view benchmark: family compute, figure build and payload, and the frame rate
while a slider is dragged in headless Chromium.

    python bench/drag.py [--repeats N] [--no-browser]

Family compute is `optviz.sweeps.lr_families` (one recording call per run, 128 lrs),
warm (second call on), median of repeats; payload is the figure's JSON as the map
component receives it. The frame rate is plotly.js's ``plotly_animatingframe`` events per
second while the mouse drags run 1's slider back and forth across its steps (`drag_fps`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from timing import median_seconds  # noqa: E402

from optviz import Scenario  # noqa: E402
from optviz.devices import present  # noqa: E402
from optviz.figures.drag import drag_figure  # noqa: E402
from optviz.sweeps import lr_families  # noqa: E402

DRAG_MAP = ".st-key-drag_map .js-plotly-plot"
THREE = "opt=sgd:lr=0.001&opt=momentum:lr=0.001&opt=adam:lr=0.05"
SIX = f"{THREE}&opt=rmsprop:lr=0.01&opt=nesterov:lr=0.001&opt=adagrad:lr=0.1"
CASES = {"3 runs × 128 lrs × 500 steps": f"{THREE}&steps=500", "6 runs × 128 lrs × 2,000 steps": f"{SIX}&steps=2000"}
BUDGET_S = {"3 runs × 128 lrs × 500 steps": 0.05, "6 runs × 128 lrs × 2,000 steps": 0.3}

FRAMES = """(chart) => { const gd = document.querySelector(chart); window.__dragFrames = [];
    gd.on('plotly_animatingframe', () => { window.__dragFrames.push(performance.now()); }); }"""


def slider_rail(page, chart: str, index: int = 0) -> dict:
    """The bounding box of slider ``index``'s rail, scrolled into the viewport."""
    rail = page.locator(f"{chart} .slider-container .slider-group").nth(index).locator(".slider-rail-rect")
    rail.scroll_into_view_if_needed()
    return rail.bounding_box()


def drag_to(page, chart: str, fraction: float, index: int = 0, release: bool = True) -> None:
    """Press on slider ``index``'s grip position, move to ``fraction`` of its rail, release."""
    rail = slider_rail(page, chart, index)
    y = rail["y"] + rail["height"] / 2
    active = page.evaluate(f"() => document.querySelector('{chart}').layout.sliders[{index}].active")
    steps = page.evaluate(f"() => document.querySelector('{chart}').layout.sliders[{index}].steps.length")
    page.mouse.move(rail["x"] + rail["width"] * active / (steps - 1), y)
    page.mouse.down()
    page.mouse.move(rail["x"] + rail["width"] * fraction, y, steps=8)
    if release:
        page.mouse.up()


def drag_fps(page, chart: str = DRAG_MAP, sweeps: int = 4) -> float:
    """Frames per second plotly.js draws while the mouse drags slider 0 across its rail and
    back ``sweeps`` times (one mouse move per step; the mouse is not released)."""
    rail = slider_rail(page, chart)
    steps = page.evaluate(f"() => document.querySelector('{chart}').layout.sliders[0].steps.length")
    y = rail["y"] + rail["height"] / 2
    xs = [rail["x"] + rail["width"] * (k + 0.5) / steps for k in range(steps)]
    page.mouse.move(xs[len(xs) // 2], y)
    page.mouse.down()
    page.evaluate(FRAMES, chart)
    for sweep in range(sweeps):
        for x in xs if sweep % 2 else xs[::-1]:
            page.mouse.move(x, y)
    page.wait_for_timeout(200)
    times = page.evaluate("window.__dragFrames")
    page.keyboard.press("Escape")
    return (len(times) - 1) / ((times[-1] - times[0]) / 1000)


def compute(repeats: int) -> dict:
    out = {}
    for name, query in CASES.items():
        scenario = Scenario.from_query(query).scenario
        lr_families(scenario)  # compile
        families = lr_families(scenario)
        start = time.perf_counter()
        figure = drag_figure(scenario, families)
        build = time.perf_counter() - start
        out[name] = {
            "family_s": median_seconds(lambda s=scenario: lr_families(s), repeats),
            "figure_s": build,
            "payload_bytes": len(json.dumps(figure)),
            "cells": figure["layout"]["meta"]["cells"],
        }
    return out


def browser(repeats: int) -> dict:
    from browser import IDLE, chromium, free_port, serve_app
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as pw, serve_app(free_port()) as url, chromium(pw, viewport=(1280, 900)) as context:
        page = context.new_page()
        for name, query in CASES.items():
            page.goto(f"{url}/?{query}&view=drag")
            page.wait_for_selector(IDLE, timeout=120_000)
            page.locator(f"{DRAG_MAP} .slider-rail-rect").first.wait_for(timeout=120_000)
            page.wait_for_timeout(500)
            out[name] = statistics.median(drag_fps(page) for _ in range(repeats))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    result = {"device": present(), "compute": compute(args.repeats)}
    for name, row in result["compute"].items():
        print(
            f"{name:<32} family {row['family_s'] * 1e3:6.1f} ms warm (budget {BUDGET_S[name] * 1e3:.0f} ms, "
            f"ratio {row['family_s'] / BUDGET_S[name]:.2f})   figure {row['figure_s'] * 1e3:5.0f} ms   "
            f"payload {row['payload_bytes'] / 1e6:.2f} MB (grid {row['cells']:.0f} cells)"
        )
    if not args.no_browser:
        result["drag_fps"] = browser(min(args.repeats, 3))
        for name, fps in result["drag_fps"].items():
            print(f"drag {name:<32} {fps:5.1f} frames/s (headless Chromium, median)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
