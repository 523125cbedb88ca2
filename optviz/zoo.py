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
import functools
import math
from dataclasses import dataclass

import numpy as np

from optviz.conventions import Unavailable, resolve
from optviz.engine import Family, Sweep, family
from optviz.optimizers import FAMILIES, LR, family_members
from optviz.optimizers.curvature import HESSIAN_INTERVAL
from optviz.scenario import OptRun, Scenario
from optviz.sweeps import best_lr_index, lr_grid

# 0.1 decade apart over the lr's whole range (1e-6..10), so that `best_lr`'s ±0.1-decade
# window holds each lr's two grid neighbours.
ZOO_LRS = lr_grid(math.log10(LR.lo), math.log10(LR.hi), 71)
RULE = (
    "each optimizer at the lr of a sweep over 71 lrs from 10⁻⁶ to 10 (0.1 decade apart) that ends lowest "
    "together with its neighbours (±0.1 decade), its other hyperparameters at their defaults; the same "
    "surface, start, steps and schedule for all; ranked by final loss (ties by the step they converged at), "
    "an optimizer that diverged at every lr last"
)


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
    converged_at: int | None
    link: str  # the explorer's link to this run (its lr, else its smallest lr)
    grad_evals: float = 1.0  # gradient evaluations per step of this run (`Trajectory.grad_evals`)
    convention: str = "optax"  # whose rule ran (`optviz.conventions`)


@dataclass(frozen=True)
class Zoo:
    """The ranked entries and the optimizers skipped (name → why)."""

    entries: tuple[ZooEntry, ...]
    skipped: dict[str, str]


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
    f = family(race, 0, lrs, race=True)
    at = best_lr_index(final_sweep(f))
    k = 0 if at is None else at
    rows = int(f.rows[k])
    chosen = OptRun.of(name, scenario.convention, lr=float(lrs[k]))
    return ZooEntry(
        name=name,
        title=race.runs[0].optimizer.title,
        family=FAMILIES.get(name, ""),
        lr=None if at is None else float(lrs[at]),
        final_loss=float(f.loss[k, rows - 1]) if at is not None else float("nan"),
        path=f.path[k, :rows],
        converged_at=int(f.converged_at[k]) if f.converged_at[k] >= 0 else None,
        link=dataclasses.replace(race, runs=(chosen,)).to_query(),
        grad_evals=float(f.grad_evals[k]),
        convention=scenario.convention,
    )


def rank_key(e: ZooEntry) -> tuple[bool, float, float]:
    """Lowest final loss first, ties (e.g. several at exactly 0) by the earlier convergence;
    diverged (at every lr) last."""
    if e.lr is None:
        return (True, 0.0, 0.0)
    return (False, e.final_loss, np.inf if e.converged_at is None else e.converged_at)


def zoo(scenario: Scenario, family_key: str = "", lrs: np.ndarray = ZOO_LRS) -> Zoo:
    """Every optimizer of family ``family_key`` ("" for all) raced on ``scenario``, ranked."""
    entries, skipped = [], {}
    for name in family_members(family_key):
        try:
            entries.append(entry(scenario, name, lrs))
        except (Unavailable, ValueError) as why:  # not in this framework; needs an f* the surface lacks
            skipped[name] = str(why)
    return Zoo(tuple(sorted(entries, key=rank_key)), skipped)


@functools.lru_cache(maxsize=4)  # a race keeps ≤ ~6 MB of paths (36 × 10,001 rows)
def _raced(ground: Scenario, family_key: str) -> Zoo:
    return zoo(ground, family_key)


def raced(scenario: Scenario, family_key: str = "") -> Zoo:
    """`zoo` over `ZOO_LRS`, kept for the last few races: a race reads only the surface, the
    first start, steps, schedule, seed, batch and convention, so changing a run's lr or
    adding a run finds it again."""
    return _raced(race_scenario(scenario, "sgd"), family_key)


def evaluations(e: ZooEntry) -> str:
    """What one step of the entry's run evaluates: its gradients (one; two for SAM; for a line
    search, the mean its searches spent, `Trajectory.grad_evals`); the loss-value ones
    (`Optimizer.needs_value`) and a line search read the loss of the same evaluations; Sophia's
    Hessian probes (`Optimizer.hessian`) add a Hessian-vector product every few steps."""
    optimizer = resolve(e.name, e.convention)
    count = f"{e.grad_evals:.3g}" if optimizer.line_search else str(optimizer.grad_evals)
    loss = " and their losses" if optimizer.line_search else " + its loss" if optimizer.needs_value else ""
    probe = f" + a Hessian-vector product every {HESSIAN_INTERVAL} steps" if optimizer.hessian else ""
    return f"{count} gradient{'' if count == '1' else 's'}{loss}{probe}"


def zoo_rows(race: Zoo) -> list[dict]:
    """The ranking as table rows (`optviz.summary.summary_table`): rank, optimizer, family,
    the chosen lr, final loss, the step it converged at and its evaluations per step."""
    return [
        {
            "rank": k + 1,
            "optimizer": e.title,
            "family": e.family,
            "lr": e.lr,
            "final loss": None if e.lr is None else e.final_loss,
            "converged at step": e.converged_at,
            "evaluations per step": evaluations(e),
        }
        for k, e in enumerate(race.entries)
    ]
