"""Reminders seen from the web: each user's notifications, their choice of delivery, and
the MET chair's reminder log with "send again".

`{notification}` is a reminder row for the signed-in test user (World.notification_ids).
Another user's notification answers 404: the matrix cannot say "someone else's row" (it
swaps cases, not users), so tests/web/test_notifications.py checks that on its own.
`{reminder}` is a failed e-mail reminder to another user, which the chair may send again.
"""

from datetime import UTC, datetime

from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import Channel, ReminderKind, ReminderState
from tests.access import ALL_ROLES, Route

CHAIR = frozenset({Role.MET_CHAIR})

ROUTES = [
    Route("GET", "notifications.index", "/notifications/", allowed=ALL_ROLES),
    Route(
        "GET", "notifications.open_notification", "/notifications/{notification}", allowed=ALL_ROLES, ok=302
    ),
    Route("POST", "notifications.read_all", "/notifications/read-all", allowed=ALL_ROLES, ok=302),
    Route("GET", "notifications.choice", "/account/notifications", allowed=ALL_ROLES),
    Route(
        "POST",
        "notifications.choice",
        "/account/notifications",
        allowed=ALL_ROLES,
        ok=302,
        data={"notification_choice": "app_only"},
    ),
    Route("GET", "api_notifications.Notifications", "/api/v1/notifications", allowed=ALL_ROLES, api=True),
    Route(
        "POST",
        "api_notifications.NotificationRead",
        "/api/v1/notifications/{notification}/read",
        allowed=ALL_ROLES,
        api=True,
    ),
    Route("GET", "reminder_log.index", "/reminders/", allowed=CHAIR),
    Route("POST", "reminder_log.resend", "/reminders/{reminder}/resend", allowed=CHAIR, ok=302),
]


def _row(case, recipient, kind, **values) -> Reminder:
    due = datetime(2026, 1, 5, 8, tzinfo=UTC)
    values = {"attempts": 0, "send_round": 1, **values}
    return Reminder(
        kind=kind.value,
        record_id=case.id,
        due_at=due,
        recipient_id=recipient.id,
        case_id=case.id,
        not_before=due,
        created_at=due,
        **values,
    )


def build_records(case, users: dict, other) -> tuple[dict, dict]:
    """For tests/access/world.py: an in-app notification for each test user on `case`,
    and a failed e-mail reminder to `other`. Returns (role -> notification id, ids)."""
    mine = {
        role: _row(
            case, user, ReminderKind.REVIEW_DUE, channel=Channel.APP.value, state=ReminderState.SENT.value
        )
        for role, user in users.items()
    }
    failed = _row(
        case,
        other,
        ReminderKind.REVIEW_OVERDUE,
        channel=Channel.EMAIL.value,
        state=ReminderState.FAILED.value,
        attempts=5,
        last_error="SMTPRecipientsRefused 550: no such mailbox",
    )
    db.session.add_all([*mine.values(), failed])
    db.session.commit()
    return {role: row.id for role, row in mine.items()}, {"reminder": failed.id}
