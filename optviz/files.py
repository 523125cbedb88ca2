"""Files OptViz writes for later: one writer that never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_root() -> Path:
    """Where OptViz keeps what it computed for later (``$XDG_CACHE_HOME/optviz``, by default
    ``~/.cache/optviz``): compiled kernels, the gallery's cards."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "optviz"


def cache_folder(variable: str, name: str) -> Path | None:
    """The folder ``$variable`` names, else ``name`` under `cache_root`; None when the
    variable says ``off``."""
    chosen = os.environ.get(variable, "")
    if chosen.lower() == "off":
        return None
    return Path(chosen) if chosen else cache_root() / name


def write_atomically(target: Path, data: bytes) -> None:
    """``data`` into ``target`` (readable by all): written to a temporary file beside it, then
    renamed, so that processes starting together never read half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, target)
    target.chmod(0o644)
