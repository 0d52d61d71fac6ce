"""/api/v1/intelligence/<id>/grading and /links: reviewers grade and link through the API."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.intelligence.models import IntelligenceItem, IntelligenceLink
from tests import factories
from tests.intelligence import factories as intel

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.fixture
def world(app):
    from mettrack.accounts import tokens

    with app.app_context():
        set_now(NOW)
        chair = factories.user(roles=[Role.MET_CHAIR])
        officer = intel.police_user(Role.PARTNER)
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        sharer = factories.user(roles=[Role.PARTNER], agency="Harbour School")
        case = factories.case(lead=lead)
        raw = intel.item(sharer)
        person = intel.person(chair)
        users = dict(chair=chair, officer=officer, lead=lead, sharer=sharer)
        return {
            "tokens": {who: tokens.create_token(u, name="test")[1] for who, u in users.items()},
            "ids": {who: u.id for who, u in users.items()},
            "case": case.id,
            "raw": raw.id,
            "person": person.id,
        }


@pytest.fixture
def api(client, world):
    def call(who, method, path, json=None):
        headers = {"Authorization": f"Bearer {world['tokens'][who]}"}
        return client.open(path, method=method, headers=headers, json=json)

    return call


GRADE = {"source_evaluation": "1", "intelligence_assessment": "A", "handling_code": "P", "version": 1}


def test_a_police_partner_grades_and_links_a_p_item_which_then_reaches_the_case_team(api, world):
    item = f"/api/v1/intelligence/{world['raw']}"
    graded = api("officer", "PUT", f"{item}/grading", {**GRADE, "sanitised_text": "A car near a school."})
    assert graded.status_code == 200, graded.get_json()
    assert graded.get_json()["grading"]["sanitised_text"] == "A car near a school."
    assert api("lead", "GET", item).status_code == 404
    linked = api("officer", "POST", f"{item}/links", {"case_id": world["case"]})
    assert linked.status_code == 201
    assert linked.get_json()["kind"] == "case" and linked.get_json()["target_id"] == world["case"]
    assert api("lead", "GET", item).get_json()["grading"]["handling_code"] == "P"
    assert api("officer", "DELETE", f"{item}/links/{linked.get_json()['id']}").status_code == 204
    assert api("lead", "GET", item).status_code == 404


def test_a_c_item_reaches_only_those_named_never_the_linked_cases_team(api, world, app):
    item = f"/api/v1/intelligence/{world['raw']}"
    api("chair", "POST", f"{item}/links", {"case_id": world["case"]})
    response = api(
        "chair",
        "PUT",
        f"{item}/grading",
        {
            **GRADE,
            "handling_code": "C",
            "handling_conditions": "Police only",
            "sanitised_text": "Never kept",
            "grant_user_ids": [world["ids"]["officer"]],
        },
    )
    assert response.status_code == 200
    assert response.get_json()["grading"]["sanitised_text"] is None
    assert api("lead", "GET", item).status_code == 404
    assert api("lead", "GET", "/api/v1/intelligence").get_json()["items"] == []
    with app.app_context():
        assert db.session.get(IntelligenceItem, world["raw"]).sanitised_text is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"handling_code": "X"}, "handling_code"),
        ({"handling_code": "C"}, "handling_conditions"),
        (
            {"handling_code": "C", "handling_conditions": "x", "grant_agency_ids": [999999]},
            "grant_agency_ids",
        ),
        ({"version": "one"}, "version"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_grading_is_422_naming_the_field(api, world, change, field):
    response = api("chair", "PUT", f"/api/v1/intelligence/{world['raw']}/grading", {**GRADE, **change})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_a_stale_version_is_409(api, world):
    path = f"/api/v1/intelligence/{world['raw']}/grading"
    assert api("chair", "PUT", path, GRADE).status_code == 200
    assert api("chair", "PUT", path, {**GRADE, "source_evaluation": "3"}).status_code == 409


def test_links_check_their_target(api, world, app):
    path = f"/api/v1/intelligence/{world['raw']}/links"
    for data, field in (
        ({"case_id": 999999}, "case_id"),
        ({"location_id": 999999}, "location_id"),
        ({"person_id": "abc"}, "person_id"),
        ({"colour": 1}, "colour"),
    ):
        response = api("chair", "POST", path, data)
        assert response.status_code == 422 and field in response.get_json()["errors"], data
    assert api("chair", "POST", path, {"person_id": world["person"]}).status_code == 201
    assert api("chair", "DELETE", f"{path}/999999").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(db.func.count(IntelligenceLink.id))) == 1
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"intelligence.linked", "intelligence.unlinked.denied"} <= actions


@pytest.mark.parametrize("who", ["lead", "sharer"])
def test_others_may_not_review(api, world, who):
    assert api(who, "PUT", f"/api/v1/intelligence/{world['raw']}/grading", GRADE).status_code == 403
    assert (
        api(who, "POST", f"/api/v1/intelligence/{world['raw']}/links", {"case_id": world["case"]}).status_code
        == 403
    )
