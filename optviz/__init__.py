"""OptViz: see how optimizers and learning-rate schedules move across 2-D loss surfaces.

The flow is ``link -> Scenario -> simulate() -> Result``; everything runs in float64,
so importing this package turns on JAX's 64-bit mode (and synchronous CPU dispatch)
for the process, and JAX's persistent compilation cache in ``$OPTVIZ_JAX_CACHE``
(default ``~/.cache/optviz/jax``; ``off`` disables it): a restarted app loads its
kernels from disk instead of compiling them (measured: the default scenario's
simulation 0.50 s -> 0.19 s on a cold process).
"""

import os
from pathlib import Path

# XLA compiles each kernel's code on one thread (read when JAX starts its backend, below). Its
# CPU compiler otherwise splits a module's code generation over a pool of threads, and what
# those threads allocated stayed resident: the soak benchmark on an empty kernel cache, peak
# RSS 1,048 -> 958 MB (after its links in a row 987 -> 901 MB). The kernels are one small loop.
_SPLIT = "--xla_cpu_parallel_codegen_split_count"
if _SPLIT not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_SPLIT}=1".strip()

import jax  # noqa: E402

from optviz.files import cache_folder  # noqa: E402

jax.config.update("jax_enable_x64", True)
# Every result is read back at once, so dispatching asynchronously only adds a thread
# hand-off; synchronous CPU dispatch measured ~20% faster for a 1,000-step run.
jax.config.update("jax_cpu_enable_async_dispatch", False)
# On a host with a GPU or TPU, everything runs on the CPU (which JAX always has) but the wide
# kernel calls that `optviz.devices.route` sends to the accelerator.
if jax.devices()[0].platform != "cpu":
    jax.config.update("jax_default_device", jax.devices("cpu")[0])


def _compilation_cache() -> Path | None:
    """The persistent cache's folder, created if needed; None when off or unwritable."""
    folder = cache_folder("OPTVIZ_JAX_CACHE", "jax")
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # e.g. a container user without a home: compile in memory as before
        return None
    return folder if os.access(folder, os.W_OK) else None


if (_cache := _compilation_cache()) is not None:
    jax.config.update("jax_compilation_cache_dir", str(_cache))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)  # our kernels compile in 0.1-0.3 s
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

from optviz.engine import Result, RunResult, Sweep, Trajectory, simulate, sweep  # noqa: E402
from optviz.scenario import OptRun, Parsed, Scenario  # noqa: E402

__all__ = ["OptRun", "Parsed", "Result", "RunResult", "Scenario", "Sweep", "Trajectory", "simulate", "sweep"]
