"""marshmallow schemas of the API's resources: the fields a partner's script can rely on.

Only the fields listed here leave the system through the API; adding one is a decision
about what partners see, not a side effect of a model change.
"""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, pre_load
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.problems import ProblemSchema
from mettrack.cases.projection import SUMMARY_WITHHELD_CASE, SUMMARY_WITHHELD_CHILD
from mettrack.core.limits import DATABASE_INT_MAX, max_length
from mettrack.domain.choices import (
    CaseAction,
    CaseFlag,
    CaseState,
    ExploitationType,
    HarmLocation,
    IndicatorGroup,
    IndicatorPeriod,
    IndicatorRating,
    LookedAfterStatus,
    NrmDecision,
    RhiStatus,
    RiskLevel,
    ScreeningAnswer,
    ScreeningOutcome,
)
from mettrack.models import MissingEpisode
from mettrack.services import cases as case_reads
from mettrack.services import missing, service_assignments


def listed(choice_set) -> str:
    """The codes of an enumeration as a field description names them, built from its one
    definition in domain/choices.py, so the documentation cannot fall behind it."""
    return ", ".join(member.value for member in choice_set)


DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
# Far beyond any real list; it keeps the row offset within what the database takes.
MAX_PAGE = 1_000_000


def save_anyway_field() -> fields.Boolean:
    """The confirmation a request sends to save text the language check flags."""
    return fields.Boolean(
        load_default=False,
        metadata={
            "description": "Save even if the language check flags phrases in the free text (what was "
            "flagged is recorded in the audit log, by list entry, never the text). False: text with "
            "findings is not saved and the 422 problem lists them in `findings`."
        },
    )


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


class _Computed:
    """A field whose value a function of the object gives (documented with the type of
    the field class it is mixed into)."""

    def __init__(self, function, **kwargs):
        super().__init__(**kwargs)
        self.function = function

    def serialize(self, attr, obj, accessor=None, **kwargs):
        return self.function(obj)


class ComputedBoolean(_Computed, fields.Boolean):
    pass


class ComputedStrings(_Computed, fields.List):
    def __init__(self, function, **kwargs):
        super().__init__(function, cls_or_instance=fields.String(), **kwargs)


class ChildSummarySchema(Schema):
    """A projected child (mettrack/cases/projection.py): what the viewer may see is decided there."""

    id = fields.Integer(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    age = fields.Function(
        lambda c: c.age,
        required=True,
        metadata={
            "type": "integer",
            "nullable": True,
            "description": "Age in whole years today (UK time); null: the date of birth is not known.",
        },
    )
    aliases = fields.Function(
        lambda c: c.alias_list,
        required=True,
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "nullable": True,
            "description": "Null in a case summary (the case's `access` is `summary`).",
        },
    )
    date_of_birth = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "Null: not known, or withheld in a case summary."},
    )
    looked_after = fields.Boolean(
        required=True, allow_none=True, metadata={"description": "Null in a case summary."}
    )


