"""What ``map.js`` does with the map component's messages, in Python, for the tests: keeps the
parts, reports the ones it lacks, decodes their arrays and assembles the figure the page draws
(`optviz.figures.map_assembly.assemble`, `optviz.figures.surface3d.assemble_scene`)."""

from __future__ import annotations

import base64

import numpy as np

from optviz.figures.map_assembly import assemble
from optviz.figures.surface3d import SceneParts, assemble_scene
from optviz.figures.trajectory import MapParts


def decoded_values(value: dict) -> np.ndarray:
    """A typed array ``{"dtype", "bdata"}`` as NumPy values (flat)."""
    return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<")).copy()


def decode(value) -> np.ndarray:
    """A trace's array as the page reads it: typed ``{"dtype", "bdata"}`` or a plain list."""
    return decoded_values(value) if isinstance(value, dict) else np.asarray(value, dtype=float)


def _decoded(value: dict) -> np.ndarray:
    return decoded_values(value).reshape(value["shape"])


def _arrays_decoded(part: dict) -> dict:
    out = part | {"moving": {k: _decoded(v) for k, v in part["moving"].items()}}
    if "paths" in part:
        out["paths"] = [_decoded(p) for p in part["paths"]]
    return out


class Client:
    """What ``map.js`` does with messages, in Python: keeps parts, reports missing ones,
    and assembles the figure (used by the tests to read what the page draws)."""

    def __init__(self):
        self.parts: dict[str, dict] = {}

    def receive(self, msg: dict) -> dict | list[str]:
        """The figure dict ``msg`` draws, or the ids of the parts this client lacks."""
        self.parts.update(msg["parts"])
        missing = [i for i in msg["order"] if i not in self.parts]
        if missing:
            return missing
        if msg.get("scene"):  # the 3-D view (`encode_scene`)
            surface, *runs, anim = (self.parts[i] for i in msg["order"])
            return assemble_scene(SceneParts(surface, tuple(_arrays_decoded(r) for r in runs), anim), msg["frame"])
        surface, *runs, anim, axes = (self.parts[i] for i in msg["order"])
        parts = MapParts(surface, tuple(_arrays_decoded(r) for r in runs), anim, _arrays_decoded(axes))
        return assemble(parts, msg["frame"])
