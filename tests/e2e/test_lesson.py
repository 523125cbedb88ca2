"""The guided lesson in Chromium: a step's link opens its scenario, Next moves the link and
the drawn map to the next step's scenario and Back returns; in projector mode Previous,
Next, Play/Pause and the scrubber fit 1280×720. Screenshots of a step at 1280×720 and a
phone's 390×844 go to the artifacts (docs/lesson*.png come from scripts/pictures.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from optviz import Scenario, view
from optviz.lesson import OPTIMIZERS_LESSON
from tests.e2e.conftest import ARTIFACTS, MAP, fresh_context
from tests.e2e.test_browser import ready
from tests.e2e.test_classroom import BOXES, union

STEPS = OPTIMIZERS_LESSON.steps
RUNS_DRAWN = """(chart) => [...document.querySelector(chart).querySelectorAll('.legend .traces')]
    .map((e) => e.textContent.split('⚠')[0].trim()).filter((name) => name !== 'known minima')"""


def link_of(page) -> tuple[dict, Scenario]:
    """The address bar's view keys and scenario."""
    query = urlsplit(page.url).query
    keys = {k: v[0] for k, v in parse_qs(query).items() if k in view.KEYS}
    return keys, Scenario.from_query(query, ignore=view.KEYS).scenario


def wait_for_step(page, k: int) -> None:
    """The address bar says step k and the map draws step k's runs."""
    labels = [run.label for run in STEPS[k - 1].scenario.runs]
    page.wait_for_function("(k) => new URLSearchParams(location.search).get('step') === String(k)", arg=k)
    page.wait_for_function(
        f"(labels) => JSON.stringify(({RUNS_DRAWN})({MAP!r})) === JSON.stringify(labels)", arg=labels, timeout=60_000
    )


def test_next_opens_the_next_steps_link_and_map_and_back_returns(app, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app}/?lesson=optimizers&step=1")
    ready(page)
    keys, scenario = link_of(page)
    assert keys == {"lesson": "optimizers", "step": "1"} and scenario == STEPS[0].scenario
    assert page.evaluate(RUNS_DRAWN, MAP) == ["sgd lr=0.01", "sgd lr=0.5"]
    assert page.get_by_role("button", name="◀ Previous").is_disabled()
    page.get_by_role("button", name="Next ▶").click()
    wait_for_step(page, 2)
    keys, scenario = link_of(page)
    assert keys == {"lesson": "optimizers", "step": "2"} and scenario == STEPS[1].scenario
    assert page.evaluate(RUNS_DRAWN, MAP) == ["sgd lr=1.98", "sgd lr=2.02"]  # the next step's lrs
    sidebar = page.get_by_test_id("stSidebar")  # its controls show the step too (a whole-page rerun)
    assert (
        sidebar.locator("[data-testid=stNumberInput]").filter(has_text="steps").locator("input").input_value() == "500"
    )
    assert [box.input_value() for box in sidebar.locator("[class*=-lr-box] input").all()] == ["1.98", "2.02"]
    assert page.get_by_text("✓ Holds").is_visible()
    page.go_back()
    wait_for_step(page, 1)
    assert link_of(page)[1] == STEPS[0].scenario


def test_in_projector_mode_previous_next_and_the_map_controls_fit_1280x720(app, browser):
    """Step 6 (two runs) to step 7 (three runs, a second legend row): the lesson's row,
    Play/Pause, the scrubber and every legend entry stay inside the window."""
    with fresh_context(browser, (1280, 720)) as context:
        page = context.new_page()
        page.goto(f"{app}/?lesson=optimizers&step=6&present=1")
        ready(page)
        assert len(page.evaluate(RUNS_DRAWN, MAP)) == 2
        page.get_by_role("button", name="Next ▶").click()
        wait_for_step(page, 7)
        assert link_of(page)[0] == {"present": "1", "lesson": "optimizers", "step": "7"}
        assert page.evaluate(RUNS_DRAWN, MAP) == ["momentum lr=0.05", "rmsprop lr=0.05", "adam lr=0.05"]
        page.wait_for_timeout(500)
        boxes = page.evaluate(BOXES, MAP)
        nav = [page.get_by_role("button", name=name).bounding_box() for name in ("◀ Previous", "Next ▶")]
        drawn = [[b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]] for b in nav]
        for box in [*drawn, union(boxes["buttons"]), boxes["slider"], *(b for _, b in boxes["legend"])]:
            assert 0 <= box[1] and box[3] <= 720 and 0 <= box[0] and box[2] <= 1280, box
        page.screenshot(path=ARTIFACTS / "lesson-projector-1280x720.png")
        page.get_by_role("button", name="This step").click()
        page.get_by_text("✓ Holds").wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=ARTIFACTS / "lesson-projector-step-1280x720.png")


def test_screenshots_of_a_step_on_a_laptop_and_a_phone(app, browser):
    for size in ((1280, 720), (390, 844)):
        with fresh_context(browser, size) as context:
            page = context.new_page()
            page.goto(f"{app}/?lesson=optimizers&step=7")
            ready(page)
            page.get_by_text("✓ Holds").wait_for()
            next_box = page.get_by_role("button", name="Next ▶").bounding_box()
            assert next_box["x"] + next_box["width"] <= size[0] and next_box["y"] + next_box["height"] <= size[1]
            page.screenshot(path=ARTIFACTS / f"lesson-{size[0]}x{size[1]}.png")
