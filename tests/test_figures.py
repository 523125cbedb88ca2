"""Figure builders: payload bounds, frame contents, map image, arrows, tables."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from optviz import Scenario, simulate
from optviz.engine import averages
from optviz.figures import MAX_FRAMES, PICKER, map_parts, schedule_figure, surface_figure, trajectory_figure
from optviz.figures.frames import CURVE_POINTS, MAX_HEADS, SLIDER_STEPS, TAIL, envelope, frame_steps, scrubber_steps
from optviz.figures.map_image import color_levels, contour_image, map_background, map_image, surface_grid
from optviz.figures.map_layout import merged
from optviz.figures.trajectory import PATH_REDRAW, PICKER_GRID
from optviz.summary import cell, summary_rows, summary_table
from surfaces import SURFACES
from tests.map_client import decode

SIX = "&".join(
    f"opt={o}"
    for o in (
        "sgd:lr=0.001",
        "momentum:lr=0.001",
        "adam:lr=0.05",
        "rmsprop:lr=0.01",
        "nesterov:lr=0.001",
        "adagrad:lr=0.1",
    )
)


def six_runs(steps):
    return simulate(Scenario.from_query(f"{SIX}&steps={steps}").scenario)


def payload(fig) -> int:
    return len(json.dumps(fig).encode())


def test_payload_is_linear_in_steps_and_within_budget():
    sizes = {steps: payload(trajectory_figure(six_runs(steps))) for steps in (1000, 2000, 4000)}
    assert sizes[2000] <= 2_000_000
    growth_low, growth_high = sizes[2000] - sizes[1000], sizes[4000] - sizes[2000]
    assert growth_high == pytest.approx(2 * growth_low, rel=0.2)  # linear, not quadratic


def scrubber_stops(fig: dict) -> set[str]:
    """Names of the frames the step slider can be set to."""
    return {step["args"][0][0] for step in fig["layout"]["sliders"][0]["steps"]}


def test_frames_are_capped_and_carry_only_moving_parts():
    fig = trajectory_figure(six_runs(2000))
    frames = fig["frames"]
    assert len(frames) == MAX_FRAMES
    steps = [int(f["name"]) for f in frames]
    assert steps[0] == 0 and steps[-1] == 2000 and steps == sorted(steps)
    stops = scrubber_stops(fig)
    assert sorted(map(int, stops)) == list(range(0, 2001, 50))  # round steps: 50 is 1-2-5 and 2000/50 ≤ 50
    moves = [i for i, d in zip(frames[1]["traces"], frames[1]["data"], strict=True) if d]
    on_map = {i for i, t in enumerate(fig["data"]) if i not in moves and t.get("xaxis", "x") == "x"}
    paths = {i for i, t in enumerate(fig["data"]) if t.get("mode") == "lines" and t.get("xaxis") == "x"}
    assert paths | {0, PICKER} <= on_map  # the colour-bar trace, the picker, the full paths
    for frame in frames:
        # the still traces are listed unchanged: plotly.js then redraws them, which keeps
        # clicks on the map working after Play (every frame: Pause may stop on any), and
        # on the loss and lr panels after the scrubber or the end
        listed = dict(zip(frame["traces"], frame["data"], strict=True))
        assert set(listed) == (set(range(len(fig["data"]))) if frame["name"] in stops else set(moves) | on_map)
        for i, trace in listed.items():
            assert trace == {} if i not in moves else len(decode(trace["x"])) <= 6 * (TAIL + 2)  # not the path so far


def test_tail_is_the_exact_recent_path():
    result = six_runs(500)
    fig = trajectory_figure(result)
    frame = next(f for f in fig["frames"] if int(f["name"]) >= 300)
    k = int(frame["name"])
    tails = frame["data"][0]  # every run's last TAIL + 1 positions, one block per run
    xy = np.column_stack([decode(tails["x"]), decode(tails["y"])]).reshape(len(result.runs), TAIL + 1, 2)
    for run, block in zip(result.runs, xy, strict=True):
        np.testing.assert_allclose(block, run.path[k - TAIL : k + 1], rtol=1e-6)


def test_diverged_run_holds_its_last_position():
    result = simulate(Scenario.from_query("surface=quadratic&opt=sgd:lr=2.5&steps=300").scenario)
    fig = trajectory_figure(result)
    head = fig["frames"][-1]["data"][1]
    np.testing.assert_allclose([decode(head["x"])[0], decode(head["y"])[0]], result.runs[0].path[-1], rtol=1e-6)
    assert not any(np.isinf(decode(t["y"])).any() for f in fig["frames"] for t in f["data"] if t)
    assert all(np.isfinite(decode(f["data"][1]["x"])).all() for f in fig["frames"])  # NaN only pads tails


@pytest.mark.parametrize(("link", "dtick"), [("", 1), ("surface=quadratic&opt=sgd:lr=0.01&steps=20", None)])
def test_the_loss_panel_labels_each_power_of_ten_when_it_spans_decades(link, dtick):
    """Over 2 to 8 decades the loss axis is labelled at 1, 10, 100, … (plotly.js's own ticks
    also label the 2s and 5s between, which crowd the small panel); over less than 2 decades
    plotly.js's ticks stay, or the axis would have one label or none."""
    fig = trajectory_figure(simulate(Scenario.from_query(link).scenario))
    axis = fig["layout"]["yaxis2"]
    lo, hi = axis["range"]
    assert axis["type"] == "log" and (2 <= hi - lo <= 8) == (dtick == 1)
    assert axis.get("dtick") == dtick


