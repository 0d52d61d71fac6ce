"""Specialist services on a case through services.service_assignments."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.cases.models import Case, CaseEvent
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound
from mettrack.reference import data as reference_data
from mettrack.specialist_services import assignments as service_assignments
from mettrack.specialist_services.models import ServiceRequest
from tests import factories

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SERVICE = {"service": "parcs", "worker": "A. Worker", "accepted_on": "2026-03-01"}


@pytest.fixture
def coordinator(app_ctx):
    set_now(NOW)
    reference_data.seed_defaults()
    db.session.commit()
    return factories.user(roles=[Role.COORDINATOR])


def _assignments(case_id: int) -> int:
    return db.session.scalar(select(func.count()).where(ServiceRequest.case_id == case_id))


def _audit(action: str) -> list[dict]:
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    return [json.loads(r.detail) | {"record_id": r.record_id} for r in rows]


def test_first_service_on_a_police_tiered_case_is_the_assign_service_move(coordinator):
    case = factories.case(state=CaseState.POLICE_TIERED)
    version = case.version
    recorded = service_assignments.record(coordinator, case.id, SERVICE, version)
    assignment = recorded.assignment
    assert recorded.moved
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.state == CaseState.SERVICE_ASSIGNED.value and case.version == version + 1
    assert (assignment.service_code, assignment.worker, assignment.accepted_on) == (
        "parcs",
        "A. Worker",
        date(2026, 3, 1),
    )
    event = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()[-1]
    assert (event.action, event.from_state, event.to_state) == (
        "assign_service",
        "police_tiered",
        "service_assigned",
    )
    assert _audit("case.transition")[-1]["action"] == "assign_service"


def test_a_further_service_is_recorded_without_a_move(coordinator):
    case = factories.case(state=CaseState.SERVICE_ASSIGNED)  # with the service that assigned it
    version = case.version
    [first] = service_assignments.assignments_of(case)
    recorded = service_assignments.record(coordinator, case.id, SERVICE | {"service": "dass"}, version)
    assignment = recorded.assignment
    assert not recorded.moved
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.state == CaseState.SERVICE_ASSIGNED.value and case.version == version
    assert _audit("service_assignment.recorded") == [
        {"service_assignment": assignment.id, "service": "dass", "record_id": str(case.id)}
    ]
    _case, items = service_assignments.list_for(coordinator, case.id)
    assert {a.id for a in items} == {assignment.id, first.id}
    assert set(_audit("service_assignment.listed")[-1]["ids"]) == {assignment.id, first.id}


@pytest.mark.parametrize("state", [CaseState.SCREENED, CaseState.REFERRED])
def test_other_states_are_refused_naming_the_state(coordinator, state):
    case = factories.case(state=state)
    with pytest.raises(ValidationError) as e:
        service_assignments.record(coordinator, case.id, SERVICE, case.version)
    assert set(e.value.errors) == {"state"}
    assert state.label in e.value.errors["state"]
    assert _assignments(case.id) == 0


@pytest.mark.parametrize("state", [CaseState.POLICE_TIERED, CaseState.SERVICE_ASSIGNED])
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": "no-such-service"}, "service"),
        ({"service": ""}, "service"),
        ({"accepted_on": "2026-03-03"}, "accepted_on"),  # tomorrow
        ({"accepted_on": "not a date"}, "accepted_on"),
        ({"worker": "x" * 201}, "worker"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_saved(coordinator, state, change, field):
    case = factories.case(state=state)
    before = _assignments(case.id)
    with pytest.raises(ValidationError) as e:
        service_assignments.record(coordinator, case.id, SERVICE | change, case.version)
    assert field in e.value.errors
    assert _assignments(case.id) == before
    assert db.session.get(Case, case.id).state == state.value


def test_stale_version_is_a_conflict(coordinator):
    case = factories.case(state=CaseState.SERVICE_ASSIGNED)
    before = _assignments(case.id)
    with pytest.raises(Conflict):
        service_assignments.record(coordinator, case.id, SERVICE, case.version + 7)
    with pytest.raises(ValidationError) as e:
        service_assignments.record(coordinator, case.id, SERVICE, None)
    assert set(e.value.errors) == {"version"}
    assert _assignments(case.id) == before


def test_only_the_coordinator_records_and_only_within_need_to_know(coordinator):
    partner = factories.user(roles=[Role.PARTNER])
    case = factories.case(state=CaseState.SERVICE_ASSIGNED, members=[partner])
    before = _assignments(case.id)
    with pytest.raises(NotAllowed):
        service_assignments.record(partner, case.id, SERVICE, case.version)
    closed = factories.case(state=CaseState.CLOSED)  # a coordinator sees open cases only
    with pytest.raises(NotFound):
        service_assignments.record(coordinator, closed.id, SERVICE, closed.version)
    assert (_assignments(case.id), _assignments(closed.id)) == (before, 0)


def test_ending_a_service(coordinator):
    case = factories.case(state=CaseState.SERVICE_ASSIGNED)
    assignment = service_assignments.record(coordinator, case.id, SERVICE, case.version).assignment
    for ended_on, words in (("2026-03-03", "today or in the past"), ("2026-02-28", "before it accepted")):
        with pytest.raises(ValidationError) as e:
            service_assignments.end(coordinator, case.id, assignment.id, {"ended_on": ended_on})
        assert words in e.value.errors["ended_on"]
    ended = service_assignments.end(
        coordinator, case.id, assignment.id, {"ended_on": "2026-03-02", "note": "Done"}
    )
    assert (ended.ended_on, ended.note) == (date(2026, 3, 2), "Done")
    with pytest.raises(ValidationError) as e:
        service_assignments.end(coordinator, case.id, assignment.id, {"ended_on": "2026-03-02"})
    assert "already" in e.value.errors["ended_on"]
    other = factories.case(state=CaseState.SERVICE_ASSIGNED)
    with pytest.raises(NotFound):  # the service belongs to another case
        service_assignments.end(coordinator, other.id, assignment.id, {"ended_on": "2026-03-02"})
    assert db.session.get(Case, case.id).state == CaseState.SERVICE_ASSIGNED.value