class CaseSchema(Schema):
    """A projected case (mettrack/cases/projection.py, given by the view): what a case
    summary withholds already reads None, so this only serialises."""

    id = fields.Integer(required=True)
    access = fields.Function(
        lambda c: c.access,
        required=True,
        metadata={
            "type": "string",
            "enum": ["full", "summary"],
            "description": "full: the case within your need-to-know. summary: an open case a "
            "coordinator is not on the team of; only what assigning a service needs is given, "
            f"and {', '.join(SUMMARY_WITHHELD_CASE)} and the child's "
            f"{', '.join(SUMMARY_WITHHELD_CHILD)} are null.",
        },
    )
    version = fields.Integer(
        strict=True,
        required=True,
        metadata={"description": "The case's version: send it with the next change (a stale one gets 409)."},
    )
    child_id = fields.Integer(required=True)
    child = fields.Nested(ChildSummarySchema, required=True)
    state = fields.String(required=True, validate=OneOf(CaseState.values()))
    risk_level = fields.String(
        required=True,
        allow_none=True,
        validate=OneOf(RiskLevel.values()),
        metadata={"description": "Null: not set."},
    )
    opened_at = UTCDateTime(required=True)
    closed_at = UTCDateTime(required=True, allow_none=True)
    lead_professional = fields.Nested(UserRefSchema, required=True, allow_none=True)
    lead_agency = fields.Function(
        lambda c: c.lead_agency_name,
        required=True,
        metadata={"type": "string", "nullable": True, "description": "The lead professional's agency."},
    )
    team = fields.List(
        fields.Nested(TeamMemberSchema),
        required=True,
        allow_none=True,
        metadata={"description": "Null in a case summary."},
    )
    exploitation_types = ComputedStrings(
        lambda c: c.exploitation_types,
        required=True,
        metadata={"description": f"{listed(ExploitationType)} (a child can be on the list for both)."},
    )
    flags = ComputedStrings(
        lambda c: c.flags,
        required=True,
        allow_none=True,
        metadata={"description": f"{listed(CaseFlag)}."},
    )
    harm_locations = ComputedStrings(
        lambda c: c.harm_locations,
        required=True,
        allow_none=True,
        metadata={"description": f"Where the harm happens: {listed(HarmLocation)}."},
    )
    police_tier = fields.String(
        required=True, allow_none=True, metadata={"description": "A police tier's code."}
    )
    police_team = fields.String(
        required=True, allow_none=True, metadata={"description": "The holding team's code."}
    )
    next_review_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "The next MET review date; null: not set."}
    )
    referred_at = UTCDateTime(required=True, allow_none=True)
    mash_reference = fields.String(required=True, allow_none=True)
    referral_outcome = fields.String(required=True, allow_none=True)
    referral_override_reason = fields.String(required=True, allow_none=True)
    nrm_referred_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "National Referral Mechanism referral date."}
    )
    nrm_reasonable_grounds = fields.String(
        required=True, allow_none=True, metadata={"description": "pending, positive or negative."}
    )
    nrm_reasonable_grounds_on = fields.Date(required=True, allow_none=True)
    nrm_conclusive_grounds = fields.String(
        required=True, allow_none=True, metadata={"description": "pending, positive or negative."}
    )
    nrm_conclusive_grounds_on = fields.Date(required=True, allow_none=True)
    closure_reason = fields.String(
        required=True, allow_none=True, metadata={"description": "An exit reason's code."}
    )
    closure_note = fields.String(required=True, allow_none=True)
    open_missing_episode = ComputedBoolean(
        lambda c: c.open_missing_episode,
        required=True,
        allow_none=True,
        metadata={"description": "Missing now: an episode with no return recorded."},
    )
    rhi_overdue = ComputedBoolean(
        lambda c: c.rhi_overdue,
        required=True,
        allow_none=True,
        metadata={"description": "A Return Home Interview not recorded 72 hours after a return."},
    )
    repeat_missing = ComputedBoolean(
        lambda c: c.repeat_missing,
        required=True,
        allow_none=True,
        metadata={
            "description": "Missing repeatedly (the partnership's count and period, default 3 in 90 days)."
        },
    )
    review_overdue = ComputedBoolean(
        lambda c: c.review_overdue,
        required=True,
        metadata={"description": "Open, and the next review date is before today (Europe/London)."},
    )


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Cases matching, on all pages."})
    pages = fields.Integer(required=True)


def _choices(name: str, choices):
    """Validates a whole list (so that the error names the field, not "field.0"); the
    items' enum is documented on the item field (_item)."""
    choices = list(choices)

    def validate(values) -> None:
        if any(value not in choices for value in values):
            raise ValidationError(f"Choose each {name} from: {', '.join(choices)}")

    return validate


def _item(choices) -> fields.String:
    return fields.String(metadata={"enum": list(choices)})


