"""The map component's static files: ``player.js`` (the map's Play), and plotly.js's *basic*
bundle (scatter, bar and pie traces plus every layout component: images, sliders, buttons,
legends, colour bars), kept in ``vendor/`` as the ``plotly.js-basic-dist-min`` npm package
ships it (MIT licence beside it).
The map, the drag-lr view and the schedule preview draw only scatter traces, so they need no
more; the full bundle that the ``plotly`` package ships is 4.7 MB (1.5 MB gzipped) against
1.2 MB (0.4 MB), and a browser without it cached (a student's first visit) drew the first
chart ~1 s sooner with the basic one (medians of 3, same machine and load). The 3-D view
(`st.plotly_chart`) and the exported HTML keep the full bundle.

The bundle is copied into the app's ``static/`` folder (``server.enableStaticServing``
serves it at ``/app/static/``) under a name with its version, so a browser never keeps a
stale copy; so is ``player.js``, under a name with its content's hash: a
module imported once per page rather than sent in every message of the map. To update the
bundle: ``npm pack plotly.js-basic-dist-min@VERSION`` and copy its
``plotly-basic.min.js`` here, with the version of plotly.js that the ``plotly`` package
bundles (`tests/test_assets.py` checks they share a major version)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

TRACE_TYPES = ("scatter", "bar", "pie")  # the trace types the basic bundle registers
STATIC = Path(__file__).resolve().parents[2] / "static"
BUNDLE = Path(__file__).resolve().parent / "vendor" / "plotly-basic.min.js"
PLAYER = Path(__file__).resolve().with_name("player.js")


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
        static.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as f, tempfile.NamedTemporaryFile(dir=static, delete=False) as tmp:
            shutil.copyfileobj(f, tmp)
        os.replace(tmp.name, target)  # atomic: replicas starting together never serve half a file
        target.chmod(0o644)
    return f"app/static/{name}"


def ensure_plotly_js(static: Path = STATIC) -> str:
    """The basic bundle in ``static`` (`ensure_static`), named by its version."""
    return ensure_static(BUNDLE, bundle_name(), static)


def ensure_player_js(static: Path = STATIC) -> str:
    """``player.js`` in ``static`` (`ensure_static`), named by a hash of its content."""
    digest = hashlib.blake2b(PLAYER.read_bytes(), digest_size=6).hexdigest()
    return ensure_static(PLAYER, f"optviz-player-{digest}.js", static)


if __name__ == "__main__":  # the Docker image copies them at build time
    print(ensure_plotly_js())
    print(ensure_player_js())
