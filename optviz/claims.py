"""What a gallery entry is — a link, the claim it shows and the check that proves it on
the computed result — and the helpers the checks share (`optviz.preset_checks`,
`optviz.data_presets`, `optviz.optimizer_presets`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from optviz.engine import Result, Trajectory, simulate
from optviz.scenario import Scenario
from optviz.view import KEYS as VIEW_KEYS

SEEDS = range(8)  # a claim about noisy runs holds on the mean over these seeds, not on one lucky seed


class Verdict(NamedTuple):
    holds: bool
    evidence: str


@dataclass(frozen=True)
class Preset:
    """A gallery entry: ``link`` opens it, ``claim`` says what it shows, ``check`` proves it."""

    slug: str
    title: str
    note: str
    link: str
    claim: str
    check: Callable[[Result], Verdict]

    @property
    def scenario(self) -> Scenario:
        return Scenario.from_query(self.link, ignore=VIEW_KEYS).scenario


def run_of(result: Result, run: int, start: int = 0) -> Trajectory:
    """Run ``run``'s trajectory from start ``start``."""
    return result.runs[run].trajectories[start]


def distance(t: Trajectory) -> float:
    """The final distance to the nearest known minimum (infinite if none is known)."""
    return math.inf if t.final_distance is None else t.final_distance


def step_text(t: Trajectory | None) -> str:
    """How a run ended, in words."""
    if t is None:
        return "-"
    return (
        f"diverged at step {t.diverged_at}"
        if t.diverged_at is not None
        else f"converged at step {t.converged_at}"
        if t.converged_at is not None
        else f"{distance(t):.3g} from the nearest minimum"
    )


def variant(result: Result, **changes) -> Result:
    """The result of ``result``'s scenario with ``changes`` (fields of `Scenario`)."""
    return simulate(dataclasses.replace(result.scenario, **changes))
