"""The zoo: every optimizer (or one family) raced on one scenario, each at its best lr.

A fair race: the scenario's surface, first start point, steps and schedule for all; each
optimizer's other hyperparameters at the defaults of the scenario's convention (one the
convention cannot run is skipped). Each optimizer's lr comes from one sweep over `ZOO_LRS`
(one compiled call recording every path, `optviz.engine.family`), chosen by
`optviz.sweeps.best_lr`; entries are ranked by final loss, lowest first, and an optimizer
that diverged at every lr comes last.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from optviz.conventions import Unavailable
from optviz.engine import Family, Sweep, family
from optviz.optimizers import FAMILIES, family_members
from optviz.scenario import OptRun, Scenario
from optviz.sweeps import BEST_LR_DECADES, best_lr_index, lr_grid

# 0.1 decade apart over the lr's whole range (1e-6..10), so that `best_lr`'s ±0.1-decade
# window holds each lr's two grid neighbours.
ZOO_LRS = lr_grid(-6.0, 1.0, 71)
GRAD_EVALS = 1  # gradient evaluations per step, the same for every registered optimizer


@dataclass(frozen=True)
class ZooEntry:
    """One optimizer's run at its chosen lr (None: it diverged at every lr; ``path`` is
    then its smallest lr's, up to the divergence)."""

    name: str
    title: str
    family: str
    lr: float | None
    final_loss: float  # NaN if diverged
    path: np.ndarray
    loss: np.ndarray
    diverged_at: int | None
    converged_at: int | None


@dataclass(frozen=True)
class Zoo:
    """The ranked entries, the optimizers skipped (name → why) and the lr grid used."""

    entries: tuple[ZooEntry, ...]
    skipped: dict[str, str]
    lrs: np.ndarray
    family: str


def final_sweep(f: Family) -> Sweep:
    """A recorded `Family`'s outcome as a `Sweep` (final values only)."""
    last = np.maximum(f.rows - 1, 0)
    diverged = f.diverged_at >= 0
    at = np.arange(len(f.lrs))
    return Sweep(
        lrs=f.lrs,
        final_loss=np.where(diverged, np.nan, f.loss[at, last]),
        final=np.where(diverged[:, None], np.nan, f.path[at, last]),
        diverged_at=f.diverged_at,
        converged_at=f.converged_at,
    )


def race_scenario(scenario: Scenario, name: str) -> Scenario:
    """``scenario`` with one run of ``name`` (the convention's defaults) from its first start;
    raises `Unavailable` if the convention lacks it."""
    run = OptRun.of(name, scenario.convention)
    return dataclasses.replace(scenario, runs=(run,), starts=scenario.starts[:1], cloud="", cloud_params=())


def entry(scenario: Scenario, name: str, lrs: np.ndarray = ZOO_LRS) -> ZooEntry:
    """``name``'s sweep over ``lrs`` and its run at `best_lr`."""
    race = race_scenario(scenario, name)
    f = family(race, 0, lrs)
    at = best_lr_index(final_sweep(f), BEST_LR_DECADES)
    k = 0 if at is None else at
    rows = int(f.rows[k])
    return ZooEntry(
        name=name,
        title=race.runs[0].optimizer.title,
        family=FAMILIES.get(name, ""),
        lr=None if at is None else float(lrs[at]),
        final_loss=float(f.loss[k, rows - 1]) if at is not None else float("nan"),
        path=f.path[k, :rows],
        loss=f.loss[k, :rows],
        diverged_at=None if at is None else (int(f.diverged_at[k]) if f.diverged_at[k] >= 0 else None),
        converged_at=int(f.converged_at[k]) if at is not None and f.converged_at[k] >= 0 else None,
    )


def rank_key(e: ZooEntry) -> tuple[bool, float]:
    """Lowest final loss first; diverged (at every lr) last."""
    return (e.lr is None, e.final_loss if e.lr is not None else 0.0)


def zoo(scenario: Scenario, family_key: str = "", lrs: np.ndarray = ZOO_LRS) -> Zoo:
    """Every optimizer of family ``family_key`` ("" for all) raced on ``scenario``, ranked."""
    entries, skipped = [], {}
    for name in family_members(family_key):
        try:
            entries.append(entry(scenario, name, lrs))
        except Unavailable as why:
            skipped[name] = str(why)
    return Zoo(tuple(sorted(entries, key=rank_key)), skipped, np.asarray(lrs), family_key)
