"""The MET meeting reminders (docs/meetings-actions.md): what the scan finds due
(delivery.due_now) and whether a row is still due when a worker sends it
(delivery.still_due). The decisions are reminders/rules.py's; this reads the meetings'
tables (mettrack/meetings/models.py) for them.

- ACTION_DUE / ACTION_OVERDUE: an open action, to its owner (and, overdue, to the chair of
  the meeting it was raised at). Keyed by the action; case_id is the action's case.
- AGENDA_TO_CIRCULATE: N days before a scheduled meeting; to the chair while no version
  is issued ("issue the agenda"), to the members once one is ("the agenda is ready").
  Keyed by the meeting; no case.
- AGENDA_ISSUED: each issued version, once, to every member but its issuer. Keyed by the
  version; no case.
- LEAD_UPDATE_REQUESTED: M days before a meeting, to the lead professional of each child
  on its draft agenda (not removed) who has not submitted an update. Keyed by the agenda
  item; case_id is the child's case.
"""

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core.choices import ActionStatus, CaseState, MeetingStatus
from mettrack.core.extensions import db
from mettrack.meetings.models import (
    AgendaItem,
    AgendaVersion,
    LeadUpdate,
    Meeting,
    MeetingAction,
    MeetingMember,
)
from mettrack.reminders import rules
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind, ReminderRules


def _members(meeting_ids) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {m: [] for m in meeting_ids}
    if not found:
        return found
    rows = db.session.execute(
        select(MeetingMember.meeting_id, MeetingMember.user_id)
        .join(User, User.id == MeetingMember.user_id)
        .where(MeetingMember.meeting_id.in_(list(found)), User.active.is_(True))
        .order_by(MeetingMember.meeting_id, MeetingMember.user_id)
    )
    for meeting_id, user_id in rows:
        found[meeting_id].append(user_id)
    return found


