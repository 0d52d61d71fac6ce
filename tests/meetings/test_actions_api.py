"""/api/v1/actions: the list, one action, done, not done and updates."""

import json
from datetime import UTC, datetime

import pytest

from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.language import seed_defaults
from tests.meetings.action_helpers import make_world

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.fixture
def world(app):
    from mettrack.accounts import tokens

    with app.app_context():
        set_now(NOW)
        seed_defaults()
        db.session.commit()
        made = make_world()
        made["tokens"] = {
            who: tokens.create_token(user, name="test")[1] for who, user in made["users"].items()
        }
        return made


@pytest.fixture
def api(client, world):
    def call(who, method, path, body=None):
        headers = {"Authorization": f"Bearer {world['tokens'][who]}"}
        return client.open(path, method=method, headers=headers, json=body)

    return call


def test_list_filters_and_hides_the_case_from_an_owner_without_access(api, world):
    response = api("owner", "GET", "/api/v1/actions?owner=me")
    assert response.status_code == 200
    body = response.get_json()
    assert [i["id"] for i in body["items"]] == [world["a"]] and body["total"] == 1
    item = body["items"][0]
    assert item["case_id"] is None and item["case_hidden"] is True and item["overdue"] is True
    text = response.get_data(as_text=True)
    assert world["child_first"] not in text and world["child_last"] not in text
    chair = api("chair", "GET", f"/api/v1/actions?case={world['case']}&status=open").get_json()
    assert [i["case_id"] for i in chair["items"]] == [world["case"], world["case"]]
    assert api("chair", "GET", "/api/v1/actions?overdue=true").get_json()["total"] == 1
    assert api("chair", "GET", f"/api/v1/actions?meeting={world['later']}").get_json()["total"] == 1


@pytest.mark.parametrize("query", ["owner=nobody", "status=finished", "due_before=soon", "per_page=500"])
def test_bad_filters_are_422_naming_the_field(api, query):
    response = api("chair", "GET", f"/api/v1/actions?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.get_json()["errors"]


def test_one_action_with_its_history(api, world):
    body = api("owner", "GET", f"/api/v1/actions/{world['a']}").get_json()
    assert [h["kind"] for h in body["history"]] == ["raised", "carried_forward"]
    assert body["history"][1]["meeting"]["id"] == world["later"]
    assert body["case_id"] is None


def test_done_then_a_stale_version_is_409(api, world):
    response = api("owner", "POST", f"/api/v1/actions/{world['a']}/done", {"version": 1, "note": "Held."})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "done" and body["version"] == 2 and body["history"][-1]["kind"] == "done"
    stale = api("chair", "POST", f"/api/v1/actions/{world['b']}/notes", {"version": 1, "note": "One"})
    assert stale.status_code == 200
    again = api("chair", "POST", f"/api/v1/actions/{world['b']}/notes", {"version": 1, "note": "Two"})
    assert again.status_code == 409


def test_not_done_other_needs_text(api, world):
    response = api(
        "owner", "POST", f"/api/v1/actions/{world['a']}/not-done", {"version": 1, "reason": "other"}
    )
    assert response.status_code == 422 and "note" in response.get_json()["errors"]
    response = api(
        "owner",
        "POST",
        f"/api/v1/actions/{world['a']}/not-done",
        {"version": 1, "reason": "other", "note": "The family moved away."},
    )
    assert response.status_code == 200 and response.get_json()["not_done_reason"] == "other"


def test_flagged_note_is_422_with_findings_until_saved_anyway(api, world):
    body = {"version": 1, "note": "She is putting herself at risk."}
    response = api("owner", "POST", f"/api/v1/actions/{world['a']}/notes", body)
    assert response.status_code == 422 and response.get_json()["findings"]
    response = api("owner", "POST", f"/api/v1/actions/{world['a']}/notes", {**body, "save_anyway": True})
    assert response.status_code == 200


def test_roles_members_and_non_members(api, world):
    assert api("analyst", "GET", "/api/v1/actions").status_code == 403
    assert api("outsider", "GET", f"/api/v1/actions/{world['a']}").status_code == 404
    assert api("outsider", "POST", f"/api/v1/actions/{world['a']}/done", {"version": 1}).status_code == 404
    assert api("member", "POST", f"/api/v1/actions/{world['a']}/done", {"version": 1}).status_code == 403
    assert api("member", "GET", f"/api/v1/actions/{world['a']}").status_code == 200


def test_in_the_openapi_document(api):
    paths = json.loads(api("chair", "GET", "/api/v1/openapi.json").get_data(as_text=True))["paths"]
    for path in (
        "/api/v1/actions",
        "/api/v1/actions/{action_id}",
        "/api/v1/actions/{action_id}/done",
        "/api/v1/actions/{action_id}/not-done",
        "/api/v1/actions/{action_id}/notes",
    ):
        assert path in paths
