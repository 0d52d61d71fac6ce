"""Test data builders. They commit, as the app does, and return the saved object."""

import itertools
from datetime import date
from functools import lru_cache

from sqlalchemy import select

from mettrack.accounts.models import User, UserRole
from mettrack.accounts.passwords import hash_password
from mettrack.accounts.users import get_or_create_agency
from mettrack.cases import team as case_team
from mettrack.cases import workflow
from mettrack.cases.models import Case, CaseTeamMember
from mettrack.children.models import Child
from mettrack.children.records import child_scope
from mettrack.core import clock
from mettrack.core.choices import OPEN_STATES, CaseAction, CaseState, Role, ServiceRequestStatus, TeamRole
from mettrack.core.extensions import db
from mettrack.core.permissions import CASE_WORKERS
from mettrack.demo import walk as demo_walk
from mettrack.reference import data as reference_data
from mettrack.risk import catalogue as risk_catalogue
from mettrack.specialist_services import seed_services
from mettrack.specialist_services.models import ServiceRequest, SpecialistService

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per run.
    return hash_password(PASSWORD)


def user(
    roles=(Role.LEAD_PROFESSIONAL,),
    *,
    email=None,
    name=None,
    agency="Test Agency",
    active=True,
    must_change_password=False,
) -> User:
    n = next(_counter)
    u = User(
        email=email or f"user{n}@example.org",
        name=name or f"Test User {n}",
        agency=get_or_create_agency(agency),
        password_hash=_password_hash(),
        active=active,
        must_change_password=must_change_password,
    )
    u.set_roles(roles)
    db.session.add(u)
    db.session.commit()
    return u


def agency(name="Test Agency"):
    """The agency of this name (case, punctuation and spacing ignored), made if new."""
    found = get_or_create_agency(name)
    db.session.commit()
    return found


def child(**fields) -> Child:
    n = next(_counter)
    c = Child(
        first_name=fields.pop("first_name", "Testchild"),
        last_name=fields.pop("last_name", f"Number{n}"),
        **fields,
    )
    db.session.add(c)
    db.session.commit()
    return c


def _helper(role: Role) -> User:
    """Who acts as `role` where the test names no one (the MET chair who tiers and closes,
    the coordinator who records a service): the test's own active user of that role if
    it has one, so no one extra gets the role's reminders or lists; else one made once."""
    found = db.session.scalar(
        select(User).join(UserRole).where(UserRole.role == role.value, User.active).order_by(User.id).limit(1)
    )
    if found is None:
        found = user(roles=(role,), email=f"factory.{role.value}@example.org", name=f"Factory {role.label}")
    return found


def _opens_without_leading(member: User) -> bool:
    return not member.has_role(Role.LEAD_PROFESSIONAL) and bool(member.roles & workflow.PROFESSIONALS)


def _reaches(member: User, kid: Child) -> bool:
    return db.session.scalar(select(Child.id).where(Child.id == kid.id, child_scope(member))) is not None


def _lists_for(state: CaseState) -> None:
    """The lists a move to `state` chooses from: risk indicators, police tiers and teams,
    services and exit reasons, as `flask db upgrade` seeds them (tests start on empty tables)."""
    route = demo_walk.ROUTES[state]
    added = 0
    if CaseAction.SEND_TO_MET_REVIEW in route:
        added += risk_catalogue.seed_defaults()
    if {CaseAction.SET_POLICE_TIER, CaseAction.ASSIGN_SERVICE, CaseAction.CLOSE} & set(route):
        added += reference_data.seed_defaults() + seed_services()
    if added:
        db.session.commit()


def case(
    *, lead: User | None = None, members=(), state=CaseState.SCREENED, child_obj=None, exploitation_types=()
) -> Case:
    """A case in `state`, made as the app makes one (case_in_state). `lead`: a lead
    professional, who screens the child and so leads the case; `members` join its team.
    `exploitation_types`: codes (cse, cce); a case from `referred` on gets CSE when none
    is given (cases/workflow.py asks for one)."""
    return case_in_state(
        state, lead=lead, members=members, child_obj=child_obj, exploitation_types=exploitation_types
    )


