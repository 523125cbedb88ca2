"""Exports for slides: a standalone animated HTML page, a GIF or MP4 of the animation and
a PNG of one frame. Pure functions from a `Result` to bytes.

The HTML is the app's own Plotly figure with plotly.js inlined (works offline). The
images are drawn with Pillow on the same map image the app shows (`map_image`): the
paths so far in each run's colour, the current positions, the known minima, a legend
with each run's loss at that step, and the step counter. The MP4 is encoded by the
ffmpeg binary that the ``imageio-ffmpeg`` wheel ships.
"""

from __future__ import annotations

import html as markup
import io
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import plotly.io as pio
from PIL import Image, ImageColor, ImageDraw, ImageFont

from optviz.engine import Result
from optviz.figures import COLORS, drawn, frame_step, map_image, row_at, trajectory_figure
from optviz.figures.theory_marks import EIGEN_COLOR, eigen_segments, envelope, flow_path
from optviz.literal import clip, html_text
from optviz.params import fmt
from optviz.predictions import lines, predict
from optviz.schedules import SCHEDULES
from optviz.snippets import scenario_code

SIZE = (960, 540)  # 16:9, for slides
THUMBNAIL = (480, 270)  # the gallery's cards
GIF_FRAMES = 100  # animation frames in a GIF or MP4 (steps are sampled evenly)
FRAME_MS = 40
HOLD_MS = 2000  # the last frame stays this long before the GIF loops
_MAP = 520  # side of the square map, in pixels
_PAD = 10
_MINIMUM = "#FFD700"
_LOSS_BOX = (_MAP + 2 * _PAD + 10, 330, SIZE[0] - 2 * _PAD, SIZE[1] - 30)  # left, top, right, bottom


def html(result: Result, *, arrows: bool = False, frame: int = 0, theory: bool = False) -> str:
    """The app's animated figure as one self-contained HTML page (plotly.js inlined), and
    below it every run as code of the framework the runs follow (`optviz.snippets`); with
    ``theory``, the theory's traces on the figure and its lines above the code."""
    fig = trajectory_figure(result, arrows=arrows, frame=frame, theory=theory)
    title = html_text(f"OptViz: {clip(result.scenario.to_query())}")
    page = pio.to_html(
        fig,
        include_plotlyjs=True,
        full_html=True,
        validate=False,
        auto_play=False,
        config={"displaylogo": False},
        default_width="100%",
        default_height="620px",
    )
    code = markup.escape(scenario_code(result.scenario, result=result))
    section = f'<h2 style="font-family:sans-serif">Code</h2><pre id="optviz-code">{code}</pre>'
    if theory:
        items = "".join(f"<li>{markup.escape(line)}</li>" for line in lines(predict(result.scenario, result)))
        section = f'<h2 style="font-family:sans-serif">Theory</h2><ul id="optviz-theory">{items}</ul>' + section
    page = page.replace("</body>", f"{section}</body>", 1)
    return page.replace("<head>", f"<head><title>{title}</title>", 1)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


