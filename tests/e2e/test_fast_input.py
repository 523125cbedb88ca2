"""Fast input in a real browser: no change is lost, and at idle the slider, the number box,
the legend and the link show the same lr; Back and Forward step through scenarios.
"""

from __future__ import annotations

import random
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from optviz import Scenario
from tests.e2e.conftest import measure
from tests.e2e.test_browser import ready

STEP = 0.05  # the log10 lr slider's step
SLIDER = "[class*='st-key-run{}-sgd-lr-exp'] input[type=range]"
BOX = "[class*='st-key-run{}-sgd-lr-box'] input"


def legend(page) -> list[str]:
    """The legend's entries as plotly drew them on the map (one place to adapt if the map changes)."""
    return page.locator(".st-key-map .legendtext").all_text_contents()


def sgd_lr(page, run: int = 0) -> dict[str, float]:
    """Run ``run``'s lr as each place shows it, to 3 significant digits."""
    exponent = float(page.locator(SLIDER.format(run)).input_value())
    (opt,) = [o for o in parse_qs(urlsplit(page.url).query)["opt"] if o.startswith("sgd:")]
    (entry,) = [e for e in legend(page) if e.startswith("sgd lr=")]
    values = {
        "slider": 10**exponent,
        "box": float(page.locator(BOX.format(run)).input_value()),
        "link": float(opt.split("lr=")[1].split(",")[0]),
        "legend": float(entry.split("=")[1].split()[0]),
    }
    return {where: float(f"{v:.3g}") for where, v in values.items()}


def press(page, run: int, times: int, rng: random.Random) -> None:
    """Focus run's slider and press → ``times`` times, 20–40 ms apart."""
    page.locator(SLIDER.format(run)).focus()
    for _ in range(times):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(rng.uniform(20, 40))


def exponent(page, run: int = 0) -> float:
    return float(page.locator(SLIDER.format(run)).input_value())


def settle(page) -> None:
    """Idle: the script has stopped and stays stopped for a moment."""
    for _ in range(2):
        ready(page)
        page.wait_for_timeout(300)


@pytest.mark.parametrize("k", range(10))
def test_fast_presses_typing_and_runs_lose_nothing(app, context, k):
    """Ten fresh pages (one a test, so that they run side by side): → pressed 20–30 times
    20–40 ms apart on the first run's lr slider, a run added while the reruns run, a value
    typed into the lr box, more presses, and the added run removed while a rerun runs.
    Every press arrives; slider, box, legend and link agree."""
    rng = random.Random(20 + k)
    started = time.perf_counter()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app)
    ready(page)
    first, second = rng.randint(10, 15), rng.randint(10, 15)
    press(page, 0, first, rng)
    page.get_by_role("button", name="+ add a run").click()  # while the presses' reruns run
    settle(page)
    assert round((exponent(page) + 3.0) / STEP) == first  # every press arrived
    assert len(set(sgd_lr(page).values())) == 1, sgd_lr(page)
    assert len(parse_qs(urlsplit(page.url).query)["opt"]) == 4
    box = page.locator(BOX.format(0))
    box.fill("0.0001")
    box.press("Enter")
    settle(page)  # a typed lr redraws the slider: a person then puts the focus on the new one
    assert exponent(page) == -4.0
    press(page, 0, second, rng)
    page.locator(".st-key-remove3 button").first.click()  # the added run (id 3), while a rerun runs
    settle(page)
    shown = sgd_lr(page)
    assert round((exponent(page) + 4.0) / STEP) == second and len(set(shown.values())) == 1, shown
    assert shown["link"] == float(f"{10 ** (-4 + second * STEP):.3g}")
    assert len(parse_qs(urlsplit(page.url).query)["opt"]) == 3 and errors == []
    if k == 0:
        took = time.perf_counter() - started
        measure("fast input: one page of 20-30 presses, a typed lr, a run added and removed", took, "s")


def test_back_and_forward_step_through_scenarios(app, page):
    """Each lr change is a history entry; Back shows exactly the previous entry's scenario
    (slider, box, legend, link), Back past the first leaves the app, Forward comes back."""
    first = f"{app}/?{Scenario().to_query()}"
    page.goto(first)
    ready(page)
    links, box = [page.url], page.locator(BOX.format(0))
    for lr in ("0.00112", "0.00126", "0.00141"):  # on the slider's grid: 10^-2.95, 10^-2.9, 10^-2.85
        box.fill(lr)
        box.press("Enter")
        page.wait_for_function(f"() => new URLSearchParams(location.search).getAll('opt')[0] === 'sgd:lr={lr}'")
        settle(page)
        links.append(page.url)
    for back in reversed(links[:-1]):
        page.go_back()
        page.wait_for_function("url => location.href === url", arg=back)
        settle(page)
        run = int(
            page.locator("[class*='st-key-run'][class*='-sgd-lr-box']")
            .first.get_attribute("class")
            .split("st-key-run")[1]
            .split("-")[0]
        )
        shown = sgd_lr(page, run)
        expected = parse_qs(urlsplit(back).query)["opt"][0].split("lr=")[1]
        assert set(shown.values()) == {float(expected)}, (back, shown)
        assert page.url == back
    page.go_back()
    assert page.url == "about:blank"  # Back past the first scenario leaves the app
    page.go_forward()
    ready(page)
    assert page.url == first and sgd_lr(page)["box"] == 0.001
