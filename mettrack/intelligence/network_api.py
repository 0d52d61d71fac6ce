"""/api/v1/network/<kind>/<id>: the association picture's content as JSON, with the same
access rules as the page (intelligence/network.py decides them): a record the token owner
may not open is a node with `id: null`, `accessible: false` and a label naming no one."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from mettrack.api.blueprint import ApiBlueprint
from mettrack.api.schemas import listed
from mettrack.core.choices import LinkReliability
from mettrack.core.permissions import Perm, requires
from mettrack.intelligence import network

blp = ApiBlueprint(
    "api_network", __name__, path="/network", description="The association picture (nodes and edges)"
)


class NetworkNodeSchema(Schema):
    key = fields.String(
        required=True,
        metadata={
            "description": "This node's key in `edges` (e.g. `case-12`; `case-hidden-1` when no access)."
        },
    )
    kind = fields.String(required=True, metadata={"description": "case, person, location, vehicle."})
    id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "The record's id (a vehicle: its first row's); null when you may not open it."
        },
    )
    label = fields.String(
        required=True,
        metadata={
            "description": "The child's, person's or place's name, or `a child (no access)` and so on."
        },
    )
    step = fields.Integer(required=True, metadata={"description": "Links from the start record: 0, 1 or 2."})
    accessible = fields.Boolean(required=True)


class NetworkLinkSchema(Schema):
    kind = fields.String(
        required=True,
        metadata={"description": "direct, association, peer, intelligence, disruption, vehicle."},
    )
    reliability = fields.String(required=True, metadata={"description": listed(LinkReliability)})
    text = fields.String(required=True)


class NetworkEdgeSchema(Schema):
    source = fields.String(required=True, metadata={"description": "A node's key (the nearer the start)."})
    target = fields.String(required=True, metadata={"description": "A node's key."})
    reliability = fields.String(
        required=True, metadata={"description": f"The strongest of its links: {listed(LinkReliability)}."}
    )
    links = fields.List(fields.Nested(NetworkLinkSchema), required=True)


class NetworkSchema(Schema):
    start = fields.String(required=True, metadata={"description": "The key of the start record's node."})
    nodes = fields.List(fields.Nested(NetworkNodeSchema), required=True)
    edges = fields.List(fields.Nested(NetworkEdgeSchema), required=True)


def dump(found: network.Network) -> dict:
    return {
        "start": found.start.key,
        "nodes": [
            {
                "key": n.key,
                "kind": n.kind,
                "id": n.record_id,
                "label": n.label,
                "step": n.step,
                "accessible": n.accessible,
            }
            for n in found.nodes
        ],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "reliability": e.reliability,
                "links": [{"kind": x.kind, "reliability": x.reliability, "text": x.text} for x in e.links],
            }
            for e in found.edges
        ],
    }


@blp.route("/<kind>/<int:record_id>")
class NetworkOf(MethodView):
    @requires(Perm.INTEL_VIEW)
    @blp.response(200, NetworkSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, kind: str, record_id: int):
        """The association picture of a case, a location or a person

        `kind` is `case`, `location` or `person` (any other: 422 naming `kind`). What is
        linked to the record within two steps: children, persons of concern, places and
        vehicles, with the links between them and how reliable each is. Links from
        intelligence appear only when handling lets you see the item. A record you may
        not open appears without name or id (`a child (no access)`), and nothing beyond
        it. 404 for a start record outside your reach. Audited (`network.viewed`).
        """
        return dump(network.network_for(current_user, kind, record_id))
