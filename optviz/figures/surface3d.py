"""The 3-D view: the surface as a smooth height field, each run's path lifted just above
it, the known minima, and a head per start point that Play and the scrubber move along
the surface.

Height. On a surface whose values span less than two decades above their lowest 5 % (the
map's rule, `color_levels`) the height is f itself. Otherwise (Rosenbrock, Beale, Booth,
six-hump camel) it is

    h(f) = log₁₀(f − f₀ + c),   c = `SOFTEN` · (median of f on the grid − f₀),

with f₀ the known minimum value (the grid's lowest where none is known or it lies
lower). The map's colouring takes c a millionth of the range, which turns the few grid
points nearest a valley floor into pits six decades deep: drawn as a surface, a row of
spikes. With c a tenth of the median height above f₀ the log still folds the walls
(Rosenbrock's 2,500 at the corners) down to the scale of the floor, while the floor keeps
its true shape: near f₀, h is nearly linear in f. The z axis title says which height is
drawn (``log₁₀(f + 14.6)``).

Visibility. plotly.js draws the surface as two triangles per grid cell, whose heights
between grid points can lie above h(f) (a valley floor is convex: its chords run above
it). A path's point is drawn at ``max(h(f), mesh height) + lift``, the mesh height being
the higher of the cell's two triangulations at that point (`mesh_height`) and the lift
`LIFT` of the height range, so every drawn point lies above the surface as drawn; points
outside the domain are not drawn.

Parts, like the map's (`optviz.figures.trajectory.MapParts`): the surface part changes with
the surface only, a run part with its run, the animation part with the steps; the browser
(``optviz/map/scene.js``) assembles them as `assemble_scene` does, so a change of one lr
sends that run's part alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optviz.engine import Result, Trajectory
from optviz.figures.frames import drawn, frame_step, frame_steps, scrubber_steps, thinned
from optviz.figures.map_image import color_levels, known_minimum, surface_grid
from optviz.figures.playback import play_buttons, scrubber
from optviz.figures.style import COLORS, bdata
from optviz.figures.theory_marks import drawn_flow
from optviz.figures.trajectory import run_name
from optviz.literal import plotly_text
from optviz.scenario import Scenario

GRID3D = 100  # grid points per side (10,000 heights: 53 KB as base64 float32)
SOFTEN = 0.1  # c in h = log₁₀(f − f₀ + c), as a fraction of the median height above f₀
LIFT = 0.015  # paths, heads and minima float this fraction of the height range above the mesh
PATH_POINTS_3D = 400  # points per drawn path
HEIGHT = 680  # px
_GREYS = [[0.0, "rgb(245,245,245)"], [1.0, "rgb(120,120,120)"]]
CAMERA = {"eye": {"x": -0.85, "y": -1.05, "z": 1.45}, "center": {"x": 0, "y": 0, "z": -0.15}}
# Opacity by height (low to high): paths run low, and the walls between them and the
# camera (Rastrigin's bumps, Rosenbrock's sides) let them show through.
OPACITY = [[0.0, 1.0], [0.35, 0.85], [1.0, 0.4]]


@dataclass(frozen=True)
class Heights:
    """The height drawn for a value f: ``log₁₀(max(f − f0, 0) + c)`` when ``log``, else f."""

    log: bool
    f0: float = 0.0
    c: float = 1.0

    def __call__(self, f):
        f = np.asarray(f, dtype=np.float64)
        return np.log10(np.maximum(f - self.f0, 0.0) + self.c) if self.log else f

    @property
    def title(self) -> str:
        """The z axis title: ``f``, or the log's formula with its constant (``log₁₀(f + 14.6)``)."""
        if not self.log:
            return "f"
        shift = self.c - self.f0
        return f"log₁₀(f {'+' if shift >= 0 else '−'} {abs(shift):.3g})"


