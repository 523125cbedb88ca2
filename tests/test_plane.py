"""The (lr, β) plane (`optviz.figures.plane`) against closed forms: the heavy-ball edge
lr = 2(1+β)/L, Polyak's optimum, the region labels on the right side of the edge; the
view in the link; the theory lines in the HTML export."""

import math

import numpy as np
import pytest
from PIL import ImageColor
from plotly.colors import sample_colorscale

from optviz import Scenario, export, simulate
from optviz.figures.plane import DIVERGED_GREY, PICKER, plane_figure, plane_grid, rate_colors
from optviz.predictions import predict
from optviz.view import View
from optviz.view_kinds import VIEWS

LINK = "surface=quadratic:kappa=100,h=4&opt=sgd:lr=0.3&opt=momentum:lr=0.2,momentum=0.6&opt=adam:lr=0.1&steps=50"
MU, BIG_L = 0.04, 4.0


@pytest.fixture(scope="module")
def figure():
    scenario = Scenario.from_query(LINK).scenario
    return scenario, plane_figure(scenario, predict(scenario), 1)


def test_the_edge_and_the_optimum_are_the_closed_forms(figure):
    _, fig = figure
    (edge,) = [t for t in fig.data if t.name == "largest stable lr"]
    np.testing.assert_allclose(edge.x, 2 * (1 + np.asarray(edge.y)) / BIG_L, rtol=1e-12)
    (star,) = [t for t in fig.data if (t.name or "").startswith("optimal")]
    k = BIG_L / MU
    assert star.x[0] == pytest.approx(4 / (math.sqrt(BIG_L) + math.sqrt(MU)) ** 2)
    assert star.y[0] == pytest.approx(((math.sqrt(k) - 1) / (math.sqrt(k) + 1)) ** 2)
    assert fig.data[PICKER].marker.opacity == 0 and len(fig.data[PICKER].x) > 1000  # the click grid


def test_the_runs_are_points_and_regions_sit_where_theory_puts_them(figure):
    _, fig = figure
    points = {t.name: (t.x[0], t.y[0]) for t in fig.data if (t.name or "")[:2] in ("1.", "2.", "3.")}
    assert points == {"1. sgd lr=0.3": (0.3, 0.0), "2. momentum lr=0.2 momentum=0.6": (0.2, 0.6)}  # no adam
    labels = {a.text: (10**a.x, a.y) for a in fig.layout.annotations}
    lr, beta = labels["diverging"]
    assert lr * BIG_L > 2 + 2 * beta  # past the edge
    lr, beta = labels["too small: crawls"]
    assert lr * BIG_L < 0.2 * (2 + 2 * beta)


def test_nesterov_runs_get_nesterovs_plane_and_no_minimum_says_why():
    scenario = Scenario.from_query("surface=quadratic&opt=nesterov:lr=0.3,momentum=0.5&steps=20").scenario
    fig = plane_figure(scenario, predict(scenario), 0)
    (edge,) = [t for t in fig.data if t.name == "largest stable lr"]
    np.testing.assert_allclose(edge.x, 2 * (1 + np.asarray(edge.y)) / (1 + 2 * np.asarray(edge.y)), rtol=1e-12)
    assert fig.layout.title.text.startswith("Nesterov")
    custom = Scenario.from_query("surface=custom&f=x^2%2By^2&opt=sgd:lr=0.1&steps=20").scenario
    fig = plane_figure(custom, predict(custom), 0)
    assert not fig.data and "needs a known minimum" in fig.layout.annotations[0].text


def test_the_plane_view_in_the_link():
    shown, warnings = View.from_query("view=plane&run=1", 50, 3)
    assert (shown.view, shown.run, warnings) == ("plane", 1, []) and "plane" in VIEWS
    assert View.from_query(shown.to_query(), 50, 3) == (shown, [])


