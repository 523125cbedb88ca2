"""Soak benchmark: the server's memory and CPU under worst-case links and many sessions.

    python bench/soak.py [--links 54] [--sessions 30] [--timeout 300]

Drives the real server (`streamlit run serve.py`) with headless Chromium:

1. one browser session opens ``--links`` distinct worst-case links in a row (8 runs;
   clouds of 256 starts at the row budget's step count, 10,000 steps with the starts the
   budget allows, custom formulas, LR sweeps and basin maps);
2. ``--sessions`` sessions open ``--sessions`` more such links at once;
3. capacity: ``--sessions`` new sessions open one shared link, then one session changes
   a learning rate 10 times.

Prints the server's peak resident memory (the kernel's high-water mark, VmHWM) after each
phase, per-page times (medians), server CPU seconds per new session and per change (from
/proc, the server process only), and how many sessions one core serves; then one JSON
document. Exits non-zero if a page showed an error box or did not draw in time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from optviz import Scenario  # noqa: E402
from optviz.scenario import MAX_RECORDED_ROWS, MAX_RUNS, MAX_STEPS  # noqa: E402
from optviz.starts import MAX_CLOUD  # noqa: E402

EIGHT = (
    "sgd:lr={lr}",
    "momentum:lr=0.001",
    "nesterov:lr=0.002",
    "adagrad:lr=0.1",
    "rmsprop:lr=0.01",
    "adam:lr=0.02",
    "lion:lr=0.001",
    "nadam:lr=0.01",
)
SURFACES = (
    "rosenbrock",
    "himmelblau",
    "beale",
    "rastrigin",
    "six_hump_camel",
    "ackley",
    "booth",
    "saddle",
    "quadratic:kappa=100",
    "noisy_quadratic:sigma=1",
    "monkey_saddle",
)
FORMULAS = (
    "(1-x)**2 + 100*(y-x**2)**2",
    "x**2 + {k}*sin(y)**2 + 0.1*y**2",
    "sin(x)*cos(y) + 0.05*(x**2+y**2)",
    "log(1 + x**2 + {k}*y**2)",
    "abs(x) + {k}*abs(y)",
    "x**4 - {k}*x**2 + y**2",
)
CLOUD_STEPS = MAX_RECORDED_ROWS // (MAX_RUNS * MAX_CLOUD) - 1  # 487: 8 runs × 256 starts fill the row budget
LONG_STARTS = MAX_RECORDED_ROWS // (MAX_RUNS * (MAX_STEPS + 1))  # 12 starts × 10,000 steps fill it too
# An error box, or Streamlit's dialog for a script that could not run (the page is then empty).
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError'], [role='dialog']"
DRAWN = "[data-testid='stMain'] .js-plotly-plot .main-svg"
SETTLED = f"{DRAWN}, {ERRORS}"  # drawn, or shown why not: no need to wait out the timeout
# The script has ended: done, or stopped by an error in compiling it (its dialog is then shown).
ENDED = ", ".join(f"[data-testid='stApp'][data-test-script-state='{s}']" for s in ("notRunning", "compilationError"))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def heavy_links(count: int) -> list[str]:
    """``count`` distinct worst-case view links (canonical queries), the kinds interleaved
    so that any prefix holds all of them. Every link asks for 8 runs; the first run's lr
    differs from link to link, so no two share a cached result."""
    kinds = (_cloud, _long, _custom, _sweep, _basins)
    return [kinds[i % len(kinds)](i) for i in range(count)]


def _runs(i: int) -> str:
    return "&".join(f"opt={o.format(lr=f'{0.001 * (1 + i / 100):.6g}')}" for o in EIGHT)


def _canonical(query: str, view: str = "") -> str:
    scenario, warnings = Scenario.from_query(query)
    assert not warnings, warnings  # every link is within bounds, so it is opened as written
    return scenario.to_query() + view


def _cloud(i: int) -> str:
    surface, cloud = SURFACES[i % len(SURFACES)], ("ring", "grid", "random")[i % 3]
    return _canonical(f"surface={surface}&{_runs(i)}&steps={CLOUD_STEPS}&cloud={cloud}:n={MAX_CLOUD},r=0.2")


def _long(i: int) -> str:
    surface = SURFACES[i % len(SURFACES)]
    return _canonical(f"surface={surface}&{_runs(i)}&steps={MAX_STEPS}&cloud=ring:n={LONG_STARTS},r=0.1")


def _custom(i: int) -> str:
    formula = FORMULAS[i % len(FORMULAS)].format(k=2 + i % 7)
    f = formula.replace("+", "%2B")
    return _canonical(
        f"surface=custom&f={f}&domain=-3,3,-3,3&start=-2,2&{_runs(i)}&steps={CLOUD_STEPS}"
        f"&cloud=random:n={MAX_CLOUD},r=0.3"
    )


def _sweep(i: int) -> str:
    surface = SURFACES[i % len(SURFACES)]
    return _canonical(f"surface={surface}&{_runs(i)}&steps=2000", "&view=sweep&sweep=-5,1")


def _basins(i: int) -> str:
    surface = SURFACES[i % len(SURFACES)]
    return _canonical(f"surface={surface}&{_runs(i)}&steps=1000", f"&view=basins&run={i % MAX_RUNS}")


@dataclass
class Server:
    """Resident memory and CPU time of one process, read from /proc."""

    pid: int

    def _status(self, field: str) -> int:
        line = next(r for r in Path(f"/proc/{self.pid}/status").read_text().splitlines() if r.startswith(field))
        return int(line.split()[1]) * 1024

    def rss(self) -> int:
        return self._status("VmRSS:")

    def peak_rss(self) -> int:
        """The kernel's high-water mark of the resident set (VmHWM): no sample can miss it."""
        return self._status("VmHWM:")

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def settled(page) -> bool:
    """The script has finished and a chart is drawn in the main area, or an error is shown."""
    return page.evaluate(
        """([settled, ended]) => document.querySelector(ended) !== null && document.querySelector(settled) !== null""",
        [SETTLED, ENDED],
    )


