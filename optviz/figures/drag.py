r"""The map's "drag lr" view: each run's path for every learning rate of a window around
its own (`optviz.sweeps.lr_families`), one plotly.js slider per run moving through them.

A slider step is an animation frame (``redraw: false``) that sets that run's traces to one
learning rate: its path on the map, its head (the position after the last step, or, for a
run that diverged, the point where it left the map, drawn as ✗), its loss curve and its
marker on the final-loss-vs-lr panel. Every frame travels once, so dragging needs no
server; releasing a slider reports the run and its lr (``map.js``).

Paths are thinned to what the eye can tell apart (`visible_rows`): a row is drawn when it
lies in another cell of a grid of `CELLS` × `CELLS` over the map than the row before it,
so every row left out lies in the cell of the last drawn row, and every drawn point is the
exact position (float32). Where all frames together would hold more than `MAX_POINTS`
points (paths that keep jittering, as on Rastrigin), the grid is made coarser to fit;
the figure's ``layout.meta.cells`` says which grid it used. The loss curve is drawn at the
same steps: where the path stays in one cell (near a minimum) the loss falls
geometrically, a straight line on its log axis, which the curve's straight segment draws.
"""

from __future__ import annotations

import math

import numpy as np

from optviz.engine import Family
from optviz.figures.style import COLORS, bdata
from optviz.figures.trajectory import PICKER, surface_layer
from optviz.scenario import Scenario
from optviz.sweeps import stability_bounds

CELLS = 500  # grid cells across the map: about its width in pixels in a 1280-px window
MAX_POINTS = 64_000  # drawn points of all frames together: a coarser grid beyond (bumpy surfaces)
MIN_CELLS = 100
LOSS_FLOOR = 1e-20  # the loss axes stop here
SLIDER_ROW = 75  # px per run's slider under the plot
_FRAME = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
_TRACES = ("path", "head", "exit", "loss", "final")  # per run, in this order


def visible_rows(points: np.ndarray, cell) -> np.ndarray:
    """Indices of the rows of ``points`` (n × d) to draw: the first, the last, and each
    row whose grid cell (``floor(point / cell)``) differs from the row before it."""
    if len(points) == 0:
        return np.arange(0)
    with np.errstate(invalid="ignore"):
        q = np.floor(points / np.asarray(cell))
    moved = np.any(q[1:] != q[:-1], axis=1)
    keep = np.concatenate([[True], moved])
    keep[-1] = True
    return np.flatnonzero(keep)


def exit_row(path: np.ndarray, domain) -> int | None:
    """The row from which ``path`` stays outside ``domain`` to its end, if it ends outside."""
    (x0, x1), (y0, y1) = domain
    inside = (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)
    if len(path) == 0 or inside[-1]:
        return None
    last_in = np.flatnonzero(inside)
    return int(last_in[-1]) + 1 if len(last_in) else 0


def crossing(a: np.ndarray, b: np.ndarray, domain) -> np.ndarray:
    """Where the segment from ``a`` (inside ``domain``) to ``b`` (outside) crosses its edge."""
    t = 1.0
    for axis, (lo, hi) in enumerate(domain):
        d = b[axis] - a[axis]
        for edge in (lo, hi):
            if d and 0 <= (edge - a[axis]) / d < t:
                t = (edge - a[axis]) / d
    return a + t * (b - a)


def member(f: Family, k: int, domain, cells: float = CELLS) -> dict:
    """What lr ``f.lrs[k]`` draws: its visible path rows (up to where a diverged run
    leaves the map for good) with their steps (``rows``) and losses, its head or exit
    point, and its final loss (NaN if it diverged)."""
    rows = int(f.rows[k])
    path, loss = f.path[k, :rows], f.loss[k, :rows]
    (x0, x1), (y0, y1) = domain
    out = exit_row(path, domain) if f.diverged_at[k] >= 0 else None
    shown = path if out is None else path[: out + 1]
    keep = visible_rows(shown, ((x1 - x0) / cells, (y1 - y0) / cells))
    if out is None:
        head, exit_point = shown[-1:], np.empty((0, 2))
    else:
        head = np.empty((0, 2))
        exit_point = shown[:1] if out == 0 else crossing(shown[out - 1], shown[out], domain)[None]
    final = float(loss[-1]) if f.diverged_at[k] < 0 and rows else math.nan
    return {"path": shown[keep], "rows": keep, "head": head, "exit": exit_point, "loss": loss[keep], "final": final}


