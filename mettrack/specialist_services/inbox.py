"""The provider's inbox: the requests sent to the services a user's agency provides
(docs/services-inbox.md).

A provider's user sees what the service needs to decide, the PROVIDER VIEW: the child's
name and age, the service, how urgent, why it is asked for and what the service needs to
know, who asked and when, when an answer is due and how many working days it has waited.
Not the child's record (no address, notes, intelligence ...): that comes with the case,
once the service accepts and its worker joins the team.

Who: a user of the provider's agency with a case role (access.provider_scope); anyone
else gets 403 (access.require_provider). A request to another agency's service is a 404,
even to a user who reaches its case: the inbox is the provider's side only. Reads are
audited, by ids.
"""

from dataclasses import dataclass
from datetime import date, datetime
from math import ceil

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import AuditOutcome, RequestUrgency, ServiceRequestStatus
from mettrack.core.clock import today
from mettrack.core.errors import NotAllowed
from mettrack.core.extensions import db
from mettrack.core.permissions import deny_record
from mettrack.core.unit_of_work import transaction
from mettrack.screening.cserq4 import age_on
from mettrack.specialist_services import access
from mettrack.specialist_services.models import ServiceRequest
from mettrack.specialist_services.working_days import working_days_between

WAITING = "waiting"
ANSWERED = "answered"
WITHDRAWN = "withdrawn"
ALL = "all"
# The inbox's tabs (and the API's `status`): which requests each shows.
FILTERS = {
    WAITING: (ServiceRequestStatus.REQUESTED.value,),
    ANSWERED: (
        ServiceRequestStatus.ACCEPTED.value,
        ServiceRequestStatus.DECLINED.value,
        ServiceRequestStatus.ENDED.value,
    ),
    WITHDRAWN: (ServiceRequestStatus.WITHDRAWN.value,),
    ALL: tuple(ServiceRequestStatus.values()),
}
FILTER_LABELS = {WAITING: "Waiting for your answer", ANSWERED: "Answered", WITHDRAWN: "Withdrawn", ALL: "All"}
MAX_PAGE = 100_000


@dataclass(frozen=True)
class ProviderView:
    """One request as its provider sees it: what the service needs to decide, no more."""

    id: int
    status: str
    status_label: str
    service_code: str
    service_name: str
    urgency: str
    urgency_label: str
    child_name: str
    child_age: int | None  # today, from the date of birth; None when it is not known
    reason: str | None
    needs: str | None
    requested_by: str
    requested_by_agency: str | None
    requested_at: datetime
    answer_due_on: date | None
    # Working days the request waited: up to today while it waits, up to its answer after.
    waiting_days: int | None
    overdue: bool
    worker: str | None
    accepted_on: date | None
    starts_on: date | None
    decline_reason: str | None
    answered_at: datetime | None
    recorded_for_provider: bool
    version: int
    # The case, only for a user who now reaches it (the worker who joined its team):
    # otherwise None, and the view shows no way into the record.
    case_id: int | None

    @property
    def waiting(self) -> bool:
        return self.status == ServiceRequestStatus.REQUESTED.value


@dataclass(frozen=True)
class InboxPage:
    status: str
    items: list[ProviderView]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]  # requests under each tab (waiting, answered, withdrawn, all)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def _require_provider(user, action: str) -> None:
    try:
        access.require_provider(user, action)
    except NotAllowed:
        audit.record_now(
            f"{action}.denied", detail={"reason": "not a provider"}, outcome=AuditOutcome.DENIED, actor=user
        )
        raise


def _view(request: ServiceRequest, case: Case, requester: User, on_case: bool, on: date) -> ProviderView:
    child = case.child
    requested_on = today(request.requested_at)
    waiting = request.status == ServiceRequestStatus.REQUESTED.value
    if waiting:
        waited = working_days_between(requested_on, on)
    elif request.answered_at is not None:
        waited = working_days_between(requested_on, today(request.answered_at))
    else:
        waited = None
    return ProviderView(
        id=request.id,
        status=request.status,
        status_label=ServiceRequestStatus(request.status).label,
        service_code=request.service.code,
        service_name=request.service.name,
        urgency=request.urgency,
        urgency_label=RequestUrgency(request.urgency).label,
        child_name=child.display_name,
        child_age=age_on(child.date_of_birth, on) if child.date_of_birth else None,
        reason=request.reason,
        needs=request.needs,
        requested_by=requester.name,
        requested_by_agency=requester.agency.name if requester.agency else None,
        requested_at=request.requested_at,
        answer_due_on=request.answer_due_on,
        waiting_days=waited,
        overdue=waiting and request.answer_due_on is not None and on > request.answer_due_on,
        worker=request.worker,
        accepted_on=request.accepted_on,
        starts_on=request.starts_on,
        decline_reason=request.decline_reason,
        answered_at=request.answered_at,
        recorded_for_provider=request.recorded_for_provider,
        version=request.version,
        case_id=case.id if on_case else None,
    )


