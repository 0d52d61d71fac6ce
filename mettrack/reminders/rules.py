"""Reminders: what falls due when, to whom, and how a failed send is retried. Pure rules
over plain values; reminders/delivery.py applies them to the database.

A reminder is keyed by (kind, record, due moment, recipient), so the same thing falling
due again (a new review date, a second missing episode) is a new reminder, and the same
thing seen by a second scan is not. Offsets are partnership settings (config.py, read
into `ReminderRules`); the defaults below are this partnership's choice, except the 72
hours of a Return Home Interview, which is statutory guidance (missing/rules.py).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mettrack.core.choices import ChoiceSet
from mettrack.core.clock import LONDON
from mettrack.missing.rules import RHI_DUE_WITHIN


class ReminderKind(ChoiceSet):
    REVIEW_DUE = "review_due", "MET review due"
    REVIEW_OVERDUE = "review_overdue", "MET review overdue"
    RHI_TO_OFFER = "rhi_to_offer", "Return Home Interview to offer"
    RHI_OVERDUE = "rhi_overdue", "Return Home Interview overdue"
    # MET meetings (docs/meetings-actions.md).
    ACTION_DUE = "action_due", "Meeting action due"
    ACTION_OVERDUE = "action_overdue", "Meeting action overdue"
    AGENDA_TO_CIRCULATE = "agenda_to_circulate", "Agenda to circulate"
    AGENDA_ISSUED = "agenda_issued", "Agenda issued"
    LEAD_UPDATE_REQUESTED = "lead_update_requested", "Update requested for a MET meeting"
    # Intelligence (docs/intelligence-disruption.md).
    DISRUPTION_EXPIRING = "disruption_expiring", "Disruption order or notice expiring"
    # Specialist services (docs/services-clock.md).
    SERVICE_ANSWER_OVERDUE = "service_answer_overdue", "Specialist service request waiting for an answer"
    # Account security (docs/security.md): told by e-mail whatever the user's choice.
    PASSWORD_RESET = "password_reset", "Password reset notice"
    # A MET chair approved or refused a role, or a police reviewer's access to intelligence,
    # that an administrator gave (record: the role grant).
    ROLE_GRANT_DECIDED = "role_grant_decided", "Decision on access you were given"
    # Retention (docs/retention.md): the weekly review list has records due, for administrators.
    RETENTION_REVIEW = "retention_review", "Records due for retention review"
    ACCOUNT_CREATED = "account_created", "Account created notice"

    @property
    def tells_chair(self) -> bool:
        """Overdue work is also the chair's business: the chair holds the MET list."""
        return self in (ReminderKind.REVIEW_OVERDUE, ReminderKind.RHI_OVERDUE)

    @property
    def record_type(self) -> str:
        return RECORD_TYPES.get(self, "case")


RHI_KINDS = frozenset({ReminderKind.RHI_TO_OFFER, ReminderKind.RHI_OVERDUE})
ACTION_KINDS = frozenset({ReminderKind.ACTION_DUE, ReminderKind.ACTION_OVERDUE})
MEETING_KINDS = frozenset(
    {
        ReminderKind.ACTION_DUE,
        ReminderKind.ACTION_OVERDUE,
        ReminderKind.AGENDA_TO_CIRCULATE,
        ReminderKind.AGENDA_ISSUED,
        ReminderKind.LEAD_UPDATE_REQUESTED,
    }
)
# Reminders about an intelligence record rather than a case (reminders/disruption_reminders.py).
DISRUPTION_KINDS = frozenset({ReminderKind.DISRUPTION_EXPIRING})
# Reminders about a request for a specialist service (reminders/service_reminders.py).
SERVICE_KINDS = frozenset({ReminderKind.SERVICE_ANSWER_OVERDUE})
# Notices about the recipient's own account: always an e-mail, at once, never cancelled.
SECURITY_KINDS = frozenset(
    {ReminderKind.PASSWORD_RESET, ReminderKind.ROLE_GRANT_DECIDED, ReminderKind.ACCOUNT_CREATED}
)
# Notices to administrators about the partnership's records, naming no child: what they tell
# stays true once made (the list may be read in the meantime), so they are never cancelled.
ADMIN_KINDS = frozenset({ReminderKind.RETENTION_REVIEW})
# What a reminder's record_id names. A lead's update is asked for per child on the agenda:
# keyed by the agenda item, so that a lead of two children on one agenda gets two.
RECORD_TYPES = {
    ReminderKind.RHI_TO_OFFER: "missing_episode",
    ReminderKind.RHI_OVERDUE: "missing_episode",
    ReminderKind.ACTION_DUE: "action",
    ReminderKind.ACTION_OVERDUE: "action",
    ReminderKind.AGENDA_TO_CIRCULATE: "meeting",
    ReminderKind.AGENDA_ISSUED: "agenda_version",
    ReminderKind.LEAD_UPDATE_REQUESTED: "agenda_item",
    ReminderKind.DISRUPTION_EXPIRING: "disruption",
    ReminderKind.SERVICE_ANSWER_OVERDUE: "service_request",
    ReminderKind.PASSWORD_RESET: "user",
    ReminderKind.ROLE_GRANT_DECIDED: "role_grant",
    # record_id: how many records the weekly review listed (no record of its own).
    ReminderKind.RETENTION_REVIEW: "retention_review",
    ReminderKind.ACCOUNT_CREATED: "user",
}


