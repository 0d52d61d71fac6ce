"""Requests for a specialist service, and their life (docs/services.md):

    requested ──► accepted ──► ended (with an outcome)
        │
        ├──► declined (with the reason, which the coordinator sees and can act on)
        └──► withdrawn (by the coordinator, with the reason)

- The coordinator requests a service for a case, with the reason and urgency (a MET
  meeting's decision requests through `request_for_meeting`). A request that would take
  the service over its capacity is sent with a warning: the provider decides.
- A user of the provider's agency with a case role accepts (naming the worker and the
  start date: they join the case team) or declines (the reason is required). The
  coordinator may record an answer the provider gave by phone or e-mail, and the request
  says so (`recorded_for_provider`).
- The first accepted service moves the case to service_assigned: that is the workflow
  table's assign_service move (cases/transitions.apply), made in the same unit of work.
- An answer is due within SERVICE_ANSWER_WORKING_DAYS working days (working_days.py);
  `answer_due_on` is set when the request is made.

Every read and change is audited, naming records by id; every change is one unit of work
and a line on the case's timeline.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from mettrack.cases import (
    add_service,
    case_summary_scope,
    join_team,
    locked_case,
    move_for,
    parse_service,
    states_taking,
)
from mettrack.cases import apply as transitions_apply
from mettrack.cases import require as cases_require
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import (
    CaseAction,
    CaseEventKind,
    CaseState,
    RequestUrgency,
    ServiceRequestStatus,
)
from mettrack.core.clock import now, today
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text, parse_version
from mettrack.core.permissions import Perm, can
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.specialist_services import access
from mettrack.specialist_services.catalogue import active_service, loads, over_capacity_warning
from mettrack.specialist_services.models import ServiceRequest
from mettrack.specialist_services.working_days import add_working_days

MAX_TEXT = 2000
REQUEST_FIELDS = ("service", "urgency", "reason", "needs")
ACCEPT_FIELDS = ("worker", "starts_on", "accepted_on")
DECLINE_FIELDS = ("decline_reason",)
WITHDRAW_FIELDS = ("withdrawn_reason",)
TEXT_LABELS = {
    "reason": "Why the service is asked for",
    "needs": "What the service needs to know",
    "decline_reason": "Why the service declines",
    "withdrawn_reason": "Why the request is withdrawn",
}
ASSIGNED = move_for(CaseAction.ASSIGN_SERVICE).to_state
# Where a service may be requested: the states the workflow's assign_service move leaves
# from, and the state it enters (more services beside one already working).
REQUEST_STATES = states_taking(CaseAction.ASSIGN_SERVICE)


def answer_days() -> int:
    return current_app.config["SERVICE_ANSWER_WORKING_DAYS"]


def state_problem(state: str) -> str:
    return (
        f"The case is {CaseState(state).label}: a specialist service can be requested once the MET "
        "group has reviewed the case"
    )


def _open_request_for(case_id: int, service_id: int) -> ServiceRequest | None:
    return db.session.scalar(
        select(ServiceRequest).where(
            ServiceRequest.case_id == case_id,
            ServiceRequest.service_id == service_id,
            ServiceRequest.status.in_(
                (ServiceRequestStatus.REQUESTED.value, ServiceRequestStatus.ACCEPTED.value)
            ),
        )
    )


# --- reading


def requests_of(case: Case) -> list[ServiceRequest]:
    """Every request on the case, newest first. Reads only; callers audit."""
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(ServiceRequest.case_id == case.id)
            .order_by(ServiceRequest.requested_at.desc(), ServiceRequest.id.desc())
        )
    )


@transaction
def get(user, request_id: int) -> ServiceRequest:
    """Who: anyone the access rules let reach the request (access.request_for), 404
    otherwise (audited). Audited as service_request.viewed."""
    request = access.request_for(user, request_id, "service_request.viewed")
    audit.record(
        "service_request.viewed", "case", request.case_id, detail={"service_request": request.id}, actor=user
    )
    return request


# --- requesting


@dataclass(frozen=True)
class RequestSent:
    request: ServiceRequest
    warning: str | None  # the service would go over its capacity


def _parse_request(data: Mapping, errors: dict) -> dict:
    service = active_service(data.get("service"))
    if service is None:
        errors["service"] = "Choose the specialist service from the list"
    urgency = data.get("urgency") or RequestUrgency.ROUTINE.value
    if urgency not in RequestUrgency.values():
        errors["urgency"] = "Choose how urgent the request is: routine or urgent"
    return {
        "service": service,
        "urgency": urgency,
        "reason": parse_text(
            data, "reason", TEXT_LABELS["reason"], errors, max_length=MAX_TEXT, required=True
        ),
        "needs": parse_text(data, "needs", TEXT_LABELS["needs"], errors, max_length=MAX_TEXT),
    }


def _create(user, case: Case, values: dict, *, meeting_id: int | None = None, flagged=None) -> RequestSent:
    service = values["service"]
    warning = over_capacity_warning(service, loads([service.id]).get(service.id, 0))
    sent_on = today()
    request = ServiceRequest(
        case_id=case.id,
        service_id=service.id,
        service=service,
        status=ServiceRequestStatus.REQUESTED.value,
        urgency=values["urgency"],
        reason=values["reason"],
        needs=values["needs"],
        requested_by_id=user.id,
        requested_at=now(),
        meeting_id=meeting_id,
        answer_due_on=add_working_days(sent_on, answer_days()),
        recorded_for_provider=False,
        version=1,
    )
    db.session.add(request)
    case.note_event(user, CaseEventKind.SERVICE_REQUESTED, f"{service.name} was asked to work with the child")
    db.session.flush()
    audit.record(
        "service_request.created",
        "case",
        case.id,
        detail={
            "service_request": request.id,
            "service": service.code,
            "over_capacity": warning is not None,
            **({"meeting": meeting_id} if meeting_id else {}),
            **audit_detail(flagged or {}),
        },
        actor=user,
    )
    return RequestSent(request, warning)


@transaction
def request(user, case_id: int, data: Mapping, *, save_anyway: bool = False) -> RequestSent:
    """Who: service.assign (the coordinator), on a case within their case summary scope
    (NotFound otherwise, audited). `data`: service (a catalogue code), urgency (routine or
    urgent), reason (required), needs (optional). Refused, naming the field, when the case
    is not in MET review or later (`state`), or the service already has an open request
    on the case (`service`). Returns the request and, when the service would go over its
    capacity, the warning to show."""
    action = "service_request.created"
    cases_require(user, Perm.SERVICE_ASSIGN, action)
    case = locked_case(case_id, case_summary_scope(user), action)
    errors: dict[str, str] = {}
    values = _parse_request(data, errors)
    if case.state not in REQUEST_STATES:
        errors["state"] = state_problem(case.state)
    if values["service"] is not None and "state" not in errors:
        existing = _open_request_for(case.id, values["service"].id)
        if existing is not None:
            errors["service"] = (
                f"{values['service'].name} already has an open request on this case "
                f"({ServiceRequestStatus(existing.status).label.lower()})"
            )
    if errors:
        raise ValidationError({f: errors[f] for f in (*REQUEST_FIELDS, "state") if f in errors})
    flagged = check_before_saving(
        {"reason": values["reason"], "needs": values["needs"]},
        save_anyway=save_anyway,
        labels={k: TEXT_LABELS[k] for k in ("reason", "needs")},
    )
    return _create(user, case, values, flagged=flagged)


def request_for_meeting(user, case: Case, codes, meeting_id: int, reason: str) -> list[RequestSent]:
    """A MET meeting's decision to request services (meetings/minutes.py applies it inside
    its own unit of work, on a case it has locked, for the chair who holds the meeting).
    A service that already has an open request on the case is left as it is."""
    sent = []
    for code in codes:
        service = active_service(code)
        if service is None or _open_request_for(case.id, service.id) is not None:
            continue
        values = {
            "service": service,
            "urgency": RequestUrgency.ROUTINE.value,
            "reason": reason,
            "needs": None,
        }
        sent.append(_create(user, case, values, meeting_id=meeting_id))
    return sent


# --- answering


def _locked(user, request_id: int, action: str, expected_version) -> tuple[ServiceRequest, int]:
    version = parse_version(expected_version)
    request = access.request_for(user, request_id, action, lock=True)
    if request.version != version:
        raise Conflict(f"service request {request_id} is at version {request.version}, not {version}")
    return request, version


def _answerer(user, request: ServiceRequest, action: str) -> bool:
    """True when the user answers as the provider; False for the coordinator recording the
    provider's answer given outside METtrack. NotAllowed (audited) for anyone else."""
    if access.answers_for(user, request):
        return True
    if can(user, Perm.SERVICE_ASSIGN) and access.sees_case_side(user, request):
        return False
    audit.record_now(
        f"{action}.denied", "service_request", request.id, detail={"reason": "not the provider"}, actor=user
    )
    raise NotAllowed(
        action, ("Only the service's own agency, or the coordinator for them, answers a request",)
    )


