"""Own data points in Chromium: clicks on the data panel add, choose, move and remove
points; the link carries them, the known minimum follows (least squares of the points,
by NumPy), and the way back to the drawn data works."""

from __future__ import annotations

from urllib.parse import unquote

import numpy as np

from optviz.figures.fit import DATA_META, SPACE_META
from tests.e2e.conftest import ARTIFACTS, MAP
from tests.e2e.test_browser import query, ready, wait_until

LINK = "surface=linear_regression:n=6&opt=sgd:lr=0.05&steps=100"
# The page position (px) of a point (x, y) of the data panel.
PANEL_POINT = """([chart, x, y]) => { const gd = document.querySelector(chart), L = gd._fullLayout;
    const box = gd.getBoundingClientRect();
    return [box.left + L.xaxis4._offset + L.xaxis4.l2p(x), box.top + L.yaxis4._offset + L.yaxis4.l2p(y)]; }"""
# The panel's traces of one meta: [x values, y values, customdata, selectedpoints] each.
TRACES = """([chart, meta]) => document.querySelector(chart)._fullData.filter((t) => t.meta === meta)
    .map((t) => [Array.from(t.x), Array.from(t.y), t.customdata ? Array.from(t.customdata) : null,
                 t.selectedpoints ?? null])"""
# Whether the data panel draws the link's points (to float32 precision).
DRAWN = """([chart, meta]) => { const own = new URLSearchParams(location.search).get('points');
    if (!own) return false;
    const points = own.split(',').map((p) => p.split(':').map(Number)), drawn = [];
    for (const t of document.querySelector(chart)._fullData.filter((t) => t.meta === meta)) {
        Array.from(t.customdata).forEach((i, k) => { drawn[i] = [t.x[k], t.y[k]]; });
    }
    const near = (a, b) => Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b));
    return drawn.length === points.length && points.every(([x, y], i) =>
        drawn[i] !== undefined && near(drawn[i][0], x) && near(drawn[i][1], y)); }"""
STAR = """(chart) => { const t = document.querySelector(chart)._fullData.find((t) => t.name === 'known minima');
    return [Array.from(t.x), Array.from(t.y)]; }"""


def _points(page) -> np.ndarray:
    (text,) = query(page)["points"]
    return np.array([[float(v) for v in point.split(":")] for point in unquote(text).split(",")])


def _click(page, x: float, y: float) -> None:
    """Move to a panel point, rest, click: plotly.js reports a click at the point its last
    hover found, and computes hovers at most every 50 ms (a click at once after a move can
    report the point left behind, as a person's click after a quick flick could)."""
    px, py = page.evaluate(PANEL_POINT, [MAP, x, y])
    page.mouse.move(px, py)
    page.wait_for_timeout(250)
    page.mouse.click(px, py)


def _choose(page, point) -> None:
    """Click a data point and wait until the panel marks it chosen."""
    _click(page, *point[:2])
    wait_until(
        page,
        f"""() => document.querySelector('{MAP}')._fullData.some((t) => t.meta === '{DATA_META}'
             && Array.isArray(t.selectedpoints) && t.selectedpoints.length === 1)""",
        timeout=10_000,
    )


def _count_is(page, n: int) -> None:
    """Wait until the link holds ``n`` points and the panel draws them."""
    wait_until(
        page,
        f"""() => (new URLSearchParams(location.search).get('points') || '').split(',').length === {n}""",
    )
    _drawn(page)


def _drawn(page) -> None:
    """Wait until the panel draws the link's points (the map is redrawn after the script's run)."""
    ready(page)
    wait_until(page, DRAWN, [MAP, DATA_META], timeout=30_000)


