"""python -m optviz run/list, through the real entry point."""

import json
import subprocess
import sys

import numpy as np

from optviz.cli import listing, main
from optviz.optimizers import OPTIMIZERS
from optviz.schedules import SCHEDULES
from surfaces import SURFACES


def test_run_json_through_python_m():
    query = "surface=quadratic&opt=sgd:lr=0.5&opt=sgd:lr=2.5&steps=300&bogus=1"
    out = subprocess.run(
        [sys.executable, "-m", "optviz", "run", query, "--json"], capture_output=True, text=True, check=True
    )
    doc = json.loads(out.stdout)
    assert (
        doc["scenario"]
        == "v=1&surface=quadratic&opt=sgd:lr=0.5&opt=sgd:lr=2.5&schedule=constant&steps=300&start=-1.5,1.5&seed=0"
    )
    assert doc["warnings"] == ["unknown parameter 'bogus' ignored"]
    assert doc["device"] == "cpu"
    good, bad = doc["runs"]
    assert good["optimizer"] == "sgd" and good["hyperparams"] == {"lr": 0.5, "momentum": 0.0, "nesterov": False}
    path = np.array(good["path"])
    assert path.shape == (301, 2) and list(path[0]) == [-1.5, 1.5]
    np.testing.assert_allclose(path[:, 0], -1.5 * 0.5 ** np.arange(301), rtol=1e-12)  # x_{t+1} = (1 - lr h) x_t
    np.testing.assert_allclose(good["loss"], 0.5 * (path[:, 0] ** 2 + 0.1 * path[:, 1] ** 2), rtol=1e-12)
    assert good["lr"] == [0.5] * 300 and good["diverged_at"] is None and good["converged_at"] is not None
    assert bad["diverged_at"] is not None and len(bad["path"]) == bad["diverged_at"]


def test_run_several_starts_lists_trajectories(capsys):
    main(["run", "surface=himmelblau&opt=adam:lr=0.1&steps=10&start=1,1&start=-1,-1", "--json"])
    doc = json.loads(capsys.readouterr().out)
    (run,) = doc["runs"]
    assert [t["start"] for t in run["trajectories"]] == [[1.0, 1.0], [-1.0, -1.0]]
    assert run["path"] == run["trajectories"][0]["path"]


def test_run_table(capsys):
    main(["run", "surface=quadratic&opt=sgd:lr=2.5&steps=100&lr=3"])
    captured = capsys.readouterr()
    assert "unknown parameter 'lr' ignored" in captured.err
    lines = captured.out.splitlines()
    assert lines[0].startswith("v=1&surface=quadratic")
    assert lines[2].split()[0:2] == ["sgd", "lr=2.5"] and lines[2].split()[-1].isdigit()  # diverged at a step


def test_list_names_everything():
    text = listing()
    for name in [*SURFACES, *OPTIMIZERS, *SCHEDULES]:
        assert f"  {name} " in text
    assert "    b1=0.9  (0..0.9999)" in text and "    lr=0.01  (1e-06..10, log)" in text
    assert "steps ≤ 10000, optimizer runs ≤ 8, start points ≤ 4096" in text
    assert "    theory=false  (true/false)  theory beside the paths" in text and "    angle=0  (-90..90)" in text
