"""View state: what a link says about *how* a scenario is shown, outside `Scenario`.

Link keys (all optional, defaults omitted from canonical links)::

    page=gallery   the preset gallery instead of the explorer
    view=3d        the 3-D surface instead of the 2-D map; view=sweep the learning-rate
                   sweep; view=basins the basin map; view=drag the map with a slider per
                   run that drags its learning rate
    arrows=1       direction arrows at each head (2-D map)
    frame=K        the map opens at step K (snapped to the nearest animation frame)
    sweep=LO,HI    the sweep's lr range, as log10 (default -5,1)
    run=K          the run (0-based) whose basin map is shown (view=basins), or whose lr
                   and β a click on the plane sets (view=plane: theory's rate over
                   (lr, β), `optviz.figures.plane`)
    present=1      projector mode: no sidebar or Streamlit chrome, larger text, lines
                   and markers (for 1280×720)
    theory=1       theory beside the paths (`optviz.predictions`): predicted rates and
                   stable lrs, envelopes, eigen-directions, the continuous-time paths
    zoo=FAMILY     the zoo (view=zoo) races one family of optimizers (an `optviz.optimizers.
                   FAMILY_KEYS` key, e.g. adaptive) instead of all
    lesson=NAME    a guided lesson (`optviz.lesson`), at step=K (1-based); a link with
    step=K         only these keys opens that step's scenario

`View.from_query` never raises: a bad value falls back to the default with a warning,
like `Scenario.from_query`. A link is ``scenario.to_query() + view.to_query()``.

The views are one table, `VIEWS` (name → label, how its data is built and cached, the
panel that draws it): this codec accepts its names, the view picker shows its labels and
``app.py`` renders whichever row is chosen, with no per-view branch. A lesson
name is read here as any name; `optviz.lesson.fixed` checks it against the lessons (they
are built from the gallery's presets, which read `KEYS` from here).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from optviz.engine import Result, velocities
from optviz.figures import map_layout, map_parts
from optviz.figures.drag import drag_figure
from optviz.figures.plane import plane_figure
from optviz.figures.surface3d import scene_parts
from optviz.figures.sweep import basin_figure, sweep_figure
from optviz.figures.zoo import zoo_html
from optviz.literal import clip
from optviz.map.message import encode, encode_scene, encoded_bytes
from optviz.optimizers import FAMILY_KEYS, LR
from optviz.params import coerce, first_value, fmt
from optviz.predictions import lines, predict
from optviz.scenario import MAX_RUNS, MAX_STEPS, Scenario
from optviz.summary import map_text
from optviz.sweeps import basin_map, lr_families, lr_sweeps
from optviz.zoo import Zoo, race_scenario, raced
from surfaces.core import Param

PAGES = ("explorer", "gallery")
SWEEP_LIMITS = (math.log10(LR.lo), math.log10(LR.hi))  # log10 of the lr's own range
FRAME = Param("frame", 0, 0, MAX_STEPS, kind="int", help="the step the map opens at")
ARROWS = Param("arrows", False, 0, 1, kind="bool", help="direction arrows at each head")
RUN = Param("run", 0, 0, MAX_RUNS - 1, kind="int", help="the run whose basin map is shown")
PRESENT = Param("present", False, 0, 1, kind="bool", help="projector mode")
THEORY = Param("theory", False, 0, 1, kind="bool", help="theory beside the paths")
STEP = Param("step", 1, 1, 99, kind="int", help="the lesson's step, from 1")
LESSON_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
KEYS = ("page", "view", "arrows", "frame", "sweep", "run", "present", "theory", "zoo", "lesson", "step")


class ParsedView(NamedTuple):
    view: View
    warnings: list[str]


@dataclass(frozen=True)
class View:
    """How the page shows a scenario; ``frame`` is a step in ``0..steps``."""

    page: str = "explorer"
    view: str = "2d"
    arrows: bool = False
    frame: int = 0
    sweep: tuple[float, float] = (-5.0, 1.0)
    run: int = 0
    present: bool = False
    theory: bool = False
    zoo: str = ""
    lesson: str = ""
    step: int = 1

    def to_query(self) -> str:
        """``&page=...&view=...&arrows=1&frame=K…&present=1&theory=1&zoo=FAMILY&lesson=NAME&step=K``, defaults
        left out ('' for the default view); ``step`` is written with its lesson only."""
        named = (("page", self.page, "explorer"), ("view", self.view, "2d"))
        items = [(k, v) for k, v, default in named if v != default]
        items += [("arrows", "1")] if self.arrows else []
        items += [("frame", str(self.frame))] if self.frame else []
        items += [("sweep", f"{fmt(self.sweep[0])},{fmt(self.sweep[1])}")] if self.sweep != View.sweep else []
        items += [("run", str(self.run))] if self.run else []
        items += [("present", "1")] if self.present else []
        items += [("theory", "1")] if self.theory else []
        items += [("zoo", self.zoo)] if self.zoo else []
        items += [("lesson", self.lesson), ("step", str(self.step))] if self.lesson else []
        return "".join(f"&{k}={v}" for k, v in items)

    @classmethod
    def from_query(cls, text: str, steps: int, runs: int = 1) -> ParsedView:
        """Read the view keys of a query string or URL; ``frame`` is clamped to ``steps``
        and ``run`` to the scenario's ``runs``."""
        query = str(text).split("?", 1)[-1].split("#", 1)[0]
        fields = parse_qs(query, keep_blank_values=True)
        warnings: list[str] = []

        def first(key: str) -> str | None:
            value = first_value(fields, key, warnings)
            return value.strip() if value is not None else None

        view = cls()
        for key, choices in (("page", PAGES), ("view", VIEWS), ("zoo", FAMILY_KEYS)):
            value = first(key)
            if value is None:
                continue
            if value.lower() in choices:
                view = replace(view, **{key: value.lower()})
            else:
                using = getattr(view, key) or "all"
                warnings.append(f"{key}={clip(value)} is not one of {', '.join(choices)}; using {using}")
        for spec in (ARROWS, replace(FRAME, hi=steps), replace(RUN, hi=runs - 1), PRESENT, THEORY, STEP):
            value = first(spec.name)
            if value is not None:
                parsed, warning = coerce(spec, value)
                view = replace(view, **{spec.name: parsed})
                warnings += [warning] if warning else []
        if (value := first("sweep")) is not None:
            view, warning = _sweep_range(view, value)
            warnings += [warning] if warning else []
        view, warning = _lesson(view, first("lesson"))
        return ParsedView(view, warnings + ([warning] if warning else []))


