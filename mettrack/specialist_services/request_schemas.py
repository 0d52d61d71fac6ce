"""The API schemas of service requests (specialist_services/requests_api.py)."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.schemas import UTCDateTime, save_anyway_field
from mettrack.core.choices import RequestUrgency, ServiceOutcome, ServiceRequestStatus
from mettrack.core.limits import DATABASE_INT_MAX
from mettrack.specialist_services.case_requests import overdue as is_overdue
from mettrack.specialist_services.requests import MAX_TEXT


def _version(description: str) -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": description},
    )


class ServiceRequestSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    service = fields.String(
        attribute="service_code", required=True, metadata={"description": "The specialist service's code."}
    )
    status = fields.String(
        required=True,
        validate=OneOf(ServiceRequestStatus.values()),
        metadata={
            "description": "requested: waiting for the service's answer; accepted: the service works with "
            "the child now; declined (see decline_reason); withdrawn by the coordinator (see "
            "withdrawn_reason); ended: the service's work ended (see outcome)."
        },
    )
    urgency = fields.String(required=True, validate=OneOf(RequestUrgency.values()))
    reason = fields.String(
        required=True, allow_none=True, metadata={"description": "Why the service is asked for."}
    )
    needs = fields.String(
        required=True, allow_none=True, metadata={"description": "What the service needs to know to decide."}
    )
    requested_by_id = fields.Integer(required=True)
    requested_at = UTCDateTime(required=True)
    meeting_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The MET meeting whose decision asked for it."},
    )
    answer_due_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "The day the answer is due (working days)."}
    )
    overdue = fields.Function(
        is_overdue,
        dump_only=True,
        metadata={"type": "boolean", "description": "True while the request waits past answer_due_on."},
    )
    answered_by_id = fields.Integer(required=True, allow_none=True)
    answered_at = UTCDateTime(required=True, allow_none=True)
    recorded_for_provider = fields.Boolean(
        required=True,
        metadata={
            "description": "True when the coordinator recorded the answer the service gave "
            "by phone or e-mail."
        },
    )
    decline_reason = fields.String(required=True, allow_none=True)
    worker = fields.String(required=True, allow_none=True)
    accepted_on = fields.Date(required=True, allow_none=True)
    starts_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "The day the work starts."}
    )
    ended_on = fields.Date(required=True, allow_none=True)
    outcome = fields.String(
        required=True,
        allow_none=True,
        validate=OneOf(ServiceOutcome.values()),
        metadata={"description": "How the service's work ended (ended only)."},
    )
    withdrawn_reason = fields.String(required=True, allow_none=True)
    version = fields.Integer(
        required=True, metadata={"description": "Send it back to accept, decline or withdraw the request."}
    )


class ServiceRequestListSchema(Schema):
    items = fields.List(
        fields.Nested(ServiceRequestSchema), required=True, metadata={"description": "Newest first."}
    )


class ServiceRequestSentSchema(ServiceRequestSchema):
    warning = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Set when this request takes the service over its capacity: the request is "
            "sent all the same, and the service decides."
        },
    )


class ServiceRequestCreateSchema(Schema):
    service = fields.String(
        required=True, metadata={"description": "An active specialist service's code (the catalogue)."}
    )
    urgency = fields.String(
        load_default=RequestUrgency.ROUTINE.value,
        validate=OneOf(RequestUrgency.values()),
        metadata={"description": "routine (the default) or urgent."},
    )
    reason = fields.String(
        required=True,
        validate=Length(max=MAX_TEXT),
        metadata={"description": "Why the service is asked for; checked for wording that blames the child."},
    )
    needs = fields.String(
        allow_none=True,
        validate=Length(max=MAX_TEXT),
        metadata={"description": "Optional: what the service needs to know to decide."},
    )
    save_anyway = save_anyway_field()


class ServiceRequestAcceptSchema(Schema):
    version = _version("The request's version you last read.")
    worker = fields.String(
        allow_none=True,
        validate=Length(max=200),
        metadata={
            "description": "Who at the service works with the child (default: you, as the service's user)."
        },
    )
    starts_on = fields.Date(
        allow_none=True,
        metadata={"description": "The day the work starts; may be ahead (default: accepted_on)."},
    )
    accepted_on = fields.Date(
        allow_none=True,
        metadata={"description": "The day the service accepted; not in the future (default: today)."},
    )


class ServiceRequestDeclineSchema(Schema):
    version = _version("The request's version you last read.")
    decline_reason = fields.String(
        required=True,
        validate=Length(max=MAX_TEXT),
        metadata={
            "description": "Why the service declines: the coordinator reads it and decides what to ask next."
        },
    )
    save_anyway = save_anyway_field()


class ServiceRequestWithdrawSchema(Schema):
    version = _version("The request's version you last read.")
    withdrawn_reason = fields.String(
        required=True,
        validate=Length(max=MAX_TEXT),
        metadata={"description": "Why the request is withdrawn."},
    )
    save_anyway = save_anyway_field()
