"""Analytic 2-D loss surfaces: one registry, ``SURFACES``, keyed by link name."""

from surfaces.catalog import SURFACES
from surfaces.core import Minimum, Param, Surface

__all__ = ["SURFACES", "Minimum", "Param", "Surface"]
