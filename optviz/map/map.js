// The OptViz map and 3-D view: one plotly.js graph kept across reruns and redrawn in place
// (Plotly.react) from the parts that optviz/map/message.py sends. A part the page already
// holds travels as its id only. assemble() mirrors optviz.figures.map_assembly.assemble, and
// scene.js's assembleScene optviz.figures.surface3d.assemble_scene (tests compare them).
// What the server shares with the page, written in as one JSON object (optviz/map/assets.py, map_js):
// the URLs of plotly.js, its gl3d bundle (loaded when the 3-D view first opens), player.js (Play
// without plotly.js's animation loop) and scene.js (the 3-D view's figure); the click-to-start
// grid's trace index; the metas of a data panel's points and of its click grid; how many parts
// and whole figures the page keeps (at least as many as the server assumes).
const {
  PLOTLY_URL, GL3D_URL, PLAYER_URL, SCENE_URL, PICKER, DATA_META, SPACE_META, KEEP, FIGURES_KEPT,
} = __SHARED__;
const figures = new Map(); // rev -> whole figure (show_figure)
const stores = new Map(); // "map" or "scene" -> (part id -> decoded part); the module is loaded once per page
const loaded = new Map(); // URL -> promise of the library or module
let basic = null; // the basic bundle's Plotly, once it has run
let scene = null; // the 3-D view's graph element, kept while another view is shown

function loadScript(url, settle) {
  if (!loaded.has(url)) {
    loaded.set(url, new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL(url, document.baseURI).href;
      script.onload = () => resolve(settle());
      script.onerror = () => reject(new Error(`could not load ${script.src}`));
      document.head.appendChild(script);
    }));
  }
  return loaded.get(url);
}

function loadPlotly() {
  if (window.Plotly && !basic) basic = window.Plotly;
  return basic ? Promise.resolve(basic) : loadScript(PLOTLY_URL, () => (basic = window.Plotly));
}

function loadGl3d() {
  // Each bundle sets window.Plotly as it runs: the gl3d one is taken and window.Plotly
  // given back to the basic one (a load event follows its script at once).
  return loadScript(GL3D_URL, () => {
    const gl3d = window.Plotly;
    if (basic) window.Plotly = basic;
    else delete window.Plotly;
    return gl3d;
  });
}

function loadModule(url) {
  if (!loaded.has(url)) loaded.set(url, import(new URL(url, document.baseURI).href));
  return loaded.get(url);
}

function played(menus) {
  // Play and Pause report their clicks (plotly_buttonclicked) to player.js (the map) or
  // drawScene (the 3-D view) instead of running plotly.js's animation.
  return menus.map((menu) => ({ ...menu, buttons: menu.buttons.map((b) => ({ ...b, execute: false })) }));
}

function decode(array) {
  // {dtype: "f4", bdata, shape: [frames, rows, 2 or 3]} -> {rows, values: Float32Array}
  const bytes = Uint8Array.from(atob(array.bdata), (c) => c.charCodeAt(0));
  return { rows: array.shape[1], values: new Float32Array(bytes.buffer) };
}

function keep(parts, id, part) {
  const moving = {};
  for (const [name, array] of Object.entries(part.moving || {})) moving[name] = decode(array);
  const paths = (part.paths || []).map((path) => decode(path).values);
  parts.delete(id);
  parts.set(id, { ...part, moving, paths });
  while (parts.size > KEEP) parts.delete(parts.keys().next().value);
}

function points(arrays, f) {
  // The rows of every part at frame f, as plotly.js's x and y arrays.
  const n = arrays.reduce((sum, a) => sum + a.rows, 0);
  const x = new Float32Array(n), y = new Float32Array(n);
  let at = 0;
  for (const a of arrays) {
    const start = f * a.rows * 2;
    for (let r = 0; r < a.rows; r++, at++) {
      x[at] = a.values[start + 2 * r];
      y[at] = a.values[start + 2 * r + 1];
    }
  }
  return { x, y };
}

function tails(paths, steps, length) {
  // Each path's last `length` steps up to each frame's step, NaN before the start (as
  // optviz.figures.movers.tails): {rows, values} laid out (frames, rows, 2).
  const rows = paths.length * (length + 1);
  const values = new Float32Array(steps.length * rows * 2).fill(NaN);
  steps.forEach((k, f) => {
    paths.forEach((path, p) => {
      const last = Math.min(k, path.length / 2 - 1);
      for (let j = 0; j <= length; j++) {
        const row = last - length + j;
        if (row < 0) continue;
        const at = 2 * (f * rows + p * (length + 1) + j);
        values[at] = path[2 * row];
        values[at + 1] = path[2 * row + 1];
      }
    });
  });
  return { rows, values };
}

