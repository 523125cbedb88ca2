"""The zoo's race (`optviz.zoo`): ranking, paths and best lrs against independent runs."""

import dataclasses
import html

import numpy as np
import pytest

from optviz import OptRun, Scenario, simulate
from optviz.engine import sweep
from optviz.optimizers import FAMILY_KEYS, family_members
from optviz.sweeps import best_lr
from optviz.zoo import ZOO_LRS, zoo

QUADRATIC = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.1&steps=200&start=-1.5,1.5&start=1,1").scenario


@pytest.fixture(scope="module")
def plain():
    return zoo(QUADRATIC, "plain")


def test_every_family_key_names_members_and_all_is_their_union():
    assert set(FAMILY_KEYS) >= {"plain", "adaptive", "sign"}
    union = [n for key in FAMILY_KEYS for n in family_members(key)]
    assert sorted(union) == sorted(family_members()) and family_members("plain")[:3] == ["sgd", "momentum", "nesterov"]


def test_entries_are_ranked_by_final_loss(plain):
    assert [e.name for e in plain.entries] != [] and {e.name for e in plain.entries} == set(family_members("plain"))
    losses = [e.final_loss for e in plain.entries]
    assert losses == sorted(losses) and all(np.isfinite(losses))


def test_an_entrys_lr_is_best_lr_of_an_independent_sweep_and_its_path_is_simulate(plain):
    for e in plain.entries:
        run = OptRun.of(e.name, lr=1e-3)
        one = dataclasses.replace(QUADRATIC, runs=(run,), starts=QUADRATIC.starts[:1])
        assert e.lr == best_lr(sweep(one, 0, ZOO_LRS))
        tuned = dataclasses.replace(one, runs=(OptRun.of(e.name, lr=e.lr),))
        path = simulate(tuned).runs[0].path
        np.testing.assert_allclose(e.path, path, rtol=1e-12, atol=1e-15)
        assert e.final_loss == pytest.approx(simulate(tuned).runs[0].loss[-1], rel=1e-12)


def test_an_optimizer_that_diverges_at_every_lr_ranks_last():
    """On the monkey saddle nothing has a minimum: every lr of every run diverges."""
    scenario = Scenario.from_query("surface=monkey_saddle&opt=sgd:lr=0.1&steps=300").scenario
    race = zoo(scenario, "plain", lrs=np.array([0.5, 1.0, 5.0]))
    assert all(e.lr is None and np.isnan(e.final_loss) for e in race.entries)


def test_a_convention_that_lacks_an_optimizer_skips_it():
    scenario = Scenario.from_query("conv=pytorch&surface=quadratic&opt=sgd:lr=0.1&steps=50").scenario
    race = zoo(scenario, "sign", lrs=np.array([0.01, 0.1]))
    assert "signum" in race.skipped and "signum" not in {e.name for e in race.entries}


def test_a_race_reads_the_ground_not_the_runs():
    """Changing a run's lr or adding a run finds the same race; a new start runs a new one."""
    from optviz.zoo import raced

    base = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.1&steps=60&start=-1.5,1.5").scenario
    other_runs = Scenario.from_query("surface=quadratic&opt=adam:lr=0.3&opt=lion&steps=60&start=-1.5,1.5").scenario
    moved = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.1&steps=60&start=1,1").scenario
    first = raced(base, "sign")
    assert raced(other_runs, "sign") is first
    again = raced(moved, "sign")
    assert again is not first and not np.allclose(again.entries[0].path[0], first.entries[0].path[0])
    np.testing.assert_allclose(again.entries[0].path[0], [1, 1])


def test_an_entrys_link_opens_its_run_at_its_lr_from_the_race_start(plain):
    for e in plain.entries:
        opened = Scenario.from_query(e.link).scenario
        assert [r.name for r in opened.runs] == [e.name] and opened.runs[0].lr == pytest.approx(e.lr, rel=1e-3)
        assert opened.starts == QUADRATIC.starts[:1] and opened.steps == QUADRATIC.steps
        np.testing.assert_allclose(simulate(opened).runs[0].path, e.path, rtol=1e-3, atol=1e-6)


def test_the_ranking_rows_follow_the_entries(plain):
    from optviz.zoo import zoo_rows

    rows = zoo_rows(plain)
    assert [r["rank"] for r in rows] == list(range(1, len(plain.entries) + 1))
    assert [r["optimizer"] for r in rows] == [e.title for e in plain.entries]
    assert [r["final loss"] for r in rows] == [e.final_loss for e in plain.entries]
    assert all(r["family"] == "plain and momentum" for r in rows)


