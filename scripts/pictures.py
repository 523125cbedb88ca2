"""Every picture the README and docs/ show, taken from the running app:

    python scripts/pictures.py [NAME ...]      # all of them, or those named (e.g. sweep.png)

Starts `streamlit run serve.py` on a free loopback port, opens each picture's fixed link in a
fresh headless Chromium (Debian's /usr/bin/chromium) at a fixed size, waits until the page
has finished and its charts are drawn, and writes ``docs/<name>``. Look at each one after:
a picture is a claim about what a person sees.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from browser import IDLE, chromium, free_port, serve_app  # noqa: E402

from optviz.presets import PRESETS  # noqa: E402

EIGHT = "&".join(
    f"opt={o}"
    for o in (
        "sgd:lr=0.001",
        "momentum:lr=0.001",
        "adam:lr=0.05",
        "nesterov:lr=0.001",
        "rmsprop:lr=0.01",
        "adagrad:lr=0.1",
        "adamw:lr=0.05",
        "sgd:lr=0.0005",
    )
)
LAPTOP, PROJECTOR, PHONE = (1500, 1100), (1280, 720), (390, 844)


@dataclass(frozen=True)
class Picture:
    name: str
    link: str
    size: tuple[int, int]
    chart: str = ".st-key-map .js-plotly-plot .scatterlayer"  # drawn before the picture is taken
    full_page: bool = False
    text: str = ""  # shown before the picture is taken (a claim's verdict)


PICTURES = (
    Picture("screenshot.png", "frame=200", LAPTOP),
    Picture(
        "sweep.png",
        "surface=quadratic:kappa=10,h=1&opt=sgd:lr=0.3&opt=momentum:lr=0.1&opt=adam:lr=0.1&steps=200&view=sweep",
        LAPTOP,
        chart=".st-key-sweep_chart .js-plotly-plot .scatterlayer",
    ),
    Picture(
        "basins.png",
        "surface=himmelblau&opt=sgd:lr=0.01&steps=500&view=basins",
        LAPTOP,
        chart=".st-key-basins_chart .js-plotly-plot .imagelayer image",
    ),
    Picture("zoo.png", "view=zoo", LAPTOP, chart=".zoo-grid img"),
    Picture("zoo-phone.png", "view=zoo&zoo=adaptive", PHONE, chart=".zoo-grid img"),
    Picture("preset.png", PRESETS["edge-of-stability"].link, LAPTOP, text="✓ Holds"),
    Picture("projector.png", f"{EIGHT}&present=1", PROJECTOR),
    Picture("phone.png", "frame=200", (390, 1310)),
    Picture("gallery.png", "page=gallery", (1200, 1100), chart="[data-testid='stImage'] img"),
    Picture("lesson.png", "lesson=optimizers&step=7", PROJECTOR, text="✓ Holds"),
    Picture("lesson-projector.png", "lesson=optimizers&step=6&present=1", PROJECTOR),
    Picture("lesson-phone.png", "lesson=optimizers&step=7", PHONE, text="✓ Holds"),
)


def take(playwright, url: str, picture: Picture) -> Path:
    """Open the picture's link at its size and write the screenshot to docs/."""
    with chromium(playwright, picture.size) as context:
        page = context.new_page()
        page.goto(f"{url}/?{picture.link}")
        page.wait_for_selector(IDLE, timeout=180_000)
        page.locator(picture.chart).first.wait_for(timeout=180_000)
        if picture.text:
            page.get_by_text(picture.text).first.wait_for(timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        page.wait_for_function("() => [...document.images].every((i) => i.complete)", timeout=60_000)
        page.wait_for_timeout(1000)  # images decoded, plotly.js's last layout pass done
        out = ROOT / "docs" / picture.name
        page.screenshot(path=out, full_page=picture.full_page)
        return out


def main(names: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    chosen = [p for p in PICTURES if not names or p.name in names]
    unknown = set(names) - {p.name for p in PICTURES}
    if unknown:
        known = ", ".join(p.name for p in PICTURES)
        raise SystemExit(f"no such picture: {', '.join(sorted(unknown))} (known: {known})")
    with serve_app(free_port()) as url, sync_playwright() as playwright:
        for picture in chosen:
            print(take(playwright, url, picture).relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