def test_log_colouring_where_values_span_decades():
    assert color_levels(surface_grid(SURFACES["rosenbrock"], (("a", 1.0), ("b", 100.0)))[2])[2]
    assert not color_levels(surface_grid(SURFACES["quadratic"], (("kappa", 10.0), ("h", 1.0)))[2])[2]


@pytest.mark.parametrize("steps", [1, 7, 60, 80, 199, 300, 372, 500, 1000, 2500, 3000, 10_000])
def test_scrubber_stops_are_round_steps_and_frames(steps):
    stops, frames = scrubber_steps(steps), frame_steps(steps)
    stride = stops[1]
    assert str(stride).strip("0") in {"1", "2", "5"}  # 1, 2 or 5 times a power of ten
    previous = stride / (2.5 if str(stride)[0] == "5" else 2)  # the 1-2-5 stride below it
    assert stride == 1 or steps / previous > SLIDER_STEPS  # the smallest with at most SLIDER_STEPS intervals
    assert list(stops[:-1]) == list(range(0, steps, stride))[: len(stops) - 1] and stops[-1] == steps
    assert len(stops) <= SLIDER_STEPS + 2 and set(stops) <= set(frames)
    assert len(frames) == min(steps + 1, MAX_FRAMES) and list(frames) == sorted(set(frames))
    assert np.diff(frames).max() <= 2 * np.ceil(steps / (MAX_FRAMES - 1))  # still evenly spread


@pytest.mark.parametrize(
    ("surface", "label", "shift"),
    [
        ("rosenbrock", "log₁₀ f", 0.0),
        ("booth", "log₁₀ f", 0.0),
        ("six_hump_camel", "log₁₀(f − f_min), f_min = −1.032", -1.0316284534898774),
    ],
)
def test_colour_bar_label_names_the_known_minimum(surface, label, shift):
    """Where values span decades the map colours log₁₀(f − f_min + δ) with f_min the known
    minimum's value (not the grid's lowest value, 4.36e-06 on Rosenbrock)."""
    s = SURFACES[surface]
    params = tuple((p.name, p.default) for p in s.params)
    _, _, Z = surface_grid(s, params, 50)
    shown, got, is_log, low = color_levels(Z, min(m.f for m in s.minima(dict(params))))
    assert is_log and got == label and low == pytest.approx(shift, abs=1e-9)
    delta = (Z.max() - shift) * 1e-6
    np.testing.assert_allclose(shown, np.log10(Z - shift + delta), rtol=1e-12)
    assert map_image(s, params)[1] == label


