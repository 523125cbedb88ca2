"""The zoo in a real browser: its pictures are drawn, sit side by side on a laptop and two a
row on a phone, and a click on one opens that run in the 2-D map."""

from __future__ import annotations

from browser import IDLE, chromium

from optviz import Scenario
from optviz.zoo import raced
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_browser import query, ready

LINK = "surface=quadratic:kappa=10&opt=sgd:lr=0.1&steps=60&start=-1.5,1.5"
PANELS = """() => [...document.querySelectorAll('.zoo-grid figure')].map((f) => {
  const box = f.getBoundingClientRect(), img = f.querySelector('img');
  return [box.left, box.top, box.width, img.naturalWidth, f.querySelector('a').getAttribute('href')]; })"""


def open_zoo(page, app: str, family: str):
    page.goto(f"{app}/?{LINK}&view=zoo&zoo={family}")
    page.locator(".zoo-grid img").first.wait_for(timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_function("() => [...document.querySelectorAll('.zoo-grid img')].every((i) => i.complete)")
    return page.evaluate(PANELS)


def test_the_pictures_are_drawn_in_rank_order_and_a_click_opens_the_run(app, page):
    panels = open_zoo(page, app, "adaptive")
    race = raced(Scenario.from_query(LINK).scenario, "adaptive")
    assert [p[4] for p in panels] == [f"?{e.link}" for e in race.entries]  # the links survive sanitising
    assert all(p[3] == 160 for p in panels)  # every picture decoded
    rows = sorted({round(p[1]) for p in panels})
    assert len(rows) < len(panels) and len([p for p in panels if round(p[1]) == rows[0]]) >= 4  # side by side
    page.screenshot(path=ARTIFACTS / "zoo-laptop.png")
    page.locator(".zoo-grid a").first.click()
    ready(page)
    assert query(page)["opt"] == [Scenario.from_query(race.entries[0].link).scenario.runs[0].to_text()]
    assert "view" not in query(page)


def test_a_phone_shows_two_pictures_a_row(app, playwright):
    with chromium(playwright, (390, 844)) as context:
        page = context.new_page()
        panels = open_zoo(page, app, "sign")
        lefts = sorted({round(p[0]) for p in panels})
        assert len(lefts) == 2 and all(p[2] >= 150 for p in panels)
        page.screenshot(path=ARTIFACTS / "zoo-phone.png")
