"""The gallery's cards, kept on disk: each preset's picture and its text, drawn once per version.

A card is a preset's final step drawn small (`export.thumbnail`) and the map's text
alternative (`summary.map_text`), its alt text; both come from the preset's simulation. A
fresh server drew all 30 on its gallery's first visit, ~10 s of one core (simulating 7 s,
drawing 3.5 s), which that visitor waited for (18.7 s from link to pictures in the browser
tests, on a shared 2-core machine). A card depends only on its link and on OptViz's files and
libraries, so it is kept in ``$OPTVIZ_CARDS`` (default ``~/.cache/optviz/cards``; ``off``:
none) under a name made from both: another link, another file under ``optviz/`` or
``surfaces/``, or another version of a library that computes or draws it, and the card is
drawn again. A folder that cannot be written is still read: the Docker image draws every
card when it is built (``python -m optviz.cards``) into a folder its user only reads.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.metadata
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from optviz.files import cache_folder, write_atomically

SOURCES = tuple(Path(__file__).resolve().parents[1] / name for name in ("optviz", "surfaces"))
LIBRARIES = ("jax", "jaxlib", "optax", "numpy", "pillow")


@dataclass(frozen=True)
class Card:
    """A preset's picture (PNG bytes) and the text that says what it shows."""

    png: bytes
    title: str
    lines: tuple[str, ...]

    @property
    def alt(self) -> str:
        """The picture's alt text: the title, then one clause per run and start."""
        return f"{self.title}. {'; '.join(self.lines)}."

    def to_json(self) -> str:
        return json.dumps({"png": base64.b64encode(self.png).decode("ascii"), "title": self.title, "lines": self.lines})

    @classmethod
    def from_json(cls, text: str) -> Card:
        doc = json.loads(text)
        return cls(base64.b64decode(doc["png"], validate=True), str(doc["title"]), tuple(map(str, doc["lines"])))


def draw(result) -> Card:
    """The card of a simulated preset."""
    from optviz import export
    from optviz.summary import map_text

    title, lines = map_text(result)
    return Card(export.thumbnail(result), title, tuple(lines))


@functools.cache
def fingerprint(sources: Iterable[Path] = SOURCES, libraries: Iterable[str] = LIBRARIES) -> str:
    """A digest of every file under ``sources`` (names and bytes; caches left out) and the
    installed versions of ``libraries``."""
    digest = hashlib.blake2b(digest_size=16)
    for root in sources:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{path.relative_to(root.parent)}\0".encode())
            digest.update(path.read_bytes())
    for name in libraries:
        digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
    return digest.hexdigest()


def folder() -> Path | None:
    """``$OPTVIZ_CARDS``, or ``~/.cache/optviz/cards``; None when it is ``off``."""
    return cache_folder("OPTVIZ_CARDS", "cards")


def kept(link: str, drawn: Callable[[], Card]) -> Card:
    """The card of ``link`` from the folder, or ``drawn()`` (then kept there when it can be
    written; a file that is not a card is drawn again)."""
    where = folder()
    if where is None:
        return drawn()
    name = hashlib.blake2b(f"{fingerprint()} {link}".encode(), digest_size=16).hexdigest()
    path = where / f"{name}.json"
    try:
        return Card.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    card = drawn()
    try:
        write_atomically(path, card.to_json().encode("utf-8"))
    except OSError:  # a folder the server only reads (the Docker image's): the card is drawn in memory
        pass
    return card


def main() -> None:
    """Draw every preset's card into the folder (the Docker image's build step)."""
    from optviz import simulate
    from optviz.presets import PRESETS

    for preset in PRESETS.values():
        kept(preset.link, lambda preset=preset: draw(simulate(preset.scenario)))
    print(f"{len(PRESETS)} cards in {folder()}")


if __name__ == "__main__":
    main()
