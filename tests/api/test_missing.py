"""/api/v1/cases/{case_id}/missing-episodes: list, record, and record the return or interview."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from tests import factories
from tests.api.conftest import audit_rows

NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)


@pytest.fixture
def lead(make_api_user):
    set_now(NOW)
    return make_api_user(Role.LEAD_PROFESSIONAL)


@pytest.fixture
def case_id(app, lead):
    with app.app_context():
        return factories.case(lead=db.session.get(User, lead.id)).id


def _url(case_id, episode_id=None):
    base = f"/api/v1/cases/{case_id}/missing-episodes"
    return base if episode_id is None else f"{base}/{episode_id}"


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MissingEpisode))


def test_record_list_and_update(client, app, lead, case_id):
    response = client.post(
        _url(case_id),
        json={"went_missing_at": "2026-07-09T22:30:00+01:00", "reported_by": "Carer"},
        headers=lead.headers,
    )
    assert response.status_code == 201, response.get_json()
    episode = response.get_json()
    assert episode["went_missing_at"] == "2026-07-09T21:30:00+00:00"
    assert episode["returned_at"] is None and episode["rhi_due_at"] is None and not episode["rhi_overdue"]

    response = client.patch(
        _url(case_id, episode["id"]), json={"returned_at": "2026-07-10T06:00:00+00:00"}, headers=lead.headers
    )
    assert response.status_code == 200
    assert response.get_json()["rhi_due_at"] == "2026-07-13T06:00:00+00:00"

    response = client.patch(
        _url(case_id, episode["id"]),
        json={"rhi_status": "offered", "rhi_offered_at": "2026-07-10T09:00:00+00:00"},
        headers=lead.headers,
    )
    assert response.status_code == 200 and response.get_json()["rhi_status"] == "offered"

    listed = client.get(_url(case_id), headers=lead.headers).get_json()
    assert [e["id"] for e in listed["items"]] == [episode["id"]]
    assert listed["repeat_missing"] == {"flagged": False, "episodes_in_period": 1, "threshold": 3, "days": 90}
    assert [r["record_id"] for r in audit_rows(app, "missing.recorded")] == [str(episode["id"])]
    assert len(audit_rows(app, "missing.updated")) == 2
    assert audit_rows(app, "missing.listed")


def test_overdue_interview_and_repeat_flag(client, app, lead, case_id):
    for days in (50, 20, 4):
        start = (NOW - timedelta(days=days)).isoformat()
        back = (NOW - timedelta(days=days - 1)).isoformat()
        assert (
            client.post(
                _url(case_id), json={"went_missing_at": start, "returned_at": back}, headers=lead.headers
            ).status_code
            == 201
        )
    listed = client.get(_url(case_id), headers=lead.headers).get_json()
    assert listed["repeat_missing"]["flagged"] is True
    assert [e["rhi_overdue"] for e in listed["items"]] == [
        False,
        True,
        True,
    ]  # newest first: 3 days since return


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "went_missing_at"),
        ({"went_missing_at": "yesterday"}, "went_missing_at"),
        ({"went_missing_at": "2026-07-09T22:30:00"}, "went_missing_at"),  # no offset
        ({"went_missing_at": "2026-07-11T09:00:00+00:00"}, "went_missing_at"),  # future
        (
            {"went_missing_at": "2026-07-09T09:00:00+00:00", "returned_at": "2026-07-08T09:00:00+00:00"},
            "returned_at",
        ),
        ({"went_missing_at": "2026-07-09T09:00:00+00:00", "colour": "red"}, "colour"),
        ({"went_missing_at": "2026-07-09T09:00:00+00:00", "police_reference": "x" * 61}, "police_reference"),
    ],
)
def test_bad_episode_is_a_problem_naming_the_field(client, app, lead, case_id, body, field):
    response = client.post(_url(case_id), json=body, headers=lead.headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert _count(app) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rhi_status": "lost"}, "rhi_status"),
        ({"rhi_status": "offered"}, "rhi_offered_at"),
        ({"rhi_status": "offered", "rhi_offered_at": "2026-07-01T09:00:00+00:00"}, "rhi_offered_at"),
        ({"returned_at": "2026-07-11T09:00:00+00:00"}, "returned_at"),
        ({"returned_at": None}, "returned_at"),
        ({}, "request"),
    ],
)
def test_bad_update_is_a_problem_naming_the_field_and_changes_nothing(
    client, app, lead, case_id, body, field
):
    start = client.post(
        _url(case_id),
        json={"went_missing_at": "2026-07-08T09:00:00+00:00", "returned_at": "2026-07-09T09:00:00+00:00"},
        headers=lead.headers,
    ).get_json()
    response = client.patch(_url(case_id, start["id"]), json=body, headers=lead.headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    after = client.get(_url(case_id), headers=lead.headers).get_json()["items"][0]
    assert after == start


def test_outside_need_to_know_is_404(client, app, lead, case_id):
    with app.app_context():
        hidden = factories.case(lead=None)
        hidden_id = hidden.id
        episode = MissingEpisode(
            case_id=hidden_id, went_missing_at=NOW - timedelta(days=1), recorded_by_id=lead.id
        )
        db.session.add(episode)
        db.session.commit()
        episode_id = episode.id
    assert client.get(_url(hidden_id), headers=lead.headers).status_code == 404
    assert (
        client.post(
            _url(hidden_id), json={"went_missing_at": "2026-07-09T09:00:00+00:00"}, headers=lead.headers
        ).status_code
        == 404
    )
    # The episode id through a case the user may see is not found either.
    response = client.patch(
        _url(case_id, episode_id), json={"rhi_status": "not_possible"}, headers=lead.headers
    )
    assert response.status_code == 404


def test_in_the_openapi_document(client, lead):
    spec = client.get("/api/v1/openapi.json", headers=lead.headers).get_json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/cases/{case_id}/missing-episodes"])
    assert "patch" in spec["paths"]["/api/v1/cases/{case_id}/missing-episodes/{episode_id}"]


def test_a_second_open_episode_is_422_naming_went_missing_at(client, app, lead, case_id):
    first = client.post(
        _url(case_id), json={"went_missing_at": "2026-07-09T21:30:00+00:00"}, headers=lead.headers
    )
    assert first.status_code == 201
    second = client.post(
        _url(case_id), json={"went_missing_at": "2026-07-10T09:00:00+00:00"}, headers=lead.headers
    )
    assert second.status_code == 422
    problem = second.get_json()
    assert set(problem["errors"]) == {"went_missing_at"}
    assert "record the return of the open episode first" in problem["errors"]["went_missing_at"]
    assert _count(app) == 1


def test_an_overlapping_episode_or_return_is_422_and_nothing_changes(client, app, lead, case_id):
    earlier = {"went_missing_at": "2026-07-01T20:00:00+00:00", "returned_at": "2026-07-03T08:00:00+00:00"}
    assert client.post(_url(case_id), json=earlier, headers=lead.headers).status_code == 201
    later = client.post(
        _url(case_id), json={"went_missing_at": "2026-07-05T20:00:00+00:00"}, headers=lead.headers
    )
    assert later.status_code == 201
    overlapping = {"went_missing_at": "2026-07-02T20:00:00+00:00", "returned_at": "2026-07-04T08:00:00+00:00"}
    response = client.post(_url(case_id), json=overlapping, headers=lead.headers)
    assert response.status_code == 422
    assert "overlaps the missing episode" in response.get_json()["errors"]["went_missing_at"]
    assert _count(app) == 2
    # The earlier episode's return, corrected, may not run into the later one.
    first_id = min(e["id"] for e in client.get(_url(case_id), headers=lead.headers).get_json()["items"])
    response = client.patch(
        _url(case_id, first_id), json={"returned_at": "2026-07-06T08:00:00+00:00"}, headers=lead.headers
    )
    assert response.status_code == 422
    assert "went missing again" in response.get_json()["errors"]["returned_at"]