def heights(Z: np.ndarray, f_min: float | None) -> Heights:
    """The height transform for grid values ``Z`` (see the module docstring)."""
    finite = Z[np.isfinite(Z)]
    if not color_levels(finite, f_min)[2]:
        return Heights(log=False)
    low = float(finite.min())
    f0 = low if f_min is None or f_min > low else float(f_min)
    c = SOFTEN * (float(np.median(finite)) - f0)
    return Heights(log=True, f0=f0, c=c if c > 0 else 1.0)


def mesh_height(xs: np.ndarray, ys: np.ndarray, H: np.ndarray, x, y) -> np.ndarray:
    """The surface as drawn at points ``(x, y)``: on the grid ``H[row=y, column=x]``, each
    cell cut into two triangles along either diagonal, the higher of the two; NaN outside
    the grid."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    inside = (x >= xs[0]) & (x <= xs[-1]) & (y >= ys[0]) & (y <= ys[-1])
    fx = np.where(inside, (x - xs[0]) / dx, 0.0)
    fy = np.where(inside, (y - ys[0]) / dy, 0.0)
    i = np.clip(np.floor(fx).astype(int), 0, len(xs) - 2)
    j = np.clip(np.floor(fy).astype(int), 0, len(ys) - 2)
    u, v = fx - i, fy - j
    z00, z10, z01, z11 = H[j, i], H[j, i + 1], H[j + 1, i], H[j + 1, i + 1]
    main = np.where(u >= v, z00 + u * (z10 - z00) + v * (z11 - z10), z00 + v * (z01 - z00) + u * (z11 - z01))
    anti = np.where(
        u + v <= 1, z00 + u * (z10 - z00) + v * (z01 - z00), z11 + (1 - u) * (z01 - z11) + (1 - v) * (z10 - z11)
    )
    return np.where(inside, np.maximum(main, anti), np.nan)


@dataclass(frozen=True)
class Field:
    """The drawn surface: grid ``xs``, ``ys``, heights ``H`` (rows = y), its transform and
    the lift above it."""

    xs: np.ndarray
    ys: np.ndarray
    H: np.ndarray
    heights: Heights
    lift: float

    def above(self, x, y, f) -> np.ndarray:
        """Where a point of value ``f`` at ``(x, y)`` is drawn: ``lift`` above both its
        height and the mesh (`mesh_height`); NaN outside the domain or where f is not finite."""
        z = np.fmax(self.heights(f), mesh_height(self.xs, self.ys, self.H, x, y)) + self.lift
        return np.where(np.isfinite(mesh_height(self.xs, self.ys, self.H, x, y)) & np.isfinite(f), z, np.nan)


def surface_field(scenario: Scenario, n: int = GRID3D) -> Field:
    """The height field of ``scenario``'s surface on an ``n × n`` grid."""
    xs, ys, Z = surface_grid(scenario.surface_def, scenario.surface_params, n)
    transform = heights(Z, known_minimum(scenario.surface_def, scenario.surface_params))
    H = transform(Z)
    finite = H[np.isfinite(H)]
    return Field(xs, ys, H, transform, LIFT * float(np.ptp(finite) or 1.0))


@dataclass(frozen=True)
class SceneParts:
    """The 3-D view in parts (see the module docstring): ``surface`` ``{"traces",
    "layout"}``; per run ``{"traces", "color", "moving": {"head": (frames, heads, 3)}}``;
    ``anim`` ``{"steps", "stops", "movers", "layout"}``."""

    surface: dict
    runs: tuple[dict, ...]
    anim: dict


def _xyz(points: np.ndarray) -> dict:
    return {"x": bdata(points[:, 0]), "y": bdata(points[:, 1]), "z": bdata(points[:, 2])}


