"""The animated 2-D map as one Plotly figure dict: `assemble` joins the parts that
`optviz.figures.trajectory` builds, with the frames that plotly.js plays. The browser's
map component (``optviz/map/map.js``) joins them the same way."""

from __future__ import annotations

import numpy as np

from optviz.engine import Result
from optviz.figures.frames import frame_step
from optviz.figures.map_layout import NORMAL, Size, merged
from optviz.figures.movers import tails
from optviz.figures.style import xy
from optviz.figures.trajectory import MapParts, map_parts


def assemble(parts: MapParts, frame: int = 0, *, narrow: bool = False) -> dict:
    """One Plotly figure dict from the parts, opening at step ``frame`` (snapped by
    `frame_step`), in the wide layout or, with ``narrow``, the narrow one (the surface's
    and the axes' ``narrow`` laid over it by `merged`). Trace order: the surface's still
    traces, each run's still traces, then the movers. Frames name only the movers, plus
    the still traces to redraw unchanged ({}): plotly.js recomputes every trace on each
    frame but redraws only the frame's, and a trace it did not redraw has lost its
    drawing handle (the next click on its subplot threw inside plotly.js). So every
    frame redraws the map's still traces (Pause may stop on any frame) and the
    scrubber's frames redraw all; full paths of more than `PATH_REDRAW` points (big
    clouds) wait for the scrubber's frames (256 starts: 21 -> 30 frames/s; there a click
    right after Pause is lost). Mirrored by ``map.js``."""
    anim, axes = parts.anim, parts.axes
    steps, stops = anim["steps"], anim["stops"]
    shown = frame_step(steps[-1], frame)
    at = steps.index(shown)
    ks = np.array(steps)
    runs = [run | {"moving": run["moving"] | {"tail": tails(run["paths"], ks, run["tail"])}} for run in parts.runs]
    blocks = [*runs, axes]
    data = list(parts.surface["traces"])
    on_map = list(range(len(data)))
    for run in runs:
        for trace in run["traces"]:
            if trace["xaxis"] == "x" and axes["redraw_paths"]:
                on_map.append(len(data))
            data.append(trace)
    panels = [i for i in range(len(data)) if i not in on_map]
    moves = list(range(len(data), len(data) + len(anim["movers"])))
    points = [[b["moving"][m["name"]] for b in blocks if m["name"] in b["moving"]] for m in anim["movers"]]
    for mover, arrays in zip(anim["movers"], points, strict=True):
        trace = mover["trace"] | xy(np.concatenate([a[at] for a in arrays]))
        if mover["by_run"]:
            colors = [c for run in runs for c in [run["color"]] * run["moving"][mover["name"]].shape[1]]
            trace["marker"] = trace["marker"] | {"color": colors}
        data.append(trace)
    frames, scrubber = [], set(stops)
    for f, k in enumerate(steps):
        still = on_map + (panels if k in scrubber else [])
        frames.append(
            {
                "name": str(k),
                "traces": moves + still,
                "data": [xy(np.concatenate([a[f] for a in arrays])) for arrays in points] + [{}] * len(still),
            }
        )
    layout = merged(parts.surface["layout"] | anim["layout"], axes["layout"])
    if narrow:
        layout = merged(merged(layout, parts.surface["narrow"]), axes["narrow"])
    layout["sliders"] = [layout["sliders"][0] | {"active": stops.index(shown)}]
    return {"data": data, "layout": layout, "frames": frames}


def trajectory_figure(
    result: Result,
    *,
    arrows: bool = False,
    velocity=None,
    frame: int = 0,
    narrow: bool = False,
    size: Size = NORMAL,
    theory: bool = False,
) -> dict:
    """The animated map as one Plotly figure dict (`map_parts` then `assemble`)."""
    parts = map_parts(result, arrows=arrows, velocity=velocity, size=size, theory=theory)
    return assemble(parts, frame, narrow=narrow)
