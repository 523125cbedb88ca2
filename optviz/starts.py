"""Clouds of start points around the start: a ring, a grid or a random scatter.

A cloud of ``n`` points always begins with the start itself, followed by ``n - 1``
points around it at a spread ``r`` measured in domain widths (so the same link looks
alike on surfaces of any size). Points are clipped to the domain. The random cloud is
drawn from ``numpy.random.default_rng(seed)``, so a link reproduces it exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from surfaces.core import Param

MAX_CLOUD = 256

_PARAMS = (
    Param("n", 64, 2, MAX_CLOUD, kind="int", help="start points in the cloud (the start included)"),
    Param("r", 0.15, 0.005, 1.0, help="spread, in widths of the domain"),
)


@dataclass(frozen=True)
class Cloud:
    name: str
    title: str
    note: str
    params: tuple[Param, ...] = _PARAMS


CLOUDS: dict[str, Cloud] = {
    c.name: c
    for c in (
        Cloud("ring", "Ring", "n − 1 points evenly spaced on a circle of radius r around the start."),
        Cloud("grid", "Grid", "a square grid of side 2r centred on the start: ⌊√(n−1)⌋² points, at most n."),
        Cloud("random", "Random", "n − 1 points uniform in the square of half-side r around the start (seeded)."),
    )
}


def cloud_points(name: str, params: Mapping[str, float], center, domain, seed: int) -> tuple[tuple[float, float], ...]:
    """The start ``center`` followed by the cloud's other points, inside ``domain``."""
    n, r = int(params["n"]), float(params["r"])
    (x0, x1), (y0, y1) = domain
    scale = np.array([x1 - x0, y1 - y0]) * r
    if name == "ring":
        angle = 2 * np.pi * np.arange(n - 1) / (n - 1)
        offsets = np.column_stack([np.cos(angle), np.sin(angle)])
    elif name == "grid":
        side = max(2, math.isqrt(n - 1))  # side² grid points (the centre one is the start): at most n
        u = np.linspace(-1, 1, side)
        offsets = np.array([(a, b) for b in u for a in u if (a, b) != (0.0, 0.0)])
    else:
        offsets = np.random.default_rng(seed).uniform(-1, 1, size=(n - 1, 2))
    points = np.asarray(center, float) + offsets * scale
    points = np.clip(points, [x0, y0], [x1, y1])
    return (tuple(map(float, center)), *((float(x), float(y)) for x, y in points))
