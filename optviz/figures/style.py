"""Colours, array encoding and the scatter trace shared by the figures."""

from __future__ import annotations

import base64

import numpy as np

# Okabe & Ito's colour-blind-safe palette (yellow last: weakest on a light map).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def bdata(values, dtype: str = "f4") -> dict:
    """A NumPy array in plotly.js's typed-array form ``{"dtype", "bdata"}``."""
    arr = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}


def xy(points: np.ndarray) -> dict:
    """The ``x`` and ``y`` of a trace from an ``(n, 2)`` array of points, as float32 bdata."""
    return {"x": bdata(points[:, 0]), "y": bdata(points[:, 1])}


def scatter(points: np.ndarray, axes: str, **style) -> dict:
    """A scatter trace dict on subplot ``axes`` ("" for the map, "2" loss, "3" lr)."""
    return {"type": "scatter", "xaxis": f"x{axes}", "yaxis": f"y{axes}", "hoverinfo": "skip", **xy(points), **style}


def background_image(source: str, domain: tuple[tuple[float, float], tuple[float, float]]) -> dict:
    """A layout image (e.g. a PNG data URI) stretched over ``domain`` in data coordinates,
    below the traces."""
    (x0, x1), (y0, y1) = domain
    return {
        "source": source,
        "xref": "x",
        "yref": "y",
        "x": x0,
        "y": y1,
        "sizex": x1 - x0,
        "sizey": y1 - y0,
        "sizing": "stretch",
        "layer": "below",
        "xanchor": "left",
        "yanchor": "top",
    }
