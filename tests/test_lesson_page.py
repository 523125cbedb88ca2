"""The guided lesson on the page (AppTest): a step's link opens its scenario with its text
and checked claim; Previous and Next step through the lesson's links; the gallery starts it."""

from streamlit.testing.v1 import AppTest

from optviz.lesson import OPTIMIZERS_LESSON
from tests.test_app import APP, open_app, url, url_scenario

STEPS = OPTIMIZERS_LESSON.steps


def bar(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_a_step_link_opens_its_scenario_and_next_and_previous_step_through():
    at = open_app(lesson="optimizers", step="1")
    assert url(at)["lesson"] == "optimizers" and url(at)["step"] == "1"
    assert url_scenario(at).scenario == STEPS[0].scenario and not at.warning
    assert STEPS[0].title in bar(at) and STEPS[0].note in bar(at)
    assert len(at.success) == 1 and "✓ Holds" in at.success[0].value and STEPS[0].claim in at.success[0].value
    assert at.button(key="lesson_previous").disabled
    at.button(key="lesson_next").click().run()
    assert url(at)["step"] == "2" and url_scenario(at).scenario == STEPS[1].scenario
    assert len(at.success) == 1 and STEPS[1].claim in at.success[0].value  # the lesson's banner, not the preset's too
    at.button(key="lesson_previous").click().run()
    assert url(at)["step"] == "1" and url_scenario(at).scenario == STEPS[0].scenario


def test_the_last_step_in_projector_mode_keeps_present_and_has_no_next():
    at = open_app(lesson="optimizers", step=str(len(STEPS)), present="1")
    assert url(at)["present"] == "1" and url_scenario(at).scenario == STEPS[-1].scenario
    assert at.button(key="lesson_next").disabled
    at.button(key="lesson_previous").click().run()
    assert url(at)["present"] == "1" and url(at)["step"] == str(len(STEPS) - 1)


def test_a_changed_scenario_says_so_and_goes_back_and_a_bad_lesson_is_a_notice():
    at = open_app(lesson="optimizers", step="1", opt="sgd:lr=0.02")
    assert url_scenario(at).scenario != STEPS[0].scenario and not at.success
    assert STEPS[0].claim in at.info[0].value
    at.button(key="lesson_again").click().run()
    assert url_scenario(at).scenario == STEPS[0].scenario and "✓ Holds" in at.success[0].value
    at.button(key="lesson_leave").click().run()
    assert "lesson" not in url(at) and "step" not in url(at)
    bad = open_app(lesson="nosuch", step="2")
    assert "lesson" not in url(bad) and "nosuch" in bad.warning[0].value


def test_the_gallery_starts_the_lesson():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = "gallery"
    at.run()
    at.button(key="lesson.optimizers").click().run()
    assert "page" not in url(at) and url(at)["step"] == "1" and url_scenario(at).scenario == STEPS[0].scenario