def scene_surface_part(scenario: Scenario) -> dict:
    """The surface, the known minima and the scene's layout: depend on the surface only."""
    field = surface_field(scenario)
    surface = scenario.surface_def
    H = field.H
    traces = [
        {
            "type": "surface",
            "x": bdata(field.xs),
            "y": bdata(field.ys),
            "z": bdata(H) | {"shape": f"{H.shape[0]},{H.shape[1]}"},  # plotly.js reads a string
            "colorscale": _GREYS,
            "showscale": False,
            "opacityscale": OPACITY,
            "lighting": {"ambient": 0.75, "diffuse": 0.5, "specular": 0.05, "roughness": 0.9},
            "name": "surface",
            "hovertemplate": "(%{x:.3g}, %{y:.3g})<br>height %{z:.3g}<extra></extra>",
        }
    ]
    minima = surface.minima(dict(scenario.surface_params))
    if minima:
        points = np.array([[m.x, m.y, m.f] for m in minima], dtype=np.float64)
        points[:, 2] = field.above(points[:, 0], points[:, 1], points[:, 2])
        traces.append(
            {
                "type": "scatter3d",
                "mode": "markers",
                "name": "known minima",
                **_xyz(points),
                "marker": {"symbol": "diamond", "size": 7, "color": "#FFD700", "line": {"color": "black", "width": 1}},
                "hovertemplate": "minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
            }
        )
    return {"traces": traces, "layout": _scene_layout(scenario, field)}


def _scene_layout(scenario: Scenario, field: Field) -> dict:
    (x0, x1), (y0, y1) = scenario.surface_def.domain
    finite = field.H[np.isfinite(field.H)]
    low, high = float(finite.min()), float(finite.max()) + 3 * field.lift
    ratio = min(max((y1 - y0) / (x1 - x0), 0.5), 2.0)
    axis = {"showspikes": False, "backgroundcolor": "white"}
    title = f"{plotly_text(scenario.surface_def.title)} · height: {plotly_text(field.heights.title)}"
    return {
        "uirevision": "scene",  # a camera the person has turned stays across changes
        "height": HEIGHT,
        "margin": {"l": 0, "r": 0, "t": 64, "b": 120},
        "title": {
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1.0,
            "yanchor": "top",
            "pad": {"t": 10},
            "font": {"size": 14},
        },
        # under the title, growing down over the scene's empty top when it wraps (phones)
        "legend": {"orientation": "h", "x": 0, "yref": "container", "y": 1 - 34 / HEIGHT, "yanchor": "top"},
        "scene": {
            "xaxis": axis | {"title": {"text": "x"}, "range": [x0, x1]},
            "yaxis": axis | {"title": {"text": "y"}, "range": [y0, y1]},
            "zaxis": axis | {"title": {"text": field.heights.title}, "range": [low, high]},
            "aspectmode": "manual",
            "aspectratio": {"x": 1.0, "y": ratio, "z": 0.45},
            "camera": CAMERA,
        },
    }


def scene_run_part(result: Result, i: int, field: Field) -> dict:
    """Run i's lifted paths and its heads at every frame step: depend on that run only."""
    run = result.runs[i]
    trajs = drawn(result, run)
    color = COLORS[i % len(COLORS)]
    lines = []
    for t in trajs:
        rows = thinned(len(t.path), PATH_POINTS_3D)
        lines += [_lifted(field, t, rows), np.full((1, 3), np.nan)]
    path = np.concatenate(lines[:-1])
    few = len(trajs) <= 4
    trace = {
        "type": "scatter3d",
        "mode": "lines+markers" if few else "lines",
        **_xyz(path),
        "line": {"color": color, "width": 5 if few else 2},
        "marker": {"size": 2, "color": color},
        "name": run_name(result, i),
        "legendgroup": str(i),
        "hoverinfo": "skip",
    }
    ks = frame_steps(result.scenario.steps)
    head = np.stack([_lifted(field, t, np.minimum(ks, len(t.path) - 1)) for t in trajs], axis=1)
    return {"traces": [trace], "color": color, "moving": {"head": head.astype(np.float32)}}


def _lifted(field: Field, t: Trajectory, rows: np.ndarray) -> np.ndarray:
    """Rows ``rows`` of a path with their drawn heights (`Field.above`)."""
    xy = t.path[rows]
    return np.column_stack([xy, field.above(xy[:, 0], xy[:, 1], t.loss[rows])])


