"""GET /api/v1/cases, /api/v1/cases/{id}, /api/v1/children/{id}: scoped and audited."""

from datetime import UTC, date, datetime, timedelta

from mettrack.accounts.models import User
from mettrack.core.choices import CaseState, RiskLevel, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories
from tests.api.conftest import audit_rows

CASE_FIELDS = {
    "id",
    "access",
    "lead_agency",
    "version",
    "child_id",
    "child",
    "state",
    "risk_level",
    "opened_at",
    "closed_at",
    "lead_professional",
    "team",
    "exploitation_types",
    "flags",
    "harm_locations",
    "police_tier",
    "police_team",
    "next_review_on",
    "referred_at",
    "mash_reference",
    "referral_outcome",
    "referral_override_reason",
    "nrm_referred_on",
    "nrm_reasonable_grounds",
    "nrm_reasonable_grounds_on",
    "nrm_conclusive_grounds",
    "nrm_conclusive_grounds_on",
    "closure_reason",
    "closure_note",
    "open_missing_episode",
    "rhi_overdue",
    "repeat_missing",
    "review_overdue",
}
CHILD_FIELDS = {
    "id",
    "version",
    "first_name",
    "last_name",
    "aliases",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address",
    "school",
    "parent_carer_contacts",
    "looked_after",
    "looked_after_status",
    "social_worker",
    "nhs_number",
    "local_identifier",
    "consistent_child_identifier",
    "created_at",
    "updated_at",
}


def _case_for(app, member_id: int | None = None, **kwargs) -> int:
    with app.app_context():
        members = [db.session.get(User, member_id)] if member_id else []
        return factories.case(members=members, **kwargs).id


