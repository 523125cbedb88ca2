"""The Streamlit app through streamlit.testing.v1.AppTest: every control, asserted on
the figure data, the summary table and the URL."""

import json
import re
import weakref
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st_
from streamlit.testing.v1 import AppTest

from optviz import Scenario, simulate, view
from optviz.figures import MAX_FRAMES, frame_step
from optviz.kernel import trace_count
from optviz.optimizers import menu_label
from optviz.presets import PRESETS
from optviz.scenario import MAX_RECORDED_ROWS
from optviz.summary import cell
from optviz.sweeps import best_lr, lr_sweeps
from tests.map_client import Client, decode

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


_CLIENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FIGURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def shown_by(widgets, key: str, view: str):
    """The widget now showing view ``view`` of the value under ``key`` (its key carries a serial)."""
    (widget,) = [w for w in widgets if re.fullmatch(re.escape(f"{key}.{view}") + r"\d+", w.key or "")]
    return widget


WHOLE = ("schedule_preview", "drag_map", "sweep_chart", "plane_chart", "basins_chart")  # whole figures


def figure(at, key="map"):
    """A chart's figure as the page draws it. The map is a component that receives only
    the parts this page lacks: a `Client` per app replays them, and when it lacks a part
    (messages it did not see) it asks again, as ``map.js`` does."""
    if key in WHOLE:  # a whole figure, or its id once the page holds it
        figures = _FIGURES.setdefault(at, {})
        msg = json.loads(component(at, key).proto.json)
        figures |= {msg["rev"]: msg["figure"]} if "figure" in msg else {}
        if msg["rev"] not in figures:  # sent before this client looked: the page asks again
            at.session_state[f"{key}.held"] = []
            msg = json.loads(component(at.run(), key).proto.json)
            figures[msg["rev"]] = msg["figure"]
        return figures[msg["rev"]]
    client = _CLIENTS.setdefault(at, Client())
    drawn = client.receive(json.loads(component(at, key).proto.json))
    if isinstance(drawn, list):  # missing parts: the page asks, the server sends all again
        at.session_state[f"{key}.held"] = []
        drawn = client.receive(json.loads(component(at.run(), key).proto.json))
    return drawn


