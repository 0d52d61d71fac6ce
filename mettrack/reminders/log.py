"""The MET chair's log of reminders: what was sent to whom and when, what failed and why,
and sending one again (docs/notifications.md).

A resend only puts the row back to "waiting to send" as a new round; the next reminder
scan hands it to the broker (reminders/delivery.py). A web request never calls the
broker: a broker outage must not fail the chair's click, and the row, not the queue, is
the record.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from mettrack.accounts.models import User
from mettrack.core import audit
from mettrack.core.choices import AuditOutcome
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound, Perm, can
from mettrack.core.unit_of_work import transaction
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import Channel, ReminderKind, ReminderState

MAX_PAGE = 100_000
STATE_FIELD = "state"
RESENDABLE_CHANNELS = frozenset({Channel.EMAIL, Channel.DIGEST})
RESENDABLE_STATES = frozenset({ReminderState.FAILED, ReminderState.SENT})


class ResendRefused(Conflict):
    """This reminder cannot be sent again as it stands; the message says why. Nothing was
    changed."""


def _require(user, action: str) -> None:
    if not can(user, Perm.REMINDER_LOG):
        audit.record_now(
            "permission.denied",
            detail={"permission": str(Perm.REMINDER_LOG), "action": action},
            outcome=AuditOutcome.DENIED,
            actor=user,
        )
        raise NotAllowed(action)


def parse_state(value) -> ReminderState | None:
    """A state to filter by, or None for every state. Raises ValidationError naming the field."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return ReminderState(value)
    except ValueError:
        raise ValidationError({STATE_FIELD: "Choose a state from the list"}) from None


@dataclass(frozen=True)
class LogRow:
    id: int
    kind_label: str
    case_id: int | None  # None: a reminder about a meeting
    recipient_name: str
    channel: str
    channel_label: str
    state: str
    state_label: str
    attempts: int
    send_round: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None
    may_resend: bool


@dataclass(frozen=True)
class LogPage:
    items: list[LogRow]
    total: int
    page: int
    per_page: int
    state: ReminderState | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def may_resend(row: Reminder) -> bool:
    return row.channel in RESENDABLE_CHANNELS and row.state in RESENDABLE_STATES


def _row(reminder: Reminder, recipient_name: str) -> LogRow:
    channel = Channel(reminder.channel)
    state = ReminderState(reminder.state)
    return LogRow(
        id=reminder.id,
        kind_label=ReminderKind(reminder.kind).label,
        case_id=reminder.case_id,
        recipient_name=recipient_name,
        channel=channel.value,
        channel_label=channel.label,
        state=state.value,
        state_label=state.label,
        attempts=reminder.attempts,
        send_round=reminder.send_round,
        last_error=reminder.last_error,
        created_at=reminder.created_at,
        sent_at=reminder.sent_at,
        failed_at=reminder.failed_at,
        may_resend=may_resend(reminder),
    )


@transaction
def log(user, state=None, page: int = 1, per_page: int = 25) -> LogPage:
    """Who: the MET chair. Every reminder, failed ones first and then the newest, or only
    those in `state` (newest first). Bad state: ValidationError, nothing read. Writes a
    "reminders.log_viewed" audit row with the filter."""
    _require(user, "reminders.log")
    state = parse_state(state)
    page = min(max(page, 1), MAX_PAGE)
    query = select(Reminder, User.name).join(User, User.id == Reminder.recipient_id)
    if state is not None:
        query = query.where(Reminder.state == state.value)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    failed_first = case((Reminder.state == ReminderState.FAILED.value, 0), else_=1)
    rows = db.session.execute(
        query.order_by(failed_first, Reminder.created_at.desc(), Reminder.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    audit.record(
        "reminders.log_viewed",
        "reminder",
        None,
        detail={"state": state.value if state else None, "page": page, "total": total},
        actor=user,
    )
    return LogPage([_row(r, name) for r, name in rows], total, page, per_page, state)


REFUSALS = {
    Channel.APP: "This reminder was shown in METtrack only (its recipient chose no e-mail), "
    "so there is nothing to send again.",
    ReminderState.PENDING: "This reminder is still waiting to be sent: there is nothing to send again yet.",
    ReminderState.SENDING: "This reminder is being sent now: there is nothing to send again yet.",
    ReminderState.CANCELLED: "This reminder was not sent because what it reminded of had been done, "
    "so it cannot be sent again.",
}


@transaction
def resend(user, reminder_id: int) -> Reminder:
    """Who: the MET chair. Puts a failed or sent e-mail or digest reminder back to wait
    for the next scan as a new round (a new Message-ID, so a mail system does not drop it
    as a copy). Refuses an in-app-only row or one pending, sending or cancelled with
    ResendRefused, changing nothing. NotFound for no such row."""
    _require(user, "reminder.resend")
    # Locked, so that a worker finishing this row meanwhile cannot be overwritten.
    reminder = db.session.scalar(select(Reminder).where(Reminder.id == reminder_id).with_for_update())
    if reminder is None:
        raise NotFound("reminder", reminder_id)
    if not may_resend(reminder):
        reason = REFUSALS.get(Channel(reminder.channel)) or REFUSALS[ReminderState(reminder.state)]
        raise ResendRefused(reason)
    previous = reminder.state
    reminder.state = ReminderState.PENDING.value
    reminder.attempts = 0
    reminder.send_round += 1
    reminder.retry_at = None
    reminder.enqueued_at = None
    reminder.claim_token = None
    reminder.failed_at = None
    audit.record(
        "reminder.resend",
        "reminder",
        reminder.id,
        detail={
            "case_id": reminder.case_id,
            "recipient_id": reminder.recipient_id,
            "previous_state": previous,
            "send_round": reminder.send_round,
        },
        actor=user,
    )
    return reminder
