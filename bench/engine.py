"""Engine benchmark: compile times, warm trajectories, lr-sweep throughput, NumPy ratio, and per
device present a path, a drag family, an LR sweep and a basin map with the device the router picks.

    python bench/engine.py [--repeats N] [--json-only]

Prints a table and then one JSON document. Times are medians over repeats; the NumPy
ratio is measured in the same run, so it holds on a noisy machine where absolute
times do not. The benchmark fails (exit 1) if changing only learning rates or
hyperparameters recompiled anything.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OPTVIZ_JAX_CACHE", "off")  # first calls here measure real compiles, not disk loads

from timing import median_seconds

from optviz import OptRun, Scenario, devices, simulate, sweep
from optviz.devices import present
from optviz.engine import family
from optviz.kernel import trace_count
from optviz.optimizers import OPTIMIZERS
from optviz.sweeps import BASIN_GRID, WINDOW_POINTS, basin_map

STEPS = 1000
SWEEP_LRS = 4096


def _scenario(name: str, **hyper) -> Scenario:
    lr = OPTIMIZERS[name].defaults()["lr"] / 10
    return Scenario(surface="rosenbrock", runs=(OptRun.of(name, lr=lr, **hyper),), steps=STEPS)


def numpy_adam(steps: int, lr: float, b1=0.9, b2=0.999, eps=1e-8) -> np.ndarray:
    """The same Adam trajectory on Rosenbrock as a plain NumPy Python loop."""
    p = np.array([-1.5, 2.0])
    m = np.zeros(2)
    v = np.zeros(2)
    path = [p.copy()]
    for t in range(1, steps + 1):
        x, y = p
        g = np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        path.append(p.copy())
    return np.array(path)


def measure(repeats: int) -> dict:
    rows = {}
    lrs = np.geomspace(1e-6, 1.0, SWEEP_LRS)
    for name in OPTIMIZERS:
        scenario = _scenario(name)
        start = time.perf_counter()
        simulate(scenario)
        cold = time.perf_counter() - start
        warm = median_seconds(lambda s=scenario: simulate(s), repeats)
        sweep(scenario, 0, lrs)  # compile
        sweep_s = median_seconds(lambda s=scenario: sweep(s, 0, lrs), max(3, repeats // 20))
        rows[name] = {
            "cold_compile_s": cold,
            "warm_trajectory_ms": warm * 1e3,
            "sweep_s": sweep_s,
            "sweep_steps_per_s": SWEEP_LRS * STEPS / sweep_s,
        }

    # Same-run comparison with a NumPy loop, on the identical Adam trajectory.
    adam = _scenario("adam")
    ours = simulate(adam).runs[0].path
    reference = numpy_adam(STEPS, adam.runs[0].lr)
    np.testing.assert_allclose(ours, reference, rtol=1e-7, atol=1e-12)
    # Interleaved, so both see the same machine load.
    numpy_times, jax_times = [], []
    for _ in range(max(5, repeats // 10)):
        numpy_times.append(median_seconds(lambda: numpy_adam(STEPS, adam.runs[0].lr), 1))
        jax_times.append(median_seconds(lambda: simulate(adam), 10))
    numpy_s, jax_s = statistics.median(numpy_times), statistics.median(jax_times)

    # Changing only learning rates and hyperparameters must not compile anything. The pool holds
    # fewer kernels than the table above compiled, so Adam's two are taken (back) first.
    simulate(Scenario(surface="rosenbrock", runs=(OptRun.of("adam"),), steps=STEPS))
    sweep(_scenario("adam"), 0, lrs)
    before = trace_count()
    for lr, b1, b2 in [(3e-3, 0.8, 0.99), (1e-4, 0.95, 0.9999), (0.2, 0.0, 0.5)]:
        simulate(Scenario(surface="rosenbrock", runs=(OptRun.of("adam", lr=lr, b1=b1, b2=b2),), steps=STEPS))
        sweep(_scenario("adam", b1=b1), 0, lrs * lr)
    recompiles = trace_count() - before

    return {
        "devices": per_device(max(3, repeats // 20)),
        "device": present(),
        "steps": STEPS,
        "sweep_lrs": SWEEP_LRS,
        "optimizers": rows,
        "numpy_loop_ms": numpy_s * 1e3,
        "jax_trajectory_ms": jax_s * 1e3,
        "speedup_vs_numpy": numpy_s / jax_s,
        "recompiles_when_only_lr_or_hyperparams_change": recompiles,
    }


def per_device(repeats: int) -> dict:
    """Per device present (the CPU, and an accelerator if JAX sees one), Adam on Rosenbrock at
    1,000 steps, medians: a path, a drag family (`WINDOW_POINTS` lrs), an LR sweep (`SWEEP_LRS`
    lrs) and a basin map (`BASIN_GRID`² starts); and the device `optviz.devices.route` picks."""
    scenario = _scenario("adam")
    lrs = np.geomspace(1e-6, 1.0, SWEEP_LRS)
    calls = {
        "path": (1, lambda: simulate(scenario)),
        "drag family": (WINDOW_POINTS, lambda: family(scenario, 0, lrs[:WINDOW_POINTS])),
        "sweep": (SWEEP_LRS, lambda: sweep(scenario, 0, lrs)),
        "basin map": (BASIN_GRID**2, lambda: basin_map(scenario, 0)),
    }
    wide = devices.accelerator()
    out = {}
    for kind, (lanes, call) in calls.items():
        row = {"lanes": lanes, "routed to": devices.name(devices.route(lanes))}
        for device in [devices.cpu()] + ([wide] if wide is not None else []):
            with devices.forced(device):
                call()  # compile
                row[f"{devices.name(device)} s"] = median_seconds(call, repeats)
        out[kind] = row
    return out


def table(r: dict) -> str:
    lines = [
        f"device: {r['device']}; {r['steps']} steps per trajectory; sweep of {r['sweep_lrs']} learning rates",
        f"{'optimizer':<10} {'cold compile s':>14} {'warm traj ms':>13} {'sweep s':>9} {'sweep steps/s':>14}",
    ]
    for name, row in r["optimizers"].items():
        lines.append(
            f"{name:<10} {row['cold_compile_s']:>14.2f} {row['warm_trajectory_ms']:>13.3f} "
            f"{row['sweep_s']:>9.3f} {row['sweep_steps_per_s']:>14.3g}"
        )
    med = {
        k: statistics.median(row[k] for row in r["optimizers"].values()) for k in next(iter(r["optimizers"].values()))
    }
    lines.append(
        f"{'median':<10} {med['cold_compile_s']:>14.2f} {med['warm_trajectory_ms']:>13.3f} "
        f"{med['sweep_s']:>9.3f} {med['sweep_steps_per_s']:>14.3g}"
    )
    lines.append(
        f"Adam, same trajectory: NumPy loop {r['numpy_loop_ms']:.2f} ms vs JAX {r['jax_trajectory_ms']:.3f} ms "
        f"-> {r['speedup_vs_numpy']:.0f}x faster"
    )
    lines.append(
        f"recompiles when only lr/hyperparameters change: {r['recompiles_when_only_lr_or_hyperparams_change']}"
    )
    lines.append("per device (Adam, 1,000 steps, medians):")
    for kind, row in r["devices"].items():
        timed = ", ".join(f"{k} {v:.4f}" for k, v in row.items() if k.endswith(" s"))
        lines.append(f"  {kind:<12} {row['lanes']:>6} lanes: {timed}; routed to {row['routed to']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100, help="timing repeats for warm trajectories")
    parser.add_argument("--json-only", action="store_true")
    args = parser.parse_args()
    result = measure(args.repeats)
    if not args.json_only:
        print(table(result))
    print(json.dumps(result))
    return 1 if result["recompiles_when_only_lr_or_hyperparams_change"] else 0


if __name__ == "__main__":
    sys.exit(main())
