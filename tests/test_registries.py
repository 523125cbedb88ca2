"""Extending OptViz in one place: a throwaway optimizer, surface, schedule and view, each
registered as one entry (plus the optimizer's and surface's NumPy references), are read by the
link codec, the Code menu (the optimizer's optax code, the surface's and the schedule's
formulas are written from their rows), the app (AppTest) and the generic tests, with no
other table changed."""

import optax
import pytest
import streamlit as st

from optviz import Scenario, view
from optviz.conventions import available, resolve, unavailable_note
from optviz.optimizers import OPTIMIZERS, Optimizer
from optviz.schedules import SCHEDULES, ScheduleSpec
from optviz.snippets import run_code
from optviz.view import View
from optviz.view_kinds import VIEWS, ViewKind
from surfaces import SURFACES
from surfaces.core import Minimum, Param, Surface, fixed
from tests import reference
from tests import test_optimizers as optimizer_tests
from tests import test_snippets as snippet_tests
from tests import test_surfaces as surface_tests
from tests import test_view as view_tests
from tests.test_app import open_app

OGD = Optimizer(  # a copy of the registered optimistic_gd under another name
    name="ogd_copy",
    title="Optimistic GD (a copy)",
    params=(
        OPTIMIZERS["sgd"].params[0],
        Param("alpha", 1.0, 0.0, 2.0, help="weight of the current gradient"),
        Param("beta", 1.0, 0.0, 2.0, help="weight of the gradient's change"),
    ),
    optax_call="optax.optimistic_gradient_descent",
    latex=r"\theta_{t+1} = \theta_t - \eta_t\big((\alpha+\beta) g_t - \beta g_{t-1}\big)",
    note="Gradient descent that extrapolates along the gradient's change: a throwaway entry for this test.",
    reference="Mokhtari, Ozdaglar & Pattathil 2019, arXiv:1901.08511",
)


def optimistic_gd(s, g, p, lr, alpha=1.0, beta=1.0):
    r"""The optimistic step of Mokhtari et al. (2019) with weights α, β:
    :math:`\theta_{t+1} = \theta_t - \eta((\alpha+\beta) g_t - \beta g_{t-1})`; the first step has no
    previous gradient and takes :math:`g_0 = g_1`."""
    previous = s.get("g", g)
    s["g"] = g
    return -lr * ((alpha + beta) * g - beta * previous)


BOWL = Surface(
    name="tilted_bowl",
    title="Tilted bowl",
    fn=lambda x, y: (x - 1) ** 2 + 2 * (y + 0.5) ** 2,
    domain=((-3.0, 3.0), (-3.0, 3.0)),
    minima=fixed(Minimum(1.0, -0.5, 0.0)),
    start=(-2.0, 2.0),
    latex=r"f(x,y) = (x-1)^2 + 2(y+\tfrac12)^2",
    note="A throwaway bowl for this test.",
    formula="(x - 1) ** 2 + 2 * (y + 0.5) ** 2",
)
HALVING = ScheduleSpec(  # exponential decay by another name and formula
    "halving",
    "Halving",
    (Param("half_life", 40, 1, 10_000, kind="int", help="steps per halving"),),
    lambda half_life: optax.exponential_decay(1.0, half_life, 0.5),
    r"s(t) = 2^{-t/h}",
    "A throwaway schedule for this test.",
    formula="0.5 ** (t / half_life)",
)
ECHO = ViewKind(label="Echo", build=f"{__name__}:echo_data", panel=f"{__name__}:echo_panel", reads=("run",))


def echo_data(scenario: Scenario, result, shown: View) -> str:
    return f"{scenario.runs[0].name} on {scenario.surface} for run {shown.run}"


def echo_panel(data: str, scenario: Scenario, shown: View) -> None:
    st.markdown(f"echo: {data} ({scenario.steps} steps)")


@pytest.fixture
def registered(monkeypatch):
    """The four entries in the registries (and the references), for this test only."""
    monkeypatch.setitem(OPTIMIZERS, OGD.name, OGD)
    monkeypatch.setitem(reference.UPDATES, OGD.name, optimistic_gd)
    monkeypatch.setitem(SURFACES, BOWL.name, BOWL)
    monkeypatch.setitem(reference.GRADIENTS, BOWL.name, lambda x, y: (2 * (x - 1), 4 * (y + 0.5)))
    monkeypatch.setitem(SCHEDULES, HALVING.name, HALVING)
    monkeypatch.setitem(VIEWS, "echo", ECHO)


