"""Screenshots of the running app in headless Chromium, for the README.

    python scripts/screenshot.py [--out docs/screenshot.png] [--query "surface=beale&..."] [--play SECONDS]

Starts `streamlit run app.py` on a free loopback port, opens the page in Debian's
Chromium through Playwright, optionally presses Play, and saves a full-page PNG.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import ROOT, chromium, free_port, serve_app, wait_ready


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--query", default="")
    parser.add_argument("--play", type=float, default=0.0, help="press Play and wait this many seconds")
    args = parser.parse_args()
    with serve_app(free_port()) as url, sync_playwright() as pw, chromium(pw) as browser:
        page = browser.new_page()
        page.goto(f"{url}/?{args.query}" if args.query else url)
        wait_ready(page)
        if args.play:
            page.get_by_text("▶ Play").first.click()
            page.wait_for_timeout(int(args.play * 1000))
        page.screenshot(path=args.out, full_page=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
