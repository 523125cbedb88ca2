"""Where the map's pieces go, computed in pixels so that nothing overlaps: the title,
the subplots, the legend, Play/Pause and the scrubber.

Two layouts: *wide* (the map left, the loss and lr panels right) and *narrow*, for
maps narrower than `Size.wide_min` pixels (phones: map, loss and lr panels stacked),
which the browser picks by the map's width; and two sizes of text, lines and markers:
`NORMAL`, and `PRESENT` for a projector at 1280×720 (the sidebar closed).

plotly.js places the legend, the buttons and the scrubber in fractions of the plot
area's height below it; they stay apart when that height is fixed (`Size.plot`, or the
narrow stack's `_NARROW_PLOT`) and the margins hold them all. The legend's entries get
equal widths (a fraction of the plot width, `per_row` to a row, chosen so that the
longest name fits at the narrowest width of each layout), so its rows are known here
rather than found by plotly.js, and the margin below grows by one row height per row.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from optviz.literal import clip, plotly_text

_NARROW_MIN = 300  # px: the narrowest map the narrow layout is drawn at
_MARGIN = {"l": 60, "r": 20}
_CHAR = 0.62  # a wide character's width in a font's size (Open Sans, digits and 'm')


@dataclass(frozen=True)
class Size:
    """Text, line and marker sizes (px), the wide layout's plot-area height, and the
    narrowest map (px) drawn in the wide layout (map.js draws narrower ones narrow)."""

    font: int = 12
    title: int = 14
    path: float = 1.5  # full paths and panel curves
    head: int = 11
    tail: int = 4
    plot: int = 480
    wide_min: int = 700


NORMAL = Size()
PRESENT = Size(font=16, title=19, path=3.0, head=17, tail=6, plot=300, wide_min=1000)

# The narrow stack, top to bottom (px): the map, its x axis, the loss panel, a gap, the
# lr panel. Domains are fractions of the plot area, from its bottom.
_MAP_H, _MAP_AXIS, _PANEL_H, _GAP = 320, 66, 150, 24
_NARROW_PLOT = _MAP_H + _MAP_AXIS + 2 * _PANEL_H + _GAP


def narrow_domain(bottom_px: float, height_px: float) -> list[float]:
    """A subplot's domain in the narrow stack, from its bottom and height in px."""
    return [bottom_px / _NARROW_PLOT, (bottom_px + height_px) / _NARROW_PLOT]


NARROW_DOMAINS = {
    "xaxis": {"domain": [0.0, 0.8]},
    "yaxis": {"domain": narrow_domain(_NARROW_PLOT - _MAP_H, _MAP_H)},
    "xaxis2": {"domain": [0.0, 1.0]},
    "yaxis2": {"domain": narrow_domain(_PANEL_H + _GAP, _PANEL_H)},
    "xaxis3": {"domain": [0.0, 1.0]},
    "yaxis3": {"domain": narrow_domain(0, _PANEL_H)},
}


def colorbars(label: str, size: Size) -> tuple[dict, dict]:
    """The colour bar beside the map: wide (between map and panels), narrow (at the map's
    right, as tall as the map)."""
    common = {
        "title": {"text": label, "side": "right", "font": {"size": size.font}},
        "tickfont": {"size": size.font},
        "thickness": 10,
    }
    low, high = NARROW_DOMAINS["yaxis"]["domain"]
    return (
        common | {"x": 0.56, "len": 0.9},
        common | {"x": 0.83, "y": (low + high) / 2, "yanchor": "middle", "len": high - low},
    )


def title_lines(title: str, note: str, size: Size, *, narrow: bool) -> list[str]:
    """The map's title (the surface and its teaching note), wrapped to the narrowest
    width of the layout: plotly.js does not wrap text. At most 4 lines."""
    width = (_NARROW_MIN if narrow else size.wide_min) - _MARGIN["l"] - _MARGIN["r"]
    per_line = max(20, int(width / (0.5 * size.title)))  # 0.47 em a character, measured
    lines = textwrap.wrap(f"{title}: {clip(note, 160)}", per_line)
    return lines[:3] + ([clip(" ".join(lines[3:]), per_line)] if len(lines) > 3 else [])


