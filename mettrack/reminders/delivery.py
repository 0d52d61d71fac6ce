"""Making and sending reminders (docs/reminders.md). The database is the record; the
broker only carries "send reminder N" and may lose it.

- make_due(): the scan's first half. Inserts a row per reminder and recipient that has
  fallen due, all in one statement that leaves out those already made (_insert_new); the
  unique key makes it idempotent (a rescan or a second beat adds nothing). Its number of
  statements does not grow with the number of cases (tests/performance).
- to_enqueue(): the scan's second half. The rows to hand to the broker: pending ones
  never handed over, and pending or sending ones whose message looks lost.
- deliver(): the send task. Claims the row (pending -> sending, one claim wins), checks it
  is still due, sends over SMTP, and marks it sent; on failure puts it back with a retry
  time, or marks it failed once retries are used up.

make_due and to_enqueue are each one unit of work. deliver is the one use case that spans
several on purpose: the claim, the Message-ID, and the outcome are each committed on their
own (each a `with unit_of_work()`), because an e-mail sent cannot be rolled back. The claim
must be committed before the SMTP call (so that a second worker finds nothing to claim),
and the result after it (so that a worker dying mid-send leaves a claimed row the scan
picks up again, not a send that never happened).
"""

import json
import logging
import smtplib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, column, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from mettrack.accounts.models import User, UserRole
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import now as clock_now
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import transaction, unit_of_work
from mettrack.missing.models import MissingEpisode
from mettrack.reminders import disruption_reminders, mailer, meeting_reminders, rules, service_reminders
from mettrack.reminders import mail as reminder_mail
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import Channel, DeliveryChoice, ReminderKind, ReminderState

log = logging.getLogger(__name__)
SYSTEM_ACTOR = "system:reminders"
# A retry message may reach a worker whose clock runs a little ahead of the one that
# set the retry time: it still counts as due.
CLOCK_SKEW = timedelta(seconds=5)


# Setting name -> field of domain.reminders.ReminderRules.
RULE_SETTINGS = {
    "REMINDER_REVIEW_DUE_DAYS": "review_due_days",
    "REMINDER_RHI_TO_OFFER_HOURS": "rhi_to_offer_hours",
    "REMINDER_RHI_OVERDUE_HOURS": "rhi_overdue_hours",
    "REMINDER_SEND_HOUR": "send_hour",
    "REMINDER_DIGEST_HOUR": "digest_hour",
    "REMINDER_LOOKBACK_DAYS": "lookback_days",
    "REMINDER_ACTION_DUE_DAYS": "action_due_days",
    "REMINDER_AGENDA_CIRCULATE_DAYS": "agenda_circulate_days",
    "REMINDER_LEAD_UPDATE_DAYS": "lead_update_days",
    "REMINDER_DISRUPTION_EXPIRY_DAYS": "disruption_expiry_days",
}


def rules_from_config(config: Mapping | None = None) -> rules.ReminderRules:
    """The partnership's reminder offsets from configuration (defaults: reminders/rules.py)."""
    config = current_app.config if config is None else config
    defaults = rules.DEFAULT_RULES
    return rules.ReminderRules(
        **{field: int(config.get(name, getattr(defaults, field))) for name, field in RULE_SETTINGS.items()}
    )


def check_settings(config: Mapping) -> None:
    """Raise RuntimeError naming the settings when the reminder offsets cannot be used:
    the app and the worker refuse to start rather than send reminders at the wrong time."""
    try:
        rules_from_config(config).check()
    except (TypeError, ValueError) as e:
        raise RuntimeError(
            f"Check the settings {', '.join(RULE_SETTINGS)} (docs/reminders.md): {e}"
        ) from None


def requeue_after() -> timedelta:
    return timedelta(seconds=current_app.config["REMINDER_REQUEUE_AFTER_SECONDS"])


# --- making ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    kind: ReminderKind
    record_id: int
    due_at: datetime
    case_id: int | None
    lead_id: int | None
    lead_active: bool
    # Who is told, when not the case's lead and the chairs (rules.recipients): the
    # meeting kinds name their own (meeting_reminders.py).
    told: tuple[int, ...] | None = None


def _active_admins(only: int | None = None) -> list:
    """The active administrators (or only the user `only`, if they are one), each with how
    they chose to be told: (id, notification_choice) rows, by id."""
    query = (
        select(User.id, User.notification_choice)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
        .order_by(User.id)
    )
    if only is not None:
        query = query.where(User.id == only)
    return db.session.execute(query).all()


