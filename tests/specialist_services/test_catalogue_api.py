"""/api/v1/services: every active service with its provider, ages, types, capacity, load
and waiting requests for any case role; one service; an admin adds and changes one
(partly), with 422 naming each bad field and nothing saved; the OpenAPI document."""

import pytest
from sqlalchemy import func, select

from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from mettrack.specialist_services import catalogue
from mettrack.specialist_services.models import SpecialistService
from tests import factories

API = "/api/v1/services"


@pytest.fixture
def world(app):
    from mettrack.accounts import tokens

    with app.app_context():
        people = {
            "admin": factories.user(roles=[Role.ADMIN], agency="Youth Justice Service"),
            "coordinator": factories.user(roles=[Role.COORDINATOR]),
            "partner": factories.user(roles=[Role.PARTNER], agency="PARCS"),
            "analyst": factories.user(roles=[Role.ANALYST]),
        }
        catalogue.add_missing_defaults()
        parcs = _service("parcs")
        parcs.agency_id = people["partner"].agency_id
        _service("edge_of_care").active = False
        db.session.commit()
        by = people["coordinator"].id
        first = factories.case(state=CaseState.POLICE_TIERED)
        second = factories.case(state=CaseState.POLICE_TIERED)
        db.session.add_all(
            [
                factories.accepted_service(first.id, by, "parcs"),
                factories.accepted_service(second.id, by, "parcs"),
                factories.service_request(first.id, by, "dass"),
            ]
        )
        db.session.commit()
        return {
            "tokens": {who: tokens.create_token(user, name="test")[1] for who, user in people.items()},
            "agency_id": people["admin"].agency_id,
            "partner_agency_id": people["partner"].agency_id,
            "parcs": parcs.id,
        }


def _service(code: str) -> SpecialistService:
    return db.session.scalar(select(SpecialistService).where(SpecialistService.code == code))


@pytest.fixture
def api(client, world):
    def call(who, method, path, body=None):
        headers = {"Authorization": f"Bearer {world['tokens'][who]}"}
        return client.open(path, method=method, headers=headers, json=body)

    return call


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SpecialistService))


def test_any_case_role_lists_the_active_services_with_load_and_waiting(api, world):
    answer = api("partner", "GET", API)
    assert answer.status_code == 200
    items = {s["code"]: s for s in answer.get_json()["items"]}
    assert "edge_of_care" not in items
    parcs = items["parcs"]
    assert parcs["id"] == world["parcs"]
    assert (parcs["agency_id"], parcs["agency_name"]) == (world["partner_agency_id"], "PARCS")
    assert parcs["exploitation_types"] == ["cse"]
    assert (parcs["min_age"], parcs["max_age"], parcs["capacity"]) == (10, 18, 25)
    assert (parcs["load"], parcs["waiting"]) == (2, 0)
    assert (items["dass"]["load"], items["dass"]["waiting"]) == (0, 1)
    assert items["early_help"]["capacity"] is None
    assert set(parcs) == {
        "id", "code", "name", "agency_id", "agency_name", "offers", "exploitation_types", "min_age",
        "max_age", "contact", "capacity", "active", "sort_order", "load", "waiting",
    }  # fmt: skip
    one = api("coordinator", "GET", f"{API}/{world['parcs']}")
    assert one.status_code == 200 and one.get_json()["load"] == 2
    assert api("coordinator", "GET", f"{API}/987654").status_code == 404
    assert api("analyst", "GET", API).status_code == 403


def test_an_admin_adds_a_service(api, world, app):
    body = {
        "code": "youth_justice",
        "name": "Youth Justice Service",
        "agency_id": world["agency_id"],
        "exploitation_types": ["cce"],
        "min_age": 10,
        "max_age": 17,
        "capacity": 12,
    }
    assert api("coordinator", "POST", API, body).status_code == 403
    answer = api("admin", "POST", API, body)
    assert answer.status_code == 201, answer.get_json()
    made = answer.get_json()
    assert answer.headers["Location"].endswith(f"{API}/{made['id']}")
    assert made["code"] == "youth_justice" and made["agency_name"] == "Youth Justice Service"
    assert (made["load"], made["waiting"], made["active"]) == (0, 0, True)
    again = api("admin", "POST", API, body)
    assert again.status_code == 422 and "code" in again.get_json()["errors"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "Bad Code"}, "code"),
        ({"agency_id": 987654}, "agency_id"),
        ({"agency_id": "1"}, "agency_id"),
        ({"exploitation_types": ["trafficking"]}, "exploitation_types"),
        ({"min_age": 30}, "min_age"),
        ({"min_age": 17, "max_age": 12}, "min_age"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 10**12}, "capacity"),
        ({"sort_order": 1.5}, "sort_order"),
        ({"name": None}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_field_is_a_422_naming_it_and_nothing_is_saved(api, world, app, changes, field):
    body = {"code": "youth_justice", "name": "Youth Justice Service", "agency_id": world["agency_id"]}
    before = _count(app)
    answer = api("admin", "POST", API, body | changes)
    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]
    assert _count(app) == before


def test_an_admin_changes_a_service_partly(api, world, app):
    path = f"{API}/{world['parcs']}"
    assert api("partner", "PATCH", path, {"capacity": 30}).status_code == 403
    answer = api("admin", "PATCH", path, {"capacity": None, "contact": "parcs@example.org"})
    assert answer.status_code == 200, answer.get_json()
    changed = answer.get_json()
    assert changed["capacity"] is None and changed["contact"] == "parcs@example.org"
    assert changed["name"] == "PARCS" and changed["max_age"] == 18 and changed["load"] == 2
    bad = api("admin", "PATCH", path, {"max_age": 5})
    assert bad.status_code == 422 and "min_age" in bad.get_json()["errors"]
    assert api("admin", "PATCH", path, {"code": "renamed"}).status_code == 422  # unknown: never changes
    off = api("admin", "PATCH", path, {"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert world["parcs"] not in [s["id"] for s in api("partner", "GET", API).get_json()["items"]]
    assert api("admin", "PATCH", f"{API}/987654", {"capacity": 3}).status_code == 404


def test_the_openapi_document_describes_the_services(api):
    spec = api("partner", "GET", "/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/services"])
    assert {"get", "patch"} <= set(spec["paths"]["/api/v1/services/{service_id}"])
    fields = spec["components"]["schemas"]["Service"]["properties"]
    assert {"load", "waiting", "capacity", "agency_name"} <= set(fields)
