"""The request workflow's core (specialist_services/requests.py): a request, the provider's
answer, and the first acceptance moving the case through the workflow table."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mettrack.cases.models import Case, CaseEvent, CaseTeamMember
from mettrack.core.choices import CaseState, Role, ServiceRequestStatus
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.specialist_services import requests
from mettrack.specialist_services.models import SpecialistService
from tests import factories

NOW = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # Friday before Easter 2026 (3 April is Good Friday)


@pytest.fixture
def world(app_ctx):
    set_now(NOW)
    coordinator = factories.user(roles=[Role.COORDINATOR])
    provider = factories.user(roles=[Role.PARTNER], agency="PARCS test agency", name="Pat Provider")
    other = factories.user(roles=[Role.PARTNER], agency="Another provider")
    case = factories.case(state=CaseState.POLICE_TIERED)
    parcs = db.session.scalar(select(SpecialistService).where(SpecialistService.code == "parcs"))
    parcs.agency_id = provider.agency_id
    dass = db.session.scalar(select(SpecialistService).where(SpecialistService.code == "dass"))
    dass.agency_id = other.agency_id
    db.session.commit()
    return dict(coordinator=coordinator, provider=provider, other=other, case=case, parcs=parcs)


def _request(w, **data):
    body = {"service": "parcs", "reason": "Needs specialist one-to-one work.", "urgency": "urgent"} | data
    return requests.request(w["coordinator"], w["case"].id, body)


def test_a_request_is_due_in_working_days_and_on_the_timeline(world):
    sent = _request(world)
    assert sent.warning is None
    assert sent.request.status == ServiceRequestStatus.REQUESTED.value
    # Five working days from Friday 27 March 2026: Good Friday and Easter Monday do not count.
    assert sent.request.answer_due_on == date(2026, 4, 7)
    kinds = db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == world["case"].id))
    assert "service.requested" in list(kinds)


def test_the_providers_acceptance_moves_the_case_and_joins_the_team(world):
    sent = _request(world)
    accepted = requests.accept(world["provider"], sent.request.id, {"starts_on": "2026-04-01"}, 1)
    assert accepted.status == ServiceRequestStatus.ACCEPTED.value
    assert accepted.worker == "Pat Provider" and not accepted.recorded_for_provider
    db.session.expire_all()
    case = db.session.get(Case, world["case"].id)
    assert case.state == CaseState.SERVICE_ASSIGNED.value
    assert db.session.get(CaseTeamMember, (case.id, world["provider"].id)) is not None
    with pytest.raises(ValidationError) as second:
        requests.accept(world["provider"], sent.request.id, {}, accepted.version)
    assert "status" in second.value.errors


def test_another_providers_user_cannot_answer(world):
    sent = _request(world)
    with pytest.raises((NotAllowed, Exception)) as refused:
        requests.accept(world["other"], sent.request.id, {}, 1)
    assert refused.type.__name__ in {"NotAllowed", "NotFound"}


def test_declining_needs_a_reason(world):
    sent = _request(world)
    with pytest.raises(ValidationError) as missing:
        requests.decline(world["provider"], sent.request.id, {}, 1)
    assert "decline_reason" in missing.value.errors
    declined = requests.decline(
        world["provider"], sent.request.id, {"decline_reason": "No worker free until May"}, 1
    )
    assert declined.status == ServiceRequestStatus.DECLINED.value


def test_a_request_over_capacity_warns(world):
    world["parcs"].capacity = 0
    db.session.commit()
    assert "over its capacity" in _request(world).warning
