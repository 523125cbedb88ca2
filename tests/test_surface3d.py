"""The 3-D view: a smooth height field on every surface, paths drawn above the surface as
plotly.js draws it, heads on the paths, and an lr change that sends one run's part."""

import numpy as np
import pytest

from optviz import Scenario, simulate
from optviz.figures.frames import frame_steps
from optviz.figures.surface3d import LIFT, SOFTEN, mesh_height, scene_parts, surface_field, surface_figure
from optviz.map.message import encode_scene, message, remember
from surfaces import SURFACES
from tests.map_client import decoded_values

CUSTOM = "surface=custom&f=sin(x)*cos(y)%2B0.1*(x**2%2By**2)&domain=-4,4,-4,4"
SPIKE = 0.15  # neighbouring heights differ by less than this share of the height range


def grid_f(link: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """f on an n × n grid over the domain, evaluated here point by point (rows = y)."""
    scenario = Scenario.from_query(link).scenario
    (x0, x1), (y0, y1) = scenario.surface_def.domain
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    params = dict(scenario.surface_params)
    f = np.array([[float(scenario.surface_def.fn(x, y, **params)) for x in xs] for y in ys])
    return xs, ys, f


@pytest.mark.parametrize("link", [f"surface={name}" for name in SURFACES] + [CUSTOM])
def test_no_spikes_on_any_surface(link):
    field = surface_field(Scenario.from_query(link).scenario)
    H = field.H
    assert np.isfinite(H).all()
    span = np.ptp(H)
    steps = max(np.abs(np.diff(H, axis=0)).max(), np.abs(np.diff(H, axis=1)).max()) / span
    assert steps < SPIKE, f"{link}: a neighbouring step of {steps:.3f} of the range"


def test_the_map_colouring_drawn_as_heights_would_spike():
    """The map's log colouring (c a millionth of the range) makes Rosenbrock's floor pits."""
    _, _, f = grid_f("surface=rosenbrock", 40)
    naive = np.log10(f + 1e-6 * np.ptp(f))
    assert np.abs(np.diff(naive, axis=0)).max() / np.ptp(naive) > 2 * SPIKE


def test_rosenbrock_heights_are_log_of_f_plus_a_tenth_of_its_median():
    scenario = Scenario.from_query("surface=rosenbrock").scenario
    field = surface_field(scenario)
    f = grid_f("surface=rosenbrock", len(field.xs))[2]
    c = SOFTEN * np.median(f)  # f₀ = 0, the known minimum
    np.testing.assert_allclose(field.H, np.log10(f + c), rtol=1e-5, atol=1e-6)
    assert field.heights.title == f"log₁₀(f + {c:.3g})"
    np.testing.assert_allclose(field.lift, LIFT * np.ptp(np.log10(f + c)), rtol=1e-5)


def test_a_surface_of_narrow_range_is_drawn_at_f_itself():
    field = surface_field(Scenario.from_query("surface=quadratic").scenario)
    _, _, f = grid_f("surface=quadratic", len(field.xs))
    np.testing.assert_allclose(field.H, f, rtol=1e-5, atol=1e-6)
    assert field.heights.title == "f"


def test_mesh_height_is_the_higher_triangulation_of_a_cell():
    xs, ys = np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0])
    H = np.array([[0.0, 4.0, 0.0], [2.0, 0.0, 0.0]])  # rows = y
    assert mesh_height(xs, ys, H, 1.0, 0.0) == 4.0 and mesh_height(xs, ys, H, 0.0, 1.0) == 2.0  # nodes
    # the first cell's centre: diagonal (0,0)-(1,1) gives (0 + 0) / 2, diagonal (1,0)-(0,1) gives (4 + 2) / 2
    assert mesh_height(xs, ys, H, 0.5, 0.5) == pytest.approx(3.0)
    # a quarter along the first cell's bottom edge: both triangulations give 1
    assert mesh_height(xs, ys, H, 0.25, 0.0) == pytest.approx(1.0)
    assert np.isnan(mesh_height(xs, ys, H, 2.5, 0.5))


