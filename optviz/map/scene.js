// The 3-D view's figure from its parts, as optviz.figures.surface3d.assemble_scene builds
// it (the tests compare them): the surface's traces, each run's, then one trace of every
// head in its run's colour; each frame names that trace only.

function headsAt(runs, f) {
  // Every run's heads at frame f, as plotly.js's x, y and z arrays.
  const n = runs.reduce((sum, run) => sum + run.moving.head.rows, 0);
  const x = new Float32Array(n), y = new Float32Array(n), z = new Float32Array(n);
  let at = 0;
  for (const run of runs) {
    const { rows, values } = run.moving.head;
    for (let r = 0, i = 3 * f * rows; r < rows; r++, at++, i += 3) {
      x[at] = values[i];
      y[at] = values[i + 1];
      z[at] = values[i + 2];
    }
  }
  return { x, y, z };
}

export function assembleScene(surface, runs, anim, shown) {
  const { steps, stops } = anim;
  const at = steps.indexOf(shown);
  const data = [...surface.traces, ...runs.flatMap((run) => run.traces)];
  const [mover] = anim.movers;
  const color = runs.flatMap((run) => Array(run.moving.head.rows).fill(run.color));
  data.push({ ...mover.trace, ...headsAt(runs, at), marker: { ...mover.trace.marker, color } });
  const heads = data.length - 1;
  const frames = steps.map((k, f) => ({ name: String(k), traces: [heads], data: [headsAt(runs, f)] }));
  const layout = { ...surface.layout, ...anim.layout };
  layout.sliders = [{ ...layout.sliders[0], active: stops.indexOf(shown) }];
  return { data, layout, frames };
}
