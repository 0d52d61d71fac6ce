"""/api/v1/cases/{id}/referral: the referral's MASH reference and outcome, recorded after
the referral by the same service as the page, answered as problems naming the field."""

from datetime import UTC, datetime

import pytest

from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories
from tests.api.conftest import audit_rows
from tests.api.test_problems import assert_problem
from tests.wording_scenarios import FLAGGED, PHRASE, seed_lists

OUTCOME = {"mash_reference": "MASH/2026/0042", "referral_outcome": "Strategy discussion; single assessment."}


@pytest.fixture(autouse=True)
def _clock_and_lists(app):
    set_now(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
    with app.app_context():
        seed_lists()


@pytest.fixture
def world(app, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL, name="Lee Leadworth")
    partner = make_api_user(Role.PARTNER)
    chair = make_api_user(Role.MET_CHAIR)
    with app.app_context():
        case = factories.case(
            lead=db.session.get(User, lead.id),
            members=[db.session.get(User, partner.id)],
            state=CaseState.MET_REVIEW,
            exploitation_types=("cse",),
        )
        case.referred_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
        case.mash_reference = "MASH/2026/0042"
        db.session.commit()
        return {"lead": lead, "partner": partner, "chair": chair, "case_id": case.id, "version": case.version}


def _path(world) -> str:
    return f"/api/v1/cases/{world['case_id']}/referral"


def test_the_lead_records_the_outcome_and_reads_it_back_with_who_and_when(client, app, world):
    lead = world["lead"]
    before = client.get(_path(world), headers=lead.headers)
    assert before.status_code == 200
    body = before.get_json()
    assert body["referral_outcome"] is None and body["outcome_recorded_by"] is None
    assert (body["mash_reference"], body["can_record"]) == ("MASH/2026/0042", True)

    response = client.put(_path(world), json={**OUTCOME, "version": body["version"]}, headers=lead.headers)

    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert saved["referral_outcome"] == OUTCOME["referral_outcome"]
    assert saved["outcome_recorded_by"] == {"id": lead.id, "name": "Lee Leadworth"}
    assert saved["outcome_recorded_at"] == "2026-03-09T14:00:00+00:00"
    assert saved["version"] == body["version"] + 1
    assert saved["state"] == "met_review"
    [row] = audit_rows(app, "case.referral_recorded")
    assert (row["actor_user_id"], row["detail"]) == (lead.id, {"changed": ["referral_outcome"]})
    assert [r["actor_user_id"] for r in audit_rows(app, "case.referral_viewed")] == [lead.id]


def test_a_partner_on_the_team_reads_it_but_may_not_record_it(client, app, world):
    partner = world["partner"]
    read = client.get(_path(world), headers=partner.headers)
    assert read.status_code == 200 and read.get_json()["can_record"] is False
    assert_problem(
        client.put(_path(world), json={**OUTCOME, "version": world["version"]}, headers=partner.headers), 403
    )
    with app.app_context():
        assert db.session.get(Case, world["case_id"]).referral_outcome is None


def test_a_stale_version_is_409_and_nothing_changes(client, app, world):
    with app.app_context():
        db.session.get(Case, world["case_id"]).risk_level = "high"
        db.session.commit()
    body = {**OUTCOME, "version": world["version"]}
    assert_problem(client.put(_path(world), json=body, headers=world["chair"].headers), 409)
    with app.app_context():
        assert db.session.get(Case, world["case_id"]).referral_outcome is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mash_reference": "M1", "version": 1}, "referral_outcome"),
        ({"mash_reference": "", "referral_outcome": "Assessment", "version": 1}, "mash_reference"),
        ({"mash_reference": "M" * 61, "referral_outcome": "Assessment", "version": 1}, "mash_reference"),
        ({**OUTCOME, "version": "1"}, "version"),
        ({**OUTCOME}, "version"),
        ({**OUTCOME, "version": 1, "colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, world, body, field):
    body = {**body, "version": world["version"]} if body.get("version") == 1 else body
    problem = assert_problem(client.put(_path(world), json=body, headers=world["lead"].headers), 422)
    assert field in problem["errors"]


def test_a_case_not_referred_is_422_naming_the_case(client, app, world):
    with app.app_context():
        screened = factories.case(lead=db.session.get(User, world["lead"].id))
        case_id = screened.id
    problem = assert_problem(
        client.put(
            f"/api/v1/cases/{case_id}/referral", json={**OUTCOME, "version": 1}, headers=world["lead"].headers
        ),
        422,
    )
    assert "refer it first" in problem["errors"]["case"]


def test_flagged_wording_is_422_with_findings_until_save_anyway(client, app, world):
    body = {"mash_reference": "M1", "referral_outcome": FLAGGED, "version": world["version"]}
    flagged = client.put(_path(world), json=body, headers=world["lead"].headers)
    assert flagged.status_code == 422
    problem = flagged.get_json()
    assert list(problem["errors"]) == ["referral_outcome"]
    assert problem["findings"][0]["field"] == "referral_outcome"
    assert problem["findings"][0]["phrase"] == PHRASE

    saved = client.put(_path(world), json={**body, "save_anyway": True}, headers=world["lead"].headers)

    assert saved.status_code == 200
    assert audit_rows(app, "case.referral_recorded")[0]["detail"]["language_flagged"] == {
        "referral_outcome": [PHRASE]
    }


def test_a_case_outside_need_to_know_is_404(client, app, make_api_user, world):
    stranger = make_api_user(Role.LEAD_PROFESSIONAL)
    assert_problem(client.get(_path(world), headers=stranger.headers), 404)
    body = {**OUTCOME, "version": world["version"]}
    assert_problem(client.put(_path(world), json=body, headers=stranger.headers), 404)


def test_the_openapi_document_describes_the_referral(client, world):
    spec = client.get("/api/v1/openapi.json", headers=world["lead"].headers).get_json()
    operations = spec["paths"]["/api/v1/cases/{case_id}/referral"]
    assert set(operations) >= {"get", "put"}
    assert {"409", "422"} <= set(operations["put"]["responses"])
