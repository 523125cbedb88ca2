"""Server CPU per lr change on one page, with and without Streamlit's garbage collection after
each script run.

    python bench/server_cpu.py [--rounds 3] [--changes 15] [--link QUERY]

Serves this checkout's app (`streamlit run serve.py`, after its warm-up), opens ``LINK`` in a
fresh headless Chromium profile, types five warm-up values into run 1's lr box, then
``rounds`` × ``changes`` more, each until the link and the page follow, and reads the server
process's CPU seconds (user + system, from /proc) around each round. It does this twice,
alternating: as configured (``runner.postScriptGC = false`` in ``.streamlit/config.toml``: no
full ``gc.collect()`` after each script run) and with Streamlit's default
(``--runner.postScriptGC true``), and prints each round's CPU per change and the medians. One
page only: `bench/soak.py` measures the same after many heavy pages and sessions, where a full
collection walks many more objects.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from browser import IDLE, app_command, app_process, free_port, fresh_context, headless, wait_healthy  # noqa: E402
from soak import Server, change_lr  # noqa: E402


def per_change(browser, link: str, extra: list[str], rounds: int, changes: int) -> list[float]:
    """Server CPU seconds per lr change, one figure per round."""
    port = free_port()
    with app_process(port, app_command(port) + extra) as proc, fresh_context(browser) as context:
        wait_healthy(port, proc, timeout=300, path="/ready")
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/?{link}")
        page.wait_for_selector(IDLE, timeout=120_000)
        server = Server(proc.pid)
        change_lr(page, [0.001 * (1 + k / 50) for k in range(5)], 60)  # warm-up
        out = []
        for r in range(rounds):
            before = server.cpu()
            change_lr(page, [0.001 * (1 + (10 + r * changes + k) / 100) for k in range(changes)], 60)
            out.append((server.cpu() - before) / changes)
        return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changes", type=int, default=15)
    parser.add_argument("--link", default="", help="the page's query (default: the default link)")
    args = parser.parse_args()
    kinds = {"as configured": [], "full gc after each run": ["--runner.postScriptGC", "true"]}
    results: dict[str, list[float]] = {kind: [] for kind in kinds}
    with sync_playwright() as pw, headless(pw) as browser:
        for _ in range(2):  # alternating, so both see the same machine
            for kind, extra in kinds.items():
                results[kind] += per_change(browser, args.link, extra, args.rounds, args.changes)
    for kind, values in results.items():
        rounds = ", ".join(f"{v * 1000:.0f}" for v in values)
        print(f"{kind:<22} server CPU per lr change: median {statistics.median(values) * 1000:.0f} ms ({rounds})")
    print(json.dumps({kind: statistics.median(v) for kind, v in results.items()}))


if __name__ == "__main__":
    main()
