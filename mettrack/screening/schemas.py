"""The API schemas of screening (fields, requests, responses)."""

from marshmallow import Schema, fields
from marshmallow.validate import OneOf

from mettrack.api.schemas import UserRefSchema, UTCDateTime, save_anyway_field
from mettrack.cases import LifecycleCaseSchema
from mettrack.core.choices import ScreeningAnswer, ScreeningOutcome


class ScreeningRequestSchema(Schema):
    screened_on = fields.Date(metadata={"description": "Today or earlier; default today."})
    child_age = fields.Integer(
        allow_none=True,
        strict=True,
        metadata={"description": "Used only when the child's date of birth is not known."},
    )
    went_missing = fields.Boolean(required=True, metadata={"description": "Question 1."})
    partner_age = fields.Integer(
        allow_none=True, strict=True, metadata={"description": "Question 2; null or left out when not known."}
    )
    controlling_relationship = fields.Boolean(required=True, metadata={"description": "Question 3."})
    frequents_exploitation_areas = fields.Boolean(required=True, metadata={"description": "Question 4."})
    notes = fields.String(allow_none=True)
    save_anyway = save_anyway_field()


class ScreeningSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    screened_on = fields.Date(required=True)
    child_age = fields.Integer(required=True)
    went_missing = fields.Boolean(required=True)
    partner_age = fields.Integer(required=True, allow_none=True)
    older_partner = fields.String(required=True, validate=OneOf(ScreeningAnswer.values()))
    controlling_relationship = fields.Boolean(required=True)
    frequents_exploitation_areas = fields.Boolean(attribute="frequenting_areas", required=True)
    outcome = fields.String(required=True, validate=OneOf(ScreeningOutcome.values()))
    notes = fields.String(required=True, allow_none=True)
    screened_by = fields.Nested(UserRefSchema, required=True)
    recorded_at = UTCDateTime(required=True)


class MashContactSchema(Schema):
    name = fields.String(required=True)
    phone = fields.String(required=True)
    email = fields.String(required=True)


class ScreeningRecordedSchema(Schema):
    screening = fields.Nested(ScreeningSchema, required=True)
    case = fields.Nested(LifecycleCaseSchema, required=True)
    case_started = fields.Boolean(
        required=True, metadata={"description": "True when this screening opened the case."}
    )
    refer = fields.Boolean(attribute="result.refer", required=True)
    explanation = fields.String(attribute="result.explanation", required=True)
    mash_contact = fields.Nested(
        MashContactSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Where to refer, when the screening has a yes; null otherwise."},
    )
