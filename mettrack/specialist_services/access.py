"""Who reaches a service request: the one place that decides it (pages, API, board, inbox
and reminders all ask here).

- The case's side: anyone whose case summary scope reaches the case (the MET chair, the
  coordinator on every open case, the case team) sees the case's requests with their
  answers (cases/scopes.py decides which cases).
- The provider's side: a user of the agency that provides the requested service, who holds
  a case role, sees the requests sent to their agency's services, and answers them. They
  see what the service needs to decide (provider_view), not the child's whole record,
  until they accept and join the team.

Anything else is a 404 (audited), as for a case outside need-to-know.
"""

from sqlalchemy import false, or_, select

from mettrack.cases import case_summary_scope
from mettrack.cases.models import Case
from mettrack.core.errors import NotAllowed
from mettrack.core.extensions import db
from mettrack.core.permissions import CASE_WORKERS, deny_record
from mettrack.specialist_services.models import ServiceRequest, SpecialistService


def provided_service_ids(user):
    """A SELECT of the ids of the services the user answers for: those of their agency,
    when they hold a case role. Empty otherwise."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or not (user.roles & CASE_WORKERS):
        return select(SpecialistService.id).where(false())
    return select(SpecialistService.id).where(SpecialistService.agency_id == agency_id)


def is_provider(user) -> bool:
    """Whether the user answers for at least one service (their agency provides it)."""
    return db.session.scalar(select(provided_service_ids(user).exists())) or False


def require_provider(user, action: str) -> None:
    """NotAllowed (403) for a user whose agency provides no service: the provider's inbox
    and answers are theirs alone."""
    if not is_provider(user):
        raise NotAllowed(action, ("Your agency does not provide a specialist service in the catalogue",))


def answers_for(user, request: ServiceRequest) -> bool:
    """Whether the user answers this request (a user of its service's provider)."""
    service = request.service
    return (
        service is not None
        and service.agency_id is not None
        and service.agency_id == getattr(user, "agency_id", None)
        and bool(user.roles & CASE_WORKERS)
    )


def case_side_scope(user):
    """SQL condition on ServiceRequest: requests on cases the user's case summary scope reaches."""
    return ServiceRequest.case_id.in_(select(Case.id).where(case_summary_scope(user)))


def provider_scope(user):
    """SQL condition on ServiceRequest: requests sent to the services the user answers for."""
    return ServiceRequest.service_id.in_(provided_service_ids(user))


def request_scope(user):
    """SQL condition on ServiceRequest: every request the user may reach."""
    return or_(case_side_scope(user), provider_scope(user))


def sees_case_side(user, request: ServiceRequest) -> bool:
    """Whether the user reaches the request through its case (not only as its provider)."""
    return bool(
        db.session.scalar(select(Case.id).where(Case.id == request.case_id, case_summary_scope(user)))
    )


def request_for(user, request_id: int, action: str, *, lock: bool = False) -> ServiceRequest:
    """The request, if the user may reach it; NotFound (audited as `action`.denied)
    otherwise. `lock`: FOR UPDATE of the request's row, read afresh."""
    query = select(ServiceRequest).where(ServiceRequest.id == request_id, request_scope(user))
    if lock:
        query = query.with_for_update(of=ServiceRequest).execution_options(populate_existing=True)
    request = db.session.scalar(query)
    if request is None:
        raise deny_record("service_request", request_id, action)
    return request
