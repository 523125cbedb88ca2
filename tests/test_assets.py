"""The map component's plotly.js: the vendored basic bundle, its version and what it draws."""

import re
from pathlib import Path

import plotly
import pytest

from optviz import Scenario, simulate
from optviz.figures import schedule_figure, surface_figure, trajectory_figure
from optviz.figures.drag import drag_figure
from optviz.map import assets
from optviz.sweeps import lr_families
from optviz.view import View
from optviz.view_kinds import VIEWS

FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def trace_types(figure: dict) -> set[str]:
    """The type of every trace of a figure dict and of its frames (plotly.js's default: scatter)."""
    traces = list(figure.get("data", []))
    for frame in figure.get("frames", []):
        traces += frame.get("data", [])
    return {trace.get("type", "scatter") for trace in traces}


def test_the_basic_bundle_matches_the_plotly_package_major_version():
    basic, full = assets.bundle_version(), assets.bundle_version(FULL)
    print(f"vendored basic bundle {basic}, plotly package's bundle {full}")
    assert basic.split(".")[0] == full.split(".")[0]
    assert assets.BUNDLE.stat().st_size < FULL.stat().st_size / 3
    assert "(basic - minified)" in assets.BUNDLE.read_text(encoding="utf-8")[:300]


@pytest.mark.parametrize("link", ["", "opt=adam:lr=0.05&opt=sgd:lr=0.001&steps=200&cloud=ring&arrows=1"])
def test_every_figure_the_component_draws_uses_only_the_bundles_traces(link):
    scenario = Scenario.from_query(link).scenario
    result = simulate(scenario)
    figures = {
        "map": trajectory_figure(result),
        "map with arrows": trajectory_figure(result, arrows=True),
        "drag": drag_figure(scenario, lr_families(scenario)),
        "schedule": schedule_figure(scenario.schedule, scenario.schedule_params, scenario.steps),
    }
    quadratic = Scenario.from_query("surface=quadratic&opt=momentum:lr=0.05&opt=sgd:lr=0.1").scenario
    for name in ("sweep", "basins", "plane"):  # whole figures of the component too
        ground = quadratic if name == "plane" else scenario
        built = VIEWS[name].built(ground, simulate(ground), View(view=name))
        figures[name] = built if name == "plane" else built[1]
    for name, figure in figures.items():
        assert trace_types(figure) <= set(assets.TRACE_TYPES), name
        assert trace_types(figure), name


def test_the_bundle_is_copied_once_under_its_version(tmp_path):
    url = assets.ensure_plotly_js(tmp_path)
    name = f"plotly-basic-{assets.bundle_version()}.min.js"
    assert url == f"app/static/{name}"
    copied = tmp_path / name
    assert copied.read_bytes() == assets.BUNDLE.read_bytes()
    before = copied.stat().st_mtime_ns
    assert assets.ensure_plotly_js(tmp_path) == url and copied.stat().st_mtime_ns == before


def test_the_players_plotly_internals_are_written_for_the_vendored_bundle():
    """player.js reads plotly.js internals in one place, written for one version: a new bundle
    fails here until that place is checked against it (and WRITTEN_FOR moved)."""
    source = assets.PLAYER.read_text(encoding="utf-8")
    (written_for,) = re.findall(r'export const WRITTEN_FOR = "([^"]+)";', source)
    assert written_for == assets.bundle_version() == assets.bundle_version(assets.GL3D)
    start = source.index("// --- plotly.js internals")
    end = source.index("// ----------", source.index("const internals"))
    internals = r"\._full|__data__|\bc2p\b|\._offset|\._length|_currentFrame"
    assert not re.search(internals, source[:start] + source[end:])
    assert not re.search(internals, assets.PLAYER.with_name("map.js").read_text(encoding="utf-8"))
    assert not re.search(internals, assets.SCENE.read_text(encoding="utf-8"))


def test_each_message_carries_only_the_loader_and_map_js_is_a_static_file(tmp_path):
    """Streamlit sends the component's script with every message: that script is a loader of
    a few hundred bytes; map.js, its constants filled in, is a static file under a hash of
    its content, written once."""
    from optviz.map import component

    url = assets.ensure_map_js(tmp_path)
    name = url.removeprefix("app/static/")
    assert re.fullmatch(r"optviz-map-[0-9a-f]{12}\.js", name)
    text = (tmp_path / name).read_text(encoding="utf-8")
    assert text == assets.map_js() and "export default function map(args)" in text
    assert not re.search(r"__[A-Z_]+__", text)  # every placeholder filled in
    before = (tmp_path / name).stat().st_mtime_ns
    assert assets.ensure_map_js(tmp_path) == url and (tmp_path / name).stat().st_mtime_ns == before
    assert len(component._JS.encode()) < 300 and f'"{assets.ensure_map_js()}"' in component._JS
    assert assets.MAP.stat().st_size > 40 * len(component._JS.encode())


def test_the_player_is_copied_under_a_hash_of_its_content(tmp_path, monkeypatch):
    url = assets.ensure_player_js(tmp_path)
    name = url.removeprefix("app/static/")
    assert re.fullmatch(r"optviz-player-[0-9a-f]{12}\.js", name)
    assert (tmp_path / name).read_bytes() == assets.PLAYER.read_bytes()
    changed = tmp_path / "player.js"  # another content, another name: no stale copy in a browser
    changed.write_text("export class Player {}\n", encoding="utf-8")
    monkeypatch.setattr(assets, "PLAYER", changed)
    assert assets.ensure_player_js(tmp_path / "other") != url


def test_the_3d_view_uses_only_the_gl3d_bundles_traces_and_the_bundle_matches_the_basic_one():
    assert assets.bundle_version(assets.GL3D) == assets.bundle_version()
    assert "(gl3d - minified)" in assets.GL3D.read_text(encoding="utf-8")[:300]
    bundle = assets.GL3D.read_text(encoding="utf-8")
    for name in assets.GL3D_TYPES:
        assert f'moduleType:"trace",name:"{name}"' in bundle, name  # registered by the bundle
    figure = surface_figure(simulate(Scenario.from_query("cloud=ring").scenario))
    assert trace_types(figure) <= set(assets.GL3D_TYPES) and "surface" in trace_types(figure)
