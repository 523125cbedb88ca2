"""The zoo view in the app (AppTest): the race picker, the panels, the ranking and Open."""

import html
import re

import numpy as np

from optviz import Scenario
from optviz.figures.zoo import zoo_html
from optviz.optimizers import family_members
from optviz.zoo import raced
from tests.test_app import open_app, shown, shown_by, url

LINK = {"surface": "quadratic", "opt": "sgd:lr=0.1", "steps": "80", "start": "-1.5,1.5"}
GROUND = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.1&steps=80&start=-1.5,1.5").scenario


def panels(at) -> str:
    (grid,) = [e.proto.body for e in at.get("html") if "zoo-grid" in e.proto.body]
    return grid


def ranking(at) -> list[list[str]]:
    text = next(m.value for m in at.markdown if m.value.startswith("| rank |"))
    return [[c.strip() for c in line.strip()[1:-1].split("|")] for line in text.splitlines()[2:]]


def test_a_zoo_link_races_its_family_and_ranks_it():
    at = open_app(**LINK, view="zoo", zoo="sign")
    assert not at.exception and at.selectbox(key="zoo_family").value == "sign"
    race = raced(GROUND, "sign")
    assert {e.name for e in race.entries} == set(family_members("sign"))
    assert panels(at) == zoo_html(GROUND, race)
    rows = ranking(at)
    assert [r[1] for r in rows] == [e.title for e in race.entries]
    losses = [float(r[4]) for r in rows if r[4] != "—"]
    assert losses == sorted(losses)


def test_the_race_picker_writes_the_link_and_open_shows_the_run_in_the_map():
    at = open_app(**LINK, view="zoo", zoo="sign")
    at.selectbox(key="zoo_family").set_value("plain").run()
    assert url(at)["zoo"] == "plain" and url(at)["view"] == "zoo"
    race = raced(GROUND, "plain")
    assert panels(at) == zoo_html(GROUND, race) and len(race.entries) == len(family_members("plain"))
    best = race.entries[0]
    at.selectbox(key="zoo_open").set_value(best.name).run()
    at.button(key="zoo_open_button").click().run()
    assert "view" not in url(at) and "zoo" not in url(at)
    assert url(at)["opt"] == best.link.split("opt=")[1].split("&")[0]
    assert np.allclose(Scenario.from_query(best.link).scenario.starts, [(-1.5, 1.5)])


def panel_titles(at) -> list[str]:
    return re.findall(r"<figure.*?</figure>", panels(at))


def test_a_changed_lr_keeps_the_race_and_a_changed_start_reruns_it():
    at = open_app(**LINK, view="zoo", zoo="sign")
    before = panel_titles(at)
    shown_by(at.number_input, "run0.sgd.lr", "box").set_value(0.02).run()
    assert url(at)["opt"] == "sgd:lr=0.02" and panel_titles(at) == before
    shown_by(at.number_input, "start_x", "box").set_value(1.0).run()
    moved = raced(Scenario.from_query("surface=quadratic&steps=80&start=1,1.5").scenario, "sign")
    assert panel_titles(at) != before and len(moved.entries) == len(before)
    for k, (title, e) in enumerate(zip(panel_titles(at), moved.entries, strict=True)):
        assert f'<a href="?{html.escape(e.link)}"' in title and f"<b>{k + 1}. {e.title}</b>" in title
    assert all("start=1,1.5" in t for t in panel_titles(at))


def test_a_bad_family_in_the_link_says_so_and_races_every_optimizer():
    at = open_app(**LINK, view="zoo", zoo="<b>x</b>")
    assert not at.exception and at.selectbox(key="zoo_family").value == ""
    assert "zoo=<b>x</b> is not one of" in shown(at.warning) and "using all" in shown(at.warning)
    assert all("\\<b\\>" in w.value for w in at.warning if "zoo" in w.value)  # escaped: shown, not rendered
    assert len(re.findall(r"<figure", panels(at))) == len(raced(GROUND).entries) > 30
