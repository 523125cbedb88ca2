"""Figures of the many-run views: the learning-rate sweep and the basin map (pure)."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageColor
from plotly.subplots import make_subplots

from optviz.engine import Sweep
from optviz.figures.style import COLORS, background_image
from optviz.scenario import OptRun, Scenario
from optviz.sweeps import (
    BEST_LR_RULE,
    DIVERGED,
    NOT_YET,
    Basins,
    best_lr_index,
    divergence_edge,
    stability_bounds,
    window_worst,
)

DIVERGED_COLOR = "#3B3B3B"
LOSS_FLOOR = 1e-20  # the sweep's loss axis stops here (hover still shows smaller values)


def sweep_figure(scenario: Scenario, sweeps: list[Sweep], *, local: bool = False) -> go.Figure:
    """Final loss (top) and steps to converge (bottom) against the learning rate, one
    curve per run; a dashed line where each run starts to diverge, a dotted black line at
    each closed-form stability bound (with ``local``, also the bound near a known minimum
    of any surface), a star at each run's current lr. Trace i (< runs) is run i's loss
    curve: clicking one of its points picks that lr for run i."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06)
    for i, (run, s) in enumerate(zip(scenario.runs, sweeps, strict=True)):
        _loss_curve(fig, i, run.label, s)
    bounds = stability_bounds(scenario, local=local)
    for i, (run, s) in enumerate(zip(scenario.runs, sweeps, strict=True)):
        _run_marks(fig, i, run, s, bounds.get(i))
    _sweep_axes(fig, scenario, sweeps)
    _never_converged(fig, scenario, sweeps)
    return fig


def _loss_curve(fig: go.Figure, i: int, label: str, s: Sweep) -> None:
    """Run i's final loss against the lr (top panel)."""
    trace = go.Scatter(
        x=s.lrs,
        y=s.final_loss,
        mode="lines+markers",
        marker={"size": 4},
        line={"color": COLORS[i % len(COLORS)], "width": 2},
        name=label,
        legendgroup=str(i),
        hovertemplate="lr %{x:.4g}: final loss %{y:.4g}<extra></extra>",
    )
    fig.add_trace(trace, row=1, col=1)


def _run_marks(fig: go.Figure, i: int, run: OptRun, s: Sweep, bound: tuple[str, float] | None) -> None:
    """Run i's steps-to-converge curve (bottom), a star at its current lr, the lr where it
    starts to diverge (dashed) and its closed-form stability bound (dotted), if known."""
    color = COLORS[i % len(COLORS)]
    steps = np.where(s.converged_at >= 0, s.converged_at, np.nan).astype(float)
    curve = go.Scatter(
        x=s.lrs,
        y=steps,
        mode="lines+markers",  # markers: a lone converging lr shows as a dot, not as nothing
        marker={"size": 3},
        line={"color": color, "width": 2},
        showlegend=False,
        legendgroup=str(i),
        hovertemplate="lr %{x:.4g}: converged at step %{y}<extra></extra>",
    )
    fig.add_trace(curve, row=2, col=1)
    at = int(np.argmin(np.abs(np.log(s.lrs) - np.log(run.lr))))
    if np.isfinite(s.final_loss[at]):
        star = go.Scatter(
            x=[run.lr],
            y=[s.final_loss[at]],
            mode="markers",
            showlegend=False,
            marker={"symbol": "star", "size": 14, "color": color, "line": {"color": "black"}},
            hovertemplate=f"{run.label} (now)<extra></extra>",
        )
        fig.add_trace(star, row=1, col=1)
    _best_mark(fig, run.label, s, color)
    edge = divergence_edge(s)
    if edge is not None:
        _vline(fig, edge, f"diverges ≥ {edge:.3g}", color, "dash", 0.02)
    if bound is not None:
        formula, value = bound
        _vline(fig, value, f"{formula} = {value:.4g}", "black", "dot", 0.98)


def _best_mark(fig: go.Figure, label: str, s: Sweep, color: str) -> None:
    """A diamond at the run's `best_lr` on its loss curve, the rule in its hover text."""
    at = best_lr_index(s)
    if at is None:
        return
    worst = window_worst(s)[at]
    diamond = go.Scatter(
        x=[s.lrs[at]],
        y=[s.final_loss[at]],
        mode="markers",
        showlegend=False,
        marker={"symbol": "diamond", "size": 12, "color": color, "line": {"color": "black", "width": 1.5}},
        hovertemplate=f"{label}: best lr {s.lrs[at]:.3g}, final loss {s.final_loss[at]:.3g}, "
        f"its neighbours' worst {worst:.3g}<br>best lr: {BEST_LR_RULE}<extra></extra>",
    )
    fig.add_trace(diamond, row=1, col=1)


def _never_converged(fig: go.Figure, scenario: Scenario, sweeps: list[Sweep]) -> None:
    """Bottom panel: which runs converged at no lr, said in words; if none did, no axis."""
    never = [i + 1 for i, s in enumerate(sweeps) if not ((s.converged_at >= 0) & (s.diverged_at < 0)).any()]
    if not never:
        return
    everyone = len(never) == len(sweeps)
    whose = "" if everyone else f"run{'s' * (len(never) > 1)} {', '.join(map(str, never))}: "
    fig.add_annotation(
        text=f"{whose}no lr converged within {scenario.steps} steps",
        xref="x2 domain",
        yref="y2 domain",
        x=0.5 if everyone else 0.01,  # else bottom left: small lrs converge late, if at all
        y=0.5 if everyone else 0.05,
        xanchor="center" if everyone else "left",
        showarrow=False,
        font={"size": 13, "color": "#555555"},
        bgcolor="rgba(255,255,255,0.8)",
    )
    if everyone:
        fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, range=[0, 1], row=2, col=1)


