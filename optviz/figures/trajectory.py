"""The animated 2-D map: the surface as a background image with its colour bar, the known
minima and a click-to-start grid; each run's full path; loss and learning rate against
step; and the parts that move in frames played by plotly.js (Play/Pause, speeds, a step
scrubber): each run's head, its exact recent tail, direction arrows and step markers.

Built in parts that change independently (`MapParts`): the surface part (changes with the
surface), one part per run (with that run's optimizer, lr and hyperparameters) and the
animation part (frame steps, the panels' axes, the step lines). This module builds them;
`optviz.figures.map_assembly.assemble` joins them into one Plotly figure dict, and the
browser's map component (``optviz/map/map.js``) joins them the same way, so that a change
to one run sends that run's part only. What moves in frames is `optviz.figures.movers`;
Play, Pause and the scrubber are `optviz.figures.playback`.

Payload is linear in the number of steps: every full path and every loss/lr curve travels
once; frames (at most `MAX_FRAMES`) carry only the moving parts, never the whole path so
far. Arrays travel as float32 (base64 ``bdata``), not JSON lists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optviz.engine import Result, averages
from optviz.figures import fit
from optviz.figures.frames import MAX_DRAWN, drawn, envelope, frame_steps, scrubber_steps, tail_length, thinned
from optviz.figures.map_image import map_background
from optviz.figures.map_layout import NORMAL, Size, colorbars, merged, placement, title, title_lines
from optviz.figures.movers import arrow_movers, arrows, head_movers, heads, panel_movers, rows_at
from optviz.figures.playback import play_buttons, scrubber
from optviz.figures.style import COLORS, background_image, bdata, scatter
from optviz.figures.theory_marks import with_theory
from optviz.scenario import Scenario

PATH_POINTS = 60_000  # full-path points drawn in all; paths of a big cloud are thinned
PATH_REDRAW = 20_000  # full paths up to this many points in all are redrawn in every frame
PICKER = 1  # index of the click-to-start grid trace
PICKER_GRID = 25  # 625 invisible points; a click selects one
_MAP_AXIS = {"showgrid": False, "zeroline": False}
_GREYS = [[0.0, "rgb(252,252,252)"], [1.0, "rgb(132,132,132)"]]


@dataclass(frozen=True)
class MapParts:
    """The map in independently changing parts (see the module docstring).

    ``surface``: ``{"traces", "layout"}``, the still traces drawn under the paths.
    ``runs``: per run ``{"traces": [path, loss curve, lr curve], "color", "moving",
    "paths", "tail"}``: ``paths`` are the exact float32 paths its ``tail`` rows come from.
    ``anim``: ``{"steps", "stops", "movers", "layout"}``: depends on the steps only.
    ``axes``: ``{"layout", "moving", "redraw_paths"}``: the panels' axes and step lines,
    and where everything goes (`optviz.figures.map_layout`): it depends on every run.
    ``surface`` and ``axes`` also carry ``narrow``: what the narrow layout changes, which
    a map narrower than ``axes["wide_min"]`` pixels takes.
    ``moving`` maps a mover's name to an array ``(frames, rows, 2)``: its points at every
    frame step; a mover's trace shows the rows of every part that has it, runs first.
    """

    surface: dict
    runs: tuple[dict, ...]
    anim: dict
    axes: dict


def _curve(values: np.ndarray, axes: str, color: str, what: str, label: str, group: str, width: float) -> dict:
    """A per-step curve, thinned by `envelope`; steps and values travel once as bdata."""
    steps = envelope(values)
    return {
        "type": "scatter",
        "xaxis": f"x{axes}",
        "yaxis": f"y{axes}",
        "x": bdata(steps, "f4"),
        "y": bdata(values[steps], "f8"),
        "mode": "lines",
        "line": {"color": color, "width": width},
        "legendgroup": group,
        "showlegend": False,
        "name": label,
        "hovertemplate": f"step %{{x}}: {what} = %{{y:.4g}}<extra></extra>",
    }


def _joined(parts: Sequence[np.ndarray]) -> np.ndarray:
    """Rows of several arrays separated by a NaN row (a gap in a Plotly line)."""
    gap = np.full((1, 2), np.nan)
    out = [p for part in parts for p in (part, gap)]
    return np.concatenate(out[:-1]) if out else np.empty((0, 2))


def run_name(result: Result, i: int) -> str:
    run = result.runs[i]
    flag = "  ⚠ diverged" if any(t.diverged_at is not None for t in run.trajectories) else ""
    return f"{run.run.label}{flag}"


def _ranges(result: Result) -> tuple[dict, dict]:
    losses = np.concatenate([t.loss for r in result.runs for t in drawn(result, r)] + [np.ones(1)])
    lrs = np.concatenate([t.lr for r in result.runs for t in drawn(result, r)] + [np.zeros(1)])
    positive = losses[losses > 0]
    if losses.min() > 0:
        lo, hi = math.log10(positive.min()) - 0.2, math.log10(positive.max()) + 0.2
        loss_axis = {"type": "log", "range": [lo, hi]}
        if 2 <= hi - lo <= 8:  # a label per power of ten, not plotly.js's crowded 2s and 5s between
            loss_axis["dtick"] = 1
    else:  # surfaces with negative minima (six-hump camel, saddles)
        pad = 0.05 * (np.ptp(losses) or 1.0)
        loss_axis = {"type": "linear", "range": [float(losses.min() - pad), float(losses.max() + pad)]}
    return loss_axis, {"range": [0.0, float(lrs.max()) * 1.08 or 1.0]}


def surface_part(result: Result, size: Size = NORMAL) -> dict:
    """The still traces under the paths and the map's layout: depend on the surface only
    (on a data surface, with its data on the fit panel)."""
    part = surface_layer(result.scenario, size)
    if fit.shown(result.scenario):
        part["traces"] = part["traces"] + fit.data_traces(result.scenario)
    return part


def surface_layer(scenario: Scenario, size: Size = NORMAL) -> dict:
    """`surface_part` of any result of ``scenario``.

    The map is a background image, not a contour trace: plotly.js drops contour and
    heatmap traces on the first animated frame (plotly.js#4491, in Chromium too).
    An invisible trace carries its colour bar (placed by the layout's coloraxis)."""
    surface = scenario.surface_def
    image, label, low, high = map_background(surface, scenario.surface_params)
    (x0, x1), (y0, y1) = surface.domain
    traces = [_colorbar_carrier(low, high), _start_picker(surface.domain)]
    minima = surface.minima(dict(scenario.surface_params))
    if minima:
        traces.append(_minima_trace(minima))
    wide_bar, narrow_bar = colorbars(label, size)
    axis = {"cmin": low, "cmax": high, "colorscale": _GREYS, "showscale": True}
    layout = {
        "uirevision": scenario.surface,
        "images": [background_image(image, surface.domain)],
        "title": title(surface.title, surface.note, size, narrow=False),
        "coloraxis": axis | {"colorbar": wide_bar},
        "xaxis": _MAP_AXIS | {"range": [x0, x1], "domain": [0.0, 0.55], "anchor": "y", "title": {"text": "x"}},
        "yaxis": _MAP_AXIS | {"range": [y0, y1], "domain": [0.0, 1.0], "anchor": "x", "title": {"text": "y"}},
    }
    narrow = {"title": title(surface.title, surface.note, size, narrow=True), "coloraxis": {"colorbar": narrow_bar}}
    return {"traces": traces, "layout": layout, "narrow": narrow}


def _colorbar_carrier(low: float, high: float) -> dict:
    """An invisible trace whose colours span ``low..high``: it carries the map's colour bar."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "hoverinfo": "skip",
        "showlegend": False,
        "marker": {"color": [low, high], "coloraxis": "coloraxis"},
    }


def _start_picker(domain) -> dict:
    """An invisible grid of points over the map (trace `PICKER`): a click near one moves
    the start there. plotly.js draws one of its markers (``maxdisplayed``; hover and
    clicks still see them all), so redrawing it is cheap."""
    (x0, x1), (y0, y1) = domain
    gx, gy = np.meshgrid(np.linspace(x0, x1, PICKER_GRID), np.linspace(y0, y1, PICKER_GRID))
    return scatter(
        np.column_stack([gx.ravel(), gy.ravel()]),
        "",
        mode="markers",
        name="start picker",
        marker={"size": 10, "opacity": 0, "maxdisplayed": 1},
        showlegend=False,
        hoverinfo="none",
    )


def _minima_trace(minima) -> dict:
    """The known minima as gold stars."""
    return scatter(
        np.array([[m.x, m.y] for m in minima]),
        "",
        mode="markers",
        name="known minima",
        marker={"symbol": "star", "size": 14, "color": "#FFD700", "line": {"color": "black"}},
        hoverinfo=None,
        hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
    )


def run_part(result: Result, i: int, *, velocity=None, arrows_on: bool = False, size: Size = NORMAL) -> dict:
    """Run i's still traces (full paths, loss and lr curves) and its moving points at
    every frame step: tails, heads, loss marker and, with ``arrows_on``, the arrows."""
    scenario = result.scenario
    run = result.runs[i]
    trajs = drawn(result, run)
    color = COLORS[i % len(COLORS)]
    n_heads = sum(len(drawn(result, r)) for r in result.runs)
    few = n_heads <= MAX_DRAWN  # else a cloud: thinner lines

    def shown(points):  # a path's points as drawn: thinned to its share of PATH_POINTS
        return points[thinned(len(points), max(50, PATH_POINTS // n_heads))]

    full = _joined([shown(t.path) for t in trajs])
    traces = [
        scatter(
            full,
            "",
            mode="lines",
            opacity=0.6 if few else 0.3,
            line={"color": color, "width": size.path if few else 0.8},
            legendgroup=str(i),
            name=run_name(result, i),
        ),
        _curve(run.trajectories[0].loss, "2", color, "f", run.run.label, str(i), size.path),
        _curve(run.trajectories[0].lr, "3", color, "lr", run.run.label, str(i), size.path),
    ]
    if (average := averages(result, i)) is not None:
        x = _joined([shown(a) for a in average])
        name = f"{run_name(result, i)}: the average x it reports (dotted); the path is y, where it takes the gradient"
        traces.append(scatter(x, "", mode="lines", opacity=0.9, line={"color": color, "width": 1.2, "dash": "dot"},
                              name=name, showlegend=False, hoverinfo="name"))  # fmt: skip
    ks = frame_steps(scenario.steps)
    first = run.trajectories[0]
    tail = tail_length(result)
    moving = {
        "head": heads(trajs, ks),
        "loss": np.stack([rows_at(first, ks), first.loss[rows_at(first, ks)]], axis=1)[:, None, :].astype(np.float32),
    }
    if arrows_on:
        (x0, x1), (y0, y1) = scenario.surface_def.domain
        span = 0.08 * max(x1 - x0, y1 - y0)
        moved = list((velocity[i] if velocity and i < len(velocity) else None) or [])
        moving["grad"] = arrows(trajs, [-t.grad for t in trajs], ks, span)
        moving["update"] = arrows(trajs, [t.update for t in trajs], ks, span)
        moving["velocity"] = arrows(trajs[: len(moved)], moved[: len(trajs)], ks, span)
    if fit.shown(scenario):
        moving |= fit.moving(scenario, i, [t.path[rows_at(t, ks)] for t in trajs])
    paths = [t.path.astype(np.float32) for t in trajs] if tail else []
    return {"traces": traces, "color": color, "moving": moving, "paths": paths, "tail": tail, "path_points": len(full)}


def anim_part(result: Result, *, arrows_on: bool = False, size: Size = NORMAL) -> dict:
    """Frame and scrubber steps, the moving traces' styles, Play/Pause and the scrubber:
    what every frame shares; depends on the steps and the number of heads only."""
    scenario = result.scenario
    few = sum(len(drawn(result, r)) for r in result.runs) <= MAX_DRAWN
    movers = head_movers(size, few) + (arrow_movers() if arrows_on else []) + panel_movers(size)
    movers += fit.movers(scenario, len(result.runs), size.path) if fit.shown(scenario) else []
    layout = {"updatemenus": [play_buttons()], "sliders": [scrubber(scenario.steps)]}
    return {
        "steps": frame_steps(scenario.steps).tolist(),
        "stops": scrubber_steps(scenario.steps).tolist(),
        "movers": movers,
        "layout": layout,
    }


def axes_part(result: Result, runs: Sequence[dict], size: Size = NORMAL) -> dict:
    """The loss and lr panels' axes and their current-step lines, and where the title,
    legend, buttons and scrubber go (`placement`, from each run's name): depend on every
    run."""
    ks = frame_steps(result.scenario.steps)
    loss_axis, lr_axis = _ranges(result)
    moving = {}
    for name, axis in (("loss_step", loss_axis), ("lr_step", lr_axis)):
        low, high = (10**v for v in axis["range"]) if axis.get("type") == "log" else axis["range"]
        moving[name] = np.stack(
            [np.column_stack([ks, np.full(len(ks), low)]), np.column_stack([ks, np.full(len(ks), high)])], axis=1
        ).astype(np.float32)
    steps_axis = {"range": [0, result.scenario.steps], "anchor": "y", "domain": [0.71, 1.0]}
    layout = {
        "xaxis2": steps_axis | {"anchor": "y2", "showticklabels": False},
        "yaxis2": loss_axis | {"domain": [0.56, 1.0], "anchor": "x2", "title": {"text": "loss f(θ)"}},
        "xaxis3": steps_axis | {"anchor": "y3", "title": {"text": "step"}},
        "yaxis3": lr_axis | {"domain": [0.0, 0.42], "anchor": "x3", "title": {"text": "learning rate"}},
    }
    surface = result.scenario.surface_def
    entries = [run_name(result, i) for i in range(len(result.runs))]
    entries += ["known minima"] if surface.minima(dict(result.scenario.surface_params)) else []
    rows = tuple(len(title_lines(surface.title, surface.note, size, narrow=n)) for n in (False, True))
    wide, narrow = placement(entries, rows, size)
    if fit.shown(result.scenario):
        fit_wide, fit_narrow = fit.layout(result.scenario, size)
        layout, narrow = merged(layout, fit_wide), merged(narrow, fit_narrow)
    return {
        "layout": merged(layout, wide),
        "narrow": narrow,
        "wide_min": size.wide_min,
        "moving": moving,
        "redraw_paths": sum(r["path_points"] for r in runs) <= PATH_REDRAW,
    }


def map_parts(
    result: Result, *, arrows: bool = False, velocity=None, size: Size = NORMAL, theory: bool = False
) -> MapParts:
    """The map's parts. With ``arrows``, each head shows the steepest-descent direction
    −∇f (grey), the step it actually takes (black) and, given ``velocity`` (from
    `optviz.engine.velocities`), the optimizer's velocity (dashed purple). ``size``:
    `map_layout.NORMAL`, or `map_layout.PRESENT` for a projector. With ``theory``, the
    surface's and the runs' parts carry `optviz.figures.theory_marks`' traces too."""
    runs = tuple(run_part(result, i, velocity=velocity, arrows_on=arrows, size=size) for i in range(len(result.runs)))
    surface = surface_part(result, size)
    if theory:
        surface, runs = with_theory(result, surface, runs, 0.8 * size.path)
    return MapParts(surface, runs, anim_part(result, arrows_on=arrows, size=size), axes_part(result, runs, size))
