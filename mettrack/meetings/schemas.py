"""The API schemas of meetings (scheduling): a meeting as scripts read it, and what they
send to schedule, change and cancel one."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.schemas import UserRefSchema, UTCDateTime, listed
from mettrack.core.choices import MeetingFrequency, MeetingStatus
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
        strict=True,
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


class _CommonFields(Schema):
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


class _MeetingFields(_CommonFields):
    title = fields.String(validate=Length(max=max_length(Meeting.title)))
    date = fields.String(metadata={"description": _DATE_DESCRIPTION, "format": "date"})
    time = fields.String(metadata={"description": _TIME_DESCRIPTION, "example": "10:00"})


class MeetingCreateSchema(_MeetingFields):
    title = fields.String(required=True, validate=Length(max=max_length(Meeting.title)))
    date = fields.String(required=True, metadata={"description": _DATE_DESCRIPTION, "format": "date"})
    time = fields.String(required=True, metadata={"description": _TIME_DESCRIPTION, "example": "10:00"})


class MeetingUpdateSchema(_MeetingFields):
    version = fields.Integer(
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The version you read; a stale one gets 409 and nothing is changed."},
    )


class MeetingCancelSchema(Schema):
    reason = fields.String(required=True, validate=Length(max=schedule.MAX_REASON))


class SeriesCreateSchema(_CommonFields):
    title = fields.String(required=True, validate=Length(max=max_length(Meeting.title)))
    time = fields.String(required=True, metadata={"description": _TIME_DESCRIPTION, "example": "10:00"})
    frequency = fields.String(
        required=True,
        validate=OneOf(MeetingFrequency.values()),
        metadata={"description": f"One of: {listed(MeetingFrequency)}."},
    )
    weekday = fields.Integer(
        validate=Range(min=0, max=6),
        metadata={"description": "Monthly only: 0 Monday .. 6 Sunday."},
    )
    week_of_month = fields.Integer(
        metadata={"description": "Monthly only: 1 to 4, or -1 for the last (there is no fifth)."},
    )
    first_on = fields.String(
        required=True,
        metadata={
            "description": "The first meeting's date (monthly: the first matching day on or after it).",
            "format": "date",
        },
    )
    until_on = fields.String(
        allow_none=True,
        metadata={
            "description": "The last date included (up to 2 years on); none: the next 12 meetings.",
            "format": "date",
        },
    )


class SeriesSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    frequency = fields.String(required=True)
    weekday = fields.Integer(required=True, allow_none=True)
    week_of_month = fields.Integer(required=True, allow_none=True)
    first_on = fields.Date(required=True)
    until_on = fields.Date(required=True, allow_none=True)
    rule = fields.String(required=True, metadata={"description": "How it repeats, in words."})


class SeriesCreatedSchema(Schema):
    series = fields.Nested(SeriesSchema, required=True)
    meetings = fields.List(fields.Nested(MeetingSchema), required=True)
