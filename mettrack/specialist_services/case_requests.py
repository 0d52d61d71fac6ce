"""The requests on a case as the case's side reads them (the coordinator, the chair, the
case team): the case page's "Specialist services" section, the request form's choices,
and the API's list of a case's requests.

The provider's side (their inbox) is not here: access.py decides who reaches a request,
requests.py changes one.

Waiting is counted in working days (working_days.py), as the answer's due date is: a
request waiting past `answer_due_on` is overdue.
"""

from dataclasses import dataclass

from sqlalchemy import select

from mettrack.cases import get_summary_for
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import ExploitationType, RequestUrgency, ServiceRequestStatus
from mettrack.core.clock import today
from mettrack.core.extensions import db
from mettrack.core.permissions import deny_record
from mettrack.core.unit_of_work import transaction
from mettrack.specialist_services import access
from mettrack.specialist_services.catalogue import list_active, loads, service_labels
from mettrack.specialist_services.models import ServiceRequest
from mettrack.specialist_services.requests import requests_of
from mettrack.specialist_services.working_days import working_days_between

# The section's order: what needs the coordinator first.
STATUS_ORDER = {
    ServiceRequestStatus.REQUESTED.value: 0,
    ServiceRequestStatus.DECLINED.value: 1,
    ServiceRequestStatus.ACCEPTED.value: 2,
    ServiceRequestStatus.ENDED.value: 3,
    ServiceRequestStatus.WITHDRAWN.value: 4,
}


def waited(request: ServiceRequest, on=None) -> int:
    """Working days the request has waited for an answer (up to `on`, default today)."""
    return working_days_between(today(request.requested_at), on or today())


def overdue(request: ServiceRequest, on=None) -> bool:
    """Whether a waiting request is past the day its answer was due."""
    return (
        request.status == ServiceRequestStatus.REQUESTED.value
        and request.answer_due_on is not None
        and (on or today()) > request.answer_due_on
    )


@dataclass(frozen=True)
class RequestView:
    request: ServiceRequest
    service_label: str
    status_label: str
    waited: int | None  # working days, for a request still waiting
    overdue: bool

    @property
    def urgent(self) -> bool:
        return self.request.urgency == RequestUrgency.URGENT.value


def views_of(case: Case) -> list[RequestView]:
    """Every request on the case, waiting ones first, then declined, active, ended and
    withdrawn; newest first within each. Unaudited: for a caller that audits what it
    shows (the case page, mettrack/cases/page.py)."""
    labels = service_labels()
    on = today()
    statuses = ServiceRequestStatus.labels()
    rows = sorted(requests_of(case), key=lambda r: STATUS_ORDER.get(r.status, 9))  # stable: newest first kept
    return [
        RequestView(
            request=r,
            service_label=labels.get(r.service_code, r.service_code),
            status_label=statuses.get(r.status, r.status),
            waited=waited(r, on) if r.waiting else None,
            overdue=overdue(r, on),
        )
        for r in rows
    ]


@transaction
def list_for(user, case_id: int) -> tuple[Case, list[ServiceRequest]]:
    """Who: any role with case.view, on a case within their case summary scope (NotFound
    otherwise, audited). The case and every request on it, newest first; audited with the
    ids returned."""
    case = get_summary_for(user, case_id, action="service_request.listed")
    items = requests_of(case)
    audit.record("service_request.listed", "case", case.id, detail={"ids": [r.id for r in items]}, actor=user)
    return case, items


def on_case(user, case_id: int, request_id: int, action: str) -> ServiceRequest:
    """The request, if it is on this case and the user reaches it through the case (the
    coordinator's pages); NotFound (audited as `action`.denied) otherwise. Unaudited when
    found: the caller audits what it does."""
    request = access.request_for(user, request_id, action)
    if request.case_id != case_id or not access.sees_case_side(user, request):
        raise deny_record("service_request", request_id, action)
    return request


@dataclass(frozen=True)
class ServiceChoice:
    """One service the request form offers, with what helps choose it."""

    code: str
    name: str
    provider: str | None
    offers: str | None
    takes: str  # whom it works with: ages and kinds of exploitation
    load: int
    capacity: int | None

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.load >= self.capacity


def _takes(service) -> str:
    ages = ""
    if service.min_age is not None and service.max_age is not None:
        ages = f"ages {service.min_age} to {service.max_age}"
    elif service.min_age is not None:
        ages = f"ages {service.min_age} and over"
    elif service.max_age is not None:
        ages = f"up to age {service.max_age}"
    types = ExploitationType.labels()
    kinds = ", ".join(types.get(t, t) for t in service.exploitation_types or [])
    parts = [p for p in (ages, kinds and f"exploitation: {kinds}") if p]
    return "; ".join(parts) if parts else "any child"


def choices() -> list[ServiceChoice]:
    """The active services with their load now and capacity (one GROUP BY). The
    catalogue holds nothing about any child: not audited."""
    services = list_active()
    load = loads(s.id for s in services)
    return [
        ServiceChoice(
            code=s.code,
            name=s.name,
            provider=s.agency.name if s.agency else None,
            offers=s.offers,
            takes=_takes(s),
            load=load.get(s.id, 0),
            capacity=s.capacity,
        )
        for s in services
    ]


def open_codes(case: Case) -> set[str]:
    """The codes of the services with an open request (waiting or active) on the case."""
    open_statuses = (ServiceRequestStatus.REQUESTED.value, ServiceRequestStatus.ACCEPTED.value)
    return {
        r.service_code
        for r in db.session.scalars(
            select(ServiceRequest).where(
                ServiceRequest.case_id == case.id, ServiceRequest.status.in_(open_statuses)
            )
        )
    }


def state_of(case_id: int) -> str | None:
    """The case's state now (for a page to say whether an answer moved it). The caller
    has already reached the case through its scope."""
    return db.session.scalar(select(Case.state).where(Case.id == case_id))
