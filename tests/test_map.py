"""The map component's messages: parts addressed by content, only new parts sent, and the
figure a page assembles from them equal to the one-piece figure."""

import base64
import json

import numpy as np

from optviz import Scenario, simulate
from optviz.engine import velocities
from optviz.figures import map_parts, trajectory_figure
from optviz.map.message import KEEP, SENT, encode, encoded_bytes, message, remember
from tests.map_client import Client


def parts_for(query: str, arrows: bool = False):
    result = simulate(Scenario.from_query(query).scenario)
    return result, encode(map_parts(result, arrows=arrows, velocity=velocities(result) if arrows else None))


def test_a_page_assembles_the_same_figure_as_the_one_piece_builder():
    for query, arrows, frame in (
        ("", False, 0),
        ("surface=himmelblau&steps=300&start=-1,-1", True, 120),
        ("opt=sgd:lr=0.01&cloud=ring:n=32,r=0.3&steps=60", False, 60),
    ):
        result, encoded = parts_for(query, arrows)
        client = Client()
        drawn = client.receive(message(encoded, frame, held=[]))
        velocity = velocities(result) if arrows else None
        expected = trajectory_figure(result, arrows=arrows, velocity=velocity, frame=frame)
        assert json.dumps(drawn, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_an_lr_change_sends_only_the_changed_run_and_the_panels_axes():
    _, before = parts_for("")
    _, after = parts_for("opt=sgd:lr=0.002&opt=momentum:lr=0.001&opt=adam:lr=0.05")
    kinds = {i: p["kind"] for i, p in after}
    held = remember([], message(before, 0, held=[]))
    msg = message(after, 0, held)
    assert sorted(kinds[i] for i in msg["parts"]) == ["axes", "run"]  # surface, two runs, animation: ids only
    assert msg["parts"][after[1][0]]["traces"][0]["name"] == "sgd lr=0.002"
    size = len(json.dumps(msg))
    first = len(json.dumps(message(after, 0, held=[])))
    print(f"map message: {first:,} bytes in full, {size:,} bytes after an lr change")
    assert size < first / 3


def test_the_page_reports_parts_it_lacks_and_gets_all_again():
    _, encoded = parts_for("")
    held = remember([], message(encoded, 0, held=[]))
    fresh = Client()  # a page that lost its parts (reloaded): the server thinks it holds them
    missing = fresh.receive(message(encoded, 0, held))
    assert missing == [i for i, _ in encoded]
    assert isinstance(fresh.receive(message(encoded, 0, held=[])), dict)


def test_the_server_assumes_fewer_parts_than_the_page_keeps():
    assert SENT < KEEP
    held: list[str] = []
    for n in range(20):
        held = remember(held, {"order": [f"{n}-{k}" for k in range(5)]})
    assert len(held) == SENT and held[-5:] == [f"19-{k}" for k in range(5)]


def test_moving_points_travel_as_float32_with_their_shape():
    result, encoded = parts_for("steps=100")
    run = dict(encoded)[encoded[1][0]]
    head = run["moving"]["head"]
    assert head["dtype"] == "f4" and head["shape"] == [101, 1, 2]
    decoded = np.frombuffer(base64.b64decode(head["bdata"]), "<f4").reshape(head["shape"])
    np.testing.assert_allclose(decoded[:, 0], result.runs[0].path.astype(np.float32))


def test_encoded_parts_weigh_about_their_json():
    _, encoded = parts_for("surface=himmelblau&steps=300&cloud=ring:n=32,r=0.3")
    weight, json_size = encoded_bytes(encoded), len(json.dumps(encoded))
    paths = sum(len(p["bdata"]) for _, part in encoded for p in part.get("paths", []))
    assert paths > 100_000 and paths < weight <= json_size < 1.1 * weight