def component(at, key: str):
    return next(e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{key}"))


def paths(fig):
    """Full path per run: the legend traces drawn on the map (x, y axes), by name."""
    return {
        t["name"]: np.column_stack([decode(t["x"]), decode(t["y"])])
        for t in fig["data"]
        if t.get("xaxis") == "x" and t.get("mode") == "lines" and t.get("showlegend", True)
    }


def table(at) -> list[dict]:
    """The summary table as the page shows it: one dict of cell texts per row."""
    assert not at.dataframe and not at.table  # Arrow tables slow the animation (figures.summary_table)
    text = next(m.value for m in at.markdown if m.value.startswith("| run |"))
    header, _, *body = (re.split(r"(?<!\\)\|", line.strip()[1:-1]) for line in text.splitlines())
    unescaped = [[re.sub(r"\\(.)", r"\1", c.strip()) for c in row] for row in body]
    return [dict(zip((h.strip() for h in header), row, strict=True)) for row in unescaped]


def shown(elements) -> str:
    """The text of notices as a reader sees it: Markdown escapes and the word joiners that
    keep addresses from becoming links (`optviz.literal.markdown_text`) dropped."""
    return " ".join(re.sub(r"\\(.)", r"\1", e.value).replace("\u2060", "") for e in elements)


def column(rows: list[dict], name: str) -> list[str]:
    return [r[name] for r in rows]


def cells(values) -> list[str]:
    """How the page writes these numbers."""
    return [cell(float(v)) for v in values]


def url(at):
    return {k: at.query_params[k] for k in at.query_params}


def url_scenario(at):
    """What the address bar's link parses to."""
    items = [(k, v) for k, vs in url(at).items() for v in (vs if isinstance(vs, list) else [vs])]
    return Scenario.from_query("&".join(f"{k}={v}" for k, v in items), ignore=view.KEYS)


def test_default_page_shows_the_default_scenario():
    at = open_app()
    assert not at.exception
    expected = simulate(Scenario())
    fig = figure(at)
    drawn = paths(fig)
    assert list(drawn) == [r.run.label for r in expected.runs]
    for run in expected.runs:
        np.testing.assert_allclose(drawn[run.run.label], run.path, rtol=1e-6)  # float32 on the wire
    assert len(fig["frames"]) == min(Scenario().steps + 1, MAX_FRAMES)
    assert fig["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    rows = table(at)
    assert column(rows, "run") == [f"{i + 1}. {r.run.label}" for i, r in enumerate(expected.runs)]
    assert column(rows, "final loss") == cells(r.loss[-1] for r in expected.runs)
    assert url(at)["opt"] == ["sgd:lr=0.001", "momentum:lr=0.001", "adam:lr=0.05"]
    assert url(at)["surface"] == "rosenbrock" and url(at)["v"] == "1"
    assert any("cpu" in c.value for c in at.caption)


def test_frames_move_only_the_animated_traces():
    fig = figure(open_app())
    frames = fig["frames"]
    first, last = frames[0], frames[-1]
    assert first["data"][first["traces"].index(0)] == {}  # the colour-bar trace and the map never travel
    head = np.column_stack([decode(last["data"][1]["x"]), decode(last["data"][1]["y"])])  # tails, heads, …
    np.testing.assert_allclose(head[0], simulate(Scenario()).runs[0].path[-1], rtol=1e-6)


def test_surface_and_its_parameters():
    at = open_app()
    at.selectbox(key="surface").set_value("quadratic").run()
    assert url(at)["surface"] == "quadratic" and url(at)["start"] == "-1.5,1.5"
    assert figure(at)["layout"]["title"]["text"].startswith("Quadratic bowl")
    before = column(table(at), "final loss")
    at.number_input(key="sp.quadratic.kappa").set_value(100.0).run()
    assert url(at)["surface"] == "quadratic:kappa=100"
    assert column(table(at), "final loss") != before


def test_add_remove_and_change_runs():
    at = open_app()
    at.button[[b.label for b in at.button].index("+ add a run")].click().run()
    assert len(table(at)) == 4 and url(at)["opt"][-1] == "adam:lr=0.01"
    at.selectbox(key="run3").set_value("rmsprop").run()
    assert url(at)["opt"][-1] == "rmsprop:lr=0.01"
    at.button(key="remove0").click().run()
    assert url(at)["opt"] == ["momentum:lr=0.001", "adam:lr=0.05", "rmsprop:lr=0.01"]
    assert table(at)[0]["run"] == "1. momentum lr=0.001"


def test_lr_box_and_log_slider_stay_in_step_and_never_recompile():
    at = open_app()
    compiled = trace_count()
    shown_by(at.number_input, "run0.sgd.lr", "box").set_value(0.0002).run()
    assert shown_by(at.slider, "run0.sgd.lr", "exp").value == pytest.approx(np.log10(0.0002))
    assert url(at)["opt"][0] == "sgd:lr=0.0002"
    shown_by(at.slider, "run2.adam.lr", "exp").set_value(-2.0).run()
    assert shown_by(at.number_input, "run2.adam.lr", "box").value == pytest.approx(0.01)
    assert url(at)["opt"][2] == "adam:lr=0.01"
    at.run()  # a rerun with no change moves nothing
    assert url(at)["opt"][:3:2] == ["sgd:lr=0.0002", "adam:lr=0.01"]
    expected = simulate(Scenario.from_query("opt=sgd:lr=0.0002&opt=momentum:lr=0.001&opt=adam:lr=0.01").scenario)
    assert column(table(at), "final loss") == cells(r.loss[-1] for r in expected.runs)
    assert trace_count() == compiled


def test_hyperparameters_schedule_steps_start():
    at = open_app()
    assert not [w for w in at.number_input if w.key.startswith("run2.adam.b1")]  # drawn only while open
    at.session_state["hyper2"] = True
    at.run()
    shown_by(at.number_input, "run2.adam.b1", "box").set_value(0.5).run()
    assert url(at)["opt"][2] == "adam:lr=0.05,b1=0.5"
    at.session_state["hyper2"] = False  # closed: the value stays
    at.run()
    assert url(at)["opt"][2] == "adam:lr=0.05,b1=0.5"
    at.session_state["hyper2"] = True
    at.run()
    assert shown_by(at.number_input, "run2.adam.b1", "box").value == 0.5
    at.selectbox(key="schedule").set_value("step").run()
    at.number_input(key="sc.step.transition_steps").set_value(50).run()
    assert url(at)["schedule"] == "step:transition_steps=50"
    lr_curves = [decode(t["y"]) for t in figure(at)["data"] if t.get("yaxis") == "y3" and "hovertemplate" in t]
    np.testing.assert_allclose(lr_curves[0][:120], 0.001 * 0.5 ** (np.arange(120) // 50), rtol=1e-12)
    preview = figure(at, "schedule_preview")["data"][0]  # the sidebar's s(t), under the picker
    np.testing.assert_allclose(decode(preview["y"])[:120], 0.5 ** (np.arange(120) // 50), rtol=1e-12)
    at.number_input(key="steps").set_value(120).run()
    assert url(at)["steps"] == "120"
    shown_by(at.number_input, "start_x", "box").set_value(0.5).run()
    shown_by(at.number_input, "start_y", "box").set_value(-0.5).run()
    assert url(at)["start"] == "0.5,-0.5"
    for path in paths(figure(at)).values():
        np.testing.assert_array_equal(path[0], [0.5, -0.5])
        assert len(path) == 121


def test_seed_changes_noisy_runs_only():
    at = open_app(surface="noisy_quadratic", opt="sgd:lr=0.1", steps="200")
    assert not at.number_input(key="seed").disabled
    first = column(table(at), "final loss")
    at.number_input(key="seed").set_value(7).run()
    assert url(at)["seed"] == "7" and column(table(at), "final loss") != first
    at.selectbox(key="surface").set_value("booth").run()
    assert at.number_input(key="seed").disabled


def test_link_opens_the_same_scenario_and_reset_returns_to_defaults():
    query = "surface=himmelblau&opt=nesterov:lr=0.002,momentum=0.8&schedule=cosine:decay_steps=200&steps=300&start=1,-1"
    at = AppTest.from_file(APP, default_timeout=120)
    for key, values in parse_qs(query).items():
        at.query_params[key] = values if len(values) > 1 else values[0]
    at.run()
    scenario = Scenario.from_query(query).scenario
    assert at.selectbox(key="surface").value == "himmelblau"
    at.session_state["hyper0"] = True
    at.run()
    assert shown_by(at.number_input, "run0.nesterov.momentum", "box").value == 0.8
    assert url(at)["schedule"] == "cosine:decay_steps=200"
    np.testing.assert_allclose(
        paths(figure(at))["nesterov lr=0.002 momentum=0.8"], simulate(scenario).runs[0].path, rtol=1e-6
    )
    at.button[[b.label for b in at.button].index("↺ reset")].click().run()
    assert url(at)["surface"] == "rosenbrock" and len(table(at)) == 3


def test_bad_link_shows_notices_and_a_working_page():
    at = open_app(surface="rosenbrok", opt="adam:lr=-3", steps="1e9", zzz="1")
    assert not at.exception
    notices = shown(at.warning)
    assert "did you mean 'rosenbrock'" in notices and "lr=-3 is out of range" in notices
    assert "steps=1e9 is out of range" in notices and "unknown parameter 'zzz'" in notices
    assert url(at)["steps"] == "10000" and url(at)["opt"] == "adam:lr=1e-06"
    assert len(table(at)) == 1


def test_a_formula_that_is_not_math_is_shown_at_its_box_and_the_page_keeps_working():
    """A typed formula or domain that fails is refused beside the formula box (its notice is
    about the key ``f`` or ``domain``), never above the page, and the last good surface stays."""
    at = open_app(surface="custom", f="x^2+y^2", domain="-2,2,-2,2")
    at.text_input(key="formula").set_value("x^^2").run()
    assert not at.exception
    beside = shown(at.sidebar.error)
    assert "f=x^^2:" in beside and "using f=" in beside
    assert "f=x^^2" not in shown(at.info) + shown(at.warning)
    assert len(table(at)) == len(url_scenario(at).scenario.runs)


def test_diverged_run_is_flagged():
    at = open_app(surface="quadratic", opt=["sgd:lr=2.5", "sgd:lr=0.5"], steps="300")
    rows = table(at)
    assert column(rows, "status") == ["⚠ diverged", "✓ converged"]
    assert int(rows[0]["diverged at step"]) > 0 and rows[1]["diverged at step"] == "—"
    assert "⚠ diverged" in next(iter(paths(figure(at))))


def test_3d_view_and_arrows():
    at = open_app()
    plain = len(figure(at)["data"])
    at.checkbox(key="arrows").check().run()
    fig = figure(at)
    assert len(fig["data"]) == plain + 3 and url(at)["arrows"] == "1"  # −∇f, step and velocity, all runs
    velocity = next(t for t in fig["data"] if t.get("line", {}).get("dash") == "dash")
    assert len(decode(velocity["x"])) == 2 * 3  # [head, tip, gap] for momentum and Adam; plain SGD keeps none
    at.radio(key="view").set_value("3-D surface").run()
    fig = figure(at, "surface3d")
    assert fig["data"][0]["type"] == "surface" and {t["type"] for t in fig["data"][1:]} == {"scatter3d"}
    assert url(at)["view"] == "3d"


def test_view_state_travels_in_the_link():
    at = open_app(surface="quadratic", opt="sgd:lr=0.5", steps="200", frame="101", arrows="1")
    k = frame_step(200, 101)
    assert k != 101 and url(at)["frame"] == str(k) and url(at)["arrows"] == "1"  # snapped to the scrubber
    fig = figure(at)
    head = next(t for t in fig["data"] if t.get("marker", {}).get("size") == 11)
    np.testing.assert_allclose(
        [decode(head["x"])[0], decode(head["y"])[0]],
        simulate(Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&steps=200").scenario).runs[0].path[k],
        rtol=1e-6,
    )
    slider = fig["layout"]["sliders"][0]
    assert slider["steps"][slider["active"]]["label"] == str(k)
    assert not at.code  # the Share menu is drawn only while open
    at.session_state["share_menu"] = True
    at.run()
    codes = [c.value for c in at.code]
    assert any(c.endswith("&arrows=1") for c in codes) and any(c.endswith(f"&arrows=1&frame={k}") for c in codes)
    assert shown_by(at.number_input, "frame", "box").value == k
    shown_by(at.number_input, "frame", "box").set_value(45).run()
    snapped = frame_step(200, 45)
    assert url(at)["frame"] == str(snapped) and shown_by(at.number_input, "frame", "box").value == snapped
    at.session_state["share_menu"] = False  # closed: the step stays in the link
    at.run()
    assert url(at)["frame"] == str(snapped) and not at.code
    at.number_input(key="steps").set_value(30).run()  # the frame follows the run's length
    assert url(at)["frame"] == "30"
    at.session_state["share_menu"] = True  # opened again: the box shows the link's step
    at.run()
    assert shown_by(at.number_input, "frame", "box").value == 30


def test_a_copied_link_reproduces_the_same_figure():
    at = open_app()
    at.selectbox(key="surface").set_value("beale").run()
    shown_by(at.number_input, "run1.momentum.lr", "box").set_value(0.0005).run()
    at.session_state["share_menu"] = True
    at.run()
    shown_by(at.number_input, "frame", "box").set_value(250).run()
    at.checkbox(key="arrows").check().run()
    copied = url(at)
    again = AppTest.from_file(APP, default_timeout=120)
    for key, value in copied.items():
        again.query_params[key] = value
    again.run()
    assert not again.warning and url(again) == copied
    assert figure(again) == figure(at)
    assert table(again) == table(at)


@pytest.mark.parametrize("slug", PRESETS)
def test_gallery_opens_each_preset_and_shows_its_verified_claim(slug):
    at = open_app(page="gallery")
    assert url(at)["page"] == "gallery"  # the sidebar's preview is its only chart
    assert [c.proto.id.split("-")[-1] for c in at.get("bidi_component")] == ["schedule_preview"]
    at.button(key=f"preset.{slug}").click().run()
    preset = PRESETS[slug]
    assert "page" not in url(at)
    assert url_scenario(at).scenario == preset.scenario
    assert [s.value for s in at.success] and "✓ Holds" in at.success[0].value and preset.claim in at.success[0].value
    assert len(paths(figure(at, "drag_map" if "view=drag" in preset.link else "map"))) == len(preset.scenario.runs)


QUERY_KEYS = st_.sampled_from(
    [
        "v",
        "surface",
        "opt",
        "schedule",
        "steps",
        "start",
        "seed",
        "tol",
        "view",
        "arrows",
        "frame",
        "page",
        "zzz",
        "opt ",
    ]
)
QUERY_VALUES = st_.one_of(
    st_.text(max_size=40),
    st_.sampled_from(
        [
            "rosenbrock:a=9",
            "adam:lr=1e9,b1=2",
            "sgd:lr=nan",
            "quadratic:kappa=-1",
            "1e9",
            "-5",
            "3d",
            "gallery",
            "1,2,3",
            "1,1;2,2;3,3",
            "cosine:decay_steps=0",
            "himmelblau:",
            "lion:lr=0.1",
        ]
    ),
    st_.integers(-(10**12), 10**12).map(str),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st_.dictionaries(QUERY_KEYS, st_.one_of(QUERY_VALUES, st_.lists(QUERY_VALUES, min_size=1, max_size=12)), max_size=8)
)
def test_any_link_opens_a_working_page_within_the_compute_bounds(query):
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    shown = url_scenario(at)
    assert shown.warnings == []  # the address bar holds a clean, canonical link
    scenario = shown.scenario
    assert len(scenario.runs) * len(scenario.starts) * (scenario.steps + 1) <= MAX_RECORDED_ROWS
    components = ("-map", "-surface3d", *(f"-{key}" for key in WHOLE))  # every view is the map component
    drawn = any(c.proto.id.endswith(components) for c in at.get("bidi_component"))
    drawn = drawn or any("zoo-grid" in e.proto.body for e in at.get("html"))  # the zoo's pictures
    assert drawn or url(at).get("page") == "gallery"  # a view's chart, or the zoo's pictures
    assert not at.dataframe and not at.table  # no Arrow on any page: it slows every animation (summary_table)
    assert not at.get("plotly_chart")  # one plotly.js a page: Streamlit's own bundle is never loaded


def test_sweep_view_from_a_link_and_its_best_lr_buttons():
    at = open_app(surface="quadratic", opt=["sgd:lr=0.1", "momentum:lr=0.1"], view="sweep", sweep="-3,1")
    assert url(at)["view"] == "sweep" and url(at)["sweep"] == "-3,1"
    fig = figure(at, "sweep_chart")
    sweeps = lr_sweeps(Scenario.from_query("surface=quadratic&opt=sgd:lr=0.1&opt=momentum:lr=0.1").scenario, -3, 1)
    np.testing.assert_allclose(decode(fig["data"][0]["x"]), sweeps[0].lrs)
    assert any(a["text"].startswith("2/h = 2") for a in fig["layout"]["annotations"])
    at.button(key="best_lr0").click().run()
    assert url(at)["opt"][0] == f"sgd:lr={best_lr(sweeps[0]):.3g}"
    at.number_input(key="sweep_lo").set_value(-4.0).run()
    assert url(at)["sweep"] == "-4,1"


def test_basin_view_from_a_link():
    at = open_app(surface="himmelblau", opt=["adam:lr=0.1", "sgd:lr=0.01"], view="basins", run="1")
    assert at.selectbox(key="basin_run").value == 1 and url(at)["run"] == "1"
    fig = figure(at, "basins_chart")
    assert sum(t["name"].startswith("→") for t in fig["data"]) == 4
    assert "sgd lr=0.01" in fig["layout"]["title"]["text"]


def test_custom_formula_in_the_app_and_a_bad_one_keeps_a_working_page():
    at = open_app(surface="custom", f="(1-x)^2+100*(y-x^2)^2", domain="-2,2,-1,3", opt="adam:lr=0.05", start="-1.5,2")
    assert not at.warning and url(at)["f"] == "(1-x)^2+100*(y-x^2)^2"
    expected = simulate(Scenario.from_query("surface=rosenbrock&opt=adam:lr=0.05").scenario).runs[0].path
    np.testing.assert_allclose(paths(figure(at))["adam lr=0.05"], expected, rtol=1e-6)
    at.text_input(key="formula").set_value("x^2 + __import__('os')").run()
    assert not at.exception and at.text_input(key="formula").value == "x^2 + __import__('os')"  # the text stays
    assert "unknown function '__import__'" in shown(at.error)
    assert url(at)["f"] == "x**2 + 10*sin(y)" and component(at, "map")


def test_a_cloud_of_starts_from_a_link():
    at = open_app(surface="himmelblau", opt="sgd:lr=0.01", start="0,0", cloud="ring:n=32,r=0.2", steps="200")
    assert url(at)["cloud"] == "ring:n=32,r=0.2" and url(at)["start"] == "0,0"
    assert at.selectbox(key="cloud").value == "ring" and at.number_input(key="cl.n").value == 32
    rows = table(at)
    assert len(rows) == 1 and rows[0]["run"] == "1. sgd lr=0.01 (32 starts, medians)"
    assert len(paths(figure(at))["sgd lr=0.01"]) == 32 * 201 + 31  # 32 paths joined by gaps


def test_convention_picker_defaults_rules_and_link():
    at = open_app(conv="pytorch", opt=["adagrad:lr=0.05", "lion:lr=0.001"], surface="quadratic")
    assert "PyTorch has no Lion" in shown(at.warning) and len(table(at)) == 1
    assert at.session_state["run0.adagrad.initial_accumulator_value"] == 0.0
    assert url(at)["conv"] == "pytorch" and url(at)["opt"] == "adagrad:lr=0.05"
    assert not at.latex  # the update rules are written only while their expander is open
    at.session_state["update_rules"] = True
    at.run()
    assert any(r"\sqrt{G_t} + \epsilon" in m.value for m in at.latex)  # PyTorch's rule, ε outside the root
    at.selectbox(key="conv").set_value("keras").run()
    assert url(at)["conv"] == "keras" and url(at)["opt"] == "adagrad:lr=0.05"  # the lr stays, defaults follow Keras
    run = at.session_state["run_ids"][0]  # the runs were reloaded: new runs, new widgets
    assert at.session_state[f"run{run}.adagrad.initial_accumulator_value"] == 0.1
    at.session_state[f"hyper{run}"] = True
    at.run()
    assert shown_by(at.number_input, f"run{run}.adagrad.initial_accumulator_value", "box").value == 0.1
    expected = simulate(Scenario.from_query("conv=keras&surface=quadratic&opt=adagrad:lr=0.05").scenario)
    assert column(table(at), "final loss") == cells([expected.runs[0].loss[-1]])
    run = at.session_state["run_ids"][0]
    options = at.selectbox(key=f"run{run}").options
    assert menu_label("adam") in options and menu_label("radam") not in options
    assert options[0] == "SGD · plain and momentum"  # grouped by family


def test_a_return_to_the_drag_view_sends_its_figure_by_id_only():
    at = open_app(view="drag")
    first = json.loads(component(at, "drag_map").proto.json)
    assert len(json.dumps(first["figure"])) > 500_000  # each run's lr family
    at.radio(key="view").set_value("2-D map").run()
    at.radio(key="view").set_value("Drag lr").run()
    again = json.loads(component(at, "drag_map").proto.json)
    assert again["rev"] == first["rev"] and "figure" not in again and len(json.dumps(again)) < 200