LINK = f"surface={BOWL.name}&opt={OGD.name}:lr=0.1&steps=50&schedule={HALVING.name}:half_life=20&view=echo"


def test_the_link_codec_reads_and_writes_them(registered):
    parsed = Scenario.from_query(LINK, ignore=view.KEYS)
    assert parsed.warnings == []
    assert parsed.scenario.surface == BOWL.name and parsed.scenario.runs[0].name == OGD.name
    assert parsed.scenario.schedule == HALVING.name and parsed.scenario.schedule_params == (("half_life", 20),)
    assert Scenario.from_query(parsed.scenario.to_query()).scenario == parsed.scenario
    assert View.from_query(LINK, parsed.scenario.steps) == (View(view="echo"), [])


def test_other_frameworks_say_the_optimizer_is_not_checked_yet(registered):
    assert resolve(OGD.name, "optax") is OGD
    assert available("pytorch")[OGD.name] == "Optimistic GD (a copy) is not checked against PyTorch yet"
    assert unavailable_note("pytorch").endswith("; not checked against PyTorch yet: Optimistic GD (a copy).")
    parsed = Scenario.from_query(f"conv=keras&opt={OGD.name}&opt=adam")
    assert [r.name for r in parsed.scenario.runs] == ["adam"]
    assert any("not checked against Keras 3 / TensorFlow yet" in w for w in parsed.warnings)


def test_the_code_menu_writes_it_from_its_row(registered):
    link = f"surface=booth&start=-8,8&steps=200&opt={OGD.name}:lr=0.001,alpha=0.8,beta=0.5"
    scenario = snippet_tests.check_runs(link)  # the optax code, executed, follows the engine's path
    code = run_code(scenario, 0, loop=False)
    assert "optimizer = optax.optimistic_gradient_descent(0.001, alpha=0.8, beta=0.5)" in code
    not_yet = "Optimistic GD (a copy) is not checked against PyTorch yet: no PyTorch code is written"
    assert not_yet in run_code(scenario, 0, "pytorch")
    for framework in snippet_tests.FRAMEWORKS:  # the surface's and the schedule's formulas, written out
        head = f"conv={framework}&surface={BOWL.name}&start=-2,2&steps=60&schedule={HALVING.name}:half_life=20"
        snippet_tests.check_runs(f"{head}&opt=momentum:lr=0.05&opt=adam:lr=0.1", framework)


def test_the_generic_tests_take_them(registered):
    optimizer_tests.test_registry_has_the_required_optimizers()
    for surface, start in optimizer_tests.SURFACES:
        optimizer_tests.test_matches_numpy_reference(OGD.name, {}, surface, start)
    surface_tests.test_registry_names_and_fields()
    surface_tests.test_registered_minima_are_minima(BOWL.name)
    surface_tests.test_jax_grad_matches_analytic_gradient(BOWL.name)
    snippet_tests.test_each_surface_formula_is_the_registry_function(BOWL.name)
    snippet_tests.test_each_schedule_formula_is_the_registry_schedule(HALVING.name)
    view_tests.check_view("echo")
    snippet_tests.test_the_cases_cover_every_optimizer_and_schedule()


def test_the_app_shows_them(registered):
    at = open_app(**dict(item.split("=", 1) for item in LINK.split("&")))
    assert not at.exception
    assert at.selectbox(key="surface").value == BOWL.name and at.selectbox(key="schedule").value == HALVING.name
    assert "Echo" in at.radio(key="view").options and at.radio(key="view").value == "Echo"
    assert at.selectbox(key=f"run{at.session_state.run_ids[0]}").value == OGD.name
    assert f"echo: {OGD.name} on {BOWL.name} for run 0 (50 steps)" in [m.value for m in at.markdown]
    at.radio(key="view").set_value("2-D map").run()
    assert not at.exception and at.radio(key="view").value == "2-D map"
