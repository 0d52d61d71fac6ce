"""The case lifecycle as one table of moves (DESIGN.md, Case lifecycle).

    screened ──► referred ──► met_review ──► police_tiered ──► service_assigned
       │            │             │    └───────────────────────►    │
       │            │             ▲                                  │
       │            │             └──────── review / escalation ◄────┘
       └────────────┴──────────── closed ◄── (any open state, by the MET chair, with a reason)
                                   │
                                   └──► referred (reopened on new concerns)

Each Move names an action, the states it leaves, the state it enters, the roles that may
take it and a guard: a pure function over CaseFacts returning what is missing, in words
a practitioner can act on. Nothing outside this table decides whether a case may move;
services gather the CaseFacts, call `decide`, and apply the Decision.

Choices where DESIGN.md leaves room, each made here once:
- A case is opened by its first screening: `open_by_screening` leaves no case (None).
- The MET chair may take every move a lead professional may, except closing as no
  further action, which is the lead professional's own closure of a screening with no
  yes; the chair closes with `close` and a reason instead.
- `send_back_to_review` leaves the states after MET review (police_tiered,
  service_assigned). A referred case goes to review by `send_to_met_review`, which the
  chair may also take; a screened case is referred first, so the referral's own checks
  (name, date of birth, address, a yes or an override) are never skipped.
- `reopen` enters `referred`, so it asks for what a referral to Children's Services
  cannot go without (name, date of birth, address); the new concerns, given as the
  reason, stand in place of a screening.
- From `referred` on, an open case must have an exploitation type (the MET list is kept
  per type: `states_needing("has_exploitation_type")`), so the moves into
  `referred` (refer, reopen) and into MET review from a referral ask for one first;
  otherwise a case would arrive where its own classification cannot be saved without
  one. `send_back_to_review` does not: a case past MET review has had one since its
  referral, and the classification cannot drop the last type of an open case.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from enum import StrEnum

from mettrack.core.choices import OPEN_STATES, CaseAction, CaseState, Role

# The state a case is in before its first move: there is no case yet.
NO_CASE = None

PROFESSIONALS = frozenset({Role.LEAD_PROFESSIONAL, Role.PARTNER, Role.MET_CHAIR, Role.COORDINATOR})


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about a case and the move asked for. Gathered by the
    service from the records; every fact defaults to "not there", so a fact left out
    refuses rather than allows."""

    has_child_name: bool = False
    has_date_of_birth: bool = False
    has_address: bool = False
    has_positive_screening: bool = False  # a CSERQ4 screening with at least one yes
    has_professional_override: bool = False  # a recorded decision to refer anyway, with its reason
    latest_screening_negative: bool = False  # the latest screening has no yes
    has_screening: bool = False  # at least one CSERQ4 screening is recorded on the case
    has_completed_risk_assessment: bool = False
    has_police_tier_and_team: bool = False  # both chosen for this move
    has_accepted_service: bool = False  # at least one specialist service has accepted
    has_exploitation_type: bool = False  # at least one exploitation type (CSE, CCE) on the case
    actor_is_lead: bool = False  # the actor is this case's lead professional
    reason_given: bool = False  # a non-blank reason accompanies the move


Guard = Callable[[CaseFacts], list[str]]


@dataclass(frozen=True)
class Move:
    action: CaseAction
    from_states: frozenset[CaseState | None]
    to_state: CaseState
    roles: frozenset[Role]
    guard: Guard
    # Set for a move that needs a reason: the refusal when none is given.
    reason_missing: str | None = None

    @property
    def requires_reason(self) -> bool:
        return self.reason_missing is not None


def no_requirements(facts: CaseFacts) -> list[str]:
    return []


def _child_identified(facts: CaseFacts, before: str) -> list[str]:
    missing = []
    if not facts.has_child_name:
        missing.append(f"Record the child's name before {before}")
    if not facts.has_date_of_birth:
        missing.append(f"Record the child's date of birth before {before}")
    if not facts.has_address:
        missing.append(f"Record the child's address before {before}")
    return missing


# The field a refusal is about, where it is one field of the case: callers name it in
# their errors (`exploitation_types`, as the classification form and API call it).
EXPLOITATION_TYPES_FIELD = "exploitation_types"
TYPE_MISSING = {
    "referring": "Record at least one exploitation type (CSE, CCE) before referring",
    "review": "Record at least one exploitation type (CSE, CCE) before sending the case to MET review",
    "reopening": "Record at least one exploitation type (CSE, CCE) before reopening the case as a referral",
}
REFUSAL_FIELDS = {message: EXPLOITATION_TYPES_FIELD for message in TYPE_MISSING.values()}


def _type_recorded(facts: CaseFacts, before: str) -> list[str]:
    return [] if facts.has_exploitation_type else [TYPE_MISSING[before]]