@pytest.mark.parametrize(
    "link",
    [
        "surface=rosenbrock",
        "surface=rastrigin&opt=adam:lr=0.3&start=3.2,-2.7",
        "surface=himmelblau&cloud=ring",
        "surface=quadratic&opt=sgd:lr=2.5&steps=50",  # diverges: leaves the domain
        CUSTOM,
    ],
)
def test_every_drawn_path_point_lies_above_the_surface(link):
    scenario = Scenario.from_query(link).scenario
    result = simulate(scenario)
    field = surface_field(scenario)
    figure = surface_figure(result)
    paths = [t for t in figure["data"] if t.get("type") == "scatter3d" and t.get("mode", "").startswith("lines")]
    assert len(paths) == len(result.runs)
    drawn = 0
    for trace in paths:
        x, y, z = (decoded_values(trace[k]) for k in "xyz")
        ok = np.isfinite(z)
        surface = mesh_height(field.xs, field.ys, field.H, x[ok], y[ok])
        assert (z[ok] >= surface + 0.99 * field.lift).all()
        drawn += ok.sum()
    assert drawn > 0


def test_heads_move_along_the_paths():
    result = simulate(Scenario.from_query("surface=rosenbrock&steps=300").scenario)
    figure = surface_figure(result, frame=100)
    ks = frame_steps(300)
    head = figure["data"][-1]
    assert figure["frames"][0]["traces"] == [len(figure["data"]) - 1]
    assert [f["name"] for f in figure["frames"]] == [str(k) for k in ks]
    at = [f["name"] for f in figure["frames"]].index("100")
    for data in (head, figure["frames"][at]["data"][0]):
        x, y = decoded_values(data["x"]), decoded_values(data["y"])
        np.testing.assert_allclose(np.column_stack([x, y]), [r.path[100] for r in result.runs], rtol=1e-6)
    first = figure["frames"][0]["data"][0]
    np.testing.assert_allclose(decoded_values(first["x"]), [r.path[0, 0] for r in result.runs], rtol=1e-6)
    slider = figure["layout"]["sliders"][0]
    assert slider["steps"][slider["active"]]["label"] == "100"
    assert all(step["args"][1]["frame"]["redraw"] for step in slider["steps"])  # 3-D frames redraw


def test_an_lr_change_sends_only_that_runs_part():
    before = encode_scene(scene_parts(simulate(Scenario.from_query("opt=sgd:lr=0.001&opt=adam:lr=0.05").scenario)))
    after = encode_scene(scene_parts(simulate(Scenario.from_query("opt=sgd:lr=0.002&opt=adam:lr=0.05").scenario)))
    held = remember([], message(before, 0, []))
    sent = message(after, 0, held)["parts"]
    assert list(sent) == [after[1][0]] and sent[after[1][0]]["kind"] == "run"
    assert after[0][0] == before[0][0] and after[2][0] == before[2][0]  # surface and its other run kept


def test_theory_adds_each_runs_continuous_path_lifted_onto_the_surface():
    from optviz.figures.frames import thinned
    from optviz.figures.theory_marks import FLOW_POINTS, flow_path
    from tests.map_client import decoded_values as decoded

    scenario = Scenario.from_query(
        "surface=quadratic:kappa=10&opt=sgd:lr=0.1&opt=momentum:lr=0.05&opt=adam:lr=0.1&steps=200"
    ).scenario
    result = simulate(scenario)
    plain, shown = scene_parts(result), scene_parts(result, theory=True)
    assert [len(run["traces"]) for run in plain.runs] == [1, 1, 1]
    assert [len(run["traces"]) for run in shown.runs] == [2, 2, 1]  # Adam has no flow
    field = surface_field(scenario)
    for i in (0, 1):
        flow = shown.runs[i]["traces"][1]
        path, name = flow_path(result, i)
        expected = path[thinned(len(path), FLOW_POINTS)]
        xyz = np.column_stack([decoded(flow[k]) for k in "xyz"])
        np.testing.assert_allclose(xyz[:, :2], expected, rtol=1e-6)  # sent as float32
        assert flow["line"]["dash"] == "dot" and flow["name"] == name
        f = 0.5 * (expected[:, 0] ** 2 + expected[:, 1] ** 2 / 10)  # the quadratic: h = 1 along x, h/κ along y
        np.testing.assert_allclose(xyz[:, 2], field.above(expected[:, 0], expected[:, 1], f), rtol=1e-6)