def _sweep_range(view: View, text: str) -> tuple[View, str | None]:
    """``sweep=LO,HI`` (log10 lr): two numbers in `SWEEP_LIMITS`, at least 0.5 apart."""
    lo_lim, hi_lim = SWEEP_LIMITS
    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        return view, f"sweep={clip(text)} is not two numbers LO,HI; using {fmt(view.sweep[0])},{fmt(view.sweep[1])}"
    if not (lo_lim <= lo and hi <= hi_lim and hi - lo >= 0.5):
        return view, (
            f"sweep={clip(text)} must satisfy {fmt(lo_lim)} ≤ LO, HI ≤ {fmt(hi_lim)}, HI − LO ≥ 0.5; "
            f"using {fmt(view.sweep[0])},{fmt(view.sweep[1])}"
        )
    return replace(view, sweep=(lo, hi)), None


def _lesson(view: View, name: str | None) -> tuple[View, str | None]:
    """``lesson=NAME`` (a lower-case name); ``step`` means nothing without it."""
    if name is not None and LESSON_NAME.fullmatch(name.lower()):
        return replace(view, lesson=name.lower()), None
    if name is not None:
        return replace(view, step=1), f"lesson={clip(name)} is not a lesson's name; no lesson shown"
    return replace(view, step=1), (f"step={view.step} is only read with lesson=; ignored" if view.step != 1 else None)


