"""Many-run views benchmark: lr sweeps, the basin map, and what each view sends.

    python bench/sweeps.py [--repeats N]

Prints, on the device JAX runs on: for each of the 14 optimizers, the warm time of one
256-lr sweep × 1,000 steps on Rosenbrock (one compiled call) and its first (compiling)
call; the warm time of a 129×129 basin map × 1,000 steps (16,641 trajectories, one call)
on Himmelblau; the payload bytes of each view's figure. Times are medians over repeats.
Then one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import plotly.io

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OPTVIZ_JAX_CACHE", "off")  # first calls here measure real compiles, not disk loads

from timing import median_seconds

from optviz import OptRun, Scenario, simulate
from optviz.devices import present
from optviz.figures import trajectory_figure
from optviz.figures.sweep import basin_figure, sweep_figure
from optviz.optimizers import OPTIMIZERS
from optviz.sweeps import BASIN_GRID, SWEEP_POINTS, basin_map, lr_sweeps

STEPS = 1000


def _bytes(fig) -> int:
    return len(plotly.io.to_json(fig, validate=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    out: dict = {"device": present(), "steps": STEPS, "sweep_lrs": SWEEP_POINTS, "basin_grid": BASIN_GRID}

    out["sweep_s"], out["sweep_first_call_s"] = {}, {}
    for name, opt in OPTIMIZERS.items():
        scenario = Scenario(surface="rosenbrock", runs=(OptRun.of(name, lr=opt.defaults()["lr"]),), steps=STEPS)
        start = time.perf_counter()
        lr_sweeps(scenario, -5, 1)
        out["sweep_first_call_s"][name] = time.perf_counter() - start
        out["sweep_s"][name] = median_seconds(lambda s=scenario: lr_sweeps(s, -5, 1), args.repeats)
        print(
            f"sweep {SWEEP_POINTS} lrs × {STEPS} steps  {name:<10} warm {out['sweep_s'][name] * 1e3:7.1f} ms   "
            f"first call {out['sweep_first_call_s'][name]:.2f} s"
        )

    himmelblau = Scenario.from_query(f"surface=himmelblau&opt=sgd:lr=0.01&steps={STEPS}").scenario
    start = time.perf_counter()
    basins = basin_map(himmelblau)
    out["basin_first_call_s"] = time.perf_counter() - start
    out["basin_s"] = median_seconds(lambda: basin_map(himmelblau), args.repeats)
    starts = BASIN_GRID**2
    print(
        f"basin map {BASIN_GRID}×{BASIN_GRID} ({starts:,} starts) × {STEPS} steps: warm {out['basin_s']:.3f} s "
        f"({starts * STEPS / out['basin_s']:.3g} steps/s), first call {out['basin_first_call_s']:.2f} s"
    )

    quadratic = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.1&opt=momentum:lr=0.1&opt=adam:lr=0.1").scenario
    cloud = Scenario.from_query("surface=himmelblau&opt=adam:lr=0.1&start=0,0&cloud=random:n=256,r=0.4").scenario
    out["payload_bytes"] = {
        "sweep (3 runs × 256 lrs)": _bytes(sweep_figure(quadratic, lr_sweeps(quadratic, -5, 1))),
        f"basin map ({BASIN_GRID}×{BASIN_GRID})": _bytes(basin_figure(himmelblau, basins)),
        "cloud of 256 starts × 500 steps (animated map)": _bytes(trajectory_figure(simulate(cloud))),
    }
    for view, size in out["payload_bytes"].items():
        print(f"payload {view}: {size / 1e6:.2f} MB")
    print(f"device: {out['device']}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