class ReminderState(ChoiceSet):
    PENDING = "pending", "Waiting to send"  # at or after not_before
    SENDING = "sending", "Sending"  # claimed by a worker; stale after REMINDER_REQUEUE_AFTER
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"  # retries used up, or refused for good; shown to the chair
    # What it reminded of was done before it went out (the RHI was offered, the review
    # date moved or the case closed): nothing is sent.
    CANCELLED = "cancelled", "Not needed any more"


class DeliveryChoice(ChoiceSet):
    """Each user's choice; every reminder also shows in the app's notification list."""

    EMAIL_AND_APP = "email_and_app", "An e-mail for each reminder, and in METtrack"
    APP_ONLY = "app_only", "Only in METtrack (no e-mail)"
    DAILY_DIGEST = "daily_digest", "One e-mail a day listing what fell due, and in METtrack"


class Channel(ChoiceSet):
    """How one reminder row is delivered, fixed from the recipient's choice when made."""

    EMAIL = "email", "E-mail"
    APP = "app", "In METtrack only"
    DIGEST = "digest", "Daily digest"


CHANNEL_FOR_CHOICE = {
    DeliveryChoice.EMAIL_AND_APP: Channel.EMAIL,
    DeliveryChoice.APP_ONLY: Channel.APP,
    DeliveryChoice.DAILY_DIGEST: Channel.DIGEST,
}


