"""Accessibility in Chromium: axe-core (the `axe-playwright-python` package bundles its
JS) finds no serious or critical violation on the explorer, the gallery, the sweep, a
lesson step and projector mode; every control of the explorer is reached by Tab and works
from the keyboard (the lr slider, Play/Pause and the scrubber that map.js makes
focusable); the map's text alternative is in the page; on a touch phone a tap plays the
map and a tap on the map moves the start."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import IDLE, fresh_context  # scripts/browser.py (on sys.path from conftest)

from optviz import Scenario, simulate
from optviz.summary import map_text
from tests.e2e.conftest import ARTIFACTS, MAP
from tests.e2e.test_browser import MAP_POINT, ready, wait_until

# Pages: link, what shows it is drawn.
IMAGES_DRAWN = """() => { const images = [...document.querySelectorAll('[data-testid="stImage"] img')];
    return images.length > 0 && images.every((i) => i.complete && i.naturalWidth > 0); }"""
PAGES = {
    "explorer": ("", None),
    "gallery": ("page=gallery", IMAGES_DRAWN),
    "sweep": ("view=sweep", "() => document.querySelector('.st-key-sweep_chart .js-plotly-plot .scatterlayer')"),
    "lesson": ("lesson=optimizers&step=1", None),
    "present": ("present=1", None),
}
SERIOUS = ("serious", "critical")
# What Tab should reach: every enabled control that is shown (not in a closed expander).
# Where Streamlit keeps several elements as one tab stop (a radio group or the tabs: the
# checked one, then the arrow keys; a select box's "Open" button and a number box's −/+,
# tabindex -1: the box itself opens with the arrow keys or steps with ↑/↓), the widget is
# one control, reached when any of its elements is.
CONTROLS = """() => {
    const shown = (e) => e.checkVisibility({visibilityProperty: true, opacityProperty: false})
        && !e.closest('details:not([open])');
    const selector = 'button, input, select, textarea, a[href], [role=slider], [role=button], [role=tab], '
        + '[role=combobox], [role=checkbox], [role=switch], summary';
    const widget = '[role=radiogroup], [role=tablist], [data-testid=stSelectbox], [data-testid=stNumberInput]';
    const all = [...document.querySelectorAll(selector)].filter((e) => shown(e) && !e.disabled
        && e.getAttribute('aria-disabled') !== 'true' && !e.closest('[aria-hidden=true]'));
    return all.map((e, i) => {
        e.dataset.a11y = String(i);
        const one = e.closest(widget);
        if (one && !one.dataset.a11yWidget) one.dataset.a11yWidget = `widget ${i}`;
        const group = one ? one.dataset.a11yWidget : String(i);
        const name = (e.getAttribute('aria-label') || e.textContent || e.name || e.tagName).trim().slice(0, 40);
        return {i, group, name}; }); }"""
FOCUSED = """() => { const e = document.activeElement;
    const marked = e && e.closest('[data-a11y]');
    return marked ? marked.dataset.a11y : (e ? e.tagName + '.' + e.className : null); }"""
STEP = f"() => document.querySelector({MAP!r}).dataset.step"


def axe_report(page) -> dict:
    """axe-core's violations on the page, as ``{rule: (impact, nodes)}``, printed."""
    found = Axe().run(page).response["violations"]
    report = {v["id"]: (v["impact"], len(v["nodes"])) for v in found}
    print(f"axe-core on {page.url}: {report or 'no violation'}")
    for v in found:
        for node in v["nodes"][:3]:
            print(f"  {v['id']} ({v['impact']}): {node['target']} {node['failureSummary'][:200]!r}")
    return report


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violation(app, page, name):
    link, drawn = PAGES[name]
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app}/?{link}")
    if drawn:
        page.wait_for_selector(IDLE, timeout=180_000)
        page.wait_for_function(drawn, timeout=180_000)
    else:
        ready(page, 180_000)
    page.screenshot(path=ARTIFACTS / f"axe-{name}.png")
    report = axe_report(page)
    serious = {rule: found for rule, found in report.items() if found[0] in SERIOUS}
    assert serious == {}, f"{name}: {serious}"