def error_boxes(page) -> list[str]:
    return page.locator(ERRORS).all_inner_texts()


def open_in_turn(page, base: str, links: list[str], timeout_s: float) -> Iterator[tuple[str, float]]:
    """Open each link in ``page`` in turn; yield (link, seconds until drawn or an error shown)."""
    for link in links:
        started = time.perf_counter()
        page.goto(f"{base}/?{link}")
        page.wait_for_selector(SETTLED, timeout=timeout_s * 1000)
        page.wait_for_selector(ENDED, timeout=timeout_s * 1000)
        yield link, time.perf_counter() - started


def open_together(context, base: str, links: list[str], timeout_s: float) -> tuple[list, float]:
    """Open every link in its own page at once; return the pages and the seconds until
    all are drawn or show an error (raises if that takes more than ``timeout_s``)."""
    started = time.perf_counter()
    pages = []
    for link in links:
        page = context.new_page()
        page.goto(f"{base}/?{link}", wait_until="commit")
        pages.append(page)
    waiting = list(pages)
    while waiting:
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError(f"{len(waiting)} of {len(pages)} pages not drawn after {timeout_s:.0f} s")
        waiting = [p for p in waiting if not settled(p)]
        time.sleep(0.25)
    return pages, time.perf_counter() - started


def change_lr(page, values: list[float], timeout_s: float) -> list[float]:
    """Type each value into the first run's lr box; seconds until the URL and chart follow."""
    times = []
    for value in values:
        box = page.locator("[class*=st-key-run0-sgd-lr-box] input").first  # the box is redrawn under a new key
        started = time.perf_counter()
        box.fill(f"{value:g}")
        box.press("Enter")
        page.wait_for_function(
            "(v) => decodeURIComponent(location.search).includes('opt=sgd:lr=' + v + '&')",
            arg=f"{value:g}",
            timeout=timeout_s * 1000,
        )
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_s * 1000)
        times.append(time.perf_counter() - started)
    return times


