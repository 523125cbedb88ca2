"""Theory on the picture in a real browser (``theory=1``): the dashed envelope drawn on the
map's loss panel (and kept through Play), the largest stable lr under the lr control,
the reason shown where theory does not apply, and a click on the (lr, β) plane writing
the run's lr and β into the link."""

from __future__ import annotations

from tests.e2e.conftest import ARTIFACTS, MAP
from tests.e2e.test_browser import query, ready

QUADRATIC = "surface=quadratic:kappa=10&opt=sgd:lr=0.5&opt=momentum:lr=0.3,momentum=0.5&steps=200"
THEORY_TRACES = """(chart) => document.querySelector(chart).data
    .filter((t) => (t.name || '').startsWith('theory:')).map((t) => [t.name, (t.line || {}).dash, t.yaxis])"""


def test_the_envelope_and_the_stable_lr_are_drawn_and_survive_play(app, page):
    page.goto(f"{app}/?{QUADRATIC}&theory=1")
    ready(page)
    drawn = page.evaluate(THEORY_TRACES, MAP)
    dashed = [name for name, dash, axis in drawn if dash == "dash" and axis == "y2"]
    assert len(dashed) == 2 and "ρ = 0.95" in dashed[0]  # |1 − 0.5·1| on the flat direction: 1 − 0.05
    assert page.get_by_text("stable below 2", exact=True).is_visible()
    assert page.get_by_text("stable below 3", exact=True).is_visible()
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_timeout(1500)
    assert page.evaluate(THEORY_TRACES, MAP) == drawn
    assert page.locator(f"{MAP} .scatterlayer .trace").count() >= len(drawn)
    page.screenshot(path=ARTIFACTS / "theory-quadratic.png")


def test_where_theory_does_not_apply_the_page_says_so_and_draws_no_envelope(app, page):
    page.goto(f"{app}/?surface=rosenbrock&opt=adam:lr=0.01&steps=200&theory=1")
    ready(page)
    assert page.get_by_text("Theory does not apply to any run on screen").is_visible()
    assert not [name for name, dash, _ in page.evaluate(THEORY_TRACES, MAP) if dash == "dash"]


def test_a_click_on_the_plane_sets_the_runs_lr_and_beta(app, page):
    page.goto(f"{app}/?{QUADRATIC}&view=plane&run=1")
    page.locator(".st-key-plane_chart .js-plotly-plot").wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    box = page.locator(".st-key-plane_chart .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.6)
    page.wait_for_function(
        "() => new URLSearchParams(location.search).getAll('opt')[1] !== 'momentum:lr=0.3,momentum=0.5'", timeout=60_000
    )
    sgd, momentum = query(page)["opt"]
    assert sgd == "sgd:lr=0.5" and momentum.startswith("momentum:lr=") and ",momentum=" in momentum


def test_ticking_theory_makes_room_for_the_stable_lr_under_the_lr_controls(app, page):
    page.goto(f"{app}/?{QUADRATIC}")
    ready(page)
    assert page.get_by_text("stable below 2", exact=True).count() == 0 and not page.evaluate(THEORY_TRACES, MAP)
    page.get_by_text("theory", exact=True).click()
    page.get_by_text("stable below 2", exact=True).wait_for(timeout=60_000)
    page.wait_for_function("() => new URLSearchParams(location.search).get('theory') === '1'", timeout=60_000)
    ready(page)
    slider = page.get_by_role("slider", name="log₁₀ lr").first.bounding_box()
    box = page.get_by_role("spinbutton", name="lr").first.bounding_box()
    assert abs(slider["y"] - box["y"]) < 40  # still side by side, the note under them