def test_the_html_export_carries_the_theory():
    result = simulate(Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&steps=30").scenario)
    page = export.html(result, theory=True)
    assert 'id="optviz-theory"' in page and "predicted rate ρ = 0.95" in page and "theory: sgd lr=0.5" in page
    assert "optviz-theory" not in export.html(result)


def test_rotating_the_valley_turns_gradient_descent_and_leaves_the_rates():
    """A rotation is an isometry that commutes with the gradient: gradient descent and heavy
    ball from the rotated start take the rotated path, and theory's rates stay; the Hessian's
    eigen-directions turn by the angle."""
    a = math.radians(30.0)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    runs = "&opt=sgd:lr=0.3&opt=momentum:lr=0.4,momentum=0.6&steps=80"
    x, y = (float(v) for v in rot @ np.array([-1.2, 0.9]))
    plain = simulate(Scenario.from_query(f"surface=quadratic:kappa=5{runs}&start=-1.2,0.9").scenario)
    turned = simulate(Scenario.from_query(f"surface=quadratic:kappa=5,angle=30{runs}&start={x!r},{y!r}").scenario)
    for p, t in zip(plain.runs, turned.runs, strict=True):
        np.testing.assert_allclose(t.path, p.path @ rot.T, atol=1e-12)
    before, after = predict(plain.scenario, plain), predict(turned.scenario, turned)
    assert [r.rate for r in after.runs] == pytest.approx([r.rate for r in before.runs], rel=1e-12)
    steep = after.curvature.eigenvectors[:, 1]
    assert abs(steep @ rot[:, 0]) == pytest.approx(1.0, abs=1e-12)


def test_the_png_export_draws_the_eigen_directions_and_the_envelope():
    """With theory the picture gains the eigen-directions' colour at the minimum and the
    envelope's dashes in the loss panel; without it has neither."""
    import io

    from PIL import Image

    from optviz.figures.theory_marks import EIGEN_COLOR

    result = simulate(Scenario.from_query("surface=quadratic&opt=sgd:lr=0.5&steps=100").scenario)
    teal = np.array([int(EIGEN_COLOR[i : i + 2], 16) for i in (1, 3, 5)])
    for theory, expected in ((True, True), (False, False)):
        image = np.asarray(Image.open(io.BytesIO(export.png(result, theory=theory))).convert("RGB")).astype(int)
        assert bool((np.abs(image - teal).sum(axis=2) == 0).any()) is expected
    plain, drawn = (
        np.asarray(Image.open(io.BytesIO(export.png(result, theory=t))).convert("RGB")) for t in (False, True)
    )
    left, top, right, bottom = export._LOSS_BOX
    assert (plain[top:bottom, left:right] != drawn[top:bottom, left:right]).any()  # the dashed envelope


def test_the_rates_are_an_image_of_viridis_where_it_converges_and_grey_where_it_diverges():
    """plotly.js's basic bundle has no heatmap: the plane's rates travel as a PNG, row i the
    i-th β, column j the j-th lr."""
    rho = np.array([[0.5, 0.75, 1.0], [0.5, 1.2, np.nan]])
    rgb = rate_colors(rho, 0.5)
    assert rgb.shape == (2, 3, 3)
    viridis = [ImageColor.getrgb(c) for c in sample_colorscale("Viridis", [0.0, 0.5])]
    assert tuple(rgb[0, 0]) == tuple(rgb[1, 0]) == viridis[0]  # ρ = low: Viridis's first colour
    assert np.abs(rgb[0, 1].astype(int) - viridis[1]).max() <= 2  # halfway (a 256-colour table)
    grey = ImageColor.getrgb(DIVERGED_GREY)
    assert tuple(rgb[0, 2]) == tuple(rgb[1, 1]) == tuple(rgb[1, 2]) == grey  # ρ ≥ 1 and NaN diverge


def test_the_rate_image_spans_the_grid_in_log10_lr(figure):
    _, fig = figure
    (image,) = fig.layout.images
    lrs, _ = plane_grid(BIG_L)
    half = (math.log10(lrs[-1]) - math.log10(lrs[0])) / (len(lrs) - 1) / 2
    assert image.x == pytest.approx(math.log10(lrs[0]) - half) and image.sizex == pytest.approx(
        math.log10(lrs[-1]) - math.log10(lrs[0]) + 2 * half
    )
    assert image.source.startswith("data:image/png;base64,") and image.layer == "below"
    assert {t.type for t in fig.data} == {"scatter"}  # no heatmap: the page's bundle has none
