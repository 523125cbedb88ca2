"""App benchmark: map message bytes vs steps, server rerun time, change → redrawn in the
browser (split by stage), first chart, cold start, playback and drag-lr frame rates.

    python bench/app.py [--no-browser]

Prints a table and one JSON document. Server rerun time is measured through
streamlit.testing's AppTest (the whole script, AppTest overhead included: an upper
bound). Browser figures need Debian's /usr/bin/chromium and Playwright for Python; the
change split is `bench/latency.py`'s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from drag import SIX  # noqa: E402  (the 6-run link, as bench/drag.py measures it)
from drag import browser as drag_browser  # noqa: E402
from latency import change_split  # noqa: E402

from optviz import Scenario, simulate  # noqa: E402
from optviz.figures import map_parts  # noqa: E402
from optviz.kernel import trace_count  # noqa: E402
from optviz.map.message import encode, message, remember  # noqa: E402


def payloads() -> dict:
    """Bytes of the map's message (JSON, as the component receives it): the first one, and
    one after run 1's lr changes (the other parts travel as ids); build and encode times."""
    rows = {}
    for steps in (500, 1000, 2000, 5000):
        before = simulate(Scenario.from_query(f"{SIX}&steps={steps}").scenario)
        after = simulate(Scenario.from_query(f"{SIX.replace('sgd:lr=0.001', 'sgd:lr=0.0012')}&steps={steps}").scenario)
        start = time.perf_counter()
        parts = map_parts(after)
        build = time.perf_counter() - start
        encoded = encode(parts)
        encode_s = time.perf_counter() - start - build
        held = remember([], message(encode(map_parts(before)), 0, held=[]))
        rows[steps] = {
            "first_bytes": len(json.dumps(message(encoded, 0, held=[]))),
            "change_bytes": len(json.dumps(message(encoded, 0, held))),
            "build_ms": build * 1e3,
            "encode_ms": encode_s * 1e3,
        }
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
        (box,) = [w for w in at.number_input if re.fullmatch(r"run0\.sgd\.lr\.box\d+", w.key or "")]
        box.set_value(0.001 * (1 + (i % 5) / 10))  # the box's key carries a serial (optviz.ui.views)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    assert not at.exception
    return {
        "first_run_s": first,
        "warm_rerun_ms": statistics.median(times) * 1e3,
        "recompiles_on_lr_change": trace_count() - compiled,
    }


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
        fps: dict[str, list[tuple[float, float]]] = {"default": [], "6x2000": []}
        with serve_app(free_port()) as url, chromium(pw) as context:
            page = context.new_page()
            for _ in range(repeats):
                for name, link in (("default", url), ("6x2000", f"{url}/?{SIX}&steps=2000")):
                    page.goto(link)
                    wait_ready(page, timeout_ms=120_000)
                    fps[name].append(_fps(page, MAP))
        out |= {f"playback_fps_{k}": statistics.median(f for f, _ in v) for k, v in fps.items()}
        out |= {f"playback_frame_ms_{k}": statistics.median(ms for _, ms in v) for k, v in fps.items()}
        with serve_app(free_port()) as url:
            out |= _first_chart_server_up(pw, url, repeats)
            for name, link in (("default", url), ("6x2000", f"{url}/?{SIX}&steps=2000")):
                with chromium(pw) as context:
                    out[f"change_{name}"] = change_split(context.new_page(), link)
    return out


def first_visitors(repeats: int = 3) -> dict:
    """Navigation → map drawn and script idle for the first visitor after a server start
    and for the next one (each a new browser profile), alternating `streamlit run
    serve.py` (the visitor arrives once ``/ready`` says the warm-up is done) and `streamlit
    run app.py` (no warm-up: the visitor arrives once the health check answers); kernels
    on disk in both (a restart); medians of ``repeats``, and serve.py's start → ready."""
    from browser import IDLE, MAP, app_command, app_process, chromium, free_port, wait_healthy
    from playwright.sync_api import sync_playwright

    def visit(context, url: str) -> float:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.locator(f"{MAP} .scatterlayer").first.wait_for(timeout=120_000)
        page.wait_for_selector(IDLE)
        return time.perf_counter() - start

    times: dict[str, list[float]] = {}
    with sync_playwright() as pw:
        for _ in range(repeats):
            for script in ("serve.py", "app.py"):
                port = free_port()
                spawned = time.perf_counter()
                with app_process(port, app_command(port, script)) as proc:
                    if script == "serve.py":
                        wait_healthy(port, proc, timeout=300, path="/ready")
                        times.setdefault("ready_s", []).append(time.perf_counter() - spawned)
                    for visitor in ("first", "later"):
                        with chromium(pw) as context:
                            times.setdefault(f"{script}_{visitor}_s", []).append(
                                visit(context, f"http://127.0.0.1:{port}")
                            )
    return {name: statistics.median(v) for name, v in times.items()}


