"""Plotly figures from a `Result`: pure functions, no Streamlit.

Payload is linear in the number of steps: the contour grid, every full path and every
loss/lr curve are sent once; animation frames (at most `MAX_FRAMES`) carry only the
moving parts (each run's head marker, a short exact tail of its most recent steps and the
current-step markers), never the whole path so far. Arrays travel as base64 ``bdata``
(float32 for display), not JSON lists.
"""

from __future__ import annotations

import base64
import functools
import io
import itertools
import math
from collections.abc import Mapping, Sequence

import jax
import numpy as np
import plotly.graph_objects as go
from PIL import Image

from optviz.engine import Result, Trajectory, bucket
from optviz.literal import clip, markdown_text, plotly_text
from optviz.schedules import multipliers
from surfaces.core import Surface

# Okabe & Ito's colour-blind-safe palette (yellow last: weakest on a light map).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
MAX_FRAMES = 200
TAIL = 20  # exact recent steps drawn bold behind each head (fewer with many heads)
TAIL_POINTS = 200  # tail points per frame, all heads together
MAX_DRAWN = 16  # start points drawn per run, at least; also table rows per run
MAX_HEADS = 256  # start points drawn in all (a cloud of 256 starts for one run)
PATH_POINTS = 60_000  # full-path points drawn in all; paths of a big cloud are thinned
PATH_REDRAW = 20_000  # full paths up to this many points in all are redrawn in every frame
GRID = 120
PICKER = 1  # index of the click-to-start grid trace
PICKER_GRID = 25  # 625 invisible points; a click selects one
CURVE_POINTS = 600  # most points drawn per loss or lr curve
SLIDER_STEPS = 50  # scrubber positions (frames still play at full resolution)
MAP_PIXELS = 480  # resolution of the map's background image
CONTOUR_LEVELS = 30
_MAP_AXIS = {"showgrid": False, "zeroline": False}
_GREYS = [[0.0, "rgb(252,252,252)"], [1.0, "rgb(132,132,132)"]]
# Pause between frames in ms. Drawing a frame takes 25-35 ms in software-rendered
# Chromium (6 runs), so 1× is as fast as the browser draws (bench/app.py measures it).
SPEEDS = {"¼×": 120, "½×": 50, "1×": 4}


def bdata(values, dtype: str = "f4") -> dict:
    """A NumPy array in plotly.js's typed-array form ``{"dtype", "bdata"}``."""
    arr = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}


@functools.lru_cache(maxsize=32)
def _grid_fn(surface: Surface):
    return jax.jit(lambda X, Y, params: surface.fn(X, Y, **params))


@functools.lru_cache(maxsize=64)
def surface_grid(surface: Surface, params: tuple, n: int = GRID) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, Z)`` on an ``n × n`` grid over the surface's domain (cached)."""
    (x0, x1), (y0, y1) = surface.domain
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    Z = np.asarray(_grid_fn(surface)(X, Y, {k: np.float64(v) for k, v in params}))
    return xs, ys, Z


def color_levels(Z: np.ndarray) -> tuple[np.ndarray, str, bool]:
    """The values to colour by: ``log10(f - min + δ)`` when the map's range spans two
    decades or more above its lowest 5 % (Rosenbrock, Beale, Booth, six-hump camel),
    so that the valley floor is not one flat colour; else f itself."""
    finite = Z[np.isfinite(Z)]
    low, high = float(finite.min()), float(finite.max())
    if high - low > 100 * (np.percentile(finite, 5) - low):
        return _log_above(Z, low, high - low), f"log₁₀(f − {low:.3g})", True
    return Z, "f", False


def _log_above(values, low: float, span: float):
    """``log10(values - low + δ)`` with δ a millionth of the map's span: the log colouring
    of `color_levels`, also applied to loss values drawn on the 3-D surface."""
    return np.log10(np.maximum(values - low, 0) + max(span * 1e-6, 1e-12))