function nearest(stops, k) {
  // The scrubber position nearest to step k (optviz.figures.frames.frame_step).
  return stops.reduce((best, s) => (Math.abs(s - k) < Math.abs(best - k) ? s : best), stops[0]);
}

function merged(base, over) {
  // `over` laid on `base` one level deep (optviz.figures.map_layout.merged).
  const isDict = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const was = base[key];
    if (Array.isArray(value) && Array.isArray(was)) out[key] = value.map((v, i) => ({ ...was[i], ...v }));
    else out[key] = isDict(value) && isDict(was) ? { ...was, ...value } : value;
  }
  return out;
}

export function assemble(surface, runs, anim, axes, frame, narrow = false) {
  const { steps, stops } = anim;
  const shown = nearest(stops, frame);
  const at = steps.indexOf(shown);
  runs = runs.map((run) => ({ ...run, moving: { ...run.moving, tail: tails(run.paths, steps, run.tail) } }));
  const blocks = [...runs, axes];
  const data = [...surface.traces];
  const onMap = data.map((_, i) => i);
  for (const run of runs) {
    for (const trace of run.traces) {
      if (trace.xaxis === "x" && axes.redraw_paths) onMap.push(data.length);
      data.push(trace);
    }
  }
  const panels = data.map((_, i) => i).filter((i) => !onMap.includes(i));
  const moves = anim.movers.map((_, j) => data.length + j);
  const arrays = anim.movers.map((m) => blocks.filter((b) => m.name in b.moving).map((b) => b.moving[m.name]));
  anim.movers.forEach((m, j) => {
    const trace = { ...m.trace, ...points(arrays[j], at) };
    if (m.by_run) {
      const color = runs.flatMap((run) => Array(run.moving[m.name].rows).fill(run.color));
      trace.marker = { ...trace.marker, color };
    }
    data.push(trace);
  });
  const scrubber = new Set(stops);
  const frames = steps.map((k, f) => {
    const still = scrubber.has(k) ? onMap.concat(panels) : onMap;
    return { name: String(k), traces: moves.concat(still),
             data: arrays.map((a) => points(a, f)).concat(still.map(() => ({}))) };
  });
  let layout = merged({ ...surface.layout, ...anim.layout }, axes.layout);
  if (narrow) layout = merged(merged(layout, surface.narrow), axes.narrow);
  layout.sliders = [{ ...layout.sliders[0], active: stops.indexOf(shown) }];
  return { data, layout, frames };
}

// Keyboard access to plotly.js's Play/Pause buttons and scrubber (SVG, not focusable by
// themselves): each button is a focusable "button" that Enter or Space clicks; the scrubber
// is a "slider" that the arrow keys, Page Up/Down, Home and End move one stop at a time.
const FOCUS_CSS = `.optviz-map [tabindex]:focus { outline: none; }
.optviz-map .updatemenu-button:focus-visible rect, .optviz-map .slider-group:focus-visible .slider-rail-rect {
  stroke: #0072B2 !important; stroke-width: 3px !important; }
.optviz-text { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }`;