class _CaseFilterFields(Schema):
    """The case list's filters (services/cases.py CaseFilters). Repeat a multi-choice
    field for "any of these"; different fields all apply."""

    state = fields.List(
        _item(CaseState.values()),
        validate=_choices("state", CaseState.values()),
        metadata={"description": "Cases in any of these states."},
    )
    risk_level = fields.List(_item(RiskLevel.values()), validate=_choices("risk level", RiskLevel.values()))
    exploitation_type = fields.List(
        _item(case_reads.CHOICES["exploitation_type"]),
        validate=_choices("exploitation type", case_reads.CHOICES["exploitation_type"]),
        metadata={"description": f"Cases with any of these exploitation types ({listed(ExploitationType)})."},
    )
    flag = fields.List(
        _item(case_reads.CHOICES["flag"]),
        validate=_choices("flag", case_reads.CHOICES["flag"]),
        metadata={"description": "Cases with any of these flags."},
    )
    harm_location = fields.List(
        _item(case_reads.CHOICES["harm_location"]),
        validate=_choices("place of harm", case_reads.CHOICES["harm_location"]),
        metadata={"description": "Cases where harm happens in any of these places."},
    )
    police_tier = fields.List(
        fields.String(), metadata={"description": "Police tier codes (reference data)."}
    )
    review_overdue = fields.Boolean(metadata={"description": "Open cases whose next review date has passed."})
    rhi_overdue = fields.Boolean(
        metadata={"description": "Cases with a Return Home Interview not recorded 72 hours after a return."}
    )
    open_missing_episode = fields.Boolean(metadata={"description": "Cases of children missing now."})
    repeat_missing = fields.Boolean(metadata={"description": "Cases of children missing repeatedly."})
    sort = fields.String(
        validate=OneOf(list(case_reads.SORTS), error=f"Sort by one of: {', '.join(case_reads.SORTS)}"),
        metadata={
            "description": "opened (newest first, the default), next_review (soonest first), "
            "risk (highest first)."
        },
    )
    page = fields.Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=DEFAULT_PER_PAGE, validate=Range(min=1, max=MAX_PER_PAGE))


class CaseListQuerySchema(_CaseFilterFields):
    lead_professional = fields.String(metadata={"description": "The lead professional's user id, or `me`."})

    @pre_load
    def _no_names_in_urls(self, data, **kwargs):
        if "q" in data:
            raise ValidationError(
                {"q": ["Search by name with POST /api/v1/cases/search: names are never put in URLs."]}
            )
        return data


class CaseSearchSchema(_CaseFilterFields):
    q = fields.String(
        required=True,
        validate=Length(min=1, max=case_reads.MAX_SEARCH),
        metadata={
            "description": "A name or part of one: first name, last name or alias, any letter case. "
            "Every word must match. Not written to the audit log."
        },
    )
    lead_professional = fields.Raw(metadata={"description": "The lead professional's user id, or `me`."})


# --- specialist services on a case (mettrack/api/service_assignments.py)


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
    note = fields.String(allow_none=True, validate=Length(max=service_assignments.MAX_NOTE))
    save_anyway = save_anyway_field()


# --- missing episodes (mettrack/api/missing.py)


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
    rhi_status = fields.String(required=True, allow_none=True, validate=OneOf(RhiStatus.values()))
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
    where_found = fields.String(allow_none=True, validate=Length(max=missing.MAX_WHERE_FOUND))
    save_anyway = save_anyway_field()


class MissingEpisodeCreateSchema(_ReturnFields):
    went_missing_at = AwareDateTime(required=True, metadata={"description": "With its UTC offset."})
    police_reference = fields.String(
        allow_none=True, validate=Length(max=max_length(MissingEpisode.police_reference))
    )
    reported_by = fields.String(allow_none=True, validate=Length(max=max_length(MissingEpisode.reported_by)))