def scene_anim_part(scenario: Scenario) -> dict:
    """Frame and scrubber steps, the heads' style, Play/Pause and the scrubber (each frame
    redraws the scene: plotly.js moves 3-D traces only so)."""
    steps = scenario.steps
    head = {
        "type": "scatter3d",
        "mode": "markers",
        "showlegend": False,
        "marker": {"size": 6, "line": {"color": "white", "width": 1}},
        "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra></extra>",
    }
    buttons = play_buttons(redraw=True) | {"x": 0, "y": 0, "yanchor": "top", "pad": {"t": 8, "r": 4}}
    slider = scrubber(steps, redraw=True) | {"x": 0, "len": 1.0, "y": -60 / (HEIGHT - 156), "yanchor": "top"}
    return {
        "steps": frame_steps(steps).tolist(),
        "stops": scrubber_steps(steps).tolist(),
        "movers": [{"name": "head", "by_run": True, "trace": head}],
        "layout": {"updatemenus": [buttons], "sliders": [slider]},
    }


def scene_flow_trace(result: Result, i: int, field: Field) -> dict | None:
    """Run i's continuous-time path (`theory_marks.drawn_flow`: gradient flow or the
    heavy-ball ODE) lifted onto the surface like the run's own path, dotted; None where
    theory has no flow for the run."""
    if (found := drawn_flow(result, i)) is None:
        return None
    path, name = found
    scenario = result.scenario
    f = np.asarray(scenario.surface_def.fn(path[:, 0], path[:, 1], **dict(scenario.surface_params)), float)
    points = np.column_stack([path, field.above(path[:, 0], path[:, 1], f)])
    color = COLORS[i % len(COLORS)]
    return {
        "type": "scatter3d",
        "mode": "lines",
        **_xyz(points),
        "line": {"color": color, "width": 3, "dash": "dot"},
        "name": name,
        "legendgroup": str(i),
        "hoverinfo": "skip",
    }


def scene_parts(result: Result, *, theory: bool = False) -> SceneParts:
    """The 3-D view's parts for ``result``; with ``theory``, each run's part carries its
    continuous-time path too (`scene_flow_trace`)."""
    field = surface_field(result.scenario)
    runs = []
    for i in range(len(result.runs)):
        part = scene_run_part(result, i, field)
        flow = scene_flow_trace(result, i, field) if theory else None
        runs.append(part | {"traces": part["traces"] + [flow]} if flow is not None else part)
    return SceneParts(scene_surface_part(result.scenario), tuple(runs), scene_anim_part(result.scenario))


def assemble_scene(parts: SceneParts, frame: int = 0) -> dict:
    """One Plotly figure dict from the parts, opening at step ``frame`` (snapped by
    `frame_step`): the surface's traces, each run's, then one trace of every head (in run
    colours); each frame names that trace only. Mirrored by ``scene.js``."""
    anim = parts.anim
    steps, stops = anim["steps"], anim["stops"]
    shown = frame_step(steps[-1], frame)
    at = steps.index(shown)
    data = list(parts.surface["traces"]) + [t for run in parts.runs for t in run["traces"]]
    heads = np.concatenate([run["moving"]["head"] for run in parts.runs], axis=1)
    colors = [run["color"] for run in parts.runs for _ in range(run["moving"]["head"].shape[1])]
    (mover,) = anim["movers"]
    trace = mover["trace"] | _xyz(heads[at])
    data.append(trace | {"marker": trace["marker"] | {"color": colors}})
    mover_index = len(data) - 1
    frames = [{"name": str(k), "traces": [mover_index], "data": [_xyz(heads[f])]} for f, k in enumerate(steps)]
    layout = parts.surface["layout"] | anim["layout"]
    layout["sliders"] = [layout["sliders"][0] | {"active": stops.index(shown)}]
    return {"data": data, "layout": layout, "frames": frames}


def surface_figure(result: Result, frame: int = 0) -> dict:
    """The 3-D view as one Plotly figure dict (`scene_parts` then `assemble_scene`)."""
    return assemble_scene(scene_parts(result), frame)
