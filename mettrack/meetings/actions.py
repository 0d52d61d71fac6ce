"""Actions across meetings: the list, one action with its history, and what the owner
(or a MET chair) records on it: done, not done and why, an update; a chair reassigns it
(docs/meetings-actions.md).

Who sees which actions (meeting.view): a MET chair every action; anyone else the actions
they own and the actions of the meetings they are a member of (raised there, or carried
forward to one). Any other action is NotFound (audited), as a meeting is.

An action names its case, but a viewer whose need-to-know does not reach the case's
record (cases.case_scope) sees the action and NOT the case: no child's name, no link, no
case id (ActionView.case is None, `case_hidden` True). Every read writes an audit row
naming the action ids it showed; every change one row and an ActionEvent.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select, true
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases import case_scope
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import audit
from mettrack.core.choices import ActionEventKind, ActionNotDoneReason, ActionStatus
from mettrack.core.clock import now, today
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_value, parse_text, parse_version
from mettrack.core.limits import DATABASE_INT_MAX
from mettrack.core.permissions import Perm, can, deny_record, require
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.meetings.membership import meeting_for, meeting_scope, sees_every_meeting
from mettrack.meetings.models import ActionEvent, Meeting, MeetingAction

CASE_HIDDEN = "a case you do not have access to"
MAX_NOTE = 5000
MAX_PAGE = 100_000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
ME, ANYONE = "me", "any"
NOTE_LABELS = {"note": "Note"}
NOT_OWNER = "Only the action's owner or a MET chair may update this action."
NOT_OPEN = "This action is already closed: it was marked done or not done."
FILTER_PARAMS = ("owner", "agency", "status", "due_before", "overdue", "meeting", "case")


# --- filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilters:
    """What the actions list is narrowed to. Empty means every action the user sees."""

    owner_id: int | None = None
    owner_is_me: bool = False  # given as "me": kept so that links keep saying "me"
    agency_id: int | None = None
    statuses: tuple[str, ...] = ()
    due_before: date | None = None  # due on or before this date
    overdue: bool = False  # open and due before today (London)
    meeting_id: int | None = None  # raised at, or carried forward to, this meeting
    case_id: int | None = None

    def query_args(self) -> dict:
        args: dict = {}
        if self.owner_id is not None:
            args["owner"] = ME if self.owner_is_me else str(self.owner_id)
        else:
            args["owner"] = ANYONE
        for name in ("agency_id", "meeting_id", "case_id"):
            if getattr(self, name) is not None:
                args[name.removesuffix("_id")] = str(getattr(self, name))
        if self.statuses:
            args["status"] = list(self.statuses)
        if self.due_before:
            args["due_before"] = self.due_before.isoformat()
        if self.overdue:
            args["overdue"] = "true"
        return args

    def audit_query(self) -> dict:
        query = {k: v for k, v in self.query_args().items() if k != "owner" or v != ANYONE}
        if self.owner_id is not None:
            query["owner"] = self.owner_id
        return query


def my_open_actions(user) -> ActionFilters:
    """What /actions shows with no filters given: the user's own open actions."""
    return ActionFilters(owner_id=user.id, owner_is_me=True, statuses=(ActionStatus.OPEN.value,))


