"""The fit beside the path: on a data surface, a panel of the map (axes ``x4``/``y4``)
shows the data points and each run's model at the step shown (one per start drawn) — the
fitted line, the decision boundary between the two classes, or the neuron's curve — in
the run's colour.

The data are still traces of the surface part, and clickable: a click on the panel adds a
point, a click on a point chooses it, and then a click elsewhere moves it there or a
second click on it removes it (`optviz.own_points`; the page's handler is in
``optviz/map/map.js``). Each run's model is a mover (``fit<i>``, one line-coloured mover
per run) whose points at every frame step travel in the run's part, so Play, Pause and
the scrubber move the models with the heads on the map, in the page and in exported HTML
alike. On other surfaces nothing here adds anything.
"""

from __future__ import annotations

import numpy as np

from optviz.figures.map_layout import Size, merged, narrow_domain
from optviz.figures.style import COLORS, bdata
from optviz.scenario import Scenario

CURVE_POINTS = 48  # points along each model curve
CLASS_COLORS = ("#999999", "#333333")  # class 0, class 1
CHOSEN_COLOR = "#D55E00"  # a data point chosen by a click, to move or remove
DATA_META, SPACE_META = "data", "data-space"  # how the page's click handler tells the panel's traces
SPACE_GRID = 25  # points per side of the grid a click adds a data point to
_PAD = 0.08  # of the data's span on each side

# Wide: the data panel above the loss and lr panels in the right-hand column; in the
# projector's lower plot, above the two panels side by side.
WIDE_DOMAINS = {
    "xaxis4": {"domain": [0.71, 1.0], "anchor": "y4"},
    "yaxis4": {"domain": [0.6, 1.0], "anchor": "x4"},
    "yaxis2": {"domain": [0.27, 0.5]},
    "yaxis3": {"domain": [0.0, 0.18]},
}
LOW_DOMAINS = {
    "xaxis4": {"domain": [0.71, 1.0], "anchor": "y4"},
    "yaxis4": {"domain": [0.52, 1.0], "anchor": "x4"},
    "xaxis2": {"domain": [0.71, 0.835], "showticklabels": True, "title": {"text": "step"}},
    "yaxis2": {"domain": [0.0, 0.36], "title": {"text": "loss"}},
    "xaxis3": {"domain": [0.91, 1.0]},
    "yaxis3": {"domain": [0.0, 0.36], "title": {"text": "lr"}},
}
LOW_PLOT = 400  # px: a wide plot lower than this takes `LOW_DOMAINS`
# Narrow: under the map and its x axis (from 324 px up), the data panel, the loss panel
# and the lr panel, in the narrow layout's height.
NARROW_FIT_DOMAINS = {
    "xaxis4": {"domain": [0.0, 1.0], "anchor": "y4"},
    "yaxis4": {"domain": narrow_domain(186, 132)},
    "yaxis2": {"domain": narrow_domain(92, 58)},
    "yaxis3": {"domain": narrow_domain(0, 70)},
}


def shown(scenario: Scenario) -> bool:
    """Whether the map of ``scenario`` has a data panel."""
    return scenario.surface_def.data is not None


def _data(scenario: Scenario):
    surface = scenario.surface_def
    params = dict(scenario.surface_params)
    features, target = surface.data.arrays(params)
    return surface.name, features, target


def _ranges(name: str, features: np.ndarray, target: np.ndarray) -> tuple[list[float], list[float]]:
    """The panel's fixed x and y ranges: the data's span padded (both features for the classifier)."""
    xs = features[:, 0]
    ys = features[:, 1] if name == "logistic_regression" else target

    def padded(values):
        low, high = float(values.min()), float(values.max())
        pad = _PAD * ((high - low) or 1.0)
        return [low - pad, high + pad]

    return padded(xs), padded(ys)


def data_traces(scenario: Scenario) -> list[dict]:
    """The data points on the panel (targets against x, or the two classes in feature
    space), each carrying its index among the points (``customdata``) for a click to edit
    it, and under them the invisible grid a click adds or moves a point to (`space_trace`)."""
    name, features, target = _data(scenario)
    common = {
        "type": "scatter",
        "xaxis": "x4",
        "yaxis": "y4",
        "mode": "markers",
        "meta": DATA_META,
        "showlegend": False,
        "hovertemplate": "%{text}: (%{x:.3g}, %{y:.3g})<extra></extra>",
        "selected": {"marker": {"color": CHOSEN_COLOR, "size": 12}},
        "unselected": {"marker": {"opacity": 1}},
    }
    index = np.arange(len(target))
    traces = [space_trace(_ranges(name, features, target))]
    if name != "logistic_regression":
        points = {"x": bdata(features[:, 0]), "y": bdata(target), "customdata": index.tolist(), "text": _names(index)}
        return [*traces, common | points | {"name": "data", "marker": {"size": 6, "color": "#777"}}]
    for label, symbol in ((0, "circle-open"), (1, "circle")):
        rows = target == label
        traces.append(
            common
            | {"x": bdata(features[rows, 0]), "y": bdata(features[rows, 1]), "customdata": index[rows].tolist()}
            | {"text": _names(index[rows])}
            | {"name": f"class {label}", "marker": {"size": 7, "symbol": symbol, "color": CLASS_COLORS[label]}}
        )
    return traces