def test_the_panels_are_one_linked_picture_per_entry_in_rank_order(plain):
    import re

    from optviz.figures.zoo import panel_image, zoo_html

    page = zoo_html(QUADRATIC, plain)
    links = re.findall(r'<a href="\?([^"]+)"', page)
    assert [html.unescape(link) for link in links] == [e.link for e in plain.entries]
    captions = re.findall(r"<b>(\d+)\. ([^<]+)</b><br>([^<]+)</figcaption>", page)
    expected = [(str(k + 1), e.title, f"lr {e.lr:.3g} · f {e.final_loss:.3g}") for k, e in enumerate(plain.entries)]
    assert captions == expected
    assert page.count('<img src="data:image/webp;base64,') == len(plain.entries)
    # The picture: the path's end (×, black) is drawn where the entry ends.
    e = plain.entries[0]
    image = np.asarray(panel_image(QUADRATIC, e).convert("L"), float)
    (x0, x1), (y0, y1) = QUADRATIC.surface_def.domain
    col = int((e.path[-1, 0] - x0) / (x1 - x0) * (image.shape[1] - 1))
    row = int((y1 - e.path[-1, 1]) / (y1 - y0) * (image.shape[0] - 1))
    assert image[max(row - 2, 0) : row + 3, max(col - 2, 0) : col + 3].min() < 60


def test_markup_in_a_title_is_escaped(plain):
    import dataclasses as dc

    from optviz.figures.zoo import zoo_html

    tampered = dc.replace(plain, entries=(dc.replace(plain.entries[0], title="<script>x</script>"),))
    page = zoo_html(QUADRATIC, tampered)
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_thinning_keeps_the_first_and_last_rows():
    from optviz.figures.zoo import PATH_POINTS, thinned

    path = np.arange(2 * 2501, dtype=float).reshape(-1, 2)
    out = thinned(path)
    assert len(out) <= PATH_POINTS + 1 and (out[0] == path[0]).all() and (out[-1] == path[-1]).all()
    assert np.array_equal(thinned(path[:10]), path[:10])


def test_the_zoo_link_key_round_trips_and_a_bad_family_warns():
    from optviz.view import View

    shown, warnings = View.from_query("view=zoo&zoo=adaptive", 100)
    assert shown.view == "zoo" and shown.zoo == "adaptive" and warnings == []
    assert View.from_query(shown.to_query(), 100).view == shown
    bad, warnings = View.from_query("view=zoo&zoo=<b>x</b>", 100)
    families = ", ".join(FAMILY_KEYS)
    assert bad.zoo == "" and warnings == [f"zoo=<b>x</b> is not one of {families}; using all"]


def test_the_race_pool_holds_a_kernel_per_optimizer():
    from optviz.kernel import RACE_POOL
    from optviz.optimizers import OPTIMIZERS

    assert RACE_POOL >= len(OPTIMIZERS)


def test_a_custom_formula_races_all_but_the_optimizers_that_need_its_minimum():
    scenario = Scenario.from_query("surface=custom&f=x^2%2B3*y^2&domain=-2,2,-2,2&opt=sgd:lr=0.1&steps=40").scenario
    race = zoo(scenario, "polyak", lrs=np.array([0.01, 0.1]))
    assert race.entries == () and set(race.skipped) == set(family_members("polyak"))
    assert all("f*" in why for why in race.skipped.values())


def test_each_optimizer_says_what_a_step_evaluates():
    """One gradient, SAM's two, the loss-value rows' loss; L-BFGS's count is what its run's line
    searches spent, the engine's count at the lr the race chose."""
    from optviz.zoo import entry, evaluations

    scenario = Scenario.from_query("surface=rosenbrock&opt=sgd&steps=60").scenario
    lrs = np.array([0.1, 1.0])
    entries = {name: entry(scenario, name, lrs) for name in ("adam", "sam", "lbfgs", "sophia")}
    entries["polyak_sgd"] = entry(Scenario.from_query("surface=booth&opt=sgd&steps=60").scenario, "polyak_sgd", lrs)
    assert (
        evaluations(entries["polyak_sgd"]) == "1 gradient + its loss" and evaluations(entries["adam"]) == "1 gradient"
    )
    assert evaluations(entries["sam"]) == "2 gradients"
    assert evaluations(entries["sophia"]) == "1 gradient + a Hessian-vector product every 10 steps"
    lbfgs = entries["lbfgs"]
    shown = simulate(Scenario.from_query(lbfgs.link).scenario).runs[0].grad_evals
    assert 1 < shown == pytest.approx(lbfgs.grad_evals)
    assert evaluations(lbfgs) == f"{shown:.3g} gradients and their losses"


def test_every_family_has_a_colour_of_its_own_that_shows_on_the_map():
    from optviz.figures.zoo import family_colors

    colors = family_colors()
    assert list(colors) == list(FAMILY_KEYS.values()) and len(set(colors.values())) == len(colors)
    assert "#F0E442" not in colors.values()  # the palette's yellow vanishes on the light map
