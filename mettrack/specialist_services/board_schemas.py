"""The API schemas of the coordinator's board (specialist_services/board.py)."""

from marshmallow import Schema, fields
from marshmallow.validate import OneOf, Range

from mettrack.api.schemas import _choices, _item, listed
from mettrack.core.choices import RequestUrgency, RiskLevel, ServiceRequestStatus
from mettrack.specialist_services import board


class BoardQuerySchema(Schema):
    """The board's filters: codes and numbers only, so a filtered board's address names no
    one. Repeat a multi-choice parameter for "any of these"; different parameters all apply."""

    service = fields.List(
        fields.String(),
        metadata={"description": "Cases with a request to any of these services (catalogue codes)."},
    )
    state = fields.List(
        _item(board.BOARD_STATES),
        validate=_choices("state", board.BOARD_STATES),
        metadata={"description": "Cases in any of these states (default: all three)."},
    )
    risk_level = fields.List(
        _item(RiskLevel.values()),
        validate=_choices("risk level", RiskLevel.values()),
        metadata={"description": f"Cases at any of these risk levels ({listed(RiskLevel)})."},
    )
    waiting_more_than = fields.Integer(
        strict=False,
        validate=Range(min=0, max=board.MAX_WAITING),
        metadata={"description": "Cases with a request waiting more than this many working days."},
    )
    overdue = fields.Boolean(
        metadata={"description": "Cases with a request still waiting after the day its answer was due."}
    )
    no_active_service = fields.Boolean(metadata={"description": "Cases no service is working with yet."})


class BoardRequestSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "The service request's id."})
    service = fields.String(
        attribute="service_code", required=True, metadata={"description": "The service's catalogue code."}
    )
    service_name = fields.String(required=True)
    status = fields.String(required=True, validate=OneOf(ServiceRequestStatus.values()))
    urgency = fields.String(required=True, validate=OneOf(RequestUrgency.values()))
    requested_on = fields.Date(required=True, metadata={"description": "The day it was requested (London)."})
    answer_due_on = fields.Date(required=True, allow_none=True)
    waiting_days = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Working days waited since the request (requested only; null otherwise)."},
    )
    overdue = fields.Boolean(
        required=True, metadata={"description": "Still waiting after the day its answer was due."}
    )
    worker = fields.String(required=True, allow_none=True, metadata={"description": "Active only."})
    starts_on = fields.Date(required=True, allow_none=True, metadata={"description": "Active only."})
    answered_on = fields.Date(required=True, allow_none=True)
    decline_reason = fields.String(
        required=True, allow_none=True, metadata={"description": "The provider's reason (declined only)."}
    )


class BoardCaseSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "The case's id."})
    child_name = fields.String(required=True)
    state = fields.String(required=True, validate=OneOf(board.BOARD_STATES))
    risk_level = fields.String(
        required=True,
        allow_none=True,
        validate=OneOf(RiskLevel.values()),
        metadata={"description": "Null: not set."},
    )
    police_tier = fields.String(
        required=True, allow_none=True, metadata={"description": "A police tier's code."}
    )
    police_tier_label = fields.String(required=True, allow_none=True)
    police_team = fields.String(
        required=True, allow_none=True, metadata={"description": "A police team's code."}
    )
    police_team_label = fields.String(required=True, allow_none=True)
    has_active_service = fields.Boolean(required=True)
    longest_wait = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The most working days any request has waited; null with none waiting."},
    )
    overdue = fields.Boolean(required=True, metadata={"description": "A request's answer is overdue."})
    requested = fields.List(fields.Nested(BoardRequestSchema), required=True)
    active = fields.List(fields.Nested(BoardRequestSchema), required=True)
    declined = fields.List(fields.Nested(BoardRequestSchema), required=True)


class ServiceLoadSchema(Schema):
    id = fields.Integer(required=True)
    service = fields.String(attribute="code", required=True, metadata={"description": "The catalogue code."})
    name = fields.String(required=True)
    offered = fields.Boolean(required=True, metadata={"description": "False: deactivated, still working."})
    load = fields.Integer(required=True, metadata={"description": "Children the service works with now."})
    capacity = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Children at once; null: no set limit."}
    )
    at_capacity = fields.Boolean(
        required=True, metadata={"description": "Full or over: one more request would take it over."}
    )


class BoardSchema(Schema):
    today = fields.Date(required=True, metadata={"description": "The day waits are counted to (London)."})
    cases = fields.List(
        fields.Nested(BoardCaseSchema),
        required=True,
        metadata={"description": "No active service first, then the longest wait, then the highest risk."},
    )
    loads = fields.List(fields.Nested(ServiceLoadSchema), required=True)