function keyboard(gd) {
  if (!document.getElementById("optviz-map-css")) {
    const style = document.createElement("style");
    style.id = "optviz-map-css";
    style.textContent = FOCUS_CSS;
    document.head.appendChild(style);
  }
  gd.querySelectorAll(".updatemenu-button").forEach((button) => {
    button.setAttribute("tabindex", "0");
    button.setAttribute("role", "button");
    button.setAttribute("aria-label", button.textContent.trim());
  });
  const slider = gd.querySelector(".slider-group");
  const opts = gd.layout && gd.layout.sliders && gd.layout.sliders[0]; // the layout drawn
  if (!slider || !opts) return;
  const labels = opts.steps.map((s) => s.label);
  const now = gd.dataset.step ?? labels[0]; // the step shown (settled, plotly_animatingframe)
  slider.setAttribute("tabindex", "0");
  slider.setAttribute("role", "slider");
  slider.setAttribute("aria-label", "step shown");
  slider.setAttribute("aria-valuemin", labels[0]);
  slider.setAttribute("aria-valuemax", labels[labels.length - 1]);
  slider.setAttribute("aria-valuenow", now);
  slider.setAttribute("aria-valuetext", `step ${now}`);
  if (gd.dataset.keys) return;
  gd.dataset.keys = "1";
  gd.addEventListener("keydown", (event) => {
    const button = event.target.closest(".updatemenu-button");
    if (button && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      button.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      return;
    }
    if (!event.target.closest(".slider-group")) return;
    const steps = gd.layout.sliders[0].steps, last = steps.length - 1;
    // The scrubber's stop at or before the step shown (Play also shows steps between stops).
    const at = Math.max(steps.findLastIndex((s) => Number(s.label) <= Number(gd.dataset.step)), 0);
    const page = Math.max(1, Math.round(steps.length / 10));
    const to = { ArrowRight: at + 1, ArrowUp: at + 1, ArrowLeft: at - 1, ArrowDown: at - 1, PageUp: at + page,
                 PageDown: at - page, Home: 0, End: last }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const step = steps[Math.min(Math.max(to, 0), last)];
    // plotly.js moves the scrubber to an animated frame of its own steps.
    if (gd.optvizPlayer) gd.optvizPlayer.halt();
    (gd.optvizPlotly || window.Plotly).animate(gd, ...step.args).catch(() => {});
  });
  gd.on("plotly_afterplot", () => keyboard(gd));
  gd.on("plotly_sliderchange", () => keyboard(gd));
  gd.on("plotly_animated", () => keyboard(gd));
}

function describe(parentElement, gd, text) {
  // The map's text alternative (optviz.summary.map_text): the figure is named by its
  // title and described by one line per run, in visually hidden text before it.
  if (!text) return;
  let box = parentElement.querySelector(".optviz-text");
  if (!box) {
    box = document.createElement("div");
    box.className = "optviz-text";
    box.id = `optviz-text-${Math.random().toString(36).slice(2)}`;
    parentElement.insertBefore(box, gd);
  }
  const [title, lines] = text;
  const list = document.createElement("ul");
  for (const line of lines) list.appendChild(document.createElement("li")).textContent = line;
  box.replaceChildren(list);
  gd.setAttribute("role", "figure");
  gd.setAttribute("aria-label", title);
  gd.setAttribute("aria-describedby", box.id);
}

function report(gd, name, value) {
  // A click or release while the page has no server (it restarted, or its replica went away)
  // would be dropped unseen: say so instead, as Streamlit disables its own widgets meanwhile.
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.dataset.testConnectionState === "CONNECTED") {
    gd.optviz.setTriggerValue(name, value);
    return;
  }
  let note = gd.parentElement.querySelector(".optviz-refused");
  if (!note) {
    note = document.createElement("div");
    note.className = "optviz-refused";
    note.setAttribute("role", "status");
    note.style.cssText = "padding: 4px 8px; border-radius: 4px; background: #FFF3CD; color: #000;";
    gd.parentElement.insertBefore(note, gd);
  }
  note.textContent = "Not applied: reconnecting to the server. Try again once the page is back.";
  clearTimeout(note.timer);
  note.timer = setTimeout(() => note.remove(), 5000);
}

async function draw(gd, figure, rev, config) {
  const Plotly = await loadPlotly();
  await Plotly.react(gd, { ...figure, config: { displaylogo: false, responsive: true, ...config } });
  gd.dataset.drawn = rev;
}

function mount(parentElement, isScene) {
  // The graph element of this mount: the one already in it, the 3-D view's kept one shown
  // again (its graph, WebGL context and camera as they were: a new one took ~1 s to draw in
  // software-rendered Chromium), or a new one.
  let gd = parentElement.querySelector(".js-plotly-plot, .optviz-map");
  if (!gd && isScene && scene) {
    gd = scene;
    parentElement.appendChild(gd);
  }
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "optviz-map";
    parentElement.appendChild(gd);
    if (isScene) scene = gd;
  }
  return gd;
}

