"""ChoiceSet: an enumeration whose members carry their label (and, where a page shows them
as a tag, their GOV.UK tag colour), so that models, forms, API schemas and filters read
one definition (NetBox's utilities/choices.py is the model).

    class CaseState(ChoiceSet):
        SCREENED = "screened", "Screened", "grey"

`CaseState.SCREENED == "screened"`, `.label == "Screened"`, `.colour == "grey"`.
"""

from enum import StrEnum


class ChoiceSet(StrEnum):
    label: str
    colour: str | None

    def __new__(cls, value: str, label: str | None = None, colour: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        member.colour = colour
        return member

    @classmethod
    def values(cls) -> list[str]:
        """The stored codes, in the order of definition (what an API schema accepts)."""
        return [member.value for member in cls]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, label) pairs, in the order of definition (what a form offers)."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Each code's label, for a template that shows a stored code."""
        return dict(cls.choices())


class Role(ChoiceSet):
    MET_CHAIR = "met_chair", "MET chair"
    LEAD_PROFESSIONAL = "lead_professional", "Lead professional"
    COORDINATOR = "coordinator", "Coordinator"
    PARTNER = "partner", "Partner agency practitioner"
    ANALYST = "analyst", "Analyst"
    ADMIN = "admin", "Administrator"


class CaseState(ChoiceSet):
    """Colours: the GOV.UK tag (govuk-tag--*) a case's state is shown in."""

    SCREENED = "screened", "Screened", "grey"
    REFERRED = "referred", "Referred to Children's Services", "light-blue"
    MET_REVIEW = "met_review", "For MET review", "purple"
    POLICE_TIERED = "police_tiered", "Police tier set", "blue"
    SERVICE_ASSIGNED = "service_assigned", "Specialist service assigned", "teal"
    CLOSED = "closed", "Closed", "grey"


OPEN_STATES = frozenset(CaseState) - {CaseState.CLOSED}


class RiskLevel(ChoiceSet):
    # The partnership's procedure names medium "moderate" and high "significant".
    LOW = "low", "Low", "green"
    MEDIUM = "medium", "Medium (moderate)", "yellow"
    HIGH = "high", "High (significant)", "red"


# Highest risk first, as every list that orders by risk reads it; an unrated case after.
RISK_RANK = {RiskLevel.HIGH.value: 0, RiskLevel.MEDIUM.value: 1, RiskLevel.LOW.value: 2}
UNRATED_RANK = len(RISK_RANK)


class TeamRole(ChoiceSet):
    LEAD = "lead"
    MEMBER = "member"


class AuditOutcome(ChoiceSet):
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


class ScreeningAnswer(ChoiceSet):
    """An answer to a CSERQ4 question; only question 2 can be unknown (partner's age not given)."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ScreeningOutcome(ChoiceSet):
    REFER = "refer", "Refer to Children's Services"
    NO_REFERRAL = "no_referral", "No referral indicated"


class IndicatorGroup(ChoiceSet):
    """Groups of the risk assessment toolkit's indicators, in the order a form shows them."""

    MISSING = "missing", "Going missing and being moved"
    RELATIONSHIPS = "relationships", "Relationships and family"
    ASSOCIATIONS = "associations", "People and places"
    BEHAVIOUR = "behaviour", "Behaviour and belongings"
    HEALTH = "health", "Physical, sexual and mental health"
    EDUCATION = "education", "Education"
    ONLINE = "online", "Online and phones"


class IndicatorRating(ChoiceSet):
    """How strongly an indicator is present, in ascending order (CERAF: none, low, medium, high)."""

    NONE = "none", "None"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"

    @property
    def rank(self) -> int:
        return list(IndicatorRating).index(self)  # the order of definition


class IndicatorPeriod(ChoiceSet):
    """When an indicator was seen: current is the last 3 months, previous is 3 to 6 months ago (CERAF)."""

    CURRENT = "current", "Current (last 3 months)"
    PREVIOUS = "previous", "Previous (3 to 6 months ago)"

    @property
    def short_label(self) -> str:
        """The label without its span of months, where the form says the span once."""
        return self.label.split(" (")[0]


