"""What a reminder e-mail says. It names no child and carries no case detail: what is
due, by when, and a link into the app, where sign-in and need-to-know apply."""

from datetime import date, timedelta

from flask import current_app

from mettrack.accounts.models import User
from mettrack.accounts.role_grant import RoleGrant
from mettrack.accounts.rules import INTELLIGENCE_REVIEWER, GrantState
from mettrack.core.clock import local
from mettrack.core.extensions import db
from mettrack.meetings.models import AgendaVersion, Meeting
from mettrack.reminders import disruption_reminders, rules, service_reminders
from mettrack.reminders.mailer import Message
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import (
    DISRUPTION_KINDS,
    MEETING_KINDS,
    SERVICE_KINDS,
    Channel,
    ReminderKind,
)

SUBJECTS = {
    ReminderKind.REVIEW_DUE: "METtrack: a MET review is coming up",
    ReminderKind.REVIEW_OVERDUE: "METtrack: a MET review is overdue",
    ReminderKind.RHI_TO_OFFER: "METtrack: a Return Home Interview to offer",
    ReminderKind.RHI_OVERDUE: "METtrack: a Return Home Interview is overdue",
    ReminderKind.ACTION_DUE: "METtrack: a meeting action is coming up",
    ReminderKind.ACTION_OVERDUE: "METtrack: a meeting action is overdue",
    ReminderKind.AGENDA_TO_CIRCULATE: "METtrack: a MET meeting agenda to circulate",
    ReminderKind.AGENDA_ISSUED: "METtrack: a MET meeting agenda has been issued",
    ReminderKind.LEAD_UPDATE_REQUESTED: "METtrack: your update for a MET meeting",
    ReminderKind.DISRUPTION_EXPIRING: "METtrack: a disruption order or notice is expiring",
    ReminderKind.SERVICE_ANSWER_OVERDUE: "METtrack: a specialist service request is waiting for an answer",
    ReminderKind.PASSWORD_RESET: "METtrack: your password was reset",
    ReminderKind.ROLE_GRANT_DECIDED: "METtrack: a decision on access you were given",
    ReminderKind.RETENTION_REVIEW: "METtrack: records are due for retention review",
    ReminderKind.ACCOUNT_CREATED: "METtrack: an account has been made for you",
}


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _when(reminder: Reminder) -> str:
    moment = local(reminder.due_at)
    return f"{_day(moment.date())}, {moment:%H:%M}"


def review_date(reminder: Reminder) -> date:
    """The review date a review reminder was made for (domain.reminders' due moments)."""
    day = local(reminder.due_at).date()
    if ReminderKind(reminder.kind) is ReminderKind.REVIEW_DUE:
        return day + timedelta(days=current_app.config["REMINDER_REVIEW_DUE_DAYS"])
    return day - timedelta(days=1)


def _days_later(reminder: Reminder, setting: str) -> date:
    return local(reminder.due_at).date() + timedelta(days=current_app.config[setting])


def meeting_line(reminder: Reminder, kind: ReminderKind) -> str:
    """What a MET meeting reminder says: what is due and when, never a child or an agenda."""
    if kind is ReminderKind.ACTION_DUE:
        due_on = _days_later(reminder, "REMINDER_ACTION_DUE_DAYS")
        return f"A MET meeting action you own falls due on {_day(due_on)}."
    if kind is ReminderKind.ACTION_OVERDUE:
        due_on = local(reminder.due_at).date() - timedelta(days=1)
        return f"A MET meeting action is overdue: it was due on {_day(due_on)}."
    if kind is ReminderKind.AGENDA_TO_CIRCULATE:
        day = _day(_days_later(reminder, "REMINDER_AGENDA_CIRCULATE_DAYS"))
        meeting = db.session.get(Meeting, reminder.record_id)
        if meeting is not None and meeting.chair_id == reminder.recipient_id:
            return f"The agenda for the MET meeting on {day} is to be circulated: issue the agenda."
        return f"The agenda for the MET meeting on {day} is ready to read."
    if kind is ReminderKind.AGENDA_ISSUED:
        version = db.session.get(AgendaVersion, reminder.record_id)
        meeting = version and db.session.get(Meeting, version.meeting_id)
        when = f" on {_day(local(meeting.starts_at).date())}" if meeting else ""
        number = f" (version {version.number})" if version else ""
        return f"An agenda{number} has been issued for the MET meeting{when}."
    day = _day(_days_later(reminder, "REMINDER_LEAD_UPDATE_DAYS"))
    return (
        "Your update is asked for on a child you are the lead professional for, on the agenda "
        f"of the MET meeting on {day}."
    )


