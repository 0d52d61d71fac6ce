"""The association picture's pages: /intelligence/network/case/<id>, /location/<id> and
/person/<id>. Thin: what is linked and who may see it is intelligence/network.py; where
each node goes is intelligence/network_layout.py; this builds the links and the shapes."""

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from mettrack.core.choices import LinkReliability
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import network as service
from mettrack.intelligence import network_layout
from mettrack.intelligence.paths import link_to

bp = Blueprint("intelligence_network", __name__, url_prefix="/intelligence/network")

# Fill of each kind's shape (GOV.UK colours); a record the viewer may not open is white
# with a dashed outline, whatever its kind.
FILL = {"case": "#1d70b8", "person": "#912b88", "location": "#00703c", "vehicle": "#505a5f"}
SIZE = 16  # half the width of a shape, in the SVG's units
LABEL_CHARS = 24  # beyond this a label is cut in the picture (the list has it whole)
PICTURE_ENDPOINTS = {"case": "case", "person": "person", "location": "location"}


@bp.route("/case/<int:case_id>")
@requires(Perm.INTEL_VIEW)
def case(case_id: int):
    return _show("case", case_id)


@bp.route("/location/<int:location_id>")
@requires(Perm.INTEL_VIEW)
def location(location_id: int):
    return _show("location", location_id)


@bp.route("/person/<int:person_id>")
@requires(Perm.INTEL_VIEW)
def person(person_id: int):
    return _show("person", person_id)


def picture_url(kind: str, record_id: int) -> str:
    argument = {"case": "case_id", "person": "person_id", "location": "location_id"}[kind]
    return url_for(f"intelligence_network.{PICTURE_ENDPOINTS[kind]}", **{argument: record_id})


def _show(kind: str, record_id: int):
    network = service.network_for(current_user, kind, record_id)
    placed = network_layout.layout(
        network.start.key, [n.key for n in network.nodes], [(e.source, e.target) for e in network.edges]
    )
    shapes = [_shape(node, placed[node.key], node is network.start) for node in network.nodes]
    lines = [_line(edge, placed) for edge in network.edges]
    rows = [
        {
            "node": node,
            "url": _page_url(node),
            "picture_url": (
                picture_url(node.kind, node.record_id)
                if node.accessible and node.kind in PICTURE_ENDPOINTS and node is not network.start
                else None
            ),
            "links": [
                {"other": other, "edge": edge, "reliability": _reliability_label(edge.reliability)}
                for other, edge in network.links_of(node.key)
            ],
        }
        for node in network.nodes
    ]
    counts = {
        kind_label: sum(1 for n in network.nodes if n.kind_label == kind_label and n is not network.start)
        for kind_label in service.KIND_LABELS.values()
    }
    return render_template(
        "intelligence/network.html",
        network=network,
        shapes=shapes,
        lines=lines,
        rows=rows,
        counts={k: v for k, v in counts.items() if v},
        width=network_layout.WIDTH,
        height=network_layout.HEIGHT,
        back_url=link_to(kind, network.start.record_id),
        fills=FILL,
        reliabilities=LinkReliability.labels(),
    )


def _page_url(node) -> str | None:
    if not node.accessible or node.kind == "vehicle":
        return None
    return link_to(node.kind, node.record_id)


def _reliability_label(value: str) -> str:
    return LinkReliability.labels().get(value, value)


def _shape(node, at, is_start: bool) -> dict:
    x, y, s = at.x, at.y, SIZE
    label = node.label if len(node.label) <= LABEL_CHARS else node.label[: LABEL_CHARS - 1] + "…"
    shape = {
        "key": node.key,
        "x": x,
        "y": y,
        "label": label,
        "full_label": f"{node.label} ({node.kind_label.lower()})",
        "label_y": round(y + s + 16, 1),
        "fill": FILL[node.kind] if node.accessible else "#ffffff",
        "stroke": "#0b0c0c" if node.accessible else "#505a5f",
        "dashed": not node.accessible,
        "stroke_width": 4 if is_start else 2,
        "start": is_start,
        "url": _page_url(node),
    }
    if node.kind == "case":
        shape.update(tag="circle", r=s)
    elif node.kind == "person":
        shape.update(tag="rect", rx=0, left=x - s, top=y - s, side=2 * s)
    elif node.kind == "location":
        shape.update(tag="polygon", points=f"{x},{y - s - 3} {x + s + 3},{y} {x},{y + s + 3} {x - s - 3},{y}")
    else:
        shape.update(tag="rect", rx=6, left=x - s, top=y - s * 0.6, side=2 * s, height=round(s * 1.2, 1))
    return shape


def _line(edge, placed) -> dict:
    a, b = placed[edge.source], placed[edge.target]
    return {
        "x1": a.x,
        "y1": a.y,
        "x2": b.x,
        "y2": b.y,
        "possible": edge.possible,
        "width": 3 if edge.reliability == LinkReliability.CONFIRMED.value else 2,
    }
