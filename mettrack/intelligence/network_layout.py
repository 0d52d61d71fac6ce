"""Where each node of the association picture goes (pure: no Flask, no database).

The picture is read at a meeting, at a glance, so the layout is rings rather than a force
layout: the record the picture is about sits in the middle, what is linked to it directly
on the inner ring, what is two steps away on the outer ring, each outer node placed near
the inner nodes it hangs from so that few lines cross. The same graph always gives the
same picture (no randomness, no seed), and nothing here needs numpy: networkx gives the
graph and its steps (breadth-first layers), the rest is a little trigonometry.
"""

import math
from dataclasses import dataclass

import networkx as nx

# The SVG box the template draws in (viewBox units; it scales to the page's width).
WIDTH = 960
HEIGHT = 720
MARGIN = 90  # room for the labels of the outer ring
# Kinds in the order they go round a ring, so that like sits beside like.
KIND_ORDER = {"case": 0, "person": 1, "location": 2, "vehicle": 3}
# Past this many nodes on the outer ring, every other one steps out a little so that
# neighbouring labels do not sit on each other.
CROWDED = 14


@dataclass(frozen=True)
class Placed:
    key: str
    x: float
    y: float
    ring: int  # 0 the start, 1 linked directly, 2 two steps away


def steps_from(start: str, nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """How many links each node is from `start` (nodes not reached are left out)."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    if start not in graph:
        return {}
    return {key: step for step, layer in enumerate(nx.bfs_layers(graph, [start])) for key in layer}


def _sort_key(key: str) -> tuple:
    kind, _, rest = key.partition("-")
    return (KIND_ORDER.get(kind, 9), kind, int(rest) if rest.isdigit() else 0, rest)


def _spread(count: int, offset: float = 0.0) -> list[float]:
    return [offset + 2 * math.pi * i / count for i in range(count)]


def layout(
    start: str,
    nodes: list[str],
    edges: list[tuple[str, str]],
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    margin: int = MARGIN,
) -> dict[str, Placed]:
    """Each node's place in a width x height box. Node keys are "<kind>-<n>" (the kind
    orders a ring); `edges` are pairs of keys. Nodes not reached from `start` within two
    steps are left out."""
    steps = steps_from(start, nodes, edges)
    graph = nx.Graph()
    graph.add_nodes_from(steps)
    graph.add_edges_from((a, b) for a, b in edges if a in steps and b in steps)
    cx, cy = width / 2, height / 2
    # Rings are ellipses filling the box: a label is wide, not tall, so the sides keep
    # more room for it than the top and bottom.
    outer = (max(cx - margin, 40.0), max(cy - margin / 2, 40.0))
    placed = {start: Placed(start, cx, cy, 0)}
    angles: dict[str, float] = {start: 0.0}

    first = sorted((k for k, s in steps.items() if s == 1), key=_sort_key)
    # Start at the top so that a single neighbour sits above the middle, not beside it.
    for key, angle in zip(first, _spread(len(first), -math.pi / 2), strict=True):
        angles[key] = angle

    second = [k for k, s in steps.items() if s == 2]

    def parent_angle(key: str) -> float:
        # The mean direction of the inner nodes it hangs from (a circular mean, so that
        # parents either side of the top do not average to the bottom).
        parents = [angles[p] for p in graph.neighbors(key) if steps.get(p) == 1]
        x = sum(math.cos(a) for a in parents)
        y = sum(math.sin(a) for a in parents)
        return math.atan2(y, x) if parents else 0.0

    wanted = {key: parent_angle(key) for key in second}
    ordered = sorted(second, key=lambda k: ((wanted[k] + math.pi / 2) % (2 * math.pi), _sort_key(k)))
    # Evenly spaced, turned so that the ring's nodes sit as near their parents as they can.
    slots = _spread(len(ordered), -math.pi / 2)
    if ordered:
        turn = _best_turn([wanted[k] for k in ordered], slots)
        for key, angle in zip(ordered, slots, strict=True):
            angles[key] = angle + turn

    # With nothing two steps away, the inner ring may spread out.
    inner_share = 0.5 if ordered else 0.8
    for ring, keys, share in ((1, first, inner_share), (2, ordered, 1.0)):
        crowded = ring == 2 and len(keys) > CROWDED
        for index, key in enumerate(keys):
            r = share * (0.86 if crowded and index % 2 else 1.0)
            placed[key] = Placed(
                key,
                round(cx + r * outer[0] * math.cos(angles[key]), 1),
                round(cy + r * outer[1] * math.sin(angles[key]), 1),
                ring,
            )
    return placed


def _best_turn(wanted: list[float], slots: list[float]) -> float:
    """The rotation of the evenly spaced slots that brings them nearest where each node
    would like to be (the circular mean of the differences)."""
    x = sum(math.cos(w - s) for w, s in zip(wanted, slots, strict=True))
    y = sum(math.sin(w - s) for w, s in zip(wanted, slots, strict=True))
    return math.atan2(y, x) if (x or y) else 0.0
