"""Moving a case between states: the one way every move is made, from pages, the API
and (later) the MET meeting's decisions.

`apply` gathers the CaseFacts from the records, asks the workflow table
(cases/workflow.py) through `decide`, and only on ALLOWED writes the move's own
fields, the state, a CaseEvent (who, when, from, to, why) and an audit row, in one
transaction. A refused move changes nothing. The order of the checks follows
core/permissions.py: the role first (403, before anything about the case is revealed),
then the user's need-to-know (404), then the version the user saw (409), then the
move's fields and guard (a ValidationError naming what is missing).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import exists, select
from sqlalchemy.orm.exc import StaleDataError

from mettrack.cases import workflow
from mettrack.cases.lock import locked_case
from mettrack.cases.models import Case, CaseEvent, CaseTag
from mettrack.cases.scopes import move_scope
from mettrack.core import audit
from mettrack.core.choices import (
    AuditOutcome,
    CaseAction,
    CaseEventKind,
    CaseState,
    CaseTagKind,
    ReferenceKind,
    ScreeningOutcome,
    ServiceRequestStatus,
    TierSource,
)
from mettrack.core.clock import now, today
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_date, parse_text, parse_version
from mettrack.core.limits import max_length
from mettrack.core.permissions import Perm, can, deny_record
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.reference import NO_FURTHER_ACTION, OTHER, active_item
from mettrack.risk.models import RiskAssessment
from mettrack.screening.models import Screening
from mettrack.specialist_services import active_service
from mettrack.specialist_services.models import PoliceTierRecord, ServiceRequest

MAX_REASON = 2000
MAX_MASH_REFERENCE = max_length(Case.mash_reference)
MAX_WORKER = max_length(ServiceRequest.worker)
MAX_OFFICER = max_length(PoliceTierRecord.officer)

# The fields each move's form asks for, in the order the form shows them.
ACTION_FIELDS: dict[CaseAction, tuple[str, ...]] = {
    CaseAction.REFER: ("mash_reference", "referral_outcome", "override_reason"),
    CaseAction.CLOSE_NO_FURTHER_ACTION: ("note",),
    CaseAction.SEND_TO_MET_REVIEW: ("reason",),
    CaseAction.SET_POLICE_TIER: ("police_tier", "police_team", "officer"),
    CaseAction.ASSIGN_SERVICE: ("service", "worker", "accepted_on"),
    CaseAction.SEND_BACK_TO_REVIEW: ("reason",),
    CaseAction.CLOSE: ("exit_reason", "note"),
    CaseAction.REOPEN: ("reason",),
}
# The free text each move's form takes, as the form names it: checked for wording that
# blames the child before the move is saved (language/check.py).
TEXT_FIELDS: dict[CaseAction, dict[str, str]] = {
    CaseAction.REFER: {
        "referral_outcome": "Outcome of the referral",
        "override_reason": "Professional judgement",
    },
    CaseAction.CLOSE_NO_FURTHER_ACTION: {"note": "Note"},
    CaseAction.SEND_TO_MET_REVIEW: {"reason": "Reason"},
    CaseAction.SEND_BACK_TO_REVIEW: {"reason": "Reason"},
    CaseAction.CLOSE: {"note": "Note"},
    CaseAction.REOPEN: {"reason": "The new concerns"},
}
# Moves whose guard only checks what their own fields supply: when a field is wrong, the
# field's message says it and the guard's would repeat it.
_GUARDED_BY_FIELDS = {CaseAction.SET_POLICE_TIER, CaseAction.ASSIGN_SERVICE}


class MoveNotAllowed(NotAllowed):
    """The user's roles do not allow this move (403), with the workflow table's reasons.
    Audited."""


class MoveRefused(ValidationError):
    """The move is not possible from the case's state, or its guard or fields refuse it.
    `errors` names each bad field, a refusal of the guard about one field of the case under
    that field's name (`exploitation_types`: workflow.REFUSAL_FIELDS), and each other
    refusal under `refusal`, `refusal_2` ...; `reasons` lists every message in order.
    Nothing was changed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.reasons = tuple(errors.values())
        self.detail = " ".join(self.reasons)


@dataclass
class _Input:
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


