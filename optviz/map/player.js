// Play for the map: its moving traces drawn frame by frame on an SVG layer over the plot,
// while plotly.js's own figure stays still.
//
// plotly.js plays a frame with Plots.transition, which runs its defaults and calc over
// every trace (~26 with 6 runs) although a frame moves only the movers (tails, heads,
// arrows, the loss markers and the step lines): that held Play at 6 runs x 2,000 steps to
// ~21-25 frames/s (docs/performance.md). Here each frame sets a few path strings from the
// frame's own arrays (map.js's assemble): plotly.js's copies of the movers are hidden
// meanwhile, and each frame sets the figure's current frame and emits
// plotly_animatingframe as plotly.js does, so the scrubber follows (plotly.js's command
// observer) and listeners see every step. Pause, the last frame or the scrubber end it:
// the figure moves to the frame shown (one Plotly.animate, what a scrubber step does) and
// the layer goes. Pacing and where Play starts are plotly.js's: a frame when more than the
// button's frame duration has passed since the last, and from the frame after the current
// one unless that is the first or the last.

const SVG = "http://www.w3.org/2000/svg";
const STILL = { frame: { duration: 0, redraw: false }, transition: { duration: 0 }, mode: "immediate" };

// --- plotly.js internals ----------------------------------------------------------------
// Everything Play reads or writes of plotly.js beyond its public API (Plotly.animate,
// gd.on, gd.emit), in one place: the traces as drawn (defaults applied), the trace a drawn
// group shows, the axes' data-to-pixel maps and boxes, the figure's current frame, and
// plotly.js's dash lengths. Written for one plotly.js version, the vendored bundle's
// (tests/test_assets.py checks they agree); with any other, `fits` is false and the map
// plays with plotly.js's own animation instead.
export const WRITTEN_FOR = "4.1.1";

export function fits(Plotly) {
  return Plotly.version === WRITTEN_FOR;
}

const DASHES = { dot: [1, 1], dash: [3, 3], longdash: [5, 5], dashdot: [3, 1, 1, 1], longdashdot: [5, 2, 1, 2] };

const internals = {
  drawn: (gd) => gd._fullData,
  traceOf: (group) => group.__data__?.[0]?.trace,
  size: (gd) => [gd._fullLayout.width, gd._fullLayout.height],
  axis(gd, name) {
    const axis = gd._fullLayout[name];
    return { pixel: (value) => axis.c2p(value), offset: axis._offset, length: axis._length };
  },
  currentFrame: (gd) => gd._fullLayout._currentFrame,
  setCurrentFrame(gd, name) {
    gd._fullLayout._currentFrame = name;
  },
  dashes(dash, width) {
    // Drawing.dashStyle: dash lengths scale with the line width (at least 3 px).
    const unit = Math.max(Number(width) || 1, 3);
    if (!dash || dash === "solid") return "";
    return DASHES[dash] ? DASHES[dash].map((d) => `${d * unit}px`).join(",") : dash;
  },
};
// -----------------------------------------------------------------------------------------