def _first_chart_server_up(pw, url: str, repeats: int) -> dict:
    """Navigation → map drawn and script idle, the server up and warm: in a new browser
    profile, and again in that browser (its HTTP cache holds plotly.js)."""
    from browser import IDLE, MAP, chromium

    times: dict[str, list[float]] = {"new_profile": [], "returning": []}
    for _ in range(repeats):
        with chromium(pw) as context:
            page = context.new_page()
            for kind in ("new_profile", "returning"):
                page.goto("about:blank")
                start = time.perf_counter()
                page.goto(url)
                page.locator(f"{MAP} .scatterlayer").first.wait_for(timeout=120_000)
                page.wait_for_selector(IDLE)
                times[kind].append(time.perf_counter() - start)
    return {f"first_chart_{k}_s": statistics.median(v) for k, v in times.items()}


def _fps(page, chart: str, seconds: float = 3.0) -> tuple[float, float]:
    """Frames per second the map plays after Play, from the times of its
    `plotly_animatingframe` events (one per drawn frame: the map's player, ``player.js``,
    emits it as plotly.js's animation does), the first 0.3 s left out (the animation has
    at most `MAX_FRAMES` frames, so it may end before ``seconds``); and the median script
    time of a frame (ms). Headless Chromium draws at most 60 frames/s, so the frame's
    time shows the headroom."""
    page.evaluate(
        """(chart) => { const gd = document.querySelector(chart), player = gd.optvizPlayer;
        window.__frames = []; window.__cost = [];
        gd.on('plotly_animatingframe', () => { window.__frames.push(performance.now()); });
        const draw = player.draw.bind(player);
        player.draw = (f) => { const t = performance.now(); draw(f); window.__cost.push(performance.now() - t); }; }""",
        chart,
    )
    page.get_by_text("▶ Play").first.click()
    page.wait_for_timeout(int(seconds * 1000))
    times, cost = page.evaluate("[window.__frames, window.__cost]")
    times = [t for t in times if t - times[0] > 300]
    return (len(times) - 1) / ((times[-1] - times[0]) / 1000), statistics.median(cost)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--first-visitor", action="store_true", help="only the first visitor against a later one")
    args = parser.parse_args()
    if args.first_visitor:
        f = first_visitors()
        print("first chart, new browser profile (medians)   first visitor   later visitor")
        for script, note in (("serve.py", "(visitor after /ready)"), ("app.py", "(no warm-up)")):
            first, later = f[f"{script}_first_s"], f[f"{script}_later_s"]
            print(f"  streamlit run {script:<9} {note:<22} {first:>9.2f} s {later:>12.2f} s")
        print(f"serve.py: start → /ready {f['ready_s']:.1f} s")
        print(json.dumps(f))
        return 0
    result = {"payload": payloads(), "server": reruns()}
    if not args.no_browser:
        result["browser"] = browser_figures()
        result["drag_fps"] = drag_browser(3)  # the drag-lr view (bench/drag.py)
    print(f"{'steps (6 runs)':>14} {'first message':>14} {'after lr change':>16} {'build ms':>9} {'encode ms':>10}")
    for steps, row in result["payload"].items():
        print(
            f"{steps:>14} {row['first_bytes']:>14,} {row['change_bytes']:>16,} {row['build_ms']:>9.1f} "
            f"{row['encode_ms']:>10.1f}"
        )
    server = result["server"]
    print(
        f"first AppTest run {server['first_run_s']:.2f} s; warm rerun after an lr change "
        f"{server['warm_rerun_ms']:.0f} ms (median); recompiles {server['recompiles_on_lr_change']}"
    )
    if "browser" in result:
        b = result["browser"]
        print(
            f"`streamlit run` to first chart (medians): {b['cold_start_first_s']:.1f} s first start (empty "
            f"compilation cache, new browser profile), {b['cold_start_restart_s']:.1f} s restart (new profile), "
            f"{b['cold_start_restart_returning_browser_s']:.1f} s restart with a returning browser"
        )
        print(
            f"first chart, server up: {b['first_chart_new_profile_s']:.2f} s new browser profile, "
            f"{b['first_chart_returning_s']:.2f} s returning browser (medians)"
        )
        print("lr slider key press → (ms, medians)   request  map message  map called  assembled  drawn  idle   bytes")
        for name in ("default", "6x2000"):
            c = b[f"change_{name}"]
            print(
                f"  {name:<34} {c['request']:>7.0f} {c['map_message']:>12.0f} {c['map_called']:>11.0f} "
                f"{c['assembled']:>10.0f} {c['drawn']:>6.0f} {c['idle']:>5.0f} {c['bytes']:>7,.0f}  "
                f"draws {c['draws_per_change']:.0f}, "
                f"element {'replaced' if c['replaced'] else 'kept'}"
            )
        print(
            f"playback {b['playback_fps_default']:.0f} frames/s (default page), "
            f"{b['playback_fps_6x2000']:.0f} frames/s (6 runs × 2,000 steps), headless Chromium (medians); "
            f"a frame's script {b['playback_frame_ms_default']:.2f} / {b['playback_frame_ms_6x2000']:.2f} ms"
        )
        for name, fps in result["drag_fps"].items():
            print(f"dragging the lr, {name}: {fps:.0f} frames/s (headless Chromium, median)")
    print(json.dumps(result))
    return 1 if server["recompiles_on_lr_change"] else 0


if __name__ == "__main__":
    sys.exit(main())
