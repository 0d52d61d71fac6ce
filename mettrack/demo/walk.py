"""Walking a case through the workflow table by the app's own use cases, as the people
using METtrack would: for the demo data (demo/load.py) and the tests' factories.

Nothing here sets a case's state or writes a CaseEvent. A screening opens the case
(screening/screenings.py) and transitions.apply makes every move, as the role the table
names; what a move's guard asks for is recorded first through its own use case (the
exploitation type, a risk assessment), and a specialist service is recorded by the
coordinator. So a case walked here has passed every guard of the table: a police_tiered
case has a tier and team, a service_assigned case an accepted service.
"""

from dataclasses import dataclass, field

from sqlalchemy import exists, select

from mettrack.accounts.models import User
from mettrack.cases import apply as transitions_apply
from mettrack.cases import classification_of, move_for
from mettrack.cases import needs as workflow_needs
from mettrack.cases import save as case_classification_save
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import clock
from mettrack.core.choices import CaseAction, CaseState, ReferenceKind
from mettrack.core.extensions import db
from mettrack.reference import NO_FURTHER_ACTION, OTHER, list_active
from mettrack.risk import record as risk_assessments_record
from mettrack.risk.models import RiskAssessment
from mettrack.screening import screen_child
from mettrack.specialist_services import record as service_assignments_record
from mettrack.specialist_services import service_options

# The moves that take a new case to each state, in order, after its screening.
ROUTES: dict[CaseState, tuple[CaseAction, ...]] = {
    CaseState.SCREENED: (),
    CaseState.REFERRED: (CaseAction.REFER,),
    CaseState.MET_REVIEW: (CaseAction.REFER, CaseAction.SEND_TO_MET_REVIEW),
    CaseState.POLICE_TIERED: (CaseAction.REFER, CaseAction.SEND_TO_MET_REVIEW, CaseAction.SET_POLICE_TIER),
    CaseState.SERVICE_ASSIGNED: (
        CaseAction.REFER,
        CaseAction.SEND_TO_MET_REVIEW,
        CaseAction.SET_POLICE_TIER,
        CaseAction.ASSIGN_SERVICE,
    ),
    CaseState.CLOSED: (CaseAction.CLOSE,),
}
# The moves the case's lead professional takes when there is one; the chair takes the rest.
LEAD_MOVES = frozenset({CaseAction.REFER, CaseAction.SEND_TO_MET_REVIEW, CaseAction.CLOSE_NO_FURTHER_ACTION})


@dataclass(frozen=True)
class Cast:
    """Who takes the steps. `lead` (a lead professional, or None) records the screening
    and so leads the case, refers it, assesses the risk and sends it to MET review; the
    MET chair does those when there is no lead, and sets the police tier, sends back
    and closes; the coordinator records the specialist services."""

    chair: User
    coordinator: User | None = None
    lead: User | None = None
    screener: User | None = None  # records the screening in place of the lead (a partner, say)

    def leading(self, case: Case) -> User:
        """The case's own lead professional if they are in the cast, else the chair."""
        if self.lead is not None and case.lead_professional_id == self.lead.id:
            return self.lead
        return self.chair


@dataclass(frozen=True)
class Story:
    """What each step records. Codes left as None take the first item offered."""

    screening_yes: bool | None = None  # None: a yes when the route refers, as a referral needs one
    child_age: int = 15  # given to the screening when the child's date of birth is not recorded
    exploitation_types: tuple[str, ...] = ("cse",)  # recorded before a referral, if none yet
    risk: dict = field(
        default_factory=lambda: {
            "ratings": {},
            "chosen_level": "low",
            "rationale": "Early signs only; the family is working with Early Help.",
        }
    )
    mash_reference: str = "MASH-DEMO-1"
    review_reason: str | None = "For the MET group to agree the plan"
    police_tier: str | None = None
    police_team: str | None = None
    service: str | None = None
    worker: str | None = None
    exit_reason: str | None = None
    note: str | None = None
    reason: str = "New concerns shared by the school"  # send back, reopen


