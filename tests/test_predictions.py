"""Theory on the picture (``theory=1``): the drawn envelopes, limits, floors, eigen-directions
and continuous paths, each checked against closed forms written here or against the paths
the engine computes, never against the drawing code itself."""

import math

import numpy as np
import pytest

from optviz import Scenario, simulate
from optviz.figures.sweep import sweep_figure
from optviz.figures.trajectory import map_parts
from optviz.map.message import encode, message
from optviz.predictions import lines, measured_rate, predict, stable_note
from optviz.sweeps import lr_sweeps, stability_bounds
from optviz.view import View
from optviz.view_data import map_data
from tests.map_client import decode

QUADRATIC = "surface=quadratic:kappa=10,h=2&opt=sgd:lr=0.3&opt=momentum:lr=0.4,momentum=0.6"
QUADRATIC += "&opt=nesterov:lr=0.3,momentum=0.7&opt=adam:lr=0.05&steps=150&start=-1.5,1.5"
# Rosenbrock (a = 1, b = 100) at (1, 1): H = [[1200x² − 400y + 2, −400x], [−400x, 200]], by hand.
ROSENBROCK_H = np.array([[802.0, -400.0], [-400.0, 200.0]])


def theory_traces(parts, i=None) -> dict[str, dict]:
    """The ``theory: …`` traces of run ``i``'s part (of the surface's part for None)."""
    traces = parts.surface["traces"] if i is None else parts.runs[i]["traces"]
    return {t["name"]: t for t in traces if t.get("name", "").startswith("theory:")}


def by_recurrence(lr, lam, beta, nesterov) -> float:
    """ρ from optax's own recurrence on one eigen-direction (g = λθ): the state (θ, v) maps
    linearly, v' = λθ + βv, θ' = θ − η(v') or θ − η(λθ + βv'); its eigenvalues' largest modulus."""
    columns = []
    for theta, v in ((1.0, 0.0), (0.0, 1.0)):
        v_new = lam * theta + beta * v
        step = lam * theta + beta * v_new if nesterov else v_new
        columns.append((theta - lr * step, v_new))
    return float(np.abs(np.linalg.eigvals(np.array(columns).T)).max())


@pytest.fixture(scope="module")
def quadratic():
    scenario = Scenario.from_query(QUADRATIC).scenario
    result = simulate(scenario)
    return scenario, result, map_parts(result, theory=True)


def test_the_dashed_envelope_is_the_start_loss_times_rho_squared_per_step(quadratic):
    scenario, result, parts = quadratic
    eigenvalues = (2.0, 0.2)  # h and h/κ
    for i, (lr, beta, nesterov) in enumerate(((0.3, 0.0, False), (0.4, 0.6, False), (0.3, 0.7, True))):
        rho = max(by_recurrence(lr, lam, beta, nesterov) for lam in eigenvalues)
        (envelope,) = [t for name, t in theory_traces(parts, i).items() if "ρ²ᵏ" in name]
        assert envelope["line"]["dash"] == "dash" and envelope["yaxis"] == "y2"
        ks, values = decode(envelope["x"]), decode(envelope["y"])
        assert ks[0] == 0 and ks[-1] == scenario.steps
        f0 = result.runs[i].loss[0]
        np.testing.assert_allclose(values, f0 * rho ** (2 * ks), rtol=1e-9)
        assert f"ρ = {rho:.5g}" in envelope["name"]


