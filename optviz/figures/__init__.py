"""Plotly figures: pure functions from a `Result` (no Streamlit), one module per figure.

- `map_image`: the surface drawn once (grid values, colour levels, the greyscale map).
- `frames`: which steps are drawn (frame and scrubber steps, tails, thinned paths).
- `trajectory`: the animated 2-D map, built in parts that change independently; `movers`:
  what moves in its frames; `map_assembly`: the parts joined into one figure;
  `playback`: Play, Pause and the scrubber (the map's and the 3-D view's).
- `surface3d`: the 3-D view (a smooth height field, lifted paths), built in parts.
- `schedule`, `sweep`: the schedule preview, the sweep and basin views. `style`: colours and the typed-array encoding.
"""

from optviz.figures.frames import MAX_FRAMES, drawn, frame_step, row_at
from optviz.figures.map_assembly import assemble, trajectory_figure
from optviz.figures.map_image import map_image
from optviz.figures.schedule import schedule_figure
from optviz.figures.style import COLORS
from optviz.figures.surface3d import surface_figure
from optviz.figures.trajectory import PICKER, MapParts, map_parts

__all__ = [
    "COLORS",
    "MAX_FRAMES",
    "PICKER",
    "MapParts",
    "assemble",
    "drawn",
    "frame_step",
    "map_image",
    "map_parts",
    "row_at",
    "schedule_figure",
    "surface_figure",
    "trajectory_figure",
]