def test_layout_variants_merge_one_level_deep():
    base = {"a": {"x": 1, "y": 2}, "b": [{"x": 1, "y": 2}, {"x": 3}], "c": 1}
    over = {"a": {"y": 5}, "b": [{"y": 6}, {"z": 7}], "d": 2}
    assert merged(base, over) == {"a": {"x": 1, "y": 5}, "b": [{"x": 1, "y": 6}, {"x": 3, "z": 7}], "c": 1, "d": 2}
    assert base["a"] == {"x": 1, "y": 2}  # not changed in place


def test_contour_image_bands_and_orientation():
    values = np.tile(np.linspace(0, 1, 90)[:, None], (1, 60))  # rows = y upwards
    image = np.asarray(contour_image(values, levels=10))
    assert image.shape == (90, 60)
    column = image[:, 30].astype(int)
    assert column[-1] > column[0]  # low values (bottom row of the image) are lighter
    assert len(set(column)) >= 10  # ten bands plus their level lines


def test_map_background_is_the_map_image_as_png():
    params = (("a", 1.0), ("b", 100.0))
    uri, label, low, high = map_background(SURFACES["rosenbrock"], params)
    decoded = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert np.array_equal(np.asarray(decoded), np.asarray(map_image(SURFACES["rosenbrock"], params)[0]))
    assert label.startswith("log") and low < high


def test_arrows_point_along_minus_gradient_and_step():
    result = simulate(Scenario.from_query("surface=quadratic&opt=sgd:lr=0.3&steps=50").scenario)
    fig = trajectory_figure(result, arrows=True)
    frame = fig["frames"][0]
    run = result.runs[0]
    grad_arrow, step_arrow = ([decode(frame["data"][i][a]) for a in "xy"] for i in (2, 3))
    for (xs, ys), direction in ((grad_arrow, -run.grad[0]), (step_arrow, run.update[0])):
        vector = np.array([xs[1] - xs[0], ys[1] - ys[0]])
        np.testing.assert_allclose(vector / np.hypot(*vector), direction / np.hypot(*direction), rtol=1e-5)


def test_summary_rows_and_3d_and_schedule_preview():
    result = simulate(Scenario.from_query("surface=quadratic&opt=sgd:lr=2.5&opt=sgd:lr=0.5&steps=200").scenario)
    rows = summary_rows(result)
    assert [r["status"] for r in rows] == ["⚠ diverged", "✓ converged"]
    assert (
        rows[1]["final loss"] == result.runs[1].loss[-1] and rows[0]["diverged at step"] == result.runs[0].diverged_at
    )
    table = summary_table(rows).splitlines()
    assert table[1] == "|:---|---:|---:|---:|---:|:---|"  # numbers right-aligned
    first = rows[0]
    assert table[2].split(" | ")[1:3] == [f"{first['final loss']:.4g}", f"{first['distance to nearest minimum']:.4g}"]
    assert table[3].split(" | ")[4] == "—" and cell("a|b_c*") == "a\\|b\\_c\\*"  # no divergence; Markdown escaped
    fig3d = surface_figure(result)
    z = decode(fig3d["data"][3]["z"])  # the surface, the minimum, run 1's path, run 2's path
    lift = np.ptp(decode(fig3d["data"][0]["z"])) * 0.015
    assert (z >= result.runs[1].loss + 0.99 * lift).all() and (z <= result.runs[1].loss + 1.2 * lift).all()
    preview = schedule_figure("cosine", (("decay_steps", 100), ("alpha", 0.0)), 200)
    s = decode(preview["data"][0]["y"])
    np.testing.assert_allclose(s[:101], 0.5 * (1 + np.cos(np.pi * np.arange(101) / 100)), atol=1e-12)