def test_case_list_shows_only_cases_within_need_to_know(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    mine = _case_for(app, partner.id)
    _case_for(app)  # not on its team
    body = client.get("/api/v1/cases", headers=partner.headers).get_json()
    assert [c["id"] for c in body["items"]] == [mine]
    assert body["total"] == 1


def test_case_list_writes_one_audit_row_naming_the_query_and_the_ids_shown(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    ids = [_case_for(app, state=CaseState.MET_REVIEW) for _ in range(3)]
    _case_for(app, state=CaseState.CLOSED)
    body = client.get("/api/v1/cases?state=met_review&per_page=2", headers=chair.headers).get_json()
    shown = [c["id"] for c in body["items"]]
    assert shown == sorted(ids, reverse=True)[:2]
    rows = audit_rows(app, "case.listed")
    assert len(rows) == 1
    assert rows[0]["actor_user_id"] == chair.id
    assert rows[0]["detail"]["ids"] == shown
    assert rows[0]["detail"]["query"] == {"state": ["met_review"], "sort": "opened", "page": 1, "per_page": 2}


def test_case_list_pages(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    ids = sorted((_case_for(app) for _ in range(5)), reverse=True)
    body = client.get("/api/v1/cases?page=2&per_page=2", headers=chair.headers).get_json()
    assert [c["id"] for c in body["items"]] == ids[2:4]
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (2, 2, 5, 3)
    beyond = client.get("/api/v1/cases?page=9&per_page=2", headers=chair.headers).get_json()
    assert beyond["items"] == []


def test_case_list_with_and_without_trailing_slash(client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    assert client.get("/api/v1/cases", headers=chair.headers).status_code == 200
    assert client.get("/api/v1/cases/", headers=chair.headers).status_code == 200


def test_case_read_exposes_the_documented_fields_in_utc(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    with app.app_context():
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lead Person", agency="Barnardo's")
        member = factories.user(roles=[Role.PARTNER], name="Police Officer", agency="Hampshire Constabulary")
        set_now(datetime(2026, 7, 1, 11, 30, tzinfo=UTC))  # 12:30 in London: stored and sent as UTC
        case = factories.case(lead=lead, members=[member], state=CaseState.CLOSED)
        made_at = case.version  # past 1: the case was made through its moves
        set_now(None)
        case.risk_level = RiskLevel.HIGH.value
        case.closed_at = datetime(2026, 8, 2, 9, 0, tzinfo=UTC)
        db.session.commit()
        case_id, child_id, lead_id, member_id, made_at = case.id, case.child_id, lead.id, member.id, made_at
    response = client.get(f"/api/v1/cases/{case_id}", headers=chair.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == CASE_FIELDS
    assert body["id"] == case_id
    assert body["child_id"] == child_id
    assert body["state"] == "closed"
    assert body["risk_level"] == "high"
    assert datetime.fromisoformat(body["opened_at"]) == datetime(2026, 7, 1, 11, 30, tzinfo=UTC)
    assert body["opened_at"].endswith("+00:00")
    assert body["closed_at"] == "2026-08-02T09:00:00+00:00"
    assert body["version"] == made_at + 1  # saved once after it was made
    assert body["child"]["id"] == child_id
    assert body["lead_professional"] == {"id": lead_id, "name": "Lead Person"}
    assert (body["access"], body["lead_agency"]) == ("full", "Barnardo's")
    assert sorted(body["team"], key=lambda m: m["id"]) == [
        {"id": lead_id, "name": "Lead Person", "agency": "Barnardo's"},
        {"id": member_id, "name": "Police Officer", "agency": "Hampshire Constabulary"},
    ]


def test_case_with_no_lead_or_risk_level_has_nulls(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    case_id = _case_for(app)
    body = client.get(f"/api/v1/cases/{case_id}", headers=chair.headers).get_json()
    assert body["lead_professional"] is None
    assert body["risk_level"] is None
    assert body["closed_at"] is None
    # Only whoever screened the child (a case is opened by a screening; here the MET chair).
    assert len(body["team"]) == 1
    assert body["exploitation_types"] == body["flags"] == body["harm_locations"] == []
    assert body["open_missing_episode"] is body["rhi_overdue"] is body["repeat_missing"] is False


def test_case_read_writes_an_audit_row(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    case_id = _case_for(app, partner.id)
    assert client.get(f"/api/v1/cases/{case_id}", headers=partner.headers).status_code == 200
    rows = audit_rows(app, "case.viewed")
    assert [(r["actor_user_id"], r["record_type"], r["record_id"]) for r in rows] == [
        (partner.id, "case", str(case_id))
    ]


def test_partner_not_on_the_team_gets_404_and_a_denial_audit_row(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    case_id = _case_for(app)
    response = client.get(f"/api/v1/cases/{case_id}", headers=partner.headers)
    assert response.status_code == 404
    assert audit_rows(app, "case.viewed") == []
    denials = audit_rows(app, "case.viewed.denied")
    assert [(r["actor_user_id"], r["record_id"], r["outcome"]) for r in denials] == [
        (partner.id, str(case_id), "denied")
    ]


def test_child_read_exposes_the_documented_fields_and_is_audited(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    with app.app_context():
        child = factories.child(
            first_name="Sam", last_name="Example", date_of_birth=date(2011, 2, 3), gender="female"
        )
        child.address = "1 Secret Street"
        db.session.commit()
        child_id = child.id
        factories.case(members=[db.session.get(User, partner.id)], child_obj=child)
    response = client.get(f"/api/v1/children/{child_id}", headers=partner.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == CHILD_FIELDS
    assert {k: body[k] for k in ("id", "first_name", "last_name", "date_of_birth", "gender", "address")} == {
        "id": child_id,
        "first_name": "Sam",
        "last_name": "Example",
        "date_of_birth": "2011-02-03",
        "gender": "female",
        "address": "1 Secret Street",
    }
    # Saved once after it was created, and once more as recorded by the partner, who screened the child.
    assert body["version"] == 3
    rows = audit_rows(app, "child.viewed")
    assert [(r["actor_user_id"], r["record_id"]) for r in rows] == [(partner.id, str(child_id))]


def test_child_is_visible_through_any_one_of_their_cases(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    with app.app_context():
        child = factories.child()
        factories.case(child_obj=child, state=CaseState.CLOSED)  # an old case, not theirs
        factories.case(child_obj=child, members=[db.session.get(User, partner.id)])
        child_id = child.id
    assert client.get(f"/api/v1/children/{child_id}", headers=partner.headers).status_code == 200


def test_child_outside_need_to_know_is_404_and_audited(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    with app.app_context():
        child_id = factories.case().child_id
        lonely_child_id = factories.child().id  # no case at all
    for cid in (child_id, lonely_child_id, 999999):
        response = client.get(f"/api/v1/children/{cid}", headers=partner.headers)
        assert response.status_code == 404
        assert set(response.get_json()["errors"]) == {"child_id"}
    assert audit_rows(app, "child.viewed") == []
    denials = audit_rows(app, "child.viewed.denied")
    assert [r["record_id"] for r in denials] == [str(child_id), str(lonely_child_id), "999999"]


def test_coordinator_reads_the_child_only_of_a_case_they_are_on_the_team_of(app, client, make_api_user):
    """DESIGN.md: the coordinator sees every open case's service fields, not the child's
    record (docs/security.md, "What a coordinator sees")."""
    coordinator = make_api_user(Role.COORDINATOR)
    with app.app_context():
        open_child = factories.case(state=CaseState.REFERRED).child_id
        closed_child = factories.case(state=CaseState.CLOSED).child_id
        on_team = factories.case(state=CaseState.REFERRED, members=[db.session.get(User, coordinator.id)])
        team_child = on_team.child_id
    assert client.get(f"/api/v1/children/{open_child}", headers=coordinator.headers).status_code == 404
    assert client.get(f"/api/v1/children/{closed_child}", headers=coordinator.headers).status_code == 404
    assert client.get(f"/api/v1/children/{team_child}", headers=coordinator.headers).status_code == 200


def test_analyst_may_not_read_a_child_403(app, client, make_api_user):
    analyst = make_api_user(Role.ANALYST)
    with app.app_context():
        child_id = factories.case().child_id
    assert client.get(f"/api/v1/children/{child_id}", headers=analyst.headers).status_code == 403


def test_case_list_order_is_newest_first(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    with app.app_context():
        older = factories.case()
        newer = factories.case()
        older.opened_at = newer.opened_at - timedelta(days=3)
        db.session.commit()
        expected = [newer.id, older.id]
    body = client.get("/api/v1/cases", headers=chair.headers).get_json()
    assert [c["id"] for c in body["items"]] == expected
    assert all(set(c) == CASE_FIELDS for c in body["items"])