def due_now(at: datetime, reminder_rules: ReminderRules) -> list[tuple]:
    """(kind, record_id, due_at, case_id, recipient ids) for each meeting reminder due at
    `at`, within the look-back. A fixed number of queries, whatever the number of rows."""
    found: list[tuple] = []
    lookback = timedelta(days=reminder_rules.lookback_days)

    # Actions: open, due within the window (the reminder before, the overdue one after).
    owner = db.aliased(User)
    earliest = (at - lookback - timedelta(days=2)).date()
    latest = (at + timedelta(days=reminder_rules.action_due_days + 2)).date()
    actions = db.session.execute(
        select(
            MeetingAction.id,
            MeetingAction.due_on,
            MeetingAction.case_id,
            owner.id,
            owner.active,
            Meeting.chair_id,
        )
        .join(owner, owner.id == MeetingAction.owner_id)
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .where(
            MeetingAction.status == ActionStatus.OPEN.value, MeetingAction.due_on.between(earliest, latest)
        )
    )
    for action_id, due_on, case_id, owner_id, owner_active, chair_id in actions:
        reminder = rules.action_reminder(due_on, at, reminder_rules)
        if reminder and rules.within_lookback(reminder[1], at, reminder_rules):
            told = rules.action_recipients(owner_id, bool(owner_active), chair_id, reminder[0])
            found.append((reminder[0], action_id, reminder[1], case_id, told))

    # Meetings not yet started, within the longest of the two "days before" settings.
    days = max(reminder_rules.agenda_circulate_days, reminder_rules.lead_update_days)
    meetings = list(
        db.session.execute(
            select(Meeting.id, Meeting.starts_at, Meeting.chair_id).where(
                Meeting.status == MeetingStatus.SCHEDULED.value,
                Meeting.starts_at > at,
                Meeting.starts_at <= at + timedelta(days=days + 2),
            )
        )
    )
    ids = [m.id for m in meetings]
    members = _members(ids)
    issued = (
        set(db.session.scalars(select(AgendaVersion.meeting_id).where(AgendaVersion.meeting_id.in_(ids))))
        if ids
        else set()
    )
    for meeting_id, starts_at, chair_id in meetings:
        due_at = rules.before_meeting_reminder(
            starts_at, reminder_rules.agenda_circulate_days, at, reminder_rules
        )
        if due_at and rules.within_lookback(due_at, at, reminder_rules):
            told = rules.agenda_recipients(chair_id, members[meeting_id], meeting_id in issued)
            found.append((ReminderKind.AGENDA_TO_CIRCULATE, meeting_id, due_at, None, told))

    # Lead updates: each child on a draft agenda (not removed) with no update yet.
    lead = db.aliased(User)
    submitted = exists().where(
        LeadUpdate.meeting_id == AgendaItem.meeting_id, LeadUpdate.case_id == AgendaItem.case_id
    )
    items = (
        db.session.execute(
            select(AgendaItem.id, AgendaItem.meeting_id, AgendaItem.case_id, Meeting.starts_at, lead.id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .join(Case, Case.id == AgendaItem.case_id)
            .join(lead, lead.id == Case.lead_professional_id)
            .where(
                AgendaItem.meeting_id.in_(ids),
                AgendaItem.removed_at.is_(None),
                Case.state != CaseState.CLOSED.value,
                lead.active.is_(True),
                ~submitted,
            )
        )
        if ids
        else []
    )
    for item_id, _meeting_id, case_id, starts_at, lead_id in items:
        due_at = rules.before_meeting_reminder(starts_at, reminder_rules.lead_update_days, at, reminder_rules)
        if due_at and rules.within_lookback(due_at, at, reminder_rules):
            found.append((ReminderKind.LEAD_UPDATE_REQUESTED, item_id, due_at, case_id, [lead_id]))

    # Issued versions no member has been told of yet (sent once per version).
    told_of = exists().where(
        Reminder.kind == ReminderKind.AGENDA_ISSUED.value, Reminder.record_id == AgendaVersion.id
    )
    versions = list(
        db.session.execute(
            select(
                AgendaVersion.id,
                AgendaVersion.meeting_id,
                AgendaVersion.issued_at,
                AgendaVersion.issued_by_id,
                Meeting.chair_id,
            )
            .join(Meeting, Meeting.id == AgendaVersion.meeting_id)
            .where(
                Meeting.status == MeetingStatus.SCHEDULED.value,
                Meeting.starts_at > at,
                AgendaVersion.issued_at <= at,
                AgendaVersion.issued_at >= at - lookback,
                ~told_of,
            )
        )
    )
    version_members = _members({v.meeting_id for v in versions})
    for version_id, meeting_id, issued_at, issued_by_id, chair_id in versions:
        told = rules.issued_recipients(chair_id, version_members[meeting_id], issued_by_id)
        found.append((ReminderKind.AGENDA_ISSUED, version_id, issued_at, None, told))
    return found


def _member(meeting: Meeting, user_id: int) -> bool:
    return meeting.chair_id == user_id or any(m.user_id == user_id for m in meeting.members)


def _active(user_id: int) -> bool:
    user = db.session.get(User, user_id)
    return bool(user and user.active)


def still_due(reminder: Reminder, kind: ReminderKind, at: datetime, reminder_rules: ReminderRules) -> bool:
    """Is what the meeting reminder reminds of still undone, the reminder still the one in
    force, and its recipient still one to tell?"""
    if kind in rules.ACTION_KINDS:
        action = db.session.get(MeetingAction, reminder.record_id)
        if action is None or not action.is_open:
            return False
        current = rules.action_reminder(action.due_on, at, reminder_rules)
        told = rules.action_recipients(
            action.owner_id,
            _active(action.owner_id),
            action.meeting.chair_id,
            current[0] if current else kind,
        )
        return current == (kind, reminder.due_at) and reminder.recipient_id in told
    if kind is ReminderKind.AGENDA_ISSUED:
        version = db.session.get(AgendaVersion, reminder.record_id)
        meeting = version and db.session.get(Meeting, version.meeting_id)
        return bool(meeting and not meeting.is_cancelled and _member(meeting, reminder.recipient_id))
    if kind is ReminderKind.AGENDA_TO_CIRCULATE:
        meeting = db.session.get(Meeting, reminder.record_id)
        if meeting is None or meeting.is_cancelled or not _member(meeting, reminder.recipient_id):
            return False
        due_at = rules.before_meeting_reminder(
            meeting.starts_at, reminder_rules.agenda_circulate_days, at, reminder_rules
        )
        if due_at != reminder.due_at:
            return False  # the meeting moved (a new reminder is made for its new date) or has begun
        if reminder.recipient_id == meeting.chair_id:
            # "Issue the agenda": not needed once it is issued (the members are told then).
            return not _issued(meeting.id)
        return True
    item = db.session.get(AgendaItem, reminder.record_id)
    if item is None or item.is_removed:
        return False
    meeting = db.session.get(Meeting, item.meeting_id)
    case = db.session.get(Case, item.case_id)
    if meeting is None or meeting.is_cancelled or case is None or not case.is_open:
        return False
    if case.lead_professional_id != reminder.recipient_id or not _active(reminder.recipient_id):
        return False
    due_at = rules.before_meeting_reminder(
        meeting.starts_at, reminder_rules.lead_update_days, at, reminder_rules
    )
    submitted = db.session.scalar(
        select(exists().where(LeadUpdate.meeting_id == item.meeting_id, LeadUpdate.case_id == item.case_id))
    )
    return due_at == reminder.due_at and not submitted


def _issued(meeting_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(AgendaVersion.meeting_id == meeting_id))))


def issued_yet(meeting_id: int) -> bool:
    """Whether the meeting has an issued agenda (the e-mail's wording for the chair)."""
    return _issued(meeting_id)
