"""/api/v1/meetings: list, schedule, read, change, cancel, calendar file; access by role
and membership; in the OpenAPI document."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests.api import conftest as api_fixtures
from tests.api.conftest import audit_rows
from tests.meetings import factories as meeting_factories

make_api_user = api_fixtures.make_api_user  # the API tests' fixture: a user with a token
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
API = "/api/v1/meetings"
NEW = {"title": "MET operational group", "date": "2026-04-14", "time": "10:00", "place": "Civic Offices"}


@pytest.fixture(autouse=True)
def _clock():
    set_now(NOW)
    yield
    set_now(None)


def _meeting(app, chair_id, member_ids=(), **kwargs) -> int:
    with app.app_context():
        chair = db.session.get(User, chair_id)
        members = [db.session.get(User, i) for i in member_ids]
        return meeting_factories.meeting(chair=chair, members=members, **kwargs).id


def test_chair_schedules_reads_moves_and_cancels_a_meeting(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    created = client.post(API, json=NEW | {"member_ids": [lead.id]}, headers=chair.headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["starts_at"] == "2026-04-14T09:00:00+00:00"
    assert (body["local_date"], body["local_time"]) == ("2026-04-14", "10:00")
    assert body["ends_at"] == "2026-04-14T11:00:00+00:00"
    assert body["chair"]["id"] == chair.id and [m["id"] for m in body["members"]] == [lead.id]
    assert body["status"] == "scheduled" and body["ical_sequence"] == 0
    meeting_id = body["id"]

    read = client.get(f"{API}/{meeting_id}", headers=lead.headers)
    assert read.status_code == 200 and read.get_json()["ical_uid"] == body["ical_uid"]

    moved = client.patch(
        f"{API}/{meeting_id}", json={"time": "11:30", "version": body["version"]}, headers=chair.headers
    )
    assert moved.status_code == 200
    assert moved.get_json()["starts_at"] == "2026-04-14T10:30:00+00:00"
    assert moved.get_json()["ical_sequence"] == 1
    stale = client.patch(
        f"{API}/{meeting_id}", json={"title": "X", "version": body["version"]}, headers=chair.headers
    )
    assert stale.status_code == 409

    cancelled = client.post(
        f"{API}/{meeting_id}/cancel", json={"reason": "Room not available"}, headers=chair.headers
    )
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled" and cancelled.get_json()["ical_sequence"] == 2
    ics = client.get(f"{API}/{meeting_id}/ics", headers=lead.headers)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    calendar = Calendar.from_ical(ics.data)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert [r["record_id"] for r in audit_rows(app, "meeting.cancelled")] == [str(meeting_id)]


def test_bad_fields_are_named_in_the_problem(client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    analyst = make_api_user(Role.ANALYST)
    response = client.post(
        API,
        json={"title": "MET", "date": "2026-02-30", "time": "10", "member_ids": [analyst.id]},
        headers=chair.headers,
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"date", "time", "place", "member_ids"}
    unknown = client.post(API, json=NEW | {"colour": "red"}, headers=chair.headers)
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["errors"]


def test_list_is_the_users_reachable_meetings(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    partner = make_api_user(Role.PARTNER)
    mine = _meeting(app, chair.id, [partner.id], starts_at=datetime(2026, 3, 10, 10, tzinfo=UTC))
    past = _meeting(app, chair.id, [partner.id], starts_at=datetime(2026, 2, 10, 10, tzinfo=UTC))
    other = _meeting(app, chair.id, starts_at=datetime(2026, 3, 11, 10, tzinfo=UTC))
    listed = client.get(API, headers=partner.headers).get_json()["items"]
    assert [m["id"] for m in listed] == [mine]
    assert [m["id"] for m in client.get(f"{API}?when=past", headers=partner.headers).get_json()["items"]] == [
        past
    ]
    assert [m["id"] for m in client.get(API, headers=chair.headers).get_json()["items"]] == [mine, other]
    assert client.get(f"{API}?when=soon", headers=partner.headers).status_code == 422
    assert client.get(f"{API}/{other}", headers=partner.headers).status_code == 404


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_roles_without_meeting_view_get_403(app, client, make_api_user, role):
    chair = make_api_user(Role.MET_CHAIR)
    meeting_id = _meeting(app, chair.id)
    user = make_api_user(role)
    assert client.get(API, headers=user.headers).status_code == 403
    assert client.get(f"{API}/{meeting_id}", headers=user.headers).status_code == 403
    assert client.get(f"{API}/{meeting_id}/ics", headers=user.headers).status_code == 403


def test_a_member_who_is_not_a_chair_may_not_change_or_cancel(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    meeting_id = _meeting(app, chair.id, [lead.id])
    assert client.post(API, json=NEW, headers=lead.headers).status_code == 403
    assert client.patch(f"{API}/{meeting_id}", json={"place": "X"}, headers=lead.headers).status_code == 403
    assert (
        client.post(f"{API}/{meeting_id}/cancel", json={"reason": "X"}, headers=lead.headers).status_code
        == 403
    )


def test_meeting_paths_are_in_the_openapi_document(client, make_api_user):
    spec = client.get("/api/v1/openapi.json", headers=make_api_user(Role.PARTNER).headers).get_json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/meetings"])
    assert {"get", "patch"} <= set(paths["/api/v1/meetings/{meeting_id}"])
    assert "post" in paths["/api/v1/meetings/{meeting_id}/cancel"]
    assert "text/calendar" in paths["/api/v1/meetings/{meeting_id}/ics"]["get"]["responses"]["200"]["content"]


def test_chair_schedules_a_series_of_last_fridays(client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    body = {
        "title": "MET monthly",
        "frequency": "monthly_weekday",
        "weekday": 4,
        "week_of_month": -1,
        "first_on": "2026-03-01",
        "until_on": "2026-05-31",
        "time": "09:30",
        "place": "Civic Offices",
    }
    response = client.post(f"{API}/series", json=body, headers=chair.headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["series"]["rule"] == "Monthly on the last Friday"
    assert [m["local_date"] for m in created["meetings"]] == ["2026-03-27", "2026-04-24", "2026-05-29"]
    assert {m["local_time"] for m in created["meetings"]} == {"09:30"}
    fifth = client.post(f"{API}/series", json=body | {"week_of_month": 5}, headers=chair.headers)
    assert fifth.status_code == 422 and set(fifth.get_json()["errors"]) == {"week_of_month"}
    with_date = client.post(f"{API}/series", json=body | {"date": "2026-03-01"}, headers=chair.headers)
    assert with_date.status_code == 422 and "date" in with_date.get_json()["errors"]