def _waiting(request: ServiceRequest) -> None:
    if request.status != ServiceRequestStatus.REQUESTED.value:
        raise ValidationError(
            {
                "status": "This request has already been answered: it is "
                + ServiceRequestStatus(request.status).label.lower()
            }
        )


@transaction
def accept(user, request_id: int, data: Mapping, expected_version) -> ServiceRequest:
    """Who: a user of the provider's agency with a case role, or the coordinator recording
    an acceptance given by phone or e-mail (the request says so). `data`: worker (default:
    the provider's user), starts_on (the day the work starts; may be ahead), accepted_on
    (default today; not in the future). The provider's user joins the case team. The
    first accepted service on a case makes the assign_service move. A second answer is
    refused (`status`); a changed request is a Conflict."""
    action = "service_request.accepted"
    request, _version = _locked(user, request_id, action, expected_version)
    as_provider = _answerer(user, request, action)
    _waiting(request)
    given = dict(data)
    if as_provider and not (given.get("worker") or "").strip():
        given["worker"] = user.name
    if not given.get("accepted_on"):
        given["accepted_on"] = today().isoformat()
    case = db.session.get(Case, request.case_id)
    if case.state == ASSIGNED:
        case = locked_case(case.id, Case.id == case.id, action)
        errors: dict[str, str] = {}
        values = parse_service({**given, "request": request}, errors)
        if errors:
            raise ValidationError({f: errors[f] for f in ACCEPT_FIELDS if f in errors})
        add_service(case, user, values)
        moved = False
    elif case.state in REQUEST_STATES:
        case = transitions_apply(
            user, case.id, CaseAction.ASSIGN_SERVICE, given, case.version, accepting=request
        )
        moved = True  # the move's own timeline line says the service accepted
    else:
        raise ValidationError({"state": state_problem(case.state)})
    request.recorded_for_provider = not as_provider
    if as_provider:
        request.worker_user_id = user.id
        join_team(case, user, actor=user)
    if not moved:
        case.note_event(
            user,
            CaseEventKind.SERVICE_ACCEPTED,
            f"{request.service.name} accepted"
            + (" (recorded by the coordinator)" if not as_provider else "")
            + (f"; the work starts on {request.starts_on:%-d %B %Y}" if request.starts_on else ""),
        )
    audit.record(
        action,
        "case",
        case.id,
        detail={"service_request": request.id, "as_provider": as_provider},
        actor=user,
    )
    db.session.flush()
    return request


