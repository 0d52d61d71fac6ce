"""The case team: who works a child's case, and so who may open it (docs/case-team.md).

Team membership is what opens a case to a partner: permissions.case_scope lets anyone
with a case role see the cases whose team they are on. So adding someone to the team
gives them the case, and taking them off takes it away (their next request is a 404).

Who: the MET chair, or the case's lead professional (Perm.CASE_TEAM_MANAGE says which
roles may try at all: 403 otherwise; a lead professional who is not this case's lead
gets 403 too, audited). The lead professional is changed by the chair, or by the
current lead handing the case over; the new lead must be an active user holding the
lead_professional role. The chair's list of cases to reassign (Perm.CASE_REASSIGN)
holds the open cases whose lead is deactivated, no longer holds the lead professional
role, or is missing.

Order of the checks, as in cases/transitions.py: the role (403, before anything
about the case is revealed), the user's need-to-know (404), who may change this case's
team (403), the version the user read (409, lead changes only: they change the case),
then the fields (ValidationError naming each). Every change writes an audit row and a
CaseEvent (action `team.*`, from_state == to_state == the case's state) so the case's
timeline says who joined, who left and who leads; nothing else reads those events as a
move of the case.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User, UserRole
from mettrack.cases.lock import locked_case
from mettrack.cases.models import Case, CaseTeamMember
from mettrack.cases.queries import get_for
from mettrack.cases.scopes import case_scope, chair_or_case_lead
from mettrack.core import audit, choices
from mettrack.core.choices import OPEN_STATES, AuditOutcome, CaseEventKind, Role, TeamRole
from mettrack.core.clock import now
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_version
from mettrack.core.limits import DATABASE_INT_MAX
from mettrack.core.permissions import CASE_WORKERS, Perm, can
from mettrack.core.permissions import require as _require_role
from mettrack.core.unit_of_work import transaction

TEAM_EVENTS = choices.TEAM_EVENTS  # the timeline shows their reason, not a move

# Why a case is on the chair's list of cases to reassign.
NO_LEAD = "no_lead"
LEAD_DEACTIVATED = "lead_deactivated"
LEAD_NOT_A_LEAD = "lead_not_a_lead_professional"
REASSIGN_REASONS = {
    LEAD_DEACTIVATED: "The lead professional's account is deactivated",
    LEAD_NOT_A_LEAD: "The lead professional no longer holds the lead professional role",
    NO_LEAD: "No lead professional",
}


class NotTheLead(NotAllowed):
    """The user's role may change teams and classifications, but not on this case: they
    are neither the MET chair nor its lead professional (403, audited)."""

    description = "Only the MET chair or the case's lead professional may change this."

    def __init__(self, action: str = ""):
        super().__init__(action, (self.description,))


class NotOnTeam(ValidationError):
    """The person named is not on the case's team: the API answers 404 naming user_id;
    the pages show it by the field."""

    status = 404
    detail = "This person is not on the case's team."

    def __init__(self):
        super().__init__({"user_id": "This person is not on the case's team"})


# --- who may do what ---------------------------------------------------------------------


def may_manage(user, case: Case) -> bool:
    """Whether the user may add and remove members and change the lead of this case:
    the MET chair, or the case's lead professional (permissions.chair_or_case_lead)."""
    return chair_or_case_lead(user, case, Perm.CASE_TEAM_MANAGE)


def require(user, perm: Perm, action: str) -> None:
    """NotAllowed (audited) when the user's roles do not allow `perm` at all. Views check
    first with @requires; this keeps the service safe when called alone."""
    _require_role(user, perm, action)


def _refuse(user, case: Case, action: str) -> None:
    audit.record_now(
        f"{action}.denied",
        "case",
        case.id,
        detail={"reason": "not the chair or the case's lead professional"},
        outcome=AuditOutcome.DENIED,
        actor=user,
    )
    raise NotTheLead(action)


def _locked_case(user, case_id: int, action: str) -> Case:
    """The case, locked for this transaction, if within the user's need-to-know and the
    user may manage its team; NotFound or NotAllowed (both audited) otherwise."""
    require(user, Perm.CASE_TEAM_MANAGE, action)
    case = locked_case(case_id, case_scope(user), action)
    if not may_manage(user, case):
        _refuse(user, case, action)
    return case