def version_of(case_id: int) -> int:
    return db.session.scalar(select(Case.version).where(Case.id == case_id))


def open_case(cast: Cast, child: Child, story: Story, route: tuple[CaseAction, ...] = ()) -> Case:
    """The screening that opens the child's case, recorded by the lead if there is one;
    with a yes if the story says so or (story silent) the route refers the case."""
    screener = cast.screener or cast.lead or cast.chair
    refers = story.screening_yes if story.screening_yes is not None else CaseAction.REFER in route
    yes, no = "yes" if refers else "no", "no"
    answers = {"went_missing": yes, "controlling_relationship": no, "frequents_exploitation_areas": no}
    if child.date_of_birth is None:
        answers["child_age"] = str(story.child_age)
    return screen_child(screener, child.id, answers, clock.today()).case


def take(case: Case, action: CaseAction, cast: Cast, story: Story) -> Case:
    """Make one move of the table, first recording what its guard asks for."""
    case_id = case.id
    if action is CaseAction.ASSIGN_SERVICE:
        service_assignments_record(cast.coordinator, case_id, _service(story), version_of(case_id))
        return db.session.get(Case, case_id)
    if workflow_needs(move_for(action), "has_exploitation_type"):
        classify_if_untyped(case, cast, story)
    if workflow_needs(move_for(action), "has_completed_risk_assessment") and not _assessed(case_id):
        risk_assessments_record(cast.leading(case), case_id, story.risk, version_of(case_id))
    mover = cast.leading(case) if action in LEAD_MOVES else cast.chair
    return transitions_apply(mover, case_id, action, _fields(action, story), version_of(case_id))


def walk(cast: Cast, child: Child, state: CaseState | str, story: Story = Story()) -> Case:
    """Open a case for `child` and move it to `state` by ROUTES."""
    route = ROUTES[CaseState(state)]
    case = open_case(cast, child, story, route)
    for action in route:
        case = take(case, action, cast, story)
    return case


def classify_if_untyped(case: Case, cast: Cast, story: Story) -> None:
    if classification_of(case).exploitation_types or not story.exploitation_types:
        return
    data = {"exploitation_types": list(story.exploitation_types), "flags": [], "harm_locations": []}
    case_classification_save(cast.leading(case), case.id, data, version_of(case.id))


def _assessed(case_id: int) -> bool:
    return db.session.scalar(select(exists().where(RiskAssessment.case_id == case_id)))


def _first(kind: ReferenceKind, code: str | None, parent_code: str | None = None) -> str:
    if code is not None:
        return code
    items = [
        item
        for item in list_active(kind, parent_code=parent_code)
        if item.code not in (OTHER, NO_FURTHER_ACTION)
    ]
    return items[0].code


def _service(story: Story) -> dict:
    return {
        "service": story.service or service_options()[0][0],
        "worker": story.worker,
        "accepted_on": clock.today().isoformat(),
    }


def _fields(action: CaseAction, story: Story) -> dict:
    if action is CaseAction.REFER:
        return {"mash_reference": story.mash_reference}
    if action is CaseAction.SEND_TO_MET_REVIEW:
        return {"reason": story.review_reason}
    if action is CaseAction.SET_POLICE_TIER:
        tier = _first(ReferenceKind.POLICE_TIER, story.police_tier)
        team = _first(ReferenceKind.POLICE_TEAM, story.police_team, tier)
        return {"police_tier": tier, "police_team": team}
    if action is CaseAction.CLOSE:
        return {"exit_reason": _first(ReferenceKind.EXIT_REASON, story.exit_reason), "note": story.note}
    if action is CaseAction.CLOSE_NO_FURTHER_ACTION:
        return {"note": story.note}
    return {"reason": story.reason}  # send back to review, reopen
