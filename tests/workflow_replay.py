"""Replaying a saved case through the workflow table: the check that a case (the demo's,
the factories') is one the app itself could have made.

Each CaseEvent, oldest first, from no case: a move must be a move of the table from the
state the case was in, entering the state recorded, that the recorded actor's roles may
take; any other event (a team change, a referral's outcome) must name a CaseEventKind and
leave the state as it was. Then the case as saved must hold every fact the table asked
for on the way to its state (workflow.facts_needed_in): a police_tiered case its tier and
team, a service_assigned case an accepted service, and so on.
"""

from dataclasses import fields

from sqlalchemy import exists, select

from mettrack.cases import workflow
from mettrack.cases.models import Case, CaseEvent, CaseTag
from mettrack.core.choices import OPEN_STATES, CaseEventKind, CaseTagKind
from mettrack.core.extensions import db
from mettrack.risk.models import RiskAssessment
from mettrack.specialist_services.models import ServiceRequest

# Every fact passes, so `decide` weighs only the action, the roles and the state.
EVERYTHING = workflow.CaseFacts(**{f.name: True for f in fields(workflow.CaseFacts)})


def _any(*condition) -> bool:
    return db.session.scalar(select(exists().where(*condition)))


# How to read each fact a state can need off a saved case.
SAVED_FACTS = {
    "has_child_name": lambda c: bool(
        (c.child.first_name or "").strip() and (c.child.last_name or "").strip()
    ),
    "has_date_of_birth": lambda c: c.child.date_of_birth is not None,
    "has_address": lambda c: bool((c.child.address or "").strip()),
    "has_exploitation_type": lambda c: _any(
        CaseTag.case_id == c.id, CaseTag.kind == CaseTagKind.EXPLOITATION_TYPE.value
    ),
    "has_completed_risk_assessment": lambda c: _any(RiskAssessment.case_id == c.id),
    "has_police_tier_and_team": lambda c: bool(c.police_tier and c.police_team),
    "has_accepted_service": lambda c: _any(
        ServiceRequest.case_id == c.id, ServiceRequest.accepted_on.is_not(None)
    ),
}


def problems(case: Case) -> list[str]:
    """What is wrong with the case by the table: [] for a case the app could make."""
    found = []
    state = workflow.NO_CASE
    events = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.occurred_at, CaseEvent.id)
    )
    for event in events:
        where = f"case {case.id}, event {event.id} ({event.action})"
        try:
            kind = CaseEventKind(event.action)
        except ValueError:
            found.append(f"{where}: not a kind of case event")
            continue
        if kind.move is None:
            if not (event.from_state == event.to_state == state):
                found.append(f"{where}: moved the case from {state} without a move")
            continue
        decision = workflow.decide(state, kind.move, event.actor.roles if event.actor else (), EVERYTHING)
        if not decision.allowed:
            found.append(f"{where}: {' '.join(decision.reasons)}")
        elif (event.from_state, event.to_state) != (state, decision.to_state):
            recorded = f"{event.from_state} -> {event.to_state}"
            found.append(f"{where}: recorded {recorded}, not {state} -> {decision.to_state}")
        state = decision.to_state or state
    if state != case.state:
        found.append(f"case {case.id}: its events end in {state}, the case is in {case.state}")
    if case.state in OPEN_STATES:
        for fact in sorted(workflow.facts_needed_in(case.state)):
            if not SAVED_FACTS[fact](case):
                found.append(f"case {case.id} in {case.state}: {fact} is missing")
    return found
