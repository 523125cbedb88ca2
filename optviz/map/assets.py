"""plotly.js for the map component: the bundle that the installed ``plotly`` package ships,
copied into the app's ``static/`` folder (``server.enableStaticServing`` serves it at
``/app/static/``), under a name with its version so a browser never keeps a stale copy."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import plotly

STATIC = Path(__file__).resolve().parents[2] / "static"
BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def bundle_name() -> str:
    """``plotly-<version>.min.js``, the version read from the bundle's banner."""
    with BUNDLE.open(encoding="utf-8") as f:
        version = re.search(r"plotly\.js v([\w.\-]+)", f.read(200))
    return f"plotly-{version.group(1) if version else plotly.__version__}.min.js"


def ensure_plotly_js(static: Path = STATIC) -> str:
    """Copy the bundle into ``static`` unless it is there already; its URL path relative
    to the app (``app/static/<name>``)."""
    name = bundle_name()
    target = static / name
    if not target.exists() or target.stat().st_size != BUNDLE.stat().st_size:
        static.mkdir(parents=True, exist_ok=True)
        with BUNDLE.open("rb") as source, tempfile.NamedTemporaryFile(dir=static, delete=False) as tmp:
            shutil.copyfileobj(source, tmp)
        os.replace(tmp.name, target)  # atomic: replicas starting together never serve half a file
        target.chmod(0o644)
    return f"app/static/{name}"


if __name__ == "__main__":  # the Docker image copies it at build time
    print(ensure_plotly_js())
