"""The surface drawn once: values on a grid, the colour levels and the greyscale map image
that the 2-D map, the exports and the basin view lie on."""

from __future__ import annotations

import base64
import functools
import io

import jax
import numpy as np
from PIL import Image

from surfaces.core import Surface
from surfaces.data import kernel_params, kernel_surface

GRID = 120
MAP_PIXELS = 480  # resolution of the map's background image
CONTOUR_LEVELS = 30


@functools.lru_cache(maxsize=32)
def _grid_fn(surface: Surface):
    """``surface.fn`` jitted; keyed by `kernel_surface`, so data sets of one model (other
    seeds, own points) share it, their table passed in the parameters."""
    return jax.jit(lambda X, Y, params: surface.fn(X, Y, **params))


@functools.lru_cache(maxsize=16)  # a 480² grid is 1.8 MB: ≤ 30 MB in all
def surface_grid(surface: Surface, params: tuple, n: int = GRID) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, Z)`` on an ``n × n`` grid over the surface's domain (cached)."""
    (x0, x1), (y0, y1) = surface.domain
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    Z = np.asarray(_grid_fn(kernel_surface(surface))(X, Y, kernel_params(surface, dict(params))))
    return xs, ys, Z


def color_levels(Z: np.ndarray, f_min: float | None = None) -> tuple[np.ndarray, str, bool, float]:
    """The values to colour by, their label, whether they are logs, and the value they
    start from: ``log10(f - f_min + δ)`` when the map's range spans two decades or more
    above its lowest 5 % (Rosenbrock, Beale, Booth, six-hump camel), so that the valley
    floor is not one flat colour; else f itself. ``f_min`` is the known minimum value
    (used when no grid value lies below it), else the lowest value on the grid: the label
    reads "log₁₀ f" where the minimum is 0, never a grid artefact such as 4.36e-06."""
    finite = Z[np.isfinite(Z)]
    low, high = float(finite.min()), float(finite.max())
    if not high - low > 100 * (np.percentile(finite, 5) - low):
        return Z, "f", False, low
    if f_min is None or f_min > low:
        return log_above(Z, low, high - low), "log₁₀(f − lowest f on the map)", True, low
    label = "log₁₀ f" if f_min == 0 else f"log₁₀(f − f_min), f_min = {f_min:.4g}".replace("-", "−")
    return log_above(Z, f_min, high - f_min), label, True, f_min


def known_minimum(surface: Surface, params: tuple) -> float | None:
    """The lowest known minimum value of ``surface`` with ``params``, if any is known."""
    return min((m.f for m in surface.minima(dict(params))), default=None)


def log_above(values, low: float, span: float):
    """``log10(values - low + δ)`` with δ a millionth of the map's span: the log colouring
    of `color_levels`, also applied to loss values drawn on the 3-D surface."""
    return np.log10(np.maximum(values - low, 0) + max(span * 1e-6, 1e-12))


@functools.lru_cache(maxsize=32)
def map_image(surface: Surface, params: tuple) -> tuple[Image.Image, str, float, float]:
    """The surface's map as a greyscale image (cached): ``(image, colour label, low, high)``."""
    _, _, Z = surface_grid(surface, params, MAP_PIXELS)
    shown, label, _, _ = color_levels(Z, known_minimum(surface, params))
    return contour_image(shown), label, float(np.nanmin(shown)), float(np.nanmax(shown))


@functools.lru_cache(maxsize=32)
def map_background(surface: Surface, params: tuple) -> tuple[str, str, float, float]:
    """`map_image` as a PNG data URI, for Plotly's layout image."""
    image, label, low, high = map_image(surface, params)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), label, low, high


def contour_image(values: np.ndarray, levels: int = CONTOUR_LEVELS) -> Image.Image:
    """A filled contour map of ``values`` (rows = y upwards), top row first.

    Values are cut into ``levels`` equal bands shaded light (low) to dark (high), and
    pixels where the band changes are darkened: the level lines.
    """
    finite = np.isfinite(values)
    low, high = float(values[finite].min()), float(values[finite].max())
    band = np.floor((np.where(finite, values, high) - low) / ((high - low) or 1.0) * levels)
    band = np.clip(band, 0, levels - 1)
    shade = 252 - band * (120 / (levels - 1))
    edge = np.zeros(band.shape, bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    shade = np.where(edge, shade * 0.78, shade)
    return Image.fromarray(shade[::-1].astype(np.uint8), mode="L")
