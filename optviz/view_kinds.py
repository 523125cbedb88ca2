"""The views: one table, `VIEWS` (name → label, how its data is built and cached, the
panel that draws it). The link codec (`optviz.view`) accepts its names, the view picker
shows its labels and ``app.py`` renders whichever row is chosen, with no per-view branch.

A row names its functions (``"module:function"``) rather than importing them, so this
table, read by the link codec and the CLI, imports neither the figures, sweeps and
predictions the builders use (`optviz.view_data`) nor Streamlit (the panels);
`pkgutil.resolve_name` finds them.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optviz.engine import Result
    from optviz.scenario import Scenario
    from optviz.view import View


@dataclass(frozen=True, kw_only=True)
class ViewKind:
    """One way to show a scenario (a row of `VIEWS`).

    Args:
      label: the view picker's text.
      build: ``"module:function"``, the pure ``build(scenario, result, view) -> data``
        (`optviz.view_data`); it reads only the `View` fields named in ``reads`` (the app
        caches ``data`` by the link and those fields).
      panel: ``"module:function"``, the UI function ``panel(data, scenario, view)`` that
        draws ``data``.
      reads: the `View` fields ``build`` reads, e.g. ``("sweep",)``.
      max_entries: how many ``data`` the app keeps (copied data).
      max_bytes: the most bytes the kept ``data`` may weigh together, least recently
        used dropped first: pickled size for copied data, ``size`` for shared data.
      spinner: the text shown while copied ``data`` is built (False: none).
      shared: keep ``data`` as one object shared by all sessions, never copied
        (`optviz.memo.Memo` in ``st.cache_resource``): for data that is only read and
        asked for on every rerun; else copied per call (``st.cache_data``).
      size: ``"module:function"``, what one shared ``data`` weighs (default
        `optviz.memo.nbytes`, its arrays).
    """

    label: str
    build: str
    panel: str
    reads: tuple[str, ...] = field(default=())
    max_entries: int = 8
    max_bytes: int = 8 * 2**20
    spinner: str | bool = False
    shared: bool = False
    size: str | None = None

    def __post_init__(self) -> None:
        if self.shared and self.spinner:
            raise ValueError("a shared view's data is built without a spinner")

    def built(self, scenario: Scenario, result: Result, view: View) -> Any:
        """``build``'s data for a scenario, its result and the view."""
        return pkgutil.resolve_name(self.build)(scenario, result, view)

    def weigher(self) -> Callable[[Any], int] | None:
        """``size`` as a function, or None for the default."""
        return pkgutil.resolve_name(self.size) if self.size else None


VIEWS: dict[str, ViewKind] = {
    "2d": ViewKind(
        label="2-D map",
        build="optviz.view_data:map_data",
        panel="optviz.ui.panels:map_panel",
        reads=("arrows", "present", "theory"),
        shared=True,
        max_bytes=32 * 2**20,  # a link's parts are ≤ ~11 MB
        size="optviz.view_data:map_bytes",
    ),
    "3d": ViewKind(
        label="3-D surface",
        build="optviz.view_data:surface_data",
        panel="optviz.ui.panels:surface_panel",
        reads=("theory",),
        shared=True,
        max_bytes=32 * 2**20,
        size="optviz.map.message:encoded_bytes",
    ),
    "sweep": ViewKind(
        label="LR sweep",
        build="optviz.view_data:sweep_data",
        panel="optviz.ui.panels:sweep_panel",
        reads=("sweep", "theory"),
        spinner="Sweeping the learning rate…",
    ),
    "basins": ViewKind(
        label="Basins",
        build="optviz.view_data:basin_data",
        panel="optviz.ui.panels:basin_panel",
        reads=("run",),
        spinner="Mapping the basins…",
    ),
    "plane": ViewKind(
        label="(lr, β) plane",
        build="optviz.view_data:plane_data",
        panel="optviz.ui.theory:plane_panel",
        reads=("run",),
    ),
    "drag": ViewKind(
        label="Drag lr",
        build="optviz.view_data:drag_data",
        panel="optviz.ui.panels:drag_panel",
        max_entries=4,
        max_bytes=40 * 2**20,  # one drag figure pickles to ≤ ~37 MB
        spinner="Running each run over its lr window…",
    ),
    "zoo": ViewKind(
        label="Zoo",
        build="optviz.view_data:zoo_data",
        panel="optviz.ui.zoo:zoo_panel",
        reads=("zoo",),
        max_entries=4,
        max_bytes=24 * 2**20,  # a race of 36 at 10,000 steps keeps ≤ ~6 MB of paths
        spinner="Racing every optimizer at its best lr…",
    ),
}