@functools.lru_cache(maxsize=32)
def map_image(surface: Surface, params: tuple) -> tuple[Image.Image, str, float, float]:
    """The surface's map as a greyscale image (cached): ``(image, colour label, low, high)``."""
    _, _, Z = surface_grid(surface, params, MAP_PIXELS)
    shown, label, _ = color_levels(Z)
    return contour_image(shown), label, float(np.nanmin(shown)), float(np.nanmax(shown))


@functools.lru_cache(maxsize=32)
def map_background(surface: Surface, params: tuple) -> tuple[str, str, float, float]:
    """`map_image` as a PNG data URI, for Plotly's layout image."""
    image, label, low, high = map_image(surface, params)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), label, low, high


def contour_image(values: np.ndarray, levels: int = CONTOUR_LEVELS) -> Image.Image:
    """A filled contour map of ``values`` (rows = y upwards), top row first.

    Values are cut into ``levels`` equal bands shaded light (low) to dark (high), and
    pixels where the band changes are darkened: the level lines.
    """
    finite = np.isfinite(values)
    low, high = float(values[finite].min()), float(values[finite].max())
    band = np.floor((np.where(finite, values, high) - low) / ((high - low) or 1.0) * levels)
    band = np.clip(band, 0, levels - 1)
    shade = 252 - band * (120 / (levels - 1))
    edge = np.zeros(band.shape, bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    shade = np.where(edge, shade * 0.78, shade)
    return Image.fromarray(shade[::-1].astype(np.uint8), mode="L")


def _frame_steps(steps: int) -> np.ndarray:
    return np.unique(np.round(np.linspace(0, steps, min(steps + 1, MAX_FRAMES))).astype(int))


def _scrubber_steps(steps: int) -> np.ndarray:
    """The steps the slider can be set to: `SLIDER_STEPS` of the animation frames."""
    frames = _frame_steps(steps)
    return frames[np.unique(np.linspace(0, len(frames) - 1, SLIDER_STEPS).round().astype(int))]


def frame_step(steps: int, k: int) -> int:
    """The scrubber position nearest to step ``k``: what a ``frame=k`` link opens at."""
    stops = _scrubber_steps(steps)
    return int(stops[np.argmin(np.abs(stops - k))])


def row_at(t: Trajectory, k: int) -> int:
    """Row shown at step k: a diverged run stays on its last valid row."""
    return min(k, len(t.path) - 1)


def drawn(result: Result, run) -> tuple[Trajectory, ...]:
    """The trajectories of ``run`` that figures draw: `MAX_HEADS` shared among the runs
    (at least `MAX_DRAWN` each), so a cloud of 256 starts animates whole while a link
    with thousands of start points cannot make a page of hundreds of megabytes."""
    return run.trajectories[: max(MAX_DRAWN, MAX_HEADS // len(result.runs))]


def tail_length(result: Result) -> int:
    """Steps of exact recent path behind each head: `TAIL`, shortened when many heads
    share the frame so each frame carries at most ~`TAIL_POINTS` points (none at all for
    a cloud of more than `TAIL_POINTS` / 2 heads: the heads alone show the flow)."""
    heads = sum(len(drawn(result, run)) for run in result.runs)
    return max(0, min(TAIL, TAIL_POINTS // heads - 1))


def _thinned(n: int, most: int) -> np.ndarray:
    """Indices of a drawn path: all ``n`` rows up to ``most``, else ``most`` evenly spaced
    ones, first and last included (the exact recent steps still travel in the tails)."""
    return np.arange(n) if n <= most else np.unique(np.linspace(0, n - 1, most).round().astype(int))


def _padded_tails(result: Result, k: int, length: int) -> np.ndarray:
    """Each drawn trajectory's last ``length`` steps up to step k, exactly as taken, as
    ``length + 1`` rows (NaN-padded before the start) so per-point colours stay aligned."""
    blocks = []
    for run in result.runs:
        for t in drawn(result, run):
            row = row_at(t, k)
            tail = t.path[max(0, row - length) : row + 1]
            blocks.append(np.concatenate([np.full((length + 1 - len(tail), 2), np.nan), tail]))
    return np.concatenate(blocks)


def _joined(parts: Sequence[np.ndarray]) -> np.ndarray:
    """Rows of several arrays separated by a NaN row (a gap in a Plotly line)."""
    gap = np.full((1, 2), np.nan)
    out = [p for part in parts for p in (part, gap)]
    return np.concatenate(out[:-1]) if out else np.empty((0, 2))


def _run_name(result: Result, i: int) -> str:
    run = result.runs[i]
    flag = "  ⚠ diverged" if any(t.diverged_at is not None for t in run.trajectories) else ""
    return f"{run.run.label}{flag}"


def _xy(points: np.ndarray) -> dict:
    return {"x": bdata(points[:, 0]), "y": bdata(points[:, 1])}


def _line(points: np.ndarray, axes: str, **style) -> dict:
    """A scatter trace dict on subplot ``axes`` ("" for the map, "2" loss, "3" lr)."""
    return {"type": "scatter", "xaxis": f"x{axes}", "yaxis": f"y{axes}", "hoverinfo": "skip", **_xy(points), **style}


def envelope(values: np.ndarray, max_points: int = CURVE_POINTS) -> np.ndarray:
    """Indices of a per-step curve to draw: all of them up to ``max_points``, else the
    minimum and maximum of each of ``max_points / 2`` equal buckets (in step order), so
    spikes and oscillations stay visible while plotly.js redraws fewer points per frame."""
    n = len(values)
    if n <= max_points:
        return np.arange(n)
    edges = np.linspace(0, n, max_points // 2 + 1).astype(int)
    keep = {0, n - 1}
    for a, b in itertools.pairwise(edges):
        keep.update((a + int(np.argmin(values[a:b])), a + int(np.argmax(values[a:b]))))
    return np.array(sorted(keep))


def _curve(values: np.ndarray, axes: str, color: str, what: str, label: str, group: str) -> dict:
    """A per-step curve, thinned by `envelope`; steps and values travel once as bdata."""
    steps = envelope(values)
    return {"type": "scatter", "xaxis": f"x{axes}", "yaxis": f"y{axes}", "x": bdata(steps, "f4"),
            "y": bdata(values[steps], "f8"), "mode": "lines", "line": {"color": color, "width": 1.5},
            "legendgroup": group, "showlegend": False, "name": label,
            "hovertemplate": f"step %{{x}}: {what} = %{{y:.4g}}<extra></extra>"}  # fmt: skip


def _ranges(result: Result) -> tuple[dict, dict]:
    losses = np.concatenate([t.loss for r in result.runs for t in drawn(result, r)] + [np.ones(1)])
    lrs = np.concatenate([t.lr for r in result.runs for t in drawn(result, r)] + [np.zeros(1)])
    positive = losses[losses > 0]
    if losses.min() > 0:
        loss_axis = {"type": "log", "range": [math.log10(positive.min()) - 0.2, math.log10(positive.max()) + 0.2]}
    else:  # surfaces with negative minima (six-hump camel, saddles)
        pad = 0.05 * (np.ptp(losses) or 1.0)
        loss_axis = {"type": "linear", "range": [float(losses.min() - pad), float(losses.max() + pad)]}
    return loss_axis, {"range": [0.0, float(lrs.max()) * 1.08 or 1.0]}


def trajectory_figure(result: Result, *, arrows: bool = False, velocity=None, frame: int = 0) -> dict:
    """The main view as a Plotly figure dict: contour map with paths (left), loss and
    learning rate against step (right), animated by frames with Play/Pause, speed
    buttons and a step slider. With ``arrows``, each head shows the steepest-descent
    direction −∇f (grey), the step it actually takes (black) and, given ``velocity``
    (from `optviz.engine.velocities`), the optimizer's velocity (dashed purple), all as
    directions. The figure opens at ``frame`` (a step, snapped by `frame_step`).

    Built as plain dicts (graph_objects validation cost ~0.25 s for this figure)."""
    scenario = result.scenario
    surface = scenario.surface_def
    image, label, low, high = map_background(surface, scenario.surface_params)
    (x0, x1), (y0, y1) = surface.domain
    span = 0.08 * max(x1 - x0, y1 - y0)
    # The map is a background image, not a contour trace: plotly.js drops contour and
    # heatmap traces on the first animated frame (plotly.js#4491; seen here in Chromium).
    # This invisible trace carries its colour bar.
    data: list[dict] = [{
        "type": "scatter", "x": [None], "y": [None], "mode": "markers", "hoverinfo": "skip", "showlegend": False,
        "marker": {"color": [low, high], "cmin": low, "cmax": high, "colorscale": _GREYS, "showscale": True,
                   "colorbar": {"title": {"text": label, "side": "right"}, "x": 0.56, "len": 0.9, "thickness": 10}},
    }]  # fmt: skip
    # An invisible grid of points over the map (trace PICKER): clicking near one selects
    # it, which the app turns into a new start point. plotly.js draws one of its markers
    # (`maxdisplayed`; hover and selection still see them all), so redrawing it is cheap.
    gx, gy = np.meshgrid(np.linspace(x0, x1, PICKER_GRID), np.linspace(y0, y1, PICKER_GRID))
    data.append(_line(np.column_stack([gx.ravel(), gy.ravel()]), "", mode="markers", name="start picker",
                      marker={"size": 10, "opacity": 0, "maxdisplayed": 1}, showlegend=False,
                      hoverinfo="none"))  # fmt: skip
    background = {"source": image, "xref": "x", "yref": "y", "x": x0, "y": y1, "sizex": x1 - x0, "sizey": y1 - y0,
                  "sizing": "stretch", "layer": "below", "xanchor": "left", "yanchor": "top"}  # fmt: skip
    minima = surface.minima(dict(scenario.surface_params))
    if minima:
        data.append(_line(np.array([[m.x, m.y] for m in minima]), "", mode="markers", name="known minima",
                          marker={"symbol": "star", "size": 14, "color": "#FFD700", "line": {"color": "black"}},
                          hoverinfo=None, hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>"))  # fmt: skip
    movers: dict[int, object] = {}  # trace index -> k -> points at step k
    shown = frame_step(scenario.steps, frame)

    def moving(trace: dict, mover) -> None:
        movers[len(data)] = mover
        data.append(trace | _xy(mover(shown)))

    colors = [COLORS[i % len(COLORS)] for i in range(len(result.runs))]
    n_heads = sum(len(drawn(result, run)) for run in result.runs)
    few = n_heads <= MAX_DRAWN  # else a cloud: thinner lines, smaller heads
    per_path = max(50, PATH_POINTS // n_heads)
    path_points: dict[int, int] = {}  # trace index -> points of a run's full paths
    for i, run in enumerate(result.runs):
        full = _joined([t.path[_thinned(len(t.path), per_path)] for t in drawn(result, run)])
        path_points[len(data)] = len(full)
        data.append(_line(full, "", mode="lines", opacity=0.6 if few else 0.3,
                          line={"color": colors[i], "width": 1.5 if few else 0.8},
                          legendgroup=str(i), name=_run_name(result, i)))  # fmt: skip
        data.append(_curve(run.trajectories[0].loss, "2", colors[i], "f", run.run.label, str(i)))
        data.append(_curve(run.trajectories[0].lr, "3", colors[i], "lr", run.run.label, str(i)))
    # Few animated traces, whatever the number of runs (plotly.js's per-frame cost grows
    # with the number of traces it updates): every run's recent tail and head share one
    # marker trace, coloured per point; the loss markers share another.
    tail = tail_length(result)
    tail_color = [c for i, c in enumerate(colors) for t in drawn(result, result.runs[i]) for _ in range(tail + 1)]
    moving(_line(np.empty((0, 2)), "", mode="markers", showlegend=False,
                 marker={"size": 4, "color": tail_color, "opacity": 0.9}),
           lambda k: _padded_tails(result, k, tail) if tail else np.empty((0, 2)))  # fmt: skip
    every = [t for run in result.runs for t in drawn(result, run)]
    heads = [c for i, c in enumerate(colors) for _ in drawn(result, result.runs[i])]
    moving(_line(np.empty((0, 2)), "", mode="markers", showlegend=False, hoverinfo=None,
                 marker={"color": heads, "size": 11 if few else 7,
                         "line": {"color": "white", "width": 1.5 if few else 0.5}},
                 hovertemplate="(%{x:.4g}, %{y:.4g})<extra></extra>"),
           lambda k: np.array([t.path[row_at(t, k)] for t in every]))  # fmt: skip
    if arrows:
        moved = {id(t): v for run, vs in zip(result.runs, velocity or [], strict=False) if vs
                 for t, v in zip(drawn(result, run), vs, strict=False)}  # fmt: skip
        kinds = [(every, lambda t, r: -t.grad[r], {"color": "#555555", "width": 2.5}),
                 (every, lambda t, r: t.update[r], {"color": "#111111", "width": 2.5}),
                 ([t for t in every if id(t) in moved], lambda t, r: moved[id(t)][r],
                  {"color": "#7B3294", "width": 2.5, "dash": "dash"})]  # fmt: skip
        for trajs, vector, line in kinds:
            moving(_line(np.empty((0, 2)), "", mode="lines", line=line, showlegend=False),
                   lambda k, trajs=trajs, vector=vector: _arrows(trajs, k, vector, span))  # fmt: skip
    firsts = [r.trajectories[0] for r in result.runs]
    moving(_line(np.empty((0, 2)), "2", mode="markers", marker={"color": colors, "size": 8}, showlegend=False),
           lambda k: np.array([[row_at(t, k), t.loss[row_at(t, k)]] for t in firsts]))  # fmt: skip

    loss_axis, lr_axis = _ranges(result)
    for axes, axis in (("2", loss_axis), ("3", lr_axis)):
        low, high = (10**v for v in axis["range"]) if axis.get("type") == "log" else axis["range"]
        moving(_line(np.empty((0, 2)), axes, mode="lines", showlegend=False,
                     line={"color": "#888", "width": 1, "dash": "dot"}),
               lambda k, low=low, high=high: np.array([[k, low], [k, high]]))  # fmt: skip

    # plotly.js recomputes every trace on each frame but redraws only the frame's
    # traces, and a trace it did not redraw has lost its drawing handle: the next click
    # on its subplot threw inside plotly.js (no start picking after Play). So every
    # frame also redraws the map's still traces, unchanged ({}), as Pause may stop on
    # any frame; the scrubber's frames (the last frame is one) redraw all the others.
    # Measured, 6 runs x 2,000 steps: 38 frames/s (48 redrawing none, 34 all). Full
    # paths of more than PATH_REDRAW points (big clouds) wait for the scrubber's frames
    # (256 starts: 21 -> 30 frames/s); there a click right after Pause is lost.
    moves = list(movers)
    on_map = [i for i, t in enumerate(data) if i not in movers and t.get("xaxis", "x") == "x"]
    if sum(path_points.values()) > PATH_REDRAW:
        on_map = [i for i in on_map if i not in path_points]
    panels = [i for i in range(len(data)) if i not in movers and i not in on_map]
    stops = set(_scrubber_steps(scenario.steps).tolist())
    frames = []
    for k in _frame_steps(scenario.steps).tolist():
        still = on_map + (panels if k in stops else [])
        frames.append({"name": str(k), "traces": moves + still,
                       "data": [_xy(movers[i](k)) for i in moves] + [{}] * len(still)})  # fmt: skip
    steps_axis = {"range": [0, scenario.steps], "anchor": "y", "domain": [0.71, 1.0]}
    layout = {
        "height": 620, "margin": {"l": 50, "r": 20, "t": 40, "b": 40}, "uirevision": scenario.surface,
        "title": {"text": plotly_text(f"{surface.title}: {clip(surface.note, 100)}"), "font": {"size": 14}, "x": 0.01},
        "legend": {"orientation": "h", "y": -0.12, "x": 0},
        "xaxis": _MAP_AXIS | {"range": [x0, x1], "domain": [0.0, 0.55], "anchor": "y", "title": {"text": "x"}},
        "yaxis": _MAP_AXIS | {"range": [y0, y1], "domain": [0.0, 1.0], "anchor": "x", "title": {"text": "y"}},
        "xaxis2": steps_axis | {"anchor": "y2", "showticklabels": False},
        "yaxis2": loss_axis | {"domain": [0.56, 1.0], "anchor": "x2", "title": {"text": "loss f(θ)"}},
        "xaxis3": steps_axis | {"anchor": "y3", "title": {"text": "step"}},
        "yaxis3": lr_axis | {"domain": [0.0, 0.42], "anchor": "x3", "title": {"text": "learning rate"}},
        "updatemenus": [_buttons()], "sliders": [_slider(scenario.steps, shown)], "images": [background],
    }  # fmt: skip
    return {"data": data, "layout": layout, "frames": frames}


def _arrows(trajs: Sequence[Trajectory], k: int, vector, span: float) -> np.ndarray:
    """Segments of length ``span`` from each head along ``vector(t, row)`` (directions)."""
    segments = []
    for t in trajs:
        row = row_at(t, k)
        if row >= len(t.grad):
            continue
        v = vector(t, row)
        norm = float(np.hypot(*v))
        if norm > 0 and np.isfinite(norm):
            segments.append(np.array([t.path[row], t.path[row] + span * v / norm]))
    return _joined(segments)


def _play(duration: int) -> dict:
    return {"frame": {"duration": duration, "redraw": False}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}  # fmt: skip


def _buttons() -> dict:
    buttons = [{"label": "▶ Play", "method": "animate", "args": [None, _play(SPEEDS["1×"])]},
               {"label": "Pause", "method": "animate",
                "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]}]  # fmt: skip
    buttons += [{"label": f"▶ {s}", "method": "animate", "args": [None, _play(ms)]} for s, ms in SPEEDS.items()
                if s != "1×"]  # fmt: skip
    return {"type": "buttons", "direction": "left", "x": 0.0, "y": -0.2, "xanchor": "left", "yanchor": "top",
            "pad": {"r": 4, "t": 4}, "showactive": False, "buttons": buttons}  # fmt: skip


def _slider(steps: int, at: int) -> dict:
    shown = _scrubber_steps(steps)
    return {
        "active": int(np.searchsorted(shown, at)), "x": 0.3, "y": -0.2, "len": 0.7, "yanchor": "top", "pad": {"t": 8},
        "currentvalue": {"prefix": "step ", "visible": True},
        "steps": [{"label": str(k), "method": "animate",
                   "args": [[str(k)], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                                       "transition": {"duration": 0}}]}
                  for k in shown],
    }  # fmt: skip


def surface_figure(result: Result) -> go.Figure:
    """3-D view: the surface with every path drawn on it (static)."""
    scenario = result.scenario
    xs, ys, Z = surface_grid(scenario.surface_def, scenario.surface_params, 80)
    shown, label, is_log = color_levels(Z)
    fig = go.Figure(go.Surface(x=xs, y=ys, z=shown, colorscale="Greys", reversescale=True, opacity=0.85,
                               showscale=False, name="surface", hoverinfo="skip"))  # fmt: skip
    lift = shown.min() if is_log else 0.0
    for i, run in enumerate(result.runs):
        for j, t in enumerate(drawn(result, run)):
            z = _log_above(t.loss, Z.min(), np.ptp(Z)) if is_log else t.loss
            fig.add_trace(go.Scatter3d(x=t.path[:, 0], y=t.path[:, 1], z=np.maximum(z, lift), mode="lines",
                                       line={"color": COLORS[i % len(COLORS)], "width": 5},
                                       name=run.run.label, showlegend=j == 0, legendgroup=str(i)))  # fmt: skip
    fig.update_layout(height=620, margin={"l": 0, "r": 0, "t": 10, "b": 0}, template="plotly_white",
                      scene={"xaxis_title": "x", "yaxis_title": "y", "zaxis_title": label},
                      uirevision=scenario.surface)  # fmt: skip
    return fig


def schedule_figure(name: str, params: Mapping, steps: int) -> go.Figure:
    """A small preview of the schedule's multiplier s(t) over the run."""
    s = multipliers(name, params, bucket(steps))[:steps]  # the engine's evaluation, cached
    fig = go.Figure(go.Scatter(x=np.arange(steps), y=s, mode="lines", line={"color": COLORS[0]},
                               hovertemplate="step %{x}: s = %{y:.3g}<extra></extra>"))  # fmt: skip
    fig.update_layout(height=140, margin={"l": 30, "r": 10, "t": 10, "b": 25}, template="plotly_white",
                      yaxis={"range": [0, 1.05], "title": None}, xaxis={"title": None})  # fmt: skip
    return fig


def summary_rows(result: Result) -> list[dict]:
    """One row per run and start: final loss, distance to the nearest known minimum,
    converged/diverged step. A diverged run is flagged, never silently cut. A run with
    more than `MAX_DRAWN` starts gets one row: medians, and counts in its status."""
    rows = []
    for i, run in enumerate(result.runs):
        if len(run.trajectories) > MAX_DRAWN:
            rows.append(_cloud_row(i, run))
            continue
        for j, t in enumerate(run.trajectories):
            label = run.run.label if len(run.trajectories) == 1 else f"{run.run.label} (start {j + 1})"
            rows.append({
                "run": f"{i + 1}. {label}",
                "final loss": float(t.loss[-1]) if len(t.loss) else None,
                "distance to nearest minimum": t.final_distance,
                "converged at step": t.converged_at,
                "diverged at step": t.diverged_at,
                "status": "⚠ diverged" if t.diverged_at is not None
                else "✓ converged" if t.converged_at is not None else "not converged",
            })  # fmt: skip
    return rows


def cell(value) -> str:
    """A summary cell as the page shows it: 4 significant digits, an em dash for none."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return markdown_text(str(value))


def summary_table(rows: list[dict]) -> str:
    """`summary_rows` as a Markdown table, numbers right-aligned.

    The page shows this, not ``st.dataframe``/``st.table``: those load Apache Arrow,
    which sets ``Symbol.isConcatSpreadable`` on its classes, and from then on V8 takes
    its slow path for every ``Array.prototype.concat`` on the page. plotly.js concats
    in every animation frame (``findArrayAttributes`` per trace), so one Arrow table
    slowed 6 runs × 2,000 steps from ~48 to ~30 frames/s (headless Chromium)."""
    if not rows:
        return ""
    names = list(rows[0])
    numeric = [all(isinstance(r[n], (int, float)) or r[n] is None for r in rows) for n in names]
    lines = ["| " + " | ".join(names) + " |", "|" + "|".join("---:" if num else ":---" for num in numeric) + "|"]
    lines += ["| " + " | ".join(cell(r[n]) for n in names) + " |" for r in rows]
    return "\n".join(lines)


def _cloud_row(i: int, run) -> dict:
    trajs = run.trajectories
    conv = [t.converged_at for t in trajs if t.converged_at is not None]
    div = [t.diverged_at for t in trajs if t.diverged_at is not None]
    dist = [t.final_distance for t in trajs if t.final_distance is not None and t.diverged_at is None]
    losses = [float(t.loss[-1]) for t in trajs if t.diverged_at is None and len(t.loss)]

    def median(values):
        return float(np.median(values)) if values else None

    return {
        "run": f"{i + 1}. {run.run.label} ({len(trajs)} starts, medians)",
        "final loss": median(losses),
        "distance to nearest minimum": median(dist),
        "converged at step": None if not conv else round(median(conv)),
        "diverged at step": None if not div else min(div),
        "status": f"{len(conv)} of {len(trajs)} converged" + (f", ⚠ {len(div)} diverged" if div else ""),
    }


def device_note(result: Result) -> str:
    return f"Computed with JAX {jax.__version__} on {result.device} (float64)."


class PrebuiltFigure(go.Figure):
    """Hands a ready Plotly dict to ``st.plotly_chart`` without re-validating it.

    Streamlit turns a dict into ``go.Figure(**spec)``, whose validation took ~0.27 s for
    a 3-run animated map (measured), more than the whole simulation; a Figure instance
    is taken as validated and serialised from ``to_dict()``. Our dicts are built from
    known-good keys and are checked by the tests (AppTest reads back the sent spec).
    """

    def __init__(self, spec: dict):
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec
