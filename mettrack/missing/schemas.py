"""The API schemas of missing (fields, requests, responses)."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf

from mettrack.api.schemas import AwareDateTime, UTCDateTime, save_anyway_field
from mettrack.core.choices import RhiStatus
from mettrack.core.limits import max_length
from mettrack.missing import episodes as missing
from mettrack.missing.models import MissingEpisode


class MissingEpisodeSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    went_missing_at = UTCDateTime(required=True)
    returned_at = UTCDateTime(
        required=True, allow_none=True, metadata={"description": "Null: still missing."}
    )
    police_reference = fields.String(required=True, allow_none=True)
    reported_by = fields.String(required=True, allow_none=True)
    where_found = fields.String(required=True, allow_none=True)
    rhi_status = fields.String(required=True, allow_none=True, validate=OneOf(RhiStatus.values()))
    rhi_offered_at = UTCDateTime(required=True, allow_none=True)
    rhi_held_at = UTCDateTime(required=True, allow_none=True)
    rhi_by = fields.String(
        required=True, allow_none=True, metadata={"description": "Who held the Return Home Interview."}
    )
    rhi_learning = fields.String(required=True, allow_none=True)
    rhi_due_at = UTCDateTime(
        required=True,
        allow_none=True,
        metadata={"description": "72 hours after the return (statutory guidance, 2014); null while missing."},
    )
    rhi_overdue = fields.Boolean(
        required=True, metadata={"description": "Returned over 72 hours ago with no interview recorded."}
    )
    recorded_at = UTCDateTime(required=True)


class RepeatMissingSchema(Schema):
    flagged = fields.Boolean(required=True)
    episodes_in_period = fields.Integer(required=True)
    threshold = fields.Integer(
        required=True, metadata={"description": "Episodes that flag (a partnership setting)."}
    )
    days = fields.Integer(
        required=True, metadata={"description": "The period counted back from now, in days."}
    )


class MissingEpisodeListSchema(Schema):
    items = fields.List(
        fields.Nested(MissingEpisodeSchema), required=True, metadata={"description": "Newest first."}
    )
    repeat_missing = fields.Nested(RepeatMissingSchema, required=True)


class _ReturnFields(Schema):
    returned_at = AwareDateTime(allow_none=True, metadata={"description": "With its UTC offset."})
    where_found = fields.String(allow_none=True, validate=Length(max=missing.MAX_WHERE_FOUND))
    save_anyway = save_anyway_field()


class MissingEpisodeCreateSchema(_ReturnFields):
    went_missing_at = AwareDateTime(required=True, metadata={"description": "With its UTC offset."})
    police_reference = fields.String(
        allow_none=True, validate=Length(max=max_length(MissingEpisode.police_reference))
    )
    reported_by = fields.String(allow_none=True, validate=Length(max=max_length(MissingEpisode.reported_by)))


class MissingEpisodeUpdateSchema(_ReturnFields):
    rhi_status = fields.String(allow_none=True, validate=OneOf(RhiStatus.values()))
    rhi_offered_at = AwareDateTime(allow_none=True)
    rhi_held_at = AwareDateTime(allow_none=True)
    rhi_by = fields.String(
        allow_none=True,
        validate=Length(max=max_length(MissingEpisode.rhi_by)),
        metadata={"description": "Who held the interview: someone independent of the child's care."},
    )
    rhi_learning = fields.String(allow_none=True, validate=Length(max=missing.MAX_RHI_LEARNING))