def soak(base: str, server: Server, context, links: int, sessions: int, timeout_s: float = 300) -> dict:
    """The three phases; returns what was measured (see the module docstring)."""
    out: dict = {"links": links, "sessions": sessions, "errors": []}
    every = heavy_links(links + sessions)
    page = context.new_page()
    seconds = []
    for link, took in open_in_turn(page, base, every[:links], timeout_s):
        seconds.append(took)
        out["errors"] += [f"{link}: {e}" for e in error_boxes(page)]
    out |= {
        "page_s_median": statistics.median(seconds),
        "page_s_max": max(seconds),
        "peak_rss_after_links": server.peak_rss(),
        "rss_after_links": server.rss(),
    }
    page.close()

    pages, took = open_together(context, base, every[links:], timeout_s)
    out["errors"] += [e for p in pages for e in error_boxes(p)]
    out |= {
        "concurrent_heavy_s": took,
        "peak_rss_after_concurrent": server.peak_rss(),
        "rss_after_concurrent": server.rss(),
    }
    for p in pages:
        p.close()

    first = context.new_page()
    cpu = server.cpu()
    list(open_in_turn(first, base, [""], timeout_s))
    out["cpu_s_first_session"] = server.cpu() - cpu
    cpu = server.cpu()
    pages, took = open_together(context, base, [""] * sessions, timeout_s)
    out |= {"cpu_s_per_new_session": (server.cpu() - cpu) / sessions, "concurrent_light_s": took}
    out["errors"] += [e for p in pages for e in error_boxes(p)]
    for p in pages:
        p.close()
    values = [0.001 * (1 + k / 10) for k in range(1, 11)]
    cpu = server.cpu()
    times = change_lr(first, values, timeout_s)
    out |= {"cpu_s_per_change": (server.cpu() - cpu) / len(values), "change_s_median": statistics.median(times)}
    out["errors"] += error_boxes(first)
    out["peak_rss"] = server.peak_rss()
    return out


def report(out: dict) -> str:
    mb = 1 / 2**20
    per_change, per_session = out["cpu_s_per_change"], out["cpu_s_per_new_session"]
    return "\n".join(
        [
            f"{out['links']} worst-case links in a row: page drawn in {out['page_s_median']:.1f} s median "
            f"(max {out['page_s_max']:.1f} s); server RSS peak {out['peak_rss_after_links'] * mb:.0f} MB, "
            f"{out['rss_after_links'] * mb:.0f} MB after",
            f"{out['sessions']} sessions opening {out['sessions']} more at once: all drawn in "
            f"{out['concurrent_heavy_s']:.0f} s; RSS peak {out['peak_rss_after_concurrent'] * mb:.0f} MB, "
            f"{out['rss_after_concurrent'] * mb:.0f} MB after",
            f"server CPU: {out['cpu_s_first_session']:.2f} s first session of a link, {per_session:.3f} s per new "
            f"session of a cached link ({out['sessions']} at once, drawn in {out['concurrent_light_s']:.1f} s), "
            f"{per_change:.3f} s per lr change (drawn in {out['change_s_median']:.2f} s median)",
            f"one core serves {1 / per_session:.0f} new sessions/s, or {1 / per_change:.0f} changes/s: "
            f"~{10 / per_change:.0f} sessions changing something every 10 s",
            f"peak RSS overall {out['peak_rss'] * mb:.0f} MB; error boxes: {len(out['errors'])}",
        ]
    )


def main() -> int:
    from browser import app_process, chromium, free_port
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=54)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=300, help="seconds a page (or a phase's pages) may take")
    args = parser.parse_args()
    port = free_port()
    with app_process(port) as proc, sync_playwright() as pw, chromium(pw) as context:
        out = soak(f"http://127.0.0.1:{port}", Server(proc.pid), context, args.links, args.sessions, args.timeout)
    print(report(out))
    print(json.dumps(out))
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
