"""The zoo's race (`optviz.zoo`): ranking, paths and best lrs against independent runs."""

import dataclasses

import numpy as np
import pytest

from optviz import OptRun, Scenario, simulate
from optviz.engine import sweep
from optviz.optimizers import FAMILY_KEYS, family_members
from optviz.sweeps import best_lr
from optviz.zoo import ZOO_LRS, zoo

QUADRATIC = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.1&steps=200&start=-1.5,1.5&start=1,1").scenario


@pytest.fixture(scope="module")
def plain():
    return zoo(QUADRATIC, "plain")


def test_every_family_key_names_members_and_all_is_their_union():
    assert set(FAMILY_KEYS) >= {"plain", "adaptive", "sign"}
    union = [n for key in FAMILY_KEYS for n in family_members(key)]
    assert sorted(union) == sorted(family_members()) and family_members("plain") == ["sgd", "momentum", "nesterov"]


def test_entries_are_ranked_by_final_loss(plain):
    assert [e.name for e in plain.entries] != [] and {e.name for e in plain.entries} == {"sgd", "momentum", "nesterov"}
    losses = [e.final_loss for e in plain.entries]
    assert losses == sorted(losses) and all(np.isfinite(losses))


def test_an_entrys_lr_is_best_lr_of_an_independent_sweep_and_its_path_is_simulate(plain):
    for e in plain.entries:
        run = OptRun.of(e.name, lr=1e-3)
        one = dataclasses.replace(QUADRATIC, runs=(run,), starts=QUADRATIC.starts[:1])
        assert e.lr == best_lr(sweep(one, 0, ZOO_LRS))
        tuned = dataclasses.replace(one, runs=(OptRun.of(e.name, lr=e.lr),))
        path = simulate(tuned).runs[0].path
        np.testing.assert_allclose(e.path, path, rtol=1e-12, atol=1e-15)
        assert e.final_loss == pytest.approx(simulate(tuned).runs[0].loss[-1], rel=1e-12)


def test_an_optimizer_that_diverges_at_every_lr_ranks_last():
    """On the monkey saddle nothing has a minimum: every lr of every run diverges."""
    scenario = Scenario.from_query("surface=monkey_saddle&opt=sgd:lr=0.1&steps=300").scenario
    race = zoo(scenario, "plain", lrs=np.array([0.5, 1.0, 5.0]))
    assert all(e.lr is None and np.isnan(e.final_loss) for e in race.entries)


def test_a_convention_that_lacks_an_optimizer_skips_it():
    scenario = Scenario.from_query("conv=pytorch&surface=quadratic&opt=sgd:lr=0.1&steps=50").scenario
    race = zoo(scenario, "sign", lrs=np.array([0.01, 0.1]))
    assert "signum" in race.skipped and "signum" not in {e.name for e in race.entries}