class MissingEpisodeUpdateSchema(_ReturnFields):
    rhi_status = fields.String(allow_none=True, validate=OneOf(RhiStatus.values()))
    rhi_offered_at = AwareDateTime(allow_none=True)
    rhi_held_at = AwareDateTime(allow_none=True)
    rhi_by = fields.String(
        allow_none=True,
        validate=Length(max=max_length(MissingEpisode.rhi_by)),
        metadata={"description": "Who held the interview: someone independent of the child's care."},
    )
    rhi_learning = fields.String(allow_none=True, validate=Length(max=missing.MAX_RHI_LEARNING))


# --- the child's record (mettrack/api/children.py) ---------------------------------------
# Types only here: mettrack/services/children.py checks the values (lengths, dates, the
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


# --- case lifecycle: screenings and moves (mettrack/api/screenings.py, mettrack/api/transitions.py)

# Every move a script can ask for; a case is opened by posting a screening instead.
TRANSITION_ACTIONS = [a for a in CaseAction.values() if a != CaseAction.OPEN_BY_SCREENING]


class LifecycleCaseSchema(CaseSchema):
    version = fields.Integer(
        strict=True,
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
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The case's version you last read."},
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
    save_anyway = save_anyway_field()


class OfferedMoveSchema(Schema):
    action = fields.String(required=True)
    label = fields.String(required=True)
    possible = fields.Boolean(required=True)
    reasons = fields.List(
        fields.String(), required=True, metadata={"description": "What is missing, if not possible."}
    )


class TransitionOptionsSchema(Schema):
    case_id = fields.Integer(required=True)
    state = fields.String(required=True, validate=OneOf(CaseState.values()))
    version = fields.Integer(strict=True, required=True)
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


# --- risk assessments (mettrack/api/risk_assessments.py) ---------------------------------
# Types here; mettrack/services/risk_assessments.py checks the values and names the field
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


# --- case notes and the language check (mettrack/api/notes.py) ---------------------------
# Types here; mettrack/services/notes.py checks the note (required, length) and names
# the field, so pages and scripts get the same messages.


class LanguageFindingSchema(Schema):
    text = fields.String(required=True, metadata={"description": "The phrase as written in the text."})
    start = fields.Integer(required=True, metadata={"description": "Where it starts in the text (0-based)."})
    end = fields.Integer(required=True, metadata={"description": "Where it ends (exclusive)."})
    phrase = fields.String(
        required=True, metadata={"description": "The entry of the language list it matched."}
    )
    suggestion = fields.String(required=True, metadata={"description": "Better wording."})
    why = fields.String(required=True, metadata={"description": "Why it matters."})


class FlaggedFindingSchema(LanguageFindingSchema):
    field = fields.String(
        required=True, metadata={"description": "The field of the request the phrase is in."}
    )


class LanguageProblemSchema(ProblemSchema):
    """A 422 problem; when the language check flagged wording (save_anyway false),
    `findings` lists each phrase with a better one."""

    findings = fields.List(
        fields.Nested(FlaggedFindingSchema),
        metadata={
            "description": "Only when the language check flagged wording: each phrase as written, "
            "the field it is in, the list entry it matched and the suggested wording. Nothing was saved."
        },
    )


class NoteSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    body = fields.String(required=True)
    author = fields.Nested(UserRefSchema, required=True)
    author_agency = fields.String(required=True, metadata={"description": "The author's agency."})
    written_at = UTCDateTime(required=True)
    flagged_phrases = fields.List(
        fields.Nested(LanguageFindingSchema),
        required=True,
        metadata={
            "description": "What the language check flagged when the note was saved anyway; empty if none."
        },
    )


class NoteListSchema(Schema):
    items = fields.List(fields.Nested(NoteSchema), required=True, metadata={"description": "Newest first."})


class NoteCreateSchema(Schema):
    body = fields.String(required=True, metadata={"description": "The note; up to 10,000 characters."})
    save_anyway = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Save even if the language check flags phrases (they are recorded with "
            "the note). False: a note with findings is not saved and 422 lists them."
        },
    )


class LanguageCheckRequestSchema(Schema):
    text = fields.String(required=True, metadata={"description": "Up to 20,000 characters."})