def check_role(user, case_id: int, action: str) -> None:
    """Raise MoveNotAllowed (audited) when the user's roles may not take `action` at all,
    or MoveRefused for a name that is not an action. Reveals nothing about the case."""
    if not can(user, Perm.CASE_TRANSITION):
        _deny(user, case_id, str(action), ("Your role does not allow moving cases",))
    # The table's first two checks (is it an action; may these roles take it) need no
    # case, so a refused role learns nothing about the case, not even that it exists.
    first = workflow.decide(workflow.NO_CASE, action, user.roles, workflow.CaseFacts())
    if workflow.move_for(action) is None:
        raise MoveRefused({"action": " ".join(first.reasons)})
    if first.outcome is workflow.Outcome.ROLE_NOT_ALLOWED:
        _deny(user, case_id, str(action), first.reasons)


def current_version(user, case_id: int, action: str) -> int:
    """Who: a caller acting on the case as it is now, not on a page it read earlier (the
    command line without --version), after check_role. The case's version, if the case
    is one `apply` would move for the user; NotFound (audited as case.transition.denied)
    otherwise. Reads nothing about the child: no audit row of its own (the move that
    follows writes one)."""
    scope = move_scope(user, workflow.move_for(action).action)
    version = db.session.scalar(select(Case.version).where(Case.id == case_id, scope))
    if version is None:
        raise deny_record("case", case_id, "case.transition")
    return version


