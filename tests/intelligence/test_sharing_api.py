"""/api/v1/intelligence: sharing, listing and reading through the API, as each caller may."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.intelligence.models import IntelligenceItem
from tests import factories
from tests.intelligence import factories as intel

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def body(**changes) -> dict:
    data = {
        "sharer_name": "Sam Teacher",
        "sharer_organisation": "Harbour School",
        "information": "A grey car waits outside the school gates at 3pm most days.",
        "information_date": "2026-03-18",
        "source_name": "Pat Parent",
        "source_date_of_birth": "1985-06-01",
        "source_recontact": True,
        "source_recontact_how": "By phone",
        "source_how_known": "Saw it",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def world(app):
    from mettrack.accounts import tokens

    with app.app_context():
        set_now(NOW)
        chair = factories.user(roles=[Role.MET_CHAIR])
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        sharer = factories.user(roles=[Role.PARTNER], agency="Harbour School")
        other = factories.user(roles=[Role.PARTNER], agency="Harbour School")
        analyst = factories.user(roles=[Role.ANALYST])
        admin = factories.user(roles=[Role.ADMIN])
        case = factories.case(lead=lead, members=[sharer])
        elsewhere = factories.case(lead=lead)
        p_item = intel.item(other, handling="P", reviewer=chair, cases=[case])
        c_item = intel.item(other, handling="C", reviewer=chair, cases=[case], grants=[sharer])
        raw = intel.item(other, cases=[case])
        users = dict(chair=chair, lead=lead, sharer=sharer, other=other, analyst=analyst, admin=admin)
        return {
            "tokens": {who: tokens.create_token(u, name="test")[1] for who, u in users.items()},
            "case": case.id,
            "elsewhere": elsewhere.id,
            "p": p_item.id,
            "c": c_item.id,
            "raw": raw.id,
        }


@pytest.fixture
def api(client, world):
    def call(who, method, path, json=None):
        headers = {"Authorization": f"Bearer {world['tokens'][who]}"}
        return client.open(path, method=method, headers=headers, json=json)

    return call


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(IntelligenceItem.id)))


def test_share_answers_the_item_with_its_reference(api, world, app):
    response = api("sharer", "POST", "/api/v1/intelligence", body(case_ids=[world["case"]]))
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert item["reference"] == f"CPI-{item['id']:05d}" and item["status"] == "submitted"
    assert item["source"]["name"] == "Pat Parent"  # the sharer's own words
    assert item["grading"] is None
    assert [link["target_id"] for link in item["links"]] == [world["case"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"information": None}, "information"),
        ({"information_date": "2026-03-21"}, "information_date"),
        ({"source_date_of_birth": "2010-02-31"}, "source_date_of_birth"),
        ({"source_recontact_how": None}, "source_recontact_how"),
        ({"case_ids": [999999]}, "case_ids"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, world, app, changes, field):
    response = api("sharer", "POST", "/api/v1/intelligence", body(**changes))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert _count(app) == 3


def test_a_case_the_sharer_cannot_see_is_422(api, world, app):
    response = api("sharer", "POST", "/api/v1/intelligence", body(case_ids=[world["elsewhere"]]))
    assert response.status_code == 422 and "case_ids" in response.get_json()["errors"]


@pytest.mark.parametrize("who", ["analyst", "admin"])
def test_analyst_and_admin_get_403(api, world, who):
    assert api(who, "GET", "/api/v1/intelligence").status_code == 403
    assert api(who, "POST", "/api/v1/intelligence", body()).status_code == 403
    assert api(who, "GET", f"/api/v1/intelligence/{world['p']}").status_code == 403


def test_lists_hold_what_each_caller_may_open(api, world):
    def ids(who):
        response = api(who, "GET", "/api/v1/intelligence")
        assert response.status_code == 200
        return {row["id"] for row in response.get_json()["items"]}

    assert ids("chair") == {world["p"], world["c"], world["raw"]}
    assert ids("lead") == {world["p"]}  # P on their case; the C item is not theirs
    assert ids("sharer") == {world["p"], world["c"]}  # on the case's team; named by the C item
    assert ids("other") == {world["p"], world["c"], world["raw"]}  # their own
    response = api("chair", "GET", "/api/v1/intelligence?status=oops")
    assert response.status_code == 422 and "status" in response.get_json()["errors"]
    assert api("chair", "GET", "/api/v1/intelligence?colour=red").status_code == 422


def test_a_c_item_never_reaches_a_lead_outside_its_handling_even_when_linked_to_their_case(api, world):
    assert api("lead", "GET", f"/api/v1/intelligence/{world['c']}").status_code == 404
    assert api("lead", "GET", f"/api/v1/intelligence/{world['raw']}").status_code == 404
    listed = api("lead", "GET", "/api/v1/intelligence?handling=C").get_json()
    assert listed["items"] == []


def test_reading_shows_fields_per_access(api, world, app):
    lead = api("lead", "GET", f"/api/v1/intelligence/{world['p']}").get_json()
    assert lead["source"] is None
    assert lead["grading"]["handling_code"] == "P" and lead["grading"]["sanitised_text"]
    assert "Source Person" not in str(lead)
    named = api("sharer", "GET", f"/api/v1/intelligence/{world['c']}").get_json()
    assert named["source"] is None and named["grading"]["sanitised_text"] is None
    own = api("other", "GET", f"/api/v1/intelligence/{world['c']}").get_json()
    assert own["source"]["name"] == "Source Person"
    assert own["grading"] is None and own["links"] == [] and own["status_label"] == "Reviewed"
    chair = api("chair", "GET", f"/api/v1/intelligence/{world['raw']}").get_json()
    assert chair["source"]["name"] == "Source Person"
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "intelligence.viewed")))
        assert len(rows) == 4 and all("Source Person" not in r.detail for r in rows)
