"""The API schemas of disruption actions (/api/v1/disruption-actions): an action as
scripts read it, and what they send to record or change one. Dates travel as YYYY-MM-DD
text and ids as whole numbers; intelligence/disruptions.py checks the values and names
the field of each bad one."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, Range

from mettrack.api.schemas import UTCDateTime, listed, save_anyway_field
from mettrack.core.choices import CawnSection, DisruptionStatus
from mettrack.core.limits import DATABASE_INT_MAX, MAX_DISRUPTION_DETAILS

ID = dict(strict=True, allow_none=True, validate=Range(min=1, max=DATABASE_INT_MAX))


class ProtectedChildSchema(Schema):
    case_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Null when you may not see the case's record (the name is then hidden)."},
    )
    name = fields.String(
        required=True, metadata={"description": "The child's name, or “a child (no access)”."}
    )


class DisruptionSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "The kind's code in the catalogue."})
    kind_name = fields.String(required=True)
    has_expiry = fields.Boolean(required=True)
    checks_cawn = fields.Boolean(required=True)
    person_id = fields.Integer(required=True, allow_none=True)
    location_id = fields.Integer(required=True, allow_none=True)
    owner_agency_id = fields.Integer(required=True)
    owner_user_id = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True, metadata={"description": listed(DisruptionStatus)})
    planned_on = fields.Date(required=True, allow_none=True)
    starts_on = fields.Date(required=True, allow_none=True, metadata={"description": "In force from."})
    expires_on = fields.Date(required=True, allow_none=True)
    ended_on = fields.Date(required=True, allow_none=True)
    details = fields.String(required=True, allow_none=True)
    cawn_section = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": f"For a CAWN, the section it cites: {listed(CawnSection)}."},
    )
    protected = fields.List(fields.Nested(ProtectedChildSchema), required=True)
    created_at = UTCDateTime(required=False)
    version = fields.Integer(
        strict=True,
        required=True,
        metadata={"description": "Send it with the next change (a stale one gets 409)."},
    )


class DisruptionListSchema(Schema):
    items = fields.List(fields.Nested(DisruptionSchema), required=True)


class DisruptionListArgsSchema(Schema):
    person_id = fields.Integer(validate=Range(min=1, max=DATABASE_INT_MAX))
    location_id = fields.Integer(validate=Range(min=1, max=DATABASE_INT_MAX))


def _date(description: str) -> fields.String:
    return fields.String(allow_none=True, metadata={"description": f"{description} (YYYY-MM-DD)."})


class _DisruptionInput(Schema):
    person_id = fields.Integer(
        metadata={"description": "A person of concern (this, a location or both)."}, **ID
    )
    location_id = fields.Integer(metadata={"description": "A location (this, a person or both)."}, **ID)
    owner_agency_id = fields.Integer(
        metadata={"description": "The agency that owns it (default: yours)."}, **ID
    )
    owner_user_id = fields.Integer(
        metadata={"description": "The user who owns it, reminded before it expires (default: none)."}, **ID
    )
    status = fields.String(metadata={"description": f"One of: {listed(DisruptionStatus)} (default planned)."})
    planned_on = _date("Planned for")
    starts_on = _date("In force from; needed for an order or notice in force")
    expires_on = _date("Expiry; needed for an order or notice in force, after starts_on")
    ended_on = _date("When it ended")
    details = fields.String(
        allow_none=True,
        validate=Length(max=MAX_DISRUPTION_DETAILS),
        metadata={"description": "What was done and by whom (language-checked)."},
    )
    save_anyway = save_anyway_field()
    protected_case_ids = fields.List(
        fields.Integer(strict=True, validate=Range(min=1, max=DATABASE_INT_MAX)),
        metadata={
            "description": "The cases of the children it protects (cases you may see). A CAWN names exactly "
            "one: the child's age and looked-after status decide its section, and a child neither section "
            "covers is refused (422 naming this field, saying why)."
        },
    )


class DisruptionCreateSchema(_DisruptionInput):
    kind = fields.String(
        required=True,
        metadata={"description": "The code of an offered kind in the catalogue, e.g. sro, cawn."},
    )


class DisruptionPatchSchema(_DisruptionInput):
    version = fields.Integer(strict=True, required=True)
    kind = fields.String(metadata={"description": "The code of an offered kind in the catalogue."})