def case_to_manage(user, case_id: int) -> Case:
    """Who: the forms that change the team or the lead. The case, if within the user's
    need-to-know (NotFound otherwise) and the user may manage its team (NotAllowed
    otherwise); both refusals audited. Audited as case.viewed."""
    require(user, Perm.CASE_TEAM_MANAGE, "case.team_form_viewed")
    case = get_for(user, case_id)
    if not may_manage(user, case):
        _refuse(user, case, "case.team_form_viewed")
    return case


def user_sees_case(user, case_id: int) -> bool:
    """Whether the case is still within the user's need-to-know (after a change that may
    have taken them off its team). Reveals nothing: no audit row."""
    return db.session.scalar(select(exists().where(Case.id == case_id, case_scope(user))))


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamView:
    case: Case
    members: list[CaseTeamMember]  # the lead first, then by name

    @property
    def lead(self) -> User | None:
        return self.case.lead_professional


def _members(case: Case) -> list[CaseTeamMember]:
    rows = list(
        db.session.scalars(
            select(CaseTeamMember)
            .where(CaseTeamMember.case_id == case.id)
            .options(selectinload(CaseTeamMember.user))
        )
    )
    return sorted(
        rows,
        key=lambda m: (m.user_id != case.lead_professional_id, m.user.name.casefold(), m.user_id),
    )


def team_of(case: Case) -> TeamView:
    """Who: the case page, for a case already fetched (and audited) through get_for."""
    return TeamView(case, _members(case))


def team_for(user, case_id: int) -> TeamView:
    """Who: any role with case.view, on a case within need-to-know (NotFound otherwise,
    audited). The case's lead professional and team. Audited as case.team_viewed."""
    return team_of(get_for(user, case_id, action="case.team_viewed"))


def _user_label(user: User) -> str:
    return f"{user.name} ({user.agency.name})"


def _case_role_users():
    """Users holding any case role: only they can reach a case through its team."""
    return exists().where(UserRole.user_id == User.id, UserRole.role.in_([r.value for r in CASE_WORKERS]))


def _lead_role_users():
    return exists().where(UserRole.user_id == User.id, UserRole.role == Role.LEAD_PROFESSIONAL.value)


def member_candidates(case: Case) -> list[User]:
    """Who: the add-member form, for a user who may manage the case's team. Active users
    of any agency holding a case role, not already on the team: by agency, then name.
    Names staff, not children: no audit row."""
    on_team = select(CaseTeamMember.user_id).where(CaseTeamMember.case_id == case.id)
    return list(
        db.session.scalars(
            select(User)
            .join(Agency, Agency.id == User.agency_id)
            .where(User.active.is_(True), _case_role_users(), User.id.not_in(on_team))
            .order_by(func.lower(Agency.name), func.lower(User.name), User.id)
        )
    )


def lead_candidates(case: Case | None = None) -> list[User]:
    """Who: the change-lead and reassign forms. Active users holding the lead
    professional role, other than the case's current lead: by name."""
    query = select(User).where(User.active.is_(True), _lead_role_users())
    if case is not None and case.lead_professional_id is not None:
        query = query.where(User.id != case.lead_professional_id)
    return list(db.session.scalars(query.order_by(func.lower(User.name), User.id)))


# --- parsing -----------------------------------------------------------------------------


