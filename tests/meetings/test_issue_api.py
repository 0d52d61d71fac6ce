"""/api/v1/meetings/{id}/agenda: read the issued versions (full, sanitised, ?version),
list them, issue (a MET chair); members read, non-members 404, other roles 403."""

from datetime import UTC, datetime

import pytest

from mettrack.accounts import tokens
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories
from tests.meetings import factories as meeting_factories
from tests.meetings.issue_support import audit_rows, meeting_with_agenda

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(app_ctx):
    set_now(NOW)
    yield
    set_now(None)


def _headers(user) -> dict:
    _token, secret = tokens.create_token(user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def test_issue_read_and_list_through_the_api(client):
    member = factories.user(roles=[Role.COORDINATOR])
    meeting, cases = meeting_with_agenda(2, members=[member])
    chair = _headers(meeting.chair)
    base = f"/api/v1/meetings/{meeting.id}/agenda"
    assert client.get(base, headers=_headers(member)).status_code == 404  # none issued yet
    response = client.post(f"{base}/versions", json={"note": "First"}, headers=chair)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["number"] == 1 and body["view"] == "full" and body["pdf"]["status"] == "pending"
    assert body["pdf"]["path"] == f"/meetings/{meeting.id}/agenda/versions/1.pdf"
    cases[0].child.address = "5 Changed Lane, Testtown"
    db.session.commit()
    assert client.post(f"{base}/versions", json={}, headers=chair).status_code == 201

    member_headers = _headers(member)
    latest = client.get(base, headers=member_headers)
    assert latest.status_code == 200 and latest.headers["Cache-Control"] == "no-store"
    assert latest.get_json()["number"] == 2
    assert [c["kind"] for c in latest.get_json()["changes"]] == ["changed"]
    first = client.get(f"{base}?version=1", headers=member_headers).get_json()
    assert first["number"] == 1 and first["note"] == "First"
    names = [i["card"]["name"] for s in first["sections"] for i in s["items"]]
    assert names == [c.child.display_name for c in cases]
    sanitised = client.get(f"{base}?version=2&view=sanitised", headers=member_headers).get_json()
    assert sanitised["view"] == "sanitised" and sanitised["changes"] == []
    listed = client.get(f"{base}/versions", headers=member_headers).get_json()["items"]
    assert [v["number"] for v in listed] == [2, 1]
    assert listed[0]["changes"][0]["fields"][0]["field"] == "address"
    assert listed[0]["pdfs"]["sanitised"]["status"] == "pending"
    reads = audit_rows("agenda.viewed")
    assert len(reads) == 4 and all(r["record_id"] == meeting.id for r in reads)


def test_refusals(client):
    member = factories.user(roles=[Role.PARTNER])
    outsider = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    analyst = factories.user(roles=[Role.ANALYST])
    meeting, _cases = meeting_with_agenda(1, members=[member])
    base = f"/api/v1/meetings/{meeting.id}/agenda"
    assert client.post(f"{base}/versions", json={}, headers=_headers(member)).status_code == 403
    assert (
        client.post(f"{base}/versions", json={"note": 5}, headers=_headers(meeting.chair)).status_code == 422
    )
    assert client.post(f"{base}/versions", json={"x": 1}, headers=_headers(meeting.chair)).status_code == 422
    assert client.post(f"{base}/versions", json={}, headers=_headers(meeting.chair)).status_code == 201
    assert client.get(base, headers=_headers(outsider)).status_code == 404
    assert client.get(f"{base}/versions", headers=_headers(outsider)).status_code == 404
    assert client.get(base, headers=_headers(analyst)).status_code == 403
    member_headers = _headers(member)
    assert client.get(f"{base}?view=everything", headers=member_headers).status_code == 422
    assert client.get(f"{base}?version=0", headers=member_headers).status_code == 422
    assert client.get(f"{base}?version=abc", headers=member_headers).status_code == 422
    assert client.get(f"{base}?version=99999999999999", headers=member_headers).status_code == 422
    assert client.get(f"{base}?version=3", headers=member_headers).status_code == 404
    empty = meeting_factories.meeting(chair=meeting.chair)
    refused = client.post(
        f"/api/v1/meetings/{empty.id}/agenda/versions", json={}, headers=_headers(meeting.chair)
    )
    assert refused.status_code == 422 and "agenda" in refused.get_json()["errors"]


def test_the_openapi_document_has_the_agenda_paths(client):
    user = factories.user(roles=[Role.PARTNER])
    spec = client.get("/api/v1/openapi.json", headers=_headers(user)).get_json()
    paths = spec["paths"]
    assert "get" in paths["/api/v1/meetings/{meeting_id}/agenda"]
    assert {"get", "post"} <= set(paths["/api/v1/meetings/{meeting_id}/agenda/versions"])
