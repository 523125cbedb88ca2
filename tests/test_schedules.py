"""Every schedule's multipliers against its formula, written out in NumPy."""

import numpy as np
import pytest

from optviz.schedules import SCHEDULES, multipliers

T = np.arange(1200, dtype=np.float64)


def _cos_decay(t, steps, alpha):
    return alpha + (1 - alpha) * 0.5 * (1 + np.cos(np.pi * np.minimum(t, steps) / steps))


def _one_cycle(t, total, pct, div, final_div):
    # PyTorch OneCycleLR, anneal_strategy="cos", peak 1: 1/div -> 1 -> 1/(div*final_div)
    up = pct * total
    start, end = 1 / div, 1 / (div * final_div)

    def cos(a, b, frac):
        return b + (a - b) / 2 * (1 + np.cos(np.pi * frac))

    return np.where(t < up, cos(start, 1, t / up), cos(1, end, np.clip((t - up) / (total - up), 0, 1)))


FORMULAS = {
    "constant": ({}, lambda t: np.ones_like(t)),
    "step": ({"transition_steps": 100, "decay_rate": 0.5}, lambda t: 0.5 ** np.floor(t / 100)),
    "exponential": ({"transition_steps": 200, "decay_rate": 0.3}, lambda t: 0.3 ** (t / 200)),
    "inverse_time": ({"decay_rate": 2.0, "decay_steps": 50}, lambda t: 1 / (1 + 2.0 * t / 50)),
    "cosine": ({"decay_steps": 700, "alpha": 0.1}, lambda t: _cos_decay(t, 700, 0.1)),
    "warmup_cosine": (
        {"warmup_steps": 100, "decay_steps": 900, "init_value": 0.1, "end_value": 0.05},
        lambda t: np.where(t < 100, 0.1 + 0.9 * t / 100, _cos_decay(t - 100, 800, 0.05)),
    ),
    "linear_warmup_decay": (
        {"warmup_steps": 100, "decay_steps": 600, "end_value": 0.2},
        lambda t: np.where(t < 100, t / 100, 1 + (0.2 - 1) * np.minimum(t - 100, 500) / 500),
    ),
    "one_cycle": (
        {"transition_steps": 1000, "pct_start": 0.3, "div_factor": 25.0, "final_div_factor": 1e4},
        lambda t: _one_cycle(t, 1000, 0.3, 25.0, 1e4),
    ),
    "cyclic": (
        {"step_size": 150, "base_ratio": 0.2},
        lambda t: 0.2 + 0.8 * np.maximum(0, 1 - np.abs(t / 150 - 2 * np.floor(1 + t / 300) + 1)),
    ),
    "polynomial": (
        {"transition_steps": 800, "power": 3.0, "end_value": 0.1},
        lambda t: 0.1 + 0.9 * (1 - np.minimum(t, 800) / 800) ** 3,
    ),
}


def test_every_schedule_has_a_formula():
    assert set(FORMULAS) == set(SCHEDULES)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_schedule_matches_formula(name):
    params, formula = FORMULAS[name]
    values = multipliers(name, {**SCHEDULES[name].defaults(), **params}, len(T))
    np.testing.assert_allclose(values, formula(T), rtol=1e-12, atol=1e-14)
    assert values.max() <= 1 + 1e-12  # lr is the peak learning rate


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_defaults_build_and_stay_in_range(name):
    values = multipliers(name, SCHEDULES[name].defaults(), 2000)
    assert values.shape == (2000,) and np.all(np.isfinite(values))
    assert values.min() >= 0 and values.max() <= 1 + 1e-12


def test_warmup_must_precede_decay():
    values = {"warmup_steps": 300, "decay_steps": 200, "init_value": 0.0, "end_value": 0.0}
    warnings = SCHEDULES["warmup_cosine"].fix(values)
    assert values["decay_steps"] == 301 and "decay_steps" in warnings[0]
