"""The zoo view in headless Chromium: time from a change to every panel drawn.

    python bench/zoo.py [--rounds 3] [--link QUERY]

Serves this checkout's app (a fresh server process), opens ``LINK`` (the 2-D map) in a
fresh profile and times, from a click or input to the last panel image decoded and the
script idle:

- *first*: the first switch to the zoo on this surface (its kernels compiled, or loaded
  from JAX's persistent cache when an earlier process filled it);
- *start*: the start point's x box changed (a new race, the kernels kept);
- *parameter*: a surface parameter's box changed (a new race, the kernels kept);
- *family*: the race picker set to one family, or back to all.

Prints each kind's median over ``rounds`` and the panels' bytes, then one JSON document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from browser import IDLE, chromium, free_port, serve_app  # noqa: E402

from optviz.ui.zoo import family_label  # noqa: E402

DRAWN = """(before) => { const grid = document.querySelector('.zoo-grid');
  if (!grid || grid.outerHTML === before) return false;
  return [...grid.querySelectorAll('img')].every(img => img.complete && img.naturalWidth > 0); }"""


def grid(page) -> str:
    return page.evaluate("() => document.querySelector('.zoo-grid')?.outerHTML ?? ''")


def settle(page, before: str, timeout_ms: int = 180_000) -> float:
    """Wait for a new grid with every image decoded and the script idle; the time that took."""
    t = time.perf_counter()
    page.wait_for_function(DRAWN, arg=before, timeout=timeout_ms)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    return time.perf_counter() - t


def box(page, label: str):
    return page.locator("[data-testid='stNumberInput']").filter(has_text=label).locator("input").first


def type_into(page, label: str, value: str) -> float:
    before = grid(page)
    field = box(page, label)
    field.fill(value)
    field.press("Enter")
    return settle(page, before)


def pick_family(page, text: str) -> float:
    before = grid(page)
    page.locator("[data-testid='stSelectbox']").filter(has_text="race").click()
    page.get_by_role("option", name=text).click()
    return settle(page, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--link", default="surface=rosenbrock&steps=500")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"first": [], "start": [], "parameter": [], "family": []}
    with sync_playwright() as p, serve_app(free_port()) as base, chromium(p) as context:
        page = context.new_page()
        page.goto(f"{base}/?{args.link}")
        page.wait_for_selector(".st-key-map .js-plotly-plot .scatterlayer", timeout=180_000)
        page.wait_for_selector(IDLE, timeout=180_000)
        page.locator("[data-testid='stRadio']").get_by_text("Zoo", exact=True).click()
        out["first"].append(settle(page, ""))
        out["bytes"] = [len(grid(page).encode())]
        for k in range(args.rounds):
            out["start"].append(type_into(page, "start x", f"{-1.4 + 0.1 * k:.1f}"))
            out["parameter"].append(type_into(page, "b", f"{90 + 5 * k}"))
            out["family"] += [pick_family(page, family_label("adaptive")), pick_family(page, family_label(""))]
    for name, values in out.items():
        print(f"{name:10s} median {statistics.median(values):.3f}   all {', '.join(f'{v:.3f}' for v in values)}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
