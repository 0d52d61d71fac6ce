"""The API schemas of the police tier record (specialist_services/tiers_api.py)."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.schemas import UTCDateTime, listed, save_anyway_field
from mettrack.core.choices import CaseState, TierSource
from mettrack.core.limits import DATABASE_INT_MAX
from mettrack.specialist_services import tiers


class PoliceTierRecordSchema(Schema):
    """One record of the tier's history (a tiers.TierEntry)."""

    id = fields.Integer(attribute="record.id", required=True)
    police_tier = fields.String(
        attribute="record.tier_code", required=True, metadata={"description": "A police tier's code."}
    )
    police_tier_label = fields.String(attribute="tier_label", required=True)
    police_team = fields.String(
        attribute="record.team_code",
        required=True,
        allow_none=True,
        metadata={"description": "A holding team's code."},
    )
    police_team_label = fields.String(attribute="team_label", required=True)
    officer = fields.String(
        attribute="record.officer",
        required=True,
        allow_none=True,
        metadata={"description": "The officer in charge: name and collar number, or contact."},
    )
    from_date = fields.Date(attribute="record.from_date", required=True)
    source = fields.String(
        attribute="record.source",
        required=True,
        metadata={"description": f"How it was set: {listed(TierSource)}."},
    )
    meeting_id = fields.Integer(
        attribute="record.meeting_id",
        required=True,
        allow_none=True,
        metadata={"description": "source meeting: the meeting."},
    )
    note = fields.String(attribute="record.note", required=True, allow_none=True)
    set_by_id = fields.Integer(attribute="record.set_by_id", required=True, allow_none=True)
    set_at = UTCDateTime(attribute="record.set_at", required=True)


class PoliceTierSchema(Schema):
    case_id = fields.Integer(required=True)
    case_state = fields.String(required=True, validate=OneOf(CaseState.values()))
    case_version = fields.Integer(
        strict=True, required=True, metadata={"description": "The case's version: send it to set the tier."}
    )
    current = fields.Nested(
        PoliceTierRecordSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The record of the case's tier now; null when it has none."},
    )
    history = fields.List(
        fields.Nested(PoliceTierRecordSchema),
        required=True,
        metadata={"description": "Every record, newest first."},
    )
    may_set = fields.Boolean(required=True, metadata={"description": "Whether you may set or change it now."})


class PoliceTierSetResultSchema(PoliceTierSchema):
    case_moved = fields.Boolean(
        required=True,
        metadata={"description": "True: this was the set_police_tier move (MET review to police tiered)."},
    )


class PoliceTierSetSchema(Schema):
    police_tier = fields.String(required=True, metadata={"description": "A police tier's code."})
    police_team = fields.String(required=True, metadata={"description": "A holding team's code."})
    officer = fields.String(
        allow_none=True,
        validate=Length(max=tiers.MAX_OFFICER),
        metadata={"description": "Optional: the officer in charge, name and collar number or contact."},
    )
    from_date = fields.Date(
        required=True,
        metadata={"description": "Not in the future, nor before the current tier's from_date."},
    )
    note = fields.String(allow_none=True, validate=Length(max=tiers.MAX_NOTE))
    version = fields.Integer(
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The case's version you last read."},
    )
    save_anyway = save_anyway_field()