def test_every_control_of_the_explorer_is_reached_by_tab(app, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(app)
    ready(page)
    controls = page.evaluate(CONTROLS)
    names = {}
    for c in controls:
        names.setdefault(c["group"], c["name"])
    assert len(names) > 30 and "▶ Play" in names.values() and "step shown" in names.values(), names
    reached: list[str] = []
    page.locator("body").focus()
    for _ in range(3 * len(controls)):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if reached and focused == reached[0]:
            break  # round the page once
        reached.append(focused)
    groups = {c["i"]: c["group"] for c in controls}
    missing = set(names) - {groups[int(f)] for f in reached if f and f.isdigit()}
    print(f"Tab reached {len(set(reached))} of {len(names)} controls; missing: {[names[g] for g in missing]}")
    assert missing == set(), [names[g] for g in missing]


def test_the_lr_slider_moves_with_the_arrow_keys_and_changes_the_link(app, page):
    page.goto(app)
    ready(page)
    slider = page.locator(".st-key-run0-sgd-lr-exp0 input[type=range]")  # react-aria's slider input
    assert slider.input_value() == "-3"
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    lr = f"{10**-2.8:.3g}"  # 4 steps of 0.05 in log10 lr from 10^-3, to 3 significant digits
    wait_until(page, f"() => decodeURIComponent(location.search).includes('opt=sgd:lr={lr}')")
    assert float(page.locator("[class*=st-key-run0-sgd-lr-exp] input[type=range]").input_value()) == -2.8
    wait_until(page, f"() => document.querySelector({MAP!r})._fullData.some((t) => t.name === 'sgd lr={lr}')")


def test_play_pause_and_the_scrubber_work_from_the_keyboard(app, page):
    link = "surface=himmelblau&opt=nesterov:lr=0.003&steps=300"
    page.goto(f"{app}/?{link}")
    ready(page)
    stops = page.evaluate(f"() => document.querySelector({MAP!r})._fullLayout.sliders[0].steps.map((s) => s.label)")
    play = page.locator(f"{MAP} .updatemenu-button").filter(has_text="▶ Play")
    assert play.get_attribute("role") == "button" and play.get_attribute("tabindex") == "0"
    play.focus()
    page.keyboard.press("Enter")
    wait_until(page, f"() => Number(({STEP})()) > 0")  # Play moves the map's step
    wait_until(page, f"() => ({STEP})() === {stops[-1]!r}")  # to the last step (300 steps play fast)
    scrubber = page.locator(f"{MAP} .slider-group")
    assert scrubber.get_attribute("role") == "slider"
    scrubber.focus()
    page.keyboard.press("Home")
    wait_until(page, f"() => ({STEP})() === '0'")
    page.keyboard.press("ArrowRight")
    wait_until(page, f"() => ({STEP})() === {stops[1]!r}")
    assert scrubber.get_attribute("aria-valuenow") == stops[1]
    page.keyboard.press("End")
    wait_until(page, f"() => ({STEP})() === {stops[-1]!r}")
    page.keyboard.press("Home")
    wait_until(page, f"() => ({STEP})() === '0'")
    play.focus()
    page.keyboard.press(" ")  # Space plays too; then Pause by Space stops it before the end
    wait_until(page, f"() => Number(({STEP})()) > 0")
    page.locator(f"{MAP} .updatemenu-button").filter(has_text="Pause").focus()
    page.keyboard.press(" ")
    page.wait_for_timeout(500)
    paused = page.evaluate(STEP)
    page.wait_for_timeout(500)
    assert page.evaluate(STEP) == paused


def test_the_map_has_a_text_alternative(app, page):
    link = "surface=quadratic&opt=sgd:lr=0.3&opt=sgd:lr=5&steps=200&start=1,-0.5"
    page.goto(f"{app}/?{link}")
    ready(page)
    title, lines = map_text(simulate(Scenario.from_query(link).scenario))
    described = page.evaluate(f"""() => {{ const gd = document.querySelector({MAP!r});
        const text = document.getElementById(gd.getAttribute('aria-describedby'));
        return [gd.getAttribute('role'), gd.getAttribute('aria-label'),
                [...text.querySelectorAll('li')].map((li) => li.textContent)]; }}""")
    assert described == ["figure", title, lines]
    assert lines[1] == "2. sgd lr=5: diverged at step " + lines[1].rsplit(" ", 1)[-1]
    # the gallery's pictures carry the same text as their alt
    page.goto(f"{app}/?page=gallery")
    page.wait_for_function(IMAGES_DRAWN, timeout=180_000)
    alts = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stImage"] img')].map((i) => i.alt)""")
    assert alts and all(alt.startswith("Map of ") and "1. " in alt for alt in alts), alts


def test_a_phone_plays_and_moves_the_start_by_touch(app, browser):
    """A touch phone (390×844): a tap on Play plays the map, a tap on Pause stops it and a
    tap on the map moves the start there (the link's ``start=``)."""
    with fresh_context(browser, (390, 844), has_touch=True, is_mobile=True) as context:
        page = context.new_page()
        page.goto(app)
        ready(page, 180_000)
        assert page.evaluate(f"() => document.querySelector({MAP!r}).dataset.narrow") == "true"
        page.locator(f"{MAP} .updatemenu-button").filter(has_text="▶ Play").tap()
        wait_until(page, f"() => Number(({STEP})()) > 0")
        page.locator(f"{MAP} .updatemenu-button").filter(has_text="Pause").tap()
        page.wait_for_timeout(500)
        x, y = 0.5, 2.0  # a point of the 25 x 25 start-picker grid on Rosenbrock's [-2, 2] x [-1, 3]
        assert parse_qs(urlsplit(page.url).query)["start"] != ["0.5,2"]
        page.locator(f"{MAP} .nsewdrag").first.scroll_into_view_if_needed()  # the map (Play is below it)
        px, py = page.evaluate(MAP_POINT, [MAP, x, y])
        page.touchscreen.tap(px, py)
        wait_until(page, "() => new URLSearchParams(location.search).get('start') === '0.5,2'")
        ready(page)
        page.screenshot(path=ARTIFACTS / "touch-390x844.png")
