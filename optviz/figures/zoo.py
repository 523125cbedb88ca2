"""The zoo's small multiples: one picture per raced optimizer, in rank order.

Each panel is drawn here (Pillow) on the surface's greyscale map (`map_image`): the
optimizer's path at its chosen lr from the race's start (○) to its end (×) and the known
minima (◆), in its family's colour. The panels sit in one HTML grid that wraps to the
screen's width (six a row on a laptop, two on a phone), each a link that opens its run
in the explorer, with its rank, name, lr and final loss under it. One element of small
WebP images: no chart per panel for the browser to lay out.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math

import numpy as np
from PIL import Image, ImageDraw

from optviz.figures.map_image import map_image
from optviz.figures.style import COLORS
from optviz.optimizers import FAMILY_KEYS
from optviz.scenario import Scenario
from optviz.zoo import Zoo, ZooEntry
from surfaces.core import Surface

PANEL = 160  # px, a panel's side as shown
SCALE = 2  # drawn at twice the size and shrunk, so lines are smooth
PATH_POINTS = 400  # a panel's path is thinned to about this many points
MINIMUM = "#FFD700"


def thinned(path: np.ndarray, points: int = PATH_POINTS) -> np.ndarray:
    """Every k-th row of ``path`` (its last row kept), so that a panel draws ≤ ``points`` + 1."""
    stride = max(1, math.ceil(len(path) / points))
    return path if stride == 1 else np.concatenate([path[::stride], path[-1:]])


# The families' colours: the palette without its yellow, which a path on the light map
# hides, and with Tol's wine and teal for an eighth and a ninth family.
FAMILY_PALETTE = (*(c for c in COLORS if c != "#F0E442"), "#882255", "#44AA99")


def family_colors() -> dict[str, str]:
    """Family menu title → its panels' colour (the menu's family order)."""
    return {title: FAMILY_PALETTE[k % len(FAMILY_PALETTE)] for k, title in enumerate(FAMILY_KEYS.values())}


def family_color(e: ZooEntry) -> str:
    """The colour of the entry's family; grey for an entry outside the family modules."""
    return family_colors().get(e.family, "#777777")


@functools.lru_cache(maxsize=8)
def _background(surface: Surface, params: tuple) -> Image.Image:
    """The map at a panel's drawing size, the same for every panel of a race."""
    side = PANEL * SCALE
    return map_image(surface, params)[0].resize((side, side)).convert("RGB")


def panel_image(scenario: Scenario, e: ZooEntry) -> Image.Image:
    """One entry's panel: the map, the known minima, its path, its start and end."""
    surface, params = scenario.surface_def, tuple(scenario.surface_params)
    (x0, x1), (y0, y1) = surface.domain
    side = PANEL * SCALE
    image = _background(surface, params).copy()
    draw = ImageDraw.Draw(image)

    def pixels(points: np.ndarray) -> list[tuple[float, float]]:
        col = (points[:, 0] - x0) / (x1 - x0) * side
        row = (y1 - points[:, 1]) / (y1 - y0) * side
        return [tuple(p) for p in np.clip(np.column_stack([col, row]), -10 * side, 10 * side)]

    for m in surface.minima(dict(params)):
        (x, y), r = pixels(np.array([[m.x, m.y]]))[0], 5 * SCALE
        draw.regular_polygon((x, y, r), 4, rotation=45, fill=MINIMUM, outline="black")
    color = family_color(e)
    path = pixels(thinned(e.path))
    if len(path) > 1:
        draw.line(path, fill=color, width=2 * SCALE, joint="curve")
    (sx, sy), (ex, ey), r = path[0], path[-1], 4 * SCALE
    draw.ellipse((sx - r, sy - r, sx + r, sy + r), outline=color, width=SCALE + 1, fill="white")
    draw.line((ex - r, ey - r, ex + r, ey + r), fill="black", width=SCALE + 2)
    draw.line((ex - r, ey + r, ex + r, ey - r), fill="black", width=SCALE + 2)
    draw.rectangle((0, 0, side - 1, side - 1), outline="#888888", width=SCALE)
    return image.resize((PANEL, PANEL), Image.Resampling.LANCZOS)


def data_uri(image: Image.Image) -> str:
    """A panel as a WebP data URI (lossy: ~4–9 KB against ~25 KB as PNG)."""
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=80, method=4)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def caption(e: ZooEntry) -> str:
    """The panel's second line: its lr and final loss (or that it diverged at every lr)."""
    return "diverged at every lr" if e.lr is None else f"lr {e.lr:.3g} · f {e.final_loss:.3g}"


def alt_text(e: ZooEntry) -> str:
    """What the panel shows, for a screen reader."""
    (sx, sy), (ex, ey) = e.path[0], e.path[-1]
    return f"{e.title}, {caption(e)}: path from ({sx:.3g}, {sy:.3g}) to ({ex:.3g}, {ey:.3g})"


def zoo_html(scenario: Scenario, race: Zoo) -> str:
    """The race's panels as one HTML grid, rank order; every text escaped."""
    cells = []
    for k, e in enumerate(race.entries):
        cells.append(
            f'<figure style="margin:0;text-align:center">'
            f'<a href="?{html.escape(e.link)}" title="Open {html.escape(e.title)} in the explorer">'
            f'<img src="{data_uri(panel_image(scenario, e))}" alt="{html.escape(alt_text(e))}" '
            f'style="width:100%;max-width:{PANEL * 1.25:.0f}px;aspect-ratio:1;display:block;margin:auto"></a>'
            f'<figcaption style="font-size:0.8rem;line-height:1.25">'
            f"<b>{k + 1}. {html.escape(e.title)}</b><br>{html.escape(caption(e))}</figcaption></figure>"
        )
    grid = "display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px 10px"
    return f'{legend(race)}<div class="zoo-grid" style="{grid}">{"".join(cells)}</div>'


def legend(race: Zoo) -> str:
    """A swatch per family in the race, in its panels' colour."""
    shown = dict.fromkeys(e.family for e in race.entries)
    swatch = "display:inline-block;width:0.8em;height:0.8em;margin:0 0.3em 0 0.9em;vertical-align:-0.05em"
    items = [
        f'<span style="{swatch};background:{color}"></span>{html.escape(title)}'
        for title, color in family_colors().items()
        if title in shown
    ]
    return f'<p style="font-size:0.85rem;margin:0 0 0.5rem">Colour by family:{"".join(items)}</p>'
