"""/api/v1/cases/{case_id}/notes and /api/v1/language-check."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.language import phrases as language_phrases
from mettrack.notes.models import CaseNote
from tests import factories
from tests.api.conftest import audit_rows

FLAGGED = "School staff say he is streetwise and is associating with older boys."
CLEAN = "School staff have seen older boys waiting for him; the school will tell police."


@pytest.fixture
def lead(app, make_api_user):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    with app.app_context():
        language_phrases.seed_defaults()
        db.session.commit()
    return make_api_user(Role.LEAD_PROFESSIONAL)


@pytest.fixture
def case_id(app, lead):
    with app.app_context():
        return factories.case(lead=db.session.get(User, lead.id)).id


def _url(case_id) -> str:
    return f"/api/v1/cases/{case_id}/notes"


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CaseNote))


def test_flagged_note_is_a_422_naming_body_with_the_findings_and_nothing_saved(client, app, lead, case_id):
    response = client.post(_url(case_id), json={"body": FLAGGED}, headers=lead.headers)

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422 and list(problem["errors"]) == ["body"]
    assert "streetwise" in problem["errors"]["body"] and "save_anyway" in problem["errors"]["body"]
    assert [(f["text"], f["phrase"]) for f in problem["findings"]] == [
        ("streetwise", "streetwise"),
        ("associating with", "associating with"),
    ]
    first = problem["findings"][0]
    assert first["suggestion"] == "vulnerable; at risk of exploitation"
    assert first["why"] and FLAGGED[first["start"] : first["end"]] == "streetwise"
    assert _count(app) == 0
    assert audit_rows(app, "note.added") == []


def test_save_anyway_is_201_with_the_flagged_phrases(client, app, lead, case_id):
    response = client.post(_url(case_id), json={"body": FLAGGED, "save_anyway": True}, headers=lead.headers)

    assert response.status_code == 201, response.get_json()
    note = response.get_json()
    assert note["body"] == FLAGGED and note["case_id"] == case_id
    assert note["author"]["id"] == lead.id
    assert note["written_at"] == "2026-03-02T10:00:00+00:00"
    assert [f["text"] for f in note["flagged_phrases"]] == ["streetwise", "associating with"]
    [row] = audit_rows(app, "note.added")
    assert row["detail"] == {
        "case_id": case_id,
        "flagged": 2,
        "saved_anyway": True,
        "language_flagged": {"body": ["streetwise", "associating with"]},
    }

    listed = client.get(_url(case_id), headers=lead.headers)
    assert listed.status_code == 200
    assert [n["id"] for n in listed.get_json()["items"]] == [note["id"]]
    assert audit_rows(app, "notes.listed")[-1]["detail"] == {"ids": [note["id"]]}


def test_clean_note_is_201_with_nothing_flagged(client, app, lead, case_id):
    response = client.post(_url(case_id), json={"body": CLEAN}, headers=lead.headers)

    assert response.status_code == 201
    assert response.get_json()["flagged_phrases"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": None}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": CLEAN, "save_anyway": "perhaps"}, "save_anyway"),
        ({"body": CLEAN, "extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, app, lead, case_id, body, field):
    response = client.post(_url(case_id), json=body, headers=lead.headers)

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert _count(app) == 0


def test_a_case_outside_need_to_know_is_404(client, app, lead):
    with app.app_context():
        hidden = factories.case(lead=None).id

    assert client.get(_url(hidden), headers=lead.headers).status_code == 404
    assert client.post(_url(hidden), json={"body": CLEAN}, headers=lead.headers).status_code == 404
    assert _count(app) == 0


def test_wrong_role_is_403(client, app, make_api_user, case_id):
    analyst = make_api_user(Role.ANALYST)

    assert client.get(_url(case_id), headers=analyst.headers).status_code == 403
    assert client.post(_url(case_id), json={"body": CLEAN}, headers=analyst.headers).status_code == 403
    check = client.post("/api/v1/language-check", json={"text": CLEAN}, headers=analyst.headers)
    assert check.status_code == 403
    assert _count(app) == 0


def test_language_check_lists_findings_for_partner_systems(client, make_api_user, lead):
    partner = make_api_user(Role.PARTNER)

    response = client.post(
        "/api/v1/language-check", json={"text": "She PUTS HERSELF AT RISK."}, headers=partner.headers
    )

    assert response.status_code == 200
    [finding] = response.get_json()["findings"]
    assert finding["text"] == "PUTS HERSELF AT RISK" and finding["phrase"] == "putting themselves at risk"
    clean = client.post("/api/v1/language-check", json={"text": CLEAN}, headers=partner.headers)
    assert clean.get_json() == {"findings": []}
    blank = client.post("/api/v1/language-check", json={"text": " "}, headers=partner.headers)
    assert blank.status_code == 422 and "text" in blank.get_json()["errors"]


def test_openapi_documents_the_paths(client, lead):
    paths = client.get("/api/v1/openapi.json", headers=lead.headers).get_json()["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/cases/{case_id}/notes"])
    assert "post" in paths["/api/v1/language-check"]