def _thinned(families: list[tuple[Family, int]], domain) -> tuple[float, list[list[dict]]]:
    """Every member of every family, on the finest grid (from `CELLS` down) that keeps
    all of them within `MAX_POINTS` drawn points; the grid's cells across, and the members."""
    cells = float(CELLS)
    while True:
        members = [[member(f, k, domain, cells) for k in range(len(f.lrs))] for f, _ in families]
        total = sum(len(m["path"]) for run in members for m in run)
        if total <= MAX_POINTS or cells <= MIN_CELLS:
            return cells, members
        cells = max(MIN_CELLS, round(cells * 0.9 * MAX_POINTS / total))


def _xy(points: np.ndarray, dtype: str = "f4") -> dict:
    return {"x": bdata(points[:, 0], dtype), "y": bdata(points[:, 1], dtype)}


def _trace(axes: str, **style) -> dict:
    return {"type": "scatter", "xaxis": f"x{axes}", "yaxis": f"y{axes}", "showlegend": False, **style}


def _member_data(m: dict, lr: float, loss_range) -> list[dict]:
    """Data of one run's `_TRACES` for one member."""
    final = m["final"] if np.isfinite(m["final"]) and m["final"] > 0 else 10 ** loss_range[1]
    return [
        _xy(m["path"]),
        _xy(m["head"]),
        _xy(m["exit"]),
        {"x": bdata(m["rows"], "u2"), "y": bdata(m["loss"], "f4")},
        {"x": [lr], "y": [final], "marker.symbol": "circle" if np.isfinite(m["final"]) else "x"},
    ]


def _loss_range(families: list[tuple[Family, int]]) -> list[float]:
    """log10 range of the loss axes: every member's finite positive losses, floored."""
    losses = np.concatenate([f.loss[np.isfinite(f.loss) & (f.loss > 0)] for f, _ in families] + [np.ones(1)])
    low, high = max(float(losses.min()), LOSS_FLOOR), float(losses.max())
    return [math.log10(low) - 0.3, math.log10(high) + 0.3]


def _run_traces(i: int, label: str, color: str, first: dict, lr: float, loss_range) -> list[dict]:
    data = _member_data(first, lr, loss_range)
    styles = [
        _trace(
            "",
            mode="lines",
            line={"color": color, "width": 2},
            name=label,
            showlegend=True,
            legendgroup=str(i),
            hoverinfo="skip",
        ),
        _trace(
            "",
            mode="markers",
            legendgroup=str(i),
            hovertemplate="end (%{x:.4g}, %{y:.4g})<extra></extra>",
            marker={"size": 12, "color": color, "line": {"color": "white", "width": 1.5}},
        ),
        _trace(
            "",
            mode="markers",
            legendgroup=str(i),
            hovertemplate="left the map here<extra></extra>",
            marker={"size": 16, "symbol": "x", "color": color, "line": {"color": "black", "width": 1}},
        ),
        _trace(
            "2",
            mode="lines",
            line={"color": color, "width": 1.5},
            legendgroup=str(i),
            hovertemplate="step %{x}: f = %{y:.4g}<extra></extra>",
        ),
        _trace(
            "3",
            mode="markers",
            legendgroup=str(i),
            hovertemplate="lr %{x:.4g}: final loss %{y:.4g}<extra></extra>",
            marker={"size": 12, "color": color, "line": {"color": "black", "width": 1}},
        ),
    ]
    return [style | d for style, d in zip(styles, data, strict=True)]


def _final_curve(f: Family, color: str, i: int) -> dict:
    finals = np.array([f.loss[k, f.rows[k] - 1] if f.diverged_at[k] < 0 else np.nan for k in range(len(f.lrs))])
    return _trace(
        "3",
        x=bdata(f.lrs, "f8"),
        y=bdata(finals, "f8"),
        mode="lines",
        legendgroup=str(i),
        line={"color": color, "width": 1.5},
        opacity=0.6,
        hoverinfo="skip",
    )


def _bound_traces(scenario: Scenario, loss_range) -> list[dict]:
    """A dotted vertical line at each run's closed-form stability bound, labelled."""
    out = []
    for j, (i, (formula, value)) in enumerate(stability_bounds(scenario).items()):
        color = COLORS[i % len(COLORS)]
        low, high = loss_range
        ys = [10**low, 10**high, 10 ** (high - (0.5 + j) * (high - low) / 8)]  # labels one under another
        out.append(
            _trace(
                "3",
                x=[value] * 3,
                y=ys,
                mode="lines+text",
                text=["", "", f"{formula} = {value:.4g}"],
                textposition="bottom left",
                textfont={"color": color, "size": 11},
                hoverinfo="skip",
                line={"color": color, "width": 1.5, "dash": "dot"},
            )
        )
    return out