def test_start_picker_grid_covers_the_map():
    fig = trajectory_figure(simulate(Scenario.from_query("surface=beale&steps=10").scenario))
    picker = fig["data"][PICKER]
    assert picker["name"] == "start picker" and picker["marker"]["opacity"] == 0
    xs, ys = decode(picker["x"]), decode(picker["y"])
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (-4.5, 4.5, -4.5, 4.5)
    frame = fig["frames"][0]
    assert len(xs) == PICKER_GRID**2 and frame["data"][frame["traces"].index(PICKER)] == {}  # never moves


def test_many_starts_are_drawn_up_to_a_bound():
    starts = "&".join(f"start={x / 4},{y / 4}" for x in range(-12, 12) for y in range(-8, 8))  # 384 starts
    result = simulate(
        Scenario.from_query(f"surface=himmelblau&opt=adam:lr=0.1&opt=sgd:lr=0.01&steps=300&{starts}").scenario
    )
    fig = trajectory_figure(result)
    heads = fig["frames"][-1]["data"][1]
    assert len(decode(heads["x"])) == MAX_HEADS  # 128 per run
    rows = summary_rows(result)  # one row per run: medians and counts
    assert [r["run"] for r in rows] == ["1. adam lr=0.1 (384 starts, medians)", "2. sgd lr=0.01 (384 starts, medians)"]
    finals = [t.loss[-1] for t in result.runs[1].trajectories if t.diverged_at is None]
    assert rows[1]["final loss"] == pytest.approx(np.median(finals))
    converged = sum(t.converged_at is not None for t in result.runs[1].trajectories)
    assert rows[1]["status"].startswith(f"{converged} of 384 converged")
    assert payload(fig) < 2_000_000


def test_a_cloud_of_starts_animates_whole_for_one_run():
    result = simulate(
        Scenario.from_query("surface=himmelblau&opt=sgd:lr=0.01&steps=200&cloud=ring:n=256,r=0.3").scenario
    )
    assert len(result.runs[0].trajectories) == 256
    fig = trajectory_figure(result)
    heads = fig["frames"][-1]["data"][1]
    xs, ys = decode(heads["x"]), decode(heads["y"])
    np.testing.assert_allclose(np.column_stack([xs, ys]), [t.path[-1] for t in result.runs[0].trajectories], rtol=1e-6)
    assert payload(fig) < 2_000_000
    paths = next(i for i, t in enumerate(fig["data"]) if t.get("mode") == "lines" and t.get("xaxis") == "x")
    assert len(decode(fig["data"][paths]["x"])) > PATH_REDRAW  # 256 paths: redrawn in the scrubber's frames only
    stops = scrubber_stops(fig)
    assert all((paths in f["traces"]) == (f["name"] in stops) for f in fig["frames"])


def test_long_curves_keep_their_extremes():
    values = np.sin(np.arange(5000) / 7.0) + np.where(np.arange(5000) == 3333, 50.0, 0.0)  # one spike
    kept = envelope(values)
    assert len(kept) <= CURVE_POINTS + 2 and kept[0] == 0 and kept[-1] == 4999 and 3333 in kept
    assert values[kept].max() == values.max() and values[kept].min() == values.min()
    np.testing.assert_array_equal(envelope(values[:300]), np.arange(300))


def test_a_schedule_free_run_draws_the_average_it_reports_dotted_beside_its_path():
    link = "surface=rosenbrock&opt=schedule_free_sgd:lr=0.001&opt=sgd:lr=0.001&steps=300"
    result = simulate(Scenario.from_query(link).scenario)
    parts = map_parts(result)
    dotted = [t for t in parts.runs[0]["traces"] if "the average x" in t.get("name", "")]
    assert len(dotted) == 1 and dotted[0]["line"]["dash"] == "dot"
    drawn = np.stack([decode(dotted[0]["x"]), decode(dotted[0]["y"])], axis=1)
    x = averages(result, 0)[0]
    np.testing.assert_allclose(drawn[[0, -1]], x[[0, -1]], rtol=1e-6)  # float32 on the wire
    assert np.abs(drawn[-1] - result.runs[0].path[-1]).max() > 1e-3  # x, not the path y
    assert not any("the average x" in t.get("name", "") for t in parts.runs[1]["traces"])