def _on_case(user, request_ids: list[int]) -> set[int]:
    """Which of the requests the user also reaches through their case."""
    if not request_ids:
        return set()
    return set(
        db.session.scalars(
            select(ServiceRequest.id).where(ServiceRequest.id.in_(request_ids), access.case_side_scope(user))
        )
    )


def _views(user, requests: list[ServiceRequest]) -> list[ProviderView]:
    if not requests:
        return []
    cases = {
        c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_({r.case_id for r in requests})))
    }
    requesters = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({r.requested_by_id for r in requests})))
    }
    on_case = _on_case(user, [r.id for r in requests])
    on = today()
    return [_view(r, cases[r.case_id], requesters[r.requested_by_id], r.id in on_case, on) for r in requests]


def _order():
    waiting = ServiceRequest.status == ServiceRequestStatus.REQUESTED.value
    urgent = ServiceRequest.urgency == RequestUrgency.URGENT.value
    # Waiting first, the urgent among them first, each oldest first; then the rest,
    # the latest answered first.
    return (
        sql_case((waiting, 0), else_=1),
        sql_case((waiting & urgent, 0), else_=1),
        sql_case((waiting, ServiceRequest.requested_at), else_=None).asc().nulls_last(),
        func.coalesce(ServiceRequest.answered_at, ServiceRequest.requested_at).desc(),
        ServiceRequest.id.desc(),
    )


@transaction
def inbox(user, status: str = ALL, *, page: int = 1, per_page: int = 25) -> InboxPage:
    """The requests to the user's agency's services under `status` (waiting, answered,
    withdrawn or all), waiting first (urgent first, then oldest), then the latest answered,
    one page of them. 403 for a user whose agency provides no service. Audited as
    service_request.inbox_listed with the ids shown."""
    action = "service_request.inbox_listed"
    _require_provider(user, action)
    if status not in FILTERS:
        status = ALL
    page = page if 1 <= page <= MAX_PAGE else 1
    scope = access.provider_scope(user)
    counted = dict(
        db.session.execute(
            select(ServiceRequest.status, func.count()).where(scope).group_by(ServiceRequest.status)
        ).all()
    )
    counts = {name: sum(counted.get(s, 0) for s in statuses) for name, statuses in FILTERS.items()}
    rows = list(
        db.session.scalars(
            select(ServiceRequest)
            .where(scope, ServiceRequest.status.in_(FILTERS[status]))
            .order_by(*_order())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    items = _views(user, rows)
    audit.record(
        action,
        "service_request",
        detail={"status": status, "page": page, "ids": [i.id for i in items]},
        actor=user,
    )
    return InboxPage(status, items, counts[status], page, per_page, counts)


def _provided(user, request_id: int, action: str) -> ServiceRequest:
    request = db.session.scalar(
        select(ServiceRequest).where(ServiceRequest.id == request_id, access.provider_scope(user))
    )
    if request is None:
        raise deny_record("service_request", request_id, action)
    return request


@transaction
def require_provided(user, request_id: int, action: str) -> None:
    """Before an answer from the inbox: 403 for a user whose agency provides no service,
    404 (audited as `action`.denied) for a request to another agency's service, even one
    the user reaches through its case. Reads only."""
    _require_provider(user, action)
    _provided(user, request_id, action)


@transaction
def view(user, request_id: int) -> ProviderView:
    """One request to the user's agency's services, as its provider sees it. 403 for a
    user whose agency provides no service; 404 (audited) for a request to another
    agency's service. Audited as service_request.viewed."""
    action = "service_request.viewed"
    _require_provider(user, action)
    request = _provided(user, request_id, action)
    audit.record(action, "case", request.case_id, detail={"service_request": request.id}, actor=user)
    return _views(user, [request])[0]
