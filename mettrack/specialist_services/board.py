"""The coordinator's board (docs/services-board.md): every open case waiting for, or
working with, specialist services, and each service's load against its capacity.

Who: the coordinator and the MET chair (Perm.SERVICE_BOARD). Which cases: those in MET
review, police tiered or service assigned within the user's case summary scope
(cases.case_summary_scope: the chair every case, the coordinator every open case), so a
closed case is never on it.

Each case shows its police tier, risk level and services: requested (waiting how many
working days since the request, overdue past the day an answer was due), active, and
declined with the provider's reason, for the coordinator to act on. Cases with no active
service come first, then the longest wait, then the highest risk.

Filters are codes only (service, state, risk level, waiting more than N working days,
overdue, no active service), so a filtered board's address names no one. The SQL is a
fixed handful of queries whatever the number of cases (the cases, their requests, the
police tier and team labels, the catalogue and its loads); the working-day arithmetic is
done in Python by the one pure rule (working_days.py). Each view is audited as
service_board.viewed with the filters and the case ids shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import exists, select

from mettrack.cases import case_summary_scope
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import audit, permissions
from mettrack.core.choices import (
    RISK_RANK,
    UNRATED_RANK,
    CaseState,
    ReferenceKind,
    RiskLevel,
    ServiceRequestStatus,
)
from mettrack.core.clock import local, today
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm
from mettrack.core.unit_of_work import unit_of_work
from mettrack.reference.models import ReferenceItem
from mettrack.specialist_services import catalogue
from mettrack.specialist_services.models import ServiceRequest, SpecialistService
from mettrack.specialist_services.working_days import working_days_between

ACTION = "service_board.viewed"
BOARD_STATES = (CaseState.MET_REVIEW.value, CaseState.POLICE_TIERED.value, CaseState.SERVICE_ASSIGNED.value)
# The requests a board line shows: waiting, working with the child, or declined (for the
# coordinator to act on). Withdrawn and ended requests are the case page's history.
SHOWN_STATUSES = (
    ServiceRequestStatus.REQUESTED.value,
    ServiceRequestStatus.ACCEPTED.value,
    ServiceRequestStatus.DECLINED.value,
)
MAX_WAITING = 260  # working days: about a year, far beyond any real wait

# The query parameter (page and API) of each filter, and what the audit log calls it.
MULTI_PARAMS = {"service": "services", "state": "states", "risk_level": "risk_levels"}
WAITING_PARAM = "waiting_more_than"
BOOL_PARAMS = {
    "overdue": "An answer is overdue",
    "no_active_service": "No active service",
}
FILTER_PARAMS = (*MULTI_PARAMS, WAITING_PARAM, *BOOL_PARAMS)
_NAMES = {"service": "service", "state": "state", "risk_level": "risk level"}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class BoardFilters:
    """What the board is narrowed to; empty narrows nothing. Codes and numbers only."""

    services: tuple[str, ...] = ()  # service codes: a case with a shown request to any of them
    states: tuple[str, ...] = ()  # among BOARD_STATES
    risk_levels: tuple[str, ...] = ()
    waiting_more_than: int | None = None  # a request waiting more than N working days
    overdue: bool = False  # a request past the day its answer was due
    no_active_service: bool = False

    @property
    def active(self) -> bool:
        return self != BoardFilters()

    def query_args(self) -> dict[str, list[str] | str]:
        """The filters as query parameters for a link."""
        args: dict[str, list[str] | str] = {}
        for param, attr in MULTI_PARAMS.items():
            if getattr(self, attr):
                args[param] = list(getattr(self, attr))
        if self.waiting_more_than is not None:
            args[WAITING_PARAM] = str(self.waiting_more_than)
        for param in BOOL_PARAMS:
            if getattr(self, param):
                args[param] = "true"
        return args

    def audit_query(self) -> dict:
        query: dict = {}
        for param, attr in MULTI_PARAMS.items():
            if getattr(self, attr):
                query[param] = list(getattr(self, attr))
        if self.waiting_more_than is not None:
            query[WAITING_PARAM] = self.waiting_more_than
        for param in BOOL_PARAMS:
            if getattr(self, param):
                query[param] = True
        return query

    def without(self, param: str, value: str | None = None) -> "BoardFilters":
        """These filters less one parameter (or one value of a multi-choice one)."""
        if param in MULTI_PARAMS:
            attr = MULTI_PARAMS[param]
            return replace(
                self, **{attr: tuple(v for v in getattr(self, attr) if value is not None and v != value)}
            )
        if param == WAITING_PARAM:
            return replace(self, waiting_more_than=None)
        if param in BOOL_PARAMS:
            return replace(self, **{param: False})
        return self


# --- parsing -----------------------------------------------------------------------------


def _values(args: Mapping, name: str) -> list:
    """Every value given for `name`: a query string's repeated parameters, a list, or one
    value. Blank strings are dropped."""
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        value = args.get(name)
        raw = [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
    return [v.strip() if isinstance(v, str) else v for v in raw if not (isinstance(v, str) and not v.strip())]


def _choices(param: str, values: list, choices, errors: dict) -> tuple[str, ...]:
    chosen: list[str] = []
    for value in values:
        if not isinstance(value, str) or value not in choices:
            errors[param] = f"Choose each {_NAMES[param]} from: {', '.join(choices)}"
            return ()
        if value not in chosen:
            chosen.append(value)
    return tuple(chosen)


def _boolean(param: str, values: list, errors: dict) -> bool:
    if not values:
        return False
    value = values[-1]
    if isinstance(value, bool):
        return value
    text = str(value).casefold()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    errors[param] = f"{BOOL_PARAMS[param]}: use true or false"
    return False


def _waiting(values: list, errors: dict) -> int | None:
    if not values:
        return None
    value = values[-1]
    text = str(value).strip() if not isinstance(value, bool) else ""
    # ASCII digits only: str.isdigit() also takes full-width and superscript digits.
    if text.isascii() and text.isdigit() and int(text) <= MAX_WAITING:
        return int(text)
    errors[WAITING_PARAM] = f"Give the working days waited as a whole number from 0 to {MAX_WAITING}"
    return None


def service_codes() -> list[str]:
    """Every service's code in the catalogue's order, offered or not (a deactivated
    service's requests stay on the board)."""
    return [s.code for s in catalogue.list_all()]


def parse_filters(args: Mapping) -> tuple[BoardFilters, dict[str, str]]:
    """Who: the page and the API. The filters in `args` (a query string's MultiDict, or a
    dict of values and lists), and {parameter: message} for each bad one, which is left
    out; the good ones are kept."""
    errors: dict[str, str] = {}
    given = {param: _values(args, param) for param in MULTI_PARAMS}
    choices = {
        "service": service_codes() if given["service"] else [],
        "state": list(BOARD_STATES),
        "risk_level": RiskLevel.values(),
    }
    values: dict = {
        attr: _choices(param, given[param], choices[param], errors) if given[param] else ()
        for param, attr in MULTI_PARAMS.items()
    }
    values["waiting_more_than"] = _waiting(_values(args, WAITING_PARAM), errors)
    for param in BOOL_PARAMS:
        values[param] = _boolean(param, _values(args, param), errors)
    return BoardFilters(**values), errors


def filters_from(args: Mapping) -> BoardFilters:
    """parse_filters, raising ValidationError naming every bad parameter (the API)."""
    filters, errors = parse_filters(args)
    if errors:
        raise ValidationError(errors)
    return filters


# --- the board ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRequest:
    """One service on a case's line."""

    id: int
    service_code: str
    service_name: str
    status: str
    urgency: str
    requested_on: date  # in London
    answer_due_on: date | None
    waiting_days: int | None  # working days since the request, while it waits
    overdue: bool  # still waiting after the day its answer was due
    worker: str | None
    starts_on: date | None
    answered_on: date | None
    decline_reason: str | None  # the provider's reason, for the coordinator to act on


@dataclass(frozen=True)
class BoardCase:
    id: int
    child_name: str
    state: str
    risk_level: str | None
    police_tier: str | None
    police_tier_label: str | None
    police_team: str | None
    police_team_label: str | None
    requested: list[BoardRequest] = field(default_factory=list)
    active: list[BoardRequest] = field(default_factory=list)
    declined: list[BoardRequest] = field(default_factory=list)

    @property
    def has_active_service(self) -> bool:
        return bool(self.active)

    @property
    def longest_wait(self) -> int | None:
        """The most working days any of its requests has waited, None with none waiting."""
        return max((r.waiting_days for r in self.requested), default=None)

    @property
    def overdue(self) -> bool:
        return any(r.overdue for r in self.requested)


@dataclass(frozen=True)
class ServiceLoad:
    """How many children a service works with now, against its capacity."""

    id: int
    code: str
    name: str
    offered: bool
    load: int
    capacity: int | None  # None: no set limit

    @property
    def at_capacity(self) -> bool:
        """Full or over: one more request would take it over (the warning mark)."""
        return self.capacity is not None and self.load >= self.capacity


@dataclass(frozen=True)
class Board:
    cases: list[BoardCase]
    loads: list[ServiceLoad]
    filters: BoardFilters
    today: date


def _case_rows(user, filters: BoardFilters):
    states = filters.states or BOARD_STATES
    conditions = [case_summary_scope(user), Case.state.in_(states)]
    if filters.risk_levels:
        conditions.append(Case.risk_level.in_(filters.risk_levels))
    if filters.services:
        conditions.append(
            exists().where(
                ServiceRequest.case_id == Case.id,
                ServiceRequest.status.in_(SHOWN_STATUSES),
                ServiceRequest.service_id == SpecialistService.id,
                SpecialistService.code.in_(filters.services),
            )
        )
    return db.session.execute(
        select(
            Case.id,
            Case.state,
            Case.risk_level,
            Case.police_tier,
            Case.police_team,
            Child.first_name,
            Child.last_name,
        )
        .join(Child, Child.id == Case.child_id)
        .where(*conditions)
        .order_by(Case.id)
    ).all()


def _requests_of(case_ids: list[int]) -> list:
    if not case_ids:
        return []
    return db.session.execute(
        select(ServiceRequest, SpecialistService.code, SpecialistService.name)
        .join(SpecialistService, SpecialistService.id == ServiceRequest.service_id)
        .where(ServiceRequest.case_id.in_(case_ids), ServiceRequest.status.in_(SHOWN_STATUSES))
        .order_by(ServiceRequest.requested_at, ServiceRequest.id)
    ).all()


def _police_labels() -> dict[tuple[str, str], str]:
    kinds = (ReferenceKind.POLICE_TIER.value, ReferenceKind.POLICE_TEAM.value)
    rows = db.session.execute(
        select(ReferenceItem.kind, ReferenceItem.code, ReferenceItem.label).where(
            ReferenceItem.kind.in_(kinds)
        )
    )
    return {(kind, code): label for kind, code, label in rows}


def _line(request: ServiceRequest, code: str, name: str, on: date) -> BoardRequest:
    requested_on = local(request.requested_at).date()
    waiting = request.status == ServiceRequestStatus.REQUESTED.value
    return BoardRequest(
        id=request.id,
        service_code=code,
        service_name=name,
        status=request.status,
        urgency=request.urgency,
        requested_on=requested_on,
        answer_due_on=request.answer_due_on,
        waiting_days=working_days_between(requested_on, on) if waiting else None,
        overdue=waiting and request.answer_due_on is not None and on > request.answer_due_on,
        worker=request.worker,
        starts_on=request.starts_on or request.accepted_on,
        answered_on=local(request.answered_at).date() if request.answered_at else None,
        decline_reason=request.decline_reason,
    )


def _matches(case: BoardCase, filters: BoardFilters) -> bool:
    if filters.no_active_service and case.has_active_service:
        return False
    if filters.overdue and not case.overdue:
        return False
    if filters.waiting_more_than is None:
        return True
    return case.longest_wait is not None and case.longest_wait > filters.waiting_more_than


def _order(case: BoardCase) -> tuple:
    # No active service first; then the longest wait; then the highest risk.
    return (
        case.has_active_service,
        -(case.longest_wait or 0),
        RISK_RANK.get(case.risk_level or "", UNRATED_RANK),
        case.id,
    )


def loads() -> list[ServiceLoad]:
    """Who: the board (already checked). Every offered service, and any other still
    working with a child, with its load and capacity, in the catalogue's order. Two
    queries; counts only, naming no child."""
    counts = catalogue.loads()
    return [
        ServiceLoad(s.id, s.code, s.name, s.active, counts.get(s.id, 0), s.capacity)
        for s in catalogue.list_all()
        if s.active or counts.get(s.id)
    ]


def board_for(user, filters: BoardFilters | None = None) -> Board:
    """Who: the coordinator and the MET chair (Perm.SERVICE_BOARD; anyone else 403,
    audited). The board's cases within the user's case summary scope that match
    `filters`, in the board's order, and every service's load. Writes one audit row
    naming the filters and the case ids shown."""
    permissions.require(user, Perm.SERVICE_BOARD, ACTION)
    filters = filters or BoardFilters()
    on = today()
    labels = _police_labels()
    rows = _case_rows(user, filters)
    lines: dict[int, dict[str, list[BoardRequest]]] = {
        row.id: {"requested": [], "active": [], "declined": []} for row in rows
    }
    for request, code, name in _requests_of(list(lines)):
        line = _line(request, code, name, on)
        key = {
            ServiceRequestStatus.REQUESTED.value: "requested",
            ServiceRequestStatus.ACCEPTED.value: "active",
        }
        lines[request.case_id][key.get(request.status, "declined")].append(line)
    built = [
        BoardCase(
            id=row.id,
            child_name=f"{row.first_name} {row.last_name}",
            state=row.state,
            risk_level=row.risk_level,
            police_tier=row.police_tier,
            police_tier_label=labels.get((ReferenceKind.POLICE_TIER.value, row.police_tier), row.police_tier),
            police_team=row.police_team,
            police_team_label=labels.get((ReferenceKind.POLICE_TEAM.value, row.police_team), row.police_team),
            **lines[row.id],
        )
        for row in rows
    ]
    shown = sorted((c for c in built if _matches(c, filters)), key=_order)
    service_loads = loads()
    with unit_of_work():
        audit.record(
            ACTION,
            "case",
            detail={"query": filters.audit_query(), "ids": [c.id for c in shown]},
            actor=user,
        )
    return Board(shown, service_loads, filters, on)
