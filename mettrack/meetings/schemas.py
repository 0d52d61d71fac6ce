"""The API schemas of meetings (scheduling): a meeting as scripts read it, and what they
send to schedule, change and cancel one."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.schemas import UserRefSchema, UTCDateTime, listed
from mettrack.core.choices import MeetingStatus
from mettrack.core.limits import DATABASE_INT_MAX, max_length
from mettrack.meetings import schedule
from mettrack.meetings.models import Meeting


class AgencyRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MeetingSchema(Schema):
    id = fields.Integer(required=True)
    series_id = fields.Integer(required=True, allow_none=True)
    title = fields.String(required=True)
    status = fields.String(
        required=True,
        metadata={"description": f"One of: {listed(MeetingStatus)}.", "enum": MeetingStatus.values()},
    )
    cancelled_reason = fields.String(required=True, allow_none=True)
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    local_date = fields.Date(required=True, metadata={"description": "The date in Europe/London."})
    local_time = fields.String(
        required=True, metadata={"description": "The start time in Europe/London, HH:MM."}
    )
    duration_minutes = fields.Integer(required=True)
    place = fields.String(required=True, allow_none=True)
    online_link = fields.String(required=True, allow_none=True)
    chair = fields.Nested(UserRefSchema, required=True)
    members = fields.List(
        fields.Nested(UserRefSchema),
        required=True,
        metadata={"description": "The invited people (not the chair)."},
    )
    agencies = fields.List(fields.Nested(AgencyRefSchema), required=True)
    ical_uid = fields.String(required=True)
    ical_sequence = fields.Integer(required=True)
    version = fields.Integer(
        required=True,
        metadata={"description": "The meeting's version: send it with a change (a stale one gets 409)."},
    )


class MeetingListSchema(Schema):
    items = fields.List(fields.Nested(MeetingSchema), required=True)


class MeetingListArgsSchema(Schema):
    when = fields.String(
        load_default="upcoming",
        validate=OneOf(["upcoming", "past"]),
        metadata={
            "description": "upcoming (from today, soonest first) or past (newest first, the last 100)."
        },
    )
    series_id = fields.Integer(
        validate=Range(min=1, max=DATABASE_INT_MAX), metadata={"description": "One series."}
    )


_TIME_DESCRIPTION = "Start time in Europe/London, HH:MM (24-hour)."
_DATE_DESCRIPTION = "The date in Europe/London (ISO 8601)."


class _MeetingFields(Schema):
    title = fields.String(validate=Length(max=max_length(Meeting.title)))
    date = fields.String(metadata={"description": _DATE_DESCRIPTION, "format": "date"})
    time = fields.String(metadata={"description": _TIME_DESCRIPTION, "example": "10:00"})
    duration_minutes = fields.Integer(
        validate=Range(min=schedule.SHORTEST, max=schedule.LONGEST),
        metadata={"description": f"Default {schedule.DEFAULT_DURATION}."},
    )
    place = fields.String(allow_none=True, validate=Length(max=max_length(Meeting.place)))
    online_link = fields.String(allow_none=True, validate=Length(max=max_length(Meeting.online_link)))
    chair_id = fields.Integer(
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "An active MET chair; when creating, the token's owner if left out."},
    )
    member_ids = fields.List(
        fields.Integer(validate=Range(min=1, max=DATABASE_INT_MAX)),
        metadata={
            "description": "The invited people: active users with a case-working role. Replaces the list."
        },
    )
    agency_ids = fields.List(
        fields.Integer(validate=Range(min=1, max=DATABASE_INT_MAX)),
        metadata={"description": "The invited agencies. Replaces the list."},
    )


class MeetingCreateSchema(_MeetingFields):
    title = fields.String(required=True, validate=Length(max=max_length(Meeting.title)))
    date = fields.String(required=True, metadata={"description": _DATE_DESCRIPTION, "format": "date"})
    time = fields.String(required=True, metadata={"description": _TIME_DESCRIPTION, "example": "10:00"})


class MeetingUpdateSchema(_MeetingFields):
    version = fields.Integer(
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The version you read; a stale one gets 409 and nothing is changed."},
    )


class MeetingCancelSchema(Schema):
    reason = fields.String(required=True, validate=Length(max=schedule.MAX_REASON))
