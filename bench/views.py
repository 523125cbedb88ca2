"""View switches in headless Chromium: each view's first and later switch times and bytes,
and an lr change while the 3-D view is shown.

    python bench/views.py [--rounds 3] [--url http://127.0.0.1:PORT] [--link QUERY]

From the page opened at the link (the 2-D map), clicks each view of the picker in turn
(`optviz.view_kinds.VIEWS` order, the 2-D map last), ``rounds`` times. A switch's time runs from
the click to the page settled: the script idle and no DOM change for 300 ms (the time of
the last change counts). Its bytes are the websocket's, received from the click until
settled. *first* is round 1 (the 2-D map was shown at load: its round 1 is a return),
*later* the median of the other rounds. The 3-D view's first switch is also split where
its time goes (`STAGES`: the map message's arrival, the map's JS called, the figure
assembled, drawn). Then, in the 3-D view, `bench/latency.py`'s split of ArrowRight on run
1's lr slider. Without ``--url`` it serves this checkout's app.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from browser import IDLE, chromium, free_port, serve_app  # noqa: E402
from latency import INIT, change_split  # noqa: E402

from optviz.view_kinds import VIEWS  # noqa: E402

SCENE = ".st-key-surface3d .js-plotly-plot"
STAGES = ("message", "called", "assembled", "drawn")
WATCH = """() => { window.__last = performance.now();
  new MutationObserver(() => { window.__last = performance.now(); })
    .observe(document, { subtree: true, childList: true, attributes: true, characterData: true }); }"""
SETTLED = f"""() => document.querySelector("{IDLE}") !== null && performance.now() - window.__last >= 300"""


def switch(page, label: str) -> tuple[float, int, dict]:
    """Seconds from a click on the view ``label`` to the page settled, bytes received, and
    the ms from the click to each of `STAGES` (None where it did not happen: a view drawn
    as a whole figure marks nothing)."""
    radio = page.locator("[data-testid='stRadio']").get_by_text(label, exact=True)
    page.evaluate("() => { window.__ws = []; }")
    start = page.evaluate("() => performance.now()")
    radio.click()
    page.wait_for_timeout(50)
    page.wait_for_function(SETTLED, timeout=120_000, polling=50)
    last, received, stages = page.evaluate(
        """(start) => { const got = window.__ws.filter((m) => !m.out), map = got.find((m) => m.map);
        const mark = (name) => { const m = performance.getEntriesByName(name).filter((e) => e.startTime > start).pop();
            return m ? m.startTime - start : null; };
        return [window.__last, got.reduce((s, m) => s + m.bytes, 0), { message: map ? map.t - start : null,
            called: mark("optviz-map:received"), assembled: mark("optviz-map:assembled"),
            drawn: mark("optviz-map:drawn") }]; }""",
        start,
    )
    return (last - start) / 1000, received, stages


def switches(page, url: str, rounds: int) -> dict:
    """Per view: first and later (median) switch seconds and bytes."""
    page.add_init_script(INIT)
    page.goto(url)
    page.wait_for_selector(".st-key-map .js-plotly-plot[data-drawn]", timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.evaluate(WATCH)
    page.wait_for_timeout(1000)
    order = [*list(VIEWS)[1:], "2d"]
    times: dict[str, list[tuple[float, int, dict]]] = {name: [] for name in order}
    for _ in range(rounds):
        for name in order:
            times[name].append(switch(page, VIEWS[name].label))
    out = {}
    for name, rows in times.items():
        later = rows[1:] or rows
        out[name] = {
            "first_s": rows[0][0],
            "first_bytes": rows[0][1],
            "later_s": statistics.median(row[0] for row in later),
            "later_bytes": statistics.median(row[1] for row in later),
            "first_stages": rows[0][2],
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", help="a running app (default: serve this checkout's)")
    parser.add_argument("--link", default="", help="query string to open (default: the default link)")
    parser.add_argument("--no-lr", action="store_true", help="skip the lr change in the 3-D view")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        if args.url:
            result = _measure(pw, args.url, args)
        else:
            with serve_app(free_port()) as url:
                result = _measure(pw, url, args)
    print(f"{'view':<14} {'first s':>8} {'first KB':>9} {'later s':>8} {'later KB':>9}")
    for name, row in result["views"].items():
        print(
            f"{VIEWS[name].label:<14} {row['first_s']:>8.2f} {row['first_bytes'] / 1e3:>9.1f} "
            f"{row['later_s']:>8.2f} {row['later_bytes'] / 1e3:>9.1f}"
        )
    first = result["views"]["3d"]["first_stages"]
    if first["drawn"] is not None:
        print(
            "3-D view's first switch (ms from the click): its message arrives {message:.0f}, the map's JS "
            "called {called:.0f}, figure assembled {assembled:.0f} (gl3d bundle loaded and run), drawn "
            "{drawn:.0f} (the first WebGL surface)".format(**first)
        )
    if "lr_3d" in result:
        c = result["lr_3d"]
        print(
            f"lr change in the 3-D view (ms, medians): drawn {c['drawn']:.0f}, idle {c['idle']:.0f}, "
            f"{c['bytes'] / 1e3:.1f} KB, element {'replaced' if c['replaced'] else 'kept'}"
        )
    print(json.dumps(result))
    return 0


def _measure(pw, url: str, args) -> dict:
    link = f"{url}/?{args.link}" if args.link else url
    with chromium(pw) as context:
        result = {"views": switches(context.new_page(), link, args.rounds)}
    if not args.no_lr:
        sep = "&" if args.link else ""
        with chromium(pw) as context:
            result["lr_3d"] = change_split(context.new_page(), f"{url}/?{args.link}{sep}view=3d", chart=SCENE)
    return result


if __name__ == "__main__":
    sys.exit(main())
