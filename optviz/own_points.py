"""A person's own data points on a data surface: the points an edit starts from, and one
edit (add, move or remove a point) applied to them.

An edit starts from the scenario's own points or, while it fits drawn data, from those
data rounded to `DIGITS` significant digits: the first click turns the drawn data into
the person's own. On a classifier a point is
``(x1, x2, label)``, elsewhere ``(x, y)``; a moved point keeps its label.
"""

from __future__ import annotations

import numpy as np

from optviz.scenario import Scenario
from surfaces.data import MAX_OWN_POINTS, MIN_OWN_POINTS, check_point

DIGITS = 4  # significant digits of a drawn point or a clicked position taken as an own point
EDITS = ("add", "move", "remove")

Points = tuple[tuple[float, ...], ...]


def _rounded(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def current(scenario: Scenario) -> Points:
    """The points of ``scenario`` as own points: its own, or its drawn data rounded."""
    if scenario.points:
        return scenario.points
    features, target = scenario.surface_def.data.arrays(dict(scenario.surface_params))
    rows = np.column_stack([features, target])
    return tuple(tuple(_rounded(v) for v in row) for row in rows)


def edited(scenario: Scenario, edit: str, index: int, x: float, y: float, label: float = 1.0) -> Points:
    """The points after one edit: ``add`` a point at ``(x, y)`` (of class ``label`` on a
    classifier), ``move`` point ``index`` there, or ``remove`` point ``index``. Raises
    ValueError, in words for the page, where the edit is not possible."""
    points = list(current(scenario))
    model = scenario.surface_def.data.model
    classes = model.labels is not None
    if edit not in EDITS:
        raise ValueError(f"unknown edit {edit!r}")
    if edit != "add" and not 0 <= index < len(points):
        raise ValueError(f"there is no point {index} (the data hold {len(points)})")
    if edit == "remove":
        if len(points) <= MIN_OWN_POINTS:
            raise ValueError(f"a data set keeps at least {MIN_OWN_POINTS} points")
        del points[index]
        return tuple(points)
    tail = (points[index][-1] if edit == "move" else float(label),) if classes else ()
    point = check_point(model, (_rounded(x), _rounded(y), *tail))
    if edit == "move":
        points[index] = point
    elif len(points) >= MAX_OWN_POINTS:
        raise ValueError(f"a data set holds at most {MAX_OWN_POINTS} points")
    else:
        points.append(point)
    return tuple(points)
