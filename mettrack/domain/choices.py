"""Enumerations, each defined once and used by models, forms, API schemas and filters."""

from enum import StrEnum


class Role(StrEnum):
    MET_CHAIR = "met_chair"
    LEAD_PROFESSIONAL = "lead_professional"
    COORDINATOR = "coordinator"
    PARTNER = "partner"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.MET_CHAIR: "MET chair",
    Role.LEAD_PROFESSIONAL: "Lead professional",
    Role.COORDINATOR: "Coordinator",
    Role.PARTNER: "Partner agency practitioner",
    Role.ANALYST: "Analyst",
    Role.ADMIN: "Administrator",
}


class CaseState(StrEnum):
    SCREENED = "screened"
    REFERRED = "referred"
    MET_REVIEW = "met_review"
    POLICE_TIERED = "police_tiered"
    SERVICE_ASSIGNED = "service_assigned"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return CASE_STATE_LABELS[self]


CASE_STATE_LABELS = {
    CaseState.SCREENED: "Screened",
    CaseState.REFERRED: "Referred to Children's Services",
    CaseState.MET_REVIEW: "For MET review",
    CaseState.POLICE_TIERED: "Police tier set",
    CaseState.SERVICE_ASSIGNED: "Specialist service assigned",
    CaseState.CLOSED: "Closed",
}

OPEN_STATES = frozenset(CaseState) - {CaseState.CLOSED}


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        # The partnership's procedure names medium "moderate" and high "significant".
        return {"low": "Low", "medium": "Medium (moderate)", "high": "High (significant)"}[self]


class TeamRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"


class AuditOutcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


class ScreeningAnswer(StrEnum):
    """An answer to a CSERQ4 question; only question 2 can be unknown (partner's age not given)."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ScreeningOutcome(StrEnum):
    REFER = "refer"
    NO_REFERRAL = "no_referral"

    @property
    def label(self) -> str:
        return {"refer": "Refer to Children's Services", "no_referral": "No referral indicated"}[self]


class IndicatorGroup(StrEnum):
    """Groups of the risk assessment toolkit's indicators, in the order a form shows them."""

    MISSING = "missing"
    RELATIONSHIPS = "relationships"
    ASSOCIATIONS = "associations"
    BEHAVIOUR = "behaviour"
    HEALTH = "health"
    EDUCATION = "education"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return INDICATOR_GROUP_LABELS[self]


INDICATOR_GROUP_LABELS = {
    IndicatorGroup.MISSING: "Going missing and being moved",
    IndicatorGroup.RELATIONSHIPS: "Relationships and family",
    IndicatorGroup.ASSOCIATIONS: "People and places",
    IndicatorGroup.BEHAVIOUR: "Behaviour and belongings",
    IndicatorGroup.HEALTH: "Physical, sexual and mental health",
    IndicatorGroup.EDUCATION: "Education",
    IndicatorGroup.ONLINE: "Online and phones",
}


class IndicatorRating(StrEnum):
    """How strongly an indicator is present, in ascending order (CERAF: none, low, medium, high)."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _INDICATOR_RATING_ORDER.index(self)


_INDICATOR_RATING_ORDER = tuple(IndicatorRating)  # the order of definition: none, low, medium, high


class IndicatorPeriod(StrEnum):
    """When an indicator was seen: current is the last 3 months, previous is 3 to 6 months ago (CERAF)."""

    CURRENT = "current"
    PREVIOUS = "previous"

    @property
    def label(self) -> str:
        return {"current": "Current (last 3 months)", "previous": "Previous (3 to 6 months ago)"}[self]


class ExploitationType(StrEnum):
    """The exploitation list is kept per type; a child can be on it for more than one."""

    CSE = "cse"
    CCE = "cce"

    @property
    def label(self) -> str:
        return {"cse": "Child sexual exploitation (CSE)", "cce": "Child criminal exploitation (CCE)"}[self]


class CaseFlag(StrEnum):
    TRAFFICKING = "trafficking"
    COUNTY_LINES = "county_lines"
    GANG_OCG = "gang_ocg"
    ONLINE = "online"
    MISSING_LINKED = "missing_linked"

    @property
    def label(self) -> str:
        return {
            "trafficking": "Trafficking",
            "county_lines": "County lines",
            "gang_ocg": "Gang or organised crime group",
            "online": "Online",
            "missing_linked": "Linked to going missing",
        }[self]


class HarmLocation(StrEnum):
    ONLINE = "online"
    PUBLIC_PLACE = "public_place"
    PRIVATE_ADDRESS = "private_address"
    HOTEL = "hotel"

    @property
    def label(self) -> str:
        return {
            "online": "Online",
            "public_place": "Public place",
            "private_address": "Private address",
            "hotel": "Hotel",
        }[self]


class CaseTagKind(StrEnum):
    """What a case_tags row records: one table, three enumerations."""

    EXPLOITATION_TYPE = "exploitation_type"
    FLAG = "flag"
    HARM_LOCATION = "harm_location"


class LookedAfterStatus(StrEnum):
    """Which order or section a looked-after child is accommodated under (Children Act 1989)."""

    SECTION_20 = "s20"
    CARE_ORDER = "s31_care_order"
    INTERIM_CARE_ORDER = "s38_interim_care_order"
    EMERGENCY_PROTECTION_ORDER = "s44_epo"
    POLICE_PROTECTION = "s46_police_protection"
    PLACEMENT_ORDER = "placement_order"
    REMAND = "remand"
    OTHER = "other"


class NrmDecision(StrEnum):
    """National Referral Mechanism reasonable and conclusive grounds decisions."""

    PENDING = "pending"
    POSITIVE = "positive"
    NEGATIVE = "negative"


class RhiStatus(StrEnum):
    """A Return Home Interview: offered within 72 hours of return (statutory guidance, 2014)."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOT_POSSIBLE = "not_possible"