def _chair_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.MET_CHAIR.value, User.active.is_(True))
            .order_by(User.id)
        )
    )


def due_now(at: datetime, reminder_rules: rules.ReminderRules) -> list[Due]:
    """Everything a reminder is due for at `at`, within the look-back."""
    found: list[Due] = []
    lead = db.aliased(User)
    earliest_review = (at - timedelta(days=reminder_rules.lookback_days + 2)).date()
    latest_review = (at + timedelta(days=reminder_rules.review_due_days + 2)).date()
    cases = db.session.execute(
        select(Case.id, Case.next_review_on, Case.lead_professional_id, lead.active)
        .outerjoin(lead, lead.id == Case.lead_professional_id)
        .where(
            Case.state != CaseState.CLOSED.value,
            Case.next_review_on.between(earliest_review, latest_review),
        )
    )
    for case_id, next_review_on, lead_id, lead_active in cases:
        reminder = rules.review_reminder(next_review_on, at, reminder_rules)
        if reminder and rules.within_lookback(reminder[1], at, reminder_rules):
            found.append(Due(reminder[0], case_id, reminder[1], case_id, lead_id, bool(lead_active)))

    oldest_return = at - timedelta(hours=reminder_rules.rhi_overdue_hours, days=reminder_rules.lookback_days)
    episodes = db.session.execute(
        select(MissingEpisode.id, MissingEpisode.returned_at, Case.id, Case.lead_professional_id, lead.active)
        .join(Case, Case.id == MissingEpisode.case_id)
        .outerjoin(lead, lead.id == Case.lead_professional_id)
        .where(
            Case.state != CaseState.CLOSED.value,
            MissingEpisode.returned_at.is_not(None),
            MissingEpisode.returned_at >= oldest_return,
            MissingEpisode.returned_at <= at - timedelta(hours=reminder_rules.rhi_to_offer_hours),
            or_(MissingEpisode.rhi_status.is_(None), MissingEpisode.rhi_status == ""),
        )
    )
    for episode_id, returned_at, case_id, lead_id, lead_active in episodes:
        reminder = rules.rhi_reminder(returned_at, at, reminder_rules)
        if reminder and rules.within_lookback(reminder[1], at, reminder_rules):
            found.append(Due(reminder[0], episode_id, reminder[1], case_id, lead_id, bool(lead_active)))
    for kind, record_id, due_at, case_id, told in meeting_reminders.due_now(at, reminder_rules):
        found.append(Due(kind, record_id, due_at, case_id, None, False, tuple(told)))
    for kind, record_id, due_at, case_id, told in disruption_reminders.due_now(at, reminder_rules):
        found.append(Due(kind, record_id, due_at, case_id, None, False, tuple(told)))
    for kind, record_id, due_at, case_id, told in service_reminders.due_now(at, reminder_rules):
        found.append(Due(kind, record_id, due_at, case_id, None, False, tuple(told)))
    return found


_KEY = ("kind", "record_id", "due_at", "recipient_id")  # the unique key: uq_reminders_key
_COLUMNS = (
    *_KEY,
    *("case_id", "channel", "state", "sent_at", "created_at", "not_before", "attempts", "send_round"),
)


def _insert_new(rows: list[dict]) -> int:
    """Insert these reminder rows (_reminder_row's) in one statement, whatever their
    number, leaving out those already made (their key: kind, record, due moment,
    recipient); returns how many are new. The rows travel as one JSON parameter:
    `INSERT ... SELECT ... FROM jsonb_to_recordset(...)` (PostgreSQL) or `json_each(...)`
    (SQLite) `WHERE NOT EXISTS (the same key) ON CONFLICT DO NOTHING`. The NOT EXISTS
    reads the key's index, so a rescan, where every row is already made, writes nothing
    and draws no ids; ON CONFLICT covers a scan running beside it."""
    unique: dict[tuple, dict] = {}
    for row in rows:
        unique.setdefault(tuple(row[name] for name in _KEY), row)
    if not unique:
        return 0
    table = Reminder.__table__
    dialect = db.session.get_bind().dialect
    # Each value as its column stores it on this database (a moment on SQLite is naive UTC
    # text), so the key compares equal to the rows already made.
    processors = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in _COLUMNS}

    def stored(name: str, value):
        value = processors[name](value) if processors[name] and value is not None else value
        return value.isoformat() if isinstance(value, datetime) else value

    payload = [{name: stored(name, row[name]) for name in _COLUMNS} for row in unique.values()]
    if dialect.name == "postgresql":
        typed = (column(name, table.c[name].type) for name in _COLUMNS)
        new = (
            func.jsonb_to_recordset(bindparam("rows", payload, type_=postgresql.JSONB))
            .table_valued(*typed)
            .render_derived(name="new", with_types=True)
        )
        values = {name: new.c[name] for name in _COLUMNS}
        insert = postgresql.insert
    else:
        new = func.json_each(json.dumps(payload)).table_valued("value").alias("new")
        values = {name: func.json_extract(new.c.value, f"$.{name}") for name in _COLUMNS}
        insert = sqlite.insert
    made = table.alias("made")
    already = exists().where(*(made.c[name] == values[name] for name in _KEY))
    statement = (
        insert(table)
        .from_select(list(_COLUMNS), select(*values.values()).where(~already))
        .on_conflict_do_nothing(index_elements=list(_KEY))
        .returning(table.c.id)
    )
    return len(db.session.execute(statement).all())


