"""/api/v1/cases/{id}/team, /team/{user_id}, /lead and /classification: the same rules as
the pages, answered as problems naming the field."""

from datetime import UTC, datetime

import pytest

from mettrack.accounts.models import User
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories
from tests.api.conftest import audit_rows
from tests.api.test_problems import assert_problem

NRM_NONE = {
    "referred_on": None,
    "reasonable_grounds": None,
    "reasonable_grounds_on": None,
    "conclusive_grounds": None,
    "conclusive_grounds_on": None,
}


@pytest.fixture(autouse=True)
def _clock():
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))


@pytest.fixture
def world(app, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL, agency="Edge of Care")
    partner = make_api_user(Role.PARTNER, agency="Demotown Police")
    chair = make_api_user(Role.MET_CHAIR)
    with app.app_context():
        other = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Early Help", name="Nia Newlead")
        case = factories.case(lead=db.session.get(User, lead.id), state=CaseState.MET_REVIEW)
        return {
            "lead": lead,
            "partner": partner,
            "chair": chair,
            "other_id": other.id,
            "case_id": case.id,
            "version": case.version,  # past 1: the case was moved to MET review
        }


def test_a_partner_added_through_the_api_can_open_the_case_and_a_removed_one_cannot(client, app, world):
    case_id, lead, partner = world["case_id"], world["lead"], world["partner"]
    base = f"/api/v1/cases/{case_id}"
    assert_problem(client.get(base, headers=partner.headers), 404)

    added = client.post(f"{base}/team", json={"user_id": partner.id}, headers=lead.headers)
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert [m["id"] for m in body["members"]] == [lead.id, partner.id]  # the lead first
    assert body["members"][1] == {
        "id": partner.id,
        "name": body["members"][1]["name"],
        "agency": "Demotown Police",
        "team_role": "member",
        "active": True,
        "added_at": "2026-03-02T10:00:00+00:00",
    }
    assert body["lead_professional"]["id"] == lead.id
    assert audit_rows(app, "case.team_member_added")[-1]["detail"] == {"user_id": partner.id}

    assert client.get(base, headers=partner.headers).status_code == 200
    team = client.get(f"{base}/team", headers=partner.headers)
    assert team.status_code == 200 and len(team.get_json()["members"]) == 2
    assert audit_rows(app, "case.team_viewed")[-1]["actor_user_id"] == partner.id

    removed = client.delete(f"{base}/team/{partner.id}", headers=lead.headers)
    assert removed.status_code == 204
    assert_problem(client.get(base, headers=partner.headers), 404)
    assert_problem(client.get(f"{base}/team", headers=partner.headers), 404)


def test_a_partner_may_read_the_team_but_not_change_it(client, world):
    base = f"/api/v1/cases/{world['case_id']}"
    client.post(f"{base}/team", json={"user_id": world["partner"].id}, headers=world["lead"].headers)
    assert_problem(
        client.post(f"{base}/team", json={"user_id": world["other_id"]}, headers=world["partner"].headers),
        403,
    )


def test_a_lead_professional_on_the_team_but_not_its_lead_gets_403(client, app, world, make_api_user):
    member = make_api_user(Role.LEAD_PROFESSIONAL)
    base = f"/api/v1/cases/{world['case_id']}"
    client.post(f"{base}/team", json={"user_id": member.id}, headers=world["chair"].headers)
    body = assert_problem(
        client.post(f"{base}/team", json={"user_id": world["other_id"]}, headers=member.headers), 403
    )
    assert "lead professional" in body["detail"]
    assert audit_rows(app, "case.team_member_added.denied")[-1]["actor_user_id"] == member.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "user_id"),
        ({"user_id": "7"}, "user_id"),
        ({"user_id": 0}, "user_id"),
        ({"user_id": 2147483647}, "user_id"),
    ],
)
def test_adding_someone_who_cannot_be_added_is_a_422_naming_user_id(client, world, body, field):
    response = client.post(f"/api/v1/cases/{world['case_id']}/team", json=body, headers=world["lead"].headers)
    problem = assert_problem(response, 422)
    assert set(problem["errors"]) == {field}


def test_the_lead_cannot_be_deleted_and_a_stranger_is_not_on_the_team(client, world):
    base = f"/api/v1/cases/{world['case_id']}/team"
    problem = assert_problem(client.delete(f"{base}/{world['lead'].id}", headers=world["chair"].headers), 422)
    assert "change the lead professional first" in problem["errors"]["user_id"]
    problem = assert_problem(
        client.delete(f"{base}/{world['other_id']}", headers=world["chair"].headers), 404
    )
    assert problem["errors"] == {"user_id": "This person is not on the case's team"}


