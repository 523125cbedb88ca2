"""Screenshots of the running app in headless Chromium, for the README.

    python scripts/screenshot.py [--out docs/screenshot.png] [--query "surface=beale&..."] [--play SECONDS]

Starts `streamlit run app.py` on a free loopback port, opens the page in Debian's
Chromium through Playwright, optionally presses Play, and saves a full-page PNG.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(port: int):
    """`streamlit run app.py` on 127.0.0.1:port, yielded once /_stcore/health answers."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def wait_ready(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.get_by_test_id("stPlotlyChart").first.wait_for(timeout=timeout_ms)
    page.wait_for_timeout(500)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--query", default="")
    parser.add_argument("--play", type=float, default=0.0, help="press Play and wait this many seconds")
    args = parser.parse_args()
    with serve_app(free_port()) as url, sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        browser = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=FLAGS,
                                                        viewport={"width": 1500, "height": 1100})  # fmt: skip
        page = browser.new_page()
        page.goto(f"{url}/?{args.query}" if args.query else url)
        wait_ready(page)
        if args.play:
            page.get_by_text("▶ Play").first.click()
            page.wait_for_timeout(int(args.play * 1000))
        page.screenshot(path=args.out, full_page=True)
        browser.close()
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
