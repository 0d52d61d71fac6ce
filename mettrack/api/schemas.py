"""marshmallow schemas of the API's resources: the fields a partner's script can rely on.

Only the fields listed here leave the system through the API; adding one is a decision
about what partners see, not a side effect of a model change.
"""

from datetime import UTC

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.domain.choices import CaseAction, CaseState, LookedAfterStatus, RhiStatus, RiskLevel

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


# --- missing episodes (mettrack/api/missing.py)

RHI_STATUSES = [s.value for s in RhiStatus]


class AwareDateTime(fields.AwareDateTime):
    """An ISO 8601 timestamp with its offset (`2026-03-01T09:30:00+00:00`); given back in UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.astimezone(UTC).isoformat()


class MissingEpisodeSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    went_missing_at = UTCDateTime(required=True)
    returned_at = UTCDateTime(
        required=True, allow_none=True, metadata={"description": "Null: still missing."}
    )
    police_reference = fields.String(required=True, allow_none=True)
    reported_by = fields.String(required=True, allow_none=True)
    where_found = fields.String(required=True, allow_none=True)
    rhi_status = fields.String(required=True, allow_none=True, validate=OneOf(RHI_STATUSES))
    rhi_offered_at = UTCDateTime(required=True, allow_none=True)
    rhi_held_at = UTCDateTime(required=True, allow_none=True)
    rhi_by = fields.String(
        required=True, allow_none=True, metadata={"description": "Who held the Return Home Interview."}
    )
    rhi_learning = fields.String(required=True, allow_none=True)
    rhi_due_at = UTCDateTime(
        required=True,
        allow_none=True,
        metadata={"description": "72 hours after the return (statutory guidance, 2014); null while missing."},
    )
    rhi_overdue = fields.Boolean(
        required=True, metadata={"description": "Returned over 72 hours ago with no interview recorded."}
    )
    recorded_at = UTCDateTime(required=True)


class RepeatMissingSchema(Schema):
    flagged = fields.Boolean(required=True)
    episodes_in_period = fields.Integer(required=True)
    threshold = fields.Integer(
        required=True, metadata={"description": "Episodes that flag (a partnership setting)."}
    )
    days = fields.Integer(
        required=True, metadata={"description": "The period counted back from now, in days."}
    )


class MissingEpisodeListSchema(Schema):
    items = fields.List(
        fields.Nested(MissingEpisodeSchema), required=True, metadata={"description": "Newest first."}
    )
    repeat_missing = fields.Nested(RepeatMissingSchema, required=True)


class _ReturnFields(Schema):
    returned_at = AwareDateTime(allow_none=True, metadata={"description": "With its UTC offset."})
    where_found = fields.String(allow_none=True, validate=Length(max=2000))


class MissingEpisodeCreateSchema(_ReturnFields):
    went_missing_at = AwareDateTime(required=True, metadata={"description": "With its UTC offset."})
    police_reference = fields.String(allow_none=True, validate=Length(max=60))
    reported_by = fields.String(allow_none=True, validate=Length(max=200))


class MissingEpisodeUpdateSchema(_ReturnFields):
    rhi_status = fields.String(allow_none=True, validate=OneOf(RHI_STATUSES))
    rhi_offered_at = AwareDateTime(allow_none=True)
    rhi_held_at = AwareDateTime(allow_none=True)
    rhi_by = fields.String(
        allow_none=True,
        validate=Length(max=200),
        metadata={"description": "Who held the interview: someone independent of the child's care."},
    )
    rhi_learning = fields.String(allow_none=True, validate=Length(max=10000))


# --- the child's record (mettrack/api/children.py) ---------------------------------------
# Types only here: mettrack/services/children.py checks the values (lengths, dates, the
# NHS number's check digit), so pages and scripts get the same messages.

LOOKED_AFTER_STATUSES = [s.value for s in LookedAfterStatus]


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
        validate=OneOf(LOOKED_AFTER_STATUSES),
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
        required=True,
        metadata={"description": "The version you read; 409 when the record has changed since."},
    )


class ChildRecordSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True, metadata={"description": "Send it back with a PATCH."})
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


# --- case lifecycle: screenings and moves (mettrack/api/screenings.py, mettrack/api/transitions.py)

# Every move a script can ask for; a case is opened by posting a screening instead.
TRANSITION_ACTIONS = [a.value for a in CaseAction if a is not CaseAction.OPEN_BY_SCREENING]


class LifecycleCaseSchema(CaseSchema):
    version = fields.Integer(
        required=True,
        metadata={
            "description": "The case's version: send it with the next transition (a stale one gets 409)."
        },
    )
    referred_at = UTCDateTime(required=True, allow_none=True)
    mash_reference = fields.String(required=True, allow_none=True)
    referral_outcome = fields.String(required=True, allow_none=True)
    referral_override_reason = fields.String(required=True, allow_none=True)
    police_tier = fields.String(
        required=True, allow_none=True, metadata={"description": "A police tier's code."}
    )
    police_team = fields.String(
        required=True, allow_none=True, metadata={"description": "A police team's code."}
    )
    closure_reason = fields.String(
        required=True, allow_none=True, metadata={"description": "An exit reason's code."}
    )
    closure_note = fields.String(required=True, allow_none=True)


class TransitionRequestSchema(Schema):
    action = fields.String(required=True, validate=OneOf(TRANSITION_ACTIONS))
    version = fields.Integer(
        required=True, strict=True, metadata={"description": "The case's version you last read."}
    )
    reason = fields.String(
        metadata={
            "description": "send_to_met_review, send_back_to_review (optional); reopen: the new concerns."
        }
    )
    mash_reference = fields.String(metadata={"description": "refer: required."})
    referral_outcome = fields.String(metadata={"description": "refer: optional."})
    override_reason = fields.String(
        metadata={"description": "refer: why, when no screening has a yes (professional judgement)."}
    )
    police_tier = fields.String(metadata={"description": "set_police_tier: a police tier's code."})
    police_team = fields.String(
        metadata={"description": "set_police_tier: a holding team's code of that tier."}
    )
    service = fields.String(metadata={"description": "assign_service: a specialist service's code."})
    worker = fields.String(metadata={"description": "assign_service: optional."})
    accepted_on = fields.Date(metadata={"description": "assign_service: today or earlier."})
    exit_reason = fields.String(metadata={"description": "close: an exit reason's code."})
    note = fields.String(
        metadata={"description": "close, close_no_further_action: optional (close: required for `other`)."}
    )


class OfferedMoveSchema(Schema):
    action = fields.String(required=True)
    label = fields.String(required=True)
    possible = fields.Boolean(required=True)
    reasons = fields.List(
        fields.String(), required=True, metadata={"description": "What is missing, if not possible."}
    )


class TransitionOptionsSchema(Schema):
    case_id = fields.Integer(required=True)
    state = fields.String(required=True, validate=OneOf(CASE_STATES))
    version = fields.Integer(required=True)
    moves = fields.List(fields.Nested(OfferedMoveSchema), required=True)


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


class ScreeningSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    screened_on = fields.Date(required=True)
    child_age = fields.Integer(required=True)
    went_missing = fields.Boolean(required=True)
    partner_age = fields.Integer(required=True, allow_none=True)
    older_partner = fields.String(required=True, validate=OneOf(["yes", "no", "unknown"]))
    controlling_relationship = fields.Boolean(required=True)
    frequents_exploitation_areas = fields.Boolean(attribute="frequenting_areas", required=True)
    outcome = fields.String(required=True, validate=OneOf(["refer", "no_referral"]))
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