class _Canvas:
    """Maps data coordinates to the map's pixels and draws a frame for any step; with
    ``theory``, the theory's marks (`optviz.figures.theory_marks`) under the paths and
    each run's predicted ρ in the legend."""

    def __init__(self, result: Result, theory: bool = False):
        self.result = result
        self.pred = predict(result.scenario, result) if theory else None
        scenario = result.scenario
        surface = scenario.surface_def
        (self.x0, self.x1), (self.y0, self.y1) = surface.domain
        image = map_image(surface, scenario.surface_params)[0]
        base = Image.new("RGB", SIZE, "white")
        base.paste(image.resize((_MAP, _MAP)).convert("RGB"), (_PAD, _PAD))
        draw = ImageDraw.Draw(base)
        draw.rectangle((_PAD, _PAD, _PAD + _MAP, _PAD + _MAP), outline="#444444")
        self.labels = axis_labels(result)
        _label(draw, (_PAD + 6, _PAD + _MAP - 24), self.labels["map"])
        for m in surface.minima(dict(scenario.surface_params)):
            x, y = self.pixels(np.array([[m.x, m.y]]))[0]
            draw.regular_polygon((x, y, 9), 4, rotation=45, fill=_MINIMUM, outline="black")
        self.colors = [COLORS[i % len(COLORS)] for i in range(len(result.runs))]
        self.trajs = [(self.colors[i], t) for i, run in enumerate(result.runs) for t in drawn(result, run)]
        self.pixel_paths = [self.pixels(t.path) for _, t in self.trajs]
        for (color, _), path in zip(self.trajs, self.pixel_paths, strict=True):
            draw.line([tuple(p) for p in path], fill=_faint(color), width=1)
        self.curves = self._loss_axes(draw)
        if self.pred is not None:
            self._theory(draw)
        x = _PAD * 2 + _MAP
        draw.text((x, _PAD), f"{surface.title}", fill="black", font=_font(22))
        schedule = SCHEDULES[scenario.schedule].title.lower()
        draw.text((x, _PAD + 30), f"{schedule} learning rate, {scenario.steps} steps", fill="#444444", font=_font(14))
        self.base = base

    def _loss_axes(self, draw: ImageDraw.ImageDraw) -> list[np.ndarray]:
        """Draw the loss panel's frame and labels; each run's loss curve in its pixels.

        Log scale when every drawn loss is positive (as in the app), else linear."""
        left, top, right, bottom = _LOSS_BOX
        draw.rectangle(_LOSS_BOX, outline="#888888")
        losses = [run.trajectories[0].loss for run in self.result.runs]
        log = all(np.all(v > 0) for v in losses)
        values = [np.log10(v) if log else v for v in losses]
        low, high = min(float(v.min()) for v in values), max(float(v.max()) for v in values)
        span = (high - low) or 1.0
        steps = self.result.scenario.steps
        draw.text((left, bottom + 4), self.labels["loss"], fill="#444444", font=_font(13))

        def loss_pixels(ks: np.ndarray, losses: np.ndarray) -> np.ndarray:
            v = np.log10(np.maximum(losses, 1e-300)) if log else losses
            x = left + ks / max(steps, 1) * (right - left)
            return np.column_stack([x, bottom - (v - low) / span * (bottom - top)])

        self.loss_pixels = loss_pixels
        return [loss_pixels(np.arange(len(v)), v) for v in losses]

    def pixels(self, points: np.ndarray) -> np.ndarray:
        """Data (x, y) → image (column, row), clipped far outside so lines stay drawable."""
        col = _PAD + (points[:, 0] - self.x0) / (self.x1 - self.x0) * _MAP
        row = _PAD + (self.y1 - points[:, 1]) / (self.y1 - self.y0) * _MAP
        return np.clip(np.column_stack([col, row]), -10 * _MAP, 10 * _MAP)

    def frame(self, k: int) -> Image.Image:
        """The picture at step ``k``: paths up to k, positions at k, losses at k."""
        image = self.base.copy()
        draw = ImageDraw.Draw(image)
        for (color, t), path in zip(self.trajs, self.pixel_paths, strict=True):
            row = row_at(t, k)
            if row:
                draw.line([tuple(p) for p in path[: row + 1]], fill=color, width=3)
        for (color, t), path in zip(self.trajs, self.pixel_paths, strict=True):
            x, y = path[row_at(t, k)]
            draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=color, outline="white", width=2)
        image.paste(self._legend(k), (_PAD * 2 + _MAP, 70))
        draw = ImageDraw.Draw(image)
        for color, curve in zip(self.colors, self.curves, strict=True):
            shown = curve[: k + 1]
            if len(shown) > 1:
                draw.line([tuple(p) for p in shown], fill=color, width=2)
            x, y = shown[-1]
            draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=color)
        _label(draw, (_LOSS_BOX[0] + 4, _LOSS_BOX[1] + 3), self.labels["loss_top"])  # over the curves
        _label(draw, (_LOSS_BOX[0] + 4, _LOSS_BOX[3] - 19), self.labels["loss_bottom"])
        return image

    def _legend(self, k: int) -> Image.Image:
        width = SIZE[0] - _MAP - 3 * _PAD
        panel = Image.new("RGB", (width, _LOSS_BOX[1] - 80), "white")
        draw = ImageDraw.Draw(panel)
        draw.text((0, 0), f"step {k} of {self.result.scenario.steps}", fill="black", font=_font(18))
        for i, run in enumerate(self.result.runs):
            t = run.trajectories[0]
            y = 36 + 30 * i
            draw.rectangle((0, y + 3, 22, y + 15), fill=self.colors[i])
            gone = t.diverged_at is not None and k > t.diverged_at
            status = "diverged" if gone else f"f = {t.loss[row_at(t, k)]:.4g}"
            if self.pred is not None and self.pred.runs[i].reason is None:
                status += f"  rate {self.pred.runs[i].rate:.4g}"
            draw.text((30, y), f"{run.run.label}   {status}", fill="black", font=_font(15))
        return panel

    def _theory(self, draw: ImageDraw.ImageDraw) -> None:
        """The eigen-directions at the minimum, each run's continuous-time path (dotted)
        and, on the quadratics, its loss envelope f₀·ρ²ᵏ (dashed, inside the loss panel)."""
        domain = self.result.scenario.surface_def.domain
        for ends, _, _ in eigen_segments(self.pred, domain):
            draw.line([tuple(p) for p in self.pixels(ends)], fill=EIGEN_COLOR, width=3)
        _, top, right, bottom = _LOSS_BOX
        for i, r in enumerate(self.pred.runs):
            flow = flow_path(self.result, i)
            if flow is not None:
                _dashed(draw, self.pixels(flow[0]), self.colors[i], 2, 4)
            if r.reason is None and self.pred.exact:
                f0 = float(self.result.runs[i].trajectories[0].loss[0])
                ks, values = envelope(f0, r.rate, self.result.scenario.steps)
                dense = np.linspace(ks[0], ks[-1], 400)
                points = self.loss_pixels(dense, np.interp(dense, ks, values)) if len(ks) > 1 else np.empty((0, 2))
                inside = (points[:, 1] >= top) & (points[:, 1] <= bottom) & (points[:, 0] <= right)
                _dashed(draw, points[inside], self.colors[i], 2, 10)


