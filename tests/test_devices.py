"""Which device runs a kernel call (`optviz.devices`), on two CPU devices that stand in for a
CPU and an accelerator (XLA's ``--xla_force_host_platform_device_count=2``, in a fresh process):
narrow calls stay on the first, wide ones go to the second, and the numbers are the same."""

import json
import os
import subprocess
import sys
from pathlib import Path

from optviz import devices

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json
import numpy as np
import jax
from optviz import Scenario, devices, simulate
from optviz.engine import family, sweep
from optviz.sweeps import basin_map

cpu, other = jax.devices()
devices.accelerator = lambda: other  # the second device plays the accelerator
ran_on = set()  # the devices holding the kernels' outputs, as the engine reads them back
read_back = jax.device_get


def spy(tree):
    ran_on.update(str(d) for leaf in jax.tree.leaves(tree) if isinstance(leaf, jax.Array) for d in leaf.devices())
    return read_back(tree)


jax.device_get = spy
scenario = Scenario.from_query("surface=rosenbrock&opt=adam:lr=0.01&steps=200").scenario
lrs = np.geomspace(1e-4, 1.0, 4096)
calls = {
    "path": lambda: simulate(scenario).runs[0].path,
    "family": lambda: family(scenario, 0, lrs[:128]).path,
    "sweep": lambda: sweep(scenario, 0, lrs).final,
    "basins": lambda: basin_map(scenario, 0, grid=65).label,
}
out = {}
for kind, call in calls.items():
    before = dict(devices.PLACED)
    ran_on.clear()
    routed = call()
    placed = [str(d) for d in devices.PLACED if devices.PLACED[d] > before.get(d, 0)]
    ran = sorted(ran_on)
    with devices.forced(cpu):
        on_cpu = call()
    out[kind] = {"placed": placed, "ran": ran, "same": bool(np.array_equal(routed, on_cpu, equal_nan=True))}
out["device"] = simulate(scenario).device
out["names"] = [str(cpu), str(other)]
print(json.dumps(out))
"""


def test_wide_calls_go_to_the_accelerator_and_compute_the_same_numbers():
    env = os.environ | {"XLA_FLAGS": "--xla_force_host_platform_device_count=2", "OPTVIZ_ACCELERATOR_LANES": "2048"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    cpu, other = out["names"]
    for kind, device in [("path", cpu), ("family", cpu), ("sweep", other), ("basins", other)]:
        # 1 and 128 lanes on the CPU; 4,096 lrs and 65² = 4,225 starts on the accelerator
        assert out[kind]["placed"] == [device] and out[kind]["ran"] == [device], (kind, out[kind])
    assert all(out[kind]["same"] for kind in ("path", "family", "sweep", "basins"))
    assert out["device"] == "cpu"


def test_without_an_accelerator_every_call_stays_on_the_cpu():
    assert devices.accelerator() is None and devices.present() == "cpu"
    assert devices.route(1) == devices.route(10**6) == devices.cpu()