def _reminder_row(
    kind: ReminderKind,
    record_id: int,
    due_at: datetime,
    recipient_id: int,
    case_id: int | None,
    choice: str | None,
    at: datetime,
    digest_at: datetime,
) -> dict:
    """A new reminder's row, on the channel the recipient chose."""
    channel = rules.CHANNEL_FOR_CHOICE[DeliveryChoice(choice or DeliveryChoice.EMAIL_AND_APP)]
    in_app_only = channel is Channel.APP
    return {
        "kind": kind.value,
        "record_id": record_id,
        "due_at": due_at,
        "recipient_id": recipient_id,
        "case_id": case_id,
        "channel": channel.value,
        # In the app only: the notification list shows it at once; nothing to send.
        "state": (ReminderState.SENT if in_app_only else ReminderState.PENDING).value,
        "sent_at": at if in_app_only else None,
        "created_at": at,
        "not_before": digest_at if channel is Channel.DIGEST else at,
        "attempts": 0,
        "send_round": 1,
    }


@transaction
def make_due(at: datetime | None = None) -> int:
    """Insert the reminders that have fallen due; returns how many are new."""
    at = at or clock_now()
    reminder_rules = rules_from_config()
    chairs = _chair_ids()
    choices = dict(db.session.execute(select(User.id, User.notification_choice)).all())
    digest_at = rules.next_digest_moment(at, reminder_rules)
    rows = []
    for due in due_now(at, reminder_rules):
        told = due.told
        if told is None:
            told = rules.recipients(due.lead_id, due.lead_active, chairs, due.kind)
        for who in told:
            choice = choices.get(who)
            row = _reminder_row(due.kind, due.record_id, due.due_at, who, due.case_id, choice, at, digest_at)
            rows.append(row)
    made = _insert_new(rows)
    if made:
        audit.record("reminders.made", "reminder", None, detail={"count": made}, actor=SYSTEM_ACTOR)
    return made


@transaction
def notify_password_reset(user_id: int, at: datetime | None = None) -> int:
    """An e-mail telling the user an administrator reset their password (naming no child),
    sent by the scan like any reminder, whatever their delivery choice: so that a reset
    done to sign in as them does not go unnoticed (docs/security.md). Returns its id."""
    return _security_notice(ReminderKind.PASSWORD_RESET, user_id, user_id, at)


def notify_role_grant_decided(user_id: int, grant_id: int, at: datetime | None = None) -> int:
    """An e-mail (and the in-app notice) telling the user a MET chair approved or refused a
    role or a police reviewer's access to intelligence that an administrator gave them,
    naming no child (docs/security.md, "Separation of duties"). Returns its id."""
    return _security_notice(ReminderKind.ROLE_GRANT_DECIDED, grant_id, user_id, at)


@transaction
def notify_account_created(user_id: int, at: datetime | None = None) -> int:
    """An e-mail telling the user an administrator made an account for them, with a first
    password the administrator knows (naming no child), sent like a reset's notice: so that
    an account made to read cases through does not go unnoticed. Returns its id."""
    return _security_notice(ReminderKind.ACCOUNT_CREATED, user_id, user_id, at)


