"""Made-up demonstration data for the case team and each case's exploitation types,
flags, places of harm and NRM details (called by services/demo.py per demo case).

Both CSE and CCE are there, one child is exploited in both ways, several cases are
county lines, one child has an NRM referral with a positive reasonable grounds
decision, and one case is led by a deactivated lead professional, so that the MET
chair's "Cases to reassign" has something on it. Every name is invented.
"""

import secrets
from datetime import timedelta

from sqlalchemy import select

from mettrack import clock
from mettrack.clock import now
from mettrack.domain.choices import CaseTagKind, NrmDecision, Role, TeamRole
from mettrack.extensions import db
from mettrack.models import Case, CaseTag, CaseTeamMember, User
from mettrack.services.accounts import get_or_create_agency
from mettrack.services.passwords import hash_password

FORMER_LEAD_EMAIL = "former.lead@demo.mettrack.test"
FORMER_LEAD_NAME = "Drew Formerlead"
FORMER_LEAD_AGENCY = "Early Help and Prevention"
FORMER_LEAD_CASE = 9  # the demo child whose lead has left (index in demo.DEMO_CHILDREN)
NRM_CASE = 5  # the demo child with an NRM referral

# By the demo child's index: (exploitation types, flags, places of harm). The second
# child is only screened and has none yet: the kind of harm is not known.
TAGS = {
    0: (["cse"], ["online"], ["online"]),
    1: ([], [], []),
    2: (["cse"], ["missing_linked"], ["private_address", "hotel"]),
    3: (["cce"], ["county_lines"], ["public_place"]),
    4: (["cse"], ["online"], ["online", "private_address"]),
    5: (
        ["cce"],
        ["county_lines", "gang_ocg", "missing_linked", "trafficking"],
        ["public_place", "private_address"],
    ),
    6: (["cse", "cce"], ["county_lines", "trafficking"], ["hotel", "private_address"]),
    7: (["cce"], ["gang_ocg"], ["public_place"]),
    8: (["cse"], ["online", "missing_linked"], ["online", "hotel"]),
    9: (["cce"], ["county_lines"], ["public_place", "private_address"]),
    10: (["cse"], [], ["private_address"]),
    11: (["cce"], ["county_lines", "missing_linked"], ["public_place"]),
}


def classify(case: Case, n: int) -> None:
    """Give demo case number `n` its exploitation types, flags and places of harm, and
    for one of them an NRM referral (positive reasonable grounds, conclusive awaited)."""
    types, flags, places = TAGS.get(n, ([], [], []))
    for kind, values in (
        (CaseTagKind.EXPLOITATION_TYPE, types),
        (CaseTagKind.FLAG, flags),
        (CaseTagKind.HARM_LOCATION, places),
    ):
        for value in values:
            case.tags.append(CaseTag(kind=kind.value, value=value))
    if n == NRM_CASE:
        today = clock.today()
        case.nrm_referred_on = today - timedelta(days=40)
        case.nrm_reasonable_grounds = NrmDecision.POSITIVE.value
        case.nrm_reasonable_grounds_on = today - timedelta(days=33)
        case.nrm_conclusive_grounds = NrmDecision.PENDING.value


def _former_lead() -> User:
    user = db.session.scalar(select(User).where(User.email == FORMER_LEAD_EMAIL))
    if user is None:
        user = User(
            email=FORMER_LEAD_EMAIL,
            name=FORMER_LEAD_NAME,
            agency=get_or_create_agency(FORMER_LEAD_AGENCY),
            password_hash=hash_password(secrets.token_urlsafe(24)),  # deactivated: no sign-in
            active=False,
            deactivated_at=now() - timedelta(days=3),
        )
        user.set_roles([Role.LEAD_PROFESSIONAL])
        db.session.add(user)
    return user


def set_team(case: Case, n: int) -> None:
    """For one demo case: a lead professional who has since left (deactivated), with
    the demo lead professional still on the team as a member."""
    if n != FORMER_LEAD_CASE:
        return
    former = _former_lead()
    for row in case.team:
        if row.team_role == TeamRole.LEAD.value:
            row.team_role = TeamRole.MEMBER.value
    case.lead_professional = former
    case.lead_agency = former.agency
    case.team.append(CaseTeamMember(user=former, team_role=TeamRole.LEAD.value))


def add(case: Case, n: int) -> None:
    """demo.py's one call per demo case."""
    classify(case, n)
    set_team(case, n)
