"""intelligence/network_layout.py: rings around the start, inside the box, the same every time."""

import math

from mettrack.intelligence import network_layout as layout

START = "case-1"
NODES = ["case-1", "person-2", "location-3", "case-4", "vehicle-5", "person-6", "case-hidden-1"]
EDGES = [
    ("case-1", "person-2"),
    ("case-1", "location-3"),
    ("location-3", "case-4"),
    ("person-2", "vehicle-5"),
    ("person-2", "case-hidden-1"),
    ("vehicle-5", "person-6"),  # three steps from the start
]


def _distance(a, b):
    return math.hypot(a.x - b.x, a.y - b.y)


def test_steps_follow_the_links():
    steps = layout.steps_from(START, NODES, EDGES)
    assert steps == {
        "case-1": 0,
        "person-2": 1,
        "location-3": 1,
        "case-4": 2,
        "vehicle-5": 2,
        "case-hidden-1": 2,
        "person-6": 3,
    }
    assert layout.steps_from("nobody", NODES, EDGES) == {}


def test_the_start_is_in_the_middle_and_the_rings_go_outwards():
    placed = layout.layout(START, NODES, EDGES)
    centre = placed[START]
    assert (centre.x, centre.y, centre.ring) == (layout.WIDTH / 2, layout.HEIGHT / 2, 0)
    assert "person-6" not in placed  # beyond two steps
    inner = [placed[k] for k in ("person-2", "location-3")]
    outer = [placed[k] for k in ("case-4", "vehicle-5", "case-hidden-1")]
    assert {p.ring for p in inner} == {1} and {p.ring for p in outer} == {2}
    assert max(_distance(centre, p) for p in inner) < min(_distance(centre, p) for p in outer)
    for p in placed.values():
        assert 0 < p.x < layout.WIDTH and 0 < p.y < layout.HEIGHT


def test_an_outer_node_sits_nearer_its_own_parent_than_the_other():
    placed = layout.layout(START, NODES, EDGES)
    assert _distance(placed["case-4"], placed["location-3"]) < _distance(placed["case-4"], placed["person-2"])
    assert _distance(placed["vehicle-5"], placed["person-2"]) < _distance(
        placed["vehicle-5"], placed["location-3"]
    )


def test_the_same_graph_gives_the_same_picture():
    assert layout.layout(START, NODES, EDGES) == layout.layout(START, list(reversed(NODES)), EDGES[::-1])


def test_a_lone_start_and_a_crowded_ring_stay_in_the_box():
    assert list(layout.layout(START, [START], [])) == [START]
    many = [f"person-{n}" for n in range(2, 42)]
    edges = [(START, "location-1")] + [("location-1", k) for k in many]
    placed = layout.layout(START, [START, "location-1", *many], edges, width=400, height=300)
    assert len(placed) == 42
    assert all(0 < p.x < 400 and 0 < p.y < 300 for p in placed.values())
