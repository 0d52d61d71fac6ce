"""/api/v1/cases/{id}/service-assignments: the move from police_tiered, further services,
ending one; 403, 404 and 422 as problems."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.reference import data as reference_data
from mettrack.specialist_services.models import ServiceRequest
from tests import factories
from tests.api.conftest import audit_rows
from tests.api.test_problems import assert_problem

BODY = {"service": "barnardos_ictg", "worker": "A. Worker", "accepted_on": "2026-03-01", "version": 1}


@pytest.fixture(autouse=True)
def _clock_and_lists(app):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    with app.app_context():
        reference_data.seed_defaults()
        db.session.commit()


def _case(app, state, member_id=None) -> int:
    with app.app_context():
        members = [db.session.get(User, member_id)] if member_id else []
        return factories.case(state=state, members=members).id


def _state_and_count(app, case_id) -> tuple[str, int]:
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(ServiceRequest.case_id == case_id))
        return db.session.get(Case, case_id).state, count


def _body(app, case_id, **change) -> dict:
    """BODY with the version of the case (made through its moves, so past 1)."""
    with app.app_context():
        return BODY | {"version": db.session.get(Case, case_id).version} | change


def _path(case_id) -> str:
    return f"/api/v1/cases/{case_id}/service-assignments"


def test_201_from_police_tiered_is_the_move(app, client, make_api_user):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _case(app, CaseState.POLICE_TIERED)
    sent = _body(app, case_id)
    response = client.post(_path(case_id), headers=coordinator.headers, json=sent)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["service"] == "barnardos_ictg" and body["accepted_on"] == "2026-03-01"
    moved = (True, "service_assigned", sent["version"] + 1)
    assert (body["case_moved"], body["case_state"], body["case_version"]) == moved
    assert response.headers["Location"].endswith(f"{_path(case_id)}/{body['id']}")
    assert _state_and_count(app, case_id) == ("service_assigned", 1)
    assert audit_rows(app, "case.transition")[-1]["detail"]["action"] == "assign_service"
    read = client.get(response.headers["Location"], headers=coordinator.headers)
    assert read.status_code == 200 and read.get_json()["id"] == body["id"]


def test_201_additional_when_service_assigned(app, client, make_api_user):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _case(app, CaseState.SERVICE_ASSIGNED)  # with the service that assigned it
    sent = _body(app, case_id, service="dass")
    response = client.post(_path(case_id), headers=coordinator.headers, json=sent)
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["case_moved"], response.get_json()["case_version"]) == (
        False,
        sent["version"],
    )
    listed = client.get(_path(case_id), headers=coordinator.headers).get_json()
    assert "dass" in [a["service"] for a in listed["items"]] and len(listed["items"]) == 2
    ids = [a["id"] for a in listed["items"]]
    assert audit_rows(app, "service_assignment.listed")[-1]["detail"]["ids"] == ids


@pytest.mark.parametrize(
    ("state", "change", "field"),
    [
        (CaseState.SCREENED, {}, "state"),
        (CaseState.REFERRED, {}, "state"),
        (CaseState.POLICE_TIERED, {"service": "no-such-service"}, "service"),
        (CaseState.SERVICE_ASSIGNED, {"service": "no-such-service"}, "service"),
        (CaseState.POLICE_TIERED, {"accepted_on": "2026-03-09"}, "accepted_on"),
        (CaseState.SERVICE_ASSIGNED, {"accepted_on": "2026-03-09"}, "accepted_on"),
        (CaseState.SERVICE_ASSIGNED, {"accepted_on": "yesterday"}, "accepted_on"),
        (CaseState.SERVICE_ASSIGNED, {"version": "1"}, "version"),  # a string is not a version
    ],
)
def test_422_names_the_field_and_changes_nothing(app, client, make_api_user, state, change, field):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _case(app, state)
    before = _state_and_count(app, case_id)
    sent = _body(app, case_id) | change
    body = assert_problem(client.post(_path(case_id), headers=coordinator.headers, json=sent), 422)
    assert field in body["errors"]
    assert _state_and_count(app, case_id) == before


def test_409_on_a_stale_version(app, client, make_api_user):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _case(app, CaseState.SERVICE_ASSIGNED)
    before = _state_and_count(app, case_id)
    stale = _body(app, case_id)["version"] - 1
    assert_problem(
        client.post(_path(case_id), headers=coordinator.headers, json=BODY | {"version": stale}), 409
    )
    assert _state_and_count(app, case_id) == before


def test_403_for_a_partner_even_on_their_own_case(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    case_id = _case(app, CaseState.POLICE_TIERED, member_id=partner.id)
    assert_problem(client.post(_path(case_id), headers=partner.headers, json=BODY), 403)
    assert client.get(_path(case_id), headers=partner.headers).status_code == 200
    assert _state_and_count(app, case_id) == ("police_tiered", 0)


def test_404_for_a_case_outside_need_to_know(app, client, make_api_user):
    coordinator = make_api_user(Role.COORDINATOR)
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    closed = _case(app, CaseState.CLOSED)  # a coordinator sees open cases only
    not_theirs = _case(app, CaseState.SERVICE_ASSIGNED)
    assert_problem(client.post(_path(closed), headers=coordinator.headers, json=BODY), 404)
    assert_problem(client.get(_path(closed), headers=coordinator.headers), 404)
    assert_problem(client.get(_path(not_theirs), headers=lead.headers), 404)
    assert_problem(client.post(_path(999999), headers=coordinator.headers, json=BODY), 404)
    assert audit_rows(app, "service_assignment.recorded.denied")


def test_patch_records_the_end(app, client, make_api_user):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _case(app, CaseState.SERVICE_ASSIGNED)
    created = client.post(_path(case_id), headers=coordinator.headers, json=_body(app, case_id)).get_json()
    item = f"{_path(case_id)}/{created['id']}"
    problem = assert_problem(
        client.patch(item, headers=coordinator.headers, json={"ended_on": "2026-02-01"}), 422
    )
    assert set(problem["errors"]) == {"ended_on"}
    response = client.patch(
        item, headers=coordinator.headers, json={"ended_on": "2026-03-02", "note": "Closed"}
    )
    assert response.status_code == 200
    assert (response.get_json()["ended_on"], response.get_json()["note"]) == ("2026-03-02", "Closed")
    again = assert_problem(
        client.patch(item, headers=coordinator.headers, json={"ended_on": "2026-03-02"}), 422
    )
    assert "already" in again["errors"]["ended_on"]
    assert_problem(
        client.patch(
            f"{_path(case_id)}/999999", headers=coordinator.headers, json={"ended_on": "2026-03-02"}
        ),
        404,
    )
    assert _state_and_count(app, case_id) == ("service_assigned", 2)  # the first, and the one ended
