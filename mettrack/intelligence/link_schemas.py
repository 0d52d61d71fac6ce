"""The API's shapes for peer links, direct case links and hotspots (links_api.py)."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.schemas import UTCDateTime, listed, save_anyway_field
from mettrack.core.choices import LinkReliability, PeerLinkKind
from mettrack.core.limits import DATABASE_INT_MAX, LINK_NOTE_MAX

RECORD_ID = Range(min=1, max=DATABASE_INT_MAX)


class PeerLinkSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True, metadata={"description": "The case in the path."})
    other_case_id = fields.Integer(required=True)
    other_child_name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": listed(PeerLinkKind)})
    reliability = fields.String(required=True, metadata={"description": listed(LinkReliability)})
    note = fields.String(required=True, allow_none=True)
    created_at = UTCDateTime(required=True)


class PeerLinkInSchema(Schema):
    other_case_id = fields.Integer(
        strict=True,
        required=True,
        validate=RECORD_ID,
        metadata={"description": "Another child's case whose whole record you may see."},
    )
    kind = fields.String(required=True, validate=OneOf(PeerLinkKind.values()))
    reliability = fields.String(required=True, validate=OneOf(LinkReliability.values()))
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=Length(max=LINK_NOTE_MAX),
        metadata={"description": "Optional (language-checked)."},
    )
    save_anyway = save_anyway_field()


class SubjectLinkSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "location or person."})
    subject_id = fields.Integer(required=True, metadata={"description": "The location's or person's id."})
    label = fields.String(required=True)
    reliability = fields.String(required=True, metadata={"description": listed(LinkReliability)})
    note = fields.String(required=True, allow_none=True)
    created_at = UTCDateTime(required=True)


class SubjectLinkInSchema(Schema):
    location_id = fields.Integer(strict=True, validate=RECORD_ID, metadata={"description": "Or person_id."})
    person_id = fields.Integer(strict=True, validate=RECORD_ID, metadata={"description": "Or location_id."})
    reliability = fields.String(required=True, validate=OneOf(LinkReliability.values()))
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=Length(max=LINK_NOTE_MAX),
        metadata={"description": "Optional (language-checked)."},
    )
    save_anyway = save_anyway_field()


class HotspotQuerySchema(Schema):
    # Named with a trailing underscore in Python: `from` is a keyword.
    from_ = fields.String(
        data_key="from", metadata={"description": "First day (YYYY-MM-DD); default 89 days before `to`."}
    )
    to = fields.String(metadata={"description": "Last day (YYYY-MM-DD); default today (UK)."})


class HotspotSchema(Schema):
    location_id = fields.Integer(required=True)
    name = fields.String(required=True)
    location_type = fields.String(required=True)
    postcode = fields.String(required=True, allow_none=True)
    children = fields.Integer(required=True, metadata={"description": "Distinct children's cases linked."})
    items = fields.Integer(required=True, metadata={"description": "Distinct intelligence items linked."})
    new_children = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Since the last meeting (null: none yet)."}
    )
    new_items = fields.Integer(required=True, allow_none=True)


class HotspotsSchema(Schema):
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    since = UTCDateTime(required=True, allow_none=True, metadata={"description": "The last meeting's start."})
    since_meeting_id = fields.Integer(required=True, allow_none=True)
    items = fields.List(fields.Nested(HotspotSchema), required=True)
