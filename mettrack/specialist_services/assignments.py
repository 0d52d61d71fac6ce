"""Specialist services on a case (Barnardo's ICTG, PARCS, DASS, ...) that have accepted it:
the coordinator records an acceptance given outside METtrack (by phone or e-mail), and
when a service's work with the child ended. These are the accepted requests
(ServiceRequest, status accepted or ended): requests still waiting, declined or withdrawn
are specialist_services/requests.py's.

The first accepted service moves the case to `service_assigned`. That is the workflow's
ASSIGN_SERVICE move, so `record` makes it through services.transitions.apply, and the
rules (who, from which states, which fields) stay in the one table
(cases/workflow.py): from `police_tiered`, and from `met_review` too, since the table
allows that move. A case already in `service_assigned` takes further services without a
move; they are recorded here with the same fields and messages. From any other state the
answer is a ValidationError on `state` naming the problem.

Ending a service records the date only: it does not move the case (the MET chair sends
a case back to review when its services no longer meet the need).

Who: reading needs case.view; recording and ending need service.assign (the
coordinator, DESIGN.md). Always on a case within the user's case summary scope
(permissions.case_summary_scope: the coordinator's every open case, whether or not they
are on its team; 404 otherwise); every read and write is audited, naming records by id.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from mettrack.cases import (
    MoveRefused,
    add_service,
    case_summary_scope,
    get_summary_for,
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
    ServiceOutcome,
    ServiceRequestStatus,
)
from mettrack.core.clock import today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_date, parse_text, parse_version
from mettrack.core.permissions import Perm, deny_record
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.specialist_services.catalogue import service_labels
from mettrack.specialist_services.models import ServiceRequest

MAX_NOTE = 2000
FIELDS = ("service", "worker", "accepted_on")
# The first service makes the ASSIGN_SERVICE move; in the state it enters, more are
# recorded with no move. Both from the workflow table.
ASSIGNED = move_for(CaseAction.ASSIGN_SERVICE).to_state
SERVICE_STATES = states_taking(CaseAction.ASSIGN_SERVICE)
END_FIELDS = ("ended_on", "outcome", "note")
ACCEPTED_STATUSES = (ServiceRequestStatus.ACCEPTED.value, ServiceRequestStatus.ENDED.value)


@dataclass(frozen=True)
class AssignmentView:
    assignment: ServiceRequest
    service_label: str

    @property
    def current(self) -> bool:
        return self.assignment.status == ServiceRequestStatus.ACCEPTED.value


# --- reading


def _accepted(case_id: int):
    return select(ServiceRequest).where(
        ServiceRequest.case_id == case_id, ServiceRequest.status.in_(ACCEPTED_STATUSES)
    )


def assignments_of(case: Case) -> list[ServiceRequest]:
    """The case's accepted services: current ones first, then by acceptance, newest first.
    Reads only; callers audit."""
    return list(
        db.session.scalars(
            _accepted(case.id).order_by(
                ServiceRequest.ended_on.is_not(None),
                ServiceRequest.accepted_on.is_(None),
                ServiceRequest.accepted_on.desc(),
                ServiceRequest.id.desc(),
            )
        )
    )


def views_of(case: Case) -> list[AssignmentView]:
    """The case's services with their labels, unaudited: for a caller that audits what it
    shows (the case page, mettrack/cases/page.py)."""
    labels = service_labels()
    return [AssignmentView(a, labels.get(a.service_code, a.service_code)) for a in assignments_of(case)]


@transaction
def list_for(user, case_id: int) -> tuple[Case, list[ServiceRequest]]:
    """Who: any role with case.view, on a case within need-to-know (NotFound otherwise,
    audited). The case and its services; audited with the ids shown."""
    case = get_summary_for(user, case_id, action="service_assignment.listed")
    items = assignments_of(case)
    audit.record(
        "service_assignment.listed", "case", case.id, detail={"ids": [a.id for a in items]}, actor=user
    )
    return case, items


def get_for(user, case_id: int, assignment_id: int, *, action: str = "service_assignment.viewed"):
    """Who: any role with case.view. One service of a case within the user's
    need-to-know, or NotFound (audited) for the case or the service."""
    case = get_summary_for(user, case_id, action=action)
    assignment = db.session.scalar(_accepted(case.id).where(ServiceRequest.id == assignment_id))
    if assignment is None:
        raise deny_record("service_assignment", assignment_id, action)
    return case, assignment


# --- writing


def state_problem(state: str) -> str:
    """Why a service cannot be recorded on a case in this state."""
    return (
        f"The case is {CaseState(state).label}: a specialist service can be recorded once the MET "
        "group has reviewed the case and set its police tier, or beside a service already assigned"
    )


def _locked_case(user, case_id: int, action: str) -> Case:
    # A coordinator records services on every open case (the case summary scope).
    return locked_case(case_id, case_summary_scope(user), action)


@dataclass(frozen=True)
class ServiceRecorded:
    """What recording a service changed: the service, the case as saved, and whether the
    recording was the assign_service move."""

    assignment: ServiceRequest
    case: Case
    moved: bool


@transaction
def record(user, case_id: int, data: Mapping, expected_version) -> ServiceRecorded:
    """Who: service.assign (the coordinator), on a case within need-to-know (NotFound
    otherwise, audited). `data`: service (a specialist service's code from the
    reference list), worker (optional), accepted_on (a date, today or earlier);
    `expected_version` is the case version the user read (Conflict if it changed).

    Before `service_assigned`, makes the ASSIGN_SERVICE move (transitions.apply: its
    CaseEvent and audit row); in `service_assigned`, records the further service
    (audited as service_assignment.recorded). Returns the service, the case and whether
    the case moved. Raises ValidationError naming each bad field, or `state` when the case's
    state allows neither; nothing is saved then."""
    action = "service_assignment.recorded"
    cases_require(user, Perm.SERVICE_ASSIGN, action)
    version = parse_version(expected_version)
    case = _locked_case(user, case_id, action)
    if case.state != ASSIGNED:
        state = case.state
        # The move is the workflow's use case: it joins this unit of work, checks
        # everything again under the same lock, and writes its own event and audit row.
        try:
            case = transitions_apply(user, case_id, CaseAction.ASSIGN_SERVICE, data, version)
        except MoveRefused as refused:
            if "action" in refused.errors:  # not a move from this state
                raise MoveRefused({"state": state_problem(state)}) from None
            raise
        assignment = db.session.scalar(
            _accepted(case_id).order_by(ServiceRequest.answered_at.desc(), ServiceRequest.id.desc()).limit(1)
        )
        return ServiceRecorded(assignment, case, True)

    if case.version != version:
        raise Conflict(f"case {case_id} is at version {case.version}, not {version}")
    errors: dict[str, str] = {}
    values = parse_service(data, errors)
    if errors:
        raise ValidationError({f: errors[f] for f in FIELDS if f in errors})
    assignment = add_service(case, user, values)
    db.session.flush()
    audit.record(
        action,
        "case",
        case.id,
        detail={"service_assignment": assignment.id, "service": assignment.service.code},
        actor=user,
    )
    return ServiceRecorded(assignment, case, False)


@transaction
def end(
    user,
    case_id: int,
    assignment_id: int,
    data: Mapping,
    *,
    save_anyway: bool = False,
    outcome_required: bool = False,
) -> ServiceRequest:
    """Who: service.assign (the coordinator), on a case within need-to-know. Records the
    date a service's work with the child ended (`ended_on`: today or earlier, not before
    it accepted the case), how it ended (`outcome`, a ServiceOutcome: required with
    `outcome_required`, as the page asks; optional for an API client written before
    outcomes were kept) and an optional `note`. Does not move the case; its
    timeline says the work ended. Raises NotFound (audited) for a case or service the
    user may not see, ValidationError naming the field, WordingFlagged when the language
    check flags the note and `save_anyway` is false (nothing saved either way). Saved
    anyway, the audit row names the list entries flagged."""
    action = "service_assignment.ended"
    cases_require(user, Perm.SERVICE_ASSIGN, action)
    case = _locked_case(user, case_id, action)
    assignment = db.session.scalar(
        _accepted(case.id).where(ServiceRequest.id == assignment_id).with_for_update()
    )
    if assignment is None:
        raise deny_record("service_assignment", assignment_id, action)
    errors: dict[str, str] = {}
    outcome = data.get("outcome") or None
    if outcome is not None and outcome not in ServiceOutcome.values():
        errors["outcome"] = "Choose how the service's work ended from the list"
    elif outcome is None and outcome_required:
        errors["outcome"] = "Choose how the service's work ended"
    ended_on = parse_date(
        data, "ended_on", "Date the service's work ended", errors, required=True, today=today()
    )
    note = parse_text(data, "note", "The note", errors, max_length=MAX_NOTE)
    if assignment.ended_on is not None:
        errors["ended_on"] = (
            f"This service's work was already recorded as ended on {assignment.ended_on:%-d %B %Y}"
        )
    elif ended_on is not None and assignment.accepted_on and ended_on < assignment.accepted_on:
        errors["ended_on"] = (
            "The date the service's work ended must not be before it accepted the case "
            f"({assignment.accepted_on:%-d %B %Y})"
        )
    if errors:
        raise ValidationError({f: errors[f] for f in END_FIELDS if f in errors})
    flagged = check_before_saving({"note": note}, save_anyway=save_anyway, labels={"note": "Note"})
    assignment.ended_on = ended_on
    assignment.status = ServiceRequestStatus.ENDED.value
    assignment.outcome = outcome
    assignment.version += 1
    if note:
        assignment.note = note
    how = f": {ServiceOutcome(outcome).label.lower()}" if outcome else ""
    case.note_event(
        user, CaseEventKind.SERVICE_ENDED, f"{assignment.service.name}'s work with the child ended{how}"
    )
    audit.record(
        action,
        "case",
        case.id,
        detail={"service_assignment": assignment.id, **audit_detail(flagged)},
        actor=user,
    )
    return assignment
