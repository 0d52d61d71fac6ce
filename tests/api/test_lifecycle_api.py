"""/api/v1/cases/{id}/transitions, /api/v1/cases/{id}/screenings and
/api/v1/children/{id}/screenings: the same rules as the pages, as problems on error."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case, CaseTag
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.reference import data as reference_data
from mettrack.screening.models import Screening
from tests import factories
from tests.api.conftest import audit_rows
from tests.api.test_problems import assert_problem

ANSWERS = {
    "screened_on": "2026-03-01",
    "child_age": 15,
    "went_missing": True,
    "controlling_relationship": False,
    "frequents_exploitation_areas": False,
}


@pytest.fixture(autouse=True)
def _clock_and_lists(app):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    with app.app_context():
        reference_data.seed_defaults()
        db.session.commit()


def _case(app, *, member_id=None, lead_id=None, state=CaseState.SCREENED, **child) -> int:
    with app.app_context():
        lead = db.session.get(User, lead_id) if lead_id else None
        members = [db.session.get(User, member_id)] if member_id else []
        fields = {"date_of_birth": date(2011, 5, 1), "address": "1 Nowhere Lane, Demotown, ZZ99 1ZZ"} | child
        return factories.case(lead=lead, members=members, state=state, child_obj=factories.child(**fields)).id


def _child_of(app, user_id: int) -> int:
    with app.app_context():
        return factories.child(created_by_id=user_id).id


def _counts(app, child_id: int) -> tuple[int, int]:
    with app.app_context():
        cases = db.session.scalar(select(func.count()).where(Case.child_id == child_id))
        screenings = db.session.scalar(
            select(func.count()).select_from(Screening).join(Case).where(Case.child_id == child_id)
        )
        return cases, screenings


# --- screenings --------------------------------------------------------------------------


def test_screening_a_child_starts_a_case_and_gives_the_mash_contact(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    child_id = _child_of(app, lead.id)
    response = client.post(f"/api/v1/children/{child_id}/screenings", json=ANSWERS, headers=lead.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["case_started"] is True and body["refer"] is True
    assert body["mash_contact"] == {
        "name": "MASH duty desk",
        "phone": "01234 000000",
        "email": "mash@example.invalid",
    }
    assert body["case"]["state"] == "screened" and body["case"]["version"] == 1
    assert body["case"]["lead_professional"]["id"] == lead.id
    assert body["screening"]["older_partner"] == "unknown"
    assert body["screening"]["frequents_exploitation_areas"] is False
    listed = client.get(f"/api/v1/cases/{body['case']['id']}/screenings", headers=lead.headers).get_json()
    assert [s["id"] for s in listed] == [body["screening"]["id"]]


def test_a_second_screening_adds_to_the_open_case(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    case_id = _case(app, member_id=partner.id)
    response = client.post(f"/api/v1/cases/{case_id}/screenings", json=ANSWERS, headers=partner.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["case_started"] is False and body["case"]["id"] == case_id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"went_missing": None}, "went_missing"),
        ({"went_missing": "often"}, "went_missing"),
        ({"child_age": "fifteen"}, "child_age"),
        ({"child_age": 30}, "child_age"),
        ({"partner_age": -1}, "partner_age"),
        ({"screened_on": "2026-03-05"}, "screened_on"),
        ({"screened_on": "yesterday"}, "screened_on"),
        ({"notes": 5}, "notes"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_screening_input_is_a_422_naming_the_field_and_saves_nothing(
    app, client, make_api_user, change, field
):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    child_id = _child_of(app, lead.id)
    response = client.post(
        f"/api/v1/children/{child_id}/screenings", json={**ANSWERS, **change}, headers=lead.headers
    )
    body = assert_problem(response, 422)
    assert field in body["errors"]
    assert _counts(app, child_id) == (0, 0)


def test_a_missing_answer_is_named(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    child_id = _child_of(app, lead.id)
    answers = {k: v for k, v in ANSWERS.items() if k != "controlling_relationship"}
    body = assert_problem(
        client.post(f"/api/v1/children/{child_id}/screenings", json=answers, headers=lead.headers), 422
    )
    assert "controlling_relationship" in body["errors"]


def test_screening_a_child_outside_need_to_know_is_404(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    case_id = _case(app)
    with app.app_context():
        child_id = db.session.get(Case, case_id).child_id
    assert_problem(
        client.post(f"/api/v1/children/{child_id}/screenings", json=ANSWERS, headers=partner.headers), 404
    )
    assert_problem(
        client.post(f"/api/v1/cases/{case_id}/screenings", json=ANSWERS, headers=partner.headers), 404
    )
    assert_problem(
        client.post("/api/v1/children/999999/screenings", json=ANSWERS, headers=partner.headers), 404
    )


def test_an_analyst_may_not_screen(app, client, make_api_user):
    analyst = make_api_user(Role.ANALYST)
    child_id = _child_of(app, analyst.id)
    assert_problem(
        client.post(f"/api/v1/children/{child_id}/screenings", json=ANSWERS, headers=analyst.headers), 403
    )


# --- transitions -------------------------------------------------------------------------


def _positive_case(app, client, lead, *, typed: bool = True) -> int:
    """A case opened by a positive screening; `typed`: with an exploitation type, as the
    classification would record it (a tag row: the case stays at version 1)."""
    child_id = _child_of(app, lead.id)
    with app.app_context():
        from mettrack.children.models import Child

        child = db.session.get(Child, child_id)
        child.date_of_birth, child.address = date(2011, 5, 1), "1 Nowhere Lane"
        db.session.commit()
    response = client.post(f"/api/v1/children/{child_id}/screenings", json=ANSWERS, headers=lead.headers)
    case_id = response.get_json()["case"]["id"]
    if typed:
        with app.app_context():
            db.session.add(CaseTag(case_id=case_id, kind="exploitation_type", value="cse"))
            db.session.commit()
    return case_id


def test_refer_without_an_exploitation_type_is_422_naming_the_field_until_one_is_recorded(
    app, client, make_api_user
):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    case_id = _positive_case(app, client, lead, typed=False)
    moves = client.get(f"/api/v1/cases/{case_id}/transitions", headers=lead.headers).get_json()["moves"]
    refer = next(m for m in moves if m["action"] == "refer")
    assert refer["possible"] is False
    assert refer["reasons"] == ["Record at least one exploitation type (CSE, CCE) before referring"]
    move = {"action": "refer", "version": 1, "mash_reference": "MASH-1"}
    body = assert_problem(
        client.post(f"/api/v1/cases/{case_id}/transitions", json=move, headers=lead.headers), 422
    )
    assert body["errors"] == {
        "exploitation_types": "Record at least one exploitation type (CSE, CCE) before referring"
    }
    classified = client.put(
        f"/api/v1/cases/{case_id}/classification",
        json={
            "exploitation_types": ["cce"],
            "flags": [],
            "harm_locations": [],
            "nrm": dict.fromkeys(
                (
                    "referred_on",
                    "reasonable_grounds",
                    "reasonable_grounds_on",
                    "conclusive_grounds",
                    "conclusive_grounds_on",
                )
            ),
            "version": 1,
        },
        headers=lead.headers,
    )
    assert classified.status_code == 200, classified.get_json()
    move["version"] = classified.get_json()["version"]
    moved = client.post(f"/api/v1/cases/{case_id}/transitions", json=move, headers=lead.headers)
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["state"] == "referred"


def test_get_transitions_lists_the_moves_and_the_version(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    case_id = _positive_case(app, client, lead)
    body = client.get(f"/api/v1/cases/{case_id}/transitions", headers=lead.headers).get_json()
    assert (body["state"], body["version"]) == ("screened", 1)
    moves = {m["action"]: m for m in body["moves"]}
    assert moves["refer"]["possible"] is True
    assert moves["close_no_further_action"]["possible"] is False


def test_refer_by_the_api_answers_the_moved_case(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    case_id = _positive_case(app, client, lead)
    response = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"action": "refer", "version": 1, "mash_reference": "MASH-1"},
        headers=lead.headers,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["state"], body["version"], body["mash_reference"]) == ("referred", 2, "MASH-1")
    assert body["referred_at"] == "2026-03-02T10:00:00+00:00"
    assert audit_rows(app, "case.transition")[0]["detail"] == {
        "action": "refer",
        "from": "screened",
        "to": "referred",
    }


def test_a_stale_version_is_409_and_nothing_changes(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    case_id = _positive_case(app, client, lead)
    move = {"action": "refer", "version": 1, "mash_reference": "MASH-1"}
    assert (
        client.post(f"/api/v1/cases/{case_id}/transitions", json=move, headers=lead.headers).status_code
        == 200
    )
    again = {"action": "close_no_further_action", "version": 1}
    assert_problem(client.post(f"/api/v1/cases/{case_id}/transitions", json=again, headers=lead.headers), 409)
    with app.app_context():
        assert db.session.get(Case, case_id).state == "referred"


def test_a_guard_refusal_is_422_with_the_messages(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    case_id = _case(app, lead_id=lead.id, address=None)
    move = {"action": "refer", "version": 1, "mash_reference": "MASH-1", "override_reason": "Worried"}
    body = assert_problem(
        client.post(f"/api/v1/cases/{case_id}/transitions", json=move, headers=lead.headers), 422
    )
    assert "Record the child's address before referring" in body["detail"]
    assert "Record the child's address before referring" in body["errors"].values()
    with app.app_context():
        assert db.session.get(Case, case_id).version == 1


def test_a_role_the_move_is_not_for_is_403_and_audited(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    case_id = _case(app, member_id=partner.id)
    move = {"action": "refer", "version": 1, "mash_reference": "MASH-1"}
    body = assert_problem(
        client.post(f"/api/v1/cases/{case_id}/transitions", json=move, headers=partner.headers), 403
    )
    assert "Refer to Children's Services" in body["detail"]
    [row] = audit_rows(app, "case.transition.denied")
    assert (row["actor_user_id"], row["outcome"]) == (partner.id, "denied")


def test_a_case_outside_need_to_know_is_404(app, client, make_api_user):
    lead = make_api_user(Role.LEAD_PROFESSIONAL)
    case_id = _case(app)
    move = {"action": "refer", "version": 1, "mash_reference": "MASH-1"}
    assert_problem(client.post(f"/api/v1/cases/{case_id}/transitions", json=move, headers=lead.headers), 404)
    assert_problem(client.get(f"/api/v1/cases/{case_id}/transitions", headers=lead.headers), 404)


@pytest.mark.parametrize(
    ("move", "field"),
    [
        ({"version": 1}, "action"),
        ({"action": "fly", "version": 1}, "action"),
        ({"action": "close"}, "version"),
        ({"action": "close", "version": "1"}, "version"),
        (
            {"action": "assign_service", "version": 1, "service": "parcs", "accepted_on": "tomorrow"},
            "accepted_on",
        ),
        (
            {"action": "assign_service", "version": 1, "service": "parcs", "accepted_on": "2026-03-09"},
            "accepted_on",
        ),
        (
            {"action": "assign_service", "version": 1, "service": "nope", "accepted_on": "2026-03-01"},
            "service",
        ),
        ({"action": "assign_service", "version": 1, "service": 7, "accepted_on": "2026-03-01"}, "service"),
        ({"action": "assign_service", "version": 1, "surprise": True}, "surprise"),
    ],
)
def test_bad_transition_input_is_422_naming_the_field(app, client, make_api_user, move, field):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _case(app, state=CaseState.MET_REVIEW)
    if move.get("version") == 1:  # the case's own version: it was made through its moves
        with app.app_context():
            move = move | {"version": db.session.get(Case, case_id).version}
    body = assert_problem(
        client.post(f"/api/v1/cases/{case_id}/transitions", json=move, headers=coordinator.headers), 422
    )
    assert field in body["errors"]
    with app.app_context():
        assert db.session.get(Case, case_id).state == "met_review"


def test_the_lifecycle_endpoints_are_in_the_openapi_document(client, make_api_user):
    user = make_api_user(Role.ANALYST)
    paths = client.get("/api/v1/openapi.json", headers=user.headers).get_json()["paths"]
    assert "post" in paths["/api/v1/cases/{case_id}/transitions"]
    assert "get" in paths["/api/v1/cases/{case_id}/transitions"]
    assert {"get", "post"} <= set(paths["/api/v1/cases/{case_id}/screenings"])
    assert "post" in paths["/api/v1/children/{child_id}/screenings"]
