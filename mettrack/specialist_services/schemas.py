"""The API schemas of specialist services (fields, requests, responses)."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.schemas import UTCDateTime, save_anyway_field
from mettrack.core.choices import CaseState, ServiceOutcome, ServiceRequestStatus
from mettrack.core.limits import DATABASE_INT_MAX
from mettrack.specialist_services import assignments as service_assignments


class ServiceAssignmentSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    service = fields.String(
        attribute="service_code", required=True, metadata={"description": "A specialist service's code."}
    )
    worker = fields.String(required=True, allow_none=True)
    accepted_on = fields.Date(required=True, allow_none=True)
    ended_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "Null: still working with the child."}
    )
    note = fields.String(required=True, allow_none=True)
    status = fields.String(
        required=True,
        validate=OneOf(ServiceRequestStatus.values()),
        metadata={"description": "accepted: working with the child now; ended: its work has ended."},
    )
    outcome = fields.String(
        required=True, allow_none=True, metadata={"description": "How its work ended (ended only)."}
    )
    recorded_by_id = fields.Integer(required=True)
    recorded_at = UTCDateTime(required=True)


class ServiceAssignmentListSchema(Schema):
    items = fields.List(
        fields.Nested(ServiceAssignmentSchema),
        required=True,
        metadata={"description": "Current services first, then by acceptance date, newest first."},
    )


class ServiceAssignmentRecordedSchema(ServiceAssignmentSchema):
    case_moved = fields.Boolean(
        required=True, metadata={"description": "True when this service moved the case to service_assigned."}
    )
    case_state = fields.String(required=True, validate=OneOf(CaseState.values()))
    case_version = fields.Integer(
        strict=True, required=True, metadata={"description": "The case's version now."}
    )


class ServiceAssignmentCreateSchema(Schema):
    service = fields.String(
        required=True, metadata={"description": "A specialist service's code (reference data)."}
    )
    worker = fields.String(
        allow_none=True, metadata={"description": "Optional: who at the service works with the child."}
    )
    accepted_on = fields.Date(
        required=True, metadata={"description": "The date the service accepted the case; not in the future."}
    )
    version = fields.Integer(
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The case's version you last read."},
    )


class ServiceAssignmentEndSchema(Schema):
    ended_on = fields.Date(
        required=True,
        metadata={"description": "Not in the future, not before the service accepted the case."},
    )
    outcome = fields.String(
        allow_none=True,
        validate=OneOf(ServiceOutcome.values()),
        metadata={"description": "How the service's work ended (a ServiceOutcome code)."},
    )
    note = fields.String(allow_none=True, validate=Length(max=service_assignments.MAX_NOTE))
    save_anyway = save_anyway_field()
