"""marshmallow schemas of the API's resources: the fields a partner's script can rely on.

Only the fields listed here leave the system through the API; adding one is a decision
about what partners see, not a side effect of a model change.
"""

from datetime import UTC

from marshmallow import Schema, fields
from marshmallow.validate import OneOf, Range

from mettrack.domain.choices import CaseState, RiskLevel

CASE_STATES = [s.value for s in CaseState]
RISK_LEVELS = [r.value for r in RiskLevel]

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
# Far beyond any real list; it keeps the row offset within what the database takes.
MAX_PAGE = 1_000_000


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC (`2026-03-01T09:30:00+00:00`), whatever zone the value is in."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.astimezone(UTC).isoformat()


class UserRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class TeamMemberSchema(Schema):
    id = fields.Integer(attribute="user_id", required=True, metadata={"description": "The user's id."})
    name = fields.String(attribute="user.name", required=True)
    agency = fields.String(
        attribute="user.agency.name", required=True, metadata={"description": "Agency name."}
    )


class CaseSchema(Schema):
    id = fields.Integer(required=True)
    child_id = fields.Integer(required=True)
    state = fields.String(required=True, validate=OneOf(CASE_STATES))
    risk_level = fields.String(
        required=True,
        allow_none=True,
        validate=OneOf(RISK_LEVELS),
        metadata={"description": "Null: not set."},
    )
    opened_at = UTCDateTime(required=True)
    closed_at = UTCDateTime(required=True, allow_none=True)
    lead_professional = fields.Nested(UserRefSchema, required=True, allow_none=True)
    team = fields.List(fields.Nested(TeamMemberSchema), required=True)


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Cases matching, on all pages."})
    pages = fields.Integer(required=True)


class CaseListQuerySchema(Schema):
    state = fields.String(validate=OneOf(CASE_STATES), metadata={"description": "Only cases in this state."})
    page = fields.Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=DEFAULT_PER_PAGE, validate=Range(min=1, max=MAX_PER_PAGE))


class ChildSchema(Schema):
    id = fields.Integer(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    date_of_birth = fields.Date(required=True, allow_none=True, metadata={"description": "Null: not known."})
    gender = fields.String(required=True, allow_none=True)
