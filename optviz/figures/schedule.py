"""The schedule preview under its picker: the multiplier s(t) over the run."""

from __future__ import annotations

import functools

import numpy as np

from optviz.figures.style import COLORS, bdata
from optviz.kernel import bucket
from optviz.schedules import multipliers


@functools.lru_cache(maxsize=64)
def schedule_figure(name: str, params: tuple[tuple[str, float], ...], steps: int) -> dict:
    """A small preview of the schedule's multiplier s(t) over the run, as a Plotly figure
    dict (cached; treat it as read-only). ``params`` as ``(name, value)`` pairs."""
    s = multipliers(name, dict(params), bucket(steps))[:steps]  # the engine's evaluation, cached
    trace = {
        "type": "scatter",
        "x": bdata(np.arange(steps)),
        "y": bdata(s, "f8"),
        "mode": "lines",
        "line": {"color": COLORS[0]},
        "hovertemplate": "step %{x}: s = %{y:.3g}<extra></extra>",
    }
    layout = {
        "height": 140,
        "margin": {"l": 30, "r": 10, "t": 10, "b": 25},
        "yaxis": {"range": [0, 1.05]},
        "font": {"size": 10},
        "paper_bgcolor": "rgba(0,0,0,0)",
    }
    return {"data": [trace], "layout": layout}
