"""The gallery: every preset's link is clean and its claim holds on the computed result."""

import pytest

from optviz import Scenario, simulate, view
from optviz.presets import PRESETS, preset_for
from optviz.view import View


def test_at_least_twelve_presets_with_distinct_titles_and_scenarios():
    assert len(PRESETS) >= 12
    assert len({p.title for p in PRESETS.values()}) == len(PRESETS)
    assert len({p.scenario for p in PRESETS.values()}) == len(PRESETS)


@pytest.mark.parametrize("slug", PRESETS)
def test_preset_link_parses_cleanly_and_its_claim_holds(slug):
    preset = PRESETS[slug]
    parsed = Scenario.from_query(preset.link, ignore=view.KEYS)
    assert View.from_query(preset.link, parsed.scenario.steps).warnings == []
    assert parsed.warnings == []
    assert preset_for(parsed.scenario.to_query()) is preset
    verdict = preset.check(simulate(parsed.scenario))
    assert verdict.holds, verdict.evidence
    assert len(preset.note) >= 150 and preset.claim  # a paragraph, not a caption


def test_a_claim_that_stops_holding_fails():
    """The checks are not constant: the edge-of-stability claim fails once both lrs are stable."""
    preset = PRESETS["edge-of-stability"]
    stable = Scenario.from_query(preset.link.replace("lr=2.02", "lr=1.9")).scenario
    assert not preset.check(simulate(stable)).holds
    assert preset_for(stable.to_query()) is None


@pytest.mark.parametrize(
    ("slug", "old", "new"),
    [
        ("unscaled-features", "scale=10", "scale=1"),  # a round bowl: SGD at lr 0.2 converges too
        ("batch-noise-floor", "batch=1", "batch=32"),  # the whole data set: no noise floor
        ("neuron-mirror-minima", "start=1.5,-2.5", "start=-1.5,2.5"),  # both starts end at one minimum
    ],
)
def test_data_claims_fail_when_their_cause_is_removed(slug, old, new):
    preset = PRESETS[slug]
    assert old in preset.link
    changed = Scenario.from_query(preset.link.replace(old, new), ignore=view.KEYS).scenario
    assert not preset.check(simulate(changed)).holds


@pytest.mark.parametrize(
    ("slug", "old", "new"),
    [
        ("lamb-trust-ratio", "surface=booth", "surface=quadratic"),  # minimum at the origin: LAMB's steps shrink
        ("cocob-no-learning-rate", "opt=cocob", "opt=momentum:lr=0.01"),  # momentum's path depends on the scale
        ("ademamix-slow-memory", "ademamix:lr=0.05", "ademamix:lr=0.05,alpha=0"),  # no slow momentum: Adam
        ("schedule-free-noise", "schedule_free_sgd:lr=0.1", "momentum:lr=0.01"),  # no average: its own floor
        ("sam-flattest-minimum", "rho=0.2", "rho=0.0001"),  # no uphill look: SAM stops where SGD does
    ],
)
def test_optimizer_claims_fail_when_their_cause_is_removed(slug, old, new):
    preset = PRESETS[slug]
    assert old in preset.link
    changed = Scenario.from_query(preset.link.replace(old, new), ignore=view.KEYS).scenario
    assert not preset.check(simulate(changed)).holds
