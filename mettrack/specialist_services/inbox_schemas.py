"""The API schemas of the provider's inbox (GET /api/v1/service-requests/inbox)."""

from marshmallow import Schema, fields
from marshmallow.validate import OneOf, Range

from mettrack.api.schemas import UTCDateTime
from mettrack.core.choices import RequestUrgency, ServiceRequestStatus
from mettrack.specialist_services import inbox


class ProviderViewSchema(Schema):
    """A request as its provider sees it: what the service needs to decide, not the
    child's record (no address, notes or intelligence)."""

    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=OneOf(ServiceRequestStatus.values()))
    service = fields.String(
        attribute="service_code", required=True, metadata={"description": "The service's catalogue code."}
    )
    service_name = fields.String(required=True)
    urgency = fields.String(required=True, validate=OneOf(RequestUrgency.values()))
    child_name = fields.String(required=True)
    child_age = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Age in whole years today; null when the date of birth is not known."},
    )
    reason = fields.String(
        required=True, allow_none=True, metadata={"description": "Why the service is asked for."}
    )
    needs = fields.String(
        required=True, allow_none=True, metadata={"description": "What the service needs to know to decide."}
    )
    requested_by = fields.String(required=True, metadata={"description": "Who asked (a name)."})
    requested_by_agency = fields.String(required=True, allow_none=True)
    requested_at = UTCDateTime(required=True)
    answer_due_on = fields.Date(required=True, allow_none=True)
    waiting_days = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "Working days the request has waited (up to today while it waits, up to its "
            "answer once answered); weekends and England and Wales bank holidays do not count."
        },
    )
    overdue = fields.Boolean(
        required=True, metadata={"description": "Waiting, and its answer due date has passed."}
    )
    worker = fields.String(required=True, allow_none=True)
    accepted_on = fields.Date(required=True, allow_none=True)
    starts_on = fields.Date(required=True, allow_none=True)
    decline_reason = fields.String(required=True, allow_none=True)
    answered_at = UTCDateTime(required=True, allow_none=True)
    recorded_for_provider = fields.Boolean(
        required=True,
        metadata={"description": "True when the coordinator recorded the answer for the service."},
    )
    version = fields.Integer(
        required=True, metadata={"description": "Send it back with an answer (accept or decline)."}
    )
    case_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The case, once you reach it (on its team after accepting); else null."},
    )


class InboxCountsSchema(Schema):
    waiting = fields.Integer(required=True)
    answered = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    all = fields.Integer(required=True)


class InboxPageSchema(Schema):
    status = fields.String(required=True, validate=OneOf(tuple(inbox.FILTERS)))
    items = fields.List(
        fields.Nested(ProviderViewSchema),
        required=True,
        metadata={"description": "Waiting first (urgent first, then the oldest), then the latest answered."},
    )
    total = fields.Integer(required=True, metadata={"description": "Requests under `status`."})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    counts = fields.Nested(
        InboxCountsSchema, required=True, metadata={"description": "Requests under each status."}
    )


class InboxArgsSchema(Schema):
    status = fields.String(
        load_default=inbox.ALL,
        validate=OneOf(tuple(inbox.FILTERS)),
        metadata={
            "description": "waiting (not answered yet), answered (accepted, declined or ended), "
            "withdrawn, or all (the default)."
        },
    )
    page = fields.Integer(load_default=1, validate=Range(min=1, max=inbox.MAX_PAGE))