function showFigure(gd, data, setTriggerValue) {
  // A whole figure (show_figure), sent once and then named by its rev.
  if (data.figure) {
    figures.delete(data.rev);
    figures.set(data.rev, data.figure);
    while (figures.size > FIGURES_KEPT) figures.delete(figures.keys().next().value);
  }
  const figure = figures.get(data.rev);
  if (!figure) {
    setTriggerValue("missing", [data.rev]); // the server sends it again
    return;
  }
  const drawn = gd.dataset.drawn !== data.rev ? draw(gd, figure, data.rev, { displayModeBar: false }) : null;
  if (data.pick && !gd.dataset.pick) {
    // The LR sweep and the (lr, β) plane: a click on a point reports where, and on which trace.
    gd.dataset.pick = "1";
    Promise.resolve(drawn).then(() => gd.on("plotly_click", (e) => {
      const p = e.points[0];
      if (p) report(gd, "pick", [Number(p.x), Number(p.y), p.curveNumber]);
    }));
  }
  if (data.release && !gd.dataset.release) {
    // The drag-lr view: a released slider reports its name (the run) and its step's value
    // (the lr); dragging itself only plays frames, without the server.
    gd.dataset.release = "1";
    loadPlotly().then(() => gd.on("plotly_sliderend", (e) => {
      report(gd, "lr", [Number(e.slider.name), Number(e.step.value)]);
    }));
  }
}

function showParts(gd, parentElement, data, setTriggerValue) {
  // The map or the 3-D view from its parts (optviz.map.message): keeps the new ones, asks for
  // any it lacks, and draws once it holds them all.
  describe(parentElement, gd, data.text);
  const kind = data.scene ? "scene" : "map"; // a mount's own key changes between mounts
  if (!stores.has(kind)) stores.set(kind, new Map());
  const parts = stores.get(kind);
  for (const [id, part] of Object.entries(data.parts)) keep(parts, id, part);
  const missing = data.order.filter((id) => !parts.has(id));
  if (missing.length) {
    setTriggerValue("missing", missing); // the server sends them again
    return;
  }
  if (gd.dataset.wanted === data.rev) return;
  gd.dataset.wanted = data.rev;
  performance.mark("optviz-map:received");
  (data.scene ? drawScene : drawMap)(gd, data, data.order.map((id) => parts.get(id)));
}

function unmount(gd) {
  // The view is gone from the page: Play stops and the width watch ends. A 2-D graph is
  // purged (plotly.js's window listeners and the figure let go; a draw still on its way
  // stops at its revision check); the 3-D view's graph is kept (`scene`), its camera and
  // WebGL context, for when the view is shown again.
  if (gd.optvizPlayer) gd.optvizPlayer.stop();
  if (gd.optvizResize) gd.optvizResize.disconnect();
  delete gd.optvizResize;
  if (gd === scene) return;
  delete gd.dataset.wanted;
  const Plotly = gd.optvizPlotly || window.Plotly;
  if (Plotly) Plotly.purge(gd);
}

export default function map(args) {
  const { data, parentElement, setTriggerValue } = args;
  const gd = mount(parentElement, Boolean(data.scene));
  // The click handler reports through the latest mount; a width crossing wide_min draws it again.
  gd.optviz = { setTriggerValue, again: () => { delete gd.dataset.wanted; map(args); } };
  if (data.order) showParts(gd, parentElement, data, setTriggerValue);
  else showFigure(gd, data, setTriggerValue);
  // Streamlit calls the cleanup of the latest call when the component unmounts, and that of a
  // call it superseded at once: only a graph that has left the page is torn down.
  return () => {
    if (!gd.isConnected) unmount(gd);
  };
}

function opening(gd, data) {
  // The step to open at: a redraw keeps the step shown (where Play, Pause or the scrubber
  // left it), unless the link asks for another step or the runs start elsewhere.
  const stay = gd.dataset.step !== undefined && gd.dataset.origin === data.origin;
  gd.dataset.origin = data.origin;
  return stay ? Number(gd.dataset.step) : data.frame;
}

function settled(gd, figure, data) {
  // After a draw: the step shown, the keyboard's access, the revision drawn.
  const slider = figure.layout.sliders[0];
  gd.dataset.step = slider.steps[slider.active].label;
  keyboard(gd);
  gd.dataset.drawn = data.rev;
  performance.mark("optviz-map:drawn");
}