def test_clicks_add_move_and_remove_points_and_the_minimum_follows(app, page):
    page.goto(f"{app}/?{LINK}")
    ready(page)
    ((gx, gy, _, _),) = page.evaluate(TRACES, [MAP, SPACE_META])
    # The grid's inner points (a click on the panel's very edge reaches no trace).
    grid = np.column_stack([gx, gy]).reshape(25, 25, 2)[2:-2, 2:-2].reshape(-1, 2)
    (data,) = page.evaluate(TRACES, [MAP, DATA_META])
    drawn = np.column_stack(data[:2])
    # A grid point far from every drawn point: a click there adds a point, not a choice.
    far = grid[np.argmax(np.min(np.linalg.norm(grid[:, None] - drawn[None], axis=-1), axis=1))]
    _click(page, *far)
    _count_is(page, 7)
    points = _points(page)
    np.testing.assert_allclose(points[:6], drawn, rtol=1e-3, atol=1e-4)  # the drawn data, rounded
    np.testing.assert_allclose(points[6], far, rtol=1e-3, atol=1e-4)
    assert "n=" not in query(page)["surface"][0]  # own points: the drawn data's count is not written
    slope, intercept = np.linalg.lstsq(np.column_stack([points[:, 0], np.ones(7)]), points[:, 1], rcond=None)[0]
    star = np.array(page.evaluate(STAR, MAP)).ravel()
    np.testing.assert_allclose(star, [slope, intercept], rtol=1e-5, atol=1e-5)
    page.screenshot(path=str(ARTIFACTS / "own_points_added.png"))

    # Choose point 0 (marked), then click an empty place: it moves there.
    _choose(page, points[0])
    target = grid[np.argmax(np.min(np.linalg.norm(grid[:, None] - points[None, :, :2], axis=-1), axis=1))]
    before = query(page)["points"][0]
    _click(page, *target)
    wait_until(page, "(before) => new URLSearchParams(location.search).get('points') !== before", before)
    _drawn(page)
    moved = _points(page)
    assert len(moved) == 7
    np.testing.assert_allclose(moved[0], target, rtol=1e-3, atol=1e-4)
    np.testing.assert_array_equal(moved[1:], points[1:])

    # A point clicked twice is removed; the panel's points are the link's.
    _choose(page, moved[3])
    _click(page, *moved[3])
    _count_is(page, 6)
    np.testing.assert_array_equal(_points(page), np.delete(moved, 3, axis=0))
    (data,) = page.evaluate(TRACES, [MAP, DATA_META])
    np.testing.assert_allclose(np.column_stack(data[:2]), np.delete(moved, 3, axis=0), rtol=1e-6)
    assert data[2] == list(range(6))

    # Back to the drawn data: no points in the link, the drawn six again.
    page.get_by_role("button", name="Back to the drawn data").click()
    wait_until(page, "() => !new URLSearchParams(location.search).has('points')")
    ready(page)
    (data,) = page.evaluate(TRACES, [MAP, DATA_META])
    np.testing.assert_allclose(np.column_stack(data[:2]), drawn, rtol=1e-6)


def test_a_classifiers_clicked_point_takes_the_class_chosen(app, page):
    page.goto(f"{app}/?surface=logistic_regression:n=8&opt=adam:lr=0.05&steps=50")
    ready(page)
    page.get_by_text("Edit the data points").click()
    option = page.get_by_text("class 0", exact=True)
    option.wait_for()
    page.wait_for_timeout(300)  # the expander has opened
    option.click()
    wait_until(
        page,
        "() => document.querySelector('.st-key-new_class input[type=radio]:checked')"
        " ?.closest('label')?.textContent.trim() === 'class 0'",
        timeout=10_000,
    )
    page.wait_for_timeout(300)  # the radio's rerun under way: `ready` then waits for its end
    ready(page)
    ((gx, gy, _, _),) = page.evaluate(TRACES, [MAP, SPACE_META])
    _click(page, gx[12 * 25 + 2], gy[12 * 25 + 2])
    _count_is(page, 9)
    points = _points(page)
    assert points.shape == (9, 3) and points[-1, 2] == 0
    np.testing.assert_allclose(points[-1, :2], [gx[12 * 25 + 2], gy[12 * 25 + 2]], rtol=1e-3, atol=1e-4)
    class0, _ = page.evaluate(TRACES, [MAP, DATA_META])  # drawn class 0 first
    assert 8 in class0[2]  # the new point, drawn as class 0
    np.testing.assert_allclose([class0[0][-1], class0[1][-1]], points[-1, :2], rtol=1e-6)