def test_changing_the_lead_checks_the_version(client, app, world):
    url = f"/api/v1/cases/{world['case_id']}/lead"
    v = world["version"]
    changed = client.put(
        url, json={"user_id": world["other_id"], "version": v}, headers=world["lead"].headers
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["version"] == v + 1
    assert body["lead_professional"] == {"id": world["other_id"], "name": "Nia Newlead"}
    assert {m["id"]: m["team_role"] for m in body["members"]} == {
        world["other_id"]: "lead",
        world["lead"].id: "member",
    }
    assert audit_rows(app, "case.lead_changed")[-1]["detail"] == {
        "from": world["lead"].id,
        "to": world["other_id"],
        "previous_removed": False,
    }

    # The old lead is only a member now: handing over again is not theirs to do.
    assert_problem(
        client.put(url, json={"user_id": world["lead"].id, "version": v + 1}, headers=world["lead"].headers),
        403,
    )
    stale = client.put(url, json={"user_id": world["lead"].id, "version": v}, headers=world["chair"].headers)
    assert_problem(stale, 409)
    bad = client.put(
        url, json={"user_id": world["partner"].id, "version": v + 1}, headers=world["chair"].headers
    )
    assert "lead professional role" in assert_problem(bad, 422)["errors"]["user_id"]
    wrong_type = client.put(
        url, json={"user_id": world["lead"].id, "version": str(v + 1)}, headers=world["chair"].headers
    )
    assert set(assert_problem(wrong_type, 422)["errors"]) == {"version"}


# --- classification ----------------------------------------------------------------------


def test_the_lead_replaces_the_classification_and_anyone_on_the_case_reads_it(client, app, world):
    url = f"/api/v1/cases/{world['case_id']}/classification"
    v = world["version"]
    body = {
        "exploitation_types": ["cce", "cse"],
        "flags": ["county_lines"],
        "harm_locations": [],
        "nrm": {**NRM_NONE, "referred_on": "2026-01-10", "reasonable_grounds": "pending"},
        "version": v,
    }
    saved = client.put(url, json=body, headers=world["lead"].headers)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json() == {
        "case_id": world["case_id"],
        "version": v + 1,
        "exploitation_types": ["cse", "cce"],
        "flags": ["county_lines"],
        "harm_locations": [],
        "nrm": {**NRM_NONE, "referred_on": "2026-01-10", "reasonable_grounds": "pending"},
    }
    assert audit_rows(app, "case.classified")[-1]["detail"]["changed"][:2] == ["exploitation_types", "flags"]

    client.post(
        f"/api/v1/cases/{world['case_id']}/team",
        json={"user_id": world["partner"].id},
        headers=world["lead"].headers,
    )
    read = client.get(url, headers=world["partner"].headers)
    assert read.status_code == 200 and read.get_json()["flags"] == ["county_lines"]
    # The case itself shows the same, and lists filter by it.
    case = client.get(f"/api/v1/cases/{world['case_id']}", headers=world["partner"].headers).get_json()
    assert case["exploitation_types"] == ["cce", "cse"] or case["exploitation_types"] == ["cse", "cce"]
    assert_problem(client.put(url, json={**body, "version": v + 1}, headers=world["partner"].headers), 403)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"exploitation_types": []}, {"exploitation_types"}),
        ({"exploitation_types": ["sexual"]}, {"exploitation_types.0"}),
        ({"flags": "county_lines"}, {"flags"}),
        ({"nrm": {**NRM_NONE, "referred_on": "2026-04-01"}}, {"nrm.referred_on"}),
        ({"nrm": {**NRM_NONE, "referred_on": "01/02/2026"}}, {"nrm.referred_on"}),
        (
            {"nrm": {**NRM_NONE, "reasonable_grounds": "positive"}},
            {"nrm.referred_on", "nrm.reasonable_grounds_on"},
        ),
        (
            {
                "nrm": {
                    "referred_on": "2026-01-10",
                    "reasonable_grounds": "positive",
                    "reasonable_grounds_on": "2026-01-20",
                    "conclusive_grounds": "positive",
                    "conclusive_grounds_on": "2026-01-19",
                }
            },
            {"nrm.conclusive_grounds_on"},
        ),
        ({"nrm": {"referred_on": None}}, {"nrm.reasonable_grounds"}),
        ({"version": "1"}, {"version"}),
    ],
)
def test_bad_classification_is_a_422_naming_the_field_and_changes_nothing(client, world, changes, fields):
    url = f"/api/v1/cases/{world['case_id']}/classification"
    v = world["version"]
    body = {
        "exploitation_types": ["cse"],
        "flags": [],
        "harm_locations": [],
        "nrm": NRM_NONE,
        "version": v,
    } | changes
    problem = assert_problem(client.put(url, json=body, headers=world["lead"].headers), 422)
    assert fields <= set(problem["errors"]), problem["errors"]
    after = client.get(url, headers=world["lead"].headers).get_json()
    assert after["version"] == v and after["exploitation_types"] == ["cse"]


def test_a_stale_classification_is_a_409(client, world):
    url = f"/api/v1/cases/{world['case_id']}/classification"
    stale = world["version"] - 1
    body = {
        "exploitation_types": ["cse"],
        "flags": [],
        "harm_locations": [],
        "nrm": NRM_NONE,
        "version": stale,
    }
    assert_problem(client.put(url, json=body, headers=world["lead"].headers), 409)
