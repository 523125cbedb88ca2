r"""The hyperparameter plane: theory's per-step rate :math:`\rho` of heavy ball (or Nesterov)
over (lr, β), for the Hessian of the scenario's surface (exact on the quadratics, at the
known minimum elsewhere), with its regions named, the largest stable lr as a line, the
optimal tuning starred and the runs on screen as points. A click sets the chosen run's lr
and β (an invisible grid of points, trace `PICKER`, carries the clicks).

Regions (`optviz.theory.classify`): *diverging* (:math:`\rho \ge 1`, heavy ball iff
:math:`\eta\lambda \ge 2 + 2\beta` on some eigenvalue), *oscillating* (converging, but the
slowest mode's root is complex or negative), *too small* (converging monotonically at an
lr below the optimum's: a crawl) and the monotone rest.
"""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageColor
from plotly.colors import sample_colorscale

from optviz import theory
from optviz.figures.style import COLORS, background_image
from optviz.predictions import Method, Prediction, method_of, model_line
from optviz.scenario import Scenario

LR_POINTS, BETA_POINTS = 181, 100
BETA_MAX = 0.99
PICKER = 0  # index of the click grid (drawn first, under everything)
PICKER_GRID = (60, 34)  # lr × β points a click can land on
DIVERGED_GREY = "#C8C8C8"


def plane_method(scenario: Scenario, run: int) -> Method:
    """The plane's method: run ``run``'s if it is heavy ball or Nesterov (gradient descent
    is heavy ball at β = 0), else heavy ball."""
    method = method_of(scenario.runs[run]) if run < len(scenario.runs) else None
    return Method(0.0, bool(method and method.nesterov))


def plane_grid(big_l: float) -> tuple[np.ndarray, np.ndarray]:
    """The lrs (log-spaced, 0.01/L to 4.2/L: past heavy ball's 4/L as β → 1) and the βs."""
    lrs = np.logspace(math.log10(0.01 / big_l), math.log10(4.2 / big_l), LR_POINTS)
    return lrs, np.linspace(0.0, BETA_MAX, BETA_POINTS)


