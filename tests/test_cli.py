"""python -m optviz run/list, through the real entry point."""

import csv
import json
import subprocess
import sys

import numpy as np

from optviz.cli import listing, main
from optviz.optimizers import OPTIMIZERS
from optviz.schedules import SCHEDULES
from surfaces import SURFACES
from tests.reference import data as ref


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


def test_data_csv_writes_the_points_a_link_fits(capsys):
    link = "surface=logistic_regression:n=30,scale=5,corr=-0.5&seed=9&opt=adam:lr=0.1"
    assert main(["data", link, "--csv"]) == 0
    header, *rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert header == ["x1", "x2", "label"] and len(rows) == 30
    p = {**ref.DEFAULTS["logistic_regression"], "n": 30, "scale": 5.0, "corr": -0.5}
    features, target = ref.dataset("logistic_regression", 9, p)
    table = np.array(rows, dtype=float)
    np.testing.assert_allclose(table[:, :2], features, rtol=1e-15)
    np.testing.assert_array_equal(table[:, 2], target)
    assert {r[2] for r in rows} == {"0", "1"}
    assert main(["data", "surface=logistic_regression&points=1:2:1,-0.5:3:0,2:0.25:1", "--csv"]) == 0
    assert capsys.readouterr().out == "x1,x2,label\n1,2,1\n-0.5,3,0\n2,0.25,1\n"  # own points as given
    assert main(["data", "surface=neuron:n=4"]) == 0
    assert capsys.readouterr().out.split()[:2] == ["x", "y"]
    assert main(["data", "surface=booth", "--csv"]) == 2
    err = capsys.readouterr().err
    assert "booth fits no data" in err and "linear_regression" in err
