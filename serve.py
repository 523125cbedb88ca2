"""OptViz server: `streamlit run serve.py` serves the explorer (`app.py`) warmed up.

Streamlit runs ``app.py`` for each visitor as usual; this file only adds a start-up step
through `st.App`'s lifespan: a thread that imports the app's modules and compiles the
kernels of the default page (`optviz.warm`) while the server already
answers its health check, so that the first visitor does not pay for them.
``/ready`` answers 503 until that is done, then 200 (a proxy or a benchmark can wait
for it; ``/_stcore/health`` answers as soon as the server is up).
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from streamlit.logger import get_logger

APP = Path(__file__).with_name("app.py")
warmed = threading.Event()


def _warm() -> None:
    try:
        from optviz.warm import warm_up  # imports JAX: here, not before the server is up

        seconds = warm_up(APP)
        parts = ", ".join(f"{part} {s:.1f} s" for part, s in seconds.items())
        get_logger(__name__).info("warmed up in %.1f s: %s", sum(seconds.values()), parts)
    finally:  # a failed warm-up leaves the work to the first visitor, as without one
        warmed.set()


@asynccontextmanager
async def lifespan(_app):
    threading.Thread(target=_warm, name="optviz-warm-up", daemon=True).start()
    yield


async def ready(_request):
    return PlainTextResponse("ok" if warmed.is_set() else "warming up", status_code=200 if warmed.is_set() else 503)


app = st.App(APP, lifespan=lifespan, routes=[Route("/ready", ready)])