class ExploitationType(ChoiceSet):
    """The exploitation list is kept per type; a child can be on it for more than one."""

    CSE = "cse", "Child sexual exploitation (CSE)"
    CCE = "cce", "Child criminal exploitation (CCE)"


class CaseFlag(ChoiceSet):
    TRAFFICKING = "trafficking", "Trafficking"
    COUNTY_LINES = "county_lines", "County lines"
    GANG_OCG = "gang_ocg", "Gang or organised crime group"
    ONLINE = "online", "Online"
    MISSING_LINKED = "missing_linked", "Linked to going missing"


class HarmLocation(ChoiceSet):
    ONLINE = "online", "Online"
    PUBLIC_PLACE = "public_place", "Public place"
    PRIVATE_ADDRESS = "private_address", "Private address"
    HOTEL = "hotel", "Hotel"


class CaseTagKind(ChoiceSet):
    """What a case_tags row records: one table, three enumerations."""

    EXPLOITATION_TYPE = "exploitation_type"
    FLAG = "flag"
    HARM_LOCATION = "harm_location"


class LookedAfterStatus(ChoiceSet):
    """Which order or section a looked-after child is accommodated under (Children Act 1989)."""

    SECTION_20 = "s20", "Accommodated under section 20 (Children Act 1989)"
    CARE_ORDER = "s31_care_order", "Care order (section 31)"
    INTERIM_CARE_ORDER = "s38_interim_care_order", "Interim care order (section 38)"
    EMERGENCY_PROTECTION_ORDER = "s44_epo", "Emergency protection order (section 44)"
    POLICE_PROTECTION = "s46_police_protection", "Police protection (section 46)"
    PLACEMENT_ORDER = "placement_order", "Placement order"
    REMAND = "remand", "Remanded to local authority accommodation"
    OTHER = "other", "Other"


class NrmDecision(ChoiceSet):
    """National Referral Mechanism reasonable and conclusive grounds decisions."""

    PENDING = "pending", "Awaited"
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"


class RhiStatus(ChoiceSet):
    """A Return Home Interview: offered within 72 hours of return (statutory guidance, 2014)."""

    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    NOT_POSSIBLE = "not_possible", "Not possible"


class ReferenceKind(ChoiceSet):
    """Lists an admin keeps: they differ between partnerships and forces."""

    POLICE_TIER = "police_tier", "Police tiers"
    POLICE_TEAM = "police_team", "Police holding teams"
    EXIT_REASON = "exit_reason", "Exit reasons"


class CaseAction(ChoiceSet):
    """The moves of a case between states; the table of moves is mettrack/cases/workflow.py."""

    OPEN_BY_SCREENING = "open_by_screening", "Open a case from a screening"
    REFER = "refer", "Refer to Children's Services"
    CLOSE_NO_FURTHER_ACTION = "close_no_further_action", "Close: no further action"
    SEND_TO_MET_REVIEW = "send_to_met_review", "Send to MET review"
    SET_POLICE_TIER = "set_police_tier", "Set the police tier"
    ASSIGN_SERVICE = "assign_service", "Record the specialist service as assigned"
    SEND_BACK_TO_REVIEW = "send_back_to_review", "Send back to MET review"
    CLOSE = "close", "Close the case"
    REOPEN = "reopen", "Reopen on new concerns"