def _names(index: np.ndarray) -> list[str]:
    """Each point's hover name, counted from 1 as the points box's lines are."""
    return [f"point {i + 1}" for i in index]


def space_trace(ranges) -> dict:
    """An invisible `SPACE_GRID` × `SPACE_GRID` grid over the panel's ``ranges``: a click
    near one of its points adds a data point there (or moves the chosen one there).
    plotly.js draws one of its markers (``maxdisplayed``); clicks still see them all."""
    (x0, x1), (y0, y1) = ranges
    gx, gy = np.meshgrid(np.linspace(x0, x1, SPACE_GRID), np.linspace(y0, y1, SPACE_GRID))
    return {
        "type": "scatter",
        "xaxis": "x4",
        "yaxis": "y4",
        "x": bdata(gx.ravel()),
        "y": bdata(gy.ravel()),
        "mode": "markers",
        "meta": SPACE_META,
        "name": "data space",
        "showlegend": False,
        "hoverinfo": "none",
        # Tiny: plotly.js picks the point nearest the cursor less its marker's radius, so a
        # data point under the cursor beats every grid point (an empty place still finds one).
        "marker": {"size": 1, "opacity": 0, "maxdisplayed": 1},
    }


def model_points(scenario: Scenario, weights: np.ndarray) -> np.ndarray:
    """Each model's curve on the panel: ``(len(weights), CURVE_POINTS, 2)`` for weights
    ``(w1, w2)`` rows — the line y = w1·x + w2, the boundary w·x = 0 across the panel,
    or y = w2·tanh(w1·x)."""
    name, features, target = _data(scenario)
    (x0, x1), (y0, y1) = _ranges(name, features, target)
    w1, w2 = weights[:, :1], weights[:, 1:]
    if name == "logistic_regression":
        # The boundary through the origin along (-w2, w1), long enough to cross the panel.
        reach = np.hypot(max(abs(x0), abs(x1)), max(abs(y0), abs(y1)))
        s = np.linspace(-reach, reach, CURVE_POINTS)[None, :]
        norm = np.hypot(w1, w2)
        with np.errstate(invalid="ignore", divide="ignore"):
            ux, uy = np.where(norm > 0, -w2 / norm, np.nan), np.where(norm > 0, w1 / norm, np.nan)
        return np.stack([ux * s, uy * s], axis=-1)
    x = np.broadcast_to(np.linspace(x0, x1, CURVE_POINTS)[None, :], (len(weights), CURVE_POINTS))
    y = w1 * x + w2 if name == "linear_regression" else w2 * np.tanh(w1 * x)
    return np.stack([x, y], axis=-1)


def moving(scenario: Scenario, i: int, weights: list[np.ndarray]) -> dict:
    """Run i's models at every frame step, one curve per start drawn (``weights``: each
    start's weights at the frame steps), a NaN row after each curve."""
    curves = [model_points(scenario, w) for w in weights]
    gaps = [np.full((len(c), 1, 2), np.nan) for c in curves]
    return {
        f"fit{i}": np.concatenate([a for pair in zip(curves, gaps, strict=True) for a in pair], axis=1).astype(
            np.float32
        )
    }


def movers(scenario: Scenario, runs: int, width: float) -> list[dict]:
    """One line mover per run, in the run's colour."""
    return [
        {
            "name": f"fit{i}",
            "by_run": False,
            "trace": {
                "type": "scatter",
                "xaxis": "x4",
                "yaxis": "y4",
                "x": [],
                "y": [],
                "mode": "lines",
                "showlegend": False,
                "hoverinfo": "skip",
                "line": {"color": COLORS[i % len(COLORS)], "width": width},
            },
        }
        for i in range(runs)
    ]


def layout(scenario: Scenario, size: Size) -> tuple[dict, dict]:
    """The panel's axes, the map's axes named as weights, and where the panels go:
    ``(wide layout, narrow layout)``."""
    name, features, target = _data(scenario)
    x_range, y_range = _ranges(name, features, target)
    x_title, y_title = ("x1", "x2") if name == "logistic_regression" else ("x", "y")
    w1, w2 = ("slope w", "intercept b") if name == "linear_regression" else ("w₁", "w₂")
    axes = {
        "xaxis": {"title": {"text": w1}},
        "yaxis": {"title": {"text": w2}},
        # Fixed ranges: no zoom on the panel, so two quick clicks on a point (choose, then
        # remove) are not a double click that resets the axes under the second click.
        "xaxis4": {"range": x_range, "fixedrange": True, "title": {"text": x_title, "standoff": 2}, "zeroline": False},
        "yaxis4": {"range": y_range, "fixedrange": True, "title": {"text": y_title, "standoff": 2}, "zeroline": False},
    }
    domains = LOW_DOMAINS if size.plot < LOW_PLOT else WIDE_DOMAINS
    return merged(axes, domains), NARROW_FIT_DOMAINS
