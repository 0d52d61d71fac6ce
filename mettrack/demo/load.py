"""Made-up demonstration data. Every name and address here is invented: the streets are
in "Demotown" and postcodes use the ZZ99 pseudo-area, which no real address has.

Every case is made as people using METtrack would make it, through the app's use cases
(demo/walk.py): the lead professional records the child and the screening that
opens the case, classifies it, assesses the risk and refers it; the MET chair sets the
police tier and closes; the coordinator records the specialist service. The steps of all
the cases run in date order over the last three months, with the clock set to each
step's moment, so the timelines, reviews and audit rows read as a real history would.
The MET meetings' steps (demo/meetings.py: a series, a past meeting with its agenda,
minutes and actions, the next one's issued agenda) run among them. The intelligence
(demo/intelligence.py: places, persons of concern, graded and ungraded items, a peer group,
disruption actions) comes last, once the cases are there.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from mettrack.accounts import get_or_create_agency, hash_password
from mettrack.accounts.models import User
from mettrack.accounts.rules import police_reviewer_access
from mettrack.cases import add_member
from mettrack.cases.models import Case
from mettrack.children import ChildInput, create_child
from mettrack.core import audit, clock
from mettrack.core.choices import AgencySector, CaseAction, CaseState, RiskLevel, Role
from mettrack.core.clock import now
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import unit_of_work
from mettrack.demo import intelligence as intelligence_demo
from mettrack.demo import meetings as meetings_demo
from mettrack.demo import notes as notes_demo
from mettrack.demo import risk as risk_demo
from mettrack.demo import services as services_demo
from mettrack.demo import team as team_demo
from mettrack.demo import walk as demo_walk
from mettrack.language import seed_defaults
from mettrack.reference import seed_defaults as reference_data_seed_defaults
from mettrack.risk import seed_defaults as risk_catalogue_seed_defaults
from mettrack.specialist_services import seed_services

DEMO_PASSWORD = "demo-password-2026"

AGENCIES = [
    "Portsmouth City Council Children's Social Care (MASH)",
    "Early Help and Prevention",
    "Edge of Care / Adolescent Service",
    "Hampshire and Isle of Wight Constabulary",
    "Barnardo's",
    "PARCS",
    "Drug and Alcohol Support Service (DASS)",
    "Demotown Community Health Trust",
    "Demotown Academy",
]
# The agencies' sectors (an admin keeps them: /admin/agencies). The police partner's agency is
# police, so they review intelligence (docs/intelligence.md).
SECTORS = {
    "Portsmouth City Council Children's Social Care (MASH)": AgencySector.CHILDRENS_SOCIAL_CARE,
    "Early Help and Prevention": AgencySector.CHILDRENS_SOCIAL_CARE,
    "Edge of Care / Adolescent Service": AgencySector.CHILDRENS_SOCIAL_CARE,
    "Hampshire and Isle of Wight Constabulary": AgencySector.POLICE,
    "Barnardo's": AgencySector.VOLUNTARY,
    "PARCS": AgencySector.VOLUNTARY,
    "Drug and Alcohol Support Service (DASS)": AgencySector.HEALTH,
    "Demotown Community Health Trust": AgencySector.HEALTH,
    "Demotown Academy": AgencySector.EDUCATION,
}

# (role, e-mail, name, agency index)
DEMO_USERS = [
    (Role.MET_CHAIR, "chair@demo.mettrack.test", "Morgan Example-Chair", 0),
    (Role.LEAD_PROFESSIONAL, "lead@demo.mettrack.test", "Sam Placeholder", 2),
    (Role.COORDINATOR, "coordinator@demo.mettrack.test", "Riley Sampleton", 1),
    (Role.PARTNER, "partner@demo.mettrack.test", "Jordan Demoworth", 3),
    (Role.ANALYST, "analyst@demo.mettrack.test", "Casey Figureson", 0),
    (Role.ADMIN, "admin@demo.mettrack.test", "Alex Adminton", 0),
]

# Invented children: (first, last, gender, age in years, state, risk)
DEMO_CHILDREN = [
    ("Ava", "Brightwater", "Female", 15, CaseState.SCREENED, None),
    ("Leo", "Copperfield-Test", "Male", 14, CaseState.SCREENED, None),
    ("Mia", "Dunmoreton", "Female", 16, CaseState.REFERRED, RiskLevel.MEDIUM),
    ("Noah", "Elmstead-Demo", "Male", 15, CaseState.REFERRED, None),
    ("Isla", "Fernhollow", "Female", 13, CaseState.MET_REVIEW, RiskLevel.HIGH),
    ("Kai", "Glenbrook-Sample", "Male", 16, CaseState.MET_REVIEW, RiskLevel.MEDIUM),
    ("Ruby", "Hazelmere-Test", "Female", 17, CaseState.POLICE_TIERED, RiskLevel.HIGH),
    ("Tyler", "Ivybridge-Demo", "Male", 15, CaseState.POLICE_TIERED, RiskLevel.MEDIUM),
    ("Poppy", "Juniperfield", "Female", 14, CaseState.SERVICE_ASSIGNED, RiskLevel.HIGH),
    ("Jayden", "Kestrelmoor", "Male", 16, CaseState.SERVICE_ASSIGNED, RiskLevel.LOW),
    ("Lily", "Larchwood-Sample", "Female", 17, CaseState.CLOSED, RiskLevel.LOW),
    ("Mason", "Millbrook-Test", "Male", 12, CaseState.MET_REVIEW, RiskLevel.HIGH),
]

# The moves after the screening, one a week; the closed case was reviewed, then closed.
ROUTES = {
    **demo_walk.ROUTES,
    CaseState.CLOSED: (CaseAction.REFER, CaseAction.SEND_TO_MET_REVIEW, CaseAction.CLOSE),
}
CLOSING_NOTE = "the child is safe and supported by the school."


def _user(role, email, name, agency_name) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=name,
            agency=get_or_create_agency(agency_name),
            password_hash=hash_password(DEMO_PASSWORD),
            must_change_password=False,
        )
        user.set_roles([role])
        db.session.add(user)
    return user


def load_demo() -> list[tuple[str, str]]:
    """Idempotent: running it again adds nothing and prints the same logins."""
    # The people and lists first, in one unit of work; then each case is made by the use
    # cases, each its own unit of work, as the pages would make it.
    with unit_of_work():
        for name in AGENCIES:
            agency = get_or_create_agency(name)
            if agency.sector == AgencySector.OTHER.value:  # an admin's own choice stays
                agency.sector = SECTORS[name].value
        users = {role: _user(role, email, name, AGENCIES[i]) for role, email, name, i in DEMO_USERS}
        for user in users.values():
            # The operator loading made-up data is trusted, as at `flask users create`: the
            # police partner reviews intelligence at once, with no MET chair's approval.
            if police_reviewer_access(user.roles, user.agency.sector):
                user.intelligence_review_approved = True
        risk_catalogue_seed_defaults()  # the risk assessment toolkit's indicators
        reference_data_seed_defaults()  # police tiers and teams, exit reasons
        seed_services()  # the specialist service catalogue, each linked to its provider agency
        seed_defaults()  # the language list the notes are checked against
    if db.session.scalar(select(Case.id).limit(1)) is None:
        _load_cases(users, with_meetings=not meetings_demo.loaded())
    elif not meetings_demo.loaded():  # cases made before the demo had meetings
        meetings_demo.run(users, now())
    meetings_demo.build_pdfs()  # the issued agendas' PDFs, at once rather than by the worker
    intelligence_demo.load(users)  # places, persons, items, links and disruption actions
    services_demo.load(users)  # requests for specialist services and a police tier's officer
    with unit_of_work():
        audit.record("demo.loaded", actor="cli")
    return [(role.value, email) for role, email, _, _ in DEMO_USERS]


@dataclass
class DemoCase:
    """One demo child's case while its steps run; `case_id` is set by the screening."""

    n: int
    cast: demo_walk.Cast
    story: demo_walk.Story
    case_id: int | None = None

    @property
    def case(self) -> Case:
        return db.session.get(Case, self.case_id)