def case_in_state(
    state, *, lead: User | None = None, members=(), child_obj=None, exploitation_types=(), story=None
) -> Case:
    """Walk a new case to `state` through the use cases (demo/walk.py): a
    screening opens it, then transitions.apply makes each move of the workflow table with
    valid fields, as the role the table names. A child going past `screened` gets the
    date of birth and address a referral needs, when it has none."""
    state = CaseState(state)
    if lead is not None and not lead.has_role(Role.LEAD_PROFESSIONAL):
        raise ValueError("a case's lead holds the lead professional role")
    _lists_for(state)
    kid = child_obj or child()
    needed = workflow.facts_needed_in(state) if state in OPEN_STATES else frozenset()
    if "has_date_of_birth" in needed and kid.date_of_birth is None:
        kid.date_of_birth = date(clock.today().year - 15, 1, 1)
    if "has_address" in needed and not (kid.address or "").strip():
        kid.address = "1 Test Street, Testtown, ZZ99 1ZZ"
    chair = _helper(Role.MET_CHAIR)
    # Who records the screening: the lead, or with no lead a member who may screen and
    # does not lead (a partner, a coordinator), or the chair. They must reach the child
    # (its recorder does, until a case decides); if not, the chair opens the case and
    # hands it to the lead.
    opener = lead or next((m for m in members if _opens_without_leading(m)), chair)
    if kid.created_by_id is None and opener is not chair:  # the chair reaches every child
        kid.created_by_id = opener.id
    db.session.commit()
    if not _reaches(opener, kid):
        opener = chair
    cast = demo_walk.Cast(
        chair=chair,
        coordinator=_helper(Role.COORDINATOR) if state is CaseState.SERVICE_ASSIGNED else None,
        lead=lead if opener is lead else None,
        screener=opener,
    )
    story = story or demo_walk.Story(exploitation_types=tuple(exploitation_types) or ("cse",))
    made = demo_walk.open_case(cast, kid, story, demo_walk.ROUTES[state])
    if lead is not None and made.lead_professional_id != lead.id:
        case_team.change_lead(chair, made.id, {"user_id": lead.id}, made.version)
        cast = demo_walk.Cast(chair=chair, coordinator=cast.coordinator, lead=lead, screener=opener)
    if exploitation_types:  # as given, before any move
        demo_walk.classify_if_untyped(made, cast, story)
    for m in members:
        if any(row.user_id == m.id for row in made.team):
            continue
        if m.roles & CASE_WORKERS:
            case_team.add_member(cast.leading(made), made.id, {"user_id": m.id})
        else:  # joined while holding a case role, since changed (the access tests need such members)
            made.team.append(CaseTeamMember(user_id=m.id, team_role=TeamRole.MEMBER.value))
            db.session.commit()
    for action in demo_walk.ROUTES[state]:
        made = demo_walk.take(db.session.get(Case, made.id), action, cast, story)
    return db.session.get(Case, made.id)


def accepted_service(
    case_id: int, recorded_by_id: int, code: str = "parcs", *, accepted_on=None, worker=None, ended_on=None
) -> ServiceRequest:
    """A service that accepted the case (ended, with `ended_on`), as the coordinator records
    one given by phone, or migration 0008 leaves an older assignment: written directly, with
    no move and no timeline line. Not added: the caller adds it."""
    service = db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))
    if service is None:
        seed_services()
        service = db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))
    return ServiceRequest(
        case_id=case_id,
        service_id=service.id,
        status=ServiceRequestStatus.ENDED.value if ended_on else ServiceRequestStatus.ACCEPTED.value,
        urgency="routine",
        requested_by_id=recorded_by_id,
        requested_at=clock.now(),
        answered_by_id=recorded_by_id,
        answered_at=clock.now(),
        recorded_for_provider=True,
        worker=worker,
        accepted_on=accepted_on,
        starts_on=accepted_on,
        ended_on=ended_on,
        version=1,
    )


def service_request(case_id: int, requested_by_id: int, code: str = "parcs", **fields) -> ServiceRequest:
    """A request waiting for an answer, written directly (no timeline line, no audit): for
    a test that needs one to act on. Not added: the caller adds it."""
    service = db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))
    if service is None:
        seed_services()
        service = db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))
    values = dict(
        case_id=case_id,
        service_id=service.id,
        status=ServiceRequestStatus.REQUESTED.value,
        urgency="routine",
        reason="The MET group asked for specialist one-to-one work.",
        requested_by_id=requested_by_id,
        requested_at=clock.now(),
        answer_due_on=clock.today(),
        recorded_for_provider=False,
        version=1,
    )
    return ServiceRequest(**(values | fields))
