"""Which steps the animated map draws: frame and scrubber steps, the trajectories drawn per
run, each head's exact recent tail, thinned full paths and per-step curves."""

from __future__ import annotations

import itertools

import numpy as np

from optviz.engine import Result, Trajectory

MAX_FRAMES = 200
SLIDER_STEPS = 50  # most intervals between scrubber positions (frames still play at full resolution)
TAIL = 20  # exact recent steps drawn bold behind each head (fewer with many heads)
TAIL_POINTS = 200  # tail points per frame, all heads together
MAX_DRAWN = 16  # start points drawn per run, at least; also table rows per run
MAX_HEADS = 256  # start points drawn in all (a cloud of 256 starts for one run)
CURVE_POINTS = 600  # most points drawn per loss or lr curve


def scrubber_steps(steps: int) -> np.ndarray:
    """The steps the slider can be set to: multiples of a round stride (1, 2 or 5 times a
    power of ten, the smallest giving at most `SLIDER_STEPS` intervals) and the last step,
    so that its labels read 0, 10, 20, … rather than 0, 121, 241, …"""
    stride = next(m * 10**e for e in range(len(str(steps)) + 1) for m in (1, 2, 5) if m * 10**e * SLIDER_STEPS >= steps)
    return np.union1d(np.arange(0, steps + 1, stride), [steps])


def frame_steps(steps: int) -> np.ndarray:
    """The animation's steps: every step up to `MAX_FRAMES`, else `MAX_FRAMES` evenly
    spaced ones, each scrubber step in place of its nearest (the scrubber's steps are
    frames, and the count stays the same: scrubber steps are ≥ 4 frames apart)."""
    frames = np.unique(np.round(np.linspace(0, steps, min(steps + 1, MAX_FRAMES))).astype(int))
    stops = scrubber_steps(steps)
    frames[np.abs(frames[:, None] - stops[None, :]).argmin(axis=0)] = stops
    return np.unique(frames)


def frame_step(steps: int, k: int) -> int:
    """The scrubber position nearest to step ``k``: what a ``frame=k`` link opens at."""
    stops = scrubber_steps(steps)
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


def thinned(n: int, most: int) -> np.ndarray:
    """Indices of a drawn path: all ``n`` rows up to ``most``, else ``most`` evenly spaced
    ones, first and last included (the exact recent steps still travel in the tails)."""
    return np.arange(n) if n <= most else np.unique(np.linspace(0, n - 1, most).round().astype(int))


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