def test_the_measured_rate_is_within_2_percent_of_the_drawn_one(quadratic):
    """The engine's path contracts as the dashed line says (every converging run)."""
    _, result, parts = quadratic
    pred = predict(result.scenario, result)
    for i in range(3):
        path = result.runs[i].path
        d = np.hypot(*path.T)
        e = np.hypot(d[:-1], d[1:])
        k = np.arange((len(e) - 1) // 2, len(e))
        measured = math.exp(np.polyfit(k, np.log(e[k]), 1)[0])  # as tests/test_theory.py fits
        (envelope,) = [t for name, t in theory_traces(parts, i).items() if "ρ²ᵏ" in name]
        ks, values = decode(envelope["x"]), decode(envelope["y"])
        drawn = (values[-1] / values[0]) ** (1 / (2 * ks[-1]))  # the dashed line's per-step contraction
        assert measured == pytest.approx(drawn, rel=0.02)
        assert pred.runs[i].measured == pytest.approx(measured, rel=1e-9)
        assert f"measured {pred.runs[i].measured:.5g}" in lines(pred)[i + 1]


def test_adam_gets_no_trace_and_a_reason(quadratic):
    _, result, parts = quadratic
    assert theory_traces(parts, 3) == {}
    assert (
        "theory does not apply: it covers gradient descent, heavy ball and Nesterov, not adam"
        in lines(predict(result.scenario, result))[4]
    )


def test_no_theory_trace_without_theory_1_and_small_per_change_bytes():
    scenario = Scenario.from_query(QUADRATIC).scenario
    plain = map_parts(simulate(scenario))
    assert all(theory_traces(plain, i) == {} for i in range(len(plain.runs))) and theory_traces(plain) == {}
    faster = Scenario.from_query(QUADRATIC.replace("sgd:lr=0.3", "sgd:lr=0.35")).scenario
    before, after = (map_data(s, simulate(s), View(theory=True))[0] for s in (scenario, faster))
    sent = message(after, 0, [i for i, _ in before])["parts"]
    kinds = [p["kind"] for p in sent.values()]
    assert kinds.count("run") == 1 and "surface" not in kinds  # the changed run (and the axes, if moved) only
    assert len(str(sent)) < 60_000


def test_the_largest_stable_lr_on_the_sweep_and_beside_the_lr_control(quadratic):
    scenario, _, _ = quadratic
    h = 2.0
    expected = {0: 2 / h, 1: 2 * 1.6 / h, 2: 2 * 1.7 / (2.4 * h)}  # 2/L, 2(1+β)/L, 2(1+β)/((1+2β)L)
    bounds = stability_bounds(scenario)
    assert {i: v for i, (_, v) in bounds.items()} == pytest.approx(expected)
    figure = sweep_figure(scenario, lr_sweeps(scenario, -2, 1, n=16))
    lines_at = sorted(s.x0 for s in figure.layout.shapes if s.line.dash == "dot")
    assert lines_at == pytest.approx(sorted(expected.values()))
    pred = predict(scenario)
    assert [stable_note(pred, i) for i in range(4)] == [f"stable below {v:.4g}" for v in expected.values()] + [""]


def test_optimal_tunings_are_the_closed_forms(quadratic):
    scenario, _, _ = quadratic
    mu, big_l = 0.2, 2.0
    gd, hb, nag = (r.optimal for r in predict(scenario).runs[:3])
    assert gd.lr == pytest.approx(2 / (big_l + mu))
    assert hb.lr == pytest.approx(4 / (math.sqrt(big_l) + math.sqrt(mu)) ** 2)
    assert hb.momentum == pytest.approx(((math.sqrt(10) - 1) / (math.sqrt(10) + 1)) ** 2)
    assert by_recurrence(gd.lr, big_l, 0, False) == pytest.approx(gd.rate)
    assert max(by_recurrence(nag.lr, lam, nag.momentum, True) for lam in (mu, big_l)) == pytest.approx(nag.rate)


def test_the_gradient_flow_is_the_closed_form_on_the_quadratic(quadratic):
    """θ_i(t) = θ_i(0)·exp(−λ_i t) at t = k·lr: the dotted path of the gradient-descent run."""
    scenario, _, parts = quadratic
    (flow,) = [t for name, t in theory_traces(parts, 0).items() if "gradient flow" in name]
    x, y = decode(flow["x"]), decode(flow["y"])
    t = 0.3 * np.arange(len(x))
    assert len(x) == scenario.steps + 1 and flow["line"]["dash"] == "dot"
    np.testing.assert_allclose(x, -1.5 * np.exp(-2.0 * t), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(y, 1.5 * np.exp(-0.2 * t), rtol=1e-5, atol=1e-7)
    assert any("heavy-ball ODE" in name for name in theory_traces(parts, 1))


def test_the_noise_floor_line_is_the_closed_form():
    """SGD on the noisy quadratic: E f → Σ_i ησ²/(2(2 − ηλ_i)), drawn as a level line."""
    scenario = Scenario.from_query("surface=noisy_quadratic:kappa=10,sigma=0.5&opt=sgd:lr=0.2&steps=4000").scenario
    result = simulate(scenario)
    (floor,) = [t for name, t in theory_traces(map_parts(result, theory=True), 0).items() if "noise floor" in name]
    expected = sum(0.2 * 0.25 / (2 * (2 - 0.2 * lam)) for lam in (1.0, 0.1))
    np.testing.assert_allclose(decode(floor["y"]), [expected, expected], rtol=1e-12)
    assert np.mean(result.runs[0].loss[1000:]) == pytest.approx(expected, rel=0.15)  # the run settles there


def test_rosenbrock_near_its_minimum():
    """The Hessian at (1, 1) has eigenvalues ≈ 0.3994 and 1001.6: gradient descent is
    locally stable below lr ≈ 0.0019968, and a converging run's last steps contract at the
    local rate (within 5 %)."""
    scenario = Scenario.from_query("surface=rosenbrock&opt=sgd:lr=0.0019&opt=sgd:lr=0.002&steps=10000").scenario
    result = simulate(scenario)
    pred = predict(scenario, result)
    lam = np.linalg.eigvalsh(ROSENBROCK_H)
    np.testing.assert_allclose(pred.curvature.eigenvalues, lam, rtol=1e-12)
    assert pred.runs[0].stable_lr == pytest.approx(2 / lam[1], rel=1e-12) == pytest.approx(0.0019968, abs=1e-7)
    assert pred.runs[0].measured == pytest.approx(abs(1 - 0.0019 * lam[0]), rel=0.05)
    assert pred.runs[1].rate == pytest.approx(abs(1 - 0.002 * lam[1])) and pred.runs[1].rate > 1
    assert "Near the minimum (1, 1)" in lines(pred)[0]
    assert "near the minimum: largest stable lr 0.001997" in lines(pred)[1]
    assert stable_note(pred, 1) == "near the minimum, stable below 0.001997"
    bounds = stability_bounds(scenario, local=True)
    assert bounds[0] == ("near the minimum 2/λ_max", pytest.approx(2 / lam[1])) and stability_bounds(scenario) == {}


def test_lr_0_002_sits_just_past_rosenbrocks_edge():
    """Started a little off the minimum along the steep eigen-direction, lr 0.0019 closes in
    and lr 0.002 moves away at the predicted |1 − 0.002·λ_max| ≈ 1.0032 per step."""
    lam, vectors = np.linalg.eigh(ROSENBROCK_H)
    x, y = (float(v) for v in np.array([1.0, 1.0]) + 1e-4 * vectors[:, 1])
    link = f"surface=rosenbrock&opt=sgd:lr=0.0019&opt=sgd:lr=0.002&steps=1500&start={x!r},{y!r}"
    result = simulate(Scenario.from_query(link).scenario)
    below, above = (measured_rate(run.path, (1.0, 1.0), 600) for run in result.runs)
    assert below < 1 and above == pytest.approx(abs(1 - 0.002 * lam[1]), rel=1e-3)


def test_eigen_directions_at_the_minimum_scale_with_curvature():
    scenario = Scenario.from_query("surface=rosenbrock&opt=adam:lr=0.01&steps=10").scenario
    traces = theory_traces(map_parts(simulate(scenario), theory=True))
    lam, vectors = np.linalg.eigh(ROSENBROCK_H)
    segments = [np.column_stack([decode(t["x"]), decode(t["y"])]) for t in traces.values()]
    assert len(segments) == 2 and all("log-scaled" in name for name in traces)  # κ ≈ 2508
    for segment, v in zip(segments, vectors.T, strict=True):
        np.testing.assert_allclose(segment.mean(axis=0), (1.0, 1.0), atol=1e-12)
        direction = (segment[1] - segment[0]) / np.linalg.norm(segment[1] - segment[0])
        assert abs(direction @ v) == pytest.approx(1.0, abs=1e-9)
    half = [np.linalg.norm(s[1] - s[0]) / 2 for s in segments]
    assert half[1] / half[0] == pytest.approx(1 + math.log10(lam[1] / lam[0]))  # log-scaled lengths
    quadratic = theory_traces(map_parts(simulate(Scenario.from_query("surface=quadratic").scenario), theory=True))
    half = [np.ptp(decode(t["x"])) + np.ptp(decode(t["y"])) for t in quadratic.values()]
    assert sorted(half)[0] / sorted(half)[1] == pytest.approx(0.1)  # κ = 10: proportional to curvature


@pytest.mark.parametrize(
    ("link", "why"),
    [
        ("surface=custom&f=x^2%2By^2&opt=sgd:lr=0.1&steps=20", "needs a known minimum"),
        ("surface=quadratic&opt=sgd:lr=0.1&schedule=cosine&steps=20", "assumes a constant lr"),
        ("surface=ackley&opt=sgd:lr=0.01&steps=20", "not smooth at the minimum (0, 0)"),  # a cone tip
    ],
)
def test_where_theory_does_not_apply_it_says_why(link, why):
    scenario = Scenario.from_query(link).scenario
    result = simulate(scenario)
    parts = map_parts(result, theory=True)
    assert not any("ρ" in name for name in theory_traces(parts, 0))
    assert why in " ".join(lines(predict(scenario, result)))
    assert why in " ".join(map_data(scenario, result, View(theory=True))[1][1])  # the map's text alternative


@pytest.mark.parametrize(("value", "theory", "warned"), [("1", True, False), ("0", False, False), ("2", False, True)])
def test_the_theory_key_round_trips_and_bad_values_warn(value, theory, warned):
    shown, warnings = View.from_query(f"surface=quadratic&theory={value}", 100)
    assert shown.theory is theory and bool(warnings) is warned
    assert View.from_query(shown.to_query(), 100) == (shown, [])
    assert ("&theory=1" in shown.to_query()) is theory
    bad, warnings = View.from_query("theory=<b>x</b>", 100)
    assert bad == View() and len(warnings) == 1


def test_the_encoded_map_keeps_its_theory_traces():
    """What the map component receives (parts by id) still carries the theory traces."""
    scenario = Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&steps=50").scenario
    encoded = encode(map_parts(simulate(scenario), theory=True))
    names = [t.get("name", "") for _, p in encoded for t in p.get("traces", [])]
    assert sum(n.startswith("theory:") for n in names) == 4  # two eigen-directions, an envelope, a flow


def test_himmelblaus_local_model_is_the_hand_computed_hessian():
    """f = A² + B², A = x² + y − 11, B = x + y² − 7; at (3, 2) A = B = 0, so
    H = [[8x² + 2, 4x + 4y], [4x + 4y, 8y² + 2]] = [[74, 20], [20, 34]]."""
    pred = predict(Scenario.from_query("surface=himmelblau&opt=momentum:lr=0.01,momentum=0.5&steps=10").scenario)
    lam = np.linalg.eigvalsh([[74.0, 20.0], [20.0, 34.0]])
    np.testing.assert_allclose(pred.curvature.eigenvalues, lam, rtol=1e-12)
    assert pred.runs[0].stable_lr == pytest.approx(2 * 1.5 / lam[1], rel=1e-12)  # 2(1+β)/λ_max


@pytest.mark.parametrize("conv", ["keras", "pytorch"])
def test_the_frameworks_momentum_follows_the_same_rates(conv):
    """Keras accumulates −lr·g in its velocity and PyTorch raw gradients: at a constant lr
    both are optax's recursion, so the measured rates match the same predictions."""
    link = f"conv={conv}&surface=quadratic&opt=sgd:lr=0.5&opt=momentum:lr=0.3,momentum=0.5"
    scenario = Scenario.from_query(link + "&opt=nesterov:lr=0.3,momentum=0.7&steps=150").scenario
    for r in predict(scenario, simulate(scenario)).runs:
        assert r.measured == pytest.approx(r.rate, rel=1e-3)
