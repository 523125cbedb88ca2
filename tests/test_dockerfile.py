"""The Dockerfile copies files that exist and runs the app the README runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_copied_path_exists_and_is_not_ignored():
    dockerfile = (ROOT / "Dockerfile").read_text()
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()}
    sources = [src for line in re.findall(r"^COPY (.+)$", dockerfile, re.M) for src in line.split()[:-1]]
    assert sources, "the Dockerfile copies nothing"
    for src in sources:
        assert (ROOT / src).exists(), src
        assert src not in ignored, src


def test_entrypoint_runs_the_app_headless_on_all_interfaces():
    dockerfile = (ROOT / "Dockerfile").read_text()
    entry = re.search(r"^ENTRYPOINT (\[.+\])$", dockerfile, re.M).group(1)
    assert entry.startswith('["streamlit", "run", "app.py"') and "--server.address=0.0.0.0" in entry
    assert re.search(r"^EXPOSE 8501$", dockerfile, re.M) and re.search(r"^USER optviz$", dockerfile, re.M)
    assert "_stcore/health" in dockerfile