def title(title: str, note: str, size: Size, *, narrow: bool) -> dict:
    """The layout's title: its lines as Plotly text (escaped), at the top left."""
    text = "<br>".join(plotly_text(line) for line in title_lines(title, note, size, narrow=narrow))
    # yanchor "top" puts the first line 5 px above the container's top: pad 14 px.
    return {
        "text": text,
        "font": {"size": size.title},
        "x": 0.01,
        "xanchor": "left",
        "yref": "container",
        "y": 1.0,
        "yanchor": "top",
        "pad": {"t": 14},
    }


def per_row(entries: Sequence[str], size: Size, *, narrow: bool) -> int:
    """Legend entries to a row: as many of the longest as fit at the layout's narrowest
    plot width (a symbol of 40 px, then the text)."""
    width = (_NARROW_MIN if narrow else size.wide_min) - _MARGIN["l"] - _MARGIN["r"]
    longest = 40 + _CHAR * size.font * max((len(e) for e in entries), default=1)
    return max(1, min(len(entries), int(width // longest)))


def placement(entries: Sequence[str], title_rows: tuple[int, int], size: Size) -> tuple[dict, dict]:
    """Height, margins, legend, buttons and scrubber for the wide and the narrow layout
    (the narrow one with the subplot domains), given the legend's entries and the number
    of title lines in each layout."""
    return tuple(_placed(entries, rows, size, narrow) for rows, narrow in zip(title_rows, (False, True), strict=True))


def _placed(entries: Sequence[str], title_rows: int, size: Size, narrow: bool) -> dict:
    plot = _NARROW_PLOT if narrow else size.plot
    row = math.ceil(1.4 * size.font + 12)  # an entry's height and the gap between rows (29 px at 12 px)
    top = 16 + title_rows * (size.title + 6)
    axis = round(2.4 * size.font + 30)  # tick labels and the axis title below the plot (59 px at 12 px)
    n = per_row(entries, size, narrow=narrow)
    legend_h = math.ceil(len(entries) / n) * row
    buttons_h, slider_h = size.font + 22, 3 * size.font + 34
    controls = axis + legend_h + 8  # from the plot's bottom to the buttons' top
    slider_top = controls + (buttons_h + 6 if narrow else 0)
    # wide: the scrubber right of the four buttons (21 font sizes wide) at the narrowest plot
    slider_x = 0 if narrow else (21 * size.font + 16) / (size.wide_min - _MARGIN["l"] - _MARGIN["r"])
    bottom = slider_top + slider_h + 4
    layout = {
        "height": top + plot + bottom,
        "margin": _MARGIN | {"t": top, "b": bottom},
        "font": {"size": size.font},
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -axis / plot,
            "yanchor": "top",
            "entrywidthmode": "fraction",
            "entrywidth": 1 / n - 0.01,
            "font": {"size": size.font},
        },
        "updatemenus": [{"x": 0, "y": -controls / plot, "font": {"size": size.font}}],
        "sliders": [{"x": slider_x, "len": 1 - slider_x, "y": -slider_top / plot, "font": {"size": size.font}}],
    }
    return layout | (NARROW_DOMAINS if narrow else {})


def merged(base: dict, over: dict) -> dict:
    """``over`` laid on ``base`` one level deep: a dict value updates base's dict, a list
    of dicts updates base's list item by item. Mirrored by ``merged`` in ``map.js``."""
    out = dict(base)
    for key, value in over.items():
        was = base.get(key)
        if isinstance(value, list) and isinstance(was, list):
            out[key] = [w | v for w, v in zip(was, value, strict=True)]
        elif isinstance(value, dict) and isinstance(was, dict):
            out[key] = was | value
        else:
            out[key] = value
    return out
