"""Framework conventions against the frameworks themselves: PyTorch's `torch.optim` and
Keras 3's optimizers (JAX backend), in float64, 500 steps, rtol 1e-6 on every position.

The runs go through the app's own path (`Scenario` → `simulate`), on Booth's bowl from
(-8, 8) with learning rates that keep every optimizer travelling for all 500 steps (at a
minimum, adaptive methods bounce and any two implementations drift apart in the last bits).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np
import pytest
import torch

from optviz import Scenario, simulate
from optviz.conventions import (
    CONVENTIONS,
    TITLES,
    VARIANTS,
    Unavailable,
    Variant,
    available,
    resolve,
    unavailable_note,
)
from optviz.engine import velocities
from optviz.optimizers import OPTIMIZERS
from optviz.scenario import MAX_RUNS, OptRun

keras.config.set_floatx("float64")
torch.set_default_dtype(torch.float64)  # NAdam's and Adam's step scalars too

STEPS = 500
START = (-8.0, 8.0)


def booth(x, y):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def ours(convention: str, name: str, schedule: str = "constant", **hp) -> np.ndarray:
    run = OptRun.of(name, convention, **hp)
    scenario = Scenario(
        surface="booth", runs=(run,), steps=STEPS, starts=(START,), convention=convention, schedule=schedule
    )
    path = simulate(scenario).runs[0].path
    assert len(path) == STEPS + 1
    return path


def torch_path(make, multiplier=None) -> np.ndarray:
    p = torch.tensor(START, requires_grad=True)
    opt = make([p])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, multiplier) if multiplier else None
    out = [p.detach().numpy().copy()]

    def closure():  # LBFGS evaluates the loss itself; every other optimizer calls it once
        opt.zero_grad()
        loss = booth(p[0], p[1])
        loss.backward()
        return loss

    for _ in range(STEPS):
        opt.step(closure)
        if sched:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def keras_path(opt) -> np.ndarray:
    v = keras.Variable(np.array(START), dtype="float64")
    out = [np.array(v.value)]
    for _ in range(STEPS):
        x, y = np.array(v.value)
        g = np.array([2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5), 4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5)])
        opt.apply_gradients([(keras.ops.convert_to_tensor(g), v)])
        out.append(np.array(v.value))
    return np.array(out)


T, K = torch.optim, keras.optimizers
TORCH = {
    "sgd": ({"lr": 1e-3}, lambda ps: T.SGD(ps, lr=1e-3)),
    "momentum": ({"lr": 1e-3}, lambda ps: T.SGD(ps, lr=1e-3, momentum=0.9)),
    "nesterov": ({"lr": 1e-3}, lambda ps: T.SGD(ps, lr=1e-3, momentum=0.9, nesterov=True)),
    "adagrad": ({"lr": 0.1}, lambda ps: T.Adagrad(ps, lr=0.1)),
    "rmsprop": ({"lr": 1e-3}, lambda ps: T.RMSprop(ps, lr=1e-3)),
    "rmsprop centered + momentum": (
        {"lr": 1e-3, "centered": True, "momentum": 0.5},
        lambda ps: T.RMSprop(ps, lr=1e-3, centered=True, momentum=0.5),
    ),
    "adam": ({"lr": 1e-2}, lambda ps: T.Adam(ps, lr=1e-2)),
    "adamw": ({"lr": 1e-2}, lambda ps: T.AdamW(ps, lr=1e-2)),
    "adamax": ({"lr": 1e-2}, lambda ps: T.Adamax(ps, lr=1e-2)),
    "nadam": ({"lr": 1e-2}, lambda ps: T.NAdam(ps, lr=1e-2)),
    "amsgrad": ({"lr": 1e-2}, lambda ps: T.Adam(ps, lr=1e-2, amsgrad=True)),
    "adadelta": ({"lr": 1.0}, lambda ps: T.Adadelta(ps, lr=1.0)),
    "nadamw": (
        {"lr": 1e-2, "weight_decay": 0.05},
        lambda ps: T.NAdam(ps, lr=1e-2, weight_decay=0.05, decoupled_weight_decay=True),
    ),
    "radam": ({"lr": 1e-2}, lambda ps: T.RAdam(ps, lr=1e-2)),
    "adafactor": ({"lr": 1e-2}, lambda ps: T.Adafactor(ps, lr=1e-2)),
    "adafactor past its relative step, clipped": (
        {"lr": 0.5, "decay_rate": 0.5, "clipping_threshold": 1.2},
        lambda ps: T.Adafactor(ps, lr=0.5, beta2_decay=-0.5, d=1.2),
    ),
    "rprop": ({"lr": 0.01}, lambda ps: T.Rprop(ps, lr=0.01)),
    # converges, then stops where max|g| <= 1e-7
    "lbfgs": ({"lr": 1.0}, lambda ps: T.LBFGS(ps, lr=1.0, max_iter=1, history_size=100)),
    "lbfgs with short steps, past 100 pairs": ({"lr": 0.05}, lambda ps: T.LBFGS(ps, lr=0.05, max_iter=1)),
    "rprop with other etas and bounds": (
        {"lr": 0.1, "eta_minus": 0.3, "eta_plus": 1.5, "min_step_size": 1e-4, "max_step_size": 0.5},
        lambda ps: T.Rprop(ps, lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-4, 0.5)),
    ),
}
KERAS = {
    "sgd": ({"lr": 1e-3}, lambda: K.SGD(1e-3)),
    "momentum": ({"lr": 1e-3}, lambda: K.SGD(1e-3, momentum=0.9)),
    "nesterov": ({"lr": 1e-3}, lambda: K.SGD(1e-3, momentum=0.9, nesterov=True)),
    "adagrad": ({"lr": 0.1}, lambda: K.Adagrad(0.1)),
    "rmsprop": ({"lr": 1e-3}, lambda: K.RMSprop(1e-3)),
    "rmsprop centered + momentum": (
        {"lr": 1e-3, "centered": True, "momentum": 0.5},
        lambda: K.RMSprop(1e-3, centered=True, momentum=0.5),
    ),
    "adam": ({"lr": 1e-2}, lambda: K.Adam(1e-2)),
    "adamw": ({"lr": 1e-2}, lambda: K.AdamW(1e-2)),
    "adamax": ({"lr": 1e-2}, lambda: K.Adamax(1e-2)),
    "nadam": ({"lr": 1e-2}, lambda: K.Nadam(1e-2)),
    "amsgrad": ({"lr": 1e-2}, lambda: K.Adam(1e-2, amsgrad=True)),
    "adadelta": ({"lr": 1.0}, lambda: K.Adadelta(1.0)),
    "lion": ({"lr": 1e-3}, lambda: K.Lion(1e-3)),
    "lamb": ({"lr": 1e-3}, lambda: K.Lamb(1e-3)),
    "adafactor": ({"lr": 1e-2}, lambda: K.Adafactor(1e-2)),
    "schedule_free_adamw": ({"lr": 0.05}, lambda: K.ScheduleFreeAdamW(0.05)),
    "schedule_free_adamw with other betas": (
        {"lr": 0.01, "b1": 0.5, "b2": 0.9, "eps": 1e-6},
        lambda: K.ScheduleFreeAdamW(0.01, beta_1=0.5, beta_2=0.9, epsilon=1e-6),
    ),
}


@pytest.mark.parametrize("case", TORCH)
def test_pytorch_convention_follows_torch_optim(case):
    hp, make = TORCH[case]
    np.testing.assert_allclose(ours("pytorch", case.split()[0], **hp), torch_path(make), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("case", KERAS)
def test_keras_convention_follows_keras_optimizers(case):
    hp, make = KERAS[case]
    np.testing.assert_allclose(ours("keras", case.split()[0], **hp), keras_path(make()), rtol=1e-6, atol=1e-12)


def test_keras_adafactor_clips_and_takes_the_relative_step_as_keras_does():
    """Keras 3.15 rounds RMS(θ) to float32 inside its Adafactor (measured: its second step is
    the float64 rule's times float32(√68)/√68), so where the step is clipped and the path rings
    around the minimum that rounding grows; the first 200 steps agree to 1e-6. RMS(u₁) = 1 > d:
    every early step is clipped."""
    hp = {"lr": 0.01, "decay_rate": 0.5, "clipping_threshold": 0.5, "eps": 1e-12}
    keras_opt = K.Adafactor(0.01, beta_2_decay=-0.5, clip_threshold=0.5, epsilon_1=1e-12)
    np.testing.assert_allclose(ours("keras", "adafactor", **hp)[:201], keras_path(keras_opt)[:201], rtol=1e-6)
    # lr 0.5 > 1/√t from t = 5: the relative step min(lr, 1/√t) sets every later step
    ringing = ours("keras", "adafactor", lr=0.5)
    np.testing.assert_allclose(ringing[:101], keras_path(K.Adafactor(0.5))[:101], rtol=1e-6)
    assert not np.allclose(ringing[:101], ours("optax", "adafactor", lr=0.5)[:101], rtol=1e-3)


def test_where_lr_meets_momentum_under_a_schedule():
    """With a decaying lr, Keras's velocity holds lr-scaled steps and PyTorch's raw
    gradients: both frameworks are matched, and they differ from each other."""
    cosine = lambda t: 0.5 * (1 + np.cos(np.pi * min(t, STEPS) / STEPS))  # noqa: E731
    k = keras_path(K.SGD(keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=STEPS), momentum=0.9))
    t = torch_path(lambda ps: T.SGD(ps, lr=1e-3, momentum=0.9), cosine)
    # Keras rounds a scheduled lr to float32 (its lr reads 0.0009999902 after one step), so
    # positions agree to float32's precision of the step sizes, not to the last bit.
    np.testing.assert_allclose(ours("keras", "momentum", "cosine", lr=1e-3), k, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours("pytorch", "momentum", "cosine", lr=1e-3), t, rtol=1e-6, atol=1e-12)
    assert np.abs(k - t).max() > 1e-3


def test_defaults_differ_as_the_frameworks_document():
    assert resolve("adam", "keras").defaults()["eps"] == 1e-7 and resolve("adam", "pytorch").defaults()["eps"] == 1e-8
    assert resolve("adagrad", "pytorch").defaults()["initial_accumulator_value"] == 0.0
    assert resolve("adagrad", "keras").defaults()["initial_accumulator_value"] == 0.1
    assert (
        resolve("rmsprop", "pytorch").defaults()["decay"] == 0.99
        and resolve("rmsprop", "keras").defaults()["decay"] == 0.9
    )
    assert resolve("adam", "optax") is OPTIMIZERS["adam"]


def test_missing_optimizers_are_unavailable_never_substituted():
    for convention, rows in VARIANTS.items():  # unavailable: exactly the declared lacks and the rows not written yet
        unavailable = {n: why for n, why in available(convention).items() if why}
        assert set(unavailable) == {n for n in OPTIMIZERS if not isinstance(rows.get(n), Variant)}
        for name, why in unavailable.items():
            assert why == rows.get(name, f"{OPTIMIZERS[name].title} is not checked against {TITLES[convention]} yet")
    assert {"lion", "signsgd"} <= {n for n, why in available("pytorch").items() if why}
    assert {"radam", "signsgd"} <= {n for n, why in available("keras").items() if why}
    assert all(why is None for why in available("optax").values())
    with pytest.raises(Unavailable, match="PyTorch has no Lion"):
        resolve("lion", "pytorch")
    scenario, warnings = Scenario.from_query("conv=keras&opt=radam:lr=0.01&opt=adam:lr=0.01")
    assert [r.name for r in scenario.runs] == ["adam"] and "Keras 3 has no RAdam" in warnings[0]
    assert set(VARIANTS) == set(CONVENTIONS) - {"optax"}
    assert all(set(v) <= set(OPTIMIZERS) for v in VARIANTS.values())  # a missing row: "not checked yet"


def test_a_framework_said_to_lack_an_optimizer_ships_no_class_of_that_name():
    """ "Keras 3 has no …" and "PyTorch has no …" are checked against the installed frameworks'
    optimizer classes (by title, ignoring case, spaces and hyphens)."""
    shipped = {
        "keras": {n.lower() for n in dir(keras.optimizers) if n[0].isupper()},
        "pytorch": {n.lower() for n in dir(torch.optim) if n[0].isupper()},
    }
    for convention, names in shipped.items():
        lacking = [n for n, why in available(convention).items() if why and " has no " in why]
        assert "lion" in lacking if convention == "pytorch" else "yogi" in lacking
        for name in lacking:
            title = OPTIMIZERS[name].title.lower().replace(" ", "").replace("-", "")
            assert title not in names and name not in names, (convention, name)


def test_the_unavailable_optimizers_are_listed_in_one_line_per_reason():
    note = unavailable_note("pytorch")
    # every row is written: what is left is what PyTorch lacks ("not checked yet": tests/test_registries.py)
    assert note.startswith("Not available: PyTorch has no Lion, signSGD, ") and "; " not in note
    assert "Prodigy, " in note and "LAMB, " in note
    titles = note.removeprefix("Not available: PyTorch has no ").removesuffix(".").split(", ")
    named = {n for n in OPTIMIZERS if OPTIMIZERS[n].title in titles}
    assert named == {n for n, why in available("pytorch").items() if why}
    assert unavailable_note("optax") == ""


def test_convention_travels_in_links():
    scenario, warnings = Scenario.from_query("conv=pytorch&opt=adagrad&opt=adam:lr=0.01,eps=1e-8")
    assert warnings == [] and scenario.convention == "pytorch"
    assert scenario.to_query().startswith("v=1&conv=pytorch&surface=rosenbrock&opt=adagrad:lr=0.01&opt=adam:lr=0.01&")
    assert Scenario.from_query(scenario.to_query()).scenario == scenario
    assert "conv=" not in Scenario().to_query()
    assert Scenario.from_query("conv=tensorflow").warnings == [
        "conv=tensorflow is not one of optax, keras, pytorch; using optax"
    ]


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_every_available_optimizer_runs_and_replays_its_velocity(convention):
    names = [n for n, why in available(convention).items() if why is None]
    runs = [tuple(OptRun.of(n, convention) for n in names[i : i + MAX_RUNS]) for i in range(0, len(names), MAX_RUNS)]
    for chunk in runs:
        scenario = Scenario(surface="quadratic", runs=chunk, steps=30, convention=convention)
        result = simulate(scenario)
        for run, v in zip(result.runs, velocities(result), strict=True):
            assert np.isfinite(run.path).all()
            if v is not None:  # the state field the variant names exists and points along the motion
                assert v[0].shape == (30, 2)
                assert np.sum(v[0][-1] * run.update[-1]) >= 0
