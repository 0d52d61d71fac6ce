"""/api/v1/meetings/{id}/minutes: read, record an item, apply, approve."""

import pytest

from mettrack.cases.models import Case
from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from mettrack.meetings.models import Meeting
from tests import factories
from tests.api.conftest import ApiUser, audit_rows
from tests.meetings import factories as meeting_factories
from tests.meetings.minutes_setup import MEETING_AT, on_agenda, start


@pytest.fixture
def make_api_user(app):
    """As tests/api/conftest.py's fixture of the same name: a user and a token of theirs."""

    def make(role) -> ApiUser:
        from mettrack.accounts import tokens

        with app.app_context():
            user = factories.user(roles=[role])
            _token, secret = tokens.create_token(user, name="test")
            return ApiUser(user.id, secret)

    return make


def _world(app, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    member = make_api_user(Role.LEAD_PROFESSIONAL)
    outsider = make_api_user(Role.PARTNER)
    with app.app_context():
        start()
        from mettrack.accounts.models import User

        meeting = meeting_factories.meeting(
            chair=db.session.get(User, chair.id),
            members=[db.session.get(User, member.id)],
            starts_at=MEETING_AT,
        )
        ok = factories.case(state=CaseState.MET_REVIEW)
        late = factories.case(state=CaseState.MET_REVIEW)
        on_agenda(meeting, ok, late)
        return chair, member, outsider, meeting.id, ok.id, late.id


def test_chair_records_applies_and_approves_by_the_api(app, client, make_api_user):
    chair, member, outsider, meeting_id, ok, late = _world(app, make_api_user)
    base = f"/api/v1/meetings/{meeting_id}/minutes"
    r = client.post(
        f"{base}/items/{ok}",
        json={
            "discussion": "Discussed.",
            "police_tier": "high",
            "police_team": "hants_met_team",
            "actions": [{"description": "Call the carer", "owner_id": member.id, "due_on": "2026-03-20"}],
        },
        headers=chair.headers,
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["police_tier"] == "high"
    r = client.post(f"{base}/items/{late}", json={"risk_level": "severe"}, headers=chair.headers)
    assert r.status_code == 422
    r = client.post(
        f"{base}/items/{late}", json={"close": True, "exit_reason": "risk_reduced"}, headers=chair.headers
    )
    assert r.status_code == 200

    r = client.get(base, headers=chair.headers)
    body = r.get_json()
    assert r.status_code == 200 and body["approved"] is None and len(body["draft"]["items"]) == 2

    r = client.post(f"{base}/apply", headers=chair.headers)
    assert r.status_code == 200 and sorted(r.get_json()["case_ids"]) == sorted([ok, late])
    assert client.post(f"{base}/apply", headers=chair.headers).status_code == 409
    with app.app_context():
        assert db.session.get(Case, late).state == CaseState.CLOSED

    r = client.post(f"{base}/approve", json={}, headers=chair.headers)
    assert r.status_code == 201 and r.get_json()["number"] == 1
    r = client.post(f"{base}/approve", json={}, headers=chair.headers)
    assert r.status_code == 422 and "correction_reason" in r.get_json()["errors"]

    r = client.get(base, headers=member.headers)
    body = r.get_json()
    assert r.status_code == 200 and body["approved"]["number"] == 1 and body["draft"] is None
    assert body["approved"]["content"]["items"][0]["actions"][0]["description"] == "Call the carer"
    assert client.get(base, headers=outsider.headers).status_code == 404
    assert client.post(f"{base}/apply", headers=member.headers).status_code == 403
    reads = audit_rows(app, "minutes.viewed")
    assert [r["actor_user_id"] for r in reads] == [chair.id, member.id]


def test_a_refusal_is_a_problem_listing_each_case(app, client, make_api_user):
    chair, member, outsider, meeting_id, ok, late = _world(app, make_api_user)
    base = f"/api/v1/meetings/{meeting_id}/minutes"
    for case_id in (ok, late):
        tier = {"police_tier": "high", "police_team": "hants_met_team"}
        assert client.post(f"{base}/items/{case_id}", json=tier, headers=chair.headers).status_code == 200
    with app.app_context():
        from mettrack.accounts.models import User
        from mettrack.cases import apply

        apply(
            db.session.get(User, chair.id),
            late,
            "close",
            {"exit_reason": "turned_18"},
            db.session.get(Case, late).version,
        )
    r = client.post(f"{base}/apply", headers=chair.headers)
    assert r.status_code == 422
    problem = r.get_json()
    assert [(x["case_id"], x["decision"]) for x in problem["refusals"]] == [(late, "Police tier")]
    assert f"case_{late}" in problem["errors"]
    with app.app_context():
        assert db.session.get(Case, ok).state == CaseState.MET_REVIEW
        assert db.session.get(Meeting, meeting_id).decisions_applied_at is None


def test_openapi_documents_the_minutes(app, client, make_api_user):
    user = make_api_user(Role.MET_CHAIR)
    paths = client.get("/api/v1/openapi.json", headers=user.headers).get_json()["paths"]
    for path in ("/minutes", "/minutes/items/{case_id}", "/minutes/apply", "/minutes/approve"):
        assert f"/api/v1/meetings/{{meeting_id}}{path}" in paths