def _values(args: Mapping, name: str) -> list:
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        value = args.get(name)
        raw = [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
    return [v.strip() if isinstance(v, str) else v for v in raw if not (isinstance(v, str) and not v.strip())]


def _id(value, name: str, message: str, errors: dict) -> int | None:
    if isinstance(value, bool):
        errors[name] = message
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        errors[name] = message
        return None
    if not 1 <= number <= DATABASE_INT_MAX:
        errors[name] = message
        return None
    return number


def parse_filters(args: Mapping, user) -> tuple[ActionFilters, dict[str, str]]:
    """Who: pages and the API, before list_for. The filters in `args` (a query string's
    MultiDict, or a dict from JSON), and {field: message} for each bad one; a bad field is
    left out, the good ones kept. `owner` may be `me`, `any` (or blank) or a user id."""
    errors: dict[str, str] = {}
    values: dict = {}
    owner = _values(args, "owner")
    if owner and not (isinstance(owner[-1], str) and owner[-1].casefold() == ANYONE):
        if isinstance(owner[-1], str) and owner[-1].casefold() == ME:
            values["owner_id"], values["owner_is_me"] = user.id, True
        else:
            values["owner_id"] = _id(owner[-1], "owner", "Give the owner as a user id, me or any", errors)
    for name, label in (("agency", "an agency"), ("meeting", "a meeting"), ("case", "a case")):
        given = _values(args, name)
        if given:
            values[f"{name}_id"] = _id(given[-1], name, f"Give {label} as its number", errors)
    statuses = _values(args, "status")
    chosen: list[str] = []
    for value in statuses:
        if value not in ActionStatus.values():
            errors["status"] = f"Choose each status from: {', '.join(ActionStatus.values())}"
            chosen = []
            break
        if value not in chosen:
            chosen.append(value)
    values["statuses"] = tuple(chosen)
    due = _values(args, "due_before")
    if due:
        values["due_before"] = date_value(due[-1], "due_before", "Due before", errors)
    overdue = _values(args, "overdue")
    if overdue:
        value = overdue[-1]
        text = str(value).casefold()
        if value is True or text in {"true", "yes", "on", "1"}:
            values["overdue"] = True
        elif not (value is False or text in {"false", "no", "off", "0"}):
            errors["overdue"] = "Overdue: use true or false"
    return ActionFilters(**values), errors


def filters_from(args: Mapping, user) -> ActionFilters:
    """parse_filters, raising ValidationError naming every bad field (for the API)."""
    filters, errors = parse_filters(args, user)
    if errors:
        raise ValidationError(errors)
    return filters


# --- who sees which action -------------------------------------------------------------


def action_scope(user):
    """A WHERE clause on MeetingAction: the actions the user may see."""
    if sees_every_meeting(user):
        return true()
    reached = select(Meeting.id).where(meeting_scope(user))
    carried = exists().where(
        ActionEvent.action_id == MeetingAction.id,
        ActionEvent.kind == ActionEventKind.CARRIED_FORWARD.value,
        ActionEvent.meeting_id.in_(reached),
    )
    return or_(MeetingAction.owner_id == user.id, MeetingAction.meeting_id.in_(reached), carried)


def _visible_case_ids(user, case_ids) -> set[int]:
    """Of these case ids, those whose whole record the user may see. One query."""
    ids = {i for i in case_ids if i is not None}
    if not ids or not can(user, Perm.CASE_VIEW):
        return set()
    return set(db.session.scalars(select(Case.id).where(Case.id.in_(ids), case_scope(user))))


def conditions_for(user, filters: ActionFilters, on: date) -> list:
    """The SQL conditions of the user's reach and the filters: the list's and the export's
    (meetings/action_export.py)."""
    conditions = [action_scope(user)]
    if filters.owner_id is not None:
        conditions.append(MeetingAction.owner_id == filters.owner_id)
    if filters.agency_id is not None:
        conditions.append(MeetingAction.agency_id == filters.agency_id)
    if filters.statuses:
        conditions.append(MeetingAction.status.in_(filters.statuses))
    if filters.due_before is not None:
        conditions.append(MeetingAction.due_on <= filters.due_before)
    if filters.overdue:
        conditions.append(and_(MeetingAction.status == ActionStatus.OPEN.value, MeetingAction.due_on < on))
    if filters.meeting_id is not None:
        carried = exists().where(
            ActionEvent.action_id == MeetingAction.id,
            ActionEvent.kind == ActionEventKind.CARRIED_FORWARD.value,
            ActionEvent.meeting_id == filters.meeting_id,
        )
        conditions.append(or_(MeetingAction.meeting_id == filters.meeting_id, carried))
    if filters.case_id is not None:
        # Narrowing by a case the user may not see would reveal which actions name it.
        conditions.append(MeetingAction.case_id == filters.case_id)
        if not sees_every_meeting(user):
            conditions.append(MeetingAction.case_id.in_(select(Case.id).where(case_scope(user))))
    return conditions


# --- what is shown -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRef:
    id: int
    child_name: str


@dataclass(frozen=True)
class MeetingRef:
    id: int
    title: str
    starts_at: datetime
    reachable: bool  # the viewer may open the meeting (a link is shown)


@dataclass(frozen=True)
class HistoryLine:
    kind: str
    label: str
    meeting: MeetingRef | None
    actor_name: str | None
    note: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class ActionView:
    id: int
    description: str
    owner_id: int
    owner_name: str
    agency_id: int | None
    agency_name: str | None
    due_on: date
    status: str
    status_label: str
    overdue: bool
    not_done_reason: str | None
    outcome_note: str | None
    closed_at: datetime | None
    raised_at: MeetingRef
    case: CaseRef | None  # None: the viewer may not see the case's record
    version: int
    may_update: bool  # the owner or a MET chair, while it is open
    may_reassign: bool  # a MET chair, while it is open
    may_note: bool  # the owner or a MET chair, open or closed
    history: tuple[HistoryLine, ...] = ()

    @property
    def case_hidden(self) -> bool:
        return self.case is None

    @property
    def not_done_reason_label(self) -> str | None:
        return ActionNotDoneReason(self.not_done_reason).label if self.not_done_reason else None


@dataclass(frozen=True)
class ActionPage:
    items: list[ActionView]
    total: int
    page: int
    per_page: int
    filters: ActionFilters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _may_update(user, action: MeetingAction) -> bool:
    return can(user, Perm.ACTION_UPDATE) and (action.owner_id == user.id or can(user, Perm.MEETING_MANAGE))


def views_for(user, actions: list[MeetingAction], *, history: bool = False) -> list[ActionView]:
    """The actions as the user may see them: three queries for the page whatever its size
    (visible cases, reachable meetings, their children's names)."""
    visible = _visible_case_ids(user, [a.case_id for a in actions])
    meeting_ids = {a.meeting_id for a in actions}
    if history:
        meeting_ids |= {e.meeting_id for a in actions for e in a.events if e.meeting_id}
    meetings = (
        {m.id: m for m in db.session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)))}
        if meeting_ids
        else {}
    )
    reachable = (
        set(db.session.scalars(select(Meeting.id).where(Meeting.id.in_(meeting_ids), meeting_scope(user))))
        if meeting_ids
        else set()
    )
    names = {}
    if visible:
        names = dict(
            db.session.execute(
                select(Case.id, Child.first_name + " " + Child.last_name)
                .join(Child, Child.id == Case.child_id)
                .where(Case.id.in_(visible))
            ).all()
        )

    def ref(meeting_id):
        m = meetings.get(meeting_id)
        return MeetingRef(m.id, m.title, m.starts_at, m.id in reachable) if m else None

    on = today()
    views = []
    for a in actions:
        lines = ()
        if history:
            lines = tuple(
                HistoryLine(
                    kind=e.kind,
                    label=ActionEventKind(e.kind).label,
                    meeting=ref(e.meeting_id) if e.meeting_id else None,
                    actor_name=e.actor.name if e.actor else None,
                    note=e.note,
                    occurred_at=e.occurred_at,
                )
                for e in a.events
            )
        views.append(
            ActionView(
                id=a.id,
                description=a.description,
                owner_id=a.owner_id,
                owner_name=a.owner.name,
                agency_id=a.agency_id,
                agency_name=a.agency.name if a.agency else None,
                due_on=a.due_on,
                status=a.status,
                status_label=ActionStatus(a.status).label,
                overdue=a.is_open and a.due_on < on,
                not_done_reason=a.not_done_reason,
                outcome_note=a.outcome_note,
                closed_at=a.closed_at,
                raised_at=ref(a.meeting_id),
                case=CaseRef(a.case_id, names.get(a.case_id, "")) if a.case_id in visible else None,
                version=a.version,
                may_update=a.is_open and _may_update(user, a),
                may_reassign=a.is_open and can(user, Perm.MEETING_MANAGE),
                may_note=_may_update(user, a),
                history=lines,
            )
        )
    return views