def _security_notice(kind: ReminderKind, record_id: int, user_id: int, at: datetime | None) -> int:
    at = at or clock_now()
    reminder = Reminder(
        kind=kind.value,
        record_id=record_id,
        due_at=at,
        recipient_id=user_id,
        case_id=None,
        channel=Channel.EMAIL.value,
        state=ReminderState.PENDING.value,
        created_at=at,
        not_before=at,
        attempts=0,
        send_round=1,
    )
    db.session.add(reminder)
    db.session.flush()
    audit.record("reminders.made", "reminder", reminder.id, detail={"count": 1}, actor=SYSTEM_ACTOR)
    return reminder.id


@transaction
def notify_retention_review(count: int, at: datetime | None = None) -> int:
    """Tell every active administrator that the weekly retention review listed `count`
    records (docs/retention.md): in the app and by e-mail, as each has chosen, naming no
    child or record, with a link to the review list. Made in the caller's transaction.
    Returns how many reminders were made (none when `count` is 0)."""
    if count <= 0:
        return 0
    at = at or clock_now()
    admins = _active_admins()
    digest_at = rules.next_digest_moment(at, rules_from_config())
    made = _insert_new(
        [
            _reminder_row(ReminderKind.RETENTION_REVIEW, count, at, admin_id, None, choice, at, digest_at)
            for admin_id, choice in admins
        ]
    )
    if made:
        audit.record("reminders.made", "reminder", None, detail={"count": made}, actor=SYSTEM_ACTOR)
    return made


# --- handing to the broker --------------------------------------------------------------


@transaction
def to_enqueue(at: datetime | None = None, limit: int = 1000) -> list[int]:
    """The ids to hand to the broker now, marked as handed over (committed), one per
    digest. Pending rows the broker never had, and rows whose message looks lost: pending
    or sending for longer than REMINDER_REQUEUE_AFTER_SECONDS."""
    at = at or clock_now()
    stale = at - requeue_after()
    ready = and_(
        Reminder.state == ReminderState.PENDING.value,
        Reminder.not_before <= at,
        or_(Reminder.enqueued_at.is_(None), Reminder.enqueued_at <= stale),
    )
    # Handed over once per requeue age, not at every scan: a message still queued behind
    # busy workers would otherwise be joined by another at each scan.
    lost = and_(
        Reminder.state == ReminderState.SENDING.value,
        Reminder.claimed_at <= stale,
        or_(Reminder.enqueued_at.is_(None), Reminder.enqueued_at <= stale),
    )
    rows = db.session.execute(
        select(Reminder.id, Reminder.channel, Reminder.recipient_id, Reminder.not_before)
        .where(Reminder.channel != Channel.APP.value, or_(ready, lost))
        .order_by(Reminder.id)
        .limit(limit)
    ).all()
    ids, digests = [], set()
    for row in rows:
        if row.channel == Channel.DIGEST.value:
            # One message per digest: the first row's task sends the whole group.
            group = (row.recipient_id, row.not_before)
            if group in digests:
                continue
            digests.add(group)
        ids.append(row.id)
    if rows:
        db.session.execute(
            update(Reminder).where(Reminder.id.in_([r.id for r in rows])).values(enqueued_at=at)
        )
    return ids


# --- sending ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery: `retry_in` seconds when the task should try again."""

    status: str  # "sent", "skipped", "cancelled", "retry", "failed"
    retry_in: int | None = None


