"""Mini-batch gradients: the draw rule, the engine's path against a NumPy loop over the
same draws, the full-batch cases, the epochs and the link's ``batch`` key."""

import numpy as np
import pytest

from optviz import Scenario, simulate
from optviz.batches import batch_of, epochs
from optviz.kernel import trace_count
from optviz.summary import summary_rows
from tests.reference import data as ref
from tests.reference import plain, sharpness


@pytest.mark.parametrize(("n", "batch"), [(12, 5), (32, 1), (7, 6)])
def test_every_epoch_visits_every_point_once(n, batch):
    steps = 3 * n  # 3·batch epochs
    stream = np.concatenate([batch_of(4, 0, t, n, batch) for t in range(steps)])
    assert all(len(batch_of(4, 0, t, n, batch)) == batch for t in range(3))
    blocks = stream[: len(stream) // n * n].reshape(-1, n)
    assert all(sorted(block) == list(range(n)) for block in blocks)
    assert len({tuple(block) for block in blocks}) > 1  # a new order each epoch
    assert not np.array_equal(stream, np.concatenate([batch_of(5, 0, t, n, batch) for t in range(steps)]))
    assert not np.array_equal(stream, np.concatenate([batch_of(4, 1, t, n, batch) for t in range(steps)]))


def _numpy_path(name, seed, p, batch, start, steps, update):
    """The run as a NumPy loop: each step's gradient the mean of the hand-derived
    per-point gradients over the engine's documented draw for that step."""
    features, target = ref.dataset(name, seed, p)
    w, state, path, losses = np.array(start, float), {}, [np.array(start, float)], []
    for t in range(steps):
        idx = batch_of(seed, 0, t, len(target), batch)
        losses.append(ref.loss_and_grad(name, w, features, target, p)[0])
        g = ref.point_terms(name, w, features[idx], target[idx], p)[1].mean(axis=0)
        w = w + update(state, g, w)
        path.append(w.copy())
    losses.append(ref.loss_and_grad(name, w, features, target, p)[0])
    return np.array(path), np.array(losses)


@pytest.mark.parametrize(
    ("name", "seed", "given", "batch", "opt", "update"),
    [
        ("linear_regression", 3, {"n": 12}, 5, "sgd:lr=0.05", lambda s, g, w: plain.sgd(s, g, w, 0.05)),
        ("neuron", 1, {"n": 20, "noise": 0.3}, 1, "sgd:lr=0.1", lambda s, g, w: plain.sgd(s, g, w, 0.1)),
        (
            "logistic_regression",
            0,
            {"n": 40, "scale": 3.0},
            8,
            "momentum:lr=0.2,momentum=0.9",
            lambda s, g, w: plain.momentum(s, g, w, 0.2, momentum=0.9),
        ),
    ],
)
def test_minibatch_path_matches_a_numpy_loop_over_the_same_draws(name, seed, given, batch, opt, update):
    p = {**ref.DEFAULTS[name], **given}
    params = ",".join(f"{k}={v}" for k, v in given.items())
    start = (-1.0, 2.0)
    link = f"surface={name}:{params}&opt={opt}&steps=60&start=-1,2&seed={seed}&batch={batch}"
    run = simulate(Scenario.from_query(link).scenario).runs[0]
    path, losses = _numpy_path(name, seed, p, batch, start, 60, update)
    np.testing.assert_allclose(run.path, path, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run.loss, losses, rtol=1e-10)  # the full-batch loss is recorded


def test_a_batch_of_n_or_more_is_the_full_batch():
    base = "surface=linear_regression:n=10&opt=adam:lr=0.1&steps=50&seed=2"
    full = simulate(Scenario.from_query(base).scenario).runs[0].path
    for batch in (10, 200):
        np.testing.assert_array_equal(
            simulate(Scenario.from_query(f"{base}&batch={batch}").scenario).runs[0].path, full
        )
    assert not np.allclose(simulate(Scenario.from_query(f"{base}&batch=9").scenario).runs[0].path, full)


def test_batch_size_and_lr_changes_recompile_nothing():
    link = "surface=neuron&opt=sgd:lr={lr}&steps=100&batch={batch}"
    simulate(Scenario.from_query(link.format(lr=0.1, batch=4)).scenario)
    before = trace_count()
    for lr, batch in ((0.2, 4), (0.1, 8), (0.05, 1)):
        simulate(Scenario.from_query(link.format(lr=lr, batch=batch)).scenario)
    assert trace_count() == before


def test_summary_counts_epochs():
    scenario = Scenario.from_query("surface=linear_regression:n=16&opt=sgd:lr=0.01&steps=40&batch=4").scenario
    (row,) = summary_rows(simulate(scenario))
    assert row["epochs"] == 10.0 == epochs(40, 16, 4)
    full = Scenario.from_query("surface=linear_regression:n=16&opt=sgd:lr=0.01&steps=40").scenario
    assert summary_rows(simulate(full))[0]["epochs"] == 40.0
    assert "epochs" not in summary_rows(simulate(Scenario.from_query("surface=booth&opt=sgd:lr=0.01").scenario))[0]


def test_batch_in_links():
    parsed = Scenario.from_query("surface=neuron&batch=8")
    assert parsed.warnings == [] and parsed.scenario.batch == 8 and "&batch=8" in parsed.scenario.to_query()
    assert Scenario.from_query(parsed.scenario.to_query()).scenario == parsed.scenario
    assert "batch" not in Scenario.from_query("surface=neuron").scenario.to_query()
    ignored = Scenario.from_query("surface=booth&batch=8")
    assert ignored.scenario.batch == 0 and "only read on a data surface" in ignored.warnings[0]
    clamped = Scenario.from_query("surface=neuron&batch=9999")
    assert clamped.scenario.batch == 256 and clamped.warnings
    bad = Scenario.from_query("surface=neuron&batch=<b>x</b>")
    assert bad.scenario.batch == 0 and bad.warnings


def test_sam_takes_its_second_gradient_over_the_steps_batch():
    """SAM's gradient at θ + ρ g/‖g‖ is the mean over the same mini-batch as g, as a training loop
    computes it: the engine's path equals a NumPy loop over the engine's draws."""
    name, seed, batch, lr, rho = "linear_regression", 3, 5, 0.05, 0.3
    p = {**ref.DEFAULTS[name], "n": 12}
    features, target = ref.dataset(name, seed, p)
    w, path = np.array([-1.0, 2.0]), [np.array([-1.0, 2.0])]
    for t in range(60):
        idx = batch_of(seed, 0, t, len(target), batch)

        def grad(x, y, idx=idx):
            return ref.point_terms(name, np.array([x, y]), features[idx], target[idx], p)[1].mean(axis=0)

        w = w + sharpness.sam({}, grad(*w), w, lr, rho, grad=grad)
        path.append(w.copy())
    link = f"surface={name}:n=12&opt=sam:lr={lr},rho={rho}&steps=60&start=-1,2&seed={seed}&batch={batch}"
    run = simulate(Scenario.from_query(link).scenario).runs[0]
    np.testing.assert_allclose(run.path, np.array(path), rtol=1e-10, atol=1e-12)
