"""The API schemas of the service catalogue (/api/v1/services)."""

from marshmallow import Schema, fields

from mettrack.api.schemas import listed
from mettrack.core.choices import ExploitationType

NUMBER = dict(strict=True, allow_none=True)


class ServiceSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "What requests store; never changes."})
    name = fields.String(required=True)
    agency_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The provider agency (null: none chosen)."}
    )
    agency_name = fields.String(required=True, allow_none=True)
    offers = fields.String(required=True, allow_none=True, metadata={"description": "What it offers."})
    exploitation_types = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": f"The exploitation types it takes ({listed(ExploitationType)}); empty: any."
        },
    )
    min_age = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Youngest age it takes."}
    )
    max_age = fields.Integer(required=True, allow_none=True, metadata={"description": "Oldest age it takes."})
    contact = fields.String(required=True, allow_none=True)
    capacity = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "How many children it can work with at once; null: no set limit."},
    )
    active = fields.Boolean(required=True, metadata={"description": "False: no longer offered."})
    sort_order = fields.Integer(required=True)
    load = fields.Integer(
        required=True, metadata={"description": "How many children it works with now (accepted requests)."}
    )
    waiting = fields.Integer(
        required=True, metadata={"description": "How many requests wait for its answer."}
    )


class ServiceListSchema(Schema):
    items = fields.List(
        fields.Nested(ServiceSchema), required=True, metadata={"description": "In the catalogue's order."}
    )


class _ServiceInput(Schema):
    name = fields.String(metadata={"description": "Up to 200 characters."})
    agency_id = fields.Integer(strict=True, metadata={"description": "The provider: an agency's id."})
    offers = fields.String(
        allow_none=True, metadata={"description": "What it offers (up to 2000 characters)."}
    )
    exploitation_types = fields.List(
        fields.String(),  # checked by the use case, whose message names the field and the choices
        allow_none=True,
        metadata={"description": f"Any of {listed(ExploitationType)}; empty or null: any."},
    )
    min_age = fields.Integer(metadata={"description": "0 to 25; null: no lower limit."}, **NUMBER)
    max_age = fields.Integer(
        metadata={"description": "0 to 25, not less than min_age; null: no upper limit."}, **NUMBER
    )
    contact = fields.String(allow_none=True, metadata={"description": "Up to 300 characters."})
    capacity = fields.Integer(metadata={"description": "0 to 10000; null: no set limit."}, **NUMBER)
    sort_order = fields.Integer(
        metadata={"description": "0 to 10000, smaller first (default on adding: after the last)."}, **NUMBER
    )


class ServiceCreateSchema(_ServiceInput):
    code = fields.String(
        required=True,
        metadata={
            "description": "Lower-case letters, digits and underscores, starting with a letter; unique."
        },
    )
    name = fields.String(required=True, metadata={"description": "Up to 200 characters."})
    agency_id = fields.Integer(
        strict=True, required=True, metadata={"description": "The provider: an agency's id."}
    )


class ServicePatchSchema(_ServiceInput):
    active = fields.Boolean(metadata={"description": "False deactivates the service; true offers it again."})
