"""What each view draws, built from a scenario, its result and the view state: the pure
``build`` functions that `optviz.view_kinds.VIEWS` names."""

from __future__ import annotations

import functools
import json

from optviz.engine import Result, velocities
from optviz.figures import map_layout, map_parts
from optviz.figures.drag import drag_figure
from optviz.figures.plane import plane_figure
from optviz.figures.surface3d import scene_parts
from optviz.figures.sweep import basin_figure, sweep_figure
from optviz.figures.zoo import zoo_html
from optviz.map.message import encode, encode_scene, encoded_bytes
from optviz.predictions import lines, predict
from optviz.scenario import Scenario
from optviz.summary import map_text
from optviz.sweeps import basin_map, lr_families, lr_sweeps
from optviz.view import View
from optviz.zoo import Zoo, race_scenario, raced


def plain(figure) -> dict:
    """A plotly.py figure as the plain dict the map component draws (arrays as typed bdata)."""
    return json.loads(figure.to_json())


def map_data(scenario: Scenario, result: Result, view: View) -> tuple[list[tuple[str, dict]], tuple[str, list[str]]]:
    """The 2-D map's parts, encoded for the map component (`optviz.map`; projector mode
    draws larger text, lines and markers, theory its traces), and its text alternative
    (`map_text`, with the theory's lines)."""
    size = map_layout.PRESENT if view.present else map_layout.NORMAL
    velocity = velocities(result) if view.arrows else None
    parts = map_parts(result, arrows=view.arrows, velocity=velocity, size=size, theory=view.theory)
    title, text = map_text(result)
    return encode(parts), (title, text + (lines(predict(scenario, result)) if view.theory else []))


def map_bytes(data: tuple[list[tuple[str, dict]], tuple[str, list[str]]]) -> int:
    """What `map_data`'s parts weigh (the text is a few hundred bytes)."""
    return encoded_bytes(data[0])


def surface_data(scenario: Scenario, result: Result, view: View) -> list[tuple[str, dict]]:
    """The 3-D view's parts (`optviz.figures.surface3d`; theory adds each run's
    continuous-time path), encoded for the map component."""
    return encode_scene(scene_parts(result, theory=view.theory))


def sweep_data(scenario: Scenario, result: Result, view: View):
    """Each run over the learning rates of ``view.sweep`` (log10), and their figure."""
    sweeps = lr_sweeps(scenario, *view.sweep)
    return sweeps, plain(sweep_figure(scenario, sweeps, local=view.theory))


def basin_data(scenario: Scenario, result: Result, view: View):
    """Where run ``view.run`` ends from every start of a grid, and its figure."""
    basins = basin_map(scenario, view.run)
    return basins, plain(basin_figure(scenario, basins))


def plane_data(scenario: Scenario, result: Result, view: View):
    """Theory's rate over (lr, β) for run ``view.run``'s method, as a plain figure dict."""
    return plain(plane_figure(scenario, predict(scenario, result), view.run))


def drag_data(scenario: Scenario, result: Result, view: View) -> dict:
    """Each run's family of paths over an lr window (the drag-lr map's figure)."""
    return drag_figure(scenario, lr_families(scenario))


@functools.lru_cache(maxsize=4)  # a race's pictures are ~190 KB of HTML
def _zoo_page(ground: Scenario, family_key: str) -> tuple[Zoo, str]:
    race = raced(ground, family_key)
    return race, zoo_html(ground, race)


def zoo_data(scenario: Scenario, result: Result, view: View) -> tuple[Zoo, str]:
    """Every optimizer of family ``view.zoo`` ("" for all) raced at its best lr, and the
    race's small multiples (HTML), both kept by the race's ground (`optviz.zoo.race_scenario`):
    an lr change in the sidebar neither races nor draws the pictures again."""
    return _zoo_page(race_scenario(scenario, "sgd"), view.zoo)
