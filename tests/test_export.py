"""Exports: the GIF/MP4/PNG frames (opened with Pillow / read as MP4 boxes), the HTML page's
figure, and `python -m optviz render`."""

import io
import json
import re
import subprocess
import sys

import numpy as np
from PIL import Image, ImageColor

from optviz import Scenario, export, simulate
from optviz.figures import frame_step

QUERY = "v=1&surface=quadratic&opt=sgd:lr=0.5&opt=adam:lr=0.1&steps=60"


def result():
    return simulate(Scenario.from_query(QUERY).scenario)


def colour_at(image: Image.Image, x: float, y: float) -> tuple:
    return image.convert("RGB").getpixel((round(x), round(y)))


def test_gif_frames_size_and_head_positions():
    r = result()
    gif = Image.open(io.BytesIO(export.gif(r)))
    steps = export.animation_steps(60)
    assert gif.n_frames == len(steps) == 61 and gif.size == export.SIZE
    assert gif.info["loop"] == 0
    canvas = export._Canvas(r)
    for index in (0, 30, 60):  # each run's head is drawn in its colour where the engine put it
        gif.seek(index)
        heads = [canvas.pixels(run.path[steps[index]][None])[0] for run in r.runs]
        for i, (color, (x, y)) in enumerate(zip(canvas.colors, heads, strict=True)):
            if any(np.hypot(*(heads[j] - heads[i])) < 16 for j in range(i + 1, len(heads))):
                continue  # covered by a later run's marker
            rgb = colour_at(gif, x, y)
            assert np.abs(np.array(rgb) - ImageColor.getrgb(color)).max() < 40


def test_gif_caps_its_frames():
    long = simulate(Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&steps=2000").scenario)
    assert Image.open(io.BytesIO(export.gif(long))).n_frames == export.GIF_FRAMES


def test_png_is_one_frame_at_the_final_or_chosen_step():
    r = result()
    final, early = Image.open(io.BytesIO(export.png(r))), Image.open(io.BytesIO(export.png(r, frame=10)))
    assert final.size == early.size == export.SIZE
    assert final.tobytes() == export._Canvas(r).frame(60).tobytes()
    assert early.convert("RGB").tobytes() == export._Canvas(r).frame(frame_step(60, 10)).tobytes()


def test_mp4_is_an_h264_movie():
    data = export.mp4(result())
    assert data[4:8] == b"ftyp" and b"avc1" in data[:4096] and len(data) > 10_000


def test_html_embeds_plotly_and_the_figure():
    page = export.html(result(), frame=30)
    assert "<title>OptViz: v=1&amp;surface=quadratic" in page
    assert "Plotly.newPlot" in page and "plotly.js v" in page  # the library itself, inline
    assert 'src="http' not in page  # nothing loaded from the network
    frames = json.loads(re.search(r"Plotly\.addFrames\([^,]+,\s*(\[.*?\])\);", page, re.S).group(1))
    assert len(frames) == 61


def test_render_cli_writes_every_file(tmp_path):
    files = {kind: tmp_path / f"out.{kind}" for kind in ("html", "gif", "png", "mp4")}
    args = [sys.executable, "-m", "optviz", "render", QUERY + "&frame=20&bogus=1"]
    args += [a for kind, path in files.items() for a in (f"--{kind}", str(path))]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    assert "unknown parameter 'bogus' ignored" in out.stderr
    assert all(path.stat().st_size > 1000 for path in files.values())
    assert Image.open(files["png"]).size == export.SIZE
    assert Image.open(files["gif"]).n_frames == 61
    missing = subprocess.run([sys.executable, "-m", "optviz", "render", QUERY], capture_output=True, text=True)
    assert missing.returncode == 2 and "--html" in missing.stderr


def test_thumbnail_is_the_final_png_scaled_down():
    r = simulate(Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&steps=60").scenario)
    full = Image.open(io.BytesIO(export.png(r)))
    small = Image.open(io.BytesIO(export.thumbnail(r)))
    assert full.size == export.SIZE and small.size == export.THUMBNAIL
    expected = full.convert("RGB").resize(export.THUMBNAIL, Image.Resampling.LANCZOS)
    assert np.array_equal(np.asarray(small.convert("RGB")), np.asarray(expected))


def test_frames_label_the_map_domain_and_the_loss_range():
    r = simulate(Scenario.from_query("surface=booth&opt=sgd:lr=0.01&opt=adam:lr=0.5&steps=200").scenario)
    losses = np.concatenate([run.trajectories[0].loss for run in r.runs])
    labels = export.axis_labels(r)
    assert labels["map"] == "x -10 … 10,  y -10 … 10"  # Booth's domain
    assert labels["loss_top"] == f"f = {losses.max():.3g}" and labels["loss_bottom"] == f"f = {losses.min():.3g}"
    assert labels["loss"] == "loss f (log scale) vs step 0 … 200"
    # drawn on a white box over the map's lower left corner: white and black pixels there
    corner = np.asarray(Image.open(io.BytesIO(export.png(r))).convert("L"))[506:528, 12:150]
    assert (corner == 255).mean() > 0.5 and (corner < 80).any()
