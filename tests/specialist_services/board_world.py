"""The board's test world (tests/specialist_services/test_board*.py): cases in every
place the board orders them, built through the factories."""

from datetime import UTC, date, datetime

from mettrack.cases.models import Case
from mettrack.core.choices import CaseState, Role, ServiceRequestStatus
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories

# Wednesday 8 April 2026: Good Friday (3 April) and Easter Monday (6 April) were bank holidays.
NOW = datetime(2026, 4, 8, 10, 0, tzinfo=UTC)
FRIDAY_BEFORE_EASTER = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)


def build_world() -> dict:
    set_now(NOW)
    coordinator = factories.user(roles=[Role.COORDINATOR])
    chair = factories.user(roles=[Role.MET_CHAIR])
    # Active: a service works with the child (the walk records one accepted service).
    active = factories.case(state=CaseState.SERVICE_ASSIGNED)
    # Waiting: DASS asked the Friday before Easter, due Tuesday 7 April, still no answer.
    waiting = factories.case(state=CaseState.POLICE_TIERED)
    # Nothing asked yet, high risk.
    nothing = factories.case(state=CaseState.MET_REVIEW)
    # Declined: PARCS said no, with a reason.
    declined = factories.case(state=CaseState.POLICE_TIERED)
    closed = factories.case(state=CaseState.CLOSED)
    screened = factories.case(state=CaseState.SCREENED)
    db.session.get(Case, active.id).risk_level = "medium"
    db.session.get(Case, waiting.id).risk_level = "low"
    db.session.get(Case, nothing.id).risk_level = "high"
    db.session.get(Case, declined.id).risk_level = "medium"
    db.session.add_all(
        [
            factories.service_request(
                waiting.id,
                coordinator.id,
                "dass",
                requested_at=FRIDAY_BEFORE_EASTER,
                answer_due_on=date(2026, 4, 7),
            ),
            factories.service_request(
                declined.id,
                coordinator.id,
                "parcs",
                status=ServiceRequestStatus.DECLINED.value,
                answered_by_id=coordinator.id,
                answered_at=NOW,
                decline_reason="No worker free until May",
            ),
            factories.service_request(closed.id, coordinator.id, "dass"),
        ]
    )
    db.session.commit()
    return dict(
        coordinator=coordinator,
        chair=chair,
        active=active.id,
        waiting=waiting.id,
        nothing=nothing.id,
        declined=declined.id,
        closed=closed.id,
        screened=screened.id,
    )
