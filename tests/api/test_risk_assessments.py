"""/api/v1/cases/{case_id}/risk-assessments and /api/v1/risk-indicators."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk.models import RiskAssessment
from mettrack.risk.rules import DEFAULT_INDICATORS
from tests import factories
from tests.api.conftest import audit_rows

NOW = datetime(2026, 5, 10, 12, tzinfo=UTC)


@pytest.fixture
def lead(app, make_api_user):
    set_now(NOW)
    with app.app_context():
        risk_catalogue.seed_defaults()
        db.session.commit()
    return make_api_user(Role.LEAD_PROFESSIONAL)


@pytest.fixture
def case_id(app, lead):
    with app.app_context():
        child = factories.child(date_of_birth=date(2014, 3, 1))  # 12 on the assessment date
        return factories.case(
            lead=db.session.get(User, lead.id), state=CaseState.REFERRED, child_obj=child
        ).id


@pytest.fixture
def body(app, case_id) -> dict:
    """BODY with the version of the case (made through its moves, so past 1)."""
    with app.app_context():
        return {**BODY, "version": db.session.get(Case, case_id).version}


def _url(case_id, assessment_id=None):
    base = f"/api/v1/cases/{case_id}/risk-assessments"
    return base if assessment_id is None else f"{base}/{assessment_id}"


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(RiskAssessment))


BODY = {
    "version": 1,
    "ratings": {"changed_appearance": {"rating": "low", "period": "current", "reason": "New clothes."}},
    "chosen_level": "low",
    "rationale": "Early signs only; the family is engaging with Early Help.",
}


def test_the_active_indicators_are_listed_by_code(client, lead):
    response = client.get("/api/v1/risk-indicators", headers=lead.headers)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["code"] for i in items] == [i.code for i in DEFAULT_INDICATORS]
    assert items[0]["group"] == "missing" and items[0]["group_label"] == "Going missing and being moved"


def test_record_list_and_read(client, app, lead, case_id, body):
    response = client.post(_url(case_id), json=body, headers=lead.headers)
    assert response.status_code == 201, response.get_json()
    recorded = response.get_json()
    # A 12-year-old with an indicator present is never suggested low: judgement sets low.
    assert (recorded["suggested_level"], recorded["chosen_level"]) == ("medium", "low")
    assert recorded["differs_from_suggestion"] and recorded["intervention_required"] and recorded["current"]
    assert recorded["next_review_on"] == "2026-08-02"
    assert recorded["case_version"] == body["version"] + 1
    rated = {r["code"]: r for r in recorded["ratings"]}
    assert len(rated) == len(DEFAULT_INDICATORS)
    assert (
        rated["changed_appearance"]["reason"] == "New clothes." and rated["older_partner"]["rating"] == "none"
    )
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.risk_level, case.next_review_on) == ("low", date(2026, 8, 2))

    listed = client.get(_url(case_id), headers=lead.headers).get_json()
    assert [a["id"] for a in listed["items"]] == [recorded["id"]]
    one = client.get(_url(case_id, recorded["id"]), headers=lead.headers)
    assert one.status_code == 200 and one.get_json()["rationale"] == BODY["rationale"]
    assert [r["record_id"] for r in audit_rows(app, "risk_assessment.recorded")] == [str(recorded["id"])]
    assert audit_rows(app, "risk_assessment.listed") and audit_rows(app, "risk_assessment.viewed")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"ratings": {"changed_appearance": {"rating": "low", "period": "current"}}},
            "ratings.changed_appearance.reason",
        ),
        (
            {"ratings": {"changed_appearance": {"rating": "low", "reason": "x"}}},
            "ratings.changed_appearance.period",
        ),
        ({"ratings": {"changed_appearance": {"rating": "extreme"}}}, "ratings.changed_appearance.rating"),
        ({"ratings": {"changed_appearance": {"rating": 3}}}, "ratings.changed_appearance.rating"),
        (
            {"ratings": {"changed_appearance": {"rating": "low", "colour": "red"}}},
            "ratings.changed_appearance.colour",
        ),
        ({"ratings": {"no_such_indicator": {"rating": "low"}}}, "ratings.no_such_indicator"),
        ({"ratings": []}, "ratings"),
        ({"chosen_level": "severe"}, "chosen_level"),
        ({"chosen_level": None}, "chosen_level"),
        ({"rationale": ""}, "rationale"),
        ({"version": "1"}, "version"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, app, lead, case_id, body, change, field):
    response = client.post(_url(case_id), json={**body, **change}, headers=lead.headers)
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in problem["errors"], problem["errors"]
    assert _count(app) == 0


def test_left_out_fields_are_named(client, app, lead, case_id):
    response = client.post(_url(case_id), json={"ratings": {}}, headers=lead.headers)
    assert response.status_code == 422
    assert {"version", "chosen_level", "rationale"} <= set(response.get_json()["errors"])
    assert _count(app) == 0


def test_a_stale_version_is_409(client, app, lead, case_id, body):
    assert client.post(_url(case_id), json=body, headers=lead.headers).status_code == 201
    response = client.post(_url(case_id), json=body, headers=lead.headers)  # still the version before
    assert response.status_code == 409 and response.get_json()["status"] == 409
    assert _count(app) == 1


def test_a_case_outside_need_to_know_is_404(client, app, lead, make_api_user):
    with app.app_context():
        other = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        hidden_id = factories.case(lead=other).id
    response = client.post(_url(hidden_id), json=BODY, headers=lead.headers)
    assert response.status_code == 404
    assert client.get(_url(hidden_id), headers=lead.headers).status_code == 404
    assert _count(app) == 0
    assert audit_rows(app, "risk_assessment.recorded.denied")[0]["outcome"] == "denied"


def test_an_assessment_of_another_case_is_404(client, app, lead, case_id, body):
    recorded = client.post(_url(case_id), json=body, headers=lead.headers).get_json()
    with app.app_context():
        other_id = factories.case(lead=db.session.get(User, lead.id)).id
    assert client.get(_url(other_id, recorded["id"]), headers=lead.headers).status_code == 404


def test_a_partner_may_read_but_not_record(client, app, lead, case_id, body, make_api_user):
    partner = make_api_user(Role.PARTNER)
    with app.app_context():
        from mettrack.cases.models import CaseTeamMember

        db.session.add(CaseTeamMember(case_id=case_id, user_id=partner.id, team_role="member"))
        db.session.commit()
    response = client.post(_url(case_id), json=body, headers=partner.headers)
    assert response.status_code == 403
    assert client.get(_url(case_id), headers=partner.headers).status_code == 200
    assert _count(app) == 0


def test_the_paths_are_in_the_openapi_document(client, lead):
    paths = client.get("/api/v1/openapi.json", headers=lead.headers).get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cases/{case_id}/risk-assessments"])
    assert "get" in paths["/api/v1/cases/{case_id}/risk-assessments/{assessment_id}"]
    assert "get" in paths["/api/v1/risk-indicators"]