class LanguageCheckResultSchema(Schema):
    findings = fields.List(
        fields.Nested(LanguageFindingSchema),
        required=True,
        metadata={"description": "In the order they occur; empty when the text reads well."},
    )


# --- the case team and the case's classification (mettrack/api/case_team.py, case_classification.py)


class CaseTeamMemberSchema(Schema):
    id = fields.Integer(attribute="user_id", required=True, metadata={"description": "The user's id."})
    name = fields.String(attribute="user.name", required=True)
    agency = fields.String(
        attribute="user.agency.name", required=True, metadata={"description": "Agency name."}
    )
    team_role = fields.String(required=True, metadata={"description": "lead or member."})
    active = fields.Boolean(
        attribute="user.active",
        required=True,
        metadata={"description": "False: the account is deactivated (a lead like that must be replaced)."},
    )
    added_at = UTCDateTime(required=True)


class CaseTeamSchema(Schema):
    case_id = fields.Integer(required=True)
    version = fields.Integer(
        strict=True,
        required=True,
        metadata={"description": "The case's version: send it to change the lead professional."},
    )
    lead_professional = fields.Nested(UserRefSchema, required=True, allow_none=True)
    members = fields.List(
        fields.Nested(CaseTeamMemberSchema),
        required=True,
        metadata={"description": "Everyone on the team, the lead professional first."},
    )


class CaseTeamAddSchema(Schema):
    user_id = fields.Integer(
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "An active user of any agency holding a case role."},
    )


class CaseLeadChangeSchema(Schema):
    user_id = fields.Integer(
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "An active user holding the lead_professional role."},
    )
    version = fields.Integer(
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The case version you last read."},
    )
    remove_previous = fields.Boolean(
        load_default=False,
        metadata={"description": "Also take the previous lead off the team (default: they stay a member)."},
    )


class NrmSchema(Schema):
    referred_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "Date of the NRM referral; null: none."}
    )
    reasonable_grounds = fields.String(
        required=True,
        allow_none=True,
        validate=OneOf(NrmDecision.values()),
        metadata={"description": "pending (awaited), positive or negative; null: not recorded."},
    )
    reasonable_grounds_on = fields.Date(required=True, allow_none=True)
    conclusive_grounds = fields.String(
        required=True,
        allow_none=True,
        validate=OneOf(NrmDecision.values()),
        metadata={"description": "After a positive reasonable grounds decision only."},
    )
    conclusive_grounds_on = fields.Date(required=True, allow_none=True)


def _codes(enum, description: str):
    return fields.List(
        fields.String(validate=OneOf(enum.values())),
        required=True,
        metadata={"description": description},
    )


class CaseClassificationSchema(Schema):
    case_id = fields.Integer(required=True)
    version = fields.Integer(
        strict=True,
        required=True,
        metadata={"description": "The case's version: send it with the next change."},
    )
    exploitation_types = _codes(
        ExploitationType, f"{listed(ExploitationType)}: a child can be exploited in both ways."
    )
    flags = _codes(CaseFlag, f"{listed(CaseFlag)}.")
    harm_locations = _codes(HarmLocation, f"Where the harm happens: {listed(HarmLocation)}.")
    nrm = fields.Nested(NrmSchema, required=True)


class CaseClassificationUpdateSchema(Schema):
    exploitation_types = _codes(
        ExploitationType,
        f"One or more of {listed(ExploitationType)}; at least one once the case is referred and "
        "while it is open.",
    )
    flags = _codes(CaseFlag, f"{listed(CaseFlag)}; [] for none.")
    harm_locations = _codes(HarmLocation, f"{listed(HarmLocation)}; [] for none.")
    nrm = fields.Nested(
        NrmSchema,
        required=True,
        metadata={"description": "All five fields; null for what is not recorded (all null: no referral)."},
    )
    version = fields.Integer(
        required=True,
        strict=True,
        validate=Range(min=1, max=DATABASE_INT_MAX),
        metadata={"description": "The case version you last read."},
    )
