"""A data surface in the app: the seed and batch controls, the epochs in the summary, the
fit panel in the map sent to the browser, and the batch in the link."""

from tests.test_app import column, figure, open_app, paths, table, url


def test_batch_control_epochs_and_fit_panel():
    at = open_app(surface="linear_regression:n=16", opt="sgd:lr=0.05", steps="40")
    assert not at.number_input(key="seed").disabled
    assert at.number_input(key="batch").value == 0
    assert column(table(at), "epochs") == ["40"]
    full = paths(figure(at))
    assert any(t.get("xaxis") == "x4" and t["mode"] == "lines" for t in figure(at)["data"])
    at.number_input(key="batch").set_value(4).run()
    assert url(at)["batch"] == "4" and column(table(at), "epochs") == ["10"]
    assert {k: v.tolist() for k, v in paths(figure(at)).items()} != {k: v.tolist() for k, v in full.items()}
    at.selectbox(key="surface").set_value("booth").run()
    assert "batch" not in url(at) and not [w for w in at.number_input if w.key == "batch"]
    assert not any(t.get("xaxis") == "x4" for t in figure(at)["data"])


def test_every_view_draws_a_data_surface_with_batches():
    for name in ("3d", "sweep", "basins", "drag"):
        at = open_app(surface="neuron:n=12", opt="sgd:lr=0.2", steps="60", batch="4", view=name)
        assert not at.exception and not at.error, name
        assert url(at)["view"] == name and url(at)["batch"] == "4"


def test_the_points_box_carries_own_points_and_a_new_surface_clears_them():
    at = open_app(surface="linear_regression", points="1:2,2:3.5,3:4,4:4.5", opt="sgd:lr=0.05", steps="40")
    assert at.text_area(key="points").value == "1, 2\n2, 3.5\n3, 4\n4, 4.5"
    assert at.number_input(key="sp.linear_regression.n").value == 4
    assert (
        at.number_input(key="sp.linear_regression.n").disabled
        and at.number_input(key="sp.linear_regression.noise").disabled
    )
    data = [t for t in figure(at)["data"] if t.get("meta") == "data"]
    assert len(data) == 1 and data[0]["customdata"] == [0, 1, 2, 3]
    assert data[0]["text"][0] == "point 1"  # named as the box's lines count
    at.text_area(key="points").set_value("1, 2\n2, 3.5\n3 4\n4:4.5\n5, 9\nnot a point").run()
    assert url(at)["points"] == "1:2,2:3.5,3:4,4:4.5,5:9"
    assert at.number_input(key="sp.linear_regression.n").value == 5  # the count follows
    assert any("'not:a:point' dropped (not numbers)" in i.value.replace("\\", "") for i in at.info)
    at.button(key="drawn_data").click().run()
    assert "points" not in url(at) and not at.number_input(key="sp.linear_regression.n").disabled
    at.text_area(key="points").set_value("1, 2\n3, 4").run()
    assert url(at)["points"] == "1:2,3:4"
    at.selectbox(key="surface").set_value("neuron").run()
    assert "points" not in url(at) and at.text_area(key="points").value == "" and not at.info