class CaseEventKind(ChoiceSet):
    """Every kind of event on a case's timeline (CaseEvent.action): the workflow's moves
    (CaseAction, the same values), which change the state, and the records that do not
    (a change of the team, a referral's outcome), whose timeline entry is their reason."""

    OPEN_BY_SCREENING = CaseAction.OPEN_BY_SCREENING.value, CaseAction.OPEN_BY_SCREENING.label
    REFER = CaseAction.REFER.value, CaseAction.REFER.label
    CLOSE_NO_FURTHER_ACTION = (
        CaseAction.CLOSE_NO_FURTHER_ACTION.value,
        CaseAction.CLOSE_NO_FURTHER_ACTION.label,
    )
    SEND_TO_MET_REVIEW = CaseAction.SEND_TO_MET_REVIEW.value, CaseAction.SEND_TO_MET_REVIEW.label
    SET_POLICE_TIER = CaseAction.SET_POLICE_TIER.value, CaseAction.SET_POLICE_TIER.label
    ASSIGN_SERVICE = CaseAction.ASSIGN_SERVICE.value, CaseAction.ASSIGN_SERVICE.label
    SEND_BACK_TO_REVIEW = CaseAction.SEND_BACK_TO_REVIEW.value, CaseAction.SEND_BACK_TO_REVIEW.label
    CLOSE = CaseAction.CLOSE.value, CaseAction.CLOSE.label
    REOPEN = CaseAction.REOPEN.value, CaseAction.REOPEN.label
    TEAM_MEMBER_ADDED = "team.member_added", "Joined the team"
    TEAM_MEMBER_REMOVED = "team.member_removed", "Left the team"
    TEAM_LEAD_CHANGED = "team.lead_changed", "Lead professional changed"
    REFERRAL_OUTCOME_RECORDED = "referral.outcome_recorded", "Outcome of the referral recorded"
    # A MET meeting's decision that moves nothing: the risk level and the next review date.
    MET_DECISION = "met.decision", "MET meeting decision"
    # Specialist services and the police tier (mettrack/specialist_services/): what was asked
    # of whom and what they answered, and each police tier record, on the case's timeline.
    SERVICE_REQUESTED = "service.requested", "Specialist service requested"
    SERVICE_ACCEPTED = "service.accepted", "Specialist service accepted"
    SERVICE_DECLINED = "service.declined", "Specialist service declined"
    SERVICE_WITHDRAWN = "service.withdrawn", "Specialist service request withdrawn"
    SERVICE_ENDED = "service.ended", "Specialist service ended"
    POLICE_TIER_RECORDED = "police_tier.recorded", "Police tier recorded"

    @property
    def move(self) -> CaseAction | None:
        """The workflow move this event records, or None for an event that moves nothing."""
        return CaseAction._value2member_map_.get(self.value)


TEAM_EVENTS = frozenset(
    {CaseEventKind.TEAM_MEMBER_ADDED, CaseEventKind.TEAM_MEMBER_REMOVED, CaseEventKind.TEAM_LEAD_CHANGED}
)
REFERRAL_EVENTS = frozenset({CaseEventKind.REFERRAL_OUTCOME_RECORDED})
MEETING_EVENTS = frozenset({CaseEventKind.MET_DECISION})
SERVICE_EVENTS = frozenset(
    {
        CaseEventKind.SERVICE_REQUESTED,
        CaseEventKind.SERVICE_ACCEPTED,
        CaseEventKind.SERVICE_DECLINED,
        CaseEventKind.SERVICE_WITHDRAWN,
        CaseEventKind.SERVICE_ENDED,
        CaseEventKind.POLICE_TIER_RECORDED,
    }
)


# --- MET meetings (mettrack/meetings/)


class MeetingFrequency(ChoiceSet):
    """How a series of MET meetings repeats: partnerships differ (DESIGN.md, MET meeting)."""

    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    FOUR_WEEKLY = "four_weekly", "Every four weeks"
    MONTHLY_WEEKDAY = "monthly_weekday", "Monthly on a weekday (such as the second Tuesday)"


class MeetingStatus(ChoiceSet):
    SCHEDULED = "scheduled", "Scheduled", "blue"
    CANCELLED = "cancelled", "Cancelled", "grey"


class AgendaSection(ChoiceSet):
    """The agenda's sections in the order they are printed; a child appears once, in the
    first section that applies (meetings/agenda_rules.py)."""

    NEW_REFERRALS = "new_referrals", "New referrals since the last meeting"
    HIGH_RISK = "high_risk", "High risk (reviewed at every meeting)"
    REVIEW_DUE = "review_due", "Due for review"
    NEW_INFORMATION = "new_information", "Missing episode, new risk assessment or new intelligence"
    CLOSURE_PROPOSED = "closure_proposed", "Proposed for closure"
    OPEN_ACTIONS = "open_actions", "Open actions from earlier meetings"
    ADDED_BY_CHAIR = "added_by_chair", "Added by the chair"


