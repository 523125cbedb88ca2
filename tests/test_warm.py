"""The server's start-up work (`optviz.warm`, run by `serve.py`): after it, the first
visitor's default page compiles nothing, and `/ready` says when it is done."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from optviz.warm import app_modules

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from browser import app_command, free_port, wait_healthy  # noqa: E402

from tests.at_once import system_errors  # noqa: E402

FIRST_VISITOR = """
import json, sys
from pathlib import Path
from streamlit.testing.v1 import AppTest
from optviz.kernel import trace_count
from optviz.warm import warm_up

app = Path(sys.argv[1])
if sys.argv[2] == "warm":
    warm_up(app)
warmed = trace_count()
page = AppTest.from_file(str(app), default_timeout=300).run()  # the default link's page
print(json.dumps({"warmed": warmed, "after": trace_count(), "errors": len(page.exception)}))
"""


def first_visitor(mode: str, cache: Path) -> dict:
    """A fresh process (no kernel in memory), warmed up or not, then the default page as a
    first visitor opens it; how many kernels were traced before/after
    (a kernel loaded from the persistent ``cache`` is traced all the same)."""
    out = subprocess.run(
        [sys.executable, "-c", FIRST_VISITOR, str(ROOT / "app.py"), mode],
        cwd=ROOT,
        env=os.environ | {"OPTVIZ_JAX_CACHE": str(cache)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_after_the_warm_up_the_first_page_compiles_nothing(tmp_path):
    warmed = first_visitor("warm", tmp_path)
    cold = first_visitor("cold", tmp_path)
    assert warmed["errors"] == cold["errors"] == 0
    assert warmed["warmed"] > 0 and warmed["after"] == warmed["warmed"]  # nothing left to the visitor
    assert cold["warmed"] == 0 and cold["after"] == warmed["warmed"]  # without it the visitor pays


def test_the_warm_up_imports_what_the_app_imports():
    modules = app_modules(ROOT / "app.py")
    assert {"streamlit", "optviz", "optviz.view", "optviz.ui.sidebar", "optviz.map.component"} <= set(modules)
    assert len(modules) == len(set(modules))


def test_reading_the_apps_imports_while_streamlit_parses_the_app_never_fails():
    """The warm-up reads the app's imports in its thread while Streamlit parses the app for
    the first visitor (``ast.parse``, in its script runner's thread)."""
    app = ROOT / "app.py"
    source = app.read_text()
    streamlit_parse = lambda: ast.parse(source, str(app))  # noqa: E731
    assert system_errors(streamlit_parse, lambda: app_modules(app), times=150) == []


def test_streamlit_compiles_the_app_without_building_a_syntax_tree(monkeypatch):
    """With magic off (.streamlit/config.toml), Streamlit compiles the script for its first
    visitor straight to code: no ``ast.parse``, so nothing the warm-up parses meanwhile can
    collide with it."""
    from streamlit import config
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    config.get_config_options(force_reparse=True, options_from_flags={})  # this folder's config.toml
    assert config.get_option("runner.magicEnabled") is False
    parsed = []
    monkeypatch.setattr(ast, "parse", lambda *a, **k: parsed.append(a) or pytest.fail("parsed"))
    code = ScriptCache().get_bytecode(str(ROOT / "app.py"))
    assert code.co_filename == str(ROOT / "app.py") and parsed == []


def test_ready_answers_503_while_warming_then_200():
    port = free_port()
    proc = subprocess.Popen(app_command(port), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(port, proc)
        codes = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and codes[-1:] != [200]:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as r:
                    codes.append(r.status)
            except urllib.error.HTTPError as e:
                codes.append(e.code)
            time.sleep(0.1)
        assert codes[0] == 503 and codes[-1] == 200 and set(codes) == {503, 200}
    finally:
        proc.terminate()
        log = proc.communicate(timeout=20)[0]
    assert "warmed up in" in log and "default page" in log
