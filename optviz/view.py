"""View state: what a link says about *how* a scenario is shown, outside `Scenario`.

Link keys (all optional, defaults omitted from canonical links)::

    page=gallery   the preset gallery instead of the explorer
    view=3d        the 3-D surface instead of the 2-D map; view=sweep the learning-rate
                   sweep; view=basins the basin map; view=drag the map with a slider per
                   run that drags its learning rate
    arrows=1       direction arrows at each head (2-D map)
    frame=K        the map opens at step K (snapped to the nearest animation frame)
    sweep=LO,HI    the sweep's lr range, as log10 (default -5,1)
    run=K          the run (0-based) whose basin map is shown
    present=1      projector mode: no sidebar or Streamlit chrome, larger text, lines
                   and markers (for 1280×720)

`View.from_query` never raises: a bad value falls back to the default with a warning,
like `Scenario.from_query`. A link is ``scenario.to_query() + view.to_query()``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple
from urllib.parse import parse_qs

from optviz.literal import clip
from optviz.params import coerce, first_value, fmt
from optviz.scenario import MAX_RUNS, MAX_STEPS, Scenario
from surfaces.core import Param

PAGES = ("explorer", "gallery")
VIEWS = ("2d", "3d", "sweep", "basins", "drag")
SWEEP_LIMITS = (-6.0, 1.0)  # log10 of the lr's own range
FRAME = Param("frame", 0, 0, MAX_STEPS, kind="int", help="the step the map opens at")
ARROWS = Param("arrows", False, 0, 1, kind="bool", help="direction arrows at each head")
RUN = Param("run", 0, 0, MAX_RUNS - 1, kind="int", help="the run whose basin map is shown")
PRESENT = Param("present", False, 0, 1, kind="bool", help="projector mode")
KEYS = ("page", "view", "arrows", "frame", "sweep", "run", "present")


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

    def to_query(self) -> str:
        """``&page=...&view=...&arrows=1&frame=K…&present=1``, defaults left out ('' for the
        default view)."""
        named = (("page", self.page, "explorer"), ("view", self.view, "2d"))
        items = [(k, v) for k, v, default in named if v != default]
        items += [("arrows", "1")] if self.arrows else []
        items += [("frame", str(self.frame))] if self.frame else []
        items += [("sweep", f"{fmt(self.sweep[0])},{fmt(self.sweep[1])}")] if self.sweep != View.sweep else []
        items += [("run", str(self.run))] if self.run else []
        items += [("present", "1")] if self.present else []
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
        for key, choices in (("page", PAGES), ("view", VIEWS)):
            value = first(key)
            if value is None:
                continue
            if value.lower() in choices:
                view = replace(view, **{key: value.lower()})
            else:
                warnings.append(f"{key}={clip(value)} is not one of {', '.join(choices)}; using {getattr(view, key)}")
        for spec in (ARROWS, replace(FRAME, hi=steps), replace(RUN, hi=runs - 1), PRESENT):
            value = first(spec.name)
            if value is not None:
                parsed, warning = coerce(spec, value)
                view = replace(view, **{spec.name: parsed})
                warnings += [warning] if warning else []
        if (value := first("sweep")) is not None:
            view, warning = _sweep_range(view, value)
            warnings += [warning] if warning else []
        return ParsedView(view, warnings)


def _sweep_range(view: View, text: str) -> tuple[View, str | None]:
    """``sweep=LO,HI`` (log10 lr): two numbers in `SWEEP_LIMITS`, at least 0.5 apart."""
    lo_lim, hi_lim = SWEEP_LIMITS
    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        return view, f"sweep={clip(text)} is not two numbers LO,HI; using {fmt(view.sweep[0])},{fmt(view.sweep[1])}"
    if not (lo_lim <= lo and hi <= hi_lim and hi - lo >= 0.5):
        return view, (f"sweep={clip(text)} must satisfy {fmt(lo_lim)} ≤ LO, HI ≤ {fmt(hi_lim)}, HI − LO ≥ 0.5; "
                      f"using {fmt(view.sweep[0])},{fmt(view.sweep[1])}")  # fmt: skip
    return replace(view, sweep=(lo, hi)), None


def link(scenario: Scenario, view: View = View()) -> str:
    """The whole link (query string) for a scenario shown in a view."""
    return scenario.to_query() + view.to_query()
