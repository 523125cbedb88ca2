r"""Which device runs a kernel call: the CPU, or an accelerator for the wide calls that gain there.

A path is a ``lax.while_loop`` of tiny steps. On a CPU one step of one lane costs ~0.02 µs in a
wide call (an LR sweep of 4,096 lrs ran 4.8–8.0·10⁷ lane-steps/s on this project's 2-core
machine); on a GPU each loop iteration costs ~24 µs whatever the width (measured on one NVIDIA
H200, `docs/deployment.md`). A call of :math:`L` lanes is therefore faster on the GPU only when
:math:`0.02\,\mu s \cdot L > 24\,\mu s`, i.e. from ~1,200 lanes: single paths, clouds of a few
hundred starts, the drag view's 128-lr families and the zoo's 71-lr races stay on the CPU, basin
maps (16,641 starts) and sweeps of thousands of lrs go to the GPU. `ACCELERATOR_LANES` is the
next power of two above that estimate, so a call near it stays on the CPU; the variable
``OPTVIZ_ACCELERATOR_LANES`` sets another (``off``: everything on the CPU). On a host whose JAX
sees no accelerator everything runs on the CPU, as before.

The thresholds come from the two machines' recorded figures, not from a run on a GPU with this
routing (not yet verified on a GPU).
"""

from __future__ import annotations

import collections
import contextlib
import os

import jax

_SETTING = os.environ.get("OPTVIZ_ACCELERATOR_LANES", "2048")
ACCELERATOR_LANES = None if _SETTING.lower() == "off" else int(_SETTING)
PLACED: collections.Counter = collections.Counter()  # device → kernel calls placed there
_forced: jax.Device | None = None


def cpu() -> jax.Device:
    return jax.devices("cpu")[0]


def accelerator() -> jax.Device | None:
    """JAX's default device when it is not a CPU (a GPU or TPU), else None."""
    device = jax.devices()[0]
    return None if device.platform == "cpu" else device


def name(device: jax.Device) -> str:
    """``"cpu"``, or e.g. ``"gpu (NVIDIA H100 80GB HBM3)"``."""
    return device.platform if device.platform == "cpu" else f"{device.platform} ({device.device_kind})"


def present() -> str:
    """The devices calls can be routed to: ``"cpu"``, or e.g. ``"cpu + gpu (NVIDIA H200)"``."""
    wide = accelerator()
    return "cpu" if wide is None else f"cpu + {name(wide)}"


@contextlib.contextmanager
def forced(device: jax.Device):
    """Every call routed to ``device`` meanwhile (the benchmarks time each device)."""
    global _forced
    before, _forced = _forced, device
    try:
        yield
    finally:
        _forced = before


def route(lanes: int) -> jax.Device:
    """The device for a call of ``lanes`` lanes: the accelerator from `ACCELERATOR_LANES`
    lanes on, when there is one; the CPU otherwise."""
    if _forced is not None:
        return _forced
    wide = accelerator()
    if wide is not None and ACCELERATOR_LANES is not None and lanes >= ACCELERATOR_LANES:
        return wide
    return cpu()


def run(kernel, lanes: int, *args):
    """``kernel(*args)``, a call of ``lanes`` lanes, on the device `route` picks, read back to
    the host: the arguments are committed to the accelerator, or left as they are for the CPU,
    JAX's default device here (set so by ``optviz/__init__.py`` on a host with an accelerator)."""
    device = route(lanes)
    PLACED[device] += 1
    default = jax.config.jax_default_device or jax.devices()[0]
    return jax.device_get(kernel(*(args if device == default else jax.device_put(args, device))))
