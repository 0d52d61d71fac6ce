"""A user's in-app notifications and their choice of how reminders reach them
(docs/notifications.md).

A notification is a reminder row (reminders/models.py) seen from its recipient's side:
every row made for them shows in their list, whatever its channel, except one cancelled
because what it reminded of was done before it went out. `read_at` marks it read. A row
says what is due and names the case by its number only: the case page behind it makes
its own need-to-know check.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from mettrack.accounts.models import User
from mettrack.core import audit
from mettrack.core.clock import now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import deny_record
from mettrack.core.unit_of_work import transaction
from mettrack.meetings.models import AgendaItem, AgendaVersion
from mettrack.reminders import delivery as reminders
from mettrack.reminders import mail as reminder_mail
from mettrack.reminders import service_reminders
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import (
    ACTION_KINDS,
    RHI_KINDS,
    SECURITY_KINDS,
    DeliveryChoice,
    ReminderKind,
    ReminderState,
)

CHOICE_FIELD = "notification_choice"
CHOICE_MESSAGE = (
    "Choose how reminders reach you: by e-mail and in METtrack, in METtrack only, or a daily digest"
)
MAX_PAGE = 100_000


def _shown(user_id: int):
    return (Reminder.recipient_id == user_id, Reminder.state != ReminderState.CANCELLED.value)


@dataclass(frozen=True)
class Notification:
    id: int
    kind_label: str
    text: str  # what is due, naming no child (reminder_mail.line)
    case_id: int | None  # None: about a meeting, not a case
    due_at: datetime
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    total: int
    unread: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _notification(row: Reminder) -> Notification:
    kind = ReminderKind(row.kind)
    return Notification(
        id=row.id,
        kind_label=kind.label,
        text=reminder_mail.line(row),
        case_id=row.case_id,
        due_at=row.due_at,
        created_at=row.created_at,
        read=row.read_at is not None,
    )


def list_for(user: User, page: int = 1, per_page: int = 25) -> NotificationPage:
    """Who: the signed-in user, their own notifications only, newest first. Says what is
    due and the case number, nothing of the child: no audit row."""
    page = min(max(page, 1), MAX_PAGE)
    total = db.session.scalar(select(func.count()).select_from(Reminder).where(*_shown(user.id)))
    rows = db.session.scalars(
        select(Reminder)
        .where(*_shown(user.id))
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return NotificationPage([_notification(r) for r in rows], total, unread_count(user), page, per_page)


def unread_count(user: User) -> int:
    """One COUNT from the partial index of unread rows (ix_reminders_unread, migration
    0017): the header shows it on every page (once a request: notification_pages.py)."""
    return db.session.scalar(
        select(func.count()).select_from(Reminder).where(*_shown(user.id), Reminder.read_at.is_(None))
    )


@dataclass(frozen=True)
class Destination:
    """Where opening a notification leads: the case page, at the section it concerns; or,
    for a meeting reminder, `path` in the app (the action, the meeting)."""

    case_id: int | None
    anchor: str | None = None
    path: str | None = None


def destination(row: Reminder) -> Destination:
    # A Return Home Interview is recorded in the case page's "Missing episodes" section
    # (mettrack/missing/pages.py returns there too); a review concerns the case as a whole.
    kind = ReminderKind(row.kind)
    if kind in SECURITY_KINDS:
        return Destination(None, path="/account/")
    if kind is ReminderKind.RETENTION_REVIEW:
        return Destination(None, path="/admin/retention")
    if kind in RHI_KINDS:
        return Destination(row.case_id, "missing")
    if kind in ACTION_KINDS:
        return Destination(row.case_id, path=f"/actions/{row.record_id}")
    if kind is ReminderKind.AGENDA_TO_CIRCULATE:
        return Destination(None, path=f"/meetings/{row.record_id}")
    if kind is ReminderKind.DISRUPTION_EXPIRING:
        # The action's page (intelligence_disruptions.show), which makes its own access check.
        return Destination(None, path=f"/intelligence/disruptions/{row.record_id}")
    if kind is ReminderKind.SERVICE_ANSWER_OVERDUE:
        # The provider's row: the request in their inbox (which makes its own access
        # check); the requester's: the case page's services section.
        return Destination(row.case_id, "services", path=service_reminders.destination_path(row))
    if kind is ReminderKind.AGENDA_ISSUED:
        version = db.session.get(AgendaVersion, row.record_id)
        return Destination(None, path=f"/meetings/{version.meeting_id}" if version else "/notifications/")
    if kind is ReminderKind.LEAD_UPDATE_REQUESTED:
        # record_id is the agenda item: its lead update form (which checks the lead).
        item = db.session.get(AgendaItem, row.record_id) if row.record_id else None
        if item is not None:
            return Destination(row.case_id, path=f"/meetings/{item.meeting_id}/agenda/items/{item.id}/update")
    return Destination(row.case_id)


def _own(user: User, reminder_id: int) -> Reminder:
    row = db.session.get(Reminder, reminder_id)
    if row is None or row.recipient_id != user.id:
        raise deny_record("reminder", reminder_id, "notification.open")
    return row


def destination_for(user: User, reminder_id: int) -> Destination:
    """Who: the notification's recipient; anyone else gets NotFound (audited). Where it
    leads, changing nothing: a GET (the e-mail's link, a link preview, a browser's
    prefetch) must not mark it read (issue 15, finding 10)."""
    return destination(_own(user, reminder_id))


@transaction
def open_notification(user: User, reminder_id: int) -> Destination:
    """Who: the notification's recipient; anyone else gets NotFound (audited), so that
    another person's reminders cannot be probed. Marks it read (a POST). One cancelled
    since the list was shown still leads to its case."""
    row = _own(user, reminder_id)
    if row.read_at is None:
        row.read_at = now()
    return destination(row)


@transaction
def mark_all_read(user: User) -> int:
    """Who: the signed-in user, their own notifications. Returns how many were unread."""
    result = db.session.execute(
        update(Reminder)
        .where(*_shown(user.id), Reminder.read_at.is_(None))
        .values(read_at=now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _choice(value) -> DeliveryChoice:
    try:
        return DeliveryChoice(value)
    except ValueError:
        return DeliveryChoice.EMAIL_AND_APP  # the column's default


def choice_of(user: User) -> DeliveryChoice:
    return _choice(user.notification_choice)


def label_of(value) -> str:
    return _choice(value).label


@transaction
def set_choice(user: User, value) -> DeliveryChoice:
    """Who: the signed-in user, for themself. `value` is a DeliveryChoice value; anything
    else raises ValidationError naming the field, and nothing changes. It applies to the
    reminders made from now on, and to those still waiting to be sent."""
    try:
        choice = DeliveryChoice((value or "").strip())
    except ValueError:
        raise ValidationError({CHOICE_FIELD: CHOICE_MESSAGE}) from None
    previous = user.notification_choice
    user.notification_choice = choice.value
    moved = reminders.follow_choice(user.id, choice)
    audit.record(
        "account.notification_choice",
        "user",
        user.id,
        detail={"choice": choice.value, "previous": previous, "waiting_reminders_moved": moved},
        actor=user,
    )
    return choice
