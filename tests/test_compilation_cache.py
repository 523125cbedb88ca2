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


def test_a_second_process_loads_the_kernels_and_gets_identical_numbers(tmp_path):
    cache = tmp_path / "jax"
    first = fresh_process({"OPTVIZ_JAX_CACHE": str(cache)})
    written = sorted(p.name for p in cache.iterdir())
    assert first["cache"] == str(cache) and any(name.startswith("jit_run_one") for name in written)
    second = fresh_process({"OPTVIZ_JAX_CACHE": str(cache)})
    assert second["paths"] == first["paths"]  # bit for bit
    assert sorted(p.name for p in cache.iterdir()) == written  # nothing new compiled


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