def referral_ready(facts: CaseFacts) -> list[str]:
    missing = _child_identified(facts, "referring")
    if not (facts.has_positive_screening or facts.has_professional_override):
        missing.append(
            "Record a screening with at least one yes, or a professional override with its reason, "
            "before referring"
        )
    return missing + _type_recorded(facts, "referring")


def screening_closable(facts: CaseFacts) -> list[str]:
    missing = []
    if not facts.actor_is_lead:
        missing.append("Only the case's lead professional can close a screening as no further action")
    screened = facts.has_screening or facts.has_positive_screening
    if not facts.latest_screening_negative and not screened:
        missing.append(
            "Record a CSERQ4 screening first: only a screening with no yes can be closed as no further action"
        )
    elif not facts.latest_screening_negative:
        missing.append(
            "Only a screening with no yes can be closed as no further action: "
            "refer the child, or ask the MET chair to close the case with a reason"
        )
    return missing


def review_ready(facts: CaseFacts) -> list[str]:
    if facts.has_completed_risk_assessment:
        return []
    return ["Complete the risk assessment before sending the case to MET review"]


def referral_review_ready(facts: CaseFacts) -> list[str]:
    return _type_recorded(facts, "review") + review_ready(facts)


def police_tier_ready(facts: CaseFacts) -> list[str]:
    if facts.has_police_tier_and_team:
        return []
    return ["Choose the police tier and the holding team before setting the police tier"]


def service_ready(facts: CaseFacts) -> list[str]:
    if facts.has_accepted_service:
        return []
    return ["Record a specialist service's acceptance of the case before marking a service as assigned"]


def reopen_ready(facts: CaseFacts) -> list[str]:
    return _child_identified(facts, "reopening the case as a referral") + _type_recorded(facts, "reopening")


MOVES: tuple[Move, ...] = (
    Move(
        CaseAction.OPEN_BY_SCREENING, frozenset({NO_CASE}), CaseState.SCREENED, PROFESSIONALS, no_requirements
    ),
    Move(
        CaseAction.REFER,
        frozenset({CaseState.SCREENED}),
        CaseState.REFERRED,
        frozenset({Role.LEAD_PROFESSIONAL, Role.MET_CHAIR}),
        referral_ready,
    ),
    Move(
        CaseAction.CLOSE_NO_FURTHER_ACTION,
        frozenset({CaseState.SCREENED}),
        CaseState.CLOSED,
        frozenset({Role.LEAD_PROFESSIONAL}),
        screening_closable,
    ),
    Move(
        CaseAction.SEND_TO_MET_REVIEW,
        frozenset({CaseState.REFERRED}),
        CaseState.MET_REVIEW,
        frozenset({Role.LEAD_PROFESSIONAL, Role.MET_CHAIR}),
        referral_review_ready,
    ),
    Move(
        CaseAction.SET_POLICE_TIER,
        frozenset({CaseState.MET_REVIEW}),
        CaseState.POLICE_TIERED,
        frozenset({Role.MET_CHAIR}),
        police_tier_ready,
    ),
    # Made by the coordinator recording an acceptance, or by a provider's user accepting
    # the coordinator's request (REQUESTED_BY; specialist_services/requests.py).
    Move(
        CaseAction.ASSIGN_SERVICE,
        frozenset({CaseState.MET_REVIEW, CaseState.POLICE_TIERED}),
        CaseState.SERVICE_ASSIGNED,
        frozenset({Role.COORDINATOR}),
        service_ready,
    ),
    Move(
        CaseAction.SEND_BACK_TO_REVIEW,
        frozenset({CaseState.POLICE_TIERED, CaseState.SERVICE_ASSIGNED}),
        CaseState.MET_REVIEW,
        frozenset({Role.MET_CHAIR}),
        review_ready,
    ),
    Move(
        CaseAction.CLOSE,
        frozenset(OPEN_STATES),
        CaseState.CLOSED,
        frozenset({Role.MET_CHAIR}),
        no_requirements,
        reason_missing="Give the exit reason before closing the case",
    ),
    Move(
        CaseAction.REOPEN,
        frozenset({CaseState.CLOSED}),
        CaseState.REFERRED,
        frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL}),
        reopen_ready,
        reason_missing="Describe the new concerns before reopening the case",
    ),
)

_MOVE_BY_ACTION = {move.action: move for move in MOVES}  # one row per action

# A provider's user accepting a request makes the assign_service move that the request
# asked for: the table decides it as for the roles that request services.
REQUESTED_BY = frozenset({Role.COORDINATOR})


def move_for(action: CaseAction | str) -> Move | None:
    """The table's row for an action, or None for a name that is not an action."""
    try:
        return _MOVE_BY_ACTION.get(CaseAction(action))
    except ValueError:
        return None