def plane_figure(scenario: Scenario, pred: Prediction, run: int) -> go.Figure:
    """The plane for run ``run``'s method, or a figure that says why theory has none."""
    fig = go.Figure()
    fig.update_layout(height=560, template="plotly_white", margin={"l": 60, "r": 20, "t": 60, "b": 50})
    if pred.curvature is None:
        fig.add_annotation(text=model_line(pred), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return fig
    mu, big_l = (float(v) for v in pred.curvature.eigenvalues)
    nesterov = plane_method(scenario, run).nesterov
    lrs, betas = plane_grid(big_l)
    rho = theory.rate_grid(lrs, betas, mu, big_l, nesterov=nesterov)
    fig.add_trace(_picker(lrs, betas))
    best = (theory.optimal_nesterov if nesterov else theory.optimal_heavy_ball)(mu, big_l)
    low = math.floor(10 * best.rate) / 10  # the colours span the rates the plane reaches
    fig.add_layout_image(_rate_image(lrs, betas, rho, low))
    fig.add_trace(_color_bar(low))
    edge = [theory.max_stable_lr((mu, big_l), momentum=b, nesterov=nesterov) for b in betas]
    fig.add_trace(
        go.Scatter(x=edge, y=betas, mode="lines", line={"color": "black", "dash": "dot"}, name="largest stable lr")
    )
    fig.add_trace(_star(best, "optimal"))
    _run_points(fig, scenario, nesterov, run)
    _region_labels(fig, lrs, betas, mu, big_l, nesterov, best)
    where = "" if pred.exact else " near the minimum"
    fig.update_layout(
        title=f"{'Nesterov' if nesterov else 'Heavy ball'}: rate ρ over (lr, β){where}<br>κ = {big_l / mu:.4g}",
        xaxis={"type": "log", "title": "learning rate", "showgrid": False},
        yaxis={"title": "momentum β", "range": [0, BETA_MAX], "showgrid": False},
        legend={"orientation": "h", "y": -0.15},
        clickmode="event",
    )
    return fig


def _picker(lrs: np.ndarray, betas: np.ndarray) -> go.Scatter:
    gx, gy = np.meshgrid(
        np.logspace(math.log10(lrs[0]), math.log10(lrs[-1]), PICKER_GRID[0]), np.linspace(0, BETA_MAX, PICKER_GRID[1])
    )
    return go.Scatter(
        x=gx.ravel().astype(np.float32),
        y=gy.ravel().astype(np.float32),
        mode="markers",
        marker={"size": 12, "opacity": 0},
        showlegend=False,
        hovertemplate="lr %{x:.3g}, β %{y:.3f}: click to use<extra></extra>",
    )


def rate_colors(rho: np.ndarray, low: float) -> np.ndarray:
    """RGB image of the rates (rows = β upwards): Viridis from ``low`` to 1 where the method
    converges (ρ < 1), grey where it diverges."""
    lut = np.array([ImageColor.getrgb(c) for c in sample_colorscale("Viridis", np.linspace(0, 1, 256))], np.uint8)
    t = np.clip((rho - low) / (1 - low), 0, 1)
    rgb = lut[np.round(np.nan_to_num(t, nan=1.0) * 255).astype(int)]
    rgb[~(rho < 1)] = ImageColor.getrgb(DIVERGED_GREY)
    return rgb  # rho's rows are the βs, its columns the lrs


def _rate_image(lrs: np.ndarray, betas: np.ndarray, rho: np.ndarray, low: float) -> dict:
    """The rates as a PNG under the traces, each cell centred on its grid point (a heatmap's
    cells; plotly.js's basic bundle, which the page loads, has no heatmap). The lr axis is
    logarithmic, so the image's x extent is in log10 units."""
    buffer = io.BytesIO()
    Image.fromarray(rate_colors(rho, low)[::-1]).save(buffer, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    logs = np.log10(lrs)
    dx, dy = (logs[-1] - logs[0]) / (len(lrs) - 1), (betas[-1] - betas[0]) / (len(betas) - 1)
    domain = ((logs[0] - dx / 2, logs[-1] + dx / 2), (betas[0] - dy / 2, betas[-1] + dy / 2))
    return background_image(uri, domain)


def _color_bar(low: float) -> go.Scatter:
    """The rates' colour bar (on an empty trace: the image carries the colours)."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={"colorscale": "Viridis", "cmin": low, "cmax": 1, "color": [low], "showscale": True,
                "colorbar": {"title": {"text": "ρ"}}},
        showlegend=False,
        hoverinfo="skip",
    )  # fmt: skip


def _star(tuning: theory.Tuning, label: str) -> go.Scatter:
    return go.Scatter(
        x=[tuning.lr],
        y=[tuning.momentum],
        mode="markers",
        marker={"symbol": "star", "size": 18, "color": "#FFD700", "line": {"color": "black", "width": 1}},
        name=f"{label}: lr {tuning.lr:.3g}, β {tuning.momentum:.3g}, ρ {tuning.rate:.4g}",
        hovertemplate=f"{label}: ρ = {tuning.rate:.5g}<extra></extra>",
    )


def _run_points(fig: go.Figure, scenario: Scenario, nesterov: bool, chosen: int) -> None:
    """The runs of the plane's method (gradient descent at β = 0 on heavy ball's) as points."""
    for i, run in enumerate(scenario.runs):
        method = method_of(run)
        if method is None or method.nesterov != nesterov:
            continue
        size = 16 if i == chosen else 11
        fig.add_trace(
            go.Scatter(
                x=[run.lr],
                y=[method.momentum],
                mode="markers",
                marker={"size": size, "color": COLORS[i % len(COLORS)], "line": {"color": "white", "width": 2}},
                name=f"{i + 1}. {run.label}",
                hovertemplate=f"{i + 1}. {run.label}<extra></extra>",
            )
        )


def _region_labels(fig: go.Figure, lrs, betas, mu: float, big_l: float, nesterov: bool, best: theory.Tuning) -> None:
    """Each region's name at its centre (the mean of its cells in log lr and β)."""
    kinds = theory.classify(lrs[None, :], (mu, big_l), momentum=betas[:, None], nesterov=nesterov)
    log_lr = np.broadcast_to(np.log10(lrs)[None, :], kinds.shape)
    beta = np.broadcast_to(betas[:, None], kinds.shape)
    crawl = (kinds == theory.CONVERGES) & (log_lr < math.log10(best.lr) - 1)
    regions = {
        "diverging": kinds == theory.DIVERGES,
        "oscillating": kinds == theory.OSCILLATES,
        "too small: crawls": crawl,
    }
    for text, cells in regions.items():
        if cells.any():
            fig.add_annotation(
                x=float(log_lr[cells].mean()),
                y=float(beta[cells].mean()),
                text=text,
                showarrow=False,
                font={"size": 14, "color": "black"},
                bgcolor="rgba(255,255,255,0.7)",
            )