function drawScene(gd, data, held) {
  // The 3-D view: surface, runs, animation (optviz.map.message.encode_scene), drawn by the
  // gl3d bundle with plotly.js's own Play (each frame redraws the scene). The layout's
  // uirevision keeps the camera a person has turned.
  const [surface, ...runs] = held;
  const anim = runs.pop();
  Promise.all([loadGl3d(), loadModule(SCENE_URL)]).then(async ([Plotly, { assembleScene }]) => {
    if (gd.dataset.wanted !== data.rev) return; // a newer message came meanwhile
    const figure = assembleScene(surface, runs, anim, nearest(anim.stops, opening(gd, data)));
    performance.mark("optviz-map:assembled");
    const first = !gd.optvizPlotly;
    gd.optvizPlotly = Plotly;
    gd.style.height = `${figure.layout.height}px`;
    const layout = { ...figure.layout, updatemenus: played(figure.layout.updatemenus) };
    await Plotly.react(gd, { ...figure, layout, config: { displaylogo: false, responsive: true } });
    if (first) {
      gd.on("plotly_animatingframe", (event) => { gd.dataset.step = event.name; });
      // Play and Pause run plotly.js's animation here: a Play that Pause (or another Play)
      // interrupts rejects its promise, which is the expected end, not an error.
      gd.on("plotly_buttonclicked", (event) => { Plotly.animate(gd, ...event.button.args).catch(() => {}); });
    }
    settled(gd, figure, data);
  });
}

function drawMap(gd, data, held) {
  const [surface, ...runs] = held;
  const axes = runs.pop(), anim = runs.pop();
  Promise.all([loadPlotly(), loadModule(PLAYER_URL)]).then(async ([Plotly, { Player, fits }]) => {
    if (gd.dataset.wanted !== data.rev) return; // a newer message came meanwhile
    if (gd.optvizPlayer) gd.optvizPlayer.stop(); // a running Play stops where it is
    const frame = opening(gd, data);
    gd.dataset.wideMin = axes.wide_min; // a map narrower than this (px) takes the narrow layout
    const narrow = gd.clientWidth < axes.wide_min;
    gd.dataset.narrow = narrow;
    const figure = assemble(surface, runs, anim, axes, frame, narrow);
    performance.mark("optviz-map:assembled");
    const first = !gd.on;
    // plotly.js's resize on a window change drops layout.height and takes the element's
    // own height: the element holds the figure's.
    gd.style.height = `${figure.layout.height}px`;
    // Play draws its frames with player.js where it fits this plotly.js, else plotly.js plays.
    const own = fits(Plotly);
    const layout = own ? { ...figure.layout, updatemenus: played(figure.layout.updatemenus) } : figure.layout;
    // No mode bar in the narrow layout: shown on a tap, it covered the title's text on a phone.
    const config = { displaylogo: false, responsive: true, displayModeBar: narrow ? false : "hover" };
    await Plotly.react(gd, { ...figure, layout, config });
    delete gd.optvizChosen; // a data point chosen before this draw is not marked in it
    if (own && !gd.optvizPlayer) gd.optvizPlayer = new Player(gd);
    if (own) gd.optvizPlayer.load(figure.frames, anim.movers.map((m) => m.name));
    if (first) {
      gd.on("plotly_click", (event) => clicked(gd, Plotly, event));
      gd.on("plotly_animatingframe", (event) => { gd.dataset.step = event.name; });
    }
    if (!gd.optvizResize) {
      gd.optvizResize = new ResizeObserver(() => {
        if (String(gd.clientWidth < Number(gd.dataset.wideMin)) !== gd.dataset.narrow) gd.optviz.again();
      });
      gd.optvizResize.observe(gd);
    }
    settled(gd, figure, data);
  });
}

function clicked(gd, Plotly, event) {
  // On the map, a click on the start-picker grid moves the start there. On a data surface's
  // panel (optviz.figures.fit), a click on a data point chooses it (marked) and a second click
  // on it removes it; a click elsewhere on the panel moves the chosen point there, or adds one.
  const at = (meta) => event.points.find((p) => p.data.meta === meta);
  const start = event.points.find((p) => p.curveNumber === PICKER);
  const point = at(DATA_META), space = at(SPACE_META), chosen = gd.optvizChosen;
  if (start) {
    report(gd, "start", [start.x, start.y]);
  } else if (point && Number(point.customdata) === chosen) {
    report(gd, "data", ["remove", chosen, point.x, point.y]);
  } else if (point) {
    gd.optvizChosen = Number(point.customdata);
    const traces = gd.data.map((t, i) => (t.meta === DATA_META ? i : -1)).filter((i) => i >= 0);
    const selected = traces.map((i) => (i === point.curveNumber ? [point.pointNumber] : null));
    Plotly.restyle(gd, { selectedpoints: selected }, traces);
  } else if (space) {
    report(gd, "data", chosen === undefined ? ["add", -1, space.x, space.y] : ["move", chosen, space.x, space.y]);
  }
}
