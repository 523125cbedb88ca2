"""The 3-D view: the surface with every path drawn on it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from optviz.engine import Result
from optviz.figures.frames import drawn
from optviz.figures.map_image import color_levels, known_minimum, log_above, surface_grid
from optviz.figures.style import COLORS


def surface_figure(result: Result) -> go.Figure:
    """3-D view: the surface with every path drawn on it (static)."""
    scenario = result.scenario
    xs, ys, Z = surface_grid(scenario.surface_def, scenario.surface_params, 80)
    shown, label, is_log, low = color_levels(Z, known_minimum(scenario.surface_def, scenario.surface_params))
    fig = go.Figure(
        go.Surface(
            x=xs,
            y=ys,
            z=shown,
            colorscale="Greys",
            reversescale=True,
            opacity=0.85,
            showscale=False,
            name="surface",
            hoverinfo="skip",
        )
    )
    lift = shown.min() if is_log else 0.0
    for i, run in enumerate(result.runs):
        for j, t in enumerate(drawn(result, run)):
            z = log_above(t.loss, low, float(np.nanmax(Z)) - low) if is_log else t.loss
            fig.add_trace(
                go.Scatter3d(
                    x=t.path[:, 0],
                    y=t.path[:, 1],
                    z=np.maximum(z, lift),
                    mode="lines",
                    line={"color": COLORS[i % len(COLORS)], "width": 5},
                    name=run.run.label,
                    showlegend=j == 0,
                    legendgroup=str(i),
                )
            )
    fig.update_layout(
        height=620,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        template="plotly_white",
        scene={"xaxis_title": "x", "yaxis_title": "y", "zaxis_title": label},
        uirevision=scenario.surface,
    )
    return fig