def _dashed(draw: ImageDraw.ImageDraw, points: np.ndarray, color: str, width: int, dash: float) -> None:
    """A polyline drawn in dashes ``dash`` pixels long (by arc length; dots when short):
    a segment is drawn where its middle falls in an even dash."""
    if len(points) < 2:
        return
    lengths = np.hypot(*np.diff(points, axis=0).T)
    middles = np.cumsum(lengths) - lengths / 2
    for i in np.nonzero((middles // dash) % 2 == 0)[0]:
        draw.line([tuple(points[i]), tuple(points[i + 1])], fill=color, width=width)


def axis_labels(result: Result) -> dict[str, str]:
    """What a frame's axes span, for a slide: the map's domain, the loss panel's highest and
    lowest plotted loss (log scale when every loss is positive, as in the app) and its steps."""
    (x0, x1), (y0, y1) = result.scenario.surface_def.domain
    losses = np.concatenate([run.trajectories[0].loss for run in result.runs])
    log = bool(np.all(losses > 0))
    steps = result.scenario.steps
    return {
        "map": f"x {fmt(x0)} … {fmt(x1)},  y {fmt(y0)} … {fmt(y1)}",
        "loss_top": f"f = {losses.max():.3g}",
        "loss_bottom": f"f = {losses.min():.3g}",
        "loss": f"loss f ({'log' if log else 'linear'} scale) vs step 0 … {steps}",
    }


def _label(draw: ImageDraw.ImageDraw, at: tuple[float, float], text: str) -> None:
    """Text on a white box, readable over the map or a curve."""
    box = draw.textbbox(at, text, font=_font(13))
    draw.rectangle((box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2), fill="white")
    draw.text(at, text, fill="black", font=_font(13))


def _faint(color: str) -> str:
    """``color`` mixed 60 % towards white: the whole path, behind the path so far."""
    rgb = np.array(ImageColor.getrgb(color))
    return "#" + "".join(f"{int(v):02x}" for v in rgb + (255 - rgb) * 0.6)


def animation_steps(steps: int, frames: int = GIF_FRAMES) -> np.ndarray:
    """The steps the GIF/MP4 shows: ``frames`` evenly spaced from 0 to ``steps``."""
    return np.unique(np.round(np.linspace(0, steps, min(frames, steps + 1))).astype(int))


def frames(result: Result, n: int = GIF_FRAMES, theory: bool = False) -> Iterator[Image.Image]:
    canvas = _Canvas(result, theory)
    for k in animation_steps(result.scenario.steps, n):
        yield canvas.frame(int(k))


def png(result: Result, frame: int | None = None, theory: bool = False) -> bytes:
    """One frame as PNG: the final step, or the scrubber position nearest ``frame``."""
    steps = result.scenario.steps
    k = steps if frame is None else frame_step(steps, frame)
    return _png(_Canvas(result, theory).frame(k))


def thumbnail(result: Result) -> bytes:
    """The final step's picture (as `png` draws it) at `THUMBNAIL` size, for a gallery card."""
    return _png(_Canvas(result).frame(result.scenario.steps).resize(THUMBNAIL, Image.Resampling.LANCZOS))


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _palette(last: Image.Image) -> Image.Image:
    """One 128-colour palette for every GIF frame: the last frame's colours (it has every
    path), plus swatches so small but essential marks (a run's colour, the gold minimum
    marker) get an entry of their own."""
    swatches = [*COLORS, _MINIMUM, EIGEN_COLOR, "#FFFFFF", "#000000"]
    source = Image.new("RGB", (last.width, last.height + 40), "white")
    source.paste(last, (0, 0))
    draw = ImageDraw.Draw(source)
    for i, color in enumerate(swatches):
        draw.rectangle((i * 60, last.height, i * 60 + 59, last.height + 39), fill=color)
    return source.quantize(colors=128, method=Image.Quantize.MEDIANCUT)


def gif(result: Result, n: int = GIF_FRAMES, theory: bool = False) -> bytes:
    """The animation as a looping GIF (the last frame held for `HOLD_MS`)."""
    rgb = list(frames(result, n, theory))
    palette = _palette(rgb[-1])
    images = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in rgb]
    durations = [FRAME_MS] * (len(images) - 1) + [HOLD_MS]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    return buffer.getvalue()


def mp4(result: Result, n: int = GIF_FRAMES, theory: bool = False) -> bytes:
    """The animation as H.264 MP4 (yuv420p, plays in browsers and slide software)."""
    import imageio_ffmpeg  # its wheel carries an ffmpeg binary; imported only when asked for

    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        # A forked-then-exec'd encoder is safe although JAX warns about os.fork in general.
        warnings.filterwarnings("ignore", "os.fork", RuntimeWarning)
        path = Path(folder) / "animation.mp4"
        writer = imageio_ffmpeg.write_frames(
            str(path), SIZE, fps=1000 // FRAME_MS, codec="libx264", pix_fmt_out="yuv420p", macro_block_size=2, quality=7
        )
        writer.send(None)
        for image in frames(result, n, theory):
            writer.send(np.asarray(image).tobytes())
        writer.close()
        return path.read_bytes()
