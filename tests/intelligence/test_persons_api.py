"""/api/v1/locations, /api/v1/persons and POST /api/v1/intelligence/search."""

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.extensions import db
from mettrack.intelligence.models import Location, PersonOfConcern
from tests.intelligence.subject_helpers import make_world


@pytest.fixture
def world(app_ctx):
    from mettrack.accounts import tokens

    made = make_world()
    made["tokens"] = {
        who: tokens.create_token(made[who], name="test")[1] for who in ("chair", "officer", "lead", "sharer")
    }
    return made


@pytest.fixture
def api(client, world):
    def call(who, method, path, body=None):
        headers = {"Authorization": f"Bearer {world['tokens'][who]}"}
        return client.open(path, method=method, headers=headers, json=body)

    return call


def _count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)))


def test_a_lead_reads_the_person_with_hidden_children_as_a_count(api, world):
    body = api("lead", "GET", f"/api/v1/persons/{world['person'].id}").get_json()
    assert body["vehicles"] == [{"registration": "AB12CDE", "shown": "AB12 CDE", "description": None}]
    assert body["review_on"] is None
    linked = body["linked"]
    assert [c["child_name"] for c in linked["cases"]] == ["Casey Testchild"] and linked["hidden_cases"] == 1
    assert [i["text"] for i in linked["items"]] == ["A man has been seen at a hotel with a car."]
    assert api("lead", "GET", f"/api/v1/persons/{world['hidden_person'].id}").status_code == 404
    listed = api("lead", "GET", "/api/v1/persons").get_json()
    assert [p["id"] for p in listed["items"]] == [world["person"].id] and listed["total"] == 1
    place = api("lead", "GET", f"/api/v1/locations/{world['place'].id}").get_json()
    assert place["postcode"] == "PO1 2AB" and place["linked"]["cases"][0]["id"] == world["case"].id


def test_a_police_partner_creates_and_changes(api, world):
    made = api(
        "officer",
        "POST",
        "/api/v1/persons",
        {
            "name": "Jay Sample",
            "aliases": ["J"],
            "vehicles": [{"registration": "xy51 abc"}],
            "phones": [{"number": "07700 900456"}],
            "associations": [{"person_id": world["person"].id, "reliability": "possible"}],
            "review_on": "2027-03-20",
        },
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["vehicles"][0]["registration"] == "XY51ABC" and body["phones"][0]["number"] == "07700900456"
    patched = api("officer", "PATCH", f"/api/v1/persons/{body['id']}", {"version": 1, "approximate_age": 25})
    assert patched.status_code == 200 and patched.get_json()["version"] == 2
    stale = api("officer", "PATCH", f"/api/v1/persons/{body['id']}", {"version": 1, "approximate_age": 26})
    assert stale.status_code == 409
    place = api(
        "officer",
        "POST",
        "/api/v1/locations",
        {"name": "Quay Chicken", "location_type": "takeaway", "postcode": "po12ab"},
    )
    assert place.status_code == 201 and place.get_json()["postcode"] == "PO1 2AB"
    changed = api(
        "officer", "PATCH", f"/api/v1/locations/{place.get_json()['id']}", {"version": 1, "postcode": None}
    )
    assert changed.status_code == 200 and changed.get_json()["postcode"] is None


def test_others_may_not_write(api, world):
    assert api("lead", "POST", "/api/v1/persons", {"name": "X", "review_on": "2027-01-01"}).status_code == 403
    assert api("lead", "PATCH", f"/api/v1/locations/{world['place'].id}", {"version": 1}).status_code == 403


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/locations", {"name": "X", "location_type": "park", "postcode": "PO1"}, "postcode"),
        ("/api/v1/locations", {"name": "X", "location_type": "park", "colour": "red"}, "colour"),
        ("/api/v1/locations", {"name": "X", "location_type": "castle"}, "location_type"),
        ("/api/v1/locations", {"name": "X", "location_type": "park", "latitude": 50}, "longitude"),
        (
            "/api/v1/persons",
            {"name": "X", "review_on": "2027-01-01", "vehicles": [{"registration": "!!"}]},
            "vehicles",
        ),
        (
            "/api/v1/persons",
            {"name": "X", "review_on": "2027-01-01", "phones": [{"number": "999"}]},
            "phones",
        ),
        (
            "/api/v1/persons",
            {"name": "X", "review_on": "2027-01-01", "date_of_birth": "2001-02-30"},
            "date_of_birth",
        ),
        ("/api/v1/persons", {"name": "X", "review_on": "2027-01-01", "nickname": "Y"}, "nickname"),
        (
            "/api/v1/persons",
            {
                "name": "X",
                "review_on": "2027-01-01",
                "associations": [{"person_id": 999999, "reliability": "likely"}],
            },
            "associations",
        ),
        ("/api/v1/persons", {"name": "X"}, "review_on"),
    ],
)
def test_bad_input_is_422_naming_the_field_with_nothing_saved(api, path, body, field):
    before = (_count(Location), _count(PersonOfConcern))
    response = api("chair", "POST", path, body)
    assert response.status_code == 422, response.get_json()
    assert any(key.split(".")[0] == field for key in response.get_json()["errors"]), response.get_json()
    assert (_count(Location), _count(PersonOfConcern)) == before


def test_search_takes_its_text_in_the_body(api, world, client):
    found = api("lead", "POST", "/api/v1/intelligence/search", {"query": "Dale Exampel"}).get_json()
    assert [p["id"] for p in found["persons"]] == [world["person"].id] and found["kind"] == "name"
    plate = api(
        "chair", "POST", "/api/v1/intelligence/search", {"query": "ab12cde", "kind": "registration"}
    ).get_json()
    assert [p["matched"] for p in plate["persons"]] == ["AB12 CDE"]
    assert api("lead", "GET", "/api/v1/intelligence/search?query=Dale").status_code == 405
    unknown = api("lead", "POST", "/api/v1/intelligence/search", {"query": "Dale", "text": "x"})
    assert unknown.status_code == 422 and "text" in unknown.get_json()["errors"]
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "intelligence.searched")).all()
    assert len(rows) == 2 and not any("dale" in r.detail.lower() or "ab12" in r.detail.lower() for r in rows)


def test_the_openapi_document_lists_them(api):
    paths = api("chair", "GET", "/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/locations",
        "/api/v1/locations/{location_id}",
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/intelligence/search",
    ):
        assert path in paths, path
    assert (
        "post" in paths["/api/v1/intelligence/search"] and "get" not in paths["/api/v1/intelligence/search"]
    )


def test_a_description_that_blames_children_is_a_422_with_findings(api, world):
    from mettrack.language import seed_defaults

    seed_defaults()
    db.session.commit()
    body = {
        "name": "Jay Sample",
        "review_on": "2027-03-20",
        "description": "Says the girls are putting themselves at risk.",
    }
    flagged = api("chair", "POST", "/api/v1/persons", body)
    assert flagged.status_code == 422 and "description" in flagged.get_json()["errors"]
    assert "findings" in flagged.get_json()
    assert api("chair", "POST", "/api/v1/persons", {**body, "save_anyway": True}).status_code == 201