function element(parent, name, attributes) {
  const el = parent.appendChild(document.createElementNS(SVG, name));
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

function subplot(layer, trace, boxes) {
  // A nested <svg> over the trace's plot area clips what is drawn to it, as plotly.js does.
  const id = trace.xaxis + trace.yaxis;
  if (!boxes.has(id)) {
    const x = `${trace.xaxis[0]}axis${trace.xaxis.slice(1)}`, y = `${trace.yaxis[0]}axis${trace.yaxis.slice(1)}`;
    boxes.set(id, { svg: element(layer, "svg", { overflow: "hidden", "data-x": x, "data-y": y }), x, y });
  }
  return boxes.get(id);
}

function lineMover(parent, trace, name) {
  const path = element(parent, "path", {
    "data-mover": name,
    fill: "none",
    stroke: trace.line.color,
    "stroke-width": trace.line.width,
    "stroke-dasharray": internals.dashes(trace.line.dash, trace.line.width),
    opacity: trace.opacity ?? 1,
  });
  return (x, y, xa, ya) => {
    let d = "", pen = "M";
    for (let i = 0; i < x.length; i++) {
      const px = xa.pixel(x[i]), py = ya.pixel(y[i]);
      if (!Number.isFinite(px) || !Number.isFinite(py)) {
        pen = "M";
        continue;
      }
      d += `${pen}${px.toFixed(2)},${py.toFixed(2)}`;
      pen = "L";
    }
    path.setAttribute("d", d);
  };
}

function markerMover(parent, trace, name) {
  // One path of circles per colour; a point whose centre is off the axes is not drawn
  // (plotly.js's cliponaxis).
  const { marker } = trace;
  const colors = Array.isArray(marker.color) ? marker.color : null;
  const r = marker.size / 2;
  const paths = new Map();
  for (const color of new Set(colors || [marker.color])) {
    paths.set(color, element(parent, "path", {
      "data-mover": name,
      fill: color,
      stroke: (marker.line && marker.line.color) || "none",
      "stroke-width": (marker.line && marker.line.width) || 0,
      opacity: (marker.opacity ?? 1) * (trace.opacity ?? 1),
    }));
  }
  return (x, y, xa, ya) => {
    const d = new Map();
    for (let i = 0; i < x.length; i++) {
      const px = xa.pixel(x[i]), py = ya.pixel(y[i]);
      if (!(px >= 0 && px <= xa.length && py >= 0 && py <= ya.length)) continue;
      const color = colors ? colors[i] : marker.color;
      const circle = `M${(px - r).toFixed(2)},${py.toFixed(2)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
      d.set(color, (d.get(color) || "") + circle);
    }
    for (const [color, path] of paths) path.setAttribute("d", d.get(color) || "");
  };
}

export class Player {
  constructor(gd) {
    this.gd = gd;
    this.frames = [];
    this.names = [];
    this.raf = 0;
    this.layer = null;
    gd.on("plotly_buttonclicked", (event) => {
      const [which, options] = event.button.args;
      if (which === null) this.play(options.frame.duration);
      else this.pause();
    });
    gd.on("plotly_sliderchange", (event) => {
      if (event.interaction) this.halt(); // the scrubber's own animate moves the figure
    });
  }

  get playing() {
    return this.raf !== 0;
  }

  load(frames, names) {
    // A new figure: its frames, whose first data are the movers (the figure's last
    // traces), named by `names` (tail, head, ...: each drawn path's data-mover).
    this.stop();
    this.frames = frames;
    this.names = names;
  }

  play(duration) {
    this.duration = duration;
    if (this.playing || !this.frames.length) return;
    const at = this.frames.findIndex((f) => f.name === internals.currentFrame(this.gd));
    this.next = at > 0 && at < this.frames.length - 1 ? at + 1 : 0;
    this.show();
    let last = -Infinity;
    const tick = (now) => {
      this.raf = requestAnimationFrame(tick);
      if (now - last <= this.duration) return;
      last = now;
      this.draw(this.next);
      if (this.next === this.frames.length - 1) this.settle();
      else this.next += 1;
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause() {
    if (this.playing) this.settle();
  }

  halt() {
    // Stop where it is and keep the layer until plotly.js has drawn the next animation
    // (the scrubber's or the keyboard's), so the map never shows the stale figure between.
    if (!this.playing) return;
    this.cancel();
    const done = this.removal();
    this.gd.once("plotly_animated", done);
    setTimeout(done, 1000);
  }

  stop() {
    // A new figure replaces this one: nothing to hand back.
    this.cancel();
    this.remove();
  }

  settle() {
    // plotly.js's figure takes the frame shown (a frame redraws the map's still traces as
    // well as the movers, figures.map_assembly.assemble), then the layer goes.
    this.cancel();
    const done = this.removal();
    window.Plotly.animate(this.gd, [this.frames[this.shown].name], STILL).then(done, done);
  }

  removal() {
    // Removes this layer later, unless Play has started again meanwhile.
    const layer = this.layer;
    return () => {
      if (this.layer === layer && !this.playing) this.remove();
    };
  }

  cancel() {
    cancelAnimationFrame(this.raf);
    this.raf = 0;
  }

  show() {
    const gd = this.gd;
    this.remove();
    const drawn = internals.drawn(gd), first = drawn.length - this.names.length;
    const movers = new Set(this.names.map((_, j) => first + j));
    for (const group of gd.querySelectorAll(".scatterlayer .trace")) {
      if (movers.has(internals.traceOf(group)?.index)) group.style.visibility = "hidden";
    }
    this.layer = document.createElementNS(SVG, "svg");
    this.layer.setAttribute("class", "optviz-player");
    this.layer.style.cssText = "position: absolute; top: 0; left: 0; pointer-events: none;";
    gd.querySelector(".main-svg").after(this.layer); // under the legend, buttons and scrubber
    const boxes = new Map();
    this.boxes = boxes;
    this.movers = this.names.map((name, j) => {
      const trace = drawn[first + j];
      if (trace.visible !== true) return () => {}; // no points in any frame (a cloud's tails)
      const box = subplot(this.layer, trace, boxes);
      const draw = (trace.mode === "lines" ? lineMover : markerMover)(box.svg, trace, name);
      return (data, axes) => draw(data.x, data.y, axes.get(box.x), axes.get(box.y));
    });
  }

  draw(f) {
    const gd = this.gd, frame = this.frames[f], [width, height] = internals.size(gd);
    this.layer.setAttribute("width", width);
    this.layer.setAttribute("height", height);
    const axes = new Map();
    for (const box of this.boxes.values()) {
      const xa = internals.axis(gd, box.x), ya = internals.axis(gd, box.y);
      axes.set(box.x, xa).set(box.y, ya);
      box.svg.setAttribute("x", xa.offset);
      box.svg.setAttribute("y", ya.offset);
      box.svg.setAttribute("width", xa.length);
      box.svg.setAttribute("height", ya.length);
    }
    this.movers.forEach((draw, j) => draw(frame.data[j], axes));
    this.shown = f;
    internals.setCurrentFrame(gd, frame.name);
    gd.emit("plotly_animatingframe", {
      name: frame.name,
      frame,
      animation: { frame: { duration: this.duration, redraw: false }, transition: { duration: 0 } },
    });
  }

  remove() {
    if (this.layer) this.layer.remove();
    this.layer = null;
    for (const group of this.gd.querySelectorAll(".scatterlayer .trace")) group.style.visibility = "";
  }
}