def _claim(reminder: Reminder, at: datetime) -> tuple[str, list[int]]:
    """Take the row (or the digest's rows) for this worker: one UPDATE, so of two workers
    given the same id, one claims and the other finds nothing to do."""
    token = uuid.uuid4().hex
    claimable = or_(
        and_(
            Reminder.state == ReminderState.PENDING.value,
            Reminder.not_before <= at + CLOCK_SKEW,
            or_(Reminder.retry_at.is_(None), Reminder.retry_at <= at + CLOCK_SKEW),
        ),
        and_(Reminder.state == ReminderState.SENDING.value, Reminder.claimed_at <= at - requeue_after()),
    )
    if reminder.channel == Channel.DIGEST.value:
        which = and_(
            Reminder.recipient_id == reminder.recipient_id,
            Reminder.channel == Channel.DIGEST.value,
            Reminder.not_before == reminder.not_before,
        )
    else:
        which = Reminder.id == reminder.id
    with unit_of_work():
        db.session.execute(
            update(Reminder)
            .where(which, claimable)
            .values(
                state=ReminderState.SENDING.value,
                claimed_at=at,
                claim_token=token,
                attempts=Reminder.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    claimed = list(
        db.session.scalars(select(Reminder.id).where(Reminder.claim_token == token).order_by(Reminder.id))
    )
    return token, claimed


def still_due(reminder: Reminder, at: datetime, reminder_rules: rules.ReminderRules) -> bool:
    """Is what it reminds of still undone, this reminder still the one in force, and its
    recipient still one of those to tell (not deactivated, not a lead since replaced)?"""
    kind = ReminderKind(reminder.kind)
    if kind in rules.SECURITY_KINDS:
        return True  # what happened to the account stays true: the notice always goes
    if kind in rules.ADMIN_KINDS:
        # Still an administrator: a notice about the records goes to those who review them.
        return bool(_active_admins(only=reminder.recipient_id))
    # A worker whose clock runs behind the scan's must not find the reminder "not yet
    # due" and cancel it for good: it was due when it was made.
    at = max(at, reminder.due_at)
    if kind in rules.MEETING_KINDS:
        return meeting_reminders.still_due(reminder, kind, at, reminder_rules)
    if kind in rules.DISRUPTION_KINDS:
        return disruption_reminders.still_due(reminder, kind, at, reminder_rules)
    if kind in rules.SERVICE_KINDS:
        return service_reminders.still_due(reminder, kind, at, reminder_rules)
    case = db.session.get(Case, reminder.case_id)
    if case is None or not case.is_open:
        return False
    lead = case.lead_professional
    told = rules.recipients(case.lead_professional_id, bool(lead and lead.active), _chair_ids(), kind)
    if reminder.recipient_id not in told:
        return False
    if kind.record_type == "case":
        if case.next_review_on is None:
            return False
        current = rules.review_reminder(case.next_review_on, at, reminder_rules)
    else:
        episode = db.session.get(MissingEpisode, reminder.record_id)
        if episode is None or episode.returned_at is None or episode.rhi_status:
            return False
        current = rules.rhi_reminder(episode.returned_at, at, reminder_rules)
    return current == (kind, reminder.due_at)


def _mine(token: str):
    return and_(Reminder.claim_token == token, Reminder.state == ReminderState.SENDING.value)


@transaction
def _finish(ids: list[int], token: str, **values) -> None:
    """Set `values` on those of `ids` this claim still holds, and let go of them."""
    db.session.execute(
        update(Reminder)
        .where(Reminder.id.in_(ids), _mine(token))
        .values(claim_token=None, **values)
        .execution_options(synchronize_session=False)
    )


def deliver(reminder_id: int, at: datetime | None = None) -> Outcome:
    """Send reminder `reminder_id` (with the rest of its digest), at most once per claim.
    Never inside a unit of work: its steps must each commit (see the module docstring)."""
    at = at or clock_now()
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None or reminder.channel == Channel.APP.value:
        return Outcome("skipped")
    token, claimed = _claim(reminder, at)
    if not claimed:
        # Sent, failed, being sent by another worker, or waiting for its retry time. (A
        # digest sends whichever of its rows were claimed, this one or not: a row claimed
        # must never be left in "sending".)
        return Outcome("skipped")
    reminder_rules = rules_from_config()
    rows = list(db.session.scalars(select(Reminder).where(Reminder.id.in_(claimed)).order_by(Reminder.id)))
    recipient = db.session.get(User, reminder.recipient_id)
    app_only = rules.CHANNEL_FOR_CHOICE[DeliveryChoice(recipient.notification_choice)] is Channel.APP
    if app_only and ReminderKind(reminder.kind) not in rules.SECURITY_KINDS:
        # E-mail turned off since the row was made (a retry or a digest waiting): shown in
        # the app only, as follow_choice does for the rows that were not being sent.
        _finish(claimed, token, state=ReminderState.SENT.value, channel=Channel.APP.value, sent_at=at)
        return Outcome("skipped")
    worn_out = [r.id for r in rows if r.attempts > current_app.config["REMINDER_MAX_ATTEMPTS"]]
    if worn_out:
        # Tried as often as allowed, each try ending without a result (the worker killed,
        # an error outside the SMTP call): failed, and shown to the chair.
        _finish(
            worn_out,
            token,
            state=ReminderState.FAILED.value,
            failed_at=at,
            last_error="Every try ended without a result (the worker stopped during the send)",
        )
        rows = [r for r in rows if r.id not in worn_out]
        if not rows:
            return Outcome("failed")
    due_rows = [r for r in rows if still_due(r, at, reminder_rules)]
    gone = [r.id for r in rows if r not in due_rows]
    if gone:
        _finish(gone, token, state=ReminderState.CANCELLED.value)
    if not due_rows:
        return Outcome("cancelled")

    message = reminder_mail.compose(due_rows, recipient)
    ids = [r.id for r in due_rows]
    with unit_of_work():
        db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), _mine(token))
            .values(message_id=message.message_id)
            .execution_options(synchronize_session=False)
        )
    try:
        mailer.send(message)
    except Exception as error:  # noqa: BLE001  every failure is recorded; none may lose the row
        return _record_failure(ids, token, error, attempts=max(r.attempts for r in due_rows))
    # The one window for a duplicate (docs/reminders.md): the SMTP server has the message
    # and this commit does not happen (the worker dies now). The scan sends it again
    # later with the same Message-ID.
    with unit_of_work():
        result = db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), _mine(token))
            .values(state=ReminderState.SENT.value, sent_at=clock_now(), last_error=None, retry_at=None)
            .execution_options(synchronize_session=False)
        )
        for row_id in ids:
            audit.record(
                "reminder.sent", "reminder", row_id, detail={"case_id": reminder.case_id}, actor=SYSTEM_ACTOR
            )
    if result.rowcount != len(ids):
        log.warning("reminder %s: claim taken over while sending; sent twice", reminder_id)
    return Outcome("sent")


