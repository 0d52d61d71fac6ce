"""Test data builders. They commit, as the app does, and return the saved object."""

import itertools
from functools import lru_cache

from mettrack.domain.choices import CaseState, CaseTagKind, Role, TeamRole
from mettrack.extensions import db
from mettrack.models import Case, CaseEvent, CaseTag, CaseTeamMember, Child, User
from mettrack.services.accounts import get_or_create_agency
from mettrack.services.passwords import hash_password

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


def case(
    *, lead: User | None = None, members=(), state=CaseState.SCREENED, child_obj=None, exploitation_types=()
) -> Case:
    """`exploitation_types`: codes (cse, cce); a case is referred or sent to MET review
    only with one (domain/workflow.py)."""
    c = Case(child=child_obj or child(), state=CaseState(state).value, lead_professional=lead)
    for value in exploitation_types:
        c.tags.append(CaseTag(kind=CaseTagKind.EXPLOITATION_TYPE.value, value=value))
    if lead is not None:
        c.lead_agency_id = lead.agency_id
        c.team.append(CaseTeamMember(user=lead, team_role=TeamRole.LEAD.value))
    for m in members:
        c.team.append(CaseTeamMember(user=m, team_role=TeamRole.MEMBER.value))
    c.events.append(CaseEvent(action="open", to_state=c.state, actor=lead))
    db.session.add(c)
    db.session.commit()
    return c
