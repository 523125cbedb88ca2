"""Command line: the same flow as the app, without a browser.

python -m optviz run "<query or URL>" [--json]
python -m optviz render "<query or URL>" [--html F] [--gif F] [--mp4 F] [--png F]
python -m optviz code "<query or URL>" [--framework optax|keras|pytorch] [--no-loop]
python -m optviz data "<query or URL>" [--csv]
python -m optviz list
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from optviz import export, view
from optviz.conventions import CONVENTIONS, TITLES, available, resolve
from optviz.engine import Result, Trajectory, simulate
from optviz.optimizers import OPTIMIZERS
from optviz.params import fmt
from optviz.scenario import BATCH, MAX_RUNS, MAX_STARTS, MAX_STEPS, SEED, STEPS, TOL, Scenario
from optviz.schedules import SCHEDULES
from optviz.snippets import FRAMEWORKS, scenario_code
from surfaces import SURFACES
from surfaces.core import Param


def _trajectory_json(t: Trajectory) -> dict:
    return {
        "start": list(t.start),
        "path": t.path.tolist(),
        "loss": t.loss.tolist(),
        "lr": t.lr.tolist(),
        "diverged_at": t.diverged_at,
        "converged_at": t.converged_at,
        "final_distance": t.final_distance,
        "nearest_minimum": asdict(t.nearest_minimum) if t.nearest_minimum else None,
    }


def result_json(result: Result, warnings: Sequence[str] = ()) -> dict:
    """The JSON document ``run --json`` prints: canonical scenario, runs, warnings.

    Each run carries its first start's trajectory at the top level; with several start
    points, ``trajectories`` lists every start's.
    """
    runs = []
    for run in result.runs:
        entry = {"optimizer": run.run.name, "hyperparams": run.run.hyperparams}
        entry |= _trajectory_json(run.trajectories[0])
        if len(run.trajectories) > 1:
            entry["trajectories"] = [_trajectory_json(t) for t in run.trajectories]
        runs.append(entry)
    return {"scenario": result.scenario.to_query(), "device": result.device, "warnings": list(warnings), "runs": runs}


def _summary(result: Result) -> str:
    lines = [f"{'run':<32} {'final loss':>12} {'dist to min':>12} {'converged':>10} {'diverged':>9}"]
    for run in result.runs:
        for t in run.trajectories:
            final = f"{t.loss[-1]:.6g}" if len(t.loss) else "-"
            dist = "-" if t.final_distance is None else f"{t.final_distance:.4g}"
            conv = "-" if t.converged_at is None else str(t.converged_at)
            div = "-" if t.diverged_at is None else str(t.diverged_at)
            lines.append(f"{run.run.label:<32} {final:>12} {dist:>12} {conv:>10} {div:>9}")
    return "\n".join(lines)


def _param_line(p: Param) -> str:
    if p.kind == "bool":
        return f"    {p.name}={fmt(p.default)}  (true/false)  {p.help}"
    scale = ", log" if p.log else ""
    return f"    {p.name}={fmt(p.default)}  ({fmt(p.lo)}..{fmt(p.hi)}{scale})  {p.help}"


def listing() -> str:
    """Every surface, optimizer and schedule with its parameters and defaults."""
    out = ["Surfaces (surface=NAME:param=value,...)"]
    for s in SURFACES.values():
        (x0, x1), (y0, y1) = s.domain
        out.append(
            f"  {s.name:<16} {s.title} — x∈[{fmt(x0)},{fmt(x1)}], y∈[{fmt(y0)},{fmt(y1)}], "
            f"start {fmt(s.start[0])},{fmt(s.start[1])}"
        )
        out += [_param_line(p) for p in s.params]
    out.append("\nOptimizers (opt=NAME:lr=...,param=value; repeatable)")
    for o in OPTIMIZERS.values():
        out.append(f"  {o.name:<16} {o.title}")
        out += [_param_line(p) for p in o.params]
    out.append("\nSchedules (schedule=NAME:param=value; lr_t = lr · s(t))")
    for sc in SCHEDULES.values():
        out.append(f"  {sc.name:<16} {sc.title}")
        out += [_param_line(p) for p in sc.params]
    out.append("\nConventions (conv=NAME): whose defaults and update rules the optimizers follow")
    out.append("  optax            the registry above (default)")
    for conv in CONVENTIONS[1:]:
        out.append(f"  {conv:<16} {TITLES[conv]}")
        for name, why in available(conv).items():
            if why:
                out.append(f"    {name}: unavailable ({why})")
                continue
            spec, base = resolve(name, conv), OPTIMIZERS[name]
            changed = [
                f"{p.name}={fmt(p.default)}"
                for p, q in zip(spec.params, base.params, strict=True)
                if p.default != q.default
            ]
            rule = "own update rule" if spec.build is not base.build else "optax's rule"
            out.append(f"    {name}: {rule}" + (f"; defaults {', '.join(changed)}" if changed else ""))
    out.append("\nOther keys")
    out += [_param_line(p) for p in (STEPS, SEED, BATCH, TOL)]
    out.append(f"    start=x,y  (repeatable, at most {MAX_STARTS}; default: the surface's)")
    out.append(f"  Limits: steps ≤ {MAX_STEPS}, optimizer runs ≤ {MAX_RUNS}, start points ≤ {MAX_STARTS}.")
    out.append("\nView keys (how a scenario is shown; see docs/links.md)")
    out += [_param_line(p) for p in (view.ARROWS, view.PRESENT, view.THEORY)]
    return "\n".join(out)


def data_table(scenario: Scenario, *, as_csv: bool) -> str:
    """The points a data surface's link fits: a header (the feature columns, then the
    target), then one row per point, as CSV or as aligned columns. Floats are written in
    their shortest round-trip form."""
    surface = scenario.surface_def
    features, target = surface.data.arrays(dict(scenario.surface_params))
    rows = [[fmt(float(v)) for v in (*point, y)] for point, y in zip(features, target, strict=True)]
    header = list(surface.data.model.columns)
    if as_csv:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
        return out.getvalue()
    width = max(len(cell) for row in [header, *rows] for cell in row)
    return "".join(" ".join(cell.rjust(width) for cell in row) + "\n" for row in [header, *rows])


def _data(args: argparse.Namespace, scenario: Scenario, warnings: list[str]) -> int:
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    if scenario.surface_def.data is None:
        data_surfaces = ", ".join(name for name, s in SURFACES.items() if s.data is not None)
        print(f"error: {scenario.surface} fits no data; data surfaces: {data_surfaces}", file=sys.stderr)
        return 2
    print(data_table(scenario, as_csv=args.csv), end="")
    return 0


EXPORTS = {
    "html": "standalone animated HTML page (plotly.js inlined, works offline)",
    "gif": "animated GIF of the map, legend and loss curve",
    "mp4": "the same animation as H.264 MP4",
    "png": "one frame as PNG: the link's frame=K, else the final step",
}


def _render(args: argparse.Namespace, scenario: Scenario, warnings: list[str]) -> int:
    shown, view_warnings = view.View.from_query(args.query, scenario.steps)
    for w in warnings + view_warnings:
        print(f"warning: {w}", file=sys.stderr)
    targets = {kind: getattr(args, kind) for kind in EXPORTS if getattr(args, kind)}
    if not targets:
        print("render: give at least one of " + ", ".join(f"--{k}" for k in EXPORTS), file=sys.stderr)
        return 2
    result = simulate(scenario)
    made = {
        "html": lambda: export.html(result, arrows=shown.arrows, frame=shown.frame, theory=shown.theory).encode(),
        "gif": lambda: export.gif(result, theory=shown.theory),
        "mp4": lambda: export.mp4(result, theory=shown.theory),
        "png": lambda: export.png(result, shown.frame or None, theory=shown.theory),
    }
    for kind, path in targets.items():
        data = made[kind]()
        path.write_bytes(data)
        print(f"wrote {path} ({len(data):,} bytes)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m optviz", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="simulate a scenario given as a query string or URL")
    run.add_argument("query", help='e.g. "surface=beale&opt=adam:lr=0.01&steps=1000"')
    run.add_argument("--json", action="store_true", help="print the full result as JSON")
    render = commands.add_parser("render", help="export a scenario's animation for slides")
    render.add_argument("query", help="a link or query string; its frame=K and arrows=1 apply")
    for kind, what in EXPORTS.items():
        render.add_argument(f"--{kind}", metavar="FILE", type=Path, help=what)
    code = commands.add_parser("code", help="print each run as optax, Keras 3 or PyTorch code")
    code.add_argument("query", help="a link or query string")
    code.add_argument("--framework", choices=FRAMEWORKS, help="whose code (default: the link's conv, else optax)")
    code.add_argument("--no-loop", action="store_true", help="only the optimizer and schedule, no loop on the surface")
    data = commands.add_parser("data", help="print the points a data surface's link fits")
    data.add_argument("query", help='e.g. "surface=linear_regression:n=20&seed=3"')
    data.add_argument("--csv", action="store_true", help="as CSV: a header, then one row per point")
    commands.add_parser("list", help="list surfaces, optimizers and schedules")
    args = parser.parse_args(argv)

    if args.command == "list":
        print(listing())
        return 0
    scenario, warnings = Scenario.from_query(args.query, ignore=view.KEYS)
    if args.command == "render":
        return _render(args, scenario, warnings)
    if args.command == "data":
        return _data(args, scenario, warnings)
    result = simulate(scenario)
    if args.command == "code":
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        print(scenario_code(scenario, args.framework, loop=not args.no_loop, result=result), end="")
        return 0
    if args.json:
        json.dump(result_json(result, warnings), sys.stdout)
        print()
    else:
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        print(result.scenario.to_query())
        print(_summary(result))
        print(f"(computed on {result.device})")
    return 0
