"""/api/v1/disruption-actions: list, record, read, change; unknown fields and bad values
422 naming the field with nothing saved; the OpenAPI document lists the resource."""

import pytest
from sqlalchemy import func, select

from mettrack.core.extensions import db
from mettrack.intelligence.models import DisruptionAction
from tests.intelligence.disruption_helpers import make_world


@pytest.fixture
def world(app):
    from mettrack.accounts import tokens

    with app.app_context():
        made = make_world()
        return {
            "person": made["person"].id,
            "place": made["place"].id,
            "cases": {k: c.id for k, c in made["cases"].items()},
            "tokens": {
                who: tokens.create_token(made[who], name="test")[1]
                for who in ("officer", "chair", "lead", "stranger")
            },
        }


@pytest.fixture
def api(client, world):
    def call(who, method, path, body=None):
        headers = {"Authorization": f"Bearer {world['tokens'][who]}"}
        return client.open(path, method=method, headers=headers, json=body)

    return call


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DisruptionAction))


def sro(world, **more):
    return {
        "kind": "sro",
        "person_id": world["person"],
        "status": "in_force",
        "starts_on": "2026-03-01",
        "expires_on": "2028-03-01",
        "protected_case_ids": [world["cases"]["young"]],
        **more,
    }


def test_record_read_list_and_change(api, world):
    made = api("officer", "POST", "/api/v1/disruption-actions", sro(world))
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["kind"] == "sro" and body["expires_on"] == "2028-03-01" and body["version"] == 1
    assert body["protected"] == [{"case_id": world["cases"]["young"], "name": "Ayla Example"}]
    one = api("lead", "GET", f"/api/v1/disruption-actions/{body['id']}")
    assert one.status_code == 200 and one.get_json()["id"] == body["id"]
    assert [i["id"] for i in api("lead", "GET", "/api/v1/disruption-actions").get_json()["items"]] == [
        body["id"]
    ]
    assert api("stranger", "GET", "/api/v1/disruption-actions").get_json()["items"] == []
    assert api("stranger", "GET", f"/api/v1/disruption-actions/{body['id']}").status_code == 404
    changed = api(
        "chair", "PATCH", f"/api/v1/disruption-actions/{body['id']}", {"version": 1, "status": "expired"}
    )
    assert changed.status_code == 200 and changed.get_json()["status"] == "expired"
    assert changed.get_json()["expires_on"] == "2028-03-01"
    stale = api("chair", "PATCH", f"/api/v1/disruption-actions/{body['id']}", {"version": 1, "details": "x"})
    assert stale.status_code == 409
    assert api("lead", "PATCH", f"/api/v1/disruption-actions/{body['id']}", {"version": 2}).status_code == 403


def test_a_cawn_for_an_18_year_old_is_refused_naming_the_field(api, world, app):
    response = api(
        "officer",
        "POST",
        "/api/v1/disruption-actions",
        {"kind": "cawn", "person_id": world["person"], "protected_case_ids": [world["cases"]["adult"]]},
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert "protected_case_ids" in str(problem) and "18 or over" in str(problem)
    assert _count(app) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "nope"}, "kind"),
        ({"person_id": 999999}, "person_id"),
        ({"owner_agency_id": 999999}, "owner_agency_id"),
        ({"expires_on": "2026-01-01"}, "expires_on"),
        ({"person_id": "seven"}, "person_id"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, world, app, change, field):
    response = api("officer", "POST", "/api/v1/disruption-actions", sro(world, **change))
    assert response.status_code == 422
    assert field in str(response.get_json())
    assert _count(app) == 0


def test_unknown_fields_on_a_change_are_refused(api, world):
    made = api("officer", "POST", "/api/v1/disruption-actions", sro(world)).get_json()
    response = api(
        "officer", "PATCH", f"/api/v1/disruption-actions/{made['id']}", {"version": 1, "colour": "red"}
    )
    assert response.status_code == 422 and "colour" in str(response.get_json())


def test_in_the_openapi_document(client, world):
    headers = {"Authorization": f"Bearer {world['tokens']['officer']}"}
    spec = client.get("/api/v1/openapi.json", headers=headers).get_json()
    assert "/api/v1/disruption-actions" in spec["paths"]
    assert {"get", "patch"} <= set(spec["paths"]["/api/v1/disruption-actions/{action_id}"])