def _slider(i: int, label: str, color: str, f: Family, at: int, y: float) -> dict:
    """Run i's slider: one step per lr (labelled by it, ✗ where the run diverged)."""
    steps = [
        {
            "label": f"{lr:.3g}" + (" ✗" if f.diverged_at[k] >= 0 else ""),
            "value": repr(float(lr)),
            "method": "animate",
            "args": [[f"{i}:{k}"], _FRAME],
        }
        for k, lr in enumerate(f.lrs)
    ]
    return {
        "name": str(i),
        "active": at,
        "steps": steps,
        "x": 0.0,
        "len": 1.0,
        "y": y,
        "yanchor": "top",
        "pad": {"t": 4, "b": 4},
        "bordercolor": color,
        "activebgcolor": color,
        "font": {"size": 9},
        "currentvalue": {"prefix": f"run {i + 1}, {label}: lr = ", "font": {"color": color, "size": 13}},
    }


def drag_figure(scenario: Scenario, families: list[tuple[Family, int]]) -> dict:
    """The drag view as a Plotly figure dict: the map with each run's path at its own lr,
    the loss panel, the final-loss-vs-lr panel (with closed-form bounds), a slider per
    run and one frame per run and lr (named ``"i:k"``) that moves only that run's traces."""
    surface = scenario.surface_def
    parts = surface_layer(scenario)
    del parts["traces"][PICKER]  # no click-to-start in this view
    loss_range = _loss_range(families)
    data = list(parts["traces"])
    cells, all_members = _thinned(families, surface.domain)
    moving, frames, sliders = [], [], []
    plot_height = 520
    for i, (run, (f, at)) in enumerate(zip(scenario.runs, families, strict=True)):
        color = COLORS[i % len(COLORS)]
        members = all_members[i]
        data.append(_final_curve(f, color, i))
        moving.append(list(range(len(data), len(data) + len(_TRACES))))
        data += _run_traces(i, run.label.split(" lr=")[0], color, members[at], float(f.lrs[at]), loss_range)
        frames += [
            {"name": f"{i}:{k}", "traces": moving[i], "data": _member_data(m, float(f.lrs[k]), loss_range)}
            for k, m in enumerate(members)
        ]
        sliders.append(_slider(i, run.name, color, f, at, -(50 + SLIDER_ROW * i) / plot_height))
    data += _bound_traces(scenario, loss_range)
    layout = parts["layout"] | _drag_layout(scenario, families, loss_range, plot_height) | {"sliders": sliders}
    layout["meta"] = {"cells": cells}
    return {"data": data, "layout": layout, "frames": frames}


def _drag_layout(
    scenario: Scenario, families: list[tuple[Family, int]], loss_range: list[float], plot_height: int
) -> dict:
    """The view's size (room for a slider row per run), title, legend and the axes of its
    loss and final-loss-vs-lr panels."""
    surface = scenario.surface_def
    runs = len(scenario.runs)
    lr_lo = min(float(f.lrs[0]) for f, _ in families)
    lr_hi = max(float(f.lrs[-1]) for f, _ in families)
    return {
        "height": plot_height + 100 + SLIDER_ROW * runs,
        "showlegend": True,
        "margin": {"l": 50, "r": 20, "t": 40, "b": 60 + SLIDER_ROW * runs},
        "title": {
            "text": f"{surface.title}: drag a run's learning rate ({scenario.steps} steps)",
            "font": {"size": 14},
            "x": 0.01,
        },
        "legend": {"orientation": "h", "y": 1.0, "x": 0.56, "yanchor": "bottom"},
        "xaxis2": {"range": [0, scenario.steps], "anchor": "y2", "domain": [0.71, 1.0], "title": {"text": "step"}},
        "yaxis2": {
            "type": "log",
            "range": loss_range,
            "domain": [0.58, 1.0],
            "anchor": "x2",
            "title": {"text": "loss f(θ)"},
        },
        "xaxis3": {
            "type": "log",
            "range": [math.log10(lr_lo) - 0.05, math.log10(lr_hi) + 0.05],
            "anchor": "y3",
            "domain": [0.71, 1.0],
            "title": {"text": "learning rate"},
        },
        "yaxis3": {
            "type": "log",
            "range": loss_range,
            "domain": [0.0, 0.42],
            "anchor": "x3",
            "title": {"text": f"loss after {scenario.steps} steps"},
        },
    }