def parse_id(value) -> int | None:
    """A positive whole number within the database's integer range (a JSON number or a
    form's string), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            return None
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= DATABASE_INT_MAX:
        return None
    return value


def _user_id(data: Mapping, errors: dict, message: str) -> int | None:
    value = data.get("user_id") if hasattr(data, "get") else None
    number = parse_id(value)
    if number is None:
        errors["user_id"] = message
    return number


def _flag(data: Mapping, name: str) -> bool:
    value = data.get(name) if hasattr(data, "get") else None
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().casefold() in {"yes", "true", "on", "1"}


# --- changing the team -------------------------------------------------------------------


def join_team(case: Case, member: User, *, actor) -> CaseTeamMember | None:
    """Put `member` on the case's team, with its timeline line and audit row, inside the
    caller's unit of work; None when they are on it already. Who may was decided by the
    caller (a provider's user accepting a request: specialist_services/requests.py)."""
    if any(row.user_id == member.id for row in case.team):
        return None
    row = CaseTeamMember(user_id=member.id, team_role=TeamRole.MEMBER.value, added_at=now())
    case.team.append(row)
    case.note_event(actor, CaseEventKind.TEAM_MEMBER_ADDED, f"{_user_label(member)} joined the team")
    audit.record("case.team_member_added", "case", case.id, detail={"user_id": member.id}, actor=actor)
    return row


ADD_MESSAGE = "Choose the person to add to the team from the list"
LEAD_MESSAGE = "Choose the new lead professional from the list"


@transaction
def add_member(user, case_id: int, data: Mapping) -> CaseTeamMember:
    """Who: the MET chair or the case's lead professional (NotAllowed otherwise, audited),
    on a case within need-to-know (NotFound otherwise, audited). `data["user_id"]`: an
    active user of any agency holding a case role, not yet on the team. Adding opens the
    case to them. Audited as case.team_member_added; a CaseEvent on the timeline."""
    action = "case.team_member_added"
    case = _locked_case(user, case_id, action)
    errors: dict[str, str] = {}
    member_id = _user_id(data, errors, ADD_MESSAGE)
    member = db.session.get(User, member_id) if member_id else None
    if member_id and member is None:
        errors["user_id"] = ADD_MESSAGE
    elif member is not None:
        if not member.active:
            errors["user_id"] = "This person's account is deactivated: choose someone else"
        elif not member.roles & CASE_WORKERS:
            errors["user_id"] = "This person's roles give no access to cases: choose someone with a case role"
        elif any(m.user_id == member.id for m in case.team):
            errors["user_id"] = f"{member.name} is already on the team"
    if errors:
        raise ValidationError(errors)
    row = CaseTeamMember(user_id=member.id, team_role=TeamRole.MEMBER.value, added_at=now())
    case.team.append(row)
    case.note_event(user, CaseEventKind.TEAM_MEMBER_ADDED, f"{_user_label(member)} joined the team")
    audit.record(action, "case", case.id, detail={"user_id": member.id}, actor=user)
    try:
        db.session.flush()
    except IntegrityError:  # added by someone else at the same moment
        raise Conflict(f"case {case_id}: the team changed while saving") from None
    return row


@transaction
def remove_member(user, case_id: int, member_id: int) -> None:
    """Who: the MET chair or the case's lead professional, on a case within need-to-know.
    Takes the person off the team: the case is closed to them unless a role of theirs
    covers it (the chair sees every case, a coordinator every open one). The lead
    professional cannot be removed: change the lead first. NotOnTeam when they are not
    on the team. Audited as case.team_member_removed; a CaseEvent on the timeline."""
    action = "case.team_member_removed"
    case = _locked_case(user, case_id, action)
    row = next((m for m in case.team if m.user_id == member_id), None)
    if row is None:
        raise NotOnTeam()
    if member_id == case.lead_professional_id or row.team_role == TeamRole.LEAD.value:
        raise ValidationError(
            {
                "user_id": "The lead professional cannot be taken off the team: "
                "change the lead professional first"
            }
        )
    label = _user_label(row.user)
    case.team.remove(row)
    case.note_event(user, CaseEventKind.TEAM_MEMBER_REMOVED, f"{label} left the team")
    audit.record(action, "case", case.id, detail={"user_id": member_id}, actor=user)


@transaction
def change_lead(user, case_id: int, data: Mapping, expected_version) -> Case:
    """Who: the MET chair, or the case's current lead professional handing it over
    (NotAllowed otherwise, audited), on a case within need-to-know. `data["user_id"]`: an
    active user holding the lead_professional role; `data["remove_previous"]` (optional,
    true/false): also take the previous lead off the team, who otherwise stays a member.
    `expected_version` is the case version the user read (Conflict when it changed).

    The new lead joins the team as its lead; the case's lead agency becomes theirs.
    Audited as case.lead_changed; a CaseEvent on the timeline."""
    action = "case.lead_changed"
    case = _locked_case(user, case_id, action)
    version = parse_version(expected_version)
    if case.version != version:
        raise Conflict(f"case {case_id} is at version {case.version}, not {version}")

    errors: dict[str, str] = {}
    new_id = _user_id(data, errors, LEAD_MESSAGE)
    new = db.session.get(User, new_id) if new_id else None
    if new_id and new is None:
        errors["user_id"] = LEAD_MESSAGE
    elif new is not None:
        if not new.active:
            errors["user_id"] = "This person's account is deactivated: choose an active lead professional"
        elif not new.has_role(Role.LEAD_PROFESSIONAL):
            errors["user_id"] = (
                "This person does not hold the lead professional role: choose a lead professional"
            )
        elif new.id == case.lead_professional_id:
            errors["user_id"] = f"{new.name} is already the lead professional"
    if errors:
        raise ValidationError(errors)

    previous = case.lead_professional
    remove_previous = _flag(data, "remove_previous") and previous is not None
    for row in list(case.team):
        if previous is not None and row.user_id == previous.id:
            if remove_previous:
                case.team.remove(row)
            else:
                row.team_role = TeamRole.MEMBER.value
        elif row.team_role == TeamRole.LEAD.value and row.user_id != new.id:
            row.team_role = TeamRole.MEMBER.value  # a stale lead row: one lead at a time
    row = next((m for m in case.team if m.user_id == new.id), None)
    if row is None:
        case.team.append(CaseTeamMember(user_id=new.id, team_role=TeamRole.LEAD.value, added_at=now()))
    else:
        row.team_role = TeamRole.LEAD.value
    case.lead_professional_id = new.id
    case.lead_professional = new
    case.lead_agency_id = new.agency_id
    reason = (
        f"Lead professional: {_user_label(new)}, in place of {_user_label(previous)}"
        if previous is not None
        else f"Lead professional: {_user_label(new)}"
    )
    if remove_previous:
        reason += f"; {previous.name} left the team"
    case.note_event(user, CaseEventKind.TEAM_LEAD_CHANGED, reason)
    audit.record(
        action,
        "case",
        case.id,
        detail={
            "from": previous.id if previous is not None else None,
            "to": new.id,
            "previous_removed": remove_previous,
        },
        actor=user,
    )
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        raise Conflict(f"case {case_id} changed while its lead was being changed") from None
    return case


# --- the chair's list of cases to reassign -----------------------------------------------


@dataclass(frozen=True)
class ToReassign:
    case: Case
    reason: str  # one of REASSIGN_REASONS

    @property
    def reason_label(self) -> str:
        return REASSIGN_REASONS[self.reason]


def _reassign_condition():
    lead_ok = exists().where(
        User.id == Case.lead_professional_id,
        User.active.is_(True),
        exists().where(UserRole.user_id == User.id, UserRole.role == Role.LEAD_PROFESSIONAL.value),
    )
    return and_(
        Case.state.in_([s.value for s in OPEN_STATES]),
        or_(Case.lead_professional_id.is_(None), not_(lead_ok)),
    )


def _reason(case: Case) -> str:
    lead = case.lead_professional
    if lead is None:
        return NO_LEAD
    if not lead.active:
        return LEAD_DEACTIVATED
    return LEAD_NOT_A_LEAD


_REASON_ORDER = (LEAD_DEACTIVATED, LEAD_NOT_A_LEAD, NO_LEAD)


@transaction
def cases_to_reassign(user) -> list[ToReassign]:
    """Who: the MET chair (case.reassign; NotAllowed otherwise, audited). The open cases
    whose lead professional is deactivated or no longer holds the lead professional role,
    then the open cases with no lead: oldest first within each. Audited as one
    case.reassign_listed row naming the ids shown."""
    require(user, Perm.CASE_REASSIGN, "case.reassign_listed")
    _, found = waiting_for_lead(user)
    items = sorted(found, key=lambda item: _REASON_ORDER.index(item.reason))
    audit.record("case.reassign_listed", "case", detail={"ids": [i.case.id for i in items]}, actor=user)
    return items


def waiting_for_lead(user, *, order_by=(), limit: int | None = None) -> tuple[int, list[ToReassign]]:
    """Who: the MET chair ((0, []) for anyone else). The open cases waiting for a new lead
    professional, each with why, in `order_by` order then oldest first, the first `limit`
    of them, and how many wait in all: one query (a window count), whatever the number of
    cases. No audit row: the caller records what it shows (cases_to_reassign, the home
    page's `home.viewed`)."""
    if not can(user, Perm.CASE_REASSIGN):
        return 0, []
    rows = db.session.execute(
        select(Case, func.count().over().label("total"))
        .where(_reassign_condition(), case_scope(user))
        .options(selectinload(Case.lead_professional), selectinload(Case.team))
        .order_by(*order_by, Case.opened_at, Case.id)
        .limit(limit)
    ).all()
    return (rows[0].total if rows else 0), [ToReassign(row.Case, _reason(row.Case)) for row in rows]


def count_to_reassign(user) -> int:
    """Who: the MET chair (0 for anyone else). How many cases wait for a new lead: a
    number only, no case content, so no audit row."""
    if not can(user, Perm.CASE_REASSIGN):
        return 0
    return db.session.scalar(select(func.count(Case.id)).where(_reassign_condition(), case_scope(user)))