def grant_line(reminder: Reminder) -> str:
    """A MET chair's decision on a role or access an administrator gave: what and when,
    naming no child and no one else."""
    grant = db.session.get(RoleGrant, reminder.record_id)
    if grant is None:
        return (
            "A MET chair decided on access an administrator gave you. Your account page shows what you hold."
        )
    what = (
        "your access to review intelligence (every item, its source and its links)"
        if grant.role == INTELLIGENCE_REVIEWER
        else f"the role of {grant.label}"
    )
    if grant.state == GrantState.APPROVED.value:
        return f"A MET chair approved {what}, which an administrator gave you, on {_when(reminder)}."
    return (
        f"A MET chair refused {what}, which an administrator gave you, on {_when(reminder)}: you do not "
        "hold it. Ask your administrator if your work needs it."
    )


def line(reminder: Reminder) -> str:
    """One sentence saying what is due, with no detail of the case or the child."""
    kind = ReminderKind(reminder.kind)
    if kind is ReminderKind.ROLE_GRANT_DECIDED:
        return grant_line(reminder)
    if kind is ReminderKind.ACCOUNT_CREATED:
        return (
            f"An administrator made a METtrack account for you on {_when(reminder)}. They give you "
            "a first password, which you change when you first sign in. If you did not expect "
            "this, tell your MET chair at once."
        )
    if kind is ReminderKind.PASSWORD_RESET:
        return (
            f"An administrator reset your METtrack password on {_when(reminder)}. You will choose a "
            "new one when you next sign in, and your API tokens no longer work. If you did not ask "
            "for this, tell your MET chair at once."
        )
    if kind is ReminderKind.RETENTION_REVIEW:
        count = reminder.record_id
        records = f"{count} record{'s are' if count != 1 else ' is'}"
        return (
            f"The weekly retention review on {_when(reminder)} listed {records} due for review: "
            f"read the list at {_base()}/admin/retention."
        )
    if kind in MEETING_KINDS:
        return meeting_line(reminder, kind)
    if kind in DISRUPTION_KINDS:
        return disruption_reminders.expiry_line(
            reminder, current_app.config["REMINDER_DISRUPTION_EXPIRY_DAYS"]
        )
    if kind in SERVICE_KINDS:
        return service_reminders.answer_line(reminder)
    hours = current_app.config["REMINDER_RHI_OVERDUE_HOURS"]
    if kind is ReminderKind.REVIEW_DUE:
        return f"A MET review falls due on {_day(review_date(reminder))}."
    if kind is ReminderKind.REVIEW_OVERDUE:
        return f"A MET review is overdue: it was due on {_day(review_date(reminder))}."
    if kind is ReminderKind.RHI_TO_OFFER:
        return (
            "A child has returned from a missing episode and no Return Home Interview is "
            f"recorded yet. It must be offered within {hours} hours of the return."
        )
    return (
        f"No Return Home Interview is recorded within {hours} hours of a child's return "
        f"(due by {_when(reminder)})."
    )


def _base() -> str:
    return current_app.config["APP_BASE_URL"].rstrip("/")


def link(reminder: Reminder) -> str:
    return f"{current_app.config['APP_BASE_URL'].rstrip('/')}/notifications/{reminder.id}"


def _domain() -> str:
    return current_app.config["MAIL_MESSAGE_ID_DOMAIN"]


FOOTER = (
    "This e-mail names no child on purpose: sign in to METtrack to see what it is about.\n"
    "To choose how reminders reach you (each by e-mail, a daily digest, or in METtrack only):\n"
    "{base}/account/notifications\n"
)


def compose(reminders: list[Reminder], recipient: User) -> Message:
    base = current_app.config["APP_BASE_URL"].rstrip("/")
    first = reminders[0]
    if first.channel == Channel.DIGEST.value:
        send_round = max(r.send_round for r in reminders)
        subject = f"METtrack: {len(reminders)} reminder{'s' if len(reminders) != 1 else ''} for you"
        items = "\n".join(f"- {line(r)}\n  {link(r)}" for r in reminders)
        body = f"Hello,\n\nYour METtrack reminders:\n\n{items}\n\n" + FOOTER.format(base=base)
        message_id = rules.digest_message_id(recipient.id, first.not_before, first.id, send_round, _domain())
    else:
        subject = SUBJECTS[ReminderKind(first.kind)]
        body = f"Hello,\n\n{line(first)}\n\nOpen it in METtrack: {link(first)}\n\n" + FOOTER.format(base=base)
        message_id = rules.message_id(first.id, first.send_round, _domain())
    return Message(to=recipient.email, subject=subject, body=body, message_id=message_id)
