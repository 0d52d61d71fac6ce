"""marshmallow schemas of /api/v1/intelligence: what a script sends to share or grade
an item, and the fields an item leaves the system with (intelligence/items_api.py).

The source's details and the grading are nested objects, null for a caller who may not
see them (intelligence/sharing.py decides), so that no field is ever half-shown."""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.schemas import UTCDateTime, listed, save_anyway_field
from mettrack.core.choices import HandlingCode, IntelligenceAssessment, IntelligenceStatus, SourceEvaluation
from mettrack.core.limits import (
    DATABASE_INT_MAX,
    INTEL_CONDITIONS_MAX,
    INTEL_INFORMATION_MAX,
    INTEL_MAX_LINKED_CASES,
    INTEL_SANITISED_MAX,
    INTEL_SOURCE_TEXT_MAX,
    max_length,
)
from mettrack.intelligence import sharing
from mettrack.intelligence.models import IntelligenceItem


def _id(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=Range(min=1, max=DATABASE_INT_MAX), **kwargs)


def _text(length: int, *, required: bool = False, description: str = "") -> fields.String:
    options = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.String(validate=Length(max=length), metadata={"description": description}, **options)


# --- input ------------------------------------------------------------------------------


class ItemSubmitSchema(Schema):
    sharer_name = _text(max_length(IntelligenceItem.sharer_name), required=True)
    sharer_organisation = _text(max_length(IntelligenceItem.sharer_organisation), required=True)
    sharer_phone = _text(max_length(IntelligenceItem.sharer_phone))
    sharer_email = _text(max_length(IntelligenceItem.sharer_email))
    information = _text(INTEL_INFORMATION_MAX, required=True, description="What the sharer wants to share.")
    information_date = fields.Date(
        required=True, metadata={"description": "When it happened (not in the future)."}
    )
    information_place = _text(max_length(IntelligenceItem.information_place))
    source_name = _text(max_length(IntelligenceItem.source_name))
    source_date_of_birth = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "A real date in the past."}
    )
    source_address = _text(INTEL_SOURCE_TEXT_MAX)
    source_recontact = fields.Boolean(
        required=True, metadata={"description": "Whether the source can be re-contacted."}
    )
    source_recontact_how = _text(
        max_length(IntelligenceItem.source_recontact_how),
        description="Required when source_recontact is true.",
    )
    source_how_known = _text(INTEL_SOURCE_TEXT_MAX, required=True, description="How the source found out.")
    case_ids = fields.List(
        _id(),
        load_default=list,
        validate=Length(max=INTEL_MAX_LINKED_CASES),
        metadata={
            "description": "Children's cases to link: only cases whose record you may see (422 otherwise)."
        },
    )
    save_anyway = save_anyway_field()


class GradingSchema(Schema):
    source_evaluation = fields.String(
        required=True,
        validate=OneOf(SourceEvaluation.values()),
        metadata={"description": listed(SourceEvaluation)},
    )
    intelligence_assessment = fields.String(
        required=True,
        validate=OneOf(IntelligenceAssessment.values()),
        metadata={"description": listed(IntelligenceAssessment)},
    )
    handling_code = fields.String(
        required=True, validate=OneOf(HandlingCode.values()), metadata={"description": listed(HandlingCode)}
    )
    handling_conditions = _text(INTEL_CONDITIONS_MAX, description="Required for C; ignored for P.")
    grant_user_ids = fields.List(
        _id(), load_default=list, metadata={"description": "Users a C item's conditions name."}
    )
    grant_agency_ids = fields.List(
        _id(),
        load_default=list,
        metadata={"description": "Agencies a C item's conditions name (all their users)."},
    )
    sanitised_text = _text(
        INTEL_SANITISED_MAX, description="For partnership forums; P only (a C item never has one: ignored)."
    )
    version = fields.Integer(
        strict=True, required=True, metadata={"description": "The version read (a stale one gets 409)."}
    )
    save_anyway = save_anyway_field()


class LinkCreateSchema(Schema):
    case_id = _id(load_default=None, allow_none=True)
    location_id = _id(load_default=None, allow_none=True)
    person_id = _id(load_default=None, allow_none=True)


class ItemListQuerySchema(Schema):
    status = fields.List(fields.String(), metadata={"description": f"Any of: {listed(IntelligenceStatus)}."})
    handling = fields.List(
        fields.String(),
        metadata={"description": f"Any of: {listed(HandlingCode)} (items you see the handling of)."},
    )
    page = fields.Integer(load_default=1, validate=Range(min=1, max=sharing.MAX_PAGE))
    per_page = fields.Integer(
        load_default=sharing.DEFAULT_PER_PAGE, validate=Range(min=1, max=sharing.MAX_PER_PAGE)
    )


# --- output -----------------------------------------------------------------------------


class SharerSchema(Schema):
    name = fields.String(required=True)
    organisation = fields.String(required=True)
    phone = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)


class SourceSchema(Schema):
    name = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    address = fields.String(allow_none=True)
    recontact = fields.Boolean(allow_none=True)
    recontact_how = fields.String(allow_none=True)
    how_known = fields.String(allow_none=True)


class GrantSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "user or agency."})
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class GradingOutSchema(Schema):
    source_evaluation = fields.String(required=True)
    intelligence_assessment = fields.String(required=True)
    handling_code = fields.String(required=True)
    handling_conditions = fields.String(allow_none=True)
    grants = fields.List(fields.Nested(GrantSchema))
    sanitised_text = fields.String(allow_none=True, metadata={"description": "Always null for C."})
    graded_by_name = fields.String(allow_none=True)
    graded_at = UTCDateTime(allow_none=True)


class LinkSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "case, location or person."})
    target_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Null for a case whose record you may not see."},
    )
    label = fields.String(required=True)
    suggested_by_sharer = fields.Boolean(required=True)
    created_at = UTCDateTime(required=True)


class ItemSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True, metadata={"description": "What the acknowledgement quotes."})
    submitted_at = UTCDateTime(required=True)
    status = fields.String(required=True, metadata={"description": listed(IntelligenceStatus)})
    status_label = fields.String(required=True)
    sharer = fields.Nested(SharerSchema, required=True)
    information = fields.String(required=True)
    information_date = fields.Date(required=True)
    information_place = fields.String(allow_none=True)
    source = fields.Nested(
        SourceSchema,
        allow_none=True,
        metadata={"description": "Null unless you are a reviewer or the sharer."},
    )
    grading = fields.Nested(
        GradingOutSchema,
        allow_none=True,
        metadata={"description": "Null until graded, or when handling does not let you see it."},
    )
    links = fields.List(fields.Nested(LinkSchema))
    hidden_links = fields.Integer(metadata={"description": "Linked cases you may not see, as a count."})
    version = fields.Integer(strict=True, required=True)


class ItemRowSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    submitted_at = UTCDateTime(required=True)
    information_date = fields.Date(required=True)
    sharer_organisation = fields.String(required=True)
    excerpt = fields.String(required=True)
    status = fields.String(required=True)
    handling_code = fields.String(allow_none=True, metadata={"description": "Null when you may not see it."})


class ItemPageSchema(Schema):
    items = fields.List(fields.Nested(ItemRowSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class LinkCreatedSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    target_id = fields.Integer(required=True)
