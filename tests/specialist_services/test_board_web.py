"""The services board through its page (/services/board) and the API
(/api/v1/services/board): the same order, loads and filters; who may see it."""

import json
import re

import pytest
from sqlalchemy import select

from mettrack.accounts import tokens
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.specialist_services.models import ServiceRequest, SpecialistService
from tests import factories
from tests.specialist_services.board_world import build_world
from tests.web.test_case_page import no_database_while_rendering  # noqa: F401 (a fixture)

ORDER = ["waiting", "nothing", "declined", "active"]


@pytest.fixture
def world(app):
    with app.app_context():
        built = build_world()
        accepted = db.session.scalar(select(ServiceRequest).where(ServiceRequest.case_id == built["active"]))
        full = db.session.get(SpecialistService, accepted.service_id)
        full.capacity = 1  # the walked case's service is now full
        db.session.commit()
        ids = {name: value for name, value in built.items() if isinstance(value, int)}
        ids["full_service"] = full.code
        ids["coordinator_email"] = built["coordinator"].email
        return ids


def _token(app, role) -> dict:
    with app.app_context():
        _row, secret = tokens.create_token(factories.user(roles=[role]), name="test")
    return {"Authorization": f"Bearer {secret}"}


def _card_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="case-(\d+)"', html)]


# --- the page


def test_the_page_lists_cases_without_an_active_service_first_and_shows_loads(client, auth, world):
    auth.login(world["coordinator_email"])
    response = client.get("/services/board")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _card_ids(html) == [world[name] for name in ORDER]
    assert world["closed"] not in _card_ids(html) and world["screened"] not in _card_ids(html)
    load_row = re.search(rf'id="load-{world["full_service"]}".*?</tr>', html, re.S).group(0)
    assert "At capacity" in load_row and ">1<" in load_row.replace(" ", "")
    assert f'href="/cases/{world["waiting"]}"' in html
    active_card = html[html.index(f'id="case-{world["active"]}"') :]
    assert "Working with 1 of 1 children" in active_card and "At capacity" in active_card
    assert "waiting 6 working days" in html and "Answer overdue" in html
    assert "No worker free until May" in html
    assert "Services board" in html  # in the navigation


def test_the_template_only_renders(client, auth, world, no_database_while_rendering):  # noqa: F811
    auth.login(world["coordinator_email"])
    assert client.get("/services/board").status_code == 200
    assert "specialist_services/board.html" in no_database_while_rendering


def test_the_page_filters_by_codes(client, auth, world):
    auth.login(world["coordinator_email"])
    html = client.get("/services/board?service=dass").get_data(as_text=True)
    assert _card_ids(html) == [world["waiting"]]
    html = client.get("/services/board?no_active_service=true&risk_level=high").get_data(as_text=True)
    assert _card_ids(html) == [world["nothing"]]
    assert 'id="active-filters"' in html


def test_a_bad_filter_is_shown_beside_its_field(client, auth, world):
    auth.login(world["coordinator_email"])
    response = client.get("/services/board?waiting_more_than=lots&state=met_review")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "working days waited" in html
    assert _card_ids(html) == [world["nothing"]]  # the good filter is kept
    html = client.get("/services/board?overdue=maybe").get_data(as_text=True)
    assert html.count("An answer is overdue: use true or false") == 2  # the summary, and beside the field


def test_the_chair_sees_the_board(client, auth, world):
    auth.as_role(Role.MET_CHAIR)
    assert _card_ids(client.get("/services/board").get_data(as_text=True)) == [world[n] for n in ORDER]


@pytest.mark.parametrize("role", [Role.LEAD_PROFESSIONAL, Role.PARTNER])
def test_a_lead_professional_or_partner_gets_403_and_no_link(client, auth, world, role):
    auth.as_role(role)
    assert client.get("/services/board").status_code == 403
    assert "Services board" not in client.get("/").get_data(as_text=True)


# --- the API


def test_the_api_gives_the_same_board(app, client, world):
    response = client.get("/api/v1/services/board", headers=_token(app, Role.COORDINATOR))
    assert response.status_code == 200
    body = response.get_json()
    assert [c["id"] for c in body["cases"]] == [world[name] for name in ORDER]
    first = body["cases"][0]
    assert first["has_active_service"] is False and first["longest_wait"] == 6 and first["overdue"] is True
    assert first["requested"][0]["service"] == "dass" and first["requested"][0]["waiting_days"] == 6
    declined = next(c for c in body["cases"] if c["id"] == world["declined"])
    assert declined["declined"][0]["decline_reason"] == "No worker free until May"
    loads = {load["service"]: load for load in body["loads"]}
    assert loads[world["full_service"]]["load"] == 1 and loads[world["full_service"]]["at_capacity"] is True
    assert "child_name" in first and body["today"] == "2026-04-08"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=met_review", ["nothing"]),
        ("waiting_more_than=5", ["waiting"]),
        ("overdue=true", ["waiting"]),
        ("service=parcs&service=dass", ["waiting", "declined"]),
        ("risk_level=medium", ["declined", "active"]),
    ],
)
def test_the_api_filters(app, client, world, query, expected):
    response = client.get(f"/api/v1/services/board?{query}", headers=_token(app, Role.COORDINATOR))
    assert response.status_code == 200, response.get_json()
    assert [c["id"] for c in response.get_json()["cases"]] == [world[name] for name in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=closed", "state"),
        ("service=nonsense", "service"),
        ("waiting_more_than=-1", "waiting_more_than"),
        ("risk_level=extreme", "risk_level"),
        ("q=Sam", "q"),
    ],
)
def test_a_bad_api_filter_is_a_422_naming_it(app, client, world, query, field):
    response = client.get(f"/api/v1/services/board?{query}", headers=_token(app, Role.COORDINATOR))
    assert response.status_code == 422
    assert response.content_type.startswith("application/problem+json")
    assert field in json.dumps(response.get_json()["errors"])


@pytest.mark.parametrize("role", [Role.LEAD_PROFESSIONAL, Role.PARTNER, Role.ANALYST])
def test_the_api_refuses_other_roles(app, client, world, role):
    assert client.get("/api/v1/services/board", headers=_token(app, role)).status_code == 403


def test_the_api_is_documented_and_audited(app, client, world):
    headers = _token(app, Role.MET_CHAIR)
    spec = client.get("/api/v1/openapi.json", headers=headers).get_json()
    operation = spec["paths"]["/api/v1/services/board"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "service",
        "state",
        "risk_level",
        "waiting_more_than",
    }
    client.get("/api/v1/services/board?state=met_review", headers=headers)
    with app.app_context():
        row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "service_board.viewed")).one()
        assert json.loads(row.detail) == {"query": {"state": ["met_review"]}, "ids": [world["nothing"]]}