class ReferenceKind(StrEnum):
    """Lists an admin keeps: they differ between partnerships and forces."""

    POLICE_TIER = "police_tier"
    POLICE_TEAM = "police_team"
    SPECIALIST_SERVICE = "specialist_service"
    EXIT_REASON = "exit_reason"


class CaseAction(StrEnum):
    """The moves of a case between states; the table of moves is mettrack/domain/workflow.py."""

    OPEN_BY_SCREENING = "open_by_screening"
    REFER = "refer"
    CLOSE_NO_FURTHER_ACTION = "close_no_further_action"
    SEND_TO_MET_REVIEW = "send_to_met_review"
    SET_POLICE_TIER = "set_police_tier"
    ASSIGN_SERVICE = "assign_service"
    SEND_BACK_TO_REVIEW = "send_back_to_review"
    CLOSE = "close"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        return CASE_ACTION_LABELS[self]


CASE_ACTION_LABELS = {
    CaseAction.OPEN_BY_SCREENING: "Open a case from a screening",
    CaseAction.REFER: "Refer to Children's Services",
    CaseAction.CLOSE_NO_FURTHER_ACTION: "Close: no further action",
    CaseAction.SEND_TO_MET_REVIEW: "Send to MET review",
    CaseAction.SET_POLICE_TIER: "Set the police tier",
    CaseAction.ASSIGN_SERVICE: "Record the specialist service as assigned",
    CaseAction.SEND_BACK_TO_REVIEW: "Send back to MET review",
    CaseAction.CLOSE: "Close the case",
    CaseAction.REOPEN: "Reopen on new concerns",
}


class CaseEventKind(StrEnum):
    """Every kind of event on a case's timeline (CaseEvent.action): the workflow's moves
    (CaseAction, the same values), which change the state, and the records that do not
    (a change of the team, a referral's outcome), whose timeline entry is their reason."""

    OPEN_BY_SCREENING = CaseAction.OPEN_BY_SCREENING.value
    REFER = CaseAction.REFER.value
    CLOSE_NO_FURTHER_ACTION = CaseAction.CLOSE_NO_FURTHER_ACTION.value
    SEND_TO_MET_REVIEW = CaseAction.SEND_TO_MET_REVIEW.value
    SET_POLICE_TIER = CaseAction.SET_POLICE_TIER.value
    ASSIGN_SERVICE = CaseAction.ASSIGN_SERVICE.value
    SEND_BACK_TO_REVIEW = CaseAction.SEND_BACK_TO_REVIEW.value
    CLOSE = CaseAction.CLOSE.value
    REOPEN = CaseAction.REOPEN.value
    TEAM_MEMBER_ADDED = "team.member_added"
    TEAM_MEMBER_REMOVED = "team.member_removed"
    TEAM_LEAD_CHANGED = "team.lead_changed"
    REFERRAL_OUTCOME_RECORDED = "referral.outcome_recorded"

    @property
    def move(self) -> CaseAction | None:
        """The workflow move this event records, or None for an event that moves nothing."""
        return next((action for action in CaseAction if action == self.value), None)


TEAM_EVENTS = frozenset(
    {CaseEventKind.TEAM_MEMBER_ADDED, CaseEventKind.TEAM_MEMBER_REMOVED, CaseEventKind.TEAM_LEAD_CHANGED}
)
REFERRAL_EVENTS = frozenset({CaseEventKind.REFERRAL_OUTCOME_RECORDED})
