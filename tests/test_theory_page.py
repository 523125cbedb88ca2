"""The page with ``theory=1`` (AppTest): the dashed envelope on the map, the stable lr
under the lr control, the optimal-tuning button writing the link, and the reason shown
where theory does not apply."""

import math

import pytest

from optviz.predictions import predict
from optviz.scenario import Scenario
from tests.test_app import figure, open_app, shown, url

QUADRATIC = {"surface": "quadratic:kappa=10", "opt": ["sgd:lr=0.5", "momentum:lr=0.3,momentum=0.5"], "steps": "100"}


def texts(at) -> str:
    return shown([*at.markdown, *at.caption, *at.info])


def test_quadratic_with_theory_shows_the_envelope_the_limits_and_the_optimal_button():
    at = open_app(**QUADRATIC, theory="1")
    assert not at.exception and url(at)["theory"] == "1" and at.checkbox(key="theory").value
    dashed = [t for t in figure(at)["data"] if t.get("name", "").startswith("theory:") and "ρ²ᵏ" in t["name"]]
    assert len(dashed) == 2 and all(t["line"]["dash"] == "dash" for t in dashed)
    page = texts(at)
    assert "stable below 2" in page and "stable below 3" in page  # 2/L and 2(1+β)/L beside the lr controls
    assert "predicted rate ρ = 0.95 (converges), measured 0.95" in page
    at.button(key="optimal1").click().run()  # heavy ball: Polyak's tuning for μ = 0.1, L = 1
    lr, beta = 4 / (1 + math.sqrt(0.1)) ** 2, ((math.sqrt(10) - 1) / (math.sqrt(10) + 1)) ** 2
    assert url(at)["opt"][1] == f"momentum:lr={lr:.3g},momentum={beta:.3g}"
    pred = predict(Scenario.from_query(f"surface=quadratic&opt=momentum:lr={lr:.3g},momentum={beta:.3g}").scenario)
    assert f"ρ = {pred.runs[0].rate:.5g}" in texts(at)


def test_without_theory_the_page_draws_none():
    at = open_app(**QUADRATIC)
    assert "theory" not in url(at) and not any(t.get("name", "").startswith("theory:") for t in figure(at)["data"])
    assert "stable below" not in texts(at)
    at.checkbox(key="theory").check().run()
    assert url(at)["theory"] == "1" and "stable below 2" in texts(at)


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"surface": "rosenbrock", "opt": "adam:lr=0.01", "steps": "50"}, "Theory does not apply to any run"),
        ({"surface": "custom", "f": "x^2+y^2", "opt": "sgd:lr=0.1", "steps": "50"}, "it needs a known minimum"),
    ],
)
def test_where_theory_does_not_apply_the_page_says_so(query, said):
    at = open_app(**query, theory="1")
    assert not at.exception and said in texts(at)
    assert not any("ρ²ᵏ" in t.get("name", "") for t in figure(at)["data"])


def test_the_plane_and_the_sweeps_local_bound_from_links():
    at = open_app(**QUADRATIC, view="plane", run="1")
    assert not at.exception and url(at)["view"] == "plane"
    plane = figure(at, "plane_chart")
    assert plane["layout"]["title"]["text"].startswith("Heavy ball") and "κ = 10" in plane["layout"]["title"]["text"]
    at = open_app(surface="rosenbrock", opt="sgd:lr=0.0019", steps="300", view="sweep", sweep="-4,-1", theory="1")
    notes = [a["text"] for a in figure(at, "sweep_chart")["layout"]["annotations"]]
    assert "near the minimum 2/λ_max = 0.001997" in notes
