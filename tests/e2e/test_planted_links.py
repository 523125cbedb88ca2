"""A link can carry anything: values that plant links, images or markup must be shown as
the literal text they are, in the app and in the exported page.

Every payload names the key it rides in (``planted.invalid/<key>``), so a failure says
where it got through. One page per payload class, with the payload in every key at once,
keeps the run short (9 pages, one browser).
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from urllib.parse import quote, urlsplit

from browser import IDLE  # scripts/browser.py (on sys.path from conftest)

from optviz import Scenario, export, simulate, view
from optviz.scenario import encode_query
from optviz.view import View
from surfaces import SURFACES
from tests.e2e.conftest import ARTIFACTS, MAP, measure

HOST = "planted.invalid"
PAYLOADS = {  # class -> payload; {k} is the key it rides in
    "markdown link": "[Link expired, sign in](//planted.invalid/{k})",
    "markdown image": "![t](//planted.invalid/{k}.png)",
    "bare URL": "https://planted.invalid/{k} www.planted.invalid",
    "autolink": "<https://planted.invalid/{k}> a@planted.invalid",
    "img onerror": "<img src=//planted.invalid/{k} onerror=alert(1)>",
    "script": "<script src=//planted.invalid/{k}></script>",
    "svg onload, HTML link": "<svg onload=alert(1)><a href=//planted.invalid/{k}>",
    "iframe": "<iframe src=//planted.invalid/{k}></iframe>",
    "javascript: URL": "[j](javascript:fetch('//planted.invalid/{k}'))",
}
# (key, value) pairs, P replaced by the payload: every key the link format knows, in the
# positions its parser quotes (a name, a name=value item, a value), and one it does not.
# A custom surface, so that f and domain are read; `surface=NAME` is read by the same
# code as opt=P, schedule=P and cloud=P.
LINK = [
    ("v", "P"),
    ("conv", "P"),
    ("surface", "custom:P"),
    ("f", "x #P"),
    ("domain", "P"),
    ("opt", "P"),
    ("opt", "adam:lr=P"),
    ("opt", "sgd:P"),
    ("schedule", "P"),
    ("steps", "P"),
    ("start", "P"),
    ("start", "1,P"),
    ("seed", "P"),
    ("seed", "1"),
    ("tol", "P"),
    ("cloud", "P"),
    ("page", "P"),
    ("view", "P"),
    ("arrows", "P"),
    ("frame", "P"),
    ("sweep", "P"),
    ("run", "P"),
    ("P", "1"),
    ("zzz", "P"),
]

# Every attribute that loads or links something from the planted host, and every inline
# event handler (no element of the app has one). Text attributes (plotly.js keeps a
# title's source in data-unformatted) may hold the text: it is shown as text.
PLANTED = """(host) => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
    .filter(a => a.name.startsWith('on') || (a.value.includes(host) && ['href', 'xlink:href', 'src', 'srcset',
                 'srcdoc', 'action', 'formaction', 'data', 'poster', 'style'].includes(a.name)))
    .map(a => `<${el.tagName.toLowerCase()} ${a.name}="${a.value}">`))"""


def planted_link(payload: str) -> tuple[str, str]:
    """The link's query as the browser sends it, and as the app rebuilds it from Streamlit's
    query parameters (`app.current_link`): the text the parsers read."""
    pairs = []
    for key, value in LINK:
        tag = key if key != "P" else "key"
        pairs.append((key.replace("P", payload.format(k=tag)), value.replace("P", payload.format(k=tag))))
    sent = "&".join(f"{quote(k, safe='')}={quote(v, safe=':,=')}" for k, v in pairs)
    return sent, encode_query(pairs)


def expected_notices(query: str) -> list[str]:
    """What the page must show, as the link parsers wrote it (`actions.load_link`)."""
    parsed = Scenario.from_query(query, ignore=view.KEYS)
    shown = View.from_query(query, parsed.scenario.steps, len(parsed.scenario.runs))
    return parsed.warnings + shown.warnings


def plain(text: str) -> str:
    """Text as a reader sees it: the invisible word joiners that keep addresses from being
    linked (`optviz.literal.markdown_text`) dropped, whitespace runs as one space."""
    return " ".join(text.replace("\u2060", "").split())


def test_planted_values_are_shown_as_literal_text(app, page):
    requests, dialogs = [], []
    page.route(
        lambda url: (urlsplit(url).hostname or "").endswith(HOST),
        lambda route: (requests.append(route.request.url), route.abort()),
    )
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    leaks, missing, quoted, started = {}, {}, set(), time.perf_counter()
    for kind, payload in PAYLOADS.items():
        sent, read = planted_link(payload)
        page.goto(f"{app}/?{sent}")
        page.wait_for_selector(IDLE, timeout=120_000)
        page.locator(f"{MAP} .scatterlayer").first.wait_for(timeout=60_000)
        assert page.get_by_test_id("stException").count() == 0, kind
        if found := page.evaluate(PLANTED, HOST):
            leaks[kind] = found
        shown = plain(" ".join(page.get_by_test_id("stAlert").all_text_contents()))
        notices = expected_notices(read)
        quoted |= {key for n in notices for key in re.findall(r"planted\.invalid/(\w+)", n)}
        if lost := [n for n in notices if plain(n) not in shown]:
            missing[kind] = lost
        if kind == "markdown link":
            page.screenshot(path=ARTIFACTS / "planted.png", full_page=True)
    measure(f"{len(PAYLOADS)} planted links opened and checked", time.perf_counter() - started, "s")
    # Every value reached a notice, but an unknown key's, which is ignored by name alone.
    assert quoted == {key if key != "P" else "key" for key, _ in LINK} - {"zzz"}
    assert leaks == {} and requests == [] and dialogs == []
    assert missing == {}  # every notice is on the page, character for character


def test_the_exported_page_of_a_planted_link_shows_no_planted_markup():
    """The exported page is built from the scenario the link was read as: nothing planted
    survives into its title, figure or scripts."""
    for kind, payload in PAYLOADS.items():
        query = planted_link(payload)[1]
        page = export.html(simulate(Scenario.from_query(query, ignore=view.KEYS).scenario))
        assert HOST not in page, kind


def test_the_exported_page_shows_a_title_with_markup_as_text(page, tmp_path, monkeypatch):
    """No link reaches a figure's title any more (a formula has no comments), but the
    title is still written as text for plotly.js: a surface whose note carries markup
    is exported and drawn, and the title reads exactly that markup."""
    requests, dialogs = [], []
    page.route("http*://**", lambda route: (requests.append(route.request.url), route.abort()))  # offline
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for kind, payload in PAYLOADS.items():
        note = payload.format(k="title")
        monkeypatch.setitem(SURFACES, "booth", replace(SURFACES["booth"], note=note))
        path = tmp_path / "out.html"
        path.write_text(export.html(simulate(Scenario(surface="booth", steps=10))))
        page.goto(path.as_uri())
        page.locator(".js-plotly-plot .scatterlayer").first.wait_for(timeout=30_000)
        assert page.locator(".js-plotly-plot .gtitle").text_content() == f"Booth: {note}", kind
        assert page.evaluate(PLANTED, HOST) == [], kind
    assert requests == [] and dialogs == []
