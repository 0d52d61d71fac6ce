"""The API schemas of cases (fields, requests, responses)."""

from marshmallow import Schema, ValidationError, fields, pre_load
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.schemas import (
    DEFAULT_PER_PAGE,
    MAX_PAGE,
    MAX_PER_PAGE,
    ComputedBoolean,
    ComputedStrings,
    UserRefSchema,
    UTCDateTime,
    _choices,
    _codes,
    _item,
    listed,
    save_anyway_field,
)
from mettrack.cases import queries as case_reads
from mettrack.cases.projection import SUMMARY_WITHHELD_CASE, SUMMARY_WITHHELD_CHILD
from mettrack.core.choices import (
    CaseAction,
    CaseFlag,
    CaseState,
    ExploitationType,
    HarmLocation,
    NrmDecision,
    RiskLevel,
)
from mettrack.core.limits import DATABASE_INT_MAX


class TeamMemberSchema(Schema):
    id = fields.Integer(attribute="user_id", required=True, metadata={"description": "The user's id."})
    name = fields.String(attribute="user.name", required=True)
    agency = fields.String(
        attribute="user.agency.name", required=True, metadata={"description": "Agency name."}
    )


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


class _CaseFilterFields(Schema):
    """The case list's filters (cases/queries.py CaseFilters). Repeat a multi-choice
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
    officer = fields.String(
        metadata={"description": "set_police_tier: optional, the officer in charge (name and collar)."}
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
