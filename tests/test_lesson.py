"""The guided lesson: every step's claim holds on its computed result, and every step has
one link that opens it (round trip, short form, bad values fixed with a warning)."""

import dataclasses

import pytest

from optviz import Scenario, simulate, view
from optviz.lesson import LESSONS, OPTIMIZERS_LESSON, expand, fixed, step_view
from optviz.presets import PRESETS
from optviz.view import View

STEPS = [(name, k) for name, lesson in LESSONS.items() for k in range(1, len(lesson.steps) + 1)]


@pytest.mark.parametrize(("name", "k"), STEPS)
def test_each_steps_link_round_trips_and_its_claim_holds(name, k):
    lesson = LESSONS[name]
    step = lesson.steps[k - 1]
    link = lesson.link(k)
    parsed = Scenario.from_query(link, ignore=view.KEYS)
    shown, warnings = View.from_query(link, parsed.scenario.steps, len(parsed.scenario.runs))
    assert parsed.warnings == [] and warnings == [] and fixed(shown) == (shown, [])
    assert shown == View(lesson=name, step=k, theory=step_view(step).theory) and parsed.scenario == step.scenario
    assert link == parsed.scenario.to_query() + shown.to_query()
    verdict = step.check(simulate(step.scenario))
    assert verdict.holds, verdict.evidence
    assert step.title and step.claim and 80 <= len(step.note) <= 400  # a short text


def test_the_optimizer_lesson_tells_the_guides_story_in_order():
    steps = OPTIMIZERS_LESSON.steps
    runs = [{run.name for run in step.scenario.runs} for step in steps]
    assert runs[0] == runs[1] == {"sgd"}  # the learning rate: too small, then too large
    assert [
        min(k for k, names in enumerate(runs) if opt in names)
        for opt in ("momentum", "nesterov", "adagrad", "rmsprop", "adam")
    ] == [2, 3, 4, 5, 6]
    assert steps[-2].scenario.schedule == "warmup_cosine"
    assert "Theory" in steps[-1].title and step_view(steps[-1]).theory
    assert "fixes Adagrad" in steps[5].title and "momentum plus RMSprop" in steps[6].title
    assert len({step.scenario for step in steps}) == len(steps)


def test_a_step_retold_from_the_gallery_keeps_its_claim_and_check():
    step = OPTIMIZERS_LESSON.steps[3]
    preset = PRESETS["heavy-ball-vs-nesterov"]
    assert (step.link, step.claim, step.check) == (preset.link, preset.claim, preset.check)
    assert step.title != preset.title and len(step.note) < len(preset.note)


def test_the_adam_claim_fails_when_momentum_gets_a_stable_lr():
    step = OPTIMIZERS_LESSON.steps[6]
    stable = Scenario.from_query(step.link.replace("momentum:lr=0.05", "momentum:lr=0.001")).scenario
    assert not step.check(simulate(stable)).holds


def test_a_lesson_link_keeps_the_view_and_the_short_form_opens_the_step():
    in_class = OPTIMIZERS_LESSON.link(3, View(present=True))
    assert in_class.endswith("&present=1&lesson=optimizers&step=3")
    short = "lesson=optimizers&step=3&present=1"
    assert Scenario.from_query(expand(short), ignore=view.KEYS).scenario == OPTIMIZERS_LESSON.steps[2].scenario
    assert View.from_query(expand(short), 2000)[0] == View(present=True, lesson="optimizers", step=3)
    changed = OPTIMIZERS_LESSON.link(3).replace("lr=0.001", "lr=0.002")  # a link's own scenario wins
    assert expand(changed) == changed and expand("v=1&surface=beale") == "v=1&surface=beale"


def test_bad_lesson_values_are_fixed_with_a_warning():
    assert View.from_query("lesson=<b>x</b>&step=2", 10) == (View(), [View.from_query("lesson=<b>x</b>", 10)[1][0]])
    assert View.from_query("step=2", 10)[0] == View() and len(View.from_query("step=2", 10)[1]) == 1
    shown, warnings = fixed(View(lesson="nosuch", step=2))
    assert shown == View() and "nosuch" in warnings[0]
    last = len(OPTIMIZERS_LESSON.steps)
    shown, warnings = fixed(View(lesson="optimizers", step=99))
    assert shown == dataclasses.replace(shown, step=last) and shown.step == last and len(warnings) == 1
    assert expand("lesson=nosuch&step=2") == "lesson=nosuch&step=2"


def test_the_theory_step_opens_with_theory_and_fails_when_a_rate_is_misread():
    """The last step's link (and its short form) turns theory on; its check compares each
    run's measured rate with ρ, so a run that theory does not describe fails it."""
    last = len(OPTIMIZERS_LESSON.steps)
    step = OPTIMIZERS_LESSON.steps[-1]
    assert View.from_query(expand(f"lesson=optimizers&step={last}"), 200)[0].theory
    assert View.from_query(OPTIMIZERS_LESSON.link(last), 200)[0].theory
    assert not View.from_query(OPTIMIZERS_LESSON.link(last - 1), 200)[0].theory
    scheduled = Scenario.from_query(step.link.replace("schedule=constant", "") + "&schedule=cosine").scenario
    assert not step.check(simulate(scheduled)).holds  # no constant lr: no prediction to match