def _describe(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    text = getattr(error, "smtp_error", b"")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (None, b""))
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    described = f"{type(error).__name__}"
    if code:
        described += f" {code}"
    detail = text or str(error)
    return f"{described}: {detail}"[:500] if detail else described


def _refused_for_good(error: Exception) -> bool:
    """A 5xx answer (no such mailbox, message refused) will not change on a retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return isinstance(error, smtplib.SMTPResponseException) and code is not None and 500 <= code < 600


@transaction
def _record_failure(ids: list[int], token: str, error: Exception, attempts: int) -> Outcome:
    config = current_app.config
    description = _describe(error)
    log.warning("reminder %s: send attempt %s failed: %s", ids[0], attempts, type(error).__name__)
    if attempts >= config["REMINDER_MAX_ATTEMPTS"] or _refused_for_good(error):
        db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), _mine(token))
            .values(state=ReminderState.FAILED.value, failed_at=clock_now(), last_error=description)
            .execution_options(synchronize_session=False)
        )
        for row_id in ids:
            audit.record("reminder.failed", "reminder", row_id, outcome="failed", actor=SYSTEM_ACTOR)
        return Outcome("failed")
    countdown = rules.retry_countdown(
        attempts, config["REMINDER_RETRY_BASE_SECONDS"], config["REMINDER_RETRY_MAX_SECONDS"]
    )
    retry_at = clock_now() + timedelta(seconds=countdown)
    db.session.execute(
        update(Reminder)
        .where(Reminder.id.in_(ids), _mine(token))
        .values(
            state=ReminderState.PENDING.value,
            retry_at=retry_at,
            # The retry message is as good as handed over at its time: the scan steps in
            # only if that one is lost too.
            enqueued_at=retry_at,
            claim_token=None,
            last_error=description,
        )
        .execution_options(synchronize_session=False)
    )
    return Outcome("retry", retry_in=countdown)


def failed_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Reminder).where(Reminder.state == ReminderState.FAILED.value)
    )


def follow_choice(user_id: int, choice: DeliveryChoice, at: datetime | None = None) -> int:
    """Move the user's reminders still waiting to be sent onto their new choice, so that
    someone who turns e-mail off gets none of the e-mails already waiting. Rows being sent
    (claimed by a worker) are left as they are. Returns how many moved; the caller commits."""
    at = at or clock_now()
    channel = rules.CHANNEL_FOR_CHOICE[choice]
    values: dict = {"channel": channel.value, "retry_at": None, "enqueued_at": None}
    if channel is Channel.APP:
        values.update(state=ReminderState.SENT.value, sent_at=at)
    elif channel is Channel.DIGEST:
        values["not_before"] = rules.next_digest_moment(at, rules_from_config())
    else:
        values["not_before"] = at
    result = db.session.execute(
        update(Reminder)
        .where(
            Reminder.recipient_id == user_id,
            Reminder.state == ReminderState.PENDING.value,
            Reminder.channel != channel.value,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