Step = tuple[datetime, int, int, Callable[[], None]]  # (when, child number, order, step)


def _load_cases(users: dict[Role, User], *, with_meetings: bool = True) -> None:
    start = now()
    steps: list[Step] = []
    for n in range(len(DEMO_CHILDREN)):
        steps += _steps(n, users, start)
    if with_meetings:  # among the cases' steps: each agenda is built from the data as it stood
        steps += meetings_demo.steps(users, start)
    steps.sort(key=lambda step: step[:3])
    frozen = clock.frozen_at()
    try:
        for moment, _n, _order, step in steps:
            clock.set_now(min(moment, start))
            step()
    finally:
        clock.set_now(frozen)


def _steps(n: int, users: dict[Role, User], start: datetime) -> list[Step]:
    first, last, gender, age, state, risk = DEMO_CHILDREN[n]
    lead, chair, partner = users[Role.LEAD_PROFESSIONAL], users[Role.MET_CHAIR], users[Role.PARTNER]
    today = clock.today(start)
    story = demo_walk.Story(
        screening_yes=n != 1,  # the second child's screening had no yes: the harm is not yet known
        mash_reference=f"MASH-DEMO-{n + 1:03d}",
        review_reason="For the MET group to agree a safety plan with the partner agencies",
        worker="Jo Sampleworker",
        exit_reason="risk_reduced",
        note=CLOSING_NOTE,
    )
    demo = DemoCase(n, demo_walk.Cast(chair=chair, coordinator=users[Role.COORDINATOR], lead=lead), story)
    opened = start - timedelta(days=90 - n * 5)
    route = ROUTES[state]

    def screen() -> None:
        child = create_child(
            lead,
            ChildInput(
                first_name=first,
                last_name=last,
                gender=gender,
                date_of_birth=date(today.year - age, 1 + n % 12, 1 + (n * 3) % 27),
                address=f"{n + 1} Nowhere Lane, Demotown, ZZ99 {n + 1}ZZ",
            ),
            confirmed_no_match=True,
        )
        demo.case_id = demo_walk.open_case(demo.cast, child, story, route).id
        if n % 3 == 0:  # the partner works some cases, not all: need-to-know shows
            add_member(lead, demo.case_id, {"user_id": partner.id})

    steps: list[Step] = [(opened, n, 0, screen)]
    steps += [(opened + timedelta(days=1), n, 1, lambda: team_demo.classify(demo))]
    if risk:
        steps += risk_demo.steps(demo, RiskLevel(risk), state, opened, start)
    for i, action in enumerate(route):
        steps.append((opened + timedelta(days=7 * (i + 1)), n, 10 + i, lambda a=action: _take(demo, a)))
    steps += notes_demo.steps(demo, opened, lead, partner)
    steps += team_demo.steps(demo, start, users)
    return steps


def _take(demo: DemoCase, action: CaseAction) -> None:
    demo_walk.take(demo.case, action, demo.cast, demo.story)