class AttendanceStatus(ChoiceSet):
    PRESENT = "present", "Present", "green"
    APOLOGIES = "apologies", "Apologies", "yellow"
    ABSENT = "absent", "Absent", "grey"


class ActionStatus(ChoiceSet):
    OPEN = "open", "Open", "blue"
    DONE = "done", "Done", "green"
    NOT_DONE = "not_done", "Not done", "grey"


class ActionNotDoneReason(ChoiceSet):
    CIRCUMSTANCES_CHANGED = "circumstances_changed", "Circumstances changed"
    AGENCY_COULD_NOT_ACT = "agency_could_not_act", "The agency could not act"
    OTHER = "other", "Other (say why)"


class ActionEventKind(ChoiceSet):
    """An action's history, shown wherever the action is (it rolls forward with it)."""

    RAISED = "raised", "Raised"
    CARRIED_FORWARD = "carried_forward", "Carried forward"
    NOTE = "note", "Update"
    DONE = "done", "Marked done"
    NOT_DONE = "not_done", "Marked not done"
    REOPENED = "reopened", "Reopened"


class AgendaView(ChoiceSet):
    """The two copies of an issued agenda: the members' full copy and the sanitised copy for
    wider forums (cases/projection.py View.WHOLE and View.SANITISED)."""

    FULL = "full", "Full agenda"
    SANITISED = "sanitised", "Sanitised copy"


class PdfStatus(ChoiceSet):
    PENDING = "pending", "Being prepared", "yellow"
    READY = "ready", "Ready", "green"
    FAILED = "failed", "Failed", "red"


# --- Intelligence (mettrack/intelligence/, docs/intelligence.md)


class AgencySector(ChoiceSet):
    """What kind of agency a user belongs to: a police agency's users who hold a case role
    review intelligence (DESIGN.md, Intelligence)."""

    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other"


class IntelligenceStatus(ChoiceSet):
    """An item is submitted by its sharer, then graded by a reviewer (who may grade it again)."""

    SUBMITTED = "submitted", "Waiting for review", "yellow"
    GRADED = "graded", "Graded", "green"


class SourceEvaluation(ChoiceSet):
    """3x5x2 grading, the first part: how far the source can be relied on."""

    RELIABLE = "1", "1 - Reliable"
    UNTESTED = "2", "2 - Untested"
    NOT_RELIABLE = "3", "3 - Not reliable"


class IntelligenceAssessment(ChoiceSet):
    """3x5x2 grading, the second part: how the source came to know it."""

    KNOWN_DIRECTLY = "A", "A - Known directly to the source"
    KNOWN_INDIRECTLY_CORROBORATED = "B", "B - Known indirectly to the source, corroborated"
    KNOWN_INDIRECTLY = "C", "C - Known indirectly to the source"
    NOT_KNOWN = "D", "D - Not known"
    SUSPECTED_FALSE = "E", "E - Suspected to be false"


class HandlingCode(ChoiceSet):
    """3x5x2 grading, the third part: who may see it. P reaches the linked case's team and
    the full agenda; C only reviewers and those its conditions name, never a sanitised output."""

    LAWFUL_SHARING = "P", "P - Lawful sharing permitted", "green"
    WITH_CONDITIONS = "C", "C - Lawful sharing with conditions", "red"


class LocationType(ChoiceSet):
    HOTEL = "hotel", "Hotel or short-stay let"
    PARK = "park", "Park or open space"
    HOUSE = "house", "House or flat"
    TAKEAWAY = "takeaway", "Takeaway or cafe"
    SHOP = "shop", "Shop"
    TRANSPORT_HUB = "transport_hub", "Station or transport hub"
    PARTY_VENUE = "party_venue", "Party venue"
    ONLINE = "online", "Online space"
    OTHER = "other", "Other"