def with_people(query):
    """The query with each action's owner and agency loaded in one query each."""
    return query.options(
        selectinload(MeetingAction.owner),
        selectinload(MeetingAction.agency),
    )


# --- reading -----------------------------------------------------------------------------


@transaction
def list_for(
    user, filters: ActionFilters | None = None, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> ActionPage:
    """Who: meeting.view. The actions the user may see that match `filters`, soonest due
    first, a page at a time. Writes one audit row (action.listed) naming the query and
    the ids shown."""
    require(user, Perm.MEETING_VIEW, "action.listed")
    filters = filters or ActionFilters()
    errors = {}
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_PAGE:
        errors["page"] = f"Give the page as a whole number from 1 to {MAX_PAGE}"
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = f"Give the number of actions per page as a whole number from 1 to {MAX_PER_PAGE}"
    if errors:
        raise ValidationError(errors)
    conditions = conditions_for(user, filters, today())
    total = db.session.scalar(select(func.count(MeetingAction.id)).where(*conditions))
    actions = list(
        db.session.scalars(
            with_people(select(MeetingAction))
            .where(*conditions)
            .order_by(MeetingAction.due_on, MeetingAction.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    items = views_for(user, actions)
    audit.record(
        "action.listed",
        "meeting_action",
        detail={
            "query": {**filters.audit_query(), "page": page, "per_page": per_page},
            "ids": [a.id for a in items],
            "case_ids": [a.case.id for a in items if a.case],
        },
        actor=user,
    )
    return ActionPage(items, total, page, per_page, filters)


def count_open_for(user) -> int:
    """Who: meeting.view (0 for anyone else). How many open actions the user owns: what
    /actions lists by default (my_open_actions), counted. A number only, no case, so no
    audit row (as cases.count_to_reassign for the home page)."""
    if not can(user, Perm.MEETING_VIEW):
        return 0
    conditions = conditions_for(user, my_open_actions(user), today())
    return db.session.scalar(select(func.count(MeetingAction.id)).where(*conditions)) or 0


def _action_for(user, action_id, action: str, *, lock: bool = False) -> MeetingAction:
    require(user, Perm.MEETING_VIEW, action)
    query = select(MeetingAction).where(MeetingAction.id == action_id, action_scope(user))
    if lock:
        query = query.with_for_update(of=MeetingAction)
    found = db.session.scalar(query)
    if found is None:
        raise deny_record("meeting_action", action_id, action)
    return found


@transaction
def get_for(user, action_id: int) -> ActionView:
    """Who: meeting.view, an action within the user's reach (NotFound, audited,
    otherwise). The action with its history; audited as action.viewed (with the case id
    when the case was shown)."""
    found = _action_for(user, action_id, "action.viewed")
    view = views_for(user, [found], history=True)[0]
    audit.record(
        "action.viewed",
        "meeting_action",
        found.id,
        detail={"case_id": view.case.id if view.case else None},
        actor=user,
    )
    return view


@dataclass(frozen=True)
class MeetingActions:
    meeting: Meeting
    raised: list[ActionView]  # raised at this meeting
    carried_forward: list[ActionView]  # raised earlier, carried forward to it


@transaction
def meeting_actions(user, meeting_id: int) -> MeetingActions:
    """Who: meeting.view, a member of the meeting (or a MET chair): the meeting's actions
    tab. The actions raised at the meeting and those carried forward to it, with their
    history. Audited as meeting.actions_viewed with the meeting as the reason."""
    meeting = meeting_for(user, meeting_id, Perm.MEETING_VIEW, "meeting.actions_viewed")
    carried_ids = select(ActionEvent.action_id).where(
        ActionEvent.kind == ActionEventKind.CARRIED_FORWARD.value, ActionEvent.meeting_id == meeting.id
    )
    actions = list(
        db.session.scalars(
            with_people(select(MeetingAction))
            .options(selectinload(MeetingAction.events).selectinload(ActionEvent.actor))
            .where(or_(MeetingAction.meeting_id == meeting.id, MeetingAction.id.in_(carried_ids)))
            .order_by(MeetingAction.due_on, MeetingAction.id)
        )
    )
    views = views_for(user, actions, history=True)
    raised = [v for v in views if v.raised_at.id == meeting.id]
    carried = [v for v in views if v.raised_at.id != meeting.id]
    audit.record(
        "meeting.actions_viewed",
        "meeting",
        meeting.id,
        detail={
            "reason": "meeting",
            "ids": [v.id for v in views],
            "case_ids": [v.case.id for v in views if v.case],
        },
        actor=user,
    )
    return MeetingActions(meeting, raised, carried)


# --- changing ----------------------------------------------------------------------------


def _for_update(user, action_id: int, action: str, expected_version) -> MeetingAction:
    """The action locked for a change by its owner or a MET chair, at the version read."""
    require(user, Perm.ACTION_UPDATE, action)
    found = _action_for(user, action_id, action, lock=True)
    if not _may_update(user, found):
        audit.record_now(
            f"{action}.denied",
            "meeting_action",
            found.id,
            detail={"reason": "not the owner"},
            actor=user,
        )
        raise NotAllowed(action, (NOT_OWNER,))
    version = parse_version(expected_version)
    if found.version != version:
        raise Conflict(f"action {action_id} is at version {found.version}, not {version}")
    return found


def _note(data: Mapping, errors: dict, *, required: bool, label: str = "Note") -> str | None:
    return parse_text(data, "note", label, errors, max_length=MAX_NOTE, required=required)


def _save(
    found: MeetingAction, user, kind: ActionEventKind, note: str | None, audit_action: str, detail: dict
) -> "ActionView":
    with db.session.no_autoflush:
        # One UPDATE for the whole change (a flush before this line would be a second).
        found.events.append(ActionEvent(kind=kind.value, actor=user, note=note, occurred_at=now()))
    # A new line of history changes the action as read: its version goes up with it.
    flag_modified(found, "description")
    audit.record(
        audit_action, "meeting_action", found.id, detail={"case_id": found.case_id, **detail}, actor=user
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(f"action {found.id} changed while it was being saved") from None
    return views_for(user, [found], history=True)[0]


def _closing(found: MeetingAction) -> None:
    if not found.is_open:
        raise ValidationError({"status": NOT_OPEN})


@transaction
def mark_done(user, action_id: int, data: Mapping, *, save_anyway: bool = False) -> ActionView:
    """Who: action.update, the action's owner or a MET chair. `data`: `note` (what was
    done, optional), `version` (the version read; Conflict when it changed). Raises
    WordingFlagged when the language check flags the note and `save_anyway` is false.
    Audited as action.done; an ActionEvent DONE is added to its history."""
    found = _for_update(user, action_id, "action.done", data.get("version"))
    _closing(found)
    errors: dict = {}
    note = _note(data, errors, required=False)
    if errors:
        raise ValidationError(errors)
    flagged = check_before_saving({"note": note}, save_anyway=save_anyway, labels=NOTE_LABELS)
    found.status = ActionStatus.DONE.value
    found.not_done_reason = None
    found.outcome_note = note
    found.closed_at, found.closed_by_id = now(), user.id
    return _save(found, user, ActionEventKind.DONE, note, "action.done", audit_detail(flagged))


@transaction
def mark_not_done(user, action_id: int, data: Mapping, *, save_anyway: bool = False) -> ActionView:
    """Who: action.update, the action's owner or a MET chair. `data`: `reason` (an
    ActionNotDoneReason value), `note` (why; required with `other`), `version`. Audited as
    action.not_done; an ActionEvent NOT_DONE is added to its history."""
    found = _for_update(user, action_id, "action.not_done", data.get("version"))
    _closing(found)
    errors: dict = {}
    reason = data.get("reason")
    if not isinstance(reason, str) or reason.strip() not in ActionNotDoneReason.values():
        errors["reason"] = "Choose why the action was not done: " + ", ".join(
            r.label.lower() for r in ActionNotDoneReason
        )
        reason = None
    else:
        reason = reason.strip()
    note = _note(
        data, errors, required=reason == ActionNotDoneReason.OTHER.value, label="Why it was not done"
    )
    if errors:
        raise ValidationError(errors)
    flagged = check_before_saving({"note": note}, save_anyway=save_anyway, labels=NOTE_LABELS)
    found.status = ActionStatus.NOT_DONE.value
    found.not_done_reason = reason
    found.outcome_note = note
    found.closed_at, found.closed_by_id = now(), user.id
    text = ActionNotDoneReason(reason).label + (f": {note}" if note else "")
    return _save(
        found,
        user,
        ActionEventKind.NOT_DONE,
        text,
        "action.not_done",
        {"reason": reason, **audit_detail(flagged)},
    )


@transaction
def add_note(user, action_id: int, data: Mapping, *, save_anyway: bool = False) -> ActionView:
    """Who: action.update, the action's owner or a MET chair, open or closed. `data`:
    `note` (required), `version`. Audited as action.noted; an ActionEvent NOTE."""
    found = _for_update(user, action_id, "action.noted", data.get("version"))
    errors: dict = {}
    note = _note(data, errors, required=True)
    if errors:
        raise ValidationError(errors)
    flagged = check_before_saving({"note": note}, save_anyway=save_anyway, labels=NOTE_LABELS)
    return _save(found, user, ActionEventKind.NOTE, note, "action.noted", audit_detail(flagged))


@transaction
def reassign(user, action_id: int, data: Mapping) -> ActionView:
    """Who: a MET chair (meeting.manage), on an open action. `data`: `owner` (a user id of
    an active user; blank keeps the owner), `due_on` (a date; blank keeps it), `version`.
    Audited as action.reassigned; the history gets a NOTE saying what changed."""
    require(user, Perm.MEETING_MANAGE, "action.reassigned")
    found = _action_for(user, action_id, "action.reassigned", lock=True)
    version = parse_version(data.get("version"))
    if found.version != version:
        raise Conflict(f"action {action_id} is at version {found.version}, not {version}")
    _closing(found)
    errors: dict = {}
    owner = None
    given = data.get("owner")
    if given not in (None, ""):
        owner_id = _id(
            given.strip() if isinstance(given, str) else given, "owner", "Choose the new owner", errors
        )
        if owner_id is not None:
            owner = db.session.get(User, owner_id)
            if owner is None or not owner.active or not can(owner, Perm.ACTION_UPDATE):
                errors["owner"] = "Choose an active user who can update actions"
                owner = None
    due_on = date_value(data.get("due_on"), "due_on", "Due date", errors)
    if not errors and owner is None and due_on is None:
        errors["owner"] = "Choose a new owner or a new due date"
    if errors:
        raise ValidationError(errors)
    changed: dict = {}
    words = []
    if owner is not None and owner.id != found.owner_id:
        changed["owner"] = [found.owner_id, owner.id]
        words.append(f"Owner changed to {owner.name}")
        found.owner_id = owner.id
        found.owner = owner
    if due_on is not None and due_on != found.due_on:
        changed["due_on"] = [found.due_on.isoformat(), due_on.isoformat()]
        words.append(f"Due date changed to {due_on.day} {due_on:%B %Y}")
        found.due_on = due_on
    if not changed:
        raise ValidationError({"owner": "Nothing changed: choose a different owner or due date"})
    return _save(found, user, ActionEventKind.NOTE, ". ".join(words) + ".", "action.reassigned", changed)


def owner_options(user) -> list[tuple[int, str]]:
    """Who: a MET chair (the reassign form's choices): active users who can update actions."""
    from mettrack.accounts.models import UserRole
    from mettrack.core.permissions import ROLE_PERMISSIONS

    roles = [r.value for r in ROLE_PERMISSIONS[Perm.ACTION_UPDATE]]
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.active.is_(True), exists().where(UserRole.user_id == User.id, UserRole.role.in_(roles)))
        .order_by(User.name, User.id)
    ).all()
    return [(str(r.id), r.name) for r in rows]


def agency_options() -> list[tuple[str, str]]:
    """The agencies, for the list's filter."""
    rows = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
    return [(str(r.id), r.name) for r in rows]


def page_defaults(args: Mapping, user) -> tuple[ActionFilters, dict]:
    """The page's filters: as given, or "my open actions" when none is given."""
    if not any(name in args for name in FILTER_PARAMS):
        return my_open_actions(user), {}
    return parse_filters(args, user)
