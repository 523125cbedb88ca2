"""Colours and array encoding shared by the figures."""

from __future__ import annotations

import base64

import numpy as np

# Okabe & Ito's colour-blind-safe palette (yellow last: weakest on a light map).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def bdata(values, dtype: str = "f4") -> dict:
    """A NumPy array in plotly.js's typed-array form ``{"dtype", "bdata"}``."""
    arr = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}
