"""Simulation kernels kept on disk as traced programs, so that a new process skips tracing.

JAX's persistent compilation cache (`optviz._compilation_cache`) keeps compiled kernels, but
every new process still traces each kernel's Python (the optimizer's optax code, the loop,
``vmap``) before it can find the compiled one: measured at ~0.1 s a kernel, most of a first
zoo (46 kernels) or gallery visit. Here each kernel is also saved, once traced, as an exported
StableHLO program (``jax.export``, in ``traced/`` beside the compilation cache); a later
process loads it (~2 ms) instead of tracing.

A saved program is found again only by a key that names everything it was traced from: a
digest of every source file of `optviz` and `surfaces`, the JAX and optax versions and the
backend, the registry surface, the optimizer builder's qualified name, the structure's flags
and the arguments' shapes. A surface made from a formula or another seed's data, or a builder
without a stable name (a framework variant's closure), is traced as before, never saved.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import jax
import numpy as np
import optax
from jax import export

from surfaces import SURFACES

_PACKAGES = (Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "surfaces")


@functools.cache
def folder() -> Path | None:
    """``traced/`` beside JAX's persistent compilation cache; None when that cache is off."""
    cache = jax.config.jax_compilation_cache_dir
    if not cache:
        return None
    path = Path(cache) / "traced"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


@functools.cache
def _sources() -> str:
    """A digest of the code a kernel is traced from, and of what runs it."""
    digest = hashlib.sha256(f"{jax.__version__} {optax.__version__} {jax.default_backend()}".encode())
    for package in _PACKAGES:
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package.parent).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def structure_key(surface, build, *flags) -> str | None:
    """The part of a kernel's key its structure gives, or None where it has no stable name: a
    registry surface whose function and a builder whose code are in the digested sources (or
    optax's, whose version is in the digest)."""
    name = getattr(build, "__qualname__", "")
    if SURFACES.get(surface.name) is not surface or not name or "<" in name:
        return None
    if _package(build) not in ("optax", "optviz") or _package(surface.fn) not in ("surfaces", "optviz"):
        return None
    return repr((_sources(), surface.name, build.__module__, name, flags))


def _package(function) -> str:
    return (getattr(function, "__module__", None) or "").split(".")[0]


def signature(args) -> str:
    """The arguments' tree, shapes and dtypes: an exported program takes exactly these."""
    leaves, tree = jax.tree.flatten(args)
    return repr((str(tree), [(np.shape(x), np.result_type(x).str) for x in leaves]))


def _path(key: str, args) -> Path:
    return folder() / f"{hashlib.sha256((key + signature(args)).encode()).hexdigest()}.bin"


def load(key: str, args) -> export.Exported | None:
    """The program saved for ``key`` and these arguments, or None."""
    try:
        return export.deserialize(bytearray(_path(key, args).read_bytes()))
    except (OSError, ValueError):
        return None


def save(key: str, args, jitted) -> export.Exported:
    """Trace ``jitted`` for ``args`` and save the program (written whole, then renamed, so that
    another process never reads half a file)."""
    exported = export.export(jitted)(*args)
    path = _path(key, args)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        partial.write_bytes(exported.serialize())
        partial.replace(path)
    except OSError:  # a full or read-only disk: the program still runs, unsaved
        partial.unlink(missing_ok=True)
    return exported