@transaction
def apply(
    user,
    case_id: int,
    action: str,
    form_data: Mapping,
    expected_version,
    *,
    save_anyway: bool = False,
    occasion: str | None = None,
    accepting: ServiceRequest | None = None,
) -> Case:
    """Who: the roles the workflow table names for `action` (MoveNotAllowed otherwise,
    audited), on a case within their need-to-know (NotFound otherwise, audited).
    `form_data` holds the move's fields (ACTION_FIELDS; strings from a form or typed
    JSON values); `expected_version` is the case version the user's page or script read.

    Changes: the case's state and the move's fields (referral, police tier and team,
    closure), an accepted ServiceRequest for assign_service, a CaseEvent and an audit row.
    Raises Conflict when the case changed since `expected_version` (nothing saved),
    MoveRefused/ValidationError when the move or a field is refused (nothing saved),
    WordingFlagged when the language check flags the move's free text (TEXT_FIELDS) and
    `save_anyway` is false (nothing saved); saved anyway, the audit row names the list
    entries flagged. `occasion` (a MET meeting applying its decisions: "MET meeting on
    10 March 2026") names why the move was made: the event's reason starts with it.

    `accepting`: the request a provider's user accepts (specialist_services/requests.py,
    which has checked that the user answers for its service). Its acceptance is the
    assign_service move the coordinator asked for: the table's states and guard decide it
    as for the coordinator (workflow.REQUESTED_BY), on the request's case."""
    if accepting is None:
        check_role(user, case_id, action)
    elif action != CaseAction.ASSIGN_SERVICE or accepting.case_id != case_id:
        raise ValueError("only a request's own case takes its acceptance, as assign_service")
    move = workflow.move_for(action)
    if move.action not in ACTION_FIELDS:  # open_by_screening: a screening opens a case
        raise MoveRefused({"action": "A case is opened by recording a screening"})

    version = parse_version(expected_version)

    # A move that records a service reaches a coordinator's every open case (the case
    # summary scope); every other move, the cases whose whole record the user may see.
    scope = move_scope(user, move.action) if accepting is None else Case.id == accepting.case_id
    case = locked_case(case_id, scope, "case.transition")
    if case.version != version:
        raise Conflict(f"case {case_id} is at version {case.version}, not {version}")

    given = _parse(move.action, {**form_data, "request": accepting} if accepting else form_data)
    facts = facts_for(case, user, move.action, given.values)
    roles = user.roles if accepting is None else workflow.REQUESTED_BY
    decision = workflow.decide(case.state, move.action, roles, facts)
    if decision.outcome is workflow.Outcome.NO_SUCH_MOVE:
        raise MoveRefused({"action": " ".join(decision.reasons)})
    errors = dict(given.errors)
    if decision.outcome is workflow.Outcome.GUARD_REFUSED:
        errors |= _refusals(move, decision.reasons, errors)
    if move.action is CaseAction.REOPEN and not errors and _other_open_case(case):
        errors["refusal"] = (
            "The child already has another open case: work on that case instead of reopening this one"
        )
    if errors:
        raise MoveRefused(errors)
    labels = TEXT_FIELDS.get(move.action, {})
    flagged = check_before_saving(
        {name: given.values.get(name) for name in labels}, save_anyway=save_anyway, labels=labels
    )

    from_state = case.state
    reason = _EFFECTS[move.action](case, user, given.values)
    if occasion:
        reason = f"{occasion}: {reason}" if reason else occasion
    case.state = decision.to_state.value
    case.events.append(
        CaseEvent(
            occurred_at=now(),
            actor_id=user.id,
            action=CaseEventKind(move.action).value,
            from_state=from_state,
            to_state=case.state,
            reason=reason,
        )
    )
    audit.record(
        "case.transition",
        "case",
        case.id,
        detail={"action": move.action.value, "from": from_state, "to": case.state, **audit_detail(flagged)},
        actor=user,
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(f"case {case_id} changed while it was being moved") from None
    return case


def _deny(user, case_id, action: str, reasons) -> None:
    audit.record_now(
        "case.transition.denied",
        "case",
        case_id,
        detail={"action": action, "reason": "role"},
        outcome=AuditOutcome.DENIED,
        actor=user,
    )
    raise MoveNotAllowed(action, tuple(reasons))


def _refusals(move: workflow.Move, reasons, field_errors: dict) -> dict[str, str]:
    refusals: dict[str, str] = {}
    for message in reasons:
        if message == move.reason_missing:
            refusals.setdefault(_reason_field(move.action), message)
        elif move.action in _GUARDED_BY_FIELDS and field_errors:
            continue
        elif message in workflow.REFUSAL_FIELDS:
            refusals.setdefault(workflow.REFUSAL_FIELDS[message], message)
        else:
            key = "refusal" if "refusal" not in refusals else f"refusal_{len(refusals) + 1}"
            refusals[key] = message
    return {k: v for k, v in refusals.items() if k not in field_errors}


def _reason_field(action: CaseAction) -> str:
    return "exit_reason" if action is CaseAction.CLOSE else "reason"


def _parse(action: CaseAction, data: Mapping) -> _Input:
    given = _Input()
    values, errors = given.values, given.errors
    if action is CaseAction.REFER:
        values["mash_reference"] = parse_text(
            data, "mash_reference", "The MASH reference", errors, max_length=MAX_MASH_REFERENCE, required=True
        )
        values["referral_outcome"] = parse_text(
            data, "referral_outcome", "The outcome of the referral", errors, max_length=MAX_REASON
        )
        values["override_reason"] = parse_text(
            data, "override_reason", "The reason for referring", errors, max_length=MAX_REASON
        )
    elif action is CaseAction.SET_POLICE_TIER:
        tier = active_item(ReferenceKind.POLICE_TIER, _code(data, "police_tier"))
        team = active_item(ReferenceKind.POLICE_TEAM, _code(data, "police_team"))
        if tier is None:
            errors["police_tier"] = "Choose the police tier from the list"
        if team is None:
            errors["police_team"] = "Choose the holding team from the list"
        elif tier is not None and team.parent_code != tier.code:
            errors["police_team"] = f"Choose a holding team of the {tier.label} tier"
        values["police_tier"], values["police_team"] = tier, team
        # Optional: the officer in charge (name and collar number, or a contact), kept in
        # the tier's history (specialist_services/tiers.py).
        values["officer"] = parse_text(
            data, "officer", "The officer in charge", errors, max_length=MAX_OFFICER
        )
    elif action is CaseAction.ASSIGN_SERVICE:
        values.update(parse_service(data, errors))
    elif action is CaseAction.CLOSE:
        exit_reason = active_item(ReferenceKind.EXIT_REASON, _code(data, "exit_reason"))
        if _code(data, "exit_reason") and exit_reason is None:
            errors["exit_reason"] = "Choose the exit reason from the list"
        values["exit_reason"] = exit_reason
        values["note"] = parse_text(data, "note", "The closing note", errors, max_length=MAX_REASON)
        if exit_reason is not None and exit_reason.code == OTHER and not values["note"]:
            errors["note"] = "Say why the case is closing: the exit reason is Other"
    elif action is CaseAction.CLOSE_NO_FURTHER_ACTION:
        values["note"] = parse_text(data, "note", "The closing note", errors, max_length=MAX_REASON)
    else:  # send_to_met_review, send_back_to_review, reopen
        values["reason"] = parse_text(data, "reason", "The reason", errors, max_length=MAX_REASON)
    return given


def parse_service(data: Mapping, errors: dict) -> dict:
    """A specialist service's fields (service, worker, accepted_on), each bad one named in
    `errors`: for the move that records the first service and for every later one
    (specialist_services/). `data` may carry the ServiceRequest being accepted under
    "request" (a provider's answer): its service is the one accepted."""
    request = data.get("request")
    if isinstance(request, ServiceRequest):
        service = request.service
    else:
        request = None
        service = active_service(_code(data, "service"))
        if service is None:
            errors["service"] = "Choose the specialist service from the list"
    return {
        "service": service,
        "request": request,
        "worker": parse_text(data, "worker", "The worker's name", errors, max_length=MAX_WORKER),
        "accepted_on": parse_date(
            data, "accepted_on", "Date the service accepted the case", errors, required=True, today=today()
        ),
        # The day the worker starts with the child: may be ahead (the acceptance's date if blank).
        "starts_on": parse_date(data, "starts_on", "Date the work starts", errors),
    }


def add_service(case: Case, user, values: dict) -> ServiceRequest:
    """The accepted ServiceRequest of parsed `values` (parse_service): the request being
    accepted, or (an acceptance the coordinator records, given by phone or e-mail with no
    request sent through METtrack) a new one, added to the session."""
    request = values.get("request")
    if request is None:
        request = ServiceRequest(
            case_id=case.id,
            service_id=values["service"].id,
            service=values["service"],
            requested_by_id=user.id,
            requested_at=now(),
            recorded_for_provider=True,
        )
        db.session.add(request)
    request.status = ServiceRequestStatus.ACCEPTED.value
    request.worker = values["worker"]
    request.accepted_on = values["accepted_on"]
    request.starts_on = values.get("starts_on") or values["accepted_on"]
    request.answered_by_id, request.answered_at = user.id, now()
    request.version = (request.version or 0) + 1
    return request


def _code(data: Mapping, name: str) -> str | None:
    value = data.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def facts_for(
    case: Case, user, action: CaseAction | None = None, values: dict | None = None
) -> workflow.CaseFacts:
    """What the workflow's guards need, from the records and the move's own fields.
    With no action, the facts for offering buttons: what a move's form will supply
    (a tier and team, an accepted service, a reason) counts as given."""
    values = values or {}
    child = case.child
    offering = action is None
    latest_outcome = db.session.scalar(
        select(Screening.outcome)
        .where(Screening.case_id == case.id)
        .order_by(Screening.recorded_at.desc(), Screening.id.desc())
        .limit(1)
    )
    return workflow.CaseFacts(
        has_child_name=bool((child.first_name or "").strip() and (child.last_name or "").strip()),
        has_date_of_birth=child.date_of_birth is not None,
        has_address=bool((child.address or "").strip()),
        has_positive_screening=db.session.scalar(
            select(
                exists().where(
                    Screening.case_id == case.id, Screening.outcome == ScreeningOutcome.REFER.value
                )
            )
        ),
        has_professional_override=offering or bool(values.get("override_reason")),
        latest_screening_negative=latest_outcome == ScreeningOutcome.NO_REFERRAL.value,
        has_screening=latest_outcome is not None,
        has_completed_risk_assessment=db.session.scalar(
            select(exists().where(RiskAssessment.case_id == case.id))
        ),
        has_police_tier_and_team=offering or bool(values.get("police_tier") and values.get("police_team")),
        has_accepted_service=offering
        or bool(values.get("service") and values.get("accepted_on"))
        or _has_accepted_service(case),
        has_exploitation_type=db.session.scalar(
            select(
                exists().where(
                    CaseTag.case_id == case.id, CaseTag.kind == CaseTagKind.EXPLOITATION_TYPE.value
                )
            )
        ),
        actor_is_lead=case.lead_professional_id == user.id,
        reason_given=offering or bool(values.get("reason") or values.get("exit_reason")),
    )


def _has_accepted_service(case: Case) -> bool:
    return db.session.scalar(
        select(
            exists().where(
                ServiceRequest.case_id == case.id,
                ServiceRequest.status == ServiceRequestStatus.ACCEPTED.value,
            )
        )
    )


def _other_open_case(case: Case) -> bool:
    return db.session.scalar(
        select(
            exists().where(
                Case.child_id == case.child_id, Case.id != case.id, Case.state != CaseState.CLOSED.value
            )
        )
    )


# The side effects of each move, given the parsed fields; each returns the event's reason.


def _refer(case: Case, user, values: dict) -> str | None:
    case.referred_at = now()
    case.mash_reference = values["mash_reference"]
    case.referral_outcome = values["referral_outcome"]
    if values["referral_outcome"]:  # known at once; otherwise cases/referral.py records it later
        case.referral_outcome_recorded_at, case.referral_outcome_recorded_by_id = now(), user.id
    if values["override_reason"]:
        case.referral_override_reason = values["override_reason"]
    return values["override_reason"] and f"Professional judgement: {values['override_reason']}"


def _set_police_tier(case: Case, user, values: dict) -> str:
    tier, team = values["police_tier"], values["police_team"]
    case.police_tier, case.police_team = tier.code, team.code
    # The tier's history (specialist_services/tiers.py reads it): this move starts it.
    db.session.add(
        PoliceTierRecord(
            case_id=case.id,
            tier_code=tier.code,
            team_code=team.code,
            officer=values.get("officer"),
            from_date=today(),
            source=TierSource.MOVE.value,
            set_by_id=user.id,
            set_at=now(),
        )
    )
    return f"Police tier {tier.label}; holding team {team.label}"


def _assign_service(case: Case, user, values: dict) -> str:
    add_service(case, user, values)
    return f"{values['service'].label} accepted the case on {values['accepted_on']:%-d %B %Y}"


def _close(case: Case, user, values: dict) -> str:
    exit_reason = values["exit_reason"]
    case.closed_at = now()
    case.closure_reason = exit_reason.code
    case.closure_note = values["note"]
    return exit_reason.label + (f": {values['note']}" if values["note"] else "")


def _close_no_further_action(case: Case, user, values: dict) -> str:
    case.closed_at = now()
    case.closure_reason = NO_FURTHER_ACTION
    case.closure_note = values["note"]
    return "No further action: the screening had no yes" + (f". {values['note']}" if values["note"] else "")


def _reopen(case: Case, user, values: dict) -> str:
    # The close event keeps the old exit reason; the case itself is open again.
    case.closed_at = None
    case.closure_reason = None
    case.closure_note = None
    case.referred_at = now()
    return values["reason"]


def _with_reason(case: Case, user, values: dict) -> str | None:
    return values["reason"]


_EFFECTS = {
    CaseAction.REFER: _refer,
    CaseAction.CLOSE_NO_FURTHER_ACTION: _close_no_further_action,
    CaseAction.SEND_TO_MET_REVIEW: _with_reason,
    CaseAction.SET_POLICE_TIER: _set_police_tier,
    CaseAction.ASSIGN_SERVICE: _assign_service,
    CaseAction.SEND_BACK_TO_REVIEW: _with_reason,
    CaseAction.CLOSE: _close,
    CaseAction.REOPEN: _reopen,
}


@dataclass(frozen=True)
class OfferedMove:
    action: CaseAction
    possible: bool
    reasons: tuple[str, ...]  # why not yet, when not possible
    # The facts (workflow.CaseFacts' names) the move waits for, when not possible: the
    # case page links each to the place it is recorded.
    missing_facts: tuple[str, ...] = ()


def offered_moves(case: Case, user) -> list[OfferedMove]:
    """The moves to show on the case page, in table order: those the user's roles may
    take from the case's state, each possible (a button) or not yet (with what is
    missing). Reads only; the case page's own read is the audited one."""
    facts = facts_for(case, user)
    offered = []
    for move in workflow.MOVES:
        if move.action is CaseAction.OPEN_BY_SCREENING or workflow.NO_CASE in move.from_states:
            continue
        decision = workflow.decide(case.state, move.action, user.roles, facts)
        if decision.outcome in (workflow.Outcome.ALLOWED, workflow.Outcome.GUARD_REFUSED):
            missing = tuple(
                name
                for name in workflow.FACT_NAMES
                if not decision.allowed and not getattr(facts, name) and workflow.needs(move, name)
            )
            offered.append(OfferedMove(move.action, decision.allowed, decision.reasons, missing))
    return offered