@dataclass(frozen=True)
class ReminderRules:
    review_due_days: int = 7  # a MET review reminder this many days before its date
    rhi_to_offer_hours: int = 24  # after the child's return, if nothing is recorded yet
    rhi_overdue_hours: int = int(RHI_DUE_WITHIN.total_seconds() // 3600)
    # Date-based reminders go out at this hour (London) on their day, not at midnight.
    send_hour: int = 8
    digest_hour: int = 7  # the daily digest goes out at this hour (London)
    # Nothing that fell due longer ago than this is made into a reminder: the first scan
    # after installing (or after a long outage) must not send a year of old reminders.
    lookback_days: int = 14
    # MET meetings: an action's owner is reminded this many days before its due date; the
    # agenda is to be circulated this many days before the meeting; the lead professional
    # of each child on the draft agenda is asked for their update this many days before.
    action_due_days: int = 2
    agenda_circulate_days: int = 5
    lead_update_days: int = 7
    # Intelligence: the owner of a disruption order or notice in force is reminded this many
    # days before it expires (time to apply to renew it, or to plan what follows).
    disruption_expiry_days: int = 28

    def check(self) -> None:
        numbers = (
            "review_due_days",
            "rhi_to_offer_hours",
            "rhi_overdue_hours",
            "lookback_days",
            "action_due_days",
            "agenda_circulate_days",
            "lead_update_days",
            "disruption_expiry_days",
        )
        for name in numbers:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.rhi_to_offer_hours >= self.rhi_overdue_hours:
            raise ValueError("the Return Home Interview reminder must come before it is overdue")
        for name in ("send_hour", "digest_hour"):
            if not 0 <= getattr(self, name) <= 23:
                raise ValueError(f"{name} must be an hour from 0 to 23")


DEFAULT_RULES = ReminderRules()


def at_hour(day: date, hour: int) -> datetime:
    """`hour` o'clock on `day` in London, as an aware moment."""
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def review_due_moment(next_review_on: date, rules: ReminderRules = DEFAULT_RULES) -> datetime:
    return at_hour(next_review_on - timedelta(days=rules.review_due_days), rules.send_hour)


def review_overdue_moment(next_review_on: date, rules: ReminderRules = DEFAULT_RULES) -> datetime:
    """The morning after the review date: a review due today is due, not yet overdue
    (domain.risk.review_overdue)."""
    return at_hour(next_review_on + timedelta(days=1), rules.send_hour)


def rhi_to_offer_moment(returned_at: datetime, rules: ReminderRules = DEFAULT_RULES) -> datetime:
    return returned_at + timedelta(hours=rules.rhi_to_offer_hours)


def rhi_overdue_moment(returned_at: datetime, rules: ReminderRules = DEFAULT_RULES) -> datetime:
    return returned_at + timedelta(hours=rules.rhi_overdue_hours)


def review_reminder(next_review_on: date, now: datetime, rules: ReminderRules = DEFAULT_RULES):
    """(kind, due moment) of the review reminder in force now, or None. Only one is: once
    the review is overdue, the "due" reminder is no longer made."""
    overdue_at = review_overdue_moment(next_review_on, rules)
    if now >= overdue_at:
        return ReminderKind.REVIEW_OVERDUE, overdue_at
    due_at = review_due_moment(next_review_on, rules)
    if now >= due_at:
        return ReminderKind.REVIEW_DUE, due_at
    return None


def rhi_reminder(returned_at: datetime, now: datetime, rules: ReminderRules = DEFAULT_RULES):
    """(kind, due moment) for a returned child with nothing recorded about the Return Home
    Interview, or None."""
    overdue_at = rhi_overdue_moment(returned_at, rules)
    if now >= overdue_at:
        return ReminderKind.RHI_OVERDUE, overdue_at
    offer_at = rhi_to_offer_moment(returned_at, rules)
    if now >= offer_at:
        return ReminderKind.RHI_TO_OFFER, offer_at
    return None


def action_reminder(due_on: date, now: datetime, rules: ReminderRules = DEFAULT_RULES):
    """(kind, due moment) of an open action's reminder in force now, or None: due
    `action_due_days` before its date, overdue the morning after it (as a review)."""
    overdue_at = at_hour(due_on + timedelta(days=1), rules.send_hour)
    if now >= overdue_at:
        return ReminderKind.ACTION_OVERDUE, overdue_at
    due_at = at_hour(due_on - timedelta(days=rules.action_due_days), rules.send_hour)
    if now >= due_at:
        return ReminderKind.ACTION_DUE, due_at
    return None


def action_recipients(
    owner_id: int, owner_active: bool, meeting_chair_id: int, kind: ReminderKind
) -> list[int]:
    """The owner; the chair of the meeting it was raised at as well when it is overdue;
    the chair instead when the owner is no longer active (someone must reassign it)."""
    told = [owner_id] if owner_active else []
    if (kind is ReminderKind.ACTION_OVERDUE or not owner_active) and meeting_chair_id not in told:
        told.append(meeting_chair_id)
    return told


def before_meeting_moment(starts_at: datetime, days: int, rules: ReminderRules = DEFAULT_RULES) -> datetime:
    """`days` before the meeting's day (London), at the send hour."""
    return at_hour(starts_at.astimezone(LONDON).date() - timedelta(days=days), rules.send_hour)


def before_meeting_reminder(
    starts_at: datetime, days: int, now: datetime, rules: ReminderRules = DEFAULT_RULES
):
    """The due moment of a reminder `days` before a meeting, when it has come and the
    meeting has not started yet; None otherwise."""
    due_at = before_meeting_moment(starts_at, days, rules)
    return due_at if due_at <= now < starts_at else None


def agenda_recipients(chair_id: int, member_ids: list[int], issued: bool) -> list[int]:
    """The agenda to circulate: no version issued yet, the chair is told to issue it; one
    issued, the members (not the chair) are told it is ready."""
    if not issued:
        return [chair_id]
    return [m for m in member_ids if m != chair_id]


def issued_recipients(chair_id: int, member_ids: list[int], issued_by_id: int) -> list[int]:
    """A version issued: every member and the chair, except whoever issued it."""
    everyone = [chair_id, *(m for m in member_ids if m != chair_id)]
    return [u for u in everyone if u != issued_by_id]


def disruption_expiry_reminder(
    expires_on: date, now: datetime, rules: ReminderRules = DEFAULT_RULES
) -> datetime | None:
    """The due moment of an in-force order's or notice's expiry reminder, from
    `disruption_expiry_days` before its expiry until the end of its expiry day; None
    otherwise (not yet, or expired: then it is for the owner to record what followed)."""
    due_at = at_hour(expires_on - timedelta(days=rules.disruption_expiry_days), rules.send_hour)
    ends = datetime.combine(expires_on + timedelta(days=1), time(0), tzinfo=LONDON)
    return due_at if due_at <= now < ends else None


def disruption_recipient(owner_id: int | None, owner_active: bool, creator_id: int, creator_active: bool):
    """The action's owner; whoever recorded it when no one active owns it; else no one."""
    if owner_id is not None and owner_active:
        return owner_id
    return creator_id if creator_active else None


def service_answer_reminder(
    first_day_overdue: date, now: datetime, rules: ReminderRules = DEFAULT_RULES
) -> datetime | None:
    """The due moment of the reminder for a request still waiting for an answer: the send
    hour of the first working day after its answer was due (the caller counts working
    days: specialist_services/working_days.py), once that has come; None before."""
    due_at = at_hour(first_day_overdue, rules.send_hour)
    return due_at if now >= due_at else None


def service_answer_recipients(
    provider_ids: list[int], requester_id: int | None, requester_active: bool
) -> tuple[list[int], list[int]]:
    """(the provider's side, the case's side) to tell of a request waiting for an answer:
    the provider's users who answer it, and whoever requested it while still active. One
    who is both (a coordinator of the providing agency) is told once, on the case's side,
    which reaches the case."""
    case_side = [requester_id] if requester_id is not None and requester_active else []
    return [p for p in provider_ids if p not in case_side], case_side


def within_lookback(due_at: datetime, now: datetime, rules: ReminderRules = DEFAULT_RULES) -> bool:
    return due_at >= now - timedelta(days=rules.lookback_days)


def recipients(lead_id: int | None, lead_active: bool, chair_ids: list[int], kind: ReminderKind) -> list[int]:
    """Who is told: the lead professional; the chairs as well when it is overdue; the
    chairs instead when the case has no active lead (someone must act, and the chair
    assigns leads)."""
    told: list[int] = []
    has_lead = lead_id is not None and lead_active
    if has_lead:
        told.append(lead_id)
    if kind.tells_chair or not has_lead:
        told.extend(c for c in chair_ids if c not in told)
    return told


def next_digest_moment(after: datetime, rules: ReminderRules = DEFAULT_RULES) -> datetime:
    """The first digest hour (London) after `after`."""
    local = after.astimezone(LONDON)
    candidate = at_hour(local.date(), rules.digest_hour)
    if candidate <= local:
        candidate = at_hour(local.date() + timedelta(days=1), rules.digest_hour)
    return candidate


def retry_countdown(attempts: int, base_seconds: int, cap_seconds: int) -> int:
    """Seconds before the next try after `attempts` failed ones: doubling, capped. The cap
    stays below the broker's visibility timeout (workers/__init__.py checks), so Redis
    never hands a waiting retry to a second worker."""
    return min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1))


def message_id(reminder_id: int, send_round: int, domain: str) -> str:
    """The same on every try of one send (a mail system drops the copy if a worker died
    after the SMTP server took the message); a chair's resend is a new round, so it is
    not dropped as a copy of the first."""
    return f"<reminder.{reminder_id}.{send_round}@{domain}>"


def digest_message_id(
    recipient_id: int, digest_at: datetime, first_id: int, send_round: int, domain: str
) -> str:
    """Also names the digest's first reminder: two resends of one digest's rows, each a
    round 2 with different contents, must not look like copies of each other."""
    stamp = digest_at.astimezone(LONDON).strftime("%Y%m%d%H")
    return f"<digest.{recipient_id}.{stamp}.{first_id}.{send_round}@{domain}>"