@transaction
def decline(
    user, request_id: int, data: Mapping, expected_version, *, save_anyway: bool = False
) -> ServiceRequest:
    """Who: as for accept. `decline_reason` is required: the coordinator reads it and
    decides what to ask next."""
    action = "service_request.declined"
    request, _version = _locked(user, request_id, action, expected_version)
    as_provider = _answerer(user, request, action)
    _waiting(request)
    errors: dict[str, str] = {}
    reason = parse_text(
        data, "decline_reason", TEXT_LABELS["decline_reason"], errors, max_length=MAX_TEXT, required=True
    )
    if errors:
        raise ValidationError(errors)
    flagged = check_before_saving(
        {"decline_reason": reason},
        save_anyway=save_anyway,
        labels={"decline_reason": TEXT_LABELS["decline_reason"]},
    )
    request.status = ServiceRequestStatus.DECLINED.value
    request.decline_reason = reason
    request.answered_by_id, request.answered_at = user.id, now()
    request.recorded_for_provider = not as_provider
    request.version += 1
    case = db.session.get(Case, request.case_id)
    case.note_event(user, CaseEventKind.SERVICE_DECLINED, f"{request.service.name} declined: {reason}")
    audit.record(
        action,
        "case",
        case.id,
        detail={"service_request": request.id, "as_provider": as_provider, **audit_detail(flagged)},
        actor=user,
    )
    db.session.flush()
    return request


@transaction
def withdraw(
    user, request_id: int, data: Mapping, expected_version, *, save_anyway: bool = False
) -> ServiceRequest:
    """Who: service.assign (the coordinator), on a request they reach through its case.
    Only a request nobody has answered; `withdrawn_reason` is required."""
    action = "service_request.withdrawn"
    cases_require(user, Perm.SERVICE_ASSIGN, action)
    request, _version = _locked(user, request_id, action, expected_version)
    if not access.sees_case_side(user, request):
        raise NotAllowed(action, ("Only the coordinator withdraws a request",))
    _waiting(request)
    errors: dict[str, str] = {}
    reason = parse_text(
        data, "withdrawn_reason", TEXT_LABELS["withdrawn_reason"], errors, max_length=MAX_TEXT, required=True
    )
    if errors:
        raise ValidationError(errors)
    flagged = check_before_saving(
        {"withdrawn_reason": reason},
        save_anyway=save_anyway,
        labels={"withdrawn_reason": TEXT_LABELS["withdrawn_reason"]},
    )
    request.status = ServiceRequestStatus.WITHDRAWN.value
    request.withdrawn_reason = reason
    request.version += 1
    case = db.session.get(Case, request.case_id)
    case.note_event(
        user, CaseEventKind.SERVICE_WITHDRAWN, f"The request to {request.service.name} was withdrawn"
    )
    audit.record(
        action, "case", case.id, detail={"service_request": request.id, **audit_detail(flagged)}, actor=user
    )
    db.session.flush()
    return request
