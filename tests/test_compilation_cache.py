"""JAX's persistent compilation cache (`optviz._compilation_cache`): where it lives,
how it is turned off, and that kernels loaded from disk compute the same numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import optviz

ROOT = Path(__file__).resolve().parents[1]
RUN = """
import json
import jax
from optviz import Scenario, simulate
result = simulate(Scenario.from_query("surface=beale&opt=adam:lr=0.05&opt=rmsprop:lr=0.01&steps=300").scenario)
print(json.dumps({"cache": jax.config.jax_compilation_cache_dir,
                  "paths": [r.path.tolist() for r in result.runs]}))
"""


def fresh_process(env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", RUN], cwd=ROOT, env=os.environ | env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def cached(cache: Path) -> list[str]:
    return sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*") if p.is_file())


def test_a_second_process_loads_the_kernels_and_gets_identical_numbers(tmp_path):
    """The first process traces each kernel, saves it traced (`optviz.traced`) and compiles it;
    the second loads both, traces and compiles nothing, and computes the same numbers, bit for
    bit, as a process with no cache at all."""
    cache = tmp_path / "jax"
    first = fresh_process({"OPTVIZ_JAX_CACHE": str(cache)})
    written = cached(cache)
    assert first["cache"] == str(cache) and any(name.startswith("jit_call_exported") for name in written)
    assert len([name for name in written if name.startswith("traced/")]) == 2  # Adam's and RMSprop's kernels
    second = fresh_process({"OPTVIZ_JAX_CACHE": str(cache)})
    assert second["paths"] == first["paths"]  # bit for bit
    assert cached(cache) == written  # nothing new traced or compiled
    assert fresh_process({"OPTVIZ_JAX_CACHE": "off"})["paths"] == first["paths"]


def test_a_kernel_is_saved_traced_only_under_a_name_that_says_what_it_was_traced_from():
    """A registry surface and a named builder give a key (with the source digest in it); a
    formula's surface, another seed's data or a builder closure give none."""
    from optviz import traced
    from optviz.conventions import resolve
    from optviz.optimizers import OPTIMIZERS
    from surfaces import SURFACES
    from surfaces.data import reseed
    from surfaces.formula import custom_surface

    adam = OPTIMIZERS["adam"].build
    key = traced.structure_key(SURFACES["rosenbrock"], adam, 512)
    assert key is not None and traced._sources() in key and "rosenbrock" in key and "512" in key
    assert (
        key
        != traced.structure_key(SURFACES["beale"], adam, 512)
        != traced.structure_key(SURFACES["rosenbrock"], adam, 1024)
    )
    assert traced.structure_key(custom_surface("x^2+y^2", ((-1, 1), (-1, 1))), adam, 512) is None
    assert traced.structure_key(reseed(SURFACES["linear_regression"], 3), adam, 512) is None
    assert traced.structure_key(SURFACES["rosenbrock"], resolve("adam", "keras").build, 512) is None
    assert traced.structure_key(SURFACES["rosenbrock"], cached, 512) is None  # code outside the digest


def test_the_cache_can_be_turned_off_and_falls_back_when_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTVIZ_JAX_CACHE", "off")
    assert optviz._compilation_cache() is None
    monkeypatch.setenv("OPTVIZ_JAX_CACHE", str(tmp_path / "a" / "b"))
    assert optviz._compilation_cache() == tmp_path / "a" / "b" and (tmp_path / "a" / "b").is_dir()
    monkeypatch.delenv("OPTVIZ_JAX_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert optviz._compilation_cache() == tmp_path / "xdg" / "optviz" / "jax"
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("OPTVIZ_JAX_CACHE", str(blocker / "jax"))  # a folder under a file cannot exist
    assert optviz._compilation_cache() is None
