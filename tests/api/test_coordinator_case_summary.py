"""The API's case summary: what a coordinator reads of an open case they are not on the
team of (docs/security.md, "What a coordinator sees"). Names invented."""

from datetime import UTC, date, datetime

import pytest

from mettrack.accounts.models import User
from mettrack.cases.models import CaseTag
from mettrack.core.choices import CaseState, CaseTagKind, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from mettrack.notes.models import CaseNote
from mettrack.reference import data as reference_data
from mettrack.specialist_services.models import ServiceRequest
from tests import factories
from tests.api.conftest import audit_rows

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
SUMMARY_NULLS = {
    "team",
    "flags",
    "harm_locations",
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
}


@pytest.fixture(autouse=True)
def _clock_and_lists(app):
    set_now(NOW)
    with app.app_context():
        reference_data.seed_defaults()
        db.session.commit()


def _open_case(app, *, members=(), state=CaseState.POLICE_TIERED) -> int:
    with app.app_context():
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lena Leadworth", agency="Barnardo's")
        child = factories.child(
            first_name="Kestrel",
            last_name="Example",
            date_of_birth=date(2011, 3, 4),
            address="12 Harbour Road",
            aliases="Birdie",
            looked_after=True,
        )
        case = factories.case(
            lead=lead,
            state=state,
            child_obj=child,
            exploitation_types=["cce"],
            members=[db.session.get(User, m) for m in members],
        )
        case.mash_reference = "MASH-7731"
        case.police_tier = "high"
        case.tags.append(CaseTag(kind=CaseTagKind.FLAG.value, value="county_lines"))
        db.session.add_all(
            [
                CaseNote(case_id=case.id, author_id=lead.id, body="A note."),
                MissingEpisode(case_id=case.id, recorded_by_id=lead.id, went_missing_at=NOW),
            ]
        )
        db.session.commit()
        return case.id


def test_case_summary_withholds_the_record(app, client, make_api_user):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _open_case(app)
    response = client.get(f"/api/v1/cases/{case_id}", headers=coordinator.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["access"] == "summary"
    assert {name for name in SUMMARY_NULLS if body[name] is not None} == set()
    assert body["child"] == {
        "id": body["child_id"],
        "first_name": "Kestrel",
        "last_name": "Example",
        "age": 15,
        "aliases": None,
        "date_of_birth": None,
        "looked_after": None,
    }
    assert (body["state"], body["police_tier"], body["exploitation_types"]) == (
        "police_tiered",
        "high",
        ["cce"],
    )
    assert body["lead_professional"]["name"] == "Lena Leadworth" and body["lead_agency"] == "Barnardo's"
    assert "12 Harbour Road" not in response.get_data(as_text=True)
    (row,) = audit_rows(app, "case.viewed")
    assert (row["record_id"], row["detail"]) == (str(case_id), {"access": "summary"})


def test_case_list_gives_summaries_and_audits_them(app, client, make_api_user):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _open_case(app)
    team_case = _open_case(app, members=[coordinator.id])
    body = client.get("/api/v1/cases", headers=coordinator.headers).get_json()
    access = {item["id"]: item["access"] for item in body["items"]}
    assert access == {case_id: "summary", team_case: "full"}
    full = next(item for item in body["items"] if item["id"] == team_case)
    assert full["child"]["aliases"] == ["Birdie"] and full["open_missing_episode"] is True
    (row,) = audit_rows(app, "case.listed")
    assert row["detail"]["summary_ids"] == [case_id]
    # A name search matches the summary's name, an alias only the team's case.
    found = client.post("/api/v1/cases/search", json={"q": "Birdie"}, headers=coordinator.headers).get_json()
    assert [item["id"] for item in found["items"]] == [team_case]


def test_the_record_behind_the_summary_is_404(app, client, make_api_user):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _open_case(app)
    with app.app_context():
        from mettrack.cases.models import Case

        child_id = db.session.get(Case, case_id).child_id
    for path in (
        f"/api/v1/children/{child_id}",
        f"/api/v1/cases/{case_id}/notes",
        f"/api/v1/cases/{case_id}/missing-episodes",
        f"/api/v1/cases/{case_id}/screenings",
        f"/api/v1/cases/{case_id}/risk-assessments",
        f"/api/v1/cases/{case_id}/team",
        f"/api/v1/cases/{case_id}/classification",
    ):
        assert client.get(path, headers=coordinator.headers).status_code == 404, path
    noted = client.post(
        f"/api/v1/cases/{case_id}/notes", json={"body": "A note."}, headers=coordinator.headers
    )
    assert noted.status_code == 404
    assert audit_rows(app, "notes.listed") == []


def test_coordinator_assigns_a_service_on_a_case_summary(app, client, make_api_user):
    coordinator = make_api_user(Role.COORDINATOR)
    case_id = _open_case(app)
    listed = client.get(f"/api/v1/cases/{case_id}/transitions", headers=coordinator.headers).get_json()
    assert [m["action"] for m in listed["moves"]] == ["assign_service"]
    moved = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={
            "action": "assign_service",
            "version": listed["version"],
            "service": "parcs",
            "accepted_on": "2026-05-30",
        },
        headers=coordinator.headers,
    )
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["state"], moved.get_json()["access"]) == ("service_assigned", "summary")
    assert moved.get_json()["mash_reference"] is None
    services = client.get(f"/api/v1/cases/{case_id}/service-assignments", headers=coordinator.headers)
    assert services.status_code == 200
    with app.app_context():
        assert db.session.query(ServiceRequest).filter_by(case_id=case_id).count() == 1
