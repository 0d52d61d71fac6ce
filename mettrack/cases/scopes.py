"""Need-to-know for cases: the SQL conditions that say which cases a user may see,
whole or as a summary, and which they may move. Records are fetched *through* these,
never by bare id (core/permissions.py decides the roles)."""

from sqlalchemy import exists, false, or_, select, true, union
from sqlalchemy.orm import aliased

from mettrack.core.choices import CaseAction, CaseState, Role
from mettrack.core.permissions import CASE_WORKERS, Perm, can


def case_scope(user):
    """SQL condition for the cases whose whole record this user may see (need-to-know):
    the child's record, notes, missing episodes and Philomena details, screenings, risk
    assessments, the team, the classification and the timeline's reasons.

    met_chair: every case. lead_professional: cases they lead. Any case worker (a
    coordinator too): a case whose team they are on. analyst and admin: none.
    """
    from mettrack.cases.models import Case, CaseTeamMember

    if user.has_role(Role.MET_CHAIR):
        return true()
    # One IN over the user's few cases (the team index, the lead index), not an OR of an
    # EXISTS and a column test, which PostgreSQL can only answer by reading every case.
    theirs = []
    if user.roles & CASE_WORKERS:
        theirs.append(select(CaseTeamMember.case_id).where(CaseTeamMember.user_id == user.id))
    if user.has_role(Role.LEAD_PROFESSIONAL):
        led = aliased(Case)
        theirs.append(select(led.id).where(led.lead_professional_id == user.id))
    if not theirs:
        return false()
    return Case.id.in_(theirs[0] if len(theirs) == 1 else union(*theirs))


def case_summary_scope(user):
    """SQL condition for the cases this user may list, open as a summary and assign
    specialist services to: case_scope, and for a coordinator every open case.

    DESIGN.md gives the coordinator "every open case, service fields": on a case they
    are not on the team of, only what assigning a service needs (docs/security.md,
    "What a coordinator sees"): the case list's row, the case page's summary and its
    specialist services, and the moves that record a service.
    """
    from mettrack.cases.models import Case

    full = case_scope(user)
    if user.has_role(Role.COORDINATOR):
        return or_(full, Case.state != CaseState.CLOSED.value)
    return full


# The moves that record a specialist service: made on a case within the case summary
# scope, like the services themselves (cases/transitions.py, cases/transition_pages.py).
SUMMARY_MOVES = frozenset({CaseAction.ASSIGN_SERVICE})


def move_scope(user, action):
    """SQL condition for the cases on which the user may make the move `action`: the case
    summary scope for a move that records a service, case_scope for every other."""
    return case_summary_scope(user) if action in SUMMARY_MOVES else case_scope(user)


def sees_case_record(user, case_id: int) -> bool:
    """Whether the case lies within case_scope (the whole record), not only within
    case_summary_scope. One query; reads nothing else and audits nothing."""
    from mettrack.cases.models import Case
    from mettrack.core.extensions import db

    if user is None or not user.is_authenticated or not can(user, Perm.CASE_VIEW):
        return False
    return bool(db.session.scalar(select(exists().where(Case.id == case_id, case_scope(user)))))


def full_record_ids(user, case_ids) -> set[int]:
    """Of these case ids, those within case_scope (the whole record). One query."""
    from mettrack.cases.models import Case
    from mettrack.core.extensions import db

    ids = list(case_ids)
    if not ids or not can(user, Perm.CASE_VIEW):
        return set()
    return set(db.session.scalars(select(Case.id).where(Case.id.in_(ids), case_scope(user))))


def chair_or_case_lead(user, case, perm: Perm) -> bool:
    """Whether the user may make a change that DESIGN.md gives to "the MET chair or this
    case's lead" (the team and lead professional, the exploitation types and NRM): their
    roles allow `perm`, and they are the MET chair or the case's lead professional."""
    if not can(user, perm):
        return False
    return user.has_role(Role.MET_CHAIR) or (
        case.lead_professional_id is not None and case.lead_professional_id == user.id
    )
