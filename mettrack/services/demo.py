"""Made-up demonstration data. Every name and address here is invented: the streets are
in "Demotown" and postcodes use the ZZ99 pseudo-area, which no real address has."""

from datetime import date, timedelta

from sqlalchemy import select

from mettrack import audit, clock
from mettrack.clock import now
from mettrack.domain.choices import CaseState, RiskLevel, Role, TeamRole
from mettrack.extensions import db
from mettrack.models import Case, CaseEvent, CaseTeamMember, Child, User
from mettrack.services import (
    language_phrases,
    notes_demo,
    reference_data,
    risk_catalogue,
    risk_demo,
    team_demo,
)
from mettrack.services.accounts import get_or_create_agency
from mettrack.services.passwords import hash_password

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

PATH = [
    CaseState.SCREENED,
    CaseState.REFERRED,
    CaseState.MET_REVIEW,
    CaseState.POLICE_TIERED,
    CaseState.SERVICE_ASSIGNED,
]


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
    for name in AGENCIES:
        get_or_create_agency(name)
    users = {role: _user(role, email, name, AGENCIES[i]) for role, email, name, i in DEMO_USERS}
    db.session.flush()
    risk_catalogue.seed_defaults()  # the risk assessment toolkit's indicators
    if db.session.scalar(select(Case.id).limit(1)) is None:
        _load_cases(users)
    reference_data.seed_defaults()  # police tiers and teams, services, exit reasons
    language_phrases.seed_defaults()  # the language list the notes are checked against
    audit.record("demo.loaded", actor="cli")
    db.session.commit()
    return [(role.value, email) for role, email, _, _ in DEMO_USERS]


def _load_cases(users: dict[Role, User]) -> None:
    today = clock.today()
    lead, chair, partner = users[Role.LEAD_PROFESSIONAL], users[Role.MET_CHAIR], users[Role.PARTNER]
    for n, (first, last, gender, age, state, risk) in enumerate(DEMO_CHILDREN):
        child = Child(
            first_name=first,
            last_name=last,
            gender=gender,
            date_of_birth=date(today.year - age, 1 + n % 12, 1 + (n * 3) % 27),
            address=f"{n + 1} Nowhere Lane, Demotown, ZZ99 {n + 1}ZZ",
        )
        opened = now() - timedelta(days=90 - n * 5)
        case = Case(
            child=child,
            state=state.value,
            risk_level=risk.value if risk else None,
            lead_professional=lead,
            lead_agency=lead.agency,
            opened_at=opened,
            closed_at=opened + timedelta(days=60) if state == CaseState.CLOSED else None,
        )
        case.team.append(CaseTeamMember(user=lead, team_role=TeamRole.LEAD.value))
        if n % 3 == 0:  # the partner works some cases, not all: need-to-know shows
            case.team.append(CaseTeamMember(user=partner, team_role=TeamRole.MEMBER.value))
        steps = PATH[: PATH.index(state) + 1] if state in PATH else PATH[:3]
        previous = None
        for i, step in enumerate(steps):
            case.events.append(
                CaseEvent(
                    occurred_at=opened + timedelta(days=i * 7),
                    actor=lead if i < 3 else chair,
                    action="open" if previous is None else "move",
                    from_state=previous,
                    to_state=step.value,
                )
            )
            previous = step.value
        if state == CaseState.CLOSED:
            case.events.append(
                CaseEvent(
                    occurred_at=opened + timedelta(days=60),
                    actor=chair,
                    action="close",
                    from_state=previous,
                    to_state=CaseState.CLOSED.value,
                    reason="Risk reduced: the child is safe and supported by the school.",
                )
            )
        db.session.add(case)
        risk_demo.add_assessments(case, n, lead, chair)  # met_review needs one
        team_demo.add(case, n)  # exploitation types, flags, NRM; a lead who has left
        notes_demo.add_notes(case, n, lead, partner)  # a few case notes