def _sweep_axes(fig: go.Figure, scenario: Scenario, sweeps: list[Sweep]) -> None:
    """Log lr axes, a log loss axis spanning every finite final loss, and the layout."""
    fig.update_xaxes(type="log", title_text="learning rate", row=2, col=1)
    fig.update_xaxes(type="log", row=1, col=1)
    finite = np.concatenate([s.final_loss[np.isfinite(s.final_loss) & (s.final_loss > 0)] for s in sweeps] + [[1.0]])
    low, high = max(float(finite.min()), LOSS_FLOOR), float(finite.max())
    fig.update_yaxes(
        type="log",
        title_text=f"final loss after {scenario.steps} steps",
        row=1,
        col=1,
        range=[np.log10(low) - 0.5, np.log10(high) + 0.5],
    )
    fig.update_yaxes(title_text="converged at step", row=2, col=1, range=[0, scenario.steps * 1.05])
    fig.update_layout(
        height=620,
        margin={"l": 60, "r": 20, "t": 30, "b": 40},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.12},
        clickmode="event",
    )


def _vline(fig: go.Figure, x: float, text: str, color: str, dash: str, y: float) -> None:
    """A vertical line through both panels, labelled at height ``y`` (paper units). On a
    log axis a shape takes the value itself, an annotation its log10 (plotly.js)."""
    fig.add_shape(
        type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1, line={"color": color, "dash": dash, "width": 1.5}
    )
    fig.add_annotation(
        x=np.log10(x),
        xref="x",
        y=y,
        yref="paper",
        text=text,
        showarrow=False,
        textangle=-90,
        xanchor="right",
        yanchor="bottom" if y < 0.5 else "top",
        font={"color": color, "size": 11},
        bgcolor="rgba(255,255,255,0.7)",
    )


def basin_colors(basins: Basins) -> np.ndarray:
    """RGB image (rows = y upwards): a colour per minimum, light where convergence was
    slow and saturated where fast; dark grey where diverged, white where not converged."""
    palette = np.array([ImageColor.getrgb(c) for c in COLORS], float)
    label, steps = basins.label, basins.steps
    fast = np.log1p(np.maximum(steps, 0)) / np.log1p(max(int(steps.max()), 1))  # 0: at once, 1: the slowest
    rgb = palette[np.where(label >= 0, label, 0) % len(palette)]
    rgb = rgb + (255 - rgb) * (0.65 * fast)[..., None]
    rgb[label == DIVERGED] = ImageColor.getrgb(DIVERGED_COLOR)
    rgb[label == NOT_YET] = 255
    return rgb.astype(np.uint8)


def basin_figure(scenario: Scenario, basins: Basins) -> go.Figure:
    """The basin map as an image over the domain, the minima as stars and a legend with
    each class's share of the starts."""
    (x0, x1), (y0, y1) = domain = scenario.surface_def.domain
    buffer = io.BytesIO()
    Image.fromarray(basin_colors(basins)[::-1]).save(buffer, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    fig = go.Figure(_basin_legend(basins))
    run = scenario.runs[basins.run]
    fig.update_layout(
        height=620,
        template="plotly_white",
        margin={"l": 50, "r": 20, "t": 60, "b": 40},
        title={  # two lines: one is cut at a phone's edge
            "text": f"Where {run.label} ends from {len(basins.xs)}×{len(basins.ys)} starts<br>"
            f"({basins.n_steps} steps; pale = slow to converge)",
            "font": {"size": 14},
        },
        images=[background_image(uri, domain)],
        xaxis={"range": [x0, x1], "title": {"text": "start x"}, "showgrid": False, "zeroline": False},
        yaxis={"range": [y0, y1], "title": {"text": "start y"}, "showgrid": False, "zeroline": False},
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def _basin_legend(basins: Basins) -> list[go.Scatter]:
    """A star per minimum and a square for 'diverged' and 'not converged', each named
    with its share of the starts."""
    traces = []
    for k, (mx, my) in enumerate(basins.minima):
        share = np.mean(basins.label == k)
        star = {"symbol": "star", "size": 16, "color": COLORS[k % len(COLORS)], "line": {"color": "black", "width": 1}}
        traces.append(
            go.Scatter(x=[mx], y=[my], mode="markers", name=f"→ ({mx:.3g}, {my:.3g}): {share:.0%}", marker=star)
        )
    for value, color, text in ((DIVERGED, DIVERGED_COLOR, "diverged"), (NOT_YET, "#DDDDDD", "not converged")):
        share = np.count_nonzero(basins.label == value) / basins.label.size
        square = {"symbol": "square", "size": 12, "color": color}
        traces.append(go.Scatter(x=[None], y=[None], mode="markers", name=f"{text}: {share:.0%}", marker=square))
    return traces
