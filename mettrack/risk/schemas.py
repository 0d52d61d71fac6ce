"""The API schemas of risk (fields, requests, responses)."""

from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import OneOf, Range

from mettrack.api.schemas import UserRefSchema, UTCDateTime, save_anyway_field
from mettrack.core.choices import IndicatorGroup, IndicatorPeriod, IndicatorRating, RiskLevel
from mettrack.core.limits import DATABASE_INT_MAX


# Types here; mettrack/risk/assessments.py checks the values and names the field
# (`ratings.<code>.reason`), so pages and scripts get the same messages.
class RiskIndicatorSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable: never renamed."})
    group = fields.String(required=True, validate=OneOf(IndicatorGroup.values()))
    group_label = fields.Function(lambda i: IndicatorGroup(i.group).label, required=True)
    label = fields.String(required=True)
    sort_order = fields.Integer(required=True, metadata={"description": "The order within its group."})


class RiskIndicatorListSchema(Schema):
    items = fields.List(
        fields.Nested(RiskIndicatorSchema),
        required=True,
        metadata={"description": "The active indicators, in the order the form shows them."},
    )


class RiskRatingInputSchema(Schema):
    rating = fields.String(
        required=True,
        metadata={"description": "none, low, medium or high.", "enum": IndicatorRating.values()},
    )
    period = fields.String(
        allow_none=True,
        metadata={
            "description": "current (last 3 months) or previous (3 to 6 months ago); required unless "
            "the rating is none.",
            "enum": IndicatorPeriod.values(),
        },
    )
    reason = fields.String(
        allow_none=True,
        metadata={"description": "Required unless the rating is none; up to 2000 characters."},
    )


class RatingsByCode(fields.Dict):
    """An object keyed by indicator code. A bad rating's errors are named
    `ratings.<code>.<field>` (marshmallow would put `value` between the code and field)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as error:
            messages = error.messages
            if isinstance(messages, dict):
                messages = {
                    key: inner.get("value", inner) if isinstance(inner, dict) else inner
                    for key, inner in messages.items()
                }
            raise ValidationError(messages) from None


class RiskAssessmentRequestSchema(Schema):
    version = fields.Integer(
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The case's version you last read; 409 if stale."},
    )
    ratings = RatingsByCode(
        keys=fields.String(),
        values=fields.Nested(RiskRatingInputSchema),
        load_default=dict,
        metadata={
            "description": "Keyed by indicator code (GET /api/v1/risk-indicators). An active indicator left "
            "out is recorded as none."
        },
    )
    chosen_level = fields.String(
        required=True,
        metadata={
            "description": "The overall level you set: low, medium or high.",
            "enum": RiskLevel.values(),
        },
    )
    rationale = fields.String(
        required=True,
        metadata={"description": "Why this level, especially when it differs from the suggestion."},
    )
    save_anyway = save_anyway_field()


class RiskRatingSchema(Schema):
    code = fields.String(attribute="indicator.code", required=True)
    group = fields.String(attribute="indicator.group", required=True)
    label = fields.String(attribute="indicator.label", required=True)
    indicator_active = fields.Boolean(
        attribute="indicator.active",
        required=True,
        metadata={"description": "False: the indicator is no longer offered on new assessments."},
    )
    rating = fields.String(required=True, validate=OneOf(IndicatorRating.values()))
    period = fields.String(required=True, validate=OneOf(IndicatorPeriod.values()))
    reason = fields.String(required=True, allow_none=True)


class RiskAssessmentSchema(Schema):
    id = fields.Integer(attribute="assessment.id", required=True)
    case_id = fields.Integer(attribute="assessment.case_id", required=True)
    current = fields.Boolean(
        required=True, metadata={"description": "True for the case's latest assessment."}
    )
    assessed_at = UTCDateTime(attribute="assessment.assessed_at", required=True)
    assessed_by = fields.Nested(UserRefSchema, attribute="assessment.assessed_by", required=True)
    suggested_level = fields.String(
        attribute="assessment.suggested_level",
        required=True,
        validate=OneOf(RiskLevel.values()),
        metadata={"description": "The system's suggestion when the assessment was made."},
    )
    chosen_level = fields.String(
        attribute="assessment.chosen_level",
        required=True,
        validate=OneOf(RiskLevel.values()),
        metadata={"description": "The level the professional set: it decides."},
    )
    differs_from_suggestion = fields.Boolean(attribute="differs", required=True)
    rationale = fields.String(attribute="assessment.rationale", required=True)
    intervention_required = fields.Boolean(
        required=True, metadata={"description": "True when any indicator is present, at any level."}
    )
    next_review_on = fields.Date(attribute="assessment.next_review_on", required=True)
    ratings = fields.List(
        fields.Nested(RiskRatingSchema),
        required=True,
        metadata={"description": "Every indicator rated, none included, in form order."},
    )


class RiskAssessmentRecordedSchema(RiskAssessmentSchema):
    case_version = fields.Integer(
        strict=True,
        required=True,
        metadata={"description": "The case's new version: send it with the next change."},
    )


class RiskAssessmentListSchema(Schema):
    items = fields.List(
        fields.Nested(RiskAssessmentSchema),
        required=True,
        metadata={"description": "Newest first; the first is current."},
    )
