"""The API schemas of children (fields, requests, responses)."""

from marshmallow import Schema, fields
from marshmallow.validate import OneOf, Range

from mettrack.api.schemas import UTCDateTime
from mettrack.core.choices import LookedAfterStatus
from mettrack.core.limits import DATABASE_INT_MAX


# Types only here: mettrack/children/records.py checks the values (lengths, dates, the
# NHS number's check digit), so pages and scripts get the same messages.
class _ChildFieldsSchema(Schema):
    first_name = fields.String(metadata={"description": "Up to 100 characters."})
    last_name = fields.String(metadata={"description": "Up to 100 characters."})
    aliases = fields.List(
        fields.String(), allow_none=True, metadata={"description": "Other names the child is known by."}
    )
    date_of_birth = fields.Date(
        allow_none=True, metadata={"description": "Null: not known. Not in the future, within 25 years."}
    )
    gender = fields.String(allow_none=True)
    ethnicity = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    school = fields.String(allow_none=True)
    parent_carer_contacts = fields.String(allow_none=True)
    looked_after = fields.Boolean(allow_none=True)
    looked_after_status = fields.String(
        allow_none=True,
        validate=OneOf(LookedAfterStatus.values()),
        metadata={"description": "Required when looked_after is true; the order or section."},
    )
    social_worker = fields.String(allow_none=True, metadata={"description": "The allocated social worker."})
    nhs_number = fields.String(
        allow_none=True, metadata={"description": "10 digits with a valid check digit; spaces allowed."}
    )
    local_identifier = fields.String(allow_none=True)
    consistent_child_identifier = fields.String(allow_none=True)


class ChildCreateSchema(_ChildFieldsSchema):
    first_name = fields.String(required=True, metadata={"description": "Up to 100 characters."})
    last_name = fields.String(required=True, metadata={"description": "Up to 100 characters."})
    confirmed_no_match = fields.Boolean(
        load_default=False,
        metadata={
            "description": "True: you checked the likely matches a 409 answer listed and none of them "
            "is this child. Without it, a likely duplicate is refused."
        },
    )


class ChildPatchSchema(_ChildFieldsSchema):
    version = fields.Integer(
        strict=True,
        required=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The version you read; 409 when the record has changed since."},
    )


class ChildRecordSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(
        strict=True, required=True, metadata={"description": "Send it back with a PATCH."}
    )
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    aliases = fields.Function(lambda c: (c.aliases or "").splitlines(), required=True)
    date_of_birth = fields.Date(required=True, allow_none=True)
    gender = fields.String(required=True, allow_none=True)
    ethnicity = fields.String(required=True, allow_none=True)
    address = fields.String(required=True, allow_none=True)
    school = fields.String(required=True, allow_none=True)
    parent_carer_contacts = fields.String(required=True, allow_none=True)
    looked_after = fields.Boolean(required=True)
    looked_after_status = fields.String(required=True, allow_none=True)
    social_worker = fields.String(required=True, allow_none=True)
    nhs_number = fields.String(required=True, allow_none=True)
    local_identifier = fields.String(required=True, allow_none=True)
    consistent_child_identifier = fields.String(required=True, allow_none=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
