"""What moves in the map's frames: each head, its exact recent tail and its direction
arrows at every frame step (arrays ``(frames, rows, 2)``), and the styles of the traces
that show them (the movers)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optviz.engine import Trajectory
from optviz.figures.map_layout import Size
from optviz.figures.style import scatter

ARROW_KINDS = ("grad", "update", "velocity")


def rows_at(t: Trajectory, ks: np.ndarray) -> np.ndarray:
    """Row shown at each step of ``ks``: a diverged run stays on its last valid row."""
    return np.minimum(ks, len(t.path) - 1)


def _stacked(blocks: list[np.ndarray], frames: int) -> np.ndarray:
    """Per-trajectory ``(frames, rows, 2)`` blocks side by side, as float32."""
    out = np.concatenate(blocks, axis=1) if blocks else np.empty((frames, 0, 2))
    return out.astype(np.float32)


def tails(paths: Sequence[np.ndarray], ks: np.ndarray, length: int) -> np.ndarray:
    """Each path's last ``length`` steps up to each step of ``ks``, exactly as taken:
    ``length + 1`` rows per path, NaN before the start (so colours stay aligned); a
    diverged path stays on its last row. Mirrored by ``tails`` in ``map.js``."""
    back = np.arange(length, -1, -1)
    blocks = []
    for path in paths:
        rows = np.minimum(ks, len(path) - 1)[:, None] - back[None, :]
        points = path[np.maximum(rows, 0)].astype(np.float32)
        points[rows < 0] = np.nan
        blocks.append(points)
    return _stacked(blocks, len(ks))


def heads(trajs: Sequence[Trajectory], ks: np.ndarray) -> np.ndarray:
    """Each trajectory's position at each step of ``ks``."""
    return _stacked([t.path[rows_at(t, ks)][:, None, :] for t in trajs], len(ks))


def arrows(trajs: Sequence[Trajectory], vectors: Sequence[np.ndarray], ks: np.ndarray, span: float) -> np.ndarray:
    """At each head, a segment of length ``span`` along its vector (a direction, not a
    length): rows ``[head, head + span·v/|v|, NaN]`` per trajectory, all NaN where the
    vector is zero, not finite or not recorded (the last row has no gradient)."""
    blocks = []
    for t, v in zip(trajs, vectors, strict=True):
        rows = rows_at(t, ks)
        valid = rows < len(v)
        v = v[np.minimum(rows, len(v) - 1)] if len(v) else np.zeros((len(ks), 2))
        norm = np.hypot(v[:, 0], v[:, 1])
        valid &= np.isfinite(norm) & (norm > 0)
        start = t.path[rows]
        end = start + span * v / np.where(valid, norm, 1.0)[:, None]
        segment = np.stack([start, end, np.full_like(start, np.nan)], axis=1)
        segment[~valid] = np.nan
        blocks.append(segment)
    return _stacked(blocks, len(ks))


def mover(name: str, by_run: bool, axes: str, **style) -> dict:
    """A moving trace's style: one per run (``by_run``) or one for all, on ``axes``."""
    return {"name": name, "by_run": by_run, "trace": scatter(np.empty((0, 2)), axes, showlegend=False, **style)}


def head_movers(size: Size, few: bool) -> list[dict]:
    """Each run's tail (its last exact steps) and head on the map; smaller heads when many are drawn."""
    head = {"size": size.head if few else 7, "line": {"color": "white", "width": 1.5 if few else 0.5}}
    return [
        mover("tail", True, "", mode="markers", marker={"size": size.tail, "opacity": 0.9}),
        mover(
            "head",
            True,
            "",
            mode="markers",
            hoverinfo=None,
            marker=head,
            hovertemplate="(%{x:.4g}, %{y:.4g})<extra></extra>",
        ),
    ]


def arrow_movers() -> list[dict]:
    """The direction arrows at the heads: −∇f grey, the step taken black, the velocity dashed purple."""
    lines = (
        {"color": "#555555", "width": 2.5},
        {"color": "#111111", "width": 2.5},
        {"color": "#7B3294", "width": 2.5, "dash": "dash"},
    )
    return [mover(name, False, "", mode="lines", line=line) for name, line in zip(ARROW_KINDS, lines, strict=True)]


def panel_movers(size: Size) -> list[dict]:
    """Each run's marker on the loss panel, and the current step's line on the loss and lr panels."""
    step_line = {"color": "#888", "width": 1, "dash": "dot"}
    return [
        mover("loss", True, "2", mode="markers", marker={"size": round(0.75 * size.head)}),
        *(
            mover(name, False, axes, mode="lines", line=step_line)
            for name, axes in (("loss_step", "2"), ("lr_step", "3"))
        ),
    ]