class LinkReliability(ChoiceSet):
    """How far a link between records (a child and a person, two children ...) is known."""

    CONFIRMED = "confirmed", "Confirmed", "green"
    LIKELY = "likely", "Likely", "blue"
    POSSIBLE = "possible", "Possible, not confirmed", "grey"


class PeerLinkKind(ChoiceSet):
    SIBLING = "sibling", "Sibling"
    FRIEND = "friend", "Friend"
    PEER_GROUP = "peer_group", "Same peer group"
    SAME_PLACEMENT = "same_placement", "Same placement"


class DisruptionStatus(ChoiceSet):
    PLANNED = "planned", "Planned", "blue"
    IN_FORCE = "in_force", "In force", "green"
    EXPIRED = "expired", "Expired", "grey"
    REFUSED = "refused", "Refused", "red"
    WITHDRAWN = "withdrawn", "Withdrawn", "grey"


class CawnSection(ChoiceSet):
    """Which law a Child Abduction Warning Notice cites for the named child (DESIGN.md)."""

    CHILD_ABDUCTION_ACT_S2 = "s2_caa_1984", "Section 2 Child Abduction Act 1984 (a child under 16)"
    CHILDREN_ACT_S49 = (
        "s49_ca_1989",
        (
            "Section 49 Children Act 1989 (a child under 18 under a care order, an emergency "
            "protection order or in police protection)"
        ),
    )


# --- Specialist services and police tiers (mettrack/specialist_services/)


class ServiceRequestStatus(ChoiceSet):
    """A request's life: requested, then accepted (active until it ends) or declined; the
    coordinator may withdraw a request nobody has answered."""

    REQUESTED = "requested", "Waiting for an answer", "yellow"
    ACCEPTED = "accepted", "Active", "green"
    DECLINED = "declined", "Declined", "red"
    WITHDRAWN = "withdrawn", "Withdrawn", "grey"
    ENDED = "ended", "Ended", "grey"


OPEN_REQUEST_STATUSES = frozenset({ServiceRequestStatus.REQUESTED, ServiceRequestStatus.ACCEPTED})


class RequestUrgency(ChoiceSet):
    ROUTINE = "routine", "Routine", "grey"
    URGENT = "urgent", "Urgent", "red"


class ServiceOutcome(ChoiceSet):
    """How an accepted service's work with the child ended. Worded so the child is never
    blamed: a service that could not build a relationship says so of itself."""

    COMPLETED = "completed", "Work completed: the plan's goals were met"
    PARTLY_COMPLETED = "partly_completed", "Work completed: some goals met, others passed on"
    HANDED_ON = "handed_on", "Handed on to another service"
    SERVICE_COULD_NOT_ENGAGE = (
        "service_could_not_engage",
        "The service could not build a working relationship with the child",
    )
    MOVED_AWAY = "moved_away", "The child moved out of the area"
    CASE_CLOSED = "case_closed", "The case was closed"
    OTHER = "other", "Other (say in the note)"


class TierSource(ChoiceSet):
    """Where a police tier record came from."""

    MOVE = "move", "Set with the police tier move"
    CHAIR = "chair", "Set by the MET chair"
    MEETING = "meeting", "MET meeting decision"
    MIGRATED = "migrated", "Recorded before the tier history was kept"


# --- Importing the exploitation list (mettrack/imports/, docs/imports.md)


class ImportStatus(ChoiceSet):
    """An uploaded list's life: checked (the dry run), then, once the user confirms,
    imported in one transaction, or failed with nothing written."""

    CHECK_QUEUED = "check_queued", "Waiting to be checked", "grey"
    CHECKING = "checking", "Being checked", "yellow"
    CHECKED = "checked", "Checked: waiting for you to confirm", "blue"
    IMPORT_QUEUED = "import_queued", "Waiting to be imported", "grey"
    IMPORTING = "importing", "Being imported", "yellow"
    IMPORTED = "imported", "Imported", "green"
    FAILED = "failed", "Not imported: nothing was written", "red"


IMPORT_WAITING = frozenset(
    {ImportStatus.CHECK_QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORT_QUEUED, ImportStatus.IMPORTING}
)