# --- the views: one table read by the link codec, the view picker and app.py ----------------
@dataclass(frozen=True, kw_only=True)
class ViewKind:
    """One way to show a scenario (a row of `VIEWS`).

    Args:
      label: the view picker's text.
      build: ``build(scenario, result, view) -> data``, pure; it reads only the `View`
        fields named in ``reads`` (the app caches ``data`` by the link and those fields).
      panel: ``"module:function"``, the UI function ``panel(data, scenario, view)`` that
        draws ``data``. Named rather than imported so that this module (the link codec,
        also used by the CLI) never imports Streamlit; the app resolves it with
        `pkgutil.resolve_name`.
      reads: the `View` fields ``build`` reads, e.g. ``("sweep",)``.
      max_entries: how many ``data`` the app keeps (copied data).
      max_bytes: the most bytes the kept ``data`` may weigh together, least recently
        used dropped first: pickled size for copied data, ``size`` for shared data.
      spinner: the text shown while copied ``data`` is built (False: none).
      shared: keep ``data`` as one object shared by all sessions, never copied
        (`optviz.memo.Memo` in ``st.cache_resource``): for data that is only read and
        asked for on every rerun; else copied per call (``st.cache_data``).
      size: what one shared ``data`` weighs (default `optviz.memo.nbytes`, its arrays).
    """

    label: str
    build: Callable[[Scenario, Result, View], Any]
    panel: str
    reads: tuple[str, ...] = field(default=())
    max_entries: int = 8
    max_bytes: int = 8 * 2**20
    spinner: str | bool = False
    shared: bool = False
    size: Callable[[Any], int] | None = None

    def __post_init__(self) -> None:
        if self.shared and self.spinner:
            raise ValueError("a shared view's data is built without a spinner")


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


VIEWS: dict[str, ViewKind] = {
    "2d": ViewKind(
        label="2-D map",
        build=map_data,
        panel="optviz.ui.panels:map_panel",
        reads=("arrows", "present", "theory"),
        shared=True,
        max_bytes=32 * 2**20,  # a link's parts are ≤ ~11 MB
        size=map_bytes,
    ),
    "3d": ViewKind(
        label="3-D surface",
        build=surface_data,
        panel="optviz.ui.panels:surface_panel",
        reads=("theory",),
        shared=True,
        max_bytes=32 * 2**20,
        size=encoded_bytes,
    ),
    "sweep": ViewKind(
        label="LR sweep",
        build=sweep_data,
        panel="optviz.ui.panels:sweep_panel",
        reads=("sweep", "theory"),
        spinner="Sweeping the learning rate…",
    ),
    "basins": ViewKind(
        label="Basins",
        build=basin_data,
        panel="optviz.ui.panels:basin_panel",
        reads=("run",),
        spinner="Mapping the basins…",
    ),
    "plane": ViewKind(
        label="(lr, β) plane",
        build=plane_data,
        panel="optviz.ui.theory:plane_panel",
        reads=("run",),
    ),
    "drag": ViewKind(
        label="Drag lr",
        build=drag_data,
        panel="optviz.ui.panels:drag_panel",
        max_entries=4,
        max_bytes=40 * 2**20,  # one drag figure pickles to ≤ ~37 MB
        spinner="Running each run over its lr window…",
    ),
    "zoo": ViewKind(
        label="Zoo",
        build=zoo_data,
        panel="optviz.ui.zoo:zoo_panel",
        reads=("zoo",),
        max_entries=4,
        max_bytes=24 * 2**20,  # a race of 36 at 10,000 steps keeps ≤ ~6 MB of paths
        spinner="Racing every optimizer at its best lr…",
    ),
}


def link(scenario: Scenario, view: View = View()) -> str:
    """The whole link (query string) for a scenario shown in a view."""
    return scenario.to_query() + view.to_query()
