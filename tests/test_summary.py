"""The map's text alternative: its title and one line per run, read from the Result."""

from __future__ import annotations

from optviz import Scenario, simulate
from optviz.summary import map_text, summary_rows, summary_table


def test_each_run_is_one_line_with_its_outcome_and_final_loss():
    link = "surface=quadratic&opt=sgd:lr=0.3&opt=sgd:lr=5&opt=sgd:lr=0.0001&steps=200&start=1,-0.5"
    result = simulate(Scenario.from_query(link).scenario)
    title, lines = map_text(result)
    converged, diverged, slow = (run.trajectories[0] for run in result.runs)
    assert converged.converged_at is not None and diverged.diverged_at is not None
    assert slow.converged_at is None and slow.diverged_at is None
    assert title == "Map of Quadratic bowl: 3 runs of 200 steps from (1, -0.5)"
    assert lines == [
        f"1. sgd lr=0.3: converged at step {converged.converged_at}, final f {converged.loss[-1]:.2g}",
        f"2. sgd lr=5: diverged at step {diverged.diverged_at}",
        f"3. sgd lr=0.0001: not converged, final f {slow.loss[-1]:.2g}",
    ]


def test_a_cloud_of_starts_is_one_line_with_its_counts():
    result = simulate(Scenario.from_query("surface=quadratic&opt=adam:lr=0.1&cloud=ring&steps=300").scenario)
    title, (line,) = map_text(result)
    n = len(result.runs[0].trajectories)
    converged = sum(t.converged_at is not None for t in result.runs[0].trajectories)
    assert title.endswith(f"from {n} start points")
    assert line.startswith(f"1. adam lr=0.1 ({n} starts, medians): {converged} of {n} converged")


def test_the_table_counts_gradients_per_step_only_when_a_run_takes_more_than_one():
    """SAM takes two gradients a step: with it on screen every row says its count; without it the
    table has no such column."""
    link = "surface=quadratic&opt=sgd:lr=0.3&steps=50&start=1,-0.5"
    plain = summary_rows(simulate(Scenario.from_query(link).scenario))
    assert "gradients per step" not in summary_table(plain)
    rows = summary_rows(simulate(Scenario.from_query(link + "&opt=sam:lr=0.3").scenario))
    assert [row["gradients per step"] for row in rows] == [1, 2]
    assert {k: v for k, v in rows[0].items() if k != "gradients per step"} == plain[0]
    cloud = summary_rows(simulate(Scenario.from_query(link + "&opt=sam:lr=0.3&cloud=ring").scenario))
    assert [row["gradients per step"] for row in cloud] == [1, 2]
