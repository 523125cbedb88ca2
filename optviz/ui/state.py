"""Widget state ⇄ `Scenario`, as plain dictionaries (tested without Streamlit).

Widget keys carry the registry name they belong to (``sp.rosenbrock.a``,
``run0.adam.b1``), so switching a picker never feeds one entry's value to another's
parameter. A run's keys carry its id, not its place: ``run_ids`` lists the runs shown,
in order, so removing a run leaves every other run's widgets as they are. Values shown
by more than one widget (an lr, the start point) are held once, under their own key
(``run0.adam.lr``, ``start_x``); their widgets are views of them (`optviz.ui.views`).
`scenario_from_widgets` writes the widgets' values as a link and parses it, so widgets
and links share one validation path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optviz.optimizers import OPTIMIZERS
from optviz.params import fmt
from optviz.scenario import CUSTOM, MAX_RUNS, Parsed, Scenario, encode_query
from optviz.schedules import SCHEDULES
from optviz.starts import CLOUDS
from optviz.view import SWEEP_LIMITS, View
from optviz.view_kinds import VIEWS
from surfaces import SURFACES
from surfaces.core import Param
from surfaces.data import MIN_OWN_POINTS, not_drawn, read_points

DOMAIN_KEYS = ("dom_x0", "dom_x1", "dom_y0", "dom_y1")  # a custom surface's domain boxes
POINTS_KEY = "points"  # a data surface's own points, one per line ("" while it fits drawn data)
NO_CLOUD = "single"  # the cloud picker's value for explicit start points only

# The page's view state (`optviz.view.View`) as widget values: tab labels here, the view
# radio's labels from `optviz.view_kinds.VIEWS`.
PAGE_LABELS = {"explorer": "Explorer", "gallery": "Gallery"}


def view_values(view: View) -> dict[str, object]:
    """The widget values that show ``view``."""
    return {
        "page": PAGE_LABELS[view.page],
        "view": VIEWS[view.view].label,
        "arrows": view.arrows,
        "frame": view.frame,
        "sweep_lo": view.sweep[0],
        "sweep_hi": view.sweep[1],
        "basin_run": view.run,
        "present": view.present,
        "theory": view.theory,
        "zoo_family": view.zoo,
        "lesson": view.lesson,
        "lesson_step": view.step,
    }


def view_from_widgets(state: Mapping) -> View:
    """The `View` the widgets show (the frame clamped to the run's steps)."""
    page = {v: k for k, v in PAGE_LABELS.items()}.get(state.get("page"), "explorer")
    shown = {kind.label: name for name, kind in VIEWS.items()}.get(state.get("view"), "2d")
    frame = min(int(state.get("frame", 0)), int(state.get("steps", 0)))
    lo, hi = float(state.get("sweep_lo", View.sweep[0])), float(state.get("sweep_hi", View.sweep[1]))
    if hi - lo < 0.5:  # the two boxes crossed: keep a valid range, the lower edge wins
        hi = min(lo + 0.5, SWEEP_LIMITS[1])
        lo = hi - 0.5
    run = min(int(state.get("basin_run", 0)), len(state.get("run_ids", [0])) - 1)
    return View(
        page=page,
        view=shown,
        arrows=bool(state.get("arrows", False)),
        frame=max(frame, 0),
        sweep=(lo, hi),
        run=max(run, 0),
        present=bool(state.get("present", False)),
        theory=bool(state.get("theory", False)),
        zoo=str(state.get("zoo_family", "")),
        lesson=str(state.get("lesson", "")),
        step=int(state.get("lesson_step", 1)),
    )


def surface_key(surface: str, param: str) -> str:
    return f"sp.{surface}.{param}"


def schedule_key(schedule: str, param: str) -> str:
    return f"sc.{schedule}.{param}"


def cloud_key(param: str) -> str:
    return f"cl.{param}"


def run_key(run: int, optimizer: str, param: str) -> str:
    """The key of a parameter of the run whose id is ``run``."""
    return f"run{run}.{optimizer}.{param}"


def widget_values(scenario: Scenario, ids: Sequence[int] | None = None) -> dict[str, object]:
    """Every widget value that shows ``scenario``, its runs under ``ids`` (default 0, 1, …)."""
    ids = list(range(len(scenario.runs)) if ids is None else ids)
    values: dict[str, object] = {
        "surface": scenario.surface,
        "schedule": scenario.schedule,
        "steps": scenario.steps,
        "seed": scenario.seed,
        "batch": scenario.batch,
        "start_x": scenario.starts[0][0],
        "start_y": scenario.starts[0][1],
        "more_starts": scenario.starts[1:],
        "run_ids": ids,
        "conv": scenario.convention,
    }
    values |= {surface_key(scenario.surface, k): v for k, v in scenario.surface_params}
    values[POINTS_KEY] = points_lines(scenario.points)
    if scenario.surface == CUSTOM:
        values["formula"] = scenario.formula
        values |= dict(zip(DOMAIN_KEYS, (v for edge in scenario.domain for v in edge), strict=True))
    values["cloud"] = scenario.cloud or NO_CLOUD
    values |= {cloud_key(k): v for k, v in scenario.cloud_params}
    if scenario.cloud:
        values["more_starts"] = ()
    values |= {schedule_key(scenario.schedule, k): v for k, v in scenario.schedule_params}
    for i, run in zip(ids, scenario.runs, strict=True):
        values[f"run{i}"] = run.name
        values |= {run_key(i, run.name, k): v for k, v in run.params}
    return values


def _assignments(specs: tuple[Param, ...], state: Mapping, key, *key_args) -> str:
    """``a=1,b=2`` for the parameters whose widget ``key(*key_args, name)`` holds a value."""
    keys = {p.name: key(*key_args, p.name) for p in specs}
    return ",".join(f"{name}={fmt(state[k])}" for name, k in keys.items() if k in state)


def widgets_query(state: Mapping) -> str:
    """The link the widgets describe (values missing from ``state`` take defaults)."""
    surface = state.get("surface", "rosenbrock")
    schedule = state.get("schedule", "constant")
    own = own_points_text(state.get(POINTS_KEY, ""))
    if surface == CUSTOM:
        domain = ",".join(fmt(float(state[k])) for k in DOMAIN_KEYS) if all(k in state for k in DOMAIN_KEYS) else ""
        items = [("surface", CUSTOM), ("f", state.get("formula", "")), ("domain", domain)]
    else:
        specs = SURFACES[surface].params
        if owns_points(state):  # own points: the drawn data's parameters do not apply
            specs = not_drawn(SURFACES[surface].data.model, specs)
        items = [("surface", f"{surface}:{_assignments(specs, state, surface_key, surface)}")]
    conv = state.get("conv", "optax")
    if conv != "optax":
        items.append(("conv", conv))
    for i in list(state.get("run_ids", [0]))[:MAX_RUNS]:
        name = state.get(f"run{i}", "adam")
        items.append(("opt", f"{name}:{_assignments(OPTIMIZERS[name].params, state, run_key, i, name)}"))
    items.append(("schedule", f"{schedule}:{_assignments(SCHEDULES[schedule].params, state, schedule_key, schedule)}"))
    for key in ("steps", "seed"):
        if key in state:
            items.append((key, fmt(state[key])))
    if surface != CUSTOM and SURFACES[surface].data is not None and state.get("batch"):
        items.append(("batch", fmt(state["batch"])))
    if "start_x" in state and "start_y" in state:
        items.append(("start", f"{fmt(float(state['start_x']))},{fmt(float(state['start_y']))}"))
        items += [("start", f"{fmt(x)},{fmt(y)}") for x, y in state.get("more_starts", ())]
    if own and surface != CUSTOM and SURFACES[surface].data is not None:  # last: a long box cuts nothing else
        items.append(("points", own))
    cloud = state.get("cloud", NO_CLOUD)
    if cloud != NO_CLOUD:
        items.append(("cloud", f"{cloud}:{_assignments(CLOUDS[cloud].params, state, cloud_key)}"))
    return encode_query(items)


def owns_points(state: Mapping) -> bool:
    """Whether the points box holds enough valid points of the surface's model to replace
    its drawn data (what the link's parser will find: otherwise the drawn data stay, as the
    drawn-data widgets show them)."""
    surface = state.get("surface", "rosenbrock")
    data = SURFACES[surface].data if surface in SURFACES else None
    texts = list(filter(None, own_points_text(state.get(POINTS_KEY, "")).split(",")))
    return data is not None and len(read_points(data.model, texts)[0]) >= MIN_OWN_POINTS


def points_lines(points: Sequence[Sequence[float]]) -> str:
    """Own points as the points box shows them: one per line, its values separated by ", "."""
    return "\n".join(", ".join(fmt(v) for v in point) for point in points)


def own_points_text(text: str) -> str:
    """The points box's text as a link writes it (``x:y,x:y``): a point per line (or per
    ";"), its values separated by commas, spaces or colons; blank lines skipped."""
    lines = (line.replace(",", " ").replace(":", " ").split() for line in text.replace(";", "\n").splitlines())
    return ",".join(":".join(values) for values in lines if values)


def scenario_from_widgets(state: Mapping) -> Parsed:
    """The nearest valid scenario for the widgets' values, and what had to be fixed."""
    return Scenario.from_query(widgets_query(state))