class Outcome(StrEnum):
    ALLOWED = "allowed"
    NO_SUCH_MOVE = "no_such_move"  # unknown action, or not from this state: nothing changes
    ROLE_NOT_ALLOWED = "role_not_allowed"  # the caller answers 403
    GUARD_REFUSED = "guard_refused"  # a clear error naming what is missing; nothing changes


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    action: str
    from_state: CaseState | None
    to_state: CaseState | None = None  # set when allowed
    reasons: tuple[str, ...] = ()  # why not, in words for the practitioner

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED


def _roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    return frozenset(Role(role) for role in roles)


def decide(
    state: CaseState | str | None, action: CaseAction | str, roles: Iterable[Role | str], facts: CaseFacts
) -> Decision:
    """May a user holding `roles` take `action` on a case in `state`? The checks run in
    this order: is it an action at all; may these roles take it (403 otherwise, before
    anything about the case is weighed); does it leave this state; does its guard pass."""
    state = None if state is None else CaseState(state)
    move = move_for(action)
    if move is None:
        return Decision(Outcome.NO_SUCH_MOVE, str(action), state, reasons=(f"There is no action {action!r}",))
    if not _roles(roles) & move.roles:
        return Decision(
            Outcome.ROLE_NOT_ALLOWED,
            move.action,
            state,
            reasons=(f"Your role does not allow this: {move.action.label}",),
        )
    if state not in move.from_states:
        where = "without a case" if state is None else f"from {state.label}"
        return Decision(
            Outcome.NO_SUCH_MOVE,
            move.action,
            state,
            reasons=(f"{move.action.label} is not possible {where}",),
        )
    refusals = refusals_for(move, facts)
    if refusals:
        return Decision(Outcome.GUARD_REFUSED, move.action, state, reasons=tuple(refusals))
    return Decision(Outcome.ALLOWED, move.action, state, to_state=move.to_state)


def refusals_for(move: Move, facts: CaseFacts, *, reason_asked_separately: bool = False) -> list[str]:
    """What the move's guard finds missing, with the missing reason last when the move needs one."""
    refusals = move.guard(facts)
    if move.requires_reason and not facts.reason_given and not reason_asked_separately:
        refusals.append(move.reason_missing)
    return refusals


def allowed_actions(
    state: CaseState | str | None, roles: Iterable[Role | str], facts: CaseFacts
) -> list[CaseAction]:
    """The actions to offer as buttons, in table order: moves from this state that the
    roles may take and whose guard passes. A reason is not yet given when the buttons are
    shown, so a move needing one is offered and its form asks for the reason."""
    state = None if state is None else CaseState(state)
    held = _roles(roles)
    return [
        move.action
        for move in MOVES
        if state in move.from_states
        and held & move.roles
        and not refusals_for(move, facts, reason_asked_separately=True)
    ]


# --- what the table implies about a case in a state: queries the services derive their
# rules from, so that no copy of the table can drift from it.

_EVERYTHING = CaseFacts(**{f.name: True for f in fields(CaseFacts)})
FACT_NAMES = tuple(f.name for f in fields(CaseFacts))


def needs(move: Move, fact: str) -> bool:
    """Whether the move's guard refuses for want of `fact` alone."""
    return bool(move.guard(replace(_EVERYTHING, **{fact: False})))


def states_needing(fact: str) -> frozenset[CaseState]:
    """The open states no case reaches without a move that needed `fact`: from the first
    state on, a case moving only by moves that do not need it never gets there. So an
    open case in one of them had the fact when it arrived (has_exploitation_type: from
    `referred` on; has_police_tier_and_team: `police_tiered`)."""
    reached: set[CaseState | None] = {NO_CASE}
    frontier = [NO_CASE]
    while frontier:
        state = frontier.pop()
        for move in MOVES:
            if state in move.from_states and not needs(move, fact) and move.to_state not in reached:
                reached.add(move.to_state)
                frontier.append(move.to_state)
    return frozenset(OPEN_STATES - reached)


def facts_needed_in(state: CaseState | str) -> frozenset[str]:
    """The facts an open case in `state` had when it got there (states_needing, per fact)."""
    state = CaseState(state)
    return frozenset(fact for fact in FACT_NAMES if state in states_needing(fact))


def states_taking(action: CaseAction | str) -> frozenset[CaseState]:
    """Where what a move records can be recorded: the states it leaves (recording it makes
    the move) and the state it enters (a further one is recorded there with no move).
    For assign_service: the states where a specialist service can be recorded."""
    move = move_for(action)
    return frozenset(state for state in move.from_states if state is not NO_CASE) | {move.to_state}


def needs_exploitation_type(reasons) -> bool:
    """Whether a refusal's reasons ask for an exploitation type (set on the case's
    classification page, which the pages then link to)."""
    return any(REFUSAL_FIELDS.get(r) == EXPLOITATION_TYPES_FIELD for r in reasons)
