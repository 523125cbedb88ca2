"""The map's parts as content-addressed JSON, and the message that sends only new parts.

A part's id is a hash of its JSON, so an unchanged part (the surface, the runs that a
change did not touch) keeps its id and travels as the id alone once the page holds it.
The page keeps the last `KEEP` parts it received; the server assumes it holds at most the
last `SENT` of those it sent (fewer than `KEEP`), and a page that lacks a part asks for it
(``map.js`` reports ``missing``), after which everything is sent again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

import numpy as np

from optviz.figures.style import bdata
from optviz.figures.surface3d import SceneParts
from optviz.figures.trajectory import MapParts

KEEP = 48  # parts the page keeps
SENT = 32  # parts the server assumes the page holds (the most recent it sent)
FIGURES_KEPT = 8  # whole figures (`optviz.map.component.show_figure`) the page keeps, all keys together
FIGURES_HELD = 2  # of those, the server assumes the page holds the last it sent under each key


def _encoded(array: np.ndarray) -> dict:
    return bdata(array) | {"shape": list(array.shape)}


def part_id(part: dict) -> str:
    return hashlib.blake2b(json.dumps(part, sort_keys=True).encode(), digest_size=8).hexdigest()


def _arrays_encoded(part: dict) -> dict:
    out = part | {"moving": {k: _encoded(v) for k, v in part["moving"].items()}}
    if "paths" in part:
        out["paths"] = [_encoded(p) for p in part["paths"]]
    return out


def encode(parts: MapParts) -> list[tuple[str, dict]]:
    """``(id, part)`` for the surface, each run, the animation and the panels' axes, in
    that order; arrays as float32 ``bdata`` with their shape."""
    runs = [{k: v for k, v in run.items() if k != "path_points"} for run in parts.runs]
    out = [{"kind": "surface"} | parts.surface]
    out += [{"kind": "run"} | _arrays_encoded(run) for run in runs]
    out += [{"kind": "anim"} | parts.anim, {"kind": "axes"} | _arrays_encoded(parts.axes)]
    return [(part_id(p), p) for p in out]


def encode_scene(parts: SceneParts) -> list[tuple[str, dict]]:
    """``(id, part)`` for the 3-D view's surface, each run and the animation, in that
    order (``scene.js`` reads them so); the heads as float32 ``bdata`` with their shape."""
    out = [{"kind": "surface"} | parts.surface]
    out += [{"kind": "run"} | _arrays_encoded(run) for run in parts.runs]
    out += [{"kind": "anim"} | parts.anim]
    return [(part_id(p), p) for p in out]


def encoded_bytes(encoded: Sequence[tuple[str, dict]]) -> int:
    """What `encode`'s parts weigh: the characters of their strings (the base64 arrays
    are nearly all of it) plus 8 bytes per other value."""

    def size(value) -> int:
        if isinstance(value, str):
            return len(value)
        if isinstance(value, dict):
            return sum(len(k) + size(v) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return sum(size(v) for v in value)
        return 8

    return size(list(encoded))


def message(encoded: Sequence[tuple[str, dict]], frame: int, held: Iterable[str], origin: str = "") -> dict:
    """What the component receives: the parts' ids in drawing order, the parts not in
    ``held`` (those the page is taken to hold), the step to open at and a revision. A
    redraw keeps the step the map shows while ``frame`` and ``origin`` (what the steps
    are counted from: the start points) stay the same; else it opens at ``frame``."""
    held = set(held)
    order = [i for i, _ in encoded]
    return {
        "order": order,
        "parts": {i: p for i, p in encoded if i not in held},
        "frame": frame,
        "origin": f"{frame}|{origin}",
        "rev": f"{'-'.join(order)}@{frame}",
    }


def remember(held: list[str], msg: dict) -> list[str]:
    """The ids the page holds after ``msg`` (the most recent `SENT`)."""
    recent = [i for i in held if i not in msg["order"]] + msg["order"]
    return recent[-SENT:]
