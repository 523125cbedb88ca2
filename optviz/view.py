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

``view=`` accepts the names of `optviz.view_kinds.VIEWS`, the table of views. A lesson
name is read here as any name; `optviz.lesson.fixed` checks it against the lessons (they
are built from the gallery's presets, which read `KEYS` from here).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import NamedTuple
from urllib.parse import parse_qs

from optviz.literal import clip
from optviz.optimizers import FAMILY_KEYS, LR
from optviz.params import coerce, first_value, fmt
from optviz.scenario import MAX_RUNS, MAX_STEPS, Scenario
from optviz.view_kinds import VIEWS
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


def link(scenario: Scenario, view: View = View()) -> str:
    """The whole link (query string) for a scenario shown in a view."""
    return scenario.to_query() + view.to_query()
