"""The map component's static files: ``player.js`` (the map's Play), ``scene.js`` (the 3-D
view's assembly), plotly.js's *gl3d* bundle (the 3-D traces: surface, scatter3d, loaded
only when the 3-D view is first opened) and its *basic*
bundle (scatter, bar and pie traces plus every layout component: images, sliders, buttons,
legends, colour bars), kept in ``vendor/`` as the ``plotly.js-basic-dist-min`` npm package
ships it (MIT licence beside it).
The map, the drag-lr view and the schedule preview draw only scatter traces, so they need no
more; the full bundle that the ``plotly`` package ships is 4.7 MB (1.5 MB gzipped) against
1.2 MB (0.4 MB), and a browser without it cached (a student's first visit) drew the first
chart ~1 s sooner with the basic one (medians of 3, same machine and load). The 3-D view
loads the gl3d bundle (1.8 MB) beside it, into a variable of its own (``window.Plotly``
stays the basic one); the exported HTML keeps the full bundle.

The bundle is copied into the app's ``static/`` folder (``server.enableStaticServing``
serves it at ``/app/static/``) under a name with its version, so a browser never keeps a
stale copy; so are ``player.js`` and ``scene.js``, under names with their content's hash:
modules imported once per page rather than sent in every message of the map. To update the
bundles: ``npm pack plotly.js-basic-dist-min@VERSION`` (and ``plotly.js-gl3d-dist-min``)
and copy its ``plotly-basic.min.js`` (``plotly-gl3d.min.js``) here, with the version of
plotly.js that the ``plotly`` package bundles (`tests/test_assets.py` checks they share a major version)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from optviz.files import write_atomically

TRACE_TYPES = ("scatter", "bar", "pie")  # the trace types the basic bundle registers
GL3D_TYPES = ("scatter", "surface", "scatter3d", "mesh3d")  # some of the gl3d bundle's
STATIC = Path(__file__).resolve().parents[2] / "static"
BUNDLE = Path(__file__).resolve().parent / "vendor" / "plotly-basic.min.js"
GL3D = BUNDLE.with_name("plotly-gl3d.min.js")
PLAYER = Path(__file__).resolve().with_name("player.js")
SCENE = PLAYER.with_name("scene.js")
MAP = PLAYER.with_name("map.js")
LOADER = PLAYER.with_name("loader.js")


def bundle_version(bundle: Path = BUNDLE) -> str:
    """The plotly.js version in a bundle's banner (``plotly.js (basic - minified) v4.1.1``)."""
    with bundle.open(encoding="utf-8") as f:
        found = re.search(r"plotly\.js (?:\([^)]*\) )?v([\w.\-]+)", f.read(300))
    if found is None:
        raise ValueError(f"{bundle} has no plotly.js version banner")
    return found.group(1)


def bundle_name() -> str:
    """``plotly-basic-<version>.min.js``."""
    return f"plotly-basic-{bundle_version()}.min.js"


def ensure_static(source: Path, name: str, static: Path = STATIC) -> str:
    """Copy ``source`` into ``static`` as ``name`` unless it is there already; its URL path
    relative to the app (``app/static/<name>``)."""
    target = static / name
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        write_atomically(target, source.read_bytes())
    return f"app/static/{name}"


def ensure_plotly_js(static: Path = STATIC) -> str:
    """The basic bundle in ``static`` (`ensure_static`), named by its version."""
    return ensure_static(BUNDLE, bundle_name(), static)


def ensure_gl3d_js(static: Path = STATIC) -> str:
    """The gl3d bundle in ``static`` (`ensure_static`), named by its version."""
    return ensure_static(GL3D, f"plotly-gl3d-{bundle_version(GL3D)}.min.js", static)


def ensure_module(source: Path, static: Path = STATIC) -> str:
    """A module (``player.js``, ``scene.js``) in ``static`` (`ensure_hashed`)."""
    return ensure_hashed(source.stem, source.read_bytes(), static)


def ensure_hashed(stem: str, data: bytes, static: Path = STATIC) -> str:
    """A module's ``data`` in ``static``, named by a hash of its content
    (``optviz-<stem>-<hash>.js``: another content, another name, so a browser never keeps a
    stale copy) and written unless it is there already."""
    name = f"optviz-{stem}-{hashlib.blake2b(data, digest_size=6).hexdigest()}.js"
    if not (static / name).exists():
        write_atomically(static / name, data)
    return f"app/static/{name}"


def map_js() -> str:
    """``map.js`` with what it shares with the server (the URLs of the files it loads, the
    constants of the figures and of the wire format) written in as one JSON object."""
    from optviz.figures.fit import DATA_META, SPACE_META
    from optviz.figures.trajectory import PICKER
    from optviz.map.message import FIGURES_KEPT, KEEP

    shared = {
        "PLOTLY_URL": ensure_plotly_js(),
        "GL3D_URL": ensure_gl3d_js(),
        "PLAYER_URL": ensure_player_js(),
        "SCENE_URL": ensure_module(SCENE),
        "PICKER": PICKER,
        "DATA_META": DATA_META,
        "SPACE_META": SPACE_META,
        "KEEP": KEEP,
        "FIGURES_KEPT": FIGURES_KEPT,
    }
    return MAP.read_text(encoding="utf-8").replace("__SHARED__", json.dumps(shared))


def ensure_map_js(static: Path = STATIC) -> str:
    """``map.js`` (`map_js`) in ``static`` (`ensure_hashed`)."""
    return ensure_hashed("map", map_js().encode("utf-8"), static)


def ensure_player_js(static: Path = STATIC) -> str:
    """``player.js`` in ``static`` (`ensure_module`)."""
    return ensure_module(PLAYER, static)


if __name__ == "__main__":  # the Docker image copies them at build time
    print(ensure_plotly_js())
    print(ensure_gl3d_js())
    print(ensure_player_js())
    print(ensure_module(SCENE))
    print(ensure_map_js())
