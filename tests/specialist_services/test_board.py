"""The coordinator's board through its use case (specialist_services/board.py): order,
waits in working days, loads against capacity, filters, who may see it, audit, SQL."""

import json

import pytest
from sqlalchemy import event, select

from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role, ServiceRequestStatus
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.specialist_services import board
from mettrack.specialist_services.models import ServiceRequest, SpecialistService
from tests import factories
from tests.specialist_services.board_world import build_world


@pytest.fixture
def world(app_ctx):
    return build_world()


def _ids(found: board.Board) -> list[int]:
    return [c.id for c in found.cases]


def test_cases_without_an_active_service_come_first_then_the_longest_wait_then_risk(world):
    found = board.board_for(world["coordinator"])
    assert _ids(found) == [world["waiting"], world["nothing"], world["declined"], world["active"]]
    assert not found.cases[0].has_active_service and found.cases[-1].has_active_service


def test_a_coordinator_sees_no_closed_case_nor_one_before_met_review(world):
    for user in (world["coordinator"], world["chair"]):
        shown = set(_ids(board.board_for(user)))
        assert world["closed"] not in shown and world["screened"] not in shown


def test_a_wait_is_counted_in_working_days_and_flagged_past_its_due_day(world):
    found = board.board_for(world["coordinator"])
    line = found.cases[0].requested[0]
    # 30, 31 March, 1, 2, 7, 8 April: Good Friday and Easter Monday do not count.
    assert line.service_code == "dass" and line.waiting_days == 6 and line.overdue
    assert found.cases[0].longest_wait == 6 and found.cases[0].overdue


def test_a_declined_service_shows_the_providers_reason(world):
    found = board.board_for(world["coordinator"])
    case = next(c for c in found.cases if c.id == world["declined"])
    assert [(d.service_code, d.decline_reason) for d in case.declined] == [
        ("parcs", "No worker free until May")
    ]
    assert not case.requested and not case.active


def test_loads_are_shown_against_capacity_with_a_mark_when_full(world):
    accepted = db.session.scalar(select(ServiceRequest).where(ServiceRequest.case_id == world["active"]))
    service = db.session.get(SpecialistService, accepted.service_id)
    service.capacity = 1
    db.session.commit()
    loads = {load.code: load for load in board.board_for(world["chair"]).loads}
    assert loads[service.code].load == 1 and loads[service.code].at_capacity
    others = [load for code, load in loads.items() if code != service.code]
    assert all(load.load == 0 and not load.at_capacity for load in others if load.capacity)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"service": ["dass"]}, ["waiting"]),
        ({"service": ["parcs"]}, ["declined"]),
        ({"state": ["met_review"]}, ["nothing"]),
        ({"risk_level": ["high", "low"]}, ["waiting", "nothing"]),
        ({"waiting_more_than": "5"}, ["waiting"]),
        ({"waiting_more_than": "6"}, []),
        ({"overdue": "true"}, ["waiting"]),
        ({"no_active_service": "true"}, ["waiting", "nothing", "declined"]),
        ({"state": ["police_tiered"], "risk_level": ["medium"]}, ["declined"]),
    ],
)
def test_filters(world, args, expected):
    found = board.board_for(world["coordinator"], board.filters_from(args))
    assert _ids(found) == [world[name] for name in expected]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"service": ["no_such_service"]}, "service"),
        ({"state": ["closed"]}, "state"),
        ({"risk_level": ["extreme"]}, "risk_level"),
        ({"waiting_more_than": "-1"}, "waiting_more_than"),
        ({"waiting_more_than": "１"}, "waiting_more_than"),
        ({"waiting_more_than": "99999999999999999999"}, "waiting_more_than"),
        ({"overdue": "maybe"}, "overdue"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(world, args, field):
    with pytest.raises(ValidationError) as refused:
        board.filters_from(args)
    assert field in refused.value.errors


@pytest.mark.parametrize("role", [Role.LEAD_PROFESSIONAL, Role.PARTNER, Role.ANALYST, Role.ADMIN])
def test_other_roles_are_refused(world, role):
    with pytest.raises(NotAllowed):
        board.board_for(factories.user(roles=[role]))


def test_one_audit_row_names_the_filters_and_the_cases_shown(world):
    before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    found = board.board_for(world["coordinator"], board.filters_from({"no_active_service": "true"}))
    rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == board.ACTION)))
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before + 1
    assert len(rows) == 1
    detail = rows[0].detail if isinstance(rows[0].detail, dict) else json.loads(rows[0].detail)
    assert detail == {"query": {"no_active_service": True}, "ids": _ids(found)}


def _count_queries(function) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_cases(world):
    user_id, chair_id = world["coordinator"].id, world["chair"].id

    def add(n):
        for _ in range(n):
            case = factories.case(state=CaseState.POLICE_TIERED)
            db.session.add_all(
                [
                    factories.service_request(case.id, chair_id, "dass"),
                    factories.service_request(
                        case.id, chair_id, "parcs", status=ServiceRequestStatus.DECLINED.value
                    ),
                    factories.accepted_service(case.id, chair_id, "edge_of_care"),
                ]
            )
        db.session.commit()

    def read():
        db.session.expunge_all()  # nothing already loaded: every read is counted
        user = db.session.get(User, user_id)
        found = board.board_for(user)
        for case in found.cases:  # what the page and the API read of each case
            _ = (case.child_name, case.police_tier_label, case.longest_wait, case.overdue)
            _ = [(r.service_name, r.waiting_days) for r in case.requested + case.active + case.declined]

    add(1)
    few = _count_queries(read)
    add(8)
    many = _count_queries(read)
    assert few == many
