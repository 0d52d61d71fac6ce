"""The specialist service reminders (docs/services-clock.md): what the scan finds due
(delivery.due_now) and whether a row is still due when a worker sends it
(delivery.still_due). The decisions are reminders/rules.py's and the working-day count
specialist_services/working_days.py's; this reads the request tables for them.

- SERVICE_ANSWER_OVERDUE: a request still `requested` after its answer_due_on, at the
  send hour of the first working day after it; to the provider's users who answer it
  (active users of the service's agency holding a case role: the rule of
  specialist_services/access.py) and to whoever requested it. Keyed by the request. The
  provider's rows carry no case (they reach the request, not the child's record, and
  open the request in their inbox); the requester's carry the case and open its page.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from mettrack.accounts.models import User, UserRole
from mettrack.core.choices import ServiceRequestStatus
from mettrack.core.extensions import db
from mettrack.core.permissions import CASE_WORKERS
from mettrack.reminders import rules
from mettrack.reminders.models import Reminder
from mettrack.reminders.rules import ReminderKind, ReminderRules
from mettrack.specialist_services.models import ServiceRequest, SpecialistService
from mettrack.specialist_services.working_days import add_working_days

# The longest run of days off after a due day (Christmas to New Year can be 5 days): how
# far before the look-back the scan reads answer dates.
LONGEST_BREAK = timedelta(days=7)
CASE_ROLES = sorted(r.value for r in CASE_WORKERS)


def first_day_overdue(answer_due_on: date) -> date:
    return add_working_days(answer_due_on, 1)


def _provider_users(agency_ids) -> dict[int, list[int]]:
    """Agency id -> its active users holding a case role, in id order. One query."""
    found: dict[int, list[int]] = defaultdict(list)
    if not agency_ids:
        return found
    rows = db.session.execute(
        select(User.agency_id, User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.agency_id.in_(list(agency_ids)), User.active.is_(True), UserRole.role.in_(CASE_ROLES))
        .distinct()
        .order_by(User.agency_id, User.id)
    )
    for agency_id, user_id in rows:
        found[agency_id].append(user_id)
    return found


def due_now(at: datetime, reminder_rules: ReminderRules) -> list[tuple]:
    """(kind, record_id, due_at, case_id, recipient ids) for each request waiting past its
    answer date, within the look-back: one tuple for the provider's side (no case) and one
    for the requester (the case). Two queries, whatever the number of requests."""
    requester = db.aliased(User)
    earliest = (at - timedelta(days=reminder_rules.lookback_days) - LONGEST_BREAK).date()
    rows = list(
        db.session.execute(
            select(
                ServiceRequest.id,
                ServiceRequest.case_id,
                ServiceRequest.answer_due_on,
                SpecialistService.agency_id,
                requester.id,
                requester.active,
            )
            .join(SpecialistService, SpecialistService.id == ServiceRequest.service_id)
            .outerjoin(requester, requester.id == ServiceRequest.requested_by_id)
            .where(
                ServiceRequest.status == ServiceRequestStatus.REQUESTED.value,
                ServiceRequest.answer_due_on.between(earliest, at.date()),
            )
            .order_by(ServiceRequest.id)
        )
    )
    providers = _provider_users({r.agency_id for r in rows if r.agency_id is not None})
    kind = ReminderKind.SERVICE_ANSWER_OVERDUE
    found: list[tuple] = []
    for request_id, case_id, answer_due_on, agency_id, requester_id, requester_active in rows:
        due_at = rules.service_answer_reminder(first_day_overdue(answer_due_on), at, reminder_rules)
        if due_at is None or not rules.within_lookback(due_at, at, reminder_rules):
            continue
        provider_side, case_side = rules.service_answer_recipients(
            providers.get(agency_id, []), requester_id, bool(requester_active)
        )
        if provider_side:
            found.append((kind, request_id, due_at, None, provider_side))
        if case_side:
            found.append((kind, request_id, due_at, case_id, case_side))
    return found


def _told(request: ServiceRequest) -> tuple[list[int], list[int]]:
    agency_id = request.service.agency_id if request.service else None
    providers = _provider_users({agency_id} if agency_id is not None else set())
    requester = db.session.get(User, request.requested_by_id)
    return rules.service_answer_recipients(
        providers.get(agency_id, []), request.requested_by_id, bool(requester and requester.active)
    )


def still_due(reminder: Reminder, kind: ReminderKind, at: datetime, reminder_rules: ReminderRules) -> bool:
    """Still waiting for an answer (not accepted, declined or withdrawn), with the same
    answer date, and the recipient still one to tell, on the same side?"""
    request = db.session.get(ServiceRequest, reminder.record_id)
    if request is None or request.status != ServiceRequestStatus.REQUESTED.value:
        return False
    if request.answer_due_on is None:
        return False
    due_at = rules.service_answer_reminder(first_day_overdue(request.answer_due_on), at, reminder_rules)
    if due_at != reminder.due_at:
        return False  # a new answer date makes a new reminder
    provider_side, case_side = _told(request)
    return reminder.recipient_id in (case_side if reminder.case_id is not None else provider_side)


def answer_line(reminder: Reminder) -> str:
    """What the reminder says: that an answer is waiting and since when; never the child,
    the case, the service user or the reason."""
    request = db.session.get(ServiceRequest, reminder.record_id)
    text = "A request for a specialist service is waiting for an answer"
    if request is not None and request.answer_due_on is not None:
        day = request.answer_due_on
        return f"{text}: it was due by {day:%A} {day.day} {day:%B %Y}."
    return f"{text}."


def destination_path(reminder: Reminder) -> str | None:
    """The provider's rows open the request in their inbox; the requester's (with a case)
    open the case page (None: the caller's case destination)."""
    return None if reminder.case_id is not None else f"/services/requests/{reminder.record_id}"
