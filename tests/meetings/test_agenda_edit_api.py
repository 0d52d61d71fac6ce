"""/api/v1/meetings/{id}/agenda/draft/items...: the MET chair's edits of the draft agenda
through the API (add a case, remove, restore, move); others 403, out of reach 404, bad
input 422 naming the field with nothing changed."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.accounts import tokens
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.meetings.models import AgendaItem
from tests import factories
from tests.meetings.issue_support import audit_rows, meeting_with_agenda, open_case

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(app_ctx):
    set_now(NOW)
    yield
    set_now(None)


def _headers(user) -> dict:
    _token, secret = tokens.create_token(user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def _rows(meeting) -> dict:
    db.session.expire_all()
    rows = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    return {
        r.id: (r.case_id, r.section, r.position, r.removed_reason, r.added_by_chair, r.moved_by_chair)
        for r in rows
    }


def test_the_chair_edits_the_draft_through_the_api(client):
    meeting, cases = meeting_with_agenda(2)
    chair = _headers(meeting.chair)
    base = f"/api/v1/meetings/{meeting.id}/agenda/draft/items"
    first, second = (
        db.session.scalar(select(AgendaItem.id).where(AgendaItem.case_id == c.id)) for c in cases
    )

    extra = open_case()
    added = client.post(base, json={"case_id": extra.id}, headers=chair)
    assert added.status_code == 201
    body = added.get_json()
    assert body["case_id"] == extra.id and body["added_by_chair"] and not body["removed"]
    assert "card" not in body and body["section_label"]
    row = db.session.get(AgendaItem, body["id"])
    assert row.meeting_id == meeting.id and row.added_by_chair
    (audit,) = audit_rows("agenda.item_added")
    assert audit["record_id"] == body["id"] and audit["detail"]["case_id"] == extra.id
    assert audit["actor_user_id"] == meeting.chair.id

    moved = client.post(f"{base}/{second}/move", json={"direction": "up"}, headers=chair)
    assert moved.status_code == 200 and moved.get_json()["position"] == 0
    assert _rows(meeting)[second][2] == 0 and _rows(meeting)[first][2] == 1
    moved = client.post(f"{base}/{second}/move", json={"position": 2}, headers=chair)
    assert moved.status_code == 200 and moved.get_json()["moved_by_chair"]
    assert _rows(meeting)[second][2] == 1
    assert [a["detail"]["position"] for a in audit_rows("agenda.item_moved")] == [1, 2]

    removed = client.post(f"{base}/{first}/remove", json={"reason": "Seen at strategy"}, headers=chair)
    assert removed.status_code == 200
    assert removed.get_json()["removed"] and removed.get_json()["removed_reason"] == "Seen at strategy"
    assert _rows(meeting)[first][3] == "Seen at strategy"
    (audit,) = audit_rows("agenda.item_removed")
    assert audit["record_id"] == first and "Seen at strategy" not in str(audit["detail"])
    draft = client.get(f"/api/v1/meetings/{meeting.id}/agenda/draft", headers=chair).get_json()
    assert [i["id"] for i in draft["removed"]] == [first]

    restored = client.post(f"{base}/{first}/restore", json={}, headers=chair)
    assert restored.status_code == 200 and not restored.get_json()["removed"]
    assert _rows(meeting)[first][3] is None
    assert [a["record_id"] for a in audit_rows("agenda.item_restored")] == [first]
    assert client.post(f"{base}/{first}/restore", headers=chair).status_code == 422  # on it already


def test_refusals_change_nothing(client):
    member = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    analyst = factories.user(roles=[Role.ANALYST])
    meeting, cases = meeting_with_agenda(2, members=[member])
    other_meeting, _ = meeting_with_agenda(1, chair=meeting.chair)
    chair = _headers(meeting.chair)
    base = f"/api/v1/meetings/{meeting.id}/agenda/draft/items"
    item = db.session.scalar(select(AgendaItem.id).where(AgendaItem.case_id == cases[0].id))
    other_item = db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == other_meeting.id))
    before = _rows(meeting)

    for headers in (_headers(member), _headers(analyst)):
        assert client.post(base, json={"case_id": cases[1].id}, headers=headers).status_code == 403
        assert client.post(f"{base}/{item}/remove", json={"reason": "x"}, headers=headers).status_code == 403
        assert client.post(f"{base}/{item}/restore", json={}, headers=headers).status_code == 403
        assert (
            client.post(f"{base}/{item}/move", json={"direction": "up"}, headers=headers).status_code == 403
        )

    def refused(path, body, field):
        response = client.post(path, json=body, headers=chair)
        assert response.status_code == 422, (path, body, response.get_json())
        assert field in str(response.get_json()["errors"]), (path, body, response.get_json())

    refused(base, {}, "case_id")
    refused(base, {"case_id": "7"}, "case_id")
    refused(base, {"case_id": 0}, "case_id")
    refused(base, {"case_id": cases[0].id}, "case_id")  # already on the agenda
    refused(base, {"case_id": cases[0].id, "section": "x"}, "section")
    refused(f"{base}/{item}/remove", {}, "reason")
    refused(f"{base}/{item}/remove", {"reason": " "}, "reason")
    refused(f"{base}/{item}/remove", {"reason": "x" * 501}, "reason")
    refused(f"{base}/{item}/remove", {"reason": "x", "why": "y"}, "why")
    refused(f"{base}/{item}/restore", {"x": 1}, "x")
    refused(f"{base}/{item}/restore", {}, "item")  # not removed
    refused(f"{base}/{item}/move", {}, "direction")
    refused(f"{base}/{item}/move", {"direction": "left"}, "direction")
    refused(f"{base}/{item}/move", {"direction": "up", "position": 1}, "direction")
    refused(f"{base}/{item}/move", {"position": 0}, "position")
    refused(f"{base}/{item}/move", {"position": "1"}, "position")
    refused(f"{base}/{item}/move", {"position": True}, "position")
    assert _rows(meeting) == before
    assert not any(
        audit_rows(a)
        for a in ("agenda.item_added", "agenda.item_removed", "agenda.item_restored", "agenda.item_moved")
    )

    # Not found: a meeting that is not there, an item on another meeting, a case out of reach.
    assert (
        client.post(
            "/api/v1/meetings/999999/agenda/draft/items", json={"case_id": 1}, headers=chair
        ).status_code
        == 404
    )
    assert client.post(f"{base}/{other_item}/remove", json={"reason": "x"}, headers=chair).status_code == 404
    assert (
        client.post(f"{base}/{other_item}/move", json={"direction": "up"}, headers=chair).status_code == 404
    )
    assert client.post(f"{base}/999999/restore", json={}, headers=chair).status_code == 404
    assert client.post(base, json={"case_id": 2_000_000_000}, headers=chair).status_code == 404
    assert _rows(meeting) == before


def test_the_openapi_document_has_the_edit_paths(client):
    spec = client.get(
        "/api/v1/openapi.json", headers=_headers(factories.user(roles=[Role.PARTNER]))
    ).get_json()
    paths = spec["paths"]
    base = "/api/v1/meetings/{meeting_id}/agenda/draft/items"
    assert "post" in paths[base]
    for action in ("remove", "restore", "move"):
        assert "post" in paths[f"{base}/{{item_id}}/{action}"]
    assert "201" in paths[base]["post"]["responses"]
