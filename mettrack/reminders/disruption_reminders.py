"""The intelligence reminders (docs/intelligence-disruption.md): what the scan finds due
(delivery.due_now) and whether a row is still due when a worker sends it
(delivery.still_due). The decisions are reminders/rules.py's; this reads the intelligence
tables (mettrack/intelligence/models.py) for them.

- DISRUPTION_EXPIRING: a disruption action in force whose kind has an expiry (an order
  or a notice), `disruption_expiry_days` before its expiry date; to its owner, or whoever
  recorded it when no active user owns it. Keyed by the action; no case, on purpose: the
  reminder names no child and no person.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.core.choices import DisruptionStatus
from mettrack.core.clock import local
from mettrack.core.extensions import db
from mettrack.intelligence.models import DisruptionAction, DisruptionKind
from mettrack.reminders import rules
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind, ReminderRules


def due_now(at: datetime, reminder_rules: ReminderRules) -> list[tuple]:
    """(kind, record_id, due_at, case_id, recipient ids) for each expiry reminder due at
    `at`, within the look-back. One query, whatever the number of actions."""
    owner, creator = db.aliased(User), db.aliased(User)
    earliest = (at - timedelta(days=1)).date()
    latest = (at + timedelta(days=reminder_rules.disruption_expiry_days + 2)).date()
    rows = db.session.execute(
        select(
            DisruptionAction.id,
            DisruptionAction.expires_on,
            owner.id,
            owner.active,
            creator.id,
            creator.active,
        )
        .join(DisruptionKind, DisruptionKind.id == DisruptionAction.kind_id)
        .outerjoin(owner, owner.id == DisruptionAction.owner_user_id)
        .join(creator, creator.id == DisruptionAction.created_by_id)
        .where(
            DisruptionAction.status == DisruptionStatus.IN_FORCE.value,
            DisruptionKind.has_expiry.is_(True),
            DisruptionAction.expires_on.between(earliest, latest),
        )
    )
    found = []
    for action_id, expires_on, owner_id, owner_active, creator_id, creator_active in rows:
        due_at = rules.disruption_expiry_reminder(expires_on, at, reminder_rules)
        told = rules.disruption_recipient(owner_id, bool(owner_active), creator_id, bool(creator_active))
        if due_at and told is not None and rules.within_lookback(due_at, at, reminder_rules):
            found.append((ReminderKind.DISRUPTION_EXPIRING, action_id, due_at, None, [told]))
    return found


def still_due(reminder: Reminder, kind: ReminderKind, at: datetime, reminder_rules: ReminderRules) -> bool:
    """Still in force with the same expiry, its kind still one with an expiry, and the
    recipient still the one to tell?"""
    action = db.session.get(DisruptionAction, reminder.record_id)
    if action is None or action.status != DisruptionStatus.IN_FORCE.value or not action.kind.has_expiry:
        return False
    if action.expires_on is None:
        return False
    if rules.disruption_expiry_reminder(action.expires_on, at, reminder_rules) != reminder.due_at:
        return False  # a new expiry date makes a new reminder
    owner = action.owner_user
    creator = db.session.get(User, action.created_by_id)
    told = rules.disruption_recipient(
        action.owner_user_id,
        bool(owner and owner.active),
        action.created_by_id,
        bool(creator and creator.active),
    )
    return told == reminder.recipient_id


def expiry_line(reminder: Reminder, default_days: int) -> str:
    """What the reminder says: the kind and the expiry date, never a child or a person."""
    action = db.session.get(DisruptionAction, reminder.record_id)
    if action is not None and action.expires_on is not None:
        day, kind = action.expires_on, action.kind.name
    else:
        day, kind = local(reminder.due_at).date() + timedelta(days=default_days), "disruption order or notice"
    article = "An" if kind[:1].lower() in "aeiou" else "A"
    return f"{article} {kind} you own expires on {day.day} {day:%B %Y}."
