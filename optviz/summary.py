"""The table under the map: per run and start, the final loss, the distance to the nearest
known minimum and when it converged or diverged, as the Markdown table the page shows; and
the same outcomes as the map's text alternative (one line per run, for screen readers and
the gallery's pictures)."""

from __future__ import annotations

import jax
import numpy as np

from optviz.batches import epochs
from optviz.engine import Result
from optviz.figures.frames import MAX_DRAWN
from optviz.literal import markdown_text
from surfaces.data import points


def summary_rows(result: Result) -> list[dict]:
    """One row per run and start: final loss, distance to the nearest known minimum,
    converged/diverged step. A diverged run is flagged, never silently cut. A run with
    more than `MAX_DRAWN` starts gets one row: medians, and counts in its status. On a
    data surface a row also counts the passes over the data its steps made (epochs), and where a
    run costs more than one gradient a step (SAM's two, a line search's trials: the trajectory's
    ``grad_evals``), every row says its count (a cloud's row, the median)."""
    rows = []
    passes = _epochs(result.scenario)
    costs = _gradients(result)
    for i, run in enumerate(result.runs):
        if len(run.trajectories) > MAX_DRAWN:
            cost = float(np.median([t.grad_evals for t in run.trajectories]))
            rows.append(_cloud_row(i, run) | passes(result.scenario.steps) | costs(cost))
            continue
        for j, t in enumerate(run.trajectories):
            label = run.run.label if len(run.trajectories) == 1 else f"{run.run.label} (start {j + 1})"
            rows.append(
                {
                    "run": f"{i + 1}. {label}",
                    "final loss": float(t.loss[-1]) if len(t.loss) else None,
                    "distance to nearest minimum": t.final_distance,
                    "converged at step": t.converged_at,
                    "diverged at step": t.diverged_at,
                    "status": "⚠ diverged"
                    if t.diverged_at is not None
                    else "✓ converged"
                    if t.converged_at is not None
                    else "not converged",
                }
                | passes(len(t.grad))
                | costs(t.grad_evals)
            )
    return rows


def _gradients(result: Result):
    """``count -> {"gradients per step": count}`` when some run costs more than one gradient a
    step, else ``{}``."""
    if all(t.grad_evals == 1 for run in result.runs for t in run.trajectories):
        return lambda count: {}
    return lambda count: {"gradients per step": count}


def _epochs(scenario):
    """``steps -> {"epochs": passes over the data}`` on a data surface, else ``{}``."""
    if scenario.surface_def.data is None:
        return lambda steps: {}
    n = points(dict(scenario.surface_params))
    return lambda steps: {"epochs": epochs(steps, n, scenario.batch)}


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


def outcome(row: dict, cloud: bool = False) -> str:
    """One `summary_rows` row in words: ``"1. adam lr=0.05: converged at step 66, final f
    1.2e-12"``; a diverged run says when, a cloud's row (``cloud``: medians over more than
    `MAX_DRAWN` starts) gives its counts."""
    if cloud:
        what = row["status"].replace("⚠ ", "")
    elif row["diverged at step"] is not None:
        return f"{row['run']}: diverged at step {row['diverged at step']}"
    elif row["converged at step"] is not None:
        what = f"converged at step {row['converged at step']}"
    else:
        what = "not converged"
    loss = row["final loss"]
    return f"{row['run']}: {what}" + ("" if loss is None else f", final f {loss:.2g}")


def map_text(result: Result) -> tuple[str, list[str]]:
    """The map's text alternative: its title (the surface, the runs, the steps, where they
    start) and one line per run and start (`outcome`), from the same rows as the table."""
    scenario = result.scenario
    x, y = scenario.starts[0]
    starts = f"from ({x:.3g}, {y:.3g})" if len(scenario.starts) == 1 else f"from {len(scenario.starts)} start points"
    runs = f"{len(result.runs)} run" + ("s" if len(result.runs) > 1 else "")
    title = f"Map of {scenario.surface_def.title}: {runs} of {scenario.steps} steps {starts}"
    cloud = len(scenario.starts) > MAX_DRAWN
    return title, [outcome(row, cloud) for row in summary_rows(result)]
